//! `strider import` of Terraform plans (`terraform show -json`): the real plans of
//! `tests/import/tf-*` become models that validate and say what the plan says (every function,
//! store, role, trigger and policy statement accounted for, counted from the plan itself); the
//! links Terraform expresses through references, module variables and outputs, known ARNs and
//! split-off resources survive; sensitive values never reach the model; generated plans never
//! make it panic.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use serde_json::{Value, json};
use strider::import::{self, Format};

const ORDERS: &str = "tests/fixtures/import/terraform/orders.plan.json";

fn imported(path: &Path) -> import::Imported {
    import::import(&[path.to_path_buf()], None, path.parent().unwrap())
        .unwrap_or_else(|e| panic!("{}: {:#?}", path.display(), e.diagnostics))
}

fn load(yaml: &str) -> strider::model::Model {
    strider::model::load_bytes(Path::new("imported.yaml"), yaml.as_bytes())
        .unwrap_or_else(|e| panic!("{yaml}\n{:#?}", e.diagnostics))
        .model
}

/// The plans of the corpus.
fn plans() -> Vec<PathBuf> {
    let mut plans = Vec::new();
    for dir in std::fs::read_dir("tests/import").unwrap() {
        let dir = dir.unwrap().path();
        if !dir
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("tf-")
        {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            if file.extension().is_some_and(|e| e == "json") {
                plans.push(file);
            }
        }
    }
    plans.sort();
    plans
}

/// Every managed resource of a plan's values, in every module.
fn resources(plan: &Value) -> Vec<&Value> {
    fn walk<'a>(module: &'a Value, out: &mut Vec<&'a Value>) {
        for r in module["resources"].as_array().into_iter().flatten() {
            if r["mode"] == "managed" {
                out.push(r);
            }
        }
        for child in module["child_modules"].as_array().into_iter().flatten() {
            walk(child, out);
        }
    }
    let values = if plan["planned_values"].is_object() {
        &plan["planned_values"]
    } else {
        &plan["values"]
    };
    let mut out = Vec::new();
    walk(&values["root_module"], &mut out);
    out
}

/// `Allow` statements of a policy written as JSON.
fn allow_statements(policy: &str) -> usize {
    let Ok(document) = serde_json::from_str::<Value>(policy) else {
        return 0;
    };
    let statements = match &document["Statement"] {
        Value::Array(items) => items.clone(),
        Value::Null => Vec::new(),
        one => vec![one.clone()],
    };
    statements
        .iter()
        .filter(|s| s["Effect"] == "Allow" && s["Action"] != Value::Null)
        .filter(|s| s["Resource"] != Value::Null)
        .count()
}

/// What a plan declares, counted from it: functions, stores, roles, the ways functions are
/// started, and the `Allow` statements of the roles' policies known at plan time.
fn declared(plan: &Value) -> (usize, usize, usize, usize, usize) {
    let all = resources(plan);
    let of = |kinds: &[&str]| {
        all.iter()
            .filter(|r| kinds.contains(&r["type"].as_str().unwrap_or("")))
            .count()
    };
    let functions = of(&["aws_lambda_function"]);
    let stores = of(&[
        "aws_s3_bucket",
        "aws_dynamodb_table",
        "aws_secretsmanager_secret",
    ]);
    let roles = of(&["aws_iam_role"]);
    let mut starts = of(&[
        "aws_lambda_event_source_mapping",
        "aws_lambda_function_url",
        "aws_apigatewayv2_route",
    ]);
    let mut statements = 0;
    for r in &all {
        let values = &r["values"];
        match r["type"].as_str().unwrap_or("") {
            "aws_sns_topic_subscription" if values["protocol"] == "lambda" => starts += 1,
            "aws_cloudwatch_event_target" => starts += 1,
            "aws_api_gateway_integration"
                if ["AWS_PROXY", "AWS"].contains(&values["type"].as_str().unwrap_or("")) =>
            {
                starts += 1;
            }
            "aws_s3_bucket_notification" => {
                for f in values["lambda_function"].as_array().into_iter().flatten() {
                    starts += f["events"].as_array().map_or(0, Vec::len);
                }
            }
            "aws_iam_role_policy" => {
                statements += allow_statements(values["policy"].as_str().unwrap_or(""));
            }
            "aws_iam_role" => {
                for p in values["inline_policy"].as_array().into_iter().flatten() {
                    statements += allow_statements(p["policy"].as_str().unwrap_or(""));
                }
            }
            _ => {}
        }
    }
    (functions, stores, roles, starts, statements)
}

#[test]
fn every_plan_of_the_corpus_imports_validates_and_analyses() {
    let plans = plans();
    assert!(plans.len() >= 7, "{plans:?}");
    for path in plans {
        let plan: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let result = imported(&path);
        let model = load(&result.yaml);
        let (functions, stores, roles, starts, statements) = declared(&plan);
        let name = path.display();
        assert_eq!(model.functions.len(), functions, "{name}: functions");
        assert_eq!(model.stores.len(), stores, "{name}: stores");
        assert_eq!(model.roles.len(), roles, "{name}: roles");
        // Every way of starting a function is a trigger, or a warning that says why not.
        let triggers: usize = model.functions.values().map(|f| f.triggers.len()).sum();
        let unmapped = result
            .warnings
            .iter()
            .filter(|w| {
                w.message.contains("is not in the template")
                    || w.message.contains("is not in the plan")
            })
            .count();
        assert!(
            triggers + unmapped >= starts,
            "{name}: {triggers} triggers and {unmapped} warnings for {starts} event sources"
        );
        // Every statement of a known policy is a permission (or said to be left out).
        let permissions: usize = model.roles.values().map(|r| r.permissions.len()).sum();
        let dropped = result
            .warnings
            .iter()
            .filter(|w| w.message.contains("left out"))
            .count();
        assert!(
            permissions + dropped >= statements,
            "{name}: {permissions} permissions for {statements} statements"
        );
        // Every resource is in the model, or counted as not.
        let mapped: usize = result.mapped.values().sum();
        let unmapped: usize = result.unmapped.values().sum();
        assert!(mapped + unmapped > 0, "{name}");
        for kind in result.unmapped.keys() {
            assert!(
                kind.starts_with("aws_") || kind.starts_with("random_") || kind == "null_resource",
                "{name}: {kind}"
            );
        }
        assert_eq!(
            import::detect(&tree(&path)),
            Some(Format::Terraform),
            "{name}"
        );
        let assessment = strider::assessment::analyze(&model);
        assert!(!assessment.threats.is_empty(), "{name}: no threat at all");
    }
}

fn tree(path: &Path) -> strider::model::yaml::Node {
    let mut sources = strider::model::diagnostic::Sources::default();
    let file = sources.add(path, std::fs::read_to_string(path).unwrap());
    strider::model::yaml::parse_as(
        &sources,
        file,
        strider::model::yaml::Dialect::CloudFormation,
    )
    .unwrap()
    .root
    .unwrap()
}

/// Links Terraform writes as references (through module outputs and variables, data sources),
/// as known ARNs and names, and as resources of their own, are the model's links.
#[test]
fn references_known_values_and_split_resources_become_links() {
    let result = imported(Path::new(ORDERS));
    let model = load(&result.yaml);
    let f = |id: &str| &model.functions[id];
    // `role = module.iam.role_arn`: the module's output, the role in the module.
    assert_eq!(f("api").role.as_deref(), Some("iam-this"));
    // The module's policy is an `aws_iam_policy_document` known only after apply, whose
    // resource is `var.table_arn`, given the table by the module call.
    let reads: Vec<&str> = f("api")
        .reads
        .iter()
        .map(strider::model::FlowRef::target)
        .collect();
    assert_eq!(reads, ["orders"]);
    // Code zipped by `data.archive_file` from `src/api`.
    assert_eq!(f("api").code.as_deref(), Some("src/api"));
    // HTTP API routes through their integration, with their authorization.
    // Two routes, and the load balancer below.
    assert_eq!(f("api").triggers.len(), 3);
    assert!(
        result
            .yaml
            .contains("method: GET\n        path: \"/orders/{id}\"\n        auth: jwt"),
        "{}",
        result.yaml
    );
    assert!(
        result
            .yaml
            .contains("method: POST\n        path: /orders\n        auth: none")
    );
    // A stream mapping to `aws_dynamodb_table.orders.stream_arn`.
    assert_eq!(
        f("stream").triggers[0].source.as_deref(),
        Some("orders-stream")
    );
    // A bucket notification (its own resource) with its key filter.
    let s3 = &f("thumbnail").triggers[0];
    assert_eq!(s3.source.as_deref(), Some("uploads"));
    assert_eq!(s3.prefix.as_deref(), Some("incoming/"));
    assert_eq!(s3.suffix.as_deref(), Some(".jpg"));
    // A Cognito trigger configured as a reference.
    assert_eq!(f("presignup").triggers[0].source.as_deref(), Some("users"));
    // Known ARNs: the mapping's queue, and the queue's redrive target.
    assert_eq!(f("worker").triggers[0].source.as_deref(), Some("jobs-high"));
    assert_eq!(model.channels["jobs-high"].dlq.as_deref(), Some("dlq"));
    // The worker writes thumbnails under their own prefix (not where uploads trigger the
    // thumbnail function), and consumes its queue without writing to it: no loop.
    let worker_writes = format!("{:?}", f("worker").writes);
    assert!(worker_writes.contains("thumbnails/*"), "{worker_writes}");
    let loops: Vec<String> = strider::assessment::analyze(&model)
        .threats
        .into_iter()
        .map(|t| t.id)
        .filter(|id| id.starts_with("STR-010@"))
        .collect();
    assert!(loops.is_empty(), "{loops:?}");
    // A state machine whose definition's Task names the worker's ARN invokes it.
    assert!(
        f("worker")
            .triggers
            .iter()
            .any(|t| t.source.as_deref() == Some("flow"))
    );
    // A public load balancer whose HTTPS listener forwards to a Lambda target group.
    assert!(
        f("api")
            .triggers
            .iter()
            .any(|t| t.source.as_deref() == Some("web"))
    );
    assert!(model.channels["web"].public);
    assert_eq!(model.channels["web"].tls, Some(true));
    // The log group of the function, by its name.
    assert_eq!(f("api").logging.as_ref().unwrap().retention_days, Some(30));
    // A public access block restricting the bucket overrides its public policy; a public-read
    // ACL without one lets anyone list the bucket.
    assert!(!model.stores["uploads"].public.any());
    assert!(model.stores["site"].public.list);
    // Website hosting configured in a resource of its own.
    assert_eq!(model.stores["site"].website, Some(true));
    assert_eq!(model.stores["uploads"].website, None);
    // Each element says where in the plan it came from.
    assert!(
        result
            .yaml
            .contains("source: \"orders.plan.json#module.iam.aws_iam_role.this\"")
    );
    pool_bucket_and_api_settings(&model);
}

/// Settings Terraform splits off or writes in blocks: a pool's password policy and schema with
/// its client's flows and write attributes, a bucket's ownership controls and CORS (a resource
/// of its own, or the provider v3 block), an HTTP API's CORS, stages' access logs.
fn pool_bucket_and_api_settings(model: &strider::model::Model) {
    use strider::model::{AuthFlow, Cors};
    let cors = |origins: &[&str], methods: &[&str], credentials: bool| Cors {
        origins: origins.iter().map(|o| (*o).to_owned()).collect(),
        methods: methods.iter().map(|m| (*m).to_owned()).collect(),
        credentials,
    };
    let pool = &model.channels["users"];
    let policy = pool.password_policy.unwrap();
    assert_eq!((policy.min_length, policy.classes()), (6, 1));
    assert!(policy.require_numbers);
    // `write_attributes` of the client (`user_pool_id` known after apply, by reference).
    let attributes: Vec<(&str, bool)> = pool
        .attributes
        .iter()
        .map(|a| (a.name.as_str(), a.writable))
        .collect();
    assert_eq!(
        attributes,
        [
            ("email", true),
            ("custom:tenant", true),
            ("custom:role", false)
        ]
    );
    assert_eq!(
        pool.auth_flows,
        [
            AuthFlow::Implicit,
            AuthFlow::RefreshToken,
            AuthFlow::UserPassword
        ]
    );
    // Block Public Access on, ownership enforced, CORS from its own resource (which names the
    // bucket only by reference).
    let uploads = &model.stores["uploads"];
    assert_eq!(uploads.public_access_block, Some(true));
    assert_eq!(uploads.acls, Some(false));
    assert_eq!(
        uploads.cors,
        Some(cors(&["https://shop.example.com"], &["PUT", "POST"], false))
    );
    // A `public-read` ACL needs object ACLs; no public access block: unsaid.
    let site = &model.stores["site"];
    assert_eq!((site.public_access_block, site.acls), (None, Some(true)));
    assert_eq!(site.cors, Some(cors(&["*"], &["GET", "HEAD"], false)));
    // The HTTP API's `cors_configuration`; its stage logs to a log group of the plan (known
    // after apply), the REST API's stage to a known ARN.
    let http = &model.channels["http"];
    assert_eq!(
        http.cors,
        Some(cors(&["https://shop.example.com"], &["GET", "POST"], true))
    );
    assert_eq!(http.access_logs, Some(true));
    assert_eq!(model.channels["admin"].access_logs, Some(true));
}

/// What Terraform marks sensitive is never copied into the model: an environment variable
/// holding it is a secret of the environment.
#[test]
fn sensitive_values_never_reach_the_model() {
    let result = imported(Path::new(ORDERS));
    assert!(!result.yaml.contains("hunter2"), "{}", result.yaml);
    let model = load(&result.yaml);
    assert!(model.functions["api"].secrets.contains_key("DB_PASSWORD"));
    assert!(!model.functions["api"].env.contains_key("DB_PASSWORD"));
    // A real plan with a password in clear text under `sensitive_values`.
    let path = Path::new("tests/import/tf-compliance-eventbridge-plan/plan.out.json");
    let plan = std::fs::read_to_string(path).unwrap();
    let yaml = imported(path).yaml;
    let plan: Value = serde_json::from_str(&plan).unwrap();
    for r in resources(&plan) {
        for (key, marked) in r["sensitive_values"].as_object().into_iter().flatten() {
            if marked == &Value::Bool(true)
                && let Some(value) = r["values"][key].as_str()
                && value.len() > 3
            {
                assert!(!yaml.contains(value), "{key} of {} leaked", r["address"]);
            }
        }
    }
}

/// Known issues of the real plans (their SOURCE.md) are found once imported.
#[test]
fn known_issues_of_real_plans_are_found() {
    for (plan, threat) in [
        // `access_key`/`secret_key` in the function's environment.
        (
            "tf-terragoat-plan/tfplan.json",
            "STR-005@analysis-lambda/secret_key",
        ),
        // `acl = "public-read"` on the data bucket.
        ("tf-terragoat-plan/tfplan.json", "STR-007@data"),
        // A bucket policy allowing `Principal: {AWS: "*"}`.
        (
            "tf-iam-validator-public-access-plan/test_plan.json",
            "STR-007@example-s3-bucket",
        ),
        // `authorization = "NONE"` on the method the Lambda integration serves.
        (
            "tf-sam-cli-apigw-v1-plan/custom-plan.json",
            "STR-001@hello-world-function/my-demo-api",
        ),
        // nodejs12.x.
        (
            "tf-cds-opa-checks-plan/test.json",
            "STR-011@test-lambda-with-bad-runtime",
        ),
        // The queue a function consumes has a dead-letter queue: no STR-021 for it (below);
        // the hand-written plan's other queue has none.
        (
            "../fixtures/import/terraform/orders.plan.json",
            "STR-021@jobs-low",
        ),
    ] {
        let path = Path::new("tests/import").join(plan);
        let model = load(&imported(&path).yaml);
        let assessment = strider::assessment::analyze(&model);
        let ids: Vec<&str> = assessment.threats.iter().map(|t| t.id.as_str()).collect();
        assert!(ids.contains(&threat), "{plan}: {threat} not in {ids:#?}");
    }
    let model = load(&imported(Path::new("tests/import/tf-overmind-example-plan/plan.json")).yaml);
    let ids: BTreeSet<String> = strider::assessment::analyze(&model)
        .threats
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert!(
        !ids.iter()
            .any(|id| id.starts_with("STR-021@") && id.contains("image-processing-queue")),
        "{ids:#?}"
    );
}

/// Nested modules: each function's role is its own module's, references inside a module are
/// to that module's resources.
#[test]
fn module_references_stay_in_their_module() {
    let path = Path::new("tests/import/tf-sam-cli-nested-modules-plan/custom-plan.json");
    let model = load(&imported(path).yaml);
    assert_eq!(model.functions.len(), 5);
    let roles: BTreeSet<Option<String>> =
        model.functions.values().map(|f| f.role.clone()).collect();
    // The root's role, and one per module (the modules each declare `aws_iam_role.iam_for_lambda`).
    assert_eq!(roles.len(), 3, "{roles:?}");
    assert!(!roles.contains(&None));
    // Overmind: an SQS mapping in a module two levels down, with its dead-letter queue.
    let path = Path::new("tests/import/tf-overmind-example-plan/plan.json");
    let model = load(&imported(path).yaml);
    let processor = &model.functions["heritage-message-size-breach-image-processor"];
    assert_eq!(
        processor.triggers[0].source.as_deref(),
        Some("heritage-message-size-breach-image-processing-queue")
    );
    assert_eq!(
        model.channels["heritage-message-size-breach-image-processing-queue"]
            .dlq
            .as_deref(),
        Some("heritage-message-size-breach-image-processing-dlq")
    );
}

#[test]
fn the_imported_plan_reads_well() {
    let result = imported(Path::new(
        "tests/import/tf-sam-cli-apigw-v1-plan/custom-plan.json",
    ));
    insta::assert_snapshot!("sam_cli_apigw_plan", result.yaml);
}

/// A random plan: resources of random types and names (from a wide alphabet), with values and
/// references that may name each other, or nothing.
fn plan() -> impl Strategy<Value = String> {
    const TYPES: [&str; 18] = [
        "aws_lambda_function",
        "aws_iam_role",
        "aws_iam_role_policy",
        "aws_s3_bucket",
        "aws_s3_bucket_notification",
        "aws_sqs_queue",
        "aws_lambda_event_source_mapping",
        "aws_apigatewayv2_route",
        "aws_cognito_user_pool",
        "aws_cloudwatch_log_group",
        "aws_instance",
        "aws_iam_policy_document",
        "aws_cognito_user_pool_client",
        "aws_s3_bucket_ownership_controls",
        "aws_s3_bucket_cors_configuration",
        "aws_apigatewayv2_api",
        "aws_api_gateway_stage",
        "aws_apigatewayv2_stage",
    ];
    let text = "[a-zA-Z0-9 :/*{}\\[\\]\\-_.$\"'\\\\\n\u{202e}é]{0,12}";
    let resource = (
        0..TYPES.len(),
        text,
        text,
        prop::collection::vec((0..8usize, text), 0..3),
        any::<bool>(),
    );
    prop::collection::vec(resource, 1..8).prop_map(|resources| {
        let names: Vec<String> = resources.iter().map(|r| r.1.clone()).collect();
        let mut values = Vec::new();
        let mut config = Vec::new();
        for (i, (kind, name, value, refs, nested)) in resources.iter().enumerate() {
            let kind = TYPES[*kind];
            let address = format!("{kind}.{name}");
            let refs: Vec<String> = refs
                .iter()
                .map(|(to, attr)| {
                    let target = names.get(*to).map_or("nothing", String::as_str);
                    format!("{}.{target}.{attr}", TYPES[(i + to) % TYPES.len()])
                })
                .collect();
            values.push(json!({
                "address": address, "mode": if kind.ends_with("_document") { "data" } else { "managed" },
                "type": kind, "name": name,
                "values": {
                    "function_name": value, "name": value, "bucket": value, "arn": format!("arn:aws:s3:::{value}"),
                    "policy": value, "role": value, "handler": value, "runtime": value,
                    "environment": [{"variables": {value.clone(): value}}],
                    "lambda_function": [{"events": [value], "lambda_function_arn": value}],
                    "route_key": value, "redrive_policy": value, "timeout": if *nested { json!(-1) } else { json!(value) },
                    "lambda_config": [{"pre_sign_up": value}],
                    "password_policy": [{"minimum_length": if *nested { json!(-1) } else { json!(value) }, "require_symbols": value}],
                    "schema": [{"name": value, "mutable": nested}, {"name": value}],
                    "user_pool_id": value, "write_attributes": [value], "explicit_auth_flows": [value],
                    "rule": [{"object_ownership": value}],
                    "cors_rule": [{"allowed_origins": [value], "allowed_methods": [value]}],
                    "cors_configuration": [{"allow_origins": [value], "allow_credentials": nested}],
                    "access_log_settings": [{"destination_arn": value}],
                },
                "sensitive_values": if *nested { json!({"environment": [{"variables": {value.clone(): true}}]}) } else { json!(true) },
            }));
            config.push(json!({
                "address": address, "type": kind, "name": name,
                "expressions": {
                    "role": {"references": refs}, "function_name": {"references": refs},
                    "policy": {"references": refs}, "target": {"references": refs},
                    "statement": [{"actions": {"constant_value": [value]}, "resources": {"references": refs}}],
                    "filename": {"references": refs},
                    "bucket": {"references": refs}, "user_pool_id": {"references": refs},
                    "api_id": {"references": refs}, "rest_api_id": {"references": refs},
                    "access_log_settings": [{"destination_arn": {"references": refs}}],
                },
            }));
        }
        json!({
            "format_version": "1.2",
            "planned_values": {"root_module": {"resources": values,
                "child_modules": [{"address": "module.m", "resources": []}]}},
            "configuration": {"root_module": {"resources": config,
                "module_calls": {"m": {"expressions": {}, "module": {"outputs": {}}}}}},
        })
        .to_string()
        // As `terraform show -json` may: characters outside ASCII escaped.
        .chars()
        .map(|c| if c.is_ascii() { c.to_string() } else { format!("\\u{:04x}", u32::from(c)) })
        .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// Whatever the plan, the import ends in a model that validates, or in a clear error (a
    /// plan without functions); never in a panic.
    #[test]
    fn generated_plans_import_to_valid_models(text in plan()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.json");
        std::fs::write(&path, &text).unwrap();
        match import::import(std::slice::from_ref(&path), None, dir.path()) {
            Ok(result) => {
                let loaded = strider::model::load_bytes(Path::new("m.yaml"), result.yaml.as_bytes());
                prop_assert!(loaded.is_ok(), "{}\n{:#?}", result.yaml, loaded.err().map(|e| e.diagnostics));
            }
            Err(error) => {
                prop_assert!(
                    error.diagnostics.iter().all(|d| d.message.contains("no Lambda function")),
                    "{:#?}", error.diagnostics
                );
            }
        }
    }
}

/// `terraform show -json` of a state holds `values` where a plan holds `planned_values`: the
/// same resources import to the same model.
#[test]
fn a_state_imports_like_the_plan_of_it() {
    let plan = Path::new("tests/import/tf-sam-cli-nested-modules-plan/custom-plan.json");
    let text = std::fs::read_to_string(plan).unwrap();
    let mut state: Value = serde_json::from_str(&text).unwrap();
    let values = state["planned_values"].take();
    let object = state.as_object_mut().unwrap();
    object.remove("planned_values");
    object.remove("resource_changes");
    object.insert("values".to_owned(), values);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("custom-plan.json");
    std::fs::write(&path, serde_json::to_string(&state).unwrap()).unwrap();
    let from_state = load(&imported(&path).yaml);
    let from_plan = load(&imported(plan).yaml);
    assert_eq!(from_state.functions.len(), 5);
    assert_eq!(
        from_state.functions.keys().collect::<Vec<_>>(),
        from_plan.functions.keys().collect::<Vec<_>>()
    );
    assert_eq!(from_state.roles.len(), from_plan.roles.len());
}

/// A plan (minified, as Terraform writes it) built from resources, configurations and module
/// calls given as JSON text.
fn plan_text(resources: &str, config: &str, calls: &str) -> String {
    format!(
        r#"{{"format_version":"1.2","planned_values":{{"root_module":{{"resources":[{resources}],"child_modules":[{{"address":"module.m","resources":[{{"address":"module.m.aws_lambda_function.f","mode":"managed","type":"aws_lambda_function","name":"f","values":{{"function_name":"mf","handler":"h.h","runtime":"python3.12"}}}}]}}]}}}},"configuration":{{"root_module":{{"resources":[{config}],"module_calls":{{"m":{calls}}}}}}}}}"#
    )
}

fn import_text(text: &str) -> (import::Imported, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(&path, text).unwrap();
    (imported(&path), dir)
}

/// Hostile plans found by review: references that loop through module variables and outputs
/// with a wide fan-out (4^16 paths), policy documents that include each other pairwise twenty
/// levels deep (2^20 copies), a bucket whose policy's id another bucket takes, a code directory
/// outside the plan's. Each is resolved once, bounded, and right.
#[test]
fn hostile_plans_stay_bounded_and_right() {
    let four = r#"["module.m.a","module.m.b","module.m.c","module.m.d"]"#;
    let vars = r#"["var.w","var.x","var.y","var.z"]"#;
    let calls = format!(
        r#"{{"expressions":{{"w":{{"references":{four}}},"x":{{"references":{four}}},"y":{{"references":{four}}},"z":{{"references":{four}}}}},"module":{{"outputs":{{"a":{{"expression":{{"references":{vars}}}}},"b":{{"expression":{{"references":{vars}}}}},"c":{{"expression":{{"references":{vars}}}}},"d":{{"expression":{{"references":{vars}}}}}}},"resources":[{{"address":"aws_lambda_function.f","type":"aws_lambda_function","name":"f","expressions":{{"role":{{"references":["var.x"]}}}}}}]}}}}"#
    );
    let (result, _dir) = import_text(&plan_text("", "", &calls));
    assert!(load(&result.yaml).functions["m-f"].role.is_none());

    // Documents d0a/d0b … d19a/d19b, each including both of the next level.
    let mut data = Vec::new();
    let mut config = Vec::new();
    for level in 0..20 {
        for side in ["a", "b"] {
            let name = format!("d{level}{side}");
            data.push(format!(r#"{{"address":"data.aws_iam_policy_document.{name}","mode":"data","type":"aws_iam_policy_document","name":"{name}","values":{{}}}}"#));
            let next = level + 1;
            config.push(format!(r#"{{"address":"data.aws_iam_policy_document.{name}","mode":"data","type":"aws_iam_policy_document","name":"{name}","expressions":{{"source_policy_documents":{{"references":["data.aws_iam_policy_document.d{next}a.json","data.aws_iam_policy_document.d{next}b.json"]}},"statement":[{{"actions":{{"constant_value":["s3:GetObject"]}},"resources":{{"constant_value":["*"]}}}}]}}}}"#));
        }
    }
    data.push(r#"{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","values":{"name":"r"}}"#.to_owned());
    config.push(r#"{"address":"aws_iam_role.r","mode":"managed","type":"aws_iam_role","name":"r","expressions":{"assume_role_policy":{"references":["data.aws_iam_policy_document.d0a.json"]}}}"#.to_owned());
    let text = plan_text(
        &data.join(","),
        &config.join(","),
        r#"{"expressions":{},"module":{}}"#,
    );
    let (result, _dir) = import_text(&text);
    assert!(load(&result.yaml).roles.contains_key("r"));

    // `aws_s3_bucket.site` with a public policy on itself, and a bucket named `site_policy`.
    let buckets = r#"{"address":"aws_s3_bucket.site","mode":"managed","type":"aws_s3_bucket","name":"site","values":{"bucket":"site-bucket","policy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::site-bucket/*\"}]}"}},{"address":"aws_s3_bucket.site_policy","mode":"managed","type":"aws_s3_bucket","name":"site_policy","values":{"bucket":"private"}}"#;
    let (result, _dir) = import_text(&plan_text(buckets, "", r#"{"expressions":{},"module":{}}"#));
    let model = load(&result.yaml);
    assert!(model.stores["site"].public.read);
    assert!(!model.stores["site-policy"].public.any());

    // Code zipped from outside the plan's directory is not the function's code.
    let code = r#"{"address":"data.archive_file.z","mode":"data","type":"archive_file","name":"z","expressions":{"source_dir":{"constant_value":"src/../../../etc"}}},{"address":"aws_lambda_function.g","mode":"managed","type":"aws_lambda_function","name":"g","expressions":{"filename":{"references":["data.archive_file.z.output_path"]}}}"#;
    let function = r#"{"address":"aws_lambda_function.g","mode":"managed","type":"aws_lambda_function","name":"g","values":{"function_name":"g","handler":"h.h","runtime":"python3.12"}}"#;
    let (result, _dir) = import_text(&plan_text(
        function,
        code,
        r#"{"expressions":{},"module":{}}"#,
    ));
    assert!(load(&result.yaml).functions["g"].code.is_none());
}

/// A plan's values (secrets among them, marked sensitive or not) never appear in what
/// `strider import` prints: the source lines diagnostics quote are blanked where values stand.
#[test]
fn diagnostics_quote_no_value_of_the_plan() {
    let secret = "S3cr3t-hunter2-LEAK";
    let resources = format!(
        r#"{{"address":"aws_ssm_parameter.db","mode":"managed","type":"aws_ssm_parameter","name":"db","values":{{"name":"/db/pw","type":"SecureString","value":"{secret}"}},"sensitive_values":{{"value":true}}}},{{"address":"aws_lambda_function.f","mode":"managed","type":"aws_lambda_function","name":"f","values":{{"function_name":"f","handler":"app.handler","runtime":"python3.12","environment":[{{"variables":{{"TOKEN":"{secret}"}}}}]}}}}"#
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plan.json");
    std::fs::write(
        &path,
        plan_text(&resources, "", r#"{"expressions":{},"module":{}}"#),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_strider"))
        .args(["import", path.to_str().unwrap(), "-o"])
        .arg(dir.path().join("model.yaml"))
        .args(["--max-errors", "0"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("aws_ssm_parameter.db"), "{stderr}");
    assert!(stderr.contains("1 │"), "a snippet is shown: {stderr}");
    assert!(!stderr.contains("hunter2"), "{stderr}");
    let model = std::fs::read_to_string(dir.path().join("model.yaml")).unwrap();
    assert!(!model.contains("hunter2"), "{model}");
}
