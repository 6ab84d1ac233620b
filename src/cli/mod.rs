//! The command-line shell (clap), in ripgrep's shape: [`main`] parses the
//! arguments, [`run`] dispatches to one function per command, each returns
//! `Result<ExitCode, Failure>`, and a failure is reported in one place.
//! Commands open the registry and sign in through one context ([`Ctx`]),
//! call the router or the service, and print. No rules live here.

/// Print a line to standard output. A reader that closed the pipe
/// (`registrar audit | head -1`) ends the program quietly with success, as
/// ripgrep does; any other write error is reported (exit 2).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(e) = writeln!(std::io::stdout().lock(), $($arg)*) {
            $crate::cli::stdout_failed(e);
        }
    }};
}

mod accounts;
mod args;
mod data;
mod hub;

pub use args::*;

use crate::service::{Actor, Registry, Role, ServiceError};
use clap::Parser;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// See [`out!`].
pub(crate) fn stdout_failed(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("registrar: cannot write to standard output: {e}");
    std::process::exit(2)
}

/// Why a command did not succeed, and how that is reported.
#[derive(Debug)]
pub enum Failure {
    /// The arguments or the input cannot be used: a message, exit 2.
    Usage(String),
    /// The service refused: its answer as the API gives it, on standard
    /// output (`{"status", "body"}`), exit 1.
    Refused(ServiceError),
    /// The work failed: a message, exit 1.
    Failed(String),
}

impl Failure {
    /// Report the failure and give the exit code.
    fn report(self) -> ExitCode {
        match self {
            Failure::Usage(m) => {
                eprintln!("registrar: {m}");
                ExitCode::from(2)
            }
            Failure::Refused(e) => {
                let r = crate::api::error_response(&e);
                out!(
                    "{}",
                    serde_json::json!({"status": r.status, "body": r.body})
                );
                ExitCode::from(1)
            }
            Failure::Failed(m) => {
                eprintln!("registrar: {m}");
                ExitCode::from(1)
            }
        }
    }
}

impl From<ServiceError> for Failure {
    fn from(e: ServiceError) -> Failure {
        Failure::Refused(e)
    }
}

pub type Outcome = Result<ExitCode, Failure>;

/// What every command may use: the database and the account acting.
pub struct Ctx {
    pub db: PathBuf,
    user: Option<String>,
}

pub(crate) const ADMIN: &[Role] = &[Role::Admin];
pub(crate) const STEWARDS: &[Role] = &[Role::Admin, Role::Reviewer];
pub(crate) const STAFF: &[Role] = &[Role::Admin, Role::Reviewer, Role::Receptionist];

impl Ctx {
    /// Open (create, migrate) the registry.
    pub fn open(&self) -> Result<Registry, Failure> {
        Registry::open(&self.db).map_err(|e| {
            Failure::Failed(format!("cannot open database {}: {e}", self.db.display()))
        })
    }

    /// Who is acting: nobody needs to sign in to a database without
    /// accounts. The password comes from `var` or a prompt.
    pub fn actor(&self, reg: &Registry, var: &str) -> Result<Actor, Failure> {
        match self.user.as_deref() {
            None if reg.user_count()? == 0 => Ok(Actor::system()),
            None => Err(ServiceError::Unauthorized(
                "this database has accounts: name one with --user NAME".into(),
            )
            .into()),
            Some(name) => {
                let pw = password(var, &format!("password for {name}: "))
                    .map_err(ServiceError::Unauthorized)?;
                Ok(reg.authenticate(name, &pw)?)
            }
        }
    }

    /// Open the registry and sign in as `--user` with one of `roles`
    /// (anyone may act on a database without accounts).
    pub fn signed_in(&self, roles: &[Role]) -> Result<(Registry, Actor), Failure> {
        let reg = self.open()?;
        let who = self.actor(&reg, "REGISTRAR_PASSWORD")?;
        crate::service::accounts::require(&who, roles, "this command")?;
        Ok((reg, who))
    }
}

/// A password from `var` or, failing that, a prompt on the terminal.
pub(crate) fn password(var: &str, prompt: &str) -> Result<String, String> {
    if let Ok(p) = std::env::var(var) {
        return Ok(p);
    }
    rpassword::prompt_password(prompt)
        .map_err(|e| format!("cannot read a password ({var} is not set): {e}"))
}

/// `--map SRC=DST,...` as pairs.
pub(crate) fn parse_map(map: &[String]) -> Result<Vec<(String, String)>, Failure> {
    map.iter()
        .filter(|m| !m.is_empty())
        .map(|m| {
            m.split_once('=')
                .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
                .ok_or_else(|| Failure::Usage(format!("--map {m}: expected SRC=DST")))
        })
        .collect()
}

/// The default database: `<data dir>/registrar/registrar.db`.
pub fn default_db_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("registrar")
        .join("registrar.db")
}

/// A command's JSON answer on one line, or pretty.
pub(crate) fn print_json(v: &impl serde::Serialize, pretty: bool) {
    let text = if pretty {
        serde_json::to_string_pretty(v)
    } else {
        serde_json::to_string(v)
    };
    out!("{}", text.unwrap_or_default());
}

/// Exit code of a process that ran to the end: 0 means success.
pub(crate) fn code(c: u8) -> Outcome {
    Ok(ExitCode::from(c))
}

/// Entry point: parse, run, report.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    run(cli).unwrap_or_else(Failure::report)
}

/// Run one command line.
pub fn run(cli: Cli) -> Outcome {
    let ctx = Ctx {
        db: cli.db.clone().unwrap_or_else(default_db_path),
        user: cli.user.clone(),
    };
    match cli.command.unwrap_or(Command::Gui) {
        Command::Gui => code(crate::gui::run(ctx.db.clone()) as u8),
        Command::Info => accounts::info(&ctx),
        Command::Api { method, path, body } => accounts::api(&ctx, &method, &path, body.as_deref()),
        Command::User {
            what: UserWhat::Add { name, role },
        } => accounts::user_add(&ctx, &name, &role),
        Command::User {
            what: UserWhat::List,
        } => accounts::user_list(&ctx),
        Command::Audit { person, limit } => accounts::audit(&ctx, person.as_deref(), limit),
        Command::Config { key, value } => accounts::config(&ctx, &key, value.as_deref()),
        Command::Stress { count } => accounts::stress(&ctx, count),
        Command::Import {
            file,
            sor,
            id_column,
            map,
            batch,
        } => data::import(&ctx, &file, sor, id_column, &map, batch),
        Command::Export {
            what: ExportWhat::Links { format },
        } => data::export_links(&ctx, &format),
        Command::Generate {
            persons,
            dup_rate,
            seed,
            out,
        } => data::generate(&out, persons, dup_rate, seed),
        Command::Eval { file, args } => data::eval(&file, args),
        Command::Train {
            min_persons,
            dry_run,
        } => data::train(&ctx, min_persons, dry_run),
        Command::Bench { what } => data::bench(&ctx, what),
        Command::Hub {
            listen,
            what: None,
            max_connections,
            header_timeout,
            body_timeout,
        } => hub::serve(
            &ctx,
            &listen,
            crate::hub::Limits {
                max_connections: max_connections.max(1),
                header_timeout: std::time::Duration::from_secs(header_timeout.max(1)),
                body_timeout: std::time::Duration::from_secs(body_timeout.max(1)),
            },
        ),
        Command::Hub {
            what:
                Some(HubWhat::Client {
                    what: HubClientWhat::Add { key_id, sources },
                }),
            ..
        } => hub::client_add(&ctx, &key_id, &sources),
        Command::Sync {
            what:
                Some(SyncWhat::Configure {
                    url,
                    key_id,
                    source,
                }),
            ..
        } => hub::sync_configure(&ctx, &url, &key_id, source.as_deref()),
        Command::Sync {
            once,
            deadline,
            what: None,
        } => code(crate::sync::run(&ctx.db, once, std::time::Duration::from_secs(deadline)) as u8),
    }
}

/// A request body: none, standard input (`-`), or a file.
pub(crate) fn read_body(arg: Option<&str>) -> Result<Vec<u8>, Failure> {
    use std::io::Read;
    match arg {
        None => Ok(Vec::new()),
        Some("-") => {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .map_err(|e| Failure::Usage(format!("cannot read standard input: {e}")))?;
            Ok(buf)
        }
        Some(path) => std::fs::read(path)
            .map_err(|e| Failure::Usage(format!("cannot read body file {path}: {e}"))),
    }
}

/// The file `path` names, for reading, or why not.
pub(crate) fn open_file(path: &Path) -> Result<std::fs::File, Failure> {
    std::fs::File::open(path).map_err(|e| Failure::Failed(format!("{}: {e}", path.display())))
}
