//! Damaged metadata, one bit at a time: every bit of a PV's label sectors and of the
//! newest VG record's header sector is flipped in turn, and random bits are flipped in
//! random sets of metadata copies. rvm must load exactly the VG it committed from a good
//! copy (and repair the bad one), fall back to the previous commit only when no copy of
//! the newest survives, and with no valid copy left refuse with a message that names
//! vgcfgrestore — which then brings the VG back. It never loads a wrong map.

mod crash_support;
use crash_support::*;
use rvm::block::{BlockDevice, SplitMix};
use rvm::format::block::HEADER_LEN;
use rvm::format::label::Label;
use rvm::format::layout::Layout;
use rvm::meta::pvio::{self, SlotState};
use std::sync::Arc;

const PV_SIZE: u64 = 4 * MIB;

struct Fixture {
    m: Machine,
    images: Images,
    /// The state after the last commit, and after the one before it.
    now: State,
    prev: State,
    layout: Layout,
}

fn fixture(backups: bool) -> Fixture {
    let m = Machine::new(2, PV_SIZE);
    let devs = m.blank().mem();
    let env = m.env(&dyns(&devs));
    let mut env = env;
    if backups {
        env.config = rvm::meta::config::Config::default();
    }
    must(
        &env,
        &format!("pvcreate --metadatasize 16k {} {}", m.pv(0), m.pv(1)),
    );
    must(&env, &format!("vgcreate -s 64k vg {} {}", m.pv(0), m.pv(1)));
    must(&env, "lvcreate -l 20 -n a vg");
    let prev = State::of(&env.read_all().unwrap());
    must(&env, "lvcreate -l 30 -n b vg");
    let now = State::of(&env.read_all().unwrap());
    let layout = pvio::read_labels(devs[0].as_ref())
        .unwrap()
        .best
        .unwrap()
        .layout;
    Fixture {
        images: Images::of(&devs),
        m,
        now,
        prev,
        layout,
    }
}

fn flip(dev: &dyn BlockDevice, byte: u64, bit: u8) {
    let mut b = [0u8];
    dev.read_at(&mut b, byte).unwrap();
    dev.write_at(&[b[0] ^ (1 << bit)], byte).unwrap();
}

/// Boots on `devs` and returns the state, or the error line.
fn boot(m: &Machine, devs: &[Arc<dyn BlockDevice>]) -> Result<State, String> {
    let env = m.env(devs);
    let view = env.read_all().map_err(|e| e.to_string())?;
    env.read_vg("vg").map_err(|e| e.to_string())?;
    Ok(State::of(&view))
}

/// Every bit of a 512-byte sector at `at` on PV 0, flipped alone: the VG loads unchanged,
/// vgck passes once the load repaired it, and the sector is whole again.
fn sweep_sector(f: &Fixture, at: u64, what: &str, reread: impl Fn(&dyn BlockDevice) -> bool) {
    let mut damaged_seen = 0;
    for bit in 0..512 * 8u64 {
        let devs = f.images.mem();
        flip(devs[0].as_ref(), at + bit / 8, (bit % 8) as u8);
        let was_whole = reread(devs[0].as_ref());
        if !was_whole {
            damaged_seen += 1;
        }
        let d = dyns(&devs);
        let got = boot(&f.m, &d).unwrap_or_else(|e| panic!("{what}, bit {bit} flipped: {e}"));
        assert!(
            got == f.now,
            "{what}, bit {bit} flipped: loaded a different VG: {}",
            got.describe()
        );
        run(&f.m.env(&d), "vgck vg").unwrap_or_else(|e| panic!("{what}, bit {bit}: vgck: {e}"));
        assert!(
            reread(devs[0].as_ref()),
            "{what}, bit {bit} flipped: not repaired"
        );
    }
    // The checksum covers the whole structure: flips inside it are all noticed.
    assert!(damaged_seen > 0, "{what}: no flip was noticed at all");
}

#[test]
fn every_bit_of_the_head_label_sector() {
    let f = fixture(false);
    sweep_sector(&f, 0, "head label", |d| {
        let mut b = vec![0u8; 4096];
        d.read_at(&mut b, 0).unwrap();
        Label::decode(&b, 0).is_ok()
    });
}

#[test]
fn every_bit_of_the_tail_label_sector() {
    let f = fixture(false);
    let at = f.layout.tail_label;
    sweep_sector(&f, at, "tail label", move |d| {
        let mut b = vec![0u8; 4096];
        d.read_at(&mut b, at).unwrap();
        Label::decode(&b, at).is_ok()
    });
}

/// The slot of PV 0's head area holding the newest record, and its seqno.
fn newest_head_slot(f: &Fixture, dev: &dyn BlockDevice) -> (u64, u64) {
    let slots = f.layout.slots();
    (0..2)
        .filter_map(
            |i| match pvio::read_slot(dev, slots[i], f.layout.slot_size).unwrap() {
                SlotState::Valid { record, .. } => Some((slots[i], record.seqno)),
                _ => None,
            },
        )
        .max_by_key(|&(_, s)| s)
        .unwrap()
}

#[test]
fn every_bit_of_the_newest_record_header_sector() {
    let f = fixture(false);
    let devs = f.images.mem();
    let (at, seqno) = newest_head_slot(&f, devs[0].as_ref());
    let size = f.layout.slot_size;
    sweep_sector(&f, at, "newest VG record", move |d| {
        matches!(pvio::read_slot(d, at, size).unwrap(),
            SlotState::Valid { record, .. } if record.seqno >= seqno)
    });
}

/// Where the copies are: (PV, slot offset, seqno, record length) for every valid slot.
fn copies(f: &Fixture, devs: &[Arc<Overlay>]) -> Vec<(usize, u64, u64, usize)> {
    let mut out = Vec::new();
    for (p, d) in devs.iter().enumerate() {
        for at in f.layout.slots() {
            if let SlotState::Valid { .. } =
                pvio::read_slot(d.as_ref(), at, f.layout.slot_size).unwrap()
            {
                let mut h = vec![0u8; HEADER_LEN];
                d.read_at(&mut h, at).unwrap();
                let len = rvm::format::block::peek_len(rvm::format::block::VG_RECORD, &h).unwrap();
                let seqno = match pvio::read_slot(d.as_ref(), at, f.layout.slot_size).unwrap() {
                    SlotState::Valid { record, .. } => record.seqno,
                    _ => unreachable!(),
                };
                out.push((p, at, seqno, len));
            }
        }
    }
    out
}

#[test]
fn random_bits_in_random_sets_of_copies() {
    let f = fixture(true);
    let cases: u64 = std::env::var("RVM_BITFLIP_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(400);
    let all = copies(&f, &f.images.mem());
    let newest = all.iter().map(|c| c.2).max().unwrap();
    assert_eq!(
        all.len(),
        8,
        "two copies of two seqnos in each of four areas"
    );
    let (mut to_now, mut to_prev, mut refused) = (0, 0, 0);
    for case in 0..cases {
        let mut rng = SplitMix(case);
        let devs = f.images.mem();
        // Damage a random set of copies; the last cases damage all of them.
        let mask = if case % 20 == 19 {
            0xff
        } else {
            rng.below(256)
        };
        for (i, &(p, at, _, len)) in all.iter().enumerate() {
            if mask & (1 << i) == 0 {
                continue;
            }
            for _ in 0..1 + rng.below(16) {
                let byte = rng.below(len as u64);
                flip(devs[p].as_ref(), at + byte, rng.below(8) as u8);
            }
        }
        let intact = |seqno: u64| {
            all.iter()
                .enumerate()
                .any(|(i, c)| c.2 == seqno && mask & (1 << i) == 0)
        };
        let d = dyns(&devs);
        let got = boot(&f.m, &d);
        let what = format!("case {case} (copies damaged: {mask:#010b})");
        if intact(newest) {
            assert!(got.as_ref() == Ok(&f.now), "{what}: {got:?}");
            to_now += 1;
        } else if intact(newest - 1) {
            // Indistinguishable from a crash in the middle of the last commit.
            assert!(got.as_ref() == Ok(&f.prev), "{what}: {got:?}");
            to_prev += 1;
        } else {
            let e = got.expect_err(&what);
            assert!(e.contains("vgcfgrestore"), "{what}: {e}");
            let env = f.m.env(&d);
            for cmd in ["lvcreate -l 1 -n x vg", "vgs vg", "lvs vg"] {
                let e = run(&env, cmd).expect_err(cmd);
                assert!(
                    e.contains("vgcfgrestore") || e.contains("not found"),
                    "{cmd}: {e}"
                );
            }
            // Its PVs are not handed out as free.
            let e = run(&env, &format!("vgcreate -s 64k other {}", f.m.pv(0))).unwrap_err();
            assert!(e.contains("vgcfgrestore"), "{e}");
            let e = run(&env, &format!("pvcreate --metadatasize 16k {}", f.m.pv(1))).unwrap_err();
            assert!(e.contains("vgcfgrestore"), "{e}");
            // The backup brings it back, whole.
            must(&env, "vgcfgrestore vg");
            let back = boot(&f.m, &d).unwrap_or_else(|e| panic!("{what}: after restore: {e}"));
            assert!(back == f.now, "{what}: restored {}", back.describe());
            must(&env, "vgck vg");
            refused += 1;
        }
    }
    eprintln!("{cases} cases: {to_now} loaded the newest copy, {to_prev} the previous commit, {refused} refused and were restored");
    assert!(to_now > 0 && to_prev > 0 && refused > 0);
}
