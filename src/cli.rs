//! The command-line shell (clap). It parses arguments, opens the registry,
//! calls the router or the service, and prints. No rules live here.

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

/// See [`out!`].
pub(crate) fn stdout_failed(e: std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    eprintln!("registrar: cannot write to standard output: {e}");
    std::process::exit(2)
}

use crate::api;
use crate::service::{Actor, Registry, Role};
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
    /// The account acting (password from REGISTRAR_PASSWORD or a prompt).
    /// Needed once the database has accounts.
    #[arg(long, global = true)]
    pub user: Option<String>,
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
    /// Manage accounts.
    User {
        #[command(subcommand)]
        what: UserWhat,
    },
    /// Print the audit trail (JSON lines), optionally of one person.
    Audit {
        #[arg(long)]
        person: Option<String>,
        #[arg(long, default_value_t = 1000)]
        limit: i64,
    },
    /// Open the workstation window (the default).
    Gui,
    /// Print the database path and schema version.
    Info,
    /// Import a CSV file through the ID Match path (seed 001), in batches.
    Import {
        file: PathBuf,
        /// The system of record the rows come from.
        #[arg(long)]
        sor: String,
        /// The column holding each row's id in that system.
        #[arg(long = "id-column")]
        id_column: String,
        /// Rename columns to canonical names: SRC=DST,SRC=DST,...
        #[arg(long, value_delimiter = ',')]
        map: Vec<String>,
        /// Rows per transaction.
        #[arg(long, default_value_t = crate::service::import::DEFAULT_BATCH)]
        batch: usize,
    },
    /// Export data.
    Export {
        #[command(subcommand)]
        what: ExportWhat,
    },
    /// Write synthetic persons with labelled duplicates as CSV.
    Generate {
        #[arg(long, default_value_t = 1000)]
        persons: usize,
        #[arg(long = "dup-rate", default_value_t = 0.2)]
        dup_rate: f64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
    },
    /// Import a labelled file into a fresh in-memory registry and print
    /// pairwise precision, recall and F1 of the auto-links.
    Eval {
        file: PathBuf,
        #[arg(long, default_value = "EVAL")]
        sor: String,
        #[arg(long = "id-column")]
        id_column: String,
        #[arg(long, value_delimiter = ',')]
        map: Vec<String>,
        /// Column with the true cluster label; without it, febrl ids (rec-N-…) are used.
        #[arg(long = "truth-column")]
        truth_column: Option<String>,
        /// Run the whole file once per auto-link level and print precision,
        /// recall and F1 along them (one JSON line each).
        #[arg(long)]
        sweep: bool,
        /// After the report, print up to N false links and N missed true
        /// pairs with the matcher's explanation of each (to stderr).
        #[arg(long, default_value_t = 0)]
        errors: usize,
    },
    /// Estimate the matcher's parameters (u from random pairs, m by EM) from
    /// this registry and save them.
    Train {
        /// Registries smaller than this keep the defaults.
        #[arg(long, default_value_t = 1000)]
        min_persons: i64,
        /// Print what would be learnt without saving it.
        #[arg(long)]
        dry_run: bool,
    },
    /// Serve the router over HTTP for workstations (seed 004's hub).
    Hub {
        #[arg(long, default_value = "127.0.0.1:8680")]
        listen: String,
        /// Open connections at most.
        #[arg(long, default_value_t = 256)]
        max_connections: usize,
        /// Seconds a client has to send a request's headers (idle connections close after it).
        #[arg(long, default_value_t = 10)]
        header_timeout: u64,
        /// Seconds a client has to send a request's body.
        #[arg(long, default_value_t = 20)]
        body_timeout: u64,
        #[command(subcommand)]
        what: Option<HubWhat>,
    },
    /// Send the outbox to the hub (or configure the hub with `sync configure`).
    Sync {
        /// One pass until the outbox is empty (retrying with back-off up to --deadline).
        #[arg(long)]
        once: bool,
        /// With --once: give up after this many seconds of retrying.
        #[arg(long, default_value_t = 300)]
        deadline: u64,
        #[command(subcommand)]
        what: Option<SyncWhat>,
    },
    /// Measure the performance targets.
    Bench {
        #[command(subcommand)]
        what: BenchWhat,
    },
    /// Read or change a setting (no_self_auth_age, auto_link, review, reconciliation_mode).
    Config { key: String, value: Option<String> },
    /// Write persons in a loop (used by the crash-consistency test).
    #[command(hide = true)]
    Stress {
        #[arg(long, default_value_t = 1000)]
        count: usize,
    },
}

#[derive(Subcommand, Debug)]
pub enum HubWhat {
    /// Register a client: key id, secret (generated when not given) and the Sources it may post.
    Client {
        #[command(subcommand)]
        what: HubClientWhat,
    },
}

#[derive(Subcommand, Debug)]
pub enum HubClientWhat {
    Add {
        key_id: String,
        #[arg(long, value_delimiter = ',', required = true)]
        sources: Vec<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum SyncWhat {
    /// Set the hub URL and key id; the secret comes from REGISTRAR_HUB_SECRET or a
    /// prompt and is stored beside the database with 0600 permissions.
    Configure {
        #[arg(long)]
        url: String,
        #[arg(long = "key-id")]
        key_id: String,
        /// This site's Source name (no whitespace).
        #[arg(long)]
        source: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
pub enum UserWhat {
    /// Add an account. Its password comes from REGISTRAR_PASSWORD or a prompt.
    /// The first account of a database must be an admin; after that an admin
    /// must act (--user ADMIN, password from REGISTRAR_ADMIN_PASSWORD or a prompt).
    Add {
        name: String,
        #[arg(long, value_parser = ["admin", "reviewer", "receptionist"])]
        role: String,
    },
    /// List accounts.
    List,
}

/// A password from `var` or, failing that, a prompt on the terminal.
fn password(var: &str, prompt: &str) -> Result<String, String> {
    if let Ok(p) = std::env::var(var) {
        return Ok(p);
    }
    rpassword::prompt_password(prompt)
        .map_err(|e| format!("cannot read a password ({var} is not set): {e}"))
}

/// Who is acting: nobody needs to sign in to a database without accounts.
fn actor(
    reg: &Registry,
    user: Option<&str>,
    var: &str,
) -> Result<Actor, crate::service::ServiceError> {
    use crate::service::ServiceError;
    match user {
        None if reg.user_count()? == 0 => Ok(Actor::system()),
        None => Err(ServiceError::Unauthorized(
            "this database has accounts: name one with --user NAME".into(),
        )),
        Some(name) => {
            let pw = password(var, &format!("password for {name}: "))
                .map_err(ServiceError::Unauthorized)?;
            reg.authenticate(name, &pw)
        }
    }
}

const ADMIN: &[Role] = &[Role::Admin];
const STEWARDS: &[Role] = &[Role::Admin, Role::Reviewer];
const STAFF: &[Role] = &[Role::Admin, Role::Reviewer, Role::Receptionist];

/// Open the database and sign in as `--user` with one of `roles` (anyone
/// may act on a database without accounts). Prints the refusal; the error
/// is the exit code.
fn signed_in(
    db: &std::path::Path,
    user: Option<&str>,
    roles: &[Role],
) -> Result<(Registry, Actor), i32> {
    let reg = open(db)?;
    let who = actor(&reg, user, "REGISTRAR_PASSWORD")
        .and_then(|a| {
            crate::service::accounts::require(&a, roles, "this command")?;
            Ok(a)
        })
        .map_err(|e| print_error(&e))?;
    Ok((reg, who))
}

fn print_error(e: &crate::service::ServiceError) -> i32 {
    let r = api::error_response(e);
    out!(
        "{}",
        serde_json::json!({"status": r.status, "body": r.body})
    );
    1
}

#[derive(Subcommand, Debug)]
pub enum ExportWhat {
    /// One row per SOR record: sor, sor_id, reference_id, status (linked, new, pending).
    Links {
        #[arg(long, default_value = "csv", value_parser = ["csv", "json"])]
        format: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum BenchWhat {
    /// Import N generated rows (or a CSV file) into a new database, and
    /// print rows/s per tenth of the run, peak RSS, peak WAL and the final
    /// database size.
    Import {
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// A CSV file to import instead of generated rows.
        #[arg(long)]
        file: Option<PathBuf>,
        /// With --file: source column → canonical column, as for `import`.
        #[arg(long, value_delimiter = ',')]
        map: Vec<String>,
        /// With --file: the column holding each row's id.
        #[arg(long = "id-column", default_value = "id")]
        id_column: String,
    },
    /// Seed 003 paging and code search over N persons.
    Paging {
        #[arg(long, default_value_t = 1_000_000)]
        persons: usize,
    },
    /// postIdentity throughput to a hub on loopback (databases in --dir).
    Sync {
        #[arg(long, default_value_t = 20_000)]
        changes: usize,
        #[arg(long, default_value = "bench-sync")]
        dir: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// POST /people latency against a registry of N generated persons.
    People {
        #[arg(long, default_value_t = 1_000_000)]
        persons: usize,
        #[arg(long, default_value_t = 2000)]
        queries: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
}

fn parse_map(map: &[String]) -> Result<Vec<(String, String)>, String> {
    map.iter()
        .filter(|m| !m.is_empty())
        .map(|m| {
            m.split_once('=')
                .map(|(a, b)| (a.trim().to_string(), b.trim().to_string()))
                .ok_or_else(|| format!("--map {m}: expected SRC=DST"))
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
            out!(
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
            let who = match actor(&reg, cli.user.as_deref(), "REGISTRAR_PASSWORD") {
                Ok(a) => a,
                Err(e) => return print_error(&e),
            };
            let resp = api::handle(&mut reg, &who, &method, &path, &bytes);
            out!(
                "{}",
                serde_json::json!({"status": resp.status, "body": resp.body})
            );
            if resp.status < 400 { 0 } else { 1 }
        }
        Command::User {
            what: UserWhat::Add { name, role },
        } => {
            let mut reg = match open(&db) {
                Ok(r) => r,
                Err(c) => return c,
            };
            let by = if reg.user_count().unwrap_or(0) == 0 {
                None
            } else {
                match actor(&reg, cli.user.as_deref(), "REGISTRAR_ADMIN_PASSWORD") {
                    Ok(a) => Some(a),
                    Err(e) => return print_error(&e),
                }
            };
            let pw = match password("REGISTRAR_PASSWORD", &format!("new password for {name}: ")) {
                Ok(p) => p,
                Err(e) => {
                    eprintln!("registrar: {e}");
                    return 2;
                }
            };
            let role =
                crate::service::Role::parse(&role).unwrap_or(crate::service::Role::Receptionist);
            match reg.add_user(by.as_ref(), &name, role, &pw) {
                Ok(()) => {
                    out!(
                        "{}",
                        serde_json::json!({"status": 201, "body": {"name": name, "role": role.as_str()}})
                    );
                    0
                }
                Err(e) => print_error(&e),
            }
        }
        Command::User {
            what: UserWhat::List,
        } => {
            let (reg, _) = match signed_in(&db, cli.user.as_deref(), ADMIN) {
                Ok(x) => x,
                Err(c) => return c,
            };
            match reg.users() {
                Ok(u) => {
                    out!("{}", serde_json::to_string_pretty(&u).unwrap_or_default());
                    0
                }
                Err(e) => print_error(&e),
            }
        }
        Command::Audit { person, limit } => {
            let (reg, _) = match signed_in(&db, cli.user.as_deref(), STAFF) {
                Ok(x) => x,
                Err(c) => return c,
            };
            match reg.audit_trail(person.as_deref(), limit) {
                Ok(rows) => {
                    for r in rows {
                        out!("{}", serde_json::to_string(&r).unwrap_or_default());
                    }
                    0
                }
                Err(e) => print_error(&e),
            }
        }
        Command::Import {
            file,
            sor,
            id_column,
            map,
            batch,
        } => {
            let map = match parse_map(&map) {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("registrar: {e}");
                    return 2;
                }
            };
            let (mut reg, who) = match signed_in(&db, cli.user.as_deref(), ADMIN) {
                Ok(x) => x,
                Err(c) => return c,
            };
            let f = match std::fs::File::open(&file) {
                Ok(f) => f,
                Err(e) => {
                    eprintln!("registrar: {}: {e}", file.display());
                    return 1;
                }
            };
            // Ctrl+C stops at the next batch boundary; a second one ends
            // the process (what is committed stays either way).
            let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
            {
                let stop = stop.clone();
                let _ = ctrlc::set_handler(move || {
                    if stop.swap(true, std::sync::atomic::Ordering::Relaxed) {
                        std::process::exit(130);
                    }
                    eprintln!("\nstopping after this batch (Ctrl+C again to quit now)…");
                });
            }
            let total = crate::service::import::count_rows(&file);
            let opts = crate::service::import::ImportOptions {
                sor,
                id_column,
                map,
                batch,
                stop: Some(stop),
            };
            let started = std::time::Instant::now();
            let result = reg.import_csv(&who, std::io::BufReader::new(f), &opts, &mut |s| {
                eprint!("\r{}", progress_line(s, total, started.elapsed()));
            });
            eprintln!();
            match result {
                Ok(s) => {
                    let mut v = serde_json::to_value(&s).unwrap_or_default();
                    v["seconds"] = serde_json::json!(started.elapsed().as_secs_f64());
                    if let Some(o) = v.as_object_mut() {
                        o.remove("batches");
                    }
                    out!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
                    if s.interrupted {
                        eprintln!(
                            "registrar: stopped after {} rows; run the same command again to resume",
                            s.rows
                        );
                        return 130;
                    }
                    0
                }
                Err(e) => {
                    eprintln!("registrar: import failed: {e}");
                    1
                }
            }
        }
        Command::Export {
            what: ExportWhat::Links { format },
        } => {
            let (reg, _) = match signed_in(&db, cli.user.as_deref(), STEWARDS) {
                Ok(x) => x,
                Err(c) => return c,
            };
            let links = match reg.export_links() {
                Ok(l) => l,
                Err(e) => {
                    eprintln!("registrar: {e}");
                    return 1;
                }
            };
            if format == "json" {
                let rows: Vec<_> = links
                    .iter()
                    .map(|(s, i, r, st)| serde_json::json!({"sor": s, "sor_id": i, "reference_id": r, "status": st}))
                    .collect();
                out!("{}", serde_json::Value::Array(rows));
            } else {
                let mut w = csv::Writer::from_writer(std::io::stdout());
                let _ = w.write_record(["sor", "sor_id", "reference_id", "status"]);
                for (s, i, r, st) in &links {
                    let _ = w.write_record([s, i, r, st]);
                }
                let _ = w.flush();
            }
            0
        }
        Command::Generate {
            persons,
            dup_rate,
            seed,
            out,
        } => {
            let result = std::fs::File::create(&out).and_then(|f| {
                let mut w = std::io::BufWriter::new(f);
                crate::tools::generate::generate(&mut w, persons, dup_rate, seed)
            });
            match result {
                Ok(n) => {
                    eprintln!("wrote {n} rows to {}", out.display());
                    0
                }
                Err(e) => {
                    eprintln!("registrar: {}: {e}", out.display());
                    1
                }
            }
        }
        Command::Eval {
            file,
            sor,
            id_column,
            map,
            truth_column,
            sweep,
            errors,
        } => {
            let map = match parse_map(&map) {
                Ok(m) => m,
                Err(e) => {
                    eprintln!("registrar: {e}");
                    return 2;
                }
            };
            let truth = match truth_column {
                Some(c) => crate::tools::eval::Truth::Column(c),
                None => crate::tools::eval::Truth::FebrlId,
            };
            let opts = crate::service::import::ImportOptions {
                sor,
                id_column,
                map,
                batch: crate::service::import::DEFAULT_BATCH,
                stop: None,
            };
            if sweep {
                return match crate::tools::eval::sweep(&file, &opts, &truth, &mut |line| {
                    out!("{line}")
                }) {
                    Ok(()) => 0,
                    Err(e) => {
                        eprintln!("registrar: {e}");
                        1
                    }
                };
            }
            let mut reg = Registry::in_memory();
            match crate::tools::eval::evaluate(&file, &opts, &truth, &mut reg) {
                Ok(mut r) => {
                    r.import.dropped_fields.truncate(20);
                    out!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
                    if errors > 0
                        && let Err(e) = crate::tools::eval::print_errors(
                            &file,
                            &opts,
                            &truth,
                            &reg,
                            errors,
                            &mut |l| eprintln!("{l}"),
                        )
                    {
                        eprintln!("registrar: {e}");
                        return 1;
                    }
                    0
                }
                Err(e) => {
                    eprintln!("registrar: {e}");
                    1
                }
            }
        }
        Command::Bench { what } => {
            let result = match what {
                BenchWhat::Import {
                    rows,
                    seed,
                    file: None,
                    ..
                } => crate::tools::bench::import(&db, rows, seed),
                BenchWhat::Import {
                    file: Some(file),
                    map,
                    id_column,
                    ..
                } => match parse_map(&map) {
                    Ok(map) => crate::tools::bench::import_file(
                        &db,
                        &file,
                        crate::service::import::ImportOptions {
                            sor: "BENCH".into(),
                            id_column,
                            map,
                            batch: crate::service::import::DEFAULT_BATCH,
                            stop: None,
                        },
                    ),
                    Err(e) => Err(e),
                },
                BenchWhat::People {
                    persons,
                    queries,
                    seed,
                } => crate::tools::bench::people(&db, persons, queries, seed),
                BenchWhat::Paging { persons } => crate::tools::bench::paging(&db, persons),
                BenchWhat::Sync { changes, dir, seed } => {
                    crate::tools::bench::sync(&dir, changes, seed)
                }
            };
            match result {
                Ok(v) => {
                    out!("{v}");
                    0
                }
                Err(e) => {
                    eprintln!("registrar: bench: {e}");
                    1
                }
            }
        }
        Command::Train {
            min_persons,
            dry_run,
        } => {
            let (mut reg, _) = match signed_in(&db, cli.user.as_deref(), ADMIN) {
                Ok(x) => x,
                Err(c) => return c,
            };
            match reg.train(min_persons, !dry_run) {
                Ok(r) => {
                    out!(
                        "{} persons ({} read); {} random pairs; EM over {:?} pairs (same birth date; names alike), match shares {:?}; model version {}, {}; {} waiting records linked",
                        r.persons,
                        r.sampled_persons,
                        r.random_pairs,
                        r.session_pairs,
                        r.session_match_share
                            .iter()
                            .map(|s| format!("{s:.3}"))
                            .collect::<Vec<_>>(),
                        r.params.version,
                        if r.saved {
                            "saved"
                        } else {
                            "not saved (dry run or too small)"
                        },
                        r.relinked
                    );
                    out!(
                        "{}",
                        crate::core::matching::weights_table(&r.params).trim_end()
                    );
                    0
                }
                Err(e) => {
                    eprintln!("registrar: train: {e}");
                    1
                }
            }
        }
        Command::Hub {
            listen,
            what: None,
            max_connections,
            header_timeout,
            body_timeout,
        } => {
            let reg = match open(&db) {
                Ok(r) => r,
                Err(c) => return c,
            };
            let limits = crate::hub::Limits {
                max_connections: max_connections.max(1),
                header_timeout: std::time::Duration::from_secs(header_timeout.max(1)),
                body_timeout: std::time::Duration::from_secs(body_timeout.max(1)),
            };
            match crate::hub::serve(reg, &listen, limits) {
                Ok(()) => 0,
                Err(e) => {
                    eprintln!("registrar: hub: {e}");
                    1
                }
            }
        }
        Command::Hub {
            what:
                Some(HubWhat::Client {
                    what: HubClientWhat::Add { key_id, sources },
                }),
            ..
        } => {
            let (mut reg, _) = match signed_in(&db, cli.user.as_deref(), ADMIN) {
                Ok(x) => x,
                Err(c) => return c,
            };
            // Never on the command line (ps shows it): the environment, or
            // a fresh one printed once.
            let secret = std::env::var("REGISTRAR_HUB_SECRET")
                .ok()
                .filter(|s| !s.is_empty());
            let generated = secret.is_none();
            let secret = secret.unwrap_or_else(|| crate::core::ids::base62_id(""));
            match reg.add_hub_client(&key_id, &secret, &sources) {
                Ok(()) => {
                    if generated {
                        // Shown once, for the operator to hand to the site.
                        out!(
                            "{}",
                            serde_json::json!({"key_id": key_id, "sources": sources, "secret": secret})
                        );
                    } else {
                        out!(
                            "{}",
                            serde_json::json!({"key_id": key_id, "sources": sources})
                        );
                    }
                    0
                }
                Err(e) => print_error(&e),
            }
        }
        Command::Sync {
            what:
                Some(SyncWhat::Configure {
                    url,
                    key_id,
                    source,
                }),
            ..
        } => {
            let reg = match open(&db) {
                Ok(r) => r,
                Err(c) => return c,
            };
            let who = match actor(&reg, cli.user.as_deref(), "REGISTRAR_PASSWORD") {
                Ok(a) => a,
                Err(e) => return print_error(&e),
            };
            if let Some(v) = source
                && let Err(e) = reg.configure_as(&who, "site_source", Some(&v))
            {
                return print_error(&e);
            }
            let secret = match password("REGISTRAR_HUB_SECRET", "hub secret: ") {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("registrar: {e}");
                    return 2;
                }
            };
            // The same service as the GUI's Settings -> Hub connection.
            match crate::sync::configure(&reg, &who, &url, &key_id, Some(&secret)) {
                Ok(()) => {
                    out!(
                        "{}",
                        serde_json::json!({"configured": true, "secret_file": crate::sync::secret_path(&db)})
                    );
                    0
                }
                Err(e) => print_error(&e),
            }
        }
        Command::Sync {
            once,
            deadline,
            what: None,
        } => crate::sync::run(&db, once, std::time::Duration::from_secs(deadline)),
        Command::Config { key, value } => {
            let roles = if value.is_some() { ADMIN } else { STAFF };
            let (reg, who) = match signed_in(&db, cli.user.as_deref(), roles) {
                Ok(x) => x,
                Err(c) => return c,
            };
            match reg.configure_as(&who, &key, value.as_deref()) {
                Ok(v) => {
                    out!("{key} = {v}");
                    0
                }
                Err(e) => {
                    eprintln!("registrar: {e}");
                    2
                }
            }
        }
        Command::Stress { count } => {
            let (mut reg, who) = match signed_in(&db, cli.user.as_deref(), STAFF) {
                Ok(x) => x,
                Err(c) => return c,
            };
            for i in 0..count {
                let body = crate::service::demo::adult_request(i);
                match reg.person_request(&who, &body) {
                    // Written by an earlier run on this database: go on.
                    Ok(_) | Err(crate::service::ServiceError::Duplicate { .. }) => {}
                    Err(e) => {
                        eprintln!("stress: {e}");
                        return 1;
                    }
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

/// `[#####.....]  42 % 420,000 of 1,000,000 rows · 6,100 rows/s · 1m 35s left
/// · 80,000 linked, 300,000 new, 1,200 queued`.
pub fn progress_line(
    s: &crate::service::import::ImportSummary,
    total: u64,
    elapsed: std::time::Duration,
) -> String {
    let secs = elapsed.as_secs_f64().max(1e-3);
    let rate = s.rows as f64 / secs;
    let share = if total > 0 {
        (s.rows as f64 / total as f64).min(1.0)
    } else {
        0.0
    };
    let filled = (share * 20.0).round() as usize;
    let left = if rate > 0.0 && total > s.rows {
        let t = ((total - s.rows) as f64 / rate) as u64;
        format!("{}m {:02}s left", t / 60, t % 60)
    } else {
        "—".into()
    };
    format!(
        "[{}{}] {:>3.0} % {} of {} rows · {:.0} rows/s · {} · {} linked, {} new, {} queued, {} rejected",
        "#".repeat(filled),
        ".".repeat(20 - filled),
        share * 100.0,
        s.rows,
        total,
        rate,
        left,
        s.linked,
        s.new,
        s.queued,
        s.rejected.len()
    )
}
