//! One generator per trigger kind, each building the `aws_lambda_events` type a handler of that
//! trigger receives (`Default`, then field by field: the types are `#[non_exhaustive]`), with the
//! quirks of the real service.

pub mod cognito;
pub mod http;
pub mod messaging;
pub mod storage;

use chrono::{DateTime, Utc};

use crate::hostile::Hostile;

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
