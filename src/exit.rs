//! Process exit codes: a contract with scripts, documented in the README and `--help`.

pub const OK: u8 = 0;
pub const OTHER: u8 = 1;
pub const USAGE: u8 = 2;
pub const EXPIRING: u8 = 3;
pub const EXPIRED: u8 = 4;
pub const LOGIN_REQUIRED: u8 = 5;
pub const VAULT_LOCKED: u8 = 6;
pub const ZENDESK_OR_NETWORK: u8 = 7;
/// `zdauth api`: the API answered a status other than 2xx (the body was printed).
pub const API_ERROR: u8 = 8;

/// Shown under `--help`; the README repeats it.
pub const HELP: &str = "\
Exit codes:
  0  ok
  1  other error
  2  usage error
  3  access token expiring within refresh_margin (status)
  4  access token expired, refresh token still valid (status)
  5  login required (no token, or refresh token expired or revoked)
  6  vault locked (wrong passphrase, no passphrase, unreadable identity)
  7  Zendesk or network error; stored tokens kept
  8  the API answered an error status (api)
  129, 130, 143  ended by SIGHUP, SIGINT, SIGTERM (a refresh on the wire is stored first)
  141  stdout was a closed pipe; the command's work was done";

use zdauth_core::error::{Error, ErrorClass};
use zdauth_core::status::TokenStatus;

/// The exit code for a failed command.
pub fn for_error(error: &Error) -> u8 {
    match error.class() {
        ErrorClass::Usage => USAGE,
        ErrorClass::Locked => VAULT_LOCKED,
        ErrorClass::LoginRequired => LOGIN_REQUIRED,
        ErrorClass::ZendeskOrNetwork => ZENDESK_OR_NETWORK,
        ErrorClass::Other => OTHER,
    }
}

/// The exit code of `zdauth status`.
pub fn for_status(status: TokenStatus) -> u8 {
    match status {
        TokenStatus::Valid => OK,
        TokenStatus::Expiring => EXPIRING,
        TokenStatus::Expired => EXPIRED,
        TokenStatus::LoginRequired | TokenStatus::NoToken | TokenStatus::NoSecret => LOGIN_REQUIRED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_token_state_has_its_exit_code() {
        let cases = [
            (TokenStatus::NoToken, 5),
            (TokenStatus::Valid, 0),
            (TokenStatus::Expiring, 3),
            (TokenStatus::Expired, 4),
            (TokenStatus::LoginRequired, 5),
            (TokenStatus::NoSecret, 5),
        ];
        for (status, code) in cases {
            assert_eq!(for_status(status), code, "{status:?}");
        }
    }
}
