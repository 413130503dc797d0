//! Threats added, removed and re-scored between two versions of a model, matched by their stable
//! ids — so renaming nothing, editing unrelated parts of a model shows an empty diff.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::assessment::{Assessment, Threat};
use crate::scoring::Severity;

/// The difference between two assessments.
#[derive(Debug, Clone, Serialize)]
pub struct AssessmentDiff {
    /// Threats only in the new model.
    pub added: Vec<Change>,
    /// Threats only in the old model.
    pub removed: Vec<Change>,
    /// Threats in both whose residual severity changed.
    pub changed: Vec<Change>,
}

/// One threat in a diff.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    /// Threat id.
    pub id: String,
    /// Rule title.
    pub title: &'static str,
    /// Residual severity before (absent for added threats).
    pub before: Option<Severity>,
    /// Residual severity after (absent for removed threats).
    pub after: Option<Severity>,
    /// The threat's message (the new one when it exists).
    pub message: String,
}

impl AssessmentDiff {
    /// Whether nothing changed.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// Compares two assessments by threat id.
#[must_use]
pub fn diff(old: &Assessment, new: &Assessment) -> AssessmentDiff {
    let index = |a: &'_ Assessment| -> BTreeMap<String, Threat> {
        a.threats
            .iter()
            .map(|t| (t.id.clone(), t.clone()))
            .collect()
    };
    let (before, after) = (index(old), index(new));
    let change = |t: &Threat, before: Option<Severity>, after: Option<Severity>| Change {
        id: t.id.clone(),
        title: t.title,
        before,
        after,
        message: t.message.clone(),
    };
    let added = after
        .values()
        .filter(|t| !before.contains_key(&t.id))
        .map(|t| change(t, None, Some(t.score.residual_severity)))
        .collect();
    let removed = before
        .values()
        .filter(|t| !after.contains_key(&t.id))
        .map(|t| change(t, Some(t.score.residual_severity), None))
        .collect();
    let changed = after
        .values()
        .filter_map(|t| before.get(&t.id).map(|old| (old, t)))
        .filter(|(old, t)| old.score.residual_severity != t.score.residual_severity)
        .map(|(old, t)| {
            change(
                t,
                Some(old.score.residual_severity),
                Some(t.score.residual_severity),
            )
        })
        .collect();
    AssessmentDiff {
        added,
        removed,
        changed,
    }
}

/// The diff for a terminal or a pull request: `+` added, `-` removed, `~` re-scored. Ids and
/// messages go through [`escape::terminal`](crate::escape::terminal): this lands in CI logs.
#[must_use]
pub fn render_text(diff: &AssessmentDiff) -> Vec<u8> {
    use crate::escape::terminal;
    use std::fmt::Write;
    let mut out = String::new();
    let name = |s: Option<Severity>| s.map_or("-", Severity::name);
    for (mark, changes, severity) in [
        (
            '+',
            &diff.added,
            (|c: &Change| c.after) as fn(&Change) -> Option<Severity>,
        ),
        ('-', &diff.removed, |c: &Change| c.before),
    ] {
        for c in changes {
            let _ = writeln!(
                out,
                "{mark} {:<8} {}  {}",
                name(severity(c)),
                terminal(&c.id),
                terminal(&c.message)
            );
        }
    }
    for c in &diff.changed {
        let _ = writeln!(
            out,
            "~ {} → {}  {}  {}",
            name(c.before),
            name(c.after),
            terminal(&c.id),
            terminal(&c.message)
        );
    }
    let _ = writeln!(
        out,
        "{} added, {} removed, {} re-scored",
        diff.added.len(),
        diff.removed.len(),
        diff.changed.len()
    );
    out.into_bytes()
}
