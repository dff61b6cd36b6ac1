//! A fake Zendesk OAuth server on loopback, strict where Zendesk's docs are, for the tests and
//! `zdauth demo`.
