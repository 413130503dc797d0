//! Oracles: what makes a handler's answer a finding when it did not panic. For HTTP triggers a
//! 5xx, a malformed proxy response, a stack trace, a secret's name or an injected payload echoed
//! back; for batch triggers that report partial failures, `batchItemFailures` naming a record
//! that is not in the batch. A generated target calls [`enforce`], which panics with a message
//! starting `strider oracle:` so libFuzzer saves the input like any crash.

use serde_json::Value;

use crate::Plan;

/// The prefix of every oracle panic, which `strider fuzz run` looks for.
pub const PREFIX: &str = "strider oracle:";

/// Panics with the oracle's message when it found something.
///
/// # Panics
/// When `verdict` is an error: that is how a finding reaches libFuzzer.
pub fn enforce(verdict: Result<(), String>) {
    if let Err(message) = verdict {
        panic!("{PREFIX} {message}");
    }
}

const STACK_TRACES: &[&str] = &[
    "panicked at",
    "stack backtrace",
    "Traceback (most recent call last)",
    "at java.",
    "Exception in thread",
    "    at Object.<anonymous>",
    "node:internal",
    "RUST_BACKTRACE",
];

/// Judges an HTTP answer: status, body (decoded when base64) and the payloads that were sent.
///
/// # Errors
/// With what is wrong, for [`enforce`].
pub fn http(plan: &Plan, injected: &[String], status: i64, body: &str) -> Result<(), String> {
    if !(100..=599).contains(&status) {
        return Err(format!("malformed proxy response: status code {status}"));
    }
    if status >= 500 {
        return Err(format!("HTTP {status} response to a client's request"));
    }
    if let Some(trace) = STACK_TRACES.iter().find(|t| body.contains(*t)) {
        return Err(format!("stack trace in the response (`{trace}`)"));
    }
    if let Some(secret) = plan
        .secrets
        .iter()
        .find(|s| !s.is_empty() && body.contains(*s))
    {
        return Err(format!("the response names the secret `{secret}`"));
    }
    if let Some(echo) = injected
        .iter()
        .find(|p| dangerous_echo(p) && body.contains(p.as_str()))
    {
        return Err(format!(
            "the response echoes the injected payload {echo:?} unescaped"
        ));
    }
    Ok(())
}

/// Whether echoing this payload verbatim is a vulnerability (markup or script reflected), not
/// just an id sent back.
fn dangerous_echo(payload: &str) -> bool {
    payload.len() >= 6
        && (payload.contains('<') || payload.contains("javascript:") || payload.contains("\"><"))
}

/// Judges an HTTP answer serialised as a proxy response (`statusCode`, `body`,
/// `isBase64Encoded`), as API Gateway, function URLs and ALBs read it.
///
/// # Errors
/// With what is wrong, for [`enforce`].
pub fn proxy_response(plan: &Plan, injected: &[String], response: &Value) -> Result<(), String> {
    let Some(status) = response.get("statusCode").and_then(Value::as_i64) else {
        // HTTP APIs (payload 2.0) and function URLs send any other JSON as a 200 body; REST APIs
        // and load balancers answer 502.
        if plan.infers_status {
            return http(plan, injected, 200, &response.to_string());
        }
        return Err(format!(
            "malformed proxy response without statusCode: {response}"
        ));
    };
    let body = match response.get("body") {
        Some(Value::String(body)) => {
            if response.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) {
                use base64::Engine;
                let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(body) else {
                    return Err(
                        "malformed proxy response: isBase64Encoded body is not base64".to_owned(),
                    );
                };
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                body.clone()
            }
        }
        Some(Value::Null) | None => String::new(),
        Some(other) => {
            return Err(format!(
                "malformed proxy response: body is not a string but {other}"
            ));
        }
    };
    http(plan, injected, status, &body)
}

/// Where a batch trigger's records keep the id that `batchItemFailures` must name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchKind {
    /// SQS: the `messageId`.
    Sqs,
    /// Kinesis: the record's sequence number.
    Kinesis,
    /// DynamoDB streams: the record's sequence number.
    DynamodbStream,
}

/// What `batchItemFailures` may name of a batch: its records' ids, and whether a record had
/// none. Taken before the handler owns the event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sent {
    ids: Vec<String>,
    anonymous: bool,
}

impl Sent {
    /// The ids of a batch event. The `aws_lambda_events` types are read directly; any other
    /// event type (a handler's own, named by `event:` in the model) through its JSON.
    #[must_use]
    pub fn of<T: serde::Serialize + 'static>(kind: BatchKind, event: &T) -> Sent {
        use std::any::Any;
        let any: &dyn Any = event;
        let ids: Option<Vec<Option<&String>>> =
            if let Some(e) = any.downcast_ref::<aws_lambda_events::sqs::SqsEvent>() {
                Some(e.records.iter().map(|r| r.message_id.as_ref()).collect())
            } else if let Some(e) = any.downcast_ref::<aws_lambda_events::kinesis::KinesisEvent>() {
                Some(
                    e.records
                        .iter()
                        .map(|r| Some(&r.kinesis.sequence_number))
                        .collect(),
                )
            } else {
                any.downcast_ref::<aws_lambda_events::dynamodb::Event>()
                    .map(|e| {
                        e.records
                            .iter()
                            .map(|r| r.change.sequence_number.as_ref())
                            .collect()
                    })
            };
        match ids {
            Some(ids) => Sent {
                anonymous: ids.iter().any(Option::is_none),
                ids: ids.into_iter().flatten().cloned().collect(),
            },
            None => Sent::from_json(kind, &serde_json::to_value(event).unwrap_or(Value::Null)),
        }
    }

    /// The ids of a batch event given as JSON.
    #[must_use]
    pub fn from_json(kind: BatchKind, event: &Value) -> Sent {
        let records = event
            .get("Records")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let ids: Vec<String> = records
            .iter()
            .filter_map(|r| match kind {
                BatchKind::Sqs => r.get("messageId"),
                BatchKind::Kinesis => r.get("kinesis").and_then(|k| k.get("sequenceNumber")),
                BatchKind::DynamodbStream => {
                    r.get("dynamodb").and_then(|d| d.get("SequenceNumber"))
                }
            })
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect();
        Sent {
            anonymous: ids.len() < records.len(),
            ids,
        }
    }
}

/// Judges a batch handler's partial-failure report against the batch it was given.
///
/// # Errors
/// With what is wrong, for [`enforce`].
pub fn batch(plan: &Plan, sent: &Sent, response: &Value) -> Result<(), String> {
    if !plan.partial_failures {
        return Ok(());
    }
    let failures = match response.get("batchItemFailures") {
        None | Some(Value::Null) => return Ok(()),
        Some(Value::Array(failures)) => failures,
        Some(other) => return Err(format!("batchItemFailures is not a list: {other}")),
    };
    // A record without an id (which the service never sends) can only be reported as "".
    let (ids, anonymous) = (&sent.ids, sent.anonymous);
    for failure in failures {
        match failure.get("itemIdentifier").and_then(Value::as_str) {
            Some(id) if ids.iter().any(|i| i == id) => {}
            Some("") if anonymous => {}
            Some(id) => {
                return Err(format!(
                    "batchItemFailures names {id:?}, which is not a record of the batch: Lambda then retries the whole batch"
                ));
            }
            None => {
                return Err(format!(
                    "batchItemFailures entry without an itemIdentifier: {failure}"
                ));
            }
        }
    }
    Ok(())
}

/// The verdict on an HTTP handler that returned an error: the gateway answers 502.
fn failed(err: &dyn std::fmt::Display) -> String {
    format!("the handler failed ({err}), so the caller gets HTTP 502")
}

/// Judges what an HTTP handler returned as a proxy response object (`lambda` and `plain`
/// styles): an error becomes API Gateway's 502.
pub fn judge_proxy<R: serde::Serialize, E: std::fmt::Display>(
    plan: &Plan,
    injected: &[String],
    result: Result<R, E>,
) {
    enforce(match result {
        Ok(response) => proxy_response(
            plan,
            injected,
            &serde_json::to_value(&response).unwrap_or(Value::Null),
        ),
        Err(err) => Err(failed(&err)),
    });
}

/// Judges what an `http`-style handler (lambda_http) returned.
pub fn judge_http<B: AsRef<[u8]>, E: std::fmt::Display>(
    plan: &Plan,
    injected: &[String],
    result: Result<aws_lambda_events::http::Response<B>, E>,
) {
    enforce(match result {
        Ok(response) => http(
            plan,
            injected,
            i64::from(response.status().as_u16()),
            &String::from_utf8_lossy(response.body().as_ref()),
        ),
        Err(err) => Err(failed(&err)),
    });
}

/// Judges a batch handler's answer against the batch (`event` as JSON); a failed invocation
/// retries the whole batch, which is the documented contract, not a finding.
pub fn judge_batch<R: serde::Serialize, E>(plan: &Plan, sent: &Sent, result: Result<R, E>) {
    if let Ok(response) = result {
        enforce(batch(
            plan,
            sent,
            &serde_json::to_value(&response).unwrap_or(Value::Null),
        ));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    static API: Plan = Plan {
        secrets: &["PAYMENT_API_KEY"],
        ..Plan::BASE
    };

    #[test]
    fn http_findings() {
        assert!(http(&API, &[], 200, "ok").is_ok());
        assert!(http(&API, &[], 400, "bad request").is_ok());
        assert!(http(&API, &[], 502, "").unwrap_err().contains("HTTP 502"));
        assert!(http(&API, &[], 700, "").unwrap_err().contains("malformed"));
        assert!(
            http(&API, &[], 400, "thread 'main' panicked at src/x.rs")
                .unwrap_err()
                .contains("stack trace")
        );
        assert!(
            http(&API, &[], 400, "missing PAYMENT_API_KEY")
                .unwrap_err()
                .contains("secret")
        );
        let xss = vec!["<svg onload=alert(1)>".to_owned(), "abc".to_owned()];
        assert!(
            http(&API, &xss, 404, "no product <svg onload=alert(1)>")
                .unwrap_err()
                .contains("echoes")
        );
        assert!(
            http(&API, &xss, 404, "no product abc").is_ok(),
            "a short id sent back is not a finding"
        );
        assert!(http(&API, &xss, 404, "no product &lt;svg onload=alert(1)&gt;").is_ok());
    }

    #[test]
    fn a_missing_status_code_is_malformed_only_where_the_gateway_says_so() {
        static V2: Plan = Plan {
            infers_status: true,
            ..Plan::BASE
        };
        let bare = json!({"orders": []});
        assert!(
            proxy_response(&API, &[], &bare)
                .unwrap_err()
                .contains("without statusCode")
        );
        assert!(proxy_response(&V2, &[], &bare).is_ok());
        assert!(proxy_response(&V2, &[], &json!("Traceback (most recent call last)")).is_err());
    }

    #[test]
    fn proxy_responses_are_decoded_and_checked() {
        assert!(proxy_response(&API, &[], &json!({"statusCode": 200, "body": "{}"})).is_ok());
        assert!(proxy_response(&API, &[], &json!({"statusCode": 200, "body": {"a": 1}})).is_err());
        assert!(
            proxy_response(
                &API,
                &[],
                &json!({"statusCode": 200, "body": "%%", "isBase64Encoded": true})
            )
            .is_err()
        );
        let trace = json!({"statusCode": 400, "isBase64Encoded": true, "body": "VHJhY2ViYWNrIChtb3N0IHJlY2VudCBjYWxsIGxhc3Qp"});
        assert!(
            proxy_response(&API, &[], &trace)
                .unwrap_err()
                .contains("stack trace")
        );
    }

    #[test]
    fn batch_failures_must_name_records_of_the_batch() {
        static QUEUE: Plan = Plan {
            partial_failures: true,
            ..Plan::BASE
        };
        let event = json!({"Records": [{"messageId": "a"}, {"messageId": "b"}]});
        assert!(
            batch(
                &QUEUE,
                &Sent::from_json(BatchKind::Sqs, &event),
                &json!({"batchItemFailures": [{"itemIdentifier": "b"}]})
            )
            .is_ok()
        );
        assert!(
            batch(
                &QUEUE,
                &Sent::from_json(BatchKind::Sqs, &event),
                &json!({"batchItemFailures": []})
            )
            .is_ok()
        );
        assert!(
            batch(
                &QUEUE,
                &Sent::from_json(BatchKind::Sqs, &event),
                &json!({"batchItemFailures": [{"itemIdentifier": ""}]})
            )
            .is_err()
        );
        assert!(
            batch(
                &QUEUE,
                &Sent::from_json(BatchKind::Sqs, &event),
                &json!({"batchItemFailures": [{"itemIdentifier": "1"}]})
            )
            .is_err()
        );
        assert!(
            batch(
                &Plan::BASE,
                &Sent::from_json(BatchKind::Sqs, &event),
                &json!({"batchItemFailures": [{"itemIdentifier": "1"}]})
            )
            .is_ok()
        );
        // The typed events give the same ids as their JSON.
        let typed: aws_lambda_events::sqs::SqsEvent =
            serde_json::from_value(event.clone()).unwrap();
        assert_eq!(
            Sent::of(BatchKind::Sqs, &typed),
            Sent::from_json(BatchKind::Sqs, &event)
        );
        let stream = json!({"Records": [{"dynamodb": {"SequenceNumber": "42"}}]});
        assert!(
            batch(
                &QUEUE,
                &Sent::from_json(BatchKind::DynamodbStream, &stream),
                &json!({"batchItemFailures": [{"itemIdentifier": "42"}]})
            )
            .is_ok()
        );
        let mut record = aws_lambda_events::dynamodb::EventRecord::default();
        record.change.sequence_number = Some("42".to_owned());
        let mut typed = aws_lambda_events::dynamodb::Event::default();
        typed.records.push(record);
        assert_eq!(
            Sent::of(BatchKind::DynamodbStream, &typed),
            Sent::from_json(BatchKind::DynamodbStream, &stream)
        );
        // Any other type goes through its JSON.
        assert_eq!(
            Sent::of(BatchKind::Sqs, &event),
            Sent::from_json(BatchKind::Sqs, &event)
        );
    }
}
