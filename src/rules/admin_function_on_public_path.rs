use super::{Context, Finding, declare_rule};

/// Words in an id, name or description that mark administrative functions.
const ADMIN_WORDS: [&str; 5] = [
    "admin",
    "backoffice",
    "back-office",
    "internal",
    "maintenance",
];

declare_rule! {
    /// ## What it finds
    /// A function whose id, name or description says it is administrative (admin, back office,
    /// internal, maintenance) and that an attacker reaches from the internet without passing an
    /// authenticator.
    ///
    /// ## Why it matters
    /// Administrative functions export, delete and reconfigure. "Temporarily public" admin
    /// endpoints are a classic breach: found by scanners within hours, exploited without skill.
    ///
    /// ## Example
    /// An "export customers" function behind a function URL with `auth: none`.
    ///
    /// ## How to fix
    /// Put administrative functions behind IAM-authenticated APIs in a separate, private
    /// boundary (or make them console/CLI-only invocations), never on public routes.
    ///
    /// ## False positives
    /// Functions named "admin" that are not administrative: rename them or accept.
    pub static RULE = {
        id: "STR-031",
        name: "admin-function-on-public-path",
        title: "Administrative function reachable from the internet without authentication",
        stride: ElevationOfPrivilege,
        sas: ["SAS-2", "SAS-4"],
        owasp: ["S5"],
        cwe: [285, 306],
        capec: [],
        impact_cap: Severe,
        mitigation: "Keep administrative functions behind IAM authentication in a private boundary.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        let Some(exposure) = cx.exposure(id).filter(|e| e.authenticated_hops == 0) else {
            continue;
        };
        let text = format!(
            "{id} {} {}",
            function.name.as_deref().unwrap_or(""),
            function.description.as_deref().unwrap_or("")
        )
        .to_lowercase();
        let Some(word) = ADMIN_WORDS.iter().find(|w| text.contains(*w)) else {
            continue;
        };
        findings.push(
            Finding::new(id, format!("administrative function `{id}` is reachable from the internet without authentication"))
                .because(format!("named or described as `{word}`"))
                .because(format!("unauthenticated path: {}", super::quoted(&exposure.path, " → "))),
        );
    }
    findings
}
