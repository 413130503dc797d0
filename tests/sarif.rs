//! The SARIF report validates against the official SARIF 2.1.0 JSON Schema (the copy that the
//! serde-sarif crate ships, found through `cargo metadata`), parses into serde-sarif's types, and
//! carries what code-scanning UIs use: security-severity, stable fingerprints, model locations.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use std::path::PathBuf;
use std::process::Command;

fn official_schema() -> serde_json::Value {
    let metadata = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked"])
        .output()
        .unwrap();
    assert!(
        metadata.status.success(),
        "{}",
        String::from_utf8_lossy(&metadata.stderr)
    );
    let metadata: serde_json::Value = serde_json::from_slice(&metadata.stdout).unwrap();
    let manifest = metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "serde-sarif")
        .map(|p| PathBuf::from(p["manifest_path"].as_str().unwrap()))
        .expect("serde-sarif is a dev-dependency");
    let schema = manifest.parent().unwrap().join("src/schema.json");
    let mut schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&schema).unwrap()).unwrap();
    // Erratum in the published schema: the `language` patterns (of `run` and `toolComponent`) have
    // an unbalanced `]`, which a strict validator refuses to compile. strider never writes
    // `language`; those patterns are replaced with the intended one, everything else is used as
    // published.
    let patched = patch_patterns(
        &mut schema,
        "^[a-zA-Z]{2}|^[a-zA-Z]{2}-[a-zA-Z]{2}]?$",
        "^[a-zA-Z]{2}(-[a-zA-Z]{2})?$",
    );
    assert!(
        patched >= 1,
        "the erratum is fixed upstream: drop this patch"
    );
    schema
}

fn patch_patterns(value: &mut serde_json::Value, broken: &str, fixed: &str) -> usize {
    match value {
        serde_json::Value::Object(map) => {
            let mut count = 0;
            for (key, child) in map.iter_mut() {
                if key == "pattern" && child == broken {
                    *child = serde_json::json!(fixed);
                    count += 1;
                } else {
                    count += patch_patterns(child, broken, fixed);
                }
            }
            count
        }
        serde_json::Value::Array(items) => items
            .iter_mut()
            .map(|i| patch_patterns(i, broken, fixed))
            .sum(),
        _ => 0,
    }
}

fn shop_sarif() -> serde_json::Value {
    let output = Command::new(env!("CARGO_BIN_EXE_strider"))
        .args([
            "analyze",
            "model/shop.yaml",
            "--format",
            "sarif",
            "--today",
            "2026-11-23",
        ])
        .output()
        .unwrap();
    assert!(output.status.success());
    serde_json::from_slice(&output.stdout).unwrap()
}

#[test]
fn shop_sarif_validates_against_the_official_schema() {
    let schema = official_schema();
    assert_eq!(
        schema["title"],
        "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    );
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let sarif = shop_sarif();
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // And a broken log is caught, so the check above can fail.
    let mut broken = sarif.clone();
    broken["runs"][0]["results"][0]["level"] = serde_json::json!("catastrophic");
    assert!(!validator.is_valid(&broken));
}

#[test]
fn shop_sarif_parses_into_the_typed_model() {
    let sarif = shop_sarif();
    let typed: serde_sarif::sarif::Sarif = serde_json::from_value(sarif).unwrap();
    assert_eq!(typed.runs.len(), 1);
}

#[test]
fn results_carry_severity_fingerprints_and_model_locations() {
    let sarif = shop_sarif();
    let run = &sarif["runs"][0];
    let results = run["results"].as_array().unwrap();
    assert!(!results.is_empty());
    let mut fingerprints = std::collections::BTreeSet::new();
    for result in results {
        let fingerprint = result["partialFingerprints"]["striderThreatId/v1"]
            .as_str()
            .unwrap();
        assert!(
            fingerprints.insert(fingerprint.to_owned()),
            "duplicate fingerprint {fingerprint}"
        );
        let severity: f64 = result["properties"]["security-severity"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((0.1..=10.0).contains(&severity));
        let location = &result["locations"][0]["physicalLocation"];
        assert_eq!(location["artifactLocation"]["uri"], "model/shop.yaml");
        let line = location["region"]["startLine"].as_u64().unwrap();
        let text = std::fs::read_to_string("model/shop.yaml").unwrap();
        let declared = text
            .lines()
            .nth(usize::try_from(line).unwrap() - 1)
            .unwrap();
        let element = result["locations"][0]["logicalLocations"][0]["name"]
            .as_str()
            .unwrap();
        assert!(
            declared.trim_start().starts_with(&format!("{element}:")),
            "line {line} is `{declared}`, not `{element}`"
        );
    }
    for rule in run["tool"]["driver"]["rules"].as_array().unwrap() {
        assert!(rule["properties"]["security-severity"].is_string());
        assert!(
            rule["help"]["markdown"]
                .as_str()
                .unwrap()
                .contains("## How to fix")
        );
    }
    // The accepted public bucket is suppressed with its justification, not dropped.
    let bucket = results
        .iter()
        .find(|r| r["partialFingerprints"]["striderThreatId/v1"] == "STR-007@product-images-bucket")
        .unwrap();
    assert_eq!(bucket["suppressions"][0]["status"], "accepted");
}
