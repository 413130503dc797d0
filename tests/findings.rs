//! Fuzzing findings flow back into the threat model: `analyze --findings` and `report --findings`
//! mark the threat a finding names as confirmed (likely, residual too) with its reproducer, warn
//! about findings that name no threat, reject files that are not findings, and escape everything
//! a finding carries (its event is hostile by construction).

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use common::run as strider;

fn threat<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["threats"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap()
}

const CONFIRMED: &str = "STR-002@process-upload/uploads-bucket";

#[test]
fn a_finding_confirms_its_threat_and_raises_its_likelihood() {
    let before = strider(&[
        "analyze",
        "model/shop.yaml",
        "--format",
        "json",
        "--today",
        "2026-11-23",
    ]);
    let before: serde_json::Value = serde_json::from_slice(&before.stdout).unwrap();
    let run = strider(&[
        "analyze",
        "model/shop.yaml",
        "--format",
        "json",
        "--today",
        "2026-11-23",
        "--findings",
        "tests/fixtures/findings",
    ]);
    assert_eq!(run.status.code(), Some(0));
    let after: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    let (old, new) = (threat(&before, CONFIRMED), threat(&after, CONFIRMED));
    assert_ne!(
        old["score"]["likelihood"], "likely",
        "the fixture must start below likely"
    );
    assert_eq!(new["score"]["likelihood"], "likely");
    assert_eq!(new["score"]["residual_likelihood"], "likely");
    assert!(
        severity_rank(&new["score"]["residual_severity"])
            > severity_rank(&old["score"]["residual_severity"])
    );
    assert_eq!(new["confirmations"][0]["id"], "0badc0ffee00");
    assert_eq!(
        new["confirmations"][0]["file"],
        "findings/process_upload/0badc0ffee00.json"
    );
    assert!(old.get("confirmations").is_none());
    // Other threats are untouched.
    assert_eq!(
        before["threats"].as_array().unwrap().len(),
        after["threats"].as_array().unwrap().len()
    );
    // The finding naming no threat is a warning, not a failure.
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("STR-002@no-such-function/admin-url"),
        "{stderr}"
    );
    assert!(
        stderr.contains("it names `no-such-function`, not `admin-export`"),
        "{stderr}"
    );
    assert_eq!(after["unmatched_findings"][0]["id"], "1234567890ab");
}

fn severity_rank(severity: &serde_json::Value) -> usize {
    ["low", "medium", "high", "critical"]
        .iter()
        .position(|s| severity == s)
        .unwrap()
}

#[test]
fn files_that_are_not_findings_are_rejected_with_their_name() {
    let run = strider(&[
        "analyze",
        "model/shop.yaml",
        "--findings",
        "tests/fixtures/findings-bad",
    ]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("broken.json") && stderr.contains("is not a strider finding"),
        "{stderr}"
    );
    let run = strider(&[
        "analyze",
        "model/shop.yaml",
        "--findings",
        "tests/fixtures/nowhere",
    ]);
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn the_report_shows_the_reproducer_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    let run = strider(&[
        "report",
        "model/shop.yaml",
        "-o",
        out.to_str().unwrap(),
        "--today",
        "2026-11-23",
        "--findings",
        "tests/fixtures/findings",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let html = std::fs::read_to_string(&out).unwrap();
    assert!(html.contains("Confirmed by fuzzing"));
    assert!(html.contains("0badc0ffee00"));
    assert!(html.contains("fuzz-confirmed"));
    assert!(
        !html.contains("<script>alert('message')"),
        "the finding's message is not escaped"
    );
    assert!(
        !html.contains("<img src=x onerror"),
        "the reproducer event is not escaped"
    );
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
    assert!(
        html.contains("STR-002@no-such-function/admin-url"),
        "the unmatched finding is a model warning"
    );
}

#[test]
fn an_unmatched_finding_says_what_the_model_shows() {
    let yaml = r"
strider: 1
name: m
boundaries:
  cloud: {trust: trusted}
channels:
  q: {kind: sqs, boundary: cloud}
  r: {kind: sqs, boundary: cloud}
functions:
  worker:
    runtime: python3.12
    boundary: cloud
    triggers:
      - {kind: sqs, source: q}
      - {kind: sqs, source: r, input: {validated: true}}
";
    let model = strider::model::load_bytes(std::path::Path::new("m.yaml"), yaml.as_bytes())
        .unwrap()
        .model;
    let finding = |function: &str, trigger: usize| strider::findings::Finding {
        id: "0".into(),
        function: function.into(),
        target: "t".into(),
        trigger,
        trigger_kind: "sqs".into(),
        threat: format!("STR-002@{function}/q"),
        kind: "crash".into(),
        message: "m".into(),
        found_after_ms: 0,
        found_after_s: None,
        signature: String::new(),
        event: serde_json::Value::Null,
        injected: Vec::new(),
        file: String::new(),
    };
    // The queue is only reachable from inside: not "is the input really validated?".
    let unreachable = finding("worker", 0).why_unmatched(&model);
    assert!(
        unreachable.contains("no way from an untrusted boundary to `q`"),
        "{unreachable}"
    );
    assert!(
        finding("worker", 1)
            .why_unmatched(&model)
            .contains("says this input is validated")
    );
    assert!(
        finding("worker", 5)
            .why_unmatched(&model)
            .contains("has no trigger 6")
    );
    assert!(
        finding("gone", 0)
            .why_unmatched(&model)
            .contains("no function `gone`")
    );
    let mut renamed = finding("worker", 0);
    renamed.threat = "STR-002@other/q".into();
    assert!(renamed.why_unmatched(&model).contains("it names `other`"));
}

/// A finding file is hostile like the event it carries: a trigger index at the top of the range
/// is said to name no trigger, without overflowing (a debug build panicked on `trigger + 1`).
#[test]
fn a_finding_with_the_largest_trigger_index_is_unmatched_not_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let findings = dir.path().join("findings/process_upload");
    std::fs::create_dir_all(&findings).unwrap();
    let finding = serde_json::json!({
        "id": "ffffffffffff",
        "function": "process-upload",
        "target": "process_upload_s3",
        "trigger": u64::MAX,
        "trigger_kind": "s3",
        "threat": "STR-002@process-upload/nowhere",
        "kind": "crash",
        "message": "m",
        "event": {},
    });
    std::fs::write(findings.join("ffffffffffff.json"), finding.to_string()).unwrap();
    let run = strider(&[
        "analyze",
        "model/shop.yaml",
        "--format",
        "json",
        "--today",
        "2026-11-23",
        "--findings",
        dir.path().to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains(&format!("has no trigger with index {}", u64::MAX)),
        "{stderr}"
    );
}
