//! No server answer can panic zdauth or cost a rotated pair (checklist item 28): the fake's
//! hostile knob rotates for real (the refresh token sent is spent) and then answers with
//! values no honest server sends.

use crate::common;

use common::world::World;
use jiff::Timestamp;
use serde_json::{Value, json};
use zdauth_fake::Hostile;

fn left(at: Option<Timestamp>) -> i64 {
    at.expect("an expiry")
        .duration_since(Timestamp::now())
        .as_secs()
}

#[test]
fn item_28_a_huge_lifetime_after_a_refresh_is_clamped_and_the_pair_stored() {
    let w = World::new(|_| {});
    let issued = w.seed();
    w.fake.set_hostile(Some(Hostile::Lifetimes {
        expires_in: json!(1_000_000_000_000_i64),
        refresh_token_expires_in: json!(1_000_000_000_000_i64),
    }));
    let token = w.sb.run(&["token", "acme", "--min-valid", "1h"]).success();
    assert!(
        w.fake.access_token_works(token.stdout.trim()),
        "the new pair"
    );
    assert_ne!(w.stored_refresh(), issued.refresh_token);
    let tokens = w.stored().tokens.unwrap();
    assert!(
        (172_790..=172_800).contains(&left(tokens.expires_at)),
        "48 h"
    );
    assert!(
        (7_775_990..=7_776_000).contains(&left(tokens.refresh_expires_at)),
        "90 d"
    );
    let log = std::fs::read_to_string(w.sb.dir().join("zdauth.log")).unwrap();
    assert!(log.contains("clamped"), "{log}");
    // The stored pair is the live one: it rotates again.
    w.fake.set_hostile(None);
    w.sb.run(&["refresh", "acme"]).success();
    assert_eq!(w.fake.counters().reuse_detections, 0);
}

#[test]
fn item_28_lifetimes_that_are_no_number_fall_back_without_a_panic() {
    for bad in [
        json!(-5),
        json!("soon"),
        json!(1.5),
        json!(null),
        json!(u64::MAX),
        json!(1e300),
    ] {
        let w = World::new(|_| {});
        w.seed();
        w.fake.set_hostile(Some(Hostile::Lifetimes {
            expires_in: bad.clone(),
            refresh_token_expires_in: bad.clone(),
        }));
        let token = w.sb.run(&["token", "acme", "--min-valid", "1h"]);
        assert_eq!(token.code, 0, "{bad}: {}", token.stderr);
        assert!(w.fake.access_token_works(token.stdout.trim()), "{bad}");
        let tokens = w.stored().tokens.unwrap();
        assert!(left(tokens.expires_at) <= 172_800, "{bad}");
    }
    // A JWT whose exp is absurd: clamped, or ignored for the next fallback.
    for exp in [json!(1e300), json!(-1), json!("x"), json!(i64::MAX)] {
        let w = World::new(|options| options.omit_expires_in = true);
        w.seed();
        w.fake.set_hostile(Some(Hostile::JwtExp(exp.clone())));
        let token = w.sb.run(&["token", "acme", "--min-valid", "1h"]);
        assert_eq!(token.code, 0, "{exp}: {}", token.stderr);
        assert!(
            left(w.stored().tokens.unwrap().expires_at) <= 172_800,
            "{exp}"
        );
    }
}

#[test]
fn item_28_a_malformed_access_token_keeps_the_new_refresh_token() {
    let bad: [Value; 5] = [
        json!(""),
        json!("line\nbreak"),
        json!("\u{1b}]52;c;aGk=\u{7}"),
        json!(12345),
        json!("two words"),
    ];
    for value in bad {
        let w = World::new(|_| {});
        let issued = w.seed();
        w.fake
            .set_hostile(Some(Hostile::AccessToken(value.clone())));
        let run = w.sb.run(&["token", "acme", "--min-valid", "1h"]);
        run.fails(7, "new refresh token was stored");
        // The old refresh token is spent: the new one is what is kept.
        assert_ne!(w.stored_refresh(), issued.refresh_token, "{value}");
        let tokens = w.stored().tokens.unwrap();
        assert_eq!(tokens.access_token.expose(), issued.access_token);
        assert!(
            left(tokens.expires_at) <= 0,
            "the old access token is marked expired"
        );
        let status = w.sb.run(&["status", "acme"]);
        assert_eq!(status.code, 4, "expired, refresh token alive");
        // Once the server behaves, the kept refresh token gets a good pair.
        w.fake.set_hostile(None);
        let token = w.sb.run(&["token", "acme"]).success();
        assert!(w.fake.access_token_works(token.stdout.trim()), "{value}");
        let counters = w.fake.counters();
        assert_eq!((counters.reuse_detections, counters.revoked_grants), (0, 0));
    }
}

#[test]
fn item_28_a_malformed_refresh_token_keeps_the_good_access_token() {
    let w = World::new(|_| {});
    w.seed();
    w.fake
        .set_hostile(Some(Hostile::RefreshToken(json!("bad refresh\r\n"))));
    let token = w.sb.run(&["token", "acme", "--min-valid", "1h"]).success();
    assert!(w.fake.access_token_works(token.stdout.trim()));
    let tokens = w.stored().tokens.unwrap();
    assert!(tokens.refresh_token.is_none(), "never the malformed one");
    let status = w.sb.run(&["status", "acme"]).success();
    assert!(
        status
            .stdout
            .contains("no refresh token: log in again when it expires"),
        "{}",
        status.stdout
    );
}

/// A rescue file replaces the stored pair, so only the user's own may: one that another user
/// planted (in a place they made, or a file they own in the user's place) is left alone,
/// else anyone who can write there could swap a pair of theirs in for the user's grant.
#[test]
fn item_31_a_rescue_file_of_another_user_is_never_taken_back() {
    use std::os::unix::fs::chown;
    let w = World::new(|_| {});
    w.seed();
    let current = w.stored();
    let mut planted = common::tokens(1800, Some(86_400));
    planted.tokens.as_mut().unwrap().obtained_at =
        current.tokens.as_ref().unwrap().obtained_at + jiff::SignedDuration::from_secs(60);
    let theirs = w.sb.temp.path().join("xdg-state/zdauth");
    std::fs::create_dir_all(&theirs).unwrap();
    chown(&theirs, Some(65534), Some(65534)).unwrap();
    let mut files = Vec::new();
    for place in [theirs.as_path(), w.sb.temp.path()] {
        let written = w.sb.vault().write_rescue("acme", &planted).unwrap();
        let file = place.join(written.file_name().unwrap());
        std::fs::rename(&written, &file).unwrap();
        chown(&file, Some(65534), Some(65534)).unwrap();
        files.push(file);
    }

    let run = w.sb.run(&["status", "acme"]);
    assert!(!run.stderr.contains("took back"), "{}", run.stderr);
    assert_eq!(w.stored(), current, "a planted pair replaced the user's");
    for file in files {
        assert!(file.exists(), "{} was removed", file.display());
    }
}
