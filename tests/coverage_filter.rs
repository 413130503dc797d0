//! The generated crate's `rustc-coverage-filter`: run by `sh` as cargo runs it (wrapper, then
//! rustc's path, then rustc's arguments), with a stand-in rustc that records what it was given.
//! Sanitizer-coverage flags reach rustc for the handler crates only; every other flag, and every
//! flag of every crate when it is a handler's, passes through unchanged and in order.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use std::path::Path;
use std::process::Command;

/// What cargo fuzz 0.13 passes to rustc (through RUSTFLAGS) for a build without sanitizer.
const CARGO_FUZZ_FLAGS: &[&str] = &[
    "-Cpasses=sancov-module",
    "-Cllvm-args=-sanitizer-coverage-level=4",
    "-Cllvm-args=-sanitizer-coverage-inline-8bit-counters",
    "-Cllvm-args=-sanitizer-coverage-pc-table",
    "-Cllvm-args=-sanitizer-coverage-trace-compares",
    "--cfg",
    "fuzzing",
    "-Cllvm-args=-simplifycfg-branch-fold-threshold=0",
    "-Cllvm-args=-sanitizer-coverage-stack-depth",
    "-Cdebug-assertions",
    "-Zsanitizer=address",
];

fn generated_crate() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    common::init_shop(&out.path().join("fuzz"));
    out
}

/// Runs the filter for a crate named `crate_name`; returns the arguments the stand-in rustc got.
fn filtered(dir: &Path, crate_name: &str, env: &[(&str, &str)]) -> Vec<String> {
    let record = dir.join("args");
    let rustc = dir.join("rustc");
    std::fs::write(
        &rustc,
        format!(
            "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '{}'\n",
            record.display()
        ),
    )
    .unwrap();
    let mut args = vec!["--crate-name", crate_name, "--edition=2024", "src/lib.rs"];
    args.extend_from_slice(CARGO_FUZZ_FLAGS);
    args.push("--arg with spaces");
    let status = Command::new("sh")
        .arg(dir.join("fuzz/rustc-coverage-filter"))
        .arg("sh")
        .arg(&rustc)
        .args(&args)
        .envs(env.iter().copied())
        .status()
        .unwrap();
    assert!(status.success());
    std::fs::read_to_string(&record)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

fn is_coverage_flag(flag: &str) -> bool {
    flag == "-Cpasses=sancov-module" || flag.starts_with("-Cllvm-args=-sanitizer-coverage-")
}

#[test]
fn only_the_handler_crates_keep_sanitizer_coverage() {
    let out = generated_crate();
    let dir = out.path();
    // The shop's handler crate is `shop-handlers`: rustc calls it `shop_handlers`.
    let kept = filtered(dir, "shop_handlers", &[]);
    let mut everything = vec![
        "--crate-name".to_owned(),
        "shop_handlers".to_owned(),
        "--edition=2024".to_owned(),
        "src/lib.rs".to_owned(),
    ];
    everything.extend(CARGO_FUZZ_FLAGS.iter().map(|f| (*f).to_owned()));
    everything.push("--arg with spaces".to_owned());
    assert_eq!(kept, everything);

    for other in [
        "serde_json",
        "strider_events",
        "online_shop_fuzz",
        "lambda_http",
        "shop",
    ] {
        let stripped = filtered(dir, other, &[]);
        let expected: Vec<String> = everything
            .iter()
            .map(|a| a.replace("shop_handlers", other))
            .filter(|a| !is_coverage_flag(a))
            .collect();
        assert_eq!(stripped, expected, "{other}");
        assert!(stripped.iter().any(|a| a == "-Zsanitizer=address"));
    }
}

#[test]
fn more_crates_can_keep_coverage_and_another_wrapper_runs_after_the_filter() {
    let out = generated_crate();
    let dir = out.path();
    let kept = filtered(
        dir,
        "shared_domain",
        &[("STRIDER_COVERAGE_CRATES", "other shared_domain")],
    );
    assert!(kept.iter().any(|a| a == "-Cpasses=sancov-module"));
    // STRIDER_NEXT_WRAPPER (sccache, say) is run with rustc's path first.
    let next = dir.join("next");
    std::fs::write(&next, "#!/bin/sh\nexec \"$@\"\n").unwrap();
    let via_next = filtered(
        dir,
        "serde_json",
        &[("STRIDER_NEXT_WRAPPER", &format!("sh {}", next.display()))],
    );
    assert!(!via_next.iter().any(|a| is_coverage_flag(a)));
    assert!(via_next.iter().any(|a| a == "--arg with spaces"));
}

#[test]
fn the_filter_is_an_executable_script_and_cargo_finds_it_from_the_crate() {
    let out = generated_crate();
    let dir = out.path().join("fuzz");
    let script = std::fs::read_to_string(dir.join("rustc-coverage-filter")).unwrap();
    assert!(script.starts_with("#!/bin/sh\n"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("rustc-coverage-filter"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o100, 0o100, "{mode:o}");
    }
    let config = std::fs::read_to_string(dir.join(".cargo/config.toml")).unwrap();
    let config: toml::Table = toml::from_str(&config).unwrap();
    assert_eq!(
        config["build"]["rustc-wrapper"].as_str(),
        Some("./rustc-coverage-filter")
    );
}

#[test]
fn a_library_named_apart_from_its_package_keeps_its_coverage() {
    // `[lib] name = "docs_lib"` in package `document-handlers`: rustc's --crate-name is docs_lib.
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fuzz");
    let run = common::run(&[
        "fuzz",
        "init",
        "tests/fixtures/fuzz/lib-name/model.yaml",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", common::text(&run));
    let kept = filtered(out.path(), "docs_lib", &[]);
    assert!(
        kept.iter().any(|a| a == "-Cpasses=sancov-module"),
        "{kept:?}"
    );
    let package = filtered(out.path(), "document_handlers", &[]);
    assert!(!package.iter().any(|a| is_coverage_flag(a)), "{package:?}");
}
