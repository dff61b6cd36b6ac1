//! The bottom two lines: the toast, and the keys that work right now, generated from the
//! keymap so the footer cannot advertise a key that does something else.

use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::theme::Theme;
use crate::tui::action::Action;
use crate::tui::app::{App, OnLogin, Overlay};
use crate::tui::app::{DELETE_AND_REVOKE, DELETE_HERE_ONLY, KEEP};
use crate::tui::keymap::Keymap;

/// What the footer offers in the list, most useful first: the tail is cut on narrow screens.
const LIST_KEYS: &[Action] = &[
    Action::Help,
    Action::Quit,
    Action::Refresh,
    Action::RefreshAll,
    Action::Login,
    Action::CopyToken,
    Action::Add,
    Action::Edit,
    Action::Delete,
    Action::Filter,
    Action::Sort,
    Action::ToggleSelect,
    Action::ToggleDetail,
    Action::ToggleAutoRefresh,
    Action::MoveDown,
    Action::MoveUp,
];

pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let hints: Vec<(String, String)> = match &app.overlay {
        Overlay::Help
        | Overlay::Login {
            on_top: OnLogin::Help,
            ..
        } => vec![("any key".into(), "closes the help".into())],
        Overlay::Login {
            on_top: OnLogin::ConfirmQuit,
            ..
        } => {
            let mut quit = first_key(&app.options.keymap, Action::Quit);
            quit.push_str("/y");
            vec![
                (quit, "quit and cancel the login".into()),
                ("any other key".into(), "stay".into()),
            ]
        }
        Overlay::Log => vec![
            ("↑/↓".into(), "scroll".into()),
            ("Esc".into(), "closes the log".into()),
        ],
        Overlay::Form(_) => vec![
            ("Tab/↓".into(), "next field".into()),
            ("Shift-Tab/↑".into(), "back".into()),
            ("Enter".into(), "save".into()),
            ("Esc".into(), "cancel".into()),
        ],
        Overlay::Delete(deleting) => delete_hints(deleting.has_tokens),
        Overlay::ConfirmRefresh(_) => vec![
            ("y".into(), "refresh them".into()),
            ("any other key".into(), "no".into()),
        ],
        Overlay::Filter => vec![
            ("Enter".into(), "keep".into()),
            ("Esc".into(), "clear".into()),
            ("↑/↓".into(), "move".into()),
        ],
        // Text in the paste field takes every key (App::login_key).
        Overlay::Login { login, .. } if !login.paste.is_empty() => vec![
            ("Enter".into(), "use the pasted address".into()),
            ("Esc".into(), "cancel the login".into()),
        ],
        // The login modal lets only these through (App::login_key).
        Overlay::Login { login, .. } => {
            let mut hints = vec![("Esc".into(), "cancel the login".into())];
            if login.url.is_some() {
                hints.extend(
                    app.options
                        .keymap
                        .keys_for(Action::CopyToken)
                        .next()
                        .map(|key| (key.to_string(), "copy the URL".to_owned())),
                );
            }
            hints.extend(bound(&app.options.keymap, &[Action::Quit, Action::Help]));
            hints
        }
        // Nothing to move, refresh or log in to: the welcome screen says what to do instead.
        Overlay::None if app.rows.is_empty() => bound(
            &app.options.keymap,
            &[Action::Add, Action::Quit, Action::Help],
        ),
        Overlay::None => bound(&app.options.keymap, LIST_KEYS),
    };
    let mut spans = vec![Span::raw(" ")];
    let filtering = app.overlay == Overlay::Filter;
    if filtering || !app.filter.is_empty() {
        let cursor = if filtering { "▏" } else { "" };
        spans.push(Span::styled(
            format!("/{}{cursor}  ", app.filter),
            theme.accent(),
        ));
    }
    // `12/45` at the right edge, where the list is: the hints give way to it.
    let position = match (&app.overlay, app.position()) {
        (Overlay::None | Overlay::Filter, Some((at, of))) => format!("{at}/{of} "),
        _ => String::new(),
    };
    let room = usize::from(area.width).saturating_sub(position.chars().count() + 1);
    let mut used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    for (key, label) in hints {
        let width = key.chars().count() + label.chars().count() + 3;
        if used + width > room {
            break;
        }
        used += width;
        spans.push(Span::styled(key, theme.title()));
        spans.push(Span::styled(format!(" {label}  "), theme.dim()));
    }
    Paragraph::new(Line::from(spans)).render(area, buf);
    Paragraph::new(Span::styled(position, theme.title()))
        .alignment(Alignment::Right)
        .render(area, buf);
}

/// The dialog's own keys (fixed, like any y/n prompt).
fn delete_hints(has_tokens: bool) -> Vec<(String, String)> {
    let mut hints = Vec::new();
    if has_tokens {
        hints.push((
            DELETE_AND_REVOKE.to_string(),
            "delete + revoke at Zendesk".into(),
        ));
        hints.push((DELETE_HERE_ONLY.to_string(), "delete here only".into()));
    } else {
        hints.push((DELETE_AND_REVOKE.to_string(), "delete".into()));
    }
    hints.push((format!("{KEEP}/Esc"), "keep".into()));
    hints
}

/// (first key, label) for each action that has a key.
fn bound(keymap: &Keymap, actions: &[Action]) -> Vec<(String, String)> {
    actions
        .iter()
        .filter(|&&a| keymap.keys_for(a).next().is_some())
        .map(|&a| (first_key(keymap, a), a.label().to_owned()))
        .collect()
}

fn first_key(keymap: &Keymap, action: Action) -> String {
    keymap
        .keys_for(action)
        .next()
        .map_or_else(String::new, |k| k.to_string())
}

/// The toast, or while a login waits and nothing else is said, where to finish it.
pub fn render_toast(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    if let Overlay::ConfirmRefresh(names) = &app.overlay {
        let text = format!(" refresh {} connections? (y/N)", names.len());
        Paragraph::new(Span::styled(text, theme.warn())).render(area, buf);
        return;
    }
    let span = match (&app.toast, app.login()) {
        (Some(toast), _) => {
            let style = if toast.error {
                theme.bad()
            } else {
                theme.accent()
            };
            Span::styled(format!(" {}", toast.text), style)
        }
        (None, _) if app.config_error.is_some() => Span::styled(
            // The reason first: the line is cut at the screen's edge.
            format!(
                " config.toml {} (until it is fixed, the list shows the last good one)",
                app.config_error.as_deref().unwrap_or_default()
            ),
            theme.bad(),
        ),
        (None, Some(login)) if login.exchanging => Span::styled(
            format!(" login to {}: getting the tokens…", login.name),
            theme.accent(),
        ),
        (None, Some(login)) => match &login.url {
            Some(url) => Span::styled(
                format!(" login to {}: open {url}", login.name),
                theme.accent(),
            ),
            None => Span::styled(
                format!(" login to {}: starting…", login.name),
                theme.accent(),
            ),
        },
        (None, None) => return,
    };
    Paragraph::new(span).render(area, buf);
}
