//! Settings → Users (admins only): the accounts, a role per user, a new
//! password, disable and enable, and a form to add a user. Every change is
//! a router call (`POST /users`, `PATCH /users/{name}`); the rules (the last
//! admin, nobody disables themselves, password length) are the service's.

use super::worker::{Reply, Tag};
use super::{Desk, Notice, widgets};
use crate::api::Request;
use crate::service::Role;
use crate::service::accounts::UserChange;
use crate::tr;
use eframe::egui;

/// The roles an account can have (their words are `code-<role>`).
const ROLES: [&str; 3] = ["receptionist", "reviewer", "admin"];

fn role_words(role: &str) -> String {
    widgets::code_words(role)
}

#[derive(Default)]
pub struct UsersState {
    users: Vec<crate::service::accounts::UserRow>,
    loaded: bool,
    new_name: String,
    new_role: String,
    new_password: String,
    /// The user whose password is being set, and the new password.
    resetting: Option<String>,
    reset_password: String,
    hub_loaded: bool,
    hub_url: String,
    hub_key_id: String,
    /// A new secret, sent only when typed; the stored one is never shown.
    hub_secret: String,
    hub_secret_stored: bool,
    hub_test: Option<std::sync::mpsc::Receiver<Reply>>,
    hub_result: Option<(String, bool)>,
}

impl UsersState {
    pub(super) fn on_reply(&mut self, desk: &mut Desk, r: Reply) {
        match &r.tag {
            Tag::HubGet if r.ok() => {
                // What the admin already typed wins over a late answer.
                if self.hub_url.is_empty() {
                    self.hub_url = r.body["url"].as_str().unwrap_or("").to_string();
                }
                if self.hub_key_id.is_empty() {
                    self.hub_key_id = r.body["keyId"].as_str().unwrap_or("").to_string();
                }
                self.hub_secret_stored = r.body["secretStored"].as_bool().unwrap_or(false);
            }
            Tag::HubSave => {
                if r.ok() {
                    self.hub_secret.clear();
                    self.hub_result = None;
                    desk.notice = Some(Notice::done(tr!("us-hub-saved")));
                    desk.worker.call(Tag::HubGet, Request::HubGet);
                    desk.worker.call(Tag::Stats, Request::Stats);
                } else {
                    desk.notice = Some(Notice::refused(&r));
                }
            }
            Tag::Users if r.ok() => {
                self.users = serde_json::from_value(r.body["items"].clone()).unwrap_or_default();
            }
            Tag::AddUser | Tag::UpdateUser => {
                if r.ok() {
                    let name = r.body["name"].as_str().unwrap_or("").to_string();
                    desk.notice = Some(Notice::done(if r.tag == Tag::AddUser {
                        tr!("us-added", name = name.as_str())
                    } else {
                        tr!("us-saved", name = name.as_str())
                    }));
                    if r.tag == Tag::AddUser {
                        self.new_name.clear();
                        self.new_password.clear();
                    }
                    self.resetting = None;
                    self.reset_password.clear();
                    desk.worker.call(Tag::Users, Request::Users);
                } else {
                    desk.notice = Some(Notice::refused(&r));
                }
            }
            _ if !r.ok() => desk.notice = Some(Notice::refused(&r)),
            _ => {}
        }
    }

    /// Settings -> Hub connection (admins): where this site sends its
    /// changes, with which key; the secret goes to its 0600 file and is
    /// never shown again. "Test connection" asks the hub one signed
    /// question on a background task.
    /// The answer of "Test connection", whatever page shows.
    pub(super) fn logic(&mut self) {
        if let Some(rx) = &self.hub_test
            && let Ok(r) = rx.try_recv()
        {
            self.hub_test = None;
            self.hub_result = Some(if r.ok() {
                let ok = r.body["ok"].as_bool().unwrap_or(false);
                let m = r.body["message"].as_str().unwrap_or("").to_string();
                (
                    if ok {
                        tr!("us-connected", why = m)
                    } else {
                        tr!("us-no-connection", why = m)
                    },
                    ok,
                )
            } else {
                (tr!("us-no-connection", why = r.message()), false)
            });
        }
    }

    pub(super) fn hub_section(&mut self, desk: &mut Desk, ui: &mut egui::Ui) {
        if desk.role() != "admin" {
            return;
        }
        widgets::section(ui, &tr!("us-hub"));
        if !self.hub_loaded {
            self.hub_loaded = true;
            desk.worker.call(Tag::HubGet, Request::HubGet);
        }
        let mut save = false;
        egui::Grid::new("hub")
            .num_columns(2)
            .spacing([12.0, 6.0])
            .show(ui, |ui| {
                let l = ui.label(tr!("us-hub-url"));
                ui.add(
                    egui::TextEdit::singleline(&mut self.hub_url)
                        .hint_text("https://hub.example.org")
                        .desired_width(320.0),
                )
                .labelled_by(l.id);
                ui.end_row();
                let l = ui.label(tr!("us-key-id"));
                ui.add(egui::TextEdit::singleline(&mut self.hub_key_id).desired_width(320.0))
                    .labelled_by(l.id);
                ui.end_row();
                let l = ui.label(tr!("us-secret"));
                ui.add(
                    egui::TextEdit::singleline(&mut self.hub_secret)
                        .password(true)
                        .hint_text(if self.hub_secret_stored {
                            tr!("us-secret-stored")
                        } else {
                            tr!("us-secret-hint")
                        })
                        .desired_width(320.0),
                )
                .labelled_by(l.id);
                ui.end_row();
            });
        ui.horizontal_wrapped(|ui| {
            if ui
                .add_enabled(
                    !self.hub_url.trim().is_empty() && !self.hub_key_id.trim().is_empty(),
                    egui::Button::new(tr!("us-save-connection")),
                )
                .clicked()
            {
                save = true;
            }
            let testing = self.hub_test.is_some();
            if ui
                .add_enabled(
                    !testing && desk.db_path.is_some(),
                    egui::Button::new(tr!("us-test-connection")),
                )
                .clicked()
                && let Some(db) = desk.db_path.clone()
            {
                self.hub_result = None;
                self.hub_test = Some(super::worker::background(
                    ui.ctx().clone(),
                    db,
                    desk.user.clone(),
                    Tag::HubTest,
                    Request::HubTest,
                ));
            }
            if testing {
                ui.spinner();
                ui.label(tr!("us-asking"));
            }
        });
        if let Some((text, ok)) = &self.hub_result {
            let c = if *ok {
                widgets::ok_color(ui)
            } else {
                widgets::error_color(ui)
            };
            ui.label(egui::RichText::new(text).color(c));
        }
        if save {
            let secret = self.hub_secret.trim();
            let request = Request::HubPut {
                url: self.hub_url.trim().to_string(),
                key_id: self.hub_key_id.trim().to_string(),
                secret: (!secret.is_empty()).then(|| secret.to_string()),
            };
            desk.worker.call(Tag::HubSave, request);
        }
    }

    /// The Users section of Settings, for admins.
    pub(super) fn users_section(&mut self, desk: &mut Desk, ui: &mut egui::Ui) {
        if desk.role() != "admin" {
            return;
        }
        widgets::section(ui, &tr!("us-users"));
        if !self.loaded {
            self.loaded = true;
            desk.worker.call(Tag::Users, Request::Users);
        }
        let me = desk
            .user
            .as_ref()
            .map(|(n, _)| n.clone())
            .unwrap_or_default();
        let mut call: Option<(Tag, Request)> = None;
        egui::Grid::new("users")
            .num_columns(5)
            .striped(true)
            .spacing([12.0, 4.0])
            .show(ui, |ui| {
                for h in ["us-user", "us-role", "us-account", "us-added-at"] {
                    ui.strong(tr!(h));
                }
                ui.label("");
                ui.end_row();
                for user in &self.users {
                    let name = user.name.as_str();
                    let role = user.role.as_str();
                    let disabled = user.disabled;
                    ui.label(name);
                    let mut chosen = role.to_string();
                    egui::ComboBox::from_id_salt(("role", name))
                        .selected_text(role_words(role))
                        .show_ui(ui, |ui| {
                            for r in ROLES {
                                ui.selectable_value(&mut chosen, r.to_string(), role_words(r));
                            }
                        })
                        .response
                        .widget_info(|| {
                            egui::WidgetInfo::labeled(
                                egui::Role::ComboBox,
                                true,
                                tr!("us-role-of", name = name),
                            )
                        });
                    if chosen != role {
                        call = Some((
                            Tag::UpdateUser,
                            Request::UpdateUser {
                                name: name.to_string(),
                                change: UserChange {
                                    role: Role::parse(&chosen),
                                    ..UserChange::default()
                                },
                            },
                        ));
                    }
                    ui.label(if disabled {
                        tr!("us-disabled")
                    } else {
                        tr!("us-active")
                    });
                    ui.label(user.created_at.get(..10).unwrap_or(""));
                    ui.horizontal(|ui| {
                        if name != me {
                            let (text, to) = if disabled {
                                (tr!("us-enable", name = name), false)
                            } else {
                                (tr!("us-disable", name = name), true)
                            };
                            if ui.button(text).clicked() {
                                call = Some((
                                    Tag::UpdateUser,
                                    Request::UpdateUser {
                                        name: name.to_string(),
                                        change: UserChange {
                                            disabled: Some(to),
                                            ..UserChange::default()
                                        },
                                    },
                                ));
                            }
                        }
                        if self.resetting.as_deref() == Some(name) {
                            let l = ui.label(tr!("us-new-password"));
                            ui.add(
                                egui::TextEdit::singleline(&mut self.reset_password)
                                    .password(true)
                                    .desired_width(160.0),
                            )
                            .labelled_by(l.id);
                            if ui
                                .add_enabled(
                                    !self.reset_password.is_empty(),
                                    egui::Button::new(tr!("us-set-password")),
                                )
                                .clicked()
                            {
                                call = Some((
                                    Tag::UpdateUser,
                                    Request::UpdateUser {
                                        name: name.to_string(),
                                        change: UserChange {
                                            password: Some(self.reset_password.clone()),
                                            ..UserChange::default()
                                        },
                                    },
                                ));
                            }
                            if ui.button(tr!("cancel")).clicked() {
                                self.resetting = None;
                                self.reset_password.clear();
                            }
                        } else if ui.button(tr!("us-reset", name = name)).clicked() {
                            self.resetting = Some(name.to_string());
                            self.reset_password.clear();
                        }
                    });
                    ui.end_row();
                }
            });
        ui.add_space(6.0);
        ui.strong(tr!("us-add-title"));
        if self.new_role.is_empty() {
            self.new_role = "receptionist".into();
        }
        ui.horizontal_wrapped(|ui| {
            let l = ui.label(tr!("us-new-name"));
            ui.add(egui::TextEdit::singleline(&mut self.new_name).desired_width(160.0))
                .labelled_by(l.id);
            let l = ui.label(tr!("us-new-role"));
            egui::ComboBox::from_id_salt("new role")
                .selected_text(role_words(&self.new_role))
                .show_ui(ui, |ui| {
                    for r in ROLES {
                        ui.selectable_value(&mut self.new_role, r.to_string(), role_words(r));
                    }
                })
                .response
                .labelled_by(l.id);
            let l = ui.label(tr!("us-new-user-password"));
            ui.add(
                egui::TextEdit::singleline(&mut self.new_password)
                    .password(true)
                    .desired_width(160.0),
            )
            .labelled_by(l.id);
            if ui
                .add_enabled(
                    !self.new_name.trim().is_empty() && !self.new_password.is_empty(),
                    egui::Button::new(tr!("us-add")),
                )
                .clicked()
            {
                call = Some((
                    Tag::AddUser,
                    Request::AddUser {
                        name: self.new_name.trim().to_string(),
                        role: Role::parse(&self.new_role).unwrap_or(Role::Receptionist),
                        password: self.new_password.clone(),
                    },
                ));
            }
        });
        ui.label(tr!("us-help"));
        if let Some((tag, request)) = call {
            desk.worker.call(tag, request);
        }
    }
}
