//! The runtime harness against real runtimes: the Runtime API served to the official Python
//! client (awslambdaric) and to strider's Node.js client, each oracle on a handler with the bug
//! (found) and its fixed twin (quiet), and the emulator provisioned from a plan.
//!
//! Needs the test virtualenv (`target/strider/venv`, with awslambdaric, moto and PyYAML) and
//! `npm ci` in `examples/runtime-bench/node`: `.ci/install-deps test` prepares both.

use strider_events::runtime::{Handler, Language, Outcome, deliver};

const PY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/runtime-bench/python/oracles"
);
const NODE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/runtime-bench/node/oracles"
);
const STATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/strider");

macro_rules! handler {
    ($name:ident, $language:ident, $code:expr, $handler:literal) => {
        handler!($name, $language, $code, $handler, 3, "");
    };
    ($name:ident, $language:ident, $code:expr, $handler:literal, $timeout:literal, $resources:expr) => {
        static $name: Handler = Handler {
            function: stringify!($name),
            language: Language::$language,
            runtime: "test",
            code: $code,
            handler: $handler,
            env: &[("SHOP_TABLE", "orders-table")],
            timeout_s: $timeout,
            memory_mb: 512,
            resources: $resources,
            state: STATE,
        };
    };
}

/// An API Gateway-like event with a JSON body holding `field: value`.
fn body(field: &str, value: &str) -> String {
    let inner = serde_json::json!({ field: value }).to_string();
    serde_json::json!({"httpMethod": "POST", "path": "/", "body": inner}).to_string()
}

/// An event with `field` in the query string.
fn query(field: &str, value: &str) -> String {
    serde_json::json!({"httpMethod": "GET", "path": "/", "queryStringParameters": { field: value }})
        .to_string()
}

fn answered(handler: &'static Handler, event: &str, injected: &[&str]) -> String {
    let injected: Vec<String> = injected.iter().map(|s| (*s).to_owned()).collect();
    match deliver(handler, event, &injected) {
        Ok(Outcome::Answered(body)) => String::from_utf8_lossy(&body).into_owned(),
        Ok(Outcome::Finding(finding)) => {
            panic!("{}: unexpected finding: {finding}", handler.function)
        }
        Err(setup) => panic!("{}: setup failed: {setup}", handler.function),
    }
}

fn finding(handler: &'static Handler, event: &str, injected: &[&str]) -> String {
    let injected: Vec<String> = injected.iter().map(|s| (*s).to_owned()).collect();
    match deliver(handler, event, &injected) {
        Ok(Outcome::Finding(finding)) => finding,
        Ok(Outcome::Answered(body)) => panic!(
            "{}: no finding; it answered {}",
            handler.function,
            String::from_utf8_lossy(&body)
        ),
        Err(setup) => panic!("{}: setup failed: {setup}", handler.function),
    }
}

handler!(PY_CMD_BUG, Python, PY, "cmd_bug.handler");
handler!(PY_CMD_OK, Python, PY, "cmd_ok.handler");
handler!(NODE_CMD_BUG, Node, NODE, "cmd_bug.handler");
handler!(NODE_CMD_OK, Node, NODE, "cmd_ok.handler");

#[test]
fn command_injection_runs_the_canary() {
    let payload = ";strider-canary cmd-semicolon";
    for (bug, ok) in [(&PY_CMD_BUG, &PY_CMD_OK), (&NODE_CMD_BUG, &NODE_CMD_OK)] {
        let event = body("name", &format!("a{payload}"));
        let found = finding(bug, &event, &[payload]);
        assert!(found.starts_with("command injection"), "{found}");
        assert!(
            found.contains(&format!("{payload:?}")),
            "names its payload: {found}"
        );
        answered(ok, &event, &[payload]);
        // The same process goes on answering.
        answered(bug, &body("name", "report.txt"), &[]);
    }
}

handler!(PY_SSRF_BUG, Python, PY, "ssrf_bug.handler");
handler!(PY_SSRF_OK, Python, PY, "ssrf_ok.handler");
handler!(NODE_SSRF_BUG, Node, NODE, "ssrf_bug.handler");
handler!(NODE_SSRF_OK, Node, NODE, "ssrf_ok.handler");

#[test]
fn urls_of_the_event_reach_the_canary_listener_or_are_refused() {
    let canary = "http://strider-canary.internal/ssrf-url";
    let metadata = "http://169.254.169.254/latest/meta-data/";
    for (bug, ok) in [(&PY_SSRF_BUG, &PY_SSRF_OK), (&NODE_SSRF_BUG, &NODE_SSRF_OK)] {
        let found = finding(bug, &body("url", canary), &[canary]);
        assert!(found.starts_with("server-side request forgery"), "{found}");
        assert!(found.contains("/ssrf-url"), "{found}");
        let found = finding(bug, &body("url", metadata), &[metadata]);
        assert!(
            found.contains("169.254.169.254"),
            "egress is refused and reported: {found}"
        );
        answered(ok, &body("url", canary), &[canary]);
        answered(ok, &body("url", metadata), &[metadata]);
    }
    // A host of the event beyond the machine: relayed by the listener as the handler's proxy.
    let outside = "https://images.attacker.example/x.jpg";
    let found = finding(&PY_SSRF_BUG, &body("url", outside), &[outside]);
    assert!(
        found.starts_with("server-side request forgery")
            && found.contains("images.attacker.example"),
        "{found}"
    );
    // A host the handler always calls, which the event does not name: its own call, not a
    // forgery (answered, and the handler goes on).
    assert!(answered(&PY_FIXED_CALL, &body("orderId", "ord_1"), &[]).contains("ord_1"));
}

handler!(PY_FIXED_CALL, Python, PY, "fixed_call_ok.handler");

handler!(PY_RAW_SOCKET, Python, PY, "raw_socket_bug.handler");
handler!(NODE_RAW_SOCKET, Node, NODE, "raw_socket_bug.handler");

/// An API Gateway event whose body names a loopback port and how to reach it.
fn sidecar(port: u16, how: &str) -> String {
    let inner = serde_json::json!({"port": port, "how": how}).to_string();
    serde_json::json!({"httpMethod": "POST", "path": "/", "body": inner}).to_string()
}

#[test]
fn every_way_to_a_loopback_port_is_guarded() {
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    tcp.set_nonblocking(true).unwrap();
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_nonblocking(true).unwrap();
    let tcp_port = tcp.local_addr().unwrap().port();
    let udp_port = udp.local_addr().unwrap().port();
    for (handler, how, port) in [
        (&PY_RAW_SOCKET, "connect", tcp_port),
        (&PY_RAW_SOCKET, "connect_ex", tcp_port),
        (&PY_RAW_SOCKET, "sendto", udp_port),
        (&PY_RAW_SOCKET, "sendmsg", udp_port),
        (&NODE_RAW_SOCKET, "connect-hex", tcp_port),
        (&NODE_RAW_SOCKET, "udp", udp_port),
    ] {
        let found = finding(handler, &sidecar(port, how), &[]);
        assert!(
            found.starts_with("outbound connection refused")
                && found.contains(&format!(":{port})")),
            "{how}: {found}"
        );
    }
    assert!(tcp.accept().is_err(), "a handler reached the TCP service");
    let mut buffer = [0; 16];
    assert!(
        udp.recv_from(&mut buffer).is_err(),
        "a handler reached the UDP service"
    );
    // A port nobody listens on is refused as the kernel refuses it: quietly, no finding.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    for (handler, how) in [
        (&PY_RAW_SOCKET, "connect"),
        (&NODE_RAW_SOCKET, "connect-hex"),
    ] {
        let answer = answered(handler, &sidecar(closed, how), &[]);
        assert!(answer.contains("502"), "{how}: {answer}");
    }
}

handler!(PY_OWN_PORT, Python, PY, "own_port_ok.handler");
handler!(NODE_OWN_PORT, Node, NODE, "own_port_ok.handler");

#[test]
fn the_machines_own_services_on_loopback_are_out_of_reach() {
    // A service of this machine (a developer's database, a CI's Docker daemon): here the
    // test's own listener, which no handler process started.
    let service = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    service.set_nonblocking(true).unwrap();
    let address = service.local_addr().unwrap().to_string();
    let url = format!("http://{address}/admin");
    for bug in [&PY_SSRF_BUG, &NODE_SSRF_BUG] {
        let found = finding(bug, &body("url", &url), &[url.as_str()]);
        assert!(
            found.starts_with("outbound connection refused") && found.contains(&address),
            "{found}"
        );
    }
    assert!(
        service.accept().is_err(),
        "a handler reached the machine's service"
    );
    // A port the handler bound itself is its own: reached, no finding.
    for own in [&PY_OWN_PORT, &NODE_OWN_PORT] {
        let answer = answered(own, r#"{"body": "{}"}"#, &[]);
        assert!(answer.contains("pong"), "{answer}");
    }
}

handler!(PY_TRAVERSAL_BUG, Python, PY, "traversal_bug.handler");
handler!(PY_TRAVERSAL_OK, Python, PY, "traversal_ok.handler");
handler!(NODE_TRAVERSAL_BUG, Node, NODE, "traversal_bug.handler");
handler!(NODE_TRAVERSAL_OK, Node, NODE, "traversal_ok.handler");

#[test]
fn traversal_opens_the_canary_file() {
    let payload = "../../../../../../../../../../../../tmp/strider-canary/secret";
    for (bug, ok) in [
        (&PY_TRAVERSAL_BUG, &PY_TRAVERSAL_OK),
        (&NODE_TRAVERSAL_BUG, &NODE_TRAVERSAL_OK),
    ] {
        let found = finding(bug, &query("file", payload), &[payload]);
        assert!(found.starts_with("path traversal"), "{found}");
        assert!(
            found.contains("/tmp/strider-canary/secret"),
            "the message names the marker, not this run's file: {found}"
        );
        answered(ok, &query("file", payload), &[payload]);
        answered(bug, &query("file", "shipping.txt"), &[]);
    }
}

handler!(PY_PICKLE_BUG, Python, PY, "pickle_bug.handler");
handler!(PY_PICKLE_OK, Python, PY, "pickle_ok.handler");
handler!(PY_YAML_BUG, Python, PY, "yaml_bug.handler");
handler!(PY_YAML_OK, Python, PY, "yaml_ok.handler");
handler!(PY_EVAL_BUG, Python, PY, "eval_bug.handler");
handler!(PY_EVAL_OK, Python, PY, "eval_ok.handler");
handler!(NODE_DESER_BUG, Node, NODE, "deser_bug.handler");
handler!(NODE_DESER_OK, Node, NODE, "deser_ok.handler");

#[test]
fn deserialisation_and_code_gadgets_run_the_canary() {
    let cases: [(&'static Handler, &'static Handler, &str, &str); 4] = [
        (
            &PY_PICKLE_BUG,
            &PY_PICKLE_OK,
            "data",
            "Y3Bvc2l4CnN5c3RlbQooUydzdHJpZGVyLWNhbmFyeSBwaWNrbGUxJwp0Ui4=",
        ),
        (
            &PY_YAML_BUG,
            &PY_YAML_OK,
            "data",
            "!!python/object/apply:os.system [\"strider-canary deser-yaml\"]",
        ),
        (
            &PY_EVAL_BUG,
            &PY_EVAL_OK,
            "data",
            "__import__('os').system('strider-canary code-python')",
        ),
        (
            &NODE_DESER_BUG,
            &NODE_DESER_OK,
            "data",
            "{\"rce\":\"_$$ND_FUNC$$_function(){require('child_process').execSync('strider-canary deser-node')}()\"}",
        ),
    ];
    for (bug, ok, field, payload) in cases {
        let found = finding(bug, &body(field, payload), &[payload]);
        assert!(
            found.starts_with("command injection"),
            "{}: {found}",
            bug.function
        );
        answered(ok, &body(field, payload), &[payload]);
    }
}

handler!(PY_KEYERROR_BUG, Python, PY, "keyerror_bug.handler");
handler!(PY_KEYERROR_OK, Python, PY, "keyerror_ok.handler");
handler!(NODE_EXCEPTION_BUG, Node, NODE, "exception_bug.handler");
handler!(NODE_EXCEPTION_OK, Node, NODE, "exception_ok.handler");

#[test]
fn uncaught_exceptions_are_located_in_the_handler() {
    // An SQS message whose customer has no e-mail address.
    let event =
        r#"{"Records": [{"messageId": "1", "body": "{\"customer\": {\"name\": \"Ann\"}}"}]}"#;
    let found = finding(&PY_KEYERROR_BUG, event, &[]);
    assert!(
        found.starts_with("uncaught KeyError at keyerror_bug.py:"),
        "{found}"
    );
    answered(&PY_KEYERROR_OK, event, &[]);
    let found = finding(&NODE_EXCEPTION_BUG, event, &[]);
    assert!(
        found.starts_with("uncaught TypeError at exception_bug.js:"),
        "{found}"
    );
    answered(&NODE_EXCEPTION_OK, event, &[]);
}

handler!(PY_TIMEOUT_BUG, Python, PY, "timeout_bug.handler", 1, "");
handler!(NODE_TIMEOUT_BUG, Node, NODE, "timeout_bug.handler", 1, "");
handler!(PY_CRASH_BUG, Python, PY, "crash_bug.handler");
handler!(NODE_CRASH_BUG, Node, NODE, "crash_bug.handler");

#[test]
fn a_handler_that_never_answers_or_exits_is_a_finding_and_is_restarted() {
    for handler in [&PY_TIMEOUT_BUG, &NODE_TIMEOUT_BUG] {
        let found = finding(handler, &body("pageSize", "0"), &[]);
        assert!(found.starts_with("timeout: no answer within"), "{found}");
        answered(handler, &body("pageSize", "10"), &[]);
    }
    for handler in [&PY_CRASH_BUG, &NODE_CRASH_BUG] {
        let found = finding(handler, &body("level", "verbose"), &[]);
        assert!(found.contains("exited with status"), "{found}");
        answered(handler, &body("level", "debug"), &[]);
    }
}

handler!(PY_MISSING, Python, PY, "no_such_module.handler");
handler!(NODE_MISSING, Node, NODE, "no_such_module.handler");

#[test]
fn a_handler_that_cannot_load_reports_an_init_error() {
    for handler in [&PY_MISSING, &NODE_MISSING] {
        let Err(problem) = deliver(handler, "{}", &[]) else {
            panic!("{}: loaded a module that does not exist", handler.function);
        };
        assert!(problem.contains("could not start"), "{problem}");
        assert!(problem.contains("no_such_module"), "{problem}");
    }
}

const AWS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/aws");

handler!(
    PY_PROVISIONED,
    Python,
    AWS,
    "probe.handler",
    20,
    r#"{"tables":[{"name":"orders-table","hash_key":"orderId","hash_type":"S","range_key":"at","range_type":"N","stream":true}],"buckets":["uploads-bucket"],"queues":[{"name":"email-queue","fifo":false}],"topics":["order-events"],"subscriptions":[{"topic":"order-events","queue":"email-queue"}],"secrets":[{"name":"shop-secrets","value":"{\"PAYMENT_API_KEY\":\"dummy\"}"}],"parameters":[{"name":"/shop/flag","value":"on","secure":true}]}"#
);

#[test]
fn the_emulator_is_provisioned_from_the_plan_and_no_request_leaves_the_machine() {
    let answer: serde_json::Value =
        serde_json::from_str(&answered(&PY_PROVISIONED, "{}", &[])).unwrap();
    assert_eq!(answer["tables"], serde_json::json!(["orders-table"]));
    assert_eq!(answer["key"][0]["AttributeName"], "orderId");
    assert_eq!(answer["key"][1]["AttributeName"], "at");
    assert_eq!(answer["stream"], true);
    assert_eq!(answer["buckets"], serde_json::json!(["uploads-bucket"]));
    assert!(
        answer["queues"][0]
            .as_str()
            .unwrap()
            .ends_with("/email-queue"),
        "{answer}"
    );
    assert!(
        answer["topics"][0]
            .as_str()
            .unwrap()
            .ends_with(":order-events"),
        "{answer}"
    );
    assert!(
        answer["subscribed"][0]
            .as_str()
            .unwrap()
            .ends_with(":email-queue"),
        "{answer}"
    );
    assert_eq!(answer["secret"]["PAYMENT_API_KEY"], "dummy");
    let found = finding(&PY_PROVISIONED, r#"{"real": true}"#, &[]);
    assert!(
        found.contains("dynamodb.us-east-1.amazonaws.com"),
        "{found}"
    );
}

/// Two orders seeded, one of the caller's (`cust-me`) and one of another customer's; and an
/// item with a binary and a number key, which nothing changes (were it read back differently
/// from how it was seeded, every event would change it).
const SEEDED: &str = r#"{"tables":[{"name":"orders-table","hash_key":"pk","hash_type":"S","stream":false,"owner":"customerId","items":[{"pk":"ord_mine","customerId":"cust-me","note":"mine","totalCents":1200},{"pk":"ord_theirs","customerId":"cust-victim","note":"theirs","lines":[{"sku":"MUG-0001","quantity":1}]}]},{"name":"blobs","hash_key":"k","hash_type":"B","range_key":"n","range_type":"N","items":[{"k":"AAEC","n":1,"v":1.5,"tags":["a",null,true]}]}]}"#;
handler!(PY_TAMPER_BUG, Python, PY, "tamper_bug.handler", 20, SEEDED);
handler!(PY_TAMPER_OK, Python, PY, "tamper_ok.handler", 20, SEEDED);

/// An API Gateway event as `sub`, renaming `order`.
fn rename(sub: &str, order: &str) -> String {
    let inner = serde_json::json!({"orderId": order, "note": "renamed"}).to_string();
    serde_json::json!({"httpMethod": "POST", "path": "/", "body": inner,
        "requestContext": {"authorizer": {"claims": {"sub": sub}}}})
    .to_string()
}

#[test]
fn changing_another_callers_seeded_item_is_data_tampering() {
    let found = finding(&PY_TAMPER_BUG, &rename("cust-me", "ord_theirs"), &[]);
    assert_eq!(
        found,
        r#"data tampering: an event acting as "cust-me" changed the seeded item pk="ord_theirs" of "orders-table" ("note"), which belongs to "cust-victim""#
    );
    // The guard put the item back: the caller's own order may change, again and again, and the
    // other's is caught again rather than found changed already.
    for _ in 0..2 {
        assert!(answered(&PY_TAMPER_BUG, &rename("cust-me", "ord_mine"), &[]).contains("ord_mine"));
    }
    let again = finding(&PY_TAMPER_BUG, &rename("cust-me", "ord_theirs"), &[]);
    assert!(again.starts_with("data tampering"), "{again}");
    // The fixed twin refuses the other's order and keeps its own working.
    assert!(answered(&PY_TAMPER_OK, &rename("cust-me", "ord_theirs"), &[]).contains("404"));
    assert!(answered(&PY_TAMPER_OK, &rename("cust-me", "ord_mine"), &[]).contains("200"));
}

/// A products table without owners: only what an event names may change.
const PRODUCTS: &str = r#"{"tables":[{"name":"products","hash_key":"sku","hash_type":"S","stream":false,"items":[{"sku":"MUG-0001","title":"Mug"},{"sku":"TEE-0002","title":"Tee"}]}]}"#;
handler!(PY_NOSQL_BUG, Python, PY, "nosql_bug.handler", 20, PRODUCTS);
handler!(PY_NOSQL_OK, Python, PY, "nosql_ok.handler", 20, PRODUCTS);

/// An API Gateway event without a caller whose body filters products by `filter`.
fn discontinue(filter: &serde_json::Value) -> String {
    let inner = serde_json::json!({ "filter": filter }).to_string();
    serde_json::json!({"httpMethod": "POST", "path": "/", "body": inner}).to_string()
}

#[test]
fn an_injected_operator_that_reaches_unnamed_items_is_data_tampering() {
    let named = serde_json::json!({"sku": "MUG-0001"});
    let injected = serde_json::json!({"sku": {"$ne": "x"}});
    // The product the event names may change, again and again (the guard restores it).
    for _ in 0..2 {
        let answer = answered(&PY_NOSQL_BUG, &discontinue(&named), &[]);
        assert!(answer.contains(r#"discontinued\": 1"#), "{answer}");
    }
    let found = finding(&PY_NOSQL_BUG, &discontinue(&injected), &[r#"{"$ne": "x"}"#]);
    assert!(
        found.starts_with("data tampering: an event changed the seeded item sku=")
            && found.ends_with(r#" of "products" ("discontinued"), which it did not name"#),
        "{found}"
    );
    // The fixed twin refuses the operator and keeps the named product working.
    assert!(answered(&PY_NOSQL_OK, &discontinue(&injected), &[]).contains("400"));
    assert!(answered(&PY_NOSQL_OK, &discontinue(&named), &[]).contains(r#"discontinued\": 1"#));
}

/// A table a stream reads, with one seeded event.
const STREAMED: &str = r#"{"tables":[{"name":"events-table","hash_key":"id","hash_type":"S","stream":true,"items":[{"id":"evt-1","kind":"created"}]}]}"#;
handler!(PY_DROP_BUG, Python, PY, "drop_bug.handler", 20, STREAMED);

#[test]
fn a_dropped_table_is_tampering_and_comes_back_as_declared() {
    let stream = r#"stream\": true"#;
    let answer = answered(&PY_DROP_BUG, &body("action", "describe"), &[]);
    assert!(answer.contains(stream), "{answer}");
    let found = finding(&PY_DROP_BUG, &body("action", "drop"), &[]);
    assert_eq!(
        found,
        r#"data tampering: an event deleted the seeded item id="evt-1" of "events-table", which it did not name"#
    );
    // The guard created the table again, with its stream, and put its seed back.
    let answer = answered(&PY_DROP_BUG, &body("action", "describe"), &[]);
    assert!(answer.contains(stream), "{answer}");
}

/// The same table without seeds: nothing watches its items, the guard only makes it again.
const STREAMED_BARE: &str =
    r#"{"tables":[{"name":"events-table","hash_key":"id","hash_type":"S","stream":true}]}"#;
handler!(
    PY_DROP_BARE,
    Python,
    PY,
    "drop_bug.handler",
    20,
    STREAMED_BARE
);

#[test]
fn a_dropped_table_without_seeds_comes_back_after_the_failure_it_causes() {
    let stream = r#"stream\": true"#;
    let answer = answered(&PY_DROP_BARE, &body("action", "drop"), &[]);
    assert!(answer.contains("dropped"), "{answer}");
    // The next event fails for want of the table; then the guard makes it again.
    let found = finding(&PY_DROP_BARE, &body("action", "describe"), &[]);
    assert!(
        found.starts_with("uncaught ResourceNotFoundException"),
        "{found}"
    );
    let answer = answered(&PY_DROP_BARE, &body("action", "describe"), &[]);
    assert!(answer.contains(stream), "{answer}");
}

const BENCH_PY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/runtime-bench/python"
);
const BENCH_NODE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../examples/runtime-bench/node"
);
handler!(PY_NOOP, Python, BENCH_PY, "noop.handler");
handler!(NODE_NOOP, Node, BENCH_NODE, "noop.handler");

/// Invocations per second of a no-op handler through the Runtime API (BENCHMARKS.md): not a
/// timed test, a measurement, run with `--ignored --nocapture`.
#[test]
#[ignore = "a benchmark: cargo test -p strider-events --test runtime -- --ignored --nocapture"]
fn throughput_of_a_no_op_handler() {
    for handler in [&PY_NOOP, &NODE_NOOP] {
        answered(handler, "{}", &[]);
        let mut rates = Vec::new();
        for _ in 0..5 {
            let start = std::time::Instant::now();
            for _ in 0..500 {
                answered(handler, r#"{"body": "{}"}"#, &[]);
            }
            rates.push(500.0 / start.elapsed().as_secs_f64());
        }
        rates.sort_by(f64::total_cmp);
        println!(
            "{}: median {:.0} invocations/s of 5 runs of 500 ({rates:.0?})",
            handler.function, rates[2]
        );
    }
}
