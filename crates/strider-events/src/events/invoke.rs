//! Direct invocations: another function, a script or a client calls `Invoke` with a JSON payload
//! of its choosing, which the handler receives as it was sent. Quirks: nothing checks the payload
//! against anything — a caller may send the document the model's schema describes, a broken one,
//! or any other JSON value (a string, a number, `null`, an array); the Lambda runtime parses it
//! before the handler runs, so a document it cannot parse (nesting past 128 levels, a number out
//! of range) never reaches a handler; Lambda takes 6 MB synchronously and 256 KB asynchronously.

use arbitrary::Result;
use serde_json::{Map, Number, Value};

use crate::body::{self, Json};
use crate::hostile::Hostile;
use crate::payload::Role;

/// `text` as a JSON string taking at most `room` bytes, cut at a character boundary; `room`
/// is charged what it takes (see [`body::string`]).
pub fn string(text: String, room: &mut usize) -> Value {
    match body::string(text, room) {
        Json::String(text) => Value::String(text),
        _ => Value::Null,
    }
}

/// A number as a caller sends it: a JSON number when it is one, else the text as a string (a
/// sloppy client's `"NaN"`); charged to `room`.
pub fn number(text: String, room: &mut usize) -> Value {
    match serde_json::from_str::<Number>(&text) {
        Ok(n) if text.len() <= *room => {
            *room -= text.len();
            Value::Number(n)
        }
        _ => string(text, room),
    }
}

/// The deepest nesting serde_json parses (what the Rust Lambda runtime reads a payload with).
const MAX_NESTING: usize = 127;

/// Whether the runtime's parser takes the document's text: numbers it can represent, nesting it
/// does not refuse. `nesting` counts the arrays and objects around `json`.
fn parses(json: &Json, nesting: usize) -> bool {
    match json {
        Json::Null | Json::Bool(_) | Json::String(_) => true,
        Json::Number(n) => serde_json::from_str::<Number>(n).is_ok(),
        Json::Raw(text) => {
            nesting + text.bytes().take_while(|b| *b == b'[').count() <= MAX_NESTING
                && serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok()
        }
        Json::Array(items) => nesting < MAX_NESTING && items.iter().all(|i| parses(i, nesting + 1)),
        Json::Object(fields) => {
            nesting < MAX_NESTING && fields.iter().all(|(_, v)| parses(v, nesting + 1))
        }
    }
}

/// The value the runtime's parser makes of a document [`parses`] accepts, without writing and
/// parsing its text (a long string is moved, not escaped and read back): the last of repeated
/// keys wins, as it does in the parser.
fn into_value(json: Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(b),
        Json::Number(n) => serde_json::from_str::<Number>(&n).map_or(Value::Null, Value::Number),
        Json::String(s) => Value::String(s),
        Json::Raw(text) => serde_json::from_str(&text).unwrap_or(Value::Null),
        Json::Array(items) => Value::Array(items.into_iter().map(into_value).collect()),
        Json::Object(fields) => {
            let mut map = Map::new();
            for (key, value) in fields {
                map.insert(key, into_value(value));
            }
            Value::Object(map)
        }
    }
}

/// A JSON document for the plan (from its schema, or a typical object; sometimes broken) as the
/// Lambda runtime hands it over, with (at least) the length of the text the caller sent. A
/// document the runtime would refuse arrives as the caller's text in a JSON string (cut to
/// `limit`), which a caller may also send.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn document(h: &mut Hostile<'_, '_>, limit: usize) -> Result<(Value, usize)> {
    let before = h.budget();
    let doc = body::document(h)?;
    // The document is charged to the event's budget what its text takes.
    let len = before - h.budget();
    if parses(&doc, 0) {
        return Ok((into_value(doc), len));
    }
    let mut room = limit;
    let value = string(doc.to_text(), &mut room);
    Ok((value, limit - room))
}

/// Any JSON value a caller may send instead of the expected document, at most `limit` bytes
/// long: a string, a number, `null`, a boolean, an array of documents, or an object keyed by the
/// names the handler may read.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn other(h: &mut Hostile<'_, '_>, limit: usize) -> Result<Value> {
    let mut room = limit;
    Ok(match h.choice(6)? {
        0 => string(h.text(Role::Text, "hello")?, &mut room),
        1 => number(h.number("1")?, &mut room),
        2 => Value::Null,
        3 => Value::Bool(h.choice(2)? == 1),
        4 => {
            // Documents while they fit, as a caller batching its requests sends them.
            room = room.saturating_sub(2);
            let mut items = Vec::new();
            for _ in 0..h.count(3)? {
                let (item, len) = document(h, limit)?;
                if len + 1 > room {
                    break;
                }
                room -= len + 1;
                items.push(item);
            }
            Value::Array(items)
        }
        _ => {
            room = room.saturating_sub(2);
            let mut fields = Map::new();
            let names = h.plan().names;
            for name in names.iter().take(16) {
                if body::json_len(name) + 3 > room {
                    break;
                }
                room -= body::json_len(name) + 2;
                let value = string(h.text(Role::Id, "c0ffee-42")?, &mut room);
                fields.insert((*name).to_owned(), value);
            }
            if fields.is_empty() {
                let value = string(h.payload(Role::Text)?, &mut room);
                fields.insert("input".to_owned(), value);
            }
            Value::Object(fields)
        }
    })
}

/// The payload of a direct invocation: the document the plan's schema describes (a typical
/// object without one), sometimes broken, and one time in eight any other JSON value; at most
/// the plan's body limit.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn payload(h: &mut Hostile<'_, '_>) -> Result<Value> {
    let limit = h.plan().max_body.min(h.budget());
    if h.rarely(8)? {
        return other(h, limit);
    }
    Ok(document(h, limit)?.0)
}

#[cfg(test)]
mod tests {
    use arbitrary::Unstructured;

    use super::*;
    use crate::Plan;
    use crate::events::seeded;
    use crate::hostile::EVENT_BYTES;

    static SCHEMA: &str = r#"{"type": "object", "required": ["orderId", "amount"],
        "properties": {"orderId": {"type": "string"}, "amount": {"type": "integer", "minimum": 1},
        "note": {"type": "string"}}}"#;

    static ORDER: Plan = Plan {
        schema: Some(SCHEMA),
        max_body: 6 * 1024 * 1024,
        ..Plan::BASE
    };

    #[test]
    fn the_empty_input_is_the_schemas_document() {
        let mut u = Unstructured::new(&[]);
        let value = payload(&mut Hostile::new(&mut u, &ORDER)).unwrap();
        assert_eq!(value["orderId"], "c0ffee-42");
        assert_eq!(value["amount"], 1);
        let mut u = Unstructured::new(&[]);
        let value = payload(&mut Hostile::new(&mut u, &Plan::BASE)).unwrap();
        assert!(value.is_object(), "{value}");
    }

    #[test]
    fn payloads_stay_within_the_limit_and_carry_payloads() {
        static SMALL: Plan = Plan {
            max_body: 4096,
            names: &["document_url", "version"],
            ..Plan::BASE
        };
        let mut carried = 0;
        let mut kinds = std::collections::HashSet::new();
        for plan in [&ORDER, &SMALL] {
            for seed in 0..300 {
                let data = seeded(seed, 2048);
                let mut u = Unstructured::new(&data);
                let mut h = Hostile::new(&mut u, plan);
                let value = payload(&mut h).unwrap();
                carried += usize::from(!h.injected.is_empty());
                let text = value.to_string();
                assert!(
                    text.len() <= plan.max_body.min(EVENT_BYTES),
                    "{} bytes",
                    text.len()
                );
                kinds.insert(std::mem::discriminant(&value));
                // What the runtime parses is what the handler gets.
                assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
            }
        }
        assert!(carried > 100, "{carried} of 600");
        assert!(kinds.len() >= 5, "{} JSON kinds", kinds.len());
    }

    #[test]
    fn the_names_the_handler_reads_become_fields() {
        static NAMED: Plan = Plan {
            names: &["document_url"],
            ..Plan::BASE
        };
        let found = (0..500).any(|seed| {
            let data = seeded(seed, 64);
            let mut u = Unstructured::new(&data);
            let value = payload(&mut Hostile::new(&mut u, &NAMED)).unwrap();
            value.get("document_url").is_some()
        });
        assert!(found);
    }

    #[test]
    fn documents_become_the_value_the_runtime_parses() {
        let cases = [
            Json::Object(vec![
                ("a".to_owned(), Json::Number("1".to_owned())),
                ("a".to_owned(), Json::String("x\ny".to_owned())),
                (
                    "b".to_owned(),
                    Json::Number("18446744073709551616".to_owned()),
                ),
                ("c".to_owned(), Json::Number("-0".to_owned())),
                ("d".to_owned(), Json::Raw("[[[]]]".to_owned())),
                (
                    "e".to_owned(),
                    Json::Array(vec![Json::Null, Json::Bool(true)]),
                ),
            ]),
            Json::Number("1e309".to_owned()),
            Json::Number("00012".to_owned()),
            Json::Raw(format!("{}{}", "[".repeat(127), "]".repeat(127))),
            Json::Array(vec![Json::Raw(format!(
                "{}{}",
                "[".repeat(127),
                "]".repeat(127)
            ))]),
        ];
        for json in cases {
            let text = json.to_text();
            let parsed = serde_json::from_str::<Value>(&text).ok();
            assert_eq!(parses(&json, 0), parsed.is_some(), "{text:.80}");
            if let Some(parsed) = parsed {
                assert_eq!(into_value(json), parsed, "{text:.80}");
            }
        }
    }

    #[test]
    fn strings_are_cut_to_their_room_at_character_boundaries() {
        let mut room = 8;
        assert_eq!(string("héllo wörld".to_owned(), &mut room), "héllo");
        assert_eq!(room, 0);
        let mut room = 5;
        assert_eq!(string("a\nb".to_owned(), &mut room), "a");
        let mut room = 100;
        assert_eq!(number("NaN".to_owned(), &mut room), "NaN");
        assert_eq!(number("12".to_owned(), &mut room), 12);
        assert_eq!(room, 100 - 5 - 2);
    }
}
