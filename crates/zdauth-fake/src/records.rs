//! The records behind the list endpoints, made up from their index so that a fake can hold
//! ten thousand of them without storing any: the same index always gives the same record.
//! Users have Zendesk's three roles in a fixed pattern, so that a list filtered by role is
//! arithmetic too.

use serde_json::{Value, json};

/// Zendesk's user roles, by index modulo ten: one admin, two agents, seven end users in every
/// ten users (an account's first user, its owner, is an admin).
const ROLE_PATTERN: [&str; 10] = [
    "admin", "agent", "agent", "end-user", "end-user", "end-user", "end-user", "end-user",
    "end-user", "end-user",
];
pub(crate) const ROLES: [&str; 3] = ["admin", "agent", "end-user"];

fn role_of(index: usize) -> &'static str {
    ROLE_PATTERN[index % ROLE_PATTERN.len()]
}

/// The users of some roles, as a list of their own: which user the n-th of them is, and how
/// many of `total` users they are.
pub(crate) struct RoleFilter {
    /// The residues (index modulo ten) whose role is asked for, ascending.
    residues: Vec<usize>,
}

impl RoleFilter {
    /// `None` for a role Zendesk does not have.
    pub(crate) fn new(roles: &[&str]) -> Option<Self> {
        if roles.iter().any(|role| !ROLES.contains(role)) {
            return None;
        }
        let residues = (0..ROLE_PATTERN.len())
            .filter(|&residue| roles.contains(&ROLE_PATTERN[residue]))
            .collect();
        Some(Self { residues })
    }

    pub(crate) fn count(&self, total: usize) -> usize {
        let (rounds, rest) = (total / ROLE_PATTERN.len(), total % ROLE_PATTERN.len());
        let tail = self
            .residues
            .iter()
            .filter(|&&residue| residue < rest)
            .count();
        rounds * self.residues.len() + tail
    }

    /// The index of the `position`-th matching user (`position < count`).
    pub(crate) fn index(&self, position: usize) -> usize {
        let per_round = self.residues.len().max(1);
        let residue = self
            .residues
            .get(position % per_round)
            .copied()
            .unwrap_or(0);
        (position / per_round) * ROLE_PATTERN.len() + residue
    }
}

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
        "role": role_of(index),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_role_filter_lists_exactly_the_users_of_its_roles_in_order() {
        for roles in [
            &["admin"][..],
            &["agent"],
            &["end-user"],
            &["admin", "agent"],
            &["end-user", "admin"],
            &ROLES,
        ] {
            let filter = RoleFilter::new(roles).unwrap();
            for total in [0, 1, 2, 3, 9, 10, 11, 150, 10_007] {
                let expected: Vec<usize> = (0..total)
                    .filter(|&index| roles.contains(&role_of(index)))
                    .collect();
                assert_eq!(filter.count(total), expected.len(), "{roles:?} of {total}");
                let listed: Vec<usize> = (0..expected.len()).map(|n| filter.index(n)).collect();
                assert_eq!(listed, expected, "{roles:?} of {total}");
            }
        }
        assert!(RoleFilter::new(&["owner"]).is_none());
        assert!(RoleFilter::new(&["admin", "Admin"]).is_none());
    }
}
