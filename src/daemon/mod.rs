//! Layer 6: `rvm serve` — the control socket, the export registry and the lifecycle.
