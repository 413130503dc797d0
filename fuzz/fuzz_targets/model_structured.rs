//! Structure-aware: `arbitrary` builds models out of a small pool of ids, kinds and fields, so most
//! inputs get past YAML and the schema and exercise reference checks, applicability rules, boundary
//! nesting, graph building and the diagram. Raw bytes rarely get that far.
#![no_main]

use std::fmt::Write;
use std::path::Path;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use strider::graph::Dfd;
use strider::graph::dot::dot_text;
use strider::model::diagnostic::render;

const IDS: [&str; 8] = ["a", "b", "c", "api", "queue", "table", "bucket", "ext"];
const TRUST: [&str; 4] = ["untrusted", "partner", "trusted", "bogus"];
const STORE_KINDS: [&str; 5] = ["dynamodb", "s3", "aurora", "secrets-manager", "nope"];
const CHANNEL_KINDS: [&str; 8] = [
    "api-gateway-rest",
    "api-gateway-http",
    "function-url",
    "sqs",
    "sns",
    "dynamodb-stream",
    "schedule",
    "cognito",
];
const TRIGGER_KINDS: [&str; 9] = [
    "http",
    "s3",
    "sqs",
    "sns",
    "dynamodb-stream",
    "schedule",
    "cognito",
    "invoke",
    "htp",
];
const FIELDS: [&str; 10] = [
    "auth: none",
    "waf: true",
    "dlq: queue",
    "table: table",
    "public: true",
    "tls: false",
    "mfa: true",
    "expression: rate(1 day)",
    "max_receive_count: 3",
    "bogus: 1",
];

#[derive(Debug, Arbitrary)]
struct Model {
    boundaries: Vec<(u8, u8, Option<u8>)>,
    stores: Vec<(u8, u8, u8)>,
    channels: Vec<(u8, u8, u8, Vec<u8>)>,
    functions: Vec<Function>,
    actors: Vec<(u8, u8, Vec<u8>)>,
}

#[derive(Debug, Arbitrary)]
struct Function {
    id: u8,
    boundary: u8,
    triggers: Vec<(u8, u8)>,
    reads: Vec<u8>,
    writes: Vec<u8>,
    invokes: Vec<u8>,
    timeout: Option<u32>,
}

fn pick<'a>(pool: &[&'a str], index: u8) -> &'a str {
    pool[usize::from(index) % pool.len()]
}

fn list(ids: &[u8]) -> String {
    ids.iter()
        .take(4)
        .map(|&i| pick(&IDS, i))
        .collect::<Vec<_>>()
        .join(", ")
}

fn to_yaml(model: &Model) -> String {
    let mut out = String::from("strider: 1\nname: fuzz\nboundaries:\n");
    for (id, trust, parent) in model.boundaries.iter().take(6) {
        let _ = write!(
            out,
            "  {}: {{trust: {}",
            pick(&IDS, *id),
            pick(&TRUST, *trust)
        );
        if let Some(parent) = parent {
            let _ = write!(out, ", parent: {}", pick(&IDS, *parent));
        }
        out.push_str("}\n");
    }
    out.push_str("stores:\n");
    for (id, kind, boundary) in model.stores.iter().take(6) {
        let _ = writeln!(
            out,
            "  {}: {{kind: {}, boundary: {}}}",
            pick(&IDS, *id),
            pick(&STORE_KINDS, *kind),
            pick(&IDS, *boundary)
        );
    }
    out.push_str("channels:\n");
    for (id, kind, boundary, fields) in model.channels.iter().take(6) {
        let _ = write!(
            out,
            "  {}: {{kind: {}, boundary: {}",
            pick(&IDS, *id),
            pick(&CHANNEL_KINDS, *kind),
            pick(&IDS, *boundary)
        );
        for field in fields.iter().take(3) {
            let _ = write!(out, ", {}", pick(&FIELDS, *field));
        }
        out.push_str("}\n");
    }
    out.push_str("actors:\n");
    for (id, boundary, uses) in model.actors.iter().take(3) {
        let _ = writeln!(
            out,
            "  {}: {{boundary: {}, uses: [{}]}}",
            pick(&IDS, *id),
            pick(&IDS, *boundary),
            list(uses)
        );
    }
    out.push_str("functions:\n");
    for function in model.functions.iter().take(6) {
        let _ = writeln!(
            out,
            "  {}:\n    runtime: nodejs20.x\n    boundary: {}",
            pick(&IDS, function.id),
            pick(&IDS, function.boundary)
        );
        if let Some(timeout) = function.timeout {
            let _ = writeln!(out, "    timeout_s: {timeout}");
        }
        out.push_str("    triggers:\n");
        for (kind, source) in function.triggers.iter().take(3) {
            let _ = writeln!(
                out,
                "      - {{kind: {}, source: {}}}",
                pick(&TRIGGER_KINDS, *kind),
                pick(&IDS, *source)
            );
        }
        let _ = writeln!(
            out,
            "    reads: [{}]\n    writes: [{}]\n    invokes: [{}]",
            list(&function.reads),
            list(&function.writes),
            list(&function.invokes)
        );
    }
    out
}

fuzz_target!(|model: Model| {
    let yaml = to_yaml(&model);
    match strider::model::load_bytes(Path::new("fuzz.yaml"), yaml.as_bytes()) {
        Ok(loaded) => {
            let dfd = Dfd::build(&loaded.model);
            assert_eq!(
                dfd.node_count(),
                loaded.model.actors.len()
                    + loaded.model.externals.len()
                    + loaded.model.channels.len()
                    + loaded.model.functions.len()
                    + loaded.model.stores.len()
            );
            let _ = dot_text(&loaded.model, &dfd);
        }
        Err(err) => {
            assert!(!err.diagnostics.is_empty());
            let _ = render(&err.diagnostics, &err.sources);
        }
    }
});
