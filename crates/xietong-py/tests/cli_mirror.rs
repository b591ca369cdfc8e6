//! The wheel's `xietong` command compiles the CLI's modules into the extension and mirrors the
//! binary's top-level subcommand list (main.rs is a binary root and cannot be called). These
//! checks fail when main.rs gains a module or a subcommand that the extension does not have.

fn read(rel: &str) -> String {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn block<'a>(text: &'a str, start: &str) -> &'a str {
    let i = text.find(start).unwrap_or_else(|| panic!("no `{start}`"));
    let rest = &text[i..];
    &rest[..rest.find("\n}\n").expect("block end") + 2]
}

#[test]
fn subcommands_match_the_binary() {
    let main = read("../xietong/src/main.rs");
    let mirror = read("src/py_cli.rs");
    assert_eq!(
        block(&main, "enum Command {"),
        block(&mirror, "enum Command {")
    );
    assert_eq!(
        main.matches("Command::").count(),
        mirror.matches("Command::").count(),
        "dispatch arms differ"
    );
}

#[test]
fn every_cli_module_is_compiled_in() {
    let main = read("../xietong/src/main.rs");
    let lib = read("src/lib.rs");
    for line in main.lines().filter(|l| l.starts_with("mod ")) {
        let name = line.trim_start_matches("mod ").trim_end_matches(';');
        let want = format!("#[path = \"../../xietong/src/{name}.rs\"]\nmod {name};");
        assert!(
            lib.contains(&want),
            "src/lib.rs lacks the CLI module {name}"
        );
    }
}
