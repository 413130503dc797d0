use super::{Context, Finding, declare_rule};
use crate::model::DataTag;

/// Days of logs that PCI DSS (requirement 10.5.1) asks for.
const MINIMUM_DAYS: u32 = 365;

declare_rule! {
    /// ## What it finds
    /// A function that handles card or health data (tagged `pci-dss` or `hipaa`) whose logs are
    /// kept for less than a year. A log group without a retention period keeps its logs forever
    /// (CloudWatch Logs' default, and the model's when `retention_days` is left out): not short.
    ///
    /// ## Why it matters
    /// Breaches are found months after they happen. PCI DSS requires a year of audit logs
    /// (10.5.1) and HIPAA requires audit controls whose records outlive an investigation.
    ///
    /// ## Example
    /// ```yaml
    /// logging: {enabled: true, retention_days: 14}   # handles card data
    /// ```
    ///
    /// ## How to fix
    /// Keep logs of functions that process regulated data for at least 365 days (archive to S3
    /// Glacier after the hot period).
    ///
    /// ## False positives
    /// Logs shipped to a SIEM that keeps them longer: declare a `siem` control and accept.
    pub static RULE = {
        id: "STR-014",
        name: "short-log-retention",
        title: "Card or health data processed with under a year of logs",
        stride: Repudiation,
        sas: ["SAS-5"],
        owasp: ["S10"],
        cwe: [779],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Keep logs of functions that process regulated data for at least a year.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        let Some(logging) = function.logging.as_ref().filter(|l| l.enabled) else {
            continue;
        };
        let regulated: Vec<&str> = cx
            .function_data(id)
            .iter()
            .flat_map(|d| d.tags.iter())
            .filter(|t| matches!(t, DataTag::PciDss | DataTag::Hipaa))
            .map(|t| {
                if *t == DataTag::PciDss {
                    "pci-dss"
                } else {
                    "hipaa"
                }
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let Some(days) = logging.retention_days.filter(|d| *d < MINIMUM_DAYS) else {
            continue;
        };
        if regulated.is_empty() {
            continue;
        }
        let kept = format!("for {days} days");
        findings.push(
            Finding::new(
                id,
                format!(
                    "`{id}` handles {} data but keeps its logs {kept}",
                    regulated.join(", ")
                ),
            )
            .because(format!("minimum for regulated data: {MINIMUM_DAYS} days")),
        );
    }
    findings
}
