//! A fake that also knows a confidential client, and client credentials connections to it.

use jiff::Timestamp;
use zdauth_fake::{FakeClient, FakeOptions};

use super::world::World;

pub const CI_CLIENT: &str = "zdauth_ci";
pub const CI_SECRET: &str = "ci-secret-value";

/// A world whose fake also knows a confidential client, and a connection `ci` using it.
pub fn ci_world(extra: &[&str]) -> World {
    ci_world_with(extra, |_| {})
}

/// [`ci_world`] with more fake options.
pub fn ci_world_with(extra: &[&str], configure: impl FnOnce(&mut FakeOptions)) -> World {
    let w = World::new(|options| {
        let redirect = options.clients[0].redirect_uris[0].clone();
        options
            .clients
            .push(FakeClient::confidential(CI_CLIENT, CI_SECRET, &redirect));
        configure(options);
    });
    add_ci(&w, "ci", CI_CLIENT, CI_SECRET, extra);
    w
}

pub fn add_ci(w: &World, name: &str, client: &str, secret: &str, extra: &[&str]) {
    let base_url = w.fake.base_url();
    let mut args = vec![
        "add",
        name,
        "--subdomain",
        "acme",
        "--client-id",
        client,
        "--base-url",
        &base_url,
        "--grant",
        "client_credentials",
        "--secret-stdin",
    ];
    args.extend_from_slice(extra);
    let run =
        w.sb.run_with(&args, &[], Some(&format!("{secret}\n")))
            .success();
    assert!(run.stdout.contains("no login needed"), "{}", run.stdout);
}

pub fn stored(w: &World, name: &str) -> zdauth_core::vault::Entry {
    w.sb.vault()
        .load()
        .unwrap()
        .connections
        .remove(name)
        .unwrap_or_default()
}

pub fn left(entry: &zdauth_core::vault::Entry) -> i64 {
    let at = entry.tokens.as_ref().unwrap().expires_at.unwrap();
    at.duration_since(Timestamp::now()).as_secs()
}
