use super::{Context, Finding, declare_rule};
use crate::model::DataTag;

declare_rule! {
    /// ## What it finds
    /// A function whose logs hold personal data — its payloads are logged
    /// (`logging.payloads: true`) and its events carry data tagged `pii` or `gdpr`, or
    /// `logging.data` names such data — and whose log group has no retention period: CloudWatch
    /// Logs then keeps them forever (`retention_days` left out).
    ///
    /// ## Why it matters
    /// Personal data may be kept no longer than its purpose needs (GDPR Art. 5(1)(e), storage
    /// limitation). Logs kept forever hold every customer's data of every day, out of reach of
    /// erasure requests, and grow what a breach of the logging account exposes (SAS-5).
    ///
    /// ## Example
    /// ```yaml
    /// logging: {enabled: true, payloads: true}   # events carry customer profiles; no retention_days
    /// ```
    ///
    /// ## How to fix
    /// Stop logging personal data (log ids, mask fields); set a retention period the purpose
    /// justifies, and archive what audits need without the personal fields.
    ///
    /// ## False positives
    /// Log groups whose retention is set outside the template the model was written from (an
    /// account-wide policy): state `retention_days`.
    pub static RULE = {
        id: "STR-057",
        name: "personal-data-logs-kept-forever",
        title: "Logs holding personal data are kept forever",
        stride: InformationDisclosure,
        sas: ["SAS-5"],
        owasp: ["S3"],
        cwe: [532, 359],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Stop logging personal data and give the log group a retention period its purpose justifies.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let personal = |d: &crate::model::DataAsset| {
        d.tags
            .iter()
            .any(|t| matches!(t, DataTag::Pii | DataTag::Gdpr))
    };
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        let Some(logging) = function.logging.as_ref().filter(|l| l.enabled) else {
            continue;
        };
        if logging.retention_days.is_some() {
            continue;
        }
        let mut logged: Vec<&str> = Vec::new();
        if logging.payloads {
            logged.extend(
                cx.event_data(id)
                    .into_iter()
                    .filter(|d| personal(d))
                    .map(|d| d.name.as_deref().unwrap_or("personal data")),
            );
        }
        logged.extend(
            logging
                .data
                .iter()
                .filter_map(|d| cx.model.data.get(d))
                .filter(|d| personal(d))
                .map(|d| d.name.as_deref().unwrap_or("personal data")),
        );
        logged.sort_unstable();
        logged.dedup();
        if logged.is_empty() {
            continue;
        }
        findings.push(
            Finding::new(
                id,
                format!(
                    "`{id}` logs {} and keeps its logs forever",
                    logged.join(", ")
                ),
            )
            .because("no `retention_days` on its log group"),
        );
    }
    findings
}
