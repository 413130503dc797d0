use super::{Context, Finding, declare_rule};
use crate::model::{ChannelKind, Trigger, TriggerKind};

/// API Gateway REST and WebSocket APIs' default integration timeout; a caller gets a 504 after it.
const REST_TIMEOUT_S: u32 = 29;
/// API Gateway HTTP APIs' integration timeout (the most it can be set to).
const HTTP_API_TIMEOUT_S: u32 = 30;
/// An Application Load Balancer's default idle timeout.
const ALB_TIMEOUT_S: u32 = 60;
/// Cognito waits at most 5 seconds for a trigger.
const COGNITO_TIMEOUT_S: u32 = 5;

declare_rule! {
    /// ## What it finds
    /// A synchronously invoked function that may go on running after its caller gave up: its
    /// timeout is more than a second longer than the caller waits — API Gateway's integration
    /// timeout (29 s for REST and WebSocket APIs, 30 s for HTTP APIs), a load balancer's default
    /// idle timeout (60 s), Cognito's 5 s for a trigger. A function URL waits as long as the
    /// function runs, and is not reported; nor is SAM's customary 30 s behind a REST API's 29 s
    /// (a second of work after the caller left).
    ///
    /// ## Why it matters
    /// The caller gives up, retries and starts another invocation while the first one still runs
    /// and bills: slow requests (a slowloris, an expensive query) multiply into exhausted
    /// concurrency and cost, and work completes after the client was told it failed.
    ///
    /// ## Example
    /// ```yaml
    /// timeout_s: 300   # behind an HTTP API, which answers 503 after 30 s
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
            .filter_map(|t| caller_limit(cx, t))
            .min();
        if let Some(limit) = limit.filter(|limit| timeout > limit.saturating_add(1)) {
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

/// How long the synchronous caller of `trigger` waits, if it is synchronous and bounded.
fn caller_limit(cx: &Context<'_>, trigger: &Trigger) -> Option<u32> {
    match trigger.kind {
        TriggerKind::Cognito => Some(COGNITO_TIMEOUT_S),
        TriggerKind::Http | TriggerKind::Websocket => {
            let channel = trigger
                .source
                .as_deref()
                .and_then(|source| cx.model.channels.get(source));
            match channel.map(|c| c.kind) {
                Some(ChannelKind::FunctionUrl) => None,
                Some(ChannelKind::ApiGatewayHttp) => Some(HTTP_API_TIMEOUT_S),
                Some(ChannelKind::Alb) => Some(ALB_TIMEOUT_S),
                _ => Some(REST_TIMEOUT_S),
            }
        }
        _ => None,
    }
}
