//! Layer 3: the volume-group model, allocation, validation and metadata transactions.
//!
//! - [`model`]: the live VG; [`convert`] maps it to and from the on-disk record.
//! - [`ops`]: every command's change as a pure function over the model.
//! - [`alloc`], [`validate`], [`names`]: allocation and the invariants commits keep.
//! - [`store`]: loading under locks, repair, and the commit protocol; [`actions`] builds
//!   the multi-PV commands (pvcreate, vgcreate, vgextend, ...) on it.
//! - [`scan`], [`pvio`], [`devices`], [`lock`], [`config`], [`backup`]: the I/O around it.

pub mod actions;
pub mod alloc;
pub mod backup;
pub mod config;
pub mod convert;
pub mod devices;
pub mod error;
pub mod lock;
pub mod model;
pub mod names;
pub mod ops;
pub mod pvio;
pub mod scan;
pub mod store;
#[cfg(test)]
mod store_tests;
pub mod validate;

pub use error::{MetaError, MetaResult};
pub use store::{Env, VgTxn, View};
