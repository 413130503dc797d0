use super::{Context, Finding, declare_rule};
use crate::model::Permission;

/// AWS managed policies that grant everything, or everything on a service.
const BROAD_POLICIES: [&str; 6] = [
    "AdministratorAccess",
    "PowerUserAccess",
    "AmazonS3FullAccess",
    "AmazonDynamoDBFullAccess",
    "AWSLambda_FullAccess",
    "AmazonSQSFullAccess",
];

declare_rule! {
    /// ## What it finds
    /// A function whose permissions — inline, or through its role — allow a wildcard action
    /// (`*`, `s3:*`, `dynamodb:Get*`), a wildcard resource (`on: ["*"]`), or a broad AWS managed
    /// policy such as `AdministratorAccess` or `AmazonS3FullAccess`.
    ///
    /// ## Why it matters
    /// A function is compromised through its input (injection, a vulnerable dependency). What the
    /// attacker can then do is exactly what its role allows: wildcards turn a bug in one function
    /// into access to every table or bucket in the account (SAS-4).
    ///
    /// ## Example
    /// ```yaml
    /// permissions:
    ///   - {allow: ["dynamodb:*"], on: ["*"]}
    /// ```
    ///
    /// ## How to fix
    /// Name the actions the code calls and the resources it touches:
    /// `{allow: ["dynamodb:GetItem"], on: [customers-table]}`.
    ///
    /// ## False positives
    /// Actions that AWS only grants on `*` (such as `xray:PutTraceSegments` or
    /// `ec2:CreateNetworkInterface` for VPC functions): track them as `accepted`.
    pub static RULE = {
        id: "STR-003",
        name: "wildcard-permission",
        title: "Wildcard action or resource in a function's permissions",
        stride: ElevationOfPrivilege,
        sas: ["SAS-4"],
        owasp: ["S5"],
        cwe: [250, 732],
        capec: [122],
        impact_cap: Severe,
        mitigation: "Grant only the actions the code calls on the resources it uses; replace broad managed policies with scoped statements.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        let (permissions, via, policies): (&[Permission], String, &[String]) = match function
            .role
            .as_deref()
            .and_then(|r| cx.model.roles.get(r).map(|role| (r, role)))
        {
            Some((name, role)) => (
                &role.permissions,
                format!(" (through role `{name}`)"),
                &role.managed_policies,
            ),
            None => (&function.permissions, String::new(), &[]),
        };
        for permission in permissions {
            let on = permission.on.join(", ");
            let resources_wild = permission.on.iter().any(|r| r == "*");
            let wild: Vec<&str> = permission
                .allow
                .iter()
                .filter(|a| resources_wild || a.contains('*'))
                .map(String::as_str)
                .collect();
            if wild.is_empty() {
                continue;
            }
            let what = match (wild.iter().any(|a| a.contains('*')), resources_wild) {
                (true, true) => "wildcard actions on every resource",
                (true, false) => "wildcard actions",
                _ => "actions on every resource",
            };
            let actions = wild.join(", ");
            findings.push(
                Finding::new(
                    id,
                    format!("`{id}` is allowed {what}: `{actions}` on `{on}`{via}"),
                )
                .qualified(format!("{}@{on}", wild.join(",")))
                .because(format!("allow `{actions}` on `{on}`{via}")),
            );
        }
        for policy in policies
            .iter()
            .filter(|p| BROAD_POLICIES.contains(&p.as_str()))
        {
            findings.push(
                Finding::new(
                    id,
                    format!("`{id}` runs with the broad managed policy `{policy}`{via}"),
                )
                .qualified(policy.clone())
                .because(format!("managed policy `{policy}`")),
            );
        }
    }
    findings
}
