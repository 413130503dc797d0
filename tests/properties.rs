//! Properties of loading and graph building over generated valid models: every such model loads,
//! its graph has one node per element and one edge per declared flow reference, and loading it
//! twice gives identical graphs and identical DOT. Ids are drawn from a wide alphabet (quotes,
//! spaces, markup, unicode) and written as quoted YAML strings.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use std::fmt::Write;
use std::path::Path;

use proptest::prelude::*;
use strider::graph::Dfd;
use strider::graph::dot::dot_text;
use strider::model::load_bytes;

const CHANNEL_KINDS: [&str; 6] = [
    "api-gateway-http",
    "sqs",
    "sns",
    "schedule",
    "cognito",
    "kinesis",
];
const STORE_KINDS: [&str; 4] = ["dynamodb", "s3", "aurora", "opensearch"];
const TRUSTS: [&str; 3] = ["untrusted", "partner", "trusted"];
/// The forms a store's `public` takes.
const PUBLIC: [&str; 5] = [
    "false",
    "read",
    "write",
    "[read, list]",
    "[read, write, list]",
];

#[derive(Debug, Clone)]
struct Spec {
    ids: Vec<String>,
    boundaries: Vec<(usize, Option<usize>)>,
    stores: Vec<(usize, usize)>,
    channels: Vec<(usize, usize)>,
    externals: usize,
    actors: Vec<Vec<usize>>,
    functions: Vec<FunctionSpec>,
}

#[derive(Debug, Clone)]
struct FunctionSpec {
    boundary: usize,
    triggers: Vec<usize>,
    reads: Vec<usize>,
    writes: Vec<usize>,
    calls: Vec<usize>,
    invokes: Vec<usize>,
}

fn function_spec() -> impl Strategy<Value = FunctionSpec> {
    let indices = || prop::collection::vec(0usize..64, 0..4);
    (
        0usize..64,
        indices(),
        indices(),
        indices(),
        indices(),
        indices(),
    )
        .prop_map(
            |(boundary, triggers, reads, writes, calls, invokes)| FunctionSpec {
                boundary,
                triggers,
                reads,
                writes,
                calls,
                invokes,
            },
        )
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::btree_set("[a-zA-Z0-9 _.:'\"<>&\\\\é€-]{1,10}", 1..6),
        prop::collection::vec((0usize..3, prop::option::of(0usize..8)), 1..5),
        prop::collection::vec((0usize..4, 0usize..8), 0..5),
        prop::collection::vec((0usize..6, 0usize..8), 0..6),
        0usize..3,
        prop::collection::vec(prop::collection::vec(0usize..64, 0..3), 0..3),
        prop::collection::vec(function_spec(), 1..7),
    )
        .prop_map(
            |(ids, boundaries, stores, channels, externals, actors, functions)| Spec {
                ids: ids.into_iter().collect(),
                boundaries,
                stores,
                channels,
                externals,
                actors,
                functions,
            },
        )
}

/// A quoted YAML scalar (JSON strings are valid YAML).
fn q(text: &str) -> String {
    serde_json::to_string(text).unwrap()
}

struct Built {
    yaml: String,
    nodes: usize,
    references: usize,
}

/// Writes the spec as a valid model: every reference resolves to an element of the right kind.
#[allow(
    clippy::too_many_lines,
    reason = "writes the model section by section, top to bottom, like a person would"
)]
fn build(spec: &Spec) -> Built {
    let name = |section: &str, i: usize| format!("{section}-{}-{i}", spec.ids[i % spec.ids.len()]);
    let mut y = String::from("strider: 1\nname: \"generated\"\nboundaries:\n");
    let boundaries: Vec<String> = (0..spec.boundaries.len()).map(|i| name("b", i)).collect();
    for (i, (trust, parent)) in spec.boundaries.iter().enumerate() {
        // Parents only point at earlier boundaries, so nesting never cycles.
        let parent = parent
            .filter(|p| *p < i)
            .map(|p| format!(", parent: {}", q(&boundaries[p])))
            .unwrap_or_default();
        let _ = writeln!(
            y,
            "  {}: {{trust: {}{parent}}}",
            q(&boundaries[i]),
            TRUSTS[*trust]
        );
    }
    let boundary = |i: usize| q(&boundaries[i % boundaries.len()]);
    let mut references = 0;
    let stores: Vec<(String, &str)> = spec
        .stores
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (name("s", i), STORE_KINDS[*k]))
        .collect();
    y.push_str("stores:\n");
    for (i, ((id, kind), (_, b))) in stores.iter().zip(&spec.stores).enumerate() {
        let _ = writeln!(
            y,
            "  {}: {{kind: {kind}, boundary: {}, public: {}}}",
            q(id),
            boundary(*b),
            PUBLIC[(i + b) % PUBLIC.len()]
        );
    }
    let channels: Vec<(String, &str)> = spec
        .channels
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (name("c", i), CHANNEL_KINDS[*k]))
        .collect();
    let sqs: Vec<&String> = channels
        .iter()
        .filter(|(_, k)| *k == "sqs")
        .map(|(id, _)| id)
        .collect();
    y.push_str("channels:\n");
    for ((id, kind), (_, b)) in channels.iter().zip(&spec.channels) {
        let _ = write!(y, "  {}: {{kind: {kind}, boundary: {}", q(id), boundary(*b));
        if *kind == "sns" && !sqs.is_empty() {
            let _ = write!(
                y,
                ", delivers_to: [{}]",
                sqs.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
            );
            references += sqs.len();
        }
        y.push_str("}\n");
    }
    let externals: Vec<String> = (0..spec.externals).map(|i| name("e", i)).collect();
    y.push_str("externals:\n");
    for (i, id) in externals.iter().enumerate() {
        let _ = writeln!(
            y,
            "  {}: {{boundary: {}, protocol: https}}",
            q(id),
            boundary(i)
        );
    }
    let apis: Vec<&String> = channels
        .iter()
        .filter(|(_, k)| *k == "api-gateway-http")
        .map(|(id, _)| id)
        .collect();
    y.push_str("actors:\n");
    for (i, uses) in spec.actors.iter().enumerate() {
        let used: Vec<String> = if apis.is_empty() {
            Vec::new()
        } else {
            uses.iter().map(|u| q(apis[u % apis.len()])).collect()
        };
        references += used.len();
        // Direct writes (presigned uploads) into the stores the same picks name.
        let written: Vec<String> = if stores.is_empty() {
            Vec::new()
        } else {
            uses.iter()
                .map(|u| format!("{{to: {}}}", q(&stores[u % stores.len()].0)))
                .collect()
        };
        references += written.len();
        let _ = writeln!(
            y,
            "  {}: {{boundary: {}, uses: [{}], writes: [{}]}}",
            q(&name("a", i)),
            boundary(i),
            used.join(", "),
            written.join(", ")
        );
    }
    let functions: Vec<String> = (0..spec.functions.len()).map(|i| name("f", i)).collect();
    y.push_str("functions:\n");
    for (id, f) in functions.iter().zip(&spec.functions) {
        let _ = writeln!(
            y,
            "  {}:\n    runtime: nodejs20.x\n    boundary: {}\n    triggers: []",
            q(id),
            boundary(f.boundary)
        );
        // Triggers: a channel with the trigger kind its kind calls for, or an s3 bucket.
        let sources: Vec<(String, &str)> = channels
            .iter()
            .map(|(id, kind)| {
                let trigger = match *kind {
                    "api-gateway-http" => "http",
                    other => other,
                };
                (id.clone(), trigger)
            })
            .chain(
                stores
                    .iter()
                    .filter(|(_, k)| *k == "s3")
                    .map(|(id, _)| (id.clone(), "s3")),
            )
            .collect();
        if !sources.is_empty() && !f.triggers.is_empty() {
            // Replace the empty list written above.
            y.truncate(y.len() - " []\n".len());
            y.push('\n');
            for t in &f.triggers {
                let (source, kind) = &sources[t % sources.len()];
                let _ = writeln!(y, "      - {{kind: {kind}, source: {}}}", q(source));
                references += 1;
            }
        }
        // Every other flow is detailed: reads and writes without TLS, asynchronous invocations.
        let mut flows = |key: &str, pool: &[String], picks: &[usize]| {
            if pool.is_empty() {
                return;
            }
            let picked: Vec<String> = picks
                .iter()
                .map(|p| {
                    let target = q(&pool[p % pool.len()]);
                    match (key, p % 2) {
                        ("reads" | "writes", 1) => format!("{{to: {target}, tls: false}}"),
                        ("invokes", 1) => format!("{{to: {target}, invocation: event}}"),
                        _ => target,
                    }
                })
                .collect();
            references += picked.len();
            let _ = writeln!(y, "    {key}: [{}]", picked.join(", "));
        };
        let store_ids: Vec<String> = stores.iter().map(|(id, _)| id.clone()).collect();
        let writable: Vec<String> = store_ids
            .iter()
            .cloned()
            .chain(channels.iter().map(|(id, _)| id.clone()))
            .collect();
        flows("reads", &store_ids, &f.reads);
        flows("writes", &writable, &f.writes);
        flows("calls", &externals, &f.calls);
        flows("invokes", &functions, &f.invokes);
        // A sink fed by the function's events and by the first store it reads.
        let read = (!store_ids.is_empty())
            .then(|| f.reads.first().map(|r| q(&store_ids[r % store_ids.len()])))
            .flatten();
        let from = read.map_or_else(|| "event".to_owned(), |r| format!("event, {r}"));
        let _ = writeln!(y, "    sinks: [{{kind: sql, from: [{from}]}}]");
    }
    let nodes =
        stores.len() + channels.len() + externals.len() + spec.actors.len() + functions.len();
    Built {
        yaml: y,
        nodes,
        references,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn valid_models_load_with_a_node_per_element_and_an_edge_per_reference(spec in spec()) {
        let built = build(&spec);
        let loaded = load_bytes(Path::new("generated.yaml"), built.yaml.as_bytes());
        let loaded = match loaded {
            Ok(loaded) => loaded,
            Err(err) => panic!("{}", strider::model::diagnostic::render(&err.diagnostics, &err.sources)),
        };
        let dfd = Dfd::build(&loaded.model);
        prop_assert_eq!(dfd.node_count(), built.nodes);
        prop_assert_eq!(dfd.edge_count(), built.references);
    }

    #[test]
    fn loading_twice_gives_identical_graphs_and_dot(spec in spec()) {
        let built = build(&spec);
        let first = load_bytes(Path::new("generated.yaml"), built.yaml.as_bytes()).unwrap();
        let second = load_bytes(Path::new("generated.yaml"), built.yaml.as_bytes()).unwrap();
        prop_assert_eq!(&first.model, &second.model);
        let (a, b) = (Dfd::build(&first.model), Dfd::build(&second.model));
        let nodes = |d: &Dfd| d.graph().node_weights().cloned().collect::<Vec<_>>();
        let edges = |d: &Dfd| d.flows().map(|(_, x, y, f)| (x.id.clone(), y.id.clone(), f.clone())).collect::<Vec<_>>();
        prop_assert_eq!(nodes(&a), nodes(&b));
        prop_assert_eq!(edges(&a), edges(&b));
        prop_assert_eq!(dot_text(&first.model, &a), dot_text(&second.model, &b));
    }

    #[test]
    fn any_bytes_give_a_model_or_diagnostics(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        match load_bytes(Path::new("noise.yaml"), &bytes) {
            Ok(_) => {}
            Err(err) => prop_assert!(!err.diagnostics.is_empty()),
        }
    }
}

fn scores(
    model: &strider::model::Model,
) -> std::collections::BTreeMap<String, (strider::scoring::Likelihood, strider::scoring::Severity)>
{
    strider::assessment::analyze(model)
        .threats
        .into_iter()
        .map(|t| (t.id, (t.score.likelihood, t.score.residual_severity)))
        .collect()
}

const CONTROL_KINDS: [strider::model::ControlKind; 5] = [
    strider::model::ControlKind::Waf,
    strider::model::ControlKind::RateLimit,
    strider::model::ControlKind::Siem,
    strider::model::ControlKind::DependencyScanning,
    strider::model::ControlKind::InputValidation,
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn controls_and_mitigations_never_raise_residual_risk(spec in spec(), kind in 0usize..5, pick in any::<prop::sample::Index>()) {
        let built = build(&spec);
        let model = load_bytes(Path::new("generated.yaml"), built.yaml.as_bytes()).unwrap().model;
        let before = scores(&model);
        let mut controlled = model.clone();
        controlled.controls.insert("added".to_owned(), strider::model::Control { kind: CONTROL_KINDS[kind], description: None, applies_to: Vec::new() });
        for (id, (_, severity)) in scores(&controlled) {
            prop_assert!(before.contains_key(&id), "a control added {}", id);
            prop_assert!(severity <= before[&id].1, "a control raised {}", id);
        }
        if !before.is_empty() {
            let id = before.keys().nth(pick.index(before.len())).unwrap().clone();
            let mut mitigated = model.clone();
            mitigated.tracking.insert(id.clone(), strider::model::TrackingEntry {
                status: strider::model::TrackingStatus::Mitigated,
                justification: Some("fixed".to_owned()),
                owner: None,
                ticket: None,
                date: None,
            });
            let after = scores(&mitigated);
            prop_assert!(after[&id].1 <= before[&id].1, "mitigating {} raised it", id);
        }
    }

    #[test]
    fn exposing_an_element_never_lowers_likelihood(spec in spec(), pick in any::<prop::sample::Index>()) {
        let built = build(&spec);
        let model = load_bytes(Path::new("generated.yaml"), built.yaml.as_bytes()).unwrap().model;
        let before = scores(&model);
        let mut exposed = model.clone();
        exposed.boundaries.insert("open-internet".to_owned(), strider::model::Boundary {
            name: None,
            description: None,
            trust: strider::model::Trust::Untrusted,
            parent: None,
        });
        let functions: Vec<String> = exposed.functions.keys().cloned().collect();
        let chosen = &functions[pick.index(functions.len())];
        exposed.functions.get_mut(chosen).unwrap().boundary = "open-internet".to_owned();
        let after = scores(&exposed);
        for (id, (likelihood, _)) in &before {
            if let Some((now, _)) = after.get(id) {
                prop_assert!(now >= likelihood, "moving {} into an untrusted boundary lowered {} from {:?} to {:?}", chosen, id, likelihood, now);
            }
        }
    }
}
