use std::fmt::Write as _;

use super::*;

const REFRESH: &str = "rt/Zq+9xW_ab-Kp3Lm7Vn2";
const CLIENT_SECRET: &str = "cs secret&=é/+42";

fn sent() -> Sent<'static> {
    Sent::of([REFRESH, CLIENT_SECRET, ""])
}

#[track_caller]
fn scrubbed(text: &str) -> String {
    let out = sent().redact(text);
    for secret in [REFRESH, CLIENT_SECRET] {
        assert!(!out.contains(secret), "{out}");
        assert!(!out.contains(&secret[..MIN_PIECE]), "{out}");
    }
    out
}

#[test]
fn plain_secrets_go_and_the_rest_stays() {
    let out = scrubbed(&format!(
        "invalid_grant: refresh_token={REFRESH} client_id=zdauth"
    ));
    assert_eq!(
        out,
        "invalid_grant: refresh_token=[redacted] client_id=zdauth"
    );
}

#[test]
fn form_and_percent_encodings_of_either_case_go() {
    let form: String = form_urlencoded::byte_serialize(CLIENT_SECRET.as_bytes()).collect();
    assert!(form.contains('+') && form.contains("%26"), "{form}");
    let lower = form.to_ascii_lowercase();
    let percent_space = form.replace('+', "%20");
    let twice: String = form_urlencoded::byte_serialize(form.as_bytes()).collect();
    for encoded in [form.clone(), lower, percent_space, twice] {
        let out = scrubbed(&format!(
            "body: client_secret={encoded}&grant_type=refresh_token"
        ));
        assert_eq!(
            out,
            "body: client_secret=[redacted]&grant_type=refresh_token"
        );
    }
}

#[test]
fn json_and_html_escapes_go() {
    let json = serde_json::to_string(&serde_json::json!({ "s": CLIENT_SECRET })).unwrap();
    let slashed = REFRESH.replace('/', "\\/");
    let unicode = REFRESH.chars().fold(String::new(), |mut out, c| {
        let _ = write!(out, "\\u{:04x}", u32::from(c));
        out
    });
    let html = CLIENT_SECRET.replace('&', "&amp;").replace('/', "&#x2F;");
    for text in [json, slashed, unicode, html] {
        let out = scrubbed(&format!("echo {text} end"));
        assert!(out.contains(REDACTED) && out.ends_with(" end"), "{out}");
    }
}

#[test]
fn base64_in_any_alignment_goes() {
    use base64::engine::general_purpose::STANDARD;
    for prefix in ["", "a", "ab", "zdauth_test:"] {
        let form: String = form_urlencoded::byte_serialize(CLIENT_SECRET.as_bytes()).collect();
        for secret in [REFRESH.to_owned(), form] {
            let basic = STANDARD.encode(format!("{prefix}{secret}"));
            let out = sent().redact(&format!("Authorization: Basic {basic}"));
            assert!(out.contains(REDACTED), "{out}");
            // What is left beside the prefix's own base64 is at most a group at each end.
            let left = out
                .replace("Authorization: Basic ", "")
                .replace(REDACTED, "");
            assert!(left.len() <= prefix.len() * 4 / 3 + 8, "{out}");
        }
    }
}

#[test]
fn pieces_and_cut_stubs_go() {
    // Split: a server that lists the two halves of a value apart.
    let (head, tail) = REFRESH.split_at(11);
    let out = scrubbed(&format!("fields: [{head}] [{tail}]"));
    assert_eq!(out, "fields: [[redacted]] [[redacted]]");
    // Cut by the server at its end, or before an ellipsis, or at its start.
    assert_eq!(
        sent().redact(&format!("refresh_token={}", &REFRESH[..5])),
        "refresh_token=[redacted]"
    );
    assert_eq!(
        sent().redact(&format!("token={}... more", &REFRESH[..5])),
        "token=[redacted]... more"
    );
    assert_eq!(
        sent().redact(&format!("{} rest", &REFRESH[17..])),
        "[redacted] rest"
    );
    // A short run in the middle of ordinary text is a coincidence, not a secret.
    assert_eq!(sent().redact("the rt/Z value"), "the rt/Z value");
}

#[test]
fn redaction_comes_before_the_cut_to_one_line() {
    let padding = "x".repeat(195);
    let shown = sent().clean(&format!("{padding} {REFRESH}"));
    assert!(!shown.contains(&REFRESH[..3]), "{shown}");
    assert!(shown.ends_with('…'), "{shown}");
}

#[test]
fn no_secrets_no_change_and_no_panic_on_any_text() {
    use proptest::prelude::*;
    assert_eq!(Sent::default().redact("a%zz\\u12"), "a%zz\\u12");
    proptest!(|(text in any::<String>())| {
        let out = sent().redact(&text);
        prop_assert!(!out.contains(REFRESH));
    });
    for tricky in [
        "%",
        "%2",
        "%25",
        "%255",
        "\\",
        "\\u",
        "\\u12",
        "&",
        "&#;",
        "&#x;",
        "&#99999999;",
        "+",
    ] {
        let _ = sent().redact(tricky);
    }
}

#[test]
fn a_long_answer_is_scrubbed_whole() {
    // The body cap is 256 KiB; a body of secret-like bytes is the expensive case.
    let text = format!("{}{REFRESH}", "a".repeat(64 * 1024));
    let out = sent().redact(&text);
    assert!(
        out.starts_with("aaaa") && out.ends_with(REDACTED),
        "{}",
        &out[..40]
    );
}

#[test]
fn a_user_answer_that_echoes_the_bearer_token_keeps_none_of_it() {
    let user = User {
        id: 7,
        name: format!("Bearer {REFRESH}"),
        email: "ada@acme.test".into(),
        role: REFRESH[..10].into(),
    };
    let user = sent().user(&user);
    assert_eq!(user.name, "Bearer [redacted]");
    assert_eq!(user.email, "ada@acme.test");
    assert_eq!(user.role, "[redacted]");
}

#[test]
fn an_answer_too_costly_to_scrub_is_withheld_whole() {
    // A server picks the refresh token it later echoes: one byte repeated makes every
    // position of a near-match try every place in the secret.
    let secret = "a".repeat(256);
    let text = "aaaaaaab".repeat(256 * 1024 / 8);
    let out = Sent::of([secret.as_str()]).redact(&text);
    assert!(out == WITHHELD, "{} bytes came back", out.len());
}

#[test]
fn an_echo_in_another_letter_case_goes() {
    // A proxy or an error page that upper- or lower-cases what it quotes (hex tokens).
    for echoed in [
        REFRESH.to_ascii_uppercase(),
        REFRESH.to_ascii_lowercase(),
        CLIENT_SECRET.to_ascii_uppercase(),
        REFRESH[..10].to_ascii_uppercase(),
    ] {
        let out = sent().redact(&format!("said: {echoed}!"));
        assert_eq!(out, "said: [redacted]!", "{echoed}");
    }
}

#[test]
fn a_long_hex_answer_against_hex_secrets_stays_within_the_budget() {
    // Hex text against hex secrets is the costliest ordinary case: it must not be withheld.
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut hex = |len: usize| -> String {
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                char::from(b"0123456789abcdef"[(state % 16) as usize])
            })
            .collect()
    };
    let secrets = [hex(64), hex(64), hex(64)];
    let text = hex(255 * 1024);
    let out = Sent::of(secrets.iter().map(String::as_str)).redact(&text);
    assert!(out != WITHHELD);
}
