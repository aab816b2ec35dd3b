//! Keys to actions. While the creator filter is being typed, printable
//! keys go to the filter instead.

use super::app::{Action, App};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

pub fn action_for(app: &App, key: KeyEvent) -> Option<Action> {
    if key.kind == KeyEventKind::Release {
        return None;
    }
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && matches!(key.code, KeyCode::Char('c') | KeyCode::Char('C')) {
        return Some(Action::Quit);
    }
    if app.filtering {
        return match key.code {
            KeyCode::Esc => Some(Action::Back),
            KeyCode::Enter => Some(Action::FilterDone),
            KeyCode::Backspace => Some(Action::FilterBackspace),
            KeyCode::Char(c) if !ctrl => Some(Action::FilterChar(c)),
            KeyCode::Up => Some(Action::Up),
            KeyCode::Down => Some(Action::Down),
            _ => None,
        };
    }
    if app.help {
        // any key closes the help overlay; q still quits
        return Some(match key.code {
            KeyCode::Char('q') => Action::Quit,
            _ => Action::Help,
        });
    }
    Some(match key.code {
        KeyCode::Char('q') => Action::Quit,
        KeyCode::Esc => Action::Back,
        KeyCode::Backspace if app.detail.is_some() => Action::Back,
        KeyCode::Char('?') => Action::Help,
        KeyCode::Char(' ') => Action::Pause,
        KeyCode::Char('w') => Action::NextWindow,
        KeyCode::Char('W') => Action::PrevWindow,
        KeyCode::Tab => Action::FocusNext,
        KeyCode::BackTab => Action::FocusPrev,
        KeyCode::Up | KeyCode::Char('k') => Action::Up,
        KeyCode::Down | KeyCode::Char('j') => Action::Down,
        KeyCode::PageUp => Action::PageUp,
        KeyCode::PageDown => Action::PageDown,
        KeyCode::Home | KeyCode::Char('g') => Action::Home,
        KeyCode::End | KeyCode::Char('G') => Action::End,
        KeyCode::Char('s') => Action::NextSort,
        KeyCode::Char('S') => Action::ReverseSort,
        KeyCode::Char('/') => Action::StartFilter,
        KeyCode::Enter => Action::Open,
        KeyCode::Char('e') => Action::Export,
        _ => return None,
    })
}

/// Every key, for the help overlay and the README.
pub const HELP: &[(&str, &str)] = &[
    (
        "q  Esc  Ctrl-C",
        "quit (Esc first closes help, filter or detail)",
    ),
    ("?", "this help"),
    ("space", "pause the view; ingest continues"),
    ("w / W", "next / previous window: 1m 5m 15m 1h all"),
    ("Tab / Shift-Tab", "focus creators, ticker, errors"),
    ("↑↓  j/k", "move in the focused table"),
    ("PgUp/PgDn  Home/End", "page / jump in the focused table"),
    ("s / S", "next sort column / reverse order"),
    ("/", "filter creators by text (Enter keeps, Esc clears)"),
    ("Enter", "open the selected creator's detail"),
    ("Esc  Backspace", "back from the detail view"),
    (
        "e",
        "export the view to JSON and CSV in the working directory",
    ),
];
