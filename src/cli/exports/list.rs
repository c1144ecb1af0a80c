//! `rvm nbd list` (a table) and `rvm iscsi list` (a tree drawn the way `targetcli ls`
//! draws one). Both show each LV by its current name, found by id; CHAP secrets are never
//! printed.

use crate::cli::units::display_size;
use crate::cli::{CliResult, Ctx};
use crate::daemon::exports::resolve::{current_name, lv_read_only, resolve, served_size};
use crate::daemon::exports::{ExportStore, LvRef};
use crate::iscsi::config::{ChapAuth, ACL_ALL};
use crate::meta::model::Vg;
use std::io::Write;

/// The portal `rvm serve` listens on unless told otherwise.
pub const DEFAULT_ISCSI_PORTAL: &str = "0.0.0.0:3260";

/// Width the tree's dotted lines are padded to, as `targetcli ls` pads to its terminal.
const TREE_WIDTH: usize = 79;

/// Where an export's LV is now: `(name, size, read-only)`, or `None` when it is gone.
fn lv_state(vgs: &[Vg], r: LvRef<'_>) -> Option<(String, u64, bool)> {
    resolve(vgs, r).map(|(vg, lv)| (current_name(vg, lv), served_size(vg, lv), lv_read_only(lv)))
}

/// `rvm nbd list`: one row per export; nothing when there is none.
pub fn nbd(ctx: &Ctx<'_>, out: &mut dyn Write) -> CliResult {
    let config = ExportStore::of(ctx.env).load()?;
    if config.nbd.is_empty() {
        return Ok(());
    }
    let vgs = ctx.env.read_all()?.vgs;
    let mut rows = vec![[
        "Export".to_string(),
        "LV".to_string(),
        "Size".to_string(),
        "Access".to_string(),
    ]];
    for (name, e) in &config.nbd {
        let row = match lv_state(&vgs, LvRef::of_nbd(e)) {
            Some((lv, size, lv_ro)) => [
                name.clone(),
                lv,
                display_size(size),
                access(e.read_only || lv_ro).to_string(),
            ],
            None => [
                name.clone(),
                format!("{} (missing)", e.volume),
                "-".to_string(),
                access(e.read_only).to_string(),
            ],
        };
        rows.push(row);
    }
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    for r in &rows {
        // Sizes right-aligned, the rest left-aligned, as LVM2's reports do.
        let line = format!(
            "  {:<w0$} {:<w1$} {:>w2$} {}",
            r[0],
            r[1],
            r[2],
            r[3],
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2]
        );
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

fn access(read_only: bool) -> &'static str {
    if read_only {
        "ro"
    } else {
        "rw"
    }
}

/// One node of the tree: a name, its bracketed summary, and children.
struct Node {
    name: String,
    info: String,
    children: Vec<Node>,
}

impl Node {
    fn new(name: impl Into<String>, info: impl Into<String>) -> Node {
        Node {
            name: name.into(),
            info: info.into(),
            children: Vec::new(),
        }
    }

    fn with(mut self, children: Vec<Node>) -> Node {
        self.children = children;
        self
    }

    /// Draws the node at `lead`; its children hang from `next`, with a `|` rail while
    /// siblings follow below them.
    fn draw(&self, lead: &str, next: &str, out: &mut String) {
        let used =
            lead.chars().count() + 3 + self.name.chars().count() + self.info.chars().count() + 4;
        let dots = ".".repeat(TREE_WIDTH.saturating_sub(used).max(3));
        out.push_str(&format!("{lead}o- {} {dots} [{}]\n", self.name, self.info));
        for (i, c) in self.children.iter().enumerate() {
            let rail = if i + 1 == self.children.len() {
                "  "
            } else {
                "| "
            };
            c.draw(next, &format!("{next}{rail}"), out);
        }
    }
}

/// How a target or discovery authenticates, with user names but never secrets.
fn auth_info(auth: Option<&ChapAuth>) -> String {
    match auth {
        None => "auth: none".into(),
        Some(a) => match &a.mutual {
            None => format!("auth: chap user={}", a.initiator.user),
            Some(m) => format!(
                "auth: mutual chap user={} target-user={}",
                a.initiator.user, m.user
            ),
        },
    }
}

/// `rvm iscsi list`.
pub fn iscsi(ctx: &Ctx<'_>, out: &mut dyn Write) -> CliResult {
    let config = ExportStore::of(ctx.env).load()?.iscsi;
    let has_luns = config.targets.values().any(|t| !t.luns.is_empty());
    let vgs = if has_luns {
        ctx.env.read_all()?.vgs
    } else {
        Vec::new()
    };
    let (portal, portal_state) = match ctx.exports.iscsi_portal() {
        Some(p) => (p, "OK"),
        None => (DEFAULT_ISCSI_PORTAL.to_string(), "default"),
    };
    let mut children = vec![Node::new(
        "discovery",
        auth_info(config.discovery_auth.as_ref()),
    )];
    for (iqn, t) in &config.targets {
        let mapped = t.luns.len();
        let acls: Vec<Node> = t
            .acl
            .iter()
            .map(|e| {
                let info = if e == ACL_ALL {
                    format!("any initiator, Mapped LUNs: {mapped}")
                } else {
                    format!("Mapped LUNs: {mapped}")
                };
                Node::new(e.clone(), info)
            })
            .collect();
        let acl_info = if acls.is_empty() {
            "ACLs: 0, admits nobody".to_string()
        } else {
            format!("ACLs: {}", acls.len())
        };
        let luns: Vec<Node> = t
            .luns
            .iter()
            .map(|(n, l)| {
                let info = match lv_state(&vgs, LvRef::of_lun(l)) {
                    Some((lv, size, ro)) => format!("{lv} ({}) {}", display_size(size), access(ro)),
                    None => format!("{} (missing)", l.volume),
                };
                Node::new(format!("lun{n}"), info)
            })
            .collect();
        let tpg = Node::new("tpg1", auth_info(t.auth.as_ref())).with(vec![
            Node::new("acls", acl_info).with(acls),
            Node::new("luns", format!("LUNs: {}", luns.len())).with(luns),
            Node::new("portals", "Portals: 1").with(vec![Node::new(portal.clone(), portal_state)]),
        ]);
        let info = match &t.alias {
            Some(a) => format!("alias: {a}, TPGs: 1"),
            None => "TPGs: 1".to_string(),
        };
        children.push(Node::new(iqn.clone(), info).with(vec![tpg]));
    }
    let root = Node::new("iscsi", format!("Targets: {}", config.targets.len())).with(children);
    let mut text = String::new();
    root.draw("", "  ", &mut text);
    out.write_all(text.as_bytes())?;
    Ok(())
}
