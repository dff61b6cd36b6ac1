//! Which page comes next, as Zendesk's two pagination shapes say (the facts file): cursor
//! pages follow `links.next` while `meta.has_more` is true; offset pages follow `next_page`
//! while it is a URL; Chat's lists follow `next_url` while it is a URL. A shape that
//! contradicts itself stops the walk rather than guess.

use std::collections::HashSet;
use std::hash::{BuildHasher, RandomState};

use serde_json::Value;
use url::Url;

#[derive(Debug, PartialEq, Eq)]
pub(super) enum Next {
    End,
    Follow(String),
    Broken(&'static str),
}

pub(super) fn next_page(body: &Value) -> Next {
    if let Some(has_more) = body.pointer("/meta/has_more") {
        return match has_more {
            Value::Bool(false) => Next::End,
            Value::Bool(true) => match body.pointer("/links/next") {
                Some(Value::String(next)) => Next::Follow(next.clone()),
                _ => Next::Broken("meta.has_more is true but links.next is not a URL"),
            },
            _ => Next::Broken("meta.has_more is neither true nor false"),
        };
    }
    if let Some(next) = body.get("next_page") {
        return match next {
            Value::Null => Next::End,
            Value::String(next) => Next::Follow(next.clone()),
            _ => Next::Broken("next_page is neither a URL nor null"),
        };
    }
    match body.get("next_url") {
        None | Some(Value::Null) => Next::End,
        Some(Value::String(next)) => Next::Follow(next.clone()),
        Some(_) => Next::Broken("next_url is neither a URL nor null"),
    }
}

/// The URLs a walk fetched, as hashes: a walk of 100,000 pages keeps 800 KB, not its URLs.
pub(super) struct Fetched {
    hasher: RandomState,
    seen: HashSet<u64>,
}

impl Fetched {
    pub(super) fn new() -> Self {
        Self {
            hasher: RandomState::new(),
            seen: HashSet::new(),
        }
    }

    /// Whether `url` is new to this walk; it is remembered either way.
    pub(super) fn first_time(&mut self, url: &Url) -> bool {
        self.seen.insert(self.hasher.hash_one(url.as_str()))
    }
}
