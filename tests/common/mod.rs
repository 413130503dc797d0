//! What the integration tests share: running strider (with no input, no colour and a deadline,
//! its output read while it runs), reading that output, listing a directory, loading a model
//! that must be rejected, and generating the shop's fuzz crate.
//!
//! Each test binary compiles this module and uses part of it.

#![allow(dead_code, reason = "each test binary uses some of these helpers")]

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use strider::model::{LoadError, Loaded};

/// How long one strider command may take before a test calls it hung: a debug build on a busy
/// machine takes seconds; what is unbounded never ends.
pub const DEADLINE: Duration = Duration::from_mins(3);

/// The variable that holds [`CANARY`] in the environment of [`run_in`] with `clean_env`.
pub const CANARY_VAR: &str = "A_RED_TEAM_SECRET";
/// A secret no output may show: in the environment of [`run_in`] with `clean_env`, and in the
/// files hostile tests link to.
pub const CANARY: &str = "TOKEN=ghp_redteamcanary0123456789";

/// strider, with no colour and nothing on stdin.
pub fn strider() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_strider"));
    command.env("NO_COLOR", "1").stdin(Stdio::null());
    command
}

/// Runs strider with `args`; a run past [`DEADLINE`] is killed and fails the test.
pub fn run(args: &[&str]) -> Output {
    finish(strider().args(args), args)
}

/// Runs strider with `args` in `dir`; with `clean_env`, its environment holds only `PATH`,
/// `NO_COLOR` and the [`CANARY`] secret. A run past [`DEADLINE`] is killed and fails the test.
pub fn run_in(dir: &Path, args: &[&str], clean_env: bool) -> Output {
    let mut command = strider();
    command.args(args).current_dir(dir);
    if clean_env {
        command
            .env_clear()
            // First in the environment (a sorted map), so an excerpt of its start shows it.
            .env(CANARY_VAR, CANARY)
            .env("NO_COLOR", "1")
            .env("PATH", std::env::var_os("PATH").unwrap_or_default());
    }
    finish(&mut command, args)
}

fn finish(command: &mut Command, args: &[&str]) -> Output {
    within(command, DEADLINE)
        .unwrap_or_else(|| panic!("strider {args:?} still ran after {DEADLINE:?}: it hangs"))
}

/// Runs `command` to its end, or kills it after `limit` (`None`). Its stdout and stderr are
/// read while it runs, so a child that writes more than a pipe holds does not look hung.
pub fn within(command: &mut Command, limit: Duration) -> Option<Output> {
    let mut child = command
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let drain = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(Output {
                status,
                stdout: stdout.join().unwrap(),
                stderr: stderr.join().unwrap(),
            });
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            // The readers end with the pipes; a grandchild may still hold them, so no join.
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// stdout then stderr, as text.
pub fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Every file below `dir` (links followed), relative to it.
pub fn files(dir: &Path) -> BTreeSet<PathBuf> {
    let mut out = BTreeSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.insert(path.strip_prefix(dir).unwrap().to_path_buf());
            }
        }
    }
    out
}

/// The error of a model file that must not load.
pub fn rejected(path: &Path) -> LoadError {
    refused(strider::model::load(path), &path.display().to_string())
}

/// The error of model bytes (named `name`) that must not load.
pub fn rejected_bytes(name: &str, bytes: &[u8]) -> LoadError {
    refused(strider::model::load_bytes(Path::new(name), bytes), name)
}

fn refused(result: Result<Loaded, LoadError>, what: &str) -> LoadError {
    match result {
        Ok(_) => panic!("{what} loaded, but it must be rejected"),
        Err(err) => err,
    }
}

/// `strider fuzz init` of the bundled shop model (its handlers are in examples/, hence `--root .`)
/// into `dir`, which must succeed.
pub fn init_shop(dir: &Path) {
    let run = run(&[
        "fuzz",
        "init",
        "model/shop.yaml",
        "--root",
        ".",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", text(&run));
}

/// `cargo check` of a generated fuzz crate in `dir`, which must compile without a warning of
/// its own (warnings of the handler crates it depends on are theirs). All tests share one target
/// directory, so the dependencies are built once.
pub fn check_generated_crate(dir: &Path) {
    let target = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-init-check");
    let check = Command::new(env!("CARGO"))
        .args(["check", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(check.status.success(), "{stderr}");
    let package = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
    let name = package
        .lines()
        .find_map(|l| l.strip_prefix("name = "))
        .unwrap()
        .trim_matches('"')
        .to_owned();
    // cargo ends each crate's warnings with "warning: `NAME` (lib) generated N warnings".
    assert!(
        !stderr.contains(&format!("warning: `{name}`")),
        "the generated crate has warnings:\n{stderr}"
    );
}
