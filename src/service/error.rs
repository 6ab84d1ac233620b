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
    /// Seed 003's coded refusals about working copies (REL-IP-PERS-001, ...).
    #[error("{}: {}", .0.code(), .0.message())]
    WorkingCopy(WorkingCopyRule),
    /// A well-formed request with a value beyond a limit (seed 004's
    /// postIdentity: a name too long, too many addresses).
    #[error("{0}")]
    OverLimit(String),
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

/// Seed 003's rules about working copies, each with its code and text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkingCopyRule {
    /// REL-IP-PERS-001: the person has a working copy already.
    Exists,
    /// REL-IP-PERS-002: a working copy is neither created nor deleted
    /// through the generic person API.
    CreateOrDelete,
}

impl WorkingCopyRule {
    pub fn code(self) -> &'static str {
        match self {
            WorkingCopyRule::Exists => "REL-IP-PERS-001",
            WorkingCopyRule::CreateOrDelete => "REL-IP-PERS-002",
        }
    }

    pub fn severity(self) -> &'static str {
        "Fatal"
    }

    pub fn message(self) -> &'static str {
        match self {
            WorkingCopyRule::Exists => {
                "The person cannot be updated because a working copy exists."
            }
            WorkingCopyRule::CreateOrDelete => {
                "It is not possible to create or delete a working copy person."
            }
        }
    }
}
