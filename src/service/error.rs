use crate::core::validate::Violation;

/// Everything an operation can refuse with. The router maps each to a status.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("validation failed ({} violations)", .0.len())]
    Validation(Vec<Violation>),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("{entity} {id} not found")]
    NotFound { entity: &'static str, id: String },
    #[error("conflict: {0}")]
    Conflict(String),
    /// Seed 000's SYSTEM_RULE_VIOLATION with entity_type and sub_code.
    #[error("{sub_code}: {message}")]
    RuleViolation {
        entity_type: &'static str,
        sub_code: &'static str,
        message: String,
    },
    /// Seed 003's coded errors (REL-IP-PERS-001, ...).
    #[error("{code}: {message}")]
    Coded {
        status: u16,
        code: &'static str,
        severity: &'static str,
        message: &'static str,
    },
    /// A new registration that is already in the registry.
    #[error("duplicate of {reference_id}: {reason}")]
    Duplicate {
        person_id: String,
        reference_id: String,
        reason: String,
    },
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// Too many failed sign-ins for this account: wait.
    #[error("too many failed sign-ins for {name}: try again in {retry_after} s")]
    Locked { name: String, retry_after: i64 },
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("database: {0}")]
    Store(#[from] rusqlite::Error),
}
