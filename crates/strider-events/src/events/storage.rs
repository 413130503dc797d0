//! Store notifications: S3 bucket events and DynamoDB stream batches. Quirks: S3 sends object keys
//! form-urlencoded (a space is `+`, a `%` is `%25`), so a handler must decode exactly once;
//! DynamoDB `REMOVE` records carry the old image and no new image, `INSERT` no old image, and
//! numbers arrive as strings (`{"N": "..."}`) that may not fit the handler's type.

use std::collections::HashMap;

use arbitrary::Result;
use aws_lambda_events::dynamodb::{Event, EventRecord, StreamRecord, StreamViewType};
use aws_lambda_events::s3::{S3Bucket, S3Entity, S3Event, S3EventRecord, S3Object};
use serde_dynamo::{AttributeValue, Item};

use super::{REGION, arn, batch_ids, event_time};
use crate::body::{self, Json};
use crate::hostile::Hostile;
use crate::payload::{Role, s3_event_key};

/// The S3 event name for the plan's first configured event type (`s3:ObjectCreated:*` becomes
/// `ObjectCreated:Put`).
fn s3_event_name(events: &[&str], pick: usize) -> String {
    let chosen = events
        .get(pick % events.len().max(1))
        .copied()
        .unwrap_or("s3:ObjectCreated:*");
    chosen.trim_start_matches("s3:").replace('*', "Put")
}

/// An S3 event notification for an object written to the plan's bucket.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn s3(h: &mut Hostile<'_, '_>) -> Result<S3Event> {
    let plan = h.plan();
    // S3 sends one record per event; forged events (a direct invoke) may hold more.
    let n = if h.rarely(8)? { h.count(3)? } else { 1 };
    let mut event = S3Event::default();
    for i in 0..n {
        let pick = h.choice(plan.events.len().max(1))?;
        // Sometimes under a prefix the handler may look for (`invoices/…`).
        let realistic = if h.rarely(4)? {
            format!("{}/review-1.jpg", h.name()?)
        } else {
            "uploads/review-1.jpg".to_owned()
        };
        let key = h.text(Role::Key, &realistic)?;
        let mut object = S3Object::default();
        object.key = Some(s3_event_key(&key));
        object.size = Some(h.number("48213")?.parse().unwrap_or(-1));
        object.e_tag = Some("d41d8cd98f00b204e9800998ecf8427e".to_owned());
        object.sequencer = Some(format!("0A1B2C3D4E5F6{i:04}"));
        let mut bucket = S3Bucket::default();
        bucket.name = Some(plan.source.to_owned());
        bucket.arn = Some(if plan.source_arn.is_empty() {
            format!("arn:aws:s3:::{}", plan.source)
        } else {
            plan.source_arn.to_owned()
        });
        let mut entity = S3Entity::default();
        entity.schema_version = Some("1.0".to_owned());
        entity.configuration_id = Some("strider".to_owned());
        entity.bucket = bucket;
        entity.object = object;
        let mut record = S3EventRecord::default();
        record.event_version = Some("2.1".to_owned());
        record.event_source = Some("aws:s3".to_owned());
        record.aws_region = Some(REGION.to_owned());
        record.event_time = event_time();
        record.event_name = Some(s3_event_name(plan.events, pick));
        record.request_parameters.source_ip_address = Some("203.0.113.7".to_owned());
        record.s3 = entity;
        event.records.push(record);
    }
    Ok(event)
}

/// A DynamoDB attribute value for a JSON value, numbers as `N` strings.
#[must_use]
pub fn attribute(value: Json) -> AttributeValue {
    match value {
        Json::Null => AttributeValue::Null(true),
        Json::Bool(b) => AttributeValue::Bool(b),
        Json::Number(n) => AttributeValue::N(n),
        Json::String(s) | Json::Raw(s) => AttributeValue::S(s),
        Json::Array(items) => AttributeValue::L(items.into_iter().map(attribute).collect()),
        Json::Object(fields) => {
            AttributeValue::M(fields.into_iter().map(|(k, v)| (k, attribute(v))).collect())
        }
    }
}

/// An item of the table: the document's fields (moved, not copied) and the key.
fn item(doc: Json, key_name: &str, key: &str) -> Item {
    let mut map: HashMap<String, AttributeValue> = match attribute(doc) {
        AttributeValue::M(fields) => fields,
        other => HashMap::from([("value".to_owned(), other)]),
    };
    map.insert(key_name.to_owned(), AttributeValue::S(key.to_owned()));
    Item::from(map)
}

/// A batch of DynamoDB stream records (view type `NEW_AND_OLD_IMAGES`): inserts, modifications
/// and removals of items shaped by the plan's schema.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn dynamodb_stream(h: &mut Hostile<'_, '_>) -> Result<Event> {
    let plan = h.plan();
    let n = h.count(plan.batch_size.try_into().unwrap_or(10).clamp(1, 100))?;
    let ids = batch_ids(h, n)?;
    // The table's key attribute: `pk`, or sometimes a name the handler may read (`orderId`).
    let key_name = if h.rarely(4)? {
        h.name()?
    } else {
        "pk".to_owned()
    };
    let stream_arn = if plan.source_arn.is_empty() {
        arn(
            "dynamodb",
            &format!("table/{}/stream/2026-11-23T10:00:00.000", plan.source),
        )
    } else {
        plan.source_arn.to_owned()
    };
    let mut event = Event::default();
    for (i, id) in ids.into_iter().enumerate() {
        let key = h.text(Role::Id, &format!("order-{i}"))?;
        let operation = ["INSERT", "MODIFY", "REMOVE"][h.choice(3)?];
        let mut change = StreamRecord::default();
        change.approximate_creation_date_time = event_time();
        change.keys = Item::from(HashMap::from([(
            key_name.clone(),
            AttributeValue::S(key.clone()),
        )]));
        if operation != "INSERT" {
            change.old_image = item(body::document(h)?, &key_name, &key);
        }
        if operation != "REMOVE" {
            change.new_image = item(body::document(h)?, &key_name, &key);
        }
        change.sequence_number = Some(format!("{}", 100_000_000_000_000_000_000u128 + i as u128));
        change.size_bytes = 128;
        change.stream_view_type = Some(StreamViewType::NewAndOldImages);
        let mut record = EventRecord::default();
        record.aws_region = REGION.to_owned();
        record.change = change;
        record.event_id = id;
        record.event_name = operation.to_owned();
        record.event_source = Some("aws:dynamodb".to_owned());
        record.event_version = Some("1.1".to_owned());
        record.event_source_arn = Some(stream_arn.clone());
        event.records.push(record);
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use arbitrary::Unstructured;

    use super::*;
    use crate::Plan;

    static BUCKET: Plan = Plan {
        source: "uploads-bucket",
        events: &["s3:ObjectCreated:*"],
        ..Plan::BASE
    };

    #[test]
    fn the_empty_input_is_a_realistic_notification() {
        let mut u = Unstructured::new(&[]);
        let event = s3(&mut Hostile::new(&mut u, &BUCKET)).unwrap();
        let json = serde_json::to_value(&event).unwrap();
        let record = &json["Records"][0];
        assert_eq!(record["eventName"], "ObjectCreated:Put");
        assert_eq!(record["s3"]["bucket"]["name"], "uploads-bucket");
        assert_eq!(record["s3"]["object"]["key"], "uploads/review-1.jpg");
        let back: S3Event = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
    }

    static TABLE: Plan = Plan {
        source: "orders-stream",
        names: &["version", "invoices"],
        batch_size: 2,
        source_arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/orders/stream/2026-11-23T10:00:00.000",
        ..Plan::BASE
    };

    #[test]
    fn plan_names_become_image_attributes_key_names_and_key_prefixes() {
        let mut u = Unstructured::new(&[]);
        let realistic = dynamodb_stream(&mut Hostile::new(&mut u, &TABLE)).unwrap();
        let record = &realistic.records[0];
        assert_eq!(record.event_source_arn.as_deref(), Some(TABLE.source_arn));
        assert!(record.change.new_image.get("version").is_none());
        assert!(record.change.new_image.get("pk").is_some());
        let (mut new_image, mut old_image, mut key_name, mut prefix) = (false, false, false, false);
        for seed in 0..1000u16 {
            let data = crate::events::seeded(seed, 48);
            let mut u = Unstructured::new(&data);
            let event = dynamodb_stream(&mut Hostile::new(&mut u, &TABLE)).unwrap();
            for record in &event.records {
                new_image |= matches!(
                    record.change.new_image.get("version"),
                    Some(AttributeValue::N(_))
                );
                old_image |= record.change.old_image.get("version").is_some();
                key_name |= record.change.keys.get("invoices").is_some();
            }
            let mut u = Unstructured::new(&data);
            let event = s3(&mut Hostile::new(&mut u, &TABLE)).unwrap();
            prefix |= event.records[0]
                .s3
                .object
                .key
                .as_deref()
                .unwrap_or("")
                .starts_with("invoices/");
        }
        assert!(
            new_image && old_image && key_name && prefix,
            "{new_image} {old_image} {key_name} {prefix}"
        );
    }

    #[test]
    fn keys_are_encoded_and_removals_have_no_new_image() {
        let (mut encoded, mut removal) = (false, false);
        for seed in 0..=255u8 {
            let data = [
                seed,
                seed.wrapping_mul(3),
                seed.rotate_left(3),
                5,
                seed,
                1,
                2,
                3,
            ];
            let mut u = Unstructured::new(&data);
            let event = s3(&mut Hostile::new(&mut u, &BUCKET)).unwrap();
            encoded |= event.records[0]
                .s3
                .object
                .key
                .as_deref()
                .unwrap_or("")
                .contains("%25");
            let mut u = Unstructured::new(&data);
            let stream = dynamodb_stream(&mut Hostile::new(&mut u, &Plan::BASE)).unwrap();
            for record in &stream.records {
                let json = serde_json::to_value(record).unwrap();
                if record.event_name == "REMOVE" {
                    removal = true;
                    assert!(
                        json["dynamodb"]
                            .get("NewImage")
                            .is_none_or(|i| i.as_object().is_some_and(serde_json::Map::is_empty)),
                        "{json}"
                    );
                    // The old image holds the item's key, under the key's name.
                    let key_name = record.change.keys.keys().next().unwrap();
                    assert!(
                        json["dynamodb"]["OldImage"][key_name.as_str()]["S"].is_string(),
                        "{json}"
                    );
                }
            }
        }
        assert!(encoded && removal, "{encoded} {removal}");
    }
}
