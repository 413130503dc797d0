//! Each Terraform resource type as the CloudFormation resource it stands for, with what
//! Terraform configures in resources of their own folded in.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    FOLDED, Plan, TYPES, Target, collect_references, config_path, first, from_json, is_null, list,
    scalar, split_address, strip_key,
};
use crate::import::synth::{join, map, pascal, reference, resource, seq, text};
use crate::model::diagnostic::Span;
use crate::model::yaml::{Key, Node, Value};

impl Plan<'_> {
    /// Every managed resource as a CloudFormation resource: (logical id, resource).
    pub(super) fn translate(&mut self) -> Vec<(String, Node)> {
        let mut out = Vec::new();
        for at in 0..self.insts.len() {
            let inst = &self.insts[at];
            if inst.data || FOLDED.contains(&inst.kind.as_str()) {
                continue;
            }
            let kind = inst.kind.clone();
            let properties = match kind.as_str() {
                "aws_lambda_function" => self.function(at),
                "aws_lambda_event_source_mapping" => self.event_source_mapping(at),
                "aws_lambda_function_url" => self.function_url(at),
                "aws_s3_bucket" => self.bucket(at, &mut out),
                "aws_s3_bucket_policy" => self.resource_policy(at, "Bucket", &["aws_s3_bucket"]),
                "aws_dynamodb_table" => self.table(at),
                "aws_sqs_queue" => self.queue(at),
                "aws_sns_topic" => self.props(
                    at,
                    &[
                        ("TopicName", "name"),
                        ("KmsMasterKeyId", "kms_master_key_id"),
                    ],
                ),
                "aws_sns_topic_subscription" => self.subscription(at),
                "aws_kinesis_stream" => self.stream(at),
                "aws_secretsmanager_secret" => {
                    self.props(at, &[("Name", "name"), ("KmsKeyId", "kms_key_id")])
                }
                "aws_iam_role" => self.role(at),
                "aws_iam_role_policy" => self.role_policy(at),
                "aws_iam_policy" => self.managed_policy(at),
                "aws_api_gateway_rest_api" => self.rest_api(at),
                "aws_api_gateway_resource" => self.rest_resource(at),
                "aws_api_gateway_method" => {
                    let mut notes = Vec::new();
                    let p = self.rest_method(at, &mut notes);
                    self.notes.extend(notes);
                    p
                }
                "aws_apigatewayv2_api" => self.v2_api(at),
                "aws_api_gateway_stage" => self.stage(at, "rest_api_id"),
                "aws_apigatewayv2_stage" => self.stage(at, "api_id"),
                "aws_apigatewayv2_integration" => self.v2_integration(at),
                "aws_apigatewayv2_route" => self.v2_route(at),
                "aws_cognito_user_pool" => self.user_pool(at),
                "aws_cognito_user_pool_client" => self.user_pool_client(at),
                "aws_cloudwatch_log_group" => self.log_group(at),
                "aws_cloudwatch_event_rule" => self.rule(at),
                "aws_wafv2_web_acl_association" => self.waf(at),
                "aws_sfn_state_machine" => self.state_machine(at),
                "aws_lb" | "aws_alb" => self.load_balancer(at),
                "aws_lb_listener" | "aws_alb_listener" => self.lb_listener(at),
                "aws_lb_listener_rule" | "aws_alb_listener_rule" => self.lb_rule(at),
                "aws_lb_target_group" | "aws_alb_target_group" => self.target_group(at),
                _ => Vec::new(),
            };
            let inst = &self.insts[at];
            let span = inst.span;
            let cfn = TYPES
                .iter()
                .find(|(tf, _)| *tf == kind)
                .map_or(kind.as_str(), |(_, cfn)| cfn);
            let mut node = resource(span, cfn, Node::mapping(span, properties));
            if let Value::Mapping(entries) = &mut node.value {
                let metadata = map(
                    span,
                    vec![
                        ("strider:address", text(span, &inst.address)),
                        ("strider:type", text(span, &kind)),
                    ],
                );
                entries.push((
                    Key {
                        text: "Metadata".to_owned(),
                        span,
                    },
                    metadata,
                ));
            }
            out.push((inst.logical.clone(), node));
        }
        out
    }

    /// Properties copied from known values: (CloudFormation property, Terraform attribute).
    fn props(&self, at: usize, pairs: &[(&'static str, &str)]) -> Vec<(&'static str, Node)> {
        pairs
            .iter()
            .filter_map(|(to, from)| {
                let value = self.value(at, &[from])?;
                matches!(value.value, Value::Scalar { .. }).then(|| (*to, value.clone()))
            })
            .filter(|(_, v)| v.as_scalar() != Some(""))
            .collect()
    }

    /// Managed instances of `kind` whose attribute `attr` refers to instance `target`. Each
    /// (kind, attribute, target type) is resolved once for every instance, so that folding
    /// stays linear in the size of the plan.
    fn referring(&self, kind: &str, attr: &[&str], target: usize) -> Vec<usize> {
        let target_kind = self.insts[target].kind.clone();
        let key = (kind.to_owned(), attr.join("."), target_kind.clone());
        let mut cache = self.referrers.borrow_mut();
        let by_target = cache.entry(key).or_insert_with(|| {
            let mut by_target: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
            for i in self.of_kind(kind) {
                if let Some(t) = self.target_of(i, attr, &[target_kind.as_str()]) {
                    by_target.entry(t).or_default().push(i);
                }
            }
            by_target
        });
        by_target.get(&target).cloned().unwrap_or_default()
    }

    fn function(&mut self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(
            at,
            &[
                ("FunctionName", "function_name"),
                ("Description", "description"),
                ("Runtime", "runtime"),
                ("Handler", "handler"),
                ("Timeout", "timeout"),
                ("MemorySize", "memory_size"),
                ("PackageType", "package_type"),
            ],
        );
        if let Some(reserved) = self.value(at, &["reserved_concurrent_executions"])
            && reserved.as_scalar().is_some_and(|r| !r.starts_with('-'))
        {
            p.push(("ReservedConcurrentExecutions", reserved.clone()));
        }
        if let Some(role) = self.link(at, &["role"], &["aws_iam_role"]) {
            p.push(("Role", role));
        } else if self.expression(at, &["role"]).is_some() {
            // Known only after apply, and not a resource of the plan: said by the mapper.
            p.push(("Role", text(span, "")));
        }
        if let Some(variables) = self.environment(at) {
            p.push(("Environment", map(span, vec![("Variables", variables)])));
        }
        if let Some(mode) = self.value(at, &["tracing_config", "mode"]) {
            p.push(("TracingConfig", map(span, vec![("Mode", mode.clone())])));
        }
        if let Some(target) = self.link(
            at,
            &["dead_letter_config", "target_arn"],
            &["aws_sqs_queue", "aws_sns_topic"],
        ) {
            p.push(("DeadLetterConfig", map(span, vec![("TargetArn", target)])));
        }
        let subnets = self
            .value(at, &["vpc_config", "subnet_ids"])
            .is_some_and(|s| matches!(&s.value, Value::Sequence(items) if !items.is_empty()))
            || self.expression(at, &["vpc_config", "subnet_ids"]).is_some();
        if subnets {
            p.push((
                "VpcConfig",
                map(span, vec![("SubnetIds", seq(span, Vec::new()))]),
            ));
        }
        if let Some(dir) = self.code_directory(at) {
            p.push(("CodeUri", text(span, &dir)));
        }
        let configs = self.referring(
            "aws_lambda_function_event_invoke_config",
            &["function_name"],
            at,
        );
        if let Some(&config) = configs.first()
            && let Some(destination) = self.link(
                config,
                &["destination_config", "on_failure", "destination"],
                &[
                    "aws_sqs_queue",
                    "aws_sns_topic",
                    "aws_lambda_function",
                    "aws_cloudwatch_event_bus",
                ],
            )
        {
            p.push((
                "EventInvokeConfig",
                map(
                    span,
                    vec![(
                        "DestinationConfig",
                        map(
                            span,
                            vec![("OnFailure", map(span, vec![("Destination", destination)]))],
                        ),
                    )],
                ),
            ));
        }
        p
    }

    /// The function's environment: known values (sensitive ones masked), resources named by
    /// their ARN or name as references.
    fn environment(&mut self, at: usize) -> Option<Node> {
        let span = self.insts[at].span;
        if let Some(Value::Mapping(entries)) = self
            .value(at, &["environment", "variables"])
            .map(|v| &v.value)
        {
            let entries: Vec<(String, Node)> = entries
                .iter()
                .map(|(k, v)| {
                    let linked = v
                        .as_scalar()
                        .and_then(|t| self.identified(t, &[]))
                        .map(|t| self.reference_to(v.span, &t));
                    (k.text.clone(), linked.unwrap_or_else(|| v.clone()))
                })
                .collect();
            return Some(Node::mapping_placed(span, entries));
        }
        if self.expression(at, &["environment", "variables"]).is_some() {
            let message = format!(
                "the environment of `{}` is known only after apply: it is not in the model",
                self.insts[at].address
            );
            self.notes.push((span, message));
        }
        None
    }

    /// The directory the function's code is zipped from (`data.archive_file`'s `source_dir`),
    /// when it is a relative path: its known value, else its configuration.
    fn code_directory(&self, at: usize) -> Option<String> {
        let expression = self.expression(at, &["filename"])?;
        let mut references = BTreeSet::new();
        collect_references(expression, &mut references, 0);
        let module = &self.insts[at].module;
        let archive = references.iter().find_map(|r| {
            let parts = split_address(r);
            (parts.len() >= 3 && parts[0] == "data" && parts[1] == "archive_file")
                .then(|| format!("data.archive_file.{}", strip_key(&parts[2])))
        })?;
        let prefix = if module.is_empty() {
            String::new()
        } else {
            format!("{module}.")
        };
        let known = self
            .by_address
            .get(&format!("{prefix}{archive}"))
            .and_then(|&i| scalar(self.value(i, &["source_dir"])));
        let configured = || {
            let config = self
                .config
                .get(&config_path(module))?
                .resources
                .get(&archive)?;
            scalar(
                config
                    .get("expressions")?
                    .get("source_dir")?
                    .get("constant_value"),
            )
        };
        let dir = known.or_else(configured)?;
        (!dir.is_empty() && stays_inside(dir)).then(|| dir.to_owned())
    }

    fn event_source_mapping(&self, at: usize) -> Vec<(&'static str, Node)> {
        let mut p = self.props(at, &[("BatchSize", "batch_size")]);
        if let Some(source) = self.link(
            at,
            &["event_source_arn"],
            &["aws_sqs_queue", "aws_kinesis_stream", "aws_dynamodb_table"],
        ) {
            p.push(("EventSourceArn", source));
        }
        if let Some(function) = self.link(at, &["function_name"], &["aws_lambda_function"]) {
            p.push(("FunctionName", function));
        }
        if let Some(types) = self.value(at, &["function_response_types"]) {
            p.push(("FunctionResponseTypes", types.clone()));
        }
        p
    }

    fn function_url(&self, at: usize) -> Vec<(&'static str, Node)> {
        let mut p = self.props(at, &[("AuthType", "authorization_type")]);
        if let Some(function) = self.link(at, &["function_name"], &["aws_lambda_function"]) {
            p.push(("TargetFunctionArn", function));
        }
        if let Some(cors) = self.cors(at, "cors") {
            p.push(("Cors", cors));
        }
        p
    }

    /// A `cors` or `cors_configuration` block of a function URL or an HTTP API as
    /// CloudFormation's `AllowOrigins`, `AllowMethods` and `AllowCredentials`.
    fn cors(&self, at: usize, block: &str) -> Option<Node> {
        let span = self.insts[at].span;
        if !matches!(
            self.value(at, &[block]).map(|b| &first(b).value),
            Some(Value::Mapping(_))
        ) {
            return None;
        }
        let mut cors = Vec::new();
        for (to, from) in [
            ("AllowOrigins", "allow_origins"),
            ("AllowMethods", "allow_methods"),
            ("AllowCredentials", "allow_credentials"),
        ] {
            if let Some(value) = self.value(at, &[block, from]) {
                cors.push((to, value.clone()));
            }
        }
        Some(map(span, cors))
    }

    /// A bucket with what Terraform configures in resources of their own; a policy written
    /// on the bucket itself becomes a bucket policy resource in `out`.
    fn bucket(&mut self, at: usize, out: &mut Vec<(String, Node)>) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(at, &[("BucketName", "bucket")]);
        let part = |kind: &str| self.referring(kind, &["bucket"], at).first().copied();
        if let Some(encryption) = self.bucket_encryption(at) {
            p.push(("BucketEncryption", encryption));
        }
        let versioning = self
            .value(at, &["versioning", "enabled"])
            .and_then(Node::as_scalar)
            .map(|e| e == "true")
            .or_else(|| {
                let v = part("aws_s3_bucket_versioning")?;
                Some(
                    self.value(v, &["versioning_configuration", "status"])?
                        .as_scalar()?
                        == "Enabled",
                )
            });
        if versioning == Some(true) {
            p.push((
                "VersioningConfiguration",
                map(span, vec![("Status", text(span, "Enabled"))]),
            ));
        }
        let logging = self.value(at, &["logging", "target_bucket"]).is_some()
            || part("aws_s3_bucket_logging").is_some();
        if logging {
            p.push(("LoggingConfiguration", map(span, Vec::new())));
        }
        // Website hosting: the bucket's own `website` block (AWS provider v3) or a resource of
        // its own (v4 and later).
        let website = self.value(at, &["website", "index_document"]).is_some()
            || self
                .value(at, &["website", "redirect_all_requests_to"])
                .is_some()
            || part("aws_s3_bucket_website_configuration").is_some();
        if website {
            p.push(("WebsiteConfiguration", map(span, Vec::new())));
        }
        p.extend(self.bucket_access(at));
        if let Some(cors) = self.bucket_cors(at) {
            p.push(("CorsConfiguration", cors));
        }
        if let Some(notification) = part("aws_s3_bucket_notification") {
            p.push((
                "NotificationConfiguration",
                self.notifications(notification),
            ));
        }
        if self
            .value(at, &["policy"])
            .and_then(Node::as_scalar)
            .is_some_and(|s| !s.is_empty())
            && let Some(document) = self.policy(at, &["policy"])
        {
            let logical = self
                .logicals
                .claim(&format!("{}_policy", self.insts[at].logical));
            let bucket = reference(span, &self.insts[at].logical);
            let properties = map(span, vec![("Bucket", bucket), ("PolicyDocument", document)]);
            out.push((logical, resource(span, "AWS::S3::BucketPolicy", properties)));
        }
        p
    }

    /// Who may reach a bucket's objects: its canned ACL (its own `acl`, AWS provider < 4, or
    /// an `aws_s3_bucket_acl`), its `aws_s3_bucket_public_access_block` and its
    /// `aws_s3_bucket_ownership_controls`.
    fn bucket_access(&self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let part = |kind: &str| self.referring(kind, &["bucket"], at).first().copied();
        let mut p = Vec::new();
        let acl = self
            .value(at, &["acl"])
            .and_then(Node::as_scalar)
            .map(str::to_owned)
            .or_else(|| {
                let acl = part("aws_s3_bucket_acl")?;
                self.value(acl, &["acl"])?.as_scalar().map(str::to_owned)
            });
        if let Some((_, canned)) = acl.and_then(|acl| CANNED_ACLS.iter().find(|(tf, _)| *tf == acl))
        {
            p.push(("AccessControl", text(span, canned)));
        }
        if let Some(block) = part("aws_s3_bucket_public_access_block") {
            let settings: Vec<(&str, Node)> = [
                ("BlockPublicAcls", "block_public_acls"),
                ("BlockPublicPolicy", "block_public_policy"),
                ("IgnorePublicAcls", "ignore_public_acls"),
                ("RestrictPublicBuckets", "restrict_public_buckets"),
            ]
            .into_iter()
            .filter_map(|(to, from)| Some((to, self.value(block, &[from])?.clone())))
            .collect();
            p.push(("PublicAccessBlockConfiguration", map(span, settings)));
        }
        if let Some(ownership) = part("aws_s3_bucket_ownership_controls")
            .and_then(|o| self.value(o, &["rule", "object_ownership"]))
        {
            let rule = map(span, vec![("ObjectOwnership", ownership.clone())]);
            p.push((
                "OwnershipControls",
                map(span, vec![("Rules", seq(span, vec![rule]))]),
            ));
        }
        p
    }

    /// A bucket's CORS rules: its own `cors_rule` blocks (AWS provider < 4), else those of its
    /// `aws_s3_bucket_cors_configuration`.
    fn bucket_cors(&self, at: usize) -> Option<Node> {
        let span = self.insts[at].span;
        let rules = |i: usize| -> Vec<Node> {
            list(self.value(i, &["cors_rule"]))
                .into_iter()
                .map(|rule| {
                    let entries: Vec<(&str, Node)> = [
                        ("AllowedOrigins", "allowed_origins"),
                        ("AllowedMethods", "allowed_methods"),
                    ]
                    .into_iter()
                    .filter_map(|(to, from)| Some((to, rule.get(from)?.clone())))
                    .collect();
                    map(span, entries)
                })
                .collect()
        };
        let mut found = rules(at);
        if found.is_empty() {
            let configuration = self
                .referring("aws_s3_bucket_cors_configuration", &["bucket"], at)
                .first()
                .copied()?;
            found = rules(configuration);
        }
        (!found.is_empty()).then(|| map(span, vec![("CorsRules", seq(span, found))]))
    }

    /// A bucket's default encryption: its own block (AWS provider < 4), else the
    /// `aws_s3_bucket_server_side_encryption_configuration` of it.
    fn bucket_encryption(&self, at: usize) -> Option<Node> {
        let span = self.insts[at].span;
        let part = |kind: &str| self.referring(kind, &["bucket"], at).first().copied();
        let algorithm = self
            .value(
                at,
                &[
                    "server_side_encryption_configuration",
                    "rule",
                    "apply_server_side_encryption_by_default",
                    "sse_algorithm",
                ],
            )
            .or_else(|| {
                let sse = part("aws_s3_bucket_server_side_encryption_configuration")?;
                self.value(
                    sse,
                    &[
                        "rule",
                        "apply_server_side_encryption_by_default",
                        "sse_algorithm",
                    ],
                )
            });
        let algorithm = algorithm?;
        Some(map(
            span,
            vec![(
                "ServerSideEncryptionConfiguration",
                seq(
                    span,
                    vec![map(
                        span,
                        vec![(
                            "ServerSideEncryptionByDefault",
                            map(span, vec![("SSEAlgorithm", algorithm.clone())]),
                        )],
                    )],
                ),
            )],
        ))
    }

    /// An `aws_s3_bucket_notification` as the bucket's `NotificationConfiguration`: one
    /// configuration per event, with the key filter.
    fn notifications(&self, at: usize) -> Node {
        let span = self.insts[at].span;
        let mut sections = Vec::new();
        for (block, to, target, kinds) in [
            (
                "lambda_function",
                "LambdaConfigurations",
                "Function",
                "aws_lambda_function",
            ),
            ("queue", "QueueConfigurations", "Queue", "aws_sqs_queue"),
            ("topic", "TopicConfigurations", "Topic", "aws_sns_topic"),
        ] {
            let Some(Value::Sequence(items)) = self.value(at, &[block]).map(|v| v.value.clone())
            else {
                continue;
            };
            let arn_key = match block {
                "lambda_function" => "lambda_function_arn",
                "queue" => "queue_arn",
                _ => "topic_arn",
            };
            let mut configurations = Vec::new();
            for item in &items {
                let destination = item
                    .get(arn_key)
                    .and_then(Node::as_scalar)
                    .and_then(|arn| self.identified(arn, &[kinds]))
                    .or_else(|| {
                        let refs: Vec<Target> = self
                            .refs(at, &[block])
                            .into_iter()
                            .filter(|(i, _)| self.is_target(*i, &[kinds]))
                            .collect();
                        (refs.len() == 1).then(|| refs[0].clone())
                    });
                let Some(destination) = destination else {
                    continue;
                };
                let mut rules = Vec::new();
                for (name, key) in [("prefix", "filter_prefix"), ("suffix", "filter_suffix")] {
                    if let Some(value) = item
                        .get(key)
                        .and_then(Node::as_scalar)
                        .filter(|v| !v.is_empty())
                    {
                        rules.push(map(
                            span,
                            vec![("Name", text(span, name)), ("Value", text(span, value))],
                        ));
                    }
                }
                for event in list(item.get("events")) {
                    let mut entries = vec![
                        ("Event", event.clone()),
                        (target, self.reference_to(span, &destination)),
                    ];
                    if !rules.is_empty() {
                        entries.push((
                            "Filter",
                            map(
                                span,
                                vec![(
                                    "S3Key",
                                    map(span, vec![("Rules", seq(span, rules.clone()))]),
                                )],
                            ),
                        ));
                    }
                    configurations.push(map(span, entries));
                }
            }
            sections.push((to, seq(span, configurations)));
        }
        map(span, sections)
    }

    /// A resource policy (`aws_s3_bucket_policy`): the resource it is on, and its document.
    fn resource_policy(
        &mut self,
        at: usize,
        on: &'static str,
        kinds: &[&str],
    ) -> Vec<(&'static str, Node)> {
        let mut p = Vec::new();
        if let Some(target) = self.link(at, &["bucket"], kinds) {
            p.push((on, target));
        }
        if let Some(document) = self.policy(at, &["policy"]) {
            p.push(("PolicyDocument", document));
        }
        p
    }

    fn table(&self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(at, &[("TableName", "name")]);
        let enabled = self
            .value(at, &["server_side_encryption", "enabled"])
            .cloned();
        if let Some(enabled) = enabled {
            let mut sse = vec![("SSEEnabled", enabled)];
            if let Some(key) = self
                .value(at, &["server_side_encryption", "kms_key_arn"])
                .filter(|k| k.as_scalar() != Some(""))
            {
                sse.push(("KMSMasterKeyId", key.clone()));
            }
            p.push(("SSESpecification", map(span, sse)));
        }
        if let Some(pitr) = self.value(at, &["point_in_time_recovery", "enabled"]) {
            p.push((
                "PointInTimeRecoverySpecification",
                map(span, vec![("PointInTimeRecoveryEnabled", pitr.clone())]),
            ));
        }
        if let Some(ttl) = self.value(at, &["ttl", "enabled"]) {
            p.push((
                "TimeToLiveSpecification",
                map(span, vec![("Enabled", ttl.clone())]),
            ));
        }
        if let Some(mode) = self.value(at, &["billing_mode"]) {
            p.push(("BillingMode", mode.clone()));
        }
        // hash_key, range_key and the attribute blocks, as CloudFormation's key schema.
        let mut schema = Vec::new();
        for (field, kind) in [("hash_key", "HASH"), ("range_key", "RANGE")] {
            if let Some(name) = self.value(at, &[field]).filter(|n| !is_null(n)) {
                schema.push(map(
                    span,
                    vec![
                        ("AttributeName", name.clone()),
                        ("KeyType", text(span, kind)),
                    ],
                ));
            }
        }
        if !schema.is_empty() {
            p.push(("KeySchema", seq(span, schema)));
            let attributes: Vec<Node> = list(self.value(at, &["attribute"]))
                .into_iter()
                .filter_map(|a| {
                    Some(map(
                        span,
                        vec![
                            ("AttributeName", a.get("name")?.clone()),
                            ("AttributeType", a.get("type")?.clone()),
                        ],
                    ))
                })
                .collect();
            p.push(("AttributeDefinitions", seq(span, attributes)));
        }
        if self
            .value(at, &["stream_enabled"])
            .and_then(Node::as_scalar)
            == Some("true")
        {
            let view = self
                .value(at, &["stream_view_type"])
                .cloned()
                .unwrap_or_else(|| text(span, "NEW_AND_OLD_IMAGES"));
            p.push((
                "StreamSpecification",
                map(span, vec![("StreamViewType", view)]),
            ));
        }
        p
    }

    fn queue(&mut self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(
            at,
            &[
                ("QueueName", "name"),
                ("KmsMasterKeyId", "kms_master_key_id"),
                ("SqsManagedSseEnabled", "sqs_managed_sse_enabled"),
            ],
        );
        let redrive = self
            .value(at, &["redrive_policy"])
            .and_then(Node::as_scalar)
            .filter(|r| !r.is_empty())
            .and_then(|r| serde_json::from_str::<serde_json::Value>(r).ok());
        if let Some(redrive) = redrive {
            let mut entries = Vec::new();
            if let Some(arn) = redrive.get("deadLetterTargetArn").and_then(|a| a.as_str()) {
                let target = self
                    .identified(arn, &["aws_sqs_queue"])
                    .map_or_else(|| text(span, arn), |t| self.reference_to(span, &t));
                entries.push(("deadLetterTargetArn", target));
            }
            if let Some(count) = redrive.get("maxReceiveCount") {
                entries.push(("maxReceiveCount", from_json(count, span)));
            }
            p.push(("RedrivePolicy", map(span, entries)));
        } else if let Some(dlq) = self
            .refs(at, &["redrive_policy"])
            .into_iter()
            .find(|(i, _)| *i != at && self.is_target(*i, &["aws_sqs_queue"]))
        {
            // `jsonencode({deadLetterTargetArn = aws_sqs_queue.dlq.arn, …})`, known after apply.
            p.push((
                "RedrivePolicy",
                map(
                    span,
                    vec![(
                        "deadLetterTargetArn",
                        self.reference_to(span, &(dlq.0, Some("arn".to_owned()))),
                    )],
                ),
            ));
        }
        p
    }

    fn subscription(&self, at: usize) -> Vec<(&'static str, Node)> {
        let mut p = self.props(at, &[("Protocol", "protocol")]);
        if let Some(topic) = self.link(at, &["topic_arn"], &["aws_sns_topic"]) {
            p.push(("TopicArn", topic));
        }
        if let Some(endpoint) =
            self.link(at, &["endpoint"], &["aws_sqs_queue", "aws_lambda_function"])
        {
            p.push(("Endpoint", endpoint));
        }
        p
    }

    fn stream(&self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(at, &[("Name", "name")]);
        if let Some(kind) = self
            .value(at, &["encryption_type"])
            .filter(|t| t.as_scalar().is_some_and(|t| t != "NONE"))
        {
            p.push((
                "StreamEncryption",
                map(span, vec![("EncryptionType", kind.clone())]),
            ));
        }
        p
    }

    fn role(&mut self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(at, &[("RoleName", "name")]);
        if let Some(trust) = self.policy(at, &["assume_role_policy"]) {
            p.push(("AssumeRolePolicyDocument", trust));
        }
        let mut inline = Vec::new();
        let blocks: Vec<Node> = list(self.value(at, &["inline_policy"]))
            .into_iter()
            .cloned()
            .collect();
        for block in blocks {
            if let Some(json) = block
                .get("policy")
                .and_then(Node::as_scalar)
                .filter(|j| !j.is_empty())
                && let Some(document) = self.parsed_policy(block.span, json)
            {
                let name = block
                    .get("name")
                    .cloned()
                    .unwrap_or_else(|| text(span, "inline"));
                inline.push(map(
                    span,
                    vec![("PolicyName", name), ("PolicyDocument", document)],
                ));
            }
        }
        if !inline.is_empty() {
            p.push(("Policies", seq(span, inline)));
        }
        // AWS managed policies: the role's own list, and attachments of policies that are not
        // in the plan (those that are list the role themselves).
        let mut managed: Vec<Node> = list(self.value(at, &["managed_policy_arns"]))
            .into_iter()
            .cloned()
            .collect();
        for attachment in self.referring("aws_iam_role_policy_attachment", &["role"], at) {
            let attached = self.link(attachment, &["policy_arn"], &["aws_iam_policy"]);
            if let Some(node) = attached.filter(|n| n.as_scalar().is_some_and(|s| !s.is_empty())) {
                managed.push(node);
            }
        }
        if !managed.is_empty() {
            p.push(("ManagedPolicyArns", seq(span, managed)));
        }
        p
    }

    fn role_policy(&mut self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(at, &[("PolicyName", "name")]);
        if let Some(role) = self.link(at, &["role"], &["aws_iam_role"]) {
            p.push(("Roles", seq(span, vec![role])));
        }
        if let Some(document) = self.policy(at, &["policy"]) {
            p.push(("PolicyDocument", document));
        }
        p
    }

    fn managed_policy(&mut self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(at, &[("ManagedPolicyName", "name")]);
        let mut roles = Vec::new();
        for attachment in self.referring("aws_iam_role_policy_attachment", &["policy_arn"], at) {
            if let Some(role) = self.link(attachment, &["role"], &["aws_iam_role"]) {
                roles.push(role);
            }
        }
        for attachment in self.referring("aws_iam_policy_attachment", &["policy_arn"], at) {
            roles.extend(self.links(attachment, &["roles"], &["aws_iam_role"]));
        }
        if !roles.is_empty() {
            p.push(("Roles", seq(span, roles)));
        }
        if let Some(document) = self.policy(at, &["policy"]) {
            p.push(("PolicyDocument", document));
        }
        p
    }

    fn rest_api(&self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(at, &[("Name", "name")]);
        if let Some(types) = self.value(at, &["endpoint_configuration", "types"]) {
            p.push((
                "EndpointConfiguration",
                map(span, vec![("Types", types.clone())]),
            ));
        }
        p
    }

    fn rest_resource(&self, at: usize) -> Vec<(&'static str, Node)> {
        let mut p = self.props(at, &[("PathPart", "path_part")]);
        let apis = ["aws_api_gateway_rest_api", "aws_api_gateway_resource"];
        if let Some(parent) = self.link(at, &["parent_id"], &apis) {
            p.push(("ParentId", parent));
        }
        if let Some(api) = self.link(at, &["rest_api_id"], &["aws_api_gateway_rest_api"]) {
            p.push(("RestApiId", api));
        }
        p
    }

    fn rest_method(&self, at: usize, notes: &mut Vec<(Span, String)>) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(
            at,
            &[
                ("HttpMethod", "http_method"),
                ("AuthorizationType", "authorization"),
                ("ApiKeyRequired", "api_key_required"),
            ],
        );
        let apis = ["aws_api_gateway_rest_api", "aws_api_gateway_resource"];
        let resource = self.link(at, &["resource_id"], &apis);
        if let Some(resource) = &resource {
            p.push(("ResourceId", resource.clone()));
        }
        if let Some(api) = self.link(at, &["rest_api_id"], &["aws_api_gateway_rest_api"]) {
            p.push(("RestApiId", api));
        }
        // The integration of this method: one whose `http_method` refers to it, or that names
        // the same resource and method.
        let method = scalar(self.value(at, &["http_method"]));
        let resource_id = scalar(self.value(at, &["resource_id"]));
        let integration = self
            .referring("aws_api_gateway_integration", &["http_method"], at)
            .first()
            .copied()
            .or_else(|| {
                let key = (resource_id?.to_owned(), method?.to_owned());
                self.routes.get(&key).copied()
            });
        if let Some(integration) = integration {
            let mut entries = self.props(integration, &[("Type", "type")]);
            match self.link(integration, &["uri"], &["aws_lambda_function"]) {
                Some(uri) => entries.push(("Uri", uri)),
                None if scalar(self.value(integration, &["type"]))
                    .is_some_and(|t| t == "AWS_PROXY" || t == "AWS") =>
                {
                    let message = format!(
                        "the function `{}` invokes is not in the plan (its `uri` is unknown or outside it): the route is not in the model",
                        self.insts[integration].address
                    );
                    notes.push((self.insts[integration].span, message));
                }
                None => {}
            }
            p.push(("Integration", map(span, entries)));
        }
        p
    }

    fn v2_integration(&self, at: usize) -> Vec<(&'static str, Node)> {
        let mut p = self.props(at, &[("IntegrationType", "integration_type")]);
        if let Some(api) = self.link(at, &["api_id"], &["aws_apigatewayv2_api"]) {
            p.push(("ApiId", api));
        }
        if let Some(uri) = self.link(at, &["integration_uri"], &["aws_lambda_function"]) {
            p.push(("IntegrationUri", uri));
        }
        p
    }

    fn v2_route(&self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(
            at,
            &[
                ("RouteKey", "route_key"),
                ("AuthorizationType", "authorization_type"),
            ],
        );
        if let Some(api) = self.link(at, &["api_id"], &["aws_apigatewayv2_api"]) {
            p.push(("ApiId", api));
        }
        // `integrations/<id>`: the integration, by reference or by its known id.
        let known = scalar(self.value(at, &["target"]))
            .and_then(|t| t.strip_prefix("integrations/"))
            .and_then(|id| self.identified(id, &["aws_apigatewayv2_integration"]));
        let integration = known.or_else(|| {
            self.refs(at, &["target"])
                .into_iter()
                .find(|(i, _)| self.is_target(*i, &["aws_apigatewayv2_integration"]))
        });
        if let Some((integration, _)) = integration {
            p.push((
                "Target",
                join(
                    span,
                    vec![
                        text(span, "integrations/"),
                        reference(span, &self.insts[integration].logical),
                    ],
                ),
            ));
        }
        p
    }

    fn v2_api(&self, at: usize) -> Vec<(&'static str, Node)> {
        let mut p = self.props(at, &[("Name", "name"), ("ProtocolType", "protocol_type")]);
        if let Some(cors) = self.cors(at, "cors_configuration") {
            p.push(("CorsConfiguration", cors));
        }
        p
    }

    /// A REST (`rest_api_id`) or HTTP/WebSocket (`api_id`) API's stage: its API, and its
    /// access log destination when it writes access logs (known, or known after apply).
    fn stage(&self, at: usize, api: &str) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let (key, kinds, settings) = if api == "rest_api_id" {
            ("RestApiId", "aws_api_gateway_rest_api", "AccessLogSetting")
        } else {
            ("ApiId", "aws_apigatewayv2_api", "AccessLogSettings")
        };
        let mut p = Vec::new();
        if let Some(api) = self.link(at, &[api], &[kinds]) {
            p.push((key, api));
        }
        let path = ["access_log_settings", "destination_arn"];
        let destination = self
            .link(at, &path, &["aws_cloudwatch_log_group"])
            .or_else(|| self.expression(at, &path).map(|_| text(span, "")));
        if let Some(destination) = destination {
            p.push((settings, map(span, vec![("DestinationArn", destination)])));
        }
        p
    }

    fn user_pool(&self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(
            at,
            &[
                ("UserPoolName", "name"),
                ("MfaConfiguration", "mfa_configuration"),
            ],
        );
        let mut triggers = Vec::new();
        // The triggers set: known values, and those known only after apply (configured).
        let mut events = BTreeSet::new();
        for node in [
            self.value(at, &["lambda_config"]),
            self.expression(at, &["lambda_config"]),
        ] {
            if let Some(Value::Mapping(config)) = node.map(|c| &first(c).value) {
                events.extend(config.iter().map(|(k, _)| k.text.clone()));
            }
        }
        for event in events {
            if let Some(function) = self
                .link(at, &["lambda_config", &event], &["aws_lambda_function"])
                .filter(|f| f.as_scalar().is_none())
            {
                triggers.push((pascal(&event), function));
            }
        }
        if !triggers.is_empty() {
            p.push(("LambdaConfig", Node::mapping(span, triggers)));
        }
        p.extend(self.user_pool_policy_and_schema(at));
        p
    }

    /// A pool's `password_policy` block and its `schema` attributes.
    fn user_pool_policy_and_schema(&self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = Vec::new();
        if let Some(Value::Mapping(_)) = self
            .value(at, &["password_policy"])
            .map(|b| &first(b).value)
        {
            let policy: Vec<(&str, Node)> = [
                ("MinimumLength", "minimum_length"),
                ("RequireLowercase", "require_lowercase"),
                ("RequireUppercase", "require_uppercase"),
                ("RequireNumbers", "require_numbers"),
                ("RequireSymbols", "require_symbols"),
            ]
            .into_iter()
            .filter_map(|(to, from)| {
                Some((to, self.value(at, &["password_policy", from])?.clone()))
            })
            .collect();
            p.push((
                "Policies",
                map(span, vec![("PasswordPolicy", map(span, policy))]),
            ));
        }
        let schema: Vec<Node> = list(self.value(at, &["schema"]))
            .into_iter()
            .map(|attribute| {
                let entries: Vec<(&str, Node)> = [
                    ("Name", "name"),
                    ("Mutable", "mutable"),
                    ("DeveloperOnlyAttribute", "developer_only_attribute"),
                ]
                .into_iter()
                .filter_map(|(to, from)| {
                    Some((to, attribute.get(from).filter(|v| !is_null(v))?.clone()))
                })
                .collect();
                map(span, entries)
            })
            .collect();
        if !schema.is_empty() {
            p.push(("Schema", seq(span, schema)));
        }
        p
    }

    /// An app client of a pool: its sign-in flows and the attributes it lets users write.
    fn user_pool_client(&self, at: usize) -> Vec<(&'static str, Node)> {
        let mut p = self.props(
            at,
            &[(
                "AllowedOAuthFlowsUserPoolClient",
                "allowed_oauth_flows_user_pool_client",
            )],
        );
        if let Some(pool) = self.link(at, &["user_pool_id"], &["aws_cognito_user_pool"]) {
            p.push(("UserPoolId", pool));
        }
        for (to, from) in [
            ("ExplicitAuthFlows", "explicit_auth_flows"),
            ("AllowedOAuthFlows", "allowed_oauth_flows"),
            ("WriteAttributes", "write_attributes"),
        ] {
            if let Some(values) = self.value(at, &[from]) {
                p.push((to, values.clone()));
            }
        }
        p
    }

    fn log_group(&self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = Vec::new();
        if let Some(days) = self
            .value(at, &["retention_in_days"])
            .filter(|d| d.as_scalar() != Some("0"))
        {
            p.push(("RetentionInDays", days.clone()));
        }
        // `/aws/lambda/<function name>`: the function's log group.
        let function = scalar(self.value(at, &["name"]))
            .and_then(|n| n.strip_prefix("/aws/lambda/"))
            .and_then(|name| self.identified(name, &["aws_lambda_function"]))
            .or_else(|| {
                let refs: Vec<Target> = self
                    .refs(at, &["name"])
                    .into_iter()
                    .filter(|(i, _)| self.is_target(*i, &["aws_lambda_function"]))
                    .collect();
                (refs.len() == 1).then(|| refs[0].clone())
            });
        match function {
            Some((function, _)) => p.push((
                "LogGroupName",
                join(
                    span,
                    vec![
                        text(span, "/aws/lambda/"),
                        reference(span, &self.insts[function].logical),
                    ],
                ),
            )),
            None => p.extend(self.props(at, &[("LogGroupName", "name")])),
        }
        p
    }

    /// An EventBridge rule with the functions its `aws_cloudwatch_event_target`s invoke.
    fn rule(&mut self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(
            at,
            &[
                ("Name", "name"),
                ("Description", "description"),
                ("ScheduleExpression", "schedule_expression"),
            ],
        );
        if let Some(pattern) = scalar(self.value(at, &["event_pattern"]))
            .filter(|p| !p.is_empty())
            .and_then(|p| serde_json::from_str::<serde_json::Value>(p).ok())
        {
            p.push(("EventPattern", from_json(&pattern, span)));
        }
        let targets: Vec<Node> = self
            .referring("aws_cloudwatch_event_target", &["rule"], at)
            .into_iter()
            .filter_map(|t| {
                self.link(
                    t,
                    &["arn"],
                    &["aws_lambda_function", "aws_sqs_queue", "aws_sns_topic"],
                )
            })
            .map(|arn| map(span, vec![("Arn", arn)]))
            .collect();
        if !targets.is_empty() {
            p.push(("Targets", seq(span, targets)));
        }
        p
    }

    /// A state machine: its definition with the ARNs of the plan's functions made references
    /// (the mapper finds the functions it invokes there), or, known only after apply, the
    /// functions its expression refers to.
    fn state_machine(&mut self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(at, &[("StateMachineName", "name")]);
        let definition = scalar(self.value(at, &["definition"]))
            .filter(|d| !d.is_empty())
            .and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok());
        if let Some(definition) = definition {
            let mut node = from_json(&definition, span);
            self.link_arns(&mut node, 0);
            p.push(("Definition", node));
        } else {
            let functions: Vec<(String, Node)> = self
                .refs(at, &["definition"])
                .into_iter()
                .filter(|(i, _)| self.is_target(*i, &["aws_lambda_function"]))
                .enumerate()
                .map(|(n, target)| (format!("F{n}"), self.reference_to(span, &target)))
                .collect();
            if !functions.is_empty() {
                p.push(("DefinitionSubstitutions", Node::mapping(span, functions)));
            }
        }
        p
    }

    fn load_balancer(&self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let internal = scalar(self.value(at, &["internal"])) == Some("true");
        let mut p = self.props(at, &[("Name", "name")]);
        p.push((
            "Scheme",
            text(
                span,
                if internal {
                    "internal"
                } else {
                    "internet-facing"
                },
            ),
        ));
        p
    }

    /// A forward action block as CloudFormation's `{Type, TargetGroupArn}`.
    fn lb_actions(&self, at: usize, block: &str) -> Node {
        let span = self.insts[at].span;
        let groups = ["aws_lb_target_group", "aws_alb_target_group"];
        let mut action = self.props(at, &[]);
        if let Some(kind) = self.value(at, &[block, "type"]) {
            action.push(("Type", kind.clone()));
        }
        if let Some(group) = self.link(at, &[block, "target_group_arn"], &groups) {
            action.push(("TargetGroupArn", group));
        }
        seq(span, vec![Node::mapping(span, action)])
    }

    fn lb_listener(&self, at: usize) -> Vec<(&'static str, Node)> {
        let mut p = self.props(at, &[("Protocol", "protocol")]);
        if let Some(lb) = self.link(at, &["load_balancer_arn"], &["aws_lb", "aws_alb"]) {
            p.push(("LoadBalancerArn", lb));
        }
        p.push(("DefaultActions", self.lb_actions(at, "default_action")));
        p
    }

    fn lb_rule(&self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = Vec::new();
        let listeners = ["aws_lb_listener", "aws_alb_listener"];
        if let Some(listener) = self.link(at, &["listener_arn"], &listeners) {
            p.push(("ListenerArn", listener));
        }
        p.push(("Actions", self.lb_actions(at, "action")));
        let mut conditions = Vec::new();
        for (block, field) in [
            ("path_pattern", "path-pattern"),
            ("http_request_method", "http-request-method"),
        ] {
            if let Some(values) = self.value(at, &["condition", block, "values"]) {
                conditions.push(map(
                    span,
                    vec![("Field", text(span, field)), ("Values", values.clone())],
                ));
            }
        }
        p.push(("Conditions", seq(span, conditions)));
        p
    }

    /// A target group with the functions its attachments register.
    fn target_group(&self, at: usize) -> Vec<(&'static str, Node)> {
        let span = self.insts[at].span;
        let mut p = self.props(at, &[("TargetType", "target_type")]);
        let mut targets = Vec::new();
        for kind in [
            "aws_lb_target_group_attachment",
            "aws_alb_target_group_attachment",
        ] {
            for attachment in self.referring(kind, &["target_group_arn"], at) {
                if let Some(function) =
                    self.link(attachment, &["target_id"], &["aws_lambda_function"])
                {
                    targets.push(map(span, vec![("Id", function)]));
                }
            }
        }
        if !targets.is_empty() {
            p.push(("Targets", seq(span, targets)));
        }
        p
    }

    /// A web ACL association: on the API a stage belongs to.
    fn waf(&self, at: usize) -> Vec<(&'static str, Node)> {
        let stages = ["aws_api_gateway_stage", "aws_apigatewayv2_stage"];
        let api = self
            .target_of(at, &["resource_arn"], &stages)
            .and_then(|stage| {
                self.link(stage, &["rest_api_id"], &["aws_api_gateway_rest_api"])
                    .or_else(|| self.link(stage, &["api_id"], &["aws_apigatewayv2_api"]))
            });
        api.map(|api| vec![("ResourceArn", api)])
            .unwrap_or_default()
    }
}

/// Terraform's canned ACLs → CloudFormation's `AccessControl`.
const CANNED_ACLS: &[(&str, &str)] = &[
    ("private", "Private"),
    ("public-read", "PublicRead"),
    ("public-read-write", "PublicReadWrite"),
    ("authenticated-read", "AuthenticatedRead"),
    ("aws-exec-read", "AwsExecRead"),
    ("bucket-owner-read", "BucketOwnerRead"),
    ("bucket-owner-full-control", "BucketOwnerFullControl"),
    ("log-delivery-write", "LogDeliveryWrite"),
];

/// Whether a relative path stays inside the directory it is relative to (the plan's): no root,
/// no prefix, never more `..` than directories before them.
fn stays_inside(path: &str) -> bool {
    use std::path::Component;
    let mut depth = 0usize;
    for component in std::path::Path::new(path).components() {
        match component {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}
