//! Publishes an event for each change of an order (DynamoDB stream of the orders table).

use aws_lambda_events::dynamodb::Event;
use lambda_runtime::LambdaEvent;
use serde_dynamo::AttributeValue;

use crate::Error;

/// The messages to publish, one per record.
///
/// # Errors
/// Never.
pub async fn handler(event: LambdaEvent<Event>) -> Result<Vec<String>, Error> {
    let mut messages = Vec::new();
    for record in event.payload.records {
        // BUG: a REMOVE record has no new image.
        let image = &record.change.new_image;
        let Some(AttributeValue::S(order_id)) = image.get("pk") else {
            panic!("order record without an order id: {}", record.event_id);
        };
        let status = match image.get("status") {
            Some(AttributeValue::S(status)) => status.as_str(),
            _ => "unknown",
        };
        messages.push(format!(
            "{{\"orderId\":{order_id:?},\"status\":{status:?},\"change\":{:?}}}",
            record.event_name
        ));
    }
    Ok(messages)
}
