//! Bulk import: every CSV row goes through `POST /people`'s path, in batched
//! transactions. Potential matches wait in the reconciliation queue.

use super::idmatch::{Mode, ReferenceOutcome, ReferenceRequest, reference_in};
use super::{Actor, Registry, Result};
use crate::core::matching::normalize;
use crate::core::rules::EMAIL_RE;
use crate::store::matching as sm;
use serde::Serialize;
use serde_json::{Map, Value};
use std::io::Read;

/// Canonical column → seed 001 attribute name.
pub const CANONICAL: &[(&str, &str)] = &[
    ("given_name", "givenName"),
    ("middle_name", "middleName"),
    ("family_name", "sn"),
    ("birth_date", "dateOfBirth"),
    ("gender", "gender"),
    ("tax_id", "tax_id"),
    ("ssn", "ssn"),
    ("phone", "mobile"),
    ("email", "email"),
    ("house_number", "houseNumber"),
    ("street", "street"),
    ("address_line2", "addressLine2"),
    ("city", "city"),
    ("postal_code", "postalCode"),
    ("state", "state"),
    ("country", "country"),
];

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub sor: String,
    pub id_column: String,
    /// Source column → canonical column.
    pub map: Vec<(String, String)>,
    pub batch: usize,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct RowIssue {
    pub line: u64,
    pub field: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct ImportSummary {
    pub rows: u64,
    pub linked: u64,
    pub new: u64,
    pub queued: u64,
    /// Rows whose SOR record was already stored (a re-run).
    pub skipped: u64,
    pub rejected: Vec<RowIssue>,
    /// Optional fields dropped because they were malformed.
    pub dropped_fields: Vec<RowIssue>,
    pub ignored_columns: Vec<String>,
}

/// Check one optional value; `Err` says why it is dropped.
fn check_field(canonical: &str, v: &str) -> std::result::Result<String, String> {
    match canonical {
        "birth_date" => normalize::parse_birth_date(v)
            .map(|d| d.format("%Y-%m-%d").to_string())
            .ok_or_else(|| format!("\"{v}\" is not a date (YYYY-MM-DD or YYYYMMDD)")),
        "gender" => match normalize::gender_key(v).as_str() {
            "M" => Ok("MALE".into()),
            "F" => Ok("FEMALE".into()),
            _ => Err(format!("\"{v}\" is not a gender (M, F, male, female)")),
        },
        "email" if !EMAIL_RE.is_match(v) => Err(format!("\"{v}\" is not an e-mail address")),
        "phone" if v.chars().filter(char::is_ascii_digit).count() < 7 => {
            Err(format!("\"{v}\" has fewer than 7 digits"))
        }
        _ if v.chars().count() > 255 => Err("longer than 255 characters".into()),
        _ => Ok(v.to_string()),
    }
}

impl Registry {
    /// Import a CSV file. `progress` is called after each batch with the rows done.
    pub fn import_csv(
        &mut self,
        actor: &Actor,
        input: impl Read,
        opts: &ImportOptions,
        progress: &mut dyn FnMut(&ImportSummary),
    ) -> Result<ImportSummary> {
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .from_reader(input);
        let headers: Vec<String> = rdr
            .headers()
            .map_err(|e| super::ServiceError::BadRequest(format!("CSV header: {e}")))?
            .iter()
            .map(|h| h.trim().to_string())
            .collect();
        let id_idx = headers
            .iter()
            .position(|h| *h == opts.id_column)
            .ok_or_else(|| {
                super::ServiceError::BadRequest(format!(
                    "--id-column {}: no such column (columns: {})",
                    opts.id_column,
                    headers.join(", ")
                ))
            })?;
        // Column index → (canonical name, attribute name).
        let mut columns: Vec<Option<(&'static str, &'static str)>> = Vec::new();
        let mut summary = ImportSummary::default();
        for (i, h) in headers.iter().enumerate() {
            let canonical = opts
                .map
                .iter()
                .find(|(src, _)| src == h)
                .map(|(_, dst)| dst.as_str())
                .unwrap_or(h);
            let found = CANONICAL.iter().find(|(c, _)| *c == canonical).copied();
            if found.is_none() && i != id_idx {
                summary.ignored_columns.push(h.clone());
            }
            columns.push(found);
        }
        let params = self.match_params();
        let now = self.now_str();
        let mut records = rdr.into_records();
        // A bulk load appends to the WAL and checkpoints once at the end,
        // instead of stopping every few batches to copy pages back.
        self.store
            .conn
            .pragma_update(None, "wal_autocheckpoint", 0)?;
        let result = self.import_rows(
            actor,
            &mut records,
            &columns,
            id_idx,
            opts,
            &params,
            &now,
            &mut summary,
            progress,
        );
        self.store
            .conn
            .pragma_update(None, "wal_autocheckpoint", 10_000)?;
        let _ = self
            .store
            .conn
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        result?;
        Ok(summary)
    }

    #[allow(clippy::too_many_arguments)]
    fn import_rows(
        &mut self,
        actor: &Actor,
        records: &mut csv::StringRecordsIntoIter<impl Read>,
        columns: &[Option<(&'static str, &'static str)>],
        id_idx: usize,
        opts: &ImportOptions,
        params: &crate::core::matching::Params,
        now: &str,
        summary: &mut ImportSummary,
        progress: &mut dyn FnMut(&ImportSummary),
    ) -> Result<()> {
        loop {
            let tx = self.store.conn.transaction()?;
            let mut in_batch = 0;
            let mut done = false;
            while in_batch < opts.batch.max(1) {
                let Some(rec) = records.next() else {
                    done = true;
                    break;
                };
                summary.rows += 1;
                in_batch += 1;
                let rec = match rec {
                    Ok(r) => r,
                    Err(e) => {
                        let line = e.position().map(|p| p.line()).unwrap_or(summary.rows + 1);
                        summary.rejected.push(RowIssue {
                            line,
                            field: String::new(),
                            reason: format!("unreadable row: {e}"),
                        });
                        continue;
                    }
                };
                let line = rec.position().map(|p| p.line()).unwrap_or(summary.rows + 1);
                let sor_id = rec.get(id_idx).unwrap_or("").to_string();
                if sor_id.is_empty() {
                    summary.rejected.push(RowIssue {
                        line,
                        field: opts.id_column.clone(),
                        reason: "the id column is empty".into(),
                    });
                    continue;
                }
                if sm::find_sor(&tx, &opts.sor, &sor_id)?.is_some()
                    || sm::find_open_pending(&tx, &opts.sor, &sor_id)?.is_some()
                {
                    summary.skipped += 1;
                    continue;
                }
                let mut attrs = Map::new();
                attrs.insert("sorId".into(), Value::String(sor_id.clone()));
                for (i, col) in columns.iter().enumerate() {
                    let (Some((canonical, attr)), Some(v)) = (col, rec.get(i)) else {
                        continue;
                    };
                    if v.is_empty() {
                        continue;
                    }
                    match check_field(canonical, v) {
                        Ok(v) => {
                            attrs.insert((*attr).into(), Value::String(v));
                        }
                        Err(reason) => summary.dropped_fields.push(RowIssue {
                            line,
                            field: (*canonical).into(),
                            reason,
                        }),
                    }
                }
                let req = ReferenceRequest {
                    sor: opts.sor.clone(),
                    sor_id,
                    attributes: attrs,
                    reference_id: None,
                };
                let result = reference_in(&tx, &req, params, Mode::Queue, &actor.name, now);
                if let Ok(out) = &result {
                    super::idmatch::audit_outcome(&tx, now, actor, "people.import", &req, out)?;
                }
                match result {
                    Ok(ReferenceOutcome::Existing(_)) => summary.linked += 1,
                    Ok(ReferenceOutcome::Created(_)) => summary.new += 1,
                    Ok(ReferenceOutcome::Queued(_) | ReferenceOutcome::Candidates(_)) => {
                        summary.queued += 1
                    }
                    Err(super::ServiceError::BadRequest(m)) => {
                        summary.rejected.push(RowIssue {
                            line,
                            field: String::new(),
                            reason: m,
                        });
                    }
                    Err(e) => return Err(e),
                }
            }
            tx.commit()?;
            progress(summary);
            if done {
                break;
            }
        }
        Ok(())
    }

    /// `registrar export links`: (sor, sor_id, reference_id, status).
    pub fn export_links(&self) -> Result<Vec<(String, String, String, String)>> {
        Ok(sm::links(&self.store.conn)?)
    }
}
