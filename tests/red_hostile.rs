//! Red-team regressions for issue #10: hostile inputs that still got through the hardened build.
//! Each test fails on the code it was written against and names the class of #10 it belongs to.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{CANARY, run_in, text, within};

/// A model directory `m/` with a Rust handler crate `m/crate` (package `package`) and one HTTP
/// function; `extra` goes into the function, `trigger_extra` into its trigger.
fn fuzz_model(root: &Path, package: &str, extra: &str, trigger_extra: &str) -> PathBuf {
    let m = root.join("m");
    std::fs::create_dir_all(m.join("crate/src")).unwrap();
    std::fs::write(
        m.join("crate/Cargo.toml"),
        format!("[package]\nname = \"{package}\"\nversion = \"0.1.0\"\nedition = \"2021\"\n"),
    )
    .unwrap();
    std::fs::write(
        m.join("crate/src/lib.rs"),
        "pub fn handler(_e: strider_events::aws_lambda_events::apigw::ApiGatewayProxyRequest) {}\n",
    )
    .unwrap();
    let handler = package.replace('-', "_");
    std::fs::write(
        m.join("model.yaml"),
        format!(
            "strider: 1
name: red
boundaries:
  internet: {{trust: untrusted}}
  cloud: {{trust: trusted}}
actors:
  user: {{boundary: internet, uses: [api]}}
channels:
  api: {{kind: api-gateway-rest, boundary: cloud, public: true, auth: none}}
functions:
  f:
    runtime: rust
    boundary: cloud
    handler: bootstrap
    fuzz: {{rust: {{crate: crate, handler: {handler}::handler, style: plain}}}}
{extra}    triggers:
      - {{kind: http, source: api, method: POST, path: /x{trigger_extra}}}
"
        ),
    )
    .unwrap();
    m.join("model.yaml")
}

/// Class 1. The model file named on the command line is read wherever its symlink leads, and its
/// content is quoted in diagnostics. In CI the path is fixed by the workflow (`strider validate
/// model/shop.yaml`) but whether that path is a symlink is decided by the pull request (git
/// stores symlinks), so a PR that turns the model into a link to `/proc/self/environ` or to a
/// credentials file gets its content printed in the CI log. The same holds for a model
/// directory named on the command line that is itself a link (`MODEL: model/` in the CI example).
#[test]
fn class1_a_named_model_file_that_links_out_of_its_directory_is_not_quoted() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join("model")).unwrap();
    std::fs::write(
        dir.path().join("credentials"),
        format!("aws_secret: {CANARY}\n"),
    )
    .unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", repo.join("model/env.yaml")).unwrap();
    std::os::unix::fs::symlink("../../credentials", repo.join("model/creds.yaml")).unwrap();
    std::fs::copy("model/hello.yaml", repo.join("model/hello.yaml")).unwrap();
    // The directory form (`MODEL: model/` in the CI example): the PR makes the model directory
    // a link to a directory of YAML files outside the checkout.
    std::fs::create_dir_all(dir.path().join("config")).unwrap();
    std::fs::write(
        dir.path().join("config/hosts.yml"),
        format!("oauth_token: {CANARY}\n"),
    )
    .unwrap();
    std::os::unix::fs::symlink("../config", repo.join("linked-model")).unwrap();
    for args in [
        &["validate", "linked-model/"][..],
        &["validate", "model/env.yaml"],
        &["analyze", "model/env.yaml"],
        &["validate", "model/creds.yaml"],
        &["analyze", "model/creds.yaml"],
        &["diff", "model/hello.yaml", "model/creds.yaml"],
        &["report", "model/creds.yaml", "-o", "r.html"],
    ] {
        let output = run_in(&repo, args, true);
        let shown = text(&output);
        assert!(
            !shown.contains("ghp_redteamcanary"),
            "`strider {}` printed the linked file's secret:\n{shown}",
            args.join(" ")
        );
        assert!(!output.status.success(), "{}: {shown}", args.join(" "));
    }
}

/// Class 6. `strider graph` writes DOT to stdout (the CI log) with model text unescaped for
/// Azure Pipelines: `##vso[task.setvariable …]` from a boundary name is honoured anywhere in a
/// line by that runner.
#[test]
fn class6_graph_on_stdout_spells_no_azure_logging_command() {
    let output = run_in(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["graph", "tests/fixtures/hostile/terminal.yaml"],
        true,
    );
    assert!(output.status.success(), "{}", text(&output));
    let dot = String::from_utf8_lossy(&output.stdout);
    for command in ["##vso[", "##["] {
        assert!(
            !dot.to_ascii_lowercase().contains(command),
            "`{command}` in the DOT on stdout:\n{dot}"
        );
    }
}

/// Class 13. `memory_mb: 4294967295` was accepted by validation and overflowed
/// `memory_mb + 256` in `fuzz init`: a panic in a debug build, `rss_limit_mb` 255 in a release
/// build. The model is refused with a diagnostic at the value, AWS's limit as the reason.
#[test]
fn class13_memory_mb_near_u32_max_neither_panics_nor_wraps() {
    let dir = tempfile::tempdir().unwrap();
    let model = fuzz_model(dir.path(), "h", "    memory_mb: 4294967295\n", "");
    let out = dir.path().join("out");
    let output = run_in(
        dir.path(),
        &[
            "fuzz",
            "init",
            model.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
            "--clusterfuzzlite",
        ],
        true,
    );
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains(
            "error[invalid-value]: `functions.f.memory_mb` must be a whole number from 128 to 10240"
        ),
        "{shown}"
    );
    assert!(!shown.contains("panicked"), "{shown}");
    assert!(!out.exists());
}

/// Class 11. A handler crate whose package is called like one of the generated crate's own
/// dependencies (`tokio`, `strider-events`, `serde_json`…) added a second key of that name to
/// the generated `Cargo.toml`: invalid TOML, while `fuzz init` exited 0. It is refused, and says
/// why.
#[test]
fn class11_handler_package_named_like_a_generated_dependency_is_not_a_broken_manifest() {
    for package in ["tokio", "strider-events", "serde_json", "libfuzzer-sys"] {
        let dir = tempfile::tempdir().unwrap();
        let model = fuzz_model(dir.path(), package, "", "");
        let out = dir.path().join("out");
        let output = run_in(
            dir.path(),
            &[
                "fuzz",
                "init",
                model.to_str().unwrap(),
                "-o",
                out.to_str().unwrap(),
            ],
            true,
        );
        let shown = text(&output);
        assert_eq!(
            output.status.code(),
            Some(2),
            "package `{package}`: {shown}"
        );
        assert!(
            shown.contains(&format!(
                "its package is called `{package}`, as a crate the generated fuzz crate already depends on"
            )),
            "package `{package}`: {shown}"
        );
        assert!(!out.exists(), "package `{package}`: a crate was written");
    }
}

/// Class 12. `--clusterfuzzlite` wrote `.clusterfuzzlite/*` and `.github/workflows/*.yml` at
/// the repository root through symlinked directories: a pull request that makes
/// `.clusterfuzzlite` (or `.github/workflows`) a link got strider's files, an executable
/// `build.sh` among them, written wherever it points. It is refused, naming the link.
#[test]
fn class12_clusterfuzzlite_setup_does_not_follow_symlinked_directories() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join(".github")).unwrap();
    std::fs::create_dir_all(elsewhere.join("cfl")).unwrap();
    std::fs::create_dir_all(elsewhere.join("workflows")).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("cfl"), repo.join(".clusterfuzzlite")).unwrap();
    std::os::unix::fs::symlink(elsewhere.join("workflows"), repo.join(".github/workflows"))
        .unwrap();
    let model = fuzz_model(&repo, "h", "", "");
    let output = run_in(
        &repo,
        &[
            "fuzz",
            "init",
            model.to_str().unwrap(),
            "-o",
            "fuzz",
            "--clusterfuzzlite",
        ],
        true,
    );
    let shown = text(&output);
    assert_eq!(output.status.code(), Some(2), "{shown}");
    assert!(
        shown.contains(".clusterfuzzlite` is a symlink: strider does not write through it"),
        "{shown}"
    );
    for sub in ["cfl", "workflows"] {
        let written: Vec<_> = std::fs::read_dir(elsewhere.join(sub))
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert!(
            written.is_empty(),
            "strider wrote {written:?} outside the repository, through a symlinked directory"
        );
    }
}

/// Class 12. A linked directory on the way to a ClusterFuzzLite file is found before anything is
/// written: the command refuses, and neither the crate nor any of `.clusterfuzzlite/` is left
/// behind (it used to exit 2 after writing both).
#[test]
fn class12_a_linked_workflows_directory_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::create_dir_all(repo.join(".github")).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, repo.join(".github/workflows")).unwrap();
    let model = fuzz_model(&repo, "h", "", "");
    let run = run_in(
        &repo,
        &[
            "fuzz",
            "init",
            model.to_str().unwrap(),
            "-o",
            "fuzz",
            "--clusterfuzzlite",
        ],
        true,
    );
    let stderr = text(&run);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("is a symlink"), "{stderr}");
    assert!(stderr.contains(".github/workflows"), "{stderr}");
    for written in ["fuzz", ".clusterfuzzlite"] {
        assert!(
            std::fs::symlink_metadata(repo.join(written)).is_err(),
            "`{written}` was written before the refusal"
        );
    }
    assert!(std::fs::read_dir(&elsewhere).unwrap().next().is_none());
}

/// Class 10. `minItems` is bounded nowhere in body generation: an integer `minItems:
/// 100000000000` (the float `1e11` happens to be ignored) or `minItems: 10` nested eight deep
/// make `fuzz init` run for minutes and gigabytes building the realistic seed (and the generated
/// targets would do the same at every input). Each must finish quickly with a bounded crate.
#[test]
fn class10_min_items_in_a_schema_is_bounded() {
    let mut nested = serde_json::json!({"type": "string"});
    for _ in 0..8 {
        nested = serde_json::json!({"type": "array", "minItems": 10, "items": nested});
    }
    let huge = serde_json::json!({"type": "array", "minItems": 100_000_000_000_u64, "items": {"type": "string"}});
    let mut failures = Vec::new();
    for (name, schema) in [("huge", huge), ("nested", nested)] {
        let dir = tempfile::tempdir().unwrap();
        let model = fuzz_model(dir.path(), "h", "", ", input: {schema: s.json}");
        std::fs::write(dir.path().join("m/s.json"), schema.to_string()).unwrap();
        let out = dir.path().join("out");
        let output = within(
            common::strider()
                .current_dir(dir.path())
                .args(["fuzz", "init", model.to_str().unwrap(), "-o"])
                .arg(&out),
            Duration::from_secs(20),
        );
        let Some(output) = output else {
            failures.push(format!("{name}: fuzz init still running after 20 s"));
            continue;
        };
        if !output.status.success() {
            failures.push(format!("{name}: fuzz init failed: {}", text(&output)));
            continue;
        }
        let event = std::fs::metadata(out.join("events/f_http/realistic.json"))
            .unwrap()
            .len();
        if event > 6 * 1024 * 1024 {
            failures.push(format!("{name}: a {event}-byte realistic event"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Class 14 (and the README's CI example). `-o` through a symlink replaces the file the link
/// leads to, wherever it is. The example workflow writes `-o strider.sarif` and `-o strider.md`
/// into the checkout, where a pull request decides what those paths are: a committed
/// `strider.md -> ../../../.cargo/bin/cargo` (any file the runner may write) is replaced with
/// the report. A link leading out of the directory the output is named in must be refused, as a
/// link to a directory is.
#[test]
fn class14_output_through_a_symlink_out_of_its_directory_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let checkout = dir.path().join("checkout");
    std::fs::create_dir_all(&checkout).unwrap();
    let victim = dir.path().join("victim.txt");
    std::fs::write(&victim, "the user's file\n").unwrap();
    std::os::unix::fs::symlink("../victim.txt", checkout.join("strider.md")).unwrap();
    std::fs::copy("model/hello.yaml", checkout.join("hello.yaml")).unwrap();
    let output = run_in(
        &checkout,
        &[
            "analyze",
            "hello.yaml",
            "--format",
            "markdown",
            "-o",
            "strider.md",
        ],
        true,
    );
    assert_eq!(
        std::fs::read_to_string(&victim).unwrap(),
        "the user's file\n",
        "the file behind the link was replaced: {}",
        text(&output)
    );
}

/// Class 18. The shipped CI example writes its outputs into the checkout (`-o strider.sarif`,
/// `-o strider.md`) and then `cat strider.md >> $GITHUB_STEP_SUMMARY` under `if: always()`. A
/// pull request that commits `strider.md -> /proc/self/environ` makes strider fail to write
/// it, and the summary step publishes the step's environment. Outputs belong in
/// `$RUNNER_TEMP`, which the pull request does not control.
#[test]
fn class18_ci_example_writes_no_output_into_the_checkout() {
    let workflow = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/ci/strider.yml"),
    )
    .unwrap();
    for line in workflow.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for pair in words.windows(2) {
            if pair[0] == "-o" || pair[0] == "--output" {
                assert!(
                    pair[1].contains("RUNNER_TEMP"),
                    "an output in the checkout, which a pull request controls: {line}"
                );
            }
        }
        // `with:` values are not run by a shell: the expression form names the same directory.
        if let Some(file) = line.trim().strip_prefix("sarif_file:") {
            assert!(file.contains("runner.temp"), "{line}");
        }
    }
}

/// Class 2. A lone carriage return (not part of CRLF) is a line break to the YAML parser but
/// not to git, to most diff views, or to strider's own diagnostics (which count `\n`): text after
/// it inside a comment looks like part of the comment line, yet strider reads it as a new line
/// of YAML. Here a "comment" accepts every threat, and `--fail-on low` passes.
#[test]
fn class2_a_lone_carriage_return_cannot_hide_yaml_in_a_comment() {
    let dir = tempfile::tempdir().unwrap();
    let hello = std::fs::read_to_string("model/hello.yaml").unwrap();
    let hidden = hello.replace(
        "name: Hello",
        "name: Hello # reviewed by security\rtracking: {\"*\": {status: accepted, justification: ok, owner: x, date: 2099-01-01}}",
    );
    std::fs::write(dir.path().join("model.yaml"), hidden).unwrap();
    let output = run_in(
        dir.path(),
        &[
            "analyze",
            "model.yaml",
            "--fail-on",
            "low",
            "--today",
            "2026-12-01",
        ],
        true,
    );
    assert_ne!(
        output.status.code(),
        Some(0),
        "a tracking entry hidden behind a lone CR in a comment silenced every threat:\n{}",
        text(&output)
    );
}

/// Class 14. Created files respect the umask, except `.clusterfuzzlite/build.sh`, which is set
/// to 0755 whatever the umask: under `umask 077` it is readable and executable by everyone.
#[test]
fn class14_clusterfuzzlite_build_script_respects_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let model = fuzz_model(&repo, "h", "", "");
    let status = Command::new("sh")
        .arg("-c")
        .arg("umask 077; exec \"$0\" fuzz init \"$1\" -o fuzz --clusterfuzzlite")
        .arg(env!("CARGO_BIN_EXE_strider"))
        .arg(&model)
        .current_dir(&repo)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let mode = std::fs::metadata(repo.join(".clusterfuzzlite/build.sh"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode & 0o077, 0, "build.sh is {mode:o} under umask 077");
}
