//! The catalog of bad inputs, one case a line, and the steps that plant them: broken
//! config, flags, subdomains and URLs, vault and identity files, callbacks, environment.

use std::path::Path;

use super::Setup::{Append, Base, Config, Sealed, Then};
use super::Shape::{Line, Usage};
use super::{Case, Setup, Shape};
use crate::common::{self, Sandbox};

const fn case(
    setup: Setup,
    args: &'static [&'static str],
    code: i32,
    shape: Shape,
    words: &'static str,
) -> Case {
    Case {
        setup,
        args,
        env: &[],
        stdin: None,
        code,
        shape,
        words,
    }
}

const fn with_env(env: &'static [(&'static str, &'static str)], case: Case) -> Case {
    let mut case = case;
    case.env = env;
    case
}

const fn pasting(stdin: &'static str, words: &'static str) -> Case {
    Case {
        setup: Setup::Base,
        args: &["login", "acme", "--no-browser", "--timeout", "1s"],
        env: &[],
        stdin: Some(stdin),
        code: 1,
        shape: Shape::Last,
        words,
    }
}

fn add_beta(subdomain: &'static str) -> Case {
    let args: &'static [&'static str] = Box::leak(
        // `--subdomain=…` so that a value starting with '-' is not taken for a flag.
        vec![
            "add",
            "beta",
            "--client-id",
            "c",
            String::leak(format!("--subdomain={subdomain}")),
        ]
        .into_boxed_slice(),
    );
    case(Base, args, 2, Line, "is not a Zendesk subdomain")
}

fn add_beta_with(
    flag: &'static str,
    value: &'static str,
    shape: Shape,
    words: &'static str,
) -> Case {
    let args: &'static [&'static str] = Box::leak(
        vec![
            "add",
            "beta",
            "--client-id",
            "c",
            "--subdomain",
            "beta",
            flag,
            value,
        ]
        .into_boxed_slice(),
    );
    case(Base, args, 2, shape, words)
}

fn write(sb: &Sandbox, name: &str, bytes: &[u8]) {
    std::fs::write(sb.dir().join(name), bytes).unwrap();
}

fn other_identity(sb: &Sandbox) -> age::x25519::Identity {
    use age::secrecy::ExposeSecret;
    let identity = age::x25519::Identity::generate();
    std::fs::write(
        sb.temp.path().join("other.txt"),
        format!("{}\n", identity.to_string().expose_secret()),
    )
    .unwrap();
    identity
}

fn own_recipient(sb: &Sandbox) -> age::x25519::Recipient {
    let text = std::fs::read_to_string(sb.identity_file()).unwrap();
    text.trim()
        .parse::<age::x25519::Identity>()
        .unwrap()
        .to_public()
}

// One case a line: the table reads best unwrapped.
#[rustfmt::skip]
pub(super) fn catalog() -> Vec<Case> {
    const LIST: &[&str] = &["list"];
    const TOKEN: &[&str] = &["token", "acme"];
    vec![
        // ---- config.toml ----
        case(Append("[settings\n"), LIST, 1, Line, "unclosed table"),
        case(Config("refresh_margin = \"5m\"", "refresh_margin = \"25h\""), LIST, 1, Line, "refresh_margin"),
        case(Config("http_timeout = \"30s\"", "http_timeout = \"0s\""), LIST, 1, Line, "http_timeout"),
        case(Config("http_timeout = \"30s\"", "http_timeout = \"10m\""), LIST, 1, Line, "http_timeout"),
        case(Config("[settings]", "[settings]\nkdf_work_factor = 23"), LIST, 1, Line, "kdf_work_factor"),
        case(Config("[settings]", "[settings]\ncolour = \"red\""), LIST, 1, Line, "unknown field `colour`"),
        case(Config("auto_refresh = false", "auto_refresh = \"yes\""), LIST, 1, Line, "expected a boolean"),
        case(Append("[[connection]]\nname = \"b\"\nsubdomain = \"b\"\nclient_id = \"c\"\nclient_secret = \"SECRETMARK\"\n"), LIST, 1, Line, "secrets never go in config.toml"),
        case(Config("\nsubdomain = \"acme\"", "\nsubdomain = \"ACME.zendesk.com\""), TOKEN, 1, Line, "must be the bare subdomain: write \"acme\""),
        case(Config("\nsubdomain = \"acme\"", "\nsubdomain = \"evil.com/#\""), TOKEN, 1, Line, "is not a Zendesk subdomain"),
        case(Append("base_url = \"http://example.com\"\n"), TOKEN, 1, Line, "non-loopback host"),
        case(Append("base_url = \"https://u:SECRETMARK@x.test\"\n"), TOKEN, 1, Line, "user name or password"),
        case(Append("base_url = \"https://x.test/?token=SECRETMARK\"\n"), TOKEN, 1, Line, "query or fragment"),
        case(Append("[[connection]]\nname = \"acme\"\nsubdomain = \"x\"\nclient_id = \"c\"\n"), LIST, 1, Line, "names must be unique"),
        case(Append("kind = \"voice\"\n"), TOKEN, 1, Line, "is not a kind"),
        case(Then(set_redirect_port_80), TOKEN, 1, Line, "redirect_port"),
        case(Config("\nscopes = [\"read\", \"write\"]", "\nscopes = [\"chat\"]"), TOKEN, 1, Line, "scopes"),
        case(Append("access_token_lifetime = \"1m\"\n"), TOKEN, 1, Line, "access_token_lifetime"),
        // A usual 755 directory: it must be reported, not "fixed" to a file's 600.
        case(Then(|sb| replace_with_dir(&sb.paths().config())), LIST, 1, Line, "is a directory, not a regular file"),
        // ---- CLI arguments ----
        case(Base, &["add", "Bad Name", "--subdomain", "x", "--client-id", "c"], 2, Line, "is not a valid name"),
        case(Base, &["add", "beta", "--subdomain", "beta", "--client-id", "12345"], 2, Line, "numeric client id"),
        add_beta_with("--redirect-port", "abc", Usage, "invalid value 'abc' for '--redirect-port"),
        add_beta_with("--redirect-port", "80", Line, "80 is not a usable port"),
        add_beta_with("--scopes", "read chat:read", Line, "\"chat:read\" is not a support scope"),
        add_beta_with("--kind", "voice", Line, "--kind"),
        add_beta_with("--access-token-lifetime", "1m", Line, "--access-token-lifetime"),
        add_beta_with("--refresh-token-lifetime", "91d", Line, "--refresh-token-lifetime"),
        case(Base, &["token", "acme", "--min-valid", "5x"], 2, Usage, "unknown time unit"),
        case(Base, &["login", "acme", "--timeout", "soon"], 2, Usage, "--timeout"),
        case(Base, &["login", "acme", "--timeout", "0s"], 2, Usage, "a login cannot wait 0s"),
        case(Base, &["frobnicate"], 2, Usage, "unrecognized subcommand"),
        case(Base, &["token"], 2, Usage, "required arguments were not provided"),
        case(Base, &["refresh", "acme", "--all"], 2, Usage, "cannot be used with"),
        case(Base, &["completions", "tcsh"], 2, Usage, "invalid value 'tcsh'"),
        case(Base, &["token", "nope"], 1, Line, "no connection named \"nope\""),
        case(Base, &["remove", "nope"], 1, Line, "no connection named \"nope\""),
        case(Base, &["add", "acme", "--subdomain", "acme", "--client-id", "c"], 1, Line, "already exists"),
        case(Base, &["passwd"], 2, Line, "has no passphrase"),
        // ---- subdomains and URLs ----
        add_beta("evil.com/#"),
        add_beta("a@b"),
        add_beta("%2e"),
        add_beta("a\\b"),
        add_beta("пример"),
        add_beta("ac me"),
        add_beta("acme.zendesk.com.evil.com"),
        add_beta("https://acme.zendesk.com@evil.com/"),
        add_beta("-acme"),
        add_beta("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"),
        add_beta("ACME_corp"),
        add_beta("xn--80ak6aa92e"),
        add_beta("XN--1UUU1tU"),
        add_beta_with("--base-url", "http://10.0.0.1:8080", Line, "non-loopback host"),
        add_beta_with("--base-url", "https://u:SECRETMARK@x.test", Line, "user name or password"),
        add_beta_with("--base-url", "https://x.test/?token=SECRETMARK", Line, "query or fragment"),
        add_beta_with("--base-url", "ftp://x.test", Line, "ftp:// is not allowed"),
        add_beta_with("--base-url", "not a url", Line, "not a URL"),
        // ---- vault and identity files ----
        case(Then(|sb| { let b = sb.vault_bytes(); write(sb, "vault.age", &b[..b.len() / 2]) }), TOKEN, 1, Line, "is damaged"),
        case(Then(|sb| write(sb, "vault.age", b"")), TOKEN, 1, Line, "is damaged"),
        case(Then(|sb| write(sb, "vault.age", b"{\"version\":1}\n")), TOKEN, 1, Line, "is damaged"),
        case(Then(vault_for_a_stranger), TOKEN, 6, Line, "use the identity it was made with"),
        // A lost vault is reported, not replaced by an empty one that hides the loss.
        case(Then(|sb| std::fs::remove_file(sb.paths().vault()).unwrap()), TOKEN, 1, Line, "restore it from a backup, or move recipient.txt aside"),
        Case { stdin: Some("s3\n"), ..case(Then(|sb| std::fs::remove_file(sb.paths().vault()).unwrap()), &["add", "beta", "--subdomain", "beta", "--client-id", "x", "--secret-stdin"], 1, Line, "recipient.txt shows a vault was made") },
        case(Then(vault_from_a_newer_zdauth), &["remove", "acme"], 1, Line, "newer zdauth"),
        with_env(OTHER_IDENTITY, case(Then(|sb| drop(other_identity(sb))), TOKEN, 6, Line, "is not the one recorded")),
        with_env(&[("ZDAUTH_IDENTITY_FILE", "{tmp}/missing.txt")], case(Base, TOKEN, 6, Line, "the identity file")),
        with_env(&[("ZDAUTH_IDENTITY_FILE", "{tmp}")], case(Base, TOKEN, 6, Line, "is a directory, not a regular file")),
        case(Then(|sb| std::fs::write(sb.identity_file(), "garbage\n").unwrap()), TOKEN, 6, Line, "is not a usable age identity"),
        with_env(&[("ZDAUTH_PASSPHRASE", "not the passphrase")], case(Sealed(|_| {}), TOKEN, 6, Line, "wrong passphrase")),
        case(Sealed(|_| {}), TOKEN, 6, Line, "set ZDAUTH_PASSPHRASE"),
        with_env(RIGHT_PASSPHRASE, case(Sealed(truncate_identity), TOKEN, 6, Line, "cannot be read as an age identity")),
        with_env(&[("ZDAUTH_PASSPHRASE", "password")], case(Sealed(work_factor_23), TOKEN, 6, Line, "above zdauth's limit of 22")),
        // ---- login callbacks pasted into `login --no-browser` ----
        pasting("http://127.0.0.1:{port}/callback?code=abc&state=forged\n", "does not match this login"),
        pasting("http://127.0.0.1:1/callback?code=abc&state=x\n", "the pasted address is for http://127.0.0.1:1/callback"),
        pasting("http://127.0.0.1:{port}/callback?code=a&code=b&state=x\n", "repeats the `code` parameter"),
        pasting("http://127.0.0.1:{port}/callback?error=access_denied\n", "has no `state`"),
        pasting("acme.zendesk.com/agent\n", "that is not a URL"),
        // ---- environment ----
        with_env(&[("ZDAUTH_CONFIG_DIR", "{tmp}/key.txt")], case(Base, LIST, 1, Line, "not a directory")),
        with_env(&[("ZDAUTH_CONFIG_DIR", "{tmp}/elsewhere")], case(Base, LIST, 1, Line, "run `zdauth init`")),
        with_env(&[("ZDAUTH_PASSPHRASE", "")], case(Sealed(|_| {}), TOKEN, 6, Line, "ZDAUTH_PASSPHRASE")),
    ]
}

const OTHER_IDENTITY: &[(&str, &str)] = &[("ZDAUTH_IDENTITY_FILE", "{tmp}/other.txt")];
const RIGHT_PASSPHRASE: &[(&str, &str)] = &[("ZDAUTH_PASSPHRASE", common::PASSPHRASE)];

fn set_redirect_port_80(sb: &Sandbox) {
    let text = sb.config_text();
    let line = text
        .lines()
        .find(|l| l.starts_with("redirect_port = "))
        .unwrap();
    std::fs::write(
        sb.paths().config(),
        text.replace(line, "redirect_port = 80"),
    )
    .unwrap();
}

fn replace_with_dir(path: &Path) {
    std::fs::remove_file(path).unwrap();
    std::fs::create_dir(path).unwrap();
}

fn vault_for_a_stranger(sb: &Sandbox) {
    let stranger = other_identity(sb).to_public();
    write(
        sb,
        "vault.age",
        &age::encrypt(&stranger, b"{\"version\":1}").unwrap(),
    );
}

fn vault_from_a_newer_zdauth(sb: &Sandbox) {
    let newer = br#"{"version": 99, "connections": {}}"#;
    write(
        sb,
        "vault.age",
        &age::encrypt(&own_recipient(sb), newer).unwrap(),
    );
}

fn truncate_identity(sb: &Sandbox) {
    let sealed = std::fs::read(sb.paths().identity()).unwrap();
    write(sb, "identity.age", &sealed[..sealed.len() - 20]);
}

/// The age testkit's scrypt stanza with work factor 23 (tests/data/age-testkit) as identity.age.
fn work_factor_23(sb: &Sandbox) {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/age-testkit/scrypt_work_factor_23");
    let vector = std::fs::read(path).unwrap();
    let start = vector.windows(2).position(|w| w == b"\n\n").unwrap() + 2;
    write(sb, "identity.age", &vector[start..]);
}
