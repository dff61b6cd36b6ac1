//! Creating and updating a ticket, far enough for `zdauth api` to send bodies: the answer
//! echoes the ticket fields sent, with an id. Malformed JSON is a 400; a body without a
//! `ticket` object, or a new ticket without its first comment, is Zendesk's 422
//! `RecordInvalid` with `details`.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use crate::access;
use crate::errors::ApiError;
use crate::options::FakeKind;
use crate::state::{Shared, State as FakeState};

const WRITE: [&str; 2] = ["write", "tickets:write"];

fn bad_json() -> ApiError {
    ApiError::Body(
        StatusCode::BAD_REQUEST,
        json!({
            "error": "Unparseable JSON",
            "description": "The request body could not be parsed as JSON",
        }),
    )
}

fn record_invalid(field: &str, description: &str) -> ApiError {
    ApiError::Body(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({
            "error": "RecordInvalid",
            "description": "Record validation errors",
            "details": { field: [{ "description": description, "error": "BlankValue" }] },
        }),
    )
}

fn not_found() -> ApiError {
    ApiError::Body(
        StatusCode::NOT_FOUND,
        json!({ "error": "RecordNotFound", "description": "Not found" }),
    )
}

/// The `ticket` object of the body, if it has one. Zendesk reads a body only as JSON: without
/// that content type the ticket is missing, as if nothing had been sent.
fn ticket_of(headers: &HeaderMap, body: &[u8]) -> Result<Option<Map<String, Value>>, ApiError> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.to_ascii_lowercase().starts_with("application/json"));
    if !json {
        return Ok(None);
    }
    let value: Value = serde_json::from_slice(body).map_err(|_| bad_json())?;
    match value.get("ticket") {
        Some(Value::Object(ticket)) => Ok(Some(ticket.clone())),
        _ => Ok(None),
    }
}

fn has_comment(ticket: &Map<String, Value>) -> bool {
    let Some(comment) = ticket.get("comment") else {
        return false;
    };
    ["body", "html_body"].iter().any(|key| {
        comment
            .get(key)
            .and_then(Value::as_str)
            .is_some_and(|text| !text.trim().is_empty())
    })
}

fn echo(
    status: StatusCode,
    location: Option<String>,
    mut ticket: Map<String, Value>,
    id: u64,
) -> Response {
    ticket.insert("id".into(), json!(id));
    let mut response = (status, Json(json!({ "ticket": ticket }))).into_response();
    if let Some(location) = location.and_then(|url| url.parse().ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Err(refused) = access::check(&mut shared.lock(), &headers, FakeKind::Support, &WRITE) {
        return refused.into_response();
    }
    let ticket = match ticket_of(&headers, &body) {
        // What Zendesk answers a new ticket without its first comment, word for word.
        Ok(Some(ticket)) if has_comment(&ticket) => ticket,
        Ok(_) => return record_invalid("base", "Description: cannot be blank").into_response(),
        Err(refused) => return refused.into_response(),
    };
    let id = shared.lock().new_ticket_id();
    let location = format!("{}/api/v2/tickets/{id}.json", shared.base_url);
    echo(StatusCode::CREATED, Some(location), ticket, id)
}

pub(crate) async fn update(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let exists = {
        let mut state = shared.lock();
        if let Err(refused) = access::check(&mut state, &headers, FakeKind::Support, &WRITE) {
            return refused.into_response();
        }
        file.strip_suffix(".json")
            .and_then(|id| id.parse::<u64>().ok())
            .filter(|id| state.ticket_exists(*id))
    };
    let Some(id) = exists else {
        return not_found().into_response();
    };
    match ticket_of(&headers, &body) {
        Ok(Some(ticket)) => echo(StatusCode::OK, None, ticket, id),
        Ok(None) => record_invalid("base", "Ticket: cannot be blank").into_response(),
        Err(refused) => refused.into_response(),
    }
}

/// Tickets 1..=records exist from the start; created ones follow them.
impl FakeState {
    fn new_ticket_id(&mut self) -> u64 {
        self.tickets_created += 1;
        self.ticket_count()
    }

    fn ticket_exists(&self, id: u64) -> bool {
        (1..=self.ticket_count()).contains(&id)
    }

    fn ticket_count(&self) -> u64 {
        let records = u64::try_from(self.options.api_records()).unwrap_or(u64::MAX);
        records.saturating_add(self.tickets_created)
    }
}
