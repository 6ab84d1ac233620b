//! The calendar beside a date field, in the user's language (egui_extras'
//! picker draws English month and day names). The button shows the typed
//! date, or "Calendar" while none is typed; the month shown opens on the
//! typed date. Choosing a day fills the field; Escape or a click elsewhere
//! closes it. Typing the date stays the quick way.

use crate::tr;
use chrono::{Datelike, NaiveDate};
use eframe::egui::{self, Area, Frame, Key, Order, RichText, Ui};

/// What the popup shows: its month, while open.
#[derive(Clone, Copy, Debug, Default)]
struct View {
    open: bool,
    year: i32,
    month: u32,
}

fn days_in(year: i32, month: u32) -> u32 {
    let (ny, nm) = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .map_or(28, |d| d.day())
}

/// The month `delta` months from (year, month).
fn shift(year: i32, month: u32, delta: i32) -> (i32, u32) {
    let m = year * 12 + month as i32 - 1 + delta;
    (m.div_euclid(12), m.rem_euclid(12) as u32 + 1)
}

/// Draw the calendar button for the date `typed` (None: none or not a
/// date); returns the chosen day as `YYYY-MM-DD`.
pub fn button(ui: &mut Ui, id_salt: &str, typed: Option<NaiveDate>) -> Option<String> {
    let id = ui.make_persistent_id(("calendar", id_salt));
    let mut view: View = ui.data(|d| d.get_temp(id)).unwrap_or_default();
    let text = match typed {
        Some(d) => d.format("%Y-%m-%d").to_string(),
        None => tr!("calendar"),
    };
    let response = ui.button(text);
    let mut chosen = None;
    if response.clicked() {
        view.open = !view.open;
        // Opens on the typed date's month, else on a common one for adults.
        let start = typed.unwrap_or_else(|| NaiveDate::from_ymd_opt(1990, 1, 1).expect("a date"));
        view.year = start.year();
        view.month = start.month();
    }
    if view.open {
        let mut pos = response.rect.left_bottom();
        let width = 260.0;
        if pos.x + width + 20.0 > ui.clip_rect().right() {
            pos.x = (response.rect.right() - width - 20.0).max(4.0);
        }
        let area = Area::new(id.with("popup"))
            .kind(egui::UiKind::Picker)
            .order(Order::Foreground)
            .fixed_pos(pos)
            .show(ui.ctx(), |ui| {
                Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_width(width);
                    ui.horizontal(|ui| {
                        if ui.button("<").on_hover_text(tr!("cal-previous")).clicked() {
                            (view.year, view.month) = shift(view.year, view.month, -1);
                        }
                        ui.label(
                            RichText::new(tr!(
                                "cal-month",
                                month = view.month,
                                year = view.year.to_string()
                            ))
                            .strong(),
                        );
                        if ui.button(">").on_hover_text(tr!("cal-next")).clicked() {
                            (view.year, view.month) = shift(view.year, view.month, 1);
                        }
                        let l = ui.label(tr!("cal-year"));
                        ui.add(egui::DragValue::new(&mut view.year).range(1900..=2100))
                            .labelled_by(l.id);
                    });
                    let names = tr!("cal-weekdays");
                    let first = NaiveDate::from_ymd_opt(view.year, view.month, 1)
                        .map_or(0, |d| d.weekday().num_days_from_monday());
                    egui::Grid::new(id.with("days"))
                        .num_columns(7)
                        .show(ui, |ui| {
                            for n in names.split_whitespace() {
                                ui.label(RichText::new(n).weak());
                            }
                            ui.end_row();
                            for _ in 0..first {
                                ui.label("");
                            }
                            for day in 1..=days_in(view.year, view.month) {
                                let date = NaiveDate::from_ymd_opt(view.year, view.month, day);
                                let on = date.is_some() && date == typed;
                                if ui.selectable_label(on, format!("{day:>2}")).clicked() {
                                    chosen = date.map(|d| d.format("%Y-%m-%d").to_string());
                                }
                                if (first + day).is_multiple_of(7) {
                                    ui.end_row();
                                }
                            }
                        });
                })
            });
        let escape = ui.input(|i| i.key_pressed(Key::Escape));
        if chosen.is_some() || escape || (area.response.clicked_elsewhere() && !response.clicked())
        {
            view.open = false;
        }
    }
    ui.data_mut(|d| d.insert_temp(id, view));
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_have_their_days_and_turn_over_the_year() {
        assert_eq!(days_in(2024, 2), 29);
        assert_eq!(days_in(2023, 2), 28);
        assert_eq!(days_in(2023, 12), 31);
        assert_eq!(shift(2023, 12, 1), (2024, 1));
        assert_eq!(shift(2024, 1, -1), (2023, 12));
        assert_eq!(shift(2024, 5, -17), (2022, 12));
    }
}
