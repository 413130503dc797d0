//! API Gateway WebSocket APIs: one event per route — `$connect` (the upgrade request: headers,
//! query string, no body), `$disconnect` (a close code and reason, no body), and the message
//! routes, `$default` and custom ones (a frame's text as the body, no headers). Quirks: the
//! route of a message is chosen by the route selection expression, usually
//! `$request.body.action`, so a custom route's body is a JSON object whose `action` names it;
//! the connection id and request context come from API Gateway, the headers, query string and
//! body from the client; a binary frame arrives base64-encoded. API Gateway takes messages of up
//! to 128 KB and upgrade requests with up to 10 KB of headers.

use std::collections::HashMap;

use arbitrary::Result;
use aws_lambda_events::apigw::{
    ApiGatewayWebsocketProxyRequest, ApiGatewayWebsocketProxyRequestContext,
};
use aws_lambda_events::http::{HeaderMap, HeaderName, HeaderValue};
use aws_lambda_events::query_map::QueryMap;
use base64::Engine;

use super::http::{MAX_HEADER, MAX_URL_PART};
use super::{ACCOUNT, REGION, invoke, within};
use crate::body;
use crate::hostile::Hostile;
use crate::payload::Role;

/// The largest message API Gateway delivers.
pub const MAX_MESSAGE: usize = 128 * 1024;

/// The connection's id, as API Gateway writes them: the client cannot choose it.
const CONNECTION_ID: &str = "L0SM9cOFvHcCIhw=";

/// When the connection was made, in milliseconds (the fixed event time).
const CONNECTED_AT: i64 = 1_795_428_000_000;

/// The route a generated event takes: the plan's route key when the model names one (the
/// trigger's `path`), else each of the lifecycle routes and a custom one, `$default` first.
fn route(h: &mut Hostile<'_, '_>) -> Result<&'static str> {
    let named = h.plan().path;
    if !named.is_empty() && named != "/" {
        return Ok(named);
    }
    Ok(["$default", "$connect", "$disconnect", "sendMessage"][h.choice(4)?])
}

/// What API Gateway sends for a route: `CONNECT`, `DISCONNECT` or `MESSAGE`.
#[must_use]
pub fn event_type(route: &str) -> &'static str {
    match route {
        "$connect" => "CONNECT",
        "$disconnect" => "DISCONNECT",
        _ => "MESSAGE",
    }
}

/// A header map of the pairs an HTTP client can send (no CR, LF or NUL in a value); the last
/// value of a repeated name, or every value when `multi`.
fn header_map(headers: &[(String, String)], multi: bool) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in headers {
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value.as_bytes()),
        ) else {
            continue;
        };
        if multi {
            map.append(name, value);
        } else {
            map.insert(name, value);
        }
    }
    map
}

/// The upgrade request's headers: a browser's, with one of them (or one more) hostile.
fn connect_headers(h: &mut Hostile<'_, '_>, host: &str) -> Result<Vec<(String, String)>> {
    let mut headers = vec![
        ("Host".to_owned(), host.to_owned()),
        ("Origin".to_owned(), "https://shop.example".to_owned()),
        (
            "Sec-WebSocket-Extensions".to_owned(),
            "permessage-deflate; client_max_window_bits".to_owned(),
        ),
        (
            "Sec-WebSocket-Key".to_owned(),
            "dGhlIHNhbXBsZSBub25jZQ==".to_owned(),
        ),
        ("Sec-WebSocket-Version".to_owned(), "13".to_owned()),
        ("User-Agent".to_owned(), "Mozilla/5.0".to_owned()),
        ("X-Forwarded-For".to_owned(), "203.0.113.7".to_owned()),
        ("X-Forwarded-Port".to_owned(), "443".to_owned()),
        ("X-Forwarded-Proto".to_owned(), "https".to_owned()),
    ];
    match h.choice(8)? {
        0..=2 => {}
        // Cross-site WebSocket hijacking: the browser sends the attacker's page as the origin.
        3 => headers[1].1 = h.text(Role::Url, "https://attacker.example")?,
        // Browsers cannot set headers on a WebSocket; tokens travel as the subprotocol.
        4 => headers.push((
            "Sec-WebSocket-Protocol".to_owned(),
            h.text(Role::Id, "chat, eyJhbGciOiJIUzI1NiJ9.e30.c2ln")?,
        )),
        5 => headers.push((
            "Authorization".to_owned(),
            h.text(Role::Id, "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln")?,
        )),
        6 => headers.push(("X-Forwarded-For".to_owned(), h.text(Role::Id, "10.0.0.1")?)),
        _ => {
            let name = name(h, "x-client")?;
            let value = h.payload(Role::Text)?;
            headers.push((name, value));
        }
    }
    for header in &mut headers {
        header.1 = within(std::mem::take(&mut header.1), MAX_HEADER);
    }
    Ok(headers)
}

/// A name the handler may read: one of the plan's names, or `fallback`.
fn name(h: &mut Hostile<'_, '_>, fallback: &str) -> Result<String> {
    let names = h.plan().names;
    let pick = h.choice(names.len() + 1)?;
    Ok(names.get(pick).copied().unwrap_or(fallback).to_owned())
}

/// The upgrade URL's query parameters, in order: none on the realistic event, then a token or
/// the plan's names, sometimes repeated.
fn connect_query(h: &mut Hostile<'_, '_>) -> Result<Vec<(String, String)>> {
    let mut query = Vec::new();
    let n = match h.choice(4)? {
        0 | 1 => 0,
        2 => 1,
        _ => h.count(3)?,
    };
    for _ in 0..n {
        let name = name(h, "token")?;
        let value = within(h.text(Role::Id, "c0ffee-42")?, MAX_URL_PART);
        query.push((name, value));
    }
    if !query.is_empty() && h.rarely(4)? {
        // A repeated parameter: the single-valued map keeps the last one.
        let again = query[0].0.clone();
        let value = within(h.text(Role::Id, "c0ffee-43")?, MAX_URL_PART);
        query.push((again, value));
    }
    Ok(query)
}

/// A close code and the reason API Gateway gives with it.
const CLOSES: &[(i64, &str)] = &[
    (1001, "Going away"),
    (1000, "Client-side close frame status set"),
    (1005, "Client-side close frame status not set"),
    (1006, "Connection was closed abnormally"),
    (1009, "Frame size limit reached"),
    (1011, "Internal server error"),
];

/// A frame's text: a JSON document from the plan's schema (or a typical one) or anything a
/// client may send; for a custom route, an object whose `action` names the route (API Gateway
/// would send anything else to `$default`). At most [`MAX_MESSAGE`] bytes and the plan's body
/// limit.
fn message(h: &mut Hostile<'_, '_>, route: &str) -> Result<String> {
    let limit = MAX_MESSAGE.min(h.plan().max_body);
    let text = within(body::text(h)?, limit);
    if route.starts_with('$') {
        return Ok(text);
    }
    let action = format!(
        "\"action\":{}",
        serde_json::to_string(route).unwrap_or_default()
    );
    // The framing (`{`, the action, a comma) comes out of the limit: a message at the limit
    // loses its tail.
    let room = limit.saturating_sub(action.len() + 2);
    if text.trim_start().starts_with('{') {
        if text.contains("\"action\"") {
            return Ok(text);
        }
        let rest = within(text.trim_start()[1..].trim_start().to_owned(), room);
        let comma = if rest.starts_with('}') { "" } else { "," };
        return Ok(format!("{{{action}{comma}{rest}"));
    }
    let mut room = room.saturating_sub(r#""data":}"#.len());
    let data = invoke::string(text, &mut room);
    Ok(format!("{{{action},\"data\":{data}}}"))
}

/// An API Gateway WebSocket event for the plan's route (or, when the model names none, for any
/// route: `$default` on the empty input).
///
/// # Errors
/// As [`Hostile::choice`].
pub fn request(h: &mut Hostile<'_, '_>) -> Result<ApiGatewayWebsocketProxyRequest> {
    let plan = h.plan();
    let route = route(h)?;
    let kind = event_type(route);
    let domain = format!("{}.execute-api.{REGION}.amazonaws.com", plan.source);
    let mut event = ApiGatewayWebsocketProxyRequest::default();
    let mut context = ApiGatewayWebsocketProxyRequestContext::default();
    context.route_key = Some(route.to_owned());
    context.event_type = Some(kind.to_owned());
    context.message_direction = Some("IN".to_owned());
    context.stage = Some("prod".to_owned());
    context.account_id = Some(ACCOUNT.to_owned());
    context.apiid = Some(plan.source.to_owned());
    context.domain_name = Some(domain.clone());
    context.connection_id = Some(CONNECTION_ID.to_owned());
    context.connected_at = CONNECTED_AT;
    context.request_id = Some("L0SNsGuwjoEF8Wg=".to_owned());
    context.extended_request_id = Some("L0SNsGuwjoEF8Wg=".to_owned());
    context.request_time = Some("23/Nov/2026:10:00:00 +0000".to_owned());
    context.request_time_epoch = CONNECTED_AT;
    context.identity.source_ip = Some("203.0.113.7".to_owned());
    match kind {
        "CONNECT" => {
            let headers = connect_headers(h, &domain)?;
            event.headers = header_map(&headers, false);
            event.multi_value_headers = header_map(&headers, true);
            let query = connect_query(h)?;
            let mut single: HashMap<String, String> = HashMap::new();
            let mut multi: HashMap<String, Vec<String>> = HashMap::new();
            for (k, v) in query {
                multi.entry(k.clone()).or_default().push(v.clone());
                single.insert(k, v);
            }
            event.query_string_parameters = QueryMap::from(single);
            event.multi_value_query_string_parameters = QueryMap::from(multi);
            context.identity.user_agent = Some("Mozilla/5.0".to_owned());
        }
        "DISCONNECT" => {
            let headers = vec![
                ("Host".to_owned(), domain.clone()),
                ("x-api-key".to_owned(), String::new()),
                ("X-Forwarded-For".to_owned(), String::new()),
                ("x-restapi".to_owned(), String::new()),
            ];
            event.headers = header_map(&headers, false);
            event.multi_value_headers = header_map(&headers, true);
            let (code, reason) = CLOSES[h.choice(CLOSES.len())?];
            context.disconnect_status_code = Some(code);
            // The reason of a close frame is the client's text (at most 123 bytes).
            context.disconnect_reason = Some(if h.rarely(4)? {
                within(h.text(Role::Text, reason)?, 123)
            } else {
                reason.to_owned()
            });
        }
        _ => {
            context.message_id = Some("L0SNsfVLvHcAcxg=".to_owned());
            if h.rarely(8)? {
                // A binary frame.
                let mut bytes = h.arbitrary_bytes()?;
                bytes.truncate(MAX_MESSAGE.min(plan.max_body) / 4 * 3);
                event.body = Some(base64::engine::general_purpose::STANDARD.encode(bytes));
                event.is_base64_encoded = true;
            } else {
                event.body = Some(message(h, route)?);
            }
        }
    }
    event.request_context = context;
    Ok(event)
}

#[cfg(test)]
mod tests {
    use arbitrary::Unstructured;
    use serde_json::Value;

    use super::*;
    use crate::Plan;
    use crate::events::seeded;
    use crate::hostile::EVENT_BYTES;

    static ANY: Plan = Plan {
        source: "chat-api",
        path: "/",
        max_body: MAX_MESSAGE,
        ..Plan::BASE
    };

    #[test]
    fn the_empty_input_is_a_default_route_message_with_a_json_body() {
        let mut u = Unstructured::new(&[]);
        let event = request(&mut Hostile::new(&mut u, &ANY)).unwrap();
        let context = &event.request_context;
        assert_eq!(context.route_key.as_deref(), Some("$default"));
        assert_eq!(context.event_type.as_deref(), Some("MESSAGE"));
        assert_eq!(context.connection_id.as_deref(), Some(CONNECTION_ID));
        assert_eq!(context.apiid.as_deref(), Some("chat-api"));
        let body: Value = serde_json::from_str(event.body.as_deref().unwrap()).unwrap();
        assert!(body.is_object(), "{body}");
        assert!(!event.is_base64_encoded);
        assert!(event.headers.is_empty(), "messages carry no headers");
    }

    #[test]
    fn a_named_route_is_the_only_one_and_its_body_names_the_action() {
        static SEND: Plan = Plan {
            path: "sendMessage",
            ..ANY
        };
        for seed in 0..200 {
            let data = seeded(seed, 96);
            let mut u = Unstructured::new(&data);
            let event = request(&mut Hostile::new(&mut u, &SEND)).unwrap();
            assert_eq!(
                event.request_context.route_key.as_deref(),
                Some("sendMessage")
            );
            if event.is_base64_encoded {
                continue;
            }
            // Deeply nested documents do not parse; API Gateway reads the action all the same.
            let body = event.body.unwrap();
            assert!(
                body.starts_with(r#"{"action":"sendMessage""#),
                "{}",
                body.chars().take(200).collect::<String>()
            );
            assert!(body.len() <= MAX_MESSAGE);
        }
    }

    #[test]
    fn connect_carries_headers_and_query_and_disconnect_a_close_code() {
        static CONNECT: Plan = Plan {
            path: "$connect",
            names: &["room"],
            ..ANY
        };
        static DISCONNECT: Plan = Plan {
            path: "$disconnect",
            ..ANY
        };
        let mut u = Unstructured::new(&[]);
        let event = request(&mut Hostile::new(&mut u, &CONNECT)).unwrap();
        assert_eq!(event.request_context.event_type.as_deref(), Some("CONNECT"));
        assert_eq!(event.headers["sec-websocket-version"], "13");
        assert_eq!(
            event.headers["host"],
            "chat-api.execute-api.eu-west-1.amazonaws.com"
        );
        assert!(event.body.is_none());
        let mut room = false;
        for seed in 0..200 {
            let data = seeded(seed, 64);
            let mut u = Unstructured::new(&data);
            let event = request(&mut Hostile::new(&mut u, &CONNECT)).unwrap();
            room |= event.query_string_parameters.first("room").is_some();
        }
        assert!(room, "the plan's names never reach the query");
        let mut u = Unstructured::new(&[]);
        let event = request(&mut Hostile::new(&mut u, &DISCONNECT)).unwrap();
        assert_eq!(event.request_context.disconnect_status_code, Some(1001));
        assert!(event.body.is_none());
    }

    #[test]
    fn every_event_round_trips_and_stays_within_the_limits() {
        let mut payloads = 0;
        let mut routes = std::collections::BTreeSet::new();
        for seed in 0..400 {
            let data = seeded(seed, 4096);
            let mut u = Unstructured::new(&data);
            let mut h = Hostile::new(&mut u, &ANY);
            let event = request(&mut h).unwrap();
            payloads += usize::from(!h.injected.is_empty());
            routes.insert(event.request_context.route_key.clone().unwrap());
            let json = serde_json::to_value(&event).unwrap();
            let back: ApiGatewayWebsocketProxyRequest =
                serde_json::from_value(json.clone()).unwrap();
            assert_eq!(serde_json::to_value(&back).unwrap(), json);
            assert!(event.body.as_ref().map_or(0, String::len) <= MAX_MESSAGE);
            for value in event.headers.values() {
                assert!(value.len() <= MAX_HEADER);
            }
            assert!(json.to_string().len() <= EVENT_BYTES);
        }
        assert_eq!(routes.len(), 4, "{routes:?}");
        assert!(payloads > 40, "{payloads} of 400 events carry a payload");
    }

    #[test]
    fn custom_route_framing_keeps_json_objects_valid() {
        let mut u = Unstructured::new(&[]);
        let mut h = Hostile::new(&mut u, &ANY);
        for _ in 0..3 {
            let framed = message(&mut h, "join").unwrap();
            let value: Value = serde_json::from_str(&framed).unwrap();
            assert_eq!(value["action"], "join");
        }
    }
}
