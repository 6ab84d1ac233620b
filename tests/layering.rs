//! The layering ARCHITECTURE.md promises, checked on the source (in the
//! style of rust-analyzer's tidy tests). The compiler enforces part of it:
//! `Registry`'s store is a private field, so no shell reaches a connection
//! through the service. These tests catch the rest: a shell that opens the
//! store itself or writes SQL, and a functional core that does I/O.
#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn files(parts: &[&str]) -> Vec<PathBuf> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = Vec::new();
    for part in parts {
        let p = src.join(part);
        if p.is_dir() {
            rust_files(&p, &mut out);
        } else {
            assert!(p.exists(), "{} is gone: update this test", p.display());
            out.push(p);
        }
    }
    assert!(!out.is_empty());
    out
}

/// Lines of `files` that contain one of `banned`, outside comments.
fn offences(files: &[PathBuf], banned: &[&str]) -> Vec<String> {
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(f).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            for b in banned {
                if code.contains(b) {
                    found.push(format!("{}:{}: `{b}` in: {}", f.display(), i + 1, code));
                }
            }
        }
    }
    found
}

const SHELLS: &[&str] = &["gui", "api", "tools", "cli", "sync.rs", "hub.rs", "main.rs"];

#[test]
fn no_shell_reaches_the_database_or_writes_sql() {
    let found = offences(
        &files(SHELLS),
        &[
            "rusqlite",
            "Connection",
            "crate::store",
            "registrar::store",
            "Store::",
            ".conn",
            "SELECT ",
            "INSERT INTO",
            "DELETE FROM",
            " SET link_id",
            "transaction(",
        ],
    );
    assert!(
        found.is_empty(),
        "the shells ask the service; SQL lives in store/ and service/:\n{}",
        found.join("\n")
    );
}

/// The service decides and holds the transaction; every statement is a
/// function of `store/` (issue 13's "one write path": a rule's SQL is
/// written once, beside the schema it reads).
#[test]
fn the_service_writes_no_sql() {
    let found = offences(
        &files(&["service"]),
        &[
            "SELECT ",
            "INSERT ",
            "UPDATE ",
            "DELETE FROM",
            "PRAGMA",
            ".execute(",
            "query_row",
            "query_map",
            ".prepare(",
            "prepare_cached(",
            "store::exec",
            "query_one(",
            "pragma_",
        ],
    );
    assert!(
        found.is_empty(),
        "SQL lives in store/; the service calls its functions:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_functional_core_does_no_io() {
    let found = offences(
        &files(&["core"]),
        &[
            "rusqlite",
            "std::fs",
            "std::net",
            "std::env",
            "reqwest",
            "Instant::now",
            "thread::spawn",
            "println!",
            "crate::service",
            "crate::store",
        ],
    );
    assert!(
        found.is_empty(),
        "core is pure: no database, files, network, clock or threads:\n{}",
        found.join("\n")
    );
}

/// Randomness comes from `core::ids` (seedable in tests; secrets always
/// from the system's source), the one module of core that reaches it.
#[test]
fn randomness_comes_from_the_id_module() {
    let core: Vec<PathBuf> = files(&["core"])
        .into_iter()
        .filter(|f| !f.ends_with("core/ids.rs"))
        .collect();
    let found = offences(&core, &["rand::", "rand::rng", "thread_rng"]);
    assert!(
        found.is_empty(),
        "take randomness from core::ids:\n{}",
        found.join("\n")
    );
}

/// The checks above can fail: a line with a banned word is found.
#[test]
fn the_checker_finds_what_it_looks_for() {
    let dir = std::env::temp_dir().join(format!("layering-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let f = dir.join("x.rs");
    std::fs::write(
        &f,
        "// rusqlite in a comment is fine\nlet c = rusqlite::Connection::open(p);\n",
    )
    .unwrap();
    let found = offences(&[f], &["rusqlite"]);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].contains(":2:"));
    let _ = std::fs::remove_dir_all(dir);
}
