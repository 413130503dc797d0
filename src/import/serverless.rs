//! Serverless Framework (v3/v4) `serverless.yml` → the CloudFormation the framework would
//! deploy, mapped by [`super::cloudformation`].
//!
//! Variables are resolved first (`${self:custom.x}`, `${opt:stage, 'dev'}`, `${env:X, 'y'}`,
//! `${sls:stage}`), with the defaults written in the file: a variable with no default that the
//! file cannot resolve (`${ssm:…}`, `${file(…)}`, an option never given) stays as written. Then
//! the service becomes a template: every function shares the framework's role
//! (`IamRoleLambdaExecution`, with `provider.iam.role.statements` and `managedPolicies`) unless it
//! names its own `role`; `provider.environment` is merged into each function's; events become
//! SAM events (`http` on the framework's REST API, `httpApi` on its HTTP API, `sqs`, `sns`,
//! `stream`, `s3`, `schedule`, `eventBridge`, `cognitoUserPool`; `alb` as the target group and
//! listener rule the framework creates), with the buckets, topics and user pools the framework
//! creates for them; the APIs' CORS (routes' `cors`, `provider.httpApi.cors`) and access logs
//! (`provider.logs`) become the APIs' SAM properties; `resources.Resources` are added as they
//! are.

use super::synth::{
    entries, event_node, get_att, items, map, pascal, reference, resource, seq, text,
};
use crate::model::diagnostic::Span;
use crate::model::yaml::{Key, Node, Value};

/// How many times variables are substituted, for variables that name variables.
const MAX_PASSES: usize = 8;

/// The longest text a substitution may produce.
const MAX_TEXT: usize = 64 * 1024;

/// What all substitutions of a file may add together: nodes copied by whole-value variables and
/// bytes of substituted text. Variables naming variables would otherwise grow a file
/// exponentially with the passes.
const MAX_ADDED_NODES: usize = 100_000;
const MAX_ADDED_BYTES: usize = 16 * 1024 * 1024;

/// How deep a variable's fallbacks may nest (`${self:a, ${self:b, …}}`).
const MAX_FALLBACKS: usize = 32;

/// What substitution may still add.
struct Budget {
    nodes: usize,
    bytes: usize,
    /// Whether some substitution was refused for want of budget.
    exhausted: bool,
}

/// Whether `root` is a Serverless Framework service.
#[must_use]
pub fn is_service(root: &Node) -> bool {
    root.get("service").is_some() && root.get("provider").is_some()
}

/// The CloudFormation template the framework would deploy for `root`, and what could not be
/// translated (place, message).
#[must_use]
pub fn template(root: &Node) -> (Node, Vec<(Span, String)>) {
    let mut notes = Vec::new();
    let (root, exhausted) = resolve_variables(root);
    let span = root.span;
    if exhausted {
        notes.push((
            span,
            "variables expand to more than strider reads: some are left as written".to_owned(),
        ));
    }
    let provider = root.get("provider").cloned();
    let get = |key: &str| provider.as_ref().and_then(|p| p.get(key)).cloned();
    let mut resources: Vec<(String, Node)> = Vec::new();

    // The framework's shared role.
    let iam = get("iam").and_then(|i| i.get("role").cloned());
    let named_role = iam.as_ref().and_then(|r| r.as_scalar().map(str::to_owned));
    resources.push((
        "IamRoleLambdaExecution".to_owned(),
        shared_role(span, iam.as_ref(), &get),
    ));

    let globals: Vec<(&'static str, Node)> = [
        ("Runtime", "runtime"),
        ("Timeout", "timeout"),
        ("MemorySize", "memorySize"),
        ("Tracing", "tracing"),
    ]
    .into_iter()
    .filter_map(|(to, from)| {
        let value = get(from)?;
        Some((to, tracing_mode(to, value)))
    })
    .collect();
    let environment = get("environment");

    if let Some(Value::Mapping(functions)) = root.get("functions").map(|f| f.value.clone()) {
        for (key, f) in &functions {
            let service = Service {
                globals: &globals,
                environment: environment.as_ref(),
                named_role: named_role.as_deref(),
            };
            let node = function(key, f, &service, &mut resources, &mut notes);
            resources.push((key.text.clone(), node));
        }
    }
    api_settings(&root, provider.as_ref(), &mut resources);
    if let Some(Value::Mapping(extra)) = root
        .get("resources")
        .and_then(|r| r.get("Resources"))
        .map(|r| r.value.clone())
    {
        for (key, node) in extra {
            resources.retain(|(id, _)| *id != key.text);
            resources.push((key.text, node));
        }
    }
    let resources = Node::mapping_placed(span, resources);
    let template = map(
        span,
        vec![
            ("Transform", text(span, "AWS::Serverless-2016-10-31")),
            ("Resources", resources),
        ],
    );
    (template, notes)
}

/// The role every function of the service runs with, unless it names its own.
fn shared_role(span: Span, iam: Option<&Node>, get: &dyn Fn(&str) -> Option<Node>) -> Node {
    let statements = iam
        .and_then(|r| r.get("statements").cloned())
        .or_else(|| get("iamRoleStatements"));
    let managed = iam
        .and_then(|r| r.get("managedPolicies").cloned())
        .or_else(|| get("iamManagedPolicies"));
    let mut role = vec![(
        "ManagedPolicyArns",
        seq(
            span,
            std::iter::once(text(span, "AWSLambdaBasicExecutionRole"))
                .chain(managed.map(|m| items(&m)).unwrap_or_default())
                .collect(),
        ),
    )];
    if let Some(statements) = statements {
        role.push((
            "Policies",
            seq(
                span,
                vec![map(
                    span,
                    vec![
                        ("PolicyName", text(span, "framework")),
                        ("PolicyDocument", map(span, vec![("Statement", statements)])),
                    ],
                )],
            ),
        ));
    }
    resource(span, "AWS::IAM::Role", map(span, role))
}

/// What every function of a service shares.
struct Service<'s> {
    /// `provider` values every function takes unless it sets its own, as SAM properties.
    globals: &'s [(&'static str, Node)],
    /// `provider.environment`.
    environment: Option<&'s Node>,
    /// `provider.iam.role` when it names a role instead of describing one.
    named_role: Option<&'s str>,
}

/// A function of the service as a SAM function; what the framework creates for its events is
/// added to `resources`.
fn function(
    key: &Key,
    f: &Node,
    service: &Service<'_>,
    resources: &mut Vec<(String, Node)>,
    notes: &mut Vec<(Span, String)>,
) -> Node {
    let mut props: Vec<(&str, Node)> = Vec::new();
    for (to, value) in service.globals {
        props.push((to, value.clone()));
    }
    // Handlers are paths from the service's directory (`src/orders.create`).
    props.push(("CodeUri", text(key.span, ".")));
    for (to, from) in [
        ("Handler", "handler"),
        ("Runtime", "runtime"),
        ("Timeout", "timeout"),
        ("MemorySize", "memorySize"),
        ("ReservedConcurrentExecutions", "reservedConcurrency"),
        ("FunctionName", "name"),
        ("Description", "description"),
        ("VpcConfig", "vpc"),
        ("Tracing", "tracing"),
    ] {
        if let Some(value) = f.get(from) {
            props.retain(|(k, _)| k != &to);
            props.push((to, tracing_mode(to, value.clone())));
        }
    }
    let mut variables = service.environment.map_or_else(Vec::new, entries);
    for (k, v) in f.get("environment").map_or_else(Vec::new, entries) {
        variables.retain(|(old, _)| *old != k);
        variables.push((k, v));
    }
    if !variables.is_empty() {
        let variables = Node::mapping_placed(key.span, variables);
        props.push(("Environment", map(key.span, vec![("Variables", variables)])));
    }
    let role = f
        .get("role")
        .and_then(Node::as_scalar)
        .map(str::to_owned)
        .or_else(|| service.named_role.map(str::to_owned));
    let role_node = match role {
        // A role of the service's resources, or an ARN the file names.
        Some(role) if role.starts_with("arn:") => text(key.span, &role),
        Some(role) => get_att(key.span, &role, "Arn"),
        None => get_att(key.span, "IamRoleLambdaExecution", "Arn"),
    };
    props.push(("Role", role_node));
    let mut events = Vec::new();
    for (i, event) in f
        .get("events")
        .map(items)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        if let Some(body) = event.get("alb") {
            alb_event(key, i + 1, body, resources);
            continue;
        }
        match sam_event(event, resources) {
            Ok(converted) => events.push((format!("Event{}", i + 1), converted)),
            Err(why) => notes.push((
                event.span,
                format!("event {} of function `{}`: {why}", i + 1, key.text),
            )),
        }
    }
    if !events.is_empty() {
        props.push(("Events", Node::mapping_placed(key.span, events)));
    }
    let mut node = resource(key.span, "AWS::Serverless::Function", map(key.span, props));
    node.span = key.span;
    node
}

/// `tracing: true` / `tracing: {lambda: true}` as SAM's `Tracing: Active`.
fn tracing_mode(to: &str, value: Node) -> Node {
    if to != "Tracing" {
        return value;
    }
    let on = value
        .as_scalar()
        .is_some_and(|t| t == "true" || t == "Active")
        || value
            .get("lambda")
            .and_then(Node::as_scalar)
            .is_some_and(|t| t == "true" || t == "Active");
    text(value.span, if on { "Active" } else { "PassThrough" })
}

/// One Serverless event as a SAM event; the resources the framework creates for it are added.
fn sam_event(event: &Node, resources: &mut Vec<(String, Node)>) -> Result<Node, String> {
    let Value::Mapping(kinds) = &event.value else {
        return Err("not a mapping".to_owned());
    };
    let [(kind, body)] = kinds.as_slice() else {
        return Err("an event has one kind".to_owned());
    };
    match kind.text.as_str() {
        "http" | "httpApi" => Ok(http_event(kind, body, resources)),
        "sqs" => Ok(sqs_event(body)),
        "stream" => Ok(stream_event(body)),
        "sns" => Ok(sns_event(body, resources)),
        "s3" => s3_event(body, resources),
        "schedule" => schedule_event(body),
        "eventBridge" => Ok(eventbridge_event(body)),
        "cognitoUserPool" => cognito_event(body, resources),
        other => Err(format!("`{other}` events are not modelled")),
    }
}

/// An `alb` event: the target group the framework creates for the function, and the listener
/// rule that forwards to it (its `path` and `method` conditions).
fn alb_event(key: &Key, n: usize, body: &Node, resources: &mut Vec<(String, Node)>) {
    let s = body.span;
    let name = format!("{}AlbTargetGroup{n}", pascal(&key.text));
    let targets = seq(s, vec![map(s, vec![("Id", get_att(s, &key.text, "Arn"))])]);
    resources.push((
        name.clone(),
        resource(
            s,
            "AWS::ElasticLoadBalancingV2::TargetGroup",
            map(
                s,
                vec![("TargetType", text(s, "lambda")), ("Targets", targets)],
            ),
        ),
    ));
    let mut conditions = Vec::new();
    let condition = |field: &str, values: Vec<Node>| {
        map(
            s,
            vec![("Field", text(s, field)), ("Values", seq(s, values))],
        )
    };
    if let Some(c) = body.get("conditions") {
        if let Some(path) = c.get("path") {
            conditions.push(condition("path-pattern", items(path)));
        }
        if let Some(method) = c.get("method") {
            conditions.push(condition("http-request-method", items(method)));
        }
    }
    let mut rule = vec![
        (
            "Actions",
            seq(
                s,
                vec![map(
                    s,
                    vec![
                        ("Type", text(s, "forward")),
                        ("TargetGroupArn", reference(s, &name)),
                    ],
                )],
            ),
        ),
        ("Conditions", seq(s, conditions)),
    ];
    if let Some(listener) = body.get("listenerArn") {
        rule.push(("ListenerArn", listener.clone()));
    }
    resources.push((
        format!("{}AlbListenerRule{n}", pascal(&key.text)),
        resource(s, "AWS::ElasticLoadBalancingV2::ListenerRule", map(s, rule)),
    ));
}

/// An `http` or `httpApi` event: a route of the framework's REST or HTTP API.
fn http_event(kind: &Key, body: &Node, resources: &mut Vec<(String, Node)>) -> Node {
    let s = body.span;
    let (method, path) = route(body);
    let mut props = vec![("Method", text(s, &method)), ("Path", text(s, &path))];
    props.push(("Auth", route_auth(body)));
    let api = if kind.text == "http" {
        "ApiGatewayRestApi"
    } else {
        "HttpApi"
    };
    if !resources.iter().any(|(id, _)| id == api) {
        let (kind_name, auth_key) = if kind.text == "http" {
            ("AWS::Serverless::Api", "Authorizers")
        } else {
            ("AWS::Serverless::HttpApi", "Authorizers")
        };
        let authorizers = map(
            s,
            vec![
                (
                    "CognitoFromServerless",
                    map(s, vec![("UserPoolArn", text(s, "from serverless.yml"))]),
                ),
                (
                    "JwtFromServerless",
                    map(s, vec![("JwtConfiguration", map(s, Vec::new()))]),
                ),
                (
                    "LambdaFromServerless",
                    map(s, vec![("FunctionArn", text(s, "from serverless.yml"))]),
                ),
            ],
        );
        resources.push((
            api.to_owned(),
            resource(
                s,
                kind_name,
                map(s, vec![("Auth", map(s, vec![(auth_key, authorizers)]))]),
            ),
        ));
    }
    props.push((
        if kind.text == "http" {
            "RestApiId"
        } else {
            "ApiId"
        },
        reference(s, api),
    ));
    event_node(
        s,
        if kind.text == "http" {
            "Api"
        } else {
            "HttpApi"
        },
        props,
    )
}

/// The methods API Gateway routes for `ANY`, as the framework lists them in CORS headers.
const ANY_METHODS: &[&str] = &["DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"];

/// What the framework configures on the APIs it creates, as SAM would say it: the REST API's
/// CORS (what its routes' `cors` allow, together) and access logs (`provider.logs.restApi`,
/// unless `accessLogging: false`); the HTTP API's CORS (`provider.httpApi.cors`) and access logs
/// (`provider.logs.httpApi`).
fn api_settings(root: &Node, provider: Option<&Node>, resources: &mut [(String, Node)]) {
    let logs = provider.and_then(|p| p.get("logs"));
    let events: Vec<(String, Node)> = match root.get("functions").map(|f| &f.value) {
        Some(Value::Mapping(functions)) => functions
            .iter()
            .flat_map(|(_, f)| f.get("events").map(items).unwrap_or_default())
            .flat_map(|event| entries(&event))
            .collect(),
        _ => Vec::new(),
    };
    let logged = |key: &str| {
        logs.and_then(|l| l.get(key)).is_some_and(|l| {
            l.as_scalar().is_none_or(|t| t == "true")
                && l.get("accessLogging").and_then(Node::as_scalar) != Some("false")
        })
    };
    for (id, node) in resources.iter_mut() {
        let s = node.span;
        let destination = || map(s, vec![("DestinationArn", text(s, "from serverless.yml"))]);
        let mut props: Vec<(&str, Node)> = Vec::new();
        match id.as_str() {
            "ApiGatewayRestApi" => {
                if let Some(cors) = rest_cors(s, &events) {
                    props.push(("Cors", cors));
                }
                if logged("restApi") {
                    props.push(("AccessLogSetting", destination()));
                }
            }
            "HttpApi" => {
                let cors = provider.and_then(|p| p.get("httpApi")?.get("cors"));
                if let Some(cors) = cors.and_then(|c| http_cors(c, &events)) {
                    props.push(("CorsConfiguration", cors));
                }
                if logged("httpApi") {
                    props.push(("AccessLogSettings", destination()));
                }
            }
            _ => continue,
        }
        let Value::Mapping(entries) = &mut node.value else {
            continue;
        };
        if let Some((_, properties)) = entries.iter_mut().find(|(k, _)| k.text == "Properties")
            && let Value::Mapping(properties) = &mut properties.value
        {
            properties.extend(props.into_iter().map(|(key, value)| {
                let key = Key {
                    text: key.to_owned(),
                    span: s,
                };
                (key, value)
            }));
        }
    }
}

/// The methods a route allows, `ANY` as what it stands for.
fn route_methods(body: &Node) -> Vec<String> {
    let (method, _) = route(body);
    let method = method.to_ascii_uppercase();
    if method == "ANY" || method == "*" {
        ANY_METHODS.iter().map(|m| (*m).to_owned()).collect()
    } else {
        vec![method]
    }
}

/// Adds what is not there yet.
fn union(list: &mut Vec<String>, more: Vec<String>) {
    for value in more {
        if !list.contains(&value) {
            list.push(value);
        }
    }
}

/// The CORS of the framework's REST API, as SAM's `Cors`: every origin its `http` routes'
/// `cors` allow (`true`: any; `origin`, possibly several separated by commas; `origins`), their
/// methods with `OPTIONS`, and credentials when one allows them. `AllowOrigin` is a list here, of
/// quoted header values: SAM takes one, the framework reflects whichever of them calls.
fn rest_cors(s: Span, events: &[(String, Node)]) -> Option<Node> {
    let mut origins: Vec<String> = Vec::new();
    let mut methods: Vec<String> = vec!["OPTIONS".to_owned()];
    let mut credentials = false;
    let mut any = false;
    for (kind, body) in events {
        let Some(cors) = body.get("cors").filter(|_| kind == "http") else {
            continue;
        };
        if cors.as_scalar().is_some_and(|c| c != "true") {
            continue;
        }
        any = true;
        let mut own: Vec<String> = cors
            .get("origins")
            .map(items)
            .unwrap_or_default()
            .iter()
            .filter_map(|o| o.as_scalar().map(str::to_owned))
            .collect();
        if let Some(origin) = cors.get("origin").and_then(Node::as_scalar) {
            own.extend(origin.split(',').map(|o| o.trim().to_owned()));
        }
        if own.is_empty() {
            own.push("*".to_owned());
        }
        let mut allowed: Vec<String> = cors
            .get("methods")
            .map(items)
            .unwrap_or_default()
            .iter()
            .filter_map(|m| m.as_scalar().map(str::to_ascii_uppercase))
            .collect();
        allowed.extend(route_methods(body));
        union(&mut origins, own);
        union(&mut methods, allowed);
        credentials |= cors.get("allowCredentials").and_then(Node::as_scalar) == Some("true");
    }
    if !any {
        return None;
    }
    let quoted = |v: &str| text(s, &format!("'{v}'"));
    Some(map(
        s,
        vec![
            (
                "AllowOrigin",
                seq(s, origins.iter().map(|o| quoted(o)).collect()),
            ),
            ("AllowMethods", quoted(&methods.join(","))),
            ("AllowCredentials", text(s, &credentials.to_string())),
        ],
    ))
}

/// `provider.httpApi.cors` as the HTTP API's `CorsConfiguration`: `true` or no
/// `allowedOrigins` for any origin; without `allowedMethods`, `OPTIONS` and the methods of the
/// service's `httpApi` routes.
fn http_cors(cors: &Node, events: &[(String, Node)]) -> Option<Node> {
    let s = cors.span;
    if cors.as_scalar().is_some_and(|c| c != "true") {
        return None;
    }
    let list = |key: &str| -> Vec<Node> { cors.get(key).map(items).unwrap_or_default() };
    let mut origins = list("allowedOrigins");
    if origins.is_empty() {
        origins.push(text(s, "*"));
    }
    let mut methods = list("allowedMethods");
    if methods.is_empty() {
        let mut names = vec!["OPTIONS".to_owned()];
        for (_, body) in events.iter().filter(|(kind, _)| kind == "httpApi") {
            union(&mut names, route_methods(body));
        }
        methods = names.iter().map(|m| text(s, m)).collect();
    }
    let credentials = cors.get("allowCredentials").and_then(Node::as_scalar) == Some("true");
    Some(map(
        s,
        vec![
            ("AllowOrigins", seq(s, origins)),
            ("AllowMethods", seq(s, methods)),
            ("AllowCredentials", text(s, &credentials.to_string())),
        ],
    ))
}

/// The method and path of an `http` or `httpApi` event (`GET /orders`, `'*'`, or a mapping).
fn route(body: &Node) -> (String, String) {
    let (method, path) = match body.as_scalar() {
        Some("*") => ("ANY".to_owned(), "/{proxy+}".to_owned()),
        Some(line) => {
            let (m, p) = line.split_once(' ').unwrap_or(("ANY", line));
            (m.to_owned(), p.to_owned())
        }
        None => (
            body.get("method")
                .and_then(Node::as_scalar)
                .unwrap_or("ANY")
                .to_owned(),
            body.get("path")
                .and_then(Node::as_scalar)
                .unwrap_or("/")
                .to_owned(),
        ),
    };
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    (method, path)
}

/// The `Auth` of a route: the kind of its `authorizer` (named as the framework's API declares
/// them), `NONE` without one, and the API key of a `private` route.
fn route_auth(body: &Node) -> Node {
    let s = body.span;
    let private = body.get("private").and_then(Node::as_scalar) == Some("true");
    let authorizer = body.get("authorizer");
    let auth = match authorizer {
        Some(a) => {
            let kind = a
                .get("type")
                .and_then(Node::as_scalar)
                .or_else(|| a.as_scalar())
                .unwrap_or("lambda")
                .to_ascii_lowercase();
            Some(if kind == "aws_iam" {
                "AWS_IAM"
            } else if kind.contains("cognito")
                || a.get("arn")
                    .is_some_and(|arn| arn.as_scalar().is_some_and(|t| t.contains("cognito-idp")))
            {
                "CognitoFromServerless"
            } else if kind == "jwt" || a.get("id").is_some() {
                "JwtFromServerless"
            } else {
                "LambdaFromServerless"
            })
        }
        None if private => None,
        None => Some("NONE"),
    };
    let mut auth_props = Vec::new();
    if let Some(name) = auth {
        auth_props.push(("Authorizer", text(s, name)));
    }
    if private {
        auth_props.push(("ApiKeyRequired", text(s, "true")));
    }
    map(s, auth_props)
}

/// An `sqs` event.
fn sqs_event(body: &Node) -> Node {
    let s = body.span;
    let arn = body.get("arn").cloned().unwrap_or_else(|| body.clone());
    let mut props = vec![("Queue", arn)];
    if let Some(size) = body.get("batchSize") {
        props.push(("BatchSize", size.clone()));
    }
    if let Some(kind) = body.get("functionResponseType") {
        props.push(("FunctionResponseTypes", seq(s, vec![kind.clone()])));
    }
    event_node(s, "SQS", props)
}

/// A `stream` event: a DynamoDB or Kinesis stream.
fn stream_event(body: &Node) -> Node {
    let s = body.span;
    let arn = body.get("arn").cloned().unwrap_or_else(|| body.clone());
    let kinesis = body.get("type").and_then(Node::as_scalar) == Some("kinesis")
        || arn.as_scalar().is_some_and(|a| a.contains(":kinesis:"));
    let mut props = vec![("Stream", arn)];
    if let Some(size) = body.get("batchSize") {
        props.push(("BatchSize", size.clone()));
    }
    if let Some(kind) = body.get("functionResponseType") {
        props.push(("FunctionResponseTypes", seq(s, vec![kind.clone()])));
    }
    event_node(s, if kinesis { "Kinesis" } else { "DynamoDB" }, props)
}

/// An `sns` event: the topic, created by the framework when named only.
fn sns_event(body: &Node, resources: &mut Vec<(String, Node)>) -> Node {
    let s = body.span;
    let topic = match (body.as_scalar(), body.get("arn")) {
        (_, Some(arn)) => arn.clone(),
        (Some(name), None) if name.starts_with("arn:") => body.clone(),
        (name, None) => {
            let name = name
                .or_else(|| body.get("topicName").and_then(Node::as_scalar))
                .unwrap_or("topic");
            let id = format!("SNSTopic{}", pascal(name));
            if !resources.iter().any(|(r, _)| *r == id) {
                resources.push((
                    id.clone(),
                    resource(
                        s,
                        "AWS::SNS::Topic",
                        map(s, vec![("TopicName", text(s, name))]),
                    ),
                ));
            }
            reference(s, &id)
        }
    };
    event_node(s, "SNS", vec![("Topic", topic)])
}

/// An `s3` event: the bucket the framework creates.
fn s3_event(body: &Node, resources: &mut Vec<(String, Node)>) -> Result<Node, String> {
    let s = body.span;
    let name = body
        .as_scalar()
        .or_else(|| body.get("bucket").and_then(Node::as_scalar))
        .unwrap_or("bucket");
    let existing = body.get("existing").and_then(Node::as_scalar) == Some("true");
    let id = format!("S3Bucket{}", pascal(name));
    if !existing && !resources.iter().any(|(r, _)| *r == id) {
        resources.push((
            id.clone(),
            resource(
                s,
                "AWS::S3::Bucket",
                map(s, vec![("BucketName", text(s, name))]),
            ),
        ));
    }
    let mut props = vec![("Bucket", reference(s, &id))];
    if let Some(e) = body.get("event") {
        props.push(("Events", e.clone()));
    }
    if let Some(rules) = body.get("rules") {
        let rules: Vec<Node> = items(rules)
            .into_iter()
            .flat_map(|rule| entries(&rule))
            .map(|(name, value)| map(s, vec![("Name", text(s, &name)), ("Value", value)]))
            .collect();
        props.push((
            "Filter",
            map(s, vec![("S3Key", map(s, vec![("Rules", seq(s, rules))]))]),
        ));
    }
    if existing {
        return Err("an existing bucket, not in this service".to_owned());
    }
    Ok(event_node(s, "S3", props))
}

/// A `schedule` event.
fn schedule_event(body: &Node) -> Result<Node, String> {
    let s = body.span;
    let rate = body.as_scalar().map_or_else(
        || body.get("rate").and_then(|r| items(r).into_iter().next()),
        |_| Some(body.clone()),
    );
    Ok(event_node(
        s,
        "Schedule",
        vec![("Schedule", rate.ok_or("a schedule names its rate")?)],
    ))
}

/// An `eventBridge` event.
fn eventbridge_event(body: &Node) -> Node {
    let s = body.span;
    let mut props = Vec::new();
    if let Some(pattern) = body.get("pattern") {
        props.push(("Pattern", pattern.clone()));
    }
    if let Some(bus) = body.get("eventBus") {
        props.push(("EventBusName", bus.clone()));
    }
    event_node(s, "EventBridgeRule", props)
}

/// A `cognitoUserPool` event: the pool the framework creates.
fn cognito_event(body: &Node, resources: &mut Vec<(String, Node)>) -> Result<Node, String> {
    let s = body.span;
    let pool = body.get("pool").and_then(Node::as_scalar).unwrap_or("pool");
    let existing = body.get("existing").and_then(Node::as_scalar) == Some("true");
    let id = format!("CognitoUserPool{}", pascal(pool));
    if existing {
        return Err("an existing user pool, not in this service".to_owned());
    }
    if !resources.iter().any(|(r, _)| *r == id) {
        resources.push((
            id.clone(),
            resource(
                s,
                "AWS::Cognito::UserPool",
                map(s, vec![("UserPoolName", text(s, pool))]),
            ),
        ));
    }
    let mut props = vec![("UserPool", reference(s, &id))];
    if let Some(trigger) = body.get("trigger") {
        props.push(("Trigger", trigger.clone()));
    }
    Ok(event_node(s, "CognitoUserPool", props))
}

/// The file with its variables substituted, pass after pass, and whether the budget ran out.
fn resolve_variables(root: &Node) -> (Node, bool) {
    let mut root = root.clone();
    let mut budget = Budget {
        nodes: MAX_ADDED_NODES,
        bytes: MAX_ADDED_BYTES,
        exhausted: false,
    };
    for _ in 0..MAX_PASSES {
        let snapshot = root.clone();
        if !substitute(&mut root, &snapshot, 0, &mut budget) {
            break;
        }
    }
    (root, budget.exhausted)
}

/// Substitutes the variables of every scalar under `node` with values from `root`, within the
/// budget; whether anything changed.
fn substitute(node: &mut Node, root: &Node, depth: usize, budget: &mut Budget) -> bool {
    // Once the budget is spent, nothing more is substituted (each attempt would copy again).
    if depth > crate::model::yaml::MAX_DEPTH || budget.exhausted {
        return false;
    }
    match &mut node.value {
        Value::Scalar { text, .. } => {
            if !text.contains("${") {
                return false;
            }
            // A whole-value variable may stand for a mapping or a list, copied within the budget;
            // not one holding this very variable (`custom: {a: ${self:custom}}`).
            if let Some(inner) = text.strip_prefix("${").and_then(|t| t.strip_suffix('}'))
                && !inner.contains("${")
                && let Some(found) = variable(inner, root, 0)
                && !matches!(found.value, Value::Scalar { .. })
            {
                if holds(&found, text, 0) {
                    return false;
                }
                let size = size(&found, 0);
                if size > budget.nodes {
                    budget.exhausted = true;
                    return false;
                }
                budget.nodes -= size;
                *node = Node {
                    span: node.span,
                    ..found
                };
                return true;
            }
            let mut out = String::new();
            let mut rest = text.as_str();
            let mut changed = false;
            while let Some(at) = rest.find("${") {
                out.push_str(&rest[..at]);
                let after = &rest[at + 2..];
                let Some(end) = closing(after) else {
                    out.push_str(&rest[at..]);
                    rest = "";
                    break;
                };
                let inner = &after[..end];
                if let Some(value) =
                    variable(inner, root, 0).and_then(|n| n.as_scalar().map(str::to_owned))
                {
                    out.push_str(&value);
                    changed = true;
                } else {
                    out.push_str("${");
                    out.push_str(inner);
                    out.push('}');
                }
                rest = &after[end + 1..];
                if out.len() > MAX_TEXT {
                    return false;
                }
            }
            out.push_str(rest);
            if !changed {
                return false;
            }
            if out.len() > budget.bytes {
                budget.exhausted = true;
                return false;
            }
            budget.bytes -= out.len();
            *text = out;
            true
        }
        Value::Sequence(items) => {
            let mut changed = false;
            for item in items {
                changed |= substitute(item, root, depth + 1, budget);
            }
            changed
        }
        Value::Mapping(entries) => {
            let mut changed = false;
            for (_, value) in entries {
                changed |= substitute(value, root, depth + 1, budget);
            }
            changed
        }
    }
}

/// Whether a scalar under `node` contains `needle`.
fn holds(node: &Node, needle: &str, depth: usize) -> bool {
    match &node.value {
        Value::Scalar { text, .. } => text.contains(needle),
        // Too deep to look at is too deep to copy.
        _ if depth > crate::model::yaml::MAX_DEPTH => true,
        Value::Sequence(items) => items.iter().any(|i| holds(i, needle, depth + 1)),
        Value::Mapping(entries) => entries.iter().any(|(_, v)| holds(v, needle, depth + 1)),
    }
}

/// How many nodes `node` holds.
fn size(node: &Node, depth: usize) -> usize {
    match &node.value {
        Value::Scalar { .. } => 1,
        _ if depth > crate::model::yaml::MAX_DEPTH => usize::MAX,
        Value::Sequence(items) => items
            .iter()
            .fold(1, |n, i| n.saturating_add(size(i, depth + 1))),
        Value::Mapping(entries) => entries
            .iter()
            .fold(1, |n, (_, v)| n.saturating_add(size(v, depth + 1))),
    }
}

/// The index of the `}` closing a variable whose text starts `text`, nested ones skipped.
fn closing(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return Some(i),
            '}' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The value of one variable (`self:custom.x, 'default'`), when the file can say it; `depth`
/// counts the fallbacks followed so far.
fn variable(inner: &str, root: &Node, depth: usize) -> Option<Node> {
    if depth > MAX_FALLBACKS {
        return None;
    }
    let (source, fallback) = match split_default(inner) {
        Some((source, fallback)) => (source.trim(), Some(fallback.trim())),
        None => (inner.trim(), None),
    };
    // Only the file's own values are known: options, the environment, SSM, files and other
    // stacks are a deployment's, left to their defaults.
    let found = match source.split_once(':') {
        Some(("self", path)) => path_in(root, path),
        // The framework's stage: the provider's, or `dev`.
        Some(("sls", "stage")) => {
            Some(path_in(root, "provider.stage").unwrap_or_else(|| text(root.span, "dev")))
        }
        _ => None,
    };
    found
        .filter(|n| !n.as_scalar().is_some_and(|t| t.contains("${")))
        .or_else(|| {
            let fallback = fallback?;
            let unquoted = fallback
                .strip_prefix('\'')
                .and_then(|f| f.strip_suffix('\''))
                .or_else(|| fallback.strip_prefix('"').and_then(|f| f.strip_suffix('"')));
            match unquoted {
                Some(literal) => Some(text(root.span, literal)),
                None => match fallback
                    .strip_prefix("${")
                    .and_then(|f| f.strip_suffix('}'))
                {
                    Some(inner) => variable(inner, root, depth + 1),
                    // `self:custom.x` without its `${}`, or a bare value (`60`).
                    None if fallback.contains(':') => variable(fallback, root, depth + 1),
                    None => Some(text(root.span, fallback)),
                },
            }
        })
}

/// `source, default` split at the first comma outside quotes and nested variables.
fn split_default(inner: &str) -> Option<(&str, &str)> {
    let (mut depth, mut quote) = (0usize, None);
    for (i, c) in inner.char_indices() {
        match (c, quote) {
            ('\'' | '"', None) => quote = Some(c),
            (q, Some(open)) if q == open => quote = None,
            ('{', None) => depth += 1,
            ('}', None) => depth = depth.saturating_sub(1),
            (',', None) if depth == 0 => return Some((&inner[..i], &inner[i + 1..])),
            _ => {}
        }
    }
    None
}

/// The node at a dotted path of the file (`custom.tableName`, `provider.stage`).
fn path_in(root: &Node, path: &str) -> Option<Node> {
    let mut node = root;
    for part in path.split('.').filter(|p| !p.is_empty()) {
        node = node.get(part)?;
    }
    Some(node.clone())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::diagnostic::Sources;
    use crate::model::yaml::{Dialect, parse_as};

    fn root(text: &str) -> Node {
        let mut sources = Sources::default();
        let file = sources.add(Path::new("serverless.yml"), text.to_owned());
        parse_as(&sources, file, Dialect::CloudFormation)
            .unwrap()
            .root
            .unwrap()
    }

    #[test]
    fn variables_resolve_with_the_files_defaults() {
        let r = root(
            "service: s\nprovider: {name: aws}\ncustom:\n  sls: ${sls:stage}-x\n  stage: ${opt:stage, 'dev'}\n  table: ${self:service}-${self:custom.stage}\n  arn: arn:aws:dynamodb:*:*:table/${self:custom.table}\n  nested: ${opt:x, ${self:custom.stage}}\n  secret: ${ssm:/path}\n",
        );
        let (resolved, exhausted) = resolve_variables(&r);
        assert!(!exhausted);
        let custom = resolved.get("custom").unwrap();
        assert_eq!(custom.get("table").unwrap().as_scalar(), Some("s-dev"));
        assert_eq!(
            custom.get("arn").unwrap().as_scalar(),
            Some("arn:aws:dynamodb:*:*:table/s-dev")
        );
        assert_eq!(custom.get("nested").unwrap().as_scalar(), Some("dev"));
        assert_eq!(custom.get("sls").unwrap().as_scalar(), Some("dev-x"));
        assert_eq!(
            custom.get("secret").unwrap().as_scalar(),
            Some("${ssm:/path}")
        );
    }

    #[test]
    fn variables_that_name_themselves_end() {
        let r = root(
            "service: s\nprovider: {name: aws}\ncustom:\n  a: ${self:custom.b}x\n  b: ${self:custom.a}y\n",
        );
        let (t, _) = template(&r);
        assert!(t.get("Resources").is_some());
    }

    #[test]
    fn a_mapping_that_names_itself_is_not_copied_into_itself() {
        let r = root(
            "service: s\nprovider: {name: aws}\ncustom:\n  a: ${self:custom}\n  b: [1, 2, 3]\n",
        );
        let (resolved, exhausted) = resolve_variables(&r);
        assert!(!exhausted);
        let custom = resolved.get("custom").unwrap();
        assert_eq!(custom.get("a").unwrap().as_scalar(), Some("${self:custom}"));
    }

    #[test]
    fn mappings_naming_each_other_stop_at_the_budget() {
        // Each level holds ten copies of the level below: 10^8 nodes after eight passes.
        let mut text = String::from(
            "service: s\nprovider: {name: aws}\ncustom:\n  l0: {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n",
        );
        for level in 1..9 {
            let entries: Vec<String> = (0..10)
                .map(|k| format!("k{k}: \"${{self:custom.l{}}}\"", level - 1))
                .collect();
            text.push_str(&format!("  l{level}: {{{}}}\n", entries.join(", ")));
        }
        let started = std::time::Instant::now();
        let (resolved, exhausted) = resolve_variables(&root(&text));
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        assert!(exhausted);
        assert!(size(&resolved, 0) < 2 * MAX_ADDED_NODES);
    }

    #[test]
    fn long_fallback_chains_end() {
        let mut inner = String::from("'end'");
        for i in 0..5000 {
            inner = format!("${{self:custom.missing{i}, {inner}}}");
        }
        let text = format!("service: s\nprovider: {{name: aws}}\ncustom:\n  x: \"{inner}\"\n");
        let (resolved, _) = resolve_variables(&root(&text));
        assert!(resolved.get("custom").is_some());
    }

    #[test]
    fn names_become_pascal_case() {
        assert_eq!(pascal("my-topic_name"), "MyTopicName");
        assert_eq!(pascal("uploads"), "Uploads");
    }
}
