//! Keeps SECURITY.md honest: every checklist item has a row, every `file::test` it cites
//! names a test that exists in that file.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The backticked `path.rs::name` citations of one table row.
fn citations(row: &str) -> Vec<(&str, &str)> {
    row.split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|quoted| quoted.split_once("::"))
        .filter(|(file, name)| {
            Path::new(file).extension().is_some_and(|e| e == "rs")
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        })
        .collect()
}

fn defines_test(source: &str, name: &str) -> bool {
    // A `#[test]` (or `#[tokio::test]`) among the attributes right above `fn name(`;
    // `proptest!` blocks mark their functions the same way. A helper of that name is no proof.
    let lines: Vec<&str> = source.lines().map(str::trim).collect();
    lines.iter().enumerate().any(|(at, line)| {
        line.trim_start_matches("async ")
            .starts_with(&format!("fn {name}("))
            && lines[..at]
                .iter()
                .rev()
                .take_while(|l| l.starts_with("#[") || l.starts_with("///"))
                .any(|l| *l == "#[test]" || l.starts_with("#[tokio::test"))
    })
}

#[test]
fn every_checklist_item_maps_to_tests_that_exist() {
    let map = std::fs::read_to_string(root().join("SECURITY.md")).unwrap();
    let mut missing = Vec::new();
    let mut cited = 0;
    // Items 1–25 must all be there; later items are checked once their row is.
    for item in 1..=35 {
        let prefix = format!("| {item} |");
        let rows: Vec<&str> = map.lines().filter(|l| l.starts_with(&prefix)).collect();
        if item > 25 && rows.is_empty() {
            continue;
        }
        assert_eq!(
            rows.len(),
            1,
            "item {item} needs exactly one row in SECURITY.md"
        );
        let found = citations(rows[0]);
        assert!(!found.is_empty(), "item {item} cites no test");
        for (file, name) in found {
            cited += 1;
            let source = std::fs::read_to_string(root().join(file)).unwrap_or_default();
            if !defines_test(&source, name) {
                missing.push(format!("item {item}: {file}::{name}"));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "SECURITY.md cites tests that do not exist:\n{}",
        missing.join("\n")
    );
    assert!(
        cited >= 60,
        "only {cited} citations were read: the parser lost the table"
    );
}

#[test]
fn the_citation_reader_sees_what_a_reader_sees() {
    let row =
        "| 9 | x | `tests/crash.rs::a_b`, `src/a.rs::c` (note `not::this one`), `cargo test` |";
    assert_eq!(
        citations(row),
        [("tests/crash.rs", "a_b"), ("src/a.rs", "c")]
    );
    assert!(defines_test(
        "fn a() {}\n    #[test]\n    /// why\n    fn item_4_x(\n",
        "item_4_x"
    ));
    assert!(defines_test("#[tokio::test]\nasync fn item_1(", "item_1"));
    assert!(!defines_test("#[test]\nfn item_4_xy(", "item_4_x"));
    assert!(
        !defines_test("#[test]\nfn other() {}\nfn item_4_x(", "item_4_x"),
        "a helper is no test"
    );
}
