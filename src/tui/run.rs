//! The TUI's terminal loop: the one place that does I/O for the face. Events (keys, a 1 Hz
//! tick aligned to the second, vault changes, results of background work) become `Msg`s;
//! `App::update` turns them into `Effect`s, run here on tokio tasks that report back.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crossterm::event::{Event, EventStream, KeyEventKind};
use jiff::Timestamp;
use tokio::sync::{Semaphore, mpsc};
use tokio_stream_shim::next_event;
use tokio_util::sync::CancellationToken;

use super::{App, Effect, LoginDone, LoginUpdate, Msg, Options, RefreshFailure, RowTokens, row};
use crate::config::{Config, Connection};
use crate::error::Error;
use crate::login::{self, LoginEvent, LoginSettings};
use crate::refresh::{Refresher, Want};

/// How many refreshes run at once: as `zdauth refresh --all`.
const PARALLEL_REFRESHES: usize = 8;
/// The vault is re-read this often when its file changed (scripts run `zdauth token`).
const VAULT_POLL: Duration = Duration::from_secs(1);

pub struct Setup {
    pub config: Config,
    pub refresher: Arc<Refresher>,
    pub no_color: bool,
}

/// Runs the TUI until the user quits, restoring the terminal on every way out (quit, error,
/// panic via ratatui's hook, SIGTERM/SIGHUP).
pub async fn run(setup: Setup) -> anyhow::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let result = run_in(&mut terminal, setup).await;
    ratatui::restore();
    result
}

/// A vault still locked behind identity.age: the TUI asks its passphrase on its own screen.
pub struct Locked {
    pub config: Config,
    pub paths: crate::paths::Paths,
    pub source: crate::vault::IdentitySource,
    pub client: crate::zendesk::ZendeskClient,
    pub connection_lock_timeout: Duration,
    pub no_color: bool,
}

/// The unlock screen first (masked passphrase, retry on a wrong one, Esc quits), then the TUI.
pub async fn unlock_then_run(locked: Locked) -> anyhow::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let result = async {
        let Some(keys) = unlock_screen(&mut terminal, &locked).await? else {
            return Ok(());
        };
        let vault = crate::vault::Vault::new(locked.paths.clone(), keys)
            .with_connection_lock_timeout(locked.connection_lock_timeout);
        let setup = Setup {
            config: locked.config.clone(),
            refresher: Arc::new(Refresher::new(vault, locked.client.clone())),
            no_color: locked.no_color,
        };
        run_in(&mut terminal, setup).await
    }
    .await;
    ratatui::restore();
    result
}

async fn unlock_screen(
    terminal: &mut ratatui::DefaultTerminal,
    locked: &Locked,
) -> anyhow::Result<Option<crate::vault::Keys>> {
    use super::unlock::{UnlockScreen, UnlockStep};
    let identity = match &locked.source {
        crate::vault::IdentitySource::Sealed(path) => path.display().to_string(),
        crate::vault::IdentitySource::PlainFile(path) => path.display().to_string(),
    };
    let mut screen = UnlockScreen::new(identity, locked.no_color);
    let mut events = EventStream::new();
    let mut checking: Option<tokio::task::JoinHandle<Result<crate::vault::Keys, Error>>> = None;
    let mut spin = tokio::time::interval(Duration::from_millis(250));
    loop {
        terminal.draw(|frame| {
            super::view::unlock::draw_unlock(
                &screen,
                Timestamp::now(),
                frame.area(),
                frame.buffer_mut(),
            )
        })?;
        tokio::select! {
            event = next_event(&mut events) => match event {
                Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => {
                    match screen.key(key.into()) {
                        UnlockStep::Quit => return Ok(None),
                        UnlockStep::Submit(passphrase) => {
                            let (paths, source) = (locked.paths.clone(), locked.source.clone());
                            checking = Some(tokio::task::spawn_blocking(move || {
                                crate::vault::unlock(&paths, &source, |_| Ok(passphrase))
                            }));
                        }
                        UnlockStep::Stay => {}
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(None),
            },
            result = async { checking.as_mut().expect("guarded").await }, if checking.is_some() => {
                checking = None;
                match result? {
                    Ok(keys) => return Ok(Some(keys)),
                    // A wrong passphrase is retried here; anything else ends the TUI with it.
                    Err(Error::Locked(message)) if message.starts_with("wrong passphrase") => {
                        screen.failed(message);
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            _ = spin.tick(), if checking.is_some() => {}
        }
    }
}

async fn run_in(terminal: &mut ratatui::DefaultTerminal, setup: Setup) -> anyhow::Result<()> {
    let vault = setup.refresher.vault().clone();
    let data = tokio::task::spawn_blocking(move || vault.load()).await??;
    let options = Options {
        vault_path: setup
            .refresher
            .vault()
            .paths()
            .vault()
            .display()
            .to_string(),
        no_color: setup.no_color,
        time_zone: jiff::tz::TimeZone::system(),
        ..Options::default()
    };
    let app = App::new(&setup.config, &data, Timestamp::now(), options);
    event_loop(terminal, app, &setup).await
}

async fn event_loop(
    terminal: &mut ratatui::DefaultTerminal,
    mut app: App,
    setup: &Setup,
) -> anyhow::Result<()> {
    let (sender, mut inbox) = mpsc::unbounded_channel::<Msg>();
    let stop = CancellationToken::new();
    let _stop_tasks = stop.clone().drop_guard();
    tokio::spawn(read_terminal(sender.clone(), stop.clone()));
    tokio::spawn(tick_each_second(sender.clone(), stop.clone()));
    tokio::spawn(watch_vault(
        setup.clone_parts(),
        sender.clone(),
        stop.clone(),
    ));
    let mut signals = Signals::new()?;
    let mut runner = Runner {
        setup,
        sender,
        gate: Arc::new(Semaphore::new(PARALLEL_REFRESHES)),
        login: None,
        copier: super::copier::Copier::new(setup.config.settings.clone(), setup.refresher.clone()),
        connections: setup
            .config
            .connections
            .iter()
            .map(|c| (c.name.clone(), c.clone()))
            .collect(),
    };
    let mut drawn = None;
    loop {
        if drawn != Some(app.generation()) {
            terminal.draw(|frame| super::view::draw(frame, &app))?;
            drawn = Some(app.generation());
        }
        let msg = tokio::select! {
            msg = inbox.recv() => msg,
            () = signals.next() => None,
        };
        let Some(msg) = msg else { break };
        if let Msg::Resize { .. } = msg {
            drawn = None;
        }
        let mut quit = false;
        for effect in app.update(msg) {
            quit |= runner.run(effect);
        }
        if quit {
            break;
        }
    }
    if let Some(login) = runner.login.take() {
        login.cancel();
    }
    runner.copier.clear_now().await;
    Ok(())
}

struct Runner<'a> {
    setup: &'a Setup,
    sender: mpsc::UnboundedSender<Msg>,
    gate: Arc<Semaphore>,
    login: Option<CancellationToken>,
    copier: super::copier::Copier,
    connections: HashMap<String, Connection>,
}

impl Runner<'_> {
    /// Starts the effect's work; returns whether it asks to quit.
    fn run(&mut self, effect: Effect) -> bool {
        match effect {
            Effect::Refresh(name) => self.refresh(name),
            Effect::RefreshMany(names) => names.into_iter().for_each(|n| self.refresh(n)),
            Effect::Login(name) => self.login(name),
            Effect::CancelLogin => {
                if let Some(login) = self.login.take() {
                    login.cancel();
                }
            }
            Effect::Copy { name, what } => {
                if let Some(connection) = self.connections.get(&name).cloned() {
                    self.copier.copy(connection, what, self.sender.clone());
                }
            }
            Effect::Quit => return true,
        }
        false
    }

    fn refresh(&self, name: String) {
        let Some(connection) = self.connections.get(&name).cloned() else {
            return;
        };
        let refresher = self.setup.refresher.clone();
        let sender = self.sender.clone();
        let gate = self.gate.clone();
        tokio::spawn(async move {
            let _slot = gate.acquire_owned().await;
            let result = match refresher.ensure(&connection, Want::Rotate).await {
                Ok(fresh) => Ok(RowTokens::from(&fresh.tokens)),
                Err(e) => Err(RefreshFailure {
                    login_required: matches!(e, Error::LoginRequired { .. }),
                    message: e.to_string(),
                }),
            };
            // The receiver is gone only when the TUI is quitting.
            let _ = sender.send(Msg::Refreshed { name, result });
        });
    }

    fn login(&mut self, name: String) {
        let Some(connection) = self.connections.get(&name).cloned() else {
            return;
        };
        let cancel = CancellationToken::new();
        self.login = Some(cancel.clone());
        let refresher = self.setup.refresher.clone();
        let sender = self.sender.clone();
        tokio::spawn(async move {
            let report = |update: LoginUpdate| {
                let _ = sender.send(Msg::Login {
                    name: name.clone(),
                    update,
                });
            };
            let settings = LoginSettings {
                timeout: super::app::LOGIN_TIMEOUT,
                open_browser: true,
                browser: None,
            };
            let result = login::login(
                refresher.vault(),
                refresher.client(),
                &connection,
                settings,
                None,
                cancel,
                |event| match event {
                    LoginEvent::Url(url) => report(LoginUpdate::Url(url.to_owned())),
                    // The modal shows the URL above the note, whose text points up to it.
                    LoginEvent::BrowserFailed(e) => report(LoginUpdate::Note(e.to_string())),
                    LoginEvent::PasteRejected(e) => report(LoginUpdate::Note(e.to_string())),
                    LoginEvent::Exchanging => report(LoginUpdate::Exchanging),
                },
            )
            .await;
            let finished = result
                .map(|done| LoginDone {
                    tokens: RowTokens::from(&done.tokens),
                    email: done.user.map(|u| u.email),
                })
                .map_err(|e| e.to_string());
            report(LoginUpdate::Finished(finished));
        });
    }
}

impl Setup {
    fn clone_parts(&self) -> (Config, Arc<Refresher>) {
        (self.config.clone(), self.refresher.clone())
    }
}

async fn read_terminal(sender: mpsc::UnboundedSender<Msg>, stop: CancellationToken) {
    let mut events = EventStream::new();
    loop {
        let event = tokio::select! {
            () = stop.cancelled() => return,
            event = next_event(&mut events) => event,
        };
        let msg = match event {
            Some(Ok(Event::Key(key))) if key.kind != KeyEventKind::Release => Msg::Key(key.into()),
            Some(Ok(Event::Resize(width, height))) => Msg::Resize { width, height },
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return,
        };
        if sender.send(msg).is_err() {
            return;
        }
    }
}

/// Ticks on the second, so every countdown on screen changes at the same moment.
async fn tick_each_second(sender: mpsc::UnboundedSender<Msg>, stop: CancellationToken) {
    loop {
        let into_second = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .subsec_nanos();
        let wait = Duration::from_nanos(1_000_000_000 - u64::from(into_second));
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(wait) => {}
        }
        if sender.send(Msg::Tick(Timestamp::now())).is_err() {
            return;
        }
    }
}

/// Scripts change the vault under the TUI (`zdauth token` refreshes); the screen follows
/// within a second or two. A cheap stat decides whether to decrypt again.
async fn watch_vault(
    (config, refresher): (Config, Arc<Refresher>),
    sender: mpsc::UnboundedSender<Msg>,
    stop: CancellationToken,
) {
    let path = refresher.vault().paths().vault();
    let stamp = |path: &std::path::Path| std::fs::metadata(path).and_then(|m| m.modified()).ok();
    let mut seen = stamp(&path);
    loop {
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(VAULT_POLL) => {}
        }
        let now = stamp(&path);
        if now == seen {
            continue;
        }
        seen = now;
        let vault = refresher.vault().clone();
        let Ok(Ok(data)) = tokio::task::spawn_blocking(move || vault.load()).await else {
            continue;
        };
        if sender
            .send(Msg::VaultReloaded(row::snapshot(&config, &data)))
            .is_err()
        {
            return;
        }
    }
}

/// SIGTERM and SIGHUP end the TUI like `q`, so the terminal is restored.
struct Signals {
    term: tokio::signal::unix::Signal,
    hangup: tokio::signal::unix::Signal,
}

impl Signals {
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            hangup: signal(SignalKind::hangup())?,
        })
    }

    async fn next(&mut self) {
        tokio::select! {
            _ = self.term.recv() => {}
            _ = self.hangup.recv() => {}
        }
    }
}

/// crossterm's `EventStream` is a `futures` Stream; this polls it without pulling in a
/// stream-extension crate for one call.
mod tokio_stream_shim {
    use std::future::poll_fn;
    use std::pin::Pin;

    use crossterm::event::{Event, EventStream};
    use futures_core::Stream;

    pub async fn next_event(events: &mut EventStream) -> Option<std::io::Result<Event>> {
        poll_fn(|cx| Pin::new(&mut *events).poll_next(cx)).await
    }
}
