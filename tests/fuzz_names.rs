//! Names for the generators (issue #14 §3): `fuzz init` gives each target the names its handler
//! reads — from the route, the schema and the handler's source — in the generated plan and the
//! dictionary; hostile literals of the source never reach the generated crate, which compiles.
//! The scanner reads Python and JavaScript handlers too (for the polyglot fuzzing of #13).

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use std::path::Path;

use strider::files::Tree;
use strider::fuzz::names;

const FIXTURE: &str = "tests/fixtures/fuzz-names";

fn init(dir: &Path) {
    let model = format!("{FIXTURE}/model.yaml");
    let run = common::run(&["fuzz", "init", &model, "-o", dir.to_str().unwrap()]);
    assert!(run.status.success(), "{}", common::text(&run));
}

/// The names of a target's plan in the generated lib.rs: the literals of its `names:` line.
fn plan_names(lib: &str, target: &str) -> Vec<String> {
    let module = lib
        .split(&format!("pub mod {target} {{"))
        .nth(1)
        .unwrap_or_else(|| panic!("no module {target}"));
    let line = module
        .lines()
        .find(|l| l.trim_start().starts_with("names: &["))
        .unwrap();
    let list = line
        .trim()
        .trim_start_matches("names: &[")
        .trim_end_matches("],");
    list.split(", ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.trim_end_matches(',').to_owned())
        .map(|s| serde_json::from_str::<String>(&s).unwrap_or_else(|_| panic!("{s}")))
        .collect()
}

#[test]
fn targets_get_the_names_their_handler_reads_in_the_plan_and_the_dictionary() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fuzz");
    init(&dir);
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    let request = plan_names(&lib, "fetch_document_http");
    // The route's parameter first, then what the source looks up, then its other literals.
    assert_eq!(request[0], "id", "{request:?}");
    assert_eq!(request[1], "document_url", "{request:?}");
    assert!(request.contains(&"version".to_owned()), "{request:?}");
    assert!(request.iter().all(|n| names::is_name(n)), "{request:?}");
    let stream = plan_names(&lib, "index_document_dynamodb_stream");
    assert!(stream.starts_with(&["document_url".to_owned(), "version".to_owned()]));
    // The ARNs come from the model: the stream's table, the topic that feeds the queue.
    assert!(lib.contains(
        "source_arn: \"arn:aws:dynamodb:eu-west-1:123456789012:table/documents-table/stream/"
    ));
    assert!(lib.contains("topic_arn: \"arn:aws:sns:eu-west-1:123456789012:document-events\""));
    for target in ["fetch_document_http", "index_document_dynamodb_stream"] {
        let dict = std::fs::read_to_string(dir.join(format!("dict/{target}.dict"))).unwrap();
        assert!(dict.lines().any(|l| l == "\"document_url\""), "{target}");
        assert!(dict.lines().any(|l| l == "\"\\\"version\\\"\""), "{target}");
    }
    // The realistic event stays realistic: no name the model does not give.
    let seed =
        std::fs::read_to_string(dir.join("events/fetch_document_http/realistic.json")).unwrap();
    assert!(!seed.contains("document_url"), "{seed}");
}

#[test]
fn hostile_literals_of_the_source_never_break_the_generated_crate() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fuzz");
    init(&dir);
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    for target in [
        "fetch_document_http",
        "index_document_dynamodb_stream",
        "index_batch_sqs",
    ] {
        let names = plan_names(&lib, target);
        assert!(names.len() <= names::MAX_NAMES);
        for hostile in ["quote", "slash", "*/", "break", "{{", "{%", "raw", "aaaa"] {
            assert!(
                names.iter().all(|n| !n.contains(hostile)),
                "{target}: {hostile} in {names:?}"
            );
        }
        let dict = std::fs::read_to_string(dir.join(format!("dict/{target}.dict"))).unwrap();
        assert!(
            dict.lines()
                .skip(1)
                .all(|l| l.starts_with('"') && l.ends_with('"') && l.len() < 1024)
        );
    }
    // The crate compiles: names reach the code only as escaped literals.
    common::check_generated_crate(&dir);
}

#[test]
fn python_and_javascript_handlers_give_the_names_they_read_first() {
    let root = Path::new(FIXTURE).join("polyglot");
    let tree = Tree::new(&root).unwrap();
    let found = names::sources(&tree, &root);
    assert_eq!(
        found.into_names(),
        [
            // handler.mjs, then handler.py: what each looks up…
            "queryStringParameters",
            "document_url",
            "tenant",
            "page",
            "body",
            "headers",
            "x-region",
            "version",
            // …then the other literals.
            "plain_literal",
            "latest_version",
            "statusCode",
            "url",
        ]
    );
}

#[test]
fn sources_outside_the_tree_give_no_names() {
    let root = Path::new(FIXTURE).join("polyglot");
    let tree = Tree::new(&root).unwrap();
    let outside = names::sources(&tree, Path::new(FIXTURE).join("handlers").as_path());
    assert!(outside.values().is_empty() && outside.into_names().is_empty());
    let missing = names::sources(&tree, &root.join("missing"));
    assert!(missing.values().is_empty() && missing.into_names().is_empty());
}
