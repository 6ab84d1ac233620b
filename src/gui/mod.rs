//! The eframe workstation: a shell over the registry. Every read and write
//! goes to the worker thread as a typed router call (`api::Request`);
//! replies come back over a channel. Layout follows the egui demo app: a
//! top bar with the pages, a status bar, and the page in the central panel.
//! Each page is a screen of its own (`logic()`, `on_reply()`, `ui()`) over
//! the [`Desk`] they share.

mod calendar;
mod chooser;
mod files;
pub mod form;
mod import;
mod pages;
mod register;
mod search;
mod steward;
mod users;
pub mod widgets;
pub mod worker;

use crate::api::Request;
use crate::i18n::Lang;
use crate::service::{Registry, Stats};
use crate::tr;
use eframe::egui::{self, Key, Modifiers, RichText};
use serde_json::json;
use std::path::PathBuf;
use std::time::Duration;
use worker::{Command, Reply, Tag, Worker};

/// Open the workstation window on the database at `db`. Returns an exit code.
pub fn run(db: PathBuf) -> i32 {
    let icon = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png")).ok();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("Registrar")
        .with_app_id("registrar")
        .with_inner_size([1280.0, 820.0])
        .with_min_inner_size([900.0, 600.0]);
    if let Some(icon) = icon {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        ..Default::default()
    };
    let registry = match Registry::open(&db) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("registrar: cannot open database {}: {e}", db.display());
            return 1;
        }
    };
    let label = db.display().to_string();
    // The language: the user's choice if one was saved, else the system's.
    let prefs = prefs_path();
    let lang = prefs
        .as_deref()
        .and_then(load_language)
        .unwrap_or_else(Lang::system);
    let result = eframe::run_native(
        "Registrar",
        options,
        Box::new(move |cc| {
            let mut app = App::new(cc, registry, label).with_db_path(db);
            app.lang = lang;
            app.prefs = prefs;
            Ok(Box::new(app))
        }),
    );
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("registrar: cannot open the window: {e}");
            1
        }
    }
}

/// Where the user's own choices (the language) are kept: not in the
/// registry, which is shared by everyone at the site.
fn prefs_path() -> Option<PathBuf> {
    dirs::config_dir().map(|d| d.join("registrar").join("ui.json"))
}

fn load_language(path: &std::path::Path) -> Option<Lang> {
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    Lang::from_locale(v["language"].as_str()?)
}

/// Keep the user's language for the next start; a failure only costs
/// that, so it is said on stderr and the window goes on.
fn save_language(path: &std::path::Path, lang: Lang) {
    let write = || -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(path, json!({"language": lang.code()}).to_string())
    };
    if let Err(e) = write() {
        eprintln!(
            "registrar: cannot keep the language in {}: {e}",
            path.display()
        );
    }
}

/// The pages of the navigation bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    Register,
    Search,
    Review,
    Reconciliation,
    Sync,
    Import,
    Settings,
}

impl Page {
    pub const ALL: [Page; 7] = [
        Page::Register,
        Page::Search,
        Page::Review,
        Page::Reconciliation,
        Page::Sync,
        Page::Import,
        Page::Settings,
    ];
    pub fn title(self) -> String {
        crate::tr!(match self {
            Page::Register => "page-register",
            Page::Search => "page-search",
            Page::Review => "page-review",
            Page::Reconciliation => "page-reconciliation",
            Page::Sync => "page-sync",
            Page::Import => "page-import",
            Page::Settings => "page-settings",
        })
    }
}

#[derive(Default)]
struct Login {
    name: String,
    password: String,
    password2: String,
    error: Option<String>,
}

/// A message shown under the page title until replaced.
pub struct Notice {
    pub text: String,
    pub ok: bool,
}

impl Notice {
    /// Something done, said in the user's words.
    pub fn done(text: String) -> Notice {
        Notice { text, ok: true }
    }

    /// A refusal, as the reply says it ([`worker::Reply::message`]).
    pub fn refused(r: &worker::Reply) -> Notice {
        Notice {
            text: r.message(),
            ok: false,
        }
    }
}

/// What every screen shares: the worker that answers requests, who is
/// signed in, the registry's counts, the line under the page title, and
/// where the database is. Each screen's `logic()` and `ui()` take it; a
/// screen asks for what belongs to another (open a person, go to a page)
/// through [`Desk::ask`], which the app carries out after the frame's
/// screen has run.
pub struct Desk {
    pub(crate) worker: Worker,
    /// (name, role) of the signed-in account.
    pub(crate) user: Option<(String, String)>,
    pub(crate) stats: Stats,
    pub(crate) notice: Option<Notice>,
    /// The database file, for background tasks' own connections.
    pub(crate) db_path: Option<PathBuf>,
    asked: Vec<Intent>,
}

/// What a screen asks the app to do beyond itself.
#[derive(Debug, Clone)]
pub enum Intent {
    /// Show a page.
    Go(Page),
    /// Open a person in the person view (Search).
    OpenPerson(String),
    /// Edit a person at the desk's form (Register).
    EditPerson(Box<crate::api::views::PersonView>),
    /// Speak another language.
    SetLanguage(Lang),
}

impl Desk {
    pub(crate) fn role(&self) -> &str {
        self.user.as_ref().map(|(_, r)| r.as_str()).unwrap_or("")
    }

    pub(crate) fn refresh_stats(&mut self) {
        self.worker.call(Tag::Stats, Request::Stats);
    }

    /// Ask the app for something another screen does.
    pub(crate) fn ask(&mut self, intent: Intent) {
        self.asked.push(intent);
    }
}

/// The workstation application.
pub struct App {
    desk: Desk,
    icon: Option<egui::TextureHandle>,
    users_exist: Option<bool>,
    login: Login,
    page: Page,
    register: register::RegisterScreen,
    search: search::SearchScreen,
    review: pages::ReviewScreen,
    reconciliation: pages::ReconciliationScreen,
    sync: pages::SyncScreen,
    settings: pages::SettingsScreen,
    import: import::ImportScreen,
    /// The keyboard help (F1).
    help_open: bool,
    /// The language the window speaks (Settings; the system's by default).
    lang: Lang,
    /// Where the language choice is kept (none in tests).
    prefs: Option<PathBuf>,
}

impl App {
    /// The app on an open registry (the binary opens the user's database;
    /// tests pass an in-memory one).
    pub fn new(cc: &eframe::CreationContext<'_>, registry: Registry, db_label: String) -> App {
        let icon = image::load_from_memory(include_bytes!("../../assets/icon.png"))
            .ok()
            .map(|img| {
                let rgba = img.to_rgba8();
                let ci = egui::ColorImage::from_rgba_unmultiplied(
                    [rgba.width() as usize, rgba.height() as usize],
                    rgba.as_raw(),
                );
                cc.egui_ctx
                    .load_texture("registrar-icon", ci, Default::default())
            });
        let mut worker = Worker::spawn(registry, cc.egui_ctx.clone(), db_label);
        worker.send(Tag::Boot, Command::Boot);
        App {
            desk: Desk {
                worker,
                user: None,
                stats: Stats::default(),
                notice: None,
                db_path: None,
                asked: Vec::new(),
            },
            icon,
            users_exist: None,
            login: Login::default(),
            page: Page::Register,
            register: register::RegisterScreen::new(),
            search: search::SearchScreen::default(),
            review: pages::ReviewScreen::default(),
            reconciliation: pages::ReconciliationScreen::default(),
            sync: pages::SyncScreen::default(),
            settings: pages::SettingsScreen::default(),
            import: import::ImportScreen::default(),
            help_open: false,
            lang: Lang::En,
            prefs: None,
        }
    }

    /// Speak `lang` from the next frame on (Settings; tests).
    pub fn set_language(&mut self, lang: Lang) {
        self.lang = lang;
        if let Some(p) = &self.prefs {
            save_language(p, lang);
        }
    }

    /// The language the window speaks.
    pub fn language(&self) -> Lang {
        self.lang
    }

    /// Tell the app where its database file is (enables "Sync now").
    pub fn with_db_path(mut self, path: PathBuf) -> App {
        self.desk.db_path = Some(path);
        self
    }

    /// No request is waiting for the worker (tests wait for this).
    /// Checks the form has scheduled but not sent yet, and a file's columns
    /// being read on the import page, count as waiting.
    pub fn is_idle(&self) -> bool {
        self.desk.worker.busiest().is_none()
            && !self.register.checks_scheduled()
            && !self.import.reading_columns()
    }

    /// The page on screen.
    pub fn page(&self) -> Page {
        self.page
    }

    fn go(&mut self, page: Page) {
        self.page = page;
        self.desk.notice = None;
        match page {
            Page::Review => pages::ReviewScreen::load(&mut self.desk),
            Page::Reconciliation => pages::ReconciliationScreen::load(&mut self.desk),
            Page::Sync => pages::SyncScreen::load(&mut self.desk),
            Page::Search => self.search.request_focus = true,
            Page::Register => self.register.focus_first = true,
            _ => {}
        }
        self.desk.refresh_stats();
    }

    fn handle(&mut self, ctx: &egui::Context, r: Reply) {
        match &r.tag {
            Tag::Boot => self.users_exist = Some(r.body["users"].as_i64().unwrap_or(0) > 0),
            Tag::CreateAdmin => {
                if r.ok() {
                    let command = Command::Login {
                        name: self.login.name.clone(),
                        password: self.login.password.clone(),
                    };
                    self.desk.worker.send(Tag::Login, command);
                } else {
                    self.login.error = Some(r.message());
                }
            }
            Tag::Login => {
                if r.ok() {
                    self.desk.user = Some((
                        r.body["name"].as_str().unwrap_or("").to_string(),
                        r.body["role"].as_str().unwrap_or("").to_string(),
                    ));
                    self.users_exist = Some(true);
                    self.login = Login::default();
                    // Pages start afresh for each sign-in: the frame that
                    // signed out may still have drawn a page and sent its
                    // requests, which the worker then refused (401), and
                    // their "loaded" marks must not outlive the session.
                    self.review = pages::ReviewScreen::default();
                    self.reconciliation = pages::ReconciliationScreen::default();
                    self.sync = pages::SyncScreen::default();
                    self.settings = pages::SettingsScreen::default();
                    // Nor may the last user's search or open person show.
                    self.search = search::SearchScreen::default();
                    self.go(Page::Register);
                } else {
                    self.login.error = Some(r.message());
                }
            }
            Tag::Logout => {}
            Tag::Stats => {
                if let Ok(s) = serde_json::from_value(r.body.clone()) {
                    self.desk.stats = s;
                }
            }
            Tag::Validate(_)
            | Tag::Candidates(_)
            | Tag::Submit
            | Tag::Link
            | Tag::ConfidantSearch(_)
            | Tag::ConfidantPick
            | Tag::ConfidantCreate => self.register.on_reply(&mut self.desk, ctx, r),
            Tag::Search { .. }
            | Tag::Person
            | Tag::PersonHistory
            | Tag::PersonAudit
            | Tag::Scan(_) => self.search.on_reply(ctx, r),
            Tag::Steward | Tag::LinkHistory | Tag::Duplicates | Tag::MergePick => {
                self.search.steward.on_reply(&mut self.desk, r)
            }
            Tag::Queue | Tag::MyChanges | Tag::Approve | Tag::Reject | Tag::Withdraw => {
                self.review.on_reply(&mut self.desk, r)
            }
            Tag::Pending | Tag::Resolve => self.reconciliation.on_reply(&mut self.desk, r),
            Tag::Outbox => self.sync.on_reply(&mut self.desk, r),
            Tag::Model
            | Tag::Setting(_)
            | Tag::SaveSetting(_)
            | Tag::Users
            | Tag::AddUser
            | Tag::UpdateUser
            | Tag::HubGet
            | Tag::HubSave => self.settings.on_reply(&mut self.desk, r),
            _ if !r.ok() => self.desk.notice = Some(Notice::refused(&r)),
            _ => {}
        }
    }

    fn login_screen(&mut self, ui: &mut egui::Ui) {
        let first = self.users_exist == Some(false);
        ui.vertical_centered(|ui| {
            ui.add_space(60.0);
            if let Some(t) = &self.icon {
                ui.image((t.id(), egui::vec2(96.0, 96.0)));
            }
            ui.heading(RichText::new("Registrar").size(28.0));
            ui.label(tr!("app-subtitle"));
            ui.add_space(16.0);
            if self.users_exist.is_none() {
                ui.spinner();
                return;
            }
            ui.label(if first {
                tr!("login-first")
            } else {
                tr!("login-sign-in")
            });
            ui.add_space(8.0);
            let mut submit = false;
            let pad = ((ui.available_width() - 340.0) / 2.0).max(0.0);
            ui.horizontal(|ui| {
                ui.add_space(pad);
                egui::Grid::new("login")
                    .num_columns(2)
                    .spacing([12.0, 8.0])
                    .show(ui, |ui| {
                        let l = ui.label(tr!("login-user"));
                        let r = ui
                            .add(
                                egui::TextEdit::singleline(&mut self.login.name)
                                    .desired_width(240.0),
                            )
                            .labelled_by(l.id);
                        // The sign-in starts in the user name, so the keyboard works at once.
                        if ui.memory(|m| m.focused().is_none()) && self.login.name.is_empty() {
                            r.request_focus();
                        }
                        submit |= r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                        ui.end_row();
                        let r = widgets::password_row(
                            ui,
                            &tr!("login-password"),
                            &mut self.login.password,
                        );
                        submit |= r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                        if first {
                            let r = widgets::password_row(
                                ui,
                                &tr!("login-password2"),
                                &mut self.login.password2,
                            );
                            submit |= r.lost_focus() && ui.input(|i| i.key_pressed(Key::Enter));
                        }
                    });
            });
            if let Some(e) = &self.login.error {
                ui.label(RichText::new(e).color(widgets::error_color(ui)));
            }
            let label = if first {
                tr!("login-create-admin")
            } else {
                tr!("login-sign-in")
            };
            submit |= ui.button(label).clicked();
            if self
                .desk
                .worker
                .busy_for(|t| matches!(t, Tag::Login | Tag::CreateAdmin))
                .is_some_and(|d| d > Duration::from_millis(100))
            {
                ui.spinner();
            }
            if submit {
                self.login.error = None;
                if first {
                    if self.login.password != self.login.password2 {
                        self.login.error = Some(tr!("login-passwords-differ"));
                    } else {
                        let command = Command::CreateAdmin {
                            name: self.login.name.trim().to_string(),
                            password: self.login.password.clone(),
                        };
                        self.desk.worker.send(Tag::CreateAdmin, command);
                    }
                } else {
                    let command = Command::Login {
                        name: self.login.name.trim().to_string(),
                        password: self.login.password.clone(),
                    };
                    self.desk.worker.send(Tag::Login, command);
                }
            }
        });
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        ui.horizontal(|ui| {
            if let Some(t) = &self.icon {
                ui.image((t.id(), egui::vec2(22.0, 22.0)));
            }
            // The window's title names the program: the bar keeps its
            // room for the pages (900 points in Ukrainian).
            ui.separator();
            for p in Page::ALL {
                // Importing is for administrators: the others never see it.
                if p == Page::Import && self.desk.role() != "admin" {
                    continue;
                }
                let mut text = p.title();
                if p == Page::Review && self.desk.stats.working_copies > 0 {
                    text = format!("{text} ({})", self.desk.stats.working_copies);
                }
                if p == Page::Reconciliation && self.desk.stats.pending > 0 {
                    text = format!("{text} ({})", self.desk.stats.pending);
                }
                if ui.selectable_label(self.page == p, text).clicked() {
                    self.go(p);
                }
            }
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button(tr!("top-help")).clicked() {
                    self.help_open = !self.help_open;
                }
                if ui.button(tr!("top-sign-out")).clicked() {
                    self.desk.worker.send(Tag::Logout, Command::Logout);
                    self.desk.user = None;
                    self.register = register::RegisterScreen::new();
                    self.search = search::SearchScreen::default();
                    self.review = pages::ReviewScreen::default();
                    self.reconciliation = pages::ReconciliationScreen::default();
                    self.sync = pages::SyncScreen::default();
                    self.settings = pages::SettingsScreen::default();
                    // The next user starts without this one's file, unless
                    // its import is still running (its summary then waits).
                    if !self.import.running() {
                        self.import = import::ImportScreen::default();
                    }
                }
                // Who is signed in is in the status bar: the top bar keeps
                // its room for the pages (a 1024-point window in Ukrainian).
            });
        });
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        // Wrapped: on a narrow window the bar grows a line instead of
        // cutting off its last items.
        ui.horizontal_wrapped(|ui| {
            ui.label(tr!(
                "status-database",
                path = self.desk.worker.db_label.as_str()
            ));
            ui.separator();
            match &self.desk.user {
                Some((n, r)) => ui.label(tr!(
                    "status-user",
                    name = n.as_str(),
                    role = widgets::code_words(r)
                )),
                None => ui.label(tr!("status-signed-out")),
            };
            ui.separator();
            ui.label(tr!("status-persons", n = self.desk.stats.persons));
            ui.separator();
            ui.label(
                match (self.desk.stats.hub_configured, self.desk.stats.outbox) {
                    (false, 0) => tr!("status-sync-no-hub"),
                    (false, n) => tr!("status-sync-no-hub-kept", n = n),
                    (true, 0) => tr!("status-sync-up-to-date"),
                    (true, n) => tr!("status-sync-waiting", n = n),
                },
            );
            ui.separator();
            ui.label(tr!(
                "status-working-copies",
                n = self.desk.stats.working_copies
            ));
            ui.separator();
            ui.label(tr!("status-pending", n = self.desk.stats.pending));
            if self
                .desk
                .worker
                .busiest()
                .is_some_and(|d| d > Duration::from_millis(100))
            {
                ui.separator();
                ui.spinner();
                ui.label(tr!("status-working"));
            }
        });
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        if self.desk.user.is_none() {
            return;
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::F1)) {
            self.help_open = !self.help_open;
        }
        if self.help_open && ctx.input_mut(|i| i.consume_key(Modifiers::NONE, Key::Escape)) {
            self.help_open = false;
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::F)) {
            self.go(Page::Search);
        }
        if ctx.input_mut(|i| i.consume_key(Modifiers::COMMAND, Key::N)) {
            self.register = register::RegisterScreen::new();
            self.go(Page::Register);
        }
    }
}

/// The keys the help window lists: (keys, what they do).
/// Keys named by a message id are said in the user's language.
const SHORTCUTS: &[(&str, &str)] = &[
    ("F1", "help-f1"),
    ("Ctrl+N", "help-ctrl-n"),
    ("Ctrl+F", "help-ctrl-f"),
    ("help-tab-keys", "help-tab"),
    ("help-enter-keys", "help-enter"),
    ("Ctrl+Enter", "help-ctrl-enter"),
    ("help-space-keys", "help-space"),
    ("Escape", "help-escape"),
];

impl App {
    /// F1: the keyboard shortcuts, in a window that Escape closes.
    fn help_window(&mut self, ctx: &egui::Context) {
        if !self.help_open {
            return;
        }
        let mut open = true;
        egui::Window::new(tr!("help-title"))
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ctx, |ui| {
                egui::Grid::new("shortcuts")
                    .num_columns(2)
                    .striped(true)
                    .spacing([16.0, 4.0])
                    .show(ui, |ui| {
                        for (keys, what) in SHORTCUTS {
                            ui.strong(tr!(keys));
                            ui.label(tr!(what));
                            ui.end_row();
                        }
                    });
                ui.add_space(6.0);
                if ui.button(tr!("help-close")).clicked() {
                    self.help_open = false;
                }
            });
        if !open {
            self.help_open = false;
        }
    }
}

impl App {
    /// Every screen's background answers, drained each frame whatever page
    /// shows (the egui demo's `logic()` beside `ui()`): a sync, an import or
    /// a hub test that ends while the user is elsewhere updates its page
    /// and the status bar at once. The pages only draw.
    fn logic(&mut self, ctx: &egui::Context) {
        self.register.logic(ctx);
        self.search.logic(ctx);
        self.sync.logic(&mut self.desk);
        self.import.logic(&mut self.desk, ctx);
        self.settings.logic();
    }
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let ctx = ui.ctx().clone();
        // Every text drawn on this thread from here on is in this language.
        crate::i18n::set(self.lang);
        for r in self.desk.worker.poll() {
            self.handle(&ctx, r);
        }
        if self.desk.worker.busiest().is_some() {
            // Show the spinner once a request passes 100 ms.
            ctx.request_repaint_after(Duration::from_millis(100));
        }
        if self.desk.user.is_none() {
            egui::CentralPanel::default().show(ui, |ui| self.login_screen(ui));
            return;
        }
        self.shortcuts(&ctx);
        self.logic(&ctx);
        egui::Panel::top("nav").show(ui, |ui| self.top_bar(ui));
        egui::Panel::bottom("status").show(ui, |ui| self.status_bar(ui));
        if self.page == Page::Register {
            // A third of a small window at most, so that the form keeps
            // room at 900 points; the user can drag it wider.
            let width = (ctx.content_rect().width() * 0.28).clamp(220.0, 330.0);
            egui::Panel::right("duplicates")
                .default_size(width)
                .resizable(true)
                .show(ui, |ui| self.register.duplicates_panel(&mut self.desk, ui));
        }
        egui::CentralPanel::default().show(ui, |ui| {
            ui.heading(self.page.title());
            if let Some(n) = &self.desk.notice {
                let c = if n.ok {
                    widgets::ok_color(ui)
                } else {
                    widgets::error_color(ui)
                };
                ui.label(RichText::new(&n.text).color(c));
            }
            ui.separator();
            // The chooser window asks a question first: the page waits.
            ui.add_enabled_ui(!self.register.chooser_open, |ui| match self.page {
                Page::Register => self.register.ui(&mut self.desk, ui),
                Page::Search => self.search.ui(&mut self.desk, ui),
                Page::Review => self.review.ui(&mut self.desk, ui),
                Page::Reconciliation => self.reconciliation.ui(&mut self.desk, ui),
                // Pages without tables of their own scroll as a whole:
                // on a small window nothing is cut off.
                Page::Sync => {
                    egui::ScrollArea::vertical()
                        .id_salt("sync-page")
                        .auto_shrink([false, false])
                        .show(ui, |ui| self.sync.ui(&mut self.desk, ui))
                        .inner
                }
                Page::Import => self.import.ui(&mut self.desk, ui),
                Page::Settings => {
                    egui::ScrollArea::vertical()
                        .id_salt("settings-page")
                        .auto_shrink([false, false])
                        .show(ui, |ui| self.settings.ui(&mut self.desk, ui))
                        .inner
                }
            });
        });
        self.register.chooser_modal(&mut self.desk, &ctx);
        self.help_window(&ctx);
        self.carry_out();
    }
}

impl App {
    /// What the screens asked of each other this frame.
    fn carry_out(&mut self) {
        for intent in std::mem::take(&mut self.desk.asked) {
            match intent {
                Intent::Go(page) => self.go(page),
                Intent::OpenPerson(id) => {
                    self.page = Page::Search;
                    self.search.open_person(&mut self.desk, &id);
                }
                Intent::EditPerson(person) => {
                    self.register = register::RegisterScreen::new();
                    self.register.form = form::PersonForm::from_person(&person);
                    self.page = Page::Register;
                }
                Intent::SetLanguage(lang) => self.set_language(lang),
            }
        }
    }
}
