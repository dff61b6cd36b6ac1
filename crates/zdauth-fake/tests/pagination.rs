//! The list endpoints' two ways through a list, walked to the end as `zdauth api --paginate`
//! walks them (users by role too, and Chat's chats by `next_url`), and the limits and errors
//! at their edges.

use std::collections::BTreeSet;

use reqwest::StatusCode;
use serde_json::Value;
use zdauth_fake::FakeZendesk;

use crate::support::{CHAT, PUBLIC, get, options, start};

async fn fake_with(records: usize) -> (FakeZendesk, String) {
    let fake = start(options()).await;
    fake.set_api_records(records);
    let token = fake.issue_grant(PUBLIC, &["read"]).access_token;
    (fake, token)
}

fn ids(body: &Value, key: &str) -> Vec<u64> {
    body[key]
        .as_array()
        .unwrap_or_else(|| panic!("no {key} in {body}"))
        .iter()
        .map(|record| record["id"].as_u64().expect("an id"))
        .collect()
}

/// Follows `links.next` while `meta.has_more`; returns every page's body.
async fn walk_cursor(fake: &FakeZendesk, token: &str, first: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut url = first.to_owned();
    loop {
        let answer = get(fake, &url, token).await;
        assert_eq!(answer.status, StatusCode::OK, "{url}: {}", answer.text);
        let body = answer.json();
        let more = body["meta"]["has_more"].as_bool().expect("meta.has_more");
        let next = body["links"]["next"].as_str().map(str::to_owned);
        pages.push(body);
        if !more {
            return pages;
        }
        url = next.expect("links.next while has_more");
        assert!(
            url.starts_with(&fake.base_url()),
            "a full URL on the fake: {url}"
        );
        assert!(pages.len() <= 200, "no end");
    }
}

/// Follows `next_page` while it is a string; returns the pages and the answer that ended it.
async fn walk_offset(fake: &FakeZendesk, token: &str, first: &str) -> (Vec<Value>, StatusCode) {
    let mut pages = Vec::new();
    let mut url = first.to_owned();
    loop {
        let answer = get(fake, &url, token).await;
        if answer.status != StatusCode::OK {
            return (pages, answer.status);
        }
        let body = answer.json();
        let next = body["next_page"].as_str().map(str::to_owned);
        pages.push(body);
        match next {
            Some(next) => url = next,
            None => return (pages, StatusCode::OK),
        }
        assert!(pages.len() <= 200, "no end");
    }
}

#[tokio::test]
async fn cursor_pages_walk_to_the_end_and_back() {
    let (fake, token) = fake_with(250).await;
    let pages = walk_cursor(&fake, &token, "/api/v2/users.json?page[size]=100").await;
    let sizes: Vec<usize> = pages.iter().map(|page| ids(page, "users").len()).collect();
    assert_eq!(sizes, [100, 100, 50]);
    let all: BTreeSet<u64> = pages.iter().flat_map(|page| ids(page, "users")).collect();
    assert_eq!(all.len(), 250, "every user once");
    let last = &pages[2];
    assert!(
        last["links"]["next"].is_string(),
        "Zendesk gives a next link on the last page too: only has_more says stop"
    );
    let next = last["links"]["next"].as_str().unwrap();
    assert!(
        next.contains("page[after]=%2B%2B%2B%2B"),
        "cursor encoded: {next}"
    );
    let beyond = get(&fake, next, &token).await.json();
    assert_eq!(ids(&beyond, "users"), Vec::<u64>::new());
    assert_eq!(beyond["meta"]["has_more"], false);

    let prev = pages[1]["links"]["prev"].as_str().expect("links.prev");
    let back = get(&fake, prev, &token).await.json();
    assert_eq!(ids(&back, "users"), ids(&pages[0], "users"));

    let triggers = walk_cursor(&fake, &token, "/api/v2/triggers.json?page[size]=99").await;
    assert_eq!(triggers.len(), 3);
    assert!(triggers[0]["triggers"][0]["title"].is_string());
    let default_size = get(&fake, "/api/v2/users.json?page[after]=", &token).await;
    assert_eq!(
        default_size.status,
        StatusCode::BAD_REQUEST,
        "an empty cursor is a bad one"
    );
}

#[tokio::test]
async fn a_page_size_over_100_and_a_bad_cursor_are_refused() {
    let (fake, token) = fake_with(5).await;
    let over = get(&fake, "/api/v2/users.json?page[size]=101", &token).await;
    assert_eq!(over.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        over.json()["errors"][0]["code"],
        "InvalidPaginationParameter"
    );
    let word = get(&fake, "/api/v2/users.json?page[size]=ten", &token).await;
    assert_eq!(word.status, StatusCode::BAD_REQUEST);
    assert_eq!(word.json()["error"]["title"], "Invalid attribute");

    let first = get(&fake, "/api/v2/users.json?page[size]=2", &token)
        .await
        .json();
    let cursor = first["meta"]["after_cursor"].as_str().unwrap().to_owned();
    assert!(cursor.contains('+'), "cursors need encoding: {cursor}");
    let unencoded = format!("/api/v2/users.json?page[size]=2&page[after]={cursor}");
    let trigger_page = get(&fake, "/api/v2/triggers.json?page[size]=2", &token)
        .await
        .json();
    let foreign = trigger_page["meta"]["after_cursor"].as_str().unwrap();
    for bad in [
        unencoded,
        "/api/v2/users.json?page[after]=bm90LWEtY3Vyc29y".to_owned(),
        format!("/api/v2/users.json?page[after]={}", urlencode(foreign)),
    ] {
        let answer = get(&fake, &bad, &token).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(
            answer.json()["errors"][0]["code"],
            "InvalidPaginationParameter"
        );
    }
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

#[tokio::test]
async fn offset_pages_walk_to_the_end_and_stop_at_10000_records() {
    let (fake, token) = fake_with(250).await;
    let (pages, end) = walk_offset(&fake, &token, "/api/v2/users.json?per_page=100").await;
    assert_eq!(end, StatusCode::OK);
    assert_eq!(pages.len(), 3);
    assert!(pages.iter().all(|page| page["count"] == 250));
    assert!(pages[0]["previous_page"].is_null() && pages[1]["previous_page"].is_string());
    let all: BTreeSet<u64> = pages.iter().flat_map(|page| ids(page, "users")).collect();
    assert_eq!(all.len(), 250);
    let capped = get(&fake, "/api/v2/users.json?per_page=500", &token)
        .await
        .json();
    assert_eq!(ids(&capped, "users").len(), 100, "per_page is cut to 100");
    let default = get(&fake, "/api/v2/triggers.json", &token).await.json();
    assert_eq!(
        (ids(&default, "triggers").len(), default["count"].as_u64()),
        (100, Some(250))
    );

    fake.set_api_records(10_001);
    let page_100 = get(&fake, "/api/v2/users.json?page=100", &token)
        .await
        .json();
    let next = page_100["next_page"].as_str().expect("a record is left");
    let refused = get(&fake, next, &token).await;
    assert_eq!(
        refused.status,
        StatusCode::BAD_REQUEST,
        "past 10,000 records"
    );
    assert_eq!(
        refused.json()["errors"][0]["code"],
        "InvalidPaginationDepth"
    );
    let zero = get(&fake, "/api/v2/users.json?page=0", &token).await;
    assert_eq!(zero.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn search_pages_by_offset_only_and_stops_at_1000_results() {
    let (fake, token) = fake_with(2_500).await;
    let first = "/api/v2/search.json?query=type%3Auser%20role%3Aadmin";
    let (pages, end) = walk_offset(&fake, &token, first).await;
    assert_eq!(pages.len(), 10, "1,000 results in pages of 100");
    assert_eq!(
        end,
        StatusCode::UNPROCESSABLE_ENTITY,
        "next_page leads past the limit"
    );
    assert!(
        pages.iter().all(|page| page["count"] == 2_500),
        "count is the real total"
    );
    assert_eq!(pages[0]["results"][0]["result_type"], "user");
    let next = pages[9]["next_page"].as_str().unwrap();
    assert!(
        next.contains("query=type%3Auser+role%3Aadmin"),
        "the query is kept: {next}"
    );

    let cursor = get(&fake, "/api/v2/search.json?query=x&page[size]=10", &token).await;
    assert_eq!(cursor.status, StatusCode::BAD_REQUEST);
    assert_eq!(cursor.json()["error"]["title"], "Invalid attribute");
    let no_query = get(&fake, "/api/v2/search.json", &token).await;
    assert_eq!(no_query.status, StatusCode::BAD_REQUEST);

    fake.set_api_records(3);
    let (pages, end) = walk_offset(&fake, &token, "/api/v2/search.json?query=x").await;
    assert_eq!((pages.len(), end), (1, StatusCode::OK));
    assert_eq!(pages[0]["results"].as_array().map(Vec::len), Some(3));
}

#[tokio::test]
async fn an_empty_list_is_one_page_without_links() {
    let (fake, token) = fake_with(0).await;
    let page = get(&fake, "/api/v2/users.json?page[size]=10", &token)
        .await
        .json();
    assert_eq!(page["users"], serde_json::json!([]));
    assert_eq!(page["meta"]["has_more"], false);
    assert!(page["links"]["next"].is_null());
    let page = get(&fake, "/api/v2/users.json", &token).await.json();
    assert_eq!(
        (page["count"].as_u64(), page["next_page"].is_null()),
        (Some(0), true)
    );
}

fn roles(pages: &[Value]) -> BTreeSet<String> {
    pages
        .iter()
        .flat_map(|page| page["users"].as_array().expect("users").clone())
        .map(|user| user["role"].as_str().expect("a role").to_owned())
        .collect()
}

#[tokio::test]
async fn users_filtered_by_role_page_through_that_role_only() {
    let (fake, token) = fake_with(250).await;
    let admins = walk_cursor(&fake, &token, "/api/v2/users.json?role=admin&page[size]=10").await;
    assert_eq!(admins.len(), 3, "25 admins of 250 users, 10 a page");
    let ids_seen: BTreeSet<u64> = admins.iter().flat_map(|page| ids(page, "users")).collect();
    assert_eq!(ids_seen.len(), 25);
    assert_eq!(roles(&admins), BTreeSet::from(["admin".to_owned()]));
    let next = admins[0]["links"]["next"].as_str().unwrap();
    assert!(next.contains("role=admin"), "the filter is kept: {next}");

    let (agents, end) =
        walk_offset(&fake, &token, "/api/v2/users.json?role=agent&per_page=20").await;
    assert_eq!(end, StatusCode::OK);
    assert!(
        agents.iter().all(|page| page["count"] == 50),
        "count is the role's"
    );
    assert_eq!(
        agents
            .iter()
            .map(|page| ids(page, "users").len())
            .sum::<usize>(),
        50
    );
    assert_eq!(roles(&agents), BTreeSet::from(["agent".to_owned()]));

    let staff = "/api/v2/users.json?role[]=admin&role[]=agent&page[size]=100";
    let staff = walk_cursor(&fake, &token, staff).await;
    assert_eq!(
        staff
            .iter()
            .map(|page| ids(page, "users").len())
            .sum::<usize>(),
        75
    );
    assert_eq!(
        roles(&staff),
        BTreeSet::from(["admin".to_owned(), "agent".to_owned()])
    );
    let (everyone, _) = walk_offset(&fake, &token, "/api/v2/users.json").await;
    let everyone = roles(&everyone);
    assert_eq!(everyone.len(), 3, "Zendesk's three roles: {everyone:?}");
    let ends = get(&fake, "/api/v2/users.json?role=end-user", &token)
        .await
        .json();
    assert_eq!(ends["count"], 175);

    let owner = get(&fake, "/api/v2/users.json?role=owner", &token).await;
    assert_eq!(owner.status, StatusCode::BAD_REQUEST);
    assert_eq!(owner.json()["error"]["title"], "Invalid attribute");
    let anonymous = get(&fake, "/api/v2/users.json?role=owner", "not-a-token").await;
    assert_eq!(
        anonymous.status,
        StatusCode::UNAUTHORIZED,
        "who asks comes first"
    );
}

#[tokio::test]
async fn chats_page_by_next_url_to_the_end() {
    let fake = start(options()).await;
    fake.set_api_records(250);
    let token = fake.issue_grant(CHAT, &["chat"]).access_token;
    let mut url = format!("{}/api/v2/chat/chats", fake.base_url());
    let (mut sizes, mut seen) = (Vec::new(), BTreeSet::new());
    loop {
        let answer = get(&fake, &url, &token).await;
        assert_eq!(answer.status, StatusCode::OK, "{url}: {}", answer.text);
        let body = answer.json();
        assert_eq!(body["count"], 250);
        let chats = body["chats"].as_array().expect("chats");
        sizes.push(chats.len());
        seen.extend(
            chats
                .iter()
                .map(|chat| chat["id"].as_str().unwrap().to_owned()),
        );
        match body["next_url"].as_str() {
            Some(next) => {
                assert!(next.starts_with(&fake.base_url()), "on the fake: {next}");
                assert_ne!(next, url, "a next_url that moves on");
                url = next.to_owned();
            }
            None => break,
        }
        assert!(sizes.len() <= 10, "no end");
    }
    assert_eq!(sizes, [100, 100, 50]);
    assert_eq!(seen.len(), 250, "every chat once");
    let past = get(&fake, "/api/v2/chat/chats?page=0", &token).await;
    assert_eq!(past.status, StatusCode::BAD_REQUEST);
}
