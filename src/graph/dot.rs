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

use std::io;

use graphviz_rust::cmd::{CommandArg, Format};
use graphviz_rust::dot_structures::{
    Attribute, Edge, EdgeTy, Graph, GraphAttributes, Id, Node, NodeId, Stmt, Subgraph, Vertex,
};
use graphviz_rust::printer::{DotPrinter, PrinterContext};
use petgraph::graph::NodeIndex;

use std::collections::BTreeMap;

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
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::DotMissing => f.write_str(
                "graphviz `dot` is not installed, so the diagram cannot be rendered\n  hint: install graphviz (`apt-get install graphviz`, `brew install graphviz`), or write DOT with `-o diagram.dot`",
            ),
            RenderError::Dot(message) => write!(f, "graphviz `dot` failed: {}", message.trim()),
        }
    }
}

impl std::error::Error for RenderError {}

/// Renders the model's diagram in a format.
///
/// # Errors
/// When `dot` is missing or fails (never for [`DiagramFormat::Dot`]).
pub fn render(model: &Model, dfd: &Dfd, format: DiagramFormat) -> Result<Vec<u8>, RenderError> {
    let text = dot_text(model, dfd);
    let format = match format {
        DiagramFormat::Dot => return Ok(text.into_bytes()),
        DiagramFormat::Svg => Format::Svg,
        DiagramFormat::Png => Format::Png,
    };
    graphviz_rust::exec_dot(text, vec![CommandArg::Format(format)]).map_err(|err| {
        if err.kind() == io::ErrorKind::NotFound {
            RenderError::DotMissing
        } else {
            RenderError::Dot(err.to_string())
        }
    })
}

/// The diagram as DOT text.
#[must_use]
pub fn dot_text(model: &Model, dfd: &Dfd) -> String {
    let mut context = PrinterContext::default();
    to_dot(model, dfd).print(&mut context)
}

/// A DOT string literal: quotes and backslashes escaped, line breaks as DOT `\n`.
#[must_use]
pub fn quoted(text: &str) -> Id {
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
    Id::Escaped(out)
}

/// Text for inside a graphviz HTML-like label: escaped, line breaks as `<br/>`, other control
/// characters as spaces.
#[must_use]
pub fn html_text(text: &str) -> String {
    let flat: String = text
        .chars()
        .map(|c| if c.is_control() && c != '\n' { ' ' } else { c })
        .collect();
    crate::escape::html(&flat).replace('\n', "<br/>")
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

/// The diagram as a graphviz-rust graph.
#[must_use]
pub fn to_dot(model: &Model, dfd: &Dfd) -> Graph {
    let mut stmts = vec![
        Stmt::GAttribute(GraphAttributes::Graph(vec![
            attr("rankdir", plain("TB")),
            attr("fontname", quoted("Helvetica")),
            attr("fontsize", plain("11")),
            attr(
                "label",
                quoted(&format!("{} — data-flow diagram", model.name)),
            ),
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
    ];
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
            )));
        }
    }
    // Flows between the same two elements in the same direction are drawn as one edge, so their
    // labels do not print over each other.
    let mut merged: BTreeMap<(usize, usize), Vec<&Flow>> = BTreeMap::new();
    for edge in dfd.graph().edge_indices() {
        if let Some((from, to)) = dfd.graph().edge_endpoints(edge) {
            merged
                .entry((from.index(), to.index()))
                .or_default()
                .push(&dfd.graph()[edge]);
        }
    }
    for ((from, to), flows) in merged {
        stmts.push(Stmt::Edge(edge_statement(
            NodeIndex::new(from),
            NodeIndex::new(to),
            &flows,
        )));
    }
    Graph::DiGraph {
        id: plain("dfd"),
        strict: false,
        stmts,
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
    let mut attributes = vec![attr("label", quoted(&label))];
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
    used: &std::collections::BTreeSet<String>,
    count: &mut usize,
) -> Subgraph {
    let trust = dfd.boundary_trust(boundary);
    let (line, fill) = trust_colors(trust);
    let name = model
        .boundaries
        .get(boundary)
        .and_then(|b| b.name.clone())
        .unwrap_or_else(|| boundary.to_owned());
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
            stmts.push(Stmt::Subgraph(cluster(model, dfd, child, used, count)));
        }
    }
    for node in dfd.graph().node_indices() {
        let element = dfd.element(node);
        if element.boundary == boundary {
            stmts.push(Stmt::Node(node_statement(node, element)));
        }
    }
    let id = Id::Plain(format!("cluster_{}", *count));
    *count += 1;
    Subgraph { id, stmts }
}

fn node_statement(node: NodeIndex, element: &super::Element) -> Node {
    let text = format!("{}\n«{}»", element.label, element.detail);
    let attributes = match element.kind {
        NodeKind::Actor | NodeKind::External => vec![
            attr("shape", plain("box")),
            attr("label", quoted(&text)),
            attr("style", quoted("filled")),
            attr("fillcolor", quoted("#eceff1")),
        ],
        NodeKind::Function => vec![
            attr("shape", plain("ellipse")),
            attr("label", quoted(&text)),
            attr("style", quoted("filled")),
            attr("fillcolor", quoted("#e3f2fd")),
            attr("color", quoted("#1565c0")),
        ],
        NodeKind::Channel => vec![
            attr("shape", plain("box")),
            attr("label", quoted(&text)),
            attr("style", quoted("rounded,filled")),
            attr("fillcolor", quoted("#fff8e1")),
            attr("color", quoted("#f9a825")),
        ],
        NodeKind::Store => {
            // The DFD data store: a label between two horizontal lines.
            let label = format!(
                "<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"6\" color=\"#6a1b9a\"><tr><td sides=\"TB\" bgcolor=\"#f3e5f5\">{}<br/><font point-size=\"8\">«{}»</font></td></tr></table>>",
                html_text(&element.label),
                html_text(&element.detail),
            );
            vec![
                attr("shape", plain("plain")),
                attr("label", Id::Html(label)),
            ]
        }
    };
    let mut attributes = attributes;
    attributes.push(attr("tooltip", quoted(&element.id)));
    Node::new(node_id(node), attributes)
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
