//! A picture of every screen, in light and in dark, rendered on the CPU
//! (wgpu on Mesa lavapipe). `UPDATE_SNAPSHOTS=1 cargo test --test
//! gui_snapshots` refreshes them; look at each PNG under tests/snapshots.
//! One test, so that seeded ids and a fixed clock make the pictures
//! repeatable. Every screen in English and Ukrainian (`uk_*.png`), at
//! 1600×1000 and 1024×700.
#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use registrar::gui::App;
use registrar::i18n::{self, Lang};
use registrar::service::{Registry, Role};
use serde_json::json;
use std::time::Duration;

fn fixed_clock(reg: &mut Registry) {
    reg.set_clock(|| {
        chrono::DateTime::parse_from_rfc3339("2026-11-22T09:30:00Z")
            .unwrap()
            .to_utc()
    });
}

fn settle(h: &mut Harness<'static, App>) {
    for _ in 0..400 {
        h.step();
        if h.state().is_idle() {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    for _ in 0..6 {
        h.step();
    }
}

fn type_into(h: &mut Harness<'static, App>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
}

fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).click();
    h.step();
    settle(h);
}

/// The person view's sections the stewardship snapshot opens.
const PERSON_SECTIONS: [&str; 4] = [
    "st-golden",
    "st-records",
    "st-merge-section",
    "st-link-history",
];

/// Open (or close) each collapsing section, scrolled into view first.
fn toggle(h: &mut Harness<'static, App>, sections: &[String]) {
    for section in sections {
        h.get_by_label(section).scroll_to_me();
        settle(h);
        click(h, section);
    }
}

fn unfocus(h: &mut Harness<'static, App>) {
    h.ctx.memory_mut(|m| {
        if let Some(id) = m.focused() {
            m.surrender_focus(id);
        }
    });
    h.step();
}

#[test]
fn every_screen_light_and_dark() {
    registrar::core::ids::seed(2026);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("snap.db");
    let taras = {
        let mut reg = Registry::open(&path).unwrap();
        fixed_clock(&mut reg);
        reg.add_user(None, "ada", Role::Admin, "admin-pass")
            .unwrap();
        let ada = reg.authenticate("ada", "admin-pass").unwrap();
        reg.add_user(Some(&ada), "rita", Role::Receptionist, "rita-pass")
            .unwrap();
        let rita = reg.authenticate("rita", "rita-pass").unwrap();
        let olena = json!({"person": {
            "first_name": "Olena", "last_name": "Kovalenko", "second_name": "Petrivna", "birth_date": "1986-04-12", "gender": "FEMALE",
            "birth_country": "UA", "no_tax_id": true,
            "email": "olena@example.com",
            "phones": [{"type": "MOBILE", "number": "+380501234567"}],
            "addresses": [{"type": "RESIDENCE", "settlement": "Kyiv", "country": "UA", "street": "Khreshchatyk", "house_number": "1", "postal_code": "01001"}],
            "documents": [{"type": "PASSPORT", "number": "АА123456", "issued_by": "Kyiv", "issued_at": "2002-05-01"}],
            "authentication_methods": [{"type": "OTP", "phone_number": "+380501234567"}]}});
        let o = reg.person_request(&rita, &olena).unwrap().person;
        let mut refs = Vec::new();
        let mut bodies = Vec::new();
        for (i, (first, last, born)) in [
            ("Taras", "Shevchenko", "1961-03-09"),
            ("Iryna", "Bondarenko", "1990-07-21"),
            ("Mykola", "Melnyk", "1955-11-02"),
        ]
        .into_iter()
        .enumerate()
        {
            let mut b = olena.clone();
            b["person"]["first_name"] = json!(first);
            b["person"]["last_name"] = json!(last);
            b["person"]["birth_date"] = json!(born);
            b["person"]["documents"][0]["number"] = json!(format!("КА10000{i}"));
            b["person"]["documents"][0]["issued_at"] = json!("2010-05-01");
            b["person"]["phones"] = json!([]);
            b["person"]["addresses"] = json!([]);
            b["person"].as_object_mut().unwrap().remove("email");
            refs.push(reg.person_request(&rita, &b).unwrap().person.reference_id);
            bodies.push(b);
        }
        // Rita's change to Iryna, rejected with a reason ("My changes").
        let mut upd = bodies[1]["person"].clone();
        upd.as_object_mut()
            .unwrap()
            .remove("authentication_methods");
        upd["last_name"] = json!("Bondar");
        reg.update_generic(
            &rita,
            &refs[1],
            &json!({"objectVersionNumber": 1, "person": upd}),
            false,
        )
        .unwrap();
        reg.reject(&ada, &refs[1], "No document shows the new surname")
            .unwrap();
        // Taras: a record from a hospital system, a second registration
        // merged into him, and a look-alike offered as a possible duplicate.
        let taras = refs[0].clone();
        let sor = |sor: &str, id: &str, born: &str, to: &str| {
            json!({"requestType": "referenceId", "sor": sor, "referenceId": to,
                   "sorAttributes": {"sorId": id, "givenName": "Taras", "sn": "Shevchenko", "dateOfBirth": born}})
        };
        reg.reference_request(&ada, &sor("HIS", "H-12", "1961-03-09", &taras))
            .unwrap();
        let twice = match reg
            .reference_request(&ada, &sor("LAB", "L-5", "1961-03-09", "new"))
            .unwrap()
        {
            registrar::service::idmatch::ReferenceOutcome::Created(r) => r,
            other => panic!("{other:?}"),
        };
        reg.merge(&ada, &taras, &twice, "registered twice at the lab")
            .unwrap();
        reg.reference_request(&ada, &sor("LAB", "L-9", "1961-03-19", "new"))
            .unwrap();
        // A receptionist's change waiting for review.
        let mut upd = olena.clone();
        upd["person"]
            .as_object_mut()
            .unwrap()
            .remove("authentication_methods");
        upd["person"]["first_name"] = json!("Olha");
        upd["person"]["phones"][0]["number"] = json!("+380671112233");
        reg.update_generic(
            &rita,
            &o.id,
            &json!({"objectVersionNumber": 1, "person": upd["person"]}),
            false,
        )
        .unwrap();
        // A record waiting for reconciliation.
        reg.configure("reconciliation_mode", Some("queue")).unwrap();
        let r = reg
            .reference_request(&ada, &json!({"requestType": "referenceId", "sor": "HIS", "sorAttributes": {"sorId": "H-77", "givenName": "Olena", "sn": "Kovalenko", "dateOfBirth": "1986-04-21", "gender": "M"}}))
            .unwrap();
        assert!(
            matches!(r, registrar::service::idmatch::ReferenceOutcome::Queued(_)),
            "{r:?}"
        );
        taras
    };
    let mut reg = Registry::open(&path).unwrap();
    fixed_clock(&mut reg);
    let mut h = Harness::builder()
        .with_size([1600.0, 1000.0])
        .build_eframe(move |cc| App::new(cc, reg, "~/.local/share/registrar/registrar.db".into()));
    h.ctx
        .all_styles_mut(|s| s.visuals.text_cursor.blink = false);
    settle(&mut h);
    // A file for the Import page, at a path that is the same on every run
    // (it shows in the picture).
    let import_csv = std::env::temp_dir().join("registrar-snapshot-import.csv");
    std::fs::write(
        &import_csv,
        "record_id,given_name,Surname,date of birth,phone,favourite colour\nH-1,Olena,Kovalenko,1986-04-12,+380501234567,blue\n",
    )
    .unwrap();
    // Each screen in English and in Ukrainian: the labels the test looks
    // for are the catalogue's, in the language on screen.
    for lang in Lang::ALL {
        h.state_mut().set_language(lang);
        let l = |id: &str| {
            i18n::set(lang);
            registrar::tr!(id)
        };
        let open = |rid: &str| {
            i18n::set(lang);
            registrar::tr!("se-open", rid = rid)
        };
        let one = |id: &str| format!("{} (1)", l(id));
        let p = match lang {
            Lang::En => "",
            Lang::Uk => "uk_",
        };
        // Every screen at 1600×1000 and at 1024×700 (`small_*`): nothing is
        // cut off; what does not fit scrolls.
        for ((width, height), size, theme, name) in [
            ((1600.0, 1000.0), "", egui::ThemePreference::Light, "light"),
            ((1600.0, 1000.0), "", egui::ThemePreference::Dark, "dark"),
            (
                (1024.0, 700.0),
                "small_",
                egui::ThemePreference::Light,
                "light",
            ),
            (
                (1024.0, 700.0),
                "small_",
                egui::ThemePreference::Dark,
                "dark",
            ),
        ] {
            h.set_size(egui::vec2(width, height));
            h.ctx
                .all_styles_mut(|s| s.visuals.text_cursor.blink = false);
            h.ctx.set_theme(theme);
            settle(&mut h);
            h.snapshot(format!("{p}{size}login_{name}"));
            type_into(&mut h, &l("login-user"), "ada");
            type_into(&mut h, &l("login-password"), "admin-pass");
            h.get_by_role_and_label(egui::accesskit::Role::Button, &l("login-sign-in"))
                .click();
            settle(&mut h);
            unfocus(&mut h);
            h.snapshot(format!("{p}{size}register_{name}"));
            // The calendar beside the birth date, in the language shown.
            h.get_by_role_and_label(egui::accesskit::Role::Button, &l("calendar"))
                .click();
            settle(&mut h);
            h.snapshot(format!("{p}{size}calendar_{name}"));
            h.key_press(egui::Key::Escape);
            settle(&mut h);
            // A field's message once it is left, and the duplicate panel.
            type_into(&mut h, &l("reg-first-name"), "Olena");
            type_into(&mut h, &l("reg-last-name"), "Kovalenko");
            type_into(&mut h, &l("reg-birth-date"), "1986-04-12");
            type_into(&mut h, &l("reg-tax-id"), "12345");
            std::thread::sleep(Duration::from_millis(350));
            settle(&mut h);
            unfocus(&mut h);
            settle(&mut h);
            h.snapshot(format!("{p}{size}register_errors_{name}"));
            // The chooser at the desk.
            click(&mut h, &l("dup-compare"));
            unfocus(&mut h);
            h.snapshot(format!("{p}{size}chooser_{name}"));
            click(&mut h, &l("cancel"));
            h.get_by_label(&l("reg-clear")).scroll_to_me();
            settle(&mut h);
            click(&mut h, &l("reg-clear"));
            settle(&mut h);
            h.key_press(egui::Key::F1);
            settle(&mut h);
            h.snapshot(format!("{p}{size}help_{name}"));
            h.key_press(egui::Key::Escape);
            settle(&mut h);
            // A child: the method is THIRD_PERSON by itself, and the confidant
            // is found by name.
            type_into(&mut h, &l("reg-first-name"), "Marko");
            type_into(&mut h, &l("reg-last-name"), "Kovalenko");
            type_into(&mut h, &l("reg-birth-date"), "2021-06-01");
            std::thread::sleep(Duration::from_millis(350));
            settle(&mut h);
            type_into(&mut h, &l("reg-confidant-find"), "Kovalenko");
            settle(&mut h);
            h.get_by_label(&l("reg-confidant-find")).scroll_to_me();
            unfocus(&mut h);
            settle(&mut h);
            h.snapshot(format!("{p}{size}child_{name}"));
            h.get_by_label(&l("reg-clear")).scroll_to_me();
            settle(&mut h);
            click(&mut h, &l("reg-clear"));
            settle(&mut h);
            // A tax id that encodes another birth date: words at the field.
            let tax = registrar::core::rules::make_tax_id(
                chrono::NaiveDate::from_ymd_opt(1986, 4, 12).unwrap(),
                "FEMALE",
                42,
            );
            type_into(&mut h, &l("reg-first-name"), "Olena");
            type_into(&mut h, &l("reg-birth-date"), "1986-04-21");
            type_into(&mut h, &l("reg-tax-id"), &tax);
            std::thread::sleep(Duration::from_millis(350));
            settle(&mut h);
            unfocus(&mut h);
            settle(&mut h);
            h.snapshot(format!("{p}{size}tax_warning_{name}"));
            h.get_by_label(&l("reg-clear")).scroll_to_me();
            settle(&mut h);
            click(&mut h, &l("reg-clear"));
            settle(&mut h);
            click(&mut h, &one("page-reconciliation"));
            h.query_all_by_label_contains("Olena Kovalenko")
                .next()
                .expect("the waiting record")
                .click();
            settle(&mut h);
            h.snapshot(format!("{p}{size}reconciliation_{name}"));
            click(&mut h, &l("page-search"));
            if h.query_by_label(&l("pv-close")).is_some() {
                click(&mut h, &l("pv-close"));
            }
            h.get_by_label(&open(&taras)).scroll_to_me();
            settle(&mut h);
            click(&mut h, &open(&taras));
            unfocus(&mut h);
            h.snapshot(format!("{p}{size}search_{name}"));
            // The person's records, merge and duplicates, link history.
            let sections: Vec<String> = PERSON_SECTIONS.iter().map(|id| l(id)).collect();
            toggle(&mut h, &sections);
            h.get_by_label(&l("st-link-history")).scroll_to_me();
            settle(&mut h);
            unfocus(&mut h);
            h.snapshot(format!("{p}{size}person_steward_{name}"));
            toggle(&mut h, &sections);
            click(&mut h, &one("page-review"));
            h.snapshot(format!("{p}{size}review_{name}"));
            click(&mut h, &l("page-sync"));
            h.snapshot(format!("{p}{size}sync_{name}"));
            // Import CSV…: a file's columns, guessed from their names.
            click(&mut h, &l("page-import"));
            type_into(&mut h, &l("imp-file"), &import_csv.display().to_string());
            click(&mut h, &l("imp-read"));
            settle(&mut h);
            unfocus(&mut h);
            h.snapshot(format!("{p}{size}import_{name}"));
            click(&mut h, &l("page-settings"));
            settle(&mut h);
            // Down to the users and the form to add one (a wheel over the
            // page: what is out of view has no accessible node to scroll to).
            h.event(egui::Event::PointerMoved(egui::pos2(500.0, 400.0)));
            h.event(egui::Event::MouseWheel {
                unit: egui::MouseWheelUnit::Point,
                delta: egui::vec2(0.0, -400.0),
                modifiers: egui::Modifiers::NONE,
                phase: egui::TouchPhase::Move,
                source: egui::MouseWheelSource::Wheel,
            });
            settle(&mut h);
            h.snapshot(format!("{p}{size}settings_{name}"));
            // The receptionist's own changes: one waiting, one rejected.
            click(&mut h, &l("top-sign-out"));
            settle(&mut h);
            type_into(&mut h, &l("login-user"), "rita");
            type_into(&mut h, &l("login-password"), "rita-pass");
            h.get_by_role_and_label(egui::accesskit::Role::Button, &l("login-sign-in"))
                .click();
            settle(&mut h);
            click(&mut h, &one("page-review"));
            settle(&mut h);
            h.snapshot(format!("{p}{size}my_changes_{name}"));
            click(&mut h, &l("top-sign-out"));
        }
    }
    i18n::set(Lang::En);
}
