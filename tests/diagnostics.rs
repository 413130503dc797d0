//! Every invalid fixture is rejected with every problem it holds, each at its place, rendered the
//! way users read it (snapshots), and the CLI exits 2 on it. Hostile inputs never panic.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use std::path::{Path, PathBuf};

use common::{rejected, run};
use strider::model::diagnostic::render;
use strider::model::{Code, Severity, load_bytes};

fn fixtures() -> Vec<PathBuf> {
    let dir = Path::new("tests/fixtures/invalid");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|e| e == "yaml"))
        .filter(|p| p.file_name().unwrap() != "schemas")
        .collect();
    paths.sort();
    paths
}

#[test]
fn every_invalid_fixture_is_rejected_and_rendered() {
    let fixtures = fixtures();
    assert!(
        fixtures.len() >= 20,
        "expected a fixture per error kind, found {}",
        fixtures.len()
    );
    for path in fixtures {
        let err = rejected(&path);
        assert!(
            err.diagnostics
                .iter()
                .any(|d| d.severity == Severity::Error),
            "{}",
            path.display()
        );
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        insta::assert_snapshot!(name, render(&err.diagnostics, &err.sources));
    }
}

#[test]
fn every_problem_in_a_file_carries_its_line_and_column() {
    for path in fixtures() {
        let err = rejected(&path);
        for diagnostic in &err.diagnostics {
            // Only problems with the file as a whole (missing, too large, an empty directory) have no place.
            let whole_file = matches!(diagnostic.code, Code::Unreadable | Code::TooLarge)
                || path.is_dir() && diagnostic.code == Code::EmptyModel;
            if !whole_file {
                let span = diagnostic.span.unwrap_or_else(|| {
                    panic!("{}: {:?} has no place", path.display(), diagnostic.code)
                });
                let rendered = render(std::slice::from_ref(diagnostic), &err.sources);
                let (line, column) = err.sources.line_column(span.file, span.start);
                let place = format!("{}:{line}:{column}", err.sources.path(span.file).display());
                assert!(
                    rendered.contains(&place),
                    "{} does not show {place}:\n{rendered}",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn each_fixture_reports_the_code_it_is_named_after() {
    let expected = [
        ("alias-bomb", Code::AliasLimit),
        ("binary", Code::NotUtf8),
        ("boundary-cycle", Code::BoundaryCycle),
        ("code-not-relative", Code::InvalidValue),
        ("comments-only", Code::EmptyModel),
        ("conflict", Code::Conflict),
        ("control-character", Code::ControlCharacter),
        ("duplicate-id", Code::DuplicateId),
        ("duplicate-key", Code::DuplicateKey),
        ("empty-directory", Code::EmptyModel),
        ("empty-file", Code::EmptyModel),
        ("empty-model", Code::EmptyModel),
        ("input-schema", Code::InputSchema),
        ("invalid-value", Code::InvalidValue),
        ("missing-field", Code::MissingField),
        ("missing-name", Code::MissingField),
        ("mixed-structural-and-semantic", Code::UnresolvedReference),
        ("not-applicable", Code::NotApplicable),
        ("not-utf8", Code::NotUtf8),
        ("python-tag", Code::YamlUnsupported),
        ("schema-outside", Code::InputSchema),
        ("too-deep", Code::TooDeep),
        ("two-documents", Code::YamlUnsupported),
        ("unclosed-flow", Code::YamlSyntax),
        ("unknown-key", Code::UnknownKey),
        ("unresolved-reference", Code::UnresolvedReference),
        ("unsupported-version", Code::UnsupportedVersion),
        ("wrong-reference-kind", Code::WrongReferenceKind),
        ("wrong-type", Code::WrongType),
        ("yaml-syntax", Code::YamlSyntax),
        ("yaml-tag", Code::YamlUnsupported),
    ];
    let fixtures = fixtures();
    for (name, code) in expected {
        let path = fixtures
            .iter()
            .find(|p| p.file_stem().unwrap() == name)
            .unwrap_or_else(|| panic!("no fixture {name}"));
        let err = rejected(path);
        assert!(
            err.diagnostics.iter().any(|d| d.code == code),
            "{name}: expected {code}, got {:?}",
            err.diagnostics
        );
    }
}

#[test]
fn all_problems_are_collected_in_one_pass() {
    let counts = [
        ("unknown-key", 3),
        ("wrong-type", 5),
        ("missing-field", 4),
        ("unresolved-reference", 7),
        ("wrong-reference-kind", 5),
    ];
    for (name, count) in counts {
        let err = rejected(&Path::new("tests/fixtures/invalid").join(format!("{name}.yaml")));
        assert_eq!(
            err.diagnostics.len(),
            count,
            "{name}: {:#?}",
            err.diagnostics
        );
    }
}

#[test]
fn structural_and_semantic_problems_come_out_in_the_same_run() {
    let err = rejected(Path::new(
        "tests/fixtures/invalid/mixed-structural-and-semantic.yaml",
    ));
    let codes: Vec<Code> = err.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(
        codes,
        [
            Code::InvalidValue,
            Code::WrongType,
            Code::UnknownKey,
            Code::UnresolvedReference
        ]
    );
    // `table` is broken (a bad kind), so the read of it is not reported again as unresolved.
    assert!(
        !err.diagnostics
            .iter()
            .any(|d| d.message.contains("`table`"))
    );
}

#[test]
fn hints_suggest_the_nearest_name() {
    let err = rejected(Path::new("tests/fixtures/invalid/unknown-key.yaml"));
    let hints: Vec<_> = err
        .diagnostics
        .iter()
        .filter_map(|d| d.hint.clone())
        .collect();
    assert!(
        hints.contains(&"did you mean `triggers`?".to_owned()),
        "{hints:?}"
    );
    assert!(
        hints.contains(&"did you mean `functions`?".to_owned()),
        "{hints:?}"
    );
    let err = rejected(Path::new(
        "tests/fixtures/invalid/unresolved-reference.yaml",
    ));
    let hints: Vec<_> = err
        .diagnostics
        .iter()
        .filter_map(|d| d.hint.clone())
        .collect();
    assert!(
        hints.contains(&"did you mean `cloud`?".to_owned()),
        "{hints:?}"
    );
}

#[test]
fn the_cli_exits_2_and_prints_every_problem() {
    for path in fixtures() {
        let output = run(&["validate", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{}", path.display());
        let stderr = String::from_utf8_lossy(&output.stderr);
        let err = rejected(&path);
        for diagnostic in &err.diagnostics {
            assert!(
                stderr.contains(&diagnostic.message),
                "{}: missing {:?} in\n{stderr}",
                path.display(),
                diagnostic.message
            );
        }
        assert!(
            output.stdout.is_empty(),
            "{}: nothing goes to stdout on failure",
            path.display()
        );
    }
}

#[test]
fn a_missing_path_is_a_clear_error() {
    let err = rejected(Path::new("tests/fixtures/no-such-model.yaml"));
    assert_eq!(err.diagnostics[0].code, Code::Unreadable);
    assert!(err.diagnostics[0].message.contains("no-such-model.yaml"));
}

#[test]
fn a_50_mb_file_is_refused_before_it_is_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.yaml");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(50 * 1024 * 1024).unwrap();
    let err = rejected(&path);
    assert_eq!(err.diagnostics.len(), 1);
    assert_eq!(err.diagnostics[0].code, Code::TooLarge);
    assert!(
        err.diagnostics[0].message.contains("32 MiB"),
        "{}",
        err.diagnostics[0].message
    );
}

#[test]
fn hostile_bytes_never_panic() {
    let inputs: Vec<Vec<u8>> = vec![
        Vec::new(),
        b"\xff\xfe\x00".to_vec(),
        b"{".repeat(100_000),
        b"- ".repeat(50_000),
        b"a: &a [*a]\n".to_vec(),
        b"*unknown".to_vec(),
        b"? [complex, key]\n: value\n".to_vec(),
        b"strider: 99999999999999999999999\n".to_vec(),
        b"strider: 1\nname: x\nfunctions: {f: {runtime: r, boundary: b, timeout_s: 0x7fffffffffffffffffff}}".to_vec(),
        "strider: 1\nname: \u{202e}\u{0}\n".as_bytes().to_vec(),
        b"\t\t\t".to_vec(),
        b"---\n...\n---\n".to_vec(),
    ];
    for input in inputs {
        let result = load_bytes(Path::new("hostile.yaml"), &input);
        assert!(
            result.is_err(),
            "{:?} loaded",
            String::from_utf8_lossy(&input)
        );
    }
}

/// An environment value naming an element the function has no flow to is a warning at the
/// variable, and a flow to the element silences it.
#[test]
fn an_environment_value_naming_an_element_without_a_flow_is_a_warning() {
    let model = |reads: &str| {
        format!(
            "strider: 1
name: t
boundaries: {{cloud: {{trust: trusted}}}}
stores: {{orders: {{kind: dynamodb, boundary: cloud}}}}
functions:
  report:
    runtime: python3.12
    boundary: cloud
    env: {{TABLE: orders, STAGE: prod}}
{reads}"
        )
    };
    let warnings = |text: String| {
        strider::model::load_bytes(Path::new("m.yaml"), text.as_bytes())
            .unwrap()
            .warnings
            .into_iter()
            .filter(|w| w.code == Code::MissingFlow)
            .map(|w| {
                let span = w.span.unwrap();
                (w.message, text[span.start..span.end].to_owned())
            })
            .collect::<Vec<_>>()
    };
    let found = warnings(model(""));
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0]
            .0
            .contains("`TABLE` of function `report` names the dynamodb store `orders`")
    );
    assert_eq!(found[0].1, "orders", "the warning points at the value");
    assert!(warnings(model("    reads: [orders]\n")).is_empty());
}
