use petgraph::Direction;
use petgraph::visit::EdgeRef;

use super::{Context, Finding, declare_rule};
use crate::graph::FlowKind;

declare_rule! {
    /// ## What it finds
    /// A store whose changes start a function (a bucket notification, a table stream) and that
    /// an attacker can write to: anyone may write to it (`public: write`), or an actor, external
    /// or function an attacker reaches writes to it (presigned uploads, an upload API).
    ///
    /// ## Why it matters
    /// Whatever lands in the store becomes an event: object keys, metadata and records shaped by
    /// the attacker reach the triggered function — which usually trusts them, because "they come
    /// from our own bucket". Classic for upload buckets processed by image or document tools.
    ///
    /// ## Example
    /// An upload API hands out presigned URLs for `uploads`; `process-upload` is triggered by
    /// `uploads` and passes keys to ImageMagick.
    ///
    /// ## How to fix
    /// Treat the triggered function as internet-facing: validate keys, metadata and content
    /// types; constrain writers (presigned URLs with fixed keys and content types, per-user
    /// prefixes); process untrusted files in an isolated function with no other permissions.
    ///
    /// ## False positives
    /// Writers that only write fully validated, server-generated data: accept.
    pub static RULE = {
        id: "STR-041",
        name: "attacker-writable-trigger-store",
        title: "Store an attacker can write to starts a function",
        stride: Tampering,
        sas: ["SAS-1"],
        owasp: ["S1"],
        cwe: [20, 434],
        capec: [],
        impact_cap: Major,
        mitigation: "Treat functions triggered by attacker-writable stores as internet-facing: validate keys, metadata and content; constrain writers.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let graph = cx.dfd.graph();
    let mut findings = Vec::new();
    for (id, store) in &cx.model.stores {
        let Some(node) = cx.dfd.node(id) else {
            continue;
        };
        let starts: Vec<&str> = graph
            .edges_directed(node, Direction::Outgoing)
            .filter(|e| matches!(e.weight().kind, FlowKind::Trigger | FlowKind::Deliver))
            .map(|e| graph[e.target()].id.as_str())
            .collect();
        if starts.is_empty() {
            continue;
        }
        let writers: Vec<&str> = graph
            .edges_directed(node, Direction::Incoming)
            .filter(|e| {
                e.weight().kind == FlowKind::Write && cx.exposure(&graph[e.source()].id).is_some()
            })
            .map(|e| graph[e.source()].id.as_str())
            .collect();
        if !store.public.write && writers.is_empty() {
            continue;
        }
        let who = if store.public.write {
            "anyone".to_owned()
        } else {
            format!(
                "internet-reachable {}",
                writers
                    .iter()
                    .map(|w| format!("`{w}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        };
        findings.push(
            Finding::new(
                id,
                format!(
                    "{who} can write to `{id}`, which starts {}",
                    starts.join(", ")
                ),
            )
            .because(format!(
                "changes to `{id}` trigger {}",
                super::quoted(&starts, ", ")
            )),
        );
    }
    findings
}
