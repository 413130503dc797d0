use super::context::trigger_qualifier;
use super::{Context, Finding, declare_rule};
use crate::model::TriggerKind;

declare_rule! {
    /// ## What it finds
    /// Events that are dropped silently when the function fails: an asynchronous trigger (S3,
    /// SNS, EventBridge, schedules, IoT, e-mail) on a function without an `on_failure`
    /// destination, and an SQS queue that triggers a function but has no dead-letter queue.
    ///
    /// ## Why it matters
    /// After Lambda's retries, a failing asynchronous event is discarded; a poison message on a
    /// queue without redrive is retried until it expires, blocking or slowing the rest. Orders,
    /// payments or audit events disappear without a trace, and an attacker who can craft a
    /// failing event can make them disappear on purpose.
    ///
    /// ## Example
    /// ```yaml
    /// email-queue: {kind: sqs, boundary: cloud}        # no dlq
    /// ```
    ///
    /// ## How to fix
    /// Give queues a dead-letter queue (`dlq`, `max_receive_count`), give asynchronous functions
    /// an `on_failure` destination, and alarm on both.
    ///
    /// ## False positives
    /// Events that are safe to lose (cache warmers, metrics): accept with a justification.
    pub static RULE = {
        id: "STR-009",
        name: "async-trigger-without-dlq",
        title: "Failed events are dropped: no dead-letter queue or failure destination",
        stride: DenialOfService,
        sas: ["SAS-10"],
        owasp: ["S10"],
        cwe: [755],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Add a dead-letter queue to every queue and an on-failure destination to every asynchronously invoked function; alarm on them.",
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
                    | TriggerKind::Schedule
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
            if trigger.kind == TriggerKind::Sqs
                && cx
                    .model
                    .channels
                    .get(source)
                    .is_some_and(|q| q.dlq.is_none())
            {
                findings.push(
                    Finding::new(
                        id,
                        format!("queue `{source}` that triggers `{id}` has no dead-letter queue"),
                    )
                    .qualified(trigger_qualifier(function, i))
                    .because(format!("`{source}` has no `dlq`")),
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
        TriggerKind::Schedule => "scheduled",
        TriggerKind::Iot => "IoT",
        _ => "e-mail",
    }
}
