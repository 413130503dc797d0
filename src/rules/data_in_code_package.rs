use super::{Context, Finding, declare_rule};
use crate::model::{Classification, StoreKind};

declare_rule! {
    /// ## What it finds
    /// Confidential or restricted data shipped in a function's code package or a layer (a
    /// `bundled` store: a SQLite database, a key file, a configuration with customer data),
    /// with the functions that read it.
    ///
    /// ## Why it matters
    /// Whoever may download the code — `lambda:GetFunction` or `GetLayerVersion`, which
    /// read-only and CI roles usually have, the artefact bucket, the repository — has the data;
    /// every published version keeps its copy, and it cannot be rotated, deleted per record or
    /// access-logged (SAS-7).
    ///
    /// ## Example
    /// ```yaml
    /// inventory-db: {kind: bundled, data: [customer-list]}
    /// ```
    ///
    /// ## How to fix
    /// Keep data out of packages: load it at run time from a store with its own access control
    /// and logging (S3, DynamoDB, Secrets Manager for keys), and purge old versions that carry it.
    ///
    /// ## False positives
    /// Data that is public or internal in fact: classify it so.
    pub static RULE = {
        id: "STR-055",
        name: "data-in-code-package",
        title: "Sensitive data shipped in a code package",
        stride: InformationDisclosure,
        sas: ["SAS-7"],
        owasp: ["S3"],
        cwe: [540, 312],
        capec: [],
        impact_cap: Major,
        mitigation: "Load sensitive data at run time from a store with its own access control and logging; purge old versions that carry it.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, store) in &cx.model.stores {
        if store.kind != StoreKind::Bundled {
            continue;
        }
        let sensitive = cx.at_least(&store.data, Classification::Confidential);
        if sensitive.is_empty() {
            continue;
        }
        let readers: Vec<&str> = cx
            .model
            .functions
            .iter()
            .filter(|(_, f)| f.reads.iter().any(|r| r.target() == id.as_str()))
            .map(|(f, _)| f.as_str())
            .collect();
        let mut finding = Finding::new(
            id,
            format!(
                "{} ships in the code package as `{id}`",
                sensitive.join(", ")
            ),
        )
        .because("kind: bundled");
        if !readers.is_empty() {
            finding = finding.because(format!("read by {}", super::quoted(&readers, ", ")));
        }
        findings.push(finding);
    }
    findings
}
