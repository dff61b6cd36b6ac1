//! A connection whose grant is switched to client credentials by hand (config.toml edited)
//! while a browser login's pair is stored: a mint would store its token in place of the
//! pair and drop the refresh token unseen and unrevoked, so `token` refuses instead.

use crate::common;

use common::world::{CLIENT, World};
use zdauth_core::secret::Secret;
use zdauth_fake::FakeClient;

const SECRET: &str = "switch-secret-value";

#[test]
fn a_hand_switched_grant_never_drops_a_stored_refresh_token() {
    let w = World::new(|options| {
        let redirect = options.clients[0].redirect_uris[0].clone();
        options.clients = vec![FakeClient::confidential(CLIENT, SECRET, &redirect)];
    });
    let issued = w.seed();
    let lock = w.sb.vault().lock_connection("acme").unwrap();
    let mut entry = lock.reload().unwrap().unwrap();
    entry.client_secret = Some(Secret::new(SECRET));
    // Run low, so that a mint would be due.
    entry.tokens.as_mut().unwrap().expires_at = Some(jiff::Timestamp::now());
    lock.persist(entry).unwrap();
    drop(lock);
    let mut text = w.sb.config_text();
    let at = text.rfind("name = \"acme\"").unwrap();
    text.insert_str(at, "grant = \"client_credentials\"\n");
    std::fs::write(w.sb.paths().config(), text).unwrap();

    w.sb.run(&["token", "acme"]).fails(2, "zdauth logout acme");
    assert_eq!(
        w.stored_refresh(),
        issued.refresh_token,
        "the refresh token was dropped"
    );
    assert_eq!(
        w.fake.counters().token_posts,
        0,
        "a token was minted over the pair"
    );

    // What the message says to do works: back, log out (revoked), switch, and a mint.
    let switched = w.sb.config_text();
    std::fs::write(
        w.sb.paths().config(),
        switched.replace("grant = \"client_credentials\"\n", ""),
    )
    .unwrap();
    w.sb.run(&["logout", "acme"]).success();
    std::fs::write(w.sb.paths().config(), switched).unwrap();
    let token = w.sb.run(&["token", "acme"]).success();
    assert!(w.fake.access_token_works(token.stdout.trim()));
}
