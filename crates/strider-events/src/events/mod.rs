//! One generator per trigger kind, each building the `aws_lambda_events` type a handler of that
//! trigger receives (`Default`, then field by field: the types are `#[non_exhaustive]`), with the
//! quirks of the real service.

pub mod cognito;
pub mod http;
pub mod invoke;
pub mod iot;
pub mod messaging;
pub mod ses;
pub mod storage;
pub mod websocket;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;

use crate::hostile::Hostile;

/// A generator whose event is returned as JSON.
pub type JsonGenerator = fn(&mut Hostile<'_, '_>) -> Option<Value>;

fn json<T: Serialize>(event: arbitrary::Result<T>) -> Option<Value> {
    serde_json::to_value(event.ok()?).ok()
}

/// Every generator by its path in this crate (`events::storage::s3`), for tools that choose one
/// by name and want its event as JSON (`strider fuzz init` writes each target's realistic event).
pub const GENERATORS: &[(&str, JsonGenerator)] = &[
    ("events::http::rest", |h| json(http::rest(h))),
    ("events::http::http_api", |h| json(http::http_api(h))),
    ("events::http::function_url", |h| {
        json(http::function_url(h))
    }),
    ("events::http::function_url_as_http_api", |h| {
        json(http::function_url_as_http_api(h))
    }),
    ("events::http::alb", |h| json(http::alb(h))),
    ("events::storage::s3", |h| json(storage::s3(h))),
    ("events::storage::dynamodb_stream", |h| {
        json(storage::dynamodb_stream(h))
    }),
    ("events::messaging::sqs", |h| json(messaging::sqs(h))),
    ("events::messaging::sns", |h| json(messaging::sns(h))),
    ("events::messaging::kinesis", |h| {
        json(messaging::kinesis(h))
    }),
    ("events::messaging::eventbridge", |h| {
        json(messaging::eventbridge(h))
    }),
    ("events::messaging::schedule", |h| {
        json(messaging::schedule(h))
    }),
    ("events::cognito::pre_signup", |h| {
        json(cognito::pre_signup(h))
    }),
    ("events::cognito::pre_authentication", |h| {
        json(cognito::pre_authentication(h))
    }),
    ("events::cognito::post_authentication", |h| {
        json(cognito::post_authentication(h))
    }),
    ("events::cognito::pre_token_generation", |h| {
        json(cognito::pre_token_generation(h))
    }),
    ("events::cognito::post_confirmation", |h| {
        json(cognito::post_confirmation(h))
    }),
    ("events::websocket::request", |h| {
        json(websocket::request(h))
    }),
    ("events::iot::rule", |h| iot::rule(h).ok()),
    ("events::ses::receipt", |h| json(ses::receipt(h))),
    ("events::invoke::payload", |h| invoke::payload(h).ok()),
];

/// The generator named `path`.
#[must_use]
pub fn by_name(path: &str) -> Option<JsonGenerator> {
    GENERATORS
        .iter()
        .find(|(name, _)| *name == path)
        .map(|(_, g)| *g)
}

/// Region of every generated event.
pub const REGION: &str = "eu-west-1";
/// Account of every generated event.
pub const ACCOUNT: &str = "123456789012";

/// A fixed instant (2026-11-23T10:00:00Z), so that the same input gives the same event.
#[must_use]
pub fn event_time() -> DateTime<Utc> {
    DateTime::from_timestamp(1_795_428_000, 0).unwrap_or_default()
}

/// An ARN of a resource in the event's region and account.
#[must_use]
pub fn arn(service: &str, resource: &str) -> String {
    format!("arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}")
}

/// An id in UUID form, derived from a counter so events are deterministic.
#[must_use]
pub fn uuid(n: usize) -> String {
    format!("0c0ffee0-{:04x}-4000-8000-{:012x}", n % 0xffff, n)
}

/// `text` cut to at most `max` bytes, at a character boundary.
#[must_use]
pub fn within(mut text: String, max: usize) -> String {
    text.truncate(text.floor_char_boundary(max));
    text
}

/// Ids of a batch of `n` records: distinct, except that with some inputs one repeats (at-least-once
/// delivery sends a message twice; handlers must be idempotent and report failures by id).
///
/// # Errors
/// As [`Hostile::choice`].
pub fn batch_ids(h: &mut Hostile<'_, '_>, n: usize) -> arbitrary::Result<Vec<String>> {
    let mut ids: Vec<String> = (0..n).map(uuid).collect();
    if n > 1 && h.rarely(4)? {
        let from = h.choice(n)?;
        let to = h.choice(n)?;
        ids[to] = ids[from].clone();
    }
    Ok(ids)
}

/// Test inputs: `len` bytes of a xorshift sequence from `seed`, the same on every run.
#[cfg(test)]
pub(crate) fn seeded(seed: u16, len: usize) -> Vec<u8> {
    let mut state = u32::from(seed).wrapping_mul(2_654_435_761).max(1);
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state.to_le_bytes()[0]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use arbitrary::Unstructured;

    use super::*;
    use crate::Plan;

    #[test]
    fn every_generator_gives_a_realistic_event_on_the_empty_input() {
        for (name, generate) in GENERATORS {
            let mut u = Unstructured::new(&[]);
            let event = generate(&mut Hostile::new(&mut u, &Plan::BASE));
            assert!(
                event.as_ref().is_some_and(Value::is_object),
                "{name}: {event:?}"
            );
        }
        assert!(by_name("events::storage::s3").is_some());
        assert!(by_name("events::nope").is_none());
    }
}
