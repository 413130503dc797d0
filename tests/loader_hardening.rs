//! Hostile models, schemas and findings directories (issue #10, classes 1–4, 9 and 16): what is
//! read stays inside the tree given on the command line and is never echoed when refused; control
//! characters, alias bombs in bytes, non-core tags are errors; diagnostics stay bounded and
//! escaped whatever the model holds.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use std::fmt::Write as _;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{rejected, rejected_bytes, run, text};

use strider::model::diagnostic::{render, render_with};
use strider::model::{Code, LoadOptions, Severity, load, load_bytes, load_with};

const SECRET: &str = "TOKEN=hunter2-do-not-print";

const HEAD: &str = "strider: 1\nname: Hardening\nboundaries:\n  cloud: {trust: trusted}\n";

const VALID: &str = "strider: 1\nname: Hardening\nboundaries:\n  cloud: {trust: trusted}\nfunctions:\n  f: {runtime: python3.12, boundary: cloud}\n";

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(status.success());
}

/// `outer/secret.txt` holds a token; `outer/model/` is the model directory.
fn model_dir() -> (tempfile::TempDir, PathBuf) {
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("model");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(outer.path().join("secret.txt"), format!("{SECRET}\n")).unwrap();
    std::fs::write(outer.path().join("secret.yaml"), format!("{SECRET}\n")).unwrap();
    std::fs::write(dir.join("a.yaml"), VALID).unwrap();
    (outer, dir)
}

// Class 1: symlinks and special files.

#[test]
fn a_link_out_of_the_model_directory_is_skipped_and_its_content_never_printed() {
    let (outer, dir) = model_dir();
    symlink(outer.path().join("secret.txt"), dir.join("env.yaml")).unwrap();
    symlink(outer.path().join("secret.yaml"), dir.join("creds.yml")).unwrap();
    symlink("/proc/self/environ", dir.join("proc.yaml")).unwrap();
    let loaded = load(&dir).unwrap();
    let skipped: Vec<_> = loaded
        .warnings
        .iter()
        .filter(|w| w.code == Code::SkippedFile)
        .collect();
    assert_eq!(skipped.len(), 3, "{:?}", loaded.warnings);
    assert!(skipped.iter().all(|w| w.severity == Severity::Warning));
    assert!(
        skipped[0].message.contains("creds.yml"),
        "{}",
        skipped[0].message
    );
    assert!(
        skipped[0].message.contains("outside"),
        "{}",
        skipped[0].message
    );
    let output = run(&["validate", dir.to_str().unwrap()]);
    let all = text(&output);
    assert_eq!(output.status.code(), Some(0), "{all}");
    assert!(all.contains("skipped-file"), "{all}");
    assert!(all.contains("env.yaml"), "{all}");
    assert!(
        !all.contains("hunter2"),
        "the linked file's content was printed:\n{all}"
    );
    let output = run(&["analyze", dir.to_str().unwrap(), "--format", "json"]);
    assert!(!text(&output).contains("hunter2"));
}

#[test]
fn links_inside_the_model_directory_are_read_once() {
    let (_outer, dir) = model_dir();
    symlink(dir.join("a.yaml"), dir.join("b.yaml")).unwrap();
    let loaded = load(&dir).unwrap();
    assert_eq!(loaded.model.functions.len(), 1);
    // Read once: no duplicate-id between a.yaml and its link.
    assert!(loaded.warnings.is_empty(), "{:?}", loaded.warnings);
}

#[test]
fn fifos_loops_and_devices_never_hang_the_loader() {
    let (_outer, dir) = model_dir();
    mkfifo(&dir.join("pipe.yaml"));
    symlink(dir.join("x.yaml"), dir.join("y.yaml")).unwrap();
    symlink(dir.join("y.yaml"), dir.join("x.yaml")).unwrap();
    symlink("/dev/zero", dir.join("zero.yaml")).unwrap();
    let output = run(&["validate", dir.to_str().unwrap()]);
    let all = text(&output);
    assert_eq!(output.status.code(), Some(0), "{all}");
    for name in ["pipe.yaml", "x.yaml", "y.yaml", "zero.yaml"] {
        assert!(all.contains(name), "{name} not reported:\n{all}");
    }
    assert!(all.contains("a FIFO, not a regular file"), "{all}");
    // Named on the command line, a FIFO or a device is refused without being opened for reading.
    for path in [dir.join("pipe.yaml"), PathBuf::from("/dev/zero")] {
        let output = run(&["validate", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        assert!(
            text(&output).contains("not a regular file"),
            "{}",
            text(&output)
        );
    }
}

#[test]
fn findings_directories_that_are_not_are_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("fifo");
    mkfifo(&fifo);
    let looped = dir.path().join("loop");
    symlink(&looped, &looped).unwrap();
    for findings in [fifo.as_path(), looped.as_path(), Path::new("/dev/zero")] {
        let output = run(&[
            "analyze",
            "model/hello.yaml",
            "--findings",
            findings.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(2), "{}", text(&output));
        assert!(
            text(&output).contains("is not a directory of findings"),
            "{}",
            text(&output)
        );
    }
}

#[test]
fn findings_read_only_regular_files_inside_the_directory_within_a_size_limit() {
    let (outer, _) = model_dir();
    let findings = outer.path().join("findings");
    std::fs::create_dir_all(findings.join("f")).unwrap();
    std::fs::write(outer.path().join("secret.json"), format!("\"{SECRET}\"")).unwrap();
    symlink(
        outer.path().join("secret.json"),
        findings.join("f/leak.json"),
    )
    .unwrap();
    symlink("/dev/zero", findings.join("f/zero.json")).unwrap();
    mkfifo(&findings.join("f/pipe.json"));
    symlink(&findings, findings.join("f/loop")).unwrap();
    let output = run(&[
        "analyze",
        "model/hello.yaml",
        "--findings",
        findings.to_str().unwrap(),
    ]);
    let all = text(&output);
    assert_eq!(output.status.code(), Some(0), "{all}");
    assert!(!all.contains("hunter2"), "{all}");
    for name in ["leak.json", "zero.json", "pipe.json"] {
        assert!(
            all.contains(&format!(
                "warning[skipped-file]: `{}",
                findings.join("f").join(name).display()
            )),
            "{name}:\n{all}"
        );
    }
    let read = strider::findings::load_all(&findings).unwrap();
    assert!(read.findings.is_empty());
    assert_eq!(read.skipped.len(), 3, "{:?}", read.skipped);
    // A finding larger than the limit is refused before it is read.
    let huge = std::fs::File::create(findings.join("f/huge.json")).unwrap();
    huge.set_len(strider::findings::MAX_FINDING_BYTES + 1)
        .unwrap();
    let err = strider::findings::load_all(&findings).unwrap_err();
    assert!(err.0.contains("larger than strider reads"), "{}", err.0);
}

// Class 9 (loader side): files the model names stay inside the tree.

fn with_schema(dir: &Path, schema: &str) -> PathBuf {
    let model = dir.join("m.yaml");
    std::fs::write(
        &model,
        format!("{HEAD}functions:\n  f:\n    runtime: python3.12\n    boundary: cloud\n    input: {{schema: '{schema}'}}\n"),
    )
    .unwrap();
    model
}

#[test]
fn a_schema_outside_the_tree_is_an_error_at_the_schema_field() {
    let (outer, dir) = model_dir();
    std::fs::remove_file(dir.join("a.yaml")).unwrap();
    std::fs::write(
        outer.path().join("outside.json"),
        format!("{{\"title\": \"{SECRET}\"}}"),
    )
    .unwrap();
    let absolute = outer.path().join("outside.json");
    symlink(&absolute, dir.join("link.json")).unwrap();
    for schema in [
        absolute.to_str().unwrap(),
        "../outside.json",
        "./sub/../../outside.json",
        "link.json",
        "/etc/passwd",
    ] {
        let model = with_schema(&dir, schema);
        let err = rejected(&model);
        let [problem] = err.diagnostics.as_slice() else {
            panic!("{schema}: {:?}", err.diagnostics)
        };
        assert_eq!(problem.code, Code::InputSchema, "{schema}");
        assert!(
            problem.message.contains("outside the directory tree"),
            "{schema}: {}",
            problem.message
        );
        assert!(
            problem.hint.as_deref().unwrap().contains("--root"),
            "{schema}"
        );
        let span = problem.span.unwrap();
        assert_eq!(
            err.sources.line_column(span.file, span.start).0,
            9,
            "{schema}: at the schema field"
        );
        let rendered = render(&err.diagnostics, &err.sources);
        assert!(!rendered.contains("hunter2"), "{rendered}");
    }
    // `--root` widens the tree to the directory given.
    let model = with_schema(&dir, "../outside.json");
    let options = LoadOptions {
        root: Some(outer.path().to_path_buf()),
    };
    let loaded = load_with(&model, &options).unwrap();
    assert_eq!(
        loaded.tree.root(),
        std::fs::canonicalize(outer.path()).unwrap()
    );
    let output = run(&[
        "validate",
        model.to_str().unwrap(),
        "--root",
        outer.path().to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let output = run(&["validate", model.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(text(&output).contains("--root"));
}

#[test]
fn special_files_as_schemas_are_refused() {
    let (_outer, dir) = model_dir();
    mkfifo(&dir.join("pipe.json"));
    let err = rejected(&with_schema(&dir, "pipe.json"));
    assert!(
        err.diagnostics[0]
            .message
            .contains("a FIFO, not a regular file"),
        "{:?}",
        err.diagnostics
    );
}

#[test]
fn the_bundled_models_keep_their_schemas_and_handler_crates() {
    let loaded = load(Path::new("model/shop.yaml")).unwrap();
    assert!(loaded.warnings.iter().all(|w| w.code != Code::InputSchema));
    assert_eq!(loaded.tree.root(), std::fs::canonicalize("model").unwrap());
}

// Class 2: NUL and other control characters.

#[test]
fn a_nul_byte_is_an_error_and_hides_nothing() {
    // Everything after the NUL used to be dropped: the unknown boundary below went unseen.
    let model = format!("{VALID}\0\nactors:\n  user: {{boundary: nowhere}}\n");
    let err = rejected_bytes("nul.yaml", model.as_bytes());
    assert_eq!(err.diagnostics[0].code, Code::ControlCharacter);
    let span = err.diagnostics[0].span.unwrap();
    assert_eq!(err.sources.line_column(span.file, span.start), (7, 1));
    let rendered = render(&err.diagnostics, &err.sources);
    assert!(rendered.contains("nul.yaml:7:1"), "{rendered}");
    assert!(!rendered.contains('\0'), "{rendered}");
    for c in ['\u{1}', '\u{1b}', '\u{7f}', '\u{9b}', '\u{8}'] {
        let model = format!("{VALID}description: \"a{c}b\"\n");
        let err = rejected_bytes("c.yaml", model.as_bytes());
        assert_eq!(err.diagnostics[0].code, Code::ControlCharacter, "{c:?}");
        assert!(!render(&err.diagnostics, &err.sources).contains(c));
    }
    // Tab, line feed and carriage return are text; escaped controls in quoted strings are fine.
    let model = format!("{VALID}description: \"a\\u0000b\\tc\"\t# tab\r\n");
    load_bytes(Path::new("ok.yaml"), model.as_bytes()).unwrap();
}

// Class 3: alias expansion bounded in bytes as well as nodes.

#[test]
fn a_large_scalar_aliased_many_times_is_refused_at_the_alias_past_the_budget() {
    let big = "x".repeat(1_000_000);
    let aliases = vec!["*big"; 10_000].join(", ");
    let model = format!("{HEAD}description: &big {big}\nowner: [{aliases}]\n");
    assert!(model.len() < 1_200_000);
    let err = rejected_bytes("big.yaml", model.as_bytes());
    let [problem] = err.diagnostics.as_slice() else {
        panic!("{:?}", err.diagnostics)
    };
    assert_eq!(problem.code, Code::AliasLimit);
    assert!(problem.message.contains("bytes"), "{}", problem.message);
    // Refused at the second alias, so at most one copy (the file's own size) was ever expanded.
    let span = problem.span.unwrap();
    let (line, column) = err.sources.line_column(span.file, span.start);
    assert_eq!((line, column), (6, 15), "{}", problem.message);
    // Small repeated parts are still fine.
    let model = format!("{VALID}description: &d short\nowner: *d\n");
    load_bytes(Path::new("ok.yaml"), model.as_bytes()).unwrap();
}

// Class 4: diagnostics bounded in time and size, and escaped.

#[test]
fn twenty_thousand_unresolved_references_print_a_bounded_report() {
    let mut model = format!("{HEAD}functions:\n");
    for i in 0..20_000 {
        let _ = writeln!(
            model,
            "  fn-{i:05}: {{runtime: r, boundary: cloud, invokes: [fn-{i:05}-x]}}"
        );
    }
    let err = rejected_bytes("many.yaml", model.as_bytes());
    assert_eq!(err.diagnostics.len(), 20_000);
    assert_eq!(
        err.diagnostics[0].hint.as_deref(),
        Some("did you mean `fn-00000`?")
    );
    let rendered = render(&err.diagnostics, &err.sources);
    assert_eq!(rendered.matches("error[unresolved-reference]").count(), 50);
    assert!(
        rendered.contains("… and 19950 more errors in `many.yaml`"),
        "{}",
        &rendered[rendered.len() - 300..]
    );
    assert!(rendered.len() < 50_000, "{} bytes", rendered.len());
    assert_eq!(
        render_with(&err.diagnostics[..10], &err.sources, 3)
            .matches("error[")
            .count(),
        3
    );
}

#[test]
fn very_long_ids_are_not_compared_and_not_printed_whole() {
    let long = "a".repeat(200_000);
    let model = format!(
        "{HEAD}functions:\n  ? {long}\n  : {{runtime: r, boundary: cloud}}\n  f: {{runtime: r, boundary: cloud, invokes: [{long}b]}}\n"
    );
    let err = rejected_bytes("long.yaml", model.as_bytes());
    let [problem] = err.diagnostics.as_slice() else {
        panic!("{:?}", err.diagnostics)
    };
    assert_eq!(problem.code, Code::UnresolvedReference);
    assert!(!problem.hint.as_deref().unwrap().starts_with("did you mean"));
    let rendered = render(&err.diagnostics, &err.sources);
    assert!(rendered.len() < 5_000, "{} bytes", rendered.len());
}

#[test]
fn errors_on_one_long_line_show_a_window_of_it() {
    let items: Vec<String> = (0..5_000)
        .map(|i| format!("f{i}: {{runtime: r, boundary: nope{i}}}"))
        .collect();
    let model = format!("{HEAD}functions: {{{}}}\n", items.join(", "));
    let err = rejected_bytes("line.yaml", model.as_bytes());
    assert_eq!(err.diagnostics.len(), 5_000);
    let all = render_with(&err.diagnostics, &err.sources, 0);
    assert_eq!(all.matches("error[unresolved-reference]").count(), 5_000);
    // Each excerpt is a window of the 200 KB line, not the line (which made 415 MB for 5 000).
    assert!(all.len() < 5_000 * 1_200, "{} bytes", all.len());
    let last = err.diagnostics.last().unwrap();
    let rendered = render(std::slice::from_ref(last), &err.sources);
    let (line, column) = err
        .sources
        .line_column(last.span.unwrap().file, last.span.unwrap().start);
    assert!(
        rendered.contains(&format!("line.yaml:{line}:{column}")),
        "{rendered}"
    );
    assert!(
        rendered.contains(
            " │ …time: r, boundary: nope4998}, f4999: {runtime: r, boundary: nope4999}}\n"
        ),
        "{rendered}"
    );
    let output_default = render(&err.diagnostics, &err.sources);
    assert!(output_default.len() < 60_000, "{}", output_default.len());
}

#[test]
fn model_text_in_diagnostics_cannot_drive_the_terminal() {
    let model = format!(
        "{HEAD}functions:\n  \"evil\\u001b]52;c;ZWNobw==\\u0007\\n::error::pwned\\u202e\": {{runtime: r, boundary: \"nope\\r\\n::stop-commands::x\"}}\n"
    );
    let err = rejected_bytes("evil.yaml", model.as_bytes());
    assert!(
        err.diagnostics[0].message.contains('\u{1b}'),
        "the message itself keeps the id"
    );
    let rendered = render(&err.diagnostics, &err.sources);
    assert!(
        !rendered
            .chars()
            .any(|c| c != '\n' && strider::escape::is_hazard(c)),
        "{rendered:?}"
    );
    assert!(rendered.contains("evil\\u{1b}]52"), "{rendered}");
    for line in rendered.lines() {
        assert!(!line.starts_with("::"), "{line:?}");
    }
}

#[test]
fn max_errors_limits_what_the_cli_prints() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.yaml");
    let mut model = format!("{HEAD}functions:\n");
    for i in 0..10 {
        let _ = writeln!(model, "  f{i}: {{runtime: r, boundary: nope{i}}}");
    }
    std::fs::write(&path, model).unwrap();
    let output = run(&["validate", "--max-errors", "3", path.to_str().unwrap()]);
    let all = text(&output);
    assert_eq!(
        all.matches("error[unresolved-reference]").count(),
        3,
        "{all}"
    );
    assert!(all.contains("… and 7 more errors in"), "{all}");
    let output = run(&["validate", path.to_str().unwrap(), "--max-errors", "0"]);
    assert_eq!(
        text(&output).matches("error[unresolved-reference]").count(),
        10
    );
}

// Class 16: tags.

#[test]
fn only_core_tags_that_fit_their_value_are_read() {
    for tagged in [
        "!!python/object/apply:os.system [\"id\"]",
        "!!python/name:os.system",
        "!!binary aGk=",
        "!!int abc",
        "!!map [a]",
        "!<tag:example.com,2000:x> y",
        "!Ref Name",
    ] {
        let model = format!("{VALID}description: {tagged}\n");
        let err = rejected_bytes("tag.yaml", model.as_bytes());
        assert!(
            err.diagnostics
                .iter()
                .any(|d| d.code == Code::YamlUnsupported),
            "{tagged}: {:?}",
            err.diagnostics
        );
    }
    let model = "strider: 1\nname: !!str 123\nboundaries: {cloud: {trust: trusted}}\nfunctions: !!map\n  f: {runtime: !!str python3.12, boundary: cloud, timeout_s: !!int 3}\n";
    let loaded = load_bytes(Path::new("tag.yaml"), model.as_bytes()).unwrap();
    assert_eq!(loaded.model.name, "123");
}
