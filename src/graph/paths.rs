//! Attack paths and blast radius, from the data-flow graph.
//!
//! Attack paths start at the untrusted principals — actors and externals in untrusted or partner
//! boundaries — and at public channels and stores that no such principal already uses. A step
//! follows a flow (a request, a trigger, a write that triggers, a delivery, an invocation) or,
//! from a function, what the function reads or its permissions name.
//!
//! The output grows with the model, not with entries × stores × path length. Starts with exactly
//! the same first steps reach the same elements by the same routes, so they form one *entry
//! group*, searched once (one breadth-first search per group). For each store holding
//! confidential or restricted data, the result lists the [`MAX_ROUTES`] nearest groups, each with
//! one shortest path from its first entry (in id order), and counts the entries of the groups not
//! listed. A path longer than [`SHOWN`] elements is shown as its first and last elements around
//! one element `… N more …` (its `hops` field keeps the true length). Memory: the graph plus
//! stores × [`MAX_ROUTES`] × [`SHOWN`]; time: groups × graph.
//!
//! Blast radius: what a compromised function can read, write, call and start — the stores and
//! channels it reads and writes (flows and permissions), and the functions its writes trigger
//! (through topics and buses) or that it invokes.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use petgraph::Direction;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::visit::EdgeRef;
use serde::Serialize;

use super::{Dfd, Element, Flow, FlowKind, NodeKind};
use crate::model::{Classification, Model, Trust};

/// Entry groups listed per sensitive store, nearest first; the others are counted.
pub const MAX_ROUTES: usize = 8;

/// Elements a path shows in full; a longer one shows its first [`HEAD`] and last [`TAIL`]
/// elements around one `… N more …` element.
pub const SHOWN: usize = 12;
const HEAD: usize = 6;
const TAIL: usize = 5;

/// The untrusted starts that reach one store of confidential or restricted data, and how.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttackPath {
    /// The store.
    pub target: String,
    /// The most sensitive data the store holds.
    pub classification: Classification,
    /// How many starts reach the store, listed or not.
    pub entries: usize,
    /// The nearest entry groups, at most [`MAX_ROUTES`]: shortest first, then by entry id.
    pub routes: Vec<Route>,
    /// Entries that reach the store in groups not listed in `routes`.
    pub more_entries: usize,
}

/// One entry group's shortest way to a store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    /// The group's first entry (in id order): where the path starts.
    pub entry: String,
    /// Other starts with exactly the same first steps (same flows out), so the same routes.
    pub alike: usize,
    /// Steps from the entry to the store.
    pub hops: usize,
    /// Ids from entry to store, shortened to [`SHOWN`] elements when longer.
    pub path: Vec<String>,
}

impl AttackPath {
    /// The nearest route (every attack path has at least one).
    #[must_use]
    pub fn nearest(&self) -> Option<&Route> {
        self.routes.first()
    }
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

/// A breadth-first search tree that shows paths in bounded size: for each reached node the node
/// before it, its depth (elements before it on the path) and its *anchor*, the last node of the
/// path's shown head. Showing a path costs at most [`SHOWN`] steps, however long it is.
pub struct SearchTree {
    previous: Vec<Option<NodeIndex>>,
    depth: Vec<usize>,
    anchor: Vec<NodeIndex>,
    seen: Vec<bool>,
}

impl SearchTree {
    /// An empty tree over a graph of `nodes` nodes.
    #[must_use]
    pub fn new(nodes: usize) -> Self {
        SearchTree {
            previous: vec![None; nodes],
            depth: vec![0; nodes],
            anchor: vec![NodeIndex::new(0); nodes],
            seen: vec![false; nodes],
        }
    }

    /// Forgets every node, keeping the memory.
    pub fn clear(&mut self) {
        self.seen.fill(false);
    }

    /// Whether the search reached a node.
    #[must_use]
    pub fn reached(&self, node: NodeIndex) -> bool {
        self.seen[node.index()]
    }

    /// Elements before a reached node on its path.
    #[must_use]
    pub fn depth(&self, node: NodeIndex) -> usize {
        self.depth[node.index()]
    }

    /// The node before a reached node, `None` at a root.
    #[must_use]
    pub fn previous(&self, node: NodeIndex) -> Option<NodeIndex> {
        self.previous[node.index()]
    }

    /// Adds a root at a depth (1 when the path's first element is not a node of the search).
    /// False when the node was already reached.
    pub fn root(&mut self, node: NodeIndex, depth: usize) -> bool {
        if self.seen[node.index()] {
            return false;
        }
        self.seen[node.index()] = true;
        self.previous[node.index()] = None;
        self.depth[node.index()] = depth;
        self.anchor[node.index()] = node;
        true
    }

    /// Reaches `node` from `from`; false when it was already reached.
    pub fn reach(&mut self, node: NodeIndex, from: NodeIndex) -> bool {
        if self.seen[node.index()] {
            return false;
        }
        let depth = self.depth[from.index()] + 1;
        self.seen[node.index()] = true;
        self.previous[node.index()] = Some(from);
        self.depth[node.index()] = depth;
        self.anchor[node.index()] = if depth < HEAD {
            node
        } else {
            self.anchor[from.index()]
        };
        true
    }

    /// The ids on the path to a reached node, `first` (the element before the roots, when they
    /// have depth 1) included: in full up to [`SHOWN`] elements, else the first [`HEAD`], one
    /// `… N more …` and the last [`TAIL`].
    #[must_use]
    pub fn shown(
        &self,
        graph: &DiGraph<Element, Flow>,
        node: NodeIndex,
        first: Option<&str>,
    ) -> Vec<String> {
        let walk = |from: NodeIndex, count: usize| {
            let mut ids = Vec::with_capacity(count);
            let mut current = Some(from);
            while let Some(n) = current.filter(|_| ids.len() < count) {
                ids.push(graph[n].id.clone());
                current = self.previous[n.index()];
            }
            ids.reverse();
            ids
        };
        let elements = self.depth[node.index()] + 1;
        let mut path: Vec<String> = first.map(str::to_owned).into_iter().collect();
        if elements <= SHOWN {
            path.extend(walk(node, SHOWN));
        } else {
            path.extend(walk(self.anchor[node.index()], HEAD));
            path.push(format!("… {} more …", elements - HEAD - TAIL));
            path.extend(walk(node, TAIL));
        }
        path
    }
}

/// Where one step leads from each node: its flows (no dead letters), and for a function what it
/// reads and what its permissions name.
fn steps(model: &Model, dfd: &Dfd) -> Vec<Vec<NodeIndex>> {
    let graph = dfd.graph();
    graph
        .node_indices()
        .map(|node| {
            let mut next: Vec<NodeIndex> = graph
                .edges_directed(node, Direction::Outgoing)
                .filter(|e| e.weight().kind != FlowKind::DeadLetter)
                .map(|e| e.target())
                .collect();
            // A compromised function also reaches what it reads and what its permissions name.
            if graph[node].kind == NodeKind::Function {
                next.extend(accessible(model, dfd, node));
            }
            next
        })
        .collect()
}

/// The starts of attack paths, in id order.
fn starts(model: &Model, dfd: &Dfd) -> Vec<NodeIndex> {
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
    starts
}

/// For every store with confidential or restricted data that an untrusted start reaches: the
/// nearest entry groups with one shortest path each, and how many starts reach it. Most
/// sensitive first, then nearest, then by store id.
#[must_use]
pub fn attack_paths(model: &Model, dfd: &Dfd) -> Vec<AttackPath> {
    let graph = dfd.graph();
    let steps = steps(model, dfd);
    // Starts with the same first steps (in id order) form one group, searched once.
    let mut groups: BTreeMap<Vec<NodeIndex>, Vec<NodeIndex>> = BTreeMap::new();
    for start in starts(model, dfd) {
        let mut first = steps[start.index()].clone();
        first.sort_by(|a, b| graph[*a].id.cmp(&graph[*b].id));
        first.dedup();
        if !first.is_empty() {
            groups.entry(first).or_default().push(start);
        }
    }
    // In the order of each group's first entry, so ties go to the smallest entry id.
    let mut groups: Vec<(Vec<NodeIndex>, Vec<NodeIndex>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| graph[a.1[0]].id.cmp(&graph[b.1[0]].id));
    let sensitive: Vec<Option<Classification>> = graph
        .node_indices()
        .map(|n| {
            (graph[n].kind == NodeKind::Store)
                .then(|| classification(model, &graph[n].id))
                .flatten()
                .filter(|c| *c >= Classification::Confidential)
        })
        .collect();
    let mut found: BTreeMap<NodeIndex, AttackPath> = BTreeMap::new();
    let mut tree = SearchTree::new(graph.node_count());
    let mut queue = VecDeque::new();
    for (first, members) in &groups {
        tree.clear();
        for &node in first {
            if tree.root(node, 1) {
                queue.push_back(node);
            }
        }
        while let Some(node) = queue.pop_front() {
            for &next in &steps[node.index()] {
                if tree.reach(next, node) {
                    queue.push_back(next);
                }
            }
        }
        for target in graph.node_indices().filter(|&n| tree.reached(n)) {
            let Some(level) = sensitive[target.index()] else {
                continue;
            };
            // A public store that starts a path does not attack itself.
            let mut entries = members.iter().filter(|&&m| m != target);
            let Some(&entry) = entries.next() else {
                continue;
            };
            let alike = entries.count();
            let found = found.entry(target).or_insert_with(|| AttackPath {
                target: graph[target].id.clone(),
                classification: level,
                entries: 0,
                routes: Vec::new(),
                more_entries: 0,
            });
            found.entries += alike + 1;
            let hops = tree.depth(target);
            let worse = |r: &Route| (r.hops, r.entry.as_str()) > (hops, graph[entry].id.as_str());
            if found.routes.len() == MAX_ROUTES && !found.routes.last().is_some_and(worse) {
                found.more_entries += alike + 1;
                continue;
            }
            let at = found.routes.partition_point(|r| !worse(r));
            found.routes.insert(
                at,
                Route {
                    entry: graph[entry].id.clone(),
                    alike,
                    hops,
                    path: tree.shown(graph, target, Some(&graph[entry].id)),
                },
            );
            if found.routes.len() > MAX_ROUTES
                && let Some(dropped) = found.routes.pop()
            {
                found.more_entries += dropped.alike + 1;
            }
        }
    }
    let mut paths: Vec<AttackPath> = found.into_values().collect();
    let nearest = |p: &AttackPath| p.nearest().map_or(usize::MAX, |r| r.hops);
    paths.sort_by(|a, b| {
        b.classification
            .cmp(&a.classification)
            .then(nearest(a).cmp(&nearest(b)))
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
