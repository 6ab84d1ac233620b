//! Seed 001: ID Match. Reference-id requests, candidates with explained
//! confidences, forced and queued reconciliation.

use super::{Actor, Registry, Result, ServiceError};
use crate::core::ids;
use crate::core::matching::index::{Addition, BlockIndex};
use crate::core::matching::{self, Explanation, MatchRecord, Params, normalize};
use crate::core::model::*;
use crate::store;
use crate::store::matching::{self as sm, SourcedRecord, SqlTf};
use crate::store::steward as ss;
use rusqlite::Connection;
use serde::Serialize;
use serde_json::{Map, Value, json};

/// Audit what a reference request did (a 300 writes nothing and is not audited).
pub(crate) fn audit_outcome(
    conn: &Connection,
    now: &str,
    actor: &Actor,
    op: &str,
    req: &ReferenceRequest,
    decided: &Decided,
) -> Result<()> {
    let (outcome, rid) = match &decided.outcome {
        ReferenceOutcome::Existing(r) => ("linked", Some(r.as_str())),
        ReferenceOutcome::Created(r) => ("new", Some(r.as_str())),
        ReferenceOutcome::Queued(_) => ("queued", None),
        ReferenceOutcome::Candidates(_) => return Ok(()),
    };
    super::accounts::audit(
        conn,
        now,
        actor,
        op,
        decided.person_id.as_deref(),
        json!({"sor": req.sor, "sor_id": req.sor_id, "outcome": outcome, "reference_id": rid}),
    )?;
    Ok(())
}

/// What a reference request came to, and the public id of the person it
/// was attached to (for the audit row, without reading it back).
#[derive(Debug, Clone)]
pub struct Decided {
    pub outcome: ReferenceOutcome,
    pub person_id: Option<String>,
}

impl Decided {
    fn attached(outcome: ReferenceOutcome, person_id: String) -> Decided {
        Decided {
            outcome,
            person_id: Some(person_id),
        }
    }

    fn open(outcome: ReferenceOutcome) -> Decided {
        Decided {
            outcome,
            person_id: None,
        }
    }
}

/// A parsed `POST /people` request.
#[derive(Debug, Clone)]
pub struct ReferenceRequest {
    pub sor: String,
    pub sor_id: String,
    /// sorAttributes, with `sorId`.
    pub attributes: Map<String, Value>,
    /// Forced reconciliation: an existing reference id, or `new`.
    pub reference_id: Option<String>,
}

impl ReferenceRequest {
    /// The record this request is about, and the person it names.
    pub(crate) fn at(&self) -> RecordAt<'_> {
        RecordAt {
            sor: &self.sor,
            sor_id: &self.sor_id,
            reference_id: self.reference_id.as_deref(),
        }
    }
}

/// Which source record is being decided, and the person its request names
/// (forced reconciliation): all that deciding reads of a request besides
/// its [`Keyed`], which holds the attributes in every form they are
/// compared, stored and indexed in. An import's row has nothing else.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RecordAt<'a> {
    pub sor: &'a str,
    pub sor_id: &'a str,
    /// An existing reference id, or `new`.
    pub reference_id: Option<&'a str>,
}

impl<'a> RecordAt<'a> {
    /// Record `(sor, sor_id)`, for which no person is named: an import's
    /// row, or a stored record attached again (unlink, move).
    pub(crate) fn of(sor: &'a str, sor_id: &'a str) -> RecordAt<'a> {
        RecordAt {
            sor,
            sor_id,
            reference_id: None,
        }
    }
}

/// What `POST /people` answers.
#[derive(Debug, Clone)]
pub enum ReferenceOutcome {
    /// 200: a unique match, or the SOR record was already known.
    Existing(String),
    /// 201: a new person.
    Created(String),
    /// 300: potential matches for the client to choose from.
    Candidates(Vec<Candidate>),
    /// 202: queued for a reconciliation manager.
    Queued(i64),
}

/// A potential match with its explanation.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub reference_id: String,
    pub person_id: String,
    pub confidence: f64,
    /// The best-matching SOR record's attributes, with sor and sorId.
    pub attributes: Value,
    pub explanation: Explanation,
    /// Why this candidate is never linked automatically, in words (a
    /// conflict with this record or another of the person's records, or
    /// nothing but household evidence).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hold: Option<matching::Hold>,
    /// Below the auto-link level: how far, and what weighed against it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub why_not: Option<matching::Shortfall>,
    /// The confidence at which a pair compared on these fields links
    /// ([`matching::link_threshold`]).
    pub link_at: f64,
    /// At or above the review level: a person decides before a new person
    /// is created beside this one.
    pub review: bool,
    /// What may be done with it ([`matching::classify`]); the wire keeps
    /// seed 001's shape (`review`, `link_at`, `hold`), so this is not sent.
    #[serde(skip)]
    pub class: matching::Class,
    /// The person's seq and the source of its best record (internal:
    /// the link is made to it, and [`fill_attributes`] reads from it).
    #[serde(skip)]
    at: (i64, String, String),
    /// What `explanation` and `why_not` are put in words from, where the
    /// lookup left that for later ([`Attributes::Later`]; until then the
    /// explanation holds the numbers only).
    #[serde(skip)]
    words: Option<Box<Unworded>>,
}

/// A candidate's pair as numbers: its best record and their levels and
/// weights, to be put in words when someone reads them ([`fill_attributes`]).
#[derive(Debug, Clone)]
struct Unworded {
    other: MatchRecord,
    levels: [Option<usize>; matching::FIELD_COUNT],
    weighed: matching::Weighed,
}

impl Candidate {
    /// The person's reference id and person id, read now if the lookup
    /// left them for later ([`Attributes::Later`]).
    fn ids(&self, conn: &Connection) -> Result<(String, String)> {
        if self.reference_id.is_empty() {
            return Ok(crate::store::reference_and_person_id(conn, self.at.0)?);
        }
        Ok((self.reference_id.clone(), self.person_id.clone()))
    }

    /// May the engine link to this candidate without a person deciding?
    pub fn sure(&self) -> bool {
        self.class == matching::Class::Link
    }

    /// Seed 001's candidate object (confidence as a string), plus the explanation.
    pub fn to_json(&self) -> Value {
        serde_json::to_value(self.view()).unwrap_or_default()
    }

    /// `cands` as the queue stores them: a JSON array of [`Candidate::to_json`],
    /// written straight to text (the same text). A tree of JSON values built
    /// first and then written out cost 70,000 instructions per queued row
    /// of the 100k import (callgrind: 26.96 G in all against 26.77 G).
    pub fn list_json(cands: &[Candidate]) -> String {
        let views: Vec<CandidateView> = cands.iter().map(Candidate::view).collect();
        serde_json::to_string(&views).unwrap_or_else(|_| "[]".to_string())
    }

    /// The candidate as the API sends it and the GUI reads it.
    pub fn view(&self) -> CandidateView {
        CandidateView {
            confidence: format!("{:.0}", self.confidence.floor()),
            reference_id: self.reference_id.clone(),
            attributes: self.attributes.clone(),
            explanation: self.explanation.clone(),
            link_at: self.link_at,
            review: self.review,
            // In English, and in parts for a screen's own words.
            hold: self.hold.as_ref().map(matching::Hold::words),
            hold_detail: self.hold.as_ref().map(|h| HoldDetail {
                kind: serde_json::to_value(h.kind)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default(),
                shared: h.shared.iter().map(|s| s.to_string()).collect(),
                conflicts: h
                    .conflicts
                    .iter()
                    .filter_map(|c| serde_json::to_value(c).ok()?.as_str().map(String::from))
                    .collect(),
                other_record: h.other_record.clone(),
            }),
            why_not: self.why_not.as_ref().map(matching::Shortfall::words),
            why_not_detail: self.why_not.as_ref().map(|w| WhyNotDetail {
                gap: w.gap,
                against: w.against.clone(),
                missing: w.missing.clone(),
            }),
        }
    }
}

/// A candidate as `POST /people` (seed 001's `candidates`), `GET
/// /people/pending` and the duplicate check send it: one type for the
/// service that writes it and the GUI that reads it, so a renamed field
/// breaks the build instead of a screen. Missing fields take their
/// defaults: a record queued by an older version still reads.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CandidateView {
    /// Seed 001: the confidence in percent, a whole number as a string.
    pub confidence: String,
    #[serde(rename = "referenceId")]
    pub reference_id: String,
    /// The best-matching record's attributes, with `sor` and `sorId`.
    pub attributes: Value,
    pub explanation: Explanation,
    pub link_at: f64,
    pub review: bool,
    /// Why the engine never links it by itself, in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hold_detail: Option<HoldDetail>,
    /// How far below its link level it is, in English.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why_not: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why_not_detail: Option<WhyNotDetail>,
}

/// A record waiting for a reviewer, as `GET /people/pending` sends it and
/// the reconciliation page reads it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct PendingView {
    pub id: i64,
    pub sor: String,
    pub sor_id: String,
    /// The waiting record's attributes (seed 001 `sorAttributes`).
    pub attributes: Value,
    pub candidates: Vec<CandidateView>,
    pub created_at: String,
}

impl PendingView {
    /// The best candidate's confidence, in percent (0 without one).
    pub fn best(&self) -> f64 {
        self.candidates
            .iter()
            .filter_map(|c| c.confidence.parse::<f64>().ok())
            .fold(0.0, f64::max)
    }

    /// The waiting record's given and family name.
    pub fn name(&self) -> String {
        attributes_name(&self.attributes)
    }
}

/// "Given Family" of seed 001 attributes (`givenName`, `sn`), as the
/// screens list a record or a candidate.
pub fn attributes_name(a: &Value) -> String {
    format!(
        "{} {}",
        a["givenName"].as_str().unwrap_or(""),
        a["sn"].as_str().unwrap_or("")
    )
}

/// [`matching::Hold`] in parts a screen says in its own words.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct HoldDetail {
    /// `only_names`, `conflicts`, `look_alike` or `no_birth_date`.
    pub kind: String,
    /// Household fields the pair shares.
    pub shared: Vec<String>,
    /// What differs (`tax_id`, `birth_date`, …).
    pub conflicts: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_record: Option<String>,
}

/// [`matching::Shortfall`] in parts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct WhyNotDetail {
    /// Bits missing to the pair's link level.
    pub gap: f64,
    pub against: Vec<matching::FieldScore>,
    pub missing: Vec<String>,
}

fn bad(field: &str, message: &str) -> ServiceError {
    ServiceError::BadRequest(format!("{field}: {message}"))
}

/// Parse and check a reference-id request. Errors name the field.
pub fn parse_reference_request(body: &Value) -> Result<ReferenceRequest> {
    let obj = body
        .as_object()
        .ok_or_else(|| bad("$", "the request must be a JSON object"))?;
    const KEYS: &[&str] = &[
        "requestType",
        "version",
        "sor",
        "sorAttributes",
        "referenceId",
    ];
    if let Some(k) = crate::core::validate::unknown_property(obj, KEYS) {
        return Err(bad(
            k,
            &format!("unknown property; a request takes {}", KEYS.join(", ")),
        ));
    }
    match obj.get("requestType") {
        Some(Value::String(s)) if s == "referenceId" => {}
        _ => return Err(bad("requestType", "must be \"referenceId\"")),
    }
    let sor = match obj.get("sor") {
        Some(Value::String(s))
            if !s.is_empty() && !s.chars().any(char::is_whitespace) && s.len() <= 64 =>
        {
            s.clone()
        }
        Some(Value::String(_)) => {
            return Err(bad("sor", "must be 1–64 characters without whitespace"));
        }
        _ => return Err(bad("sor", "is required and must be a string")),
    };
    let attrs = match obj.get("sorAttributes") {
        Some(Value::Object(m)) => m.clone(),
        _ => return Err(bad("sorAttributes", "is required and must be an object")),
    };
    for (k, v) in &attrs {
        match v {
            Value::String(s) if s.chars().count() > 255 => {
                return Err(bad(
                    &format!("sorAttributes.{k}"),
                    "must be at most 255 characters",
                ));
            }
            Value::String(s) => {
                if let Some(problem) = crate::core::validate::text_problem(s) {
                    return Err(bad(&format!("sorAttributes.{k}"), &problem));
                }
            }
            Value::Null => {}
            Value::Array(a) if k == "documentNumbers" && a.iter().all(Value::is_string) => {}
            _ => return Err(bad(&format!("sorAttributes.{k}"), "must be a string")),
        }
    }
    let sor_id = match attrs.get("sorId") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        _ => return Err(bad("sorAttributes.sorId", "is required")),
    };
    if let Some(Value::String(d)) = attrs.get("dateOfBirth")
        && !d.trim().is_empty()
        && normalize::parse_birth_date(d).is_none()
    {
        return Err(bad(
            "sorAttributes.dateOfBirth",
            "must be a valid date, YYYY-MM-DD",
        ));
    }
    let reference_id = match obj.get("referenceId") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "new" || ids::is_reference_id(s) => Some(s.clone()),
        Some(_) => {
            return Err(bad(
                "referenceId",
                "must be \"new\" or a reference id (M + 9 digits)",
            ));
        }
    };
    Ok(ReferenceRequest {
        sor,
        sor_id,
        attributes: attrs,
        reference_id,
    })
}

/// Person data derived from SOR attributes (for a person the SOR creates).
fn person_from_attributes(a: &Map<String, Value>) -> PersonData {
    person_from_texts(|k| a.get(k).and_then(Value::as_str))
}

/// [`person_from_attributes`] of the attributes whose texts `get` gives
/// by name.
fn person_from_texts<'a>(get: impl Fn(&str) -> Option<&'a str>) -> PersonData {
    let s = |k: &str| {
        get(k)
            .map(str::trim)
            .filter(|x| !x.is_empty())
            .map(String::from)
    };
    let gender = match normalize::gender_key(&s("gender").unwrap_or_default()).as_str() {
        "M" => "MALE",
        "F" => "FEMALE",
        _ => "",
    };
    let mut p = PersonData {
        first_name: s("givenName").unwrap_or_default(),
        last_name: s("sn").unwrap_or_default(),
        second_name: s("middleName"),
        birth_date: s("dateOfBirth")
            .and_then(|d| normalize::parse_birth_date(&d))
            .map(|d| normalize::date_string(d, true))
            .unwrap_or_default(),
        gender: gender.to_string(),
        tax_id: s("tax_id"),
        email: s("email"),
        ..Default::default()
    };
    if let Some(m) = s("mobile") {
        p.phones.push(Phone {
            kind: "MOBILE".into(),
            number: m,
        });
    }
    let addr = Address {
        kind: "RESIDENCE".into(),
        street: s("street"),
        house_number: s("houseNumber"),
        line2: s("addressLine2"),
        settlement: s("city"),
        state: s("state"),
        postal_code: s("postalCode"),
        country: s("country"),
        ..Default::default()
    };
    if addr.street.is_some() || addr.settlement.is_some() || addr.postal_code.is_some() {
        p.addresses.push(addr);
    }
    p
}

/// Score the candidates of `rec`, best first, with explanations. Only those
/// with a confidence of at least `min_confidence` are returned. `index` is
/// the registry's blocking index, current with `conn`.
pub fn find_candidates(
    conn: &Connection,
    index: &BlockIndex,
    rec: &MatchRecord,
    params: &Params,
    min_confidence: f64,
    limit: usize,
) -> Result<Vec<Candidate>> {
    let seqs = index.candidates(&rec.blocking_keys());
    let want = Want {
        min_confidence,
        limit,
        attributes: Attributes::Now,
    };
    score_indexed(conn, index, rec, seqs, params, want)
}

/// The desk's duplicate check: the engine's candidates and, while no birth
/// date is typed, the persons whose names begin like both typed names (the
/// search index), so that a name alone finds people. Every one is scored
/// and explained as the engine does; nothing here links.
fn desk_candidates(
    conn: &Connection,
    index: &BlockIndex,
    rec: &MatchRecord,
    params: &Params,
    limit: usize,
) -> Result<Vec<Candidate>> {
    let mut seqs = index.candidates(&rec.blocking_keys());
    if rec.dob.is_empty() && !rec.given.is_empty() && !rec.family.is_empty() {
        seqs.extend(sm::search(
            conn,
            index,
            &format!("{} {}", rec.given, rec.family),
            50,
        )?);
        seqs.sort_unstable();
        seqs.dedup();
    }
    let want = Want {
        min_confidence: 1.0,
        limit,
        attributes: Attributes::Now,
    };
    score_indexed(conn, index, rec, seqs, params, want)
}

/// A person's best record of `n` (its score, which), when that reaches
/// `min_confidence`. The last of equal scores, as `max_by` gives.
pub(super) fn best_record(
    n: usize,
    min_confidence: f64,
    mut score: impl FnMut(usize) -> f64,
) -> Option<(f64, usize)> {
    (0..n)
        .map(|i| (score(i), i))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(s, _)| matching::confidence(*s) >= min_confidence)
}

/// Score the persons `seqs` against `rec` from the blocking index in
/// memory, without reading a record from the store. Each record is
/// compared where it is packed; only the persons kept are unpacked.
fn score_indexed(
    conn: &Connection,
    index: &BlockIndex,
    rec: &MatchRecord,
    seqs: Vec<i64>,
    params: &Params,
    want: Want,
) -> Result<Vec<Candidate>> {
    let compared = compare_indexed(index, rec, seqs);
    weigh_indexed(conn, index, rec, compared, params, want)
}

/// What [`compare_indexed`] found, for [`weigh_indexed`].
struct Compared {
    /// The persons, each with where its records' levels begin in
    /// `levels` and how many there are.
    found: Vec<(i64, usize, usize)>,
    levels: Vec<[Option<usize>; matching::FIELD_COUNT]>,
}

/// `rec` compared with every record of each of the persons `seqs` in
/// the blocking index: the costly part of [`score_indexed`], which reads
/// neither the store nor the model, so that a page of the queue is
/// compared on both cores ([`rescore_page`]).
fn compare_indexed(index: &BlockIndex, rec: &MatchRecord, seqs: Vec<i64>) -> Compared {
    // The record's names' sounds and its signatures are worked out once
    // for all its candidates, and a candidate's later records take the
    // levels of the fields an earlier one has (`levels_after`): the same
    // levels as each record compared alone. Worked out per comparison,
    // they were most of re-scoring a queue of 25,000 after a model learnt
    // late in a 1M import.
    let sounds = rec.sounds();
    let row = rec.sounding(&sounds);
    let sigs = matching::Sigs::of(&row);
    let mut levels = Vec::new();
    let found = matching::compare_persons(index, &row, &sigs, seqs, &mut Default::default(), |l| {
        levels.push(l)
    });
    Compared { found, levels }
}

/// [`score_indexed`]'s weighing of what [`compare_indexed`] found, with
/// the model and the term frequencies of the moment.
fn weigh_indexed(
    conn: &Connection,
    index: &BlockIndex,
    rec: &MatchRecord,
    compared: Compared,
    params: &Params,
    want: Want,
) -> Result<Vec<Candidate>> {
    let Want {
        min_confidence,
        limit,
        attributes,
    } = want;
    let tf = SqlTf::new(conn)?;
    let prior = matching::prior_weight_in(params, &tf);
    let Compared { found, levels } = compared;
    let mut scored: Vec<Scored> = Vec::new();
    let mut scores = Vec::new();
    for (seq, at, n) in found {
        scores.clear();
        scores.extend(
            levels[at..at + n]
                .iter()
                .map(|l| matching::weigh_compared(rec, l, params, prior, &tf)),
        );
        let best = best_record(scores.len(), min_confidence, |i| scores[i]);
        if let Some((s, i)) = best {
            let records = index
                .records(seq)
                .into_iter()
                .map(|(sor, sor_id, rec)| SourcedRecord { sor, sor_id, rec })
                .collect();
            scored.push(Scored {
                score: s,
                seq,
                best: i,
                records,
                levels: Vec::new(),
            });
        }
    }
    explain_scored(conn, rec, scored, params, &tf, limit, attributes)
}

/// Candidates for `rec` (with its blocking `keys`) from the blocking index.
fn find_candidates_in(
    conn: &Connection,
    index: &BlockIndex,
    rec: &MatchRecord,
    keys: &[String],
    params: &Params,
    min_confidence: f64,
) -> Result<Vec<Candidate>> {
    let seqs = index.candidates(keys);
    let want = Want {
        min_confidence,
        limit: CANDIDATE_LIMIT,
        attributes: Attributes::Later,
    };
    score_indexed(conn, index, rec, seqs, params, want)
}

/// Which candidates a lookup returns: at least this confident, the best
/// `limit`, with their attributes now or later.
#[derive(Clone, Copy)]
struct Want {
    min_confidence: f64,
    limit: usize,
    attributes: Attributes,
}

/// Whether a candidate's attributes (its best record as the source sent
/// it), ids and explanation in words are made with it, or only when
/// someone will see them ([`fill_attributes`]; [`Candidate::ids`] for the
/// one linked): a record linked or created by the engine needs none, and
/// reading them cost a lookup and a JSON parse per candidate, the ids a
/// read of the person's row at a random place, and the words four strings
/// per field.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Attributes {
    Now,
    Later,
}

/// Read what the candidates of `rec` were found without: their
/// attributes, ids and explanations in words ([`Attributes::Later`]).
fn fill_attributes(conn: &Connection, rec: &MatchRecord, cands: &mut [Candidate]) -> Result<()> {
    for c in cands.iter_mut() {
        if let Some(u) = c.words.take() {
            c.explanation = matching::word(rec, &u.other, &u.levels, &u.weighed);
            c.why_not = matching::shortfall(&c.explanation, c.link_at);
        }
        if c.reference_id.is_empty() {
            (c.reference_id, c.person_id) = c.ids(conn)?;
        }
        if c.attributes.is_null() {
            let (seq, sor, sor_id) = &c.at;
            c.attributes = source_attributes(conn, *seq, sor, sor_id)?;
        }
    }
    Ok(())
}

/// What source `(sor, sor_id)` of person `seq` sent, with its names.
fn source_attributes(conn: &Connection, seq: i64, sor: &str, sor_id: &str) -> Result<Value> {
    let mut attributes = match sm::find_sor(conn, sor, sor_id)? {
        Some(row) => serde_json::from_str(&row.attributes).unwrap_or_else(|_| json!({})),
        None => person_attributes(conn, seq)?,
    };
    if let Some(o) = attributes.as_object_mut() {
        o.insert("sor".into(), json!(sor));
        o.insert("sorId".into(), json!(sor_id));
    }
    Ok(attributes)
}

/// Candidates the engine weighs for one record, at most.
pub(super) const CANDIDATE_LIMIT: usize = 10;

/// A person scored against a record, for [`explain_scored`].
pub(super) struct Scored {
    pub score: f64,
    pub seq: i64,
    /// Which of `records` scored best.
    pub best: usize,
    pub records: Vec<SourcedRecord>,
    /// The record's levels against `records` ([`matching::levels`]), by
    /// place, where the caller compared them already (the import's scorer
    /// and writer); the others are compared here.
    pub levels: Vec<Option<[Option<usize>; matching::FIELD_COUNT]>>,
}

impl Scored {
    /// `rec`'s levels against record `j` of the person.
    fn levels_with(&self, rec: &MatchRecord, j: usize) -> [Option<usize>; matching::FIELD_COUNT] {
        match self.levels.get(j).copied().flatten() {
            Some(known) => {
                debug_assert_eq!(
                    known,
                    matching::levels(rec, &self.records[j].rec),
                    "levels compared before are the levels"
                );
                known
            }
            None => matching::levels(rec, &self.records[j].rec),
        }
    }
}

/// The best `limit` of `scored` as candidates, explained.
pub(super) fn explain_scored(
    conn: &Connection,
    rec: &MatchRecord,
    mut scored: Vec<Scored>,
    params: &Params,
    tf: &dyn matching::TermFrequency,
    limit: usize,
    read: Attributes,
) -> Result<Vec<Candidate>> {
    scored.sort_by(|a, b| b.score.total_cmp(&a.score));
    scored.truncate(limit);
    let mut out = Vec::with_capacity(scored.len());
    for mut person in scored {
        let (seq, i) = (person.seq, person.best);
        let levels = person.levels_with(rec, i);
        let weighed = matching::weigh_pair(rec, &levels, params, tf);
        // The best record must not be contradicted by the person's others:
        // a person grows by matching as a whole, never by a chain of links.
        let hold = matching::hold_reason(
            &weighed,
            &levels,
            rec,
            &person.records[i].rec,
            params.auto_link,
        )
        .or_else(|| chain_hold(rec, &person, &levels, params, tf));
        let link_at = matching::link_threshold(params, &levels, weighed.prior);
        let review = weighed.confidence >= params.review;
        let class = matching::classify(weighed.confidence, link_at, hold.is_some(), params.review);
        let SourcedRecord {
            sor,
            sor_id,
            rec: other,
        } = person.records.swap_remove(i);
        let mut candidate = Candidate {
            reference_id: String::new(),
            person_id: String::new(),
            confidence: weighed.confidence,
            attributes: Value::Null,
            // The numbers now; the words with the attributes.
            explanation: Explanation {
                prior: weighed.prior,
                fields: Vec::new(),
                score: weighed.score,
                confidence: weighed.confidence,
            },
            hold,
            why_not: None,
            link_at,
            review,
            class,
            at: (seq, sor, sor_id),
            words: Some(Box::new(Unworded {
                other,
                levels,
                weighed,
            })),
        };
        if read == Attributes::Now {
            fill_attributes(conn, rec, std::slice::from_mut(&mut candidate))?;
        }
        out.push(candidate);
    }
    Ok(out)
}

/// A person's other records must not say the new record is someone else:
/// each is held to the same rule as the best one. Agreement with one record
/// never carries a link that another record contradicts.
fn chain_hold(
    rec: &MatchRecord,
    person: &Scored,
    best_levels: &[Option<usize>],
    params: &Params,
    tf: &dyn matching::TermFrequency,
) -> Option<matching::Hold> {
    let (records, best) = (&person.records, person.best);
    let b = &records[best].rec;
    // What the new record already disagrees with the matched one on (the
    // hold rules let it pass), the same for every other record.
    let known = matching::conflicts(best_levels, rec, b);
    records
        .iter()
        .enumerate()
        .filter(|(j, _)| *j != best)
        .find_map(|(j, other)| {
            let levels = person.levels_with(rec, j);
            let found = matching::conflicts(&levels, rec, &other.rec);
            // A garbled given name in one of the person's records is common;
            // another generation, family name or identifier is not.
            if found.iter().all(|c| *c == matching::Conflict::GivenName) {
                return None;
            }
            // Only a new disagreement counts: one the record the new one
            // matched does not share. Where the other record also
            // disagrees with that record (its own odd SSN, a replaced
            // given name), or the new one already disagrees with it, it
            // says nothing new.
            let own = matching::conflicts(&matching::compare(b, &other.rec), b, &other.rec);
            if found.iter().all(|c| own.contains(c) || known.contains(c)) {
                return None;
            }
            let w = matching::weigh_pair(rec, &levels, params, tf);
            matching::hold_reason(&w, &levels, rec, &other.rec, params.auto_link)
                .filter(|h| h.kind != matching::HoldKind::NoBirthDate)
                .map(|mut h| {
                    h.other_record = Some(format!("{} {}", other.sor, other.sor_id));
                    h
                })
        })
}

/// Seed 001-style attributes of a person registered at the desk.
fn person_attributes(conn: &Connection, seq: i64) -> Result<Value> {
    let Some(p) = store::load_person(conn, seq)? else {
        return Ok(json!({}));
    };
    Ok(desk_attributes(&p.person))
}

/// Seed 001-style attributes of a person's data.
pub fn desk_attributes(d: &PersonData) -> Value {
    Value::Object(crate::core::matching::record::person_attributes(d))
}

/// (Re)build the comparable record of a person registered at the desk.
pub(crate) fn index_person(
    conn: &Connection,
    seq: i64,
    data: &PersonData,
    person_id: &str,
) -> Result<()> {
    Ok(sm::put_record(
        conn,
        seq,
        LOCAL_SOR,
        person_id,
        MatchRecord::from_person(data),
    )?)
}

/// The source name of persons registered at this workstation.
pub const LOCAL_SOR: &str = "registrar";

/// The system of record of what a receptionist typed and then linked to an
/// existing person ("Same person – link" at the desk): a record of its own
/// beside the person's registration (`LOCAL_SOR`), so that a steward can
/// unlink or move it like any other source's record.
pub const DESK_LINK_SOR: &str = "registrar-desk";

/// "Same person – link" at the desk, as one operation: what the
/// receptionist typed (seed 001 `sorAttributes`) becomes a record of its
/// own (`DESK_LINK_SOR`, a new desk id) linked to `reference_id` through
/// seed 001's forced reconciliation. The shells send the two; the source
/// and the id are chosen here.
pub fn desk_link_request(reference_id: &str, attributes: &Value) -> Result<Value> {
    let Some(attrs) = attributes.as_object() else {
        return Err(crate::service::ServiceError::BadRequest(
            "sorAttributes: an object of what was typed".into(),
        ));
    };
    if reference_id.trim().is_empty() || reference_id == "new" {
        return Err(crate::service::ServiceError::BadRequest(
            "referenceId: the person to link to".into(),
        ));
    }
    let mut attrs = attrs.clone();
    attrs.insert(
        "sorId".into(),
        Value::String(crate::core::ids::base62_id("desk_")),
    );
    Ok(json!({
        "requestType": "referenceId", "version": "1.0", "sor": DESK_LINK_SOR,
        "sorAttributes": attrs, "referenceId": reference_id,
    }))
}

/// How an unresolved potential match is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 300 with candidates.
    Interactive,
    /// 202; the request waits in the reconciliation queue.
    Queue,
}

/// Who links a record, when, and on what evidence: what the person's link
/// history keeps of each change.
#[derive(Debug, Clone, Copy)]
pub struct Why<'a> {
    pub actor: &'a str,
    pub now: &'a str,
    /// The engine's confidence, when the engine decided.
    pub confidence: Option<f64>,
    pub model_version: Option<u32>,
    pub reason: Option<&'a str>,
}

/// Attach `(sor, sor_id)` to person `seq`, moving it from `previous` (the
/// person that has it now, if any) when that is another person. A change
/// of person is written to both persons' link history.
/// What is known of a SOR record and of the person it is attached to
/// before [`attach`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Before {
    /// The person the record was attached to, if any.
    pub previous: Option<i64>,
    /// Whether the person it is attached to holds other records, when the
    /// caller knows (its blocking index does; a person just made holds
    /// none).
    pub others: Option<bool>,
    /// Whether a reconciliation request for the record waits in the
    /// queue, when the caller knows (an import looked before deciding the
    /// row: [`Lookup::queued`]); `None`: [`attach`] looks.
    pub queued: Option<bool>,
}

pub(super) fn attach(
    conn: &Connection,
    seq: i64,
    before: Before,
    req: RecordAt<'_>,
    rec: &Keyed,
    kind: &str,
    why: Why,
) -> Result<()> {
    let now = why.now;
    let previous = before.previous;
    let attrs = rec.attributes_json();
    if previous != Some(seq) {
        let event = ss::LinkEvent {
            operation: if kind == "new" { "created" } else { "linked" },
            person: seq,
            sor: Some(req.sor),
            sor_id: Some(req.sor_id),
            other: previous,
            confidence: why.confidence,
            model_version: why.model_version,
            reason: why.reason,
        };
        ss::insert_link_event(conn, now, why.actor, &event)?;
        if let Some(old) = previous {
            let out = ss::LinkEvent {
                operation: "moved_out",
                person: old,
                other: Some(seq),
                ..event
            };
            ss::insert_link_event(conn, now, why.actor, &out)?;
        }
    }
    if let Some(old) = previous
        && old != seq
    {
        sm::remove_record(conn, old, req.sor, req.sor_id)?;
    }
    // A source's record is one person's at most: unless it was this
    // person's, it is new here.
    let held = match previous == Some(seq) {
        true => sm::Held::Maybe,
        false => sm::Held::New {
            others: before.others,
        },
    };
    sm::put_record_keyed(
        conn,
        seq,
        req.sor,
        req.sor_id,
        &rec.rec,
        rec.stored_record(),
        held,
    )?;
    // Attached to nobody before: not stored (a stored record is a person's).
    match previous {
        None => sm::insert_sor(conn, req.sor, req.sor_id, seq, kind, attrs, now)?,
        Some(_) => sm::upsert_sor(conn, req.sor, req.sor_id, seq, kind, attrs, now)?,
    }
    match before.queued {
        Some(false) => debug_assert!(sm::find_open_pending(conn, req.sor, req.sor_id)?.is_none()),
        _ => {
            if let Some(pid) = sm::find_open_pending(conn, req.sor, req.sor_id)? {
                sm::resolve_pending(conn, pid, kind, "system", now)?;
            }
        }
    }
    Ok(())
}

/// `queued`: [`Before::queued`].
fn create_person_for(
    conn: &Connection,
    previous: Option<i64>,
    queued: Option<bool>,
    req: RecordAt<'_>,
    rec: &Keyed,
    why: Why,
) -> Result<super::Made> {
    let (actor, now) = (why.actor, why.now);
    let forms = &rec.forms;
    let made =
        super::insert_new_person_as(conn, &forms.person, Some(&forms.person_json), actor, now)?;
    let before = Before {
        previous,
        others: Some(false),
        queued,
    };
    attach(conn, made.seq, before, req, rec, "new", why)?;
    Ok(made)
}

/// The active person holding a reference id a request names: an unknown
/// one is a bad request naming the field.
fn reference_seq(conn: &Connection, reference_id: &str) -> Result<i64> {
    crate::store::active_seq(conn, reference_id)?
        .ok_or_else(|| bad("referenceId", &format!("{reference_id} does not exist")))
}

/// A stored SOR record `(sor, sor_id)` as the request that would post it
/// again would be decided: what unlink and move re-attach.
pub(super) fn stored_keyed(row: &sm::SorRow, sor: &str, sor_id: &str) -> Keyed {
    let attributes: Map<String, Value> = serde_json::from_str(&row.attributes).unwrap_or_default();
    Keyed::of_map(sor, sor_id, &attributes)
}

/// A request's sorAttributes as the import reads them from a row: names
/// and texts in the row's order, without a JSON map (building one, and
/// freeing it, was a tenth of the import's reader). A name given again
/// keeps its place and takes the later text, as in a JSON map.
#[derive(Debug, Default)]
pub(crate) struct Texts<'a>(Vec<(&'static str, std::borrow::Cow<'a, str>)>);

impl<'a> Texts<'a> {
    pub fn insert(&mut self, name: &'static str, text: std::borrow::Cow<'a, str>) {
        match self.0.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 = text,
            None => self.0.push((name, text)),
        }
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| t.as_ref())
    }

    /// The attributes as JSON: what `serde_json` writes for the map of
    /// the same entries, in their order.
    pub fn to_json(&self) -> String {
        struct Entries<'e, 'a>(&'e [(&'static str, std::borrow::Cow<'a, str>)]);
        impl serde::Serialize for Entries<'_, '_> {
            fn serialize<S: serde::Serializer>(
                &self,
                s: S,
            ) -> std::result::Result<S::Ok, S::Error> {
                s.collect_map(self.0.iter().map(|(k, v)| (k, v.as_ref())))
            }
        }
        serde_json::to_string(&Entries(&self.0)).expect("texts serialise")
    }

    /// The comparable record of these attributes
    /// ([`MatchRecord::from_texts`]).
    pub fn record(&self) -> MatchRecord {
        MatchRecord::from_texts(|k| self.get(k), std::iter::empty())
    }
}

/// A request's attributes in every form deciding it reads: the
/// comparable record with its blocking keys, and what the store and the
/// index keep of it ([`Forms`]), all worked out once, when it is made.
#[derive(Debug, Clone)]
pub struct Keyed {
    pub rec: MatchRecord,
    pub keys: Vec<String>,
    /// The given and family names' sounds, for [`Keyed::view`].
    sounds: [String; 2],
    forms: Box<Forms>,
}

/// The forms a request is stored and indexed in, worked out before it is
/// decided: the import's reader works them out for each row, off the
/// writer's thread (the writer is the import's slower stage). A request
/// of the API or a stored record has them worked out from its JSON map,
/// an import's row from its texts ([`Texts`]): the same bytes either way
/// (`keyed_forms_of_texts_and_of_a_map_agree`).
#[derive(Debug, Clone)]
struct Forms {
    /// sorAttributes as JSON.
    attributes: String,
    /// The person a new person is made of, and its stored JSON.
    person: PersonData,
    person_json: String,
    record: sm::StoredRecord,
    /// The record packed for the blocking index, for no person yet.
    addition: Addition,
}

impl Keyed {
    /// The attributes of an import's row, by name ([`Texts`]).
    pub(crate) fn of_texts(sor: &str, sor_id: &str, attributes: &Texts<'_>) -> Keyed {
        let person = person_from_texts(|k| attributes.get(k));
        Keyed::with(
            attributes.record(),
            sor,
            sor_id,
            attributes.to_json(),
            person,
        )
    }

    /// The attributes of a request of the API, or of a stored record.
    pub fn of_map(sor: &str, sor_id: &str, attributes: &Map<String, Value>) -> Keyed {
        let rec = MatchRecord::from_attributes(&Value::Object(attributes.clone()));
        let json = serde_json::to_string(attributes).expect("a JSON map serialises");
        Keyed::with(rec, sor, sor_id, json, person_from_attributes(attributes))
    }

    fn with(
        rec: MatchRecord,
        sor: &str,
        sor_id: &str,
        attributes: String,
        person: PersonData,
    ) -> Keyed {
        let keys = rec.blocking_keys();
        let sounds = rec.sounds();
        let record = sm::StoredRecord::of(&rec, &keys);
        let addition =
            Addition::with_sounds(0, sor, sor_id, &rec, &keys, rec.sounding(&sounds).sounds);
        Keyed {
            forms: Box::new(Forms {
                attributes,
                person_json: crate::store::data_json(&person),
                person,
                record,
                addition,
            }),
            rec,
            keys,
            sounds,
        }
    }

    /// The request's sorAttributes as stored.
    fn attributes_json(&self) -> &str {
        &self.forms.attributes
    }

    /// The record as its `match_rows` row keeps it.
    fn stored_record(&self) -> &sm::StoredRecord {
        &self.forms.record
    }

    /// The hashes of [`Keyed::keys`] ([`matching::key_hash`]), in order.
    pub(crate) fn key_hashes(&self) -> &[i64] {
        self.forms.addition.hashes()
    }

    /// The record as the blocking index holds it for person `seq`.
    pub(crate) fn addition(&self, seq: i64) -> Addition {
        self.forms.addition.for_person(seq)
    }

    /// The record's fields with its names' sounds: what the scorer
    /// compares with each candidate.
    pub fn view(&self) -> matching::RecordView<'_> {
        self.rec.sounding(&self.sounds)
    }
}

/// How a record is decided: the model, what is done with an uncertain
/// match, by whom and when.
#[derive(Debug, Clone, Copy)]
pub struct Decide<'a> {
    pub params: &'a Params,
    pub mode: Mode,
    pub actor: &'a str,
    pub now: &'a str,
}

/// The whole of `POST /people`, inside the caller's transaction.
pub fn reference_in(
    conn: &Connection,
    index: &mut BlockIndex,
    req: &ReferenceRequest,
    d: Decide<'_>,
) -> Result<Decided> {
    let rec = Keyed::of_map(&req.sor, &req.sor_id, &req.attributes);
    let known = sm::find_sor(conn, &req.sor, &req.sor_id)?;
    reference_in_prepared(conn, index, req.at(), &rec, known, d)?.decided(conn)
}

/// What [`reference_in_prepared`] did, the linked person's public ids
/// not read yet (the bulk import only counts its outcomes).
pub(crate) enum Step {
    /// Attached to the existing person `seq`.
    Linked(i64),
    /// Attached to a person made for it.
    Created(super::Made),
    /// Left open: candidates to choose from, or queued.
    Open(ReferenceOutcome),
}

impl Step {
    /// The request's outcome, with the public ids of a linked person.
    pub(crate) fn decided(self, conn: &Connection) -> Result<Decided> {
        Ok(match self {
            Step::Linked(seq) => {
                let (rid, id) = crate::store::reference_and_person_id(conn, seq)?;
                Decided::attached(ReferenceOutcome::Existing(rid), id)
            }
            Step::Created(made) => {
                Decided::attached(ReferenceOutcome::Created(made.reference_id), made.id)
            }
            Step::Open(outcome) => Decided::open(outcome),
        })
    }
}

/// [`reference_in`] for a caller that has already built the comparable
/// record of `req` and looked up its SOR record (`known`): the bulk import
/// does both off the database thread.
///
/// `index` is the blocking index in memory, in step with the store:
/// candidates are read from it, and what this writes is mirrored into it.
pub(crate) fn reference_in_prepared<L: Lookup>(
    conn: &Connection,
    index: &mut L,
    req: RecordAt<'_>,
    rec: &Keyed,
    known: Option<sm::SorRow>,
    d: Decide<'_>,
) -> Result<Step> {
    let Decide {
        params,
        mode,
        actor,
        now,
    } = d;
    let previous = known.as_ref().map(|k| k.person_seq);
    let why = Why {
        actor,
        now,
        confidence: None,
        model_version: Some(params.version),
        reason: None,
    };
    // The record to the existing person `seq`, mirrored into the index.
    let link = |index: &mut L, seq: i64, kind: &str, why: Why| -> Result<Step> {
        attach(conn, seq, index.before(seq, previous), req, rec, kind, why)?;
        index.mirror(seq, previous, req, rec)?;
        Ok(Step::Linked(seq))
    };
    // Forced reconciliation.
    match req.reference_id {
        Some("new") => {
            let why = Why {
                reason: Some("the sending system asked for a new person"),
                ..why
            };
            let made = create_person_for(conn, previous, index.queued(), req, rec, why)?;
            index.mirror(made.seq, previous, req, rec)?;
            return Ok(Step::Created(made));
        }
        Some(r) => {
            let seq = reference_seq(conn, r)?;
            let why = Why {
                reason: Some("the sending system named this person"),
                ..why
            };
            return link(index, seq, "linked", why);
        }
        None => {}
    }
    // The same SOR record again: the same person, whatever changed.
    if let Some(row) = known {
        return link(index, row.person_seq, &row.link_kind, why);
    }
    let mut cands = index.find(conn, rec, params, params.review)?;
    let sure: Vec<&Candidate> = cands.iter().filter(|c| c.sure()).collect();
    if sure.len() == 1 {
        let seq = sure[0].at.0;
        let why = Why {
            confidence: Some(sure[0].confidence),
            ..why
        };
        return link(index, seq, "linked", why);
    }
    if cands.is_empty() {
        let made = create_person_for(conn, previous, index.queued(), req, rec, why)?;
        index.mirror(made.seq, previous, req, rec)?;
        return Ok(Step::Created(made));
    }
    // Someone will see them now: with what each source sent.
    fill_attributes(conn, &rec.rec, &mut cands)?;
    match mode {
        Mode::Interactive => Ok(Step::Open(ReferenceOutcome::Candidates(cands))),
        Mode::Queue => {
            // As the record would be stored.
            let attrs = rec.attributes_json();
            let cj = Candidate::list_json(&cands);
            Ok(Step::Open(ReferenceOutcome::Queued(sm::insert_pending(
                conn, req.sor, req.sor_id, attrs, &cj, now,
            )?)))
        }
    }
}

/// Where a reference request's candidates come from, and where what
/// [`attach`] wrote is mirrored: the registry's blocking index, or the
/// import's layers over it ([`super::pipeline`]).
pub(crate) trait Lookup {
    /// The scored candidates of `rec` at least `min_confidence`, best
    /// first, their attributes left to [`fill_attributes`].
    fn find(
        &mut self,
        conn: &Connection,
        rec: &Keyed,
        params: &Params,
        min_confidence: f64,
    ) -> Result<Vec<Candidate>>;

    /// `(req.sor, req.sor_id)` is now `rec`, a record of person `seq`,
    /// moved from person `previous` if that differs.
    fn mirror(
        &mut self,
        seq: i64,
        previous: Option<i64>,
        req: RecordAt<'_>,
        rec: &Keyed,
    ) -> Result<()>;

    /// Whether person `seq` holds records, as the index says; `None` when
    /// it cannot say.
    fn holds_records(&self, seq: i64) -> Option<bool>;

    /// [`Before::queued`], as far as this lookup knows: `Some(false)` when
    /// its caller made sure, before deciding a record, that no
    /// reconciliation request for it waits (the import does, for every
    /// row: [`super::import`]); then [`attach`] need not look again.
    fn queued(&self) -> Option<bool> {
        None
    }

    /// What [`attach`] is told before a record moves from `previous` to
    /// person `seq`.
    fn before(&self, seq: i64, previous: Option<i64>) -> Before {
        Before {
            previous,
            others: self.holds_records(seq),
            queued: self.queued(),
        }
    }
}

impl Lookup for BlockIndex {
    fn find(
        &mut self,
        conn: &Connection,
        rec: &Keyed,
        params: &Params,
        min_confidence: f64,
    ) -> Result<Vec<Candidate>> {
        find_candidates_in(conn, self, &rec.rec, &rec.keys, params, min_confidence)
    }

    fn mirror(
        &mut self,
        seq: i64,
        previous: Option<i64>,
        req: RecordAt<'_>,
        rec: &Keyed,
    ) -> Result<()> {
        if let Some(old) = previous
            && old != seq
        {
            self.remove(old, req.sor, req.sor_id);
        }
        self.put(seq, req.sor, req.sor_id, &rec.rec, &rec.keys);
        Ok(())
    }

    fn holds_records(&self, seq: i64) -> Option<bool> {
        (!self.is_behind()).then(|| self.record_count(seq) > 0)
    }
}

impl Registry {
    /// The matcher's parameters: the trained model if any, else defaults;
    /// thresholds from settings.
    pub fn match_params(&self) -> Params {
        let mut p: Params = self
            .store
            .get_setting("match_model")
            .ok()
            .flatten()
            .and_then(|j| serde_json::from_str::<Params>(&j).ok())
            .filter(Params::fits)
            .unwrap_or_default();
        if let Some(v) = self.setting_f64("auto_link") {
            p.auto_link = v;
        }
        if let Some(v) = self.setting_f64("review") {
            p.review = v;
        }
        p
    }

    fn setting_f64(&self, key: &str) -> Option<f64> {
        self.store
            .get_setting(key)
            .ok()
            .flatten()
            .and_then(|v| v.parse().ok())
    }

    pub fn reconciliation_mode(&self) -> Mode {
        match self
            .store
            .get_setting("reconciliation_mode")
            .ok()
            .flatten()
            .as_deref()
        {
            Some("queue") => Mode::Queue,
            _ => Mode::Interactive,
        }
    }

    /// `POST /people`.
    pub fn reference_request(&mut self, actor: &Actor, body: &Value) -> Result<ReferenceOutcome> {
        let req = parse_reference_request(body)?;
        let params = self.match_params();
        let mode = self.reconciliation_mode();
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        let mut index = self.index.fresh(&tx)?;
        let d = Decide {
            params: &params,
            mode,
            actor: &actor.name,
            now: &now,
        };
        let decided = reference_in(&tx, &mut index, &req, d)?;
        audit_outcome(&tx, &now, actor, "people.reference_id", &req, &decided)?;
        tx.commit()?;
        Ok(decided.outcome)
    }

    /// Load the blocking index now (or bring it up to date) instead of at
    /// the first lookup: a process that serves lookups (the hub, the
    /// desk's worker while nobody asks) pays the load before anyone waits
    /// for it. Returns the persons it holds.
    pub fn warm_index(&self) -> Result<usize> {
        Ok(self.index.fresh(&self.store.conn)?.persons())
    }

    /// Candidates for a record being typed (the live duplicate check).
    pub fn candidates_for(&self, attributes: &Value, limit: usize) -> Result<Vec<Candidate>> {
        let rec = MatchRecord::from_attributes(attributes);
        let params = self.match_params();
        let index = self.index.fresh(&self.store.conn)?;
        desk_candidates(&self.store.conn, &index, &rec, &params, limit)
    }

    /// Candidates for a person request body being typed in the form.
    pub fn candidates_for_person(&self, data: &PersonData, limit: usize) -> Result<Vec<Candidate>> {
        let rec = MatchRecord::from_person(data);
        let params = self.match_params();
        let index = self.index.fresh(&self.store.conn)?;
        desk_candidates(&self.store.conn, &index, &rec, &params, limit)
    }

    /// `GET /people/pending`.
    pub fn pending(&self, limit: i64) -> Result<Vec<PendingView>> {
        Ok(sm::list_pending(&self.store.conn, limit)?
            .into_iter()
            .map(|row| PendingView {
                id: row.id,
                sor: row.sor,
                sor_id: row.sor_id,
                attributes: row.attributes,
                candidates: serde_json::from_value(row.candidates).unwrap_or_default(),
                created_at: row.created_at,
            })
            .collect())
    }

    /// `POST /people/pending/{id}`: resolve a waiting record as `choice`
    /// (a reference id or "new"). With "new", `not_same` names candidates the reviewer says are other
    /// people: each pair is recorded (`POST /people/not-duplicates`'s
    /// decision) in the same transaction, with `reason`.
    pub fn resolve_pending(
        &mut self,
        actor: &Actor,
        id: i64,
        choice: &str,
        not_same: &[String],
        reason: &str,
    ) -> Result<ReferenceOutcome> {
        if choice != "new" && !ids::is_reference_id(choice) {
            return Err(bad(
                "referenceId",
                "must be \"new\" or a reference id (M + 9 digits)",
            ));
        }
        if !not_same.is_empty() && choice != "new" {
            return Err(bad(
                "notSameAs",
                "goes with referenceId \"new\": a record linked to a person is that person",
            ));
        }
        if !not_same.is_empty() && reason.trim().is_empty() {
            return Err(bad("reason", "is required with notSameAs: say why"));
        }
        let now = self.now_str();
        let params = self.match_params();
        let tx = self.store.conn.transaction()?;
        let (row, resolved) = sm::get_pending(&tx, id)?.ok_or_else(|| ServiceError::NotFound {
            entity: "Pending request",
            id: id.to_string(),
        })?;
        if resolved {
            return Err(ServiceError::Conflict(format!(
                "pending request {id} is already resolved"
            )));
        }
        if row.sor == LOCAL_SOR {
            // A desk registration that looked like a duplicate: it exists
            // already. "new" confirms it is a different person; joining two
            // registered persons is a merge, which this queue does not do.
            if choice != "new" {
                return Err(ServiceError::Conflict(format!(
                    "{} is a registered person: confirm it as new, or merge it with {choice} as a stewardship change",
                    row.sor_id
                )));
            }
            let rid = crate::store::reference_id_by_person_id(&tx, &row.sor_id)?;
            sm::resolve_pending(&tx, id, choice, &actor.name, &now)?;
            super::accounts::audit(
                &tx,
                &now,
                actor,
                "people.pending.resolve",
                Some(&row.sor_id),
                json!({"pending": id, "outcome": "new", "reference_id": rid}),
            )?;
            not_same_as(&tx, &now, actor, &rid, not_same, reason)?;
            tx.commit()?;
            return Ok(ReferenceOutcome::Existing(rid));
        }
        let by = Settler {
            actor,
            now: &now,
            op: "people.pending.resolve",
        };
        let mut index = self.index.fresh(&tx)?;
        let out = settle_pending(&tx, &mut index, &row.into_waiting(), choice, &params, &by)?;
        if let ReferenceOutcome::Created(rid) = &out {
            not_same_as(&tx, &now, actor, rid, not_same, reason)?;
        }
        tx.commit()?;
        Ok(out)
    }
}

/// Record that the person `rid` just confirmed as new is not any of
/// `others`.
fn not_same_as(
    conn: &Connection,
    now: &str,
    actor: &Actor,
    rid: &str,
    others: &[String],
    reason: &str,
) -> Result<()> {
    let me = super::steward::active_person(conn, rid)?;
    for o in others {
        let other = super::steward::active_person(conn, o)?;
        if other != me {
            super::steward::record_not_duplicates(
                conn,
                now,
                &actor.name,
                (me, other),
                reason.trim(),
            )?;
        }
    }
    Ok(())
}

/// Who settles a waiting record, when, and the audit operation it is.
struct Settler<'a> {
    actor: &'a Actor,
    now: &'a str,
    op: &'static str,
}

/// Settle a waiting record as `choice` (a reference id or "new"), inside
/// the caller's transaction: link or create, close the queue item in the
/// actor's name, audit it as `op`.
fn settle_pending(
    conn: &Connection,
    index: &mut BlockIndex,
    row: &sm::Waiting,
    choice: &str,
    params: &Params,
    by: &Settler,
) -> Result<ReferenceOutcome> {
    let Settler { actor, now, op } = *by;
    let req = ReferenceRequest {
        sor: row.sor.clone(),
        sor_id: row.sor_id.clone(),
        attributes: row.attributes.as_object().cloned().unwrap_or_default(),
        reference_id: Some(choice.to_string()),
    };
    let d = Decide {
        params,
        mode: Mode::Interactive,
        actor: &actor.name,
        now,
    };
    let decided = reference_in(conn, index, &req, d)?;
    sm::resolve_pending(conn, row.id, choice, &actor.name, now)?;
    audit_outcome(conn, now, actor, op, &req, &decided)?;
    Ok(decided.outcome)
}

impl Registry {
    /// Score every record waiting in the reconciliation queue again with the
    /// current model and thresholds; link those that now have exactly one
    /// sure candidate, each with an audit row naming the old and the new
    /// decision. Links already made are never touched. Returns how many
    /// were linked.
    pub fn rescore_pending(&mut self, actor: &Actor) -> Result<usize> {
        self.rescore_pending_in(actor, None)
    }

    /// [`Registry::rescore_pending`] with the import's blocking index in
    /// memory (`None`: the registry's own): read for candidates, and kept
    /// in step with the links made.
    fn rescore_pending_in(&mut self, actor: &Actor, held: Option<Held<'_>>) -> Result<usize> {
        let params = self.match_params();
        let now = self.now_str();
        let mut own;
        let (index, seen): (&mut BlockIndex, Option<&mut i64>) = match held {
            Some(Held { index, seen }) => (index, Some(seen)),
            None => {
                own = self.index.fresh(&self.store.conn)?;
                (&mut own, None)
            }
        };
        // The clock as the index follows it, while only this pass writes.
        let mut clock = seen.as_deref().copied();
        let mut linked = 0;
        // A page of the queue at a time (a link settles a row before the
        // next page is read, and pages go by id, so none is read twice).
        let mut after = 0;
        loop {
            let rows = sm::waiting_after(&self.store.conn, after, RESCORE_PAGE)?;
            let Some(last) = rows.last() else {
                if let (Some(seen), Some(now)) = (seen, clock) {
                    *seen = now;
                }
                return Ok(linked);
            };
            after = last.id;
            let conn = &mut self.store.conn;
            linked += rescore_page(conn, actor, index, &mut clock, rows, &params, &now)?;
        }
    }
}

/// An import's blocking index and the match clock it is up to date with
/// ([`super::blocking::up_to_date`]), lent to the queue's re-scoring
/// between two batches: its links are mirrored into the index, and the
/// clock moves past them only when nobody else wrote meanwhile. Then the
/// next batch finds the index up to date, keeps the scorer's comparisons
/// (unless records were linked) and still knows which of the file's
/// records are new; else it reads the changes and looks every row up.
pub(crate) struct Held<'a> {
    pub index: &'a mut BlockIndex,
    pub seen: &'a mut i64,
}

/// [`Registry::rescore_pending_in`]'s work on one page of the queue:
/// how many it linked.
/// `clock`: the match clock the index follows, `None` once another
/// connection was seen to write.
fn rescore_page(
    conn: &mut Connection,
    actor: &Actor,
    index: &mut BlockIndex,
    clock: &mut Option<i64>,
    rows: Vec<sm::Waiting>,
    params: &Params,
    now: &str,
) -> Result<usize> {
    let rows: Vec<sm::Waiting> = rows.into_iter().filter(|r| r.sor != LOCAL_SOR).collect();
    let recs: Vec<MatchRecord> = rows
        .iter()
        .map(|r| MatchRecord::from_attributes(&r.attributes))
        .collect();
    // The page is compared on both cores first: until a row links,
    // nothing changes the index or the store, so these are the
    // comparisons each row would get in its turn (the import re-scores
    // its queue between batches, while the other core has nothing to do).
    // After a link, the rest of the page is compared again as it comes.
    let mut ahead = compare_page(index, &recs).into_iter();
    let want = Want {
        min_confidence: matching::link_floor(params),
        limit: CANDIDATE_LIMIT,
        attributes: Attributes::Later,
    };
    let mut linked = 0;
    for (row, rec) in rows.into_iter().zip(&recs) {
        // Scored outside a transaction: the write lock is taken only
        // for a record that is linked.
        let compared = ahead.next().unwrap_or_else(|| compare_found(index, rec));
        let cands = weigh_indexed(conn, index, rec, compared, params, want)?;
        let [sure] = cands.iter().filter(|c| c.sure()).collect::<Vec<_>>()[..] else {
            continue;
        };
        let choice = sure.ids(conn)?.0;
        let tx = conn.transaction()?;
        let by = Settler {
            actor,
            now,
            op: "people.pending.rescored",
        };
        let before = sm::clock(&tx)?;
        settle_pending(&tx, index, &row, &choice, params, &by)?;
        *clock = match *clock {
            Some(c) if c == before => Some(sm::clock(&tx)?),
            _ => None,
        };
        tx.commit()?;
        linked += 1;
        // What was compared ahead predates this link.
        ahead = Vec::new().into_iter();
    }
    Ok(linked)
}

/// [`compare_indexed`] of `rec` with its candidates in `index` (as
/// [`find_candidates_in`] finds them).
fn compare_found(index: &BlockIndex, rec: &MatchRecord) -> Compared {
    compare_indexed(index, rec, index.candidates(&rec.blocking_keys()))
}

/// [`compare_found`] of each of `recs`, in order: the first half on this
/// thread, the second beside it.
fn compare_page(index: &BlockIndex, recs: &[MatchRecord]) -> Vec<Compared> {
    let compare = |recs: &[MatchRecord]| -> Vec<Compared> {
        recs.iter().map(|rec| compare_found(index, rec)).collect()
    };
    let (first, second) = recs.split_at(recs.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| compare(second));
        let mut all = compare(first);
        // A panic on the other thread is this one's.
        all.extend(
            other
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e)),
        );
        all
    })
}

impl Registry {
    /// Undo a link (`POST /people/{referenceId}/unlink`): the SOR record
    /// `(sor, sor_id)` leaves person `reference_id` and becomes a person of
    /// its own, with a new reference id, which is returned. One
    /// transaction, audited with the reason. Later `POST /people` with the
    /// same SOR record stays with the new person (seed 001: a known SOR
    /// record keeps its person), so the engine never silently re-links it.
    pub fn unlink(
        &mut self,
        actor: &Actor,
        reference_id: &str,
        sor: &str,
        sor_id: &str,
        reason: &str,
    ) -> Result<String> {
        if reason.trim().is_empty() {
            return Err(bad("reason", "is required: say why the link is wrong"));
        }
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        let seq =
            crate::store::active_seq(&tx, reference_id)?.ok_or_else(|| ServiceError::NotFound {
                entity: "person",
                id: reference_id.to_string(),
            })?;
        let row = sm::find_sor(&tx, sor, sor_id)?.ok_or_else(|| ServiceError::NotFound {
            entity: "SOR record",
            id: format!("{sor}/{sor_id}"),
        })?;
        if row.person_seq != seq {
            return Err(ServiceError::Conflict(format!(
                "SOR record {sor}/{sor_id} is not linked to {reference_id}"
            )));
        }
        if sor == LOCAL_SOR {
            return Err(ServiceError::Conflict(format!(
                "{sor}/{sor_id} is the person registered at this desk, not a linked record"
            )));
        }
        if sm::load_records(&tx, seq)?.len() < 2 {
            return Err(ServiceError::Conflict(format!(
                "SOR record {sor}/{sor_id} is the only record of {reference_id}: there is nothing to unlink it from"
            )));
        }
        let rec = stored_keyed(&row, sor, sor_id);
        let at = RecordAt::of(sor, sor_id);
        let why = Why {
            actor: &actor.name,
            now: &now,
            confidence: None,
            model_version: None,
            reason: Some(reason.trim()),
        };
        let new_ref = create_person_for(&tx, Some(seq), None, at, &rec, why)?.reference_id;
        crate::store::accounts::audit(
            &tx,
            &now,
            &actor.name,
            "people.unlinked",
            None,
            "",
            &json!({"from": reference_id, "to": new_ref, "sor": sor, "sorId": sor_id,
                    "reason": reason.trim()}),
        )?;
        tx.commit()?;
        Ok(new_ref)
    }
}

/// What `train` learnt.
#[derive(Debug, Clone, Serialize)]
pub struct TrainReport {
    pub persons: i64,
    /// Persons whose records were read (all, up to [`TRAIN_SAMPLE`]).
    pub sampled_persons: usize,
    pub random_pairs: usize,
    /// Pairs per EM session (same birth date; same name sounds).
    pub session_pairs: Vec<usize>,
    /// Share of matches among each session's pairs, as EM estimated it.
    pub session_match_share: Vec<f64>,
    pub params: Params,
    pub saved: bool,
    /// Waiting records the new model links for sure (see `rescore_pending`).
    pub relinked: usize,
}

/// Persons read to learn from at most: enough for every level that matters,
/// and a bounded cost at a million persons.
pub const TRAIN_SAMPLE: i64 = 10_000;
/// Queue items re-scored per read of the queue
/// ([`Registry::rescore_pending`]).
pub const RESCORE_PAGE: usize = 256;
/// A registry learns its own model from this many persons on.
pub const AUTO_TRAIN_MIN: i64 = 1_000;
/// ... and again when it has grown by this factor since the last model.
pub const AUTO_TRAIN_GROWTH: f64 = 2.0;
/// Pairs per EM session at most, and records per block.
const SESSION_PAIRS: usize = 100_000;
const BLOCK_CAP: usize = 20;

/// Pairs of records that share `key` (records without one are left out),
/// at most `BLOCK_CAP` records a block, `SESSION_PAIRS` pairs in all.
fn blocked_pairs(
    records: &[MatchRecord],
    key: impl Fn(&MatchRecord) -> Option<String>,
) -> Vec<Vec<Option<usize>>> {
    let mut blocks: std::collections::HashMap<String, Vec<usize>> = Default::default();
    for (i, r) in records.iter().enumerate() {
        if let Some(k) = key(r) {
            let b = blocks.entry(k).or_default();
            if b.len() < BLOCK_CAP {
                b.push(i);
            }
        }
    }
    let mut keys: Vec<&String> = blocks.keys().collect();
    keys.sort();
    let mut out = Vec::new();
    for k in keys {
        let b = &blocks[k];
        for (x, i) in b.iter().enumerate() {
            for j in &b[x + 1..] {
                out.push(matching::compare(&records[*i], &records[*j]));
                if out.len() >= SESSION_PAIRS {
                    return out;
                }
            }
        }
    }
    out
}

/// Set u of each field's exact level from the value frequencies of one
/// record per person, and give the last ("different") level the rest.
fn u_from_values(p: &mut Params, firsts: &[MatchRecord]) {
    use matching::*;
    for f in 0..FIELDS.len() {
        if f == IDS {
            continue;
        }
        let mut counts: std::collections::HashMap<String, u64> = Default::default();
        for r in firsts {
            let v = field_values(r, f);
            if !v.is_empty() {
                *counts.entry(v).or_default() += 1;
            }
        }
        if let Some(u) = learn::u_from_counts(counts.into_values()) {
            p.u[f][0] = u.max(1e-7);
            let last = p.u[f].len() - 1;
            let others: f64 = p.u[f][..last].iter().sum();
            p.u[f][last] = (1.0 - others).max(0.01);
        }
    }
}

/// Why two records score as they do against this registry's model and
/// term frequencies (what `registrar eval --errors` prints per pair).
pub struct PairReport {
    pub explanation: matching::Explanation,
    pub hold: Option<matching::Hold>,
    /// The confidence at which this pair's compared fields would link.
    pub link_at: f64,
}

impl Registry {
    /// The comparable record stored for source record `(sor, sor_id)`.
    pub fn sor_match_record(&self, sor: &str, sor_id: &str) -> Result<Option<MatchRecord>> {
        Ok(
            sm::find_sor(&self.store.conn, sor, sor_id)?.and_then(|row| {
                let v: Value = serde_json::from_str(&row.attributes).ok()?;
                Some(MatchRecord::from_attributes(&v))
            }),
        )
    }

    /// The comparable record of `(sor, sor_id)` while it waits for a
    /// reviewer.
    pub fn pending_match_record(&self, sor: &str, sor_id: &str) -> Result<Option<MatchRecord>> {
        let conn = &self.store.conn;
        let Some(id) = sm::find_open_pending(conn, sor, sor_id)? else {
            return Ok(None);
        };
        Ok(sm::get_pending(conn, id)?.map(|(p, _)| MatchRecord::from_attributes(&p.attributes)))
    }

    /// Score `a` against `b` as a new record would be now.
    pub fn explain_pair(&self, a: &MatchRecord, b: &MatchRecord) -> Result<PairReport> {
        let params = self.match_params();
        let tf = SqlTf::new(&self.store.conn)?;
        let levels = matching::compare(a, b);
        let weighed = matching::weigh_pair(a, &levels, &params, &tf);
        let hold = matching::hold_reason(&weighed, &levels, a, b, params.auto_link);
        let link_at = matching::link_threshold(&params, &levels, weighed.prior);
        let explanation = matching::word(a, b, &levels, &weighed);
        Ok(PairReport {
            explanation,
            hold,
            link_at,
        })
    }

    /// Persons with comparable records (kept beside the term frequencies).
    pub fn match_population(&self) -> Result<i64> {
        use matching::TermFrequency;
        Ok(SqlTf::new(&self.store.conn)?.population().unwrap_or(0.0) as i64)
    }

    /// The matching model in words (`GET /matcher/model`): what Settings
    /// shows. The prior is the one a new record meets now.
    pub fn model_view(&self) -> matching::ModelView {
        let p = self.match_params();
        let prior = SqlTf::new(&self.store.conn)
            .map(|tf| matching::prior_weight_in(&p, &tf))
            .unwrap_or_else(|_| matching::prior_weight(&p));
        matching::model_view(&p, prior)
    }

    /// Is it time to learn the model again: the registry has reached
    /// [`AUTO_TRAIN_MIN`] persons with no learnt model, or grown by
    /// [`AUTO_TRAIN_GROWTH`] since the last one?
    pub fn model_due(&self) -> Result<bool> {
        let persons = self.match_population()?;
        let p = self.match_params();
        Ok(persons >= AUTO_TRAIN_MIN
            && (p.version == 0 || persons as f64 >= p.trained_persons as f64 * AUTO_TRAIN_GROWTH))
    }

    /// Learn and save a new model if one is due ([`Registry::model_due`]):
    /// what imports, the GUI's worker and the hub call as the registry
    /// grows. `None` when none was due.
    pub fn train_if_due(&mut self) -> Result<Option<TrainReport>> {
        self.train_if_due_in(None)
    }

    /// [`Registry::train_if_due`] during an import, with its blocking index
    /// in memory (see [`Registry::rescore_pending_in`]).
    pub(crate) fn train_if_due_in(
        &mut self,
        index: Option<Held<'_>>,
    ) -> Result<Option<TrainReport>> {
        if !self.model_due()? {
            return Ok(None);
        }
        self.train_in(AUTO_TRAIN_MIN, true, index).map(Some)
    }

    /// Learn the matcher's parameters from this registry ([`learn`]): u from
    /// value frequencies and random pairs of persons, m by EM over pairs of
    /// records that share a birth date, and over pairs whose names sound
    /// alike. The random choices are seeded by the registry's size, so the
    /// same registry learns the same model. Registries smaller than
    /// `min_persons` keep what they have. Saving stores the model with the
    /// next version number, audits it, and re-scores the queue.
    ///
    /// [`learn`]: matching::learn
    pub fn train(&mut self, min_persons: i64, save: bool) -> Result<TrainReport> {
        self.train_in(min_persons, save, None)
    }

    fn train_in(
        &mut self,
        min_persons: i64,
        save: bool,
        index: Option<Held<'_>>,
    ) -> Result<TrainReport> {
        use rand::{Rng, SeedableRng};
        let persons = self.match_population()?;
        let current = self.match_params();
        let mut report = TrainReport {
            persons,
            sampled_persons: 0,
            random_pairs: 0,
            session_pairs: Vec::new(),
            session_match_share: Vec::new(),
            params: current.clone(),
            saved: false,
            relinked: 0,
        };
        if persons < min_persons.max(1) {
            return Ok(report);
        }
        // One person in `step` (by a hash of its seq), so that a million
        // persons are sampled without reading them all.
        let step = (persons / TRAIN_SAMPLE).max(1);
        let mut people: Vec<Vec<MatchRecord>> = Vec::new();
        sm::each_sampled_records(&self.store.conn, step, |recs| people.push(recs))?;
        report.sampled_persons = people.len();
        if people.len() < 2 {
            return Ok(report);
        }
        let mut p = Params {
            version: current.version + 1,
            trained_persons: persons as u64,
            ..current.clone()
        };
        let firsts: Vec<MatchRecord> = people.iter().map(|r| r[0].clone()).collect();
        let mut rng = rand::rngs::StdRng::seed_from_u64(persons as u64);
        let mut random_pairs = Vec::new();
        for _ in 0..50_000 {
            let (a, b) = (
                rng.random_range(0..firsts.len()),
                rng.random_range(0..firsts.len()),
            );
            if a != b {
                random_pairs.push(matching::compare(&firsts[a], &firsts[b]));
            }
        }
        report.random_pairs = random_pairs.len();
        matching::learn::u_from_random_pairs(&mut p, &random_pairs);
        u_from_values(&mut p, &firsts);
        let records: Vec<MatchRecord> = people.into_iter().flatten().collect();
        let by_dob = blocked_pairs(&records, |r| (!r.dob.is_empty()).then(|| r.dob.clone()));
        let by_names = blocked_pairs(&records, |r| {
            (!r.family.is_empty() && !r.given.is_empty()).then(|| {
                format!(
                    "{}:{}",
                    matching::phonetic(&r.family),
                    matching::phonetic(&r.given)
                )
            })
        });
        let mut sessions = Vec::new();
        for (pairs, left_out) in [
            (&by_dob, &[matching::DOB][..]),
            (&by_names, &[matching::GIVEN, matching::FAMILY][..]),
        ] {
            report.session_pairs.push(pairs.len());
            match matching::learn::em_session(&p, pairs, left_out, 20) {
                Some(s) => {
                    report.session_match_share.push(s.share);
                    sessions.push(s);
                }
                None => report.session_match_share.push(f64::NAN),
            }
        }
        matching::learn::combine_m(&mut p, &sessions);
        report.params = p.clone();
        if save {
            let now = self.now_str();
            let model = serde_json::to_string(&p).expect("params serialise");
            let tx = self.store.conn.transaction()?;
            crate::store::set_setting_in(&tx, "match_model", &model)?;
            crate::store::accounts::audit(
                &tx,
                &now,
                &Actor::system().name,
                "matcher.trained",
                None,
                "",
                &json!({
                    "version": p.version,
                    "persons": persons,
                    "sampled_persons": report.sampled_persons,
                    "session_pairs": report.session_pairs,
                }),
            )?;
            tx.commit()?;
            report.saved = true;
            // The queue follows the model.
            report.relinked = self.rescore_pending_in(&Actor::system(), index)?;
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two records of each of `n` persons that wait in the queue (the
    /// family name mistyped, another birth month), and a threshold low
    /// enough for re-scoring to link them.
    fn queue_pairs(reg: &mut Registry, n: usize) {
        reg.configure("reconciliation_mode", Some("queue")).unwrap();
        let system = Actor::system();
        let mut queued = 0;
        for i in 0..n {
            let (g, f) = (
                ["Olena", "Iryna", "Taras"][i % 3],
                ["Moroz", "Koval", "Boyko"][i / 3],
            );
            let day = i % 28 + 1;
            let body = |sor: &str, sn: String, month: u32| {
                json!({"requestType": "referenceId", "version": "1.0", "sor": sor, "sorAttributes": {"sorId": format!("{sor}{i}"), "givenName": g,
                    "sn": sn, "dateOfBirth": format!("19{:02}-{month:02}-{day:02}", 50 + i), "gender": "F"}})
            };
            reg.reference_request(&system, &body("HRMS", f.into(), 3))
                .unwrap();
            let second = reg.reference_request(&system, &body("SIS", format!("{f}e"), 11));
            queued += usize::from(matches!(second, Ok(ReferenceOutcome::Queued(_))));
        }
        assert_eq!(queued, n, "every second record waits");
        reg.configure("auto_link", Some("90")).unwrap();
    }

    /// The queue's candidates written straight to text are the text of
    /// their JSON values: a mother held against a record with her
    /// daughter's name at her phone and address (the daughter herself
    /// waits in the queue), and one the engine may link.
    #[test]
    fn a_list_of_candidates_is_written_as_its_json_values() {
        let mut reg = Registry::in_memory();
        let system = Actor::system();
        let person = |id: &str, g: &str, sn: &str, dob: &str| {
            json!({"requestType": "referenceId", "version": "1.0", "sor": "HRMS", "sorAttributes": {"sorId": id,
                "givenName": g, "sn": sn, "dateOfBirth": dob, "gender": "F", "mobile": "+380501112233",
                "street": "Khreshchatyk 1", "city": "Kyiv", "postalCode": "01001"}})
        };
        reg.reference_request(&system, &person("m", "Olena", "Moroz", "1960-03-04"))
            .unwrap();
        let typed = |g: &str| {
            json!({"givenName": g, "sn": "Moroz", "dateOfBirth": "1960-03-04",
            "mobile": "+380501112233", "street": "Khreshchatyk 1", "city": "Kyiv"})
        };
        let held = reg.candidates_for(&typed("Iryna"), 10).unwrap();
        let sure = reg.candidates_for(&typed("Olena"), 10).unwrap();
        assert!(held.len() == 1 && held[0].hold.is_some(), "{held:?}");
        assert!(sure.len() == 1 && sure[0].hold.is_none(), "{sure:?}");
        let cands = [held, sure].concat();
        let values = Value::Array(cands.iter().map(Candidate::to_json).collect());
        assert_eq!(Candidate::list_json(&cands), values.to_string());
        assert_eq!(Candidate::list_json(&[]), "[]");
    }

    /// The queue's re-scoring, given an import's index and the clock it
    /// follows, moves the clock past its own links: the next batch finds
    /// the index up to date. A write by anyone else in between leaves the
    /// clock where it was, so that the next batch reads it.
    #[test]
    fn rescoring_moves_the_import_clock_only_past_its_own_writes() {
        for foreign in [false, true] {
            let mut reg = Registry::in_memory();
            queue_pairs(&mut reg, 6);
            let (mut index, mut seen) = reg.index.take(&reg.store.conn).unwrap();
            let was = seen;
            if foreign {
                let body = json!({"requestType": "referenceId", "version": "1.0", "sor": "EHR", "sorAttributes": {"sorId": "e1",
                    "givenName": "Petro", "sn": "Lysenko", "dateOfBirth": "1977-01-02"}});
                reg.reference_request(&Actor::system(), &body).unwrap();
            }
            let held = Held {
                index: &mut index,
                seen: &mut seen,
            };
            let linked = reg
                .rescore_pending_in(&Actor::system(), Some(held))
                .unwrap();
            assert_eq!(linked, 6);
            let now = sm::clock(&reg.store.conn).unwrap();
            assert!(now > was);
            match foreign {
                false => assert_eq!(seen, now, "only the re-scoring wrote"),
                true => assert_eq!(seen, was, "someone else wrote: read it"),
            }
        }
    }

    /// A row's attributes read without a JSON map give what the map gave:
    /// the same JSON (order, a name given again, escapes), the same
    /// comparable record and the same person.
    #[test]
    fn texts_are_what_the_json_map_was() {
        let entries = [
            ("sorId", "r-1"),
            ("givenName", "Олена \"Lena\""),
            ("sn", "Kovalenko\\O'Brien"),
            ("dateOfBirth", "1986-04-12"),
            ("mobile", "+380 50 123 4567"),
            ("street", "Khreshchatyk\tSt"),
            ("houseNumber", "22"),
            ("city", "Kyiv"),
            ("givenName", "Olena"),
            ("gender", "FEMALE"),
            ("email", "o@example.org"),
        ];
        let mut texts = Texts::default();
        let mut map = Map::new();
        for (k, v) in entries {
            texts.insert(k, v.into());
            map.insert(k.into(), Value::String(v.into()));
        }
        assert_eq!(texts.to_json(), serde_json::to_string(&map).unwrap());
        assert_eq!(texts.get("givenName"), Some("Olena"));
        assert_eq!(texts.get("sn"), Some("Kovalenko\\O'Brien"));
        assert_eq!(texts.get("tax_id"), None);
        let value = Value::Object(map.clone());
        assert_eq!(texts.record(), MatchRecord::from_attributes(&value));
        assert_eq!(
            person_from_texts(|k| texts.get(k)),
            person_from_attributes(&map)
        );
        assert_eq!(Texts::default().to_json(), "{}");
    }

    /// An import's row and a request of the API with the same attributes
    /// are decided and stored alike: every form of their [`Keyed`] is the
    /// same, to the byte (the stored JSONs, the new person, the packed
    /// index entry and the key hashes). Deciding reads nothing else of
    /// them but the source and id ([`RecordAt`]).
    #[test]
    fn keyed_forms_of_texts_and_of_a_map_agree() {
        let cases: [&[(&'static str, &str)]; 3] = [
            &[
                ("sorId", "r-1"),
                ("givenName", "Олена \"Lena\""),
                ("sn", "Kovalenko"),
                ("middleName", "Petrivna"),
                ("dateOfBirth", "1986-04-12"),
                ("gender", "female"),
                ("mobile", "+380 50 123 4567"),
                ("email", "O@Example.org"),
                ("tax_id", "3141592653"),
                ("street", "Khreshchatyk St"),
                ("houseNumber", "22"),
                ("city", "Kyiv"),
                ("postalCode", "01001"),
                ("sn", "Kovalenko-Moroz"),
            ],
            &[("sorId", "r-2"), ("givenName", "  Ivan "), ("sn", "Ng")],
            &[("sorId", "r-3")],
        ];
        for entries in cases {
            let mut texts = Texts::default();
            let mut map = Map::new();
            for &(k, v) in entries {
                texts.insert(k, v.into());
                map.insert(k.into(), Value::String(v.into()));
            }
            let sor_id = entries[0].1;
            let (a, b) = (
                Keyed::of_texts("HIS", sor_id, &texts),
                Keyed::of_map("HIS", sor_id, &map),
            );
            assert_eq!(a.rec, b.rec, "{sor_id}");
            assert_eq!(a.keys, b.keys, "{sor_id}");
            assert_eq!(a.sounds, b.sounds, "{sor_id}");
            assert_eq!(
                format!("{:?}", a.forms),
                format!("{:?}", b.forms),
                "{sor_id}"
            );
            assert_eq!(a.attributes_json(), serde_json::to_string(&map).unwrap());
            assert_eq!(
                a.forms.person_json,
                crate::store::data_json(&person_from_attributes(&map))
            );
            assert_eq!(a.addition(7).seq(), 7);
            assert_eq!(
                a.key_hashes(),
                &a.keys
                    .iter()
                    .map(|k| matching::key_hash(k))
                    .collect::<Vec<_>>()[..]
            );
        }
    }
}
