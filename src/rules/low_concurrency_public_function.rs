use super::{Context, Finding, declare_rule};

/// At or below this many concurrent executions, a handful of slow requests is a denial of service.
pub(super) const LOW: u32 = 5;

declare_rule! {
    /// ## What it finds
    /// A function an internet-facing entry point triggers directly (through no other function)
    /// whose reserved concurrency is very low: 5 or fewer.
    ///
    /// ## Why it matters
    /// Reserved concurrency caps cost, but a very low cap is a lever: an attacker who sends a few
    /// slow requests occupies every execution slot and everyone else gets throttled (429s, or
    /// events piling up), cheaply.
    ///
    /// ## Example
    /// ```yaml
    /// reserved_concurrency: 1   # behind a public API
    /// ```
    ///
    /// ## How to fix
    /// Size reserved concurrency for peak legitimate load, and throttle per client at the API
    /// (usage plans, WAF rate-based rules) so one client cannot take every slot.
    ///
    /// ## False positives
    /// Functions that must run one at a time by design: accept, and throttle per client in front.
    pub static RULE = {
        id: "STR-023",
        name: "low-concurrency-public-function",
        title: "Very low concurrency on an internet-facing function",
        stride: DenialOfService,
        sas: ["SAS-8"],
        owasp: ["S6"],
        cwe: [400],
        capec: [469],
        impact_cap: Moderate,
        mitigation: "Size reserved concurrency for peak load and throttle per client at the API.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    cx.model
        .functions
        .iter()
        .filter_map(|(id, f)| {
            f.reserved_concurrency
                .filter(|c| *c <= LOW)
                .map(|c| (id, c))
        })
        .filter(|(id, _)| !cx.front_triggers(id).is_empty())
        .map(|(id, c)| {
            Finding::new(
                id,
                format!(
                    "{c} concurrent execution(s) of `{id}` are easy to exhaust from the internet"
                ),
            )
            .because(format!("reserved_concurrency: {c}"))
        })
        .collect()
}
