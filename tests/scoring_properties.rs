//! Scoring moves the right way: declaring a control never adds a threat or raises a threat's
//! residual score, and
//! exposing an element to the internet never lowers a threat's likelihood. Checked on the shop
//! and every rule fixture, for every kind of control and every channel.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use strider::assessment::analyze;
use strider::model::{Control, ControlKind, Model};
use strider::scoring::{Likelihood, Severity};

const CONTROL_KINDS: [ControlKind; 10] = [
    ControlKind::Waf,
    ControlKind::RateLimit,
    ControlKind::Siem,
    ControlKind::Rasp,
    ControlKind::DependencyScanning,
    ControlKind::SecretScanning,
    ControlKind::InputValidation,
    ControlKind::Monitoring,
    ControlKind::Backup,
    ControlKind::BudgetAlarm,
];

fn models() -> Vec<Model> {
    let mut paths = vec![
        PathBuf::from("model/shop.yaml"),
        PathBuf::from("model/hello.yaml"),
    ];
    for entry in std::fs::read_dir("tests/fixtures/rules").unwrap() {
        let dir = entry.unwrap().path();
        paths.push(dir.join("fires.yaml"));
        paths.push(dir.join("quiet.yaml"));
    }
    paths.sort();
    paths
        .iter()
        .map(|p| strider::model::load(p).unwrap().model)
        .collect()
}

fn scores(model: &Model) -> BTreeMap<String, (Likelihood, Severity)> {
    analyze(model)
        .threats
        .into_iter()
        .map(|t| (t.id, (t.score.likelihood, t.score.residual_severity)))
        .collect()
}

#[test]
fn a_control_never_raises_residual_risk() {
    for model in models() {
        let before = scores(&model);
        for kind in CONTROL_KINDS {
            let mut with_control = model.clone();
            with_control.controls.insert(
                "added".to_owned(),
                Control {
                    kind,
                    description: None,
                    applies_to: Vec::new(),
                },
            );
            let after = scores(&with_control);
            // A control may make a threat disappear (a monitoring control is the fix for having
            // none), never appear.
            for id in after.keys() {
                assert!(
                    before.contains_key(id),
                    "{}: {kind:?} added {id}",
                    model.name
                );
            }
            for (id, (_, severity)) in &after {
                assert!(
                    *severity <= before[id].1,
                    "{}: {kind:?} raised {id} from {:?} to {severity:?}",
                    model.name,
                    before[id].1
                );
            }
        }
    }
}

#[test]
fn exposing_a_channel_never_lowers_likelihood() {
    for model in models() {
        let before = scores(&model);
        for channel in model.channels.keys() {
            let mut exposed = model.clone();
            exposed.channels.get_mut(channel).unwrap().public = true;
            let after = scores(&exposed);
            for (id, (likelihood, _)) in &before {
                if let Some((now, _)) = after.get(id) {
                    assert!(
                        now >= likelihood,
                        "{}: exposing `{channel}` lowered {id} from {likelihood:?} to {now:?}",
                        model.name
                    );
                }
            }
        }
    }
}

/// The README's severity calibration table is what scoring computes: every row names a threat of
/// the calibration model and its severity.
#[test]
fn severity_calibration_table_matches_scoring() {
    let readme = std::fs::read_to_string("README.md").unwrap();
    let table = readme
        .split_once("<!-- calibration:start -->")
        .and_then(|(_, rest)| rest.split_once("<!-- calibration:end -->"))
        .map(|(table, _)| table)
        .expect("README.md has a calibration table between its markers");
    let model = strider::model::load(std::path::Path::new(
        "tests/fixtures/calibration/severity.yaml",
    ))
    .unwrap()
    .model;
    let assessment = analyze(&model);
    let mut rows = 0;
    for line in table.lines().filter(|l| l.starts_with('|')).skip(2) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // ["", case, threat, severity, why, ""]
        assert_eq!(cells.len(), 6, "a calibration row has four cells: {line}");
        let id = cells[2].trim_matches('`');
        let threat = assessment
            .threats
            .iter()
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("the calibration model has no threat `{id}`"));
        assert_eq!(
            threat.score.severity.name(),
            cells[3],
            "{id}: the table says {}, scoring says {} ({:?})",
            cells[3],
            threat.score.severity.name(),
            threat.score.factors
        );
        rows += 1;
    }
    assert!(rows >= 5, "{rows} calibration rows");
}
