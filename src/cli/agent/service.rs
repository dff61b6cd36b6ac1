//! Placeholder until the service engineer's file replaces this one at the merge.

use super::super::context::Context;

pub fn install(_ctx: &Context, _print: bool) -> anyhow::Result<u8> {
    anyhow::bail!("zdauth agent install is not built yet")
}

pub fn uninstall(_ctx: &Context) -> anyhow::Result<u8> {
    anyhow::bail!("zdauth agent uninstall is not built yet")
}
