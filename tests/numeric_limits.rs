//! Numbers that feed a computation are bounded by AWS's own limits, and a number past them is an
//! error at its place, saying the range and why: `memory_mb: 4294967295` once became libFuzzer's
//! `-rss_limit_mb=255` (the sum with the fuzzer's own 256 MB wrapped).

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use std::path::Path;

use common::{rejected, run as strider};
use strider::model::diagnostic::render;
use strider::model::{Code, load_bytes};

const FIXTURE: &str = "tests/fixtures/invalid/numeric-limits.yaml";

#[test]
fn every_number_past_its_limit_is_an_error_at_its_place() {
    let err = rejected(Path::new(FIXTURE));
    let text = render(&err.diagnostics, &err.sources);
    for (place, message) in [
        (
            ":7:58",
            "`channels.queue.max_receive_count` must be a whole number from 1 to 1000, found 0",
        ),
        (
            ":12:16",
            "`functions.worker.memory_mb` must be a whole number from 128 to 10240, found 4294967295",
        ),
        (
            ":13:16",
            "`functions.worker.timeout_s` must be a whole number from 1 to 900, found 0",
        ),
        (
            ":14:27",
            "`functions.worker.reserved_concurrency` must be a whole number from 0 to 1000000, found 4000000000",
        ),
        (
            ":15:46",
            "`functions.worker.logging.retention_days` must be one of `1`, `3`",
        ),
        (
            ":17:48",
            "`functions.worker.triggers[0].batch_size` must be a whole number from 1 to 10000, found 100000",
        ),
    ] {
        assert!(
            text.contains(&format!("{FIXTURE}{place}")),
            "{place} missing:\n{text}"
        );
        assert!(text.contains(message), "{message} missing:\n{text}");
    }
    assert_eq!(err.diagnostics.len(), 6, "{text}");
    assert!(
        err.diagnostics.iter().all(|d| d.code == Code::InvalidValue),
        "{text}"
    );
    // The hint says where the range comes from.
    assert!(
        text.contains("hint: memory in MB: AWS Lambda allows 128 to 10240"),
        "{text}"
    );
    assert!(text.contains("the nearest is 14"), "{text}");
}

fn model(function: &str) -> String {
    format!(
        "strider: 1\nname: m\nboundaries: {{cloud: {{trust: trusted}}}}\nchannels: {{queue: {{kind: sqs, boundary: cloud}}}}\nfunctions:\n  f:\n    runtime: provided.al2023\n    boundary: cloud\n{function}    triggers: [{{kind: sqs, source: queue}}]\n"
    )
}

fn loads(function: &str) -> Result<(), String> {
    load_bytes(Path::new("m.yaml"), model(function).as_bytes())
        .map(|_| ())
        .map_err(|err| render(&err.diagnostics, &err.sources))
}

#[test]
fn the_limits_themselves_are_accepted_and_one_past_them_is_not() {
    for ok in [
        "    memory_mb: 128\n",
        "    memory_mb: 10240\n",
        "    timeout_s: 1\n",
        "    timeout_s: 900\n",
        "    reserved_concurrency: 0\n",
        "    logging: {enabled: true, retention_days: 3653}\n",
        "    logging: {enabled: true, retention_days: 1}\n",
        "    logging: {enabled: true, retention_days: null}\n",
    ] {
        loads(ok).unwrap_or_else(|text| panic!("{ok} rejected:\n{text}"));
    }
    for (bad, message) in [
        ("    memory_mb: 127\n", "from 128 to 10240, found 127"),
        ("    memory_mb: 10241\n", "from 128 to 10240, found 10241"),
        (
            "    memory_mb: 4294967296\n",
            "from 128 to 10240, found 4294967296",
        ),
        ("    timeout_s: 901\n", "from 1 to 900, found 901"),
        (
            "    reserved_concurrency: -1\n",
            "from 0 to 1000000, found -1",
        ),
        (
            "    logging: {enabled: true, retention_days: 4000}\n",
            "found 4000",
        ),
        (
            "    logging: {enabled: true, retention_days: \"14\"}\n",
            "must be a whole number, found a string",
        ),
    ] {
        let text = loads(bad).expect_err(bad);
        assert!(text.contains(message), "{bad}: {message} missing:\n{text}");
        assert!(text.contains("m.yaml:9:"), "{bad}: no place:\n{text}");
    }
}

#[test]
fn the_published_schema_carries_the_limits() {
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read("model/strider.schema.json").unwrap()).unwrap();
    let function = &schema["$defs"]["Function"]["properties"];
    assert_eq!(function["memory_mb"]["minimum"], 128);
    assert_eq!(function["memory_mb"]["maximum"], 10240);
    assert_eq!(function["timeout_s"]["maximum"], 900);
    assert_eq!(
        schema["$defs"]["Trigger"]["properties"]["batch_size"]["maximum"],
        10000
    );
}

#[test]
fn fuzz_init_refuses_a_memory_that_would_wrap_the_fuzzer_limit() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("handlers/src")).unwrap();
    std::fs::write(
        dir.path().join("handlers/Cargo.toml"),
        "[package]\nname = \"h\"\nversion = \"0.0.0\"\nedition = \"2024\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("handlers/src/lib.rs"), "").unwrap();
    let fuzz = "    fuzz: {rust: {crate: handlers, handler: h::on_message, style: plain}}\n";
    let init = |memory: &str| {
        let model = dir.path().join("model.yaml");
        std::fs::write(&model, model_text(fuzz, memory)).unwrap();
        let out = dir.path().join(format!("fuzz-{memory}"));
        let run = strider(&[
            "fuzz",
            "init",
            model.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        (run, out)
    };
    let (run, out) = init("4294967295");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("model.yaml:9:16"), "{stderr}");
    assert!(stderr.contains("from 128 to 10240"), "{stderr}");
    assert!(!out.exists());
    // The largest memory AWS allows gets the fuzzer's share on top.
    let (run, out) = init("10240");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("strider-fuzz.json")).unwrap()).unwrap();
    assert_eq!(manifest["targets"][0]["rss_limit_mb"], 10240 + 256);
}

fn model_text(fuzz: &str, memory: &str) -> String {
    model(&format!("    memory_mb: {memory}\n{fuzz}"))
}
