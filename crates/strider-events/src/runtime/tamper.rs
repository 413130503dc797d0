//! The data-tampering oracle. The emulated stores hold the data the model seeds
//! (`stores.*.fuzz`); after each event the guard ([`super::moto::Moto::check`]) says which
//! seeded items and objects changed. A change is tampering when
//!
//! - the event acts as a caller (an authorizer's `sub` or `principalId`) and the item belongs to
//!   someone else (the table's `owner` attribute): the insecure direct object reference of a
//!   handler that writes to the key a client sent, or a query that reached other callers' data;
//! - or, where ownership says nothing (no caller, or no owner), the event does not name the
//!   item's key at all: an injected query, filter or condition reached data the request was not
//!   about (NoSQL injection).
//!
//! A change to the caller's own item, or to an unowned item the event names, is what the handler
//! is for.

use serde_json::Value;

use super::moto::Change;

/// The verdict on the changes one event made: the oracle's message for the first that is
/// tampering, if any.
#[must_use]
pub fn judge(event: &str, changes: &[Change]) -> Option<String> {
    // Most events change no seeded item: no need to read the event then.
    if changes.is_empty() {
        return None;
    }
    let parsed = serde_json::from_str::<Value>(event).ok();
    let caller = parsed.as_ref().and_then(caller);
    // The event as sent, and what its base64 fields say (a body marked `isBase64Encoded`,
    // a Kinesis record's data): a key named there is named too.
    let mut texts = vec![event.to_owned()];
    if let Some(parsed) = &parsed {
        decoded(parsed, &mut texts);
    }
    changes.iter().find_map(|change| {
        let what = describe(change);
        let owner = change.owner.as_ref().map(text);
        if let (Some(caller), Some(owner)) = (&caller, &owner) {
            // Whose it is decides, named or not: a caller may change all of their own orders.
            return (caller != owner).then(|| {
                format!(
                    "data tampering: an event acting as {caller:?} {} {what}, which belongs to {owner:?}",
                    verb(change)
                )
            });
        }
        let named = change
            .key
            .values()
            .all(|value| texts.iter().any(|t| names(t, &text(value))));
        (!named).then(|| {
            format!(
                "data tampering: an event {} {what}, which it did not name",
                verb(change)
            )
        })
    })
}

/// Who an API Gateway event acts as: a Cognito or JWT authorizer's `sub`, a Lambda authorizer's
/// `principalId`.
fn caller(event: &Value) -> Option<String> {
    let authorizer = event.pointer("/requestContext/authorizer")?;
    [
        "/claims/sub",
        "/jwt/claims/sub",
        "/principalId",
        "/lambda/principalId",
    ]
    .iter()
    .find_map(|p| authorizer.pointer(p).and_then(Value::as_str))
    .filter(|s| !s.is_empty())
    .map(str::to_owned)
}

/// The most string values of an event tried as base64.
const MAX_DECODED: usize = 256;

/// The texts of `event`'s string values that are base64 (of at least four characters).
fn decoded(event: &Value, out: &mut Vec<String>) {
    use base64::Engine;
    let mut stack = vec![event];
    let mut tried = 0;
    while let Some(value) = stack.pop() {
        match value {
            Value::String(s) if s.len() >= 4 && tried < MAX_DECODED => {
                tried += 1;
                if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(s) {
                    out.push(String::from_utf8_lossy(&bytes).into_owned());
                }
            }
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.values()),
            _ => {}
        }
    }
}

/// Whether the event's text holds `value`, as it is or as JSON escapes it inside a string.
fn names(event: &str, value: &str) -> bool {
    if value.is_empty() || event.contains(value) {
        return true;
    }
    let escaped = serde_json::to_string(value).unwrap_or_default();
    let inner = escaped.trim_matches('"');
    // A body is JSON inside a JSON string: escaped twice.
    let twice = serde_json::to_string(inner).unwrap_or_default();
    event.contains(inner) || event.contains(twice.trim_matches('"'))
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn verb(change: &Change) -> &'static str {
    if change.deleted { "deleted" } else { "changed" }
}

/// `orders item pk="ord_1" (customerId)`: the store, the key and the attribute that changed.
fn describe(change: &Change) -> String {
    let key = change
        .key
        .iter()
        .map(|(name, value)| format!("{name}={:?}", text(value)))
        .collect::<Vec<_>>()
        .join(" ");
    let attribute = change
        .attribute
        .as_ref()
        .map(|a| format!(" ({a:?})"))
        .unwrap_or_default();
    format!("the seeded item {key} of {:?}{attribute}", change.store)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn change(key: &str, owner: Option<&str>) -> Change {
        Change {
            store: "orders".to_owned(),
            key: serde_json::Map::from_iter([("pk".to_owned(), Value::from(key))]),
            owner: owner.map(Value::from),
            attribute: Some("customerId".to_owned()),
            deleted: false,
        }
    }

    fn rest(sub: Option<&str>, body: &str) -> String {
        let mut event =
            serde_json::json!({"httpMethod": "POST", "body": body, "requestContext": {}});
        if let Some(sub) = sub {
            event["requestContext"]["authorizer"] =
                serde_json::json!({"claims": {"sub": sub}, "principalId": sub});
        }
        event.to_string()
    }

    #[test]
    fn another_callers_item_is_tampering_even_when_named() {
        let event = rest(Some("cust-1"), r#"{"orderId":"ord_9"}"#);
        let verdict = judge(&event, &[change("ord_9", Some("cust-2"))]);
        assert_eq!(
            verdict.as_deref(),
            Some(
                r#"data tampering: an event acting as "cust-1" changed the seeded item pk="ord_9" of "orders" ("customerId"), which belongs to "cust-2""#
            )
        );
    }

    #[test]
    fn the_callers_own_named_item_is_not() {
        let event = rest(Some("cust-1"), r#"{"orderId":"ord_9"}"#);
        assert_eq!(judge(&event, &[change("ord_9", Some("cust-1"))]), None);
        // No owner, named: what the handler is for (a webhook updating the order it names).
        assert_eq!(
            judge(
                &rest(None, r#"{"orderId":"ord_9"}"#),
                &[change("ord_9", None)]
            ),
            None
        );
    }

    #[test]
    fn an_item_the_event_did_not_name_is_tampering() {
        let event = rest(None, r#"{"filter":"status <> :x"}"#);
        let verdict = judge(&event, &[change("ord_9", None)]).unwrap_or_default();
        assert!(verdict.ends_with("which it did not name"), "{verdict}");
        // Named only inside the body, escaped twice, still counts as named.
        let quoted = rest(None, r#"{"id":"a\"b"}"#);
        let mut odd = change("a\"b", None);
        odd.deleted = true;
        assert_eq!(judge(&quoted, &[odd]), None);
    }

    #[test]
    fn the_callers_own_items_may_change_unnamed() {
        // "Archive all my orders": items the event does not name, all the caller's.
        let event = rest(Some("cust-1"), r#"{"archive":"all"}"#);
        assert_eq!(judge(&event, &[change("ord_1", Some("cust-1"))]), None);
        let verdict = judge(
            &event,
            &[
                change("ord_1", Some("cust-1")),
                change("ord_2", Some("cust-2")),
            ],
        );
        assert!(verdict.is_some_and(|v| v.contains(r#"pk="ord_2""#)));
    }

    #[test]
    fn a_key_named_in_a_base64_body_is_named() {
        use base64::Engine;
        let body = base64::engine::general_purpose::STANDARD.encode(r#"{"orderId":"ord_9"}"#);
        let event = serde_json::json!({"body": body, "isBase64Encoded": true}).to_string();
        assert_eq!(judge(&event, &[change("ord_9", None)]), None);
        assert!(judge(&event, &[change("ord_8", None)]).is_some());
    }

    #[test]
    fn no_change_no_verdict() {
        assert_eq!(judge(&rest(Some("c"), "{}"), &[]), None);
    }
}
