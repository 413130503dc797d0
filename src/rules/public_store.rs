use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A data store that anyone on the internet can read or list: a public bucket policy or ACL,
    /// a public snapshot, an open search domain (`public: read` or `list`; `true` is `read`). A
    /// store anyone may only write to is not a disclosure: `attacker-writable-trigger-store` and
    /// `attacker-content-on-website` report what writing to it starts.
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
        .filter(|(_, store)| store.public.read || store.public.list)
        .map(|(id, store)| {
            let data = if store.data.is_empty() {
                "no declared data".to_owned()
            } else {
                format!("holds {}", super::quoted(&store.data, ", "))
            };
            let verbs = match (store.public.read, store.public.list) {
                (true, true) => "readable and listable",
                (true, false) => "readable",
                _ => "listable",
            };
            Finding::new(
                id,
                format!("store `{id}` is {verbs} by anyone on the internet"),
            )
            .because(format!("public: {}", store.public.words().join(", ")))
            .because(data)
        })
        .collect()
}
