//! Threat rules: one file per rule, each declared with [`declare_rule!`], collected in [`RULES`].
//!
//! A rule's doc comment *is* its documentation (what it finds, why it matters, an example, how to
//! fix it, false positives): the macro captures it as data, with the rule's id, name, STRIDE
//! category, references and the file and line it is declared at, so `strider rules`, `explain`,
//! SARIF and the reports all read one text. Rule ids are public API: never renumber or reuse one.

mod api_without_access_logs;
mod bucket_without_public_access_block;
mod context;
mod data_in_code_package;
mod insecure_auth_flow;
mod permissive_cors;
mod personal_data_logs_kept_forever;
mod publicly_writable_store;
mod user_writable_privilege_attribute;
mod weak_password_policy;
pub use context::{iam_services, trigger_qualifier};

mod admin_function_on_public_path;
mod api_key_only_auth;
mod api_without_tls;
mod async_trigger_without_dlq;
mod attacker_content_on_website;
mod attacker_writable_trigger_store;
mod batch_without_partial_failure;
mod denial_of_wallet;
mod deprecated_runtime;
pub(crate) mod event_injection;
mod flow_without_permission;
mod long_synchronous_timeout;
mod low_concurrency_public_function;
mod missing_logging;
mod missing_tracing;
mod no_security_monitoring;
mod obsolete_function;
mod payload_logging;
mod plaintext_sensitive_flow;
mod privileged_action_on_public_path;
mod public_api_without_throttling;
mod public_api_without_waf;
mod public_messaging_channel;
mod public_store;
mod queue_without_redrive;
mod recursive_loop;
mod regulated_data_leaves_boundary;
mod regulated_data_without_cmk;
mod secret_in_environment;
mod shared_role;
mod short_log_retention;
mod state_across_invocations;
mod store_without_access_logging;
mod store_without_backup;
mod stored_data_injection;
pub(crate) mod unauthenticated_boundary_crossing;
mod unauthenticated_public_trigger;
mod unbounded_concurrency;
mod unencrypted_messaging;
mod unencrypted_store;
mod unknown_iam_action;
pub(crate) mod unlocked_dependencies;
mod unscanned_dependencies;
mod unused_permission;
mod unverified_webhook;
pub(crate) mod user_pool_without_mfa;
mod verbose_errors;
pub(crate) mod wildcard_permission;

pub use context::{Context, Exposure};

use serde::Serialize;

/// STRIDE categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stride {
    /// Pretending to be someone or something else.
    Spoofing,
    /// Changing data or code.
    Tampering,
    /// Denying having done something.
    Repudiation,
    /// Exposing information.
    InformationDisclosure,
    /// Denying service (or, serverless, running up the bill).
    DenialOfService,
    /// Gaining rights one should not have.
    ElevationOfPrivilege,
}

impl Stride {
    /// The category's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Stride::Spoofing => "Spoofing",
            Stride::Tampering => "Tampering",
            Stride::Repudiation => "Repudiation",
            Stride::InformationDisclosure => "Information disclosure",
            Stride::DenialOfService => "Denial of service",
            Stride::ElevationOfPrivilege => "Elevation of privilege",
        }
    }
}

/// Where a rule comes from in the security literature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct References {
    /// PureSec / CSA "Serverless Application Security" top-12 risks (`SAS-1`…`SAS-12`).
    pub sas: &'static [&'static str],
    /// OWASP Serverless Top 10 (`S1`…`S10`).
    pub owasp: &'static [&'static str],
    /// CWE ids.
    pub cwe: &'static [u32],
    /// CAPEC ids.
    pub capec: &'static [u32],
}

impl References {
    /// Every reference as a label: `SAS-1`, `S1`, `CWE-20`, `CAPEC-152`.
    #[must_use]
    pub fn labels(&self) -> Vec<String> {
        let mut labels: Vec<String> = self
            .sas
            .iter()
            .chain(self.owasp)
            .map(|s| (*s).to_owned())
            .collect();
        labels.extend(self.cwe.iter().map(|c| format!("CWE-{c}")));
        labels.extend(self.capec.iter().map(|c| format!("CAPEC-{c}")));
        labels
    }
}

/// How much harm a kind of weakness can do at most, whatever data is behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImpactCap {
    /// Hardly any harm by itself (missing tracing).
    Minor,
    /// Some harm (cost, delays, weaker forensics).
    Moderate,
    /// Serious harm (data changed or exposed).
    Major,
    /// The worst the data allows.
    Severe,
}

/// One threat rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable id, `STR-###`.
    pub id: &'static str,
    /// Kebab-case name of the bad pattern.
    pub name: &'static str,
    /// One line for tables.
    pub title: &'static str,
    /// STRIDE category.
    pub stride: Stride,
    /// Literature references.
    pub references: References,
    /// What to do, in one or two sentences.
    pub mitigation: &'static str,
    /// The most harm this weakness can do.
    pub impact_cap: ImpactCap,
    /// The rule's documentation: its doc comment.
    pub docs: &'static str,
    /// The source file the rule is declared in.
    pub file: &'static str,
    /// The line it is declared at.
    pub line: u32,
    /// The check.
    pub check: fn(&Context<'_>) -> Vec<Finding>,
}

impl Rule {
    /// The rule's documentation as Markdown: its doc comment without rustdoc's leading spaces.
    #[must_use]
    pub fn documentation(&self) -> String {
        self.docs
            .lines()
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// One place where a rule fires.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The element the threat is about.
    pub element: String,
    /// A qualifier that tells apart several findings of one rule on one element (a trigger's
    /// source, a flow's target, a permission's action), stable across unrelated edits.
    pub qualifier: Option<String>,
    /// What is wrong here, in a sentence.
    pub message: String,
    /// Facts behind the finding that the report lists.
    pub evidence: Vec<String>,
}

impl Finding {
    /// A finding on an element.
    #[must_use]
    pub fn new(element: &str, message: impl Into<String>) -> Self {
        Finding {
            element: element.to_owned(),
            qualifier: None,
            message: message.into(),
            evidence: Vec::new(),
        }
    }

    /// Adds a qualifier.
    #[must_use]
    pub fn qualified(mut self, qualifier: impl Into<String>) -> Self {
        self.qualifier = Some(qualifier.into());
        self
    }

    /// Adds a fact.
    #[must_use]
    pub fn because(mut self, fact: impl Into<String>) -> Self {
        self.evidence.push(fact.into());
        self
    }
}

/// Declares a rule: its doc comment becomes [`Rule::docs`], its place [`Rule::file`] and [`Rule::line`].
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub static $name:ident = {
            id: $id:literal,
            name: $kebab:literal,
            title: $title:literal,
            stride: $stride:ident,
            sas: [$($sas:literal),* $(,)?],
            owasp: [$($owasp:literal),* $(,)?],
            cwe: [$($cwe:literal),* $(,)?],
            capec: [$($capec:literal),* $(,)?],
            impact_cap: $cap:ident,
            mitigation: $mitigation:literal,
            check: $check:path $(,)?
        };
    ) => {
        $(#[doc = $doc])+
        pub static $name: $crate::rules::Rule = $crate::rules::Rule {
            id: $id,
            name: $kebab,
            title: $title,
            stride: $crate::rules::Stride::$stride,
            references: $crate::rules::References {
                sas: &[$($sas),*],
                owasp: &[$($owasp),*],
                cwe: &[$($cwe),*],
                capec: &[$($capec),*],
            },
            mitigation: $mitigation,
            impact_cap: $crate::rules::ImpactCap::$cap,
            docs: concat!($($doc, "\n"),+),
            file: file!(),
            line: line!(),
            check: $check,
        };
    };
}
pub(crate) use declare_rule;

/// Every rule, in id order.
pub static RULES: &[&Rule] = &[
    &unauthenticated_public_trigger::RULE,
    &event_injection::RULE,
    &wildcard_permission::RULE,
    &shared_role::RULE,
    &secret_in_environment::RULE,
    &unbounded_concurrency::RULE,
    &public_store::RULE,
    &unencrypted_store::RULE,
    &async_trigger_without_dlq::RULE,
    &recursive_loop::RULE,
    &deprecated_runtime::RULE,
    &missing_logging::RULE,
    &missing_tracing::RULE,
    &short_log_retention::RULE,
    &payload_logging::RULE,
    &store_without_access_logging::RULE,
    &plaintext_sensitive_flow::RULE,
    &long_synchronous_timeout::RULE,
    &unlocked_dependencies::RULE,
    &unscanned_dependencies::RULE,
    &queue_without_redrive::RULE,
    &batch_without_partial_failure::RULE,
    &low_concurrency_public_function::RULE,
    &unencrypted_messaging::RULE,
    &api_key_only_auth::RULE,
    &unverified_webhook::RULE,
    &public_messaging_channel::RULE,
    &public_api_without_waf::RULE,
    &api_without_tls::RULE,
    &privileged_action_on_public_path::RULE,
    &admin_function_on_public_path::RULE,
    &unused_permission::RULE,
    &flow_without_permission::RULE,
    &obsolete_function::RULE,
    &regulated_data_without_cmk::RULE,
    &regulated_data_leaves_boundary::RULE,
    &no_security_monitoring::RULE,
    &user_pool_without_mfa::RULE,
    &store_without_backup::RULE,
    &verbose_errors::RULE,
    &attacker_writable_trigger_store::RULE,
    &unauthenticated_boundary_crossing::RULE,
    &state_across_invocations::RULE,
    &public_api_without_throttling::RULE,
    &denial_of_wallet::RULE,
    &stored_data_injection::RULE,
    &unknown_iam_action::RULE,
    &attacker_content_on_website::RULE,
    &weak_password_policy::RULE,
    &user_writable_privilege_attribute::RULE,
    &insecure_auth_flow::RULE,
    &bucket_without_public_access_block::RULE,
    &permissive_cors::RULE,
    &api_without_access_logs::RULE,
    &data_in_code_package::RULE,
    &publicly_writable_store::RULE,
    &personal_data_logs_kept_forever::RULE,
];

/// A rule by id (`STR-001`) or name (`wildcard-permission`).
#[must_use]
pub fn find(key: &str) -> Option<&'static Rule> {
    RULES
        .iter()
        .copied()
        .find(|rule| rule.id.eq_ignore_ascii_case(key) || rule.name == key)
}

/// Ids in one of strider's sentences (a path, a list): each in backticks, so the Markdown report
/// shows it as a code span (where no emphasis, link or GFM autolink forms) and other formats as
/// quoted text. The `…` and `… N more …` elements strider puts in a shortened path stay bare.
#[must_use]
pub fn quoted<S: AsRef<str>>(ids: &[S], separator: &str) -> String {
    ids.iter()
        .map(|id| {
            let id = id.as_ref();
            let elided = id == "…"
                || id
                    .strip_prefix("… ")
                    .and_then(|rest| rest.strip_suffix(" more …"))
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if elided {
                id.to_owned()
            } else {
                format!("`{id}`")
            }
        })
        .collect::<Vec<_>>()
        .join(separator)
}
