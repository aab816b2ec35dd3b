//! Entering and leaving the dashboard's terminal state. Everything turned
//! on is turned off on every exit path, the panic hook included.

use ratatui::DefaultTerminal;
use ratatui::crossterm::{cursor, event, execute, terminal};
use std::io::{IsTerminal, Write, stdout};
use std::sync::atomic::{AtomicBool, Ordering};

static ACTIVE: AtomicBool = AtomicBool::new(false);

pub fn check_tty() -> Result<(), String> {
    if !stdout().is_terminal() {
        return Err("stdout is not a terminal; the dashboard needs one. \
                    For scripts and pipes use `livetally report` (add --json for JSON)"
            .into());
    }
    if std::fs::File::open("/dev/tty").is_err() {
        return Err("no controlling terminal (/dev/tty) to read keys from; \
                    use `livetally report` instead"
            .into());
    }
    Ok(())
}

pub fn enter(mouse: bool) -> Result<DefaultTerminal, String> {
    let term = ratatui::try_init().map_err(|e| {
        restore();
        format!("cannot set up the terminal: {e}; use `livetally report` instead")
    })?;
    ACTIVE.store(true, Ordering::SeqCst);
    install_panic_hook();
    if mouse {
        let _ = execute!(stdout(), event::EnableMouseCapture);
    }
    Ok(term)
}

/// Undo everything `enter` may have done; safe to call more than once.
pub fn restore() {
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = stdout();
    let _ = execute!(out, event::DisableMouseCapture, cursor::Show);
    let _ = terminal::disable_raw_mode();
    let _ = execute!(out, terminal::LeaveAlternateScreen);
    let _ = out.flush();
}

fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
    }));
}
