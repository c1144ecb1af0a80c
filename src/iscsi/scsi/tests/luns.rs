use super::super::{decode_lun, encode_lun, LunError, TaskManagement, TmfResponse};
use super::*;

fn tur(rig: &Rig, n: &ItNexus) -> Outcome {
    rig.run_on(n, &[0, 0, 0, 0, 0, 0], &[], 0).0
}

fn report_luns(rig: &Rig, n: &ItNexus) -> Vec<u8> {
    let (o, d) = rig.run_on(n, &[0xa0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0], &[], 256);
    assert_eq!(o.status, ScsiStatus::Good);
    d
}

#[test]
fn a_new_nexus_sees_power_on_once() {
    let rig = Rig::new();
    let n = rig.target.login(nexus("iqn.x:new", 7));
    assert_eq!(sense(&tur(&rig, &n)), (6, 0x29, 0));
    assert_eq!(tur(&rig, &n).status, ScsiStatus::Good);
}

#[test]
fn inquiry_and_report_luns_do_not_consume_unit_attentions() {
    let rig = Rig::new();
    let n = rig.target.login(nexus("iqn.x:new", 7));
    rig.ok(&[0x12, 0, 0, 0, 36, 0], &[], 36);
    report_luns(&rig, &n);
    assert_eq!(sense(&tur(&rig, &n)), (6, 0x29, 0));
}

#[test]
fn request_sense_reports_and_clears_a_unit_attention() {
    let rig = Rig::new();
    let n = rig.target.login(nexus("iqn.x:new", 7));
    let (o, d) = rig.run_on(&n, &[0x03, 0, 0, 0, 252, 0], &[], 252);
    assert_eq!(o.status, ScsiStatus::Good);
    assert_eq!((d[0], d[2], d[12], d[13]), (0x70, 6, 0x29, 0));
    let (_, d) = rig.run_on(&n, &[0x03, 1, 0, 0, 252, 0], &[], 252);
    assert_eq!(&d[..4], &[0x72, 0, 0, 0], "no sense, descriptor format");
}

#[test]
fn adding_a_lun_tells_every_session_and_report_luns_lists_it() {
    let rig = Rig::new();
    let other = rig.second();
    rig.target
        .add_lun(300, MemVolume::new(1 << 20), LunSettings::default())
        .unwrap();
    assert_eq!(sense(&tur(&rig, &rig.nexus)), (6, 0x3f, 0x0e));
    let d = report_luns(&rig, &other);
    assert_eq!(&d[0..4], &16u32.to_be_bytes());
    assert_eq!(&d[8..16], &[0; 8]);
    assert_eq!(
        &d[16..18],
        &[0x41, 0x2c],
        "flat space addressing for LUN 300"
    );
    // REPORT LUNS cleared the condition for that nexus.
    assert_eq!(tur(&rig, &other).status, ScsiStatus::Good);
    assert_eq!(
        rig.target
            .add_lun(300, MemVolume::new(512), LunSettings::default()),
        Err(LunError::InUse(300))
    );
    assert!(matches!(
        rig.target
            .add_lun(1 << 14, MemVolume::new(512), LunSettings::default()),
        Err(LunError::OutOfRange(_))
    ));
}

#[test]
fn a_removed_lun_is_no_longer_supported() {
    let rig = Rig::new();
    rig.target.remove_lun(0).unwrap();
    assert_eq!(sense(&tur(&rig, &rig.nexus)), (5, 0x25, 0));
    assert_eq!(rig.target.remove_lun(0).err(), Some(LunError::NotMapped(0)));
    assert_eq!(report_luns(&rig, &rig.nexus)[..4], [0, 0, 0, 0]);
}

#[test]
fn a_resize_raises_capacity_data_has_changed() {
    let rig = Rig::new();
    let other = rig.second();
    rig.vol.grow(BLOCKS * 1024);
    rig.target.capacity_changed(0).unwrap();
    assert_eq!(sense(&tur(&rig, &rig.nexus)), (6, 0x2a, 0x09));
    assert_eq!(sense(&tur(&rig, &other)), (6, 0x2a, 0x09));
    assert_eq!(tur(&rig, &rig.nexus).status, ScsiStatus::Good);
    // Without the daemon's call the next command notices the new size.
    rig.vol.grow(BLOCKS * 2048);
    assert_eq!(sense(&tur(&rig, &rig.nexus)), (6, 0x2a, 0x09));
    let d = rig.ok(&[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[], 8);
    assert_eq!(&d[0..4], &((BLOCKS * 4) as u32 - 1).to_be_bytes());
}

#[test]
fn lun_reset_raises_a_unit_attention_and_drops_spc2_reservations() {
    let rig = Rig::new();
    let other = rig.second();
    rig.ok(&[0x16, 0, 0, 0, 0, 0], &[], 0);
    let (o, _) = rig.run_on(&other, &[0x1a, 0, 0x3f, 0, 255, 0], &[], 255);
    assert_eq!(o.status, ScsiStatus::ReservationConflict);
    let r = rig
        .target
        .task_management(&rig.nexus, encode_lun(0), TaskManagement::LogicalUnitReset);
    assert_eq!(r, TmfResponse::Complete);
    assert_eq!(sense(&tur(&rig, &other)), (6, 0x29, 0x03));
    assert_eq!(
        sense(&tur(&rig, &rig.nexus)),
        (6, 0x29, 0x03),
        "the requester too"
    );
    rig.ok(&[0x1a, 0, 0x3f, 0, 255, 0], &[], 255);
    let (o, _) = rig.run_on(&other, &[0x16, 0, 0, 0, 0, 0], &[], 0);
    assert_eq!(o.status, ScsiStatus::Good);
    assert_eq!(
        rig.target
            .task_management(&rig.nexus, encode_lun(9), TaskManagement::LogicalUnitReset),
        TmfResponse::LunDoesNotExist
    );
}

#[test]
fn logout_and_target_reset_release_spc2_reservations() {
    let rig = Rig::new();
    let other = rig.second();
    rig.ok(&[0x16, 0, 0, 0, 0, 0], &[], 0);
    rig.target.logout(&rig.nexus);
    assert_eq!(
        rig.run_on(&other, &[0x16, 0, 0, 0, 0, 0], &[], 0).0.status,
        ScsiStatus::Good
    );
    let third = rig.target.login(nexus("iqn.x:3", 3));
    rig.target
        .task_management(&other, 0, TaskManagement::TargetColdReset);
    assert_eq!(sense(&tur(&rig, &third)), (6, 0x29, 0x01));
    assert_eq!(tur(&rig, &third).status, ScsiStatus::Good);
    assert_eq!(
        rig.run_on(&third, &[0x16, 0, 0, 0, 0, 0], &[], 0).0.status,
        ScsiStatus::Good
    );
}

#[test]
fn lun_fields_decode_in_peripheral_and_flat_space_addressing() {
    assert_eq!(decode_lun(0), Some(0));
    assert_eq!(decode_lun(0x0005_0000_0000_0000), Some(5));
    assert_eq!(decode_lun(0x412c_0000_0000_0000), Some(300));
    assert_eq!(decode_lun(0x0105_0000_0000_0000), None, "bus 1");
    assert_eq!(decode_lun(0x0005_0001_0000_0000), None, "second level");
    for l in [0, 1, 255, 256, 16383] {
        assert_eq!(decode_lun(encode_lun(l)), Some(l));
    }
}
