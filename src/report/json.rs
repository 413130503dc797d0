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
//!  "attack_paths": [{"target": "payments-db", "classification": "restricted", "entries": 4,
//!    "routes": [{"entry": "back-office", "alike": 0, "hops": 5,
//!      "path": ["back-office", "admin-url", "admin-export", "orders-table", "nightly-report",
//!        "payments-db"]}],
//!    "more_entries": 0}],
//!  "blast_radius": [{"function": "…", "reads": [], "writes": [], "calls": [], "starts": [],
//!    "worst": "restricted"}],
//!  "unmatched_findings": []}
//! ```
//!
//! `confirmations` (on a threat) and `unmatched_findings` appear only with `--findings`.
//!
//! `compliance` appears only with `--compliance`: one view per framework asked for,
//! [`View`](crate::compliance::View):
//!
//! ```json
//! "compliance": [{"framework": "pci-dss", "name": "PCI DSS", "version": "PCI DSS v4.0 (…)",
//!   "scope": "elements that hold or carry data tagged `pci-dss`", "data": ["card-data"],
//!   "elements": 6, "summary": {"threatened": 5, "no_threat_found": 8, "no_data_in_scope": 0,
//!     "not_assessed": 15},
//!   "requirements": [{"id": "1.4", "title": "…", "status": "threats",
//!     "rules": [{"rule": "STR-007", "name": "public-store", "why": "…"}],
//!     "threats": [{"threat": "STR-007@…", "rule": "STR-007", "element": "…",
//!       "severity": "high", "status": "untracked"}]}]}]
//! ```
//!
//! A requirement's `status` is `threats`, `no-threat-found` (its rules found nothing in scope —
//! not proof that it is met), `no-data-in-scope` (no element carries the framework's data) or
//! `not-assessed` (no rule of strider evidences it); a threat's `status` is `untracked`, the
//! tracking entry's status, or `review-overdue`.
//!
//! `attack_paths` has one entry per store of confidential or restricted data that an untrusted
//! start reaches, most sensitive first, then nearest: `entries` counts every start that reaches
//! it; `routes` lists the nearest groups of starts (at most 8, shortest first, then by entry id),
//! a group being the starts with exactly the same first hops: its first `entry` by id, the
//! number of other starts `alike`, the length in `hops` and one shortest `path`; `more_entries`
//! counts the starts of groups not listed. A path (here and a threat's `path`) of more than 12
//! elements is shortened to its first 6 and last 5 around one element `"… N more …"`: compare
//! its length with `hops` + 1.

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
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    compliance: &'a [crate::compliance::View],
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
    render_with(assessment, &[])
}

/// Renders the assessment and its compliance views as pretty-printed JSON with a final newline.
#[must_use]
pub fn render_with(assessment: &Assessment, compliance: &[crate::compliance::View]) -> Vec<u8> {
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
        compliance,
    };
    let mut bytes = crate::escape::json(serde_json::to_vec_pretty(&report).unwrap_or_default());
    bytes.push(b'\n');
    bytes
}
