//! A read-only LUN (a snapshot exported read-only, or `--readonly`) refuses every write
//! with DATA PROTECT / WRITE PROTECTED and says so in the mode parameter header: checked by
//! libiscsi's ReadOnly suite, which the main conformance run skips on its writable LUN.

mod iscsi_common;
use iscsi_common::*;

const T: &str = "iqn.2026-11.org.example:readonly";

#[test]
fn iscsi_test_cu_read_only_suite_passes_on_a_read_only_lun() {
    let mut t = TestServer::start();
    t.server().create_target(T).unwrap();
    let v = t.volume(64 << 20);
    t.server().add_lun(T, 0, "vg/snap", v, true).unwrap();
    t.server()
        .set_access(T, None, [INITIATOR.to_string()], None)
        .unwrap();
    let url = t.url(T, 0);
    // --dataloss lets the suite try its writes; the LUN must refuse every one.
    let out = tool_within(
        600,
        &[
            "iscsi-test-cu",
            "--dataloss",
            "-i",
            INITIATOR,
            "-t",
            "ALL.ReadOnly",
            &url,
        ],
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("Test: ReadOnlySBC"),
        "the suite did not run: {text}"
    );
    assert!(
        !text.contains("SKIPPED"),
        "skipped on a read-only LUN: {text}"
    );
    assert!(!text.contains("FAILED"), "{text}");
    assert!(text.contains("passed"), "{text}");
}
