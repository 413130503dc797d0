//! `analyze(&Model) -> Assessment`: every rule over the model's graph, each finding scored and
//! matched with the model's risk tracking. Pure: no I/O, same model, same assessment.

use serde::Serialize;

use crate::findings::Finding;
use crate::graph::Dfd;
use crate::graph::paths::{AttackPath, BlastRadius, attack_paths, blast_radius};
use crate::model::{Location, Model, TrackingEntry, TrackingStatus};
use crate::rules::{Context, RULES, Rule};
use crate::scoring::{Factor, Likelihood, Score, Severity, score};

/// One threat: a rule firing on an element.
#[derive(Debug, Clone, Serialize)]
pub struct Threat {
    /// Stable id: `RULE@element` or `RULE@element/qualifier`.
    pub id: String,
    /// The rule's id.
    pub rule: &'static str,
    /// The rule's name.
    pub rule_name: &'static str,
    /// The rule's title.
    pub title: &'static str,
    /// STRIDE category.
    pub stride: crate::rules::Stride,
    /// The element the threat is about.
    pub element: String,
    /// What is wrong here.
    pub message: String,
    /// Facts behind the finding.
    pub evidence: Vec<String>,
    /// The attacker's path to the element, when one exists.
    pub path: Vec<String>,
    /// Where the element is declared.
    pub location: Option<Location>,
    /// The score and its factors.
    pub score: Score,
    /// What to do.
    pub mitigation: &'static str,
    /// Tracking, when an entry matches.
    pub tracking: Option<Tracking>,
    /// Fuzzing findings that confirm the threat.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub confirmations: Vec<Finding>,
}

/// The tracking entry that matched a threat.
#[derive(Debug, Clone, Serialize)]
pub struct Tracking {
    /// The entry's key: the threat id or a glob.
    pub pattern: String,
    /// Whether the entry is an acceptance past its review date (then the threat counts as
    /// undecided again).
    pub expired: bool,
    /// The entry.
    #[serde(flatten)]
    pub entry: TrackingEntry,
}

impl Threat {
    /// Whether nobody has decided about the threat yet (no tracking, or `open`).
    #[must_use]
    pub fn untracked(&self) -> bool {
        self.tracking
            .as_ref()
            .is_none_or(|t| t.entry.status == TrackingStatus::Open || t.expired)
    }

    /// The rule behind the threat.
    #[must_use]
    pub fn rule(&self) -> Option<&'static Rule> {
        crate::rules::find(self.rule)
    }
}

/// The result of analysing a model.
#[derive(Debug, Clone, Serialize)]
pub struct Assessment {
    /// The model's name.
    pub model: String,
    /// Threats, most severe (residual) first, then by id.
    pub threats: Vec<Threat>,
    /// Tracking entries that match no threat.
    pub unmatched_tracking: Vec<String>,
    /// Shortest attack paths from untrusted starts to sensitive stores.
    pub attack_paths: Vec<AttackPath>,
    /// What each function can reach if it is compromised.
    pub blast_radius: Vec<BlastRadius>,
    /// Fuzzing findings that name no threat of the model (the model says the input is
    /// validated, or the finding is for another version of it).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched_findings: Vec<Finding>,
}

impl Assessment {
    /// Threats of a residual severity.
    #[must_use]
    pub fn count(&self, severity: Severity) -> usize {
        self.threats
            .iter()
            .filter(|t| t.score.residual_severity == severity)
            .count()
    }

    /// Threats nobody has decided about.
    #[must_use]
    pub fn untracked(&self) -> usize {
        self.threats.iter().filter(|t| t.untracked()).count()
    }

    /// Marks acceptances whose review date is before `today` (`YYYY-MM-DD`) as expired: their
    /// threats count as undecided again, and the reports list them.
    #[must_use]
    pub fn reviewed_on(mut self, today: &str) -> Self {
        for threat in &mut self.threats {
            if let Some(tracking) = &mut threat.tracking {
                tracking.expired = tracking.entry.status == TrackingStatus::Accepted
                    && tracking
                        .entry
                        .date
                        .as_deref()
                        .is_some_and(|date| date < today);
            }
        }
        self
    }

    /// One message per acceptance past its review date, for warnings.
    #[must_use]
    pub fn overdue_messages(&self) -> Vec<String> {
        self.expired_acceptances()
            .map(|t| {
                let date = t
                    .tracking
                    .as_ref()
                    .and_then(|tr| tr.entry.date.as_deref())
                    .unwrap_or_default();
                format!("the acceptance of `{}` was due for review on {date}", t.id)
            })
            .collect()
    }

    /// Threats whose acceptance is past its review date.
    pub fn expired_acceptances(&self) -> impl Iterator<Item = &Threat> {
        self.threats
            .iter()
            .filter(|t| t.tracking.as_ref().is_some_and(|tr| tr.expired))
    }

    /// Marks the threats that fuzzing findings confirm: it happened, so the likelihood is at
    /// least likely, before and after controls and tracking; the findings are attached. Findings
    /// that name no threat are kept apart for the reports to list.
    #[must_use]
    pub fn confirmed_by(mut self, findings: &[Finding]) -> Self {
        for finding in findings {
            let Some(threat) = self.threats.iter_mut().find(|t| t.id == finding.threat) else {
                self.unmatched_findings.push(finding.clone());
                continue;
            };
            if threat.confirmations.is_empty() {
                let score = &mut threat.score;
                // With the other likelihood factors, before impact and residual.
                let at = score
                    .factors
                    .iter()
                    .position(|f| f.on != "likelihood")
                    .unwrap_or(score.factors.len());
                score.factors.insert(
                    at,
                    Factor {
                        on: "likelihood",
                        text: format!(
                            "confirmed by fuzzing: {} ({})",
                            finding.message, finding.file
                        ),
                    },
                );
                score.likelihood = score.likelihood.max(Likelihood::Likely);
                score.severity = Severity::from_matrix(score.likelihood, score.impact);
                if score.residual_likelihood < Likelihood::Likely {
                    score.factors.push(Factor {
                        on: "residual",
                        text:
                            "a confirmed finding outweighs controls and tracking until it is fixed"
                                .to_owned(),
                    });
                }
                score.residual_likelihood = score.residual_likelihood.max(Likelihood::Likely);
                score.residual_severity =
                    Severity::from_matrix(score.residual_likelihood, score.impact);
            }
            threat.confirmations.push(finding.clone());
        }
        sort_threats(&mut self.threats);
        self
    }

    /// Untracked threats at or above a severity (residual).
    pub fn failing(&self, threshold: Severity) -> impl Iterator<Item = &Threat> {
        self.threats
            .iter()
            .filter(move |t| t.untracked() && t.score.residual_severity >= threshold)
    }
}

/// The order of every threat list: most severe (residual) first, then by id.
fn sort_threats(threats: &mut [Threat]) {
    threats.sort_by(|a, b| {
        b.score
            .residual_severity
            .cmp(&a.score.residual_severity)
            .then_with(|| a.id.cmp(&b.id))
    });
}

/// Analyses a validated model.
#[must_use]
pub fn analyze(model: &Model) -> Assessment {
    analyze_graph(model, &Dfd::build(model))
}

/// Analyses a validated model whose graph the caller has already built.
#[must_use]
pub fn analyze_graph(model: &Model, dfd: &Dfd) -> Assessment {
    let cx = Context::new(model, dfd);
    let patterns: Vec<(&String, Option<glob::Pattern>)> = model
        .tracking
        .keys()
        .map(|k| (k, glob::Pattern::new(k).ok()))
        .collect();
    let mut matched = vec![false; patterns.len()];
    let mut threats = Vec::new();
    for rule in RULES {
        for finding in (rule.check)(&cx) {
            let id = match &finding.qualifier {
                Some(qualifier) => format!("{}@{}/{qualifier}", rule.id, finding.element),
                None => format!("{}@{}", rule.id, finding.element),
            };
            let tracking = track(&id, &patterns, &mut matched, model);
            let score = score(
                &cx,
                rule,
                &finding,
                tracking.as_ref().map(|t| t.entry.status),
            );
            let location = model
                .node_section(&finding.element)
                .and_then(|s| model.location(s, &finding.element))
                .cloned();
            threats.push(Threat {
                path: cx
                    .exposure(&finding.element)
                    .map(|e| e.path.clone())
                    .unwrap_or_default(),
                id,
                rule: rule.id,
                rule_name: rule.name,
                title: rule.title,
                stride: rule.stride,
                element: finding.element,
                message: finding.message,
                evidence: finding.evidence,
                location,
                score,
                mitigation: rule.mitigation,
                tracking,
                confirmations: Vec::new(),
            });
        }
    }
    sort_threats(&mut threats);
    threats.dedup_by(|a, b| a.id == b.id);
    let unmatched_tracking = patterns
        .iter()
        .zip(&matched)
        .filter(|(_, m)| !**m)
        .map(|((k, _), _)| (*k).clone())
        .collect();
    Assessment {
        model: model.name.clone(),
        threats,
        unmatched_tracking,
        attack_paths: attack_paths(model, dfd),
        blast_radius: blast_radius(model, dfd),
        unmatched_findings: Vec::new(),
    }
}

/// Today's date in UTC as `YYYY-MM-DD`, from the system clock.
#[must_use]
pub fn today_utc() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (year, month, day) = civil_from_days(i64::try_from(seconds / 86_400).unwrap_or_default());
    format!("{year:04}-{month:02}-{day:02}")
}

/// The proleptic Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = u32::try_from(day_of_year - (153 * month_index + 2) / 5 + 1).unwrap_or(1);
    let month = u32::try_from(if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    })
    .unwrap_or(1);
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// The tracking entry for a threat id: an exact key first, else the longest glob that matches
/// the whole id.
fn track(
    id: &str,
    patterns: &[(&String, Option<glob::Pattern>)],
    matched: &mut [bool],
    model: &Model,
) -> Option<Tracking> {
    let exact = patterns.iter().position(|(k, _)| k.as_str() == id);
    let glob = || {
        patterns
            .iter()
            .enumerate()
            .filter(|(_, (_, p))| p.as_ref().is_some_and(|p| p.matches(id)))
            .max_by_key(|(_, (k, _))| k.len())
            .map(|(i, _)| i)
    };
    let index = exact.or_else(glob)?;
    matched[index] = true;
    let pattern = patterns[index].0.clone();
    model.tracking.get(&pattern).map(|entry| Tracking {
        pattern,
        expired: false,
        entry: entry.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn day_counts_become_calendar_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_415), (2025, 11, 23));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
    }
}
