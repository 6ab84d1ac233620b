//! The workstation driven like a person would: through AccessKit labels,
//! with egui_kittest on the real eframe app. Snapshots render with wgpu on
//! the CPU (Mesa lavapipe) and live under tests/snapshots.
#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure

use eframe::egui;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use registrar::gui::App;
use registrar::service::{Registry, Role};
use std::path::{Path, PathBuf};
use std::time::Duration;

struct Db {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

/// [`db_with_users`]' accounts: the administrator first (who adds the
/// others), a receptionist and a reviewer.
const USERS: [(&str, Role, &str); 3] = [
    ("ada", Role::Admin, "admin-pass"),
    ("rita", Role::Receptionist, "rita-pass"),
    ("rob", Role::Reviewer, "rob-pass1"),
];

fn db_with_users() -> Db {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("gui.db");
    let mut reg = Registry::open(&path).unwrap();
    let [(admin, role, password), rest @ ..] = USERS;
    reg.add_user(None, admin, role, password).unwrap();
    let by = reg.authenticate(admin, password).unwrap();
    for (name, role, password) in rest {
        reg.add_user(Some(&by), name, role, password).unwrap();
    }
    Db { _dir: dir, path }
}

fn harness(path: &Path) -> Harness<'static, App> {
    harness_with(Registry::open(path).unwrap(), path, [1500.0, 1300.0])
}

/// The app on `reg` (the database at `path`, for its background tasks:
/// sync, import) in a window `size` points large.
fn harness_with(reg: Registry, path: &Path, size: [f32; 2]) -> Harness<'static, App> {
    let label = path.display().to_string();
    let path = path.to_path_buf();
    Harness::builder()
        .with_size(size)
        .build_eframe(move |cc| App::new(cc, reg, label).with_db_path(path))
}

/// Step the app until `done` holds (the worker answers on its own thread).
fn wait_for(
    h: &mut Harness<'static, App>,
    what: &str,
    done: impl Fn(&Harness<'static, App>) -> bool,
) {
    for _ in 0..400 {
        h.step();
        if done(h) {
            // Let windows that just appeared settle their size and place.
            for _ in 0..4 {
                h.step();
            }
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let _ = h.try_snapshot(format!("timeout-{}", what.replace(' ', "-")));
    panic!("timed out waiting for {what} (see tests/snapshots/timeout-*.new.png)");
}

fn has_text(h: &Harness<'static, App>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

fn type_into(h: &mut Harness<'static, App>, label: &str, text: &str) {
    h.get_by_label(label).focus();
    h.step();
    h.get_by_label(label).type_text(text);
    h.step();
}

fn choose(h: &mut Harness<'static, App>, label: &str, option: &str) {
    h.get_by_label(label).click();
    h.step();
    h.step();
    h.get_by_label(option).click();
    h.step();
    h.step();
}

fn click(h: &mut Harness<'static, App>, label: &str) {
    h.get_by_label(label).click();
    h.step();
}

/// The app on the database at `path`, signed in as `user`, one of
/// [`USERS`].
fn signed_in(path: &Path, user: &str) -> Harness<'static, App> {
    let mut h = harness(path);
    sign_in(&mut h, user);
    h
}

/// Sign in as `user`, one of [`USERS`], with its password.
fn sign_in(h: &mut Harness<'static, App>, user: &str) {
    let (_, _, password) = USERS
        .iter()
        .find(|(name, _, _)| *name == user)
        .unwrap_or_else(|| panic!("{user} is not one of db_with_users' accounts"));
    login(h, user, password);
}

fn login(h: &mut Harness<'static, App>, name: &str, password: &str) {
    wait_for(h, "the sign-in screen", |h| has_text(h, "Sign in"));
    type_into(h, "User name", name);
    type_into(h, "Password", password);
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Sign in")
        .click();
    wait_for(h, "the main window", |h| has_text(h, "Possible duplicates"));
}

#[test]
fn first_start_creates_the_admin() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.db");
    let mut h = harness(&path);
    wait_for(&mut h, "the first-admin screen", |h| {
        has_text(h, "no accounts yet")
    });
    type_into(&mut h, "User name", "ada");
    type_into(&mut h, "Password", "admin-pass");
    type_into(&mut h, "Repeat password", "admin-pass");
    click(&mut h, "Create administrator");
    wait_for(&mut h, "the main window", |h| {
        has_text(h, "ada (Administrator)")
    });
    let reg = Registry::open(&path).unwrap();
    assert_eq!(reg.users().unwrap()[0].role, "admin");
}

fn fill_adult(h: &mut Harness<'static, App>) {
    type_into(h, "First name", "Olena");
    type_into(h, "Last name", "Kovalenko");
    type_into(h, "Birth date", "1986-04-12");
    type_into(h, "Birth country", "UA");
    h.get_by_label("No tax id").click();
    h.step();
    choose(h, "Gender", "Female");
    type_into(h, "Phone 1 number", "+380501234567");
    click(h, "Add document");
    h.step();
    choose(h, "Document 1 type", "Passport");
    type_into(h, "Document 1 number", "АА123456");
    type_into(h, "Document 1 issued by", "Kyiv");
    type_into(h, "Document 1 issued on", "2002-05-01");
    type_into(h, "OTP phone", "+380501234567");
}

#[test]
fn register_an_adult() {
    let db = db_with_users();
    let mut h = signed_in(&db.path, "rita");
    type_into(&mut h, "Tax id", "123");
    // Nothing is said while the field is being typed in...
    std::thread::sleep(Duration::from_millis(400));
    for _ in 0..20 {
        h.step();
    }
    assert!(
        !has_text(&h, "Ten digits"),
        "an error before the field was left"
    );
    // ...and the rule in words once it is left.
    h.key_press(egui::Key::Tab);
    wait_for(&mut h, "live validation of the tax id", |h| {
        has_text(h, "Ten digits.")
    });
    assert!(
        !has_text(&h, "pattern"),
        "a regex shown to the receptionist"
    );
    h.get_by_label("Tax id").focus();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.step();
    h.key_press(egui::Key::Backspace);
    h.step();
    fill_adult(&mut h);
    wait_for(&mut h, "the form to validate", |h| !has_text(h, "! "));
    click(&mut h, "Register person");
    wait_for(&mut h, "the registration", |h| {
        has_text(h, "Registered Olena Kovalenko as M")
    });
    let reg = Registry::open(&db.path).unwrap();
    let (rows, total) = reg.search("Kovalenko", 0, 10).unwrap();
    assert_eq!(total, 1);
    assert_eq!(rows[0].name, "Olena Kovalenko");
    let p = reg.get_person(&rows[0].id).unwrap();
    assert_eq!(p.created_by, "rita");
    assert_eq!(p.person.documents[0].number, "АА123456");
}

fn seed_person(path: &Path, body: serde_json::Value) -> String {
    let mut reg = Registry::open(path).unwrap();
    let ada = reg.authenticate("ada", "admin-pass").unwrap();
    let out = reg.person_request(&ada, &body).unwrap();
    out.person.id
}

fn olena() -> serde_json::Value {
    serde_json::json!({"person": {
        "first_name": "Olena", "last_name": "Kovalenko", "birth_date": "1986-04-12", "gender": "FEMALE",
        "birth_country": "UA", "no_tax_id": true,
        "phones": [{"type": "MOBILE", "number": "+380501234567"}],
        "documents": [{"type": "PASSPORT", "number": "АА123456", "issued_by": "Kyiv", "issued_at": "2002-05-01"}],
        "authentication_methods": [{"type": "OTP", "phone_number": "+380501234567"}]}})
}

#[test]
fn register_a_child_with_a_confidant() {
    let db = db_with_users();
    let mother = seed_person(&db.path, olena());
    let mut h = signed_in(&db.path, "rita");
    assert!(
        h.query_by_label("Confidant first name").is_none(),
        "no confidant section for an unknown age"
    );
    type_into(&mut h, "First name", "Marko");
    type_into(&mut h, "Last name", "Kovalenko");
    type_into(&mut h, "Birth date", "2021-06-01");
    type_into(&mut h, "Birth country", "UA");
    wait_for(&mut h, "the confidant section", |h| {
        h.query_by_label("Confidant first name").is_some()
    });
    choose(&mut h, "Gender", "Male");
    h.get_by_label("No tax id").click();
    h.step();
    click(&mut h, "Add document");
    h.step();
    choose(&mut h, "Document 1 type", "Birth certificate");
    type_into(&mut h, "Document 1 number", "І-БК№123456");
    type_into(&mut h, "Document 1 issued by", "RATS");
    type_into(&mut h, "Document 1 issued on", "2021-06-10");
    // A child authenticates through a third person: the method switched by
    // itself, and the third person is whoever is chosen as the confidant.
    wait_for(&mut h, "the third-person method", |h| {
        has_text(h, "the confidant you choose")
    });
    assert!(
        h.query_by_label("Third person id").is_none(),
        "nobody types an internal id"
    );
    type_into(&mut h, "Find the confidant", "Kovalenko");
    wait_for(&mut h, "the confidant search", |h| {
        has_text(h, "Choose Olena")
    });
    h.query_all_by_label_contains("Choose Olena Kovalenko")
        .next()
        .unwrap()
        .click();
    h.step();
    wait_for(&mut h, "the chosen confidant's data", |h| {
        h.query_by_label("Confidant first name")
            .is_some_and(|n| n.value().as_deref() == Some("Olena"))
    });
    assert!(has_text(&h, "Confidant: Olena Kovalenko"));
    // Her own passport came with her, not retyped.
    assert_eq!(
        h.get_by_label("Confidant document 1 number")
            .value()
            .as_deref(),
        Some("АА123456")
    );
    // A confidant who is a child herself is refused.
    h.get_by_label("Confidant birth date").focus();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_label("Confidant birth date")
        .type_text("2015-01-01");
    h.step();
    h.key_press(egui::Key::Tab);
    wait_for(&mut h, "the confidant age rule", |h| {
        has_text(h, "The confidant must be an adult.")
    });
    h.get_by_label("Confidant birth date").focus();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_label("Confidant birth date")
        .type_text("1986-04-12");
    h.step();
    click(&mut h, "Add relationship document");
    h.step();
    choose(&mut h, "Relationship document 1 type", "Birth certificate");
    type_into(&mut h, "Relationship document 1 number", "І-БК№123456");
    type_into(&mut h, "Relationship document 1 issued by", "RATS");
    type_into(&mut h, "Relationship document 1 issued on", "2021-06-10");
    wait_for(&mut h, "the uploads the rules ask for", |h| {
        has_text(h, "Birth certificate (Primary confidant)")
    });
    assert!(!has_text(&h, "The confidant must be an adult"));
    // The form is taller than the window: scroll to the button, as a
    // person would.
    h.get_by_label("Register person").scroll_to_me();
    h.step();
    h.step();
    // Let the checks the last keystrokes started come back first: their
    // answers move what is drawn.
    wait_for(&mut h, "the checks", |h| h.state().is_idle());
    click(&mut h, "Register person");
    wait_for(&mut h, "the registration", |h| {
        has_text(h, "Registered Marko Kovalenko")
    });
    let reg = Registry::open(&db.path).unwrap();
    let (rows, _) = reg.search("Marko", 0, 10).unwrap();
    let p = reg.get_person(&rows[0].id).unwrap();
    assert_eq!(
        p.person.confidant_person[0].documents_relationship[0].kind,
        "BIRTH_CERTIFICATE"
    );
    assert_eq!(
        p.person.authentication_methods[0].value.as_deref(),
        Some(mother.as_str())
    );
}

#[derive(Debug)]
struct Dropped(PathBuf);
impl egui::DroppedFile for Dropped {
    fn path(&self) -> &Path {
        &self.0
    }
    fn bytes(&self) -> Result<Vec<u8>, String> {
        std::fs::read(&self.0).map_err(|e| e.to_string())
    }
}

fn tiny_png() -> Vec<u8> {
    let mut out = Vec::new();
    let img = image::RgbaImage::from_pixel(40, 56, image::Rgba([30, 90, 170, 255]));
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

#[test]
fn documents_scans_and_identifiers() {
    let db = db_with_users();
    let mut h = signed_in(&db.path, "rita");
    fill_adult(&mut h);
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("page1.jpg");
    std::fs::write(&fake, b"%PDF-1.7 not an image").unwrap();
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(fake)));
    wait_for(&mut h, "the refused PDF", |h| {
        has_text(
            h,
            "scan must be a JPEG or PNG image, content is application/pdf",
        )
    });
    let png = dir.path().join("page1.png");
    std::fs::write(&png, tiny_png()).unwrap();
    h.input_mut()
        .dropped_files
        .push(std::sync::Arc::new(Dropped(png)));
    wait_for(&mut h, "the attached scan", |h| {
        h.query_by_label("Remove scan page1.png").is_some()
    });
    click(&mut h, "Add identifier");
    h.step();
    choose(&mut h, "Identifier 1 type", "NPI");
    type_into(&mut h, "Identifier 1 number", "1234567893");
    click(&mut h, "Add identifier");
    h.step();
    choose(&mut h, "Identifier 2 type", "NPI");
    type_into(&mut h, "Identifier 2 number", "999");
    wait_for(&mut h, "the duplicate-type rule", |h| {
        has_text(h, "already has an identifier of this type")
    });
    h.get_by_label("Remove identifier 2").click();
    h.step();
    wait_for(&mut h, "a clean form", |h| {
        !has_text(h, "already has an identifier")
    });
    click(&mut h, "Register person");
    wait_for(&mut h, "the registration", |h| {
        has_text(h, "Registered Olena Kovalenko")
    });
    let reg = Registry::open(&db.path).unwrap();
    let (rows, _) = reg.search("Kovalenko", 0, 10).unwrap();
    let p = reg.get_person(&rows[0].id).unwrap();
    assert_eq!(p.person.documents[0].scans[0].media_type, "image/png");
    assert_eq!(p.person.issued_identifiers.len(), 1);
    assert_eq!(p.person.issued_identifiers[0].kind, "NPI");
    // The stored page is shown in the person view (decoded off the UI
    // thread): its button gives way to the picture.
    click(&mut h, "Search");
    let open = format!("Open {}", p.reference_id);
    wait_for(&mut h, "the search result", |h| has_text(h, &open));
    click(&mut h, &open);
    wait_for(&mut h, "the person view", |h| {
        has_text(h, "Documents and scans")
    });
    click(&mut h, "Documents and scans");
    wait_for(&mut h, "the stored scan", |h| has_text(h, "Show page1.png"));
    click(&mut h, "Show page1.png");
    wait_for(&mut h, "the picture", |h| !has_text(h, "Show page1.png"));
}

#[test]
fn duplicate_check_opens_the_chooser_and_links() {
    let db = db_with_users();
    let existing = seed_person(&db.path, olena());
    let mut h = signed_in(&db.path, "rita");
    type_into(&mut h, "First name", "Olena");
    type_into(&mut h, "Last name", "Kovalenko");
    type_into(&mut h, "Birth date", "1986-04-12");
    wait_for(&mut h, "the candidate in the side panel", |h| {
        has_text(h, "Compare side by side")
    });
    choose(&mut h, "Gender", "Female");
    type_into(&mut h, "Phone 1 number", "+380501234567");
    type_into(&mut h, "OTP phone", "+380671112233");
    click(&mut h, "Register person");
    wait_for(&mut h, "the chooser", |h| {
        has_text(h, "Is this person already registered?")
    });
    assert!(has_text(&h, "Total score"));
    let reg = Registry::open(&db.path).unwrap();
    let rid = reg.get_person(&existing).unwrap().reference_id;
    // A click is made at the button's place in the last frame drawn; while
    // the new window still settles its size under load, it can land beside
    // the button. Click again while the chooser is open: a click that lands
    // closes it at once, so nothing is linked twice.
    let link = format!("Same person – link {rid}");
    for _ in 0..5 {
        let Some(button) = h.query_by_label(&link) else {
            break;
        };
        button.click();
        for _ in 0..3 {
            h.step();
        }
        if !has_text(&h, "Is this person already registered?") {
            break;
        }
    }
    wait_for(&mut h, "the link", |h| {
        has_text(h, &format!("Linked to the existing person {rid}"))
    });
    let p = reg.get_person(&existing).unwrap();
    let desk = p
        .sor_records
        .iter()
        .find(|s| s.sor == "registrar-desk")
        .unwrap_or_else(|| panic!("no desk record: {:?}", p.sor_records));
    // Everything the matcher compares went with the link, not only the
    // name and birth date; the phone the one-time codes go to is not the
    // person's own (`person_attributes`).
    let kept = &desk.attributes;
    assert_eq!(kept["gender"], "FEMALE", "{kept}");
    assert_eq!(kept["mobile"], "+380501234567", "{kept}");
    assert_eq!(
        reg.search("Kovalenko", 0, 10).unwrap().1,
        1,
        "no second person"
    );
    // The person opens, so the receptionist carries on with them.
    wait_for(&mut h, "the linked person's view", |h| {
        has_text(h, "Close person") && has_text(h, &format!("Open {rid}"))
    });
}

/// "Create new person" over a likely duplicate asks why, and the reason is
/// in the audit trail.
#[test]
fn creating_over_a_duplicate_asks_for_a_reason() {
    let db = db_with_users();
    seed_person(&db.path, olena());
    let mut h = signed_in(&db.path, "rita");
    type_into(&mut h, "First name", "Olena");
    type_into(&mut h, "Last name", "Kovalenko");
    type_into(&mut h, "Birth date", "1986-04-11");
    choose(&mut h, "Gender", "Female");
    type_into(&mut h, "Birth country", "UA");
    h.get_by_label("No tax id").click();
    h.step();
    wait_for(&mut h, "the candidate in the side panel", |h| {
        has_text(h, "Compare side by side")
    });
    click(&mut h, "Add document");
    h.step();
    choose(&mut h, "Document 1 type", "Passport");
    type_into(&mut h, "Document 1 number", "АА654321");
    type_into(&mut h, "Document 1 issued by", "Kyiv");
    type_into(&mut h, "Document 1 issued on", "2005-05-01");
    type_into(&mut h, "OTP phone", "+380501112233");
    wait_for(&mut h, "the form to settle", |h| h.state().is_idle());
    click(&mut h, "Register person");
    wait_for(&mut h, "the chooser", |h| has_text(h, "Create new person"));
    click(&mut h, "Create new person");
    wait_for(&mut h, "the question why", |h| {
        has_text(h, "Why a different person")
    });
    assert!(
        h.get_by_label("Create new person with this reason")
            .accesskit_node()
            .is_disabled(),
        "created without a reason"
    );
    type_into(
        &mut h,
        "Why a different person",
        "her twin sister, born a day earlier",
    );
    click(&mut h, "Create new person with this reason");
    wait_for(&mut h, "the registration", |h| {
        has_text(h, "Registered Olena Kovalenko")
    });
    let reg = Registry::open(&db.path).unwrap();
    let audit = reg.audit_trail(None, 50).unwrap();
    assert!(
        audit.iter().any(|a| a
            .detail
            .to_string()
            .contains("her twin sister, born a day earlier")),
        "the reason is not in the audit trail"
    );
}

#[test]
fn receptionist_edit_goes_to_the_queue_and_a_reviewer_approves() {
    let db = db_with_users();
    let id = seed_person(&db.path, olena());
    let mut h = signed_in(&db.path, "rita");
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::F);
    wait_for(&mut h, "the search page", |h| {
        h.state().page() == registrar::gui::Page::Search
    });
    type_into(&mut h, "Search persons", "Kovalenko");
    let rid = Registry::open(&db.path)
        .unwrap()
        .get_person(&id)
        .unwrap()
        .reference_id;
    wait_for(&mut h, "the search result", |h| {
        h.query_by_label(&format!("Open {rid}")).is_some()
    });
    click(&mut h, &format!("Open {rid}"));
    wait_for(&mut h, "the person view", |h| {
        h.query_by_label("Edit person").is_some()
    });
    click(&mut h, "Edit person");
    wait_for(&mut h, "the edit form", |h| has_text(h, "Editing person"));
    h.get_by_label("First name").focus();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_label("First name").type_text("Olha");
    h.step();
    click(&mut h, "Save changes");
    wait_for(&mut h, "the working copy", |h| {
        has_text(h, "waits for a reviewer")
    });
    click(&mut h, "Sign out");
    sign_in(&mut h, "rob");
    click(&mut h, "Review queue (1)");
    wait_for(&mut h, "the queue", |h| has_text(h, "by rita"));
    assert!(has_text(&h, "First name"), "diffs name fields in words");
    click(&mut h, "Approve");
    wait_for(&mut h, "the confirmation", |h| {
        has_text(h, "Confirm approval")
    });
    click(&mut h, "Confirm approval");
    wait_for(&mut h, "the approval", |h| has_text(h, "Approved"));
    let p = Registry::open(&db.path).unwrap().get_person(&id).unwrap();
    assert_eq!(
        (p.person.first_name.as_str(), p.object_version_number),
        ("Olha", 2)
    );
}

#[test]
fn search_finds_the_person() {
    let db = db_with_users();
    seed_person(&db.path, olena());
    let mut h = signed_in(&db.path, "rob");
    click(&mut h, "Search");
    type_into(&mut h, "Search persons", "+380501234567");
    wait_for(&mut h, "a phone search hit", |h| {
        has_text(h, "Olena Kovalenko")
    });
    h.get_by_label("Search persons").focus();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_label("Search persons").type_text("коваленко");
    h.step();
    wait_for(&mut h, "a Cyrillic name search hit", |h| {
        has_text(h, "1 found")
    });
}

/// What is typed is what is searched: the window sends a typed request,
/// not a query string it escaped by hand (before, "50%" was refused as
/// malformed percent-encoding and "+380…" lost its plus to a space).
#[test]
fn a_search_sends_what_was_typed() {
    let db = db_with_users();
    seed_person(&db.path, olena());
    let mut h = signed_in(&db.path, "rob");
    click(&mut h, "Search");
    type_into(&mut h, "Search persons", "Kovalenko 50% & co");
    wait_for(&mut h, "an answer without hits", |h| has_text(h, "0 found"));
    assert!(!has_text(&h, "percent-encoded"));
}

#[test]
fn sync_page_shows_the_outbox_and_reports_a_missing_hub() {
    let db = db_with_users();
    seed_person(&db.path, olena());
    let mut h = harness_with(
        Registry::open(&db.path).unwrap(),
        &db.path,
        [1500.0, 1000.0],
    );
    sign_in(&mut h, "rob");
    click(&mut h, "Sync");
    wait_for(&mut h, "the outbox", |h| {
        has_text(h, "Outbox: 1 change waiting")
    });
    click(&mut h, "Sync now");
    wait_for(&mut h, "the sync report", |h| {
        has_text(h, "Sync is not possible: no hub configured")
    });
    // The router answered (POST /api/sync); the change still waits.
    assert!(has_text(&h, "Outbox: 1 change waiting"));
}

/// A reviewer undoes a wrong link from the person view: Unlink on the
/// record, a reason, Confirm; the record becomes a person of its own.
#[test]
fn a_reviewer_unlinks_a_record_in_the_person_view() {
    let db = db_with_users();
    let reference = {
        let mut reg = Registry::open(&db.path).unwrap();
        let post = |reg: &mut Registry, sor: &str, attrs: serde_json::Value| {
            registrar::api::handle(
                reg,
                &registrar::service::Actor::system(),
                "POST",
                "/people",
                serde_json::json!({"requestType": "referenceId", "sor": sor, "sorAttributes": attrs})
                    .to_string()
                    .as_bytes(),
            )
        };
        let a = post(
            &mut reg,
            "A",
            serde_json::json!({"sorId": "1", "givenName": "Olena", "sn": "Kovalenko", "dateOfBirth": "1986-04-12", "mobile": "+380501234567"}),
        );
        let b = post(
            &mut reg,
            "B",
            serde_json::json!({"sorId": "7", "givenName": "Olena", "sn": "Kovalenko", "dateOfBirth": "1986-04-12", "mobile": "0501234567"}),
        );
        assert_eq!(a.body["referenceId"], b.body["referenceId"], "linked");
        a.body["referenceId"].as_str().unwrap().to_string()
    };
    let mut h = signed_in(&db.path, "rob");
    click(&mut h, "Search");
    type_into(&mut h, "Search persons", &reference);
    wait_for(&mut h, "the person in the results", |h| {
        has_text(h, &format!("Open {reference}"))
    });
    h.query_all_by_label_contains(&format!("Open {reference}"))
        .next()
        .unwrap()
        .click();
    wait_for(&mut h, "the person view", |h| {
        has_text(h, "Records from systems of record")
    });
    click(&mut h, "Records from systems of record");
    wait_for(&mut h, "the unlink button", |h| has_text(h, "Unlink B 7"));
    click(&mut h, "Unlink B 7");
    wait_for(&mut h, "the reason field", |h| {
        has_text(h, "Reason for this change")
    });
    type_into(&mut h, "Reason for this change", "her twin sister");
    click(&mut h, "Confirm unlink");
    wait_for(&mut h, "the unlink notice", |h| {
        has_text(h, "Unlinked: the record is now person")
    });
    drop(h);
    let reg = Registry::open(&db.path).unwrap();
    let links = reg.export_links().unwrap();
    let of = |sor: &str| links.iter().find(|l| l.0 == sor).unwrap().2.clone();
    assert_eq!(of("A"), reference);
    assert_ne!(of("B"), reference);
}

/// A reviewer finds a duplicate in the person view, merges it in, reads
/// the link history, and unmerges it, each with a reason, by labels only.
#[test]
fn a_reviewer_merges_and_unmerges_in_the_person_view() {
    let db = db_with_users();
    let (a, b) = {
        let mut reg = Registry::open(&db.path).unwrap();
        let mut post = |sor: &str, body: serde_json::Value| {
            let r = registrar::api::handle(
                &mut reg,
                &registrar::service::Actor::system(),
                "POST",
                "/people",
                serde_json::json!({"requestType": "referenceId", "sor": sor, "referenceId": "new", "sorAttributes": body})
                    .to_string()
                    .as_bytes(),
            );
            r.body["referenceId"].as_str().unwrap().to_string()
        };
        let a = post(
            "A",
            serde_json::json!({"sorId": "1", "givenName": "Olena", "sn": "Kovalenko", "dateOfBirth": "1986-04-12"}),
        );
        let b = post(
            "B",
            serde_json::json!({"sorId": "2", "givenName": "Olena", "sn": "Kovalenko", "dateOfBirth": "1986-04-12"}),
        );
        (a, b)
    };
    let status = |r: &str| {
        let reg = Registry::open(&db.path).unwrap();
        registrar::store::query_one(
            reg.sql(),
            "SELECT status FROM persons WHERE reference_id = ?1",
            [r],
            |row| row.get::<_, String>(0),
        )
        .unwrap()
    };
    let mut h = signed_in(&db.path, "rob");
    click(&mut h, "Search");
    type_into(&mut h, "Search persons", &a);
    wait_for(&mut h, "the person in the results", |h| {
        has_text(h, &format!("Open {a}"))
    });
    h.query_all_by_label_contains(&format!("Open {a}"))
        .next()
        .unwrap()
        .click();
    wait_for(&mut h, "the person view", |h| {
        has_text(h, "Merge and duplicates")
    });
    click(&mut h, "Merge and duplicates");
    let merge = format!("Merge {b} into this person");
    wait_for(&mut h, "the duplicate", |h| has_text(h, &merge));
    click(&mut h, &merge);
    wait_for(&mut h, "what will change", |h| {
        has_text(h, "its M-number and id open this person")
    });
    type_into(&mut h, "Reason for this change", "registered twice");
    click(&mut h, "Confirm merge");
    wait_for(&mut h, "the merge notice", |h| {
        has_text(h, &format!("Merged {b} into this person."))
    });
    assert_eq!(status(&b), "merged");
    // The person view reloads after the change.
    wait_for(&mut h, "the reloaded person", |h| {
        has_text(h, "Link history")
    });
    click(&mut h, "Link history");
    wait_for(&mut h, "the history", |h| {
        has_text(h, &format!("{b} merged into this person"))
    });
    let unmerge = format!("Unmerge {b}");
    wait_for(&mut h, "the unmerge button", |h| has_text(h, &unmerge));
    click(&mut h, &unmerge);
    type_into(&mut h, "Reason for this change", "two people after all");
    click(&mut h, "Confirm unmerge");
    wait_for(&mut h, "the unmerge notice", |h| {
        has_text(h, &format!("Unmerged {b}"))
    });
    drop(h);
    assert_eq!(status(&b), "active");
}

/// A reviewer resolves a waiting record as "not the same person" on the
/// reconciliation page, with a reason: a new person, and the decision kept.
#[test]
fn a_reviewer_says_not_the_same_person_in_reconciliation() {
    let db = db_with_users();
    {
        let mut reg = Registry::open(&db.path).unwrap();
        reg.configure("reconciliation_mode", Some("queue")).unwrap();
        for (sor, born) in [("SIS", "1986-04-12"), ("HIS", "1986-07-21")] {
            registrar::api::handle(
                &mut reg,
                &registrar::service::Actor::system(),
                "POST",
                "/people",
                serde_json::json!({"requestType": "referenceId", "sor": sor, "sorAttributes":
                    {"sorId": "1", "givenName": "Olena", "sn": "Kovalenko", "dateOfBirth": born, "gender": "F"}})
                    .to_string()
                    .as_bytes(),
            );
        }
    }
    // At 1024×700: everything the reviewer needs is in reach.
    let mut h = harness_with(Registry::open(&db.path).unwrap(), &db.path, [1024.0, 700.0]);
    sign_in(&mut h, "rob");
    wait_for(&mut h, "the queue count", |h| {
        has_text(h, "Reconciliation (1)")
    });
    click(&mut h, "Reconciliation (1)");
    wait_for(&mut h, "the waiting record", |h| {
        has_text(h, "Why not the same person")
    });
    type_into(
        &mut h,
        "Why not the same person",
        "her mother: another birth date",
    );
    click(&mut h, "Not the same person – create new");
    wait_for(&mut h, "the notice", |h| has_text(h, "Resolved: M"));
    drop(h);
    let reg = Registry::open(&db.path).unwrap();
    let n: i64 = reg
        .sql()
        .query_row("SELECT count(*) FROM not_duplicates", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

/// Sign in and reach the form without the mouse: the user name has the
/// keyboard at once, Tab goes to the password, Enter signs in, and the
/// register form starts in its first field.
#[test]
fn sign_in_and_the_first_field_by_keyboard() {
    let db = db_with_users();
    let mut h = harness(&db.path);
    wait_for(&mut h, "the sign-in screen", |h| has_text(h, "Sign in"));
    wait_for(&mut h, "the user name focused", |h| {
        h.query_by_label("User name")
            .is_some_and(|n| n.is_focused())
    });
    h.get_by_label("User name").type_text("rita");
    h.step();
    h.key_press(egui::Key::Tab);
    h.step();
    assert!(h.get_by_label("Password").is_focused());
    h.get_by_label("Password").type_text("rita-pass");
    h.step();
    h.key_press(egui::Key::Enter);
    wait_for(&mut h, "the main window", |h| {
        has_text(h, "Possible duplicates")
    });
    wait_for(&mut h, "the first field focused", |h| {
        h.query_by_label("First name")
            .is_some_and(|n| n.is_focused())
    });
}

/// Clear form clears the messages with the fields, and an empty birth
/// date's picker shows no date nobody typed.
#[test]
fn clear_form_clears_its_messages() {
    let db = db_with_users();
    let mut h = signed_in(&db.path, "rita");
    assert!(
        has_text(&h, "Calendar"),
        "no date shown for an empty birth date"
    );
    type_into(&mut h, "Tax id", "12345");
    h.key_press(egui::Key::Tab);
    wait_for(&mut h, "the tax id message", |h| has_text(h, "Ten digits"));
    click(&mut h, "Clear form");
    wait_for(&mut h, "no messages", |h| !has_text(h, "Ten digits"));
    assert_eq!(h.get_by_label("Tax id").value().as_deref(), Some(""));
}

/// In the form, Enter goes from a field to the next; Ctrl+Enter registers.
#[test]
fn enter_moves_to_the_next_field_and_ctrl_enter_registers() {
    let db = db_with_users();
    let mut h = signed_in(&db.path, "rita");
    wait_for(&mut h, "the first field focused", |h| {
        h.query_by_label("First name")
            .is_some_and(|n| n.is_focused())
    });
    h.get_by_label("First name").type_text("Olena");
    h.step();
    h.key_press(egui::Key::Enter);
    wait_for(&mut h, "the next field", |h| {
        h.query_by_label("Last name")
            .is_some_and(|n| n.is_focused())
    });
    h.get_by_label("Last name").type_text("Kovalenko");
    h.step();
    assert_eq!(
        h.get_by_label("First name").value().as_deref(),
        Some("Olena")
    );
    // Ctrl+Enter asks to register: the incomplete form is answered with
    // what it lacks, and nothing is created.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    wait_for(&mut h, "the answer", |h| {
        has_text(h, "Please correct the fields")
    });
    let reg = Registry::open(&db.path).unwrap();
    assert_eq!(reg.stats().unwrap().persons, 0);
}

/// The review loop closed for the receptionist: she sees the reviewer's
/// rejection with its reason, and withdraws a change that still waits.
#[test]
fn a_rejection_reaches_the_receptionist_and_she_withdraws_a_change() {
    let db = db_with_users();
    let first = seed_person(&db.path, olena());
    let mut second = olena();
    second["person"]["first_name"] = serde_json::json!("Oksana");
    second["person"]["birth_date"] = serde_json::json!("1990-01-02");
    second["person"]["phones"][0]["number"] = serde_json::json!("+380671112233");
    second["person"]["authentication_methods"][0]["phone_number"] =
        serde_json::json!("+380671112233");
    second["person"]["documents"][0]["number"] = serde_json::json!("АА654321");
    let second_id = seed_person(&db.path, second.clone());
    {
        let mut reg = Registry::open(&db.path).unwrap();
        let rita = reg.authenticate("rita", "rita-pass").unwrap();
        let rob = reg.authenticate("rob", "rob-pass1").unwrap();
        for (id, body, name) in [(&first, olena(), "Olha"), (&second_id, second, "Oksanka")] {
            let mut upd = body["person"].clone();
            upd.as_object_mut()
                .unwrap()
                .remove("authentication_methods");
            upd["first_name"] = serde_json::json!(name);
            reg.update_generic(
                &rita,
                id,
                &serde_json::json!({"objectVersionNumber": 1, "person": upd}),
                false,
            )
            .unwrap();
        }
        reg.reject(&rob, &first, "the passport still says Olena")
            .unwrap();
    }
    let mut h = signed_in(&db.path, "rita");
    click(&mut h, "Review queue (1)");
    wait_for(&mut h, "her changes", |h| {
        has_text(h, "Rejected by rob: the passport still says Olena")
    });
    assert!(has_text(&h, "Waiting for a reviewer"));
    click(&mut h, "Withdraw");
    wait_for(&mut h, "the confirmation", |h| {
        has_text(h, "Confirm withdrawal")
    });
    click(&mut h, "Confirm withdrawal");
    wait_for(&mut h, "the withdrawal", |h| has_text(h, "Withdrawn"));
    wait_for(&mut h, "the list without it", |h| {
        !has_text(h, "Waiting for a reviewer")
    });
    let reg = Registry::open(&db.path).unwrap();
    let rob = reg.authenticate("rob", "rob-pass1").unwrap();
    assert!(reg.working_copies(&rob).unwrap().is_empty());
    assert_eq!(
        reg.get_person(&second_id).unwrap().person.first_name,
        "Oksana"
    );
}

/// An admin adds a user in Settings, sets a new password and disables the
/// account, by accessible labels; the accounts table says so.
#[test]
fn an_admin_adds_a_user_and_disables_the_account() {
    let db = db_with_users();
    let mut h = signed_in(&db.path, "ada");
    click(&mut h, "Settings");
    wait_for(&mut h, "the users", |h| has_text(h, "Role of rob"));
    type_into(&mut h, "New user name", "nina");
    h.get_by_label("New user's role").click();
    h.step();
    h.step();
    h.get_all_by_label("Reviewer").last().unwrap().click();
    h.step();
    type_into(&mut h, "New user's password", "nina-pass-1");
    click(&mut h, "Add user");
    wait_for(&mut h, "the new user", |h| has_text(h, "Disable nina"));
    {
        let reg = Registry::open(&db.path).unwrap();
        let nina = reg.authenticate("nina", "nina-pass-1").unwrap();
        assert_eq!(nina.role, Role::Reviewer);
    }
    click(&mut h, "Reset password of nina");
    wait_for(&mut h, "the password field", |h| {
        h.query_by_label("New password").is_some()
    });
    type_into(&mut h, "New password", "nina-pass-2");
    click(&mut h, "Set password");
    wait_for(&mut h, "the saved password", |h| {
        has_text(h, "Saved the account of nina")
    });
    click(&mut h, "Disable nina");
    wait_for(&mut h, "the disabled account", |h| {
        has_text(h, "Enable nina")
    });
    let reg = Registry::open(&db.path).unwrap();
    assert!(reg.authenticate("nina", "nina-pass-2").is_err());
    let users = reg.users().unwrap();
    let nina = users.iter().find(|u| u.name == "nina").unwrap();
    assert!(nina.disabled);
    // The admin's own row has no Disable.
    assert!(!has_text(&h, "Disable ada"));
}

/// F1 lists the keyboard shortcuts; Escape closes the list.
#[test]
fn f1_shows_the_shortcuts_and_escape_closes_them() {
    let db = db_with_users();
    let mut h = signed_in(&db.path, "rita");
    assert!(!has_text(&h, "Keyboard shortcuts"));
    h.key_press(egui::Key::F1);
    h.step();
    wait_for(&mut h, "the help", |h| has_text(h, "Keyboard shortcuts"));
    assert!(has_text(&h, "Register the person (or save the changes)"));
    h.key_press(egui::Key::Escape);
    h.step();
    wait_for(&mut h, "the help to close", |h| {
        !has_text(h, "Keyboard shortcuts")
    });
    click(&mut h, "Help (F1)");
    wait_for(&mut h, "the help again", |h| has_text(h, "Ctrl+Enter"));
    click(&mut h, "Close help");
    wait_for(&mut h, "the help to close again", |h| {
        !has_text(h, "Keyboard shortcuts")
    });
}

/// "Is this a child" follows the registry's clock, as the rules do: with
/// the registry's date in 2030, a person born in mid-2014 is 15 and needs no
/// confidant, whatever the workstation's own clock says.
#[test]
fn the_child_rule_follows_the_registrys_clock() {
    let db = db_with_users();
    let mut reg = Registry::open(&db.path).unwrap();
    reg.set_clock(|| {
        chrono::DateTime::parse_from_rfc3339("2030-01-01T09:00:00Z")
            .unwrap()
            .to_utc()
    });
    let mut h = harness_with(reg, &db.path, [1500.0, 1300.0]);
    sign_in(&mut h, "rita");
    type_into(&mut h, "First name", "Marko");
    type_into(&mut h, "Birth date", "2014-06-01");
    wait_for(&mut h, "the checks", |h| h.state().is_idle());
    assert!(
        h.query_by_label("Find the confidant").is_none(),
        "15 on the registry's date: no confidant section"
    );
    h.get_by_label("Birth date").focus();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_label("Birth date").type_text("2020-06-01");
    h.step();
    wait_for(&mut h, "the confidant section", |h| {
        h.query_by_label("Find the confidant").is_some()
    });
}

/// An admin sets the hub connection in Settings; the secret lands in its
/// 0600 file; "Test connection" reports a hub that does not answer.
#[test]
fn an_admin_sets_and_tests_the_hub_connection() {
    let db = db_with_users();
    let mut h = signed_in(&db.path, "ada");
    click(&mut h, "Settings");
    wait_for(&mut h, "the hub section", |h| {
        h.query_by_label("Hub URL").is_some() && h.state().is_idle()
    });
    // Nothing answers on port 9 of the loopback.
    type_into(&mut h, "Hub URL", "http://127.0.0.1:9");
    type_into(&mut h, "Key id", "site-x");
    type_into(&mut h, "Hub secret", "0123456789abcdef0123");
    click(&mut h, "Save connection");
    wait_for(&mut h, "the saved connection", |h| {
        has_text(h, "Saved the hub connection")
    });
    let file = registrar::sync::secret_path(&db.path);
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "0123456789abcdef0123"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    assert_eq!(
        Registry::open(&db.path)
            .unwrap()
            .configure("hub_key_id", None)
            .unwrap(),
        "site-x"
    );
    click(&mut h, "Test connection");
    wait_for(&mut h, "the test's answer", |h| {
        has_text(h, "No connection")
    });
}

/// The duplicate panel starts from a phone alone: the engine blocks on it.
#[test]
fn a_phone_alone_finds_the_duplicate() {
    let db = db_with_users();
    seed_person(&db.path, olena());
    let mut h = signed_in(&db.path, "rita");
    type_into(&mut h, "Phone 1 number", "+380501234567");
    wait_for(&mut h, "a candidate from the phone", |h| {
        has_text(h, "Olena Kovalenko")
    });
}

/// The duplicate panel starts from a name alone, before the birth date.
#[test]
fn a_name_alone_finds_the_duplicate() {
    let db = db_with_users();
    seed_person(&db.path, olena());
    let mut h = signed_in(&db.path, "rita");
    type_into(&mut h, "First name", "Olena");
    type_into(&mut h, "Last name", "Kovalenko");
    wait_for(&mut h, "a candidate from the name", |h| {
        has_text(h, "Olena Kovalenko")
    });
}

/// A tax id that disagrees with the form gets words at the field (a
/// warning: the registration is not refused for it).
#[test]
fn a_tax_id_that_disagrees_with_the_form_is_flagged_at_the_field() {
    let db = db_with_users();
    let mut h = signed_in(&db.path, "rita");
    let tax = registrar::core::rules::make_tax_id(
        chrono::NaiveDate::from_ymd_opt(1986, 4, 12).unwrap(),
        "FEMALE",
        42,
    );
    type_into(&mut h, "First name", "Olena");
    type_into(&mut h, "Birth date", "1986-04-21");
    type_into(&mut h, "Tax id", &tax);
    wait_for(&mut h, "the tax id warning", |h| {
        has_text(
            h,
            "Check: the tax id gives the birth date 1986-04-12, the form says 1986-04-21.",
        )
    });
}

/// An added row puts the keyboard in its first field: typing goes on there.
#[test]
fn add_phone_puts_the_keyboard_in_the_new_number() {
    let db = db_with_users();
    let mut h = signed_in(&db.path, "rita");
    click(&mut h, "Add phone");
    wait_for(&mut h, "the second phone", |h| {
        h.query_by_label("Phone 2 number").is_some()
    });
    assert!(h.get_by_label("Phone 2 number").is_focused());
    click(&mut h, "Add identifier");
    wait_for(&mut h, "the identifier row", |h| {
        h.query_by_label("Identifier 1 number")
            .is_some_and(|n| n.is_focused())
    });
}

/// Where no desktop file dialog can open (no session bus, so no portal),
/// "Attach scan…" opens the window's own: a folder's scans, chosen and
/// attached.
#[test]
fn attach_scan_without_a_desktop_dialog_uses_the_windows_own() {
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some() {
        eprintln!("skipped: a session bus is set, so the desktop's dialog would open");
        return;
    }
    let db = db_with_users();
    let mut h = signed_in(&db.path, "rita");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("page1.png"), tiny_png()).unwrap();
    std::fs::write(dir.path().join("notes.txt"), "not a scan").unwrap();
    click(&mut h, "Add document");
    h.step();
    click(&mut h, "Attach scan to document 1…");
    wait_for(&mut h, "the window's file dialog", |h| {
        has_text(h, "Choose scanned pages")
    });
    h.get_by_label("Folder").focus();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.get_by_label("Folder")
        .type_text(&dir.path().display().to_string());
    h.step();
    click(&mut h, "Open folder");
    wait_for(&mut h, "the folder's scans", |h| has_text(h, "page1.png"));
    assert!(
        !has_text(&h, "notes.txt"),
        "a file that is not a scan is offered"
    );
    click(&mut h, "page1.png");
    click(&mut h, "Attach 1 file");
    wait_for(&mut h, "the attached scan", |h| {
        h.query_by_label("Remove scan page1.png").is_some()
    });
    assert!(!has_text(&h, "Choose scanned pages"));
}

/// An administrator imports a CSV file from the window: the columns are
/// guessed from their names, the import runs with a progress bar, and the
/// summary counts what happened. A receptionist has no Import page.
/// Signed in as the admin on the Import page, `csv` chosen and its
/// columns read.
fn import_page_with_file(db: &Db, csv: &Path) -> Harness<'static, App> {
    let mut h = harness_with(
        Registry::open(&db.path).unwrap(),
        &db.path,
        [1500.0, 1000.0],
    );
    sign_in(&mut h, "ada");
    click(&mut h, "Import");
    type_into(&mut h, "CSV file", &csv.display().to_string());
    click(&mut h, "Read its columns");
    wait_for(&mut h, "the file's columns", |h| {
        has_text(h, "Registry field")
    });
    h
}

#[test]
fn an_admin_imports_a_csv_file_from_the_window() {
    let db = db_with_users();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("his.csv");
    std::fs::write(
        &csv,
        "record_id,given_name,Surname,date of birth,phone\n\
         H-1,Olena,Kovalenko,1986-04-12,+380501234567\n\
         H-2,Taras,Shevchenko,1961-03-09,\n\
         H-3,Olena,Kovalenko,12.04.1986,+380501234567\n",
    )
    .unwrap();
    let mut h = import_page_with_file(&db, &csv);
    // Guessed from the names: "Surname" is the family name.
    assert!(
        h.query_all_by_value("Family name").next().is_some(),
        "the Surname column is not mapped to the family name"
    );
    type_into(&mut h, "Source system's name", "HIS");
    click(&mut h, "Start import");
    wait_for(&mut h, "the summary", |h| {
        has_text(h, "Imported: 3 rows read.")
    });
    assert!(
        has_text(&h, "1 linked to registered persons, 2 new persons"),
        "the summary counts what happened"
    );
    let reg = Registry::open(&db.path).unwrap();
    assert_eq!(reg.search("Kovalenko", 0, 10).unwrap().1, 1);
    click(&mut h, "Sign out");
    sign_in(&mut h, "rita");
    assert!(
        h.query_by_label("Import").is_none(),
        "a receptionist can import"
    );
}

/// A child's confidant who is not registered yet is registered from the
/// child's form: what the confidant section holds fills the window, the
/// confidant becomes a person of their own, and is chosen as the third
/// person.
#[test]
fn a_new_confidant_is_registered_from_the_childs_form() {
    let db = db_with_users();
    let mut h = signed_in(&db.path, "rita");
    type_into(&mut h, "First name", "Marko");
    type_into(&mut h, "Last name", "Melnyk");
    type_into(&mut h, "Birth date", "2021-06-01");
    wait_for(&mut h, "the confidant section", |h| {
        h.query_by_label("Confidant first name").is_some()
    });
    type_into(&mut h, "Confidant first name", "Oksana");
    type_into(&mut h, "Confidant last name", "Melnyk");
    type_into(&mut h, "Confidant birth date", "1990-02-03");
    choose(&mut h, "Confidant gender", "Female");
    h.get_by_label("Add confidant document").scroll_to_me();
    click(&mut h, "Add confidant document");
    h.step();
    choose(&mut h, "Confidant document 1 type", "Passport");
    type_into(&mut h, "Confidant document 1 number", "КМ123456");
    type_into(&mut h, "Confidant document 1 issued by", "Lviv");
    type_into(&mut h, "Confidant document 1 issued on", "2008-03-01");
    wait_for(&mut h, "the checks", |h| h.state().is_idle());
    h.get_by_label("Register a new person as the confidant…")
        .scroll_to_me();
    click(&mut h, "Register a new person as the confidant…");
    wait_for(&mut h, "the confidant's window", |h| {
        has_text(h, "Register the confidant")
    });
    // What the section held is there already.
    assert_eq!(
        h.get_by_label("New confidant: First name")
            .value()
            .as_deref(),
        Some("Oksana")
    );
    h.get_by_label("New confidant: No tax id").click();
    h.step();
    type_into(&mut h, "New confidant: OTP phone", "+380671234567");
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Register the confidant")
        .click();
    h.step();
    wait_for(&mut h, "the confidant chosen", |h| {
        has_text(h, "Confidant: Oksana Melnyk (M")
    });
    assert!(
        !has_text(&h, "New confidant: First name"),
        "the window stays open"
    );
    let reg = Registry::open(&db.path).unwrap();
    let (rows, total) = reg.search("Oksana", 0, 10).unwrap();
    assert_eq!(total, 1, "the confidant is a registered person");
    let oksana = reg.get_person(&rows[0].id).unwrap();
    assert_eq!(oksana.person.documents[0].number, "КМ123456");
    assert_eq!(oksana.person.authentication_methods[0].kind, "OTP");
}

/// The calendar beside a date speaks the user's language and fills the
/// field with the day chosen.
#[test]
fn the_calendar_fills_the_birth_date_in_the_users_language() {
    let db = db_with_users();
    let mut h = harness(&db.path);
    h.state_mut().set_language(registrar::i18n::Lang::Uk);
    // The sign-in screen in Ukrainian.
    wait_for(&mut h, "the sign-in screen", |h| {
        has_text(h, "Ім’я користувача")
    });
    type_into(&mut h, "Ім’я користувача", "rita");
    type_into(&mut h, "Пароль", "rita-pass");
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Увійти")
        .click();
    wait_for(&mut h, "the form", |h| has_text(h, "Можливі дублікати"));
    h.get_by_role_and_label(egui::accesskit::Role::Button, "Календар")
        .click();
    h.step();
    wait_for(&mut h, "the calendar", |h| has_text(h, "Січень 1990"));
    assert!(has_text(&h, "Пн"), "weekdays in Ukrainian");
    click(&mut h, ">");
    wait_for(&mut h, "the next month", |h| has_text(h, "Лютий 1990"));
    click(&mut h, "15");
    wait_for(&mut h, "the chosen day", |h| {
        h.query_by_label("Дата народження")
            .and_then(|n| n.value())
            .as_deref()
            == Some("1990-02-15")
    });
    assert!(!has_text(&h, "Лютий 1990"), "the calendar stays open");
    registrar::i18n::set(registrar::i18n::Lang::En);
}

/// Press Tab until the field named `label` has the keyboard, as a person
/// without a mouse does (at most 80 presses).
fn tab_to(h: &mut Harness<'static, App>, label: &str) {
    for _ in 0..80 {
        if h.query_by_label(label).is_some_and(|n| n.is_focused()) {
            return;
        }
        h.key_press(egui::Key::Tab);
        h.step();
    }
    panic!("Tab never reached {label}");
}

/// Type into the field that has the keyboard.
fn type_here(h: &mut Harness<'static, App>, label: &str, text: &str) {
    tab_to(h, label);
    h.get_by_label(label).type_text(text);
    h.step();
}

/// Open a dropdown that has the keyboard and choose `option` with the
/// keyboard: Space opens it, Tab walks its entries, Space chooses.
fn choose_by_keyboard(h: &mut Harness<'static, App>, label: &str, option: &str) {
    tab_to(h, label);
    h.key_press(egui::Key::Space);
    h.step();
    h.step();
    tab_to(h, option);
    h.key_press(egui::Key::Space);
    h.step();
    h.step();
}

/// An adult registered with the keyboard alone: sign in, Tab and Enter
/// through the form, dropdowns opened and chosen with keys, "Add
/// document" pressed with Space, Ctrl+Enter to register.
#[test]
fn an_adult_is_registered_with_the_keyboard_only() {
    let db = db_with_users();
    let mut h = harness(&db.path);
    wait_for(&mut h, "the user name focused", |h| {
        h.query_by_label("User name")
            .is_some_and(|n| n.is_focused())
    });
    h.get_by_label("User name").type_text("rita");
    h.key_press(egui::Key::Tab);
    h.step();
    h.get_by_label("Password").type_text("rita-pass");
    h.key_press(egui::Key::Enter);
    wait_for(&mut h, "the first field focused", |h| {
        h.query_by_label("First name")
            .is_some_and(|n| n.is_focused())
    });
    h.get_by_label("First name").type_text("Olena");
    h.key_press(egui::Key::Enter);
    h.step();
    type_here(&mut h, "Last name", "Kovalenko");
    type_here(&mut h, "Birth date", "1986-04-12");
    choose_by_keyboard(&mut h, "Gender", "Female");
    type_here(&mut h, "Birth country", "UA");
    tab_to(&mut h, "No tax id");
    h.key_press(egui::Key::Space);
    h.step();
    type_here(&mut h, "Phone 1 number", "+380501234567");
    tab_to(&mut h, "Add document");
    h.key_press(egui::Key::Space);
    h.step();
    h.step();
    choose_by_keyboard(&mut h, "Document 1 type", "Passport");
    type_here(&mut h, "Document 1 number", "АА123456");
    type_here(&mut h, "Document 1 issued by", "Kyiv");
    type_here(&mut h, "Document 1 issued on", "2002-05-01");
    type_here(&mut h, "OTP phone", "+380501234567");
    wait_for(&mut h, "the checks", |h| h.state().is_idle());
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Enter);
    wait_for(&mut h, "the registration", |h| {
        has_text(h, "Registered Olena Kovalenko as M")
    });
    let reg = Registry::open(&db.path).unwrap();
    let (rows, total) = reg.search("Kovalenko", 0, 10).unwrap();
    assert_eq!(total, 1);
    let p = reg.get_person(&rows[0].id).unwrap();
    assert_eq!(p.person.gender, "FEMALE");
    assert_eq!(p.person.documents[0].kind, "PASSPORT");
}

/// An import that ends while the admin is on another page still updates
/// the window: its end is drained by the app's logic every frame, not only
/// when the Import page is drawn (the status bar's count follows at once).
#[test]
fn an_import_that_ends_on_another_page_updates_the_status_bar() {
    let db = db_with_users();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("many.csv");
    let letters = |mut i: usize| {
        let mut s = String::new();
        for _ in 0..4 {
            s.push((b'a' + (i % 26) as u8) as char);
            i /= 26;
        }
        s
    };
    let mut text = String::from("record_id,given_name,Surname,date of birth\n");
    for i in 0..800 {
        text.push_str(&format!(
            "R-{i},Ol{},Ko{},19{:02}-0{}-{:02}\n",
            letters(i),
            letters(i * 7 + 3),
            40 + i % 60,
            1 + i % 9,
            1 + i % 28
        ));
    }
    std::fs::write(&csv, text).unwrap();
    let mut h = import_page_with_file(&db, &csv);
    type_into(&mut h, "Source system's name", "HIS");
    click(&mut h, "Start import");
    // Away from the Import page before the import ends.
    click(&mut h, "Register");
    let count = || {
        Registry::open(&db.path)
            .unwrap()
            .row_count(registrar::service::Table::Persons)
            .unwrap()
    };
    assert!(count() < 790, "the import ended before the page changed");
    // Once the import has written its persons, the status bar says so
    // without a visit to the Import page.
    let started = std::time::Instant::now();
    let mut n = 0;
    for i in 0.. {
        if i % 25 == 0 {
            n = count();
        }
        if n >= 790 && has_text(&h, &format!("Persons: {n}")) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "the status bar never showed the {n} imported persons"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(has_text(&h, "First name"), "still on the Register page");
}
