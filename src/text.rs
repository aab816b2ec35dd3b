//! Untrusted feed text made safe and measured for the terminal.
//!
//! Nicknames, gift names and product titles come from strangers: control
//! characters, escape sequences and bidirectional overrides must never reach
//! the terminal, and widths are measured in display columns, not bytes.

use unicode_segmentation::UnicodeSegmentation;
use unicode_width::UnicodeWidthStr;

/// Replace what could drive the terminal with visible placeholders:
/// C0 controls become their control pictures (ESC shows as ␛), DEL ␡,
/// C1 controls and bidi overrides/isolates �. Flags (pairs of regional
/// indicators) become their two letters, 🇧🇷 -> BR: terminals disagree on
/// their width (tmux gives each indicator a cell of its own), and a screen
/// drawn with the wrong width keeps stray halves where text changes.
pub fn sanitize(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(needs_replacing) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(s.chars().map(replacement).collect())
}

fn needs_replacing(c: char) -> bool {
    is_terminal_control(c) || is_regional_indicator(c)
}

fn is_regional_indicator(c: char) -> bool {
    matches!(c, '\u{1F1E6}'..='\u{1F1FF}')
}

/// Control characters and bidirectional formatting characters.
pub fn is_terminal_control(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

fn replacement(c: char) -> char {
    match c as u32 {
        0x00..=0x1F => char::from_u32(0x2400 + c as u32).unwrap_or('\u{FFFD}'),
        0x7F => '\u{2421}',
        0x80..=0x9F => '\u{FFFD}',
        _ if is_bidi_control(c) => '\u{FFFD}',
        0x1F1E6..=0x1F1FF => char::from_u32(c as u32 - 0x1F1E6 + 'A' as u32).unwrap_or('?'),
        _ => c,
    }
}

/// Display width in terminal columns.
pub fn width(s: &str) -> usize {
    UnicodeWidthStr::width(s)
}

/// Sanitised, cut to at most `w` columns with an ellipsis when too long,
/// without padding. Cuts fall between grapheme clusters, so a flag, an
/// emoji with modifiers or a letter with combining marks is never split.
pub fn truncate(s: &str, w: usize) -> String {
    let s = sanitize(s);
    if width(&s) <= w {
        return s.into_owned();
    }
    if w == 0 {
        return String::new();
    }
    let mut out = String::new();
    let mut used = 0;
    for g in s.graphemes(true) {
        let gw = UnicodeWidthStr::width(g);
        if used + gw > w - 1 {
            break;
        }
        used += gw;
        out.push_str(g);
    }
    out.push('…');
    out
}

/// Sanitised and truncated to `w` columns, then padded with spaces to exactly `w`.
pub fn fit(s: &str, w: usize) -> String {
    let mut t = truncate(s, w);
    let tw = width(&t);
    for _ in tw..w {
        t.push(' ');
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_become_visible() {
        assert_eq!(sanitize("\u{1b}]0;owned\u{7}"), "␛]0;owned␇");
        assert_eq!(sanitize("a\u{1b}[2Jb"), "a␛[2Jb");
        assert_eq!(sanitize("x\u{202E}y\u{9b}z"), "x\u{FFFD}y\u{FFFD}z");
        assert_eq!(sanitize("plain 🌹 名前"), "plain 🌹 名前");
        assert_eq!(sanitize("Lukas🇧🇷 🇯🇵x🇿"), "LukasBR JPxZ");
        assert_eq!(width(&sanitize("a🇧🇷b")), width("a🇧🇷b"));
    }

    #[test]
    fn fits_by_display_width() {
        assert_eq!(fit("名前名前", 5), "名前…");
        assert_eq!(width(&fit("名前名前", 5)), 5);
        assert_eq!(fit("ab", 4), "ab  ");
        assert_eq!(fit("🌹🌹🌹", 4), "🌹… ");
        assert_eq!(truncate("abcdef", 3), "ab…");
        assert_eq!(truncate("e\u{301}x", 2), "e\u{301}x");
        assert_eq!(truncate("anything", 0), "");
        // flags are shown as their letters, so they cut like letters
        assert_eq!(truncate("ab🇧🇷🇧🇷cd", 5), "abBR…");
        assert_eq!(truncate("👍🏽👍🏽", 3), "👍🏽…");
    }
}
