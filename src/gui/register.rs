//! The registration page: the form, live validation, documents with scans,
//! issued identifiers, the confidant section and the duplicate check.

use super::form::*;
use super::widgets::{self, Errors};
use super::worker::{Reply, Tag};
use super::{Desk, Notice};
use crate::api::{CandidatesOf, Request};
use crate::core::rules;
use crate::service::idmatch::CandidateView;
use crate::tr;
use eframe::egui::{self, Key, RichText};
use serde_json::{Value, json};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::time::{Duration, Instant};

/// A scanned page read off the UI thread: bytes and a decoded thumbnail.
pub struct FileEvent {
    pub doc: usize,
    pub result: Result<(String, String, Vec<u8>, Option<egui::ColorImage>), String>,
}

pub struct RegisterScreen {
    pub form: PersonForm,
    /// Put the keyboard in the first field on the next frame.
    pub focus_first: bool,
    generation: u64,
    changed_at: Option<Instant>,
    fingerprint: String,
    pub errors: Errors,
    /// The fields the receptionist has left: their errors show.
    visited: std::collections::HashSet<String>,
    /// Submitted once: every error shows.
    show_all: bool,
    /// What the service says without refusing (a tax id that disagrees
    /// with the form), by path.
    pub warnings: Errors,
    pub uploads: Vec<String>,
    pub candidates: Vec<CandidateView>,
    pub chooser_open: bool,
    /// "Create new person" was pressed in the chooser: why, before it is.
    pub override_open: bool,
    pub override_reason: String,
    pub override_focus: bool,
    /// The window's own file dialog, when the desktop's cannot open.
    pub file_browser: Option<super::files::FileBrowser>,
    /// The confidant being registered inline, while its window is open.
    pub new_confidant: Option<NewConfidant>,
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
    /// The desktop's file dialog, asked on a thread (`None` in the answer:
    /// no dialog could open): the document it is for and the answer.
    pending_pick: Option<(
        usize,
        std::sync::mpsc::Receiver<Option<Vec<std::path::PathBuf>>>,
    )>,
}

/// Put the keyboard in a just-added row's field: "Add phone" leads to the
/// new phone's number, not back to the top of the window.
fn focus_added(field: &egui::Response, label: &str, wanted: &mut Option<String>) {
    if wanted.as_deref() == Some(label) {
        field.request_focus();
        *wanted = None;
    }
}

/// A scan the upload rules ask for (seed 002's `person.PASSPORT`,
/// `confidant_person.PRIMARY.BIRTH_CERTIFICATE`, `person.no_tax_id`), in
/// words.
fn upload_words(u: &str) -> String {
    let parts: Vec<&str> = u.split('.').collect();
    match parts.as_slice() {
        ["person", "no_tax_id"] => tr!("up-no-tax-id"),
        ["person", "tax_id"] => tr!("up-tax-id"),
        ["person", kind] => tr!("up-person", kind = widgets::code_words(kind)),
        ["confidant_person", relation, kind] => tr!(
            "up-confidant",
            kind = widgets::code_words(kind),
            relation = widgets::code_words(relation)
        ),
        _ => u.to_string(),
    }
}

fn confidant_if(child: bool) -> Confidant {
    if child {
        Confidant::Send
    } else {
        Confidant::Omit
    }
}

/// What the confidant picker asks for.
enum PickerAction {
    Search,
    Choose {
        id: String,
        shown: String,
    },
    Clear,
    /// Register the confidant as a person of their own, here.
    New,
}

/// The confidant being registered from the child's form: a registration of
/// their own (they authenticate for the child), started from what the
/// confidant section holds.
pub struct NewConfidant {
    form: PersonForm,
    errors: Errors,
    message: Option<String>,
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
            ui.label(RichText::new(tr!("reg-confidant-chosen", who = shown)).strong());
            if ui.button(tr!("reg-confidant-another")).clicked() {
                action = Some(PickerAction::Clear);
            }
        });
        return action;
    }
    ui.horizontal_wrapped(|ui| {
        let l = ui.label(tr!("reg-confidant-find"));
        let r = ui
            .add(
                egui::TextEdit::singleline(query)
                    .hint_text(tr!("reg-confidant-find-hint"))
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
            if ui.button(tr!("reg-choose", who = shown.as_str())).clicked() {
                action = Some(PickerAction::Choose {
                    id: h["id"].as_str().unwrap_or("").to_string(),
                    shown: shown.clone(),
                });
            }
            ui.label(tr!(
                "reg-born-phone",
                born = h["birth_date"].as_str().unwrap_or("—"),
                phone = h["phone"]
                    .as_str()
                    .map(String::from)
                    .unwrap_or_else(|| tr!("reg-no-phone"))
            ));
        });
    }
    if !query.trim().is_empty() && hits.is_empty() {
        ui.label(tr!("reg-confidant-nobody"));
    }
    if ui.button(tr!("reg-confidant-new")).clicked() {
        action = Some(PickerAction::New);
    }
    action
}

impl RegisterScreen {
    pub fn new() -> RegisterScreen {
        let (files_tx, files_rx) = channel();
        RegisterScreen {
            form: PersonForm::default(),
            focus_first: true,
            generation: 0,
            changed_at: None,
            fingerprint: String::new(),
            errors: Errors::new(),
            visited: Default::default(),
            show_all: false,
            warnings: Errors::new(),
            uploads: vec![],
            candidates: vec![],
            chooser_open: false,
            override_open: false,
            override_reason: String::new(),
            override_focus: false,
            file_browser: None,
            new_confidant: None,
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
            pending_pick: None,
        }
    }

    /// The live checks wait for the typing to pause (300 ms).
    pub fn checks_scheduled(&self) -> bool {
        self.changed_at.is_some()
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

    pub fn logic(&mut self, ctx: &egui::Context) {
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
                self.scan_error = Some(tr!("reg-drop-first"));
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

impl Default for RegisterScreen {
    fn default() -> Self {
        Self::new()
    }
}

fn errors_from(body: &Value) -> Errors {
    let mut e = Errors::new();
    for i in crate::api::views::ErrorView::of(body).invalid {
        for r in &i.rules {
            e.entry(i.entry.clone())
                .or_default()
                .push(widgets::violation_words("violation", r));
        }
    }
    e
}

/// What a document's number looks like, as the number field's hint.
fn document_hint(kind: &str) -> String {
    match rules::document_format(kind) {
        Some(f) => tr!(&format!("docfmt-{f}-hint")),
        None => String::new(),
    }
}

/// Whose documents a list holds: what types it offers, whether it takes
/// scans, and the word its labels start with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocOwner {
    /// The person's own documents (with scans).
    Own,
    /// The confidant's identity documents.
    Confidant,
    /// The documents proving the confidant's relationship to the child.
    Relationship,
}

impl DocOwner {
    fn kinds(self) -> &'static [&'static str] {
        match self {
            DocOwner::Own | DocOwner::Confidant => rules::PERSON_DOCUMENT_TYPES,
            DocOwner::Relationship => rules::RELATIONSHIP_DOCUMENT_TYPES,
        }
    }

    fn takes_scans(self) -> bool {
        self == DocOwner::Own
    }

    /// The `prefix` of the catalogue's `reg-doc-*` labels.
    fn prefix(self) -> &'static str {
        match self {
            DocOwner::Own => "own",
            DocOwner::Confidant => "confidant",
            DocOwner::Relationship => "relationship",
        }
    }
}

fn documents_editor(
    ui: &mut egui::Ui,
    docs: &mut Vec<DocumentRow>,
    base: &str,
    whose: DocOwner,
    errors: &Errors,
    // The document whose "Attach scan…" was pressed.
    pick: &mut Option<usize>,
) -> bool {
    let (kinds, scans, owner) = (whose.kinds(), whose.takes_scans(), whose.prefix());
    let mut changed = false;
    let mut remove = None;
    for (i, d) in docs.iter_mut().enumerate() {
        let path = format!("{base}[{i}]");
        ui.group(|ui| {
            widgets::form_grid(ui, (base, i)).show(ui, |ui| {
                changed |= widgets::combo_row(
                    ui,
                    &tr!("reg-doc-type", prefix = owner, n = i + 1),
                    &mut d.kind,
                    kinds,
                    errors,
                    &format!("{path}.type"),
                );
                let hint = if d.kind.is_empty() {
                    tr!("reg-doc-type-first")
                } else {
                    document_hint(&d.kind)
                };
                changed |= widgets::text_row(
                    ui,
                    &tr!("reg-doc-number", prefix = owner, n = i + 1),
                    &mut d.number,
                    &hint,
                    errors,
                    &format!("{path}.number"),
                )
                .changed();
                changed |= widgets::text_row(
                    ui,
                    &tr!("reg-doc-issued-by", prefix = owner, n = i + 1),
                    &mut d.issued_by,
                    &tr!("reg-doc-authority"),
                    errors,
                    &format!("{path}.issued_by"),
                )
                .changed();
                changed |= widgets::date_row(
                    ui,
                    &tr!("reg-doc-issued-on", prefix = owner, n = i + 1),
                    &mut d.issued_at,
                    errors,
                    &format!("{path}.issued_at"),
                );
                changed |= widgets::date_row(
                    ui,
                    &tr!("reg-doc-expires", prefix = owner, n = i + 1),
                    &mut d.expiration_date,
                    errors,
                    &format!("{path}.expiration_date"),
                );
            });
            if let Some(f) = rules::document_format(&d.kind) {
                let words = tr!(&format!("docfmt-{f}"));
                ui.label(
                    RichText::new(tr!("reg-doc-pattern", words = words))
                        .small()
                        .weak(),
                );
            }
            if scans {
                ui.horizontal_wrapped(|ui| {
                    for s in &d.stored_scans {
                        ui.label(tr!("reg-scan-stored", name = s.as_str()));
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
                            if ui
                                .button(tr!("reg-scan-remove", name = s.file_name.as_str()))
                                .clicked()
                            {
                                drop_scan = Some(j);
                            }
                        });
                    }
                    if let Some(j) = drop_scan {
                        d.scans.remove(j);
                        changed = true;
                    }
                    if ui.button(tr!("reg-scan-attach", n = i + 1)).clicked() {
                        *pick = Some(i);
                    }
                });
                widgets::show_errors(ui, errors, &format!("{path}.scans[0].content_base64"));
            }
            if ui
                .button(tr!("reg-doc-remove", prefix = owner, n = i + 1))
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
    if ui.button(tr!("reg-doc-add", prefix = owner)).clicked() {
        docs.push(DocumentRow::default());
        changed = true;
    }
    changed
}

impl RegisterScreen {
    /// Is the person being registered a child, by the registry's date (the
    /// one the rules use) and its age limit, both from `GET /api/stats`?
    fn is_child(&self, desk: &Desk) -> bool {
        use crate::core::validate::{RuleContext, is_child, parse_date};
        let Some(today) = parse_date(&desk.stats.today) else {
            return false;
        };
        let ctx = RuleContext {
            today,
            no_self_auth_age: desk.stats.no_self_auth_age,
        };
        parse_date(&self.form.birth_date).is_some_and(|b| is_child(b, &ctx))
    }

    fn send_checks(&mut self, desk: &mut Desk) {
        let child = self.is_child(desk);
        let generation = self.generation;
        let body = self.form.to_body(Scans::Leave, confidant_if(child));
        desk.worker.call(
            Tag::Validate(generation),
            Request::ValidatePersonRequest(body),
        );
        let fp = self.form.match_fingerprint();
        if fp != self.fingerprint && self.form.editing.is_none() {
            self.fingerprint = fp;
            // Anything typed is worth a check: the engine decides what it
            // can block on (a phone, an e-mail or an identifier alone
            // finds people too), and answers nothing quickly when it can't.
            let attrs = self.form.sor_attributes("draft");
            if attrs.as_object().is_some_and(|o| o.len() > 1) {
                desk.worker.call(
                    Tag::Candidates(generation),
                    Request::PeopleCandidates {
                        of: CandidatesOf::Attributes(attrs),
                        limit: 5,
                    },
                );
            } else {
                self.candidates.clear();
            }
        }
    }

    /// Register (or save) what the form holds. `override_reason`: the
    /// receptionist creates a new person over the candidates shown and
    /// says why (the service keeps it in the audit trail, and the pair
    /// waits for a reviewer).
    pub(super) fn submit(&mut self, desk: &mut Desk, override_reason: Option<String>) {
        let force_new = override_reason.is_some();
        let child = self.is_child(desk);
        self.submit_error = None;
        self.show_all = true;
        if !force_new && self.form.editing.is_none() {
            // The service marks the candidates a person must decide on.
            let strong = self.candidates.iter().any(|c| c.review);
            if strong {
                self.chooser_open = true;
                return;
            }
        }
        self.chooser_open = false;
        let mut body = self.form.to_body(Scans::Include, confidant_if(child));
        if let (Some(reason), Some(o)) = (override_reason, body.as_object_mut()) {
            o.insert("duplicate_override".into(), json!({"reason": reason}));
        }
        match &self.form.editing {
            Some((seq, version)) => {
                let mut person = body["person"].clone();
                if let Some(o) = person.as_object_mut() {
                    o.remove("authentication_methods");
                }
                let b = json!({"objectVersionNumber": version, "person": person});
                desk.worker.call(
                    Tag::Submit,
                    Request::GenericPut {
                        id: seq.to_string(),
                        body: b,
                    },
                );
            }
            None => {
                desk.worker.call(Tag::Submit, Request::PersonRequest(body));
            }
        }
    }

    /// The window that registers the confidant as a person of their own:
    /// what the confidant section holds, completed with what a registration
    /// needs (birth country, tax id, the phone the one-time codes go to).
    fn new_confidant_window(&mut self, desk: &mut Desk, ctx: &egui::Context) {
        // The main form's fields left this frame count for it; the
        // window's own must not reveal the main form's messages.
        let left = widgets::take_left(ctx);
        self.visited.extend(left);
        let Some(nc) = &mut self.new_confidant else {
            return;
        };
        let mut open = true;
        let mut cancel = false;
        let mut send = false;
        egui::Window::new(tr!("nc-title"))
            .id(egui::Id::unique("new-confidant"))
            .open(&mut open)
            .collapsible(false)
            .default_width(460.0)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ctx, |ui| {
                // The main form's warnings are not the confidant's.
                widgets::set_warnings(ui, &Errors::new());
                ui.label(RichText::new(tr!("nc-help")).small().weak());
                let f = &mut nc.form;
                let e = &nc.errors;
                egui::ScrollArea::vertical()
                    .max_height(420.0)
                    .show(ui, |ui| {
                        widgets::set_field_width(ui, 420.0);
                        widgets::form_grid(ui, "new-confidant-grid").show(ui, |ui| {
                            let l = |id: &str| format!("{} {}", tr!("nc-prefix"), tr!(id));
                            widgets::text_row(
                                ui,
                                &l("reg-first-name"),
                                &mut f.first_name,
                                "",
                                e,
                                "$.person.first_name",
                            );
                            widgets::text_row(
                                ui,
                                &l("reg-last-name"),
                                &mut f.last_name,
                                "",
                                e,
                                "$.person.last_name",
                            );
                            widgets::text_row(
                                ui,
                                &l("reg-middle-name"),
                                &mut f.second_name,
                                &tr!("reg-hint-optional"),
                                e,
                                "$.person.second_name",
                            );
                            widgets::date_row(
                                ui,
                                &l("reg-birth-date"),
                                &mut f.birth_date,
                                e,
                                "$.person.birth_date",
                            );
                            widgets::combo_row(
                                ui,
                                &l("reg-gender"),
                                &mut f.gender,
                                rules::GENDERS,
                                e,
                                "$.person.gender",
                            );
                            widgets::text_row(
                                ui,
                                &l("reg-birth-country"),
                                &mut f.birth_country,
                                &tr!("reg-hint-country"),
                                e,
                                "$.person.birth_country",
                            );
                            widgets::text_row(
                                ui,
                                &l("reg-tax-id"),
                                &mut f.tax_id,
                                &tr!("reg-hint-tax-id"),
                                e,
                                "$.person.tax_id",
                            );
                            let nl = ui.label(l("reg-no-tax-id"));
                            ui.checkbox(&mut f.no_tax_id, tr!("reg-no-tax-id-box"))
                                .labelled_by(nl.id);
                            ui.label("");
                            ui.end_row();
                            widgets::text_row(
                                ui,
                                &l("reg-otp-phone"),
                                &mut f.auth_phone,
                                "+380XXXXXXXXX",
                                e,
                                "$.person.authentication_methods[0].phone_number",
                            );
                        });
                        for path in ["$.person.documents", "$.person.authentication_methods"] {
                            widgets::show_errors(ui, e, path);
                        }
                        // Errors on the documents (typed in the confidant
                        // section) are said here too, by field.
                        for (path, msgs) in e
                            .iter()
                            .filter(|(p, _)| p.starts_with("$.person.documents["))
                        {
                            for m in msgs {
                                ui.label(
                                    RichText::new(format!(
                                        "! {}: {m}",
                                        super::pages::field_words(
                                            path.trim_start_matches("$.person.")
                                        )
                                    ))
                                    .color(widgets::error_color(ui))
                                    .small(),
                                );
                            }
                        }
                    });
                if let Some(m) = &nc.message {
                    ui.label(RichText::new(format!("! {m}")).color(widgets::error_color(ui)));
                }
                ui.horizontal(|ui| {
                    send = ui
                        .button(RichText::new(tr!("nc-register")).strong())
                        .clicked();
                    cancel = ui.button(tr!("cancel")).clicked();
                });
            });
        // Marks from the window's fields are its own: dropped.
        widgets::take_left(ctx);
        if send {
            let mut form = nc.form.clone();
            // The confidant authenticates with one-time codes: a third
            // person cannot be OFFLINE (seed 002).
            form.auth_kind = "OTP".into();
            if form.phones.iter().all(|p| p.number.trim().is_empty()) {
                form.phones = vec![PhoneRow {
                    kind: "MOBILE".into(),
                    number: form.auth_phone.clone(),
                }];
            }
            let body = form.to_body(Scans::Leave, Confidant::Omit);
            nc.message = None;
            desk.worker
                .call(Tag::ConfidantCreate, Request::PersonRequest(body));
        }
        if !open || cancel {
            self.new_confidant = None;
        }
    }

    /// "Same person – link": everything typed goes to the person as the
    /// desk's record (`POST /people/desk-link`: the service chooses the
    /// source and the record's id).
    pub(super) fn link_to(&mut self, desk: &mut Desk, reference_id: &str) {
        let request = Request::DeskLink {
            reference_id: reference_id.to_string(),
            attributes: self.form.sor_attributes(""),
        };
        self.chooser_open = false;
        desk.worker.call(Tag::Link, request);
    }

    pub(super) fn on_reply(&mut self, desk: &mut Desk, _ctx: &egui::Context, r: Reply) {
        match r.tag {
            Tag::ConfidantSearch(generation) if generation == self.confidant_generation => {
                self.confidant_hits = r.body["items"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|h| h["status"].as_str() == Some("active"))
                    .collect();
            }
            Tag::ConfidantSearch(_) => {}
            Tag::ConfidantCreate => {
                let Some(nc) = &mut self.new_confidant else {
                    return;
                };
                match r.status {
                    201 => {
                        // Registered: chosen as the confidant and third person,
                        // as if found with the picker.
                        let d = &r.body["data"];
                        let id = d["id"].as_str().unwrap_or("").to_string();
                        self.confidant_chosen = Some(format!(
                            "{} {} ({})",
                            d["first_name"].as_str().unwrap_or(""),
                            d["last_name"].as_str().unwrap_or(""),
                            d["reference_id"].as_str().unwrap_or("")
                        ));
                        self.new_confidant = None;
                        desk.worker.call(
                            Tag::ConfidantPick,
                            Request::GetPerson { id: id.to_string() },
                        );
                        desk.refresh_stats();
                    }
                    422 => {
                        nc.errors = errors_from(&r.body);
                        nc.message = Some(tr!("reg-correct"));
                    }
                    _ => nc.message = Some(r.message()),
                }
            }
            Tag::ConfidantPick => {
                if r.ok() {
                    self.form.choose_confidant(&r.body["data"]);
                    self.confidant_hits.clear();
                    self.touched();
                } else {
                    self.confidant_chosen = None;
                    self.submit_error = Some(r.message());
                }
            }
            Tag::Validate(generation) if generation == self.generation => {
                self.warnings = Errors::new();
                let warnings: Vec<crate::api::views::WarningView> =
                    serde_json::from_value(r.body["warnings"].clone()).unwrap_or_default();
                for w in warnings {
                    self.warnings
                        .entry(w.path.clone())
                        .or_default()
                        .push(widgets::violation_words("warning", &w.rule()));
                }
                if r.status == 422 {
                    self.errors = errors_from(&r.body);
                    self.uploads.clear();
                } else if r.ok() {
                    self.errors.clear();
                    self.uploads = r.body["uploads"]
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|u| u["type"].as_str().map(String::from))
                        .collect();
                }
            }
            Tag::Candidates(_) if r.ok() => {
                self.candidates =
                    serde_json::from_value(r.body["candidates"].clone()).unwrap_or_default();
            }
            Tag::Submit => match r.status {
                201 => {
                    let rid = r.body["data"]["reference_id"]
                        .as_str()
                        .unwrap_or("")
                        .to_string();
                    let name = format!("{} {}", self.form.first_name, self.form.last_name);
                    *self = super::register::RegisterScreen::new();
                    desk.notice = Some(Notice::done(tr!("reg-registered", name = name, rid = rid)));
                    desk.refresh_stats();
                }
                202 => {
                    *self = super::register::RegisterScreen::new();
                    desk.notice = Some(Notice::done(tr!("reg-waits")));
                    desk.refresh_stats();
                }
                200 => {
                    *self = super::register::RegisterScreen::new();
                    desk.notice = Some(Notice::done(tr!("reg-saved")));
                    desk.refresh_stats();
                }
                422 => {
                    self.errors = errors_from(&r.body);
                    self.submit_error = Some(tr!("reg-correct"));
                }
                _ => self.submit_error = Some(r.message()),
            },
            Tag::Link => {
                if r.ok() {
                    // Everything typed went with the link as the desk's
                    // record of the person; the person opens, so the
                    // receptionist carries on with the patient.
                    let rid = r.body["referenceId"].as_str().unwrap_or("").to_string();
                    *self = super::register::RegisterScreen::new();
                    desk.ask(super::Intent::OpenPerson(rid.clone()));
                    desk.notice = Some(Notice::done(tr!("reg-linked", rid = rid.as_str())));
                    desk.refresh_stats();
                } else {
                    self.submit_error = Some(r.message());
                }
            }
            _ => {}
        }
    }

    pub(super) fn duplicates_panel(&mut self, desk: &mut Desk, ui: &mut egui::Ui) {
        ui.heading(tr!("dup-title"));
        ui.label(RichText::new(tr!("dup-help")).small().weak());
        ui.separator();
        if desk
            .worker
            .busy_for(|t| matches!(t, Tag::Candidates(_)))
            .is_some_and(|d| d > Duration::from_millis(100))
        {
            ui.spinner();
        }
        if self.candidates.is_empty() {
            ui.label(tr!("dup-none"));
            return;
        }
        let mut open = false;
        egui::ScrollArea::vertical().show(ui, |ui| {
            for c in &self.candidates {
                let a = &c.attributes;
                ui.group(|ui| {
                    ui.horizontal(|ui| {
                        ui.strong(crate::service::idmatch::attributes_name(a));
                        ui.label(format!("{}%", c.confidence));
                    });
                    ui.label(tr!(
                        "dup-born",
                        born = a["dateOfBirth"].as_str().unwrap_or("—"),
                        rid = c.reference_id.as_str()
                    ));
                });
            }
            open = ui.button(tr!("dup-compare")).clicked();
        });
        if open {
            self.chooser_open = true;
        }
    }

    pub(super) fn ui(&mut self, desk: &mut Desk, ui: &mut egui::Ui) {
        if let Some(t) = self.changed_at {
            let wait = Duration::from_millis(300).saturating_sub(t.elapsed());
            if wait.is_zero() {
                self.changed_at = None;
                self.send_checks(desk);
            } else {
                ui.ctx().request_repaint_after(wait);
            }
        }
        let child = self.is_child(desk);
        let age = desk.stats.no_self_auth_age;
        let mut changed = false;
        // What the form's buttons asked for this frame.
        let mut pick: Option<usize> = None;
        let mut submit = false;
        let mut picked: Option<PickerAction> = None;
        let ctx = ui.ctx().clone();
        // A child authenticates through a third person: the method follows
        // the birth date (the default OTP becomes THIRD_PERSON, and back).
        {
            if child != self.was_child {
                self.was_child = child;
                let f = &mut self.form;
                if child && f.auth_kind == "OTP" {
                    f.auth_kind = "THIRD_PERSON".into();
                    changed = true;
                } else if !child && f.auth_kind == "THIRD_PERSON" && self.confidant_chosen.is_none()
                {
                    f.auth_kind = "OTP".into();
                    changed = true;
                }
            }
        }
        // Enter moves from a field to the next (asked before the fields are
        // drawn, so this frame's focus pass takes it); Ctrl+Enter registers.
        let (enter, command) = ui.input(|i| (i.key_pressed(Key::Enter), i.modifiers.command));
        let open = self.chooser_open;
        if enter
            && !command
            && !open
            && let Some(id) = ui.memory(|m| m.focused())
            && egui::TextEdit::load_state(ui.ctx(), id).is_some()
        {
            ui.memory_mut(|m| m.move_focus(egui::FocusDirection::Next));
            // The key only moves: the widget it lands on (a calendar
            // button, "Add phone") must not take it as a press too.
            ui.input_mut(|i| i.consume_key(egui::Modifiers::NONE, Key::Enter));
        }
        let focus_first = std::mem::take(&mut self.focus_first);
        let mut cleared = false;
        if let Some((seq, v)) = &self.form.editing {
            ui.label(
                RichText::new(tr!(
                    "reg-editing",
                    seq = seq.to_string(),
                    version = v.to_string()
                ))
                .strong(),
            );
        }
        // Errors show under a field once it has been left, and all of them
        // once the form was submitted: not from the first keystroke.
        self.visited.extend(widgets::take_left(ui.ctx()));
        let shown: Errors = self
            .errors
            .iter()
            .filter(|(path, _)| self.show_all || self.visited.contains(*path))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        widgets::set_warnings(ui, &self.warnings);
        egui::ScrollArea::vertical()
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let e = &shown;
                let f = &mut self.form;
                ui.columns(2, |cols| {
                    let ui = &mut cols[0];
                    widgets::set_field_width(ui, ui.available_width());
                    widgets::section(ui, &tr!("reg-person"));
                    widgets::form_grid(ui, "person").show(ui, |ui| {
                        let first = widgets::text_row(
                            ui,
                            &tr!("reg-first-name"),
                            &mut f.first_name,
                            &tr!("reg-hint-first"),
                            e,
                            "$.person.first_name",
                        );
                        if focus_first {
                            first.request_focus();
                        }
                        changed |= first.changed();
                        changed |= widgets::text_row(
                            ui,
                            &tr!("reg-last-name"),
                            &mut f.last_name,
                            &tr!("reg-hint-last"),
                            e,
                            "$.person.last_name",
                        )
                        .changed();
                        changed |= widgets::text_row(
                            ui,
                            &tr!("reg-middle-name"),
                            &mut f.second_name,
                            &tr!("reg-hint-optional"),
                            e,
                            "$.person.second_name",
                        )
                        .changed();
                        changed |= widgets::date_row(
                            ui,
                            &tr!("reg-birth-date"),
                            &mut f.birth_date,
                            e,
                            "$.person.birth_date",
                        );
                        changed |= widgets::combo_row(
                            ui,
                            &tr!("reg-gender"),
                            &mut f.gender,
                            rules::GENDERS,
                            e,
                            "$.person.gender",
                        );
                        changed |= widgets::text_row(
                            ui,
                            &tr!("reg-birth-country"),
                            &mut f.birth_country,
                            &tr!("reg-hint-country"),
                            e,
                            "$.person.birth_country",
                        )
                        .changed();
                        changed |= widgets::text_row(
                            ui,
                            &tr!("reg-birth-settlement"),
                            &mut f.birth_settlement,
                            &tr!("reg-hint-optional"),
                            e,
                            "$.person.birth_settlement",
                        )
                        .changed();
                        changed |= widgets::text_row(
                            ui,
                            &tr!("reg-tax-id"),
                            &mut f.tax_id,
                            &tr!("reg-hint-tax-id"),
                            e,
                            "$.person.tax_id",
                        )
                        .changed();
                        let l = ui.label(tr!("reg-no-tax-id"));
                        changed |= ui
                            .checkbox(&mut f.no_tax_id, tr!("reg-no-tax-id-box"))
                            .labelled_by(l.id)
                            .changed();
                        ui.label("");
                        ui.end_row();
                        changed |= widgets::text_row(
                            ui,
                            &tr!("reg-unzr"),
                            &mut f.unzr,
                            &tr!("reg-hint-unzr"),
                            e,
                            "$.person.unzr",
                        )
                        .changed();
                        changed |= widgets::text_row(
                            ui,
                            &tr!("reg-email"),
                            &mut f.email,
                            "name@example.com",
                            e,
                            "$.person.email",
                        )
                        .changed();
                    });

                    widgets::section(ui, &tr!("reg-phones"));
                    let mut remove = None;
                    widgets::form_grid(ui, "phones").show(ui, |ui| {
                        for (i, p) in f.phones.iter_mut().enumerate() {
                            changed |= widgets::combo_row(
                                ui,
                                &tr!("reg-phone-type", n = i + 1),
                                &mut p.kind,
                                rules::PHONE_TYPES,
                                e,
                                &format!("$.person.phones[{i}].type"),
                            );
                            let label = tr!("reg-phone-number", n = i + 1);
                            let r = widgets::text_row(
                                ui,
                                &label,
                                &mut p.number,
                                "+380XXXXXXXXX",
                                e,
                                &format!("$.person.phones[{i}].number"),
                            );
                            focus_added(&r, &label, &mut self.focus_label);
                            changed |= r.changed();
                            if ui.button(tr!("reg-phone-remove", n = i + 1)).clicked() {
                                remove = Some(i);
                            }
                            ui.end_row();
                        }
                    });
                    if let Some(i) = remove {
                        f.phones.remove(i);
                        changed = true;
                    }
                    if ui.button(tr!("reg-phone-add")).clicked() {
                        f.phones.push(PhoneRow {
                            kind: "MOBILE".into(),
                            number: String::new(),
                        });
                        self.focus_label = Some(tr!("reg-phone-number", n = f.phones.len()));
                        changed = true;
                    }

                    widgets::section(ui, &tr!("reg-addresses"));
                    let mut remove = None;
                    for (i, a) in f.addresses.iter_mut().enumerate() {
                        let base = format!("$.person.addresses[{i}]");
                        ui.group(|ui| {
                            widgets::form_grid(ui, ("addr", i)).show(ui, |ui| {
                                changed |= widgets::combo_row(
                                    ui,
                                    &tr!("reg-address-type", n = i + 1),
                                    &mut a.kind,
                                    rules::ADDRESS_TYPES,
                                    e,
                                    &format!("{base}.type"),
                                );
                                let label = tr!("reg-address-street", n = i + 1);
                                let r = widgets::text_row(
                                    ui,
                                    &label,
                                    &mut a.street,
                                    "",
                                    e,
                                    &format!("{base}.street"),
                                );
                                focus_added(&r, &label, &mut self.focus_label);
                                changed |= r.changed();
                                changed |= widgets::text_row(
                                    ui,
                                    &tr!("reg-address-house", n = i + 1),
                                    &mut a.house_number,
                                    "",
                                    e,
                                    &format!("{base}.house_number"),
                                )
                                .changed();
                                changed |= widgets::text_row(
                                    ui,
                                    &tr!("reg-address-settlement", n = i + 1),
                                    &mut a.settlement,
                                    &tr!("reg-hint-settlement"),
                                    e,
                                    &format!("{base}.settlement"),
                                )
                                .changed();
                                changed |= widgets::text_row(
                                    ui,
                                    &tr!("reg-address-postal", n = i + 1),
                                    &mut a.postal_code,
                                    "",
                                    e,
                                    &format!("{base}.postal_code"),
                                )
                                .changed();
                                changed |= widgets::text_row(
                                    ui,
                                    &tr!("reg-address-country", n = i + 1),
                                    &mut a.country,
                                    "UA",
                                    e,
                                    &format!("{base}.country"),
                                )
                                .changed();
                            });
                            if ui.button(tr!("reg-address-remove", n = i + 1)).clicked() {
                                remove = Some(i);
                            }
                        });
                    }
                    if let Some(i) = remove {
                        f.addresses.remove(i);
                        changed = true;
                    }
                    if ui.button(tr!("reg-address-add")).clicked() {
                        f.addresses.push(AddressRow {
                            kind: "RESIDENCE".into(),
                            country: "UA".into(),
                            ..Default::default()
                        });
                        self.focus_label = Some(tr!("reg-address-street", n = f.addresses.len()));
                        changed = true;
                    }

                    let ui = &mut cols[1];
                    widgets::set_field_width(ui, ui.available_width());
                    widgets::section(ui, &tr!("reg-documents"));
                    changed |= documents_editor(
                        ui,
                        &mut f.documents,
                        "$.person.documents",
                        DocOwner::Own,
                        e,
                        &mut pick,
                    );
                    // Rules about the list as a whole (at least one; not PASSPORT
                    // with NATIONAL_ID; a child's birth certificate).
                    widgets::show_errors(ui, e, "$.person.documents");
                    if let Some(se) = &self.scan_error {
                        ui.label(RichText::new(format!("! {se}")).color(widgets::error_color(ui)));
                    }
                    ui.label(RichText::new(tr!("reg-scans-help")).small().weak());

                    widgets::section(ui, &tr!("reg-identifiers"));
                    let mut remove = None;
                    widgets::form_grid(ui, "idents").show(ui, |ui| {
                        for (i, it) in f.identifiers.iter_mut().enumerate() {
                            changed |= widgets::combo_row(
                                ui,
                                &tr!("reg-identifier-type", n = i + 1),
                                &mut it.kind,
                                rules::ISSUED_IDENTIFIER_TYPES,
                                e,
                                &format!("$.person.issued_identifiers[{i}].type"),
                            );
                            let label = tr!("reg-identifier-number", n = i + 1);
                            let r = widgets::text_row(
                                ui,
                                &label,
                                &mut it.number,
                                "",
                                e,
                                &format!("$.person.issued_identifiers[{i}].issued_number"),
                            );
                            focus_added(&r, &label, &mut self.focus_label);
                            changed |= r.changed();
                            if ui.button(tr!("reg-identifier-remove", n = i + 1)).clicked() {
                                remove = Some(i);
                            }
                            ui.end_row();
                        }
                    });
                    if let Some(i) = remove {
                        f.identifiers.remove(i);
                        changed = true;
                    }
                    if ui.button(tr!("reg-identifier-add")).clicked() {
                        f.identifiers.push(IdentifierRow::default());
                        self.focus_label =
                            Some(tr!("reg-identifier-number", n = f.identifiers.len()));
                        changed = true;
                    }

                    if f.editing.is_none() {
                        widgets::section(ui, &tr!("reg-authentication"));
                        widgets::form_grid(ui, "auth").show(ui, |ui| {
                            changed |= widgets::combo_row(
                                ui,
                                &tr!("reg-auth-method"),
                                &mut f.auth_kind,
                                rules::AUTH_METHOD_TYPES,
                                e,
                                "$.person.authentication_methods[0].type",
                            );
                            match f.auth_kind.as_str() {
                                "OTP" => {
                                    changed |= widgets::text_row(
                                        ui,
                                        &tr!("reg-otp-phone"),
                                        &mut f.auth_phone,
                                        "+380XXXXXXXXX",
                                        e,
                                        "$.person.authentication_methods[0].phone_number",
                                    )
                                    .changed()
                                }
                                "THIRD_PERSON" => {
                                    ui.label(tr!("reg-third-person"));
                                    ui.label(match &self.confidant_chosen {
                                        Some(shown) => shown.clone(),
                                        None => tr!("reg-third-person-none"),
                                    });
                                    ui.end_row();
                                    widgets::error_row(
                                        ui,
                                        e,
                                        "$.person.authentication_methods[0].value",
                                        widgets::field_width(ui),
                                    );
                                }
                                _ => {}
                            }
                        });
                        widgets::show_errors(ui, e, "$.person.authentication_methods");
                        if f.auth_kind == "THIRD_PERSON" && !child {
                            picked = confidant_picker(
                                ui,
                                &mut self.confidant_query,
                                &self.confidant_hits,
                                self.confidant_chosen.as_deref(),
                            );
                        }
                    }

                    if child {
                        widgets::section(ui, &tr!("reg-confidant"));
                        ui.label(tr!("reg-child", age = age));
                        picked = confidant_picker(
                            ui,
                            &mut self.confidant_query,
                            &self.confidant_hits,
                            self.confidant_chosen.as_deref(),
                        );
                        let c = &mut f.confidant;
                        let base = "$.person.confidant_person[0]";
                        widgets::form_grid(ui, "confidant").show(ui, |ui| {
                            changed |= widgets::combo_row(
                                ui,
                                &tr!("reg-confidant-relation"),
                                &mut c.relation_type,
                                rules::RELATION_TYPES,
                                e,
                                &format!("{base}.relation_type"),
                            );
                            changed |= widgets::text_row(
                                ui,
                                &tr!("reg-confidant-first"),
                                &mut c.first_name,
                                "",
                                e,
                                &format!("{base}.first_name"),
                            )
                            .changed();
                            changed |= widgets::text_row(
                                ui,
                                &tr!("reg-confidant-last"),
                                &mut c.last_name,
                                "",
                                e,
                                &format!("{base}.last_name"),
                            )
                            .changed();
                            changed |= widgets::date_row(
                                ui,
                                &tr!("reg-confidant-birth"),
                                &mut c.birth_date,
                                e,
                                &format!("{base}.birth_date"),
                            );
                            changed |= widgets::combo_row(
                                ui,
                                &tr!("reg-confidant-gender"),
                                &mut c.gender,
                                rules::GENDERS,
                                e,
                                &format!("{base}.gender"),
                            );
                        });
                        ui.label(tr!("reg-confidant-docs"));
                        let mut none = None;
                        changed |= documents_editor(
                            ui,
                            &mut c.documents_person,
                            &format!("{base}.documents_person"),
                            DocOwner::Confidant,
                            e,
                            &mut none,
                        );
                        widgets::show_errors(ui, e, &format!("{base}.documents_person"));
                        ui.label(tr!("reg-relationship-docs"));
                        changed |= documents_editor(
                            ui,
                            &mut c.documents_relationship,
                            &format!("{base}.documents_relationship"),
                            DocOwner::Relationship,
                            e,
                            &mut none,
                        );
                        widgets::show_errors(ui, e, &format!("{base}.documents_relationship"));
                    }
                    widgets::show_errors(ui, e, "$.person.confidant_person");
                });

                if !self.uploads.is_empty() {
                    widgets::section(ui, &tr!("reg-uploads"));
                    for u in &self.uploads {
                        ui.label(format!("• {}", upload_words(u)));
                    }
                }
                ui.add_space(12.0);
                ui.horizontal(|ui| {
                    let label = if f.editing.is_some() {
                        tr!("reg-save")
                    } else {
                        tr!("reg-submit")
                    };
                    if ui.button(RichText::new(label).strong()).clicked() {
                        self.changed_at = Some(Instant::now() - Duration::from_secs(1));
                        submit = true;
                    }
                    if ui.button(tr!("reg-clear")).clicked() {
                        *f = PersonForm::default();
                        cleared = true;
                        changed = true;
                    }
                    ui.label(RichText::new(tr!("reg-keys")).small().weak());
                });
                if let Some(se) = &self.submit_error {
                    ui.label(RichText::new(format!("! {se}")).color(widgets::error_color(ui)));
                }
            });
        let enter = enter && command && !open;
        if cleared {
            // A cleared form starts without the last person's messages.
            self.errors.clear();
            self.visited.clear();
            self.show_all = false;
            self.submit_error = None;
            self.uploads.clear();
            self.candidates.clear();
        }
        match picked {
            Some(PickerAction::Search) => {
                self.confidant_generation += 1;
                let q = self.confidant_query.trim().to_string();
                if q.chars().count() >= 2 {
                    desk.worker.call(
                        Tag::ConfidantSearch(self.confidant_generation),
                        Request::Search {
                            q,
                            offset: 0,
                            limit: 5,
                        },
                    );
                } else {
                    self.confidant_hits.clear();
                }
            }
            Some(PickerAction::Choose { id, shown }) => {
                self.confidant_chosen = Some(shown);
                desk.worker
                    .call(Tag::ConfidantPick, Request::GetPerson { id });
            }
            Some(PickerAction::New) => {
                let form = self.form.confidant_as_person();
                self.new_confidant = Some(NewConfidant {
                    form,
                    errors: Errors::new(),
                    message: None,
                });
            }
            Some(PickerAction::Clear) => {
                self.confidant_chosen = None;
                self.form.auth_third_person.clear();
                changed = true;
            }
            None => {}
        }
        if changed {
            self.touched();
        }
        if submit || enter {
            self.submit(desk, None);
        } else if let Some(i) = pick {
            self.pending_pick = Some((i, super::files::pick_scans(&ctx)));
        }
        if let Some((i, rx)) = &self.pending_pick
            && let Ok(answer) = rx.try_recv()
        {
            let i = *i;
            self.pending_pick = None;
            match answer {
                Some(paths) => self.read_files(&ctx, i, paths),
                // No desktop dialog opened: the window's own.
                None => self.file_browser = Some(super::files::FileBrowser::scans(&ctx, i)),
            }
        }
        self.new_confidant_window(desk, &ctx);
        if let Some(b) = &mut self.file_browser {
            match b.show(&ctx) {
                super::files::Outcome::Open => {}
                super::files::Outcome::Chosen(paths) => {
                    let doc = b.doc;
                    self.file_browser = None;
                    self.read_files(&ctx, doc, paths);
                }
                super::files::Outcome::Cancelled => self.file_browser = None,
            }
        }
    }
}
