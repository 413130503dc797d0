use super::{Context, Finding, declare_rule};
use crate::model::{AtRest, Classification};

declare_rule! {
    /// ## What it finds
    /// A store holding confidential or restricted data (or data tagged `pii`, `pci-dss`, `hipaa`,
    /// `gdpr`, `credentials`) that is not encrypted at rest, or does not say that it is.
    ///
    /// ## Why it matters
    /// Backups, snapshots, replicas and misplaced access expose unencrypted data directly;
    /// regulations (PCI DSS 3.5, HIPAA §164.312) require encryption of such data at rest.
    ///
    /// ## Example
    /// ```yaml
    /// invoices: {kind: s3, boundary: cloud, data: [invoice], encryption: {at_rest: none}}
    /// ```
    ///
    /// ## How to fix
    /// Encrypt at rest, with a customer managed KMS key (`at_rest: cmk`) for regulated data so
    /// access to the key is logged and can be revoked.
    ///
    /// ## False positives
    /// Stores encrypted by a mechanism the model does not show: declare `encryption.at_rest`.
    pub static RULE = {
        id: "STR-008",
        name: "unencrypted-store",
        title: "Sensitive data stored without encryption at rest",
        stride: InformationDisclosure,
        sas: ["SAS-3"],
        owasp: ["S3"],
        cwe: [311, 312],
        capec: [],
        impact_cap: Major,
        mitigation: "Encrypt at rest with a KMS key, customer managed for regulated data.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    // Files in a code package are `data-in-code-package`'s: Lambda encrypts packages at rest.
    for (id, store) in cx
        .model
        .stores
        .iter()
        .filter(|(_, s)| s.kind != crate::model::StoreKind::Bundled)
    {
        let sensitive: Vec<&String> = store
            .data
            .iter()
            .filter(|d| {
                cx.model.data.get(*d).is_some_and(|a| {
                    a.classification >= Classification::Confidential || !a.tags.is_empty()
                })
            })
            .collect();
        if sensitive.is_empty() {
            continue;
        }
        let fact = match store.encryption.map(|e| e.at_rest) {
            Some(AtRest::None) => "encryption.at_rest: none",
            None => "no encryption declared",
            Some(_) => continue,
        };
        let data: Vec<&str> = sensitive.iter().map(|d| d.as_str()).collect();
        findings.push(
            Finding::new(
                id,
                format!("store `{id}` keeps {} unencrypted", data.join(", ")),
            )
            .because(fact)
            .because(format!("sensitive data: {}", super::quoted(&data, ", "))),
        );
    }
    findings
}
