//! The TUI's state and its one transition function. `update` is pure: no clock (time comes
//! in `Msg::Tick`), no I/O (it returns [`Effect`]s for the loop to run).

mod batch;
mod copy;
mod deletes;
mod keys;
mod log;
mod login;
mod manage;
mod overlay;
mod refresh;
mod results;
mod selection;
mod sort;
mod status;
#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::time::Duration;

use jiff::{SignedDuration, Timestamp};

pub use crate::tui::effect::{CopyWhat, Effect};
use crate::tui::form::ConnectionForm;
use crate::tui::keymap::Keymap;
use crate::tui::msg::Msg;
use crate::tui::row::{ConnState, Row, Shown, snapshot};
pub use deletes::question as delete_question;
pub use log::{LOG_LIMIT, LogEntry, MessageLog};
pub use overlay::{
    DELETE_AND_REVOKE, DELETE_HERE_ONLY, Deleting, KEEP, LoginInFlight, OnLogin, Overlay,
};
pub use selection::SCROLL_CONTEXT;
pub use sort::SortOrder;
pub use status::{AgentView, Counts};
use zdauth_core::config::Config;
use zdauth_core::vault::VaultData;

const TOAST_INFO: SignedDuration = SignedDuration::from_secs(4);
const TOAST_ERROR: SignedDuration = SignedDuration::from_secs(10);
/// Rows the detail pane takes from the list when open; the view lays it out the same.
pub const DETAIL_HEIGHT: u16 = 12;
/// A one-line header, table header, toast line and footer ([`App::header_rows`] may add a
/// second header line).
pub const CHROME_HEIGHT: u16 = 4;
/// How long the login's catcher waits for the browser. The loop hands it to the catcher and
/// the modal counts it down, so both read the same number.
pub const LOGIN_TIMEOUT: Duration = Duration::from_secs(300);

#[derive(Debug, Clone)]
pub struct Options {
    /// Shown in the header.
    pub vault_path: String,
    /// `store: openbao at https://…` when the tokens live in a team store: the header's
    /// second line says it.
    pub store: Option<String>,
    /// `NO_COLOR`: a monochrome screen that still reads.
    pub no_color: bool,
    pub keymap: Keymap,
    /// Where the detail pane's local times are: the loop passes the system's zone, tests a
    /// fixed one, so drawing never reads the environment. UTC by default.
    pub time_zone: jiff::tz::TimeZone,
    /// The sort to start with: the runtime reads the one remembered in the state dir.
    pub sort: SortOrder,
    /// What the add form starts with (the demo: its fake's address and client).
    pub add_defaults: crate::tui::form::AddDefaults,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            vault_path: String::new(),
            store: None,
            no_color: false,
            keymap: Keymap::default(),
            time_zone: jiff::tz::TimeZone::UTC,
            sort: SortOrder::default(),
            add_defaults: crate::tui::form::AddDefaults::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortMode {
    Name,
    TimeLeft,
    State,
    /// The refresh token's expiry, soonest first: where the cliff is.
    RefreshLeft,
}

impl SortMode {
    pub(super) fn next(self) -> Self {
        match self {
            SortMode::Name => SortMode::TimeLeft,
            SortMode::TimeLeft => SortMode::State,
            SortMode::State => SortMode::RefreshLeft,
            SortMode::RefreshLeft => SortMode::Name,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SortMode::Name => "name",
            SortMode::TimeLeft => "time left",
            SortMode::State => "state",
            SortMode::RefreshLeft => "refresh expiry",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toast {
    pub text: String,
    pub error: bool,
    pub until: Timestamp,
    /// Written by the copy's countdown, which rewrites only its own toast.
    pub copy_countdown: bool,
    /// A key was pressed since it was shown: an error may give way to news before its time.
    pub seen: bool,
}

#[derive(Debug)]
pub struct App {
    pub(crate) rows: Vec<Row>,
    /// Indices into `rows`, filtered and sorted.
    pub(crate) visible: Vec<usize>,
    /// By name, so it survives sorting, filtering and reloads. When filtered out, the first
    /// visible row stands in until the filter lets it back.
    pub(crate) selected: Option<String>,
    pub(crate) filter: String,
    /// What is on top of the list, with what it shows.
    pub(crate) overlay: Overlay,
    pub(crate) sort: SortMode,
    /// `S`: the sort key's order turned around.
    pub(crate) reverse: bool,
    /// The multi-select, by name: kept across refreshes and reloads, pruned when a
    /// connection goes away, and acted on only where the filter shows it.
    pub(crate) marked: BTreeSet<String>,
    /// The first visible row the list shows; moved by `update` to follow the cursor.
    pub(crate) scroll: usize,
    /// A refresh of many rows in flight, for its one summary at the end.
    pub(crate) batch: Option<batch::Batch>,
    /// `d` on a selection: the deletes still to run, one after another, for one summary.
    pub(crate) deletes: Option<deletes::DeleteChain>,
    /// `l` on a selection: the logins still to run, one after another.
    pub(crate) login_queue: std::collections::VecDeque<String>,
    pub(crate) detail: bool,
    pub(crate) toast: Option<Toast>,
    /// Every toast said, with its time.
    pub(crate) log: MessageLog,
    /// How far the help or the log is scrolled (see [`App::overlay_scroll`]).
    pub(crate) overlay_scroll: usize,
    pub(crate) auto_refresh: bool,
    pub(crate) margin: Duration,
    /// `settings.keepalive`: under this much left, a refresh token is marked lapsing.
    pub(crate) keepalive: Duration,
    /// The agent as last asked, for the header.
    pub(crate) agent: AgentView,
    pub(crate) now: Timestamp,
    /// (width, height) of the terminal; `None` until the runtime says, before its first frame.
    pub(crate) size: Option<(u16, u16)>,
    copy_toast: Option<copy::CopyToast>,
    /// config.toml on disk is not valid (the screen shows the last good one): why.
    pub(crate) config_error: Option<String>,
    generation: u64,
    pub(crate) options: Options,
}

impl App {
    pub fn new(config: &Config, vault: &VaultData, now: Timestamp, options: Options) -> Self {
        let data = snapshot(config, vault);
        let rows = config
            .connections
            .iter()
            .map(|c| Row::new(c, data.get(&c.name).cloned().unwrap_or_default()))
            .collect();
        let mut app = Self {
            rows,
            visible: Vec::new(),
            selected: None,
            filter: String::new(),
            overlay: Overlay::None,
            sort: options.sort.key,
            reverse: options.sort.reverse,
            marked: BTreeSet::new(),
            scroll: 0,
            batch: None,
            deletes: None,
            login_queue: std::collections::VecDeque::new(),
            detail: false,
            toast: None,
            log: MessageLog::default(),
            overlay_scroll: 0,
            auto_refresh: config.settings.auto_refresh,
            margin: config.settings.refresh_margin,
            keepalive: config.settings.keepalive,
            agent: AgentView::NotAsked,
            now,
            size: None,
            copy_toast: None,
            config_error: None,
            generation: 0,
            options,
        };
        app.rebuild_view();
        app
    }

    /// Changes whenever the screen would: the loop redraws only when it moved.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    pub fn now(&self) -> Timestamp {
        self.now
    }

    pub fn overlay(&self) -> &Overlay {
        &self.overlay
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    pub fn sort(&self) -> SortMode {
        self.sort
    }

    pub fn auto_refresh(&self) -> bool {
        self.auto_refresh
    }

    pub fn detail_open(&self) -> bool {
        self.detail
    }

    pub fn toast(&self) -> Option<&Toast> {
        self.toast.as_ref()
    }

    pub fn config_error(&self) -> Option<&str> {
        self.config_error.as_deref()
    }

    pub fn login(&self) -> Option<&LoginInFlight> {
        match &self.overlay {
            Overlay::Login { login, .. } => Some(login),
            _ => None,
        }
    }

    /// Time left of the catcher's wait, never below zero.
    pub fn login_left(&self) -> Option<SignedDuration> {
        let login = self.login()?;
        let wait = SignedDuration::try_from(LOGIN_TIMEOUT).unwrap_or(SignedDuration::MAX);
        let left = login
            .started
            .saturating_add(wait)
            .ok()?
            .duration_since(self.now);
        Some(left.max(SignedDuration::ZERO))
    }

    pub fn keymap(&self) -> &Keymap {
        &self.options.keymap
    }

    /// Names in screen order.
    pub fn visible_names(&self) -> Vec<&str> {
        self.visible
            .iter()
            .map(|&i| self.rows[i].name.as_str())
            .collect()
    }

    pub fn state_of(&self, name: &str) -> Option<&ConnState> {
        self.rows.iter().find(|r| r.name == name).map(|r| &r.state)
    }

    pub fn form(&self) -> Option<&ConnectionForm> {
        match &self.overlay {
            Overlay::Form(form) => Some(form),
            _ => None,
        }
    }

    pub fn deleting(&self) -> Option<&Deleting> {
        match &self.overlay {
            Overlay::Delete(deleting) => Some(deleting),
            _ => None,
        }
    }

    /// The one transition. The frame is marked dirty here, for every message that may have
    /// changed the screen, so no branch can forget to: only a tick within the same second, a
    /// key that means nothing where the focus is, and a paste with nowhere to go leave it clean.
    pub fn update(&mut self, msg: Msg) -> Vec<Effect> {
        let (changed, effects) = match msg {
            Msg::Tick(now) => (now.as_second() != self.now.as_second(), self.tick(now)),
            Msg::Key(key) => {
                self.toast_seen();
                self.key(key).map_or((false, Vec::new()), |e| (true, e))
            }
            Msg::Paste(text) => (self.paste(&text), Vec::new()),
            Msg::Mouse(mouse) => self.mouse(mouse).map_or((false, Vec::new()), |e| (true, e)),
            // Asked every few seconds: only news redraws.
            Msg::Agent(summary) => (self.agent_said(summary), Vec::new()),
            // The end of one login may start the next one of a selection.
            Msg::Login { name, update } => (true, self.login_update(&name, update)),
            // The end of one delete may start the next one of a selection.
            Msg::Deleted { name, result } => (true, self.deleted(&name, result)),
            news => {
                self.news(news);
                (true, Vec::new())
            }
        };
        if changed {
            self.follow_cursor();
            self.generation += 1;
        }
        effects
    }

    /// What the rest of the world reports: none of it asks for more work.
    fn news(&mut self, msg: Msg) {
        match msg {
            // Handled in `update`, each with its own effects.
            Msg::Tick(_)
            | Msg::Key(_)
            | Msg::Paste(_)
            | Msg::Agent(_)
            | Msg::Mouse(_)
            | Msg::Login { .. }
            | Msg::Deleted { .. } => {}
            Msg::Resize { width, height } => self.size = Some((width, height)),
            Msg::VaultReloaded(snapshot) => self.reload(snapshot),
            Msg::ConfigReloaded { config, snapshot } => self.config_reloaded(&config, snapshot),
            Msg::ConfigInvalid(message) => self.config_error = Some(message),
            Msg::Refreshed { name, result } => self.refreshed(&name, result),
            Msg::Copied { name, result } => self.copied(&name, result),
            Msg::CopyCleared {
                name,
                what,
                outcome,
            } => self.copy_cleared(&name, what, outcome),
            Msg::Saved { name, result } => self.saved(&name, result),
            Msg::Quitting { tasks } => {
                let s = if tasks == 1 { "" } else { "s" };
                self.warn(format!(
                    "quitting once {tasks} running task{s} (refresh, copy or save) finish{es}…",
                    es = if tasks == 1 { "es" } else { "" }
                ));
            }
        }
    }

    fn tick(&mut self, now: Timestamp) -> Vec<Effect> {
        // Same second: nothing on screen moved.
        if now.as_second() == self.now.as_second() {
            self.now = now;
            return Vec::new();
        }
        self.now = now;
        self.copy_countdown();
        if self.toast.as_ref().is_some_and(|t| t.until <= now) {
            self.toast = None;
        }
        if self.sort == SortMode::State {
            self.rebuild_view();
        }
        self.auto_refresh_due()
    }

    pub(crate) fn row_mut(&mut self, name: &str) -> Option<&mut Row> {
        self.rows.iter_mut().find(|r| r.name == name)
    }

    /// What the row shows, for the view.
    pub(crate) fn shown(&self, row: &Row) -> Shown {
        row.shown(self.now, self.margin)
    }
}

pub(super) fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
