use super::*;

fn inquiry(evpd: bool, page: u8, alloc: u16) -> Vec<u8> {
    let a = alloc.to_be_bytes();
    vec![0x12, u8::from(evpd), page, a[0], a[1], 0]
}

#[test]
fn standard_inquiry_names_rvm_and_claims_spc4_and_sbc3() {
    let rig = Rig::new();
    let d = rig.ok(&inquiry(false, 0, 255), &[], 255);
    assert_eq!(d.len(), 96);
    assert_eq!(&d[0..4], &[0x00, 0x00, 0x06, 0x12]);
    assert_eq!(usize::from(d[4]), d.len() - 5);
    assert_eq!(d[7] & 0x02, 0x02, "CMDQUE");
    assert_eq!(d[5] & 0x08, 0, "no third-party copy");
    assert_eq!(&d[8..16], b"RVM     ");
    assert_eq!(&d[16..32], b"rvm volume      ");
    let versions: Vec<u16> = d[58..74]
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    assert!(versions.contains(&0x0460) && versions.contains(&0x04c0));
}

#[test]
fn allocation_length_truncates_and_sets_the_transfer_length() {
    let rig = Rig::new();
    let (o, d) = rig.run(&inquiry(false, 0, 5), &[], 5);
    assert_eq!(
        (o.status, o.transfer_len, d.len()),
        (ScsiStatus::Good, 5, 5)
    );
    // The initiator expecting less than the allocation length gets less (overflow).
    let (o, d) = rig.run(&inquiry(false, 0, 255), &[], 36);
    assert_eq!((o.transfer_len, d.len()), (96, 36));
    let full = rig.ok(&inquiry(false, 0, 512), &[], 512);
    assert_eq!(full, rig.ok(&inquiry(false, 0, 511), &[], 511));
}

#[test]
fn page_code_without_evpd_is_invalid() {
    let rig = Rig::new();
    let (o, _) = rig.run(&inquiry(false, 0x80, 255), &[], 255);
    assert_eq!(sense(&o), INVALID_FIELD_IN_CDB);
    let (o, _) = rig.run(&inquiry(true, 0x42, 255), &[], 255);
    assert_eq!(sense(&o), INVALID_FIELD_IN_CDB);
}

#[test]
fn supported_pages_are_sorted_and_each_one_reads() {
    let rig = Rig::new();
    let d = rig.ok(&inquiry(true, 0, 255), &[], 255);
    assert_eq!(d, [0, 0, 0, 6, 0x00, 0x80, 0x83, 0xb0, 0xb1, 0xb2]);
    for &p in &d[4..] {
        let v = rig.ok(&inquiry(true, p, 255), &[], 255);
        assert_eq!(v[1], p);
        assert_eq!(usize::from(u16::from_be_bytes([v[2], v[3]])), v.len() - 4);
    }
}

#[test]
fn serial_and_designators_come_from_the_volume_identity() {
    let rig = Rig::new();
    let s = rig.ok(&inquiry(true, 0x80, 255), &[], 255);
    assert_eq!(&s[4..], b"Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z");
    let d = rig.ok(&inquiry(true, 0x83, 255), &[], 255);
    // First designator: NAA, logical unit association, 8 bytes, NAA 3.
    assert_eq!(&d[4..8], &[0x01, 0x03, 0x00, 0x08]);
    assert_eq!(d[8] >> 4, 3);
    // A second target serving the same volume reports the same designators.
    let other = TargetLuns::new("iqn.2026-11.org.example:t1");
    other
        .add_lun(0, rig.vol.clone(), LunSettings::default())
        .unwrap();
    let n = other.login(nexus("iqn.x:h", 1));
    let mut buf = Vec::new();
    let cdb = inquiry(true, 0x83, 255);
    let cmd = ScsiCommand {
        lun: 0,
        cdb: &cdb,
        data_out: &[],
        expected_data_in: 255,
        nexus: &n,
        attr: TaskAttr::Simple,
    };
    assert_eq!(other.execute(&cmd, &mut buf).status, ScsiStatus::Good);
    assert_eq!(&buf[..20], &d[..20]);
    let text = String::from_utf8_lossy(&d);
    assert!(text.contains("iqn.2026-11.org.example:t1,t,0x0001"));
    // An identity in the settings overrides the volume's.
    let rig2 = Rig::with(LunSettings {
        read_only: false,
        identity: Some([b'z'; 32]),
    });
    let s2 = rig2.ok(&inquiry(true, 0x80, 255), &[], 255);
    assert_eq!(&s2[4..], &[b'z'; 32]);
}

#[test]
fn block_limits_and_provisioning_pages_advertise_what_is_implemented() {
    let rig = Rig::new();
    let b0 = rig.ok(&inquiry(true, 0xb0, 255), &[], 255);
    assert_eq!(b0.len(), 64);
    assert_eq!(b0[3], 0x3c);
    assert_eq!(b0[4] & 1, 0, "WSNZ clear");
    assert_eq!(b0[5], 255, "max compare and write length");
    assert_eq!(&b0[8..12], &65536u32.to_be_bytes(), "32 MiB max transfer");
    assert_eq!(&b0[20..24], &(1u32 << 20).to_be_bytes());
    assert_eq!(&b0[24..28], &256u32.to_be_bytes());
    let b1 = rig.ok(&inquiry(true, 0xb1, 255), &[], 255);
    assert_eq!(&b1[4..6], &[0, 1], "non-rotating");
    let b2 = rig.ok(&inquiry(true, 0xb2, 255), &[], 255);
    assert_eq!(b2[5], 0xe4, "LBPU, LBPWS, LBPWS10, LBPRZ");
}

#[test]
fn an_unmapped_lun_answers_inquiry_with_qualifier_3_and_nothing_else() {
    let rig = Rig::new();
    let (o, d) = rig.run_lun(&rig.nexus, 5, &inquiry(false, 0, 96), &[], 96);
    assert_eq!(o.status, ScsiStatus::Good);
    assert_eq!(d[0], 0x7f);
    let (o, _) = rig.run_lun(&rig.nexus, 5, &[0, 0, 0, 0, 0, 0], &[], 0);
    assert_eq!(sense(&o), (5, 0x25, 0));
    let (o, d) = rig.run_lun(&rig.nexus, 5, &[0x03, 0, 0, 0, 18, 0], &[], 18);
    assert_eq!(o.status, ScsiStatus::Good);
    assert_eq!((d[2], d[12]), (5, 0x25));
}

fn rsoc(options: u8, rctd: bool, opcode: u8, sa: u16) -> Vec<u8> {
    let mut c = vec![
        0xa3,
        0x0c,
        options | if rctd { 0x80 } else { 0 },
        opcode,
        0,
        0,
    ];
    c[4..6].copy_from_slice(&sa.to_be_bytes());
    c.extend_from_slice(&65535u32.to_be_bytes());
    c.extend_from_slice(&[0, 0]);
    c
}

#[test]
fn report_supported_opcodes_lists_every_table_row() {
    let rig = Rig::new();
    let d = rig.ok(&rsoc(0, false, 0, 0), &[], 65535);
    let len = u32::from_be_bytes(d[0..4].try_into().unwrap()) as usize;
    assert_eq!(len, d.len() - 4);
    assert_eq!(len / 8, super::super::dispatch::TABLE.len());
    for desc in d[4..].chunks(8) {
        let servactv = desc[5] & 1 == 1;
        assert!(servactv || desc[2..4] == [0, 0]);
        let one = if servactv {
            rsoc(2, false, desc[0], u16::from_be_bytes([desc[2], desc[3]]))
        } else {
            rsoc(1, false, desc[0], 0)
        };
        let o = rig.ok(&one, &[], 65535);
        assert_eq!(o[1] & 0x07, 3, "supported");
        assert_eq!(o[4], desc[0], "usage data starts with the opcode");
        assert_eq!(usize::from(u16::from_be_bytes([o[2], o[3]])), o.len() - 4);
        let wrong = if servactv {
            rsoc(1, false, desc[0], 0)
        } else {
            rsoc(2, false, desc[0], 0)
        };
        let (o, _) = rig.run(&wrong, &[], 65535);
        assert_eq!(sense(&o), INVALID_FIELD_IN_CDB);
    }
    let d = rig.ok(&rsoc(0, true, 0, 0), &[], 65535);
    assert_eq!(
        (d.len() - 4) % 20,
        0,
        "every descriptor has a timeout descriptor"
    );
    assert!(d[4..]
        .chunks(20)
        .all(|c| c[5] & 2 == 2 && c[8..10] == [0, 0x0a]));
    let one = rig.ok(&rsoc(1, false, 0xc7, 0), &[], 65535);
    assert_eq!(one, [0, 1, 0, 0], "not supported");
}

#[test]
fn report_tmfs_lists_abort_and_reset_functions() {
    let rig = Rig::new();
    let d = rig.ok(&[0xa3, 0x0d, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0], &[], 4);
    assert_eq!(d, [0xda, 0, 0, 0]);
}
