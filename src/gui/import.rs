//! Import CSV… (administrators): a file, its columns mapped to the
//! registry's fields (guessed from their names), the id column and the
//! source's name; the import runs on a task of its own with a progress bar
//! (rows per second, time left), can be stopped at a batch boundary and
//! resumed by importing the same file again, and ends with its summary.

use super::files::{FileBrowser, Outcome};
use super::worker::{ImportEvent, import_task};
use super::{Desk, widgets};
use crate::service::import::{CANONICAL, ImportOptions, ImportSummary};
use crate::tr;
use eframe::egui::{self, RichText};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::Receiver;
use std::time::Instant;

/// "Leave out" in a column's choice.
const IGNORE: &str = "";

#[derive(Default)]
pub struct ImportScreen {
    path: String,
    /// The file's columns, read on a thread.
    headers: Option<Result<Vec<String>, String>>,
    headers_rx: Option<Receiver<Result<Vec<String>, String>>>,
    /// Per column: the registry field it fills (`IGNORE`: none).
    map: Vec<String>,
    id_column: String,
    sor: String,
    pick: Option<Receiver<Option<Vec<PathBuf>>>>,
    browser: Option<FileBrowser>,
    running: Option<(Receiver<ImportEvent>, Arc<AtomicBool>, Instant)>,
    progress: Option<(ImportSummary, u64)>,
    result: Option<Result<ImportSummary, String>>,
}

impl ImportScreen {
    /// An import is under way (it outlives a sign-out).
    pub fn running(&self) -> bool {
        self.running.is_some()
    }
}

/// A column's field guessed from its name: the canonical name itself, or a
/// common spelling of it.
fn guess(header: &str) -> String {
    let h = header.trim().to_lowercase().replace([' ', '-'], "_");
    let alias = match h.as_str() {
        "first_name" | "given" | "firstname" | "givenname" => "given_name",
        "last_name" | "surname" | "lastname" | "family" | "sn" => "family_name",
        "middle" | "second_name" | "patronymic" => "middle_name",
        "dob" | "date_of_birth" | "birthdate" | "born" => "birth_date",
        "sex" => "gender",
        "mobile" | "mobile_phone" | "telephone" | "phone_number" => "phone",
        "e_mail" | "mail" | "email_address" => "email",
        "postcode" | "zip" | "postalcode" => "postal_code",
        "settlement" | "town" => "city",
        "rnokpp" | "taxid" | "inn" => "tax_id",
        other => other,
    };
    if CANONICAL.iter().any(|(c, _)| *c == alias) {
        alias.to_string()
    } else {
        IGNORE.to_string()
    }
}

fn field_words(canonical: &str) -> String {
    if canonical == IGNORE {
        tr!("imp-ignore")
    } else if CANONICAL.iter().any(|(c, _)| *c == canonical) {
        tr!(&format!("imp-col-{canonical}"))
    } else {
        canonical.to_string()
    }
}

impl ImportScreen {
    /// Whether a file's columns are still being read (on a thread of
    /// their own, not the worker's).
    pub fn reading_columns(&self) -> bool {
        self.headers_rx.is_some()
    }

    fn import_choose(&mut self, path: PathBuf, ctx: &egui::Context) {
        self.path = path.display().to_string();
        self.headers = None;
        self.result = None;
        self.progress = None;
        let (tx, rx) = std::sync::mpsc::channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let _ = tx.send(crate::service::import::headers(&path));
            ctx.request_repaint();
        });
        self.headers_rx = Some(rx);
    }

    /// Answers from the import's threads, whatever page shows: the
    /// desktop's dialog, the file's columns, the import's progress and its
    /// end (then the status bar's counts).
    pub(super) fn logic(&mut self, desk: &mut Desk, ctx: &egui::Context) {
        // Answers from the threads: the desktop's dialog, the columns, the
        // import's progress.
        if let Some(rx) = &self.pick
            && let Ok(answer) = rx.try_recv()
        {
            self.pick = None;
            match answer {
                Some(files) => {
                    if let Some(f) = files.into_iter().next() {
                        self.import_choose(f, ctx);
                    }
                }
                None => self.browser = Some(FileBrowser::csv(ctx)),
            }
        }
        if let Some(rx) = &self.headers_rx
            && let Ok(h) = rx.try_recv()
        {
            self.headers_rx = None;
            if let Ok(cols) = &h {
                self.map = cols.iter().map(|c| guess(c)).collect();
                self.id_column = cols
                    .iter()
                    .find(|c| {
                        let c = c.to_lowercase();
                        c.contains("id") && guess(&c).is_empty()
                    })
                    .or(cols.first())
                    .cloned()
                    .unwrap_or_default();
            }
            self.headers = Some(h);
        }
        let mut finished = false;
        if let Some((rx, _, _)) = &self.running {
            while let Ok(ev) = rx.try_recv() {
                match ev {
                    ImportEvent::Progress(s, total) => self.progress = Some((s, total)),
                    ImportEvent::Done(r) => {
                        self.result = Some(r);
                        finished = true;
                    }
                }
            }
        }
        if finished {
            self.running = None;
            desk.refresh_stats();
        }
    }

    pub(super) fn ui(&mut self, desk: &mut Desk, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        if desk.role() != "admin" {
            ui.label(tr!("imp-admins-only"));
            return;
        }
        if let Some(b) = &mut self.browser {
            match b.show(&ctx) {
                Outcome::Open => {}
                Outcome::Chosen(files) => {
                    self.browser = None;
                    if let Some(f) = files.into_iter().next() {
                        self.import_choose(f, &ctx);
                    }
                }
                Outcome::Cancelled => self.browser = None,
            }
        }
        let running = self.running.is_some();
        // A typed path, read like a chosen file once the page is drawn.
        let mut read: Option<PathBuf> = None;
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.label(RichText::new(tr!("imp-help")).weak());
                ui.add_space(6.0);
                ui.add_enabled_ui(!running, |ui| {
                    ui.horizontal(|ui| {
                        let l = ui.label(tr!("imp-file"));
                        let r = ui
                            .add(egui::TextEdit::singleline(&mut self.path).desired_width(420.0))
                            .labelled_by(l.id);
                        let typed = r.lost_focus() && !self.path.trim().is_empty();
                        if ui.button(tr!("imp-choose")).clicked() && self.pick.is_none() {
                            self.pick = Some(super::files::pick_csv(&ctx));
                        }
                        if ui.button(tr!("imp-read")).clicked() || typed {
                            read = Some(PathBuf::from(self.path.trim()));
                        }
                    });
                });
                match &self.headers {
                    None if self.headers_rx.is_some() => {
                        ui.spinner();
                    }
                    None => {}
                    Some(Err(e)) => {
                        ui.label(
                            RichText::new(tr!("imp-cannot-read", why = e.as_str()))
                                .color(widgets::error_color(ui)),
                        );
                    }
                    Some(Ok(cols)) => {
                        let cols = cols.clone();
                        widgets::section(ui, &tr!("imp-columns"));
                        ui.add_enabled_ui(!running, |ui| {
                            egui::Grid::new("import-columns")
                                .num_columns(2)
                                .striped(true)
                                .spacing([16.0, 4.0])
                                .show(ui, |ui| {
                                    ui.strong(tr!("imp-column"));
                                    ui.strong(tr!("imp-field"));
                                    ui.end_row();
                                    for (i, c) in cols.iter().enumerate() {
                                        let l = ui.label(c);
                                        let slot = &mut self.map[i];
                                        egui::ComboBox::from_id_salt(("import-col", i))
                                            .selected_text(field_words(slot))
                                            .width(240.0)
                                            .show_ui(ui, |ui| {
                                                ui.selectable_value(
                                                    slot,
                                                    IGNORE.to_string(),
                                                    field_words(IGNORE),
                                                );
                                                for (canonical, _) in CANONICAL {
                                                    ui.selectable_value(
                                                        slot,
                                                        canonical.to_string(),
                                                        field_words(canonical),
                                                    );
                                                }
                                            })
                                            .response
                                            .labelled_by(l.id);
                                        ui.end_row();
                                    }
                                });
                            ui.horizontal(|ui| {
                                let l = ui.label(tr!("imp-id-column"));
                                egui::ComboBox::from_id_salt("import-id")
                                    .selected_text(self.id_column.clone())
                                    .show_ui(ui, |ui| {
                                        for c in &cols {
                                            ui.selectable_value(&mut self.id_column, c.clone(), c);
                                        }
                                    })
                                    .response
                                    .labelled_by(l.id);
                            });
                            ui.horizontal(|ui| {
                                let l = ui.label(tr!("imp-sor"));
                                ui.add(
                                    egui::TextEdit::singleline(&mut self.sor)
                                        .hint_text(tr!("imp-sor-hint"))
                                        .desired_width(200.0),
                                )
                                .labelled_by(l.id);
                            });
                        });
                        ui.add_space(6.0);
                        ui.horizontal(|ui| {
                            let ready = !running
                                && !self.id_column.is_empty()
                                && !self.sor.trim().is_empty();
                            if ui
                                .add_enabled(
                                    ready,
                                    egui::Button::new(RichText::new(tr!("imp-start")).strong()),
                                )
                                .clicked()
                                && let (Some(db), Some(user)) =
                                    (desk.db_path.clone(), desk.user.clone())
                            {
                                let stop = Arc::new(AtomicBool::new(false));
                                let map: Vec<(String, String)> = cols
                                    .iter()
                                    .zip(&self.map)
                                    .filter(|(_, f)| !f.is_empty())
                                    .map(|(c, f)| (c.clone(), f.clone()))
                                    .collect();
                                let opts = ImportOptions {
                                    sor: self.sor.trim().to_string(),
                                    id_column: self.id_column.clone(),
                                    map,
                                    batch: crate::service::import::DEFAULT_BATCH,
                                    stop: Some(stop.clone()),
                                    wal_limit: crate::service::import::WAL_LIMIT,
                                    rows_expected: None,
                                };
                                let file = PathBuf::from(&self.path);
                                self.result = None;
                                self.progress = None;
                                self.running = Some((
                                    import_task(ctx.clone(), db, Some(user), file, opts),
                                    stop,
                                    Instant::now(),
                                ));
                            }
                            if let Some((_, stop, _)) = &self.running
                                && ui.button(tr!("imp-stop")).clicked()
                            {
                                stop.store(true, Ordering::Relaxed);
                            }
                        });
                    }
                }
                if let Some((_, _, started)) = &self.running {
                    let (done, total) = self
                        .progress
                        .as_ref()
                        .map(|(s, t)| (s.rows, *t))
                        .unwrap_or((0, 0));
                    let secs = started.elapsed().as_secs_f64().max(1e-3);
                    let rate = done as f64 / secs;
                    let share = if total > 0 {
                        (done as f32 / total as f32).min(1.0)
                    } else {
                        0.0
                    };
                    let left = if rate > 0.0 && total > done {
                        let t = ((total - done) as f64 / rate) as u64;
                        tr!(
                            "imp-left",
                            minutes = t / 60,
                            seconds = format!("{:02}", t % 60)
                        )
                    } else {
                        tr!("none-dash")
                    };
                    ui.add(
                        egui::ProgressBar::new(share)
                            .show_percentage()
                            .desired_width(480.0),
                    );
                    ui.label(tr!(
                        "imp-progress",
                        done = done,
                        total = total,
                        rate = format!("{rate:.0}"),
                        left = left
                    ));
                    ui.ctx()
                        .request_repaint_after(std::time::Duration::from_millis(250));
                }
                match &self.result {
                    Some(Ok(s)) => {
                        widgets::section(ui, &tr!("imp-summary"));
                        ui.label(
                            RichText::new(if s.interrupted {
                                tr!("imp-stopped", rows = s.rows)
                            } else {
                                tr!("imp-done", rows = s.rows)
                            })
                            .color(if s.interrupted {
                                widgets::warn_color(ui)
                            } else {
                                widgets::ok_color(ui)
                            }),
                        );
                        ui.label(tr!(
                            "imp-counts",
                            linked = s.linked,
                            new = s.new,
                            queued = s.queued,
                            skipped = s.skipped,
                            rejected = s.rejected.len()
                        ));
                        if !s.rejected.is_empty() || !s.dropped_fields.is_empty() {
                            egui::CollapsingHeader::new(tr!(
                                "imp-issues",
                                n = s.rejected.len() + s.dropped_fields.len()
                            ))
                            .show(ui, |ui| {
                                for r in s.rejected.iter().chain(&s.dropped_fields).take(50) {
                                    ui.label(tr!(
                                        "imp-issue",
                                        line = r.line,
                                        field = field_words(&r.field),
                                        reason = r.reason.as_str()
                                    ));
                                }
                            });
                        }
                    }
                    Some(Err(e)) => {
                        ui.label(
                            RichText::new(tr!("imp-failed", why = e.as_str()))
                                .color(widgets::error_color(ui)),
                        );
                    }
                    None => {}
                }
            });
        if let Some(path) = read {
            self.import_choose(path, &ctx);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::guess;

    #[test]
    fn columns_are_guessed_from_their_names() {
        assert_eq!(guess("given_name"), "given_name");
        assert_eq!(guess("Surname"), "family_name");
        assert_eq!(guess("date of birth"), "birth_date");
        assert_eq!(guess("record_id"), "");
        assert_eq!(guess("favourite colour"), "");
    }
}
