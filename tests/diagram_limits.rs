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

/// A model whose name and labels are longer than graphviz reads (16 384 bytes in one string).
fn long_names_model(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("long.yaml");
    let (name, boundary, channel) = ("N".repeat(20_000), "B".repeat(20_000), "C".repeat(20_000));
    std::fs::write(
        &path,
        format!(
            "strider: 1\nname: \"{name}\"\nboundaries:\n  internet: {{trust: untrusted}}\n  cloud: {{trust: trusted, name: \"{boundary}\"}}\nactors:\n  user: {{boundary: internet, uses: [api]}}\nchannels:\n  api: {{kind: api-gateway-http, boundary: cloud, auth: none, name: \"{channel}\"}}\nfunctions:\n  fn:\n    runtime: nodejs20.x\n    boundary: cloud\n    triggers: [{{kind: http, source: api}}]\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn labels_longer_than_graphviz_reads_are_cut_for_drawing_only() {
    let dir = tempfile::tempdir().unwrap();
    let model = long_names_model(dir.path());
    let out = dir.path().join("report.html");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_strider"))
        .args([
            "report",
            model.to_str().unwrap(),
            "--today",
            "2026-11-23",
            "-o",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    assert!(
        output.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(!html.contains("No diagram"), "the diagram is missing");
    let start = html
        .find("<div class=\"diagram\" id=\"main-diagram\"><svg")
        .unwrap();
    let svg = &html[start..start + html[start..].find("</svg>").unwrap()];
    // Each long text drawn as its first 199 characters and `…`, never whole.
    for letter in ["N", "B", "C"] {
        let cut = format!("{}…", letter.repeat(strider::graph::dot::LABEL_CHARS - 1));
        assert!(svg.contains(&cut), "{letter} is not cut in the diagram");
        assert!(!svg.contains(&letter.repeat(strider::graph::dot::LABEL_CHARS)));
    }
    // The full text stays in the page.
    assert!(html.contains(&format!(
        "<h1>Threat model: <bdi>{}</bdi></h1>",
        "N".repeat(20_000)
    )));
    assert!(html.contains(&"B".repeat(20_000)));
}

#[test]
fn a_missing_diagram_is_explained_in_the_report_and_on_stderr() {
    // A `dot` that fails, first on PATH: its reason (with an escape sequence) must show, escaped.
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let dot = bin.join("dot");
    std::fs::write(
        &dot,
        "#!/bin/sh\nprintf 'Error: boom\\033[2J\\n' >&2\nexit 3\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dot, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let out = dir.path().join("report.html");
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_strider"))
        .args(["report", "model/hello.yaml", "--today", "2026-11-23", "-o"])
        .arg(&out)
        .env("PATH", path)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert_eq!(
        stderr,
        "warning: the report shows no diagram of the model: graphviz `dot` failed: Error: boom\\u{1b}[2J\n"
    );
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(
        html.contains("No diagram: <bdi>graphviz `dot` failed: Error: boom<span class=\"ctl\">⟨U+001B⟩</span>[2J</bdi>."),
        "{}",
        &html[html.find("<section id=\"diagram\">").unwrap()..][..600]
    );
}
