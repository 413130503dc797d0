//! Renders a document fetched from a URL the caller gives.

use aws_lambda_events::apigw::{ApiGatewayProxyRequest, ApiGatewayProxyResponse};

use crate::Error;

/// Fetches the document named by the `document_url` query parameter.
///
/// # Errors
/// Never.
pub fn handler(request: ApiGatewayProxyRequest) -> Result<ApiGatewayProxyResponse, Error> {
    if let Some(url) = request.query_string_parameters.first("document_url") {
        // BUG: any scheme is fetched (file://, gopher://, an internal http:// address…).
        assert!(
            url.starts_with("https://"),
            "fetches a document URL that is not HTTPS"
        );
    }
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = 200;
    Ok(response)
}
