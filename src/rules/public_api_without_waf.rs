use super::{Context, Finding, declare_rule};
use crate::model::ChannelKind;

declare_rule! {
    /// ## What it finds
    /// An API, function URL or load balancer reachable from the internet without a web
    /// application firewall (`waf: true`).
    ///
    /// ## Why it matters
    /// Defence in depth (its impact is capped at minor): a WAF drops known attack payloads (SQL injection, known-bad inputs, scanners) and enforces
    /// rate-based rules before they cost an invocation. Without one, every probe reaches the code.
    ///
    /// ## Example
    /// ```yaml
    /// admin-url: {kind: function-url, public: true}
    /// ```
    ///
    /// ## How to fix
    /// Attach AWS WAF with the managed core rule set and a rate-based rule. REST APIs, WebSocket
    /// APIs and ALBs take a web ACL directly; put CloudFront with a web ACL in front of HTTP APIs
    /// and function URLs. A declared `waf` control lowers the residual risk.
    ///
    /// ## False positives
    /// A WAF the model does not show (in CloudFront, in another account): declare a `waf` control.
    pub static RULE = {
        id: "STR-028",
        name: "public-api-without-waf",
        title: "Internet-facing API without a web application firewall",
        stride: Tampering,
        sas: ["SAS-1"],
        owasp: ["S6"],
        cwe: [693],
        capec: [],
        impact_cap: Minor,
        mitigation: "Attach AWS WAF (directly, or through CloudFront) with the core rule set and a rate-based rule.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    cx.model
        .channels
        .iter()
        .filter(|(id, c)| {
            matches!(
                c.kind,
                ChannelKind::ApiGatewayRest
                    | ChannelKind::ApiGatewayHttp
                    | ChannelKind::ApiGatewayWebsocket
                    | ChannelKind::FunctionUrl
                    | ChannelKind::Alb
            ) && c.waf != Some(true)
                && cx.exposure(id).is_some()
                && cx.on_front(id)
        })
        .map(|(id, c)| {
            let direct = matches!(
                c.kind,
                ChannelKind::ApiGatewayRest | ChannelKind::ApiGatewayWebsocket | ChannelKind::Alb
            );
            Finding::new(
                id,
                format!("every request to `{id}` reaches the code unfiltered"),
            )
            .because(if direct {
                "no `waf: true`".to_owned()
            } else {
                format!(
                    "a {} takes no web ACL: put CloudFront with WAF in front",
                    crate::model::kebab(&c.kind)
                )
            })
        })
        .collect()
}
