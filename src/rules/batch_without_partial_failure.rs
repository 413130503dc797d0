use super::context::trigger_qualifier;
use super::{Context, Finding, declare_rule};
use crate::model::TriggerKind;

declare_rule! {
    /// ## What it finds
    /// A batch trigger (SQS, Kinesis, DynamoDB stream) with more than one record per batch whose
    /// handler does not report partial batch failures (`partial_failures: true`,
    /// `ReportBatchItemFailures`).
    ///
    /// ## Why it matters
    /// One bad record fails the whole batch: every good record in it is processed again (twice
    /// paid, twice written), and on streams the shard stops until the record expires. A crafted
    /// record becomes a lever to stall or duplicate everyone else's events.
    ///
    /// ## Example
    /// ```yaml
    /// - {kind: dynamodb-stream, source: orders-stream, batch_size: 100}
    /// ```
    ///
    /// ## How to fix
    /// Return `batchItemFailures` from the handler and turn on `ReportBatchItemFailures`; on
    /// streams also set `BisectBatchOnFunctionError` and a maximum retry age.
    ///
    /// ## False positives
    /// Batches of one (`batch_size: 1`), which this rule does not report.
    pub static RULE = {
        id: "STR-022",
        name: "batch-without-partial-failure",
        title: "Batch trigger fails whole batches for one bad record",
        stride: DenialOfService,
        sas: ["SAS-8"],
        owasp: ["S6"],
        cwe: [755],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Report batch item failures from the handler and turn on ReportBatchItemFailures.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        for (i, trigger) in function.triggers.iter().enumerate() {
            let batched = matches!(
                trigger.kind,
                TriggerKind::Sqs | TriggerKind::Kinesis | TriggerKind::DynamodbStream
            );
            // Lambda's defaults: 10 records for SQS, 100 for streams.
            let size = trigger
                .batch_size
                .unwrap_or(if trigger.kind == TriggerKind::Sqs {
                    10
                } else {
                    100
                });
            if batched && size > 1 && trigger.partial_failures != Some(true) {
                findings.push(
                    Finding::new(
                        id,
                        format!("one bad record fails a batch of up to {size} for `{id}`"),
                    )
                    .qualified(trigger_qualifier(function, i))
                    .because(format!("batch_size: {size}, no partial_failures: true")),
                );
            }
        }
    }
    findings
}
