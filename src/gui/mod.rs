//! The eframe workstation shell.

use std::path::PathBuf;

/// Open the workstation window on the database at `db`. Returns an exit code.
pub fn run(db: PathBuf) -> i32 {
    let options = eframe::NativeOptions {
        viewport: eframe::egui::ViewportBuilder::default()
            .with_title("Registrar")
            .with_inner_size([1200.0, 800.0]),
        ..Default::default()
    };
    let result = eframe::run_native(
        "Registrar",
        options,
        Box::new(move |_cc| Ok(Box::new(App { db }))),
    );
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("registrar: cannot open the window: {e}");
            1
        }
    }
}

struct App {
    db: PathBuf,
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut eframe::egui::Ui, _frame: &mut eframe::Frame) {
        eframe::egui::CentralPanel::default().show(ui, |ui| {
            ui.heading("Registrar");
            ui.label(format!("Database: {}", self.db.display()));
        });
    }
}
