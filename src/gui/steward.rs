//! Stewardship in the person view (issue 14): a person's records with
//! Unlink and Move, possible duplicates with Merge and "Not the same
//! person", a person picker to merge with, Unmerge of what was merged in,
//! and the link history as a timeline. Every action asks for a reason and
//! says what will change before it is sent; the service decides.

use super::worker::{Reply, Tag};
use super::{Desk, Intent};
use crate::api::{CandidatesOf, Request};
use crate::service::idmatch::{LOCAL_SOR, attributes_name};
use crate::service::persons::PersonSummary;
use crate::tr;
use eframe::egui::{self, RichText};
use serde_json::Value;

/// A change the steward is about to make.
#[derive(Debug, Clone, PartialEq)]
enum Action {
    Unlink { sor: String, sor_id: String },
    Move { sor: String, sor_id: String },
    Merge { other: String, name: String },
    Unmerge { merged: String },
    NotSame { other: String, name: String },
}

#[derive(Default)]
pub struct StewardState {
    /// The person the sections are about (opened again after a change).
    person: Option<String>,
    action: Option<Action>,
    reason: String,
    move_to: String,
    pick_query: String,
    picks: Vec<PersonSummary>,
    links: Vec<crate::service::steward::LinkEventRow>,
    duplicates: Vec<crate::service::idmatch::CandidateView>,
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or("").to_string()
}

impl Action {
    /// What will change, in words, before it is done.
    fn sentence(&self, this: &str) -> String {
        match self {
            Action::Unlink { sor, sor_id } => tr!(
                "st-unlink-sentence",
                record = format!("{sor} {sor_id}"),
                this = this
            ),
            Action::Move { sor, sor_id } => tr!(
                "st-move-sentence",
                record = format!("{sor} {sor_id}"),
                this = this
            ),
            Action::Merge { other, name } => tr!(
                "st-merge-sentence",
                other = other.as_str(),
                name = name.as_str(),
                this = this
            ),
            Action::Unmerge { merged } => {
                tr!("st-unmerge-sentence", merged = merged.as_str(), this = this)
            }
            Action::NotSame { other, name } => tr!(
                "st-not-same-sentence",
                other = other.as_str(),
                name = name.as_str(),
                this = this
            ),
        }
    }

    fn confirm_label(&self) -> String {
        tr!(match self {
            Action::Unlink { .. } => "st-confirm-unlink",
            Action::Move { .. } => "st-confirm-move",
            Action::Merge { .. } => "st-confirm-merge",
            Action::Unmerge { .. } => "st-confirm-unmerge",
            Action::NotSame { .. } => "st-confirm-not-same",
        })
    }

    /// The router call that makes the change.
    fn request(&self, this: &str, reason: &str, move_to: &str) -> Request {
        let (this, reason) = (this.to_string(), reason.to_string());
        match self {
            Action::Unlink { sor, sor_id } => Request::Unlink {
                reference_id: this,
                sor: sor.clone(),
                sor_id: sor_id.clone(),
                reason,
            },
            Action::Move { sor, sor_id } => Request::MoveRecord {
                reference_id: move_to.trim().to_uppercase(),
                sor: sor.clone(),
                sor_id: sor_id.clone(),
                reason,
            },
            Action::Merge { other, .. } => Request::Merge {
                survivor: this,
                merged: other.clone(),
                reason,
            },
            Action::Unmerge { merged } => Request::Unmerge {
                survivor: this,
                merged: merged.clone(),
                reason,
            },
            Action::NotSame { other, .. } => Request::NotDuplicates {
                a: this,
                b: other.clone(),
                reason,
            },
        }
    }

    fn done(&self, reply: &Value) -> String {
        match self {
            Action::Unlink { .. } => tr!("st-unlinked", rid = s(&reply["referenceId"])),
            Action::Move { sor, sor_id } => tr!(
                "st-moved",
                record = format!("{sor} {sor_id}"),
                rid = s(&reply["referenceId"])
            ),
            Action::Merge { other, .. } => tr!("st-merged", other = other.as_str()),
            Action::Unmerge { merged } => tr!("st-unmerged", merged = merged.as_str()),
            Action::NotSame { other, .. } => tr!("st-not-same-done", other = other.as_str()),
        }
    }
}

/// A link event in words.
fn event_words(e: &crate::service::steward::LinkEventRow) -> String {
    let other = e.other.clone().unwrap_or_default();
    let sor = e.sor.as_deref().unwrap_or("");
    let record = format!("{sor} {}", e.sor_id.as_deref().unwrap_or(""));
    let what = match e.operation.as_str() {
        "created" if sor == LOCAL_SOR => tr!("ev-desk"),
        "created" => tr!("ev-created", record = record),
        "linked" if other.is_empty() => tr!("ev-linked", record = record),
        "linked" => tr!("ev-moved-in", record = record, other = other),
        "moved_out" => tr!("ev-moved-out", record = record, other = other),
        "merged" => tr!("ev-merged", other = other),
        "merged_into" => tr!("ev-merged-into", other = other),
        "unmerged" => tr!("ev-unmerged", other = other),
        "not_duplicates" => tr!("ev-not-duplicates", other = other),
        "not_duplicates_undone" => tr!("ev-not-duplicates-undone", other = other),
        op => op.to_string(),
    };
    let mut line = format!("{} · {} · {what}", super::pages::when_words(&e.at), e.actor);
    if let Some(c) = e.confidence {
        line.push_str(&tr!(
            "ev-confidence",
            confidence = format!("{c:.1}"),
            model = e.model_version.map(|v| v.to_string()).unwrap_or_default()
        ));
    }
    if let Some(r) = &e.reason {
        line.push_str(&format!(" · “{r}”"));
    }
    line
}

impl StewardState {
    /// Ask for what the stewardship sections show of person `key`.
    pub(super) fn load(&mut self, desk: &mut Desk, key: &str) {
        self.person = Some(key.to_string());
        self.links.clear();
        self.duplicates.clear();
        desk.worker.call(
            Tag::LinkHistory,
            Request::LinkHistory {
                reference_id: key.into(),
            },
        );
        if matches!(desk.role(), "admin" | "reviewer") {
            desk.worker.call(
                Tag::Duplicates,
                Request::PeopleCandidates {
                    of: CandidatesOf::ReferenceId(key.into()),
                    limit: 5,
                },
            );
        }
    }

    pub(super) fn on_reply(&mut self, desk: &mut Desk, r: Reply) {
        match &r.tag {
            Tag::LinkHistory if r.ok() => {
                self.links = serde_json::from_value(r.body["items"].clone()).unwrap_or_default()
            }
            Tag::Duplicates if r.ok() => {
                self.duplicates =
                    serde_json::from_value(r.body["candidates"].clone()).unwrap_or_default()
            }
            Tag::MergePick if r.ok() => {
                self.picks = serde_json::from_value(r.body["items"].clone()).unwrap_or_default()
            }
            Tag::Steward => {
                if r.ok() {
                    let text = self
                        .action
                        .as_ref()
                        .map(|a| a.done(&r.body))
                        .unwrap_or_default();
                    self.action = None;
                    self.reason.clear();
                    self.move_to.clear();
                    self.picks.clear();
                    self.pick_query.clear();
                    desk.notice = Some(super::Notice::done(text));
                    // The person again, as the change left them.
                    if let Some(id) = self.person.clone() {
                        desk.ask(Intent::OpenPerson(id));
                    }
                } else {
                    desk.notice = Some(super::Notice::refused(&r));
                }
            }
            _ => {}
        }
    }

    /// The records, merge and duplicates, and link history sections of
    /// the person view `d`.
    pub(super) fn sections(
        &mut self,
        desk: &mut Desk,
        ui: &mut egui::Ui,
        d: &crate::api::views::PersonView,
    ) {
        let this = d.reference_id.clone();
        let steward = matches!(desk.role(), "admin" | "reviewer");
        if let Some(m) = &d.merged_from {
            ui.label(
                RichText::new(tr!(
                    "st-opened-merged",
                    rid = m.reference_id.as_str(),
                    at = m.merged_at.as_str()
                ))
                .strong(),
            );
        }
        ui.collapsing(tr!("st-golden"), |ui| {
            ui.label(tr!("st-golden-help"));
            egui::Grid::new("golden")
                .num_columns(4)
                .striped(true)
                .spacing([12.0, 3.0])
                .show(ui, |ui| {
                    for h in ["ch-field", "st-value", "st-source", "st-asserted"] {
                        ui.strong(tr!(h));
                    }
                    ui.end_row();
                    for f in &d.golden {
                        let source = f.source.clone();
                        let field = f.field.clone();
                        ui.label(super::widgets::phrase("golden-field", &field));
                        let value = f.value.clone();
                        ui.label(if field == "gender" {
                            super::widgets::code_words(&value)
                        } else {
                            value
                        });
                        ui.label(if source == LOCAL_SOR {
                            tr!("st-this-desk")
                        } else {
                            source
                        });
                        ui.label(super::pages::when_words(&f.asserted_at));
                        ui.end_row();
                    }
                });
        });
        let records = &d.sor_records;
        ui.collapsing(tr!("st-records"), |ui| {
            for r in records {
                let (sor, sor_id) = (r.sor.clone(), r.sor_id.clone());
                ui.horizontal_wrapped(|ui| {
                    let a = &r.attributes;
                    ui.label(tr!(
                        "st-record",
                        record = format!("{sor} {sor_id}"),
                        name = attributes_name(a),
                        born = s(&a["dateOfBirth"]),
                        since = super::pages::when_words(&r.created_at)
                    ));
                    if steward && sor != LOCAL_SOR && records.len() > 1 {
                        if ui
                            .button(tr!("st-unlink", record = format!("{sor} {sor_id}")))
                            .clicked()
                        {
                            self.action = Some(Action::Unlink {
                                sor: sor.clone(),
                                sor_id: sor_id.clone(),
                            });
                        }
                        if ui
                            .button(tr!("st-move", record = format!("{sor} {sor_id}")))
                            .clicked()
                        {
                            self.action = Some(Action::Move { sor, sor_id });
                        }
                    }
                });
            }
        });
        if steward {
            ui.collapsing(tr!("st-merge-section"), |ui| {
                self.merge_section(desk, ui, &this)
            });
        }
        if let Some(action) = self.action.clone() {
            self.confirm_panel(desk, ui, &action, &this);
        }
        ui.collapsing(tr!("st-link-history"), |ui| {
            if self.links.is_empty() {
                ui.label(tr!("st-no-links"));
            }
            for e in &self.links {
                ui.label(event_words(e));
            }
        });
    }

    fn merge_section(&mut self, desk: &mut Desk, ui: &mut egui::Ui, this: &str) {
        ui.label(RichText::new(tr!("dup-title")).strong());
        if self.duplicates.is_empty() {
            ui.label(tr!("st-none-found"));
        }
        for c in self.duplicates.clone() {
            let other = c.reference_id.clone();
            let a = &c.attributes;
            let name = attributes_name(a);
            ui.horizontal_wrapped(|ui| {
                ui.label(tr!(
                    "st-duplicate",
                    other = other.as_str(),
                    name = name.as_str(),
                    born = s(&a["dateOfBirth"]),
                    confidence = c.confidence.as_str()
                ));
                if ui
                    .button(tr!("st-merge-into", other = other.as_str()))
                    .clicked()
                {
                    self.action = Some(Action::Merge {
                        other: other.clone(),
                        name: name.clone(),
                    });
                }
                if ui
                    .button(tr!("st-not-same", other = other.as_str()))
                    .clicked()
                {
                    self.action = Some(Action::NotSame { other, name });
                }
            });
        }
        ui.separator();
        ui.horizontal(|ui| {
            let l = ui.label(tr!("st-find-merge"));
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut self.pick_query)
                        .hint_text(tr!("st-find-merge-hint"))
                        .desired_width(260.0),
                )
                .labelled_by(l.id);
            if r.changed() && self.pick_query.trim().chars().count() >= 2 {
                let q = self.pick_query.trim().to_string();
                desk.worker.call(
                    Tag::MergePick,
                    Request::Search {
                        q,
                        offset: 0,
                        limit: 8,
                    },
                );
            }
        });
        for p in self.picks.clone() {
            if p.reference_id == this {
                continue;
            }
            ui.horizontal(|ui| {
                ui.label(tr!(
                    "st-pick",
                    rid = p.reference_id.as_str(),
                    name = p.name.as_str(),
                    born = p.birth_date.as_str()
                ));
                if ui
                    .button(tr!("st-merge-into", other = p.reference_id.as_str()))
                    .clicked()
                {
                    self.action = Some(Action::Merge {
                        other: p.reference_id.clone(),
                        name: p.name.clone(),
                    });
                }
            });
        }
        // Persons merged into this one and not unmerged since.
        let mut merged_in: Vec<String> = Vec::new();
        for e in &self.links {
            let other = e.other.clone().unwrap_or_default();
            match e.operation.as_str() {
                "merged" => merged_in.push(other),
                "unmerged" => merged_in.retain(|m| *m != other),
                _ => {}
            }
        }
        if !merged_in.is_empty() {
            ui.separator();
            ui.label(RichText::new(tr!("st-merged-in")).strong());
            for m in merged_in {
                ui.horizontal(|ui| {
                    ui.label(&m);
                    if ui.button(tr!("st-unmerge", merged = m.as_str())).clicked() {
                        self.action = Some(Action::Unmerge { merged: m.clone() });
                    }
                });
            }
        }
    }

    fn confirm_panel(&mut self, desk: &mut Desk, ui: &mut egui::Ui, action: &Action, this: &str) {
        egui::Frame::group(ui.style()).show(ui, |ui| {
            ui.label(action.sentence(this));
            if matches!(action, Action::Move { .. }) {
                ui.horizontal(|ui| {
                    let l = ui.label(tr!("st-move-to"));
                    ui.add(
                        egui::TextEdit::singleline(&mut self.move_to)
                            .hint_text("M123456789")
                            .desired_width(160.0),
                    )
                    .labelled_by(l.id);
                });
            }
            ui.horizontal(|ui| {
                let l = ui.label(tr!("st-reason"));
                ui.add(
                    egui::TextEdit::singleline(&mut self.reason)
                        .hint_text(tr!("st-reason-hint"))
                        .desired_width(320.0),
                )
                .labelled_by(l.id);
            });
            ui.horizontal(|ui| {
                let ready = !self.reason.trim().is_empty()
                    && (!matches!(action, Action::Move { .. }) || !self.move_to.trim().is_empty());
                if ui
                    .add_enabled(ready, egui::Button::new(action.confirm_label()))
                    .clicked()
                {
                    let request = action.request(this, self.reason.trim(), &self.move_to);
                    desk.worker.call(Tag::Steward, request);
                }
                if ui.button(tr!("cancel")).clicked() {
                    self.action = None;
                    self.reason.clear();
                }
            });
        });
    }
}
