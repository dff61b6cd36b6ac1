//! The top line: where the vault is, how many connections need attention, auto-refresh, clock.
//! A second line, when there is something to say, about the cliff (grants that lapse soon),
//! the team store the tokens live in, and the agent (locked, unlocked until when, the next
//! keep-alive).

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ratatui::buffer::Buffer;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use super::theme::Theme;
use crate::tui::app::{AgentView, App, Counts};
use crate::tui::format;
use crate::tui::lapse;

pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let counts = app.counts();
    let auto = if app.auto_refresh { "on" } else { "off" };
    let clock = format!("{} UTC ", format::clock(app.now));
    // The path goes last: on a narrow terminal it is what gets cut.
    let left = Line::from(vec![
        Span::styled(" zdauth  ", theme.title()),
        Span::styled(format!("{} valid", counts.valid), theme.good()),
        Span::raw(" · "),
        Span::styled(format!("{} expiring", counts.expiring), theme.warn()),
        Span::raw(" · "),
        Span::styled(format!("{} expired", counts.expired), theme.bad()),
        Span::raw(" · "),
        Span::styled(format!("{} need login", counts.need_login), theme.bad()),
        Span::raw(shown_and_selected(app)),
        // The footer calls it "auto" too; the long name only where it fits.
        Span::raw(if area.width >= 100 {
            format!("  auto-refresh {auto}  ")
        } else {
            format!("  auto {auto}  ")
        }),
        Span::styled(app.options.vault_path.clone(), theme.dim()),
    ]);
    let top = Rect { height: 1, ..area };
    let clock_width = u16::try_from(clock.chars().count()).unwrap_or(u16::MAX);
    let left_area = Rect {
        // One blank column keeps a cut path from running into the clock.
        width: top.width.saturating_sub(clock_width + 1),
        ..top
    };
    Paragraph::new(left).render(left_area, buf);
    Paragraph::new(Span::styled(clock, theme.title()))
        .alignment(Alignment::Right)
        .render(top, buf);
    if area.height > 1 {
        let second = Rect {
            y: area.y + 1,
            height: 1,
            ..area
        };
        Paragraph::new(cliff_and_agent(app, theme, counts, second.width)).render(second, buf);
    }
}

/// `  3 of 45` while a filter is on (the counts before it are of those 3), `  2 selected`.
fn shown_and_selected(app: &App) -> String {
    let mut parts = Vec::new();
    if !app.filter.is_empty() {
        parts.push(format!("{} of {}", app.visible.len(), app.rows.len()));
    }
    let marked = app.marked_shown().len();
    if marked > 0 {
        parts.push(format!("{marked} selected"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("  {}", parts.join(" · "))
    }
}

/// `3 lapse within 7d · store: openbao at https://… · agent: unlocked until 18:40 CET · next
/// keep-alive 2026-12-03 09:00 CET`.
/// A part that does not fit whole is left out, from the end: half a time misleads.
fn cliff_and_agent(app: &App, theme: Theme, counts: Counts, width: u16) -> Line<'static> {
    let mut parts: Vec<(String, Style)> = Vec::new();
    if counts.lapsing > 0 {
        let style = if counts.imminent > 0 {
            theme.bad()
        } else {
            theme.warn()
        };
        let window = lapse::short(lapse::window(app.keepalive));
        parts.push((format!("{} lapse within {window}", counts.lapsing), style));
    }
    // After the cliff, which asks for action; before the agent, which changes.
    if let Some(store) = &app.options.store {
        parts.push((store.clone(), theme.dim()));
    }
    let (now, tz) = (app.now, &app.options.time_zone);
    match &app.agent {
        AgentView::NotAsked => {}
        AgentView::Absent => parts.push(("no agent".into(), theme.dim())),
        AgentView::Running(agent) => {
            let state = match (agent.unlocked, agent.unlocked_until) {
                (false, _) => ("agent: locked".to_owned(), theme.warn()),
                (true, None) => ("agent: unlocked".to_owned(), theme.good()),
                (true, Some(until)) => (
                    format!("agent: unlocked until {}", when(until, now, tz)),
                    theme.good(),
                ),
            };
            parts.push(state);
            if let Some(next) = agent.next_keepalive {
                parts.push((
                    format!("next keep-alive {}", when(next, now, tz)),
                    theme.dim(),
                ));
            }
        }
    }
    let mut spans = vec![Span::raw(" ")];
    let mut used = 1;
    for (n, (text, style)) in parts.into_iter().enumerate() {
        let gap = if n == 0 { "" } else { " · " };
        let need = gap.chars().count() + text.chars().count();
        if used + need > usize::from(width) {
            break;
        }
        used += need;
        spans.push(Span::raw(gap));
        spans.push(Span::styled(text, style));
    }
    Line::from(spans)
}

/// `18:40 CET` today, `2026-12-03 09:00 CET` on another day, in the user's zone: the agent's
/// times are read against the wall clock, and the zone keeps them apart from the UTC clock.
fn when(at: Timestamp, now: Timestamp, tz: &TimeZone) -> String {
    let local = at.to_zoned_datetime(tz.clone());
    if local.date() == now.to_zoned_datetime(tz.clone()).date() {
        local.strftime("%H:%M %Z").to_string()
    } else {
        local.strftime("%Y-%m-%d %H:%M %Z").to_string()
    }
}
