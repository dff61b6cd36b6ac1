//! The TUI's terminal loop: the one place that does I/O for the face. Events (keys, a 1 Hz
//! tick aligned to the second, changes to config.toml and the vault, results of background work) become `Msg`s;
//! `App::update` turns them into `Effect`s, which the runner (effects.rs) starts on tokio
//! tasks that report back. The screens before the vault is open are in gate.rs.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use crossterm::event::{Event, EventStream, KeyEventKind, MouseButton, MouseEvent, MouseEventKind};
use jiff::Timestamp;
use tokio::sync::{mpsc, watch};
pub(super) use tokio_stream_shim::next_event;
use tokio_util::sync::CancellationToken;

use super::effects::Runner;
use crate::tui::{App, Mouse, Msg, Options};
use zdauth_core::config::Config;
use zdauth_core::refresh::Refresher;

pub struct Setup {
    pub config: Config,
    pub refresher: Arc<Refresher>,
    pub no_color: bool,
    /// What the add form starts with: Zendesk's defaults, or the demo's fake.
    pub add_defaults: crate::tui::form::AddDefaults,
}

/// Runs the TUI until the user quits, restoring the terminal on every way out (quit, error,
/// panic via ratatui's hook, SIGTERM/SIGHUP).
pub async fn run(setup: Setup) -> anyhow::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let result = run_in(&mut terminal, setup, false).await;
    ratatui::restore();
    result
}

/// The TUI on an open vault; `open_add` starts in the add form (the welcome's choice).
pub(super) async fn run_in(
    terminal: &mut ratatui::DefaultTerminal,
    setup: Setup,
    open_add: bool,
) -> anyhow::Result<()> {
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
        store: setup
            .refresher
            .vault()
            .store()
            .map(|store| format!("store: {}", store.describe())),
        no_color: setup.no_color,
        time_zone: jiff::tz::TimeZone::system(),
        keymap: crate::tui::keymap::with_overrides(&setup.config.keys, &setup.config.file)?,
        sort: super::state_file::load(&super::state_file::path(setup.refresher.vault().paths())),
        add_defaults: setup.add_defaults.clone(),
    };
    let mut app = App::new(&setup.config, &data, Timestamp::now(), options);
    // The list's height before the first frame: page keys move by it from the start.
    let size = terminal.size()?;
    app.update(Msg::Resize {
        width: size.width,
        height: size.height,
    });
    if open_add {
        app.open_add();
    }
    let _paste = BracketedPaste::enable()?;
    let _mouse = MouseCapture::enable()?;
    event_loop(terminal, app, &setup).await
}

/// Clicks and the wheel reach the list. Terminals then keep text selection for Shift-drag.
/// Dropped on every way out, like [`BracketedPaste`].
struct MouseCapture;

impl MouseCapture {
    fn enable() -> std::io::Result<Self> {
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture)?;
        Ok(Self)
    }
}

impl Drop for MouseCapture {
    fn drop(&mut self) {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
    }
}

/// While the list runs, a paste arrives as one piece of text, so a copied URL's newline
/// cannot press Enter in the form. Only here: the unlock screen takes pasted passphrases
/// as plain keys. Dropped on every way out, a panic's unwinding included.
struct BracketedPaste;

impl BracketedPaste {
    fn enable() -> std::io::Result<Self> {
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableBracketedPaste)?;
        Ok(Self)
    }
}

impl Drop for BracketedPaste {
    fn drop(&mut self) {
        let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableBracketedPaste);
    }
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
    let (config_tx, config_rx) = watch::channel(setup.config.clone());
    tokio::spawn(super::watch::watch_files(
        config_rx,
        setup.refresher.clone(),
        sender.clone(),
        stop.clone(),
    ));
    tokio::spawn(super::agent::watch_agent(
        setup.refresher.vault().paths().clone(),
        sender.clone(),
        stop.clone(),
    ));
    // A long-lived TUI keeps its team-store token alive, as the agent does.
    if let Some(store) = setup.refresher.vault().store() {
        tokio::spawn(zdauth_core::agent::keep_store_token(
            store.clone(),
            stop.clone(),
        ));
    }
    let mut signals = Signals::new()?;
    let mut runner = Runner::new(setup.refresher.clone(), &setup.config, sender);
    let mut drawn = None;
    loop {
        if drawn != Some(app.generation()) {
            terminal.draw(|frame| crate::tui::view::draw(frame, &app))?;
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
        if let Some(config) = msg.new_config() {
            runner.set_config(config);
            config_tx.send_replace(config.clone());
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
    // A refresh dropped between its POST and its save would lose the rotated refresh token
    // (the old one is already spent), so quitting waits for the work in flight, bounded by
    // the longest a refresh may take.
    runner.work.close();
    if !runner.work.is_empty() {
        app.update(Msg::Quitting {
            tasks: runner.work.len(),
        });
        terminal.draw(|frame| crate::tui::view::draw(frame, &app))?;
        let bound = setup.refresher.vault().connection_lock_timeout();
        let _ = tokio::time::timeout(bound, runner.work.wait()).await;
    }
    runner.copier.clear_now().await;
    Ok(())
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
            Some(Ok(Event::Paste(text))) => Msg::Paste(text.into()),
            Some(Ok(Event::Mouse(mouse))) => match mouse_msg(mouse) {
                Some(msg) => msg,
                None => continue,
            },
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return,
        };
        if sender.send(msg).is_err() {
            return;
        }
    }
}

/// A left click and the wheel; drags, moves and other buttons mean nothing to the list.
fn mouse_msg(event: MouseEvent) -> Option<Msg> {
    let mouse = match event.kind {
        MouseEventKind::Down(MouseButton::Left) => Mouse::Click {
            column: event.column,
            row: event.row,
        },
        MouseEventKind::ScrollDown => Mouse::WheelDown,
        MouseEventKind::ScrollUp => Mouse::WheelUp,
        _ => return None,
    };
    Some(Msg::Mouse(mouse))
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
