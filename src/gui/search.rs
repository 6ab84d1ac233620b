//! Search and browse: one box for name, reference id, tax id, document
//! number or phone; a virtualised table fed page by page; the person view.

use super::worker::{Reply, Tag};
use super::{Desk, Intent, widgets};
use crate::api::Request;
use crate::service::persons::PersonSummary;
use crate::tr;
use eframe::egui::{self, RichText};
use egui_extras::{Column, TableBuilder};

use std::collections::{HashMap, HashSet};

const PAGE: i64 = 100;

#[derive(Default)]
pub struct SearchScreen {
    pub query: String,
    sent_query: Option<String>,
    generation: u64,
    total: i64,
    pages: HashMap<i64, Vec<PersonSummary>>,
    requested: HashSet<i64>,
    pub request_focus: bool,
    pub(super) selected: Option<String>,
    detail: Option<crate::api::views::PersonView>,
    history: Vec<crate::service::accounts::HistoryRow>,
    audit: Vec<crate::service::accounts::AuditRow>,
    scans: HashMap<String, egui::TextureHandle>,
    /// Scans being decoded off the UI thread.
    decoding: Vec<std::sync::mpsc::Receiver<(String, egui::ColorImage)>>,
    error: Option<String>,
    /// The person view's stewardship sections.
    pub(super) steward: super::steward::StewardState,
}

impl SearchScreen {
    fn search_request(&mut self, desk: &mut Desk, page: i64) {
        if !self.requested.insert(page) {
            return;
        }
        desk.worker.call(
            Tag::Search {
                generation: self.generation,
                page,
            },
            Request::Search {
                q: self.query.trim().to_string(),
                offset: page * PAGE,
                limit: PAGE,
            },
        );
    }

    pub(super) fn open_person(&mut self, desk: &mut Desk, id: &str) {
        self.selected = Some(id.to_string());
        self.detail = None;
        self.history.clear();
        self.audit.clear();
        desk.worker
            .call(Tag::Person, Request::GetPerson { id: id.into() });
        desk.worker.call(
            Tag::PersonHistory,
            Request::GenericHistory { id: id.into() },
        );
        desk.worker.call(
            Tag::PersonAudit,
            Request::Audit {
                person: Some(id.into()),
                limit: crate::api::MAX_LIMIT,
            },
        );
        self.steward.load(desk, id);
    }

    pub(super) fn on_reply(&mut self, ctx: &egui::Context, r: Reply) {
        match &r.tag {
            Tag::Search { generation, page } if *generation == self.generation => {
                if r.ok() {
                    self.total = r.body["total"].as_i64().unwrap_or(0);
                    let rows: Vec<PersonSummary> =
                        serde_json::from_value(r.body["items"].clone()).unwrap_or_default();
                    self.pages.insert(*page, rows);
                    self.error = None;
                } else {
                    self.error = Some(r.message());
                }
            }
            Tag::Person if r.ok() => {
                self.detail = serde_json::from_value(r.body["data"].clone()).ok()
            }
            Tag::Person => self.error = Some(r.message()),
            Tag::PersonHistory if r.ok() => {
                self.history = serde_json::from_value(r.body["items"].clone()).unwrap_or_default()
            }
            Tag::PersonAudit if r.ok() => {
                self.audit = serde_json::from_value(r.body["items"].clone()).unwrap_or_default()
            }
            Tag::Scan(id) if r.ok() => {
                // Decoding a page of up to 10 MB takes longer than a frame:
                // it runs on a thread, and the picture arrives by channel.
                let (tx, rx) = std::sync::mpsc::channel();
                let content = r.body["content_base64"].as_str().unwrap_or("").to_string();
                let id = id.clone();
                let repaint = ctx.clone();
                std::thread::spawn(move || {
                    use base64::Engine;
                    let bytes = base64::engine::general_purpose::STANDARD
                        .decode(content)
                        .unwrap_or_default();
                    if let Ok(img) = image::load_from_memory(&bytes) {
                        let t = img.thumbnail(480, 480).to_rgba8();
                        let ci = egui::ColorImage::from_rgba_unmultiplied(
                            [t.width() as usize, t.height() as usize],
                            t.as_raw(),
                        );
                        let _ = tx.send((id, ci));
                        repaint.request_repaint();
                    }
                });
                self.decoding.push(rx);
            }
            _ => {}
        }
    }

    pub(super) fn ui(&mut self, desk: &mut Desk, ui: &mut egui::Ui) {
        let mut run = false;
        ui.horizontal(|ui| {
            let l = ui.label(tr!("se-label"));
            let r = ui
                .add(
                    egui::TextEdit::singleline(&mut self.query)
                        .hint_text(tr!("se-hint"))
                        .desired_width(420.0),
                )
                .labelled_by(l.id);
            if self.request_focus {
                r.request_focus();
                self.request_focus = false;
            }
            run |= r.changed();
            if ui.button(tr!("se-find")).clicked() {
                run = true;
            }
            ui.label(tr!("se-found", n = self.total));
        });
        if run || self.sent_query.is_none() {
            self.generation += 1;
            self.pages.clear();
            self.requested.clear();
            self.sent_query = Some(self.query.clone());
            self.search_request(desk, 0);
        }
        if let Some(e) = &self.error {
            ui.label(RichText::new(format!("! {e}")).color(widgets::error_color(ui)));
        }
        let mut open: Option<String> = None;
        let mut need: Vec<i64> = Vec::new();
        let total = self.total.max(0) as usize;
        let avail = ui.available_height();
        let detail_h = if self.selected.is_some() {
            avail * 0.55
        } else {
            0.0
        };
        ui.push_id("results", |ui| {
            TableBuilder::new(ui)
                .striped(true)
                .max_scroll_height(avail - detail_h - 30.0)
                .column(Column::exact(110.0))
                .column(Column::remainder().at_least(200.0))
                .column(Column::exact(100.0))
                .column(Column::exact(80.0))
                .column(Column::exact(110.0))
                .column(Column::exact(140.0))
                .column(Column::exact(150.0))
                .header(22.0, |mut h| {
                    for t in [
                        "se-reference",
                        "se-name",
                        "se-born",
                        "reg-gender",
                        "reg-tax-id",
                        "se-phone",
                    ] {
                        h.col(|ui| {
                            ui.strong(tr!(t));
                        });
                    }
                    h.col(|_| {});
                })
                .body(|body| {
                    body.rows(24.0, total, |mut row| {
                        let i = row.index() as i64;
                        let page = i / PAGE;
                        match self
                            .pages
                            .get(&page)
                            .and_then(|p| p.get((i % PAGE) as usize))
                        {
                            Some(p) => {
                                row.col(|ui| {
                                    ui.label(&p.reference_id);
                                });
                                row.col(|ui| {
                                    ui.label(&p.name);
                                });
                                row.col(|ui| {
                                    ui.label(&p.birth_date);
                                });
                                row.col(|ui| {
                                    ui.label(widgets::code_words(&p.gender));
                                });
                                row.col(|ui| {
                                    ui.label(p.tax_id.as_deref().unwrap_or(""));
                                });
                                row.col(|ui| {
                                    ui.label(p.phone.as_deref().unwrap_or(""));
                                });
                                row.col(|ui| {
                                    if ui
                                        .button(tr!("se-open", rid = p.reference_id.as_str()))
                                        .clicked()
                                    {
                                        open = Some(p.id.clone());
                                    }
                                });
                            }
                            None => {
                                need.push(page);
                                row.col(|ui| {
                                    ui.label("…");
                                });
                            }
                        }
                    });
                });
        });
        need.dedup();
        for p in need {
            self.search_request(desk, p);
        }
        if let Some(id) = open {
            self.open_person(desk, &id);
        }
        if self.selected.is_some() {
            ui.separator();
            self.person_view(desk, ui);
        }
    }

    /// Pictures decoded since the last frame become textures.
    pub(super) fn logic(&mut self, ctx: &egui::Context) {
        self.decoding.retain(|rx| match rx.try_recv() {
            Ok((id, ci)) => {
                self.scans
                    .insert(id.clone(), ctx.load_texture(id, ci, Default::default()));
                false
            }
            Err(std::sync::mpsc::TryRecvError::Empty) => true,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => false,
        });
    }

    fn person_view(&mut self, desk: &mut Desk, ui: &mut egui::Ui) {
        let Some(d) = self.detail.clone() else {
            ui.spinner();
            return;
        };
        let o = |v: &Option<String>| v.clone().unwrap_or_default();
        let p = &d.person;
        let mut edit = false;
        let mut fetch_scan: Option<String> = None;
        egui::ScrollArea::vertical()
            .id_salt("person-view")
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    ui.heading(format!(
                        "{} {} {}",
                        p.first_name,
                        o(&p.second_name),
                        p.last_name
                    ));
                    ui.label(tr!(
                        "pv-code-status",
                        rid = d.reference_id.as_str(),
                        status = widgets::code_words(&d.status),
                        version = d.object_version_number.to_string()
                    ));
                    if d.status == "active" && ui.button(tr!("pv-edit")).clicked() {
                        edit = true;
                    }
                    if ui.button(tr!("pv-close")).clicked() {
                        self.selected = None;
                    }
                });
                egui::Grid::new("pv")
                    .num_columns(2)
                    .spacing([12.0, 4.0])
                    .show(ui, |ui| {
                        for (k, v) in [
                            ("se-born", p.birth_date.clone()),
                            ("reg-gender", widgets::code_words(&p.gender)),
                            ("reg-tax-id", o(&p.tax_id)),
                            ("reg-unzr", o(&p.unzr)),
                            ("reg-email", o(&p.email)),
                            ("pv-public-id", d.id.clone()),
                            ("pv-link-id", o(&d.link_id)),
                            (
                                "pv-created",
                                tr!(
                                    "pv-at-by",
                                    at = d.created_at.as_str(),
                                    by = d.created_by.as_str()
                                ),
                            ),
                            (
                                "pv-updated",
                                tr!(
                                    "pv-at-by",
                                    at = d.updated_at.as_str(),
                                    by = d.updated_by.as_str()
                                ),
                            ),
                        ] {
                            ui.label(tr!(k));
                            ui.label(if v.is_empty() { "—".into() } else { v });
                            ui.end_row();
                        }
                    });
                ui.collapsing(tr!("pv-phones-addresses"), |ui| {
                    for ph in &p.phones {
                        ui.label(format!("{} {}", widgets::code_words(&ph.kind), ph.number));
                    }
                    for a in &p.addresses {
                        ui.label(format!(
                            "{}: {} {}, {} {} {}",
                            widgets::code_words(&a.kind),
                            o(&a.street),
                            o(&a.house_number),
                            o(&a.postal_code),
                            o(&a.settlement),
                            o(&a.country)
                        ));
                    }
                });
                ui.collapsing(tr!("pv-documents"), |ui| {
                    for doc in &p.documents {
                        ui.label(tr!(
                            "pv-document",
                            kind = widgets::code_words(&doc.kind),
                            number = doc.number.as_str(),
                            issued = o(&doc.issued_at),
                            by = o(&doc.issued_by),
                            expires = o(&doc.expiration_date)
                        ));
                        ui.horizontal_wrapped(|ui| {
                            for sc in &doc.scans {
                                if let Some(t) = self.scans.get(&sc.id) {
                                    ui.image((t.id(), t.size_vec2() * 0.5));
                                } else if ui
                                    .button(tr!("pv-show-scan", name = sc.file_name.as_str()))
                                    .clicked()
                                {
                                    fetch_scan = Some(sc.id.clone());
                                }
                                ui.label(tr!(
                                    "pv-scan-size",
                                    media = sc.media_type.as_str(),
                                    kb = sc.size.div_ceil(1024)
                                ));
                            }
                        });
                    }
                });
                ui.collapsing(tr!("reg-identifiers"), |ui| {
                    for i in &p.issued_identifiers {
                        ui.label(format!(
                            "{} {} ({})",
                            widgets::code_words(&i.kind),
                            i.issued_number,
                            o(&i.issued_identifier_id)
                        ));
                    }
                });
                self.steward.sections(desk, ui, &d);
                ui.collapsing(tr!("pv-history"), |ui| {
                    if self.history.is_empty() {
                        ui.label(tr!("pv-no-history"));
                    }
                    for h in &self.history {
                        ui.label(tr!(
                            "pv-history-entry",
                            version = h.version.to_string(),
                            at = h.at.as_str(),
                            author = h.author.as_str(),
                            approver = h.approved_by.as_str()
                        ));
                        let diff: Vec<crate::service::persons::FieldChange> =
                            serde_json::from_value(h.diff.clone()).unwrap_or_default();
                        for c in &diff {
                            ui.label(format!(
                                "    {}: {} -> {}",
                                super::pages::field_words(&c.field),
                                super::pages::value_words(&c.old),
                                super::pages::value_words(&c.new)
                            ));
                        }
                    }
                });
                ui.collapsing(tr!("pv-audit"), |ui| {
                    for a in &self.audit {
                        ui.label(format!(
                            "{} · {} · {} · {}",
                            a.at, a.actor, a.operation, a.trace_id
                        ));
                    }
                });
            });
        if let Some(id) = fetch_scan {
            desk.worker
                .call(Tag::Scan(id.clone()), Request::Scan { id });
        }
        if edit {
            desk.ask(Intent::EditPerson(Box::new(d.clone())));
        }
    }
}
