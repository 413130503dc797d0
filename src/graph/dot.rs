//! The data-flow diagram: the graph as graphviz DOT (built with graphviz-rust) and rendered by the
//! real `dot` program to SVG or PNG.
//!
//! Conventions of DFDs: external entities (actors, externals) are rectangles, processes
//! (functions) are ellipses, data stores are open-ended boxes (two parallel lines), channels are
//! rounded boxes; trust boundaries are nested dashed clusters coloured by trust; flows that cross a
//! boundary are thick and red, and dashed when they are not encrypted.
//!
//! Model strings never become DOT ids (nodes are `n0`, `n1`…, clusters `cluster_0`…): they only
//! appear inside quoted labels, through [`quoted`] and [`html_text`].

use std::io::{self, Read, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Stmt, Subgraph, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};
use petgraph::graph::NodeIndex;

use std::collections::{BTreeMap, BTreeSet};

use super::{Dfd, Flow, FlowKind, NodeKind};
use crate::model::{Model, Trust};

/// Output formats of a diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiagramFormat {
    /// DOT source.
    Dot,
    /// SVG, rendered by graphviz.
    Svg,
    /// PNG, rendered by graphviz.
    Png,
}

impl DiagramFormat {
    /// The format a file name asks for, by its extension.
    #[must_use]
    pub fn from_extension(extension: &str) -> Option<DiagramFormat> {
        match extension.to_ascii_lowercase().as_str() {
            "dot" | "gv" => Some(DiagramFormat::Dot),
            "svg" => Some(DiagramFormat::Svg),
            "png" => Some(DiagramFormat::Png),
            _ => None,
        }
    }
}

/// Why a diagram could not be rendered.
#[derive(Debug)]
pub enum RenderError {
    /// The graphviz `dot` program is not installed.
    DotMissing,
    /// `dot` ran and failed.
    Dot(String),
    /// `dot` was still laying the graph out when the time allowed ran out.
    TimedOut(Duration),
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::DotMissing => f.write_str(
                "graphviz `dot` is not installed, so the diagram cannot be rendered\n  hint: install graphviz (`apt-get install graphviz`, `brew install graphviz`), or write DOT with `-o diagram.dot`",
            ),
            RenderError::Dot(message) => write!(f, "graphviz `dot` failed: {}", message.trim()),
            RenderError::TimedOut(limit) => write!(
                f,
                "graphviz `dot` was still laying the diagram out after {limit:?}"
            ),
        }
    }
}

impl std::error::Error for RenderError {}

/// Renders the model's whole diagram in a format.
///
/// # Errors
/// When `dot` is missing or fails (never for [`DiagramFormat::Dot`]).
pub fn render(model: &Model, dfd: &Dfd, format: DiagramFormat) -> Result<Vec<u8>, RenderError> {
    render_view(model, dfd, &View::Whole, &Decorations::default(), format)
}

/// Renders one view of the diagram, decorated, in a format.
///
/// # Errors
/// When `dot` is missing or fails (never for [`DiagramFormat::Dot`]).
pub fn render_view(
    model: &Model,
    dfd: &Dfd,
    view: &View,
    decorations: &Decorations,
    format: DiagramFormat,
) -> Result<Vec<u8>, RenderError> {
    render_view_within(model, dfd, view, decorations, format, None)
}

/// Renders one view, giving up when graphviz takes longer than `limit` (its layout of a dense
/// graph with many clusters can take minutes).
///
/// # Errors
/// When `dot` is missing, fails or runs past the limit (never for [`DiagramFormat::Dot`]).
pub fn render_view_within(
    model: &Model,
    dfd: &Dfd,
    view: &View,
    decorations: &Decorations,
    format: DiagramFormat,
    limit: Option<Duration>,
) -> Result<Vec<u8>, RenderError> {
    let text = view_text(model, dfd, view, decorations);
    let format = match format {
        DiagramFormat::Dot => return Ok(text.into_bytes()),
        DiagramFormat::Svg => "-Tsvg",
        DiagramFormat::Png => "-Tpng",
    };
    run_dot(text, format, limit)
}

/// Runs `dot`, feeding the graph on stdin and reading the drawing from stdout, within a limit.
fn run_dot(text: String, format: &str, limit: Option<Duration>) -> Result<Vec<u8>, RenderError> {
    let mut child = Command::new("dot")
        .arg(format)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| {
            if err.kind() == io::ErrorKind::NotFound {
                RenderError::DotMissing
            } else {
                RenderError::Dot(err.to_string())
            }
        })?;
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(RenderError::Dot("no pipes to dot".to_owned()));
    };
    let writer = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let reader = std::thread::spawn(move || {
        let mut out = Vec::new();
        stdout.read_to_end(&mut out).map(|_| out)
    });
    let errors = std::thread::spawn(move || {
        let mut out = String::new();
        let _ = stderr.read_to_string(&mut out);
        out
    });
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if limit.is_some_and(|l| started.elapsed() > l) => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(RenderError::TimedOut(limit.unwrap_or_default()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(err) => return Err(RenderError::Dot(err.to_string())),
        }
    };
    let _ = writer.join();
    let message = errors.join().unwrap_or_default();
    let out = reader
        .join()
        .map_err(|_| RenderError::Dot("reading dot's output failed".to_owned()))?
        .map_err(|err| RenderError::Dot(err.to_string()))?;
    if status.success() {
        Ok(out)
    } else {
        Err(RenderError::Dot(message))
    }
}

/// The whole diagram as DOT text.
#[must_use]
pub fn dot_text(model: &Model, dfd: &Dfd) -> String {
    view_text(model, dfd, &View::Whole, &Decorations::default())
}

/// One view of the diagram, decorated, as DOT text.
#[must_use]
pub fn view_text(model: &Model, dfd: &Dfd, view: &View, decorations: &Decorations) -> String {
    let mut context = PrinterContext::default();
    let graph = match view {
        View::Whole => to_dot(model, dfd, None, decorations),
        View::Boundary(boundary) => to_dot(model, dfd, Some(boundary), decorations),
        View::Overview => overview(model, dfd, decorations),
    };
    graph.print(&mut context)
}

/// Which part of the model a diagram shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// Every element and flow.
    Whole,
    /// One node per trust boundary (nested as the boundaries are) and one edge per pair of
    /// boundaries that flows connect: the readable picture of a large model.
    Overview,
    /// The elements directly inside one boundary, with the elements they exchange flows with
    /// drawn small and grey outside it.
    Boundary(String),
}

/// What a caller adds to a diagram: a badge per element (its threat count, say).
#[derive(Debug, Clone, Default)]
pub struct Decorations {
    /// Badges by node.
    pub badges: BTreeMap<NodeIndex, Badge>,
}

/// A count shown under an element's label, coloured by how bad the worst counted thing is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Badge {
    /// How many things (threats) the element has.
    pub count: usize,
    /// How bad the worst of them is: higher is worse; the overview shows the worst colour.
    pub weight: u8,
    /// The colour for that weight (`#rrggbb`).
    pub color: &'static str,
}

impl Badge {
    fn merge(&mut self, other: &Badge) {
        self.count += other.count;
        if other.weight > self.weight {
            self.weight = other.weight;
            self.color = other.color;
        }
    }

    fn html(&self) -> String {
        let noun = if self.count == 1 { "threat" } else { "threats" };
        format!(
            "<br/><font point-size=\"8\" color=\"{}\"><b>▲ {} {noun}</b></font>",
            self.color, self.count
        )
    }
}

/// The SVG class of an element's node: `dfd-n<index>`. The report's script finds nodes by it
/// (classes, not ids, because an element can appear in more than one view of the page).
#[must_use]
pub fn node_class(node: NodeIndex) -> String {
    format!("dfd-n{}", node.index())
}

/// The SVG class of the edge between two elements: `dfd-e<from>-<to>`.
#[must_use]
pub fn edge_class(from: NodeIndex, to: NodeIndex) -> String {
    format!("dfd-e{}-{}", from.index(), to.index())
}

/// The SVG class of a boundary's node in the overview: `dfd-b<position>`, its position among
/// the model's boundaries.
#[must_use]
pub fn boundary_class(model: &Model, boundary: &str) -> String {
    let position = model
        .boundaries
        .keys()
        .position(|b| b == boundary)
        .unwrap_or(usize::MAX);
    format!("dfd-b{position}")
}

/// The longest text drawn in one label or tooltip, in characters: longer text is cut with `…`
/// (graphviz cannot read a string over 16 384 bytes and fails the whole diagram; the report's
/// tables keep the full text).
pub const LABEL_CHARS: usize = 200;

/// Text as drawn: at most [`LABEL_CHARS`] characters, the last one `…` when cut, and control,
/// bidi and invisible characters shown as a visible marker (`⟨U+202E⟩`,
/// [`crate::escape::marked`]), so a label cannot hide or reorder what it says.
#[must_use]
pub fn drawn(text: &str) -> String {
    let short = if text.char_indices().nth(LABEL_CHARS).is_some() {
        let cut = text
            .char_indices()
            .nth(LABEL_CHARS - 1)
            .map_or(text.len(), |(at, _)| at);
        std::borrow::Cow::Owned(format!("{}…", &text[..cut]))
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    crate::escape::marked(&short).into_owned()
}

/// A DOT string literal of [`drawn`] text: quotes and backslashes escaped, line breaks as DOT `\n`.
#[must_use]
pub fn quoted(text: &str) -> Id {
    let text = drawn(text);
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    // graphviz reads entities in every label; a DOT file printed to a CI log spells no command.
    Id::Escaped(crate::escape::logging_commands_broken(&out, "&#35;").into_owned())
}

/// [`drawn`] text for inside a graphviz HTML-like label: escaped, line breaks as `<br/>`, other
/// control characters as spaces, and backslashes doubled — graphviz expands `\N`, `\G`… even
/// inside HTML labels (and after resolving entities), and reads `\\` as one backslash.
#[must_use]
pub fn html_text(text: &str) -> String {
    let flat: String = drawn(text)
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect();
    let text = crate::escape::html(&flat)
        .replace('\\', "\\\\")
        .replace('\n', "<br/>");
    crate::escape::logging_commands_broken(&text, "&#35;").into_owned()
}

fn attr(name: &str, value: Id) -> Attribute {
    Attribute(Id::Plain(name.to_owned()), value)
}

fn plain(value: &str) -> Id {
    Id::Plain(value.to_owned())
}

fn node_id(node: NodeIndex) -> NodeId {
    NodeId(Id::Plain(format!("n{}", node.index())), None)
}

fn trust_colors(trust: Option<Trust>) -> (&'static str, &'static str) {
    match trust {
        Some(Trust::Trusted) => ("#2e7d32", "#f3faf3"),
        Some(Trust::Partner) => ("#ef6c00", "#fff8f0"),
        Some(Trust::Untrusted) | None => ("#c62828", "#fdf3f3"),
    }
}

fn trust_word(trust: Option<Trust>) -> &'static str {
    match trust {
        Some(Trust::Trusted) => "trusted",
        Some(Trust::Partner) => "partner",
        Some(Trust::Untrusted) | None => "untrusted",
    }
}

fn header(title: &str) -> Vec<Stmt> {
    vec![
        Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("rankdir", plain("TB")),
            attr("fontname", quoted("Helvetica")),
            attr("fontsize", plain("11")),
            attr("label", quoted(title)),
            attr("labelloc", plain("t")),
            attr("nodesep", plain("0.35")),
            attr("ranksep", plain("0.6")),
            attr("newrank", plain("true")),
        ])),
        Stmt::GAttribute(GraphAttributes::Node(vec![
            attr("fontname", quoted("Helvetica")),
            attr("fontsize", plain("10")),
        ])),
        Stmt::GAttribute(GraphAttributes::Edge(vec![
            attr("fontname", quoted("Helvetica")),
            attr("fontsize", plain("8")),
            attr("color", quoted("#546e7a")),
            attr("fontcolor", quoted("#37474f")),
        ])),
    ]
}

fn boundary_name(model: &Model, boundary: &str) -> String {
    model
        .boundaries
        .get(boundary)
        .and_then(|b| b.name.as_deref())
        .map_or_else(|| drawn(boundary), drawn)
}

/// The whole diagram, or one boundary's detail (`focus`), as a graphviz-rust graph.
fn to_dot(model: &Model, dfd: &Dfd, focus: Option<&str>, decorations: &Decorations) -> Graph {
    let graph = dfd.graph();
    let title = match focus {
        None => format!("{} — data-flow diagram", drawn(&model.name)),
        Some(boundary) => format!(
            "{} — {}",
            drawn(&model.name),
            boundary_name(model, boundary)
        ),
    };
    let mut stmts = header(&title);
    let member = |node: NodeIndex| focus.is_none_or(|b| dfd.element(node).boundary == b);
    let mut shown: BTreeSet<NodeIndex> = graph.node_indices().filter(|&n| member(n)).collect();
    let mut merged: BTreeMap<(NodeIndex, NodeIndex), Vec<&Flow>> = BTreeMap::new();
    for edge in graph.edge_indices() {
        if let Some((from, to)) = graph.edge_endpoints(edge)
            && (member(from) || member(to))
        {
            merged.entry((from, to)).or_default().push(&graph[edge]);
        }
    }
    if let Some(boundary) = focus {
        let only: BTreeSet<String> = std::iter::once(boundary.to_owned()).collect();
        stmts.push(Stmt::Subgraph(cluster(
            model,
            dfd,
            boundary,
            &only,
            &mut 0,
            decorations,
        )));
        // The elements outside the boundary that its elements exchange flows with: each one
        // when they are few, else one node per boundary they sit in.
        let outside: BTreeSet<NodeIndex> = merged
            .keys()
            .flat_map(|&(from, to)| [from, to])
            .filter(|n| !shown.contains(n))
            .collect();
        if outside.len() > NEIGHBOURS_DRAWN {
            grouped_neighbours(model, dfd, &outside, &mut merged, &mut stmts);
        } else {
            for &node in &outside {
                shown.insert(node);
                stmts.push(Stmt::Node(neighbour_statement(model, dfd, node)));
            }
        }
    } else {
        // Boundaries with no parent (or a parent that holds nothing) are drawn at the top level.
        let used = dfd.used_boundaries();
        let mut cluster_count = 0usize;
        for boundary in &used {
            if dfd.parent(boundary).is_none_or(|p| !used.contains(p)) {
                stmts.push(Stmt::Subgraph(cluster(
                    model,
                    dfd,
                    boundary,
                    &used,
                    &mut cluster_count,
                    decorations,
                )));
            }
        }
    }
    // Flows between the same two elements in the same direction are drawn as one edge, so their
    // labels do not print over each other.
    for ((from, to), flows) in merged {
        stmts.push(Stmt::Edge(edge_statement(from, to, &flows)));
    }
    Graph::DiGraph {
        id: plain("dfd"),
        strict: false,
        stmts,
    }
}

/// A detail view draws at most this many outside elements one by one.
const NEIGHBOURS_DRAWN: usize = 12;

/// Replaces the outside elements of a detail view with one node per boundary they sit in, and
/// their flows with one edge per member and boundary.
fn grouped_neighbours(
    model: &Model,
    dfd: &Dfd,
    outside: &BTreeSet<NodeIndex>,
    merged: &mut BTreeMap<(NodeIndex, NodeIndex), Vec<&Flow>>,
    stmts: &mut Vec<Stmt>,
) {
    let mut groups: BTreeMap<&str, usize> = BTreeMap::new();
    for &node in outside {
        *groups
            .entry(dfd.element(node).boundary.as_str())
            .or_default() += 1;
    }
    for (boundary, count) in &groups {
        let noun = if *count == 1 { "element" } else { "elements" };
        let text = format!(
            "{}<br/><font point-size=\"8\">{count} {noun}</font>",
            html_text(&boundary_name(model, boundary)),
        );
        stmts.push(Stmt::Node(Node::new(
            overview_id(model, boundary),
            vec![
                attr("shape", plain("box")),
                attr("style", quoted("dashed,rounded")),
                attr("color", quoted("#90a4ae")),
                attr("fontcolor", quoted("#607d8b")),
                attr("fontsize", plain("8")),
                attr("label", Id::Html(format!("<{text}>"))),
                attr("tooltip", quoted(boundary)),
            ],
        )));
    }
    let mut edges: BTreeMap<(String, String), usize> = BTreeMap::new();
    merged.retain(|&(from, to), flows| {
        let end = |node: NodeIndex| {
            if outside.contains(&node) {
                let NodeId(id, _) = overview_id(model, &dfd.element(node).boundary);
                id.to_string()
            } else {
                format!("n{}", node.index())
            }
        };
        if outside.contains(&from) || outside.contains(&to) {
            *edges.entry((end(from), end(to))).or_default() += flows.len();
            false
        } else {
            true
        }
    });
    for ((from, to), count) in edges {
        let noun = if count == 1 { "flow" } else { "flows" };
        stmts.push(Stmt::Edge(Edge {
            ty: EdgeTy::Pair(
                Vertex::N(NodeId(Id::Plain(from), None)),
                Vertex::N(NodeId(Id::Plain(to), None)),
            ),
            attributes: vec![
                attr("label", quoted(&format!("{count} {noun}"))),
                attr("color", quoted("#90a4ae")),
            ],
        }));
    }
}

/// One node per boundary, clusters for boundaries that hold others, one edge per pair of
/// boundaries with the number of flows between them.
fn overview(model: &Model, dfd: &Dfd, decorations: &Decorations) -> Graph {
    let mut stmts = header(&format!(
        "{} — trust boundaries (open a boundary below for its elements)",
        drawn(&model.name)
    ));
    let used = dfd.used_boundaries();
    // With many boundaries even this view is unreadable (and graphviz slow): draw the outer
    // levels only, counting what deeper boundaries hold in their ancestor at the deepest level drawn.
    let depth = |b: &str| dfd.ancestors(b).len() - 1;
    let deepest = used.iter().map(|b| depth(b)).max().unwrap_or(0);
    let levels = (0..=deepest)
        .rev()
        .find(|&d| used.iter().filter(|b| depth(b) <= d).count() <= OVERVIEW_BOUNDARIES)
        .unwrap_or(0);
    let shown = |b: &str| -> String {
        let chain = dfd.ancestors(b);
        let extra = chain.len().saturating_sub(levels + 1);
        chain.get(extra).cloned().unwrap_or_else(|| b.to_owned())
    };
    let drawn: BTreeSet<String> = used
        .iter()
        .filter(|b| depth(b) <= levels)
        .cloned()
        .collect();
    // What each drawn boundary holds, directly or in boundaries not drawn.
    let mut holds: Holdings = BTreeMap::new();
    for node in dfd.graph().node_indices() {
        let element = dfd.element(node);
        let (kinds, badge) = holds.entry(shown(&element.boundary)).or_default();
        *kinds.entry(kind_noun(element.kind)).or_default() += 1;
        if let Some(b) = decorations.badges.get(&node) {
            match badge {
                Some(total) => total.merge(b),
                None => *badge = Some(b.clone()),
            }
        }
    }
    for boundary in &drawn {
        if dfd.parent(boundary).is_none_or(|p| !drawn.contains(p)) {
            stmts.push(overview_item(model, dfd, boundary, &drawn, &holds));
        }
    }
    let mut crossings: BTreeMap<(String, String), (usize, bool)> = BTreeMap::new();
    for (_, from, to, flow) in dfd.flows() {
        let (from, to) = (shown(&from.boundary), shown(&to.boundary));
        if from != to {
            let entry = crossings.entry((from, to)).or_default();
            entry.0 += 1;
            entry.1 |= !flow.authenticated && flow.crosses_boundary();
        }
    }
    for ((from, to), (count, unauthenticated)) in crossings {
        let noun = if count == 1 { "flow" } else { "flows" };
        let mut attributes = vec![attr("label", quoted(&format!("{count} {noun}")))];
        if dfd.boundary_trust(&from) != dfd.boundary_trust(&to) {
            attributes.push(attr("color", quoted("#c62828")));
            attributes.push(attr("penwidth", plain("2")));
        }
        if unauthenticated {
            attributes.push(attr("style", plain("dashed")));
        }
        stmts.push(Stmt::Edge(Edge {
            ty: EdgeTy::Pair(
                Vertex::N(overview_id(model, &from)),
                Vertex::N(overview_id(model, &to)),
            ),
            attributes,
        }));
    }
    Graph::DiGraph {
        id: plain("overview"),
        strict: false,
        stmts,
    }
}

/// The overview draws at most this many boundaries (more levels of nesting are folded in).
pub const OVERVIEW_BOUNDARIES: usize = 60;

type Holdings = BTreeMap<String, (BTreeMap<&'static str, usize>, Option<Badge>)>;

fn overview_id(model: &Model, boundary: &str) -> NodeId {
    NodeId(
        Id::Plain(boundary_class(model, boundary).replace('-', "_")),
        None,
    )
}

/// A boundary in the overview: a node for what it holds directly, inside a cluster when other
/// boundaries nest in it.
fn overview_item(
    model: &Model,
    dfd: &Dfd,
    boundary: &str,
    used: &BTreeSet<String>,
    holds: &Holdings,
) -> Stmt {
    let trust = dfd.boundary_trust(boundary);
    let (line, fill) = trust_colors(trust);
    let name = boundary_name(model, boundary);
    let node = |label: &str| {
        let mut text = format!("<b>{}</b>", html_text(label));
        if let Some((kinds, badge)) = holds.get(boundary) {
            let inside: Vec<String> = kinds
                .iter()
                .map(|(k, n)| format!("{n} {k}{}", if *n == 1 { "" } else { "s" }))
                .collect();
            text.push_str(&format!(
                "<br/><font point-size=\"8\">{}</font>",
                html_text(&inside.join(" · "))
            ));
            if let Some(badge) = badge {
                text.push_str(&badge.html());
            }
        }
        Node::new(
            overview_id(model, boundary),
            vec![
                attr("shape", plain("box")),
                attr("style", quoted("rounded,filled")),
                attr("color", quoted(line)),
                attr("fillcolor", quoted(fill)),
                attr("label", Id::Html(format!("<{text}>"))),
                attr("class", quoted(&boundary_class(model, boundary))),
                attr("tooltip", quoted(boundary)),
            ],
        )
    };
    let children: Vec<&String> = used
        .iter()
        .filter(|c| dfd.parent(c) == Some(boundary))
        .collect();
    if children.is_empty() {
        return Stmt::Node(node(&format!("{name} ({})", trust_word(trust))));
    }
    let mut stmts = vec![
        Stmt::Attribute(attr(
            "label",
            quoted(&format!("{name} ({})", trust_word(trust))),
        )),
        Stmt::Attribute(attr("style", quoted("dashed,rounded,filled"))),
        Stmt::Attribute(attr("color", quoted(line))),
        Stmt::Attribute(attr("fillcolor", quoted(fill))),
        Stmt::Attribute(attr("fontcolor", quoted(line))),
        Stmt::Attribute(attr("labeljust", plain("l"))),
    ];
    if holds.contains_key(boundary) {
        stmts.push(Stmt::Node(node(&format!("directly in {name}"))));
    }
    for child in children {
        stmts.push(overview_item(model, dfd, child, used, holds));
    }
    Stmt::Subgraph(Subgraph {
        id: Id::Plain(format!(
            "cluster_{}",
            boundary_class(model, boundary).replace('-', "_")
        )),
        stmts,
    })
}

fn kind_noun(kind: NodeKind) -> &'static str {
    match kind {
        NodeKind::Actor => "actor",
        NodeKind::External => "external",
        NodeKind::Channel => "channel",
        NodeKind::Function => "function",
        NodeKind::Store => "store",
    }
}

fn edge_statement(from: NodeIndex, to: NodeIndex, flows: &[&Flow]) -> Edge {
    let mut kinds: Vec<&str> = flows.iter().map(|f| flow_word(f.kind)).collect();
    kinds.dedup();
    let mut data: Vec<&str> = flows
        .iter()
        .flat_map(|f| f.data.iter().map(String::as_str))
        .collect();
    data.sort_unstable();
    data.dedup();
    let mut label = kinds.join(", ");
    if !data.is_empty() {
        label.push('\n');
        label.push_str(&data.join(", "));
    }
    let crosses = flows.iter().any(|f| f.crosses_boundary());
    let plaintext = flows.iter().any(|f| !f.encrypted);
    if plaintext {
        label.push_str("\n(plaintext)");
    }
    let mut attributes = vec![
        attr("label", quoted(&label)),
        attr("class", quoted(&edge_class(from, to))),
    ];
    if crosses {
        attributes.push(attr("color", quoted("#c62828")));
        attributes.push(attr("penwidth", plain("2")));
        if flows.iter().any(|f| !f.authenticated) {
            attributes.push(attr("xlabel", quoted("unauthenticated")));
            attributes.push(attr("fontcolor", quoted("#c62828")));
        }
    }
    if plaintext {
        attributes.push(attr("style", plain("dashed")));
    } else if flows.iter().all(|f| f.kind == FlowKind::DeadLetter) {
        attributes.push(attr("style", plain("dotted")));
    }
    Edge {
        ty: EdgeTy::Pair(Vertex::N(node_id(from)), Vertex::N(node_id(to))),
        attributes,
    }
}

fn cluster(
    model: &Model,
    dfd: &Dfd,
    boundary: &str,
    used: &BTreeSet<String>,
    count: &mut usize,
    decorations: &Decorations,
) -> Subgraph {
    let trust = dfd.boundary_trust(boundary);
    let (line, fill) = trust_colors(trust);
    let name = boundary_name(model, boundary);
    let mut stmts = vec![
        Stmt::Attribute(attr(
            "label",
            quoted(&format!("{name} ({})", trust_word(trust))),
        )),
        Stmt::Attribute(attr("style", quoted("dashed,rounded,filled"))),
        Stmt::Attribute(attr("color", quoted(line))),
        Stmt::Attribute(attr("fillcolor", quoted(fill))),
        Stmt::Attribute(attr("fontcolor", quoted(line))),
        Stmt::Attribute(attr("labeljust", plain("l"))),
    ];
    for child in used {
        if dfd.parent(child) == Some(boundary) {
            stmts.push(Stmt::Subgraph(cluster(
                model,
                dfd,
                child,
                used,
                count,
                decorations,
            )));
        }
    }
    for node in dfd.graph().node_indices() {
        let element = dfd.element(node);
        if element.boundary == boundary {
            stmts.push(Stmt::Node(node_statement(
                node,
                element,
                decorations.badges.get(&node),
            )));
        }
    }
    let id = Id::Plain(format!("cluster_{}", *count));
    *count += 1;
    Subgraph { id, stmts }
}

fn node_statement(node: NodeIndex, element: &super::Element, badge: Option<&Badge>) -> Node {
    let badge = badge.map(Badge::html).unwrap_or_default();
    let text = format!(
        "{}<br/><font point-size=\"8\">«{}»</font>{badge}",
        html_text(&element.label),
        html_text(&element.detail),
    );
    let mut attributes = match element.kind {
        NodeKind::Actor | NodeKind::External => vec![
            attr("shape", plain("box")),
            attr("style", quoted("filled")),
            attr("fillcolor", quoted("#eceff1")),
        ],
        NodeKind::Function => vec![
            attr("shape", plain("ellipse")),
            attr("style", quoted("filled")),
            attr("fillcolor", quoted("#e3f2fd")),
            attr("color", quoted("#1565c0")),
        ],
        NodeKind::Channel => vec![
            attr("shape", plain("box")),
            attr("style", quoted("rounded,filled")),
            attr("fillcolor", quoted("#fff8e1")),
            attr("color", quoted("#f9a825")),
        ],
        NodeKind::Store => vec![attr("shape", plain("plain"))],
    };
    let label = if element.kind == NodeKind::Store {
        // The DFD data store: a label between two horizontal lines.
        format!(
            "<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"6\" color=\"#6a1b9a\"><tr><td sides=\"TB\" bgcolor=\"#f3e5f5\">{text}</td></tr></table>>"
        )
    } else {
        format!("<{text}>")
    };
    attributes.push(attr("label", Id::Html(label)));
    attributes.push(attr("tooltip", quoted(&element.id)));
    attributes.push(attr("class", quoted(&node_class(node))));
    Node::new(node_id(node), attributes)
}

/// An element outside the boundary a detail view shows: small, grey, with its boundary's name.
fn neighbour_statement(model: &Model, dfd: &Dfd, node: NodeIndex) -> Node {
    let element = dfd.element(node);
    let text = format!(
        "{}<br/><font point-size=\"8\">in {}</font>",
        html_text(&element.label),
        html_text(&boundary_name(model, &element.boundary)),
    );
    Node::new(
        node_id(node),
        vec![
            attr("shape", plain("box")),
            attr("style", quoted("dashed")),
            attr("color", quoted("#90a4ae")),
            attr("fontcolor", quoted("#607d8b")),
            attr("fontsize", plain("8")),
            attr("label", Id::Html(format!("<{text}>"))),
            attr("tooltip", quoted(&element.id)),
            attr("class", quoted(&node_class(node))),
        ],
    )
}

fn flow_word(kind: FlowKind) -> &'static str {
    match kind {
        FlowKind::Request => "request",
        FlowKind::Trigger => "trigger",
        FlowKind::Read => "read",
        FlowKind::Write => "write",
        FlowKind::Call => "call",
        FlowKind::Invoke => "invoke",
        FlowKind::Deliver => "deliver",
        FlowKind::DeadLetter => "dead-letter",
    }
}
