//! `zdauth import` (issue 15; being built).

use super::args::ImportArgs;
use super::context::Context;
use zdauth_core::error::Error;

pub fn import(ctx: &Context, args: &ImportArgs) -> anyhow::Result<u8> {
    let _ = (ctx, args);
    Err(Error::Usage("zdauth import is not built yet".into()).into())
}
