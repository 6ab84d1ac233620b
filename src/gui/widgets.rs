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

/// Something to check that does not stop a registration.
pub fn warn_color(ui: &Ui) -> Color32 {
    if ui.visuals().dark_mode {
        Color32::from_rgb(240, 190, 90)
    } else {
        Color32::from_rgb(160, 95, 0)
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

/// The width of a field in a form grid: as wide as 240 points, narrower
/// where the column is narrow (a 1024-point window), never so narrow it
/// cannot show a word.
pub fn field_width(ui: &Ui) -> f32 {
    ui.data(|d| d.get_temp::<f32>(egui::Id::unique(FIELD_WIDTH)))
        .unwrap_or(240.0)
}

const FIELD_WIDTH: &str = "registrar-field-width";

/// Size the fields of the grids that follow to a column `column_width`
/// wide (labels take about 130 points of it). A grid's cells do not know
/// their column's width, so the form says it before each column.
pub fn set_field_width(ui: &Ui, column_width: f32) {
    let w = (column_width - 140.0).clamp(90.0, 240.0);
    ui.data_mut(|d| d.insert_temp(egui::Id::unique(FIELD_WIDTH), w));
}

/// The messages for `path` in the grid row under its field, wrapped to the
/// field's width, so that they never squeeze a column to a letter.
pub fn error_row(ui: &mut Ui, errors: &Errors, path: &str, width: f32) {
    if errors.get(path).is_some_and(|m| !m.is_empty()) {
        ui.label("");
        ui.vertical(|ui| {
            ui.set_max_width(width);
            show_errors(ui, errors, path);
        });
        ui.end_row();
    }
}

/// A labelled single-line text field in a grid row (label | field), its
/// messages in the row under it.
pub fn text_row(
    ui: &mut Ui,
    label: &str,
    value: &mut String,
    hint: &str,
    errors: &Errors,
    path: &str,
) -> Response {
    let l = ui.label(label);
    let width = field_width(ui);
    let r = ui
        .add(
            egui::TextEdit::singleline(value)
                .hint_text(hint)
                .desired_width(width)
                // Enter keeps the focus: the form moves it to the next field.
                .return_key(None),
        )
        .labelled_by(l.id);
    ui.end_row();
    error_row(ui, errors, path, width);
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
    let width = field_width(ui);
    let changed = combo(ui, label, l.id, value, options);
    ui.end_row();
    error_row(ui, errors, path, width);
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
        code_words(value).to_string()
    };
    let r = egui::ComboBox::from_id_salt(("combo", salt, label_id))
        .selected_text(shown)
        .width(field_width(ui))
        .show_ui(ui, |ui| {
            for o in options {
                ui.selectable_value(value, (*o).to_string(), code_words(o));
            }
        });
    r.response.labelled_by(label_id);
    *value != before
}

/// A date as `YYYY-MM-DD` text with a calendar picker beside it.
pub fn date_row(ui: &mut Ui, label: &str, value: &mut String, errors: &Errors, path: &str) -> bool {
    let l = ui.label(label);
    let mut changed = false;
    let width = field_width(ui);
    ui.horizontal(|ui| {
        let r = ui
            .add(
                egui::TextEdit::singleline(value)
                    .hint_text("YYYY-MM-DD")
                    .desired_width((width - 80.0).max(90.0))
                    .return_key(None),
            )
            .labelled_by(l.id);
        changed |= r.changed();
        let typed = crate::core::validate::parse_date(value).and_then(|d| {
            use chrono::Datelike;
            jiff::civil::Date::new(d.year() as i16, d.month() as i8, d.day() as i8).ok()
        });
        let mut date = typed.unwrap_or_else(|| jiff::civil::date(1990, 1, 1));
        let before = date;
        let mut picker = egui_extras::DatePickerButton::new(&mut date)
            .id_salt(path)
            .calendar_week(false)
            .show_icon(false);
        // The button follows the typed date; with none (or none valid) it
        // says what it is instead of showing a date nobody typed.
        if typed.is_none() {
            picker = picker.format("Calendar");
        }
        ui.add(picker);
        if date != before {
            *value = format!("{:04}-{:02}-{:02}", date.year(), date.month(), date.day());
            changed = true;
        }
    });
    ui.end_row();
    error_row(ui, errors, path, width);
    changed
}

/// A section heading.
pub fn section(ui: &mut Ui, title: &str) {
    ui.add_space(8.0);
    ui.heading(title);
    ui.separator();
}

/// A seed's code as a receptionist reads it: dropdowns and the person view
/// show these words, and the request keeps the code.
pub fn code_words(code: &str) -> &str {
    match code {
        "MALE" => "Male",
        "FEMALE" => "Female",
        "MOBILE" => "Mobile",
        "LAND_LINE" => "Landline",
        "REGISTRATION" => "Registered address",
        "RESIDENCE" => "Where the person lives",
        "OTP" => "One-time code by SMS",
        "OFFLINE" => "Offline (documents at the desk)",
        "THIRD_PERSON" => "Through a third person",
        "NA" => "None",
        "PRIMARY" => "Primary confidant",
        "SECONDARY" => "Secondary confidant",
        "PASSPORT" => "Passport",
        "NATIONAL_ID" => "ID card",
        "BIRTH_CERTIFICATE" => "Birth certificate",
        "BIRTH_CERTIFICATE_FOREIGN" => "Foreign birth certificate",
        "COMPLEMENTARY_PROTECTION_CERTIFICATE" => "Complementary protection certificate",
        "REFUGEE_CERTIFICATE" => "Refugee certificate",
        "TEMPORARY_CERTIFICATE" => "Temporary residence certificate",
        "TEMPORARY_PASSPORT" => "Temporary passport",
        "PERMANENT_RESIDENCE_PERMIT" => "Permanent residence permit",
        "CONFIDANT_CERTIFICATE" => "Confidant certificate",
        "COURT_DECISION" => "Court decision",
        "DOCUMENT" => "Other document",
        "MEDICAL_LICENSE" => "Medical licence",
        "NPI" => "NPI",
        "DEA" => "DEA number",
        "STATE_LICENSE" => "State licence",
        "DRIVER_LICENSE" => "Driving licence",
        "PASSPORT_NUMBER" => "Passport number",
        "TAX_ID" => "Tax id",
        "MILITARY_ID" => "Military id",
        other => other,
    }
}
