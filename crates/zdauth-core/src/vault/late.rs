//! What a write to the team store does when its check-and-set lost: another machine wrote the
//! secret after we read it. A pure function of three entries (what we read, what we mean to
//! write, what the store holds now), so that the rule can be tested on its own.
//!
//! The rule (issue 16, "late writer"): a pair is known by its refresh token (by its access
//! token when it has none). If the store still holds the pair we read, nobody rotated past
//! it, and our change goes on top, merged field by field with whatever else changed meanwhile
//! (a takeover's login-required mark, another machine's new client secret). If the store
//! holds another pair, it is left as it is: a new pair of ours is still handed to our caller
//! (both were issued by the server; the store keeps the one written last), and any other
//! change of ours (a note, a forgotten pair) is refused, as it was about a pair that is gone.

use super::payload::{Entry, Tokens};
use crate::secret::Secret;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Late {
    /// Write this on top of the store's current version.
    Write(Box<Entry>),
    /// The store already holds our pair (an earlier try landed): nothing to write.
    AlreadyThere,
    /// The store holds another new pair: keep it; ours still goes to our caller.
    KeepStore,
    /// Our change was about a pair the store no longer holds: nothing written, say so.
    Refuse,
}

/// The secret a pair is known by.
fn key(entry: Option<&Entry>) -> Option<&Secret> {
    entry.and_then(|e| e.tokens.as_ref()).map(pair_key)
}

pub(crate) fn pair_key(tokens: &Tokens) -> &Secret {
    tokens
        .refresh_token
        .as_ref()
        .unwrap_or(&tokens.access_token)
}

/// Whether writing `ours` over `base` stores a pair `base` did not hold.
pub(crate) fn is_new_pair(base: Option<&Entry>, ours: &Entry) -> bool {
    ours.tokens.is_some() && key(Some(ours)) != key(base)
}

/// Decides what to do after a lost check-and-set: `base` is the entry our change started from
/// (None: there was none), `ours` the entry we tried to write, `current` the store's now
/// (None: the secret is gone).
pub(crate) fn decide(base: Option<&Entry>, ours: &Entry, current: Option<&Entry>) -> Late {
    let new_pair = is_new_pair(base, ours);
    if new_pair && current.is_some() && key(current) == key(Some(ours)) {
        return Late::AlreadyThere;
    }
    match current {
        // Deleted meanwhile (removed, or moved to a local vault): a pair the server issued
        // is never dropped, so it is written back.
        None if new_pair => Late::Write(Box::new(ours.clone())),
        Some(current) if key(Some(current)) == key(base) => {
            Late::Write(Box::new(merge(base, ours, current, new_pair)))
        }
        Some(_) if new_pair => Late::KeepStore,
        // Deleted, or another pair: nothing left that our change was about.
        _ => Late::Refuse,
    }
}

/// `current` with every field `ours` changed from `base`; with a new pair, every field that
/// describes the pair is ours (a takeover's login-required mark was about the pair we
/// replaced).
fn merge(base: Option<&Entry>, ours: &Entry, current: &Entry, new_pair: bool) -> Entry {
    let base = base.cloned().unwrap_or_default();
    let mut out = current.clone();
    // Spelled out field by field, so that a new field of Entry must be decided here.
    let Entry {
        client_secret,
        tokens,
        user,
        last_refresh,
        last_error,
        last_error_at,
        secret_refused,
        login_required,
        issuer,
    } = ours;
    macro_rules! take {
        ($field:ident, $pair:expr) => {
            if $pair || *$field != base.$field {
                out.$field = $field.clone();
            }
        };
    }
    take!(client_secret, false);
    take!(user, false);
    take!(tokens, new_pair);
    take!(last_refresh, new_pair);
    take!(last_error, new_pair);
    take!(last_error_at, new_pair);
    take!(secret_refused, new_pair);
    take!(login_required, new_pair);
    take!(issuer, new_pair);
    out
}

/// `current` with the pair of `from` and every field that describes it: what a pair taken
/// back from a rescue file brings.
pub(crate) fn adopt_pair(current: &Entry, from: &Entry) -> Entry {
    // `from` as its own base: its other fields (client secret, user) count as unchanged and
    // stay the store's, which may be newer than the rescue.
    merge(Some(from), from, current, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn pair(refresh: Option<&str>, access: &str) -> Tokens {
        Tokens {
            access_token: Secret::new(access),
            refresh_token: refresh.map(Secret::new),
            token_type: "bearer".into(),
            scopes: vec![],
            obtained_at: jiff::Timestamp::UNIX_EPOCH,
            expires_at: None,
            expiry_source: crate::expiry::ExpirySource::Server,
            refresh_expires_at: None,
        }
    }

    fn with(refresh: &str) -> Entry {
        Entry {
            tokens: Some(pair(Some(refresh), &format!("at-{refresh}"))),
            ..Entry::default()
        }
    }

    #[test]
    fn table() {
        let spent = with("r1");
        let ours = Entry {
            last_refresh: Some(jiff::Timestamp::UNIX_EPOCH),
            ..with("r2")
        };
        // A takeover's lease or login-required mark on the pair we spent: ours goes on top.
        let marked = Entry {
            login_required: true,
            client_secret: Some(Secret::new("new-secret")),
            ..spent.clone()
        };
        let Late::Write(written) = decide(Some(&spent), &ours, Some(&marked)) else {
            panic!("ours must go on top");
        };
        assert_eq!(written.tokens, ours.tokens);
        assert!(!written.login_required, "the mark was about the spent pair");
        assert_eq!(written.client_secret, marked.client_secret, "kept");
        // Another machine rotated past the pair we spent: the store's stays.
        assert_eq!(
            decide(Some(&spent), &ours, Some(&with("r3"))),
            Late::KeepStore
        );
        // Our own earlier try landed.
        assert_eq!(
            decide(Some(&spent), &ours, Some(&with("r2"))),
            Late::AlreadyThere
        );
        // Deleted meanwhile: a pair is written back, a note is not.
        assert_eq!(
            decide(Some(&spent), &ours, None),
            Late::Write(Box::new(ours.clone()))
        );
        let note = Entry {
            last_error: Some("timed out".into()),
            ..spent.clone()
        };
        assert_eq!(decide(Some(&spent), &note, None), Late::Refuse);
        // A note about a pair that is gone is refused; on the same pair it merges.
        assert_eq!(decide(Some(&spent), &note, Some(&with("r3"))), Late::Refuse);
        let Late::Write(noted) = decide(Some(&spent), &note, Some(&marked)) else {
            panic!("a note on the same pair merges");
        };
        assert!(noted.login_required, "not ours to clear");
        assert_eq!(noted.last_error, note.last_error);
        // Forgetting a pair another machine replaced meanwhile is refused.
        let forgotten = Entry {
            tokens: None,
            ..spent.clone()
        };
        assert_eq!(
            decide(Some(&spent), &forgotten, Some(&with("r3"))),
            Late::Refuse
        );
        // A client credentials token is known by its access token.
        let minted = |a: &str| Entry {
            tokens: Some(pair(None, a)),
            ..Entry::default()
        };
        assert_eq!(
            decide(Some(&minted("a1")), &minted("a2"), Some(&minted("a3"))),
            Late::KeepStore
        );
    }

    fn entry() -> impl Strategy<Value = Option<Entry>> {
        let tokens = prop_oneof![
            Just(None),
            (0..3u8, proptest::bool::ANY).prop_map(|(n, rotating)| {
                let refresh = format!("r{n}");
                Some(pair(rotating.then_some(refresh.as_str()), &format!("a{n}")))
            }),
        ];
        let entry = (tokens, proptest::bool::ANY, proptest::option::of(0..2u8)).prop_map(
            |(tokens, login_required, secret)| Entry {
                tokens,
                login_required,
                client_secret: secret.map(|s| Secret::new(format!("s{s}"))),
                ..Entry::default()
            },
        );
        proptest::option::of(entry)
    }

    proptest! {
        /// A new pair of ours is stored, already there, or yields only to another new pair;
        /// a different pair in the store is never overwritten; what we did not change of the
        /// store's is kept.
        #[test]
        fn never_loses_nor_clobbers(base in entry(), ours in entry(), current in entry()) {
            let Some(ours) = ours else { return Ok(()) };
            let outcome = decide(base.as_ref(), &ours, current.as_ref());
            let (kb, ko, kc) = (key(base.as_ref()), key(Some(&ours)), key(current.as_ref()));
            let other_pair = current.is_some() && kc != kb && kc != ko;
            if let Late::Write(written) = &outcome {
                prop_assert!(!other_pair || current.is_none(), "overwrote another pair");
                if let Some(current) = &current {
                    let base_secret = base.as_ref().and_then(|b| b.client_secret.clone());
                    if ours.client_secret == base_secret {
                        prop_assert_eq!(&written.client_secret, &current.client_secret);
                    }
                }
            }
            if is_new_pair(base.as_ref(), &ours) {
                match &outcome {
                    Late::Write(written) => prop_assert_eq!(key(Some(written)), ko),
                    Late::AlreadyThere => prop_assert_eq!(kc, ko),
                    Late::KeepStore => prop_assert!(other_pair),
                    Late::Refuse => prop_assert!(false, "a new pair was refused"),
                }
            } else {
                prop_assert!(!matches!(outcome, Late::KeepStore | Late::AlreadyThere));
            }
        }
    }
}
