//! JSON bodies and messages: first what the trigger's JSON Schema describes, then broken —
//! required fields missing, `null`, wrong types, duplicated keys, NoSQL operators where strings
//! belong, prototype-polluting keys, deep nesting, boundary numbers. Bodies are built as text so
//! that what `serde_json::Value` cannot hold (duplicate keys, out-of-range numbers) can be sent.

use arbitrary::Result;
use serde_json::Value;

use crate::hostile::Hostile;
use crate::payload::{Family, Role};

/// A JSON document that may hold duplicate keys and numbers of any size.
#[derive(Debug, Clone, PartialEq)]
pub enum Json {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A number, written as is.
    Number(String),
    /// A string.
    String(String),
    /// An array.
    Array(Vec<Json>),
    /// An object, in order, duplicates allowed.
    Object(Vec<(String, Json)>),
    /// Text written as is (deeply nested arrays, built flat so nothing recurses over them).
    Raw(String),
}

impl Json {
    /// The document as JSON text.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            Json::Null => out.push_str("null"),
            Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Json::Number(n) | Json::Raw(n) => out.push_str(n),
            Json::String(s) => out.push_str(&Value::String(s.clone()).to_string()),
            Json::Array(items) => {
                out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write(out);
                }
                out.push(']');
            }
            Json::Object(fields) => {
                out.push('{');
                for (i, (key, value)) in fields.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::String(key.clone()).to_string());
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// A body for the plan: from its schema when it has one, otherwise a typical object; then, one
/// time in three, broken in one way.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn document(h: &mut Hostile<'_, '_>) -> Result<Json> {
    let mut doc = match h.plan().schema() {
        Some(schema) => from_schema(h, schema, "", 0)?,
        None => typical(h)?,
    };
    // One document in three is broken: the others carry their payloads to code past the parser.
    if h.choice(3)? == 2 {
        doc = broken(h, doc)?;
    }
    Ok(doc)
}

/// A body as text; sometimes not JSON at all.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn text(h: &mut Hostile<'_, '_>) -> Result<String> {
    Ok(match h.choice(12)? {
        10 => h.arbitrary_text()?,
        11 => h.payload_of(Family::Xxe)?,
        _ => document(h)?.to_text(),
    })
}

fn role_of(name: &str, schema: &Value) -> Role {
    let name = name.to_ascii_lowercase();
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    if format == "uri"
        || ["url", "uri", "callback", "webhook", "endpoint", "link"]
            .iter()
            .any(|w| name.contains(w))
    {
        Role::Url
    } else if format == "email" || name.contains("email") {
        Role::Email
    } else if ["key", "file", "path", "prefix", "folder", "filename"]
        .iter()
        .any(|w| name.contains(w))
    {
        Role::Key
    } else if name == "id" || name.ends_with("id") || name.ends_with("_id") {
        Role::Id
    } else {
        Role::Text
    }
}

fn realistic_string(name: &str, schema: &Value) -> String {
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first
            .as_str()
            .map_or_else(|| first.to_string(), str::to_owned);
    }
    if let Some(example) = schema
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
        .and_then(Value::as_str)
    {
        return example.to_owned();
    }
    match role_of(name, schema) {
        Role::Url => "https://shop.example/a".to_owned(),
        Role::Email => "ana@example.com".to_owned(),
        Role::Key => "photos/review-1.jpg".to_owned(),
        Role::Id => "c0ffee-42".to_owned(),
        _ => match schema.get("format").and_then(Value::as_str) {
            Some("date-time") => "2026-11-23T10:00:00Z".to_owned(),
            Some("date") => "2026-11-23".to_owned(),
            _ => "hello".to_owned(),
        },
    }
}

fn type_of(schema: &Value) -> &str {
    match schema.get("type") {
        Some(Value::String(t)) => t,
        Some(Value::Array(types)) => types.iter().find_map(Value::as_str).unwrap_or("string"),
        _ if schema.get("properties").is_some() => "object",
        _ if schema.get("enum").is_some() => "string",
        _ => "string",
    }
}

/// A value following `schema` (the usual keywords: type, properties, required, items, enum,
/// minimum/maximum, maxItems), with hostile strings and numbers in its leaves.
fn from_schema(h: &mut Hostile<'_, '_>, schema: &Value, name: &str, depth: usize) -> Result<Json> {
    if depth > 8 {
        return Ok(Json::Null);
    }
    Ok(match type_of(schema) {
        "object" => {
            let mut fields = Vec::new();
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if let Some(Value::Object(properties)) = schema.get("properties") {
                for (key, sub) in properties {
                    // Optional fields come and go.
                    if !required.contains(&key.as_str()) && h.choice(3)? == 2 {
                        continue;
                    }
                    fields.push((key.clone(), from_schema(h, sub, key, depth + 1)?));
                }
            }
            Json::Object(fields)
        }
        "array" => {
            let items = schema.get("items").cloned().unwrap_or(Value::Null);
            let max = schema
                .get("maxItems")
                .and_then(Value::as_u64)
                .map_or(4, |m| usize::try_from(m).unwrap_or(4))
                .clamp(1, 16);
            let min = schema
                .get("minItems")
                .and_then(Value::as_u64)
                .map_or(0, |m| usize::try_from(m).unwrap_or(0));
            // Choice 0 (the realistic value) is one item; then none, two, three…
            let n = match h.choice(max + 2)? {
                0 => 1,
                k => k - 1,
            }
            .max(min);
            let mut values = Vec::with_capacity(n);
            for _ in 0..n {
                values.push(from_schema(h, &items, name, depth + 1)?);
            }
            Json::Array(values)
        }
        "integer" | "number" => {
            let realistic = schema
                .get("minimum")
                .and_then(Value::as_i64)
                .map_or(1, |m| m.max(1))
                .to_string();
            let number = h.number(&realistic)?;
            // Non-numbers such as NaN travel as strings, the way a sloppy client sends them.
            if serde_json::from_str::<serde_json::Number>(&number).is_ok()
                || number.bytes().all(|b| b.is_ascii_digit() || b == b'-')
            {
                Json::Number(number)
            } else {
                Json::String(number)
            }
        }
        "boolean" => Json::Bool(h.choice(2)? == 0),
        "null" => Json::Null,
        _ => {
            let role = role_of(name, schema);
            Json::String(h.text(role, &realistic_string(name, schema))?)
        }
    })
}

/// An object with the fields handlers most often read.
fn typical(h: &mut Hostile<'_, '_>) -> Result<Json> {
    let mut fields = vec![
        (
            "id".to_owned(),
            Json::String(h.text(Role::Id, "c0ffee-42")?),
        ),
        (
            "name".to_owned(),
            Json::String(h.text(Role::Text, "Blue mug")?),
        ),
        ("quantity".to_owned(), Json::Number(h.number("1")?)),
    ];
    if h.choice(2)? == 1 {
        fields.push((
            "url".to_owned(),
            Json::String(h.text(Role::Url, "https://shop.example/a")?),
        ));
        fields.push((
            "key".to_owned(),
            Json::String(h.text(Role::Key, "photos/review-1.jpg")?),
        ));
    }
    Ok(Json::Object(fields))
}

/// One way of breaking a document.
fn broken(h: &mut Hostile<'_, '_>, doc: Json) -> Result<Json> {
    let Json::Object(mut fields) = doc else {
        return Ok(match h.choice(3)? {
            0 => Json::Null,
            1 => nested(h.count(4000)?),
            _ => doc,
        });
    };
    let at = h.choice(fields.len().max(1))?;
    match h.choice(9)? {
        0 if !fields.is_empty() => {
            fields.remove(at);
        }
        1 if !fields.is_empty() => fields[at].1 = Json::Null,
        2 if !fields.is_empty() => {
            let wrong = match &fields[at].1 {
                Json::String(_) => Json::Array(vec![Json::Number("1".to_owned())]),
                Json::Number(n) => Json::String(n.clone()),
                Json::Object(_) | Json::Array(_) | Json::Raw(_) => Json::String("x".to_owned()),
                Json::Bool(_) | Json::Null => Json::Object(Vec::new()),
            };
            fields[at].1 = wrong;
        }
        3 if !fields.is_empty() => {
            // Duplicate key: parsers disagree on which one wins.
            let (key, _) = fields[at].clone();
            let value = Json::String(h.payload(Role::Id)?);
            fields.push((key, value));
        }
        4 if !fields.is_empty() => {
            let operator = ["$ne", "$gt", "$regex", "$where"][h.choice(4)?];
            h.injected.push(operator.to_owned());
            fields[at].1 = Json::Object(vec![(operator.to_owned(), Json::String(String::new()))]);
        }
        5 => {
            let key = h.payload_of(Family::PrototypePollution)?;
            fields.push((
                key,
                Json::Object(vec![("isAdmin".to_owned(), Json::Bool(true))]),
            ));
        }
        6 if !fields.is_empty() => fields[at].1 = nested(h.count(4000)?),
        7 => fields.push((h.arbitrary_text()?, Json::String(h.payload(Role::Text)?))),
        _ => fields.clear(),
    }
    Ok(Json::Object(fields))
}

/// Arrays nested `depth` deep (serde_json gives up at 128, other parsers overflow their stack).
fn nested(depth: usize) -> Json {
    Json::Raw(format!("{}{}", "[".repeat(depth), "]".repeat(depth)))
}

#[cfg(test)]
mod tests {
    use arbitrary::Unstructured;

    use super::*;
    use crate::Plan;

    static ORDER: Plan = Plan {
        schema: Some(
            r#"{"type":"object","required":["productId","quantity"],
                "properties":{"productId":{"type":"string"},"quantity":{"type":"integer","minimum":1},
                "callbackUrl":{"type":"string","format":"uri"}}}"#,
        ),
        ..Plan::BASE
    };

    #[test]
    fn the_empty_input_follows_the_schema() {
        let mut u = Unstructured::new(&[]);
        let mut h = Hostile::new(&mut u, &ORDER);
        let doc: Value = serde_json::from_str(&text(&mut h).unwrap()).unwrap();
        assert_eq!(doc["quantity"], 1);
        assert_eq!(doc["productId"], "c0ffee-42");
        assert_eq!(doc["callbackUrl"], "https://shop.example/a");
    }

    #[test]
    fn bodies_break_the_schema_in_every_way() {
        let (mut missing, mut duplicate, mut operator, mut ssrf) = (false, false, false, false);
        for seed in 0..2000u32 {
            {
                let mut state = seed.wrapping_mul(2_654_435_761) | 1;
                let data: Vec<u8> = (0..64)
                    .map(|_| {
                        state ^= state << 13;
                        state ^= state >> 17;
                        state ^= state << 5;
                        state.to_le_bytes()[0]
                    })
                    .collect();
                let mut u = Unstructured::new(&data);
                let mut h = Hostile::new(&mut u, &ORDER);
                let body = text(&mut h).unwrap();
                duplicate |= body.matches("\"productId\"").count() > 1
                    || body.matches("\"quantity\"").count() > 1;
                missing |= body.starts_with('{') && !body.contains("\"productId\"");
                operator |= body.contains("\"$ne\"") || body.contains("\"$regex\"");
                ssrf |= body.contains("169.254.169.254");
            }
        }
        assert!(
            missing && duplicate && operator && ssrf,
            "{missing} {duplicate} {operator} {ssrf}"
        );
    }

    #[test]
    fn text_is_valid_json_with_escapes() {
        let doc = Json::Object(vec![
            ("a\"b".to_owned(), Json::String("\u{0}\n".to_owned())),
            (
                "a\"b".to_owned(),
                Json::Number("18446744073709551616".to_owned()),
            ),
        ]);
        assert_eq!(
            doc.to_text(),
            r#"{"a\"b":"\u0000\n","a\"b":18446744073709551616}"#
        );
    }
}
