//! Small widgets that keep every input labelled for screen readers (and for
//! the AccessKit-driven tests).

use eframe::egui::{self, Color32, Response, RichText, Ui};
use std::collections::HashMap;

/// Violations by JSON path, as the router reported them.
pub type Errors = HashMap<String, Vec<String>>;

pub fn error_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(255, 120, 110)
    } else {
        Color32::from_rgb(190, 30, 30)
    }
}

pub fn ok_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(120, 220, 140)
    } else {
        Color32::from_rgb(20, 130, 50)
    }
}

/// Show the messages for `path` (and for paths under it when `deep`).
pub fn show_errors(ui: &mut Ui, errors: &Errors, path: &str) {
    if let Some(msgs) = errors.get(path) {
        for m in msgs {
            ui.label(
                RichText::new(format!("! {m}"))
                    .color(error_color(ui))
                    .small(),
            );
        }
    }
}

/// A labelled single-line text field in a 3-column grid row: label | field | errors.
pub fn text_row(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    hint: &str,
    errors: &Errors,
    path: &str,
) -> Response {
    let l = ui.label(label);
    let r = ui
        .add(
            egui::TextEdit::singleline(value)
                .hint_text(hint)
                .desired_width(240.0),
        )
        .labelled_by(l.id);
    ui.vertical(|ui| show_errors(ui, errors, path));
    ui.end_row();
    r
}

/// A labelled password field.
pub fn password_row(ui: &mut Ui, label: &str, value: &mut String) -> Response {
    let l = ui.label(label);
    let r = ui
        .add(
            egui::TextEdit::singleline(value)
                .password(true)
                .desired_width(240.0),
        )
        .labelled_by(l.id);
    ui.end_row();
    r
}

/// A labelled choice from a closed list.
pub fn combo_row(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    options: &[&str],
    errors: &Errors,
    path: &str,
) -> bool {
    let l = ui.label(label);
    let changed = combo(ui, label, l.id, value, options);
    ui.vertical(|ui| show_errors(ui, errors, path));
    ui.end_row();
    changed
}

/// A combo box named by the label with id `label_id`.
pub fn combo(
    ui: &mut Ui,
    salt: &str,
    label_id: egui::Id,
    value: &mut String,
    options: &[&str],
) -> bool {
    let before = value.clone();
    let shown = if value.is_empty() {
        "— choose —".to_string()
    } else {
        value.clone()
    };
    let r = egui::ComboBox::from_id_salt(("combo", salt, label_id))
        .selected_text(shown)
        .width(240.0)
        .show_ui(ui, |ui| {
            for o in options {
                ui.selectable_value(value, (*o).to_string(), *o);
            }
        });
    r.response.labelled_by(label_id);
    *value != before
}

/// A date as `YYYY-MM-DD` text with a calendar picker beside it.
pub fn date_row(ui: &mut Ui, label: &str, value: &mut String, errors: &Errors, path: &str) -> bool {
    let l = ui.label(label);
    let mut changed = false;
    ui.horizontal(|ui| {
        let r = ui
            .add(
                egui::TextEdit::singleline(value)
                    .hint_text("YYYY-MM-DD")
                    .desired_width(170.0),
            )
            .labelled_by(l.id);
        changed |= r.changed();
        let mut date = crate::core::validate::parse_date(value)
            .and_then(|d| {
                use chrono::Datelike;
                jiff::civil::Date::new(d.year() as i16, d.month() as i8, d.day() as i8).ok()
            })
            .unwrap_or_else(|| jiff::civil::date(1990, 1, 1));
        let before = date;
        ui.add(
            egui_extras::DatePickerButton::new(&mut date)
                .id_salt(path)
                .calendar_week(false)
                .show_icon(false),
        );
        if date != before {
            *value = format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day());
            changed = true;
        }
    });
    ui.vertical(|ui| show_errors(ui, errors, path));
    ui.end_row();
    changed
}

/// A section heading.
pub fn section(ui: &mut Ui, title: &str) {
    ui.add_space(8.0);
    ui.heading(title);
    ui.separator();
}
