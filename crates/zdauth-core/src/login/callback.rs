//! Reading the authorization server's redirect back to us, from the loopback request or from a
//! URL the user pasted. Pure: no I/O, so it can be fuzzed.

use subtle::ConstantTimeEq;
use thiserror::Error;
use url::Url;

use crate::secret::Secret;

/// A query longer than this is not from Zendesk; refusing it bounds the work done for a stranger.
const MAX_QUERY_LEN: usize = 16 * 1024;
/// Error texts come from the network and end up in a terminal: keep them short.
const MAX_ERROR_TEXT_CHARS: usize = 300;

#[derive(Debug, PartialEq, Eq)]
pub enum Callback {
    /// The authorization code; it must still be exchanged together with the PKCE verifier.
    Code(Secret),
    /// The user or the server refused. The texts are raw: escape them wherever they are shown.
    Denied {
        error: String,
        description: Option<String>,
    },
}

/// Messages never include the values of `code` or `state`.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
pub enum CallbackError {
    #[error(
        "the callback has no `state`, so it did not come from this login; use the URL printed by the latest `zdauth login`"
    )]
    MissingState,

    #[error(
        "the callback's `state` does not match this login (stale, replayed or forged); use the URL printed by the latest `zdauth login`"
    )]
    WrongState,

    #[error(
        "the callback has neither a `code` nor an `error`; copy the whole address from the browser's address bar"
    )]
    MissingCode,

    #[error("the callback repeats the `{0}` parameter and was rejected; start the login again")]
    Duplicate(&'static str),

    #[error(
        "the pasted address is for {found}, not {expected}; paste the address the browser ended on"
    )]
    WrongRedirect { expected: String, found: String },

    #[error("{0}")]
    Malformed(String),
}

/// Parses the query string of `GET /callback` (without the leading `?`).
///
/// The state is checked before anything else is believed, so a forged request can neither
/// deliver a code nor make us show an error page of its choosing.
pub fn parse_callback_query(query: &str, expected_state: &str) -> Result<Callback, CallbackError> {
    if query.len() > MAX_QUERY_LEN {
        return Err(CallbackError::Malformed(format!(
            "the callback is longer than {MAX_QUERY_LEN} bytes, so it is not from Zendesk; start the login again"
        )));
    }
    let params = Params::read(query)?;
    check_state(params.state.as_ref(), expected_state)?;
    if let Some(error) = params.error {
        return Ok(Callback::Denied {
            error: clean_text(&error),
            description: params.error_description.map(|d| clean_text(&d)),
        });
    }
    match params.code {
        Some(code) if !code.is_empty() => Ok(Callback::Code(code)),
        _ => Err(CallbackError::MissingCode),
    }
}

/// Parses the final redirect URL as the browser's address bar shows it, for when the browser
/// runs where our loopback listener cannot be reached.
pub fn parse_pasted_redirect(
    pasted: &str,
    expected_redirect_uri: &str,
    expected_state: &str,
) -> Result<Callback, CallbackError> {
    let pasted = pasted.trim();
    let url = Url::parse(pasted).map_err(|_| {
        CallbackError::Malformed(format!(
            "that is not a URL; paste the whole address the browser ended on (it starts with {expected_redirect_uri})"
        ))
    })?;
    let expected = Url::parse(expected_redirect_uri).map_err(|_| {
        CallbackError::Malformed(
            "the connection's redirect URI is not a URL; check `redirect_port`".into(),
        )
    })?;
    if !same_endpoint(&url, &expected) {
        return Err(CallbackError::WrongRedirect {
            expected: expected_redirect_uri.to_string(),
            found: endpoint_of(&url),
        });
    }
    let Some(query) = url.query() else {
        return Err(CallbackError::Malformed(
            "the pasted address has no `?code=...&state=...` part; copy the whole address from the address bar".into(),
        ));
    };
    parse_callback_query(query, expected_state)
}

#[derive(Default)]
struct Params {
    state: Option<Secret>,
    code: Option<Secret>,
    error: Option<String>,
    error_description: Option<String>,
}

impl Params {
    fn read(query: &str) -> Result<Params, CallbackError> {
        let mut params = Params::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            // Two values for one name means someone appended to the URL; neither can be trusted.
            match key.as_ref() {
                "state" => set_once(&mut params.state, Secret::new(value), "state")?,
                "code" => set_once(&mut params.code, Secret::new(value), "code")?,
                "error" => set_once(&mut params.error, value.into_owned(), "error")?,
                "error_description" => set_once(
                    &mut params.error_description,
                    value.into_owned(),
                    "error_description",
                )?,
                // `iss`, `scope` and whatever else a server adds are not ours to judge.
                _ => {}
            }
        }
        Ok(params)
    }
}

fn set_once<T>(slot: &mut Option<T>, value: T, name: &'static str) -> Result<(), CallbackError> {
    if slot.is_some() {
        return Err(CallbackError::Duplicate(name));
    }
    *slot = Some(value);
    Ok(())
}

fn check_state(got: Option<&Secret>, expected: &str) -> Result<(), CallbackError> {
    let got = got.ok_or(CallbackError::MissingState)?;
    // An empty expected state would match an empty `state=`: never accept that.
    if expected.is_empty() {
        return Err(CallbackError::WrongState);
    }
    // Constant time, so the state cannot be guessed byte by byte from response timing.
    if bool::from(got.expose().as_bytes().ct_eq(expected.as_bytes())) {
        Ok(())
    } else {
        Err(CallbackError::WrongState)
    }
}

fn same_endpoint(url: &Url, expected: &Url) -> bool {
    url.scheme() == expected.scheme()
        && url.host_str() == expected.host_str()
        && url.port_or_known_default() == expected.port_or_known_default()
        && url.path() == expected.path()
}

/// Scheme, host, port and path only: the query holds the code and state.
fn endpoint_of(url: &Url) -> String {
    let mut shown = url.clone();
    shown.set_query(None);
    shown.set_fragment(None);
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    shown.to_string()
}

/// Control characters could drive the terminal the text is printed to; drop them and cap length.
fn clean_text(text: &str) -> String {
    crate::text::display(text)
        .chars()
        .take(MAX_ERROR_TEXT_CHARS)
        .collect()
}

#[cfg(test)]
mod tests;
