//! `zdauth login`: the browser flow, with the URL always printed and, with `--no-browser`,
//! the final redirect URL accepted on stdin (the browser may be on another machine). Several
//! connections (`login NAME…`, `--all-needed`) are in `login_many`.

use std::time::Duration;

use tokio::io::AsyncBufReadExt;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::exit;
use zdauth_core::login::{self, LoginEvent, LoginSettings};

use super::context::Context;
use super::session::Session;

pub use super::login_many::login_many;

pub fn login(ctx: &Context, name: &str, no_browser: bool, timeout: Duration) -> anyhow::Result<u8> {
    let session = Session::open(ctx)?;
    let connection = session.connection(name)?;
    let settings = LoginSettings {
        timeout,
        open_browser: !no_browser,
    };
    let refresher = &session.refresher;
    let logged_in = session.runtime.block_on(async {
        let pasted = no_browser.then(paste_lines);
        let cancel = CancellationToken::new();
        let on_interrupt = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_interrupt.cancel();
            }
        });
        login::login(
            refresher.vault(),
            refresher.client(),
            connection,
            settings,
            pasted,
            cancel,
            |event| report(event, no_browser),
        )
        .await
    })?;
    errln!(
        "logged in to {name}{}; `zdauth token {name}` prints the access token",
        who(&logged_in)
    );
    Ok(exit::OK)
}

/// ` as NAME <EMAIL>`, or nothing when users/me did not answer.
pub(super) fn who(logged_in: &login::LoggedIn) -> String {
    logged_in
        .user
        .as_ref()
        .map(zdauth_core::text::display_user)
        .map(|u| format!(" as {} <{}>", u.name, u.email))
        .unwrap_or_default()
}

/// Progress goes to stderr: stdout stays clean for scripts.
pub(super) fn report(event: LoginEvent, no_browser: bool) {
    match event {
        LoginEvent::Url(url) if no_browser => errln!(
            "Open this URL in a browser, then paste here the address the browser ends on \
             (http://127.0.0.1:…/callback?…), or let it reach this machine:\n\n{url}\n"
        ),
        LoginEvent::Url(url) => errln!(
            "Opening the browser; if it does not open, visit:\n\n{url}\n\nWaiting for Zendesk…"
        ),
        LoginEvent::BrowserFailed(e) => errln!("zdauth: {e}"),
        LoginEvent::PasteRejected(e) => errln!("zdauth: {e}; paste the whole address again"),
        LoginEvent::Exchanging => errln!("Got the authorization; fetching tokens…"),
    }
}

/// Lines typed or pasted on stdin, for the catcher to try as redirect URLs.
pub(super) fn paste_lines() -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel(4);
    tokio::spawn(async move {
        let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if !line.trim().is_empty() && sender.send(line).await.is_err() {
                break;
            }
        }
    });
    receiver
}
