//! The OAuth clients API (`GET/POST /api/v2/oauth/clients.json`, `GET/PUT
//! /api/v2/oauth/clients/{id}.json`), for admins, authenticated here by an API token (HTTP
//! Basic `EMAIL/token:TOKEN`). A client made here is at once usable at the authorization and
//! token endpoints. Errors have Zendesk's shapes: 401 `Couldn't authenticate you`, 403 for a
//! non-admin, 422 `RecordInvalid` with `details` per field (a taken identifier included).
//!
//! Whether Zendesk names a taken identifier `DuplicateValue` is not documented; it is its
//! usual code for a uniqueness failure, and a client should read the 422's field, not the word.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jiff::{Timestamp, Unit};
use serde_json::{Value, json};

mod body;

use body::{client_of, kind_is_confidential, record_invalid, redirect_uris, text_field};

use crate::crypto::{random_token, same};
use crate::errors::ApiError;
use crate::options::{FakeClient, FakeKind};
use crate::state::{Shared, State as FakeState};

/// What the API shows of a client besides what the token endpoint needs (in `FakeClient`).
pub(crate) struct ClientRecord {
    id: u64,
    name: String,
    identifier: String,
    description: String,
    user_id: u64,
    created_at: Timestamp,
    updated_at: Timestamp,
}

const FIRST_ID: u64 = 360_000_001;

impl ClientRecord {
    pub(crate) fn of_configured(clients: &[FakeClient]) -> Vec<ClientRecord> {
        let now = Timestamp::now();
        (FIRST_ID..)
            .zip(clients)
            .map(|(id, client)| ClientRecord {
                id,
                name: client.identifier.clone(),
                identifier: client.identifier.clone(),
                description: String::new(),
                user_id: 1,
                created_at: now,
                updated_at: now,
            })
            .collect()
    }
}

fn rfc3339(at: Timestamp) -> String {
    at.round(Unit::Second).unwrap_or(at).to_string()
}

fn couldnt_authenticate() -> ApiError {
    ApiError::Body(
        StatusCode::UNAUTHORIZED,
        json!({ "error": "Couldn't authenticate you" }),
    )
}

fn forbidden() -> ApiError {
    ApiError::Body(
        StatusCode::FORBIDDEN,
        json!({
            "error": "Forbidden",
            "description": "You do not have access to this page. Please contact the account owner of this help desk for further help.",
        }),
    )
}

fn not_found() -> ApiError {
    ApiError::Body(
        StatusCode::NOT_FOUND,
        json!({ "error": "RecordNotFound", "description": "Not found" }),
    )
}

/// The admin behind an API token, as its user id; anything else is refused.
fn admin(state: &FakeState, headers: &HeaderMap) -> Result<u64, ApiError> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|text| text.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("basic"))
        .and_then(|(_, encoded)| STANDARD.decode(encoded.trim()).ok())
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or_else(couldnt_authenticate)?;
    let (user, token) = basic.split_once(':').ok_or_else(couldnt_authenticate)?;
    let email = user
        .strip_suffix("/token")
        .ok_or_else(couldnt_authenticate)?;
    let known = state
        .options
        .api_tokens
        .iter()
        .find(|known| known.email.eq_ignore_ascii_case(email) && same(&known.token, token))
        .ok_or_else(couldnt_authenticate)?;
    if known.role != "admin" {
        return Err(forbidden());
    }
    Ok(state.options.user.id)
}

fn view(
    shared: &Shared,
    record: &ClientRecord,
    client: &FakeClient,
    secret: Option<&str>,
) -> Value {
    let kind = if client.secret.is_some() {
        "confidential"
    } else {
        "public"
    };
    let mut shown = json!({
        "id": record.id,
        "url": format!("{}/api/v2/oauth/clients/{}.json", shared.base_url, record.id),
        "name": record.name,
        "identifier": record.identifier,
        "kind": kind,
        "redirect_uri": client.redirect_uris,
        "description": record.description,
        "company": null,
        "logo_url": null,
        "global": false,
        "user_id": record.user_id,
        "created_at": rfc3339(record.created_at),
        "updated_at": rfc3339(record.updated_at),
    });
    // The secret comes back whole only in the answer that made it.
    if let (Some(secret), Value::Object(fields)) = (secret, &mut shown) {
        fields.insert("secret".into(), json!(secret));
    }
    shown
}

fn listed(shared: &Shared, state: &FakeState, record: &ClientRecord) -> Option<Value> {
    let client = state.clients.get(&record.identifier)?;
    Some(view(shared, record, client, None))
}

pub(crate) async fn list(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let state = shared.lock();
    if let Err(refused) = admin(&state, &headers) {
        return refused.into_response();
    }
    let clients: Vec<Value> = state
        .client_records
        .iter()
        .filter_map(|record| listed(&shared, &state, record))
        .collect();
    let count = clients.len();
    Json(json!({ "clients": clients, "next_page": null, "previous_page": null, "count": count }))
        .into_response()
}

fn record_index(state: &FakeState, file: &str) -> Option<usize> {
    let id = file.strip_suffix(".json")?.parse::<u64>().ok()?;
    state
        .client_records
        .iter()
        .position(|record| record.id == id)
}

pub(crate) async fn show(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    let state = shared.lock();
    if let Err(refused) = admin(&state, &headers) {
        return refused.into_response();
    }
    match record_index(&state, &file)
        .and_then(|at| listed(&shared, &state, &state.client_records[at]))
    {
        Some(client) => Json(json!({ "client": client })).into_response(),
        None => not_found().into_response(),
    }
}

pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut state = shared.lock();
    let user_id = match admin(&state, &headers) {
        Ok(user_id) => user_id,
        Err(refused) => return refused.into_response(),
    };
    match made(&shared, &mut state, user_id, &headers, &body) {
        Ok(client) => (StatusCode::CREATED, Json(json!({ "client": client }))).into_response(),
        Err(refused) => refused.into_response(),
    }
}

fn made(
    shared: &Shared,
    state: &mut FakeState,
    user_id: u64,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Value, ApiError> {
    let given = client_of(headers, body)?;
    let name = text_field(&given, "name")
        .ok_or_else(|| record_invalid("name", "BlankValue", "Name: cannot be blank"))?;
    let identifier = text_field(&given, "identifier").ok_or_else(|| {
        record_invalid(
            "identifier",
            "BlankValue",
            "Unique identifier: cannot be blank",
        )
    })?;
    if state.clients.contains_key(identifier) {
        return Err(record_invalid(
            "identifier",
            "DuplicateValue",
            "Unique identifier: has already been taken",
        ));
    }
    let uris = redirect_uris(&given)?.unwrap_or_default();
    let confidential = kind_is_confidential(&given)?.unwrap_or(false);
    let secret = random_token();
    let mut client = FakeClient::public(identifier, "");
    client.redirect_uris = uris;
    client.secret = confidential.then(|| secret.clone());
    client.kind = FakeKind::Support;
    let now = Timestamp::now();
    let id = state
        .client_records
        .last()
        .map_or(FIRST_ID, |last| last.id + 1);
    let record = ClientRecord {
        id,
        name: name.to_owned(),
        identifier: identifier.to_owned(),
        description: text_field(&given, "description")
            .unwrap_or_default()
            .to_owned(),
        user_id,
        created_at: now,
        updated_at: now,
    };
    let shown = view(shared, &record, &client, Some(&secret));
    state.clients.insert(identifier.to_owned(), client);
    state.client_records.push(record);
    Ok(shown)
}

pub(crate) async fn update(
    State(shared): State<Arc<Shared>>,
    Path(file): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let mut state = shared.lock();
    if let Err(refused) = admin(&state, &headers) {
        return refused.into_response();
    }
    let Some(at) = record_index(&state, &file) else {
        return not_found().into_response();
    };
    match changed(&mut state, at, &headers, &body) {
        Ok(()) => match listed(&shared, &state, &state.client_records[at]) {
            Some(client) => Json(json!({ "client": client })).into_response(),
            None => not_found().into_response(),
        },
        Err(refused) => refused.into_response(),
    }
}

/// Name, description, redirect URIs and kind may change; the identifier stays (a change of it
/// would orphan every token issued under it).
fn changed(
    state: &mut FakeState,
    at: usize,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), ApiError> {
    let given = client_of(headers, body)?;
    let uris = redirect_uris(&given)?;
    let confidential = kind_is_confidential(&given)?;
    let record = &mut state.client_records[at];
    if let Some(name) = text_field(&given, "name") {
        name.clone_into(&mut record.name);
    }
    if let Some(description) = given.get("description").and_then(Value::as_str) {
        description.clone_into(&mut record.description);
    }
    record.updated_at = Timestamp::now();
    let Some(client) = state.clients.get_mut(&record.identifier) else {
        return Err(not_found());
    };
    if let Some(uris) = uris {
        client.redirect_uris = uris;
    }
    match confidential {
        Some(true) if client.secret.is_none() => client.secret = Some(random_token()),
        Some(false) => client.secret = None,
        _ => {}
    }
    Ok(())
}
