//! `strider import`: SAM and CloudFormation templates become models that validate, that say what
//! the template says (every function, event and store accounted for, counted from the template
//! itself), that carry hostile template strings safely, and whose analysis finds the known
//! issues of the template. Generated templates never make it panic.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

// In this binary rather than their own: every test binary links all of strider, and CI has two
// cores.
#[path = "import_more/drift.rs"]
mod drift;
#[path = "import_more/terraform.rs"]
mod terraform;
#[path = "import_more/update.rs"]
mod update;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use strider::import::{self, Format};
use strider::model::diagnostic::Sources;
use strider::model::yaml::{Dialect, Node, Value, parse_as};

const ORDERS: &str = "tests/fixtures/import/orders-sam.yaml";

/// `text` as a double-quoted YAML (and JSON) string with every character outside printable
/// ASCII escaped: a template may hold any string, written escaped.
fn quoted(text: &str) -> String {
    let mut out = String::from('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            ' '..='~' => out.push(c),
            c if u32::from(c) <= 0xffff => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push_str(&format!("\\U{:08x}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

fn imported(paths: &[&Path]) -> import::Imported {
    let paths: Vec<PathBuf> = paths.iter().map(|p| p.to_path_buf()).collect();
    // As `strider import` writes a model beside the first template.
    let dir = paths[0].parent().unwrap();
    import::import(&paths, None, dir).unwrap_or_else(|e| panic!("{:#?}", e.diagnostics))
}

fn load(yaml: &str) -> strider::model::Model {
    strider::model::load_bytes(Path::new("imported.yaml"), yaml.as_bytes())
        .unwrap_or_else(|e| panic!("{yaml}\n{:#?}", e.diagnostics))
        .model
}

/// A template file's tree, read as the importer reads it.
fn tree(path: &Path) -> Node {
    let mut sources = Sources::default();
    let file = sources.add(path, std::fs::read_to_string(path).unwrap());
    parse_as(&sources, file, Dialect::CloudFormation)
        .unwrap()
        .root
        .unwrap()
}

fn entries(node: &Node) -> Vec<(&str, &Node)> {
    match &node.value {
        Value::Mapping(entries) => entries.iter().map(|(k, v)| (k.text.as_str(), v)).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn a_sam_template_becomes_a_model_whose_analysis_finds_its_known_issues() {
    let out = tempfile::tempdir().unwrap();
    let model = out.path().join("model.yaml");
    let run = common::run(&["import", ORDERS, "-o", model.to_str().unwrap()]);
    assert!(run.status.success(), "{}", common::text(&run));
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(
        stderr.contains("imported 9 channels, 4 functions, 2 stores"),
        "{stderr}"
    );
    assert!(stderr.contains("AWS::CloudWatch::Dashboard"), "{stderr}");
    // The SAM policy template is the function's, expanded by strider's catalogue.
    assert!(!stderr.contains("DynamoDBCrudPolicy"), "{stderr}");
    let validate = common::run(&["validate", model.to_str().unwrap()]);
    assert!(validate.status.success(), "{}", common::text(&validate));

    let analyze = common::run(&["analyze", model.to_str().unwrap(), "--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&analyze.stdout).unwrap();
    let threats: BTreeSet<&str> = json["threats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    for known in [
        // The status route opts out of the API's Cognito authorizer.
        "STR-001@place-order-function/orders-api:GET:/orders/{id}/status",
        // `Action: '*'` on `Resource: '*'`.
        "STR-003@fulfil-order-function/*@*",
        // A bucket policy granting s3:GetObject to everyone.
        "STR-007@export-bucket",
        // A queue consumed by a function, with no redrive policy.
        "STR-021@orders-queue",
        // A function URL with AuthType NONE.
        "STR-001@thumbnail-function/thumbnail-function-url",
    ] {
        assert!(threats.contains(known), "{known} not in {threats:#?}");
    }
    // The order route is behind the API's default Cognito authorizer.
    assert!(!threats.contains("STR-001@place-order-function/orders-api:POST:/orders"));
}

#[test]
fn what_the_template_says_is_in_the_model() {
    let model = load(&imported(&[Path::new(ORDERS)]).yaml);
    let place = &model.functions["place-order-function"];
    assert_eq!(place.runtime, "python3.12", "from Globals");
    assert_eq!((place.timeout_s, place.memory_mb), (Some(10), Some(256)));
    assert_eq!(place.reserved_concurrency, Some(20));
    // Globals' variables merged with the function's, as SAM does.
    assert_eq!(place.env["STAGE"], "prod");
    assert_eq!(place.env["TABLE_NAME"], "orders-table");
    // A secret-looking variable is a secret, and its value is not copied into the model.
    assert!(place.secrets.contains_key("PAYMENT_API_KEY"));
    assert!(!place.env.contains_key("PAYMENT_API_KEY"));
    // What SAM's role for the function holds is the function's own: no role element.
    assert!(place.role.is_none() && model.roles.is_empty());
    assert!(
        place
            .managed_policies
            .iter()
            .any(|p| p == "AWSLambdaBasicExecutionRole")
    );
    assert_eq!(
        place.policy_templates[0].template().map(|(name, _)| name),
        Some("DynamoDBCrudPolicy")
    );
    assert_eq!(
        place
            .writes
            .iter()
            .map(strider::model::FlowRef::target)
            .collect::<Vec<_>>(),
        ["orders-queue", "orders-table"]
    );
    let export = &model.functions["export-function"];
    assert_eq!(export.boundary, "vpc");
    // The stack invokes it for its custom resource.
    assert!(
        export
            .triggers
            .iter()
            .any(|t| t.kind == strider::model::TriggerKind::CustomResource && t.source.is_none())
    );
    assert_eq!(export.on_failure.as_deref(), Some("export-dlq"));
    assert_eq!(export.logging.as_ref().unwrap().retention_days, Some(14));
    assert!(
        export
            .triggers
            .iter()
            .any(|t| t.source.as_deref() == Some("orders-table-stream"))
    );
    assert_eq!(
        model.channels["orders-table-stream"].table.as_deref(),
        Some("orders-table")
    );
    assert!(model.stores["export-bucket"].public.read);
    assert_eq!(model.stores["export-bucket"].website, Some(true));
    // The orders table's items expire, and it is billed per request.
    let orders = &model.stores["orders-table"];
    assert_eq!(orders.ttl, Some(true));
    assert_eq!(orders.capacity, Some(strider::model::Capacity::OnDemand));
    assert!(
        !model.functions.contains_key("dev-only-function"),
        "its condition is false"
    );
    bucket_pool_and_api_settings(&model);
}

/// The settings of the fixture's bucket, user pool and APIs that rules read.
fn bucket_pool_and_api_settings(model: &strider::model::Model) {
    use strider::model::{AuthFlow, Cors, PasswordPolicy};
    let cors = |origins: &[&str], methods: &[&str], credentials: bool| Cors {
        origins: origins.iter().map(|o| (*o).to_owned()).collect(),
        methods: methods.iter().map(|m| (*m).to_owned()).collect(),
        credentials,
    };
    // Two of the four Block Public Access settings off; object ACLs on (`ObjectWriter`); the
    // origins and methods of both CORS rules.
    let export = &model.stores["export-bucket"];
    assert_eq!(export.public_access_block, Some(false));
    assert_eq!(export.acls, Some(true));
    assert_eq!(
        export.cors,
        Some(cors(
            &["*", "https://admin.example.com"],
            &["GET", "PUT"],
            false
        ))
    );
    // A bucket the template says nothing of keeps S3's defaults (unsaid).
    let table = &model.stores["orders-table"];
    assert_eq!((table.public_access_block, table.acls), (None, None));

    let pool = &model.channels["user-pool"];
    // The requirements the policy leaves out are off.
    assert_eq!(
        pool.password_policy,
        Some(PasswordPolicy {
            min_length: 8,
            require_lowercase: true,
            require_uppercase: false,
            require_numbers: true,
            require_symbols: false,
        })
    );
    // Custom attributes by their token names; writable when mutable and some client lets users
    // write it (`custom:plan` is mutable but no client names it).
    let attributes: Vec<(&str, bool, bool)> = pool
        .attributes
        .iter()
        .map(|a| (a.name.as_str(), a.writable, a.authorizes))
        .collect();
    assert_eq!(
        attributes,
        [
            ("email", true, false),
            ("custom:tenant_id", false, false),
            ("custom:is_admin", true, false),
            ("custom:plan", false, false),
        ]
    );
    // Both clients' flows (the legacy `ADMIN_NO_SRP_AUTH`, the OAuth implicit grant), sorted.
    assert_eq!(
        pool.auth_flows,
        [
            AuthFlow::AdminUserPassword,
            AuthFlow::Implicit,
            AuthFlow::RefreshToken,
            AuthFlow::UserSrp,
        ]
    );

    // The REST API's own `Cors` (quotes removed) and access log setting.
    let api = &model.channels["orders-api"];
    assert_eq!(
        api.cors,
        Some(cors(&["https://shop.example.com"], &["GET", "POST"], true))
    );
    assert_eq!(api.access_logs, Some(true));
    // The HTTP API SAM creates for the thumbnails route: `Globals.HttpApi.CorsConfiguration:
    // true`, and no access log settings anywhere.
    let http = &model.channels["serverless-http-api"];
    assert_eq!(http.cors, Some(cors(&["*"], &[], false)));
    assert_eq!(http.access_logs, Some(false));
    // A function URL's `Cors`; function URLs have no access logs.
    let url = &model.channels["thumbnail-function-url"];
    assert_eq!(
        url.cors,
        Some(cors(&["https://shop.example.com"], &["GET"], false))
    );
    assert_eq!(url.access_logs, None);
}

/// Counts from the template: functions that exist with the parameters' defaults, their events,
/// their function URLs, and the stores (buckets, tables, secrets).
#[test]
fn every_function_event_and_store_of_the_template_is_accounted_for() {
    let root = tree(Path::new(ORDERS));
    let resources = entries(root.get("Resources").unwrap());
    let conditional = |r: &Node| r.get("Condition").is_some();
    let functions: Vec<&Node> = resources
        .iter()
        .filter(|(_, r)| {
            r.get("Type").and_then(Node::as_scalar) == Some("AWS::Serverless::Function")
        })
        .map(|(_, r)| *r)
        .filter(|r| !conditional(r))
        .collect();
    let events: usize = functions
        .iter()
        .map(|f| {
            let props = f.get("Properties").unwrap();
            props.get("Events").map_or(0, |e| entries(e).len())
                + usize::from(props.get("FunctionUrlConfig").is_some())
        })
        .sum();
    let stores = resources
        .iter()
        .filter(|(_, r)| {
            matches!(
                r.get("Type").and_then(Node::as_scalar),
                Some("AWS::S3::Bucket" | "AWS::DynamoDB::Table" | "AWS::SecretsManager::Secret")
            )
        })
        .count();
    // Custom resources whose service token is a function of the template start it.
    let custom = resources
        .iter()
        .filter(|(_, r)| {
            r.get("Type")
                .and_then(Node::as_scalar)
                .is_some_and(|t| t.starts_with("Custom::"))
        })
        .count();
    let model = load(&imported(&[Path::new(ORDERS)]).yaml);
    assert_eq!(model.functions.len(), functions.len());
    let triggers: usize = model.functions.values().map(|f| f.triggers.len()).sum();
    assert_eq!(triggers, events + custom);
    assert_eq!(model.stores.len(), stores);
}

/// The JSON form of a template (what `cdk synth` writes) imports exactly as its YAML form.
#[test]
fn json_templates_import_like_yaml_ones() {
    fn json(node: &Node) -> serde_json::Value {
        match &node.value {
            Value::Scalar { text, plain } => {
                if *plain && let Ok(n) = text.parse::<i64>() {
                    return serde_json::json!(n);
                }
                serde_json::Value::String(text.clone())
            }
            Value::Sequence(items) => items.iter().map(json).collect(),
            Value::Mapping(entries) => entries
                .iter()
                .map(|(k, v)| (k.text.clone(), json(v)))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let as_json = dir.path().join("orders-sam.yaml");
    std::fs::write(
        &as_json,
        serde_json::to_string_pretty(&json(&tree(Path::new(ORDERS)))).unwrap(),
    )
    .unwrap();
    // JSON objects come sorted, so elements and events in another order: compare what they
    // say, not where.
    let normal = |mut model: strider::model::Model| {
        model.locations.clear();
        for s in model.stores.values_mut() {
            s.source = None;
        }
        for c in model.channels.values_mut() {
            c.source = None;
        }
        for f in model.functions.values_mut() {
            f.source = None;
            f.triggers.sort_by_key(|t| format!("{t:?}"));
        }
        model
    };
    let from_yaml = normal(load(&imported(&[Path::new(ORDERS)]).yaml));
    let from_json = normal(load(&imported(&[&as_json]).yaml));
    assert_eq!(from_yaml, from_json);
}

#[test]
fn hostile_template_strings_reach_the_model_as_data() {
    let nasty = [
        "line\nfunctions:\n  evil: {runtime: x}",
        "\u{202e}reversed",
        "bell\u{7}",
        "next\u{85}line",
        "'quote\" and \\ back",
        "# not a comment",
        "x {{resolve:ssm:/x}} &anchor *alias !Ref x",
    ];
    let mut template = String::from(
        "Transform: AWS::Serverless-2016-10-31\nResources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.h\n      Environment:\n        Variables:\n",
    );
    for (i, value) in nasty.iter().enumerate() {
        template.push_str(&format!("          V{i}: {}\n", quoted(value)));
    }
    template.push_str("      Events:\n        Get:\n          Type: HttpApi\n          Properties:\n            Path: \"/a\\nb\\u202e\"\n            Method: get\n");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.yaml");
    std::fs::write(&path, &template).unwrap();
    let result = imported(&[&path]);
    assert!(
        !result
            .yaml
            .chars()
            .any(|c| c.is_control() && c != '\n' || ('\u{2000}'..='\u{206f}').contains(&c)),
        "{}",
        result.yaml
    );
    let model = load(&result.yaml);
    let f = &model.functions["fn"];
    for (i, value) in nasty.iter().enumerate() {
        assert_eq!(f.env[&format!("V{i}")], *value);
    }
    assert_eq!(model.functions.len(), 1, "no element injected");
    assert_eq!(f.triggers[0].path.as_deref(), Some("/a\nb\u{202e}"));
    // The terminal summary and warnings are escaped.
    let run = common::run(&["import", path.to_str().unwrap()]);
    assert!(run.status.success());
    assert!(!String::from_utf8_lossy(&run.stderr).contains('\u{202e}'));
}

#[test]
fn an_existing_file_is_not_replaced_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.yaml");
    std::fs::write(&out, "mine").unwrap();
    let run = common::run(&["import", ORDERS, "-o", out.to_str().unwrap()]);
    assert_eq!(run.status.code(), Some(2));
    assert!(common::text(&run).contains("--force"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "mine");
    let run = common::run(&["import", ORDERS, "-o", out.to_str().unwrap(), "--force"]);
    assert!(run.status.success());
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("place-order-function")
    );
}

#[test]
fn what_is_no_template_gets_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        (
            "model.yaml",
            "strider: 1\nfunctions: {}\n",
            "no `Resources`",
        ),
        ("empty.yaml", "", "empty"),
        ("broken.yaml", "Resources: [\n", "malformed YAML"),
        (
            "bomb.yaml",
            "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\nResources: {}\n",
            "aliases",
        ),
        (
            "nofunction.yaml",
            "Resources:\n  B: {Type: AWS::S3::Bucket}\n",
            "no Lambda function",
        ),
        (
            "tag.yaml",
            "Resources: !Foo x\n",
            "not supported in a CloudFormation template",
        ),
    ];
    for (name, text, expected) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        let run = common::run(&["import", path.to_str().unwrap()]);
        assert_eq!(run.status.code(), Some(2), "{name}: {}", common::text(&run));
        assert!(
            common::text(&run).contains(expected),
            "{name}: {}",
            common::text(&run)
        );
    }
    let run = common::run(&["import", "tests/fixtures/import/missing.yaml"]);
    assert_eq!(run.status.code(), Some(2));
}

#[test]
fn the_imported_model_reads_well() {
    let result = imported(&[Path::new(ORDERS)]);
    insta::assert_snapshot!("orders_sam", result.yaml);
    assert_eq!(import::detect(&tree(Path::new(ORDERS))), Some(Format::Sam));
}

const EVENT_TYPES: [&str; 10] = [
    "Api",
    "HttpApi",
    "S3",
    "SQS",
    "SNS",
    "DynamoDB",
    "Schedule",
    "EventBridgeRule",
    "CognitoUserPool",
    "Alexa",
];
const RESOURCE_TYPES: [&str; 11] = [
    "AWS::S3::Bucket",
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::DynamoDB::Table",
    "AWS::Cognito::UserPool",
    "AWS::Serverless::Api",
    "AWS::IAM::Role",
    "AWS::EC2::Instance",
    "AWS::Cognito::UserPoolClient",
    "AWS::ApiGatewayV2::Api",
    "AWS::ApiGateway::Stage",
];

/// A random SAM template: resources of random types, functions whose events, roles, policies
/// and variables name them (or names that are no resource), with strings from a wide alphabet;
/// settings of buckets, pools, clients and APIs (CORS, password policies, schemas, write
/// attributes, access logs) from the same alphabet.
fn template() -> impl Strategy<Value = String> {
    let text = "[a-zA-Z0-9 :/*{}\\-_.$\"'\\\\\n\u{202e}é]{0,12}";
    let resources = prop::collection::vec(
        (0..RESOURCE_TYPES.len(), any::<bool>(), text, 0..200u32),
        0..6,
    );
    let functions = prop::collection::vec(
        (
            prop::collection::vec((0..EVENT_TYPES.len(), 0..8usize, text), 0..4),
            prop::option::of(0..8usize),
            prop::collection::vec((text, 0..8usize), 0..3),
            text,
        ),
        0..4,
    );
    (resources, functions).prop_map(|(resources, functions)| {
        let mut t = String::from("Transform: AWS::Serverless-2016-10-31\nResources:\n");
        let name = |i: usize| format!("R{i}");
        for (i, (kind, stream, setting, number)) in resources.iter().enumerate() {
            t.push_str(&format!("  R{i}:\n    Type: {}\n    Properties:\n", RESOURCE_TYPES[*kind]));
            if *stream {
                t.push_str("      StreamSpecification: {StreamViewType: NEW_IMAGE}\n      RedrivePolicy: {deadLetterTargetArn: !GetAtt R0.Arn}\n");
            }
            let s = quoted(setting);
            t.push_str(&format!(
                "      Tags: []\n      Cors: {{AllowOrigin: {s}, AllowMethods: {s}, AllowCredentials: {stream}}}\n      CorsConfiguration: {{AllowOrigins: [{s}], CorsRules: [{{AllowedOrigins: [{s}], AllowedMethods: [{s}]}}]}}\n      OwnershipControls: {{Rules: [{{ObjectOwnership: {s}}}]}}\n      PublicAccessBlockConfiguration: {{BlockPublicAcls: {s}}}\n      Schema: [{{Name: {s}, Mutable: {stream}}}, {{Name: {s}}}]\n      UserPoolId: !Ref R0\n      RestApiId: !Ref R{number}\n      WriteAttributes: [{s}]\n      ExplicitAuthFlows: [{s}, ALLOW_USER_PASSWORD_AUTH]\n      AccessLogSetting: {{DestinationArn: {s}}}\n"
            ));
            // Roles read `Policies` as policy documents.
            if RESOURCE_TYPES[*kind] != "AWS::IAM::Role" {
                t.push_str(&format!(
                    "      Policies: {{PasswordPolicy: {{MinimumLength: {number}, RequireSymbols: {s}}}}}\n"
                ));
            }
        }
        for (i, (events, role, statements, variable)) in functions.iter().enumerate() {
            let q = quoted;
            t.push_str(&format!(
                "  F{i}:\n    Type: AWS::Serverless::Function\n    Properties:\n      Runtime: python3.12\n      Handler: app.h\n      Environment: {{Variables: {{V: {}, R: !Ref {}}}}}\n",
                q(variable),
                name(i)
            ));
            if let Some(role) = role {
                t.push_str(&format!("      Role: !GetAtt {}.Arn\n", name(*role)));
            }
            t.push_str("      Policies:\n        - AWSLambdaRole\n        - Statement:\n");
            for (action, target) in statements {
                t.push_str(&format!(
                    "            - {{Effect: Allow, Action: {}, Resource: !Sub \"arn:aws:s3:::${{{}}}/*\"}}\n",
                    q(action),
                    name(*target)
                ));
            }
            t.push_str("            - {Effect: Allow, Action: s3:GetObject, Resource: '*'}\n      Events:\n");
            for (j, (kind, target, path)) in events.iter().enumerate() {
                let r = name(*target);
                t.push_str(&format!(
                    "        E{j}:\n          Type: {}\n          Properties: {{Path: {}, Method: get, RestApiId: !Ref {r}, Bucket: !Ref {r}, Events: s3:ObjectCreated:*, Queue: !GetAtt {r}.Arn, Topic: !Ref {r}, Stream: !GetAtt {r}.StreamArn, Schedule: rate(1 hour), UserPool: !Ref {r}, Trigger: PreSignUp, Pattern: {{source: [x]}}}}\n",
                    EVENT_TYPES[*kind],
                    q(path)
                ));
            }
        }
        t
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Whatever the template, import ends: with a model that validates (import loads what it
    /// wrote before returning it), or, for a template with no function, with that error.
    #[test]
    fn generated_templates_import_to_valid_models(text in template()) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("template.yaml");
        std::fs::write(&path, &text).unwrap();
        match import::import(&[path], Some(Format::Sam), dir.path()) {
            Ok(result) => {
                let model = load(&result.yaml);
                prop_assert!(!model.functions.is_empty());
            }
            Err(error) => {
                let messages: Vec<&str> = error.diagnostics.iter().map(|d| d.message.as_str()).collect();
                prop_assert!(
                    messages.iter().any(|m| m.contains("no Lambda function")),
                    "{messages:?}\n{text}"
                );
            }
        }
    }
}

/// The template files of the corpus of real templates in `tests/import/` (see its README), each
/// with the tree read from it; other files (OpenAPI documents, Serverless Framework and
/// Terraform files) with `None`.
fn corpus() -> Vec<(PathBuf, Option<Node>)> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir("tests/import").unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&dir).unwrap() {
            let file = file.unwrap().path();
            let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !file.is_file() || !["yaml", "yml", "json"].contains(&ext) {
                continue;
            }
            let root = tree(&file);
            let template = import::detect(&root)
                .filter(|f| *f != Format::Serverless && *f != Format::Terraform)
                .map(|_| root);
            files.push((file, template));
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    files
}

fn kind(node: &Node) -> &str {
    node.get("Type").and_then(Node::as_scalar).unwrap_or("")
}

/// What the template declares, counted from it: functions, stores, and the ways functions are
/// started (SAM events, function URLs, event source mappings, rule targets, subscriptions,
/// Cognito triggers).
fn declared(root: &Node) -> (usize, usize, usize) {
    let resources = entries(root.get("Resources").unwrap());
    let is_function = |n: &Node| {
        matches!(
            kind(n),
            "AWS::Serverless::Function" | "AWS::Lambda::Function"
        )
    };
    let functions = resources.iter().filter(|(_, r)| is_function(r)).count();
    let stores = resources
        .iter()
        .filter(|(_, r)| {
            matches!(
                kind(r),
                "AWS::S3::Bucket"
                    | "AWS::DynamoDB::Table"
                    | "AWS::DynamoDB::GlobalTable"
                    | "AWS::Serverless::SimpleTable"
                    | "AWS::SecretsManager::Secret"
            )
        })
        .count();
    let mut starts = 0;
    for (_, r) in &resources {
        let props = r.get("Properties");
        let get = |key: &str| props.and_then(|p| p.get(key));
        match kind(r) {
            "AWS::Serverless::Function" => {
                starts += get("Events").map_or(0, |e| entries(e).len());
                starts += usize::from(get("FunctionUrlConfig").is_some());
            }
            "AWS::Lambda::EventSourceMapping" | "AWS::Lambda::Url" => starts += 1,
            "AWS::SNS::Subscription" => {
                starts += usize::from(get("Protocol").and_then(Node::as_scalar) == Some("lambda"));
            }
            _ => {}
        }
    }
    (functions, stores, starts)
}

#[test]
fn every_template_of_the_corpus_imports_validates_and_analyses() {
    let corpus = corpus();
    let templates: Vec<&(PathBuf, Option<Node>)> =
        corpus.iter().filter(|(_, t)| t.is_some()).collect();
    assert!(templates.len() >= 14, "{} templates", templates.len());
    let mut total_statements = 0;
    for (path, root) in templates {
        let root = root.as_ref().unwrap();
        let result = imported(&[path]);
        let model = load(&result.yaml);
        let assessment = strider::assessment::analyze(&model);
        let (functions, stores, starts) = declared(root);
        assert_eq!(
            model.functions.len(),
            functions,
            "{}: functions",
            path.display()
        );
        let outside = model
            .stores
            .values()
            .filter(|s| {
                s.description
                    .as_deref()
                    .is_some_and(|d| d.starts_with("Not in the template"))
            })
            .count();
        assert_eq!(
            model.stores.len() - outside,
            stores,
            "{}: stores",
            path.display()
        );
        // Every way of starting a function is a trigger, or a warning that says why not.
        let triggers: usize = model.functions.values().map(|f| f.triggers.len()).sum();
        let unmapped = result
            .warnings
            .iter()
            .filter(|w| {
                w.message.starts_with("event `") || w.message.contains("is not in the template")
            })
            .count();
        assert!(
            triggers + unmapped >= starts,
            "{}: {triggers} triggers and {unmapped} warnings for {starts} event sources",
            path.display()
        );
        // Every `Allow` statement of a policy the template attaches is a permission, or a
        // warning says why it is left out.
        let statements = allow_statements(root);
        total_statements += statements;
        let permissions: usize = model
            .functions
            .values()
            .map(|f| f.permissions.len())
            .chain(model.roles.values().map(|r| r.permissions.len()))
            .sum();
        let dropped = result
            .warnings
            .iter()
            .filter(|w| w.message.contains("left out") || w.message.contains("could not be read"))
            .count();
        assert!(
            permissions + dropped >= statements,
            "{}: {permissions} permissions and {dropped} warnings for {statements} statements",
            path.display()
        );
        assert!(
            !assessment.threats.is_empty(),
            "{}: no threat at all",
            path.display()
        );
    }
    // The count is about something: the corpus attaches policies with statements.
    assert!(total_statements >= 10, "{total_statements}");
}

/// The `Allow` statements of the policies a template gives functions and roles: SAM functions'
/// inline statements, roles' inline policies, and policies attached to roles.
fn allow_statements(root: &Node) -> usize {
    fn list(node: Option<&Node>) -> Vec<&Node> {
        match node.map(|n| &n.value) {
            Some(Value::Sequence(items)) => items.iter().collect(),
            _ => Vec::new(),
        }
    }
    let allows = |document: Option<&Node>| -> usize {
        let Some(statement) = document.and_then(|d| d.get("Statement")) else {
            return 0;
        };
        let items: Vec<&Node> = match &statement.value {
            Value::Sequence(items) => items.iter().collect(),
            _ => vec![statement],
        };
        items
            .into_iter()
            .filter(|s| s.get("Effect").and_then(Node::as_scalar) == Some("Allow"))
            .filter(|s| s.get("Action").is_some() && s.get("Resource").is_some())
            .count()
    };
    let mut count = 0;
    for (_, r) in entries(root.get("Resources").unwrap()) {
        let props = r.get("Properties");
        let get = |key: &str| props.and_then(|p| p.get(key));
        match kind(r) {
            "AWS::Serverless::Function" => {
                count += list(get("Policies"))
                    .into_iter()
                    .map(|p| allows(Some(p)))
                    .sum::<usize>();
            }
            "AWS::IAM::Role" => {
                count += list(get("Policies"))
                    .into_iter()
                    .map(|p| allows(p.get("PolicyDocument")))
                    .sum::<usize>();
            }
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" if get("Roles").is_some() => {
                count += allows(get("PolicyDocument"));
            }
            _ => {}
        }
    }
    count
}

/// Serverless Framework services: each function, with the framework's shared role, its
/// variables resolved with the file's defaults and its events as triggers.
#[test]
fn serverless_services_import_with_their_shared_role_and_variables() {
    let corpus = corpus();
    let services: Vec<&PathBuf> = corpus
        .iter()
        .map(|(p, _)| p)
        .filter(|p| p.file_name().is_some_and(|n| n == "serverless.yml"))
        .collect();
    assert!(services.len() >= 4);
    for path in services {
        let root = tree(path);
        let declared = root.get("functions").map_or(0, |f| entries(f).len());
        let result = import::import(std::slice::from_ref(path), None, path.parent().unwrap());
        if declared == 0 {
            let error = result.unwrap_err();
            assert!(error.diagnostics[0].message.contains("no Lambda function"));
            continue;
        }
        let result = result.unwrap_or_else(|e| panic!("{}: {:#?}", path.display(), e.diagnostics));
        let model = load(&result.yaml);
        assert_eq!(model.functions.len(), declared, "{}", path.display());
        let events: usize = entries(root.get("functions").unwrap())
            .iter()
            .map(|(_, f)| {
                f.get("events").map_or(0, |e| match &e.value {
                    Value::Sequence(items) => items.len(),
                    _ => 0,
                })
            })
            .sum();
        let triggers: usize = model.functions.values().map(|f| f.triggers.len()).sum();
        assert_eq!(triggers, events, "{}", path.display());
        // Every function on the framework's one role: the shared-role finding is true.
        let roles: BTreeSet<_> = model.functions.values().map(|f| f.role.clone()).collect();
        assert_eq!(roles.len(), 1, "{}", path.display());
        // Every `Allow` statement of the provider's role is a permission of it.
        let provider = root.get("provider").unwrap();
        let statements = provider
            .get("iam")
            .and_then(|i| i.get("role"))
            .and_then(|r| r.get("statements"))
            .or_else(|| provider.get("iamRoleStatements"))
            .map_or(0, |s| match &s.value {
                Value::Sequence(items) => items
                    .iter()
                    .filter(|s| s.get("Effect").and_then(Node::as_scalar) == Some("Allow"))
                    .count(),
                _ => 0,
            });
        let role = roles.iter().next().unwrap().as_deref().unwrap();
        let dropped = result
            .warnings
            .iter()
            .filter(|w| w.message.contains("left out"))
            .count();
        assert!(
            model.roles[role].permissions.len() + dropped >= statements,
            "{}: {statements} statements",
            path.display()
        );
        assert!(
            !result.yaml.contains("${self:"),
            "{}: unresolved variables",
            path.display()
        );
    }
    let sigurl = load(
        &imported(&[Path::new(
            "tests/import/sls-rest-api-s3-sigurl/serverless.yml",
        )])
        .yaml,
    );
    // `${self:custom.dynamodb_table}` is the name of the table the resources define: the
    // variable holding it and the ARN in the policy both name that element.
    assert_eq!(
        sigurl.functions["create"].env["DYNAMODB_TABLE"],
        "asset-dynamo-db-table"
    );
    assert!(
        sigurl.functions["create"]
            .reads
            .iter()
            .any(|r| r.target() == "asset-dynamo-db-table")
    );
}

/// The framework's APIs: the REST API allows what its routes' `cors` allow together (here
/// `accessLogging: false` keeps its access logs off), the HTTP API `provider.httpApi.cors`
/// (`true`: any origin, the routes' methods) and logs with `provider.logs.httpApi`.
#[test]
fn serverless_apis_get_their_cors_and_access_logs() {
    let dir = tempfile::tempdir().unwrap();
    let service = dir.path().join("serverless.yml");
    std::fs::write(
        &service,
        r"service: shop
provider:
  name: aws
  runtime: nodejs20.x
  httpApi:
    cors: true
  logs:
    restApi:
      accessLogging: false
      executionLogging: true
    httpApi: true
functions:
  orders:
    handler: orders.handler
    events:
      - http:
          path: orders
          method: get
          cors:
            origins: [https://shop.example.com, https://admin.example.com]
            allowCredentials: true
      - http:
          path: orders/{id}
          method: any
          cors: true
      - http: POST /plain
      - httpApi: GET /status
",
    )
    .unwrap();
    let model = load(&imported(&[&service]).yaml);
    let rest = &model.channels["api-gateway-rest-api"];
    let cors = rest.cors.as_ref().unwrap();
    assert_eq!(
        cors.origins,
        ["https://shop.example.com", "https://admin.example.com", "*"]
    );
    assert_eq!(
        cors.methods,
        ["OPTIONS", "GET", "DELETE", "HEAD", "PATCH", "POST", "PUT"]
    );
    assert!(cors.credentials);
    assert_eq!(rest.access_logs, Some(false));
    let http = &model.channels["http-api"];
    let cors = http.cors.as_ref().unwrap();
    assert_eq!(
        (cors.origins.as_slice(), cors.methods.as_slice()),
        (
            ["*".to_owned()].as_slice(),
            ["OPTIONS".to_owned(), "GET".to_owned()].as_slice()
        )
    );
    assert!(!cors.credentials);
    assert_eq!(http.access_logs, Some(true));
}

/// Known issues of real templates (listed in their SOURCE.md) are found once imported.
#[test]
fn known_issues_of_real_templates_are_found() {
    for (template, threat) in [
        // `GET /` on an HttpApi with no authorizer.
        (
            "sam-http-api-auth/template.yaml",
            "STR-001@lambda-function/http-api",
        ),
        // The catch-all route of the API SAM creates, with no authorizer.
        (
            "sam-http-api-auth/template.yaml",
            "STR-001@catch-all-lambda-function/serverless-http-api",
        ),
        // `mobiletargeting:*` and `sns:*` on `*`.
        (
            "serverlesspresso-core/template.yaml",
            "STR-003@create-auth-challenge/mobiletargeting:*,sns:*@*",
        ),
        // A queue with no redrive policy, consumed by a function.
        (
            "sam-http-api-direct-integration/template.yaml",
            "STR-021@my-queue",
        ),
        // Serverless Framework v4: the catch-all HTTP API route, unauthenticated.
        (
            "sls4-express-dynamodb-api/serverless.yml",
            "STR-001@api/http-api",
        ),
        // v4: a queue without DLQ, consumed through an ARN built from `${aws:…}` variables.
        ("sls4-sqs-worker/serverless.yml", "STR-021@job-queue"),
    ] {
        let path = Path::new("tests/import").join(template);
        let model = load(&imported(&[&path]).yaml);
        let assessment = strider::assessment::analyze(&model);
        let ids: Vec<&str> = assessment.threats.iter().map(|t| t.id.as_str()).collect();
        assert!(
            ids.contains(&threat),
            "{template}: {threat} not in {ids:#?}"
        );
    }
}

/// Handler code: SAM's `CodeUri` (and CDK's asset path) become the function's `code`, relative
/// to where the model is written; code in S3 or inline has no directory.
#[test]
fn code_directories_are_given_relative_to_the_model() {
    let template = Path::new("tests/import/sam-http-api-auth/template.yaml");
    let code = |dir: &Path| -> BTreeSet<String> {
        let result = import::import(&[template.to_path_buf()], None, dir).unwrap();
        load(&result.yaml)
            .functions
            .values()
            .filter_map(|f| f.code.clone())
            .collect()
    };
    assert_eq!(
        code(template.parent().unwrap()),
        BTreeSet::from(["src".to_owned()])
    );
    assert_eq!(
        code(Path::new("tests")),
        BTreeSet::from(["import/sam-http-api-auth/src".to_owned()])
    );
    assert_eq!(
        code(Path::new("model")),
        BTreeSet::from(["../tests/import/sam-http-api-auth/src".to_owned()])
    );
    // `..` in the model's directory is resolved before the relative path is worked out.
    assert_eq!(
        code(Path::new("tests/../model")),
        BTreeSet::from(["../tests/import/sam-http-api-auth/src".to_owned()])
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.template.json");
    std::fs::write(
        &path,
        r#"{"Resources": {
          "Cdk": {"Type": "AWS::Lambda::Function",
                  "Metadata": {"aws:cdk:path": "app/Cdk/Resource", "aws:asset:path": "asset.0a1b2c"},
                  "Properties": {"Runtime": "python3.12", "Handler": "index.handler",
                                 "Role": "arn:aws:iam::123456789012:role/r",
                                 "Code": {"S3Bucket": "b", "S3Key": "k.zip"}}},
          "InS3": {"Type": "AWS::Serverless::Function",
                   "Properties": {"Runtime": "nodejs22.x", "Handler": "app.handler", "CodeUri": "s3://bucket/app.zip"}},
          "Inline": {"Type": "AWS::Serverless::Function",
                     "Properties": {"Runtime": "python3.12", "Handler": "index.handler", "InlineCode": "def handler(e, c): pass"}},
          "Drive": {"Type": "AWS::Serverless::Function",
                    "Properties": {"Runtime": "python3.12", "Handler": "index.handler", "CodeUri": "C:\\build\\src"}}
        },
        "Transform": "AWS::Serverless-2016-10-31"}"#,
    )
    .unwrap();
    let result = import::import(&[path], None, dir.path()).unwrap();
    let model = load(&result.yaml);
    let codes: Vec<(&str, Option<&str>)> = model
        .functions
        .iter()
        .map(|(id, f)| (id.as_str(), f.code.as_deref()))
        .collect();
    assert_eq!(
        codes,
        [
            ("cdk", Some("asset.0a1b2c")),
            ("drive", None),
            ("in-s3", None),
            ("inline", None)
        ]
    );
    // A code directory the model could not hold is left out, said, and the model still loads.
    assert!(
        result
            .warnings
            .iter()
            .any(|w| w.message.contains("code directory of `Drive`")),
        "{:?}",
        result.warnings
    );
}

/// Every element from a resource names its place: `source: FILE:LINE`, the line of the resource's
/// logical id in the template.
#[test]
fn every_imported_element_names_the_template_line_it_came_from() {
    let template = std::fs::read_to_string(ORDERS).unwrap();
    let lines: Vec<&str> = template.lines().collect();
    let model = load(&imported(&[Path::new(ORDERS)]).yaml);
    let file = Path::new(ORDERS).file_name().unwrap().to_str().unwrap();
    let sources: Vec<&str> = model
        .functions
        .values()
        .map(|f| f.source.as_deref())
        .chain(model.stores.values().map(|s| s.source.as_deref()))
        .chain(model.channels.values().map(|c| c.source.as_deref()))
        .map(|s| s.expect("an imported element without source"))
        .collect();
    assert!(sources.len() >= 4, "{sources:?}");
    for source in sources {
        let (name, line) = source.rsplit_once(':').unwrap();
        assert_eq!(name, file);
        let line: usize = line.parse().unwrap();
        // The line holds a logical id: a key at the resources' indentation.
        let text = lines[line - 1];
        assert!(
            text.starts_with("  ") && !text.starts_with("   ") && text.trim_end().ends_with(':'),
            "{source}: {text:?}"
        );
    }
}

/// Routes written as plain CloudFormation: a REST API's `AWS::ApiGateway::Method` on its
/// resource path (a real template), and `AWS::ApiGatewayV2::Route`s of an HTTP and a WebSocket
/// API through their Lambda integrations, become triggers of the functions they invoke.
#[test]
fn api_gateway_methods_and_routes_become_triggers() {
    let model = load(&imported(&[Path::new("tests/import/cfn-webapp/webapp.yaml")]).yaml);
    let routes = |function: &str| -> Vec<(String, String, String, String)> {
        model.functions[function]
            .triggers
            .iter()
            .map(|t| {
                (
                    t.source.clone().unwrap_or_default(),
                    t.method.clone().unwrap_or_default(),
                    t.path.clone().unwrap_or_default(),
                    format!("{:?}", t.auth),
                )
            })
            .collect()
    };
    assert_eq!(
        routes("test-resource-handler"),
        [
            (
                "rest-api".to_owned(),
                "OPTIONS".to_owned(),
                "/test".to_owned(),
                "Some(None)".to_owned()
            ),
            (
                "rest-api".to_owned(),
                "GET".to_owned(),
                "/test".to_owned(),
                "Some(Cognito)".to_owned()
            ),
        ]
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v2.yaml");
    std::fs::write(
        &path,
        r#"Resources:
  Fn:
    Type: AWS::Lambda::Function
    Properties: {Runtime: nodejs22.x, Handler: index.handler, Role: "arn:aws:iam::123456789012:role/r", Code: {ZipFile: "x"}}
  Http:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: h, ProtocolType: HTTP}
  Ws:
    Type: AWS::ApiGatewayV2::Api
    Properties: {Name: w, ProtocolType: WEBSOCKET, RouteSelectionExpression: "$request.body.action"}
  HttpIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties: {ApiId: !Ref Http, IntegrationType: AWS_PROXY, IntegrationUri: !GetAtt Fn.Arn, PayloadFormatVersion: "2.0"}
  WsIntegration:
    Type: AWS::ApiGatewayV2::Integration
    Properties:
      ApiId: !Ref Ws
      IntegrationType: AWS_PROXY
      IntegrationUri: !Sub "arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Fn.Arn}/invocations"
  GetItems:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Http, RouteKey: "GET /items/{id}", AuthorizationType: JWT, Target: !Join ["/", [integrations, !Ref HttpIntegration]]}
  Purge:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Http, RouteKey: "PURGE /cache", Target: !Join ["/", [integrations, !Ref HttpIntegration]]}
  Connect:
    Type: AWS::ApiGatewayV2::Route
    Properties: {ApiId: !Ref Ws, RouteKey: "$connect", AuthorizationType: NONE, Target: !Sub "integrations/${WsIntegration}"}
"#,
    )
    .unwrap();
    let result = import::import(&[path], None, dir.path()).unwrap();
    let model = load(&result.yaml);
    let triggers: Vec<String> = model.functions["fn"]
        .triggers
        .iter()
        .map(|t| {
            format!(
                "{:?} {} {} {} {:?}",
                t.kind,
                t.source.as_deref().unwrap_or(""),
                t.method.as_deref().unwrap_or("-"),
                t.path.as_deref().unwrap_or("-"),
                t.auth
            )
        })
        .collect();
    assert_eq!(
        triggers,
        [
            "Http http GET /items/{id} Some(Jwt)",
            "Websocket ws - $connect Some(None)"
        ]
    );
    // A method API Gateway does not route is left out with a warning; the model still loads.
    assert!(
        result
            .warnings
            .iter()
            .any(|w| w.message.contains("`PURGE`")),
        "{:?}",
        result.warnings
    );
}

/// What templates cannot say is a placeholder: `validate` lists each one, and analysis scores
/// the model as it would the worse answer (unclassified data as confidential, input of unknown
/// validation as not validated), never lower.
#[test]
fn placeholders_are_listed_and_scored_conservatively() {
    let result = imported(&[Path::new("tests/fixtures/drift/template.yaml")]);
    let loaded = strider::model::load_bytes(Path::new("m.yaml"), result.yaml.as_bytes()).unwrap();
    let model = &loaded.model;
    let placeholders = loaded
        .warnings
        .iter()
        .filter(|w| w.code == strider::model::diagnostic::Code::Placeholder)
        .count();
    let triggers: usize = model.functions.values().map(|f| f.triggers.len()).sum();
    // Two stores and two queues hold data; both triggers carry events.
    assert_eq!(model.data.len(), 4);
    assert_eq!(placeholders, model.data.len() + triggers);
    let severities = |yaml: &str| -> Vec<(String, strider::scoring::Severity)> {
        let model = load(yaml);
        strider::assessment::analyze(&model)
            .threats
            .into_iter()
            .map(|t| (t.id, t.score.residual_severity))
            .collect()
    };
    let open = severities(&result.yaml);
    let stated = severities(
        &result
            .yaml
            .replace(
                "classification: unclassified",
                "classification: confidential",
            )
            .replace("validated: unknown", "validated: false"),
    );
    assert_eq!(open, stated);
    let public = severities(
        &result
            .yaml
            .replace("classification: unclassified", "classification: public"),
    );
    for (id, severity) in &public {
        let with_placeholder = open.iter().find(|(o, _)| o == id).map(|(_, s)| *s);
        assert!(with_placeholder >= Some(*severity), "{id}");
    }
    assert!(open.iter().any(|(id, _)| id.starts_with("STR-002@orders/")));
}

/// OpenAPI definitions: routes an API defines (inline, or included from a document named on the
/// command line) become triggers of the functions they invoke, with the authentication their
/// security requirement names and the validation their request validator performs.
#[test]
fn openapi_definitions_give_routes_their_auth_and_validation() {
    let template = Path::new("tests/import/ecommerce-orders/template.yaml");
    let document = Path::new("tests/import/ecommerce-orders/resources/openapi.yaml");
    // Not named: said, and the SAM event's route keeps the API's default.
    let alone = imported(&[template]);
    assert!(
        alone.warnings.iter().any(|w| w
            .message
            .contains("`resources/openapi.yaml`, which was not named")),
        "{:#?}",
        alone.warnings
    );
    let both = imported(&[template, document]);
    let model = load(&both.yaml);
    let route = &model.functions["get-order-function"].triggers[0];
    assert_eq!(route.path.as_deref(), Some("/backend/{orderId}"));
    assert_eq!(route.auth, Some(strider::model::Auth::Iam));

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(
        &path,
        r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Users:
    Type: AWS::Cognito::UserPool
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        openapi: 3.0.1
        x-amazon-apigateway-request-validators:
          body: {validateRequestBody: true, validateRequestParameters: false}
        components:
          securitySchemes:
            pool:
              type: apiKey
              name: Authorization
              in: header
              x-amazon-apigateway-authtype: cognito_user_pools
        security: [{pool: []}]
        paths:
          /orders:
            post:
              x-amazon-apigateway-request-validator: body
              requestBody: {content: {application/json: {schema: {type: object}}}}
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Orders.Arn}/invocations
          /health:
            get:
              security: []
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${Health.Arn}/invocations
          /s3:
            get:
              x-amazon-apigateway-integration: {type: aws, uri: "arn:aws:apigateway:us-east-1:s3:path/{key}"}
  Orders:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.handler, CodeUri: src}
  Health:
    Type: AWS::Serverless::Function
    Properties: {Runtime: python3.12, Handler: app.health, CodeUri: src}
"#,
    )
    .unwrap();
    let model = load(&imported(&[&path]).yaml);
    let orders = &model.functions["orders"].triggers;
    assert_eq!(orders.len(), 1);
    assert_eq!(orders[0].method.as_deref(), Some("POST"));
    assert_eq!(orders[0].auth, Some(strider::model::Auth::Cognito));
    assert!(orders[0].input.as_ref().unwrap().validated.is_true());
    let health = &model.functions["health"].triggers;
    assert_eq!(health[0].auth, Some(strider::model::Auth::None));
    assert!(!health[0].input.as_ref().unwrap().validated.is_true());
    // The S3 service integration starts no function.
    let triggers: usize = model.functions.values().map(|f| f.triggers.len()).sum();
    assert_eq!(triggers, 2);
}

/// Step Functions state machines invoke the functions their definitions name: SAM's
/// `DefinitionSubstitutions` (the definition file itself is not named, so not read).
#[test]
fn state_machines_invoke_the_functions_their_definitions_name() {
    let model =
        load(&imported(&[Path::new("tests/import/serverlesspresso-app/template.yaml")]).yaml);
    assert!(model.externals.contains_key("order-journey-service"));
    let invoked = |function: &str, by: &str| {
        model.functions[function].triggers.iter().any(|t| {
            t.kind == strider::model::TriggerKind::Invoke && t.source.as_deref() == Some(by)
        })
    };
    assert!(invoked("generate-html", "order-journey-service"));
    assert!(invoked(
        "sanitize-order-lambda",
        "order-manager-state-machine"
    ));
}

/// Application Load Balancers in front of functions (CloudFormation, and the Serverless
/// Framework's `alb` events): listener rules and default actions forwarding to Lambda target
/// groups are triggers with their path and method, on an `alb` channel.
#[test]
fn load_balancers_route_to_functions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("template.yaml");
    std::fs::write(
        &path,
        r"Resources:
  Balancer:
    Type: AWS::ElasticLoadBalancingV2::LoadBalancer
    Properties: {Scheme: internet-facing}
  Https:
    Type: AWS::ElasticLoadBalancingV2::Listener
    Properties:
      LoadBalancerArn: !Ref Balancer
      Protocol: HTTPS
      DefaultActions: [{Type: forward, TargetGroupArn: !Ref SiteGroup}]
  AdminRule:
    Type: AWS::ElasticLoadBalancingV2::ListenerRule
    Properties:
      ListenerArn: !Ref Https
      Priority: 1
      Conditions:
        - {Field: path-pattern, PathPatternConfig: {Values: [/admin/*]}}
        - {Field: http-request-method, HttpRequestMethodConfig: {Values: [POST]}}
      Actions: [{Type: forward, TargetGroupArn: !Ref AdminGroup}]
  SiteGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {TargetType: lambda, Targets: [{Id: !GetAtt Site.Arn}]}
  AdminGroup:
    Type: AWS::ElasticLoadBalancingV2::TargetGroup
    Properties: {TargetType: lambda, Targets: [{Id: !GetAtt Admin.Arn}]}
  Site:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.12, Handler: app.site, Role: !GetAtt Role.Arn, Code: {ZipFile: x}}
  Admin:
    Type: AWS::Lambda::Function
    Properties: {Runtime: python3.12, Handler: app.admin, Role: !GetAtt Role.Arn, Code: {ZipFile: x}}
  Role:
    Type: AWS::IAM::Role
",
    )
    .unwrap();
    let model = load(&imported(&[&path]).yaml);
    let balancer = &model.channels["balancer"];
    assert!(balancer.public);
    assert_eq!(balancer.tls, Some(true));
    let site = &model.functions["site"].triggers[0];
    assert_eq!(site.source.as_deref(), Some("balancer"));
    assert!(site.path.is_none());
    let admin = &model.functions["admin"].triggers[0];
    assert_eq!(admin.method.as_deref(), Some("POST"));
    assert_eq!(admin.path.as_deref(), Some("/admin/*"));

    let service = dir.path().join("serverless.yml");
    std::fs::write(
        &service,
        r"service: alb
provider: {name: aws, runtime: nodejs20.x}
functions:
  hello:
    handler: handler.hello
    events:
      - alb:
          listenerArn: arn:aws:elasticloadbalancing:us-east-1:111122223333:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2
          priority: 1
          conditions: {path: /hello, method: [GET]}
",
    )
    .unwrap();
    let model = load(&imported(&[&service]).yaml);
    let hello = &model.functions["hello"].triggers[0];
    assert_eq!(hello.path.as_deref(), Some("/hello"));
    assert_eq!(hello.method.as_deref(), Some("GET"));
    let channel = &model.channels[hello.source.as_deref().unwrap()];
    assert!(
        channel
            .description
            .as_deref()
            .unwrap()
            .starts_with("Not in the template")
    );
}

/// Every template of the corpus, imported: a snapshot each (templates with included OpenAPI
/// documents are imported with them, as a user would name them).
#[test]
fn corpus_snapshots() {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir("tests/import")
        .unwrap()
        .map(|d| d.unwrap().path())
        .filter(|d| d.is_dir())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 12);
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|f| f.unwrap().path())
            .filter(|f| {
                f.extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "json")
            })
            .collect();
        // Documents in subdirectories (`resources/openapi.yaml`) too.
        for sub in std::fs::read_dir(&dir).unwrap().map(|d| d.unwrap().path()) {
            if sub.is_dir() {
                files.extend(
                    std::fs::read_dir(&sub)
                        .unwrap()
                        .map(|f| f.unwrap().path())
                        .filter(|f| f.extension().is_some_and(|e| e == "yaml" || e == "json")),
                );
            }
        }
        files.sort();
        let paths: Vec<&Path> = files.iter().map(PathBuf::as_path).collect();
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        match import::import(
            &paths.iter().map(|p| p.to_path_buf()).collect::<Vec<_>>(),
            None,
            &dir,
        ) {
            Ok(result) => insta::assert_snapshot!(format!("corpus_{name}"), result.yaml),
            Err(error) => {
                // Only the Serverless service that declares no function.
                assert!(
                    error.diagnostics[0].message.contains("no Lambda function"),
                    "{name}: {:#?}",
                    error.diagnostics
                );
            }
        }
    }
}

/// A function that writes only under a key prefix of the bucket that triggers it, outside the
/// trigger's filter, is no loop; one that writes anywhere in it is. Consuming the queue that
/// triggers a function (deleting its messages) is no write to it.
#[test]
fn writes_keep_their_key_so_loops_are_found_for_the_right_reason() {
    let template = |resource: &str| {
        format!(
            r#"Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::S3::Bucket
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      RedrivePolicy: {{deadLetterTargetArn: !GetAtt Dlq.Arn, maxReceiveCount: 3}}
  Dlq:
    Type: AWS::SQS::Queue
  Thumbnail:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src
      Policies:
        - Statement:
            - {{Effect: Allow, Action: s3:PutObject, Resource: !Sub "{resource}"}}
            - {{Effect: Allow, Action: [sqs:ReceiveMessage, sqs:DeleteMessage], Resource: !GetAtt Jobs.Arn}}
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
            Filter: {{S3Key: {{Rules: [{{Name: prefix, Value: incoming/}}]}}}}
        Work:
          Type: SQS
          Properties: {{Queue: !GetAtt Jobs.Arn}}
"#
        )
    };
    let loops = |resource: &str| -> Vec<String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("template.yaml");
        std::fs::write(&path, template(resource)).unwrap();
        let model = load(&imported(&[&path]).yaml);
        strider::assessment::analyze(&model)
            .threats
            .into_iter()
            .map(|t| t.id)
            .filter(|id| id.starts_with("STR-010@"))
            .collect()
    };
    assert_eq!(loops("${Uploads.Arn}/thumbnails/*"), Vec::<String>::new());
    assert_eq!(loops("${Uploads.Arn}/*"), ["STR-010@thumbnail"]);
}
