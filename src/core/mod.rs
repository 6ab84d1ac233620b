//! The functional core: the domain model, the rules and the matcher.
//! Pure Rust: no I/O, no UI, no clock. Everything here is unit-tested.

pub mod golden;
pub mod ids;
pub mod matching;
pub mod model;
pub mod post_identity;
pub mod rules;
pub mod signing;
pub mod validate;
