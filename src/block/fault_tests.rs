//! The fault double's own behaviour: what a crash keeps, tears and reorders, and how
//! injected errors reach callers.

use super::*;

fn read(dev: &dyn BlockDevice, offset: u64, len: usize) -> Vec<u8> {
    let mut b = vec![0u8; len];
    dev.read_at(&mut b, offset).unwrap();
    b
}

#[test]
fn crash_drops_exactly_the_unflushed_writes() {
    let dom = FaultDomain::new(1);
    let a = dom.mem("a", 1 << 16);
    let b = dom.mem("b", 1 << 16);
    a.write_at(&[1; 4096], 0).unwrap();
    b.write_at(&[2; 4096], 0).unwrap();
    a.flush().unwrap();
    a.write_at(&[3; 4096], 0).unwrap();
    a.write_at(&[4; 512], 8192).unwrap();
    dom.crash_now(CrashPlan::drop_all());
    assert!(a.read_at(&mut [0u8; 1], 0).is_err(), "dead until revived");
    dom.revive();
    assert_eq!(read(&*a, 0, 4096), vec![1; 4096], "flushed write kept");
    assert_eq!(
        read(&*a, 8192, 512),
        vec![0; 512],
        "unflushed write dropped"
    );
    assert_eq!(read(&*b, 0, 4096), vec![0; 4096], "b was never flushed");
    assert_eq!(dom.flushes(0), 1);
    assert_eq!(dom.flushes(1), 0);
}

#[test]
fn crash_point_fails_that_operation_and_later_ones() {
    let dom = FaultDomain::new(2);
    let a = dom.mem("a", 1 << 16);
    dom.crash_at(3, CrashPlan::drop_all());
    a.write_at(&[1; 512], 0).unwrap();
    a.flush().unwrap();
    assert!(a.write_at(&[2; 512], 512).is_err());
    assert!(dom.crashed());
    assert!(a.flush().is_err());
    dom.revive();
    assert_eq!(read(&*a, 0, 1024), [vec![1; 512], vec![0; 512]].concat());
}

#[test]
fn keeping_everything_in_order_equals_a_flush() {
    let dom = FaultDomain::new(3);
    let a = dom.mem("a", 1 << 16);
    for i in 0..10u8 {
        a.write_at(&[i; 1024], 0).unwrap();
    }
    dom.crash_now(CrashPlan {
        keep: 1.0,
        reorder: false,
        tear: false,
    });
    dom.revive();
    assert_eq!(read(&*a, 0, 1024), vec![9; 1024]);
}

#[test]
fn tears_land_on_sector_boundaries_and_are_deterministic() {
    let outcome = |seed| {
        let dom = FaultDomain::new(seed);
        let a = dom.mem("a", 1 << 16);
        a.write_at(&[7; 8192], 0).unwrap();
        dom.crash_now(CrashPlan {
            keep: 0.0,
            reorder: false,
            tear: true,
        });
        dom.revive();
        read(&*a, 0, 8192)
    };
    for seed in 0..20 {
        let got = outcome(seed);
        let kept = got.iter().take_while(|&&b| b == 7).count();
        assert_eq!(kept % 512, 0, "seed {seed}: tear inside a sector");
        assert!(kept > 0 && kept < 8192, "seed {seed}: not torn");
        assert!(got[kept..].iter().all(|&b| b == 0));
        assert_eq!(got, outcome(seed), "seed {seed} does not replay");
    }
}

#[test]
fn reordering_can_keep_a_later_write_and_lose_an_earlier_one() {
    let mut saw_gap = false;
    for seed in 0..64 {
        let dom = FaultDomain::new(seed);
        let a = dom.mem("a", 1 << 16);
        for i in 0..8u64 {
            a.write_at(&[i as u8 + 1; 512], i * 512).unwrap();
        }
        dom.crash_now(CrashPlan {
            keep: 0.5,
            reorder: true,
            tear: false,
        });
        dom.revive();
        let got = read(&*a, 0, 4096);
        let present: Vec<bool> = (0..8).map(|i| got[i * 512] != 0).collect();
        if present.windows(2).any(|w| !w[0] && w[1]) {
            saw_gap = true;
        }
    }
    assert!(
        saw_gap,
        "no seed lost an earlier write while keeping a later one"
    );
}

#[test]
fn injected_errors_carry_their_errno() {
    let dom = FaultDomain::new(4);
    let a = dom.mem("a", 1 << 16);
    dom.inject(FaultRule::nth(OpKind::Write, 2, InjectedError::Enospc));
    a.write_at(&[1; 512], 0).unwrap();
    let e = a.write_at(&[1; 512], 512).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOSPC));
    a.write_at(&[1; 512], 1024).unwrap();
    dom.inject(FaultRule::range(
        OpKind::Read,
        0,
        4096,
        8192,
        InjectedError::Eio,
    ));
    assert_eq!(
        a.read_at(&mut [0u8; 512], 4096).unwrap_err().raw_os_error(),
        Some(libc::EIO)
    );
    assert!(a.read_at(&mut [0u8; 512], 0).is_ok());
    dom.clear_faults();
    assert!(a.read_at(&mut [0u8; 512], 4096).is_ok());
}

#[test]
fn the_log_records_writes_and_flushes_in_order() {
    let dom = FaultDomain::new(5);
    dom.record_data(true);
    let a = dom.mem("a", 1 << 16);
    a.write_at(b"hello", 10).unwrap();
    a.flush().unwrap();
    a.discard(0, 512).unwrap();
    let log = dom.log();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].kind, OpKind::Write);
    assert_eq!(log[0].data.as_deref(), Some(&b"hello"[..]));
    assert_eq!(log[1].kind, OpKind::Flush);
    assert_eq!((log[2].kind, log[2].len), (OpKind::Discard, 512));
    assert_eq!(dom.mutations(), 3);
}
