use super::{Context, Finding, declare_rule};
use crate::model::{Classification, StoreKind};

declare_rule! {
    /// ## What it finds
    /// A database or bucket holding confidential or restricted data without backups
    /// (`backup: true`) — and, for S3, without versioning either.
    ///
    /// ## Why it matters
    /// A compromised function with write access, a ransomware actor with stolen keys, or a bug
    /// can delete or overwrite the data; without point-in-time recovery or versions, it is gone.
    ///
    /// ## Example
    /// ```yaml
    /// orders: {kind: dynamodb, data: [order]}
    /// ```
    ///
    /// ## How to fix
    /// Turn on point-in-time recovery (DynamoDB, RDS) or AWS Backup with a vault lock, and S3
    /// versioning with Object Lock for buckets; test restores.
    ///
    /// ## False positives
    /// Data that can be rebuilt from another store: accept, naming the source.
    pub static RULE = {
        id: "STR-039",
        name: "store-without-backup",
        title: "Sensitive data store without backups",
        stride: Tampering,
        sas: ["SAS-3"],
        owasp: ["S6"],
        cwe: [1188],
        capec: [],
        impact_cap: Major,
        mitigation: "Turn on point-in-time recovery or AWS Backup with vault lock; version S3 buckets; test restores.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, store) in &cx.model.stores {
        if matches!(
            store.kind,
            StoreKind::SecretsManager
                | StoreKind::Ssm
                | StoreKind::Elasticache
                | StoreKind::Bundled
        ) || store.backup == Some(true)
        {
            continue;
        }
        if store.kind == StoreKind::S3 && store.versioning == Some(true) {
            continue;
        }
        let Some(level) = cx
            .most_sensitive(&store.data)
            .filter(|c| *c >= Classification::Confidential)
        else {
            continue;
        };
        findings.push(
            Finding::new(
                id,
                format!(
                    "{} data in `{id}` cannot be restored after deletion or tampering",
                    crate::model::kebab(&level)
                ),
            )
            .because(if store.kind == StoreKind::S3 {
                "no `backup: true`, no `versioning: true`"
            } else {
                "no `backup: true`"
            }),
        );
    }
    findings
}
