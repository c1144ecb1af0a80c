use super::*;

fn unmap_list(descriptors: &[(u64, u32)]) -> Vec<u8> {
    let mut p = vec![0u8; 8];
    for &(lba, n) in descriptors {
        p.extend_from_slice(&lba.to_be_bytes());
        p.extend_from_slice(&n.to_be_bytes());
        p.extend_from_slice(&[0; 4]);
    }
    let len = p.len();
    p[0..2].copy_from_slice(&((len - 2) as u16).to_be_bytes());
    p[2..4].copy_from_slice(&((len - 8) as u16).to_be_bytes());
    p
}

fn unmap_cdb(len: usize) -> Vec<u8> {
    let mut c = vec![0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    c[7..9].copy_from_slice(&(len as u16).to_be_bytes());
    c
}

fn lba_status(rig: &Rig, lba: u64) -> (u64, u32, u8) {
    let mut c = cdb16(0x9e, 0x12, lba, 24);
    c[10..14].copy_from_slice(&24u32.to_be_bytes());
    let d = rig.ok(&c, &[], 24);
    assert_eq!(&d[0..4], &20u32.to_be_bytes());
    (
        u64::from_be_bytes(d[8..16].try_into().unwrap()),
        u32::from_be_bytes(d[16..20].try_into().unwrap()),
        d[20],
    )
}

#[test]
fn unmapped_blocks_read_as_zeros_and_report_deallocated() {
    let rig = Rig::new();
    rig.ok(&cdb10(0x2a, 0, 0, 32), &[b'a'; 32 * 512], 0);
    assert_eq!(lba_status(&rig, 0), (0, 32, 0));
    let p = unmap_list(&[(8, 8), (24, 8)]);
    rig.ok(&unmap_cdb(p.len()), &p, 0);
    assert_eq!(rig.ok(&cdb10(0x28, 0, 8, 8), &[], 4096), vec![0; 4096]);
    assert_eq!(lba_status(&rig, 0), (0, 8, 0));
    assert_eq!(lba_status(&rig, 8), (8, 8, 1));
    assert_eq!(rig.ok(&cdb10(0x28, 0, 16, 8), &[], 4096), vec![b'a'; 4096]);
}

#[test]
fn unmap_validates_the_whole_list_before_discarding_anything() {
    let rig = Rig::new();
    rig.ok(&cdb10(0x2a, 0, 0, 8), &[b'a'; 4096], 0);
    let p = unmap_list(&[(0, 8), (BLOCKS - 1, 2)]);
    let (o, _) = rig.run(&unmap_cdb(p.len()), &p, 0);
    assert_eq!(sense(&o), LBA_OUT_OF_RANGE);
    assert_eq!(rig.vol.bytes(0, 4096), vec![b'a'; 4096]);
    let (o, _) = rig.run(&unmap_cdb(6), &p[..6], 0);
    assert_eq!(sense(&o), PARAMETER_LIST_LENGTH_ERROR);
    let many: Vec<(u64, u32)> = (0..257).map(|i| (i, 1)).collect();
    let p = unmap_list(&many);
    let (o, _) = rig.run(&unmap_cdb(p.len()), &p, 0);
    assert_eq!(sense(&o), INVALID_FIELD_IN_PARAMETER_LIST);
    rig.ok(&unmap_cdb(0), &[], 0);
    let p = unmap_list(&[(BLOCKS, 0)]);
    rig.ok(&unmap_cdb(p.len()), &p, 0);
    let mut anchor = unmap_cdb(0);
    anchor[1] = 1;
    let (o, _) = rig.run(&anchor, &[], 0);
    assert_eq!(sense(&o), INVALID_FIELD_IN_CDB);
}

#[test]
fn write_same_repeats_one_block() {
    let rig = Rig::new();
    let block: Vec<u8> = (0..512).map(|i| i as u8).collect();
    rig.ok(&cdb10(0x41, 0, 100, 3), &block, 0);
    assert_eq!(rig.vol.bytes(100 * 512, 1536), block.repeat(3));
    rig.ok(&cdb16(0x93, 0, 200, 1), &block, 0);
    assert_eq!(rig.vol.bytes(200 * 512, 512), block);
}

#[test]
fn write_same_with_unmap_deallocates() {
    let rig = Rig::new();
    rig.ok(&cdb10(0x2a, 0, 0, 16), &[0xff; 16 * 512], 0);
    rig.ok(&cdb16(0x93, 0x08, 0, 8), &[0; 512], 0);
    assert_eq!(lba_status(&rig, 0), (0, 8, 1));
    // UNMAP deallocates whatever the Data-Out holds.
    rig.ok(&cdb10(0x2a, 0, 0, 8), &[0xff; 8 * 512], 0);
    rig.ok(&cdb10(0x41, 0x08, 0, 8), &[0xff; 512], 0);
    assert_eq!(rig.vol.bytes(0, 8 * 512), vec![0; 8 * 512]);
    // No Data-Out at all with UNMAP set is accepted too.
    rig.ok(&cdb16(0x93, 0x08, 8, 8), &[], 0);
    assert_eq!(rig.vol.bytes(0, 16 * 512), vec![0; 16 * 512]);
    // NDOB: no data-out buffer, zeros.
    rig.ok(&cdb10(0x2a, 0, 0, 1), &[0xff; 512], 0);
    let (o, _) = rig.run(&cdb16(0x93, 0x01, 0, 1), &[], 0);
    assert_eq!((o.status, o.transfer_len), (ScsiStatus::Good, 0));
    assert_eq!(rig.vol.bytes(0, 512), vec![0; 512]);
}

#[test]
fn write_same_of_zero_blocks_runs_to_the_end() {
    let rig = Rig::new();
    rig.ok(&cdb16(0x93, 0, BLOCKS - 4, 0), &[7; 512], 0);
    assert_eq!(rig.vol.bytes((BLOCKS - 4) * 512, 2048), vec![7; 2048]);
    let (o, _) = rig.run(&cdb16(0x93, 0, BLOCKS + 1, 0), &[7; 512], 0);
    assert_eq!(sense(&o), LBA_OUT_OF_RANGE);
}

#[test]
fn write_same_refuses_anchor_protect_and_odd_data_out() {
    let rig = Rig::new();
    for flags in [0x10, 0x18, 0x20] {
        let (o, _) = rig.run(&cdb16(0x93, flags, 0, 1), &[0; 512], 0);
        assert_eq!(sense(&o), INVALID_FIELD_IN_CDB, "flags {flags:#x}");
    }
    for len in [256, 1024] {
        let (o, _) = rig.run(&cdb16(0x93, 0x08, 0, 1), &vec![0; len], 0);
        assert_eq!(sense(&o).0, 5);
    }
    let (o, _) = rig.run(&cdb16(0x93, 0, BLOCKS, 1), &[0; 512], 0);
    assert_eq!(sense(&o), LBA_OUT_OF_RANGE);
}

#[test]
fn get_lba_status_past_the_end_is_lba_out_of_range() {
    let rig = Rig::new();
    for lba in [BLOCKS, u64::MAX] {
        let mut c = cdb16(0x9e, 0x12, lba, 0);
        c[10..14].copy_from_slice(&24u32.to_be_bytes());
        let (o, _) = rig.run(&c, &[], 24);
        assert_eq!(sense(&o), LBA_OUT_OF_RANGE);
    }
    assert_eq!(lba_status(&rig, BLOCKS - 1), (BLOCKS - 1, 1, 1));
}

#[test]
fn read_capacity_reports_size_block_size_and_provisioning() {
    let rig = Rig::new();
    let d = rig.ok(&[0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0], &[], 8);
    assert_eq!(
        d,
        [(BLOCKS as u32 - 1).to_be_bytes(), 512u32.to_be_bytes()].concat()
    );
    let mut c = cdb16(0x9e, 0x10, 0, 32);
    c[2..10].fill(0);
    let d = rig.ok(&c, &[], 32);
    assert_eq!(d.len(), 32);
    assert_eq!(&d[0..8], &(BLOCKS - 1).to_be_bytes());
    assert_eq!(&d[8..12], &512u32.to_be_bytes());
    assert_eq!(d[13], 0, "one logical block per physical block");
    assert_eq!(d[14] & 0xc0, 0xc0, "LBPME and LBPRZ");
    // An allocation length below 32 is not an error; it truncates.
    c[10..14].copy_from_slice(&5u32.to_be_bytes());
    let (o, d) = rig.run(&c, &[], 5);
    assert_eq!((o.status, d.len()), (ScsiStatus::Good, 5));
}
