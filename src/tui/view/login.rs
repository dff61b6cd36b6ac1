//! The login modal: what the browser flow is waiting for, the URL in full (the user may have
//! to copy it by hand when no browser opens), and how long the catcher still waits.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding};

use super::Keep;
use super::theme::Theme;
use crate::tui::app::App;
use crate::tui::format;

/// Wide enough for most authorize URLs in two or three lines, narrow enough to look like a
/// modal on a wide terminal.
const MAX_WIDTH: u16 = 100;

pub fn render(app: &App, theme: Theme, area: Rect, buf: &mut Buffer) {
    let Some(login) = app.login() else {
        return;
    };
    let width = area.width.min(MAX_WIDTH);
    // Side borders would land in a mouse selection of the URL: top and bottom only.
    let inner = usize::from(width.saturating_sub(2)).max(1);
    let left = format::wait(app.login_left().unwrap_or_default());
    let mut lines = vec![body(if login.exchanging {
        Line::styled(
            "the browser sent the code: fetching tokens…",
            theme.accent(),
        )
    } else {
        Line::from(vec![
            Span::raw("finish in the browser; waiting "),
            Span::styled(left, theme.title()),
        ])
    })];
    let spare = || (Line::default(), Keep::Spare);
    lines.push(spare());
    match &login.url {
        None => lines.push(body(Line::styled("starting the browser…", theme.dim()))),
        Some(url) => {
            lines.push(body(Line::styled(
                "no browser? open this URL by hand:",
                theme.dim(),
            )));
            // The URL is what the user must copy: kept whole like an error.
            lines
                .extend(chunks(url, inner).map(|c| (Line::styled(c, theme.accent()), Keep::Error)));
        }
    }
    if let Some(tunnel) = &login.tunnel {
        lines.push(spare());
        lines.push(body(Line::styled(
            "over SSH: run this on the machine with the browser first",
            theme.dim(),
        )));
        lines.extend(chunks(tunnel, inner).map(|c| (Line::styled(c, theme.accent()), Keep::Error)));
    }
    // Once the code is in, there is nothing left to paste.
    if !login.exchanging {
        lines.push(spare());
        lines.push(body(Line::styled(
            "or paste the browser's final address (…/callback?code=…) here, then Enter:",
            theme.dim(),
        )));
        let (before, after) = login.paste.shown_around_cursor();
        let field = format!("› {before}▏{after}");
        lines.extend(chunks(&field, inner).map(|c| (Line::raw(c), Keep::Error)));
    }
    if login.checking {
        lines.push(body(Line::styled(
            "checking the pasted address…",
            theme.accent(),
        )));
    }
    for text in [login.note.clone(), app.login_hint()].into_iter().flatten() {
        lines.push(spare());
        lines.extend(
            words(&text, inner)
                .into_iter()
                .map(|l| (Line::styled(l, theme.warn()), Keep::Error)),
        );
    }
    lines.push(spare());
    lines.push(body(Line::from(vec![
        Span::styled("Esc", theme.title()),
        Span::styled(" cancels and frees the port", theme.dim()),
    ])));
    let title = Span::styled(format!(" log in to {} ", login.name), theme.title());
    let block = Block::new()
        .borders(Borders::TOP | Borders::BOTTOM)
        .title(title)
        // One column each side, so the text never touches the list behind.
        .padding(Padding::horizontal(1));
    super::dialog(area, buf, width, lines, block);
}

fn body(line: Line) -> (Line, Keep) {
    (line, Keep::Body)
}

/// A URL has no spaces to wrap at: cut it every `width` characters, keeping all of it.
fn chunks(text: &str, width: usize) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len()).step_by(width).map(move |start| {
        chars[start..(start + width).min(chars.len())]
            .iter()
            .collect()
    })
}

/// Word wrap for prose; a word longer than the line is cut like a URL.
pub(super) fn words(text: &str, width: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let fits = line.chars().count() + 1 + word.chars().count() <= width;
        if !line.is_empty() && !fits {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let rest: String = line.chars().skip(width).collect();
            lines.push(line.chars().take(width).collect());
            line = rest;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_keeps_every_character() {
        let url = "https://acme.zendesk.com/oauth/authorizations/new?state=abc";
        let cut: Vec<String> = chunks(url, 20).collect();
        assert_eq!(cut.concat(), url);
        assert!(cut.iter().all(|c| c.chars().count() <= 20));
        assert_eq!(
            words("no browser started: open it yourself", 12),
            ["no browser", "started:", "open it", "yourself"]
        );
        assert_eq!(words("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    }
}
