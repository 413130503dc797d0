use super::{Context, Finding, declare_rule};
use crate::iam::{ActionProblem, Origin, catalogue};

declare_rule! {
    /// ## What it finds
    /// A permission a function's role holds — inline, or in the shared role it runs as — that
    /// names an action AWS does not define: a misspelling (`sts:GetCallerIdentify`), a service
    /// prefix that does not exist (`dynamo:GetItem`), or a pattern that matches no action
    /// (`s3:Gett*`). Actions are checked against the IAM action catalogue strider embeds (the
    /// AWS Service Authorization Reference); `strider validate` points at the statement and
    /// suggests the closest action. Managed policies and SAM policy templates come from the
    /// catalogue and are not checked here.
    ///
    /// ## Why it matters
    /// Such a statement grants nothing. The call it was written for fails with `AccessDenied`
    /// in production, and the policy says the function may do something it may not — so reviews
    /// and least-privilege work start from a false picture, and the usual "fix" under pressure is
    /// a wildcard.
    ///
    /// ## Example
    /// ```yaml
    /// permissions:
    ///   - {allow: ["sts:GetCallerIdentify"], on: ["*"]}
    /// ```
    ///
    /// ## How to fix
    /// Write the action as the Service Authorization Reference spells it, or drop the statement
    /// if the call needs no permission (`sts:GetCallerIdentity` needs none).
    ///
    /// ## False positives
    /// Actions newer than strider's catalogue: regenerate it (`.ci/iam-catalogue`) or accept.
    pub static RULE = {
        id: "STR-047",
        name: "unknown-iam-action",
        title: "Permission names an action AWS does not define",
        stride: DenialOfService,
        sas: ["SAS-4"],
        owasp: ["S6"],
        cwe: [1068],
        capec: [],
        impact_cap: Minor,
        mitigation: "Spell the action as the AWS Service Authorization Reference does, or drop a statement the code does not need.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for id in cx.model.functions.keys() {
        // Each unknown action once per function, with the first statement that names it.
        let mut seen: Vec<&str> = Vec::new();
        for grant in cx.grants(id) {
            if !grant.allows() || !matches!(grant.origin, Origin::Inline | Origin::Role(_)) {
                continue;
            }
            for action in &grant.written_actions {
                let action: &str = action;
                if seen.contains(&action) {
                    continue;
                }
                let why = match catalogue().diagnose(action) {
                    None | Some(ActionProblem::Malformed) => continue,
                    Some(ActionProblem::UnknownService { suggestion }) => match suggestion {
                        Some(s) => format!(
                            "no AWS service has the prefix of `{action}` (did you mean `{s}`?)"
                        ),
                        None => format!("no AWS service has the prefix of `{action}`"),
                    },
                    Some(ActionProblem::UnknownAction { suggestion }) => match suggestion {
                        Some(a) => format!(
                            "the service defines no action `{action}` (did you mean `{}:{}`?)",
                            a.service, a.name
                        ),
                        None => format!("the service defines no action `{action}`"),
                    },
                    Some(ActionProblem::MatchesNothing) => {
                        format!("`{action}` matches no action of the service")
                    }
                };
                seen.push(action);
                findings.push(
                    Finding::new(
                        id,
                        format!("`{id}` is granted `{action}`, which names no action AWS defines: the statement grants nothing"),
                    )
                    .qualified(action)
                    .because(why)
                    .because(format!("granted by {}", grant.origin)),
                );
            }
        }
    }
    findings
}
