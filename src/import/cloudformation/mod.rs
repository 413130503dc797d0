//! AWS SAM and CloudFormation templates → model elements.
//!
//! | Template | Model |
//! |---|---|
//! | `AWS::Serverless::Function`, `AWS::Lambda::Function` | function (runtime, handler, timeout, memory, reserved concurrency, environment, tracing, VPC, dead-letter / on-failure destination, permissions through a role) |
//! | SAM `Events` (Api, HttpApi, S3, SQS, SNS, DynamoDB, Kinesis, Schedule, ScheduleV2, EventBridgeRule, CloudWatchEvent, CognitoUserPool, IoTRule), `AWS::Lambda::EventSourceMapping` | triggers |
//! | `FunctionUrlConfig`, `AWS::Lambda::Url` | function URL channel (with its CORS) |
//! | `AWS::Serverless::Api`, `AWS::ApiGateway::RestApi`, `AWS::Serverless::HttpApi`, `AWS::ApiGatewayV2::Api` (+ stages) | API channels, with their default authorizer, CORS and access logs |
//! | `AWS::S3::Bucket` (+ `AWS::S3::BucketPolicy`), `AWS::DynamoDB::Table`, `AWS::Serverless::SimpleTable`, `AWS::SecretsManager::Secret` | stores (a bucket's public access, Block Public Access, object ACLs and CORS) |
//! | `AWS::SQS::Queue`, `AWS::SNS::Topic` (+ subscriptions), `AWS::Kinesis::Stream`, table streams, `AWS::Events::Rule`, `AWS::Cognito::UserPool` (+ app clients) | channels (a user pool's MFA, password policy, attributes and sign-in flows) |
//! | `AWS::IAM::Role`, `AWS::IAM::Policy`, `AWS::IAM::ManagedPolicy`, SAM `Policies` | roles with permissions and managed policies |
//! | `AWS::Logs::LogGroup` of a function, `AWS::WAFv2::WebACLAssociation` | log retention, WAF on an API |
//!
//! Reads and writes are inferred from the actions a function may take on an element. Other
//! resource types are counted and reported, never silently dropped.

use std::collections::{BTreeMap, BTreeSet};

mod alb;
mod apigateway;
mod cognito;
mod cors;
mod events;
pub(super) mod openapi;
mod s3;
mod stepfunctions;

use super::emit::Doc;
use super::template::{Piece, Resource, Template, Val};
use super::{Builder, Format, Provenance};
use crate::model::diagnostic::{FileId, Sources, Span};
use crate::model::yaml::Node;

/// Properties that give a resource its physical name.
const NAME_PROPERTIES: [&str; 7] = [
    "TableName",
    "BucketName",
    "QueueName",
    "TopicName",
    "FunctionName",
    "Name",
    "UserPoolName",
];

/// Resource types of functions.
const FUNCTIONS: &[&str] = &["AWS::Serverless::Function", "AWS::Lambda::Function"];
/// Resource types of APIs.
const APIS: &[&str] = &[
    "AWS::Serverless::Api",
    "AWS::ApiGateway::RestApi",
    "AWS::Serverless::HttpApi",
    "AWS::ApiGatewayV2::Api",
];
/// Resource types an on-failure destination may be.
const DESTINATIONS: &[&str] = &[
    "AWS::SQS::Queue",
    "AWS::SNS::Topic",
    "AWS::Events::EventBus",
    "AWS::Serverless::Function",
    "AWS::Lambda::Function",
];

/// Boundaries every import has.
const INTERNET: &str = "internet";
const ACCOUNT: &str = "aws-account";
const VPC: &str = "vpc";

/// What a logical id of the template became.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Mapped {
    Function(String),
    Store(String),
    Channel(String),
    Role(String),
}

impl Mapped {
    fn id(&self) -> &str {
        match self {
            Mapped::Function(id) | Mapped::Store(id) | Mapped::Channel(id) | Mapped::Role(id) => id,
        }
    }
}

/// An `Allow` statement: actions on resources (element ids, ARNs or `*`).
type Grant = (Vec<String>, Vec<String>);

/// A SAM policy template a function uses: its name, its parameters, and what it grants.
type TemplateUse = (String, Vec<(String, String)>, Grant);

/// The state of one template's mapping.
struct Mapper<'a> {
    t: Template,
    sources: &'a Sources,
    file: FileId,
    name: String,
    b: &'a mut Builder,
    /// Logical id → element.
    elements: BTreeMap<String, Mapped>,
    /// Table logical id → its stream channel.
    streams: BTreeMap<String, String>,
    /// Function element → its log retention from a log group.
    retention: BTreeMap<String, u32>,
    /// Physical names of resources (`TableName`, `BucketName`…) → logical ids, for ARNs that
    /// name a resource by its name rather than by a reference.
    names: BTreeMap<String, String>,
    /// Permissions per function element, to infer flows after every role is known.
    grants: BTreeMap<String, Vec<Grant>>,
    /// User pool channel → what its app clients allow, written once every client is read.
    pools: BTreeMap<String, cognito::Pool>,
}

/// Maps one template into `builder`.
pub fn map(sources: &Sources, file: FileId, root: &Node, format: Format, builder: &mut Builder) {
    let t = Template::new(root);
    let name = super::display_name(sources.path(file));
    let mut m = Mapper {
        t,
        sources,
        file,
        name,
        b: builder,
        elements: BTreeMap::new(),
        streams: BTreeMap::new(),
        names: BTreeMap::new(),
        retention: BTreeMap::new(),
        grants: BTreeMap::new(),
        pools: BTreeMap::new(),
    };
    if format == Format::Sam && !m.t.sam {
        m.b.warn(
            root.span,
            "read as SAM, but the template has no `Transform: AWS::Serverless-2016-10-31`",
            None,
        );
    }
    m.boundaries();
    let resources: Vec<Resource> =
        m.t.resources
            .iter()
            .take(super::MAX_RESOURCES)
            .cloned()
            .collect();
    // Elements first, so that references between them resolve whatever the order.
    let mut live = Vec::new();
    for r in &resources {
        if !m.t.exists(r) {
            m.b.warn(
                r.span,
                format!(
                    "`{}` is not created with the parameters' defaults (condition `{}`)",
                    r.id,
                    r.condition.as_deref().unwrap_or("")
                ),
                None,
            );
            continue;
        }
        m.declare(r);
        live.push(r);
    }
    // Functions first, then the other elements, then what links them (subscriptions,
    // mappings, policies, routes), so that a link finds its ends whatever the order.
    live.sort_by_key(|r| match m.elements.get(&r.id) {
        Some(Mapped::Function(_)) => 0,
        Some(_) => 1,
        None => 2,
    });
    for r in &live {
        m.fill(r);
    }
    m.flows();
    m.pool_clients();
    for (function, days) in std::mem::take(&mut m.retention) {
        if let Some(f) = m.b.element("functions", &function) {
            let mut logging = Doc::map();
            logging.set("enabled", Doc::Bool(true));
            logging.set("retention_days", Doc::Int(u64::from(days)));
            f.set("logging", logging);
        }
    }
    for note in m.t.take_unresolved() {
        m.b.warn(
            note.span,
            format!("cannot resolve {}", note.what),
            Some("the model keeps what the template says without it"),
        );
    }
}

impl Mapper<'_> {
    fn from(&self, r: &Resource) -> Provenance {
        // A resource translated from another format is found by its address there (a
        // Terraform plan is one line of JSON); a template's by its line.
        if let Some((kind, address)) = &r.origin {
            return Provenance {
                place: format!("{}#{address}", self.name),
                what: format!("(Terraform `{kind}`)"),
            };
        }
        let (line, _) = self.sources.line_column(self.file, r.span.start);
        Provenance {
            place: format!("{}:{line}", self.name),
            what: format!("{} {}", r.kind, r.id),
        }
    }

    fn boundaries(&mut self) {
        for (id, name, trust) in [
            (INTERNET, "Internet", "untrusted"),
            (ACCOUNT, "AWS account", "trusted"),
        ] {
            if !self.b.has("boundaries", id) {
                let mut boundary = Doc::map();
                boundary.set("name", Doc::str(name));
                boundary.set("trust", Doc::str(trust));
                self.b.put("boundaries", id, boundary, None);
            }
        }
    }

    fn vpc_boundary(&mut self) {
        if !self.b.has("boundaries", VPC) {
            let mut boundary = Doc::map();
            boundary.set("name", Doc::str("VPC"));
            boundary.set(
                "description",
                Doc::str("The VPC the template's functions run in (one boundary for all of them)."),
            );
            boundary.set("trust", Doc::str("trusted"));
            boundary.set("parent", Doc::str(ACCOUNT));
            self.b.put("boundaries", VPC, boundary, None);
        }
    }

    fn prop(&self, r: &Resource, key: &str) -> Option<Val> {
        let node = r.properties.as_ref()?.get(key)?;
        Some(self.t.resolve(node)).filter(|v| *v != Val::Absent)
    }

    /// A function property with its SAM `Globals.Function` default merged in as SAM does:
    /// mappings merged key by key (the function's win), lists appended, other values replaced.
    fn fn_prop(&self, r: &Resource, key: &str) -> Option<Val> {
        self.sam_prop(r, "Function", key)
    }

    /// A property of a SAM resource with its default from `Globals.<section>` merged in as SAM
    /// does (see [`Mapper::fn_prop`]); other resources' own property.
    fn sam_prop(&self, r: &Resource, section: &str, key: &str) -> Option<Val> {
        let own = self.prop(r, key);
        let global = r
            .kind
            .starts_with("AWS::Serverless::")
            .then(|| self.global(section, key))
            .flatten();
        match (global, own) {
            (Some(global), Some(own)) => Some(merge(global, own)),
            (global, own) => own.or(global),
        }
    }

    /// A SAM `Globals.<section>.<key>`.
    fn global(&self, section: &str, key: &str) -> Option<Val> {
        let node = self.t.globals.as_ref()?.get(section)?.get(key)?;
        Some(self.t.resolve(node)).filter(|v| *v != Val::Absent)
    }

    /// Gives the element of `r` its id and kind.
    fn declare(&mut self, r: &Resource) {
        let mapped = match r.kind.as_str() {
            "AWS::Serverless::Function" | "AWS::Lambda::Function" => {
                Mapped::Function(self.b.id(self.file, &r.id))
            }
            "AWS::S3::Bucket"
            | "AWS::DynamoDB::Table"
            | "AWS::DynamoDB::GlobalTable"
            | "AWS::Serverless::SimpleTable"
            | "AWS::SecretsManager::Secret" => Mapped::Store(self.b.id(self.file, &r.id)),
            "AWS::SQS::Queue"
            | "AWS::SNS::Topic"
            | "AWS::Kinesis::Stream"
            | "AWS::Serverless::Api"
            | "AWS::ApiGateway::RestApi"
            | "AWS::Serverless::HttpApi"
            | "AWS::ApiGatewayV2::Api"
            | "AWS::Events::EventBus"
            | "AWS::Cognito::UserPool"
            | "AWS::ElasticLoadBalancingV2::LoadBalancer" => {
                Mapped::Channel(self.b.id(self.file, &r.id))
            }
            "AWS::IAM::Role" => Mapped::Role(self.b.id(self.file, &r.id)),
            _ => return,
        };
        // A table's stream is a channel of its own, known before any function names it.
        if matches!(
            r.kind.as_str(),
            "AWS::DynamoDB::Table" | "AWS::DynamoDB::GlobalTable"
        ) && self.prop(r, "StreamSpecification").is_some()
        {
            let table = mapped.id().to_owned();
            let stream = self.b.fresh(&format!("{table}-stream"));
            let mut channel = element_doc("dynamodb-stream");
            channel.set("table", Doc::str(table));
            let from = self.from(r).and("(its stream)");
            self.b.add("channels", "channels", &stream, channel, from);
            self.streams.insert(r.id.clone(), stream);
        }
        for key in NAME_PROPERTIES {
            if let Some(name) = self.prop(r, key).and_then(|v| v.text()) {
                self.names.entry(name).or_insert_with(|| r.id.clone());
            }
        }
        self.elements.insert(r.id.clone(), mapped);
    }

    fn fill(&mut self, r: &Resource) {
        match r.kind.as_str() {
            "AWS::Serverless::Function" | "AWS::Lambda::Function" => self.function(r),
            "AWS::S3::Bucket" => self.bucket(r),
            "AWS::DynamoDB::Table"
            | "AWS::DynamoDB::GlobalTable"
            | "AWS::Serverless::SimpleTable" => {
                self.table(r);
            }
            "AWS::SecretsManager::Secret" => {
                let mut store = element_doc("secrets-manager");
                if self.prop(r, "KmsKeyId").is_some() {
                    store.set("encryption", at_rest("cmk"));
                }
                self.add_store(r, store);
            }
            "AWS::SQS::Queue" => self.queue(r),
            "AWS::SNS::Topic" => self.topic(r),
            "AWS::Kinesis::Stream" => {
                let mut channel = element_doc("kinesis");
                if let Some(encryption) = self.prop(r, "StreamEncryption")
                    && encryption
                        .get("EncryptionType")
                        .and_then(Val::text)
                        .as_deref()
                        == Some("KMS")
                {
                    channel.set("encryption", at_rest("kms"));
                }
                self.add_channel(r, channel);
            }
            "AWS::Serverless::Api" | "AWS::ApiGateway::RestApi" => self.api(r, "api-gateway-rest"),
            "AWS::Serverless::HttpApi" => self.api(r, "api-gateway-http"),
            "AWS::ApiGatewayV2::Api" => {
                let kind = match self
                    .prop(r, "ProtocolType")
                    .and_then(|v| v.text())
                    .as_deref()
                {
                    Some("WEBSOCKET") => "api-gateway-websocket",
                    _ => "api-gateway-http",
                };
                self.api(r, kind);
            }
            "AWS::Events::EventBus" => {
                let channel = element_doc("eventbridge");
                self.add_channel(r, channel);
            }
            "AWS::Cognito::UserPool" => self.user_pool(r),
            "AWS::Cognito::UserPoolClient" => self.user_pool_client(r),
            "AWS::IAM::Role" => self.role(r),
            "AWS::IAM::Policy" | "AWS::IAM::ManagedPolicy" => self.policy(r),
            "AWS::S3::BucketPolicy" => self.bucket_policy(r),
            "AWS::SNS::Subscription" => self.subscription(r),
            "AWS::Lambda::EventSourceMapping" => self.event_source_mapping(r),
            "AWS::Lambda::Url" => self.url(r),
            "AWS::Events::Rule" => self.rule(r),
            "AWS::Logs::LogGroup" => self.log_group(r),
            "AWS::WAFv2::WebACLAssociation" | "AWS::WAFRegional::WebACLAssociation" => self.waf(r),
            "AWS::ApiGateway::Method" => self.rest_method(r),
            "AWS::ElasticLoadBalancingV2::LoadBalancer" => self.load_balancer(r),
            "AWS::ElasticLoadBalancingV2::Listener" => self.listener(r),
            "AWS::ElasticLoadBalancingV2::ListenerRule" => self.listener_rule(r),
            "AWS::Serverless::StateMachine" | "AWS::StepFunctions::StateMachine" => {
                self.state_machine(r);
            }
            "AWS::ApiGatewayV2::Route" => self.v2_route(r),
            "AWS::ApiGateway::Stage"
            | "AWS::ApiGateway::Deployment"
            | "AWS::ApiGatewayV2::Stage" => {
                self.stage(r);
            }
            // Resources that only wire up what is mapped elsewhere.
            "AWS::Lambda::Permission"
            | "AWS::ElasticLoadBalancingV2::TargetGroup"
            | "AWS::Lambda::Version"
            | "AWS::Lambda::Alias"
            | "AWS::Lambda::LayerVersion"
            | "AWS::Serverless::LayerVersion"
            | "AWS::ApiGateway::Resource"
            | "AWS::ApiGatewayV2::Deployment"
            | "AWS::ApiGatewayV2::Integration"
            | "AWS::Lambda::EventInvokeConfig"
            | "AWS::SQS::QueuePolicy"
            | "AWS::SNS::TopicPolicy" => {}
            custom if is_custom_resource(custom) => self.custom_resource(r),
            other => {
                *self.b.unmapped.entry(other.to_owned()).or_default() += 1;
                self.b.warn(
                    r.span,
                    format!(
                        "`{}` of type `{other}` is not in the model",
                        r.origin.as_ref().map_or(r.id.as_str(), |(_, address)| address)
                    ),
                    Some("strider maps the serverless resources of a template; add what matters by hand"),
                );
            }
        }
    }

    fn add_store(&mut self, r: &Resource, doc: Doc) {
        let id = self.b.id(self.file, &r.id);
        let from = self.from(r);
        self.b.add("stores", "stores", &id, doc, from);
    }

    fn add_channel(&mut self, r: &Resource, doc: Doc) {
        let id = self.b.id(self.file, &r.id);
        let from = self.from(r);
        self.b.add("channels", "channels", &id, doc, from);
    }

    /// The element a value refers to: a `Ref`/`Fn::GetAtt` of a mapped resource, or an ARN or
    /// name built around one (`arn:aws:s3:::${Bucket}/*`).
    fn element_of(&self, value: &Val) -> Option<&Mapped> {
        if let Some(text) = value.text() {
            let logical = self
                .names
                .get(&text)
                .or_else(|| self.names.get(crate::iam::arn::resource_name(&text)?))?;
            return self.elements.get(logical);
        }
        let pieces = value.pieces()?;
        let mut found = pieces.iter().filter_map(|p| match p {
            Piece::Resource { id, .. } => self.elements.get(id),
            _ => None,
        });
        let first = found.next()?;
        found.all(|other| other == first).then_some(first)
    }

    /// The element a value refers to, when its resource is of one of `types`.
    fn typed(&self, value: &Val, types: &[&str]) -> Option<String> {
        let pieces = value.pieces()?;
        let id = pieces.iter().find_map(|p| match p {
            Piece::Resource { id, .. } => Some(id),
            _ => None,
        })?;
        let resource = self.t.resource(id)?;
        if !types.contains(&resource.kind.as_str()) {
            return None;
        }
        self.element_of(value).map(|m| m.id().to_owned())
    }

    /// The element a literal ARN or name refers to by the physical name of a resource of one
    /// of `types` (`arn:aws:sqs:${aws:region}:${aws:accountId}:MyQueue` for a queue named
    /// `MyQueue`).
    fn named(&self, value: &Val, types: &[&str]) -> Option<String> {
        let text = value.text()?;
        let logical = self
            .names
            .get(&text)
            .or_else(|| self.names.get(crate::iam::arn::resource_name(&text)?))?;
        let resource = self.t.resource(logical)?;
        if !types.contains(&resource.kind.as_str()) {
            return None;
        }
        self.elements.get(logical).map(|m| m.id().to_owned())
    }

    /// Whether element `id` is a bucket of the template.
    fn is_bucket(&self, id: &str) -> bool {
        self.elements.iter().any(|(logical, mapped)| {
            *mapped == Mapped::Store(id.to_owned())
                && self
                    .t
                    .resource(logical)
                    .is_some_and(|r| r.kind == "AWS::S3::Bucket")
        })
    }

    /// A resource as the model writes it: an element id, `*`, or the ARN (what a deployment
    /// decides written as `*`).
    fn resource_text(&self, value: &Val) -> Option<String> {
        if let Some(mapped) = self.element_of(value) {
            return Some(mapped.id().to_owned());
        }
        let pieces = value.pieces()?;
        Some(
            pieces
                .iter()
                .map(|p| match p {
                    Piece::Lit(text) => text.clone(),
                    Piece::Resource { id, .. } => id.clone(),
                    Piece::Unknown(_) => "*".to_owned(),
                })
                .collect(),
        )
    }

    /// A policy's resource as a permission names it: a modelled store, channel or function by
    /// its id, else an ARN (a resource of the template that is no such element gets one made
    /// from its type and logical id) or `*`; `None` for what is neither, which IAM ignores.
    fn permission_resource(&self, value: &Val) -> Option<String> {
        match self.element_of(value) {
            Some(Mapped::Role(_)) | None => {}
            Some(mapped) => return Some(mapped.id().to_owned()),
        }
        if let Some((id, _)) = value.resource()
            && let Some(resource) = self.t.resource(id)
        {
            let service = resource
                .kind
                .split("::")
                .nth(1)
                .unwrap_or("*")
                .to_ascii_lowercase();
            return Some(format!("arn:aws:{service}:*:*:{id}"));
        }
        let text = self.resource_text(value)?;
        (text == "*" || text.starts_with("arn:")).then_some(text)
    }

    /// Timeout, memory and reserved concurrency, within what the model (and AWS) accepts.
    fn sizing(&self, r: &Resource, f: &mut Doc) {
        // SAM and Lambda defaults when the template says nothing: 3 s and 128 MB.
        let timeout = self
            .fn_prop(r, "Timeout")
            .and_then(|v| v.as_u32())
            .unwrap_or(3);
        f.set("timeout_s", Doc::Int(u64::from(timeout.clamp(1, 900))));
        let memory = self
            .fn_prop(r, "MemorySize")
            .and_then(|v| v.as_u32())
            .unwrap_or(128);
        f.set("memory_mb", Doc::Int(u64::from(memory.clamp(128, 10_240))));
        if let Some(reserved) = self
            .fn_prop(r, "ReservedConcurrentExecutions")
            .and_then(|v| v.as_u32())
        {
            // Above any account's quota; the model caps it where AWS would refuse it.
            f.set(
                "reserved_concurrency",
                Doc::Int(u64::from(
                    reserved.min(crate::model::MAX_RESERVED_CONCURRENCY),
                )),
            );
        }
    }

    /// Where the function's code is, relative to the model: SAM's `CodeUri` when it is a local
    /// directory (not an `s3://` location or a `{Bucket, Key}`), or the asset directory CDK
    /// records in the resource's metadata. `None` for inline code and code in S3.
    fn code(&mut self, r: &Resource) -> Option<String> {
        let local = self
            .fn_prop(r, "CodeUri")
            .and_then(|v| v.text())
            .filter(|uri| !uri.is_empty() && !uri.contains("://"))
            .or_else(|| r.asset_path.clone())?;
        let template = self.sources.path(self.file);
        let dir = template.parent().unwrap_or(std::path::Path::new(""));
        let code = self.b.code_path(&dir.join(&local))?;
        if let Some(problem) = crate::model::validate::code_problem(&code) {
            self.b.warn(
                r.span,
                format!(
                    "the code directory of `{}` ({local:?}) {problem}: left out",
                    r.id
                ),
                Some("add the function's `code` by hand, relative to the model"),
            );
            return None;
        }
        Some(code)
    }

    fn function(&mut self, r: &Resource) {
        let id = self.b.id(self.file, &r.id);
        let mut f = Doc::map();
        if let Some(name) = self.prop(r, "FunctionName").and_then(|v| v.text()) {
            f.set("name", Doc::str(name));
        }
        if let Some(description) = self.prop(r, "Description").and_then(|v| v.text()) {
            f.set("description", Doc::str(description));
        }
        let runtime = self.fn_prop(r, "Runtime").and_then(|v| v.text());
        let image = self
            .fn_prop(r, "PackageType")
            .and_then(|v| v.text())
            .as_deref()
            == Some("Image");
        f.set(
            "runtime",
            Doc::str(runtime.unwrap_or_else(|| {
                if image {
                    "container-image".to_owned()
                } else {
                    "unknown".to_owned()
                }
            })),
        );
        let vpc = self.fn_prop(r, "VpcConfig").is_some();
        if vpc {
            self.vpc_boundary();
        }
        f.set("boundary", Doc::str(if vpc { VPC } else { ACCOUNT }));
        if let Some(handler) = self.fn_prop(r, "Handler").and_then(|v| v.text()) {
            f.set("handler", Doc::str(handler));
        }
        if let Some(code) = self.code(r).filter(|_| !image) {
            f.set("code", Doc::str(code));
        }
        self.sizing(r, &mut f);
        self.role_of_function(r, &id, &mut f);
        self.environment(r, &mut f);
        let mut triggers = Vec::new();
        if let Some(Val::Map(events)) = self.prop(r, "Events") {
            for (name, event) in &events {
                if let Some(trigger) = self.event(r, &id, name, event) {
                    triggers.push(trigger);
                }
            }
        }
        if let Some(url) = self.prop(r, "FunctionUrlConfig") {
            triggers.push(self.function_url(r, &id, &url));
        }
        if !triggers.is_empty() {
            f.set("triggers", Doc::Seq(triggers));
        }
        if let Some(target) = self
            .fn_prop(r, "DeadLetterQueue")
            .and_then(|d| d.get("TargetArn").cloned())
            .or_else(|| {
                self.fn_prop(r, "EventInvokeConfig").and_then(|c| {
                    c.get("DestinationConfig")?
                        .get("OnFailure")?
                        .get("Destination")
                        .cloned()
                })
            })
            .or_else(|| {
                self.fn_prop(r, "DeadLetterConfig")
                    .and_then(|d| d.get("TargetArn").cloned())
            })
            && let Some(destination) = self.typed(&target, DESTINATIONS)
        {
            f.set("on_failure", Doc::str(destination));
        }
        let tracing = self
            .fn_prop(r, "Tracing")
            .and_then(|v| v.text())
            .or_else(|| {
                self.fn_prop(r, "TracingConfig")
                    .and_then(|t| t.get("Mode")?.text())
            });
        f.set("tracing", Doc::Bool(tracing.as_deref() == Some("Active")));
        // Lambda writes every function's logs to CloudWatch, kept forever unless a log group
        // of the template sets a retention (below).
        let mut logging = Doc::map();
        logging.set("enabled", Doc::Bool(true));
        f.set("logging", logging);
        if vpc {
            f.set("vpc", Doc::Bool(true));
        }
        let from = self.from(r);
        self.b.add("functions", "functions", &id, f, from);
    }

    /// The function's permissions: SAM `Policies` become a role of its own (as SAM creates
    /// one); `Role` names an existing role.
    fn role_of_function(&mut self, r: &Resource, id: &str, f: &mut Doc) {
        if let Some(role) = self.fn_prop(r, "Role") {
            match self.element_of(&role) {
                Some(Mapped::Role(role)) => f.set("role", Doc::str(role.clone())),
                _ => self.b.warn(
                    r.span,
                    format!("the role of `{}` is not defined in the template: its permissions are unknown", r.id),
                    Some("add the role's permissions to the function by hand"),
                ),
            }
            return;
        }
        if r.kind != "AWS::Serverless::Function" {
            self.b.warn(
                r.span,
                format!("`{}` names no role: its permissions are unknown", r.id),
                None,
            );
            return;
        }
        // What SAM's role for the function holds, written on the function itself: basic
        // execution (logs), X-Ray when traced, ENIs in a VPC, then the function's `Policies`
        // (managed policies, inline statements and SAM policy templates).
        let mut managed = vec!["AWSLambdaBasicExecutionRole".to_owned()];
        if self.fn_prop(r, "Tracing").and_then(|v| v.text()).as_deref() == Some("Active") {
            managed.push("AWSXrayWriteOnlyAccess".to_owned());
        }
        if self.fn_prop(r, "VpcConfig").is_some() {
            managed.push("AWSLambdaVPCAccessExecutionRole".to_owned());
        }
        let mut statements = Vec::new();
        let mut templates = Vec::new();
        let policies = self.fn_prop(r, "Policies").unwrap_or(Val::Absent);
        for policy in policies.items() {
            if let Some(name) = policy.text() {
                managed.push(managed_name(&name));
                continue;
            }
            if let Some(doc) = policy.get("Statement") {
                statements.extend(self.statements(r.span, doc));
                continue;
            }
            if let Val::Map(entries) = policy
                && let [(name, parameters)] = entries.as_slice()
            {
                if let Some(template) = self.template(r, name, parameters) {
                    templates.push(template);
                }
                continue;
            }
            self.b.warn(
                r.span,
                format!("a policy of `{}` could not be read", r.id),
                None,
            );
        }
        managed.dedup();
        Self::role_body(f, &statements, &managed);
        let mut refs = Vec::new();
        for (name, parameters, grant) in templates {
            let doc = if parameters.is_empty() {
                Doc::str(name)
            } else {
                let mut values = Doc::map();
                for (k, v) in parameters {
                    values.set(k, Doc::Str(v));
                }
                let mut one = Doc::map();
                one.set(name, values);
                one
            };
            refs.push(doc);
            statements.push(grant);
        }
        if !refs.is_empty() {
            f.set("policy_templates", Doc::Seq(refs));
        }
        self.grants
            .entry(id.to_owned())
            .or_default()
            .extend(statements);
    }

    /// A SAM policy template of `r`: its name, its parameters (element ids where they name an
    /// element of the template), and what it grants on those elements, for the flows.
    fn template(&mut self, r: &Resource, name: &str, parameters: &Val) -> Option<TemplateUse> {
        let Ok(template) = crate::iam::policies::policy_template(name) else {
            self.b.warn(
                r.span,
                format!(
                    "`{name}`, a policy of `{}`, is no SAM policy template",
                    r.id
                ),
                Some("the SAM policy templates are listed in the AWS SAM documentation"),
            );
            return None;
        };
        let mut values = Vec::new();
        let mut targets = Vec::new();
        if let Val::Map(entries) = parameters {
            for (key, value) in entries {
                if let Some(mapped) = self.element_of(value) {
                    values.push((key.clone(), mapped.id().to_owned()));
                    targets.push(mapped.id().to_owned());
                } else if let Some(text) = value.text().or_else(|| self.resource_text(value)) {
                    values.push((key.clone(), text));
                }
            }
        }
        let actions: Vec<String> = template
            .statements
            .iter()
            .filter(|s| s.effect == crate::iam::policies::Effect::Allow && !s.not_action)
            .flat_map(|s| s.actions.iter().map(|a| (*a).to_owned()))
            .collect();
        Some((template.name.to_owned(), values, (actions, targets)))
    }

    fn role_body(role: &mut Doc, statements: &[Grant], managed: &[String]) {
        if !statements.is_empty() {
            let permissions = statements
                .iter()
                .map(|(allow, on)| {
                    let mut p = Doc::map();
                    p.set(
                        "allow",
                        Doc::Seq(allow.iter().cloned().map(Doc::Str).collect()),
                    );
                    p.set("on", on_doc(on));
                    p
                })
                .collect();
            role.set("permissions", Doc::Seq(permissions));
        }
        if !managed.is_empty() {
            role.set(
                "managed_policies",
                Doc::Seq(managed.iter().cloned().map(Doc::Str).collect()),
            );
        }
    }

    /// The `Allow` statements of a policy document: (actions, resources); what is no IAM
    /// action is left out, and counted in the warning.
    fn statements(&mut self, span: Span, statement: &Val) -> Vec<Grant> {
        let mut out = Vec::new();
        let mut dropped = 0;
        for s in statement.items() {
            if s.get("Effect").and_then(Val::text).as_deref() != Some("Allow") {
                continue;
            }
            // IAM reads service prefixes in any case; the model writes them in lower case.
            let written: Vec<String> = s
                .get("Action")
                .map(|a| a.items().into_iter().filter_map(Val::text).collect())
                .unwrap_or_default();
            let allow: Vec<String> = written
                .iter()
                .map(|a| match a.split_once(':') {
                    Some((service, name)) => format!("{}:{name}", service.to_ascii_lowercase()),
                    None => a.clone(),
                })
                .filter(|a| crate::model::validate::is_action(a))
                .collect();
            if allow.len() < written.len() {
                dropped += written.len() - allow.len();
            }
            let resources: Vec<&Val> = s.get("Resource").map(Val::items).unwrap_or_default();
            let mut on: Vec<String> = resources
                .iter()
                .filter_map(|v| {
                    let resource = self.permission_resource(v)?;
                    // The objects of a bucket element under a key pattern: kept beside the
                    // element for the flows (a write's `key`), not written in the permission.
                    Some(match object_key(v) {
                        Some(key) if self.is_bucket(&resource) => {
                            format!("{resource}{KEY_MARK}{key}")
                        }
                        _ => resource,
                    })
                })
                .collect();
            dropped += resources.len() - on.len();
            on.dedup();
            if !allow.is_empty() && !on.is_empty() {
                out.push((allow, on));
            }
        }
        if dropped > 0 {
            self.b.warn(
                span,
                format!("{dropped} action{} or resource{} of a policy {} neither an IAM action (`service:Action`) nor an ARN, and left out", if dropped == 1 { "" } else { "s" }, if dropped == 1 { "" } else { "s" }, if dropped == 1 { "is" } else { "are" }),
                None,
            );
        }
        out
    }

    fn environment(&mut self, r: &Resource, f: &mut Doc) {
        let Some(variables) = self
            .fn_prop(r, "Environment")
            .and_then(|e| e.get("Variables").cloned())
        else {
            return;
        };
        let Val::Map(variables) = variables else {
            return;
        };
        let mut env = Doc::map();
        let mut secrets = Doc::map();
        for (name, value) in &variables {
            if *value == Val::Absent {
                continue;
            }
            let text = self.resource_text(value).unwrap_or_default();
            if let Some(source) = secret_source(name, &text, self.element_of(value).is_some()) {
                let mut secret = Doc::map();
                secret.set("from", Doc::str(source));
                secrets.set(name.clone(), secret);
            } else {
                env.set(name.clone(), Doc::Str(text));
            }
        }
        if !env.is_empty() {
            f.set("env", env);
        }
        if !secrets.is_empty() {
            f.set("secrets", secrets);
        }
    }

    fn api(&mut self, r: &Resource, kind: &str) {
        let mut channel = element_doc(kind);
        let private = self
            .prop(r, "EndpointConfiguration")
            .map(|e| e.get("Type").cloned().unwrap_or(e))
            .and_then(|v| v.items().first().and_then(|t| t.text()))
            .is_some_and(|t| t == "PRIVATE");
        channel.set("public", Doc::Bool(!private));
        let auth = self.prop(r, "Auth");
        let auth = if kind == "api-gateway-websocket" {
            "none".to_owned()
        } else {
            api_auth(auth.as_ref()).to_owned()
        };
        channel.set("auth", Doc::Str(auth));
        if kind != "api-gateway-websocket" {
            channel.set("tls", Doc::Bool(true));
        }
        let (cors, access_logs) = self.api_cors_and_logs(&r.kind, Some(r));
        if let Some(cors) = cors.filter(|_| kind != "api-gateway-websocket") {
            channel.set("cors", cors);
        }
        // Stages of the template that write access logs set it (`Mapper::stage`).
        channel.set("access_logs", Doc::Bool(access_logs));
        self.add_channel(r, channel);
        let id = self.b.id(self.file, &r.id);
        self.openapi_routes(r, &id);
    }

    fn table(&mut self, r: &Resource) {
        let mut store = element_doc("dynamodb");
        let sse = self.prop(r, "SSESpecification");
        let kms = sse
            .as_ref()
            .and_then(|s| s.get("SSEEnabled")?.as_bool())
            .unwrap_or(false);
        let cmk = sse.as_ref().and_then(|s| s.get("KMSMasterKeyId")).is_some();
        store.set(
            "encryption",
            at_rest(if cmk {
                "cmk"
            } else if kms {
                "kms"
            } else {
                "provider"
            }),
        );
        let pitr = self
            .prop(r, "PointInTimeRecoverySpecification")
            .and_then(|p| p.get("PointInTimeRecoveryEnabled")?.as_bool())
            .unwrap_or(false);
        store.set("backup", Doc::Bool(pitr));
        let ttl = self
            .prop(r, "TimeToLiveSpecification")
            .and_then(|t| t.get("Enabled")?.as_bool())
            .unwrap_or(false);
        store.set("ttl", Doc::Bool(ttl));
        if let Some(key) = self.table_key(r) {
            store.set("key", key);
        }
        // A table without BillingMode is provisioned; SAM's SimpleTable is on demand unless it
        // gives ProvisionedThroughput.
        let on_demand = match self.prop(r, "BillingMode").and_then(|b| b.text()) {
            Some(mode) => mode == "PAY_PER_REQUEST",
            None => {
                r.kind == "AWS::Serverless::SimpleTable"
                    && self.prop(r, "ProvisionedThroughput").is_none()
            }
        };
        store.set(
            "capacity",
            Doc::str(if on_demand {
                "on-demand"
            } else {
                "provisioned"
            }),
        );
        self.add_store(r, store);
    }

    /// A table's primary key: CloudFormation's `KeySchema` with the types its
    /// `AttributeDefinitions` give, or SAM's `PrimaryKey` (a string `id` when unsaid).
    fn table_key(&self, r: &Resource) -> Option<Doc> {
        fn code(kind: &str) -> Option<&'static str> {
            match kind {
                "S" | "String" => Some("S"),
                "N" | "Number" => Some("N"),
                "B" | "Binary" => Some("B"),
                _ => None,
            }
        }
        let mut key = Doc::map();
        if r.kind == "AWS::Serverless::SimpleTable" {
            let primary = self.prop(r, "PrimaryKey");
            let name = primary.as_ref().and_then(|p| p.get("Name")?.text());
            key.set(
                "partition",
                Doc::str(name.unwrap_or_else(|| "id".to_owned())),
            );
            if let Some(kind) = primary.as_ref().and_then(|p| code(&p.get("Type")?.text()?)) {
                key.set("partition_type", Doc::str(kind));
            }
            return Some(key);
        }
        let types: Vec<(String, String)> = self
            .prop(r, "AttributeDefinitions")
            .map(|d| {
                d.items()
                    .iter()
                    .filter_map(|a| {
                        Some((
                            a.get("AttributeName")?.text()?,
                            a.get("AttributeType")?.text()?,
                        ))
                    })
                    .collect()
            })
            .unwrap_or_default();
        let schema = self.prop(r, "KeySchema")?;
        for element in schema.items() {
            let (Some(name), Some(kind)) = (
                element
                    .get("AttributeName")
                    .and_then(super::template::Val::text),
                element.get("KeyType").and_then(super::template::Val::text),
            ) else {
                continue;
            };
            let (field, type_field) = match kind.as_str() {
                "HASH" => ("partition", "partition_type"),
                "RANGE" => ("sort", "sort_type"),
                _ => continue,
            };
            let kind = types
                .iter()
                .find(|(n, _)| *n == name)
                .and_then(|(_, t)| code(t));
            key.set(field, Doc::str(name));
            if let Some(kind) = kind {
                key.set(type_field, Doc::str(kind));
            }
        }
        key.get("partition")?;
        Some(key)
    }

    fn queue(&mut self, r: &Resource) {
        let mut channel = element_doc("sqs");
        let at = if self.prop(r, "KmsMasterKeyId").is_some() {
            "kms"
        } else if self
            .prop(r, "SqsManagedSseEnabled")
            .and_then(|v| v.as_bool())
            == Some(false)
        {
            "none"
        } else {
            // SQS-managed encryption is on by default for new queues.
            "provider"
        };
        channel.set("encryption", at_rest(at));
        if let Some(redrive) = self.prop(r, "RedrivePolicy") {
            if let Some(target) = redrive.get("deadLetterTargetArn")
                && let Some(dlq) = self.typed(target, &["AWS::SQS::Queue"])
            {
                channel.set("dlq", Doc::str(dlq));
            }
            if let Some(count) = redrive.get("maxReceiveCount").and_then(Val::as_u32) {
                channel.set("max_receive_count", Doc::Int(u64::from(count)));
            }
        }
        self.add_channel(r, channel);
    }

    fn topic(&mut self, r: &Resource) {
        let mut channel = element_doc("sns");
        if self.prop(r, "KmsMasterKeyId").is_some() {
            channel.set("encryption", at_rest("kms"));
        }
        let mut delivers = Vec::new();
        if let Some(subscriptions) = self.prop(r, "Subscription") {
            for s in subscriptions.items() {
                if s.get("Protocol").and_then(Val::text).as_deref() == Some("sqs")
                    && let Some(endpoint) = s.get("Endpoint")
                    && let Some(queue) = self.typed(endpoint, &["AWS::SQS::Queue"])
                {
                    delivers.push(Doc::str(queue));
                }
            }
        }
        if !delivers.is_empty() {
            channel.set("delivers_to", Doc::Seq(delivers));
        }
        self.add_channel(r, channel);
    }

    fn subscription(&mut self, r: &Resource) {
        let (Some(topic), Some(endpoint)) = (self.prop(r, "TopicArn"), self.prop(r, "Endpoint"))
        else {
            return;
        };
        let protocol = self.prop(r, "Protocol").and_then(|v| v.text());
        let Some(topic) = self.typed(&topic, &["AWS::SNS::Topic"]) else {
            if protocol.as_deref() == Some("lambda") {
                self.b.warn(
                    r.span,
                    format!("the topic of subscription `{}` is not in the template: its function has no trigger from it", r.id),
                    Some("add the trigger by hand"),
                );
            }
            return;
        };
        match protocol.as_deref() {
            Some("sqs") => {
                if let Some(queue) = self.typed(&endpoint, &["AWS::SQS::Queue"])
                    && let Some(channel) = self.b.element("channels", &topic)
                {
                    channel.push("delivers_to", Doc::str(queue));
                }
            }
            Some("lambda") => {
                if let Some(function) = self.typed(&endpoint, FUNCTIONS) {
                    let mut trigger = Doc::map();
                    trigger.set("kind", Doc::str("sns"));
                    trigger.set("source", Doc::str(topic));
                    self.push_trigger(&function, trigger);
                } else {
                    self.b.warn(
                        r.span,
                        format!(
                            "the function of subscription `{}` is not in the template",
                            r.id
                        ),
                        Some("add the trigger by hand"),
                    );
                }
            }
            _ => {}
        }
    }

    /// A custom resource whose `ServiceToken` is a function of the template: the stack invokes
    /// it. A token naming a topic or a function outside the template starts nothing modelled.
    fn custom_resource(&mut self, r: &Resource) {
        let Some(token) = self.prop(r, "ServiceToken") else {
            return;
        };
        if let Some(Mapped::Function(function)) = self.element_of(&token).cloned() {
            let mut trigger = Doc::map();
            trigger.set("kind", Doc::str("custom-resource"));
            if !self.b.element("functions", &function).is_some_and(|f| {
                f.get("triggers").is_some_and(|t| match t {
                    Doc::Seq(items) => items
                        .iter()
                        .any(|i| i.get("kind") == Some(&Doc::str("custom-resource"))),
                    _ => false,
                })
            }) {
                self.push_trigger(&function, trigger);
            }
        }
    }

    fn push_trigger(&mut self, function: &str, trigger: Doc) {
        if let Some(f) = self.b.element("functions", function) {
            f.push("triggers", trigger);
        }
    }

    fn role(&mut self, r: &Resource) {
        let id = self.b.id(self.file, &r.id);
        let mut statements = Vec::new();
        if let Some(policies) = self.prop(r, "Policies") {
            for policy in policies.items() {
                if let Some(document) = policy
                    .get("PolicyDocument")
                    .and_then(|d| d.get("Statement"))
                {
                    statements.extend(self.statements(r.span, document));
                }
            }
        }
        let managed: Vec<String> = self
            .prop(r, "ManagedPolicyArns")
            .map(|m| {
                m.items()
                    .into_iter()
                    .filter_map(|v| self.resource_text(v))
                    .map(|arn| managed_name(&arn))
                    .collect()
            })
            .unwrap_or_default();
        let mut role = Doc::map();
        Self::role_body(&mut role, &statements, &managed);
        let from = self.from(r);
        self.b.add("roles", "roles", &id, role, from);
        self.grants
            .entry(format!("role:{id}"))
            .or_default()
            .extend(statements);
    }

    fn policy(&mut self, r: &Resource) {
        let Some(document) = self
            .prop(r, "PolicyDocument")
            .and_then(|d| d.get("Statement").cloned())
        else {
            return;
        };
        let statements = self.statements(r.span, &document);
        let roles = self
            .prop(r, "Roles")
            .map(|v| v.items().into_iter().cloned().collect::<Vec<_>>())
            .unwrap_or_default();
        for role in roles {
            let Some(Mapped::Role(id)) = self.element_of(&role).cloned() else {
                continue;
            };
            self.grants
                .entry(format!("role:{id}"))
                .or_default()
                .extend(statements.clone());
            if let Some(doc) = self.b.element("roles", &id) {
                for (allow, on) in &statements {
                    let mut p = Doc::map();
                    p.set(
                        "allow",
                        Doc::Seq(allow.iter().cloned().map(Doc::Str).collect()),
                    );
                    p.set("on", on_doc(on));
                    doc.push("permissions", p);
                }
            }
        }
    }

    fn event_source_mapping(&mut self, r: &Resource) {
        let (Some(source), Some(function)) =
            (self.prop(r, "EventSourceArn"), self.prop(r, "FunctionName"))
        else {
            return;
        };
        let Some(Mapped::Function(function)) = self.element_of(&function).cloned() else {
            self.b.warn(
                r.span,
                format!(
                    "the function of event source mapping `{}` is not in the template",
                    r.id
                ),
                Some("add the trigger by hand"),
            );
            return;
        };
        let unknown_source = |m: &mut Self| {
            m.b.warn(
                r.span,
                format!("the queue or stream of event source mapping `{}` is not in the template: its function has no trigger from it", r.id),
                Some("add the trigger by hand"),
            );
        };
        let source_id = source.pieces().and_then(|p| match p.as_slice() {
            [Piece::Resource { id, attr }] => Some((id.clone(), attr.clone())),
            _ => None,
        });
        let (kind, channel) = match source_id {
            Some((table, Some(attr))) if attr == "StreamArn" => match self.streams.get(&table) {
                Some(stream) => ("dynamodb-stream", stream.clone()),
                None => return unknown_source(self),
            },
            Some((id, _)) => match (
                self.t.resource(&id).map(|r| r.kind.as_str()),
                self.elements.get(&id),
            ) {
                (Some("AWS::SQS::Queue"), Some(Mapped::Channel(c))) => ("sqs", c.clone()),
                (Some("AWS::Kinesis::Stream"), Some(Mapped::Channel(c))) => ("kinesis", c.clone()),
                _ => return unknown_source(self),
            },
            None => return unknown_source(self),
        };
        let mut trigger = Doc::map();
        trigger.set("kind", Doc::str(kind));
        trigger.set("source", Doc::str(channel));
        batch(
            &mut trigger,
            self.prop(r, "BatchSize"),
            self.prop(r, "FunctionResponseTypes"),
        );
        self.push_trigger(&function, trigger);
    }

    fn url(&mut self, r: &Resource) {
        let Some(target) = self.prop(r, "TargetFunctionArn") else {
            return;
        };
        let Some(Mapped::Function(function)) = self.element_of(&target).cloned() else {
            return;
        };
        let id = self.b.id(self.file, &r.id);
        let auth = self.prop(r, "AuthType").and_then(|v| v.text());
        let cors = self.prop(r, "Cors");
        let from = self.from(r);
        let trigger = self.url_channel(&id, (auth.as_deref(), cors.as_ref()), from);
        self.push_trigger(&function, trigger);
    }

    /// A function URL channel `id` (public; `AWS_IAM` or no authentication; its `Cors`), and
    /// the trigger of the function behind it.
    fn url_channel(
        &mut self,
        id: &str,
        (auth, cors): (Option<&str>, Option<&Val>),
        from: Provenance,
    ) -> Doc {
        let mut channel = element_doc("function-url");
        channel.set("public", Doc::Bool(true));
        let auth = if auth == Some("AWS_IAM") {
            "iam"
        } else {
            "none"
        };
        channel.set("auth", Doc::str(auth));
        if let Some(cors) = cors.and_then(cors::configuration) {
            channel.set("cors", cors);
        }
        self.b.add("channels", "channels", id, channel, from);
        let mut trigger = Doc::map();
        trigger.set("kind", Doc::str("http"));
        trigger.set("source", Doc::str(id));
        trigger
    }

    fn function_url(&mut self, r: &Resource, function: &str, config: &Val) -> Doc {
        let id = self.b.fresh(&format!("{function}-url"));
        let auth = config.get("AuthType").and_then(Val::text);
        let from = self.from(r).and("(its FunctionUrlConfig)");
        self.url_channel(&id, (auth.as_deref(), config.get("Cors")), from)
    }

    fn rule(&mut self, r: &Resource) {
        let Some(targets) = self.prop(r, "Targets") else {
            return;
        };
        let functions: Vec<String> = targets
            .items()
            .into_iter()
            .filter_map(|t| match self.element_of(t.get("Arn")?) {
                Some(Mapped::Function(f)) => Some(f.clone()),
                _ => None,
            })
            .collect();
        if functions.is_empty() {
            return;
        }
        let id = self.b.id(self.file, &r.id);
        let schedule = self.prop(r, "ScheduleExpression").and_then(|v| v.text());
        let (kind, mut channel) = match &schedule {
            Some(expression) => {
                let mut c = element_doc("schedule");
                c.set("expression", Doc::str(expression.clone()));
                ("schedule", c)
            }
            None => ("eventbridge", element_doc("eventbridge")),
        };
        if let Some(description) = self.prop(r, "Description").and_then(|v| v.text()) {
            channel.set("description", Doc::str(description));
        }
        let from = self.from(r);
        self.b.add("channels", "channels", &id, channel, from);
        let pattern = self.prop(r, "EventPattern").map(|p| json(&p));
        for function in functions {
            let mut trigger = Doc::map();
            trigger.set("kind", Doc::str(kind));
            trigger.set("source", Doc::str(id.clone()));
            if let Some(pattern) = &pattern {
                trigger.set("filter", Doc::str(pattern.clone()));
            }
            self.push_trigger(&function, trigger);
        }
    }

    fn log_group(&mut self, r: &Resource) {
        let Some(name) = self.prop(r, "LogGroupName") else {
            return;
        };
        let Some(pieces) = name.pieces() else {
            return;
        };
        let function = match pieces.as_slice() {
            [Piece::Lit(prefix), Piece::Resource { id, .. }] if prefix == "/aws/lambda/" => {
                match self.elements.get(id) {
                    Some(Mapped::Function(f)) => f.clone(),
                    _ => return,
                }
            }
            _ => return,
        };
        // No retention: logs are kept forever, which the model says as no retention_days.
        if let Some(days) = self.prop(r, "RetentionInDays").and_then(|v| v.as_u32()) {
            self.retention.insert(function, days);
        }
    }

    fn waf(&mut self, r: &Resource) {
        let Some(arn) = self.prop(r, "ResourceArn") else {
            return;
        };
        if let Some(api) = self.typed(&arn, APIS)
            && let Some(channel) = self.b.element("channels", &api)
        {
            channel.set("waf", Doc::Bool(true));
        }
    }

    /// Reads, writes and invocations from what each function may do on each element.
    fn flows(&mut self) {
        let functions: Vec<(String, Option<String>)> = self
            .elements
            .values()
            .filter_map(|m| match m {
                Mapped::Function(id) => Some(id.clone()),
                _ => None,
            })
            .map(|id| {
                let role = match self
                    .b
                    .element("functions", &id)
                    .and_then(|f| f.get_mut("role").cloned())
                {
                    Some(Doc::Str(role)) => Some(role),
                    _ => None,
                };
                (id, role)
            })
            .collect();
        let kinds: BTreeMap<String, &'static str> = self
            .elements
            .values()
            .filter_map(|m| match m {
                Mapped::Function(id) => Some((id.clone(), "functions")),
                Mapped::Store(id) => Some((id.clone(), "stores")),
                Mapped::Channel(id) => Some((id.clone(), "channels")),
                Mapped::Role(_) => None,
            })
            .collect();
        for (function, role) in functions {
            let mut grants = self.grants.get(&function).cloned().unwrap_or_default();
            if let Some(role) = &role {
                grants.extend(
                    self.grants
                        .get(&format!("role:{role}"))
                        .cloned()
                        .unwrap_or_default(),
                );
            }
            let mut reads = BTreeSet::new();
            let mut writes = BTreeSet::new();
            let mut invokes = BTreeSet::new();
            // Per bucket written: the key patterns of the writes (`None`: any key).
            let mut keys: BTreeMap<String, BTreeSet<Option<String>>> = BTreeMap::new();
            for (actions, resources) in &grants {
                for marked in resources {
                    let (resource, key) = match marked.split_once(KEY_MARK) {
                        Some((resource, key)) => (resource.to_owned(), Some(key.to_owned())),
                        None => (marked.clone(), None),
                    };
                    let resource = &resource;
                    let Some(section) = kinds.get(resource) else {
                        continue;
                    };
                    for action in actions {
                        let access = access(action);
                        match *section {
                            "functions" if access.invoke && *resource != function => {
                                invokes.insert(resource.clone());
                            }
                            "stores" if access.read => {
                                reads.insert(resource.clone());
                            }
                            _ => {}
                        }
                        if matches!(*section, "stores" | "channels") && access.write {
                            writes.insert(resource.clone());
                            keys.entry(resource.clone())
                                .or_default()
                                .insert(key.clone());
                        }
                    }
                }
            }
            let Some(f) = self.b.element("functions", &function) else {
                continue;
            };
            // A write to a bucket only under one key pattern says so (`recursive-loop` checks it
            // against the bucket's trigger filters).
            let written: Vec<Doc> = writes
                .iter()
                .map(
                    |w| match keys.get(w).map(|k| k.iter().collect::<Vec<_>>()).as_deref() {
                        Some([Some(key)]) => {
                            let mut flow = Doc::map();
                            flow.set("to", Doc::str(w.clone()));
                            flow.set("key", Doc::str(key.clone()));
                            flow
                        }
                        _ => Doc::str(w.clone()),
                    },
                )
                .collect();
            for (key, set) in [("reads", reads), ("invokes", invokes)] {
                if !set.is_empty() {
                    f.set(key, Doc::Seq(set.into_iter().map(Doc::Str).collect()));
                }
            }
            if !written.is_empty() {
                f.set("writes", Doc::Seq(written));
            }
        }
    }
}

/// What an action (or pattern) lets its caller do to a resource, by the access levels the IAM
/// catalogue gives the actions it grants.
#[derive(Debug, Default, PartialEq, Eq)]
struct Access {
    read: bool,
    write: bool,
    invoke: bool,
}

fn access(action: &str) -> Access {
    use crate::iam::AccessLevel;
    let mut access = Access::default();
    for granted in crate::iam::catalogue().expand(action) {
        match (granted.service, granted.name, granted.level) {
            ("lambda", "InvokeFunction" | "InvokeAsync", _) => access.invoke = true,
            // Consuming a message (deleting it, changing its visibility) puts nothing on the
            // queue: a consumer does not write to what triggers it.
            (
                "sqs",
                "DeleteMessage"
                | "DeleteMessageBatch"
                | "ChangeMessageVisibility"
                | "ChangeMessageVisibilityBatch",
                _,
            )
            | (_, _, AccessLevel::Read | AccessLevel::List) => access.read = true,
            (_, _, AccessLevel::Write) => access.write = true,
            _ => {}
        }
    }
    access
}

/// A managed policy as the model names it: an AWS managed policy the catalogue knows by its
/// name (`arn:aws:iam::aws:policy/service-role/AWSLambdaRole` → `AWSLambdaRole`), anything else
/// as written (validation reports policies it does not know).
fn managed_name(text: &str) -> String {
    crate::iam::policies::managed_policy_with(text, false)
        .map_or_else(|_| text.to_owned(), |p| p.name.to_owned())
}

/// Where a secret-looking environment variable comes from, when it holds one.
fn secret_source(name: &str, value: &str, reference: bool) -> Option<&'static str> {
    if value.starts_with("{{resolve:secretsmanager:") {
        return Some("secrets-manager");
    }
    if value.starts_with("{{resolve:ssm") {
        return Some("ssm");
    }
    // Terraform knows it is a secret (it comes from a sensitive variable).
    if value == super::terraform::SENSITIVE {
        return Some("env");
    }
    let upper = name.to_ascii_uppercase();
    let secret_name = [
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "TOKEN",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "CREDENTIAL",
    ]
    .iter()
    .any(|w| upper.contains(w));
    // A name or ARN of a secret store is not the secret.
    (secret_name && !reference && !value.is_empty() && !value.starts_with("arn:")).then_some("env")
}

/// Whether a policy principal is everyone (`*`, `{AWS: "*"}`).
/// Whether a resource type is a CloudFormation custom resource.
fn is_custom_resource(kind: &str) -> bool {
    kind == "AWS::CloudFormation::CustomResource" || kind.starts_with("Custom::")
}

fn everyone(principal: &Val) -> bool {
    if principal.text().as_deref() == Some("*") {
        return true;
    }
    principal.get("AWS").is_some_and(|aws| {
        aws.items()
            .into_iter()
            .any(|v| v.text().as_deref() == Some("*"))
    })
}

/// The authentication an API's `Auth` section sets by default.
fn api_auth(auth: Option<&Val>) -> &'static str {
    let Some(auth) = auth else {
        return "none";
    };
    if let Some(name) = auth.get("DefaultAuthorizer").and_then(Val::text) {
        return authorizer_kind(Some(auth), &name);
    }
    if auth.get("ApiKeyRequired").and_then(Val::as_bool) == Some(true) {
        return "api-key";
    }
    "none"
}

/// The kind of the authorizer `name` of an API's `Auth` section.
fn authorizer_kind(auth: Option<&Val>, name: &str) -> &'static str {
    if name == "AWS_IAM" {
        return "iam";
    }
    match auth.and_then(|a| a.get("Authorizers")?.get(name)) {
        Some(a) if a.get("UserPoolArn").is_some() => "cognito",
        Some(a) if a.get("JwtConfiguration").is_some() => "jwt",
        Some(a) if a.get("FunctionArn").is_some() => "lambda-authorizer",
        Some(a) if a.get("IdentitySource").is_some() => "jwt",
        // An authorizer the template does not describe: some authentication, of unknown kind.
        _ => "lambda-authorizer",
    }
}

/// A batch trigger's size and partial-failure reporting.
/// The key pattern of the objects an S3 resource names (`arn:aws:s3:::${Bucket}/thumbnails/*`
/// → `thumbnails/*`); `None` for the bucket itself or all its objects (`/*`).
fn object_key(value: &Val) -> Option<String> {
    let pieces = value.pieces()?;
    let last = pieces
        .iter()
        .rposition(|p| matches!(p, Piece::Resource { .. }));
    let rest: String = if let Some(at) = last {
        pieces[at + 1..]
            .iter()
            .map(|p| match p {
                Piece::Lit(text) => Some(text.as_str()),
                _ => None,
            })
            .collect::<Option<String>>()?
    } else {
        let text = value.text()?;
        let bucket = text.strip_prefix("arn:aws:s3:::")?;
        bucket[bucket.find('/')?..].to_owned()
    };
    let key = rest.strip_prefix('/')?;
    (!key.is_empty() && key != "*").then(|| key.to_owned())
}

/// Separates an element from the key pattern of the objects a permission names, inside the
/// mapper only (never written).
const KEY_MARK: char = '\u{0}';

/// A permission's `on` list as written: elements without the key patterns kept for the flows.
fn on_doc(on: &[String]) -> Doc {
    let mut shown: Vec<Doc> = Vec::new();
    for resource in on {
        let element = resource.split(KEY_MARK).next().unwrap_or(resource);
        let doc = Doc::str(element);
        if !shown.contains(&doc) {
            shown.push(doc);
        }
    }
    Doc::Seq(shown)
}

/// An S3 notification's key filter (`Filter: {S3Key: {Rules: [{Name, Value}]}}`) as the
/// trigger's `prefix` and `suffix`.
fn key_filter(trigger: &mut Doc, notification: &Val) {
    let rules = notification
        .get("Filter")
        .and_then(|f| f.get("S3Key")?.get("Rules").cloned());
    for rule in rules.as_ref().map(Val::items).unwrap_or_default() {
        let (Some(name), Some(value)) = (
            rule.get("Name").and_then(Val::text),
            rule.get("Value").and_then(Val::text),
        ) else {
            continue;
        };
        match name.to_ascii_lowercase().as_str() {
            "prefix" => trigger.set("prefix", Doc::str(value)),
            "suffix" => trigger.set("suffix", Doc::str(value)),
            _ => {}
        }
    }
}

fn batch(trigger: &mut Doc, size: Option<Val>, responses: Option<Val>) {
    if let Some(size) = size.and_then(|v| v.as_u32()) {
        trigger.set("batch_size", Doc::Int(u64::from(size.clamp(1, 10_000))));
    }
    let partial = responses.is_some_and(|v| {
        v.items()
            .into_iter()
            .any(|t| t.text().as_deref() == Some("ReportBatchItemFailures"))
    });
    trigger.set("partial_failures", Doc::Bool(partial));
}

/// SAM's merge of a global value with a resource's own.
fn merge(global: Val, own: Val) -> Val {
    match (global, own) {
        (Val::Map(mut entries), Val::Map(own)) => {
            for (key, value) in own {
                match entries.iter_mut().find(|(k, _)| *k == key) {
                    Some(entry) => {
                        let old = std::mem::replace(&mut entry.1, Val::Absent);
                        entry.1 = merge(old, value);
                    }
                    None => entries.push((key, value)),
                }
            }
            Val::Map(entries)
        }
        (Val::List(mut items), Val::List(own)) => {
            items.extend(own);
            Val::List(items)
        }
        (_, own) => own,
    }
}

/// A store or channel of `kind` in the account.
fn element_doc(kind: &str) -> Doc {
    let mut doc = Doc::map();
    doc.set("kind", Doc::str(kind));
    doc.set("boundary", Doc::str(ACCOUNT));
    doc
}

fn at_rest(kind: &str) -> Doc {
    let mut encryption = Doc::map();
    encryption.set("at_rest", Doc::str(kind));
    encryption
}

/// A value as compact JSON text (for event patterns and filters).
fn json(value: &Val) -> String {
    fn to_json(value: &Val) -> serde_json::Value {
        match value {
            Val::Absent => serde_json::Value::Null,
            Val::Bool(b) => serde_json::Value::Bool(*b),
            Val::Number(n) => {
                serde_json::from_str(n).unwrap_or_else(|_| serde_json::Value::String(n.clone()))
            }
            Val::Text(_) => {
                serde_json::Value::String(value.text().unwrap_or_else(|| "*".to_owned()))
            }
            Val::List(items) => serde_json::Value::Array(items.iter().map(to_json).collect()),
            Val::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.clone(), to_json(v)))
                    .collect(),
            ),
        }
    }
    to_json(value).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_read_write_or_invoke() {
        let (read, write, invoke) = (
            Access {
                read: true,
                ..Access::default()
            },
            Access {
                write: true,
                ..Access::default()
            },
            Access {
                invoke: true,
                ..Access::default()
            },
        );
        assert_eq!(access("dynamodb:GetItem"), read);
        assert_eq!(access("dynamodb:PartiQLSelect"), read);
        assert_eq!(access("s3:ListBucket"), read);
        assert_eq!(access("s3:PutObject"), write);
        assert_eq!(access("dynamodb:PartiQLInsert"), write);
        assert_eq!(access("lambda:InvokeFunction"), invoke);
        assert_eq!(access("sqs:SendMessage"), write);
        assert_eq!(access("nonsense"), Access::default());
        assert_eq!(access("dynamodb:GetItme"), Access::default());
        let crud = access("dynamodb:*");
        assert!(crud.read && crud.write && !crud.invoke);
    }

    #[test]
    fn managed_policy_arns_become_names() {
        assert_eq!(
            managed_name("arn:aws:iam::aws:policy/service-role/AWSLambdaRole"),
            "AWSLambdaRole"
        );
        assert_eq!(
            managed_name("arn:aws-cn:iam::aws:policy/AmazonS3FullAccess"),
            "AmazonS3FullAccess"
        );
        assert_eq!(
            managed_name("arn:aws:iam::123:policy/mine"),
            "arn:aws:iam::123:policy/mine"
        );
    }

    #[test]
    fn secrets_are_told_from_names_of_secrets() {
        assert_eq!(secret_source("DB_PASSWORD", "hunter2", false), Some("env"));
        assert_eq!(
            secret_source("API_KEY", "{{resolve:secretsmanager:k}}", false),
            Some("secrets-manager")
        );
        assert_eq!(
            secret_source("SECRET_ARN", "arn:aws:secretsmanager:x", false),
            None
        );
        assert_eq!(secret_source("TOKEN_SECRET", "shop-secrets", true), None);
        assert_eq!(secret_source("TABLE", "orders", false), None);
    }
}
