//! `zdauth login NAME…` and `login --all-needed`: one browser login after another (one tab
//! each, one catcher at a time), a summary at the end, the highest exit code. The first Ctrl-C
//! stops after the login under way; a second cancels that one too.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::exit;
use zdauth_core::config::{Config, Connection, Grant, Selector};
use zdauth_core::error::Error;
use zdauth_core::login::{self, LoginSettings};
use zdauth_core::status::TokenStatus;

use super::context::Context;
use super::login::{paste_lines, report, who};
use super::one_line;
use super::session::Session;

/// What a shell reports for a run ended by SIGINT: the run stopped at the user's Ctrl-C.
const INTERRUPTED: u8 = 130;
/// How many failures the summary line names; the rest are counted.
const NAMED_FAILURES: usize = 3;
/// How much of one failure's message the summary quotes (each was printed whole as it came).
const REASON_CHARS: usize = 80;

pub fn login_many(
    ctx: &Context,
    names: &[String],
    all_needed: bool,
    no_browser: bool,
    timeout: Duration,
) -> anyhow::Result<u8> {
    if let [name] = names
        && !all_needed
        && !name.contains(['*', '?', '['])
    {
        return super::login::login(ctx, name, no_browser, timeout);
    }
    let config = ctx.config()?;
    let picked = pick(&config, names, all_needed)?;
    // Checked before the vault opens: a typo costs no passphrase.
    let session = Session::with_config(ctx, config.clone())?;
    let targets = if all_needed {
        needing_login(&session, &config, picked)?
    } else {
        picked
    };
    if targets.is_empty() {
        errln!("no connection needs a login (`zdauth list` shows their states)");
        return Ok(exit::OK);
    }
    let run = session
        .runtime
        .block_on(log_in_each(&session, &targets, timeout, no_browser));
    Ok(summarize(&run, targets.len()))
}

/// The named connections (globs allowed), or every browser-login one for `--all-needed`.
fn pick(config: &Config, names: &[String], all_needed: bool) -> Result<Vec<Connection>, Error> {
    if all_needed {
        return Ok(config
            .connections
            .iter()
            .filter(|c| c.grant == Grant::AuthorizationCode)
            .cloned()
            .collect());
    }
    let selector = Selector {
        names: names.to_vec(),
        all: false,
        tags: Vec::new(),
    };
    let picked = selector.pick(config)?;
    if let Some(minted) = picked.iter().find(|c| c.grant == Grant::ClientCredentials) {
        return Err(Error::Usage(format!(
            "{0} uses client credentials and needs no login: leave it out (`zdauth token {0}` mints a token)",
            minted.name
        )));
    }
    Ok(picked.into_iter().cloned().collect())
}

/// Those with no token, or whose grant is gone (login required). Tokens issued for another
/// server or client than the connection names now are not its tokens (the refresh refuses
/// them too), so such a connection needs a login.
fn needing_login(
    session: &Session,
    config: &Config,
    picked: Vec<Connection>,
) -> Result<Vec<Connection>, Error> {
    let data = session.refresher.vault().load()?;
    let now = Timestamp::now();
    let margin = config.settings.refresh_margin;
    Ok(picked
        .into_iter()
        .filter(|c| {
            let issuer = zdauth_core::zendesk::issuer(c);
            let own = data
                .connections
                .get(&c.name)
                .filter(|e| e.issued_by(&issuer));
            let state = TokenStatus::of_grant(c.grant, own, now, margin);
            matches!(state, TokenStatus::NoToken | TokenStatus::LoginRequired)
        })
        .collect())
}

struct Run {
    /// Each login tried, in order: its name and its failure, if it failed.
    tried: Vec<(String, Option<Error>)>,
    interrupted: bool,
}

/// Ctrl-C once: stop after the current login. Again: cancel the current one as well.
struct Interrupts {
    count: Arc<AtomicUsize>,
    current: Arc<Mutex<CancellationToken>>,
}

impl Interrupts {
    fn watch() -> Self {
        let count = Arc::new(AtomicUsize::new(0));
        let current = Arc::new(Mutex::new(CancellationToken::new()));
        let (seen, login) = (count.clone(), current.clone());
        tokio::spawn(async move {
            while tokio::signal::ctrl_c().await.is_ok() {
                if seen.fetch_add(1, Ordering::SeqCst) == 0 {
                    errln!("zdauth: stopping after this login (Ctrl-C again cancels it)");
                } else {
                    login
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .cancel();
                }
            }
        });
        Self { count, current }
    }

    fn stopping(&self) -> bool {
        self.count.load(Ordering::SeqCst) > 0
    }

    /// The token the next login waits on; a second Ctrl-C already seen cancels it at once.
    fn next(&self) -> CancellationToken {
        let token = CancellationToken::new();
        if self.count.load(Ordering::SeqCst) > 1 {
            token.cancel();
        }
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = token.clone();
        token
    }
}

async fn log_in_each(
    session: &Session,
    targets: &[Connection],
    timeout: Duration,
    no_browser: bool,
) -> Run {
    let interrupts = Interrupts::watch();
    // One reader of stdin for the whole run; each login gets the lines pasted during it.
    let pasted = no_browser.then(|| Arc::new(tokio::sync::Mutex::new(paste_lines())));
    let refresher = &session.refresher;
    let mut tried = Vec::new();
    for (at, connection) in targets.iter().enumerate() {
        if interrupts.stopping() {
            break;
        }
        let name = &connection.name;
        errln!("[{}/{}] {name}", at + 1, targets.len());
        let cancel = interrupts.next();
        let (lines, forward) = match &pasted {
            Some(shared) => {
                let (lines, forward) = forward_lines(shared.clone());
                (Some(lines), Some(forward))
            }
            None => (None, None),
        };
        let result = login::login(
            refresher.vault(),
            refresher.client(),
            connection,
            LoginSettings {
                timeout,
                open_browser: !no_browser,
            },
            lines,
            cancel,
            |event| report(event, no_browser),
        )
        .await;
        if let Some(forward) = forward {
            forward.abort();
        }
        match result {
            Ok(logged_in) => {
                errln!("logged in to {name}{}", who(&logged_in));
                tried.push((name.clone(), None));
            }
            Err(e) => {
                errln!("zdauth: {name}: {}", one_line(&e.to_string()));
                tried.push((name.clone(), Some(e)));
            }
        }
    }
    Run {
        tried,
        interrupted: interrupts.stopping(),
    }
}

/// Hands the lines of the shared stdin reader to one login, until it ends.
fn forward_lines(
    shared: Arc<tokio::sync::Mutex<mpsc::Receiver<String>>>,
) -> (mpsc::Receiver<String>, tokio::task::JoinHandle<()>) {
    let (sender, lines) = mpsc::channel(4);
    let forward = tokio::spawn(async move {
        let mut source = shared.lock().await;
        while let Some(line) = source.recv().await {
            if sender.send(line).await.is_err() {
                break;
            }
        }
    });
    (lines, forward)
}

/// `logged in 38, 1 failed (acme: …)` on stderr; the highest exit code of the failures, or
/// 130 when Ctrl-C stopped the run.
fn summarize(run: &Run, wanted: usize) -> u8 {
    let failures: Vec<(&String, &Error)> = run
        .tried
        .iter()
        .filter_map(|(name, e)| e.as_ref().map(|e| (name, e)))
        .collect();
    let ok = run.tried.len() - failures.len();
    let mut line = format!("logged in {ok}");
    if !failures.is_empty() {
        let named: Vec<String> = failures
            .iter()
            .take(NAMED_FAILURES)
            .map(|(name, e)| format!("{name}: {}", cut(&one_line(&e.to_string()))))
            .collect();
        let more = failures.len().saturating_sub(NAMED_FAILURES);
        let more = if more > 0 {
            format!("; {more} more above")
        } else {
            String::new()
        };
        let _ = write!(
            line,
            ", {} failed ({}{more})",
            failures.len(),
            named.join("; ")
        );
    }
    let untried = wanted - run.tried.len();
    if untried > 0 {
        let _ = write!(
            line,
            ", {untried} not tried (stopped by Ctrl-C: run the login again for them)"
        );
    }
    errln!("{line}");
    let worst = failures
        .iter()
        .map(|(_, e)| exit::for_error(e))
        .max()
        .unwrap_or(exit::OK);
    if run.interrupted {
        worst.max(INTERRUPTED)
    } else {
        worst
    }
}

fn cut(text: &str) -> String {
    match text.char_indices().nth(REASON_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}
