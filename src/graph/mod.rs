//! The data-flow graph (DFD) of a model: the single source for rules, attack paths and diagrams.
//!
//! Nodes are actors, externals, channels, stores and functions; edges are the flows the model
//! declares. Each edge knows the data it carries, whether it is encrypted and authenticated, and
//! which trust boundaries it crosses. Node and edge order follow the model's sorted ids, so the
//! graph (and everything drawn from it) is the same for the same model.

pub mod dot;
pub mod paths;

use std::collections::{BTreeMap, BTreeSet, HashMap};

use petgraph::Direction;
use petgraph::graph::{DiGraph, EdgeIndex, NodeIndex};
use petgraph::visit::{Bfs, EdgeRef};
use serde::Serialize;

use crate::model::{Auth, ChannelKind, FlowRef, Id, Model, Trust, kebab};

/// What kind of element a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NodeKind {
    /// A person or system that starts things (a DFD external entity).
    Actor,
    /// A third-party service (a DFD external entity).
    External,
    /// An event source: API, queue, topic, stream, bus, schedule, user pool.
    Channel,
    /// A function (a DFD process).
    Function,
    /// A data store.
    Store,
}

/// A node of the graph: one element of the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Element {
    /// The element's id in the model.
    pub id: Id,
    /// Its kind.
    pub kind: NodeKind,
    /// The boundary it sits in.
    pub boundary: Id,
    /// A short label for diagrams: the name, or the id.
    pub label: String,
    /// The specific kind (`sqs`, `dynamodb`, `python3.12`…), for diagrams and messages.
    pub detail: String,
}

/// What kind of flow an edge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FlowKind {
    /// An actor or external sends a request or event to a channel.
    Request,
    /// A channel or store starts a function.
    Trigger,
    /// A function reads from a store or channel.
    Read,
    /// A function writes to a store or channel.
    Write,
    /// A function calls an external service.
    Call,
    /// A function invokes another function.
    Invoke,
    /// A topic or bus delivers to another channel, or a table feeds its stream.
    Deliver,
    /// Failed messages or invocations go to a dead-letter queue or failure destination.
    DeadLetter,
}

impl FlowKind {
    /// How an attacker who reaches the flow's source gets to its target, if at all: a request,
    /// trigger, delivery, invocation, write or call is something the attacker makes happen
    /// ([`Reach::Control`]); a read only hands the reader data the attacker may have written
    /// ([`Reach::Poisoning`]); a dead letter opens no new way in.
    #[must_use]
    pub fn reach(self) -> Option<Reach> {
        match self {
            FlowKind::DeadLetter => None,
            FlowKind::Read => Some(Reach::Poisoning),
            FlowKind::Request
            | FlowKind::Trigger
            | FlowKind::Write
            | FlowKind::Call
            | FlowKind::Invoke
            | FlowKind::Deliver => Some(Reach::Control),
        }
    }
}

/// How an attacker reaches an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Reach {
    /// The attacker makes it run or sends to it: requests, triggers, deliveries, invocations and
    /// writes all the way.
    Control,
    /// Only through data the attacker can write that the element (or one before it) reads: data
    /// poisoning, a weaker way in that needs the reader to mishandle what it reads.
    Poisoning,
}

/// An edge of the graph: one declared flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Flow {
    /// What kind of flow.
    pub kind: FlowKind,
    /// Data assets it carries.
    pub data: Vec<Id>,
    /// Whether it is encrypted in transit.
    pub encrypted: bool,
    /// Whether the sender is authenticated.
    pub authenticated: bool,
    /// Boundaries left and entered, outermost first (empty when both ends share a boundary).
    pub crosses: Vec<Id>,
    /// For triggers: the index of the trigger in the function's `triggers`.
    pub trigger: Option<usize>,
}

impl Flow {
    /// Whether the flow crosses a trust boundary.
    #[must_use]
    pub fn crosses_boundary(&self) -> bool {
        !self.crosses.is_empty()
    }
}

/// The data-flow graph.
#[derive(Debug, Clone)]
pub struct Dfd {
    graph: DiGraph<Element, Flow>,
    index: HashMap<Id, NodeIndex>,
    /// Parent of each boundary.
    parents: BTreeMap<Id, Option<Id>>,
    /// Trust of each boundary.
    trust: BTreeMap<Id, Trust>,
}

impl Dfd {
    /// Builds the graph of a validated model.
    #[must_use]
    pub fn build(model: &Model) -> Dfd {
        let mut dfd = Dfd {
            graph: DiGraph::new(),
            index: HashMap::new(),
            parents: model
                .boundaries
                .iter()
                .map(|(id, b)| (id.clone(), b.parent.clone()))
                .collect(),
            trust: model
                .boundaries
                .iter()
                .map(|(id, b)| (id.clone(), b.trust))
                .collect(),
        };
        let label = |name: &Option<String>, id: &str| name.clone().unwrap_or_else(|| id.to_owned());
        for (id, actor) in &model.actors {
            let detail = if actor.authenticated {
                "authenticated"
            } else {
                "anonymous"
            };
            dfd.add_node(
                id,
                NodeKind::Actor,
                &actor.boundary,
                label(&actor.name, id),
                detail.to_owned(),
            );
        }
        for (id, external) in &model.externals {
            let detail = external
                .protocol
                .clone()
                .unwrap_or_else(|| "external".to_owned());
            dfd.add_node(
                id,
                NodeKind::External,
                &external.boundary,
                label(&external.name, id),
                detail,
            );
        }
        for (id, channel) in &model.channels {
            dfd.add_node(
                id,
                NodeKind::Channel,
                &channel.boundary,
                label(&channel.name, id),
                kebab(&channel.kind),
            );
        }
        for (id, function) in &model.functions {
            dfd.add_node(
                id,
                NodeKind::Function,
                &function.boundary,
                label(&function.name, id),
                function_detail(function),
            );
        }
        for (id, store) in &model.stores {
            dfd.add_node(
                id,
                NodeKind::Store,
                &store.boundary,
                label(&store.name, id),
                store_detail(store),
            );
        }
        dfd.add_edges(model);
        dfd
    }

    fn add_node(
        &mut self,
        id: &str,
        kind: NodeKind,
        boundary: &str,
        label: String,
        detail: String,
    ) {
        let index = self.graph.add_node(Element {
            id: id.to_owned(),
            kind,
            boundary: boundary.to_owned(),
            label,
            detail,
        });
        self.index.insert(id.to_owned(), index);
    }

    fn add_edges(&mut self, model: &Model) {
        self.add_request_edges(model);
        self.add_channel_edges(model);
        self.add_function_edges(model);
    }

    /// Requests from actors and externals into channels, and their direct writes into stores.
    fn add_request_edges(&mut self, model: &Model) {
        // An API authenticates callers only when it declares an authorizer; other channels (a user
        // pool, a queue) take the caller's own authentication.
        let channel_auth = |id: &str| match model.channels.get(id) {
            Some(channel) if is_api(channel.kind) => {
                crate::model::protecting(channel.auth, channel.verified)
                    .is_some_and(|a| a != Auth::None)
            }
            _ => true,
        };
        for (id, actor) in &model.actors {
            for target in &actor.uses {
                let encrypted = model
                    .channels
                    .get(target.target())
                    .is_none_or(|c| c.tls != Some(false));
                let data = flow_data(model, target);
                let authenticated = actor.authenticated && channel_auth(target.target());
                self.connect(
                    id,
                    target.target(),
                    FlowKind::Request,
                    data,
                    encrypted,
                    authenticated,
                    None,
                );
            }
            self.add_direct_writes(model, id, &actor.writes, actor.authenticated);
        }
        for (id, external) in &model.externals {
            for target in &external.uses {
                let encrypted = external.tls.unwrap_or(true)
                    && model
                        .channels
                        .get(target.target())
                        .is_none_or(|c| c.tls != Some(false));
                let data = flow_data(model, target);
                self.connect(
                    id,
                    target.target(),
                    FlowKind::Request,
                    data,
                    encrypted,
                    channel_auth(target.target()),
                    None,
                );
            }
            self.add_direct_writes(model, id, &external.writes, true);
            // What an external passes on to another: the system's data leaving further, a call
            // like a function's (validation keeps `returns` off these).
            for flow in &external.calls {
                self.add_call(model, id, flow);
            }
        }
    }

    /// Writes of an actor or external straight into stores (presigned uploads, a partner's role).
    fn add_direct_writes(
        &mut self,
        model: &Model,
        id: &str,
        writes: &[FlowRef],
        authenticated: bool,
    ) {
        for target in writes {
            self.connect(
                id,
                target.target(),
                FlowKind::Write,
                flow_data(model, target),
                target.tls() != Some(false),
                authenticated,
                None,
            );
        }
    }

    /// Deliveries between channels, dead-letter queues, and tables feeding their streams.
    fn add_channel_edges(&mut self, model: &Model) {
        for (id, channel) in &model.channels {
            for target in &channel.delivers_to {
                self.connect(
                    id,
                    target.target(),
                    FlowKind::Deliver,
                    flow_data(model, target),
                    true,
                    true,
                    None,
                );
            }
            if let Some(dlq) = &channel.dlq {
                self.connect(
                    id,
                    dlq,
                    FlowKind::DeadLetter,
                    channel.data.clone(),
                    true,
                    true,
                    None,
                );
            }
            if let (ChannelKind::DynamodbStream, Some(table)) = (channel.kind, &channel.table) {
                let data = model
                    .stores
                    .get(table)
                    .map(|s| s.data.clone())
                    .unwrap_or_default();
                self.connect(table, id, FlowKind::Deliver, data, true, true, None);
            }
        }
    }

    /// Triggers into functions, and what functions read, write, call and invoke.
    fn add_function_edges(&mut self, model: &Model) {
        for (id, function) in &model.functions {
            for (i, trigger) in function.triggers.iter().enumerate() {
                let Some(source) = &trigger.source else {
                    continue;
                };
                let data = if trigger.data.is_empty() {
                    element_data(model, source)
                } else {
                    trigger.data.clone()
                };
                let (encrypted, authenticated) = match model.channels.get(source) {
                    Some(channel) if is_api(channel.kind) => {
                        let auth = route_auth(trigger, channel).is_some_and(|a| a != Auth::None);
                        (channel.tls != Some(false), auth)
                    }
                    _ => (true, true),
                };
                self.connect(
                    source,
                    id,
                    FlowKind::Trigger,
                    data,
                    encrypted,
                    authenticated,
                    Some(i),
                );
            }
            for flow in &function.reads {
                self.connect(
                    flow.target(),
                    id,
                    FlowKind::Read,
                    flow_data(model, flow),
                    flow.tls() != Some(false),
                    true,
                    None,
                );
            }
            for flow in &function.writes {
                self.connect(
                    id,
                    flow.target(),
                    FlowKind::Write,
                    flow_data(model, flow),
                    flow.tls() != Some(false),
                    true,
                    None,
                );
            }
            for flow in &function.calls {
                self.add_call(model, id, flow);
            }
            for flow in &function.invokes {
                self.connect(
                    id,
                    flow.target(),
                    FlowKind::Invoke,
                    flow.data().to_vec(),
                    true,
                    true,
                    None,
                );
            }
            if let Some(destination) = &function.on_failure {
                self.connect(
                    id,
                    destination,
                    FlowKind::DeadLetter,
                    Vec::new(),
                    true,
                    true,
                    None,
                );
            }
        }
    }

    /// A call from a function or an external to an external (and the answers it returns), or a
    /// function's request to an API of the model, which goes through the API as any client's
    /// would.
    fn add_call(&mut self, model: &Model, id: &str, flow: &FlowRef) {
        if let Some(channel) = model.channels.get(flow.target()) {
            let authenticated = crate::model::protecting(channel.auth, channel.verified)
                .is_some_and(|a| a != Auth::None);
            self.connect(
                id,
                flow.target(),
                FlowKind::Request,
                flow_data(model, flow),
                flow.tls().unwrap_or(channel.tls != Some(false)),
                authenticated,
                None,
            );
            return;
        }
        let encrypted = encrypted_call(model, flow);
        self.connect(
            id,
            flow.target(),
            FlowKind::Call,
            flow_data(model, flow),
            encrypted,
            true,
            None,
        );
        // What the external answers flows back into the function, and can poison it.
        if !flow.returns().is_empty() {
            self.connect(
                flow.target(),
                id,
                FlowKind::Read,
                flow.returns().to_vec(),
                encrypted,
                true,
                None,
            );
        }
    }

    #[allow(
        clippy::too_many_arguments,
        reason = "one call site per flow kind; a struct would only rename the arguments"
    )]
    fn connect(
        &mut self,
        from: &str,
        to: &str,
        kind: FlowKind,
        data: Vec<Id>,
        encrypted: bool,
        authenticated: bool,
        trigger: Option<usize>,
    ) {
        let (Some(&a), Some(&b)) = (self.index.get(from), self.index.get(to)) else {
            return;
        };
        let crosses = self.crossed(&self.graph[a].boundary, &self.graph[b].boundary);
        self.graph.add_edge(
            a,
            b,
            Flow {
                kind,
                data,
                encrypted,
                authenticated,
                crosses,
                trigger,
            },
        );
    }

    /// The boundaries between two boundaries: those around one end but not the other.
    fn crossed(&self, from: &str, to: &str) -> Vec<Id> {
        if from == to {
            return Vec::new();
        }
        let up = self.ancestors(from);
        let down = self.ancestors(to);
        let mut crossed: Vec<Id> = up.iter().filter(|b| !down.contains(b)).cloned().collect();
        crossed.extend(down.iter().filter(|b| !up.contains(b)).cloned());
        crossed
    }

    /// A boundary and its parents, innermost first.
    #[must_use]
    pub fn ancestors(&self, boundary: &str) -> Vec<Id> {
        let mut chain = Vec::new();
        let mut current = Some(boundary.to_owned());
        while let Some(id) = current {
            if chain.contains(&id) {
                break;
            }
            current = self.parents.get(&id).cloned().flatten();
            chain.push(id);
        }
        chain
    }

    /// The trust of the boundary an element sits in (untrusted when anything around it is).
    #[must_use]
    pub fn trust_of(&self, node: NodeIndex) -> Trust {
        let boundary = &self.graph[node].boundary;
        self.trust
            .get(boundary)
            .copied()
            .unwrap_or(Trust::Untrusted)
    }

    /// The underlying petgraph graph.
    #[must_use]
    pub fn graph(&self) -> &DiGraph<Element, Flow> {
        &self.graph
    }

    /// The node of an element id.
    #[must_use]
    pub fn node(&self, id: &str) -> Option<NodeIndex> {
        self.index.get(id).copied()
    }

    /// The element at a node.
    #[must_use]
    pub fn element(&self, node: NodeIndex) -> &Element {
        &self.graph[node]
    }

    /// Number of nodes.
    #[must_use]
    pub fn node_count(&self) -> usize {
        self.graph.node_count()
    }

    /// Number of edges.
    #[must_use]
    pub fn edge_count(&self) -> usize {
        self.graph.edge_count()
    }

    /// Every edge with its ends, in insertion order.
    pub fn flows(&self) -> impl Iterator<Item = (EdgeIndex, &Element, &Element, &Flow)> {
        self.graph.edge_references().map(|e| {
            (
                e.id(),
                &self.graph[e.source()],
                &self.graph[e.target()],
                e.weight(),
            )
        })
    }

    /// Entry points: elements in an untrusted boundary, and channels that are public or receive
    /// requests from an untrusted element. Sorted by id.
    #[must_use]
    pub fn entry_points(&self, model: &Model) -> Vec<NodeIndex> {
        let mut entries: Vec<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|&n| {
                let element = &self.graph[n];
                let public = match element.kind {
                    NodeKind::Channel => model.channels.get(&element.id).is_some_and(|c| c.public),
                    // Anyone can put what they like into a publicly writable store; reading one
                    // starts nothing.
                    NodeKind::Store => model
                        .stores
                        .get(&element.id)
                        .is_some_and(|s| s.public.write),
                    _ => false,
                };
                // What an untrusted external answers a call only feeds the caller data (a read):
                // it does not start it.
                public
                    || self.trust_of(n) == Trust::Untrusted
                    || self.graph.edges_directed(n, Direction::Incoming).any(|e| {
                        self.trust_of(e.source()) == Trust::Untrusted
                            && e.weight().kind != FlowKind::Read
                    })
            })
            .collect();
        entries.sort_by(|a, b| self.graph[*a].id.cmp(&self.graph[*b].id));
        entries
    }

    /// Edges that cross a trust boundary.
    pub fn boundary_crossings(
        &self,
    ) -> impl Iterator<Item = (EdgeIndex, &Element, &Element, &Flow)> {
        self.flows()
            .filter(|(_, _, _, flow)| flow.crosses_boundary())
    }

    /// Every node reachable from `start` along flows (including `start`), sorted by id.
    #[must_use]
    pub fn reachable(&self, start: NodeIndex) -> Vec<NodeIndex> {
        let mut seen = Vec::new();
        let mut bfs = Bfs::new(&self.graph, start);
        while let Some(node) = bfs.next(&self.graph) {
            seen.push(node);
        }
        seen.sort_by(|a, b| self.graph[*a].id.cmp(&self.graph[*b].id));
        seen
    }

    /// Boundaries that hold at least one element, with their parents, for drawing clusters.
    #[must_use]
    pub fn used_boundaries(&self) -> BTreeSet<Id> {
        self.graph
            .node_weights()
            .flat_map(|e| self.ancestors(&e.boundary))
            .collect()
    }

    /// The parent of a boundary.
    #[must_use]
    pub fn parent(&self, boundary: &str) -> Option<&str> {
        self.parents.get(boundary).and_then(|p| p.as_deref())
    }

    /// The trust of a boundary.
    #[must_use]
    pub fn boundary_trust(&self, boundary: &str) -> Option<Trust> {
        self.trust.get(boundary).copied()
    }
}

/// Whether a channel kind is an HTTP or WebSocket API (API Gateway, function URL, load balancer).
#[must_use]
pub fn is_api(kind: ChannelKind) -> bool {
    matches!(
        kind,
        ChannelKind::ApiGatewayRest
            | ChannelKind::ApiGatewayHttp
            | ChannelKind::ApiGatewayWebsocket
            | ChannelKind::FunctionUrl
            | ChannelKind::Alb
    )
}

fn is_tls_protocol(protocol: &str) -> bool {
    matches!(
        protocol.to_ascii_lowercase().as_str(),
        "https" | "grpcs" | "smtps" | "sftp" | "tls" | "wss" | "mtls"
    )
}

/// The data an element holds or carries.
fn element_data(model: &Model, id: &str) -> Vec<Id> {
    model
        .stores
        .get(id)
        .map(|s| s.data.clone())
        .or_else(|| model.channels.get(id).map(|c| c.data.clone()))
        .unwrap_or_default()
}

/// The data a flow carries: what it declares, else what its target holds.
fn flow_data(model: &Model, flow: &FlowRef) -> Vec<Id> {
    if flow.data().is_empty() {
        element_data(model, flow.target())
    } else {
        flow.data().to_vec()
    }
}

/// The authentication in force on a route: the route's own, else its API's, as it protects
/// ([`crate::model::protecting`]).
#[must_use]
pub fn route_auth(
    trigger: &crate::model::Trigger,
    channel: &crate::model::Channel,
) -> Option<Auth> {
    // A route's `verified` speaks for its own `auth: code` or the API's it inherits; a route
    // that says nothing about it takes the API's.
    let auth = trigger.auth.or(channel.auth);
    let verified = trigger.verified.or(if channel.auth == Some(Auth::Code) {
        channel.verified
    } else {
        None
    });
    crate::model::protecting(auth, verified)
}

/// A function's detail for diagrams: its runtime, and the kinds of sink its code has.
fn function_detail(function: &crate::model::Function) -> String {
    let mut sinks: Vec<String> = function.sinks.iter().map(|s| kebab(&s.kind)).collect();
    sinks.sort();
    sinks.dedup();
    if sinks.is_empty() {
        function.runtime.clone()
    } else {
        format!("{} · sinks: {}", function.runtime, sinks.join(", "))
    }
}

/// A store's detail for diagrams: its kind, what anyone may do to it, and website hosting.
fn store_detail(store: &crate::model::Store) -> String {
    let mut detail = kebab(&store.kind);
    if store.public.any() {
        detail.push_str(&format!(" · public {}", store.public.words().join("/")));
    }
    if store.website == Some(true) {
        detail.push_str(" · website");
    }
    if store.ttl == Some(true) {
        detail.push_str(" · ttl");
    }
    detail
}

/// Whether a call to an external is encrypted: as the flow says, else as the external's `tls`
/// or protocol says.
fn encrypted_call(model: &Model, flow: &FlowRef) -> bool {
    flow.tls().unwrap_or_else(|| {
        model.externals.get(flow.target()).is_some_and(|e| {
            e.tls
                .unwrap_or_else(|| e.protocol.as_deref().is_none_or(is_tls_protocol))
        })
    })
}
