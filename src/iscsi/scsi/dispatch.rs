//! The command table (SPC-4 / SBC-3): one row per opcode and service action, giving its
//! handler, its flags and its CDB usage map (what REPORT SUPPORTED OPERATION CODES
//! reports). A new command is a new row.

use super::cdb::Cdb;
use super::exec::{Ctx, Done};
use super::{inquiry, mode, pr_in, pr_out, provision, report, reserve, rw, unit, verify};

/// Row flags.
pub mod flag {
    /// Runs even when the LUN is not mapped (SPC-4 §7.x: INQUIRY, REPORT LUNS, REQUEST
    /// SENSE answer for any LUN).
    pub const ANY_LUN: u16 = 1 << 0;
    /// Neither reports nor clears unit attentions (SAM-5 §5.14: INQUIRY, REPORT LUNS and
    /// REQUEST SENSE, which reports them itself).
    pub const NO_UA: u16 = 1 << 1;
    /// Allowed whatever persistent reservation another nexus holds (SPC-4 table 62).
    pub const PR_ALLOWED: u16 = 1 << 2;
    /// A read-class command: conflicts only with exclusive-access reservations.
    pub const PR_READ: u16 = 1 << 3;
    /// PERSISTENT RESERVE OUT: its own rules by service action (SPC-4 §5.13.1).
    pub const PR_OUT: u16 = 1 << 4;
    /// Allowed while another nexus holds an SPC-2 reservation (SPC-2 §5.5.1).
    pub const SPC2_ALLOWED: u16 = 1 << 5;
    /// RESERVE/RELEASE(6/10): checked by their handlers (SPC-4 §5.13.3).
    pub const SPC2_CMD: u16 = 1 << 6;
}

pub type Handler = fn(&mut Ctx) -> Done;

/// One supported command.
pub struct Command {
    pub opcode: u8,
    pub action: Option<u16>,
    pub name: &'static str,
    pub handler: Handler,
    pub flags: u16,
    /// CDB usage data (SPC-4 §6.35.3): byte 0 the opcode, then a mask of the bits the
    /// device server looks at; its length is the CDB length.
    pub usage: &'static [u8],
}

use flag::*;

/// CDB usage of PERSISTENT RESERVE IN / OUT (SPC-4 §6.15, §6.16).
const PR_IN_USAGE: &[u8] = &[0x5e, 0x1f, 0, 0, 0, 0, 0, 0xff, 0xff, 0x07];
const PR_OUT_USAGE: &[u8] = &[0x5f, 0x1f, 0xff, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x07];

/// Every command rvm implements, sorted by opcode then service action.
pub static TABLE: &[Command] = &[
    Command {
        opcode: 0x00,
        action: None,
        name: "TEST UNIT READY",
        handler: unit::test_unit_ready,
        flags: PR_ALLOWED,
        usage: &[0x00, 0, 0, 0, 0, 0x07],
    },
    Command {
        opcode: 0x03,
        action: None,
        name: "REQUEST SENSE",
        handler: unit::request_sense,
        flags: ANY_LUN | NO_UA | PR_ALLOWED | SPC2_ALLOWED,
        usage: &[0x03, 0x01, 0, 0, 0xff, 0x07],
    },
    Command {
        opcode: 0x08,
        action: None,
        name: "READ(6)",
        handler: rw::read,
        flags: PR_READ,
        usage: &[0x08, 0x1f, 0xff, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x0a,
        action: None,
        name: "WRITE(6)",
        handler: rw::write,
        flags: 0,
        usage: &[0x0a, 0x1f, 0xff, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x12,
        action: None,
        name: "INQUIRY",
        handler: inquiry::inquiry,
        flags: ANY_LUN | NO_UA | PR_ALLOWED | SPC2_ALLOWED,
        usage: &[0x12, 0x01, 0xff, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x15,
        action: None,
        name: "MODE SELECT(6)",
        handler: mode::mode_select,
        flags: 0,
        usage: &[0x15, 0x11, 0, 0, 0xff, 0x07],
    },
    Command {
        opcode: 0x16,
        action: None,
        name: "RESERVE(6)",
        handler: reserve::reserve,
        flags: SPC2_CMD,
        usage: &[0x16, 0, 0, 0, 0, 0x07],
    },
    Command {
        opcode: 0x17,
        action: None,
        name: "RELEASE(6)",
        handler: reserve::release,
        flags: SPC2_CMD,
        usage: &[0x17, 0, 0, 0, 0, 0x07],
    },
    Command {
        opcode: 0x1a,
        action: None,
        name: "MODE SENSE(6)",
        handler: mode::mode_sense,
        flags: 0,
        usage: &[0x1a, 0x08, 0xff, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x1b,
        action: None,
        name: "START STOP UNIT",
        handler: unit::start_stop_unit,
        flags: PR_ALLOWED,
        usage: &[0x1b, 0x01, 0, 0x0f, 0xf7, 0x07],
    },
    Command {
        opcode: 0x25,
        action: None,
        name: "READ CAPACITY(10)",
        handler: unit::read_capacity10,
        flags: PR_ALLOWED,
        usage: &[0x25, 0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0x01, 0x07],
    },
    Command {
        opcode: 0x28,
        action: None,
        name: "READ(10)",
        handler: rw::read,
        flags: PR_READ,
        usage: &[0x28, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x2a,
        action: None,
        name: "WRITE(10)",
        handler: rw::write,
        flags: 0,
        usage: &[0x2a, 0xfa, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x2e,
        action: None,
        name: "WRITE AND VERIFY(10)",
        handler: rw::write_and_verify,
        flags: 0,
        usage: &[0x2e, 0xf6, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x2f,
        action: None,
        name: "VERIFY(10)",
        handler: verify::verify,
        flags: PR_READ,
        usage: &[0x2f, 0xf6, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x34,
        action: None,
        name: "PRE-FETCH(10)",
        handler: rw::prefetch,
        flags: PR_READ,
        usage: &[0x34, 0x02, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x35,
        action: None,
        name: "SYNCHRONIZE CACHE(10)",
        handler: rw::synchronize_cache,
        flags: 0,
        usage: &[0x35, 0x06, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x37,
        action: None,
        name: "READ DEFECT DATA(10)",
        handler: unit::read_defect_data,
        flags: PR_READ,
        usage: &[0x37, 0, 0x1f, 0, 0, 0, 0, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x41,
        action: None,
        name: "WRITE SAME(10)",
        handler: provision::write_same,
        flags: 0,
        usage: &[0x41, 0xf8, 0xff, 0xff, 0xff, 0xff, 0x1f, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x42,
        action: None,
        name: "UNMAP",
        handler: provision::unmap,
        flags: 0,
        usage: &[0x42, 0x01, 0, 0, 0, 0, 0x1f, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x55,
        action: None,
        name: "MODE SELECT(10)",
        handler: mode::mode_select,
        flags: 0,
        usage: &[0x55, 0x11, 0, 0, 0, 0, 0, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x56,
        action: None,
        name: "RESERVE(10)",
        handler: reserve::reserve,
        flags: SPC2_CMD,
        usage: &[0x56, 0x12, 0, 0, 0, 0, 0, 0, 0, 0x07],
    },
    Command {
        opcode: 0x57,
        action: None,
        name: "RELEASE(10)",
        handler: reserve::release,
        flags: SPC2_CMD,
        usage: &[0x57, 0x12, 0, 0, 0, 0, 0, 0, 0, 0x07],
    },
    Command {
        opcode: 0x5a,
        action: None,
        name: "MODE SENSE(10)",
        handler: mode::mode_sense,
        flags: 0,
        usage: &[0x5a, 0x18, 0xff, 0xff, 0, 0, 0, 0xff, 0xff, 0x07],
    },
    Command {
        opcode: 0x5e,
        action: Some(0x00),
        name: "PERSISTENT RESERVE IN / READ KEYS",
        handler: pr_in::read_keys,
        flags: PR_ALLOWED,
        usage: PR_IN_USAGE,
    },
    Command {
        opcode: 0x5e,
        action: Some(0x01),
        name: "PERSISTENT RESERVE IN / READ RESERVATION",
        handler: pr_in::read_reservation,
        flags: PR_ALLOWED,
        usage: PR_IN_USAGE,
    },
    Command {
        opcode: 0x5e,
        action: Some(0x02),
        name: "PERSISTENT RESERVE IN / REPORT CAPABILITIES",
        handler: pr_in::report_capabilities,
        flags: PR_ALLOWED,
        usage: PR_IN_USAGE,
    },
    Command {
        opcode: 0x5e,
        action: Some(0x03),
        name: "PERSISTENT RESERVE IN / READ FULL STATUS",
        handler: pr_in::read_full_status,
        flags: PR_ALLOWED,
        usage: PR_IN_USAGE,
    },
    Command {
        opcode: 0x5f,
        action: Some(0x00),
        name: "PERSISTENT RESERVE OUT / REGISTER",
        handler: pr_out::register,
        flags: PR_OUT,
        usage: PR_OUT_USAGE,
    },
    Command {
        opcode: 0x5f,
        action: Some(0x01),
        name: "PERSISTENT RESERVE OUT / RESERVE",
        handler: pr_out::reserve,
        flags: PR_OUT,
        usage: PR_OUT_USAGE,
    },
    Command {
        opcode: 0x5f,
        action: Some(0x02),
        name: "PERSISTENT RESERVE OUT / RELEASE",
        handler: pr_out::release,
        flags: PR_OUT,
        usage: PR_OUT_USAGE,
    },
    Command {
        opcode: 0x5f,
        action: Some(0x03),
        name: "PERSISTENT RESERVE OUT / CLEAR",
        handler: pr_out::clear,
        flags: PR_OUT,
        usage: PR_OUT_USAGE,
    },
    Command {
        opcode: 0x5f,
        action: Some(0x04),
        name: "PERSISTENT RESERVE OUT / PREEMPT",
        handler: pr_out::preempt,
        flags: PR_OUT,
        usage: PR_OUT_USAGE,
    },
    Command {
        opcode: 0x5f,
        action: Some(0x05),
        name: "PERSISTENT RESERVE OUT / PREEMPT AND ABORT",
        handler: pr_out::preempt,
        flags: PR_OUT,
        usage: PR_OUT_USAGE,
    },
    Command {
        opcode: 0x5f,
        action: Some(0x06),
        name: "PERSISTENT RESERVE OUT / REGISTER AND IGNORE EXISTING KEY",
        handler: pr_out::register,
        flags: PR_OUT,
        usage: PR_OUT_USAGE,
    },
    Command {
        opcode: 0x5f,
        action: Some(0x07),
        name: "PERSISTENT RESERVE OUT / REGISTER AND MOVE",
        handler: pr_out::register_and_move,
        flags: PR_OUT,
        usage: PR_OUT_USAGE,
    },
    Command {
        opcode: 0x88,
        action: None,
        name: "READ(16)",
        handler: rw::read,
        flags: PR_READ,
        usage: &[
            0x88, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x1f, 0x07,
        ],
    },
    Command {
        opcode: 0x89,
        action: None,
        name: "COMPARE AND WRITE",
        handler: verify::compare_and_write,
        flags: 0,
        usage: &[
            0x89, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0xff, 0x1f, 0x07,
        ],
    },
    Command {
        opcode: 0x8a,
        action: None,
        name: "WRITE(16)",
        handler: rw::write,
        flags: 0,
        usage: &[
            0x8a, 0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x1f, 0x07,
        ],
    },
    Command {
        opcode: 0x8b,
        action: None,
        name: "ORWRITE(16)",
        handler: rw::orwrite,
        flags: 0,
        usage: &[
            0x8b, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x1f, 0x07,
        ],
    },
    Command {
        opcode: 0x8e,
        action: None,
        name: "WRITE AND VERIFY(16)",
        handler: rw::write_and_verify,
        flags: 0,
        usage: &[
            0x8e, 0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x1f, 0x07,
        ],
    },
    Command {
        opcode: 0x8f,
        action: None,
        name: "VERIFY(16)",
        handler: verify::verify,
        flags: PR_READ,
        usage: &[
            0x8f, 0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x1f, 0x07,
        ],
    },
    Command {
        opcode: 0x90,
        action: None,
        name: "PRE-FETCH(16)",
        handler: rw::prefetch,
        flags: PR_READ,
        usage: &[
            0x90, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x1f, 0x07,
        ],
    },
    Command {
        opcode: 0x91,
        action: None,
        name: "SYNCHRONIZE CACHE(16)",
        handler: rw::synchronize_cache,
        flags: 0,
        usage: &[
            0x91, 0x06, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x1f, 0x07,
        ],
    },
    Command {
        opcode: 0x93,
        action: None,
        name: "WRITE SAME(16)",
        handler: provision::write_same,
        flags: 0,
        usage: &[
            0x93, 0xf9, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
            0x1f, 0x07,
        ],
    },
    Command {
        opcode: 0x9e,
        action: Some(0x10),
        name: "READ CAPACITY(16)",
        handler: unit::read_capacity16,
        flags: PR_ALLOWED,
        usage: &[
            0x9e, 0x1f, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0x07,
        ],
    },
    Command {
        opcode: 0x9e,
        action: Some(0x12),
        name: "GET LBA STATUS",
        handler: provision::get_lba_status,
        flags: PR_READ,
        usage: &[
            0x9e, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0,
            0x07,
        ],
    },
    Command {
        opcode: 0xa0,
        action: None,
        name: "REPORT LUNS",
        handler: report::report_luns,
        flags: ANY_LUN | NO_UA | PR_ALLOWED | SPC2_ALLOWED,
        usage: &[0xa0, 0, 0xff, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0x07],
    },
    Command {
        opcode: 0xa3,
        action: Some(0x0c),
        name: "REPORT SUPPORTED OPERATION CODES",
        handler: report::report_opcodes,
        flags: PR_ALLOWED | SPC2_ALLOWED,
        usage: &[
            0xa3, 0x1f, 0x87, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0x07,
        ],
    },
    Command {
        opcode: 0xa3,
        action: Some(0x0d),
        name: "REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS",
        handler: report::report_tmfs,
        flags: PR_ALLOWED | SPC2_ALLOWED,
        usage: &[0xa3, 0x1f, 0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0, 0x07],
    },
    Command {
        opcode: 0xa8,
        action: None,
        name: "READ(12)",
        handler: rw::read,
        flags: PR_READ,
        usage: &[
            0xa8, 0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07,
        ],
    },
    Command {
        opcode: 0xaa,
        action: None,
        name: "WRITE(12)",
        handler: rw::write,
        flags: 0,
        usage: &[
            0xaa, 0xfa, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07,
        ],
    },
    Command {
        opcode: 0xae,
        action: None,
        name: "WRITE AND VERIFY(12)",
        handler: rw::write_and_verify,
        flags: 0,
        usage: &[
            0xae, 0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07,
        ],
    },
    Command {
        opcode: 0xaf,
        action: None,
        name: "VERIFY(12)",
        handler: verify::verify,
        flags: PR_READ,
        usage: &[
            0xaf, 0xf6, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f, 0x07,
        ],
    },
    Command {
        opcode: 0xb7,
        action: None,
        name: "READ DEFECT DATA(12)",
        handler: unit::read_defect_data,
        flags: PR_READ,
        usage: &[
            0xb7, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0x07,
        ],
    },
];

/// What the table says about a CDB.
pub enum Lookup {
    Found(&'static Command),
    /// The opcode exists but not with this service action.
    BadServiceAction(&'static Command),
    Unknown,
}

const fn build_index() -> [u8; 256] {
    let mut idx = [u8::MAX; 256];
    let mut i = TABLE.len();
    while i > 0 {
        i -= 1;
        idx[TABLE[i].opcode as usize] = i as u8;
    }
    idx
}

/// First row of each opcode, so a lookup is one array index plus a short scan.
static INDEX: [u8; 256] = build_index();

pub fn lookup(cdb: &Cdb) -> Lookup {
    let op = cdb.opcode();
    let first = INDEX[op as usize];
    if first == u8::MAX {
        return Lookup::Unknown;
    }
    let rows = TABLE[first as usize..]
        .iter()
        .take_while(|c| c.opcode == op);
    let mut any = None;
    for c in rows {
        match c.action {
            None => return Lookup::Found(c),
            Some(sa) if sa == cdb.service_action() => return Lookup::Found(c),
            Some(_) => any = any.or(Some(c)),
        }
    }
    match any {
        Some(c) => Lookup::BadServiceAction(c),
        None => Lookup::Unknown,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_and_usage_maps_name_their_opcode() {
        for w in TABLE.windows(2) {
            let a = (w[0].opcode, w[0].action);
            let b = (w[1].opcode, w[1].action);
            assert!(a < b, "{} before {}", w[0].name, w[1].name);
        }
        for c in TABLE {
            assert_eq!(c.usage[0], c.opcode, "{}", c.name);
            assert!(matches!(c.usage.len(), 6 | 10 | 12 | 16), "{}", c.name);
        }
    }
}
