//! `zdauth client` (issue 15; being built).

use super::args::ClientCreateArgs;
use super::context::Context;
use zdauth_core::error::Error;

pub fn create(ctx: &Context, args: &ClientCreateArgs) -> anyhow::Result<u8> {
    let _ = (ctx, args);
    Err(Error::Usage("zdauth client is not built yet".into()).into())
}
