//! `strider fuzz init`: the shop model gives one target per (function, trigger) with a Rust
//! handler, deterministic files, realistic seeds and dictionaries; hostile ids become valid,
//! unique identifiers and file names inside the output directory, and the generated crate
//! compiles against a handler crate.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use common::{files, init_shop, run as strider};

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use strider::model::rust_path::is_identifier;

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("strider-fuzz.json")).unwrap()).unwrap()
}

#[test]
fn the_shops_rust_stand_ins_get_one_target_per_handler_trigger_with_seeds_and_dictionaries() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fuzz");
    let run = strider(&[
        "fuzz",
        "init",
        "model/shop-rust.yaml",
        "--root",
        ".",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let manifest = manifest(&dir);
    let targets = manifest["targets"].as_array().unwrap();
    let names: Vec<&str> = targets
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "fulfil_order_sqs",
            "list_products_http",
            "payment_webhook_http",
            "place_order_http",
            "post_confirmation_cognito",
            "process_upload_s3",
            "publish_order_events_dynamodb_stream"
        ]
    );
    for t in targets {
        let name = t["name"].as_str().unwrap();
        assert!(dir.join(format!("fuzz_targets/{name}.rs")).is_file());
        let seed: serde_json::Value = serde_json::from_slice(
            &std::fs::read(dir.join(format!("events/{name}/realistic.json"))).unwrap(),
        )
        .unwrap();
        assert!(
            seed.is_object() && seed != serde_json::json!({}),
            "{name}: {seed}"
        );
        let dict = std::fs::read_to_string(dir.join(format!("dict/{name}.dict"))).unwrap();
        assert!(
            dict.lines()
                .skip(1)
                .all(|l| l.starts_with('"') && l.ends_with('"')),
            "{name}"
        );
        assert!(
            dict.contains("\"%2e%2e%2f\""),
            "{name}: no encoded traversal token"
        );
    }
    // The function's limits: place-order has timeout_s 10 and memory_mb 512.
    let place = targets
        .iter()
        .find(|t| t["function"] == "place-order")
        .unwrap();
    assert_eq!(place["timeout_s"], 10);
    assert_eq!(place["rss_limit_mb"], 512 + 256);
    // The realistic S3 seed is a notification for the model's bucket; the SQS one an SNS envelope.
    let s3: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("events/process_upload_s3/realistic.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(s3["Records"][0]["s3"]["bucket"]["name"], "uploads-bucket");
    let sqs: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dir.join("events/fulfil_order_sqs/realistic.json")).unwrap(),
    )
    .unwrap();
    let body = sqs["Records"][0]["body"].as_str().unwrap();
    assert!(body.contains("\"Type\":\"Notification\""), "{body}");
    // The generated code carries what the model says.
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(lib.contains("partial_failures: true"));
    assert!(lib.contains("sns_envelope: true"));
    assert!(lib.contains("secrets: &[\"PAYMENT_API_KEY\", ]"));
    assert!(lib.contains("lambda_http::request::LambdaRequest::ApiGatewayV1(event)"));
    let cargo: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.join("Cargo.toml")).unwrap()).unwrap();
    assert_eq!(cargo["bin"].as_array().unwrap().len(), 7);
    assert!(cargo["dependencies"]["shop-handlers"]["path"].is_str());
}

#[test]
fn python_and_node_handlers_get_targets_that_run_them_in_their_own_runtimes() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fuzz");
    init_shop(&dir);
    let manifest = manifest(&dir);
    let targets = manifest["targets"].as_array().unwrap();
    let names: Vec<&str> = targets
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "admin_export_http",
            "issue_upload_url_http",
            "list_products_http",
            "nightly_report_schedule",
            "payment_webhook_http",
            "place_order_http",
            "post_confirmation_cognito",
            "process_upload_s3",
            "publish_order_events_dynamodb_stream",
            "send_email_sqs"
        ]
    );
    let by = |name: &str| targets.iter().find(|t| t["name"] == name).unwrap();
    assert_eq!(by("send_email_sqs")["runtime"]["language"], "python");
    assert_eq!(by("process_upload_s3")["runtime"]["language"], "node");
    assert_eq!(by("process_upload_s3")["runtime"]["runtime"], "nodejs16.x");
    // The Rust handler stays in-process.
    assert!(
        by("publish_order_events_dynamodb_stream")
            .get("runtime")
            .is_none()
    );
    // The code is named relative to the crate, never by an absolute path of this machine.
    let code = by("send_email_sqs")["runtime"]["code"].as_str().unwrap();
    assert!(
        !code.starts_with('/') && code.ends_with("examples/shop-python"),
        "{code}"
    );
    let lib = std::fs::read_to_string(dir.join("src/lib.rs")).unwrap();
    assert!(lib.contains("language: strider_events::runtime::Language::Python"));
    assert!(lib.contains("handler: \"mail.handler\""));
    assert!(lib.contains("(\"CUSTOMERS_TABLE\", \"customers-table\")"));
    assert!(lib.contains("canaries: true"));
    assert!(lib.contains("strider_events::runtime::invoke(&HANDLER, &event, injected)"));
    // Emulated AWS from the model: the tables with their keys, the stream, the subscriptions.
    assert!(
        lib.contains(r#"\"hash_key\":\"pk\""#),
        "tables keep the model's key"
    );
    assert!(lib.contains(r#"{\"queue\":\"email-queue\",\"topic\":\"order-events\"}"#));
    // Long pseudo-random seeds beside the realistic one, the same on every generation.
    let seeds: Vec<_> = std::fs::read_dir(dir.join("corpus/send_email_sqs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(seeds.len(), 33, "{seeds:?}");
    // The runtime scripts travel with the crate's copy of strider-events.
    for script in [
        "strider-events/runtime/python/strider_boot.py",
        "strider-events/runtime/python/strider_provision.py",
        "strider-events/runtime/node/strider_bootstrap.cjs",
    ] {
        assert!(dir.join(script).is_file(), "{script}");
    }
    common::check_generated_crate(&dir);
}

#[test]
fn handler_code_outside_the_tree_strider_reads_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("project");
    std::fs::create_dir_all(project.join("infra")).unwrap();
    std::fs::create_dir_all(project.join("src")).unwrap();
    std::fs::write(
        project.join("src/app.py"),
        "def handler(event, context):\n    return {}\n",
    )
    .unwrap();
    let model = project.join("infra/model.yaml");
    std::fs::write(
        &model,
        "strider: 1\nname: m\nboundaries: {cloud: {trust: trusted}}\nstores: {b: {kind: s3, boundary: cloud}}\nfunctions:\n  f:\n    runtime: python3.12\n    handler: app.handler\n    code: ../src\n    boundary: cloud\n    triggers: [{kind: s3, source: b}]\n",
    )
    .unwrap();
    let out = dir.path().join("fuzz");
    let run = strider(&[
        "fuzz",
        "init",
        model.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("outside the directory tree strider reads"),
        "{stderr}"
    );
    assert!(stderr.contains("--root"), "{stderr}");
    assert!(!out.exists(), "nothing is written");
    // With the project as the root, the same model is fuzzed; a handler name that names no file
    // is refused with the files looked for.
    let run = strider(&[
        "fuzz",
        "init",
        model.to_str().unwrap(),
        "--root",
        project.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    std::fs::write(
        &model,
        std::fs::read_to_string(&model)
            .unwrap()
            .replace("app.handler", "missing.handler"),
    )
    .unwrap();
    let other = dir.path().join("other");
    let run = strider(&[
        "fuzz",
        "init",
        model.to_str().unwrap(),
        "--root",
        project.to_str().unwrap(),
        "-o",
        other.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("`missing.py`"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn fuzz_init_is_deterministic() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fuzz");
    init_shop(&dir);
    // A second run writes the same bytes.
    let again = out.path().join("again");
    init_shop(&again);
    for file in files(&dir) {
        let (a, b) = (
            std::fs::read(dir.join(&file)).unwrap(),
            std::fs::read(again.join(&file)).unwrap(),
        );
        if file == Path::new("Cargo.toml") {
            // Only the relative paths to the handler and support crates differ.
            continue;
        }
        assert!(a == b, "{} differs", file.display());
    }
}

#[test]
fn one_function_only_and_clear_errors() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("one");
    let run = strider(&[
        "fuzz",
        "init",
        "model/shop.yaml",
        "--root",
        ".",
        "-o",
        dir.to_str().unwrap(),
        "--function",
        "process-upload",
    ]);
    assert!(run.status.success());
    assert_eq!(manifest(&dir)["targets"].as_array().unwrap().len(), 1);
    let run = strider(&[
        "fuzz",
        "init",
        "model/shop.yaml",
        "--root",
        ".",
        "-o",
        dir.to_str().unwrap(),
        "--function",
        "fulfil-order",
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("function `fulfil-order` has no `code`"),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let run = strider(&[
        "fuzz",
        "init",
        "model/shop.yaml",
        "--root",
        ".",
        "-o",
        dir.to_str().unwrap(),
        "--function",
        "nope",
    ]);
    assert!(String::from_utf8_lossy(&run.stderr).contains("the model has no function `nope`"));
    let run = strider(&[
        "fuzz",
        "init",
        "tests/fixtures/clean.yaml",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert_eq!(run.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&run.stderr).contains("no function of the model names a handler")
    );
}

#[test]
fn a_bad_handler_is_a_model_error_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.yaml");
    std::fs::write(
        &model,
        "strider: 1\nname: m\nboundaries: {cloud: {trust: trusted}}\nstores: {b: {kind: s3, boundary: cloud}}\nfunctions:\n  f:\n    runtime: provided.al2023\n    boundary: cloud\n    fuzz: {rust: {crate: nowhere, handler: \"x::y; drop_database()\", style: plain}}\n    triggers: [{kind: s3, source: b}]\n",
    )
    .unwrap();
    let run = strider(&["validate", model.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("no Cargo.toml at"), "{stderr}");
    assert!(stderr.contains("is not a Rust path"), "{stderr}");
    assert!(stderr.contains("model.yaml:9:"), "{stderr}");
}

#[test]
fn hostile_ids_give_valid_unique_names_inside_the_output_and_code_that_compiles() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fuzz");
    let run = strider(&[
        "fuzz",
        "init",
        "tests/fixtures/fuzz/hostile.yaml",
        "-o",
        dir.to_str().unwrap(),
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let names: Vec<String> = manifest(&dir)["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names.len(), 5);
    assert_eq!(names.iter().collect::<BTreeSet<_>>().len(), 5, "{names:?}");
    assert!(names.iter().all(|n| is_identifier(n)), "{names:?}");
    // Nothing was written outside the output directory.
    let outside: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(outside, ["fuzz"]);
    for file in files(&dir) {
        assert!(
            file.components()
                .all(|c| matches!(c, std::path::Component::Normal(_)))
        );
    }
    // The crate compiles: ids reach the code only as identifiers and escaped literals.
    common::check_generated_crate(&dir);
}

#[test]
fn the_committed_shop_fuzz_crate_is_what_fuzz_init_writes() {
    // `.ci/regenerate` rewrites fuzz/shop; this fails when someone forgot to run it.
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fuzz");
    init_shop(&dir);
    let committed = Path::new("fuzz/shop");
    for file in files(&dir) {
        if file == Path::new("Cargo.toml") {
            continue; // its relative paths depend on where it is written
        }
        if file.starts_with("strider-events") {
            continue; // written by fuzz init, not committed (checked by src/fuzz/vendor.rs)
        }
        // The handlers' code directories are named relative to where the crate is written.
        let relocated = |bytes: Vec<u8>| -> Vec<u8> {
            String::from_utf8_lossy(&bytes)
                .lines()
                .map(|line| match line.rfind("examples/shop-") {
                    // `"../../examples/shop-python"` and `"../../../tmp/…/examples/…"` alike.
                    Some(at) => match line[..at].rfind('"') {
                        Some(quote) => format!("{}{}", &line[..=quote], &line[at..]),
                        None => line.to_owned(),
                    },
                    None => line.to_owned(),
                })
                .collect::<Vec<_>>()
                .join("\n")
                .into_bytes()
        };
        assert!(
            relocated(std::fs::read(dir.join(&file)).unwrap())
                == relocated(std::fs::read(committed.join(&file)).unwrap_or_default()),
            "fuzz/shop/{} is stale: run bash .ci/regenerate",
            file.display()
        );
    }
    let ours: toml::Table =
        toml::from_str(&std::fs::read_to_string(committed.join("Cargo.toml")).unwrap()).unwrap();
    let fresh: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.join("Cargo.toml")).unwrap()).unwrap();
    assert_eq!(ours["bin"], fresh["bin"]);
}

#[test]
fn clusterfuzzlite_setup_goes_to_the_repository_root_and_quotes_the_crate_path() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    // A directory name that would break an unquoted shell line.
    let dir = repo.path().join("fuzz it's \"$(touch pwned)\"");
    let run = strider(&[
        "fuzz",
        "init",
        "model/shop.yaml",
        "--root",
        ".",
        "-o",
        dir.to_str().unwrap(),
        "--clusterfuzzlite",
    ]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let cfl = repo.path().join(".clusterfuzzlite");
    assert_eq!(
        std::fs::read_to_string(cfl.join("project.yaml"))
            .unwrap()
            .lines()
            .last(),
        Some("language: rust")
    );
    assert!(
        std::fs::read_to_string(cfl.join("Dockerfile"))
            .unwrap()
            .contains("FROM gcr.io/oss-fuzz-base/base-builder-rust")
    );
    let workflow =
        std::fs::read_to_string(repo.path().join(".github/workflows/clusterfuzzlite.yml")).unwrap();
    assert!(workflow.contains("google/clusterfuzzlite/actions/run_fuzzers@v1"));
    assert!(workflow.contains("${{ secrets.GITHUB_TOKEN }}"));
    let script = cfl.join("build.sh");
    let build = std::fs::read_to_string(&script).unwrap();
    for target in manifest(&dir)["targets"].as_array().unwrap() {
        let name = target["name"].as_str().unwrap();
        assert!(
            build.contains(&format!("cp \"$release/{name}\" \"$OUT/\"")),
            "{name}"
        );
        assert!(
            build.contains(&format!("timeout = {}", target["timeout_s"])),
            "{name}"
        );
        assert!(build.contains(&format!("{name}_seed_corpus.zip")), "{name}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&script).unwrap().permissions().mode() & 0o111,
            0o111
        );
    }
    // The script parses, and its `cd` goes exactly to the crate whatever its name holds.
    assert!(
        Command::new("bash")
            .arg("-n")
            .arg(&script)
            .status()
            .unwrap()
            .success()
    );
    let cd = build.lines().find(|l| l.starts_with("cd ")).unwrap();
    let probe = Command::new("bash")
        .arg("-c")
        .arg(format!(
            "SRC=/src; {} 2>/dev/null; printf %s \"$(printf '%s' {})\"",
            "true",
            &cd[3..].replace("\"$SRC/project\"/", "")
        ))
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&probe.stdout),
        "fuzz it's \"$(touch pwned)\""
    );
    assert!(!repo.path().join("pwned").exists() && !Path::new("pwned").exists());
}

#[test]
fn fuzz_run_explains_a_missing_crate_or_target_before_building_anything() {
    let out = tempfile::tempdir().unwrap();
    let run = strider(&["fuzz", "run", "x", "-C", out.path().to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("run `strider fuzz init MODEL -o"));
    let dir = out.path().join("fuzz");
    init_shop(&dir);
    let run = strider(&["fuzz", "run", "nope", "-C", dir.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("no target `nope`") && stderr.contains("process_upload_s3"),
        "{stderr}"
    );
    // A manifest edited to name a path is refused, not followed.
    let manifest_path = dir.join("strider-fuzz.json");
    let edited = std::fs::read_to_string(&manifest_path)
        .unwrap()
        .replace("\"process_upload_s3\"", "\"../../escape\"");
    std::fs::write(&manifest_path, edited).unwrap();
    let run = strider(&["fuzz", "run", "../../escape", "-C", dir.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("no target `../../escape`"));
}

#[test]
fn fuzz_run_asks_for_a_node_handlers_dependencies_before_building_anything() {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path();
    std::fs::create_dir_all(project.join("web")).unwrap();
    std::fs::write(
        project.join("web/index.js"),
        "exports.handler = async () => ({});\n",
    )
    .unwrap();
    std::fs::write(
        project.join("web/package.json"),
        r#"{"name": "web", "dependencies": {"left-pad": "1.3.0"}}"#,
    )
    .unwrap();
    std::fs::write(
        project.join("model.yaml"),
        "strider: 1\nname: m\nboundaries: {cloud: {trust: trusted}}\nstores: {b: {kind: s3, boundary: cloud}}\nfunctions:\n  f:\n    runtime: nodejs20.x\n    handler: index.handler\n    code: web\n    boundary: cloud\n    triggers: [{kind: s3, source: b}]\n",
    )
    .unwrap();
    let out = project.join("fuzz");
    let init = strider(&[
        "fuzz",
        "init",
        project.join("model.yaml").to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    let run = strider(&[
        "fuzz",
        "run",
        "f_s3",
        "-C",
        out.to_str().unwrap(),
        "--time",
        "1",
    ]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("no node_modules") && stderr.contains("npm ci"),
        "{stderr}"
    );
    // Nothing was built or prepared: no virtualenv, no build.
    assert!(!out.join("target").exists(), "{stderr}");
}

/// The fixture models of this file whose handler crates sit beside them.
fn init(model: &str, dir: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["fuzz", "init", model, "-o", dir.to_str().unwrap()];
    args.extend_from_slice(extra);
    strider(&args)
}

#[test]
fn a_hostile_model_name_stays_inside_the_comments_of_every_generated_file() {
    let repo = tempfile::tempdir().unwrap();
    std::fs::create_dir(repo.path().join(".git")).unwrap();
    let dir = repo.path().join("fuzz");
    let run = init(
        "tests/fixtures/fuzz/hostile.yaml",
        &dir,
        &["--clusterfuzzlite"],
    );
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let mut written: Vec<PathBuf> = files(&dir).into_iter().map(|f| dir.join(f)).collect();
    written.extend(
        files(&repo.path().join(".clusterfuzzlite"))
            .into_iter()
            .map(|f| repo.path().join(".clusterfuzzlite").join(f)),
    );
    written.push(repo.path().join(".github/workflows/clusterfuzzlite.yml"));
    for path in &written {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue; // seeds are bytes
        };
        if path.extension().is_some_and(|e| e == "json") {
            continue; // data: JSON strings hold the name exactly
        }
        for line in text.lines().filter(|l| l.contains("gnp.rs")) {
            // The name is there, on one line, with every control shown escaped.
            assert!(
                !line.chars().any(strider::escape::is_hazard),
                "{}: {line:?}",
                path.display()
            );
            assert!(
                line.contains("\\u{202e}gnp.rs"),
                "{}: {line:?}",
                path.display()
            );
        }
        assert!(
            !text.contains(['\u{85}', '\u{2028}', '\u{202e}', '\u{1b}', '\r']),
            "{}",
            path.display()
        );
    }
    // The manifest holds what strider put there and nothing the name tried to add.
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.join("Cargo.toml")).unwrap()).unwrap();
    let tables: Vec<&str> = manifest.keys().map(String::as_str).collect();
    assert_eq!(
        tables,
        ["bin", "dependencies", "package", "profile", "workspace"]
    );
    assert_eq!(
        manifest["workspace"]["members"].as_array().unwrap().len(),
        1
    );
    let project =
        std::fs::read_to_string(repo.path().join(".clusterfuzzlite/project.yaml")).unwrap();
    let keys: Vec<&str> = project
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .collect();
    assert_eq!(keys, ["language: rust"]);
}

#[test]
fn handler_crates_cargo_would_refuse_or_confuse_are_errors() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fuzz");
    let run = init("tests/fixtures/fuzz/bad-package/model.yaml", &dir, &[]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("package name is not one cargo accepts"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("[workspace]"),
        "the file's content is not echoed: {stderr}"
    );
    assert!(!dir.exists());
    let run = init("tests/fixtures/fuzz/same-package/model.yaml", &dir, &[]);
    assert_eq!(run.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(stderr.contains("are both called `dup`"), "{stderr}");
    assert!(!dir.exists());
    // `dup-x` and `dup_x` are one name to cargo (E0464 when the crate is built).
    let run = init(
        "tests/fixtures/fuzz/same-package-dashes/model.yaml",
        &dir,
        &[],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("are called `dup-x` and `dup_x`, one name to cargo"),
        "{stderr}"
    );
    assert!(!dir.exists());
}

/// A shell or an editor inside the crate directory stays in it: `-o .`, and regenerating from
/// inside, replace the directory's entries, never the directory itself (which left the shell in
/// a deleted directory, where the new crate cannot be seen).
#[test]
fn generating_from_inside_the_output_directory_keeps_the_directory_itself() {
    use std::os::unix::fs::MetadataExt;
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fuzz");
    std::fs::create_dir(&dir).unwrap();
    let model = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz/hostile.yaml");
    let inode = std::fs::metadata(&dir).unwrap().ino();
    // As a shell in the directory would: the files must be there for it afterwards.
    let from_inside = |output: &str| {
        Command::new("sh")
            .arg("-c")
            .arg("\"$0\" fuzz init \"$1\" -o \"$2\" && test -f .strider-generated && test -f Cargo.toml")
            .arg(env!("CARGO_BIN_EXE_strider"))
            .arg(&model)
            .arg(output)
            .current_dir(&dir)
            .output()
            .unwrap()
    };
    let absolute = dir.to_str().unwrap().to_owned();
    for (round, output) in [".", ".", absolute.as_str()].into_iter().enumerate() {
        let run = from_inside(output);
        assert!(
            run.status.success(),
            "round {round}, -o {output}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        assert_eq!(
            std::fs::metadata(&dir).unwrap().ino(),
            inode,
            "round {round}, -o {output}: the directory was replaced"
        );
        if round == 0 {
            std::fs::write(dir.join("Cargo.lock"), "lock").unwrap();
        }
        assert_eq!(
            std::fs::read_to_string(dir.join("Cargo.lock")).unwrap(),
            "lock"
        );
        let beside: Vec<_> = std::fs::read_dir(out.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(beside, ["fuzz"], "round {round}: left beside the crate");
    }
}

#[test]
fn a_directory_strider_did_not_write_is_refused_and_regeneration_keeps_the_users_files() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fuzz");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("Cargo.toml"), "# my own crate\n").unwrap();
    let run = init("tests/fixtures/fuzz/hostile.yaml", &dir, &[]);
    assert_eq!(run.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&run.stderr).contains("--force"));
    assert_eq!(
        std::fs::read_to_string(dir.join("Cargo.toml")).unwrap(),
        "# my own crate\n"
    );
    assert_eq!(files(&dir).len(), 1);
    // --force replaces what strider writes and keeps the rest.
    std::fs::write(dir.join("notes.md"), "mine").unwrap();
    let run = init("tests/fixtures/fuzz/hostile.yaml", &dir, &["--force"]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(dir.join(".strider-generated").is_file());
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.md")).unwrap(),
        "mine"
    );
    // Regenerating keeps a corpus, findings and regression tests, and never follows a link.
    let target = manifest(&dir)["targets"][0]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    std::fs::write(dir.join(format!("corpus/{target}/from-libfuzzer")), "x").unwrap();
    std::fs::create_dir_all(dir.join("findings/f")).unwrap();
    std::fs::write(dir.join("findings/f/1.json"), "{}").unwrap();
    std::fs::write(dir.join("tests/finding_x.rs"), "// test").ok();
    let elsewhere = out.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    std::fs::remove_dir_all(dir.join("dict")).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("dict")).unwrap();
    let run = init("tests/fixtures/fuzz/hostile.yaml", &dir, &[]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    assert!(
        dir.join(format!("corpus/{target}/from-libfuzzer"))
            .is_file()
    );
    assert!(dir.join(format!("corpus/{target}/realistic")).is_file());
    assert!(dir.join("findings/f/1.json").is_file());
    assert!(
        std::fs::read_dir(&elsewhere).unwrap().next().is_none(),
        "a link was followed"
    );
    assert!(
        !std::fs::symlink_metadata(dir.join("dict"))
            .unwrap()
            .is_symlink()
    );
    // Nothing is left beside the crate.
    let beside: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside.len(), 2, "{beside:?}");
}

#[test]
fn the_crate_carries_its_own_strider_events_and_names_no_path_of_the_checkout() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("fuzz");
    let run = init("tests/fixtures/fuzz/hostile.yaml", &dir, &[]);
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(dir.join("Cargo.toml")).unwrap()).unwrap();
    assert_eq!(
        manifest["dependencies"]["strider-events"]["path"].as_str(),
        Some("strider-events")
    );
    let checkout = env!("CARGO_MANIFEST_DIR");
    for file in files(&dir) {
        if file == Path::new("Cargo.toml") {
            continue; // the fixture's handler crate is in the checkout, on purpose
        }
        let bytes = std::fs::read(dir.join(&file)).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains(checkout),
            "{} names the checkout",
            file.display()
        );
    }
    let events = Path::new("crates/strider-events");
    for file in files(&events.join("src")) {
        assert_eq!(
            std::fs::read(dir.join("strider-events/src").join(&file)).unwrap(),
            std::fs::read(events.join("src").join(&file)).unwrap(),
            "{}",
            file.display()
        );
    }
}
