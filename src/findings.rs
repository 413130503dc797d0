//! Fuzzing findings flowing back into the threat model: `strider fuzz run` writes
//! `findings/<function>/<id>.json`; `analyze --findings DIR` and `report --findings DIR` read them
//! and mark the threat each one names as confirmed — likelihood raised to likely (it happened),
//! the reproducer attached.

use std::path::{Path, PathBuf};

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
    /// Seconds into the campaign when it was found.
    #[serde(default)]
    pub found_after_s: u64,
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

/// Why findings could not be read.
#[derive(Debug)]
pub struct FindingsError(pub String);

impl std::fmt::Display for FindingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FindingsError {}

/// Every `*.json` finding under `dir` (or under `dir/findings`, for a fuzz crate), in path order.
///
/// # Errors
/// When the directory cannot be read or a file is not a finding; the message names the file.
pub fn load(dir: &Path) -> Result<Vec<Finding>, FindingsError> {
    let root = if dir.join("findings").is_dir() {
        dir.join("findings")
    } else {
        dir.to_path_buf()
    };
    if !root.is_dir() {
        return Err(FindingsError(format!(
            "`{}` is not a directory of findings\n  hint: pass the fuzz crate's directory or its findings/ directory",
            dir.display()
        )));
    }
    let mut files: Vec<PathBuf> = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d)
            .map_err(|err| FindingsError(format!("cannot read `{}`: {err}", d.display())))?;
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path)
                .map_err(|err| FindingsError(format!("cannot read `{}`: {err}", path.display())))?;
            let mut finding: Finding = serde_json::from_slice(&bytes).map_err(|err| {
                FindingsError(format!(
                    "`{}` is not a strider finding: {err}",
                    path.display()
                ))
            })?;
            finding.file = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            Ok(finding)
        })
        .collect()
}
