//! The launchd agent (macOS) that runs `zdauth agent run` at login.

use std::fmt::Write as _;

use super::{MARKER, Program};

/// The plist. `KeepAlive` with `SuccessfulExit = false` restarts the agent when it fails and
/// leaves it stopped after `zdauth agent stop`, as systemd's `Restart=on-failure` does. It
/// has no `RestartPreventExitStatus`: launchd tells a successful exit from any other and
/// nothing more, so an agent that exits 2 because another already runs for the dir is
/// started again every `ThrottleInterval` (10 s) for as long as that one runs.
/// `ExitTimeOut` (launchd's default is 20 s) outlasts the refreshes a stopping agent finishes,
/// as systemd's `TimeoutStopSec` does.
pub(super) fn plist(label: &str, program: &Program) -> String {
    let arguments = program.argv().iter().fold(String::new(), |mut all, arg| {
        let _ = writeln!(all, "\t\t<string>{}</string>", escape(arg));
        all
    });
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n\
         <!-- {MARKER} -->\n\
         <plist version=\"1.0\">\n\
         <dict>\n\
         \t<key>Label</key>\n\
         \t<string>{label}</string>\n\
         \t<key>ProgramArguments</key>\n\
         \t<array>\n\
         {arguments}\
         \t</array>\n\
         \t<key>RunAtLoad</key>\n\
         \t<true/>\n\
         \t<key>KeepAlive</key>\n\
         \t<dict>\n\
         \t\t<key>SuccessfulExit</key>\n\
         \t\t<false/>\n\
         \t</dict>\n\
         \t<key>ExitTimeOut</key>\n\
         \t<integer>{stop}</integer>\n\
         \t<key>ProcessType</key>\n\
         \t<string>Background</string>\n\
         </dict>\n\
         </plist>\n",
        label = escape(label),
        stop = program.stop_timeout.as_secs(),
    )
}

/// XML text: the five characters markup gives meaning to. Control characters, which XML 1.0
/// cannot carry at all, never get here (`Program::new` refuses them).
pub(super) fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&apos;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_xml_escaped_and_the_plist_keeps_the_agent_alive_on_failure() {
        let program = Program {
            exe: "/Apps/z & <d>/zdauth".into(),
            config_dir: "/Users/a/it's \"cfg\"".into(),
            stop_timeout: std::time::Duration::from_secs(200),
        };
        let text = plist("zdauth.agent.0123456789abcdef", &program);
        assert!(
            text.contains("<string>/Apps/z &amp; &lt;d&gt;/zdauth</string>"),
            "{text}"
        );
        assert!(
            text.contains("<string>/Users/a/it&apos;s &quot;cfg&quot;</string>"),
            "{text}"
        );
        assert!(text.contains("<string>agent</string>\n\t\t<string>run</string>"));
        assert!(text.contains("<key>RunAtLoad</key>\n\t<true/>"), "{text}");
        assert!(
            text.contains("<key>SuccessfulExit</key>\n\t\t<false/>"),
            "{text}"
        );
        assert!(
            text.contains("<key>ExitTimeOut</key>\n\t<integer>200</integer>"),
            "{text}"
        );
        assert!(text.lines().any(|l| l == format!("<!-- {MARKER} -->")));
    }
}
