//! Layer 1: encoding and decoding of every on-disk structure.
//!
//! Pure functions over byte slices: no file, no socket, no clock. That keeps every parser
//! testable and fuzzable on plain bytes. `tests/layering.rs` enforces it. `docs/format.md`
//! describes every byte.

pub mod block;
pub mod codec;
pub mod cow;
pub mod features;
pub mod id;
pub mod label;
pub mod layout;
pub mod record;
