//! JSON bodies and messages: first what the trigger's JSON Schema describes, then broken —
//! required fields missing, `null`, wrong types, duplicated keys, NoSQL operators where strings
//! belong, prototype-polluting keys, deep nesting, boundary numbers. Bodies are built as text so
//! that what `serde_json::Value` cannot hold (duplicate keys, out-of-range numbers) can be sent.
//! Whatever sizes a schema asks for (`minItems: 1e11`, nesting, `$ref`s to itself), a document
//! stays within the plan's body limit: every value is charged the bytes it adds to the text.

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
            Json::String(s) => write_string(s, out),
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
                    write_string(key, out);
                    out.push(':');
                    value.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Writes `text` as a JSON string, escaped exactly as serde_json escapes it: runs that need no
/// escape are copied whole, so a long value costs one copy (the hot path of every body).
fn write_string(text: &str, out: &mut String) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.reserve(text.len() + 2);
    out.push('"');
    let mut start = 0;
    for (i, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0x00..=0x1f => "",
            _ => continue,
        };
        // Every escaped byte is ASCII, so `i` is a character boundary.
        out.push_str(&text[start..i]);
        if escape.is_empty() {
            out.push_str("\\u00");
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0xf)]));
        } else {
            out.push_str(escape);
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push('"');
}

/// The deepest a generated document nests, whatever its schema says; `$ref`s that refer to
/// themselves end here too.
pub const MAX_DEPTH: usize = 8;

/// The most items an array gets for its schema's `minItems`.
pub const MAX_ITEMS: usize = 256;

/// The most items an array gets for its schema's `maxItems` (choices are spread up to it).
const MAX_CHOSEN_ITEMS: usize = 16;

/// `$ref`s followed in a row before a schema counts as the last one reached.
const MAX_REFS: usize = 32;

/// Room enough for any one small value (`false` is the longest): a document, a field or an item
/// is only started with this much room left.
const LEAF: usize = 5;

/// The length of `null`.
const NULL: usize = 4;

/// A size a schema asks for (`minItems`, `maxItems`…), at most `cap`: a whole number, or a number
/// such as `1e11` or `100.0` (JSON Schema allows both); anything else counts as absent. Every
/// schema number that becomes a size goes through here, so none can ask for terabytes.
#[must_use]
pub fn schema_size(schema: &Value, key: &str, cap: usize) -> Option<usize> {
    let value = schema.get(key)?;
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "the float is not negative and `as` saturates: 1e308 becomes u64::MAX, then the cap"
    )]
    let whole = value
        .as_u64()
        .or_else(|| value.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))?;
    Some(usize::try_from(whole).unwrap_or(usize::MAX).min(cap))
}

/// The bytes a JSON escape adds to one byte of a string (an upper bound: `\n` adds 1, `\u0001`
/// adds 5).
fn escape_cost(byte: u8) -> u16 {
    u16::from(byte < 0x20) * 5 + u16::from(byte == b'"' || byte == b'\\')
}

/// The bytes JSON escapes add to `bytes`, at most [`CHUNK`] of them.
fn escapes(bytes: &[u8]) -> usize {
    usize::from(bytes.iter().map(|b| escape_cost(*b)).sum::<u16>())
}

/// Long values are scanned in chunks with narrow sums, which the compiler vectorises: the scan
/// costs less than copying the value. 5 × 8192 fits a u16.
const CHUNK: usize = 8192;

/// At least the length of `text` written as a JSON string, quotes included.
pub(crate) fn json_len(text: &str) -> usize {
    text.len() + 2 + text.as_bytes().chunks(CHUNK).map(escapes).sum::<usize>()
}

/// A string value, cut at a character boundary to fit the room left, and charged to it.
pub(crate) fn string(mut text: String, room: &mut usize) -> Json {
    let len = json_len(&text);
    if len <= *room {
        *room -= len;
        return Json::String(text);
    }
    // Whole chunks while they fit, then byte by byte (a byte of a multi-byte character costs
    // one, like the character's own bytes), then back to a character boundary.
    let fits = room.saturating_sub(2);
    let (mut used, mut end) = (0, 0);
    for chunk in text.as_bytes().chunks(CHUNK) {
        let cost = chunk.len() + escapes(chunk);
        if used + cost <= fits {
            used += cost;
            end += chunk.len();
            continue;
        }
        for byte in chunk {
            let cost = 1 + usize::from(escape_cost(*byte));
            if used + cost > fits {
                break;
            }
            used += cost;
            end += 1;
        }
        break;
    }
    while !text.is_char_boundary(end) {
        end -= 1;
        used -= 1;
    }
    text.truncate(end);
    *room = room.saturating_sub(used + 2);
    Json::String(text)
}

/// A number value; non-numbers such as NaN travel as strings, the way a sloppy client sends
/// them. Charged to the room left (a number that does not fit is `0`).
fn number(number: String, room: &mut usize) -> Json {
    if serde_json::from_str::<serde_json::Number>(&number).is_ok()
        || number.bytes().all(|b| b.is_ascii_digit() || b == b'-')
    {
        if number.len() <= *room {
            *room -= number.len();
            Json::Number(number)
        } else {
            *room = room.saturating_sub(1);
            Json::Number("0".to_owned())
        }
    } else {
        string(number, room)
    }
}

/// Adds the field `key` when its key and a small value fit the room left; `value` fills it
/// from what is left then.
fn push_field(
    fields: &mut Vec<(String, Json)>,
    key: &str,
    room: &mut usize,
    value: impl FnOnce(&mut usize) -> Json,
) {
    let cost = json_len(key) + 2;
    if *room >= cost + LEAF {
        *room -= cost;
        fields.push((key.to_owned(), value(room)));
    }
}

/// A body for the plan: from its schema when it has one, otherwise a typical object, with fields
/// the handler may read beside them (see [`named_fields`]); then, one time in three, broken in
/// one way. The document's text is at most the plan's body limit (and
/// what is left of the event's budget) whatever sizes the schema asks for: items, nesting,
/// `$ref`s to itself.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn document(h: &mut Hostile<'_, '_>) -> Result<Json> {
    let limit = h.plan().max_body.min(h.budget()).max(LEAF);
    let mut room = limit;
    // Half the documents are calm: realistic but for one value, so they pass a handler's own
    // validation with a single hostile field (see [`Hostile::calm`]).
    let calm = h.choice(2)? == 1;
    h.calm(calm)?;
    let mut doc = match h.plan().schema() {
        Some(schema) => from_schema(h, schema, schema, "", 0, &mut room)?,
        None => typical(h, &mut room)?,
    };
    if let Json::Object(fields) = &mut doc {
        named_fields(h, fields, &mut room)?;
    }
    h.calm(false)?;
    // One other document in three is broken: the others carry their payloads to code past the
    // parser.
    if !calm && h.choice(3)? == 2 {
        doc = broken(h, doc, &mut room)?;
    }
    h.spend(limit - room);
    Ok(doc)
}

/// A body as text, at most the plan's body limit; sometimes not JSON at all (arbitrary text, XXE,
/// or one of the literals of the handler's source, whole).
///
/// # Errors
/// As [`Hostile::choice`].
pub fn text(h: &mut Hostile<'_, '_>) -> Result<String> {
    let limit = h.plan().max_body;
    let values = h.plan().values;
    Ok(match h.choice(12 + usize::from(!values.is_empty()))? {
        12 => crate::events::within(values[h.choice(values.len())?].to_owned(), limit),
        10 => crate::events::within(h.arbitrary_text()?, limit),
        11 => crate::events::within(h.payload_of(Family::Xxe)?, limit),
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

/// `schema` with its local `$ref`s (`#/$defs/…`, `#/definitions/…`, `#`) followed, at most
/// [`MAX_REFS`] in a row.
fn resolve<'s>(whole: &'s Value, mut schema: &'s Value) -> &'s Value {
    for _ in 0..MAX_REFS {
        let Some(target) = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|pointer| whole.pointer(pointer))
        else {
            break;
        };
        schema = target;
    }
    schema
}

/// A value following `schema` (the usual keywords: type, properties, required, items, enum,
/// minimum/maximum, minItems/maxItems, local `$ref`), with hostile strings and numbers in its
/// leaves. Its text takes at most `room` bytes (at least [`LEAF`]), which it is charged.
fn from_schema<'s>(
    h: &mut Hostile<'_, '_>,
    whole: &'s Value,
    schema: &'s Value,
    name: &str,
    depth: usize,
    room: &mut usize,
) -> Result<Json> {
    static NO_SCHEMA: Value = Value::Null;
    let schema = resolve(whole, schema);
    if depth > MAX_DEPTH {
        *room = room.saturating_sub(NULL);
        return Ok(Json::Null);
    }
    Ok(match type_of(schema) {
        "object" => {
            *room = room.saturating_sub(2);
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
                    let cost = json_len(key) + 2;
                    if *room < cost + LEAF {
                        break;
                    }
                    *room -= cost;
                    fields.push((
                        key.clone(),
                        from_schema(h, whole, sub, key, depth + 1, room)?,
                    ));
                }
            }
            Json::Object(fields)
        }
        "array" => {
            *room = room.saturating_sub(2);
            let items = schema.get("items").unwrap_or(&NO_SCHEMA);
            let max = schema_size(schema, "maxItems", MAX_CHOSEN_ITEMS)
                .unwrap_or(4)
                .max(1);
            let min = schema_size(schema, "minItems", MAX_ITEMS).unwrap_or(0);
            // Choice 0 (the realistic value) is one item; then none, two, three… A calm document
            // keeps to one (each item is another chance to fail the handler's validation).
            let n = if h.is_calm() {
                1
            } else {
                match h.choice(max + 2)? {
                    0 => 1,
                    k => k - 1,
                }
            }
            .max(min);
            let mut values = Vec::with_capacity(n);
            for _ in 0..n {
                if *room < 1 + LEAF {
                    break;
                }
                *room -= 1;
                values.push(from_schema(h, whole, items, name, depth + 1, room)?);
            }
            Json::Array(values)
        }
        "integer" | "number" => {
            let realistic = schema
                .get("minimum")
                .and_then(Value::as_i64)
                .map_or(1, |m| m.max(1))
                .to_string();
            number(h.number(&realistic)?, room)
        }
        "boolean" => {
            *room = room.saturating_sub(5);
            Json::Bool(h.choice(2)? == 0)
        }
        "null" => {
            *room = room.saturating_sub(NULL);
            Json::Null
        }
        _ => {
            let role = role_of(name, schema);
            let realistic = realistic_for(h, name, schema)?;
            string(h.text(role, &realistic)?, room)
        }
    })
}

/// The realistic value of a string field, chosen: one of its `enum`; for a `pattern`, a seeded
/// key or a literal of the handler that matches it, else a string generated to match it; for
/// an id, a seeded key; else the usual value for its name.
fn realistic_for(h: &mut Hostile<'_, '_>, name: &str, schema: &Value) -> Result<String> {
    if let Some(values) = schema
        .get("enum")
        .and_then(Value::as_array)
        .filter(|e| !e.is_empty())
    {
        let value = &values[h.choice(values.len())?];
        return Ok(value
            .as_str()
            .map_or_else(|| value.to_string(), str::to_owned));
    }
    let plan = h.plan();
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        // Seeded keys first (a seeded product for a SKU), usually alone: the handler's
        // literals that happen to fit (`POST` for a SKU) name nothing that exists.
        let keys: Vec<&str> = plan
            .keys
            .iter()
            .copied()
            .filter(|v| crate::pattern::matches(pattern, v))
            .collect();
        let known: Vec<&str> = if !keys.is_empty() && h.choice(4)? != 3 {
            keys
        } else {
            plan.keys
                .iter()
                .chain(plan.values)
                .copied()
                .filter(|v| crate::pattern::matches(pattern, v))
                .collect()
        };
        // Choice 0: the first known value that fits.
        let at = h.choice(known.len() + 1)?;
        if let Some(value) = known.get(at) {
            return Ok((*value).to_owned());
        }
        if let Some(generated) = crate::pattern::generate(h, pattern)? {
            return Ok(generated);
        }
    }
    if role_of(name, schema) == Role::Id && !plan.keys.is_empty() {
        return Ok(plan.keys[h.choice(plan.keys.len())?].to_owned());
    }
    Ok(realistic_string(name, schema))
}

/// Names that usually hold a number.
const NUMERIC: &[&str] = &[
    "page",
    "limit",
    "offset",
    "count",
    "size",
    "quantity",
    "qty",
    "amount",
    "total",
    "version",
    "age",
    "year",
    "port",
    "timeout",
    "max",
    "min",
    "per_page",
    "pagesize",
    "page_size",
];

/// The role and realistic value of a field, parameter, header or attribute known only by its
/// name: a URL for `callback_url`, an id for `order_id`, a number for `page`…
#[must_use]
pub fn realistic(name: &str) -> (Role, String) {
    let lower = name.to_ascii_lowercase();
    if NUMERIC.contains(&lower.as_str()) {
        return (Role::Number, "1".to_owned());
    }
    (
        role_of(name, &Value::Null),
        realistic_string(name, &Value::Null),
    )
}

/// A value for a field, parameter, header or attribute called `name`: realistic for its name
/// (see [`realistic`]) or hostile for its role.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn named_text(h: &mut Hostile<'_, '_>, name: &str) -> Result<String> {
    let (role, realistic) = realistic(name);
    value_for(h, role, &realistic)
}

/// A value for a field of `role` whose realistic value is `realistic`.
fn value_for(h: &mut Hostile<'_, '_>, role: Role, realistic: &str) -> Result<String> {
    let keys = h.plan().keys;
    if role == Role::Number {
        h.number(realistic)
    } else if role == Role::Id && !keys.is_empty() {
        // An id names something: one of the seeded keys (another caller's order, say).
        let key = keys[h.choice(keys.len())?];
        h.text(role, key)
    } else {
        h.text(role, realistic)
    }
}

/// The most fields [`named_fields`] adds to an object, one name at a time.
pub const MAX_NAMED_FIELDS: usize = 3;

/// One object in this many gets a field for each of the plan's first [`MAX_ALL_NAMES`] names.
const ALL_NAMES_ONE_IN: usize = 4;

/// The most names an object gets at once.
pub const MAX_ALL_NAMES: usize = 16;

/// Adds up to [`MAX_NAMED_FIELDS`] fields named by [`Hostile::name`] — the plan's names, which
/// the handler's source or schema use, or a name read raw from the input — or, rarely, one for
/// each of the plan's first [`MAX_ALL_NAMES`] names, with values for their names; none on
/// choice 0, so the realistic document is unchanged. Each is charged to
/// `room`, and left out when it does not fit.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn named_fields(
    h: &mut Hostile<'_, '_>,
    fields: &mut Vec<(String, Json)>,
    room: &mut usize,
) -> Result<()> {
    // Rarely, every one of the plan's first names at once: a handler reads several fields of
    // one document, and a branch that tests three of them needs all three in the same one.
    let plan = h.plan();
    let all = !plan.names.is_empty() && h.rarely(ALL_NAMES_ONE_IN)?;
    let mut keys: Vec<String> = if all {
        plan.names
            .iter()
            .take(MAX_ALL_NAMES)
            .map(|n| (*n).to_owned())
            .collect()
    } else {
        let n = h.choice(MAX_NAMED_FIELDS + 1)?;
        (0..n).map(|_| h.name()).collect::<Result<_>>()?
    };
    // With data seeded, half the calm documents also name something by an id the handler
    // reads (`orderId`), whose value is then a seeded key: another caller's order, say.
    if h.is_calm() && !plan.keys.is_empty() {
        let ids: Vec<&str> = plan
            .names
            .iter()
            .copied()
            .filter(|n| role_of(n, &Value::Null) == Role::Id)
            .collect();
        if !ids.is_empty() && h.choice(2)? == 0 {
            keys.push(ids[h.choice(ids.len())?].to_owned());
        }
    }
    for key in keys {
        // A calm document stays valid: no second value for a field it has (a duplicated
        // field is one of the ways the others break).
        if h.is_calm() && fields.iter().any(|(k, _)| *k == key) {
            continue;
        }
        let cost = json_len(&key) + 2;
        if *room < cost + LEAF {
            break;
        }
        *room -= cost;
        let (role, typical) = realistic(&key);
        let value = if role == Role::Number && h.choice(4)? != 3 {
            number(value_for(h, role, &typical)?, room)
        } else if all && !plan.values.is_empty() && h.choice(2)? == 0 {
            // In a document that names every field, half the text fields take one of the
            // literals the handler compares with: three nested tests need all three at once.
            string(plan.values[h.choice(plan.values.len())?].to_owned(), room)
        } else {
            string(value_for(h, role, &typical)?, room)
        };
        fields.push((key, value));
    }
    Ok(())
}

/// An object with the fields handlers most often read, within `room` bytes.
fn typical(h: &mut Hostile<'_, '_>, room: &mut usize) -> Result<Json> {
    *room = room.saturating_sub(2);
    let mut fields = Vec::new();
    let id = h.text(Role::Id, "c0ffee-42")?;
    push_field(&mut fields, "id", room, |room| string(id, room));
    let name = h.text(Role::Text, "Blue mug")?;
    push_field(&mut fields, "name", room, |room| string(name, room));
    let quantity = h.number("1")?;
    push_field(&mut fields, "quantity", room, |room| number(quantity, room));
    if h.choice(2)? == 1 {
        let url = h.text(Role::Url, "https://shop.example/a")?;
        push_field(&mut fields, "url", room, |room| string(url, room));
        let key = h.text(Role::Key, "photos/review-1.jpg")?;
        push_field(&mut fields, "key", room, |room| string(key, room));
    }
    Ok(Json::Object(fields))
}

/// One way of breaking a document; what it adds is charged to `room`, and left out when it does
/// not fit.
fn broken(h: &mut Hostile<'_, '_>, doc: Json, room: &mut usize) -> Result<Json> {
    let Json::Object(mut fields) = doc else {
        return Ok(match h.choice(3)? {
            0 if *room >= NULL => {
                *room -= NULL;
                Json::Null
            }
            1 => nested(h.count(4000)?, room).unwrap_or(doc),
            _ => doc,
        });
    };
    let at = h.choice(fields.len().max(1))?;
    // Payloads drawn for an addition that does not fit are not in the event.
    let recorded = h.injected.len();
    match h.choice(9)? {
        0 if !fields.is_empty() => {
            fields.remove(at);
        }
        1 if !fields.is_empty() => {
            if *room >= NULL {
                *room -= NULL;
                fields[at].1 = Json::Null;
            }
        }
        2 if !fields.is_empty() => {
            let (wrong, cost) = match &fields[at].1 {
                Json::String(_) => (Json::Array(vec![Json::Number("1".to_owned())]), 3),
                Json::Number(n) => (Json::String(n.clone()), json_len(n)),
                Json::Object(_) | Json::Array(_) | Json::Raw(_) => {
                    (Json::String("x".to_owned()), 3)
                }
                Json::Bool(_) | Json::Null => (Json::Object(Vec::new()), 2),
            };
            if *room >= cost {
                *room -= cost;
                fields[at].1 = wrong;
            }
        }
        3 if !fields.is_empty() => {
            // Duplicate key: parsers disagree on which one wins.
            let key = fields[at].0.clone();
            let value = h.payload(Role::Id)?;
            let cost = json_len(&key) + json_len(&value) + 2;
            if !add(&mut fields, room, key, Json::String(value), cost) {
                h.injected.truncate(recorded);
            }
        }
        4 if !fields.is_empty() => {
            let operator = ["$ne", "$gt", "$regex", "$where"][h.choice(4)?];
            let cost = json_len(operator) + 5;
            if *room >= cost {
                *room -= cost;
                h.injected.push(operator.to_owned());
                fields[at].1 =
                    Json::Object(vec![(operator.to_owned(), Json::String(String::new()))]);
            }
        }
        5 => {
            let key = h.payload_of(Family::PrototypePollution)?;
            let cost = json_len(&key) + 2 + r#"{"isAdmin":true}"#.len();
            let value = Json::Object(vec![("isAdmin".to_owned(), Json::Bool(true))]);
            if !add(&mut fields, room, key, value, cost) {
                h.injected.truncate(recorded);
            }
        }
        6 if !fields.is_empty() => {
            if let Some(deep) = nested(h.count(4000)?, room) {
                fields[at].1 = deep;
            }
        }
        7 => {
            let key = h.arbitrary_text()?;
            let value = h.payload(Role::Text)?;
            let cost = json_len(&key) + json_len(&value) + 2;
            if !add(&mut fields, room, key, Json::String(value), cost) {
                h.injected.truncate(recorded);
            }
        }
        _ => fields.clear(),
    }
    Ok(Json::Object(fields))
}

/// Adds a field that costs `cost` bytes when it fits the room left; whether it did.
fn add(
    fields: &mut Vec<(String, Json)>,
    room: &mut usize,
    key: String,
    value: Json,
    cost: usize,
) -> bool {
    if *room >= cost {
        *room -= cost;
        fields.push((key, value));
        true
    } else {
        false
    }
}

/// Arrays nested `depth` deep (serde_json gives up at 128, other parsers overflow their stack),
/// as deep as `room` allows; `None` when not even one level fits.
fn nested(depth: usize, room: &mut usize) -> Option<Json> {
    let depth = depth.min(*room / 2);
    if depth == 0 {
        return None;
    }
    *room -= 2 * depth;
    Some(Json::Raw(format!(
        "{}{}",
        "[".repeat(depth),
        "]".repeat(depth)
    )))
}

#[cfg(test)]
mod tests {
    use arbitrary::Unstructured;

    use super::*;
    use crate::Plan;

    #[test]
    fn some_documents_name_every_field_the_handler_reads_at_once() {
        static NAMED: Plan = Plan {
            names: &["kind", "amount", "currency"],
            ..Plan::BASE
        };
        let every = (0..256)
            .filter(|&seed| {
                let data = crate::events::seeded(seed, 64);
                let mut u = Unstructured::new(&data);
                let text = document(&mut Hostile::new(&mut u, &NAMED))
                    .unwrap()
                    .to_text();
                ["\"kind\":", "\"amount\":", "\"currency\":"]
                    .iter()
                    .all(|k| text.contains(k))
            })
            .count();
        assert!(every > 0, "no document names all three fields");
        let mut u = Unstructured::new(&[]);
        let realistic = document(&mut Hostile::new(&mut u, &NAMED))
            .unwrap()
            .to_text();
        assert!(!realistic.contains("\"kind\""), "{realistic}");
    }

    #[test]
    fn documents_naming_every_field_carry_the_handlers_literals_together() {
        static COMPARED: Plan = Plan {
            names: &["kind", "amount", "currency"],
            values: &["chargeback", "XBT", "https://"],
            ..Plan::BASE
        };
        let hits = (0..4000u16)
            .filter(|&seed| {
                let data = crate::events::seeded(seed, 256);
                let mut u = Unstructured::new(&data);
                let Ok(doc) = document(&mut Hostile::new(&mut u, &COMPARED)) else {
                    return false;
                };
                serde_json::from_str::<serde_json::Value>(&doc.to_text())
                    .is_ok_and(|v| v["kind"] == "chargeback" && v["currency"] == "XBT")
            })
            .count();
        // One in four documents names every field, then each text field has one chance in two
        // of a literal and one in three of the right one: 37 of these 4000 (1 without it).
        assert!(hits >= 10, "{hits} of 4000 documents carry both literals");
    }

    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let mut samples: Vec<String> = (0u8..=0x7f)
            .map(|b| format!("a{}z", char::from(b)))
            .collect();
        samples.extend(
            [
                "",
                "plain",
                "quote \" and back\\slash",
                "é ☃ 𝄞 \u{2028}\u{2029} \u{7f} \u{80} \u{202e}",
                "\u{0}\u{1f}\n\r\t\u{8}\u{c}",
            ]
            .map(str::to_owned),
        );
        for sample in samples {
            let mut ours = String::new();
            write_string(&sample, &mut ours);
            assert_eq!(ours, serde_json::to_string(&sample).unwrap(), "{sample:?}");
        }
    }

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
        for seed in 0..2000u16 {
            {
                let data = crate::events::seeded(seed, 64);
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

    /// Schemas that ask for more than any body can hold.
    fn exploding() -> Vec<(&'static str, String)> {
        let mut nested_arrays = r#"{"type":"string","minLength":1000000000000}"#.to_owned();
        for _ in 0..8 {
            nested_arrays = format!(r#"{{"type":"array","minItems":100,"items":{nested_arrays}}}"#);
        }
        let mut nested_objects = r#"{"type":"integer","minimum":1e308}"#.to_owned();
        for _ in 0..8 {
            nested_objects = format!(
                r#"{{"type":"object","required":["a","b","c"],"minProperties":1e11,
                    "properties":{{"a":{nested_objects},"b":{nested_objects},
                    "c":{{"type":"array","minItems":1e11,"items":{nested_objects}}}}}}}"#
            );
        }
        let deep = format!(
            "{}{}",
            r#"{"type":"array","items":"#.repeat(10_000),
            "}".repeat(10_000)
        );
        vec![
            (
                "minItems 1e11",
                r#"{"type":"array","minItems":100000000000,"maxItems":1e308,
                    "items":{"type":"string","minLength":1000000000000}}"#
                    .to_owned(),
            ),
            (
                "minItems 1e11 as a float",
                r#"{"type":"array","minItems":1e11,"items":{"type":"number"}}"#.to_owned(),
            ),
            (
                "minLength 1e12",
                r#"{"type":"object","required":["a"],"properties":{"a":{"type":"string",
                    "minLength":1e12,"maxLength":1e308}}}"#
                    .to_owned(),
            ),
            ("minItems 100 eight deep", nested_arrays),
            (
                "objects with every field required, eight deep",
                nested_objects,
            ),
            ("nesting 10 000 deep", deep),
            (
                "a $ref to itself",
                r##"{"$defs":{"node":{"type":"object","required":["child","children"],
                    "properties":{"child":{"$ref":"#/$defs/node"},
                    "children":{"type":"array","minItems":50,"items":{"$ref":"#/$defs/node"}}}}},
                    "$ref":"#/$defs/node"}"##
                    .to_owned(),
            ),
            (
                "the root as its own items",
                r##"{"type":"array","minItems":200,"items":{"$ref":"#"}}"##.to_owned(),
            ),
        ]
    }

    #[test]
    fn exploding_schemas_give_bodies_within_the_limit() {
        for (what, schema) in exploding() {
            for (max_body, count) in [(64, 300), (4096, 300), (256 * 1024, 8)] {
                let plan = Plan {
                    schema: Some(Box::leak(schema.clone().into_boxed_str())),
                    max_body,
                    ..Plan::BASE
                };
                let started = std::time::Instant::now();
                for data in std::iter::once(Vec::new())
                    .chain((0..count).map(|seed| crate::events::seeded(seed, 96)))
                {
                    let mut u = Unstructured::new(&data);
                    let mut h = Hostile::new(&mut u, &plan);
                    let body = text(&mut h).unwrap();
                    assert!(
                        body.len() <= max_body,
                        "{what}, limit {max_body}: a body of {} bytes",
                        body.len()
                    );
                }
                assert!(
                    started.elapsed() < std::time::Duration::from_mins(1),
                    "{what}: {:?}",
                    started.elapsed()
                );
            }
        }
    }

    #[test]
    fn realistic_bodies_of_exploding_schemas_are_json_within_the_limit() {
        for (what, schema) in exploding() {
            let plan = Plan {
                schema: Some(Box::leak(schema.into_boxed_str())),
                max_body: 4096,
                ..Plan::BASE
            };
            let mut u = Unstructured::new(&[]);
            let body = text(&mut Hostile::new(&mut u, &plan)).unwrap();
            assert!(body.len() <= 4096, "{what}: {}", body.len());
            let _: Value =
                serde_json::from_str(&body).unwrap_or_else(|err| panic!("{what}: {err}"));
        }
    }

    #[test]
    fn references_are_followed_until_the_depth_limit() {
        let plan = Plan {
            schema: Some(
                r##"{"$ref":"#/$defs/node","$defs":{"node":{"type":"object","required":["id","child"],
                    "properties":{"id":{"type":"integer"},"child":{"$ref":"#/$defs/node"}}}}}"##,
            ),
            ..Plan::BASE
        };
        let mut u = Unstructured::new(&[]);
        let doc: Value =
            serde_json::from_str(&text(&mut Hostile::new(&mut u, &plan)).unwrap()).unwrap();
        let mut depth = 0;
        let mut node = &doc;
        while let Some(child) = node.get("child") {
            assert!(node.get("id").is_some(), "{node}");
            depth += 1;
            node = child;
        }
        assert_eq!(depth, MAX_DEPTH + 1);
        assert!(node.is_null());
    }

    #[test]
    fn strings_are_cut_to_the_room_with_their_escapes() {
        let unit = "a\u{0}\"é\n\u{1f600}\\";
        let long = unit.repeat(3000);
        for room in (2..200).chain([9000, 20_000, 20_001, 40_000, 200_000]) {
            let mut left = room;
            let value = string(long.clone(), &mut left);
            let text = value.to_text();
            assert!(text.len() <= room, "room {room}: {} bytes", text.len());
            assert!(room - left >= text.len(), "room {room}: undercharged");
            let Json::String(cut) = value else { panic!() };
            assert!(long.starts_with(&cut));
            // Cut no shorter than the accounting needs: one more character would not fit.
            if cut.len() < long.len() {
                let next = long[cut.len()..].chars().next().unwrap();
                assert!(
                    json_len(&format!("{cut}{next}")) > room,
                    "room {room}: cut too short"
                );
            }
        }
    }

    #[test]
    fn schema_sizes_are_capped_whatever_their_form() {
        let schema: Value = serde_json::from_str(
            r#"{"a":100000000000,"b":1e11,"c":1e308,"d":-1,"e":"9","f":2.5,"g":3}"#,
        )
        .unwrap();
        let size = |key| schema_size(&schema, key, MAX_ITEMS);
        assert_eq!(size("a"), Some(MAX_ITEMS));
        assert_eq!(size("b"), Some(MAX_ITEMS));
        assert_eq!(size("c"), Some(MAX_ITEMS));
        assert_eq!(size("d"), None);
        assert_eq!(size("e"), None);
        assert_eq!(size("f"), Some(2));
        assert_eq!(size("g"), Some(3));
        assert_eq!(size("missing"), None);
    }

    #[test]
    fn a_batch_of_large_bodies_stays_within_the_event_budget() {
        let mut schema = r#"{"type":"string"}"#.to_owned();
        for _ in 0..8 {
            schema = format!(r#"{{"type":"array","minItems":100,"items":{schema}}}"#);
        }
        let plan = Plan {
            schema: Some(Box::leak(schema.into_boxed_str())),
            batch_size: 10_000,
            ..Plan::BASE
        };
        // Two bytes of 0xff choose the largest batch; the rest is the realistic event.
        let mut u = Unstructured::new(&[0xff, 0xff]);
        let event = crate::events::messaging::sqs(&mut Hostile::new(&mut u, &plan)).unwrap();
        let bodies: usize = event
            .records
            .iter()
            .map(|r| r.body.as_deref().map_or(0, str::len))
            .sum();
        assert!(event.records.len() > 1000, "{}", event.records.len());
        assert!(
            bodies <= crate::hostile::EVENT_BYTES + 4 * event.records.len(),
            "{bodies} bytes of bodies"
        );
    }

    static NAMED: Plan = Plan {
        names: &["document_url", "version"],
        ..Plan::BASE
    };

    #[test]
    fn plan_names_become_fields_beside_the_typical_ones_and_a_schemas() {
        let mut u = Unstructured::new(&[]);
        let realistic = text(&mut Hostile::new(&mut u, &NAMED)).unwrap();
        assert!(!realistic.contains("document_url"), "{realistic}");
        let with_schema = Plan {
            names: NAMED.names,
            ..ORDER
        };
        for plan in [&NAMED, &with_schema] {
            let (mut url, mut version, mut beside) = (false, false, false);
            for data in (0..800).map(|seed| crate::events::seeded(seed, 64)) {
                let mut u = Unstructured::new(&data);
                let body = text(&mut Hostile::new(&mut u, plan)).unwrap();
                let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(&body) else {
                    continue;
                };
                url |= doc.get("document_url").is_some_and(Value::is_string);
                version |= doc.get("version").is_some_and(Value::is_number);
                beside |= doc.contains_key("document_url")
                    && doc.contains_key(if plan.schema.is_some() {
                        "productId"
                    } else {
                        "id"
                    });
            }
            assert!(url && version && beside, "{url} {version} {beside}");
        }
    }

    static SEEDED: Plan = Plan {
        schema: Some(
            r#"{"type":"object","required":["orderId","sku","mode","code"],
                "properties":{"orderId":{"type":"string"},"sku":{"type":"string","pattern":"^[A-Z]{3}-[0-9]$"},
                "mode":{"type":"string","enum":["single","bulk","none"]},
                "code":{"type":"string","pattern":"^X[0-9]{2}$"}}}"#,
        ),
        keys: &["ord_1", "ABC-1"],
        values: &["zzz"],
        ..Plan::BASE
    };

    #[test]
    fn seeded_keys_patterns_and_enums_make_the_realistic_document() {
        let mut u = Unstructured::new(&[]);
        let mut h = Hostile::new(&mut u, &SEEDED);
        let doc: Value = serde_json::from_str(&text(&mut h).unwrap()).unwrap();
        // An id takes a seeded key, a pattern the key that matches it, else a string generated
        // to match, an enum its first value.
        assert_eq!(
            doc,
            serde_json::json!({"orderId": "ord_1", "sku": "ABC-1", "mode": "single", "code": "X00"})
        );
        let mut modes = std::collections::BTreeSet::new();
        let mut codes = std::collections::BTreeSet::new();
        for seed in 0..400 {
            let data = crate::events::seeded(seed, 128);
            let mut u = Unstructured::new(&data);
            let mut h = Hostile::new(&mut u, &SEEDED);
            let Ok(doc) = serde_json::from_str::<Value>(&text(&mut h).unwrap()) else {
                continue;
            };
            if let Some(mode) = doc["mode"].as_str() {
                modes.insert(mode.to_owned());
            }
            if let Some(code) = doc["code"]
                .as_str()
                .filter(|c| c.len() == 3 && c.starts_with('X'))
            {
                codes.insert(code.to_owned());
            }
        }
        for mode in ["single", "bulk", "none"] {
            assert!(modes.contains(mode), "{modes:?}");
        }
        assert!(codes.len() > 5, "{codes:?}");
    }

    #[test]
    fn half_the_documents_are_realistic_but_for_one_value() {
        static FORM: Plan = Plan {
            schema: Some(
                r#"{"type":"object","additionalProperties":false,
                    "required":["a","b","c","d","e","f"],
                    "properties":{"a":{"type":"string","enum":["x"]},"b":{"type":"string","enum":["x"]},
                    "c":{"type":"string","enum":["x"]},"d":{"type":"string","enum":["x"]},
                    "e":{"type":"string","enum":["x"]},"f":{"type":"string","enum":["x"]}}}"#,
            ),
            ..Plan::BASE
        };
        let (mut calm, mut hostile, n) = (0, 0, 400);
        for seed in 0..n {
            let data = crate::events::seeded(seed, 256);
            let mut u = Unstructured::new(&data);
            let mut h = Hostile::new(&mut u, &FORM);
            let doc = document(&mut h).unwrap().to_text();
            let Ok(Value::Object(fields)) = serde_json::from_str::<Value>(&doc) else {
                continue;
            };
            let off = ["a", "b", "c", "d", "e", "f"]
                .iter()
                .filter(|k| fields.get(**k) != Some(&Value::from("x")))
                .count();
            if off <= 1 {
                calm += 1;
            }
            if off >= 1 {
                hostile += 1;
            }
        }
        // Six independent fields each realistic about 2 times in 7 would almost never give a
        // document with at most one field off.
        assert!(calm * 100 >= n * 35, "{calm} of {n}");
        assert!(hostile * 100 >= n * 50, "{hostile} of {n}");
    }

    #[test]
    fn names_get_values_for_what_they_name() {
        assert_eq!(realistic("page"), (Role::Number, "1".to_owned()));
        assert_eq!(realistic("callback_url").0, Role::Url);
        assert_eq!(realistic("order_id"), (Role::Id, "c0ffee-42".to_owned()));
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
