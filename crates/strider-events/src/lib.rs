//! Hostile, structure-aware AWS Lambda trigger events for fuzzing handlers.
//!
//! `strider fuzz init` writes one cargo-fuzz target per (function, trigger) of a model. Each
//! target holds a [`Plan`] — what the model says about the trigger: its kind, source, route,
//! batch size, the body's JSON Schema, the secrets the function holds and the sinks it writes
//! to — and turns libFuzzer's bytes into a typed `aws_lambda_events` event with the generators
//! of [`events`], choosing payloads per field from [`payload`]. [`oracle`] judges what the
//! handler did beyond panics; [`input`] decodes the fuzz input (generated event or event JSON)
//! and writes the event of a crash as JSON.

#![allow(
    clippy::assigning_clones,
    reason = "events are filled field by field from `Default`: there is no allocation to reuse"
)]

pub mod body;
pub mod events;
pub mod hostile;
pub mod input;
pub mod oracle;
pub mod pattern;
pub mod payload;
pub mod runtime;

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

pub use arbitrary;
pub use aws_lambda_events;
pub use hostile::Hostile;
pub use payload::{Family, Role};

/// What the model says about one (function, trigger) pair: everything a generator and the
/// oracles need. Generated targets declare one as a `static`, filling what they know and taking
/// the rest from [`Plan::BASE`].
#[derive(Debug)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent facts of the model about one trigger, each a yes or no"
)]
pub struct Plan {
    /// The function's id in the model.
    pub function: &'static str,
    /// Payload families for free text, most relevant first: the sinks the function writes to
    /// (a database gets SQL and NoSQL, a bucket traversal, a shell command injection).
    pub sinks: &'static [Family],
    /// The trigger's source (queue, topic, bucket, table, API id).
    pub source: &'static str,
    /// HTTP method of the route (`http`).
    pub method: &'static str,
    /// Route path (`http`), may hold `{param}` segments.
    pub path: &'static str,
    /// Largest batch the trigger delivers (`sqs`, `kinesis`, `dynamodb-stream`).
    pub batch_size: u32,
    /// Whether the handler reports partial batch failures.
    pub partial_failures: bool,
    /// SQS messages arrive in an SNS envelope (the queue is subscribed to a topic).
    pub sns_envelope: bool,
    /// Event names: S3 event types, Cognito trigger sources, EventBridge detail types.
    pub events: &'static [&'static str],
    /// JSON Schema of the body or message, as text.
    pub schema: Option<&'static str>,
    /// Names of the function's secrets and secret-holding variables: echoed, they are a finding.
    pub secrets: &'static [&'static str],
    /// The largest body or message the trigger accepts, in bytes.
    pub max_body: usize,
    /// HTTP APIs (payload 2.0) and function URLs take a response without `statusCode` as a 200
    /// JSON body; REST APIs and load balancers reject it.
    pub infers_status: bool,
    /// Names the handler may read, most relevant first: route parameters, the schema's property
    /// names, the names its source looks up, its other name-like literals. Generators use them
    /// for query parameters, headers, path parameters, body and message fields, message
    /// attributes and stream images, besides names read raw from the input.
    pub names: &'static [&'static str],
    /// Literals of the handler's source that are not looked up (tokens, enum words, commands):
    /// text fields and bodies are sometimes exactly one of them, so a comparison with a literal
    /// in the handler is reached without guessing its bytes.
    pub values: &'static [&'static str],
    /// The ARN of the trigger's source as the model names it (queue, topic, bucket, table
    /// stream, API), or empty when the model does not say.
    pub source_arn: &'static str,
    /// For messages that arrive through a topic (SNS, or SQS subscribed to SNS): the topic's ARN,
    /// or empty when the model does not say.
    pub topic_arn: &'static str,
    /// The keys of the data seeded in the emulated stores the function uses: id fields take
    /// them (a handler that takes ids looks them up), and so does a field whose `pattern` one of
    /// them matches.
    pub keys: &'static [&'static str],
    /// Who the event acts as when its route is behind an authorizer (the `sub` of its claims,
    /// a Lambda authorizer's `principalId`), empty when the route has none.
    pub caller: &'static str,
    /// The handler runs in its own runtime, where the canaries of [`runtime::canary`] are
    /// armed: payload families send their canary payloads half the time.
    pub canaries: bool,
}

impl Plan {
    /// A plan with nothing known: generators fall back to realistic defaults.
    pub const BASE: Plan = Plan {
        function: "function",
        sinks: &[],
        source: "source",
        method: "POST",
        path: "/",
        batch_size: 10,
        partial_failures: false,
        sns_envelope: false,
        events: &[],
        schema: None,
        secrets: &[],
        max_body: 256 * 1024,
        infers_status: false,
        names: &[],
        values: &[],
        source_arn: "",
        topic_arn: "",
        keys: &[],
        caller: "",
        canaries: false,
    };

    /// The body's schema, parsed once per process (an unparsable schema counts as none).
    #[must_use]
    pub fn schema(&self) -> Option<&'static serde_json::Value> {
        // Keyed by the text's address: schemas are statics, and hashing the text on every
        // execution would cost more than the lookup saves.
        type Parsed = HashMap<usize, Option<&'static serde_json::Value>>;
        static PARSED: OnceLock<Mutex<Parsed>> = OnceLock::new();
        let text = self.schema?;
        let mut parsed = PARSED
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *parsed.entry(text.as_ptr() as usize).or_insert_with(|| {
            let value: serde_json::Value = serde_json::from_str(text).ok()?;
            Some(&*Box::leak(Box::new(value)))
        })
    }
}
