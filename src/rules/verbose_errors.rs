use super::{Context, Finding, declare_rule};
use crate::model::{ErrorDetail, TriggerKind};

declare_rule! {
    /// ## What it finds
    /// A function invoked synchronously by a caller (HTTP, WebSocket, direct invocation) whose
    /// errors reveal internals (`errors: verbose`: exception messages, stack traces, queries).
    ///
    /// ## Why it matters
    /// Stack traces and raw exception messages tell an attacker the runtime, libraries, table
    /// and column names, file paths — and often which injection just half-worked (SAS-10).
    ///
    /// ## Example
    /// ```yaml
    /// errors: verbose   # behind a public API
    /// ```
    ///
    /// ## How to fix
    /// Return a generic message with a correlation id; log the details server-side.
    ///
    /// ## False positives
    /// Internal tools whose callers need details: accept, if the path is authenticated.
    pub static RULE = {
        id: "STR-040",
        name: "verbose-errors",
        title: "Synchronous function returns internal error details",
        stride: InformationDisclosure,
        sas: ["SAS-10"],
        owasp: ["S3"],
        cwe: [209],
        capec: [54],
        impact_cap: Moderate,
        mitigation: "Return generic errors with a correlation id; log details server-side.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    cx.model
        .functions
        .iter()
        .filter(|(_, f)| f.errors == Some(ErrorDetail::Verbose))
        .filter(|(_, f)| {
            f.triggers.iter().any(|t| {
                matches!(
                    t.kind,
                    TriggerKind::Http | TriggerKind::Websocket | TriggerKind::Invoke
                )
            })
        })
        .map(|(id, _)| {
            Finding::new(
                id,
                format!("callers of `{id}` see its internal error details"),
            )
            .because("errors: verbose")
        })
        .collect()
}
