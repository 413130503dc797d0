//! Refunds, from a JSON body the model gives no schema for.

use aws_lambda_events::apigw::{ApiGatewayV2httpRequest, ApiGatewayV2httpResponse};
use serde_json::Value;

use crate::Error;

/// Accepts a refund request.
///
/// # Errors
/// Never: a body that is not JSON gets a 400.
pub fn handler(request: ApiGatewayV2httpRequest) -> Result<ApiGatewayV2httpResponse, Error> {
    let mut response = ApiGatewayV2httpResponse::default();
    response.status_code = 202;
    let Some(Ok(body)) = request.body.as_deref().map(serde_json::from_str::<Value>) else {
        response.status_code = 400;
        return Ok(response);
    };
    // BUG: three nested conditions on three fields lead to a refund in a currency that has no
    // exchange rate.
    if body.get("kind").and_then(Value::as_str) == Some("chargeback") {
        if body
            .get("amount")
            .and_then(Value::as_i64)
            .is_some_and(|a| a > 50_000)
        {
            if body.get("currency").and_then(Value::as_str) == Some("XBT") {
                panic!("no exchange rate for the refund currency");
            }
        }
    }
    Ok(response)
}
