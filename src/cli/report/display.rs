//! The text of pvdisplay, vgdisplay and lvdisplay (and their `-c` colon, `-s` short and
//! `-m` map forms), line for line as LVM2 2.03.16 prints them. `-C` is the columns report:
//! the commands call `render` for it.
//!
//! rvm has no kernel device: an active LV is "available", but no "Block device" line is
//! printed.

use super::ctx::{PvRef, VgInfo};
use super::time::write_time;
use super::units::{write_percent, write_size_styled, Style, Units};
use super::values::pv::device_name;
use super::values::vg::{FORMAT_NAME, MDAS_PER_PV};
use super::{attr, LvLive, ReportError, ReportInput};
use crate::meta::model::{Lv, Permission, Pv, Vg};
use std::fmt::Write as _;
use std::io::Write;

/// Options of the display commands.
#[derive(Debug, Clone, Default)]
pub struct DisplayArgs {
    /// `--units`.
    pub units: Option<String>,
    /// `-m/--maps`: the extent maps.
    pub maps: bool,
    /// `-c/--colon`: one colon-separated line per object.
    pub colon: bool,
    /// `-s/--short`.
    pub short: bool,
    /// `-a/--all` (lvdisplay): include hidden LVs.
    pub all: bool,
    /// `-v` (vgdisplay): also the VG's LVs and PVs.
    pub verbose: bool,
}

/// LVM2's VG status bits as vgdisplay -c prints them (LVM_READ | LVM_WRITE | RESIZEABLE_VG).
const VG_READ_WRITE: u64 = 0x300;
const VG_RESIZEABLE: u64 = 0x4;
/// LVM2's ALLOCATABLE_PV status bit, printed twice by pvdisplay -c.
const PV_ALLOCATABLE: u64 = 0x8;
const SECTOR: u64 = 512;

struct Fmt {
    units: Units,
}

impl Fmt {
    fn new(args: &DisplayArgs) -> Result<Fmt, ReportError> {
        let units = match args.units.as_deref() {
            None => Units::default(),
            Some(u) => Units::parse(u).ok_or_else(|| ReportError::BadUnits(u.to_owned()))?,
        };
        Ok(Fmt { units })
    }

    /// A size as LVM2's `display_size`: `20.00 MiB`.
    fn size(&self, bytes: u64) -> String {
        let mut s = String::new();
        write_size_styled(&mut s, bytes, self.units, true, Style::Short);
        s
    }
}

/// Every display line goes through LVM2's logger, which indents by two spaces.
fn line(buf: &mut String, text: &str) {
    buf.push_str("  ");
    buf.push_str(text);
    buf.push('\n');
}

/// VGs in name order, as LVM2 processes them.
fn vg_order(input: &ReportInput<'_>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..input.vgs.len()).collect();
    order.sort_by(|&a, &b| input.vgs[a].name.cmp(&input.vgs[b].name));
    order
}

/// `pvdisplay`: PVs grouped by VG (in name order), then PVs in no VG.
pub fn pvdisplay(
    input: &ReportInput<'_>,
    args: &DisplayArgs,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let f = Fmt::new(args)?;
    let mut buf = String::new();
    for v in vg_order(input) {
        let vg = &input.vgs[v];
        let info = VgInfo::new(vg, args.maps, false);
        for (p, pv) in vg.pvs.iter().enumerate() {
            if !input.lists_pv(&pv.device) {
                continue;
            }
            let alloc = info.pv_alloc[p];
            let name = device_name(PvRef::Member(pv));
            let ext = vg.extent_size;
            if args.colon {
                let status = if pv.allocatable { PV_ALLOCATABLE } else { 0 };
                line(
                    &mut buf,
                    &format!(
                        "{name}:{}:{}:-1:{status}:{status}:-1:{}:{}:{}:{alloc}:{}",
                        vg.name,
                        pv.dev_size / SECTOR,
                        ext / 1024,
                        pv.pe_count,
                        pv.pe_count.saturating_sub(alloc),
                        pv.id
                    ),
                );
                continue;
            }
            if args.short {
                let free = pv.pe_count.saturating_sub(alloc) * ext;
                line(
                    &mut buf,
                    &format!("Device \"{name}\" has a capacity of {}", f.size(free)),
                );
                continue;
            }
            pv_full(&mut buf, &f, &name, &vg.name, pv, ext, alloc);
            if args.maps {
                pv_maps(&mut buf, vg, &info, p);
            }
        }
    }
    for o in input.orphans.iter().filter(|o| input.lists_pv(&o.device)) {
        let name = o.device.to_string_lossy();
        if args.short {
            line(
                &mut buf,
                &format!("Device \"{name}\" has a capacity of {}", f.size(o.dev_size)),
            );
            continue;
        }
        line(
            &mut buf,
            &format!(
                "\"{name}\" is a new physical volume of \"{}\"",
                f.size(o.dev_size)
            ),
        );
        if args.colon {
            line(
                &mut buf,
                &format!("{name}::{}:-1:0:0:-1:0:0:0:0:{}", o.dev_size / SECTOR, o.id),
            );
            continue;
        }
        line(&mut buf, "--- NEW Physical volume ---");
        line(&mut buf, &format!("PV Name               {name}"));
        line(&mut buf, "VG Name               ");
        line(
            &mut buf,
            &format!("PV Size               {}", f.size(o.dev_size)),
        );
        line(&mut buf, "Allocatable           NO");
        line(&mut buf, &format!("PE Size               {}", f.size(0)));
        line(&mut buf, "Total PE              0");
        line(&mut buf, "Free PE               0");
        line(&mut buf, "Allocated PE          0");
        line(&mut buf, &format!("PV UUID               {}", o.id));
        line(&mut buf, " ");
        if args.maps {
            line(&mut buf, " ");
        }
    }
    out.write_all(buf.as_bytes())?;
    Ok(())
}

fn pv_full(buf: &mut String, f: &Fmt, name: &str, vg: &str, pv: &Pv, ext: u64, alloc: u64) {
    let data = pv.pe_count * ext;
    let dev = if pv.missing { 0 } else { pv.dev_size };
    let (size, unusable) = if dev > data + pv.pe_start {
        (dev, dev - data)
    } else {
        (data + pv.pe_start, data + pv.pe_start - dev)
    };
    let free = pv.pe_count.saturating_sub(alloc);
    line(buf, "--- Physical volume ---");
    line(buf, &format!("PV Name               {name}"));
    line(buf, &format!("VG Name               {vg}"));
    if data > 0 {
        line(
            buf,
            &format!(
                "PV Size               {} / not usable {}",
                f.size(size),
                f.size(unusable)
            ),
        );
    } else {
        line(buf, &format!("PV Size               {}", f.size(size)));
    }
    if pv.pe_count > 0 && pv.allocatable {
        let full = if free == 0 { "(but full)" } else { "" };
        line(buf, &format!("Allocatable           yes {full}"));
    } else {
        line(buf, "Allocatable           NO");
    }
    line(buf, &format!("PE Size               {}", f.size(ext)));
    line(buf, &format!("Total PE              {}", pv.pe_count));
    line(buf, &format!("Free PE               {free}"));
    line(buf, &format!("Allocated PE          {alloc}"));
    line(buf, &format!("PV UUID               {}", pv.id));
    line(buf, " ");
}

/// `pvdisplay -m`: the PV's runs of extents and the LV extents they hold.
fn pv_maps(buf: &mut String, vg: &Vg, info: &VgInfo, p: usize) {
    line(buf, "--- Physical Segments ---");
    for s in info.pvsegs.get(p).into_iter().flatten() {
        if s.len == 0 {
            continue;
        }
        line(
            buf,
            &format!("Physical extent {} to {}:", s.start, s.start + s.len - 1),
        );
        match s.owner {
            Some((l, seg)) => {
                let lv = &vg.lvs[l as usize];
                let seg = &lv.segments[seg as usize];
                line(
                    buf,
                    &format!("  Logical volume\t/dev/{}/{}", vg.name, lv.name),
                );
                line(
                    buf,
                    &format!(
                        "  Logical extents\t{} to {}",
                        seg.lv_start,
                        (seg.lv_start + seg.count).saturating_sub(1)
                    ),
                );
            }
            None => line(buf, "  FREE"),
        }
    }
    line(buf, " ");
}

/// `vgdisplay`; with `-v` also each visible LV and a short form of each PV.
pub fn vgdisplay(
    input: &ReportInput<'_>,
    args: &DisplayArgs,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let f = Fmt::new(args)?;
    let mut buf = String::new();
    for v in vg_order(input) {
        let vg = &input.vgs[v];
        let info = VgInfo::new(vg, false, false);
        let ext = vg.extent_size;
        let total = vg.extent_count();
        let alloc = total.saturating_sub(info.free_extents);
        let open = vg
            .lvs
            .iter()
            .filter(|lv| lv.active && input.live.lv(vg, lv).open)
            .count();
        let active_pvs = vg.pvs.len() as u64 - info.missing_pvs as u64;
        if args.colon {
            let status = VG_READ_WRITE + if vg.resizeable { VG_RESIZEABLE } else { 0 };
            line(
                &mut buf,
                &format!(
                    "{}:r/w:{status}:-1:{}:{}:{open}:-1:{}:{}:{active_pvs}:{}:{}:{total}:{alloc}:{}:{}",
                    vg.name,
                    vg.max_lv,
                    info.visible_lvs,
                    vg.max_pv,
                    vg.pvs.len(),
                    total * ext / 1024,
                    ext / 1024,
                    info.free_extents,
                    vg.id
                ),
            );
            continue;
        }
        if args.short {
            line(
                &mut buf,
                &format!(
                    "\"{}\" {:<9} [{:<9} used / {} free]",
                    vg.name,
                    f.size(total * ext),
                    f.size(alloc * ext),
                    f.size(info.free_extents * ext)
                ),
            );
            continue;
        }
        line(&mut buf, "--- Volume group ---");
        line(&mut buf, &format!("VG Name               {}", vg.name));
        line(&mut buf, "System ID             ");
        line(&mut buf, &format!("Format                {FORMAT_NAME}"));
        line(
            &mut buf,
            &format!("Metadata Areas        {}", MDAS_PER_PV * active_pvs),
        );
        line(&mut buf, &format!("Metadata Sequence No  {}", vg.seqno));
        line(&mut buf, "VG Access             read/write");
        let not = if vg.resizeable { "" } else { "NOT " };
        line(&mut buf, &format!("VG Status             {not}resizable"));
        line(&mut buf, &format!("MAX LV                {}", vg.max_lv));
        line(
            &mut buf,
            &format!("Cur LV                {}", info.visible_lvs),
        );
        line(&mut buf, &format!("Open LV               {open}"));
        line(&mut buf, &format!("Max PV                {}", vg.max_pv));
        line(&mut buf, &format!("Cur PV                {}", vg.pvs.len()));
        line(&mut buf, &format!("Act PV                {active_pvs}"));
        line(
            &mut buf,
            &format!("VG Size               {}", f.size(total * ext)),
        );
        line(&mut buf, &format!("PE Size               {}", f.size(ext)));
        line(&mut buf, &format!("Total PE              {total}"));
        line(
            &mut buf,
            &format!("Alloc PE / Size       {alloc} / {}", f.size(alloc * ext)),
        );
        line(
            &mut buf,
            &format!(
                "Free  PE / Size       {} / {}",
                info.free_extents,
                f.size(info.free_extents * ext)
            ),
        );
        line(&mut buf, &format!("VG UUID               {}", vg.id));
        line(&mut buf, " ");
        if args.verbose {
            for (l, lv) in vg.lvs.iter().enumerate() {
                if !info.lv[l].hidden {
                    lv_full(&mut buf, &f, input, vg, &info, l, lv);
                }
            }
            line(&mut buf, "--- Physical volumes ---");
            for (p, pv) in vg.pvs.iter().enumerate() {
                let name = device_name(PvRef::Member(pv));
                line(&mut buf, &format!("PV Name               {name}     "));
                line(&mut buf, &format!("PV UUID               {}", pv.id));
                let not = if pv.allocatable { "" } else { "NOT " };
                line(&mut buf, &format!("PV Status             {not}allocatable"));
                line(
                    &mut buf,
                    &format!(
                        "Total PE / Free PE    {} / {}",
                        pv.pe_count,
                        pv.pe_count.saturating_sub(info.pv_alloc[p])
                    ),
                );
                line(&mut buf, " ");
            }
        }
    }
    out.write_all(buf.as_bytes())?;
    Ok(())
}

/// `lvdisplay`: each LV of each VG (hidden ones with `-a`), with `-m` its segments.
pub fn lvdisplay(
    input: &ReportInput<'_>,
    args: &DisplayArgs,
    out: &mut dyn Write,
) -> Result<(), ReportError> {
    let f = Fmt::new(args)?;
    let mut buf = String::new();
    for v in vg_order(input) {
        let vg = &input.vgs[v];
        let info = VgInfo::new(vg, false, false);
        for (l, lv) in vg.lvs.iter().enumerate() {
            if (info.lv[l].hidden && !args.all) || input.names_lv(&vg.name, &lv.name) == Some(false)
            {
                continue;
            }
            if args.colon {
                lv_colon(&mut buf, input, vg, lv);
                continue;
            }
            lv_full(&mut buf, &f, input, vg, &info, l, lv);
            if args.maps {
                lv_maps(&mut buf, vg, lv);
            }
        }
    }
    out.write_all(buf.as_bytes())?;
    Ok(())
}

fn live(input: &ReportInput<'_>, vg: &Vg, lv: &Lv) -> LvLive {
    if lv.active {
        input.live.lv(vg, lv)
    } else {
        LvLive::default()
    }
}

fn lv_colon(buf: &mut String, input: &ReportInput<'_>, vg: &Vg, lv: &Lv) {
    let access = match lv.permission {
        Permission::ReadWrite => 3,
        Permission::ReadOnly => 1,
    };
    let open = live(input, vg, lv).open as u8;
    let contiguous = if lv.alloc == crate::meta::model::AllocPolicy::Contiguous {
        2
    } else {
        0
    };
    line(
        buf,
        &format!(
            "/dev/{}/{}:{}:{access}:{}:-1:{open}:{}:{}:-1:{contiguous}:-1:-1:-1",
            vg.name,
            lv.name,
            vg.name,
            lv.active as u8,
            lv.extent_count() * vg.extent_size / SECTOR,
            lv.extent_count()
        ),
    );
}

fn lv_full(
    buf: &mut String,
    f: &Fmt,
    input: &ReportInput<'_>,
    vg: &Vg,
    info: &VgInfo,
    l: usize,
    lv: &Lv,
) {
    let facts = info.lv[l];
    let live = live(input, vg, lv);
    line(buf, "--- Logical volume ---");
    if facts.hidden {
        line(buf, &format!("Internal LV Name       {}", lv.name));
    } else {
        line(
            buf,
            &format!("LV Path                /dev/{}/{}", vg.name, lv.name),
        );
        line(buf, &format!("LV Name                {}", lv.name));
    }
    line(buf, &format!("VG Name                {}", vg.name));
    line(buf, &format!("LV UUID                {}", lv.id));
    let access = match lv.permission {
        Permission::ReadWrite => "read/write",
        Permission::ReadOnly => "read only",
    };
    line(buf, &format!("LV Write Access        {access}"));
    let mut when = String::new();
    write_time(&mut when, lv.creation_time);
    line(
        buf,
        &format!("LV Creation host, time {}, {when}", lv.creation_host),
    );
    let origin = facts.origin.and_then(|o| vg.lvs.get(o as usize));
    // A snapshot reads as active while its store is valid and it is active.
    let snap_active = |s: &Lv| {
        s.active && {
            let l = input.live.lv(vg, s);
            !l.invalid
        }
    };
    if facts.snapshots > 0 {
        line(buf, "LV snapshot status     source of");
        for s in vg.snapshots_of(&lv.id) {
            let state = if snap_active(s) { "active" } else { "INACTIVE" };
            line(buf, &format!("                       {} [{state}]", s.name));
        }
    } else if let Some(o) = origin {
        let state = if snap_active(lv) {
            "active"
        } else {
            "INACTIVE"
        };
        line(
            buf,
            &format!("LV snapshot status     {state} destination for {}", o.name),
        );
    }
    let not = if lv.active { "" } else { "NOT " };
    let partial = if facts.partial { " (partial)" } else { "" };
    line(
        buf,
        &format!("LV Status              {not}available{partial}"),
    );
    if lv.active {
        line(buf, &format!("# open                 {}", live.open as u8));
    }
    let shown = origin.unwrap_or(lv);
    line(
        buf,
        &format!(
            "LV Size                {}",
            f.size(shown.extent_count() * vg.extent_size)
        ),
    );
    line(
        buf,
        &format!("Current LE             {}", shown.extent_count()),
    );
    if let (Some(_), Some(snap)) = (origin, lv.snapshot()) {
        line(
            buf,
            &format!(
                "COW-table size         {}",
                f.size(lv.extent_count() * vg.extent_size)
            ),
        );
        line(
            buf,
            &format!("COW-table LE           {}", lv.extent_count()),
        );
        if let (true, Some(p)) = (snap_active(lv), live.data_percent) {
            let mut pct = String::new();
            write_percent(&mut pct, p);
            line(buf, &format!("Allocated to snapshot  {pct}%"));
        }
        line(
            buf,
            &format!("Snapshot chunk size    {}", f.size(snap.chunk_size)),
        );
    }
    line(
        buf,
        &format!("Segments               {}", lv.segments.len()),
    );
    line(
        buf,
        &format!("Allocation             {}", attr::alloc_name(lv.alloc)),
    );
    line(buf, "Read ahead sectors     auto");
    line(buf, " ");
}

/// `lvdisplay -m`: each segment's type and the PV extents behind it.
fn lv_maps(buf: &mut String, vg: &Vg, lv: &Lv) {
    line(buf, "--- Segments ---");
    for s in &lv.segments {
        line(
            buf,
            &format!(
                "Logical extents {} to {}:",
                s.lv_start,
                (s.lv_start + s.count).saturating_sub(1)
            ),
        );
        line(buf, "  Type\t\tlinear");
        match vg.pvs.get(s.pv) {
            Some(pv) => {
                let mut l = String::from("  Physical volume\t");
                let _ = write!(l, "{}", device_name(PvRef::Member(pv)));
                line(buf, &l);
                line(
                    buf,
                    &format!(
                        "  Physical extents\t{} to {}",
                        s.pv_start,
                        (s.pv_start + s.count).saturating_sub(1)
                    ),
                );
            }
            None => line(buf, "  Physical volume\tMissing"),
        }
        line(buf, " ");
    }
    line(buf, " ");
}
