//! zdauth's decrypt paths against the age project's testkit vectors (the C2SP/CCTV set) for
//! what zdauth uses: X25519 stanzas (the vault), scrypt stanzas (identity.age) and the
//! work-factor cap (checklist items 12 and 13). Provenance: tests/data/age-testkit/README.md.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use zdauth_core::secret::Secret;
use zdauth_core::vault::Keys;

#[derive(Debug, PartialEq)]
enum Expect {
    Success { payload_sha256: String },
    NoMatch,
    HeaderFailure,
}

struct Vector {
    name: String,
    expect: Expect,
    identities: Vec<String>,
    passphrase: Option<String>,
    age_file: Vec<u8>,
}

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/age-testkit")
}

fn parse(path: &Path) -> Vector {
    let bytes = std::fs::read(path).unwrap();
    let split = bytes
        .windows(2)
        .position(|w| w == b"\n\n")
        .expect("a blank line ends the testkit header");
    let header = std::str::from_utf8(&bytes[..split]).unwrap();
    let mut fields = Vec::new();
    for line in header.lines() {
        let (key, value) = line.split_once(':').unwrap();
        fields.push((key.trim(), value.trim().to_owned()));
    }
    let field = |key: &str| {
        fields
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    };
    let expect = match field("expect").unwrap().as_str() {
        "success" => Expect::Success {
            payload_sha256: field("payload").unwrap(),
        },
        "no match" => Expect::NoMatch,
        "header failure" => Expect::HeaderFailure,
        other => panic!(
            "{}: a vector kind this test does not cover: {other}",
            path.display()
        ),
    };
    assert!(field("armored").is_none() && field("compressed").is_none());
    Vector {
        name: path.file_name().unwrap().to_string_lossy().into_owned(),
        expect,
        identities: fields
            .iter()
            .filter(|(k, _)| *k == "identity")
            .map(|(_, v)| v.clone())
            .collect(),
        passphrase: field("passphrase"),
        age_file: bytes[split + 2..].to_vec(),
    }
}

fn vectors(prefix: &str) -> Vec<Vector> {
    let mut found: Vec<_> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with(prefix))
        .map(|p| parse(&p))
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, b| {
            // Writing to a String cannot fail.
            let _ = write!(hex, "{b:02x}");
            hex
        })
}

#[test]
fn item_13_x25519_vectors_decrypt_or_fail_as_the_testkit_says() {
    let all = vectors("x25519");
    assert_eq!(all.len(), 14, "the vendored X25519 vectors are all here");
    for vector in all {
        let keys = Keys::from_identity_text(
            Secret::new(vector.identities.join("\n") + "\n"),
            &vector.name,
        )
        .unwrap_or_else(|e| panic!("{}: identity: {e}", vector.name));
        let result = keys.decrypt(&vector.age_file);
        match (&vector.expect, result) {
            (Expect::Success { payload_sha256 }, Ok(plain)) => {
                assert_eq!(&sha256_hex(&plain), payload_sha256, "{}", vector.name);
            }
            (Expect::NoMatch, Err(age::DecryptError::NoMatchingKeys)) => {}
            (Expect::HeaderFailure, Err(e)) => assert!(
                !matches!(e, age::DecryptError::NoMatchingKeys),
                "{}: a malformed header must not pass for someone else's file: {e}",
                vector.name
            ),
            (expect, Ok(_)) => panic!("{}: decrypted, but {expect:?} was expected", vector.name),
            (expect, Err(e)) => panic!("{}: {e}, but {expect:?} was expected", vector.name),
        }
    }
}

#[test]
fn item_12_scrypt_vectors_open_or_fail_and_the_work_factor_is_capped() {
    let all = vectors("scrypt");
    assert_eq!(all.len(), 25, "the vendored scrypt vectors are all here");
    for vector in all {
        let passphrase = Secret::new(vector.passphrase.clone().unwrap());
        let result = Keys::open_sealed(&vector.age_file, &passphrase, Path::new(&vector.name));
        match (&vector.expect, result) {
            (Expect::Success { payload_sha256 }, Ok(plain)) => {
                assert_eq!(&sha256_hex(&plain), payload_sha256, "{}", vector.name);
            }
            // `Scrypt` (uppercase) is no scrypt stanza at all, so there is nothing to try the
            // passphrase on.
            (Expect::NoMatch, Err(e)) => {
                let text = e.to_string();
                assert!(
                    text.contains("wrong passphrase")
                        || text.contains("is not passphrase-protected"),
                    "{}: {text}",
                    vector.name
                );
            }
            (Expect::HeaderFailure, Err(e)) => {
                let text = e.to_string();
                assert!(
                    !text.contains("wrong passphrase"),
                    "{}: a malformed header is not a wrong passphrase: {text}",
                    vector.name
                );
                if vector.name == "scrypt_work_factor_23" {
                    assert!(
                        text.contains("work factor 23, above zdauth's limit of 22"),
                        "{text}"
                    );
                }
            }
            (expect, Ok(_)) => panic!("{}: opened, but {expect:?} was expected", vector.name),
            (expect, Err(e)) => panic!("{}: {e}, but {expect:?} was expected", vector.name),
        }
    }
}
