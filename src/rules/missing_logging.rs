use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A function that does not log: `logging` is absent or `enabled: false`.
    ///
    /// ## Why it matters
    /// Without logs nobody can tell what a function did, to whom, with which input: attacks go
    /// unnoticed and cannot be investigated, and the function's owner cannot prove what did not
    /// happen (SAS-5, inadequate monitoring and logging).
    ///
    /// ## Example
    /// ```yaml
    /// logging: {enabled: false}
    /// ```
    ///
    /// ## How to fix
    /// Log every invocation's outcome with a correlation id (structured JSON to CloudWatch Logs),
    /// without payloads, and set a retention period.
    ///
    /// ## False positives
    /// Logging done outside the function (API Gateway access logs only): declare it on the
    /// function as `logging: {enabled: true}` if it covers what the function does.
    pub static RULE = {
        id: "STR-012",
        name: "missing-logging",
        title: "Function without logging",
        stride: Repudiation,
        sas: ["SAS-5"],
        owasp: ["S10"],
        cwe: [778],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Log every invocation's outcome with a correlation id, without payloads, with a retention period.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    cx.model
        .functions
        .iter()
        .filter(|(_, f)| !f.logging.as_ref().is_some_and(|l| l.enabled))
        .map(|(id, f)| {
            Finding::new(id, format!("`{id}` does not log")).because(if f.logging.is_some() {
                "logging.enabled: false"
            } else {
                "no `logging` declared"
            })
        })
        .collect()
}
