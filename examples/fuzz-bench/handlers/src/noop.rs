//! Handlers that do nothing with their event, one per way of calling them.

use aws_lambda_events::apigw::ApiGatewayProxyResponse;
use lambda_http::{Body, Request, Response};
use lambda_runtime::LambdaEvent;

use crate::Error;

/// Takes any event and returns nothing (queues, topics, streams, storage, schedules…).
///
/// # Errors
/// Never.
pub fn ignore<E>(_event: E) -> Result<(), Error> {
    Ok(())
}

/// Takes any event and returns it unchanged (Cognito triggers answer with their event).
///
/// # Errors
/// Never.
pub fn echo<E>(event: E) -> Result<E, Error> {
    Ok(event)
}

/// Answers any proxy request with an empty 200.
///
/// # Errors
/// Never.
pub fn respond<E>(_event: E) -> Result<ApiGatewayProxyResponse, Error> {
    let mut response = ApiGatewayProxyResponse::default();
    response.status_code = 200;
    Ok(response)
}

/// A `lambda_runtime` handler that ignores its event.
///
/// # Errors
/// Never.
pub async fn ignore_lambda<E>(_event: LambdaEvent<E>) -> Result<(), Error> {
    Ok(())
}

/// A `lambda_http` handler that answers an empty 200: the request still goes through
/// lambda_http's conversion of the gateway's event.
///
/// # Errors
/// Never.
pub async fn respond_http(_request: Request) -> Result<Response<Body>, Error> {
    Ok(Response::new(Body::Empty))
}
