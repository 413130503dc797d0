use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A function that an internet-facing entry point triggers directly (through no other
    /// function: an API route, a public bucket's notifications, a queue an untrusted sender
    /// writes), with nothing that bounds how often it runs: no reserved concurrency on the
    /// function and no throttling on the way in. A `rate-limit` or `budget-alarm` control lowers
    /// the residual risk. A Cognito user pool is throttling on the way in: its triggers run at
    /// most as often as Cognito's request quotas (sign-ups, sign-ins per second, per account and
    /// Region) allow.
    ///
    /// Functions further downstream — invoked by, or triggered by what is written by, another
    /// function — are not reported: the flood reaches them only as fast as the front function
    /// runs, so a limit at the front bounds them too, and one finding per front function points
    /// at the one place to fix (reporting every downstream function would repeat it).
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
        let throttled = |hop: &String| {
            cx.model.channels.get(hop).is_some_and(|c| {
                c.throttling.is_some() || c.kind == crate::model::ChannelKind::Cognito
            })
        };
        let Some(path) = cx
            .front_triggers(id)
            .into_iter()
            .filter_map(|source| cx.exposure(source))
            .find(|exposure| !exposure.path.iter().any(throttled))
            .map(|exposure| {
                let mut path = exposure.path.clone();
                path.push(id.clone());
                path
            })
        else {
            continue;
        };
        findings.push(
            Finding::new(
                id,
                format!("`{id}` can be invoked from the internet without limit"),
            )
            .because(format!("reachable via {}", super::quoted(&path, " → ")))
            .because("no reserved concurrency, no throttling on the path"),
        );
    }
    findings
}
