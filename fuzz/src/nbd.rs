//! The NBD state machines with arbitrary client bytes: the handshake (option haggling,
//! delivered in arbitrary pieces) and the transmission phase (framing, planning and
//! executing requests against an in-memory volume).

use super::{mem_volume, mode};
use rvm::nbd::buffers::ReplyBuf;
use rvm::nbd::handshake::{advertised_sizes, transmission_flags, Handshake, Negotiated, Progress};
use rvm::nbd::transmission::{Frame, Plan, Session};
use rvm::nbd::wire::{REQUEST_LEN, REQUEST_MAGIC, SIMPLE_REPLY_MAGIC, STRUCTURED_REPLY_MAGIC};
use rvm::nbd::{Export, ExportTable};

const SIZE: u64 = 1 << 20;
const MAX_BLOCK: u32 = 256 << 10;

fn table(read_only: bool) -> ExportTable {
    let t = ExportTable::new();
    t.insert(
        "disk",
        Export {
            volume: mem_volume(SIZE),
            read_only,
            description: "fuzz".into(),
        },
    );
    t.insert(
        "",
        Export {
            volume: mem_volume(4096),
            read_only: true,
            description: String::new(),
        },
    );
    t
}

/// The handshake fed in pieces of 1 to 64 bytes (mode's low bits; 0 feeds all at once).
/// It never consumes more than it was given, makes progress or asks for more, and a
/// negotiated export goes on to serve the rest of the input as requests.
pub fn nbd_handshake(data: &[u8]) {
    let (m, input) = mode(data);
    let table = table(m & 0x80 != 0);
    let mut hs = Handshake::new(&table, MAX_BLOCK);
    let piece = match (m & 0x3f) as usize {
        0 => usize::MAX,
        n => n,
    };
    let mut pending: Vec<u8> = Vec::new();
    let mut fed = 0usize;
    let mut out = Vec::new();
    loop {
        let (used, progress) = hs.advance(&pending, &mut out, m & 0x40 != 0);
        assert!(used <= pending.len(), "consumed more than it was given");
        pending.drain(..used);
        match progress {
            Progress::Close => return,
            Progress::Transmission(n) => {
                pending.extend_from_slice(&input[fed..]);
                serve(&n, &pending);
                return;
            }
            Progress::NeedMore => {
                if fed == input.len() {
                    return;
                }
                let take = piece.min(input.len() - fed);
                pending.extend_from_slice(&input[fed..fed + take]);
                fed += take;
            }
        }
    }
}

/// Frames, plans and executes every whole request in `input`; each reply starts with a
/// reply magic and stays within the request's bounds.
fn serve(n: &Negotiated, input: &[u8]) {
    let s = Session::new(n, MAX_BLOCK);
    let mut at = 0;
    let mut out = ReplyBuf::default();
    while at < input.len() {
        let (h, payload, consumed) = match s.frame(&input[at..]) {
            Frame::Request {
                header,
                payload,
                consumed,
            } => (header, payload, consumed),
            Frame::NeedMore(_) | Frame::Oversized(_) | Frame::Garbage => return,
        };
        assert!(consumed >= REQUEST_LEN && at + consumed <= input.len());
        out.clear();
        match s.plan(&h) {
            Plan::Refuse(e, msg) => s.error_reply(&mut out, &h, e, msg),
            Plan::Inline | Plan::Write | Plan::Deferred => s.execute(&mut out, &h, payload),
            Plan::Disconnect => return,
        }
        let reply = out.as_slice();
        assert!(reply.len() >= 16, "a request gets a reply");
        let magic = u32::from_be_bytes([reply[0], reply[1], reply[2], reply[3]]);
        assert!(magic == SIMPLE_REPLY_MAGIC || magic == STRUCTURED_REPLY_MAGIC);
        assert!(
            reply.len() <= 64 + h.len as usize + 32 * 1024 + 4096,
            "reply size"
        );
        at += consumed;
    }
}

/// The transmission phase on its own: mode bits choose structured replies, base:allocation,
/// a read-only export, and whether request magics are fixed up (so that the fuzzer spends
/// its time on commands rather than on the magic).
pub fn nbd_requests(data: &[u8]) {
    let (m, input) = mode(data);
    let export = Export {
        volume: mem_volume(SIZE),
        read_only: m & 4 != 0,
        description: String::new(),
    };
    let structured = m & 1 != 0;
    let n = Negotiated {
        name: "disk".into(),
        flags: transmission_flags(&export, structured),
        size: SIZE,
        sizes: advertised_sizes(&export, MAX_BLOCK),
        export,
        structured,
        base_allocation: structured && m & 2 != 0,
    };
    let mut input = input.to_vec();
    if m & 8 != 0 {
        // Requests are REQUEST_LEN bytes plus a write's payload: fix each magic in turn.
        let s = Session::new(&n, MAX_BLOCK);
        let mut at = 0;
        while at + REQUEST_LEN <= input.len() {
            input[at..at + 4].copy_from_slice(&REQUEST_MAGIC.to_be_bytes());
            match s.frame(&input[at..]) {
                Frame::Request { consumed, .. } => at += consumed,
                _ => break,
            }
        }
    }
    serve(&n, &input);
}
