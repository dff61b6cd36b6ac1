//! `status` over many connections, for cron and monitors.

use super::context::Context;
use zdauth_core::config::Selector;
use zdauth_core::error::Error;

pub fn status_many(
    ctx: &Context,
    selector: &Selector,
    json: bool,
    check: bool,
    jobs: u16,
) -> anyhow::Result<u8> {
    let _ = (ctx, selector, json, check, jobs);
    Err(Error::Usage("status of many connections is not built yet".into()).into())
}
