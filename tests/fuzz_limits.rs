//! `strider fuzz init` on input schemas whose sizes explode (`minItems: 1e11`, `minItems: 100`
//! eight deep, `minLength: 1e12`, nesting 120 deep, a `$ref` to itself, 10 000-message batches):
//! it finishes promptly, and every realistic event it writes keeps each body within the
//! trigger's limit. Before the bounds, the first schema alone asked for a 3.2 TB allocation.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use std::path::Path;
use std::time::Duration;

use serde_json::Value;

const MODEL: &str = "tests/fixtures/fuzz/explode/model.yaml";

/// Runs `strider fuzz init` on the model, killed when it takes longer than `limit`.
fn init(out: &Path, limit: Duration) -> (bool, String) {
    let output = common::within(
        common::strider()
            .args(["fuzz", "init", MODEL, "-o"])
            .arg(out),
        limit,
    )
    .unwrap_or_else(|| panic!("fuzz init took longer than {limit:?}"));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn size_of_tree(dir: &Path) -> u64 {
    let mut total = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let meta = entry.metadata().unwrap();
        total += if meta.is_dir() {
            size_of_tree(&entry.path())
        } else {
            meta.len()
        };
    }
    total
}

#[test]
fn exploding_schemas_give_bounded_seeds_promptly() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fuzz");
    // A debug build on a busy machine takes seconds; unbounded, it aborts or never ends.
    let (ok, stderr) = init(&out, Duration::from_mins(3));
    assert!(ok, "{stderr}");
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(out.join("strider-fuzz.json")).unwrap()).unwrap();
    let targets = manifest["targets"].as_array().unwrap();
    assert_eq!(targets.len(), 6);
    for target in targets {
        let name = target["name"].as_str().unwrap();
        let event: Value = serde_json::from_slice(
            &std::fs::read(out.join(format!("events/{name}/realistic.json"))).unwrap(),
        )
        .unwrap();
        // The limits of the plan: API Gateway's payload through Lambda, and SQS's message.
        let (bodies, limit): (Vec<&str>, usize) = match target["kind"].as_str().unwrap() {
            "http" => (vec![event["body"].as_str().unwrap()], 6 * 1024 * 1024),
            "sqs" => (
                event["Records"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["body"].as_str().unwrap())
                    .collect(),
                256 * 1024,
            ),
            other => panic!("unexpected kind {other}"),
        };
        assert!(!bodies.is_empty(), "{name}");
        for body in bodies {
            assert!(
                body.len() <= limit,
                "{name}: a body of {} bytes over {limit}",
                body.len()
            );
            // Realistic bodies stay JSON: cut short by the bounds, never cut in the middle.
            let doc: Value =
                serde_json::from_str(body).unwrap_or_else(|err| panic!("{name}: {err}"));
            if name == "huge_array_http" {
                let items = doc.as_array().unwrap();
                assert!(!items.is_empty() && items.len() <= 256, "{}", items.len());
            }
            if name == "self_reference_http" {
                assert!(doc.get("child").is_some(), "the $ref is not followed");
            }
        }
    }
    let total = size_of_tree(&out);
    assert!(total < 32 * 1024 * 1024, "the crate holds {total} bytes");
}
