use std::collections::{HashMap, HashSet, VecDeque};

use petgraph::Direction;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;

use super::{Context, Finding, declare_rule};
use crate::graph::{FlowKind, NodeKind};
use crate::model::{StoreKind, Trigger};

declare_rule! {
    /// ## What it finds
    /// A function that, through what it writes or invokes, ends up triggering itself: it writes to
    /// the bucket, queue, topic or table whose events start it, directly or through a chain of
    /// other functions, topics and streams. Each loop is reported once, on its function with the
    /// smallest id, with the shortest cycle through it.
    ///
    /// Bucket triggers are honoured: a write into an `s3` bucket starts a trigger only when the
    /// trigger's `events` include object creation (`s3:ObjectCreated:*`) and the keys the write
    /// declares (`key` on the write, `*` for any run of characters) can match the trigger's
    /// `prefix` and `suffix`. A write without `key` may create any key. Other filters (`filter`
    /// on queue, stream or bus triggers) are free text strider does not evaluate: the finding
    /// says so.
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
    /// trigger (`prefix`, `suffix`, event types) so the function's own output does not match, or
    /// carry a hop count in the event and stop at a limit. When the trigger already has a filter,
    /// the finding says why it does not break the loop: the written keys match it, or the model
    /// does not say which keys are written (declare `key` on the write).
    ///
    /// ```yaml
    /// triggers: [{kind: s3, source: uploads, prefix: raw/, suffix: .jpg}]
    /// writes: [{to: uploads, key: "thumbnails/*.png"}]   # cannot match: no loop
    /// ```
    ///
    /// ## False positives
    /// Loops broken by a queue, stream or bus filter (`filter`, which strider does not evaluate)
    /// or by a hop count in the code: track the threat as a false positive.
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
        mitigation: "Write the function's output where its own trigger does not fire: another bucket or queue, or keys and event types its trigger's filter excludes.",
        check: check,
    };
}

/// The graph of what starts what: the data-flow graph's writes, triggers, deliveries and
/// invocations, except that a write into a bucket leads only to the bucket's triggers whose
/// filters the written keys can match. Each distinct filter of a bucket's triggers (prefix,
/// suffix, events) is its own node, labelled with the bucket's id: writers are matched once per
/// filter, not once per trigger.
struct Starts<'g> {
    graph: DiGraph<&'g str, ()>,
    /// Whether a node is a function.
    function: Vec<bool>,
}

/// A bucket trigger's filter: (bucket, prefix, suffix, events).
type Filter<'t> = (NodeIndex, Option<&'t str>, Option<&'t str>, &'t [String]);

fn starts<'g>(cx: &'g Context<'_>) -> Starts<'g> {
    let dfd = cx.dfd.graph();
    let mut graph: DiGraph<&str, ()> = DiGraph::with_capacity(dfd.node_count(), dfd.edge_count());
    let mut function = Vec::with_capacity(dfd.node_count());
    for node in dfd.node_indices() {
        graph.add_node(dfd[node].id.as_str());
        function.push(dfd[node].kind == NodeKind::Function);
    }
    let bucket = |node: NodeIndex| {
        cx.model
            .stores
            .get(&dfd[node].id)
            .is_some_and(|s| s.kind == StoreKind::S3)
    };
    let mut gates: HashMap<Filter<'_>, NodeIndex> = HashMap::new();
    for edge in dfd.edge_references() {
        let (from, to) = (edge.source(), edge.target());
        match edge.weight().kind {
            FlowKind::Trigger if bucket(from) => {
                let Some(trigger) = cx
                    .model
                    .functions
                    .get(&dfd[to].id)
                    .zip(edge.weight().trigger)
                    .and_then(|(f, i)| f.triggers.get(i))
                else {
                    continue;
                };
                let filter = (
                    from,
                    trigger.prefix.as_deref(),
                    trigger.suffix.as_deref(),
                    trigger.events.as_slice(),
                );
                let gate = *gates.entry(filter).or_insert_with(|| {
                    // Writes reach the filter's node when the filter admits their keys.
                    let gate = graph.add_node(dfd[from].id.as_str());
                    function.push(false);
                    for write in dfd
                        .edges_directed(from, Direction::Incoming)
                        .filter(|w| w.weight().kind == FlowKind::Write)
                    {
                        let keys = written_keys(cx, &dfd[write.source()].id, &dfd[from].id);
                        if keys
                            .iter()
                            .any(|key| filter_admits(trigger, key.as_deref()))
                        {
                            graph.add_edge(write.source(), gate, ());
                        }
                    }
                    gate
                });
                graph.add_edge(gate, to, ());
            }
            FlowKind::Write if bucket(to) => {}
            kind if starting_kind(kind) => {
                graph.add_edge(from, to, ());
            }
            _ => {}
        }
    }
    Starts { graph, function }
}

/// The keys a function's writes into a bucket declare (`None`: any key).
fn written_keys(cx: &Context<'_>, function: &str, bucket: &str) -> Vec<Option<String>> {
    cx.model.functions.get(function).map_or_else(Vec::new, |f| {
        f.writes
            .iter()
            .filter(|w| w.target() == bucket)
            .map(|w| w.key().map(str::to_owned))
            .collect()
    })
}

/// Whether an object the function writes (`key`, a pattern with `*`; `None`: any key) can start
/// a bucket trigger: the trigger's events include object creation, and some key the pattern
/// matches starts with the trigger's prefix and ends with its suffix. Conservative: says no only
/// when no written key can match.
fn filter_admits(trigger: &Trigger, key: Option<&str>) -> bool {
    let creates = trigger.events.is_empty() || trigger.events.iter().any(|e| creation_event(e));
    if !creates {
        return false;
    }
    let Some(key) = key else {
        return true;
    };
    let prefix = trigger.prefix.as_deref().unwrap_or("");
    let suffix = trigger.suffix.as_deref().unwrap_or("");
    match (key.find('*'), key.rfind('*')) {
        (Some(first), Some(last)) => {
            // Literal text before the first and after the last wildcard.
            let (head, tail) = (&key[..first], &key[last + 1..]);
            (head.starts_with(prefix) || prefix.starts_with(head))
                && (tail.ends_with(suffix) || suffix.ends_with(tail))
        }
        _ => key.starts_with(prefix) && key.ends_with(suffix),
    }
}

/// Whether an S3 event type includes the creation of an object (what a write does). Event types
/// strider does not recognise count as creation.
fn creation_event(event: &str) -> bool {
    match event.strip_prefix("s3:") {
        Some(rest) => rest == "*" || rest.starts_with("ObjectCreated:") || rest == "ObjectCreated",
        None => true,
    }
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let starts = starts(cx);
    let graph = &starts.graph;
    let mut findings = Vec::new();
    for component in tarjan_scc(graph) {
        let looping = component.len() > 1 || graph.contains_edge(component[0], component[0]);
        if !looping {
            continue;
        }
        // One threat per loop, on its function with the smallest id (stable across edits elsewhere).
        let Some(&start) = component
            .iter()
            .filter(|n| starts.function[n.index()])
            .min_by_key(|n| graph[**n])
        else {
            continue;
        };
        let functions = component
            .iter()
            .filter(|n| starts.function[n.index()])
            .count();
        let elements = component
            .iter()
            .map(|n| graph[*n])
            .collect::<HashSet<_>>()
            .len();
        let cycle = shortest_cycle(graph, &component, start);
        let shown: Vec<&str> = if cycle.len() > MAX_SHOWN {
            cycle[..MAX_SHOWN].iter().copied().chain(["…"]).collect()
        } else {
            cycle.clone()
        };
        let id = graph[start];
        let mut finding = Finding::new(id, format!("`{id}` can trigger itself: a loop of {elements} element(s), {functions} of them functions"))
            .because(format!("shortest loop: {}", super::quoted(&shown, " → ")));
        for note in filter_notes(cx, &cycle) {
            finding = finding.because(note);
        }
        findings.push(finding);
    }
    findings.sort_by(|a, b| a.element.cmp(&b.element));
    findings
}

/// What the model says about the filters of the triggers on a loop, so the advice fits: a filter
/// strider cannot evaluate, or a bucket filter the written keys may match (or that no declared
/// key lets strider check).
fn filter_notes(cx: &Context<'_>, cycle: &[&str]) -> Vec<String> {
    let mut notes = Vec::new();
    for (i, pair) in cycle.windows(2).enumerate() {
        let (source, target) = (pair[0], pair[1]);
        let Some(function) = cx.model.functions.get(target) else {
            continue;
        };
        let writer = i.checked_sub(1).and_then(|w| cycle.get(w)).copied();
        for trigger in function
            .triggers
            .iter()
            .filter(|t| t.source.as_deref() == Some(source))
        {
            if let Some(filter) = &trigger.filter {
                notes.push(format!(
                    "the trigger of `{target}` on `{source}` declares a filter strider cannot evaluate ({}): if it excludes what the loop writes, track this threat as a false positive",
                    super::quoted(&[filter.as_str()], "")
                ));
            }
            if trigger.prefix.is_none() && trigger.suffix.is_none() {
                continue;
            }
            let filters: Vec<String> = [("prefix", &trigger.prefix), ("suffix", &trigger.suffix)]
                .into_iter()
                .filter_map(|(name, value)| value.as_ref().map(|v| format!("{name} `{v}`")))
                .collect();
            let keys: Vec<String> = writer
                .map(|w| written_keys(cx, w, source))
                .unwrap_or_default()
                .into_iter()
                .flatten()
                .collect();
            notes.push(if keys.is_empty() {
                format!(
                    "the trigger of `{target}` on `{source}` filters on {}, but the model does not say which keys the loop writes: declare `key` on the write",
                    filters.join(" and ")
                )
            } else {
                format!(
                    "the trigger of `{target}` on `{source}` filters on {}, which the written key(s) {} can match",
                    filters.join(" and "),
                    super::quoted(&keys, ", ")
                )
            });
        }
    }
    notes
}

/// Hops of a loop shown in a finding before it is cut short.
const MAX_SHOWN: usize = 12;

/// The shortest loop from `start` back to itself inside its component, by breadth-first search.
fn shortest_cycle<'g>(
    graph: &DiGraph<&'g str, ()>,
    component: &[NodeIndex],
    start: NodeIndex,
) -> Vec<&'g str> {
    let inside: HashSet<NodeIndex> = component.iter().copied().collect();
    let mut previous: HashMap<NodeIndex, NodeIndex> = HashMap::new();
    let mut queue = VecDeque::from([start]);
    while let Some(node) = queue.pop_front() {
        for next in graph.neighbors(node).filter(|n| inside.contains(n)) {
            if next == start {
                let mut path = vec![graph[start]];
                let mut current = node;
                while current != start {
                    path.push(graph[current]);
                    current = previous[&current];
                }
                // Collected backwards from the end: the interior is reversed, the ends are `start`.
                let last = path.len();
                path[1..last].reverse();
                path.push(graph[start]);
                return path;
            }
            if let std::collections::hash_map::Entry::Vacant(entry) = previous.entry(next) {
                entry.insert(node);
                queue.push_back(next);
            }
        }
    }
    vec![graph[start]]
}

fn starting_kind(kind: FlowKind) -> bool {
    matches!(
        kind,
        FlowKind::Write | FlowKind::Trigger | FlowKind::Deliver | FlowKind::Invoke
    )
}

#[cfg(test)]
mod tests {
    use super::{creation_event, filter_admits};
    use crate::model::{Trigger, TriggerKind};

    fn bucket(prefix: Option<&str>, suffix: Option<&str>, events: &[&str]) -> Trigger {
        Trigger {
            kind: TriggerKind::S3,
            source: Some("uploads".to_owned()),
            method: None,
            path: None,
            auth: None,
            verified: None,
            data: Vec::new(),
            batch_size: None,
            partial_failures: None,
            filter: None,
            prefix: prefix.map(str::to_owned),
            suffix: suffix.map(str::to_owned),
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            input: None,
        }
    }

    #[test]
    fn written_keys_meet_prefix_and_suffix_filters() {
        let raw = bucket(Some("raw/"), Some(".jpg"), &[]);
        assert!(filter_admits(&raw, None), "any key may match");
        assert!(filter_admits(&raw, Some("raw/a.jpg")));
        assert!(!filter_admits(&raw, Some("raw/a.png")));
        assert!(!filter_admits(&raw, Some("out/a.jpg")));
        assert!(filter_admits(&raw, Some("raw/*.jpg")));
        assert!(filter_admits(&raw, Some("*")), "`*` may be any key");
        assert!(
            filter_admits(&raw, Some("r*")),
            "`r*` may start with `raw/`"
        );
        assert!(!filter_admits(&raw, Some("thumbs/*")));
        assert!(!filter_admits(&raw, Some("*.png")));
        assert!(filter_admits(&raw, Some("raw/*g")));
        let suffix = bucket(None, Some(".raw"), &[]);
        assert!(!filter_admits(&suffix, Some("converted/*.txt")));
        assert!(filter_admits(&suffix, Some("converted/*.raw")));
    }

    #[test]
    fn only_creation_events_follow_a_write() {
        for created in [
            "s3:ObjectCreated:*",
            "s3:ObjectCreated:Put",
            "s3:*",
            "Custom",
        ] {
            assert!(creation_event(created), "{created}");
            assert!(filter_admits(&bucket(None, None, &[created]), None));
        }
        for other in [
            "s3:ObjectRemoved:*",
            "s3:ObjectRestore:Completed",
            "s3:Replication:*",
        ] {
            assert!(!creation_event(other), "{other}");
            assert!(!filter_admits(&bucket(None, None, &[other]), None));
        }
        let mixed = bucket(None, None, &["s3:ObjectRemoved:*", "s3:ObjectCreated:Copy"]);
        assert!(filter_admits(&mixed, Some("a")));
    }
}
