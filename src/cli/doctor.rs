//! `zdauth doctor` (issue 15; being built).

use super::args::DoctorArgs;
use super::context::Context;
use zdauth_core::error::Error;

pub fn doctor(ctx: &Context, args: &DoctorArgs) -> anyhow::Result<u8> {
    let _ = (ctx, args);
    Err(Error::Usage("zdauth doctor is not built yet".into()).into())
}
