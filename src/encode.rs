//! Canonical CSV/NDJSON writing of events (simulator output, exports).
