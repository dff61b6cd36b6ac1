//! The refresh transaction across machines: one POST for everyone, leases waited for or taken
//! over, a refused grant seen by all, a pair rescued while the store was down and pushed back.

use std::time::{Duration, Instant};

use super::{MARGIN, Team};
use crate::error::Error;
use crate::refresh::Want;

/// Tasks of both machines asking at once: `want` for each.
fn crowd(team: &Team, machines: &[&super::Machine], per_machine: usize, want: Want) -> Vec<String> {
    let tasks: Vec<_> = machines
        .iter()
        .flat_map(|m| std::iter::repeat_n(m.refresher.clone(), per_machine))
        .map(|refresher| {
            let connection = team.connection.clone();
            team.runtime
                .spawn(async move { refresher.ensure(&connection, want).await })
        })
        .collect();
    tasks
        .into_iter()
        .map(|task| {
            let fresh = team.runtime.block_on(task).unwrap().unwrap();
            fresh.tokens.access_token.expose().to_owned()
        })
        .collect()
}

#[test]
fn concurrent_refreshes_on_two_machines_spend_the_token_once() {
    let Some(team) = Team::start() else { return };
    let (a, b) = team.pair_of_machines();
    let issued = team.seed(&a, true);
    let tokens = crowd(&team, &[&a, &b], 4, MARGIN);
    let counters = team.counters();
    assert_eq!(counters.token_posts, 1, "{counters:?}");
    assert_eq!(counters.refreshes, 1);
    assert_eq!(counters.reuse_detections, 0);
    assert!(
        tokens.iter().all(|t| t == &tokens[0]),
        "one new pair for all"
    );
    assert!(team.fake.access_token_works(&tokens[0]));
    assert!(team.fake.grant_alive(&issued.grant_id));
    assert_ne!(b.stored_refresh(), issued.refresh_token);
    assert_eq!(team.record("acme").unwrap().data.lease, None);
}

/// `--min-valid` beyond any token's lifetime: the waiters take the pair rotated while they
/// waited instead of refreshing again, on both machines, round after round.
#[test]
fn more_than_a_lifetime_asked_costs_one_refresh_a_round() {
    let Some(team) = Team::start() else { return };
    let (a, b) = team.pair_of_machines();
    let issued = team.seed(&a, true);
    let day = Want::ValidFor(Duration::from_secs(24 * 3600));
    for round in 1..=3 {
        let tokens = crowd(&team, &[&a, &b], 3, day);
        let counters = team.counters();
        assert_eq!(counters.refreshes, round, "round {round}: {counters:?}");
        assert_eq!(counters.reuse_detections, 0);
        assert!(tokens.iter().all(|t| team.fake.access_token_works(t)));
    }
    assert!(team.fake.grant_alive(&issued.grant_id));
}

#[test]
fn a_live_lease_is_waited_for_and_its_pair_adopted() {
    let Some(team) = Team::start() else { return };
    let (a, b) = team.pair_of_machines();
    team.seed(&a, true);
    team.put_lease("acme", Some(Team::foreign_lease(30)));
    // The holder's new pair (a grant of its own stands in for its refresh's answer).
    let theirs = team.fake.issue_grant(super::CLIENT, &["read"]);
    let started = Instant::now();
    let fresh = std::thread::scope(|scope| {
        scope.spawn(|| {
            std::thread::sleep(Duration::from_millis(1200));
            let lock = a.vault.lock_connection("acme").unwrap();
            lock.reload().unwrap();
            lock.persist(team.entry(&theirs)).unwrap();
        });
        b.ensure(&team, MARGIN).unwrap()
    });
    assert!(started.elapsed() >= Duration::from_millis(1100));
    assert_eq!(fresh.tokens.access_token.expose(), theirs.access_token);
    assert!(fresh.refreshed, "another machine's rotation, taken");
    assert_eq!(team.counters().token_posts, 0, "never POSTed");
    assert_eq!(team.record("acme").unwrap().data.lease, None);
}

#[test]
fn an_expired_lease_is_taken_over() {
    let Some(team) = Team::start() else { return };
    let (_a, b) = {
        let (a, b) = team.pair_of_machines();
        team.seed(&a, true);
        (a, b)
    };
    team.put_lease("acme", Some(Team::foreign_lease(-5)));
    let fresh = b.ensure(&team, MARGIN).unwrap();
    assert!(fresh.refreshed);
    assert_eq!(team.counters().refreshes, 1);
    assert_eq!(team.record("acme").unwrap().data.lease, None);
}

#[test]
fn a_refused_grant_needs_a_login_on_every_machine() {
    let Some(team) = Team::start() else { return };
    let (a, b) = team.pair_of_machines();
    let issued = team.seed(&a, true);
    team.fake.revoke_grant(&issued.grant_id);
    let error = a.ensure(&team, MARGIN).unwrap_err();
    assert!(matches!(error, Error::LoginRequired { .. }), "{error}");
    let seen = b.stored().unwrap();
    assert!(seen.login_required, "marked in the store");
    assert_eq!(team.record("acme").unwrap().data.lease, None);
    let error = b.ensure(&team, MARGIN).unwrap_err();
    assert!(matches!(error, Error::LoginRequired { .. }), "{error}");
    assert_eq!(team.counters().token_posts, 1, "b never tried");
}

#[test]
fn a_pair_spent_while_the_store_went_down_is_rescued_then_pushed_back() {
    let Some(mut team) = Team::start() else {
        return;
    };
    let (a, b) = team.pair_of_machines();
    let issued = team.seed(&a, true);
    team.fake.set_latency(Duration::from_millis(1500));
    let refreshing = {
        let (refresher, connection) = (a.refresher.clone(), team.connection.clone());
        team.runtime
            .spawn(async move { refresher.ensure(&connection, MARGIN).await })
    };
    // The lease is taken and the POST under way: the store goes down before the pair lands.
    std::thread::sleep(Duration::from_millis(600));
    team.bao.stop();
    let error = team.runtime.block_on(refreshing).unwrap().unwrap_err();
    assert!(matches!(error, Error::Rescued { .. }), "{error}");
    team.fake.set_latency(Duration::ZERO);
    let rescues = |dir: &std::path::Path| {
        std::fs::read_dir(dir)
            .unwrap()
            .filter(|f| {
                let name = f.as_ref().unwrap().file_name();
                name.to_string_lossy().starts_with("zdauth-rescue-")
            })
            .count()
    };
    assert_eq!(rescues(a.vault.paths().dir()), 1);
    // Meanwhile: a clear error, nothing spent.
    let error = b.ensure(&team, MARGIN).unwrap_err();
    assert!(matches!(error, Error::Store { .. }), "{error}");
    assert_eq!(team.counters().token_posts, 1);

    team.bao.start_again();
    // The next run takes the rescued pair back into the store before reading it: no POST.
    let fresh = a.ensure(&team, MARGIN).unwrap();
    assert!(!fresh.refreshed);
    assert_eq!(rescues(a.vault.paths().dir()), 0);
    assert_ne!(b.stored_refresh(), issued.refresh_token);
    assert_eq!(
        b.ensure(&team, MARGIN).unwrap().tokens.access_token,
        fresh.tokens.access_token
    );
    let counters = team.counters();
    assert_eq!(counters.token_posts, 1, "{counters:?}");
    assert_eq!(counters.reuse_detections, 0);
    assert!(
        team.fake
            .access_token_works(fresh.tokens.access_token.expose())
    );
    assert_eq!(team.record("acme").unwrap().data.lease, None);
}

/// Client credentials: nothing single-use is spent, yet machines asking at once take the
/// token one of them minted (the lease) instead of minting one each.
#[test]
fn client_credentials_on_two_machines_mint_once() {
    let Some(team) = Team::start_with(|options| {
        options.clients.push(zdauth_fake::FakeClient::confidential(
            "zdauth_cc",
            "cc-secret",
            "http://127.0.0.1:8765/callback",
        ));
    }) else {
        return;
    };
    let text = format!(
        "[[connection]]\nname = \"acme\"\nsubdomain = \"acme\"\nclient_id = \"zdauth_cc\"\ngrant = \"client_credentials\"\nscopes = [\"read\"]\nbase_url = \"{}\"\n",
        team.fake.base_url()
    );
    let connection = crate::config::Config::parse(&text, std::path::Path::new("t.toml"))
        .unwrap()
        .connections
        .remove(0);
    let (a, b) = team.pair_of_machines();
    a.vault
        .update(|data| {
            data.connections.insert(
                "acme".into(),
                crate::vault::Entry {
                    client_secret: Some(crate::secret::Secret::new("cc-secret")),
                    ..crate::vault::Entry::default()
                },
            );
        })
        .unwrap();
    let tasks: Vec<_> = [&a, &b, &a, &b, &a, &b]
        .iter()
        .map(|m| {
            let (refresher, connection) = (m.refresher.clone(), connection.clone());
            team.runtime
                .spawn(async move { refresher.ensure(&connection, MARGIN).await })
        })
        .collect();
    let tokens: Vec<String> = tasks
        .into_iter()
        .map(|t| {
            let fresh = team.runtime.block_on(t).unwrap().unwrap();
            fresh.tokens.access_token.expose().to_owned()
        })
        .collect();
    assert_eq!(team.counters().client_credentials, 1, "one mint for all");
    assert!(tokens.iter().all(|t| t == &tokens[0]));
    assert_eq!(
        b.stored().unwrap().client_secret,
        a.stored().unwrap().client_secret
    );
    assert_eq!(team.record("acme").unwrap().data.lease, None);
}
