//! Helpers shared by the integration tests: a throwaway config dir per test and the real
//! binary run against it.

pub mod agent;
pub mod bounded;
pub mod ci;
pub mod clipboard;
pub mod notifier;
pub mod store;
pub mod tmpfs;
pub mod tmux;
pub mod world;

use std::io::Write;
use std::os::unix::fs::DirBuilderExt;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use jiff::{SignedDuration, Timestamp};
use zdauth_core::paths::Paths;
use zdauth_core::secret::Secret;
use zdauth_core::vault::{Entry, Keys, Tokens, Vault};

/// The zdauth binary under test.
pub const BINARY: &str = env!("CARGO_BIN_EXE_zdauth");

pub const PASSPHRASE: &str = "correct horse battery";

pub struct Sandbox {
    pub temp: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let temp = tempfile::tempdir().unwrap();
        // Each sandbox's agents live in its own runtime dir: tests never meet another's.
        std::fs::DirBuilder::new()
            .mode(0o700)
            .create(temp.path().join("run"))
            .unwrap();
        Self { temp }
    }

    /// `XDG_RUNTIME_DIR` of every process this sandbox runs.
    pub fn runtime_dir(&self) -> PathBuf {
        self.temp.path().join("run")
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

    /// The real binary, isolated: no ZDAUTH_* from the caller, HOME inside the sandbox, in a
    /// session of its own.
    pub fn zdauth(&self, args: &[&str]) -> Command {
        self.zdauth_through(&[], args)
    }

    /// [`Self::zdauth`] started by `launcher`: a program and its arguments that change the
    /// process (limits, terminal) and then exec the rest of their argv, so the change is the
    /// child's alone and the pid stays the binary's.
    pub fn zdauth_through(&self, launcher: &[&str], args: &[&str]) -> Command {
        let mut command = match launcher.split_first() {
            Some((program, rest)) => {
                let mut command = in_new_session(program);
                command.args(rest).arg(BINARY);
                command
            }
            None => in_new_session(BINARY),
        };
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
            .env("XDG_RUNTIME_DIR", self.runtime_dir())
            .stdin(Stdio::null());
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
        use age::secrecy::ExposeSecret;
        let identity = age::x25519::Identity::generate();
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
            stdout: text(output.stdout),
            stderr: text(output.stderr),
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

/// Output as text, any invalid UTF-8 replaced.
fn text(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// `program` in a new session, which has no controlling terminal, so a passphrase prompt
/// fails at once (as in CI) instead of waiting on the developer's terminal. util-linux's
/// `setsid` calls setsid(2) and execs in place (the child is no group leader): the same pid,
/// and no `unsafe` pre-exec hook in this process.
pub fn in_new_session(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new("setsid");
    command.arg(program);
    command
}

/// This test binary again, in a new session, running nothing but the `#[ignore]`d helper
/// test `name` of the module `module` (pass `module_path!()`): a child process for work
/// that must run apart from the tests (a writer to kill, a crowd of writers).
pub fn rerun_helper(module: &str, name: &str) -> Command {
    // libtest names a test by its path below the crate: `crash::save_loop_child`.
    let module = module.split_once("::").map_or("", |(_, below)| below);
    let mut command = in_new_session(std::env::current_exe().unwrap());
    command.args([
        "--ignored",
        "--exact",
        &format!("{module}::{name}"),
        "--test-threads=1",
    ]);
    command
}

pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}
