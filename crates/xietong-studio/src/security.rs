//! Who may talk to the studio. The studio runs code on the user's machine and reads their files,
//! so a web page on another site must not be able to drive it:
//!
//! - It listens on loopback unless `--bind ADDR --allow-remote`; then every request must carry a
//!   random access token (`?token=` once, which sets a same-site cookie, or `Authorization: token`).
//! - The `Host` header must name the studio itself (127.0.0.1, localhost, [::1] or the bound
//!   address, with its port): a DNS-rebinding page reaches us under its own host name and is
//!   refused.
//! - An `Origin` header, when present, must be the studio's own origin, and `Sec-Fetch-Site`, when
//!   present, must not say `cross-site` or `same-site`: cross-site fetches and form posts are
//!   refused.
//! - Requests that change anything (every method but GET/HEAD) must also carry the header
//!   `X-Xietong-Studio: 1`, which a plain form cannot send and a cross-origin script can send only
//!   after a CORS preflight, which the studio never grants.
//! - Every response forbids framing and sniffing, and its Content-Security-Policy allows no
//!   network access beyond the studio itself.

use crate::Shared;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::net::SocketAddr;

/// Header that every state-changing request must carry.
pub const CSRF_HEADER: &str = "x-xietong-studio";
/// Cookie holding the access token after `?token=`.
pub const TOKEN_COOKIE: &str = "xietong_studio_token";

/// The page may load and connect only to the studio itself.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; frame-src 'self' blob:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'";

/// Marker a handler sets on a report it serves for framing by the page; the middleware then
/// replaces it with a policy that lets only the studio frame it and runs it sandboxed.
pub const FRAMEABLE: &str = "x-xietong-frameable";

/// Policy of a framed report: no scripts, no network, sandboxed, framed only by the studio.
pub const REPORT_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'self'; sandbox";

/// The rules, fixed at start.
pub struct Guard {
    hosts: Vec<String>,
    any_host: bool,
    token: Option<String>,
}

/// 128 random bits from the operating system, as hex.
pub fn new_token() -> anyhow::Result<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b)
        .map_err(|e| anyhow::anyhow!("no randomness for the access token: {e}"))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

impl Guard {
    pub fn new(addr: SocketAddr, token: Option<String>) -> Guard {
        let p = addr.port();
        let mut hosts = vec![
            format!("127.0.0.1:{p}"),
            format!("localhost:{p}"),
            format!("[::1]:{p}"),
        ];
        let ip = addr.ip();
        if !ip.is_loopback() && !ip.is_unspecified() {
            hosts.push(addr.to_string());
        }
        Guard {
            hosts,
            // Bound to every interface: the names it is reached under are unknown, and the token
            // (which a rebinding page does not have) is what protects it.
            any_host: ip.is_unspecified() && token.is_some(),
            token,
        }
    }

    fn host_ok(&self, host: &str) -> bool {
        self.any_host || self.hosts.iter().any(|h| h.eq_ignore_ascii_case(host))
    }

    /// Why a request is refused, if it is.
    pub fn refuse(
        &self,
        method: &Method,
        headers: &HeaderMap,
        query: Option<&str>,
    ) -> Option<(StatusCode, &'static str)> {
        let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
            return Some((StatusCode::BAD_REQUEST, "missing Host header"));
        };
        if !self.host_ok(host) {
            return Some((
                StatusCode::FORBIDDEN,
                "Host is not this studio (possible DNS rebinding)",
            ));
        }
        if let Some(origin) = headers.get(header::ORIGIN) {
            let own = format!("http://{host}");
            if origin
                .to_str()
                .map_or(true, |o| !o.eq_ignore_ascii_case(&own))
            {
                return Some((StatusCode::FORBIDDEN, "cross-origin request refused"));
            }
        }
        if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
            && (site == "cross-site" || site == "same-site")
        {
            return Some((StatusCode::FORBIDDEN, "cross-site request refused"));
        }
        if method != Method::GET && method != Method::HEAD {
            if headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) != Some("1") {
                return Some((StatusCode::FORBIDDEN, "missing X-Xietong-Studio header"));
            }
        }
        if let Some(token) = &self.token
            && !self.token_ok(token, headers, query)
        {
            return Some((
                StatusCode::UNAUTHORIZED,
                "access token required (open the URL printed by xietong studio)",
            ));
        }
        None
    }

    fn token_ok(&self, token: &str, headers: &HeaderMap, query: Option<&str>) -> bool {
        let from_query = query
            .into_iter()
            .flat_map(|q| q.split('&'))
            .filter_map(|kv| kv.strip_prefix("token="));
        let from_auth = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("token "));
        let from_cookie = headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|c| {
                c.trim()
                    .strip_prefix(TOKEN_COOKIE)
                    .and_then(|r| r.strip_prefix('='))
            });
        from_query
            .chain(from_auth)
            .chain(from_cookie)
            .any(|t| constant_time_eq(t.as_bytes(), token.as_bytes()))
    }

    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The middleware: refuse, or pass on and add the security headers.
pub async fn check(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let guard = &state.guard;
    if let Some((status, why)) = guard.refuse(req.method(), req.headers(), req.uri().query()) {
        let mut r = (status, why).into_response();
        add_headers(r.headers_mut());
        return r;
    }
    // `?token=` on a page load: keep it in a cookie and drop it from the address bar.
    if let (Some(token), Some(q)) = (guard.token(), req.uri().query())
        && req.method() == Method::GET
        && q.split('&')
            .any(|kv| kv.strip_prefix("token=") == Some(token))
    {
        let mut r = Response::builder()
            .status(StatusCode::SEE_OTHER)
            .header(header::LOCATION, req.uri().path())
            .header(
                header::SET_COOKIE,
                format!("{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict"),
            )
            .body(Body::empty())
            .expect("valid response");
        add_headers(r.headers_mut());
        return r;
    }
    let api = req.uri().path().starts_with("/api/");
    let mut r = next.run(req).await;
    let framed = r.headers_mut().remove(FRAMEABLE).is_some();
    add_headers(r.headers_mut());
    if framed {
        r.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(REPORT_CSP),
        );
        r.headers_mut().insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
    }
    if api {
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

fn add_headers(h: &mut HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("same-origin"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn host_origin_and_header_rules() {
        let g = Guard::new("127.0.0.1:9000".parse().unwrap(), None);
        assert!(
            g.refuse(&Method::GET, &headers(&[("host", "127.0.0.1:9000")]), None)
                .is_none()
        );
        assert!(
            g.refuse(&Method::GET, &headers(&[("host", "localhost:9000")]), None)
                .is_none()
        );
        assert_eq!(
            g.refuse(
                &Method::GET,
                &headers(&[("host", "evil.example:9000")]),
                None
            )
            .unwrap()
            .0,
            StatusCode::FORBIDDEN
        );
        assert!(
            g.refuse(&Method::GET, &headers(&[("host", "127.0.0.1:9001")]), None)
                .is_some()
        );
        assert!(g.refuse(&Method::GET, &headers(&[]), None).is_some());
        let cross = headers(&[
            ("host", "127.0.0.1:9000"),
            ("origin", "http://evil.example"),
        ]);
        assert!(g.refuse(&Method::GET, &cross, None).is_some());
        let own = headers(&[
            ("host", "127.0.0.1:9000"),
            ("origin", "http://127.0.0.1:9000"),
        ]);
        assert!(g.refuse(&Method::GET, &own, None).is_none());
        assert!(
            g.refuse(&Method::POST, &own, None).is_some(),
            "POST without the header"
        );
        let own_post = headers(&[
            ("host", "127.0.0.1:9000"),
            ("origin", "http://127.0.0.1:9000"),
            ("x-xietong-studio", "1"),
        ]);
        assert!(g.refuse(&Method::POST, &own_post, None).is_none());
        let sec = headers(&[("host", "127.0.0.1:9000"), ("sec-fetch-site", "cross-site")]);
        assert!(g.refuse(&Method::GET, &sec, None).is_some());
    }

    #[test]
    fn token_from_query_header_or_cookie() {
        let g = Guard::new("0.0.0.0:9000".parse().unwrap(), Some("abc123".into()));
        let h = headers(&[("host", "192.0.2.7:9000")]);
        assert_eq!(
            g.refuse(&Method::GET, &h, None).unwrap().0,
            StatusCode::UNAUTHORIZED
        );
        assert!(g.refuse(&Method::GET, &h, Some("token=abc123")).is_none());
        assert!(g.refuse(&Method::GET, &h, Some("token=abc124")).is_some());
        let c = headers(&[
            ("host", "192.0.2.7:9000"),
            ("cookie", "a=b; xietong_studio_token=abc123"),
        ]);
        assert!(g.refuse(&Method::GET, &c, None).is_none());
        let a = headers(&[
            ("host", "192.0.2.7:9000"),
            ("authorization", "token abc123"),
        ]);
        assert!(g.refuse(&Method::GET, &a, None).is_none());
        assert_eq!(new_token().unwrap().len(), 32);
        assert_ne!(new_token().unwrap(), new_token().unwrap());
    }
}
