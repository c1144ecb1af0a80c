//! The daemon's seam: commands run in-process through `cli::run` with a `Ctx` carrying the
//! daemon's `ExportSink`, which hears of every change once it is durable (and of nothing
//! else), and whose portal `rvm iscsi list` shows.

mod exports_common;
use clap::Parser;
use exports_common::*;
use rvm::cli::args::Cli;
use rvm::cli::{run, Ctx};
use rvm::daemon::exports::{ExportConfig, ExportSink, ExportStore};
use rvm::meta::config::Config;
use rvm::meta::Env;
use std::cell::RefCell;

#[derive(Default)]
struct Recorder {
    calls: RefCell<Vec<(ExportConfig, ExportConfig)>>,
    /// What the file held when the sink was called.
    on_disk: RefCell<Vec<ExportConfig>>,
    store: Option<ExportStore>,
    fail: bool,
}

impl ExportSink for Recorder {
    fn exports_changed(&self, before: &ExportConfig, after: &ExportConfig) -> Result<(), String> {
        self.calls
            .borrow_mut()
            .push((before.clone(), after.clone()));
        if let Some(s) = &self.store {
            self.on_disk.borrow_mut().push(s.load().unwrap());
        }
        if self.fail {
            return Err("cannot open vg0/a".into());
        }
        Ok(())
    }

    fn iscsi_portal(&self) -> Option<String> {
        Some("192.0.2.7:3260".into())
    }
}

fn in_process(
    s: &Sandbox,
    sink: &Recorder,
    args: &[&str],
) -> (Result<(), String>, String, Vec<String>) {
    let env = Env::new(s.sys(), s.path("run"), Config::default(), false);
    let cli = Cli::try_parse_from(std::iter::once("rvm").chain(args.iter().copied())).unwrap();
    let hosts = rvm::host::Hosts::direct();
    let ctx = Ctx {
        env: &env,
        hosts: &hosts,
        exports: sink,
        interactive: false,
        config_text: None,
        prompt: &rvm::cli::NoPrompt,
        default_vg: None,
    };
    let mut out = Vec::new();
    let r = run(cli.cmd, &ctx, &mut out).map_err(|e| e.to_string());
    (r, String::from_utf8(out).unwrap(), env.take_warnings())
}

#[test]
fn the_sink_hears_each_durable_change_once() {
    let s = setup();
    let sink = Recorder {
        store: Some(ExportStore::new(&s.sys(), &s.path("run"))),
        ..Recorder::default()
    };
    let (r, out, _) = in_process(&s, &sink, &["nbd", "export", "vg0/a"]);
    r.unwrap();
    assert_eq!(out, "  NBD export \"vg0/a\" created for vg0/a.\n");
    {
        let calls = sink.calls.borrow();
        assert_eq!(calls.len(), 1);
        assert!(calls[0].0.nbd.is_empty());
        assert!(calls[0].1.nbd.contains_key("vg0/a"));
        // Durable before the daemon hears of it.
        assert_eq!(sink.on_disk.borrow()[0], calls[0].1);
    }

    // Refused, or no change at all: the sink hears nothing.
    let (r, _, _) = in_process(&s, &sink, &["nbd", "export", "vg0/nope"]);
    assert_eq!(r.unwrap_err(), "Failed to find logical volume \"vg0/nope\"");
    in_process(&s, &sink, &["iscsi", "target", "create", T1])
        .0
        .unwrap();
    in_process(&s, &sink, &["iscsi", "auth", T1, "--none"])
        .0
        .unwrap();
    assert_eq!(sink.calls.borrow().len(), 2);

    // The daemon's portal is what the tree shows.
    let (_, tree, _) = in_process(&s, &sink, &["iscsi", "list"]);
    assert!(
        tree.contains("o- 192.0.2.7:3260 ") && tree.contains("[OK]"),
        "{tree}"
    );

    // lvremove -f: the sink hears of the unexport before the LV goes.
    in_process(&s, &sink, &["lvremove", "-f", "vg0/a"])
        .0
        .unwrap();
    let calls = sink.calls.borrow();
    assert_eq!(calls.len(), 3);
    assert!(calls[2].0.nbd.contains_key("vg0/a") && calls[2].1.nbd.is_empty());
}

#[test]
fn a_sink_that_fails_leaves_the_change_saved_and_warns() {
    let s = setup();
    let sink = Recorder {
        fail: true,
        ..Recorder::default()
    };
    let (r, _, warnings) = in_process(&s, &sink, &["nbd", "export", "vg0/a"]);
    r.unwrap();
    assert_eq!(
        warnings,
        vec!["WARNING: The change is saved, but the running daemon did not apply it: cannot open vg0/a"]
    );
    assert!(exports_json(&s)["nbd"]["vg0/a"].is_object());
}
