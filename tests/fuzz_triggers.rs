//! `strider fuzz init` on WebSocket, IoT, SES e-mail and direct-invoke triggers: one target per
//! trigger with no warning, realistic events of the right type (the route the model names, the
//! invocation's schema), and a crate that compiles against no-op handlers of each kind.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use std::path::Path;

use strider_events::aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use strider_events::aws_lambda_events::ses::SimpleEmailEvent;

const MODEL: &str = "tests/fixtures/fuzz-triggers/model.yaml";

fn init(dir: &Path) -> std::process::Output {
    common::run(&["fuzz", "init", MODEL, "-o", dir.to_str().unwrap()])
}

fn realistic(dir: &Path, target: &str) -> serde_json::Value {
    let path = dir.join(format!("events/{target}/realistic.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

#[test]
fn every_new_trigger_kind_gets_a_target_with_a_realistic_event() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fuzz");
    let run = init(&dir);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(!stderr.contains("no target"), "{stderr}");
    assert!(!stderr.contains("no generator"), "{stderr}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("strider-fuzz.json")).unwrap()).unwrap();
    let mut kinds: Vec<(String, String)> = manifest["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap().to_owned(),
                t["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    kinds.sort();
    assert_eq!(
        kinds,
        [
            ("on_connect_websocket", "websocket"),
            ("on_invoke_invoke", "invoke"),
            ("on_mail_email", "email"),
            ("on_message_websocket", "websocket"),
            ("on_reading_iot", "iot"),
        ]
        .map(|(n, k)| (n.to_owned(), k.to_owned()))
    );

    // Each realistic event is the type the handler takes, for the route the model names.
    let connect: ApiGatewayWebsocketProxyRequest =
        serde_json::from_value(realistic(&dir, "on_connect_websocket")).unwrap();
    assert_eq!(
        connect.request_context.route_key.as_deref(),
        Some("$connect")
    );
    assert_eq!(connect.headers["sec-websocket-version"], "13");
    let message: ApiGatewayWebsocketProxyRequest =
        serde_json::from_value(realistic(&dir, "on_message_websocket")).unwrap();
    assert_eq!(
        message.request_context.route_key.as_deref(),
        Some("sendMessage")
    );
    let body: serde_json::Value = serde_json::from_str(message.body.as_deref().unwrap()).unwrap();
    assert_eq!(body["action"], "sendMessage");
    let mail: SimpleEmailEvent = serde_json::from_value(realistic(&dir, "on_mail_email")).unwrap();
    assert_eq!(
        mail.records[0].ses.receipt.spf_verdict.status.as_deref(),
        Some("PASS")
    );
    assert_eq!(
        mail.records[0].ses.receipt.action.function_arn.as_deref(),
        Some("arn:aws:lambda:eu-west-1:123456789012:function:on-mail")
    );
    // The invocation follows the function's input schema.
    let job = realistic(&dir, "on_invoke_invoke");
    assert_eq!(job["document_url"], "https://shop.example/a", "{job}");
    assert!(job["jobId"].is_string(), "{job}");
    assert!(realistic(&dir, "on_reading_iot").is_object());
    // The schema travels with the crate; the targets take JSON as it was sent.
    assert!(dir.join("schemas/on_invoke_invoke.json").is_file());
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(lib.contains("pub type Event = serde_json::Value;"));
    assert!(lib.contains("strider_events::events::ses::receipt(h)"));
}

#[test]
fn the_crate_for_every_new_trigger_kind_compiles_without_warnings() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fuzz");
    let run = init(&dir);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    // Compiles without a warning of its own: a function without stores or sinks used to leave
    // `Family` imported and unused.
    common::check_generated_crate(&dir);
}
