use super::{Context, Finding, declare_rule};
use crate::iam::{Grant, Origin};

declare_rule! {
    /// ## What it finds
    /// Several functions that run as one shared role that grants something: its own statements
    /// or AWS managed policies attached to it. (A role that grants nothing shares nothing.)
    ///
    /// ## Why it matters
    /// A shared role holds the union of what all its functions need, so each function gets the
    /// others' permissions too: compromising the least protected one (a queue consumer, a
    /// nightly job) gives the attacker everything the most privileged one may do (SAS-4).
    ///
    /// ## Example
    /// ```yaml
    /// functions:
    ///   fulfil-order: {role: backend-role, …}
    ///   nightly-report: {role: backend-role, …}
    /// ```
    ///
    /// ## How to fix
    /// Give each function its own role with the permissions that function needs (SAM and the
    /// Serverless Framework generate one role per function with per-function `Policies`).
    ///
    /// ## False positives
    /// Functions that are one deployable unit with identical needs: accept with a justification.
    pub static RULE = {
        id: "STR-004",
        name: "shared-role",
        title: "Role shared by several functions",
        stride: ElevationOfPrivilege,
        sas: ["SAS-4"],
        owasp: ["S5"],
        cwe: [250],
        capec: [],
        impact_cap: Major,
        mitigation: "Give every function its own least-privilege role.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for role in cx.model.roles.keys() {
        let users: Vec<&str> = cx
            .model
            .functions
            .iter()
            .filter(|(_, f)| f.role.as_deref() == Some(role))
            .map(|(id, _)| id.as_str())
            .collect();
        let Some(first) = users.first().filter(|_| users.len() >= 2) else {
            continue;
        };
        let granted = granted_by(cx.grants(first), role);
        if granted.is_empty() {
            continue;
        }
        for user in &users {
            let others: Vec<String> = users
                .iter()
                .filter(|u| *u != user)
                .map(|u| format!("`{u}`"))
                .collect();
            findings.push(
                Finding::new(
                    user,
                    format!("`{user}` shares role `{role}` with {}", others.join(", ")),
                )
                .because(format!(
                    "role `{role}` is used by {} functions",
                    users.len()
                ))
                .because(format!("role `{role}` grants {}", granted.join(", "))),
            );
        }
    }
    findings
}

/// What a role itself grants (not the function's own additions): its statements' actions and
/// its managed policies, as written, without duplicates.
fn granted_by(grants: &[Grant<'_>], role: &str) -> Vec<String> {
    let mut granted: Vec<String> = Vec::new();
    for grant in grants.iter().filter(|g| g.allows()) {
        let what = match grant.origin {
            Origin::Role(r) if r == role => grant
                .written_actions
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", "),
            Origin::ManagedPolicy {
                policy,
                role: Some(r),
            } if r == role => format!("managed policy `{policy}`"),
            _ => continue,
        };
        if !granted.contains(&what) {
            granted.push(what);
        }
    }
    granted
}
