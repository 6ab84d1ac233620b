//! The review queue, the reconciliation queue, the Sync page and Settings.

use super::chooser::{Choice, comparison};
use super::worker::{Reply, Tag};
use super::{Desk, Intent, Notice, widgets};
use crate::api::Request;
use crate::i18n::Lang;
use crate::service::Setting;
use crate::service::persons::ChangeState;
use crate::tr;
use eframe::egui::{self, RichText};
use serde_json::Value;
use std::sync::mpsc::Receiver;

/// The Review page: the working copies waiting for a reviewer, and the
/// signed-in user's own changes.
#[derive(Default)]
pub struct ReviewScreen {
    queue: Vec<crate::service::persons::QueueItem>,
    queue_selected: Option<usize>,
    /// The working copy whose Approve was pressed, waiting for "Confirm".
    approve_armed: Option<String>,
    reject_reason: String,
    /// The working copy whose Reject was pressed, waiting for "Confirm".
    reject_armed: Option<String>,
    /// `GET /generic/persons/workingcopies/mine`: the user's own changes.
    mine: Vec<crate::service::persons::MyChange>,
    /// The working copy whose Withdraw was pressed, waiting for "Confirm".
    withdraw_armed: Option<i64>,
}

/// The Reconciliation page: records the matcher could not decide.
#[derive(Default)]
pub struct ReconciliationScreen {
    pending: Vec<crate::service::idmatch::PendingView>,
    pending_selected: Option<usize>,
    /// Why the waiting record is none of its candidates.
    not_same_reason: String,
    pending_filter: String,
    pending_sort: PendingSort,
}

/// The Sync page: the outbox and "Sync now" (on a background task).
#[derive(Default)]
pub struct SyncScreen {
    outbox: Vec<crate::service::outbox::OutboxRow>,
    sync_rx: Option<Receiver<super::worker::Reply>>,
    last_sync: Option<(String, bool)>,
}

/// The Settings page: the registry's settings, the language and theme,
/// the hub connection and the accounts (`users`), and the matching model.
#[derive(Default)]
pub struct SettingsScreen {
    settings: Vec<(String, String)>,
    settings_loaded: bool,
    /// `GET /matcher/model`: the matching model in words.
    model: Option<crate::core::matching::ModelView>,
    theme: Theme,
    pub(super) users: super::users::UsersState,
}

/// The order of the reconciliation queue.
#[derive(Default, Clone, Copy, PartialEq)]
enum PendingSort {
    #[default]
    Confidence,
    Oldest,
    Name,
}

#[derive(Default, Clone, Copy, PartialEq)]
enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// The registry's settings on the page (the service's list): each one's
/// label is the message `set-<key>`.
fn settings_on_page() -> impl Iterator<Item = Setting> {
    Setting::ALL.into_iter().filter(|s| s.on_settings_page())
}

fn setting_label(key: &str) -> String {
    tr!(&format!("set-{}", key.replace('_', "-")))
}

/// An action pressed once asks again: the question, then Confirm or
/// Cancel (the confirmation takes the button's place, so a double click
/// never acts). True when confirmed; either answer disarms it.
fn ask_again(
    ui: &mut egui::Ui,
    armed: &mut Option<String>,
    question: String,
    confirm: String,
    cancel: String,
) -> bool {
    ui.label(question);
    let mut confirmed = false;
    ui.horizontal(|ui| {
        if ui.button(confirm).clicked() {
            confirmed = true;
            *armed = None;
        }
        if ui.button(cancel).clicked() {
            *armed = None;
        }
    });
    confirmed
}

fn age(seconds: i64) -> String {
    match seconds {
        s if s < 120 => tr!("age-seconds", n = s),
        s if s < 7200 => tr!("age-minutes", n = s / 60),
        s if s < 172_800 => tr!("age-hours", n = s / 3600),
        s => tr!("age-days", n = s / 86_400),
    }
}

/// A changed field's path in words: `phones[0].number` → "Phone 1 number".
/// The fields a change touched, in words: "First name, Phone 1 number".
fn changed_fields(diff: &Value) -> String {
    let mut words: Vec<String> = diff
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| field_words(c["field"].as_str().unwrap_or("")))
        .collect();
    words.dedup();
    if words.is_empty() {
        "—".into()
    } else {
        words.join(", ")
    }
}

/// An RFC 3339 time as a desk reads it: `2026-12-02 09:15` (UTC).
pub(super) fn when_words(at: &str) -> String {
    match at.get(..16) {
        Some(t) => t.replace('T', " "),
        None => at.to_string(),
    }
}

pub(super) fn field_words(path: &str) -> String {
    // A key in words (`field-<key>` in the catalogues), else the key with
    // spaces.
    let word = |k: &str| crate::i18n::text_or(&format!("field-{k}"), k.replace('_', " "));
    let mut out: Vec<String> = Vec::new();
    for part in path.split('.') {
        match part.split_once('[') {
            Some((k, rest)) => {
                let n: usize = rest.trim_end_matches(']').parse().unwrap_or(0);
                out.push(format!("{} {}", word(k), n + 1));
            }
            None => out.push(word(part)),
        }
    }
    let s = out.join(" ");
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => s,
    }
}

/// A changed value as people read it: text without quotes, nothing as "—".
pub(super) fn value_words(v: &Value) -> String {
    match v {
        Value::Null => "—".into(),
        Value::String(s) if s.is_empty() => "—".into(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => tr!("yes"),
        Value::Bool(false) => tr!("no"),
        other => other.to_string(),
    }
}

impl ReviewScreen {
    pub(super) fn on_reply(&mut self, desk: &mut Desk, r: Reply) {
        match &r.tag {
            Tag::Queue if r.ok() => {
                self.queue = serde_json::from_value(r.body["items"].clone()).unwrap_or_default();
                self.queue_selected = if self.queue.is_empty() {
                    None
                } else {
                    Some(self.queue_selected.unwrap_or(0).min(self.queue.len() - 1))
                };
            }
            Tag::MyChanges if r.ok() => {
                self.mine = serde_json::from_value(r.body["items"].clone()).unwrap_or_default();
            }
            Tag::Approve | Tag::Reject | Tag::Withdraw => {
                if r.ok() {
                    desk.notice = Some(Notice::done(match r.tag {
                        Tag::Approve => tr!("rv-approved"),
                        Tag::Reject => tr!("rv-rejected"),
                        _ => tr!("rv-withdrawn"),
                    }));
                    self.reject_reason.clear();
                    Self::load(desk);
                    desk.refresh_stats();
                } else {
                    desk.notice = Some(Notice::refused(&r));
                }
            }
            _ if !r.ok() => desk.notice = Some(Notice::refused(&r)),
            _ => {}
        }
    }

    /// The review page's lists: the queue and the user's own changes.
    pub(super) fn load(desk: &mut Desk) {
        desk.worker.call(Tag::Queue, Request::WorkingCopies);
        desk.worker.call(Tag::MyChanges, Request::MyChanges);
    }

    pub(super) fn ui(&mut self, desk: &mut Desk, ui: &mut egui::Ui) {
        let reviewer = matches!(desk.role(), "reviewer" | "admin");
        if !reviewer {
            // A receptionist's own changes are the whole page: what waits,
            // what was approved, what was rejected and why.
            self.my_changes(desk, ui);
            return;
        }
        egui::CollapsingHeader::new(tr!("rv-mine-count", n = self.mine.len()))
            .id_salt("my changes")
            .show(ui, |ui| self.my_changes(desk, ui));
        ui.separator();
        if self.queue.is_empty() {
            ui.label(tr!("rv-empty"));
            return;
        }
        let mut action: Option<(Tag, Request)> = None;
        ui.columns(2, |cols| {
            egui::ScrollArea::vertical()
                .id_salt("queue")
                .show(&mut cols[0], |ui| {
                    for (i, w) in self.queue.iter().enumerate() {
                        let text = tr!(
                            "rv-item",
                            code = w.code.as_str(),
                            name = w.name.as_str(),
                            author = w.author.as_str(),
                            age = age(w.age_seconds)
                        );
                        if ui
                            .selectable_label(self.queue_selected == Some(i), text)
                            .clicked()
                        {
                            self.queue_selected = Some(i);
                        }
                    }
                });
            let ui = &mut cols[1];
            let Some(w) = self.queue_selected.and_then(|i| self.queue.get(i)) else {
                return;
            };
            ui.strong(tr!(
                "rv-changes-to",
                name = w.name.as_str(),
                code = w.code.as_str()
            ));
            egui::Grid::new("diff")
                .striped(true)
                .num_columns(3)
                .show(ui, |ui| {
                    ui.strong(tr!("ch-field"));
                    ui.strong(tr!("rv-old"));
                    ui.strong(tr!("rv-new"));
                    ui.end_row();
                    for c in &w.diff {
                        ui.label(field_words(&c.field));
                        ui.label(
                            RichText::new(value_words(&c.old)).color(widgets::error_color(ui)),
                        );
                        ui.label(
                            RichText::new(format!("-> {}", value_words(&c.new)))
                                .color(widgets::ok_color(ui)),
                        );
                        ui.end_row();
                    }
                });
            if reviewer {
                ui.add_space(8.0);
                let id = w.id.to_string();
                // Approving asks once more, and the confirmation replaces
                // the button, so a double click never approves the next.
                let name = w.name.as_str();
                if self.approve_armed.as_ref() == Some(&id) {
                    if ask_again(
                        ui,
                        &mut self.approve_armed,
                        tr!("rv-approve-question", name = name),
                        tr!("rv-approve-confirm"),
                        tr!("rv-approve-cancel"),
                    ) {
                        action = Some((Tag::Approve, Request::Approve { id: id.clone() }));
                    }
                } else if ui
                    .horizontal(|ui| ui.button(tr!("rv-approve")).clicked())
                    .inner
                {
                    self.approve_armed = Some(id.clone());
                }
                ui.horizontal(|ui| {
                    let l = ui.label(tr!("rv-reject-reason"));
                    // As wide as the column leaves beside the button.
                    let width = (ui.available_width() - 110.0).clamp(120.0, 320.0);
                    ui.add_sized(
                        [width, 22.0],
                        egui::TextEdit::singleline(&mut self.reject_reason),
                    )
                    .labelled_by(l.id);
                    if ui
                        .add_enabled(
                            !self.reject_reason.trim().is_empty(),
                            egui::Button::new(tr!("rv-reject")),
                        )
                        .clicked()
                    {
                        self.reject_armed = Some(id.clone());
                    }
                });
                // Rejecting asks once more too: the author sees the reason.
                if self.reject_armed.as_ref() == Some(&id)
                    && ask_again(
                        ui,
                        &mut self.reject_armed,
                        tr!("rv-reject-question", name = name),
                        tr!("rv-reject-confirm"),
                        tr!("rv-reject-cancel"),
                    )
                {
                    action = Some((
                        Tag::Reject,
                        Request::Reject {
                            id: id.clone(),
                            reason: self.reject_reason.trim().to_string(),
                        },
                    ));
                }
            }
        });
        if let Some((tag, request)) = action {
            desk.worker.call(tag, request);
        }
    }

    /// The signed-in user's own changes to registered persons, newest
    /// first: waiting ones can be withdrawn (after a confirmation), decided
    /// ones say who decided and, for a rejection, why.
    fn my_changes(&mut self, desk: &mut Desk, ui: &mut egui::Ui) {
        ui.strong(tr!("rv-mine"));
        if self.mine.is_empty() {
            ui.label(tr!("rv-mine-empty"));
            return;
        }
        let mut withdraw: Option<i64> = None;
        egui::ScrollArea::vertical()
            .id_salt("mine")
            .max_height(ui.available_height().max(160.0) * 0.5)
            .show(ui, |ui| {
                egui::Grid::new("mine grid")
                    .striped(true)
                    .num_columns(4)
                    .show(ui, |ui| {
                        ui.strong(tr!("reg-person"));
                        ui.strong(tr!("rv-changed"));
                        ui.strong(tr!("rv-when"));
                        ui.strong(tr!("rv-decision"));
                        ui.end_row();
                        for c in &self.mine {
                            ui.label(format!("{} ({})", c.name, c.code));
                            ui.label(changed_fields(&c.diff));
                            ui.label(when_words(&c.at));
                            let by = c.by.as_deref().unwrap_or("");
                            match c.state {
                                ChangeState::Waiting => {
                                    let wc = c.working_copy.unwrap_or(0);
                                    ui.horizontal(|ui| {
                                        ui.label(tr!("rv-waiting"));
                                        if self.withdraw_armed == Some(wc) {
                                            if ui.button(tr!("rv-withdraw-confirm")).clicked() {
                                                withdraw = Some(wc);
                                                self.withdraw_armed = None;
                                            }
                                            if ui.button(tr!("rv-keep")).clicked() {
                                                self.withdraw_armed = None;
                                            }
                                        } else if ui.button(tr!("rv-withdraw")).clicked() {
                                            self.withdraw_armed = Some(wc);
                                        }
                                    });
                                }
                                ChangeState::Approved => {
                                    ui.label(
                                        RichText::new(tr!("rv-approved-by", by = by))
                                            .color(widgets::ok_color(ui)),
                                    );
                                }
                                ChangeState::Rejected => {
                                    ui.label(
                                        RichText::new(tr!(
                                            "rv-rejected-by",
                                            by = by,
                                            reason = c.reason.as_deref().unwrap_or("")
                                        ))
                                        .color(widgets::error_color(ui)),
                                    );
                                }
                            }
                            ui.end_row();
                        }
                    });
            });
        if let Some(wc) = withdraw {
            desk.worker
                .call(Tag::Withdraw, Request::Withdraw { id: wc.to_string() });
        }
    }
}

impl ReconciliationScreen {
    pub(super) fn on_reply(&mut self, desk: &mut Desk, r: Reply) {
        match &r.tag {
            Tag::Pending if r.ok() => {
                self.pending =
                    serde_json::from_value(r.body["pending"].clone()).unwrap_or_default();
                self.pending_selected = if self.pending.is_empty() {
                    None
                } else {
                    Some(0)
                };
            }
            Tag::Resolve => {
                if r.ok() {
                    desk.notice = Some(Notice::done(tr!(
                        "rc-resolved",
                        rid = r.body["referenceId"].as_str().unwrap_or("")
                    )));
                    Self::load(desk);
                    desk.refresh_stats();
                } else {
                    desk.notice = Some(Notice::refused(&r));
                }
            }
            _ if !r.ok() => desk.notice = Some(Notice::refused(&r)),
            _ => {}
        }
    }

    /// Ask for the queue.
    pub(super) fn load(desk: &mut Desk) {
        desk.worker
            .call(Tag::Pending, Request::PendingList { limit: 100 });
    }

    pub(super) fn ui(&mut self, desk: &mut Desk, ui: &mut egui::Ui) {
        if self.pending.is_empty() {
            ui.label(tr!("rc-empty"));
            return;
        }
        let steward = matches!(desk.role(), "admin" | "reviewer");
        let mut choice = None;
        let mut pid = 0;
        // The queue as a table: best candidate's confidence, when it came,
        // from which system, the names; sortable and filtered by a word.
        ui.horizontal(|ui| {
            let l = ui.label(tr!("rc-filter"));
            ui.add(
                egui::TextEdit::singleline(&mut self.pending_filter)
                    .hint_text(tr!("rc-filter-hint"))
                    .desired_width(240.0),
            )
            .labelled_by(l.id);
            for (key, label) in [
                (PendingSort::Confidence, tr!("rc-sort-confidence")),
                (PendingSort::Oldest, tr!("rc-sort-oldest")),
                (PendingSort::Name, tr!("rc-sort-name")),
            ] {
                if ui
                    .selectable_label(self.pending_sort == key, label)
                    .clicked()
                {
                    self.pending_sort = key;
                }
            }
        });
        let filter = self.pending_filter.trim().to_lowercase();
        let mut rows: Vec<usize> = (0..self.pending.len())
            .filter(|i| {
                let p = &self.pending[*i];
                let hay = format!("{} {} {}", p.name(), p.sor, p.sor_id).to_lowercase();
                filter.is_empty() || hay.contains(&filter)
            })
            .collect();
        let pending = &self.pending;
        match self.pending_sort {
            PendingSort::Confidence => {
                rows.sort_by(|a, b| pending[*b].best().total_cmp(&pending[*a].best()))
            }
            PendingSort::Oldest => {
                rows.sort_by(|a, b| pending[*a].created_at.cmp(&pending[*b].created_at))
            }
            PendingSort::Name => rows.sort_by_key(|i| pending[*i].name().to_lowercase()),
        }
        let mut pick: Option<usize> = None;
        ui.push_id("pending-table", |ui| {
            egui_extras::TableBuilder::new(ui)
                .striped(true)
                .max_scroll_height(180.0)
                .column(egui_extras::Column::exact(90.0))
                .column(egui_extras::Column::exact(190.0))
                .column(egui_extras::Column::exact(150.0))
                .column(egui_extras::Column::remainder().at_least(160.0))
                .column(egui_extras::Column::exact(100.0))
                .header(22.0, |mut h| {
                    for t in ["rc-best", "rc-since", "rc-system", "se-name", "se-born"] {
                        h.col(|ui| {
                            ui.strong(tr!(t));
                        });
                    }
                })
                .body(|body| {
                    body.rows(24.0, rows.len(), |mut row| {
                        let i = rows[row.index()];
                        let p = &pending[i];
                        let selected = self.pending_selected == Some(i);
                        row.col(|ui| {
                            if ui
                                .selectable_label(selected, format!("{:.0} %", p.best()))
                                .clicked()
                            {
                                pick = Some(i);
                            }
                        });
                        row.col(|ui| {
                            ui.label(p.created_at.get(..16).unwrap_or("").replace('T', " "));
                        });
                        row.col(|ui| {
                            ui.label(format!("{} {}", p.sor, p.sor_id));
                        });
                        row.col(|ui| {
                            if ui.selectable_label(selected, p.name()).clicked() {
                                pick = Some(i);
                            }
                        });
                        row.col(|ui| {
                            ui.label(p.attributes["dateOfBirth"].as_str().unwrap_or(""));
                        });
                    });
                });
        });
        if let Some(i) = pick {
            self.pending_selected = Some(i);
        }
        ui.separator();
        if let Some(p) = self.pending_selected.and_then(|i| self.pending.get(i)) {
            pid = p.id;
            let cands = p.candidates.clone();
            if !steward {
                ui.label(tr!("rc-reviewers-only"));
                return;
            }
            choice = comparison(ui, &p.attributes, &cands, false, 70.0);
            let refs: Vec<String> = cands.iter().map(|c| c.reference_id.clone()).collect();
            ui.label(tr!("rc-none-of-them", refs = refs.join(", ")));
            ui.horizontal(|ui| {
                let l = ui.label(tr!("rc-why-not"));
                ui.add(
                    egui::TextEdit::singleline(&mut self.not_same_reason)
                        .hint_text(tr!("rc-why-not-hint"))
                        .desired_width(320.0),
                )
                .labelled_by(l.id);
                let ready = !self.not_same_reason.trim().is_empty();
                if ui
                    .add_enabled(ready, egui::Button::new(tr!("rc-not-same")))
                    .clicked()
                {
                    choice = Some(Choice::NotSame(refs.clone()));
                }
            });
        }
        let answer =
            |choice: &str, not_same_as: Vec<String>, reason: &str| Request::PendingResolve {
                id: pid,
                choice: choice.to_string(),
                not_same_as,
                reason: reason.trim().to_string(),
            };
        let request = match choice {
            Some(Choice::Link(rid)) => Some(answer(&rid, vec![], "")),
            Some(Choice::New) => Some(answer("new", vec![], "")),
            Some(Choice::Cancel) => {
                self.pending_selected = None;
                None
            }
            Some(Choice::NotSame(refs)) => {
                let reason = std::mem::take(&mut self.not_same_reason);
                Some(answer("new", refs, &reason))
            }
            _ => None,
        };
        if let Some(request) = request {
            desk.worker.call(Tag::Resolve, request);
        }
    }
}

impl SyncScreen {
    pub(super) fn on_reply(&mut self, desk: &mut Desk, r: Reply) {
        match &r.tag {
            Tag::Outbox if r.ok() => {
                self.outbox = serde_json::from_value(r.body["items"].clone()).unwrap_or_default()
            }
            _ if !r.ok() => desk.notice = Some(Notice::refused(&r)),
            _ => {}
        }
    }

    /// Ask for the outbox.
    pub(super) fn load(desk: &mut Desk) {
        desk.worker
            .call(Tag::Outbox, Request::Outbox { limit: 200 });
    }

    /// The answer of "Sync now", whatever page shows: the outbox and the
    /// status bar follow at once.
    pub(super) fn logic(&mut self, desk: &mut Desk) {
        if let Some(rx) = &self.sync_rx
            && let Ok(result) = rx.try_recv()
        {
            let r = &result.body;
            let s = |k: &str| r[k].as_str().map(String::from);
            let n = |k: &str| r[k].as_i64().unwrap_or(0);
            self.last_sync = Some(if !result.ok() {
                (tr!("sy-not-possible", why = result.message()), false)
            } else {
                match (s("fatal_error"), s("retry_error")) {
                    (Some(e), _) => (tr!("sy-failed", why = e), false),
                    (None, Some(e)) => (tr!("sy-retry", n = n("sent"), why = e), false),
                    (None, None) => (tr!("sy-sent", n = n("sent"), left = n("remaining")), true),
                }
            });
            self.sync_rx = None;
            desk.worker
                .call(Tag::Outbox, Request::Outbox { limit: 200 });
            desk.refresh_stats();
        }
    }

    pub(super) fn ui(&mut self, desk: &mut Desk, ui: &mut egui::Ui) {
        if !desk.stats.hub_configured {
            ui.label(RichText::new(tr!("sy-no-hub")).strong());
            if desk.role() == "admin" {
                if ui.button(tr!("sy-configure")).clicked() {
                    desk.ask(Intent::Go(super::Page::Settings));
                }
            } else {
                ui.label(tr!("sy-admin-sets"));
            }
        }
        ui.label(tr!("sy-outbox", n = desk.stats.outbox));
        ui.horizontal(|ui| {
            if ui.button(tr!("sy-refresh")).clicked() {
                desk.worker
                    .call(Tag::Outbox, Request::Outbox { limit: 200 });
                desk.refresh_stats();
            }
            let running = self.sync_rx.is_some();
            let can = desk.db_path.is_some() && !running;
            if ui
                .add_enabled(can, egui::Button::new(tr!("sy-now")))
                .clicked()
                && let Some(db) = desk.db_path.clone()
            {
                // The network can take seconds: a background task with its
                // own connection calls the router (`POST /api/sync`, whose
                // role rule applies), and the worker stays free.
                let ctx = ui.ctx().clone();
                self.sync_rx = Some(super::worker::background(
                    ctx,
                    db,
                    desk.user.clone(),
                    Tag::Outbox,
                    Request::SyncNow,
                ));
            }
            if running {
                ui.spinner();
                ui.label(tr!("sy-sending"));
            }
        });
        if let Some((text, ok)) = &self.last_sync {
            let c = if *ok {
                widgets::ok_color(ui)
            } else {
                widgets::error_color(ui)
            };
            ui.label(RichText::new(text).color(c));
        }
        ui.label(RichText::new(tr!("sy-help")).small().weak());
        ui.separator();
        egui::Grid::new("outbox")
            .striped(true)
            .num_columns(5)
            .show(ui, |ui| {
                for h in [
                    "sy-number",
                    "reg-person",
                    "sy-queued",
                    "sy-attempts",
                    "sy-state",
                ] {
                    ui.strong(tr!(h));
                }
                ui.end_row();
                for o in &self.outbox {
                    ui.label(o.id.to_string());
                    ui.label(format!("{} · {}", o.name, o.reference_id));
                    ui.label(when_words(&o.created_at));
                    ui.label(o.attempts.to_string());
                    ui.label(match (o.sent_at.as_deref(), o.last_error.as_deref()) {
                        (Some(t), _) => tr!("sy-sent-at", at = t),
                        (None, Some(e)) => tr!("sy-waiting-why", why = e),
                        (None, None) => tr!("sy-waiting"),
                    });
                    ui.end_row();
                }
            });
    }
}

impl SettingsScreen {
    pub(super) fn on_reply(&mut self, desk: &mut Desk, r: Reply) {
        match &r.tag {
            Tag::Model if r.ok() => self.model = serde_json::from_value(r.body.clone()).ok(),
            Tag::Setting(k) if r.ok() => {
                let v = r.body["value"].as_str().unwrap_or("").to_string();
                match self.settings.iter_mut().find(|(kk, _)| kk == k) {
                    Some(slot) => slot.1 = v,
                    None => self.settings.push((k.clone(), v)),
                }
            }
            Tag::SaveSetting(k) => {
                desk.notice = Some(if r.ok() {
                    Notice::done(tr!("set-saved", what = setting_label(k)))
                } else {
                    Notice::refused(&r)
                });
                desk.refresh_stats();
            }
            Tag::Users | Tag::AddUser | Tag::UpdateUser | Tag::HubGet | Tag::HubSave => {
                self.users.on_reply(desk, r)
            }
            _ if !r.ok() => desk.notice = Some(Notice::refused(&r)),
            _ => {}
        }
    }

    /// Background answers of the page (a hub test).
    pub(super) fn logic(&mut self) {
        self.users.logic();
    }

    pub(super) fn ui(&mut self, desk: &mut Desk, ui: &mut egui::Ui) {
        if !self.settings_loaded {
            self.settings_loaded = true;
            desk.worker.call(Tag::Model, Request::MatchModel);
            for k in settings_on_page().map(Setting::key) {
                desk.worker.call(
                    Tag::Setting(k.into()),
                    Request::GetSetting { key: k.into() },
                );
            }
        }
        widgets::section(ui, &tr!("set-appearance"));
        ui.horizontal(|ui| {
            let before = self.theme;
            ui.radio_value(&mut self.theme, Theme::System, tr!("set-theme-system"));
            ui.radio_value(&mut self.theme, Theme::Light, tr!("set-theme-light"));
            ui.radio_value(&mut self.theme, Theme::Dark, tr!("set-theme-dark"));
            if before != self.theme {
                ui.ctx().set_theme(match self.theme {
                    Theme::System => egui::ThemePreference::System,
                    Theme::Light => egui::ThemePreference::Light,
                    Theme::Dark => egui::ThemePreference::Dark,
                });
            }
        });
        // The language: each user's own choice, kept on this computer.
        ui.horizontal(|ui| {
            ui.label(tr!("set-language"));
            let current = crate::i18n::current();
            let mut lang = current;
            for l in Lang::ALL {
                ui.radio_value(&mut lang, l, l.native_name());
            }
            if lang != current {
                desk.ask(Intent::SetLanguage(lang));
            }
        });
        widgets::section(ui, &tr!("set-registry"));
        let admin = desk.role() == "admin";
        if !admin {
            ui.label(tr!("set-admin-only"));
        }
        let mut save: Option<(String, String)> = None;
        egui::Grid::new("settings")
            .num_columns(3)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                for setting in settings_on_page() {
                    let k = setting.key();
                    let slot = match self.settings.iter_mut().find(|(kk, _)| kk == k) {
                        Some(s) => s,
                        None => {
                            self.settings.push((k.into(), String::new()));
                            self.settings.last_mut().expect("just pushed")
                        }
                    };
                    let l = ui.label(setting_label(k));
                    ui.add_enabled_ui(admin, |ui| {
                        if setting == Setting::ReconciliationMode {
                            // A choice, in words: not the stored value.
                            let mut v = slot.1.clone();
                            let shown = |v: &str| tr!(&format!("set-mode-{v}"));
                            egui::ComboBox::from_id_salt("reconciliation_mode")
                                .selected_text(shown(&v))
                                .width(300.0)
                                .show_ui(ui, |ui| {
                                    for m in ["interactive", "queue"] {
                                        ui.selectable_value(&mut v, m.to_string(), shown(m));
                                    }
                                })
                                .response
                                .labelled_by(l.id);
                            slot.1 = v;
                        } else {
                            ui.add_sized([180.0, 22.0], egui::TextEdit::singleline(&mut slot.1))
                                .labelled_by(l.id);
                        }
                    });
                    if ui
                        .add_enabled(admin, egui::Button::new(tr!("save")))
                        .clicked()
                    {
                        save = Some((k.to_string(), slot.1.clone()));
                    }
                    ui.end_row();
                }
            });
        self.users.hub_section(desk, ui);
        self.users.users_section(desk, ui);
        self.model_section(ui);
        if let Some((k, v)) = save {
            desk.worker.call(
                Tag::SaveSetting(k.clone()),
                Request::PutSetting { key: k, value: v },
            );
        }
    }

    /// The matching model: how much each agreement weighs, in words.
    fn model_section(&mut self, ui: &mut egui::Ui) {
        widgets::section(ui, &tr!("mm-title"));
        let Some(m) = &self.model else {
            ui.label(tr!("mm-loading"));
            return;
        };
        let version = m.version;
        ui.label(if version == 0 {
            tr!("mm-defaults")
        } else {
            tr!("mm-learnt", version = version, n = m.trained_persons)
        });
        let prior = m.prior_bits;
        ui.label(tr!(
            "mm-explain",
            odds = format!("{:.0}", (1.0 + (-prior).exp2()).round()),
            bits = format!("{prior:+.1}"),
            auto = m.auto_link,
            floor = m.link_floor,
            review = m.review
        ));
        egui::CollapsingHeader::new(tr!("mm-weights"))
            .id_salt("model_weights")
            .default_open(true)
            .show(ui, |ui| {
                egui::ScrollArea::vertical()
                    .max_height(260.0)
                    .show(ui, |ui| {
                        egui::Grid::new("model_grid")
                            .num_columns(4)
                            .striped(true)
                            .spacing([12.0, 3.0])
                            .show(ui, |ui| {
                                for h in ["ch-field", "mm-level", "mm-bits", "mm-words"] {
                                    ui.strong(tr!(h));
                                }
                                ui.end_row();
                                for f in &m.fields {
                                    for l in &f.levels {
                                        ui.label(widgets::phrase("match-field", &f.field));
                                        ui.label(widgets::phrase("match-level", &l.level));
                                        ui.label(format!("{:+.1}", l.bits));
                                        ui.label(widgets::phrase("weight", &l.words));
                                        ui.end_row();
                                    }
                                }
                            });
                    });
            });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diff_paths_read_as_words() {
        assert_eq!(field_words("first_name"), "First name");
        assert_eq!(field_words("phones[0].number"), "Phone 1 number");
        assert_eq!(
            field_words("documents[1].issued_by"),
            "Document 2 issued by"
        );
        assert_eq!(value_words(&serde_json::json!("Olha")), "Olha");
        assert_eq!(value_words(&Value::Null), "—");
    }
}
