use super::*;

const STATE: &str = "s7aTe-0123456789abcdefghijklmnop";
const REDIRECT: &str = "http://127.0.0.1:8765/callback";

fn code_of(result: Result<Callback, CallbackError>) -> String {
    match result {
        Ok(Callback::Code(code)) => code.expose().to_string(),
        other => panic!("expected a code, got {other:?}"),
    }
}

#[test]
fn right_state_gives_the_code() {
    let query = format!("code=abc123&state={STATE}");
    assert_eq!(code_of(parse_callback_query(&query, STATE)), "abc123");
}

#[test]
fn parameters_are_percent_decoded() {
    let query = format!("state={STATE}&code=a%2Fb%2Bc+d");
    assert_eq!(code_of(parse_callback_query(&query, STATE)), "a/b+c d");
}

#[test]
fn extra_parameters_are_ignored() {
    let query =
        format!("code=abc&iss=https%3A%2F%2Facme.zendesk.com&scope=read+write&state={STATE}&x=");
    assert_eq!(code_of(parse_callback_query(&query, STATE)), "abc");
}

#[test]
fn missing_state_is_rejected() {
    assert_eq!(
        parse_callback_query("code=abc", STATE),
        Err(CallbackError::MissingState)
    );
    assert_eq!(
        parse_callback_query("", STATE),
        Err(CallbackError::MissingState)
    );
}

#[test]
fn wrong_state_is_rejected() {
    let wrong = format!("code=abc&state={STATE}x");
    assert_eq!(
        parse_callback_query(&wrong, STATE),
        Err(CallbackError::WrongState)
    );
    let prefix = format!("code=abc&state={}", &STATE[..10]);
    assert_eq!(
        parse_callback_query(&prefix, STATE),
        Err(CallbackError::WrongState)
    );
    assert_eq!(
        parse_callback_query("code=abc&state=", STATE),
        Err(CallbackError::WrongState)
    );
}

#[test]
fn an_empty_expected_state_matches_nothing() {
    assert_eq!(
        parse_callback_query("code=abc&state=", ""),
        Err(CallbackError::WrongState)
    );
}

#[test]
fn missing_or_empty_code_is_rejected() {
    let query = format!("state={STATE}");
    assert_eq!(
        parse_callback_query(&query, STATE),
        Err(CallbackError::MissingCode)
    );
    let query = format!("state={STATE}&code=");
    assert_eq!(
        parse_callback_query(&query, STATE),
        Err(CallbackError::MissingCode)
    );
}

#[test]
fn duplicate_state_or_code_is_rejected() {
    let query = format!("code=abc&state={STATE}&state={STATE}");
    assert_eq!(
        parse_callback_query(&query, STATE),
        Err(CallbackError::Duplicate("state"))
    );
    let query = format!("code=abc&state={STATE}&code=evil");
    assert_eq!(
        parse_callback_query(&query, STATE),
        Err(CallbackError::Duplicate("code"))
    );
}

#[test]
fn error_with_the_right_state_is_denied() {
    let query = format!(
        "error=access_denied&error_description=The+end-user+denied+%3Cscript%3E&state={STATE}"
    );
    assert_eq!(
        parse_callback_query(&query, STATE),
        Ok(Callback::Denied {
            error: "access_denied".into(),
            description: Some("The end-user denied <script>".into()),
        })
    );
    let query = format!("error=server_error&state={STATE}");
    assert_eq!(
        parse_callback_query(&query, STATE),
        Ok(Callback::Denied {
            error: "server_error".into(),
            description: None,
        })
    );
}

#[test]
fn error_wins_over_a_code() {
    let query = format!("code=abc&error=access_denied&state={STATE}");
    assert!(matches!(
        parse_callback_query(&query, STATE),
        Ok(Callback::Denied { .. })
    ));
}

#[test]
fn error_with_a_wrong_or_missing_state_is_a_state_error() {
    assert_eq!(
        parse_callback_query("error=access_denied&error_description=pwned", STATE),
        Err(CallbackError::MissingState)
    );
    assert_eq!(
        parse_callback_query("error=access_denied&state=nope", STATE),
        Err(CallbackError::WrongState)
    );
}

#[test]
fn error_text_loses_control_characters_and_is_capped() {
    let long = "x".repeat(1000);
    let query = format!("error=a%1B%5B31mb&error_description={long}&state={STATE}");
    let Ok(Callback::Denied { error, description }) = parse_callback_query(&query, STATE) else {
        panic!("expected Denied");
    };
    // The escape sequence goes whole, not just its ESC.
    assert_eq!(error, "ab");
    assert_eq!(description.unwrap().chars().count(), MAX_ERROR_TEXT_CHARS);
}

#[test]
fn an_oversized_query_is_malformed() {
    let query = format!("state={STATE}&code={}", "a".repeat(MAX_QUERY_LEN));
    assert!(matches!(
        parse_callback_query(&query, STATE),
        Err(CallbackError::Malformed(_))
    ));
}

#[test]
fn messages_never_contain_the_values() {
    let errors = [
        parse_callback_query("code=SECRETCODE", STATE),
        parse_callback_query("code=SECRETCODE&state=SECRETSTATE", STATE),
        parse_callback_query("code=SECRETCODE&code=SECRETCODE&state=SECRETSTATE", STATE),
        parse_pasted_redirect(
            "http://127.0.0.1:9999/callback?code=SECRETCODE&state=SECRETSTATE",
            REDIRECT,
            STATE,
        ),
        parse_pasted_redirect("SECRETCODE SECRETSTATE", REDIRECT, STATE),
    ];
    for error in errors {
        let error = error.unwrap_err();
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains("SECRET"), "{text}");
        }
    }
    let denied = parse_callback_query(&format!("code=SECRETCODE&state={STATE}"), STATE);
    assert!(!format!("{denied:?}").contains("SECRET"));
}

#[test]
fn pasted_redirect_url_gives_the_code() {
    let pasted = format!("  {REDIRECT}?code=abc&state={STATE}&iss=x\n");
    assert_eq!(
        code_of(parse_pasted_redirect(&pasted, REDIRECT, STATE)),
        "abc"
    );
}

#[test]
fn pasted_denial_with_the_right_state_is_denied() {
    let pasted = format!("{REDIRECT}?error=access_denied&state={STATE}");
    assert!(matches!(
        parse_pasted_redirect(&pasted, REDIRECT, STATE),
        Ok(Callback::Denied { .. })
    ));
}

#[test]
fn pasted_url_for_another_endpoint_is_rejected() {
    for other in [
        "http://127.0.0.1:8766/callback",
        "http://localhost:8765/callback",
        "https://127.0.0.1:8765/callback",
        "http://127.0.0.1:8765/other",
        "http://127.0.0.1:8765/callback/x",
        "http://evil.example:8765/callback",
    ] {
        let pasted = format!("{other}?code=abc&state={STATE}");
        let error = parse_pasted_redirect(&pasted, REDIRECT, STATE).unwrap_err();
        assert!(
            matches!(&error, CallbackError::WrongRedirect { expected, .. } if expected == REDIRECT),
            "{other}: {error:?}"
        );
        assert!(error.to_string().contains(REDIRECT));
    }
}

#[test]
fn pasted_text_that_is_not_a_url_is_malformed() {
    for junk in ["", "   ", "code=abc", "127.0.0.1:8765/callback?code=abc"] {
        let error = parse_pasted_redirect(junk, REDIRECT, STATE).unwrap_err();
        assert!(
            matches!(
                error,
                CallbackError::Malformed(_) | CallbackError::WrongRedirect { .. }
            ),
            "{junk:?}: {error:?}"
        );
    }
}

#[test]
fn pasted_url_without_a_query_is_malformed() {
    assert!(matches!(
        parse_pasted_redirect(REDIRECT, REDIRECT, STATE),
        Err(CallbackError::Malformed(_))
    ));
}

#[test]
fn pasted_url_with_a_wrong_state_is_rejected() {
    let pasted = format!("{REDIRECT}?code=abc&state=other");
    assert_eq!(
        parse_pasted_redirect(&pasted, REDIRECT, STATE),
        Err(CallbackError::WrongState)
    );
}

#[test]
fn pasted_url_with_duplicates_is_rejected() {
    let pasted = format!("{REDIRECT}?code=abc&state={STATE}&code=def");
    assert_eq!(
        parse_pasted_redirect(&pasted, REDIRECT, STATE),
        Err(CallbackError::Duplicate("code"))
    );
}
