//! Layer 6: `rvm serve` — the control socket, the export registry and the lifecycle.
//!
//! [`exports`] is the export configuration the daemon serves and the CLI edits; it works
//! whether or not the daemon runs.

pub mod exports;
