use super::{Context, Finding, declare_rule};
use crate::model::{AtRest, Classification, DataTag};

declare_rule! {
    /// ## What it finds
    /// A store holding card or health data (`pci-dss`, `hipaa`), or personal data (`pii`,
    /// `gdpr`) classified `restricted`, encrypted only with a key the provider owns or manages
    /// (`at_rest: provider` or `kms`), not a customer managed key.
    ///
    /// ## Why it matters
    /// With a customer managed key, every decryption is an auditable KMS call that the data's
    /// owner can restrict by key policy, revoke in an incident, and rotate on their schedule —
    /// the key-management controls PCI DSS 3.6/3.7 and HIPAA risk analyses ask for.
    ///
    /// ## Example
    /// ```yaml
    /// payments: {kind: dynamodb, data: [card-data], encryption: {at_rest: provider}}
    /// ```
    ///
    /// ## How to fix
    /// Encrypt with a customer managed KMS key (`at_rest: cmk`) whose key policy names only the
    /// roles that must decrypt.
    ///
    /// ## False positives
    /// Stores outside the regulated scope by design (tokens only): correct the data tags.
    pub static RULE = {
        id: "STR-035",
        name: "regulated-data-without-cmk",
        title: "Card or health data without a customer managed key",
        stride: InformationDisclosure,
        sas: ["SAS-3"],
        owasp: ["S3"],
        cwe: [320],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Encrypt regulated data with a customer managed KMS key with a narrow key policy.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, store) in &cx.model.stores {
        let Some(at_rest) = store
            .encryption
            .map(|e| e.at_rest)
            .filter(|a| matches!(a, AtRest::Provider | AtRest::Kms))
        else {
            continue;
        };
        let mut regulated = cx.tagged(&store.data, &[DataTag::PciDss, DataTag::Hipaa]);
        // Personal data counts when it is classified restricted (special categories, identity
        // documents): the sensitivity GDPR's Art. 32 weighs, not every e-mail address.
        let restricted = cx.at_least(&store.data, Classification::Restricted);
        for personal in cx.tagged(&store.data, &[DataTag::Pii, DataTag::Gdpr]) {
            if restricted.contains(&personal) && !regulated.contains(&personal) {
                regulated.push(personal);
            }
        }
        regulated.sort_unstable();
        if regulated.is_empty() {
            continue;
        }
        findings.push(
            Finding::new(
                id,
                format!(
                    "`{id}` protects {} with a key its owner does not control",
                    regulated.join(", ")
                ),
            )
            .because(format!(
                "encryption.at_rest: {}",
                crate::model::kebab(&at_rest)
            )),
        );
    }
    findings
}
