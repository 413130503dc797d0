//! Attack paths and blast radius, from the data-flow graph.
//!
//! Attack paths start at the untrusted principals — actors and externals in untrusted or partner
//! boundaries — and at public channels and stores that no such principal already uses; one
//! breadth-first search per start gives the shortest path to every store holding confidential or
//! restricted data. A step follows a flow (a request, a trigger, a write that triggers, a
//! delivery, an invocation) or, from a function, what the function reads or its permissions name.
//! Polynomial (starts × graph), no path enumeration.
//!
//! Blast radius: what a compromised function can read, write, call and start — the stores and
//! channels it reads and writes (flows and permissions), and the functions its writes trigger
//! (through topics and buses) or that it invokes.

use std::collections::{BTreeSet, VecDeque};

use petgraph::Direction;
use petgraph::graph::NodeIndex;
use petgraph::visit::EdgeRef;
use serde::Serialize;

use super::{Dfd, FlowKind, NodeKind};
use crate::model::{Classification, Model, Trust};

/// A shortest way from an untrusted start to sensitive data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttackPath {
    /// Where the attacker starts.
    pub entry: String,
    /// The store at the end.
    pub target: String,
    /// The most sensitive data the store holds.
    pub classification: Classification,
    /// Ids from entry to target.
    pub path: Vec<String>,
}

/// What a compromised function can reach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BlastRadius {
    /// The function.
    pub function: String,
    /// Stores and channels it can read.
    pub reads: Vec<String>,
    /// Stores and channels it can write.
    pub writes: Vec<String>,
    /// Externals it calls.
    pub calls: Vec<String>,
    /// Functions it can start: invoked, or triggered by what it writes.
    pub starts: Vec<String>,
    /// The most sensitive data among what it reads and writes.
    pub worst: Option<Classification>,
}

fn classification(model: &Model, id: &str) -> Option<Classification> {
    model.stores.get(id).and_then(|s| {
        s.data
            .iter()
            .filter_map(|d| model.data.get(d).map(|a| a.classification))
            .max()
    })
}

/// Shortest attack paths from every untrusted start to every store with confidential or
/// restricted data, most sensitive first.
#[must_use]
pub fn attack_paths(model: &Model, dfd: &Dfd) -> Vec<AttackPath> {
    let graph = dfd.graph();
    let principals: Vec<NodeIndex> = graph
        .node_indices()
        .filter(|&n| {
            matches!(graph[n].kind, NodeKind::Actor | NodeKind::External)
                && dfd.trust_of(n) != Trust::Trusted
        })
        .collect();
    let used: BTreeSet<NodeIndex> = principals
        .iter()
        .flat_map(|&p| graph.neighbors_directed(p, Direction::Outgoing))
        .collect();
    let mut starts = principals;
    starts.extend(dfd.entry_points(model).into_iter().filter(|n| {
        !matches!(graph[*n].kind, NodeKind::Actor | NodeKind::External) && !used.contains(n)
    }));
    starts.sort_by(|a, b| graph[*a].id.cmp(&graph[*b].id));
    starts.dedup();
    let mut paths = Vec::new();
    for start in starts {
        let mut previous: Vec<Option<NodeIndex>> = vec![None; graph.node_count()];
        let mut seen = vec![false; graph.node_count()];
        seen[start.index()] = true;
        let mut queue = VecDeque::from([start]);
        while let Some(node) = queue.pop_front() {
            let flows = graph
                .edges_directed(node, Direction::Outgoing)
                .filter(|e| e.weight().kind != FlowKind::DeadLetter)
                .map(|e| e.target());
            // A compromised function also reaches what it reads and what its permissions name.
            let access: Vec<NodeIndex> = if graph[node].kind == NodeKind::Function {
                accessible(model, dfd, node)
            } else {
                Vec::new()
            };
            for next in flows.chain(access) {
                if !seen[next.index()] {
                    seen[next.index()] = true;
                    previous[next.index()] = Some(node);
                    queue.push_back(next);
                }
            }
        }
        for target in graph
            .node_indices()
            .filter(|&n| seen[n.index()] && n != start && graph[n].kind == NodeKind::Store)
        {
            let Some(level) = classification(model, &graph[target].id)
                .filter(|c| *c >= Classification::Confidential)
            else {
                continue;
            };
            let mut path = vec![graph[target].id.clone()];
            let mut current = target;
            while let Some(from) = previous[current.index()] {
                path.push(graph[from].id.clone());
                current = from;
            }
            path.reverse();
            paths.push(AttackPath {
                entry: graph[start].id.clone(),
                target: graph[target].id.clone(),
                classification: level,
                path,
            });
        }
    }
    paths.sort_by(|a, b| {
        b.classification
            .cmp(&a.classification)
            .then(a.path.len().cmp(&b.path.len()))
            .then_with(|| a.entry.cmp(&b.entry))
            .then_with(|| a.target.cmp(&b.target))
    });
    paths
}

/// The blast radius of every function, in id order.
#[must_use]
pub fn blast_radius(model: &Model, dfd: &Dfd) -> Vec<BlastRadius> {
    let graph = dfd.graph();
    let mut result = Vec::new();
    for (id, function) in &model.functions {
        let Some(node) = dfd.node(id) else { continue };
        let mut reads: BTreeSet<String> = graph
            .edges_directed(node, Direction::Incoming)
            .filter(|e| e.weight().kind == FlowKind::Read)
            .map(|e| graph[e.source()].id.clone())
            .collect();
        let mut writes = BTreeSet::new();
        let mut calls = BTreeSet::new();
        let mut starts = BTreeSet::new();
        for edge in graph.edges_directed(node, Direction::Outgoing) {
            let target = &graph[edge.target()];
            match edge.weight().kind {
                FlowKind::Write => {
                    writes.insert(target.id.clone());
                    starts.extend(started_by(dfd, edge.target()));
                }
                FlowKind::Call => {
                    calls.insert(target.id.clone());
                }
                FlowKind::Invoke => {
                    starts.insert(target.id.clone());
                }
                _ => {}
            }
        }
        // Permissions reach further than flows: every element a statement names.
        let permissions = function
            .role
            .as_deref()
            .and_then(|r| model.roles.get(r))
            .map_or(&function.permissions, |role| &role.permissions);
        for permission in permissions {
            for resource in permission
                .on
                .iter()
                .filter(|r| model.stores.contains_key(*r) || model.channels.contains_key(*r))
            {
                let writes_something = permission.allow.iter().any(|a| {
                    a.contains('*')
                        || [
                            "Put", "Update", "Delete", "Write", "Send", "Publish", "Execute",
                        ]
                        .iter()
                        .any(|w| a.contains(w))
                });
                if writes_something {
                    writes.insert(resource.clone());
                } else {
                    reads.insert(resource.clone());
                }
            }
        }
        let worst = reads
            .iter()
            .chain(&writes)
            .filter_map(|r| classification(model, r))
            .max();
        result.push(BlastRadius {
            function: id.clone(),
            reads: reads.into_iter().collect(),
            writes: writes.into_iter().collect(),
            calls: calls.into_iter().collect(),
            starts: starts.into_iter().collect(),
            worst,
        });
    }
    result
}

/// Stores and channels a function can read or act on: what it reads, and what its permissions name.
fn accessible(model: &Model, dfd: &Dfd, function: NodeIndex) -> Vec<NodeIndex> {
    let graph = dfd.graph();
    let mut reached: Vec<NodeIndex> = graph
        .edges_directed(function, Direction::Incoming)
        .filter(|e| e.weight().kind == FlowKind::Read)
        .map(|e| e.source())
        .collect();
    if let Some(f) = model.functions.get(&graph[function].id) {
        let permissions = f
            .role
            .as_deref()
            .and_then(|r| model.roles.get(r))
            .map_or(&f.permissions, |role| &role.permissions);
        reached.extend(
            permissions
                .iter()
                .flat_map(|p| p.on.iter())
                .filter_map(|resource| dfd.node(resource)),
        );
    }
    reached
}

/// Functions that an element starts when written to: its triggers, through deliveries and streams.
fn started_by(dfd: &Dfd, node: NodeIndex) -> BTreeSet<String> {
    let graph = dfd.graph();
    let mut started = BTreeSet::new();
    let mut seen = BTreeSet::from([node]);
    let mut queue = VecDeque::from([node]);
    while let Some(current) = queue.pop_front() {
        for edge in graph.edges_directed(current, Direction::Outgoing) {
            match edge.weight().kind {
                FlowKind::Trigger => {
                    started.insert(graph[edge.target()].id.clone());
                }
                FlowKind::Deliver if seen.insert(edge.target()) => queue.push_back(edge.target()),
                _ => {}
            }
        }
    }
    started
}
