//! Compliance views: every rule has a mapping decision, the views list the threats on elements
//! carrying each framework's data with their tracking status, say "not assessed" where no rule
//! speaks, never "pass", and every output keeps model text inert.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use std::collections::BTreeSet;

use common::run;
use serde_json::Value;
use strider::compliance::{self, Decision, FRAMEWORKS, Framework, MAPPING, Status, View, mapping};
use strider::rules::RULES;

const CARDS: &str = "tests/fixtures/compliance/cards.yaml";
const TODAY: &str = "2026-11-23";

fn views(path: &str, frameworks: &[Framework]) -> Vec<View> {
    let loaded = strider::model::load(std::path::Path::new(path)).unwrap();
    let dfd = strider::graph::Dfd::build(&loaded.model);
    let assessment = strider::assessment::analyze_graph(&loaded.model, &dfd).reviewed_on(TODAY);
    compliance::views(&loaded.model, &dfd, &assessment, frameworks)
}

fn requirement<'v>(view: &'v View, id: &str) -> &'v compliance::RequirementView {
    view.requirements
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("{} has no requirement {id}", view.name))
}

fn threat_ids(requirement: &compliance::RequirementView) -> Vec<&str> {
    requirement
        .threats
        .iter()
        .map(|t| t.threat.as_str())
        .collect()
}

#[test]
fn every_rule_has_exactly_one_mapping_decision() {
    let rules: BTreeSet<&str> = RULES.iter().map(|r| r.id).collect();
    let mut decided = BTreeSet::new();
    for entry in MAPPING {
        assert!(
            rules.contains(entry.rule),
            "the mapping names {}, which is no rule",
            entry.rule
        );
        assert!(decided.insert(entry.rule), "{} is mapped twice", entry.rule);
    }
    for rule in RULES {
        assert!(
            mapping(rule.id).is_some(),
            "{} ({}) has no compliance decision: add it to src/compliance/mapping.rs, with the requirements it evidences or `nothing(…)` and why",
            rule.id,
            rule.name
        );
    }
}

#[test]
fn every_mapping_names_a_real_requirement_once_with_a_reason() {
    for entry in MAPPING {
        match entry.decision {
            Decision::Evidences(links) => {
                assert!(
                    !links.is_empty(),
                    "{}: an empty list is no decision: use `nothing(…)`",
                    entry.rule
                );
                let mut seen = BTreeSet::new();
                for link in links {
                    assert!(
                        link.framework.requirement(link.requirement).is_some(),
                        "{}: {} has no requirement `{}`",
                        entry.rule,
                        link.framework.name(),
                        link.requirement
                    );
                    assert!(
                        seen.insert((link.framework, link.requirement)),
                        "{}: {} {} twice",
                        entry.rule,
                        link.framework.name(),
                        link.requirement
                    );
                    assert!(!link.why.trim().is_empty(), "{}: no reason", entry.rule);
                }
            }
            Decision::Nothing(why) => {
                assert!(!why.trim().is_empty(), "{}: no reason", entry.rule);
            }
        }
    }
}

#[test]
fn requirement_ids_are_unique_and_titles_short() {
    for &framework in FRAMEWORKS {
        let mut ids = BTreeSet::new();
        for requirement in framework.requirements() {
            assert!(
                ids.insert(requirement.id),
                "{} lists {} twice",
                framework.name(),
                requirement.id
            );
            assert!(
                requirement.title.len() <= 110,
                "{} {}: a title is a few words of our own, not the standard's text",
                framework.name(),
                requirement.id
            );
        }
    }
}

#[test]
fn card_data_finding_is_listed_under_its_pci_requirement_and_personal_data_under_gdpr() {
    let views = views(
        CARDS,
        &[Framework::PciDss, Framework::Gdpr, Framework::Soc2],
    );
    let [pci, gdpr, soc2] = views.as_slice() else {
        panic!("three views, in the order asked");
    };
    assert_eq!(pci.data, ["card"]);
    let encrypted = requirement(pci, "3.5");
    assert_eq!(encrypted.status, Status::Threats);
    assert_eq!(threat_ids(encrypted), ["STR-008@cards-table"]);
    assert_eq!(encrypted.threats[0].status, "untracked");
    assert!(encrypted.rules.iter().any(|r| r.rule == "STR-008"));
    // The profiles table holds personal data, not card data: GDPR, not PCI.
    let personal = requirement(gdpr, "Art. 32(1)(a)");
    assert_eq!(threat_ids(personal), ["STR-008@profiles-table"]);
    assert_eq!(personal.threats[0].status, "accepted");
    assert!(!personal.threats[0].undecided());
    // SOC 2 is about the whole system.
    let soc2_ids = threat_ids(requirement(soc2, "CC6.1"));
    assert!(soc2_ids.contains(&"STR-008@cards-table"));
    assert!(soc2_ids.contains(&"STR-008@profiles-table"));
}

#[test]
fn a_requirement_no_rule_evidences_is_not_assessed_and_nothing_is_a_pass() {
    let views = views(CARDS, FRAMEWORKS);
    for view in &views {
        for requirement in &view.requirements {
            assert_eq!(
                requirement.rules.is_empty(),
                requirement.status == Status::NotAssessed,
                "{} {}",
                view.name,
                requirement.id
            );
        }
    }
    let pci = &views[0];
    assert_eq!(requirement(pci, "9").status, Status::NotAssessed);
    assert_eq!(
        requirement(pci, "9").status.text(),
        "not assessed by strider"
    );
    // Rules that found nothing on card data: no threat found, which is not "met".
    assert_eq!(requirement(pci, "8.4").status, Status::NoThreatFound);
    // No health data in the model: HIPAA's rules had nothing to look at.
    let hipaa = &views[1];
    assert_eq!(hipaa.elements, 0);
    assert!(
        hipaa
            .requirements
            .iter()
            .all(|r| matches!(r.status, Status::NoDataInScope | Status::NotAssessed))
    );
    assert_eq!(
        requirement(hipaa, "164.312(a)(2)(iv)").status,
        Status::NoDataInScope
    );
    let output = run(&[
        "analyze",
        CARDS,
        "--today",
        TODAY,
        "--compliance",
        "pci-dss,hipaa,gdpr,soc2",
        "--format",
        "markdown",
    ]);
    let text = String::from_utf8(output.stdout).unwrap();
    for word in ["pass", "compliant", "satisfied", "| met"] {
        assert!(
            !text.to_lowercase().contains(word),
            "the Markdown report says `{word}`"
        );
    }
}

#[test]
fn the_markdown_section_is_stable() {
    let args = [
        "analyze",
        CARDS,
        "--today",
        TODAY,
        "--format",
        "markdown",
        "--compliance",
        "pci-dss",
        "--compliance",
        "hipaa",
    ];
    let first = run(&args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert_eq!(first.stdout, run(&args).stdout, "same model, same bytes");
    let text = String::from_utf8(first.stdout).unwrap();
    let section = &text[text.find("### Compliance: PCI DSS").unwrap()..];
    assert!(section.contains("### Compliance: HIPAA Security Rule"));
    insta::assert_snapshot!("markdown_section", section);
}

#[test]
fn the_flag_is_repeatable_and_comma_separated_and_each_framework_shows_once() {
    let output = run(&[
        "analyze",
        CARDS,
        "--today",
        TODAY,
        "--format",
        "json",
        "--compliance",
        "soc2,PCI-DSS",
        "--compliance",
        "gdpr",
        "--compliance",
        "soc2",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let names: Vec<&str> = json["compliance"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["framework"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["soc2", "pci-dss", "gdpr"]);
    let statuses: BTreeSet<&str> = json["compliance"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|v| v["requirements"].as_array().unwrap())
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    let allowed: BTreeSet<&str> = [
        "threats",
        "no-threat-found",
        "no-data-in-scope",
        "not-assessed",
    ]
    .into();
    assert!(statuses.is_subset(&allowed), "{statuses:?}");
    // Without the flag the JSON report is as before: no section.
    let plain = run(&["analyze", CARDS, "--today", TODAY, "--format", "json"]);
    let json: Value = serde_json::from_slice(&plain.stdout).unwrap();
    assert!(json.get("compliance").is_none());
}

#[test]
fn a_bad_framework_name_is_refused_with_the_valid_ones() {
    for args in [
        &["analyze", CARDS, "--compliance", "pci"][..],
        &["analyze", CARDS, "--compliance", "gdpr,iso27001"],
        &["report", CARDS, "-o", "unused.html", "--compliance", "hipa"],
    ] {
        let output = run(args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains("unknown compliance framework"), "{stderr}");
        for name in ["`pci-dss`", "`hipaa`", "`gdpr`", "`soc2`"] {
            assert!(stderr.contains(name), "{name} missing from: {stderr}");
        }
        assert!(output.stdout.is_empty());
    }
    let output = run(&["analyze", CARDS, "--compliance", "pci"]);
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("did you mean `pci-dss`?"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn explain_and_the_rules_table_show_each_rules_requirements() {
    let output = run(&["explain", "unencrypted-store"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("## Compliance"), "{text}");
    assert!(text.contains("| PCI DSS | 3.5 Make stored card numbers unreadable"));
    assert!(
        text.contains("ePHI is stored unencrypted"),
        "the reason is shown"
    );
    let output = run(&["explain", "flow-without-permission"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("Evidences no compliance requirement: a model inconsistency"));
    let table = strider::report::markdown::rules_table();
    let row = table.lines().find(|l| l.starts_with("| STR-008 ")).unwrap();
    assert!(
        row.ends_with("| PCI 3.5 · HIPAA 164.312(a)(2)(iv) · GDPR Art. 32(1)(a) · SOC 2 CC6.1 |"),
        "{row}"
    );
}

#[test]
fn terminal_and_sarif_outputs_carry_the_views() {
    let output = run(&[
        "analyze",
        CARDS,
        "--today",
        TODAY,
        "--compliance",
        "pci-dss",
    ]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("compliance: PCI DSS"), "{text}");
    assert!(text.contains("STR-008@cards-table (untracked)"), "{text}");
    assert!(text.contains("not assessed by strider"));
    let output = run(&[
        "analyze",
        CARDS,
        "--today",
        TODAY,
        "--format",
        "sarif",
        "--compliance",
        "pci-dss",
    ]);
    let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        sarif["runs"][0]["properties"]["compliance"][0]["framework"],
        "pci-dss"
    );
}

/// The hostile fixture's data id and elements are HTML, Markdown and terminal payloads: in the
/// compliance sections they stay text.
#[test]
fn hostile_model_text_stays_inert_in_every_compliance_section() {
    let hostile = "tests/fixtures/hostile/xss.yaml";
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("r.html");
    let output = run(&[
        "report",
        hostile,
        "--today",
        TODAY,
        "-o",
        page.to_str().unwrap(),
        "--compliance",
        "gdpr,soc2",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let html = std::fs::read_to_string(&page).unwrap();
    let plain = dir.path().join("plain.html");
    run(&[
        "report",
        hostile,
        "--today",
        TODAY,
        "-o",
        plain.to_str().unwrap(),
    ]);
    assert!(
        !std::fs::read_to_string(&plain)
            .unwrap()
            .contains("<section id=\"compliance\">"),
        "no section without --compliance"
    );
    let section = &html[html.find("<section id=\"compliance\">").unwrap()..];
    let section = &section[..section.find("<section id=\"threat-table\">").unwrap()];
    assert!(
        section.contains("&lt;img src=x onerror"),
        "the data id shows as text"
    );
    for raw in ["<img", "<script", "<iframe", "onclick=\"", "<b onmouseover"] {
        assert!(
            !section.contains(raw),
            "raw `{raw}` in the compliance section"
        );
    }
    for model in [
        hostile,
        "tests/fixtures/hostile/terminal.yaml",
        "tests/fixtures/hostile/autolinks.yaml",
    ] {
        let all = "pci-dss,hipaa,gdpr,soc2";
        let output = run(&["analyze", model, "--today", TODAY, "--compliance", all]);
        assert_terminal_safe(model, &output.stdout);
        let output = run(&[
            "analyze",
            model,
            "--today",
            TODAY,
            "--format",
            "markdown",
            "--compliance",
            all,
        ]);
        assert_terminal_safe(model, &output.stdout);
        let text = String::from_utf8(output.stdout).unwrap();
        let section = &text[text.find("### Compliance: PCI DSS").unwrap()..];
        assert_plain_markdown(section);
    }
}

/// No byte or line of the output can drive a terminal or a CI log.
fn assert_terminal_safe(what: &str, bytes: &[u8]) {
    for byte in [0x1b, 0x07, 0x9b, b'\r'] {
        assert!(!bytes.contains(&byte), "{what}: raw byte {byte:#x}");
    }
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    assert!(
        !text
            .chars()
            .any(|c| c != '\n' && strider::escape::is_hazard(c)),
        "{what}: a raw control, bidi or invisible character"
    );
    for line in text.lines() {
        assert!(
            !line.trim_start().starts_with("::") && !line.contains("##["),
            "{what}: {line:?}"
        );
    }
}

/// The compliance sections are strider's headings, paragraphs and four-column tables: no link,
/// image or HTML from the model, no cell split by a model `|`.
fn assert_plain_markdown(section: &str) {
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    let mut cells = 0;
    for event in Parser::new_ext(section, Options::ENABLE_TABLES) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => {
                panic!("HTML {html:?} in the compliance section:\n{section}")
            }
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                panic!("a {tag:?} in the compliance section:\n{section}")
            }
            Event::Start(Tag::TableRow | Tag::TableHead) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => {
                assert_eq!(cells, 4, "a row of {cells} cells in:\n{section}");
            }
            _ => {}
        }
    }
}
