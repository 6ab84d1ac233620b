//! Seed 004 at the hub: `postIdentity`. Each (Source, Native ID, entity type)
//! is a source record; matching assigns it a Link ID, merging Link IDs that
//! turn out to be one (transitive linking). Asserted dates are kept per
//! attribute value and source record.

use super::accounts::audit;
use super::idmatch::find_candidates;
use super::{Actor, Registry, Result, ServiceError};
use crate::core::matching::{self, MatchRecord, normalize};
use crate::core::model::PersonData;
use crate::store;
use crate::store::hub as sh;
use crate::store::matching as sm;
use chrono::NaiveDateTime;
use rusqlite::Connection;
use serde_json::{Map, Value, json};

/// Attribute clusters: (request key, grouped-output key, grouped inner key).
pub const CLUSTERS: &[(&str, &str, &str)] = &[
    ("names", "names", "name"),
    ("organizationNames", "organizationNames", "organization"),
    ("npis", "npis", "npiObject"),
    ("license", "licenses", "license"),
    ("addresses", "addresses", "address"),
    ("genders", "genders", "gender"),
    ("emails", "emails", "email"),
    ("phoneNumbers", "phoneNumbers", "phoneNumber"),
    ("faxNumbers", "faxNumbers", "faxNumber"),
    (
        "authorizedOfficials",
        "authorizedOfficials",
        "authorizedOfficial",
    ),
    ("medicareInfo", "medicareInfo", "medicareInfo"),
    ("disciplinaryInfo", "disciplinaryInfo", "disciplinaryInfo"),
    ("groupTaxonomies", "groupTaxonomies", "groupTaxonomy"),
    ("education", "education", "education"),
    ("locationInfo", "locationInfo", "locationInfo"),
    ("practiceInfo", "practiceInfo", "practiceInfo"),
    (
        "alternateIdentifiers",
        "alternateIdentifiers",
        "alternateIdentifiers",
    ),
];

/// Parse seed 004's date: `YYYY-MM-DDThh:mm:ss`, `YYYY-MM-DD hh:mm:ss` or
/// `YYYY-MM-DD` (midnight), all UTC. Returned as `YYYY-MM-DDThh:mm:ss`.
pub fn parse_asserted(s: &str) -> Option<String> {
    let t = s.trim();
    let dt = NaiveDateTime::parse_from_str(t, "%Y-%m-%dT%H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S"))
        .ok()
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
        })?;
    Some(dt.format("%Y-%m-%dT%H:%M:%S").to_string())
}

/// A checked postIdentity request.
struct Request {
    tracking_id: String,
    source: String,
    native_id: String,
    entity_type: String,
    date: Option<String>,
    identity: Value,
    formats: Vec<String>,
}

fn parse(body: &Value) -> std::result::Result<Request, String> {
    let obj = body
        .as_object()
        .ok_or("the request must be a JSON object")?;
    use crate::core::validate::unknown_property;
    if let Some(k) = unknown_property(obj, &["trackingId", "content"]) {
        return Err(format!(
            "{k}: unknown property; a post takes trackingId and content"
        ));
    }
    let tracking_id = match obj.get("trackingId") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) if s.len() <= 128 => s.clone(),
        _ => return Err("trackingId: must be a string of at most 128 characters".into()),
    };
    let content = obj
        .get("content")
        .and_then(Value::as_object)
        .ok_or("content: is required and must be an object")?;
    if let Some(k) = unknown_property(content, &["identity", "responseIdentityFormatNames"]) {
        return Err(format!(
            "content.{k}: unknown property; content takes identity and responseIdentityFormatNames"
        ));
    }
    let identity = content
        .get("identity")
        .and_then(Value::as_object)
        .ok_or("content.identity: is required and must be an object")?;
    const IDENTITY: &[&str] = &[
        "sources",
        "entityTypeCode",
        "dateOfBirth",
        "linkId",
        "mergedSourceRecords",
        "unmergeable",
        "detailAddresses",
    ];
    if let Some(k) = identity
        .keys()
        .find(|k| !IDENTITY.contains(&k.as_str()) && !CLUSTERS.iter().any(|(c, _, _)| c == k))
    {
        return Err(format!("content.identity.{k}: unknown property"));
    }
    let mut formats = Vec::new();
    if let Some(f) = content.get("responseIdentityFormatNames") {
        for x in f
            .as_array()
            .ok_or("content.responseIdentityFormatNames: must be an array")?
        {
            match x.as_str() {
                Some(s @ ("DEFAULT" | "GROUP_BY_SOURCE")) => formats.push(s.to_string()),
                Some("") => {}
                _ => return Err(
                    "content.responseIdentityFormatNames: each must be DEFAULT or GROUP_BY_SOURCE"
                        .into(),
                ),
            }
        }
    }
    if formats.is_empty() {
        formats.push("DEFAULT".into());
    }
    let sources = identity
        .get("sources")
        .and_then(Value::as_array)
        .ok_or("content.identity.sources: is required (one Source + Native ID)")?;
    if sources.len() != 1 {
        return Err("content.identity.sources: exactly one Source + Native ID per call".into());
    }
    let s = &sources[0];
    let source = s["name"].as_str().unwrap_or("").to_string();
    if !valid_source(&source) {
        return Err("content.identity.sources[0].name: the Source must be 1–64 characters without whitespace".into());
    }
    let native_id = s["id"].as_str().unwrap_or("").trim().to_string();
    if native_id.is_empty() || native_id.len() > 128 {
        return Err(
            "content.identity.sources[0].id: the Native ID is required (at most 128 characters)"
                .into(),
        );
    }
    let date = match &s["date"] {
        Value::Null => None,
        Value::String(d) if d.trim().is_empty() => None,
        Value::String(d) => Some(parse_asserted(d).ok_or(
            "content.identity.sources[0].date: must be YYYY-MM-DDThh:mm:ss, YYYY-MM-DD hh:mm:ss or YYYY-MM-DD",
        )?),
        _ => return Err("content.identity.sources[0].date: must be a string".into()),
    };
    let entity_type = match identity.get("entityTypeCode") {
        None | Some(Value::Null) => "1".to_string(),
        Some(Value::String(c)) if c == "1" || c == "2" => c.clone(),
        _ => return Err(
            "content.identity.entityTypeCode: must be \"1\" (individual) or \"2\" (organization)"
                .into(),
        ),
    };
    for (key, _, _) in CLUSTERS {
        match identity.get(*key) {
            None | Some(Value::Null) => {}
            Some(Value::Array(_)) => {}
            _ => return Err(format!("content.identity.{key}: must be an array")),
        }
    }
    Ok(Request {
        tracking_id,
        source,
        native_id,
        entity_type,
        date,
        identity: Value::Object(identity.clone()),
        formats,
    })
}

/// `old` with every property `new` carries replaced (a post with a subset
/// of demographics changes only that subset).
pub fn merge_identity(old: &Value, new: &Value) -> Value {
    let mut out = old.as_object().cloned().unwrap_or_default();
    for (k, v) in new.as_object().into_iter().flatten() {
        if !v.is_null() {
            out.insert(k.clone(), v.clone());
        }
    }
    Value::Object(out)
}

/// A Source name (seed 004): 1–64 bytes, no whitespace, no control or
/// bidirectional characters. Posts, hub clients and the site's own Source
/// all follow this one rule.
pub fn valid_source(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && !s.chars().any(char::is_whitespace)
        && crate::core::validate::text_problem(s).is_none()
}

/// Most values of one attribute cluster in one post.
pub const MAX_VALUES: usize = 100;
/// Longest text value anywhere in an identity.
pub const MAX_TEXT: usize = 1024;

/// Bounded clusters and clean, bounded texts.
fn check_limits(identity: &Value) -> std::result::Result<(), String> {
    for (key, _, _) in CLUSTERS {
        if let Some(a) = identity.get(*key).and_then(Value::as_array)
            && a.len() > MAX_VALUES
        {
            return Err(format!(
                "content.identity.{key}: at most {MAX_VALUES} values per post, got {}",
                a.len()
            ));
        }
    }
    check_texts(identity, "content.identity")
}

/// Every string in an identity: bounded, and free of control and
/// bidirectional formatting characters. The error names the path.
fn check_texts(v: &Value, path: &str) -> std::result::Result<(), String> {
    match v {
        Value::String(s) => {
            if s.chars().count() > MAX_TEXT {
                return Err(format!(
                    "{path}: at most {MAX_TEXT} characters, got {}",
                    s.chars().count()
                ));
            }
            if let Some(p) = crate::core::validate::text_problem(s) {
                return Err(format!("{path}: {p}"));
            }
            Ok(())
        }
        Value::Array(a) => a
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| check_texts(x, &format!("{path}[{i}]"))),
        Value::Object(o) => o
            .iter()
            .try_for_each(|(k, x)| check_texts(x, &format!("{path}.{k}"))),
        _ => Ok(()),
    }
}

fn first<'a>(id: &'a Value, cluster: &str) -> &'a Value {
    id.get(cluster)
        .and_then(|a| a.get(0))
        .unwrap_or(&Value::Null)
}

/// What the matcher compares, from an identity.
pub fn match_record(id: &Value) -> MatchRecord {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    let name = first(id, "names");
    let addr = first(id, "addresses");
    let mut ids: Vec<String> = Vec::new();
    let mut tax = String::new();
    for a in id["alternateIdentifiers"].as_array().into_iter().flatten() {
        let v = normalize::id_key(a["value"].as_str().unwrap_or(""));
        if a["type"] == "TAX_ID" {
            tax = v.clone();
        }
        if !v.is_empty() {
            ids.push(v);
        }
    }
    for n in id["npis"].as_array().into_iter().flatten() {
        ids.push(normalize::id_key(n["npi"].as_str().unwrap_or("")));
    }
    for l in id["license"].as_array().into_iter().flatten() {
        ids.push(normalize::id_key(l["number"].as_str().unwrap_or("")));
    }
    ids.retain(|x| !x.is_empty());
    MatchRecord {
        given: normalize::name_key(&s(&name["first"])),
        middle: normalize::name_key(&s(&name["middle"])),
        family: normalize::name_key(&s(&name["last"])),
        dob: normalize::parse_birth_date(&s(&id["dateOfBirth"]))
            .map(|d| d.format("%Y%m%d").to_string())
            .unwrap_or_default(),
        gender: normalize::gender_key(&s(first(id, "genders"))),
        tax_id: tax,
        phone: normalize::phone_key(&s(&first(id, "phoneNumbers")["number"])),
        email: normalize::email_key(&s(first(id, "emails"))),
        street: normalize::fold(&s(&addr["line1"])),
        city: normalize::fold(&s(&addr["city"])),
        postal_code: normalize::id_key(&s(&addr["postalCode"])),
        state: normalize::fold(&s(&addr["state"])),
        ids,
        ..Default::default()
    }
}

/// Does a steward's decision keep a source record of one of `entities`
/// apart from a source record of another?
fn kept_apart_between(conn: &Connection, entities: &[i64]) -> Result<bool> {
    for x in entities {
        for y in entities.iter().filter(|y| *y != x) {
            if sh::kept_apart(conn, *x, *y)? {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// Record the asserted dates of every attribute value the source sent.
fn assert_values(conn: &Connection, req: &Request, date: &str) -> Result<()> {
    // Only the clusters this post carries are replaced.
    let source = (req.source.as_str(), req.native_id.as_str());
    for (key, _, _) in CLUSTERS {
        if req.identity.get(*key).is_some_and(|v| !v.is_null()) {
            sh::retire_values(conn, source, key)?;
        }
    }
    for (key, _, _) in CLUSTERS {
        for v in req
            .identity
            .get(*key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            sh::assert_value(conn, source, key, &v.to_string(), date)?;
        }
    }
    Ok(())
}

/// The whole entity: every source's current values, de-duplicated.
fn link_identity(conn: &Connection, seq: i64, link: &str) -> Result<Value> {
    let mut out = Map::new();
    out.insert("linkId".into(), json!(link));
    let srcs = sh::sources_of(conn, seq)?;
    out.insert(
        "sources".into(),
        Value::Array(
            srcs.iter()
                .map(|(s, n, _)| json!({"name": s, "id": n}))
                .collect(),
        ),
    );
    out.insert("mergedSourceRecords".into(), json!([]));
    for (key, _, _) in CLUSTERS {
        let mut vals = sh::entity_values(conn, seq, key)?;
        let mut seen = std::collections::HashSet::new();
        vals.retain(|v| seen.insert(v.clone()));
        out.insert(
            (*key).into(),
            Value::Array(
                vals.iter()
                    .filter_map(|v| serde_json::from_str(v).ok())
                    .collect(),
            ),
        );
    }
    out.insert("detailAddresses".into(), json!([]));
    out.insert("unmergeable".into(), json!([]));
    Ok(Value::Object(out))
}

/// One object per source record, each value with its asserted dates.
fn grouped_by_source(conn: &Connection, seq: i64) -> Result<Value> {
    let mut groups = Vec::new();
    for (source, native, _) in sh::sources_of(conn, seq)? {
        let mut g = Map::new();
        g.insert("source".into(), json!({"name": source, "id": native}));
        for (key, out_key, inner) in CLUSTERS {
            let rows: Vec<Value> = sh::source_values(conn, (&source, &native), key)?
                .into_iter()
                .map(|(v, first, last)| {
                    json!({
                        "firstAsserted": first,
                        "lastAsserted": last,
                        (*inner): serde_json::from_str::<Value>(&v).unwrap_or(Value::Null),
                    })
                })
                .collect();
            g.insert((*out_key).into(), Value::Array(rows));
        }
        g.insert("addressDetails".into(), json!([]));
        groups.push(Value::Object(g));
    }
    Ok(Value::Array(groups))
}

fn new_link_entity(conn: &Connection, identity: &Value, now: &str) -> Result<i64> {
    let s = |v: &Value| v.as_str().unwrap_or("").to_string();
    let name = first(identity, "names");
    let data = PersonData {
        first_name: s(&name["first"]),
        last_name: s(&name["last"]),
        birth_date: s(&identity["dateOfBirth"]),
        gender: s(first(identity, "genders")),
        ..Default::default()
    };
    Ok(super::insert_new_person(conn, &data, "hub", now)?.seq)
}

/// The postIdentity answer for the entity `seq` now holds.
fn answer(
    conn: &Connection,
    seq: i64,
    link: &str,
    req: &Request,
    events: Vec<Value>,
    audit_id: &str,
) -> Result<Value> {
    let mut content = Map::new();
    content.insert("linkId".into(), json!(link));
    let mut incoming = req.identity.clone();
    if let Some(o) = incoming.as_object_mut() {
        o.insert("mergedSourceRecords".into(), json!([]));
    }
    content.insert("incomingIdentity".into(), incoming);
    if req.formats.iter().any(|f| f == "DEFAULT") {
        content.insert(
            "linkIdentity".into(),
            link_identity(conn, seq, &store::reference_id_of(conn, seq)?)?,
        );
    }
    if req.formats.iter().any(|f| f == "GROUP_BY_SOURCE") {
        content.insert(
            "identityGroupedBySource".into(),
            grouped_by_source(conn, seq)?,
        );
    }
    content.insert("events".into(), Value::Array(events));
    Ok(
        json!({"success": true, "message": "OK", "content": content, "trackingId": req.tracking_id,
              "auditId": audit_id, "retryableError": false}),
    )
}

impl Registry {
    /// `POST /postIdentity`: the response body. A refusal is an error the
    /// API renders in seed 004's shape.
    pub fn post_identity(&mut self, actor: &Actor, body: &Value) -> Result<Value> {
        let req = parse(body).map_err(ServiceError::BadRequest)?;
        // A well-formed post whose values break a limit: refused naming the value.
        check_limits(&req.identity).map_err(ServiceError::OverLimit)?;
        if let Some(allowed) = &actor.sources
            && !allowed.contains(&req.source)
        {
            return Err(ServiceError::Forbidden(format!(
                "client {} may not post Source {}",
                actor.name, req.source
            )));
        }
        let now_dt = self.now();
        let now = now_dt.format("%Y-%m-%dT%H:%M:%S").to_string();
        let now_full = self.now_str();
        let params = self.match_params();
        let tx = self.store.conn.transaction()?;
        // A workstation's trackingIds are `ws-…:n`: one key, one workstation,
        // or the second one's changes would be answered with the first's.
        if let Some((instance, _)) = req.tracking_id.split_once(':')
            && instance.starts_with("ws-")
        {
            let bound = sh::bind_key_instance(&tx, &actor.name, instance, &now_full)?;
            if bound != instance {
                return Err(ServiceError::Forbidden(format!(
                    "key id {} is already used by another workstation ({bound}); give each workstation its own key (registrar hub client add)",
                    actor.name
                )));
            }
        }
        if !req.tracking_id.is_empty() {
            let stored = sh::tracked(&tx, &actor.name, &req.tracking_id)?;
            if let Some(stored) = stored {
                // The same change again: apply nothing, answer from what was
                // stored (Link ID, events, audit id) and today's entity.
                let stored: Value = serde_json::from_str(&stored).unwrap_or(Value::Null);
                if stored.get("content").is_some() {
                    // Stored whole by an earlier version of the hub.
                    return Ok(stored);
                }
                let seq = sh::source_entity(&tx, (&req.source, &req.native_id), &req.entity_type)?
                    .map(|(seq, _)| seq);
                let Some(seq) = seq else {
                    return Err(ServiceError::NotFound {
                        entity: "source record of trackingId",
                        id: req.tracking_id.clone(),
                    });
                };
                let link = stored["linkId"].as_str().unwrap_or_default().to_string();
                let events = stored["events"].as_array().cloned().unwrap_or_default();
                let audit_id = stored["auditId"].as_str().unwrap_or_default().to_string();
                let response = answer(&tx, seq, &link, &req, events, &audit_id)?;
                return Ok(response);
            }
        }
        let date = req.date.clone().unwrap_or_else(|| now.clone());
        let existing = sh::source_entity(&tx, (&req.source, &req.native_id), &req.entity_type)?;
        // Seed 004 sets different asserted dates with "multiple calls …
        // with subsets of demographics": what a post leaves out keeps its value.
        let identity = match &existing {
            Some((_, old)) => merge_identity(
                &serde_json::from_str(old).unwrap_or_else(|_| json!({})),
                &req.identity,
            ),
            None => req.identity.clone(),
        };
        let existing = existing.map(|(seq, _)| seq);
        let rec = match_record(&identity);
        let sure: Vec<i64> = find_candidates(
            &tx,
            &*self.index.fresh(&tx)?,
            &rec,
            &params,
            matching::link_floor(&params),
            20,
        )?
        .into_iter()
        .filter(|c| c.sure())
        .filter_map(|c| store::find_seq(&tx, &c.person_id).ok().flatten())
        .collect();
        let mut events: Vec<Value> = Vec::new();
        let mut group: Vec<i64> = sure.clone();
        if let Some(e) = existing {
            group.push(e);
        } else {
            events.push(
                json!({"type": "ADD_SOURCE", "source": {"name": req.source, "id": req.native_id}}),
            );
        }
        group.sort_unstable();
        group.dedup();
        // A steward kept some of these source records apart: the post joins
        // none of them (it stays where it is, or gets a Link ID of its own)
        // rather than undo that decision by transitive linking.
        if group.len() > 1 && kept_apart_between(&tx, &group)? {
            group = existing.into_iter().collect();
        }
        // The oldest Link ID survives; the others merge into it.
        let survivor = match group.first() {
            Some(s) => *s,
            None => new_link_entity(&tx, &req.identity, &now_full)?,
        };
        let survivor_link = store::reference_id_of(&tx, survivor)?;
        for other in group.iter().copied().filter(|s| *s != survivor) {
            let prev = store::reference_id_of(&tx, other)?;
            let moved = sh::sources_of(&tx, other)?;
            for (src, native, _) in &moved {
                sh::record_change(
                    &tx,
                    (src, native),
                    (Some(&survivor_link), Some(&prev)),
                    &now_full,
                    "transitive linking",
                )?;
            }
            events.push(json!({"type": "UPDATE_SOURCE", "previousLinkId": prev,
                               "sources": moved.iter().map(|(s, n, _)| json!({"name": s, "id": n})).collect::<Vec<_>>()}));
            sm::move_records(&tx, other, survivor)?;
            sh::move_all_sources(&tx, other, survivor)?;
            store::persons::delete(&tx, other)?;
        }
        sh::upsert_source(
            &tx,
            (&req.source, &req.native_id),
            &req.entity_type,
            survivor,
            &identity.to_string(),
            &now_full,
        )?;
        sm::put_record(&tx, survivor, &req.source, &req.native_id, rec.clone())?;
        assert_values(&tx, &req, &date)?;
        let link = store::reference_id_of(&tx, survivor)?;
        let audit_id = uuid::Uuid::new_v4().to_string();
        let response = answer(&tx, survivor, &link, &req, events.clone(), &audit_id)?;
        if !req.tracking_id.is_empty() {
            // What a replay needs, not a copy of the whole identity.
            let stored = json!({"v": 2, "linkId": link, "events": events, "auditId": audit_id});
            sh::track(
                &tx,
                &actor.name,
                &req.tracking_id,
                &stored.to_string(),
                &now_full,
            )?;
        }
        audit(
            &tx,
            &now_full,
            actor,
            "hub.post_identity",
            None,
            json!({"source": req.source, "native_id": req.native_id, "link_id": link, "events": events, "audit_id": audit_id}),
        )?;
        tx.commit()?;
        Ok(response)
    }

    /// Register a hub client: its key id, secret and the Sources it may post.
    pub fn add_hub_client(&mut self, key_id: &str, secret: &str, sources: &[String]) -> Result<()> {
        if key_id.is_empty() || key_id.chars().any(char::is_whitespace) || secret.len() < 16 {
            return Err(ServiceError::BadRequest(
                "a key id without whitespace and a secret of at least 16 characters are required"
                    .into(),
            ));
        }
        if sources.is_empty() || !sources.iter().all(|s| valid_source(s)) {
            return Err(ServiceError::BadRequest(
                "sources: one or more Source names without whitespace".into(),
            ));
        }
        let now = self.now_str();
        let sources = serde_json::to_string(sources).expect("strings serialise");
        sh::upsert_client(&self.store.conn, key_id, secret, &sources, &now)?;
        Ok(())
    }

    /// A client's secret and sources.
    pub fn hub_client(&self, key_id: &str) -> Result<Option<(String, Vec<String>)>> {
        Ok(sh::client(&self.store.conn, key_id)?
            .map(|(s, src)| (s, serde_json::from_str(&src).unwrap_or_default())))
    }

    /// Remember a client's nonce; false if it was seen inside the window
    /// (a replay). The table's `signature` column holds `key id \n nonce`.
    pub fn hub_nonce(&mut self, key_id: &str, nonce: &str, now: i64) -> Result<bool> {
        let seen = format!("{key_id}\n{nonce}");
        let c = &self.store.conn;
        // Forget nonces older than the window now and then, not on every call.
        if crate::core::ids::one_in(256) {
            sh::forget_nonces_before(c, now - 2 * crate::core::signing::WINDOW_SECONDS)?;
        }
        Ok(sh::remember_nonce(c, &seen, now)?)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn asserted_date_formats() {
        assert_eq!(
            super::parse_asserted("2019-01-21").as_deref(),
            Some("2019-01-21T00:00:00")
        );
        assert_eq!(
            super::parse_asserted("2019-01-21 10:11:12").as_deref(),
            Some("2019-01-21T10:11:12")
        );
        assert_eq!(
            super::parse_asserted("2019-01-21T10:11:12").as_deref(),
            Some("2019-01-21T10:11:12")
        );
        assert_eq!(super::parse_asserted("21/01/2019"), None);
        assert_eq!(super::parse_asserted("2019-02-30"), None);
    }
}

/// The hub's link services beside postIdentity (seed 004 names "delete,
/// link, or unlink services"; their Link ID changes are not reported by
/// postIdentity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkService {
    /// `POST /linkSource`: the source record joins the target's Link ID.
    Link,
    /// `POST /unlinkSource`: the source record gets a Link ID of its own,
    /// and is kept apart from the records it leaves.
    Unlink,
    /// `POST /deleteSource`: the source record is removed.
    Delete,
}

impl LinkService {
    fn name(self) -> &'static str {
        match self {
            LinkService::Link => "link",
            LinkService::Unlink => "unlink",
            LinkService::Delete => "delete",
        }
    }
}

/// `{"name", "id"}` of a source record in a link service's content.
fn source_ref(v: &Value, field: &str) -> std::result::Result<(String, String), String> {
    let o = v
        .as_object()
        .ok_or_else(|| format!("content.{field}: must be an object with name and id"))?;
    if let Some(k) = o.keys().find(|k| !["name", "id"].contains(&k.as_str())) {
        return Err(format!("content.{field}.{k}: unknown property"));
    }
    let s = |k: &str| {
        o.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let (name, id) = (s("name"), s("id"));
    if !valid_source(&name) || id.is_empty() {
        return Err(format!(
            "content.{field}: name (a Source without whitespace) and id are required"
        ));
    }
    Ok((name, id))
}

type LinkRequest = (String, (String, String), Option<(String, String)>, String);

fn parse_link(service: LinkService, body: &Value) -> std::result::Result<LinkRequest, String> {
    let o = body
        .as_object()
        .ok_or("the request must be a JSON object")?;
    if let Some(k) = o
        .keys()
        .find(|k| !["trackingId", "content"].contains(&k.as_str()))
    {
        return Err(format!("{k}: unknown property"));
    }
    let tracking = o
        .get("trackingId")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let c = o
        .get("content")
        .and_then(Value::as_object)
        .ok_or("content: an object is required")?;
    let allowed: &[&str] = match service {
        LinkService::Link => &["source", "target", "reason"],
        _ => &["source", "reason"],
    };
    if let Some(k) = c.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!("content.{k}: unknown property"));
    }
    let source = source_ref(c.get("source").unwrap_or(&Value::Null), "source")?;
    let target = match service {
        LinkService::Link => Some(source_ref(
            c.get("target").unwrap_or(&Value::Null),
            "target",
        )?),
        _ => None,
    };
    let reason = c
        .get("reason")
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    if reason.is_empty() {
        return Err("content.reason: is required".into());
    }
    Ok((tracking, source, target, reason))
}

impl Registry {
    /// `POST /linkSource`, `/unlinkSource`, `/deleteSource` at the hub, in
    /// postIdentity's style: a trackingId applied once, `success`,
    /// `message`, `content` with the Link ID and the events (UPDATE_SOURCE
    /// with previousLinkId, DELETE_SOURCE), `auditId`, `retryableError`.
    /// A client acts on its own Sources only. Each change is appended to
    /// the feed every site reads (`GET /linkChanges`).
    pub fn hub_link_service(
        &mut self,
        actor: &Actor,
        service: LinkService,
        body: &Value,
    ) -> Result<Value> {
        let (tracking, (sname, sid), target, reason) =
            parse_link(service, body).map_err(ServiceError::BadRequest)?;
        if let Some(allowed) = &actor.sources
            && !allowed.contains(&sname)
        {
            return Err(ServiceError::Forbidden(format!(
                "client {} may not change Source {sname}",
                actor.name
            )));
        }
        let now = self.now_str();
        let tx = self.store.conn.transaction()?;
        if !tracking.is_empty() {
            let stored = sh::tracked(&tx, &actor.name, &tracking)?;
            if let Some(stored) = stored {
                return Ok(serde_json::from_str(&stored).unwrap_or(Value::Null));
            }
        }
        let Some(from) = sh::source_seq(&tx, (&sname, &sid))? else {
            return Err(ServiceError::NotFound {
                entity: "source record",
                id: format!("{sname} {sid}"),
            });
        };
        let prev = store::reference_id_of(&tx, from)?;
        let sources = json!([{"name": sname, "id": sid}]);
        let mut events: Vec<Value> = Vec::new();
        let mut link: Option<String> = Some(prev.clone());
        // Move the source record (hub row and comparable record) to `to`,
        // and tell the sites its new Link ID: in this answer's events and
        // in the feed of changes, with the cause. Returns the new Link ID.
        let move_to =
            |tx: &Connection, to: i64, cause: &str, events: &mut Vec<Value>| -> Result<String> {
                sh::move_source(tx, (&sname, &sid), to)?;
                sm::move_some_records(tx, from, Some(to), &[(sname.clone(), sid.clone())])?;
                let new = store::reference_id_of(tx, to)?;
                events.push(
                    json!({"type": "UPDATE_SOURCE", "previousLinkId": prev, "sources": sources}),
                );
                sh::record_change(tx, (&sname, &sid), (Some(&new), Some(&prev)), &now, cause)?;
                Ok(new)
            };
        match (service, &target) {
            (LinkService::Link, Some((tname, tid))) => {
                let Some(to) = sh::source_seq(&tx, (tname, tid))? else {
                    return Err(ServiceError::NotFound {
                        entity: "target source record",
                        id: format!("{tname} {tid}"),
                    });
                };
                if to != from {
                    let new = move_to(&tx, to, "link", &mut events)?;
                    // Joined by a steward: no longer kept apart from them.
                    sh::forget_kept_apart(&tx, (&sname, &sid))?;
                    link = Some(new);
                }
            }
            (LinkService::Unlink, _) => {
                let others: Vec<(String, String, String)> = sh::sources_of(&tx, from)?
                    .into_iter()
                    .filter(|(s, n, _)| !(*s == sname && *n == sid))
                    .collect();
                if !others.is_empty() {
                    let identity: Value = sh::source_identity(&tx, (&sname, &sid))
                        .map(|t| serde_json::from_str(&t).unwrap_or(Value::Null))?;
                    let to = new_link_entity(&tx, &identity, &now)?;
                    let new = move_to(&tx, to, "unlink", &mut events)?;
                    for (s, n, _) in &others {
                        sh::keep_apart(&tx, (&sname, &sid), (s, n), (&now, &actor.name, &reason))?;
                    }
                    link = Some(new);
                }
            }
            (LinkService::Delete, _) => {
                sm::remove_record(&tx, from, &sname, &sid)?;
                sh::delete_source(&tx, (&sname, &sid))?;
                events.push(
                    json!({"type": "DELETE_SOURCE", "previousLinkId": prev, "sources": sources}),
                );
                sh::record_change(&tx, (&sname, &sid), (None, Some(&prev)), &now, "delete")?;
                link = None;
            }
            (LinkService::Link, None) => unreachable!("parse_link requires a target"),
        }
        // A Link entity left without source records is gone.
        if sh::sources_of(&tx, from)?.is_empty() {
            store::persons::delete(&tx, from)?;
        }
        let audit_id = uuid::Uuid::new_v4().to_string();
        let response = json!({"success": true, "message": "OK",
            "content": {"linkId": link, "events": events},
            "trackingId": tracking, "auditId": audit_id, "retryableError": false});
        if !tracking.is_empty() {
            sh::track(&tx, &actor.name, &tracking, &response.to_string(), &now)?;
        }
        audit(
            &tx,
            &now,
            actor,
            &format!("hub.{}", service.name()),
            None,
            json!({"source": sname, "native_id": sid, "target": target, "reason": reason,
                   "link_id": link, "previous_link_id": prev, "audit_id": audit_id}),
        )?;
        tx.commit()?;
        Ok(response)
    }

    /// `GET /linkChanges?after=N`: Link ID changes of this client's source
    /// records (all, for an admin) after position `after`, oldest first.
    pub fn hub_link_changes(&self, actor: &Actor, after: i64, limit: i64) -> Result<Value> {
        let mut changes = Vec::new();
        let mut last = after;
        sh::each_link_change(&self.store.conn, after, |c| {
            last = c.seq;
            if actor
                .sources
                .as_ref()
                .is_some_and(|s| !s.contains(&c.source))
            {
                return true;
            }
            changes.push(
                json!({"seq": c.seq, "source": {"name": c.source, "id": c.id},
                                "linkId": c.link_id, "previousLinkId": c.previous_link_id,
                                "at": c.at, "cause": c.cause}),
            );
            (changes.len() as i64) < limit
        })?;
        Ok(json!({"success": true, "message": "OK",
                  "content": {"changes": changes, "last": last}, "retryableError": false}))
    }
}
