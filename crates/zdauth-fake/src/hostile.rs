//! Answers no honest server sends, for proving that zdauth survives them: whatever the token
//! endpoint says, the rotation behind it is real (the refresh token sent is spent), so a
//! client that cannot take the answer loses the grant.

use serde_json::Value;

/// Set with [`super::FakeZendesk::set_hostile`]; applies to every token answer until cleared.
#[derive(Clone, Debug, PartialEq)]
pub enum Hostile {
    /// `expires_in` and `refresh_token_expires_in` in the answer are these values, whatever
    /// was granted: 10^12, -5, "soon", 1.5, null, u64::MAX …
    Lifetimes {
        expires_in: Value,
        refresh_token_expires_in: Value,
    },
    /// The answer's `access_token` is this value instead of the token issued: "", a newline,
    /// an escape sequence, a number …
    AccessToken(Value),
    /// The answer's `refresh_token` is this value instead of the token issued.
    RefreshToken(Value),
    /// New access tokens carry this `exp` claim in their JWT payload (the token itself still
    /// works until its real expiry).
    JwtExp(Value),
}
