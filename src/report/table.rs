//! The terminal report: one block per threat, most severe first, with its factors and fix.
//! Colour only when asked (the CLI asks on a terminal without `NO_COLOR`).
//!
//! Model text goes through [`escape::terminal`] (this output lands in terminals and CI logs),
//! and every line starts with strider's own words or marks, never with model text.

use std::fmt::Write;

use crate::assessment::Assessment;
use crate::compliance::{SHOWN_PER_REQUIREMENT, Status, View};
use crate::escape::terminal;
use crate::scoring::Severity;

fn paint(text: &str, code: &str, color: bool) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

fn severity_code(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "1;35",
        Severity::High => "1;31",
        Severity::Medium => "33",
        Severity::Low => "36",
    }
}

/// Renders the assessment for a terminal.
#[must_use]
pub fn render(assessment: &Assessment, color: bool) -> Vec<u8> {
    render_with(assessment, color, &[])
}

/// Renders the assessment and its compliance views for a terminal.
#[must_use]
pub fn render_with(assessment: &Assessment, color: bool, compliance: &[View]) -> Vec<u8> {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "threat model {} — {} threats\n",
        terminal(&assessment.model),
        assessment.threats.len()
    );
    for threat in &assessment.threats {
        let severity = threat.score.residual_severity;
        let label = format!("{:<8}", severity.name().to_uppercase());
        let _ = writeln!(
            out,
            "{} {}  {}",
            paint(&label, severity_code(severity), color),
            paint(&terminal(&threat.id), "1", color),
            threat.title
        );
        let _ = writeln!(out, "         what: {}", terminal(&threat.message));
        if let Some(location) = &threat.location {
            let _ = writeln!(out, "         at {}", terminal(&location.to_string()));
        }
        let score = &threat.score;
        let _ = writeln!(
            out,
            "         {} · likelihood {:?} × impact {:?}{}",
            threat.stride.name(),
            score.likelihood,
            score.impact,
            if score.residual_severity == score.severity {
                String::new()
            } else {
                format!(" → residual {}", score.residual_severity.name())
            }
        );
        for factor in &score.factors {
            let _ = writeln!(
                out,
                "           - {}: {}",
                factor.on,
                terminal(&factor.text)
            );
        }
        for fact in &threat.evidence {
            let _ = writeln!(out, "           - evidence: {}", terminal(fact));
        }
        tracking_lines(&mut out, threat);
        let _ = writeln!(out, "         fix: {}\n", threat.mitigation);
    }
    let _ = writeln!(
        out,
        "{} critical, {} high, {} medium, {} low; {} untracked",
        assessment.count(Severity::Critical),
        assessment.count(Severity::High),
        assessment.count(Severity::Medium),
        assessment.count(Severity::Low),
        assessment.untracked()
    );
    attack_paths(&mut out, assessment);
    for view in compliance {
        compliance_view(&mut out, view, color);
    }
    for pattern in &assessment.unmatched_tracking {
        let _ = writeln!(
            out,
            "warning: tracking entry `{}` matches no threat",
            terminal(pattern)
        );
    }
    out.into_bytes()
}

/// A tracked threat's status, justification and overdue review.
fn tracking_lines(out: &mut String, threat: &crate::assessment::Threat) {
    let Some(tracking) = &threat.tracking else {
        return;
    };
    let status = crate::model::kebab(&tracking.entry.status);
    let why = tracking
        .entry
        .justification
        .as_deref()
        .unwrap_or("no justification");
    let _ = writeln!(
        out,
        "         tracked: {status} ({}) — {}",
        terminal(&tracking.pattern),
        terminal(why)
    );
    if tracking.expired {
        let date = tracking.entry.date.as_deref().unwrap_or_default();
        let _ = writeln!(
            out,
            "         review overdue: the acceptance was due for review on {}",
            terminal(date)
        );
    }
}

/// Each sensitive store an attacker reaches, with its nearest entry groups' shortest paths.
fn attack_paths(out: &mut String, assessment: &Assessment) {
    if !assessment.attack_paths.is_empty() {
        let _ = writeln!(out, "\nattack paths to confidential and restricted data:");
        for path in &assessment.attack_paths {
            let _ = writeln!(
                out,
                "  {:<12} {}: reached from {} {}",
                crate::model::kebab(&path.classification),
                terminal(&path.target),
                path.entries,
                if path.entries == 1 {
                    "entry"
                } else {
                    "entries"
                }
            );
            for route in &path.routes {
                let hops: Vec<_> = route.path.iter().map(|h| terminal(h)).collect();
                let _ = write!(out, "    path: {} ({} hops", hops.join(" → "), route.hops);
                if route.alike > 0 {
                    let _ = write!(
                        out,
                        "; {} more {} alike",
                        route.alike,
                        if route.alike == 1 { "entry" } else { "entries" }
                    );
                }
                out.push_str(")\n");
            }
            if path.more_entries > 0 {
                let _ = writeln!(
                    out,
                    "    and {} more entries, further away",
                    path.more_entries
                );
            }
        }
    }
}

/// One framework's view: each requirement with its status and the threats that affect it.
fn compliance_view(out: &mut String, view: &View, color: bool) {
    let _ = writeln!(out, "\ncompliance: {} — {}", view.name, view.version);
    let data: Vec<_> = view.data.iter().map(|d| terminal(d)).collect();
    let _ = writeln!(
        out,
        "  scope: {}{}; {} element{}",
        view.scope,
        if data.is_empty() {
            String::new()
        } else {
            format!(" (data: {})", data.join(", "))
        },
        view.elements,
        if view.elements == 1 { "" } else { "s" }
    );
    let summary = &view.summary;
    let _ = writeln!(
        out,
        "  {} with threats, {} with no threat found, {} with no regulated data to check, {} not assessed by strider (no requirement is shown as met: strider sees the model, not the running system)",
        summary.threatened, summary.no_threat_found, summary.no_data_in_scope, summary.not_assessed
    );
    for requirement in &view.requirements {
        let status = if requirement.status == Status::Threats {
            let undecided = requirement.undecided();
            paint(
                &format!(
                    "{} threat{} ({undecided} undecided)",
                    requirement.threats.len(),
                    if requirement.threats.len() == 1 {
                        ""
                    } else {
                        "s"
                    }
                ),
                "1",
                color,
            )
        } else {
            requirement.status.text().to_owned()
        };
        let rules: Vec<&str> = requirement.rules.iter().map(|r| r.rule).collect();
        let _ = writeln!(
            out,
            "  {:<18} {} — {status}{}",
            requirement.id,
            requirement.title,
            if rules.is_empty() {
                String::new()
            } else {
                format!(" [{}]", rules.join(", "))
            }
        );
        for threat in requirement.threats.iter().take(SHOWN_PER_REQUIREMENT) {
            let _ = writeln!(
                out,
                "    - {:<8} {} ({})",
                threat.severity.name(),
                terminal(&threat.threat),
                threat.status
            );
        }
        if requirement.threats.len() > SHOWN_PER_REQUIREMENT {
            let _ = writeln!(
                out,
                "    - and {} more",
                requirement.threats.len() - SHOWN_PER_REQUIREMENT
            );
        }
    }
}
