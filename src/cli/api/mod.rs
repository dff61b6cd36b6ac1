//! `zdauth api`: the REST API of one connection, or of many at once.

use crate::exit;

use super::args::ApiArgs;
use super::context::Context;
use zdauth_core::error::Error;

pub fn api(ctx: &Context, args: &ApiArgs) -> anyhow::Result<u8> {
    let _ = (ctx, args, exit::API_ERROR);
    Err(Error::Usage("zdauth api is not built yet".into()).into())
}
