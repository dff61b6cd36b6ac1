//! `zdauth login`: filled in once the loopback catcher lands.

use std::time::Duration;

use super::context::Context;

pub fn login(
    _ctx: &Context,
    _name: &str,
    _no_browser: bool,
    _timeout: Duration,
) -> anyhow::Result<u8> {
    Err(crate::error::Error::Usage("login is not built yet".into()).into())
}
