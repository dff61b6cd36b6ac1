//! The login modal: what the browser flow is waiting for, the URL in full (the user may have
//! to copy it by hand when no browser opens), and how long the catcher still waits.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Padding};

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
    let mut lines = vec![if login.exchanging {
        Line::styled(
            "the browser sent the code: fetching tokens…",
            theme.accent(),
        )
    } else {
        Line::from(vec![
            Span::raw("finish in the browser; waiting "),
            Span::styled(left, theme.title()),
        ])
    }];
    lines.push(Line::default());
    match &login.url {
        None => lines.push(Line::styled("starting the browser…", theme.dim())),
        Some(url) => {
            lines.push(Line::styled(
                "no browser? open this URL by hand:",
                theme.dim(),
            ));
            lines.extend(chunks(url, inner).map(|c| Line::styled(c, theme.accent())));
        }
    }
    if let Some(note) = &login.note {
        lines.push(Line::default());
        lines.extend(
            words(note, inner)
                .into_iter()
                .map(|l| Line::styled(l, theme.warn())),
        );
    }
    lines.push(Line::default());
    lines.push(Line::from(vec![
        Span::styled("Esc", theme.title()),
        Span::styled(" cancels and frees the port", theme.dim()),
    ]));
    let title = Span::styled(format!(" log in to {} ", login.name), theme.title());
    let block = Block::new()
        .borders(Borders::TOP | Borders::BOTTOM)
        .title(title)
        // One column each side, so the text never touches the list behind.
        .padding(Padding::horizontal(1));
    super::popup(area, buf, width, lines, block, false);
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
