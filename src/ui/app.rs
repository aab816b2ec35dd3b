//! Dashboard state and the actions keys map to. Everything the screen
//! shows is read from here; nothing here draws.

pub use super::view::{Query, View};
use crate::engine::Scope;
use crate::engine::snapshot::CreatorRow;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Creators,
    Ticker,
    Errors,
}

impl Focus {
    const ORDER: [Focus; 3] = [Focus::Creators, Focus::Ticker, Focus::Errors];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Creator,
    Diamonds,
    Gifts,
    Gifters,
    Orders,
    Gmv,
    Conversion,
}

impl SortKey {
    pub const ORDER: [SortKey; 7] = [
        SortKey::Diamonds,
        SortKey::Gifts,
        SortKey::Gifters,
        SortKey::Orders,
        SortKey::Gmv,
        SortKey::Conversion,
        SortKey::Creator,
    ];

    pub fn label(self) -> &'static str {
        match self {
            SortKey::Creator => "creator",
            SortKey::Diamonds => "diamonds",
            SortKey::Gifts => "gifts",
            SortKey::Gifters => "gifters",
            SortKey::Orders => "orders",
            SortKey::Gmv => "GMV",
            SortKey::Conversion => "conv",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Quit,
    Help,
    Pause,
    NextWindow,
    PrevWindow,
    FocusNext,
    FocusPrev,
    Up,
    Down,
    PageUp,
    PageDown,
    Home,
    End,
    NextSort,
    ReverseSort,
    StartFilter,
    FilterChar(char),
    FilterBackspace,
    FilterDone,
    Back,
    Open,
    Export,
}

/// The dashboard's state on the UI thread: the view it shows and what the
/// keys changed. The engine lives elsewhere (its own thread in the live
/// dashboard, `Local` in tests and benches) and answers `query()` with views.
pub struct App {
    pub view: Option<View>,
    /// The window or the detail changed: the next view answering `query()`
    /// is shown even while paused (a different view of the frozen moment).
    pub awaiting: bool,
    /// Events the engine had accepted at the latest news from it, and when
    /// the view froze.
    pub accepted: u64,
    paused_at: u64,
    pub scope: Scope,
    pub paused: bool,
    /// Events ingested since the view froze.
    pub since_pause: u64,
    pub help: bool,
    pub focus: Focus,
    pub sort: SortKey,
    pub sort_reversed: bool,
    pub filter: String,
    pub filtering: bool,
    /// The selected creator by name, so it survives re-sorting.
    pub selected: Option<String>,
    pub ticker_scroll: usize,
    pub errors_scroll: usize,
    pub detail: Option<String>,
    pub status: Option<String>,
    pub demo: bool,
    pub mono: bool,
    pub utc: bool,
    pub quit: bool,
    pub export_dir: std::path::PathBuf,
    pub attribution_label: String,
}

impl App {
    /// `attribution_window_ms`: the engine's W, for the labels.
    pub fn new(scope: Scope, attribution_window_ms: i64) -> App {
        let attribution_label = crate::format::duration_ms(attribution_window_ms);
        App {
            view: None,
            awaiting: true,
            accepted: 0,
            paused_at: 0,
            scope,
            paused: false,
            since_pause: 0,
            help: false,
            focus: Focus::Creators,
            sort: SortKey::Diamonds,
            sort_reversed: false,
            filter: String::new(),
            filtering: false,
            selected: None,
            ticker_scroll: 0,
            errors_scroll: 0,
            detail: None,
            status: None,
            demo: false,
            mono: false,
            utc: false,
            quit: false,
            export_dir: std::path::PathBuf::from("."),
            attribution_label,
        }
    }

    pub fn query(&self) -> Query {
        Query {
            scope: self.scope,
            detail: self.detail.clone(),
        }
    }

    /// A view from the engine: shown unless paused (or it answers an older
    /// query); a view the user asked for by changing the window or the
    /// detail is shown even while paused.
    pub fn accept(&mut self, view: View) {
        self.accepted = self.accepted.max(view.accepted);
        if !view.answers(&self.query()) || (self.paused && !self.awaiting && self.view.is_some()) {
            return;
        }
        self.awaiting = false;
        self.view = Some(view);
        self.keep_selection_valid();
    }

    /// Live figures between views: events/s, lag behind the wall clock, and
    /// how many events arrived since the view froze.
    pub fn live(
        &mut self,
        events_per_sec: f64,
        accepted: u64,
        lag_ms: Option<i64>,
        catching_up: bool,
    ) {
        self.accepted = self.accepted.max(accepted);
        if self.paused {
            self.since_pause = self.accepted - self.paused_at;
            return;
        }
        if let Some(v) = &mut self.view {
            v.events_per_sec = events_per_sec;
            v.lag_ms = lag_ms;
            v.catching_up = catching_up;
        }
    }

    /// Every source has ended or failed (as of the view on screen).
    pub fn feed_ended(&self) -> bool {
        self.view.as_ref().is_some_and(|v| v.sources.all_done())
    }

    /// Creator rows as shown: filtered, sorted, stable between refreshes.
    pub fn creator_rows(&self) -> Vec<&CreatorRow> {
        let mut rows = self.filtered_creators();
        rows.sort_by(|a, b| self.creator_order(a, b));
        rows
    }

    /// The creators the filter lets through, unsorted.
    pub fn filtered_creators(&self) -> Vec<&CreatorRow> {
        let Some(v) = &self.view else {
            return Vec::new();
        };
        let shown = self.filter_test();
        v.snap.creators.iter().filter(|r| shown(r)).collect()
    }

    /// Whether a creator's row passes the typed filter (case-folded).
    fn filter_test(&self) -> impl Fn(&CreatorRow) -> bool + use<> {
        let needle = self.filter.to_lowercase();
        move |r| needle.is_empty() || contains_folded(&r.creator, &needle)
    }

    /// The table's order: the sort column, then the name, so it is total
    /// and rows never swap places between refreshes.
    fn creator_order(&self, a: &CreatorRow, b: &CreatorRow) -> std::cmp::Ordering {
        let gmv = |r: &CreatorRow| r.gmv.values().sum::<i64>();
        let ord = match self.sort {
            SortKey::Creator => a.creator.cmp(&b.creator),
            SortKey::Diamonds => b.diamonds.cmp(&a.diamonds),
            SortKey::Gifts => b.gifts_sent.cmp(&a.gifts_sent),
            SortKey::Gifters => b.gifters.cmp(&a.gifters),
            SortKey::Orders => b.orders.cmp(&a.orders),
            SortKey::Gmv => gmv(b).cmp(&gmv(a)),
            SortKey::Conversion => b
                .conversion
                .rate
                .unwrap_or(-1.0)
                .total_cmp(&a.conversion.rate.unwrap_or(-1.0)),
        };
        let ord = if self.sort_reversed {
            ord.reverse()
        } else {
            ord
        };
        ord.then_with(|| a.creator.cmp(&b.creator))
    }

    /// The `len` rows a table of that height shows, keeping the selection
    /// in view: (rows, index of the first, selected position in the page).
    /// Only those rows are sorted (a top-N selection, not a full sort per
    /// frame), so a feed with 100k creators draws as fast as one with 20.
    pub fn creator_page(&self, len: usize) -> (Vec<&CreatorRow>, usize, Option<usize>) {
        self.page_of(self.filtered_creators(), len)
    }

    /// `creator_page` of rows the caller has already filtered (the table
    /// also needs all of them: filtering 37k names twice per frame was a
    /// third of the frame's drawing time).
    pub fn page_of<'a>(
        &'a self,
        mut rows: Vec<&'a CreatorRow>,
        len: usize,
    ) -> (Vec<&'a CreatorRow>, usize, Option<usize>) {
        let sel_pos = self.selected.as_ref().and_then(|sel| {
            let sel_row = rows.iter().find(|r| r.creator == sel)?;
            Some(
                rows.iter()
                    .filter(|r| self.creator_order(r, sel_row).is_lt())
                    .count(),
            )
        });
        let len = len.max(1);
        let start = match sel_pos {
            Some(p) if p >= len => p + 1 - len,
            _ => 0,
        };
        let end = (start + len).min(rows.len());
        if end < rows.len() {
            rows.select_nth_unstable_by(end, |a, b| self.creator_order(a, b));
            rows.truncate(end);
        }
        rows.sort_by(|a, b| self.creator_order(a, b));
        let page: Vec<&CreatorRow> = rows.into_iter().skip(start).collect();
        (page, start, sel_pos.map(|p| p - start))
    }

    pub fn selected_index(&self) -> Option<usize> {
        let sel = self.selected.as_ref()?;
        self.creator_rows().iter().position(|r| r.creator == sel)
    }

    /// After every refresh: linear, no sort (it runs once per frame). A
    /// selection still shown costs one name test, not the filter's pass
    /// over every creator (at 37k creators, a tenth of a filtered frame).
    fn keep_selection_valid(&mut self) {
        let shown = self.filter_test();
        let valid = match (&self.view, &self.selected) {
            (Some(v), Some(sel)) => v
                .snap
                .creators
                .iter()
                .find(|r| r.creator == sel)
                .is_some_and(shown),
            _ => false,
        };
        if !valid {
            let first = self
                .filtered_creators()
                .into_iter()
                .min_by(|a, b| self.creator_order(a, b))
                .map(|r| r.creator.to_string());
            self.selected = first;
        }
    }

    fn move_selection(&mut self, delta: isize, to_end: Option<bool>) {
        match self.focus {
            Focus::Creators => {
                let names: Vec<String> = self
                    .creator_rows()
                    .iter()
                    .map(|r| r.creator.to_string())
                    .collect();
                if names.is_empty() {
                    return;
                }
                let cur = self.selected_index().unwrap_or(0) as isize;
                let next = match to_end {
                    Some(false) => 0,
                    Some(true) => names.len() as isize - 1,
                    None => (cur + delta).clamp(0, names.len() as isize - 1),
                };
                self.selected = names.get(next as usize).cloned();
            }
            Focus::Ticker | Focus::Errors => {
                let len = match (&self.view, self.focus) {
                    (Some(v), Focus::Ticker) => v.ticker.len(),
                    (Some(v), _) => v.rejects.len(),
                    _ => 0,
                };
                let scroll = if self.focus == Focus::Ticker {
                    &mut self.ticker_scroll
                } else {
                    &mut self.errors_scroll
                };
                let max = len.saturating_sub(1) as isize;
                *scroll = match to_end {
                    Some(false) => 0,
                    Some(true) => max as usize,
                    None => (*scroll as isize + delta).clamp(0, max) as usize,
                };
            }
        }
    }

    /// Apply an action; returns true when the screen must be redrawn.
    pub fn act(&mut self, a: Action) -> bool {
        self.status = None;
        match a {
            Action::Quit => self.quit = true,
            Action::Help => self.help = !self.help,
            Action::Pause => {
                self.paused = !self.paused;
                self.since_pause = 0;
                self.paused_at = self.accepted;
            }
            Action::NextWindow | Action::PrevWindow => {
                let i = Scope::CYCLE
                    .iter()
                    .position(|s| *s == self.scope)
                    .unwrap_or(0);
                let n = Scope::CYCLE.len();
                let j = if a == Action::NextWindow {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.scope = Scope::CYCLE[j];
                self.awaiting = true;
            }
            Action::FocusNext | Action::FocusPrev => {
                let i = Focus::ORDER
                    .iter()
                    .position(|f| *f == self.focus)
                    .unwrap_or(0);
                let n = Focus::ORDER.len();
                let j = if a == Action::FocusNext {
                    (i + 1) % n
                } else {
                    (i + n - 1) % n
                };
                self.focus = Focus::ORDER[j];
            }
            Action::Up => self.move_selection(-1, None),
            Action::Down => self.move_selection(1, None),
            Action::PageUp => self.move_selection(-10, None),
            Action::PageDown => self.move_selection(10, None),
            Action::Home => self.move_selection(0, Some(false)),
            Action::End => self.move_selection(0, Some(true)),
            Action::NextSort => {
                let i = SortKey::ORDER
                    .iter()
                    .position(|s| *s == self.sort)
                    .unwrap_or(0);
                self.sort = SortKey::ORDER[(i + 1) % SortKey::ORDER.len()];
                self.sort_reversed = false;
            }
            Action::ReverseSort => self.sort_reversed = !self.sort_reversed,
            Action::StartFilter => {
                self.filtering = true;
                self.focus = Focus::Creators;
            }
            Action::FilterChar(c) => {
                self.filter.push(c);
                self.keep_selection_valid();
            }
            Action::FilterBackspace => {
                self.filter.pop();
                self.keep_selection_valid();
            }
            Action::FilterDone => self.filtering = false,
            Action::Back => {
                if self.help {
                    self.help = false;
                } else if self.filtering {
                    self.filtering = false;
                    self.filter.clear();
                    self.keep_selection_valid();
                } else if self.detail.is_some() {
                    self.detail = None;
                    self.awaiting = true;
                } else if !self.filter.is_empty() {
                    self.filter.clear();
                    self.keep_selection_valid();
                } else {
                    self.quit = true;
                }
            }
            Action::Open => {
                if self.detail.is_none()
                    && self.focus == Focus::Creators
                    && let Some(sel) = self.selected.clone()
                {
                    self.detail = Some(sel);
                    self.awaiting = true;
                }
            }
            Action::Export => {
                self.status = Some(match super::export::export(self) {
                    Ok((json, csv)) => format!("exported {} and {}", json.display(), csv.display()),
                    Err(e) => format!("export failed: {e}"),
                });
            }
        }
        true
    }
}

/// Whether `hay` lower-cased contains `needle` (already lower-cased). ASCII
/// names, nearly all of them, are compared in place: lower-casing a copy
/// of every name cost ~4 ms a pass at 100k creators, and a filtered frame
/// makes several passes.
fn contains_folded(hay: &str, needle: &str) -> bool {
    if hay.is_ascii() && needle.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle.as_bytes());
        let Some((&first, rest)) = n.split_first() else {
            return true;
        };
        let Some(last_start) = h.len().checked_sub(n.len()) else {
            return false;
        };
        // only where the first letter is, in either case (comparing at
        // every place was ~1.2 ms of a filtered frame at 37k creators)
        let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
        return memchr::memchr2_iter(lower, upper, &h[..=last_start])
            .any(|i| h[i + 1..i + n.len()].eq_ignore_ascii_case(rest));
    }
    hay.to_lowercase().contains(needle)
}

#[cfg(test)]
mod tests {
    use super::contains_folded;

    /// The same answers as lower-casing a copy, in ASCII and in other scripts.
    #[test]
    fn the_filter_matches_like_lower_casing() {
        let names = [
            "GlowWithMia",
            "coach.tomi",
            "ÉLODIE_live",
            "さくら_shop",
            "",
            "a",
            "aaAb",
            "xAx",
            "b",
        ];
        let needles = [
            "",
            "a",
            "aab",
            "ab",
            "ax",
            "b",
            "mia",
            "glowwithmia!",
            "élo",
            "さくら",
            "A".repeat(30).as_str(),
        ]
        .map(str::to_lowercase);
        for hay in names {
            for needle in &needles {
                assert_eq!(
                    contains_folded(hay, needle),
                    hay.to_lowercase().contains(needle.as_str()),
                    "{hay:?} {needle:?}"
                );
            }
        }
        assert!(contains_folded("GlowWithMia", "withm"));
        assert!(!contains_folded("coach.tomi", "mia"));
    }
}
