use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A function reachable from the internet that may pass roles, assume roles or invoke any
    /// function (`iam:PassRole`, `iam:*`, `sts:AssumeRole`, `lambda:InvokeFunction`, `lambda:*`
    /// or `*` on every resource).
    ///
    /// ## Why it matters
    /// These actions are privilege multipliers: an attacker who controls the function through
    /// its input can create a function with an administrator role, assume other roles, or run any
    /// other function with its permissions. One injection becomes an account takeover.
    ///
    /// ## Example
    /// ```yaml
    /// permissions:
    ///   - {allow: ["iam:PassRole", "lambda:InvokeFunction"], on: ["*"]}
    /// ```
    ///
    /// ## How to fix
    /// Remove these actions from internet-facing functions; where one must invoke another, name
    /// that function's ARN; pass roles only from deployment pipelines, never from functions.
    ///
    /// ## False positives
    /// None on an internet-facing function.
    pub static RULE = {
        id: "STR-030",
        name: "privileged-action-on-public-path",
        title: "Internet-reachable function may pass or assume roles or invoke any function",
        stride: ElevationOfPrivilege,
        sas: ["SAS-4"],
        owasp: ["S5"],
        cwe: [269, 250],
        capec: [233],
        impact_cap: Severe,
        mitigation: "Remove role-passing, role-assuming and invoke-anything permissions from internet-facing functions.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        let Some(exposure) = cx.exposure(id) else {
            continue;
        };
        let permissions = function
            .role
            .as_deref()
            .and_then(|r| cx.model.roles.get(r))
            .map_or(&function.permissions, |role| &role.permissions);
        let mut actions: Vec<&str> = permissions
            .iter()
            .filter(|p| p.on.iter().any(|r| r == "*"))
            .flat_map(|p| p.allow.iter().map(String::as_str))
            .filter(|a| super::context::is_privileged_action(a))
            .collect();
        actions.sort_unstable();
        actions.dedup();
        if actions.is_empty() {
            continue;
        }
        findings.push(
            Finding::new(
                id,
                format!(
                    "`{id}` is reachable from the internet and may {} on every resource",
                    actions.join(", ")
                ),
            )
            .because(format!(
                "reachable via {}",
                super::quoted(&exposure.path, " → ")
            )),
        );
    }
    findings
}
