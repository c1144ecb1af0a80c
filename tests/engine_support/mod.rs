//! Shared rig for the engine's tests: PVs in memory (optionally behind a fault domain), an
//! in-memory metadata host that allocates from one PV, and byte models of every volume.
#![allow(dead_code)]

use rvm::block::{BlockDevice, FaultDomain, MemDevice};
use rvm::engine::{
    EngineSettings, HostError, MetadataHost, Origin, OriginSpec, Piece, SnapshotSpec, Volume,
};
use rvm::format::id::Id;
use rvm::meta::model::SnapshotInfo;
use std::sync::{Arc, Mutex};

pub const MIB: u64 = 1 << 20;

/// The VG the host keeps: which snapshot LVs exist, their maps, their merge flags.
pub struct HostModel {
    pub pv: Arc<dyn BlockDevice>,
    /// Next free byte of the PV (a bump allocator: nothing in these tests frees space
    /// that a later allocation must reuse, except where a test does so on purpose).
    pub next_free: u64,
    pub pv_size: u64,
    pub snaps: Vec<SnapshotSpec>,
    pub extends: u32,
    pub finished: Vec<Id>,
}

/// An in-memory metadata host: its "commits" are instant and always durable.
pub struct TestHost {
    pub model: Mutex<HostModel>,
}

impl TestHost {
    pub fn alloc(&self, len: u64) -> Option<Piece> {
        let mut m = self.model.lock().unwrap();
        if m.next_free + len > m.pv_size {
            return None;
        }
        let p = Piece {
            device: m.pv.clone(),
            lv_offset: 0,
            dev_offset: m.next_free,
            len,
        };
        m.next_free += len;
        Some(p)
    }

    pub fn specs(&self) -> Vec<SnapshotSpec> {
        self.model.lock().unwrap().snaps.clone()
    }
}

impl MetadataHost for TestHost {
    fn extend_snapshot(&self, snapshot: &Id, extra: u64) -> Result<Vec<Piece>, HostError> {
        let extra = extra.div_ceil(MIB) * MIB;
        let mut piece = self.alloc(extra).ok_or("VG is full")?;
        let mut m = self.model.lock().unwrap();
        m.extends += 1;
        let s = m
            .snaps
            .iter_mut()
            .find(|s| s.id == *snapshot)
            .ok_or("no such snapshot")?;
        piece.lv_offset = s.pieces.iter().map(|p| p.len).sum();
        s.pieces.push(piece);
        Ok(s.pieces.clone())
    }

    fn merge_started(&self, snapshot: &Id) -> Result<(), HostError> {
        let mut m = self.model.lock().unwrap();
        let s = m
            .snaps
            .iter_mut()
            .find(|s| s.id == *snapshot)
            .ok_or("no such snapshot")?;
        s.info.merging = true;
        Ok(())
    }

    fn merge_finished(&self, snapshot: &Id) -> Result<(), HostError> {
        let mut m = self.model.lock().unwrap();
        m.snaps.retain(|s| s.id != *snapshot);
        m.finished.push(*snapshot);
        Ok(())
    }
}

/// An origin on one PV, its host and the settings used to open it.
pub struct Rig {
    pub pv: Arc<dyn BlockDevice>,
    pub host: Arc<TestHost>,
    pub origin: OriginSpec,
    pub settings: EngineSettings,
    pub next_store_id: u32,
}

impl Rig {
    /// An origin of `origin_size` bytes at the start of a PV of `pv_size` bytes.
    pub fn new(pv: Arc<dyn BlockDevice>, origin_size: u64) -> Rig {
        let pv_size = pv.len().unwrap();
        let host = Arc::new(TestHost {
            model: Mutex::new(HostModel {
                pv: pv.clone(),
                next_free: origin_size,
                pv_size,
                snaps: Vec::new(),
                extends: 0,
                finished: Vec::new(),
            }),
        });
        // Two pieces, so the origin's map is not one trivial run.
        let half = origin_size / 2;
        let origin = OriginSpec {
            id: Id::random(),
            pieces: vec![
                Piece {
                    device: pv.clone(),
                    lv_offset: half,
                    dev_offset: 0,
                    len: origin_size - half,
                },
                Piece {
                    device: pv.clone(),
                    lv_offset: 0,
                    dev_offset: origin_size - half,
                    len: half,
                },
            ],
            read_only: false,
        };
        Rig {
            pv,
            host,
            origin,
            settings: EngineSettings::default(),
            next_store_id: 1,
        }
    }

    pub fn mem(pv_size: u64, origin_size: u64) -> Rig {
        Rig::new(Arc::new(MemDevice::new("pv", pv_size)), origin_size)
    }

    pub fn faulty(dom: &Arc<FaultDomain>, pv_size: u64, origin_size: u64) -> Rig {
        Rig::new(dom.mem("pv", pv_size), origin_size)
    }

    pub fn open(&self) -> Origin {
        Origin::open(
            self.origin.clone(),
            self.host.specs(),
            self.settings.clone(),
            self.host.clone(),
        )
        .unwrap()
    }

    /// Allocates a store in the host model ("lvcreate -s" committing the LV), then has
    /// the engine initialise it.
    pub fn snapshot(
        &mut self,
        origin: &Origin,
        store_bytes: u64,
        chunk: u64,
        read_only: bool,
    ) -> rvm::engine::SnapshotVolume {
        let spec = self.snapshot_spec(store_bytes, chunk, read_only);
        origin.create_snapshot(spec).unwrap()
    }

    pub fn snapshot_spec(&mut self, store_bytes: u64, chunk: u64, read_only: bool) -> SnapshotSpec {
        let piece = self.host.alloc(store_bytes).expect("PV has room");
        let spec = SnapshotSpec {
            id: Id::random(),
            info: SnapshotInfo {
                origin: self.origin.id,
                chunk_size: chunk,
                store_id: self.next_store_id,
                merging: false,
            },
            pieces: vec![piece],
            read_only,
        };
        self.next_store_id += 1;
        self.host.model.lock().unwrap().snaps.push(spec.clone());
        spec
    }

    /// Removes a snapshot as lvremove does: engine first, then the VG.
    pub fn remove(&self, origin: &Origin, id: &Id) {
        origin.remove_snapshot(id).unwrap();
        self.host
            .model
            .lock()
            .unwrap()
            .snaps
            .retain(|s| s.id != *id);
    }
}

/// A deterministic generator for test data and choices.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// A buffer whose every 8 bytes name what was written: (tag, offset) so any misplaced or
/// stale byte is visible in a failure.
pub fn pattern(tag: u32, offset: u64, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len);
    let mut at = offset;
    while out.len() < len {
        let word = ((tag as u64) << 40) ^ at;
        out.extend_from_slice(&word.to_le_bytes());
        at += 8;
    }
    out.truncate(len);
    out
}

pub fn read_all(v: &dyn Volume) -> Vec<u8> {
    let mut b = vec![0u8; v.size() as usize];
    v.read_at(&mut b, 0).unwrap();
    b
}

/// Compares two images 4 KiB block by block, naming the first block that differs.
pub fn assert_same(what: &str, got: &[u8], want: &[u8]) {
    assert_eq!(got.len(), want.len(), "{what}: size");
    for (i, (g, w)) in got.chunks(4096).zip(want.chunks(4096)).enumerate() {
        assert!(g == w, "{what}: block {i} (byte {}) differs", i * 4096);
    }
}
