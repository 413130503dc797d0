use super::context::iam_services;
use super::{Context, Finding, declare_rule};
use crate::iam::Grant;

declare_rule! {
    /// ## What it finds
    /// A declared read, write or invocation that none of the function's effective grants allows
    /// (inline `permissions`, its role's statements, AWS managed policies, SAM policy templates):
    /// no statement with an action of the element's service (as the IAM catalogue expands it:
    /// `s3:Get*`, `*`; a misspelt action grants nothing) names the element, a part of it or a
    /// wildcard covering it. (The check is per service, not per action: a `dynamodb:GetItem`
    /// covers a modelled write.) Reported only for functions that declare some permission; an ARN
    /// that names no modelled element (a name the model does not give) is assumed to cover it.
    /// Databases, caches and search domains are not judged: a connection with their own
    /// credentials needs no IAM permission.
    ///
    /// ## Why it matters
    /// Either the model is wrong — and every other rule reasons about a system that does not
    /// exist — or the function fails in production, and someone will "fix" it with a wildcard.
    ///
    /// ## Example
    /// ```yaml
    /// writes: [invoices-bucket]
    /// permissions: [{allow: ["dynamodb:GetItem"], on: [orders-table]}]   # nothing on the bucket
    /// ```
    ///
    /// ## How to fix
    /// Add the narrow permission the flow needs (`s3:PutObject` on `invoices-bucket`), or
    /// correct the flow.
    ///
    /// ## False positives
    /// Access granted by resource policies (bucket policies, queue policies): accept.
    pub static RULE = {
        id: "STR-033",
        name: "flow-without-permission",
        title: "Declared flow that no permission allows (model inconsistency)",
        stride: ElevationOfPrivilege,
        sas: ["SAS-4"],
        owasp: ["S6"],
        cwe: [1059],
        capec: [],
        impact_cap: Minor,
        mitigation: "Add the narrow permission the flow needs, or correct the flow in the model.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        let grants: Vec<&Grant<'_>> = cx.grants(id).iter().filter(|g| g.allows()).collect();
        if grants.is_empty() {
            continue;
        }
        let flows = function
            .reads
            .iter()
            .map(|f| ("read", f))
            .chain(function.writes.iter().map(|f| ("write", f)))
            .chain(function.invokes.iter().map(|f| ("invoke", f)));
        for (verb, flow) in flows {
            let target = flow.target();
            let services = iam_services(cx.model, target);
            if services.is_empty() || over_the_network(cx, target) {
                continue;
            }
            let covered = grants.iter().any(|g| {
                g.actions.iter().any(|a| services.contains(&a.service))
                    && (g.not_resource
                        || g.resources.iter().any(|r| {
                            r.targets.iter().any(|t| t.id == target)
                                || (r.targets.is_empty() && r.written.starts_with("arn:"))
                        }))
            });
            if !covered {
                findings.push(
                    Finding::new(
                        id,
                        format!(
                            "`{id}` is modelled to {verb} `{target}` but no permission allows it"
                        ),
                    )
                    .qualified(target.to_owned())
                    .because(format!("no `{}:…` action on `{target}`", services[0])),
                );
            }
        }
    }
    findings
}

/// Whether a store is reached over the network with credentials of its own (a database user, a
/// cache or search password): IAM may take no part, so no permission is missing.
fn over_the_network(cx: &Context<'_>, id: &str) -> bool {
    use crate::model::StoreKind as S;
    cx.model.stores.get(id).is_some_and(|s| {
        matches!(
            s.kind,
            S::Rds | S::Aurora | S::Documentdb | S::Elasticache | S::Redshift | S::Opensearch
        )
    })
}
