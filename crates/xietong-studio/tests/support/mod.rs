//! Test support: a raw HTTP/1.1 client (the security tests must send forged Host and Origin
//! headers, which ordinary clients do not allow), a studio on a free loopback port, and a small
//! WebDriver client that drives headless Chromium through chromedriver.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
}

/// Send one request exactly as given (headers verbatim) and read the whole reply.
pub fn raw(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Reply {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut req = format!("{method} {path} HTTP/1.1\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str(&format!(
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    ));
    s.write_all(req.as_bytes()).unwrap();
    // The server may answer (413) and close before reading a large body.
    let _ = s.write_all(body);
    // Read by Content-Length (or to the last chunk): some servers keep the connection open.
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    loop {
        let n = s.read(&mut chunk).unwrap_or(0);
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            match len {
                Some(len) if buf.len() >= end + 4 + len => break,
                None if head.contains("chunked") && buf.ends_with(b"0\r\n\r\n") => break,
                _ => {}
            }
        }
    }
    parse_reply(&buf)
}

fn parse_reply(buf: &[u8]) -> Reply {
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP head in {:?}", String::from_utf8_lossy(buf)));
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let status: u16 = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect();
    let mut body = buf[end + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    Reply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(nl) = b.windows(2).position(|w| w == b"\r\n") else {
            break;
        };
        let size = usize::from_str_radix(String::from_utf8_lossy(&b[..nl]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.extend_from_slice(&b[nl + 2..nl + 2 + size]);
        b = &b[nl + 2 + size + 2..];
    }
    out
}

/// GET with the right Host.
pub fn get(addr: SocketAddr, path: &str) -> Reply {
    let host = format!("127.0.0.1:{}", addr.port());
    raw(addr, "GET", path, &[("Host", &host)], b"")
}

/// POST JSON the way the page does (own Host and Origin, the studio header).
pub fn post_json(addr: SocketAddr, path: &str, body: &Value) -> Reply {
    let host = format!("127.0.0.1:{}", addr.port());
    let origin = format!("http://{host}");
    raw(
        addr,
        "POST",
        path,
        &[
            ("Host", &host),
            ("Origin", &origin),
            ("X-Xietong-Studio", "1"),
            ("Content-Type", "application/json"),
        ],
        body.to_string().as_bytes(),
    )
}

/// POST a multipart upload of one file.
pub fn upload(addr: SocketAddr, file_name: &str, bytes: &[u8]) -> Reply {
    let host = format!("127.0.0.1:{}", addr.port());
    let boundary = "xietongboundary7MA4YWxkTrZu0gW";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
    )
    .into_bytes();
    body.extend_from_slice(bytes);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let ct = format!("multipart/form-data; boundary={boundary}");
    raw(
        addr,
        "POST",
        "/api/upload",
        &[
            ("Host", &host),
            ("X-Xietong-Studio", "1"),
            ("Content-Type", &ct),
        ],
        &body,
    )
}

/// Wait for a job to end; returns its last view.
pub fn wait_job(addr: SocketAddr, id: u64, limit: Duration) -> Value {
    let t0 = Instant::now();
    loop {
        let v = get(addr, &format!("/api/jobs/{id}")).json();
        if v["status"] != "running" {
            return v;
        }
        assert!(
            t0.elapsed() < limit,
            "job {id} still running after {limit:?}: {v}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The names of the files a finished job lists (its last view's `files`).
pub fn job_files(v: &Value) -> Vec<String> {
    v["files"]
        .as_array()
        .unwrap_or_else(|| panic!("a job's files: {v}"))
        .iter()
        .map(|f| f.as_str().unwrap().to_string())
        .collect()
}

/// A fresh, empty folder under the target's temporary directory.
pub fn temp_dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A studio on a free loopback port with its own workspace.
pub fn studio(name: &str) -> (xietong_studio::Running, PathBuf) {
    let ws = temp_dir(name);
    let config = xietong_studio::Config {
        port: 0,
        port_fixed: true,
        workspace: ws.clone(),
        ..Default::default()
    };
    (xietong_studio::start(config).expect("studio starts"), ws)
}

// ---------------------------------------------------------------------------------------------
// WebDriver

fn which(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    names
        .iter()
        .flat_map(|n| std::env::split_paths(&path).map(move |d| d.join(n)))
        .find(|p| p.is_file())
}

/// Headless Chromium driven over WebDriver, or None (with a notice) when chromium or
/// chromedriver is missing; with XIETONG_REQUIRE_BROWSER=1 a missing browser fails the test.
pub fn browser() -> Option<Browser> {
    let driver = std::env::var_os("XIETONG_CHROMEDRIVER")
        .map(PathBuf::from)
        .or_else(|| which(&["chromedriver"]));
    let chrome = std::env::var_os("XIETONG_CHROMIUM")
        .map(PathBuf::from)
        .or_else(|| which(&["chromium", "chromium-browser", "google-chrome"]));
    let required = std::env::var("XIETONG_REQUIRE_BROWSER").is_ok_and(|v| v == "1");
    match (driver, chrome) {
        (Some(d), Some(c)) => Some(Browser::launch(&d, &c)),
        _ if required => panic!(
            "XIETONG_REQUIRE_BROWSER=1 but chromium and chromedriver were not both found (apt-get install chromium chromium-driver)"
        ),
        _ => {
            eprintln!(
                "SKIPPED: browser test needs chromium and chromedriver (apt-get install chromium chromium-driver)"
            );
            None
        }
    }
}

pub struct Browser {
    driver: Child,
    addr: SocketAddr,
    session: String,
    profile: PathBuf,
}

impl Browser {
    fn launch(driver: &Path, chrome: &Path) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let t0 = Instant::now();
        while TcpStream::connect(addr).is_err() {
            assert!(
                t0.elapsed() < Duration::from_secs(20),
                "chromedriver did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        let profile = temp_dir(&format!("chrome-profile-{port}"));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chrome.to_string_lossy(),
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync", "--no-first-run",
                         "--disable-dev-shm-usage", "--window-size=1400,1800",
                         format!("--user-data-dir={}", profile.display())],
            }
        }}});
        let mut b = Browser {
            driver: child,
            addr,
            session: String::new(),
            profile,
        };
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {v}"))
            .to_string();
        b
    }

    fn call(&mut self, method: &str, path: &str, body: Option<Value>) -> Value {
        let host = self.addr.to_string();
        let body = body.map(|b| b.to_string()).unwrap_or_default();
        let r = raw(
            self.addr,
            method,
            path,
            &[
                ("Host", &host),
                ("Content-Type", "application/json; charset=utf-8"),
            ],
            body.as_bytes(),
        );
        let v = r.json();
        if r.status != 200 {
            panic!("WebDriver {method} {path}: {} {}", r.status, v);
        }
        v["value"].clone()
    }

    fn s(&self, p: &str) -> String {
        format!("/session/{}{p}", self.session)
    }

    pub fn goto(&mut self, url: &str) {
        let p = self.s("/url");
        self.call("POST", &p, Some(json!({"url": url})));
    }

    /// Open `url` with the studio's language set to `lang` (stored by the page, then reloaded),
    /// so a test starts from known texts whatever an earlier test left in the browser.
    pub fn open_in(&mut self, url: &str, lang: &str) {
        self.goto(url);
        self.js(
            "localStorage.setItem('xietong-lang', arguments[0]); location.reload();",
            json!([lang]),
        );
    }

    /// Run a script in the page (`return …` to get a value); `args` become `arguments`.
    pub fn js(&mut self, script: &str, args: Value) -> Value {
        let p = self.s("/execute/sync");
        self.call("POST", &p, Some(json!({"script": script, "args": args})))
    }

    /// Wait until `return (expression)` is truthy; returns its value.
    pub fn wait(&mut self, what: &str, expr: &str, limit: Duration) -> Value {
        let t0 = Instant::now();
        loop {
            let v = self.js(&format!("return ({expr});"), json!([]));
            if !(v.is_null() || v == json!(false) || v == json!("") || v == json!(0)) {
                return v;
            }
            if t0.elapsed() > limit {
                let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("studio-timeout.png");
                self.screenshot(&shot);
                panic!(
                    "timed out after {limit:?} waiting for {what} ({expr}); screenshot {}",
                    shot.display()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The element matching `css` (WebDriver element reference).
    /// The element matching `css` (WebDriver element reference), scrolled to the middle of the
    /// window so that the sticky header does not cover it.
    pub fn find(&mut self, css: &str) -> Value {
        let p = self.s("/element");
        let v = self.call(
            "POST",
            &p,
            Some(json!({"using": "css selector", "value": css})),
        );
        self.js(
            "arguments[0].scrollIntoView({block: 'center'});",
            json!([v.clone()]),
        );
        v
    }

    fn element_id(e: &Value) -> String {
        e.as_object()
            .and_then(|o| o.values().next())
            .and_then(|v| v.as_str())
            .expect("element reference")
            .to_string()
    }

    pub fn click(&mut self, css: &str) {
        let e = self.find(css);
        let p = self.s(&format!("/element/{}/click", Self::element_id(&e)));
        self.call("POST", &p, Some(json!({})));
    }

    /// Clear a field and type into it as a user would (fires input events).
    pub fn type_into(&mut self, css: &str, text: &str) {
        let e = self.find(css);
        let id = Self::element_id(&e);
        let p = self.s(&format!("/element/{id}/clear"));
        self.call("POST", &p, Some(json!({})));
        let p = self.s(&format!("/element/{id}/value"));
        self.call("POST", &p, Some(json!({"text": text})));
    }

    /// Give a file input a local file, as choosing it in the file dialog does.
    pub fn choose_file(&mut self, css: &str, file: &Path) {
        let e = self.find(css);
        let p = self.s(&format!("/element/{}/value", Self::element_id(&e)));
        self.call("POST", &p, Some(json!({"text": file.to_string_lossy()})));
    }

    /// Click at (x, y) pixels inside the element's box (top-left origin).
    pub fn click_at(&mut self, css: &str, x: i64, y: i64) {
        let e = self.find(css);
        // WebDriver pointer offsets are from the element's centre.
        let rect = self.js(
            "const r = arguments[0].getBoundingClientRect(); return [r.width, r.height];",
            json!([e]),
        );
        let (w, h) = (rect[0].as_f64().unwrap(), rect[1].as_f64().unwrap());
        let p = self.s("/actions");
        self.call(
            "POST",
            &p,
            Some(json!({"actions": [{"type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
                "actions": [
                    {"type": "pointerMove", "origin": e, "x": x - (w / 2.0) as i64, "y": y - (h / 2.0) as i64},
                    {"type": "pointerDown", "button": 0},
                    {"type": "pointerUp", "button": 0}]}]})),
        );
    }

    pub fn screenshot(&mut self, path: &Path) {
        let p = self.s("/screenshot");
        let v = self.call("GET", &p, None);
        let png = base64_decode(v.as_str().expect("base64 screenshot"));
        if let Some(d) = path.parent() {
            std::fs::create_dir_all(d).unwrap();
        }
        std::fs::write(path, png).unwrap();
    }

    /// Browser console errors so far (the page must not raise any).
    pub fn console_errors(&mut self) -> Vec<String> {
        let v = self.js("return window.__errors || [];", json!([]));
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.to_string())
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let p = format!("/session/{}", self.session);
            let host = self.addr.to_string();
            let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                raw(self.addr, "DELETE", &p, &[("Host", &host)], b"")
            }));
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a' + 26) as u32,
            b'0'..=b'9' => (c - b'0' + 52) as u32,
            b'+' => 62,
            b'/' => 63,
            _ => 0,
        }
    };
    let bytes: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let n = chunk.iter().take_while(|&&c| c != b'=').count();
        let v = chunk.iter().enumerate().fold(0u32, |acc, (i, &c)| {
            acc | (if i < n { val(c) } else { 0 }) << (18 - 6 * i as u32)
        });
        out.push((v >> 16) as u8);
        if n > 2 {
            out.push((v >> 8) as u8);
        }
        if n > 3 {
            out.push(v as u8);
        }
    }
    out
}

/// Where the tests put page screenshots for review.
pub fn shot(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("studio-screens")
        .join(name)
}
