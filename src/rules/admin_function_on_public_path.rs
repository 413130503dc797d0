use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// An administrative function that an attacker reaches from the internet without passing an
    /// authenticator. A function is administrative by explicit model facts only, not by its name
    /// or description:
    ///
    /// - it is declared `administrative: true`;
    /// - one of its routes is on an API or function URL that only administrative actors
    ///   (`administrative: true`) use.
    ///
    /// Privileged permissions (`iam:PassRole`, `lambda:*` on `"*"`) do not make a function
    /// administrative: a public function holding them is `privileged-action-on-public-path`'s
    /// finding, and reporting it twice would say nothing more.
    ///
    /// "Reaches" means what the attacker can make happen: requests, triggers, invocations and
    /// writes that trigger. A function that only reads data the attacker can write is not on a
    /// public path.
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
    /// An administrative route reached through an authenticator the model does not show: declare
    /// the `auth` on the route or its API.
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
    for id in cx.model.functions.keys() {
        let Some(exposure) = cx.exposure(id).filter(|e| e.authenticated_hops == 0) else {
            continue;
        };
        let Some(why) = cx.administrative(id) else {
            continue;
        };
        findings.push(
            Finding::new(id, format!("administrative function `{id}` is reachable from the internet without authentication"))
                .because(format!("administrative: {why}"))
                .because(format!("unauthenticated path: {}", super::quoted(&exposure.path, " → "))),
        );
    }
    findings
}
