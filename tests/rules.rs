//! Every rule in the registry is documented, has a unique id, fires on its `fires.yaml` fixture
//! and stays quiet on its `quiet.yaml` (the fix applied), and renders its findings the same way
//! every time (snapshots).

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use std::collections::BTreeSet;
use std::path::Path;

use strider::assessment::{Assessment, analyze};
use strider::rules::RULES;

fn assess(path: &Path) -> Assessment {
    let loaded = strider::model::load(path)
        .unwrap_or_else(|e| panic!("{}: {:#?}", path.display(), e.diagnostics));
    analyze(&loaded.model)
}

#[test]
fn rules_have_unique_ids_and_names_and_full_docs() {
    let mut ids = BTreeSet::new();
    let mut names = BTreeSet::new();
    for rule in RULES {
        assert!(ids.insert(rule.id), "duplicate id {}", rule.id);
        assert!(names.insert(rule.name), "duplicate name {}", rule.name);
        assert!(
            rule.id.starts_with("STR-") && rule.id.len() == 7,
            "{}",
            rule.id
        );
        assert!(
            rule.name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'-'),
            "{} is not kebab-case",
            rule.name
        );
        for heading in [
            "## What it finds",
            "## Why it matters",
            "## Example",
            "## How to fix",
            "## False positives",
        ] {
            assert!(
                rule.docs.contains(heading),
                "{} has no `{heading}` in its doc comment",
                rule.id
            );
        }
        assert!(!rule.mitigation.is_empty() && !rule.title.is_empty());
        let file = format!("/{}.rs", rule.name.replace('-', "_"));
        assert!(
            rule.file.ends_with(&file),
            "{} is declared in {}, not in a file named after it",
            rule.name,
            rule.file
        );
    }
    let sorted: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    let mut expected = sorted.clone();
    expected.sort_unstable();
    assert_eq!(sorted, expected, "RULES is in id order");
}

#[test]
fn every_rule_fires_on_its_fixture_and_not_on_the_fix() {
    for rule in RULES {
        let dir = Path::new("tests/fixtures/rules").join(rule.name);
        assert!(
            dir.join("fires.yaml").is_file() && dir.join("quiet.yaml").is_file(),
            "{} has no fixtures in {}",
            rule.id,
            dir.display()
        );
        let fires = assess(&dir.join("fires.yaml"));
        let hits: Vec<_> = fires.threats.iter().filter(|t| t.rule == rule.id).collect();
        assert!(
            !hits.is_empty(),
            "{} does not fire on its fires.yaml",
            rule.id
        );
        let quiet = assess(&dir.join("quiet.yaml"));
        let hits_quiet: Vec<&str> = quiet
            .threats
            .iter()
            .filter(|t| t.rule == rule.id)
            .map(|t| t.id.as_str())
            .collect();
        assert!(
            hits_quiet.is_empty(),
            "{} fires on its quiet.yaml: {hits_quiet:?}",
            rule.id
        );
        let rendered: Vec<String> = hits
            .iter()
            .map(|t| format!("{}\n{}\n{:#?}\n{:#?}", t.id, t.message, t.evidence, t.score))
            .collect();
        insta::assert_snapshot!(format!("rule_{}", rule.name), rendered.join("\n\n"));
    }
}

/// Extra fixtures of a rule, beside `fires.yaml` and `quiet.yaml`: `fires-<case>.yaml` must
/// trigger the rule and `quiet-<case>.yaml` must not. Each pins one reason the rule fires, or
/// one it must not fire for, and names the case in its first comment line.
#[test]
fn every_rule_fires_on_its_extra_cases_and_not_on_its_quiet_ones() {
    let mut cases = 0;
    for rule in RULES {
        let dir = Path::new("tests/fixtures/rules").join(rule.name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| {
                Path::new(name)
                    .extension()
                    .is_some_and(|ext| ext.eq_ignore_ascii_case("yaml"))
            })
            .filter(|name| name != "fires.yaml" && name != "quiet.yaml")
            .collect();
        files.sort();
        for name in files {
            let path = dir.join(&name);
            let hits: Vec<String> = assess(&path)
                .threats
                .iter()
                .filter(|t| t.rule == rule.id)
                .map(|t| t.id.clone())
                .collect();
            if name.starts_with("fires-") {
                assert!(!hits.is_empty(), "{} does not fire on {name}", rule.id);
            } else if name.starts_with("quiet-") {
                assert!(hits.is_empty(), "{} fires on {name}: {hits:?}", rule.id);
            } else {
                panic!(
                    "{}: a rule fixture is fires-<case>.yaml or quiet-<case>.yaml",
                    path.display()
                );
            }
            cases += 1;
        }
    }
    assert!(cases > 0, "no extra fixtures were checked");
}

#[test]
fn fixture_directories_belong_to_rules() {
    for entry in std::fs::read_dir("tests/fixtures/rules").unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            RULES.iter().any(|r| r.name == name),
            "tests/fixtures/rules/{name} matches no rule"
        );
    }
}
