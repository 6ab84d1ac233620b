//! The GUI's worker thread. It owns the registry; the UI sends it requests
//! for the JSON router (the same one the CLI and the hub mount) and gets
//! replies over a channel, with a repaint request. The UI never touches the
//! database and never blocks a frame on it.

use crate::api;
use crate::service::{Actor, Registry};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

/// How long the worker waits without a request before it checks whether
/// the matching model is due to be learnt again.
const IDLE_TRAIN_AFTER: Duration = Duration::from_secs(15);
/// Idle this long after starting, the worker loads the blocking index.
const IDLE_WARM_AFTER: Duration = Duration::from_millis(500);

/// What a reply is for, so the UI knows where to put it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Tag {
    Boot,
    Login,
    Logout,
    CreateAdmin,
    Stats,
    Validate(u64),
    Candidates(u64),
    Submit,
    Link,
    /// The confidant picker's search, by generation, and the chosen person.
    ConfidantSearch(u64),
    ConfidantPick,
    ConfidantCreate,
    Search {
        generation: u64,
        page: i64,
    },
    Person,
    PersonHistory,
    PersonAudit,
    Scan(String),
    Queue,
    /// The signed-in user's own changes.
    MyChanges,
    Withdraw,
    Approve,
    Reject,
    Pending,
    Resolve,
    Outbox,
    Setting(String),
    SaveSetting(String),
    Model,
    /// A stewardship change (unlink, move, merge, unmerge, not the same).
    Steward,
    LinkHistory,
    Duplicates,
    MergePick,
    /// Settings → Users.
    Users,
    AddUser,
    UpdateUser,
    /// Settings -> Hub connection.
    HubGet,
    HubSave,
    HubTest,
}

/// What the worker is asked to do.
#[derive(Debug, Clone)]
pub enum Command {
    /// How many accounts the database has (none: the first start).
    Boot,
    /// Sign in through the router's `POST /auth/login`; the session keeps
    /// the account it names.
    Login { name: String, password: String },
    /// End the session.
    Logout,
    /// The first administrator of an empty database (no sign-in needed;
    /// refused once any account exists).
    CreateAdmin { name: String, password: String },
    /// One router call as the signed-in account.
    Api(api::Request),
}

/// One command, with the id and tag its reply carries.
pub struct Envelope {
    pub id: u64,
    pub tag: Tag,
    pub command: Command,
}

/// The router's answer.
#[derive(Debug, Clone)]
pub struct Reply {
    pub id: u64,
    pub tag: Tag,
    pub status: u16,
    pub body: Value,
    pub elapsed: Duration,
}

impl Reply {
    pub fn ok(&self) -> bool {
        self.status < 300
    }
    /// The error message of a failed reply.
    /// The refusal in the user's language where its kind is known (a
    /// duplicate, a wrong password, a role, a form's violations), else as
    /// the service said it.
    pub fn message(&self) -> String {
        use crate::tr;
        let e = crate::api::views::ErrorView::of(&self.body);
        match (self.status, e.kind.as_str()) {
            (409, "duplicate") => tr!(
                "err-duplicate",
                rid = e.reference_id.as_deref().unwrap_or("")
            ),
            (401, _) => tr!("err-unauthorized"),
            (403, _) => tr!("err-forbidden"),
            (422, _) if !e.invalid.is_empty() => {
                let first = &e.invalid[0];
                let field = super::pages::field_words(
                    first
                        .entry
                        .trim_start_matches("$.")
                        .trim_start_matches("person."),
                );
                let rule = first.rules.first().cloned().unwrap_or_default();
                tr!(
                    "err-invalid",
                    field = field,
                    what = super::widgets::violation_words("violation", &rule)
                )
            }
            (0, _) | (_, "") if e.message.is_empty() => {
                tr!("err-status", status = self.status)
            }
            _ => e.message,
        }
    }
}

/// The UI's handle on the worker.
pub struct Worker {
    tx: Sender<Envelope>,
    rx: Receiver<Reply>,
    next_id: u64,
    in_flight: HashMap<u64, (Tag, Instant)>,
    pub db_label: String,
}

fn serve(
    mut reg: Registry,
    requests: Receiver<Envelope>,
    replies: Sender<Reply>,
    ctx: eframe::egui::Context,
) {
    let mut actor: Option<Actor> = None;
    let mut warm = false;
    loop {
        // Idle for a while: learn the matching model if the registry has
        // grown enough since the last one. It runs here, on the worker, so
        // the window never waits for it; a request that arrives meanwhile
        // waits a second or two. The first short pause (while someone
        // signs in) loads the blocking index, so that the first duplicate
        // check of a large registry does not wait for it.
        let idle = if warm {
            IDLE_TRAIN_AFTER
        } else {
            IDLE_WARM_AFTER
        };
        let req = match requests.recv_timeout(idle) {
            Ok(r) => r,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) if !warm => {
                warm = true;
                let _ = reg.warm_index();
                continue;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {
                let _ = reg.train_if_due();
                continue;
            }
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => break,
        };
        let started = Instant::now();
        let users = reg.user_count().unwrap_or(0);
        let (status, body) = match (req.command, actor.as_ref()) {
            (Command::Boot, _) => (200, serde_json::json!({"users": users})),
            (Command::Logout, _) => {
                actor = None;
                (200, Value::Null)
            }
            // Signing in is the router's `POST /auth/login` (one
            // implementation); the session keeps the account it names.
            (Command::Login { name, password }, _) => {
                let r = api::dispatch(
                    &mut reg,
                    &Actor::system(),
                    api::Request::Login { name, password },
                );
                if r.status == 200 {
                    let named = Actor {
                        name: r.body["name"].as_str().unwrap_or("").to_string(),
                        role: crate::service::Role::parse(r.body["role"].as_str().unwrap_or(""))
                            .unwrap_or(crate::service::Role::Receptionist),
                        sources: None,
                    };
                    actor = reg.current_actor(&named).ok();
                }
                (r.status, r.body)
            }
            // The first administrator of an empty database needs no sign-in.
            (Command::CreateAdmin { name, password }, _) if users == 0 => {
                let r = api::dispatch(
                    &mut reg,
                    &Actor::system(),
                    api::Request::AddUser {
                        name,
                        role: crate::service::Role::Admin,
                        password,
                    },
                );
                (r.status, r.body)
            }
            (Command::CreateAdmin { .. }, _) => {
                let r = api::error_response(&crate::service::ServiceError::Conflict(
                    "the database has accounts: sign in".into(),
                ));
                (r.status, r.body)
            }
            // The session follows the accounts table: a changed role
            // applies to the next request, a disabled account is signed out.
            (Command::Api(request), Some(a)) => match reg.current_actor(a) {
                Ok(a) => {
                    actor = Some(a.clone());
                    let r = api::dispatch(&mut reg, &a, request);
                    (r.status, r.body)
                }
                Err(e) => {
                    actor = None;
                    let r = api::error_response(&e);
                    (r.status, r.body)
                }
            },
            (Command::Api(_), None) => {
                let r = api::error_response(&crate::service::ServiceError::Unauthorized(
                    "sign in first".into(),
                ));
                (r.status, r.body)
            }
        };
        let reply = Reply {
            id: req.id,
            tag: req.tag,
            status,
            body,
            elapsed: started.elapsed(),
        };
        if replies.send(reply).is_err() {
            break;
        }
        ctx.request_repaint();
    }
}

impl Worker {
    /// Start the worker thread on `reg`.
    pub fn spawn(reg: Registry, ctx: eframe::egui::Context, db_label: String) -> Worker {
        let (tx, requests) = channel::<Envelope>();
        let (replies, rx) = channel::<Reply>();
        std::thread::Builder::new()
            .name("registrar-db".into())
            .spawn(move || serve(reg, requests, replies, ctx))
            .expect("the worker thread starts");
        Worker {
            tx,
            rx,
            next_id: 1,
            in_flight: HashMap::new(),
            db_label,
        }
    }

    /// Send a command; returns its id.
    pub fn send(&mut self, tag: Tag, command: Command) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        self.in_flight.insert(id, (tag.clone(), Instant::now()));
        let _ = self.tx.send(Envelope { id, tag, command });
        id
    }

    /// Send a router call as the signed-in account; returns its id.
    pub fn call(&mut self, tag: Tag, request: api::Request) -> u64 {
        self.send(tag, Command::Api(request))
    }

    /// Replies that have arrived since the last frame.
    pub fn poll(&mut self) -> Vec<Reply> {
        let mut out = Vec::new();
        while let Ok(r) = self.rx.try_recv() {
            self.in_flight.remove(&r.id);
            out.push(r);
        }
        out
    }

    /// Is a request with this tag still running, and for how long?
    pub fn busy_for(&self, pred: impl Fn(&Tag) -> bool) -> Option<Duration> {
        self.in_flight
            .values()
            .filter(|(t, _)| pred(t))
            .map(|(_, s)| s.elapsed())
            .max()
    }

    /// The longest-running request, if any.
    pub fn busiest(&self) -> Option<Duration> {
        self.busy_for(|_| true)
    }
}

/// A long router call (the network: `POST /api/sync`) on a thread of its
/// own with its own connection, so that the worker keeps answering. The
/// signed-in user is read again from the accounts table, as the worker does
/// for every request, and the router applies the route's role rule. The
/// answer comes back on the returned channel, with a repaint.
pub fn background(
    ctx: eframe::egui::Context,
    db: std::path::PathBuf,
    user: Option<(String, String)>,
    tag: Tag,
    request: api::Request,
) -> Receiver<Reply> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let started = Instant::now();
        let (status, body) = match run_background(&db, user, request) {
            Ok(r) => (r.status, r.body),
            Err(r) => (r.status, r.body),
        };
        let _ = tx.send(Reply {
            id: 0,
            tag,
            status,
            body,
            elapsed: started.elapsed(),
        });
        ctx.request_repaint();
    });
    rx
}

fn run_background(
    db: &std::path::Path,
    user: Option<(String, String)>,
    request: api::Request,
) -> Result<api::ApiResponse, api::ApiResponse> {
    let mut reg = Registry::open(db).map_err(|e| api::error_response(&e))?;
    let (name, role) = user.ok_or_else(|| {
        api::error_response(&crate::service::ServiceError::Unauthorized(
            "sign in first".into(),
        ))
    })?;
    let signed_in = Actor {
        name,
        role: crate::service::Role::parse(&role).unwrap_or(crate::service::Role::Receptionist),
        sources: None,
    };
    let actor = reg
        .current_actor(&signed_in)
        .map_err(|e| api::error_response(&e))?;
    Ok(api::dispatch(&mut reg, &actor, request))
}

/// What an import on its background task reports.
pub enum ImportEvent {
    /// After each batch: the summary so far and the rows in the file.
    Progress(crate::service::import::ImportSummary, u64),
    /// The end: the summary, or why it could not run.
    Done(Result<crate::service::import::ImportSummary, String>),
}

/// Import a CSV file on a task with its own connection (it can take
/// minutes; the worker stays free). Administrators only, as on the command
/// line: the account is re-read first. `stop` ends it at a batch boundary.
pub fn import_task(
    ctx: eframe::egui::Context,
    db: std::path::PathBuf,
    user: Option<(String, String)>,
    file: std::path::PathBuf,
    opts: crate::service::import::ImportOptions,
) -> Receiver<ImportEvent> {
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        let run = || -> Result<crate::service::import::ImportSummary, String> {
            let mut reg = Registry::open(&db).map_err(|e| e.to_string())?;
            let (name, role) = user.ok_or("sign in first")?;
            let signed_in = Actor {
                name,
                role: crate::service::Role::parse(&role)
                    .unwrap_or(crate::service::Role::Receptionist),
                sources: None,
            };
            let actor = reg.current_actor(&signed_in).map_err(|e| e.to_string())?;
            crate::service::accounts::require(
                &actor,
                &[crate::service::Role::Admin],
                "importing a file",
            )
            .map_err(|e| e.to_string())?;
            let total = crate::service::import::count_rows(&file);
            let opts = crate::service::import::ImportOptions {
                rows_expected: (total > 0).then_some(total),
                ..opts.clone()
            };
            let f = std::fs::File::open(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let progress_tx = tx.clone();
            let progress_ctx = ctx.clone();
            reg.import_csv(&actor, std::io::BufReader::new(f), &opts, &mut |s| {
                let _ = progress_tx.send(ImportEvent::Progress(s.clone(), total));
                progress_ctx.request_repaint();
            })
            .map_err(|e| e.to_string())
        };
        let _ = tx.send(ImportEvent::Done(run()));
        ctx.request_repaint();
    });
    rx
}
