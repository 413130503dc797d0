//! Synthetic models of any size, for benchmarks: `strider generate --functions N`.
//!
//! Functions come in groups of ten that share an API, a queue with its dead-letter queue, a topic,
//! a bucket, a table and its stream; every function has a trigger (cycling through http, sqs, s3,
//! dynamodb-stream and sns), a read, a write into the next group, permissions and environment.
//! Like a real estate of that size, the functions are split into services of three groups, each
//! service its own trust boundary holding its functions, stores and channels, nested in the
//! account or in a VPC inside it. Some functions call externals and invoke their neighbour. The
//! output is deterministic and grows linearly with N.

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
