//! HTTP requests: API Gateway REST APIs (payload 1.0), HTTP APIs (payload 2.0), function URLs and
//! Application Load Balancers. Quirks: REST APIs send `multiValueHeaders` and
//! `multiValueQueryStringParameters` beside the single-valued maps and a decoded `path`; HTTP APIs
//! and function URLs send lower-case header names, repeated headers and query values joined with
//! commas, cookies apart and the raw path and query; an ALB passes the query still
//! percent-encoded. Any of them may send the body base64-encoded (`isBase64Encoded`), which is
//! the only way invalid UTF-8 reaches a handler.

use std::collections::HashMap;

use arbitrary::Result;
use aws_lambda_events::alb::{AlbTargetGroupRequest, AlbTargetGroupRequestContext, ElbContext};
use aws_lambda_events::apigw::{
    ApiGatewayProxyRequest, ApiGatewayProxyRequestContext, ApiGatewayRequestAuthorizer,
    ApiGatewayRequestAuthorizerJwtDescription, ApiGatewayV2httpRequest,
    ApiGatewayV2httpRequestContext, ApiGatewayV2httpRequestContextHttpDescription,
};
use aws_lambda_events::http::{HeaderMap, HeaderName, HeaderValue, Method};
use aws_lambda_events::lambda_function_urls::{
    LambdaFunctionUrlRequest, LambdaFunctionUrlRequestContext,
    LambdaFunctionUrlRequestContextHttpDescription,
};
use aws_lambda_events::query_map::QueryMap;
use base64::Engine;

use super::{ACCOUNT, arn, uuid, within};
use crate::body;
use crate::hostile::Hostile;
use crate::payload::{Role, percent_encode};

/// Longest path parameter or query value generated: API Gateway refuses URLs over 8 KB, so a
/// longer one never reaches a handler.
pub const MAX_URL_PART: usize = 2048;
/// Longest header value generated (API Gateway takes 10 KB of headers in all).
pub const MAX_HEADER: usize = 4096;

/// The most headers, and the most query parameters, named by [`Hostile::name`] a request gets.
pub const MAX_NAMED: usize = 3;

/// The value of the path parameter `{name}` (`{name+}` takes the rest of the path, slashes
/// included): realistic for its name, or hostile.
fn path_parameter(h: &mut Hostile<'_, '_>, name: &str) -> Result<String> {
    if let Some(greedy) = name.strip_suffix('+') {
        let realistic = if greedy == "proxy" {
            "products/c0ffee-42".to_owned()
        } else {
            format!("{}/c0ffee-42", body::realistic(greedy).1)
        };
        return h.text(Role::Key, &realistic);
    }
    match body::realistic(name) {
        (Role::Text, _) => h.text(Role::Id, "c0ffee-42"),
        _ => body::named_text(h, name),
    }
}

/// The parts every flavour shares, generated once and laid out per flavour.
#[derive(Debug, Clone)]
pub struct Request {
    /// Method.
    pub method: Method,
    /// The route template (`/orders/{id}`).
    pub route: String,
    /// The decoded path.
    pub path: String,
    /// Path parameters by name.
    pub path_parameters: HashMap<String, String>,
    /// Headers in order, repeated names allowed.
    pub headers: Vec<(String, String)>,
    /// Query parameters in order, repeated names allowed.
    pub query: Vec<(String, String)>,
    /// Cookies.
    pub cookies: Vec<String>,
    /// The body as sent.
    pub body: Option<String>,
    /// Whether `body` is base64.
    pub base64: bool,
    /// Caller's address.
    pub source_ip: String,
}

/// Generates the shared parts of a request for the plan's route.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn request(h: &mut Hostile<'_, '_>) -> Result<Request> {
    let plan = h.plan();
    let method = Method::from_bytes(plan.method.as_bytes()).unwrap_or(Method::POST);
    let route = plan.path.to_owned();
    let mut path_parameters = HashMap::new();
    let mut path = String::new();
    for segment in route.split('/').filter(|s| !s.is_empty()) {
        path.push('/');
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let value = within(path_parameter(h, name)?, MAX_URL_PART);
            path.push_str(&value);
            path_parameters.insert(name.trim_end_matches('+').to_owned(), value);
        } else {
            path.push_str(segment);
        }
    }
    if path.is_empty() {
        path.push('/');
    }
    // A parameter the route does not have: the model's route may be older than the handler.
    if h.rarely(8)? {
        let name = h.name()?;
        let value = within(body::named_text(h, &name)?, MAX_URL_PART);
        path_parameters.entry(name).or_insert(value);
    }
    let mut headers = vec![
        ("content-type".to_owned(), "application/json".to_owned()),
        ("user-agent".to_owned(), "Mozilla/5.0".to_owned()),
        ("x-forwarded-for".to_owned(), "203.0.113.7".to_owned()),
    ];
    match h.choice(6)? {
        0 | 1 => {}
        2 => headers[0].1 = h.text(Role::Text, "application/json")?,
        3 => headers.push(("x-forwarded-for".to_owned(), h.text(Role::Id, "10.0.0.1")?)),
        4 => headers.push((
            "referer".to_owned(),
            h.text(Role::Url, "https://shop.example/")?,
        )),
        _ => headers.push(("x-custom".to_owned(), h.payload(Role::Text)?)),
    }
    // Headers the handler may read (HTTP APIs and the `http` crate send names in lower case).
    for (name, value) in named(h, MAX_HEADER)? {
        headers.push((name.to_ascii_lowercase(), value));
    }
    for header in &mut headers {
        header.1 = within(std::mem::take(&mut header.1), MAX_HEADER);
    }
    let mut query = Vec::new();
    if method == Method::GET || h.rarely(4)? {
        query.push(("limit".to_owned(), h.number("10")?));
        if h.choice(2)? == 1 {
            query.push((
                "q".to_owned(),
                within(h.text(Role::Text, "mug")?, MAX_URL_PART),
            ));
        }
        if h.rarely(4)? {
            // A repeated parameter: single-valued maps keep the last one, handlers may read either.
            query.push(("limit".to_owned(), h.number("10")?));
        }
    }
    // Query parameters the handler may read, on any method.
    query.extend(named(h, MAX_URL_PART)?);
    let cookies = if h.rarely(6)? {
        vec![within(
            format!("session={}", h.text(Role::Id, "abc")?),
            MAX_HEADER,
        )]
    } else {
        Vec::new()
    };
    let (body, base64) = request_body(h, &method)?;
    Ok(Request {
        method,
        route,
        path,
        path_parameters,
        headers,
        query,
        cookies,
        body,
        base64,
        source_ip: "203.0.113.7".to_owned(),
    })
}

/// Up to [`MAX_NAMED`] (name, value) pairs named by [`Hostile::name`], values at most `max`
/// bytes; none on choice 0.
fn named(h: &mut Hostile<'_, '_>, max: usize) -> Result<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for _ in 0..h.choice(MAX_NAMED + 1)? {
        let name = h.name()?;
        let value = within(body::named_text(h, &name)?, max);
        pairs.push((name, value));
    }
    Ok(pairs)
}

/// The body of a request and whether it is flagged base64: none for most GETs.
fn request_body(h: &mut Hostile<'_, '_>, method: &Method) -> Result<(Option<String>, bool)> {
    Ok(if *method == Method::GET && !h.rarely(8)? {
        (None, false)
    } else {
        match h.choice(9)? {
            // The flag on a body that is not base64: a client or proxy that sets it wrongly
            // (lambda_http panics decoding it). Rare: on a handler built on lambda_http it is found
            // in well under a second anyway, and a campaign that met it in one body of nine would
            // restart on it before reaching anything else.
            8 if h.rarely(64)? => (Some(body::text(h)?), true),
            6 => {
                let text = body::text(h)?;
                (
                    Some(base64::engine::general_purpose::STANDARD.encode(text)),
                    true,
                )
            }
            7 => {
                let bytes = h.arbitrary_bytes()?;
                (
                    Some(base64::engine::general_purpose::STANDARD.encode(bytes)),
                    true,
                )
            }
            _ => (Some(body::text(h)?), false),
        }
    })
}

fn header_map(headers: &[(String, String)], join: bool) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        // Values an HTTP client could not send (CR, LF, NUL) never reach a handler.
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) else {
            continue;
        };
        if join && let Some(previous) = map.get(&name) {
            let mut joined = previous.as_bytes().to_vec();
            joined.push(b',');
            joined.extend_from_slice(value.as_bytes());
            if let Ok(joined) = HeaderValue::from_bytes(&joined) {
                map.insert(name, joined);
            }
            continue;
        }
        map.append(name, value);
    }
    map
}

fn last_values(headers: &[(String, String)]) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) {
            map.insert(name, value);
        }
    }
    map
}

fn query_multi(query: &[(String, String)]) -> QueryMap {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in query {
        map.entry(k.clone()).or_default().push(v.clone());
    }
    QueryMap::from(map)
}

fn query_last(query: &[(String, String)]) -> QueryMap {
    let map: HashMap<String, String> = query.iter().cloned().collect();
    QueryMap::from(map)
}

fn query_joined(query: &[(String, String)]) -> HashMap<String, String> {
    let mut map: HashMap<String, String> = HashMap::new();
    for (k, v) in query {
        map.entry(k.clone())
            .and_modify(|all| {
                all.push(',');
                all.push_str(v);
            })
            .or_insert_with(|| v.clone());
    }
    map
}

fn raw_query(query: &[(String, String)]) -> String {
    query
        .iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn raw_path(path: &str) -> String {
    path.split('/')
        .map(percent_encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// An API Gateway REST API proxy request (payload format 1.0).
///
/// # Errors
/// As [`Hostile::choice`].
pub fn rest(h: &mut Hostile<'_, '_>) -> Result<ApiGatewayProxyRequest> {
    let r = request(h)?;
    let mut event = ApiGatewayProxyRequest::default();
    event.resource = Some(r.route.clone());
    event.path = Some(r.path.clone());
    event.http_method = r.method.clone();
    let mut headers = r.headers.clone();
    if !r.cookies.is_empty() {
        headers.push(("cookie".to_owned(), r.cookies.join("; ")));
    }
    event.headers = last_values(&headers);
    event.multi_value_headers = header_map(&headers, false);
    event.query_string_parameters = query_last(&r.query);
    event.multi_value_query_string_parameters = query_multi(&r.query);
    event.path_parameters = r.path_parameters;
    event.body = r.body;
    event.is_base64_encoded = r.base64;
    let mut context = ApiGatewayProxyRequestContext::default();
    context.account_id = Some(ACCOUNT.to_owned());
    context.stage = Some("prod".to_owned());
    context.request_id = Some(uuid(1));
    context.resource_path = Some(r.route);
    context.path = Some(format!("/prod{}", r.path));
    context.http_method = r.method;
    context.identity.source_ip = Some(r.source_ip);
    context.apiid = Some(h.plan().source.to_owned());
    let caller = h.plan().caller;
    if !caller.is_empty() {
        // What API Gateway adds for a verified caller: a Cognito authorizer's claims, a Lambda
        // authorizer's principal. Not the attacker's to choose, so never mutated.
        context.authorizer.fields = HashMap::from([
            (
                "claims".to_owned(),
                serde_json::json!({"sub": caller, "cognito:username": caller}),
            ),
            ("principalId".to_owned(), serde_json::json!(caller)),
        ]);
    }
    event.request_context = context;
    Ok(event)
}

/// An API Gateway HTTP API request (payload format 2.0).
///
/// # Errors
/// As [`Hostile::choice`].
pub fn http_api(h: &mut Hostile<'_, '_>) -> Result<ApiGatewayV2httpRequest> {
    let r = request(h)?;
    let route_key = format!("{} {}", r.method, r.route);
    Ok(payload_v2(
        h.plan(),
        r,
        route_key,
        ACCOUNT,
        "$default",
        None,
    ))
}

/// A Lambda function URL request as lambda_http reads it: an HTTP API (payload 2.0) request with
/// route `$default`, the caller anonymous and the URL's domain. The target of an `http`-style
/// handler behind a function URL sends this, so no conversion runs on every execution.
///
/// # Errors
/// As [`Hostile::choice`].
pub fn function_url_as_http_api(h: &mut Hostile<'_, '_>) -> Result<ApiGatewayV2httpRequest> {
    let mut r = request(h)?;
    r.path_parameters.clear();
    let domain = format!("{}.lambda-url.eu-west-1.on.aws", h.plan().source);
    Ok(payload_v2(
        h.plan(),
        r,
        "$default".to_owned(),
        "anonymous",
        "$default",
        Some(domain),
    ))
}

/// The payload 2.0 event of a request.
fn payload_v2(
    plan: &crate::Plan,
    r: Request,
    route_key: String,
    account: &str,
    stage: &str,
    domain: Option<String>,
) -> ApiGatewayV2httpRequest {
    let mut event = ApiGatewayV2httpRequest::default();
    event.version = Some("2.0".to_owned());
    event.route_key = Some(route_key);
    event.raw_path = Some(raw_path(&r.path));
    event.raw_query_string = Some(raw_query(&r.query));
    event.cookies = (!r.cookies.is_empty()).then_some(r.cookies);
    event.headers = header_map(&r.headers, true);
    event.query_string_parameters = QueryMap::from(query_joined(&r.query));
    event.path_parameters = r.path_parameters;
    event.body = r.body;
    event.is_base64_encoded = r.base64;
    let mut context = ApiGatewayV2httpRequestContext::default();
    context.route_key = event.route_key.clone();
    context.account_id = Some(account.to_owned());
    context.stage = Some(stage.to_owned());
    context.request_id = Some(uuid(1));
    context.apiid = Some(plan.source.to_owned());
    context.domain_name = domain;
    if !plan.caller.is_empty() {
        // A JWT authorizer's verified claims, a Lambda authorizer's context.
        let mut jwt = ApiGatewayRequestAuthorizerJwtDescription::default();
        jwt.claims = HashMap::from([("sub".to_owned(), plan.caller.to_owned())]);
        let mut authorizer = ApiGatewayRequestAuthorizer::default();
        authorizer.jwt = Some(jwt);
        authorizer.fields =
            HashMap::from([("principalId".to_owned(), serde_json::json!(plan.caller))]);
        context.authorizer = Some(authorizer);
    }
    let mut http = ApiGatewayV2httpRequestContextHttpDescription::default();
    http.method = r.method;
    http.path = Some(r.path);
    http.protocol = Some("HTTP/1.1".to_owned());
    http.source_ip = Some(r.source_ip);
    http.user_agent = Some("Mozilla/5.0".to_owned());
    context.http = http;
    event.request_context = context;
    event
}

/// A Lambda function URL request (payload format 2.0, route `$default`).
///
/// # Errors
/// As [`Hostile::choice`].
pub fn function_url(h: &mut Hostile<'_, '_>) -> Result<LambdaFunctionUrlRequest> {
    let r = request(h)?;
    let mut event = LambdaFunctionUrlRequest::default();
    event.version = Some("2.0".to_owned());
    event.raw_path = Some(raw_path(&r.path));
    event.raw_query_string = Some(raw_query(&r.query));
    event.cookies = (!r.cookies.is_empty()).then_some(r.cookies);
    event.headers = header_map(&r.headers, true);
    event.query_string_parameters = query_joined(&r.query);
    event.body = r.body;
    event.is_base64_encoded = r.base64;
    let mut context = LambdaFunctionUrlRequestContext::default();
    context.account_id = Some("anonymous".to_owned());
    context.request_id = Some(uuid(1));
    context.apiid = Some(h.plan().source.to_owned());
    context.domain_name = Some(format!("{}.lambda-url.eu-west-1.on.aws", h.plan().source));
    let mut http = LambdaFunctionUrlRequestContextHttpDescription::default();
    http.method = Some(r.method.to_string());
    http.path = Some(r.path);
    http.protocol = Some("HTTP/1.1".to_owned());
    http.source_ip = Some(r.source_ip);
    http.user_agent = Some("Mozilla/5.0".to_owned());
    context.http = http;
    event.request_context = context;
    Ok(event)
}

/// An Application Load Balancer target-group request (multi-value headers on).
///
/// # Errors
/// As [`Hostile::choice`].
pub fn alb(h: &mut Hostile<'_, '_>) -> Result<AlbTargetGroupRequest> {
    let r = request(h)?;
    let mut event = AlbTargetGroupRequest::default();
    event.http_method = r.method;
    event.path = Some(r.path);
    // The ALB does not decode the query string.
    let encoded: Vec<(String, String)> = r
        .query
        .iter()
        .map(|(k, v)| (percent_encode(k), percent_encode(v)))
        .collect();
    event.query_string_parameters = query_last(&encoded);
    event.multi_value_query_string_parameters = query_multi(&encoded);
    event.headers = last_values(&r.headers);
    event.multi_value_headers = header_map(&r.headers, false);
    event.body = r.body;
    event.is_base64_encoded = r.base64;
    let mut elb = ElbContext::default();
    elb.target_group_arn = Some(arn(
        "elasticloadbalancing",
        &format!("targetgroup/{}/0123456789abcdef", h.plan().source),
    ));
    let mut context = AlbTargetGroupRequestContext::default();
    context.elb = elb;
    event.request_context = context;
    Ok(event)
}

#[cfg(test)]
mod tests {
    use arbitrary::Unstructured;

    use super::*;
    use crate::Plan;

    static ROUTE: Plan = Plan {
        method: "GET",
        path: "/orders/{id}",
        source: "shop-api",
        ..Plan::BASE
    };

    #[test]
    fn the_empty_input_is_a_realistic_request_of_each_flavour() {
        let mut u = Unstructured::new(&[]);
        let rest = rest(&mut Hostile::new(&mut u, &ROUTE)).unwrap();
        assert_eq!(rest.path.as_deref(), Some("/orders/c0ffee-42"));
        assert_eq!(rest.resource.as_deref(), Some("/orders/{id}"));
        assert_eq!(rest.path_parameters["id"], "c0ffee-42");
        assert_eq!(
            rest.multi_value_query_string_parameters.all("limit"),
            Some(vec!["10"])
        );
        let v2 = http_api(&mut Hostile::new(&mut u, &ROUTE)).unwrap();
        assert_eq!(v2.route_key.as_deref(), Some("GET /orders/{id}"));
        assert_eq!(v2.raw_query_string.as_deref(), Some("limit=10"));
        let json = serde_json::to_value(&v2).unwrap();
        assert_eq!(json["requestContext"]["http"]["method"], "GET");
        assert_eq!(json["version"], "2.0");
    }

    #[test]
    fn a_route_behind_an_authorizer_carries_the_plans_caller_in_every_event() {
        static BEHIND: Plan = Plan {
            caller: "cust-1",
            ..ROUTE
        };
        for seed in 0..32 {
            let data = crate::events::seeded(seed, 256);
            let mut u = Unstructured::new(&data);
            let event =
                serde_json::to_value(rest(&mut Hostile::new(&mut u, &BEHIND)).unwrap()).unwrap();
            let authorizer = &event["requestContext"]["authorizer"];
            assert_eq!(authorizer["claims"]["sub"], "cust-1", "{authorizer}");
            assert_eq!(authorizer["principalId"], "cust-1");
            let mut u = Unstructured::new(&data);
            let event = serde_json::to_value(http_api(&mut Hostile::new(&mut u, &BEHIND)).unwrap())
                .unwrap();
            let authorizer = &event["requestContext"]["authorizer"];
            assert_eq!(authorizer["jwt"]["claims"]["sub"], "cust-1", "{authorizer}");
            assert_eq!(authorizer["lambda"]["principalId"], "cust-1");
        }
        // Without one, no authorizer at all: a handler that trusts a claim gets none.
        let mut u = Unstructured::new(&[]);
        let event = serde_json::to_value(rest(&mut Hostile::new(&mut u, &ROUTE)).unwrap()).unwrap();
        assert!(
            event["requestContext"]["authorizer"]
                .as_object()
                .is_none_or(serde_json::Map::is_empty),
            "{event}"
        );
    }

    #[test]
    fn urls_and_headers_stay_within_api_gateway_limits() {
        for seed in 0..256 {
            let data = crate::events::seeded(seed, 64);
            let mut u = Unstructured::new(&data);
            let event = rest(&mut Hostile::new(&mut u, &ROUTE)).unwrap();
            assert!(event.path.unwrap().len() <= MAX_URL_PART + 16);
            for (k, v) in &event.headers {
                assert!(v.len() <= MAX_HEADER, "{k}: {}", v.len());
            }
        }
        assert_eq!(within("aé".to_owned(), 2), "a");
    }

    #[test]
    fn repeated_values_follow_each_flavour() {
        let headers = vec![
            ("x-a".to_owned(), "1".to_owned()),
            ("X-A".to_owned(), "2".to_owned()),
        ];
        assert_eq!(header_map(&headers, true)["x-a"], "1,2");
        assert_eq!(header_map(&headers, false).get_all("x-a").iter().count(), 2);
        assert_eq!(last_values(&headers)["x-a"], "2");
        let query = vec![
            ("a".to_owned(), "1".to_owned()),
            ("a".to_owned(), "2 &".to_owned()),
        ];
        assert_eq!(query_joined(&query)["a"], "1,2 &");
        assert_eq!(raw_query(&query), "a=1&a=2%20%26");
    }

    #[test]
    fn invalid_utf8_arrives_only_base64_encoded() {
        let (mut found, mut flag_on_text) = (false, false);
        // The flag on text is rare (one body in about 576): enough inputs to see it.
        for seed in 0..8192 {
            let data = crate::events::seeded(seed, 64);
            let mut u = Unstructured::new(&data);
            let post = Plan {
                method: "POST",
                ..Plan::BASE
            };
            let event = rest(&mut Hostile::new(&mut u, &post)).unwrap();
            let body = event.body.unwrap_or_default();
            match base64::engine::general_purpose::STANDARD.decode(&body) {
                Ok(bytes) if event.is_base64_encoded => {
                    found |= std::str::from_utf8(&bytes).is_err();
                }
                // The flag on a body that is not base64: that body is still text.
                Err(_) if event.is_base64_encoded => flag_on_text = true,
                _ => {}
            }
        }
        assert!(found, "no base64 body with invalid UTF-8 in 8192 inputs");
        assert!(
            flag_on_text,
            "no isBase64Encoded on a body that is not base64"
        );
    }

    static NAMED: Plan = Plan {
        method: "POST",
        path: "/orders/{id}/{proxy+}",
        names: &["document_url", "x-tenant", "page"],
        ..Plan::BASE
    };

    #[test]
    fn plan_names_become_query_parameters_headers_and_path_parameters() {
        let mut u = Unstructured::new(&[]);
        let realistic = rest(&mut Hostile::new(&mut u, &NAMED)).unwrap();
        assert!(realistic.query_string_parameters.is_empty());
        assert!(!realistic.headers.contains_key("x-tenant"));
        assert_eq!(realistic.path_parameters.len(), 2);
        assert_eq!(realistic.path_parameters["proxy"], "products/c0ffee-42");
        assert_eq!(
            realistic.path.as_deref(),
            Some("/orders/c0ffee-42/products/c0ffee-42")
        );
        let (mut query, mut header, mut path, mut number) = (false, false, false, false);
        for data in (0..1000).map(|seed| crate::events::seeded(seed, 48)) {
            let mut u = Unstructured::new(&data);
            let v1 = rest(&mut Hostile::new(&mut u, &NAMED)).unwrap();
            query |= v1.query_string_parameters.first("document_url").is_some();
            number |= v1
                .query_string_parameters
                .first("page")
                .is_some_and(|p| p.parse::<i64>().is_ok());
            header |= v1.headers.contains_key("x-tenant");
            path |= v1.path_parameters.contains_key("document_url");
            let mut u = Unstructured::new(&data);
            let v2 = http_api(&mut Hostile::new(&mut u, &NAMED)).unwrap();
            assert_eq!(
                v2.raw_query_string
                    .as_deref()
                    .unwrap_or("")
                    .contains("document_url="),
                v2.query_string_parameters.first("document_url").is_some()
            );
        }
        assert!(
            query && header && path && number,
            "{query} {header} {path} {number}"
        );
    }
}
