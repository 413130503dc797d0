//! The bundled models load cleanly, are the realistic examples the README promises, and draw the
//! same diagram every time.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use std::collections::BTreeSet;
use std::path::Path;

use strider::graph::dot::{DiagramFormat, dot_text, render};
use strider::graph::{Dfd, FlowKind, NodeKind};
use strider::model::{Classification, DataTag, Loaded, TriggerKind, Trust, load};

fn shop() -> Loaded {
    load(Path::new("model/shop.yaml")).unwrap_or_else(|err| panic!("{:#?}", err.diagnostics))
}

#[test]
fn bundled_models_validate_without_warnings() {
    for path in [
        "model/shop.yaml",
        "model/shop-rust.yaml",
        "model/hello.yaml",
        "examples/fuzz-bench/model.yaml",
    ] {
        let loaded =
            load(Path::new(path)).unwrap_or_else(|err| panic!("{path}: {:#?}", err.diagnostics));
        assert!(loaded.warnings.is_empty(), "{path}: {:#?}", loaded.warnings);
    }
}

#[test]
fn shop_is_the_realistic_model_the_readme_promises() {
    let model = shop().model;
    assert!(model.functions.len() >= 8);
    assert!(model.stores.len() >= 5);
    assert!(model.externals.len() >= 2);
    let trusts: BTreeSet<Trust> = model.boundaries.values().map(|b| b.trust).collect();
    assert_eq!(trusts.len(), 3, "untrusted, partner and trusted boundaries");
    let kinds: BTreeSet<TriggerKind> = model
        .functions
        .values()
        .flat_map(|f| f.triggers.iter().map(|t| t.kind))
        .collect();
    for kind in [
        TriggerKind::Http,
        TriggerKind::S3,
        TriggerKind::Sqs,
        TriggerKind::DynamodbStream,
        TriggerKind::Schedule,
        TriggerKind::Cognito,
    ] {
        assert!(kinds.contains(&kind), "no {kind:?} trigger");
    }
    // SNS reaches functions through its subscribed queues.
    assert!(
        model
            .channels
            .values()
            .any(|c| c.kind == strider::model::ChannelKind::Sns && !c.delivers_to.is_empty())
    );
    let tags: BTreeSet<DataTag> = model
        .data
        .values()
        .flat_map(|d| d.tags.iter().copied())
        .collect();
    assert!(tags.contains(&DataTag::Pii) && tags.contains(&DataTag::PciDss));
    assert!(
        model
            .data
            .values()
            .any(|d| d.classification == Classification::Restricted)
    );
    // Every public HTTP trigger has an input schema, and each schema file exists.
    for (id, function) in &model.functions {
        for trigger in function
            .triggers
            .iter()
            .filter(|t| t.kind == TriggerKind::Http)
        {
            let schema = trigger
                .input
                .as_ref()
                .and_then(|i| i.schema.as_ref())
                .unwrap_or_else(|| panic!("{id} has no input schema"));
            assert!(Path::new("model").join(schema).is_file(), "{schema}");
        }
    }
}

#[test]
fn shop_graph_has_a_node_per_element_and_marks_crossings() {
    let loaded = shop();
    let model = &loaded.model;
    let dfd = Dfd::build(model);
    let elements = model.actors.len()
        + model.externals.len()
        + model.channels.len()
        + model.functions.len()
        + model.stores.len();
    assert_eq!(dfd.node_count(), elements);
    // The payment call leaves the account for the partner, encrypted; the SMTP call is in plaintext.
    let call = dfd
        .flows()
        .find(|(_, a, b, f)| {
            a.id == "place-order" && b.id == "payment-gateway" && f.kind == FlowKind::Call
        })
        .unwrap();
    assert!(call.3.crosses_boundary() && call.3.encrypted);
    assert!(call.3.data.contains(&"card-data".to_owned()));
    let smtp = dfd
        .flows()
        .find(|(_, a, b, _)| a.id == "send-email" && b.id == "email-service")
        .unwrap();
    assert!(!smtp.3.encrypted);
    // The unauthenticated admin URL is an entry point; the internal queue is not.
    let entries: Vec<&str> = dfd
        .entry_points(model)
        .into_iter()
        .map(|n| dfd.element(n).id.as_str())
        .collect();
    assert!(
        entries.contains(&"admin-url") && entries.contains(&"shop-api"),
        "{entries:?}"
    );
    assert!(!entries.contains(&"fulfilment-queue"), "{entries:?}");
    // From the public shop API an attacker reaches the orders table.
    let api = dfd.node("shop-api").unwrap();
    let reach: Vec<&str> = dfd
        .reachable(api)
        .into_iter()
        .map(|n| dfd.element(n).id.as_str())
        .collect();
    assert!(
        reach.contains(&"orders-table") && reach.contains(&"payment-gateway"),
        "{reach:?}"
    );
    assert!(
        dfd.graph()
            .node_weights()
            .any(|e| e.kind == NodeKind::Store && e.id == "payments-db")
    );
}

#[test]
fn shop_dot_is_stable() {
    let loaded = shop();
    let dfd = Dfd::build(&loaded.model);
    let dot = dot_text(&loaded.model, &dfd);
    let again = load(Path::new("model/shop.yaml")).unwrap();
    assert_eq!(dot, dot_text(&again.model, &Dfd::build(&again.model)));
    insta::assert_snapshot!("shop_dot", dot);
}

#[test]
fn shop_renders_to_svg_and_png_with_graphviz() {
    let loaded = shop();
    let dfd = Dfd::build(&loaded.model);
    let svg = render(&loaded.model, &dfd, DiagramFormat::Svg)
        .expect("graphviz `dot` must be installed for the tests");
    let svg = String::from_utf8(svg).unwrap();
    assert!(
        svg.contains("<svg")
            && svg.contains("Payment gateway")
            && svg.contains("Shop VPC (trusted)")
    );
    assert_eq!(
        svg.as_bytes(),
        render(&loaded.model, &dfd, DiagramFormat::Svg).unwrap(),
        "SVG is deterministic"
    );
    let png = render(&loaded.model, &dfd, DiagramFormat::Png).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
}

#[test]
fn the_fuzzing_benchmark_has_a_no_op_target_for_every_trigger_kind() {
    // .ci/bench-fuzz measures throughput on these: a kind without a target would go unmeasured.
    let loaded = load(Path::new("examples/fuzz-bench/model.yaml")).unwrap();
    let plan = strider::fuzz::plan(&loaded.model, None).unwrap();
    assert!(plan.skipped.is_empty(), "{:?}", plan.skipped);
    let no_op: BTreeSet<TriggerKind> = plan
        .targets
        .iter()
        .filter(|t| t.function.starts_with("noop-"))
        .map(|t| t.kind)
        .collect();
    let every: BTreeSet<TriggerKind> = loaded
        .model
        .functions
        .values()
        .flat_map(|f| f.triggers.iter().map(|t| t.kind))
        .collect();
    assert_eq!(no_op, every);
    assert!(every.len() >= 13, "{every:?}");
    // An `http`-style (lambda_http) handler behind a function URL gets the payload 2.0 event
    // lambda_http reads, generated as such: no conversion on every execution.
    let url = plan
        .targets
        .iter()
        .find(|t| t.function == "noop-function-url-lambda-http")
        .unwrap();
    assert_eq!(url.generator, "events::http::function_url_as_http_api");
    assert!(url.event_type.ends_with("apigw::ApiGatewayV2httpRequest"));
    assert!(strider_events::events::by_name(url.generator).is_some());
}
