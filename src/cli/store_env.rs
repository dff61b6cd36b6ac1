//! How a door reaches the team store: the environment, and the AppRole secret id from stdin
//! with `--store-secret-id-stdin` (never from argv, where `ps` shows it to every user).

use std::io::{IsTerminal, Read};
use std::os::fd::AsFd;

use zeroize::Zeroizing;

use zdauth_core::config::Config;
use zdauth_core::error::Error;
use zdauth_core::secret::Secret;
use zdauth_core::store::{Descriptor, Store, StoreEnv};
use zdauth_core::vault::Vault;

/// A secret id is a UUID; a line longer than this is not one.
const MAX_LINE: usize = 1024;

/// What `zdauth store …` says without `[store]`.
pub const NO_STORE: &str =
    "no [store] in config.toml: add one (see README \"Sharing with a team\")";

/// The store's environment for `config`, with `secret_id` (read from stdin at the start) in
/// place of the variable's. `None` without `[store]`.
pub fn store_env(config: &Config, secret_id: Option<&Secret>) -> Result<Option<StoreEnv>, Error> {
    let Some(settings) = &config.store else {
        if secret_id.is_some() {
            return Err(Error::Usage(format!(
                "--store-secret-id-stdin: {NO_STORE}, or leave the flag out"
            )));
        }
        return Ok(None);
    };
    let mut env = StoreEnv::from_process(settings);
    if let Some(secret_id) = secret_id {
        if settings.role_id.is_none() {
            return Err(Error::Usage(
                "--store-secret-id-stdin: [store] has no role_id, so no AppRole login uses a secret id: add role_id, or leave the flag out".into(),
            ));
        }
        env.secret_id = Some(secret_id.expose().to_owned());
    }
    Ok(Some(env))
}

/// `vault` (opened without a store: a first run's new identity, or migrate's local side)
/// with the store `config` names, as [`zdauth_core::vault::open`] attaches it.
pub fn with_store(vault: Vault, config: &Config, env: &StoreEnv) -> Result<Vault, Error> {
    let Some(settings) = &config.store else {
        return Ok(vault);
    };
    let store = Store::open(settings, env)?;
    let descriptors = config
        .connections
        .iter()
        .map(|c| (c.name.clone(), Descriptor::of(c)))
        .collect();
    vault.with_store(store, descriptors)
}

/// The secret id: typed (hidden) at a terminal, else the first line of stdin. Read a byte at
/// a time from the descriptor itself, so that whatever follows the line is left for the
/// command (a client secret, a request body, the program `exec` runs).
pub fn read_secret_id() -> Result<Secret, Error> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        let typed = rpassword::prompt_password("Store secret id: ").map_err(|e| {
            Error::Usage(format!(
                "--store-secret-id-stdin: cannot read the secret id ({e}): pipe it in instead"
            ))
        })?;
        return checked(Zeroizing::new(typed.into_bytes()));
    }
    let fd = stdin.as_fd().try_clone_to_owned().map_err(|e| {
        Error::Usage(format!(
            "--store-secret-id-stdin: cannot read stdin ({e}): pipe the secret id in"
        ))
    })?;
    let mut file = std::fs::File::from(fd);
    checked(first_line(&mut file)?)
}

/// Up to the first newline, at most [`MAX_LINE`] bytes, never a byte past it.
fn first_line(input: &mut impl Read) -> Result<Zeroizing<Vec<u8>>, Error> {
    let mut line = Zeroizing::new(Vec::with_capacity(64));
    let mut byte = [0u8; 1];
    loop {
        match input.read(&mut byte) {
            Ok(0) => break,
            Ok(_) if byte[0] == b'\n' => break,
            Ok(_) if line.len() >= MAX_LINE => {
                return Err(Error::Usage(
                    "--store-secret-id-stdin: the first line of stdin is too long for a secret id: pipe in the secret id alone".into(),
                ));
            }
            Ok(_) => line.push(byte[0]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(Error::Usage(format!(
                    "--store-secret-id-stdin: cannot read stdin ({e}): pipe the secret id in"
                )));
            }
        }
    }
    Ok(line)
}

fn checked(mut line: Zeroizing<Vec<u8>>) -> Result<Secret, Error> {
    while line
        .last()
        .is_some_and(|b| matches!(b, b'\r' | b' ' | b'\t'))
    {
        line.pop();
    }
    let Ok(text) = std::str::from_utf8(&line) else {
        return Err(Error::Usage(
            "--store-secret-id-stdin: stdin is not a secret id (not UTF-8 text): pipe in the secret id alone".into(),
        ));
    };
    let text = text.trim_start();
    if text.is_empty() {
        return Err(Error::Usage(
            "--store-secret-id-stdin: stdin held no secret id: pipe it in, e.g. `pass bao/secret-id | zdauth --store-secret-id-stdin …`".into(),
        ));
    }
    if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(Error::Usage(
            "--store-secret-id-stdin: the first line of stdin is not one secret id: pipe in the secret id alone, on one line".into(),
        ));
    }
    Ok(Secret::new(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_line_is_taken() {
        let mut input: &[u8] = b"5e4b1c2a-id\r\nthe client secret\n";
        let line = first_line(&mut input).unwrap();
        assert_eq!(checked(line).unwrap().expose(), "5e4b1c2a-id");
        assert_eq!(input, b"the client secret\n");
    }

    #[test]
    fn a_bad_line_is_refused_without_quoting_it() {
        for bad in [&b""[..], b"\n", b"two words\n", b"\xff\xfe\n"] {
            let mut input = bad;
            let error = checked(first_line(&mut input).unwrap()).unwrap_err();
            let text = error.to_string();
            assert!(text.starts_with("--store-secret-id-stdin: "), "{text}");
            assert!(!text.contains("words"), "{text}");
        }
        let long = vec![b'a'; MAX_LINE + 10];
        assert!(first_line(&mut long.as_slice()).is_err());
    }

    #[test]
    fn without_a_store_the_flag_is_a_usage_error() {
        let config = Config::parse("", std::path::Path::new("config.toml")).unwrap();
        assert!(store_env(&config, None).unwrap().is_none());
        let secret = Secret::new("id");
        let error = store_env(&config, Some(&secret)).unwrap_err();
        assert!(matches!(error, Error::Usage(_)), "{error}");
        assert!(error.to_string().contains(NO_STORE), "{error}");
    }

    #[test]
    fn the_secret_id_needs_a_role_id() {
        let path = std::path::Path::new("config.toml");
        let config = Config::parse("[store]\naddress = \"http://127.0.0.1:8200\"\n", path).unwrap();
        let secret = Secret::new("id");
        assert!(store_env(&config, Some(&secret)).is_err());
        let config = Config::parse(
            "[store]\naddress = \"http://127.0.0.1:8200\"\nrole_id = \"r\"\n",
            path,
        )
        .unwrap();
        let env = store_env(&config, Some(&secret)).unwrap().unwrap();
        assert_eq!(env.secret_id.as_deref(), Some("id"));
    }
}
