//! The systemd user unit that runs `zdauth agent run` at login.

use super::{MARKER, Program};

/// The unit's text. Every path is one quoted word, escaped for what systemd does to an
/// `ExecStart` line: C escapes inside quotes, `%` specifiers and `$` variables everywhere.
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
         \n\
         [Install]\n\
         WantedBy=default.target\n",
        // Description takes specifiers but no quotes: `%` is the one character to double.
        dir = program.config_dir.replace('%', "%%"),
        exec = exec.join(" "),
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
}
