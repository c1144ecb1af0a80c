//! fio over its NBD engine: random writes at queue depth 16, then a crc32c verify pass.

mod nbd_common;
use nbd_common::*;

#[test]
fn fio_random_writes_verify_with_crc32c() {
    let fx = Fixture::new();
    fx.add_file("vg0/vol", 64 << 20, false);
    let uri = fx.uri("vg0/vol");
    let out = run_ok(
        "fio",
        &[
            "--name=verify",
            "--ioengine=nbd",
            &format!("--uri={uri}"),
            "--rw=randwrite",
            "--bsrange=4k-64k",
            "--iodepth=16",
            "--size=64M",
            "--io_size=48M",
            "--verify=crc32c",
            "--verify_fatal=1",
            "--verify_state_save=0",
            "--do_verify=1",
            "--output-format=json",
        ],
    );
    let json = &out[out.find('{').expect("fio json")..];
    let v: serde_json::Value = serde_json::from_str(json).unwrap();
    let job = &v["jobs"][0];
    assert_eq!(job["error"], 0, "{json}");
    assert!(
        job["write"]["io_bytes"].as_u64().unwrap() >= 48 << 20,
        "{json}"
    );
    assert!(
        job["read"]["io_bytes"].as_u64().unwrap() > 0,
        "verify read nothing: {json}"
    );
}
