use super::*;
use crate::secret::Secret;

const MARGIN: Duration = Duration::from_secs(300);

fn now() -> Timestamp {
    "2026-11-28T12:00:00Z".parse().unwrap()
}

/// A pair obtained `age` seconds ago that lives `life` seconds in all.
fn pair(life: Option<i64>, age: i64, refresh: bool) -> Tokens {
    let obtained_at = now() - SignedDuration::from_secs(age);
    Tokens {
        access_token: Secret::new("a"),
        refresh_token: refresh.then(|| Secret::new("r")),
        token_type: "bearer".into(),
        scopes: vec![],
        obtained_at,
        expires_at: life.map(|s| obtained_at + SignedDuration::from_secs(s)),
        expiry_source: ExpirySource::Server,
        refresh_expires_at: None,
    }
}

#[test]
fn a_long_lived_pair_is_due_inside_the_margin() {
    let s = schedule(&pair(Some(1800), 0, true), MARGIN);
    assert_eq!(s.rule, Rule::Margin);
    assert!(!is_due(&pair(Some(1800), 1499, true), now(), MARGIN));
    assert!(is_due(&pair(Some(1800), 1500, true), now(), MARGIN));
}

#[test]
fn a_pair_shorter_than_twice_the_margin_is_due_at_half_its_life() {
    // 120 s against a 300 s margin: the margin rule would make it due as it is stored.
    assert_eq!(
        schedule(&pair(Some(120), 0, true), MARGIN).rule,
        Rule::HalfLife
    );
    assert!(!is_due(&pair(Some(120), 0, true), now(), MARGIN));
    assert!(!is_due(&pair(Some(120), 59, true), now(), MARGIN));
    assert!(is_due(&pair(Some(120), 60, true), now(), MARGIN));
    // At twice the margin both rules give the same instant.
    let edge = pair(Some(600), 0, true);
    assert_eq!(schedule(&edge, MARGIN).rule, Rule::Margin);
    assert_eq!(
        schedule(&edge, MARGIN).due_at,
        Some(now() + SignedDuration::from_secs(300))
    );
}

#[test]
fn no_expiry_with_a_refresh_token_is_due_at_once_and_never_valid() {
    let legacy = pair(None, 0, true);
    assert_eq!(schedule(&legacy, MARGIN).rule, Rule::UnknownExpiry);
    assert!(is_due(&legacy, now(), MARGIN));
    assert!(!valid_for(&legacy, now(), Duration::ZERO));
    let never = pair(None, 0, false);
    assert_eq!(schedule(&never, MARGIN).rule, Rule::Never);
    assert!(!is_due(&never, now(), MARGIN));
    assert!(valid_for(&never, now(), Duration::from_secs(86_400)));
}

#[test]
fn hostile_numbers_are_clamped_not_a_panic() {
    let at = |secs| after(now(), secs, Which::AccessToken);
    assert_eq!(
        at(1_000_000_000_000),
        now() + SignedDuration::from_secs(172_800)
    );
    assert_eq!(at(i64::MAX), now() + SignedDuration::from_secs(172_800));
    assert_eq!(at(1800), now() + SignedDuration::from_secs(1800));
    // Shorter than Zendesk allows is believed: it only means an early refresh.
    assert_eq!(at(2), now() + SignedDuration::from_secs(2));
    assert_eq!(
        after(now(), i64::MAX, Which::RefreshToken),
        now() + SignedDuration::from_secs(7_776_000)
    );
    assert_eq!(
        saturating_after(Timestamp::MAX, SignedDuration::MAX),
        Timestamp::MAX
    );
    assert_eq!(
        saturating_after(Timestamp::MIN, SignedDuration::MIN),
        Timestamp::MIN
    );
    // A margin no Duration conversion can hold, and tokens at the ends of time.
    let mut far = pair(Some(10), 0, true);
    far.expires_at = Some(Timestamp::MAX);
    far.obtained_at = Timestamp::MIN;
    let _ = schedule(&far, Duration::MAX);
    let _ = valid_for(&far, now(), Duration::MAX);
    far.expires_at = Some(Timestamp::MIN);
    far.obtained_at = Timestamp::MAX;
    assert!(is_due(&far, now(), Duration::MAX));
}

/// A client credentials request takes `expires_in` only (facts file): no refresh token comes
/// of it, so no refresh token lifetime is sent.
#[test]
fn a_mint_asks_for_an_access_lifetime_only() {
    let mut connection = Connection {
        name: "ci".into(),
        subdomain: "acme".into(),
        client_id: "zdauth_ci".into(),
        scopes: vec!["read".into()],
        grant: crate::config::Grant::ClientCredentials,
        tags: Vec::new(),
        redirect_port: 8765,
        kind: Kind::Support,
        base_url: None,
        access_token_lifetime: None,
        refresh_token_lifetime: None,
    };
    assert_eq!(lifetimes_to_ask(&connection), (Some("1800".into()), None));
    connection.grant = crate::config::Grant::AuthorizationCode;
    assert_eq!(
        lifetimes_to_ask(&connection),
        (Some("1800".into()), Some("2592000".into()))
    );
}

#[test]
fn humanize_picks_two_units() {
    let h = |s| humanize(SignedDuration::from_secs(s));
    assert_eq!(h(-5), "0s");
    assert_eq!(h(45), "45s");
    assert_eq!(h(29 * 60 + 41), "29m 41s");
    assert_eq!(h(3600 + 120), "1h 02m");
    assert_eq!(h(2 * 86_400 + 3 * 3600 + 59), "2d 03h");
}
