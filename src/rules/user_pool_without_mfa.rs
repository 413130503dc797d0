use super::{Context, Finding, declare_rule};
use crate::model::ChannelKind;

declare_rule! {
    /// ## What it finds
    /// A Cognito user pool that does not require multi-factor authentication (`mfa` absent or
    /// `false`).
    ///
    /// ## Why it matters
    /// Passwords are phished, reused and stuffed; every account of the pool — and everything its
    /// tokens unlock in the APIs behind it — is one leaked password away (SAS-2).
    ///
    /// ## Example
    /// ```yaml
    /// user-pool: {kind: cognito, mfa: false}
    /// ```
    ///
    /// ## How to fix
    /// Require MFA (TOTP or WebAuthn passkeys), at least for accounts with access to personal or
    /// payment data; turn on Cognito's compromised-credentials and adaptive authentication.
    ///
    /// ## False positives
    /// Pools federated to an identity provider that enforces MFA: declare `mfa: true`.
    pub static RULE = {
        id: "STR-038",
        name: "user-pool-without-mfa",
        title: "User pool without multi-factor authentication",
        stride: Spoofing,
        sas: ["SAS-2"],
        owasp: ["S2"],
        cwe: [308],
        capec: [560],
        impact_cap: Major,
        mitigation: "Require MFA (TOTP or passkeys) and turn on compromised-credential checks.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    cx.model
        .channels
        .iter()
        .filter(|(_, c)| c.kind == ChannelKind::Cognito && c.mfa != Some(true))
        .map(|(id, c)| {
            Finding::new(id, format!("a password alone signs in to `{id}`")).because(
                if c.mfa.is_some() {
                    "mfa: false"
                } else {
                    "no `mfa` declared"
                },
            )
        })
        .collect()
}
