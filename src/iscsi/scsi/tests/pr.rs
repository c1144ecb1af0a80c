use super::*;

fn prout(sa: u8, kind: u8, key: u64, sa_key: u64) -> (Vec<u8>, Vec<u8>) {
    let cdb = vec![0x5f, sa, kind, 0, 0, 0, 0, 0, 24, 0];
    let mut p = vec![0u8; 24];
    p[0..8].copy_from_slice(&key.to_be_bytes());
    p[8..16].copy_from_slice(&sa_key.to_be_bytes());
    (cdb, p)
}

fn out(rig: &Rig, n: &ItNexus, sa: u8, kind: u8, key: u64, sa_key: u64) -> Outcome {
    let (c, p) = prout(sa, kind, key, sa_key);
    rig.run_on(n, &c, &p, 0).0
}

fn prin(rig: &Rig, n: &ItNexus, sa: u8) -> Vec<u8> {
    let (o, d) = rig.run_on(n, &[0x5e, sa, 0, 0, 0, 0, 0, 0x10, 0, 0], &[], 4096);
    assert_eq!(o.status, ScsiStatus::Good);
    d
}

const WE: u8 = 1;
const EA: u8 = 3;
const WE_RO: u8 = 5;
const EA_AR: u8 = 8;

fn write(rig: &Rig, n: &ItNexus) -> ScsiStatus {
    rig.run_on(n, &cdb10(0x2a, 0, 0, 1), &[0; 512], 0).0.status
}

fn read(rig: &Rig, n: &ItNexus) -> ScsiStatus {
    rig.run_on(n, &cdb10(0x28, 0, 0, 1), &[], 512).0.status
}

#[test]
fn register_read_keys_and_unregister() {
    let rig = Rig::new();
    assert_eq!(
        out(&rig, &rig.nexus, 6, 0, 0, 0xabc).status,
        ScsiStatus::Good
    );
    let d = prin(&rig, &rig.nexus, 0);
    assert_eq!(&d[0..4], &1u32.to_be_bytes(), "generation");
    assert_eq!(&d[4..8], &8u32.to_be_bytes());
    assert_eq!(&d[8..16], &0xabcu64.to_be_bytes());
    // REGISTER with the wrong current key conflicts.
    assert_eq!(
        out(&rig, &rig.nexus, 0, 0, 0x999, 0x1).status,
        ScsiStatus::ReservationConflict
    );
    assert_eq!(
        out(&rig, &rig.nexus, 0, 0, 0xabc, 0).status,
        ScsiStatus::Good
    );
    assert_eq!(&prin(&rig, &rig.nexus, 0)[4..8], &[0; 4]);
}

#[test]
fn write_exclusive_keeps_other_writers_out_but_lets_them_read() {
    let rig = Rig::new();
    let other = rig.second();
    out(&rig, &rig.nexus, 6, 0, 0, 1);
    assert_eq!(out(&rig, &rig.nexus, 1, WE, 1, 0).status, ScsiStatus::Good);
    assert_eq!(write(&rig, &other), ScsiStatus::ReservationConflict);
    assert_eq!(read(&rig, &other), ScsiStatus::Good);
    assert_eq!(write(&rig, &rig.nexus), ScsiStatus::Good);
    let d = prin(&rig, &rig.nexus, 1);
    assert_eq!(&d[4..8], &16u32.to_be_bytes());
    assert_eq!(&d[8..16], &1u64.to_be_bytes());
    assert_eq!(d[21], WE);
    // Inquiry, TUR and PR IN stay allowed.
    rig.run_on(&other, &[0x12, 0, 0, 0, 36, 0], &[], 36);
    assert_eq!(
        rig.run_on(&other, &[0; 6], &[], 0).0.status,
        ScsiStatus::Good
    );
}

#[test]
fn exclusive_access_keeps_reads_out_too() {
    let rig = Rig::new();
    let other = rig.second();
    out(&rig, &rig.nexus, 6, 0, 0, 1);
    out(&rig, &rig.nexus, 6, 0, 0, 1);
    out(&rig, &other, 6, 0, 0, 2);
    assert_eq!(out(&rig, &rig.nexus, 1, EA, 1, 0).status, ScsiStatus::Good);
    assert_eq!(read(&rig, &other), ScsiStatus::ReservationConflict);
    // Another nexus cannot reserve over it.
    assert_eq!(
        out(&rig, &other, 1, EA, 2, 0).status,
        ScsiStatus::ReservationConflict
    );
    // Releasing with the wrong type is refused.
    assert_eq!(sense(&out(&rig, &rig.nexus, 2, WE, 1, 0)), (5, 0x26, 0x04));
    assert_eq!(out(&rig, &rig.nexus, 2, EA, 1, 0).status, ScsiStatus::Good);
    assert_eq!(read(&rig, &other), ScsiStatus::Good);
}

#[test]
fn registrants_only_admits_registrants_and_tells_them_of_a_release() {
    let rig = Rig::new();
    let other = rig.second();
    out(&rig, &rig.nexus, 6, 0, 0, 1);
    out(&rig, &rig.nexus, 1, WE_RO, 1, 0);
    assert_eq!(write(&rig, &other), ScsiStatus::ReservationConflict);
    out(&rig, &other, 6, 0, 0, 2);
    assert_eq!(write(&rig, &other), ScsiStatus::Good);
    assert_eq!(
        out(&rig, &rig.nexus, 2, WE_RO, 1, 0).status,
        ScsiStatus::Good
    );
    assert_eq!(
        sense(&rig.run_on(&other, &[0; 6], &[], 0).0),
        (6, 0x2a, 0x04)
    );
}

#[test]
fn all_registrants_reservations_report_key_zero_and_end_with_the_last_registrant() {
    let rig = Rig::new();
    let other = rig.second();
    out(&rig, &rig.nexus, 6, 0, 0, 1);
    out(&rig, &other, 6, 0, 0, 2);
    assert_eq!(
        out(&rig, &rig.nexus, 1, EA_AR, 1, 0).status,
        ScsiStatus::Good
    );
    let d = prin(&rig, &rig.nexus, 1);
    assert_eq!((&d[8..16], d[21]), (&[0u8; 8][..], EA_AR));
    assert_eq!(read(&rig, &other), ScsiStatus::Good);
    out(&rig, &rig.nexus, 0, 0, 1, 0);
    assert_eq!(&prin(&rig, &other, 1)[4..8], &16u32.to_be_bytes());
    out(&rig, &other, 0, 0, 2, 0);
    assert_eq!(&prin(&rig, &other, 1)[4..8], &[0; 4]);
}

#[test]
fn preempt_removes_registrations_bumps_the_generation_and_notifies() {
    let rig = Rig::new();
    let other = rig.second();
    out(&rig, &rig.nexus, 6, 0, 0, 0x11);
    out(&rig, &other, 6, 0, 0, 0x22);
    let gen = u32::from_be_bytes(prin(&rig, &rig.nexus, 0)[0..4].try_into().unwrap());
    assert_eq!(
        out(&rig, &other, 4, EA, 0x22, 0x11).status,
        ScsiStatus::Good
    );
    assert_eq!(sense(&rig.run(&[0; 6], &[], 0).0), (6, 0x2a, 0x05));
    let d = prin(&rig, &rig.nexus, 0);
    assert_eq!(u32::from_be_bytes(d[0..4].try_into().unwrap()), gen + 1);
    assert_eq!(
        &d[4..16],
        &[&8u32.to_be_bytes()[..], &0x22u64.to_be_bytes()[..]].concat()[..]
    );
    // Preempting a key nobody holds conflicts.
    assert_eq!(
        out(&rig, &other, 4, EA, 0x22, 0x99).status,
        ScsiStatus::ReservationConflict
    );
}

#[test]
fn preempting_the_holder_takes_over_its_reservation() {
    let rig = Rig::new();
    let other = rig.second();
    out(&rig, &rig.nexus, 6, 0, 0, 0x11);
    out(&rig, &other, 6, 0, 0, 0x22);
    out(&rig, &rig.nexus, 1, WE, 0x11, 0);
    assert_eq!(
        out(&rig, &other, 5, EA, 0x22, 0x11).status,
        ScsiStatus::Good
    );
    let d = prin(&rig, &other, 1);
    assert_eq!((&d[8..16], d[21]), (&0x22u64.to_be_bytes()[..], EA));
}

#[test]
fn clear_drops_everything() {
    let rig = Rig::new();
    let other = rig.second();
    out(&rig, &rig.nexus, 6, 0, 0, 1);
    out(&rig, &other, 6, 0, 0, 2);
    out(&rig, &rig.nexus, 1, EA, 1, 0);
    assert_eq!(out(&rig, &other, 3, 0, 2, 0).status, ScsiStatus::Good);
    assert_eq!(&prin(&rig, &other, 0)[4..8], &[0; 4]);
    assert_eq!(sense(&rig.run(&[0; 6], &[], 0).0), (6, 0x2a, 0x03));
    assert_eq!(read(&rig, &other), ScsiStatus::Good);
}

#[test]
fn parameter_list_and_cdb_errors() {
    let rig = Rig::new();
    let (mut c, mut p) = prout(6, 0, 0, 1);
    p[20] = 0x01; // APTPL: declined
    assert_eq!(
        sense(&rig.run(&c, &p, 0).0),
        INVALID_FIELD_IN_PARAMETER_LIST
    );
    p[20] = 0;
    c[8] = 20;
    assert_eq!(
        sense(&rig.run(&c, &p[..20], 0).0),
        PARAMETER_LIST_LENGTH_ERROR
    );
    out(&rig, &rig.nexus, 6, 0, 0, 1);
    assert_eq!(
        sense(&out(&rig, &rig.nexus, 1, 2, 1, 0)),
        INVALID_FIELD_IN_CDB
    );
    assert_eq!(
        sense(&out(&rig, &rig.nexus, 1, 0x11, 1, 0)),
        INVALID_FIELD_IN_CDB
    );
    let (o, _) = rig.run(&[0x5e, 4, 0, 0, 0, 0, 0, 0x10, 0, 0], &[], 4096);
    assert_eq!(sense(&o), INVALID_FIELD_IN_CDB);
}

#[test]
fn report_capabilities_and_full_status() {
    let rig = Rig::new();
    let caps = prin(&rig, &rig.nexus, 2);
    assert_eq!(caps, [0, 8, 0x10, 0x80, 0xea, 0x01, 0, 0]);
    out(&rig, &rig.nexus, 6, 0, 0, 7);
    out(&rig, &rig.nexus, 1, WE, 7, 0);
    let d = prin(&rig, &rig.nexus, 3);
    assert_eq!(&d[8..16], &7u64.to_be_bytes());
    assert_eq!((d[20], d[21]), (1, WE));
    assert_eq!(&d[26..28], &[0, 1]);
    let id_len = u32::from_be_bytes(d[28..32].try_into().unwrap()) as usize;
    let id = &d[32..32 + id_len];
    assert_eq!(id[0], 0x45);
    let text = String::from_utf8_lossy(&id[4..]);
    assert!(text.starts_with("iqn.2026-11.org.example:host1,i,0x23d000000001\0"));
    assert_eq!(
        usize::from_be_bytes([0, 0, 0, 0, 0, 0, d[4], d[5]]) << 16
            | usize::from(u16::from_be_bytes([d[6], d[7]])),
        d.len() - 8
    );
}

#[test]
fn spc2_reserve_conflicts_with_other_nexuses_and_release_by_them_is_a_no_op() {
    let rig = Rig::new();
    let other = rig.second();
    rig.ok(&[0x16, 0, 0, 0, 0, 0], &[], 0);
    rig.ok(&[0x16, 0, 0, 0, 0, 0], &[], 0);
    let r6 = [0x16, 0, 0, 0, 0, 0];
    assert_eq!(
        rig.run_on(&other, &r6, &[], 0).0.status,
        ScsiStatus::ReservationConflict
    );
    assert_eq!(
        rig.run_on(&other, &[0x17, 0, 0, 0, 0, 0], &[], 0).0.status,
        ScsiStatus::Good
    );
    assert_eq!(read(&rig, &other), ScsiStatus::ReservationConflict);
    assert_eq!(
        rig.run_on(&other, &[0x12, 0, 0, 0, 36, 0], &[], 36)
            .0
            .status,
        ScsiStatus::Good
    );
    rig.ok(&[0x17, 0, 0, 0, 0, 0], &[], 0);
    assert_eq!(read(&rig, &other), ScsiStatus::Good);
    // With a registration in place, SPC-2 RESERVE from a non-registrant conflicts.
    out(&rig, &rig.nexus, 6, 0, 0, 5);
    assert_eq!(
        rig.run_on(&other, &r6, &[], 0).0.status,
        ScsiStatus::ReservationConflict
    );
}

#[test]
fn register_and_move_hands_the_reservation_over() {
    let rig = Rig::new();
    let other = rig.second();
    out(&rig, &rig.nexus, 6, 0, 0, 1);
    out(&rig, &rig.nexus, 1, WE, 1, 0);
    let id = super::super::pr_in::transport_id(&other.id);
    let mut p = vec![0u8; 24];
    p[0..8].copy_from_slice(&1u64.to_be_bytes());
    p[8..16].copy_from_slice(&9u64.to_be_bytes());
    p[17] = 0x02; // UNREG
    p[20..24].copy_from_slice(&(id.len() as u32).to_be_bytes());
    p.extend_from_slice(&id);
    let mut c = vec![0x5f, 7, WE, 0, 0, 0, 0, 0, 0, 0];
    c[5..9].copy_from_slice(&(p.len() as u32).to_be_bytes());
    assert_eq!(rig.run(&c, &p, 0).0.status, ScsiStatus::Good);
    assert_eq!(write(&rig, &rig.nexus), ScsiStatus::ReservationConflict);
    assert_eq!(write(&rig, &other), ScsiStatus::Good);
    let d = prin(&rig, &other, 1);
    assert_eq!(&d[8..16], &9u64.to_be_bytes());
}
