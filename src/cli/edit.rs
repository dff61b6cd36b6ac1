//! `zdauth edit` (issue 15; being built).

use super::args::EditArgs;
use super::context::Context;
use zdauth_core::error::Error;

pub fn edit(ctx: &Context, args: &EditArgs) -> anyhow::Result<u8> {
    let _ = (ctx, args);
    Err(Error::Usage("zdauth edit is not built yet".into()).into())
}
