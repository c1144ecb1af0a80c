//! The fixed newstyle handshake as a state machine: bytes in, reply bytes and a verdict out.
//!
//! No sockets here: the transport feeds whatever it has read and writes whatever comes out.
//! Every length a client sends is checked against what actually arrived before anything is
//! allocated for it, and an option too long to hold is skipped as it streams past.

use super::registry::{Export, ExportRegistry};
use super::wire::*;
use crate::engine::BlockSizes;

/// Option payloads above this are skipped rather than buffered.
pub const MAX_OPTION_DATA: usize = 64 << 10;

/// What the negotiation settled on, handed to the transmission phase.
pub struct Negotiated {
    pub name: String,
    pub export: Export,
    /// Structured replies were negotiated (NBD_OPT_STRUCTURED_REPLY).
    pub structured: bool,
    /// `base:allocation` was selected for this export, so BLOCK_STATUS is allowed.
    pub base_allocation: bool,
    pub flags: u16,
    pub size: u64,
    pub sizes: BlockSizes,
}

/// What the transport does after feeding input.
pub enum Progress {
    /// Read more input, then call again.
    NeedMore,
    /// Write out what was produced, then enter transmission; unconsumed input belongs to
    /// the transmission phase.
    Transmission(Box<Negotiated>),
    /// Write out what was produced, then close the connection.
    Close,
}

enum State {
    ClientFlags,
    Options,
    /// Discarding an oversized option's data before refusing it.
    Skipping {
        option: u32,
        remaining: u64,
    },
}

/// One connection's option haggling.
pub struct Handshake<'r> {
    registry: &'r dyn ExportRegistry,
    state: State,
    haggle: Haggle,
}

/// What the options negotiated so far.
struct Haggle {
    max_block: u32,
    no_zeroes: bool,
    structured: bool,
    /// Export name and whether `base:allocation` was selected by the last SET_META_CONTEXT.
    meta: Option<(String, bool)>,
}

/// Handshake flags the server offers.
pub const SERVER_FLAGS: u16 = FLAG_FIXED_NEWSTYLE | FLAG_NO_ZEROES;

/// The first bytes a server sends on a new connection.
pub fn greeting(out: &mut Vec<u8>) {
    out.put_u64(NBDMAGIC);
    out.put_u64(IHAVEOPT);
    out.put_u16(SERVER_FLAGS);
}

/// Transmission flags, advertised honestly: only what the export will really do.
pub fn transmission_flags(export: &Export, structured: bool) -> u16 {
    let mut flags = FLAG_HAS_FLAGS | FLAG_SEND_FLUSH | FLAG_SEND_FUA | FLAG_SEND_CACHE;
    if export.read_only || export.volume.read_only() {
        flags |= FLAG_READ_ONLY;
    } else {
        flags |= FLAG_SEND_TRIM | FLAG_SEND_WRITE_ZEROES | FLAG_SEND_FAST_ZERO;
    }
    if structured {
        flags |= FLAG_SEND_DF;
    }
    if export.volume.flush_covers_all_connections() {
        flags |= FLAG_CAN_MULTI_CONN;
    }
    flags
}

/// Block sizes to advertise: the volume's, with the maximum capped by the server's limit.
pub fn advertised_sizes(export: &Export, max_block: u32) -> BlockSizes {
    let s = export.volume.block_sizes();
    let maximum = s.maximum.min(max_block).max(s.minimum.max(1));
    BlockSizes {
        minimum: s.minimum.max(1),
        preferred: s.preferred.clamp(s.minimum.max(1), maximum),
        maximum,
    }
}

impl<'r> Handshake<'r> {
    /// Starts after the greeting has been sent; `max_block` caps READ/WRITE sizes.
    pub fn new(registry: &'r dyn ExportRegistry, max_block: u32) -> Handshake<'r> {
        Handshake {
            registry,
            state: State::ClientFlags,
            haggle: Haggle {
                max_block,
                no_zeroes: false,
                structured: false,
                meta: None,
            },
        }
    }

    /// Consumes as much of `input` as forms whole messages, appending replies to `out`.
    /// Returns the bytes consumed; `shutting_down` refuses further options.
    pub fn advance(
        &mut self,
        input: &[u8],
        out: &mut Vec<u8>,
        shutting_down: bool,
    ) -> (usize, Progress) {
        let mut used = 0;
        loop {
            let rest = &input[used..];
            match self.state {
                State::ClientFlags => {
                    let Some(flags) = BeReader::new(rest).u32() else {
                        return (used, Progress::NeedMore);
                    };
                    used += 4;
                    if flags & !(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES) != 0 {
                        return (used, Progress::Close);
                    }
                    self.haggle.no_zeroes = flags & FLAG_C_NO_ZEROES != 0;
                    self.state = State::Options;
                }
                State::Skipping { option, remaining } => {
                    let n = remaining.min(rest.len() as u64);
                    used += n as usize;
                    if n < remaining {
                        self.state = State::Skipping {
                            option,
                            remaining: remaining - n,
                        };
                        return (used, Progress::NeedMore);
                    }
                    self.state = State::Options;
                    let kind = if is_known(option) {
                        REP_ERR_TOO_BIG
                    } else {
                        REP_ERR_UNSUP
                    };
                    put_option_reply(out, option, kind, b"option data too long");
                }
                State::Options => {
                    let mut r = BeReader::new(rest);
                    let (Some(magic), Some(option), Some(len)) = (r.u64(), r.u32(), r.u32()) else {
                        return (used, Progress::NeedMore);
                    };
                    if magic != IHAVEOPT {
                        return (used, Progress::Close);
                    }
                    let len = len as usize;
                    if len > MAX_OPTION_DATA {
                        if option == OPT_EXPORT_NAME {
                            return (used, Progress::Close);
                        }
                        used += OPTION_HEADER_LEN;
                        self.state = State::Skipping {
                            option,
                            remaining: len as u64,
                        };
                        continue;
                    }
                    let Some(data) = r.bytes(len) else {
                        return (used, Progress::NeedMore);
                    };
                    used += OPTION_HEADER_LEN + len;
                    match self
                        .haggle
                        .option(self.registry, option, data, out, shutting_down)
                    {
                        Progress::NeedMore => {}
                        done => return (used, done),
                    }
                }
            }
        }
    }
}

impl Haggle {
    fn option(
        &mut self,
        registry: &dyn ExportRegistry,
        option: u32,
        data: &[u8],
        out: &mut Vec<u8>,
        down: bool,
    ) -> Progress {
        if down && option != OPT_ABORT {
            if option == OPT_EXPORT_NAME {
                return Progress::Close;
            }
            put_option_reply(out, option, REP_ERR_SHUTDOWN, b"server is shutting down");
            return Progress::NeedMore;
        }
        match OPTIONS.iter().find(|(code, _)| *code == option) {
            Some((_, handler)) => handler(self, registry, option, data, out),
            None => {
                put_option_reply(out, option, REP_ERR_UNSUP, b"unsupported option");
                Progress::NeedMore
            }
        }
    }

    fn negotiated(&self, name: &str, export: Export) -> Negotiated {
        let base_allocation =
            self.structured && matches!(&self.meta, Some((meta_name, true)) if meta_name == name);
        Negotiated {
            flags: transmission_flags(&export, self.structured),
            size: export.volume.size(),
            sizes: advertised_sizes(&export, self.max_block),
            name: name.to_string(),
            export,
            structured: self.structured,
            base_allocation,
        }
    }

    fn export_name(
        &mut self,
        registry: &dyn ExportRegistry,
        _: u32,
        data: &[u8],
        out: &mut Vec<u8>,
    ) -> Progress {
        let Ok(name) = std::str::from_utf8(data) else {
            return Progress::Close;
        };
        let Some(export) = registry.open(name) else {
            // EXPORT_NAME cannot carry an error: the protocol says to end the session.
            return Progress::Close;
        };
        let n = self.negotiated(name, export);
        out.put_u64(n.size);
        out.put_u16(n.flags);
        if !self.no_zeroes {
            out.resize(out.len() + 124, 0);
        }
        Progress::Transmission(Box::new(n))
    }

    fn abort(
        &mut self,
        _: &dyn ExportRegistry,
        option: u32,
        _: &[u8],
        out: &mut Vec<u8>,
    ) -> Progress {
        put_option_reply(out, option, REP_ACK, &[]);
        Progress::Close
    }

    fn list(
        &mut self,
        registry: &dyn ExportRegistry,
        option: u32,
        data: &[u8],
        out: &mut Vec<u8>,
    ) -> Progress {
        if !data.is_empty() {
            put_option_reply(out, option, REP_ERR_INVALID, b"NBD_OPT_LIST takes no data");
            return Progress::NeedMore;
        }
        for name in registry.names() {
            let mut body = Vec::with_capacity(4 + name.len());
            body.put_u32(name.len() as u32);
            body.extend_from_slice(name.as_bytes());
            if let Some(e) = registry.open(&name) {
                body.extend_from_slice(truncate_utf8(&e.description, MAX_STRING).as_bytes());
            }
            put_option_reply(out, option, REP_SERVER, &body);
        }
        put_option_reply(out, option, REP_ACK, &[]);
        Progress::NeedMore
    }

    fn structured_reply(
        &mut self,
        _: &dyn ExportRegistry,
        option: u32,
        data: &[u8],
        out: &mut Vec<u8>,
    ) -> Progress {
        if !data.is_empty() {
            put_option_reply(out, option, REP_ERR_INVALID, b"option takes no data");
            return Progress::NeedMore;
        }
        self.structured = true;
        put_option_reply(out, option, REP_ACK, &[]);
        Progress::NeedMore
    }

    fn info_or_go(
        &mut self,
        registry: &dyn ExportRegistry,
        option: u32,
        data: &[u8],
        out: &mut Vec<u8>,
    ) -> Progress {
        let Some((name, requests)) = parse_info_request(data) else {
            put_option_reply(out, option, REP_ERR_INVALID, b"malformed info request");
            return Progress::NeedMore;
        };
        let Some(export) = registry.open(name) else {
            let msg = format!("no export named '{}'", truncate_utf8(name, 256));
            put_option_reply(out, option, REP_ERR_UNKNOWN, msg.as_bytes());
            return Progress::NeedMore;
        };
        let n = self.negotiated(name, export);
        let mut info = Vec::with_capacity(16);
        info.put_u16(INFO_EXPORT);
        info.put_u64(n.size);
        info.put_u16(n.flags);
        put_option_reply(out, option, REP_INFO, &info);
        for &kind in &requests {
            let text = match kind {
                INFO_NAME => name,
                INFO_DESCRIPTION if !n.export.description.is_empty() => &n.export.description,
                _ => continue,
            };
            let mut info = Vec::with_capacity(2 + text.len());
            info.put_u16(kind);
            info.extend_from_slice(truncate_utf8(text, MAX_STRING).as_bytes());
            put_option_reply(out, option, REP_INFO, &info);
        }
        // Sent even when not requested, which the protocol allows, so that every client
        // learns the maximum request size the server enforces.
        let mut info = Vec::with_capacity(14);
        info.put_u16(INFO_BLOCK_SIZE);
        info.put_u32(n.sizes.minimum);
        info.put_u32(n.sizes.preferred);
        info.put_u32(n.sizes.maximum);
        put_option_reply(out, option, REP_INFO, &info);
        put_option_reply(out, option, REP_ACK, &[]);
        if option == OPT_GO {
            Progress::Transmission(Box::new(n))
        } else {
            Progress::NeedMore
        }
    }

    fn meta_context(
        &mut self,
        registry: &dyn ExportRegistry,
        option: u32,
        data: &[u8],
        out: &mut Vec<u8>,
    ) -> Progress {
        if !self.structured {
            let msg = b"structured replies must be negotiated first";
            put_option_reply(out, option, REP_ERR_INVALID, msg);
            return Progress::NeedMore;
        }
        let Some((name, queries)) = parse_meta_request(data) else {
            put_option_reply(
                out,
                option,
                REP_ERR_INVALID,
                b"malformed meta context request",
            );
            return Progress::NeedMore;
        };
        if registry.open(name).is_none() {
            let msg = format!("no export named '{}'", truncate_utf8(name, 256));
            put_option_reply(out, option, REP_ERR_UNKNOWN, msg.as_bytes());
            return Progress::NeedMore;
        }
        let list = option == OPT_LIST_META_CONTEXT;
        let selected = (list && queries.is_empty())
            || queries
                .iter()
                .any(|q| *q == BASE_ALLOCATION || *q == "base:");
        if selected {
            let mut body = Vec::with_capacity(4 + BASE_ALLOCATION.len());
            body.put_u32(if list { 0 } else { BASE_ALLOCATION_ID });
            body.extend_from_slice(BASE_ALLOCATION.as_bytes());
            put_option_reply(out, option, REP_META_CONTEXT, &body);
        }
        if !list {
            self.meta = Some((name.to_string(), selected));
        }
        put_option_reply(out, option, REP_ACK, &[]);
        Progress::NeedMore
    }

    fn unsupported(
        &mut self,
        _: &dyn ExportRegistry,
        option: u32,
        _: &[u8],
        out: &mut Vec<u8>,
    ) -> Progress {
        put_option_reply(out, option, REP_ERR_UNSUP, b"TLS is not offered");
        Progress::NeedMore
    }
}

/// The context id that BLOCK_STATUS replies carry for `base:allocation`.
pub const BASE_ALLOCATION_ID: u32 = 1;

type OptionHandler = fn(&mut Haggle, &dyn ExportRegistry, u32, &[u8], &mut Vec<u8>) -> Progress;

/// The options rvm understands; a new option is one row.
const OPTIONS: &[(u32, OptionHandler)] = &[
    (OPT_EXPORT_NAME, Haggle::export_name),
    (OPT_ABORT, Haggle::abort),
    (OPT_LIST, Haggle::list),
    (OPT_STARTTLS, Haggle::unsupported),
    (OPT_INFO, Haggle::info_or_go),
    (OPT_GO, Haggle::info_or_go),
    (OPT_STRUCTURED_REPLY, Haggle::structured_reply),
    (OPT_LIST_META_CONTEXT, Haggle::meta_context),
    (OPT_SET_META_CONTEXT, Haggle::meta_context),
];

fn is_known(option: u32) -> bool {
    OPTIONS.iter().any(|(code, _)| *code == option)
}

/// NBD_OPT_INFO/GO data: name, then a u16 count of u16 info requests, nothing more.
fn parse_info_request(data: &[u8]) -> Option<(&str, Vec<u16>)> {
    let mut r = BeReader::new(data);
    let name = r.string()?;
    let count = r.u16()? as usize;
    if r.remaining() != count * 2 {
        return None;
    }
    let requests = (0..count).map(|_| r.u16()).collect::<Option<Vec<u16>>>()?;
    Some((name, requests))
}

/// NBD_OPT_{LIST,SET}_META_CONTEXT data: name, then a u32 count of queries, nothing more.
fn parse_meta_request(data: &[u8]) -> Option<(&str, Vec<&str>)> {
    let mut r = BeReader::new(data);
    let name = r.string()?;
    let count = r.u32()? as usize;
    // Each query needs at least its 4-byte length, so this bounds the allocation.
    if count > r.remaining() / 4 {
        return None;
    }
    let queries = (0..count)
        .map(|_| r.string())
        .collect::<Option<Vec<&str>>>()?;
    if r.remaining() != 0 {
        return None;
    }
    Some((name, queries))
}

#[cfg(test)]
#[path = "handshake_tests.rs"]
mod tests;
