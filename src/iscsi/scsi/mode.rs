//! MODE SENSE / MODE SELECT (6/10) (SPC-4 §6.11-6.14) over a table of the mode pages rvm
//! keeps: caching (WCE changeable), control (D_SENSE and SWP changeable) and
//! informational exceptions. There are no saved pages.

use super::exec::{Ctx, Done, BLOCK};
use super::lun::Lun;
use super::sense::{asc, Check};
use super::unit::capacity_blocks;
use super::wire::{get_be, push_be, put_be};
use super::ScsiStatus;
use std::sync::atomic::{AtomicBool, Ordering};

/// A changeable mode parameter bit and where it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    WriteCache,
    DescriptorSense,
    SoftwareWriteProtect,
}

struct ModePage {
    code: u8,
    /// Default values, page header included.
    default: &'static [u8],
    /// Which bits MODE SELECT may change.
    changeable: &'static [u8],
    /// (byte, bit mask, flag) for each changeable bit.
    flags: &'static [(usize, u8, Flag)],
}

static PAGES: &[ModePage] = &[
    ModePage {
        code: 0x08,
        default: &[
            0x08, 0x12, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ],
        changeable: &[
            0x08, 0x12, 0x04, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        ],
        flags: &[(2, 0x04, Flag::WriteCache)],
    },
    ModePage {
        code: 0x0a,
        // QAM 1 (unrestricted reordering), busy timeout unlimited.
        default: &[0x0a, 0x0a, 0x00, 0x10, 0x00, 0x00, 0, 0, 0xff, 0xff, 0, 0],
        changeable: &[0x0a, 0x0a, 0x04, 0x00, 0x08, 0x00, 0, 0, 0, 0, 0, 0],
        flags: &[
            (2, 0x04, Flag::DescriptorSense),
            (4, 0x08, Flag::SoftwareWriteProtect),
        ],
    },
    ModePage {
        code: 0x1c,
        // DEXCPT: informational exceptions are not reported.
        default: &[0x1c, 0x0a, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        changeable: &[0x1c, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
        flags: &[],
    },
];

/// The changeable mode parameters of one LUN.
#[derive(Debug)]
pub struct ModeState {
    write_cache: AtomicBool,
    d_sense: AtomicBool,
    swp: AtomicBool,
}

impl Default for ModeState {
    fn default() -> ModeState {
        let state = ModeState {
            write_cache: AtomicBool::new(false),
            d_sense: AtomicBool::new(false),
            swp: AtomicBool::new(false),
        };
        state.reset();
        state
    }
}

impl ModeState {
    fn cell(&self, f: Flag) -> &AtomicBool {
        match f {
            Flag::WriteCache => &self.write_cache,
            Flag::DescriptorSense => &self.d_sense,
            Flag::SoftwareWriteProtect => &self.swp,
        }
    }

    /// Whether sense data is reported in descriptor format (control page D_SENSE).
    pub fn d_sense(&self) -> bool {
        self.d_sense.load(Ordering::Relaxed)
    }

    /// Whether writes may complete before they are durable (caching page WCE); when
    /// clear, every write is write-through.
    pub fn write_cache(&self) -> bool {
        self.write_cache.load(Ordering::Relaxed)
    }

    /// Whether the control page's SWP bit write-protects the LUN.
    pub fn software_write_protect(&self) -> bool {
        self.swp.load(Ordering::Relaxed)
    }

    /// Back to the defaults (there are no saved pages).
    pub fn reset(&self) {
        for p in PAGES {
            for &(at, mask, f) in p.flags {
                self.cell(f)
                    .store(p.default[at] & mask != 0, Ordering::Relaxed);
            }
        }
    }
}

/// Page control field of MODE SENSE.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Control {
    Current,
    Changeable,
    Default,
}

fn page_bytes(p: &ModePage, pc: Control, lun: &Lun) -> Vec<u8> {
    match pc {
        Control::Changeable => p.changeable.to_vec(),
        Control::Default => p.default.to_vec(),
        Control::Current => {
            let mut b = p.default.to_vec();
            for &(at, mask, f) in p.flags {
                b[at] &= !mask;
                if lun.mode.cell(f).load(Ordering::Relaxed) {
                    b[at] |= mask;
                }
            }
            b
        }
    }
}

pub fn mode_sense(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let ten = ctx.cdb.opcode() == 0x5a;
    let dbd = ctx.cdb.bit(1, 3);
    let llbaa = ten && ctx.cdb.bit(1, 4);
    let pc = match ctx.cdb.bits(2, 6, 2) {
        0 => Control::Current,
        1 => Control::Changeable,
        2 => Control::Default,
        _ => return Err(Check::illegal(asc::SAVING_PARAMETERS_NOT_SUPPORTED).into()),
    };
    let code = ctx.cdb.bits(2, 0, 6);
    let subpage = ctx.cdb.byte(3);
    let alloc = if ten {
        usize::from(ctx.cdb.be16(7))
    } else {
        usize::from(ctx.cdb.byte(4))
    };
    let selected: Vec<&ModePage> = match (code, subpage) {
        (0x3f, 0x00 | 0xff) => PAGES.iter().collect(),
        (_, 0x00) => PAGES.iter().filter(|p| p.code == code).collect(),
        _ => Vec::new(),
    };
    if selected.is_empty() {
        let at = if subpage != 0 { 3 } else { 2 };
        return Err(Check::cdb_byte(at).into());
    }
    let wp = lun.write_protected() || lun.mode.software_write_protect();
    let device_specific = if wp { 0x90 } else { 0x10 }; // WP, DPOFUA
    let out = ctx.begin();
    let header = if ten { 8 } else { 4 };
    out.resize(header, 0);
    if !dbd {
        let blocks = capacity_blocks(lun);
        if llbaa {
            push_be(out, blocks, 8);
            out.extend_from_slice(&[0; 4]);
            push_be(out, BLOCK, 4);
        } else {
            push_be(out, blocks.min(0xffff_ffff), 4);
            out.push(0);
            push_be(out, BLOCK, 3);
        }
    }
    let descriptors = (out.len() - header) as u64;
    for p in selected {
        out.extend_from_slice(&page_bytes(p, pc, lun));
    }
    let total = out.len() as u64;
    if ten {
        put_be(&mut out[0..2], total - 2);
        out[3] = device_specific;
        out[4] = u8::from(llbaa && !dbd);
        put_be(&mut out[6..8], descriptors);
    } else {
        out[0] = (total - 1).min(255) as u8;
        out[2] = device_specific;
        out[3] = descriptors as u8;
    }
    ctx.reply(alloc)
}

pub fn mode_select(ctx: &mut Ctx) -> Done {
    let lun = ctx.lun()?;
    let ten = ctx.cdb.opcode() == 0x55;
    if !ctx.cdb.bit(1, 4) {
        return Err(Check::cdb(1, 4).into()); // vendor-specific (non page) format
    }
    if ctx.cdb.bit(1, 0) {
        return Err(Check::cdb(1, 0).into()); // no saved pages
    }
    let len = if ten {
        usize::from(ctx.cdb.be16(7))
    } else {
        usize::from(ctx.cdb.byte(4))
    };
    let params = ctx.params(len);
    if len == 0 {
        return Ok(ScsiStatus::Good);
    }
    let header = if ten { 8 } else { 4 };
    if params.len() < len || len < header {
        return Err(Check::illegal(asc::PARAMETER_LIST_LENGTH_ERROR).into());
    }
    let bd_len = if ten {
        get_be(&params[6..8]) as usize
    } else {
        usize::from(params[3])
    };
    if header + bd_len > len {
        return Err(Check::illegal(asc::PARAMETER_LIST_LENGTH_ERROR).into());
    }
    match bd_len {
        0 => {}
        8 if get_be(&params[header + 5..header + 8]) == BLOCK => {}
        16 if get_be(&params[header + 12..header + 16]) == BLOCK => {}
        _ => return Err(Check::param(header).into()),
    }
    // Validate every page before applying any, so a bad list changes nothing.
    let mut changes: Vec<(Flag, bool)> = Vec::new();
    let mut at = header + bd_len;
    while at < len {
        let rest = &params[at..];
        if rest.len() < 2 {
            return Err(Check::illegal(asc::PARAMETER_LIST_LENGTH_ERROR).into());
        }
        if rest[0] & 0x40 != 0 {
            return Err(Check::param(at).into()); // rvm has no subpages
        }
        let code = rest[0] & 0x3f;
        let page = PAGES
            .iter()
            .find(|p| p.code == code)
            .ok_or(Check::param(at))?;
        let size = usize::from(rest[1]) + 2;
        if size != page.default.len() {
            return Err(Check::param(at + 1).into());
        }
        if rest.len() < size {
            return Err(Check::illegal(asc::PARAMETER_LIST_LENGTH_ERROR).into());
        }
        let current = page_bytes(page, Control::Current, lun);
        for i in 2..size {
            if (rest[i] ^ current[i]) & !page.changeable[i] != 0 {
                return Err(Check::param(at + i).into());
            }
        }
        for &(byte, mask, f) in page.flags {
            changes.push((f, rest[byte] & mask != 0));
        }
        at += size;
    }
    let mut changed = false;
    for (f, v) in changes {
        changed |= lun.mode.cell(f).swap(v, Ordering::Relaxed) != v;
    }
    if changed {
        if let Some(n) = ctx.lun_number {
            ctx.target
                .raise_others(n, asc::MODE_PARAMETERS_CHANGED, Some(ctx.nexus));
        }
    }
    Ok(ScsiStatus::Good)
}
