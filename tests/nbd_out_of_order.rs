//! Many requests in flight on one connection, completed out of order: a slow flush does not
//! hold back the reads queued behind it.

mod nbd_common;
use nbd_common::*;
use rvm::engine::Volume;
use rvm::nbd::wire::*;
use std::collections::HashSet;

#[test]
fn reads_overtake_a_slow_flush() {
    let fx = Fixture::new();
    let gate = fx.add_gated("vol", 4 << 20, true, true);
    let mut c = RawClient::connect(fx.addr, "vol", true);
    assert_eq!(c.write(0, &[3; 8192]), 0);
    c.send(CMD_FLUSH, 0, 1000, 0, 0, &[]);
    for i in 0..64u64 {
        c.send(CMD_READ, 0, i, (i % 2) * 4096, 4096, &[]);
    }
    let mut seen = HashSet::new();
    for _ in 0..64 {
        let r = c.reply(4096);
        assert_ne!(r.handle, 1000, "the flush is still blocked");
        assert_eq!(r.error, 0);
        assert_eq!(r.data, vec![3; 4096]);
        assert!(seen.insert(r.handle));
    }
    assert_eq!(gate.flush_count(), 0);
    gate.release();
    let r = c.reply(0);
    assert_eq!((r.handle, r.error), (1000, 0));
    assert_eq!(gate.flush_count(), 1);
    c.disconnect();
}

#[test]
fn pipelined_writes_on_several_helpers_all_complete() {
    let config = rvm::nbd::ServerConfig {
        helper_threads: 4,
        offload: rvm::nbd::Offload::Writes,
        ..rvm::nbd::ServerConfig::default()
    };
    let fx = Fixture::with_config(config);
    fx.add_file("vol", 4 << 20, false);
    let mut c = RawClient::connect(fx.addr, "vol", true);
    for round in 0..20u64 {
        for i in 0..64u64 {
            let flags = if i % 8 == 0 { CMD_FLAG_FUA } else { 0 };
            c.send(CMD_WRITE, flags, i, i * 4096, 4096, &[round as u8; 4096]);
        }
        let mut seen = HashSet::new();
        for _ in 0..64 {
            // A lost reply shows up as a read timeout here.
            let r = c.reply(0);
            assert_eq!(r.error, 0);
            assert!(seen.insert(r.handle));
        }
    }
    assert_eq!(c.read(63 * 4096, 4096).unwrap(), vec![19; 4096]);
    c.disconnect();
}

#[test]
fn pipelined_large_reads_arrive_whole_among_small_ones() {
    let fx = Fixture::new();
    let size = 16u64 << 20;
    let (_, vol) = fx.add_file("vol", size, false);
    let data = pattern_file(&fx.path("pattern"), 12 << 20, 0x40);
    vol.write_at(&data, 0, false).unwrap();
    let expect = |offset: u64, len: u32| -> Vec<u8> {
        let (a, b) = (offset as usize, offset as usize + len as usize);
        let mut v = data.get(a..b.min(data.len())).unwrap_or(&[]).to_vec();
        v.resize(len as usize, 0);
        v
    };
    for structured in [false, true] {
        let mut c = RawClient::connect(fx.addr, "vol", structured);
        // A simple reply does not say how long it is, so those batches keep one length.
        let lens: &[u32] = match structured {
            false => &[1 << 20, 2 << 20, 4096],
            true => &[(1 << 20) + (1 << 19)],
        };
        for &len in lens {
            let mut wanted = std::collections::HashMap::new();
            for i in 0..12u64 {
                // Mixed sizes among the structured reads; the last ones hit the zeros.
                let len = match (structured, i % 3) {
                    (true, 1) => 4096,
                    (true, 2) => 1 << 20,
                    _ => len,
                };
                let offset = (i * 1_300_000) % (size - u64::from(len));
                c.send(CMD_READ, 0, i, offset, len, &[]);
                wanted.insert(i, Ok(expect(offset, len)));
            }
            c.send(CMD_READ, 0, 99, size - u64::from(len) / 2, len, &[]);
            wanted.insert(99, Err(EINVAL));
            while !wanted.is_empty() {
                let r = c.reply(len as usize);
                let want = wanted.remove(&r.handle).expect("one reply per request");
                match want {
                    Ok(bytes) => {
                        assert_eq!(r.error, 0, "handle {}", r.handle);
                        assert!(r.data == bytes, "handle {} read other data", r.handle);
                    }
                    Err(errno) => assert_eq!(r.error, errno, "read past the end"),
                }
            }
        }
        assert_eq!(c.read(0, 4096).unwrap(), expect(0, 4096), "still in step");
        c.disconnect();
    }
}
