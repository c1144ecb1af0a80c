//! Every snapshot operation, crashed at each of its writes, discards and flushes in turn:
//! `lvcreate -s`, `lvremove` of a snapshot (one whose chunks another snapshot borrows, and
//! one that only borrows), of an origin with its snapshots, `lvextend` of an origin with
//! snapshots, and merges: from their start (the merge recorded in the VG, then in the store's
//! header) through every copy to the commit that removes the merged snapshot, and a merge
//! interrupted before it copied anything, resumed to that finish.
//!
//! Each operation runs once, as the CLI runs it without the daemon (`run_in`, its own
//! transient host), on fault devices that log what it writes; then for every cut point of
//! that log the crash states it can leave (see `crash_support::outcomes`) are rebuilt on
//! fresh devices and booted. Booting loads the VG, runs vgck, checks that every extent has
//! at most one owner, resumes and finishes any recorded merge, and reads every LV through
//! its engine. What it finds must be the state before the operation or after it, content
//! included: every snapshot its exact point in time, every origin and linear LV its data
//! (a merged origin the snapshot's). A snapshot whose creation was cut short may also come
//! back invalid (its reads fail), never with other content. A command that returned is
//! never undone. The recovery itself is then crashed at each of its writes (two crash
//! plans), and the state after booting once more is checked again.
//!
//! `RVM_SWEEP_SEED` changes the random outcomes; a failure prints the seed, the operation,
//! the cut point and the outcome.

mod crash_support;
use crash_support::*;
use rvm::block::{BlockDevice, CrashPlan, FaultDomain, FaultRule, InjectedError, OpKind};
use rvm::block::{SplitMix, WriteLog};
use rvm::engine::{Volume, VolumeError};
use std::collections::BTreeMap;
use std::sync::Arc;

const PV_SIZE: u64 = 4 * MIB;

/// What a booted machine shows of one LV.
#[derive(Clone, PartialEq)]
struct LvState {
    extents: u64,
    /// A snapshot's origin.
    origin: Option<String>,
    /// Its content through its engine; None for an invalid snapshot (its reads fail).
    data: Option<Vec<u8>>,
}

type State = BTreeMap<String, LvState>;

fn describe(s: &State) -> String {
    let mut out = Vec::new();
    for (n, l) in s {
        let what = match (&l.origin, &l.data) {
            (Some(o), Some(_)) => format!("snapshot of {o}"),
            (Some(o), None) => format!("invalid snapshot of {o}"),
            (None, _) => "LV".into(),
        };
        out.push(format!("{n}({} ext, {what})", l.extents));
    }
    out.join(" ")
}

/// Where two states differ, for failure messages.
fn difference(got: &State, want: &State) -> String {
    if got.keys().ne(want.keys()) {
        return format!("LVs are {}, not {}", describe(got), describe(want));
    }
    for (n, g) in got {
        let w = &want[n];
        if g.extents != w.extents || g.origin != w.origin {
            return format!("LV {n} is {}, not {}", describe(got), describe(want));
        }
        match (&g.data, &w.data) {
            (None, Some(_)) => return format!("snapshot {n} is invalid"),
            (Some(_), None) => return format!("snapshot {n} is valid"),
            (Some(a), Some(b)) => {
                if let Some(i) = (0..a.len().min(b.len()))
                    .step_by(512)
                    .find(|&i| a[i..i + 512] != b[i..i + 512])
                {
                    let sec = &a[i..i + 512];
                    return format!(
                        "LV {n}: sector {} holds {}",
                        i / 512,
                        tag_of(sec, i as u64).map_or("garbage".into(), |t| format!("tag {t}"))
                    );
                }
                if a.len() != b.len() {
                    return format!("LV {n} is {} bytes, not {}", a.len(), b.len());
                }
            }
            (None, None) => {}
        }
    }
    "no difference".into()
}

/// Boots a process on `devs` and checks what every recovered state must keep: the VG loads,
/// vgck passes, every extent has at most one owner, and recorded merges resume and finish
/// (until `stop`, when power fails in a crashed recovery). Returns what every LV holds.
fn boot(
    m: &Machine,
    devs: &[Arc<dyn BlockDevice>],
    stop: &dyn Fn() -> bool,
) -> Result<State, String> {
    let p = Proc::boot(m, devs);
    let vg = p.loaded_vg("vg")?;
    check_vg_invariants(m, &vg, devs)?;
    run(&p.env, "vgck").map_err(|e| format!("vgck fails: {e}"))?;
    p.finish_merges("vg", stop)?;
    let vg = p.vg("vg")?;
    check_vg_invariants(m, &vg, devs)?;
    let mut state = State::new();
    let mut names: Vec<String> = vg.lvs.iter().map(|l| l.name.clone()).collect();
    names.sort();
    for n in names {
        let lv = vg.lv(&n).unwrap();
        let origin = lv
            .snapshot()
            .map(|i| vg.lv_by_id(&i.origin).map(|o| o.name.clone()))
            .map(|o| o.ok_or(format!("snapshot {n} has no origin")))
            .transpose()?;
        let vol = p.volume("vg", &n)?;
        let mut buf = vec![0u8; vol.size() as usize];
        let data = match (vol.read_at(&mut buf, 0), &origin) {
            (Ok(()), _) => Some(buf),
            (Err(VolumeError::Invalid), Some(_)) => {
                if p.valid(&vg, &n) != Some(false) {
                    return Err(format!("snapshot {n} fails its reads but is not invalid"));
                }
                None
            }
            (Err(e), _) => return Err(format!("reading {n}: {e}")),
        };
        state.insert(
            n,
            LvState {
                extents: lv.extent_count(),
                origin,
                data,
            },
        );
    }
    p.shutdown()?;
    Ok(state)
}

/// Runs one command as the CLI does without the daemon.
fn cli(m: &Machine, devs: &[Arc<dyn BlockDevice>], cmd: &str) -> Result<String, String> {
    run(&m.proc_env(devs), cmd)
}

fn expand(m: &Machine, cmd: &str) -> String {
    let mut s = cmd.to_string();
    for i in 0..m.paths.len() {
        s = s.replace(&format!("{{p{i}}}"), &m.pv(i));
    }
    s
}

/// The machine every scenario starts from: an origin `o` with a writable snapshot `s1`
/// (with writes of its own, in chunks it copied and in a chunk it borrowed) and a
/// read-only `s2` taken later, from whose store `s1` borrows the chunks that the writes
/// after `s2` copied once for both; and a linear LV `l`. Everything is flushed.
fn base(m: &Machine) -> Images {
    let mem = m.blank().mem();
    let devs = dyns(&mem);
    for cmd in [
        "pvcreate --metadatasize 16k {p0} {p1} {p2}",
        "vgcreate -s 64k vg {p0} {p1} {p2}",
        "lvcreate -l 2 -n o vg",
        "lvcreate -l 2 -n l vg",
    ] {
        cli(m, &devs, &expand(m, cmd)).unwrap();
    }
    let p = Proc::boot(m, &devs);
    let write = |lv: &str, tag: u32, off: u64, len: u64| {
        let v = p.volume("vg", lv).unwrap();
        v.write_at(&pattern(tag, off, len as usize), off, false)
            .unwrap();
    };
    write("o", 1, 0, 128 * KIB);
    write("l", 9, 0, 128 * KIB);
    p.cmd("lvcreate -s -l 100%ORIGIN -c 4k -n s1 vg/o").unwrap();
    write("o", 2, 0, 64 * KIB);
    p.cmd("lvcreate -s -l 100%ORIGIN -c 4k -p r -n s2 vg/o")
        .unwrap();
    write("o", 3, 32 * KIB, 96 * KIB);
    write("s1", 4, 8 * KIB, 8 * KIB);
    write("s1", 5, 100 * KIB, 4 * KIB);
    p.shutdown().unwrap();
    Images::of(&mem)
}

/// What `base` leaves in each LV, worked out from the writes it made.
fn base_contents() -> BTreeMap<&'static str, Vec<u8>> {
    let image = |runs: &[(u32, u64, u64)]| {
        let mut b = vec![0u8; 128 * KIB as usize];
        for &(tag, off, len) in runs {
            b[off as usize..(off + len) as usize].copy_from_slice(&pattern(tag, off, len as usize));
        }
        b
    };
    BTreeMap::from([
        (
            "o",
            image(&[(1, 0, 128 * KIB), (2, 0, 64 * KIB), (3, 32 * KIB, 96 * KIB)]),
        ),
        (
            "s1",
            image(&[
                (1, 0, 128 * KIB),
                (4, 8 * KIB, 8 * KIB),
                (5, 100 * KIB, 4 * KIB),
            ]),
        ),
        ("s2", image(&[(1, 0, 128 * KIB), (2, 0, 64 * KIB)])),
        ("l", image(&[(9, 0, 128 * KIB)])),
    ])
}

/// A merge of `s1` recorded and interrupted before it copied anything: started in the
/// background while every write to the origin's extents fails, so the merge stops at its
/// first copy and the command's host closes with it unfinished.
fn merge_interrupted(m: &Machine, start: &Images) -> Images {
    let dom = FaultDomain::new(3);
    let devs = start.faulty(&dom);
    let dyn_devs = dyns(&devs);
    let env = m.proc_env(&dyn_devs);
    let vg = env.read_vg("vg").unwrap();
    let o = vg.lv("o").unwrap();
    for piece in vg.lv_map(o) {
        let dev = m.index_of(&vg.pvs[piece.pv].device).unwrap();
        dom.inject(FaultRule::range(
            OpKind::Write,
            dev,
            piece.pv_offset,
            piece.pv_offset + piece.len,
            InjectedError::Eio,
        ));
    }
    // Its host's close reports the failed copy: the command may fail, the merge is recorded.
    let _ = cli(m, &dyn_devs, "lvconvert --merge -b vg/s1");
    dom.clear_faults();
    let images = Images::of(&devs);
    let vg = m.proc_env(&dyns(&images.mem())).read_vg("vg").unwrap();
    assert!(
        vg.lv("s1")
            .and_then(|l| l.snapshot())
            .is_some_and(|i| i.merging),
        "the interrupted merge is recorded"
    );
    images
}

struct Scenario {
    name: &'static str,
    op: &'static str,
    /// The setup beyond the base, from the base's images.
    prepare: Option<fn(&Machine, &Images) -> Images>,
    /// The snapshot this operation creates, which a cut-short creation may leave invalid.
    creates: Option<&'static str>,
    /// What the operation does to the base state (worked out here, not observed).
    predict: fn(State) -> State,
}

fn without(mut s: State, lvs: &[&str]) -> State {
    for lv in lvs {
        s.remove(*lv).unwrap();
    }
    s
}

fn predict_snapshot(mut s: State) -> State {
    let o = s["o"].clone();
    let store = rvm::engine::max_store_bytes(o.extents * 64 * KIB, 4 * KIB).div_ceil(64 * KIB);
    s.insert(
        "s3".into(),
        LvState {
            extents: store,
            origin: Some("o".into()),
            data: o.data,
        },
    );
    s
}

fn predict_extend(mut s: State) -> State {
    s.get_mut("o").unwrap().extents += 2;
    for lv in ["o", "s1", "s2"] {
        let l = s.get_mut(lv).unwrap();
        // The new tail reads as zeros through the origin and its snapshots.
        l.data.as_mut().unwrap().resize(256 * KIB as usize, 0);
    }
    s
}

fn predict_merge(mut s: State) -> State {
    let image = s["s1"].data.clone();
    s.get_mut("o").unwrap().data = image;
    without(s, &["s1"])
}

#[derive(Default)]
struct Tally {
    crash_states: u64,
    recovery_crashes: u64,
}

/// What every recovered state is checked against.
struct Expect {
    allowed: Vec<State>,
    after: State,
}

impl Expect {
    fn check(&self, got: &State) -> Result<(), String> {
        if self.allowed.contains(got) {
            return Ok(());
        }
        Err(format!(
            "recovered to a state that is neither before nor after: {}",
            self.allowed
                .iter()
                .map(|a| difference(got, a))
                .collect::<Vec<_>>()
                .join("; or ")
        ))
    }
}

/// Crashes the recovery of `images` at each of its mutations (dropping every unflushed
/// write, or keeping, reordering and tearing some, in turn), then boots again and checks.
fn crash_the_recovery(
    m: &Machine,
    images: &Images,
    ex: &Expect,
    seed: u64,
    tally: &mut Tally,
) -> Result<(), String> {
    let dom = FaultDomain::new(seed);
    let devs = images.faulty(&dom);
    boot(m, &dyns(&devs), &|| false)?;
    let writes = dom.mutations();
    for k in 1..=writes {
        // One crash plan per write, in turn: a merge's recovery has many writes.
        let plan = if k % 2 == 1 {
            CrashPlan::drop_all()
        } else {
            CrashPlan {
                keep: 0.5,
                reorder: true,
                tear: true,
            }
        };
        {
            let dom = FaultDomain::new(seed ^ (k << 8));
            let devs = images.faulty(&dom);
            dom.crash_at(k, plan);
            let _ = boot(m, &dyns(&devs), &|| dom.crashed());
            if !dom.crashed() {
                dom.crash_now(plan);
            }
            dom.revive();
            tally.recovery_crashes += 1;
            let got = boot(m, &dyns(&devs), &|| false)
                .map_err(|e| format!("after a crash at write {k} of the recovery: {e}"))?;
            ex.check(&got)
                .map_err(|e| format!("after a crash at write {k} of the recovery: {e}"))?;
        }
    }
    Ok(())
}

fn seed() -> u64 {
    std::env::var("RVM_SWEEP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

fn sweep(sc: &Scenario) {
    let seed = seed();
    let m = Machine::new(3, PV_SIZE);
    let mut start = base(&m);
    let base_state = boot(&m, &dyns(&start.mem()), &|| false).unwrap();
    for (lv, want) in base_contents() {
        assert!(
            base_state[lv].data.as_ref() == Some(&want),
            "{}: the base machine's {lv} does not hold what was written",
            sc.name
        );
    }
    if let Some(prepare) = sc.prepare {
        start = prepare(&m, &start);
    }
    let before = boot(&m, &dyns(&start.mem()), &|| false).unwrap();
    // The operation, once, on a recording fault domain.
    let dom = FaultDomain::new(seed);
    dom.record_data(true);
    let devs = start.faulty(&dom);
    cli(&m, &dyns(&devs), sc.op).unwrap_or_else(|e| panic!("{}: {e}", sc.name));
    let log = WriteLog::from_records(&dom.log()).unwrap();
    let after = boot(&m, &dyns(&Images::of(&devs).mem()), &|| false).unwrap();
    let predicted = (sc.predict)(base_state);
    assert!(
        after == predicted,
        "{}: the operation did not do what it should: {}",
        sc.name,
        difference(&after, &predicted)
    );
    let mut allowed = vec![before.clone(), after.clone()];
    if let Some(s) = sc.creates {
        let mut invalid = after.clone();
        invalid.get_mut(s).unwrap().data = None;
        allowed.push(invalid);
    }
    let ex = Expect { allowed, after };
    let mut tally = Tally::default();
    let mut rng = SplitMix(seed);
    for n in 0..=log.len() {
        let cut = log.cut(n);
        for (i, (what, survivors)) in outcomes(&cut, &mut rng).into_iter().enumerate() {
            let fail = |e: String| -> ! {
                panic!(
                    "RVM_SWEEP_SEED={seed}: `{}` crashed after {n} of its {} writes/flushes, {what}: {e}",
                    sc.name,
                    log.len()
                )
            };
            let booted = start.mem();
            cut.apply(&dyns(&booted), &survivors).unwrap();
            tally.crash_states += 1;
            let images = Images::of(&booted);
            match boot(&m, &dyns(&booted), &|| false) {
                Err(e) => fail(e),
                Ok(got) => {
                    if let Err(e) = ex.check(&got) {
                        fail(e);
                    }
                    if n == log.len() && got != ex.after {
                        fail(format!(
                            "the command returned, yet the crash undid it: {}",
                            difference(&got, &ex.after)
                        ));
                    }
                }
            }
            if i < 2 {
                if let Err(e) = crash_the_recovery(&m, &images, &ex, seed ^ n as u64, &mut tally) {
                    fail(e);
                }
            }
        }
    }
    eprintln!(
        "{}: {} writes/flushes, {} crash states, {} crashes during recovery",
        sc.name,
        log.len(),
        tally.crash_states,
        tally.recovery_crashes
    );
    assert!(log.len() > 3, "{}: too few writes to sweep", sc.name);
}

#[test]
fn snapshot_create_survives_a_crash_at_every_write() {
    sweep(&Scenario {
        name: "lvcreate -s",
        op: "lvcreate -s -l 100%ORIGIN -c 4k -n s3 vg/o",
        prepare: None,
        creates: Some("s3"),
        predict: predict_snapshot,
    });
}

#[test]
fn removing_a_snapshot_others_borrow_from_survives_a_crash_at_every_write() {
    sweep(&Scenario {
        name: "lvremove of a snapshot others borrow from",
        op: "lvremove -f vg/s2",
        prepare: None,
        creates: None,
        predict: |s| without(s, &["s2"]),
    });
}

#[test]
fn removing_a_snapshot_survives_a_crash_at_every_write() {
    sweep(&Scenario {
        name: "lvremove of a snapshot",
        op: "lvremove -f vg/s1",
        prepare: None,
        creates: None,
        predict: |s| without(s, &["s1"]),
    });
}

#[test]
fn removing_an_origin_with_snapshots_survives_a_crash_at_every_write() {
    sweep(&Scenario {
        name: "lvremove of an origin with its snapshots",
        op: "lvremove -f vg/o",
        prepare: None,
        creates: None,
        predict: |s| without(s, &["o", "s1", "s2"]),
    });
}

#[test]
fn extending_an_origin_with_snapshots_survives_a_crash_at_every_write() {
    sweep(&Scenario {
        name: "lvextend of an origin with snapshots",
        op: "lvextend -l +2 vg/o",
        prepare: None,
        creates: None,
        predict: predict_extend,
    });
}

/// From its start (the VG's record, the store's header) through every copy to the commit
/// that removes the merged snapshot.
#[test]
fn a_merge_survives_a_crash_at_every_write() {
    sweep(&Scenario {
        name: "lvconvert --merge",
        op: "lvconvert --merge -i 0 vg/s1",
        prepare: None,
        creates: None,
        predict: predict_merge,
    });
}

/// A merge recorded, then interrupted before it copied anything, resumed by
/// `lvconvert --merge` again: every copy, then the commit that removes the snapshot.
#[test]
fn merge_finish_survives_a_crash_at_every_write() {
    sweep(&Scenario {
        name: "lvconvert --merge (resumed to its finish)",
        op: "lvconvert --merge -i 0 vg/s1",
        prepare: Some(merge_interrupted),
        creates: None,
        predict: predict_merge,
    });
}
