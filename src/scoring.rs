//! Explainable risk scoring: likelihood from exposure, impact from the data an element can reach,
//! severity from a fixed matrix, and every step recorded as a factor a reviewer can check.
//!
//! Likelihood starts from exposure: an element an attacker reaches in one hop from an untrusted
//! entry point is *likely* to be attacked, one further inside *possible* (reaching means what an
//! attacker can make happen: requests, triggers, deliveries, invocations, writes), one the
//! attacker only feeds through data it reads (data poisoning) or not reachable from an untrusted
//! boundary at all *unlikely*, with the poisoning path as a factor. Every authenticator on the attacker's way in, and input
//! validated upstream, lowers it by one step — never below *unlikely*: being reachable is never
//! less likely than not being reachable. Impact is the classification of the most sensitive data the element can reach
//! through the graph (restricted → severe, confidential → major, internal → moderate, else
//! minor), capped by what the rule's kind of weakness can do at most. Severity is
//! likelihood × impact on 1–4 scales: 12–16 critical, 8–9 high, 4–6 medium, 1–3 low.
//!
//! Residual risk: a declared control that counters the threat's STRIDE category and applies to
//! the element (or to the whole system) lowers likelihood by one step; a tracking status of
//! `mitigated` lowers it to *rare*. `accepted` and `false-positive` keep the score and show the
//! status: nothing is dropped.

use serde::Serialize;

use crate::model::{Classification, ControlKind, TrackingStatus, kebab};
use crate::rules::{Context, Finding, ImpactCap, Rule, Stride, quoted};

/// How likely an attack is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Likelihood {
    /// Needs an insider or several unlikely mistakes.
    Rare = 1,
    /// Not reachable from an untrusted boundary, or behind authentication.
    Unlikely = 2,
    /// Reachable from the internet through the system.
    Possible = 3,
    /// Directly exposed to the internet.
    Likely = 4,
}

/// How much harm a successful attack does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Impact {
    /// Public data, or a weakness that does little by itself.
    Minor = 1,
    /// Internal data, cost, delays.
    Moderate = 2,
    /// Confidential data.
    Major = 3,
    /// Restricted data: card data, health records, credentials.
    Severe = 4,
}

/// Severity, from likelihood × impact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// 1–3.
    Low,
    /// 4–6.
    Medium,
    /// 8–9.
    High,
    /// 12–16.
    Critical,
}

impl Severity {
    /// The matrix: likelihood × impact.
    #[must_use]
    pub fn from_matrix(likelihood: Likelihood, impact: Impact) -> Severity {
        match likelihood as u8 * impact as u8 {
            12.. => Severity::Critical,
            8..=11 => Severity::High,
            4..=7 => Severity::Medium,
            _ => Severity::Low,
        }
    }

    /// The severity's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl Likelihood {
    fn lower(self) -> Likelihood {
        match self {
            Likelihood::Likely => Likelihood::Possible,
            Likelihood::Possible => Likelihood::Unlikely,
            Likelihood::Unlikely | Likelihood::Rare => Likelihood::Rare,
        }
    }
}

/// One step of a score, as the report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Factor {
    /// `likelihood`, `impact` or `residual`.
    pub on: &'static str,
    /// What the step found.
    pub text: String,
}

/// A threat's score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Score {
    /// Likelihood before controls.
    pub likelihood: Likelihood,
    /// Impact.
    pub impact: Impact,
    /// Severity before controls and tracking.
    pub severity: Severity,
    /// Likelihood after controls and tracking.
    pub residual_likelihood: Likelihood,
    /// Severity after controls and tracking.
    pub residual_severity: Severity,
    /// Every step, in order.
    pub factors: Vec<Factor>,
}

/// Which controls counter which STRIDE categories.
fn counters(kind: ControlKind, stride: Stride) -> bool {
    use ControlKind as C;
    use Stride as S;
    matches!(
        (kind, stride),
        (
            C::Waf | C::InputValidation | C::Rasp,
            S::Tampering | S::Spoofing
        ) | (C::RateLimit | C::BudgetAlarm, S::DenialOfService)
            | (C::Siem | C::Monitoring, S::Repudiation)
            | (C::DependencyScanning, S::ElevationOfPrivilege)
            | (C::SecretScanning, S::InformationDisclosure)
            | (C::Backup, S::Tampering)
    )
}

/// Scores one finding of a rule.
#[must_use]
pub fn score(
    cx: &Context<'_>,
    rule: &Rule,
    finding: &Finding,
    tracking: Option<TrackingStatus>,
) -> Score {
    let element = finding.element.as_str();
    let mut factors = Vec::new();
    let mut likelihood = likelihood(cx, rule, element, &mut factors);
    let mut impact = impact(cx, rule, element, &mut factors);
    if let Some(calibration) = calibration(cx, rule, finding) {
        match calibration {
            Calibration::Likelihood(cap, why) if likelihood > cap => {
                likelihood = cap;
                factors.push(Factor {
                    on: "likelihood",
                    text: format!("calibrated to at most {}: {why}", kebab(&cap)),
                });
            }
            Calibration::Impact(cap, why) if impact > cap => {
                impact = cap;
                factors.push(Factor {
                    on: "impact",
                    text: format!("calibrated to at most {}: {why}", kebab(&cap)),
                });
            }
            Calibration::Likelihood(..) | Calibration::Impact(..) => {}
        }
    }
    let severity = Severity::from_matrix(likelihood, impact);
    let residual = residual(cx, rule, element, tracking, likelihood, &mut factors);
    Score {
        likelihood,
        impact,
        severity,
        residual_likelihood: residual,
        residual_severity: Severity::from_matrix(residual, impact),
        factors,
    }
}

/// Likelihood from exposure, authenticated entry hops and upstream validation.
fn likelihood(
    cx: &Context<'_>,
    rule: &Rule,
    element: &str,
    factors: &mut Vec<Factor>,
) -> Likelihood {
    // Anyone can read a public store: `public-store` needs no path to disclose what it holds.
    let public = cx
        .model
        .stores
        .get(element)
        .is_some_and(|s| s.public.read || s.public.list);
    if public && crate::rules::find("public-store").is_some_and(|r| r.id == rule.id) {
        factors.push(Factor {
            on: "likelihood",
            text: "anyone on the internet can read it (public)".to_owned(),
        });
        return Likelihood::Likely;
    }
    let mut likelihood = match cx.exposure(element) {
        Some(exposure) if exposure.hops <= 1 => {
            factors.push(Factor {
                on: "likelihood",
                text: format!("directly exposed: {}", quoted(&exposure.path, " → ")),
            });
            Likelihood::Likely
        }
        Some(exposure) => {
            factors.push(Factor {
                on: "likelihood",
                text: format!(
                    "reachable from the internet in {} hops: {}",
                    exposure.hops,
                    quoted(&exposure.path, " → ")
                ),
            });
            Likelihood::Possible
        }
        None => {
            // Poisoned data needs the reader to mishandle it: weaker than being started.
            let text = if let Some(poisoning) = cx.poisoning(element) {
                format!(
                    "reads data an attacker can write (data poisoning): {}",
                    quoted(&poisoning.path, " → ")
                )
            } else {
                "not reachable from an untrusted boundary".to_owned()
            };
            factors.push(Factor {
                on: "likelihood",
                text,
            });
            Likelihood::Unlikely
        }
    };
    if let Some(exposure) = cx.exposure(element) {
        for _ in 0..exposure.authenticated_hops.min(2) {
            likelihood = likelihood.lower();
        }
        if exposure.authenticated_hops > 0 {
            factors.push(Factor {
                on: "likelihood",
                text: format!(
                    "{} authenticated hop(s) on the attacker's path",
                    exposure.authenticated_hops
                ),
            });
        }
    }
    // Input validated by a function on the attacker's path limits what reaches this element.
    if rule.stride == Stride::Tampering
        && let Some(exposure) = cx.exposure(element)
        && let Some(validator) = &exposure.validator
    {
        likelihood = likelihood.lower();
        factors.push(Factor {
            on: "likelihood",
            text: format!("input validated upstream by `{validator}`"),
        });
    }
    // Being reachable, however well guarded, is never less likely than not being reachable.
    likelihood = likelihood.max(Likelihood::Unlikely);
    likelihood
}

/// Impact from the most sensitive data in the element's blast radius, capped by the rule.
fn impact(cx: &Context<'_>, rule: &Rule, element: &str, factors: &mut Vec<Factor>) -> Impact {
    let data = cx.reachable_classification(element);
    let data_impact = match data {
        Some(Classification::Restricted) => Impact::Severe,
        // Unclassified (an import placeholder) counts as confidential until classified.
        Some(Classification::Confidential | Classification::Unclassified) => Impact::Major,
        Some(Classification::Internal) => Impact::Moderate,
        Some(Classification::Public) | None => Impact::Minor,
    };
    factors.push(Factor {
        on: "impact",
        text: match data {
            Some(level) => format!("reaches {} data", crate::model::kebab(&level)),
            None => "reaches no classified data".to_owned(),
        },
    });
    let cap = match rule.impact_cap {
        ImpactCap::Minor => Impact::Minor,
        ImpactCap::Moderate => Impact::Moderate,
        ImpactCap::Major => Impact::Major,
        ImpactCap::Severe => Impact::Severe,
    };
    let impact = data_impact.min(cap);
    if impact < data_impact {
        factors.push(Factor {
            on: "impact",
            text: format!("capped at {impact:?} for this kind of weakness").to_lowercase(),
        });
    }
    impact
}

/// A calibration: weaknesses that are not critical on their own, whatever the data around them.
/// The README's "Severity calibration" table lists a case of each, and a test checks it.
enum Calibration {
    /// Likelihood at most this: the attack needs something the attacker does not control first.
    Likelihood(Likelihood, &'static str),
    /// Impact at most this: what the weakness grants by itself is limited.
    Impact(Impact, &'static str),
}

/// The calibration that applies to a finding, if any.
fn calibration(cx: &Context<'_>, rule: &Rule, finding: &Finding) -> Option<Calibration> {
    use crate::rules::{
        unauthenticated_boundary_crossing as boundary_crossing, unlocked_dependencies,
        wildcard_permission,
    };
    // Rules by their declarations, not their names: a renamed rule cannot lose its calibration.
    match rule.id {
        // An unpinned dependency hurts only once a malicious or broken version is published.
        id if id == unlocked_dependencies::RULE.id => Some(Calibration::Likelihood(
            Likelihood::Unlikely,
            "an unpinned dependency needs a malicious or compromised version to be published first",
        )),
        // A user pool anyone can send to is self sign-up: what an account reaches is scored on
        // the routes behind the pool's authorizer, not here.
        id if id == boundary_crossing::RULE.id
            && cx
                .model
                .channels
                .get(&finding.element)
                .is_some_and(|c| c.kind == crate::model::ChannelKind::Cognito) =>
        {
            Some(Calibration::Impact(
                Impact::Minor,
                "self sign-up lets anyone create an account; what an account may do is scored where it is used",
            ))
        }
        id if id == wildcard_permission::RULE.id && harmless_wildcard(cx, finding) => {
            Some(Calibration::Impact(
                Impact::Moderate,
                "the actions on `*` are neither privileged nor wildcards, and act on no modelled store or channel",
            ))
        }
        _ => None,
    }
}

/// Whether a `wildcard-permission` finding (qualified `actions@resources`) is about concrete,
/// non-privileged actions on every resource whose services govern no element of the model: an
/// `ses:SendEmail` on `*`, not an `s3:*` or a `dynamodb:GetItem` on `*`.
fn harmless_wildcard(cx: &Context<'_>, finding: &Finding) -> bool {
    let Some((actions, _)) = finding.qualifier.as_deref().and_then(|q| q.split_once('@')) else {
        return false;
    };
    let catalogue = crate::iam::catalogue();
    actions
        .split(',')
        .map(|action| catalogue.action(action))
        .collect::<Option<Vec<_>>>()
        .is_some_and(|actions| cx.harmless(actions.into_iter()))
}

/// Likelihood after declared controls and tracking.
fn residual(
    cx: &Context<'_>,
    rule: &Rule,
    element: &str,
    tracking: Option<TrackingStatus>,
    likelihood: Likelihood,
    factors: &mut Vec<Factor>,
) -> Likelihood {
    let mut residual = likelihood;
    if let Some((id, _)) = cx.model.controls.iter().find(|(_, c)| {
        counters(c.kind, rule.stride)
            && (c.applies_to.is_empty() || applies(&c.applies_to, element, cx))
    }) {
        residual = residual.lower();
        factors.push(Factor {
            on: "residual",
            text: format!(
                "control `{id}` counters {}",
                rule.stride.name().to_lowercase()
            ),
        });
    }
    match tracking {
        Some(TrackingStatus::Mitigated) => {
            residual = Likelihood::Rare;
            factors.push(Factor {
                on: "residual",
                text: "tracked as mitigated".to_owned(),
            });
        }
        Some(
            status @ (TrackingStatus::Accepted
            | TrackingStatus::FalsePositive
            | TrackingStatus::InProgress
            | TrackingStatus::Open),
        ) => {
            let word = crate::model::kebab(&status);
            factors.push(Factor {
                on: "residual",
                text: format!("tracked as {word}"),
            });
        }
        None => {}
    }
    residual
}

/// Whether a control's targets cover an element: the element itself, or a hop on its attacker path.
fn applies(targets: &[String], element: &str, cx: &Context<'_>) -> bool {
    targets.iter().any(|t| t == element) || targets.iter().any(|hop| cx.on_route(element, hop))
}
