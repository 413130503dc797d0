use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A store anyone on the internet may write to without credentials (`public: write`: a
    /// bucket policy granting `s3:PutObject` or `s3:DeleteObject` to `*`, a `PublicReadWrite`
    /// ACL). What writing to it starts is reported too, by `attacker-writable-trigger-store`
    /// and `attacker-content-on-website`; this finding is about the store itself.
    ///
    /// ## Why it matters
    /// Anyone can overwrite or delete what it holds, fill it until the bill hurts, and host
    /// malware or phishing pages under the application's name; whoever reads it later trusts
    /// content nobody vouched for (SAS-3).
    ///
    /// ## Example
    /// ```yaml
    /// feedback-bucket: {kind: s3, public: [read, write]}
    /// ```
    ///
    /// ## How to fix
    /// Remove public write from the bucket policy and ACLs, turn Block Public Access on, and
    /// take uploads through presigned URLs with fixed keys, content types and sizes.
    ///
    /// ## False positives
    /// None when the facts are right: a store meant to take anonymous uploads still needs them
    /// constrained; accept with the constraints as the reason.
    pub static RULE = {
        id: "STR-056",
        name: "publicly-writable-store",
        title: "Store anyone may write to",
        stride: Tampering,
        sas: ["SAS-3"],
        owasp: ["S6"],
        cwe: [732],
        capec: [],
        impact_cap: Major,
        mitigation: "Remove public write; take uploads through presigned URLs with fixed keys, content types and sizes.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    cx.model
        .stores
        .iter()
        .filter(|(_, store)| store.public.write)
        .map(|(id, store)| {
            Finding::new(
                id,
                format!("anyone on the internet may create, overwrite or delete what `{id}` holds"),
            )
            .because(format!("public: {}", store.public.words().join(", ")))
        })
        .collect()
}
