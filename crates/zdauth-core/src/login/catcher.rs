//! The one-shot loopback listener that catches the authorization redirect (RFC 8252 §7.3).

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::accept::{self, AcceptTrouble};
use super::callback::{Callback, CallbackError, parse_pasted_redirect};
use super::error::LoginError;
use super::routes::{self, Shared};
use crate::secret::Secret;

pub struct Catcher {
    listener: TcpListener,
    addr: SocketAddr,
}

/// The `--no-browser` side door: lines the user pasted, and where to say why one was refused.
struct Paste<'a> {
    expected_redirect_uri: &'a str,
    lines: mpsc::Receiver<String>,
    on_rejected: &'a mut (dyn FnMut(CallbackError) + Send),
}

impl Catcher {
    /// Binds 127.0.0.1:`port` (0 picks a free port). Call it before opening the browser, so
    /// the redirect can never arrive at a closed port or at someone else's listener.
    pub async fn bind(port: u16) -> Result<Catcher, LoginError> {
        // The IP literal, never 0.0.0.0 or `localhost`: other machines must not reach it, and
        // `localhost` may resolve to ::1 where someone else could listen.
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, port))
            .await
            .map_err(|error| match error.kind() {
                io::ErrorKind::AddrInUse => LoginError::PortBusy { port },
                _ => LoginError::Io(error),
            })?;
        let addr = listener.local_addr()?;
        Ok(Catcher { listener, addr })
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Serves until one valid callback arrives, `timeout` passes or `cancel` fires; then the
    /// port is free again. Stray or forged requests are answered and do not end the wait.
    pub async fn wait(
        self,
        expected_state: &str,
        timeout: Duration,
        cancel: CancellationToken,
    ) -> Result<Callback, LoginError> {
        self.serve(expected_state, timeout, cancel, None).await
    }

    /// Like [`Catcher::wait`], but a redirect URL pasted by the user (one per line on `pasted`)
    /// counts too; whichever valid callback comes first wins. A line that does not parse is
    /// handed to `on_rejected` (to tell the user) and the wait goes on; blank lines are skipped.
    /// When `pasted` closes, the catcher keeps listening.
    pub async fn wait_or_pasted(
        self,
        expected_state: &str,
        expected_redirect_uri: &str,
        timeout: Duration,
        cancel: CancellationToken,
        pasted: mpsc::Receiver<String>,
        mut on_rejected: impl FnMut(CallbackError) + Send,
    ) -> Result<Callback, LoginError> {
        let paste = Paste {
            expected_redirect_uri,
            lines: pasted,
            on_rejected: &mut on_rejected,
        };
        self.serve(expected_state, timeout, cancel, Some(paste))
            .await
    }

    async fn serve(
        self,
        expected_state: &str,
        timeout: Duration,
        cancel: CancellationToken,
        mut paste: Option<Paste<'_>>,
    ) -> Result<Callback, LoginError> {
        let (winner, mut won) = oneshot::channel();
        let shared = Arc::new(Shared {
            expected_state: Secret::new(expected_state),
            expected_host: format!("127.0.0.1:{}", self.addr.port()),
            winner: Mutex::new(Some(winner)),
        });
        let stop = CancellationToken::new();
        let trouble = Arc::new(AcceptTrouble::default());
        let mut server = Some(tokio::spawn(accept::serve(
            self.listener,
            routes::router(shared.clone()),
            stop.clone(),
            trouble.clone(),
        )));
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);

        let outcome = loop {
            let paste_open = paste.is_some();
            tokio::select! {
                biased;
                got = &mut won => break got.map_err(|_| stopped()),
                () = cancel.cancelled() => break Err(LoginError::Cancelled),
                () = &mut deadline => break Err(match trouble.take() {
                    // Why nothing came: the browser's redirect could not get in.
                    Some(cause) => LoginError::AcceptFailed { after: timeout, cause },
                    None => LoginError::TimedOut { after: timeout },
                }),
                _ = server.as_mut().expect("server runs until the loop ends") => {
                    server = None;
                    break Err(stopped());
                }
                line = next_line(&mut paste), if paste_open => {
                    let Some(line) = line else {
                        paste = None;
                        continue;
                    };
                    let paste = paste.as_mut().expect("a line came from it");
                    if let Some(callback) = read_paste(&line, expected_state, paste) {
                        // The browser may have won in the meantime; then `won` holds its answer.
                        if shared.take_winner().is_some() {
                            break Ok(callback);
                        }
                    }
                }
            }
        };

        stop.cancel();
        if let Some(server) = server {
            // Bounded by the server's own grace for the pages it is writing.
            let _ = server.await;
        }
        outcome
    }
}

async fn next_line(paste: &mut Option<Paste<'_>>) -> Option<String> {
    match paste {
        Some(paste) => paste.lines.recv().await,
        None => std::future::pending().await,
    }
}

fn read_paste(line: &str, expected_state: &str, paste: &mut Paste<'_>) -> Option<Callback> {
    if line.trim().is_empty() {
        return None;
    }
    match parse_pasted_redirect(line, paste.expected_redirect_uri, expected_state) {
        Ok(callback) => Some(callback),
        Err(error) => {
            (paste.on_rejected)(error);
            None
        }
    }
}

fn stopped() -> LoginError {
    LoginError::Io(io::Error::other("the listener stopped unexpectedly"))
}
