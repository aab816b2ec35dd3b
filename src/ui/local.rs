//! The engine and the dashboard state on one thread, for tests and
//! benches: every action that asks for a new view gets it at once, from the
//! same `View::compute` the live dashboard's engine thread runs.

use super::app::{Action, App, View};
use crate::engine::{Engine, Scope};
use crate::feed::Sources;
use crate::model::TsMs;

pub struct Local {
    pub engine: Engine,
    pub sources: Sources,
    pub app: App,
}

impl Local {
    pub fn new(engine: Engine, sources: Sources, scope: Scope) -> Local {
        let app = App::new(scope, engine.cfg.attribution_window_ms);
        Local {
            engine,
            sources,
            app,
        }
    }

    /// Compute a view for the app's query and offer it (a paused app keeps
    /// its frozen view).
    pub fn refresh(&mut self, events_per_sec: f64, wall_now_ms: TsMs) {
        let v = View::compute(
            &self.engine,
            &self.sources,
            &self.app.query(),
            events_per_sec,
            wall_now_ms,
        );
        self.app.accept(v);
    }

    /// Apply an action; a changed window or detail is answered at once.
    pub fn act(&mut self, a: Action) -> bool {
        let redraw = self.app.act(a);
        if self.app.awaiting {
            let (eps, lag) = self
                .app
                .view
                .as_ref()
                .map_or((0.0, None), |v| (v.events_per_sec, v.lag_ms));
            let wall = self.engine.now.unwrap_or(0) + lag.unwrap_or(0);
            self.refresh(eps, wall);
        }
        redraw
    }
}

impl std::ops::Deref for Local {
    type Target = App;
    fn deref(&self) -> &App {
        &self.app
    }
}

impl std::ops::DerefMut for Local {
    fn deref_mut(&mut self) -> &mut App {
        &mut self.app
    }
}
