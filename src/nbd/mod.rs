//! Layer 5: the NBD frontend — fixed newstyle handshake, structured replies, block status.
//!
//! The protocol is two socket-free state machines ([`handshake`] for option haggling,
//! [`transmission`] for requests) over pure codecs ([`wire`]); [`server`] and the
//! connection transport around them are thin. The frontend sees storage only as
//! [`crate::engine::Volume`], and exports only through an [`ExportRegistry`] the daemon
//! implements (or the ready-made [`ExportTable`]).
//!
//! ```no_run
//! use rvm::nbd::{self, Export, ExportTable, ServerConfig};
//! use std::sync::Arc;
//! # fn volume() -> Arc<dyn rvm::engine::Volume> { unimplemented!() }
//! let table = Arc::new(ExportTable::new());
//! table.insert("vg0/vol1", Export { volume: volume(), read_only: false, description: String::new() });
//! let server = nbd::start("127.0.0.1:10809", table.clone(), ServerConfig::default())?;
//! // unexport: no new handshakes, then close the export's connections cleanly.
//! table.remove("vg0/vol1");
//! server.disconnect_export("vg0/vol1");
//! let report = server.shutdown(); // SIGTERM: drain, flush, return
//! # Ok::<(), std::io::Error>(())
//! ```

pub mod buffers;
mod connection;
pub mod handshake;
mod registry;
mod server;
pub mod transmission;
pub mod wire;

#[cfg(test)]
mod testvol;

pub use registry::{Export, ExportRegistry, ExportTable};
pub use server::{start, start_on, Offload, ServerConfig, ServerHandle, ShutdownReport};
