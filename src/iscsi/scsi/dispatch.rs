//! The command table (SPC-4 / SBC-3): one row per opcode and service action, giving its
//! handler, its flags and its CDB usage map (what REPORT SUPPORTED OPERATION CODES
//! reports). A new command is a new row.

use super::cdb::Cdb;
use super::exec::{Ctx, Done};
use super::unit;

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

/// Every command rvm implements, sorted by opcode then service action.
pub static TABLE: &[Command] = &[Command {
    opcode: 0x00,
    action: None,
    name: "TEST UNIT READY",
    handler: unit::test_unit_ready,
    flags: PR_ALLOWED,
    usage: &[0x00, 0, 0, 0, 0, 0x07],
}];

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
