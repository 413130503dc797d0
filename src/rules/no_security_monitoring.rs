use super::{Context, Finding, declare_rule};
use crate::model::{ControlKind, Trust};

declare_rule! {
    /// ## What it finds
    /// A system with entry points from an untrusted boundary and no `siem` or `monitoring`
    /// control. Reported once per untrusted boundary that something comes in from: a request,
    /// event or webhook from an element inside it to one outside it. An untrusted boundary that
    /// only holds services the system calls, or actors that use nothing, is not reported.
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
        .filter_map(|(id, _)| {
            // Something must come in from the boundary: a flow from an element inside it to one
            // outside it (a request, a webhook). A boundary whose elements only receive calls,
            // or use nothing, sends nothing to watch.
            let flows = cx
                .dfd
                .flows()
                .filter(|(_, from, to, _)| {
                    cx.dfd.ancestors(&from.boundary).contains(id)
                        && !cx.dfd.ancestors(&to.boundary).contains(id)
                })
                .count();
            (flows > 0).then(|| {
                Finding::new(id, format!("nothing watches what comes in from `{id}`")).because(
                    format!(
                        "{flows} flow(s) in from `{id}`, {} entry point(s), no `siem` or `monitoring` control",
                        entries.len()
                    ),
                )
            })
        })
        .collect()
}
