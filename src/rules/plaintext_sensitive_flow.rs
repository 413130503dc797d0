use super::{Context, Finding, declare_rule};
use crate::model::Classification;

declare_rule! {
    /// ## What it finds
    /// A flow that crosses a trust boundary without encryption in transit while it carries
    /// confidential or restricted data: a call to an external over plain HTTP or SMTP, an API
    /// that allows plain HTTP, a webhook without TLS. A connection to a store that the model
    /// declares unencrypted (`reads`/`writes: [{to: db, tls: false}]`: a database client without
    /// TLS) is reported even inside one boundary: the network of a VPC is shared by everything
    /// in it, and database credentials travel on the same connection. So is a public bucket
    /// that serves a static website (`website: true`) while it holds confidential data: S3
    /// website endpoints have no HTTPS.
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
        title: "Sensitive data travels without encryption",
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
        let store_connection =
            cx.model.stores.contains_key(&from.id) || cx.model.stores.contains_key(&to.id);
        if flow.encrypted || !(flow.crosses_boundary() || store_connection) {
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
                    "{} flows from `{}` to `{}` in plain text{}",
                    sensitive.join(", "),
                    from.id,
                    to.id,
                    if flow.crosses_boundary() {
                        " across a trust boundary"
                    } else {
                        ""
                    }
                ),
            )
            .qualified(to.id.clone())
            .because(if flow.crosses_boundary() {
                format!("crosses {}", super::quoted(&flow.crosses, ", "))
            } else {
                "a store connection declared `tls: false`".to_owned()
            }),
        );
    }
    for (id, store) in &cx.model.stores {
        if store.website != Some(true) || !store.public.read {
            continue;
        }
        let sensitive = cx.at_least(&store.data, Classification::Confidential);
        if sensitive.is_empty() {
            continue;
        }
        findings.push(
            Finding::new(
                id,
                format!(
                    "{} is served in plain text from the website endpoint of `{id}`",
                    sensitive.join(", ")
                ),
            )
            .because("website: true, public: S3 website endpoints speak HTTP only"),
        );
    }
    findings
}
