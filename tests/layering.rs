//! Keeps the layering honest: format/ does no I/O, and the protocol frontends never import
//! the metadata model or touch PVs directly.

use std::fs;
use std::path::Path;

fn sources(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).expect("source directory") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = fs::read_to_string(&path).expect("source file");
            out.push((path.display().to_string(), text));
        }
    }
}

fn assert_none(dir: &str, forbidden: &[&str]) {
    let mut files = Vec::new();
    sources(&Path::new(env!("CARGO_MANIFEST_DIR")).join(dir), &mut files);
    assert!(!files.is_empty(), "{dir} has no sources");
    for (path, text) in files {
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            for f in forbidden {
                assert!(
                    !code.contains(f),
                    "{path}:{}: `{f}` is not allowed in {dir}",
                    n + 1
                );
            }
        }
    }
}

#[test]
fn format_layer_is_pure() {
    assert_none(
        "src/format",
        &[
            "std::fs",
            "std::net",
            "std::time::SystemTime",
            "std::thread",
            "crate::block",
            "crate::meta",
            "crate::engine",
            "crate::daemon",
            "File::",
        ],
    );
}

#[test]
fn frontends_see_only_volumes() {
    for dir in ["src/nbd", "src/iscsi"] {
        assert_none(
            dir,
            &["crate::meta", "crate::block", "crate::format", "crate::cli"],
        );
    }
}

#[test]
fn the_host_sits_between_the_engine_and_its_users() {
    // The engine knows no VG host; the host knows no command line, daemon or protocol.
    assert_none(
        "src/engine",
        &["crate::host", "crate::cli", "crate::daemon"],
    );
    assert_none(
        "src/host",
        &["crate::cli", "crate::daemon", "crate::nbd", "crate::iscsi"],
    );
}
