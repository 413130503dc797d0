use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A function on an attacker's path without distributed tracing (`tracing: true`: X-Ray or
    /// OpenTelemetry). On the path means the attacker can make it run from an untrusted entry
    /// point: through requests, triggers, deliveries, invocations and writes that trigger. A
    /// function that only reads data an attacker can write (data poisoning) is not counted; nor
    /// is one that touches nothing else (no reads, writes, calls or invocations: a static page),
    /// since there is nothing to follow past it and its own log records the request.
    ///
    /// ## Why it matters
    /// An attack on an event-driven system crosses many functions, queues and topics. Without
    /// traces an investigation cannot follow a malicious event from the API to the table it
    /// changed, and cannot tell which requests caused a cost spike.
    ///
    /// ## Example
    /// A queue consumer behind a public API with no `tracing`.
    ///
    /// ## How to fix
    /// Turn on active tracing (`Tracing: Active` in SAM) and propagate trace context through
    /// queues and topics.
    ///
    /// ## False positives
    /// Functions traced by a vendor agent the model does not mention: declare `tracing: true`.
    pub static RULE = {
        id: "STR-013",
        name: "missing-tracing",
        title: "Function on an attacker's path without tracing",
        stride: Repudiation,
        sas: ["SAS-5"],
        owasp: ["S10"],
        cwe: [778],
        capec: [],
        impact_cap: Minor,
        mitigation: "Turn on active tracing and propagate trace context through queues and topics.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    cx.model
        .functions
        .iter()
        .filter(|(id, f)| f.tracing != Some(true) && cx.exposure(id).is_some())
        .filter(|(_, f)| {
            !(f.reads.is_empty()
                && f.writes.is_empty()
                && f.calls.is_empty()
                && f.invokes.is_empty())
        })
        .map(|(id, _)| {
            Finding::new(
                id,
                format!("`{id}` is reachable from the internet but not traced"),
            )
            .because("no `tracing: true`")
        })
        .collect()
}
