use super::{Context, Finding, declare_rule};
use crate::model::{ControlKind, Trust};

declare_rule! {
    /// ## What it finds
    /// A system with entry points from an untrusted boundary and no `siem` or `monitoring`
    /// control. Reported once per untrusted boundary that reaches the system.
    ///
    /// ## Why it matters
    /// Logs nobody watches detect nothing. Without alerting on authentication failures, error
    /// spikes, throttling and unusual access, an attack is found by the customers or the
    /// invoice (SAS-5).
    ///
    /// ## Example
    /// A public API with CloudWatch logs and no alarms.
    ///
    /// ## How to fix
    /// Alarm on errors, throttles and 4xx/5xx rates; send CloudTrail, API and function logs to a
    /// SIEM or GuardDuty (Lambda protection) with on-call routing; declare it as a control.
    ///
    /// ## False positives
    /// Monitoring the model does not mention: declare a `monitoring` or `siem` control.
    pub static RULE = {
        id: "STR-037",
        name: "no-security-monitoring",
        title: "Internet-facing system without security monitoring",
        stride: Repudiation,
        sas: ["SAS-5"],
        owasp: ["S10"],
        cwe: [778],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Alarm on errors, throttles and auth failures; route logs to a SIEM or GuardDuty with on-call.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    if cx
        .model
        .controls
        .values()
        .any(|c| matches!(c.kind, ControlKind::Siem | ControlKind::Monitoring))
    {
        return Vec::new();
    }
    let entries = cx.dfd.entry_points(cx.model);
    if entries.is_empty() {
        return Vec::new();
    }
    cx.model
        .boundaries
        .iter()
        .filter(|(_, b)| b.trust == Trust::Untrusted)
        .filter(|(id, _)| cx.dfd.graph().node_weights().any(|e| &e.boundary == *id))
        .map(|(id, _)| {
            Finding::new(id, format!("nothing watches what comes in from `{id}`")).because(format!(
                "{} entry point(s), no `siem` or `monitoring` control",
                entries.len()
            ))
        })
        .collect()
}
