//! `info`, `api`, `user`, `audit`, `config`, `stress`: the registry and its
//! accounts.

use super::{ADMIN, Ctx, Failure, Outcome, STAFF, code, print_json};
use crate::service::{Role, ServiceError};

pub fn info(ctx: &Ctx) -> Outcome {
    let reg = ctx.open()?;
    print_json(
        &serde_json::json!({"db": ctx.db, "schema_version": reg.schema_version().unwrap_or(0)}),
        false,
    );
    code(0)
}

/// One call of the router, as the hub and the GUI make it.
pub fn api(ctx: &Ctx, method: &str, path: &str, body: Option<&str>) -> Outcome {
    let bytes = super::read_body(body)?;
    let mut reg = ctx.open()?;
    let who = ctx.actor(&reg, "REGISTRAR_PASSWORD")?;
    let resp = crate::api::handle(&mut reg, &who, method, path, &bytes);
    print_json(
        &serde_json::json!({"status": resp.status, "body": resp.body}),
        false,
    );
    code(if resp.status < 400 { 0 } else { 1 })
}

/// The first account needs nobody's password; later ones an admin's
/// (`REGISTRAR_ADMIN_PASSWORD`). The new password: `REGISTRAR_PASSWORD`
/// or a prompt.
pub fn user_add(ctx: &Ctx, name: &str, role: &str) -> Outcome {
    let mut reg = ctx.open()?;
    let by = if reg.user_count().unwrap_or(0) == 0 {
        None
    } else {
        Some(ctx.actor(&reg, "REGISTRAR_ADMIN_PASSWORD")?)
    };
    let pw = super::password("REGISTRAR_PASSWORD", &format!("new password for {name}: "))
        .map_err(Failure::Usage)?;
    let role = Role::parse(role).unwrap_or(Role::Receptionist);
    reg.add_user(by.as_ref(), name, role, &pw)?;
    print_json(
        &serde_json::json!({"status": 201, "body": {"name": name, "role": role.as_str()}}),
        false,
    );
    code(0)
}

pub fn user_list(ctx: &Ctx) -> Outcome {
    let (reg, _) = ctx.signed_in(ADMIN)?;
    print_json(&reg.users()?, true);
    code(0)
}

/// The audit trail, one JSON line per row (`| head -1` ends quietly).
pub fn audit(ctx: &Ctx, person: Option<&str>, limit: i64) -> Outcome {
    let (reg, _) = ctx.signed_in(STAFF)?;
    for r in reg.audit_trail(person, limit)? {
        print_json(&r, false);
    }
    code(0)
}

/// Read a setting (staff), or change it (admins).
pub fn config(ctx: &Ctx, key: &str, value: Option<&str>) -> Outcome {
    let roles = if value.is_some() { ADMIN } else { STAFF };
    let (reg, who) = ctx.signed_in(roles)?;
    let v = reg
        .configure_as(&who, key, value)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    out!("{key} = {v}");
    code(0)
}

/// Register `count` demo persons (load tests of the store).
pub fn stress(ctx: &Ctx, count: usize) -> Outcome {
    let (mut reg, who) = ctx.signed_in(STAFF)?;
    for i in 0..count {
        let body = crate::service::demo::adult_request(i);
        match reg.person_request(&who, &body) {
            // Written by an earlier run on this database: go on.
            Ok(_) | Err(ServiceError::Duplicate { .. }) => {}
            Err(e) => return Err(Failure::Failed(format!("stress: {e}"))),
        }
    }
    code(0)
}
