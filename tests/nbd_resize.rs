//! A volume that grows (lvextend) shows its new size to new connections; existing
//! connections keep working.

mod nbd_common;
use nbd_common::*;
use rvm::block::{BlockDevice, FileDevice};
use rvm::engine::Piece;
use std::sync::Arc;

#[test]
fn growth_is_visible_to_new_connections() {
    let fx = Fixture::new();
    let (path, vol) = fx.add_file("vol", 8 << 20, false);
    let mut old = RawClient::connect(fx.addr, "vol", true);
    assert_eq!(old.size, 8 << 20);

    // Grow the backing file and remap the volume, the way lvextend will.
    let dev = Arc::new(FileDevice::open(&path).unwrap());
    dev.set_len(16 << 20).unwrap();
    let len = dev.len().unwrap();
    vol.remap(vec![Piece {
        device: dev,
        lv_offset: 0,
        dev_offset: 0,
        len,
    }])
    .unwrap();

    let mut new = RawClient::connect(fx.addr, "vol", false);
    assert_eq!(new.size, 16 << 20);
    assert_eq!(new.write((12 << 20) as u64, &[5; 4096]), 0);
    assert_eq!(new.read(12 << 20, 4096).unwrap(), vec![5; 4096]);
    let size = run_ok("nbdinfo", &["--size", &fx.uri("vol")]);
    assert_eq!(size.trim(), (16u64 << 20).to_string());
    assert_eq!(old.write(4096, &[6; 4096]), 0);
    assert_eq!(old.read(4096, 4096).unwrap(), vec![6; 4096]);
    old.disconnect();
    new.disconnect();
}
