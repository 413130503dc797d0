//! The JSON report, version 1: stable field names and order, threats most severe first.
//!
//! ```json
//! {"format": "strider-assessment", "version": 1, "model": "…",
//!  "summary": {"critical": 0, "high": 3, "medium": 5, "low": 2, "untracked": 9},
//!  "threats": [{"id": "STR-001@admin-export/admin-url", "rule": "STR-001", "rule_name": "…",
//!    "title": "…", "stride": "spoofing", "element": "…", "message": "…", "evidence": ["…"],
//!    "path": ["back-office", "admin-url", "admin-export"],
//!    "location": {"file": "model/shop.yaml", "line": 1, "column": 3},
//!    "score": {"likelihood": "likely", "impact": "severe", "severity": "critical",
//!      "residual_likelihood": "…", "residual_severity": "…", "factors": [{"on": "…", "text": "…"}]},
//!    "mitigation": "…", "tracking": null,
//!    "confirmations": [{"id": "…", "function": "…", "target": "…", "threat": "…", "kind": "crash",
//!      "message": "…", "event": {}, "file": "findings/…/….json"}]}],
//!  "unmatched_tracking": [],
//!  "attack_paths": [{"entry": "visitor", "target": "payments-db", "classification": "restricted",
//!    "path": ["visitor", "shop-api", "…", "payments-db"]}],
//!  "blast_radius": [{"function": "…", "reads": [], "writes": [], "calls": [], "starts": [],
//!    "worst": "restricted"}],
//!  "unmatched_findings": []}
//! ```
//!
//! `confirmations` (on a threat) and `unmatched_findings` appear only with `--findings`.

use serde::Serialize;

use crate::assessment::{Assessment, Threat};
use crate::scoring::Severity;

#[derive(Serialize)]
struct Report<'a> {
    format: &'static str,
    version: u32,
    model: &'a str,
    summary: Summary,
    threats: &'a [Threat],
    unmatched_tracking: &'a [String],
    attack_paths: &'a [crate::graph::paths::AttackPath],
    blast_radius: &'a [crate::graph::paths::BlastRadius],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    unmatched_findings: &'a [crate::findings::Finding],
}

#[derive(Serialize)]
struct Summary {
    critical: usize,
    high: usize,
    medium: usize,
    low: usize,
    untracked: usize,
}

/// Renders the assessment as pretty-printed JSON with a final newline.
#[must_use]
pub fn render(assessment: &Assessment) -> Vec<u8> {
    let report = Report {
        format: "strider-assessment",
        version: 1,
        model: &assessment.model,
        summary: Summary {
            critical: assessment.count(Severity::Critical),
            high: assessment.count(Severity::High),
            medium: assessment.count(Severity::Medium),
            low: assessment.count(Severity::Low),
            untracked: assessment.untracked(),
        },
        threats: &assessment.threats,
        unmatched_tracking: &assessment.unmatched_tracking,
        attack_paths: &assessment.attack_paths,
        blast_radius: &assessment.blast_radius,
        unmatched_findings: &assessment.unmatched_findings,
    };
    let mut bytes = crate::escape::json(serde_json::to_vec_pretty(&report).unwrap_or_default());
    bytes.push(b'\n');
    bytes
}
