//! `--paginate` over every shape Zendesk pages in: cursor (`links.next` while
//! `meta.has_more`), offset (`next_page`), search, Chat's list; `--max-pages`.

use std::collections::BTreeSet;

use serde_json::Value;

use super::{api, code, lines, three};
use crate::common::world::World;

fn world(records: usize) -> World {
    let w = World::new(|_| {});
    w.seed();
    w.fake.set_api_records(records);
    w
}

/// Every id in the pages' `key` lists, checked unique.
fn ids(pages: &[Value], key: &str) -> BTreeSet<u64> {
    let mut seen = BTreeSet::new();
    for page in pages {
        for record in page[key].as_array().unwrap() {
            assert!(
                seen.insert(record["id"].as_u64().unwrap()),
                "twice: {record}"
            );
        }
    }
    seen
}

#[test]
fn cursor_pagination_follows_links_next_while_has_more() {
    let w = world(250);
    let run = api(&w, &["acme", "users.json?page[size]=100", "--paginate"]);
    code(&run, 0);
    let pages = lines(&run);
    assert_eq!(pages.len(), 3, "{}", run.stderr);
    assert_eq!(ids(&pages, "users").len(), 250);
    assert_eq!(pages[2]["meta"]["has_more"], false);
    assert_eq!(
        w.fake.counters().api_calls_to("GET", "/api/v2/users.json"),
        3
    );
    // Without --paginate, the first page only.
    let run = api(&w, &["acme", "triggers.json?page[size]=100"]);
    code(&run, 0);
    assert_eq!(lines(&run).len(), 1);
}

#[test]
fn offset_pagination_follows_next_page_until_null() {
    let w = world(250);
    for (target, key) in [
        ("triggers.json?per_page=100", "triggers"),
        ("search.json?query=type:user&per_page=100", "results"),
    ] {
        let run = api(&w, &["acme", target, "--paginate"]);
        code(&run, 0);
        let pages = lines(&run);
        assert_eq!(pages.len(), 3, "{target}: {}", run.stderr);
        assert!(pages[2]["next_page"].is_null(), "{}", pages[2]);
        assert_eq!(ids(&pages, key).len(), 250, "{target}");
    }
}

#[test]
fn max_pages_stops_prints_what_it_has_and_exits_1() {
    let w = world(250);
    let run = api(
        &w,
        &[
            "acme",
            "users.json?page[size]=50",
            "--paginate",
            "--max-pages",
            "2",
        ],
    );
    code(&run, 1);
    assert_eq!(lines(&run).len(), 2);
    assert_eq!(
        run.stderr,
        "zdauth: acme: stopped after 2 pages with more to fetch: raise --max-pages\n"
    );
    assert_eq!(
        w.fake.counters().api_calls_to("GET", "/api/v2/users.json"),
        2
    );
    // Exactly enough pages is no truncation.
    let run = api(
        &w,
        &[
            "acme",
            "users.json?page[size]=100",
            "--paginate",
            "--max-pages",
            "3",
        ],
    );
    code(&run, 0);
    code(
        &api(
            &w,
            &["acme", "users.json", "--paginate", "--max-pages", "0"],
        ),
        2,
    );
}

#[test]
fn many_connections_paginate_each_page_a_line_in_order_with_sort() {
    let w = three();
    w.fake.set_api_records(120);
    let run = api(
        &w,
        &["--all", "--sort", "users.json?page[size]=50", "--paginate"],
    );
    code(&run, 0);
    let got = lines(&run);
    assert_eq!(got.len(), 9);
    let order: Vec<(String, u64)> = got
        .iter()
        .map(|l| {
            let first = l["body"]["users"][0]["id"].as_u64().unwrap();
            (l["connection"].as_str().unwrap().to_owned(), first)
        })
        .collect();
    for (i, name) in ["acme", "beta", "gamma"].iter().enumerate() {
        let mine = &order[i * 3..i * 3 + 3];
        assert!(mine.iter().all(|(n, _)| n == name), "{order:?}");
        assert!(
            mine.windows(2).all(|p| p[0].1 < p[1].1),
            "pages out of order: {order:?}"
        );
    }
    let run = api(
        &w,
        &[
            "--all",
            "users.json?page[size]=50",
            "--paginate",
            "--max-pages",
            "1",
        ],
    );
    code(&run, 1);
    assert_eq!(lines(&run).len(), 3);
    assert_eq!(
        run.stderr.lines().last().unwrap(),
        "zdauth: 0 ok, 3 truncated"
    );
}

#[test]
fn paginate_is_for_get_only() {
    let w = world(3);
    let run = api(
        &w,
        &["acme", "tickets.json", "--paginate", "-f", "ticket:={}"],
    );
    code(&run, 2);
    assert_eq!(w.fake.counters().api_requests, 0);
}
