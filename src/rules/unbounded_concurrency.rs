use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A function that an internet-facing entry point triggers directly, with nothing that bounds
    /// how often it runs: no reserved concurrency on the function and no throttling on the API in
    /// front of it. A `rate-limit` or `budget-alarm` control lowers the residual risk. Functions further
    /// downstream are bounded by limits at the entry, so they are not reported separately.
    ///
    /// ## Why it matters
    /// Lambda scales out to meet any load. A flood of requests becomes a flood of invocations,
    /// each billed, each calling downstream stores and paid APIs: denial of wallet, and exhausted
    /// account-wide concurrency that stops every other function too (SAS-8).
    ///
    /// ## Example
    /// A public function URL with `auth: none` on a function with no `reserved_concurrency`.
    ///
    /// ## How to fix
    /// Throttle the API (`throttling: {rate_limit, burst_limit}`, a usage plan, WAF rate-based
    /// rules), set `reserved_concurrency` on the function, and declare a budget alarm.
    ///
    /// ## False positives
    /// Limits enforced outside the model (CloudFront, a WAF in another account): declare them as
    /// `throttling` on the API, or as a `rate-limit` control (which lowers the residual risk).
    pub static RULE = {
        id: "STR-006",
        name: "unbounded-concurrency",
        title: "Internet-reachable function with no throttling or concurrency limit",
        stride: DenialOfService,
        sas: ["SAS-8"],
        owasp: ["S6"],
        cwe: [770, 400],
        capec: [469],
        impact_cap: Moderate,
        mitigation: "Throttle the API, set reserved concurrency on the function, and alarm on the budget.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        if function.reserved_concurrency.is_some() {
            continue;
        }
        // The flood enters at functions an entry point triggers directly; limits there bound
        // everything downstream, so only they are reported.
        let Some(exposure) = cx.exposure(id).filter(|e| e.hops <= 2) else {
            continue;
        };
        let throttled = exposure.path.iter().any(|hop| {
            cx.model
                .channels
                .get(hop)
                .is_some_and(|c| c.throttling.is_some())
        });
        if throttled {
            continue;
        }
        findings.push(
            Finding::new(
                id,
                format!("`{id}` can be invoked from the internet without limit"),
            )
            .because(format!(
                "reachable via {}",
                super::quoted(&exposure.path, " → ")
            ))
            .because("no reserved concurrency, no throttling on the path"),
        );
    }
    findings
}
