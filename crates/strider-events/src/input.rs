//! The fuzz input of a generated target: bytes that drive a generator, so every event sent has
//! the shape the service gives it (mutated JSON would send events no service sends, and their
//! crashes would be noise). Findings are replayed from their event JSON with [`replay`].
//! When `STRIDER_EVENT_OUT` names a file, the event about to be sent is written there as JSON
//! with the payloads it carries: that is how `strider fuzz run` turns a crashing input into a
//! readable reproducer.

use arbitrary::Unstructured;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::Plan;
use crate::hostile::Hostile;

/// An event ready to send, with the payloads it carries.
#[derive(Debug, Clone)]
pub struct Decoded<T> {
    /// The event.
    pub event: T,
    /// The payloads the generator put into it.
    pub injected: Vec<String>,
}

/// Decodes a fuzz input into an event; `None` when the generator gives up, which the target
/// skips.
pub fn decode<T, G>(data: &[u8], plan: &Plan, generate: G) -> Option<Decoded<T>>
where
    T: Serialize,
    G: FnOnce(&mut Hostile<'_, '_>) -> arbitrary::Result<T>,
{
    // Looked up once per process: the environment does not change during a campaign.
    static EVENT_OUT: std::sync::OnceLock<Option<std::ffi::OsString>> = std::sync::OnceLock::new();
    let mut u = Unstructured::new(data);
    let mut h = Hostile::new(&mut u, plan);
    let event = generate(&mut h).ok()?;
    let decoded = Decoded {
        event,
        injected: h.injected,
    };
    if let Some(path) = EVENT_OUT.get_or_init(|| std::env::var_os("STRIDER_EVENT_OUT")) {
        let record = reproducer(&decoded.event, &decoded.injected);
        // The dump is a debugging aid of `strider fuzz run`; failing to write it must not hide the
        // crash being reproduced.
        let _ = std::fs::write(path, serde_json::to_vec_pretty(&record).unwrap_or_default());
    }
    Some(decoded)
}

/// The reproducer record of an event: `{"event": …, "injected": […]}`, keys sorted.
pub fn reproducer<T: Serialize>(event: &T, injected: &[String]) -> Value {
    json!({
        "event": serde_json::to_value(event).unwrap_or(Value::Null),
        "injected": injected,
    })
}

/// Reads a reproducer (or a bare event) back, for replaying a finding in a regression test.
///
/// # Errors
/// When the text is not a reproducer of this event type.
pub fn replay<T: DeserializeOwned>(text: &str) -> Result<Decoded<T>, serde_json::Error> {
    let value: Value = serde_json::from_str(text)?;
    let (event, injected) = match value.get("event") {
        Some(event) => (
            event.clone(),
            value
                .get("injected")
                .cloned()
                .unwrap_or(Value::Array(Vec::new())),
        ),
        None => (value, Value::Array(Vec::new())),
    };
    Ok(Decoded {
        event: serde_json::from_value(event)?,
        injected: serde_json::from_value(injected)?,
    })
}

#[cfg(test)]
mod tests {
    use aws_lambda_events::sqs::SqsEvent;

    use super::*;
    use crate::events::messaging::sqs;

    #[test]
    fn generated_events_replay_to_the_same_event() {
        for seed in 0..64 {
            // Not `{`, which a reproducer starts with.
            let mut data = crate::events::seeded(seed, 48);
            data.retain(|b| *b != b'{');
            let decoded = decode(&data, &Plan::BASE, sqs).unwrap();
            let text = reproducer(&decoded.event, &decoded.injected).to_string();
            let back: Decoded<SqsEvent> = replay(&text).unwrap();
            assert_eq!(back.event, decoded.event);
            assert_eq!(back.injected, decoded.injected);
        }
    }

    #[test]
    fn bare_events_replay_too_and_other_json_is_an_error() {
        let event = r#"{"Records":[{"messageId":"m1","body":"{}"}]}"#;
        let decoded: Decoded<SqsEvent> = replay(event).unwrap();
        assert_eq!(decoded.event.records[0].message_id.as_deref(), Some("m1"));
        assert!(decoded.injected.is_empty());
        assert!(replay::<SqsEvent>(r#"{"Records": 5}"#).is_err());
    }

    #[test]
    fn inputs_starting_like_json_are_generator_bytes_too() {
        let decoded = decode(b"{\"Records\": 5}", &Plan::BASE, sqs).unwrap();
        assert!(!decoded.event.records.is_empty());
    }
}
