//! Reserves stock for each order published on the order-events topic (SQS queue subscribed to
//! the SNS topic: each message body is the SNS envelope).

use aws_lambda_events::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use lambda_runtime::LambdaEvent;
use serde::Deserialize;

use crate::Error;

#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "Type")]
    kind: String,
    #[serde(rename = "Message")]
    message: String,
}

/// An order as the shop publishes it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Order {
    /// The order's id.
    pub order_id: String,
    /// What was ordered.
    #[serde(default)]
    pub items: Vec<Line>,
}

/// One line of an order.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Line {
    /// Product.
    pub sku: String,
    /// How many.
    pub quantity: u32,
    /// Price of one, in cents.
    #[serde(default)]
    pub unit_price_cents: u64,
}

/// Average price per unit, for the warehouse's packing slip.
fn average_unit_price(order: &Order) -> u64 {
    let units: u64 = order.items.iter().map(|l| u64::from(l.quantity)).sum();
    let total: u64 = order
        .items
        .iter()
        .map(|l| l.unit_price_cents * u64::from(l.quantity))
        .sum();
    if cfg!(feature = "fix-zero-units") {
        return total.checked_div(units).unwrap_or(0);
    }
    // BUG: an order of zero units divides by zero.
    total / units
}

/// Handles a batch, reporting the messages that failed.
///
/// # Errors
/// Never: failures are reported per message.
pub async fn handler(event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, Error> {
    let mut response = SqsBatchResponse::default();
    for record in event.payload.records {
        let id = record.message_id.clone().unwrap_or_default();
        let fail = |response: &mut SqsBatchResponse, item_identifier: String| {
            let mut failure = BatchItemFailure::default();
            failure.item_identifier = item_identifier;
            response.batch_item_failures.push(failure);
        };
        let Some(order) = record
            .body
            .as_deref()
            .and_then(|b| serde_json::from_str::<Envelope>(b).ok())
            .filter(|e| e.kind == "Notification")
            .and_then(|e| serde_json::from_str::<Order>(&e.message).ok())
        else {
            fail(&mut response, id);
            continue;
        };
        if order.items.is_empty() {
            // BUG: reports the order id where Lambda expects the message id.
            let reported = if cfg!(feature = "fix-order-identifier") {
                id
            } else {
                order.order_id.clone()
            };
            fail(&mut response, reported);
            continue;
        }
        let _slip_price = average_unit_price(&order);
    }
    Ok(response)
}
