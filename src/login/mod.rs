//! Browser login: authorization code + PKCE, the redirect caught on 127.0.0.1.
