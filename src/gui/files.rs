//! Choosing files where the desktop's file dialog cannot open: rfd is built
//! for the XDG portal only, and without a portal (a bare X session, a
//! kiosk) it answers at once as if the user had cancelled. Then this small
//! dialog in the window lists folders and scans; folders are read on a
//! thread, so a slow disk never freezes the window. Dropping files on the
//! window works in either case.

use crate::tr;
use eframe::egui::{self, RichText};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

/// An answer faster than this is not a person cancelling: no dialog opened.
const NO_DIALOG: Duration = Duration::from_millis(400);

/// The extensions the scans may have (the service checks the content).
pub const SCAN_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png"];
/// What an import reads.
pub const CSV_EXTENSIONS: &[&str] = &["csv", "txt"];

/// A folder's listing: folders first, then the scans, by name.
struct Listing {
    dir: PathBuf,
    entries: Result<Vec<(String, bool)>, String>,
}

fn list(dir: &Path, extensions: &[&str]) -> Listing {
    let entries = std::fs::read_dir(dir).map_err(|e| e.to_string()).map(|rd| {
        let mut v: Vec<(String, bool)> = rd
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().to_string();
                if name.starts_with('.') {
                    return None;
                }
                let is_dir = e.file_type().ok()?.is_dir();
                let scan = Path::new(&name)
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| extensions.contains(&x.to_ascii_lowercase().as_str()));
                (is_dir || scan).then_some((name, is_dir))
            })
            .collect();
        v.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| a.0.to_lowercase().cmp(&b.0.to_lowercase()))
        });
        v
    });
    Listing {
        dir: dir.to_path_buf(),
        entries,
    }
}

/// The dialog's state while it is open.
pub struct FileBrowser {
    /// What the chosen files are for (the document the scans go to).
    pub doc: usize,
    extensions: &'static [&'static str],
    /// One file (an import) or several (a document's pages).
    several: bool,
    title: &'static str,
    dir: PathBuf,
    typed: String,
    listing: Option<Listing>,
    loading: Option<Receiver<Listing>>,
    chosen: Vec<PathBuf>,
}

/// What the dialog decided this frame.
pub enum Outcome {
    Open,
    Chosen(Vec<PathBuf>),
    Cancelled,
}

impl FileBrowser {
    /// The window's dialog for scans.
    pub fn scans(ctx: &egui::Context, doc: usize) -> FileBrowser {
        let dir = dirs::picture_dir().or_else(dirs::home_dir);
        FileBrowser::new(ctx, doc, dir, SCAN_EXTENSIONS, true, "fb-title")
    }

    /// The window's dialog for a CSV file to import.
    pub fn csv(ctx: &egui::Context) -> FileBrowser {
        let dir = dirs::document_dir().or_else(dirs::home_dir);
        FileBrowser::new(ctx, 0, dir, CSV_EXTENSIONS, false, "fb-title-csv")
    }

    fn new(
        ctx: &egui::Context,
        doc: usize,
        dir: Option<PathBuf>,
        extensions: &'static [&'static str],
        several: bool,
        title: &'static str,
    ) -> FileBrowser {
        let dir = dir.unwrap_or_else(|| PathBuf::from("/"));
        let mut b = FileBrowser {
            doc,
            extensions,
            several,
            title,
            typed: dir.display().to_string(),
            dir: dir.clone(),
            listing: None,
            loading: None,
            chosen: vec![],
        };
        b.go(ctx, dir);
        b
    }

    fn go(&mut self, ctx: &egui::Context, dir: PathBuf) {
        let (tx, rx) = channel();
        let ctx = ctx.clone();
        self.dir = dir.clone();
        self.typed = dir.display().to_string();
        self.chosen.clear();
        let extensions = self.extensions;
        std::thread::spawn(move || {
            let _ = tx.send(list(&dir, extensions));
            ctx.request_repaint();
        });
        self.loading = Some(rx);
    }

    /// Draw the dialog; `Chosen` once the user attaches files.
    pub fn show(&mut self, ctx: &egui::Context) -> Outcome {
        if let Some(rx) = &self.loading
            && let Ok(l) = rx.try_recv()
        {
            self.listing = Some(l);
            self.loading = None;
        }
        let mut outcome = Outcome::Open;
        let mut go_to: Option<PathBuf> = None;
        let mut open = true;
        egui::Window::new(tr!(self.title))
            .id(egui::Id::unique("file-browser"))
            .open(&mut open)
            .collapsible(false)
            .default_width(520.0)
            .default_height(420.0)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ctx, |ui| {
                ui.label(RichText::new(tr!("fb-why")).small().weak());
                ui.horizontal(|ui| {
                    let l = ui.label(tr!("fb-folder"));
                    let r = ui
                        .add(egui::TextEdit::singleline(&mut self.typed).desired_width(300.0))
                        .labelled_by(l.id);
                    if r.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
                        || ui.button(tr!("fb-go")).clicked()
                    {
                        go_to = Some(PathBuf::from(self.typed.trim()));
                    }
                    if let Some(up) = self.dir.parent()
                        && ui.button(tr!("fb-up")).clicked()
                    {
                        go_to = Some(up.to_path_buf());
                    }
                });
                ui.separator();
                egui::ScrollArea::vertical()
                    .max_height(300.0)
                    .auto_shrink([false, true])
                    .show(ui, |ui| match &self.listing {
                        _ if self.loading.is_some() => {
                            ui.spinner();
                        }
                        None => {}
                        Some(Listing {
                            entries: Err(e), ..
                        }) => {
                            ui.label(tr!("fb-cannot-read", why = e.as_str()));
                        }
                        Some(Listing {
                            entries: Ok(v),
                            dir,
                        }) => {
                            if v.is_empty() {
                                ui.label(tr!("fb-empty"));
                            }
                            for (name, is_dir) in v {
                                let path = dir.join(name);
                                if *is_dir {
                                    if ui.selectable_label(false, format!("[{name}]")).clicked() {
                                        go_to = Some(path);
                                    }
                                } else {
                                    let on = self.chosen.contains(&path);
                                    if ui.selectable_label(on, name.as_str()).clicked() {
                                        if on {
                                            self.chosen.retain(|p| p != &path);
                                        } else {
                                            if !self.several {
                                                self.chosen.clear();
                                            }
                                            self.chosen.push(path);
                                        }
                                    }
                                }
                            }
                        }
                    });
                ui.separator();
                ui.horizontal(|ui| {
                    if ui
                        .add_enabled(
                            !self.chosen.is_empty(),
                            egui::Button::new(if self.several {
                                tr!("fb-attach", n = self.chosen.len())
                            } else {
                                tr!("fb-choose-file")
                            }),
                        )
                        .clicked()
                    {
                        outcome = Outcome::Chosen(std::mem::take(&mut self.chosen));
                    }
                    if ui.button(tr!("cancel")).clicked() {
                        outcome = Outcome::Cancelled;
                    }
                });
            });
        if let Some(dir) = go_to {
            self.go(ctx, dir);
        }
        if !open {
            outcome = Outcome::Cancelled;
        }
        outcome
    }
}

/// The desktop's file dialog for scans, on a thread; the answer says
/// whether a dialog really opened (`None`: it did not, offer ours).
pub fn pick_scans(ctx: &egui::Context) -> Receiver<Option<Vec<PathBuf>>> {
    pick(ctx, tr!("reg-scans-filter"), SCAN_EXTENSIONS, true)
}

/// The desktop's file dialog for one CSV file (as [`pick_scans`]).
pub fn pick_csv(ctx: &egui::Context) -> Receiver<Option<Vec<PathBuf>>> {
    pick(ctx, tr!("imp-filter"), CSV_EXTENSIONS, false)
}

fn pick(
    ctx: &egui::Context,
    // Words are chosen on the UI thread, which speaks the user's language.
    filter_name: String,
    extensions: &'static [&'static str],
    several: bool,
) -> Receiver<Option<Vec<PathBuf>>> {
    let (tx, rx) = channel();
    let ctx = ctx.clone();
    // Without a session bus there is no portal to ask.
    let no_bus = std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none();
    std::thread::spawn(move || {
        let answer = if no_bus {
            None
        } else {
            let started = Instant::now();
            let dialog = rfd::FileDialog::new().add_filter(filter_name, extensions);
            let files = if several {
                dialog.pick_files()
            } else {
                dialog.pick_file().map(|f| vec![f])
            };
            match files {
                Some(f) => Some(f),
                None if started.elapsed() < NO_DIALOG => None,
                None => Some(vec![]),
            }
        };
        let _ = tx.send(answer);
        ctx.request_repaint();
    });
    rx
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_folder_lists_its_folders_then_its_scans() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["b.PNG", "a.jpg", "notes.txt", ".hidden.png"] {
            std::fs::write(dir.path().join(f), b"x").unwrap();
        }
        std::fs::create_dir(dir.path().join("zeta")).unwrap();
        let l = list(dir.path(), SCAN_EXTENSIONS);
        let names: Vec<(String, bool)> = l.entries.unwrap();
        assert_eq!(
            names,
            [
                ("zeta".to_string(), true),
                ("a.jpg".to_string(), false),
                ("b.PNG".to_string(), false)
            ]
        );
        assert!(
            list(&dir.path().join("missing"), SCAN_EXTENSIONS)
                .entries
                .is_err()
        );
    }
}
