//! strider: threat modeling and event-injection fuzzing for serverless systems, from one YAML model.
//!
//! Layers, one way: [`model`] (load, validate) → [`graph`] (data-flow graph, diagrams).
//! [`output`] is the one file writer; [`cli`] is the only place that prints.

pub mod cli;
pub mod generate;
pub mod graph;
pub mod model;
pub mod output;
