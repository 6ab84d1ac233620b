//! The side-by-side candidate chooser: the new record and each candidate in
//! columns, field by field, agreements coloured, each field's weight, the
//! total and the confidence. It serves registration and the reconciliation
//! queue alike.

use super::register::RegisterScreen;
use super::{Desk, widgets};
use crate::core::matching::{GENDER, MatchRecord};
use crate::service::idmatch::CandidateView;
use crate::tr;
use eframe::egui::{self, Color32, RichText};
use serde_json::Value;

fn level_color(ui: &egui::Ui, level: &str) -> Color32 {
    let dark = ui.visuals().dark_mode;
    match level {
        "exact" | "same" | "a number shared" => {
            if dark {
                Color32::from_rgb(110, 210, 130)
            } else {
                Color32::from_rgb(20, 120, 40)
            }
        }
        "missing" => ui.visuals().weak_text_color(),
        "different" | "none shared" => {
            if dark {
                Color32::from_rgb(255, 120, 110)
            } else {
                Color32::from_rgb(180, 30, 30)
            }
        }
        _ => {
            if dark {
                Color32::from_rgb(240, 200, 90)
            } else {
                Color32::from_rgb(150, 100, 0)
            }
        }
    }
}

/// "a, b and c" in the user's language.
fn and_list(items: Vec<String>) -> String {
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => tr!("list-and", init = init.join(", "), last = last.as_str()),
    }
}

/// Why the engine would not link a candidate by itself, in the user's
/// language, from the service's parts (`hold_detail`, `why_not_detail`);
/// the service's English where it sent no parts.
fn why_not_linked(c: &CandidateView) -> String {
    if let Some(h) = &c.hold_detail {
        let words = |items: &[String], prefix: &str| -> Vec<String> {
            items.iter().map(|v| widgets::phrase(prefix, v)).collect()
        };
        let conflicts = and_list(words(&h.conflicts, "hold-conflict"));
        let mut reason = match h.kind.as_str() {
            "only_names" => tr!("hold-only-names"),
            "look_alike" => tr!("hold-look-alike", conflicts = conflicts),
            "no_birth_date" => tr!("hold-no-birth-date"),
            _ => conflicts,
        };
        let shared = words(&h.shared, "hold-shared");
        if !shared.is_empty() {
            reason = tr!("hold-shared", shared = and_list(shared), rest = reason);
        }
        if let Some(r) = &h.other_record {
            reason = tr!("hold-other-record", record = r.as_str(), rest = reason);
        }
        return reason;
    }
    if let Some(w) = &c.why_not_detail {
        let mut parts = vec![tr!("short-gap", gap = format!("{:.1}", w.gap))];
        let against: Vec<String> = w
            .against
            .iter()
            .map(|f| {
                tr!(
                    "short-against-item",
                    field = widgets::phrase("match-field", &f.field),
                    level = widgets::phrase("match-level", &f.level),
                    weight = format!("{:+.1}", f.weight)
                )
            })
            .collect();
        if !against.is_empty() {
            parts.push(tr!("short-against", list = against.join(", ")));
        }
        let missing: Vec<String> = w
            .missing
            .iter()
            .map(|f| widgets::phrase("match-field", f))
            .collect();
        if !missing.is_empty() {
            parts.push(tr!("short-missing", list = and_list(missing)));
        }
        return parts.join("; ");
    }
    c.hold
        .as_deref()
        .or(c.why_not.as_deref())
        .unwrap_or("—")
        .to_string()
}

/// What the user chose.
pub enum Choice {
    Link(String),
    New,
    /// A new person, none of these candidates (the reconciliation page).
    NotSame(Vec<String>),
    Cancel,
}

/// Draw the comparison; returns the user's choice, if any.
/// `allow_new`: offer "Create new person" (at the desk; the queue asks
/// for a reason instead).
/// `left`: the attributes of the record being decided on (the form, or the
/// waiting record), shown as typed; each candidate's are its own.
pub fn comparison(
    ui: &mut egui::Ui,
    left: &Value,
    candidates: &[CandidateView],
    allow_new: bool,
    reserve: f32,
) -> Option<Choice> {
    let mut choice = None;
    let fields: Vec<String> = candidates
        .first()
        .map(|c| {
            c.explanation
                .fields
                .iter()
                .map(|x| x.field.clone())
                .collect()
        })
        .unwrap_or_default();
    // The grid scrolls; the actions under it (and `reserve` points more
    // for what the caller adds) stay in view on a small window.
    let height = (ui.available_height() - 40.0 - reserve).clamp(120.0, 520.0);
    egui::ScrollArea::both().max_height(height).show(ui, |ui| {
        egui::Grid::new("chooser-grid")
            .striped(true)
            .num_columns(2 + candidates.len())
            .spacing([16.0, 6.0])
            .show(ui, |ui| {
                ui.strong(tr!("ch-field"));
                ui.strong(tr!("ch-new-record"));
                for (i, c) in candidates.iter().enumerate() {
                    ui.strong(tr!(
                        "ch-candidate",
                        n = i + 1,
                        rid = c.reference_id.as_str()
                    ));
                }
                ui.end_row();
                for (fi, name) in fields.iter().enumerate() {
                    ui.label(widgets::phrase("match-field", name));
                    // As typed, not as the matcher normalised it.
                    let shown = |attrs: &Value| {
                        let v = MatchRecord::shown(attrs, fi);
                        if fi == GENDER {
                            widgets::code_words(&v)
                        } else {
                            v
                        }
                    };
                    let left = shown(left);
                    ui.label(if left.is_empty() {
                        "—".to_string()
                    } else {
                        left
                    });
                    for c in candidates {
                        let f = c.explanation.fields.get(fi);
                        let level = f.map(|f| f.level.as_str()).unwrap_or("");
                        let right = shown(&c.attributes);
                        let w = f.map(|f| f.weight).unwrap_or(0.0);
                        let col = level_color(ui, level);
                        ui.label(
                            RichText::new(format!(
                                "{} · {} · {w:+.1}",
                                if right.is_empty() { "—" } else { &right },
                                widgets::phrase("match-level", level)
                            ))
                            .color(col),
                        );
                    }
                    ui.end_row();
                }
                ui.label(tr!("ch-prior"));
                ui.label("");
                for c in candidates {
                    ui.label(format!("{:+.1}", c.explanation.prior));
                }
                ui.end_row();
                ui.strong(tr!("ch-total"));
                ui.label("");
                for c in candidates {
                    ui.strong(format!("{:+.1}", c.explanation.score));
                }
                ui.end_row();
                ui.strong(tr!("ch-confidence"));
                ui.label("");
                for c in candidates {
                    ui.strong(format!("{}%", c.confidence));
                }
                ui.end_row();
                // Why the engine would not link it by itself (household
                // evidence only, or a conflict with the person's records).
                if candidates
                    .iter()
                    .any(|c| c.hold.is_some() || c.why_not.is_some())
                {
                    ui.strong(tr!("ch-not-auto"));
                    ui.label("");
                    for c in candidates {
                        let why = why_not_linked(c);
                        // Wrapped to the width of a candidate's column.
                        ui.scope(|ui| {
                            ui.set_max_width(300.0);
                            ui.add(egui::Label::new(why.as_str()).wrap());
                        });
                    }
                    ui.end_row();
                }
            });
    });
    ui.separator();
    // The actions stay outside the scroll area, always in view.
    ui.horizontal_wrapped(|ui| {
        for c in candidates {
            let rid = c.reference_id.clone();
            if ui.button(tr!("ch-link", rid = rid.as_str())).clicked() {
                choice = Some(Choice::Link(rid));
            }
        }
        if allow_new && ui.button(tr!("ch-create-new")).clicked() {
            choice = Some(Choice::New);
        }
        if ui.button(tr!("cancel")).clicked() {
            choice = Some(Choice::Cancel);
        }
    });
    choice
}

impl RegisterScreen {
    pub(super) fn chooser_modal(&mut self, desk: &mut Desk, ctx: &egui::Context) {
        if !self.chooser_open {
            return;
        }
        let candidates = self.candidates.clone();
        let mut choice = None;
        let mut confirmed: Option<String> = None;
        let mut open = true;
        egui::Window::new(tr!("ch-title"))
            .id(egui::Id::unique("chooser"))
            .open(&mut open)
            .collapsible(false)
            .resizable(true)
            .default_width(900.0)
            // As tall as the window allows, so the grid scrolls only when
            // it must and the actions stay in view.
            .default_height((ctx.content_rect().height() - 120.0).clamp(300.0, 760.0))
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ctx, |ui| {
                ui.label(tr!("ch-help"));
                ui.separator();
                // Room under the grid for the reason, once asked for.
                let reserve = if self.override_open { 70.0 } else { 0.0 };
                let left = self.form.sor_attributes("draft");
                choice = comparison(ui, &left, &candidates, !self.override_open, reserve);
                if self.override_open {
                    // A new person over a likely duplicate is a decision that
                    // is kept: the reason goes into the audit trail.
                    ui.label(tr!("ch-override-help"));
                    ui.horizontal_wrapped(|ui| {
                        let l = ui.label(tr!("ch-override-reason"));
                        let r = ui
                            .add(
                                egui::TextEdit::singleline(&mut self.override_reason)
                                    .hint_text(tr!("ch-override-hint"))
                                    .desired_width(320.0),
                            )
                            .labelled_by(l.id);
                        if std::mem::take(&mut self.override_focus) {
                            r.request_focus();
                        }
                        let ready = self.override_reason.trim().chars().count() >= 3;
                        if ui
                            .add_enabled(ready, egui::Button::new(tr!("ch-override-confirm")))
                            .clicked()
                        {
                            confirmed = Some(self.override_reason.trim().to_string());
                        }
                    });
                }
            });
        if !open && choice.is_none() {
            choice = Some(Choice::Cancel);
        }
        if let Some(reason) = confirmed {
            self.override_open = false;
            self.override_reason.clear();
            self.submit(desk, Some(reason));
            return;
        }
        match choice {
            Some(Choice::Link(rid)) => self.link_to(desk, &rid),
            Some(Choice::New) => {
                self.override_open = true;
                self.override_focus = true;
            }
            Some(Choice::Cancel) => {
                self.chooser_open = false;
                self.override_open = false;
                self.override_reason.clear();
            }
            Some(Choice::NotSame(_)) | None => {}
        }
    }
}
