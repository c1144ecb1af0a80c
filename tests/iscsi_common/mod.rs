//! Shared fixtures for the iSCSI tests: an in-process server on 127.0.0.1 and a free port
//! exporting `LinearVolume`s over temp files, a raw-socket initiator for exact protocol
//! checks and hostile input, and runners for libiscsi's tools.
#![allow(dead_code)]

use rvm::block::FileDevice;
use rvm::engine::{LinearVolume, Piece, Volume};
use rvm::iscsi::chap;
use rvm::iscsi::config::{ChapAuth, ChapUser};
use rvm::iscsi::pdu::{digest, pad_len, Bhs, BigEndian, BHS_LEN, RESERVED_TAG};
use rvm::iscsi::server::{Server, ServerOptions};
use rvm::iscsi::text::TextPairs;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Command, Output};
use std::sync::Arc;
use std::time::Duration;

pub const INITIATOR: &str = "iqn.2026-11.org.example:kvm1";
pub const OTHER_INITIATOR: &str = "iqn.2026-11.org.example:outsider";

/// A running server with its temp files.
pub struct TestServer {
    pub server: Option<Server>,
    pub dir: tempfile::TempDir,
    pub addr: SocketAddr,
    next_file: usize,
}

pub fn options() -> ServerOptions {
    ServerOptions::new("127.0.0.1:0".parse().unwrap())
}

impl TestServer {
    pub fn start() -> TestServer {
        TestServer::with(options())
    }

    pub fn with(opts: ServerOptions) -> TestServer {
        let server = Server::start(opts).expect("server starts");
        let addr = server.local_addr();
        TestServer {
            server: Some(server),
            dir: tempfile::tempdir().unwrap(),
            addr,
            next_file: 0,
        }
    }

    pub fn server(&self) -> &Server {
        self.server.as_ref().unwrap()
    }

    /// A file-backed linear volume of `size` bytes.
    pub fn volume(&mut self, size: u64) -> Arc<dyn Volume> {
        self.next_file += 1;
        let path = self.dir.path().join(format!("lun{}.img", self.next_file));
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(size).unwrap();
        let dev = Arc::new(FileDevice::open(&path).unwrap());
        let mut id = [b'0'; 32];
        let tag = format!("{:032x}", self.next_file);
        id.copy_from_slice(tag.as_bytes());
        let piece = Piece {
            device: dev,
            lv_offset: 0,
            dev_offset: 0,
            len: size,
        };
        Arc::new(LinearVolume::new(vec![piece], id, false).unwrap())
    }

    /// Creates `iqn` with one LUN per size and the given ACL.
    pub fn target(&mut self, iqn: &str, sizes: &[u64], acl: &[&str]) {
        self.server().create_target(iqn).unwrap();
        for (i, s) in sizes.iter().enumerate() {
            let v = self.volume(*s);
            self.server()
                .add_lun(iqn, i as u64, &format!("vg/lv{i}"), v, false)
                .unwrap();
        }
        self.server()
            .set_access(iqn, None, acl.iter().map(|s| s.to_string()), None)
            .unwrap();
    }

    pub fn set_chap(&self, iqn: &str, acl: &[&str], auth: Option<ChapAuth>) {
        self.server()
            .set_access(iqn, None, acl.iter().map(|s| s.to_string()), auth.as_ref())
            .unwrap();
    }

    pub fn url(&self, iqn: &str, lun: u32) -> String {
        format!("iscsi://{}/{}/{}", self.addr, iqn, lun)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(s) = self.server.take() {
            let _ = s.shutdown();
        }
    }
}

pub fn chap(user: &str, pw: &str, mutual: Option<(&str, &str)>) -> ChapAuth {
    ChapAuth {
        initiator: ChapUser {
            user: user.into(),
            password: pw.into(),
        },
        mutual: mutual.map(|(u, p)| ChapUser {
            user: u.into(),
            password: p.into(),
        }),
    }
}

/// Runs a libiscsi tool with a time limit; the tools are installed by
/// tools/install-test-deps.sh and a missing one fails the test.
pub fn tool(args: &[&str]) -> Output {
    tool_within(60, args)
}

/// [`tool`] with its own time limit in seconds.
pub fn tool_within(secs: u32, args: &[&str]) -> Output {
    let out = Command::new("timeout")
        .arg(secs.to_string())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running {args:?}: {e}"));
    assert_ne!(out.status.code(), Some(127), "{} is not installed", args[0]);
    out
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A PDU as received.
#[derive(Debug, Clone)]
pub struct Pdu {
    pub bhs: Bhs,
    pub data: Vec<u8>,
}

impl Pdu {
    pub fn opcode(&self) -> u8 {
        self.bhs.0[0] & 0x3f
    }
    pub fn text(&self) -> TextPairs {
        TextPairs::parse(&self.data).expect("well-formed text")
    }
}

/// What a raw login asks for.
#[derive(Debug, Clone)]
pub struct LoginOpts {
    pub initiator: String,
    pub target: Option<String>,
    pub isid: u64,
    pub chap: Option<(String, String)>,
    /// Mutual CHAP: our challenge and the target's expected name/secret.
    pub mutual: Option<(String, String)>,
    pub header_digest: bool,
    pub data_digest: bool,
    /// Extra operational keys.
    pub keys: Vec<(String, String)>,
}

impl LoginOpts {
    pub fn normal(target: &str) -> LoginOpts {
        LoginOpts {
            initiator: INITIATOR.into(),
            target: Some(target.into()),
            isid: 0x8000_0000_0001,
            chap: None,
            mutual: None,
            header_digest: false,
            data_digest: false,
            keys: Vec::new(),
        }
    }

    pub fn discovery() -> LoginOpts {
        LoginOpts {
            target: None,
            ..LoginOpts::normal("")
        }
    }
}

/// A raw-socket initiator.
pub struct Raw {
    pub s: TcpStream,
    pub header_digest: bool,
    pub data_digest: bool,
    pub cmd_sn: u32,
    pub itt: u32,
    pub exp_stat_sn: u32,
    pub tsih: u16,
    pub isid: u64,
    /// Keys the target answered in the operational stage.
    pub answers: TextPairs,
}

pub fn login_pdu(flags: u8, isid: u64, itt: u32, cmd_sn: u32, text: &[u8]) -> (Bhs, Vec<u8>) {
    let mut b = Bhs::default();
    b.0[0] = 0x43;
    b.0[1] = flags;
    b.put_u48(8, isid);
    b.set_itt(itt);
    b.put_u32(24, cmd_sn);
    (b, text.to_vec())
}

pub fn text_of(pairs: &[(&str, &str)]) -> Vec<u8> {
    let mut t = TextPairs::new();
    for (k, v) in pairs {
        t.push(k, *v);
    }
    t.encode()
}

impl Raw {
    pub fn connect(addr: SocketAddr) -> Raw {
        let s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.set_nodelay(true).unwrap();
        Raw {
            s,
            header_digest: false,
            data_digest: false,
            cmd_sn: 1,
            itt: 1,
            exp_stat_sn: 0,
            tsih: 0,
            isid: 0,
            answers: TextPairs::new(),
        }
    }

    pub fn send(&mut self, bhs: &Bhs, data: &[u8]) -> std::io::Result<()> {
        let mut b = *bhs;
        b.set_data_len(data.len() as u32);
        let mut v = b.0.to_vec();
        if self.header_digest {
            v.extend_from_slice(&digest(&[&b.0]));
        }
        v.extend_from_slice(data);
        v.resize(v.len() + pad_len(data.len()), 0);
        if self.data_digest && !data.is_empty() {
            let d = digest(&[&v[v.len() - data.len() - pad_len(data.len())..]]);
            v.extend_from_slice(&d);
        }
        self.s.write_all(&v)
    }

    pub fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.s.write_all(bytes)
    }

    /// The next PDU, or None on EOF/timeout/reset.
    pub fn recv(&mut self) -> Option<Pdu> {
        let mut h = [0u8; BHS_LEN];
        self.s.read_exact(&mut h).ok()?;
        let bhs = Bhs(h);
        let mut ahs = vec![0u8; bhs.total_ahs_len()];
        self.s.read_exact(&mut ahs).ok()?;
        if self.header_digest {
            let mut d = [0u8; 4];
            self.s.read_exact(&mut d).ok()?;
            assert_eq!(d, digest(&[&h, &ahs]), "target header digest");
        }
        let n = bhs.data_len() as usize;
        let mut data = vec![0u8; n + pad_len(n)];
        self.s.read_exact(&mut data).ok()?;
        if self.data_digest && n > 0 {
            let mut d = [0u8; 4];
            self.s.read_exact(&mut d).ok()?;
            assert_eq!(d, digest(&[&data]), "target data digest");
        }
        data.truncate(n);
        let p = Pdu { bhs, data };
        if matches!(p.opcode(), 0x21 | 0x22 | 0x24 | 0x26 | 0x3f | 0x32)
            || (p.opcode() == 0x25 && p.bhs.0[1] & 1 != 0)
            || (p.opcode() == 0x20 && p.bhs.itt() != RESERVED_TAG)
        {
            self.exp_stat_sn = p.bhs.get_u32(24).wrapping_add(1);
        }
        Some(p)
    }

    /// Whether the target closed the connection (EOF or reset) within the read timeout,
    /// skipping any PDUs it sent first.
    pub fn closed(&mut self) -> bool {
        for _ in 0..64 {
            if self.recv().is_none() {
                let mut b = [0u8; 1];
                return matches!(self.s.read(&mut b), Ok(0) | Err(_));
            }
        }
        false
    }

    /// Runs a whole login; Err carries (status class, detail) of a refusal.
    pub fn login(&mut self, o: &LoginOpts) -> Result<(), (u8, u8)> {
        self.isid = o.isid;
        let mut first = vec![
            ("InitiatorName", o.initiator.clone()),
            (
                "SessionType",
                if o.target.is_some() {
                    "Normal"
                } else {
                    "Discovery"
                }
                .to_string(),
            ),
        ];
        if let Some(t) = &o.target {
            first.push(("TargetName", t.clone()));
        }
        let itt = 0x1000;
        if let Some((user, secret)) = &o.chap {
            let mut t: Vec<(&str, String)> = first.clone();
            t.push(("AuthMethod", "CHAP,None".into()));
            let r = self.exchange(0x81, o, itt, &t)?;
            assert_eq!(r.text().get("AuthMethod"), Some("CHAP"));
            let r = self.exchange(0x01, o, itt, &[("CHAP_A", "5".into())])?;
            let tx = r.text();
            let id: u8 = tx.get("CHAP_I").unwrap().parse().unwrap();
            let c = chap::decode_binary(tx.get("CHAP_C").unwrap(), 1024).unwrap();
            let resp = chap::encode_hex(&chap::response(id, secret.as_bytes(), &c));
            let mut ans = vec![("CHAP_N", user.clone()), ("CHAP_R", resp)];
            let my_c = [0x5au8; 16];
            if o.mutual.is_some() {
                ans.push(("CHAP_I", "7".into()));
                ans.push(("CHAP_C", chap::encode_hex(&my_c)));
            }
            let r = self.exchange(0x81, o, itt, &ans)?;
            if let Some((mu, ms)) = &o.mutual {
                let tx = r.text();
                assert_eq!(tx.get("CHAP_N"), Some(mu.as_str()));
                let want = chap::encode_hex(&chap::response(7, ms.as_bytes(), &my_c));
                assert_eq!(tx.get("CHAP_R"), Some(want.as_str()));
            }
            assert_eq!(r.bhs.0[1] & 0x83, 0x81, "target moves to operational stage");
            first.clear();
        }
        let stage = 1;
        let mut ops: Vec<(&str, String)> = first;
        let hd = if o.header_digest {
            "CRC32C,None"
        } else {
            "None"
        };
        let dd = if o.data_digest { "CRC32C,None" } else { "None" };
        ops.push(("HeaderDigest", hd.into()));
        ops.push(("DataDigest", dd.into()));
        for (k, v) in &o.keys {
            ops.push((k.as_str(), v.clone()));
        }
        let flags = 0x80 | (stage << 2) | 3;
        let r = self.exchange(flags, o, itt, &ops)?;
        assert_eq!(r.bhs.0[1] & 0x83, 0x83, "login reaches full feature phase");
        let tx = r.text();
        self.header_digest = tx.get("HeaderDigest") == Some("CRC32C");
        self.data_digest = tx.get("DataDigest") == Some("CRC32C");
        self.tsih = r.bhs.get_u16(14);
        self.answers = tx;
        Ok(())
    }

    /// Sends one login PDU and reads its answer.
    pub fn exchange(
        &mut self,
        flags: u8,
        o: &LoginOpts,
        itt: u32,
        pairs: &[(&str, String)],
    ) -> Result<Pdu, (u8, u8)> {
        let mut t = TextPairs::new();
        for (k, v) in pairs {
            t.push(k, v.clone());
        }
        let (mut b, d) = login_pdu(flags, o.isid, itt, self.cmd_sn, &t.encode());
        b.put_u16(14, self.tsih);
        b.put_u32(28, self.exp_stat_sn);
        self.send(&b, &d).unwrap();
        let r = self.recv().expect("login response");
        assert_eq!(r.opcode(), 0x23);
        self.exp_stat_sn = r.bhs.get_u32(24).wrapping_add(1);
        let (class, detail) = (r.bhs.0[36], r.bhs.0[37]);
        if class != 0 {
            return Err((class, detail));
        }
        Ok(r)
    }

    fn next_itt(&mut self) -> u32 {
        self.itt += 1;
        self.itt
    }

    /// Sends a SCSI command; returns its ITT.
    pub fn command(&mut self, lun: u64, cdb: &[u8], flags: u8, edtl: u32, data: &[u8]) -> u32 {
        let itt = self.next_itt();
        let mut b = Bhs::default();
        b.0[0] = 0x01;
        b.0[1] = flags;
        b.set_lun_field(lun << 48);
        b.set_itt(itt);
        b.put_u32(20, edtl);
        b.put_u32(24, self.cmd_sn);
        b.put_u32(28, self.exp_stat_sn);
        b.0[32..32 + cdb.len()].copy_from_slice(cdb);
        self.cmd_sn = self.cmd_sn.wrapping_add(1);
        self.send(&b, data).unwrap();
        itt
    }

    /// Reads until the SCSI status of `itt`: (status, Data-In bytes, sense bytes).
    pub fn status(&mut self, itt: u32) -> Option<(u8, Vec<u8>, Vec<u8>)> {
        let mut data = Vec::new();
        loop {
            let p = self.recv()?;
            if p.bhs.itt() != itt {
                continue;
            }
            match p.opcode() {
                0x25 => {
                    data.extend_from_slice(&p.data);
                    if p.bhs.0[1] & 1 != 0 {
                        return Some((p.bhs.0[3], data, Vec::new()));
                    }
                }
                0x21 => {
                    let sense = if p.data.len() > 2 {
                        p.data[2..].to_vec()
                    } else {
                        Vec::new()
                    };
                    return Some((p.bhs.0[3], data, sense));
                }
                _ => {}
            }
        }
    }

    /// TEST UNIT READY, retried past unit attentions; returns the final status.
    pub fn tur(&mut self) -> Option<u8> {
        for _ in 0..8 {
            let itt = self.command(0, &[0; 6], 0x80, 0, &[]);
            let (st, _, _) = self.status(itt)?;
            if st == 0 {
                return Some(0);
            }
        }
        Some(2)
    }

    /// NOP-Out ping; true when echoed.
    pub fn ping(&mut self, data: &[u8]) -> bool {
        let itt = self.next_itt();
        let mut b = Bhs::default();
        b.0[0] = 0x40;
        b.0[1] = 0x80;
        b.set_itt(itt);
        b.set_ttt(RESERVED_TAG);
        b.put_u32(24, self.cmd_sn);
        b.put_u32(28, self.exp_stat_sn);
        if self.send(&b, data).is_err() {
            return false;
        }
        while let Some(p) = self.recv() {
            if p.opcode() == 0x20 && p.bhs.itt() == itt {
                return p.data == data;
            }
        }
        false
    }

    pub fn logout(&mut self) {
        let itt = self.next_itt();
        let mut b = Bhs::default();
        b.0[0] = 0x46;
        b.0[1] = 0x80;
        b.set_itt(itt);
        b.put_u32(24, self.cmd_sn);
        let _ = self.send(&b, &[]);
        let _ = self.recv();
    }
}

/// A logged-in normal session.
pub fn session(addr: SocketAddr, target: &str) -> Raw {
    let mut r = Raw::connect(addr);
    r.login(&LoginOpts::normal(target)).expect("login");
    r
}

/// Checks that a fresh session to `target` works end to end (login, TUR, ping, logout).
pub fn assert_serving(addr: SocketAddr, target: &str) {
    let mut r = session(addr, target);
    assert_eq!(r.tur(), Some(0), "TEST UNIT READY on a fresh session");
    assert!(r.ping(b"still here"), "NOP-Out echoed");
    r.logout();
}
