//! qemu-io patterns: writes verified by pattern reads, discard, write-zeroes, FUA, and
//! refusals on a read-only export.

mod nbd_common;
use nbd_common::*;

fn qemu_io(uri: &str, cmds: &[&str]) -> std::process::Output {
    qemu_io_with(&[], uri, cmds)
}

fn qemu_io_with(opts: &[&str], uri: &str, cmds: &[&str]) -> std::process::Output {
    let mut args = vec!["-f", "raw"];
    args.extend_from_slice(opts);
    for c in cmds {
        args.push("-c");
        args.push(c);
    }
    args.push(uri);
    run_tool("qemu-io", &args)
}

#[test]
fn qemu_io_patterns_discard_and_write_zeroes() {
    let fx = Fixture::new();
    let (disk, _) = fx.add_file("vg0/vol", 16 << 20, false);
    let out = qemu_io(
        &fx.uri("vg0/vol"),
        &[
            "write -P 0xab 0 1M",
            "write -f -P 0xcd 1M 64k",
            "read -P 0xab 0 1M",
            "read -P 0xcd 1M 64k",
            "discard 0 64k",
            "read -P 0 0 64k",
            "read -P 0xab 64k 64k",
            "write -z 128k 64k",
            "read -P 0 128k 64k",
            "write -z -u 192k 64k",
            "read -P 0 192k 64k",
            "flush",
            "read -P 0 15M 1M",
        ],
    );
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains("Pattern verification failed"), "{text}");
    assert!(!text.contains("failed"), "{text}");
    let bytes = std::fs::read(&disk).unwrap();
    assert!(bytes[256 << 10..1 << 20].iter().all(|&b| b == 0xab));
    assert!(bytes[1 << 20..(1 << 20) + (64 << 10)]
        .iter()
        .all(|&b| b == 0xcd));
    assert!(bytes[..256 << 10]
        .iter()
        .step_by(4096)
        .all(|&b| b == 0 || b == 0xab));
    assert!(bytes[..64 << 10].iter().all(|&b| b == 0));
}

#[test]
fn qemu_io_writes_to_a_read_only_export_fail() {
    let fx = Fixture::new();
    let (disk, _) = fx.add_file("vg0/snap", 4 << 20, true);
    let out = qemu_io_with(&["-r"], &fx.uri("vg0/snap"), &["read -P 0 0 64k"]);
    assert!(out.status.success());
    // qemu opens a read-only export read-only and refuses the write itself; either way it
    // must fail and nothing may change.
    let out = qemu_io(&fx.uri("vg0/snap"), &["write -P 0x11 0 4k"]);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !out.status.success()
            || text.contains("denied")
            || text.contains("failed")
            || text.contains("read-only")
            || text.contains("not permitted"),
        "{text}"
    );
    assert!(std::fs::read(&disk).unwrap().iter().all(|&b| b == 0));
}
