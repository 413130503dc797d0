use std::collections::{BTreeMap, BTreeSet};

use super::{Context, Finding, declare_rule, iam_services};
use crate::iam::{AccessLevel, Origin, Reference};
use crate::model::Function;

declare_rule! {
    /// ## What it finds
    /// A permission of a function that names a modelled element — by id, or by an ARN of the
    /// element or of its parts (`arn:aws:s3:::orders/*`) — where the model shows the function
    /// does not need it:
    ///
    /// - **unused**: the function has no declared flow to the element: it neither reads,
    ///   writes, invokes, is triggered by it (or by its stream), nor keeps a secret or its
    ///   failed events there;
    /// - **against the flow**: the function only reads a store, yet a statement that reads it
    ///   may also change it (actions the IAM catalogue classifies as *Write* on the store's
    ///   service: `dynamodb:PutItem`, `s3:DeleteObject`), as SAM's `…CrudPolicy` templates
    ///   grant. Services with no read-only action (`rds-data:ExecuteStatement`) are not judged.
    ///
    /// Every grant counts, whatever declares it: inline `permissions`, the role's statements,
    /// AWS managed policies and SAM policy templates. A shared role's statement is unused only
    /// when no function of the role uses it (the sharing is `shared-role`'s). Wildcards that
    /// cover every element (`*`, `arn:aws:s3:::*`) are `wildcard-permission`'s.
    ///
    /// ## Why it matters
    /// Permissions nobody uses are pure risk: they do nothing for the function and everything for
    /// an attacker who compromises it (SAS-4, least privilege). They also hide drift between what
    /// the code does and what the model says.
    ///
    /// ## Example
    /// ```yaml
    /// permissions: [{allow: ["dynamodb:GetItem"], on: [customers-table]}]   # never reads it
    /// policy_templates: [{DynamoDBCrudPolicy: {TableName: orders}}]          # only reads orders
    /// ```
    ///
    /// ## How to fix
    /// Remove the statement, or narrow it to the flow (`DynamoDBReadPolicy` for a reader); add
    /// the missing flow to the model if the code really uses it.
    ///
    /// ## False positives
    /// Flows the model forgot: declare them (`reads`, `writes`, `invokes`).
    pub static RULE = {
        id: "STR-032",
        name: "unused-permission",
        title: "Permission on an element the function has no flow to",
        stride: ElevationOfPrivilege,
        sas: ["SAS-4"],
        owasp: ["S5"],
        cwe: [250],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Remove permissions the function does not use, or declare the flow that uses them.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let flows: BTreeMap<&str, Flows<'_>> = cx
        .model
        .functions
        .iter()
        .map(|(id, f)| (id.as_str(), flows(cx, f)))
        .collect();
    // What the functions of each shared role use: a role's statement is unused only when none
    // of them uses it (the sharing itself is `shared-role`'s).
    let mut by_role: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for (id, function) in &cx.model.functions {
        if let (Some(role), Some(f)) = (function.role.as_deref(), flows.get(id.as_str())) {
            by_role.entry(role).or_default().extend(&f.used);
        }
    }
    for (id, own) in &flows {
        // Per element the permissions name: the actions granted on it, and those that change it.
        let mut unused: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        let mut changes: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
        for grant in cx
            .grants(id)
            .iter()
            .filter(|g| g.allows() && !g.not_resource)
        {
            let used = match grant.origin {
                Origin::Role(role)
                | Origin::ManagedPolicy {
                    role: Some(role), ..
                } => by_role.get(role).unwrap_or(&own.used),
                Origin::Inline | Origin::ManagedPolicy { role: None, .. } | Origin::Template(_) => {
                    &own.used
                }
            };
            let targets = grant
                .resources
                .iter()
                .flat_map(|r| &r.targets)
                .filter(|t| matches!(t.reference, Reference::Whole | Reference::Part(_)));
            for target in targets {
                if !used.contains(target.id) {
                    unused
                        .entry(target.id)
                        .or_default()
                        .extend(grant.written_actions.iter().map(ToString::to_string));
                } else if own.read_only.contains(target.id)
                    && cx.model.stores.contains_key(target.id)
                {
                    changes
                        .entry(target.id)
                        .or_default()
                        .extend(changing(cx, grant, target.id));
                }
            }
        }
        for (target, actions) in unused {
            let actions: Vec<String> = actions.into_iter().collect();
            findings.push(
                Finding::new(
                    id,
                    format!(
                        "`{id}` may {} on `{target}` but has no flow to it",
                        actions.join(", ")
                    ),
                )
                .qualified(target)
                .because(format!(
                    "no read, write, invocation or trigger of `{target}`"
                )),
            );
        }
        for (target, actions) in changes.into_iter().filter(|(_, a)| !a.is_empty()) {
            let actions: Vec<String> = actions.into_iter().collect();
            findings.push(
                Finding::new(
                    id,
                    format!(
                        "`{id}` only reads `{target}` but may change it: {}",
                        actions.join(", ")
                    ),
                )
                .qualified(target)
                .because(format!("`{target}` is in `reads` only")),
            );
        }
    }
    findings
}

/// The actions of a grant that change an element, when the grant also reads it: a service whose
/// only way in writes (`rds-data:ExecuteStatement` runs any SQL) cannot be read more narrowly.
fn changing(cx: &Context<'_>, grant: &crate::iam::Grant<'_>, element: &str) -> Vec<String> {
    let services = iam_services(cx.model, element);
    let on_element = || {
        grant
            .actions
            .iter()
            .filter(|a| services.contains(&a.service))
    };
    let reads = on_element().any(|a| matches!(a.level, AccessLevel::Read | AccessLevel::List));
    if !reads {
        return Vec::new();
    }
    on_element()
        .filter(|a| a.level == AccessLevel::Write)
        .map(ToString::to_string)
        .collect()
}

/// What a function's flows touch.
struct Flows<'m> {
    /// Every element it has a declared flow to.
    used: BTreeSet<&'m str>,
    /// Those it only reads.
    read_only: BTreeSet<&'m str>,
}

/// The elements a function has a declared flow to, and those of them it only reads.
fn flows<'m>(cx: &Context<'m>, function: &'m Function) -> Flows<'m> {
    let sources = function.triggers.iter().filter_map(|t| t.source.as_deref());
    // A stream trigger needs its table's stream.
    let tables = sources
        .clone()
        .filter_map(|s| cx.model.channels.get(s).and_then(|c| c.table.as_deref()));
    let others: BTreeSet<&str> = function
        .writes
        .iter()
        .chain(&function.invokes)
        .map(crate::model::FlowRef::target)
        .chain(sources)
        .chain(tables)
        .chain(function.secrets.values().filter_map(|s| s.store.as_deref()))
        .chain(function.on_failure.as_deref())
        .collect();
    let reads: BTreeSet<&str> = function
        .reads
        .iter()
        .map(crate::model::FlowRef::target)
        .collect();
    Flows {
        read_only: reads.difference(&others).copied().collect(),
        used: reads.union(&others).copied().collect(),
    }
}
