//! SAM `Events` of a function → its triggers, with the channels they imply (the API SAM
//! creates when an event names none, a schedule per `Schedule` event, the default event bus).

use super::{Mapper, api_auth, authorizer_kind, batch, element_doc, json};
use crate::import::emit::Doc;
use crate::import::template::{Resource, Val};

/// One SAM event of a function.
#[derive(Clone, Copy)]
struct Event<'e> {
    /// The function's resource.
    r: &'e Resource,
    /// The function's element id.
    function: &'e str,
    /// The event's name.
    name: &'e str,
    /// Its `Type`.
    kind: &'e str,
    /// Its `Properties`.
    p: &'e Val,
}

impl Mapper<'_> {
    /// A route's HTTP method as the model spells it (`ANY` for OpenAPI's any-method key), or
    /// `None` with a warning naming `what` when API Gateway routes no such method.
    pub(super) fn route_method(
        &mut self,
        r: &Resource,
        what: &str,
        method: &str,
    ) -> Option<String> {
        let method = match method.to_ascii_uppercase() {
            any if any == "X-AMAZON-APIGATEWAY-ANY-METHOD" => "ANY".to_owned(),
            method => method,
        };
        if crate::model::HTTP_METHODS.contains(&method.as_str()) {
            return Some(method);
        }
        self.b.warn(
            r.span,
            format!("{what} has the method `{method}`, which API Gateway does not route: left out"),
            None,
        );
        None
    }

    /// The channel `id` of an implicit API (`ServerlessRestApi`), created when first used.
    fn implicit_api(&mut self, r: &Resource, logical: &str, kind: &str) -> String {
        let id = self.b.id(self.file, logical);
        if !self.b.has("channels", &id) {
            let mut channel = element_doc(kind);
            channel.set("public", Doc::Bool(true));
            let default_auth = self
                .t
                .globals
                .as_ref()
                .and_then(|g| {
                    g.get(if kind == "api-gateway-rest" {
                        "Api"
                    } else {
                        "HttpApi"
                    })
                })
                .and_then(|a| a.get("Auth"))
                .map(|auth| self.t.resolve(auth));
            channel.set("auth", Doc::str(api_auth(default_auth.as_ref())));
            let sam_kind = if kind == "api-gateway-rest" {
                "AWS::Serverless::Api"
            } else {
                "AWS::Serverless::HttpApi"
            };
            let (cors, access_logs) = self.api_cors_and_logs(sam_kind, None);
            if let Some(cors) = cors {
                channel.set("cors", cors);
            }
            channel.set("access_logs", Doc::Bool(access_logs));
            let from = self
                .from(r)
                .and(format_args!("(the API SAM creates for `{}`)", r.id));
            self.b.add("channels", "channels", &id, channel, from);
        }
        id
    }

    /// A SAM event of function `r` (element `function`) as a trigger.
    pub(super) fn event(
        &mut self,
        r: &Resource,
        function: &str,
        name: &str,
        event: &Val,
    ) -> Option<Doc> {
        let kind = event.get("Type").and_then(Val::text).unwrap_or_default();
        let p = event
            .get("Properties")
            .cloned()
            .unwrap_or(Val::Map(Vec::new()));
        let mut trigger = Doc::map();
        let t = &mut trigger;
        let e = &Event {
            r,
            function,
            name,
            kind: &kind,
            p: &p,
        };
        match kind.as_str() {
            "Api" | "HttpApi" => self.api_event(e, t)?,
            "S3" => self.s3_event(e, t)?,
            "SQS" | "Kinesis" | "DynamoDB" | "SNS" => {
                self.stream_event(e, t)?;
            }
            "Schedule" | "ScheduleV2" => self.schedule_event(e, t)?,
            "EventBridgeRule" | "CloudWatchEvent" => {
                self.eventbridge_event(e, t);
            }
            "CognitoUserPool" => self.cognito_event(e, t)?,
            "IoTRule" => self.iot_event(e, t),
            other => {
                self.b.warn(
                    r.span,
                    format!(
                        "event `{name}` of `{}` has type `{other}`, which strider does not model",
                        r.id
                    ),
                    Some("model this trigger by hand if it matters"),
                );
                return None;
            }
        }
        Some(trigger)
    }

    /// An `Api` or `HttpApi` event: a route of the API it names, or of the one SAM creates.
    fn api_event(&mut self, e: &Event<'_>, trigger: &mut Doc) -> Option<()> {
        let Event {
            r, name, kind, p, ..
        } = *e;
        let (key, logical, channel_kind) = if kind == "Api" {
            ("RestApiId", "ServerlessRestApi", "api-gateway-rest")
        } else {
            ("ApiId", "ServerlessHttpApi", "api-gateway-http")
        };
        let api_auth = match p.get(key).and_then(Val::resource) {
            Some((api, _)) => self
                .t
                .resource(api)
                .and_then(|a| a.properties.as_ref()?.get("Auth").cloned())
                .map(|auth| self.t.resolve(&auth)),
            None => self
                .t
                .globals
                .as_ref()
                .and_then(|g| {
                    g.get(if kind == "Api" { "Api" } else { "HttpApi" })?
                        .get("Auth")
                        .cloned()
                })
                .map(|auth| self.t.resolve(&auth)),
        };
        let types: &[&str] = if kind == "Api" {
            &["AWS::Serverless::Api", "AWS::ApiGateway::RestApi"]
        } else {
            &["AWS::Serverless::HttpApi", "AWS::ApiGatewayV2::Api"]
        };
        let api = match p.get(key).map(|v| self.typed(v, types)) {
            Some(Some(api)) => api,
            Some(_) => {
                self.b.warn(
                    r.span,
                    format!(
                        "the API of event `{name}` of `{}` is not in the template",
                        r.id
                    ),
                    None,
                );
                return None;
            }
            None => self.implicit_api(r, logical, channel_kind),
        };
        trigger.set("kind", Doc::str("http"));
        trigger.set("source", Doc::str(api));
        if let Some(method) = p.get("Method").and_then(Val::text) {
            let what = format!("event `{name}` of `{}`", r.id);
            if let Some(method) = self.route_method(r, &what, &method) {
                trigger.set("method", Doc::str(method));
            }
        }
        if let Some(path) = p.get("Path").and_then(Val::text) {
            trigger.set("path", Doc::str(path));
        }
        if let Some(auth) = p.get("Auth") {
            let authorizer = auth.get("Authorizer").and_then(Val::text);
            match authorizer.as_deref() {
                Some("NONE") => trigger.set("auth", Doc::str("none")),
                Some(name) => {
                    trigger.set("auth", Doc::str(authorizer_kind(api_auth.as_ref(), name)));
                }
                None if auth.get("ApiKeyRequired").and_then(Val::as_bool) == Some(true) => {
                    trigger.set("auth", Doc::str("api-key"));
                }
                None => {}
            }
        }
        Some(())
    }

    /// An `S3` event: the bucket, its event types and key filters.
    fn s3_event(&mut self, e: &Event<'_>, trigger: &mut Doc) -> Option<()> {
        let Event { r, name, p, .. } = *e;
        let bucket = p
            .get("Bucket")
            .and_then(|b| self.typed(b, &["AWS::S3::Bucket"]));
        let Some(bucket) = bucket else {
            self.b.warn(
                r.span,
                format!(
                    "the bucket of event `{name}` of `{}` is not in the template",
                    r.id
                ),
                Some("SAM requires the bucket in the same template"),
            );
            return None;
        };
        trigger.set("kind", Doc::str("s3"));
        trigger.set("source", Doc::str(bucket));
        if let Some(events) = p.get("Events") {
            let events: Vec<Doc> = events
                .items()
                .into_iter()
                .filter_map(Val::text)
                .map(Doc::Str)
                .collect();
            if !events.is_empty() {
                trigger.set("events", Doc::Seq(events));
            }
        }
        // S3 key filters: the trigger's `prefix` and `suffix`.
        super::key_filter(trigger, p);
        Some(())
    }

    /// An `SQS`, `Kinesis`, `DynamoDB` or `SNS` event: the queue, stream or topic (one outside the template gets a channel of its own).
    fn stream_event(&mut self, e: &Event<'_>, trigger: &mut Doc) -> Option<()> {
        let Event {
            r, name, kind, p, ..
        } = *e;
        let (key, trigger_kind) = match kind {
            "SQS" => ("Queue", "sqs"),
            "Kinesis" => ("Stream", "kinesis"),
            "DynamoDB" => ("Stream", "dynamodb-stream"),
            _ => ("Topic", "sns"),
        };
        let source = p.get(key)?;
        let channel = if kind == "DynamoDB" {
            source
                .resource()
                .and_then(|(table, _)| self.streams.get(table).cloned())
        } else {
            let types: &[&str] = match kind {
                "SQS" => &["AWS::SQS::Queue"],
                "Kinesis" => &["AWS::Kinesis::Stream"],
                _ => &["AWS::SNS::Topic"],
            };
            self.typed(source, types)
                .or_else(|| self.named(source, types))
        };
        let channel = match (channel, source.resource()) {
            (Some(c), _) => c,
            (None, Some((id, _))) if self.t.has(id) => {
                self.b.warn(
                    r.span,
                    format!(
                        "event `{name}` of `{}` names `{id}`, which is no {trigger_kind} source",
                        r.id
                    ),
                    None,
                );
                return None;
            }
            (None, _) => self.outside_channel(r, name, trigger_kind, source),
        };
        trigger.set("kind", Doc::str(trigger_kind));
        trigger.set("source", Doc::str(channel));
        if kind != "SNS" {
            batch(
                trigger,
                p.get("BatchSize").cloned(),
                p.get("FunctionResponseTypes").cloned(),
            );
        }
        if let Some(filter) = p.get("FilterCriteria").or_else(|| p.get("FilterPolicy")) {
            trigger.set("filter", Doc::str(json(filter)));
        }
        Some(())
    }

    /// A `Schedule` or `ScheduleV2` event: a schedule channel of its own.
    fn schedule_event(&mut self, e: &Event<'_>, trigger: &mut Doc) -> Option<()> {
        let Event {
            r,
            function,
            name,
            p,
            ..
        } = *e;
        let expression = p
            .get("Schedule")
            .or_else(|| p.get("ScheduleExpression"))
            .and_then(Val::text)?;
        let id = self
            .b
            .fresh(&format!("{function}-{}", crate::import::kebab(name)));
        let mut channel = element_doc("schedule");
        channel.set("expression", Doc::str(expression));
        let from = self.from(r).and(format_args!("(its event `{name}`)"));
        self.b.add("channels", "channels", &id, channel, from);
        trigger.set("kind", Doc::str("schedule"));
        trigger.set("source", Doc::str(id));
        Some(())
    }

    /// An `EventBridgeRule` or `CloudWatchEvent` event: the bus it names, or the default bus.
    fn eventbridge_event(&mut self, e: &Event<'_>, trigger: &mut Doc) {
        let Event { r, p, .. } = *e;
        let named = p
            .get("EventBusName")
            .and_then(|v| self.typed(v, &["AWS::Events::EventBus"]));
        let bus = if let Some(bus) = named {
            bus
        } else {
            let id = self.b.id(self.file, "DefaultEventBus");
            if !self.b.has("channels", &id) {
                let mut channel = element_doc("eventbridge");
                channel.set("name", Doc::str("default event bus"));
                let from = self.from(r).and("(the account's default bus)");
                self.b.add("channels", "channels", &id, channel, from);
            }
            id
        };
        trigger.set("kind", Doc::str("eventbridge"));
        trigger.set("source", Doc::str(bus));
        if let Some(pattern) = p.get("Pattern") {
            trigger.set("filter", Doc::str(json(pattern)));
        }
    }

    /// A `CognitoUserPool` event: the pool and its trigger sources.
    fn cognito_event(&mut self, e: &Event<'_>, trigger: &mut Doc) -> Option<()> {
        let Event { p, .. } = *e;
        let pool = p
            .get("UserPool")
            .and_then(|v| self.typed(v, &["AWS::Cognito::UserPool"]))?;
        trigger.set("kind", Doc::str("cognito"));
        trigger.set("source", Doc::str(pool));
        let events: Vec<Doc> = p
            .get("Trigger")
            .map(|t| {
                t.items()
                    .into_iter()
                    .filter_map(Val::text)
                    .map(Doc::Str)
                    .collect()
            })
            .unwrap_or_default();
        if !events.is_empty() {
            trigger.set("events", Doc::Seq(events));
        }
        Some(())
    }

    /// An `IoTRule` event: an IoT channel of its own.
    fn iot_event(&mut self, e: &Event<'_>, trigger: &mut Doc) {
        let Event {
            r,
            function,
            name,
            p,
            ..
        } = *e;
        let id = self
            .b
            .fresh(&format!("{function}-{}", crate::import::kebab(name)));
        let mut channel = element_doc("iot");
        if let Some(sql) = p.get("Sql").and_then(Val::text) {
            channel.set("description", Doc::str(format!("IoT rule: {sql}")));
        }
        let from = self.from(r).and(format_args!("(its event `{name}`)"));
        self.b.add("channels", "channels", &id, channel, from);
        trigger.set("kind", Doc::str("iot"));
        trigger.set("source", Doc::str(id));
    }

    /// A channel for an event source that is not in the template (an ARN), named after it.
    fn outside_channel(&mut self, r: &Resource, event: &str, kind: &str, source: &Val) -> String {
        let arn = self.resource_text(source).unwrap_or_default();
        let base = arn
            .rsplit([':', '/'])
            .find(|s| !s.is_empty() && *s != "*")
            .unwrap_or(event);
        let id = self.b.fresh(&crate::import::kebab(base));
        let mut channel = element_doc(kind);
        channel.set(
            "description",
            Doc::str(format!("Not in the template: {arn}")),
        );
        if kind == "dynamodb-stream" {
            // The stream's table: `…:table/NAME/stream/…`, or the stream's own name.
            let table_name = arn
                .split_once(":table/")
                .and_then(|(_, rest)| rest.split('/').next())
                .filter(|t| !t.is_empty() && *t != "*")
                .unwrap_or(base);
            let table = self
                .b
                .fresh(&format!("{}-table", crate::import::kebab(table_name)));
            let mut store = element_doc("dynamodb");
            store.set(
                "description",
                Doc::str(format!("Not in the template: the table of {arn}")),
            );
            let from = self.from(r).and(format_args!("(event `{event}`)"));
            self.b.add("stores", "stores", &table, store, from);
            channel.set("table", Doc::str(table));
        }
        let from = self.from(r).and(format_args!("(event `{event}`)"));
        self.b.add("channels", "channels", &id, channel, from);
        id
    }
}
