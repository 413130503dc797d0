//! The CI workflow and the pre-commit hook that README offers use strider as it is: every
//! `strider` command line in them names a real subcommand and real flags.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use std::process::Command;

use yaml_rust2::{Yaml, YamlLoader};

fn help(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_strider"))
        .args(args)
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success(), "strider {args:?} --help");
    String::from_utf8(out.stdout).unwrap()
}

/// Checks one `strider …` command line: its subcommand and every `--flag` exist.
fn check(line: &str) {
    let words: Vec<&str> = line.split_whitespace().collect();
    let sub = words[1];
    assert!(
        help(&[]).contains(&format!("  {sub} ")),
        "no subcommand `{sub}` in `{line}`"
    );
    let sub_help = help(&[sub]);
    for flag in words[2..].iter().filter(|w| w.starts_with("--")) {
        assert!(sub_help.contains(*flag), "`strider {sub}` has no {flag}");
    }
}

fn strider_lines(yaml: &Yaml, out: &mut Vec<String>) {
    match yaml {
        Yaml::Hash(map) => {
            for (key, value) in map {
                if matches!(key.as_str(), Some("run" | "entry")) {
                    if let Some(script) = value.as_str() {
                        out.extend(
                            script
                                .lines()
                                .filter(|l| l.trim_start().starts_with("strider "))
                                .map(str::to_owned),
                        );
                    }
                } else {
                    strider_lines(value, out);
                }
            }
        }
        Yaml::Array(items) => items.iter().for_each(|i| strider_lines(i, out)),
        _ => {}
    }
}

#[test]
fn the_workflow_and_the_hook_use_real_commands() {
    for (file, at_least) in [
        ("examples/ci/strider.yml", 4),
        ("examples/ci/strider-drift.yml", 2),
        (".pre-commit-hooks.yaml", 1),
    ] {
        let docs = YamlLoader::load_from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
        let mut lines = Vec::new();
        strider_lines(&docs[0], &mut lines);
        assert!(lines.len() >= at_least, "{file}: {lines:?}");
        for line in &lines {
            check(line);
        }
    }
}

/// Every `run:` script of a workflow.
fn runs(yaml: &Yaml, out: &mut Vec<String>) {
    match yaml {
        Yaml::Hash(map) => {
            for (key, value) in map {
                match (key.as_str(), value.as_str()) {
                    (Some("run"), Some(script)) => out.push(script.to_owned()),
                    _ => runs(value, out),
                }
            }
        }
        Yaml::Array(items) => items.iter().for_each(|i| runs(i, out)),
        _ => {}
    }
}

#[test]
fn the_workflow_keeps_pull_request_text_out_of_its_scripts() {
    // `${{ … }}` inside `run:` is pasted into the script before the shell sees it: a branch name
    // or title from a pull request would run as code. Values go through `env:` instead.
    for (file, at_least) in [
        ("examples/ci/strider.yml", 5),
        ("examples/ci/strider-drift.yml", 3),
    ] {
        let text = std::fs::read_to_string(file).unwrap();
        let docs = YamlLoader::load_from_str(&text).unwrap();
        let mut scripts = Vec::new();
        runs(&docs[0], &mut scripts);
        assert!(scripts.len() >= at_least, "{file}");
        for script in scripts {
            assert!(!script.contains("${{"), "{file}: {script}");
        }
    }
}
