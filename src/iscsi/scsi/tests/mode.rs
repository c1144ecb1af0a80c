use super::*;

fn sense6(page: u8, pc: u8, dbd: bool, alloc: u8) -> Vec<u8> {
    vec![
        0x1a,
        if dbd { 0x08 } else { 0 },
        pc << 6 | page,
        0,
        alloc,
        0,
    ]
}

/// MODE SELECT(6) of one page.
fn select6(rig: &Rig, n: &ItNexus, page: &[u8]) -> Outcome {
    let mut p = vec![0, 0, 0, 0];
    p.extend_from_slice(page);
    rig.run_on(n, &[0x15, 0x10, 0, 0, p.len() as u8, 0], &p, 0)
        .0
}

#[test]
fn mode_sense_all_pages_has_header_descriptor_and_three_pages() {
    let rig = Rig::new();
    let d = rig.ok(&sense6(0x3f, 0, false, 255), &[], 255);
    assert_eq!(usize::from(d[0]), d.len() - 1);
    assert_eq!(d[2], 0x10, "DPOFUA, not write-protected");
    assert_eq!(d[3], 8);
    assert_eq!(&d[4..8], &(BLOCKS as u32).to_be_bytes());
    assert_eq!(&d[9..12], &[0, 2, 0]);
    let pages: Vec<u8> = {
        let mut at = 12;
        let mut v = Vec::new();
        while at < d.len() {
            v.push(d[at]);
            at += usize::from(d[at + 1]) + 2;
        }
        v
    };
    assert_eq!(pages, [0x08, 0x0a, 0x1c]);
    let (o, d) = rig.run(&sense6(0x3f, 0, false, 4), &[], 4);
    assert_eq!((o.transfer_len, d.len()), (4, 4));
}

#[test]
fn mode_sense10_can_report_a_long_lba_descriptor() {
    let rig = Rig::new();
    let d = rig.ok(&[0x5a, 0x10, 0x08, 0, 0, 0, 0, 0, 255, 0], &[], 255);
    assert_eq!(usize::from(u16::from_be_bytes([d[0], d[1]])), d.len() - 2);
    assert_eq!((d[4], d[7]), (1, 16));
    assert_eq!(&d[8..16], &BLOCKS.to_be_bytes());
    assert_eq!(&d[24..26], &[0x08, 0x12]);
}

#[test]
fn saved_values_are_not_supported_and_unknown_pages_are_invalid() {
    let rig = Rig::new();
    let (o, _) = rig.run(&sense6(0x08, 3, true, 255), &[], 255);
    assert_eq!(sense(&o), (5, 0x39, 0));
    let (o, _) = rig.run(&sense6(0x19, 0, true, 255), &[], 255);
    assert_eq!(sense(&o), INVALID_FIELD_IN_CDB);
}

#[test]
fn changeable_values_show_wce_d_sense_and_swp() {
    let rig = Rig::new();
    let d = rig.ok(&sense6(0x08, 1, true, 255), &[], 255);
    assert_eq!(&d[4..7], &[0x08, 0x12, 0x04]);
    let d = rig.ok(&sense6(0x0a, 1, true, 255), &[], 255);
    assert_eq!(&d[4..9], &[0x0a, 0x0a, 0x04, 0x00, 0x08]);
}

#[test]
fn d_sense_switches_sense_data_to_descriptor_format() {
    let rig = Rig::new();
    let mut page = rig.ok(&sense6(0x0a, 0, true, 255), &[], 255)[4..].to_vec();
    page[2] |= 0x04;
    assert_eq!(select6(&rig, &rig.nexus, &page).status, ScsiStatus::Good);
    let (o, _) = rig.run(&cdb16(0x88, 0, u64::MAX, 1), &[], 512);
    assert_eq!(o.sense.unwrap().as_bytes()[0], 0x72);
    assert_eq!(sense(&o), LBA_OUT_OF_RANGE);
}

#[test]
fn software_write_protect_refuses_writes_and_sets_wp() {
    let rig = Rig::new();
    let other = rig.second();
    let mut page = rig.ok(&sense6(0x0a, 0, true, 255), &[], 255)[4..].to_vec();
    page[4] |= 0x08;
    assert_eq!(select6(&rig, &rig.nexus, &page).status, ScsiStatus::Good);
    let (o, _) = rig.run(&cdb10(0x2a, 0, 0, 1), &[0; 512], 0);
    assert_eq!(sense(&o), (7, 0x27, 0x02));
    assert_eq!(
        rig.ok(&sense6(0x3f, 0, true, 255), &[], 255)[2] & 0x80,
        0x80
    );
    // The other session hears that mode parameters changed.
    assert_eq!(
        sense(&rig.run_on(&other, &[0; 6], &[], 0).0),
        (6, 0x2a, 0x01)
    );
    page[4] &= !0x08;
    assert_eq!(select6(&rig, &rig.nexus, &page).status, ScsiStatus::Good);
    rig.ok(&cdb10(0x2a, 0, 0, 1), &[0; 512], 0);
}

#[test]
fn mode_select_refuses_unchangeable_bits_and_bad_lists_without_changing_anything() {
    let rig = Rig::new();
    let mut page = rig.ok(&sense6(0x0a, 0, true, 255), &[], 255)[4..].to_vec();
    page[2] |= 0x04; // D_SENSE: changeable
    page[5] |= 0x40; // TAS: not changeable
    let o = select6(&rig, &rig.nexus, &page);
    assert_eq!(sense(&o), INVALID_FIELD_IN_PARAMETER_LIST);
    assert_eq!(&o.sense.unwrap().as_bytes()[15..18], &[0x80, 0, 9]);
    assert_eq!(rig.ok(&sense6(0x0a, 0, true, 255), &[], 255)[6] & 0x04, 0);
    let o = select6(&rig, &rig.nexus, &page[..5]);
    assert_eq!(sense(&o), PARAMETER_LIST_LENGTH_ERROR);
    let o = select6(&rig, &rig.nexus, &[0x19, 0x06, 0, 0, 0, 0, 0, 0]);
    assert_eq!(sense(&o), INVALID_FIELD_IN_PARAMETER_LIST);
    let (o, _) = rig.run(&[0x15, 0x11, 0, 0, 16, 0], &[0; 16], 0);
    assert_eq!(sense(&o), INVALID_FIELD_IN_CDB, "SP: nothing can be saved");
}

#[test]
fn read_only_luns_set_the_write_protect_bit() {
    let rig = Rig::with(LunSettings {
        read_only: true,
        identity: None,
    });
    assert_eq!(rig.ok(&sense6(0x3f, 0, true, 255), &[], 255)[2], 0x90);
}
