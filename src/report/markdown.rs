//! The Markdown report, for pull requests: a summary, a table of threats, and the details of each
//! in a collapsed section.
//!
//! Model text is untrusted: every model string goes through [`escape::markdown`] (prose) or
//! [`escape::code_span`] (ids), so it can start no link, image, autolink, heading, emphasis or
//! raw HTML, cannot close a code span or break a table row; the one HTML block strider writes
//! (`<details><summary>`) holds [`escape::html`]-escaped text, since Markdown escapes do not
//! apply inside HTML. Both also go through [`escape::terminal`]: `strider explain` prints this.

use std::fmt::Write;

use crate::assessment::Assessment;
use crate::compliance::{SHOWN_PER_REQUIREMENT, Status, View};
use crate::escape;
use crate::rules::RULES;
use crate::scoring::Severity;

/// A sentence of strider's that quotes model text in backticks (a threat's message, a factor):
/// each quoted part as a code span, the rest escaped. With unbalanced backticks, all escaped.
#[must_use]
pub fn prose(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return escape::markdown(text);
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                escape::code_span(part)
            } else {
                escape::markdown(part)
            }
        })
        .collect()
}

/// Model text as a code span in a table cell: GFM splits cells on `|` even inside code spans,
/// unless it is written `\|`.
fn cell_code(text: &str) -> String {
    escape::code_span(text).replace('|', "\\|")
}

/// Text inside strider's HTML block (`<summary>`): HTML-escaped, one line, no control characters.
fn html_text(text: &str) -> String {
    escape::html(&escape::terminal(text))
}

/// Renders the assessment as Markdown.
#[must_use]
pub fn render(assessment: &Assessment) -> Vec<u8> {
    render_with(assessment, &[])
}

/// Renders the assessment and its compliance views as Markdown.
#[must_use]
pub fn render_with(assessment: &Assessment, compliance: &[View]) -> Vec<u8> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "## strider threat model: {}\n",
        escape::markdown(&assessment.model)
    );
    let _ = writeln!(
        out,
        "**{}** threats: {} critical, {} high, {} medium, {} low; {} untracked.\n",
        assessment.threats.len(),
        assessment.count(Severity::Critical),
        assessment.count(Severity::High),
        assessment.count(Severity::Medium),
        assessment.count(Severity::Low),
        assessment.untracked()
    );
    if assessment.threats.is_empty() {
        for view in compliance {
            compliance_view(&mut out, view);
        }
        return out.into_bytes();
    }
    out.push_str("| Severity | Threat | Title | Element | Status |\n|---|---|---|---|---|\n");
    for threat in &assessment.threats {
        let status = threat.tracking.as_ref().map_or_else(
            || "untracked".to_owned(),
            |t| crate::model::kebab(&t.entry.status),
        );
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {status} |",
            threat.score.residual_severity.name(),
            cell_code(&threat.id),
            threat.title,
            cell_code(&threat.element)
        );
    }
    out.push('\n');
    for threat in &assessment.threats {
        details(&mut out, threat);
    }
    attack_paths(&mut out, assessment);
    if !assessment.blast_radius.is_empty() {
        out.push_str("### Blast radius\n\n| Function | Reads | Writes | Calls | Starts | Worst data |\n|---|---|---|---|---|---|\n");
        let list = |ids: &[String]| {
            if ids.is_empty() {
                "–".to_owned()
            } else {
                ids.iter()
                    .map(|i| cell_code(i))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        };
        for radius in &assessment.blast_radius {
            let worst = radius
                .worst
                .map_or_else(|| "–".to_owned(), |w| crate::model::kebab(&w));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {worst} |",
                cell_code(&radius.function),
                list(&radius.reads),
                list(&radius.writes),
                list(&radius.calls),
                list(&radius.starts)
            );
        }
        out.push('\n');
    }
    for view in compliance {
        compliance_view(&mut out, view);
    }
    for pattern in &assessment.unmatched_tracking {
        let _ = writeln!(
            out,
            "> tracking entry {} matches no threat\n",
            escape::code_span(pattern)
        );
    }
    out.into_bytes()
}

/// One threat's collapsed details: score, factors, evidence, place, tracking, references, fix.
fn details(out: &mut String, threat: &crate::assessment::Threat) {
    let _ = writeln!(
        out,
        "<details><summary><code>{}</code>: {}</summary>\n",
        html_text(&threat.id),
        html_text(&threat.message)
    );
    let score = &threat.score;
    let _ = writeln!(
        out,
        "- {}: likelihood {} × impact {} = **{}** (residual **{}**)",
        threat.stride.name(),
        crate::model::kebab(&score.likelihood),
        crate::model::kebab(&score.impact),
        score.severity.name(),
        score.residual_severity.name()
    );
    for factor in &score.factors {
        let _ = writeln!(out, "- {}: {}", factor.on, prose(&factor.text));
    }
    for fact in &threat.evidence {
        let _ = writeln!(out, "- evidence: {}", prose(fact));
    }
    if let Some(location) = &threat.location {
        let _ = writeln!(
            out,
            "- declared at {}",
            escape::code_span(&location.to_string())
        );
    }
    if let Some(tracking) = &threat.tracking {
        let _ = writeln!(
            out,
            "- tracked as {} by {}: {}",
            crate::model::kebab(&tracking.entry.status),
            escape::code_span(&tracking.pattern),
            escape::markdown(
                tracking
                    .entry
                    .justification
                    .as_deref()
                    .unwrap_or("no justification")
            )
        );
    }
    if let Some(tracking) = threat.tracking.as_ref().filter(|t| t.expired) {
        let _ = writeln!(
            out,
            "- **review overdue**: accepted until {}",
            escape::markdown(tracking.entry.date.as_deref().unwrap_or_default())
        );
    }
    if let Some(rule) = RULES.iter().find(|r| r.id == threat.rule) {
        let _ = writeln!(out, "- references: {}", rule.references.labels().join(", "));
    }
    let _ = writeln!(out, "- **fix**: {}\n\n</details>\n", threat.mitigation);
}

/// The rule table, for the README and `strider rules --format markdown`: with each rule's
/// compliance requirements (`strider explain RULE` says why).
#[must_use]
pub fn rules_table() -> String {
    let mut out = String::from(
        "| Id | Name | STRIDE | What it finds | References | Compliance |\n|---|---|---|---|---|---|\n",
    );
    for rule in RULES {
        let refs = rule.references.labels();
        let _ = writeln!(
            out,
            "| {} | `{}` | {} | {} | {} | {} |",
            rule.id,
            rule.name,
            rule.stride.name(),
            rule.title,
            refs.join(", "),
            crate::compliance::rule_labels(rule.id)
        );
    }
    out
}

/// One framework's view: a table of its requirements, their status and the threats on them.
fn compliance_view(out: &mut String, view: &View) {
    let _ = writeln!(out, "### Compliance: {}\n", view.name);
    let data: Vec<String> = view.data.iter().map(|d| escape::code_span(d)).collect();
    let _ = writeln!(
        out,
        "{}. In scope: {}{}; {} element{}.\n",
        view.version,
        view.scope,
        if data.is_empty() {
            String::new()
        } else {
            format!(" (data {})", data.join(", "))
        },
        view.elements,
        if view.elements == 1 { "" } else { "s" }
    );
    let summary = &view.summary;
    let _ = writeln!(
        out,
        "{} requirements with threats, {} with no threat found, {} with no regulated data to check, {} not assessed by strider. A requirement without threats is not shown as met: strider sees the model, not the running system.\n",
        summary.threatened, summary.no_threat_found, summary.no_data_in_scope, summary.not_assessed
    );
    out.push_str("| Requirement | What it asks | Status | Threats |\n|---|---|---|---|\n");
    for requirement in &view.requirements {
        let rules: Vec<&str> = requirement.rules.iter().map(|r| r.rule).collect();
        let status = match requirement.status {
            Status::Threats => {
                let undecided = requirement.undecided();
                format!(
                    "**{} threat{}**, {undecided} undecided ({})",
                    requirement.threats.len(),
                    if requirement.threats.len() == 1 {
                        ""
                    } else {
                        "s"
                    },
                    rules.join(", ")
                )
            }
            Status::NotAssessed => requirement.status.text().to_owned(),
            Status::NoThreatFound => {
                format!("{} by {}", requirement.status.text(), rules.join(", "))
            }
            Status::NoDataInScope => {
                format!("{} ({})", requirement.status.text(), rules.join(", "))
            }
        };
        let mut threats: Vec<String> = requirement
            .threats
            .iter()
            .take(SHOWN_PER_REQUIREMENT)
            .map(|t| {
                format!(
                    "{} {} {}",
                    cell_code(&t.threat),
                    t.severity.name(),
                    t.status
                )
            })
            .collect();
        if requirement.threats.len() > SHOWN_PER_REQUIREMENT {
            threats.push(format!(
                "and {} more",
                requirement.threats.len() - SHOWN_PER_REQUIREMENT
            ));
        }
        let _ = writeln!(
            out,
            "| {} | {} | {status} | {} |",
            requirement.id,
            requirement.title,
            if threats.is_empty() {
                "–".to_owned()
            } else {
                threats.join(", ")
            }
        );
    }
    out.push('\n');
}

/// Each sensitive store an attacker reaches, with its nearest entry groups' shortest paths.
fn attack_paths(out: &mut String, assessment: &Assessment) {
    if !assessment.attack_paths.is_empty() {
        out.push_str(
            "### Attack paths to sensitive data\n\n| Data | Store | Entries | Shortest path | Hops |\n|---|---|---:|---|---:|\n",
        );
        for path in &assessment.attack_paths {
            for (i, route) in path.routes.iter().enumerate() {
                let hops: Vec<String> = route.path.iter().map(|hop| cell_code(hop)).collect();
                let (data, store, entries) = if i == 0 {
                    (
                        crate::model::kebab(&path.classification),
                        cell_code(&path.target),
                        path.entries.to_string(),
                    )
                } else {
                    (String::new(), String::new(), String::new())
                };
                let alike = if route.alike > 0 {
                    format!(" (and {} more entries alike)", route.alike)
                } else {
                    String::new()
                };
                let _ = writeln!(
                    out,
                    "| {data} | {store} | {entries} | {}{alike} | {} |",
                    hops.join(" → "),
                    route.hops
                );
            }
            if path.more_entries > 0 {
                let _ = writeln!(
                    out,
                    "| | | | and {} more entries, further away | |",
                    path.more_entries
                );
            }
        }
        out.push('\n');
    }
}
