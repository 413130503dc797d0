use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// An API that an attacker can reach and that writes no access logs (`access_logs:
    /// false`: no access log settings on its stage). An API that does not say is not reported;
    /// `strider import` states it from the template.
    ///
    /// ## Why it matters
    /// Function logs show what a handler did, not who called: without the API's access log of
    /// caller IP, identity, route, status and latency there is no trail to investigate abuse,
    /// credential stuffing or data exfiltration, and nothing for detection to work on (SAS-5).
    ///
    /// ## Example
    /// ```yaml
    /// orders-api: {kind: api-gateway-rest, public: true, access_logs: false}
    /// ```
    ///
    /// ## How to fix
    /// Turn on stage access logging to CloudWatch Logs or Firehose with a structured format
    /// (request id, source IP, principal, route, status), and keep the logs as long as
    /// incidents need.
    ///
    /// ## False positives
    /// APIs logged by a proxy in front of them (CloudFront, a WAF with full logging): say
    /// `access_logs: true`.
    pub static RULE = {
        id: "STR-054",
        name: "api-without-access-logs",
        title: "Reachable API without access logs",
        stride: Repudiation,
        sas: ["SAS-5"],
        owasp: ["S10"],
        cwe: [778],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Turn on structured stage access logging and keep it as long as investigations need.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    cx.model
        .channels
        .iter()
        .filter(|(id, c)| {
            c.access_logs == Some(false) && cx.exposure(id).is_some() && cx.on_front(id)
        })
        .map(|(id, _)| {
            Finding::new(id, format!("requests to `{id}` leave no access log"))
                .because("access_logs: false")
        })
        .collect()
}
