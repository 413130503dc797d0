//! `strider import --update`: the templates imported again into a model the architect has
//! worked on keep the architect's facts, take the templates' new facts, and say what appeared,
//! disappeared and changed; a merge that would not validate leaves the model as it was.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use strider::import::update::update;

const TEMPLATE: &str = "tests/fixtures/drift/template.yaml";

/// A directory with the template and the model imported from it, then edited as an architect
/// would: a description, a classification, a validated input, a flow's data, an actor, a
/// function written by hand.
fn worked_on() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("template.yaml");
    std::fs::copy(TEMPLATE, &template).unwrap();
    let imported =
        strider::import::import(std::slice::from_ref(&template), None, dir.path()).unwrap();
    let edited = imported
        .yaml
        .replacen(
            "  table-data:\n    name: \"What `table` holds\"\n    classification: unclassified",
            "  table-data:\n    name: Orders\n    classification: restricted\n    tags: [pii]",
            1,
        )
        .replacen(
            "          validated: unknown",
            "          validated: false",
            1,
        )
        .replacen(
            "  orders:\n",
            "  orders:\n    description: Lists a customer's orders\n",
            1,
        )
        .replacen(
            "    writes: [archive]",
            "    writes: [{to: archive, data: [archive-data]}]",
            1,
        )
        + "actors:\n  customer:\n    boundary: internet\n    uses: [api]\n"
        + "  # Written by hand: no source.\n"
        + "externals:\n  payments:\n    boundary: internet\n    protocol: https\n";
    let model = dir.path().join("model.yaml");
    std::fs::write(&model, &edited).unwrap();
    strider::model::load_bytes(&model, edited.as_bytes())
        .unwrap_or_else(|e| panic!("{edited}\n{:#?}", e.diagnostics));
    (dir, template, model)
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from}");
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn the_architects_facts_stay_and_the_templates_facts_follow() {
    let (_dir, template, model) = worked_on();
    edit(
        &template,
        "[dynamodb:GetItem, dynamodb:PutItem]",
        "[dynamodb:GetItem, dynamodb:PutItem, dynamodb:Scan]",
    );
    edit(
        &template,
        "  Dlq:\n",
        "  Reports:\n    Type: AWS::S3::Bucket\n  Dlq:\n",
    );
    let updated = update(&model, std::slice::from_ref(&template), None).unwrap();
    assert_eq!(updated.appeared, ["stores/reports"]);
    assert!(updated.disappeared.is_empty());
    assert_eq!(
        updated.changed,
        [(
            "functions/orders".to_owned(),
            vec!["permissions".to_owned()]
        )]
    );
    let m = strider::model::load_bytes(&model, updated.yaml.as_bytes())
        .unwrap()
        .model;
    // The templates' facts.
    assert!(m.stores.contains_key("reports"));
    let orders = &m.functions["orders"];
    assert!(
        orders.permissions[0]
            .allow
            .iter()
            .any(|a| a == "dynamodb:Scan")
    );
    // The architect's.
    assert_eq!(
        orders.description.as_deref(),
        Some("Lists a customer's orders")
    );
    assert_eq!(
        m.data["table-data"].classification,
        strider::model::Classification::Restricted
    );
    assert_eq!(
        orders.triggers[0].input.as_ref().unwrap().validated,
        strider::model::types::Validated::Known(false)
    );
    assert!(m.actors.contains_key("customer"));
    assert!(m.externals.contains_key("payments"));
    let worker = &m.functions["worker"];
    assert!(matches!(
        &worker.writes[0],
        strider::model::FlowRef::Detailed(d) if d.data == ["archive-data"]
    ));
    // The import's provenance comments are written again.
    assert!(
        updated.yaml.contains("# template.yaml:"),
        "{}",
        updated.yaml
    );
}

#[test]
fn what_the_templates_no_longer_declare_goes_and_what_the_architect_wrote_stays() {
    let (_dir, template, model) = worked_on();
    // A hand-written function beside the imported ones.
    edit(
        &model,
        "functions:\n",
        "functions:\n  audit:\n    runtime: python3.12\n    boundary: aws-account\n    triggers: [{kind: schedule, source: nightly}]\n",
    );
    edit(
        &model,
        "channels:\n",
        "channels:\n  nightly:\n    kind: schedule\n    boundary: aws-account\n    expression: rate(1 day)\n",
    );
    // The worker and its queue leave the template (the queue's DLQ too).
    let text = std::fs::read_to_string(&template).unwrap();
    let start = text.find("  Worker:\n").unwrap();
    let end = text.find("  Table:\n").unwrap();
    let mut text = format!("{}{}", &text[..start], &text[end..]);
    let start = text.find("  Queue:\n").unwrap();
    text.truncate(start);
    std::fs::write(&template, text).unwrap();
    let updated = update(&model, std::slice::from_ref(&template), None).unwrap();
    for gone in ["functions/worker", "channels/queue", "channels/dlq"] {
        assert!(
            updated.disappeared.iter().any(|d| d == gone),
            "{:?}",
            updated.disappeared
        );
    }
    let m = strider::model::load_bytes(&model, updated.yaml.as_bytes())
        .unwrap()
        .model;
    assert!(m.functions.contains_key("audit"));
    assert!(m.channels.contains_key("nightly"));
    assert!(!m.functions.contains_key("worker"));
    // Their placeholder data went with them; the model's own data stays.
    assert!(!m.data.contains_key("queue-data"));
    assert!(m.data.contains_key("table-data"));
}

#[test]
fn a_merge_that_would_not_validate_leaves_the_model_as_it_was() {
    let (_dir, template, model) = worked_on();
    let before = std::fs::read_to_string(&model).unwrap();
    // The API the hand-written actor uses leaves the template.
    edit(
        &template,
        "  Api:\n    Type: AWS::Serverless::Api",
        "  Api:\n    Type: AWS::Serverless::LayerVersion",
    );
    edit(&template, "            RestApiId: !Ref Api\n", "");
    let out = Command::new(env!("CARGO_BIN_EXE_strider"))
        .args(["import", "--update"])
        .arg(&model)
        .arg(&template)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("left as it was"), "{stderr}");
    assert!(stderr.contains("`api`"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&model).unwrap(), before);
}

#[test]
fn the_command_writes_the_model_and_reports_the_changes() {
    let (dir, template, model) = worked_on();
    edit(
        &template,
        "  Dlq:\n",
        "  Reports:\n    Type: AWS::S3::Bucket\n  Dlq:\n",
    );
    let out = Command::new(env!("CARGO_BIN_EXE_strider"))
        .args(["import", "--update"])
        .arg(&model)
        .arg(&template)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("+ stores/reports"), "{stderr}");
    assert!(
        stderr.contains("1 appeared, 0 disappeared, 0 changed"),
        "{stderr}"
    );
    assert!(
        std::fs::read_to_string(&model)
            .unwrap()
            .contains("  reports:\n")
    );
    // -o names another file, which is not replaced without --force.
    let other = dir.path().join("other.yaml");
    std::fs::write(&other, "mine").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_strider"))
        .args(["import", "--update"])
        .arg(&model)
        .arg(&template)
        .arg("-o")
        .arg(&other)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "mine");
}

/// Whether users can write a pool's attribute comes from the templates; whether the
/// application grants access by it, and attributes the templates do not declare, are the
/// architect's. CORS the templates do not configure (a handler that reflects the origin) stays.
#[test]
fn which_attributes_grant_access_and_cors_the_templates_do_not_state_stay() {
    let dir = tempfile::tempdir().unwrap();
    let template = dir.path().join("orders-sam.yaml");
    std::fs::copy("tests/fixtures/import/orders-sam.yaml", &template).unwrap();
    // A function URL whose CORS the template does not configure: its handler answers it.
    edit(
        &template,
        "        Cors:\n          AllowOrigins: ['https://shop.example.com']\n          AllowMethods: [GET]\n",
        "",
    );
    let imported =
        strider::import::import(std::slice::from_ref(&template), None, dir.path()).unwrap();
    let is_admin = "      - name: custom:is_admin\n        writable: true\n";
    let url = "  thumbnail-function-url:\n    kind: function-url\n";
    assert!(imported.yaml.contains(is_admin) && imported.yaml.contains(url));
    let edited = imported
        .yaml
        .replacen(
            is_admin,
            &format!(
                "{is_admin}        authorizes: true\n      - name: custom:role\n        writable: false\n        authorizes: true\n"
            ),
            1,
        )
        .replacen(
            url,
            &format!("{url}    cors:\n      origins: [reflect]\n      credentials: true\n"),
            1,
        );
    let model = dir.path().join("model.yaml");
    std::fs::write(&model, &edited).unwrap();
    // The admin console's client no longer lets users write `custom:is_admin`.
    edit(
        &template,
        "WriteAttributes: [email, 'custom:is_admin']",
        "WriteAttributes: [email]",
    );
    let updated = update(&model, std::slice::from_ref(&template), None).unwrap();
    assert_eq!(
        updated.changed,
        [(
            "channels/user-pool".to_owned(),
            vec!["attributes".to_owned()]
        )]
    );
    let m = strider::model::load_bytes(&model, updated.yaml.as_bytes())
        .unwrap_or_else(|e| panic!("{}\n{:#?}", updated.yaml, e.diagnostics))
        .model;
    let attributes: Vec<(&str, bool, bool)> = m.channels["user-pool"]
        .attributes
        .iter()
        .map(|a| (a.name.as_str(), a.writable, a.authorizes))
        .collect();
    assert_eq!(
        attributes,
        [
            ("email", true, false),
            ("custom:tenant_id", false, false),
            ("custom:is_admin", false, true),
            ("custom:plan", false, false),
            ("custom:role", false, true),
        ]
    );
    let cors = m.channels["thumbnail-function-url"].cors.as_ref().unwrap();
    assert!(cors.any_origin() && cors.credentials);
}
