//! Group commit: first writes are acknowledged without a flush each; one commit (two
//! device flushes) serves many of them. Prints flushes per 10,000 random first writes.

mod engine_support;
use engine_support::*;
use rvm::block::FaultDomain;
use rvm::engine::Volume;

#[test]
fn ten_thousand_first_writes_need_few_flushes() {
    let dom = FaultDomain::new(1);
    let mut rig = Rig::faulty(&dom, 256 * MIB, 64 * MIB);
    let origin = rig.open();
    let _snap = rig.snapshot(&origin, 64 * MIB, 4096, true);
    let before = dom.flushes(0);
    let mut rng = Rng(3);
    let mut chunks: Vec<u64> = (0..16384).collect();
    for i in (1..chunks.len()).rev() {
        chunks.swap(i, rng.below(i as u64 + 1) as usize);
    }
    for (i, &c) in chunks.iter().take(10_000).enumerate() {
        origin
            .write_at(&pattern(i as u32, c * 4096, 4096), c * 4096, false)
            .unwrap();
    }
    origin.flush().unwrap();
    let flushes = dom.flushes(0) - before;
    println!("device flushes per 10,000 random first writes: {flushes}");
    assert!(flushes >= 2, "the copies must be made durable");
    assert!(
        flushes <= 200,
        "group commit should share flushes: {flushes}"
    );
}

#[test]
fn a_flush_after_each_write_still_works_and_costs_its_flushes() {
    let dom = FaultDomain::new(2);
    let mut rig = Rig::faulty(&dom, 64 * MIB, 8 * MIB);
    let origin = rig.open();
    let _snap = rig.snapshot(&origin, 8 * MIB, 4096, true);
    let before = dom.flushes(0);
    for i in 0..10u64 {
        origin.write_at(&[i as u8; 4096], i * 4096, true).unwrap();
    }
    let per_write = (dom.flushes(0) - before) as f64 / 10.0;
    // Data, exception, origin: three flushes for a synchronous first write.
    assert!(
        (2.0..=4.0).contains(&per_write),
        "{per_write} flushes per FUA write"
    );
}
