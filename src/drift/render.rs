//! Drift as text for a terminal or CI log, JSON, or SARIF 2.1.0 located in the templates.

use serde_json::json;

use super::{Drift, Kind, Place};
use crate::escape::terminal;
use crate::scoring::Severity;

/// One line per disagreement, worst first, then a count.
#[must_use]
pub fn text(drift: &[Drift]) -> Vec<u8> {
    use std::fmt::Write;
    let mut out = String::new();
    let place = |p: &Place| match &p.address {
        Some(address) => format!("{}#{address}", p.file.display()),
        None => format!("{}:{}", p.file.display(), p.line),
    };
    for d in drift {
        let at = d
            .template
            .as_ref()
            .or(d.model.as_ref())
            .map(|p| format!("  ({})", terminal(&place(p))))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "{:<8} {:<26} {}{at}",
            d.severity.name(),
            d.kind.name(),
            terminal(&d.message)
        );
    }
    let _ = writeln!(
        out,
        "{} disagreement{} between the model and the templates",
        drift.len(),
        if drift.len() == 1 { "" } else { "s" }
    );
    out.into_bytes()
}

/// The disagreements as a JSON array.
#[must_use]
pub fn json(drift: &[Drift]) -> Vec<u8> {
    let mut bytes = crate::escape::json(serde_json::to_vec_pretty(drift).unwrap_or_default());
    bytes.push(b'\n');
    bytes
}

/// A SARIF log: one rule per kind, one result per disagreement, located in the template (a
/// Terraform plan's resource also as a logical location), else in the model.
#[must_use]
pub fn sarif(drift: &[Drift]) -> Vec<u8> {
    use crate::report::sarif::{level, security_severity, uri};
    let rules: Vec<serde_json::Value> = Kind::ALL
        .iter()
        .map(|k| {
            json!({
                "id": k.name(),
                "name": k.name(),
                "shortDescription": {"text": k.title()},
                "defaultConfiguration": {"level": level(k.severity())},
                "properties": {"tags": ["security", "drift"], "security-severity": security_severity(k.severity())},
            })
        })
        .collect();
    let results: Vec<serde_json::Value> = drift
        .iter()
        .map(|d| {
            let index = Kind::ALL.iter().position(|k| *k == d.kind).unwrap_or(0);
            let mut result = json!({
                "ruleId": d.kind.name(),
                "ruleIndex": index,
                "level": level(d.severity),
                "message": {"text": d.message},
                "partialFingerprints": {"striderDrift/v1": format!("{}@{}:{}", d.kind.name(), d.element, d.message)},
                "properties": {"severity": d.severity.name(), "security-severity": security_severity(d.severity), "element": d.element},
            });
            if let Some(p) = d.template.as_ref().or(d.model.as_ref()) {
                let mut location = json!({
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(&p.file)},
                        "region": {"startLine": p.line},
                    },
                });
                if let Some(address) = &p.address {
                    location["logicalLocations"] = json!([{"fullyQualifiedName": address, "kind": "resource"}]);
                }
                result["locations"] = json!([location]);
            }
            result
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "strider drift",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }],
    });
    let mut bytes = crate::escape::json(serde_json::to_vec_pretty(&log).unwrap_or_default());
    bytes.push(b'\n');
    bytes
}

/// Whether a disagreement at or above `threshold` was found.
#[must_use]
pub fn fails(drift: &[Drift], threshold: Severity) -> bool {
    drift.iter().any(|d| d.severity >= threshold)
}
