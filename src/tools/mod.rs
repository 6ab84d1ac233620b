//! Operator tools: the synthetic data generator, the accuracy evaluation and
//! the benchmarks. They use the service like any other shell.

pub mod bench;
pub mod eval;
pub mod generate;
