//! Lists products (`GET /products` on the shop's REST API).

use aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayProxyResponse};
use aws_lambda_events::encodings::Body;

use crate::Error;

const CATALOGUE: [&str; 3] = ["c0ffee-42", "mug-1", "tea-7"];

/// One page of products as JSON.
///
/// # Errors
/// Never: bad parameters get a 400.
pub fn handler(request: ApiGatewayProxyRequest) -> Result<ApiGatewayProxyResponse, Error> {
    let mut response = ApiGatewayProxyResponse::default();
    let limit = request
        .query_string_parameters
        .first("limit")
        .unwrap_or("20");
    let Ok(limit) = limit.parse::<i64>() else {
        response.status_code = 400;
        response.body = Some(Body::Text(
            r#"{"error":"limit must be a number"}"#.to_owned(),
        ));
        return Ok(response);
    };
    // BUG: a negative limit becomes a huge capacity.
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "the planted bug"
    )]
    let mut page: Vec<&str> = Vec::with_capacity(limit.min(100) as usize);
    page.extend(CATALOGUE.iter().take(page.capacity()));
    response.status_code = 200;
    response.body = Some(Body::Text(serde_json::to_string(&page)?));
    Ok(response)
}
