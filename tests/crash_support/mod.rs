//! Shared rig of the crash harness: PVs are in-memory images opened by path through
//! `Env::opener` (so the real metadata code runs on them, behind fault domains when a test
//! wants crashes), commands run in-process through `rvm::cli::run_in`, and the invariants
//! every recovered state must keep are checked here, independently of `meta::validate`.
#![allow(dead_code)]

use rvm::block::{BlockDevice, DeviceOpener, FaultDevice, FaultDomain};
use rvm::format::id::Id;
use rvm::meta::config::Config;
use rvm::meta::model::{Lv, Vg};
use rvm::meta::pvio;
use rvm::meta::{Env, View};
use std::collections::HashMap;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub const KIB: u64 = 1 << 10;
pub const MIB: u64 = 1 << 20;

/// Opens PVs by path from a fixed table, as a machine's device nodes would.
pub struct MapOpener(pub HashMap<PathBuf, Arc<dyn BlockDevice>>);

impl DeviceOpener for MapOpener {
    fn open(&self, path: &Path, _writable: bool) -> io::Result<Arc<dyn BlockDevice>> {
        self.0
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
}

/// A simulated machine: its PV paths (placeholder files, so that paths canonicalise), its
/// system and run directories. The PVs' contents live in whatever devices a test opens it
/// with, so one machine can be booted on many crash images.
pub struct Machine {
    pub dir: tempfile::TempDir,
    pub paths: Vec<PathBuf>,
    pub pv_size: u64,
}

impl Machine {
    /// `pvs` PVs of `pv_size` bytes, all listed in the devices list from the start (so a
    /// PV that pvcreate wrote is seen even if the crash came before the list was updated).
    pub fn new(pvs: usize, pv_size: u64) -> Machine {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        std::fs::create_dir_all(root.join("system")).unwrap();
        std::fs::create_dir_all(root.join("run")).unwrap();
        let paths: Vec<PathBuf> = (0..pvs)
            .map(|i| {
                let p = root.join(format!("pv{i}"));
                std::fs::write(&p, b"").unwrap();
                p
            })
            .collect();
        rvm::meta::devices::write(&root.join("system"), &paths).unwrap();
        Machine {
            dir,
            paths,
            pv_size,
        }
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().canonicalize().unwrap()
    }

    /// Blank PVs.
    pub fn blank(&self) -> Images {
        // One shared zero image: overlays never write to their base.
        let zero = Arc::new(vec![0u8; self.pv_size as usize]);
        Images((0..self.paths.len()).map(|_| zero.clone()).collect())
    }

    /// An environment whose PV `i` is `devs[i]`. Archives and backups are off: they are
    /// files beside the metadata, not part of what a crash can damage here.
    pub fn env(&self, devs: &[Arc<dyn BlockDevice>]) -> Env {
        let map = self
            .paths
            .iter()
            .cloned()
            .zip(devs.iter().cloned())
            .collect();
        let config = Config::parse("backup {\n archive = 0\n backup = 0\n}\n").unwrap();
        let mut env = Env::new(
            self.root().join("system"),
            self.root().join("run"),
            config,
            false,
        );
        env.opener = Arc::new(MapOpener(map));
        env
    }

    /// [`Machine::env`] with [`PROC_CONFIG`]: engine commits only where the work forces
    /// them, so that what a command writes does not depend on timing.
    pub fn proc_env(&self, devs: &[Arc<dyn BlockDevice>]) -> Env {
        let mut env = self.env(devs);
        env.config = Config::parse(PROC_CONFIG).unwrap();
        env
    }

    /// Index of the PV at `path`.
    pub fn index_of(&self, path: &Path) -> Option<usize> {
        self.paths.iter().position(|p| p == path)
    }

    /// The path of PV `i`, as a command-line argument.
    pub fn pv(&self, i: usize) -> String {
        self.paths[i].display().to_string()
    }
}

/// The contents of every PV of a machine at one moment, shared by the devices booted on
/// them (which copy only the blocks they write).
#[derive(Clone)]
pub struct Images(pub Vec<Arc<Vec<u8>>>);

impl Images {
    /// Devices starting from the images; writes stay private to each device.
    pub fn mem(&self) -> Vec<Arc<Overlay>> {
        self.0
            .iter()
            .enumerate()
            .map(|(i, b)| Arc::new(Overlay::new(&format!("pv{i}"), b.clone())))
            .collect()
    }

    /// The same, behind one fault domain.
    pub fn faulty(&self, dom: &Arc<FaultDomain>) -> Vec<Arc<FaultDevice>> {
        self.mem()
            .into_iter()
            .map(|d| dom.add(d as Arc<dyn BlockDevice>))
            .collect()
    }

    /// The current contents of `devs`.
    pub fn of<T: BlockDevice>(devs: &[Arc<T>]) -> Images {
        Images(
            devs.iter()
                .map(|d| {
                    let mut b = vec![0u8; d.len().unwrap() as usize];
                    d.read_at(&mut b, 0).unwrap();
                    Arc::new(b)
                })
                .collect(),
        )
    }
}

const OVERLAY_BLOCK: u64 = 4096;

/// A device over a shared image that keeps its own writes in 4 KiB blocks, so that booting
/// a machine on thousands of crash images copies almost nothing.
pub struct Overlay {
    name: String,
    base: Arc<Vec<u8>>,
    blocks: std::sync::RwLock<HashMap<u64, Box<[u8]>>>,
}

impl Overlay {
    pub fn new(name: &str, base: Arc<Vec<u8>>) -> Overlay {
        Overlay {
            name: name.to_string(),
            base,
            blocks: Default::default(),
        }
    }

    fn check(&self, offset: u64, len: usize) -> io::Result<()> {
        rvm::block::check_range(self.base.len() as u64, offset, len as u64)
            .map_err(|e| io::Error::new(io::ErrorKind::UnexpectedEof, e.to_string()))
    }
}

impl BlockDevice for Overlay {
    fn len(&self) -> io::Result<u64> {
        Ok(self.base.len() as u64)
    }

    fn read_at(&self, buf: &mut [u8], offset: u64) -> io::Result<()> {
        self.check(offset, buf.len())?;
        let blocks = self.blocks.read().unwrap();
        let mut done = 0usize;
        while done < buf.len() {
            let at = offset + done as u64;
            let b = at / OVERLAY_BLOCK;
            let within = (at % OVERLAY_BLOCK) as usize;
            let n = (OVERLAY_BLOCK as usize - within).min(buf.len() - done);
            let src = match blocks.get(&b) {
                Some(block) => &block[within..within + n],
                None => &self.base[at as usize..at as usize + n],
            };
            buf[done..done + n].copy_from_slice(src);
            done += n;
        }
        Ok(())
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> io::Result<()> {
        self.check(offset, buf.len())?;
        let mut blocks = self.blocks.write().unwrap();
        let mut done = 0usize;
        while done < buf.len() {
            let at = offset + done as u64;
            let b = at / OVERLAY_BLOCK;
            let within = (at % OVERLAY_BLOCK) as usize;
            let n = (OVERLAY_BLOCK as usize - within).min(buf.len() - done);
            let start = (b * OVERLAY_BLOCK) as usize;
            let block = blocks.entry(b).or_insert_with(|| {
                let end = (start + OVERLAY_BLOCK as usize).min(self.base.len());
                let mut v = self.base[start..end].to_vec();
                v.resize(OVERLAY_BLOCK as usize, 0);
                v.into_boxed_slice()
            });
            block[within..within + n].copy_from_slice(&buf[done..done + n]);
            done += n;
        }
        Ok(())
    }

    fn flush(&self) -> io::Result<()> {
        Ok(())
    }

    fn discard(&self, offset: u64, len: u64) -> io::Result<()> {
        self.write_at(&vec![0u8; len as usize], offset)
    }

    fn name(&self) -> String {
        self.name.clone()
    }
}

pub fn dyns<T: BlockDevice + 'static>(devs: &[Arc<T>]) -> Vec<Arc<dyn BlockDevice>> {
    devs.iter()
        .map(|d| d.clone() as Arc<dyn BlockDevice>)
        .collect()
}

/// Runs one command line in-process; Ok(stdout) or Err(the error line).
pub fn run(env: &Env, cmd: &str) -> Result<String, String> {
    let args: Vec<&str> = cmd.split_whitespace().collect();
    let mut out = Vec::new();
    match rvm::cli::run_in(env, &args, &mut out) {
        Ok(()) => Ok(String::from_utf8_lossy(&out).into_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// Runs a command that must succeed.
pub fn must(env: &Env, cmd: &str) -> String {
    run(env, cmd).unwrap_or_else(|e| panic!("{cmd}: {e}"))
}

/// What the metadata says, with the parts that legitimately differ between equal states
/// (seqno, device path hints) cleared.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub vgs: Vec<Vg>,
    pub orphans: Vec<Id>,
}

pub fn normalize(vg: &Vg) -> Vg {
    let mut v = vg.clone();
    v.seqno = 0;
    for pv in &mut v.pvs {
        pv.device = PathBuf::new();
    }
    v
}

impl State {
    pub fn of(view: &View) -> State {
        let mut vgs: Vec<Vg> = view.vgs.iter().map(normalize).collect();
        vgs.sort_by(|a, b| a.name.cmp(&b.name));
        let mut orphans: Vec<Id> = view.orphans.iter().map(|o| o.id).collect();
        orphans.sort();
        State { vgs, orphans }
    }

    pub fn vg(&self, name: &str) -> Option<&Vg> {
        self.vgs.iter().find(|v| v.name == name)
    }

    /// One line per VG and LV, for failure messages.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        for vg in &self.vgs {
            s += &format!("vg {} pvs {}:", vg.name, vg.pvs.len());
            for lv in &vg.lvs {
                s += &format!(" {}({}ext)", lv.name, lv.extent_count());
            }
            s += "; ";
        }
        s + &format!("orphans {}", self.orphans.len())
    }
}

/// A buffer whose every 8 bytes name what was written: (tag, offset), so any misplaced,
/// stale or torn byte is visible.
pub fn pattern(tag: u32, offset: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 8);
    let mut at = offset;
    while out.len() < len {
        let word = ((tag as u64) << 40) ^ at;
        out.extend_from_slice(&word.to_le_bytes());
        at += 8;
    }
    out.truncate(len);
    out
}

/// The devices backing each PV of `vg` (None for a missing PV or one not on this machine).
pub fn vg_devices(
    m: &Machine,
    vg: &Vg,
    devs: &[Arc<dyn BlockDevice>],
) -> Vec<Option<Arc<dyn BlockDevice>>> {
    vg.pvs
        .iter()
        .map(|p| {
            if p.missing {
                return None;
            }
            m.index_of(&p.device).map(|i| devs[i].clone())
        })
        .collect()
}

/// Writes `pattern(tag, ..)` over the whole of `lv`, straight to its extents, and flushes.
pub fn fill_lv(m: &Machine, vg: &Vg, lv: &Lv, devs: &[Arc<dyn BlockDevice>], tag: u32) {
    let by_pv = vg_devices(m, vg, devs);
    for piece in vg.lv_map(lv) {
        let dev = by_pv[piece.pv].as_ref().unwrap();
        dev.write_at(
            &pattern(tag, piece.lv_offset, piece.len as usize),
            piece.pv_offset,
        )
        .unwrap();
    }
    for d in by_pv.iter().flatten() {
        d.flush().unwrap();
    }
}

/// The whole of `lv`, read straight from its extents.
pub fn read_lv(
    m: &Machine,
    vg: &Vg,
    lv: &Lv,
    devs: &[Arc<dyn BlockDevice>],
) -> Result<Vec<u8>, String> {
    let by_pv = vg_devices(m, vg, devs);
    let mut out = vec![0u8; (lv.extent_count() * vg.extent_size) as usize];
    for piece in vg.lv_map(lv) {
        let dev = by_pv[piece.pv]
            .as_ref()
            .ok_or_else(|| format!("LV {} is on a missing PV", lv.name))?;
        let at = piece.lv_offset as usize;
        dev.read_at(&mut out[at..at + piece.len as usize], piece.pv_offset)
            .map_err(|e| format!("reading LV {}: {e}", lv.name))?;
    }
    Ok(out)
}

/// Which pattern fills each LV (by id), and over how many bytes; the rest must be zeros.
#[derive(Debug, Clone, Default)]
pub struct Contents(pub HashMap<Id, (u32, u64)>);

impl Contents {
    /// `lv` filled with a tag of its own, recorded here.
    pub fn fill(&mut self, m: &Machine, vg: &Vg, lv: &Lv, devs: &[Arc<dyn BlockDevice>]) {
        let tag = 100 + self.0.len() as u32;
        fill_lv(m, vg, lv, devs, tag);
        self.0
            .insert(lv.id, (tag, lv.extent_count() * vg.extent_size));
    }

    /// Every LV of `vg` reads its pattern where it was written and zeros elsewhere (an LV
    /// created or extended since reads zeros on its new extents, whoever used them before).
    pub fn check(&self, m: &Machine, vg: &Vg, devs: &[Arc<dyn BlockDevice>]) -> Result<(), String> {
        for lv in &vg.lvs {
            if lv.snapshot().is_some() {
                continue; // a snapshot's extents hold its exception store
            }
            let got = read_lv(m, vg, lv, devs)?;
            let (tag, written) = self.0.get(&lv.id).copied().unwrap_or((0, 0));
            let written = written.min(got.len() as u64) as usize;
            let want = pattern(tag, 0, written);
            if got[..written] != want[..] {
                let at = (0..written)
                    .step_by(512)
                    .find(|&at| {
                        let end = (at + 512).min(written);
                        got[at..end] != want[at..end]
                    })
                    .unwrap_or(0);
                return Err(format!(
                    "LV {}/{}: byte {at} does not hold what was written (tag {tag})",
                    vg.name, lv.name
                ));
            }
            if let Some(at) = got[written..].iter().position(|&b| b != 0) {
                return Err(format!(
                    "LV {}/{}: byte {} should read as zero (never written) but does not",
                    vg.name,
                    lv.name,
                    written + at
                ));
            }
        }
        Ok(())
    }
}

/// The invariants of a loaded VG, checked without `meta::validate`: every segment lies in
/// its PV's data area as that PV's own label describes it, segments are contiguous, and
/// every extent has at most one owner.
pub fn check_vg_invariants(
    m: &Machine,
    vg: &Vg,
    devs: &[Arc<dyn BlockDevice>],
) -> Result<(), String> {
    let by_pv = vg_devices(m, vg, devs);
    let mut owner: Vec<Vec<Option<usize>>> = Vec::new();
    for (i, pv) in vg.pvs.iter().enumerate() {
        if let Some(dev) = &by_pv[i] {
            let labels = pvio::read_labels(dev.as_ref()).map_err(|e| e.to_string())?;
            let label = labels
                .best
                .ok_or_else(|| format!("PV {} of VG {} has no label", pv.id, vg.name))?;
            if label.pv_id != pv.id {
                return Err(format!("PV {} carries the label of {}", pv.id, label.pv_id));
            }
            let end = pv.pe_start + pv.pe_count * vg.extent_size;
            if pv.pe_start != label.layout.pe_start || end > label.layout.data_end {
                return Err(format!(
                    "PV {}: the VG maps extents {}..{end} but the label's data area is {}..{}",
                    pv.id, pv.pe_start, label.layout.pe_start, label.layout.data_end
                ));
            }
        }
        owner.push(vec![None; pv.pe_count as usize]);
    }
    for (li, lv) in vg.lvs.iter().enumerate() {
        let mut next = 0;
        for s in &lv.segments {
            if s.lv_start != next {
                return Err(format!("LV {}: segments are not contiguous", lv.name));
            }
            next += s.count;
            let map = owner
                .get_mut(s.pv)
                .ok_or_else(|| format!("LV {} names PV #{}", lv.name, s.pv))?;
            for e in s.pv_start..s.pv_start + s.count {
                match map.get_mut(e as usize) {
                    None => return Err(format!("LV {}: extent {e} is beyond its PV", lv.name)),
                    Some(Some(other)) => {
                        return Err(format!(
                            "extent {e} of PV #{} is owned by {} and {}",
                            s.pv, vg.lvs[*other].name, lv.name
                        ))
                    }
                    Some(slot) => *slot = Some(li),
                }
            }
        }
    }
    Ok(())
}

/// What each 512-byte sector of a volume may hold after a power failure, for a client that
/// waits for each reply: the tag of its last durable write, or of a write issued after it.
/// Tags name writes of `pattern(tag, ..)`; tag 0 is what was there at the start.
#[derive(Debug, Clone)]
pub struct SectorModel {
    pub durable: Vec<u32>,
    pub since: Vec<Vec<u32>>,
}

impl SectorModel {
    pub const SECTOR: usize = 512;

    pub fn new(bytes: u64) -> SectorModel {
        let n = bytes as usize / Self::SECTOR;
        SectorModel {
            durable: vec![0; n],
            since: vec![Vec::new(); n],
        }
    }

    fn range(off: u64, len: usize) -> std::ops::Range<usize> {
        off as usize / Self::SECTOR..(off as usize + len) / Self::SECTOR
    }

    /// A write was sent: from now on it may be on disk, acknowledged or not.
    pub fn issued(&mut self, off: u64, len: usize, tag: u32) {
        for s in Self::range(off, len) {
            self.since[s].push(tag);
        }
    }

    /// A write with FUA was acknowledged: it is durable, and nothing older can reappear.
    pub fn durable_write(&mut self, off: u64, len: usize, tag: u32) {
        for s in Self::range(off, len) {
            self.durable[s] = tag;
            self.since[s].clear();
        }
    }

    /// A flush was acknowledged: every write acknowledged before it is durable.
    pub fn flushed(&mut self) {
        for (d, s) in self.durable.iter_mut().zip(self.since.iter_mut()) {
            if let Some(&t) = s.last() {
                *d = t;
            }
            s.clear();
        }
    }

    /// Checks a volume image; `base` is the tag-0 content. Returns the first bad sector.
    pub fn check(&self, got: &[u8], base: &[u8]) -> Result<(), String> {
        for (i, sec) in got.chunks(Self::SECTOR).enumerate() {
            let at = (i * Self::SECTOR) as u64;
            let holds = |tag: u32| {
                if tag == 0 {
                    sec == &base[i * Self::SECTOR..(i + 1) * Self::SECTOR]
                } else {
                    sec == &pattern(tag, at, Self::SECTOR)[..]
                }
            };
            if !holds(self.durable[i]) && !self.since[i].iter().any(|&t| holds(t)) {
                return Err(format!(
                    "sector {i} holds neither its durable write (tag {}) nor a later one {:?}",
                    self.durable[i], self.since[i]
                ));
            }
        }
        Ok(())
    }
}

/// The configuration a [`Proc`] boots with: no archives or backups (files beside the
/// metadata, not part of what a crash can damage here), and engine group commits only where
/// the workload forces them (a flush, FUA, a snapshot operation, a merge), never on the
/// timer, so that a seed replays the very same writes.
pub const PROC_CONFIG: &str = "backup {\n archive = 0\n backup = 0\n}\n\
     activation {\n rvm_commit_interval_ms = 3600000\n}\n";

/// A process of a simulated machine that keeps its VGs open as the daemon does: commands
/// run in-process (`cli::run`) against its persistent hosts, so they stay coherent with the
/// volumes it hands out by LV name; a merge runs in the process's open family.
pub struct Proc {
    pub env: Env,
    pub hosts: rvm::host::Hosts,
    vols: std::cell::RefCell<HashMap<String, Arc<rvm::host::LvVolume>>>,
}

impl Proc {
    /// Boots on `devs` (PV `i` of the machine is `devs[i]`).
    pub fn boot(m: &Machine, devs: &[Arc<dyn BlockDevice>]) -> Proc {
        let mut env = m.proc_env(devs);
        let hosts = rvm::host::Hosts::persistent();
        env.observer = Some(rvm::host::HostProvider::observer(&hosts));
        Proc {
            env,
            hosts,
            vols: Default::default(),
        }
    }

    /// Runs one command line in this process; Ok(stdout) or Err(the error line).
    pub fn cmd(&self, line: &str) -> Result<String, String> {
        use clap::Parser;
        let argv = std::iter::once("rvm").chain(line.split_whitespace());
        let cli = rvm::cli::args::Cli::try_parse_from(argv).map_err(|e| e.to_string())?;
        let ctx = rvm::cli::Ctx {
            env: &self.env,
            hosts: &self.hosts,
            exports: &rvm::daemon::exports::DirectSink,
            interactive: false,
            config_text: None,
            prompt: &rvm::cli::NoPrompt,
            default_vg: None,
        };
        let mut out = Vec::new();
        let r = rvm::cli::run(cli.cmd, &ctx, &mut out);
        let done = rvm::host::HostProvider::finish(&self.hosts);
        for w in done.warnings {
            self.env.warn(w);
        }
        r.map(|_| String::from_utf8_lossy(&out).into_owned())
            .map_err(|e| e.to_string())
    }

    pub fn host(&self, vg: &str) -> Result<Arc<rvm::host::VgHost>, String> {
        rvm::host::HostProvider::host(&self.hosts, &self.env, vg).map_err(|e| e.to_string())
    }

    /// The VG as this process's host last saw it committed.
    pub fn vg(&self, vg: &str) -> Result<Vg, String> {
        Ok(self.host(vg)?.vg())
    }

    /// `vg` as read from the PVs, before any host opens it (and resumes or repairs anything).
    pub fn loaded_vg(&self, vg: &str) -> Result<Vg, String> {
        let view = self
            .env
            .read_all()
            .map_err(|e| format!("the VGs do not load: {e}"))?;
        view.vgs
            .into_iter()
            .find(|v| v.name == vg)
            .ok_or_else(|| format!("VG {vg} is gone"))
    }

    /// The volume of `vg/lv`, opened on first use (an origin's family resumes its merge).
    pub fn volume(&self, vg: &str, lv: &str) -> Result<Arc<rvm::host::LvVolume>, String> {
        let key = format!("{vg}/{lv}");
        if let Some(v) = self.vols.borrow().get(&key) {
            if !v.is_gone() {
                return Ok(v.clone());
            }
        }
        let v = self
            .host(vg)?
            .volume(&self.env, lv)
            .map_err(|e| format!("opening {key}: {e}"))?;
        self.vols.borrow_mut().insert(key, v.clone());
        Ok(v)
    }

    /// Whether snapshot `vg/lv` is valid, as its open engine says (None if not open).
    pub fn valid(&self, vg: &Vg, lv: &str) -> Option<bool> {
        let lv = vg.lv(lv)?;
        let live = rvm::host::HostProvider::live(&self.hosts, vg, lv)?;
        live.status.map(|s| s.valid)
    }

    /// Waits until snapshot `vg/snap` is gone (its merge finished), `stop` says to give up
    /// (power failed), or a minute passes. True if it finished.
    pub fn wait_merged(
        &self,
        vg: &str,
        snap: &str,
        stop: impl Fn() -> bool,
    ) -> Result<bool, String> {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
        let host = self.host(vg)?;
        loop {
            if host.vg().lv(snap).is_none() {
                return Ok(true);
            }
            if stop() {
                return Ok(false);
            }
            if std::time::Instant::now() > until {
                return Err(format!(
                    "the merge of {vg}/{snap} did not finish in a minute"
                ));
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
    }

    /// Resumes every recorded merge of `vg` (by opening its origin) and waits for it.
    pub fn finish_merges(&self, vg: &str, stop: impl Fn() -> bool) -> Result<(), String> {
        let model = self.vg(vg)?;
        for lv in &model.lvs {
            let Some(info) = lv.snapshot().filter(|i| i.merging) else {
                continue;
            };
            let origin = model
                .lv_by_id(&info.origin)
                .ok_or_else(|| format!("merging snapshot {} has no origin", lv.name))?;
            self.volume(vg, &origin.name)?;
            if !self.wait_merged(vg, &lv.name, &stop)? {
                return Err(format!("stopped while {vg}/{} was merging", lv.name));
            }
        }
        Ok(())
    }

    /// A clean shutdown: every open volume flushed in name order (so the writes come in
    /// the same order on every run), then every host closed. After a power failure it
    /// fails, but it still stops every engine thread: nothing of this process may touch
    /// the disks once the machine boots again.
    pub fn shutdown(self) -> Result<(), String> {
        let mut vols: Vec<(String, Arc<rvm::host::LvVolume>)> =
            self.vols.borrow_mut().drain().collect();
        vols.sort_by(|a, b| a.0.cmp(&b.0));
        let mut first = None;
        for (name, v) in &vols {
            if v.is_gone() {
                continue;
            }
            if let Err(e) = rvm::engine::Volume::flush(v.as_ref()) {
                first.get_or_insert(format!("flushing {name}: {e}"));
            }
        }
        drop(vols);
        let done = self.hosts.close_all();
        if let Some(e) = done.error {
            first.get_or_insert(format!("closing: {e}"));
        }
        match first {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }
}

impl Drop for Proc {
    /// A process dropped without `shutdown` (an early return, a panic) still stops its
    /// engines, so that no thread of it flushes onto the disks of the next boot.
    fn drop(&mut self) {
        self.vols.borrow_mut().clear();
        let _ = self.hosts.close_all();
    }
}

/// Which write of `pattern(tag, ..)` a 512-byte sector at volume offset `off` holds (0 for
/// zeros), or None for anything else (garbage, a misplaced or torn sector).
pub fn tag_of(sec: &[u8], off: u64) -> Option<u32> {
    if sec.iter().all(|&b| b == 0) {
        return Some(0);
    }
    let mut w = [0u8; 8];
    w.copy_from_slice(&sec[..8]);
    let tag = ((u64::from_le_bytes(w) ^ off) >> 40) as u32;
    (tag != 0 && sec == &pattern(tag, off, sec.len())[..]).then_some(tag)
}

/// The outcomes a sweep tries at one cut point of a write log: nothing unflushed kept,
/// everything kept, every subset of the pending writes when there are at most four (else
/// six random mixes, some reordered), and torn prefixes. The first two come first.
pub fn outcomes(
    cut: &rvm::block::Cut<'_>,
    rng: &mut rvm::block::SplitMix,
) -> Vec<(String, Vec<rvm::block::Survivor>)> {
    let mut out = vec![
        ("nothing unflushed kept".to_string(), cut.drop_all()),
        ("everything kept".to_string(), cut.keep_all()),
    ];
    match cut.all_subsets(4) {
        Some(all) => {
            for (i, s) in all.into_iter().enumerate() {
                out.push((format!("subset #{i}"), s));
            }
        }
        None => {
            for i in 0..6 {
                let chaos = rvm::block::Chaos {
                    keep: 0.5,
                    tear: 0.2,
                    reorder: i % 3 == 2,
                };
                out.push((format!("random #{i}"), cut.random(rng, chaos)));
            }
        }
    }
    for (i, s) in cut.torn_prefixes(3).into_iter().enumerate() {
        out.push((format!("torn #{i}"), s));
    }
    out
}
