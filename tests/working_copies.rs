//! Seed 003 through the router: working copies, the approval queue, roles,
//! optimistic concurrency and the audit trail.
#![allow(clippy::unwrap_used)] // a test may unwrap: a panic is its failure

mod common;
use common::*;
use registrar::api::{self, ApiResponse};
use registrar::service::{Actor, Registry, Role};
use serde_json::{Value, json};

fn as_(reg: &mut Registry, who: &Actor, method: &str, path: &str, body: &Value) -> ApiResponse {
    api::handle(reg, who, method, path, body.to_string().as_bytes())
}

struct World {
    reg: Registry,
    admin: Actor,
    rita: Actor,
    rob: Actor,
    id: String,
    seq: String,
}

fn world() -> World {
    let mut reg = registry();
    reg.add_user(None, "ada", Role::Admin, "correct horse")
        .unwrap();
    let admin = reg.authenticate("ada", "correct horse").unwrap();
    reg.add_user(Some(&admin), "rita", Role::Receptionist, "receptionist1")
        .unwrap();
    reg.add_user(Some(&admin), "rob", Role::Reviewer, "reviewer123")
        .unwrap();
    let rita = reg.authenticate("rita", "receptionist1").unwrap();
    let rob = reg.authenticate("rob", "reviewer123").unwrap();
    let created = as_(&mut reg, &rita, "POST", "/generic/persons", &adult());
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.body["data"]["uuid"].as_str().unwrap().to_string();
    let seq = created.body["data"]["id"].as_str().unwrap().to_string();
    assert_eq!(created.body["data"]["createdBy"], "rita");
    World {
        reg,
        admin,
        rita,
        rob,
        id,
        seq,
    }
}

fn change(version: i64, first_name: &str) -> Value {
    let mut p = adult()["person"].clone();
    p.as_object_mut().unwrap().remove("authentication_methods");
    p["first_name"] = json!(first_name);
    json!({"objectVersionNumber": version, "person": p})
}

#[test]
fn receptionist_update_creates_a_working_copy_and_a_reviewer_approves() {
    let mut w = world();
    let path = format!("/generic/persons/{}", w.seq);
    let r = as_(&mut w.reg, &w.rita, "PUT", &path, &change(1, "Оля"));
    assert_eq!(r.status, 202, "{}", r.body);
    assert_eq!(r.body["status"], "working_copy");
    let wc_seq = r.body["id"].as_str().unwrap().to_string();
    // The active record is as it was, and links to its working copy.
    let active = as_(&mut w.reg, &w.rita, "GET", &path, &Value::Null);
    assert_eq!(active.body["person"]["first_name"], "Олена");
    assert_eq!(active.body["objectVersionNumber"], 1);
    assert!(active.body["links"].as_array().unwrap().iter().any(|l| l["rel"] == "workingcopy" && l["href"] == format!("/generic/persons/{wc_seq}")));
    // The working copy is reachable by its technical id.
    let wc = as_(
        &mut w.reg,
        &w.rita,
        "GET",
        &format!("/generic/persons/{wc_seq}"),
        &Value::Null,
    );
    assert_eq!(wc.body["person"]["first_name"], "Оля");
    // A search on code returns the active person only, with its working copy.
    let code = active.body["code"].as_str().unwrap().to_string();
    let list = as_(
        &mut w.reg,
        &w.rita,
        "GET",
        &format!("/generic/persons?code={code}"),
        &Value::Null,
    );
    assert_eq!(list.body["count"], 1);
    assert_eq!(list.body["items"][0]["status"], "active");
    assert_eq!(
        list.body["items"][0]["workingCopies"][0]["id"],
        wc_seq.as_str()
    );
    // The queue shows author, age and the diff.
    let q = as_(
        &mut w.reg,
        &w.rob,
        "GET",
        "/generic/persons/workingcopies",
        &Value::Null,
    );
    let item = &q.body["items"][0];
    assert_eq!(item["author"], "rita");
    assert!(item["age_seconds"].as_i64().unwrap() >= 0);
    assert_eq!(
        item["diff"],
        json!([{"field": "first_name", "old": "Олена", "new": "Оля"}])
    );
    // A receptionist cannot approve, even through the router.
    let r = as_(
        &mut w.reg,
        &w.rita,
        "POST",
        &format!("/generic/persons/workingcopies/{wc_seq}/approve"),
        &json!({}),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = as_(
        &mut w.reg,
        &w.rob,
        "POST",
        &format!("/generic/persons/workingcopies/{wc_seq}/approve"),
        &json!({}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["person"]["first_name"], "Оля");
    assert_eq!(r.body["data"]["objectVersionNumber"], 2);
    assert_eq!(
        as_(
            &mut w.reg,
            &w.rob,
            "GET",
            &format!("/generic/persons/{wc_seq}"),
            &Value::Null
        )
        .status,
        404,
        "working copy deleted"
    );
    let h = as_(
        &mut w.reg,
        &w.rob,
        "GET",
        &format!("{path}/history"),
        &Value::Null,
    );
    assert_eq!(h.body["items"][0]["author"], "rita");
    assert_eq!(h.body["items"][0]["approved_by"], "rob");
    assert_eq!(h.body["items"][0]["version"], 2);
    assert_eq!(h.body["items"][0]["diff"][0]["new"], "Оля");
}

#[test]
fn second_update_while_a_working_copy_exists_is_rel_ip_pers_001() {
    let mut w = world();
    let path = format!("/generic/persons/{}", w.seq);
    assert_eq!(
        as_(&mut w.reg, &w.rita, "PUT", &path, &change(1, "A")).status,
        202
    );
    for who in [w.rita.clone(), w.rob.clone()] {
        let r = as_(
            &mut w.reg,
            &who,
            "PATCH",
            &path,
            &json!({"objectVersionNumber": 1, "person": {"last_name": "B"}}),
        );
        assert_eq!(r.status, 409);
        assert_eq!(r.body["error"]["code"], "REL-IP-PERS-001");
        assert_eq!(r.body["error"]["severity"], "Fatal");
        assert_eq!(
            r.body["error"]["message"],
            "The person cannot be updated because a working copy exists."
        );
    }
}

#[test]
fn creating_or_deleting_a_working_copy_is_rel_ip_pers_002() {
    let mut w = world();
    let mut body = adult();
    body["person"]["status"] = json!("working_copy");
    let r = as_(&mut w.reg, &w.rita, "POST", "/generic/persons", &body);
    assert_eq!(r.status, 409);
    assert_eq!(r.body["error"]["code"], "REL-IP-PERS-002");
    assert_eq!(
        r.body["error"]["message"],
        "It is not possible to create or delete a working copy person."
    );
    let r = as_(
        &mut w.reg,
        &w.rita,
        "PUT",
        &format!("/generic/persons/{}", w.seq),
        &change(1, "A"),
    );
    let wc = r.body["id"].as_str().unwrap().to_string();
    let r = as_(
        &mut w.reg,
        &w.admin,
        "DELETE",
        &format!("/generic/persons/{wc}"),
        &Value::Null,
    );
    assert_eq!(
        (r.status, r.body["error"]["code"].as_str()),
        (409, Some("REL-IP-PERS-002"))
    );
}

#[test]
fn reviewer_update_applies_at_once_and_stale_versions_conflict() {
    let mut w = world();
    let path = format!("/generic/persons/{}", w.seq);
    let r = as_(
        &mut w.reg,
        &w.rob,
        "PATCH",
        &path,
        &json!({"objectVersionNumber": 1, "person": {"second_name": "Іванівна"}}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["objectVersionNumber"], 2);
    assert_eq!(r.body["person"]["second_name"], "Іванівна");
    assert_eq!(
        r.body["person"]["documents"][0]["number"], "АА123456",
        "PATCH keeps the rest"
    );
    // Version 1 is now stale: 409, and nothing changes.
    let r = as_(&mut w.reg, &w.rob, "PUT", &path, &change(1, "Stale"));
    assert_eq!(r.status, 409);
    assert!(
        r.body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("stale")
    );
    let now = as_(&mut w.reg, &w.rob, "GET", &path, &Value::Null);
    assert_eq!(now.body["person"]["first_name"], "Олена");
    assert_eq!(now.body["objectVersionNumber"], 2);
    let r = as_(&mut w.reg, &w.rob, "PUT", &path, &json!({"person": {}}));
    assert_violation(
        &r,
        "$.objectVersionNumber",
        "required",
        "objectVersionNumber",
    );
}

#[test]
fn reject_keeps_the_reason() {
    let mut w = world();
    let path = format!("/generic/persons/{}", w.seq);
    let wc = as_(&mut w.reg, &w.rita, "PUT", &path, &change(1, "X")).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let r = as_(
        &mut w.reg,
        &w.rob,
        "POST",
        &format!("/generic/persons/workingcopies/{wc}/reject"),
        &json!({}),
    );
    assert_violation(&r, "$.reason", "required", "reason");
    let r = as_(
        &mut w.reg,
        &w.rob,
        "POST",
        &format!("/generic/persons/workingcopies/{wc}/reject"),
        &json!({"reason": "no document for the new name"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let rej = w.reg.rejections(&w.id).unwrap();
    assert_eq!(rej[0].reason, "no document for the new name");
    assert_eq!(rej[0].author, "rita");
    let active = as_(&mut w.reg, &w.rob, "GET", &path, &Value::Null);
    assert_eq!(
        (
            active.body["person"]["first_name"].as_str(),
            active.body["objectVersionNumber"].as_i64()
        ),
        (Some("Олена"), Some(1))
    );
    // The receptionist may now change it again.
    assert_eq!(
        as_(&mut w.reg, &w.rita, "PUT", &path, &change(1, "Y")).status,
        202
    );
}

#[test]
fn receptionists_see_their_own_queue_only() {
    let mut w = world();
    w.reg
        .add_user(Some(&w.admin), "rhea", Role::Receptionist, "receptionist2")
        .unwrap();
    let rhea = w.reg.authenticate("rhea", "receptionist2").unwrap();
    as_(
        &mut w.reg,
        &w.rita,
        "PUT",
        &format!("/generic/persons/{}", w.seq),
        &change(1, "X"),
    );
    let mine = as_(
        &mut w.reg,
        &w.rita,
        "GET",
        "/generic/persons/workingcopies",
        &Value::Null,
    );
    assert_eq!(mine.body["count"], 1);
    let theirs = as_(
        &mut w.reg,
        &rhea,
        "GET",
        "/generic/persons/workingcopies",
        &Value::Null,
    );
    assert_eq!(theirs.body["count"], 0);
    // A receptionist's seed-002 update also waits.
    let mut upd = without(adult(), "/person/authentication_methods");
    upd["person"]["id"] = json!(w.id);
    let r = as_(&mut w.reg, &rhea, "POST", "/api/person_requests", &upd);
    assert_eq!(r.status, 409, "rita's working copy is waiting: {}", r.body);
}

#[test]
fn accounts_and_passwords() {
    let mut w = world();
    assert!(matches!(
        w.reg.authenticate("ada", "wrong"),
        Err(registrar::service::ServiceError::Unauthorized(_))
    ));
    let r = as_(
        &mut w.reg,
        &w.admin,
        "POST",
        "/auth/login",
        &json!({"name": "rob", "password": "nope"}),
    );
    assert_eq!(r.status, 401);
    let r = as_(
        &mut w.reg,
        &w.admin,
        "POST",
        "/auth/login",
        &json!({"name": "rob", "password": "reviewer123"}),
    );
    assert_eq!((r.status, r.body["role"].as_str()), (200, Some("reviewer")));
    let r = as_(
        &mut w.reg,
        &w.rob,
        "POST",
        "/users",
        &json!({"name": "eve", "role": "admin", "password": "12345678"}),
    );
    assert_eq!(r.status, 403);
    let hash: String = w
        .reg
        .sql()
        .query_row(
            "SELECT password_hash FROM users WHERE name = 'ada'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(hash.starts_with("$argon2"), "{hash}");
    let mut fresh = registry();
    assert!(
        fresh
            .add_user(None, "first", Role::Receptionist, "password1")
            .is_err(),
        "the first user must be an admin"
    );
}

#[test]
fn every_write_is_audited_and_the_trail_is_append_only() {
    let mut w = world();
    let path = format!("/generic/persons/{}", w.seq);
    let wc = as_(&mut w.reg, &w.rita, "PUT", &path, &change(1, "X")).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    as_(
        &mut w.reg,
        &w.rob,
        "POST",
        &format!("/generic/persons/workingcopies/{wc}/approve"),
        &json!({}),
    );
    as_(
        &mut w.reg,
        &w.rob,
        "POST",
        "/person.issuedIdentifier.create",
        &json!({"person_id": w.id, "issued_identifier": {"type": "NPI", "issued_number": "1"}}),
    );
    let trail = as_(
        &mut w.reg,
        &w.rob,
        "GET",
        &format!("/audit?person={}", w.id),
        &Value::Null,
    );
    let ops: Vec<(&str, &str)> = trail.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["actor"].as_str().unwrap(),
                r["operation"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        vec![
            ("rita", "person.create"),
            ("rita", "person.working_copy.create"),
            ("rob", "person.working_copy.approve"),
            ("rob", "person.issued_identifier.create")
        ]
    );
    for r in trail.body["items"].as_array().unwrap() {
        assert!(registrar::core::ids::is_base62_id(
            r["trace_id"].as_str().unwrap(),
            "trc_"
        ));
    }
    let all = w.reg.audit_trail(None, 100).unwrap();
    assert!(all.iter().any(|r| r.operation == "user.add"));
    let conn = w.reg.sql();
    assert!(
        conn.execute("UPDATE audit SET actor = 'mallory'", [])
            .is_err()
    );
    assert!(conn.execute("DELETE FROM audit", []).is_err());
}

#[test]
fn paging_is_keyset_and_complete() {
    let mut reg = registry();
    let now = reg.now_str();
    registrar::service::persons::bulk_insert_minimal(reg.sql(), 120, &now).unwrap();
    let mut seen = Vec::new();
    let mut offset = 0;
    loop {
        let r = get(
            &mut reg,
            &format!("/generic/persons?offset={offset}&limit=50"),
        );
        let items = r.body["items"].as_array().unwrap();
        seen.extend(items.iter().map(|i| i["id"].as_str().unwrap().to_string()));
        offset += 50;
        if !r.body["hasMore"].as_bool().unwrap() {
            assert_eq!(r.body["count"], 20);
            break;
        }
        assert_eq!(r.body["limit"], 50);
    }
    let mut dedup = seen.clone();
    dedup.dedup();
    assert_eq!((seen.len(), dedup.len()), (120, 120));
}

#[test]
fn cli_names_its_user() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("u.db");
    let bin = env!("CARGO_BIN_EXE_registrar");
    let run = |args: &[&str], pw: &str| {
        std::process::Command::new(bin)
            .arg("--db")
            .arg(&db)
            .args(args)
            .env("REGISTRAR_PASSWORD", pw)
            .env("REGISTRAR_ADMIN_PASSWORD", "admin-pass")
            .output()
            .unwrap()
    };
    assert!(
        run(&["user", "add", "ada", "--role", "admin"], "admin-pass")
            .status
            .success()
    );
    let out = run(
        &[
            "--user",
            "ada",
            "user",
            "add",
            "rita",
            "--role",
            "receptionist",
        ],
        "rita-pass1",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = run(&["api", "GET", "/generic/persons"], "x");
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"status\":401"));
    let out = run(
        &["--user", "rita", "api", "GET", "/generic/persons"],
        "wrong",
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("\"status\":401"));
    let out = run(
        &["--user", "rita", "api", "GET", "/generic/persons"],
        "rita-pass1",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let out = run(&["--user", "rita", "audit"], "rita-pass1");
    assert!(String::from_utf8_lossy(&out.stdout).contains("user.add"));
}

/// A receptionist sees what became of her changes: waiting, approved (by
/// whom), rejected (by whom and why); she withdraws a waiting one, and
/// nobody else can.
#[test]
fn my_changes_and_withdrawing_a_waiting_one() {
    let mut w = world();
    let path = format!("/generic/persons/{}", w.seq);
    let mine = |reg: &mut Registry, who: &Actor| {
        as_(
            reg,
            who,
            "GET",
            "/generic/persons/workingcopies/mine",
            &Value::Null,
        )
        .body
    };
    assert_eq!(mine(&mut w.reg, &w.rita)["count"], 0);
    // Rejected, then approved, then one waiting.
    let wc = as_(&mut w.reg, &w.rita, "PUT", &path, &change(1, "X")).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let reject = format!("/generic/persons/workingcopies/{wc}/reject");
    let r = as_(
        &mut w.reg,
        &w.rob,
        "POST",
        &reject,
        &json!({"reason": "no document for X"}),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    let wc = as_(&mut w.reg, &w.rita, "PUT", &path, &change(1, "Olha")).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let approve = format!("/generic/persons/workingcopies/{wc}/approve");
    assert_eq!(
        as_(&mut w.reg, &w.rob, "POST", &approve, &json!({})).status,
        200
    );
    let wc = as_(&mut w.reg, &w.rita, "PUT", &path, &change(2, "Olia")).body["id"]
        .as_str()
        .unwrap()
        .to_string();
    let m = mine(&mut w.reg, &w.rita);
    let states: Vec<&str> = m["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["waiting", "approved", "rejected"], "{m}");
    assert_eq!(m["items"][1]["by"], "rob");
    assert_eq!(m["items"][2]["reason"], "no document for X");
    assert_eq!(m["items"][2]["diff"][0]["field"], "first_name");
    // Another user's list is their own.
    assert_eq!(mine(&mut w.reg, &w.rob)["count"], 0);
    // Only the author withdraws; unknown fields and ids are refused.
    let withdraw = format!("/generic/persons/workingcopies/{wc}/withdraw");
    assert_eq!(
        as_(&mut w.reg, &w.rob, "POST", &withdraw, &json!({})).status,
        403
    );
    assert_eq!(
        as_(&mut w.reg, &w.admin, "POST", &withdraw, &json!({})).status,
        403
    );
    let r = as_(&mut w.reg, &w.rita, "POST", &withdraw, &json!({"why": "x"}));
    assert_eq!(r.status, 422, "{}", r.body);
    let r = as_(
        &mut w.reg,
        &w.rita,
        "POST",
        "/generic/persons/workingcopies/999999/withdraw",
        &json!({}),
    );
    assert_eq!(r.status, 404, "{}", r.body);
    let r = as_(&mut w.reg, &w.rita, "POST", &withdraw, &json!({}));
    assert_eq!(r.status, 200, "{}", r.body);
    let queue = as_(
        &mut w.reg,
        &w.rob,
        "GET",
        "/generic/persons/workingcopies",
        &Value::Null,
    );
    assert_eq!(queue.body["count"], 0, "withdrawn: nothing waits");
    let m = mine(&mut w.reg, &w.rita);
    assert_eq!(m["count"], 2, "{m}");
    // The person is as approved, and the withdrawal is audited.
    let now = as_(&mut w.reg, &w.rob, "GET", &path, &Value::Null);
    assert_eq!(now.body["person"]["first_name"], "Olha");
    let audit = as_(
        &mut w.reg,
        &w.admin,
        "GET",
        "/audit?limit=100",
        &Value::Null,
    );
    assert!(
        audit
            .body
            .to_string()
            .contains("person.working_copy.withdraw"),
        "{}",
        audit.body
    );
}

/// An admin manages accounts through `PATCH /users/{name}`: a role, a new
/// password, disabled and enabled again; the registry always keeps an admin
/// who can sign in, and nothing secret reaches the audit trail.
#[test]
fn an_admin_changes_roles_resets_passwords_and_disables_accounts() {
    let mut w = world();
    let patch = |w: &mut World, who: &Actor, name: &str, body: Value| {
        as_(&mut w.reg, who, "PATCH", &format!("/users/{name}"), &body)
    };
    let (admin, rob, rita) = (w.admin.clone(), w.rob.clone(), w.rita.clone());
    // Roles: admin only; a role that is not one is refused, and so are
    // unknown fields and an empty change.
    assert_eq!(
        patch(&mut w, &rob, "rita", json!({"role": "reviewer"})).status,
        403
    );
    assert_eq!(
        patch(&mut w, &admin, "rita", json!({"role": "site"})).status,
        400
    );
    assert_eq!(
        patch(&mut w, &admin, "rita", json!({"rank": "x"})).status,
        422
    );
    assert_eq!(patch(&mut w, &admin, "rita", json!({})).status, 400);
    assert_eq!(
        patch(&mut w, &admin, "nobody", json!({"disabled": true})).status,
        404
    );
    let r = patch(&mut w, &admin, "rita", json!({"role": "reviewer"}));
    assert_eq!(
        (r.status, r.body["role"].as_str()),
        (200, Some("reviewer")),
        "{}",
        r.body
    );
    assert_eq!(
        w.reg.authenticate("rita", "receptionist1").unwrap().role,
        Role::Reviewer
    );
    // A signed-in session follows the change.
    assert_eq!(w.reg.current_actor(&rita).unwrap().role, Role::Reviewer);
    // A new password: the old one stops working; too short is refused.
    assert_eq!(
        patch(&mut w, &admin, "rob", json!({"password": "short"})).status,
        400
    );
    let r = patch(&mut w, &admin, "rob", json!({"password": "new-secret-9"}));
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(w.reg.authenticate("rob", "reviewer123").is_err());
    assert!(w.reg.authenticate("rob", "new-secret-9").is_ok());
    // Disabled: no sign-in even with the right password, the session ends;
    // enabled again, it works.
    let r = patch(&mut w, &admin, "rob", json!({"disabled": true}));
    assert_eq!((r.status, r.body["disabled"].as_bool()), (200, Some(true)));
    assert!(w.reg.authenticate("rob", "new-secret-9").is_err());
    assert!(w.reg.current_actor(&rob).is_err());
    let users = as_(&mut w.reg, &admin, "GET", "/users", &Value::Null);
    assert!(
        users.body.to_string().contains("\"disabled\":true"),
        "{}",
        users.body
    );
    assert_eq!(
        patch(&mut w, &admin, "rob", json!({"disabled": false})).status,
        200
    );
    assert!(w.reg.authenticate("rob", "new-secret-9").is_ok());
    // The last admin keeps the role and the account; nobody disables
    // themselves.
    assert_eq!(
        patch(&mut w, &admin, "ada", json!({"role": "reviewer"})).status,
        409
    );
    assert_eq!(
        patch(&mut w, &admin, "ada", json!({"disabled": true})).status,
        409
    );
    assert_eq!(
        patch(&mut w, &admin, "rita", json!({"role": "admin"})).status,
        200
    );
    assert_eq!(
        patch(&mut w, &admin, "ada", json!({"disabled": true})).status,
        409
    );
    let rita_admin = w.reg.authenticate("rita", "receptionist1").unwrap();
    assert_eq!(
        patch(&mut w, &rita_admin, "ada", json!({"role": "reviewer"})).status,
        200
    );
    // Audited, without the password.
    let audit = as_(
        &mut w.reg,
        &rita_admin,
        "GET",
        "/audit?limit=200",
        &Value::Null,
    );
    let text = audit.body.to_string();
    assert!(text.contains("user.update"), "{text}");
    assert!(
        !text.contains("new-secret-9"),
        "the password is never logged"
    );
}
