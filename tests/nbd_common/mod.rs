//! Shared fixtures for the NBD tests: an in-process server on 127.0.0.1:0 exporting
//! `LinearVolume`s over sparse temp files, a helper to run real clients, and a raw client
//! for the hostile-client cases.
#![allow(dead_code)]

use rvm::block::{BlockDevice, FileDevice};
use rvm::engine::{LinearVolume, Piece};
use rvm::nbd::wire::*;
use rvm::nbd::{self, Export, ExportTable, ServerConfig, ServerHandle};
use std::fs::File;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub table: Arc<ExportTable>,
    pub server: Option<ServerHandle>,
    pub addr: SocketAddr,
}

impl Fixture {
    pub fn new() -> Fixture {
        Fixture::with_config(ServerConfig::default())
    }

    pub fn with_config(config: ServerConfig) -> Fixture {
        let table = Arc::new(ExportTable::new());
        let server = nbd::start("127.0.0.1:0", table.clone(), config).unwrap();
        Fixture {
            dir: tempfile::tempdir().unwrap(),
            addr: server.local_addr(),
            table,
            server: Some(server),
        }
    }

    pub fn server(&self) -> &ServerHandle {
        self.server.as_ref().unwrap()
    }

    /// Exports a new sparse file of `size` bytes as `name`.
    pub fn add_file(&self, name: &str, size: u64, read_only: bool) -> (PathBuf, Arc<LinearVolume>) {
        let path = self.dir.path().join(name.replace('/', "_"));
        File::create(&path).unwrap().set_len(size).unwrap();
        let vol = file_volume(&path, false);
        self.add(name, vol.clone(), read_only);
        (path, vol)
    }

    pub fn add(&self, name: &str, vol: Arc<LinearVolume>, read_only: bool) {
        let export = Export {
            volume: vol,
            read_only,
            description: format!("test export {name}"),
        };
        self.table.insert(name, export);
    }

    pub fn uri(&self, name: &str) -> String {
        format!("nbd://127.0.0.1:{}/{}", self.addr.port(), name)
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.dir.path().join(file)
    }
}

/// A volume over one whole file.
pub fn file_volume(path: &Path, read_only: bool) -> Arc<LinearVolume> {
    let dev = Arc::new(FileDevice::open(path).unwrap());
    let len = dev.len().unwrap();
    let piece = Piece {
        device: dev,
        lv_offset: 0,
        dev_offset: 0,
        len,
    };
    Arc::new(LinearVolume::new(vec![piece], [b'7'; 32], read_only).unwrap())
}

/// Runs a client to completion under a timeout; returns its output.
pub fn run_tool(cmd: &str, args: &[&str]) -> Output {
    let mut all = vec!["60", cmd];
    all.extend_from_slice(args);
    Command::new("timeout")
        .args(&all)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} could not run ({e}); run tools/install-test-deps.sh"))
}

/// Runs a client that must succeed; returns its stdout.
pub fn run_ok(cmd: &str, args: &[&str]) -> String {
    let out = run_tool(cmd, args);
    assert!(
        out.status.success(),
        "{cmd} {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// A file of `len` bytes of a deterministic pattern that is never zero.
pub fn pattern_file(path: &Path, len: usize, seed: u8) -> Vec<u8> {
    let data: Vec<u8> = (0..len)
        .map(|i| ((i as u32).wrapping_mul(2654435761) >> 13) as u8 | 1)
        .map(|b| b ^ seed)
        .collect();
    std::fs::write(path, &data).unwrap();
    data
}

/// One reply as the raw client decoded it.
#[derive(Debug, Default)]
pub struct Reply {
    pub handle: u64,
    pub error: u32,
    pub data: Vec<u8>,
    pub extents: Vec<(u32, u32)>,
}

/// A minimal NBD client that speaks the wire format directly.
pub struct RawClient {
    pub stream: TcpStream,
    pub size: u64,
    pub flags: u16,
    pub structured: bool,
}

/// Connects and reads the server greeting.
pub fn greeted(addr: SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    let mut g = [0u8; 18];
    s.read_exact(&mut g).unwrap();
    assert_eq!(&g[..16], b"NBDMAGICIHAVEOPT");
    s
}

pub fn option(code: u32, data: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&IHAVEOPT.to_be_bytes());
    v.extend_from_slice(&code.to_be_bytes());
    v.extend_from_slice(&(data.len() as u32).to_be_bytes());
    v.extend_from_slice(data);
    v
}

/// Reads one option reply: (option, type, data).
pub fn option_reply(s: &mut TcpStream) -> (u32, u32, Vec<u8>) {
    let mut h = [0u8; 20];
    s.read_exact(&mut h).unwrap();
    let mut r = BeReader::new(&h);
    assert_eq!(r.u64(), Some(OPTION_REPLY_MAGIC));
    let (opt, kind, len) = (r.u32().unwrap(), r.u32().unwrap(), r.u32().unwrap());
    let mut data = vec![0u8; len as usize];
    s.read_exact(&mut data).unwrap();
    (opt, kind, data)
}

fn name_and_count(name: &str, count_len: usize, count: u32) -> Vec<u8> {
    let mut v = Vec::new();
    v.extend_from_slice(&(name.len() as u32).to_be_bytes());
    v.extend_from_slice(name.as_bytes());
    if count_len == 2 {
        v.extend_from_slice(&(count as u16).to_be_bytes());
    } else {
        v.extend_from_slice(&count.to_be_bytes());
    }
    v
}

impl RawClient {
    /// Fixed newstyle handshake ending in NBD_OPT_GO; with `structured`, also negotiates
    /// structured replies and `base:allocation`.
    pub fn connect(addr: SocketAddr, name: &str, structured: bool) -> RawClient {
        let mut s = greeted(addr);
        s.write_all(&(FLAG_C_FIXED_NEWSTYLE | FLAG_C_NO_ZEROES).to_be_bytes())
            .unwrap();
        if structured {
            s.write_all(&option(OPT_STRUCTURED_REPLY, &[])).unwrap();
            assert_eq!(option_reply(&mut s).1, REP_ACK);
            let mut q = name_and_count(name, 4, 1);
            q.extend_from_slice(&(BASE_ALLOCATION.len() as u32).to_be_bytes());
            q.extend_from_slice(BASE_ALLOCATION.as_bytes());
            s.write_all(&option(OPT_SET_META_CONTEXT, &q)).unwrap();
            assert_eq!(option_reply(&mut s).1, REP_META_CONTEXT);
            assert_eq!(option_reply(&mut s).1, REP_ACK);
        }
        s.write_all(&option(OPT_GO, &name_and_count(name, 2, 0)))
            .unwrap();
        let (mut size, mut flags) = (0, 0);
        loop {
            let (_, kind, data) = option_reply(&mut s);
            match kind {
                REP_INFO => {
                    let mut r = BeReader::new(&data);
                    if r.u16() == Some(INFO_EXPORT) {
                        size = r.u64().unwrap();
                        flags = r.u16().unwrap();
                    }
                }
                REP_ACK => break,
                other => panic!("GO {name} failed with reply type {other:#x}"),
            }
        }
        RawClient {
            stream: s,
            size,
            flags,
            structured,
        }
    }

    pub fn send(
        &mut self,
        command: u16,
        flags: u16,
        handle: u64,
        offset: u64,
        len: u32,
        payload: &[u8],
    ) {
        let mut v = Vec::with_capacity(REQUEST_LEN + payload.len());
        RequestHeader {
            flags,
            command,
            handle,
            offset,
            len,
        }
        .encode(&mut v);
        v.extend_from_slice(payload);
        self.stream.write_all(&v).unwrap();
    }

    /// Reads one whole reply; `read_len` is the payload a simple READ reply carries.
    pub fn reply(&mut self, read_len: usize) -> Reply {
        let mut magic = [0u8; 4];
        self.stream.read_exact(&mut magic).unwrap();
        let mut rep = Reply::default();
        if u32::from_be_bytes(magic) == SIMPLE_REPLY_MAGIC {
            let mut h = [0u8; 12];
            self.stream.read_exact(&mut h).unwrap();
            let mut r = BeReader::new(&h);
            rep.error = r.u32().unwrap();
            rep.handle = r.u64().unwrap();
            if rep.error == 0 && read_len > 0 {
                rep.data = vec![0u8; read_len];
                self.stream.read_exact(&mut rep.data).unwrap();
            }
            return rep;
        }
        assert_eq!(u32::from_be_bytes(magic), STRUCTURED_REPLY_MAGIC);
        loop {
            let mut h = [0u8; 16];
            self.stream.read_exact(&mut h).unwrap();
            let mut r = BeReader::new(&h);
            let (flags, kind) = (r.u16().unwrap(), r.u16().unwrap());
            rep.handle = r.u64().unwrap();
            let mut payload = vec![0u8; r.u32().unwrap() as usize];
            self.stream.read_exact(&mut payload).unwrap();
            let mut p = BeReader::new(&payload);
            match kind {
                REPLY_TYPE_OFFSET_DATA => {
                    p.u64().unwrap();
                    rep.data.extend_from_slice(p.bytes(p.remaining()).unwrap());
                }
                REPLY_TYPE_OFFSET_HOLE => {
                    p.u64().unwrap();
                    let n = p.u32().unwrap() as usize;
                    rep.data.resize(rep.data.len() + n, 0);
                }
                REPLY_TYPE_BLOCK_STATUS => {
                    p.u32().unwrap();
                    while p.remaining() >= 8 {
                        rep.extents.push((p.u32().unwrap(), p.u32().unwrap()));
                    }
                }
                REPLY_TYPE_ERROR | REPLY_TYPE_ERROR_OFFSET => rep.error = p.u32().unwrap(),
                REPLY_TYPE_NONE => {}
                other => panic!("unexpected chunk type {other}"),
            }
            if flags & REPLY_FLAG_DONE != 0 {
                return rep;
            }
            self.stream.read_exact(&mut magic).unwrap();
        }
    }

    pub fn read(&mut self, offset: u64, len: u32) -> Result<Vec<u8>, u32> {
        self.send(CMD_READ, 0, 1, offset, len, &[]);
        let r = self.reply(len as usize);
        if r.error == 0 {
            Ok(r.data)
        } else {
            Err(r.error)
        }
    }

    /// Writes and returns the reply's error (0 on success).
    pub fn write(&mut self, offset: u64, data: &[u8]) -> u32 {
        self.send(CMD_WRITE, 0, 2, offset, data.len() as u32, data);
        self.reply(0).error
    }

    pub fn flush(&mut self) -> u32 {
        self.send(CMD_FLUSH, 0, 3, 0, 0, &[]);
        self.reply(0).error
    }

    pub fn disconnect(mut self) {
        self.send(CMD_DISC, 0, 4, 0, 0, &[]);
        let mut rest = Vec::new();
        let _ = self.stream.read_to_end(&mut rest);
        assert!(rest.is_empty(), "no reply to NBD_CMD_DISC");
    }
}

/// A well-behaved client still gets served: write a block, read it back, disconnect.
pub fn assert_healthy(addr: SocketAddr, name: &str) {
    let mut c = RawClient::connect(addr, name, true);
    let block: Vec<u8> = (0..4096u32).map(|i| (i % 251) as u8 + 1).collect();
    assert_eq!(c.write(0, &block), 0);
    assert_eq!(c.read(0, 4096).unwrap(), block);
    c.disconnect();
}

/// A volume wrapper whose flushes wait until the test opens the gate, and which can deny
/// multi-conn; it counts flushes.
pub struct GateVolume {
    pub inner: Arc<dyn rvm::engine::Volume>,
    pub open: std::sync::Mutex<bool>,
    pub opened: std::sync::Condvar,
    pub flushes: std::sync::atomic::AtomicUsize,
    pub multi_conn: bool,
}

impl GateVolume {
    pub fn new(
        inner: Arc<dyn rvm::engine::Volume>,
        gated: bool,
        multi_conn: bool,
    ) -> Arc<GateVolume> {
        Arc::new(GateVolume {
            inner,
            open: std::sync::Mutex::new(!gated),
            opened: std::sync::Condvar::new(),
            flushes: Default::default(),
            multi_conn,
        })
    }

    pub fn release(&self) {
        *self.open.lock().unwrap() = true;
        self.opened.notify_all();
    }

    pub fn flush_count(&self) -> usize {
        self.flushes.load(std::sync::atomic::Ordering::SeqCst)
    }
}

impl rvm::engine::Volume for GateVolume {
    fn size(&self) -> u64 {
        self.inner.size()
    }
    fn read_only(&self) -> bool {
        self.inner.read_only()
    }
    fn identity(&self) -> [u8; 32] {
        self.inner.identity()
    }
    fn flush_covers_all_connections(&self) -> bool {
        self.multi_conn
    }
    fn read_at(&self, buf: &mut [u8], offset: u64) -> rvm::engine::VolumeResult<()> {
        self.inner.read_at(buf, offset)
    }
    fn write_at(&self, buf: &[u8], offset: u64, fua: bool) -> rvm::engine::VolumeResult<()> {
        self.inner.write_at(buf, offset, fua)
    }
    fn flush(&self) -> rvm::engine::VolumeResult<()> {
        let mut open = self.open.lock().unwrap();
        while !*open {
            open = self.opened.wait(open).unwrap();
        }
        self.flushes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.inner.flush()
    }
    fn discard(&self, offset: u64, len: u64) -> rvm::engine::VolumeResult<()> {
        self.inner.discard(offset, len)
    }
    fn write_zeroes(
        &self,
        o: u64,
        l: u64,
        f: rvm::engine::ZeroFlags,
    ) -> rvm::engine::VolumeResult<()> {
        self.inner.write_zeroes(o, l, f)
    }
    fn block_status(
        &self,
        o: u64,
        l: u64,
    ) -> rvm::engine::VolumeResult<Vec<rvm::engine::BlockExtent>> {
        self.inner.block_status(o, l)
    }
}

impl Fixture {
    /// Exports a gated volume over a new sparse file.
    pub fn add_gated(
        &self,
        name: &str,
        size: u64,
        gated: bool,
        multi_conn: bool,
    ) -> Arc<GateVolume> {
        let path = self.dir.path().join(name.replace('/', "_"));
        File::create(&path).unwrap().set_len(size).unwrap();
        let gate = GateVolume::new(file_volume(&path, false), gated, multi_conn);
        self.table.insert(
            name,
            Export {
                volume: gate.clone(),
                read_only: false,
                description: String::new(),
            },
        );
        gate
    }

    /// Waits until the server has exactly `n` live connections.
    pub fn wait_connections(&self, n: usize) {
        for _ in 0..500 {
            if self.server().connections() == n {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!(
            "server has {} connections, expected {n}",
            self.server().connections()
        );
    }
}

/// Whether the peer has closed the connection (EOF, or a reset).
pub fn closed_by_server(s: &mut TcpStream) -> bool {
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                return false
            }
            Err(_) => return true,
        }
    }
}
