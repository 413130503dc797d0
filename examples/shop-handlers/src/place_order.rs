//! Places an order (`POST /orders` on the shop's REST API), written with lambda_http.

use lambda_http::{Body, Error, Request, Response};
use serde::Deserialize;

/// The body, as `model/schemas/place-order.json` describes it (the parts this handler reads).
#[derive(Deserialize)]
struct NewOrder {
    items: Vec<Line>,
}

#[derive(Deserialize)]
struct Line {
    sku: String,
    quantity: u32,
}

const CATALOGUE: [&str; 2] = ["MUG-0001", "TEA-0007"];

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
    for line in &order.items {
        if !CATALOGUE.contains(&line.sku.as_str()) {
            // BUG: the SKU goes into HTML unescaped.
            return answer(
                404,
                "text/html",
                format!("<p>Sorry, we have no product {} any more.</p>", line.sku),
            );
        }
        if line.quantity == 0 || line.quantity > 99 {
            return answer(
                400,
                "application/json",
                r#"{"error":"quantity must be 1 to 99"}"#.to_owned(),
            );
        }
    }
    answer(
        201,
        "application/json",
        format!(r#"{{"lines":{}}}"#, order.items.len()),
    )
}
