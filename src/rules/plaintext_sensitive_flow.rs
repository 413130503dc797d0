use super::{Context, Finding, declare_rule};
use crate::model::Classification;

declare_rule! {
    /// ## What it finds
    /// A flow that crosses a trust boundary without encryption in transit while it carries
    /// confidential or restricted data: a call to an external over plain HTTP or SMTP, an API
    /// that allows plain HTTP, a webhook without TLS.
    ///
    /// ## Why it matters
    /// Anyone on the network path between the boundaries can read and change the data: personal
    /// data, card data or credentials in clear text on the internet.
    ///
    /// ## Example
    /// ```yaml
    /// email-service: {boundary: internet, protocol: smtp, tls: false}   # receives customer profiles
    /// ```
    ///
    /// ## How to fix
    /// Use TLS for every flow that leaves a boundary (HTTPS, SMTPS/STARTTLS required, TLS for
    /// database connections), and refuse plain-text fallbacks.
    ///
    /// ## False positives
    /// Flows protected by a VPN or PrivateLink the model does not show: declare `tls: true`.
    pub static RULE = {
        id: "STR-017",
        name: "plaintext-sensitive-flow",
        title: "Sensitive data crosses a trust boundary without encryption",
        stride: InformationDisclosure,
        sas: ["SAS-3"],
        owasp: ["S3"],
        cwe: [319],
        capec: [157],
        impact_cap: Severe,
        mitigation: "Use TLS on every flow that leaves a trust boundary and refuse plain-text fallbacks.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, from, to, flow) in cx.dfd.flows() {
        if flow.encrypted || !flow.crosses_boundary() {
            continue;
        }
        let sensitive = cx.at_least(&flow.data, Classification::Confidential);
        if sensitive.is_empty() {
            continue;
        }
        findings.push(
            Finding::new(
                &from.id,
                format!(
                    "{} flows from `{}` to `{}` in plain text across a trust boundary",
                    sensitive.join(", "),
                    from.id,
                    to.id
                ),
            )
            .qualified(to.id.clone())
            .because(format!("crosses {}", super::quoted(&flow.crosses, ", "))),
        );
    }
    findings
}
