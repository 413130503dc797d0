use super::{Context, Finding, declare_rule};
use crate::model::{Classification, StoreKind};

declare_rule! {
    /// ## What it finds
    /// A bucket holding confidential or restricted data whose S3 Block Public Access is
    /// switched off (`public_access_block: false`). Object ACLs in force (`acls: true`) are
    /// named too: with both, any writer can make an object public with one header. A bucket
    /// that says nothing has S3's default since April 2023 (block on, ACLs disabled) and is not
    /// reported; a bucket that anyone may already read or list is `public-store`'s finding.
    ///
    /// ## Why it matters
    /// Block Public Access is the guard rail that keeps one wrong bucket policy, object ACL or
    /// presigned-upload parameter from publishing the data. Without it, a single mistake in code
    /// or configuration — or an attacker who can write objects — makes personal data public
    /// (SAS-3).
    ///
    /// ## Example
    /// ```yaml
    /// receipts: {kind: s3, data: [receipt], public_access_block: false, acls: true}
    /// ```
    ///
    /// ## How to fix
    /// Turn all four Block Public Access settings on (on the account, too) and set object
    /// ownership to `BucketOwnerEnforced`; share objects through presigned URLs or CloudFront
    /// with origin access control.
    ///
    /// ## False positives
    /// Buckets whose account-level block is on while the model only states the bucket's: say
    /// `public_access_block: true`.
    pub static RULE = {
        id: "STR-052",
        name: "bucket-without-public-access-block",
        title: "Bucket of sensitive data without Block Public Access",
        stride: InformationDisclosure,
        sas: ["SAS-3"],
        owasp: ["S3"],
        cwe: [732],
        capec: [],
        impact_cap: Major,
        mitigation: "Turn S3 Block Public Access on and set object ownership to BucketOwnerEnforced.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, store) in &cx.model.stores {
        if store.kind != StoreKind::S3
            || store.public.read
            || store.public.list
            || store.public_access_block != Some(false)
        {
            continue;
        }
        let sensitive = cx.at_least(&store.data, Classification::Confidential);
        if sensitive.is_empty() {
            continue;
        }
        let mut finding = Finding::new(
            id,
            format!(
                "`{id}` holds {} with S3 Block Public Access switched off",
                sensitive.join(", ")
            ),
        )
        .because("public_access_block: false");
        if store.acls == Some(true) {
            finding = finding.because("acls: true — writers can make objects public with an ACL");
        }
        findings.push(finding);
    }
    findings
}
