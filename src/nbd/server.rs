//! The listener, the table of live connections, and the lifecycle the daemon drives:
//! start, disconnect one export's clients, shut down gracefully.

use super::connection;
use super::registry::{Export, ExportRegistry};
use crate::engine::Volume;
use std::collections::HashMap;
use std::io;
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

/// Where requests run; the default is what the benchmark chose (see docs/architecture.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Offload {
    /// Reads, plain writes and block status run on the connection's thread; flush, FUA
    /// writes, trim, zeroing and cache run on its helper threads.
    SlowOnly,
    /// Reads, block status and large writes run on the connection's thread; writes under
    /// 128 KiB and the slow requests run on the helpers.
    Writes,
    /// Every request is handed to the helpers (kept to measure the hand-off).
    All,
}

/// Server limits and timeouts.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// A client must finish option haggling within this time.
    pub handshake_timeout: Duration,
    /// Largest READ/WRITE accepted and advertised (NBD_INFO_BLOCK_SIZE maximum).
    pub max_block: u32,
    /// Connections beyond this are closed at once.
    pub max_connections: usize,
    /// How long shutdown and disconnects wait for in-flight requests before forcing.
    pub drain_timeout: Duration,
    pub offload: Offload,
    /// Stack size of connection and helper threads; they keep their buffers on the heap.
    pub thread_stack: usize,
    /// Helper threads a connection starts on its first write, flush or trim.
    pub helper_threads: usize,
}

impl Default for ServerConfig {
    fn default() -> ServerConfig {
        ServerConfig {
            handshake_timeout: Duration::from_secs(10),
            max_block: 32 << 20,
            max_connections: 4096,
            drain_timeout: Duration::from_secs(30),
            offload: Offload::SlowOnly,
            thread_stack: 128 << 10,
            helper_threads: 2,
        }
    }
}

/// What a graceful shutdown did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ShutdownReport {
    /// Connections open when shutdown began.
    pub connections: usize,
    /// Connections that had to be cut because they did not drain in time.
    pub forced: usize,
    /// Volumes whose final flush failed.
    pub flush_errors: usize,
}

/// What the server tracks for each live connection.
pub(crate) struct ConnRecord {
    pub export: Option<String>,
    pub volume: Option<Arc<dyn Volume>>,
    pub socket: TcpStream,
    pub closing: Arc<AtomicBool>,
}

#[derive(Default)]
pub(crate) struct Conns {
    next_id: u64,
    pub map: HashMap<u64, ConnRecord>,
}

/// State shared by the accept thread, the connections and the handle.
pub(crate) struct Shared {
    pub registry: Arc<dyn ExportRegistry>,
    pub config: ServerConfig,
    pub stopping: AtomicBool,
    pub conns: Mutex<Conns>,
    /// Signalled whenever a connection ends.
    pub changed: Condvar,
    pub flush_errors: AtomicUsize,
}

impl Shared {
    pub fn conns(&self) -> MutexGuard<'_, Conns> {
        self.conns.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Ends a connection's record and wakes whoever waits for connections to drain.
    pub fn forget(&self, id: u64) {
        self.conns().map.remove(&id);
        self.changed.notify_all();
    }
}

/// The registry as one connection sees it: opening an export also records, atomically with
/// respect to [`ServerHandle::disconnect_export`], which export the connection uses.
pub(crate) struct TrackedRegistry<'a> {
    pub shared: &'a Shared,
    pub id: u64,
}

impl ExportRegistry for TrackedRegistry<'_> {
    fn names(&self) -> Vec<String> {
        self.shared.registry.names()
    }

    fn default_name(&self) -> Option<String> {
        self.shared.registry.default_name()
    }

    fn open(&self, name: &str) -> Option<Export> {
        let mut conns = self.shared.conns();
        let export = self.shared.registry.open(name)?;
        let canonical = match name {
            "" => self.shared.registry.default_name().unwrap_or_default(),
            _ => name.to_string(),
        };
        if let Some(rec) = conns.map.get_mut(&self.id) {
            rec.export = Some(canonical);
            rec.volume = Some(export.volume.clone());
        }
        Some(export)
    }
}

/// A running NBD server; dropping it shuts it down.
pub struct ServerHandle {
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
    addr: SocketAddr,
}

/// Binds `addr` (port 0 picks a free port) and starts serving `registry`'s exports.
pub fn start(
    addr: impl ToSocketAddrs,
    registry: Arc<dyn ExportRegistry>,
    config: ServerConfig,
) -> io::Result<ServerHandle> {
    start_on(TcpListener::bind(addr)?, registry, config)
}

/// Serves on a listener the caller bound (the daemon may inherit one).
pub fn start_on(
    listener: TcpListener,
    registry: Arc<dyn ExportRegistry>,
    config: ServerConfig,
) -> io::Result<ServerHandle> {
    let addr = listener.local_addr()?;
    let shared = Arc::new(Shared {
        registry,
        config,
        stopping: AtomicBool::new(false),
        conns: Mutex::new(Conns::default()),
        changed: Condvar::new(),
        flush_errors: AtomicUsize::new(0),
    });
    let s = shared.clone();
    let accept = thread::Builder::new()
        .name("nbd-accept".into())
        .spawn(move || accept_loop(listener, s))?;
    Ok(ServerHandle {
        shared,
        accept: Some(accept),
        addr,
    })
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    while let Some(stream) =
        crate::net::next_connection(&shared.stopping, || listener.accept().map(|(s, _)| s))
    {
        let Ok(socket) = stream.try_clone() else {
            continue;
        };
        let id = {
            let mut conns = shared.conns();
            if conns.map.len() >= shared.config.max_connections {
                continue;
            }
            conns.next_id += 1;
            let id = conns.next_id;
            let record = ConnRecord {
                export: None,
                volume: None,
                socket,
                closing: Arc::new(AtomicBool::new(false)),
            };
            conns.map.insert(id, record);
            id
        };
        let s = shared.clone();
        let spawned = thread::Builder::new()
            .name("nbd-conn".into())
            .stack_size(shared.config.thread_stack)
            .spawn(move || {
                connection::serve(stream, &s, id);
                s.forget(id);
            });
        if spawned.is_err() {
            shared.forget(id);
        }
    }
}

impl ServerHandle {
    /// The bound address, with the real port when port 0 was asked for.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Live connections, in handshake or transmission.
    pub fn connections(&self) -> usize {
        self.shared.conns().map.len()
    }

    /// Connections that opened `name`.
    pub fn export_connections(&self, name: &str) -> usize {
        let conns = self.shared.conns();
        conns
            .map
            .values()
            .filter(|r| r.export.as_deref() == Some(name))
            .count()
    }

    /// Closes every connection that opened `name`, after removing it from the registry:
    /// their in-flight requests finish, requests already received get ESHUTDOWN, the volume
    /// is flushed and the sockets close. Other exports' connections are untouched. Returns
    /// once they are gone, with how many there were.
    pub fn disconnect_export(&self, name: &str) -> usize {
        self.drain(|r| r.export.as_deref() == Some(name)).0
    }

    /// Stops accepting, closes every connection as [`ServerHandle::disconnect_export`]
    /// does, flushes the volumes, and returns when all is done.
    pub fn shutdown(mut self) -> ShutdownReport {
        self.stop()
    }

    fn stop(&mut self) -> ShutdownReport {
        let Some(accept) = self.accept.take() else {
            return ShutdownReport::default();
        };
        self.shared.stopping.store(true, Ordering::Release);
        crate::net::wake_acceptor(self.addr);
        let _ = accept.join();
        let (connections, forced) = self.drain(|_| true);
        ShutdownReport {
            connections,
            forced,
            flush_errors: self.shared.flush_errors.load(Ordering::Acquire),
        }
    }

    /// Asks matching connections to close, waits for them, and cuts those that do not
    /// drain in time. Returns (matched, forced).
    fn drain(&self, matches: impl Fn(&ConnRecord) -> bool) -> (usize, usize) {
        let mut conns = self.shared.conns();
        let ids: Vec<u64> = conns
            .map
            .iter()
            .filter(|(_, r)| matches(r))
            .map(|(id, _)| *id)
            .collect();
        for id in &ids {
            if let Some(r) = conns.map.get(id) {
                r.closing.store(true, Ordering::Release);
                // Wakes a reader blocked in recv; replies can still be written.
                let _ = r.socket.shutdown(Shutdown::Read);
            }
        }
        let deadline = Instant::now() + self.shared.config.drain_timeout;
        let live = |c: &Conns| ids.iter().filter(|id| c.map.contains_key(id)).count();
        while live(&conns) > 0 {
            let now = Instant::now();
            if now >= deadline {
                break;
            }
            conns = match self.shared.changed.wait_timeout(conns, deadline - now) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
        let forced = live(&conns);
        for id in &ids {
            if let Some(r) = conns.map.get(id) {
                // A client that stopped reading holds a writer; cutting the socket frees it.
                let _ = r.socket.shutdown(Shutdown::Both);
            }
        }
        while live(&conns) > 0 {
            conns = self
                .shared
                .changed
                .wait(conns)
                .unwrap_or_else(|p| p.into_inner());
        }
        (ids.len(), forced)
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        self.stop();
    }
}
