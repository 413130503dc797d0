//! `strider fuzz run`: a campaign of one generated target that goes on after a failure and
//! collects every distinct bug of the handler.
//!
//! The target is built once with `cargo fuzz build`; then each of `jobs` workers runs the fuzz
//! binary in a loop, on the target's corpus, until the time is up. A run ends at its first
//! failure; the worker starts the next one at once, on the corpus the earlier runs grew (libFuzzer
//! never keeps a failing input in it), with the time left. Each failure is read from the run's
//! stderr and known by its signature (see [`failure`]): the first of a signature is minimised
//! (`-minimize_crash`), replayed once to read its event, and written as a finding —
//! `findings/<function>/<id>.json`, with the threat it confirms and the event as pretty JSON —
//! plus a regression test in `tests/` that replays it under plain `cargo test`; a signature seen
//! before (in this campaign, or in a finding of an earlier one) only counts.
//!
//! Why a restart loop and not libFuzzer's fork mode (`-fork=N -ignore_crashes=1`, what `cargo
//! fuzz run --jobs N` passes, after the arguments given to it, so it wins over a `-fork` there):
//! in fork mode the jobs' output goes to log files that libFuzzer deletes, keeping only the
//! `ERROR:` lines — no panic message, so no place to tell two bugs apart without replaying every
//! artifact — and the jobs' recommended dictionaries are lost; the exit status is the last job's.
//! Here every run's whole output is read, a run that fails costs one process start, and `jobs`
//! workers share the corpus as libFuzzer's own parallel mode does (`-reload`).
//!
//! For a handler in its own runtime a process start also starts the emulator and the handler,
//! a second or more: the uncaught exceptions the campaign has recorded are listed in a file the
//! runs read ([`strider_events::runtime::known`]), and an event that raises one again is counted
//! without ending the run (up to a streak of them: a broken emulator looks like that). Earlier
//! campaigns' exceptions are listed from the start, so the inputs the corpus kept past them do
//! not stop this one.
//!
//! libFuzzer's recommended dictionary (the words of its comparison traces that led to new
//! coverage) is kept in `dict/<target>.learned.dict`; each run gets the union of the generated
//! and the learned dictionary (see [`dictionary`]).

mod dictionary;
pub mod failure;
pub mod runtimes;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::Digest;

use super::ident;
use super::init::{Manifest, ManifestTarget};
use crate::findings::Finding;
pub use failure::Failure;

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
    /// libFuzzer's random seed of the first run (the next runs take the next numbers); libFuzzer
    /// picks one when absent.
    pub seed: Option<u64>,
    /// Start from a temporary copy of the seeds `strider fuzz init` wrote, without the learned
    /// dictionary, leaving the kept corpus and dictionary untouched (for benchmarks).
    pub fresh: bool,
}

/// A libFuzzer status line, or the campaign's progress.
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
    /// Milliseconds of fuzzing so far.
    pub elapsed_ms: u64,
}

/// One distinct bug of a campaign.
#[derive(Debug, Clone)]
pub struct Bug {
    /// What makes its failures one bug (see [`failure`]).
    pub signature: String,
    /// `crash`, `oracle`, `timeout` or `oom`.
    pub kind: String,
    /// Where: a panic's `file:line:col`, a sanitizer report's top frame, an oracle's event field.
    pub place: String,
    /// What went wrong, from its first failure.
    pub message: String,
    /// Milliseconds of fuzzing before its first failure.
    pub first_after_ms: u64,
    /// How many times it was hit: the runs it ended, and the events of runs that went on past
    /// a bug they knew.
    pub count: u64,
    /// Its finding.
    pub record: Record,
}

/// Where a bug's finding is.
#[derive(Debug, Clone)]
pub enum Record {
    /// Written by this campaign: the finding, its file and its regression test.
    New {
        /// The finding.
        finding: Box<Finding>,
        /// `findings/<function>/<id>.json`.
        json: PathBuf,
        /// `tests/finding_<target>_<id>.rs`.
        test: PathBuf,
    },
    /// Written by an earlier campaign (same signature).
    Earlier {
        /// Its file.
        json: PathBuf,
    },
    /// Not written: why.
    Failed(String),
}

/// What a campaign reports as it goes.
#[derive(Debug)]
pub enum Update<'a> {
    /// The handler's runtime is being prepared (the Python virtualenv, Node.js).
    Preparing(crate::fuzz::runtime::Language),
    /// `cargo fuzz build` starts.
    Building,
    /// Fuzzing starts, with this many workers.
    Fuzzing(u32),
    /// A status line.
    Progress(&'a Progress),
    /// A new bug.
    Found(&'a Bug),
}

/// The learned dictionary after a campaign.
#[derive(Debug, Clone)]
pub struct Learned {
    /// `dict/<target>.learned.dict`.
    pub path: PathBuf,
    /// Entries this campaign added.
    pub added: usize,
    /// Entries in all.
    pub entries: usize,
}

/// How a campaign ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The last status.
    pub progress: Progress,
    /// Executions, every run of every worker.
    pub execs: u64,
    /// Milliseconds of fuzzing (from the first run's start to the last one's end).
    pub fuzzed_ms: u64,
    /// Executions per second over the campaign (libFuzzer's `stat::number_of_executed_units` of
    /// each run, over the time).
    pub execs_per_s: u64,
    /// Runs of the fuzz binary (one more after each failure).
    pub runs: u64,
    /// The distinct bugs, in the order they were found.
    pub bugs: Vec<Bug>,
    /// Why the campaign ended before its time, when it did.
    pub stopped: Option<String>,
    /// The learned dictionary, when this campaign added to it.
    pub learned: Option<Learned>,
    /// What went wrong without stopping the campaign.
    pub warnings: Vec<String>,
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
    let manifest: Manifest = serde_json::from_slice(&text).map_err(|err| {
        RunError(format!(
            "`{}` is not a strider fuzz manifest: {err}",
            path.display()
        ))
    })?;
    // The corpus is written to and the dictionary read: both must stay inside the crate, whatever
    // an edited manifest says.
    for t in &manifest.targets {
        for (what, relative) in [("seeds", &t.seeds), ("dict", &t.dict)] {
            crate::output::check_confined(dir, Path::new(relative)).map_err(|err| {
                RunError(format!(
                    "`{}`: the {what} of target `{}` must be a path inside the crate ({err})",
                    path.display(),
                    crate::escape::terminal(&t.name)
                ))
            })?;
        }
    }
    Ok(manifest)
}

/// The failing input libFuzzer reports writing (`artifact_prefix='DIR/'; Test unit written to
/// DIR/crash-…`), when it is a file directly in `artifacts`; anything else on the line — a
/// handler's output that spells the same words — is not.
fn artifact_written(line: &str, artifacts: &Path) -> Option<PathBuf> {
    let rest = line.strip_prefix("artifact_prefix='")?;
    let (_, path) = rest.split_once("'; Test unit written to ")?;
    let path = PathBuf::from(path.trim_end());
    (path.parent() == Some(artifacts) && path.file_name().is_some()).then_some(path)
}

/// What libFuzzer names the events of its status lines (`#1234\tNEW …`).
const STATUS_EVENTS: &[&str] = &[
    "INITED", "NEW", "REDUCE", "pulse", "DONE", "RELOAD", "NEW_FUNC",
];

/// Parses a libFuzzer status line (`#1234\tNEW cov: 56 ft: 78 corp: 9/1Kb … exec/s: 1000 …`,
/// or fork mode's `#1234: cov: …`); not a line a handler printed that merely starts with `#`.
#[must_use]
pub fn parse_status(line: &str) -> Option<Progress> {
    let rest = line.strip_prefix('#')?;
    let (execs, rest) = if let Some((execs, rest)) = rest.split_once('\t') {
        let event = rest.split_whitespace().next()?;
        STATUS_EVENTS.contains(&event).then_some((execs, rest))?
    } else {
        let (execs, rest) = rest.split_once(": ")?;
        rest.starts_with("cov: ").then_some((execs, rest))?
    };
    let execs = execs.parse().ok()?;
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

/// The most workers a campaign starts.
const MAX_JOBS: u32 = 64;
/// The longest output line read; the rest of a longer one is skipped.
const MAX_LINE: usize = 16 * 1024;
/// The most lines of a failure report kept.
const MAX_REPORT_LINES: usize = 400;
/// The most distinct known bugs a run's counts or the campaign's pending counts hold.
const MAX_KNOWN: usize = 64;
/// How the signature of an uncaught exception starts ([`strider_events::runtime::known`]).
const UNCAUGHT: &str = "oracle: uncaught ";
/// Files of a failing input that libFuzzer names by what failed.
const ARTIFACT_PREFIXES: &[&str] = &["crash-", "timeout-", "oom-", "leak-", "slow-unit-"];

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

/// Everything the runs of a campaign share.
struct Context<'a> {
    campaign: &'a Campaign,
    /// The crate, resolved.
    dir: PathBuf,
    /// The repository holding it: paths inside are shown relative to it.
    root: PathBuf,
    target: ManifestTarget,
    /// The fuzz binary `cargo fuzz build` wrote.
    binary: PathBuf,
    corpus: PathBuf,
    /// `artifacts/<target>/`, where libFuzzer writes failing inputs.
    artifacts: PathBuf,
    /// The union of the generated and learned dictionaries, when it has entries.
    dict: Option<PathBuf>,
    budget: Duration,
    /// For a handler in its own runtime: the bugs its runs go on past.
    known: Option<KnownBugs>,
}

/// The file of the uncaught exceptions a campaign has recorded, which its runs read
/// ([`strider_events::runtime::known`]). Rewritten whole and renamed into place, so a run never
/// reads half a line.
struct KnownBugs {
    dir: tempfile::TempDir,
    signatures: std::sync::Mutex<Vec<String>>,
}

impl KnownBugs {
    /// The file, listing the uncaught exceptions earlier campaigns recorded: the corpus keeps
    /// inputs that raise them (a run went on past them), and those must not stop this one.
    fn new(earlier: &BTreeMap<String, PathBuf>) -> Result<KnownBugs, RunError> {
        let dir = tempfile::Builder::new()
            .prefix("strider-known-")
            .tempdir()
            .map_err(|err| RunError(format!("cannot create a temporary directory: {err}")))?;
        let known = KnownBugs {
            dir,
            signatures: std::sync::Mutex::new(Vec::new()),
        };
        let listed: Vec<String> = earlier
            .keys()
            // One line each: a finding file's signature with a line break would list two.
            .filter(|s| s.starts_with(UNCAUGHT) && !s.contains(['\n', '\r']))
            .cloned()
            .collect();
        if !listed.is_empty() {
            known.write(&listed);
            *known
                .signatures
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = listed;
        }
        Ok(known)
    }

    /// For a handler in its own runtime; none for a Rust handler, whose runs restart at once.
    fn of(
        target: &ManifestTarget,
        earlier: &BTreeMap<String, PathBuf>,
    ) -> Result<Option<KnownBugs>, RunError> {
        target
            .runtime
            .is_some()
            .then(|| KnownBugs::new(earlier))
            .transpose()
    }

    fn write(&self, signatures: &[String]) {
        let staged = self.dir.path().join("known.new");
        // Not written: the runs end at the bug as before, which costs time, not findings.
        if std::fs::write(&staged, signatures.join("\n") + "\n").is_ok() {
            let _ = std::fs::rename(&staged, self.path());
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.path().join("known")
    }

    /// Lists the failure a run ended with when it is an uncaught exception; before the worker's
    /// next run starts, so that run goes on past it. Whether it was listed now.
    fn remember(&self, failure: &Failure) -> bool {
        let Some(head) = strider_events::runtime::known::uncaught(&failure.message) else {
            return false;
        };
        let signature = strider_events::runtime::known::signature(head);
        let mut signatures = self
            .signatures
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if signatures.contains(&signature) {
            return false;
        }
        signatures.push(signature);
        self.write(&signatures);
        true
    }
}

impl Context<'_> {
    /// libFuzzer's `-timeout`: the function's own for a Rust handler; for a handler in its
    /// own runtime, which enforces the function's timeout itself (a hang is its finding), a
    /// backstop above that plus a cold start and the emulator's start.
    fn libfuzzer_timeout_s(&self) -> u32 {
        let timeout = self.target.timeout_s.max(1);
        if self.target.runtime.is_some() {
            timeout.saturating_mul(2).saturating_add(70)
        } else {
            timeout
        }
    }

    /// The fuzz binary with the target's limits; `ASAN_OPTIONS` as `cargo fuzz` sets them.
    fn binary(&self) -> Command {
        let mut command = Command::new(&self.binary);
        command
            .arg(format!("-timeout={}", self.libfuzzer_timeout_s()))
            .arg(format!("-rss_limit_mb={}", self.target.rss_limit_mb))
            .env("RUST_BACKTRACE", "0")
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .stdout(Stdio::null());
        if self.campaign.asan {
            let mut options = std::env::var("ASAN_OPTIONS").unwrap_or_default();
            if !options.is_empty() {
                options.push(':');
            }
            options.push_str("detect_odr_violation=0");
            command.env("ASAN_OPTIONS", options);
        }
        command
    }
}

/// Runs the campaign, reporting through `on_update` as it goes.
///
/// # Errors
/// When the manifest, cargo fuzz, the build or the first run fail (not when the handler fails:
/// those are the bugs).
pub fn run(
    campaign: &Campaign,
    on_update: &mut dyn FnMut(Update<'_>),
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
    // The seeds, dictionaries and earlier findings are read before the long build.
    let fresh = if campaign.fresh {
        Some(fresh_corpus(&dir, &target)?)
    } else {
        None
    };
    let corpus = if let Some(copy) = &fresh {
        copy.path().to_path_buf()
    } else {
        let corpus = dir.join(&target.seeds);
        std::fs::create_dir_all(&corpus)
            .map_err(|err| RunError(format!("cannot create `{}`: {err}", corpus.display())))?;
        corpus
    };
    let generated = read_dictionary(&dir, &target.dict, true)?;
    let learned_path = learned_dictionary(&target);
    let learned = if campaign.fresh {
        Vec::new()
    } else {
        read_dictionary(&dir, &learned_path.to_string_lossy(), false)?
    };
    let union: Vec<Vec<u8>> = generated.iter().chain(&learned).cloned().collect();
    let dict_file = if union.is_empty() {
        None
    } else {
        let file = tempfile::Builder::new()
            .prefix("strider-")
            .suffix(".dict")
            .tempfile()
            .map_err(|err| RunError(format!("cannot write a dictionary: {err}")))?;
        let text = dictionary::file(
            &format!(
                "The dictionaries of {} for one campaign: {} and {}.",
                target.name,
                target.dict,
                learned_path.display()
            ),
            &union,
            dictionary::MAX_UNION,
        );
        std::fs::write(file.path(), text)
            .map_err(|err| RunError(format!("cannot write a dictionary: {err}")))?;
        Some(file)
    };
    let earlier = earlier_findings(&dir, &target);
    let artifacts = dir.join("artifacts").join(&target.name);
    std::fs::create_dir_all(&artifacts)
        .map_err(|err| RunError(format!("cannot create `{}`: {err}", artifacts.display())))?;

    let warnings = prepare(&dir, &target, on_update)?;
    on_update(Update::Building);
    build(campaign, &dir, &target)?;
    let known = KnownBugs::of(&target, &earlier)?;
    let context = Context {
        campaign,
        root: super::init::repository_root(&dir),
        binary: binary_path(&dir, &target.name),
        dir,
        target,
        corpus,
        artifacts,
        dict: dict_file.as_ref().map(|f| f.path().to_path_buf()),
        budget: Duration::from_secs(campaign.time_s),
        known,
    };
    if !context.binary.is_file() {
        return Err(RunError(format!(
            "cargo fuzz built no `{}`\n  hint: is CARGO_TARGET_DIR or build.target-dir set? strider looks in the crate's target/",
            context.binary.display()
        )));
    }
    let jobs = campaign.jobs.clamp(1, MAX_JOBS);
    on_update(Update::Fuzzing(jobs));
    let (mut outcome, recommended) = fuzz(&context, jobs, &earlier, on_update)?;
    outcome.warnings.extend(warnings);
    if !campaign.fresh {
        match learn(&context, &learned_path, &learned, &generated, &recommended) {
            Some(Ok(learned)) => outcome.learned = Some(learned),
            Some(Err(warning)) => outcome.warnings.push(warning),
            None => {}
        }
    }
    Ok(outcome)
}

/// What a handler in its own runtime needs, prepared; the warnings about it.
fn prepare(
    dir: &Path,
    target: &ManifestTarget,
    on_update: &mut dyn FnMut(Update<'_>),
) -> Result<Vec<String>, RunError> {
    let Some(runtime) = &target.runtime else {
        return Ok(Vec::new());
    };
    on_update(Update::Preparing(runtime.language));
    runtimes::prepare(dir, runtime)
}

/// `cargo fuzz build` of the target.
fn build(campaign: &Campaign, dir: &Path, target: &ManifestTarget) -> Result<(), RunError> {
    let mut command = cargo_fuzz(campaign);
    command
        .args(["build", "--fuzz-dir"])
        .arg(dir)
        .args(sanitizer_args(campaign))
        .arg(&target.name)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = command.spawn().map_err(|err| {
        RunError(format!(
            "cannot start `cargo fuzz`: {err}\n  hint: cargo install cargo-fuzz"
        ))
    })?;
    let mut tail: Vec<String> = Vec::new();
    if let Some(stderr) = child.stderr.take() {
        for_each_line(stderr, |line| {
            tail.push(line.to_owned());
            if tail.len() > 40 {
                tail.remove(0);
            }
        });
    }
    let status = child.wait().map_err(|err| RunError(err.to_string()))?;
    if status.success() {
        Ok(())
    } else {
        Err(RunError(format!(
            "cargo fuzz build failed ({status}):\n{}",
            tail.join("\n")
        )))
    }
}

/// Where `cargo fuzz build` puts the target's binary: the crate's `target/` (or
/// `CARGO_TARGET_DIR`), the host triple, release.
fn binary_path(dir: &Path, name: &str) -> PathBuf {
    let target_dir = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map_or_else(|| dir.join("target"), |d| dir.join(d));
    target_dir.join(host_triple()).join("release").join(name)
}

/// The learned dictionary of a target, relative to the crate.
fn learned_dictionary(target: &ManifestTarget) -> PathBuf {
    PathBuf::from(format!("dict/{}.learned.dict", target.name))
}

/// The entries of a dictionary of the crate; a missing learned dictionary has none.
fn read_dictionary(dir: &Path, relative: &str, required: bool) -> Result<Vec<Vec<u8>>, RunError> {
    let path = dir.join(relative);
    if !required && std::fs::symlink_metadata(&path).is_err() {
        return Ok(Vec::new());
    }
    let tree = crate::files::Tree::new(dir).map_err(|err| RunError(err.to_string()))?;
    let bytes = tree.read(&path, 16 << 20).map_err(|err| {
        RunError(format!(
            "{err}\n  hint: regenerate the crate with `strider fuzz init`"
        ))
    })?;
    Ok(dictionary::entries(&bytes))
}

/// A temporary corpus holding only the seeds `strider fuzz init` wrote for `target` (those its
/// marker lists under the target's corpus; the realistic seed when it lists none).
fn fresh_corpus(dir: &Path, target: &ManifestTarget) -> Result<tempfile::TempDir, RunError> {
    let tree = crate::files::Tree::new(dir).map_err(|err| RunError(err.to_string()))?;
    let prefix = format!("{}/", target.seeds);
    let listed: Vec<String> = tree
        .read(&dir.join(crate::output::MARKER), 16 << 20)
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok())
        .and_then(|marker| marker.get("files").cloned())
        .and_then(|files| serde_json::from_value::<Vec<String>>(files).ok())
        .unwrap_or_default()
        .into_iter()
        .filter(|f| {
            f.strip_prefix(&prefix)
                .is_some_and(|name| !name.is_empty() && !name.contains(['/', '\\']))
        })
        .take(10_000)
        .collect();
    let seeds = if listed.is_empty() {
        vec![format!("{prefix}realistic")]
    } else {
        listed
    };
    let copy = tempfile::Builder::new()
        .prefix("strider-corpus-")
        .tempdir()
        .map_err(|err| RunError(format!("cannot create a fresh corpus: {err}")))?;
    for seed in &seeds {
        let bytes = tree.read(&dir.join(seed), 16 << 20).map_err(|err| {
            RunError(format!(
                "{err}\n  hint: --fresh starts from the seeds `strider fuzz init` wrote; regenerate the crate"
            ))
        })?;
        let name = seed.rsplit('/').next().unwrap_or("seed");
        std::fs::write(copy.path().join(name), bytes)
            .map_err(|err| RunError(format!("cannot create a fresh corpus: {err}")))?;
    }
    Ok(copy)
}

/// The signatures of the target's findings written by earlier campaigns, with their files.
fn earlier_findings(dir: &Path, target: &ManifestTarget) -> BTreeMap<String, PathBuf> {
    if !dir.join("findings").is_dir() {
        return BTreeMap::new();
    }
    let Ok(read) = crate::findings::load_all(dir) else {
        return BTreeMap::new();
    };
    read.findings
        .into_iter()
        .filter(|f| f.target == target.name)
        .filter_map(|f| {
            let signature = if f.signature.is_empty() {
                failure::legacy_signature(&f.kind, &f.message)?
            } else {
                f.signature.clone()
            };
            Some((signature, dir.join(&f.file)))
        })
        .collect()
}

/// Calls `f` with each line of `reader`, lossily decoded; a line longer than [`MAX_LINE`] is cut
/// there and the rest of it skipped.
fn for_each_line(reader: impl Read, mut f: impl FnMut(&str)) {
    let mut reader = BufReader::new(reader);
    let mut buffer = Vec::new();
    loop {
        buffer.clear();
        let Ok(n) = reader
            .by_ref()
            .take(MAX_LINE as u64)
            .read_until(b'\n', &mut buffer)
        else {
            return;
        };
        if n == 0 {
            return;
        }
        if buffer.last() != Some(&b'\n') && n == MAX_LINE {
            let mut rest = Vec::new();
            loop {
                rest.clear();
                match reader
                    .by_ref()
                    .take(MAX_LINE as u64)
                    .read_until(b'\n', &mut rest)
                {
                    Ok(0) | Err(_) => break,
                    Ok(_) if rest.last() == Some(&b'\n') => break,
                    Ok(_) => {}
                }
            }
        }
        let line = String::from_utf8_lossy(&buffer);
        f(line.trim_end_matches(['\n', '\r']));
    }
}

/// What one run of the fuzz binary ended with.
struct RunEnd {
    worker: usize,
    /// The failing input libFuzzer wrote.
    artifact: Option<PathBuf>,
    /// The failure report, from its first line on.
    report: Vec<String>,
    /// When the report started, since the campaign's start.
    failed_at: Duration,
    /// When the run ended, since the campaign's start.
    ended_at: Duration,
    /// Whether fuzzing had started (`INITED`): a failure before is an input of the corpus.
    inited: bool,
    /// The input that failed before fuzzing started was a seed `strider fuzz init` generated
    /// (`random-*`), which the worker removed: the next run starts without it.
    dropped_seed: bool,
    /// `stat::number_of_executed_units`, or the last status line's count.
    executed: u64,
    recommended: Vec<Vec<u8>>,
    /// The exit status; `None` when the binary could not be run.
    status: Option<ExitStatus>,
    /// The last lines.
    tail: Vec<String>,
    /// Known bugs the run went on past, by signature: how many times each, and when first
    /// (since the campaign's start).
    again: BTreeMap<String, (u64, Duration)>,
    /// Its failure is an uncaught exception the worker listed as known when the run ended.
    listed: bool,
}

enum Message {
    Status(usize, Progress),
    Ended(Box<RunEnd>),
}

/// Runs the workers until the time is up, recording each new bug as it is found. Returns the
/// outcome and the entries libFuzzer recommended.
fn fuzz(
    context: &Context<'_>,
    jobs: u32,
    earlier: &BTreeMap<String, PathBuf>,
    on_update: &mut dyn FnMut(Update<'_>),
) -> Result<(Outcome, Vec<Vec<u8>>), RunError> {
    let workers = jobs as usize;
    let stop = AtomicBool::new(false);
    let start = Instant::now();
    let (sender, receiver) = mpsc::channel::<Message>();
    let mut done = vec![0u64; workers];
    let mut current = vec![0u64; workers];
    let mut last = Progress::default();
    let mut bugs: Vec<Bug> = Vec::new();
    let mut runs = 0u64;
    let mut recommended: Vec<Vec<u8>> = Vec::new();
    let mut stopped: Option<String> = None;
    let mut error: Option<String> = None;
    // Hits of a known bug another worker's run listed before its own run's end arrived here.
    let mut pending: BTreeMap<String, u64> = BTreeMap::new();
    // Until the last run ended: recording the last bug is not fuzzing.
    let mut fuzzed = Duration::ZERO;
    std::thread::scope(|scope| {
        for worker in 0..workers {
            let sender = sender.clone();
            let stop = &stop;
            scope.spawn(move || work(context, worker, jobs, start, stop, &sender));
        }
        drop(sender);
        for message in receiver {
            match message {
                Message::Status(worker, status) => {
                    current[worker] = status.execs;
                    let elapsed_ms = millis(start.elapsed());
                    let execs = done.iter().sum::<u64>() + current.iter().sum::<u64>();
                    last = Progress {
                        execs,
                        execs_per_s: per_second(execs, elapsed_ms),
                        corpus: status.corpus,
                        coverage: status.coverage,
                        elapsed_ms,
                    };
                    on_update(Update::Progress(&last));
                }
                Message::Ended(end) => {
                    runs += 1;
                    fuzzed = fuzzed.max(end.ended_at);
                    done[end.worker] += end.executed.max(current[end.worker]);
                    current[end.worker] = 0;
                    merge_recommended(&mut recommended, &end.recommended);
                    for bug in count_again(&end.again, earlier, &mut bugs, &mut pending) {
                        on_update(Update::Found(&bugs[bug]));
                    }
                    if let Some(problem) = setup_failure(&end.report) {
                        // The handler's runtime could not start: no input is to blame.
                        end.artifact.iter().for_each(|a| discard(context, a));
                        stop.store(true, Ordering::SeqCst);
                        error.get_or_insert(problem);
                    } else if let Some(artifact) = &end.artifact {
                        let (index, new) =
                            handle_failure(context, &end, artifact, earlier, &mut bugs);
                        bugs[index].count += pending.remove(&bugs[index].signature).unwrap_or(0);
                        if new {
                            on_update(Update::Found(&bugs[index]));
                        }
                        if stopped.is_none() && !end.inited && !end.dropped_seed && !end.listed {
                            stop.store(true, Ordering::SeqCst);
                            stopped = Some(stuck(context, &bugs[index].signature));
                        }
                    } else if end.status.is_none_or(|s| !s.success()) && error.is_none() {
                        stop.store(true, Ordering::SeqCst);
                        let status = end
                            .status
                            .map_or_else(|| "not started".to_owned(), |s| s.to_string());
                        error = Some(format!(
                            "the fuzz target failed without a failing input ({status}):\n{}",
                            end.tail.join("\n")
                        ));
                    }
                }
            }
        }
    });
    let fuzzed_ms = millis(fuzzed);
    if let Some(error) = error {
        if bugs.is_empty() && runs <= jobs.into() {
            return Err(RunError(error));
        }
        stopped.get_or_insert(error);
    }
    let execs: u64 = done.iter().sum();
    Ok((
        Outcome {
            progress: last,
            execs,
            fuzzed_ms,
            execs_per_s: per_second(execs, fuzzed_ms),
            runs,
            bugs,
            stopped,
            learned: None,
            warnings: Vec::new(),
        },
        recommended,
    ))
}

/// Adds the hits of known bugs a run went on past to their counts. A bug an earlier campaign
/// recorded joins this campaign's list at its first hit (returned: their indexes); one not
/// recorded yet (another worker's run ended with it, and its end has not arrived) goes to
/// `pending`.
fn count_again(
    again: &BTreeMap<String, (u64, Duration)>,
    earlier: &BTreeMap<String, PathBuf>,
    bugs: &mut Vec<Bug>,
    pending: &mut BTreeMap<String, u64>,
) -> Vec<usize> {
    let mut joined = Vec::new();
    // In the order they were first hit, as the list is.
    let mut hits_in_order: Vec<_> = again.iter().collect();
    hits_in_order.sort_by_key(|(_, (_, first))| *first);
    for (signature, (hits, first)) in hits_in_order {
        if let Some(bug) = bugs.iter_mut().find(|b| &b.signature == signature) {
            bug.count += hits;
        } else if let Some(json) = earlier.get(signature) {
            let message = signature.strip_prefix("oracle: ").unwrap_or(signature);
            bugs.push(Bug {
                signature: signature.clone(),
                kind: "oracle".to_owned(),
                place: message
                    .split_once(" at ")
                    .map_or_else(String::new, |(_, at)| at.to_owned()),
                message: message.to_owned(),
                first_after_ms: millis(*first),
                count: *hits,
                record: Record::Earlier { json: json.clone() },
            });
            joined.push(bugs.len() - 1);
        } else if pending.len() < MAX_KNOWN {
            *pending.entry(signature.clone()).or_default() += hits;
        }
    }
    joined
}

/// Adds the dictionary entries a run recommended, without repeats, up to the union's limit.
fn merge_recommended(recommended: &mut Vec<Vec<u8>>, more: &[Vec<u8>]) {
    for entry in more {
        if recommended.len() < dictionary::MAX_UNION && !recommended.contains(entry) {
            recommended.push(entry.clone());
        }
    }
}

/// Why the campaign cannot go on after an input of the user's corpus failed before fuzzing
/// started: every run would stop there.
fn stuck(context: &Context<'_>, signature: &str) -> String {
    format!(
        "an input of the corpus fails before fuzzing starts ({signature}), so every run would stop there: fix that bug, or move the input out of `{}`",
        context.corpus.display()
    )
}

/// Removes the seeds `strider fuzz init` generated (`random-*`) that hold `bytes`; whether
/// there was one.
fn drop_generated_seed(corpus: &Path, bytes: &[u8]) -> bool {
    let mut dropped = false;
    for path in files_in(corpus) {
        let generated = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("random-"));
        if generated && std::fs::read(&path).is_ok_and(|b| b == bytes) {
            dropped |= std::fs::remove_file(&path).is_ok();
        }
    }
    dropped
}

/// What kept a handler's runtime from starting (a `strider runtime:` panic), if that is how the
/// run ended: the problem and the lines that follow it.
fn setup_failure(report: &[String]) -> Option<String> {
    // The panic's own message, the line after `panicked at`: not a line of the handler's
    // output that happens to hold the words.
    let at = report.iter().position(|l| l.contains(" panicked at "))? + 1;
    let first = report
        .get(at)?
        .strip_prefix(strider_events::runtime::SETUP)?;
    let mut text = first.trim().to_owned();
    for line in report[at + 1..]
        .iter()
        .take_while(|l| !l.starts_with("note:") && !l.starts_with("==") && !l.is_empty())
    {
        text.push('\n');
        text.push_str(line);
    }
    Some(format!("the handler's runtime could not be set up: {text}"))
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

fn per_second(count: u64, ms: u64) -> u64 {
    if ms == 0 {
        0
    } else {
        u64::try_from(u128::from(count) * 1000 / u128::from(ms)).unwrap_or(u64::MAX)
    }
}

/// One worker: runs of the fuzz binary, one after another, until the time is up or `stop`.
fn work(
    context: &Context<'_>,
    worker: usize,
    jobs: u32,
    start: Instant,
    stop: &AtomicBool,
    sender: &mpsc::Sender<Message>,
) {
    let mut run: u64 = 0;
    while !stop.load(Ordering::SeqCst) {
        let left = context.budget.saturating_sub(start.elapsed());
        if left < Duration::from_secs(1) {
            break;
        }
        let seed = context.campaign.seed.map(|seed| {
            // libFuzzer's seed is 32 bits; run k of worker w takes the k·jobs + w-th next one.
            (seed.wrapping_add(run * u64::from(jobs) + worker as u64)) & 0xffff_ffff
        });
        let mut end = one_run(context, worker, left.as_secs(), seed, start, sender);
        run += 1;
        if let (Some(known), Some(_)) = (&context.known, &end.artifact) {
            end.listed = known.remember(&failure::read(&end.report.join("\n"), &context.root));
        }
        if !end.inited
            && let Some(bytes) = end.artifact.as_ref().and_then(|a| std::fs::read(a).ok())
        {
            end.dropped_seed = drop_generated_seed(&context.corpus, &bytes);
        }
        // An input of the corpus that fails before fuzzing starts stops the campaign, unless
        // the next run goes on past its failure (an exception listed now).
        let failed_early =
            end.artifact.is_some() && !end.inited && !end.dropped_seed && !end.listed;
        let broken = end.artifact.is_none() && end.status.is_none_or(|s| !s.success());
        if sender.send(Message::Ended(Box::new(end))).is_err() || failed_early || broken {
            break;
        }
    }
}

/// One run of the fuzz binary for at most `seconds`.
fn one_run(
    context: &Context<'_>,
    worker: usize,
    seconds: u64,
    seed: Option<u64>,
    start: Instant,
    sender: &mpsc::Sender<Message>,
) -> RunEnd {
    let mut end = RunEnd {
        dropped_seed: false,
        worker,
        artifact: None,
        report: Vec::new(),
        failed_at: Duration::ZERO,
        ended_at: Duration::ZERO,
        inited: false,
        executed: 0,
        recommended: Vec::new(),
        status: None,
        tail: Vec::new(),
        again: BTreeMap::new(),
        listed: false,
    };
    let mut command = context.binary();
    command
        .arg(&context.corpus)
        .arg(format!(
            "-artifact_prefix={}{}",
            context.artifacts.display(),
            std::path::MAIN_SEPARATOR
        ))
        .arg(format!("-max_total_time={seconds}"))
        // A handler in its own runtime runs tens to hundreds of events a second, not thousands:
        // libFuzzer's slow ramp of the input length would keep it on near-realistic events
        // (short inputs decode to realistic choices) for the whole campaign.
        .args(context.target.runtime.is_some().then_some("-len_control=0"))
        .arg("-print_final_stats=1")
        .stderr(Stdio::piped());
    if let Some(dict) = &context.dict {
        command.arg(format!("-dict={}", dict.display()));
    }
    if let Some(seed) = seed {
        command.arg(format!("-seed={seed}"));
    }
    if let Some(known) = &context.known {
        command.env(strider_events::runtime::known::ENV, known.path());
    }
    let mut child = match command.spawn() {
        Ok(child) => child,
        Err(err) => {
            end.tail
                .push(format!("cannot run `{}`: {err}", context.binary.display()));
            return end;
        }
    };
    let mut recommended = dictionary::Recommended::default();
    let mut last_execs = 0;
    if let Some(stderr) = child.stderr.take() {
        for_each_line(stderr, |line| {
            if let Some(status) = parse_status(line) {
                last_execs = status.execs;
                if line.split_whitespace().nth(1) == Some("INITED") {
                    end.inited = true;
                }
                // A closed channel: the campaign is over, this run ends with its time.
                let _ = sender.send(Message::Status(worker, status));
            }
            if let Some(signature) = line.strip_prefix(strider_events::runtime::known::AGAIN) {
                // Counted, and kept out of the tail: a shallow bug may be hit by every event. (A
                // handler can print such lines too: a bound on what it can make us keep.)
                let signature = signature.strip_prefix(' ').unwrap_or(signature);
                if let Some((hits, _)) = end.again.get_mut(signature) {
                    *hits += 1;
                } else if end.again.len() < MAX_KNOWN {
                    end.again.insert(signature.to_owned(), (1, start.elapsed()));
                }
                return;
            }
            recommended.line(line);
            if end.report.is_empty() && failure::is_start(line) {
                end.failed_at = start.elapsed();
            }
            if (!end.report.is_empty() || failure::is_start(line))
                && end.report.len() < MAX_REPORT_LINES
            {
                end.report.push(line.to_owned());
            }
            // Only libFuzzer's own line names the failing input, and only a file in the
            // artifacts directory is one: the handler may print anything, this text included.
            if let Some(path) = artifact_written(line, &context.artifacts) {
                end.artifact = Some(path);
                if end.report.is_empty() {
                    end.failed_at = start.elapsed();
                }
            }
            if let Some(n) = line.strip_prefix("stat::number_of_executed_units:") {
                end.executed = n.trim().parse().unwrap_or(0);
            }
            end.tail.push(line.to_owned());
            if end.tail.len() > 40 {
                end.tail.remove(0);
            }
        });
    }
    end.status = child.wait().ok();
    end.ended_at = start.elapsed();
    end.executed = end.executed.max(last_execs);
    end.recommended = recommended.entries;
    end
}

/// Reads the failure a run ended with and files it: a repeat of a bug of this campaign counts,
/// a bug an earlier campaign recorded is listed with its finding, a new one is recorded.
/// Returns the bug's index and whether it is new to this campaign.
fn handle_failure(
    context: &Context<'_>,
    end: &RunEnd,
    artifact: &Path,
    earlier: &BTreeMap<String, PathBuf>,
    bugs: &mut Vec<Bug>,
) -> (usize, bool) {
    let mut failure = failure::read(&end.report.join("\n"), &context.root);
    if failure.kind == "oracle" {
        // The event field the verdict's payload came back from is part of the signature.
        let replayed = replay(context, artifact);
        // An exception is told apart by its type and place, never by what its message quotes.
        if !failure.message.starts_with("uncaught ") {
            failure = with_field(failure, &replayed);
        }
    }
    if let Some(index) = bugs.iter().position(|b| b.signature == failure.signature) {
        bugs[index].count += 1;
        discard(context, artifact);
        return (index, false);
    }
    let first_after_ms = millis(end.failed_at);
    let record = if let Some(json) = earlier.get(&failure.signature) {
        discard(context, artifact);
        Record::Earlier { json: json.clone() }
    } else {
        match record(context, artifact, &failure, first_after_ms) {
            Ok((finding, json, test)) => Record::New {
                finding: Box::new(finding),
                json,
                test,
            },
            Err(err) => Record::Failed(err.0),
        }
    };
    // The summary names the place apart: a panic's message without it.
    let message = failure
        .message
        .strip_prefix(&format!("panic at {}: ", failure.place))
        .map_or_else(|| failure.message.clone(), str::to_owned);
    bugs.push(Bug {
        signature: failure.signature,
        kind: failure.kind.to_owned(),
        place: failure.place,
        message,
        first_after_ms,
        count: 1,
        record,
    });
    (bugs.len() - 1, true)
}

/// An oracle failure with the event field of its payload, read from a replay.
fn with_field(failure: Failure, replayed: &Replay) -> Failure {
    if failure.kind != "oracle" {
        return failure;
    }
    let field = failure::oracle_field(&failure.message, &replayed.event(), &replayed.injected());
    failure.with_field(field)
}

/// Removes a failing input libFuzzer wrote for a bug already recorded.
fn discard(context: &Context<'_>, artifact: &Path) {
    let ours = artifact.parent() == Some(context.artifacts.as_path())
        && artifact.file_name().is_some_and(|name| {
            let name = name.to_string_lossy();
            ARTIFACT_PREFIXES.iter().any(|p| name.starts_with(p))
        });
    if ours {
        let _ = std::fs::remove_file(artifact);
    }
}

/// What replaying one input printed, and the event it sent (`STRIDER_EVENT_OUT`).
#[derive(Debug, Default)]
struct Replay {
    stderr: String,
    dump: Option<Value>,
}

impl Replay {
    fn event(&self) -> Value {
        self.dump
            .as_ref()
            .and_then(|d| d.get("event"))
            .cloned()
            .unwrap_or(Value::Null)
    }

    fn injected(&self) -> Vec<String> {
        self.dump
            .as_ref()
            .and_then(|d| d.get("injected"))
            .and_then(|v| serde_json::from_value(v.clone()).ok())
            .unwrap_or_default()
    }
}

/// Runs the target once on `input`, within its timeout and ten seconds more.
fn replay(context: &Context<'_>, input: &Path) -> Replay {
    let Ok(dump) = tempfile::NamedTempFile::new() else {
        return Replay::default();
    };
    let mut command = context.binary();
    command
        .arg(input)
        .env("STRIDER_EVENT_OUT", dump.path())
        .stderr(Stdio::piped());
    let limit = Duration::from_secs(u64::from(context.libfuzzer_timeout_s()) + 10);
    let stderr = run_bounded(command, limit);
    let dump = crate::files::Tree::read_named(dump.path(), 64 << 20)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok());
    Replay { stderr, dump }
}

/// Runs `command` for at most `limit`, killing it then; returns what it wrote to stderr (when
/// piped), at most 1 MiB of it.
fn run_bounded(mut command: Command, limit: Duration) -> String {
    let Ok(mut child) = command.spawn() else {
        return String::new();
    };
    let reader = child.stderr.take().map(|stderr| {
        std::thread::spawn(move || {
            let mut text = String::new();
            for_each_line(stderr, |line| {
                if text.len() < 1 << 20 {
                    text.push_str(line);
                    text.push('\n');
                }
            });
            text
        })
    });
    let deadline = Instant::now() + limit;
    loop {
        match child.try_wait() {
            Ok(Some(_)) | Err(_) => break,
            Ok(None) if Instant::now() >= deadline => {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
    reader.and_then(|r| r.join().ok()).unwrap_or_default()
}

/// The smallest input libFuzzer's `-minimize_crash` reaches from `artifact` in 2000 runs and 30
/// seconds: any failure counts for libFuzzer, so the caller checks it is still the same bug.
fn minimise(context: &Context<'_>, artifact: &Path) -> Option<PathBuf> {
    let before = files_in(&context.artifacts);
    let mut command = context.binary();
    command
        .arg("-minimize_crash=1")
        .arg("-runs=2000")
        .arg("-max_total_time=30")
        .arg(format!(
            "-artifact_prefix={}{}",
            context.artifacts.display(),
            std::path::MAIN_SEPARATOR
        ))
        .arg(artifact)
        .stderr(Stdio::null());
    let _ = run_bounded(command, Duration::from_mins(2));
    files_in(&context.artifacts)
        .into_iter()
        .filter(|p| !before.contains(p))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("minimized-from-"))
        })
        .min_by_key(|p| std::fs::metadata(p).map_or(u64::MAX, |m| m.len()))
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
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

/// Minimises the bug's input (crashes and oracle verdicts: timeouts and out-of-memory would take
/// their limit at every step), replays it for its event, and writes the finding and its
/// regression test.
fn record(
    context: &Context<'_>,
    artifact: &Path,
    failure: &Failure,
    found_after_ms: u64,
) -> Result<(Finding, PathBuf, PathBuf), RunError> {
    // Not for a handler in its own runtime: each of libFuzzer's minimisation steps is a new
    // process that starts the emulator and the handler again, seconds each; the finding keeps
    // the event as it failed.
    let minimised =
        if matches!(failure.kind, "crash" | "oracle") && context.target.runtime.is_none() {
            minimise(context, artifact)
        } else {
            None
        };
    // The minimised input when it still fails the same way, else the input as found.
    let replayed = minimised
        .map(|input| {
            let replayed = replay(context, &input);
            (input, replayed)
        })
        .filter(|(_, replayed)| {
            with_field(failure::read(&replayed.stderr, &context.root), replayed).signature
                == failure.signature
        })
        .unwrap_or_else(|| (artifact.to_path_buf(), replay(context, artifact)));
    let (input, replayed) = replayed;
    let reproducer = replayed
        .dump
        .as_ref()
        .ok_or_else(|| RunError(format!("replaying `{}` gave no event", input.display())))?;
    let target = &context.target;
    // Paths inside the repository are shown relative to it, so findings read the same anywhere.
    let message = failure
        .message
        .replace(&format!("{}/", context.root.display()), "");
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
        kind: failure.kind.to_owned(),
        message,
        found_after_ms,
        found_after_s: None,
        signature: failure.signature.clone(),
        event: replayed.event(),
        injected: replayed.injected(),
        file: String::new(),
    };
    let dir = &context.dir;
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
        // On one line, with no control, bidi or line-separator character: rustc refuses a bidi
        // override in a comment, and a payload's message may hold one.
        message = crate::escape::terminal(&finding.message),
        name = target.name,
        finding = finding_path.display(),
    );
    crate::output::write_confined(dir, &test_path, test.as_bytes())
        .map_err(|err| RunError(err.to_string()))?;
    Ok((finding, dir.join(finding_path), dir.join(test_path)))
}

/// Merges what libFuzzer recommended into the learned dictionary.
fn learn(
    context: &Context<'_>,
    path: &Path,
    learned: &[Vec<u8>],
    generated: &[Vec<u8>],
    recommended: &[Vec<u8>],
) -> Option<Result<Learned, String>> {
    let (entries, added) = dictionary::learn(learned, generated, recommended);
    if added == 0 {
        return None;
    }
    let text = dictionary::file(
        &format!(
            "Learned by `strider fuzz run` from libFuzzer's recommended dictionaries of {}\n\
             (words of its comparison traces that led to new coverage); given to every run with\n\
             the generated dictionary. Edit or delete freely.",
            context.target.name
        ),
        &entries,
        dictionary::MAX_LEARNED,
    );
    Some(
        crate::output::write_confined(&context.dir, path, &text)
            .map(|()| Learned {
                path: context.dir.join(path),
                added,
                entries: entries.len(),
            })
            .map_err(|err| format!("cannot keep the learned dictionary: {err}")),
    )
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
    fn only_libfuzzers_line_in_the_artifacts_directory_names_the_failing_input() {
        let artifacts = Path::new("/work/fuzz/artifacts/t");
        assert_eq!(
            artifact_written(
                "artifact_prefix='/work/fuzz/artifacts/t/'; Test unit written to /work/fuzz/artifacts/t/crash-ab12",
                artifacts
            ),
            Some(PathBuf::from("/work/fuzz/artifacts/t/crash-ab12"))
        );
        for spoofed in [
            "handler log: Test unit written to /etc/hostname",
            "artifact_prefix='/work/fuzz/artifacts/t/'; Test unit written to /etc/hostname",
            "artifact_prefix='x'; Test unit written to /work/fuzz/artifacts/t/../../../etc/passwd",
            "artifact_prefix='/work/fuzz/artifacts/t/'; Test unit written to /work/fuzz/artifacts/t/",
        ] {
            assert_eq!(artifact_written(spoofed, artifacts), None, "{spoofed}");
        }
    }

    #[test]
    fn a_manifest_cannot_send_the_corpus_or_dictionary_outside_the_crate() {
        let dir = tempfile::tempdir().unwrap();
        for (seeds, dict) in [
            ("/tmp/elsewhere", "dict/t.dict"),
            ("corpus/../../elsewhere", "dict/t.dict"),
            ("corpus/t", "/etc/passwd"),
        ] {
            let json = serde_json::json!({"model": "m", "targets": [{
                "name": "t", "function": "f", "trigger": 0, "kind": "s3", "timeout_s": 3,
                "rss_limit_mb": 384, "dict": dict, "seeds": seeds, "threat": "STR-002@f/b"
            }]});
            std::fs::write(dir.path().join("strider-fuzz.json"), json.to_string()).unwrap();
            let err = manifest(dir.path()).unwrap_err();
            assert!(
                err.0.contains("must be a path inside the crate"),
                "{}",
                err.0
            );
        }
    }

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
        // What a handler may print is no status.
        assert!(parse_status("#1 INITED exec/s: 999999").is_none());
        assert!(parse_status("#7\tnothing exec/s: 999999").is_none());
        assert!(parse_status("#7: exec/s: 999999").is_none());
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
    fn output_lines_are_read_with_a_bound() {
        let long = "x".repeat(MAX_LINE * 3);
        let mut text = format!("first\r\n{long}\nafter\n").into_bytes();
        text.extend_from_slice(b"\xff\nlast");
        let mut lines = Vec::new();
        for_each_line(text.as_slice(), |l| lines.push(l.to_owned()));
        assert_eq!(
            lines.len(),
            5,
            "{:?}",
            lines.iter().map(String::len).collect::<Vec<_>>()
        );
        assert_eq!(lines[0], "first");
        assert_eq!(lines[1].len(), MAX_LINE);
        assert_eq!(lines[2], "after");
        assert_eq!(lines[3], "\u{fffd}");
        assert_eq!(lines[4], "last");
    }

    #[test]
    fn a_campaign_rate_is_its_executions_over_its_time() {
        assert_eq!(per_second(0, 0), 0);
        assert_eq!(per_second(5511, 19_027), 289);
        assert_eq!(per_second(u64::MAX, 1), u64::MAX);
    }

    fn bug(signature: &str, count: u64) -> Bug {
        Bug {
            signature: signature.to_owned(),
            kind: "oracle".to_owned(),
            place: "mail.py:91".to_owned(),
            message: String::new(),
            first_after_ms: 0,
            count,
            record: Record::Failed(String::new()),
        }
    }

    #[test]
    fn hits_of_known_bugs_are_counted_once_the_bug_is_recorded() {
        let mut bugs = vec![bug("oracle: uncaught KeyError at mail.py:91", 1)];
        let mut pending = BTreeMap::new();
        let second = Duration::from_secs(1);
        let earlier: BTreeMap<String, PathBuf> = [(
            "oracle: uncaught ValueError at mail.py:95".to_owned(),
            PathBuf::from("findings/send_email/abc.json"),
        )]
        .into();
        let again: BTreeMap<String, (u64, Duration)> = [
            (
                "oracle: uncaught KeyError at mail.py:91".to_owned(),
                (40, second),
            ),
            (
                "oracle: uncaught TypeError at mail.py:92".to_owned(),
                (3, second),
            ),
        ]
        .into();
        assert!(count_again(&again, &earlier, &mut bugs, &mut pending).is_empty());
        count_again(&again, &earlier, &mut bugs, &mut pending);
        assert_eq!(bugs[0].count, 81);
        // Not recorded yet (another worker's end is on its way): kept until it is.
        assert_eq!(
            pending.get("oracle: uncaught TypeError at mail.py:92"),
            Some(&6)
        );
        // An earlier campaign's bug joins the list at its first hit, with its finding.
        let again: BTreeMap<String, (u64, Duration)> = [(
            "oracle: uncaught ValueError at mail.py:95".to_owned(),
            (7, second),
        )]
        .into();
        assert_eq!(count_again(&again, &earlier, &mut bugs, &mut pending), [1]);
        assert_eq!(
            (
                bugs[1].place.as_str(),
                bugs[1].message.as_str(),
                bugs[1].count,
                bugs[1].first_after_ms
            ),
            ("mail.py:95", "uncaught ValueError at mail.py:95", 7, 1000)
        );
        assert!(matches!(&bugs[1].record, Record::Earlier { json } if json.ends_with("abc.json")));
        // A handler printing lines that look like ours cannot make the campaign keep more.
        let flood: BTreeMap<String, (u64, Duration)> =
            (0..1000).map(|i| (format!("x{i}"), (1, second))).collect();
        count_again(&flood, &earlier, &mut bugs, &mut pending);
        assert_eq!(pending.len(), MAX_KNOWN);
    }

    #[test]
    fn only_uncaught_exceptions_are_known_and_each_once() {
        // An earlier campaign's exception is known from the start; its other findings are not.
        let earlier: BTreeMap<String, PathBuf> = [
            (
                "oracle: uncaught ValueError at mail.py:95".to_owned(),
                PathBuf::new(),
            ),
            (
                "oracle: command injection: the event ran the canary command ()".to_owned(),
                PathBuf::new(),
            ),
        ]
        .into();
        let known = KnownBugs::new(&earlier).unwrap();
        let failure = |message: &str| Failure {
            kind: "oracle",
            place: String::new(),
            signature: String::new(),
            message: message.to_owned(),
        };
        assert!(known.remember(&failure("uncaught KeyError at mail.py:91: 'Message'")));
        assert!(!known.remember(&failure("uncaught KeyError at mail.py:91: 'Subject'")));
        assert!(!known.remember(&failure("command injection: the canary command ran")));
        assert!(!known.remember(&failure("uncaught ValueError at mail.py:95: x")));
        assert!(known.remember(&failure("uncaught TypeError at mail.py:92: x")));
        assert_eq!(
            std::fs::read_to_string(known.path()).unwrap(),
            "oracle: uncaught ValueError at mail.py:95\noracle: uncaught KeyError at mail.py:91\noracle: uncaught TypeError at mail.py:92\n"
        );
    }
}
