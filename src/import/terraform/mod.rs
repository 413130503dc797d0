//! Terraform: the JSON of `terraform show -json` (a saved plan, or the state) → the
//! CloudFormation template the same resources would be, mapped by [`super::cloudformation`].
//!
//! Resources are read from `planned_values` (a plan) or `values` (a state), module by module;
//! data sources also from `prior_state`. Each becomes the CloudFormation resource it stands
//! for (`aws_lambda_function` → `AWS::Lambda::Function`, `aws_sqs_queue` → `AWS::SQS::Queue`…);
//! the pieces Terraform splits off a resource are folded back into it (a bucket's
//! `aws_s3_bucket_public_access_block`, encryption, versioning, notifications, ACL, ownership
//! controls and CORS configuration; a role's policy attachments; an API method's integration; a
//! rule's targets; a function's event invoke config). References between resources come from
//! two places: the plan's `configuration` (expressions name the resources they read, followed
//! through module variables and outputs), and values already known (an ARN, URL or name equal
//! to another resource's). Policies are parsed from their JSON, or rebuilt from the
//! `aws_iam_policy_document` they are made of when their JSON is known only after apply.
//!
//! Values Terraform marks sensitive are never copied: they stand in the model as
//! [`SENSITIVE`]. What a plan cannot say (a value known only after apply, a reference through a
//! local value) is left out and said.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

mod policy;
mod translate;

use super::synth::{get_att, map, reference, seq, text};
use crate::model::diagnostic::Span;
use crate::model::yaml::{Node, Value};

/// What stands in the model for a value Terraform marks sensitive.
pub const SENSITIVE: &str = "(sensitive in the Terraform plan)";

/// How deep references are followed through module variables and outputs.
const MAX_REFERENCE_DEPTH: usize = 16;

/// How deep modules nest, and policy documents include others, before reading stops.
const MAX_NESTING: usize = 32;

/// How many references one expression may resolve to before the rest are ignored.
const MAX_TARGETS: usize = 256;

/// How many distinct (module instance, reference) pairs are resolved before the rest are left
/// unresolved (and said).
const MAX_RESOLUTIONS: usize = 200_000;

/// Attributes whose known values identify a resource to others.
const IDENTITIES: &[&str] = &[
    "arn",
    "id",
    "name",
    "url",
    "function_name",
    "bucket",
    "invoke_arn",
    "qualified_arn",
    "stream_arn",
    "execution_arn",
];

/// Terraform types → the CloudFormation types they become, for resources that are elements
/// (or that the CloudFormation mapper knows it leaves out).
const TYPES: &[(&str, &str)] = &[
    ("aws_lambda_function", "AWS::Lambda::Function"),
    (
        "aws_lambda_event_source_mapping",
        "AWS::Lambda::EventSourceMapping",
    ),
    ("aws_lambda_function_url", "AWS::Lambda::Url"),
    ("aws_lambda_permission", "AWS::Lambda::Permission"),
    ("aws_lambda_alias", "AWS::Lambda::Alias"),
    ("aws_lambda_layer_version", "AWS::Lambda::LayerVersion"),
    ("aws_s3_bucket", "AWS::S3::Bucket"),
    ("aws_s3_bucket_policy", "AWS::S3::BucketPolicy"),
    ("aws_dynamodb_table", "AWS::DynamoDB::Table"),
    ("aws_sqs_queue", "AWS::SQS::Queue"),
    ("aws_sqs_queue_policy", "AWS::SQS::QueuePolicy"),
    ("aws_sns_topic", "AWS::SNS::Topic"),
    ("aws_sns_topic_policy", "AWS::SNS::TopicPolicy"),
    ("aws_sns_topic_subscription", "AWS::SNS::Subscription"),
    ("aws_kinesis_stream", "AWS::Kinesis::Stream"),
    ("aws_secretsmanager_secret", "AWS::SecretsManager::Secret"),
    ("aws_iam_role", "AWS::IAM::Role"),
    ("aws_iam_role_policy", "AWS::IAM::Policy"),
    ("aws_iam_policy", "AWS::IAM::ManagedPolicy"),
    ("aws_api_gateway_rest_api", "AWS::ApiGateway::RestApi"),
    ("aws_api_gateway_resource", "AWS::ApiGateway::Resource"),
    ("aws_api_gateway_method", "AWS::ApiGateway::Method"),
    ("aws_api_gateway_deployment", "AWS::ApiGateway::Deployment"),
    ("aws_api_gateway_stage", "AWS::ApiGateway::Stage"),
    ("aws_apigatewayv2_api", "AWS::ApiGatewayV2::Api"),
    (
        "aws_apigatewayv2_integration",
        "AWS::ApiGatewayV2::Integration",
    ),
    ("aws_apigatewayv2_route", "AWS::ApiGatewayV2::Route"),
    ("aws_apigatewayv2_stage", "AWS::ApiGatewayV2::Stage"),
    (
        "aws_apigatewayv2_deployment",
        "AWS::ApiGatewayV2::Deployment",
    ),
    ("aws_cognito_user_pool", "AWS::Cognito::UserPool"),
    (
        "aws_cognito_user_pool_client",
        "AWS::Cognito::UserPoolClient",
    ),
    ("aws_cloudwatch_log_group", "AWS::Logs::LogGroup"),
    ("aws_cloudwatch_event_rule", "AWS::Events::Rule"),
    ("aws_cloudwatch_event_bus", "AWS::Events::EventBus"),
    (
        "aws_wafv2_web_acl_association",
        "AWS::WAFv2::WebACLAssociation",
    ),
    ("aws_sfn_state_machine", "AWS::StepFunctions::StateMachine"),
    ("aws_lb", "AWS::ElasticLoadBalancingV2::LoadBalancer"),
    ("aws_alb", "AWS::ElasticLoadBalancingV2::LoadBalancer"),
    ("aws_lb_listener", "AWS::ElasticLoadBalancingV2::Listener"),
    ("aws_alb_listener", "AWS::ElasticLoadBalancingV2::Listener"),
    (
        "aws_lb_listener_rule",
        "AWS::ElasticLoadBalancingV2::ListenerRule",
    ),
    (
        "aws_alb_listener_rule",
        "AWS::ElasticLoadBalancingV2::ListenerRule",
    ),
    (
        "aws_lb_target_group",
        "AWS::ElasticLoadBalancingV2::TargetGroup",
    ),
    (
        "aws_alb_target_group",
        "AWS::ElasticLoadBalancingV2::TargetGroup",
    ),
];

/// Terraform types folded into the resource they configure (they are no resource of their own
/// in the template).
const FOLDED: &[&str] = &[
    "aws_s3_bucket_public_access_block",
    "aws_s3_bucket_server_side_encryption_configuration",
    "aws_s3_bucket_versioning",
    "aws_s3_bucket_logging",
    "aws_s3_bucket_website_configuration",
    "aws_s3_bucket_acl",
    "aws_s3_bucket_ownership_controls",
    "aws_s3_bucket_cors_configuration",
    "aws_s3_bucket_notification",
    "aws_iam_role_policy_attachment",
    "aws_iam_policy_attachment",
    "aws_api_gateway_integration",
    "aws_cloudwatch_event_target",
    "aws_lambda_function_event_invoke_config",
    "aws_lb_target_group_attachment",
    "aws_alb_target_group_attachment",
];

/// Whether `root` is the JSON of `terraform show -json`.
#[must_use]
pub fn is_plan(root: &Node) -> bool {
    root.get("format_version").is_some()
        && (root.get("planned_values").is_some() || root.get("values").is_some())
}

/// Keys whose values are the plan's structure (addresses, types, names, references), not
/// resource values: diagnostics may show them.
const STRUCTURE: &[&str] = &[
    "address",
    "mode",
    "type",
    "name",
    "provider_name",
    "provider_config_key",
    "schema_version",
    "format_version",
    "terraform_version",
    "module_address",
    "source",
    "references",
    "actions",
];

/// The byte ranges of a plan's values that diagnostics must not show: every scalar except the
/// plan's structure ([`STRUCTURE`]). Values in a plan may be secrets (`sensitive_values` marks
/// some, but variables, prior state and changes hold them too), and a diagnostic's snippet shows
/// the text around what it points at.
#[must_use]
pub fn redactions(root: &Node) -> Vec<(usize, usize)> {
    /// `values`: inside a resource's values, a change, variables or outputs, where every
    /// scalar is data whatever its key.
    fn walk(
        node: &Node,
        key: Option<&str>,
        values: bool,
        out: &mut Vec<(usize, usize)>,
        depth: usize,
    ) {
        if depth > 256 {
            out.push((node.span.start, node.span.end));
            return;
        }
        match &node.value {
            Value::Scalar { .. } => {
                if values || !key.is_some_and(|k| STRUCTURE.contains(&k)) {
                    out.push((node.span.start, node.span.end));
                }
            }
            Value::Sequence(items) => {
                for item in items {
                    walk(item, key, values, out, depth + 1);
                }
            }
            Value::Mapping(entries) => {
                let resource = node.get("address").is_some();
                for (k, v) in entries {
                    let inside = values
                        || matches!(
                            k.text.as_str(),
                            "change" | "variables" | "output_changes" | "outputs"
                        )
                        || (resource && k.text.ends_with("values"));
                    walk(v, Some(&k.text), inside, out, depth + 1);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(root, None, false, &mut out, 0);
    out
}

/// One resource instance of the plan.
struct Inst<'a> {
    /// `module.api[0].aws_lambda_function.orders["eu"]`.
    address: String,
    /// The module instance it is in (`module.api[0]`; empty at the root).
    module: String,
    /// A data source (`data.…`).
    data: bool,
    /// `aws_lambda_function`.
    kind: String,
    /// `orders`.
    name: String,
    /// Its values, sensitive ones replaced by [`SENSITIVE`] (empty when the plan has none);
    /// the plan's own when nothing is sensitive.
    values: Cow<'a, Node>,
    /// Where it stands.
    span: Span,
    /// Its logical id in the template (empty for data sources).
    logical: String,
}

/// The configuration of one module: its resources, module calls and outputs.
#[derive(Default)]
struct Config<'a> {
    /// `aws_iam_role.r` / `data.aws_iam_policy_document.d` → the resource's configuration.
    resources: BTreeMap<String, &'a Node>,
    /// Call name → the module call (`expressions`, `module`).
    calls: BTreeMap<String, &'a Node>,
    /// The module's `outputs`.
    outputs: Option<&'a Node>,
}

/// A plan, read.
struct Plan<'a> {
    insts: Vec<Inst<'a>>,
    by_address: BTreeMap<String, usize>,
    /// Configuration module path (`module.api.module.db`) → its configuration.
    config: BTreeMap<String, Config<'a>>,
    /// Known identifying values → (instance, attribute) of the resources they identify.
    identities: BTreeMap<String, Vec<(usize, String)>>,
    /// Module instances that hold resources.
    modules: BTreeSet<String>,
    notes: Vec<(Span, String)>,
    /// Instances by Terraform type.
    by_kind: BTreeMap<String, Vec<usize>>,
    /// (type, attribute, target type) → target → the instances of the type whose attribute
    /// refers to it; filled as asked.
    referrers: std::cell::RefCell<BTreeMap<(String, String, String), Referrers>>,
    /// REST integrations by their known (resource id, HTTP method).
    routes: BTreeMap<(String, String), usize>,
    /// (module instance, reference) → what it resolves to.
    resolutions: std::cell::RefCell<BTreeMap<(String, String), Vec<Target>>>,
    /// Whether [`MAX_RESOLUTIONS`] was reached.
    resolutions_exhausted: std::cell::Cell<bool>,
    /// Logical ids given out (resources, and those the translation adds).
    logicals: crate::unique::Unique,
    /// Policy documents rebuilt, by instance (`None` while being built, or if empty).
    documents: BTreeMap<usize, Option<Node>>,
    /// What [`policy::MAX_POLICY_NODES`] still allows.
    policy_nodes_left: usize,
    /// Whether the policies ran out of it.
    policy_nodes_exhausted: bool,
    /// (module instance prefix, call) → the call's instances.
    calls: std::cell::RefCell<BTreeMap<(String, String), Vec<String>>>,
}

/// Target instance → the instances that refer to it.
type Referrers = BTreeMap<usize, Vec<usize>>;

/// A reference from one resource to another: the instance, and the attribute read.
type Target = (usize, Option<String>);

/// The CloudFormation template of `root` (a plan or state), and what could not be translated
/// (place, message).
#[must_use]
pub fn template(root: &Node) -> (Node, Vec<(Span, String)>) {
    let mut plan = Plan::read(root);
    let resources = plan.translate();
    if plan.resolutions_exhausted.get() {
        plan.notes.push((
            root.span,
            format!("the plan's references go through more than {MAX_RESOLUTIONS} module variables, outputs and resources: the rest are left unresolved"),
        ));
    }
    let span = root.span;
    let template = map(
        span,
        vec![("Resources", Node::mapping_placed(span, resources))],
    );
    (template, plan.notes)
}

impl<'a> Plan<'a> {
    fn read(root: &'a Node) -> Plan<'a> {
        let mut plan = Plan {
            insts: Vec::new(),
            by_address: BTreeMap::new(),
            config: BTreeMap::new(),
            identities: BTreeMap::new(),
            modules: BTreeSet::new(),
            notes: Vec::new(),
            by_kind: BTreeMap::new(),
            referrers: std::cell::RefCell::new(BTreeMap::new()),
            routes: BTreeMap::new(),
            resolutions: std::cell::RefCell::new(BTreeMap::new()),
            resolutions_exhausted: std::cell::Cell::new(false),
            calls: std::cell::RefCell::new(BTreeMap::new()),
            logicals: crate::unique::Unique::new("_"),
            documents: BTreeMap::new(),
            policy_nodes_left: policy::MAX_POLICY_NODES,
            policy_nodes_exhausted: false,
        };
        let values = root
            .get("planned_values")
            .or_else(|| root.get("values"))
            .and_then(|v| v.get("root_module"));
        match values {
            Some(module) => plan.module(module, false, 0),
            None => plan.notes.push((
                root.span,
                "the plan has no `root_module` of values: it declares no resources".to_owned(),
            )),
        }
        // Data sources read while planning are in the prior state.
        if let Some(prior) = root
            .get("prior_state")
            .and_then(|p| p.get("values"))
            .and_then(|v| v.get("root_module"))
        {
            plan.module(prior, true, 0);
        }
        if let Some(module) = root.get("configuration").and_then(|c| c.get("root_module")) {
            plan.configuration(String::new(), module, 0);
        }
        plan.sensitive_changes(root);
        for (at, inst) in plan.insts.iter().enumerate() {
            if inst.data {
                continue;
            }
            plan.by_kind.entry(inst.kind.clone()).or_default().push(at);
            if inst.kind == "aws_api_gateway_integration"
                && let (Some(resource), Some(method)) = (
                    scalar(inst.values.get("resource_id")),
                    scalar(inst.values.get("http_method")),
                )
            {
                plan.routes
                    .entry((resource.to_owned(), method.to_owned()))
                    .or_insert(at);
            }
        }
        plan.name_logicals();
        plan.index_identities();
        plan
    }

    /// The resources of a module of values and of its children (`data_only`: the prior state,
    /// read for data sources).
    fn module(&mut self, module: &'a Node, data_only: bool, depth: usize) {
        if depth > MAX_NESTING {
            self.notes.push((
                module.span,
                format!("modules nest deeper than {MAX_NESTING}: the deeper ones are left out"),
            ));
            return;
        }
        let address = module
            .get("address")
            .and_then(Node::as_scalar)
            .unwrap_or("")
            .to_owned();
        for r in list(module.get("resources")) {
            if self.insts.len() >= super::MAX_RESOURCES {
                return;
            }
            let (Some(full), Some(kind), Some(name)) = (
                scalar(r.get("address")),
                scalar(r.get("type")),
                scalar(r.get("name")),
            ) else {
                self.notes.push((
                    r.span,
                    "a resource without `address`, `type` or `name`: left out".to_owned(),
                ));
                continue;
            };
            let data = r.get("mode").and_then(Node::as_scalar) == Some("data");
            if (data_only && !data) || self.by_address.contains_key(full) {
                continue;
            }
            let values = match (r.get("values"), r.get("sensitive_values")) {
                (None, _) => Cow::Owned(Node::mapping::<String>(r.span, Vec::new())),
                (Some(v), Some(marks)) if holds_true(marks, 0) => {
                    Cow::Owned(masked(v, Some(marks), 0))
                }
                (Some(v), _) => Cow::Borrowed(v),
            };
            self.by_address.insert(full.to_owned(), self.insts.len());
            if !address.is_empty() {
                self.modules.insert(address.clone());
            }
            self.insts.push(Inst {
                address: full.to_owned(),
                module: address.clone(),
                data,
                kind: kind.to_owned(),
                name: name.to_owned(),
                values,
                span: r.span,
                logical: String::new(),
            });
        }
        for child in list(module.get("child_modules")) {
            self.module(child, data_only, depth + 1);
        }
    }

    /// Masks what `resource_changes` marks sensitive (`after_sensitive`), for plans whose
    /// values carry no `sensitive_values` of their own (format 0.1).
    fn sensitive_changes(&mut self, root: &Node) {
        for change in list(root.get("resource_changes")) {
            let (Some(address), Some(sensitive)) = (
                scalar(change.get("address")),
                change.get("change").and_then(|c| c.get("after_sensitive")),
            ) else {
                continue;
            };
            if let Some(&at) = self.by_address.get(address) {
                let inst = &mut self.insts[at];
                if holds_true(sensitive, 0) {
                    inst.values = Cow::Owned(masked(&inst.values, Some(sensitive), 0));
                }
            }
        }
    }

    fn configuration(&mut self, path: String, module: &'a Node, depth: usize) {
        if depth > MAX_NESTING || self.config.contains_key(&path) {
            return;
        }
        let mut config = Config {
            outputs: module.get("outputs"),
            ..Config::default()
        };
        for r in list(module.get("resources")) {
            if let Some(address) = scalar(r.get("address")) {
                config.resources.insert(address.to_owned(), r);
            }
        }
        let mut children = Vec::new();
        if let Some(Value::Mapping(calls)) = module.get("module_calls").map(|c| &c.value) {
            for (name, call) in calls {
                config.calls.insert(name.text.clone(), call);
                if let Some(child) = call.get("module") {
                    let child_path = if path.is_empty() {
                        format!("module.{}", name.text)
                    } else {
                        format!("{path}.module.{}", name.text)
                    };
                    children.push((child_path, child));
                }
            }
        }
        self.config.insert(path, config);
        for (child_path, child) in children {
            self.configuration(child_path, child, depth + 1);
        }
    }

    /// Gives every managed resource its logical id: its name, after the names of the modules
    /// it is in, with instance keys where they tell instances apart (`orders`,
    /// `api_orders`, `queues_eu_orders`); a type suffix where names still collide.
    fn name_logicals(&mut self) {
        let base = |i: &Inst, keyed: bool| {
            let mut parts: Vec<String> = split_address(&i.module)
                .chunks(2)
                .filter_map(|pair| pair.get(1))
                .map(|call| {
                    if keyed {
                        keyed_name(call)
                    } else {
                        strip_key(call).to_owned()
                    }
                })
                .collect();
            let own = split_address(&i.address).pop().unwrap_or_default();
            parts.push(if keyed {
                keyed_name(&own)
            } else {
                i.name.clone()
            });
            parts.join("_")
        };
        // Keys only where instances of one resource (or of one module's resource) differ by them.
        let mut plain: BTreeMap<(String, &str), usize> = BTreeMap::new();
        for i in self.insts.iter().filter(|i| !i.data) {
            *plain.entry((base(i, false), i.kind.as_str())).or_default() += 1;
        }
        let bases: Vec<String> = self
            .insts
            .iter()
            .map(|i| {
                let unkeyed = base(i, false);
                if plain
                    .get(&(unkeyed.clone(), i.kind.as_str()))
                    .copied()
                    .unwrap_or(0)
                    > 1
                {
                    base(i, true)
                } else {
                    unkeyed
                }
            })
            .collect();
        // Elements keep their names; a resource that configures one (`aws_s3_bucket_policy.uploads`
        // beside `aws_s3_bucket.uploads`) takes its type as a suffix.
        let mut count: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, base) in self.insts.iter().zip(&bases) {
            if !i.data && is_element(&i.kind) {
                *count.entry(base).or_default() += 1;
            }
        }
        let mut logicals = Vec::with_capacity(bases.len());
        for (i, base) in self.insts.iter().zip(&bases) {
            if i.data {
                logicals.push(String::new());
                continue;
            }
            let others =
                count.get(base.as_str()).copied().unwrap_or(0) - usize::from(is_element(&i.kind));
            let base = if others > 0 && i.kind != "aws_lambda_function" {
                format!("{base}_{}", i.kind.trim_start_matches("aws_"))
            } else {
                base.clone()
            };
            logicals.push(self.logicals.claim(&base));
        }
        for (inst, logical) in self.insts.iter_mut().zip(logicals) {
            inst.logical = logical;
        }
    }

    /// Known values that identify resources (ARNs, URLs, names), for values that name another
    /// resource instead of referring to it.
    fn index_identities(&mut self) {
        for (at, inst) in self.insts.iter().enumerate() {
            if inst.data || !is_element(&inst.kind) {
                continue;
            }
            for attr in IDENTITIES {
                if let Some(value) = scalar(inst.values.get(attr))
                    && value.len() >= 3
                    && value != SENSITIVE
                {
                    let entry = self.identities.entry(value.to_owned()).or_default();
                    if !entry.iter().any(|(i, _)| *i == at) {
                        entry.push((at, (*attr).to_owned()));
                    }
                }
            }
        }
    }

    // ---- references -------------------------------------------------------------------

    /// The configuration of an instance.
    fn config_of(&self, inst: &Inst<'_>) -> Option<&'a Node> {
        let module = self.config.get(&config_path(&inst.module))?;
        let key = if inst.data {
            format!("data.{}.{}", inst.kind, inst.name)
        } else {
            format!("{}.{}", inst.kind, inst.name)
        };
        module.resources.get(&key).copied()
    }

    /// The expression at `path` of an instance's configuration (blocks are lists: their first
    /// is read).
    fn expression(&self, at: usize, path: &[&str]) -> Option<&'a Node> {
        let mut node = self.config_of(&self.insts[at])?.get("expressions")?;
        for key in path {
            node = first(node).get(key)?;
        }
        Some(first(node))
    }

    /// The resources an expression of instance `at` refers to.
    fn refs(&self, at: usize, path: &[&str]) -> Vec<Target> {
        let Some(expression) = self.expression(at, path) else {
            return Vec::new();
        };
        let module = self.insts[at].module.clone();
        self.refs_in(&module, expression, 0)
    }

    /// The resources the references of `expression`, in module instance `module`, resolve to.
    fn refs_in(&self, module: &str, expression: &Node, depth: usize) -> Vec<Target> {
        let mut found: Vec<Target> = Vec::new();
        let mut texts = BTreeSet::new();
        collect_references(expression, &mut texts, 0);
        for text in texts {
            for target in self.resolved(module, &text, depth) {
                if found.len() >= MAX_TARGETS {
                    return found;
                }
                match found.iter_mut().find(|(i, _)| *i == target.0) {
                    Some(existing) if existing.1.is_none() => existing.1 = target.1,
                    Some(_) => {}
                    None => found.push(target),
                }
            }
        }
        found
    }

    /// [`Plan::resolve`], once per (module instance, reference): a reference met again while it
    /// is being resolved (`var` → output → `var`) resolves to nothing, and the total work is
    /// capped by [`MAX_RESOLUTIONS`].
    fn resolved(&self, module: &str, reference: &str, depth: usize) -> Vec<Target> {
        let key = (module.to_owned(), reference.to_owned());
        if let Some(done) = self.resolutions.borrow().get(&key) {
            return done.clone();
        }
        if self.resolutions.borrow().len() >= MAX_RESOLUTIONS {
            self.resolutions_exhausted.set(true);
            return Vec::new();
        }
        self.resolutions
            .borrow_mut()
            .insert(key.clone(), Vec::new());
        let targets = self.resolve(module, reference, depth);
        self.resolutions.borrow_mut().insert(key, targets.clone());
        targets
    }

    /// What one reference (`aws_iam_role.r.arn`, `var.role`, `module.db.table_arn`) in module
    /// instance `module` refers to.
    fn resolve(&self, module: &str, reference: &str, depth: usize) -> Vec<Target> {
        if depth > MAX_REFERENCE_DEPTH {
            return Vec::new();
        }
        let parts = split_address(reference);
        let prefix = if module.is_empty() {
            String::new()
        } else {
            format!("{module}.")
        };
        match parts.first().map(String::as_str) {
            Some("var") => {
                let Some(name) = parts.get(1).map(|p| strip_key(p)) else {
                    return Vec::new();
                };
                let (parent, call) = parent_module(module);
                let Some(call) = call else {
                    return Vec::new();
                };
                let Some(expression) = self
                    .config
                    .get(&config_path(&parent))
                    .and_then(|c| c.calls.get(strip_key(&call)))
                    .and_then(|c| c.get("expressions")?.get(name))
                else {
                    return Vec::new();
                };
                self.refs_in(&parent, expression, depth + 1)
            }
            Some("module") => {
                let (Some(call), Some(output)) = (parts.get(1), parts.get(2)) else {
                    return Vec::new();
                };
                let instances = self.module_instances(&prefix, call);
                let mut out = Vec::new();
                for child in instances {
                    let Some(expression) = self
                        .config
                        .get(&config_path(&child))
                        .and_then(|c| c.outputs?.get(strip_key(output)))
                        .and_then(|o| o.get("expression"))
                    else {
                        continue;
                    };
                    out.extend(self.refs_in(&child, expression, depth + 1));
                }
                out
            }
            Some("data") => {
                let (Some(kind), Some(name)) = (parts.get(1), parts.get(2)) else {
                    return Vec::new();
                };
                self.instances(&format!("{prefix}data.{kind}.{name}"), parts.get(3))
            }
            Some("local" | "each" | "count" | "path" | "terraform" | "self") | None => Vec::new(),
            Some(kind) => {
                let Some(name) = parts.get(1) else {
                    return Vec::new();
                };
                self.instances(&format!("{prefix}{kind}.{name}"), parts.get(2))
            }
        }
    }

    /// The instances of module call `call` (`orders` or `orders[0]`) made from the module
    /// instance `prefix` (empty, or ending in a dot).
    fn module_instances(&self, prefix: &str, call: &str) -> Vec<String> {
        let key = (prefix.to_owned(), call.to_owned());
        if let Some(found) = self.calls.borrow().get(&key) {
            return found.clone();
        }
        let found = self.find_module_instances(prefix, call);
        self.calls.borrow_mut().insert(key, found.clone());
        found
    }

    fn find_module_instances(&self, prefix: &str, call: &str) -> Vec<String> {
        let wanted = format!("{prefix}module.{call}");
        let length = split_address(&wanted).len();
        let keyed = !strip_key(call).eq(call);
        let mut found = BTreeSet::new();
        for module in &self.modules {
            let parts = split_address(module);
            if parts.len() < length {
                continue;
            }
            let instance = parts[..length].join(".");
            let same = if keyed {
                instance == wanted
            } else {
                parts[..length - 1].join(".") == wanted[..wanted.len() - call.len() - 1]
                    && strip_key(&parts[length - 1]) == call
            };
            if same {
                found.insert(instance);
            }
        }
        found.into_iter().collect()
    }

    /// The instances at `address` (all instances of a resource with `count` or `for_each`
    /// when it has no key), reading `attr`.
    fn instances(&self, address: &str, attr: Option<&String>) -> Vec<Target> {
        let attr = attr.map(|a| strip_key(a).to_owned());
        if let Some(&at) = self.by_address.get(address) {
            return vec![(at, attr)];
        }
        if address.ends_with(']') {
            return Vec::new();
        }
        let keyed = format!("{address}[");
        self.by_address
            .range(keyed.clone()..)
            .take_while(|(a, _)| a.starts_with(&keyed))
            .filter(|(a, _)| !a[keyed.len()..].contains("]."))
            .map(|(_, &at)| (at, attr.clone()))
            .collect()
    }

    /// The value at `path` of an instance's values (blocks are lists: their first is read).
    fn value(&self, at: usize, path: &[&str]) -> Option<&Node> {
        let mut node: &Node = &self.insts[at].values;
        for key in path {
            node = first(node).get(key)?;
        }
        Some(node).filter(|n| !is_null(n))
    }

    /// The managed instances of a Terraform type.
    fn of_kind<'s>(&'s self, kind: &str) -> impl Iterator<Item = usize> + 's {
        self.by_kind.get(kind).into_iter().flatten().copied()
    }

    /// The instance of one of `kinds` attribute `path` of instance `at` names: the one whose
    /// identity the known value is, else the one its expression refers to.
    fn target_of(&self, at: usize, path: &[&str], kinds: &[&str]) -> Option<usize> {
        if let Some(text) = self.value(at, path).and_then(Node::as_scalar)
            && let Some((target, _)) = self.identified(text, kinds)
        {
            return Some(target);
        }
        let targets: Vec<Target> = self
            .refs(at, path)
            .into_iter()
            .filter(|(i, _)| self.is_target(*i, kinds))
            .collect();
        match targets.as_slice() {
            [(target, _)] => Some(*target),
            _ => None,
        }
    }

    /// A reference to the resource of one of `kinds` that attribute `path` of instance `at`
    /// names: the resource whose identity the known value is, else the one its expression
    /// refers to; else the known value as it is.
    fn link(&self, at: usize, path: &[&str], kinds: &[&str]) -> Option<Node> {
        let span = self.insts[at].span;
        let known = self.value(at, path);
        if let Some(text) = known.and_then(Node::as_scalar)
            && let Some(target) = self.identified(text, kinds)
        {
            return Some(self.reference_to(span, &target));
        }
        let targets: Vec<Target> = self
            .refs(at, path)
            .into_iter()
            .filter(|(i, _)| self.is_target(*i, kinds))
            .collect();
        if let [target] = targets.as_slice() {
            return Some(self.reference_to(span, target));
        }
        known
            .and_then(Node::as_scalar)
            .map(|text_value| text(span, text_value))
    }

    /// Every resource of `kinds` a list attribute names (known values, or its expression's
    /// references).
    fn links(&self, at: usize, path: &[&str], kinds: &[&str]) -> Vec<Node> {
        let span = self.insts[at].span;
        let mut out: Vec<Node> = Vec::new();
        if let Some(Value::Sequence(items)) = self.value(at, path).map(|v| &v.value) {
            for item in items {
                let Some(value) = item.as_scalar() else {
                    continue;
                };
                out.push(match self.identified(value, kinds) {
                    Some(target) => self.reference_to(span, &target),
                    None => text(span, value),
                });
            }
            return out;
        }
        self.refs(at, path)
            .into_iter()
            .filter(|(i, _)| self.is_target(*i, kinds))
            .map(|t| self.reference_to(span, &t))
            .collect()
    }

    fn is_target(&self, at: usize, kinds: &[&str]) -> bool {
        let inst = &self.insts[at];
        !inst.data && (kinds.is_empty() || kinds.contains(&inst.kind.as_str()))
    }

    /// The resource of one of `kinds` whose identity `value` is, when only one is.
    fn identified(&self, value: &str, kinds: &[&str]) -> Option<Target> {
        let found: Vec<&(usize, String)> = self
            .identities
            .get(value)?
            .iter()
            .filter(|(i, _)| self.is_target(*i, kinds))
            .collect();
        match found.as_slice() {
            [(at, attr)] => Some((*at, Some(attr.clone()))),
            _ => None,
        }
    }

    /// `Ref` or `Fn::GetAtt` of the resource read.
    fn reference_to(&self, span: Span, (at, attr): &Target) -> Node {
        let logical = &self.insts[*at].logical;
        match attr.as_deref() {
            Some("arn" | "invoke_arn" | "qualified_arn") => get_att(span, logical, "Arn"),
            Some("stream_arn") => get_att(span, logical, "StreamArn"),
            Some("root_resource_id") => get_att(span, logical, "RootResourceId"),
            _ => reference(span, logical),
        }
    }
}

/// Whether a Terraform type becomes an element others refer to by its identity.
fn is_element(kind: &str) -> bool {
    matches!(
        kind,
        "aws_lambda_function"
            | "aws_s3_bucket"
            | "aws_dynamodb_table"
            | "aws_sqs_queue"
            | "aws_sns_topic"
            | "aws_kinesis_stream"
            | "aws_secretsmanager_secret"
            | "aws_iam_role"
            | "aws_iam_policy"
            | "aws_api_gateway_rest_api"
            | "aws_api_gateway_resource"
            | "aws_api_gateway_stage"
            | "aws_apigatewayv2_api"
            | "aws_apigatewayv2_integration"
            | "aws_apigatewayv2_stage"
            | "aws_cognito_user_pool"
            | "aws_cloudwatch_event_rule"
            | "aws_cloudwatch_event_bus"
            | "aws_lb"
            | "aws_alb"
            | "aws_lb_listener"
            | "aws_alb_listener"
            | "aws_lb_target_group"
            | "aws_alb_target_group"
    )
}

/// Whether a sensitivity mark marks anything (`true` somewhere in it).
fn holds_true(marks: &Node, depth: usize) -> bool {
    if depth > MAX_NESTING {
        return true;
    }
    match &marks.value {
        Value::Scalar { text, .. } => text == "true",
        Value::Sequence(items) => items.iter().any(|m| holds_true(m, depth + 1)),
        Value::Mapping(entries) => entries.iter().any(|(_, m)| holds_true(m, depth + 1)),
    }
}

/// `values` with what `sensitive` marks (`true` at the same place) replaced by [`SENSITIVE`].
fn masked(values: &Node, sensitive: Option<&Node>, depth: usize) -> Node {
    let Some(sensitive) = sensitive else {
        return values.clone();
    };
    if sensitive.as_scalar() == Some("true") {
        return text(values.span, SENSITIVE);
    }
    if depth > MAX_NESTING {
        // Too deep to follow mark by mark: all of it, if anything below is marked.
        return if holds_true(sensitive, 0) {
            text(values.span, SENSITIVE)
        } else {
            values.clone()
        };
    }
    match (&values.value, &sensitive.value) {
        (Value::Mapping(entries), Value::Mapping(_)) => Node {
            value: Value::Mapping(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), masked(v, sensitive.get(&k.text), depth + 1)))
                    .collect(),
            ),
            span: values.span,
        },
        (Value::Sequence(items), Value::Sequence(marks)) => Node {
            value: Value::Sequence(
                items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| masked(v, marks.get(i), depth + 1))
                    .collect(),
            ),
            span: values.span,
        },
        _ => values.clone(),
    }
}

/// A JSON value as a node placed at `span`.
fn from_json(value: &serde_json::Value, span: Span) -> Node {
    let plain = |t: String| Node {
        value: Value::Scalar {
            text: t,
            plain: true,
        },
        span,
    };
    match value {
        serde_json::Value::Null => plain("null".to_owned()),
        serde_json::Value::Bool(b) => plain(b.to_string()),
        serde_json::Value::Number(n) => plain(n.to_string()),
        serde_json::Value::String(s) => text(span, s),
        serde_json::Value::Array(items) => {
            seq(span, items.iter().map(|v| from_json(v, span)).collect())
        }
        serde_json::Value::Object(entries) => Node::mapping(
            span,
            entries.iter().map(|(k, v)| (k.clone(), from_json(v, span))),
        ),
    }
}

/// The text of a scalar node.
fn scalar(node: Option<&Node>) -> Option<&str> {
    node.and_then(Node::as_scalar)
}

fn is_null(node: &Node) -> bool {
    matches!(&node.value, Value::Scalar { text, plain: true } if text == "null")
}

/// The items of a list node (nothing for anything else).
fn list(node: Option<&Node>) -> Vec<&Node> {
    match node.map(|n| &n.value) {
        Some(Value::Sequence(items)) => items.iter().collect(),
        _ => Vec::new(),
    }
}

/// A block's first item when `node` is a list of blocks, else `node`.
fn first(node: &Node) -> &Node {
    match &node.value {
        Value::Sequence(items) => items.first().unwrap_or(node),
        _ => node,
    }
}

/// Every `references` entry under an expression.
fn collect_references(node: &Node, out: &mut BTreeSet<String>, depth: usize) {
    if depth > MAX_NESTING || out.len() >= MAX_TARGETS {
        return;
    }
    match &node.value {
        Value::Mapping(entries) => {
            for (key, value) in entries {
                if key.text == "references" {
                    for reference in list(Some(value)).into_iter().filter_map(Node::as_scalar) {
                        if out.len() >= MAX_TARGETS {
                            return;
                        }
                        out.insert(reference.to_owned());
                    }
                } else {
                    collect_references(value, out, depth + 1);
                }
            }
        }
        Value::Sequence(items) => {
            for item in items {
                collect_references(item, out, depth + 1);
            }
        }
        Value::Scalar { .. } => {}
    }
}

/// An address split at its dots, keys kept with their part (`module.a["x.y"].b` →
/// `module`, `a["x.y"]`, `b`).
fn split_address(address: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let mut quoted = false;
    let mut escaped = false;
    for c in address.chars() {
        if quoted {
            current.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                quoted = false;
            }
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                current.push(c);
            }
            '[' => {
                depth += 1;
                current.push(c);
            }
            ']' => {
                depth = depth.saturating_sub(1);
                current.push(c);
            }
            '.' if depth == 0 => parts.push(std::mem::take(&mut current)),
            _ => current.push(c),
        }
    }
    if !current.is_empty() {
        parts.push(current);
    }
    parts
}

/// `name["key"]` → `name`.
fn strip_key(part: &str) -> &str {
    part.find('[').map_or(part, |at| &part[..at])
}

/// A module instance address without its keys: the configuration module it is an instance of.
fn config_path(module: &str) -> String {
    split_address(module)
        .iter()
        .map(|p| strip_key(p))
        .collect::<Vec<_>>()
        .join(".")
}

/// The module instance that calls `module`, and the call (`module.a[0].module.b` →
/// `module.a[0]`, `b`).
fn parent_module(module: &str) -> (String, Option<String>) {
    let parts = split_address(module);
    if parts.len() < 2 {
        return (String::new(), None);
    }
    let call = parts[parts.len() - 1].clone();
    (parts[..parts.len() - 2].join("."), Some(call))
}

/// An address part with its instance key as a name (`orders`, `orders[0]` → `orders_0`,
/// `orders["eu-1"]` → `orders_eu-1`).
fn keyed_name(part: &str) -> String {
    let name = strip_key(part);
    let key: String = part[name.len()..]
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if key.is_empty() {
        name.to_owned()
    } else {
        format!("{name}_{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_marked_sensitive_however_deep_are_masked() {
        let span = Span {
            file: 0,
            start: 0,
            end: 0,
        };
        let mut values = text(span, "hunter2");
        let mut marks = Node {
            value: Value::Scalar {
                text: "true".to_owned(),
                plain: true,
            },
            span,
        };
        for _ in 0..(MAX_NESTING + 5) {
            values = Node::mapping(span, vec![("k", values)]);
            marks = Node::mapping(span, vec![("k", marks)]);
        }
        let hidden = masked(&values, Some(&marks), 0);
        let mut node = &hidden;
        while let Some(inner) = node.get("k") {
            node = inner;
        }
        assert_eq!(node.as_scalar(), Some(SENSITIVE));
        // Nothing marked: nothing masked.
        assert_eq!(masked(&values, None, 0), values);
    }

    #[test]
    fn addresses_split_at_dots_outside_keys() {
        assert_eq!(
            split_address(r#"module.a["x.y"].aws_s3_bucket.b[0].arn"#),
            vec!["module", r#"a["x.y"]"#, "aws_s3_bucket", "b[0]", "arn"]
        );
        assert_eq!(
            config_path(r#"module.a["x.y"].module.b[2]"#),
            "module.a.module.b"
        );
        assert_eq!(
            parent_module("module.a[0].module.b"),
            ("module.a[0]".to_owned(), Some("b".to_owned()))
        );
        assert_eq!(parent_module(""), (String::new(), None));
        assert_eq!(keyed_name(r#"t["eu-1"]"#), "t_eu-1");
        assert_eq!(keyed_name("t"), "t");
    }
}
