//! What rules need to know about a model beyond single fields, computed once per analysis:
//! which elements an attacker reaches from an untrusted entry point (and by which path), and the
//! most sensitive data each element can reach through the graph.

use std::collections::VecDeque;

use petgraph::Direction;
use petgraph::algo::tarjan_scc;
use petgraph::visit::EdgeRef;

use petgraph::graph::NodeIndex;

use crate::graph::paths::SearchTree;
use crate::graph::{Dfd, FlowKind, Reach};
use crate::iam::Grant;
use crate::model::{Classification, Model};

/// How an attacker reaches an element from an untrusted entry point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exposure {
    /// Ids from the entry point to the element, both included; a path of more than
    /// [`SHOWN`](crate::graph::paths::SHOWN) elements shows its first and last ones around one
    /// `… N more …` element (`hops` keeps the length). [`Context::route`] walks the whole path.
    pub path: Vec<String>,
    /// Flows on the path that enter a more trusted boundary and authenticate their sender.
    pub authenticated_hops: usize,
    /// Flows on the path.
    pub hops: usize,
    /// The first function on the path, before the element, that validates its input.
    pub validator: Option<String>,
    /// Whether the attacker makes the element run or receive ([`Reach::Control`]), or only
    /// feeds it data through something it reads ([`Reach::Poisoning`]).
    pub reach: Reach,
}

/// The model, its graph, and what rules derive from them.
pub struct Context<'m> {
    /// The model.
    pub model: &'m Model,
    /// Its data-flow graph.
    pub dfd: &'m Dfd,
    exposure: Vec<Option<Exposure>>,
    /// The search tree of the exposures: the whole paths, in linear memory.
    tree: SearchTree,
    /// When a depth-first walk of the search tree enters and leaves each node: a hop is on the
    /// path to an element when the element's interval lies within the hop's.
    order: Vec<(usize, usize)>,
    reach: Vec<Option<Classification>>,
    /// Elements an attacker reaches by control without passing through a function.
    front: Vec<bool>,
    /// IAM services that act on some modelled store or channel.
    governed: std::collections::BTreeSet<&'static str>,
    /// Every function's effective grants, computed on first use.
    grants: std::sync::OnceLock<std::collections::BTreeMap<&'m str, Vec<Grant<'m>>>>,
}

impl<'m> Context<'m> {
    /// Computes the context of a model.
    #[must_use]
    pub fn new(model: &'m Model, dfd: &'m Dfd) -> Self {
        let (exposure, tree) = exposures(model, dfd);
        let order = visit_order(dfd, &tree);
        let reach = reachable_classification(model, dfd);
        let front = front(model, dfd);
        let governed = model
            .stores
            .keys()
            .chain(model.channels.keys())
            .flat_map(|id| iam_services(model, id).iter().copied())
            .collect();
        Context {
            model,
            dfd,
            exposure,
            tree,
            order,
            reach,
            front,
            governed,
            grants: std::sync::OnceLock::new(),
        }
    }

    /// A function's effective grants — inline permissions, its role's statements, AWS managed
    /// policies and SAM policy templates ([`crate::iam::grants`]) — computed once per analysis
    /// for every function. Empty for an unknown function.
    #[must_use]
    pub fn grants(&self, function: &str) -> &[Grant<'m>] {
        self.grants
            .get_or_init(|| crate::iam::all_effective_grants(self.model))
            .get(function)
            .map_or(&[], Vec::as_slice)
    }

    /// Whether an IAM service acts on some modelled store or channel (`dynamodb` when the model
    /// has a table; not `logs` or `xray`).
    #[must_use]
    pub fn governs(&self, service: &str) -> bool {
        self.governed.contains(service)
    }

    /// Whether actions are harmless on every resource: none is privileged and none belongs to a
    /// service that acts on a modelled store or channel (`logs:PutLogEvents`,
    /// `xray:PutTraceSegments`, `ec2:CreateNetworkInterface` — actions AWS grants only on `*`).
    #[must_use]
    pub fn harmless<'a>(&self, mut actions: impl Iterator<Item = &'a crate::iam::Action>) -> bool {
        actions.all(|a| !crate::iam::is_privileged(a) && !self.governs(a.service))
    }

    /// The privileged actions ([`crate::iam::privilege`]) a function may take on every resource
    /// (`*` or a wildcard ARN), each as written with where it comes from, sorted.
    #[must_use]
    pub fn privileged_actions(&self, function: &str) -> Vec<String> {
        let mut actions: Vec<String> = self
            .grants(function)
            .iter()
            .filter(|g| g.allows() && g.has_wildcard_resource())
            .flat_map(|g| {
                g.privileged_patterns()
                    .into_iter()
                    .map(move |p| match g.origin {
                        crate::iam::Origin::Inline | crate::iam::Origin::Role(_) => {
                            format!("`{p}`")
                        }
                        origin => format!("`{p}` ({origin})"),
                    })
            })
            .collect();
        actions.sort_unstable();
        actions.dedup();
        actions
    }

    /// Why a function is administrative, from explicit model facts only: it is declared
    /// `administrative: true`, or one of its routes is on an API or function URL that only
    /// administrative actors use. `None` when neither holds — names and descriptions are not
    /// facts, and privileged permissions make a function dangerous, not administrative (that is
    /// `privileged-action-on-public-path`'s finding).
    #[must_use]
    pub fn administrative(&self, id: &str) -> Option<String> {
        let function = self.model.functions.get(id)?;
        if function.administrative {
            return Some("declared `administrative: true`".to_owned());
        }
        function
            .triggers
            .iter()
            .filter_map(|t| t.source.as_deref())
            .find(|source| admin_only(self.model, source))
            .map(|source| format!("routed through `{source}`, which only administrators use"))
    }

    /// How an attacker reaches an element by what the attacker can make happen — requests,
    /// triggers, deliveries, invocations, writes — if one does. Elements an attacker only feeds
    /// through data they read are not exposed: see [`Context::poisoning`].
    #[must_use]
    pub fn exposure(&self, id: &str) -> Option<&Exposure> {
        self.reached(id).filter(|e| e.reach == Reach::Control)
    }

    /// How an attacker reaches an element only by data poisoning: it (or a function before it)
    /// reads a store or channel the attacker can write, and nothing the attacker can make happen
    /// starts it.
    #[must_use]
    pub fn poisoning(&self, id: &str) -> Option<&Exposure> {
        self.reached(id).filter(|e| e.reach == Reach::Poisoning)
    }

    /// How an attacker reaches an element, either way.
    fn reached(&self, id: &str) -> Option<&Exposure> {
        self.dfd
            .node(id)
            .and_then(|n| self.exposure[n.index()].as_ref())
    }

    /// Whether `hop` is on the attacker's path to the element `id` (the element included, either
    /// kind of [`Reach`]), in constant time, however long the path.
    #[must_use]
    pub fn on_route(&self, id: &str, hop: &str) -> bool {
        match (self.dfd.node(id), self.dfd.node(hop)) {
            (Some(element), Some(hop)) if self.tree.reached(element) && self.tree.reached(hop) => {
                let (element, hop) = (self.order[element.index()], self.order[hop.index()]);
                hop.0 <= element.0 && element.1 <= hop.1
            }
            _ => false,
        }
    }

    /// The most sensitive data an element can reach — its blast radius: what it holds or carries,
    /// what flows out of it, and onward through everything it can start (writes that trigger,
    /// deliveries, invocations); for functions also what they read. A store does not start the
    /// functions that read it, so reads end the walk.
    #[must_use]
    pub fn reachable_classification(&self, id: &str) -> Option<Classification> {
        self.dfd.node(id).and_then(|n| self.reach[n.index()])
    }

    /// Whether an attacker reaches the element without passing through a function — an entry
    /// point or what entry points feed directly (an API internet callers use, a publicly writable
    /// bucket, a queue an untrusted partner sends to, a queue a public topic delivers to). An API
    /// only the model's own functions call is not: its callers are code.
    #[must_use]
    pub fn on_front(&self, id: &str) -> bool {
        self.dfd.node(id).is_some_and(|n| self.front[n.index()])
    }

    /// The sources of a function's triggers that an attacker reaches without passing through
    /// another function, in id order (see [`Context::on_front`]). A function with such a trigger
    /// is where a flood from the internet first becomes invocations; functions further
    /// downstream are bounded by limits at that front.
    #[must_use]
    pub fn front_triggers(&self, function: &str) -> Vec<&str> {
        let Some(node) = self.dfd.node(function) else {
            return Vec::new();
        };
        let graph = self.dfd.graph();
        let mut sources: Vec<&str> = graph
            .edges_directed(node, Direction::Incoming)
            .filter(|e| e.weight().kind == FlowKind::Trigger && self.front[e.source().index()])
            .map(|e| graph[e.source()].id.as_str())
            .collect();
        sources.sort_unstable();
        sources.dedup();
        sources
    }

    /// The classification of one data asset.
    #[must_use]
    pub fn classification(&self, data: &str) -> Option<Classification> {
        self.model.data.get(data).map(|d| d.classification)
    }

    /// The most sensitive of some data assets.
    #[must_use]
    pub fn most_sensitive<'a>(
        &self,
        data: impl IntoIterator<Item = &'a String>,
    ) -> Option<Classification> {
        data.into_iter()
            .filter_map(|d| self.classification(d))
            .max()
    }
}

/// Multi-source breadth-first search from every entry point, first along the flows an attacker
/// makes happen (requests, triggers, deliveries, invocations, writes, calls): the first path found
/// to each element is a shortest one. Then, from every element so reached, on through reads of
/// what the attacker could write and anything onward: those elements are reached by data
/// poisoning only ([`Reach::Poisoning`]), by a short path (not always the shortest). Linear: each
/// element keeps its predecessor and a shown path of bounded length.
fn exposures(model: &Model, dfd: &Dfd) -> (Vec<Option<Exposure>>, SearchTree) {
    let graph = dfd.graph();
    let mut search = Search {
        model,
        dfd,
        tree: SearchTree::new(graph.node_count()),
        authenticated: vec![0; graph.node_count()],
        validator: vec![None; graph.node_count()],
        reach: vec![Reach::Control; graph.node_count()],
        order: Vec::new(),
    };
    let mut queue = VecDeque::new();
    for entry in dfd.entry_points(model) {
        if search.tree.root(entry, 0) {
            // An entry point that is itself an API with an authorizer gates the way in too.
            search.authenticated[entry.index()] =
                usize::from(model.channels.get(&graph[entry].id).is_some_and(|c| {
                    crate::model::protecting(c.auth, c.verified)
                        .is_some_and(|a| a != crate::model::Auth::None)
                }));
            queue.push_back(entry);
        }
    }
    search.run(&mut queue, Reach::Control);
    // Data poisoning: what reads an element the attacker controls, and onward.
    let controlled = std::mem::take(&mut search.order);
    for node in controlled {
        for edge in graph.edges_directed(node, Direction::Outgoing) {
            if edge.weight().kind.reach() == Some(Reach::Poisoning) {
                search.step(
                    node,
                    edge.target(),
                    edge.weight(),
                    Reach::Poisoning,
                    &mut queue,
                );
            }
        }
    }
    search.run(&mut queue, Reach::Poisoning);
    let Search {
        tree,
        authenticated,
        validator,
        reach,
        ..
    } = search;
    let exposure = graph
        .node_indices()
        .map(|n| {
            tree.reached(n).then(|| Exposure {
                path: tree.shown(graph, n, None),
                authenticated_hops: authenticated[n.index()],
                hops: tree.depth(n),
                validator: validator[n.index()].map(|v| graph[v].id.clone()),
                reach: reach[n.index()],
            })
        })
        .collect();
    (exposure, tree)
}

/// The state of the exposure search.
struct Search<'a> {
    model: &'a Model,
    dfd: &'a Dfd,
    tree: SearchTree,
    /// Authenticated flows on the path to each element.
    authenticated: Vec<usize>,
    /// The first function before each element that validates its input.
    validator: Vec<Option<NodeIndex>>,
    /// How each element was reached.
    reach: Vec<Reach>,
    /// Elements in the order the search reached them.
    order: Vec<NodeIndex>,
}

impl Search<'_> {
    /// Breadth-first from the queued elements, reaching new ones as `phase`: in the control
    /// phase along control flows only, in the poisoning phase along every flow but dead letters.
    fn run(&mut self, queue: &mut VecDeque<NodeIndex>, phase: Reach) {
        let dfd = self.dfd;
        let graph = dfd.graph();
        while let Some(node) = queue.pop_front() {
            self.order.push(node);
            for edge in graph.edges_directed(node, Direction::Outgoing) {
                let follows = match (phase, edge.weight().kind.reach()) {
                    (_, None) | (Reach::Control, Some(Reach::Poisoning)) => false,
                    (Reach::Control, Some(Reach::Control)) | (Reach::Poisoning, Some(_)) => true,
                };
                if follows {
                    self.step(node, edge.target(), edge.weight(), phase, queue);
                }
            }
        }
    }

    /// One flow from `node` to `target` in `phase`.
    fn step(
        &mut self,
        node: NodeIndex,
        target: NodeIndex,
        flow: &crate::graph::Flow,
        phase: Reach,
        queue: &mut VecDeque<NodeIndex>,
    ) {
        let (model, dfd) = (self.model, self.dfd);
        let graph = dfd.graph();
        let validates = |id: &str| {
            model.functions.get(id).is_some_and(|f| {
                f.input.as_ref().is_some_and(|i| i.validated.is_true())
                    || f.triggers
                        .iter()
                        .any(|t| t.input.as_ref().is_some_and(|i| i.validated.is_true()))
            })
        };
        // Authentication that stops an attacker is checked where a flow enters from a less
        // trusted boundary; internal, IAM-signed flows carry whatever the attacker put in.
        let gate = flow.authenticated
            && flow.crosses_boundary()
            && dfd.trust_of(node) < dfd.trust_of(target);
        let through = (
            self.authenticated[node.index()] + usize::from(gate),
            self.validator[node.index()].or_else(|| validates(&graph[node].id).then_some(node)),
        );
        if self.tree.reach(target, node) {
            self.reach[target.index()] = phase;
            queue.push_back(target);
        } else if self.reach[target.index()] == phase
            && self.tree.depth(target) == self.tree.depth(node) + 1
            && (through.0, through.1.is_some())
                < (
                    self.authenticated[target.index()],
                    self.validator[target.index()].is_some(),
                )
        {
            // Of the shortest ways in, the attacker takes the easiest: fewest authenticators,
            // then none that validates. `target` is still queued, so what it reaches follows.
            self.tree.reparent(target, node);
        } else {
            return;
        }
        (
            self.authenticated[target.index()],
            self.validator[target.index()],
        ) = through;
    }
}

/// Elements reached from the entry points along control flows without passing through a
/// function (functions end the walk and are not marked).
fn front(model: &Model, dfd: &Dfd) -> Vec<bool> {
    let graph = dfd.graph();
    let mut front = vec![false; graph.node_count()];
    let is_function = |n: NodeIndex| graph[n].kind == crate::graph::NodeKind::Function;
    let mut queue: VecDeque<NodeIndex> = dfd
        .entry_points(model)
        .into_iter()
        .filter(|&n| !is_function(n))
        .collect();
    for &n in &queue {
        front[n.index()] = true;
    }
    while let Some(node) = queue.pop_front() {
        for edge in graph.edges_directed(node, Direction::Outgoing) {
            let target = edge.target();
            if edge.weight().kind.reach() == Some(Reach::Control)
                && !is_function(target)
                && !front[target.index()]
            {
                front[target.index()] = true;
                queue.push_back(target);
            }
        }
    }
    front
}

/// Enter and leave times of an iterative depth-first walk over the search tree's reached nodes.
fn visit_order(dfd: &Dfd, tree: &SearchTree) -> Vec<(usize, usize)> {
    let graph = dfd.graph();
    let mut children = vec![Vec::new(); graph.node_count()];
    let mut roots = Vec::new();
    for node in graph.node_indices().filter(|&n| tree.reached(n)) {
        match tree.previous(node) {
            Some(parent) => children[parent.index()].push(node),
            None => roots.push(node),
        }
    }
    let mut order = vec![(0, 0); graph.node_count()];
    let mut clock = 0;
    for root in roots {
        // (node, whether its children were pushed)
        let mut stack = vec![(root, false)];
        while let Some((node, expanded)) = stack.pop() {
            clock += 1;
            if expanded {
                order[node.index()].1 = clock;
            } else {
                order[node.index()].0 = clock;
                stack.push((node, true));
                stack.extend(children[node.index()].iter().map(|&c| (c, false)));
            }
        }
    }
    order
}

/// The most sensitive data reachable from each node, by dynamic programming over the condensation
/// of the graph (strongly connected components in reverse topological order): linear time.
fn reachable_classification(model: &Model, dfd: &Dfd) -> Vec<Option<Classification>> {
    let graph = dfd.graph();
    let level = |ids: &[String]| {
        ids.iter()
            .filter_map(|d| model.data.get(d).map(|a| a.classification))
            .max()
    };
    // What each node touches itself: its own data, the data on its flows, what a function reads.
    let mut own: Vec<Option<Classification>> = graph
        .node_indices()
        .map(|n| {
            let id = &graph[n].id;
            let held = model
                .stores
                .get(id)
                .map(|s| level(&s.data))
                .or_else(|| model.channels.get(id).map(|c| level(&c.data)))
                .flatten();
            let flows = graph
                .edges_directed(n, Direction::Outgoing)
                .filter_map(|e| level(&e.weight().data))
                .max();
            let reads = graph
                .edges_directed(n, Direction::Incoming)
                .filter(|e| e.weight().kind == FlowKind::Read)
                .filter_map(|e| level(&e.weight().data))
                .max();
            held.max(flows).max(reads)
        })
        .collect();
    // tarjan_scc returns components in reverse topological order: successors come first.
    let components = tarjan_scc(graph);
    let mut component_of = vec![0usize; graph.node_count()];
    for (c, nodes) in components.iter().enumerate() {
        for n in nodes {
            component_of[n.index()] = c;
        }
    }
    let mut best: Vec<Option<Classification>> = vec![None; components.len()];
    for (c, nodes) in components.iter().enumerate() {
        let mut level = nodes.iter().filter_map(|n| own[n.index()]).max();
        for n in nodes {
            for edge in graph.edges_directed(*n, Direction::Outgoing) {
                let target = component_of[edge.target().index()];
                // A store does not start the functions that read it: reads end the walk.
                if target != c
                    && !matches!(edge.weight().kind, FlowKind::DeadLetter | FlowKind::Read)
                {
                    level = level.max(best[target]);
                }
            }
        }
        best[c] = level;
    }
    for n in graph.node_indices() {
        own[n.index()] = best[component_of[n.index()]];
    }
    own
}

/// A stable name for one trigger of a function: its source, with method and path or its index
/// when the function has several triggers from the same source.
#[must_use]
pub fn trigger_qualifier(function: &crate::model::Function, index: usize) -> String {
    let trigger = &function.triggers[index];
    let source = trigger
        .source
        .clone()
        .unwrap_or_else(|| "invoke".to_owned());
    let shared = function
        .triggers
        .iter()
        .filter(|t| t.source == trigger.source)
        .count()
        > 1;
    if !shared {
        return source;
    }
    match (&trigger.method, &trigger.path) {
        (Some(method), Some(path)) => format!("{source}:{method}:{path}"),
        (None, Some(path)) => format!("{source}:{path}"),
        _ => format!("{source}#{index}"),
    }
}

/// One HTTP or WebSocket route of a function: the trigger, its API, and the authentication in
/// force (the route's, else the API's).
pub struct Route<'m> {
    /// The function's id.
    pub function_id: &'m str,
    /// The function.
    pub function: &'m crate::model::Function,
    /// The trigger's index in `function.triggers`.
    pub index: usize,
    /// The trigger.
    pub trigger: &'m crate::model::Trigger,
    /// The API's id.
    pub source: &'m str,
    /// The API.
    pub channel: &'m crate::model::Channel,
    /// Authentication in force.
    pub auth: Option<crate::model::Auth>,
}

impl<'m> Context<'m> {
    /// Every HTTP and WebSocket route of every function, in id order.
    #[must_use]
    pub fn routes(&self) -> Vec<Route<'_>> {
        let mut routes = Vec::new();
        for (id, function) in &self.model.functions {
            for (index, trigger) in function.triggers.iter().enumerate() {
                if !matches!(
                    trigger.kind,
                    crate::model::TriggerKind::Http | crate::model::TriggerKind::Websocket
                ) {
                    continue;
                }
                let Some((source, channel)) = trigger
                    .source
                    .as_deref()
                    .and_then(|s| self.model.channels.get_key_value(s))
                else {
                    continue;
                };
                routes.push(Route {
                    function_id: id,
                    function,
                    index,
                    trigger,
                    source,
                    channel,
                    auth: crate::graph::route_auth(trigger, channel),
                });
            }
        }
        routes
    }

    /// The ids among `data` classified at least `level`.
    #[must_use]
    pub fn at_least<'d>(&self, data: &'d [String], level: Classification) -> Vec<&'d str> {
        data.iter()
            .filter(|d| self.classification(d).is_some_and(|c| c >= level))
            .map(String::as_str)
            .collect()
    }

    /// The ids among `data` that carry one of `tags`.
    #[must_use]
    pub fn tagged<'d>(&self, data: &'d [String], tags: &[crate::model::DataTag]) -> Vec<&'d str> {
        data.iter()
            .filter(|d| {
                self.model
                    .data
                    .get(*d)
                    .is_some_and(|a| a.tags.iter().any(|t| tags.contains(t)))
            })
            .map(String::as_str)
            .collect()
    }

    /// Data assets a function sees: what it reads, writes and calls with, and what arrives in
    /// its events ([`Context::event_data`]).
    #[must_use]
    pub fn function_data(&self, id: &str) -> Vec<&'m crate::model::DataAsset> {
        let Some(function) = self.model.functions.get(id) else {
            return Vec::new();
        };
        let mut ids: Vec<&String> = self.event_data_ids(id);
        for flow in function
            .reads
            .iter()
            .chain(&function.writes)
            .chain(&function.calls)
        {
            if flow.data().is_empty() {
                ids.extend(self.held(flow.target()));
            } else {
                ids.extend(flow.data());
            }
            ids.extend(flow.returns());
        }
        self.assets(ids)
    }

    /// Data assets that arrive in a function's events: what its triggers say they carry
    /// (`data` on a trigger) or else what their sources hold or carry, and what is delivered or sent into them (a topic delivering to the queue, a
    /// partner sending to it; requests into an API only when the function is the only one
    /// behind it, as the model does not say which route they take); and what other functions
    /// invoke it with. A bucket's notifications carry no object, so nothing of a bucket is.
    #[must_use]
    pub fn event_data(&self, id: &str) -> Vec<&'m crate::model::DataAsset> {
        self.assets(self.event_data_ids(id))
    }

    /// What a store holds or a channel carries.
    fn held(&self, id: &str) -> Vec<&'m String> {
        self.model
            .stores
            .get(id)
            .map(|s| s.data.iter().collect())
            .or_else(|| self.model.channels.get(id).map(|c| c.data.iter().collect()))
            .unwrap_or_default()
    }

    /// Data ids, sorted and deduplicated, as the assets they name.
    fn assets(&self, mut ids: Vec<&String>) -> Vec<&'m crate::model::DataAsset> {
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .filter_map(|id| self.model.data.get(id))
            .collect()
    }

    fn event_data_ids(&self, id: &str) -> Vec<&'m String> {
        let Some(function) = self.model.functions.get(id) else {
            return Vec::new();
        };
        // An S3 notification names the object; it does not carry it.
        let notifies_only = |source: &str| {
            self.model
                .stores
                .get(source)
                .is_some_and(|s| s.kind == crate::model::StoreKind::S3)
        };
        let mut ids: Vec<&String> = Vec::new();
        for trigger in &function.triggers {
            if !trigger.data.is_empty() {
                // What the route or trigger says it carries, in place of all its source holds.
                ids.extend(&trigger.data);
            } else if let Some(source) = trigger.source.as_deref().filter(|s| !notifies_only(s)) {
                ids.extend(self.held(source));
            }
        }
        let graph = self.dfd.graph();
        let node = self.dfd.node(id);
        for edge in node
            .into_iter()
            .flat_map(|n| graph.edges_directed(n, Direction::Incoming))
        {
            match edge.weight().kind {
                FlowKind::Invoke => ids.extend(&edge.weight().data),
                FlowKind::Trigger if !notifies_only(&graph[edge.source()].id) => {
                    let source = &graph[edge.source()].id;
                    let api = self
                        .model
                        .channels
                        .get(source)
                        .is_some_and(|c| crate::graph::is_api(c.kind));
                    // Requests into an API reach this function only when it is the only one
                    // behind the API: the model does not say which route a request takes.
                    let only_behind = || {
                        self.model.functions.iter().all(|(other, f)| {
                            other == id
                                || f.triggers.iter().all(|t| t.source.as_ref() != Some(source))
                        })
                    };
                    for into in graph.edges_directed(edge.source(), Direction::Incoming) {
                        let sent = match into.weight().kind {
                            FlowKind::Deliver | FlowKind::Write => true,
                            FlowKind::Request => !api || only_behind(),
                            _ => false,
                        };
                        if sent {
                            ids.extend(&into.weight().data);
                        }
                    }
                }
                _ => {}
            }
        }
        ids
    }
}

/// The IAM service prefixes that act on an element, by its kind (`dynamodb`, `s3`…); empty for
/// elements IAM does not govern (externals, actors).
#[must_use]
pub fn iam_services(model: &Model, id: &str) -> &'static [&'static str] {
    use crate::model::{ChannelKind as C, StoreKind as S};
    if let Some(store) = model.stores.get(id) {
        return match store.kind {
            S::Dynamodb => &["dynamodb"],
            S::S3 => &["s3"],
            S::Rds | S::Aurora => &["rds", "rds-data", "rds-db"],
            S::Elasticache => &["elasticache"],
            S::Efs => &["elasticfilesystem"],
            S::Opensearch => &["es"],
            S::Documentdb => &["rds", "docdb-elastic"],
            S::Redshift => &["redshift", "redshift-data"],
            S::SecretsManager => &["secretsmanager"],
            S::Ssm => &["ssm"],
            // A function reads its own package without asking IAM.
            S::Bundled => &[],
        };
    }
    if let Some(channel) = model.channels.get(id) {
        return match channel.kind {
            C::Sqs => &["sqs"],
            C::Sns => &["sns"],
            C::Kinesis => &["kinesis"],
            C::DynamodbStream => &["dynamodb"],
            C::Eventbridge | C::Schedule => &["events", "scheduler"],
            C::Cognito => &["cognito-idp"],
            C::Iot => &["iot"],
            C::Email => &["ses"],
            C::ApiGatewayRest | C::ApiGatewayHttp | C::ApiGatewayWebsocket => {
                &["execute-api", "apigateway"]
            }
            C::FunctionUrl => &["lambda"],
            C::Alb => &["elasticloadbalancing"],
        };
    }
    if model.functions.contains_key(id) {
        return &["lambda"];
    }
    &[]
}

/// Whether an API or function URL is used by administrative actors only (at least one, and no
/// other actor or external).
fn admin_only(model: &Model, channel: &str) -> bool {
    if !model.channels.contains_key(channel) {
        return false;
    }
    let sends_to = |flows: &[crate::model::FlowRef]| flows.iter().any(|f| f.target() == channel);
    let mut senders = model
        .actors
        .values()
        .filter(|a| sends_to(&a.uses))
        .peekable();
    senders.peek().is_some()
        && senders.all(|a| a.administrative)
        && !model.externals.values().any(|e| sends_to(&e.uses))
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::Context;
    use crate::graph::Dfd;

    /// `on_route` answers as walking the path back from the element does, for every pair of
    /// elements of the shop and of a long chain.
    #[test]
    fn on_route_is_membership_in_the_whole_path() {
        let shop = crate::model::load(Path::new("model/shop.yaml"))
            .unwrap()
            .model;
        let yaml = crate::generate::synthetic_model_of(crate::generate::Shape::Chain, 30, 3);
        let chain = crate::model::load_bytes(Path::new("chain.yaml"), yaml.as_bytes())
            .unwrap()
            .model;
        for model in [&shop, &chain] {
            let dfd = Dfd::build(model);
            let cx = Context::new(model, &dfd);
            let graph = dfd.graph();
            let mut on = 0;
            for element in graph.node_indices() {
                let mut path = Vec::new();
                let mut current = Some(element).filter(|&n| cx.tree.reached(n));
                while let Some(n) = current {
                    path.push(&graph[n].id);
                    current = cx.tree.previous(n);
                }
                for hop in graph.node_indices() {
                    let walked = path.contains(&&graph[hop].id);
                    assert_eq!(cx.on_route(&graph[element].id, &graph[hop].id), walked);
                    on += usize::from(walked);
                }
            }
            assert!(on > graph.node_count());
        }
        let dfd = Dfd::build(&chain);
        let cx = Context::new(&chain, &dfd);
        assert!(cx.on_route("table-29", "api") && cx.on_route("table-29", "fn-3"));
        assert!(!cx.on_route("table-3", "fn-29") && !cx.on_route("table-29", "table-3"));
        assert!(cx.exposure("table-29").unwrap().path.len() <= crate::graph::paths::SHOWN);
    }
}
