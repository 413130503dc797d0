//! Attack paths and blast radius, from the data-flow graph.
//!
//! Attack paths start at the untrusted principals — actors and externals in untrusted or partner
//! boundaries — and at public channels and stores that no such principal already uses. A step
//! follows a flow (a request, a trigger, a write that triggers, a delivery, an invocation) or,
//! from a function, what the function reads or its permissions name: what the attacker makes
//! happen ([`Reach::Control`]). A store or channel the attacker reaches does not start the
//! functions that merely read it: that step is data poisoning, a weaker way on, taken only where
//! no controlled path leads, and the route says so ([`Reach::Poisoning`]).
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

use super::{Dfd, Element, Flow, FlowKind, NodeKind, Reach};
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
    /// Whether every step is something the attacker makes happen ([`Reach::Control`]), or the
    /// route goes through a function reading data the attacker wrote ([`Reach::Poisoning`]).
    pub reach: Reach,
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

    /// Makes `from` the predecessor of `node`, already reached at the same depth through
    /// another element of `from`'s level: the search found an easier way of the same length.
    pub fn reparent(&mut self, node: NodeIndex, from: NodeIndex) {
        debug_assert_eq!(self.depth[node.index()], self.depth[from.index()] + 1);
        self.previous[node.index()] = Some(from);
        self.anchor[node.index()] = if self.depth[node.index()] < HEAD {
            node
        } else {
            self.anchor[from.index()]
        };
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
        self.shown_by(|n| graph[n].id.as_str(), node, first)
    }

    /// [`SearchTree::shown`] for a tree whose nodes are not the graph's: `id` names each.
    #[must_use]
    pub fn shown_by<'i>(
        &self,
        id: impl Fn(NodeIndex) -> &'i str,
        node: NodeIndex,
        first: Option<&str>,
    ) -> Vec<String> {
        let walk = |from: NodeIndex, count: usize| {
            let mut ids = Vec::with_capacity(count);
            let mut current = Some(from);
            while let Some(n) = current.filter(|_| ids.len() < count) {
                ids.push(id(n).to_owned());
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

/// Where one step leads from each node, by what the attacker can make happen: its flows that
/// start or send something (no reads, no dead letters), and for a function — compromised — what it
/// reads and what its permissions name.
fn steps(model: &Model, dfd: &Dfd) -> Vec<Vec<NodeIndex>> {
    let graph = dfd.graph();
    graph
        .node_indices()
        .map(|node| {
            let mut next: Vec<NodeIndex> = graph
                .edges_directed(node, Direction::Outgoing)
                .filter(|e| e.weight().kind.reach() == Some(Reach::Control))
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

/// Where data poisoning leads from each node: the functions that read it.
fn poisoned_by(dfd: &Dfd) -> Vec<Vec<NodeIndex>> {
    let graph = dfd.graph();
    graph
        .node_indices()
        .map(|node| {
            graph
                .edges_directed(node, Direction::Outgoing)
                .filter(|e| e.weight().kind.reach() == Some(Reach::Poisoning))
                .map(|e| e.target())
                .collect()
        })
        .collect()
}

/// An entry group's first steps: by control, and by poisoning.
type FirstSteps = (Vec<NodeIndex>, Vec<NodeIndex>);

/// Starts with the same first steps (in id order) form one group, searched once; groups come in
/// the order of their first entry, so ties go to the smallest entry id.
fn entry_groups(
    model: &Model,
    dfd: &Dfd,
    steps: &[Vec<NodeIndex>],
    poisoned_by: &[Vec<NodeIndex>],
) -> Vec<(FirstSteps, Vec<NodeIndex>)> {
    let graph = dfd.graph();
    let sorted = |nodes: &[NodeIndex]| {
        let mut nodes = nodes.to_vec();
        nodes.sort_by(|a, b| graph[*a].id.cmp(&graph[*b].id));
        nodes.dedup();
        nodes
    };
    let mut groups: BTreeMap<FirstSteps, Vec<NodeIndex>> = BTreeMap::new();
    for start in starts(model, dfd) {
        let first = (
            sorted(&steps[start.index()]),
            sorted(&poisoned_by[start.index()]),
        );
        if !first.0.is_empty() || !first.1.is_empty() {
            groups.entry(first).or_default().push(start);
        }
    }
    let mut groups: Vec<(FirstSteps, Vec<NodeIndex>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| graph[a.1[0]].id.cmp(&graph[b.1[0]].id));
    groups
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

/// One search of an entry group over (element, poisoned yet) states: state `n` is element `n`
/// reached by control, state `nodes + n` the same element reached through a read of poisoned
/// data. From a control state, [`steps`] keep control and [`poisoned_by`] poisons; from a
/// poisoned state every step stays poisoned. Breadth-first, so each state gets a shortest path.
struct GroupSearch<'a> {
    steps: &'a [Vec<NodeIndex>],
    poisoned_by: &'a [Vec<NodeIndex>],
    nodes: usize,
    tree: SearchTree,
    queue: VecDeque<NodeIndex>,
}

impl GroupSearch<'_> {
    /// The poisoned state of an element.
    fn poisoned(&self, node: NodeIndex) -> NodeIndex {
        NodeIndex::new(self.nodes + node.index())
    }

    /// The element of a state.
    fn element(&self, state: NodeIndex) -> NodeIndex {
        NodeIndex::new(state.index() % self.nodes)
    }

    /// Searches from the group's first steps: `control` by what the attacker makes happen,
    /// `poison` by what reads the entry.
    fn run(&mut self, control: &[NodeIndex], poison: &[NodeIndex]) {
        self.tree.clear();
        let roots = control
            .iter()
            .copied()
            .chain(poison.iter().map(|&n| self.poisoned(n)));
        for state in roots.collect::<Vec<_>>() {
            if self.tree.root(state, 1) {
                self.queue.push_back(state);
            }
        }
        let (steps, poisoned_by) = (self.steps, self.poisoned_by);
        while let Some(state) = self.queue.pop_front() {
            let node = self.element(state);
            let poisoned = state != node;
            let next = steps[node.index()]
                .iter()
                .map(|&n| if poisoned { self.poisoned(n) } else { n })
                .chain(poisoned_by[node.index()].iter().map(|&n| self.poisoned(n)))
                .collect::<Vec<_>>();
            for next in next {
                if self.tree.reach(next, state) {
                    self.queue.push_back(next);
                }
            }
        }
    }

    /// How the search reached an element, if it did: by control, else by poisoning.
    fn best(&self, node: NodeIndex) -> Option<(Reach, NodeIndex)> {
        if self.tree.reached(node) {
            Some((Reach::Control, node))
        } else {
            let poisoned = self.poisoned(node);
            self.tree
                .reached(poisoned)
                .then_some((Reach::Poisoning, poisoned))
        }
    }
}

/// For every store with confidential or restricted data that an untrusted start reaches: the
/// nearest entry groups with one shortest path each, and how many starts reach it. A store an
/// entry reaches by what the attacker makes happen is reached that way; otherwise by its shortest
/// path through a read of poisoned data ([`Reach::Poisoning`]). Most sensitive first, then
/// those reached by control, then nearest, then by store id.
#[must_use]
pub fn attack_paths(model: &Model, dfd: &Dfd) -> Vec<AttackPath> {
    let graph = dfd.graph();
    let steps = steps(model, dfd);
    let poisoned_by = poisoned_by(dfd);
    let groups = entry_groups(model, dfd, &steps, &poisoned_by);
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
    let mut search = GroupSearch {
        steps: &steps,
        poisoned_by: &poisoned_by,
        nodes: graph.node_count(),
        tree: SearchTree::new(2 * graph.node_count()),
        queue: VecDeque::new(),
    };
    for ((control, poison), members) in &groups {
        search.run(control, poison);
        for target in graph.node_indices() {
            let (Some(level), Some((reach, state))) =
                (sensitive[target.index()], search.best(target))
            else {
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
            let hops = search.tree.depth(state);
            let key = (reach, hops, graph[entry].id.as_str());
            let worse = |r: &Route| (r.reach, r.hops, r.entry.as_str()) > key;
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
                    reach,
                    path: search.tree.shown_by(
                        |n| graph[search.element(n)].id.as_str(),
                        state,
                        Some(&graph[entry].id),
                    ),
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
    let nearest = |p: &AttackPath| {
        p.nearest()
            .map_or((Reach::Poisoning, usize::MAX), |r| (r.reach, r.hops))
    };
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::fmt::Write;
    use std::path::Path;

    use super::*;

    /// A small pseudo-random generator, so every model of the check is reproducible from its seed.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            usize::try_from(self.0 % n as u64).unwrap()
        }

        fn some(&mut self, n: usize, most: usize) -> Vec<usize> {
            let mut picked: Vec<usize> = (0..self.below(most + 1)).map(|_| self.below(n)).collect();
            picked.sort_unstable();
            picked.dedup();
            picked
        }
    }

    /// A valid model with random actors (untrusted, partner or trusted), queues and APIs (some
    /// public), stores (some public buckets) of random classification, and functions wired at
    /// random: triggers, reads, writes, invocations and permissions.
    fn random_model(seed: u64) -> String {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let (actors, channels, stores, functions) = (
            1 + rng.below(6),
            1 + rng.below(5),
            1 + rng.below(5),
            1 + rng.below(7),
        );
        let mut y = String::from(
            "strider: 1\nname: random\nboundaries:\n  internet: {trust: untrusted}\n  partner: {trust: partner}\n  account: {trust: trusted}\n\
             data:\n  pub: {classification: public}\n  conf: {classification: confidential}\n  rest: {classification: restricted}\nactors:\n",
        );
        let list = |ids: &[usize], prefix: &str| {
            ids.iter()
                .map(|i| format!("{prefix}{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        for a in 0..actors {
            let boundary = ["internet", "partner", "account"][rng.below(3)];
            let uses = rng.some(channels, 2);
            let _ = writeln!(
                y,
                "  a{a}: {{boundary: {boundary}, uses: [{}]}}",
                list(&uses, "c")
            );
        }
        y.push_str("channels:\n");
        let mut apis = Vec::new();
        for c in 0..channels {
            if rng.below(3) == 0 {
                apis.push(c);
                let public = rng.below(2) == 0;
                let _ = writeln!(
                    y,
                    "  c{c}: {{kind: api-gateway-http, boundary: account, public: {public}}}"
                );
            } else {
                let _ = writeln!(y, "  c{c}: {{kind: sqs, boundary: account}}");
            }
        }
        y.push_str("stores:\n");
        for s in 0..stores {
            let data = ["pub", "conf", "rest"][rng.below(3)];
            if rng.below(3) == 0 {
                let _ = writeln!(
                    y,
                    "  s{s}: {{kind: s3, boundary: account, public: true, data: [{data}]}}"
                );
            } else {
                let _ = writeln!(
                    y,
                    "  s{s}: {{kind: dynamodb, boundary: account, data: [{data}]}}"
                );
            }
        }
        random_functions(&mut y, &mut rng, (channels, stores, functions), &apis);
        y
    }

    /// Functions wired at random to the channels (`apis` are the APIs) and stores.
    fn random_functions(
        y: &mut String,
        rng: &mut Rng,
        (channels, stores, functions): (usize, usize, usize),
        apis: &[usize],
    ) {
        let list = |ids: &[usize], prefix: &str| {
            ids.iter()
                .map(|i| format!("{prefix}{i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        y.push_str("functions:\n");
        for f in 0..functions {
            let _ = write!(
                y,
                "  f{f}:\n    runtime: python3.12\n    boundary: account\n    handler: app.handler\n    triggers: ["
            );
            for (i, c) in rng.some(channels, 2).into_iter().enumerate() {
                let sep = if i == 0 { "" } else { ", " };
                if apis.contains(&c) {
                    let _ = write!(
                        y,
                        "{sep}{{kind: http, source: c{c}, method: POST, path: /f{f}}}"
                    );
                } else {
                    let _ = write!(y, "{sep}{{kind: sqs, source: c{c}}}");
                }
            }
            y.push_str("]\n");
            let reads = rng.some(stores, 2);
            let writes = rng.some(stores, 2);
            let queues: Vec<usize> = rng
                .some(channels, 2)
                .into_iter()
                .filter(|c| !apis.contains(c))
                .collect();
            let invokes: Vec<usize> = rng
                .some(functions, 1)
                .into_iter()
                .filter(|&g| g != f)
                .collect();
            let named = rng.some(stores, 2);
            let _ = writeln!(y, "    reads: [{}]", list(&reads, "s"));
            let mut written = list(&writes, "s");
            if !queues.is_empty() {
                if !written.is_empty() {
                    written.push_str(", ");
                }
                written.push_str(&list(&queues, "c"));
            }
            let _ = writeln!(y, "    writes: [{written}]");
            let _ = writeln!(y, "    invokes: [{}]", list(&invokes, "f"));
            if !named.is_empty() {
                let _ = writeln!(
                    y,
                    "    permissions:\n      - {{allow: [dynamodb:GetItem], on: [{}]}}",
                    list(&named, "s")
                );
            }
        }
    }

    /// The plain computation: one search per start over (element, poisoned yet) states — a read
    /// step poisons, every later step keeps it — and every (start, sensitive store) pair with
    /// its best way: by control if any, else the shortest poisoning path.
    fn every_pair(model: &Model, dfd: &Dfd) -> BTreeMap<String, BTreeMap<String, (Reach, usize)>> {
        let graph = dfd.graph();
        let steps = steps(model, dfd);
        let poisoned_by = poisoned_by(dfd);
        let n = graph.node_count();
        let mut pairs: BTreeMap<String, BTreeMap<String, (Reach, usize)>> = BTreeMap::new();
        for start in starts(model, dfd) {
            // distance[poisoned][node]
            let mut distance = [vec![None; n], vec![None; n]];
            distance[0][start.index()] = Some(0);
            let mut queue = VecDeque::from([(start, 0usize)]);
            while let Some((node, poisoned)) = queue.pop_front() {
                let d = distance[poisoned][node.index()].map(|d: usize| d + 1);
                let next = steps[node.index()]
                    .iter()
                    .map(|&m| (m, poisoned))
                    .chain(poisoned_by[node.index()].iter().map(|&m| (m, 1)));
                for (m, p) in next {
                    if distance[p][m.index()].is_none() {
                        distance[p][m.index()] = d;
                        queue.push_back((m, p));
                    }
                }
            }
            for target in graph.node_indices().filter(|&n| n != start) {
                let sensitive = graph[target].kind == NodeKind::Store
                    && classification(model, &graph[target].id)
                        .is_some_and(|c| c >= Classification::Confidential);
                let best = distance[0][target.index()]
                    .map(|d| (Reach::Control, d))
                    .or_else(|| distance[1][target.index()].map(|d| (Reach::Poisoning, d)));
                if let (true, Some(best)) = (sensitive, best) {
                    pairs
                        .entry(graph[target].id.clone())
                        .or_default()
                        .insert(graph[start].id.clone(), best);
                }
            }
        }
        pairs
    }

    /// Every consecutive pair of shown ids is one step, unless the `… N more …` element is
    /// between them.
    fn assert_walkable(model: &Model, dfd: &Dfd, route: &Route, target: &str) {
        let steps = steps(model, dfd);
        assert_eq!(route.path.first(), Some(&route.entry));
        assert_eq!(route.path.last().map(String::as_str), Some(target));
        if route.hops < SHOWN {
            assert_eq!(route.path.len(), route.hops + 1, "{route:?}");
        } else {
            assert_eq!(route.path.len(), SHOWN, "{route:?}");
            assert_eq!(
                route.path[HEAD],
                format!("… {} more …", route.hops + 1 - HEAD - TAIL)
            );
        }
        let poisoned_by = poisoned_by(dfd);
        for pair in route.path.windows(2) {
            if let (Some(from), Some(to)) = (dfd.node(&pair[0]), dfd.node(&pair[1])) {
                assert!(
                    steps[from.index()].contains(&to) || poisoned_by[from.index()].contains(&to),
                    "{route:?}"
                );
            }
        }
    }

    /// Checks the grouped paths of a model against every pair: each pair reachable before is
    /// still represented — listed with its shortest distance, or counted in a listed group or in
    /// `more_entries` — and nothing else is.
    fn check(yaml: &str) -> Vec<AttackPath> {
        let loaded = crate::model::load_bytes(Path::new("random.yaml"), yaml.as_bytes())
            .unwrap_or_else(|e| panic!("{e:?}\n{yaml}"));
        check_model(&loaded.model, yaml)
    }

    fn check_model(model: &Model, yaml: &str) -> Vec<AttackPath> {
        let dfd = Dfd::build(model);
        let paths = attack_paths(model, &dfd);
        assert_eq!(paths, attack_paths(model, &dfd), "deterministic");
        let pairs = every_pair(model, &dfd);
        let targets: Vec<&String> = paths.iter().map(|p| &p.target).collect();
        assert_eq!(targets.len(), pairs.len(), "{yaml}");
        let graph = dfd.graph();
        let first_steps = |id: &str| {
            let node = dfd.node(id).unwrap();
            let sorted = |nodes: &[NodeIndex]| {
                let mut first: Vec<&str> = nodes.iter().map(|n| graph[*n].id.as_str()).collect();
                first.sort_unstable();
                first.dedup();
                first
            };
            (
                sorted(&steps(model, &dfd)[node.index()]),
                sorted(&poisoned_by(&dfd)[node.index()]),
            )
        };
        for path in &paths {
            let reaching = &pairs[&path.target];
            assert_eq!(path.entries, reaching.len(), "{path:?}\n{yaml}");
            assert!(!path.routes.is_empty() && path.routes.len() <= MAX_ROUTES);
            assert_eq!(
                (path.routes[0].reach, path.routes[0].hops),
                *reaching.values().min().unwrap(),
                "nearest first"
            );
            let listed: usize = path.routes.iter().map(|r| r.alike + 1).sum();
            assert_eq!(listed + path.more_entries, path.entries, "{path:?}");
            for route in &path.routes {
                assert_eq!(
                    reaching.get(&route.entry),
                    Some(&(route.reach, route.hops)),
                    "{route:?}\n{yaml}"
                );
                // The entries alike: every other start with the same first steps reaches the
                // store in as many hops, the same way.
                let group: Vec<&String> = reaching
                    .keys()
                    .filter(|e| first_steps(e) == first_steps(&route.entry))
                    .collect();
                assert_eq!(group.len(), route.alike + 1, "{route:?}\n{yaml}");
                assert!(
                    group
                        .iter()
                        .all(|e| reaching[*e] == (route.reach, route.hops))
                );
                assert_walkable(model, &dfd, route, &path.target);
            }
            assert!(path.routes.windows(2).all(
                |w| (w[0].reach, w[0].hops, &w[0].entry) < (w[1].reach, w[1].hops, &w[1].entry)
            ));
        }
        paths
    }

    #[test]
    fn every_reachable_pair_is_represented_in_random_models() {
        let (mut with_paths, mut with_alike, mut with_poisoning) = (0, 0, 0);
        for seed in 0..400 {
            let paths = check(&random_model(seed));
            with_paths += usize::from(!paths.is_empty());
            with_alike += usize::from(paths.iter().flat_map(|p| &p.routes).any(|r| r.alike > 0));
            with_poisoning += usize::from(
                paths
                    .iter()
                    .flat_map(|p| &p.routes)
                    .any(|r| r.reach == Reach::Poisoning),
            );
        }
        // Some routes need a read of poisoned data.
        assert!(with_poisoning > 10, "{with_poisoning}");
        // The models exercise what is checked: paths, and groups of several entries.
        assert!(
            with_paths > 100 && with_alike > 20,
            "{with_paths} {with_alike}"
        );
    }

    #[test]
    fn every_reachable_pair_is_represented_in_generated_models() {
        check(&crate::generate::synthetic_model_of(
            crate::generate::Shape::Chain,
            30,
            12,
        ));
        check(&crate::generate::synthetic_model_of(
            crate::generate::Shape::Estate,
            40,
            3,
        ));
        // Twelve actors, each behind its own API: twelve groups, eight listed, four counted.
        let mut yaml = String::from(
            "strider: 1\nname: wide\nboundaries:\n  internet: {trust: untrusted}\n  account: {trust: trusted}\n\
             data:\n  card: {classification: restricted}\nactors:\n",
        );
        for a in 0..12 {
            let _ = writeln!(yaml, "  a{a:02}: {{boundary: internet, uses: [api{a:02}]}}");
        }
        yaml.push_str(
            "stores:\n  db: {kind: dynamodb, boundary: account, data: [card]}\nchannels:\n",
        );
        for a in 0..12 {
            let _ = writeln!(
                yaml,
                "  api{a:02}: {{kind: api-gateway-http, boundary: account}}"
            );
        }
        yaml.push_str("functions:\n  f:\n    runtime: python3.12\n    boundary: account\n    handler: app.handler\n    writes: [db]\n    triggers: [");
        for a in 0..12 {
            let _ = write!(
                yaml,
                "{{kind: http, source: api{a:02}, method: GET, path: /{a}}}, "
            );
        }
        yaml.push_str("]\n");
        let wide = check(&yaml);
        assert_eq!(wide[0].entries, 12);
        assert_eq!(wide[0].routes.len(), MAX_ROUTES);
        assert_eq!(wide[0].more_entries, 12 - MAX_ROUTES);
        assert_eq!(wide[0].routes[0].entry, "a00");
        let shop = crate::model::load(Path::new("model/shop.yaml")).unwrap();
        check_model(&shop.model, "model/shop.yaml");
    }

    #[test]
    fn long_paths_are_shortened_and_many_entries_counted() {
        let yaml = crate::generate::synthetic_model_of(crate::generate::Shape::Chain, 30, 12);
        let model = crate::model::load_bytes(Path::new("chain.yaml"), yaml.as_bytes())
            .unwrap()
            .model;
        let paths = attack_paths(&model, &Dfd::build(&model));
        assert_eq!(paths.len(), 30, "one row per table");
        let last = paths.iter().find(|p| p.target == "table-29").unwrap();
        // user-0 → api → fn-0 → queue-1 → fn-1 → … → fn-29 → table-29
        assert_eq!(last.entries, 12);
        assert_eq!(last.routes.len(), 1);
        assert_eq!(last.routes[0].alike, 11);
        assert_eq!(last.routes[0].hops, 61);
        assert_eq!(
            last.routes[0].path,
            [
                "user-0",
                "api",
                "fn-0",
                "queue-1",
                "fn-1",
                "queue-2",
                "… 51 more …",
                "queue-28",
                "fn-28",
                "queue-29",
                "fn-29",
                "table-29"
            ]
        );
    }
}
