//! The workstation's outbox (seed 004): each local create or update leaves a
//! postIdentity payload, written in the same transaction as the change.

use super::Result;
use crate::core::model::Person;
use crate::core::post_identity;
use crate::store::outbox as so;
pub use crate::store::outbox::{OutboxRow, Unsent};
use rusqlite::Connection;

/// This site's Source name (no whitespace), from settings; `registrar` by default.
pub fn site_source(conn: &Connection) -> Result<String> {
    Ok(so::site_source_setting(conn)?
        .filter(|s| !s.is_empty() && !s.chars().any(char::is_whitespace))
        .unwrap_or_else(|| "registrar".to_string()))
}

/// Queue the current state of an active person for the hub.
pub fn enqueue(conn: &Connection, person: &Person, now: &str) -> Result<i64> {
    let source = site_source(conn)?;
    let date = now.get(..19).unwrap_or(now);
    let payload = serde_json::json!({
        "content": {
            "responseIdentityFormatNames": ["DEFAULT"],
            "identity": post_identity::identity(person, &source, date),
        }
    });
    Ok(so::insert(conn, &person.id, &payload.to_string(), now)?)
}

/// Queue a call of one of the hub's link services (`/linkSource`,
/// `/unlinkSource`) about person `person_id`'s source record, behind every
/// change queued before it.
pub fn enqueue_service(
    conn: &Connection,
    person_id: &str,
    service: &str,
    content: serde_json::Value,
    now: &str,
) -> Result<i64> {
    let payload = serde_json::json!({"service": service, "body": {"content": content}});
    Ok(so::insert(conn, person_id, &payload.to_string(), now)?)
}

/// The file holding the hub secret for the database at `db`: beside it,
/// 0600, never in the database or a log.
pub fn secret_path(db: &std::path::Path) -> std::path::PathBuf {
    let mut p = db.as_os_str().to_owned();
    p.push(".hub-secret");
    std::path::PathBuf::from(p)
}

/// Store the secret with 0600 permissions.
pub fn save_secret(db: &std::path::Path, secret: &str) -> std::io::Result<()> {
    use std::io::Write;
    let path = secret_path(db);
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(&path)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    f.write_all(secret.as_bytes())
}

/// Is a hub secret stored for this database?
pub fn has_secret(db: &std::path::Path) -> bool {
    std::fs::metadata(secret_path(db)).is_ok_and(|m| m.len() > 0)
}

/// What the hub made of one outbox row.
#[derive(Debug, Clone, Copy)]
pub enum Delivery<'a> {
    /// Accepted: its answer is kept, and the Link ID it gave, if any,
    /// becomes the person's (together, in one transaction).
    Sent {
        response: &'a serde_json::Value,
        link_id: Option<&'a str>,
    },
    /// Refused for good: the row is marked failed and not sent again.
    Rejected(&'a str),
    /// The hub was unreachable or busy: the row is tried again later.
    Retry(&'a str),
    /// The hub refused this site (401/403): kept unsent, with the reason.
    Refused(&'a str),
}

impl super::Registry {
    /// This site's Source name.
    pub fn site_source(&self) -> Result<String> {
        site_source(&self.store.conn)
    }

    /// The outbox as the Sync page lists it: at most `limit` rows, oldest
    /// first.
    pub fn outbox_items(&self, limit: i64) -> Result<Vec<OutboxRow>> {
        Ok(so::list(&self.store.conn, limit)?)
    }

    /// The next `limit` rows to send, in order.
    pub fn outbox_unsent(&self, limit: i64) -> Result<Vec<Unsent>> {
        Ok(so::unsent(&self.store.conn, limit)?)
    }

    /// Record what the hub made of outbox row `id` (about `person_id`).
    pub fn record_delivery(&mut self, id: i64, person_id: &str, d: Delivery<'_>) -> Result<()> {
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        match d {
            Delivery::Sent { response, link_id } => {
                so::mark_sent(&tx, id, &now, &response.to_string())?;
                so::set_link_id(&tx, person_id, link_id)?;
            }
            Delivery::Rejected(e) => so::mark_failed(&tx, id, &now, e)?,
            Delivery::Retry(e) => so::mark_error(&tx, id, e, so::Attempt::Counted)?,
            Delivery::Refused(e) => so::mark_error(&tx, id, e, so::Attempt::NotCounted)?,
        }
        tx.commit()?;
        Ok(())
    }

    /// The position in the hub's Link ID changes read up to.
    pub fn link_cursor(&self) -> Result<i64> {
        Ok(self
            .store
            .get_setting("hub_link_cursor")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0))
    }

    /// Apply Link ID changes the hub made (`GET /linkChanges` items) to the
    /// persons of this site they name, each with a line in its link
    /// history, and move the cursor to `last`: one transaction. Returns how
    /// many applied.
    pub fn apply_link_changes(&mut self, changes: &[serde_json::Value], last: i64) -> Result<u64> {
        let site = self.site_source()?;
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        let mut n = 0;
        for c in changes {
            if c["source"]["name"].as_str() != Some(site.as_str()) {
                continue;
            }
            let id = c["source"]["id"].as_str().unwrap_or("");
            let link = c["linkId"].as_str();
            let Some(seq) = crate::store::find_seq(&tx, id)? else {
                continue;
            };
            so::set_link_id_of_seq(&tx, seq, link)?;
            let reason = format!(
                "the hub changed the Link ID ({}): {} → {}",
                c["cause"].as_str().unwrap_or(""),
                c["previousLinkId"].as_str().unwrap_or("none"),
                link.unwrap_or("none")
            );
            let event = crate::store::steward::LinkEvent {
                operation: "hub_link_changed",
                person: seq,
                reason: Some(&reason),
                ..Default::default()
            };
            crate::store::steward::insert_link_event(&tx, &now, "hub", &event)?;
            n += 1;
        }
        crate::store::set_setting_in(&tx, "hub_link_cursor", &last.to_string())?;
        tx.commit()?;
        Ok(n)
    }

    /// This database's instance id, made once: `ws-` and 26 random base32
    /// letters. TrackingIds are `instance:outbox id`, unique across every
    /// workstation, and the hub binds a key to the one instance that uses
    /// it.
    pub fn instance_id(&self) -> Result<String> {
        if let Some(id) = self
            .store
            .get_setting("instance_id")?
            .filter(|s| s.starts_with("ws-"))
        {
            return Ok(id);
        }
        let id = crate::core::ids::instance_id();
        self.store.set_setting("instance_id", &id)?;
        Ok(id)
    }

    /// Point this site at a hub: URL, key id and, when given, the shared
    /// secret (written to the 0600 file beside the database, never into
    /// the database or a log). Admins only; each setting is audited as
    /// `configure_as` audits it, and the secret's change as `hub.secret`
    /// without its value. `registrar sync configure` and `PUT /api/hub`
    /// both use it.
    pub fn configure_hub(
        &self,
        actor: &super::Actor,
        url: &str,
        key_id: &str,
        secret: Option<&str>,
    ) -> Result<()> {
        use super::ServiceError;
        super::accounts::require(actor, &[super::Role::Admin], "configuring the hub")?;
        let db = self
            .db_path()
            .ok_or_else(|| ServiceError::Conflict("an in-memory registry has no hub".into()))?;
        if let Some(s) = secret
            && s.trim().chars().count() < 16
        {
            return Err(ServiceError::BadRequest(
                "secret: at least 16 characters (the key the hub holds for this site)".into(),
            ));
        }
        self.configure_all_as(
            actor,
            &[("hub_url", url.trim()), ("hub_key_id", key_id.trim())],
        )?;
        if let Some(s) = secret {
            save_secret(&db, s.trim()).map_err(|e| {
                ServiceError::Conflict(format!("secret: cannot write the file: {e}"))
            })?;
            super::accounts::audit(
                &self.store.conn,
                &self.now_str(),
                actor,
                "hub.secret",
                None,
                serde_json::json!({"file": secret_path(&db)}),
            )?;
        }
        Ok(())
    }
}
