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
use aws_lambda_events::sns::{SnsEvent, SnsMessage, SnsRecord};
use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use serde_json::{Value, json};

use super::{ACCOUNT, REGION, arn, batch_ids, event_time, uuid};
use crate::body;
use crate::hostile::Hostile;
use crate::payload::Role;

fn batch_len(h: &mut Hostile<'_, '_>) -> Result<usize> {
    let most = usize::try_from(h.plan().batch_size)
        .unwrap_or(10)
        .clamp(1, 10_000);
    h.count(most)
}

/// The SNS envelope an SQS queue subscribed to a topic receives, as the body text.
fn sns_envelope(h: &mut Hostile<'_, '_>, message: &str, n: usize) -> Result<String> {
    let topic = arn("sns", "order-events");
    let mut envelope = json!({
        "Type": "Notification",
        "MessageId": uuid(n + 1000),
        "TopicArn": topic,
        "Message": message,
        "Timestamp": "2026-11-23T10:00:00.000Z",
        "SignatureVersion": "1",
        "Signature": "EXAMPLE",
        "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/cert.pem",
        "UnsubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=Unsubscribe",
    });
    match h.choice(8)? {
        0..=4 => {}
        5 => envelope["Type"] = json!("SubscriptionConfirmation"),
        6 => envelope["Subject"] = json!(h.text(Role::Text, "Order placed")?),
        _ => envelope["Message"] = json!({"not": "a string"}),
    }
    Ok(envelope.to_string())
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
        let body = if h.plan().sns_envelope && !h.rarely(16)? {
            sns_envelope(h, &message, i)?
        } else {
            message
        };
        let mut record = SqsMessage::default();
        record.message_id = Some(id);
        record.receipt_handle = Some(format!("AQEB{i:08}"));
        record.body = Some(body);
        record.attributes = HashMap::from([
            ("ApproximateReceiveCount".to_owned(), h.number("1")?),
            ("SentTimestamp".to_owned(), "1795428000000".to_owned()),
        ]);
        record.event_source = Some("aws:sqs".to_owned());
        record.event_source_arn = Some(arn("sqs", h.plan().source));
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
    let topic = arn("sns", h.plan().source);
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
        record.event_source_arn = Some(arn("kinesis", &format!("stream/{}", h.plan().source)));
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
    let detail = body::text(h)?;
    let mut event = EventBridgeEvent::<Value>::default();
    event.version = Some("0".to_owned());
    event.id = Some(uuid(1));
    event.detail_type = h.text(Role::Text, detail_type)?;
    event.source = h.text(Role::Id, &format!("com.example.{}", plan.source))?;
    event.account = Some(ACCOUNT.to_owned());
    event.time = Some(event_time());
    event.region = Some(REGION.to_owned());
    event.resources = Some(Vec::new());
    event.detail = serde_json::from_str(&detail).unwrap_or(Value::String(detail));
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
    event.resources = Some(vec![arn("events", &format!("rule/{}", plan.source))]);
    event.detail = json!({});
    match h.choice(6)? {
        0..=2 => {}
        3 => event.resources = Some(Vec::new()),
        4 => event.time = None,
        _ => event.detail = serde_json::from_str(&body::text(h)?).unwrap_or(Value::Null),
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

    #[test]
    fn batches_stay_within_the_size_and_sometimes_repeat_an_id() {
        let mut repeated = false;
        let mut largest = 0;
        for seed in 0..=255u8 {
            let data: Vec<u8> = (0..40u8).map(|i| seed ^ i.wrapping_mul(17)).collect();
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
