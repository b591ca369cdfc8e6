//! Helpers shared by the command-line tests: the built binary, scratch folders, example files.
#![allow(dead_code)] // each test binary uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The `xietong` binary built for these tests.
pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xietong"))
}

/// Run `xietong ARGS…` and collect its output.
pub fn xietong(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

/// Fail the test with the command's standard error unless it exited successfully.
pub fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A fresh, empty scratch folder, unique to this test binary (process id) and `tag`.
pub fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xietong-cli-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A file under `examples/<folder>/` of the repository.
pub fn example(folder: &str, name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(folder)
        .join(name)
}

/// A path as a command-line argument (test paths are UTF-8).
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A folder in which nothing can be created: a read-only scratch folder, or, when the tests run
/// as root (which ignores permission bits), a place under `/sys`, where creating a folder is
/// refused with "operation not permitted".
pub fn unwritable(tag: &str) -> PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let d = tmpdir(tag).join("read-only");
    std::fs::create_dir_all(&d).unwrap();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o555)).unwrap();
    let probe = d.join("probe");
    if std::fs::create_dir(&probe).is_ok() {
        std::fs::remove_dir(&probe).unwrap();
        let sys = PathBuf::from("/sys/xietong-test");
        assert!(
            std::fs::create_dir(&sys).is_err(),
            "no unwritable folder available for this test"
        );
        return sys;
    }
    d
}

/// Whether the tests run with permission bits enforced (not as root).
pub fn permissions_enforced() -> bool {
    let d = tmpdir("perm-probe").join("ro");
    std::fs::create_dir_all(&d).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o555)).unwrap();
    let enforced = std::fs::create_dir(d.join("x")).is_err();
    std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o755)).unwrap();
    enforced
}

/// Names in a folder, sorted (hidden temporaries included).
pub fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}
