use super::{Context, Finding, declare_rule};
use crate::model::{Classification, DataTag, StoreKind};

declare_rule! {
    /// ## What it finds
    /// A store holding restricted data, card data (`pci-dss`), health data (`hipaa`) or personal
    /// data (`pii`, `gdpr`) without data-plane access logging (`access_logging: true`: S3 server
    /// access logs, CloudTrail data events, database audit logs).
    ///
    /// ## Why it matters
    /// Control-plane logs say who changed the bucket policy, not who read the records. Without
    /// access logs a breach of the data itself cannot be scoped, and regulations that require an
    /// audit trail of access (PCI DSS 10.2, HIPAA §164.312(b)) are not met; for personal data,
    /// a breach that cannot be scoped must be notified as if every record was read (GDPR
    /// Art. 33/34).
    ///
    /// ## Example
    /// ```yaml
    /// payments-db: {kind: aurora, data: [card-data], access_logging: false}
    /// ```
    ///
    /// ## How to fix
    /// Turn on CloudTrail data events for S3 and DynamoDB, database activity streams or audit
    /// logging for RDS/Aurora, and keep the logs where the data's owners cannot delete them.
    ///
    /// Secrets Manager and SSM are not reported: CloudTrail records every read of a secret as a
    /// management event.
    ///
    /// ## False positives
    /// Access logged by a proxy in front of the store: declare `access_logging: true`.
    pub static RULE = {
        id: "STR-016",
        name: "store-without-access-logging",
        title: "Sensitive store without access logging",
        stride: Repudiation,
        sas: ["SAS-5"],
        owasp: ["S10"],
        cwe: [778],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Turn on data-plane access logging (CloudTrail data events, database audit logs) and protect the logs.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, store) in &cx.model.stores {
        if store.access_logging == Some(true)
            || matches!(
                store.kind,
                StoreKind::SecretsManager | StoreKind::Ssm | StoreKind::Bundled
            )
        {
            continue;
        }
        let sensitive: Vec<&String> = store
            .data
            .iter()
            .filter(|d| {
                cx.model.data.get(*d).is_some_and(|a| {
                    a.classification == Classification::Restricted
                        || a.tags.iter().any(|t| {
                            matches!(
                                t,
                                DataTag::PciDss | DataTag::Hipaa | DataTag::Pii | DataTag::Gdpr
                            )
                        })
                })
            })
            .collect();
        if sensitive.is_empty() {
            continue;
        }
        let names: Vec<&str> = sensitive.iter().map(|s| s.as_str()).collect();
        findings.push(
            Finding::new(
                id,
                format!("nobody can tell who read {} in `{id}`", names.join(", ")),
            )
            .because(if store.access_logging.is_some() {
                "access_logging: false"
            } else {
                "no `access_logging` declared"
            }),
        );
    }
    findings
}
