use super::{Context, Finding, declare_rule};
use crate::model::TriggerKind;

/// API Gateway's default integration timeout; a caller gets a 504 after it anyway.
const API_TIMEOUT_S: u32 = 29;
/// Cognito waits at most 5 seconds for a trigger.
const COGNITO_TIMEOUT_S: u32 = 5;

declare_rule! {
    /// ## What it finds
    /// A synchronously invoked function whose timeout is longer than its caller waits: over 29 s
    /// behind an API (API Gateway's integration timeout), over 5 s for a Cognito trigger.
    ///
    /// ## Why it matters
    /// The caller gives up, retries and starts another invocation while the first one still runs
    /// and bills: slow requests (a slowloris, an expensive query) multiply into exhausted
    /// concurrency and cost, and work completes after the client was told it failed.
    ///
    /// ## Example
    /// ```yaml
    /// timeout_s: 300   # behind a function URL
    /// ```
    ///
    /// ## How to fix
    /// Keep synchronous functions' timeouts below the caller's (a few seconds for APIs); move
    /// long work to an asynchronous queue and return 202.
    ///
    /// ## False positives
    /// APIs with a raised integration timeout: accept with the configured value as justification.
    pub static RULE = {
        id: "STR-018",
        name: "long-synchronous-timeout",
        title: "Synchronous function may run longer than its caller waits",
        stride: DenialOfService,
        sas: ["SAS-8"],
        owasp: ["S6"],
        cwe: [400],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Keep synchronous timeouts below the caller's; move long work to a queue and answer 202.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        let Some(timeout) = function.timeout_s else {
            continue;
        };
        let limit = function
            .triggers
            .iter()
            .filter_map(|t| match t.kind {
                TriggerKind::Http | TriggerKind::Websocket => Some(API_TIMEOUT_S),
                TriggerKind::Cognito => Some(COGNITO_TIMEOUT_S),
                _ => None,
            })
            .min();
        if let Some(limit) = limit.filter(|limit| timeout > *limit) {
            findings.push(
                Finding::new(
                    id,
                    format!("`{id}` may run {timeout} s while its caller waits {limit} s"),
                )
                .because(format!(
                    "timeout_s: {timeout}; synchronous caller limit {limit} s"
                )),
            );
        }
    }
    findings
}
