//! Registrar: a Master Person Index workstation.
//!
//! The crate is layered so that every rule lives in exactly one place:
//!
//! * [`core`]: the domain model, seed 002's validation rules, identifier
//!   formats. Pure functions, no I/O.
//! * [`store`]: SQLite (bundled) with WAL, foreign keys and in-place
//!   migrations. Tables, not rules.
//! * [`service`]: the registry service: every operation of the seeds as a
//!   function over the store, each write in one transaction.
//! * [`api`]: the JSON router `(method, path, body) -> (status, JSON)` that
//!   the CLI and the hub mount.
//! * [`gui`] and [`cli`]: shells. They translate; they hold no rules.
//!
//! See ARCHITECTURE.md for a map.

pub mod api;
pub mod cli;
pub mod core;
pub mod gui;
pub mod hub;
pub mod i18n;
pub mod service;
pub mod store;
pub mod sync;
pub mod tools;
