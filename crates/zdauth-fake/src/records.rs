//! The records behind the list endpoints, made up from their index so that a fake can hold
//! ten thousand of them without storing any: the same index always gives the same record.

use serde_json::{Value, json};

/// Zendesk's ids are plain numbers; an offset keeps them unlike indexes and user 1001.
const FIRST_ID: usize = 360_000_001;

fn id(index: usize) -> usize {
    FIRST_ID + index
}

pub(crate) fn user(base_url: &str, index: usize) -> Value {
    let id = id(index);
    json!({
        "id": id,
        "url": format!("{base_url}/api/v2/users/{id}.json"),
        "name": format!("User {}", index + 1),
        "email": format!("user{}@acme.test", index + 1),
        "role": if index == 0 { "admin" } else { "end-user" },
        "active": true,
        "created_at": "2024-01-02T03:04:05Z",
    })
}

pub(crate) fn trigger(base_url: &str, index: usize) -> Value {
    let id = id(index);
    json!({
        "id": id,
        "url": format!("{base_url}/api/v2/triggers/{id}.json"),
        "title": format!("Notify requester {}", index + 1),
        "active": true,
        "position": index + 1,
        "conditions": { "all": [{ "field": "status", "operator": "is", "value": "new" }], "any": [] },
        "actions": [{ "field": "notification_user", "value": ["requester_id", "Hi", "Got it"] }],
        "created_at": "2024-01-02T03:04:05Z",
        "updated_at": "2024-01-02T03:04:05Z",
    })
}

/// A search finds users; each result says what it is.
pub(crate) fn search_result(base_url: &str, index: usize) -> Value {
    let mut result = user(base_url, index);
    result["result_type"] = json!("user");
    result
}

pub(crate) fn chat(index: usize) -> Value {
    json!({
        "id": format!("2401.10001.{:08}", index + 1),
        "type": "chat",
        "timestamp": "2024-01-02T03:04:05Z",
        "visitor": { "id": format!("1.{}", index + 1), "name": format!("Visitor {}", index + 1) },
        "unread": false,
        "missed": false,
    })
}
