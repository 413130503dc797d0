use super::context::trigger_qualifier;
use super::{Context, Finding, declare_rule};
use crate::model::Auth;

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
    cx.routes()
        .into_iter()
        .filter(|route| route.auth == Some(Auth::ApiKey))
        .map(|route| {
            Finding::new(
                route.function_id,
                format!(
                    "`{}` trusts anyone holding the API key of `{}`",
                    route.function_id, route.source
                ),
            )
            .qualified(trigger_qualifier(route.function, route.index))
            .because("auth: api-key")
        })
        .collect()
}
