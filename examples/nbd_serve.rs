//! Serves files over NBD through `LinearVolume` and rvm's NBD server, until SIGTERM/SIGINT.
//!
//! Used by tools/bench-nbd.sh until `rvm serve` exists:
//! `nbd_serve [--listen ADDR:PORT] [--offload all|writes|slow] [--helpers N] NAME=PATH[:ro] ...`
//! Prints `listening on ADDR:PORT` once it accepts connections.

use rvm::block::{BlockDevice, FileDevice};
use rvm::engine::{LinearVolume, Piece};
use rvm::nbd::{self, Export, ExportTable, Offload, ServerConfig};
use signal_hook::consts::{SIGINT, SIGTERM};
use std::path::Path;
use std::sync::Arc;

fn main() {
    if let Err(e) = run() {
        eprintln!("nbd_serve: {e}");
        std::process::exit(5);
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut listen = "127.0.0.1:10809".to_string();
    let mut config = ServerConfig::default();
    let table = Arc::new(ExportTable::new());
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--listen" => listen = args.next().ok_or("--listen needs ADDR:PORT")?,
            "--offload" => {
                config.offload = match args.next().as_deref() {
                    Some("all") => Offload::All,
                    Some("writes") => Offload::Writes,
                    Some("slow") => Offload::SlowOnly,
                    _ => return Err("--offload takes all|writes|slow".into()),
                }
            }
            "--helpers" => {
                let n = args.next().ok_or("--helpers needs a count")?;
                config.helper_threads = n.parse()?;
            }
            spec => {
                let (name, rest) = spec.split_once('=').ok_or("exports are NAME=PATH[:ro]")?;
                let (path, ro) = match rest.strip_suffix(":ro") {
                    Some(p) => (p, true),
                    None => (rest, false),
                };
                let dev = Arc::new(FileDevice::open(Path::new(path))?);
                let len = dev.len()?;
                let piece = Piece {
                    device: dev,
                    lv_offset: 0,
                    dev_offset: 0,
                    len,
                };
                let volume = LinearVolume::new(vec![piece], [b'0'; 32], ro)?;
                table.insert(
                    name,
                    Export {
                        volume: Arc::new(volume),
                        read_only: ro,
                        description: format!("file {path}"),
                    },
                );
                table.set_default(Some(name));
            }
        }
    }
    let server = nbd::start(listen.as_str(), table, config)?;
    println!("listening on {}", server.local_addr());
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGINT])?;
    signals.forever().next();
    let report = server.shutdown();
    eprintln!("nbd_serve: shut down: {report:?}");
    Ok(())
}
