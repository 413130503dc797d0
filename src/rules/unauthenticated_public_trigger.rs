use super::context::trigger_qualifier;
use super::{Context, Finding, declare_rule};
use crate::model::{Auth, ChannelKind, Function, Trigger};

declare_rule! {
    /// ## What it finds
    /// An HTTP or WebSocket route that anyone on the internet can call without authenticating:
    /// the API (or function URL, or load balancer) is reachable from an untrusted boundary and
    /// neither the route nor the API declares an authorizer — or the handler checks the caller's
    /// token itself without verifying it (`auth: code` with `verified: false`: a JWT decoded but
    /// not verified lets anyone claim to be anyone). A static responder is not reported:
    /// a function whose handler ignores the request (`input: {used: false}`) and that reads,
    /// writes, calls and invokes nothing and holds no secrets (a page, a health check) has
    /// nothing an anonymous caller could reach; what its requests cost is left to the
    /// concurrency and denial-of-wallet rules.
    ///
    /// ## Why it matters
    /// Every request reaches the function as an anonymous caller. Whatever the function can read,
    /// write or start is one request away from anybody (SAS-2, broken authentication).
    ///
    /// ## Example
    /// ```yaml
    /// channels:
    ///   admin-url: {kind: function-url, boundary: cloud, public: true, auth: none}
    /// ```
    ///
    /// ## How to fix
    /// Require authentication: `auth: iam`, `cognito`, `jwt` or a Lambda authorizer on the API or
    /// the route. Function URLs support `iam` only; put an API Gateway in front for others.
    ///
    /// ## False positives
    /// Routes that are public by design (a product catalogue, a health check): track them as
    /// `accepted` with a justification.
    pub static RULE = {
        id: "STR-001",
        name: "unauthenticated-public-trigger",
        title: "Public route without authentication",
        stride: Spoofing,
        sas: ["SAS-2"],
        owasp: ["S2"],
        cwe: [306],
        capec: [115],
        impact_cap: Severe,
        mitigation: "Require authentication on the route or the API (IAM, Cognito, JWT or a Lambda authorizer).",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for route in cx.routes() {
        // An API only the model's own functions call is an internal interface: its callers
        // are code, not anyone on the internet.
        let Some(exposure) = cx
            .exposure(route.source)
            .filter(|_| cx.on_front(route.source))
        else {
            continue;
        };
        if route.auth.is_some_and(|a| a != Auth::None)
            || static_responder(route.function, route.trigger)
        {
            continue;
        }
        let (id, source) = (route.function_id, route.source);
        let written = route.trigger.auth.or(route.channel.auth);
        let path = match (&route.trigger.method, &route.trigger.path) {
            (Some(method), Some(path)) => format!("`{method} {path}`"),
            _ => "the route".to_owned(),
        };
        let what = if route.channel.kind == ChannelKind::FunctionUrl {
            "function URL"
        } else {
            "API"
        };
        findings.push(
            Finding::new(
                id,
                format!("{path} on {what} `{source}` invokes `{id}` without authentication"),
            )
            .qualified(trigger_qualifier(route.function, route.index))
            .because(match (route.auth, written) {
                (_, Some(Auth::Code)) => "the handler decodes the caller's token without verifying it (`auth: code`, `verified: false`): anyone can claim to be anyone".to_owned(),
                (Some(_), _) => "auth: none is declared".to_owned(),
                (None, _) => format!("no `auth` on the route or on `{source}`"),
            })
            .because(format!(
                "reachable from the untrusted side via {}",
                super::quoted(&exposure.path, " → ")
            )),
        );
    }
    findings
}

/// Whether the function answers the route without using the request or touching anything: a
/// static page, a health check.
fn static_responder(function: &Function, trigger: &Trigger) -> bool {
    let ignores_input = trigger
        .input
        .as_ref()
        .or(function.input.as_ref())
        .is_some_and(|input| !input.is_used());
    ignores_input
        && function.reads.is_empty()
        && function.writes.is_empty()
        && function.calls.is_empty()
        && function.invokes.is_empty()
        && function.secrets.is_empty()
}
