use super::{Context, Finding, declare_rule};
use crate::model::Classification;

declare_rule! {
    /// ## What it finds
    /// A function that keeps request data between invocations (`reuses_state: true`: files in
    /// `/tmp`, globals, in-memory caches) while it handles confidential or restricted data and is
    /// reachable from the internet — so different callers share one execution environment.
    ///
    /// ## Why it matters
    /// Lambda reuses execution environments. Data one caller left in `/tmp` or a global is there
    /// for the next caller's invocation: another customer's file, a cached token, a half-built
    /// response (SAS-12, cross-execution data persistency).
    ///
    /// ## Example
    /// An export function that writes each customer's CSV to `/tmp/export.csv` and serves "the
    /// latest export".
    ///
    /// ## How to fix
    /// Keep request data in local variables; write temporary files under a per-invocation name
    /// and delete them in a `finally`; cache only data that is the same for every caller.
    ///
    /// ## False positives
    /// Caches of public or per-deployment data (configuration, public keys): declare
    /// `reuses_state: false`.
    pub static RULE = {
        id: "STR-043",
        name: "state-across-invocations",
        title: "Request data kept between invocations of a shared function",
        stride: InformationDisclosure,
        sas: ["SAS-12"],
        owasp: ["S3"],
        cwe: [226, 524],
        capec: [],
        impact_cap: Major,
        mitigation: "Keep request data in local variables; name and delete temporary files per invocation; cache only caller-independent data.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        if function.reuses_state != Some(true) || cx.exposure(id).is_none() {
            continue;
        }
        let Some(level) = cx
            .function_data(id)
            .iter()
            .map(|d| d.classification)
            .max()
            .filter(|c| *c >= Classification::Confidential)
        else {
            continue;
        };
        findings.push(
            Finding::new(
                id,
                format!(
                    "one caller's {} data can reach the next caller of `{id}`",
                    crate::model::kebab(&level)
                ),
            )
            .because("reuses_state: true")
            .because("reachable from the internet, so callers share execution environments"),
        );
    }
    findings
}
