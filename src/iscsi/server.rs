//! The transport: a listener, one thread per connection, live configuration changes and a
//! graceful shutdown. Each connection thread reads whole batches of PDUs, runs them (page-cache
//! reads inline), and answers the batch with one vectored write.

use super::config::{normalize_name, ChapAuth, ConfigError, IscsiConfig, LunConfig, MAX_LUN};
use super::connection::{ConnSetup, Connection, Flow};
use super::login::{Login, LoginSetup, Step};
use super::params::Limits;
use super::pdu::{self, Framing, PduError, RejectReason, BHS_LEN};
use super::scsi::{LunError, LunSettings, TargetLuns};
use super::target::{Access, Registry, Target};
use super::wire::{Outbox, PduReader};
use crate::engine::Volume;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How the server listens and what it negotiates.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// The portal; the daemon defaults to 0.0.0.0:3260, tests use 127.0.0.1:0.
    pub portal: SocketAddr,
    /// Target portal group tag of the portal.
    pub tpgt: u16,
    pub limits: Limits,
    /// Commands a session may have outstanding.
    pub queue_depth: u32,
    /// Idle time after which the target pings with a NOP-In; an unanswered ping for as long
    /// again drops the connection.
    pub nop_interval: Duration,
    /// Longest wait for each Login Request.
    pub login_timeout: Duration,
    /// Largest transfer a command may make.
    pub max_transfer: u32,
    /// Most connections at once; more are closed at accept.
    pub max_connections: usize,
}

impl ServerOptions {
    pub fn new(portal: SocketAddr) -> ServerOptions {
        ServerOptions {
            portal,
            tpgt: 1,
            limits: Limits::default(),
            queue_depth: 128,
            nop_interval: Duration::from_secs(15),
            login_timeout: Duration::from_secs(30),
            max_transfer: 32 << 20,
            max_connections: 1024,
        }
    }
}

/// Why a server call failed.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Io(#[from] io::Error),
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Lun(#[from] LunError),
    #[error("target {0} does not exist")]
    NoTarget(String),
    #[error("target {0} already exists")]
    TargetExists(String),
    #[error("volume for {target} LUN {lun}: {reason}")]
    Volume {
        target: String,
        lun: u64,
        reason: String,
    },
}

/// A connection thread's socket (to wake it) and join handle.
type ConnEntry = (TcpStream, Option<JoinHandle<()>>);
/// Per target, per LUN: the volume's name and the volume.
type MappedLuns = BTreeMap<String, BTreeMap<u64, (String, Arc<dyn Volume>)>>;

struct Shared {
    opts: ServerOptions,
    registry: Arc<Registry>,
    stopping: AtomicBool,
    next_conn: AtomicU64,
    conns: Mutex<HashMap<u64, ConnEntry>>,
    /// Volumes mapped per target, for flushing and for diffing configurations.
    mapped: Mutex<MappedLuns>,
}

/// A running iSCSI target server.
pub struct Server {
    shared: Arc<Shared>,
    local: SocketAddr,
    acceptor: Option<JoinHandle<()>>,
}

impl Server {
    /// Binds the portal and starts accepting connections.
    pub fn start(opts: ServerOptions) -> Result<Server, ServerError> {
        let listener = TcpListener::bind(opts.portal)?;
        let local = listener.local_addr()?;
        let shared = Arc::new(Shared {
            opts,
            registry: Arc::new(Registry::default()),
            stopping: AtomicBool::new(false),
            next_conn: AtomicU64::new(1),
            conns: Mutex::new(HashMap::new()),
            mapped: Mutex::new(BTreeMap::new()),
        });
        let s = shared.clone();
        let acceptor = std::thread::Builder::new()
            .name("iscsi-accept".into())
            .spawn(move || accept_loop(listener, s))?;
        Ok(Server {
            shared,
            local,
            acceptor: Some(acceptor),
        })
    }

    /// The address actually bound (the port is chosen by the OS for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The live registry (targets and sessions), for status reports.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.shared.registry
    }

    /// Creates an empty target that admits nobody until an ACL entry is added.
    pub fn create_target(&self, iqn: &str) -> Result<(), ServerError> {
        let name = normalize_name(iqn)?;
        let luns = Arc::new(TargetLuns::new(&name));
        let t = Arc::new(Target::new(
            name.clone(),
            self.shared.opts.tpgt,
            luns,
            Access::default(),
        ));
        if !self.shared.registry.insert_target(t) {
            return Err(ServerError::TargetExists(name));
        }
        lock(&self.shared.mapped).insert(name, BTreeMap::new());
        Ok(())
    }

    /// Removes a target and ends its sessions; other targets' sessions go on.
    pub fn delete_target(&self, iqn: &str) -> Result<(), ServerError> {
        let name = normalize_name(iqn)?;
        self.shared
            .registry
            .remove_target(&name)
            .ok_or(ServerError::NoTarget(name.clone()))?;
        lock(&self.shared.mapped).remove(&name);
        Ok(())
    }

    fn target(&self, iqn: &str) -> Result<Arc<Target>, ServerError> {
        let name = normalize_name(iqn)?;
        self.shared
            .registry
            .target(&name)
            .ok_or(ServerError::NoTarget(name))
    }

    /// Maps `volume` as `lun`; the target's sessions get REPORTED LUNS DATA HAS CHANGED.
    /// `name` is the volume's `VG/LV`, remembered for [`Server::apply`].
    pub fn add_lun(
        &self,
        iqn: &str,
        lun: u64,
        name: &str,
        volume: Arc<dyn Volume>,
        read_only: bool,
    ) -> Result<(), ServerError> {
        let t = self.target(iqn)?;
        let settings = LunSettings {
            read_only,
            identity: None,
        };
        t.luns.add_lun(lun, volume.clone(), settings)?;
        lock(&self.shared.mapped)
            .entry(t.name.clone())
            .or_default()
            .insert(lun, (name.to_string(), volume));
        Ok(())
    }

    /// Unmaps a LUN live.
    pub fn remove_lun(&self, iqn: &str, lun: u64) -> Result<(), ServerError> {
        let t = self.target(iqn)?;
        t.luns.remove_lun(lun)?;
        if let Some(m) = lock(&self.shared.mapped).get_mut(&t.name) {
            m.remove(&lun);
        }
        Ok(())
    }

    /// Replaces a target's alias, ACL and CHAP. Sessions the new ACL no longer admits end;
    /// new CHAP applies to new logins.
    pub fn set_access(
        &self,
        iqn: &str,
        alias: Option<String>,
        acl: impl IntoIterator<Item = String>,
        auth: Option<&ChapAuth>,
    ) -> Result<(), ServerError> {
        let t = self.target(iqn)?;
        let auth = auth
            .map(|a| a.credentials().map_err(ConfigError::from))
            .transpose()?;
        let access = Access {
            alias,
            acl: acl.into_iter().collect(),
            auth,
        };
        for s in self.shared.registry.sessions_of(&t.name) {
            if !access.admits(&s.initiator) {
                s.close();
            }
        }
        t.set_access(access);
        Ok(())
    }

    /// Sets or clears discovery CHAP.
    pub fn set_discovery_auth(&self, auth: Option<&ChapAuth>) -> Result<(), ServerError> {
        let c = auth
            .map(|a| a.credentials().map_err(ConfigError::from))
            .transpose()?;
        self.shared.registry.set_discovery_auth(c);
        Ok(())
    }

    /// Brings the live state to `config`, touching only what differs: targets, LUNs (a LUN
    /// whose volume name changed is remapped), access and discovery CHAP. `open` resolves a
    /// LUN's `VG/LV` to a volume. An invalid configuration changes nothing (`Err`); otherwise
    /// everything that can be applied is, and what could not (a LUN whose volume does not
    /// open) is returned, so one missing LV never keeps the other targets from being served.
    pub fn apply<F>(
        &self,
        config: &IscsiConfig,
        mut open: F,
    ) -> Result<Vec<ServerError>, ServerError>
    where
        F: FnMut(&str, u64, &LunConfig) -> Result<Arc<dyn Volume>, String>,
    {
        config.validate()?;
        let mut failed = Vec::new();
        let live: Vec<String> = lock(&self.shared.mapped).keys().cloned().collect();
        for name in live.iter().filter(|n| !config.targets.contains_key(*n)) {
            if let Err(e) = self.delete_target(name) {
                failed.push(e);
            }
        }
        for (name, t) in &config.targets {
            if self.shared.registry.target(name).is_none() {
                if let Err(e) = self.create_target(name) {
                    failed.push(e);
                    continue;
                }
            }
            let current: BTreeMap<u64, String> = lock(&self.shared.mapped)
                .get(name)
                .map(|m| m.iter().map(|(l, (v, _))| (*l, v.clone())).collect())
                .unwrap_or_default();
            for (lun, vol) in &current {
                if t.luns.get(lun).map(|l| &l.volume) != Some(vol) {
                    if let Err(e) = self.remove_lun(name, *lun) {
                        failed.push(e);
                    }
                }
            }
            for (lun, lc) in &t.luns {
                if current.get(lun) == Some(&lc.volume) || *lun > MAX_LUN {
                    continue;
                }
                let mapped = open(name, *lun, lc)
                    .map_err(|reason| ServerError::Volume {
                        target: name.clone(),
                        lun: *lun,
                        reason,
                    })
                    .and_then(|v| self.add_lun(name, *lun, &lc.volume, v, false));
                if let Err(e) = mapped {
                    failed.push(e);
                }
            }
            if let Err(e) = self.set_access(
                name,
                t.alias.clone(),
                t.acl.iter().cloned(),
                t.auth.as_ref(),
            ) {
                failed.push(e);
            }
        }
        if let Err(e) = self.set_discovery_auth(config.discovery_auth.as_ref()) {
            failed.push(e);
        }
        Ok(failed)
    }

    /// Stops accepting, ends every connection (commands run to completion before a
    /// connection reads its next PDU; writes still waiting for Data-Out fail), waits for the
    /// connection threads, flushes every mapped volume, and returns.
    pub fn shutdown(mut self) -> Result<(), ServerError> {
        self.stop();
        let mut first_err = None;
        let volumes: Vec<Arc<dyn Volume>> = lock(&self.shared.mapped)
            .values()
            .flat_map(|m| m.values().map(|(_, v)| v.clone()))
            .collect();
        for v in volumes {
            if let Err(e) = v.flush() {
                first_err.get_or_insert(ServerError::Io(io::Error::other(e.to_string())));
            }
        }
        first_err.map_or(Ok(()), Err)
    }

    fn stop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        if let Some(a) = self.acceptor.take() {
            // accept() has no timeout; a connection of our own wakes it to see the flag.
            crate::net::wake_acceptor(self.local);
            let _ = a.join();
        }
        let handles: Vec<JoinHandle<()>> = {
            let mut g = lock(&self.shared.conns);
            for (s, _) in g.values() {
                let _ = s.shutdown(std::net::Shutdown::Read);
            }
            g.values_mut().filter_map(|(_, h)| h.take()).collect()
        };
        for h in handles {
            let _ = h.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if self.acceptor.is_some() {
            self.stop();
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    while let Some(stream) =
        crate::net::next_connection(&shared.stopping, || listener.accept().map(|(s, _)| s))
    {
        let id = shared.next_conn.fetch_add(1, Ordering::Relaxed);
        let Ok(clone) = stream.try_clone() else {
            continue;
        };
        {
            // Registered before the thread starts, so that its removal cannot come first
            // and leave a clone holding the socket open.
            let mut g = lock(&shared.conns);
            if g.len() >= shared.opts.max_connections {
                continue;
            }
            g.insert(id, (clone, None));
        }
        let s = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("iscsi-conn".into())
            .spawn(move || {
                serve(stream, &s);
                lock(&s.conns).remove(&id);
            });
        let mut g = lock(&shared.conns);
        match spawned {
            Ok(h) => {
                if let Some(e) = g.get_mut(&id) {
                    e.1 = Some(h);
                }
            }
            Err(_) => {
                g.remove(&id);
            }
        }
        if shared.stopping.load(Ordering::Acquire) {
            if let Some((c, _)) = g.get(&id) {
                let _ = c.shutdown(std::net::Shutdown::Read);
            }
        }
    }
}

/// Reads until the reader holds one whole PDU and returns its length; `None` when the
/// connection ended or sent a PDU that cannot be framed.
fn next_pdu(reader: &mut PduReader, stream: &mut TcpStream, framing: &Framing) -> Option<usize> {
    loop {
        let need = match framing.wire_len(reader.pending()).ok()? {
            Some(n) if reader.pending().len() >= n => return Some(n),
            Some(n) => n,
            None => BHS_LEN,
        };
        match reader.fill(stream, need) {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

fn serve(mut stream: TcpStream, shared: &Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(shared.opts.login_timeout));
    let _ = stream.set_write_timeout(Some(shared.opts.login_timeout));
    let mut reader = PduReader::new(256 * 1024);
    let mut out = Outbox::new();
    let opts = &shared.opts;
    let setup = LoginSetup {
        registry: &shared.registry,
        limits: opts.limits,
        queue_depth: opts.queue_depth,
        tpgt: opts.tpgt,
        first_stat_sn: rand_u32(),
    };
    let mut login = Login::new(setup);
    let framing = Framing::default();
    let est = loop {
        let Some(n) = next_pdu(&mut reader, &mut stream, &framing) else {
            return;
        };
        let step = match framing.split(&reader.pending()[..n]) {
            Ok(p) => login.step(&p),
            Err(_) => return,
        };
        reader.consume(n);
        match step {
            Step::Continue(r) => out.push(&r.bhs, &r.data),
            Step::Fail(r, _) => {
                out.push(&r.bhs, &r.data);
                let _ = out.flush(&mut stream);
                return;
            }
            Step::Done(r, est) => {
                out.push(&r.bhs, &r.data);
                break est;
            }
        }
        if out.flush(&mut stream).is_err() {
            return;
        }
    };
    let session = est.session.clone();
    let cid = est.cid;
    if session.attach(cid, &stream).is_err() || out.flush(&mut stream).is_err() {
        shared.registry.connection_ended(&session, cid);
        return;
    }
    let portal = stream.local_addr().unwrap_or(opts.portal);
    let mut conn = Connection::new(ConnSetup {
        registry: shared.registry.clone(),
        session: session.clone(),
        cid,
        params: est.params,
        limits: opts.limits,
        stat_sn: est.stat_sn,
        exp_cmd_sn: est.exp_cmd_sn,
        queue_depth: opts.queue_depth,
        portals: vec![portal],
        max_transfer: opts.max_transfer,
    });
    let framing = Framing {
        header_digest: est.params.header_digest,
        data_digest: est.params.data_digest,
        max_recv_data: est.max_recv_data,
    };
    out.header_digest = est.params.header_digest;
    out.data_digest = est.params.data_digest;
    let _ = stream.set_read_timeout(Some(opts.nop_interval));
    full_feature(
        &mut conn,
        &mut reader,
        &mut out,
        &mut stream,
        framing,
        shared,
    );
    if conn.cold_reset {
        if let Some(t) = session.target() {
            for s in shared.registry.sessions_of(&t.name) {
                s.close();
            }
        }
    }
    shared.registry.connection_ended(&session, cid);
}

/// Most response bytes gathered before a write: enough to answer a batch of small reads in
/// one write, little enough that a batch of large ones goes out while still in the CPU cache.
const FLUSH_AT: usize = 256 << 10;

fn full_feature(
    conn: &mut Connection,
    reader: &mut PduReader,
    out: &mut Outbox,
    stream: &mut TcpStream,
    framing: Framing,
    shared: &Arc<Shared>,
) {
    let mut idle_since = Instant::now();
    loop {
        // Every whole PDU already received is handled before one write answers them all.
        let need = loop {
            let n = match framing.wire_len(reader.pending()) {
                Ok(Some(n)) if reader.pending().len() >= n => n,
                Ok(Some(n)) => break n,
                Ok(None) => break BHS_LEN,
                Err(e) => return fail(conn, out, stream, reader, e),
            };
            let flow = match framing.split(&reader.pending()[..n]) {
                Ok(p) => conn.handle(&p, out),
                Err(e) => return fail(conn, out, stream, reader, e),
            };
            reader.consume(n);
            match flow {
                Ok(Flow::Continue) => {}
                Ok(Flow::Close) | Err(_) => {
                    let _ = out.flush(stream);
                    return;
                }
            }
            if out.queued_bytes() >= FLUSH_AT && out.flush(stream).is_err() {
                return;
            }
        };
        if !out.is_empty() && out.flush(stream).is_err() {
            return;
        }
        if shared.stopping.load(Ordering::Acquire) || conn.session_closing() {
            conn.announce_drop(out);
            let _ = out.flush(stream);
            return;
        }
        match reader.fill(stream, need) {
            Ok(0) => {
                if shared.stopping.load(Ordering::Acquire) || conn.session_closing() {
                    conn.announce_drop(out);
                    let _ = out.flush(stream);
                }
                return;
            }
            Ok(_) => {
                conn.heard_from_initiator();
                idle_since = Instant::now();
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                if idle_since.elapsed() < shared.opts.nop_interval {
                    continue;
                }
                idle_since = Instant::now();
                if !conn.ping(out) {
                    // The previous ping went unanswered for a whole interval.
                    return;
                }
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return,
        }
    }
}

/// Answers a framing error: a Reject when the header can be trusted, then the end.
fn fail(
    conn: &mut Connection,
    out: &mut Outbox,
    stream: &mut TcpStream,
    reader: &PduReader,
    e: PduError,
) {
    let reason = match e {
        PduError::HeaderDigest => None,
        PduError::DataDigest => Some(RejectReason::DataDigest),
        _ => Some(RejectReason::ProtocolError),
    };
    if let (Some(r), Some(bhs)) = (reason, pdu::Bhs::from_slice(reader.pending())) {
        conn.reject(out, r, &bhs);
    }
    let _ = out.flush(stream);
    let _ = stream.flush();
}

/// A random starting StatSN, as RFC 7143 suggests; the value itself carries no secret.
fn rand_u32() -> u32 {
    rand::random()
}
