//! `list --format prometheus` for node_exporter's textfile collector, parsed back strictly:
//! every state, no secret, no hostile label value, and the README's cron line.

use crate::common;
use crate::tags::{add, connection, store};

use openmetrics_parser::prometheus::parse_prometheus;
use openmetrics_parser::{PrometheusValue, Sample};
use zdauth_core::vault::User;

use super::{STATES, every_state, untouched};

/// A sample's value of `label`.
fn label(sample: &Sample<PrometheusValue>, label: &str) -> String {
    let labels = sample.get_labelset().unwrap();
    labels.get_label_value(label).unwrap().to_owned()
}

/// A gauge's value, which zdauth writes as a whole number.
fn number(sample: &Sample<PrometheusValue>) -> i64 {
    match &sample.value {
        PrometheusValue::Gauge(n) => n.as_i64().unwrap(),
        other => panic!("not a gauge: {other:?}"),
    }
}

#[test]
fn prometheus_parses_back_with_every_state_and_no_secret() {
    let w = every_state();
    // A user stored by whoami: its email must not reach the metrics.
    let lock = w.sb.vault().lock_connection("acme").unwrap();
    let mut entry = lock.reload().unwrap().unwrap();
    entry.user = Some(User {
        id: 7,
        name: "Boss Person".into(),
        email: "boss@example.com".into(),
        role: "admin".into(),
    });
    lock.persist(entry).unwrap();
    drop(lock);
    // No refresh token, but an expiry left from a pair that had one: no refresh series.
    let solo = connection(&w, "solo", &[]);
    add(&w, &solo);
    let mut tokens = common::tokens(3600, None).tokens.unwrap();
    tokens.refresh_expires_at = tokens.expires_at;
    store(&w, &solo, tokens);

    let run = w.sb.run(&["list", "--format", "prometheus"]).success();
    let text = &run.stdout;
    for secret in ["boss@example.com", "Boss", "SECRET", &w.stored_access()] {
        assert!(!text.contains(secret), "{secret} in\n{text}");
    }
    let parsed = parse_prometheus(text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    let families = &parsed.families;
    assert_eq!(families.len(), 3, "{text}");
    for family in families.values() {
        assert!(!family.help.is_empty(), "{}", family.family_name);
        assert_eq!(
            family.family_type,
            openmetrics_parser::PrometheusType::Gauge
        );
    }

    let state = &families["zdauth_connection_state"];
    for (name, want, _) in STATES {
        let samples: Vec<_> = state
            .iter_samples()
            .filter(|s| label(s, "name") == name)
            .collect();
        assert_eq!(samples.len(), STATES.len(), "{name}: one per state\n{text}");
        for sample in samples {
            assert_eq!(label(sample, "subdomain"), name);
            let is = label(sample, "state") == want;
            assert_eq!(number(sample), i64::from(is), "{name}\n{text}");
        }
    }
    let series = |family: &str| -> Vec<(String, i64, String)> {
        families[family]
            .iter_samples()
            .map(|s| {
                let kind = format!("{}/{}", label(s, "kind"), label(s, "grant"));
                (label(s, "name"), number(s), kind)
            })
            .collect()
    };
    let access = series("zdauth_access_token_expiry_seconds");
    let names: Vec<&str> = access.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["acme", "soon", "dead", "gone", "solo"],
        "no expiry, no series"
    );
    assert!(access[0].1 > 1700 && access[0].1 <= 1800, "{access:?}");
    assert!(access[2].1 < 0, "negative once expired: {access:?}");
    assert_eq!(access[0].2, "support/authorization_code");
    let refresh = series("zdauth_refresh_token_expiry_seconds");
    let names: Vec<&str> = refresh.iter().map(|(n, _, _)| n.as_str()).collect();
    assert_eq!(names, ["acme", "soon", "dead", "gone"]);
    assert!(refresh[3].1 < 0, "{refresh:?}");
    let cc: Vec<String> = state.iter_samples().map(|s| label(s, "grant")).collect();
    assert!(cc.contains(&"client_credentials".to_owned()));

    // --tag picks here too.
    let tagged =
        w.sb.run(&["list", "--format", "prometheus", "--tag", "b"])
            .success();
    let parsed = parse_prometheus(&tagged.stdout).unwrap();
    let names: std::collections::BTreeSet<String> = parsed.families["zdauth_connection_state"]
        .iter_samples()
        .map(|s| label(s, "name"))
        .collect();
    assert_eq!(names.into_iter().collect::<Vec<_>>(), ["dead", "gone"]);
    untouched(&w);
}

#[test]
fn no_hostile_label_value_gets_into_the_metrics() {
    let sb = common::Sandbox::new();
    sb.init_with_identity_file();
    let good = sb.config_text();
    for (field, value) in [
        ("name", "a\\\"b"),
        ("subdomain", "acme\\\"} 1\\nx"),
        ("subdomain", "acme\\n"),
        ("kind", "support\\\""),
    ] {
        let mut fields = vec![
            ("name", "acme"),
            ("subdomain", "acme"),
            ("client_id", "c"),
            ("kind", "support"),
        ];
        for f in &mut fields {
            if f.0 == field {
                f.1 = value;
            }
        }
        let lines: Vec<String> = fields
            .iter()
            .map(|(k, v)| format!("{k} = \"{v}\""))
            .collect();
        let text = format!("{good}\n[[connection]]\n{}\n", lines.join("\n"));
        std::fs::write(sb.paths().config(), text).unwrap();
        let run = sb.run(&["list", "--format", "prometheus"]);
        assert_ne!(run.code, 0, "{field} = {value} was taken:\n{}", run.stdout);
        assert!(run.stdout.is_empty(), "{}", run.stdout);
    }
}
