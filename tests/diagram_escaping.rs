//! Model strings cannot change the diagram's structure or inject markup: every id, name, runtime
//! and data id of `tests/fixtures/hostile/names.yaml` tries to break out of DOT quoting or of a
//! graphviz HTML label, and must come out as literal text.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use std::path::Path;

use graphviz_rust::dot_structures::{Graph, Stmt};
use strider::graph::Dfd;
use strider::graph::dot::{DiagramFormat, dot_text, render};

fn count(stmts: &[Stmt], nodes: &mut usize, edges: &mut usize, clusters: &mut usize) {
    for stmt in stmts {
        match stmt {
            Stmt::Node(_) => *nodes += 1,
            Stmt::Edge(_) => *edges += 1,
            Stmt::Subgraph(sub) => {
                *clusters += 1;
                count(&sub.stmts, nodes, edges, clusters);
            }
            _ => {}
        }
    }
}

#[test]
fn hostile_strings_do_not_change_the_dot_structure() {
    let loaded = strider::model::load(Path::new("tests/fixtures/hostile/names.yaml")).unwrap();
    let dfd = Dfd::build(&loaded.model);
    let text = dot_text(&loaded.model, &dfd);
    let Graph::DiGraph { stmts, .. } = graphviz_rust::parse(&text).unwrap() else {
        panic!("not a digraph")
    };
    let (mut nodes, mut edges, mut clusters) = (0, 0, 0);
    count(&stmts, &mut nodes, &mut edges, &mut clusters);
    assert_eq!(
        (nodes, edges, clusters),
        (dfd.node_count(), dfd.edge_count(), 2)
    );
}

#[test]
fn hostile_strings_render_as_text_in_svg() {
    let loaded = strider::model::load(Path::new("tests/fixtures/hostile/names.yaml")).unwrap();
    let dfd = Dfd::build(&loaded.model);
    let svg = String::from_utf8(render(&loaded.model, &dfd, DiagramFormat::Svg).unwrap()).unwrap();
    assert_eq!(
        svg.matches("class=\"node\"").count(),
        dfd.node_count(),
        "one SVG node per element"
    );
    assert_eq!(dfd.node_count(), 4);
    assert_eq!(svg.matches("class=\"edge\"").count(), dfd.edge_count());
    // Injected DOT statements would have changed the counts above; injected markup shows raw.
    for raw in ["<script", "<img", "<b>", "onerror=alert(1)>"] {
        assert!(!svg.contains(raw), "raw `{raw}` in the SVG");
    }
    for escaped in [
        "actor&lt;script&gt;alert(1)&lt;/script&gt;",
        "&lt;img src=x onerror=alert(1)&gt;",
        "\\N \\G \\L \\E",
    ] {
        assert!(svg.contains(escaped), "`{escaped}` missing from the SVG");
    }
}
