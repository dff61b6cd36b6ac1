//! Helpers shared by the integration tests: a throwaway config dir per test and the real
//! binary run against it.
#![allow(dead_code)]
#![allow(unsafe_code)] // TEMPORARY: the tests move to rustix (issue 12)

pub mod bounded;
pub mod ci;
pub mod clipboard;
pub mod tmpfs;
pub mod tmux;
pub mod world;

use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use jiff::{SignedDuration, Timestamp};
use zdauth_core::paths::Paths;
use zdauth_core::secret::Secret;
use zdauth_core::vault::{Entry, Keys, Tokens, Vault};

pub const PASSPHRASE: &str = "correct horse battery";

pub struct Sandbox {
    pub temp: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Self {
            temp: tempfile::tempdir().unwrap(),
        }
    }

    pub fn dir(&self) -> PathBuf {
        self.temp.path().join("cfg")
    }

    pub fn paths(&self) -> Paths {
        Paths::at(self.dir())
    }

    pub fn identity_file(&self) -> PathBuf {
        self.temp.path().join("key.txt")
    }

    /// The real binary, isolated: no ZDAUTH_* from the caller, HOME inside the sandbox.
    pub fn zdauth(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_zdauth"));
        for (key, _) in std::env::vars_os() {
            if key.to_string_lossy().starts_with("ZDAUTH_") || key == "RUST_LOG" {
                command.env_remove(key);
            }
        }
        command
            .args(args)
            .env("ZDAUTH_CONFIG_DIR", self.dir())
            .env("HOME", self.temp.path())
            .env("XDG_CONFIG_HOME", self.temp.path().join("xdg-config"))
            .env("XDG_STATE_HOME", self.temp.path().join("xdg-state"))
            .stdin(Stdio::null());
        detach_from_terminal(&mut command);
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::of(self.zdauth(args).output().unwrap())
    }

    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
        let mut command = self.zdauth(args);
        command.envs(env.iter().copied());
        if stdin.is_some() {
            command.stdin(Stdio::piped());
        }
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = command.spawn().unwrap();
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        Run::of(child.wait_with_output().unwrap())
    }

    /// `zdauth init --identity-file` with a fresh X25519 key: no passphrase, no scrypt.
    pub fn init_with_identity_file(&self) {
        let identity = age::x25519::Identity::generate();
        use age::secrecy::ExposeSecret;
        std::fs::write(
            self.identity_file(),
            format!("{}\n", identity.to_string().expose_secret()),
        )
        .unwrap();
        let path = self.identity_file();
        self.run(&["init", "--identity-file", path.to_str().unwrap()])
            .success();
    }

    /// The vault as an outside program using the library would open it.
    pub fn vault(&self) -> Vault {
        let keys = Keys::from_identity_file(&self.identity_file()).unwrap();
        Vault::new(self.paths(), keys)
    }

    pub fn vault_bytes(&self) -> Vec<u8> {
        std::fs::read(self.paths().vault()).unwrap()
    }

    pub fn config_text(&self) -> String {
        std::fs::read_to_string(self.paths().config()).unwrap()
    }

    /// Temp files of interrupted writes left in the config dir.
    pub fn temp_files(&self) -> Vec<String> {
        std::fs::read_dir(self.dir())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains(".tmp"))
            .collect()
    }

    pub fn add(&self, name: &str) {
        self.run(&[
            "add",
            name,
            "--subdomain",
            name,
            "--client-id",
            "zdauth_test",
        ])
        .success();
    }
}

/// A pair whose access token has `access_left` left and refresh token `refresh_left`; it
/// lived 30 minutes (or `access_left`, if longer) in all, so the margin rule applies.
pub fn tokens(access_left: i64, refresh_left: Option<i64>) -> Entry {
    let now = Timestamp::now();
    let lifetime = access_left.max(1800);
    Entry {
        tokens: Some(Tokens {
            access_token: Secret::new("access-SECRET-abc"),
            refresh_token: refresh_left.map(|_| Secret::new("refresh-SECRET-xyz")),
            token_type: "bearer".into(),
            scopes: vec!["read".into()],
            obtained_at: now + SignedDuration::from_secs(access_left - lifetime),
            expires_at: Some(now + SignedDuration::from_secs(access_left)),
            expiry_source: zdauth_core::expiry::ExpirySource::Server,
            refresh_expires_at: refresh_left.map(|s| now + SignedDuration::from_secs(s)),
        }),
        ..Entry::default()
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn of(output: Output) -> Self {
        Self {
            // A signal's death reads as a shell reports it: 128+N.
            code: output
                .status
                .code()
                .or_else(|| output.status.signal().map(|n| 128 + n))
                .unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    #[track_caller]
    pub fn success(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        self
    }

    /// A failure after progress lines (login): the last stderr line is the one-line error.
    #[track_caller]
    pub fn fails_at_end(self, code: i32, words: &str) -> Self {
        assert_eq!(
            self.code, code,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        let last = self.stderr.trim_end().lines().last().unwrap_or_default();
        assert!(last.starts_with("zdauth: "), "stderr: {}", self.stderr);
        assert!(last.contains(words), "want {words:?} in {last}");
        assert!(!self.stderr.contains("panicked"), "stderr: {}", self.stderr);
        self
    }

    /// A failure: the wanted code and one line on stderr naming `words`.
    #[track_caller]
    pub fn fails(self, code: i32, words: &str) -> Self {
        assert_eq!(
            self.code, code,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        assert!(
            self.stderr.starts_with("zdauth: "),
            "stderr: {}",
            self.stderr
        );
        assert_eq!(
            self.stderr.trim_end().lines().count(),
            1,
            "stderr: {}",
            self.stderr
        );
        assert!(
            self.stderr.contains(words),
            "want {words:?} in {}",
            self.stderr
        );
        assert!(!self.stderr.contains("panicked"), "stderr: {}", self.stderr);
        self
    }
}

/// A new session has no controlling terminal, so a passphrase prompt fails at once (as in CI)
/// instead of waiting on the developer's terminal.
pub fn detach_from_terminal(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: setsid is async-signal-safe and touches no memory of the parent.
    unsafe {
        command.pre_exec(|| {
            if libc::setsid() == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
}

pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
