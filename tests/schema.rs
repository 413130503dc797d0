//! Generated artefacts are checked, never hand-edited: the committed JSON Schema is what
//! `strider schema` prints, and the list of diagnostic codes changes only on purpose.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use std::process::Command;

use strider::model::Code;

#[test]
fn committed_schema_is_in_sync() {
    let output = Command::new(env!("CARGO_BIN_EXE_strider"))
        .arg("schema")
        .output()
        .unwrap();
    assert!(output.status.success());
    let committed = std::fs::read_to_string("model/strider.schema.json")
        .expect("model/strider.schema.json is committed");
    assert!(
        committed == String::from_utf8(output.stdout).unwrap(),
        "model/strider.schema.json is stale: run `cargo run -- schema -o model/strider.schema.json`"
    );
}

#[test]
fn schema_describes_every_section() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("model/strider.schema.json").unwrap())
            .unwrap();
    let properties = schema["properties"].as_object().unwrap();
    for section in strider::model::Section::ALL {
        assert!(properties.contains_key(section.key()), "{}", section.key());
        assert!(
            properties[section.key()]["description"].is_string(),
            "{} has no description",
            section.key()
        );
    }
    assert_eq!(
        schema["additionalProperties"],
        serde_json::Value::Bool(false)
    );
}

#[test]
fn diagnostic_codes_are_stable() {
    let codes: Vec<String> = Code::ALL
        .iter()
        .map(|c| format!("{:<22} {}", c.as_str(), c.summary()))
        .collect();
    insta::assert_snapshot!("diagnostic_codes", codes.join("\n"));
}

#[test]
fn readme_rule_table_is_in_sync() {
    let output = Command::new(env!("CARGO_BIN_EXE_strider"))
        .args(["rules", "--format", "markdown"])
        .output()
        .unwrap();
    let table = String::from_utf8(output.stdout).unwrap();
    let readme = std::fs::read_to_string("README.md").unwrap();
    let start = readme
        .find("<!-- rules:start -->\n")
        .expect("README has the rules:start marker")
        + "<!-- rules:start -->\n".len();
    let end = readme
        .find("<!-- rules:end -->")
        .expect("README has the rules:end marker");
    assert!(
        readme[start..end] == table,
        "README's rule table is stale: paste `strider rules --format markdown` between the markers"
    );
}
