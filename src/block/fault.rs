//! A fault-injecting double for crash tests: it records every write and flush, and can
//! lose power (dropping, reordering or tearing the writes no flush covered yet) or fail
//! chosen I/Os with EIO or ENOSPC.
//!
//! Devices that crash together (the PVs of one machine) share one [`FaultDomain`]; every
//! random choice comes from the domain's seed, so a failing run replays exactly.
//!
//! The model is a volatile write cache: a write lands on the inner device at once (so reads
//! see it), and its previous contents are kept until a flush of that device makes it
//! durable. A crash rolls every unflushed write back, then lets the crash plan re-apply a
//! subset of them, in order or shuffled, possibly one torn at a 512-byte boundary.

use super::{BlockDevice, MemDevice};
use std::io;
use std::sync::{Arc, Mutex, MutexGuard};

/// Kinds of operation the domain counts and can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpKind {
    Read,
    Write,
    Flush,
    Discard,
}

/// The error an injected fault returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InjectedError {
    Eio,
    Enospc,
}

impl InjectedError {
    fn to_io(self) -> io::Error {
        io::Error::from_raw_os_error(match self {
            InjectedError::Eio => libc::EIO,
            InjectedError::Enospc => libc::ENOSPC,
        })
    }
}

/// Fails matching operations: the `nth` match from when the rule was added (1-based), and
/// every later one too when `persistent`.
#[derive(Debug, Clone)]
pub struct FaultRule {
    pub kind: OpKind,
    /// Only this device (its index in the domain), or any.
    pub device: Option<usize>,
    /// Only operations touching this byte range `[start, end)`, or any.
    pub range: Option<(u64, u64)>,
    pub nth: u64,
    pub persistent: bool,
    pub error: InjectedError,
    seen: u64,
}

impl FaultRule {
    /// A rule failing the `nth` matching operation of `kind`, once.
    pub fn nth(kind: OpKind, nth: u64, error: InjectedError) -> FaultRule {
        FaultRule {
            kind,
            device: None,
            range: None,
            nth: nth.max(1),
            persistent: false,
            error,
            seen: 0,
        }
    }

    /// Every operation of `kind` on `device` touching `[start, end)` fails from now on.
    pub fn range(
        kind: OpKind,
        device: usize,
        start: u64,
        end: u64,
        error: InjectedError,
    ) -> FaultRule {
        FaultRule {
            kind,
            device: Some(device),
            range: Some((start, end)),
            nth: 1,
            persistent: true,
            error,
            seen: 0,
        }
    }

    fn matches(&mut self, kind: OpKind, device: usize, offset: u64, len: u64) -> bool {
        if kind != self.kind || self.device.is_some_and(|d| d != device) {
            return false;
        }
        if let Some((s, e)) = self.range {
            if offset >= e || offset + len <= s {
                return false;
            }
        }
        self.seen += 1;
        self.seen == self.nth || (self.persistent && self.seen > self.nth)
    }
}

/// What survives of the unflushed writes when power fails.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CrashPlan {
    /// Probability that each unflushed write reaches the disk anyway (0 drops them all).
    pub keep: f64,
    /// Surviving writes may land in any order, and later ones may survive while earlier
    /// ones are lost; otherwise the survivors are a prefix, applied in order.
    pub reorder: bool,
    /// One surviving write (or, if none, the first lost one) lands torn: only some of its
    /// 512-byte sectors reach the disk.
    pub tear: bool,
}

impl CrashPlan {
    /// Drops every write not covered by a flush.
    pub fn drop_all() -> CrashPlan {
        CrashPlan::default()
    }
}

/// One recorded operation, in issue order across the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpRecord {
    pub seq: u64,
    pub device: usize,
    pub kind: OpKind,
    pub offset: u64,
    pub len: u64,
    /// The written bytes, when the domain records data.
    pub data: Option<Arc<[u8]>>,
}

struct Unflushed {
    offset: u64,
    new: Arc<[u8]>,
    old: Vec<u8>,
}

struct DeviceSlot {
    inner: Arc<dyn BlockDevice>,
    unflushed: Vec<Unflushed>,
    flushes: u64,
    writes: u64,
}

struct DomainState {
    rng: u64,
    /// Counts writes, discards and flushes: the operations a crash point is chosen among.
    mutations: u64,
    crash_at: Option<u64>,
    plan: CrashPlan,
    crashed: bool,
    rules: Vec<FaultRule>,
    record_data: bool,
    log: Vec<OpRecord>,
    devices: Vec<DeviceSlot>,
}

/// The devices of one simulated machine, which lose power together.
pub struct FaultDomain {
    state: Mutex<DomainState>,
}

/// A [`BlockDevice`] whose I/O passes through a [`FaultDomain`].
pub struct FaultDevice {
    domain: Arc<FaultDomain>,
    index: usize,
    name: String,
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn dead() -> io::Error {
    io::Error::from_raw_os_error(libc::EIO)
}

impl FaultDomain {
    /// A domain whose random choices all derive from `seed`.
    pub fn new(seed: u64) -> Arc<FaultDomain> {
        Arc::new(FaultDomain {
            state: Mutex::new(DomainState {
                rng: seed,
                mutations: 0,
                crash_at: None,
                plan: CrashPlan::default(),
                crashed: false,
                rules: Vec::new(),
                record_data: false,
                log: Vec::new(),
                devices: Vec::new(),
            }),
        })
    }

    fn lock(&self) -> MutexGuard<'_, DomainState> {
        // A test that panicked mid-I/O leaves consistent state: every update is complete
        // before the guard drops, so poisoning carries no meaning here.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Wraps `inner` as the next device of this domain.
    pub fn add(self: &Arc<Self>, inner: Arc<dyn BlockDevice>) -> Arc<FaultDevice> {
        let name = format!("fault({})", inner.name());
        let mut st = self.lock();
        st.devices.push(DeviceSlot {
            inner,
            unflushed: Vec::new(),
            flushes: 0,
            writes: 0,
        });
        Arc::new(FaultDevice {
            domain: self.clone(),
            index: st.devices.len() - 1,
            name,
        })
    }

    /// A zero-filled in-memory device of `size` bytes in this domain.
    pub fn mem(self: &Arc<Self>, name: &str, size: u64) -> Arc<FaultDevice> {
        self.add(Arc::new(MemDevice::new(name, size)))
    }

    /// Keeps the bytes of every write in the log, for replay harnesses.
    pub fn record_data(&self, on: bool) {
        self.lock().record_data = on;
    }

    /// Every operation so far.
    pub fn log(&self) -> Vec<OpRecord> {
        self.lock().log.clone()
    }

    /// Writes, discards and flushes issued so far (the numbering crash points use).
    pub fn mutations(&self) -> u64 {
        self.lock().mutations
    }

    /// Flushes issued to device `index`.
    pub fn flushes(&self, index: usize) -> u64 {
        self.lock().devices.get(index).map_or(0, |d| d.flushes)
    }

    /// Writes issued to device `index`.
    pub fn writes(&self, index: usize) -> u64 {
        self.lock().devices.get(index).map_or(0, |d| d.writes)
    }

    /// Adds a rule failing chosen operations.
    pub fn inject(&self, rule: FaultRule) {
        self.lock().rules.push(rule);
    }

    /// Removes every fault rule.
    pub fn clear_faults(&self) {
        self.lock().rules.clear();
    }

    /// Power fails just before mutation number `n` (counting from 1 over the domain's
    /// life) would be issued; that operation and everything after fail with EIO.
    pub fn crash_at(&self, n: u64, plan: CrashPlan) {
        let mut st = self.lock();
        st.crash_at = Some(n);
        st.plan = plan;
    }

    /// Power fails at a mutation drawn from the next `window` ones, by the seed.
    pub fn crash_randomly_within(&self, window: u64, plan: CrashPlan) -> u64 {
        let mut st = self.lock();
        let at = st.mutations + 1 + splitmix(&mut st.rng) % window.max(1);
        st.crash_at = Some(at);
        st.plan = plan;
        at
    }

    /// Power fails now.
    pub fn crash_now(&self, plan: CrashPlan) {
        let mut st = self.lock();
        st.plan = plan;
        crash(&mut st);
    }

    /// Whether power has failed.
    pub fn crashed(&self) -> bool {
        self.lock().crashed
    }

    /// Powers the machine back on: I/O works again on what survived.
    pub fn revive(&self) {
        let mut st = self.lock();
        st.crashed = false;
        st.crash_at = None;
    }

    /// Begins an operation: applies crash points and fault rules.
    fn begin(
        &self,
        st: &mut DomainState,
        kind: OpKind,
        device: usize,
        offset: u64,
        len: u64,
    ) -> io::Result<()> {
        if st.crashed {
            return Err(dead());
        }
        if kind != OpKind::Read {
            st.mutations += 1;
            if st.crash_at.is_some_and(|at| st.mutations >= at) {
                crash(st);
                return Err(dead());
            }
        }
        for rule in st.rules.iter_mut() {
            if rule.matches(kind, device, offset, len) {
                return Err(rule.error.to_io());
            }
        }
        Ok(())
    }

    fn record(
        st: &mut DomainState,
        device: usize,
        kind: OpKind,
        offset: u64,
        len: u64,
        data: &[u8],
    ) {
        let seq = st.log.len() as u64;
        let data = (st.record_data && kind == OpKind::Write).then(|| Arc::from(data));
        st.log.push(OpRecord {
            seq,
            device,
            kind,
            offset,
            len,
            data,
        });
    }
}

/// Rolls back every unflushed write, then re-applies what the plan lets survive.
fn crash(st: &mut DomainState) {
    st.crashed = true;
    let plan = st.plan;
    let mut rng = st.rng;
    for dev in st.devices.iter_mut() {
        let pending = std::mem::take(&mut dev.unflushed);
        for w in pending.iter().rev() {
            // Restoring what was there is best effort: the inner device is memory or a
            // file in a test directory, and a failure here would show up as a test failure.
            let _ = dev.inner.write_at(&w.old, w.offset);
        }
        let mut survivors: Vec<usize> = Vec::new();
        let mut lost_first = None;
        for i in 0..pending.len() {
            let keep = plan.keep > 0.0 && (splitmix(&mut rng) % 1_000_000) as f64 / 1e6 < plan.keep;
            if keep && (plan.reorder || survivors.len() == i) {
                survivors.push(i);
            } else if lost_first.is_none() {
                lost_first = Some(i);
            }
        }
        if plan.reorder {
            for i in (1..survivors.len()).rev() {
                let j = (splitmix(&mut rng) % (i as u64 + 1)) as usize;
                survivors.swap(i, j);
            }
        }
        let torn = if plan.tear {
            survivors.last().copied().or(lost_first)
        } else {
            None
        };
        if let Some(t) = torn {
            if !survivors.contains(&t) {
                survivors.push(t);
            }
        }
        for &i in &survivors {
            let w = &pending[i];
            let sectors = w.new.len().div_ceil(512);
            let keep_len = if Some(i) == torn && sectors > 1 {
                let k = 1 + (splitmix(&mut rng) % (sectors as u64 - 1)) as usize;
                k * 512
            } else if Some(i) == torn {
                0
            } else {
                w.new.len()
            };
            let _ = dev.inner.write_at(&w.new[..keep_len], w.offset);
        }
    }
    st.rng = rng;
}

impl FaultDevice {
    /// This device's index in its domain.
    pub fn index(&self) -> usize {
        self.index
    }

    /// The domain it belongs to.
    pub fn domain(&self) -> &Arc<FaultDomain> {
        &self.domain
    }

    fn inner(st: &DomainState, index: usize) -> io::Result<Arc<dyn BlockDevice>> {
        st.devices
            .get(index)
            .map(|d| d.inner.clone())
            .ok_or_else(dead)
    }

    fn mutate(&self, kind: OpKind, offset: u64, data: &[u8], len: u64) -> io::Result<()> {
        let mut st = self.domain.lock();
        self.domain.begin(&mut st, kind, self.index, offset, len)?;
        let inner = Self::inner(&st, self.index)?;
        let mut old = vec![0u8; len as usize];
        inner.read_at(&mut old, offset)?;
        match kind {
            OpKind::Discard => inner.discard(offset, len)?,
            _ => inner.write_at(data, offset)?,
        }
        let new: Arc<[u8]> = if kind == OpKind::Discard {
            Arc::from(vec![0u8; len as usize])
        } else {
            Arc::from(data)
        };
        FaultDomain::record(&mut st, self.index, kind, offset, len, data);
        let dev = &mut st.devices[self.index];
        dev.writes += 1;
        dev.unflushed.push(Unflushed { offset, new, old });
        Ok(())
    }
}

impl BlockDevice for FaultDevice {
    fn len(&self) -> io::Result<u64> {
        let st = self.domain.lock();
        if st.crashed {
            return Err(dead());
        }
        Self::inner(&st, self.index)?.len()
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        let mut st = self.domain.lock();
        self.domain
            .begin(&mut st, OpKind::Read, self.index, offset, buf.len() as u64)?;
        Self::inner(&st, self.index)?.read_at(buf, offset)
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.mutate(OpKind::Write, offset, buf, buf.len() as u64)
    }

    fn flush(&self) -> io::Result<()> {
        let mut st = self.domain.lock();
        self.domain
            .begin(&mut st, OpKind::Flush, self.index, 0, 0)?;
        Self::inner(&st, self.index)?.flush()?;
        FaultDomain::record(&mut st, self.index, OpKind::Flush, 0, 0, &[]);
        let dev = &mut st.devices[self.index];
        dev.unflushed.clear();
        dev.flushes += 1;
        Ok(())
    }

    fn discard(&self, offset: u64, len: u64) -> io::Result<()> {
        self.mutate(OpKind::Discard, offset, &[], len)
    }

    fn name(&self) -> String {
        self.name.clone()
    }
}

#[cfg(test)]
#[path = "fault_tests.rs"]
mod tests;
