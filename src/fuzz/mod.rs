//! Event-injection fuzzing, from the model: which (function, trigger) pairs get a cargo-fuzz
//! target, with what the model says about each — the event type and its generator, the route,
//! batch size, body schema, the sinks that weight the payload families, the secrets the oracles
//! look for, and the libFuzzer limits from the function's timeout and memory. [`init`] writes the
//! crate.

pub mod ident;
pub mod init;
pub mod names;
pub mod run;
pub mod runtime;
pub mod vendor;

use std::path::{Path, PathBuf};

use strider_events::Family;

use crate::model::{ChannelKind, HandlerStyle, Model, Section, StoreKind, TriggerKind, kebab};

/// The cargo-fuzz targets of a model.
#[derive(Debug, Clone)]
pub struct FuzzPlan {
    /// The model's name.
    pub model: String,
    /// One target per (function, trigger) with a Rust handler and a generator.
    pub targets: Vec<Target>,
    /// Triggers of functions with a handler that no generator covers yet, with why.
    pub skipped: Vec<String>,
    /// The AWS resources the emulator is provisioned with for handlers in their own runtimes
    /// (the provisioning script's JSON; empty when there are none, or no such handler).
    pub resources: String,
}

/// How an HTTP trigger's events arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HttpFlavour {
    /// API Gateway REST API, payload 1.0.
    Rest,
    /// API Gateway HTTP API, payload 2.0.
    HttpApi,
    /// Lambda function URL.
    FunctionUrl,
    /// Application Load Balancer.
    Alb,
    /// API Gateway WebSocket API: route events in the REST API's proxy shape, answered with a
    /// proxy response.
    WebSocket,
}

/// One cargo-fuzz target.
#[derive(Debug, Clone)]
pub struct Target {
    /// The target's name: a Rust identifier, unique in the crate, also its file name.
    pub name: String,
    /// The function's id.
    pub function: String,
    /// Index of the trigger in the function's `triggers`.
    pub trigger: usize,
    /// The trigger's kind.
    pub kind: TriggerKind,
    /// Path of the generator in strider-events (`events::http::rest`).
    pub generator: &'static str,
    /// The event type's path.
    pub event_type: String,
    /// For HTTP triggers, the API flavour.
    pub http: Option<HttpFlavour>,
    /// For batch triggers, the `oracle::BatchKind` variant.
    pub batch: Option<&'static str>,
    /// How the handler is called.
    pub style: HandlerStyle,
    /// Path of the handler function.
    pub handler: String,
    /// The handler crate's directory.
    pub crate_dir: PathBuf,
    /// Payload families for the sinks the function writes to.
    pub sinks: Vec<Family>,
    /// The trigger's source id.
    pub source: String,
    /// HTTP method.
    pub method: String,
    /// Route path.
    pub path: String,
    /// Largest batch.
    pub batch_size: u32,
    /// Whether the handler reports partial batch failures.
    pub partial_failures: bool,
    /// Whether SQS bodies are SNS envelopes.
    pub sns_envelope: bool,
    /// Event types (S3 events, Cognito trigger sources, detail types).
    pub events: Vec<String>,
    /// The body's JSON Schema file.
    pub schema: Option<PathBuf>,
    /// Secret names the oracles look for.
    pub secrets: Vec<String>,
    /// Largest body or message, bytes.
    pub max_body: usize,
    /// libFuzzer `-timeout`, seconds: the function's timeout.
    pub timeout_s: u32,
    /// The function's memory, MB (libFuzzer's `-rss_limit_mb` adds the fuzzer's own share).
    pub memory_mb: u32,
    /// The id of the event-injection threat of this trigger, which a finding confirms.
    pub threat: String,
    /// Names the handler may read: the route's parameters from [`plan`], completed by `init` with
    /// the schema's and its source's ([`names::complete`]): `strider_events::Plan::names`.
    pub names: Vec<String>,
    /// Literals of the handler's source that are not looked up (tokens, enum words, magic strings), sent as
    /// whole values: `strider_events::Plan::values`.
    pub values: Vec<String>,
    /// The ARN of the trigger's source, empty when unknown: `strider_events::Plan::source_arn`.
    pub source_arn: String,
    /// The ARN of the topic messages come through, empty when none:
    /// `strider_events::Plan::topic_arn`.
    pub topic_arn: String,
    /// The keys of the data seeded in the stores the function uses (handlers in their own
    /// runtimes): `strider_events::Plan::keys`.
    pub keys: Vec<String>,
    /// Who the events act as, for a route behind an authorizer (`fuzz.caller`, default
    /// `strider-caller`); empty otherwise: `strider_events::Plan::caller`.
    pub caller: String,
    /// For a handler run in its own runtime (Python, Node.js): how to start it. `style`,
    /// `handler` and `crate_dir` then say nothing of a Rust crate: the style is plain, the
    /// handler Lambda's name for it, the directory its code.
    pub process: Option<runtime::ProcessHandler>,
}

/// What libFuzzer's own state (corpus, coverage maps) adds to the function's memory.
pub const FUZZER_MEMORY_MB: u32 = 256;

/// libFuzzer's `-rss_limit_mb` for a function with `memory_mb`: the function's memory and the
/// fuzzer's own share. Saturating: the model bounds `memory_mb` (AWS allows at most 10 240), but
/// a limit must never wrap to a few MB whatever reaches it.
#[must_use]
pub fn rss_limit_mb(memory_mb: u32) -> u32 {
    memory_mb.saturating_add(FUZZER_MEMORY_MB)
}

impl Target {
    /// libFuzzer's `-rss_limit_mb` for this target (see [`rss_limit_mb`]).
    #[must_use]
    pub fn rss_limit_mb(&self) -> u32 {
        rss_limit_mb(self.memory_mb)
    }

    /// Whether the gateway takes a response without `statusCode` as a 200 JSON body (HTTP APIs
    /// with payload 2.0 and function URLs do; REST APIs and load balancers answer 502). A
    /// WebSocket route sends back only the body, and only when it has a route response.
    #[must_use]
    pub fn infers_status(&self) -> bool {
        matches!(
            self.http,
            Some(HttpFlavour::HttpApi | HttpFlavour::FunctionUrl | HttpFlavour::WebSocket)
        )
    }
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlanError {
    /// `--function` names a function the model does not have.
    UnknownFunction(String),
    /// The function has no `fuzz.rust` handler.
    NoHandler(String),
    /// No function has a handler to fuzz.
    NothingToFuzz,
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::UnknownFunction(id) => write!(f, "the model has no function `{id}`"),
            PlanError::NoHandler(id) => write!(
                f,
                "function `{id}` has no `code` (with its `runtime` and `handler`) to run, nor a `fuzz: {{rust: …}}` handler"
            ),
            PlanError::NothingToFuzz => write!(
                f,
                "no function of the model names a handler to fuzz (`fuzz: {{rust: {{crate, handler, style}}}}`)"
            ),
        }
    }
}

impl std::error::Error for PlanError {}

/// The body limit of each trigger kind: what the service lets through to the function.
fn max_body(kind: TriggerKind) -> usize {
    match kind {
        // Lambda's synchronous payload limit (a direct invocation may be synchronous).
        TriggerKind::Http | TriggerKind::Invoke => 6 * 1024 * 1024,
        TriggerKind::Kinesis => 1024 * 1024,
        // The longest S3 object key.
        TriggerKind::S3 => 1024,
        TriggerKind::DynamodbStream => 400 * 1024,
        TriggerKind::Cognito => 2048,
        // API Gateway's largest WebSocket message; IoT Core's largest MQTT message.
        TriggerKind::Websocket | TriggerKind::Iot => 128 * 1024,
        // SES sends a Lambda action at most 10 KB of the mail's headers, and never the body.
        TriggerKind::Email => 10 * 1024,
        // Lambda's asynchronous payload limit (SQS, SNS, EventBridge, schedules).
        _ => 256 * 1024,
    }
}

/// The payload families a function's sinks call for, most harmful first, without repeats: the
/// sinks the model declares its events feed, then what its stores, calls and logs suggest.
fn sinks(model: &Model, function: &crate::model::Function) -> Vec<Family> {
    use crate::model::SinkKind;
    let mut families = Vec::new();
    let mut add = |f: Family| {
        if !families.contains(&f) {
            families.push(f);
        }
    };
    for sink in function.sinks.iter().filter(|s| s.from_event()) {
        let declared: &[Family] = match sink.kind {
            SinkKind::Command => &[Family::Command],
            SinkKind::Code => &[Family::Code, Family::Command, Family::Template],
            SinkKind::Deserialization => &[Family::Deserialization, Family::PrototypePollution],
            SinkKind::Sql => &[Family::Sql],
            SinkKind::Nosql => &[Family::NoSql],
            SinkKind::Markup => &[Family::Markup],
            SinkKind::Template => &[Family::Template],
            SinkKind::Path => &[Family::Traversal, Family::EncodedTraversal],
            SinkKind::Url => &[Family::Ssrf],
        };
        for family in declared {
            add(*family);
        }
    }
    for flow in function.writes.iter().chain(&function.reads) {
        if let Some(store) = model.stores.get(flow.target()) {
            match store.kind {
                StoreKind::Rds | StoreKind::Aurora | StoreKind::Redshift => add(Family::Sql),
                StoreKind::Dynamodb | StoreKind::Documentdb | StoreKind::Opensearch => {
                    add(Family::NoSql);
                }
                StoreKind::S3 | StoreKind::Efs => add(Family::Traversal),
                StoreKind::Elasticache => add(Family::Command),
                StoreKind::SecretsManager | StoreKind::Ssm | StoreKind::Bundled => {}
            }
        }
    }
    if function
        .calls
        .iter()
        .any(|c| model.externals.contains_key(c.target()))
    {
        add(Family::Ssrf);
    }
    if function.description.as_deref().is_some_and(|d| {
        let d = d.to_ascii_lowercase();
        ["imagemagick", "ffmpeg", "shell", "command", "exec"]
            .iter()
            .any(|w| d.contains(w))
    }) {
        add(Family::Command);
    }
    if function.logging.as_ref().is_some_and(|l| l.enabled) {
        add(Family::LogInjection);
    }
    families
}

/// What generates a trigger's events: the strider-events function and the event type (under
/// `aws_lambda_events`), the HTTP flavour and the batch kind for the oracles.
#[derive(Debug, Clone, Copy)]
struct Generator {
    path: &'static str,
    event: &'static str,
    http: Option<HttpFlavour>,
    batch: Option<&'static str>,
}

const fn plain(path: &'static str, event: &'static str) -> Generator {
    Generator {
        path,
        event,
        http: None,
        batch: None,
    }
}

const fn batch(path: &'static str, event: &'static str, kind: &'static str) -> Generator {
    Generator {
        path,
        event,
        http: None,
        batch: Some(kind),
    }
}

const fn http(path: &'static str, event: &'static str, flavour: HttpFlavour) -> Generator {
    Generator {
        path,
        event,
        http: Some(flavour),
        batch: None,
    }
}

/// The generator of a trigger's events, or why there is none.
fn generator(model: &Model, trigger: &crate::model::Trigger) -> Result<Generator, String> {
    let source_kind = trigger
        .source
        .as_ref()
        .and_then(|s| model.channels.get(s))
        .map(|c| c.kind);
    Ok(match trigger.kind {
        TriggerKind::Http => match source_kind {
            Some(ChannelKind::ApiGatewayHttp) => http(
                "events::http::http_api",
                "apigw::ApiGatewayV2httpRequest",
                HttpFlavour::HttpApi,
            ),
            Some(ChannelKind::FunctionUrl) => http(
                "events::http::function_url",
                "lambda_function_urls::LambdaFunctionUrlRequest",
                HttpFlavour::FunctionUrl,
            ),
            Some(ChannelKind::Alb) => http(
                "events::http::alb",
                "alb::AlbTargetGroupRequest",
                HttpFlavour::Alb,
            ),
            _ => http(
                "events::http::rest",
                "apigw::ApiGatewayProxyRequest",
                HttpFlavour::Rest,
            ),
        },
        TriggerKind::S3 => plain("events::storage::s3", "s3::S3Event"),
        TriggerKind::Sqs => batch("events::messaging::sqs", "sqs::SqsEvent", "Sqs"),
        TriggerKind::Sns => plain("events::messaging::sns", "sns::SnsEvent"),
        TriggerKind::DynamodbStream => batch(
            "events::storage::dynamodb_stream",
            "dynamodb::Event",
            "DynamodbStream",
        ),
        TriggerKind::Kinesis => batch(
            "events::messaging::kinesis",
            "kinesis::KinesisEvent",
            "Kinesis",
        ),
        TriggerKind::Eventbridge => plain(
            "events::messaging::eventbridge",
            "eventbridge::EventBridgeEvent",
        ),
        TriggerKind::Schedule => plain(
            "events::messaging::schedule",
            "eventbridge::EventBridgeEvent",
        ),
        TriggerKind::Cognito => cognito(trigger)?,
        TriggerKind::Websocket => http(
            "events::websocket::request",
            "apigw::ApiGatewayWebsocketProxyRequest",
            HttpFlavour::WebSocket,
        ),
        TriggerKind::Iot => plain("events::iot::rule", JSON),
        TriggerKind::Email => plain("events::ses::receipt", "ses::SimpleEmailEvent"),
        TriggerKind::Invoke => plain("events::invoke::payload", JSON),
        TriggerKind::CustomResource => {
            return Err(
                "CloudFormation sends custom-resource events when its stack changes, not an attacker: not fuzzed"
                    .to_owned(),
            );
        }
    })
}

/// The event type of IoT rules and direct invocations: whatever JSON was sent.
const JSON: &str = "serde_json::Value";

/// The Rust type of a generator's events in the generated crate: `serde_json::Value` as is, the
/// others under `strider_events::aws_lambda_events` (EventBridge's with its `detail` as JSON).
fn event_type(event: &str) -> String {
    if event == JSON {
        return event.to_owned();
    }
    let generic = if event.starts_with("eventbridge::") {
        "<serde_json::Value>"
    } else {
        ""
    };
    format!("strider_events::aws_lambda_events::{event}{generic}")
}

/// The generator for a handler of `style`: lambda_http reads a function URL's request as an HTTP
/// API one, so an `http`-style handler behind a URL gets that event directly, with no
/// conversion per execution.
fn for_style(found: Generator, style: HandlerStyle) -> Generator {
    if found.http == Some(HttpFlavour::FunctionUrl) && style == HandlerStyle::Http {
        http(
            "events::http::function_url_as_http_api",
            "apigw::ApiGatewayV2httpRequest",
            HttpFlavour::FunctionUrl,
        )
    } else {
        found
    }
}

/// The Cognito trigger named by the trigger's first event (`PreSignUp`, `PostConfirmation`…).
fn cognito(trigger: &crate::model::Trigger) -> Result<Generator, String> {
    let source = trigger
        .events
        .first()
        .map_or("PostConfirmation", String::as_str);
    Ok(match source.split('_').next().unwrap_or(source) {
        "PreSignUp" => plain(
            "events::cognito::pre_signup",
            "cognito::CognitoEventUserPoolsPreSignup",
        ),
        "PreAuthentication" => plain(
            "events::cognito::pre_authentication",
            "cognito::CognitoEventUserPoolsPreAuthentication",
        ),
        "PostAuthentication" => plain(
            "events::cognito::post_authentication",
            "cognito::CognitoEventUserPoolsPostAuthentication",
        ),
        "TokenGeneration" | "PreTokenGeneration" => plain(
            "events::cognito::pre_token_generation",
            "cognito::CognitoEventUserPoolsPreTokenGen",
        ),
        "PostConfirmation" => plain(
            "events::cognito::post_confirmation",
            "cognito::CognitoEventUserPoolsPostConfirmation",
        ),
        other => {
            return Err(format!(
                "no generator for the Cognito trigger `{other}` yet"
            ));
        }
    })
}

/// Whether a queue receives its messages from an SNS topic (in the SNS envelope).
fn fed_by_topic(model: &Model, queue: &str) -> bool {
    model
        .channels
        .values()
        .any(|c| c.kind == ChannelKind::Sns && c.delivers_to.iter().any(|d| d.target() == queue))
}

/// The ARN of a trigger's source, in the placeholder account and region of
/// `strider_events::events::arn`; empty for sources whose events carry no ARN. A DynamoDB stream
/// is named after the table whose changes it carries (the stream channel's `table`, or the table
/// itself when the trigger names it).
/// The id of the event-injection threat of trigger `i` of function `id`.
fn injection_threat(id: &str, f: &crate::model::Function, i: usize) -> String {
    format!(
        "{}@{id}/{}",
        crate::rules::find("event-injection").map_or("STR-002", |r| r.id),
        crate::rules::trigger_qualifier(f, i)
    )
}

/// The caller an HTTP event acts as when its route is behind an authorizer that names one (a
/// Cognito user pool, a JWT or a Lambda authorizer), else empty.
fn caller(model: &Model, f: &crate::model::Function, trigger: &crate::model::Trigger) -> String {
    use crate::model::Auth;
    let behind = trigger.kind == TriggerKind::Http
        && trigger
            .source
            .as_deref()
            .and_then(|s| model.channels.get(s))
            .and_then(|channel| crate::graph::route_auth(trigger, channel))
            .is_some_and(|auth| matches!(auth, Auth::Cognito | Auth::Jwt | Auth::LambdaAuthorizer));
    if !behind {
        return String::new();
    }
    f.fuzz
        .as_ref()
        .and_then(|fuzz| fuzz.caller.clone())
        .unwrap_or_else(|| "strider-caller".to_owned())
}

fn source_arn(model: &Model, trigger: &crate::model::Trigger) -> String {
    use strider_events::events::arn;
    let Some(source) = trigger.source.as_deref() else {
        return String::new();
    };
    match trigger.kind {
        TriggerKind::Sqs => arn("sqs", source),
        TriggerKind::Sns => arn("sns", source),
        TriggerKind::Kinesis => arn("kinesis", &format!("stream/{source}")),
        TriggerKind::S3 => format!("arn:aws:s3:::{source}"),
        TriggerKind::Schedule | TriggerKind::Eventbridge => {
            arn("events", &format!("rule/{source}"))
        }
        TriggerKind::DynamodbStream => {
            let table = model
                .channels
                .get(source)
                .and_then(|c| c.table.as_deref())
                .unwrap_or(source);
            arn(
                "dynamodb",
                &format!("table/{table}/stream/2026-11-23T10:00:00.000"),
            )
        }
        _ => String::new(),
    }
}

/// The ARN of the topic a trigger's messages come through: an SNS trigger's own topic, or the
/// first topic (by id) that delivers to an SQS trigger's queue; empty otherwise.
fn topic_arn(model: &Model, trigger: &crate::model::Trigger) -> String {
    let Some(source) = trigger.source.as_deref() else {
        return String::new();
    };
    let topic = match trigger.kind {
        TriggerKind::Sns => Some(source),
        TriggerKind::Sqs => model
            .channels
            .iter()
            .find(|(_, c)| {
                c.kind == ChannelKind::Sns && c.delivers_to.iter().any(|d| d.target() == source)
            })
            .map(|(id, _)| id.as_str()),
        _ => None,
    };
    topic.map_or_else(String::new, |t| strider_events::events::arn("sns", t))
}

/// The trigger's HTTP method: the model's, else `POST` for an HTTP route, else none.
fn method(trigger: &crate::model::Trigger) -> String {
    trigger.method.clone().unwrap_or_else(|| {
        if trigger.kind == TriggerKind::Http {
            "POST"
        } else {
            ""
        }
        .to_owned()
    })
}

/// Whether the function `id` exists and names a handler to fuzz.
fn fuzzable(model: &Model, id: &str) -> Result<(), PlanError> {
    let f = model
        .functions
        .get(id)
        .ok_or_else(|| PlanError::UnknownFunction(id.to_owned()))?;
    if f.fuzz.as_ref().and_then(|z| z.rust.as_ref()).is_none() && f.code.is_none() {
        return Err(PlanError::NoHandler(id.to_owned()));
    }
    Ok(())
}

/// How a function is fuzzed.
enum Harness<'m> {
    /// Its Rust handler, in-process.
    Rust(&'m crate::model::RustHandler),
    /// Its handler in its own runtime.
    Process(runtime::ProcessHandler),
}

impl<'m> Harness<'m> {
    /// The function's harness; `None` when the model says neither.
    ///
    /// # Errors
    /// Why it is skipped: `fuzz.skip`, or code that strider cannot run.
    fn of(f: &'m crate::model::Function, base: &Path) -> Result<Option<Self>, String> {
        if f.fuzz.as_ref().is_some_and(|z| z.skip) {
            return Err("`fuzz.skip` leaves it out".to_owned());
        }
        if let Some(rust) = f.fuzz.as_ref().and_then(|z| z.rust.as_ref()) {
            return Ok(Some(Harness::Rust(rust)));
        }
        Ok(runtime::handler(f, base)?.map(Harness::Process))
    }

    fn style(&self) -> HandlerStyle {
        match self {
            Harness::Rust(rust) => rust.style,
            Harness::Process(_) => HandlerStyle::Plain,
        }
    }

    fn handler(&self) -> String {
        match self {
            Harness::Rust(rust) => rust.handler.clone(),
            Harness::Process(process) => process.handler.clone(),
        }
    }

    fn dir(&self, base: &Path) -> PathBuf {
        match self {
            Harness::Rust(rust) => base.join(&rust.krate),
            Harness::Process(process) => process.code.clone(),
        }
    }

    fn event(&self) -> Option<String> {
        match self {
            Harness::Rust(rust) => rust.event.clone(),
            Harness::Process(_) => None,
        }
    }

    fn process(&self) -> Option<runtime::ProcessHandler> {
        match self {
            Harness::Rust(_) => None,
            Harness::Process(process) => Some(process.clone()),
        }
    }
}

/// The targets for the model's functions with Rust handlers or handlers to run in their own
/// runtimes (or only `function`).
///
/// # Errors
/// When `function` is unknown or has no handler, or no function has one.
pub fn plan(model: &Model, function: Option<&str>) -> Result<FuzzPlan, PlanError> {
    if let Some(id) = function {
        fuzzable(model, id)?;
    }
    let mut names = ident::Names::default();
    let mut targets = Vec::new();
    let mut skipped = Vec::new();
    for (id, f) in &model.functions {
        if function.is_some_and(|only| only != id) {
            continue;
        }
        let base = model
            .location(Section::Functions, id)
            .and_then(|l| l.file.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let harness = match Harness::of(f, &base) {
            Ok(Some(found)) => found,
            Ok(None) => continue,
            Err(why) => {
                skipped.push(format!("function `{id}`: {why}"));
                continue;
            }
        };
        let style = harness.style();
        for (i, trigger) in f.triggers.iter().enumerate() {
            let found = match generator(model, trigger) {
                Ok(found) => found,
                Err(why) => {
                    skipped.push(format!("function `{id}`, trigger {}: {why}", i + 1));
                    continue;
                }
            };
            let found = for_style(found, style);
            let event_type = harness.event().unwrap_or_else(|| event_type(found.event));
            let source = trigger.source.clone().unwrap_or_default();
            let sns_envelope = trigger.kind == TriggerKind::Sqs && fed_by_topic(model, &source);
            let schema = trigger
                .input
                .as_ref()
                .or(f.input.as_ref())
                .and_then(|input| input.schema.as_ref())
                .map(|s| base.join(s));
            targets.push(Target {
                name: names.unique(&format!("{id}_{}", kebab(&trigger.kind))),
                function: id.clone(),
                trigger: i,
                kind: trigger.kind,
                generator: found.path,
                event_type,
                http: found.http,
                batch: found.batch,
                style,
                handler: harness.handler(),
                crate_dir: harness.dir(&base),
                process: harness.process(),
                sinks: sinks(model, f),
                source,
                method: method(trigger),
                path: trigger.path.clone().unwrap_or_else(|| "/".to_owned()),
                batch_size: trigger.batch_size.unwrap_or(10),
                partial_failures: trigger.partial_failures.unwrap_or(false),
                sns_envelope,
                events: trigger.events.clone(),
                schema,
                secrets: f.secrets.keys().cloned().collect(),
                max_body: max_body(trigger.kind),
                timeout_s: f.timeout_s.unwrap_or(3),
                memory_mb: f.memory_mb.unwrap_or(128),
                threat: injection_threat(id, f, i),
                // The route's parameters; `init` adds the schema's and the handler's names.
                names: trigger
                    .path
                    .as_deref()
                    .map(names::route)
                    .unwrap_or_default(),
                values: Vec::new(),
                // The keys of the data seeded for it: a handler that takes ids looks them up.
                keys: harness
                    .process()
                    .map(|_| runtime::seeded_keys(model, f))
                    .unwrap_or_default(),
                caller: caller(model, f, trigger),
                source_arn: source_arn(model, trigger),
                topic_arn: topic_arn(model, trigger),
            });
        }
    }
    if targets.is_empty() && skipped.is_empty() {
        return Err(PlanError::NothingToFuzz);
    }
    Ok(FuzzPlan {
        model: model.name.clone(),
        // Once for the model: every handler of the crate shares one emulated account.
        resources: if targets.iter().any(|t| t.process.is_some()) {
            runtime::resources(model)
        } else {
            String::new()
        },
        targets,
        skipped,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::model::Trigger;

    proptest! {
        #[test]
        fn the_memory_limit_never_wraps(memory_mb in any::<u32>()) {
            let limit = rss_limit_mb(memory_mb);
            prop_assert!(limit >= memory_mb);
            prop_assert_eq!(
                u64::from(limit),
                (u64::from(memory_mb) + u64::from(FUZZER_MEMORY_MB)).min(u64::from(u32::MAX))
            );
        }
    }

    /// Declared sinks that events feed come first; a sink fed only by a store does not choose
    /// payloads for the event; a call to an API of the model is no SSRF sink.
    #[test]
    fn declared_sinks_choose_the_payload_families_first() {
        let text = "strider: 1
name: t
boundaries: {cloud: {trust: trusted}}
stores: {orders: {kind: dynamodb, boundary: cloud}}
channels: {api: {kind: api-gateway-http, boundary: cloud}}
functions:
  f:
    runtime: python3.12
    boundary: cloud
    reads: [orders]
    calls: [api]
    sinks:
      - {kind: markup, from: [orders]}
      - {kind: path, from: [event]}
      - {kind: url, from: [event]}
";
        let loaded = crate::model::load_bytes(std::path::Path::new("m.yaml"), text.as_bytes())
            .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let model = &loaded.model;
        let families = sinks(model, &model.functions["f"]);
        assert_eq!(
            families,
            [
                Family::Traversal,
                Family::EncodedTraversal,
                Family::Ssrf,
                Family::NoSql
            ]
        );
    }

    /// A model with functions fuzzed in their own runtime, skipped, not runnable and silent.
    const RUNTIMES: &str = "strider: 1
name: m
boundaries: {cloud: {trust: trusted}}
stores:
  orders: {kind: dynamodb, boundary: cloud, key: {partition: pk, sort: at, sort_type: N}}
  b: {kind: s3, boundary: cloud}
functions:
  py:
    runtime: python3.12
    boundary: cloud
    handler: app.handler
    code: src
    env: {TABLE: orders, \"not a name\": x}
    secrets: {TOKEN: {from: env}}
    fuzz: {env: {FLAG: on, TABLE: override}}
    triggers: [{kind: s3, source: b}]
    reads: [orders]
  skipped:
    runtime: nodejs22.x
    boundary: cloud
    handler: index.handler
    code: web
    fuzz: {skip: true}
    triggers: [{kind: s3, source: b}]
  java:
    runtime: java21
    boundary: cloud
    handler: a.B::handle
    code: jvm
    triggers: [{kind: s3, source: b}]
  described:
    runtime: python3.12
    boundary: cloud
    triggers: [{kind: s3, source: b}]
";

    #[test]
    fn code_runtime_and_handler_make_a_runtime_target_and_fuzz_settings_shape_it() {
        let text = RUNTIMES;
        let loaded = crate::model::load_bytes(std::path::Path::new("m.yaml"), text.as_bytes())
            .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        assert!(
            loaded
                .warnings
                .iter()
                .any(|w| w.message.contains("not a variable name")),
            "{:?}",
            loaded.warnings
        );
        let plan = plan(&loaded.model, None).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(plan.targets.len(), 1);
        let process = plan.targets[0].process.as_ref().unwrap_or_else(|| panic!());
        assert_eq!(process.language, runtime::Language::Python);
        assert_eq!(process.handler, "app.handler");
        // The model's env, fuzz.env over it, a dummy for a secret taken from the environment;
        // a name Lambda would refuse is left out.
        assert_eq!(
            process.env,
            [
                ("FLAG".to_owned(), "on".to_owned()),
                ("TABLE".to_owned(), "override".to_owned()),
                ("TOKEN".to_owned(), "strider-dummy-token".to_owned()),
            ]
        );
        assert!(
            plan.skipped
                .iter()
                .any(|s| s.contains("`skipped`") && s.contains("fuzz.skip"))
        );
        assert!(
            plan.skipped
                .iter()
                .any(|s| s.contains("`java`") && s.contains("java21"))
        );
        assert!(!plan.skipped.iter().any(|s| s.contains("described")));
        // One emulated account for the crate, with the table's key.
        let resources: serde_json::Value =
            serde_json::from_str(&plan.resources).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(resources["tables"][0]["hash_key"], "pk");
        assert_eq!(resources["tables"][0]["range_key"], "at");
        assert_eq!(resources["tables"][0]["range_type"], "N");
        assert_eq!(resources["buckets"][0], "b");
    }

    #[test]
    fn contradictory_or_misplaced_fuzz_settings_are_model_errors() {
        let text = RUNTIMES;
        // A Rust handler that is also skipped is a contradiction; a key on a bucket is misplaced.
        for (wrong, says) in [
            (
                text.replace(
                    "fuzz: {skip: true}",
                    "fuzz: {skip: true, rust: {crate: x, handler: a::b, style: plain}}",
                ),
                "names a Rust handler and skips it",
            ),
            (
                text.replace(
                    "b: {kind: s3, boundary: cloud}",
                    "b: {kind: s3, boundary: cloud, key: {partition: k}}",
                ),
                "key",
            ),
            (
                text.replace("fuzz: {env: {FLAG: on", "fuzz: {env: {\"1BAD\": on"),
                "not a variable name",
            ),
        ] {
            let Err(error) =
                crate::model::load_bytes(std::path::Path::new("m.yaml"), wrong.as_bytes())
            else {
                panic!("{wrong}");
            };
            assert!(
                error.diagnostics.iter().any(|d| d.message.contains(says)),
                "{says}: {:?}",
                error.diagnostics
            );
        }
    }

    const SEEDED: &str = "strider: 1
name: m
boundaries: {cloud: {trust: trusted}}
channels:
  api: {kind: api-gateway-rest, boundary: cloud, auth: cognito}
  open: {kind: api-gateway-rest, boundary: cloud, auth: none}
stores:
  orders:
    kind: dynamodb
    boundary: cloud
    key: {partition: pk}
    fuzz:
      owner: customer
      items:
        - {pk: ord_1, customer: cust-1, total: 1200, paid: true, note: \"1200\", lines: [{sku: A-1}]}
        - {pk: ord_2, customer: cust-2, total: 12.5, gone: null}
  b: {kind: s3, boundary: cloud, fuzz: {objects: {a/b.txt: hello}}}
functions:
  place:
    runtime: nodejs22.x
    boundary: cloud
    handler: src/order.handler
    code: web
    fuzz: {caller: cust-1}
    triggers: [{kind: http, source: api, method: POST, path: /orders}]
    writes: [orders]
  webhook:
    runtime: nodejs22.x
    boundary: cloud
    handler: src/hook.handler
    code: web
    triggers: [{kind: http, source: open, method: POST, path: /hook}]
    reads: [b]
";

    #[test]
    fn seeded_stores_give_typed_items_keys_and_a_caller_behind_an_authorizer() {
        let loaded = crate::model::load_bytes(std::path::Path::new("m.yaml"), SEEDED.as_bytes())
            .unwrap_or_else(|e| panic!("{:?}", e.diagnostics));
        let plan = plan(&loaded.model, None).unwrap_or_else(|err| panic!("{err}"));
        let target = |f: &str| {
            plan.targets
                .iter()
                .find(|t| t.function == f)
                .unwrap_or_else(|| panic!("{f}"))
        };
        // Behind the Cognito authorizer, the function's caller; behind none, no caller.
        assert_eq!(target("place").caller, "cust-1");
        assert_eq!(target("place").keys, ["ord_1", "ord_2"]);
        assert_eq!(target("webhook").caller, "");
        assert_eq!(target("webhook").keys, ["a/b.txt"]);
        let resources: serde_json::Value =
            serde_json::from_str(&plan.resources).unwrap_or_else(|e| panic!("{e}"));
        let table = &resources["tables"][0];
        assert_eq!(table["owner"], "customer");
        // YAML's own types: unquoted numbers and booleans stay numbers and booleans.
        assert_eq!(
            table["items"][0],
            serde_json::json!({"pk": "ord_1", "customer": "cust-1", "total": 1200, "paid": true,
                "note": "1200", "lines": [{"sku": "A-1"}]})
        );
        assert_eq!(table["items"][1]["total"], 12.5);
        assert!(table["items"][1]["gone"].is_null());
        assert_eq!(
            resources["objects"],
            serde_json::json!([{"bucket": "b", "key": "a/b.txt", "body": "hello"}])
        );
    }

    #[test]
    fn seeded_data_that_cannot_be_stored_is_a_model_error_at_its_place() {
        for (from, to, says, line) in [
            (
                "{pk: ord_2,",
                "{pk: 2,",
                "item 1 seeded in `orders` lacks its key attribute `pk` of type S",
                16,
            ),
            (
                "{pk: ord_2,",
                "{pk: ord_1,",
                "item 1 seeded in `orders` has the key of an earlier item",
                16,
            ),
            (
                "{pk: ord_2,",
                "{id: ord_2,",
                "lacks its key attribute `pk`",
                16,
            ),
            (
                "key: {partition: pk}",
                "key: {partition: pk, partition_type: B}",
                "item 0 seeded in `orders` lacks its key attribute `pk` of type B",
                15,
            ),
            (
                "owner: customer",
                "owner: \"\"",
                "`fuzz.owner` of `orders` is empty",
                13,
            ),
            (
                "fuzz: {objects:",
                "fuzz: {owner: x, objects:",
                "`fuzz.owner` does not apply",
                17,
            ),
            (
                "fuzz: {caller: cust-1}",
                "fuzz: {caller: \"a\\u0007b\"}",
                "`fuzz.caller` of `place`",
                24,
            ),
        ] {
            assert_eq!(SEEDED.matches(from).count(), 1, "{from}");
            let wrong = SEEDED.replace(from, to);
            let Err(error) =
                crate::model::load_bytes(std::path::Path::new("m.yaml"), wrong.as_bytes())
            else {
                panic!("{wrong}");
            };
            let found = error
                .diagnostics
                .iter()
                .find(|d| d.message.contains(says))
                .unwrap_or_else(|| panic!("{says}: {:?}", error.diagnostics));
            let at = found
                .span
                .map_or(0, |s| wrong[..s.start].matches('\n').count() + 1);
            assert_eq!(at, line, "{says}: {found:?}");
        }
    }

    #[test]
    fn the_largest_memory_keeps_the_largest_limit() {
        assert_eq!(rss_limit_mb(u32::MAX), u32::MAX);
        assert_eq!(rss_limit_mb(u32::MAX - 255), u32::MAX);
        assert_eq!(rss_limit_mb(128), 384);
    }

    fn trigger(kind: TriggerKind, source: Option<&str>, events: &[&str]) -> Trigger {
        Trigger {
            kind,
            source: source.map(str::to_owned),
            method: None,
            path: None,
            auth: None,
            verified: None,
            data: Vec::new(),
            batch_size: None,
            partial_failures: None,
            filter: None,
            prefix: None,
            suffix: None,
            events: events.iter().map(|e| (*e).to_owned()).collect(),
            input: None,
        }
    }

    #[test]
    fn arns_follow_the_model_topic_and_table() {
        let model = crate::model::load(Path::new("model/shop-rust.yaml")).map(|l| l.model);
        let mut model = model.unwrap_or_else(|_| panic!("the shop model loads"));
        let plan = plan(&model, None).unwrap_or_else(|err| panic!("{err}"));
        let by = |name: &str| {
            plan.targets
                .iter()
                .find(|t| t.name == name)
                .unwrap_or_else(|| panic!("{name}"))
        };
        let stream = by("publish_order_events_dynamodb_stream");
        assert_eq!(
            stream.source_arn,
            "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-table/stream/2026-11-23T10:00:00.000"
        );
        assert!(stream.topic_arn.is_empty());
        let queue = by("fulfil_order_sqs");
        assert_eq!(
            queue.source_arn,
            "arn:aws:sqs:eu-west-1:123456789012:fulfilment-queue"
        );
        assert_eq!(
            queue.topic_arn,
            "arn:aws:sns:eu-west-1:123456789012:order-events"
        );
        assert_eq!(
            by("process_upload_s3").source_arn,
            "arn:aws:s3:::uploads-bucket"
        );
        assert!(by("place_order_http").source_arn.is_empty());
        // Another topic, another ARN: nothing is fixed to the shop's `order-events`.
        let topic = model
            .channels
            .remove("order-events")
            .unwrap_or_else(|| panic!());
        model.channels.insert("invoices-topic".to_owned(), topic);
        let plan = super::plan(&model, Some("fulfil-order")).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(
            plan.targets[0].topic_arn,
            "arn:aws:sns:eu-west-1:123456789012:invoices-topic"
        );
        // A trigger on the table itself names the table too.
        let mut t = trigger(TriggerKind::DynamodbStream, Some("orders-table"), &[]);
        assert!(source_arn(&model, &t).contains(":table/orders-table/stream/"));
        t.source = None;
        assert!(source_arn(&model, &t).is_empty());
    }

    #[test]
    fn route_parameters_are_names() {
        let model = crate::model::load(Path::new("model/shop.yaml")).map(|l| l.model);
        let mut model = model.unwrap_or_else(|_| panic!("the shop model loads"));
        if let Some(f) = model.functions.get_mut("place-order") {
            f.triggers[0].path = Some("/orders/{id}/lines/{proxy+}".to_owned());
        }
        let plan = plan(&model, Some("place-order")).unwrap_or_else(|err| panic!("{err}"));
        assert_eq!(plan.targets[0].names, ["id", "proxy"]);
    }

    #[test]
    fn every_planned_generator_exists_in_strider_events() {
        let model = crate::model::load(Path::new("model/shop.yaml")).map(|l| l.model);
        let mut model = model.unwrap_or_else(|_| panic!("the shop model loads"));
        let mut lb = model.channels["shop-api"].clone();
        lb.kind = ChannelKind::Alb;
        model.channels.insert("lb".to_owned(), lb);
        let mut triggers = vec![
            trigger(TriggerKind::Http, Some("lb"), &[]),
            trigger(TriggerKind::Http, Some("shop-api"), &[]),
            trigger(TriggerKind::Http, Some("upload-api"), &[]),
            trigger(TriggerKind::Http, Some("payment-webhook-url"), &[]),
        ];
        for kind in [
            TriggerKind::S3,
            TriggerKind::Sqs,
            TriggerKind::Sns,
            TriggerKind::DynamodbStream,
            TriggerKind::Kinesis,
            TriggerKind::Eventbridge,
            TriggerKind::Schedule,
            TriggerKind::Websocket,
            TriggerKind::Iot,
            TriggerKind::Email,
            TriggerKind::Invoke,
        ] {
            triggers.push(trigger(kind, None, &[]));
        }
        for source in [
            "PreSignUp_SignUp",
            "PreAuthentication_Authentication",
            "PostAuthentication_Authentication",
            "TokenGeneration_HostedAuth",
            "PostConfirmation_ConfirmSignUp",
        ] {
            triggers.push(trigger(TriggerKind::Cognito, None, &[source]));
        }
        let mut seen = std::collections::BTreeSet::new();
        for t in &triggers {
            let found = generator(&model, t).unwrap_or_else(|why| panic!("{why}"));
            for style in [
                HandlerStyle::Lambda,
                HandlerStyle::Plain,
                HandlerStyle::Http,
            ] {
                let path = for_style(found, style).path;
                assert!(strider_events::events::by_name(path).is_some(), "{path}");
                seen.insert(path);
            }
        }
        assert_eq!(seen.len(), strider_events::events::GENERATORS.len());
        assert!(
            generator(
                &model,
                &trigger(TriggerKind::Cognito, None, &["CustomMessage_SignUp"])
            )
            .is_err()
        );
    }

    #[test]
    fn every_trigger_kind_has_a_generator() {
        let model = crate::model::load(Path::new("model/shop.yaml")).map(|l| l.model);
        let model = model.unwrap_or_else(|_| panic!("the shop model loads"));
        for kind in [
            TriggerKind::Http,
            TriggerKind::Websocket,
            TriggerKind::S3,
            TriggerKind::Sqs,
            TriggerKind::Sns,
            TriggerKind::DynamodbStream,
            TriggerKind::Kinesis,
            TriggerKind::Eventbridge,
            TriggerKind::Schedule,
            TriggerKind::Cognito,
            TriggerKind::Iot,
            TriggerKind::Email,
            TriggerKind::Invoke,
        ] {
            // A match without a wildcard: a new kind fails to compile until it is listed here.
            match kind {
                TriggerKind::Http
                | TriggerKind::Websocket
                | TriggerKind::S3
                | TriggerKind::Sqs
                | TriggerKind::Sns
                | TriggerKind::DynamodbStream
                | TriggerKind::Kinesis
                | TriggerKind::Eventbridge
                | TriggerKind::Schedule
                | TriggerKind::Cognito
                | TriggerKind::Iot
                | TriggerKind::Email
                | TriggerKind::Invoke
                // Not fuzzed: see below.
                | TriggerKind::CustomResource => {}
            }
            assert!(
                generator(&model, &trigger(kind, None, &[])).is_ok(),
                "{kind:?}"
            );
        }
        // Stack events are skipped with the reason, not fuzzed.
        let skipped = generator(&model, &trigger(TriggerKind::CustomResource, None, &[]));
        assert!(skipped.is_err_and(|why| why.contains("not fuzzed")));
    }

    #[test]
    fn event_types_name_json_as_is_and_the_rest_under_aws_lambda_events() {
        assert_eq!(event_type(JSON), "serde_json::Value");
        assert_eq!(
            event_type("ses::SimpleEmailEvent"),
            "strider_events::aws_lambda_events::ses::SimpleEmailEvent"
        );
        assert_eq!(
            event_type("eventbridge::EventBridgeEvent"),
            "strider_events::aws_lambda_events::eventbridge::EventBridgeEvent<serde_json::Value>"
        );
    }

    #[test]
    fn limits_follow_the_services() {
        assert_eq!(max_body(TriggerKind::Websocket), 128 * 1024);
        assert_eq!(max_body(TriggerKind::Iot), 128 * 1024);
        assert_eq!(max_body(TriggerKind::Email), 10 * 1024);
        assert_eq!(max_body(TriggerKind::Invoke), 6 * 1024 * 1024);
        for kind in [TriggerKind::Websocket, TriggerKind::Iot, TriggerKind::Email] {
            assert!(max_body(kind) <= strider_events::hostile::EVENT_BYTES);
        }
    }
}
