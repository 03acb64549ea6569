//! traveler: a shop-floor execution terminal.
//!
//! `domain` holds the rules (pure), `store` the SQLite persistence and audit
//! trail, `cli` the command line, `app` and `ui` the terminal, `demo` the
//! seeded demo database. Every change goes domain -> store.
pub mod analytics;
pub mod app;
pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod domain;
pub mod export;
pub mod generate;
pub mod procedure_file;
pub mod store;
pub mod ui;
