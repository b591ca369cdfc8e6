//! The studio's one folder. Uploads are stored under names the studio makes up (random hex plus
//! an extension from a fixed list), never under a name or path sent by the browser, and every
//! later reference to a file is by that id, so no request can read or write an arbitrary path.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};

pub struct Workspace {
    root: PathBuf,
}

/// File kinds the studio accepts, by extension.
pub const UPLOAD_EXTENSIONS: [&str; 6] = ["csv", "xlsx", "xls", "toml", "json", "tsv"];

impl Workspace {
    /// Create (if needed) and open the workspace folder.
    pub fn open(path: &Path) -> Result<Workspace> {
        std::fs::create_dir_all(path)
            .with_context(|| format!("--workspace {}: cannot create the folder", path.display()))?;
        let root = path
            .canonicalize()
            .with_context(|| format!("--workspace {}", path.display()))?;
        for sub in ["uploads", "experiments"] {
            std::fs::create_dir_all(root.join(sub))
                .with_context(|| format!("creating {}", root.join(sub).display()))?;
        }
        Ok(Workspace { root })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Store uploaded bytes; returns the id (`<hex>.<ext>`) to refer to them later.
    pub fn save_upload(&self, ext: &str, bytes: &[u8]) -> Result<String> {
        let ext = ext.to_ascii_lowercase();
        if !UPLOAD_EXTENSIONS.contains(&ext.as_str()) {
            bail!(
                "files of type .{ext} are not accepted (expected one of: {})",
                UPLOAD_EXTENSIONS.join(", ")
            );
        }
        let id = format!("{}.{ext}", crate::security::new_token()?);
        let path = self.root.join("uploads").join(&id);
        xietong_experiment::store::write_bytes_atomic(&path, bytes)
            .with_context(|| format!("writing {}", path.display()))?;
        Ok(id)
    }

    /// The path of an upload id made by [`save_upload`](Self::save_upload), or None if the id is
    /// not of that form or no such file exists.
    pub fn upload(&self, id: &str) -> Option<PathBuf> {
        let (stem, ext) = id.split_once('.')?;
        let ok = stem.len() == 32
            && stem
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
            && UPLOAD_EXTENSIONS.contains(&ext);
        let p = self.root.join("uploads").join(id);
        (ok && p.is_file()).then_some(p)
    }

    /// Folder of the experiment with this id (a name the studio made), created on demand.
    pub fn experiment_dir(&self, id: &str) -> Option<PathBuf> {
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        ok.then(|| self.root.join("experiments").join(id))
    }

    pub fn experiments_root(&self) -> PathBuf {
        self.root.join("experiments")
    }
}

/// The extension of a browser-supplied file name, lower case (only used to pick a reader).
pub fn extension_of(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next()?;
    let (_, ext) = base.rsplit_once('.')?;
    Some(ext.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uploads_stay_inside_and_ids_are_checked() {
        let dir = std::env::temp_dir().join(format!("xs-ws-{}", std::process::id()));
        let ws = Workspace::open(&dir).unwrap();
        let id = ws.save_upload("CSV", b"a,b\n1,2\n").unwrap();
        let p = ws.upload(&id).unwrap();
        assert!(p.starts_with(ws.root().join("uploads")));
        assert_eq!(std::fs::read(&p).unwrap(), b"a,b\n1,2\n");
        assert!(ws.save_upload("exe", b"x").is_err());
        for bad in [
            "../x.csv",
            "/etc/passwd",
            "..",
            "a/b.csv",
            &id.replace(".csv", ".exe"),
        ] {
            assert!(ws.upload(bad).is_none(), "{bad}");
        }
        assert!(ws.experiment_dir("../../etc").is_none());
        assert!(ws.experiment_dir("ok-1").unwrap().starts_with(ws.root()));
        assert_eq!(
            extension_of("C:\\data\\survey.XLSX").as_deref(),
            Some("xlsx")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

use crate::{Shared, bad_request};
use axum::extract::{Multipart, State};
use axum::response::{IntoResponse, Response};

pub fn routes() -> axum::Router<Shared> {
    axum::Router::new().route("/upload", axum::routing::post(upload))
}

/// Store the `file` part of a multipart upload; answers `{id, name, ext, bytes}`. The name sent by
/// the browser is only echoed for display and used for its extension.
async fn upload(State(st): State<Shared>, mut form: Multipart) -> Response {
    loop {
        let field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => {
                return bad_request(
                    "no file in the upload (expected a part named \"file\")",
                    serde_json::Value::Null,
                );
            }
            Err(e) => return (e.status(), e.body_text()).into_response(),
        };
        if field.name() != Some("file") {
            continue;
        }
        let name = field.file_name().unwrap_or("upload").to_string();
        let Some(ext) = extension_of(&name) else {
            return bad_request(
                format!("{name}: no file extension (expected .csv, .xlsx, .xls, .toml …)"),
                serde_json::Value::Null,
            );
        };
        let bytes = match field.bytes().await {
            Ok(b) => b,
            Err(e) => return (e.status(), e.body_text()).into_response(),
        };
        let saved = {
            let ext = ext.clone();
            crate::blocking(move || {
                st.workspace
                    .save_upload(&ext, &bytes)
                    .map(|id| (id, bytes.len()))
            })
            .await
        };
        return match saved {
            Ok((id, n)) => {
                axum::Json(serde_json::json!({"id": id, "name": name, "ext": ext, "bytes": n}))
                    .into_response()
            }
            Err(e) => bad_request(format!("{name}: {e:#}"), serde_json::Value::Null),
        };
    }
}
