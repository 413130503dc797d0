use super::{Context, Finding, declare_rule};
use crate::model::{Classification, DataTag};

declare_rule! {
    /// ## What it finds
    /// A function that writes personal data, card data, health data or credentials to its log:
    /// whole event payloads (`logging.payloads: true`) when its events carry such data — what
    /// its triggers' sources hold or carry (not a bucket's objects: a notification only names
    /// them), requests into an API it alone is behind, and what other functions invoke it with —
    /// or such data named in `logging.data` (an item it reads and prints). Data it only reads or
    /// writes elsewhere is not in its payloads.
    ///
    /// ## Why it matters
    /// Logs are read by many more people and tools than the data store, kept for a long time and
    /// copied to other systems: a card number or a password in a log line is a breach (PCI DSS
    /// 3.3 forbids storing sensitive authentication data; GDPR minimisation applies).
    ///
    /// ## Example
    /// ```yaml
    /// logging: {enabled: true, payloads: true}   # its queue carries customer profiles
    /// ```
    /// or
    /// ```yaml
    /// logging: {enabled: true, data: [order]}    # it prints the order it reads
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
        let Some(logging) = function.logging.as_ref().filter(|l| l.enabled) else {
            continue;
        };
        let mut logged: Vec<(&crate::model::DataAsset, &str)> = Vec::new();
        if logging.payloads {
            logged.extend(
                cx.event_data(id)
                    .into_iter()
                    .map(|d| (d, "logging.payloads: true")),
            );
        }
        logged.extend(
            logging
                .data
                .iter()
                .filter_map(|d| cx.model.data.get(d))
                .map(|d| (d, "logging.data")),
        );
        logged.retain(|(d, _)| sensitive(d));
        if logged.is_empty() {
            continue;
        }
        let mut names: Vec<&str> = logged
            .iter()
            .map(|(d, _)| d.name.as_deref().unwrap_or("sensitive data"))
            .collect();
        names.sort_unstable();
        names.dedup();
        let mut reasons: Vec<&str> = logged.iter().map(|(_, why)| *why).collect();
        reasons.sort_unstable();
        reasons.dedup();
        let mut finding =
            Finding::new(id, format!("`{id}` writes {} to its log", names.join(", ")));
        for reason in reasons {
            finding = finding.because(reason);
        }
        findings.push(finding);
    }
    findings
}

fn sensitive(data: &crate::model::DataAsset) -> bool {
    data.classification == Classification::Restricted
        || data.tags.iter().any(|t| {
            matches!(
                t,
                DataTag::Pii | DataTag::PciDss | DataTag::Hipaa | DataTag::Credentials
            )
        })
}
