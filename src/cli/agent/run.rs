//! `zdauth agent run`: the agent's process, with no passphrase in its kernel environment.

use std::os::unix::process::CommandExt;
use std::process::Command;

use zdauth_core::secret::PASSPHRASE_VARS;

use super::super::context::Context;
use crate::exit;

/// Runs the agent. A passphrase variable in the environment this process was exec'd with
/// stays readable in /proc/PID/environ whatever `remove_var` does (that edits libc's copy,
/// not the kernel's), so the process first execs itself again without those variables.
pub fn run(ctx: &Context) -> anyhow::Result<u8> {
    if PASSPHRASE_VARS
        .iter()
        .any(|var| std::env::var_os(var).is_some())
    {
        let program = std::env::current_exe()?;
        let mut args = std::env::args_os();
        let mut command = Command::new(program);
        if let Some(arg0) = args.next() {
            command.arg0(arg0);
        }
        command.args(args);
        for var in PASSPHRASE_VARS {
            command.env_remove(var);
        }
        // exec only returns on failure; running on with the variable would be the old leak.
        let failed = command.exec();
        anyhow::bail!(
            "cannot restart the agent without the passphrase in its environment ({failed}): unset ZDAUTH_PASSPHRASE and run `zdauth agent run` again"
        );
    }
    zdauth_core::agent::serve(&ctx.paths)?;
    Ok(exit::OK)
}
