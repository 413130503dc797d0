//! The Lambda Runtime API, served on loopback: the handler process's runtime interface client
//! asks for the next event (`GET /2018-06-01/runtime/invocation/next`) and answers it
//! (`POST …/invocation/{id}/response` or `…/error`), or reports that it could not start
//! (`POST /2018-06-01/runtime/init/error`). One invocation is in flight at a time, as in Lambda.

use std::io::Read;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use tiny_http::{Header, Method, Request, Response, Server};

/// The API version prefix every path starts with.
const PREFIX: &str = "/2018-06-01/runtime/";

/// The largest response or error body a function may return (Lambda: 6 MB synchronous).
pub const MAX_BODY: u64 = 6 * 1024 * 1024;

/// How long one wait for a request lasts before the process is checked again.
const POLL: Duration = Duration::from_millis(25);

/// How an invocation ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// The handler returned: the response body as it sent it.
    Response(Vec<u8>),
    /// The handler failed: the error document (`errorType`, `errorMessage`, `stackTrace` or
    /// `trace`) and the `Lambda-Runtime-Function-Error-Type` header.
    Error {
        /// The error document, or a string when it was not JSON.
        document: Value,
        /// The error type header, when sent.
        kind: Option<String>,
    },
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq)]
pub enum Stop {
    /// Nothing within the time allowed.
    Timeout,
    /// The process ended: how.
    Exited(String),
    /// The runtime could not load the handler: its error document.
    InitError(Value),
    /// The runtime broke the protocol: what it did.
    Protocol(String),
}

/// A Runtime API endpoint on 127.0.0.1.
pub struct Api {
    server: Server,
    address: String,
    /// The runtime's pending `next` request, answered when an event comes.
    next: Option<Request>,
    invocations: u64,
    /// A random prefix of this API's request ids.
    secret: String,
    function_arn: String,
}

impl Api {
    /// Listens on a free loopback port.
    ///
    /// # Errors
    /// When no port can be bound.
    pub fn start(function: &str) -> Result<Api, String> {
        let server = Server::from_listener(listener()?, None)
            .map_err(|err| format!("cannot serve the Runtime API on loopback: {err}"))?;
        let address = server
            .server_addr()
            .to_ip()
            .map(|a| a.to_string())
            .ok_or("the Runtime API is not on an IP address")?;
        Ok(Api {
            server,
            address,
            next: None,
            invocations: 0,
            secret: random_hex(),
            function_arn: format!(
                "arn:aws:lambda:us-east-1:123456789012:function:{}",
                function
                    .chars()
                    .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                        c
                    } else {
                        '_'
                    })
                    .collect::<String>()
            ),
        })
    }

    /// `host:port`, for `AWS_LAMBDA_RUNTIME_API`.
    #[must_use]
    pub fn address(&self) -> &str {
        &self.address
    }

    /// Forgets the pending request of a process that is gone.
    pub fn reset(&mut self) {
        self.next = None;
    }

    /// Delivers `event` and waits up to `timeout` for its answer. `exited` is asked between
    /// waits and tells when the process has ended.
    ///
    /// # Errors
    /// When no answer came: the handler timed out, its process ended, it could not start, or it
    /// broke the protocol.
    pub fn invoke(
        &mut self,
        event: &[u8],
        start_within: Duration,
        timeout: Duration,
        exited: &mut dyn FnMut() -> Option<String>,
    ) -> Result<Answer, Stop> {
        let asked = Instant::now() + start_within;
        while self.next.is_none() {
            match self.wait(asked, exited)? {
                Incoming::Next(request) => self.next = Some(request),
                Incoming::Answer(id, _) => {
                    return Err(Stop::Protocol(format!(
                        "answered invocation `{id}` before asking for one"
                    )));
                }
            }
        }
        self.invocations += 1;
        // Unguessable by another local user, who could otherwise answer in the handler's place.
        let id = format!("{}-{:08}", self.secret, self.invocations);
        let deadline = SystemTime::now() + timeout;
        let deadline_ms = deadline
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_millis());
        let Some(next) = self.next.take() else {
            return Err(Stop::Protocol("no pending request".to_owned()));
        };
        let mut response = Response::from_data(event.to_vec());
        for (name, value) in [
            ("Content-Type", "application/json"),
            ("Lambda-Runtime-Aws-Request-Id", &id),
            ("Lambda-Runtime-Deadline-Ms", &deadline_ms.to_string()),
            ("Lambda-Runtime-Invoked-Function-Arn", &self.function_arn),
            (
                "Lambda-Runtime-Trace-Id",
                "Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0",
            ),
        ] {
            response.add_header(header(name, value));
        }
        // A runtime that went away leaves a broken connection: the wait below sees it exit.
        let _ = next.respond(response);
        let until = Instant::now() + timeout;
        match self.wait(until, exited)? {
            Incoming::Next(request) => {
                let twice = self.next.replace(request).is_some();
                Err(Stop::Protocol(format!(
                    "asked for the next event without answering `{id}`{}",
                    if twice { " (twice)" } else { "" }
                )))
            }
            Incoming::Answer(answered, answer) if answered == id => Ok(answer),
            Incoming::Answer(other, _) => Err(Stop::Protocol(format!(
                "answered `{other}` while `{id}` was in flight"
            ))),
        }
    }

    /// The next `next` request or answer before `until`, answering what needs no event.
    fn wait(
        &mut self,
        until: Instant,
        exited: &mut dyn FnMut() -> Option<String>,
    ) -> Result<Incoming, Stop> {
        loop {
            let now = Instant::now();
            if now >= until {
                // The process may have ended just now: that says more than a timeout.
                return Err(exited().map_or(Stop::Timeout, Stop::Exited));
            }
            let request = self
                .server
                .recv_timeout(POLL.min(until - now))
                .map_err(|err| Stop::Protocol(format!("the Runtime API failed: {err}")))?;
            let Some(request) = request else {
                if let Some(how) = exited() {
                    return Err(Stop::Exited(how));
                }
                continue;
            };
            if let Some(incoming) = route(request)? {
                return Ok(incoming);
            }
        }
    }
}

/// A loopback listener whose connections send at once (`TCP_NODELAY`, which Linux passes from a
/// listener to the connections it accepts). tiny_http writes a response's head and a large body
/// apart; with Nagle's algorithm the body would wait for the runtime client's delayed
/// acknowledgement, 40 ms an event of more than a kilobyte.
fn listener() -> Result<std::net::TcpListener, String> {
    use socket2::{Domain, Socket, Type};
    let fail = |err: std::io::Error| format!("cannot serve the Runtime API on loopback: {err}");
    let socket = Socket::new(Domain::IPV4, Type::STREAM, None).map_err(fail)?;
    socket.set_tcp_nodelay(true).map_err(fail)?;
    let address: std::net::SocketAddr = ([127, 0, 0, 1], 0).into();
    socket.bind(&address.into()).map_err(fail)?;
    socket.listen(16).map_err(fail)?;
    Ok(socket.into())
}

/// 128 random bits as hex, from the standard library's randomly keyed hasher (no crate needed
/// for an id).
fn random_hex() -> String {
    use std::hash::{BuildHasher, Hasher};
    let half = || {
        let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
        hasher.write_u128(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        hasher.finish()
    };
    format!("{:016x}{:016x}", half(), half())
}

/// What a request to the API was.
enum Incoming {
    Next(Request),
    Answer(String, Answer),
}

/// Reads a request: a `next`, an answer, an init error (a [`Stop`]) or nothing of interest
/// (answered here).
fn route(mut request: Request) -> Result<Option<Incoming>, Stop> {
    let path = request
        .url()
        .split('?')
        .next()
        .unwrap_or_default()
        .to_owned();
    let Some(rest) = path.strip_prefix(PREFIX) else {
        let _ = request.respond(Response::empty(404));
        return Ok(None);
    };
    let method = request.method().clone();
    if rest == "invocation/next" && method == Method::Get {
        return Ok(Some(Incoming::Next(request)));
    }
    if method != Method::Post {
        let _ = request.respond(Response::empty(405));
        return Ok(None);
    }
    let mut body = Vec::new();
    let read = request
        .as_reader()
        .take(MAX_BODY + 1)
        .read_to_end(&mut body);
    if read.is_err() || body.len() as u64 > MAX_BODY {
        let _ = request.respond(Response::from_string("body too large").with_status_code(413));
        return Ok(None);
    }
    let kind = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Lambda-Runtime-Function-Error-Type"))
        .map(|h| h.value.to_string());
    let accepted = || {
        Response::from_string("{\"status\":\"OK\"}")
            .with_status_code(202)
            .with_header(header("Content-Type", "application/json"))
    };
    if rest == "init/error" {
        let _ = request.respond(accepted());
        return Err(Stop::InitError(document(&body)));
    }
    let Some((id, verb)) = rest
        .strip_prefix("invocation/")
        .and_then(|r| r.rsplit_once('/'))
    else {
        let _ = request.respond(Response::empty(404));
        return Ok(None);
    };
    let answer = match verb {
        "response" => Answer::Response(body),
        "error" => Answer::Error {
            document: document(&body),
            kind,
        },
        _ => {
            let _ = request.respond(Response::empty(404));
            return Ok(None);
        }
    };
    let id = id.to_owned();
    let _ = request.respond(accepted());
    Ok(Some(Incoming::Answer(id, answer)))
}

/// An error document: JSON when it is, else its text.
fn document(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(body).into_owned()))
}

/// A header of this module's own ASCII text (the function's name is made ASCII by
/// [`Api::start`]).
fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|()| panic!("strider runtime: a header that is not ASCII: {name}"))
}
