//! What a handler in its own runtime needs before a campaign: the Python virtualenv strider
//! manages under the crate's `target/strider/` (the official runtime interface client
//! awslambdaric, the moto AWS emulator, and a Python handler's own `requirements.txt`), and
//! for Node.js an interpreter and the handler's installed dependencies.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::RunError;
use crate::fuzz::runtime::Language;

/// What the virtualenv always holds, pinned: the runtime interface client and the emulator.
pub const PINNED: &str = "awslambdaric==4.2.2\nmoto[server]==5.2.5\n";

/// The most of a handler's `requirements.txt` that is read.
const MAX_REQUIREMENTS: u64 = 1 << 20;

/// The handler's runtime facts, as `strider-fuzz.json` records them.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ManifestRuntime {
    /// `python` or `node`.
    pub language: Language,
    /// The runtime the model names (`python3.12`).
    pub runtime: String,
    /// The code directory, relative to the crate.
    pub code: String,
}

/// The crate's runtime state directory (its generated targets name the same one).
#[must_use]
pub fn state(dir: &Path) -> PathBuf {
    dir.join("target").join("strider")
}

/// Prepares what `runtime` needs; returns warnings (a runtime version other than the model's).
///
/// # Errors
/// When the code is missing, or the virtualenv or Node.js cannot be set up.
pub fn prepare(dir: &Path, runtime: &ManifestRuntime) -> Result<Vec<String>, RunError> {
    let code = dir.join(&runtime.code);
    let code = code
        .canonicalize()
        .map_err(|err| RunError(format!("the handler's code `{}`: {err}", code.display())))?;
    let mut warnings = Vec::new();
    // Node.js first: its checks are quick, and a missing node_modules should not wait for a
    // virtualenv to be built.
    if runtime.language == Language::Node {
        let node = std::env::var_os("STRIDER_NODE").unwrap_or_else(|| "node".into());
        let version = output(Command::new(&node).arg("--version")).map_err(|err| {
            RunError(format!(
                "{}\n  hint: install Node.js (Debian: `apt-get install nodejs npm`) or set STRIDER_NODE",
                err.0
            ))
        })?;
        let major = version.trim_start_matches('v').split('.').next();
        let wanted = runtime
            .runtime
            .trim_start_matches("nodejs")
            .split('.')
            .next();
        if major != wanted {
            warnings.push(format!(
                "the model says {}; the handler runs on this machine's Node.js {version}",
                runtime.runtime
            ));
        }
        if has_dependencies(&code) && !code.join("node_modules").is_dir() {
            return Err(RunError(format!(
                "the handler's dependencies are not installed: `{}` has a package.json with dependencies but no node_modules\n  hint: run `npm ci` there first",
                code.display()
            )));
        }
    }
    // The virtualenv serves both: awslambdaric for Python, moto for every handler.
    let requirements = match runtime.language {
        Language::Python => read_requirements(&code)?,
        Language::Node => None,
    };
    let python = venv(dir, &code, requirements.as_deref())?;
    if runtime.language == Language::Python {
        let version = output(
            Command::new(&python).args(["-c", "import sys; print('%d.%d' % sys.version_info[:2])"]),
        )?;
        let wanted = runtime.runtime.trim_start_matches("python");
        if wanted != version {
            warnings.push(format!(
                "the model says {}; the handler runs on this machine's Python {version}",
                runtime.runtime
            ));
        }
    }
    Ok(warnings)
}

/// The handler's `requirements.txt`, if it has one.
fn read_requirements(code: &Path) -> Result<Option<String>, RunError> {
    let path = code.join("requirements.txt");
    if !path.is_file() {
        return Ok(None);
    }
    let bytes = crate::files::Tree::new(code)
        .and_then(|tree| tree.read(&path, MAX_REQUIREMENTS))
        .map_err(|refusal| {
            RunError(format!(
                "the handler's requirements `{}`: {}",
                path.display(),
                refusal.reason()
            ))
        })?;
    Ok(Some(String::from_utf8_lossy(&bytes).into_owned()))
}

/// Whether a Node.js handler's package.json lists dependencies.
fn has_dependencies(code: &Path) -> bool {
    // Inside the code directory, links resolved, and bounded, like the requirements.
    let Ok(bytes) = crate::files::Tree::new(code)
        .and_then(|tree| tree.read(&code.join("package.json"), MAX_REQUIREMENTS))
    else {
        return false;
    };
    serde_json::from_slice::<serde_json::Value>(&bytes).is_ok_and(|v| {
        v.get("dependencies")
            .and_then(serde_json::Value::as_object)
            .is_some_and(|d| !d.is_empty())
    })
}

/// The virtualenv's Python, created or updated when what it should hold changed: the pinned
/// packages and the handler's `requirements.txt`, installed from the code directory, so that
/// the paths it names (`-r base.txt`, `-e ./lib`) mean what they mean to the handler's own
/// build. (A change in a file it includes is not noticed: touch requirements.txt.)
fn venv(dir: &Path, code: &Path, requirements: Option<&str>) -> Result<PathBuf, RunError> {
    let state = state(dir);
    let venv = state.join("venv");
    let python = venv.join("bin").join("python");
    let wanted = format!("{PINNED}{}", requirements.unwrap_or_default());
    let stamp = venv.join("strider-requirements.txt");
    if python.is_file() && std::fs::read_to_string(&stamp).is_ok_and(|s| s == wanted) {
        return Ok(python);
    }
    std::fs::create_dir_all(&state)
        .map_err(|err| RunError(format!("cannot create `{}`: {err}", state.display())))?;
    if !python.is_file() {
        let base = std::env::var_os("STRIDER_PYTHON3").unwrap_or_else(|| "python3".into());
        run(
            Command::new(&base).args(["-m", "venv"]).arg(&venv),
            "create the Python virtualenv",
            "install Python 3 with venv (Debian: `apt-get install python3-venv`) or set STRIDER_PYTHON3",
        )?;
    }
    let pinned = state.join("pinned-requirements.txt");
    std::fs::write(&pinned, PINNED)
        .map_err(|err| RunError(format!("cannot write `{}`: {err}", pinned.display())))?;
    let mut pip = Command::new(&python);
    pip.args([
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "-r",
    ])
    .arg(&pinned)
    .current_dir(code);
    if requirements.is_some() {
        pip.args(["-r", "requirements.txt"]);
    }
    run(
        &mut pip,
        "install awslambdaric, moto and the handler's requirements",
        "the package index must be reachable; a handler requirement that conflicts with moto's must be loosened",
    )?;
    std::fs::write(&stamp, &wanted)
        .map_err(|err| RunError(format!("cannot write `{}`: {err}", stamp.display())))?;
    Ok(python)
}

fn run(command: &mut Command, what: &str, hint: &str) -> Result<(), RunError> {
    let out = command
        .output()
        .map_err(|err| RunError(format!("cannot {what}: {err}\n  hint: {hint}")))?;
    if out.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(10).collect();
    Err(RunError(format!(
        "cannot {what} ({}):\n{}\n  hint: {hint}",
        out.status,
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    )))
}

fn output(command: &mut Command) -> Result<String, RunError> {
    let program = command.get_program().to_string_lossy().into_owned();
    let out = command
        .output()
        .map_err(|err| RunError(format!("cannot run `{program}`: {err}")))?;
    if !out.status.success() {
        return Err(RunError(format!("`{program}` failed ({})", out.status)));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}
