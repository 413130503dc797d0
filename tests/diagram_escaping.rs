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
use strider::graph::dot::{
    Decorations, DiagramFormat, View, dot_text, render, render_view, view_text,
};

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
        svg.matches("class=\"node dfd").count(),
        dfd.node_count(),
        "one SVG node per element"
    );
    assert_eq!(dfd.node_count(), 4);
    assert_eq!(svg.matches("class=\"edge dfd").count(), dfd.edge_count());
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

#[test]
fn hostile_strings_stay_text_in_the_overview_and_boundary_views() {
    let loaded = strider::model::load(Path::new("tests/fixtures/hostile/names.yaml")).unwrap();
    let model = &loaded.model;
    let dfd = Dfd::build(model);
    let decorations = Decorations::default();
    let mut views = vec![View::Overview];
    views.extend(dfd.used_boundaries().into_iter().map(View::Boundary));
    assert!(views.len() >= 3);
    for view in &views {
        let text = view_text(model, &dfd, view, &decorations);
        let Graph::DiGraph { stmts, .. } = graphviz_rust::parse(&text).unwrap() else {
            panic!("not a digraph")
        };
        let (mut nodes, mut edges, mut clusters) = (0, 0, 0);
        count(&stmts, &mut nodes, &mut edges, &mut clusters);
        if let View::Boundary(boundary) = view {
            // Its members and the elements they exchange flows with, nothing else.
            let members: Vec<_> = dfd
                .graph()
                .node_indices()
                .filter(|&n| &dfd.element(n).boundary == boundary)
                .collect();
            let shown: std::collections::BTreeSet<_> = dfd
                .graph()
                .edge_indices()
                .filter_map(|e| dfd.graph().edge_endpoints(e))
                .filter(|(a, b)| members.contains(a) || members.contains(b))
                .flat_map(|(a, b)| [a, b])
                .chain(members.iter().copied())
                .collect();
            assert_eq!(nodes, shown.len(), "{boundary}");
            assert_eq!(clusters, 1, "{boundary}");
        } else {
            assert_eq!(nodes, dfd.used_boundaries().len(), "overview");
        }
        let svg = String::from_utf8(
            render_view(model, &dfd, view, &decorations, DiagramFormat::Svg).unwrap(),
        )
        .unwrap();
        for raw in ["<script", "<img", "onerror=alert(1)>"] {
            assert!(!svg.contains(raw), "raw `{raw}` in the {view:?} SVG");
        }
    }
}
