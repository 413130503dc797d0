//! The terminal report: one block per threat, most severe first, with its factors and fix.
//! Colour only when asked (the CLI asks on a terminal without `NO_COLOR`).
//!
//! Model text goes through [`escape::terminal`] (this output lands in terminals and CI logs),
//! and every line starts with strider's own words or marks, never with model text.

use std::fmt::Write;

use crate::assessment::Assessment;
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
