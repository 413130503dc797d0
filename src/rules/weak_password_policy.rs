use super::user_pool_without_mfa::password_pools;
use super::{Context, Finding, declare_rule};

/// The shortest password that needs no character classes (PCI DSS v4.0 8.3.6 asks for 12).
const LONG: u32 = 12;
/// The shortest password at all (NIST SP 800-63B 5.1.1.2).
const SHORT: u32 = 8;

declare_rule! {
    /// ## What it finds
    /// A user pool that people sign in to whose `password_policy` lets weak passwords through:
    /// shorter than 8 characters, or shorter than 12 with fewer than two character classes
    /// required (lower case, upper case, numbers, symbols). A pool without `password_policy` has
    /// Cognito's default (8 characters, all four classes) and is not reported.
    ///
    /// | minimum length | classes required | reported |
    /// |---|---|---|
    /// | below 8 | any | yes |
    /// | 8 to 11 | 0 or 1 | yes |
    /// | 8 to 11 | 2 or more | no |
    /// | 12 or more | any | no |
    ///
    /// ## Why it matters
    /// Short passwords fall to guessing and credential stuffing in hours; users pick the weakest
    /// the form accepts. Every account of the pool, and what its tokens unlock, is exposed
    /// (SAS-2).
    ///
    /// ## Example
    /// ```yaml
    /// user-pool: {kind: cognito, password_policy: {min_length: 6}}
    /// ```
    ///
    /// ## How to fix
    /// Require at least 12 characters (or 8 with several character classes), turn on
    /// compromised-credential checks, and require MFA.
    ///
    /// ## False positives
    /// Pools whose users only sign in through a federated identity provider with its own
    /// policy: state the provider's policy in the model.
    pub static RULE = {
        id: "STR-049",
        name: "weak-password-policy",
        title: "User pool accepts weak passwords",
        stride: Spoofing,
        sas: ["SAS-2"],
        owasp: ["S2"],
        cwe: [521],
        capec: [49],
        impact_cap: Major,
        mitigation: "Require at least 12 characters (or 8 with several character classes) and compromised-credential checks.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    password_pools(cx)
        .filter_map(|(id, pool)| {
            let policy = pool.password_policy?;
            let classes = policy.classes();
            let weak = policy.min_length < SHORT || (policy.min_length < LONG && classes < 2);
            weak.then(|| {
                Finding::new(
                    id,
                    format!(
                        "`{id}` accepts passwords of {} characters with {classes} character class{} required",
                        policy.min_length,
                        if classes == 1 { "" } else { "es" }
                    ),
                )
                .because(format!(
                    "password_policy: min_length {}, {classes} of 4 character classes required",
                    policy.min_length
                ))
            })
        })
        .collect()
}
