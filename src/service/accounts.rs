//! Local user accounts (argon2-hashed passwords, roles) and the audit trail.

use super::{Actor, Registry, Result, Role, ServiceError};
use crate::core::ids;
use crate::store::accounts as sa;
use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use rusqlite::Connection;
use serde_json::Value;

/// An account as `GET /users` lists it; a row of the audit trail; an
/// approved version of a person: what the API sends and the GUI reads.
pub use crate::store::accounts::{AuditRow, HistoryRow, UserRow};

/// What `PATCH /users/{name}` changes: any of these.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserChange {
    pub role: Option<Role>,
    pub password: Option<String>,
    pub disabled: Option<bool>,
}

/// Check a new password and hash it with argon2 and a fresh salt.
fn hash_password(password: &str) -> Result<String> {
    if password.trim().chars().count() < 8 {
        return Err(ServiceError::BadRequest(
            "password: at least 8 characters besides leading and trailing spaces".into(),
        ));
    }
    if crate::core::validate::text_problem(password).is_some() {
        return Err(ServiceError::BadRequest(
            "password: must not contain control or formatting characters".into(),
        ));
    }
    let salt_bytes: [u8; 16] = crate::core::ids::secret_bytes();
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| ServiceError::BadRequest(format!("salt: {e}")))?;
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map_err(|e| ServiceError::BadRequest(format!("password: {e}")))?
        .to_string())
}

/// Append one audit row for `operation`, returning the trace id used.
pub(crate) fn audit(
    conn: &Connection,
    now: &str,
    actor: &Actor,
    operation: &str,
    person_id: Option<&str>,
    detail: Value,
) -> Result<String> {
    let trace = ids::trace_id();
    sa::audit(
        conn,
        now,
        &actor.name,
        operation,
        person_id,
        &trace,
        &detail,
    )?;
    Ok(trace)
}

pub fn require(actor: &Actor, roles: &[Role], what: &str) -> Result<()> {
    if roles.contains(&actor.role) {
        Ok(())
    } else {
        Err(ServiceError::Forbidden(format!(
            "{what} needs the role {}; {} is a {}",
            roles
                .iter()
                .map(|r| r.as_str())
                .collect::<Vec<_>>()
                .join(" or "),
            actor.name,
            actor.role.as_str()
        )))
    }
}

/// Failed sign-ins in a row before an account must wait.
pub const LOCKOUT_AFTER: i64 = 5;

/// How long an account waits after `failures` failed sign-ins in a row.
pub fn lockout_seconds(failures: i64) -> i64 {
    if failures < LOCKOUT_AFTER {
        0
    } else {
        (30_i64 << (failures - LOCKOUT_AFTER).min(5)).min(900)
    }
}

/// A hash to verify against when the name is unknown, so that a wrong name
/// costs as much as a wrong password.
static DUMMY_HASH: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let salt = SaltString::encode_b64(b"registrar-dummy!").expect("16 bytes encode");
    Argon2::default()
        .hash_password(b"no such account", &salt)
        .expect("argon2 hashes")
        .to_string()
});

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
}

impl Registry {
    /// How many accounts exist (0 means the database is waiting for its first admin).
    pub fn user_count(&self) -> Result<i64> {
        Ok(sa::user_count(&self.store.conn)?)
    }

    /// Check a password. Wrong name or password: 401, with the same message
    /// after the same work. After [`LOCKOUT_AFTER`] failures in a row an
    /// account waits (30 s, doubling, at most 15 min) before the next try:
    /// 429, whether or not the password would be right.
    pub fn authenticate(&self, name: &str, password: &str) -> Result<Actor> {
        let conn = &self.store.conn;
        let now = self.now().timestamp();
        let key: String = name.chars().take(64).collect();
        if let Some((failures, last_at)) = sa::login_failures(conn, &key)? {
            let wait = lockout_seconds(failures) - (now - last_at);
            if wait > 0 {
                return Err(ServiceError::Locked {
                    name: key,
                    retry_after: wait,
                });
            }
        }
        let unauthorized = || ServiceError::Unauthorized("wrong user name or password".into());
        let user = sa::find_user(conn, name)?;
        let hash = user
            .as_ref()
            .map(|(_, h)| h.clone())
            .unwrap_or_else(|| DUMMY_HASH.clone());
        let verified = PasswordHash::new(&hash)
            .map(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
            .unwrap_or(false);
        match user {
            Some(_) if verified && sa::get_user(conn, name)?.is_some_and(|u| u.disabled) => Err(
                ServiceError::Unauthorized("this account is disabled; ask an admin".into()),
            ),
            Some((role, _)) if verified => {
                sa::clear_login_failures(conn, &key)?;
                Ok(Actor {
                    name: name.to_string(),
                    role: Role::parse(&role).ok_or_else(unauthorized)?,
                    sources: None,
                })
            }
            _ => {
                sa::record_login_failure(conn, &key, now)?;
                Err(unauthorized())
            }
        }
    }

    /// Add an account. On an empty database the first account must be an
    /// admin and needs no actor; after that only an admin may add users.
    pub fn add_user(
        &mut self,
        actor: Option<&Actor>,
        name: &str,
        role: Role,
        password: &str,
    ) -> Result<()> {
        // Hash before the transaction: the write lock is never held while
        // argon2 works.
        let hash = hash_password(password)?;
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        let first = sa::user_count(&tx)? == 0;
        let by = if first {
            if role != Role::Admin {
                return Err(ServiceError::BadRequest(
                    "role: the first user of a database must be an admin".into(),
                ));
            }
            actor.cloned().unwrap_or_else(Actor::system)
        } else {
            let a = actor.ok_or_else(|| {
                ServiceError::Unauthorized("only an admin may add users; sign in first".into())
            })?;
            require(a, &[Role::Admin], "adding a user")?;
            a.clone()
        };
        if !valid_name(name) {
            return Err(ServiceError::BadRequest(
                "name: 1–64 letters, digits, '.', '_', '-' or '@'".into(),
            ));
        }
        if sa::find_user(&tx, name)?.is_some() {
            return Err(ServiceError::Conflict(format!(
                "user {name} already exists"
            )));
        }
        sa::insert_user(&tx, name, role.as_str(), &hash, &by.name, &now)?;
        audit(
            &tx,
            &now,
            &by,
            "user.add",
            None,
            serde_json::json!({"user": name, "role": role.as_str()}),
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn users(&self) -> Result<Vec<UserRow>> {
        Ok(sa::list_users(&self.store.conn)?)
    }

    /// Change a user's role, password or disabled mark (admins only; `PATCH
    /// /users/{name}`), in one transaction with an audit row that never
    /// holds the password. The registry always keeps an admin who can sign
    /// in: the last one cannot lose the role or be disabled, and nobody
    /// disables their own account.
    pub fn update_user(
        &mut self,
        actor: &Actor,
        name: &str,
        change: &UserChange,
    ) -> Result<UserRow> {
        require(actor, &[Role::Admin], "changing a user")?;
        if change.role.is_none() && change.password.is_none() && change.disabled.is_none() {
            return Err(ServiceError::BadRequest(
                "role, password or disabled: say what to change".into(),
            ));
        }
        let hash = change.password.as_deref().map(hash_password).transpose()?;
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        let user = sa::get_user(&tx, name)?.ok_or_else(|| ServiceError::NotFound {
            entity: "User",
            id: name.to_string(),
        })?;
        if change.disabled == Some(true) && name == actor.name {
            return Err(ServiceError::Conflict(
                "disabled: you cannot disable your own account".into(),
            ));
        }
        let loses_admin = user.role == "admin"
            && !user.disabled
            && (change.role.is_some_and(|r| r != Role::Admin) || change.disabled == Some(true));
        if loses_admin && sa::active_admins(&tx)? <= 1 {
            return Err(ServiceError::Conflict(format!(
                "{name} is the last admin who can sign in: add another admin first"
            )));
        }
        sa::update_user(
            &tx,
            name,
            change.role.map(Role::as_str),
            hash.as_deref(),
            change.disabled,
        )?;
        if hash.is_some() {
            sa::clear_login_failures(&tx, name)?;
        }
        audit(
            &tx,
            &now,
            actor,
            "user.update",
            None,
            serde_json::json!({
                "user": name,
                "role": change.role.map(Role::as_str),
                "password_reset": hash.is_some(),
                "disabled": change.disabled,
            }),
        )?;
        let row = sa::get_user(&tx, name)?.expect("updated in this transaction");
        tx.commit()?;
        Ok(row)
    }

    /// The actor as the accounts table has it now: a signed-in session
    /// (the GUI's) follows a role change at once, and ends when the account
    /// is disabled or gone.
    pub fn current_actor(&self, actor: &Actor) -> Result<Actor> {
        match sa::get_user(&self.store.conn, &actor.name)? {
            Some(u) if !u.disabled => Ok(Actor {
                role: Role::parse(&u.role).unwrap_or(actor.role),
                ..actor.clone()
            }),
            _ => Err(ServiceError::Unauthorized(
                "your account was disabled; ask an admin".into(),
            )),
        }
    }

    /// The audit trail, optionally of one person (by public id).
    pub fn audit_trail(&self, person: Option<&str>, limit: i64) -> Result<Vec<sa::AuditRow>> {
        let person_id = match person {
            Some(k) => Some(self.get_person(k).map(|p| p.active_id.unwrap_or(p.id))?),
            None => None,
        };
        Ok(sa::list_audit(
            &self.store.conn,
            person_id.as_deref(),
            limit,
        )?)
    }
}
