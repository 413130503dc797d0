use std::collections::{HashMap, HashSet, VecDeque};

use petgraph::algo::tarjan_scc;
use petgraph::graph::NodeIndex;
use petgraph::visit::{EdgeFiltered, EdgeRef};

use super::{Context, Finding, declare_rule};
use crate::graph::FlowKind;

declare_rule! {
    /// ## What it finds
    /// A function that, through what it writes or invokes, ends up triggering itself: it writes to
    /// the bucket, queue, topic or table whose events start it, directly or through a chain of
    /// other functions, topics and streams. Each loop is reported once, on its function with the
    /// smallest id, with the shortest cycle through it.
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
    let starting = EdgeFiltered::from_fn(graph, |e| starting_kind(e.weight().kind));
    let mut findings = Vec::new();
    for component in tarjan_scc(&starting) {
        let looping = component.len() > 1
            || graph
                .edges_connecting(component[0], component[0])
                .any(|e| starting_kind(e.weight().kind));
        if !looping {
            continue;
        }
        // One threat per loop, on its function with the smallest id (stable across edits elsewhere).
        let Some(&start) = component
            .iter()
            .filter(|n| cx.model.functions.contains_key(&graph[**n].id))
            .min_by_key(|n| &graph[**n].id)
        else {
            continue;
        };
        let functions = component
            .iter()
            .filter(|n| cx.model.functions.contains_key(&graph[**n].id))
            .count();
        let cycle = shortest_cycle(graph, &component, start);
        let shown: Vec<&str> = if cycle.len() > MAX_SHOWN {
            cycle[..MAX_SHOWN].iter().copied().chain(["…"]).collect()
        } else {
            cycle.clone()
        };
        let id = &graph[start].id;
        findings.push(
            Finding::new(id, format!("`{id}` can trigger itself: a loop of {} element(s), {functions} of them functions", component.len()))
                .because(format!("shortest loop: {}", super::quoted(&shown, " → "))),
        );
    }
    findings.sort_by(|a, b| a.element.cmp(&b.element));
    findings
}

/// Hops of a loop shown in a finding before it is cut short.
const MAX_SHOWN: usize = 12;

/// The shortest loop from `start` back to itself inside its component, by breadth-first search.
fn shortest_cycle<'g>(
    graph: &'g petgraph::graph::DiGraph<crate::graph::Element, crate::graph::Flow>,
    component: &[NodeIndex],
    start: NodeIndex,
) -> Vec<&'g str> {
    let inside: HashSet<NodeIndex> = component.iter().copied().collect();
    let mut previous: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for edge in graph
            .edges(node)
            .filter(|e| starting_kind(e.weight().kind) && inside.contains(&e.target()))
        {
            let next = edge.target();
            if next == start {
                let mut path = vec![graph[start].id.as_str()];
                let mut current = node;
                while current != start {
                    path.push(graph[current].id.as_str());
                    current = previous[&current];
                }
                // Collected backwards from the end: the interior is reversed, the ends are `start`.
                let last = path.len();
                path[1..last].reverse();
                path.push(graph[start].id.as_str());
                return path;
            }
            if next != start && !previous.contains_key(&next) {
                previous.insert(next, node);
                queue.push_back(next);
            }
        }
    }
    vec![graph[start].id.as_str()]
}

fn starting_kind(kind: FlowKind) -> bool {
    matches!(
        kind,
        FlowKind::Write | FlowKind::Trigger | FlowKind::Deliver | FlowKind::Invoke
    )
}
