//! `strider drift`: a model imported from a template agrees with it; each kind of change made to
//! the template is reported as its kind of disagreement, located in the template, and nothing
//! else is; the command's formats and exit codes are those a CI job relies on.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use strider::drift::{self, Kind};

const TEMPLATE: &str = "tests/fixtures/drift/template.yaml";

/// The model `strider import` makes of `text` (as `template.yaml` in `dir`).
fn model_of(dir: &Path, text: &str) -> strider::model::Model {
    let path = dir.join("template.yaml");
    std::fs::write(&path, text).unwrap();
    let imported = strider::import::import(std::slice::from_ref(&path), None, dir).unwrap();
    strider::model::load_bytes(Path::new("m.yaml"), imported.yaml.as_bytes())
        .unwrap()
        .model
}

/// The disagreements between the model of the fixture and `changed`, a changed copy of it.
fn drift_after(changed: &str) -> Vec<drift::Drift> {
    let original = std::fs::read_to_string(TEMPLATE).unwrap();
    let base = tempfile::tempdir().unwrap();
    let model = model_of(base.path(), &original);
    let dir = tempfile::tempdir().unwrap();
    let templates = model_of(dir.path(), changed);
    drift::compare(&model, &templates, &[dir.path().join("template.yaml")])
}

fn changed(from: &str, to: &str) -> String {
    let original = std::fs::read_to_string(TEMPLATE).unwrap();
    assert!(original.contains(from), "{from}");
    original.replacen(from, to, 1)
}

#[test]
fn a_model_imported_from_its_templates_agrees_with_them() {
    let original = std::fs::read_to_string(TEMPLATE).unwrap();
    assert_eq!(drift_after(&original), Vec::new());
}

/// Each change to the template, and the one disagreement it must cause.
#[test]
fn each_kind_of_disagreement_is_found_alone() {
    let cases: Vec<(Kind, &str, String)> = vec![
        (
            Kind::FunctionNotInModel,
            "report",
            changed(
                "  Table:\n",
                "  Report:\n    Type: AWS::Serverless::Function\n    Properties: {Runtime: python3.12, Handler: r.handler, CodeUri: src/r}\n  Table:\n",
            ),
        ),
        (
            Kind::TriggerNotInModel,
            "worker",
            changed(
                "        Jobs:\n",
                "        Nightly:\n          Type: Schedule\n          Properties: {Schedule: rate(1 day)}\n        Jobs:\n",
            ),
        ),
        (
            Kind::TriggerNotInTemplates,
            "orders",
            changed(
                "      Events:\n        List:",
                "      Xvents:\n        List:",
            ),
        ),
        (
            Kind::StoreNotInModel,
            "reports",
            changed(
                "  Archive:\n",
                "  Reports:\n    Type: AWS::S3::Bucket\n  Archive:\n",
            ),
        ),
        (
            Kind::BroaderPermissions,
            "orders",
            changed(
                "[dynamodb:GetItem, dynamodb:PutItem]",
                "[dynamodb:GetItem, dynamodb:PutItem, dynamodb:DeleteItem]",
            ),
        ),
        (
            Kind::RouteAuthDiffers,
            "orders",
            changed(
                "            Method: get\n",
                "            Method: get\n            Auth: {Authorizer: NONE}\n",
            ),
        ),
        (
            Kind::PublicInTemplates,
            "archive",
            changed(
                "  Queue:\n",
                "  ArchivePolicy:\n    Type: AWS::S3::BucketPolicy\n    Properties:\n      Bucket: !Ref Archive\n      PolicyDocument:\n        Statement:\n          - {Effect: Allow, Principal: '*', Action: s3:GetObject, Resource: !Sub '${Archive.Arn}/*'}\n  Queue:\n",
            ),
        ),
        (
            Kind::UnencryptedInTemplates,
            "queue",
            changed(
                "      RedrivePolicy:\n",
                "      SqsManagedSseEnabled: false\n      RedrivePolicy:\n",
            ),
        ),
    ];
    for (kind, element, text) in cases {
        let found = drift_after(&text);
        assert_eq!(found.len(), 1, "{kind:?}: {found:#?}");
        assert_eq!(found[0].kind, kind, "{found:#?}");
        assert_eq!(found[0].element, element, "{found:#?}");
    }
    // What the template no longer deploys: the function, and what only it referred to.
    let found = drift_after(&changed(
        "  Worker:\n    Type: AWS::Serverless::Function",
        "  Worker:\n    Type: AWS::Serverless::LayerVersion",
    ));
    let kinds: Vec<Kind> = found.iter().map(|d| d.kind).collect();
    assert!(kinds.contains(&Kind::FunctionNotInTemplates), "{found:#?}");
    let found = drift_after(&changed("  Archive:\n    Type: AWS::S3::Bucket\n", ""));
    assert!(
        found
            .iter()
            .any(|d| d.kind == Kind::StoreNotInTemplates && d.element == "archive"),
        "{found:#?}"
    );
}

#[test]
fn a_broader_permission_names_the_actions_and_the_element() {
    let found = drift_after(&changed(
        "[dynamodb:GetItem, dynamodb:PutItem]",
        "['dynamodb:*']",
    ));
    assert_eq!(found.len(), 1, "{found:#?}");
    let message = &found[0].message;
    // The pattern as written, then the most dangerous actions it adds (managing permissions
    // and writing before reading), never one the model already grants.
    assert!(message.contains("dynamodb:* (dynamodb:"), "{message}");
    assert!(message.contains("more) on `table`"), "{message}");
    assert!(message.contains("dynamodb:PutResourcePolicy"), "{message}");
    assert!(!message.contains("dynamodb:GetItem,"), "{message}");
    // Located where the template declares the function.
    let place = found[0].template.as_ref().unwrap();
    assert_eq!(place.file.file_name().unwrap(), "template.yaml");
    assert_eq!(place.line, 18);
}

fn strider(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_strider"))
        .args(args)
        .output()
        .unwrap()
}

/// The command: formats, `--fail-on`, and a clear error for templates it cannot read.
#[test]
fn the_command_fails_on_what_a_ci_job_asks() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.yaml");
    let out = strider(&["import", TEMPLATE, "-o", model.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let model = model.to_str().unwrap();
    let agreeing = strider(&["drift", model, TEMPLATE, "--fail-on", "low"]);
    assert_eq!(agreeing.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&agreeing.stdout).contains("0 disagreements"));

    let broader = dir.path().join("template.yaml");
    std::fs::write(
        &broader,
        changed(
            "[dynamodb:GetItem, dynamodb:PutItem]",
            "[dynamodb:GetItem, dynamodb:PutItem, dynamodb:Scan]",
        ),
    )
    .unwrap();
    let broader = broader.to_str().unwrap();
    let text = strider(&["drift", model, broader]);
    assert_eq!(text.status.code(), Some(0), "no --fail-on: reports only");
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(stdout.contains("broader-permissions"), "{stdout}");
    assert!(stdout.contains("template.yaml:18"), "{stdout}");
    assert_eq!(
        strider(&["drift", model, broader, "--fail-on", "high"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        strider(&["drift", model, broader, "--fail-on", "critical"])
            .status
            .code(),
        Some(0)
    );
    let json = strider(&["drift", model, broader, "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json[0]["kind"], "broader-permissions");
    assert_eq!(json[0]["severity"], "high");
    let sarif = strider(&["drift", model, broader, "--format", "sarif"]);
    let sarif: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let result = &sarif["runs"][0]["results"][0];
    assert_eq!(result["ruleId"], "broader-permissions");
    let location = &result["locations"][0]["physicalLocation"];
    assert!(
        location["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .ends_with("template.yaml")
    );
    assert_eq!(location["region"]["startLine"], 18);

    let missing = strider(&["drift", model, "no-such-template.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no-such-template.yaml"));
}

/// A Terraform plan: places name the resource's address.
#[test]
fn plans_drift_is_located_by_address() {
    let plan = PathBuf::from("tests/fixtures/import/terraform/orders.plan.json");
    let imported =
        strider::import::import(std::slice::from_ref(&plan), None, Path::new(".")).unwrap();
    let mut model = strider::model::load_bytes(Path::new("m.yaml"), imported.yaml.as_bytes())
        .unwrap()
        .model;
    let templates = model.clone();
    model.functions.remove("worker");
    let found = drift::compare(&model, &templates, &[plan]);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, Kind::FunctionNotInModel);
    let place = found[0].template.as_ref().unwrap();
    assert_eq!(place.address.as_deref(), Some("aws_lambda_function.worker"));
}

/// Template strings reach the terminal or a CI log escaped: no escape sequence, no line a CI
/// runner would read as a workflow command.
#[test]
fn hostile_template_strings_are_escaped_in_the_report() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("model.yaml");
    assert!(
        strider(&["import", TEMPLATE, "-o", model.to_str().unwrap()])
            .status
            .success()
    );
    let hostile = dir.path().join("template.yaml");
    std::fs::write(
        &hostile,
        changed(
            "            Path: /orders\n",
            "            Path: \"/orders\\e]8;;https://evil\\a\\n::error::pwned\\u202e\"\n",
        ),
    )
    .unwrap();
    for format in ["text", "json", "sarif"] {
        let out = strider(&[
            "drift",
            model.to_str().unwrap(),
            hostile.to_str().unwrap(),
            "--format",
            format,
        ]);
        for stream in [&out.stdout, &out.stderr] {
            let text = String::from_utf8_lossy(stream);
            assert!(
                !text.contains('\u{1b}') && !text.contains('\u{7}'),
                "{format}: {text}"
            );
            assert!(!text.contains('\u{202e}'), "{format}: {text}");
            assert!(
                text.lines().all(|l| !l.trim_start().starts_with("::")),
                "{format}: {text}"
            );
        }
        assert!(out.status.code().is_some_and(|c| c <= 2), "{format}");
    }
}

/// A handler that checks tokens itself (`auth: code` in the model) is an open route in the
/// templates, which cannot say so: no disagreement; an authorizer in the model is one.
#[test]
fn auth_in_code_agrees_with_an_open_route_in_the_templates() {
    let open = changed("        DefaultAuthorizer: Users\n", "");
    let dir = tempfile::tempdir().unwrap();
    let templates = model_of(dir.path(), &open);
    let files = [dir.path().join("template.yaml")];
    let (function, index) = templates
        .functions
        .iter()
        .find_map(|(id, f)| {
            f.triggers
                .iter()
                .position(|t| t.kind == strider::model::TriggerKind::Http)
                .map(|i| (id.clone(), i))
        })
        .unwrap();
    for (auth, differs) in [
        (strider::model::Auth::Code, false),
        (strider::model::Auth::Jwt, true),
    ] {
        let mut model = templates.clone();
        let trigger = &mut model.functions.get_mut(&function).unwrap().triggers[index];
        trigger.auth = Some(auth);
        let found: Vec<Kind> = drift::compare(&model, &templates, &files)
            .into_iter()
            .map(|d| d.kind)
            .collect();
        assert_eq!(
            found.contains(&Kind::RouteAuthDiffers),
            differs,
            "{auth:?}: {found:?}"
        );
    }
}
