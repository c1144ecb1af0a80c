//! Sense data (SPC-4 §4.5): the sense keys and additional sense codes rvm reports, and
//! their encoding in fixed and descriptor formats.

use super::wire::put_be;

/// Sense key (SPC-4 table 27).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum SenseKey {
    NoSense = 0x0,
    RecoveredError = 0x1,
    NotReady = 0x2,
    MediumError = 0x3,
    HardwareError = 0x4,
    IllegalRequest = 0x5,
    UnitAttention = 0x6,
    DataProtect = 0x7,
    AbortedCommand = 0xb,
    Miscompare = 0xe,
}

/// An additional sense code and qualifier (SPC-4 table 28).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asc(pub u8, pub u8);

/// The ASC/ASCQ pairs rvm reports, named as SPC-4 names them.
pub mod asc {
    use super::Asc;
    pub const NO_ADDITIONAL_SENSE: Asc = Asc(0x00, 0x00);
    pub const LUN_NOT_READY_MANUAL_INTERVENTION: Asc = Asc(0x04, 0x03);
    pub const WRITE_ERROR: Asc = Asc(0x0c, 0x00);
    pub const INVALID_FIELD_IN_INFORMATION_UNIT: Asc = Asc(0x0e, 0x03);
    pub const UNRECOVERED_READ_ERROR: Asc = Asc(0x11, 0x00);
    pub const MISCOMPARE_DURING_VERIFY: Asc = Asc(0x1d, 0x00);
    pub const PARAMETER_LIST_LENGTH_ERROR: Asc = Asc(0x1a, 0x00);
    pub const INVALID_COMMAND_OPERATION_CODE: Asc = Asc(0x20, 0x00);
    pub const LBA_OUT_OF_RANGE: Asc = Asc(0x21, 0x00);
    pub const INVALID_FIELD_IN_CDB: Asc = Asc(0x24, 0x00);
    pub const LOGICAL_UNIT_NOT_SUPPORTED: Asc = Asc(0x25, 0x00);
    pub const INVALID_FIELD_IN_PARAMETER_LIST: Asc = Asc(0x26, 0x00);
    pub const INVALID_RELEASE_OF_PERSISTENT_RESERVATION: Asc = Asc(0x26, 0x04);
    pub const WRITE_PROTECTED: Asc = Asc(0x27, 0x00);
    pub const SOFTWARE_WRITE_PROTECTED: Asc = Asc(0x27, 0x02);
    pub const SPACE_ALLOCATION_FAILED_WRITE_PROTECT: Asc = Asc(0x27, 0x07);
    pub const POWER_ON_RESET: Asc = Asc(0x29, 0x00);
    pub const POWER_ON_OCCURRED: Asc = Asc(0x29, 0x01);
    pub const BUS_DEVICE_RESET_FUNCTION_OCCURRED: Asc = Asc(0x29, 0x03);
    pub const MODE_PARAMETERS_CHANGED: Asc = Asc(0x2a, 0x01);
    pub const RESERVATIONS_PREEMPTED: Asc = Asc(0x2a, 0x03);
    pub const RESERVATIONS_RELEASED: Asc = Asc(0x2a, 0x04);
    pub const REGISTRATIONS_PREEMPTED: Asc = Asc(0x2a, 0x05);
    pub const CAPACITY_DATA_HAS_CHANGED: Asc = Asc(0x2a, 0x09);
    pub const COMMANDS_CLEARED_BY_ANOTHER_INITIATOR: Asc = Asc(0x2f, 0x00);
    pub const SAVING_PARAMETERS_NOT_SUPPORTED: Asc = Asc(0x39, 0x00);
    pub const REPORTED_LUNS_DATA_HAS_CHANGED: Asc = Asc(0x3f, 0x0e);
}

/// Where a sense-key-specific field pointer points (SPC-4 §4.5.2.4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldIn {
    Cdb,
    ParameterList,
}

/// Why a command failed, before it is encoded in the format the LUN reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    pub key: SenseKey,
    pub asc: Asc,
    /// The INFORMATION field (the failing offset of a miscompare, for instance).
    pub info: Option<u64>,
    /// The 3 sense-key-specific bytes, SKSV already set.
    pub specific: Option<[u8; 3]>,
}

impl Check {
    pub const fn new(key: SenseKey, asc: Asc) -> Check {
        Check {
            key,
            asc,
            info: None,
            specific: None,
        }
    }

    pub const fn illegal(asc: Asc) -> Check {
        Check::new(SenseKey::IllegalRequest, asc)
    }

    /// INVALID FIELD IN CDB / PARAMETER LIST with a field pointer to `byte` (and `bit`).
    pub fn invalid_field(place: FieldIn, byte: usize, bit: Option<u8>) -> Check {
        let (code, cd) = match place {
            FieldIn::Cdb => (asc::INVALID_FIELD_IN_CDB, 0x40),
            FieldIn::ParameterList => (asc::INVALID_FIELD_IN_PARAMETER_LIST, 0x00),
        };
        let bits = match bit {
            Some(b) => 0x08 | (b & 0x07),
            None => 0,
        };
        let ptr = u16::try_from(byte).unwrap_or(u16::MAX).to_be_bytes();
        Check {
            specific: Some([0x80 | cd | bits, ptr[0], ptr[1]]),
            ..Check::illegal(code)
        }
    }

    /// INVALID FIELD IN CDB pointing at `byte`, `bit`.
    pub fn cdb(byte: usize, bit: u8) -> Check {
        Check::invalid_field(FieldIn::Cdb, byte, Some(bit))
    }

    /// INVALID FIELD IN CDB pointing at a whole `byte`.
    pub fn cdb_byte(byte: usize) -> Check {
        Check::invalid_field(FieldIn::Cdb, byte, None)
    }

    /// INVALID FIELD IN PARAMETER LIST pointing at `byte`.
    pub fn param(byte: usize) -> Check {
        Check::invalid_field(FieldIn::ParameterList, byte, None)
    }

    pub fn with_info(self, info: u64) -> Check {
        Check {
            info: Some(info),
            ..self
        }
    }

    /// Encodes as descriptor-format (`descriptor`) or fixed-format current sense.
    pub fn encode(&self, descriptor: bool) -> Sense {
        let mut s = Sense {
            buf: [0; SENSE_MAX],
            len: 0,
        };
        if descriptor {
            s.buf[0] = 0x72;
            s.buf[1] = self.key as u8;
            s.buf[2] = self.asc.0;
            s.buf[3] = self.asc.1;
            let mut at = 8;
            if let Some(info) = self.info {
                s.buf[at..at + 4].copy_from_slice(&[0x00, 0x0a, 0x80, 0x00]);
                put_be(&mut s.buf[at + 4..at + 12], info);
                at += 12;
            }
            if let Some(sks) = self.specific {
                s.buf[at..at + 2].copy_from_slice(&[0x02, 0x06]);
                s.buf[at + 4..at + 7].copy_from_slice(&sks);
                at += 8;
            }
            s.buf[7] = (at - 8) as u8;
            s.len = at as u8;
        } else {
            s.buf[0] = 0x70;
            s.buf[2] = self.key as u8;
            if let Some(info) = self.info.and_then(|i| u32::try_from(i).ok()) {
                s.buf[0] |= 0x80;
                put_be(&mut s.buf[3..7], u64::from(info));
            }
            s.buf[7] = 10;
            s.buf[12] = self.asc.0;
            s.buf[13] = self.asc.1;
            if let Some(sks) = self.specific {
                s.buf[15..18].copy_from_slice(&sks);
            }
            s.len = 18;
        }
        s
    }
}

const SENSE_MAX: usize = 28;

/// Encoded sense data, held inline so that reporting an error allocates nothing.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Sense {
    buf: [u8; SENSE_MAX],
    len: u8,
}

impl Sense {
    /// The bytes to send.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..usize::from(self.len)]
    }

    /// The sense key, whichever format the data is in.
    pub fn key(&self) -> u8 {
        if self.descriptor() {
            self.buf[1] & 0x0f
        } else {
            self.buf[2] & 0x0f
        }
    }

    /// The additional sense code and qualifier, whichever format the data is in.
    pub fn asc_ascq(&self) -> (u8, u8) {
        if self.descriptor() {
            (self.buf[2], self.buf[3])
        } else {
            (self.buf[12], self.buf[13])
        }
    }

    fn descriptor(&self) -> bool {
        self.buf[0] & 0x7e == 0x72
    }
}

impl std::fmt::Debug for Sense {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (a, q) = self.asc_ascq();
        write!(
            f,
            "Sense(key {:#x}, asc {a:#04x}/{q:#04x}, {:02x?})",
            self.key(),
            self.as_bytes()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_format_carries_key_asc_and_field_pointer() {
        let s = Check::cdb(1, 5).encode(false);
        assert_eq!(
            s.as_bytes(),
            &[0x70, 0, 0x05, 0, 0, 0, 0, 10, 0, 0, 0, 0, 0x24, 0x00, 0, 0xcd, 0x00, 0x01]
        );
        assert_eq!(s.key(), 5);
        assert_eq!(s.asc_ascq(), (0x24, 0));
    }

    #[test]
    fn fixed_format_sets_valid_only_when_information_fits() {
        let c = Check::new(SenseKey::Miscompare, asc::MISCOMPARE_DURING_VERIFY);
        let s = c.with_info(0x1234).encode(false);
        assert_eq!(s.as_bytes()[0], 0xf0);
        assert_eq!(&s.as_bytes()[3..7], &[0, 0, 0x12, 0x34]);
        let s = c.with_info(1 << 40).encode(false);
        assert_eq!(s.as_bytes()[0], 0x70);
    }

    #[test]
    fn descriptor_format_has_information_and_specific_descriptors() {
        let c = Check::param(7).with_info(9);
        let s = c.encode(true);
        assert_eq!(
            s.as_bytes(),
            &[
                0x72, 0x05, 0x26, 0x00, 0, 0, 0, 20, // header
                0x00, 0x0a, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 9, // information
                0x02, 0x06, 0, 0, 0x80, 0x00, 0x07, 0 // sense key specific
            ]
        );
        assert_eq!(s.key(), 5);
        assert_eq!(s.asc_ascq(), (0x26, 0));
    }
}
