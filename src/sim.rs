//! The demo feed simulator.
