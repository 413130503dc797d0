use super::{Context, Finding, declare_rule};
use crate::graph::NodeKind;
use crate::model::DataTag;

declare_rule! {
    /// ## What it finds
    /// Personal, card or health data (`pii`, `gdpr`, `pci-dss`, `hipaa`) sent to an external
    /// service in another trust boundary.
    ///
    /// ## Why it matters
    /// Regulated data that leaves the system extends its compliance scope to the receiver: GDPR
    /// needs a processing agreement and a lawful transfer, PCI DSS needs the receiver to be a
    /// compliant service provider, HIPAA a business associate agreement. Each transfer is also
    /// another place the data can leak from.
    ///
    /// ## Example
    /// ```yaml
    /// calls: [{to: email-service, data: [customer-profile]}]   # a marketing agency's relay
    /// ```
    ///
    /// ## How to fix
    /// Send the minimum (ids or tokens instead of data), and record the agreement that covers the
    /// transfer: track the threat as mitigated with the agreement as justification.
    ///
    /// ## False positives
    /// Transfers covered by an agreement: track them as `mitigated` or `accepted`.
    pub static RULE = {
        id: "STR-036",
        name: "regulated-data-leaves-boundary",
        title: "Regulated data sent to a third party",
        stride: InformationDisclosure,
        sas: ["SAS-3"],
        owasp: ["S3"],
        cwe: [359],
        capec: [],
        impact_cap: Major,
        mitigation: "Send the minimum; cover every transfer of regulated data with an agreement and record it.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (_, from, to, flow) in cx.dfd.flows() {
        if to.kind != NodeKind::External || !flow.crosses_boundary() {
            continue;
        }
        let regulated = cx.tagged(
            &flow.data,
            &[DataTag::Pii, DataTag::Gdpr, DataTag::PciDss, DataTag::Hipaa],
        );
        if regulated.is_empty() {
            continue;
        }
        findings.push(
            Finding::new(
                &from.id,
                format!(
                    "`{}` sends {} to `{}`",
                    from.id,
                    regulated.join(", "),
                    to.id
                ),
            )
            .qualified(to.id.clone())
            .because(format!("crosses {}", super::quoted(&flow.crosses, ", "))),
        );
    }
    findings
}
