use super::context::trigger_qualifier;
use super::{Context, Finding, declare_rule};
use crate::model::{Invocation, TriggerKind};

declare_rule! {
    /// ## What it finds
    /// Events that are dropped silently when the function fails: an asynchronous trigger (S3,
    /// SNS, EventBridge, IoT, e-mail), or an asynchronous invocation by another function
    /// (`invokes: [{to: …, invocation: event}]`), of a function without an `on_failure`
    /// destination.
    /// (Queues without a dead-letter queue are `queue-without-redrive`.) Schedules are not
    /// reported: their events carry nothing but the time, so a failed run loses no data to
    /// replay; that it failed is for its logs and alarms to tell.
    ///
    /// ## Why it matters
    /// After Lambda's two retries, a failing asynchronous event is discarded. Orders,
    /// payments or audit events disappear without a trace, and an attacker who can craft a
    /// failing event can make them disappear on purpose.
    ///
    /// ## Example
    /// ```yaml
    /// triggers: [{kind: s3, source: uploads}]   # and no on_failure
    /// ```
    ///
    /// ## How to fix
    /// Give asynchronously invoked functions an `on_failure` destination (a queue or topic) and
    /// alarm on it.
    ///
    /// ## False positives
    /// Events that are safe to lose (cache warmers, metrics): accept with a justification.
    pub static RULE = {
        id: "STR-009",
        name: "async-trigger-without-dlq",
        title: "Failed asynchronous events are dropped: no failure destination",
        stride: DenialOfService,
        sas: ["SAS-10"],
        owasp: ["S10"],
        cwe: [755],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Give every asynchronously invoked function an on-failure destination and alarm on it.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        for (i, trigger) in function.triggers.iter().enumerate() {
            let Some(source) = trigger.source.as_deref() else {
                continue;
            };
            let asynchronous = matches!(
                trigger.kind,
                TriggerKind::S3
                    | TriggerKind::Sns
                    | TriggerKind::Eventbridge
                    | TriggerKind::Iot
                    | TriggerKind::Email
            );
            if asynchronous && function.on_failure.is_none() {
                findings.push(
                    Finding::new(
                        id,
                        format!(
                            "failed {} events from `{source}` to `{id}` are dropped after retries",
                            kind(trigger.kind)
                        ),
                    )
                    .qualified(trigger_qualifier(function, i))
                    .because("asynchronous invocation, no `on_failure` destination"),
                );
            }
        }
        if function.on_failure.is_some() {
            continue;
        }
        for (caller, other) in &cx.model.functions {
            let asynchronous = other.invokes.iter().any(|flow| {
                flow.target() == id.as_str() && flow.invocation() == Some(Invocation::Event)
            });
            if asynchronous {
                findings.push(
                    Finding::new(
                        id,
                        format!("failed asynchronous invocations of `{id}` by `{caller}` are dropped after retries"),
                    )
                    .qualified(caller.clone())
                    .because(format!(
                        "`{caller}` invokes it with invocation: event, no `on_failure` destination"
                    )),
                );
            }
        }
    }
    findings
}

fn kind(kind: TriggerKind) -> &'static str {
    match kind {
        TriggerKind::S3 => "S3",
        TriggerKind::Sns => "SNS",
        TriggerKind::Eventbridge => "EventBridge",
        TriggerKind::Iot => "IoT",
        _ => "e-mail",
    }
}
