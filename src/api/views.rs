//! JSON projections of stored records.

use crate::core::model::Person;
use serde_json::{Value, json};

/// The full person, as `GET /api/persons/{id}` returns it.
pub fn person_json(p: &Person) -> Value {
    let mut v = serde_json::to_value(&p.person).expect("person serialises");
    let extra = json!({
        "id": p.id,
        "reference_id": p.reference_id,
        "status": p.status.as_str(),
        "active_id": p.active_id,
        "objectVersionNumber": p.object_version_number,
        "link_id": p.link_id,
        "created_by": p.created_by,
        "created_at": p.created_at,
        "updated_by": p.updated_by,
        "updated_at": p.updated_at,
        "sor_records": p.sor_records,
    });
    if let (Some(obj), Some(x)) = (v.as_object_mut(), extra.as_object()) {
        for (k, val) in x {
            if !val.is_null() {
                obj.insert(k.clone(), val.clone());
            }
        }
    }
    v
}
