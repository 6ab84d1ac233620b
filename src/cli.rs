//! The command-line shell (clap). It parses arguments, opens the registry,
//! calls the router or the service, and prints. No rules live here.

use crate::api;
use crate::service::{Actor, Registry};
use clap::{Parser, Subcommand};
use std::io::Read;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "registrar",
    version,
    about = "Registrar: a Master Person Index workstation"
)]
pub struct Cli {
    /// Database file. Defaults to registrar.db in the user's data directory.
    #[arg(long, global = true, env = "REGISTRAR_DB")]
    pub db: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Send one request through the JSON router and print {"status", "body"}.
    Api {
        /// HTTP method: GET, POST, PUT, PATCH, DELETE.
        method: String,
        /// Path, e.g. /api/person_requests or /api/persons/p_...
        path: String,
        /// Request body: a file, or - for standard input.
        #[arg(long)]
        body: Option<String>,
    },
    /// Open the workstation window (the default).
    Gui,
    /// Print the database path and schema version.
    Info,
    /// Write persons in a loop (used by the crash-consistency test).
    #[command(hide = true)]
    Stress {
        #[arg(long, default_value_t = 1000)]
        count: usize,
    },
}

/// The default database: `<data dir>/registrar/registrar.db`.
pub fn default_db_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("registrar")
        .join("registrar.db")
}

fn open(db: &std::path::Path) -> Result<Registry, i32> {
    Registry::open(db).map_err(|e| {
        eprintln!("registrar: cannot open database {}: {e}", db.display());
        1
    })
}

/// Entry point; returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse();
    let db = cli.db.clone().unwrap_or_else(default_db_path);
    match cli.command.unwrap_or(Command::Gui) {
        Command::Gui => crate::gui::run(db),
        Command::Info => {
            let reg = match open(&db) {
                Ok(r) => r,
                Err(c) => return c,
            };
            println!(
                "{}",
                serde_json::json!({"db": db, "schema_version": reg.store.user_version().unwrap_or(0)})
            );
            0
        }
        Command::Api { method, path, body } => {
            let bytes = match read_body(body.as_deref()) {
                Ok(b) => b,
                Err(msg) => {
                    eprintln!("registrar: {msg}");
                    return 2;
                }
            };
            let mut reg = match open(&db) {
                Ok(r) => r,
                Err(c) => return c,
            };
            let resp = api::handle(&mut reg, &Actor::system(), &method, &path, &bytes);
            println!(
                "{}",
                serde_json::json!({"status": resp.status, "body": resp.body})
            );
            if resp.status < 400 { 0 } else { 1 }
        }
        Command::Stress { count } => {
            let mut reg = match open(&db) {
                Ok(r) => r,
                Err(c) => return c,
            };
            for i in 0..count {
                let body = crate::service::demo::adult_request(i);
                if let Err(e) = reg.person_request(&Actor::system(), &body) {
                    eprintln!("stress: {e}");
                    return 1;
                }
            }
            0
        }
    }
}

fn read_body(arg: Option<&str>) -> Result<Vec<u8>, String> {
    match arg {
        None => Ok(Vec::new()),
        Some("-") => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| format!("cannot read standard input: {e}"))?;
            Ok(buf)
        }
        Some(path) => std::fs::read(path).map_err(|e| format!("cannot read body file {path}: {e}")),
    }
}
