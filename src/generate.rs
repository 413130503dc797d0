//! Synthetic models of any size, for benchmarks: `strider generate --functions N`.
//!
//! Functions come in groups of ten that share an API, a queue with its dead-letter queue, a topic,
//! a bucket, a table and its stream; every function has a trigger (cycling through http, sqs, s3,
//! dynamodb-stream and sns), a read, a write into the next group, permissions and environment.
//! Like a real estate of that size, the functions are split into services of three groups, each
//! service its own trust boundary holding its functions, stores and channels, nested in the
//! account or in a VPC inside it. Some functions call externals and invoke their neighbour. The
//! output is deterministic and grows linearly with N.
//!
//! The chain shape (`--shape chain --actors A`) is the worst case for attack paths: A untrusted
//! actors use one API in front of a chain of N functions linked by queues, each function with a
//! table of confidential (every tenth restricted) data, so every actor reaches every table
//! through the whole chain.

use std::fmt::Write;

/// Groups of ten functions per service boundary.
const GROUPS_PER_SERVICE: usize = 3;

fn service(group: usize) -> String {
    format!("svc-{}", group / GROUPS_PER_SERVICE)
}

const RUNTIMES: [&str; 4] = ["nodejs20.x", "python3.12", "provided.al2023", "java21"];

/// A valid model with `functions` functions, as YAML text.
#[must_use]
pub fn synthetic_model(functions: usize) -> String {
    let functions = functions.max(1);
    let groups = functions.div_ceil(10);
    let mut out = String::with_capacity(functions * 520 + groups * 700);
    let _ = write!(
        out,
        "strider: 1\nname: synthetic-{functions}\ndescription: Synthetic model of {functions} functions for benchmarks.\n\
         boundaries:\n  internet: {{trust: untrusted}}\n  partner: {{trust: partner}}\n  account: {{trust: trusted}}\n  vpc: {{trust: trusted, parent: account}}\n"
    );
    for service in 0..groups.div_ceil(GROUPS_PER_SERVICE) {
        let parent = if service % 2 == 0 { "account" } else { "vpc" };
        let _ = writeln!(
            out,
            "  svc-{service}: {{name: Service {service}, trust: trusted, parent: {parent}}}"
        );
    }
    let _ = write!(
        out,
        "data:\n  customer: {{classification: confidential, tags: [pii, gdpr]}}\n  card: {{classification: restricted, tags: [pci-dss]}}\n  order: {{classification: internal}}\n  telemetry: {{classification: public}}\n\
         actors:\n  shopper:\n    boundary: internet\n    uses: ["
    );
    for g in 0..groups {
        let _ = write!(out, "{}api-{g}", if g == 0 { "" } else { ", " });
    }
    out.push_str("]\nexternals:\n  payments: {boundary: partner, protocol: https, tls: true}\n  analytics: {boundary: internet, protocol: http, tls: false}\nstores:\n");
    for g in 0..groups {
        let boundary = service(g);
        let _ = writeln!(
            out,
            "  table-{g}: {{kind: dynamodb, boundary: {boundary}, data: [order, customer], encryption: {{at_rest: kms}}}}"
        );
        let _ = writeln!(
            out,
            "  bucket-{g}: {{kind: s3, boundary: {boundary}, data: [telemetry], versioning: true}}"
        );
    }
    out.push_str("channels:\n");
    for g in 0..groups {
        let boundary = service(g);
        let _ = writeln!(
            out,
            "  api-{g}: {{kind: api-gateway-http, boundary: {boundary}, public: true, auth: jwt, throttling: {{rate_limit: 100, burst_limit: 200}}}}"
        );
        let _ = writeln!(
            out,
            "  queue-{g}: {{kind: sqs, boundary: {boundary}, data: [order], dlq: dlq-{g}, max_receive_count: 3}}"
        );
        let _ = writeln!(out, "  dlq-{g}: {{kind: sqs, boundary: {boundary}}}");
        let _ = writeln!(
            out,
            "  topic-{g}: {{kind: sns, boundary: {boundary}, data: [order], delivers_to: [queue-{g}]}}"
        );
        let _ = writeln!(
            out,
            "  stream-{g}: {{kind: dynamodb-stream, boundary: {boundary}, table: table-{g}}}"
        );
    }
    out.push_str("functions:\n");
    for i in 0..functions {
        let g = i / 10;
        // Each group writes into the next one; the last writes nowhere, so the chain ends (a
        // wrap-around would make the whole model one recursive loop).
        let next = (g + 1 < groups).then_some(g + 1);
        let boundary = service(g);
        let trigger = match i % 5 {
            0 => format!("{{kind: http, source: api-{g}, method: POST, path: /items/{i}}}"),
            1 => {
                format!("{{kind: sqs, source: queue-{g}, batch_size: 10, partial_failures: true}}")
            }
            2 => format!("{{kind: s3, source: bucket-{g}, events: [\"s3:ObjectCreated:*\"]}}"),
            3 => format!("{{kind: dynamodb-stream, source: stream-{g}, batch_size: 100}}"),
            _ => format!("{{kind: sns, source: topic-{g}}}"),
        };
        let _ = write!(
            out,
            "  fn-{i}:\n    runtime: {}\n    boundary: {boundary}\n    handler: index.handler\n    timeout_s: {}\n    memory_mb: {}\n\
             \x20   permissions:\n      - {{allow: [dynamodb:GetItem, dynamodb:PutItem], on: [table-{g}]}}\n\
             \x20   env: {{TABLE: table-{g}, STAGE: prod}}\n    triggers: [{trigger}]\n    reads: [table-{g}]\n",
            RUNTIMES[i % RUNTIMES.len()],
            3 + i % 27,
            128 << (i % 4),
        );
        if let Some(next) = next {
            let _ = writeln!(out, "    writes: [queue-{next}]");
            let _ = writeln!(out, "    on_failure: dlq-{g}");
        }
        if i % 7 == 0 {
            out.push_str("    calls: [{to: payments, data: [card]}]\n");
        }
        if i % 5 == 0 && i + 1 < functions {
            let _ = writeln!(out, "    invokes: [fn-{}]", i + 1);
        }
    }
    out
}

/// The shape of a synthetic model.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Shape {
    /// A wide estate: groups of ten functions behind their own public APIs (see the module docs).
    #[default]
    Estate,
    /// One long chain: an API triggers the first function, each function writes the queue that
    /// triggers the next and keeps sensitive data in a table of its own, and every actor (all
    /// untrusted) uses the API. Every actor reaches every table, through the whole chain: the
    /// worst case for attack paths.
    Chain,
}

/// A valid model of one shape with `functions` functions and `actors` untrusted actors (the
/// estate shape's extra actors use every API, like its shopper), as YAML text.
#[must_use]
pub fn synthetic_model_of(shape: Shape, functions: usize, actors: usize) -> String {
    match shape {
        Shape::Estate => {
            let mut out = synthetic_model(functions);
            if actors > 1 {
                extra_actors(&mut out, functions.max(1).div_ceil(10), actors);
            }
            out
        }
        Shape::Chain => chain_model(functions, actors),
    }
}

/// Adds actors `visitor-1` … to an estate model, after its shopper.
fn extra_actors(out: &mut String, groups: usize, actors: usize) {
    let mut uses = String::new();
    for g in 0..groups {
        let _ = write!(uses, "{}api-{g}", if g == 0 { "" } else { ", " });
    }
    let mut extra = String::new();
    for a in 1..actors {
        let _ = writeln!(
            extra,
            "  visitor-{a}: {{boundary: internet, uses: [{uses}]}}"
        );
    }
    if let Some(at) = out.find("externals:\n") {
        out.insert_str(at, &extra);
    }
}

/// Many untrusted actors in front of one long chain of functions.
fn chain_model(functions: usize, actors: usize) -> String {
    let functions = functions.max(1);
    let actors = actors.max(1);
    let mut out = String::with_capacity(functions * 420 + actors * 60 + 600);
    let _ = write!(
        out,
        "strider: 1\nname: chain-{functions}-{actors}\ndescription: Synthetic chain of {functions} functions behind {actors} untrusted actors, for benchmarks.\n\
         boundaries:\n  internet: {{trust: untrusted}}\n  account: {{trust: trusted}}\n\
         data:\n  customer: {{classification: confidential, tags: [pii, gdpr]}}\n  card: {{classification: restricted, tags: [pci-dss]}}\n\
         actors:\n"
    );
    for a in 0..actors {
        let _ = writeln!(out, "  user-{a}: {{boundary: internet, uses: [api]}}");
    }
    out.push_str("stores:\n");
    for i in 0..functions {
        let data = if i % 10 == 9 { "card" } else { "customer" };
        let _ = writeln!(
            out,
            "  table-{i}: {{kind: dynamodb, boundary: account, data: [{data}], encryption: {{at_rest: kms}}}}"
        );
    }
    out.push_str("channels:\n  api: {kind: api-gateway-http, boundary: account, public: true, auth: jwt, throttling: {rate_limit: 100, burst_limit: 200}}\n");
    for i in 1..functions {
        let _ = writeln!(
            out,
            "  queue-{i}: {{kind: sqs, boundary: account, data: [customer], dlq: dlq, max_receive_count: 3}}"
        );
    }
    out.push_str("  dlq: {kind: sqs, boundary: account}\nfunctions:\n");
    for i in 0..functions {
        let trigger = if i == 0 {
            "{kind: http, source: api, method: POST, path: /orders}".to_owned()
        } else {
            format!("{{kind: sqs, source: queue-{i}, batch_size: 10, partial_failures: true}}")
        };
        let _ = write!(
            out,
            "  fn-{i}:\n    runtime: {}\n    boundary: account\n    handler: index.handler\n    timeout_s: 10\n    memory_mb: 256\n\
             \x20   permissions:\n      - {{allow: [dynamodb:GetItem, dynamodb:PutItem], on: [table-{i}]}}\n",
            RUNTIMES[i % RUNTIMES.len()],
        );
        if i + 1 < functions {
            let _ = writeln!(
                out,
                "      - {{allow: [sqs:SendMessage], on: [queue-{}]}}",
                i + 1
            );
        }
        let _ = writeln!(out, "    triggers: [{trigger}]\n    reads: [table-{i}]");
        if i + 1 < functions {
            let _ = writeln!(out, "    writes: [table-{i}, queue-{}]", i + 1);
        } else {
            let _ = writeln!(out, "    writes: [table-{i}]");
        }
    }
    out
}
