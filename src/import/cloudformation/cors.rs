//! Cross-origin resource sharing as templates write it, in the model's `cors: {origins, methods,
//! credentials}`: an HTTP API's or a function URL's `CorsConfiguration`/`Cors` (SAM's `true`
//! meaning any origin), a SAM REST API's `Cors` (header values in single quotes: `"'*'"`), the
//! `x-amazon-apigateway-cors` of an HTTP API's OpenAPI definition, and a bucket's `CorsRules`.
//!
//! An origin the template builds from values only a deployment knows is written with those
//! values as `${…}` (`https://${Distribution.DomainName}`): some origin, never `*`.

use crate::import::emit::Doc;
use crate::import::template::{Piece, Val};

/// The most origins or methods read from one configuration.
const MAX_ENTRIES: usize = 1_000;

/// Origins, methods and credentials gathered from one or more rules.
#[derive(Debug, Default)]
struct Cors {
    origins: Vec<String>,
    methods: Vec<String>,
    credentials: bool,
}

impl Cors {
    fn origin(&mut self, value: &Val) {
        if let Some(origin) = text(value).map(|o| unquoted(&o).to_owned())
            && !origin.is_empty()
            && !self.origins.contains(&origin)
            && self.origins.len() < MAX_ENTRIES
        {
            self.origins.push(origin);
        }
    }

    fn method(&mut self, method: &str) {
        let method = unquoted(method).trim().to_ascii_uppercase();
        if !method.is_empty() && !self.methods.contains(&method) && self.methods.len() < MAX_ENTRIES
        {
            self.methods.push(method);
        }
    }

    /// The model's `cors`; `None` when no origin is allowed (browsers then allow none).
    fn doc(self) -> Option<Doc> {
        if self.origins.is_empty() {
            return None;
        }
        let mut doc = Doc::map();
        doc.set(
            "origins",
            Doc::Seq(self.origins.into_iter().map(Doc::Str).collect()),
        );
        if !self.methods.is_empty() {
            doc.set(
                "methods",
                Doc::Seq(self.methods.into_iter().map(Doc::Str).collect()),
            );
        }
        if self.credentials {
            doc.set("credentials", Doc::Bool(true));
        }
        Some(doc)
    }
}

/// An HTTP API's `CorsConfiguration` (`AWS::ApiGatewayV2::Api`, `AWS::Serverless::HttpApi`,
/// where `true` allows any origin) or a function URL's `Cors`: `AllowOrigins`, `AllowMethods`,
/// `AllowCredentials`.
pub(super) fn configuration(value: &Val) -> Option<Doc> {
    keyed(value, ["AllowOrigins", "AllowMethods", "AllowCredentials"])
}

/// An OpenAPI definition's `x-amazon-apigateway-cors` (HTTP APIs): `allowOrigins`,
/// `allowMethods`, `allowCredentials`.
pub(super) fn openapi(value: &Val) -> Option<Doc> {
    keyed(value, ["allowOrigins", "allowMethods", "allowCredentials"])
}

fn keyed(value: &Val, [origins, methods, credentials]: [&str; 3]) -> Option<Doc> {
    let mut cors = Cors::default();
    // `true` also written as text (JSON templates often quote booleans).
    match (value, value.as_bool()) {
        (Val::Absent, _) | (_, Some(false)) => return None,
        (_, Some(true)) => cors.origins.push("*".to_owned()),
        (Val::Map(_), _) => {
            for origin in value.get(origins).map(Val::items).unwrap_or_default() {
                cors.origin(origin);
            }
            for method in value.get(methods).map(Val::items).unwrap_or_default() {
                if let Some(method) = method.text() {
                    cors.method(&method);
                }
            }
            cors.credentials = value.get(credentials).and_then(Val::as_bool) == Some(true);
        }
        // An origin alone (SAM's documented shorthand).
        (other, None) => cors.origin(other),
    }
    cors.doc()
}

/// A SAM REST API's `Cors`: an origin (`"'https://example.com'"`), or `AllowOrigin`,
/// `AllowMethods` (one quoted, comma-separated header value) and `AllowCredentials`. An
/// `AllowOrigin` may also be a list (what strider writes for a Serverless Framework service whose
/// routes allow several origins).
pub(super) fn sam_rest(value: &Val) -> Option<Doc> {
    let mut cors = Cors::default();
    // No boolean form: `Cors: true` is no origin.
    if *value == Val::Absent || value.as_bool().is_some() {
        return None;
    }
    match value {
        Val::Map(_) => {
            for origin in value.get("AllowOrigin").map(Val::items).unwrap_or_default() {
                cors.origin(origin);
            }
            if let Some(methods) = value.get("AllowMethods").and_then(Val::text) {
                for method in unquoted(&methods).split(',') {
                    cors.method(method);
                }
            }
            cors.credentials = value.get("AllowCredentials").and_then(Val::as_bool) == Some(true);
        }
        other => cors.origin(other),
    }
    cors.doc()
}

/// A bucket's `CorsConfiguration`: the origins and methods of all its `CorsRules` (S3 has no
/// credentials setting: browsers send them whenever the rule matches).
pub(super) fn bucket(value: &Val) -> Option<Doc> {
    let mut cors = Cors::default();
    for rule in value.get("CorsRules").map(Val::items).unwrap_or_default() {
        for origin in rule
            .get("AllowedOrigins")
            .map(Val::items)
            .unwrap_or_default()
        {
            cors.origin(origin);
        }
        for method in rule
            .get("AllowedMethods")
            .map(Val::items)
            .unwrap_or_default()
        {
            if let Some(method) = method.text() {
                cors.method(&method);
            }
        }
    }
    cors.doc()
}

/// A value as text, what only a deployment knows written as `${…}`.
fn text(value: &Val) -> Option<String> {
    let pieces = value.pieces()?;
    Some(
        pieces
            .iter()
            .map(|p| match p {
                Piece::Lit(text) => text.clone(),
                Piece::Resource { id, attr: None } => format!("${{{id}}}"),
                Piece::Resource {
                    id,
                    attr: Some(attr),
                } => format!("${{{id}.{attr}}}"),
                Piece::Unknown(what) => format!("${{{what}}}"),
            })
            .collect(),
    )
}

/// A header value without the single quotes API Gateway's mappings put around literals.
fn unquoted(text: &str) -> &str {
    let trimmed = text.trim();
    trimmed
        .strip_prefix('\'')
        .and_then(|t| t.strip_suffix('\''))
        .unwrap_or(trimmed)
        .trim()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::template::lit;

    fn origins(doc: &Doc) -> Vec<String> {
        match doc.get("origins") {
            Some(Doc::Seq(items)) => items
                .iter()
                .map(|i| match i {
                    Doc::Str(s) => s.clone(),
                    _ => String::new(),
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn every_form_gives_origins_methods_and_credentials() {
        // SAM's `CorsConfiguration: true`: any origin.
        let any = configuration(&Val::Bool(true)).unwrap();
        assert_eq!(origins(&any), ["*"]);
        assert!(any.get("credentials").is_none());
        assert!(configuration(&Val::Bool(false)).is_none());
        // A JSON template's quoted boolean is a boolean, not an origin named `true`.
        assert_eq!(origins(&configuration(&lit("true")).unwrap()), ["*"]);
        assert!(sam_rest(&lit("true")).is_none());
        // A SAM REST API's quoted header values.
        let rest = sam_rest(&Val::Map(vec![
            ("AllowOrigin".into(), lit("'https://shop.example.com'")),
            ("AllowMethods".into(), lit("'GET, post,OPTIONS'")),
            ("AllowCredentials".into(), Val::Bool(true)),
        ]))
        .unwrap();
        assert_eq!(origins(&rest), ["https://shop.example.com"]);
        assert_eq!(
            rest.get("methods"),
            Some(&Doc::Seq(vec![
                Doc::str("GET"),
                Doc::str("POST"),
                Doc::str("OPTIONS")
            ]))
        );
        assert_eq!(rest.get("credentials"), Some(&Doc::Bool(true)));
        assert_eq!(origins(&sam_rest(&lit("'*'")).unwrap()), ["*"]);
        // Bucket rules: the union of their origins.
        let rule = |origin: &str| {
            Val::Map(vec![
                ("AllowedOrigins".into(), Val::List(vec![lit(origin)])),
                ("AllowedMethods".into(), Val::List(vec![lit("GET")])),
            ])
        };
        let rules = Val::Map(vec![(
            "CorsRules".into(),
            Val::List(vec![rule("https://a.example"), rule("https://b.example")]),
        )]);
        assert_eq!(
            origins(&bucket(&rules).unwrap()),
            ["https://a.example", "https://b.example"]
        );
        // No origin, no CORS.
        assert!(bucket(&Val::Map(Vec::new())).is_none());
    }

    #[test]
    fn an_origin_known_only_when_deployed_is_some_origin_not_any() {
        let built = Val::Text(vec![
            Piece::Lit("https://".into()),
            Piece::Resource {
                id: "Site".into(),
                attr: Some("DomainName".into()),
            },
        ]);
        let doc = configuration(&Val::Map(vec![(
            "AllowOrigins".into(),
            Val::List(vec![built]),
        )]))
        .unwrap();
        assert_eq!(origins(&doc), ["https://${Site.DomainName}"]);
    }
}
