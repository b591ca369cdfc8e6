//! `xietong studio`: start the local web workbench (crate xietong-studio) and open it in the
//! browser, as Jupyter and TensorBoard do. Only argument handling and opening the browser live
//! here; the server is the library crate's.

use anyhow::Result;
use clap::Args;
use std::net::IpAddr;
use std::path::PathBuf;

#[derive(Args)]
pub struct StudioArgs {
    /// Port to listen on (default 8765, or the next free one).
    #[arg(long)]
    pub port: Option<u16>,
    /// Address to listen on. Anything but loopback needs --allow-remote and then an access token.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Allow --bind to a non-loopback address (other machines can then reach the studio).
    #[arg(long)]
    pub allow_remote: bool,
    /// The folder the studio keeps uploads and experiments in.
    #[arg(long, default_value = "xietong-studio")]
    pub workspace: PathBuf,
    /// Do not open a browser; just print the address.
    #[arg(long)]
    pub no_browser: bool,
}

#[cfg(feature = "studio")]
pub fn run(args: StudioArgs) -> Result<()> {
    use crate::error::bad_input;
    if !args.bind.is_loopback() && !args.allow_remote {
        return Err(bad_input(format!(
            "--bind {}: not a loopback address; add --allow-remote to let other machines reach the studio (they will need the access token printed at start)",
            args.bind
        )));
    }
    let config = xietong_studio::Config {
        bind: args.bind,
        port: args.port.unwrap_or(xietong_studio::DEFAULT_PORT),
        port_fixed: args.port.is_some(),
        allow_remote: args.allow_remote,
        workspace: args.workspace.clone(),
        max_body: xietong_studio::MAX_BODY,
    };
    let running = xietong_studio::start(config)?;
    eprintln!("xietong studio: {}", running.url);
    eprintln!("workspace: {}", args.workspace.display());
    if !args.bind.is_loopback() {
        eprintln!(
            "listening beyond this machine: share the address above (with its token) only with people you trust"
        );
    }
    eprintln!("press Ctrl-C to stop");
    if !args.no_browser && !open_browser(&running.url) {
        eprintln!("(could not open a browser; open the address above yourself)");
    }
    running.wait()
}

#[cfg(not(feature = "studio"))]
pub fn run(_args: StudioArgs) -> Result<()> {
    Err(crate::error::bad_input(
        "this xietong was built without the studio; rebuild with `cargo install xietong --features studio`",
    ))
}

/// Try the platform's way of opening a URL; false when none worked.
#[cfg(feature = "studio")]
fn open_browser(url: &str) -> bool {
    use std::process::{Command, Stdio};
    let tries: &[(&str, &[&str])] = if cfg!(target_os = "windows") {
        &[("cmd", &["/C", "start", ""])]
    } else if cfg!(target_os = "macos") {
        &[("open", &[])]
    } else {
        &[("xdg-open", &[])]
    };
    tries.iter().any(|(cmd, pre)| {
        Command::new(cmd)
            .args(*pre)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}
