//! The list endpoints `zdauth api` pages through: users and triggers (cursor or offset
//! pagination), search (offset only, 1,000 results at most), and the Chat API's chats.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::access;
use crate::errors::ApiError;
use crate::options::FakeKind;
use crate::paging::{self, Depth, List, MAX_PAGE_SIZE, Query};
use crate::records;
use crate::state::Shared;

/// Lets the caller through and says how many records the lists hold.
fn admitted(
    shared: &Shared,
    headers: &HeaderMap,
    server: FakeKind,
    scopes: &[&str],
) -> Result<usize, ApiError> {
    let mut state = shared.lock();
    access::check(&mut state, headers, server, scopes)?;
    Ok(state.options.api_records())
}

fn answer(page: Result<Value, ApiError>) -> Response {
    match page {
        Ok(body) => Json(body).into_response(),
        Err(error) => error.into_response(),
    }
}

/// Cursor pagination when any `page[...]` parameter is given, offset pagination otherwise.
fn listing(
    shared: &Shared,
    headers: &HeaderMap,
    uri: &Uri,
    key: &str,
    scopes: &[&str],
    record: fn(&str, usize) -> Value,
) -> Response {
    let count = match admitted(shared, headers, FakeKind::Support, scopes) {
        Ok(count) => count,
        Err(refused) => return refused.into_response(),
    };
    let path = format!("/api/v2/{key}.json");
    let action = format!("api/v2/{key}/index");
    let list = List {
        base_url: &shared.base_url,
        path: &path,
        key,
        action: &action,
        count,
        carried: &[],
    };
    let query = Query::parse(uri.query());
    let base_url = shared.base_url.as_str();
    let record = |index| record(base_url, index);
    answer(if query.asks_for_cursor() {
        paging::cursor_page(&list, &query, record)
    } else {
        paging::offset_page(&list, &query, Depth::Listing, record)
    })
}

pub(crate) async fn users(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    listing(
        &shared,
        &headers,
        &uri,
        "users",
        &["read", "users:read"],
        records::user,
    )
}

pub(crate) async fn triggers(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let scopes = ["read", "triggers:read"];
    listing(
        &shared,
        &headers,
        &uri,
        "triggers",
        &scopes,
        records::trigger,
    )
}

/// Every query matches every user; what is tested is the paging, not the search.
pub(crate) async fn search(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let count = match admitted(&shared, &headers, FakeKind::Support, &["read"]) {
        Ok(count) => count,
        Err(refused) => return refused.into_response(),
    };
    let query = Query::parse(uri.query());
    let action = "api/v2/search/index";
    if query.asks_for_cursor() {
        // The Search API has no cursor pagination; Zendesk says so in these words.
        return paging::invalid_attribute("page", action).into_response();
    }
    let Some(words) = query.get("query").filter(|words| !words.trim().is_empty()) else {
        return paging::invalid_attribute("query", action).into_response();
    };
    let carried = [("query", words)];
    let list = List {
        base_url: &shared.base_url,
        path: "/api/v2/search.json",
        key: "results",
        action,
        count,
        carried: &carried,
    };
    let base_url = shared.base_url.as_str();
    answer(paging::offset_page(&list, &query, Depth::Search, |index| {
        records::search_result(base_url, index)
    }))
}

/// The Chat API's list: `{"chats", "count", "next_url"}`, a hundred at a time. Only tokens of
/// the Chat OAuth server are taken.
pub(crate) async fn chats(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let count = match admitted(&shared, &headers, FakeKind::Chat, &["read", "chat"]) {
        Ok(count) => count,
        Err(refused) => return refused.into_response(),
    };
    let query = Query::parse(uri.query());
    let page = match query.get("page").map(str::parse::<usize>) {
        None => 1,
        Some(Ok(page)) if page > 0 => page,
        Some(_) => return paging::invalid_attribute("page", "api/v2/chat/chats").into_response(),
    };
    let start = (page - 1).saturating_mul(MAX_PAGE_SIZE).min(count);
    let end = page.saturating_mul(MAX_PAGE_SIZE).min(count);
    let next_url =
        (end < count).then(|| format!("{}/api/v2/chat/chats?page={}", shared.base_url, page + 1));
    let chats: Vec<Value> = (start..end).map(records::chat).collect();
    Json(json!({ "chats": chats, "count": count, "next_url": next_url })).into_response()
}
