//! API Gateway routes written as plain CloudFormation (what CDK and hand-written templates
//! hold): a REST API's `AWS::ApiGateway::Method` on its `AWS::ApiGateway::Resource` path, and an
//! HTTP or WebSocket API's `AWS::ApiGatewayV2::Route` with its `Integration`, each become a
//! trigger of the function its Lambda integration invokes, on the API's channel.
//!
//! An API's CORS and access logs: its own properties (with SAM's `Globals`), and the stages of
//! the template (`AWS::ApiGateway::Stage`, a deployment's `StageDescription`,
//! `AWS::ApiGatewayV2::Stage`) that write access logs. An API the template defines writes none
//! unless the template says so.

use super::{APIS, Mapped, Mapper, cors};
use crate::import::emit::Doc;
use crate::import::template::{Piece, Resource, Val};

/// The deepest chain of `AWS::ApiGateway::Resource` parents followed to build a path.
const MAX_PATH_DEPTH: usize = 32;

impl Mapper<'_> {
    /// `AWS::ApiGateway::Method`: a route of a REST API to a Lambda function.
    pub(super) fn rest_method(&mut self, r: &Resource) {
        let Some(integration) = self.prop(r, "Integration") else {
            return;
        };
        let proxied = integration
            .get("Type")
            .and_then(Val::text)
            .is_some_and(|t| t == "AWS_PROXY" || t == "AWS");
        let (Some(uri), true) = (integration.get("Uri"), proxied) else {
            return;
        };
        let Some(function) = self.function_of(uri) else {
            return;
        };
        let Some(api) = self.prop(r, "RestApiId").and_then(|v| self.channel_of(&v)) else {
            return;
        };
        let mut trigger = Doc::map();
        trigger.set("kind", Doc::str("http"));
        trigger.set("source", Doc::str(api));
        let what = format!("method `{}`", r.id);
        let Some(method) = self
            .prop(r, "HttpMethod")
            .and_then(|v| v.text())
            .and_then(|m| self.route_method(r, &what, &m))
        else {
            return;
        };
        trigger.set("method", Doc::str(method));
        match self.prop(r, "ResourceId").and_then(|v| self.rest_path(&v)) {
            Some(path) => trigger.set("path", Doc::str(path)),
            None => self.b.warn(
                r.span,
                format!(
                    "the path of {what} cannot be worked out from its resources: the route has none"
                ),
                Some("add the route's `path` by hand"),
            ),
        }
        let api_key = self
            .prop(r, "ApiKeyRequired")
            .is_some_and(|v| matches!(v, Val::Bool(true)) || v.text().as_deref() == Some("true"));
        // API Gateway's default is no authorization (an API key may still be required).
        let kind = self
            .prop(r, "AuthorizationType")
            .and_then(|v| v.text())
            .unwrap_or_else(|| "NONE".to_owned());
        trigger.set("auth", Doc::str(method_auth(&kind, api_key)));
        self.push_trigger(&function, trigger);
    }

    /// `AWS::ApiGatewayV2::Route`: a route of an HTTP or WebSocket API whose target is a Lambda
    /// integration.
    pub(super) fn v2_route(&mut self, r: &Resource) {
        let Some(target) = self.prop(r, "Target") else {
            return;
        };
        // `integrations/<IntegrationId>`: the integration is the resource the target names.
        let Some(integration) = target.pieces().and_then(|pieces| {
            pieces.iter().find_map(|p| match p {
                Piece::Resource { id, .. } => self
                    .t
                    .resource(id)
                    .filter(|i| i.kind == "AWS::ApiGatewayV2::Integration")
                    .cloned(),
                _ => None,
            })
        }) else {
            return;
        };
        let Some(function) = self
            .prop(&integration, "IntegrationUri")
            .and_then(|uri| self.function_of(&uri))
        else {
            return;
        };
        let Some(api) = self.prop(r, "ApiId").and_then(|v| self.channel_of(&v)) else {
            return;
        };
        let websocket = self
            .prop(r, "ApiId")
            .and_then(|v| {
                v.resource()
                    .and_then(|(id, _)| self.t.resource(id).cloned())
            })
            .and_then(|a| self.prop(&a, "ProtocolType"))
            .and_then(|v| v.text())
            .is_some_and(|p| p == "WEBSOCKET");
        let key = self
            .prop(r, "RouteKey")
            .and_then(|v| v.text())
            .unwrap_or_default();
        let mut trigger = Doc::map();
        trigger.set(
            "kind",
            Doc::str(if websocket { "websocket" } else { "http" }),
        );
        trigger.set("source", Doc::str(api));
        if websocket {
            trigger.set("path", Doc::str(key));
        } else if let Some((method, path)) = key.split_once(' ') {
            let what = format!("route `{}`", r.id);
            let Some(method) = self.route_method(r, &what, method) else {
                return;
            };
            trigger.set("method", Doc::str(method));
            trigger.set("path", Doc::str(path));
        }
        if let Some(kind) = self.prop(r, "AuthorizationType").and_then(|v| v.text()) {
            trigger.set("auth", Doc::str(method_auth(&kind, false)));
        }
        self.push_trigger(&function, trigger);
    }

    /// The CORS of an API of CloudFormation type `kind` and whether its own properties (with
    /// SAM's `Globals`) turn access logs on; `r` is `None` for the API SAM creates for
    /// functions' events, which only `Globals` configure.
    pub(super) fn api_cors_and_logs(
        &self,
        kind: &str,
        r: Option<&Resource>,
    ) -> (Option<Doc>, bool) {
        let section = match kind {
            "AWS::Serverless::Api" => "Api",
            "AWS::Serverless::HttpApi" => "HttpApi",
            _ => "",
        };
        let get = |key: &str| match r {
            Some(r) => self.sam_prop(r, section, key),
            None => self.global(section, key),
        };
        let logs = |key: &str| get(key).is_some_and(|s| s.get("DestinationArn").is_some());
        match kind {
            "AWS::Serverless::Api" => (
                get("Cors").and_then(|c| cors::sam_rest(&c)),
                logs("AccessLogSetting"),
            ),
            "AWS::Serverless::HttpApi" => (
                get("CorsConfiguration").and_then(|c| cors::configuration(&c)),
                logs("AccessLogSettings"),
            ),
            "AWS::ApiGatewayV2::Api" => (
                get("CorsConfiguration").and_then(|c| cors::configuration(&c)),
                false,
            ),
            _ => (None, false),
        }
    }

    /// A stage that writes access logs (`AccessLogSetting`/`AccessLogSettings` with a
    /// destination), or a deployment whose `StageDescription` does: its API's `access_logs`.
    pub(super) fn stage(&mut self, r: &Resource) {
        let settings = match r.kind.as_str() {
            "AWS::ApiGateway::Stage" => self.prop(r, "AccessLogSetting"),
            "AWS::ApiGateway::Deployment" => self
                .prop(r, "StageDescription")
                .and_then(|d| d.get("AccessLogSetting").cloned()),
            _ => self.prop(r, "AccessLogSettings"),
        };
        if settings.is_none_or(|s| s.get("DestinationArn").is_none()) {
            return;
        }
        let Some(api) = self
            .prop(r, "RestApiId")
            .or_else(|| self.prop(r, "ApiId"))
            .and_then(|v| self.typed(&v, APIS))
        else {
            return;
        };
        if let Some(channel) = self.b.element("channels", &api) {
            channel.set("access_logs", Doc::Bool(true));
        }
    }

    /// The function a Lambda integration's URI invokes (`…/functions/${Fn.Arn}/invocations`).
    fn function_of(&self, uri: &Val) -> Option<String> {
        match self.element_of(uri)? {
            Mapped::Function(id) => Some(id.clone()),
            _ => None,
        }
    }

    /// The API channel a `RestApiId`/`ApiId` refers to.
    fn channel_of(&self, api: &Val) -> Option<String> {
        match self.element_of(api)? {
            Mapped::Channel(id) => Some(id.clone()),
            _ => None,
        }
    }

    /// The path of a REST API resource: its `PathPart` after its parents', `/` for the API's
    /// root (`!GetAtt Api.RootResourceId`); `None` when a part cannot be resolved.
    fn rest_path(&self, resource: &Val) -> Option<String> {
        let mut parts = Vec::new();
        let mut at = resource.clone();
        for _ in 0..MAX_PATH_DEPTH {
            let (id, attr) = at
                .resource()
                .map(|(id, attr)| (id.to_owned(), attr.map(str::to_owned)))?;
            if attr.as_deref() == Some("RootResourceId") {
                parts.reverse();
                return Some(format!("/{}", parts.join("/")));
            }
            let r = self
                .t
                .resource(&id)
                .filter(|r| r.kind == "AWS::ApiGateway::Resource")?;
            parts.push(self.prop(r, "PathPart")?.text()?);
            at = self.prop(r, "ParentId")?;
        }
        None
    }
}

/// The model's `auth` for an API Gateway `AuthorizationType`.
fn method_auth(kind: &str, api_key: bool) -> &'static str {
    match kind {
        "AWS_IAM" => "iam",
        "COGNITO_USER_POOLS" => "cognito",
        "JWT" => "jwt",
        "CUSTOM" => "lambda-authorizer",
        _ if api_key => "api-key",
        _ => "none",
    }
}
