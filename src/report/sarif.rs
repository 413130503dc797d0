//! SARIF 2.1.0, for code-scanning UIs (GitHub, GitLab, Azure DevOps).
//!
//! One run; the tool's rules are strider's rules with their docs as help; one result per threat,
//! located at the line of the model file that declares the element, with the threat id as a stable
//! partial fingerprint (so a scanning UI tracks a threat across commits), `security-severity` on
//! rules and results (GitHub's 0–10 scale: critical 9.5, high 8.0, medium 5.5, low 2.0), and
//! tracked threats that were accepted or marked false positives as suppressions.

use serde_json::{Value, json};

use crate::assessment::{Assessment, Threat};
use crate::model::TrackingStatus;
use crate::rules::{RULES, Rule};
use crate::scoring::Severity;

pub(crate) fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
    }
}

pub(crate) fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "note",
    }
}

fn rule_descriptor(rule: &Rule, worst: Option<Severity>) -> Value {
    let mut tags = vec![
        "security".to_owned(),
        format!("stride:{}", crate::model::kebab(&rule.stride)),
    ];
    tags.extend(
        rule.references
            .cwe
            .iter()
            .map(|c| format!("external/cwe/cwe-{c}")),
    );
    tags.extend(rule.references.sas.iter().map(|s| (*s).to_owned()));
    tags.extend(
        rule.references
            .owasp
            .iter()
            .map(|s| format!("owasp-serverless:{s}")),
    );
    // A rule's default severity is the worst it produced in this run, else what its impact cap allows.
    let severity = worst.unwrap_or(match rule.impact_cap {
        crate::rules::ImpactCap::Severe => Severity::High,
        crate::rules::ImpactCap::Major => Severity::Medium,
        crate::rules::ImpactCap::Moderate | crate::rules::ImpactCap::Minor => Severity::Low,
    });
    json!({
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": rule.mitigation},
        "help": {"text": rule.documentation(), "markdown": rule.documentation()},
        "defaultConfiguration": {"level": level(severity)},
        "properties": {"tags": tags, "security-severity": security_severity(severity)},
    })
}

fn result(threat: &Threat, rule_index: usize) -> Value {
    let severity = threat.score.residual_severity;
    let mut message = threat.message.clone();
    if !threat.evidence.is_empty() {
        message.push_str(". ");
        message.push_str(&threat.evidence.join("; "));
    }
    let mut result = json!({
        "ruleId": threat.rule,
        "ruleIndex": rule_index,
        "level": level(severity),
        "message": {"text": message},
        "partialFingerprints": {"striderThreatId/v1": threat.id},
        "properties": {
            "threatId": threat.id,
            "security-severity": security_severity(severity),
            "severity": severity.name(),
            "likelihood": crate::model::kebab(&threat.score.likelihood),
            "impact": crate::model::kebab(&threat.score.impact),
            "factors": threat.score.factors.iter().map(|f| format!("{}: {}", f.on, f.text)).collect::<Vec<_>>(),
            "path": threat.path,
        },
    });
    let logical = json!([{"name": threat.element, "kind": "resource"}]);
    result["locations"] = match &threat.location {
        Some(location) => json!([{
            "physicalLocation": {
                "artifactLocation": {"uri": uri(&location.file)},
                "region": {"startLine": location.line, "startColumn": location.column},
            },
            "logicalLocations": logical,
        }]),
        None => json!([{"logicalLocations": logical}]),
    };
    if let Some(tracking) = &threat.tracking {
        // Decided threats are suppressed (with their justification); open ones stay findings.
        let decided = matches!(
            tracking.entry.status,
            TrackingStatus::Accepted | TrackingStatus::FalsePositive | TrackingStatus::Mitigated
        );
        if decided {
            let mut suppression = json!({"kind": "external", "status": "accepted"});
            if let Some(justification) = &tracking.entry.justification {
                suppression["justification"] = json!(justification);
            }
            result["suppressions"] = json!([suppression]);
        }
    }
    result
}

/// A relative path as a URI reference: forward slashes, percent-encoding what URIs do not allow.
pub(crate) fn uri(path: &std::path::Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Renders the assessment as a SARIF 2.1.0 log.
#[must_use]
pub fn render(assessment: &Assessment) -> Vec<u8> {
    render_with(assessment, &[])
}

/// Renders the assessment as SARIF 2.1.0, with compliance views in the run's property bag
/// (`properties.compliance`, as in the JSON report) when there are any.
#[must_use]
pub fn render_with(assessment: &Assessment, compliance: &[crate::compliance::View]) -> Vec<u8> {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|rule| {
            rule_descriptor(
                rule,
                assessment
                    .threats
                    .iter()
                    .filter(|t| t.rule == rule.id)
                    .map(|t| t.score.residual_severity)
                    .max(),
            )
        })
        .collect();
    let results: Vec<Value> = assessment
        .threats
        .iter()
        .map(|threat| {
            result(
                threat,
                RULES
                    .iter()
                    .position(|r| r.id == threat.rule)
                    .unwrap_or_default(),
            )
        })
        .collect();
    let mut log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "strider",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    });
    if !compliance.is_empty() {
        log["runs"][0]["properties"] = json!({ "compliance": compliance });
    }
    let mut bytes = crate::escape::json(serde_json::to_vec_pretty(&log).unwrap_or_default());
    bytes.push(b'\n');
    bytes
}
