//! Handlers in their own runtimes. A generated target for a Python or Node.js function turns
//! each input into the trigger's event (with the same generators as for Rust handlers) and
//! delivers it to a long-lived handler process through the Lambda Runtime API ([`api`]) served
//! on loopback. The process is started the way Lambda starts it ([`process`]): Python through
//! the official runtime interface client (awslambdaric), Node.js through strider's own client of
//! the same protocol. AWS is a moto server provisioned from the model ([`moto`]); the canaries
//! ([`canary`]) turn quiet injections into findings, changes to seeded data another caller owns
//! or the event did not name are data tampering ([`tamper`]), and Python's coverage of the
//! handler's own code reaches libFuzzer ([`coverage`]).
//!
//! [`invoke`] panics with a `strider oracle:` message on a finding, like every oracle; a setup
//! problem (no interpreter, moto not starting, a handler that cannot load) panics with
//! `strider runtime:`, which `strider fuzz run` reports as an error rather than a finding.

pub mod api;
pub mod canary;
pub mod coverage;
pub mod known;
pub mod moto;
pub mod process;
pub mod tamper;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use serde_json::Value;

use crate::oracle::PREFIX;

/// The prefix of a setup failure's panic.
pub const SETUP: &str = "strider runtime:";

/// The runtime scripts, written into each run's directory.
const BOOT_PY: &str = include_str!("../../runtime/python/strider_boot.py");
const PROVISION_PY: &str = include_str!("../../runtime/python/strider_provision.py");
const BOOTSTRAP_JS: &str = include_str!("../../runtime/node/strider_bootstrap.cjs");

/// A handler's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Language {
    /// CPython (`python3.x`), through awslambdaric.
    Python,
    /// Node.js (`nodejs1x.x`, `nodejs2x.x`), through strider's runtime interface client.
    Node,
}

impl Language {
    /// The language of a Lambda runtime name, if it can be run.
    #[must_use]
    pub fn of(runtime: &str) -> Option<Language> {
        let runtime = runtime.trim().to_ascii_lowercase();
        if runtime.starts_with("python3") {
            Some(Language::Python)
        } else if runtime.starts_with("nodejs") {
            Some(Language::Node)
        } else {
            None
        }
    }

    /// Its name for people.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Language::Python => "Python",
            Language::Node => "Node.js",
        }
    }
}

/// What the model says about a handler in its own runtime. Generated targets declare one as a
/// `static`.
#[derive(Debug)]
pub struct Handler {
    /// The function's id in the model.
    pub function: &'static str,
    /// Its language.
    pub language: Language,
    /// The runtime the model names (`python3.12`, `nodejs22.x`).
    pub runtime: &'static str,
    /// The code directory (absolute).
    pub code: &'static str,
    /// The handler as Lambda names it (`app.handler`, `src/order.handler`).
    pub handler: &'static str,
    /// Environment: the model's `env` and `fuzz.env`.
    pub env: &'static [(&'static str, &'static str)],
    /// Seconds an invocation may take.
    pub timeout_s: u32,
    /// Memory the function has, in MB.
    pub memory_mb: u32,
    /// The emulated AWS resources to create (the provisioning script's JSON), empty for none.
    pub resources: &'static str,
    /// The directory of the crate's runtime state: its Python virtualenv (`venv/`) and runs.
    pub state: &'static str,
}

impl Handler {
    /// The Python interpreter of the virtualenv `strider fuzz run` prepares (`STRIDER_PYTHON`
    /// overrides it).
    #[must_use]
    pub fn python(&self) -> PathBuf {
        std::env::var_os("STRIDER_PYTHON").map_or_else(
            || Path::new(self.state).join("venv/bin/python"),
            PathBuf::from,
        )
    }
}

/// Dummy credentials and the emulator's endpoint: whatever a handler's SDK does, it signs with
/// keys that exist nowhere and sends to loopback.
#[must_use]
pub fn aws_env(endpoint: &str) -> Vec<(&'static str, String)> {
    vec![
        ("AWS_ENDPOINT_URL", endpoint.to_owned()),
        ("AWS_ACCESS_KEY_ID", "AKIASTRIDERFUZZING00".to_owned()),
        (
            "AWS_SECRET_ACCESS_KEY",
            "strider-fuzzing-not-a-secret".to_owned(),
        ),
        ("AWS_SESSION_TOKEN", "strider-fuzzing".to_owned()),
        ("AWS_REGION", "us-east-1".to_owned()),
        ("AWS_DEFAULT_REGION", "us-east-1".to_owned()),
        // Older SDKs that ignore AWS_ENDPOINT_URL still find no credentials anywhere else, and
        // the egress guard refuses their connections.
        ("AWS_EC2_METADATA_DISABLED", "true".to_owned()),
        ("AWS_SHARED_CREDENTIALS_FILE", "/dev/null".to_owned()),
        ("AWS_CONFIG_FILE", "/dev/null".to_owned()),
    ]
}

/// How one delivery ended.
#[derive(Debug)]
pub enum Outcome {
    /// The handler answered: its response body.
    Answered(Vec<u8>),
    /// A finding: what the oracle says.
    Finding(String),
}

/// One handler process with its Runtime API, emulator and canaries, kept for the whole run.
struct Session {
    api: api::Api,
    process: Option<process::Process>,
    canaries: canary::Canaries,
    coverage: Option<coverage::Coverage>,
    moto: Option<moto::Moto>,
    endpoint: String,
    dir: PathBuf,
    scripts: PathBuf,
    /// The code directory, links resolved (as stack traces name its files).
    code: PathBuf,
}

/// The sessions of this process, by handler (a fuzz target has one; tests have several).
static SESSIONS: Mutex<Vec<(usize, Session)>> = Mutex::new(Vec::new());

/// Delivers `event` (its JSON text) to the handler and returns its answer, or panics with the oracle's
/// message on a finding (an uncaught exception, a timeout, a crash, memory beyond the function's,
/// a canary that fired). `injected` are the payloads the event carries. `None` when the event
/// raised an exception the campaign already knows ([`known`]): counted, nothing to judge.
///
/// # Panics
/// On a finding (`strider oracle:`) or when the runtime cannot be set up (`strider runtime:`).
#[must_use]
pub fn invoke(handler: &'static Handler, event: &str, injected: &[String]) -> Option<Vec<u8>> {
    match deliver(handler, event, injected) {
        Ok(Outcome::Answered(body)) => {
            known::answered();
            Some(body)
        }
        Ok(Outcome::Finding(message)) => {
            let listed = std::env::var_os(known::ENV).map(PathBuf::from);
            if let Some(signature) = known::again(&message, listed.as_deref())
                && known::go_on()
            {
                eprintln!("{} {signature}", known::AGAIN);
                return None;
            }
            panic!("{PREFIX} {message}")
        }
        Err(problem) => panic!("{SETUP} {problem}"),
    }
}

/// [`invoke`] without the panics: the outcome, or what kept the runtime from starting.
///
/// # Errors
/// When the runtime cannot be set up.
pub fn deliver(
    handler: &'static Handler,
    event: &str,
    injected: &[String],
) -> Result<Outcome, String> {
    let key = std::ptr::from_ref(handler) as usize;
    let mut sessions = SESSIONS.lock().unwrap_or_else(PoisonError::into_inner);
    let index = if let Some(index) = sessions.iter().position(|(k, _)| *k == key) {
        index
    } else {
        sessions.push((key, Session::start(handler)?));
        sessions.len() - 1
    };
    sessions[index].1.deliver(handler, event, injected)
}

/// The fuzz input as the generator should read it. libFuzzer learns from coverage; a handler it
/// gets none from (Node.js, or Python with `STRIDER_NO_COVERAGE`) gives it nothing to keep, so
/// its corpus stays at one input (the realistic seed, a zero byte) and every event would be a
/// small mutation of that: a few bytes, nearly the realistic event. For such a handler the
/// input's bytes are spread: replaced by at least [`SPREAD_BYTES`] pseudo-random bytes seeded
/// from all of them, so each mutation is an independent event (random testing, which is what
/// black-box fuzzing can do), still the same event for the same input. Inputs of zero bytes
/// only (the realistic seed) are left as they are. `None`: read the input as it is.
#[must_use]
pub fn spread(handler: &Handler, data: &[u8]) -> Option<Vec<u8>> {
    if covered(handler) || data.iter().all(|&b| b == 0) {
        return None;
    }
    let mut hasher = std::hash::DefaultHasher::new();
    std::hash::Hash::hash(data, &mut hasher);
    // xorshift64*: the seed never 0.
    let mut state = std::hash::Hasher::finish(&hasher) | 1;
    Some(
        (0..data.len().max(SPREAD_BYTES))
            .map(|_| {
                state ^= state >> 12;
                state ^= state << 25;
                state ^= state >> 27;
                (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
            })
            .collect(),
    )
}

/// The fewest bytes a spread input has: enough choices for an event with a body of several
/// fields (a generator reads one to three bytes a choice).
pub const SPREAD_BYTES: usize = 1024;

/// Whether the handler's coverage reaches libFuzzer: Python's, in a crate built with extra
/// counters, unless `STRIDER_NO_COVERAGE` runs it black-box (to measure what coverage brings).
fn covered(handler: &Handler) -> bool {
    static NO_COVERAGE: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    handler.language == Language::Python
        && cfg!(feature = "extra-counters")
        && !*NO_COVERAGE.get_or_init(|| std::env::var_os("STRIDER_NO_COVERAGE").is_some())
}

/// A handler's answer as JSON (`null` when it is not JSON), for the HTTP and batch oracles.
#[must_use]
pub fn json(answer: &[u8]) -> Value {
    serde_json::from_slice(answer).unwrap_or(Value::Null)
}

impl Session {
    fn start(handler: &Handler) -> Result<Session, String> {
        static STARTED: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let runs = Path::new(handler.state).join("runs");
        sweep(&runs);
        let n = STARTED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = runs.join(format!("{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .map_err(|err| format!("cannot create {}: {err}", dir.display()))?;
        // Links resolved: the runtimes report the canary file's path resolved, and it must be
        // recognised (and put back as its marker) in their words.
        let dir = std::fs::canonicalize(&dir)
            .map_err(|err| format!("cannot resolve {}: {err}", dir.display()))?;
        let scripts = dir.join("runtime");
        std::fs::create_dir_all(&scripts)
            .map_err(|err| format!("cannot create {}: {err}", scripts.display()))?;
        for (name, text) in [
            ("strider_boot.py", BOOT_PY),
            ("strider_provision.py", PROVISION_PY),
            ("strider_bootstrap.cjs", BOOTSTRAP_JS),
        ] {
            let path = scripts.join(name);
            std::fs::write(&path, text)
                .map_err(|err| format!("cannot write {}: {err}", path.display()))?;
        }
        let code = std::fs::canonicalize(handler.code)
            .map_err(|err| format!("the code directory {}: {err}", handler.code))?;
        let canaries = canary::Canaries::new(&dir)?;
        let python = handler.python();
        let needs_python = handler.language == Language::Python || !handler.resources.is_empty();
        if needs_python && !python.is_file() {
            return Err(format!(
                "no Python virtualenv at {}: run the campaign with `strider fuzz run`, which prepares it (or set STRIDER_PYTHON to a Python with awslambdaric and moto[server])",
                python.display()
            ));
        }
        let moto = if handler.resources.is_empty() {
            None
        } else {
            Some(moto::Moto::start(
                &python,
                handler.resources,
                &dir,
                &scripts.join("strider_provision.py"),
            )?)
        };
        // Without resources there is no emulator: the endpoint is a closed loopback port, so an
        // SDK call fails fast rather than leaving the machine.
        let endpoint = moto.as_ref().map_or_else(
            || "http://127.0.0.1:9".to_owned(),
            |m| m.endpoint().to_owned(),
        );
        let coverage = if covered(handler) {
            Some(coverage::Coverage::create(&dir.join("coverage"))?)
        } else {
            None
        };
        Ok(Session {
            api: api::Api::start(handler.function)?,
            process: None,
            canaries,
            coverage,
            moto,
            endpoint,
            dir,
            scripts,
            code,
        })
    }

    /// The ports of the Runtime API, the emulator and the canary listener, comma-separated.
    fn loopback_ports(&self) -> String {
        // The endpoint names a port even without an emulator (nothing listens there then).
        let endpoint = self.moto.is_some().then_some(self.endpoint.as_str());
        [
            Some(self.api.address()),
            endpoint,
            Some(self.canaries.listener()),
        ]
        .into_iter()
        .flatten()
        .filter_map(|address| address.rsplit_once(':'))
        .filter(|(_, port)| port.parse::<u16>().is_ok())
        .map(|(_, port)| port)
        .collect::<Vec<_>>()
        .join(",")
    }

    fn command(&self, handler: &Handler) -> Command {
        let mut command = match handler.language {
            Language::Python => {
                let mut c = Command::new(handler.python());
                c.arg(self.scripts.join("strider_boot.py"));
                c
            }
            Language::Node => {
                let mut c =
                    Command::new(std::env::var_os("STRIDER_NODE").unwrap_or_else(|| "node".into()));
                c.arg(format!(
                    "--max-old-space-size={}",
                    handler.memory_mb.max(64)
                ))
                .arg(self.scripts.join("strider_bootstrap.cjs"));
                c
            }
        };
        command
            .current_dir(&self.code)
            .env_clear()
            .envs(handler.env.iter().copied())
            .envs(aws_env(&self.endpoint))
            .envs(self.canaries.env())
            .env("AWS_LAMBDA_RUNTIME_API", self.api.address())
            // The loopback ports the handler may reach besides its own: the Runtime API, the
            // emulator and the canary listener. Not the machine's other services.
            .env("STRIDER_LOOPBACK", self.loopback_ports())
            .env("_HANDLER", handler.handler)
            .env("LAMBDA_TASK_ROOT", &self.code)
            .env("AWS_LAMBDA_FUNCTION_NAME", handler.function)
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env(
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                handler.memory_mb.to_string(),
            )
            .env(
                "AWS_LAMBDA_LOG_GROUP_NAME",
                format!("/aws/lambda/{}", handler.function),
            )
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "strider")
            .env("TZ", ":UTC")
            .env("LANG", "en_US.UTF-8")
            .env("HOME", &self.dir)
            .env("TMPDIR", &self.dir)
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUNBUFFERED", "1");
        // Lambda names the runtime in AWS_EXECUTION_ENV; awslambdaric 4 reads it too, and for
        // python3.12 and later switches to thread polling, which the machine's Python need not
        // match: only Node.js gets it.
        if handler.language == Language::Node {
            command.env(
                "AWS_EXECUTION_ENV",
                format!("AWS_Lambda_{}", handler.runtime),
            );
        }
        if let Some(path) = std::env::var_os("NODE_PATH") {
            command.env("NODE_PATH", path);
        }
        if self.coverage.is_some() {
            command
                .env("STRIDER_COVERAGE", self.dir.join("coverage"))
                .env("STRIDER_COVERAGE_SIZE", coverage::SIZE.to_string());
        }
        command
    }

    fn deliver(
        &mut self,
        handler: &Handler,
        event: &str,
        injected: &[String],
    ) -> Result<Outcome, String> {
        if self.process.is_none() {
            self.api.reset();
            self.process = Some(process::Process::spawn(
                self.command(handler),
                &self.dir.join("handler.log"),
            )?);
        }
        // Before the event, so the output of the one that fails is still there to quote.
        self.trim_logs();
        let armed = self.canaries.arm(event);
        let timeout = Duration::from_secs(u64::from(handler.timeout_s.max(1)));
        // A cold start may take a while (imports, SDK clients): up to the function's timeout,
        // and at least ten seconds, as Lambda's own init phase.
        let start_within = timeout.max(Duration::from_secs(10));
        let Some(process) = self.process.as_mut() else {
            return Err("no handler process".to_owned());
        };
        let result = self
            .api
            .invoke(armed.as_bytes(), start_within, timeout, &mut || {
                process.exited()
            });
        let answer = match &result {
            Ok(api::Answer::Response(body)) => body.as_slice(),
            _ => &[],
        };
        let mut observed = self.canaries.observe(answer);
        observed.retain(|o| match o {
            canary::Observation::Listener(line) => canary::named_by(line, &armed),
            _ => true,
        });
        // Every event, whatever its end: the guard also puts the seeded data back.
        let changes = match &mut self.moto {
            Some(moto) => moto.check()?,
            None => Vec::new(),
        };
        if let Some(coverage) = &mut self.coverage {
            coverage.collect();
        }
        let resident = self
            .process
            .as_ref()
            .and_then(process::Process::resident_mib);
        let mut body = Vec::new();
        let finding = match result {
            Err(api::Stop::InitError(document)) => {
                let tail = self.stop();
                return Err(format!(
                    "the handler `{}` of `{}` could not start: {}\n{tail}",
                    handler.handler,
                    handler.function,
                    error_text(&document, &self.code.display().to_string())
                ));
            }
            Err(api::Stop::Exited(how)) => {
                let tail = self.stop();
                Some(format!(
                    "the handler process {how} during the invocation\n{tail}"
                ))
            }
            Err(api::Stop::Timeout) => {
                self.stop();
                Some(format!(
                    "timeout: no answer within the function's {} s",
                    handler.timeout_s
                ))
            }
            Err(api::Stop::Protocol(what)) => {
                let tail = self.stop();
                Some(format!(
                    "the runtime broke the Lambda Runtime API protocol: {what}\n{tail}"
                ))
            }
            Ok(api::Answer::Error { document, kind }) => Some(format!(
                "uncaught {}",
                error_text_with(&document, kind.as_deref(), &self.code.display().to_string())
            )),
            Ok(api::Answer::Response(answered)) => {
                body = answered;
                None
            }
        };
        // Canaries first: they say what the payload did, an exception only that it failed.
        if let Some(observation) = observed.first() {
            return Ok(Outcome::Finding(self.canary_finding(observation, injected)));
        }
        if let Some(tampering) = tamper::judge(event, &changes) {
            return Ok(Outcome::Finding(tampering));
        }
        if let Some(finding) = finding {
            // An event may have deleted a table the next ones need: what failed may be that.
            if finding.starts_with("uncaught ")
                && let Some(moto) = &mut self.moto
            {
                moto.heal()?;
            }
            return Ok(Outcome::Finding(finding));
        }
        if let Some(mib) = resident.filter(|&m| m > u64::from(handler.memory_mb)) {
            self.stop();
            return Ok(Outcome::Finding(format!(
                "out of memory: the handler process holds {mib} MiB, more than the function's {} MB",
                handler.memory_mb
            )));
        }
        Ok(Outcome::Answered(body))
    }

    /// Empties the handler's, moto's and the guard's logs when past their bound.
    fn trim_logs(&self) {
        if let Some(process) = &self.process {
            process.trim_log();
        }
        if let Some(moto) = &self.moto {
            moto.trim_logs();
        }
    }

    /// What a canary saw, in words that are the same in every run, with the payload that did it.
    fn canary_finding(&self, observation: &canary::Observation, injected: &[String]) -> String {
        // Markers, not this run's canaries: the message is the same in every run, and
        // names the payload as it was injected.
        let message = self.canaries.disarm(&observation.describe());
        // The payload that did it, quoted, so the finding names its field of the event.
        let payload = observation
            .marker()
            .map(|m| self.canaries.disarm(m))
            .and_then(|m| {
                // The longest payload it shows: `../` is in every traversal.
                injected
                    .iter()
                    .filter(|p| {
                        !m.is_empty() && !p.is_empty() && (p.contains(&m) || m.contains(p.as_str()))
                    })
                    .max_by_key(|p| p.len())
            })
            .map(|p| format!(" (payload {p:?})"))
            .unwrap_or_default();
        format!("{message}{payload}")
    }

    /// Stops the handler process (a new one starts with the next event); returns its last
    /// output.
    fn stop(&mut self) -> String {
        self.process.take().map_or_else(String::new, |mut p| {
            p.stop();
            p.tail(20)
        })
    }
}

/// Removes the run directories of harness processes that are gone.
fn sweep(runs: &Path) {
    let Ok(entries) = std::fs::read_dir(runs) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name
            .to_str()
            .and_then(|n| n.split('-').next())
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if !Path::new(&format!("/proc/{pid}")).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn error_text(document: &Value, code: &str) -> String {
    error_text_with(document, None, code)
}

/// `Type: message at file:line` from a runtime's error document: Python's awslambdaric sends
/// `stackTrace` (a list of `  File "…", line N, in f` frames), Node.js clients `trace` (V8's
/// `    at f (file:line:col)` lines). The location is the innermost frame in the handler's own
/// code.
#[must_use]
pub fn error_text_with(document: &Value, kind: Option<&str>, code: &str) -> String {
    let Value::Object(fields) = document else {
        return format!("error: {}", short(&document.to_string()));
    };
    let kind = fields
        .get("errorType")
        .and_then(Value::as_str)
        .or(kind)
        .unwrap_or("error");
    let message = fields
        .get("errorMessage")
        .and_then(Value::as_str)
        .unwrap_or_default();
    // Python lists the innermost frame last, V8 first.
    let (trace, innermost_last) = match fields.get("stackTrace") {
        Some(trace) => (Some(trace), true),
        None => (fields.get("trace"), false),
    };
    let mut frames: Vec<String> = trace
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .flat_map(str::lines)
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if innermost_last {
        frames.reverse();
    }
    let at = frames
        .iter()
        .find_map(|frame| location(frame, code))
        .map(|l| format!(" at {l}"))
        .unwrap_or_default();
    // `Type at file:line: message`: findings are told apart by what precedes the message.
    let message = short(message);
    let message = if message.is_empty() {
        "(no message)".to_owned()
    } else {
        message
    };
    format!("{kind}{at}: {message}")
}

/// `file:line` of a stack frame in the handler's code, relative to it.
fn location(frame: &str, code: &str) -> Option<String> {
    let code = code.trim_end_matches('/');
    let frame = frame.trim();
    // Python: File "/code/app.py", line 12, in handler
    if let Some(rest) = frame.strip_prefix("File \"") {
        let (file, rest) = rest.split_once('"')?;
        let line = rest
            .trim_start_matches(", line ")
            .split(|c: char| !c.is_ascii_digit())
            .next()?;
        let relative = file.strip_prefix(code)?.strip_prefix('/')?;
        if is_dependency(relative) {
            return None;
        }
        return Some(format!("{relative}:{line}"));
    }
    // Node.js: at f (/code/src/order.js:12:5) or at /code/src/order.js:12:5
    let inner = frame
        .strip_prefix("at ")?
        .rsplit_once('(')
        .map_or(frame.trim_start_matches("at "), |(_, r)| {
            r.trim_end_matches(')')
        });
    let inner = inner.strip_prefix("file://").unwrap_or(inner);
    let relative = inner.strip_prefix(code)?.strip_prefix('/')?;
    let mut parts = relative.rsplitn(3, ':');
    let _column = parts.next()?;
    let line = parts.next()?;
    let file = parts.next()?;
    if is_dependency(file) {
        return None;
    }
    Some(format!("{file}:{line}"))
}

/// Whether a file below the code directory belongs to a dependency installed there (vendored
/// packages, a virtualenv, node_modules), not to the handler.
fn is_dependency(relative: &str) -> bool {
    relative.split('/').any(|part| {
        matches!(
            part,
            "node_modules" | "site-packages" | "dist-packages" | ".venv" | "venv" | "target"
        )
    })
}

fn short(text: &str) -> String {
    const MAX: usize = 300;
    let text = text.trim();
    if text.len() <= MAX {
        return text.to_owned();
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &text[..end])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn black_box_inputs_are_spread_into_independent_deterministic_bytes() {
        static NODE: Handler = Handler {
            function: "f",
            language: Language::Node,
            runtime: "nodejs22.x",
            code: ".",
            handler: "index.handler",
            env: &[],
            timeout_s: 3,
            memory_mb: 128,
            resources: "",
            state: ".",
        };
        let input: Vec<u8> = (0..=255).collect();
        let a = spread(&NODE, &input).unwrap_or_default();
        assert_eq!(a.len(), SPREAD_BYTES);
        assert_eq!(spread(&NODE, &input), Some(a.clone()));
        // One byte changed: a different event, not a neighbour of the first.
        let mut mutated = input.clone();
        mutated[200] ^= 1;
        let b = spread(&NODE, &mutated).unwrap_or_default();
        let same = a.iter().zip(&b).filter(|(x, y)| x == y).count();
        assert!(same < 32, "{same} of {SPREAD_BYTES} bytes alike");
        // The realistic seed stays realistic; a byte more is a random event.
        assert_eq!(spread(&NODE, &[]), None);
        assert_eq!(spread(&NODE, &[0]), None);
        assert_eq!(spread(&NODE, &[0, 1]).map(|s| s.len()), Some(SPREAD_BYTES));
    }

    #[test]
    fn python_errors_are_located_in_the_handler() {
        let document = json!({
            "errorMessage": "'customer'",
            "errorType": "KeyError",
            "stackTrace": [
                "  File \"/srv/code/mail.py\", line 14, in handler\n    email = order['customer']['email']\n",
                "  File \"/srv/code/lib/util.py\", line 3, in get\n    return d[k]\n",
            ]
        });
        assert_eq!(
            error_text(&document, "/srv/code"),
            "KeyError at lib/util.py:3: 'customer'"
        );
    }

    #[test]
    fn node_errors_are_located_in_the_handler_not_its_modules() {
        let document = json!({
            "errorType": "TypeError",
            "errorMessage": "Cannot read properties of undefined (reading 'id')",
            "trace": [
                "TypeError: Cannot read properties of undefined (reading 'id')",
                "    at exports.handler (/srv/code/src/order.js:21:30)",
                "    at parse (/srv/code/node_modules/lib/index.js:3:1)",
            ]
        });
        assert_eq!(
            error_text(&document, "/srv/code/"),
            "TypeError at src/order.js:21: Cannot read properties of undefined (reading 'id')"
        );
        assert_eq!(error_text(&json!("boom"), "/x"), "error: \"boom\"");
    }
}
