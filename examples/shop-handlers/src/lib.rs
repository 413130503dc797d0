//! Rust handlers of the shop model (`model/shop.yaml`), written the way such handlers often are —
//! with bugs an attacker's event reaches. strider's fuzzing demo generates cargo-fuzz targets for
//! them from the model (`fuzz:` on each function) and must find every planted bug:
//!
//! | handler | trigger | style | planted bug |
//! |---|---|---|---|
//! | [`process_upload`] | S3 | plain | decodes the object key twice: `%2e%2e%2f` passes the `..` check, then escapes the work directory |
//! | [`fulfil_order`] | SQS fed by SNS | lambda | an order whose items all have quantity 0 divides by zero — only inside an SNS envelope |
//! | [`fulfil_order`] | SQS fed by SNS | lambda | reports a failed order by its order id, not the message id (`batchItemFailures` contract) |
//! | [`publish_order_events`] | DynamoDB stream | lambda | assumes every record has a new image: a `REMOVE` record panics |
//! | [`place_order`] | REST API | http | echoes an unknown SKU into an HTML error page (reflected XSS) |
//! | [`payment_webhook`] | function URL | lambda | trusts a base64 body to be UTF-8 |
//! | [`post_confirmation`] | Cognito | plain | cuts the display name at a byte offset inside a character |
//! | [`list_products`] | REST API | plain | casts a negative `limit` to `usize` and reserves that much |

#![allow(
    clippy::missing_panics_doc,
    clippy::unused_async,
    clippy::needless_pass_by_value,
    reason = "handlers keep lambda_runtime's signatures (async, events by value); their panics are the planted bugs"
)]

pub mod fulfil_order;
pub mod list_products;
pub mod payment_webhook;
pub mod place_order;
pub mod post_confirmation;
pub mod process_upload;
pub mod publish_order_events;

/// The error every handler returns, as lambda_runtime expects.
pub type Error = Box<dyn std::error::Error + Send + Sync>;
