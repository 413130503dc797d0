use super::{Context, Finding, declare_rule};

/// Lambda's defaults when the model does not say: 128 MB, 3 s.
const DEFAULT_MEMORY_MB: u32 = 128;
const DEFAULT_TIMEOUT_S: u32 = 3;

/// Worst-case cost of one invocation, in MB·s (memory × timeout), from which it is reported:
/// 10 GB·s, such as 1 GB for 10 s or 3 GB for a little over 3 s.
const THRESHOLD_MB_S: u32 = 10 * 1024;

/// How many copies of a function run at once when nothing reserves fewer: Lambda's default
/// account concurrency quota.
const ACCOUNT_CONCURRENCY: u32 = 1000;

/// What Lambda bills per GB·s (x86, us-east-1, first pricing tier), in millionths of a dollar.
const MICRODOLLARS_PER_GB_S: f64 = 16.6667;

declare_rule! {
    /// ## What it finds
    /// A function that anyone on the internet can make run without authenticating (a route with
    /// no authorizer, a function URL with `auth: none`, a public bucket's notifications) and
    /// whose every invocation may bill at least 10 GB·s: `memory_mb` × `timeout_s` (Lambda's
    /// defaults, 128 MB and 3 s, when the model does not say). The evidence gives the worst
    /// case per hour: every allowed concurrent copy running to its timeout (reserved concurrency,
    /// or the default account quota of 1000), at Lambda's x86 price. A function reserved to 5
    /// concurrent executions or fewer is not reported: the bill is bounded to a few copies, and
    /// what the low bound leaves is the availability risk `low-concurrency-public-function`
    /// reports.
    ///
    /// ## Why it matters
    /// Denial of wallet: the attacker pays one request; the owner pays the memory for the whole
    /// timeout, for every request, at whatever rate the attacker sends. Large memory and long
    /// timeouts are where a flood becomes a bill (SAS-8).
    ///
    /// ## Example
    /// ```yaml
    /// render-pdf:
    ///   memory_mb: 3008
    ///   timeout_s: 60
    ///   triggers: [{kind: http, source: public-api, auth: none}]
    /// ```
    ///
    /// ## How to fix
    /// Authenticate the route; size memory and timeout to what the handler needs (measure it);
    /// bound the rate (API throttling) and the concurrency (`reserved_concurrency`); alarm on
    /// the budget.
    ///
    /// ## False positives
    /// Work that needs the size and is bounded elsewhere (a WAF rate rule, CloudFront): declare
    /// the bound as `throttling` or a `rate-limit`/`budget-alarm` control, which lowers the
    /// residual risk.
    pub static RULE = {
        id: "STR-045",
        name: "denial-of-wallet",
        title: "Unauthenticated function with costly invocations",
        stride: DenialOfService,
        sas: ["SAS-8"],
        owasp: ["S6"],
        cwe: [400, 770],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Authenticate the route, size memory and timeout to need, and bound rate and concurrency.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        let memory = function.memory_mb.unwrap_or(DEFAULT_MEMORY_MB);
        let timeout = function.timeout_s.unwrap_or(DEFAULT_TIMEOUT_S);
        let per_invocation = memory.saturating_mul(timeout);
        if per_invocation < THRESHOLD_MB_S {
            continue;
        }
        let Some(exposure) = cx.exposure(id).filter(|e| e.authenticated_hops == 0) else {
            continue;
        };
        if function
            .reserved_concurrency
            .is_some_and(|c| c <= super::low_concurrency_public_function::LOW)
        {
            continue;
        }
        let concurrency = function.reserved_concurrency.unwrap_or(ACCOUNT_CONCURRENCY);
        // Each copy running to its timeout, back to back, for an hour.
        let gb_s_per_hour = f64::from(concurrency) * f64::from(memory) / 1024.0 * 3600.0;
        let dollars_per_hour = gb_s_per_hour * MICRODOLLARS_PER_GB_S / 1_000_000.0;
        findings.push(
            Finding::new(
                id,
                format!(
                    "anyone can make `{id}` run for up to {timeout} s with {memory} MB, unauthenticated"
                ),
            )
            .because(format!(
                "up to {:.1} GB·s billed per request",
                f64::from(per_invocation) / 1024.0
            ))
            .because(format!(
                "{concurrency} concurrent ({}): up to ${dollars_per_hour:.0} per hour",
                if function.reserved_concurrency.is_some() {
                    "reserved concurrency"
                } else {
                    "the default account quota"
                }
            ))
            .because(format!(
                "unauthenticated path: {}",
                super::quoted(&exposure.path, " → ")
            )),
        );
    }
    findings
}
