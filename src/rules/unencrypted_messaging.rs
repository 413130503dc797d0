use super::{Context, Finding, declare_rule};
use crate::model::{AtRest, ChannelKind, Classification};

declare_rule! {
    /// ## What it finds
    /// A queue, topic, stream or event bus that carries confidential or restricted data without
    /// server-side encryption (`encryption.at_rest` absent or `none`).
    ///
    /// ## Why it matters
    /// Messages wait in the service for seconds to days; without encryption they are readable by
    /// anyone who gets read access to the queue or its backups, and the KMS key's access log does
    /// not record who read them.
    ///
    /// ## Example
    /// ```yaml
    /// email-queue: {kind: sqs, boundary: cloud, data: [order]}
    /// ```
    ///
    /// ## How to fix
    /// Turn on server-side encryption with a KMS key (`SqsManagedSseEnabled` is the minimum;
    /// a customer managed key for regulated data).
    ///
    /// ## False positives
    /// Channels that carry ids only while the model lists the full data: correct `data`.
    pub static RULE = {
        id: "STR-024",
        name: "unencrypted-messaging",
        title: "Sensitive messages stored unencrypted in a queue, topic or stream",
        stride: InformationDisclosure,
        sas: ["SAS-3"],
        owasp: ["S3"],
        cwe: [311],
        capec: [],
        impact_cap: Major,
        mitigation: "Turn on server-side encryption with a KMS key.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, channel) in &cx.model.channels {
        if !matches!(
            channel.kind,
            ChannelKind::Sqs | ChannelKind::Sns | ChannelKind::Kinesis | ChannelKind::Eventbridge
        ) {
            continue;
        }
        if channel
            .encryption
            .is_some_and(|e| e.at_rest != AtRest::None)
        {
            continue;
        }
        let sensitive = cx.at_least(&channel.data, Classification::Confidential);
        if sensitive.is_empty() {
            continue;
        }
        findings.push(
            Finding::new(
                id,
                format!(
                    "`{id}` keeps {} unencrypted while messages wait",
                    sensitive.join(", ")
                ),
            )
            .because("no server-side encryption"),
        );
    }
    findings
}
