//! strider: threat modeling and event-injection fuzzing for serverless systems, from one YAML model.
//!
//! Layers, one way: [`model`] (load, validate) → [`graph`] (data-flow graph, diagrams) →
//! [`rules`] → [`scoring`] → [`assessment`].
//! [`output`] is the one file writer; [`cli`] is the only place that prints.

pub mod assessment;
pub mod cli;
pub mod compliance;
pub mod diff;
pub mod drift;
pub mod escape;
pub mod files;
pub mod findings;
pub mod fuzz;
pub mod generate;
pub mod graph;
pub mod iam;
pub mod import;
pub mod model;
pub mod output;
pub mod report;
pub mod rules;
pub mod scoring;
pub mod unique;
