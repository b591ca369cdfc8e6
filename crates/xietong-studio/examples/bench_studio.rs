//! Benchmark of the studio's three latency targets, over HTTP on loopback:
//! - page load: the page and every asset it loads (what the browser fetches), < 1 s;
//! - game slider round trip: one `/api/game/analyze` of the 3-population example
//!   (examples/games/chengdu_chongqing_central.toml) with a new parameter value, < 100 ms;
//! - first chart of a 30-run simulation: from `POST /api/sim/run` until the job's partial
//!   results hold a chart, < 1 s.
//!
//! `cargo run --release -p xietong-studio --example bench_studio [repeats]`

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

fn request(addr: SocketAddr, method: &str, path: &str, body: Option<&Value>) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).expect("connect");
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nX-Xietong-Studio: 1\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        addr.port(),
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let status = String::from_utf8_lossy(&buf[9..12]).parse().unwrap();
    (status, buf[end + 4..].to_vec())
}

fn json_of(b: &[u8]) -> Value {
    serde_json::from_slice(b).expect("JSON")
}

fn stats(name: &str, mut ms: Vec<f64>, target: f64) {
    ms.sort_by(f64::total_cmp);
    let med = ms[ms.len() / 2];
    let max = ms[ms.len() - 1];
    println!(
        "{name}: median {med:.1} ms, max {max:.1} ms over {} ({}; target < {target} ms)",
        ms.len(),
        if max < target { "met" } else { "NOT met" }
    );
}

fn main() {
    let repeats: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20);
    let ws = std::env::temp_dir().join(format!("xietong-bench-studio-{}", std::process::id()));
    let studio = xietong_studio::start(xietong_studio::Config {
        port: 0,
        port_fixed: true,
        workspace: ws.clone(),
        ..Default::default()
    })
    .expect("studio starts");
    let addr = studio.addr;
    println!(
        "studio at {} ({} threads for the computations)",
        studio.url,
        rayon::current_num_threads()
    );

    // Page load: index and every asset.
    let mut page = Vec::new();
    for _ in 0..repeats {
        let t0 = Instant::now();
        let (st, html) = request(addr, "GET", "/", None);
        assert_eq!(st, 200);
        let html = String::from_utf8(html).unwrap();
        let mut bytes = html.len();
        for part in html.split("=\"/static/").skip(1) {
            let name = part.split('"').next().unwrap();
            let (st, b) = request(addr, "GET", &format!("/static/{name}"), None);
            assert_eq!(st, 200);
            bytes += b.len();
        }
        let (st, b) = request(addr, "GET", "/api/sim/builtin", None);
        assert_eq!(st, 200);
        bytes += b.len();
        page.push(t0.elapsed().as_secs_f64() * 1e3);
        if page.len() == 1 {
            println!("page, assets and the built-in scenario: {bytes} bytes");
        }
    }
    stats("page load (HTML + assets + scenario)", page, 1000.0);

    // Game slider: a new value of Cg each time.
    let text = xietong_studio::game::EXAMPLES[0].1;
    let mut game = Vec::new();
    let mut server = Vec::new();
    for k in 0..repeats.max(20) {
        let v = 0.1 + 0.8 * (k as f64) / (repeats.max(20) as f64);
        let t0 = Instant::now();
        let (st, b) = request(
            addr,
            "POST",
            "/api/game/analyze",
            Some(&json!({"text": text, "values": {"Cg": v}, "starts": [[0.3, 0.6]]})),
        );
        game.push(t0.elapsed().as_secs_f64() * 1e3);
        assert_eq!(st, 200);
        let r = json_of(&b);
        assert_eq!(r["ok"], true, "{r}");
        server.push(r["millis"].as_f64().unwrap());
    }
    stats(
        "game slider round trip (3 populations, with a trajectory)",
        game,
        100.0,
    );
    stats("  of which computing on the server", server, 100.0);

    // First chart of a 30-run simulation.
    let mut first = Vec::new();
    let mut all = Vec::new();
    for _ in 0..repeats.clamp(1, 10) {
        let t0 = Instant::now();
        let (st, b) = request(
            addr,
            "POST",
            "/api/sim/run",
            Some(&json!({"toml": xietong_model::builtin::CHENGDU_CHONGQING, "runs": 30})),
        );
        assert_eq!(st, 200);
        let id = json_of(&b)["job"].as_u64().unwrap();
        let mut got_first = false;
        loop {
            let (_, b) = request(addr, "GET", &format!("/api/jobs/{id}"), None);
            let v = json_of(&b);
            if !got_first
                && (v["partial"]["charts"]
                    .as_array()
                    .is_some_and(|c| !c.is_empty())
                    || v["status"] == "done")
            {
                first.push(t0.elapsed().as_secs_f64() * 1e3);
                got_first = true;
            }
            if v["status"] != "running" {
                assert_eq!(v["status"], "done", "{v}");
                all.push(t0.elapsed().as_secs_f64() * 1e3);
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    stats("30-run simulation: first chart", first, 1000.0);
    stats("30-run simulation: all runs and files", all, f64::INFINITY);
    studio.stop().unwrap();
    let _ = std::fs::remove_dir_all(ws);
}
