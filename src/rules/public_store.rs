use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A data store that anyone on the internet can read: a public bucket policy or ACL, a public
    /// snapshot, an open search domain (`public: true`).
    ///
    /// ## Why it matters
    /// Public stores are the most common source of serverless data breaches: everything in them,
    /// including files that were never meant to be there, is one URL away (SAS-3).
    ///
    /// ## Example
    /// ```yaml
    /// stores:
    ///   images: {kind: s3, boundary: cloud, public: true}
    /// ```
    ///
    /// ## How to fix
    /// Block public access on the store and serve public content through CloudFront with origin
    /// access control; give clients presigned URLs for private objects.
    ///
    /// ## False positives
    /// Stores that hold only public data by design: track them as `accepted`, and keep anything
    /// else out of them.
    pub static RULE = {
        id: "STR-007",
        name: "public-store",
        title: "Data store readable by anyone",
        stride: InformationDisclosure,
        sas: ["SAS-3"],
        owasp: ["S3", "S6"],
        cwe: [284, 200],
        capec: [],
        impact_cap: Severe,
        mitigation: "Block public access; serve public files through CloudFront with origin access control.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    cx.model
        .stores
        .iter()
        .filter(|(_, store)| store.public)
        .map(|(id, store)| {
            let data = if store.data.is_empty() {
                "no declared data".to_owned()
            } else {
                format!("holds {}", super::quoted(&store.data, ", "))
            };
            Finding::new(
                id,
                format!("store `{id}` is readable by anyone on the internet"),
            )
            .because("public: true")
            .because(data)
        })
        .collect()
}
