//! The command line on a database with accounts: every command that reads
//! or changes the registry names an account with the right role; files that
//! hold personal data or secrets are private; no secret on the command line.
#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

fn run(db: &Path, args: &[&str], pw: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_registrar"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("REGISTRAR_PASSWORD", pw)
        .env("REGISTRAR_ADMIN_PASSWORD", "admin-pass")
        .env_remove("REGISTRAR_HUB_SECRET")
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn every_command_names_an_account_with_the_right_role() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.db");
    let csv = dir.path().join("rows.csv");
    std::fs::write(
        &csv,
        "id,given_name,family_name,birth_date\n1,Ann,Lee,1980-01-02\n",
    )
    .unwrap();
    let csv = csv.to_str().unwrap();
    assert!(
        run(
            &db,
            &["user", "add", "ada", "--role", "admin"],
            "admin-pass"
        )
        .status
        .success()
    );
    let out = run(
        &db,
        &[
            "--user",
            "ada",
            "user",
            "add",
            "rita",
            "--role",
            "receptionist",
        ],
        "rita-pass1",
    );
    assert!(out.status.success(), "{}", text(&out));
    let commands: [&[&str]; 8] = [
        &["config", "auto_link", "50"],
        &["config", "auto_link"],
        &["user", "list"],
        &["export", "links"],
        &["import", csv, "--sor", "X", "--id-column", "id"],
        &["hub", "client", "add", "k1", "--sources", "A"],
        &["train", "--dry-run"],
        &["audit"],
    ];
    for cmd in commands {
        let out = run(&db, cmd, "admin-pass");
        assert!(
            !out.status.success(),
            "{cmd:?} ran without --user: {}",
            text(&out)
        );
        assert!(text(&out).contains("--user"), "{cmd:?}: {}", text(&out));
    }
    // A receptionist may read a setting, not change one, nor import or train.
    let out = run(
        &db,
        &["--user", "rita", "config", "auto_link"],
        "rita-pass1",
    );
    assert!(out.status.success(), "{}", text(&out));
    for cmd in [
        &["config", "auto_link", "50"][..],
        &["user", "list"],
        &["export", "links"],
        &["import", csv, "--sor", "X", "--id-column", "id"],
        &["hub", "client", "add", "k1", "--sources", "A"],
        &["train", "--dry-run"],
    ] {
        let out = run(&db, &[&["--user", "rita"][..], cmd].concat(), "rita-pass1");
        assert!(
            !out.status.success(),
            "{cmd:?} as a receptionist: {}",
            text(&out)
        );
        assert!(text(&out).contains("403"), "{cmd:?}: {}", text(&out));
    }
    // The admin may; the import is audited in her name.
    let out = run(
        &db,
        &["--user", "ada", "config", "auto_link", "99.5"],
        "admin-pass",
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = run(
        &db,
        &[
            "--user",
            "ada",
            "import",
            csv,
            "--sor",
            "X",
            "--id-column",
            "id",
        ],
        "admin-pass",
    );
    assert!(out.status.success(), "{}", text(&out));
    let out = run(&db, &["--user", "ada", "audit"], "admin-pass");
    assert!(
        text(&out)
            .lines()
            .any(|l| l.contains("\"actor\":\"ada\"") && l.contains("people.")),
        "{}",
        text(&out)
    );
    assert!(
        !text(&out)
            .lines()
            .any(|l| l.contains("\"actor\":\"system\"") && l.contains("people.")),
        "{}",
        text(&out)
    );
}

#[test]
fn the_database_and_its_wal_are_private() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("p.db");
    assert!(
        run(
            &db,
            &["user", "add", "ada", "--role", "admin"],
            "admin-pass"
        )
        .status
        .success()
    );
    // The WAL and shared-memory files exist while a connection is open.
    let reg = registrar::service::Registry::open(&db).unwrap();
    reg.configure("site_source", Some("SITE-A")).unwrap();
    for suffix in ["", "-wal", "-shm"] {
        let p = dir.path().join(format!("p.db{suffix}"));
        assert!(p.exists(), "{}", p.display());
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
    drop(reg);
    // A file made world-readable by someone else is tightened on open.
    let old = dir.path().join("old.db");
    drop(registrar::service::Registry::open(&old).unwrap());
    std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o644)).unwrap();
    drop(registrar::service::Registry::open(&old).unwrap());
    assert_eq!(mode(&old), 0o600);
}

#[test]
fn no_secret_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hub.db");
    let out = run(
        &db,
        &[
            "hub",
            "client",
            "add",
            "k1",
            "--sources",
            "A",
            "--secret",
            "0123456789abcdef0123",
        ],
        "x",
    );
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
    // From the environment: stored, never printed.
    let out = Command::new(env!("CARGO_BIN_EXE_registrar"))
        .arg("--db")
        .arg(&db)
        .args(["hub", "client", "add", "k1", "--sources", "A"])
        .env("REGISTRAR_HUB_SECRET", "0123456789abcdef0123")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("0123456789abcdef0123"));
    assert_eq!(mode(&db), 0o600);
}

/// A reader that stops early (`registrar audit | head -1`) ends the
/// program quietly with success, not a panic (exit 101).
#[test]
fn a_closed_output_pipe_is_not_an_error() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pipe.db");
    let made = std::process::Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(["--db", db.to_str().unwrap(), "stress", "--count", "1500"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(["--db", db.to_str().unwrap(), "audit", "--limit", "1000"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.contains("operation"), "{first}");
    // The reader is gone; the rest of the output meets a closed pipe.
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A write that fails (a full disk: `/dev/full`) is reported with exit 1,
/// for the CSV export as for JSON lines, never dropped.
#[test]
fn a_failed_write_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("full.db");
    let made = Command::new(env!("CARGO_BIN_EXE_registrar"))
        .args(["--db", db.to_str().unwrap(), "stress", "--count", "5"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{made:?}");
    if !Path::new("/dev/full").exists() {
        eprintln!("skipped: this system has no /dev/full");
        return;
    }
    for args in [&["export", "links"][..], &["audit"][..]] {
        let out = Command::new(env!("CARGO_BIN_EXE_registrar"))
            .args(["--db", db.to_str().unwrap()])
            .args(args)
            .stdout(std::fs::File::create("/dev/full").unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_ne!(out.status.code(), Some(0), "{args:?}: {err}");
        assert!(
            err.contains("cannot write to standard output"),
            "{args:?}: {err}"
        );
    }
}
