//! HTTP-level tests of every security rule of the studio (see `xietong_studio::security`).

mod support;

use serde_json::json;
use std::time::Duration;
use support::*;

#[test]
fn listens_on_loopback_by_default_and_refuses_other_addresses_without_the_flag() {
    assert!(xietong_studio::Config::default().bind.is_loopback());
    let (s, _ws) = studio("sec-default");
    assert!(s.addr.ip().is_loopback());
    assert!(s.token.is_none());
    let ws = temp_dir("sec-remote-refused");
    let err = xietong_studio::start(xietong_studio::Config {
        bind: "0.0.0.0".parse().unwrap(),
        port: 0,
        port_fixed: true,
        workspace: ws,
        ..Default::default()
    })
    .err()
    .expect("non-loopback bind without --allow-remote is refused");
    assert!(format!("{err:#}").contains("--allow-remote"), "{err:#}");
}

#[test]
fn host_header_must_name_the_studio() {
    let (s, _ws) = studio("sec-host");
    let port = s.addr.port();
    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
    ] {
        assert_eq!(
            raw(s.addr, "GET", "/", &[("Host", &host)], b"").status,
            200,
            "{host}"
        );
    }
    // DNS rebinding: the attacker's name resolving to 127.0.0.1.
    for host in [
        format!("evil.example:{port}"),
        format!("127.0.0.1:{}", port.wrapping_add(1)),
        "127.0.0.1".to_string(),
    ] {
        let r = raw(s.addr, "GET", "/api/sim/builtin", &[("Host", &host)], b"");
        assert_eq!(r.status, 403, "{host}");
        assert!(!r.text().contains("chengdu"), "no data leaks to {host}");
    }
    assert_eq!(
        raw(s.addr, "GET", "/", &[], b"").status,
        400,
        "no Host at all"
    );
}

#[test]
fn cross_origin_and_cross_site_requests_are_refused() {
    let (s, _ws) = studio("sec-origin");
    let host = format!("127.0.0.1:{}", s.addr.port());
    let own = format!("http://{host}");
    let body = json!({"toml": "name = 1"}).to_string();
    let post = |headers: &[(&str, &str)]| {
        raw(s.addr, "POST", "/api/sim/check", headers, body.as_bytes()).status
    };
    // The page's own request passes.
    assert_eq!(
        post(&[
            ("Host", &host),
            ("Origin", &own),
            ("X-Xietong-Studio", "1"),
            ("Content-Type", "application/json")
        ]),
        200
    );
    // A form post from another site: no custom header, foreign Origin.
    assert_eq!(
        post(&[
            ("Host", &host),
            ("Origin", "http://evil.example"),
            ("Content-Type", "text/plain")
        ]),
        403
    );
    // A script on another site that added the header (would need a preflight first).
    assert_eq!(
        post(&[
            ("Host", &host),
            ("Origin", "http://evil.example"),
            ("X-Xietong-Studio", "1"),
            ("Content-Type", "application/json")
        ]),
        403
    );
    // Another port on localhost is another origin.
    let other = format!("http://127.0.0.1:{}", s.addr.port().wrapping_add(1));
    assert_eq!(
        post(&[
            ("Host", &host),
            ("Origin", &other),
            ("X-Xietong-Studio", "1"),
            ("Content-Type", "application/json")
        ]),
        403
    );
    // No Origin (old browsers, curl) but no custom header either.
    assert_eq!(
        post(&[("Host", &host), ("Content-Type", "application/json")]),
        403
    );
    // Fetch metadata says cross-site.
    assert_eq!(
        post(&[
            ("Host", &host),
            ("Sec-Fetch-Site", "cross-site"),
            ("X-Xietong-Studio", "1"),
            ("Content-Type", "application/json")
        ]),
        403
    );
    assert_eq!(
        raw(
            s.addr,
            "GET",
            "/api/sim/builtin",
            &[("Host", &host), ("Origin", "http://evil.example")],
            b""
        )
        .status,
        403
    );
    // A CORS preflight is never granted.
    let pre = raw(
        s.addr,
        "OPTIONS",
        "/api/sim/check",
        &[
            ("Host", &host),
            ("Origin", "http://evil.example"),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "x-xietong-studio"),
        ],
        b"",
    );
    assert_ne!(pre.status / 100, 2);
    assert!(pre.header("access-control-allow-origin").is_none());
}

#[test]
fn every_response_forbids_framing_sniffing_and_outside_connections() {
    let (s, _ws) = studio("sec-headers");
    for path in [
        "/",
        "/static/studio.js",
        "/api/sim/builtin",
        "/api/jobs/999",
        "/nope",
    ] {
        let r = get(s.addr, path);
        let csp = r
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("no CSP on {path}"));
        assert!(
            csp.contains("default-src 'none'")
                && csp.contains("connect-src 'self'")
                && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(r.header("x-frame-options"), Some("DENY"), "{path}");
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{path}"
        );
    }
    // The page names no outside host: everything it loads is under /static/.
    let page = get(s.addr, "/").text();
    for src in page
        .split("src=\"")
        .skip(1)
        .chain(page.split("href=\"").skip(1))
    {
        let url = src.split('"').next().unwrap();
        assert!(url.starts_with("/static/") || url.starts_with('#'), "{url}");
    }
    for (name, _, body) in xietong_studio::assets::FILES {
        // An XML namespace name is an identifier, not a place the page loads from.
        let body = body.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(
            !body.contains("http://") && !body.contains("https://"),
            "{name} refers to another site"
        );
    }
}

#[test]
fn remote_mode_needs_the_token() {
    let ws = temp_dir("sec-token");
    let s = xietong_studio::start(xietong_studio::Config {
        bind: "0.0.0.0".parse().unwrap(),
        port: 0,
        port_fixed: true,
        allow_remote: true,
        workspace: ws,
        ..Default::default()
    })
    .expect("starts with --allow-remote");
    let token = s
        .token
        .clone()
        .expect("a token when listening beyond loopback");
    assert_eq!(token.len(), 32);
    assert!(s.url.contains(&format!("token={token}")));
    let host = format!("127.0.0.1:{}", s.addr.port());
    assert_eq!(raw(s.addr, "GET", "/", &[("Host", &host)], b"").status, 401);
    assert_eq!(
        raw(s.addr, "GET", "/api/sim/builtin", &[("Host", &host)], b"").status,
        401
    );
    let wrong = format!("/?token={}", "0".repeat(32));
    assert_eq!(
        raw(s.addr, "GET", &wrong, &[("Host", &host)], b"").status,
        401
    );
    // The token in the address sets a cookie and is dropped from the address bar.
    let r = raw(
        s.addr,
        "GET",
        &format!("/?token={token}"),
        &[("Host", &host)],
        b"",
    );
    assert_eq!(r.status, 303);
    let cookie = r.header("set-cookie").unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let pair = cookie.split(';').next().unwrap();
    assert_eq!(
        raw(
            s.addr,
            "GET",
            "/api/sim/builtin",
            &[("Host", &host), ("Cookie", pair)],
            b""
        )
        .status,
        200
    );
    let auth = format!("token {token}");
    assert_eq!(
        raw(
            s.addr,
            "GET",
            "/api/sim/builtin",
            &[("Host", &host), ("Authorization", &auth)],
            b""
        )
        .status,
        200
    );
}

#[test]
fn uploads_are_size_limited_and_stay_in_the_workspace() {
    let ws = temp_dir("sec-upload");
    let s = xietong_studio::start(xietong_studio::Config {
        port: 0,
        port_fixed: true,
        workspace: ws.clone(),
        max_body: 64 * 1024,
        ..Default::default()
    })
    .unwrap();
    // A name that tries to climb out of the workspace is stored under a name the studio makes up.
    let r = upload(s.addr, "../../../escape.csv", b"a,b\n1,2\n");
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["id"].as_str().unwrap().to_string();
    assert!(!id.contains('/') && !id.contains(".."));
    let stored = ws.join("uploads").join(&id);
    assert_eq!(std::fs::read(&stored).unwrap(), b"a,b\n1,2\n");
    assert!(!ws.parent().unwrap().join("escape.csv").exists());
    assert_eq!(std::fs::read_dir(ws.join("uploads")).unwrap().count(), 1);
    // Unknown kinds are refused.
    assert_eq!(upload(s.addr, "tool.exe", b"MZ").status, 400);
    // Too large: refused before anything is written.
    let big = vec![b'x'; 200 * 1024];
    assert_eq!(upload(s.addr, "big.csv", &big).status, 413);
    assert_eq!(std::fs::read_dir(ws.join("uploads")).unwrap().count(), 1);
}

#[test]
fn no_endpoint_reads_an_arbitrary_path() {
    let (s, _ws) = studio("sec-paths");
    for path in [
        "/static/../Cargo.toml",
        "/static/%2e%2e%2fCargo.toml",
        "/static/..%2F..%2FCargo.toml",
        "/api/jobs/1/files/..%2F..%2F..%2Fetc%2Fpasswd",
        "/api/jobs/1/files/%2Fetc%2Fpasswd",
    ] {
        let r = get(s.addr, path);
        assert!(r.status == 404 || r.status == 400, "{path}: {}", r.status);
        assert!(
            !r.text().contains("root:") && !r.text().contains("[package]"),
            "{path}"
        );
    }
}

#[test]
fn long_jobs_can_be_cancelled() {
    let (s, _ws) = studio("sec-cancel");
    let toml = xietong_model::builtin::CHENGDU_CHONGQING;
    let r = post_json(
        s.addr,
        "/api/sim/run",
        &json!({"toml": toml, "runs": 10000, "seed": 3}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let id = r.json()["job"].as_u64().unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(
        post_json(s.addr, &format!("/api/jobs/{id}/cancel"), &json!({})).status,
        200
    );
    let v = wait_job(s.addr, id, Duration::from_secs(60));
    assert_eq!(v["status"], "cancelled", "{v}");
    assert!(v["done"].as_u64().unwrap() < 10000);
    assert!(
        v["files"].as_array().unwrap().is_empty(),
        "a cancelled run offers no half set of files"
    );
}

#[test]
fn a_report_shown_in_the_page_is_sandboxed_and_frameable_only_by_the_studio() {
    let (s, _ws) = studio("sec-report");
    let r = post_json(
        s.addr,
        "/api/sim/run",
        &json!({"toml": xietong_model::builtin::CHENGDU_CHONGQING, "runs": 2}),
    );
    let id = r.json()["job"].as_u64().unwrap();
    assert_eq!(
        wait_job(s.addr, id, Duration::from_secs(60))["status"],
        "done"
    );
    let framed = get(
        s.addr,
        &format!("/api/jobs/{id}/files/report.html?inline=true"),
    );
    assert_eq!(framed.status, 200);
    let csp = framed.header("content-security-policy").unwrap();
    assert!(
        csp.contains("sandbox")
            && csp.contains("frame-ancestors 'self'")
            && !csp.contains("script-src"),
        "{csp}"
    );
    assert_eq!(framed.header("x-frame-options"), Some("SAMEORIGIN"));
    assert!(framed.header("x-xietong-frameable").is_none());
    let download = get(s.addr, &format!("/api/jobs/{id}/files/report.html"));
    assert!(
        download
            .header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(download.header("x-frame-options"), Some("DENY"));
    // Only HTML reports are ever served for framing.
    let csv = get(
        s.addr,
        &format!("/api/jobs/{id}/files/zones.csv?inline=true"),
    );
    assert!(
        csv.header("content-disposition")
            .unwrap()
            .starts_with("attachment")
    );
}
