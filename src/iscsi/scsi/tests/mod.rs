//! Command-level tests: CDBs in, Data-In, status and sense checked byte for byte, against
//! an in-memory volume (the frontends may not touch `crate::block`, even in tests).

mod fuzz;
mod inquiry;
mod luns;
mod mode;
mod pr;
mod rw;
mod thin;

use super::{ItNexus, LunSettings, Nexus, Outcome, ScsiCommand, ScsiStatus, TargetLuns, TaskAttr};
use crate::engine::{check_bounds, BlockExtent, Volume, VolumeError, VolumeResult, ZeroFlags};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// Allocation granularity of [`MemVolume`], for block status.
const CHUNK: u64 = 4096;

/// A volume in memory that tracks which 4 KiB chunks hold data.
pub struct MemVolume {
    data: Mutex<(Vec<u8>, Vec<bool>)>,
    size: AtomicU64,
    pub read_only: AtomicBool,
    pub flushes: AtomicUsize,
    pub fua_writes: AtomicUsize,
    pub fail_reads: AtomicBool,
    /// When on, every read and write is logged (thread, is_write) in the order the data
    /// lock saw them.
    pub log_ops: AtomicBool,
    pub ops: Mutex<Vec<(std::thread::ThreadId, bool)>>,
}

impl MemVolume {
    pub fn new(size: u64) -> Arc<MemVolume> {
        Arc::new(MemVolume {
            data: Mutex::new((
                vec![0; size as usize],
                vec![false; size.div_ceil(CHUNK) as usize],
            )),
            size: AtomicU64::new(size),
            read_only: AtomicBool::new(false),
            flushes: AtomicUsize::new(0),
            fua_writes: AtomicUsize::new(0),
            fail_reads: AtomicBool::new(false),
            log_ops: AtomicBool::new(false),
            ops: Mutex::new(Vec::new()),
        })
    }

    pub fn grow(&self, size: u64) {
        let mut d = self.data.lock().unwrap();
        d.0.resize(size as usize, 0);
        d.1.resize(size.div_ceil(CHUNK) as usize, false);
        self.size.store(size, Ordering::Release);
    }

    fn note(&self, write: bool) {
        if self.log_ops.load(Ordering::Relaxed) {
            self.ops
                .lock()
                .unwrap()
                .push((std::thread::current().id(), write));
        }
    }

    pub fn bytes(&self, offset: u64, len: usize) -> Vec<u8> {
        self.data.lock().unwrap().0[offset as usize..offset as usize + len].to_vec()
    }
}

impl Volume for MemVolume {
    fn size(&self) -> u64 {
        self.size.load(Ordering::Acquire)
    }
    fn read_only(&self) -> bool {
        self.read_only.load(Ordering::Acquire)
    }
    fn identity(&self) -> [u8; 32] {
        *b"Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z"
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> VolumeResult<()> {
        check_bounds(self.size(), offset, buf.len() as u64)?;
        if self.fail_reads.load(Ordering::Acquire) {
            return Err(VolumeError::Io(std::io::Error::from_raw_os_error(
                libc::EIO,
            )));
        }
        let d = self.data.lock().unwrap();
        self.note(false);
        buf.copy_from_slice(&d.0[offset as usize..offset as usize + buf.len()]);
        drop(d);
        if self.log_ops.load(Ordering::Relaxed) {
            // Widen the window between a read and whatever follows it.
            std::thread::sleep(std::time::Duration::from_micros(20));
        }
        Ok(())
    }
    fn write_at(&self, buf: &[u8], offset: u64, fua: bool) -> VolumeResult<()> {
        if self.read_only() {
            return Err(VolumeError::ReadOnly);
        }
        check_bounds(self.size(), offset, buf.len() as u64)?;
        let mut d = self.data.lock().unwrap();
        self.note(true);
        d.0[offset as usize..offset as usize + buf.len()].copy_from_slice(buf);
        for c in offset / CHUNK..(offset + buf.len() as u64).div_ceil(CHUNK) {
            d.1[c as usize] = true;
        }
        if fua {
            self.fua_writes.fetch_add(1, Ordering::Relaxed);
        }
        Ok(())
    }
    fn flush(&self) -> VolumeResult<()> {
        self.flushes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
    fn discard(&self, offset: u64, len: u64) -> VolumeResult<()> {
        check_bounds(self.size(), offset, len)?;
        let mut d = self.data.lock().unwrap();
        d.0[offset as usize..(offset + len) as usize].fill(0);
        for c in offset.div_ceil(CHUNK)..(offset + len) / CHUNK {
            d.1[c as usize] = false;
        }
        Ok(())
    }
    fn write_zeroes(&self, offset: u64, len: u64, _flags: ZeroFlags) -> VolumeResult<()> {
        self.discard(offset, len)
    }
    fn block_status(&self, offset: u64, len: u64) -> VolumeResult<Vec<BlockExtent>> {
        check_bounds(self.size(), offset, len)?;
        let d = self.data.lock().unwrap();
        let mut out: Vec<BlockExtent> = Vec::new();
        let mut at = offset;
        while at < offset + len {
            let end = ((at / CHUNK + 1) * CHUNK).min(offset + len);
            let hole = !d.1[(at / CHUNK) as usize];
            match out.last_mut() {
                Some(l) if l.hole == hole => l.len += end - at,
                _ => out.push(BlockExtent {
                    len: end - at,
                    hole,
                    zero: hole,
                }),
            }
            at = end;
        }
        Ok(out)
    }
}

/// A target with one LUN (0) over a [`MemVolume`] and one logged-in nexus.
pub struct Rig {
    pub target: TargetLuns,
    pub vol: Arc<MemVolume>,
    pub nexus: Arc<ItNexus>,
}

pub const BLOCKS: u64 = 2048;

pub fn nexus(name: &str, isid: u64) -> Nexus {
    Nexus {
        initiator: name.to_string(),
        isid,
        tpgt: 1,
    }
}

impl Rig {
    pub fn new() -> Rig {
        Rig::with(LunSettings::default())
    }

    pub fn with(settings: LunSettings) -> Rig {
        let target = TargetLuns::new("iqn.2026-11.org.example:t1");
        let vol = MemVolume::new(BLOCKS * 512);
        target.add_lun(0, vol.clone(), settings).unwrap();
        let nexus = target.login(nexus("iqn.2026-11.org.example:host1", 0x23d000000001));
        let rig = Rig { target, vol, nexus };
        rig.clear_ua(&rig.nexus);
        rig
    }

    /// A second session (another initiator), with its power-on UA already consumed.
    pub fn second(&self) -> Arc<ItNexus> {
        let n = self
            .target
            .login(nexus("iqn.2026-11.org.example:host2", 0x23d000000002));
        self.clear_ua(&n);
        n
    }

    /// Sends TEST UNIT READY until it reports no unit attention.
    pub fn clear_ua(&self, n: &ItNexus) {
        for _ in 0..16 {
            let o = self.run_on(n, &[0x00, 0, 0, 0, 0, 0], &[], 0).0;
            if o.sense.is_none_or(|s| s.key() != 6) {
                return;
            }
        }
        panic!("unit attentions never cleared");
    }

    pub fn run(&self, cdb: &[u8], data_out: &[u8], expect_in: u32) -> (Outcome, Vec<u8>) {
        self.run_on(&self.nexus, cdb, data_out, expect_in)
    }

    pub fn run_on(
        &self,
        n: &ItNexus,
        cdb: &[u8],
        data_out: &[u8],
        expect_in: u32,
    ) -> (Outcome, Vec<u8>) {
        self.run_lun(n, 0, cdb, data_out, expect_in)
    }

    pub fn run_lun(
        &self,
        n: &ItNexus,
        lun: u64,
        cdb: &[u8],
        data_out: &[u8],
        expect_in: u32,
    ) -> (Outcome, Vec<u8>) {
        let mut buf = Vec::new();
        let cmd = ScsiCommand {
            lun: super::encode_lun(lun),
            cdb,
            data_out,
            expected_data_in: expect_in,
            nexus: n,
            attr: TaskAttr::Simple,
        };
        let out = self.target.execute(&cmd, &mut buf);
        (out, buf)
    }

    /// Runs a command that must succeed, returning its Data-In.
    pub fn ok(&self, cdb: &[u8], data_out: &[u8], expect_in: u32) -> Vec<u8> {
        let (o, d) = self.run(cdb, data_out, expect_in);
        assert_eq!(o.status, ScsiStatus::Good, "{:02x?}: {:?}", cdb, o.sense);
        d
    }
}

/// (sense key, ASC, ASCQ) of a CHECK CONDITION.
pub fn sense(o: &Outcome) -> (u8, u8, u8) {
    assert_eq!(
        o.status,
        ScsiStatus::CheckCondition,
        "expected CHECK CONDITION"
    );
    let s = o.sense.as_ref().expect("sense data");
    let (a, q) = s.asc_ascq();
    (s.key(), a, q)
}

pub fn cdb10(op: u8, flags: u8, lba: u32, len: u16) -> Vec<u8> {
    let mut c = vec![op, flags, 0, 0, 0, 0, 0, 0, 0, 0];
    c[2..6].copy_from_slice(&lba.to_be_bytes());
    c[7..9].copy_from_slice(&len.to_be_bytes());
    c
}

pub fn cdb16(op: u8, flags: u8, lba: u64, len: u32) -> Vec<u8> {
    let mut c = vec![op, flags, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    c[2..10].copy_from_slice(&lba.to_be_bytes());
    c[10..14].copy_from_slice(&len.to_be_bytes());
    c
}

pub const LBA_OUT_OF_RANGE: (u8, u8, u8) = (5, 0x21, 0);
pub const INVALID_FIELD_IN_CDB: (u8, u8, u8) = (5, 0x24, 0);
pub const INVALID_FIELD_IN_PARAMETER_LIST: (u8, u8, u8) = (5, 0x26, 0);
pub const PARAMETER_LIST_LENGTH_ERROR: (u8, u8, u8) = (5, 0x1a, 0);
pub const WRITE_PROTECTED: (u8, u8, u8) = (7, 0x27, 0);
pub const INVALID_OPCODE: (u8, u8, u8) = (5, 0x20, 0);
