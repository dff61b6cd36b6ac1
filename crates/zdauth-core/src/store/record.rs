//! What one connection's secret holds in the store, as KV v2 `data`:
//! `{"zdauth": 1, "payload": "<age armor>", "lease": {"holder": "…", "until": "…"}}`.
//! The payload (the vault entry and the connection's public description) is encrypted; the
//! lease is in the clear, as every machine must read it before it can decrypt anything.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::config::Connection;

/// The `zdauth` field's value this zdauth writes; a larger one is refused, not overwritten.
pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lease {
    /// Machine, process and a random id: `host/pid/hex`.
    pub holder: String,
    /// The holder's refresh will have ended by then; after it, another may take the lease.
    pub until: Timestamp,
}

impl Lease {
    pub fn is_live(&self, now: Timestamp) -> bool {
        self.until > now
    }
}

/// The secret's `data` as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordData {
    #[serde(rename = "zdauth")]
    pub format: u32,
    /// age armor of the JSON of the entry (see `vault`), encrypted to every member.
    pub payload: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lease: Option<Lease>,
}

/// A secret as read: its version (KV v2 metadata) and data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub version: u64,
    pub data: RecordData,
}

/// The connection's public description, carried inside the encrypted payload so that
/// `zdauth store list` can print what another machine passes to `zdauth import`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Descriptor {
    pub name: String,
    pub subdomain: String,
    pub client_id: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub base_url: Option<String>,
    pub grant: String,
    pub scopes: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

impl Descriptor {
    pub fn of(connection: &Connection) -> Self {
        Self {
            name: connection.name.clone(),
            subdomain: connection.subdomain.clone(),
            client_id: connection.client_id.clone(),
            kind: connection.kind.as_str().to_owned(),
            base_url: connection.base_url.clone(),
            grant: connection.grant.as_str().to_owned(),
            scopes: connection.scopes.clone(),
            tags: connection.tags.clone(),
        }
    }
}
