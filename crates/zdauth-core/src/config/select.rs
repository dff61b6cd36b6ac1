//! Which connections a command acts on: names (each may be a glob such as `eu-*`), `--all`,
//! and `--tag` (every given tag must match). One piece, so that `api`, `list`, `status`,
//! `refresh` and `export` pick the same connections from the same words.

use glob::{MatchOptions, Pattern};

use super::{Config, Connection};
use crate::error::{Error, quote};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selector {
    /// Exact names or glob patterns (`*`, `?`, `[…]`).
    pub names: Vec<String>,
    pub all: bool,
    /// Each must be among a connection's tags.
    pub tags: Vec<String>,
}

impl Selector {
    /// Whether anything was asked for: a command taking either one NAME or a selection uses
    /// this to tell them apart.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty() && !self.all && self.tags.is_empty()
    }

    /// Whether it can pick more than one connection (a glob, `--all`, a tag, several names):
    /// such commands answer in their many-connection form even when one matches.
    pub fn is_many(&self) -> bool {
        self.all
            || !self.tags.is_empty()
            || self.names.len() > 1
            || self.names.iter().any(|n| is_glob(n))
    }

    /// The connections picked, in config order and each once. Names and tags combine as an
    /// intersection. An exact name that is not configured is [`Error::UnknownConnection`]; a
    /// glob or a tag set that picks nothing is a usage error naming it, so that a typo in a
    /// cron line does not pass as "nothing to do".
    pub fn pick<'a>(&self, config: &'a Config) -> Result<Vec<&'a Connection>, Error> {
        let mut patterns = Vec::with_capacity(self.names.len());
        for name in &self.names {
            if is_glob(name) {
                let pattern = Pattern::new(name).map_err(|e| {
                    Error::Usage(format!(
                        "{} is not a usable pattern ({}): write e.g. 'eu-*'",
                        quote(name),
                        e.msg
                    ))
                })?;
                if !config.connections.iter().any(|c| matches(&pattern, c)) {
                    return Err(Error::Usage(format!(
                        "no connection matches {}: see `zdauth list`",
                        quote(name)
                    )));
                }
                patterns.push(Some(pattern));
            } else {
                if config.connection(name).is_none() {
                    return Err(Error::UnknownConnection(name.clone()));
                }
                patterns.push(None);
            }
        }
        let named = |c: &Connection| {
            self.all
                || self.names.is_empty()
                || self
                    .names
                    .iter()
                    .zip(&patterns)
                    .any(|(name, pattern)| match pattern {
                        Some(pattern) => matches(pattern, c),
                        None => c.name == *name,
                    })
        };
        let tagged = |c: &Connection| self.tags.iter().all(|t| c.tags.contains(t));
        let picked: Vec<&Connection> = config
            .connections
            .iter()
            .filter(|c| named(c) && tagged(c))
            .collect();
        if picked.is_empty() && !self.tags.is_empty() {
            let tags: Vec<String> = self.tags.iter().map(|t| quote(t)).collect();
            return Err(Error::Usage(format!(
                "no connection has the tag{} {}: see `zdauth list`",
                if tags.len() == 1 { "" } else { "s" },
                tags.join(" and ")
            )));
        }
        Ok(picked)
    }
}

fn is_glob(name: &str) -> bool {
    name.contains(['*', '?', '['])
}

fn matches(pattern: &Pattern, connection: &Connection) -> bool {
    let options = MatchOptions {
        case_sensitive: true,
        require_literal_separator: false,
        require_literal_leading_dot: false,
    };
    pattern.matches_with(&connection.name, options)
}

#[cfg(test)]
mod tests {
    use std::fmt::Write as _;

    use super::*;

    fn config() -> Config {
        let text = [
            ("eu-acme", "[\"prod\", \"eu\"]"),
            ("eu-globex", "[\"staging\", \"eu\"]"),
            ("us-initech", "[\"prod\"]"),
            ("sandbox", "[]"),
        ]
        .iter()
        .fold(String::new(), |mut text, (name, tags)| {
            let _ = writeln!(
                text,
                "[[connection]]\nname = \"{name}\"\nsubdomain = \"{name}\"\nclient_id = \"c\"\ntags = {tags}"
            );
            text
        });
        Config::parse(&text, std::path::Path::new("t.toml")).unwrap()
    }

    fn names(selector: &Selector) -> Result<Vec<String>, String> {
        let config = config();
        selector
            .pick(&config)
            .map(|picked| picked.iter().map(|c| c.name.clone()).collect())
            .map_err(|e| e.to_string())
    }

    fn selector(names: &[&str], all: bool, tags: &[&str]) -> Selector {
        Selector {
            names: names.iter().map(|&n| n.to_owned()).collect(),
            all,
            tags: tags.iter().map(|&t| t.to_owned()).collect(),
        }
    }

    #[test]
    fn names_globs_tags_and_all_pick_in_config_order_once() {
        assert_eq!(
            names(&selector(&["us-initech", "eu-*", "eu-acme"], false, &[])).unwrap(),
            ["eu-acme", "eu-globex", "us-initech"]
        );
        assert_eq!(
            names(&selector(&[], false, &["prod"])).unwrap(),
            ["eu-acme", "us-initech"]
        );
        assert_eq!(
            names(&selector(&[], false, &["prod", "eu"])).unwrap(),
            ["eu-acme"]
        );
        assert_eq!(
            names(&selector(&["eu-*"], false, &["staging"])).unwrap(),
            ["eu-globex"]
        );
        assert_eq!(names(&selector(&[], true, &[])).unwrap().len(), 4);
        assert_eq!(
            names(&selector(&[], true, &["eu"])).unwrap(),
            ["eu-acme", "eu-globex"]
        );
    }

    #[test]
    fn a_typo_is_an_error_not_an_empty_selection() {
        let unknown = names(&selector(&["acme"], false, &[])).unwrap_err();
        assert!(unknown.contains("acme"), "{unknown}");
        let glob = names(&selector(&["ap-*"], false, &[])).unwrap_err();
        assert!(glob.contains("no connection matches \"ap-*\""), "{glob}");
        let tag = names(&selector(&[], true, &["prdo"])).unwrap_err();
        assert!(tag.contains("no connection has the tag \"prdo\""), "{tag}");
        let bad = names(&selector(&["eu-[a"], false, &[])).unwrap_err();
        assert!(bad.contains("not a usable pattern"), "{bad}");
    }

    #[test]
    fn only_globs_tags_all_or_several_names_make_many() {
        assert!(!selector(&["eu-acme"], false, &[]).is_many());
        assert!(selector(&["eu-*"], false, &[]).is_many());
        assert!(selector(&["a", "b"], false, &[]).is_many());
        assert!(selector(&[], false, &["prod"]).is_many());
        assert!(selector(&[], true, &[]).is_many());
        assert!(Selector::default().is_empty());
    }
}
