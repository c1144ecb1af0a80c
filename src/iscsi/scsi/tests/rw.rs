use super::*;

fn pattern(blocks: usize, seed: u8) -> Vec<u8> {
    (0..blocks * 512)
        .map(|i| (i as u8).wrapping_mul(7) ^ seed)
        .collect()
}

#[test]
fn every_read_size_returns_what_write_stored() {
    let rig = Rig::new();
    let data = pattern(4, 1);
    rig.ok(&cdb10(0x2a, 0, 8, 4), &data, 0);
    assert_eq!(rig.ok(&cdb10(0x28, 0, 8, 4), &[], 2048), data);
    assert_eq!(rig.ok(&cdb16(0x88, 0, 8, 4), &[], 2048), data);
    let mut r12 = vec![0xa8, 0, 0, 0, 0, 8, 0, 0, 0, 4, 0, 0];
    assert_eq!(rig.ok(&r12, &[], 2048), data);
    r12[0] = 0xaa;
    rig.ok(&r12, &pattern(4, 9), 0);
    assert_eq!(rig.vol.bytes(8 * 512, 2048), pattern(4, 9));
    let r6 = [0x08, 0, 0, 8, 2, 0];
    assert_eq!(rig.ok(&r6, &[], 1024), pattern(4, 9)[..1024]);
}

#[test]
fn read6_of_zero_blocks_means_256() {
    let rig = Rig::new();
    let (o, d) = rig.run(&[0x08, 0, 0, 0, 0, 0], &[], 256 * 512);
    assert_eq!(o.status, ScsiStatus::Good);
    assert_eq!(o.transfer_len, 256 * 512);
    assert_eq!(d.len(), 256 * 512);
}

#[test]
fn reads_past_the_end_are_lba_out_of_range() {
    let rig = Rig::new();
    let (o, _) = rig.run(&cdb10(0x28, 0, BLOCKS as u32 - 1, 2), &[], 1024);
    assert_eq!(sense(&o), LBA_OUT_OF_RANGE);
    let (o, _) = rig.run(&cdb16(0x88, 0, u64::MAX, 1), &[], 512);
    assert_eq!(sense(&o), LBA_OUT_OF_RANGE);
    let (o, _) = rig.run(&cdb10(0x28, 0, BLOCKS as u32 + 1, 0), &[], 0);
    assert_eq!(sense(&o), LBA_OUT_OF_RANGE);
    let (o, d) = rig.run(&cdb10(0x28, 0, 0, 0), &[], 0);
    assert_eq!(
        (o.status, o.transfer_len, d.len()),
        (ScsiStatus::Good, 0, 0)
    );
}

#[test]
fn nonzero_protect_fields_are_invalid_with_a_field_pointer() {
    let rig = Rig::new();
    for op in [0x28, 0x2a, 0x2f, 0x2e] {
        let (o, _) = rig.run(&cdb10(op, 0x20, 0, 1), &[0; 512], 512);
        assert_eq!(sense(&o), INVALID_FIELD_IN_CDB, "opcode {op:#x}");
        // SKSV, C/D, BPV, bit 7 of byte 1.
        assert_eq!(&o.sense.unwrap().as_bytes()[15..18], &[0xcf, 0, 1]);
    }
}

#[test]
fn a_short_expected_length_reads_only_what_fits_and_reports_the_full_length() {
    let rig = Rig::new();
    rig.ok(&cdb10(0x2a, 0, 0, 2), &pattern(2, 3), 0);
    let (o, d) = rig.run(&cdb10(0x28, 0, 0, 2), &[], 200);
    assert_eq!(o.status, ScsiStatus::Good);
    assert_eq!(o.transfer_len, 1024);
    assert_eq!(d, pattern(2, 3)[..200]);
}

#[test]
fn a_short_data_out_writes_its_whole_blocks_and_reports_the_cdb_length() {
    let rig = Rig::new();
    rig.ok(&cdb10(0x2a, 0, 0, 2), &[b'a'; 1024], 0);
    let (o, _) = rig.run(&cdb10(0x2a, 0, 0, 2), &[b'b'; 512], 0);
    assert_eq!((o.status, o.transfer_len), (ScsiStatus::Good, 1024));
    assert_eq!(rig.vol.bytes(0, 1024), [[b'b'; 512], [b'a'; 512]].concat());
    // More Data-Out than the CDB asks for: only the CDB's blocks are written.
    let (o, _) = rig.run(&cdb10(0x2a, 0, 0, 1), &[b'c'; 1024], 0);
    assert_eq!((o.status, o.transfer_len), (ScsiStatus::Good, 512));
    assert_eq!(rig.vol.bytes(512, 512), [b'a'; 512]);
    let (o, _) = rig.run(&cdb10(0x2a, 0, 0, 1), &[], 0);
    assert_eq!((o.status, o.transfer_len), (ScsiStatus::Good, 512));
    let (o, _) = rig.run(&cdb10(0x2a, 0, 0, 1), &[0; 200], 0);
    assert_eq!(sense(&o), (5, 0x0e, 0x03));
}

#[test]
fn reads_reuse_the_callers_buffer() {
    let rig = Rig::new();
    let mut buf = vec![0xeeu8; 8192];
    let ptr = buf.as_ptr();
    let nexus = rig.nexus.clone();
    for len in [8u16, 16, 4] {
        let cdb = cdb10(0x28, 0, 0, len);
        let cmd = ScsiCommand {
            lun: 0,
            cdb: &cdb,
            data_out: &[],
            expected_data_in: 65536,
            nexus: &nexus,
            attr: TaskAttr::Simple,
        };
        let o = rig.target.execute(&cmd, &mut buf);
        assert_eq!(o.status, ScsiStatus::Good);
        assert_eq!(buf.len(), usize::from(len) * 512);
        assert!(buf.iter().all(|&b| b == 0));
    }
    assert_eq!(buf.as_ptr(), ptr, "an 8 KiB buffer holds every read here");
}

#[test]
fn fua_and_a_disabled_write_cache_make_writes_write_through() {
    let rig = Rig::new();
    rig.ok(&cdb10(0x2a, 0, 0, 1), &[1; 512], 0);
    assert_eq!(rig.vol.fua_writes.load(Ordering::Relaxed), 0);
    rig.ok(&cdb10(0x2a, 0x08, 0, 1), &[1; 512], 0);
    assert_eq!(rig.vol.fua_writes.load(Ordering::Relaxed), 1);
    // MODE SELECT(6) of the caching page with WCE clear.
    let mut page = vec![0, 0, 0, 0, 0x08, 0x12];
    page.resize(4 + 20, 0);
    rig.ok(&[0x15, 0x10, 0, 0, page.len() as u8, 0], &page, 0);
    rig.ok(&cdb10(0x2a, 0, 0, 1), &[1; 512], 0);
    assert_eq!(rig.vol.fua_writes.load(Ordering::Relaxed), 2);
}

#[test]
fn synchronize_cache_reaches_the_volume_flush() {
    let rig = Rig::new();
    rig.ok(&cdb10(0x35, 0, 0, 0), &[], 0);
    rig.ok(&cdb16(0x91, 0, 0, 8), &[], 0);
    assert_eq!(rig.vol.flushes.load(Ordering::Relaxed), 2);
    let (o, _) = rig.run(&cdb10(0x35, 0, BLOCKS as u32, 1), &[], 0);
    assert_eq!(sense(&o), LBA_OUT_OF_RANGE);
}

#[test]
fn writes_to_read_only_luns_and_volumes_are_write_protected() {
    let rig = Rig::with(LunSettings {
        read_only: true,
        identity: None,
    });
    for cdb in [
        cdb10(0x2a, 0, 0, 1),
        cdb10(0x41, 0, 0, 1),
        cdb10(0x2e, 0, 0, 1),
    ] {
        let (o, _) = rig.run(&cdb, &[0; 512], 0);
        assert_eq!(sense(&o), WRITE_PROTECTED);
    }
    rig.ok(&cdb10(0x28, 0, 0, 1), &[], 512);
    let rig = Rig::new();
    rig.vol.read_only.store(true, Ordering::Release);
    let (o, _) = rig.run(&cdb16(0x8a, 0, 0, 1), &[0; 512], 0);
    assert_eq!(sense(&o), WRITE_PROTECTED);
}

#[test]
fn io_errors_are_unrecovered_read_errors() {
    let rig = Rig::new();
    rig.vol.fail_reads.store(true, Ordering::Release);
    let (o, d) = rig.run(&cdb10(0x28, 0, 0, 1), &[], 512);
    assert_eq!(sense(&o), (3, 0x11, 0));
    assert!(d.is_empty());
}

#[test]
fn transfers_above_the_block_limit_are_invalid() {
    let rig = Rig::new();
    let (o, _) = rig.run(&cdb16(0x88, 0, 0, 65537), &[], 0);
    assert_eq!(sense(&o), INVALID_FIELD_IN_CDB);
}

#[test]
fn verify_with_bytchk_reports_the_offset_of_the_first_difference() {
    let rig = Rig::new();
    let data = pattern(2, 5);
    rig.ok(&cdb10(0x2a, 0, 4, 2), &data, 0);
    rig.ok(&cdb10(0x2f, 0x02, 4, 2), &data, 0);
    let mut bad = data.clone();
    bad[700] ^= 0xff;
    let (o, _) = rig.run(&cdb10(0x2f, 0x02, 4, 2), &bad, 0);
    assert_eq!(sense(&o), (0x0e, 0x1d, 0));
    let s = o.sense.unwrap();
    assert_eq!(
        s.as_bytes()[0],
        0xf0,
        "VALID: the INFORMATION field holds the offset"
    );
    assert_eq!(&s.as_bytes()[3..7], &700u32.to_be_bytes());
    // BYTCHK=0 only checks the range.
    rig.ok(&cdb10(0x2f, 0, 4, 2), &[], 0);
    let (o, _) = rig.run(&cdb16(0x8f, 0, BLOCKS, 1), &[], 0);
    assert_eq!(sense(&o), LBA_OUT_OF_RANGE);
}

fn caw(lba: u64, blocks: u8) -> Vec<u8> {
    let mut c = cdb16(0x89, 0, lba, 0);
    c[13] = blocks;
    c[10..13].fill(0);
    c
}

#[test]
fn compare_and_write_writes_only_when_the_compare_matches() {
    let rig = Rig::new();
    rig.ok(&cdb10(0x2a, 0, 10, 2), &[b'A'; 1024], 0);
    let data = [vec![b'A'; 1024], vec![b'B'; 1024]].concat();
    let (o, _) = rig.run(&caw(10, 2), &data, 0);
    assert_eq!((o.status, o.transfer_len), (ScsiStatus::Good, 2048));
    assert_eq!(rig.vol.bytes(10 * 512, 1024), vec![b'B'; 1024]);
    let mut mis = [vec![b'B'; 1024], vec![b'C'; 1024]].concat();
    mis[1000] = b'X';
    let (o, _) = rig.run(&caw(10, 2), &mis, 0);
    assert_eq!(sense(&o), (0x0e, 0x1d, 0));
    assert_eq!(&o.sense.unwrap().as_bytes()[3..7], &1000u32.to_be_bytes());
    assert_eq!(rig.vol.bytes(10 * 512, 1024), vec![b'B'; 1024]);
}

#[test]
fn compare_and_write_refuses_a_data_out_of_the_wrong_size() {
    let rig = Rig::new();
    let (o, _) = rig.run(&caw(0, 1), &[0; 2048], 0);
    assert_eq!(sense(&o).0, 5);
    let (o, _) = rig.run(&caw(0, 3), &[0; 2048], 0);
    assert_eq!(sense(&o).0, 5);
    let (o, _) = rig.run(&caw(BLOCKS - 1, 2), &[0; 2048], 0);
    assert_eq!(sense(&o), LBA_OUT_OF_RANGE);
}

#[test]
fn prefetch_checks_its_range_and_answers_good() {
    let rig = Rig::new();
    rig.ok(&cdb10(0x34, 0, 0, 16), &[], 0);
    rig.ok(&cdb16(0x90, 0x02, BLOCKS - 1, 1), &[], 0);
    let (o, _) = rig.run(&cdb10(0x34, 0, BLOCKS as u32 + 1, 0), &[], 0);
    assert_eq!(sense(&o), LBA_OUT_OF_RANGE);
}

#[test]
fn naca_and_link_bits_are_refused() {
    let rig = Rig::new();
    let mut c = cdb10(0x28, 0, 0, 1);
    c[9] = 0x04;
    let (o, _) = rig.run(&c, &[], 512);
    assert_eq!(sense(&o), INVALID_FIELD_IN_CDB);
}

#[test]
fn unknown_opcodes_are_invalid_command_operation_codes() {
    let rig = Rig::new();
    let (o, _) = rig.run(&[0xc0, 0, 0, 0, 0, 0], &[], 0);
    assert_eq!(sense(&o), INVALID_OPCODE);
    let (o, _) = rig.run(
        &[0x9e, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        &[],
        0,
    );
    assert_eq!(sense(&o), INVALID_FIELD_IN_CDB);
    assert_eq!(&o.sense.unwrap().as_bytes()[15..18], &[0xcc, 0, 1]);
}

#[test]
fn orwrite_ors_the_data_into_the_blocks() {
    let rig = Rig::new();
    rig.ok(&cdb10(0x2a, 0, 0, 2), &[0xa5; 1024], 0);
    rig.ok(&cdb16(0x8b, 0, 0, 2), &[0x5a; 1024], 0);
    assert_eq!(rig.vol.bytes(0, 1024), vec![0xff; 1024]);
    let (o, _) = rig.run(&cdb16(0x8b, 0x20, 0, 1), &[0; 512], 0);
    assert_eq!(sense(&o), INVALID_FIELD_IN_CDB);
    let (o, _) = rig.run(&cdb16(0x8b, 0, BLOCKS, 1), &[0; 512], 0);
    assert_eq!(sense(&o), LBA_OUT_OF_RANGE);
}

#[test]
fn read_defect_data_reports_an_empty_list() {
    let rig = Rig::new();
    let d = rig.ok(&[0x37, 0, 0x18, 0, 0, 0, 0, 0, 32, 0], &[], 32);
    assert_eq!(d, [0, 0x18, 0, 0]);
    let d = rig.ok(&[0xb7, 0x0d, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0], &[], 32);
    assert_eq!(d, [0, 0x0d, 0, 0, 0, 0, 0, 0]);
}

#[test]
fn compare_and_write_is_atomic_against_concurrent_writes() {
    // A writer keeps writing block 0 while COMPARE AND WRITE runs on it. In the order the
    // volume saw operations, no foreign write may fall between a COMPARE AND WRITE's read
    // and its write.
    let rig = Arc::new(Rig::new());
    rig.ok(&cdb10(0x2a, 0, 0, 1), &[b'A'; 512], 0);
    rig.vol.log_ops.store(true, Ordering::Relaxed);
    let stop = Arc::new(AtomicBool::new(false));
    let started = Arc::new(AtomicBool::new(false));
    let writer = {
        let (rig, stop, started) = (rig.clone(), stop.clone(), started.clone());
        std::thread::spawn(move || {
            let n = rig.second();
            while !stop.load(Ordering::Relaxed) {
                rig.run_on(&n, &cdb10(0x2a, 0, 0, 1), &[b'A'; 512], 0);
                started.store(true, Ordering::Relaxed);
            }
        })
    };
    while !started.load(Ordering::Relaxed) {
        std::thread::yield_now();
    }
    let swap = [vec![b'A'; 512], vec![b'A'; 512]].concat();
    for _ in 0..300 {
        assert_eq!(rig.run(&caw(0, 1), &swap, 0).0.status, ScsiStatus::Good);
    }
    stop.store(true, Ordering::Relaxed);
    writer.join().unwrap();
    let me = std::thread::current().id();
    let ops = rig.vol.ops.lock().unwrap();
    let mut in_caw = false;
    let mut interleaved = 0;
    for &(who, write) in ops.iter() {
        match (who == me, write) {
            (true, false) => in_caw = true,
            (true, true) => in_caw = false,
            (false, true) if in_caw => interleaved += 1,
            _ => {}
        }
    }
    assert_eq!(interleaved, 0, "writes landed inside COMPARE AND WRITE");
    assert!(ops.iter().any(|&(who, _)| who != me), "the writer ran");
}
