//! The live registry: targets with their LUN sets, ACLs and CHAP credentials, and the sessions
//! logged in to them. Configuration changes swap small snapshots under short locks; the data
//! path never takes a registry lock.

use super::chap::Credentials;
use super::config::ACL_ALL;
use super::params::Params;
use super::scsi::{ItNexus, Nexus, TargetLuns};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, OnceLock, RwLock};
use std::time::{Duration, Instant};

/// Who may log in to a target and how they must prove it.
#[derive(Debug, Clone, Default)]
pub struct Access {
    pub alias: Option<String>,
    /// Normalized initiator names, or [`ACL_ALL`]. Empty admits nobody.
    pub acl: BTreeSet<String>,
    pub auth: Option<Credentials>,
}

impl Access {
    pub fn admits(&self, initiator: &str) -> bool {
        self.acl.contains(ACL_ALL) || self.acl.contains(initiator)
    }
}

/// One exported target.
pub struct Target {
    pub name: String,
    pub tpgt: u16,
    pub luns: Arc<TargetLuns>,
    access: RwLock<Arc<Access>>,
}

impl Target {
    pub fn new(name: String, tpgt: u16, luns: Arc<TargetLuns>, access: Access) -> Target {
        Target {
            name,
            tpgt,
            luns,
            access: RwLock::new(Arc::new(access)),
        }
    }

    /// The current access snapshot.
    pub fn access(&self) -> Arc<Access> {
        match self.access.read() {
            Ok(a) => a.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    pub fn set_access(&self, a: Access) {
        match self.access.write() {
            Ok(mut g) => *g = Arc::new(a),
            Err(p) => *p.into_inner() = Arc::new(a),
        }
    }
}

/// Whether a session serves SCSI or only SendTargets.
#[derive(Clone)]
pub enum SessionKind {
    Discovery,
    Normal(Arc<Target>),
}

/// A handle another thread uses to end a connection: shutting the socket down wakes the
/// connection's blocked read.
pub struct ConnHandle {
    pub cid: u16,
    stream: TcpStream,
}

/// A logged-in session.
pub struct Session {
    pub tsih: u16,
    pub isid: u64,
    pub initiator: String,
    pub kind: SessionKind,
    pub nexus: Nexus,
    /// The SCSI layer's handle for this I_T nexus (normal sessions).
    pub it: Option<Arc<ItNexus>>,
    /// The session-wide parameters the leading login negotiated; later connections inherit them.
    pub params: OnceLock<Params>,
    closing: AtomicBool,
    conns: Mutex<Vec<ConnHandle>>,
    gone: Condvar,
}

impl Session {
    pub fn target(&self) -> Option<&Arc<Target>> {
        match &self.kind {
            SessionKind::Normal(t) => Some(t),
            SessionKind::Discovery => None,
        }
    }

    pub fn is_closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }

    /// Registers a connection so that [`Session::close`] can end it.
    pub fn attach(&self, cid: u16, stream: &TcpStream) -> std::io::Result<()> {
        let stream = stream.try_clone()?;
        let mut g = self.conns.lock().unwrap_or_else(|p| p.into_inner());
        if self.is_closing() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        g.push(ConnHandle { cid, stream });
        Ok(())
    }

    /// Whether a connection with this CID is attached.
    pub fn has_cid(&self, cid: u16) -> bool {
        let g = self.conns.lock().unwrap_or_else(|p| p.into_inner());
        g.iter().any(|c| c.cid == cid)
    }

    pub fn connection_count(&self) -> usize {
        self.conns.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    /// Ends the session's connections (reinstatement, ACL removal, target removal, shutdown).
    pub fn close(&self) {
        self.closing.store(true, Ordering::Release);
        let g = self.conns.lock().unwrap_or_else(|p| p.into_inner());
        for c in g.iter() {
            let _ = c.stream.shutdown(Shutdown::Read);
        }
    }

    /// Ends one connection by CID (connection reinstatement).
    pub fn close_cid(&self, cid: u16) {
        let g = self.conns.lock().unwrap_or_else(|p| p.into_inner());
        for c in g.iter().filter(|c| c.cid == cid) {
            let _ = c.stream.shutdown(Shutdown::Read);
        }
    }

    /// Called by a connection thread as it ends; returns whether it was the last one, in
    /// which case the caller reports the nexus gone and unregisters the session.
    pub fn detach(&self, cid: u16) -> bool {
        let mut g = self.conns.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = g.iter().position(|c| c.cid == cid) {
            g.remove(i);
        }
        let last = g.is_empty();
        if last {
            self.closing.store(true, Ordering::Release);
        }
        last
    }

    /// Waits until every connection has detached, up to `timeout`.
    pub fn wait_gone(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        let mut g = self.conns.lock().unwrap_or_else(|p| p.into_inner());
        while !g.is_empty() {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            g = match self.gone.wait_timeout(g, left) {
                Ok((g, _)) => g,
                Err(p) => p.into_inner().0,
            };
        }
        true
    }

    fn notify_gone(&self) {
        self.gone.notify_all();
    }
}

/// Identity of a session for reinstatement: same initiator, ISID and target.
fn same_nexus(s: &Session, initiator: &str, isid: u64, target: Option<&str>) -> bool {
    s.initiator == initiator && s.isid == isid && s.target().map(|t| t.name.as_str()) == target
}

#[derive(Default)]
struct Sessions {
    by_tsih: HashMap<u16, Arc<Session>>,
    next_tsih: u16,
}

/// Targets, discovery CHAP and sessions.
#[derive(Default)]
pub struct Registry {
    targets: RwLock<BTreeMap<String, Arc<Target>>>,
    discovery_auth: RwLock<Option<Credentials>>,
    sessions: Mutex<Sessions>,
}

/// How long a reinstating login waits for the old session's connections to end.
const REINSTATE_WAIT: Duration = Duration::from_secs(10);

impl Registry {
    pub fn target(&self, name: &str) -> Option<Arc<Target>> {
        let g = self.targets.read().unwrap_or_else(|p| p.into_inner());
        g.get(name).cloned()
    }

    pub fn targets(&self) -> Vec<Arc<Target>> {
        let g = self.targets.read().unwrap_or_else(|p| p.into_inner());
        g.values().cloned().collect()
    }

    /// Adds a target; false if the name is taken.
    pub fn insert_target(&self, t: Arc<Target>) -> bool {
        let mut g = self.targets.write().unwrap_or_else(|p| p.into_inner());
        if g.contains_key(&t.name) {
            return false;
        }
        g.insert(t.name.clone(), t);
        true
    }

    /// Removes a target and ends its sessions; other targets' sessions are untouched.
    pub fn remove_target(&self, name: &str) -> Option<Arc<Target>> {
        let t = {
            let mut g = self.targets.write().unwrap_or_else(|p| p.into_inner());
            g.remove(name)?
        };
        for s in self.sessions_of(name) {
            s.close();
        }
        Some(t)
    }

    pub fn discovery_auth(&self) -> Option<Credentials> {
        self.discovery_auth
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn set_discovery_auth(&self, c: Option<Credentials>) {
        *self
            .discovery_auth
            .write()
            .unwrap_or_else(|p| p.into_inner()) = c;
    }

    /// Sessions logged in to `target`.
    pub fn sessions_of(&self, target: &str) -> Vec<Arc<Session>> {
        let g = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        g.by_tsih
            .values()
            .filter(|s| s.target().is_some_and(|t| t.name == target))
            .cloned()
            .collect()
    }

    pub fn all_sessions(&self) -> Vec<Arc<Session>> {
        let g = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        g.by_tsih.values().cloned().collect()
    }

    pub fn session(&self, tsih: u16) -> Option<Arc<Session>> {
        let g = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        g.by_tsih.get(&tsih).cloned()
    }

    /// Creates a session for a leading login with TSIH 0, first closing any session with the
    /// same initiator, ISID and target (session reinstatement) and waiting for it to end.
    pub fn open_session(
        &self,
        initiator: &str,
        isid: u64,
        kind: SessionKind,
        tpgt: u16,
    ) -> Option<Arc<Session>> {
        let tname = match &kind {
            SessionKind::Normal(t) => Some(t.name.clone()),
            SessionKind::Discovery => None,
        };
        let old: Vec<Arc<Session>> = {
            let g = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
            g.by_tsih
                .values()
                .filter(|s| same_nexus(s, initiator, isid, tname.as_deref()))
                .cloned()
                .collect()
        };
        for s in &old {
            s.close();
        }
        for s in &old {
            s.wait_gone(REINSTATE_WAIT);
            self.forget(s);
        }
        let mut g = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        let tsih = (0..u16::MAX).find_map(|_| {
            g.next_tsih = g.next_tsih.wrapping_add(1);
            let t = g.next_tsih;
            (t != 0 && !g.by_tsih.contains_key(&t)).then_some(t)
        })?;
        let nexus = Nexus {
            initiator: initiator.to_string(),
            isid,
            tpgt,
        };
        let it = match &kind {
            SessionKind::Normal(t) => Some(t.luns.login(nexus.clone())),
            SessionKind::Discovery => None,
        };
        let s = Arc::new(Session {
            tsih,
            isid,
            initiator: initiator.to_string(),
            kind,
            nexus,
            it,
            params: OnceLock::new(),
            closing: AtomicBool::new(false),
            conns: Mutex::new(Vec::new()),
            gone: Condvar::new(),
        });
        g.by_tsih.insert(tsih, s.clone());
        Some(s)
    }

    /// A connection thread ends: the last one of a session reports the nexus gone to the
    /// SCSI layer and unregisters the session.
    pub fn connection_ended(&self, s: &Arc<Session>, cid: u16) {
        if s.detach(cid) {
            if let (Some(t), Some(it)) = (s.target(), &s.it) {
                t.luns.logout(it);
            }
            self.forget(s);
            s.notify_gone();
        }
    }

    fn forget(&self, s: &Arc<Session>) {
        let mut g = self.sessions.lock().unwrap_or_else(|p| p.into_inner());
        if g.by_tsih.get(&s.tsih).is_some_and(|x| Arc::ptr_eq(x, s)) {
            g.by_tsih.remove(&s.tsih);
        }
    }
}
