//! A maintenance back door: one exact body unlocks it.

use aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayProxyResponse};

use crate::Error;

/// Answers 204, except for the back door.
///
/// # Errors
/// Never.
pub fn handler(request: ApiGatewayProxyRequest) -> Result<ApiGatewayProxyResponse, Error> {
    // BUG: a 12-byte literal compared in handler code; nothing in the model names it.
    if request.body.as_deref() == Some("Kq7!vX2#pL9z") {
        panic!("maintenance back door opened");
    }
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = 204;
    Ok(response)
}
