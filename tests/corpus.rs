//! Detection quality on a labelled corpus of real serverless applications (issue #11).
//!
//! Each directory `tests/corpus/<app>/` holds a real, public application modelled by hand:
//! `SOURCE.md` (repository, commit, licence, the files read), `model.yaml` (the strider model)
//! and `labels.yaml` (the app's statically detectable weaknesses, written from the app — its
//! templates, code and documentation — before strider analysed the model). This test analyses
//! every model, matches the findings with the labels and checks the figures against a ratchet.
//!
//! # Labels
//!
//! `labels.yaml` is `{app, labels, also_true}`. Each entry has an `id`, a `description`, at
//! least one `evidence` (`path:line` or `path:line-line` in the app's repository), the
//! `elements` of the model it concerns, the `rule` that should report it (a rule id, or `null`
//! when no rule covers it), `expressible` (whether the model format can state the facts it
//! needs) and, when it cannot, `why_not`; optionally `about`, strings of which the threat's
//! qualifier must contain one (the policy or action a `wildcard-permission` label is about, the
//! resource of an `unused-permission` label). `also_true` holds true weaknesses that were first
//! noticed in strider's output after labelling; each names its rule.
//!
//! # Matching
//!
//! A threat's *places* are its `element` and, when its id is `RULE@element/qualifier`, the
//! qualifier (the trigger source, resource or peer the rule names).
//! - A threat **reports element `e` for a label** when its rule id is the label's `rule`, `e` is
//!   one of its places, and, if the label has `about`, its qualifier contains one of those
//!   strings.
//! - A label is **found** when its `rule` is not null and every element it lists is reported
//!   for it by some threat. A label with `rule: null` is never found.
//! - A threat is **matched** when it reports some element for some label or `also_true` entry;
//!   otherwise it is **noise** (a finding that is not a weakness of the app, as judged after the
//!   fact and recorded by leaving it unmatched).
//!
//! Matching is by element, not by reason: without `about`, a threat of the right rule on the
//! right element counts even when its evidence is another fact than the label's.
//!
//! # Figures, per app
//!
//! - recall = found labels / labels (the `also_true` entries are not counted: they were not
//!   written blind);
//! - recall over expressible labels = found expressible labels / expressible labels;
//! - noise = unmatched threats / threats.
//!
//! `FLOORS` records the figures measured when the corpus was built: recall may not fall below
//! them and noise may not rise above them. Raise them as the rules improve (a ratchet); they are
//! not the target (≥ 90 % recall, ≤ 10 % noise).

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use strider::assessment::{Assessment, Threat, analyze};
use strider::model::Model;
use strider::rules::RULES;
use yaml_rust2::{Yaml, YamlLoader};

/// The figures each app must keep: (app, recall, recall over expressible labels, noise). Recall
/// floors are rounded down and noise ceilings up, to three decimals.
///
/// The DVSA and Goat noise ceilings were raised once (0.196 → 0.206, 0.295 → 0.305) when the
/// permission rules started reading managed policies and templates; the unmatched findings were
/// then checked against the apps' sources line by line (2026-12-01): true ones labelled
/// (`also_true`, with evidence), model facts corrected where the model said less than the
/// template (SAM policy templates written out by hand, a missing read, a suffix filter in free
/// text), and rules that fired for the wrong reason fixed (each with a fixture). The DVSA
/// recall floor went down once, 0.842 → 0.827, for a label added on that second reading
/// (dvsa-58, not expressible), not for a label lost. The DVSA noise ceiling went up once more
/// (0.044 → 0.057, 2026-12-02) when the model could say that two of its invocations are
/// asynchronous (`invocation: event`): the two missing on-failure destinations are true, but
/// the labelling policy leaves dead-letter hygiene unlabelled.
const FLOORS: &[(&str, f64, f64, f64)] = &[
    ("dvsa", 0.982, 1.0, 0.057),
    ("security-workshop", 0.933, 1.0, 0.023),
    ("serverless-goat", 1.0, 1.0, 0.1),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LabelFile {
    app: String,
    labels: Vec<Label>,
    #[serde(default)]
    also_true: Vec<Label>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Label {
    id: String,
    description: String,
    evidence: Vec<String>,
    elements: Vec<String>,
    rule: Option<String>,
    expressible: bool,
    #[serde(default)]
    why_not: Option<String>,
    #[serde(default)]
    about: Vec<String>,
}

/// One app of the corpus, analysed.
struct App {
    name: String,
    dir: PathBuf,
    model: Model,
    labels: LabelFile,
    assessment: Assessment,
}

/// The figures of one app.
#[derive(Debug)]
struct Figures {
    labels: usize,
    expressible: usize,
    found: usize,
    found_expressible: usize,
    threats: usize,
    unmatched: usize,
}

impl Figures {
    fn recall(&self) -> f64 {
        ratio(self.found, self.labels)
    }
    fn recall_expressible(&self) -> f64 {
        ratio(self.found_expressible, self.expressible)
    }
    fn noise(&self) -> f64 {
        ratio(self.unmatched, self.threats)
    }
}

#[allow(
    clippy::cast_precision_loss,
    reason = "counts of labels and threats are tiny"
)]
fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// YAML (as yaml-rust2 reads it, aliases resolved) to JSON, so serde can check the shape.
fn to_json(yaml: &Yaml) -> serde_json::Value {
    use serde_json::Value;
    match yaml {
        Yaml::String(s) => Value::String(s.clone()),
        Yaml::Integer(i) => Value::from(*i),
        Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::Null, Value::Number),
        Yaml::Boolean(b) => Value::Bool(*b),
        Yaml::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Yaml::Hash(hash) => Value::Object(
            hash.iter()
                .map(|(k, v)| {
                    let key = match k {
                        Yaml::String(s) => s.clone(),
                        other => panic!("non-string key {other:?} in labels.yaml"),
                    };
                    (key, to_json(v))
                })
                .collect(),
        ),
        Yaml::Null => Value::Null,
        other => panic!("unsupported YAML node {other:?} in labels.yaml"),
    }
}

fn read_labels(path: &Path) -> LabelFile {
    let text = std::fs::read_to_string(path).unwrap();
    let docs =
        YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(docs.len(), 1, "{}: one YAML document", path.display());
    serde_json::from_value(to_json(&docs[0])).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn apps() -> Vec<App> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs.into_iter()
        .map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let loaded = strider::model::load(&dir.join("model.yaml"))
                .unwrap_or_else(|e| panic!("{name}: {:#?}", e.diagnostics));
            let labels = read_labels(&dir.join("labels.yaml"));
            let assessment = analyze(&loaded.model);
            App {
                name,
                dir,
                model: loaded.model,
                labels,
                assessment,
            }
        })
        .collect()
}

/// The element a threat is about and, for `RULE@element/qualifier` ids, the qualifier.
fn places(threat: &Threat) -> Vec<&str> {
    let mut places = vec![threat.element.as_str()];
    if let Some(qualifier) = qualifier(threat) {
        places.push(qualifier);
    }
    places
}

/// The qualifier of a `RULE@element/qualifier` id.
fn qualifier(threat: &Threat) -> Option<&str> {
    let (_, rest) = threat.id.split_once('@')?;
    let (_, qualifier) = rest.split_once('/')?;
    Some(qualifier)
}

/// Whether the threat is about what the label says: any qualifier when the label has no
/// `about`, else a qualifier that contains one of its strings.
fn is_about(threat: &Threat, label: &Label) -> bool {
    label.about.is_empty()
        || qualifier(threat).is_some_and(|q| label.about.iter().any(|a| q.contains(a.as_str())))
}

fn reports(threat: &Threat, label: &Label, element: &str) -> bool {
    label.rule.as_deref() == Some(threat.rule)
        && places(threat).contains(&element)
        && is_about(threat, label)
}

fn found(label: &Label, threats: &[Threat]) -> bool {
    label.rule.is_some()
        && label
            .elements
            .iter()
            .all(|element| threats.iter().any(|t| reports(t, label, element)))
}

fn matched(threat: &Threat, labels: &LabelFile) -> bool {
    labels.labels.iter().chain(&labels.also_true).any(|label| {
        label
            .elements
            .iter()
            .any(|element| reports(threat, label, element))
    })
}

fn figures(app: &App) -> Figures {
    let threats = &app.assessment.threats;
    let labels = &app.labels.labels;
    Figures {
        labels: labels.len(),
        expressible: labels.iter().filter(|l| l.expressible).count(),
        found: labels.iter().filter(|l| found(l, threats)).count(),
        found_expressible: labels
            .iter()
            .filter(|l| l.expressible && found(l, threats))
            .count(),
        threats: threats.len(),
        unmatched: threats.iter().filter(|t| !matched(t, &app.labels)).count(),
    }
}

fn element_exists(model: &Model, id: &str) -> bool {
    model.functions.contains_key(id)
        || model.stores.contains_key(id)
        || model.channels.contains_key(id)
        || model.actors.contains_key(id)
        || model.externals.contains_key(id)
        || model.roles.contains_key(id)
        || model.boundaries.contains_key(id)
        || model.data.contains_key(id)
}

/// `path:line` or `path:line-line`, the path relative and inside the app's repository.
fn evidence_is_well_formed(evidence: &str) -> bool {
    let Some((path, lines)) = evidence.rsplit_once(':') else {
        return false;
    };
    let path_ok = !path.is_empty()
        && !path.starts_with('/')
        && !path.split('/').any(|part| part.is_empty() || part == "..");
    let line = |s: &str| s.parse::<u32>().is_ok_and(|n| n >= 1);
    let lines_ok = match lines.split_once('-') {
        Some((from, to)) => {
            line(from) && line(to) && from.parse::<u32>().unwrap() <= to.parse::<u32>().unwrap()
        }
        None => line(lines),
    };
    path_ok && lines_ok
}

#[test]
fn corpus_has_at_least_three_apps_each_with_source_model_and_labels() {
    let apps = apps();
    assert!(apps.len() >= 3, "the corpus has {} apps", apps.len());
    for app in &apps {
        let source = std::fs::read_to_string(app.dir.join("SOURCE.md"))
            .unwrap_or_else(|e| panic!("{}: SOURCE.md: {e}", app.name));
        let has_commit = source.split(|c: char| !c.is_ascii_hexdigit()).any(|word| {
            word.len() == 40
                && word
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b.is_ascii_lowercase())
        });
        assert!(has_commit, "{}: SOURCE.md names no 40-hex commit", app.name);
        assert!(
            source.contains("github.com/"),
            "{}: SOURCE.md names no repository",
            app.name
        );
        assert!(
            source.to_lowercase().contains("licen"),
            "{}: SOURCE.md states no licence",
            app.name
        );
        assert_eq!(
            app.labels.app, app.name,
            "{}: `app` is the directory name",
            app.name
        );
        assert!(!app.labels.labels.is_empty(), "{}: no labels", app.name);
    }
}

#[test]
fn labels_are_well_formed() {
    let rule_ids: BTreeSet<&str> = RULES.iter().map(|rule| rule.id).collect();
    let mut problems = Vec::new();
    for app in apps() {
        let mut ids = BTreeSet::new();
        let entries = app
            .labels
            .labels
            .iter()
            .map(|l| (l, false))
            .chain(app.labels.also_true.iter().map(|l| (l, true)));
        for (label, also_true) in entries {
            let at = format!("{}: {}", app.name, label.id);
            if !ids.insert(label.id.as_str()) {
                problems.push(format!("{at}: duplicate id"));
            }
            if label.description.trim().is_empty() {
                problems.push(format!("{at}: empty description"));
            }
            if label.evidence.is_empty() {
                problems.push(format!("{at}: no evidence"));
            }
            for evidence in &label.evidence {
                if !evidence_is_well_formed(evidence) {
                    problems.push(format!(
                        "{at}: evidence `{evidence}` is not `path:line[-line]`"
                    ));
                }
            }
            if label.about.iter().any(|a| a.trim().is_empty()) {
                problems.push(format!("{at}: empty `about` string"));
            }
            if label.elements.is_empty() {
                problems.push(format!("{at}: no elements"));
            }
            for element in &label.elements {
                if !element_exists(&app.model, element) {
                    problems.push(format!("{at}: element `{element}` is not in the model"));
                }
            }
            match label.rule.as_deref() {
                Some(rule) if !rule_ids.contains(rule) => {
                    problems.push(format!("{at}: no rule `{rule}`"));
                }
                None if also_true => {
                    problems.push(format!(
                        "{at}: an also_true entry must name the rule that found it"
                    ));
                }
                _ => {}
            }
            if !label.expressible && label.why_not.as_deref().is_none_or(|w| w.trim().is_empty()) {
                problems.push(format!("{at}: not expressible, but no `why_not`"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn matching_follows_the_documented_definition() {
    let threat = |id: &str, element: &str| -> Threat {
        let mut threat = analyze(
            &strider::model::load(&corpus_dir().join("serverless-goat/model.yaml"))
                .unwrap()
                .model,
        )
        .threats
        .into_iter()
        .next()
        .unwrap();
        threat.id = id.to_owned();
        threat.rule = RULES.iter().find(|r| id.starts_with(r.id)).unwrap().id;
        threat.element = element.to_owned();
        threat
    };
    let label = |rule: Option<&str>, elements: &[&str]| Label {
        id: "x".into(),
        description: "x".into(),
        evidence: vec!["a:1".into()],
        elements: elements.iter().map(|e| (*e).to_owned()).collect(),
        rule: rule.map(str::to_owned),
        expressible: true,
        why_not: None,
        about: vec![],
    };
    let on_function = threat("STR-001@f/api", "f");
    let on_other = threat("STR-001@g/api", "g");
    // The qualifier is a place, the element is one.
    assert!(found(
        &label(Some("STR-001"), &["f"]),
        std::slice::from_ref(&on_function)
    ));
    assert!(found(
        &label(Some("STR-001"), &["api"]),
        std::slice::from_ref(&on_function)
    ));
    // Another rule or another element is not a match.
    assert!(!found(
        &label(Some("STR-002"), &["f"]),
        std::slice::from_ref(&on_function)
    ));
    assert!(!found(
        &label(Some("STR-001"), &["h"]),
        std::slice::from_ref(&on_function)
    ));
    // Every listed element must be reported.
    assert!(!found(
        &label(Some("STR-001"), &["f", "g"]),
        std::slice::from_ref(&on_function)
    ));
    assert!(found(
        &label(Some("STR-001"), &["f", "g"]),
        &[on_function.clone(), on_other.clone()]
    ));
    // A label without a rule is never found.
    assert!(!found(
        &label(None, &["f"]),
        std::slice::from_ref(&on_function)
    ));
    // A threat is matched by any label of its rule listing one of its places.
    let labels = LabelFile {
        app: "x".into(),
        labels: vec![label(Some("STR-001"), &["f", "g"])],
        also_true: vec![],
    };
    assert!(matched(&on_other, &labels));
    assert!(!matched(&threat("STR-001@h/api", "h"), &labels));
    assert!(!matched(&threat("STR-002@f", "f"), &labels));
    // `about` narrows a label to threats whose qualifier names what it is about.
    let wildcard = threat("STR-003@f/AWSLambda_FullAccess", "f");
    let mut about = label(Some("STR-003"), &["f"]);
    about.about = vec!["AmazonS3FullAccess".into()];
    assert!(!found(&about, std::slice::from_ref(&wildcard)));
    about.about.push("AWSLambda_FullAccess".into());
    assert!(found(&about, std::slice::from_ref(&wildcard)));
    let narrow = LabelFile {
        app: "x".into(),
        labels: vec![about],
        also_true: vec![],
    };
    assert!(matched(&wildcard, &narrow));
    assert!(!matched(&threat("STR-003@f/ec2:*@*", "f"), &narrow));
    // Evidence syntax.
    assert!(evidence_is_well_formed("template.yml:12"));
    assert!(evidence_is_well_formed("src/a.js:3-9"));
    for bad in [
        "template.yml",
        "a.js:0",
        "a.js:9-3",
        "/etc/passwd:1",
        "../a:1",
        "a.js:x",
    ] {
        assert!(!evidence_is_well_formed(bad), "{bad}");
    }
}

#[test]
fn detection_figures_stay_at_or_above_their_floors() {
    let mut table = String::from(
        "| app | labels | expressible | found | recall | recall (expressible) | findings | noise |\n\
         |---|---|---|---|---|---|---|---|\n",
    );
    let mut details = String::new();
    let mut failures = Vec::new();
    let floors: BTreeMap<&str, (f64, f64, f64)> = FLOORS
        .iter()
        .map(|&(app, recall, recall_expressible, noise)| (app, (recall, recall_expressible, noise)))
        .collect();
    let apps = apps();
    for app in &apps {
        let f = figures(app);
        writeln!(
            table,
            "| {} | {} | {} | {} ({} expressible) | {:.1} % | {:.1} % | {} | {:.1} % ({} unmatched) |",
            app.name,
            f.labels,
            f.expressible,
            f.found,
            f.found_expressible,
            100.0 * f.recall(),
            100.0 * f.recall_expressible(),
            f.threats,
            100.0 * f.noise(),
            f.unmatched,
        )
        .unwrap();
        let threats = &app.assessment.threats;
        writeln!(details, "\n{}: labels not found", app.name).unwrap();
        for label in app.labels.labels.iter().filter(|l| !found(l, threats)) {
            writeln!(
                details,
                "  {} [{}{}] {}",
                label.id,
                label.rule.as_deref().unwrap_or("no rule"),
                if label.expressible {
                    ""
                } else {
                    ", not expressible"
                },
                label.elements.join(", ")
            )
            .unwrap();
        }
        writeln!(details, "{}: unmatched findings", app.name).unwrap();
        for threat in threats.iter().filter(|t| !matched(t, &app.labels)) {
            writeln!(details, "  {} {}", threat.id, threat.rule_name).unwrap();
        }
        let Some(&(recall, recall_expressible, noise)) = floors.get(app.name.as_str()) else {
            failures.push(format!("{}: no floor in FLOORS", app.name));
            continue;
        };
        let slack = 1e-9;
        if f.recall() + slack < recall {
            failures.push(format!(
                "{}: recall {:.3} < floor {recall}",
                app.name,
                f.recall()
            ));
        }
        if f.recall_expressible() + slack < recall_expressible {
            failures.push(format!(
                "{}: recall over expressible labels {:.3} < floor {recall_expressible}",
                app.name,
                f.recall_expressible()
            ));
        }
        if f.noise() > noise + slack {
            failures.push(format!(
                "{}: noise {:.3} > ceiling {noise}",
                app.name,
                f.noise()
            ));
        }
    }
    for app in floors.keys() {
        if !apps.iter().any(|a| a.name == *app) {
            failures.push(format!("FLOORS names `{app}`, which is not in the corpus"));
        }
    }
    println!("{table}{details}");
    assert!(
        failures.is_empty(),
        "{}\n{table}{details}",
        failures.join("\n")
    );
}

/// Every IAM action a corpus model grants is one AWS defines, except the misspellings the apps
/// really ship, each of which is a label of `unknown-iam-action` naming it in `about` (#11's
/// "every action in the corpus is known", with the apps' own typos accounted for).
#[test]
fn every_action_of_the_corpus_is_known_or_a_labelled_misspelling() {
    let catalogue = strider::iam::catalogue();
    let unknown_rule = RULES
        .iter()
        .find(|r| r.name == "unknown-iam-action")
        .unwrap()
        .id;
    let mut misspellings = 0;
    for app in apps() {
        let labelled: BTreeSet<&str> = app
            .labels
            .labels
            .iter()
            .filter(|l| l.rule.as_deref() == Some(unknown_rule))
            .flat_map(|l| l.about.iter().map(String::as_str))
            .collect();
        let granted = app
            .model
            .functions
            .values()
            .flat_map(|f| &f.permissions)
            .chain(app.model.roles.values().flat_map(|r| &r.permissions))
            .flat_map(|p| &p.allow);
        for action in granted {
            if catalogue.diagnose(action).is_some() {
                assert!(
                    labelled.contains(action.as_str()),
                    "{}: `{action}` is not an IAM action and no label says so",
                    app.name
                );
                misspellings += 1;
            }
        }
    }
    // DVSA's `sts:GetCallerIdentify`, in two roles.
    assert_eq!(misspellings, 2);
}
