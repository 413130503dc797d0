//! Large models must not make graphviz unusable: the overview folds deep boundaries so it draws
//! at most `OVERVIEW_BOUNDARIES` of them, and a layout that runs past its limit is stopped.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use std::time::{Duration, Instant};

use graphviz_rust::dot_structures::{Graph, Stmt};
use strider::graph::Dfd;
use strider::graph::dot::{
    Decorations, DiagramFormat, OVERVIEW_BOUNDARIES, RenderError, View, render_view_within,
    view_text,
};

fn load_generated(functions: usize) -> strider::model::Model {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.yaml");
    std::fs::write(&path, strider::generate::synthetic_model(functions)).unwrap();
    strider::model::load(&path).unwrap().model
}

fn clusters_and_nodes(stmts: &[Stmt]) -> (usize, usize) {
    stmts.iter().fold((0, 0), |(c, n), stmt| match stmt {
        Stmt::Subgraph(sub) => {
            let (sc, sn) = clusters_and_nodes(&sub.stmts);
            (c + 1 + sc, n + sn)
        }
        Stmt::Node(_) => (c, n + 1),
        _ => (c, n),
    })
}

#[test]
fn the_overview_of_a_model_with_many_boundaries_draws_at_most_the_limit() {
    // 3 000 functions: 100 service boundaries plus internet, partner, account and vpc.
    let model = load_generated(3000);
    let dfd = Dfd::build(&model);
    assert!(dfd.used_boundaries().len() > OVERVIEW_BOUNDARIES);
    let text = view_text(&model, &dfd, &View::Overview, &Decorations::default());
    let Graph::DiGraph { stmts, .. } = graphviz_rust::parse(&text).unwrap() else {
        panic!("not a digraph")
    };
    let (clusters, nodes) = clusters_and_nodes(&stmts);
    assert!(
        nodes <= OVERVIEW_BOUNDARIES,
        "{nodes} boundary nodes drawn, {clusters} clusters"
    );
    // The folded services are counted in the boundary that holds them: all 3 000 functions show.
    let functions: usize = text
        .split("functions")
        .filter_map(|before| before.rsplit(|c: char| !c.is_ascii_digit()).nth(1))
        .filter_map(|n| n.parse::<usize>().ok())
        .sum();
    assert_eq!(functions, 3000, "function counts in the overview: {text}");
}

#[test]
fn a_layout_past_its_limit_is_stopped_with_a_clear_error() {
    let model = load_generated(1000);
    let dfd = Dfd::build(&model);
    let started = Instant::now();
    let result = render_view_within(
        &model,
        &dfd,
        &View::Whole,
        &Decorations::default(),
        DiagramFormat::Svg,
        Some(Duration::from_millis(50)),
    );
    let Err(err @ RenderError::TimedOut(_)) = result else {
        panic!("a 1 000-function layout finished in 50 ms: {result:?}")
    };
    assert!(err.to_string().ends_with("after 50ms"), "{err}");
    // Stopped, not waited for: the whole layout takes many seconds.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}
