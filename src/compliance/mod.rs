//! Compliance views: where a model stands on PCI DSS, the HIPAA Security Rule, GDPR and SOC 2,
//! as far as strider's rules can tell.
//!
//! [`frameworks`] lists each framework's requirements (ids as the standards number them, titles
//! in strider's words) and the versions followed; [`mapping`] says which requirements each rule
//! evidences and why. [`views`] turns an assessment into one [`View`] per framework: for each
//! requirement, the threats of its rules on the elements that carry the framework's regulated
//! data, with their tracking status. A requirement no rule evidences is "not assessed by
//! strider"; one whose rules found nothing is "no threat found" — never "pass": strider sees the
//! model, not the running system.
//!
//! Scope: an element carries a data asset when it holds it (a store's or channel's `data`) or a
//! flow into or out of it carries it; a boundary carries what the elements inside it carry; a
//! role what the functions using it carry. PCI DSS is about data tagged `pci-dss`, HIPAA about
//! `hipaa`, GDPR about `gdpr` or `pii`; SOC 2 is about the whole system.
//!
//! Layer: after [`assessment`](crate::assessment), beside [`diff`](crate::diff); the reports
//! render the views.

pub mod frameworks;
pub mod mapping;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

pub use frameworks::{FRAMEWORKS, Framework, Requirement, UnknownFramework};
pub use mapping::{Decision, Link, MAPPING, RuleMapping, mapping};

use crate::assessment::{Assessment, Threat};
use crate::graph::Dfd;
use crate::model::{DataTag, Model};
use crate::scoring::Severity;

/// Where a model stands on one framework.
#[derive(Debug, Clone, Serialize)]
pub struct View {
    /// The framework (`pci-dss`, `hipaa`, `gdpr`, `soc2`).
    pub framework: Framework,
    /// Its name.
    pub name: &'static str,
    /// The version of the standard followed.
    pub version: &'static str,
    /// Which elements are in scope, in words.
    pub scope: &'static str,
    /// The data assets in scope, by id (empty for SOC 2, which is about the whole system).
    pub data: Vec<String>,
    /// How many elements of the model are in scope.
    pub elements: usize,
    /// Counts of requirements by status.
    pub summary: ViewSummary,
    /// Every requirement of the framework, in the standard's order.
    pub requirements: Vec<RequirementView>,
}

/// Counts of a view's requirements by status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ViewSummary {
    /// Requirements with threats.
    pub threatened: usize,
    /// Requirements whose rules found no threat in scope.
    pub no_threat_found: usize,
    /// Requirements with rules but no regulated data in the model to check them on.
    pub no_data_in_scope: usize,
    /// Requirements no rule evidences.
    pub not_assessed: usize,
}

/// Where the model stands on one requirement.
#[derive(Debug, Clone, Serialize)]
pub struct RequirementView {
    /// The requirement's id.
    pub id: &'static str,
    /// What it asks for.
    pub title: &'static str,
    /// What strider can say about it.
    pub status: Status,
    /// The rules that evidence it, and why.
    pub rules: Vec<RuleEvidence>,
    /// The threats of those rules on elements in scope, most severe first.
    pub threats: Vec<Affected>,
}

/// How many threats the terminal, Markdown and HTML reports list under one requirement before
/// they say "and N more" (the JSON report has them all; the HTML template folds the rest).
pub const SHOWN_PER_REQUIREMENT: usize = 10;

impl RequirementView {
    /// How many of its threats are still undecided (neither accepted, mitigated nor marked a
    /// false positive).
    #[must_use]
    pub fn undecided(&self) -> usize {
        self.threats.iter().filter(|t| t.undecided()).count()
    }
}

/// What strider can say about a requirement. Never "met": strider sees the model only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// Threats of its rules affect elements in scope.
    Threats,
    /// Its rules found no threat on the elements in scope.
    NoThreatFound,
    /// Its rules had nothing to check: no element carries the framework's data.
    NoDataInScope,
    /// No rule of strider evidences it.
    NotAssessed,
}

impl Status {
    /// The status in words, for reports.
    #[must_use]
    pub fn text(self) -> &'static str {
        match self {
            Status::Threats => "threats found",
            Status::NoThreatFound => "no threat found",
            Status::NoDataInScope => "no regulated data to check",
            Status::NotAssessed => "not assessed by strider",
        }
    }
}

/// A rule that evidences a requirement.
#[derive(Debug, Clone, Serialize)]
pub struct RuleEvidence {
    /// The rule's id.
    pub rule: &'static str,
    /// Its name.
    pub name: &'static str,
    /// Why its findings bear on the requirement.
    pub why: &'static str,
}

/// A threat that affects a requirement.
#[derive(Debug, Clone, Serialize)]
pub struct Affected {
    /// The threat's id.
    pub threat: String,
    /// Its rule.
    pub rule: &'static str,
    /// The element it is about.
    pub element: String,
    /// Its residual severity.
    pub severity: Severity,
    /// Its tracking status: `untracked`, the model's status (`open`, `accepted`, `mitigated`,
    /// `false-positive`, `in-progress`), or `review-overdue` for an acceptance past its date.
    pub status: String,
}

impl Affected {
    /// Whether nobody has decided about the threat yet.
    #[must_use]
    pub fn undecided(&self) -> bool {
        matches!(
            self.status.as_str(),
            "untracked" | "open" | "review-overdue"
        )
    }
}

/// A threat's tracking status in one word.
#[must_use]
pub fn tracking_status(threat: &Threat) -> String {
    match &threat.tracking {
        Some(t) if t.expired => "review-overdue".to_owned(),
        Some(t) => crate::model::kebab(&t.entry.status),
        None => "untracked".to_owned(),
    }
}

/// The data tags a framework is about; `None` for the whole system.
fn tags(framework: Framework) -> Option<&'static [DataTag]> {
    match framework {
        Framework::PciDss => Some(&[DataTag::PciDss]),
        Framework::Hipaa => Some(&[DataTag::Hipaa]),
        Framework::Gdpr => Some(&[DataTag::Gdpr, DataTag::Pii]),
        Framework::Soc2 => None,
    }
}

/// What each element of the model carries: the data it holds and the data on its flows; for
/// boundaries, what their elements carry; for roles, what their functions carry.
struct Carried<'m> {
    data: BTreeMap<&'m str, BTreeSet<&'m str>>,
    /// The ids of the graph's elements.
    nodes: Vec<&'m str>,
}

impl<'m> Carried<'m> {
    fn new(model: &'m Model, dfd: &'m Dfd) -> Self {
        let mut data: BTreeMap<&'m str, BTreeSet<&'m str>> = BTreeMap::new();
        for (id, store) in &model.stores {
            data.entry(id)
                .or_default()
                .extend(store.data.iter().map(String::as_str));
        }
        for (id, channel) in &model.channels {
            data.entry(id)
                .or_default()
                .extend(channel.data.iter().map(String::as_str));
        }
        for (_, from, to, flow) in dfd.flows() {
            for end in [from, to] {
                data.entry(end.id.as_str())
                    .or_default()
                    .extend(flow.data.iter().map(String::as_str));
            }
        }
        let mut boundaries: BTreeMap<&'m str, BTreeSet<&'m str>> = BTreeMap::new();
        for node in dfd.graph().node_indices() {
            let element = dfd.element(node);
            let Some(held) = data.get(element.id.as_str()) else {
                continue;
            };
            if held.is_empty() {
                continue;
            }
            for boundary in dfd.ancestors(&element.boundary) {
                if let Some((key, _)) = model.boundaries.get_key_value(&boundary) {
                    boundaries
                        .entry(key.as_str())
                        .or_default()
                        .extend(held.iter().copied());
                }
            }
        }
        let mut roles: BTreeMap<&'m str, BTreeSet<&'m str>> = BTreeMap::new();
        for (id, function) in &model.functions {
            let (Some(role), Some(held)) = (&function.role, data.get(id.as_str())) else {
                continue;
            };
            roles
                .entry(role.as_str())
                .or_default()
                .extend(held.iter().copied());
        }
        for (id, held) in boundaries.into_iter().chain(roles) {
            data.entry(id).or_default().extend(held);
        }
        let nodes = dfd
            .graph()
            .node_indices()
            .map(|n| dfd.element(n).id.as_str())
            .collect();
        Carried { data, nodes }
    }

    fn carries(&self, element: &str, scoped: &BTreeSet<&str>) -> bool {
        self.data
            .get(element)
            .is_some_and(|held| held.iter().any(|d| scoped.contains(d)))
    }
}

/// The views of an assessment on some frameworks, in the order asked (each once).
#[must_use]
pub fn views(
    model: &Model,
    dfd: &Dfd,
    assessment: &Assessment,
    frameworks: &[Framework],
) -> Vec<View> {
    if frameworks.is_empty() {
        return Vec::new();
    }
    let carried = Carried::new(model, dfd);
    let mut seen = BTreeSet::new();
    frameworks
        .iter()
        .filter(|f| seen.insert(**f))
        .map(|&f| view(model, &carried, assessment, f))
        .collect()
}

fn view(
    model: &Model,
    carried: &Carried<'_>,
    assessment: &Assessment,
    framework: Framework,
) -> View {
    let scoped: Option<BTreeSet<&str>> = tags(framework).map(|tags| {
        model
            .data
            .iter()
            .filter(|(_, asset)| asset.tags.iter().any(|t| tags.contains(t)))
            .map(|(id, _)| id.as_str())
            .collect()
    });
    let in_scope = |element: &str| {
        scoped
            .as_ref()
            .is_none_or(|scoped| carried.carries(element, scoped))
    };
    let elements = carried.nodes.iter().filter(|e| in_scope(e)).count();
    let no_data = scoped.as_ref().is_some_and(BTreeSet::is_empty) || elements == 0;
    let mut requirements: Vec<RequirementView> = framework
        .requirements()
        .iter()
        .map(|r| RequirementView {
            id: r.id,
            title: r.title,
            status: Status::NotAssessed,
            rules: Vec::new(),
            threats: Vec::new(),
        })
        .collect();
    for rule in crate::rules::RULES {
        for link in mapping(rule.id).map_or(&[][..], RuleMapping::links) {
            if link.framework != framework {
                continue;
            }
            if let Some(requirement) = requirements.iter_mut().find(|r| r.id == link.requirement) {
                requirement.rules.push(RuleEvidence {
                    rule: rule.id,
                    name: rule.name,
                    why: link.why,
                });
            }
        }
    }
    // Requirement indices by rule, so each threat is looked up once.
    let mut by_rule: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, requirement) in requirements.iter().enumerate() {
        for evidence in &requirement.rules {
            by_rule.entry(evidence.rule).or_default().push(index);
        }
    }
    for threat in &assessment.threats {
        let Some(indices) = by_rule.get(threat.rule) else {
            continue;
        };
        if !in_scope(&threat.element) {
            continue;
        }
        for &index in indices {
            requirements[index].threats.push(Affected {
                threat: threat.id.clone(),
                rule: threat.rule,
                element: threat.element.clone(),
                severity: threat.score.residual_severity,
                status: tracking_status(threat),
            });
        }
    }
    let mut summary = ViewSummary::default();
    for requirement in &mut requirements {
        requirement.status = if requirement.rules.is_empty() {
            summary.not_assessed += 1;
            Status::NotAssessed
        } else if !requirement.threats.is_empty() {
            summary.threatened += 1;
            Status::Threats
        } else if no_data {
            summary.no_data_in_scope += 1;
            Status::NoDataInScope
        } else {
            summary.no_threat_found += 1;
            Status::NoThreatFound
        };
    }
    View {
        framework,
        name: framework.name(),
        version: framework.version(),
        scope: framework.scope(),
        data: scoped
            .map(|s| s.into_iter().map(str::to_owned).collect())
            .unwrap_or_default(),
        elements,
        summary,
        requirements,
    }
}

/// A rule's requirements in one line, framework by framework: `PCI 8.3 · HIPAA 164.312(d) · …`;
/// `–` for a rule that evidences none.
#[must_use]
pub fn rule_labels(rule: &str) -> String {
    let links = mapping(rule).map_or(&[][..], RuleMapping::links);
    let parts: Vec<String> = FRAMEWORKS
        .iter()
        .filter_map(|&f| {
            let ids: Vec<&str> = links
                .iter()
                .filter(|l| l.framework == f)
                .map(|l| l.requirement)
                .collect();
            (!ids.is_empty()).then(|| format!("{} {}", f.short(), ids.join(", ")))
        })
        .collect();
    if parts.is_empty() {
        "–".to_owned()
    } else {
        parts.join(" · ")
    }
}

/// A rule's compliance table, as Markdown: each requirement it evidences with the reason, or
/// why it evidences none.
#[must_use]
pub fn rule_table(rule: &str) -> String {
    let mut out = String::new();
    match mapping(rule).map(|m| m.decision) {
        Some(Decision::Evidences(links)) => {
            out.push_str("| Framework | Requirement | Why |\n|---|---|---|\n");
            for link in links {
                let title = link
                    .framework
                    .requirement(link.requirement)
                    .map_or("", |r| r.title);
                let _ = writeln!(
                    out,
                    "| {} | {} {} | {} |",
                    link.framework.name(),
                    link.requirement,
                    title,
                    link.why
                );
            }
        }
        Some(Decision::Nothing(why)) => {
            let _ = writeln!(out, "Evidences no compliance requirement: {why}.");
        }
        None => out.push_str("No compliance mapping decided yet.\n"),
    }
    out
}
