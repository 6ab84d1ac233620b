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
    // What is worth a check (never refusing) shares the field's line.
    let warnings: Option<Vec<String>> = ui.data(|d| {
        d.get_temp::<std::sync::Arc<Errors>>(egui::Id::unique(WARNINGS))
            .and_then(|w| w.get(path).cloned())
    });
    for w in warnings.into_iter().flatten() {
        ui.label(RichText::new(w).color(warn_color(ui)).small());
    }
}

const WARNINGS: &str = "registrar-form-warnings";

/// The warnings the form's fields show under them from now on (by path).
pub fn set_warnings(ui: &Ui, warnings: &Errors) {
    ui.data_mut(|d| {
        d.insert_temp(
            egui::Id::unique(WARNINGS),
            std::sync::Arc::new(warnings.clone()),
        )
    });
}

/// The width of a field in a form grid: as wide as 240 points, narrower
/// where the column is narrow (a 1024-point window) or its labels long
/// (Ukrainian), never so narrow it cannot show a word.
pub fn field_width(ui: &Ui) -> f32 {
    let column = column_width(ui);
    if stacked(ui) {
        (column - 24.0).clamp(90.0, 240.0)
    } else {
        (column - label_room(ui) - 24.0).clamp(90.0, 240.0)
    }
}

fn column_width(ui: &Ui) -> f32 {
    ui.data(|d| d.get_temp::<f32>(egui::Id::unique(COLUMN_WIDTH)))
        .unwrap_or(400.0)
}

/// Where a grid's labels leave its fields too little room (a narrow column,
/// long labels), each label sits above its field instead of beside it.
pub fn stacked(ui: &Ui) -> bool {
    column_width(ui) - label_room(ui) - 24.0 < 150.0
}

const COLUMN_WIDTH: &str = "registrar-column-width";

/// A form's grid of rows (label, field, a button or nothing), with the
/// widths its labels leave for its fields worked out per grid.
pub fn form_grid(ui: &Ui, id: impl std::hash::Hash + std::fmt::Debug + Copy) -> egui::Grid {
    let key = egui::Id::unique("registrar-form-grid").with(id);
    ui.data_mut(|d| d.insert_temp(egui::Id::unique(CURRENT_GRID), key));
    // Rows close together: each field keeps a message line under it.
    egui::Grid::new(id)
        .num_columns(3)
        .spacing([10.0, 2.0])
        .min_row_height(MESSAGE_LINE)
}

const CURRENT_GRID: &str = "registrar-current-grid";

fn room_key(ui: &Ui) -> egui::Id {
    ui.data(|d| d.get_temp::<egui::Id>(egui::Id::unique(CURRENT_GRID)))
        .unwrap_or_else(|| egui::Id::unique("registrar-form-grid"))
        .with("label-room")
}

/// The widest label this grid has drawn (the labels' column), as of the
/// last frame: a grid's cells do not know their column's width.
fn label_room(ui: &Ui) -> f32 {
    // The key first: reading the context's memory inside another read of
    // it can deadlock against a thread waiting to write (the worker's
    // request_repaint).
    let key = room_key(ui);
    ui.data(|d| d.get_temp::<f32>(key)).unwrap_or(130.0)
}

/// Remember a label's width for its grid's next frame.
fn note_label(ui: &Ui, label: &Response) {
    let key = room_key(ui);
    let w = label.rect.width();
    if w > label_room(ui) || ui.data(|d| d.get_temp::<f32>(key)).is_none() {
        ui.data_mut(|d| d.insert_temp(key, w));
    }
}

/// Size the fields of the grids that follow to a column `column_width`
/// wide: each grid gives its fields what its labels leave. The form says
/// it before each column.
pub fn set_field_width(ui: &Ui, column_width: f32) {
    ui.data_mut(|d| d.insert_temp(egui::Id::unique(COLUMN_WIDTH), column_width));
}

/// The messages for `path` in the grid row under its field, wrapped to the
/// field's width, so that they never squeeze a column to a letter.
///
/// The line is there whether or not there is a message (one line of small
/// text, and the grid's rows are close together), so a message appearing
/// or going never moves the fields below it: nothing jumps under the
/// pointer. Only a message longer than a line takes more.
pub fn error_row(ui: &mut Ui, errors: &Errors, path: &str, width: f32) {
    if !stacked(ui) {
        // An empty cell no taller than the message line.
        ui.allocate_exact_size(egui::vec2(0.0, MESSAGE_LINE), egui::Sense::hover());
    }
    ui.vertical(|ui| {
        ui.set_max_width(width);
        ui.set_min_height(MESSAGE_LINE);
        show_errors(ui, errors, path);
    });
    ui.end_row();
}

/// The height kept under each field for its message.
const MESSAGE_LINE: f32 = 12.0;

/// Where fields say that the user left them (their JSON paths), until the
/// form takes the list: a form shows a field's errors only once it has been
/// left (or the form submitted), not from the first keystroke.
const LEFT: &str = "registrar-fields-left";

fn mark_left(ui: &Ui, path: &str) {
    ui.data_mut(|d| {
        d.get_temp_mut_or_default::<Vec<String>>(egui::Id::unique(LEFT))
            .push(path.to_string())
    });
}

/// The paths of the fields left since the last call.
pub fn take_left(ctx: &egui::Context) -> Vec<String> {
    ctx.data_mut(|d| {
        std::mem::take(d.get_temp_mut_or_default::<Vec<String>>(egui::Id::unique(LEFT)))
    })
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
    note_label(ui, &l);
    if stacked(ui) {
        ui.end_row();
    }
    let width = field_width(ui);
    let r = ui
        .add(
            egui::TextEdit::singleline(value)
                // A stable id: a message appearing above must not move the
                // keyboard focus (auto ids count the widgets before).
                .id_salt(("field", path))
                .hint_text(hint)
                .desired_width(width)
                // Enter keeps the focus: the form moves it to the next field.
                .return_key(None),
        )
        .labelled_by(l.id);
    if r.lost_focus() {
        mark_left(ui, path);
    }
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
    note_label(ui, &l);
    if stacked(ui) {
        ui.end_row();
    }
    let width = field_width(ui);
    let changed = combo(ui, label, l.id, value, options);
    if changed {
        mark_left(ui, path);
    }
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
        crate::tr!("choose")
    } else {
        code_words(value).to_string()
    };
    let r = egui::ComboBox::from_id_salt(("combo", salt, label_id))
        .selected_text(shown)
        // The button draws its arrow beyond the width it is given.
        .width(field_width(ui) - 16.0)
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
    note_label(ui, &l);
    if stacked(ui) {
        ui.end_row();
    }
    let mut changed = false;
    let width = field_width(ui);
    ui.horizontal(|ui| {
        let r = ui
            .add(
                egui::TextEdit::singleline(value)
                    .id_salt(("field", path))
                    .hint_text(crate::tr!("date-hint"))
                    .desired_width((width - 80.0).max(90.0))
                    .return_key(None),
            )
            .labelled_by(l.id);
        changed |= r.changed();
        if r.lost_focus() {
            mark_left(ui, path);
        }
        // The button follows the typed date; with none (or none valid) it
        // says what it is instead of showing a date nobody typed.
        let typed = crate::core::validate::parse_date(value);
        if let Some(day) = super::calendar::button(ui, path, typed) {
            *value = day;
            changed = true;
            mark_left(ui, path);
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

/// A seed's code as a receptionist reads it, in the user's language:
/// dropdowns and the person view show these words, and the request keeps
/// the code. A code without words (a value from another system) shows as
/// it is.
pub fn code_words(code: &str) -> String {
    if code.is_empty() {
        return String::new();
    }
    crate::i18n::text_or(&format!("code-{code}"), code)
}

/// A phrase the service says in English from a closed set (a matching
/// field, a level, a weight in words), in the user's language:
/// `phrase("match-field", "birth date")` reads `match-field-birth-date`.
/// A phrase the catalogues lack shows as the service said it.
pub fn phrase(prefix: &str, english: &str) -> String {
    let id = format!("{prefix}-{}", crate::i18n::slug(english));
    crate::i18n::text_or(&id, english)
}

/// What the service found wrong (or worth a check), as a sentence in the
/// user's language: the message `<prefix>-<code>` with the violation's
/// parameters, codes among them in words. A code the catalogues lack says
/// the service's own description.
pub fn violation_words(prefix: &str, rule: &crate::api::views::RuleView) -> String {
    let code = rule.code.as_str();
    let id = format!("{prefix}-{code}");
    if code.is_empty() || !crate::i18n::has(&id) {
        return rule.description.clone();
    }
    let mut args = crate::i18n::Args::new();
    for (k, v) in &rule.params {
        let v = v.as_str().unwrap_or("");
        let words = match k.as_str() {
            "kind" | "encoded" | "typed" => code_words(v),
            "format" => crate::tr!(&format!("docfmt-{v}")),
            _ => v.to_string(),
        };
        args.set(k.clone(), words);
    }
    crate::i18n::text(&id, Some(&args))
}
