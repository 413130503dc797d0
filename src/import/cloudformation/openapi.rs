//! Routes an API defines in OpenAPI (3) or Swagger (2): SAM's `DefinitionBody`, a REST or HTTP
//! API's `Body`, written inline or included with `Fn::Transform: {Name: AWS::Include}` from a
//! document the user named on the command line (only files named are read). Each operation whose
//! `x-amazon-apigateway-integration` invokes a Lambda function of the template becomes a trigger
//! of that function, with the authentication its `security` requirement names (or none, for an
//! empty requirement) and `input: {validated: true}` when a request validator of the document
//! checks what the operation receives. An HTTP API's `x-amazon-apigateway-cors` is its CORS.

use std::path::{Path, PathBuf};

use super::{Mapped, Mapper};
use crate::import::emit::Doc;
use crate::import::template::{Resource, Val};

/// The HTTP methods an OpenAPI path item may hold, and API Gateway's catch-all.
const METHODS: &[(&str, &str)] = &[
    ("get", "GET"),
    ("put", "PUT"),
    ("post", "POST"),
    ("delete", "DELETE"),
    ("patch", "PATCH"),
    ("head", "HEAD"),
    ("options", "OPTIONS"),
    ("x-amazon-apigateway-any-method", "ANY"),
];

/// The most operations read from one document.
const MAX_OPERATIONS: usize = 10_000;

impl Mapper<'_> {
    /// The routes of API `r` (channel `api`) that its OpenAPI definition gives functions.
    pub(super) fn openapi_routes(&mut self, r: &Resource, api: &str) {
        let Some(definition) = self.definition(r) else {
            return;
        };
        self.openapi_cors(r, api, &definition);
        let Some(Val::Map(paths)) = definition.get("paths") else {
            return;
        };
        let mut operations = 0;
        for (path, item) in paths {
            let Val::Map(item) = item else { continue };
            for (key, operation) in item {
                let Some((_, method)) = METHODS.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))
                else {
                    continue;
                };
                operations += 1;
                if operations > MAX_OPERATIONS {
                    return;
                }
                self.operation(&definition, api, (path, method), operation);
            }
        }
    }

    /// An HTTP API's `x-amazon-apigateway-cors`, unless its properties configure CORS (they
    /// take precedence). REST APIs ignore the extension.
    fn openapi_cors(&mut self, r: &Resource, api: &str, definition: &Val) {
        let http = match r.kind.as_str() {
            "AWS::Serverless::HttpApi" => true,
            "AWS::ApiGatewayV2::Api" => self
                .prop(r, "ProtocolType")
                .and_then(|p| p.text())
                .is_none_or(|p| p != "WEBSOCKET"),
            _ => false,
        };
        let Some(cors) = definition
            .get("x-amazon-apigateway-cors")
            .filter(|_| http)
            .and_then(super::cors::openapi)
        else {
            return;
        };
        if let Some(channel) = self.b.element("channels", api)
            && channel.get("cors").is_none()
        {
            // Where the API's own properties would have put it: before `access_logs`.
            let before = ["kind", "source", "boundary", "public", "auth", "tls"];
            channel.set_after(&before, "cors", cors);
        }
    }

    /// One operation: a trigger of the function its Lambda integration invokes.
    fn operation(&mut self, definition: &Val, api: &str, (path, method): (&str, &str), op: &Val) {
        let Some(integration) = op.get("x-amazon-apigateway-integration") else {
            return;
        };
        let lambda = integration
            .get("type")
            .and_then(Val::text)
            .is_some_and(|t| t.eq_ignore_ascii_case("aws_proxy") || t.eq_ignore_ascii_case("aws"));
        let Some(uri) = integration.get("uri").filter(|_| lambda) else {
            return;
        };
        let Some(Mapped::Function(function)) = self.element_of(uri).cloned() else {
            return;
        };
        let auth = security(definition, op);
        let validated = validated(definition, op, method);
        let input = || {
            let mut input = Doc::map();
            input.set("validated", Doc::Bool(true));
            input
        };
        // A SAM event may declare the same route: the definition says how it is protected.
        if let Some(Doc::Seq(triggers)) = self
            .b
            .element("functions", &function)
            .and_then(|f| f.get_mut("triggers"))
            && let Some(existing) = triggers.iter_mut().find(|t| {
                let same =
                    |key: &str, value: &str| matches!(t.get(key), Some(Doc::Str(v)) if v == value);
                same("source", api) && same("method", method) && same("path", path)
            })
        {
            if let Some(auth) = auth
                && existing.get("auth").is_none()
            {
                existing.set("auth", Doc::str(auth));
            }
            if validated && existing.get("input").is_none() {
                existing.set("input", input());
            }
            return;
        }
        let mut trigger = Doc::map();
        trigger.set("kind", Doc::str("http"));
        trigger.set("source", Doc::str(api));
        trigger.set("method", Doc::str(method));
        trigger.set("path", Doc::str(path));
        if let Some(auth) = auth {
            trigger.set("auth", Doc::str(auth));
        }
        if validated {
            trigger.set("input", input());
        }
        self.push_trigger(&function, trigger);
    }

    /// The API's OpenAPI definition: inline, or the document an `AWS::Include` names, when the
    /// user named it too.
    fn definition(&mut self, r: &Resource) -> Option<Val> {
        let node = r
            .properties
            .as_ref()
            .and_then(|p| p.get("DefinitionBody").or_else(|| p.get("Body")))?;
        let Some(include) = node.get("Fn::Transform") else {
            return Some(self.t.resolve(node)).filter(|v| *v != Val::Absent);
        };
        let is_include = include.get("Name").and_then(|n| n.as_scalar()) == Some("AWS::Include");
        let location = include
            .get("Parameters")
            .and_then(|p| p.get("Location"))
            .and_then(|l| l.as_scalar())
            .filter(|_| is_include)?
            .to_owned();
        if location.contains("://") {
            self.b.warn(
                r.span,
                format!("the OpenAPI definition of `{}` is in `{location}`, which strider does not fetch: its routes are not in the model", r.id),
                Some("download it and name it after the template on the command line"),
            );
            return None;
        }
        let template = self.sources.path(self.file);
        let wanted = normal(&template.parent().unwrap_or(Path::new("")).join(&location));
        let found = self
            .b
            .documents
            .iter()
            .find(|(path, _)| *path == wanted)
            .map(|(_, node)| node.clone());
        if let Some(document) = found {
            return Some(self.t.resolve(&document));
        }
        self.b.warn(
            r.span,
            format!("the OpenAPI definition of `{}` is in `{location}`, which was not named on the command line: its routes are not in the model", r.id),
            Some("name it after the template (`strider import template.yaml api.yaml`) to import its routes"),
        );
        None
    }
}

/// An absolute, lexically normal path, to match documents by where they are.
pub(in crate::import) fn normal(path: &Path) -> PathBuf {
    crate::files::lexically_normal(
        &std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
    )
}

/// Whether a parsed file is an OpenAPI or Swagger document (one an API may include).
pub(in crate::import) fn is_document(root: &crate::model::yaml::Node) -> bool {
    (root.get("openapi").is_some() || root.get("swagger").is_some()) && root.get("paths").is_some()
}

/// The model's `auth` for an operation's `security` (its own, else the document's); `None`
/// when neither says, so the API's default applies.
fn security(definition: &Val, op: &Val) -> Option<&'static str> {
    let requirements = op.get("security").or_else(|| definition.get("security"))?;
    let items = requirements.items();
    // `security: []` or `[{}]`: no authentication.
    let Some(name) = items.iter().find_map(|r| match r {
        Val::Map(schemes) => schemes.first().map(|(name, _)| name.clone()),
        _ => None,
    }) else {
        return Some("none");
    };
    let scheme = definition
        .get("components")
        .and_then(|c| c.get("securitySchemes"))
        .or_else(|| definition.get("securityDefinitions"))
        .and_then(|s| s.get(&name));
    let Some(scheme) = scheme else {
        return Some(if name == "AWS_IAM" {
            "iam"
        } else {
            "lambda-authorizer"
        });
    };
    let text = |v: Option<&Val>| v.and_then(Val::text).map(|t| t.to_ascii_lowercase());
    let authtype = text(scheme.get("x-amazon-apigateway-authtype"));
    let authorizer = text(
        scheme
            .get("x-amazon-apigateway-authorizer")
            .and_then(|a| a.get("type")),
    );
    let kind = text(scheme.get("type"));
    Some(
        match (authtype.as_deref(), authorizer.as_deref(), kind.as_deref()) {
            (Some("awssigv4"), _, _) => "iam",
            (Some("cognito_user_pools"), _, _) | (_, Some("cognito_user_pools"), _) => "cognito",
            (_, Some("jwt"), _) | (_, _, Some("oauth2" | "openidconnect")) => "jwt",
            (_, Some("token" | "request"), _) | (Some("custom"), _, _) => "lambda-authorizer",
            (_, _, Some("apikey")) if text(scheme.get("name")).as_deref() == Some("x-api-key") => {
                "api-key"
            }
            _ => "lambda-authorizer",
        },
    )
}

/// Whether a request validator of the document checks what the operation receives: its body
/// when it has one, else its parameters.
fn validated(definition: &Val, op: &Val, method: &str) -> bool {
    let Some(name) = op
        .get("x-amazon-apigateway-request-validator")
        .or_else(|| definition.get("x-amazon-apigateway-request-validator"))
        .and_then(Val::text)
    else {
        return false;
    };
    let Some(validator) = definition
        .get("x-amazon-apigateway-request-validators")
        .and_then(|v| v.get(&name))
    else {
        return false;
    };
    let checks = |key: &str| validator.get(key).and_then(Val::as_bool) == Some(true);
    let has_body = op.get("requestBody").is_some()
        || op.get("parameters").is_some_and(|p| {
            p.items()
                .iter()
                .any(|p| p.get("in").and_then(Val::text).as_deref() == Some("body"))
        });
    if has_body {
        checks("validateRequestBody")
    } else {
        !matches!(method, "POST" | "PUT" | "PATCH") && checks("validateRequestParameters")
    }
}
