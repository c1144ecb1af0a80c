//! Read-only exports and read-only volumes (snapshots) refuse every write with EPERM and
//! advertise READ_ONLY; reads still work.

mod nbd_common;
use nbd_common::*;
use rvm::nbd::wire::*;
use std::fs::File;

#[test]
fn read_only_exports_and_volumes_refuse_writes_with_eperm() {
    let fx = Fixture::new();
    fx.add_file("ro-export", 1 << 20, true);
    let path = fx.path("ro-volume.img");
    File::create(&path).unwrap().set_len(1 << 20).unwrap();
    std::fs::write(&path, vec![0x42; 1 << 20]).unwrap();
    fx.add("ro-volume", file_volume(&path, true), false);

    for name in ["ro-export", "ro-volume"] {
        for structured in [false, true] {
            let mut c = RawClient::connect(fx.addr, name, structured);
            assert_ne!(c.flags & FLAG_READ_ONLY, 0);
            assert_eq!(c.flags & (FLAG_SEND_TRIM | FLAG_SEND_WRITE_ZEROES), 0);
            assert_eq!(c.write(0, &[1; 4096]), EPERM, "{name}");
            c.send(CMD_TRIM, 0, 9, 0, 4096, &[]);
            assert_eq!(c.reply(0).error, EPERM);
            c.send(CMD_WRITE_ZEROES, 0, 9, 0, 4096, &[]);
            assert_eq!(c.reply(0).error, EPERM);
            assert_eq!(c.flush(), 0);
            assert!(c.read(0, 4096).is_ok());
            c.disconnect();
        }
    }
    assert!(std::fs::read(&path).unwrap().iter().all(|&b| b == 0x42));
    assert!(std::fs::read(fx.path("ro-export"))
        .unwrap()
        .iter()
        .all(|&b| b == 0));
}
