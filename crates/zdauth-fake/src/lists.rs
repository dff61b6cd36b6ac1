//! The list endpoints `zdauth api` pages through: users (filtered by role if asked) and
//! triggers (cursor or offset pagination), search (offset only, 1,000 results at most), and
//! the Chat API's chats (a hundred a page, linked by `next_url`).

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::access;
use crate::errors::ApiError;
use crate::options::FakeKind;
use crate::paging::{self, Depth, List, MAX_PAGE_SIZE, Query};
use crate::records::{self, ROLES, RoleFilter};
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

/// Which records of a list a request asks for: all, or (users) those of some roles, and
/// the parameters that say so, which the next and previous links carry over.
struct Selection<'a> {
    filter: Option<RoleFilter>,
    carried: Vec<(&'a str, &'a str)>,
}

impl Selection<'_> {
    const ALL: Selection<'static> = Selection {
        filter: None,
        carried: Vec::new(),
    };
}

/// Cursor pagination when any `page[...]` parameter is given, offset pagination otherwise.
fn listing(
    shared: &Shared,
    headers: &HeaderMap,
    query: &Query,
    key: &str,
    scopes: &[&str],
    selection: Result<Selection<'_>, ApiError>,
    record: fn(&str, usize) -> Value,
) -> Response {
    let total = match admitted(shared, headers, FakeKind::Support, scopes) {
        Ok(total) => total,
        Err(refused) => return refused.into_response(),
    };
    // Zendesk checks who asks before what is asked.
    let selection = match selection {
        Ok(selection) => selection,
        Err(refused) => return refused.into_response(),
    };
    let filter = selection.filter.as_ref();
    let count = filter.map_or(total, |filter| filter.count(total));
    let path = format!("/api/v2/{key}.json");
    let action = format!("api/v2/{key}/index");
    let list = List {
        base_url: &shared.base_url,
        path: &path,
        key,
        action: &action,
        count,
        carried: &selection.carried,
    };
    let base_url = shared.base_url.as_str();
    let record = |position| record(base_url, filter.map_or(position, |f| f.index(position)));
    answer(if query.asks_for_cursor() {
        paging::cursor_page(&list, query, record)
    } else {
        paging::offset_page(&list, query, Depth::Listing, record)
    })
}

/// `role=admin`, or several as `role[]=admin&role[]=agent`, as Zendesk's List Users takes them.
fn roles_asked(query: &Query) -> Result<Selection<'_>, ApiError> {
    let carried: Vec<(&str, &str)> = query
        .pairs()
        .filter(|(name, _)| *name == "role" || *name == "role[]")
        .collect();
    if carried.is_empty() {
        return Ok(Selection::ALL);
    }
    let roles: Vec<&str> = carried.iter().map(|(_, role)| *role).collect();
    match RoleFilter::new(&roles) {
        Some(filter) => Ok(Selection {
            filter: Some(filter),
            carried,
        }),
        None => Err(invalid_role()),
    }
}

/// How the fake refuses a role Zendesk does not have (Zendesk's own words for it are not in
/// the facts file; a refusal is the strict guess).
fn invalid_role() -> ApiError {
    let message = format!(
        "You passed an invalid value for the role attribute. Invalid parameter: role must be \
         one of {} from api/v2/users/index",
        ROLES.join(", ")
    );
    ApiError::Body(
        StatusCode::BAD_REQUEST,
        json!({ "error": { "title": "Invalid attribute", "message": message } }),
    )
}

pub(crate) async fn users(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let query = Query::parse(uri.query());
    listing(
        &shared,
        &headers,
        &query,
        "users",
        &["read", "users:read"],
        roles_asked(&query),
        records::user,
    )
}

pub(crate) async fn triggers(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    uri: Uri,
) -> Response {
    let query = Query::parse(uri.query());
    let scopes = ["read", "triggers:read"];
    listing(
        &shared,
        &headers,
        &query,
        "triggers",
        &scopes,
        Ok(Selection::ALL),
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
