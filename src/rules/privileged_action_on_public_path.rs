use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A function reachable from the internet that may take a privileged action on resources of
    /// every name: pass roles, change identities, assume roles, or run any function's code with
    /// that function's role (`iam:PassRole`, `iam:*`, `sts:AssumeRole`, `lambda:InvokeFunction`,
    /// `lambda:UpdateFunctionCode`, `kms:CreateGrant`, `*` — the catalogue's classification, see
    /// `strider::iam::privilege`), whether an inline statement, its role, an AWS managed policy
    /// (`AWSLambdaRole`, `AWSLambda_FullAccess`, `AdministratorAccess`) or a SAM policy template
    /// grants it.
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
    /// managed_policies: [AWSLambdaRole]
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
    for id in cx.model.functions.keys() {
        let Some(exposure) = cx.exposure(id) else {
            continue;
        };
        let actions = cx.privileged_actions(id);
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
