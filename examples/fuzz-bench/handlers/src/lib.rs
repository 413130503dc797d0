//! Handlers of strider's fuzzing benchmark (`examples/fuzz-bench/model.yaml`, run by
//! `.ci/bench-fuzz`).
//!
//! [`noop`] does nothing with any event: its targets measure what the harness itself costs
//! (executions per second) and how much coverage feedback comes from code that is not the
//! handler's. The other modules each hide one bug where the generator's realistic events never
//! lead:
//!
//! | handler | trigger | planted bug |
//! |---|---|---|
//! | [`magic_token`] | REST API | panics when the body is one 12-byte literal: found through the handler's comparisons |
//! | [`refund`] | HTTP API | three nested conditions on three JSON fields no schema names |
//! | [`documents`] | REST API | fetches `document_url`, a query parameter the model never names, without checking its scheme |
//! | [`versions`] | DynamoDB stream | steps back from the `version` of the new image, a field the model never names: version 0 underflows |

#![allow(
    clippy::missing_panics_doc,
    clippy::unused_async,
    clippy::needless_pass_by_value,
    reason = "handlers keep lambda_runtime's signatures (async, events by value); their panics are the planted bugs"
)]
#![allow(
    clippy::manual_assert,
    clippy::collapsible_if,
    reason = "each planted bug is written as the branch it stands for: a comparison, nested conditions"
)]

pub mod documents;
pub mod magic_token;
pub mod noop;
pub mod refund;
pub mod versions;

/// The error type of every handler.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
