use super::user_pool_without_mfa::password_pools;
use super::{Context, Finding, declare_rule};
use crate::model::AuthFlow;

declare_rule! {
    /// ## What it finds
    /// A user pool that people sign in to whose app clients allow a sign-in flow that exposes
    /// passwords or tokens: `user-password` (`ALLOW_USER_PASSWORD_AUTH`) and
    /// `admin-user-password` (`ALLOW_ADMIN_USER_PASSWORD_AUTH`, formerly `ADMIN_NO_SRP_AUTH`)
    /// send the password itself instead of an SRP proof, and the OAuth `implicit` grant returns
    /// tokens in the redirect URL.
    ///
    /// ## Why it matters
    /// A password that travels can be logged, proxied or phished by whatever sits on its path
    /// (the back end that relays it, a logging proxy, a browser extension). Tokens in URLs end up
    /// in browser history, referrer headers and logs, and cannot be bound to the client
    /// (SAS-2).
    ///
    /// ## Example
    /// ```yaml
    /// user-pool: {kind: cognito, auth_flows: [admin-user-password, refresh-token]}
    /// ```
    ///
    /// ## How to fix
    /// Use SRP (`user-srp`) for password sign-in and the authorization code grant with PKCE
    /// (`code`) for hosted sign-in; migrate users with a migration trigger rather than keeping
    /// password flows on.
    ///
    /// ## False positives
    /// A password flow kept for a one-off user migration: accept with an end date.
    pub static RULE = {
        id: "STR-051",
        name: "insecure-auth-flow",
        title: "User pool allows a sign-in flow that exposes passwords or tokens",
        stride: Spoofing,
        sas: ["SAS-2"],
        owasp: ["S2"],
        cwe: [522, 598],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Use SRP for password sign-in and the authorization code grant with PKCE; turn password and implicit flows off.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    password_pools(cx)
        .filter_map(|(id, pool)| {
            let flows: Vec<String> = pool
                .auth_flows
                .iter()
                .filter_map(|flow| {
                    let why = match flow {
                        AuthFlow::UserPassword | AuthFlow::AdminUserPassword => {
                            "sends the password"
                        }
                        AuthFlow::Implicit => "returns tokens in the URL",
                        _ => return None,
                    };
                    Some(format!("`{}` ({why})", crate::model::kebab(flow)))
                })
                .collect();
            (!flows.is_empty()).then(|| {
                Finding::new(
                    id,
                    format!("app clients of `{id}` allow {}", flows.join(", ")),
                )
                .because(format!("auth_flows: {}", flows.join(", ")))
            })
        })
        .collect()
}
