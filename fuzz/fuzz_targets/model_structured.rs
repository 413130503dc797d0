//! Structure-aware: `arbitrary` builds models out of a small pool of ids, kinds and fields, so most
//! inputs get past YAML and the schema and exercise reference checks, applicability rules, boundary
//! nesting, graph building and the diagram. Raw bytes rarely get that far. A [`Hostile`] part adds
//! what a hostile pull request would (issue #10): control characters, non-core tags, large aliased
//! scalars, very long ids, escape sequences in ids; each has its oracle.
#![no_main]

use std::fmt::Write;
use std::path::Path;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use strider::escape::is_hazard;
use strider::graph::Dfd;
use strider::graph::dot::dot_text;
use strider::model::Code;
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
    hostile: Option<Hostile>,
}

/// What a hostile model adds to a generated one.
#[derive(Debug, Arbitrary)]
enum Hostile {
    /// A control character at a place in the text: must be a `control-character` error.
    Control { at: u16, which: u8 },
    /// A tag on the model's name: must be a `yaml-unsupported` error unless it is `!!str`.
    Tag(u8),
    /// A scalar of `len` bytes aliased `count` times.
    Alias { len: u16, count: u8 },
    /// A function whose id is `len` characters long, and a reference that misses it by one.
    LongId { len: u16 },
    /// Ids and references holding escape sequences, newlines and bidi overrides.
    Escapes(u8),
}

const CONTROLS: [char; 6] = ['\0', '\u{1}', '\u{1b}', '\u{7f}', '\u{9b}', '\u{8}'];
const TAGS: [&str; 6] = [
    "!!python/object/apply:os.system",
    "!!binary",
    "!Ref",
    "!!int",
    "!<tag:example.com,2000:x>",
    "!!str",
];
const ESCAPES: [&str; 5] = [
    "\\u001b]52;c;ZWNobw==\\u0007",
    "\\n::error::pwned",
    "\\r\\u001b[2K",
    "\\u202egnp.exe",
    "\\u009b2J",
];

/// Adds the hostile part to the text; returns the code the model must be rejected with, if any.
fn add_hostile(out: &mut String, hostile: &Hostile) -> Option<Code> {
    match hostile {
        Hostile::Control { at, which } => {
            let mut at = usize::from(*at) % (out.len() + 1);
            while !out.is_char_boundary(at) {
                at -= 1;
            }
            out.insert(at, CONTROLS[usize::from(*which) % CONTROLS.len()]);
            Some(Code::ControlCharacter)
        }
        Hostile::Tag(which) => {
            let tag = pick(&TAGS, *which);
            *out = out.replacen("name: fuzz", &format!("name: {tag} fuzz"), 1);
            (tag != "!!str").then_some(Code::YamlUnsupported)
        }
        Hostile::Alias { len, count } => {
            let _ = writeln!(
                out,
                "description: &big {}\ntracking: {{\"*\": {{status: open, justification: [{}]}}}}",
                "x".repeat(usize::from(*len)),
                vec!["*big"; usize::from(*count)].join(", ")
            );
            None
        }
        Hostile::LongId { len } => {
            let id = "f".repeat(usize::from(*len) + 1);
            let _ = writeln!(
                out,
                "  {id}: {{runtime: r, boundary: a, invokes: [{id}x]}}\n  {id}y: {{runtime: r, boundary: a}}"
            );
            Some(Code::UnresolvedReference)
        }
        Hostile::Escapes(which) => {
            let escape = pick(&ESCAPES, *which);
            let _ = writeln!(
                out,
                "  \"e{escape}\": {{runtime: r, boundary: \"{escape}\", invokes: [\"{escape}x\"]}}"
            );
            Some(Code::UnresolvedReference)
        }
    }
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
    let mut yaml = to_yaml(&model);
    let expected = model
        .hostile
        .as_ref()
        .and_then(|hostile| add_hostile(&mut yaml, hostile));
    match strider::model::load_bytes(Path::new("fuzz.yaml"), yaml.as_bytes()) {
        Ok(loaded) => {
            assert!(
                expected.is_none(),
                "loaded, but expected {expected:?}:\n{yaml}"
            );
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
            let rendered = render(&err.diagnostics, &err.sources);
            assert!(
                !rendered
                    .chars()
                    .any(|c| c != '\n' && c != '\t' && is_hazard(c)),
                "model text reached the output unescaped: {rendered:?}"
            );
            // A control character stops the file before it is parsed: it is the only error.
            if expected == Some(Code::ControlCharacter) {
                assert_eq!(err.diagnostics[0].code, Code::ControlCharacter);
            }
        }
    }
});
