//! `zdauth agent install [--print]` / `uninstall` through the real binary: the systemd user
//! unit's every field, quoting that survives a config dir with spaces, `%`, `$` and quotes,
//! and an install into a sandbox HOME with a stand-in `systemctl` (there is no systemd user
//! bus here) that records its argv. A unit that is not zdauth's is never replaced or removed.

use crate::common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{BINARY, PASSPHRASE, Run, Sandbox, mode};
use sha2::{Digest, Sha256};

/// A config dir whose name holds every character systemd gives a meaning to.
const AWKWARD: &str = "my cfg 100% \"q\" 'x' $HOME \\b";

struct Setup {
    sb: Sandbox,
    dir: PathBuf,
    /// Holds `setsid` (which the sandbox starts zdauth with) and, when asked, a stand-in
    /// `systemctl`; the whole of PATH.
    bin: PathBuf,
}

impl Setup {
    /// A config dir at `name` inside the sandbox, set up with a plain identity file.
    fn new(name: &str) -> Self {
        Self::with(name, |setup| {
            std::fs::write(setup.sb.identity_file(), age_keygen()).unwrap();
            let key = setup.sb.identity_file();
            setup
                .run(&["init", "--identity-file", key.to_str().unwrap()])
                .success();
        })
    }

    /// The same with a sealed identity, at the lowest work factor users can set.
    fn sealed(name: &str) -> Self {
        Self::with(name, |setup| {
            std::fs::create_dir_all(&setup.dir).unwrap();
            std::fs::write(
                setup.dir.join("config.toml"),
                "[settings]\nkdf_work_factor = 10\n",
            )
            .unwrap();
            let mut command = setup.command(&["init"]);
            command.env("ZDAUTH_PASSPHRASE", PASSPHRASE);
            Run::of(command.output().unwrap()).success();
        })
    }

    fn with(name: &str, init: impl FnOnce(&Self)) -> Self {
        let sb = Sandbox::new();
        let dir = sb.temp.path().join(name);
        let bin = sb.temp.path().join("bin");
        std::fs::create_dir(&bin).unwrap();
        let setsid = which("setsid").expect("util-linux setsid");
        std::os::unix::fs::symlink(setsid, bin.join("setsid")).unwrap();
        let setup = Self { sb, dir, bin };
        init(&setup);
        setup
    }

    /// A `systemctl` that appends its arguments, one line per call, to `systemctl.log`, and
    /// exits with `code` after saying `say` on stderr.
    fn stand_in_systemctl(&self, code: i32, say: &str) {
        let script = format!(
            "#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{}'\necho '{say}' >&2\nexit {code}\n",
            self.log().display()
        );
        let path = self.bin.join("systemctl");
        std::fs::write(&path, script).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    fn log(&self) -> PathBuf {
        self.sb.temp.path().join("systemctl.log")
    }

    fn calls(&self) -> Vec<String> {
        std::fs::read_to_string(self.log())
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = self.sb.zdauth(&[]);
        command
            .arg("--config-dir")
            .arg(&self.dir)
            .args(args)
            .env("PATH", &self.bin);
        command
    }

    fn run(&self, args: &[&str]) -> Run {
        Run::of(self.command(args).output().unwrap())
    }

    fn unit_dir(&self) -> PathBuf {
        self.sb.temp.path().join("xdg-config/systemd/user")
    }

    /// The name the agent's socket is named by too: 16 hex of SHA-256 of the canonical dir.
    fn unit_name(&self) -> String {
        let canonical = std::fs::canonicalize(&self.dir).unwrap();
        let digest = Sha256::digest(canonical.as_os_str().as_encoded_bytes());
        let hex: String = digest[..8]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<Vec<_>>()
            .concat();
        format!("zdauth-agent-{hex}.service")
    }

    fn unit(&self) -> PathBuf {
        self.unit_dir().join(self.unit_name())
    }
}

fn age_keygen() -> String {
    use age::secrecy::ExposeSecret;
    let identity = age::x25519::Identity::generate();
    format!("{}\n", identity.to_string().expose_secret())
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|path| path.is_file())
}

/// `ExecStart`'s words as systemd reads them (systemd.service(5), "Command lines"): quoted
/// words with C escapes, then `%%` and `$$` made single. Written from the manual, apart from
/// zdauth's quoting, so that the two must agree.
fn systemd_words(line: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut chars = line.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        let Some(open) = chars.next() else {
            return words;
        };
        assert_eq!(open, '"', "every word is quoted: {line}");
        let mut word = String::new();
        loop {
            match chars.next().expect("a closing quote") {
                '"' => break,
                '\\' => word.push(chars.next().expect("an escaped character")),
                c => word.push(c),
            }
        }
        assert!(matches!(chars.peek(), None | Some(' ')), "{line}");
        words.push(word.replace("%%", "%").replace("$$", "$"));
    }
}

fn field<'a>(unit: &'a str, key: &str) -> Vec<&'a str> {
    unit.lines()
        .filter_map(|l| l.strip_prefix(&format!("{key}=")))
        .collect()
}

#[test]
fn print_shows_a_unit_that_runs_the_agent_for_an_awkward_config_dir() {
    let setup = Setup::new(AWKWARD);
    let unit = setup.run(&["agent", "install", "--print"]).success().stdout;

    let exec = field(&unit, "ExecStart");
    assert_eq!(exec.len(), 1, "{unit}");
    let canonical = |p: &Path| {
        std::fs::canonicalize(p)
            .unwrap()
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        systemd_words(exec[0]),
        [
            canonical(Path::new(BINARY)),
            "--config-dir".into(),
            canonical(&setup.dir),
            "agent".into(),
            "run".into()
        ],
        "{unit}"
    );
    assert!(
        exec[0].contains("100%% ") && exec[0].contains("$$HOME"),
        "{unit}"
    );
    assert_eq!(field(&unit, "Restart"), ["on-failure"], "{unit}");
    // Stopping waits out the slowest refresh the defaults allow (3 × 30 s + 90 s, and slack);
    // an agent refused because another runs for the dir (exit 2) is not restarted.
    assert_eq!(field(&unit, "TimeoutStopSec"), ["200"], "{unit}");
    assert_eq!(field(&unit, "RestartPreventExitStatus"), ["2"], "{unit}");
    assert_eq!(field(&unit, "Type"), ["simple"], "{unit}");
    assert_eq!(field(&unit, "WantedBy"), ["default.target"], "{unit}");
    let description = field(&unit, "Description");
    assert!(description[0].contains("100%% \"q\""), "{unit}");
    let sections: Vec<&str> = unit.lines().filter(|l| l.starts_with('[')).collect();
    assert_eq!(sections, ["[Unit]", "[Service]", "[Install]"]);
    assert!(unit.starts_with("# zdauth-agent-service: "), "{unit}");
    for secret in ["ZDAUTH_PASSPHRASE", "AGE-SECRET-KEY", "Environment"] {
        assert!(!unit.contains(secret), "{unit}");
    }
    // --print changes nothing.
    assert!(!setup.sb.temp.path().join("xdg-config/systemd").exists());

    // systemd's own reader, where the machine has it, takes the file without a complaint.
    if let Some(analyze) = which("systemd-analyze") {
        let file = setup.sb.temp.path().join("zdauth-agent-print.service");
        std::fs::write(&file, &unit).unwrap();
        let out = Command::new(analyze)
            .arg("verify")
            .arg(&file)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            out.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn install_enables_the_unit_and_uninstall_removes_it() {
    let setup = Setup::new("cfg dir");
    setup.stand_in_systemctl(0, "");
    let printed = setup.run(&["agent", "install", "--print"]).success().stdout;
    let run = setup.run(&["agent", "install"]).success();
    let unit = setup.unit();
    assert_eq!(std::fs::read_to_string(&unit).unwrap(), printed);
    assert_eq!(mode(&unit), 0o644);
    let name = setup.unit_name();
    assert_eq!(
        setup.calls(),
        [
            "--user daemon-reload".to_owned(),
            format!("--user enable --now {name}")
        ]
    );
    assert!(run.stdout.contains(&name), "{}", run.stdout);
    assert!(!run.stdout.contains("sealed"), "{}", run.stdout);
    let leftovers: Vec<_> = std::fs::read_dir(setup.unit_dir()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "temp files left: {leftovers:?}");

    // Again: its own unit is replaced, not refused.
    setup.run(&["agent", "install"]).success();
    assert_eq!(std::fs::read_to_string(&unit).unwrap(), printed);

    std::fs::remove_file(setup.log()).unwrap();
    setup.run(&["agent", "uninstall"]).success();
    assert!(!unit.exists());
    assert_eq!(
        setup.calls(),
        [
            format!("--user disable --now {name}"),
            "--user daemon-reload".to_owned()
        ]
    );
    let again = setup.run(&["agent", "uninstall"]).success();
    assert!(
        again.stdout.contains("no agent service is installed"),
        "{}",
        again.stdout
    );
}

#[test]
fn without_systemctl_the_unit_is_written_and_the_commands_are_named() {
    let setup = Setup::new("cfg");
    let run = setup.run(&["agent", "install"]).success();
    assert!(setup.unit().exists());
    let name = setup.unit_name();
    assert!(
        run.stdout
            .contains(&format!("systemctl --user enable --now {name}")),
        "{}",
        run.stdout
    );
    // And uninstall still removes it, saying nothing was stopped.
    let gone = setup.run(&["agent", "uninstall"]).success();
    assert!(!setup.unit().exists());
    assert!(
        gone.stdout.contains("nothing was stopped"),
        "{}",
        gone.stdout
    );
}

#[test]
fn a_failing_systemctl_is_one_line_that_says_why_and_what_to_do() {
    let setup = Setup::new("cfg");
    setup.stand_in_systemctl(1, "Failed to connect to bus: No medium found");
    setup
        .run(&["agent", "install"])
        .fails(1, "Failed to connect to bus: No medium found");
    // The unit stays for uninstall to remove, which refuses while systemctl cannot stop it.
    assert!(setup.unit().exists());
    setup.run(&["agent", "uninstall"]).fails(1, "left");
    assert!(setup.unit().exists());
}

#[test]
fn a_unit_that_is_not_zdauths_is_never_replaced_or_removed() {
    let setup = Setup::new("cfg");
    setup.stand_in_systemctl(0, "");
    std::fs::create_dir_all(setup.unit_dir()).unwrap();
    let unit = setup.unit();
    let foreign = "[Service]\nExecStart=/usr/bin/true\n";
    std::fs::write(&unit, foreign).unwrap();
    setup
        .run(&["agent", "install"])
        .fails(1, "was not written by zdauth");
    setup
        .run(&["agent", "uninstall"])
        .fails(1, "was not written by zdauth");
    assert_eq!(std::fs::read_to_string(&unit).unwrap(), foreign);

    // A link in its place, even to a unit of zdauth's, is the user's: left as it is.
    std::fs::remove_file(&unit).unwrap();
    let elsewhere = setup.sb.temp.path().join("elsewhere.service");
    let printed = setup.run(&["agent", "install", "--print"]).success().stdout;
    std::fs::write(&elsewhere, &printed).unwrap();
    std::os::unix::fs::symlink(&elsewhere, &unit).unwrap();
    setup.run(&["agent", "install"]).fails(1, "a symbolic link");
    setup
        .run(&["agent", "uninstall"])
        .fails(1, "a symbolic link");
    assert!(
        std::fs::symlink_metadata(&unit)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(setup.calls().is_empty(), "{:?}", setup.calls());
}

#[test]
fn a_sealed_identity_is_said_to_need_unlock() {
    let setup = Setup::sealed("cfg");
    setup.stand_in_systemctl(0, "");
    let run = setup.run(&["agent", "install"]).success();
    assert!(
        run.stdout.contains("is sealed") && run.stdout.contains("`zdauth unlock`"),
        "{}",
        run.stdout
    );
    assert_eq!(setup.calls().len(), 2, "{:?}", setup.calls());
}

#[test]
fn install_before_init_says_to_run_init() {
    let sb = Sandbox::new();
    sb.run(&["agent", "install"]).fails(1, "zdauth init");
    sb.run(&["agent", "install", "--print"])
        .fails(1, "zdauth init");
    let none = sb.run(&["agent", "uninstall"]).success();
    assert!(
        none.stdout.contains("no agent service is installed"),
        "{}",
        none.stdout
    );
}

#[test]
fn a_config_dir_no_unit_line_can_carry_is_refused() {
    let setup = Setup::new("line\nbreak");
    setup
        .run(&["agent", "install", "--print"])
        .fails(1, "holds a control character");
    setup
        .run(&["agent", "install"])
        .fails(1, "holds a control character");
    assert!(!setup.unit_dir().exists());
}
