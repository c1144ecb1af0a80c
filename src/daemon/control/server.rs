//! The daemon's end of the control socket: one thread per client, each running one
//! forwarded command through a [`Runner`] and streaming its output back.

use super::wire::{self, Kind, Request, WireError, HEADER_LEN};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Runs one forwarded command line. The command line layer implements it: the daemon
/// knows no command, only that one runs and what it prints.
pub trait Runner: Send + Sync {
    /// Runs `request` with `client` as its terminal; returns the exit code.
    fn run(&self, request: &Request, client: &Client) -> i32;
}

/// How long a client may take to send its request once connected.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// Stdout is sent in frames of up to this much (stderr and questions go at once).
const STDOUT_CHUNK: usize = 64 << 10;

/// What a client connection shares between its output writers and its questions, so
/// that stdout, stderr and questions reach the client in the order the command made them.
struct Conversation {
    stream: UnixStream,
    /// Stdout not sent yet.
    pending: Vec<u8>,
}

impl Conversation {
    fn send(&mut self, kind: Kind, payload: &[u8]) -> io::Result<()> {
        for part in payload
            .chunks(wire::MAX_FRAME)
            .chain(payload.is_empty().then_some(&[][..]))
        {
            self.stream.write_all(&wire::frame(kind, part))?;
        }
        Ok(())
    }

    fn flush_stdout(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let out = std::mem::take(&mut self.pending);
        self.send(Kind::Stdout, &out)
    }
}

/// The client of one forwarded command: its stdout, its stderr, and whom to ask.
pub struct Client {
    conv: Arc<Mutex<Conversation>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Client {
    /// The client's stdout; buffered, sent when full, flushed, or before anything else.
    pub fn stdout(&self) -> ClientWriter {
        ClientWriter {
            conv: self.conv.clone(),
            kind: Kind::Stdout,
        }
    }

    /// The client's stderr; each write is sent at once, after the stdout before it.
    pub fn stderr(&self) -> ClientWriter {
        ClientWriter {
            conv: self.conv.clone(),
            kind: Kind::Stderr,
        }
    }

    /// Asks the client's user a question and returns the line typed (`None` when the
    /// client cannot answer: its stdin ended or it went away).
    pub fn ask(&self, question: &str) -> Option<String> {
        let mut c = lock(&self.conv);
        c.flush_stdout().ok()?;
        c.send(Kind::Question, question.as_bytes()).ok()?;
        let (kind, payload) = read_frame(&mut c.stream).ok()?;
        (kind == Kind::Answer).then(|| String::from_utf8_lossy(&payload).into_owned())
    }

    fn finish(&self, code: i32) -> io::Result<()> {
        let mut c = lock(&self.conv);
        c.flush_stdout()?;
        c.send(Kind::Exit, &wire::exit_payload(code))
    }
}

/// One of a client's output streams, as `io::Write`.
pub struct ClientWriter {
    conv: Arc<Mutex<Conversation>>,
    kind: Kind,
}

impl Write for ClientWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut c = lock(&self.conv);
        if self.kind == Kind::Stdout {
            c.pending.extend_from_slice(buf);
            if c.pending.len() >= STDOUT_CHUNK {
                c.flush_stdout()?;
            }
        } else {
            c.flush_stdout()?;
            c.send(self.kind, buf)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        lock(&self.conv).flush_stdout()
    }
}

/// Reads one whole frame.
pub fn read_frame(stream: &mut impl Read) -> io::Result<(Kind, Vec<u8>)> {
    let mut h = [0u8; HEADER_LEN];
    stream.read_exact(&mut h)?;
    let (kind, len) = wire::header(&h).map_err(invalid)?;
    let mut payload = vec![0u8; len];
    stream.read_exact(&mut payload)?;
    Ok((kind, payload))
}

fn invalid(e: WireError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// Commands running, for shutdown to wait on.
#[derive(Default)]
struct Running {
    count: Mutex<usize>,
    changed: Condvar,
}

struct Shared {
    path: PathBuf,
    runner: Arc<dyn Runner>,
    stopping: AtomicBool,
    max_clients: usize,
    next: AtomicU64,
    /// The sockets of running commands, to cut them off at shutdown.
    clients: Mutex<HashMap<u64, UnixStream>>,
    running: Running,
    /// Only this user (and root) may run commands.
    uid: u32,
}

/// The listening control socket.
pub struct ControlServer {
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

/// How shutdown left the commands that were running.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Stopped {
    /// Commands that were still running when shutdown began.
    pub running: usize,
    /// Commands still running when shutdown gave up waiting.
    pub abandoned: usize,
}

impl ControlServer {
    /// Binds `path` (replacing a stale socket: the caller holds the daemon lock, so no
    /// other daemon serves it), readable and writable by the owner only, and serves it.
    pub fn start(
        path: &Path,
        runner: Arc<dyn Runner>,
        max_clients: usize,
    ) -> io::Result<ControlServer> {
        match std::fs::remove_file(path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        let listener = UnixListener::bind(path)?;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        let shared = Arc::new(Shared {
            path: path.to_path_buf(),
            runner,
            stopping: AtomicBool::new(false),
            max_clients,
            next: AtomicU64::new(1),
            clients: Mutex::new(HashMap::new()),
            running: Running::default(),
            uid: nix::unistd::geteuid().as_raw(),
        });
        let s = shared.clone();
        let accept = std::thread::Builder::new()
            .name("rvm-control".into())
            .spawn(move || accept_loop(listener, s))?;
        Ok(ControlServer {
            shared,
            accept: Some(accept),
        })
    }

    /// Stops accepting and removes the socket, so new commands run without the daemon;
    /// waits up to `grace` for running commands, then cuts their clients off (their
    /// output and questions fail, so waits and prompts end) and waits `grace` again.
    pub fn shutdown(mut self, grace: Duration) -> Stopped {
        self.stop_accepting();
        let running = *lock(&self.shared.running.count);
        if !self.wait_idle(grace) {
            for s in lock(&self.shared.clients).values() {
                let _ = s.shutdown(std::net::Shutdown::Both);
            }
            self.wait_idle(grace);
        }
        Stopped {
            running,
            abandoned: *lock(&self.shared.running.count),
        }
    }

    fn stop_accepting(&mut self) {
        let Some(accept) = self.accept.take() else {
            return;
        };
        self.shared.stopping.store(true, Ordering::Release);
        // accept() has no timeout; a connection of our own wakes it to see the flag.
        let _ = UnixStream::connect(&self.shared.path);
        let _ = accept.join();
        let _ = std::fs::remove_file(&self.shared.path);
    }

    fn wait_idle(&self, grace: Duration) -> bool {
        let until = Instant::now() + grace;
        let mut n = lock(&self.shared.running.count);
        while *n > 0 {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            n = self
                .shared
                .running
                .changed
                .wait_timeout(n, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
        true
    }
}

impl Drop for ControlServer {
    fn drop(&mut self) {
        self.stop_accepting();
    }
}

fn accept_loop(listener: UnixListener, shared: Arc<Shared>) {
    while let Some(stream) =
        crate::net::next_connection(&shared.stopping, || listener.accept().map(|(s, _)| s))
    {
        let id = shared.next.fetch_add(1, Ordering::Relaxed);
        let Ok(clone) = stream.try_clone() else {
            continue;
        };
        {
            let mut n = lock(&shared.running.count);
            if *n >= shared.max_clients {
                drop(n);
                refuse(stream, "the daemon is running too many commands; try again");
                continue;
            }
            *n += 1;
        }
        lock(&shared.clients).insert(id, clone);
        let s = shared.clone();
        let spawned = std::thread::Builder::new()
            .name("rvm-command".into())
            .spawn(move || {
                serve(stream, &s);
                s.done(id);
            });
        if spawned.is_err() {
            shared.done(id);
        }
    }
}

impl Shared {
    fn done(&self, id: u64) {
        lock(&self.clients).remove(&id);
        let mut n = lock(&self.running.count);
        *n = n.saturating_sub(1);
        self.running.changed.notify_all();
    }
}

/// Tells a client its command cannot run, in one line with LVM2's failure code.
fn refuse(stream: UnixStream, why: &str) {
    let conv = Conversation {
        stream,
        pending: Vec::new(),
    };
    let client = Client {
        conv: Arc::new(Mutex::new(conv)),
    };
    let _ = client.stderr().write_all(format!("  {why}\n").as_bytes());
    let _ = client.finish(crate::daemon::EXIT_FAILURE);
}

fn serve(mut stream: UnixStream, shared: &Shared) {
    match peer_uid(&stream) {
        Some(uid) if uid == 0 || uid == shared.uid => {}
        _ => {
            return refuse(
                stream,
                "permission denied: only root and the daemon's user may run commands through it",
            )
        }
    }
    let _ = stream.set_read_timeout(Some(REQUEST_TIMEOUT));
    let request = match read_frame(&mut stream) {
        Ok((Kind::Request, payload)) => Request::decode(&payload).map_err(invalid),
        Ok((kind, _)) => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("expected a request, got a {kind:?} frame"),
        )),
        Err(e) => Err(e),
    };
    let request = match request {
        Ok(r) => r,
        Err(e) => return refuse(stream, &format!("bad request to the daemon: {e}")),
    };
    let _ = stream.set_read_timeout(None);
    let client = Client {
        conv: Arc::new(Mutex::new(Conversation {
            stream,
            pending: Vec::new(),
        })),
    };
    let code = shared.runner.run(&request, &client);
    let _ = client.finish(code);
}

fn peer_uid(stream: &UnixStream) -> Option<u32> {
    use nix::sys::socket::{getsockopt, sockopt::PeerCredentials};
    getsockopt(stream, PeerCredentials).ok().map(|c| c.uid())
}
