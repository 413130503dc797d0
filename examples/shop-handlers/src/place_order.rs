//! Places an order (`POST /orders` on the shop's REST API), written with lambda_http.

use lambda_http::{Body, Error, Request, Response};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NewOrder {
    product_id: String,
    quantity: u32,
}

const PRODUCTS: [&str; 2] = ["c0ffee-42", "mug-1"];

fn answer(status: u16, content_type: &str, body: String) -> Result<Response<Body>, Error> {
    Ok(Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Body::Text(body))?)
}

/// Validates the order and accepts it.
///
/// # Errors
/// Only when a response cannot be built.
pub async fn handler(request: Request) -> Result<Response<Body>, Error> {
    let Ok(order) = serde_json::from_slice::<NewOrder>(request.body().as_ref()) else {
        return answer(
            400,
            "application/json",
            r#"{"error":"invalid order"}"#.to_owned(),
        );
    };
    if !PRODUCTS.contains(&order.product_id.as_str()) {
        // BUG: the product id goes into HTML unescaped.
        return answer(
            404,
            "text/html",
            format!(
                "<p>Sorry, we have no product {} any more.</p>",
                order.product_id
            ),
        );
    }
    if order.quantity == 0 || order.quantity > 20 {
        return answer(
            400,
            "application/json",
            r#"{"error":"quantity must be 1 to 20"}"#.to_owned(),
        );
    }
    answer(
        201,
        "application/json",
        format!(r#"{{"accepted":{}}}"#, order.quantity),
    )
}
