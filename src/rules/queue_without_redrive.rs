use super::{Context, Finding, declare_rule};
use crate::model::ChannelKind;

declare_rule! {
    /// ## What it finds
    /// An SQS queue with no dead-letter queue (`dlq`), unless it is itself a dead-letter queue.
    ///
    /// ## Why it matters
    /// A message its consumer cannot process (a poison message, crafted or not) is received again
    /// and again until its retention ends: it blocks FIFO queues, burns invocations, and is then
    /// deleted without a trace.
    ///
    /// ## Example
    /// ```yaml
    /// email-queue: {kind: sqs, boundary: cloud}
    /// ```
    ///
    /// ## How to fix
    /// Give the queue a redrive policy: `dlq: <queue>` with `max_receive_count` of 3–5, and
    /// alarm on messages in the dead-letter queue.
    ///
    /// ## False positives
    /// Queues whose consumer deletes every message it cannot process, after logging it: accept.
    pub static RULE = {
        id: "STR-021",
        name: "queue-without-redrive",
        title: "Queue without a dead-letter queue",
        stride: DenialOfService,
        sas: ["SAS-8"],
        owasp: ["S6"],
        cwe: [755],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Give every queue a dead-letter queue with a max receive count, and alarm on it.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let dead_letter_queues: Vec<&str> = cx
        .model
        .channels
        .values()
        .filter_map(|c| c.dlq.as_deref())
        .chain(
            cx.model
                .functions
                .values()
                .filter_map(|f| f.on_failure.as_deref()),
        )
        .collect();
    cx.model
        .channels
        .iter()
        .filter(|(id, c)| {
            c.kind == ChannelKind::Sqs
                && c.dlq.is_none()
                && !dead_letter_queues.contains(&id.as_str())
        })
        .map(|(id, _)| {
            Finding::new(
                id,
                format!("poison messages on `{id}` are retried until they expire"),
            )
            .because("no `dlq`")
        })
        .collect()
}
