use super::{Context, Finding, declare_rule};
use crate::model::ChannelKind;

declare_rule! {
    /// ## What it finds
    /// A user-pool attribute that users can change themselves (`writable: true`: mutable and
    /// among the app client's write attributes, which is every attribute when the client names
    /// none) and by which the application grants access (`authorizes: true`: an admin flag, a
    /// role, a tenant or company id).
    ///
    /// ## Why it matters
    /// Any user can call Cognito's `UpdateUserAttributes` with their own access token and set
    /// `custom:is_admin` to `true`; the next token carries it, and the application believes it
    /// (SAS-2; broken access control).
    ///
    /// ## Example
    /// ```yaml
    /// user-pool:
    ///   kind: cognito
    ///   attributes: [{name: "custom:is_admin", writable: true, authorizes: true}]
    /// ```
    ///
    /// ## How to fix
    /// Make the attribute immutable or leave it out of every app client's write attributes, and
    /// set it only from the back end (`AdminUpdateUserAttributes`); better, keep roles in
    /// Cognito groups or in the application's own store.
    ///
    /// ## False positives
    /// None when the facts are right: an attribute the application trusts must not be writable.
    pub static RULE = {
        id: "STR-050",
        name: "user-writable-privilege-attribute",
        title: "Users can set an attribute that grants access",
        stride: ElevationOfPrivilege,
        sas: ["SAS-2"],
        owasp: ["S5"],
        cwe: [639, 269],
        capec: [122],
        impact_cap: Severe,
        mitigation: "Make the attribute immutable or not writable by app clients, and set it only from the back end.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, pool) in &cx.model.channels {
        if pool.kind != ChannelKind::Cognito {
            continue;
        }
        for attribute in pool
            .attributes
            .iter()
            .filter(|a| a.writable && a.authorizes)
        {
            let name = &attribute.name;
            findings.push(
                Finding::new(
                    id,
                    format!("users of `{id}` can set `{name}` on themselves, and the application grants access by it"),
                )
                .qualified(name.clone())
                .because(format!("attribute `{name}`: writable: true, authorizes: true")),
            );
        }
    }
    findings
}
