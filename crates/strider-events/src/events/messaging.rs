//! Messages: SQS batches, SNS notifications, Kinesis batches, EventBridge events and schedules.
//! Quirks: a queue subscribed to a topic receives the SNS envelope as the SQS body, so the
//! handler's data is JSON inside a JSON string inside a JSON string; batches hold 1 to the
//! configured size of records and an id may repeat; Kinesis data is base64 and may be any bytes;
//! EventBridge `detail` is whatever the producer sent.

use std::collections::HashMap;

use arbitrary::Result;
use aws_lambda_events::encodings::SecondTimestamp;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_lambda_events::kinesis::{KinesisEvent, KinesisEventRecord};
use aws_lambda_events::sns::{MessageAttribute, SnsEvent, SnsMessage, SnsRecord};
use aws_lambda_events::sqs::{SqsEvent, SqsMessage, SqsMessageAttribute};
use serde_json::{Value, json};

use super::{ACCOUNT, REGION, arn, batch_ids, event_time, uuid};
use crate::body::{self, Json};
use crate::hostile::Hostile;
use crate::payload::Role;

/// The most message attributes named by [`Hostile::name`] a message gets.
pub const MAX_ATTRIBUTES: usize = 3;

/// A message attribute: name, data type (`String` or `Number`) and value.
type Attribute = (String, &'static str, String);

/// Message attributes the handler may read: up to [`MAX_ATTRIBUTES`], named by
/// [`Hostile::name`], with values for their names; none on choice 0.
fn named_attributes(h: &mut Hostile<'_, '_>) -> Result<Vec<Attribute>> {
    let mut attributes = Vec::new();
    for _ in 0..h.choice(MAX_ATTRIBUTES + 1)? {
        let name = h.name()?;
        let data_type = if body::realistic(&name).0 == Role::Number {
            "Number"
        } else {
            "String"
        };
        let value = body::named_text(h, &name)?;
        attributes.push((name, data_type, value));
    }
    Ok(attributes)
}

/// `arn` when the plan names one, else `fallback`.
fn or(arn: &str, fallback: impl FnOnce() -> String) -> String {
    if arn.is_empty() {
        fallback()
    } else {
        arn.to_owned()
    }
}

fn batch_len(h: &mut Hostile<'_, '_>) -> Result<usize> {
    let most = usize::try_from(h.plan().batch_size)
        .unwrap_or(10)
        .clamp(1, 10_000);
    h.count(most)
}

/// The SNS envelope an SQS queue subscribed to a topic receives, as the body text.
fn sns_envelope(
    h: &mut Hostile<'_, '_>,
    message: &str,
    n: usize,
    attributes: &[Attribute],
) -> Result<String> {
    let topic = or(h.plan().topic_arn, || arn("sns", "order-events"));
    let text = |s: &str| Json::String(s.to_owned());
    let mut envelope: Vec<(String, Json)> = [
        ("Type", text("Notification")),
        ("MessageId", Json::String(uuid(n + 1000))),
        ("TopicArn", Json::String(topic)),
        ("Message", text(message)),
        ("Timestamp", text("2026-11-23T10:00:00.000Z")),
        ("SignatureVersion", text("1")),
        ("Signature", text("EXAMPLE")),
        (
            "SigningCertURL",
            text("https://sns.eu-west-1.amazonaws.com/cert.pem"),
        ),
        (
            "UnsubscribeURL",
            text("https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe"),
        ),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v))
    .collect();
    if !attributes.is_empty() {
        let attributes = attributes
            .iter()
            .map(|(name, data_type, value)| {
                let attribute = vec![
                    ("Type".to_owned(), text(data_type)),
                    ("Value".to_owned(), text(value)),
                ];
                (name.clone(), Json::Object(attribute))
            })
            .collect();
        envelope.push(("MessageAttributes".to_owned(), Json::Object(attributes)));
    }
    let mut set = |key: &str, value: Json| {
        if let Some(field) = envelope.iter_mut().find(|(k, _)| k == key) {
            field.1 = value;
        } else {
            envelope.push((key.to_owned(), value));
        }
    };
    match h.choice(8)? {
        0..=4 => {}
        5 => set("Type", text("SubscriptionConfirmation")),
        6 => set("Subject", Json::String(h.text(Role::Text, "Order placed")?)),
        _ => set(
            "Message",
            Json::Object(vec![("not".to_owned(), text("a string"))]),
        ),
    }
    // Written once, with strider-events' own escaper: the message is the longest field.
    Ok(Json::Object(envelope).to_text())
}

/// A batch of SQS messages from the plan's queue; in an SNS envelope when the queue is
/// subscribed to a topic.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn sqs(h: &mut Hostile<'_, '_>) -> Result<SqsEvent> {
    let n = batch_len(h)?;
    let ids = batch_ids(h, n)?;
    let mut event = SqsEvent::default();
    for (i, id) in ids.into_iter().enumerate() {
        let message = body::text(h)?;
        let mut attributes = named_attributes(h)?;
        // Through a topic, the attributes travel in the envelope.
        let body = if h.plan().sns_envelope && !h.rarely(16)? {
            sns_envelope(h, &message, i, &std::mem::take(&mut attributes))?
        } else {
            message
        };
        let mut record = SqsMessage::default();
        record.message_attributes = attributes
            .into_iter()
            .map(|(name, data_type, value)| {
                let mut attribute = SqsMessageAttribute::default();
                attribute.data_type = Some(data_type.to_owned());
                attribute.string_value = Some(value);
                (name, attribute)
            })
            .collect();
        record.message_id = Some(id);
        record.receipt_handle = Some(format!("AQEB{i:08}"));
        record.body = Some(body);
        record.attributes = HashMap::from([
            ("ApproximateReceiveCount".to_owned(), h.number("1")?),
            ("SentTimestamp".to_owned(), "1795428000000".to_owned()),
        ]);
        record.event_source = Some("aws:sqs".to_owned());
        record.event_source_arn = Some(or(h.plan().source_arn, || arn("sqs", h.plan().source)));
        record.aws_region = Some(REGION.to_owned());
        event.records.push(record);
    }
    Ok(event)
}

/// An SNS notification from the plan's topic.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn sns(h: &mut Hostile<'_, '_>) -> Result<SnsEvent> {
    let plan = h.plan();
    let topic = or(plan.topic_arn, || {
        or(plan.source_arn, || arn("sns", plan.source))
    });
    let mut message = SnsMessage::default();
    message.sns_message_type = "Notification".to_owned();
    message.message_id = uuid(1);
    message.topic_arn = topic.clone();
    message.subject = (h.choice(3)? == 2).then_some(h.text(Role::Text, "Order placed")?);
    message.timestamp = event_time();
    message.signature_version = "1".to_owned();
    message.signature = "EXAMPLE".to_owned();
    message.signing_cert_url = "https://sns.eu-west-1.amazonaws.com/cert.pem".to_owned();
    message.unsubscribe_url = "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe".to_owned();
    message.message = body::text(h)?;
    message.message_attributes = named_attributes(h)?
        .into_iter()
        .map(|(name, data_type, value)| {
            let mut attribute = MessageAttribute::default();
            attribute.data_type = data_type.to_owned();
            attribute.value = value;
            (name, attribute)
        })
        .collect();
    let mut record = SnsRecord::default();
    record.event_source = "aws:sns".to_owned();
    record.event_version = "1.0".to_owned();
    record.event_subscription_arn = format!("{topic}:{}", uuid(2));
    record.sns = message;
    let mut event = SnsEvent::default();
    event.records.push(record);
    Ok(event)
}

/// A batch of Kinesis records from the plan's stream: JSON documents or any bytes.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn kinesis(h: &mut Hostile<'_, '_>) -> Result<KinesisEvent> {
    let n = batch_len(h)?;
    let ids = batch_ids(h, n)?;
    let mut event = KinesisEvent::default();
    for (i, id) in ids.into_iter().enumerate() {
        let data = if h.rarely(6)? {
            h.arbitrary_bytes()?
        } else {
            body::text(h)?.into_bytes()
        };
        let mut record = KinesisEventRecord::default();
        record.aws_region = Some(REGION.to_owned());
        record.event_id = Some(format!("shardId-000000000000:{id}"));
        record.event_name = Some("aws:kinesis:record".to_owned());
        record.event_source = Some("aws:kinesis".to_owned());
        record.event_source_arn = Some(or(h.plan().source_arn, || {
            arn("kinesis", &format!("stream/{}", h.plan().source))
        }));
        record.event_version = Some("1.0".to_owned());
        record.kinesis.approximate_arrival_timestamp = SecondTimestamp(event_time());
        *record.kinesis.data = data;
        record.kinesis.partition_key = h.text(Role::Id, "order-1")?;
        record.kinesis.sequence_number = format!("4959{i:020}");
        event.records.push(record);
    }
    Ok(event)
}

/// An EventBridge event of one of the plan's detail types, its detail from the plan's schema.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn eventbridge(h: &mut Hostile<'_, '_>) -> Result<EventBridgeEvent<Value>> {
    let plan = h.plan();
    let detail_type = plan
        .events
        .get(h.choice(plan.events.len().max(1))?)
        .copied()
        .unwrap_or("Order Placed");
    // The detail as the JSON value it is, without writing and parsing its text.
    let (detail, _) = super::invoke::document(h, plan.max_body)?;
    let mut event = EventBridgeEvent::<Value>::default();
    event.version = Some("0".to_owned());
    event.id = Some(uuid(1));
    event.detail_type = h.text(Role::Text, detail_type)?;
    event.source = h.text(Role::Id, &format!("com.example.{}", plan.source))?;
    event.account = Some(ACCOUNT.to_owned());
    event.time = Some(event_time());
    event.region = Some(REGION.to_owned());
    event.resources = Some(Vec::new());
    event.detail = detail;
    Ok(event)
}

/// A scheduled event (EventBridge Scheduler or a `rate`/`cron` rule): fixed shape, but a handler
/// that trusts `detail`, `resources` or `time` can still be surprised.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn schedule(h: &mut Hostile<'_, '_>) -> Result<EventBridgeEvent<Value>> {
    let plan = h.plan();
    let mut event = EventBridgeEvent::<Value>::default();
    event.version = Some("0".to_owned());
    event.id = Some(uuid(1));
    event.detail_type = "Scheduled Event".to_owned();
    event.source = "aws.events".to_owned();
    event.account = Some(ACCOUNT.to_owned());
    event.time = Some(event_time());
    event.region = Some(REGION.to_owned());
    event.resources = Some(vec![or(plan.source_arn, || {
        arn("events", &format!("rule/{}", plan.source))
    })]);
    event.detail = json!({});
    match h.choice(6)? {
        0..=2 => {}
        3 => event.resources = Some(Vec::new()),
        4 => event.time = None,
        _ => event.detail = super::invoke::document(h, plan.max_body)?.0,
    }
    Ok(event)
}

#[cfg(test)]
mod tests {
    use arbitrary::Unstructured;

    use super::*;
    use crate::Plan;

    static QUEUE: Plan = Plan {
        source: "fulfilment-queue",
        sns_envelope: true,
        batch_size: 10,
        ..Plan::BASE
    };

    #[test]
    fn a_queue_behind_a_topic_gets_the_envelope_with_json_inside_a_string() {
        let mut u = Unstructured::new(&[]);
        let event = sqs(&mut Hostile::new(&mut u, &QUEUE)).unwrap();
        assert_eq!(event.records.len(), 1);
        let body: Value = serde_json::from_str(event.records[0].body.as_deref().unwrap()).unwrap();
        assert_eq!(body["Type"], "Notification");
        let inner: Value = serde_json::from_str(body["Message"].as_str().unwrap()).unwrap();
        assert!(inner.is_object(), "{inner}");
    }

    static NAMED: Plan = Plan {
        source: "orders-queue",
        names: &["tenant", "version"],
        batch_size: 2,
        source_arn: "arn:aws:sqs:eu-west-1:123456789012:orders-queue",
        topic_arn: "arn:aws:sns:eu-west-1:123456789012:invoices",
        ..Plan::BASE
    };

    #[test]
    fn plan_names_become_message_attributes_and_fields() {
        let enveloped = Plan {
            sns_envelope: true,
            ..NAMED
        };
        let mut u = Unstructured::new(&[]);
        let realistic = sqs(&mut Hostile::new(&mut u, &NAMED)).unwrap();
        assert!(realistic.records[0].message_attributes.is_empty());
        let (mut sqs_attribute, mut envelope_attribute, mut on_topic_message, mut field, mut data) =
            (false, false, false, false, false);
        for data_bytes in (0..600).map(|seed| crate::events::seeded(seed, 48)) {
            let mut u = Unstructured::new(&data_bytes);
            let event = sqs(&mut Hostile::new(&mut u, &NAMED)).unwrap();
            for record in &event.records {
                sqs_attribute |= record
                    .message_attributes
                    .get("version")
                    .is_some_and(|a| a.data_type.as_deref() == Some("Number"));
                field |= record.body.as_deref().unwrap_or("").contains("\"tenant\":");
            }
            let mut u = Unstructured::new(&data_bytes);
            let event = sqs(&mut Hostile::new(&mut u, &enveloped)).unwrap();
            for record in &event.records {
                let body: Value =
                    serde_json::from_str(record.body.as_deref().unwrap()).unwrap_or_default();
                envelope_attribute |= body["MessageAttributes"]["tenant"]["Type"] == "String";
                assert!(record.message_attributes.is_empty() || body.get("Type").is_none());
            }
            let mut u = Unstructured::new(&data_bytes);
            let event = sns(&mut Hostile::new(&mut u, &NAMED)).unwrap();
            on_topic_message |= event.records[0]
                .sns
                .message_attributes
                .contains_key("tenant");
            let mut u = Unstructured::new(&data_bytes);
            let event = kinesis(&mut Hostile::new(&mut u, &NAMED)).unwrap();
            data |= event
                .records
                .iter()
                .any(|r| String::from_utf8_lossy(&r.kinesis.data).contains("\"version\":"));
        }
        assert!(
            sqs_attribute && envelope_attribute && on_topic_message && field && data,
            "{sqs_attribute} {envelope_attribute} {on_topic_message} {field} {data}"
        );
    }

    #[test]
    fn arns_come_from_the_plan() {
        let enveloped = Plan {
            sns_envelope: true,
            ..NAMED
        };
        let mut u = Unstructured::new(&[]);
        let event = sqs(&mut Hostile::new(&mut u, &enveloped)).unwrap();
        let record = &event.records[0];
        assert_eq!(record.event_source_arn.as_deref(), Some(NAMED.source_arn));
        let body: Value = serde_json::from_str(record.body.as_deref().unwrap()).unwrap();
        assert_eq!(body["TopicArn"], NAMED.topic_arn);
        let event = sns(&mut Hostile::new(&mut u, &NAMED)).unwrap();
        assert_eq!(event.records[0].sns.topic_arn, NAMED.topic_arn);
        // Without ARNs in the plan, the generators name them after the source.
        let event = sns(&mut Hostile::new(&mut u, &QUEUE)).unwrap();
        assert!(
            event.records[0]
                .sns
                .topic_arn
                .ends_with(":fulfilment-queue")
        );
    }

    #[test]
    fn batches_stay_within_the_size_and_sometimes_repeat_an_id() {
        let mut repeated = false;
        let mut largest = 0;
        for seed in 0..256 {
            let data = crate::events::seeded(seed, 40);
            let mut u = Unstructured::new(&data);
            let event = sqs(&mut Hostile::new(&mut u, &QUEUE)).unwrap();
            largest = largest.max(event.records.len());
            let mut ids: Vec<_> = event.records.iter().map(|r| r.message_id.clone()).collect();
            let before = ids.len();
            ids.sort();
            ids.dedup();
            repeated |= ids.len() < before;
        }
        assert!(largest <= 10 && largest > 1, "{largest}");
        assert!(repeated);
    }

    #[test]
    fn every_kind_round_trips_through_json() {
        let data = [7u8; 64];
        let mut u = Unstructured::new(&data);
        let k = kinesis(&mut Hostile::new(&mut u, &Plan::BASE)).unwrap();
        assert_eq!(
            serde_json::from_value::<KinesisEvent>(serde_json::to_value(&k).unwrap()).unwrap(),
            k
        );
        let s = sns(&mut Hostile::new(&mut u, &Plan::BASE)).unwrap();
        assert_eq!(
            serde_json::from_value::<SnsEvent>(serde_json::to_value(&s).unwrap()).unwrap(),
            s
        );
        let e = schedule(&mut Hostile::new(&mut u, &Plan::BASE)).unwrap();
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["detail-type"], "Scheduled Event");
    }
}
