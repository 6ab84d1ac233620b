//! The command line's grammar (clap): what each command takes.

use clap::{Parser, Subcommand};
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
        #[command(flatten)]
        args: EvalArgs,
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
        /// With --file: rows per transaction, as for `import`.
        #[arg(long, default_value_t = crate::service::import::DEFAULT_BATCH)]
        batch: usize,
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

/// `eval`'s options beyond the file.
#[derive(clap::Args, Debug)]
pub struct EvalArgs {
    #[arg(long, default_value = "EVAL")]
    pub sor: String,
    #[arg(long = "id-column")]
    pub id_column: String,
    #[arg(long, value_delimiter = ',')]
    pub map: Vec<String>,
    /// Column with the true cluster label; without it, febrl ids (rec-N-…) are used.
    #[arg(long = "truth-column")]
    pub truth_column: Option<String>,
    /// Run the whole file once per auto-link level and print precision,
    /// recall and F1 along them (one JSON line each).
    #[arg(long)]
    pub sweep: bool,
    /// After the report, print up to N false links and N missed true
    /// pairs with the matcher's explanation of each (to stderr).
    #[arg(long, default_value_t = 0)]
    pub errors: usize,
}
