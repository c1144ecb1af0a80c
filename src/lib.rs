//! rvm: a logical volume manager with its own on-disk metadata, copy-on-write snapshots and
//! built-in NBD and iSCSI targets, needing no device-mapper and no kernel target.
//!
//! The modules are the layers of the design, each depending only on those listed before it
//! (block is a leaf that meta and engine both use):
//!
//! 1. [`format`]: on-disk encodings, pure functions over bytes.
//! 2. [`block`]: the block-device seam (files, block devices, test doubles).
//! 3. [`meta`]: the VG model, allocation, validation and metadata transactions.
//! 4. [`engine`]: LVs as volumes — linear mapping, snapshots, merge.
//! 5. [`host`]: one open VG as volumes by LV — the engine's metadata host, shared by the
//!    command line and the daemon.
//! 6. [`nbd`] and [`iscsi`]: protocol frontends that see only [`engine::Volume`].
//! 7. [`daemon`]: `rvm serve`, its control socket and export registry.
//! 8. [`cli`]: the LVM2-compatible command line.

pub mod alloc;
pub mod block;
pub mod cli;
pub mod daemon;
pub mod engine;
pub mod format;
pub mod host;
pub mod iscsi;
pub mod meta;
pub mod nbd;
pub mod net;
