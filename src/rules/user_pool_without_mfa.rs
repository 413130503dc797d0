use super::{Context, Finding, declare_rule};
use crate::model::{Auth, ChannelKind};

declare_rule! {
    /// ## What it finds
    /// A Cognito user pool that people sign in to and that does not require multi-factor
    /// authentication (`mfa` absent or `false`). People sign in to it when an actor (or an
    /// external) uses it, a
    /// function is triggered by it (sign-up, authentication), or an API authenticates with
    /// Cognito or with JWTs (an HTTP API's JWT authorizer may trust a pool). A pool with none of these — kept for OAuth client-credentials app clients,
    /// machine to machine — has no passwords to protect and is not reported.
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
    password_pools(cx)
        .filter(|(_, c)| c.mfa != Some(true))
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

/// The user pools people sign in to with passwords, in id order: every pool when some route
/// authenticates with Cognito or JWTs (the model does not say which pool issues the tokens),
/// else those an actor or external uses or a function is triggered by.
pub(super) fn password_pools<'m>(
    cx: &Context<'m>,
) -> impl Iterator<Item = (&'m String, &'m crate::model::Channel)> {
    let any = cognito_api(cx);
    cx.model
        .channels
        .iter()
        .filter(|(_, c)| c.kind == ChannelKind::Cognito)
        .filter(move |(id, _)| any || signed_in(cx, id))
}

/// Whether a route authenticates with Cognito or with JWTs (which a pool may issue).
fn cognito_api(cx: &Context<'_>) -> bool {
    // Tokens checked in handler code may be a pool's too.
    let tokens = |auth: Option<Auth>| matches!(auth, Some(Auth::Cognito | Auth::Jwt | Auth::Code));
    cx.model.channels.values().any(|c| tokens(c.auth))
        || cx
            .model
            .functions
            .values()
            .flat_map(|f| &f.triggers)
            .any(|t| tokens(t.auth))
}

/// Whether an actor or external uses the pool or a function is triggered by it.
fn signed_in(cx: &Context<'_>, pool: &str) -> bool {
    cx.model
        .actors
        .values()
        .flat_map(|a| &a.uses)
        .chain(cx.model.externals.values().flat_map(|e| &e.uses))
        .any(|flow| flow.target() == pool)
        || cx
            .model
            .functions
            .values()
            .flat_map(|f| &f.triggers)
            .any(|t| t.source.as_deref() == Some(pool))
}
