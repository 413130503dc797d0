use std::collections::{BTreeMap, BTreeSet};

use super::{Context, Finding, declare_rule, iam_services};
use crate::iam::{AccessLevel, Action, Origin, Reference};
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
    ///   grant; or it only writes a store, yet a statement that writes it may also read it
    ///   (`dynamodb:Scan`, `s3:GetObject`: what an injection exfiltrates). Services whose actions
    ///   do not split reads from writes (`rds-data:ExecuteStatement`) are not judged.
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
        let mut reads: BTreeMap<&str, BTreeSet<String>> = BTreeMap::new();
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
                } else if let Some(flow) = own
                    .only(target.id)
                    .filter(|_| cx.model.stores.contains_key(target.id))
                {
                    let excess = match flow {
                        Direction::Reads => &mut changes,
                        Direction::Writes => &mut reads,
                    };
                    excess
                        .entry(target.id)
                        .or_default()
                        .extend(against_flow(cx, grant, target.id, flow));
                }
            }
        }
        let excess = [
            (Excess::Unused, unused),
            (Excess::Changes, changes),
            (Excess::Reads, reads),
        ];
        for (kind, by_target) in excess {
            for (target, actions) in by_target.into_iter().filter(|(_, a)| !a.is_empty()) {
                findings.push(finding(id, target, actions, kind));
            }
        }
    }
    findings
}

/// What a permission grants that the function's flows do not need.
#[derive(Clone, Copy)]
enum Excess {
    /// Anything on an element it has no flow to.
    Unused,
    /// Changes to a store it only reads.
    Changes,
    /// Reads of a store it only writes.
    Reads,
}

fn finding(id: &str, target: &str, actions: BTreeSet<String>, kind: Excess) -> Finding {
    let actions: Vec<String> = actions.into_iter().collect();
    let actions = actions.join(", ");
    let (what, why) = match kind {
        Excess::Unused => (
            format!("`{id}` may {actions} on `{target}` but has no flow to it"),
            format!("no read, write, invocation or trigger of `{target}`"),
        ),
        Excess::Changes => (
            format!("`{id}` only reads `{target}` but may change it: {actions}"),
            format!("`{target}` is in `reads` only"),
        ),
        Excess::Reads => (
            format!("`{id}` only writes `{target}` but may read it: {actions}"),
            format!("`{target}` is in `writes` only"),
        ),
    };
    Finding::new(id, what).qualified(target).because(why)
}

/// Which way a function's only flow to a store goes.
#[derive(Clone, Copy)]
enum Direction {
    Reads,
    Writes,
}

/// The actions of a grant against the function's only flow to a store: those that change it
/// (for a reader) or read it (for a writer), when the grant also allows the flow's own direction —
/// a service whose only way in writes (`rds-data:ExecuteStatement` runs any SQL) cannot be
/// narrowed to reads.
fn against_flow(
    cx: &Context<'_>,
    grant: &crate::iam::Grant<'_>,
    element: &str,
    flow: Direction,
) -> Vec<String> {
    let services = iam_services(cx.model, element);
    let on_element = || {
        grant
            .actions
            .iter()
            .copied()
            .filter(|a| services.contains(&a.service))
    };
    let (along, against): (Level, Level) = match flow {
        Direction::Reads => (reads, writes),
        Direction::Writes => (writes, reads),
    };
    if !on_element().any(along) {
        return Vec::new();
    }
    on_element()
        .filter(|a| against(a))
        .map(ToString::to_string)
        .collect()
}

/// Whether an action is of one kind of access.
type Level = fn(&Action) -> bool;

fn reads(action: &Action) -> bool {
    matches!(action.level, AccessLevel::Read | AccessLevel::List)
}

fn writes(action: &Action) -> bool {
    action.level == AccessLevel::Write
}

/// What a function's flows touch.
struct Flows<'m> {
    /// Every element it has a declared flow to.
    used: BTreeSet<&'m str>,
    /// Those it only reads.
    read_only: BTreeSet<&'m str>,
    /// Those it only writes (no read, invocation, trigger, secret or failure destination).
    write_only: BTreeSet<&'m str>,
}

impl Flows<'_> {
    /// The one direction of the function's flows to an element, if it has one.
    fn only(&self, id: &str) -> Option<Direction> {
        if self.read_only.contains(id) {
            Some(Direction::Reads)
        } else if self.write_only.contains(id) {
            Some(Direction::Writes)
        } else {
            None
        }
    }
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
    let writes: BTreeSet<&str> = function
        .writes
        .iter()
        .map(crate::model::FlowRef::target)
        .collect();
    let not_writes: BTreeSet<&str> = others.difference(&writes).chain(&reads).copied().collect();
    Flows {
        read_only: reads.difference(&others).copied().collect(),
        write_only: writes.difference(&not_writes).copied().collect(),
        used: reads.union(&others).copied().collect(),
    }
}
