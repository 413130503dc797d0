use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// An API or load balancer that accepts plain HTTP (`tls: false`).
    ///
    /// ## Why it matters
    /// Requests and responses — tokens, cookies, personal data — travel readable and changeable
    /// by anyone on the path; a session token sniffed once is an account taken over.
    ///
    /// ## Example
    /// ```yaml
    /// legacy-alb: {kind: alb, public: true, tls: false}
    /// ```
    ///
    /// ## How to fix
    /// Serve HTTPS only (an HTTPS listener with an ACM certificate and a TLS 1.2+ policy) and
    /// redirect or refuse HTTP; API Gateway and function URLs are HTTPS-only by design.
    ///
    /// ## False positives
    /// TLS terminated in front of the API (CloudFront): declare `tls: true`.
    pub static RULE = {
        id: "STR-029",
        name: "api-without-tls",
        title: "API accepts plain HTTP",
        stride: InformationDisclosure,
        sas: ["SAS-3"],
        owasp: ["S3"],
        cwe: [319],
        capec: [157],
        impact_cap: Severe,
        mitigation: "Serve HTTPS only with a TLS 1.2+ policy; redirect or refuse HTTP.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    cx.model
        .channels
        .iter()
        .filter(|(_, c)| c.tls == Some(false))
        .map(|(id, _)| {
            Finding::new(id, format!("`{id}` accepts requests in plain HTTP")).because("tls: false")
        })
        .collect()
}
