//! Colours that read on dark and light backgrounds (named ANSI colours, so
//! the terminal's palette decides), and a monochrome theme that marks
//! emphasis with bold and reverse.

use ratatui::style::{Color, Modifier, Style};

#[derive(Debug, Clone, Copy)]
pub struct Theme {
    pub mono: bool,
}

impl Theme {
    fn fg(self, c: Color) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default().fg(c)
        }
    }

    pub fn title(self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }
    pub fn border(self) -> Style {
        self.fg(Color::DarkGray)
    }
    pub fn focus_border(self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::Cyan)
        }
    }
    pub fn gift(self) -> Style {
        self.fg(Color::Magenta)
    }
    pub fn money(self) -> Style {
        self.fg(Color::Green)
    }
    pub fn warn(self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::Yellow)
        }
    }
    pub fn bad(self) -> Style {
        if self.mono {
            Style::default().add_modifier(Modifier::BOLD)
        } else {
            Style::default().fg(Color::Red)
        }
    }
    pub fn dim(self) -> Style {
        if self.mono {
            Style::default()
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }
    pub fn key(self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }
    pub fn selected(self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }
    pub fn badge(self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }
    pub fn accent(self) -> Style {
        self.fg(Color::Cyan)
    }
}
