use std::collections::BTreeMap;

use super::{Context, Finding, declare_rule};
use crate::iam::{Grant, Origin};

declare_rule! {
    /// ## What it finds
    /// A function whose effective permissions allow a wildcard action (`*`, `s3:*`, `s3:Put*`,
    /// `NotAction`) or an action on resources of every name (`*`,
    /// `arn:aws:s3:::*`, `arn:aws:dynamodb:*:*:table/*`, `NotResource`), whatever grants it:
    /// inline `permissions`, its role's statements, an AWS managed policy (`AdministratorAccess`,
    /// `AmazonS3FullAccess`, `AWSLambdaRole`…) or a SAM policy template with a wildcard parameter
    /// (`DynamoDBCrudPolicy: {TableName: "*"}`). Managed policies and templates are expanded from
    /// the embedded IAM catalogue; one finding names each policy or template, one each inline
    /// statement. A pattern that names one action (`sqs:SendMessage*` is `sqs:SendMessage`), or
    /// several of one access level none of which manages permissions or is privileged
    /// (`dynamodb:Get*`), is not a wildcard action here; on resources of every name it still is
    /// reported. Nor is `*` a wildcard resource for actions that have no resource types
    /// (`ses:VerifyEmailIdentity`, `ec2:DescribeNetworkInterfaces`): AWS grants them on `*` or
    /// not at all.
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
    /// managed_policies: [AmazonS3FullAccess]
    /// ```
    ///
    /// ## How to fix
    /// Name the actions the code calls and the resources it touches:
    /// `{allow: ["dynamodb:GetItem"], on: [customers-table]}`, or a SAM policy template scoped to
    /// one resource (`DynamoDBReadPolicy: {TableName: !Ref CustomersTable}`).
    ///
    /// ## False positives
    /// Actions customarily granted on `*` although they could be scoped
    /// (`logs:CreateLogStream`, `ec2:CreateNetworkInterface` for VPC functions): from AWS's own
    /// baseline policies and templates (`AWSLambdaBasicExecutionRole`,
    /// `AWSLambdaVPCAccessExecutionRole`, `VPCAccessPolicy`) they are not reported at all;
    /// written by hand they are reported at a lower impact. Track the rest as `accepted`.
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
    for id in cx.model.functions.keys() {
        // Policies and templates are reported once each, with everything broad they grant.
        let mut policies: BTreeMap<Origin<'_>, Vec<&Grant<'_>>> = BTreeMap::new();
        // A statement whose actions all grant nothing (misspelt: validation warns) grants
        // nothing broad either.
        let grants = cx
            .grants(id)
            .iter()
            .filter(|g| g.allows() && !g.actions.is_empty());
        for grant in grants {
            let (wild_action, wild_resource) =
                (grant.has_broad_action(), grant.has_broad_resource());
            if !wild_action && !wild_resource {
                continue;
            }
            match grant.origin {
                Origin::Inline | Origin::Role(_) => findings.push(statement(id, grant)),
                // AWS's own baselines (logs, X-Ray, network interfaces on `*`) are not findings.
                Origin::ManagedPolicy { .. } | Origin::Template(_)
                    if !wild_action && cx.harmless(grant.actions.iter().copied()) => {}
                origin => policies.entry(origin).or_default().push(grant),
            }
        }
        for (origin, grants) in policies {
            findings.push(policy(id, origin, &grants));
        }
    }
    findings
}

/// An inline or role statement: qualified `actions@resources`, the actions being the wildcard
/// ones (or all of them, on resources of every name).
fn statement(id: &str, grant: &Grant<'_>) -> Finding {
    let wild_resource = grant.has_broad_resource();
    let catalogue = crate::iam::catalogue();
    let wild: Vec<&str> = grant
        .written_actions
        .iter()
        .filter(|a| {
            catalogue.is_broad_pattern(a)
                || (wild_resource && catalogue.expand(a).iter().any(|x| x.is_scopable()))
        })
        .filter(|a| grant.not_action || !catalogue.expand(a).is_empty())
        .map(AsRef::as_ref)
        .collect();
    let what = match (grant.has_broad_action(), wild_resource) {
        (true, true) => "wildcard actions on every resource",
        (true, false) => "wildcard actions",
        _ => "actions on every resource",
    };
    let wild: Vec<&str> = if grant.not_action && wild.is_empty() {
        grant.written_actions.iter().map(AsRef::as_ref).collect()
    } else {
        wild
    };
    let (actions, on) = (
        if grant.not_action {
            format!("every action but {}", wild.join(", "))
        } else {
            wild.join(", ")
        },
        grant.written_resources(),
    );
    let via = match grant.origin {
        Origin::Role(role) => format!(" (through role `{role}`)"),
        _ => String::new(),
    };
    Finding::new(
        id,
        format!("`{id}` is allowed {what}: `{actions}` on `{on}`{via}"),
    )
    .qualified(format!("{}@{on}", wild.join(",")))
    .because(format!("allow `{actions}` on `{on}`{via}"))
}

/// A managed policy or template: qualified by its name (templates: `name@resources`), with each
/// broad statement as evidence.
fn policy(id: &str, origin: Origin<'_>, grants: &[&Grant<'_>]) -> Finding {
    let (name, what, role, qualifier) = match origin {
        Origin::ManagedPolicy { policy, role } => {
            (policy, "the broad managed policy", role, policy.to_owned())
        }
        Origin::Template(template) => {
            let on: Vec<String> = grants.iter().map(|g| g.written_resources()).collect();
            let qualifier = format!("{template}@{}", on.join(","));
            (template, "the broad policy template", None, qualifier)
        }
        // Statements are reported one by one ([`statement`]).
        Origin::Inline | Origin::Role(_) => ("", "statements", None, String::new()),
    };
    let via = role.map_or_else(String::new, |role| format!(" (through role `{role}`)"));
    let mut finding =
        Finding::new(id, format!("`{id}` runs with {what} `{name}`{via}")).qualified(qualifier);
    for grant in grants {
        let actions = if grant.not_action {
            format!("every action but {}", grant.written_actions.join(", "))
        } else {
            grant.written_actions.join(", ")
        };
        finding = finding.because(format!(
            "{origin} allows `{actions}` on `{}`",
            grant.written_resources()
        ));
    }
    finding
}
