//! libiscsi's conformance suite, iscsi-test-cu, run with --dataloss against a target this test
//! sets up: once plain, once with mutual CHAP and CRC32C digests. It fails on any failure, on
//! any skip missing from tests/iscsi-test-cu.skip, and below 480 passed (skips not counted).
//!
//! A third run goes through `rvm serve` itself, onto an LV that has a snapshot, so every
//! write of the suite goes through copy-on-write.
//!
//! libiscsi 1.19 offers HeaderDigest=None,CRC32C but only DataDigest=None, so the second run
//! has header digests on and data digests off; data digests are covered by raw-socket tests.

mod common;
mod daemon_common;
mod iscsi_common;
use iscsi_common::*;
use std::collections::{BTreeMap, BTreeSet};

const T: &str = "iqn.2026-11.org.example:conformance";
const INI1: &str = "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test";
const INI2: &str = "iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test-2";
const MIN_PASSED: usize = 480;

#[derive(Debug, Default)]
struct Tally {
    passed: usize,
    /// Skipped tests counted once per family they ran in.
    skips: usize,
    skipped: BTreeMap<String, String>,
    failed: Vec<String>,
}

/// Reads CUnit's verbose output: a test's text runs from its "Test: NAME ..." line to the
/// next test, suite or summary; "[SKIPPED]" in a passed test's text marks a skip.
fn tally(out: &str) -> Tally {
    let mut t = Tally::default();
    let mut suite = String::new();
    let mut cur: Option<(String, String)> = None;
    let finish = |cur: &mut Option<(String, String)>, t: &mut Tally| {
        if let Some((name, text)) = cur.take() {
            let failed = text.lines().any(|l| l.trim_end().ends_with("FAILED"))
                || text.contains("...FAILED");
            if failed {
                eprintln!("FAILED {name}:{text}");
                t.failed.push(name);
            } else if let Some(i) = text.find("[SKIPPED]") {
                let why = text[i..].lines().next().unwrap_or("").to_string();
                t.skips += 1;
                t.skipped.insert(name, why);
            } else {
                t.passed += 1;
            }
        }
    };
    for line in out.lines() {
        if let Some(s) = line.strip_prefix("Suite: ") {
            finish(&mut cur, &mut t);
            suite = s.trim().to_string();
        } else if let Some(rest) = line.trim_start().strip_prefix("Test: ") {
            finish(&mut cur, &mut t);
            let (name, text) = rest.split_once(" ...").unwrap_or((rest, ""));
            cur = Some((format!("{suite}.{name}"), text.to_string()));
        } else if line.starts_with("Run Summary") {
            finish(&mut cur, &mut t);
        } else if let Some((_, text)) = cur.as_mut() {
            text.push('\n');
            text.push_str(line);
        }
    }
    finish(&mut cur, &mut t);
    t
}

fn allowed_skips() -> BTreeSet<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/iscsi-test-cu.skip");
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (name, why) = l.split_once('\t').expect("Suite.Test<TAB>reason");
            assert!(!why.trim().is_empty(), "{name} has no reason");
            name.to_string()
        })
        .collect()
}

fn run_suite(url: &str) -> Tally {
    // The URL twice: a second session (another ISID) is the second path MultipathIO needs.
    let args = [
        "iscsi-test-cu",
        "--dataloss",
        "-i",
        INI1,
        "-I",
        INI2,
        url,
        url,
    ];
    let out = tool_within(1800, &args);
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains("Run Summary"),
        "iscsi-test-cu did not run: {text}"
    );
    // The whole output, for reading after a failure.
    static RUN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let log = std::env::temp_dir().join(format!("iscsi-test-cu-{}-{n}.log", std::process::id()));
    if std::fs::write(&log, &text).is_ok() {
        eprintln!("iscsi-test-cu output: {}", log.display());
    }
    tally(&text)
}

fn check(t: &Tally) {
    let allowed = allowed_skips();
    let unexpected: Vec<_> = t
        .skipped
        .iter()
        .filter(|(n, _)| !allowed.contains(*n))
        .collect();
    eprintln!(
        "iscsi-test-cu: {} passed, {} failed, {} skipped ({} distinct)",
        t.passed,
        t.failed.len(),
        t.skips,
        t.skipped.len()
    );
    assert!(t.failed.is_empty(), "failed tests: {:?}", t.failed);
    assert!(
        unexpected.is_empty(),
        "skips not in the skip list: {unexpected:?}"
    );
    assert!(t.passed >= MIN_PASSED, "only {} passed", t.passed);
}

fn server(auth: bool) -> TestServer {
    let mut opts = options();
    if auth {
        opts.limits.header_digest = rvm::iscsi::params::DigestPolicy::Prefer;
        opts.limits.data_digest = rvm::iscsi::params::DigestPolicy::Prefer;
    }
    let mut t = TestServer::with(opts);
    t.target(T, &[256 << 20], &[INI1, INI2]);
    if auth {
        let c = chap(
            "cu-user",
            "cu-secret-123",
            Some(("cu-target", "cu-target-456")),
        );
        t.set_chap(T, &[INI1, INI2], Some(c));
    }
    t
}

#[test]
fn tally_reads_cunit_output() {
    let out = "Suite: A\n  Test: X ...passed\n  Test: Y ...    [SKIPPED] nope\npassed\n\
               Suite: B\n  Test: Z ...    [FAILED] bad\nFAILED\n    1. x.c:1 - f\n\
               Run Summary: ...";
    let t = tally(out);
    assert_eq!(t.passed, 1);
    assert_eq!(t.skipped.keys().collect::<Vec<_>>(), ["A.Y"]);
    assert_eq!(t.failed, ["B.Z"]);
}

#[test]
fn iscsi_test_cu_plain() {
    let t = server(false);
    check(&run_suite(&t.url(T, 0)));
}

#[test]
fn iscsi_test_cu_with_mutual_chap_and_header_digests() {
    let t = server(true);
    let url = format!(
        "iscsi://cu-user%cu-secret-123@{}/{}/0?header_digest=crc32c&target_user=cu-target&target_password=cu-target-456",
        t.addr, T
    );
    check(&run_suite(&url));
}

#[test]
fn iscsi_test_cu_through_rvm_serve_onto_an_origin_with_a_snapshot() {
    let s = common::Sandbox::new();
    s.vg("vg0", 1, common::GIB);
    s.ok(&["lvcreate", "-L", "256m", "-n", "lun0", "vg0"]);
    s.ok(&["lvcreate", "-s", "-L", "300m", "-n", "before", "vg0/lun0"]);
    s.ok(&["iscsi", "target", "create", T]);
    s.ok(&["iscsi", "lun", "add", T, "vg0/lun0"]);
    s.ok(&["iscsi", "acl", "add", T, INI1]);
    s.ok(&["iscsi", "acl", "add", T, INI2]);
    let d = daemon_common::Daemon::start(&s);
    check(&run_suite(&format!("iscsi://{}/{T}/0", d.iscsi)));
    // The snapshot still reads its point in time: the LV was all zeros when it was taken.
    let snap = s.path("before.raw");
    s.ok(&["copy", "vg0/before", snap.to_str().unwrap()]);
    let bytes = std::fs::read(&snap).unwrap();
    assert_eq!(bytes.len(), 256 << 20);
    assert!(bytes.iter().all(|&b| b == 0), "the snapshot changed");
    d.stop();
}
