//! AWS IoT Core rule actions: a device publishes an MQTT message, the topic rule's SQL
//! (`SELECT *, topic(2) AS deviceId FROM 'devices/+/telemetry'`) selects a JSON document from it,
//! and Lambda receives that document as it is. Quirks: every field comes from the device,
//! including the topic segments and client id the SQL copies in (a device may publish under any
//! name its policy allows); a binary message reaches Lambda only base64-encoded
//! (`SELECT encode(*, 'base64') AS data`); IoT Core takes messages of up to 128 KB, topics of up
//! to 256 bytes and client ids of up to 128.

use arbitrary::Result;
use base64::Engine;
use serde_json::{Map, Value};

use super::invoke;
use super::within;
use crate::hostile::Hostile;
use crate::payload::Role;

/// The largest MQTT message IoT Core accepts.
pub const MAX_MESSAGE: usize = 128 * 1024;
/// The longest MQTT topic.
pub const MAX_TOPIC: usize = 256;
/// The longest MQTT client id.
pub const MAX_CLIENT_ID: usize = 128;

/// A sensor's reading, the document a rule without a schema most often selects, at most `room`
/// bytes.
fn telemetry(h: &mut Hostile<'_, '_>, room: &mut usize) -> Result<Value> {
    let mut fields = Map::new();
    *room = room.saturating_sub(2);
    let device = within(h.text(Role::Id, "sensor-42")?, MAX_CLIENT_ID);
    fields.insert("deviceId".to_owned(), invoke::string(device, room));
    for (key, realistic) in [
        ("temperature", "21.5"),
        ("humidity", "40"),
        ("battery", "97"),
    ] {
        if *room < key.len() + 8 {
            break;
        }
        *room -= key.len() + 4;
        let value = invoke::number(h.number(realistic)?, room);
        fields.insert(key.to_owned(), value);
    }
    Ok(Value::Object(fields))
}

/// The fields a rule's SQL adds to what the device sent (`topic()`, `clientid()`,
/// `timestamp()`), with the device's own names in them; `None` when they add nothing.
fn rule_fields(h: &mut Hostile<'_, '_>) -> Result<Option<Vec<(&'static str, Value)>>> {
    if h.choice(3)? == 0 {
        return Ok(None);
    }
    let thing = h.text(Role::Id, "sensor-42")?;
    let topic = within(format!("devices/{thing}/telemetry"), MAX_TOPIC);
    let client = within(h.text(Role::Id, "sensor-42")?, MAX_CLIENT_ID);
    Ok(Some(vec![
        ("topic", Value::String(topic)),
        ("clientId", Value::String(client)),
        ("timestamp", Value::from(1_795_428_000_000_i64)),
    ]))
}

/// The document a topic rule sends to Lambda: what the plan's schema describes, or a sensor's
/// reading, or any JSON a device may publish; sometimes with the topic and client id the SQL
/// adds, or a binary message base64-encoded. At most the plan's body limit ([`MAX_MESSAGE`] for
/// the targets `strider fuzz init` writes).
///
/// # Errors
/// As [`Hostile::choice`].
pub fn rule(h: &mut Hostile<'_, '_>) -> Result<Value> {
    let limit = h.plan().max_body.min(h.budget());
    let mut room = limit;
    let mut value = if h.plan().schema().is_some() {
        if h.rarely(8)? {
            invoke::other(h, limit)?
        } else {
            let (value, len) = invoke::document(h, limit)?;
            room -= len.min(room);
            value
        }
    } else {
        match h.choice(8)? {
            0..=3 => telemetry(h, &mut room)?,
            4..=5 => {
                let (value, len) = invoke::document(h, limit)?;
                room -= len.min(room);
                value
            }
            6 => {
                // `SELECT encode(*, 'base64') AS data` over a binary message.
                let mut bytes = h.arbitrary_bytes()?;
                bytes.truncate(limit.saturating_sub(16) / 4 * 3);
                let data = base64::engine::general_purpose::STANDARD.encode(bytes);
                let mut fields = Map::new();
                fields.insert("data".to_owned(), Value::String(data));
                Value::Object(fields)
            }
            _ => invoke::other(h, limit)?,
        }
    };
    if let (Value::Object(fields), Some(added)) = (&mut value, rule_fields(h)?) {
        let cost: usize = added
            .iter()
            .map(|(k, v)| k.len() + v.to_string().len() + 4)
            .sum();
        // A document at the limit gets nothing more: IoT Core would have refused the message.
        if cost <= room {
            for (key, field) in added {
                fields.insert(key.to_owned(), field);
            }
        }
    }
    h.spend(limit - room);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use arbitrary::Unstructured;

    use super::*;
    use crate::Plan;
    use crate::events::seeded;

    static RULE: Plan = Plan {
        source: "telemetry-rule",
        max_body: MAX_MESSAGE,
        ..Plan::BASE
    };

    #[test]
    fn the_empty_input_is_a_sensor_reading() {
        let mut u = Unstructured::new(&[]);
        let value = rule(&mut Hostile::new(&mut u, &RULE)).unwrap();
        assert_eq!(value["deviceId"], "sensor-42");
        assert_eq!(value["temperature"], 21.5);
        assert!(value.get("topic").is_none(), "{value}");
    }

    #[test]
    fn a_schema_gives_its_document() {
        static SCHEMA: Plan = Plan {
            schema: Some(
                r#"{"type":"object","required":["serial"],"properties":{"serial":{"type":"string"}}}"#,
            ),
            ..RULE
        };
        let mut u = Unstructured::new(&[]);
        let value = rule(&mut Hostile::new(&mut u, &SCHEMA)).unwrap();
        assert_eq!(value, serde_json::json!({"serial": "hello"}));
    }

    #[test]
    fn documents_stay_within_the_message_limit_and_carry_payloads() {
        let mut carried = 0;
        let mut topics = 0;
        for seed in 0..500 {
            let data = seeded(seed, 4096);
            let mut u = Unstructured::new(&data);
            let mut h = Hostile::new(&mut u, &RULE);
            let value = rule(&mut h).unwrap();
            carried += usize::from(!h.injected.is_empty());
            topics += usize::from(value.get("topic").is_some());
            let text = value.to_string();
            assert!(text.len() <= MAX_MESSAGE, "{} bytes", text.len());
            if let Some(topic) = value.get("topic").and_then(Value::as_str) {
                assert!(topic.len() <= MAX_TOPIC);
            }
        }
        assert!(carried > 100, "{carried} of 500");
        assert!(topics > 50, "{topics} of 500");
    }
}
