//! Cognito user pools (`AWS::Cognito::UserPool`): the channel with its MFA and password policy,
//! the attributes its schema declares with whether users can change them, the sign-in flows
//! its app clients (`AWS::Cognito::UserPoolClient`) allow, and the functions its triggers invoke.
//!
//! A pool's attributes and flows depend on all its clients, wherever they stand in the
//! template: the clients are gathered as they are read ([`Pool`]), and written on the pool's
//! channel once the whole template is read ([`Mapper::pool_clients`]).

use std::collections::BTreeSet;

use super::{Mapped, Mapper, element_doc};
use crate::import::emit::Doc;
use crate::import::template::{Resource, Val};

/// Cognito's standard attributes: any other attribute a schema declares is a custom one, named
/// `custom:<Name>` in tokens.
const STANDARD: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "email_verified",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "sub",
    "updated_at",
    "website",
    "zoneinfo",
];

/// The most schema attributes read from one pool (Cognito allows 50 custom ones).
const MAX_ATTRIBUTES: usize = 1_000;

/// `ExplicitAuthFlows` values → the model's flows (the `ALLOW_` names, and the legacy ones).
const EXPLICIT_FLOWS: &[(&str, &str)] = &[
    ("ALLOW_USER_SRP_AUTH", "user-srp"),
    ("ALLOW_USER_PASSWORD_AUTH", "user-password"),
    ("USER_PASSWORD_AUTH", "user-password"),
    ("ALLOW_ADMIN_USER_PASSWORD_AUTH", "admin-user-password"),
    ("ADMIN_NO_SRP_AUTH", "admin-user-password"),
    ("ALLOW_CUSTOM_AUTH", "custom"),
    ("CUSTOM_AUTH_FLOW_ONLY", "custom"),
    ("ALLOW_REFRESH_TOKEN_AUTH", "refresh-token"),
];

/// What a client that names no `ExplicitAuthFlows` allows (Cognito's default).
const DEFAULT_FLOWS: &[&str] = &["user-srp", "custom", "refresh-token"];

/// `AllowedOAuthFlows` values → the model's flows.
const OAUTH_FLOWS: &[(&str, &str)] = &[
    ("code", "code"),
    ("implicit", "implicit"),
    ("client_credentials", "client-credentials"),
];

/// A user pool of the template, with what its app clients allow.
#[derive(Debug, Default)]
pub(super) struct Pool {
    /// The attributes its schema declares: the name tokens carry, and whether users may change
    /// it at all (mutable, and not developer-only).
    attributes: Vec<(String, bool)>,
    /// How many app clients of the template sign in to it.
    clients: usize,
    /// Whether a client lets users write every attribute (it names no `WriteAttributes`).
    all_writable: bool,
    /// The attributes clients let users write.
    writable: BTreeSet<String>,
    /// The sign-in flows clients allow.
    flows: BTreeSet<&'static str>,
}

impl Mapper<'_> {
    pub(super) fn user_pool(&mut self, r: &Resource) {
        let mut channel = element_doc("cognito");
        let mfa = self.prop(r, "MfaConfiguration").and_then(|v| v.text());
        channel.set("mfa", Doc::Bool(mfa.as_deref() == Some("ON")));
        if let Some(policy) = self
            .prop(r, "Policies")
            .and_then(|p| password_policy(p.get("PasswordPolicy")?))
        {
            channel.set("password_policy", policy);
        }
        self.add_channel(r, channel);
        let pool = self.b.id(self.file, &r.id);
        let attributes = self
            .prop(r, "Schema")
            .map(|s| schema(&s))
            .unwrap_or_default();
        self.pools.entry(pool.clone()).or_default().attributes = attributes;
        if let Some(Val::Map(config)) = self.prop(r, "LambdaConfig") {
            for (event, target) in &config {
                if let Some(Mapped::Function(function)) = self.element_of(target).cloned() {
                    let mut trigger = Doc::map();
                    trigger.set("kind", Doc::str("cognito"));
                    trigger.set("source", Doc::str(pool.clone()));
                    trigger.set("events", Doc::Seq(vec![Doc::str(event.clone())]));
                    self.push_trigger(&function, trigger);
                }
            }
        }
    }

    /// An app client of a pool of the template: the flows it allows and the attributes it lets
    /// users write.
    pub(super) fn user_pool_client(&mut self, r: &Resource) {
        let Some(pool) = self
            .prop(r, "UserPoolId")
            .and_then(|v| self.typed(&v, &["AWS::Cognito::UserPool"]))
        else {
            return;
        };
        let explicit = self.prop(r, "ExplicitAuthFlows");
        let oauth = self.prop(r, "AllowedOAuthFlows").filter(|_| {
            // OAuth flows are off unless the client enables OAuth.
            self.prop(r, "AllowedOAuthFlowsUserPoolClient")
                .and_then(|v| v.as_bool())
                != Some(false)
        });
        let write: Vec<String> = self
            .prop(r, "WriteAttributes")
            .map(|w| w.items().into_iter().filter_map(Val::text).collect())
            .unwrap_or_default();
        let entry = self.pools.entry(pool).or_default();
        entry.clients += 1;
        entry.flows.extend(flows(explicit.as_ref(), oauth.as_ref()));
        // No write attributes (or none that can be read): every attribute, as Cognito does.
        if write.is_empty() {
            entry.all_writable = true;
        } else {
            entry.writable.extend(write);
        }
    }

    /// Each pool's attributes and sign-in flows, now that all its clients are known: an
    /// attribute is writable when users may change it and a client lets them (any client
    /// does when the template has none: a client made with Cognito's defaults would).
    pub(super) fn pool_clients(&mut self) {
        for (id, pool) in std::mem::take(&mut self.pools) {
            let Some(channel) = self.b.element("channels", &id) else {
                continue;
            };
            let attributes: Vec<Doc> = pool
                .attributes
                .iter()
                .map(|(name, mutable)| {
                    let writable = *mutable
                        && (pool.clients == 0 || pool.all_writable || pool.writable.contains(name));
                    let mut attribute = Doc::map();
                    attribute.set("name", Doc::str(name.clone()));
                    attribute.set("writable", Doc::Bool(writable));
                    attribute
                })
                .collect();
            if !attributes.is_empty() {
                channel.set("attributes", Doc::Seq(attributes));
            }
            if !pool.flows.is_empty() {
                channel.set(
                    "auth_flows",
                    Doc::Seq(pool.flows.into_iter().map(Doc::str).collect()),
                );
            }
        }
    }
}

/// A pool's `PasswordPolicy` as the model's `password_policy`: a requirement left out is off,
/// a length left out Cognito's 8 (within the 6 to 99 it accepts); `None` when a setting is known
/// only when deployed.
fn password_policy(policy: &Val) -> Option<Doc> {
    let length = match policy.get("MinimumLength") {
        None => 8,
        Some(v) => v.as_u32()?,
    };
    let mut doc = Doc::map();
    doc.set("min_length", Doc::Int(u64::from(length.clamp(6, 99))));
    for (key, field) in [
        ("RequireLowercase", "require_lowercase"),
        ("RequireUppercase", "require_uppercase"),
        ("RequireNumbers", "require_numbers"),
        ("RequireSymbols", "require_symbols"),
    ] {
        let required = match policy.get(key) {
            None => false,
            Some(v) => v.as_bool()?,
        };
        doc.set(field, Doc::Bool(required));
    }
    Some(doc)
}

/// The attributes a pool's `Schema` declares: their names in tokens (`custom:<Name>` for custom
/// ones, `dev:custom:<Name>` for developer-only ones) and whether users may change them
/// (`Mutable` defaults to true; developer-only attributes only administrators write).
fn schema(schema: &Val) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = Vec::new();
    for attribute in schema.items().into_iter().take(MAX_ATTRIBUTES) {
        let Some(name) = attribute.get("Name").and_then(Val::text) else {
            continue;
        };
        let developer = attribute
            .get("DeveloperOnlyAttribute")
            .and_then(Val::as_bool)
            == Some(true);
        let mutable = attribute
            .get("Mutable")
            .and_then(Val::as_bool)
            .unwrap_or(true);
        let bare = name.strip_prefix("custom:").unwrap_or(&name);
        let token = if developer {
            format!("dev:custom:{bare}")
        } else if STANDARD.contains(&name.as_str()) {
            name.clone()
        } else {
            format!("custom:{bare}")
        };
        if !out.iter().any(|(n, _)| *n == token) {
            out.push((token, mutable && !developer));
        }
    }
    out
}

/// The flows a client allows: its `ExplicitAuthFlows` (Cognito's defaults when it names none)
/// and its OAuth flows.
fn flows(explicit: Option<&Val>, oauth: Option<&Val>) -> BTreeSet<&'static str> {
    let named: Vec<String> = explicit
        .map(|e| e.items().into_iter().filter_map(Val::text).collect())
        .unwrap_or_default();
    let mut out: BTreeSet<&'static str> = if named.is_empty() {
        DEFAULT_FLOWS.iter().copied().collect()
    } else {
        named
            .iter()
            .filter_map(|n| EXPLICIT_FLOWS.iter().find(|(k, _)| k == n).map(|(_, f)| *f))
            .collect()
    };
    for flow in oauth.map(Val::items).unwrap_or_default() {
        if let Some(name) = flow.text()
            && let Some((_, f)) = OAUTH_FLOWS.iter().find(|(k, _)| *k == name)
        {
            out.insert(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::template::lit;

    #[test]
    fn custom_and_developer_only_attributes_get_their_token_names() {
        let attribute = |name: &str, extra: Vec<(String, Val)>| {
            let mut entries = vec![("Name".to_owned(), lit(name))];
            entries.extend(extra);
            Val::Map(entries)
        };
        let declared = schema(&Val::List(vec![
            attribute("email", Vec::new()),
            attribute("tenant_id", vec![("Mutable".into(), Val::Bool(false))]),
            attribute("is_admin", Vec::new()),
            attribute(
                "score",
                vec![("DeveloperOnlyAttribute".into(), Val::Bool(true))],
            ),
            attribute("is_admin", vec![("Mutable".into(), Val::Bool(false))]),
        ]));
        assert_eq!(
            declared,
            [
                ("email".to_owned(), true),
                ("custom:tenant_id".to_owned(), false),
                ("custom:is_admin".to_owned(), true),
                ("dev:custom:score".to_owned(), false),
            ]
        );
    }

    #[test]
    fn clients_allow_their_flows_or_cognitos_defaults() {
        let list = |names: &[&str]| Val::List(names.iter().map(|n| lit(*n)).collect());
        assert_eq!(
            flows(
                Some(&list(&[
                    "ALLOW_USER_PASSWORD_AUTH",
                    "ADMIN_NO_SRP_AUTH",
                    "NONSENSE"
                ])),
                Some(&list(&["implicit", "client_credentials"]))
            ),
            BTreeSet::from([
                "user-password",
                "admin-user-password",
                "implicit",
                "client-credentials"
            ])
        );
        assert_eq!(
            flows(None, None),
            BTreeSet::from(["user-srp", "custom", "refresh-token"])
        );
    }

    #[test]
    fn a_password_policy_known_only_when_deployed_is_left_out() {
        let policy = Val::Map(vec![
            ("MinimumLength".into(), Val::Number("4".into())),
            ("RequireSymbols".into(), Val::Bool(true)),
        ]);
        let doc = password_policy(&policy).unwrap();
        assert_eq!(doc.get("min_length"), Some(&Doc::Int(6)));
        assert_eq!(doc.get("require_symbols"), Some(&Doc::Bool(true)));
        assert_eq!(doc.get("require_numbers"), Some(&Doc::Bool(false)));
        let unknown = Val::Map(vec![(
            "MinimumLength".into(),
            Val::Text(vec![crate::import::template::Piece::Unknown(
                "parameter Length".into(),
            )]),
        )]);
        assert!(password_policy(&unknown).is_none());
    }
}
