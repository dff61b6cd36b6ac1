//! A secret string (token, client secret, passphrase) that is zeroized on drop and never
//! printed by `Debug`. It serializes as plain text only because the vault payload is
//! encrypted before it touches the disk.

use std::fmt;
use std::process::Command;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The only way to read the value: every call site is a place a reviewer should look.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.expose().is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for Secret {}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let plain = zeroize::Zeroizing::new(String::deserialize(deserializer)?);
        Ok(Self::new(plain.as_str()))
    }
}

/// Environment variables that may carry a passphrase: zdauth reads them, and no program it
/// starts (exec's command, a clipboard tool, tmux, the browser) inherits them.
pub const PASSPHRASE_VARS: [&str; 2] = ["ZDAUTH_PASSPHRASE", "ZDAUTH_NEW_PASSPHRASE"];

/// `command` with the passphrase variables taken out of the environment it inherits.
pub fn without_passphrases(command: &mut Command) -> &mut Command {
    for var in PASSPHRASE_VARS {
        command.env_remove(var);
    }
    command
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let secret = Secret::new("hunter2-token");
        assert_eq!(format!("{secret:?}"), "[redacted]");
        assert_eq!(format!("{:?}", Some(&secret)), "Some([redacted])");
    }

    #[test]
    fn serde_round_trip_keeps_the_value() {
        let json = serde_json::to_string(&Secret::new("abc")).unwrap();
        assert_eq!(json, "\"abc\"");
        let back: Secret = serde_json::from_str(&json).unwrap();
        assert_eq!(back.expose(), "abc");
    }
}
