//! What a failed run of a fuzz target says, and what makes two failures the same bug: a panic
//! by its place (`file:line:col` of `panicked at`), an oracle's verdict by its words (quoted
//! values, numbers and details masked) and the event field its payload came back from, a
//! sanitizer report by its kind and top frame outside the runtimes, and timeouts and
//! out-of-memory as one bug each.

use std::path::Path;

use serde_json::Value;
use strider_events::runtime::known;

/// A failure of the target, read from what it wrote to stderr.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// `crash` (a panic or a sanitizer report), `oracle` (a wrong answer), `timeout` or `oom`:
    /// the kinds findings use.
    pub kind: &'static str,
    /// Where: the panic's `file:line:col`, a sanitizer report's top frame, the event field an
    /// oracle's payload came back from; empty when the kind says it all.
    pub place: String,
    /// What went wrong, on one line.
    pub message: String,
    /// What makes two failures one bug.
    pub signature: String,
}

/// The longest message kept.
const MAX_MESSAGE: usize = 300;
/// The most lines of a panic message kept.
const MAX_MESSAGE_LINES: usize = 8;

/// Whether `line` starts a failure report (a panic, a sanitizer or a libFuzzer error): what the
/// target wrote before it is the handler's own output.
#[must_use]
pub fn is_start(line: &str) -> bool {
    line.contains(" panicked at ")
        || line.contains("has overflowed its stack")
        || line.starts_with("memory allocation of ")
        || line.starts_with("ALARM: working on the last Unit")
        || sanitizer_error(line).is_some()
        || line.contains("ERROR: libFuzzer: ")
}

/// Reads a failure from the target's stderr; paths inside `root` are shown relative to it.
#[must_use]
pub fn read(stderr: &str, root: &Path) -> Failure {
    let lines: Vec<&str> = stderr.lines().collect();
    if let Some(i) = lines.iter().position(|l| l.contains(" panicked at ")) {
        let message = panic_message(&lines[i + 1..]);
        if let Some(verdict) = message.strip_prefix(strider_events::oracle::PREFIX) {
            let verdict = verdict.trim().to_owned();
            // The first line says what was found; lines after it (a handler's last output) vary
            // with every input and stay out of the signature.
            let first = verdict.lines().next().unwrap_or_default();
            // An uncaught exception of a handler in its own runtime is one bug per type and
            // place, whatever its message says of the input.
            if let Some(head) = known::uncaught(first) {
                let place = head.split_once(" at ").map_or("", |(_, at)| at).to_owned();
                return Failure {
                    kind: "oracle",
                    place,
                    signature: known::signature(head),
                    message: verdict,
                };
            }
            return Failure {
                kind: "oracle",
                place: String::new(),
                signature: format!("oracle: {}", mask(first)),
                message: verdict,
            };
        }
        let place = lines[i]
            .split(" panicked at ")
            .nth(1)
            .unwrap_or_default()
            .trim()
            .trim_end_matches(':');
        let place = shorten(place, root);
        return Failure {
            kind: "crash",
            signature: format!("panic at {place}"),
            message: format!("panic at {place}: {message}"),
            place,
        };
    }
    if lines.iter().any(|l| l.contains("has overflowed its stack")) {
        return simple(
            "crash",
            "stack overflow",
            "the handler overflowed its stack",
        );
    }
    if let Some((i, (tool, what))) = lines
        .iter()
        .enumerate()
        .find_map(|(i, l)| sanitizer_error(l).map(|e| (i, e)))
    {
        let frame = top_frame(&lines[i + 1..], root).unwrap_or_default();
        let kind = mask(&what);
        let place = frame.clone();
        let at = if frame.is_empty() {
            String::new()
        } else {
            format!(" in {frame}")
        };
        return Failure {
            kind: "crash",
            place,
            signature: format!("{tool}: {kind}{at}"),
            message: cut(&format!("{tool}: {what}{at}")),
        };
    }
    let error = lines
        .iter()
        .find_map(|l| l.split_once("ERROR: libFuzzer: ").map(|(_, e)| e.trim()));
    match error {
        Some(e) if e.starts_with("timeout") => simple("timeout", "timeout", e),
        Some(e) if e.starts_with("out-of-memory") => simple("oom", "oom", e),
        _ => {
            if let Some(line) = lines
                .iter()
                .find(|l| l.starts_with("memory allocation of "))
            {
                return simple("oom", "oom", line.trim());
            }
            let e = error.unwrap_or("the target crashed");
            Failure {
                kind: "crash",
                place: String::new(),
                signature: format!("libFuzzer: {}", mask(e)),
                message: cut(e),
            }
        }
    }
}

fn simple(kind: &'static str, signature: &str, message: &str) -> Failure {
    Failure {
        kind,
        place: String::new(),
        signature: signature.to_owned(),
        message: cut(message),
    }
}

impl Failure {
    /// An oracle failure with the event field its verdict's payload came back from (see
    /// [`oracle_field`]), which becomes part of its signature.
    #[must_use]
    pub fn with_field(mut self, field: Option<String>) -> Self {
        if let (Some(field), "oracle") = (field, self.kind) {
            self.signature = format!("{} [{field}]", self.signature);
            self.place = field;
        }
        self
    }
}

/// The lines after `panicked at`, up to rustc's note or libFuzzer's report, on one line.
fn panic_message(lines: &[&str]) -> String {
    let text: Vec<&str> = lines
        .iter()
        .take_while(|l| {
            !l.starts_with("note: ") && !l.starts_with("==") && !l.starts_with("stack backtrace:")
        })
        .take(MAX_MESSAGE_LINES)
        .map(|l| l.trim())
        .collect();
    cut(&text.join(" "))
}

fn cut(text: &str) -> String {
    text.chars().take(MAX_MESSAGE).collect()
}

/// `(tool, what)` of a sanitizer's error line, `==12==ERROR: AddressSanitizer: SEGV on unknown
/// address 0x0 (pc …)` → `("AddressSanitizer", "SEGV")`.
fn sanitizer_error(line: &str) -> Option<(String, String)> {
    let rest = line.trim_start().strip_prefix("==")?;
    let (_, rest) = rest.split_once("==")?;
    let rest = rest.trim_start().strip_prefix("ERROR: ")?;
    let (tool, what) = rest.split_once(": ")?;
    if !tool.ends_with("Sanitizer") || tool.contains(' ') {
        return None;
    }
    let end = [" on ", " at ", " (", ": "]
        .iter()
        .filter_map(|s| what.find(s))
        .min()
        .unwrap_or(what.len());
    Some((tool.to_owned(), what[..end].trim().to_owned()))
}

/// The first frame of a sanitizer's stack trace outside the sanitizer runtime and Rust's
/// standard library: `function file:line:col`.
fn top_frame(lines: &[&str], root: &Path) -> Option<String> {
    lines
        .iter()
        .take(200)
        .filter_map(|l| {
            let l = l.trim_start().strip_prefix('#')?;
            let (number, rest) = l.split_once(' ')?;
            number.parse::<u32>().ok()?;
            let (_, frame) = rest.split_once(" in ")?;
            Some(frame.trim())
        })
        .find(|frame| {
            let runtime = [
                "__asan",
                "__lsan",
                "__msan",
                "__tsan",
                "__ubsan",
                "__sanitizer",
                "__interceptor",
                "compiler-rt/",
                "/rustc/",
                "libfuzzer-sys",
            ];
            !runtime.iter().any(|r| frame.contains(r))
        })
        .map(|frame| {
            let (function, place) = frame.split_once(' ').unwrap_or((frame, ""));
            let function = strip_hash(function);
            let place = shorten(place.trim(), root);
            if place.is_empty() {
                function.to_owned()
            } else {
                format!("{function} {place}")
            }
        })
}

/// A Rust symbol without its `::h0123456789abcdef` hash.
fn strip_hash(function: &str) -> &str {
    match function.rsplit_once("::h") {
        Some((name, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            name
        }
        _ => function,
    }
}

/// A source path as findings show it: relative to `root` when inside it, from the crate's
/// directory for a dependency in cargo's registry (`lambda_http-1.3.2/src/request.rs:…`), from
/// `library/` for Rust's standard library.
#[must_use]
pub fn shorten(place: &str, root: &Path) -> String {
    let root = format!("{}/", root.display());
    if let Some(rest) = place.strip_prefix(&root) {
        return rest.to_owned();
    }
    if let Some((_, rest)) = place.split_once("/registry/src/")
        && let Some((_, in_crate)) = rest.split_once('/')
    {
        return in_crate.to_owned();
    }
    if let Some(rest) = place.strip_prefix("/rustc/")
        && let Some((_, in_library)) = rest.split_once('/')
    {
        return in_library.to_owned();
    }
    place.to_owned()
}

/// The words of a message without what changes from one input to the next: quoted values,
/// parenthesised details and numbers masked, JSON cut.
#[must_use]
pub fn mask(message: &str) -> String {
    let mut out = String::new();
    let mut chars = message.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let mut escaped = false;
                for q in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if q == '\\' {
                        escaped = true;
                    } else if q == '"' {
                        break;
                    }
                }
                out.push_str("\"…\"");
            }
            '(' => {
                let mut depth = 1;
                for q in chars.by_ref() {
                    match q {
                        '(' => depth += 1,
                        ')' => depth -= 1,
                        _ => {}
                    }
                    if depth == 0 {
                        break;
                    }
                }
                out.push_str("(…)");
            }
            '{' | '[' => {
                out.push('…');
                break;
            }
            d if d.is_ascii_digit() => {
                while chars.peek().is_some_and(char::is_ascii_hexdigit)
                    || chars.peek() == Some(&'x')
                {
                    chars.next();
                }
                out.push('#');
            }
            c => out.push(c),
        }
        if out.len() > MAX_MESSAGE {
            break;
        }
    }
    cut(out.trim())
}

/// Event fields whose keys are names the event chose (and the generator may have read from the
/// input), not fixed field names: a signature says `headers.*`, whatever the header.
const NAME_MAPS: &[&str] = &[
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "headers",
    "multiValueHeaders",
    "stageVariables",
    "messageAttributes",
    "MessageAttributes",
    "NewImage",
    "OldImage",
    "Keys",
    "userAttributes",
    "clientMetadata",
];

/// The event field an oracle's verdict quotes a payload from: the first string of `event` (keys
/// in order, array positions as `[]`) holding a payload of `injected` that the verdict names.
/// Keys of [`NAME_MAPS`] show as `*`.
#[must_use]
pub fn oracle_field(verdict: &str, event: &Value, injected: &[String]) -> Option<String> {
    let payload = injected
        .iter()
        .find(|p| !p.is_empty() && verdict.contains(&format!("{p:?}")))?;
    let mut stack: Vec<(String, &Value)> = vec![(String::new(), event)];
    let mut visited = 0;
    while let Some((path, value)) = stack.pop() {
        visited += 1;
        if visited > 100_000 {
            return None;
        }
        match value {
            Value::String(s) if s.contains(payload.as_str()) => {
                return Some(if path.is_empty() {
                    "event".to_owned()
                } else {
                    path
                });
            }
            Value::Array(items) => {
                stack.extend(items.iter().rev().map(|v| (format!("{path}[]"), v)));
            }
            Value::Object(map) => {
                // The keys of a map of names (query parameters, headers, attributes) are the
                // generator's choice, often bytes of the input: one bug per map, not per name.
                let named = NAME_MAPS.contains(&path.rsplit('.').next().unwrap_or(""));
                let fields: Vec<_> = map
                    .iter()
                    .map(|(k, v)| {
                        let k = if named { "*" } else { k.as_str() };
                        let path = if path.is_empty() {
                            k.to_owned()
                        } else {
                            format!("{path}.{k}")
                        };
                        (path, v)
                    })
                    .collect();
                stack.extend(fields.into_iter().rev());
            }
            _ => {}
        }
    }
    None
}

/// The signature of a finding written before findings had one, from its kind and message.
#[must_use]
pub fn legacy_signature(kind: &str, message: &str) -> Option<String> {
    match kind {
        "crash" => {
            let rest = message.strip_prefix("panic at ")?;
            // `file:line:col: message`: the place ends after the column.
            let mut colons = rest.match_indices(':').map(|(i, _)| i);
            let end = loop {
                let i = colons.next()?;
                let after = &rest[i + 1..];
                let line_col = after.split(':').take(2).collect::<Vec<_>>();
                if line_col.len() == 2
                    && line_col
                        .iter()
                        .all(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                {
                    break i + 1 + line_col[0].len() + 1 + line_col[1].len();
                }
            };
            Some(format!("panic at {}", &rest[..end]))
        }
        "oracle" => Some(format!("oracle: {}", mask(message))),
        "timeout" | "oom" => Some(kind.to_owned()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Output of the fuzz binary of `tests/fixtures/fuzz/campaign` (the checkout's path
    /// replaced by `/home/dev/shop`; `timeout`, `oom` and `asan` (an out-of-bounds read, built
    /// with `--sanitizer address`) from a variant of its handler); `oracle-composed.txt` is
    /// `panic-divide.txt` with the oracle's panic in place of the handler's.
    fn sample(name: &str) -> &'static str {
        match name {
            "panic-divide" => {
                include_str!("../../../tests/fixtures/fuzz/libfuzzer/panic-divide.txt")
            }
            "panic-assert" => {
                include_str!("../../../tests/fixtures/fuzz/libfuzzer/panic-assert.txt")
            }
            "timeout" => include_str!("../../../tests/fixtures/fuzz/libfuzzer/timeout.txt"),
            "oom" => include_str!("../../../tests/fixtures/fuzz/libfuzzer/oom.txt"),
            "oracle" => include_str!("../../../tests/fixtures/fuzz/libfuzzer/oracle-composed.txt"),
            "asan" => include_str!("../../../tests/fixtures/fuzz/libfuzzer/asan.txt"),
            _ => unreachable!(),
        }
    }

    /// The report as `fuzz run` keeps it: from the first line that starts a failure.
    fn report(name: &str) -> String {
        let lines: Vec<&str> = sample(name).lines().collect();
        let start = lines.iter().position(|l| is_start(l)).unwrap();
        lines[start..].join("\n")
    }

    const ROOT: &str = "/home/dev/shop";

    #[test]
    fn a_panic_is_known_by_its_place() {
        let divide = read(&report("panic-divide"), Path::new(ROOT));
        assert_eq!(
            divide,
            Failure {
                kind: "crash",
                place: "tests/fixtures/fuzz/campaign/handlers/src/lib.rs:17:23".into(),
                message: "panic at tests/fixtures/fuzz/campaign/handlers/src/lib.rs:17:23: attempt to divide by zero".into(),
                signature: "panic at tests/fixtures/fuzz/campaign/handlers/src/lib.rs:17:23".into(),
            }
        );
        let assert = read(&report("panic-assert"), Path::new(ROOT));
        assert_eq!(
            assert.signature,
            "panic at tests/fixtures/fuzz/campaign/handlers/src/lib.rs:15:9"
        );
        assert!(
            assert
                .message
                .ends_with(": the key leaves the import directory")
        );
        // The same place with another message (another index, another value) is the same bug.
        let other = report("panic-assert").replace(
            "the key leaves the import directory",
            "index out of bounds: the len is 3 but the index is 7",
        );
        assert_eq!(read(&other, Path::new(ROOT)).signature, assert.signature);
        // Outside the repository the path stays whole.
        assert!(
            read(&report("panic-assert"), Path::new("/elsewhere"))
                .place
                .starts_with("/home/dev/shop/tests/")
        );
    }

    #[test]
    fn the_report_starts_at_the_panic_not_at_libfuzzers_banner() {
        let lines: Vec<&str> = sample("panic-divide").lines().collect();
        let starts: Vec<&str> = lines.iter().copied().filter(|l| is_start(l)).collect();
        assert!(starts[0].starts_with("thread '<unnamed>' (16868) panicked at "));
        assert!(starts[1].contains("ERROR: libFuzzer: deadly signal"));
        assert_eq!(starts.len(), 2, "{starts:?}");
        assert!(is_start("ALARM: working on the last Unit for 2 seconds"));
    }

    #[test]
    fn timeouts_and_out_of_memory_are_one_bug_each() {
        let timeout = read(&report("timeout"), Path::new(ROOT));
        assert_eq!(
            (timeout.kind, timeout.signature.as_str()),
            ("timeout", "timeout")
        );
        assert_eq!(timeout.message, "timeout after 2 seconds");
        let oom = read(&report("oom"), Path::new(ROOT));
        assert_eq!((oom.kind, oom.signature.as_str()), ("oom", "oom"));
        assert!(oom.message.starts_with("out-of-memory (used: 1081Mb"));
        let rust = read(
            "memory allocation of 2147483648 bytes failed\n==7== ERROR: libFuzzer: deadly signal",
            Path::new(ROOT),
        );
        assert_eq!((rust.kind, rust.signature.as_str()), ("oom", "oom"));
    }

    #[test]
    fn an_oracle_is_known_by_its_verdict_and_the_field_its_payload_came_back_from() {
        let oracle = read(&report("oracle"), Path::new(ROOT));
        assert_eq!(oracle.kind, "oracle");
        assert_eq!(
            oracle.message,
            "the response echoes the injected payload \"<img src=x onerror=alert(1)>\" unescaped"
        );
        assert_eq!(
            oracle.signature,
            "oracle: the response echoes the injected payload \"…\" unescaped"
        );
        let payload = "<img src=x onerror=alert(1)>".to_owned();
        let event = serde_json::json!({
            "headers": {"accept": "text/html"},
            "queryStringParameters": {"q": format!("shoes{payload}")},
            "Records": [{"body": "x"}],
        });
        let field = oracle_field(&oracle.message, &event, std::slice::from_ref(&payload));
        assert_eq!(field.as_deref(), Some("queryStringParameters.*"));
        // Another parameter, of any name, is the same bug.
        let renamed = serde_json::json!({"queryStringParameters": {"x\u{7f}zz": payload.clone()}});
        assert_eq!(
            oracle_field(&oracle.message, &renamed, std::slice::from_ref(&payload)),
            field
        );
        let in_query = oracle.clone().with_field(field);
        assert_eq!(
            in_query.signature,
            "oracle: the response echoes the injected payload \"…\" unescaped [queryStringParameters.*]"
        );
        assert_eq!(in_query.place, "queryStringParameters.*");
        let records = serde_json::json!({"Records": [{"body": "a"}, {"body": payload.clone()}]});
        let in_body = oracle_field(&oracle.message, &records, std::slice::from_ref(&payload));
        assert_eq!(in_body.as_deref(), Some("Records[].body"));
        assert_ne!(
            oracle.clone().with_field(in_body).signature,
            in_query.signature
        );
        // A payload the verdict does not name, or no payload, gives no field.
        assert_eq!(oracle_field(&oracle.message, &event, &["<b>".into()]), None);
        assert_eq!(oracle_field("HTTP 502 response", &event, &[payload]), None);
        // Numbers, quoted values, details and JSON vary with the input, not with the bug.
        assert_eq!(
            mask("HTTP 503 response to a client's request"),
            mask("HTTP 500 response to a client's request")
        );
        assert_eq!(
            mask("the handler failed (order \"a(1)\" unknown), so the caller gets HTTP 502"),
            "the handler failed (…), so the caller gets HTTP #"
        );
        assert_eq!(
            mask("malformed proxy response without statusCode: {\"a\": 1}"),
            "malformed proxy response without statusCode: …"
        );
        assert_eq!(
            mask("the response names the secret `DB_PASSWORD`"),
            "the response names the secret `DB_PASSWORD`"
        );
    }

    #[test]
    fn a_sanitizer_report_is_known_by_its_kind_and_top_frame() {
        let asan = read(&report("asan"), Path::new(ROOT));
        assert_eq!(asan.kind, "crash");
        assert_eq!(
            asan.signature,
            "AddressSanitizer: heap-buffer-overflow in campaign_handlers::import target/tmp/probe-handlers/src/lib.rs:24:30"
        );
        assert_eq!(
            asan.place,
            "campaign_handlers::import target/tmp/probe-handlers/src/lib.rs:24:30"
        );
        let other_address = report("asan").replace("0x", "0x1");
        assert_eq!(
            read(&other_address, Path::new(ROOT)).signature,
            asan.signature
        );
        let segv = read(
            "==9==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x55 bp 0x7f sp 0x7f T0)\n\
             ==9==The signal is caused by a READ memory access.\n    \
             #0 0x55d0 in __asan_memcpy /rustc/llvm/compiler-rt/lib/asan/asan_interceptors_memintrinsics.cpp:63:3\n    \
             #1 0x55d1 in core::ptr::copy::h0123456789abcdef /rustc/abc/library/core/src/ptr/mod.rs:1:1\n    \
             #2 0x55d2 in handlers::parse::h0123456789abcdef /home/dev/shop/handlers/src/lib.rs:9:5\n",
            Path::new(ROOT),
        );
        assert_eq!(
            segv.signature,
            "AddressSanitizer: SEGV in handlers::parse handlers/src/lib.rs:9:5"
        );
    }

    #[test]
    fn paths_are_shown_from_the_repository_the_crate_or_rusts_library() {
        let root = Path::new(ROOT);
        assert_eq!(shorten("/home/dev/shop/src/a.rs:1:2", root), "src/a.rs:1:2");
        assert_eq!(
            shorten(
                "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/lambda_http-1.3.2/src/request.rs:95:53",
                root
            ),
            "lambda_http-1.3.2/src/request.rs:95:53"
        );
        assert_eq!(
            shorten(
                "/rustc/17067e9ac6d7e98f18d4a4b4d4a8e4b1/library/core/src/str/mod.rs:8:9",
                root
            ),
            "library/core/src/str/mod.rs:8:9"
        );
        assert_eq!(shorten("src/lib.rs:1:1", root), "src/lib.rs:1:1");
    }

    #[test]
    fn findings_without_a_signature_get_one_from_their_message() {
        assert_eq!(
            legacy_signature(
                "crash",
                "panic at src/process_upload.rs:56:14: key <script>alert('message')</script> escapes: 1:2"
            )
            .as_deref(),
            Some("panic at src/process_upload.rs:56:14")
        );
        assert_eq!(
            legacy_signature("crash", "panic at C:\\src\\a.rs:5:1: x").as_deref(),
            Some("panic at C:\\src\\a.rs:5:1")
        );
        assert_eq!(legacy_signature("crash", "the target crashed"), None);
        assert_eq!(legacy_signature("timeout", "x").as_deref(), Some("timeout"));
        assert_eq!(
            legacy_signature("oracle", "HTTP 502 response").as_deref(),
            Some("oracle: HTTP # response")
        );
        // A finding written now has the signature the live output gives.
        let live = read(&report("panic-divide"), Path::new(ROOT));
        assert_eq!(
            legacy_signature(live.kind, &live.message).as_deref(),
            Some(live.signature.as_str())
        );
    }
}
