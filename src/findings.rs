//! Fuzzing findings flowing back into the threat model: `strider fuzz run` writes
//! `findings/<function>/<id>.json`; `analyze --findings DIR` and `report --findings DIR` read them
//! and mark the threat each one names as confirmed — likelihood raised to likely (it happened),
//! the reproducer attached.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// A confirmed finding: what `strider fuzz run` writes to `findings/<function>/<id>.json` and
/// what `--findings` reads back.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
pub struct Finding {
    /// Stable id: the start of the SHA-256 of the event and its payloads.
    pub id: String,
    /// The function's id in the model.
    pub function: String,
    /// The fuzz target.
    pub target: String,
    /// The trigger's index in the function's `triggers`.
    #[serde(default)]
    pub trigger: usize,
    /// The trigger's kind.
    #[serde(default)]
    pub trigger_kind: String,
    /// The threat the finding confirms.
    pub threat: String,
    /// `crash` (a panic or a sanitizer report), `oracle` (a wrong answer), `timeout` or `oom`.
    pub kind: String,
    /// What went wrong: the panic message or the oracle's verdict.
    pub message: String,
    /// Milliseconds into the campaign when it was found.
    #[serde(default)]
    pub found_after_ms: u64,
    /// What findings written before `found_after_ms` hold, in whole seconds: read (and turned into
    /// `found_after_ms` by [`load_all`]), never written.
    #[serde(default, skip_serializing)]
    pub found_after_s: Option<u64>,
    /// What makes two failures the same bug (`panic at src/lib.rs:17:23`, an oracle's verdict and
    /// the event field, a sanitizer report's kind and top frame, `timeout`, `oom`): a later
    /// campaign counts a failure with this signature as this finding. Empty in older findings.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub signature: String,
    /// The event that reproduces it.
    pub event: serde_json::Value,
    /// The payloads the event carries.
    #[serde(default)]
    pub injected: Vec<String>,
    /// The file it was read from, relative to the directory given (empty, and left out, in the
    /// file itself).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub file: String,
}

impl Finding {
    /// Why the model raises no threat for this finding to confirm, as the model sees it: an
    /// unknown function or trigger, a trigger the model says is validated, or (the usual case) a
    /// trigger whose source the model does not show reachable from an untrusted boundary.
    #[must_use]
    pub fn why_unmatched(&self, model: &crate::model::Model) -> String {
        let named = self.threat.split_once('@').map_or("", |(_, rest)| {
            rest.split_once('/').map_or(rest, |(e, _)| e)
        });
        if named != self.function {
            return format!(
                "it names `{named}`, not `{}`, the function it was found in: was the finding \
                 edited, or the function renamed?",
                self.function
            );
        }
        let Some(function) = model.functions.get(&self.function) else {
            return format!(
                "the model has no function `{}`: was the fuzz crate generated from another model?",
                self.function
            );
        };
        let Some(trigger) = function.triggers.get(self.trigger) else {
            // The index comes from the file: counted from one when it can be, raw when not.
            let which = self
                .trigger
                .checked_add(1)
                .map_or_else(|| format!("with index {}", self.trigger), |n| n.to_string());
            return format!(
                "function `{}` has no trigger {which}: regenerate the fuzz crate from this model",
                self.function
            );
        };
        let validated = |input: Option<&crate::model::types::Input>| {
            input.is_some_and(|i| i.validated.is_true())
        };
        if validated(trigger.input.as_ref()) || validated(function.input.as_ref()) {
            "the model says this input is validated, yet the fuzzer got through: is it really?"
                .to_owned()
        } else {
            format!(
                "the model shows no way from an untrusted boundary to {}: is an entry point \
                 missing from the model?",
                trigger
                    .source
                    .as_ref()
                    .map_or_else(|| "this trigger".to_owned(), |s| format!("`{s}`"))
            )
        }
    }
}

/// Why findings could not be read.
#[derive(Debug)]
pub struct FindingsError(pub String);

impl std::fmt::Display for FindingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FindingsError {}

/// Largest finding file strider reads (an event and its payloads).
pub const MAX_FINDING_BYTES: u64 = 16 * 1024 * 1024;
/// Largest total of finding files strider reads from one directory.
pub const MAX_FINDINGS_BYTES: u64 = 256 * 1024 * 1024;

/// Findings read from a directory, and what in it was not read.
#[derive(Debug, Default)]
pub struct Read {
    /// The findings, in path order.
    pub findings: Vec<Finding>,
    /// Entries skipped: symlinks out of the directory, FIFOs, devices, dangling links.
    pub skipped: Vec<crate::files::Refusal>,
}

/// Every `*.json` finding under `dir` (or under `dir/findings`, for a fuzz crate), in path order.
///
/// # Errors
/// When the directory cannot be read or a file is not a finding; the message names the file.
pub fn load(dir: &Path) -> Result<Vec<Finding>, FindingsError> {
    load_all(dir).map(|read| read.findings)
}

/// Every `*.json` finding under `dir` (or under `dir/findings`, for a fuzz crate), in path order,
/// read through a [`crate::files::Tree`] rooted at `dir`: only regular files, symlinks only when
/// they stay inside it, each file at most [`MAX_FINDING_BYTES`] (checked before reading), each
/// real file once. What was skipped is listed, by path and reason, never by content.
///
/// # Errors
/// When the directory cannot be read, a file is too large, or is not a finding; the message names
/// the file.
pub fn load_all(dir: &Path) -> Result<Read, FindingsError> {
    use crate::escape::terminal;
    use crate::files::Tree;
    let shown = |path: &Path| terminal(&path.display().to_string()).into_owned();
    let not_a_directory = || {
        FindingsError(format!(
            "`{}` is not a directory of findings\n  hint: pass the fuzz crate's directory or its findings/ directory",
            shown(dir)
        ))
    };
    // The directory the user named is trusted to be what they meant (it may be a link); what is
    // below it must stay in it.
    if !std::fs::metadata(dir).is_ok_and(|m| m.is_dir()) {
        return Err(not_a_directory());
    }
    let tree = Tree::new(dir).map_err(|refusal| FindingsError(refusal.to_string()))?;
    let nested = dir.join("findings");
    let root = if tree.contains(&nested) && std::fs::metadata(&nested).is_ok_and(|m| m.is_dir()) {
        nested
    } else {
        dir.to_path_buf()
    };
    let walk = tree
        .walk(
            &root,
            |_| true,
            |p| p.extension().is_some_and(|e| e == "json"),
        )
        .map_err(|refusal| FindingsError(refusal.to_string()))?;
    if walk.truncated {
        return Err(FindingsError(format!(
            "`{}` holds more than {} entries: name the campaign's findings directory",
            root.display(),
            crate::files::MAX_WALK_ENTRIES
        )));
    }
    let mut read = Read {
        findings: Vec::with_capacity(walk.files.len()),
        skipped: walk.skipped,
    };
    let mut total = 0u64;
    for path in walk.files {
        let limit = MAX_FINDING_BYTES.min(MAX_FINDINGS_BYTES.saturating_sub(total));
        let bytes = tree.read(&path, limit).map_err(|refusal| {
            FindingsError(format!(
                "{refusal}\n  hint: a finding is a JSON file that `strider fuzz run` wrote"
            ))
        })?;
        total += bytes.len() as u64;
        let mut finding: Finding = serde_json::from_slice(&bytes).map_err(|err| {
            FindingsError(format!(
                "`{}` is not a strider finding: {}",
                shown(&path),
                terminal(&err.to_string())
            ))
        })?;
        if let Some(seconds) = finding.found_after_s.take()
            && finding.found_after_ms == 0
        {
            finding.found_after_ms = seconds.saturating_mul(1000);
        }
        finding.file = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        read.findings.push(finding);
    }
    Ok(read)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finding_in_whole_seconds_reads_as_milliseconds_and_is_written_in_them() {
        let dir = tempfile::tempdir().unwrap();
        let old = r#"{"id": "1", "function": "f", "target": "t", "threat": "STR-002@f/q",
            "kind": "crash", "message": "m", "found_after_s": 3, "event": {}}"#;
        std::fs::write(dir.path().join("old.json"), old).unwrap();
        let new = old.replace(r#""found_after_s": 3"#, r#""found_after_ms": 2750"#);
        std::fs::write(dir.path().join("new.json"), new).unwrap();
        let read = load(dir.path()).unwrap();
        let after: Vec<(u64, Option<u64>)> = read
            .iter()
            .map(|f| (f.found_after_ms, f.found_after_s))
            .collect();
        assert_eq!(after, [(2750, None), (3000, None)]);
        let written = serde_json::to_value(&read[1]).unwrap();
        assert_eq!(written["found_after_ms"], 3000);
        assert!(written.get("found_after_s").is_none());
        assert!(written.get("signature").is_none());
    }
}
