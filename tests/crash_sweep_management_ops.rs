//! Every management operation, crashed at each of its writes, discards and flushes in turn:
//! the operation runs once on fault devices that log what it writes; then, for every cut
//! point of that log, the crash states it can leave (nothing unflushed kept, everything
//! kept, every subset of the unflushed writes when they are few, torn writes, random
//! mixes) are rebuilt on fresh devices and booted. Each must load, pass vgck, give every
//! extent at most one owner, keep every LV's data, read zeros where nothing was written,
//! and be the state before the operation or after it (or, for the commands that first
//! initialise new PVs, the state with those PVs initialised). The recovery itself is then
//! crashed at each of its writes, and the state after the second recovery is checked again.
//!
//! `RVM_SWEEP_SEED` changes the random outcomes; a failure prints the seed, the operation,
//! the cut point and the outcome.

mod crash_support;
use crash_support::*;
use rvm::block::{BlockDevice, CrashPlan, FaultDomain, SplitMix, WriteLog};
use std::sync::Arc;

const PV_SIZE: u64 = 4 * MIB;

/// Which recovered states an operation may leave.
#[derive(Clone, Copy)]
enum Allowed {
    /// Exactly the state before or after.
    BeforeOrAfter,
    /// Also: the VG as before, with the PVs the operation initialised as orphans.
    NewPvsFirst(&'static str),
}

struct Scenario {
    name: &'static str,
    /// Setup commands (`{pN}` stands for PV N's path); LVs are filled after each lvcreate.
    setup: &'static [&'static str],
    op: &'static str,
    allowed: Allowed,
    /// The VG a follow-up lvcreate must work in after recovery.
    vg: &'static str,
}

/// Three PVs in `vg` (32 extents of 64 KiB each); LVs a, c, and a hole where b was, whose
/// extents still hold b's data.
const BASE: &[&str] = &[
    "pvcreate --metadatasize 16k {p0} {p1} {p2}",
    "vgcreate -s 64k vg {p0} {p1} {p2}",
    "lvcreate -l 20 -n a vg",
    "lvcreate -l 20 -n b vg",
    "lvcreate -l 10 -n c vg",
    "lvremove -f vg/b",
];

const SCENARIOS: &[Scenario] = &[
    Scenario {
        name: "pvcreate",
        setup: BASE,
        op: "pvcreate --metadatasize 16k {p3}",
        allowed: Allowed::BeforeOrAfter,
        vg: "vg",
    },
    Scenario {
        name: "vgcreate",
        setup: BASE,
        op: "vgcreate -s 64k --metadatasize 16k vg2 {p3}",
        allowed: Allowed::NewPvsFirst("vg2"),
        vg: "vg",
    },
    Scenario {
        name: "vgextend",
        setup: BASE,
        op: "vgextend --metadatasize 16k vg {p3}",
        allowed: Allowed::NewPvsFirst("vg"),
        vg: "vg",
    },
    Scenario {
        name: "vgreduce",
        setup: BASE,
        op: "vgreduce vg {p2}",
        allowed: Allowed::BeforeOrAfter,
        vg: "vg",
    },
    Scenario {
        name: "lvcreate",
        setup: BASE,
        // 36 extents: no free run holds them, so they span b's old extents on p0 and p1
        // and a piece of p2.
        op: "lvcreate -l 36 -n d vg",
        allowed: Allowed::BeforeOrAfter,
        vg: "vg",
    },
    Scenario {
        name: "lvextend",
        setup: BASE,
        op: "lvextend -l +30 vg/c",
        allowed: Allowed::BeforeOrAfter,
        vg: "vg",
    },
    Scenario {
        name: "lvremove",
        setup: BASE,
        op: "lvremove -f vg/a",
        allowed: Allowed::BeforeOrAfter,
        vg: "vg",
    },
    Scenario {
        name: "pvresize shrink",
        setup: BASE,
        // p2 holds no extents: 32 extents down to 28 (the tail area and label move).
        op: "pvresize --setphysicalvolumesize 3840k {p2}",
        allowed: Allowed::BeforeOrAfter,
        vg: "vg",
    },
    Scenario {
        name: "pvresize grow",
        setup: &[
            "pvcreate --metadatasize 16k {p0} {p1} {p2}",
            "vgcreate -s 64k vg {p0} {p1} {p2}",
            "lvcreate -l 20 -n a vg",
            "pvresize --setphysicalvolumesize 3840k {p2}",
            "lvcreate -l 60 -n b vg",
        ],
        op: "pvresize {p2}",
        allowed: Allowed::BeforeOrAfter,
        vg: "vg",
    },
];

fn expand(m: &Machine, cmd: &str) -> String {
    let mut s = cmd.to_string();
    for i in 0..m.paths.len() {
        s = s.replace(&format!("{{p{i}}}"), &m.pv(i));
    }
    s
}

fn seed() -> u64 {
    std::env::var("RVM_SWEEP_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1)
}

/// What every recovered state is checked against.
struct Expect {
    before: State,
    after: State,
    allowed: Allowed,
    contents: Contents,
    vg: &'static str,
}

impl Expect {
    fn allows(&self, got: &State) -> bool {
        if *got == self.before || *got == self.after {
            return true;
        }
        match self.allowed {
            Allowed::BeforeOrAfter => false,
            Allowed::NewPvsFirst(vg) => {
                // The VG as before, and the joining PVs initialised but in no VG.
                let joining: Vec<_> = self
                    .after
                    .vg(vg)
                    .map(|v| v.pvs.iter().map(|p| p.id).collect())
                    .unwrap_or_default();
                let old: Vec<_> = self
                    .before
                    .vg(vg)
                    .map(|v| v.pvs.iter().map(|p| p.id).collect())
                    .unwrap_or_default();
                let mut orphans = self.before.orphans.clone();
                orphans.extend(joining.into_iter().filter(|id| !old.contains(id)));
                orphans.sort();
                got.vgs == self.before.vgs && got.orphans == orphans
            }
        }
    }
}

/// Boots the machine on `devs`: loads (repairing), runs vgck, and checks every invariant.
fn recover(m: &Machine, devs: &[Arc<dyn BlockDevice>], ex: &Expect) -> Result<State, String> {
    let env = m.env(devs);
    let view = env
        .read_all()
        .map_err(|e| format!("the VGs do not load: {e}"))?;
    run(&env, "vgck").map_err(|e| format!("vgck fails: {e}"))?;
    for vg in &view.vgs {
        check_vg_invariants(m, vg, devs)?;
        ex.contents.check(m, vg, devs)?;
    }
    let state = State::of(&view);
    if !ex.allows(&state) {
        return Err(format!(
            "recovered to a state that is neither before nor after:\n  got    {}\n  before {}\n  after  {}",
            state.describe(),
            ex.before.describe(),
            ex.after.describe()
        ));
    }
    Ok(state)
}

/// After recovery the VG still takes changes, and a new LV reads zeros.
fn follow_up(m: &Machine, devs: &[Arc<dyn BlockDevice>], ex: &Expect) -> Result<(), String> {
    let env = m.env(devs);
    let Ok(vg) = env.read_vg(ex.vg) else {
        return Ok(()); // a VG the crash never let exist
    };
    if rvm::meta::ops::vg_free_extents(&vg) == 0 {
        return Ok(());
    }
    run(&env, &format!("lvcreate -l 1 -n probe {}", ex.vg))
        .map_err(|e| format!("lvcreate after recovery: {e}"))?;
    let vg = env.read_vg(ex.vg).map_err(|e| e.to_string())?;
    ex.contents.check(m, &vg, devs)?;
    run(&env, &format!("lvremove -f {}/probe", ex.vg))
        .map_err(|e| format!("lvremove after recovery: {e}"))?;
    Ok(())
}

#[derive(Default)]
struct Tally {
    crash_states: u64,
    recovery_crashes: u64,
}

/// Crashes the recovery of `images` at each of its mutations, then boots again and checks.
fn crash_the_recovery(
    m: &Machine,
    images: &Images,
    ex: &Expect,
    seed: u64,
    tally: &mut Tally,
) -> Result<(), String> {
    let dom = FaultDomain::new(seed);
    let devs = images.faulty(&dom);
    {
        let env = m.env(&dyns(&devs));
        let _ = env.read_all();
        let _ = run(&env, "vgck");
    }
    let writes = dom.mutations();
    for k in 1..=writes {
        for plan in [
            CrashPlan::drop_all(),
            CrashPlan {
                keep: 0.5,
                reorder: true,
                tear: true,
            },
        ] {
            let dom = FaultDomain::new(seed ^ (k << 8));
            let devs = images.faulty(&dom);
            dom.crash_at(k, plan);
            {
                let env = m.env(&dyns(&devs));
                let _ = env.read_all();
                let _ = run(&env, "vgck");
            }
            if !dom.crashed() {
                dom.crash_now(plan);
            }
            dom.revive();
            tally.recovery_crashes += 1;
            recover(m, &dyns(&devs), ex)
                .map_err(|e| format!("after a crash at write {k} of the recovery: {e}"))?;
        }
    }
    Ok(())
}

fn sweep(sc: &Scenario) -> Tally {
    let seed = seed();
    let m = Machine::new(4, PV_SIZE);
    // Setup on plain devices.
    let base = m.blank().mem();
    let mut contents = Contents::default();
    {
        let devs = dyns(&base);
        let env = m.env(&devs);
        for cmd in sc.setup {
            must(&env, &expand(&m, cmd));
            if cmd.starts_with("lvcreate") {
                let vg = env.read_vg("vg").unwrap();
                contents.fill(&m, &vg, vg.lvs.last().unwrap(), &devs);
            }
        }
    }
    let start = Images::of(&base);
    let before = State::of(&m.env(&dyns(&start.mem())).read_all().unwrap());
    // The operation, once, on a recording fault domain.
    let dom = FaultDomain::new(seed);
    dom.record_data(true);
    let devs = start.faulty(&dom);
    let op = expand(&m, sc.op);
    must(&m.env(&dyns(&devs)), &op);
    let log = WriteLog::from_records(&dom.log()).unwrap();
    let after = State::of(&m.env(&dyns(&devs)).read_all().unwrap());
    assert_ne!(before, after, "{}: the operation changed nothing", sc.name);
    let ex = Expect {
        before,
        after,
        allowed: sc.allowed,
        contents,
        vg: sc.vg,
    };
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
            // The log starts from `start`.
            let booted = start.mem();
            cut.apply(&dyns(&booted), &survivors).unwrap();
            tally.crash_states += 1;
            let images = Images::of(&booted);
            match recover(&m, &dyns(&booted), &ex) {
                Err(e) => fail(e),
                // A command that returned has made its change durable.
                Ok(got) if n == log.len() && got != ex.after => fail(format!(
                    "the command returned, yet the crash undid it: {}",
                    got.describe()
                )),
                Ok(_) => {}
            }
            if i < 2 {
                if let Err(e) = follow_up(&m, &dyns(&booted), &ex) {
                    fail(e);
                }
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
    tally
}

#[test]
fn pvcreate_survives_a_crash_at_every_write() {
    sweep(&SCENARIOS[0]);
}

#[test]
fn vgcreate_survives_a_crash_at_every_write() {
    sweep(&SCENARIOS[1]);
}

#[test]
fn vgextend_survives_a_crash_at_every_write() {
    sweep(&SCENARIOS[2]);
}

#[test]
fn vgreduce_survives_a_crash_at_every_write() {
    sweep(&SCENARIOS[3]);
}

#[test]
fn lvcreate_survives_a_crash_at_every_write() {
    sweep(&SCENARIOS[4]);
}

#[test]
fn lvextend_survives_a_crash_at_every_write() {
    sweep(&SCENARIOS[5]);
}

#[test]
fn lvremove_survives_a_crash_at_every_write() {
    sweep(&SCENARIOS[6]);
}

#[test]
fn pvresize_shrink_survives_a_crash_at_every_write() {
    sweep(&SCENARIOS[7]);
}

#[test]
fn pvresize_grow_survives_a_crash_at_every_write() {
    sweep(&SCENARIOS[8]);
}
