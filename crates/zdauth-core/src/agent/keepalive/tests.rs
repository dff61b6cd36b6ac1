//! What a pass remembers of one connection's refresh, at the real clock but with no server:
//! the failures in a row, their bounded backoff, and when the user is told.

use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

use super::decide::{Plan, plan_one, settle};
use super::track::{Problem, Track};
use crate::config::{Connection, Grant, Kind};
use crate::error::Error;
use crate::expiry::ExpirySource;
use crate::refresh::Fresh;
use crate::secret::Secret;
use crate::vault::{Entry, Tokens};

const WEEK: Duration = Duration::from_secs(7 * 86_400);

fn acme() -> Connection {
    Connection {
        name: "acme".into(),
        subdomain: "acme".into(),
        client_id: "zdauth_test".into(),
        scopes: vec!["read".into()],
        redirect_port: 8765,
        kind: Kind::Support,
        base_url: None,
        access_token_lifetime: None,
        refresh_token_lifetime: None,
        grant: Grant::AuthorizationCode,
        tags: Vec::new(),
    }
}

/// A 30-day pair obtained `age_days` ago.
fn pair(age_days: i64) -> Tokens {
    let obtained_at = Timestamp::now() - SignedDuration::from_hours(24 * age_days);
    Tokens {
        access_token: Secret::new("at-SECRET"),
        refresh_token: Some(Secret::new("rt-SECRET")),
        token_type: "bearer".into(),
        scopes: vec![],
        obtained_at,
        expires_at: Some(obtained_at + SignedDuration::from_mins(30)),
        expiry_source: ExpirySource::Server,
        refresh_expires_at: Some(obtained_at + SignedDuration::from_hours(24 * 30)),
    }
}

fn entry(tokens: Tokens) -> Entry {
    Entry {
        tokens: Some(tokens),
        ..Entry::default()
    }
}

#[test]
fn failures_back_off_and_are_told_once_after_several_tries() {
    let (connection, before) = (acme(), pair(25));
    let mut track = Track::default();
    let mut retries = Vec::new();
    for tries in 1..=4 {
        let failed = Err(Error::RefreshFailed("Zendesk answered 503".into()));
        settle(&mut track, &connection, &before, failed, WEEK);
        assert_eq!(track.failures, tries);
        assert!(track.result.starts_with("error: "), "{}", track.result);
        retries.push(track.retry_at.unwrap());
        if tries < 3 {
            assert!(track.problem.is_none(), "told after {tries} tries");
            assert!(track.untold("acme").is_none());
        } else {
            assert_eq!(track.problem, Some(Problem::Failing));
            assert!(track.warning.as_deref().unwrap().contains("in a row"));
        }
        if tries == 3 {
            assert!(track.untold("acme").is_some());
        }
    }
    assert!(
        track.untold("acme").is_none(),
        "told once, not on every try"
    );
    assert!(retries.windows(2).all(|w| w[1] > w[0]), "{retries:?}");
    // Before the pause is over, the due pair waits for it; the pause ends, it is tried.
    let now = Timestamp::now();
    let plan = plan_one(
        &mut track,
        &connection,
        Some(&entry(before.clone())),
        WEEK,
        now,
    );
    assert!(matches!(plan, Plan::Wait(Some(at)) if at == retries[3]));
    let later = retries[3] + SignedDuration::from_secs(1);
    let plan = plan_one(
        &mut track,
        &connection,
        Some(&entry(before.clone())),
        WEEK,
        later,
    );
    assert!(matches!(plan, Plan::Refresh(_)));
    // A success ends it all.
    let fresh = Fresh {
        tokens: pair(0),
        refreshed: true,
    };
    settle(&mut track, &connection, &before, Ok(fresh), WEEK);
    assert_eq!(
        (track.failures, track.problem, track.retry_at),
        (0, None, None)
    );
    assert_eq!(track.result, "ok");
    assert!(track.warning.is_none() && track.last_keepalive.is_some());
}

#[test]
fn a_refused_grant_is_not_tried_again() {
    let (connection, before) = (acme(), pair(25));
    let mut track = Track::default();
    let refused = Err(Error::LoginRequired {
        name: "acme".into(),
        reason: "Zendesk refused the refresh token".into(),
    });
    settle(&mut track, &connection, &before, refused, WEEK);
    assert_eq!(track.problem, Some(Problem::LoginRequired));
    assert_eq!(track.failures, 0);
    // The transaction marked the entry; the next pass only reports it.
    let mut marked = entry(before);
    marked.login_required = true;
    let plan = plan_one(
        &mut track,
        &connection,
        Some(&marked),
        WEEK,
        Timestamp::now(),
    );
    assert!(matches!(plan, Plan::Wait(None)));
    assert!(
        track
            .warning
            .as_deref()
            .unwrap()
            .contains("zdauth login acme")
    );
}

#[test]
fn a_pair_kept_meanwhile_by_another_process_ends_the_failures() {
    let connection = acme();
    let mut track = Track::default();
    for _ in 0..3 {
        let failed = Err(Error::RefreshFailed("timeout".into()));
        settle(&mut track, &connection, &pair(25), failed, WEEK);
    }
    assert_eq!(track.problem, Some(Problem::Failing));
    let plan = plan_one(
        &mut track,
        &connection,
        Some(&entry(pair(0))),
        WEEK,
        Timestamp::now(),
    );
    assert!(matches!(plan, Plan::Wait(Some(_))));
    assert_eq!((track.failures, track.problem), (0, None));
    assert_eq!(track.result, "not due yet");
}

#[test]
fn a_token_without_refresh_token_warns_only_when_it_expires_within_keepalive() {
    let connection = acme();
    let mut short = pair(0);
    short.refresh_token = None;
    let mut track = Track::default();
    let plan = plan_one(
        &mut track,
        &connection,
        Some(&entry(short.clone())),
        WEEK,
        Timestamp::now(),
    );
    assert!(matches!(plan, Plan::Wait(None)));
    assert_eq!(track.problem, Some(Problem::NoRefreshToken));
    // A legacy token that never expires has nothing to lapse.
    short.expires_at = None;
    let mut track = Track::default();
    plan_one(
        &mut track,
        &connection,
        Some(&entry(short)),
        WEEK,
        Timestamp::now(),
    );
    assert_eq!(track.problem, None);
    // Never logged in: nothing to track.
    let plan = plan_one(
        &mut track,
        &connection,
        Some(&Entry::default()),
        WEEK,
        Timestamp::now(),
    );
    assert!(matches!(plan, Plan::Untracked));
}
