//! What the vault holds once decrypted: a versioned JSON document, readable by anyone who
//! decrypts it with the stock `age` tool.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use jiff::Timestamp;
use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::expiry::ExpirySource;
use crate::secret::Secret;

/// Bump on any change of meaning; an older zdauth then refuses to write a newer vault.
pub(crate) const VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VaultData {
    pub(crate) version: u32,
    #[serde(default)]
    pub connections: BTreeMap<String, Entry>,
}

impl Default for VaultData {
    fn default() -> Self {
        Self {
            version: VERSION,
            connections: BTreeMap::new(),
        }
    }
}

/// Everything secret or learned at run time about one connection.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// Only for confidential OAuth clients; public clients have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_secret: Option<Secret>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Tokens>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<User>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_refresh: Option<Timestamp>,
    /// Free of secrets by construction: it is shown in the TUI and `status`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// When the last refresh attempt failed: callers that were waiting for it get its error
    /// instead of each trying again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error_at: Option<Timestamp>,
    /// The failure at `last_error_at` was Zendesk refusing the client's secret: callers that
    /// waited for that mint end as it did (a new secret is needed), not as after a failure
    /// worth trying again. Set with every `last_error_at`, so it never outlives its failure.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub secret_refused: bool,
    /// Zendesk refused the stored refresh token; the pair is kept (never wiped on an error
    /// alone) but only a browser login can help.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub login_required: bool,
    /// The token endpoint and client the tokens came from. A connection edited to point
    /// elsewhere must not send them there, nor show them as its own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

impl Entry {
    /// Whether the stored tokens were issued for `issuer` (entries from before the field
    /// existed are taken as matching).
    pub fn issued_by(&self, issuer: &str) -> bool {
        self.issuer.as_deref().is_none_or(|mine| mine == issuer)
    }
}

/// One access/refresh pair as issued together by Zendesk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tokens {
    pub access_token: Secret,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<Secret>,
    pub token_type: String,
    #[serde(default)]
    pub scopes: Vec<String>,
    pub obtained_at: Timestamp,
    /// None: no expiry known. Since zdauth learns one for every new pair, that is either a
    /// token that never expires (no refresh token) or one stored by an older zdauth, which
    /// [`crate::expiry`] treats as due.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Timestamp>,
    /// Where `expires_at` came from; vaults from before the field hold only server expiries.
    #[serde(default)]
    pub expiry_source: ExpirySource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refresh_expires_at: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: u64,
    pub name: String,
    pub email: String,
    pub role: String,
}

impl VaultData {
    pub fn to_plaintext(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(4096));
        serde_json::to_writer_pretty(&mut *out, self).expect("vault data always serializes");
        out.push(b'\n');
        out
    }

    /// The reason is safe to show: `serde_json`'s messages name positions, not values.
    pub fn from_plaintext(bytes: &[u8]) -> Result<Self, String> {
        #[derive(Deserialize)]
        struct VersionOnly {
            version: u32,
        }
        let VersionOnly { version } = serde_json::from_slice(bytes).map_err(|e| not_a_vault(&e))?;
        check_version(version)?;
        serde_json::from_slice(bytes).map_err(|e| mismatch(version, &e))
    }

    /// `name`'s entry alone: the others are only checked to be JSON, not built. One pass
    /// over the document, with no map of the other entries (the vault of 1,000 connections
    /// is read on every `zdauth token`).
    pub(crate) fn entry_from_plaintext(bytes: &[u8], name: &str) -> Result<Option<Entry>, String> {
        let mut version = None;
        let mut found = None;
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let walked = OneEntry {
            name,
            version: &mut version,
            found: &mut found,
        }
        .deserialize(&mut de)
        .and_then(|()| de.end());
        if let Err(e) = walked {
            return Err(match (version, e.classify()) {
                (Some(version), serde_json::error::Category::Data) => mismatch(version, &e),
                _ => not_a_vault(&e),
            });
        }
        let Some(version) = version else {
            return Err("its content is not a zdauth vault: it has no format version".into());
        };
        check_version(version)?;
        Ok(found)
    }
}

/// Walks `{"connections": {NAME: ENTRY, ...}, ...}` and builds only `name`'s entry; every
/// other value is still checked to be JSON by [`IgnoredAny`].
struct OneEntry<'n, 'f> {
    name: &'n str,
    version: &'f mut Option<u32>,
    found: &'f mut Option<Entry>,
}

impl<'de> DeserializeSeed<'de> for OneEntry<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for OneEntry<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a zdauth vault")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == "version" {
                *self.version = Some(map.next_value()?);
            } else if key == "connections" {
                map.next_value_seed(Entries {
                    name: self.name,
                    found: &mut *self.found,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

struct Entries<'n, 'f> {
    name: &'n str,
    found: &'f mut Option<Entry>,
}

impl<'de> DeserializeSeed<'de> for Entries<'_, '_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Entries<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a map of connection names to entries")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<Cow<'de, str>>()? {
            if key == self.name {
                // A later duplicate wins, as it does for the full read's map.
                *self.found = Some(map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

fn not_a_vault(e: &serde_json::Error) -> String {
    format!(
        "its content is not a zdauth vault: {}",
        e.classify_message()
    )
}

fn check_version(version: u32) -> Result<(), String> {
    if version == 0 {
        return Err("its format version is 0, which no zdauth writes".into());
    }
    Ok(())
}

fn mismatch(version: u32, e: &serde_json::Error) -> String {
    format!(
        "its content does not match format {version}: {}",
        e.classify_message()
    )
}

trait ClassifyMessage {
    fn classify_message(&self) -> String;
}

impl ClassifyMessage for serde_json::Error {
    /// Position and category only: `serde_json` quotes offending values in some messages, and
    /// a value here may be a token.
    fn classify_message(&self) -> String {
        let category = match self.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "malformed JSON",
            serde_json::error::Category::Data => "unexpected field or value",
            serde_json::error::Category::Eof => "cut short",
        };
        format!(
            "{category} at line {} column {}",
            self.line(),
            self.column()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> VaultData {
        let mut data = VaultData::default();
        data.connections.insert(
            "acme".into(),
            Entry {
                client_secret: Some(Secret::new("cs")),
                tokens: Some(Tokens {
                    access_token: Secret::new("at-secret"),
                    refresh_token: Some(Secret::new("rt-secret")),
                    token_type: "bearer".into(),
                    scopes: vec!["read".into()],
                    obtained_at: "2026-11-28T07:00:00Z".parse().unwrap(),
                    expires_at: Some("2026-11-28T07:30:00Z".parse().unwrap()),
                    expiry_source: crate::expiry::ExpirySource::Server,
                    refresh_expires_at: Some("2026-12-28T07:00:00Z".parse().unwrap()),
                }),
                user: Some(User {
                    id: 7,
                    name: "Ann".into(),
                    email: "ann@acme.test".into(),
                    role: "admin".into(),
                }),
                last_refresh: None,
                last_error: None,
                last_error_at: None,
                secret_refused: false,
                login_required: false,
                issuer: Some("https://acme.zendesk.com/oauth/tokens acme".into()),
            },
        );
        data
    }

    #[test]
    fn round_trip() {
        let data = sample();
        let back = VaultData::from_plaintext(&data.to_plaintext()).unwrap();
        assert_eq!(back, data);
    }

    #[test]
    fn times_are_rfc3339_utc() {
        let text = String::from_utf8(sample().to_plaintext().to_vec()).unwrap();
        assert!(
            text.contains("\"expires_at\": \"2026-11-28T07:30:00Z\""),
            "{text}"
        );
        assert!(text.contains("\"version\": 1"), "{text}");
    }

    #[test]
    fn errors_never_quote_values() {
        let bad = br#"{"version":1,"connections":{"acme":{"tokens":{"access_token":7}}}}"#;
        let reason = VaultData::from_plaintext(bad).unwrap_err();
        assert!(reason.contains("unexpected field or value"), "{reason}");
        let bad = br#"{"version":1,"connections":{"acme":{"tokens":"rt-secret-value"}}}"#;
        let reason = VaultData::from_plaintext(bad).unwrap_err();
        assert!(!reason.contains("rt-secret-value"), "{reason}");
        assert!(VaultData::from_plaintext(b"garbage").is_err());
        assert!(VaultData::from_plaintext(br#"{"version":0}"#).is_err());
    }

    #[test]
    fn one_entry_reads_as_the_whole_document_has_it() {
        let data = sample();
        let plain = data.to_plaintext();
        let entry = VaultData::entry_from_plaintext(&plain, "acme").unwrap();
        assert_eq!(entry.as_ref(), data.connections.get("acme"));
        assert_eq!(
            VaultData::entry_from_plaintext(&plain, "other").unwrap(),
            None
        );
        let bad = br#"{"version":1,"connections":{"acme":{"tokens":"rt-secret-value"}}}"#;
        let reason = VaultData::entry_from_plaintext(bad, "acme").unwrap_err();
        assert!(reason.contains("does not match format 1"), "{reason}");
        assert!(!reason.contains("rt-secret-value"), "{reason}");
        // The other entries are not built, but the document must still be a vault.
        assert!(VaultData::entry_from_plaintext(b"garbage", "acme").is_err());
        assert!(VaultData::entry_from_plaintext(br#"{"version":0}"#, "acme").is_err());
        assert!(
            VaultData::entry_from_plaintext(br#"{"version":1,"connections":{"x":[}}"#, "acme")
                .is_err()
        );
    }

    #[test]
    fn newer_versions_still_read() {
        let data =
            VaultData::from_plaintext(br#"{"version":2,"connections":{},"new":true}"#).unwrap();
        assert_eq!(data.version, 2);
    }
}
