use super::{Context, Finding, declare_rule};
use crate::model::ChannelKind;

declare_rule! {
    /// ## What it finds
    /// An API Gateway API (REST, HTTP or WebSocket) that an attacker reaches from the internet
    /// with no request throttling on the API itself (`throttling: {rate_limit, burst_limit}`: a
    /// stage or route throttle, or a usage plan).
    ///
    /// Reserved concurrency on the functions behind it does not count: it caps how many run at
    /// once, not how many requests arrive. A capped function still answers a flood as fast as it
    /// can (a card number or a password guessed per request, each invocation billed), and
    /// everyone else gets throttling errors. `unbounded-concurrency` reports functions with
    /// neither limit; this rule reports the API.
    ///
    /// ## Why it matters
    /// Brute force (credentials, card numbers, coupon codes), scraping and denial of wallet are
    /// all rates. Only the API can refuse requests before they cost anything (SAS-8, OWASP API4:
    /// unrestricted resource consumption).
    ///
    /// ## Example
    /// ```yaml
    /// shop-api: {kind: api-gateway-rest, boundary: cloud, public: true, auth: none}
    /// ```
    ///
    /// ## How to fix
    /// Set stage (or per-route) throttling, or a usage plan with API keys per client, and a
    /// WAF rate-based rule for abusive sources: `throttling: {rate_limit: 50, burst_limit: 100}`.
    ///
    /// ## False positives
    /// Rate limits enforced in front of the API (CloudFront with a WAF rate-based rule): declare
    /// them as `throttling`, or as a `rate-limit` control that applies to the API.
    pub static RULE = {
        id: "STR-044",
        name: "public-api-without-throttling",
        title: "Internet-facing API without request throttling",
        stride: DenialOfService,
        sas: ["SAS-8"],
        owasp: ["S6"],
        cwe: [770, 307],
        capec: [49, 112],
        impact_cap: Moderate,
        mitigation: "Throttle the API (stage or route limits, usage plans) and add a WAF rate-based rule.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    cx.model
        .channels
        .iter()
        .filter(|(_, c)| {
            matches!(
                c.kind,
                ChannelKind::ApiGatewayRest
                    | ChannelKind::ApiGatewayHttp
                    | ChannelKind::ApiGatewayWebsocket
            ) && c.throttling.is_none()
        })
        .filter_map(|(id, _)| {
            let exposure = cx.exposure(id).filter(|_| cx.on_front(id))?;
            Some(
                Finding::new(
                    id,
                    format!("`{id}` accepts requests from the internet at any rate"),
                )
                .because("no `throttling` on the API")
                .because(format!(
                    "reachable via {}",
                    super::quoted(&exposure.path, " → ")
                )),
            )
        })
        .collect()
}
