//! Several real processes writing one vault at once: no update is ever lost.

use crate::common;

use std::path::Path;
use std::process::{Child, Stdio};

use common::Sandbox;
use zdauth_core::paths::Paths;
use zdauth_core::secret::Secret;
use zdauth_core::vault::{Entry, Keys, Vault};

const CHILD_VAR: &str = "ZDAUTH_TEST_WRITER";
const INSERTS: usize = 100;
const INCREMENTS: usize = 40;

#[test]
#[ignore = "not a test on its own: the writer that the concurrency tests run in child processes"]
fn writer_child() {
    let Some(spec) = std::env::var_os(CHILD_VAR) else {
        return;
    };
    let spec = spec.to_string_lossy().into_owned();
    let (mode, rest) = spec.split_once(':').unwrap();
    let (tag, root) = rest.split_once(':').unwrap();
    let root = Path::new(root);
    let keys = Keys::from_identity_file(&root.join("key.txt")).unwrap();
    let vault = Vault::new(Paths::at(root.join("cfg")), keys);
    let secret = |text: String| Entry {
        client_secret: Some(Secret::new(text)),
        ..Entry::default()
    };
    match mode {
        // Each process adds its own connections through the dir lock's merge.
        "insert" => {
            for i in 0..INSERTS {
                vault
                    .update(|data| {
                        data.connections
                            .insert(format!("{tag}{i}"), secret(format!("{tag}-{i}")))
                    })
                    .unwrap();
            }
        }
        // Every process bumps one shared counter: lock connection, reload, change, persist.
        "increment" => {
            for _ in 0..INCREMENTS {
                let lock = vault.lock_connection("shared").unwrap();
                let current: usize = lock
                    .reload()
                    .unwrap()
                    .and_then(|e| e.client_secret)
                    .map_or(0, |s| s.expose().parse().unwrap());
                lock.persist(secret((current + 1).to_string())).unwrap();
            }
        }
        other => panic!("unknown mode {other}"),
    }
}

fn spawn_writer(sb: &Sandbox, mode: &str, tag: &str) -> Child {
    common::rerun_helper(module_path!(), "writer_child")
        .env(
            CHILD_VAR,
            format!("{mode}:{tag}:{}", sb.temp.path().display()),
        )
        .stdout(Stdio::null())
        .spawn()
        .unwrap()
}

fn wait_all(children: Vec<Child>) {
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a writer failed");
    }
}

#[test]
fn processes_adding_different_connections_never_drop_each_others() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    wait_all(vec![
        spawn_writer(&sb, "insert", "a"),
        spawn_writer(&sb, "insert", "b"),
    ]);
    let data = sb.vault().load().unwrap();
    assert_eq!(data.connections.len(), 2 * INSERTS);
    for tag in ["a", "b"] {
        for i in 0..INSERTS {
            let entry = &data.connections[&format!("{tag}{i}")];
            assert_eq!(
                entry.client_secret.as_ref().unwrap().expose(),
                format!("{tag}-{i}")
            );
        }
    }
}

#[test]
fn the_connection_lock_serializes_reload_change_persist() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    let writers = (0..3)
        .map(|i| spawn_writer(&sb, "increment", &i.to_string()))
        .collect();
    wait_all(writers);
    let data = sb.vault().load().unwrap();
    let counter = data.connections["shared"]
        .client_secret
        .as_ref()
        .unwrap()
        .expose()
        .to_owned();
    assert_eq!(
        counter,
        (3 * INCREMENTS).to_string(),
        "an increment was lost"
    );
}

#[test]
fn parallel_cli_adds_keep_every_connection_and_secret() {
    let sb = Sandbox::new();
    sb.init_with_identity_file();
    std::thread::scope(|scope| {
        for tag in ["x", "y"] {
            let sb = &sb;
            scope.spawn(move || {
                for i in 0..10 {
                    let name = format!("{tag}{i}");
                    sb.run_with(
                        &[
                            "add",
                            &name,
                            "--subdomain",
                            &name,
                            "--client-id",
                            "c_1",
                            "--secret-stdin",
                        ],
                        &[],
                        Some(&format!("secret-{name}\n")),
                    )
                    .success();
                }
            });
        }
    });
    let config = zdauth_core::config::Config::load(&sb.paths().config()).unwrap();
    assert_eq!(config.connections.len(), 20);
    let data = sb.vault().load().unwrap();
    for connection in &config.connections {
        let secret = data.connections[&connection.name]
            .client_secret
            .as_ref()
            .unwrap();
        assert_eq!(secret.expose(), format!("secret-{}", connection.name));
    }
}
