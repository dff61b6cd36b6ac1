//! Zendesk's two ways through a list, over records the caller generates by index: cursor
//! pagination (`page[size]`, `page[after]`, `page[before]`; `meta` and `links`) and offset
//! pagination (`page`, `per_page`; `next_page`, `previous_page`, `count`), with the limits
//! Zendesk enforces on each and its error bodies when a request passes them.

use std::ops::Range;

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value, json};

use crate::errors::ApiError;

/// Zendesk: "Most endpoints limit this to a maximum of 100", for both kinds.
pub(crate) const MAX_PAGE_SIZE: usize = 100;
/// Offset pagination stops at page 100 or 10,000 records (400 past them, since 2024).
const OFFSET_MAX_PAGE: usize = 100;
const OFFSET_MAX_RECORDS: usize = 10_000;
/// The Search API returns at most 1,000 results per query (422 past them).
const SEARCH_MAX_RESULTS: usize = 1_000;
/// Zendesk's cursors are opaque base64 that may hold `+`, `/` and `=`; these leading bytes
/// make every cursor of the fake start with `++++`, so a client that puts one into a URL
/// without encoding it breaks here as it would there.
const CURSOR_MAGIC: [u8; 3] = [0xfb, 0xef, 0xbe];

/// The query string, decoded, in order.
pub(crate) struct Query(Vec<(String, String)>);

impl Query {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let pairs = url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
            .into_owned()
            .collect();
        Self(pairs)
    }

    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(name, _)| name == key)
            .map(|(_, value)| value.as_str())
    }

    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
    }

    /// Any `page[...]` parameter asks for cursor pagination.
    pub(crate) fn asks_for_cursor(&self) -> bool {
        self.0.iter().any(|(name, _)| name.starts_with("page["))
    }
}

/// One list endpoint: where it lives, what its records are called, how many there are.
pub(crate) struct List<'a> {
    pub(crate) base_url: &'a str,
    pub(crate) path: &'a str,
    /// The JSON key of the records (`users`), also what a cursor is bound to.
    pub(crate) key: &'a str,
    /// How Zendesk names the action in its errors (`api/v2/users/index`).
    pub(crate) action: &'a str,
    pub(crate) count: usize,
    /// Parameters the next and previous URLs carry over (a search's `query`).
    pub(crate) carried: &'a [(&'a str, &'a str)],
}

/// Which offset limit applies.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Depth {
    Listing,
    Search,
}

impl List<'_> {
    fn url(&self, params: &[(&str, &str)]) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in self.carried {
            query.append_pair(name, value);
        }
        let mut text = query.finish();
        // Zendesk's links keep the brackets of `page[size]` literal; only values are encoded.
        for (name, value) in params {
            if !text.is_empty() {
                text.push('&');
            }
            text.push_str(name);
            text.push('=');
            text.extend(url::form_urlencoded::byte_serialize(value.as_bytes()));
        }
        format!("{}{}?{text}", self.base_url, self.path)
    }

    fn cursor(&self, index: usize) -> String {
        let mut bytes = CURSOR_MAGIC.to_vec();
        bytes.extend_from_slice(format!("{}:{index}", self.key).as_bytes());
        STANDARD.encode(bytes)
    }

    /// The record index a cursor of this list points at, if it is one.
    fn index_of(&self, cursor: &str) -> Option<usize> {
        let bytes = STANDARD.decode(cursor).ok()?;
        let text = std::str::from_utf8(bytes.strip_prefix(&CURSOR_MAGIC)?).ok()?;
        let (key, index) = text.split_once(':')?;
        let index: usize = index.parse().ok()?;
        (key == self.key && index < self.count).then_some(index)
    }
}

fn records(range: Range<usize>, record: impl Fn(usize) -> Value) -> Value {
    Value::Array(range.map(record).collect())
}

/// `{"users": [...], "meta": {...}, "links": {...}}`: the page after `page[after]`, before
/// `page[before]`, or the first one. `links.next` is there whenever the page has records,
/// also on the last page, as at Zendesk: only `meta.has_more` says whether to go on.
pub(crate) fn cursor_page(
    list: &List<'_>,
    query: &Query,
    record: impl Fn(usize) -> Value,
) -> Result<Value, ApiError> {
    let size = match query.get("page[size]") {
        None => MAX_PAGE_SIZE,
        Some(text) => match text.parse::<usize>() {
            Ok(0) | Err(_) => return Err(invalid_attribute("page.size", list.action)),
            Ok(size) if size > MAX_PAGE_SIZE => {
                return Err(invalid_pagination(&format!(
                    "page[size] must be less than or equal to {MAX_PAGE_SIZE}"
                )));
            }
            Ok(size) => size,
        },
    };
    let cursor_at = |name: &str| -> Result<Option<usize>, ApiError> {
        match query.get(name) {
            None => Ok(None),
            Some(cursor) => list
                .index_of(cursor)
                .map(Some)
                .ok_or_else(|| invalid_pagination(&format!("{name} is not a valid cursor"))),
        }
    };
    let (after, before) = (cursor_at("page[after]")?, cursor_at("page[before]")?);
    let (range, has_more) = match (after, before) {
        (Some(_), Some(_)) => {
            return Err(invalid_pagination(
                "page[after] and page[before] cannot be used together",
            ));
        }
        (Some(after), None) => {
            let end = (after + 1 + size).min(list.count);
            (after + 1..end, end < list.count)
        }
        (None, Some(before)) => {
            let start = before.saturating_sub(size);
            (start..before, start > 0)
        }
        (None, None) => {
            let end = size.min(list.count);
            (0..end, end < list.count)
        }
    };
    let size_text = size.to_string();
    let (after_cursor, before_cursor) = if range.is_empty() {
        (None, None)
    } else {
        (
            Some(list.cursor(range.end - 1)),
            Some(list.cursor(range.start)),
        )
    };
    let link = |name: &str, cursor: &Option<String>| {
        cursor
            .as_ref()
            .map(|cursor| list.url(&[("page[size]", &size_text), (name, cursor)]))
    };
    let mut body = Map::new();
    body.insert(list.key.into(), records(range, record));
    body.insert(
        "meta".into(),
        json!({ "has_more": has_more, "after_cursor": after_cursor, "before_cursor": before_cursor }),
    );
    body.insert(
        "links".into(),
        json!({ "next": link("page[after]", &after_cursor), "prev": link("page[before]", &before_cursor) }),
    );
    Ok(Value::Object(body))
}

/// `{"users": [...], "next_page", "previous_page", "count"}`. `per_page` above 100 is cut
/// to 100; `next_page` follows `count`, so a search with more than 1,000 results leads a
/// client that follows it blindly to the 422 past the limit, as Zendesk's does.
pub(crate) fn offset_page(
    list: &List<'_>,
    query: &Query,
    depth: Depth,
    record: impl Fn(usize) -> Value,
) -> Result<Value, ApiError> {
    let number = |name: &str, default: usize| match query.get(name) {
        None => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(value) if value > 0 => Ok(value),
            _ => Err(invalid_attribute(name, list.action)),
        },
    };
    let page = number("page", 1)?;
    let per_page = number("per_page", MAX_PAGE_SIZE)?.min(MAX_PAGE_SIZE);
    let reach = page.saturating_mul(per_page);
    match depth {
        Depth::Listing if page > OFFSET_MAX_PAGE || reach > OFFSET_MAX_RECORDS => {
            return Err(pagination_depth());
        }
        Depth::Search if reach > SEARCH_MAX_RESULTS => return Err(search_limit()),
        Depth::Listing | Depth::Search => {}
    }
    let start = (page - 1).saturating_mul(per_page).min(list.count);
    let end = reach.min(list.count);
    let per_page_text = per_page.to_string();
    let page_url =
        |page: usize| list.url(&[("page", &page.to_string()), ("per_page", &per_page_text)]);
    let mut body = Map::new();
    body.insert(list.key.into(), records(start..end, record));
    body.insert(
        "next_page".into(),
        json!((reach < list.count).then(|| page_url(page + 1))),
    );
    body.insert(
        "previous_page".into(),
        json!((page > 1).then(|| page_url(page - 1))),
    );
    body.insert("count".into(), json!(list.count));
    Ok(Value::Object(body))
}

/// What Zendesk answers a parameter that is not a number where one is expected.
pub(crate) fn invalid_attribute(attribute: &str, action: &str) -> ApiError {
    let message = format!(
        "You passed an invalid value for the {attribute} attribute. Invalid parameter: \
         {attribute} must be an integer from {action}"
    );
    ApiError::Body(
        StatusCode::BAD_REQUEST,
        json!({ "error": { "title": "Invalid attribute", "message": message } }),
    )
}

fn invalid_pagination(detail: &str) -> ApiError {
    ApiError::Body(
        StatusCode::BAD_REQUEST,
        json!({ "errors": [{
            "code": "InvalidPaginationParameter",
            "title": "Invalid pagination parameter",
            "detail": detail,
        }] }),
    )
}

fn pagination_depth() -> ApiError {
    ApiError::Body(
        StatusCode::BAD_REQUEST,
        json!({ "errors": [{
            "code": "InvalidPaginationDepth",
            "title": "Pagination requests using Offset Pagination are limited to page 100 or up \
                      to 10000 records (page * per_page)",
            "detail": "There are limits to the depth of offset pagination; use cursor \
                       pagination (page[size]) to list more records",
        }] }),
    )
}

fn search_limit() -> ApiError {
    ApiError::Body(
        StatusCode::UNPROCESSABLE_ENTITY,
        json!({
            "error": "invalid",
            "description": "Invalid search: Requested response size was greater than Search \
                            Response Limits",
        }),
    )
}

#[cfg(test)]
mod tests {
    use axum::response::IntoResponse;

    use super::*;

    fn list(count: usize) -> List<'static> {
        List {
            base_url: "http://127.0.0.1:1",
            path: "/api/v2/users.json",
            key: "users",
            action: "api/v2/users/index",
            count,
            carried: &[],
        }
    }

    #[test]
    fn cursors_round_trip_and_are_bound_to_their_list() {
        let users = list(10);
        let cursor = users.cursor(7);
        assert!(cursor.starts_with("++++"), "{cursor}");
        assert_eq!(users.index_of(&cursor), Some(7));
        let triggers = List {
            key: "triggers",
            ..list(10)
        };
        assert_eq!(triggers.index_of(&cursor), None);
        assert_eq!(list(5).index_of(&cursor), None, "past the end");
        assert_eq!(users.index_of("not base64 at all!"), None);
        assert_eq!(users.index_of(&STANDARD.encode("users:1")), None);
    }

    #[test]
    fn offsets_past_every_limit_are_refused_without_overflow() {
        let query = Query::parse(Some("page=18446744073709551615&per_page=100"));
        let refused = offset_page(&list(3), &query, Depth::Listing, |i| json!(i)).unwrap_err();
        assert_eq!(refused.into_response().status(), StatusCode::BAD_REQUEST);
        let refused = offset_page(&list(3), &query, Depth::Search, |i| json!(i)).unwrap_err();
        assert_eq!(
            refused.into_response().status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }

    #[test]
    fn a_page_past_the_end_is_empty_and_has_no_cursors() {
        let page = offset_page(
            &list(3),
            &Query::parse(Some("page=9")),
            Depth::Listing,
            |i| json!(i),
        )
        .unwrap();
        assert_eq!(page["users"], json!([]));
        assert!(page["next_page"].is_null());
        let page =
            cursor_page(&list(0), &Query::parse(Some("page[size]=2")), |i| json!(i)).unwrap();
        assert_eq!(page["meta"]["has_more"], json!(false));
        assert!(page["links"]["next"].is_null() && page["meta"]["after_cursor"].is_null());
    }
}
