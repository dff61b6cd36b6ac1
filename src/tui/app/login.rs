//! The login modal's own keys and what it tells: the pasted address, the SSH tunnel line,
//! the hint when no callback comes, and where the cursor goes after a login. Part of
//! [`App::update`], so pure like it: the runtime reads the environment and sends it in.

use std::net::IpAddr;

use crossterm::event::KeyCode;
use jiff::SignedDuration;

use super::{App, Effect, Overlay};
use crate::tui::action::Action;
use crate::tui::keymap::Key;
use crate::tui::row::Shown;
use zdauth_core::secret::Secret;

/// How long the modal waits for the browser before it says what usually went wrong.
pub const HINT_AFTER: SignedDuration = SignedDuration::from_secs(60);

impl App {
    /// The login modal covers the list, so list keys would act on rows the user cannot see.
    /// With its paste field empty, quit, help and copy pass; any other typing goes into the
    /// field, and once it holds text every key edits it and Enter hands it to the login.
    pub(super) fn login_key(&mut self, key: Key, action: Option<Action>) -> Vec<Effect> {
        let Overlay::Login { login, .. } = &mut self.overlay else {
            return Vec::new();
        };
        if login.paste.is_empty() {
            match action {
                Some(a @ (Action::Quit | Action::Help)) => return self.act(a),
                Some(Action::CopyToken | Action::CopyHeader) => return self.copy_login_url(),
                _ => {}
            }
        }
        if key == Key::plain(KeyCode::Enter) && !login.paste.is_empty() {
            let pasted = Secret::new(login.paste.text().trim());
            login.paste.clear();
            login.checking = true;
            login.note = None;
            return vec![Effect::LoginPaste(pasted)];
        }
        if !login.paste.key(key) {
            let text = format!(
                "a login to {} is running: paste the browser's final address and press Enter, or Esc cancels it",
                login.name
            );
            self.say(text);
        }
        Vec::new()
    }

    /// Over SSH, the line to run on the laptop so its browser reaches this catcher.
    pub(crate) fn login_tunnel(&mut self, name: &str, ssh_connection: &str, user: Option<&str>) {
        let port = self
            .rows
            .iter()
            .find(|r| r.name == name)
            .map(|r| r.connection.redirect_port);
        if let (Overlay::Login { login, .. }, Some(port)) = (&mut self.overlay, port) {
            login.tunnel = tunnel_line(ssh_connection, user, port);
        }
    }

    /// After [`HINT_AFTER`] with no callback: what usually went wrong, with this
    /// connection's redirect URI, client and account in it.
    pub fn login_hint(&self) -> Option<String> {
        let login = self.login()?;
        if login.exchanging || self.now.duration_since(login.started) < HINT_AFTER {
            return None;
        }
        let connection = &self.rows.iter().find(|r| r.name == login.name)?.connection;
        Some(format!(
            "no answer from the browser yet? Usually: the redirect URI {} is not registered on the OAuth client, the client identifier {} is not that client's, or the browser has another Zendesk account open (this is {})",
            connection.redirect_uri(),
            zdauth_core::error::quote(&connection.client_id),
            connection.subdomain,
        ))
    }

    /// After a login to `name`: the next row on screen that needs one, after it and then
    /// from the top; the cursor stays when none does.
    pub(crate) fn select_next_needing_login(&mut self, name: &str) {
        let at = self
            .visible
            .iter()
            .position(|&i| self.rows[i].name == name)
            .unwrap_or(0);
        let count = self.visible.len();
        let next = (1..count)
            .map(|step| self.visible[(at + step) % count])
            .find(|&i| self.shown(&self.rows[i]) == Shown::LoginRequired);
        if let Some(index) = next {
            self.selected = Some(self.rows[index].name.clone());
        }
    }
}

/// `ssh -L PORT:127.0.0.1:PORT USER@HOST` from `$SSH_CONNECTION` ("client port server
/// port") and `$USER`; `-p N` when the server's port is not 22. Nothing when the variable
/// does not read as addresses and ports: it comes from the environment, so it is checked
/// before it reaches the screen.
pub fn tunnel_line(ssh_connection: &str, user: Option<&str>, port: u16) -> Option<String> {
    let fields: Vec<&str> = ssh_connection.split_whitespace().collect();
    let [_, _, host, ssh_port] = fields[..] else {
        return None;
    };
    let host: IpAddr = host.parse().ok()?;
    let ssh_port: u16 = ssh_port.parse().ok()?;
    let user = user.filter(|u| {
        !u.is_empty()
            && u.len() <= 64
            && u.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
    });
    let target = match user {
        Some(user) => format!("{user}@{host}"),
        None => host.to_string(),
    };
    let port_flag = if ssh_port == 22 {
        String::new()
    } else {
        format!(" -p {ssh_port}")
    };
    Some(format!(
        "ssh -L {port}:127.0.0.1:{port}{port_flag} {target}"
    ))
}

#[cfg(test)]
mod tests {
    use super::tunnel_line;

    #[test]
    fn the_tunnel_line_reads_ssh_connection_and_refuses_what_is_not_an_address() {
        assert_eq!(
            tunnel_line("203.0.113.9 51234 198.51.100.7 22", Some("ada"), 8765).as_deref(),
            Some("ssh -L 8765:127.0.0.1:8765 ada@198.51.100.7")
        );
        assert_eq!(
            tunnel_line("::1 51234 2001:db8::7 2222", Some("ada"), 9000).as_deref(),
            Some("ssh -L 9000:127.0.0.1:9000 -p 2222 ada@2001:db8::7")
        );
        assert_eq!(
            tunnel_line("203.0.113.9 51234 198.51.100.7 22", Some("a\u{1b}[2J"), 1).as_deref(),
            Some("ssh -L 1:127.0.0.1:1 198.51.100.7"),
            "a user name with an escape code is left out"
        );
        for bad in [
            "",
            "1.2.3.4 5 6",
            "1.2.3.4 5 host\u{1b}[31m 22",
            "a b 1.2.3.4 99999",
        ] {
            assert_eq!(tunnel_line(bad, Some("ada"), 1), None, "{bad:?}");
        }
    }
}
