use super::{Context, Finding, declare_rule};
use crate::model::{Classification, DataTag};

declare_rule! {
    /// ## What it finds
    /// A function that logs whole event payloads (`logging.payloads: true`) while it handles
    /// personal data, card data, health data or credentials.
    ///
    /// ## Why it matters
    /// Logs are read by many more people and tools than the data store, kept for a long time and
    /// copied to other systems: a card number or a password in a log line is a breach (PCI DSS
    /// 3.3 forbids storing sensitive authentication data; GDPR minimisation applies).
    ///
    /// ## Example
    /// ```yaml
    /// logging: {enabled: true, payloads: true}   # the function reads customer profiles
    /// ```
    ///
    /// ## How to fix
    /// Log ids and outcomes, not payloads; if payloads are needed for debugging, mask the
    /// sensitive fields before logging.
    ///
    /// ## False positives
    /// Payloads masked by a logging library: declare `payloads: false`.
    pub static RULE = {
        id: "STR-015",
        name: "payload-logging",
        title: "Sensitive payloads written to logs",
        stride: InformationDisclosure,
        sas: ["SAS-5"],
        owasp: ["S3"],
        cwe: [532],
        capec: [],
        impact_cap: Major,
        mitigation: "Log ids and outcomes, not payloads; mask sensitive fields when payloads must be logged.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        if !function.logging.is_some_and(|l| l.enabled && l.payloads) {
            continue;
        }
        let sensitive: Vec<&str> = cx
            .function_data(id)
            .iter()
            .filter(|d| {
                d.classification == Classification::Restricted
                    || d.tags.iter().any(|t| {
                        matches!(
                            t,
                            DataTag::Pii | DataTag::PciDss | DataTag::Hipaa | DataTag::Credentials
                        )
                    })
            })
            .map(|d| d.name.as_deref().unwrap_or("sensitive data"))
            .collect();
        if sensitive.is_empty() {
            continue;
        }
        findings.push(
            Finding::new(
                id,
                format!(
                    "`{id}` logs whole payloads that carry {}",
                    sensitive.join(", ")
                ),
            )
            .because("logging.payloads: true"),
        );
    }
    findings
}
