use super::context::trigger_qualifier;
use super::{Context, Finding, declare_rule};
use crate::model::{Function, Sink, SinkKind, StoreKind, TriggerKind};

declare_rule! {
    /// ## What it finds
    /// A trigger whose events an attacker can shape — its source is reachable from an untrusted
    /// entry point, directly or through other functions, queues, topics, buckets and streams —
    /// and whose input is not validated against a schema (`input.validated` on the trigger or the
    /// function). The finding names the sinks that make injection worse: SQL and NoSQL stores,
    /// search clusters, external calls (SSRF), invoked functions, and the `sinks` the model
    /// declares in the handler's code that its events feed. A trigger whose handler ignores the
    /// event (`input: {used: false}`: a static page, a health check) is not reported.
    ///
    /// A function can also take attacker-shaped input from another function that invokes it
    /// with what it received. Such an invocation is reported when the invoking function is
    /// reachable from an untrusted entry point, the invoked one does not validate its input, and
    /// it declares a sink that its events feed (`sinks: [{kind: code, from: [event]}]`): an
    /// internal call is the caller's code shaping a payload, so without a declared sink it is
    /// left to the caller's own trigger finding.
    ///
    /// ## Why it matters
    /// Serverless functions take input from many event sources, not only HTTP: an S3 object key,
    /// an SQS body, an SNS message or a stream record is attacker-controlled when an attacker can
    /// put it there. Event-data injection is the first serverless risk (SAS-1).
    ///
    /// ## Example
    /// An upload API lets customers put objects into a bucket; a function triggered by the bucket
    /// passes the object key to ImageMagick without validating it.
    ///
    /// ## How to fix
    /// Declare and enforce a schema for every trigger (`input: {schema: …, validated: true}`):
    /// API Gateway request validation, or validation in the handler before use. Treat keys,
    /// bodies and attributes of internal events as untrusted too.
    ///
    /// ## False positives
    /// Events validated upstream in a way the model does not show; mark the trigger's input
    /// `validated: true` when the handler enforces the schema.
    pub static RULE = {
        id: "STR-002",
        name: "event-injection",
        title: "Attacker-influenced event without input validation",
        stride: Tampering,
        sas: ["SAS-1"],
        owasp: ["S1"],
        cwe: [20, 74],
        capec: [152],
        impact_cap: Severe,
        mitigation: "Validate every event against a schema before use, whatever its source, and treat internal events as untrusted.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        let function_validated = function
            .input
            .as_ref()
            .is_some_and(|i| i.validated.is_true());
        let sinks = sinks(cx, function);
        for (i, trigger) in function.triggers.iter().enumerate() {
            if matches!(
                trigger.kind,
                TriggerKind::Schedule | TriggerKind::CustomResource
            ) {
                continue;
            }
            let Some(source) = trigger.source.as_deref() else {
                continue;
            };
            let Some(exposure) = cx.exposure(source) else {
                continue;
            };
            if function_validated
                || trigger
                    .input
                    .as_ref()
                    .is_some_and(|input| input.validated.is_true())
            {
                continue;
            }
            // A handler that ignores its event (a static page) takes nothing from it; the
            // trigger's own `input` says so before the function's.
            if trigger
                .input
                .as_ref()
                .or(function.input.as_ref())
                .is_some_and(|input| !input.is_used())
            {
                continue;
            }
            let mut finding = Finding::new(
                id,
                format!("`{id}` takes {} events from `{source}`, which an attacker can influence, without validating them", kind_word(trigger.kind)),
            )
            .qualified(trigger_qualifier(function, i))
            .because(format!("attacker path: {}", super::quoted(&exposure.path, " → ")));
            finding = match trigger
                .input
                .as_ref()
                .and_then(|input| input.schema.as_ref())
            {
                Some(schema) => finding.because(format!(
                    "input schema `{schema}` is declared but not enforced"
                )),
                None => finding.because("no input schema"),
            };
            if !sinks.is_empty() {
                finding = finding.because(format!("sinks: {}", sinks.join(", ")));
            }
            findings.push(finding);
        }
        if !function_validated {
            findings.extend(invocations(cx, id, function));
        }
    }
    findings
}

/// Findings for the attacker-reachable functions that invoke `function`, when one of its
/// declared sinks takes its events.
fn invocations(cx: &Context<'_>, id: &str, function: &Function) -> Vec<Finding> {
    let event_sinks: Vec<String> = function
        .sinks
        .iter()
        .filter(|s| s.from_event())
        .map(sink_word)
        .collect();
    if event_sinks.is_empty() {
        return Vec::new();
    }
    // An `invoke` trigger's input facts speak for what invocations deliver.
    let invoke_input = function
        .triggers
        .iter()
        .filter(|t| t.kind == TriggerKind::Invoke)
        .find_map(|t| t.input.as_ref());
    if invoke_input.is_some_and(|i| i.validated.is_true() || !i.is_used()) {
        return Vec::new();
    }
    let mut findings = Vec::new();
    for (caller_id, caller) in &cx.model.functions {
        if caller_id == id || !caller.invokes.iter().any(|flow| flow.target() == id) {
            continue;
        }
        let Some(exposure) = cx.exposure(caller_id) else {
            continue;
        };
        findings.push(
            Finding::new(
                id,
                format!("`{id}` is invoked by `{caller_id}`, which an attacker can reach, and passes what it receives to {} without validating it", event_sinks.join(", ")),
            )
            .qualified(caller_id.clone())
            .because(format!("attacker path: {}", super::quoted(&exposure.path, " → ")))
            .because(format!("declared sinks fed by its events: {}", event_sinks.join(", "))),
        );
    }
    findings
}

/// A declared sink in words: its kind and, when given, where it is.
pub(super) fn sink_word(sink: &Sink) -> String {
    let kind = match sink.kind {
        SinkKind::Command => "an OS command",
        SinkKind::Code => "code evaluation",
        SinkKind::Deserialization => "unsafe deserialisation",
        SinkKind::Sql => "a SQL query",
        SinkKind::Nosql => "a NoSQL query",
        SinkKind::Markup => "unescaped markup",
        SinkKind::Template => "a template engine",
        SinkKind::Path => "a file path",
        SinkKind::Url => "an outbound request URL",
    };
    match &sink.at {
        Some(at) => format!("{kind} (`{at}`)"),
        None => kind.to_owned(),
    }
}

fn kind_word(kind: TriggerKind) -> &'static str {
    match kind {
        TriggerKind::Http => "HTTP",
        TriggerKind::Websocket => "WebSocket",
        TriggerKind::S3 => "S3",
        TriggerKind::Sqs => "SQS",
        TriggerKind::Sns => "SNS",
        TriggerKind::DynamodbStream => "DynamoDB stream",
        TriggerKind::Kinesis => "Kinesis",
        TriggerKind::Eventbridge => "EventBridge",
        TriggerKind::Schedule => "scheduled",
        TriggerKind::Cognito => "Cognito",
        TriggerKind::Iot => "IoT",
        TriggerKind::Email => "e-mail",
        TriggerKind::Invoke => "invocation",
        TriggerKind::CustomResource => "custom-resource",
    }
}

/// Where injected input can do damage: the kinds of place the function writes to or calls.
fn sinks(cx: &Context<'_>, function: &Function) -> Vec<String> {
    let mut sinks: Vec<String> = function
        .sinks
        .iter()
        .filter(|s| s.from_event())
        .map(sink_word)
        .collect();
    for flow in function.writes.iter().chain(&function.reads) {
        if let Some(store) = cx.model.stores.get(flow.target()) {
            let sink = match store.kind {
                StoreKind::Rds | StoreKind::Aurora | StoreKind::Redshift => {
                    format!("SQL database `{}`", flow.target())
                }
                StoreKind::Dynamodb | StoreKind::Documentdb => {
                    format!("NoSQL store `{}`", flow.target())
                }
                StoreKind::Opensearch => format!("search cluster `{}`", flow.target()),
                _ => continue,
            };
            sinks.push(sink);
        }
    }
    for flow in &function.calls {
        if cx.model.externals.contains_key(flow.target()) {
            sinks.push(format!("outbound call to `{}` (SSRF)", flow.target()));
        } else {
            sinks.push(format!("request to API `{}`", flow.target()));
        }
    }
    for flow in &function.invokes {
        sinks.push(format!("invocation of `{}`", flow.target()));
    }
    sinks.sort();
    sinks.dedup();
    sinks
}
