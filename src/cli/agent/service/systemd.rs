//! The systemd user unit that runs `zdauth agent run` at login.

use super::{MARKER, Program};

/// The unit's text. Every path is one quoted word, escaped for what systemd does to an
/// `ExecStart` line: C escapes inside quotes, `%` specifiers and `$` variables everywhere.
///
/// `TimeoutStopSec` outlasts the refreshes a stopping agent finishes (systemd's default 90 s
/// would kill one mid-refresh). `RestartPreventExitStatus`: the agent exits 2 (usage) when another
/// one already runs for the dir (one that `zdauth unlock` started, say) or the setup is
/// wrong, and restarting every `RestartSec` mends neither.
pub(super) fn unit(program: &Program) -> String {
    let exec: Vec<String> = program.argv().iter().map(|arg| quote(arg)).collect();
    format!(
        "# {MARKER}\n\
         [Unit]\n\
         Description=zdauth agent for {dir}: unlock once, keep Zendesk grants alive\n\
         \n\
         [Service]\n\
         Type=simple\n\
         ExecStart={exec}\n\
         Restart=on-failure\n\
         RestartSec=10s\n\
         RestartPreventExitStatus={usage}\n\
         TimeoutStopSec={stop}\n\
         \n\
         [Install]\n\
         WantedBy=default.target\n",
        // Description takes specifiers but no quotes: `%` is the one character to double.
        dir = program.config_dir.replace('%', "%%"),
        exec = exec.join(" "),
        stop = program.stop_timeout.as_secs(),
        usage = crate::exit::USAGE,
    )
}

/// One `ExecStart` word: `"…"` with `\` and `"` escaped as C does, `%` as `%%` (a specifier
/// otherwise) and `$` as `$$` (a variable otherwise). Control characters never get here
/// (`Program::new` refuses them): a newline would end the line.
pub(super) fn quote(arg: &str) -> String {
    let mut quoted = String::with_capacity(arg.len() + 2);
    quoted.push('"');
    for c in arg.chars() {
        match c {
            '\\' => quoted.push_str("\\\\"),
            '"' => quoted.push_str("\\\""),
            '%' => quoted.push_str("%%"),
            '$' => quoted.push_str("$$"),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_character_systemd_acts_on_is_escaped() {
        assert_eq!(quote("/a b"), "\"/a b\"");
        assert_eq!(quote("100%"), "\"100%%\"");
        assert_eq!(quote("$HOME"), "\"$$HOME\"");
        assert_eq!(quote("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(quote("a\\b"), "\"a\\\\b\"");
        assert_eq!(quote("it's ; ok"), "\"it's ; ok\"");
    }

    #[test]
    fn the_unit_waits_out_a_stopping_agent_and_does_not_restart_a_refused_one() {
        let program = Program {
            exe: "/usr/bin/zdauth".into(),
            config_dir: "/home/a/.config/zdauth".into(),
            stop_timeout: std::time::Duration::from_secs(200),
        };
        let text = unit(&program);
        let service: Vec<&str> = text
            .lines()
            .skip_while(|l| *l != "[Service]")
            .take_while(|l| !l.is_empty())
            .collect();
        for line in [
            "Restart=on-failure",
            "RestartPreventExitStatus=2",
            "TimeoutStopSec=200",
        ] {
            assert!(service.contains(&line), "{line} not in [Service]: {text}");
        }
    }
}
