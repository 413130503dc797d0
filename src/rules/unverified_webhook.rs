use super::{Context, Finding, declare_rule};
use crate::model::Auth;

declare_rule! {
    /// ## What it finds
    /// A channel that a third party calls back (a webhook: an external `uses` it) with no
    /// authentication on the channel, so the only proof that a callback comes from the third
    /// party would be a signature the handler checks — and the model does not say it does.
    ///
    /// ## Why it matters
    /// Webhook URLs leak (logs, dashboards, the provider's UI). Whoever calls the URL with a
    /// well-formed body can mark orders paid, cancel subscriptions or trigger refunds.
    ///
    /// ## Example
    /// A payment provider calls `payment-webhook-url` (a function URL with `auth: none`).
    ///
    /// ## How to fix
    /// Verify the provider's signature (HMAC over the raw body with a secret from Secrets
    /// Manager, constant-time compare, timestamp tolerance) before using the body; where the
    /// provider supports it, use mutual TLS or an IP allow-list as well.
    ///
    /// ## False positives
    /// Handlers that verify signatures: declare the callback's input `validated: true` and
    /// track this threat as mitigated with the verification as justification.
    pub static RULE = {
        id: "STR-026",
        name: "unverified-webhook",
        title: "Webhook from a third party without caller verification",
        stride: Spoofing,
        sas: ["SAS-2"],
        owasp: ["S2"],
        cwe: [345, 347],
        capec: [],
        impact_cap: Severe,
        mitigation: "Verify the provider's signature on the raw body before use, with a secret from a secret store.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (external_id, external) in &cx.model.externals {
        for flow in &external.uses {
            let channel_id = flow.target();
            let Some(channel) = cx.model.channels.get(channel_id) else {
                continue;
            };
            if crate::model::protecting(channel.auth, channel.verified)
                .is_some_and(|a| a != Auth::None)
            {
                continue;
            }
            findings.push(
                Finding::new(
                    channel_id,
                    format!("anyone who learns `{channel_id}` can pose as `{external_id}`"),
                )
                .qualified(external_id.clone())
                .because(format!(
                    "`{external_id}` calls `{channel_id}`, which has no authentication"
                )),
            );
        }
    }
    findings
}
