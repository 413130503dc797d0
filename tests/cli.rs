//! The command line as users meet it: help texts, exit codes, files written, missing graphviz.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use common::strider;

#[test]
fn help_texts() {
    for args in [
        &["--help"][..],
        &["validate", "--help"],
        &["graph", "--help"],
        &["schema", "--help"],
        &["generate", "--help"],
    ] {
        let output = strider().args(args).output().unwrap();
        assert!(output.status.success());
        insta::assert_snapshot!(
            format!("help_{}", args[0].trim_start_matches('-')),
            String::from_utf8(output.stdout).unwrap()
        );
    }
}

#[test]
fn validate_prints_a_summary_and_exits_0() {
    let output = strider()
        .args(["validate", "model/shop.yaml"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let stdout = String::from_utf8(output.stdout).unwrap();
    assert!(
        stdout.starts_with("ok: model `Online shop` is valid: 11 functions"),
        "{stdout}"
    );
}

#[test]
fn graph_writes_the_format_its_extension_names() {
    let dir = tempfile::tempdir().unwrap();
    for (name, magic) in [
        ("dfd.svg", &b"<?xml"[..]),
        ("dfd.png", b"\x89PNG"),
        ("dfd.dot", b"digraph"),
    ] {
        let path = dir.path().join(name);
        let output = strider()
            .args(["graph", "model/shop.yaml", "-o"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(std::fs::read(&path).unwrap().starts_with(magic), "{name}");
    }
    let output = strider()
        .args(["graph", "model/shop.yaml", "-o"])
        .arg(dir.path().join("dfd.pdfx"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("--format"));
}

#[test]
fn graph_of_an_invalid_model_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dfd.svg");
    let output = strider()
        .args(["graph", "tests/fixtures/invalid/unknown-key.yaml", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(!path.exists());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no temporary file is left behind"
    );
}

#[test]
fn missing_graphviz_is_a_clear_error_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("dfd.svg");
    // An empty PATH: no `dot` to be found.
    let output = strider()
        .args(["graph", "model/hello.yaml", "-o"])
        .arg(&out)
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("graphviz `dot` is not installed")
            && stderr.contains("apt-get install graphviz"),
        "{stderr}"
    );
    assert!(!out.exists());
    // DOT output needs no graphviz.
    let output = strider()
        .args(["graph", "model/hello.yaml"])
        .env("PATH", dir.path())
        .output()
        .unwrap();
    assert!(output.status.success() && output.stdout.starts_with(b"digraph"));
}

#[test]
fn generated_models_are_valid_and_deterministic() {
    let first = strider()
        .args(["generate", "--functions", "120"])
        .output()
        .unwrap()
        .stdout;
    let second = strider()
        .args(["generate", "--functions", "120"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(first, second);
    let loaded = strider::model::load_bytes(std::path::Path::new("generated.yaml"), &first)
        .unwrap_or_else(|e| panic!("{:#?}", e.diagnostics));
    assert_eq!(loaded.model.functions.len(), 120);
}

#[test]
fn a_closed_pipe_is_not_an_error_for_any_command() {
    let out = tempfile::tempdir().unwrap();
    let crate_dir = out.path().join("fuzz");
    let crate_arg = crate_dir.to_str().unwrap();
    for args in [
        &["validate", "model/shop.yaml"][..],
        &["analyze", "model/shop.yaml"],
        &["analyze", "model/shop.yaml", "--format", "json"],
        &["explain", "STR-001"],
        &["diff", "model/shop.yaml", "model/hello.yaml"],
        &["rules"],
        &["schema"],
        &["generate", "--functions", "100"],
        &["graph", "model/shop.yaml"],
        &[
            "fuzz",
            "init",
            "model/shop.yaml",
            "--root",
            ".",
            "-o",
            crate_arg,
        ],
    ] {
        // The reading end is gone before strider starts: every write to stdout fails with EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let output = strider()
            .args(args)
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(output.status.code(), Some(101), "{args:?}: {stderr}");
        assert!(
            output.status.code().is_some_and(|c| c <= 1),
            "{args:?}: {:?} {stderr}",
            output.status
        );
    }
}

/// `-o /dev/stdout` with stdout redirected to a file writes into that file. The temporary file
/// and rename that make other outputs atomic must never happen in `/dev`: as root, they replaced
/// the `/dev/stdout` link with a regular file (and the redirected output stayed empty).
#[test]
fn output_to_dev_stdout_goes_to_the_redirected_file() {
    let dir = tempfile::tempdir().unwrap();
    let redirected = dir.path().join("schema.json");
    let before = std::fs::read_link("/dev/stdout").ok();
    let status = strider()
        .args(["schema", "-o", "/dev/stdout"])
        .stdout(std::fs::File::create(&redirected).unwrap())
        .status()
        .unwrap();
    let after = std::fs::symlink_metadata("/dev/stdout").unwrap();
    if before.is_some() && !after.file_type().is_symlink() {
        // Put the machine's /dev/stdout back before failing.
        let _ = std::fs::remove_file("/dev/stdout");
        let _ = std::os::unix::fs::symlink("/proc/self/fd/1", "/dev/stdout");
        panic!("strider replaced the /dev/stdout link with a regular file");
    }
    assert!(status.success());
    assert_eq!(std::fs::read_link("/dev/stdout").ok(), before);
    let schema: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&redirected).unwrap()).unwrap();
    assert!(schema["properties"]["functions"].is_object(), "{schema}");
}

/// The tests' deadline runner reads a child's output while it runs: a child that writes more
/// than a pipe holds (64 KiB) finishes, and is not reported as hung.
#[test]
fn the_deadline_runner_drains_large_output() {
    let started = std::time::Instant::now();
    let output = common::within(
        strider().args(["generate", "--functions", "1000"]),
        std::time::Duration::from_mins(1),
    )
    .expect("a 450 KB output was taken for a hang");
    assert!(output.status.success());
    assert!(output.stdout.len() > 256 * 1024, "{}", output.stdout.len());
    assert!(started.elapsed() < std::time::Duration::from_mins(1));
}

/// Placeholders an import leaves are listed one by one by `validate` only; `analyze` counts them
/// in one note, so a large imported model does not bury its output in warnings.
#[test]
fn placeholders_are_listed_by_validate_and_counted_elsewhere() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("m.yaml");
    let mut text =
        String::from("strider: 1\nname: m\nboundaries: {cloud: {trust: trusted}}\ndata:\n");
    for i in 0..40 {
        text.push_str(&format!("  d{i}: {{classification: unclassified}}\n"));
    }
    text.push_str("functions:\n  f: {runtime: python3.12, boundary: cloud}\n");
    std::fs::write(&model, text).unwrap();
    let stderr = |command: &str| {
        let output = strider()
            .args([command, model.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{command}");
        String::from_utf8(output.stderr).unwrap()
    };
    let listed = stderr("validate");
    assert_eq!(
        listed.matches("warning[placeholder]").count(),
        40,
        "{listed}"
    );
    let counted = stderr("analyze");
    assert!(!counted.contains("warning[placeholder]"), "{counted}");
    assert_eq!(
        counted.matches("note: 40 placeholders").count(),
        1,
        "{counted}"
    );
}

/// `strider rules` lines up its columns whatever the longest rule name.
#[test]
fn the_rules_table_lines_up_its_columns() {
    let output = strider().args(["rules"]).output().unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    let columns: std::collections::BTreeSet<usize> = text
        .lines()
        .map(|line| {
            // The STRIDE column starts after the name and the spaces that pad it.
            let after_id = &line[9..];
            let name_end = after_id.find(' ').unwrap();
            9 + name_end + after_id[name_end..].len() - after_id[name_end..].trim_start().len()
        })
        .collect();
    assert_eq!(columns.len(), 1, "{text}");
}
