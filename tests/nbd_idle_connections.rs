//! A thousand idle connections (half in transmission, half stuck in the handshake) cost
//! bounded memory and no CPU, and a well-behaved client is still served.

mod nbd_common;
use nbd_common::*;
use rvm::nbd::ServerConfig;
use std::time::Duration;

fn status_kib(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = s.lines().find(|l| l.starts_with(field)).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

fn cpu_ticks() -> u64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = s.rsplit(')').next().unwrap().split_whitespace().collect();
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

#[test]
fn a_thousand_idle_connections_stay_cheap() {
    let config = ServerConfig {
        handshake_timeout: Duration::from_secs(120),
        ..ServerConfig::default()
    };
    let fx = Fixture::with_config(config);
    fx.add_file("vol", 1 << 20, false);
    assert_healthy(fx.addr, "vol");
    let rss_before = status_kib("VmRSS:");

    let mut clients = Vec::new();
    let mut stuck = Vec::new();
    for i in 0..1000 {
        if i % 2 == 0 {
            clients.push(RawClient::connect(fx.addr, "vol", i % 4 == 0));
        } else {
            stuck.push(greeted(fx.addr));
        }
    }
    fx.wait_connections(1000);
    let rss = status_kib("VmRSS:") - rss_before.min(status_kib("VmRSS:"));
    // Client and server sides both live in this process; each pair may cost tens of KiB.
    assert!(
        rss < 150 * 1024,
        "1000 idle connections grew RSS by {rss} KiB"
    );

    std::thread::sleep(Duration::from_millis(300));
    let before = cpu_ticks();
    std::thread::sleep(Duration::from_secs(2));
    let used = cpu_ticks() - before;
    eprintln!("1000 idle connections: RSS +{rss} KiB; {used} CPU ticks in 2 s idle");
    assert!(used <= 5, "idle server used {used} ticks of CPU in 2 s");

    assert_healthy(fx.addr, "vol");
    // Idle transmission connections still work.
    let c = &mut clients[10];
    assert_eq!(c.read(0, 4096).unwrap().len(), 4096);
    drop(clients);
    drop(stuck);
    fx.wait_connections(0);
}
