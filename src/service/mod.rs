//! The registry service: every operation of the seeds, as functions over the
//! store. Shells (router, CLI, GUI worker, hub) call these and nothing else.
//!
//! Each write runs in one transaction: either every row of it lands or none.

pub mod accounts;
mod blocking;
pub mod demo;
mod error;
pub mod hub;
pub mod idmatch;
pub mod import;
mod memory;
pub mod outbox;
pub mod persons;
mod pipeline;
pub mod steward;

pub use error::{ServiceError, WorkingCopyRule};

use crate::core::ids;
use crate::core::model::*;
use crate::core::rules::ISSUED_IDENTIFIER_TYPES;
use crate::core::validate::{self, AuthMethodFact, Facts, RuleContext, ThirdPerson};
use crate::store::{self, NewPerson, Store};
use chrono::{DateTime, NaiveDate, Utc};
use serde_json::Value;

pub type Result<T> = std::result::Result<T, ServiceError>;

/// Who is acting. Roles are enforced here, not in the shells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Reviewer,
    Receptionist,
    /// A hub client: a site's key, which may post its Sources' identities
    /// and nothing else. Never a user account.
    Site,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "admin" => Some(Role::Admin),
            "reviewer" => Some(Role::Reviewer),
            "receptionist" => Some(Role::Receptionist),
            _ => None,
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Reviewer => "reviewer",
            Role::Receptionist => "receptionist",
            Role::Site => "site",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub name: String,
    pub role: Role,
    /// For a hub client: the Sources it may post (seed 004). `None` for people.
    pub sources: Option<Vec<String>>,
}

impl Actor {
    pub fn new(name: &str, role: Role) -> Actor {
        Actor {
            name: name.to_string(),
            role,
            sources: None,
        }
    }
    /// A hub client that may post `sources` (and nothing else).
    pub fn hub_client(key_id: &str, sources: Vec<String>) -> Actor {
        Actor {
            name: key_id.to_string(),
            role: Role::Site,
            sources: Some(sources),
        }
    }

    /// The local operator of a single-user database (tests, first start).
    pub fn system() -> Actor {
        Actor::new("system", Role::Admin)
    }
}

/// Tunable settings (stored in the `settings` table; these are the defaults).
#[derive(Debug, Clone)]
pub struct Settings {
    /// `prm.global_parameters.no_self_auth_age` of seed 002.
    pub no_self_auth_age: u32,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            no_self_auth_age: 14,
        }
    }
}

/// Outcome of `POST /api/person_requests`.
#[derive(Debug, Clone)]
pub struct PersonRequestOutcome {
    pub created: bool,
    /// The change waits as a working copy (`person` is the working copy).
    pub working_copy: bool,
    pub person: Person,
    pub uploads: Vec<String>,
    /// Probable duplicates of a new person (below the auto-link level).
    pub candidates: Vec<idmatch::Candidate>,
    /// The reconciliation item that asks a reviewer to look at them.
    pub review_id: Option<i64>,
}

/// The tables [`Registry::row_count`] counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Table {
    Persons,
    SorRecords,
    Outbox,
    Audit,
}

impl Table {
    fn sql_name(self) -> &'static str {
        match self {
            Table::Persons => "persons",
            Table::SorRecords => "sor_records",
            Table::Outbox => "outbox",
            Table::Audit => "audit",
        }
    }
}

pub struct Registry {
    /// Private: only the service reaches the store, so the compiler keeps
    /// SQL out of the shells (`api`, `cli`, `gui`, `sync`, `tools`).
    store: Store,
    /// The blocking index, built from the store at first use.
    index: blocking::IndexCell,
    pub settings: Settings,
    clock: Box<dyn Fn() -> DateTime<Utc> + Send>,
}

impl Registry {
    pub fn new(store: Store) -> Registry {
        let mut settings = Settings::default();
        if let Ok(Some(v)) = store.get_setting("no_self_auth_age")
            && let Ok(n) = v.parse()
        {
            settings.no_self_auth_age = n;
        }
        Registry {
            index: blocking::IndexCell::new(&store.conn),
            store,
            settings,
            // The one wall clock of the registry; tests set their own.
            #[allow(clippy::disallowed_methods)]
            clock: Box::new(Utc::now),
        }
    }

    /// Open the database file at `path` (created and migrated if needed).
    pub fn open(path: &std::path::Path) -> Result<Registry> {
        Ok(Registry::new(Store::open(path)?))
    }

    pub fn in_memory() -> Registry {
        Registry::new(Store::open_in_memory().expect("in-memory SQLite opens"))
    }

    /// The database file, or `None` for an in-memory registry.
    pub fn db_path(&self) -> Option<std::path::PathBuf> {
        self.store.path()
    }

    /// A stored setting's value, if set.
    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self.store.get_setting(key)?)
    }

    /// The database's schema version (`PRAGMA user_version`).
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self.store.user_version()? as i64)
    }

    /// How many rows one of the registry's tables holds (benchmarks report
    /// what was stored).
    pub fn row_count(&self, table: Table) -> Result<i64> {
        Ok(store::count(&self.store.conn, table.sql_name())?)
    }

    /// Add `n` minimal active persons in one transaction (`bench paging`
    /// builds its registry with it).
    pub fn seed_minimal_persons(&mut self, n: usize) -> Result<()> {
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        persons::bulk_insert_minimal(&tx, n, &now)?;
        tx.commit()?;
        Ok(())
    }

    /// Up to `n` reference ids of persons, at random (`bench paging` looks
    /// them up).
    pub fn sample_reference_ids(&self, n: i64) -> Result<Vec<String>> {
        Ok(store::random_reference_ids(&self.store.conn, n)?)
    }

    /// The raw connection, for tests that inspect or damage what is stored.
    /// Only with the `test-support` feature, which normal builds lack.
    #[cfg(feature = "test-support")]
    pub fn sql(&self) -> &rusqlite::Connection {
        &self.store.conn
    }

    /// Replace the clock (tests).
    pub fn set_clock(&mut self, clock: impl Fn() -> DateTime<Utc> + Send + 'static) {
        self.clock = Box::new(clock);
    }

    pub fn now(&self) -> DateTime<Utc> {
        (self.clock)()
    }

    pub fn now_str(&self) -> String {
        self.now()
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    pub fn today(&self) -> NaiveDate {
        self.now().date_naive()
    }

    pub fn rule_context(&self) -> RuleContext {
        let age = self
            .store
            .get_setting("no_self_auth_age")
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
            .unwrap_or(self.settings.no_self_auth_age);
        RuleContext {
            today: self.today(),
            no_self_auth_age: age,
        }
    }

    /// What a person born on `birth_date` must bring (a confidant, which
    /// authentication methods), on the registry's date and age limit.
    pub fn requirements(&self, birth_date: &str) -> validate::Requirements {
        validate::requirements(birth_date, &self.rule_context())
    }

    /// Validate a person request without writing anything (live form validation).
    pub fn check_person_request(
        &self,
        body: &Value,
    ) -> std::result::Result<validate::ValidRequest, Vec<validate::Violation>> {
        let ctx = self.rule_context();
        validate::validate_person_request(body, &ctx, self)
    }

    /// Seed 002: create a person, or update one when `person.id` is given.
    pub fn person_request(&mut self, actor: &Actor, body: &Value) -> Result<PersonRequestOutcome> {
        let valid = self
            .check_person_request(body)
            .map_err(ServiceError::Validation)?;
        // A receptionist's change to an active person waits for a reviewer (seed 003).
        if let (Some(id), Role::Receptionist) = (&valid.id, actor.role) {
            let current = self.get_person(id)?;
            if current.status == PersonStatus::Active {
                let uploads = valid.uploads.clone();
                let body = serde_json::json!({"objectVersionNumber": current.object_version_number, "person": body["person"].clone()});
                let (working_copy, person) = match self.update_generic(actor, id, &body, false)? {
                    persons::UpdateOutcome::WorkingCopy(wc) => (true, wc),
                    persons::UpdateOutcome::Applied(p) => (false, p),
                };
                return Ok(PersonRequestOutcome {
                    created: false,
                    working_copy,
                    person,
                    uploads,
                    candidates: vec![],
                    review_id: None,
                });
            }
        }
        let now = self.now_str();
        let override_reason = duplicate_override(body)?;
        let params = self.match_params();
        let tx = self.store.conn.transaction()?;
        let mut probable = Vec::new();
        let (write, data) = match &valid.id {
            None => {
                let index = self.index.fresh(&tx)?;
                probable = duplicate_check(
                    &tx,
                    &index,
                    &params,
                    &valid.person,
                    override_reason.is_some(),
                )?;
                (
                    PersonWrite::Create,
                    std::borrow::Cow::Borrowed(&valid.person),
                )
            }
            Some(id) => {
                let seq = store::find_seq(&tx, id)?.ok_or_else(|| ServiceError::NotFound {
                    entity: "Person",
                    id: id.clone(),
                })?;
                let current =
                    store::load_person(&tx, seq)?.ok_or_else(|| ServiceError::NotFound {
                        entity: "Person",
                        id: id.clone(),
                    })?;
                if current.status != PersonStatus::Active {
                    return Err(ServiceError::Conflict(
                        "a working copy cannot be updated through a person request".into(),
                    ));
                }
                let mut data = valid.person.clone();
                // The update carries no authentication block: keep the stored one.
                data.authentication_methods = current.person.authentication_methods.clone();
                if data.issued_identifiers.is_empty() {
                    data.issued_identifiers = current.person.issued_identifiers.clone();
                }
                let write = PersonWrite::Update {
                    seq,
                    author: &actor.name,
                };
                (write, std::borrow::Cow::Owned(data))
            }
        };
        let created = matches!(write, PersonWrite::Create);
        let written = write_person(&tx, write, &data, &valid.scans, (&actor.name, &now))?;
        let person = written.person;
        let review_id = if probable.is_empty() {
            None
        } else {
            let attrs = idmatch::desk_attributes(&person.person);
            let cj = idmatch::Candidate::list_json(&probable);
            Some(store::matching::insert_pending(
                &tx,
                idmatch::LOCAL_SOR,
                &person.id,
                &attrs.to_string(),
                &cj,
                &now,
            )?)
        };
        accounts::audit(
            &tx,
            &now,
            actor,
            if created {
                "person.create"
            } else {
                "person.update"
            },
            Some(&person.id),
            serde_json::json!({"outbox": written.outbox, "reference_id": person.reference_id, "version": person.object_version_number,
                               "scans": valid.scans.len(), "uploads": valid.uploads,
                               "review_id": review_id, "duplicate_override": override_reason}),
        )?;
        tx.commit()?;
        Ok(PersonRequestOutcome {
            created,
            working_copy: false,
            person,
            uploads: valid.uploads,
            candidates: probable,
            review_id,
        })
    }

    /// Seed 000: `person.issuedIdentifier.create`. Returns the new `pii_` id.
    pub fn create_issued_identifier(
        &mut self,
        actor: &Actor,
        person_id: &str,
        kind: &str,
        number: &str,
    ) -> Result<String> {
        if !ISSUED_IDENTIFIER_TYPES.contains(&kind) {
            return Err(ServiceError::RuleViolation {
                entity_type: "Person",
                sub_code: "INVALID_ISSUED_IDENTIFIER_TYPE",
                message: format!(
                    "The type provided is not one of the PERSON_ISSUED_IDENTIFIER_TYPES. Invalid value provided: {kind}"
                ),
            });
        }
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        let seq = store::find_seq(&tx, person_id)?
            .filter(|_| person_id.starts_with("p_"))
            .ok_or_else(|| ServiceError::NotFound {
                entity: "Person",
                id: person_id.to_string(),
            })?;
        if store::has_issued_identifier_type(&tx, seq, kind)? {
            return Err(duplicated_identifier());
        }
        let id = ids::issued_identifier_id();
        let pid = store::person_id_of(&tx, seq)?;
        accounts::audit(
            &tx,
            &now,
            actor,
            "person.issued_identifier.create",
            Some(&pid),
            serde_json::json!({"issued_identifier_id": id, "type": kind}),
        )?;
        store::insert_issued_identifier(&tx, seq, &id, kind, number, &now).map_err(|e| {
            if is_unique_violation(&e) {
                duplicated_identifier()
            } else {
                e.into()
            }
        })?;
        tx.commit()?;
        Ok(id)
    }

    /// Read (`value` = None) or change a setting, checking its value.
    pub fn configure(&self, key: &str, value: Option<&str>) -> Result<String> {
        self.configure_as(&Actor::system(), key, value)
    }

    /// Change several settings at once (admins only): every value is
    /// checked first, then all of them and their audit rows land in one
    /// transaction, so a bad one leaves the others as they were.
    pub fn configure_all_as(&self, actor: &Actor, pairs: &[(&str, &str)]) -> Result<()> {
        accounts::require(actor, &[Role::Admin], "changing a setting")?;
        for (key, v) in pairs {
            setting_rule(key, v)
                .map_err(|rule| ServiceError::BadRequest(format!("{key}: must be {rule}")))?;
            if validate::text_problem(v).is_some() {
                return Err(ServiceError::BadRequest(format!(
                    "{key}: must not contain control or formatting characters"
                )));
            }
        }
        let tx = self.store.conn.unchecked_transaction()?;
        let now = self.now_str();
        for (key, v) in pairs {
            self.store.set_setting(key, v)?;
            accounts::audit(
                &tx,
                &now,
                actor,
                "settings.set",
                None,
                serde_json::json!({*key: v}),
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Like [`Registry::configure`], checking that `actor` may change settings.
    pub fn configure_as(&self, actor: &Actor, key: &str, value: Option<&str>) -> Result<String> {
        if value.is_some() {
            accounts::require(actor, &[Role::Admin], "changing a setting")?;
        }
        let check = |v: &str| setting_rule(key, v);
        match value {
            Some(v) => {
                self.configure_all_as(actor, &[(key, v)])?;
                Ok(v.to_string())
            }
            None => {
                check("0")
                    .or_else(|e| {
                        if e.starts_with("unknown") {
                            Err(e)
                        } else {
                            Ok(())
                        }
                    })
                    .map_err(|rule| ServiceError::BadRequest(format!("{key}: {rule}")))?;
                let p = self.match_params();
                Ok(self.store.get_setting(key)?.unwrap_or_else(|| match key {
                    "no_self_auth_age" => self.settings.no_self_auth_age.to_string(),
                    "auto_link" => p.auto_link.to_string(),
                    "review" => p.review.to_string(),
                    "site_source" => "registrar".into(),
                    "hub_url" | "hub_key_id" => String::new(),
                    "hub_timeout_ms" => "10000".into(),
                    "trusted_sources" => String::new(),
                    _ => "interactive".into(),
                }))
            }
        }
    }

    /// A stored person by public id, reference id or technical id. The ids
    /// of a person merged into another answer with the survivor, saying
    /// which person was asked for and since when it is merged
    /// (`merged_from`).
    pub fn get_person(&self, key: &str) -> Result<Person> {
        let not_found = || ServiceError::NotFound {
            entity: "Person",
            id: key.to_string(),
        };
        let conn = &self.store.conn;
        let seq = match store::find_seq(conn, key)? {
            Some(seq) => seq,
            None => store::steward::find_any(conn, key)?
                .map(|(seq, _, _)| seq)
                .ok_or_else(not_found)?,
        };
        let mut person = store::load_person(conn, seq)?.ok_or_else(not_found)?;
        if person.status == PersonStatus::Merged {
            let (survivor, merged_from) = steward::survivor_of(conn, seq)?;
            let mut s = store::load_person(conn, survivor)?.ok_or_else(not_found)?;
            s.merged_from = Some(merged_from);
            person = s;
        }
        Ok(person)
    }

    /// [`Registry::get_person`] as a person reads it (`GET
    /// /api/persons/{id}`): with the golden record, which the writes that
    /// load a person have no use for.
    pub fn person_view(&self, key: &str) -> Result<Person> {
        let mut person = self.get_person(key)?;
        let trusted: Vec<String> = self
            .store
            .get_setting("trusted_sources")?
            .unwrap_or_default()
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        person.golden = steward::golden_of(&self.store.conn, &person, &trusted)?;
        Ok(person)
    }
}

/// `duplicate_override: {"reason": "..."}` at the request's root: the
/// receptionist says why a likely duplicate is a different person. The
/// person is then created and the pair waits for a reviewer.
fn duplicate_override(body: &Value) -> Result<Option<String>> {
    match body.get("duplicate_override") {
        None => Ok(None),
        Some(Value::Object(o)) => {
            if let Some(k) = o.keys().find(|k| *k != "reason") {
                return Err(ServiceError::Validation(vec![validate::Violation::new(
                    format!("$.duplicate_override.{k}"),
                    "schema",
                    format!("schema does not allow additional property {k}; allowed: reason"),
                )]));
            }
            match o.get("reason").and_then(Value::as_str).map(str::trim) {
                Some(r)
                    if (3..=500).contains(&r.chars().count())
                        && validate::text_problem(r).is_none() =>
                {
                    Ok(Some(r.to_string()))
                }
                _ => Err(ServiceError::Validation(vec![validate::Violation::new(
                    "$.duplicate_override.reason",
                    "required",
                    "say in 3–500 characters why this is a different person",
                )])),
            }
        }
        Some(_) => Err(ServiceError::Validation(vec![validate::Violation::new(
            "$.duplicate_override",
            "type",
            "type mismatch. Expected object",
        )])),
    }
}

/// The duplicate check a new registration passes before it is written
/// (the same matcher and thresholds as the form's duplicate panel). A
/// certain duplicate is refused: the matcher's auto-link level, or the same
/// tax id or document (type and number) with the same birth date. Returns
/// the probable ones (none: nothing like it), to be created for review.
fn duplicate_check(
    conn: &rusqlite::Connection,
    index: &crate::core::matching::index::BlockIndex,
    params: &crate::core::matching::Params,
    data: &PersonData,
    overridden: bool,
) -> Result<Vec<idmatch::Candidate>> {
    let rec = crate::core::matching::MatchRecord::from_person(data);
    let cands = idmatch::find_candidates(conn, index, &rec, params, params.review, 5)?;
    if overridden {
        return Ok(cands);
    }
    if let Some((person_id, reference_id, what)) = store::same_identity_documents(conn, data)? {
        return Err(ServiceError::Duplicate {
            person_id,
            reference_id,
            reason: format!("the same {what} and birth date are already registered"),
        });
    }
    if let Some(c) = cands.iter().find(|c| c.sure()) {
        return Err(ServiceError::Duplicate {
            person_id: c.person_id.clone(),
            reference_id: c.reference_id.clone(),
            reason: format!(
                "this person is already registered (match confidence {:.1} %)",
                c.confidence
            ),
        });
    }
    Ok(cands)
}

/// The rules' questions about stored records, answered from the store.
impl Facts for Registry {
    fn third_person(&self, key: &str) -> Option<ThirdPerson> {
        let seq = store::find_seq(&self.store.conn, key).ok().flatten()?;
        let p = store::load_person(&self.store.conn, seq).ok().flatten()?;
        if p.status != PersonStatus::Active {
            return None;
        }
        Some(ThirdPerson {
            birth_date: validate::parse_date(&p.person.birth_date),
            auth_methods: p.person.authentication_methods,
        })
    }

    fn auth_method(&self, method_id: &str, person_id: &str) -> AuthMethodFact {
        let conn = &self.store.conn;
        let Ok(Some(m)) = store::auth_method(conn, method_id) else {
            return AuthMethodFact::Missing;
        };
        if store::find_seq(conn, person_id).ok().flatten() != Some(m.person_seq) {
            return AuthMethodFact::OtherPerson;
        }
        // Active means is_active and not ended (seed 002: ended_at > now()).
        let ended = m
            .ended_at
            .is_some_and(|e| e.as_str() <= self.now_str().as_str());
        AuthMethodFact::Found {
            kind: m.kind,
            active: m.active && !ended,
        }
    }
}

fn duplicated_identifier() -> ServiceError {
    ServiceError::RuleViolation {
        entity_type: "Person",
        sub_code: "DUPLICATED_ISSUED_IDENTIFIER",
        message: "The issued identifier type already exists for the Person entity.".into(),
    }
}

pub(crate) fn is_unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

/// A fresh `M` + 9 digits reference id, unused by any person.
pub(crate) fn allocate_reference_id(conn: &rusqlite::Connection) -> Result<String> {
    loop {
        let r = ids::reference_id();
        if !store::reference_id_taken(conn, &r)? {
            return Ok(r);
        }
    }
}

/// What [`write_person`] writes.
pub(crate) enum PersonWrite<'a> {
    /// A new active person.
    Create,
    /// The active person at `seq` takes the data; `author` made the change
    /// (a working copy's author when a reviewer approves it).
    Update { seq: i64, author: &'a str },
}

/// A person's state as [`write_person`] left it.
pub(crate) struct Written {
    pub person: crate::core::model::Person,
    /// The outbox row that carries it to the hub.
    pub outbox: i64,
}

/// The one write of an active person's state at the desk, in the caller's
/// transaction: the person's row with its documents and identifiers
/// ([`insert_new_person`] or `store::update_person`), its match keys (the
/// matcher's blocking index and comparable record), its scans, a "created"
/// line in its link history for a new person, and the outbox row that
/// carries the new state to the hub. Registering, changing through a person
/// request or seed 003's update, and approving a working copy all come
/// here; the caller adds its audit row, whose words depend on the operation.
pub(crate) fn write_person(
    tx: &rusqlite::Connection,
    write: PersonWrite<'_>,
    data: &crate::core::model::PersonData,
    scans: &[crate::core::model::ScanUpload],
    (actor, now): (&str, &str),
) -> Result<Written> {
    let seq = match write {
        PersonWrite::Create => insert_new_person(tx, data, actor, now)?.seq,
        PersonWrite::Update { seq, author } => {
            store::update_person(tx, seq, data, author, now)?;
            seq
        }
    };
    let person_id = store::person_id_of(tx, seq)?;
    idmatch::index_person(tx, seq, data, &person_id)?;
    if matches!(write, PersonWrite::Create) {
        let event = store::steward::LinkEvent {
            operation: "created",
            person: seq,
            sor: Some(idmatch::LOCAL_SOR),
            sor_id: Some(&person_id),
            ..Default::default()
        };
        store::steward::insert_link_event(tx, now, actor, &event)?;
    }
    for scan in scans {
        store::insert_scan(tx, seq, scan.document_index, scan)?;
    }
    let person = store::load_person(tx, seq)?.ok_or_else(|| ServiceError::NotFound {
        entity: "Person",
        id: person_id.clone(),
    })?;
    let outbox = outbox::enqueue(tx, &person, now)?;
    Ok(Written { person, outbox })
}

/// A person just made by [`insert_new_person`].
pub(crate) struct Made {
    pub seq: i64,
    pub reference_id: String,
    /// The public id.
    pub id: String,
}

/// Store a new active person: the one place a person is assembled (a free
/// reference id, a new public id, ids for its authentication methods,
/// version 1). The desk, the matcher, the hub and the benchmarks call it
/// inside their own transaction, then add what their path needs (match
/// keys, link history, audit, outbox).
pub(crate) fn insert_new_person(
    conn: &rusqlite::Connection,
    data: &crate::core::model::PersonData,
    actor: &str,
    now: &str,
) -> Result<Made> {
    insert_new_person_as(conn, data, None, actor, now)
}

/// [`insert_new_person`] with `data`'s stored JSON worked out already
/// (`store::data_json`, which a new person's method ids do not change).
pub(crate) fn insert_new_person_as(
    conn: &rusqlite::Connection,
    data: &crate::core::model::PersonData,
    data_json: Option<&str>,
    actor: &str,
    now: &str,
) -> Result<Made> {
    let reference_id = allocate_reference_id(conn)?;
    let id = ids::person_id();
    // A new person's methods get new ids, whatever a request carried.
    let mut data = std::borrow::Cow::Borrowed(data);
    if !data.authentication_methods.is_empty() {
        for m in &mut data.to_mut().authentication_methods {
            m.id = Some(uuid::Uuid::new_v4().to_string());
        }
    }
    let seq = store::insert_person(
        conn,
        &NewPerson {
            id: &id,
            reference_id: &reference_id,
            status: PersonStatus::Active,
            active_id: None,
            version: 1,
            data: &data,
            data_json,
            actor,
            now,
        },
    )?;
    Ok(Made {
        seq,
        reference_id,
        id,
    })
}

/// Counts and settings for the status bar.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct Stats {
    pub persons: i64,
    pub working_copies: i64,
    pub pending: i64,
    pub users: i64,
    pub outbox: i64,
    pub no_self_auth_age: u32,
    pub auto_link: f64,
    pub review: f64,
    pub reconciliation_mode: String,
    /// Is a hub URL set (`hub_url`)? Without one, changes wait here.
    #[serde(default)]
    pub hub_configured: bool,
    /// The registry's date (its clock, which tests can fix): the desk
    /// decides "is this a child" by it, as the rules do, never by the
    /// workstation's own clock.
    #[serde(default)]
    pub today: String,
}

impl Registry {
    pub fn stats(&self) -> Result<Stats> {
        let n = store::counts(&self.store.conn)?;
        let p = self.match_params();
        Ok(Stats {
            persons: n.persons,
            working_copies: n.working_copies,
            pending: n.pending,
            users: n.users,
            outbox: n.outbox,
            no_self_auth_age: self.rule_context().no_self_auth_age,
            auto_link: p.auto_link,
            review: p.review,
            reconciliation_mode: match self.reconciliation_mode() {
                idmatch::Mode::Queue => "queue".into(),
                idmatch::Mode::Interactive => "interactive".into(),
            },
            hub_configured: self
                .store
                .get_setting("hub_url")?
                .is_some_and(|u| !u.trim().is_empty()),
            today: self.now().date_naive().format("%Y-%m-%d").to_string(),
        })
    }

    /// The bytes of a stored scan: (media type, content).
    pub fn scan(&self, scan_id: &str) -> Result<(String, Vec<u8>)> {
        store::scan_content(&self.store.conn, scan_id)?.ok_or_else(|| ServiceError::NotFound {
            entity: "Scan",
            id: scan_id.to_string(),
        })
    }

    /// Changes waiting to be sent to the hub.
    pub fn outbox_len(&self) -> Result<i64> {
        Ok(store::outbox_unsent_count(&self.store.conn)?)
    }
}

/// The rule a setting's value must follow, in words for the error.
/// The registry's settings: one list for the service (which checks a value
/// before it is stored), the CLI (`registrar config`) and the GUI (which
/// shows the ones on its Settings page, with a message per setting).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    NoSelfAuthAge,
    AutoLink,
    Review,
    ReconciliationMode,
    SiteSource,
    HubUrl,
    HubKeyId,
    HubTimeoutMs,
    TrustedSources,
}

impl Setting {
    pub const ALL: [Setting; 9] = [
        Setting::NoSelfAuthAge,
        Setting::AutoLink,
        Setting::Review,
        Setting::ReconciliationMode,
        Setting::SiteSource,
        Setting::HubUrl,
        Setting::HubKeyId,
        Setting::HubTimeoutMs,
        Setting::TrustedSources,
    ];

    /// The key it is stored (and asked for) under.
    pub fn key(self) -> &'static str {
        match self {
            Setting::NoSelfAuthAge => "no_self_auth_age",
            Setting::AutoLink => "auto_link",
            Setting::Review => "review",
            Setting::ReconciliationMode => "reconciliation_mode",
            Setting::SiteSource => "site_source",
            Setting::HubUrl => "hub_url",
            Setting::HubKeyId => "hub_key_id",
            Setting::HubTimeoutMs => "hub_timeout_ms",
            Setting::TrustedSources => "trusted_sources",
        }
    }

    pub fn parse(key: &str) -> Option<Setting> {
        Setting::ALL.into_iter().find(|s| s.key() == key)
    }

    /// Shown on the GUI's Settings page under "Registry" (the hub's URL and
    /// key id have their own section, with the secret).
    pub fn on_settings_page(self) -> bool {
        !matches!(self, Setting::HubUrl | Setting::HubKeyId)
    }

    /// Is `v` a value this setting may take? `Err` says what it may be.
    pub fn check(self, v: &str) -> std::result::Result<(), String> {
        match self {
            Setting::NoSelfAuthAge => v
                .parse::<u32>()
                .map(|_| ())
                .map_err(|_| "a whole number of years".into()),
            Setting::AutoLink | Setting::Review => match v.parse::<f64>() {
                Ok(x) if (0.0..=100.0).contains(&x) => Ok(()),
                _ => Err("a confidence from 0 to 100".into()),
            },
            Setting::ReconciliationMode if v == "interactive" || v == "queue" => Ok(()),
            Setting::ReconciliationMode => Err("interactive or queue".into()),
            Setting::SiteSource if hub::valid_source(v) => Ok(()),
            Setting::SiteSource => Err("1–64 characters without whitespace".into()),
            Setting::HubUrl if v.starts_with("http://") || v.starts_with("https://") => Ok(()),
            Setting::HubUrl => Err("an http:// or https:// URL".into()),
            Setting::HubKeyId if !v.is_empty() && !v.chars().any(char::is_whitespace) => Ok(()),
            Setting::HubKeyId => Err("a key id without whitespace".into()),
            Setting::HubTimeoutMs => v
                .parse::<u64>()
                .map(|_| ())
                .map_err(|_| "a whole number of milliseconds".into()),
            Setting::TrustedSources
                if v.split(',')
                    .map(str::trim)
                    .all(|s| s.is_empty() || hub::valid_source(s)) =>
            {
                Ok(())
            }
            Setting::TrustedSources => {
                Err("source names separated by commas, most trusted first".into())
            }
        }
    }
}

fn setting_rule(key: &str, v: &str) -> std::result::Result<(), String> {
    match Setting::parse(key) {
        Some(s) => s.check(v),
        None => Err(format!(
            "unknown setting ({})",
            Setting::ALL.map(Setting::key).join(", ")
        )),
    }
}

#[cfg(test)]
mod setting_tests {
    use super::{Setting, setting_rule};

    #[test]
    fn every_setting_is_found_by_its_key_and_checks_its_values() {
        for s in Setting::ALL {
            assert_eq!(Setting::parse(s.key()), Some(s));
        }
        assert!(Setting::AutoLink.check("99.9").is_ok());
        assert!(Setting::AutoLink.check("101").is_err());
        assert!(Setting::ReconciliationMode.check("queue").is_ok());
        assert!(Setting::ReconciliationMode.check("later").is_err());
        let e = setting_rule("auto_lnk", "1").unwrap_err();
        assert!(
            e.contains("auto_link") && e.contains("hub_timeout_ms"),
            "{e}"
        );
    }
}
