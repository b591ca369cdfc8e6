//! `store::OutputSet`: a folder of results is always one complete, consistent set (issue 10
//! item 10). Killed runs are simulated by leaving the temporaries a killed process would leave,
//! named with a process id that cannot be running (above Linux's largest pid).

use std::fs;
use std::path::{Path, PathBuf};
use xietong_experiment::store::{OutputSet, write_bytes_atomic};

const OWNED: &[&str] = &["a.csv", "b.json", "charts"];
const DEAD_PID: u32 = 999_999_999;

fn scratch(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("xietong-outset-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&d);
    fs::create_dir_all(&d).unwrap();
    d
}

fn names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn write_set(out: &Path, a: &str) {
    let set = OutputSet::begin(out, OWNED).unwrap();
    set.write("a.csv", a.as_bytes()).unwrap();
    set.write("charts/c.svg", b"<svg/>").unwrap();
    set.commit(OWNED).unwrap();
}

#[test]
fn a_new_set_replaces_the_old_one_as_a_whole() {
    let d = scratch("replace");
    let out = d.join("out");
    let set = OutputSet::begin(&out, OWNED).unwrap();
    set.write("a.csv", b"old").unwrap();
    set.write("b.json", b"{}").unwrap();
    set.commit(OWNED).unwrap();
    assert_eq!(names(&out), ["a.csv", "b.json"]);
    // The new set has no b.json: the old one must not survive next to the new a.csv.
    write_set(&out, "new");
    assert_eq!(names(&out), ["a.csv", "charts"]);
    assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "new");
    assert_eq!(names(&d), ["out"], "no temporaries left beside the folder");
}

#[test]
fn an_unfinished_set_leaves_the_old_set_and_no_temporary() {
    let d = scratch("abandon");
    let out = d.join("out");
    write_set(&out, "old");
    {
        let set = OutputSet::begin(&out, OWNED).unwrap();
        set.write("a.csv", b"half").unwrap();
        // Dropped without commit, as on an error.
    }
    assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "old");
    assert_eq!(names(&d), ["out"]);
}

#[test]
fn temporaries_of_killed_runs_are_removed_and_an_old_set_put_back() {
    let d = scratch("stale");
    let out = d.join("out");
    // Killed while writing: a half-written new folder and a stale single-file temporary.
    fs::create_dir_all(d.join(format!(".out.{DEAD_PID}.new"))).unwrap();
    fs::write(d.join(format!(".out.{DEAD_PID}.new/a.csv")), "half").unwrap();
    write_set(&out, "one");
    fs::write(out.join(format!(".a.csv.{DEAD_PID}.tmp")), "stale").unwrap();
    write_bytes_atomic(&out.join("a.csv"), b"two").unwrap();
    assert!(
        !out.join(format!(".a.csv.{DEAD_PID}.tmp")).exists(),
        "a stale .NAME.PID.tmp file survived the next write of NAME"
    );
    assert_eq!(names(&d), ["out"], "the stale .new folder survived");
    // Killed between renaming the old set aside and the new one in: the old set comes back.
    fs::rename(&out, d.join(format!(".out.{DEAD_PID}.old"))).unwrap();
    let set = OutputSet::begin(&out, OWNED).unwrap();
    assert_eq!(fs::read_to_string(out.join("a.csv")).unwrap(), "two");
    drop(set);
    assert_eq!(names(&d), ["out"]);
}

#[test]
fn foreign_files_are_never_deleted() {
    let d = scratch("foreign");
    let out = d.join("out");
    write_set(&out, "one");
    fs::write(out.join("notes.txt"), "mine").unwrap();
    let err = OutputSet::begin(&out, OWNED).err().expect("refused");
    assert_eq!(err.kind(), std::io::ErrorKind::DirectoryNotEmpty);
    assert!(err.to_string().contains("notes.txt"), "{err}");
    assert_eq!(fs::read_to_string(out.join("notes.txt")).unwrap(), "mine");
    assert_eq!(names(&d), ["out"]);
}

#[test]
fn a_file_in_the_way_is_a_not_a_directory_error() {
    let d = scratch("file");
    fs::write(d.join("f"), "x").unwrap();
    let err = OutputSet::begin(&d.join("f").join("out"), OWNED)
        .err()
        .expect("refused");
    assert_eq!(err.kind(), std::io::ErrorKind::NotADirectory);
    assert!(err.to_string().contains("is a file"), "{err}");
    let err = OutputSet::begin(&d.join("f"), OWNED)
        .err()
        .expect("refused");
    assert!(err.to_string().contains("not a folder"), "{err}");
}

#[test]
fn only_this_crates_temporaries_count_as_replaceable() {
    let d = scratch("hidden");
    let out = d.join("out");
    write_set(&out, "one");
    // A user's hidden file that merely ends like a temporary is foreign.
    fs::write(out.join(".notes.old"), "mine").unwrap();
    assert!(OutputSet::begin(&out, OWNED).is_err());
    fs::remove_file(out.join(".notes.old")).unwrap();
    fs::write(out.join(".a.csv.4242.tmp"), "stale").unwrap();
    write_set(&out, "two");
    assert_eq!(names(&out), ["a.csv", "charts"]);
}
