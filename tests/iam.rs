//! The embedded IAM data and what strider does with it: every managed policy and template parses,
//! every action the bundled models name is known, patterns expand, typos get suggestions, ARNs
//! are matched to elements, and a function's effective grants gather every source of permissions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use proptest::prelude::*;
use strider::iam::{
    self, AccessLevel, Effect, Origin, Part, Reference, ResourceKind, TemplateProblem, catalogue,
    effective_grants,
};
use strider::model::{Code, Loaded, Severity, load};

fn loaded(path: &str) -> Loaded {
    load(Path::new(path)).unwrap_or_else(|e| panic!("{path} does not load: {:?}", e.diagnostics))
}

/// `line:column message | hint` of each warning, in order.
fn warnings(loaded: &Loaded) -> Vec<String> {
    loaded
        .warnings
        .iter()
        .map(|w| {
            let (line, column) = w
                .span
                .map_or((0, 0), |s| loaded.sources.line_column(s.file, s.start));
            format!(
                "{line}:{column} {} | {}",
                w.message,
                w.hint.clone().unwrap_or_default()
            )
        })
        .collect()
}

#[test]
fn every_managed_policy_and_template_parses() {
    let text = include_str!("../src/iam/data/managed-policies.txt");
    let count = |prefix: &str| text.lines().filter(|l| l.starts_with(prefix)).count();
    let policies = iam::managed_policies();
    assert_eq!(policies.len(), count("p\t"));
    assert!(policies.len() > 1_000, "{}", policies.len());
    let statements: usize = policies.iter().map(|p| p.statements.len()).sum();
    assert_eq!(statements, count("s\t"), "a statement line did not parse");
    for policy in policies {
        assert!(
            !policy.statements.is_empty(),
            "{} has no statement",
            policy.name
        );
        assert_eq!(iam::managed_policy(policy.name), Ok(policy));
        assert_eq!(iam::managed_policy(&policy.arn()), Ok(policy));
        for statement in &policy.statements {
            assert!(
                !statement.actions.is_empty() || statement.not_action,
                "{}",
                policy.name
            );
            assert!(!statement.resources.is_empty(), "{}", policy.name);
        }
    }
    let text = include_str!("../src/iam/data/sam-templates.txt");
    let templates = iam::policy_templates();
    assert_eq!(
        templates.len(),
        text.lines().filter(|l| l.starts_with("t\t")).count()
    );
    assert!(templates.len() > 70, "{}", templates.len());
    for template in templates {
        let values: BTreeMap<String, String> = template
            .parameters
            .iter()
            .map(|p| ((*p).to_owned(), "x".to_owned()))
            .collect();
        let statements = template.instantiate(&values).expect("instantiates");
        for resource in statements.iter().flat_map(|s| &s.resources) {
            assert!(!resource.contains("${"), "{}: {resource}", template.name);
        }
    }
}

#[test]
fn every_action_the_data_and_the_bundled_models_name_is_known() {
    let c = catalogue();
    // Actions AWS's own policies and templates name; a few name actions AWS has retired since.
    let named: std::collections::BTreeSet<&str> = iam::managed_policies()
        .iter()
        .flat_map(|p| &p.statements)
        .chain(iam::policy_templates().iter().flat_map(|t| &t.statements))
        .flat_map(|s| s.actions.iter().copied())
        .collect();
    let unknown: Vec<&str> = named
        .iter()
        .copied()
        .filter(|a| c.expand(a).is_empty())
        .collect();
    // The catalogue's dataset lags the managed policies' (new services, retired ones): a few
    // percent of what AWS's policies name is not in it. Those are still known to validation.
    assert!(
        unknown.len() * 20 < named.len(),
        "{} of {} unknown: {unknown:?}",
        unknown.len(),
        named.len()
    );
    assert!(
        unknown.iter().all(|a| c.diagnose(a).is_none()),
        "AWS's own actions warn"
    );
    // Every SAM template names actions AWS defines.
    for template in iam::policy_templates() {
        for action in template.statements.iter().flat_map(|s| &s.actions) {
            assert_eq!(c.diagnose(action), None, "{}: {action}", template.name);
        }
    }
    let mut models: Vec<PathBuf> = std::fs::read_dir("model")
        .expect("model/")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    models.extend(
        glob::glob("examples/**/model.yaml")
            .expect("glob")
            .filter_map(Result::ok),
    );
    models.sort();
    assert!(models.len() >= 3, "{models:?}");
    for path in models {
        let path = path.to_string_lossy().into_owned();
        let model = loaded(&path);
        let statements = model
            .model
            .functions
            .values()
            .flat_map(|f| &f.permissions)
            .chain(model.model.roles.values().flat_map(|r| &r.permissions));
        for action in statements.flat_map(|p| &p.allow) {
            assert_eq!(c.diagnose(action), None, "{path}: {action}");
        }
        assert_eq!(warnings(&model), Vec::<String>::new(), "{path}");
    }
}

#[test]
fn patterns_expand_and_levels_classify() {
    let c = catalogue();
    let get: Vec<String> = c
        .expand("s3:Get*")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(get.contains(&"s3:GetObject".to_owned()));
    assert!(!get.contains(&"s3:PutObject".to_owned()));
    assert_eq!(c.access_level("s3:putobject"), Some(AccessLevel::Write));
    assert_eq!(
        c.access_level("iam:PassRole"),
        Some(AccessLevel::PermissionsManagement)
    );
    assert_eq!(c.access_level("dynamodb:Scan"), Some(AccessLevel::Read));
    assert_eq!(c.access_level("s3:Get*"), None);
}

#[test]
fn a_pattern_is_broad_when_it_spans_access_levels_or_manages_permissions() {
    let c = catalogue();
    // Variants of one kind of access.
    assert!(!c.is_broad_pattern("sqs:SendMessage*"));
    assert!(!c.is_broad_pattern("dynamodb:Get*"));
    // More than one level, or permissions management.
    assert!(c.is_broad_pattern("*"));
    assert!(c.is_broad_pattern("s3:*"));
    assert!(c.is_broad_pattern("s3:Put*"));
    assert!(c.is_broad_pattern("iam:Put*"));
    // Exact names and patterns that grant nothing are not wildcards.
    assert!(!c.is_broad_pattern("s3:GetObject"));
    assert!(!c.is_broad_pattern("nosuchservice:*"));
}

#[test]
fn iam_problems_are_warnings_with_places_and_hints() {
    let model = loaded("tests/fixtures/iam/warnings.yaml");
    assert!(
        model
            .warnings
            .iter()
            .all(|w| w.severity == Severity::Warning)
    );
    let got = warnings(&model);
    let expected = [
        "13:18 `sts:GetCallerIdentify` is not an IAM action AWS defines, so it grants nothing | did you mean `sts:GetCallerIdentity`?",
        "13:43 `dynamdb` is not the prefix of an AWS service, so `dynamdb:GetItem` grants nothing | did you mean `dynamodb`?",
        "13:62 `s3:Gett*` matches no IAM action, so it grants nothing | check the spelling of the pattern's literal part",
        "14:24 `AmazonDynamoDBFulAccess` is not an AWS managed policy, so strider cannot tell what it grants | did you mean `AmazonDynamoDBFullAccess`?",
        "14:49 `arn:aws:iam::aws:policy/AWSLambdaRole` is not the ARN of the AWS managed policy `AWSLambdaRole` | its ARN is `arn:aws:iam::aws:policy/service-role/AWSLambdaRole` (or write its name alone)",
        "16:9 `DynamoDBCrudPolicyy` is not a SAM policy template, so strider cannot tell what it grants | did you mean `DynamoDBCrudPolicy`?",
        "17:9 policy template `DynamoDBCrudPolicy` needs `TableName` | give every parameter, naming element ids or ARNs: `DynamoDBCrudPolicy: {TableName: <id>}`",
        "18:39 policy template `S3ReadPolicy` has no parameter `TableName` | `S3ReadPolicy` takes `BucketName`",
        "21:24 `NotAPolicyAtAll` is not an AWS managed policy, so strider cannot tell what it grants | name an AWS managed policy (`AmazonDynamoDBReadOnlyAccess`) or its ARN; write your own statements as `permissions`",
    ];
    assert_eq!(got, expected);
    // `lambda:invokefunction` is known: IAM action names are case-insensitive.
    assert!(!got.iter().any(|w| w.contains("invokefunction")));
    let codes: Vec<Code> = model.warnings.iter().map(|w| w.code).collect();
    assert!(codes.contains(&Code::MissingField) && codes.contains(&Code::UnknownKey));
}

#[test]
fn a_shared_role_and_own_managed_policies_conflict() {
    let err = load(Path::new("tests/fixtures/iam/conflict.yaml")).expect_err("conflict");
    let conflict = err
        .diagnostics
        .iter()
        .find(|d| d.code == Code::Conflict)
        .expect("a conflict");
    assert!(
        conflict.message.contains("`managed_policies`"),
        "{}",
        conflict.message
    );
}

#[test]
fn effective_grants_gather_every_source_with_its_origin() {
    let model = loaded("tests/fixtures/iam/grants.yaml");
    assert_eq!(warnings(&model), Vec::<String>::new());
    let model = &model.model;

    let worker = effective_grants(model, "worker");
    let origins: Vec<Origin<'_>> = worker.iter().map(|g| g.origin).collect();
    assert_eq!(origins[0], Origin::Role("shared"));
    assert!(origins[1..].iter().all(|o| *o
        == Origin::ManagedPolicy {
            policy: "AmazonDynamoDBReadOnlyAccess",
            role: Some("shared")
        }));
    // The role's statement names the table's stream: the stream channel, a part of the table.
    let stream = &worker[0].resources[0];
    let targets: Vec<(&str, Reference)> =
        stream.targets.iter().map(|t| (t.id, t.reference)).collect();
    assert_eq!(
        targets,
        [
            ("orders-table", Reference::Part(Part::Stream)),
            ("orders-stream", Reference::Whole)
        ]
    );
    assert!(
        worker
            .iter()
            .any(|g| g.actions.iter().any(|a| a.to_string() == "dynamodb:Scan"))
    );

    let api = effective_grants(model, "api");
    let shown: Vec<String> = api.iter().map(|g| g.origin.to_string()).collect();
    let mut distinct = shown.clone();
    distinct.dedup();
    assert_eq!(
        distinct,
        [
            "inline permissions",
            "managed policy `AWSLambdaRole`",
            "policy template `DynamoDBCrudPolicy`",
            "policy template `S3ReadPolicy`",
            "policy template `AWSSecretsManagerGetSecretValuePolicy`",
            "policy template `AMIDescribePolicy`",
        ]
    );
    let find = |origin: &str| {
        api.iter()
            .find(|g| g.origin.to_string() == origin)
            .expect(origin)
    };
    // Inline: `s3:GetObject` on the bucket's objects, not the bucket.
    let objects = &api[1];
    assert_eq!(
        objects.resources[0].targets[0].reference,
        Reference::Part(Part::Objects)
    );
    // AWSLambdaRole lets the function invoke any function: a wildcard that covers `api` and `worker`.
    let invoke = find("managed policy `AWSLambdaRole`");
    assert!(
        invoke
            .actions
            .iter()
            .any(|a| a.to_string() == "lambda:InvokeFunction")
    );
    assert!(invoke.has_wildcard_resource());
    let covered: Vec<&str> = invoke.resources[0].targets.iter().map(|t| t.id).collect();
    assert!(
        covered.contains(&"api") && covered.contains(&"worker"),
        "{covered:?}"
    );
    // Templates: parameters name elements, which the resources then refer to.
    let crud = find("policy template `DynamoDBCrudPolicy`");
    assert_eq!(crud.effect, Effect::Allow);
    let crud_targets: Vec<(&str, Reference)> = crud
        .resources
        .iter()
        .flat_map(|r| &r.targets)
        .map(|t| (t.id, t.reference))
        .collect();
    assert_eq!(
        crud_targets,
        [
            ("orders-table", Reference::Whole),
            ("orders-table", Reference::Part(Part::Index))
        ]
    );
    assert!(
        crud.actions
            .iter()
            .any(|a| a.to_string() == "dynamodb:DeleteItem")
    );
    let read = find("policy template `S3ReadPolicy`");
    let read_targets: Vec<Reference> = read
        .resources
        .iter()
        .flat_map(|r| &r.targets)
        .map(|t| t.reference)
        .collect();
    assert_eq!(
        read_targets,
        [Reference::Whole, Reference::Part(Part::Objects)]
    );
    let secret = find("policy template `AWSSecretsManagerGetSecretValuePolicy`");
    assert_eq!(secret.resources[0].targets[0].id, "db-secret");
    assert!(effective_grants(model, "nobody").is_empty());
}

#[test]
fn templates_report_what_they_miss() {
    let template = iam::policy_template("SQSSendMessagePolicy").expect("known");
    assert_eq!(template.parameters, ["QueueName"]);
    assert_eq!(
        template.instantiate(&BTreeMap::new()),
        Err(TemplateProblem::MissingParameters(vec!["QueueName"]))
    );
    let values = BTreeMap::from([("QueueName".to_owned(), "jobs".to_owned())]);
    let statements = template.instantiate(&values).expect("instantiates");
    assert_eq!(
        iam::classify(&statements[0].resources[0], ResourceKind::Queue, "jobs"),
        Reference::Whole
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Hostile patterns and names are bounded and never panic: huge patterns, runs of `*`,
    /// 10k-character names, non-ASCII.
    #[test]
    fn hostile_input_is_bounded(
        text in prop_oneof![
            "[a-z*?:]{0,40}",
            "\\PC{0,64}",
            Just("*".repeat(10_000)),
            Just(format!("s3:{}", "a".repeat(10_000))),
            Just(format!("s3:{}", "*a".repeat(5_000))),
            Just(format!("{}:*", "?".repeat(10_000))),
        ],
    ) {
        let started = std::time::Instant::now();
        let c = catalogue();
        let _ = c.expand(&text);
        let _ = c.diagnose(&text);
        let _ = c.action(&text);
        let _ = iam::managed_policy(&text);
        let _ = iam::policy_template(&text);
        for kind in [ResourceKind::Bucket, ResourceKind::Table, ResourceKind::Secret, ResourceKind::TableStream] {
            let _ = iam::classify(&text, kind, "orders");
            let _ = iam::classify(&format!("arn:aws:s3:::{text}"), kind, "orders");
            let _ = iam::classify("arn:aws:s3:::orders/*", kind, &text);
        }
        prop_assert!(started.elapsed() < std::time::Duration::from_secs(5), "{:?}", started.elapsed());
    }
}
