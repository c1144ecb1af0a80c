//! The command line's end of the control socket: send a command, relay what comes back.

use super::server::read_frame;
use super::wire::{self, Kind, Request};
use std::io::{self, BufRead, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;

/// The daemon of `run_dir`, if one answers. A socket left by a daemon that was killed
/// refuses the connection, and the command then runs without the daemon.
pub fn connect(run_dir: &Path) -> Option<UnixStream> {
    UnixStream::connect(super::socket_path(run_dir)).ok()
}

/// Sends `request` and relays the daemon's frames until the exit code: output to
/// `stdout`/`stderr`, questions answered with a line from `stdin`.
pub fn run(
    mut stream: UnixStream,
    request: &Request,
    stdin: &mut dyn BufRead,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<i32> {
    stream.write_all(&wire::frame(Kind::Request, &request.encode()))?;
    loop {
        let (kind, payload) = read_frame(&mut stream)?;
        match kind {
            Kind::Stdout => stdout.write_all(&payload)?,
            Kind::Stderr => {
                stdout.flush()?;
                stderr.write_all(&payload)?;
            }
            Kind::Question => {
                stdout.write_all(&payload)?;
                stdout.flush()?;
                let mut line = String::new();
                // No terminal or end of input is an empty answer, which is no.
                let _ = stdin.read_line(&mut line);
                stream.write_all(&wire::frame(Kind::Answer, line.as_bytes()))?;
            }
            Kind::Exit => {
                stdout.flush()?;
                return wire::exit_code(&payload)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e));
            }
            Kind::Request | Kind::Answer => {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("unexpected {kind:?} frame from the daemon"),
                ))
            }
        }
    }
}
