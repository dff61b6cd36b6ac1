//! Colours in one place, and their absence: with `NO_COLOR` every style keeps only
//! bold/reverse, so the screen still reads in monochrome.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

impl Theme {
    pub fn new(color: bool) -> Self {
        Self { color }
    }

    fn fg(self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// More than the refresh margin left.
    pub fn good(self) -> Style {
        self.fg(Color::Green)
    }

    /// Inside the margin.
    pub fn warn(self) -> Style {
        self.fg(Color::Yellow)
    }

    /// Under a minute, expired, failed, login required.
    pub fn bad(self) -> Style {
        self.fg(Color::Red)
    }

    pub fn dim(self) -> Style {
        self.fg(Color::DarkGray)
    }

    pub fn accent(self) -> Style {
        self.fg(Color::Cyan)
    }

    pub fn title(self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }

    /// The part of a name the filter matched: underlined, so it shows without colour too.
    pub fn highlight(self) -> Style {
        self.fg(Color::Yellow)
            .add_modifier(Modifier::UNDERLINED | Modifier::BOLD)
    }

    pub fn selected(self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }
}
