//! A write task collecting its Data-Out (RFC 7143 §4.2.2.4): immediate data, the unsolicited
//! burst, and R2T-solicited bursts bounded by MaxBurstLength and MaxOutstandingR2T. With
//! DataPDUInOrder and DataSequenceInOrder both Yes (we always offer Yes, and the result is
//! an OR), data arrives at increasing offsets, so the buffer only ever grows at its end:
//! memory follows what the initiator actually sent, never the length it claimed.

use super::pdu::RESERVED_TAG;
use super::scsi::TaskAttr;
use std::collections::VecDeque;

/// An R2T we sent and whose data has not all arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct R2t {
    pub ttt: u32,
    pub r2t_sn: u32,
    pub offset: u32,
    pub len: u32,
    received: u32,
    next_data_sn: u32,
}

/// Why a Data-Out breaks the protocol; at ErrorRecoveryLevel 0 the connection ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DataOutError {
    #[error("Data-Out with a wrong DataSN")]
    DataSn,
    #[error("Data-Out at an unexpected offset")]
    Offset,
    #[error("Data-Out beyond the solicited or unsolicited range")]
    Overrun,
    #[error("Data-Out for an unknown target transfer tag")]
    UnknownTtt,
    #[error("a burst ended before all of its data arrived")]
    ShortBurst,
}

/// The command fields a write keeps until it runs.
#[derive(Debug, Clone)]
pub struct CommandHead {
    pub itt: u32,
    pub lun_field: u64,
    pub cmd_sn: u32,
    pub attr: TaskAttr,
    pub cdb: Vec<u8>,
    pub edtl: u32,
    pub read: bool,
    pub read_len: u32,
}

/// A write waiting for its data.
#[derive(Debug)]
pub struct WriteTask {
    pub head: CommandHead,
    pub data: Vec<u8>,
    /// Data is counted but not kept: the command already failed (too long to accept).
    pub discard: bool,
    received: u32,
    unsol_end: u32,
    unsol_data_sn: u32,
    next_solicit: u32,
    r2t_sn: u32,
    pub outstanding: VecDeque<R2t>,
    /// The R2T count, reported as ExpDataSN in the SCSI Response.
    pub r2ts_sent: u32,
}

impl WriteTask {
    /// `immediate` came in the command PDU; `unsol_end` is where unsolicited data stops
    /// (the immediate length when the F bit was set).
    pub fn new(head: CommandHead, immediate: &[u8], unsol_end: u32, discard: bool) -> WriteTask {
        let received = immediate.len() as u32;
        let data = if discard {
            Vec::new()
        } else {
            immediate.to_vec()
        };
        WriteTask {
            next_solicit: unsol_end.max(received),
            head,
            data,
            discard,
            received,
            unsol_end,
            unsol_data_sn: 0,
            r2t_sn: 0,
            outstanding: VecDeque::new(),
            r2ts_sent: 0,
        }
    }

    pub fn complete(&self) -> bool {
        self.received >= self.head.edtl
    }

    /// Plans the next R2Ts while fewer than `max_outstanding` are open; `alloc_ttt` names each.
    pub fn solicit(
        &mut self,
        max_burst: u32,
        max_outstanding: u32,
        mut alloc_ttt: impl FnMut() -> u32,
    ) -> Vec<R2t> {
        let mut new = Vec::new();
        if self.discard {
            return new;
        }
        while self.next_solicit < self.head.edtl
            && (self.outstanding.len() as u32) < max_outstanding.max(1)
        {
            let len = (self.head.edtl - self.next_solicit).min(max_burst.max(512));
            let r = R2t {
                ttt: alloc_ttt(),
                r2t_sn: self.r2t_sn,
                offset: self.next_solicit,
                len,
                received: 0,
                next_data_sn: 0,
            };
            self.r2t_sn += 1;
            self.r2ts_sent += 1;
            self.next_solicit += len;
            self.outstanding.push_back(r);
            new.push(r);
        }
        new
    }

    /// Accepts one Data-Out PDU; returns whether a burst ended (so more R2Ts may be sent).
    pub fn data_out(
        &mut self,
        ttt: u32,
        data_sn: u32,
        offset: u32,
        payload: &[u8],
        final_bit: bool,
    ) -> Result<bool, DataOutError> {
        let len = payload.len() as u32;
        if offset != self.received {
            return Err(DataOutError::Offset);
        }
        let end = offset.checked_add(len).ok_or(DataOutError::Overrun)?;
        let burst_done = if ttt == RESERVED_TAG {
            if data_sn != self.unsol_data_sn {
                return Err(DataOutError::DataSn);
            }
            if end > self.unsol_end.min(self.head.edtl) {
                return Err(DataOutError::Overrun);
            }
            self.unsol_data_sn += 1;
            if final_bit && end != self.unsol_end.min(self.head.edtl) {
                return Err(DataOutError::ShortBurst);
            }
            false
        } else {
            let r = self
                .outstanding
                .front_mut()
                .filter(|r| r.ttt == ttt)
                .ok_or(DataOutError::UnknownTtt)?;
            if data_sn != r.next_data_sn {
                return Err(DataOutError::DataSn);
            }
            if end > r.offset + r.len {
                return Err(DataOutError::Overrun);
            }
            r.next_data_sn += 1;
            r.received += len;
            let done = r.received == r.len;
            if final_bit != done {
                return Err(DataOutError::ShortBurst);
            }
            if done {
                self.outstanding.pop_front();
            }
            done
        };
        if !self.discard {
            self.data.extend_from_slice(payload);
        }
        self.received = end;
        Ok(burst_done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head(edtl: u32) -> CommandHead {
        CommandHead {
            itt: 1,
            lun_field: 0,
            cmd_sn: 0,
            attr: TaskAttr::Simple,
            cdb: vec![0x2a; 10],
            edtl,
            read: false,
            read_len: 0,
        }
    }

    #[test]
    fn immediate_unsolicited_then_solicited() {
        let mut t = WriteTask::new(head(10_000), &[1; 1000], 4000, false);
        let mut ttt = 100;
        let r = t.solicit(4096, 1, || {
            ttt += 1;
            ttt
        });
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].offset, r[0].len), (4000, 4096));
        assert_eq!(
            t.data_out(RESERVED_TAG, 0, 1000, &[2; 3000], true),
            Ok(false)
        );
        assert_eq!(t.data_out(101, 0, 4000, &[3; 2048], false), Ok(false));
        assert_eq!(t.data_out(101, 1, 6048, &[3; 2048], true), Ok(true));
        let r = t.solicit(4096, 1, || 102);
        assert_eq!((r[0].offset, r[0].len, r[0].r2t_sn), (8096, 1904, 1));
        assert_eq!(t.data_out(102, 0, 8096, &[4; 1904], true), Ok(true));
        assert!(t.complete());
        assert_eq!(t.data.len(), 10_000);
        assert_eq!(t.r2ts_sent, 2);
    }

    #[test]
    fn protocol_errors_are_detected() {
        let mut t = WriteTask::new(head(2048), &[], 0, false);
        let r = t.solicit(1024, 2, || 7);
        assert_eq!(r.len(), 2);
        assert_eq!(
            t.data_out(7, 1, 0, &[0; 512], false),
            Err(DataOutError::DataSn)
        );
        assert_eq!(
            t.data_out(7, 0, 512, &[0; 512], false),
            Err(DataOutError::Offset)
        );
        assert_eq!(
            t.data_out(9, 0, 0, &[0; 512], false),
            Err(DataOutError::UnknownTtt)
        );
        assert_eq!(
            t.data_out(7, 0, 0, &[0; 2000], true),
            Err(DataOutError::Overrun)
        );
        assert_eq!(
            t.data_out(7, 0, 0, &[0; 512], true),
            Err(DataOutError::ShortBurst)
        );
        let mut u = WriteTask::new(head(2048), &[], 0, false);
        assert_eq!(
            u.data_out(RESERVED_TAG, 0, 0, &[0; 512], false),
            Err(DataOutError::Overrun)
        );
    }

    #[test]
    fn discarding_tasks_keep_no_data() {
        let mut t = WriteTask::new(head(4096), &[1; 512], 4096, true);
        assert!(t.solicit(1024, 4, || 1).is_empty());
        t.data_out(RESERVED_TAG, 0, 512, &[1; 3584], true).unwrap();
        assert!(t.complete());
        assert!(t.data.is_empty());
    }
}
