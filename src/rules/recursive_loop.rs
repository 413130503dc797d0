use petgraph::algo::tarjan_scc;
use petgraph::visit::EdgeFiltered;

use super::{Context, Finding, declare_rule};
use crate::graph::FlowKind;

declare_rule! {
    /// ## What it finds
    /// A function that, through what it writes or invokes, ends up triggering itself: it writes to
    /// the bucket, queue, topic or table whose events start it, directly or through a chain of
    /// other functions, topics and streams.
    ///
    /// ## Why it matters
    /// A recursive loop runs until something breaks: every iteration is an invocation and a write,
    /// billed, and throttled only by account limits. One crafted event is enough to start it.
    /// Lambda stops some loops after 16 iterations, but not loops through every service.
    ///
    /// ## Example
    /// A thumbnail function triggered by `uploads` that writes its thumbnails back to `uploads`.
    ///
    /// ## How to fix
    /// Write to a different bucket or queue than the one that triggers the function, filter the
    /// trigger (`prefix`, event filter) so the function's own output does not match, or carry a
    /// hop count in the event and stop at a limit.
    ///
    /// ## False positives
    /// Loops broken by a trigger filter: declare the `filter` on the trigger and accept the threat.
    pub static RULE = {
        id: "STR-010",
        name: "recursive-loop",
        title: "Function triggers itself through what it writes",
        stride: DenialOfService,
        sas: ["SAS-8"],
        owasp: ["S6"],
        cwe: [674, 400],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Never write to the resource that triggers the function, or filter the trigger so the function's own output does not match.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let graph = cx.dfd.graph();
    // Only flows that start something: a write into a store or channel, a trigger, a delivery, an invocation.
    let starting = EdgeFiltered::from_fn(graph, |e| {
        matches!(
            e.weight().kind,
            FlowKind::Write | FlowKind::Trigger | FlowKind::Deliver | FlowKind::Invoke
        )
    });
    let mut findings = Vec::new();
    for component in tarjan_scc(&starting) {
        let looping = component.len() > 1
            || graph
                .edges_connecting(component[0], component[0])
                .any(|e| starting_kind(e.weight().kind));
        if !looping {
            continue;
        }
        let mut members: Vec<&str> = component.iter().map(|n| graph[*n].id.as_str()).collect();
        members.sort_unstable();
        for node in &component {
            if !cx.model.functions.contains_key(&graph[*node].id) {
                continue;
            }
            let id = &graph[*node].id;
            findings.push(
                Finding::new(
                    id,
                    format!(
                        "`{id}` can trigger itself: {} form a loop",
                        members.join(", ")
                    ),
                )
                .because(format!("loop through {}", members.join(" → "))),
            );
        }
    }
    findings.sort_by(|a, b| a.element.cmp(&b.element));
    findings
}

fn starting_kind(kind: FlowKind) -> bool {
    matches!(
        kind,
        FlowKind::Write | FlowKind::Trigger | FlowKind::Deliver | FlowKind::Invoke
    )
}
