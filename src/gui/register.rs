//! The registration page: the form, live validation, documents with scans,
//! issued identifiers, the confidant section and the duplicate check.

use super::form::*;
use super::widgets::{self, Errors};
use super::worker::{Reply, Tag};
use super::{App, Notice};
use crate::core::rules;
use eframe::egui::{self, Key, RichText};
use serde_json::{Value, json};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

/// A scanned page read off the UI thread: bytes and a decoded thumbnail.
pub struct FileEvent {
    pub doc: usize,
    pub result: Result<(String, String, Vec<u8>, Option<egui::ColorImage>), String>,
}

pub struct RegisterState {
    pub form: PersonForm,
    /// Put the keyboard in the first field on the next frame.
    pub focus_first: bool,
    generation: u64,
    changed_at: Option<Instant>,
    fingerprint: String,
    pub errors: Errors,
    /// What the service says without refusing (a tax id that disagrees
    /// with the form), by path.
    pub warnings: Errors,
    pub uploads: Vec<String>,
    pub candidates: Vec<Value>,
    pub chooser_open: bool,
    pub scan_error: Option<String>,
    files_tx: Sender<FileEvent>,
    files_rx: Receiver<FileEvent>,
    pub submit_error: Option<String>,
    /// The confidant picker: what was typed, what the search found, and the
    /// person chosen (as the screen names them).
    confidant_query: String,
    confidant_generation: u64,
    confidant_hits: Vec<Value>,
    confidant_chosen: Option<String>,
    /// Whether the last frame's birth date made the person a child.
    was_child: bool,
    /// The field a just-added row should put the keyboard in (its label).
    focus_label: Option<String>,
}

/// Put the keyboard in a just-added row's field: "Add phone" leads to the
/// new phone's number, not back to the top of the window.
fn focus_added(field: &egui::Response, label: &str, wanted: &mut Option<String>) {
    if wanted.as_deref() == Some(label) {
        field.request_focus();
        *wanted = None;
    }
}

/// What the confidant picker asks for.
enum PickerAction {
    Search,
    Choose { id: String, shown: String },
    Clear,
}

/// Find a registered person (name, M-number, phone) and choose them as the
/// confidant and third person: their data fills the section.
fn confidant_picker(
    ui: &mut egui::Ui,
    query: &mut String,
    hits: &[Value],
    chosen: Option<&str>,
) -> Option<PickerAction> {
    let mut action = None;
    if let Some(shown) = chosen {
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(format!("Confidant: {shown}")).strong());
            if ui.button("Choose another confidant").clicked() {
                action = Some(PickerAction::Clear);
            }
        });
        return action;
    }
    ui.horizontal_wrapped(|ui| {
        let l = ui.label("Find the confidant");
        let r = ui
            .add(
                egui::TextEdit::singleline(query)
                    .hint_text("name, M-number or phone")
                    .desired_width(220.0),
            )
            .labelled_by(l.id);
        if r.changed() {
            action = Some(PickerAction::Search);
        }
    });
    for h in hits.iter().take(5) {
        let name = h["name"].as_str().unwrap_or("");
        let code = h["reference_id"].as_str().unwrap_or("");
        let shown = format!("{name} ({code})");
        ui.horizontal_wrapped(|ui| {
            if ui.button(format!("Choose {shown}")).clicked() {
                action = Some(PickerAction::Choose {
                    id: h["id"].as_str().unwrap_or("").to_string(),
                    shown: shown.clone(),
                });
            }
            ui.label(format!(
                "born {} · {}",
                h["birth_date"].as_str().unwrap_or("—"),
                h["phone"].as_str().unwrap_or("no phone")
            ));
        });
    }
    if !query.trim().is_empty() && hits.is_empty() {
        ui.label("Nobody found yet: type more of the name, an M-number or a phone, or fill in the fields below.");
    }
    action
}

impl RegisterState {
    pub fn new() -> RegisterState {
        let (files_tx, files_rx) = channel();
        RegisterState {
            form: PersonForm::default(),
            focus_first: true,
            generation: 0,
            changed_at: None,
            fingerprint: String::new(),
            errors: Errors::new(),
            warnings: Errors::new(),
            uploads: vec![],
            candidates: vec![],
            chooser_open: false,
            scan_error: None,
            files_tx,
            files_rx,
            submit_error: None,
            confidant_query: String::new(),
            confidant_generation: 0,
            confidant_hits: vec![],
            confidant_chosen: None,
            was_child: false,
            focus_label: None,
        }
    }

    fn touched(&mut self) {
        self.generation += 1;
        self.changed_at = Some(Instant::now());
    }

    /// Read files on a thread: content type and size checks, thumbnail.
    pub fn read_files(&self, ctx: &egui::Context, doc: usize, paths: Vec<std::path::PathBuf>) {
        let tx = self.files_tx.clone();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            for p in paths {
                let name = p
                    .file_name()
                    .map(|n| n.to_string_lossy().to_string())
                    .unwrap_or_default();
                let result = std::fs::read(&p)
                    .map_err(|e| format!("{name}: {e}"))
                    .and_then(|bytes| {
                        let media = crate::core::validate::check_scan(&bytes)
                            .map_err(|e| format!("{name}: {e}"))?;
                        let thumb = image::load_from_memory(&bytes).ok().map(|img| {
                            let t = img.thumbnail(96, 96).to_rgba8();
                            egui::ColorImage::from_rgba_unmultiplied(
                                [t.width() as usize, t.height() as usize],
                                t.as_raw(),
                            )
                        });
                        Ok((name.clone(), media.to_string(), bytes, thumb))
                    });
                let _ = tx.send(FileEvent { doc, result });
            }
            ctx.request_repaint();
        });
    }

    pub fn poll_files(&mut self, ctx: &egui::Context) {
        // Files dropped on the window go to the last document.
        let dropped: Vec<std::path::PathBuf> = ctx.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        });
        if !dropped.is_empty() {
            if self.form.documents.is_empty() {
                self.scan_error =
                    Some("Add a document first, then drop its scanned pages on the window.".into());
            } else {
                self.read_files(ctx, self.form.documents.len() - 1, dropped);
            }
        }
        while let Ok(ev) = self.files_rx.try_recv() {
            match ev.result {
                Ok((name, media, bytes, thumb)) => {
                    if let Some(d) = self.form.documents.get_mut(ev.doc) {
                        let thumbnail = thumb.map(|img| {
                            ctx.load_texture(
                                format!("scan-{name}-{}", bytes.len()),
                                img,
                                Default::default(),
                            )
                        });
                        d.scans.push(ScanFile {
                            file_name: name,
                            media_type: media,
                            bytes: std::sync::Arc::new(bytes),
                            thumbnail,
                        });
                        self.scan_error = None;
                    }
                }
                Err(e) => self.scan_error = Some(e),
            }
        }
    }
}

impl Default for RegisterState {
    fn default() -> Self {
        Self::new()
    }
}

fn errors_from(body: &Value) -> Errors {
    let mut e = Errors::new();
    if let Some(inv) = body["error"]["invalid"].as_array() {
        for i in inv {
            let entry = i["entry"].as_str().unwrap_or("").to_string();
            for r in i["rules"].as_array().into_iter().flatten() {
                e.entry(entry.clone())
                    .or_default()
                    .push(r["description"].as_str().unwrap_or("").to_string());
            }
        }
    }
    e
}

#[allow(clippy::too_many_arguments)]
fn documents_editor(
    ui: &mut egui::Ui,
    docs: &mut Vec<DocumentRow>,
    base: &str,
    kinds: &[&str],
    errors: &Errors,
    scans: bool,
    pick: &mut Option<usize>,
    label_prefix: &str,
) -> bool {
    let mut changed = false;
    let mut remove = None;
    for (i, d) in docs.iter_mut().enumerate() {
        let path = format!("{base}[{i}]");
        ui.group(|ui| {
            egui::Grid::new((base, i))
                .num_columns(3)
                .spacing([10.0, 6.0])
                .show(ui, |ui| {
                    changed |= widgets::combo_row(
                        ui,
                        &format!("{label_prefix}Document {} type", i + 1),
                        &mut d.kind,
                        kinds,
                        errors,
                        &format!("{path}.type"),
                    );
                    let hint = if d.kind.is_empty() {
                        "choose the type first".to_string()
                    } else {
                        rules::document_example(&d.kind).to_string()
                    };
                    changed |= widgets::text_row(
                        ui,
                        &format!("{label_prefix}Document {} number", i + 1),
                        &mut d.number,
                        &hint,
                        errors,
                        &format!("{path}.number"),
                    )
                    .changed();
                    changed |= widgets::text_row(
                        ui,
                        &format!("{label_prefix}Document {} issued by", i + 1),
                        &mut d.issued_by,
                        "authority",
                        errors,
                        &format!("{path}.issued_by"),
                    )
                    .changed();
                    changed |= widgets::date_row(
                        ui,
                        &format!("{label_prefix}Document {} issued on", i + 1),
                        &mut d.issued_at,
                        errors,
                        &format!("{path}.issued_at"),
                    );
                    changed |= widgets::date_row(
                        ui,
                        &format!("{label_prefix}Document {} expires on", i + 1),
                        &mut d.expiration_date,
                        errors,
                        &format!("{path}.expiration_date"),
                    );
                });
            if let Some(p) = rules::document_pattern_text(&d.kind) {
                ui.label(RichText::new(format!("Number pattern: {p}")).small().weak());
            }
            if scans {
                ui.horizontal_wrapped(|ui| {
                    for s in &d.stored_scans {
                        ui.label(format!("{s} (stored)"));
                    }
                    let mut drop_scan = None;
                    for (j, s) in d.scans.iter().enumerate() {
                        ui.vertical(|ui| {
                            if let Some(t) = &s.thumbnail {
                                ui.image((t.id(), t.size_vec2()));
                            }
                            ui.label(format!(
                                "{} · {} · {} KB",
                                s.file_name,
                                s.media_type,
                                s.bytes.len().div_ceil(1024)
                            ));
                            if ui.button(format!("Remove scan {}", s.file_name)).clicked() {
                                drop_scan = Some(j);
                            }
                        });
                    }
                    if let Some(j) = drop_scan {
                        d.scans.remove(j);
                        changed = true;
                    }
                    if ui
                        .button(format!("Attach scan to document {}…", i + 1))
                        .clicked()
                    {
                        *pick = Some(i);
                    }
                });
                widgets::show_errors(ui, errors, &format!("{path}.scans[0].content_base64"));
            }
            if ui
                .button(format!(
                    "Remove {}document {}",
                    label_prefix.to_lowercase(),
                    i + 1
                ))
                .clicked()
            {
                remove = Some(i);
            }
        });
    }
    if let Some(i) = remove {
        docs.remove(i);
        changed = true;
    }
    if ui
        .button(format!("Add {}document", label_prefix.to_lowercase()))
        .clicked()
    {
        docs.push(DocumentRow::default());
        changed = true;
    }
    changed
}

impl App {
    /// Is the person being registered a child, by the registry's date (the
    /// one the rules use) and its age limit, both from `GET /api/stats`?
    fn is_child(&self) -> bool {
        use crate::core::validate::{age_on, parse_date};
        let Some(today) = parse_date(&self.stats.today) else {
            return false;
        };
        parse_date(&self.register.form.birth_date)
            .is_some_and(|b| age_on(b, today) < self.stats.no_self_auth_age.max(1) as i32)
    }

    fn send_checks(&mut self) {
        let child = self.is_child();
        let st = &mut self.register;
        let generation = st.generation;
        let body = st.form.to_body(false, child);
        self.worker.call(
            Tag::Validate(generation),
            "POST",
            "/api/person_requests/validate",
            Some(&body),
        );
        let fp = st.form.match_fingerprint();
        if fp != st.fingerprint && st.form.editing.is_none() {
            st.fingerprint = fp;
            // Anything typed is worth a check: the engine decides what it
            // can block on (a phone, an e-mail or an identifier alone
            // finds people too), and answers nothing quickly when it can't.
            let attrs = st.form.sor_attributes("draft");
            if attrs.as_object().is_some_and(|o| o.len() > 1) {
                self.worker.call(
                    Tag::Candidates(generation),
                    "POST",
                    "/people/candidates?limit=5",
                    Some(&json!({"sorAttributes": attrs})),
                );
            } else {
                st.candidates.clear();
            }
        }
    }

    pub(super) fn submit(&mut self, force_new: bool) {
        let child = self.is_child();
        let st = &mut self.register;
        st.submit_error = None;
        if !force_new && st.form.editing.is_none() {
            // The service marks the candidates a person must decide on.
            let strong = st
                .candidates
                .iter()
                .any(|c| c["review"].as_bool().unwrap_or(false));
            if strong {
                st.chooser_open = true;
                return;
            }
        }
        st.chooser_open = false;
        let body = st.form.to_body(true, child);
        match &st.form.editing {
            Some((seq, version)) => {
                let mut person = body["person"].clone();
                if let Some(o) = person.as_object_mut() {
                    o.remove("authentication_methods");
                }
                let b = json!({"objectVersionNumber": version, "person": person});
                self.worker.call(
                    Tag::Submit,
                    "PUT",
                    &format!("/generic/persons/{seq}"),
                    Some(&b),
                );
            }
            None => {
                self.worker
                    .call(Tag::Submit, "POST", "/api/person_requests", Some(&body));
            }
        }
    }

    /// "Same person – link": seed 001's forced reconciliation of the desk record.
    pub(super) fn link_to(&mut self, reference_id: &str) {
        let desk_id = crate::core::ids::base62_id("desk_");
        let body = json!({
            "requestType": "referenceId", "version": "1.0", "sor": crate::service::idmatch::DESK_LINK_SOR,
            "sorAttributes": self.register.form.sor_attributes(&desk_id), "referenceId": reference_id,
        });
        self.register.chooser_open = false;
        self.worker.call(Tag::Link, "POST", "/people", Some(&body));
    }

    pub(super) fn on_register_reply(&mut self, _ctx: &egui::Context, r: Reply) {
        let st = &mut self.register;
        match r.tag {
            Tag::ConfidantSearch(generation) if generation == st.confidant_generation => {
                st.confidant_hits = r.body["items"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|h| h["status"].as_str() == Some("active"))
                    .collect();
            }
            Tag::ConfidantSearch(_) => {}
            Tag::ConfidantPick => {
                if r.ok() {
                    st.form.choose_confidant(&r.body["data"]);
                    st.confidant_hits.clear();
                    st.touched();
                } else {
                    st.confidant_chosen = None;
                    st.submit_error = Some(r.message());
                }
            }
            Tag::Validate(generation) if generation == st.generation => {
                st.warnings = Errors::new();
                for w in r.body["warnings"].as_array().into_iter().flatten() {
                    st.warnings
                        .entry(w["path"].as_str().unwrap_or("").to_string())
                        .or_default()
                        .push(w["message"].as_str().unwrap_or("").to_string());
                }
                if r.status == 422 {
                    st.errors = errors_from(&r.body);
                    st.uploads.clear();
                } else if r.ok() {
                    st.errors.clear();
                    st.uploads = r.body["uploads"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|u| u["type"].as_str().map(String::from))
                        .collect();
                }
            }
            Tag::Candidates(_) if r.ok() => {
                st.candidates = r.body["candidates"].as_array().cloned().unwrap_or_default();
            }
            Tag::Submit => match r.status {
                201 => {
                    let rid = r.body["data"]["reference_id"]
                        .as_str()
                        .unwrap_or("")
                        .to_string();
                    let name = format!("{} {}", st.form.first_name, st.form.last_name);
                    *st = super::register::RegisterState::new();
                    self.notice = Some(Notice {
                        text: format!("Registered {name} as {rid}."),
                        ok: true,
                    });
                    self.refresh_stats();
                }
                202 => {
                    *st = super::register::RegisterState::new();
                    self.notice = Some(Notice {
                        text: "The change waits for a reviewer in the review queue.".into(),
                        ok: true,
                    });
                    self.refresh_stats();
                }
                200 => {
                    *st = super::register::RegisterState::new();
                    self.notice = Some(Notice {
                        text: "Saved.".into(),
                        ok: true,
                    });
                    self.refresh_stats();
                }
                422 => {
                    st.errors = errors_from(&r.body);
                    st.submit_error = Some("Please correct the fields marked with !.".into());
                }
                _ => st.submit_error = Some(r.message()),
            },
            Tag::Link => {
                if r.ok() {
                    let rid = r.body["referenceId"].as_str().unwrap_or("").to_string();
                    *st = super::register::RegisterState::new();
                    self.notice = Some(Notice {
                        text: format!("Linked to the existing person {rid}."),
                        ok: true,
                    });
                    self.refresh_stats();
                } else {
                    st.submit_error = Some(r.message());
                }
            }
            _ => {}
        }
    }

    pub(super) fn duplicates_panel(&mut self, ui: &mut egui::Ui) {
        ui.heading("Possible duplicates");
        ui.label(
            RichText::new("Checked while you type: names, birth date, phone and identifiers.")
                .small()
                .weak(),
        );
        ui.separator();
        if self
            .worker
            .busy_for(|t| matches!(t, Tag::Candidates(_)))
            .is_some_and(|d| d > Duration::from_millis(100))
        {
            ui.spinner();
        }
        if self.register.candidates.is_empty() {
            ui.label("No similar person found.");
            return;
        }
        let mut open = false;
        egui::ScrollArea::vertical().show(ui, |ui| {
            for c in &self.register.candidates {
                let a = &c["attributes"];
                ui.group(|ui| {
                    ui.horizontal(|ui| {
                        ui.strong(format!(
                            "{} {}",
                            a["givenName"].as_str().unwrap_or(""),
                            a["sn"].as_str().unwrap_or("")
                        ));
                        ui.label(format!("{}%", c["confidence"].as_str().unwrap_or("?")));
                    });
                    ui.label(format!(
                        "Born {} · {}",
                        a["dateOfBirth"].as_str().unwrap_or("—"),
                        c["referenceId"].as_str().unwrap_or("")
                    ));
                });
            }
            open = ui.button("Compare side by side").clicked();
        });
        if open {
            self.register.chooser_open = true;
        }
    }

    pub(super) fn register_page(&mut self, ui: &mut egui::Ui) {
        if let Some(t) = self.register.changed_at {
            let wait = Duration::from_millis(300).saturating_sub(t.elapsed());
            if wait.is_zero() {
                self.register.changed_at = None;
                self.send_checks();
            } else {
                ui.ctx().request_repaint_after(wait);
            }
        }
        let child = self.is_child();
        let age = self.stats.no_self_auth_age;
        let mut changed = false;
        let mut pick: Option<usize> = None;
        let mut picked: Option<PickerAction> = None;
        let ctx = ui.ctx().clone();
        // A child authenticates through a third person: the method follows
        // the birth date (the default OTP becomes THIRD_PERSON, and back).
        {
            let st = &mut self.register;
            if child != st.was_child {
                st.was_child = child;
                let f = &mut st.form;
                if child && f.auth_kind == "OTP" {
                    f.auth_kind = "THIRD_PERSON".into();
                    changed = true;
                } else if !child && f.auth_kind == "THIRD_PERSON" && st.confidant_chosen.is_none() {
                    f.auth_kind = "OTP".into();
                    changed = true;
                }
            }
        }
        // Enter moves from a field to the next (asked before the fields are
        // drawn, so this frame's focus pass takes it); Ctrl+Enter registers.
        let (enter, command) = ui.input(|i| (i.key_pressed(Key::Enter), i.modifiers.command));
        let open = self.register.chooser_open;
        if enter
            && !command
            && !open
            && let Some(id) = ui.memory(|m| m.focused())
            && egui::TextEdit::load_state(ui.ctx(), id).is_some()
        {
            ui.memory_mut(|m| m.move_focus(egui::FocusDirection::Next));
        }
        let st = &mut self.register;
        let focus_first = std::mem::take(&mut st.focus_first);
        let mut cleared = false;
        if let Some((seq, v)) = &st.form.editing {
            ui.label(RichText::new(format!("Editing person {seq} (version {v}). Receptionists' changes wait for a reviewer.")).strong());
        }
        egui::ScrollArea::vertical().auto_shrink([false, false]).show(ui, |ui| {
            let e = &st.errors;
            let f = &mut st.form;
            ui.columns(2, |cols| {
            let ui = &mut cols[0];
            widgets::set_field_width(ui, ui.available_width());
            widgets::section(ui, "Person");
            egui::Grid::new("person").num_columns(3).spacing([10.0, 6.0]).show(ui, |ui| {
                let first = widgets::text_row(ui, "First name", &mut f.first_name, "e.g. Олена", e, "$.person.first_name");
                if focus_first {
                    first.request_focus();
                }
                changed |= first.changed();
                changed |= widgets::text_row(ui, "Last name", &mut f.last_name, "e.g. Коваленко", e, "$.person.last_name").changed();
                changed |= widgets::text_row(ui, "Middle name", &mut f.second_name, "optional", e, "$.person.second_name").changed();
                changed |= widgets::date_row(ui, "Birth date", &mut f.birth_date, e, "$.person.birth_date");
                changed |= widgets::combo_row(ui, "Gender", &mut f.gender, rules::GENDERS, e, "$.person.gender");
                changed |= widgets::text_row(ui, "Birth country", &mut f.birth_country, "e.g. UA", e, "$.person.birth_country").changed();
                changed |= widgets::text_row(ui, "Birth settlement", &mut f.birth_settlement, "optional", e, "$.person.birth_settlement").changed();
                changed |= widgets::text_row(ui, "Tax id", &mut f.tax_id, "10 digits", e, "$.person.tax_id").changed();
                for w in st.warnings.get("$.person.tax_id").into_iter().flatten() {
                    // Wrapped to the field's width, like the errors.
                    ui.label("");
                    let width = widgets::field_width(ui);
                    ui.vertical(|ui| {
                        ui.set_max_width(width);
                        ui.add(egui::Label::new(RichText::new(format!("Check: {w}")).small().color(widgets::warn_color(ui))).wrap());
                    });
                    ui.end_row();
                }
                let l = ui.label("No tax id");
                changed |= ui.checkbox(&mut f.no_tax_id, "The person has no tax id").labelled_by(l.id).changed();
                ui.label("");
                ui.end_row();
                changed |= widgets::text_row(ui, "UNZR", &mut f.unzr, "YYYYMMDD-NNNNN", e, "$.person.unzr").changed();
                changed |= widgets::text_row(ui, "Email", &mut f.email, "name@example.com", e, "$.person.email").changed();
            });

            widgets::section(ui, "Phones");
            let mut remove = None;
            egui::Grid::new("phones").num_columns(3).spacing([10.0, 6.0]).show(ui, |ui| {
                for (i, p) in f.phones.iter_mut().enumerate() {
                    changed |= widgets::combo_row(ui, &format!("Phone {} type", i + 1), &mut p.kind, rules::PHONE_TYPES, e, &format!("$.person.phones[{i}].type"));
                    let label = format!("Phone {} number", i + 1);
                    let r = widgets::text_row(ui, &label, &mut p.number, "+380XXXXXXXXX", e, &format!("$.person.phones[{i}].number"));
                    focus_added(&r, &label, &mut st.focus_label);
                    changed |= r.changed();
                    if ui.button(format!("Remove phone {}", i + 1)).clicked() {
                        remove = Some(i);
                    }
                    ui.end_row();
                }
            });
            if let Some(i) = remove {
                f.phones.remove(i);
                changed = true;
            }
            if ui.button("Add phone").clicked() {
                f.phones.push(PhoneRow { kind: "MOBILE".into(), number: String::new() });
                st.focus_label = Some(format!("Phone {} number", f.phones.len()));
                changed = true;
            }

            widgets::section(ui, "Addresses");
            let mut remove = None;
            for (i, a) in f.addresses.iter_mut().enumerate() {
                let base = format!("$.person.addresses[{i}]");
                ui.group(|ui| {
                    egui::Grid::new(("addr", i)).num_columns(3).spacing([10.0, 6.0]).show(ui, |ui| {
                        changed |= widgets::combo_row(ui, &format!("Address {} type", i + 1), &mut a.kind, rules::ADDRESS_TYPES, e, &format!("{base}.type"));
                        let label = format!("Address {} street", i + 1);
                        let r = widgets::text_row(ui, &label, &mut a.street, "", e, &format!("{base}.street"));
                        focus_added(&r, &label, &mut st.focus_label);
                        changed |= r.changed();
                        changed |= widgets::text_row(ui, &format!("Address {} house", i + 1), &mut a.house_number, "", e, &format!("{base}.house_number")).changed();
                        changed |= widgets::text_row(ui, &format!("Address {} settlement", i + 1), &mut a.settlement, "city or village", e, &format!("{base}.settlement")).changed();
                        changed |= widgets::text_row(ui, &format!("Address {} postal code", i + 1), &mut a.postal_code, "", e, &format!("{base}.postal_code")).changed();
                        changed |= widgets::text_row(ui, &format!("Address {} country", i + 1), &mut a.country, "UA", e, &format!("{base}.country")).changed();
                    });
                    if ui.button(format!("Remove address {}", i + 1)).clicked() {
                        remove = Some(i);
                    }
                });
            }
            if let Some(i) = remove {
                f.addresses.remove(i);
                changed = true;
            }
            if ui.button("Add address").clicked() {
                f.addresses.push(AddressRow { kind: "RESIDENCE".into(), country: "UA".into(), ..Default::default() });
                st.focus_label = Some(format!("Address {} street", f.addresses.len()));
                changed = true;
            }

            let ui = &mut cols[1];
            widgets::set_field_width(ui, ui.available_width());
            widgets::section(ui, "Documents");
            changed |= documents_editor(ui, &mut f.documents, "$.person.documents", rules::PERSON_DOCUMENT_TYPES, e, true, &mut pick, "");
            // Rules about the list as a whole (at least one; not PASSPORT
            // with NATIONAL_ID; a child's birth certificate).
            widgets::show_errors(ui, e, "$.person.documents");
            if let Some(se) = &st.scan_error {
                ui.label(RichText::new(format!("! {se}")).color(widgets::error_color(ui)));
            }
            ui.label(RichText::new("Scans: JPEG or PNG, at most 10 MB a page. You can also drop files on the window.").small().weak());

            widgets::section(ui, "Issued identifiers");
            let mut remove = None;
            egui::Grid::new("idents").num_columns(3).spacing([10.0, 6.0]).show(ui, |ui| {
                for (i, it) in f.identifiers.iter_mut().enumerate() {
                    changed |= widgets::combo_row(ui, &format!("Identifier {} type", i + 1), &mut it.kind, rules::ISSUED_IDENTIFIER_TYPES, e, &format!("$.person.issued_identifiers[{i}].type"));
                    let label = format!("Identifier {} number", i + 1);
                    let r = widgets::text_row(ui, &label, &mut it.number, "", e, &format!("$.person.issued_identifiers[{i}].issued_number"));
                    focus_added(&r, &label, &mut st.focus_label);
                    changed |= r.changed();
                    if ui.button(format!("Remove identifier {}", i + 1)).clicked() {
                        remove = Some(i);
                    }
                    ui.end_row();
                }
            });
            if let Some(i) = remove {
                f.identifiers.remove(i);
                changed = true;
            }
            if ui.button("Add identifier").clicked() {
                f.identifiers.push(IdentifierRow::default());
                st.focus_label = Some(format!("Identifier {} number", f.identifiers.len()));
                changed = true;
            }

            if f.editing.is_none() {
                widgets::section(ui, "Authentication");
                egui::Grid::new("auth").num_columns(3).spacing([10.0, 6.0]).show(ui, |ui| {
                    changed |= widgets::combo_row(ui, "Authentication method", &mut f.auth_kind, rules::AUTH_METHOD_TYPES, e, "$.person.authentication_methods[0].type");
                    match f.auth_kind.as_str() {
                        "OTP" => changed |= widgets::text_row(ui, "OTP phone", &mut f.auth_phone, "+380XXXXXXXXX", e, "$.person.authentication_methods[0].phone_number").changed(),
                        "THIRD_PERSON" => {
                            ui.label("Third person");
                            ui.label(match &st.confidant_chosen {
                                Some(shown) => shown.clone(),
                                None => "the confidant you choose".into(),
                            });
                            ui.end_row();
                            widgets::error_row(ui, e, "$.person.authentication_methods[0].value", widgets::field_width(ui));
                        }
                        _ => {}
                    }
                });
                widgets::show_errors(ui, e, "$.person.authentication_methods");
                if f.auth_kind == "THIRD_PERSON" && !child {
                    picked = confidant_picker(ui, &mut st.confidant_query, &st.confidant_hits, st.confidant_chosen.as_deref());
                }
            }

            if child {
                widgets::section(ui, "Confidant person");
                ui.label(format!("The person is under {age}: a confidant person is mandatory and authenticates for them."));
                picked = confidant_picker(ui, &mut st.confidant_query, &st.confidant_hits, st.confidant_chosen.as_deref());
                let c = &mut f.confidant;
                let base = "$.person.confidant_person[0]";
                egui::Grid::new("confidant").num_columns(3).spacing([10.0, 6.0]).show(ui, |ui| {
                    changed |= widgets::combo_row(ui, "Confidant relation", &mut c.relation_type, rules::RELATION_TYPES, e, &format!("{base}.relation_type"));
                    changed |= widgets::text_row(ui, "Confidant first name", &mut c.first_name, "", e, &format!("{base}.first_name")).changed();
                    changed |= widgets::text_row(ui, "Confidant last name", &mut c.last_name, "", e, &format!("{base}.last_name")).changed();
                    changed |= widgets::date_row(ui, "Confidant birth date", &mut c.birth_date, e, &format!("{base}.birth_date"));
                    changed |= widgets::combo_row(ui, "Confidant gender", &mut c.gender, rules::GENDERS, e, &format!("{base}.gender"));
                });
                ui.label("Confidant's own documents");
                let mut none = None;
                changed |= documents_editor(ui, &mut c.documents_person, &format!("{base}.documents_person"), rules::PERSON_DOCUMENT_TYPES, e, false, &mut none, "Confidant ");
                widgets::show_errors(ui, e, &format!("{base}.documents_person"));
                ui.label("Documents proving the relationship");
                changed |= documents_editor(ui, &mut c.documents_relationship, &format!("{base}.documents_relationship"), rules::RELATIONSHIP_DOCUMENT_TYPES, e, false, &mut none, "Relationship ");
                widgets::show_errors(ui, e, &format!("{base}.documents_relationship"));
            }
            widgets::show_errors(ui, e, "$.person.confidant_person");
            });

            if !st.uploads.is_empty() {
                widgets::section(ui, "Document uploads the rules ask for");
                for u in &st.uploads {
                    ui.label(format!("• {u}"));
                }
            }
            ui.add_space(12.0);
            ui.horizontal(|ui| {
                let label = if f.editing.is_some() { "Save changes" } else { "Register person" };
                if ui.button(RichText::new(label).strong()).clicked() {
                    st.changed_at = Some(Instant::now() - Duration::from_secs(1));
                    pick = Some(usize::MAX);
                }
                if ui.button("Clear form").clicked() {
                    *f = PersonForm::default();
                    cleared = true;
                    changed = true;
                }
                ui.label(RichText::new("Enter: next field · Ctrl+Enter: register").small().weak());
            });
            if let Some(se) = &st.submit_error {
                ui.label(RichText::new(format!("! {se}")).color(widgets::error_color(ui)));
            }
        });
        let enter = enter && command && !open;
        if cleared {
            // A cleared form starts without the last person's messages.
            let st = &mut self.register;
            st.errors.clear();
            st.submit_error = None;
            st.uploads.clear();
            st.candidates.clear();
        }
        match picked {
            Some(PickerAction::Search) => {
                let st = &mut self.register;
                st.confidant_generation += 1;
                let q = st.confidant_query.trim().to_string();
                if q.chars().count() >= 2 {
                    let q: String = q.chars().map(|c| if c == ' ' { '+' } else { c }).collect();
                    self.worker.call(
                        Tag::ConfidantSearch(st.confidant_generation),
                        "GET",
                        &format!("/api/search?q={}&limit=5", q.replace('&', "%26")),
                        None,
                    );
                } else {
                    st.confidant_hits.clear();
                }
            }
            Some(PickerAction::Choose { id, shown }) => {
                self.register.confidant_chosen = Some(shown);
                self.worker.call(
                    Tag::ConfidantPick,
                    "GET",
                    &format!("/api/persons/{id}"),
                    None,
                );
            }
            Some(PickerAction::Clear) => {
                let st = &mut self.register;
                st.confidant_chosen = None;
                st.form.auth_third_person.clear();
                changed = true;
            }
            None => {}
        }
        if changed {
            self.register.touched();
        }
        match pick {
            Some(usize::MAX) => self.submit(false),
            Some(i) => {
                let tx_ctx = ctx.clone();
                let (tx, rx) = channel();
                std::thread::spawn(move || {
                    let files = rfd::FileDialog::new()
                        .add_filter("Scans (JPEG, PNG)", &["jpg", "jpeg", "png"])
                        .pick_files();
                    let _ = tx.send(files.unwrap_or_default());
                    tx_ctx.request_repaint();
                });
                self.pages.pending_pick = Some((i, rx));
            }
            None if enter => self.submit(false),
            None => {}
        }
        if let Some((i, rx)) = &self.pages.pending_pick
            && let Ok(paths) = rx.try_recv()
        {
            let i = *i;
            self.pages.pending_pick = None;
            self.register.read_files(&ctx, i, paths);
        }
    }
}
