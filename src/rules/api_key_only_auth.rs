use super::context::trigger_qualifier;
use super::{Context, Finding, declare_rule};
use crate::model::{Auth, TriggerKind};

declare_rule! {
    /// ## What it finds
    /// A route whose only authentication is an API key (`auth: api-key`).
    ///
    /// ## Why it matters
    /// API keys identify a client application, not a user: they are embedded in apps and web
    /// pages, shared, logged and rarely rotated. API Gateway documents them for usage plans, not
    /// for authorization. Anyone who finds the key is the client (SAS-2).
    ///
    /// ## Example
    /// ```yaml
    /// - {kind: http, source: partner-api, auth: api-key}
    /// ```
    ///
    /// ## How to fix
    /// Authenticate callers with IAM (SigV4), OAuth/JWT or mutual TLS; keep API keys for
    /// metering and throttling.
    ///
    /// ## False positives
    /// None: an API key alone is not authentication.
    pub static RULE = {
        id: "STR-025",
        name: "api-key-only-auth",
        title: "API key as the only authentication",
        stride: Spoofing,
        sas: ["SAS-2"],
        owasp: ["S2"],
        cwe: [1390, 287],
        capec: [],
        impact_cap: Severe,
        mitigation: "Authenticate callers with IAM, JWT/OAuth or mutual TLS; use API keys only for usage plans.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        for (i, trigger) in function.triggers.iter().enumerate() {
            if !matches!(trigger.kind, TriggerKind::Http | TriggerKind::Websocket) {
                continue;
            }
            let Some(source) = trigger.source.as_deref() else {
                continue;
            };
            let auth = trigger
                .auth
                .or_else(|| cx.model.channels.get(source).and_then(|c| c.auth));
            if auth == Some(Auth::ApiKey) {
                findings.push(
                    Finding::new(
                        id,
                        format!("`{id}` trusts anyone holding the API key of `{source}`"),
                    )
                    .qualified(trigger_qualifier(function, i))
                    .because("auth: api-key"),
                );
            }
        }
    }
    findings
}
