use super::{Context, Finding, declare_rule};
use crate::model::ChannelKind;

declare_rule! {
    /// ## What it finds
    /// A queue, topic, stream, event bus or IoT rule that anyone can publish to (`public: true`:
    /// a resource policy with `Principal: *` and no conditions).
    ///
    /// ## Why it matters
    /// Every function behind it takes whatever a stranger sends: forged orders, poison messages,
    /// floods that scale consumers out and run up the bill.
    ///
    /// ## Example
    /// ```yaml
    /// orders-queue: {kind: sqs, boundary: cloud, public: true}
    /// ```
    ///
    /// ## How to fix
    /// Restrict the resource policy to named principals, or to a source ARN / source account
    /// condition for service-to-service delivery (SNS to SQS, S3 to SNS).
    ///
    /// ## False positives
    /// Channels meant to take events from anyone (rare): accept, and validate every message.
    pub static RULE = {
        id: "STR-027",
        name: "public-messaging-channel",
        title: "Queue, topic or stream anyone can publish to",
        stride: Tampering,
        sas: ["SAS-3"],
        owasp: ["S6"],
        cwe: [284],
        capec: [],
        impact_cap: Severe,
        mitigation: "Restrict the resource policy to named principals or source ARN/account conditions.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    cx.model
        .channels
        .iter()
        .filter(|(_, c)| {
            c.public
                && matches!(
                    c.kind,
                    ChannelKind::Sqs
                        | ChannelKind::Sns
                        | ChannelKind::Kinesis
                        | ChannelKind::Eventbridge
                        | ChannelKind::Iot
                )
        })
        .map(|(id, c)| {
            Finding::new(id, format!("anyone can publish to `{id}`"))
                .because(format!("public {} channel", crate::model::kebab(&c.kind)))
        })
        .collect()
}
