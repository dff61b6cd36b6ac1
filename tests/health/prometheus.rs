//! `list --format prometheus` for `node_exporter`'s textfile collector, parsed back strictly:
//! every state, no secret, no hostile label value, and the README's cron line.

use crate::common;
use crate::tags::{add, connection, store};

use jiff::Timestamp;
use openmetrics_parser::prometheus::parse_prometheus;
use openmetrics_parser::{PrometheusValue, Sample};
use zdauth_core::vault::{Tokens, User};

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
    assert_eq!(families.len(), 5, "{text}");
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

/// Each expiry as a Unix time too, exactly the stored one: an alert on `… - time()` keeps
/// counting down when cron stops writing the file, where the seconds left would freeze.
#[test]
fn prometheus_gives_each_expiry_as_a_unix_time_too() {
    let w = every_state();
    let before = Timestamp::now().as_second();
    let text =
        w.sb.run(&["list", "--format", "prometheus"])
            .success()
            .stdout;
    let after = Timestamp::now().as_second();
    let parsed = parse_prometheus(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    let series = |family: &str| -> Vec<(String, i64)> {
        parsed.families[family]
            .iter_samples()
            .map(|s| (label(s, "name"), number(s)))
            .collect()
    };
    let data = w.sb.vault().load().unwrap();
    let access: fn(&Tokens) -> Option<Timestamp> = |t| t.expires_at;
    let refresh: fn(&Tokens) -> Option<Timestamp> =
        |t| t.refresh_expires_at.filter(|_| t.refresh_token.is_some());
    for (kind, of) in [("access", access), ("refresh", refresh)] {
        let want: Vec<(String, i64)> = STATES
            .iter()
            .filter_map(|(name, _, _)| {
                let tokens = data.connections.get(*name)?.tokens.as_ref()?;
                Some((name.to_string(), of(tokens)?.as_second()))
            })
            .collect();
        assert!(want.len() >= 4, "{want:?}");
        let at = series(&format!("zdauth_{kind}_token_expiry_timestamp_seconds"));
        assert_eq!(at, want, "{text}");
        // Beside the seconds left, they differ by the time the file was written.
        let left = series(&format!("zdauth_{kind}_token_expiry_seconds"));
        for ((name, at), (same, left)) in at.iter().zip(&left) {
            assert_eq!(name, same);
            let written = at - left;
            assert!(
                (before - 1..=after + 1).contains(&written),
                "{name}: {at} - {left} is not when the file was written\n{text}"
            );
        }
    }
}

/// The README's cron line, run by sh as cron would: it puts a whole file in place, and when
/// zdauth fails (here the identity cannot be read, exit 6) it keeps the last good file and
/// leaves no temporary one behind (every five minutes, they would pile up).
#[test]
fn the_readmes_cron_line_keeps_the_last_good_file_and_leaves_no_temporary_one() {
    let w = every_state();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let (_, block) = readme
        .split_once("```cron\n")
        .expect("a cron block in the README");
    let line = block.lines().next().unwrap();
    let command = line
        .splitn(6, ' ')
        .nth(5)
        .expect("five schedule fields, then the command");
    let textfile = tempfile::tempdir().unwrap();
    let dir = textfile.path().to_str().unwrap();
    let script = command
        .replace("/var/lib/node_exporter/textfile", dir)
        .replacen("zdauth ", "\"$1\" ", 1);
    assert!(!script.contains("zdauth list"), "{script}");
    let run_line = || {
        let out =
            w.sb.zdauth_through(&["sh", "-c", &script, "sh"], &[])
                .output()
                .unwrap();
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        (names, String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let prom = textfile.path().join("zdauth.prom");

    let (names, stderr) = run_line();
    assert_eq!(names, ["zdauth.prom"], "{stderr}");
    let good = std::fs::read_to_string(&prom).unwrap();
    parse_prometheus(&good).unwrap_or_else(|e| panic!("{e:?}\n{good}"));

    let key = w.sb.identity_file();
    let away = key.with_extension("away");
    std::fs::rename(&key, &away).unwrap();
    let (names, stderr) = run_line();
    std::fs::rename(&away, &key).unwrap();
    assert!(!stderr.is_empty(), "zdauth did fail");
    assert_eq!(names, ["zdauth.prom"], "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&prom).unwrap(),
        good,
        "the last good file stays"
    );
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
