//! tools/bench-nbd.sh refuses bad arguments with one line and exit 2, before it builds or
//! starts anything.

use std::process::Command;

fn run(args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new("bash")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tools/bench-nbd.sh"))
        .args(args)
        .output()
        .expect("bash runs");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_arguments_get_one_line_and_exit_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["--runtime"], "--runtime needs a value"),
        (&["--rounds", "x"], "positive integer"),
        (&["--size", "0"], "positive integer"),
        (&["--size", "00"], "positive integer"),
        (&["--runtime", "99999999999999999999"], "at most 6 digits"),
        (&["--only", "nope"], "no workload 'nope'"),
        (&["--help"], "unknown argument '--help'"),
    ];
    for (args, want) in cases {
        let (code, err) = run(args);
        assert_eq!(code, Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{args:?}: one line, got {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(
            !err.contains("Compiling") && !err.contains("preparing"),
            "{args:?}: {err}"
        );
    }
}
