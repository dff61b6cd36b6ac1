//! The screens before the vault is open: the unlock screen (passphrase of identity.age) and
//! the first-run welcome (no identity yet: create one, then the TUI).

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::run::{Setup, next_event, run_in};
use crate::tui::keymap::Key;
use zdauth_core::config::Config;
use zdauth_core::error::Error;
use zdauth_core::session;

/// A vault still locked behind identity.age: the TUI asks its passphrase on its own screen.
pub struct Locked {
    pub config: Config,
    pub paths: zdauth_core::paths::Paths,
    pub source: zdauth_core::vault::IdentitySource,
    pub no_color: bool,
    /// The team store's AppRole secret id, read from stdin before the terminal was taken.
    pub store_secret_id: Option<zdauth_core::secret::Secret>,
}

impl Locked {
    /// How the TUI reaches the team store (`[store]` in `config`), default without one.
    fn store_env(&self, config: &Config) -> Result<zdauth_core::store::StoreEnv, Error> {
        crate::cli::store_env::store_env(config, self.store_secret_id.as_ref())
            .map(Option::unwrap_or_default)
    }
}

/// The unlock screen first (masked passphrase, retry on a wrong one, Esc quits), then the TUI.
pub async fn unlock_then_run(locked: Locked) -> anyhow::Result<()> {
    // An unlocked agent holds the identity already: straight to the list.
    let through_agent = match &locked.source {
        zdauth_core::vault::IdentitySource::Sealed(_) => {
            zdauth_core::agent::unlocked_keys(&locked.paths).unwrap_or_else(|e| {
                tracing::warn!(error = %e, "the agent's identity cannot be used; asking here");
                None
            })
        }
        zdauth_core::vault::IdentitySource::PlainFile(_) => None,
    };
    // Before the passphrase: a store the settings cannot reach is said on the shell.
    let env = locked.store_env(&locked.config)?;
    let mut terminal = ratatui::try_init()?;
    let result = async {
        let keys = match through_agent {
            Some(keys) => keys,
            None => match unlock_screen(&mut terminal, &locked).await? {
                Some(keys) => keys,
                None => return Ok(()),
            },
        };
        let vault = zdauth_core::vault::open(&locked.paths, keys, &locked.config, &env)?;
        // Before the first row is read; the terminal is the TUI's now, so the log says it.
        let taking = vault.clone();
        if let Ok(Err(e)) = tokio::task::spawn_blocking(move || taking.take_back_rescues()).await {
            tracing::warn!(error = %e, "could not take back a rescued pair yet");
        }
        let setup = Setup {
            config: locked.config.clone(),
            refresher: Arc::new(session::refresher(vault, &locked.config.settings)),
            no_color: locked.no_color,
            add_defaults: crate::tui::form::AddDefaults::default(),
        };
        run_in(&mut terminal, setup, false).await
    }
    .await;
    ratatui::restore();
    result
}

async fn unlock_screen(
    terminal: &mut ratatui::DefaultTerminal,
    locked: &Locked,
) -> anyhow::Result<Option<zdauth_core::vault::Keys>> {
    use crate::tui::unlock::{UnlockScreen, UnlockStep};
    let identity = match &locked.source {
        zdauth_core::vault::IdentitySource::Sealed(path)
        | zdauth_core::vault::IdentitySource::PlainFile(path) => path.display().to_string(),
    };
    let mut screen = UnlockScreen::new(identity, locked.no_color);
    screen_loop(
        terminal,
        &mut screen,
        crate::tui::view::unlock::draw_unlock,
        |screen, key| match screen.key(key) {
            UnlockStep::Quit => Next::Quit,
            UnlockStep::Submit(passphrase) => {
                let (paths, source) = (locked.paths.clone(), locked.source.clone());
                let auto = locked.config.settings.agent == zdauth_core::config::AgentMode::Auto;
                Next::Work(Box::new(move || open(&paths, &source, passphrase, auto)))
            }
            UnlockStep::Stay => Next::Stay,
        },
        |screen, error| match error {
            // A wrong passphrase is retried here; anything else ends the TUI with it.
            wrong @ Error::WrongPassphrase { .. } => {
                screen.failed(wrong.to_string());
                Ok(())
            }
            e => Err(e),
        },
    )
    .await
}

/// Through an agent (started if none runs) when `auto`, as every command opens a sealed
/// identity; here when the agent cannot be had.
fn open(
    paths: &zdauth_core::paths::Paths,
    source: &zdauth_core::vault::IdentitySource,
    passphrase: zdauth_core::secret::Secret,
    auto: bool,
) -> Result<zdauth_core::vault::Keys, Error> {
    if auto && let zdauth_core::vault::IdentitySource::Sealed(_) = source {
        let started = std::env::current_exe()
            .map_err(|e| e.to_string())
            .and_then(|exe| {
                zdauth_core::agent::running_or_started(paths, &exe).map_err(|e| e.to_string())
            });
        match started {
            Ok((client, _)) => {
                return zdauth_core::agent::unlock_keys(paths, client, Some(passphrase));
            }
            Err(e) => tracing::warn!(error = %e, "opening the identity without the agent"),
        }
    }
    zdauth_core::vault::unlock(paths, source, |_| Ok(passphrase))
}

/// What a key on a screen before the vault asks for.
enum Next<T> {
    Stay,
    Quit,
    /// Blocking work (scrypt): the screen keeps drawing while it runs.
    Work(Box<dyn FnOnce() -> Result<T, Error> + Send>),
}

/// Draws `screen` and feeds it keys until it quits (`None`) or its work succeeds. A failed
/// work goes to `failed`, which shows it for another try or ends the screen with it.
async fn screen_loop<S, T: Send + 'static>(
    terminal: &mut ratatui::DefaultTerminal,
    screen: &mut S,
    draw: impl Fn(&S, Timestamp, Rect, &mut Buffer),
    mut key: impl FnMut(&mut S, Key) -> Next<T>,
    mut failed: impl FnMut(&mut S, Error) -> Result<(), Error>,
) -> anyhow::Result<Option<T>> {
    let mut events = EventStream::new();
    let mut working: Option<tokio::task::JoinHandle<Result<T, Error>>> = None;
    let mut spin = tokio::time::interval(Duration::from_millis(250));
    loop {
        terminal.draw(|frame| draw(screen, Timestamp::now(), frame.area(), frame.buffer_mut()))?;
        tokio::select! {
            event = next_event(&mut events) => match event {
                Some(Ok(Event::Key(event))) if event.kind != KeyEventKind::Release => {
                    match key(screen, event.into()) {
                        Next::Quit => return Ok(None),
                        Next::Work(work) => working = Some(tokio::task::spawn_blocking(work)),
                        Next::Stay => {}
                    }
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(None),
            },
            result = async { working.as_mut().expect("guarded").await }, if working.is_some() => {
                working = None;
                match result? {
                    Ok(done) => return Ok(Some(done)),
                    Err(e) => failed(screen, e)?,
                }
            }
            _ = spin.tick(), if working.is_some() => {}
        }
    }
}

/// No identity yet: the welcome, the new passphrase, the identity sealed by the engine's
/// setup (as `zdauth init` does), then the TUI, in the add form if that was the choice.
/// Nothing is written before the passphrase is confirmed.
pub async fn first_run_then_run(locked: Locked) -> anyhow::Result<()> {
    let keymap = crate::tui::keymap::with_overrides(&locked.config.keys, &locked.config.file)?;
    let mut terminal = ratatui::try_init()?;
    let result = async {
        let Some((vault, config, then_add)) =
            first_run_screen(&mut terminal, &locked, keymap).await?
        else {
            return Ok(());
        };
        // The same rescue places as every other door: a new vault is no less worth keeping.
        let vault =
            vault.with_rescue_places(zdauth_core::vault::rescue::user_places(&locked.paths));
        // A config.toml that was there before the identity may name a team store.
        let env = locked.store_env(&config)?;
        let vault = crate::cli::store_env::with_store(vault, &config, &env)?;
        let setup = Setup {
            refresher: Arc::new(session::refresher(vault, &config.settings)),
            config,
            no_color: locked.no_color,
            add_defaults: crate::tui::form::AddDefaults::default(),
        };
        run_in(&mut terminal, setup, then_add).await
    }
    .await;
    ratatui::restore();
    result
}

async fn first_run_screen(
    terminal: &mut ratatui::DefaultTerminal,
    locked: &Locked,
    keymap: crate::tui::Keymap,
) -> anyhow::Result<Option<(zdauth_core::vault::Vault, Config, bool)>> {
    use crate::tui::first_run::{FirstRun, FirstRunStep};
    let zdauth_core::vault::IdentitySource::Sealed(identity) = locked.source.clone() else {
        anyhow::bail!("a plain identity file is configured: zdauth does not create one");
    };
    let mut screen = FirstRun::new(identity.display().to_string(), keymap, locked.no_color);
    let created = screen_loop(
        terminal,
        &mut screen,
        crate::tui::view::first_run::draw_first_run,
        |screen, key| match screen.key(key) {
            FirstRunStep::Quit => Next::Quit,
            FirstRunStep::Create { passphrase, .. } => {
                let paths = locked.paths.clone();
                let identity = identity.clone();
                Next::Work(Box::new(move || {
                    zdauth_core::setup::ensure_config(&paths)?;
                    let config = Config::load(&paths.config())?;
                    let factor = config.settings.kdf_work_factor;
                    let vault = zdauth_core::setup::seal_new_identity(
                        &paths,
                        &identity,
                        || Ok(passphrase),
                        factor,
                    )?;
                    Ok((vault, config))
                }))
            }
            FirstRunStep::Stay => Next::Stay,
        },
        |screen, error| {
            screen.failed(error.to_string());
            Ok(())
        },
    )
    .await?;
    Ok(created.map(|(vault, config)| (vault, config, screen.then_add())))
}
