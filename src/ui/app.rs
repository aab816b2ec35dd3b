//! Dashboard state and the actions keys map to. Everything the screen
//! shows is read from here; nothing here draws.

use crate::engine::snapshot::{CreatorRow, Snapshot};
use crate::engine::{Engine, Notable, Reject, Scope, sec};
use crate::feed::Sources;
use crate::model::TsMs;

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

/// What the panels draw: a snapshot plus the series and live figures
/// computed next to it. Frozen as a whole while paused.
#[derive(Debug, Clone)]
pub struct View {
    pub snap: Snapshot,
    /// Diamonds per bucket over the window, oldest first, and the bucket length.
    pub diamonds: Vec<u64>,
    pub orders: Vec<u64>,
    pub bucket_secs: i64,
    pub ticker: Vec<Notable>,
    pub rejects: Vec<Reject>,
    pub events_per_sec: f64,
    pub lag_ms: Option<i64>,
    pub sources: Sources,
}

pub struct App {
    pub engine: Engine,
    pub sources: Sources,
    pub view: Option<View>,
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
    pub fn new(engine: Engine, sources: Sources, scope: Scope) -> App {
        let attribution_label = crate::format::duration_ms(engine.cfg.attribution_window_ms);
        App {
            engine,
            sources,
            view: None,
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

    /// Recompute the view from the engine (unless paused).
    pub fn refresh(&mut self, events_per_sec: f64, wall_now_ms: TsMs) {
        if self.paused && self.view.is_some() {
            return;
        }
        let snap = self.engine.snapshot(self.scope, self.detail.as_deref());
        let (bucket_secs, diamonds, orders) = self.series();
        self.view = Some(View {
            snap,
            diamonds,
            orders,
            bucket_secs,
            ticker: self.ticker(),
            rejects: self.engine.rejects.iter().rev().cloned().collect(),
            events_per_sec,
            lag_ms: self.engine.now.map(|n| wall_now_ms - n),
            sources: self.sources.clone(),
        });
        self.keep_selection_valid();
    }

    /// Update the wall-clock figures (events/s, lag) without a new snapshot.
    pub fn touch(&mut self, events_per_sec: f64, wall_now_ms: TsMs) {
        if self.paused {
            return;
        }
        let lag = self.engine.now.map(|n| wall_now_ms - n);
        if let Some(v) = &mut self.view {
            v.events_per_sec = events_per_sec;
            v.lag_ms = lag;
        }
    }

    fn ticker(&self) -> Vec<Notable> {
        self.engine
            .ticker
            .iter()
            .filter(|n| self.detail.as_ref().is_none_or(|d| &n.creator == d))
            .cloned()
            .collect()
    }

    /// 60 buckets across the window (the last hour for `all`).
    fn series(&self) -> (i64, Vec<u64>, Vec<u64>) {
        let secs = match self.scope {
            Scope::Window(s) => s,
            Scope::All => crate::engine::HORIZON_SECS,
        };
        let n = 60usize;
        let step = (secs / n as i64).max(1);
        let mut d = vec![0u64; n];
        let mut o = vec![0u64; n];
        let Some(now) = self.engine.now else {
            return (step, d, o);
        };
        let end = sec(now);
        let start = end - step * n as i64 + 1;
        match &self.detail {
            None => {
                for (s, b) in self.engine.recent.iter_since(start) {
                    let i = ((s - start) / step) as usize;
                    if i < n {
                        d[i] += b.diamonds.max(0) as u64;
                        o[i] += b.paid.max(0) as u64;
                    }
                }
            }
            Some(c) => {
                if let Some(id) = self.engine.creators.id(c) {
                    for (s, b) in self.engine.creators.get(id).recent.iter_since(start) {
                        let i = ((s - start) / step) as usize;
                        if i < n {
                            d[i] += b.diamonds.max(0) as u64;
                        }
                    }
                }
                // orders are attributed at read time (inferred attribution
                // can change as gifts arrive), so they come from a scan
                for p in self.engine.paid_times(Some(c), start * 1000) {
                    let i = ((sec(p) - start) / step) as usize;
                    if i < n {
                        o[i] += 1;
                    }
                }
            }
        }
        (step, d, o)
    }

    /// Creator rows as shown: filtered, sorted, stable between refreshes.
    pub fn creator_rows(&self) -> Vec<&CreatorRow> {
        let mut rows = self.filtered_creators();
        rows.sort_by(|a, b| self.creator_order(a, b));
        rows
    }

    /// How many creators pass the filter.
    pub fn creator_count(&self) -> usize {
        self.filtered_creators().len()
    }

    fn filtered_creators(&self) -> Vec<&CreatorRow> {
        let Some(v) = &self.view else {
            return Vec::new();
        };
        let needle = self.filter.to_lowercase();
        v.snap
            .creators
            .iter()
            .filter(|r| needle.is_empty() || r.creator.to_lowercase().contains(&needle))
            .collect()
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
        let mut rows = self.filtered_creators();
        let sel_pos = self.selected.as_ref().and_then(|sel| {
            let sel_row = rows.iter().find(|r| &r.creator == sel)?;
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
        self.creator_rows().iter().position(|r| &r.creator == sel)
    }

    /// After every refresh: linear, no sort (it runs once per frame).
    fn keep_selection_valid(&mut self) {
        let rows = self.filtered_creators();
        let valid = self
            .selected
            .as_ref()
            .is_some_and(|s| rows.iter().any(|r| &r.creator == s));
        if !valid {
            let first = rows
                .into_iter()
                .min_by(|a, b| self.creator_order(a, b))
                .map(|r| r.creator.clone());
            self.selected = first;
        }
    }

    fn move_selection(&mut self, delta: isize, to_end: Option<bool>) {
        match self.focus {
            Focus::Creators => {
                let names: Vec<String> = self
                    .creator_rows()
                    .iter()
                    .map(|r| r.creator.clone())
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
                self.force_refresh();
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
                    self.force_refresh();
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
                    self.force_refresh();
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

    /// Scope or detail changed: recompute now even while paused, since the
    /// user asked for a different view of the same frozen moment.
    fn force_refresh(&mut self) {
        let (eps, lag) = self
            .view
            .as_ref()
            .map_or((0.0, None), |v| (v.events_per_sec, v.lag_ms));
        let was = self.paused;
        self.paused = false;
        let now = self.engine.now.unwrap_or(0) + lag.unwrap_or(0);
        self.refresh(eps, now);
        self.paused = was;
    }
}
