//! `strider fuzz run`: one campaign of a generated target through `cargo fuzz`. libFuzzer's
//! status lines become [`Progress`]; a crash is minimised (`cargo fuzz tmin`), replayed once to
//! read its event and message, and written as a finding — `findings/<function>/<id>.json`, with
//! the threat it confirms and the event as pretty JSON — plus a regression test in `tests/` that
//! replays it under plain `cargo test`.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde_json::Value;
use sha2::Digest;

use super::ident;
use super::init::{Manifest, ManifestTarget};
use crate::findings::Finding;

/// How to run a campaign.
#[derive(Debug, Clone)]
pub struct Campaign {
    /// The generated crate.
    pub dir: PathBuf,
    /// The target's name.
    pub target: String,
    /// Total time, seconds.
    pub time_s: u64,
    /// AddressSanitizer (nightly) instead of no sanitizer (stable).
    pub asan: bool,
    /// Parallel fuzzing processes.
    pub jobs: u32,
    /// libFuzzer's random seed; libFuzzer picks one when absent.
    pub seed: Option<u64>,
}

/// A libFuzzer status line.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Progress {
    /// Executions so far.
    pub execs: u64,
    /// Executions per second.
    pub execs_per_s: u64,
    /// Corpus entries.
    pub corpus: u64,
    /// Coverage (edges).
    pub coverage: u64,
    /// Seconds since the start.
    pub elapsed_s: u64,
}

/// How a campaign ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The last status.
    pub progress: Progress,
    /// The finding, with the files written for it.
    pub finding: Option<(Finding, PathBuf, PathBuf)>,
}

/// Why a campaign could not run.
#[derive(Debug)]
pub struct RunError(pub String);

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RunError {}

/// Reads `strider-fuzz.json` of a generated crate.
///
/// # Errors
/// When it is missing or not a manifest.
pub fn manifest(dir: &Path) -> Result<Manifest, RunError> {
    let path = dir.join("strider-fuzz.json");
    let text = crate::files::Tree::read_named(&path, 16 << 20).map_err(|err| {
        RunError(format!(
            "cannot read `{}`: {}\n  hint: run `strider fuzz init MODEL -o {}` first, or pass --dir",
            path.display(),
            err.reason(),
            dir.display()
        ))
    })?;
    serde_json::from_slice(&text).map_err(|err| {
        RunError(format!(
            "`{}` is not a strider fuzz manifest: {err}",
            path.display()
        ))
    })
}

/// Parses a libFuzzer status line (`#1234 NEW cov: 56 ft: 78 corp: 9/1Kb … exec/s: 1000 …`).
#[must_use]
pub fn parse_status(line: &str) -> Option<Progress> {
    let rest = line.strip_prefix('#')?;
    let (execs, rest) = rest.split_once(char::is_whitespace)?;
    // Fork mode (`--jobs`) writes `#1234:`.
    let execs = execs.trim_end_matches(':').parse().ok()?;
    let mut progress = Progress {
        execs,
        ..Progress::default()
    };
    let words: Vec<&str> = rest.split_whitespace().collect();
    for pair in words.windows(2) {
        let number = |s: &str| {
            s.split('/')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(0)
        };
        match pair[0] {
            "cov:" => progress.coverage = number(pair[1]),
            "corp:" => progress.corpus = number(pair[1]),
            "exec/s:" => progress.execs_per_s = number(pair[1]),
            _ => {}
        }
    }
    Some(progress)
}

/// `cargo fuzz` for the crate of `campaign`, through the crate's coverage filter (sanitizer
/// coverage for the handler crates only, whatever the working directory; a wrapper the user had
/// set runs after it).
fn cargo_fuzz(campaign: &Campaign) -> Command {
    let mut command = Command::new("cargo");
    if campaign.asan {
        command.arg("+nightly");
    }
    command.arg("fuzz");
    let filter = std::path::absolute(campaign.dir.join(super::init::COVERAGE_FILTER_FILE))
        .unwrap_or_else(|_| campaign.dir.join(super::init::COVERAGE_FILTER_FILE));
    if filter.is_file() {
        if let Some(theirs) = std::env::var_os("RUSTC_WRAPPER").filter(|w| !w.is_empty()) {
            command.env("STRIDER_NEXT_WRAPPER", theirs);
        }
        command.env("RUSTC_WRAPPER", filter);
    }
    command
}

fn sanitizer_args(campaign: &Campaign) -> Vec<&'static str> {
    if campaign.asan {
        vec!["--sanitizer", "address"]
    } else {
        vec!["--sanitizer", "none"]
    }
}

/// `cargo fuzz run` for the campaign, with the target's dictionary and limits.
fn campaign_command(campaign: &Campaign, dir: &Path, target: &ManifestTarget) -> Command {
    let corpus = dir.join(&target.seeds);
    let mut command = cargo_fuzz(campaign);
    command
        .args(["run", "--fuzz-dir"])
        .arg(dir)
        .args(sanitizer_args(campaign));
    if campaign.jobs > 1 {
        command.args(["--jobs", &campaign.jobs.to_string()]);
    }
    command
        .arg(&target.name)
        .arg(&corpus)
        .arg("--")
        .arg(format!("-dict={}", dir.join(&target.dict).display()))
        .arg(format!("-timeout={}", target.timeout_s.max(1)))
        .arg(format!("-rss_limit_mb={}", target.rss_limit_mb))
        .arg(format!("-max_total_time={}", campaign.time_s))
        .arg("-print_final_stats=1");
    if let Some(seed) = campaign.seed {
        command.arg(format!("-seed={seed}"));
    }
    command
}

/// Runs the campaign, calling `on_progress` with each status line.
///
/// # Errors
/// When the manifest, cargo fuzz or the build fail (not when the handler crashes: that is the
/// finding).
pub fn run(
    campaign: &Campaign,
    on_progress: &mut dyn FnMut(&Progress),
) -> Result<Outcome, RunError> {
    let manifest = manifest(&campaign.dir)?;
    let target = manifest
        .targets
        .iter()
        .find(|t| t.name == campaign.target && crate::model::rust_path::is_identifier(&t.name))
        .ok_or_else(|| {
            let names: Vec<&str> = manifest.targets.iter().map(|t| t.name.as_str()).collect();
            RunError(format!(
                "no target `{}` in `{}`; targets: {}",
                campaign.target,
                campaign.dir.join("strider-fuzz.json").display(),
                names.join(", ")
            ))
        })?
        .clone();
    let dir = campaign
        .dir
        .canonicalize()
        .map_err(|err| RunError(err.to_string()))?;
    let mut command = campaign_command(campaign, &dir, &target);
    let started = Instant::now();
    let mut child = command
        .current_dir(&dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|err| {
            RunError(format!(
                "cannot start `cargo fuzz`: {err}\n  hint: cargo install cargo-fuzz"
            ))
        })?;
    let stderr = child
        .stderr
        .take()
        .ok_or_else(|| RunError("no stderr from cargo fuzz".to_owned()))?;
    let mut progress = Progress::default();
    let mut artifact: Option<(PathBuf, u64)> = None;
    let mut tail: Vec<String> = Vec::new();
    // Time counts from libFuzzer's first line, not from the start of the build.
    let mut fuzzing_since: Option<Instant> = None;
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if line.starts_with("INFO: ") || line.starts_with('#') {
            fuzzing_since.get_or_insert_with(Instant::now);
        }
        let elapsed = fuzzing_since.unwrap_or(started).elapsed().as_secs();
        if let Some(mut status) = parse_status(&line) {
            status.elapsed_s = elapsed;
            progress = status;
            on_progress(&progress);
        }
        if let Some(path) = line.split("Test unit written to ").nth(1) {
            let path = PathBuf::from(path.trim());
            let path = if path.is_absolute() {
                path
            } else {
                dir.join(path)
            };
            artifact.get_or_insert((path, elapsed));
        }
        tail.push(line);
        if tail.len() > 40 {
            tail.remove(0);
        }
    }
    let status = child.wait().map_err(|err| RunError(err.to_string()))?;
    let Some((artifact, found_after_s)) = artifact else {
        if status.success() {
            return Ok(Outcome {
                progress,
                finding: None,
            });
        }
        return Err(RunError(format!(
            "cargo fuzz failed ({status}):\n{}",
            tail.join("\n")
        )));
    };
    let finding = record(campaign, &dir, &target, &artifact, found_after_s)?;
    Ok(Outcome {
        progress,
        finding: Some(finding),
    })
}

/// The smallest input `cargo fuzz tmin` reaches from `artifact` (the artifact itself when it
/// cannot do better).
fn minimise(campaign: &Campaign, dir: &Path, target: &ManifestTarget, artifact: &Path) -> PathBuf {
    let before: Vec<PathBuf> = artifacts(artifact);
    let _ = cargo_fuzz(campaign)
        .args(["tmin", "--fuzz-dir"])
        .arg(dir)
        .args(sanitizer_args(campaign))
        .args(["--runs", "2000"])
        .arg(&target.name)
        .arg(artifact)
        .arg("--")
        .arg(format!("-timeout={}", target.timeout_s.max(1)))
        .arg(format!("-rss_limit_mb={}", target.rss_limit_mb))
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    artifacts(artifact)
        .into_iter()
        .filter(|p| !before.contains(p))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("minimized-from-"))
        })
        .min_by_key(|p| std::fs::metadata(p).map_or(u64::MAX, |m| m.len()))
        .unwrap_or_else(|| artifact.to_path_buf())
}

fn artifacts(artifact: &Path) -> Vec<PathBuf> {
    artifact
        .parent()
        .and_then(|d| std::fs::read_dir(d).ok())
        .map(|entries| entries.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default()
}

/// Host triple, for the path of the target binary cargo fuzz built.
fn host_triple() -> String {
    Command::new("rustc")
        .arg("-vV")
        .output()
        .ok()
        .and_then(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .find_map(|l| l.strip_prefix("host: ").map(str::to_owned))
        })
        .unwrap_or_else(|| "x86_64-unknown-linux-gnu".to_owned())
}

/// What the failure says: the oracle's verdict, the panic message, or libFuzzer's error.
fn failure_message(stderr: &str) -> (String, String) {
    let lines: Vec<&str> = stderr.lines().collect();
    if let Some(i) = lines.iter().position(|l| l.contains(" panicked at ")) {
        let message = lines
            .get(i + 1)
            .copied()
            .unwrap_or_default()
            .trim()
            .to_owned();
        if let Some(verdict) = message.strip_prefix(strider_events::oracle::PREFIX) {
            return ("oracle".to_owned(), verdict.trim().to_owned());
        }
        let place = lines[i]
            .split(" panicked at ")
            .nth(1)
            .unwrap_or_default()
            .trim_end_matches(':');
        let short: String = message.chars().take(300).collect();
        return ("crash".to_owned(), format!("panic at {place}: {short}"));
    }
    if let Some(line) = lines
        .iter()
        .find(|l| l.contains("ERROR: libFuzzer: timeout"))
    {
        return ("timeout".to_owned(), line.trim().to_owned());
    }
    if let Some(line) = lines.iter().find(|l| l.contains("out-of-memory")) {
        return ("oom".to_owned(), line.trim().to_owned());
    }
    if let Some(line) = lines.iter().find(|l| l.contains("ERROR: AddressSanitizer")) {
        return ("crash".to_owned(), line.trim().to_owned());
    }
    ("crash".to_owned(), "the target crashed".to_owned())
}

/// Minimises the crash, replays it for its event and message, and writes the finding and its
/// regression test.
fn record(
    campaign: &Campaign,
    dir: &Path,
    target: &ManifestTarget,
    artifact: &Path,
    found_after_s: u64,
) -> Result<(Finding, PathBuf, PathBuf), RunError> {
    let input = minimise(campaign, dir, target, artifact);
    let binary = dir
        .join("target")
        .join(host_triple())
        .join("release")
        .join(&target.name);
    let dump = tempfile::NamedTempFile::new().map_err(|err| RunError(err.to_string()))?;
    let replay = Command::new(&binary)
        .arg(&input)
        .env("STRIDER_EVENT_OUT", dump.path())
        .env("RUST_BACKTRACE", "0")
        .current_dir(dir)
        .output()
        .map_err(|err| RunError(format!("cannot replay with `{}`: {err}", binary.display())))?;
    let (kind, message) = failure_message(&String::from_utf8_lossy(&replay.stderr));
    // Paths inside the repository are shown relative to it, so findings read the same anywhere.
    let root = super::init::repository_root(dir);
    let message = message.replace(&format!("{}/", root.display()), "");
    let reproducer: Value = std::fs::read(dump.path())
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .ok_or_else(|| RunError(format!("replaying `{}` gave no event", input.display())))?;
    let event = reproducer.get("event").cloned().unwrap_or(Value::Null);
    let injected: Vec<String> = reproducer
        .get("injected")
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let digest = sha2::Sha256::digest(reproducer.to_string().as_bytes());
    let id = digest.iter().take(6).fold(String::new(), |mut id, b| {
        id.push_str(&format!("{b:02x}"));
        id
    });
    let finding = Finding {
        id: id.clone(),
        function: target.function.clone(),
        target: target.name.clone(),
        trigger: target.trigger,
        trigger_kind: target.kind.clone(),
        threat: target.threat.clone(),
        kind,
        message,
        found_after_s,
        event,
        injected,
        file: String::new(),
    };
    let function_dir = ident::identifier(&target.function);
    let finding_path = PathBuf::from(format!("findings/{function_dir}/{id}.json"));
    let mut json = serde_json::to_vec_pretty(&finding).map_err(|err| RunError(err.to_string()))?;
    json.push(b'\n');
    crate::output::write_confined(dir, &finding_path, &json)
        .map_err(|err| RunError(err.to_string()))?;
    let test_path = PathBuf::from(format!("tests/finding_{}_{id}.rs", target.name));
    let package = package_ident(dir)?;
    let test = format!(
        "//! Regression test written by `strider fuzz run`: replays finding {id} of {function:?}\n\
         //! ({kind}: {message}). It fails until the handler is fixed; keep it afterwards.\n\n\
         #[test]\n\
         fn finding_{id}_replays_cleanly() {{\n    \
         {package}::{name}::replay(include_str!(\"../{finding}\"));\n\
         }}\n",
        function = finding.function,
        kind = finding.kind,
        message = finding.message.replace(['\n', '\r'], " "),
        name = target.name,
        finding = finding_path.display(),
    );
    crate::output::write_confined(dir, &test_path, test.as_bytes())
        .map_err(|err| RunError(err.to_string()))?;
    Ok((finding, dir.join(finding_path), dir.join(test_path)))
}

/// The generated crate's library name.
fn package_ident(dir: &Path) -> Result<String, RunError> {
    let tree = crate::files::Tree::new(dir).map_err(|err| RunError(err.to_string()))?;
    super::init::package_name(dir, &tree)
        .map(|name| name.replace('-', "_"))
        .map_err(|err| RunError(err.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_are_parsed() {
        let p = parse_status("#52917\tNEW    cov: 1462 ft: 2135 corp: 45/39Kb lim: 1095 exec/s: 2645 rss: 58Mb L: 62/1095 MS: 5 ChangeByte-").unwrap();
        assert_eq!(
            (p.execs, p.coverage, p.corpus, p.execs_per_s),
            (52917, 1462, 45, 2645)
        );
        assert_eq!(
            parse_status("#2\tINITED cov: 10 ft: 11 corp: 1/5b exec/s: 0 rss: 30Mb")
                .unwrap()
                .corpus,
            1
        );
        assert!(parse_status("INFO: Seed: 1").is_none());
        assert!(parse_status("#abc").is_none());
        assert_eq!(
            parse_status(
                "#80417: cov: 361 ft: 900 corp: 61 exec/s: 4000 oom/timeout/crash: 0/0/1 time: 20s"
            )
            .unwrap()
            .execs,
            80417
        );
    }

    #[test]
    fn failure_messages_are_classified() {
        let oracle = "thread '<unnamed>' (1) panicked at src/oracle.rs:20:9:\nstrider oracle: HTTP 502 response\nstack";
        assert_eq!(
            failure_message(oracle),
            ("oracle".to_owned(), "HTTP 502 response".to_owned())
        );
        let panic = "thread '<unnamed>' (1) panicked at src/x.rs:5:1:\nindex out of bounds\n";
        assert_eq!(
            failure_message(panic),
            (
                "crash".to_owned(),
                "panic at src/x.rs:5:1: index out of bounds".to_owned()
            )
        );
        assert_eq!(
            failure_message("==1== ERROR: libFuzzer: timeout after 3 seconds").0,
            "timeout"
        );
        assert_eq!(
            failure_message("==1== ERROR: libFuzzer: out-of-memory (malloc(1))").0,
            "oom"
        );
    }
}
