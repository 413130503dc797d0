//! Canaries that make quiet injections loud. The payload families carry markers
//! ([`COMMAND`], [`HOST`], [`FILE`]); before an event is delivered the markers become this run's
//! canaries, and what the handler did with them is read back after each invocation:
//!
//! - a `strider-canary` executable first on the handler's `PATH` (command injection, and the
//!   deserialisation and code-injection gadgets, which run it);
//! - an HTTP listener on loopback that URL payloads point at (server-side request forgery);
//! - a canary file outside the handler's code whose opening the runtime scripts report, and
//!   whose secret content must never appear in an answer (path traversal, `file://` URLs);
//! - the runtime scripts' egress guard, which refuses and reports every connection beyond
//!   loopback (SSRF to other hosts, and any AWS call that would leave the machine).

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The name of the canary executable, as command payloads spell it.
pub const COMMAND: &str = "strider-canary";
/// The host URL payloads name; delivered, it is the canary listener's `127.0.0.1:port`.
pub const HOST: &str = "strider-canary.internal";
/// The canary file as payloads name it; delivered, it is this run's canary file.
pub const FILE: &str = "/tmp/strider-canary/secret";

/// The canary file is also there with these extensions, so a handler that appends one to the
/// name it was given (`<category>.json`) still opens it.
const EXTENSIONS: &[&str] = &[
    "json", "txt", "html", "htm", "xml", "yaml", "yml", "csv", "md", "jpg", "jpeg", "png", "gif",
    "webp", "pdf", "zip", "gz", "js", "py", "conf", "ini", "log", "tmp",
];

/// What the handler did with a canary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observation {
    /// The canary executable ran, with these arguments.
    Command(String),
    /// A request reached the canary listener: its request line.
    Listener(String),
    /// The handler tried to reach a host beyond loopback, or a loopback port that is neither
    /// the harness's nor one the handler bound.
    Egress(String),
    /// The handler opened the canary file, by this path.
    Open(String),
    /// The canary file's secret appeared in the handler's answer.
    Leak,
}

impl Observation {
    /// The oracle that fired and what it saw, for a finding's message.
    #[must_use]
    pub fn describe(&self) -> String {
        // What varies from one input to the next is in parentheses, which a finding's
        // signature masks: one bug per oracle, whatever the payload's spelling.
        match self {
            Observation::Command(args) => format!(
                "command injection: the event ran the canary command ({COMMAND} {args})"
            ),
            Observation::Listener(line) => format!(
                "server-side request forgery: the handler fetched a URL of the event from the canary listener ({line})"
            ),
            Observation::Egress(to) => format!(
                "outbound connection refused: the handler reached for a host beyond the machine or a loopback port that is not the function's, by server-side request forgery or an AWS call not emulated ({to})"
            ),
            Observation::Open(path) => format!(
                "path traversal: the handler opened the canary file outside its code ({path})"
            ),
            Observation::Leak => {
                "the canary file's content is in the handler's answer (path traversal or a file:// URL)"
                    .to_owned()
            }
        }
    }

    /// The marker of the payload that caused it, to find the payload and its field: the
    /// canary command's argument, or the path or URL the handler used.
    #[must_use]
    pub fn marker(&self) -> Option<&str> {
        match self {
            Observation::Command(args) => args.split_whitespace().next(),
            Observation::Listener(line) => line.split_whitespace().nth(1),
            Observation::Egress(to) | Observation::Open(to) => Some(to),
            Observation::Leak => None,
        }
    }
}

/// Whether a request the canary listener received was for a host the event names: a request
/// to the listener itself (its address reaches a handler only through the event), or one it
/// relayed as the handler's proxy to a host that appears in the event. A proxied call to a host
/// the event does not name (a payment API the handler always calls) is the handler's own,
/// answered and not a finding.
#[must_use]
pub fn named_by(line: &str, event: &str) -> bool {
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if target.starts_with('/') {
        return true;
    }
    let authority = if method.eq_ignore_ascii_case("CONNECT") {
        target
    } else {
        target
            .split_once("://")
            .map_or(target, |(_, rest)| rest)
            .split(['/', '?', '#'])
            .next()
            .unwrap_or("")
    };
    let authority = authority
        .rsplit_once('@')
        .map_or(authority, |(_, host)| host);
    let host = match authority.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or(""),
        None => authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host),
    };
    !host.is_empty()
        && event
            .to_ascii_lowercase()
            .contains(&host.to_ascii_lowercase())
}

/// This run's canaries.
pub struct Canaries {
    log: PathBuf,
    /// The log, opened once when it was made: read on every invocation, never reopened by a
    /// path the handler could have replaced (a FIFO, a link).
    log_file: std::fs::File,
    log_read: u64,
    file: PathBuf,
    secret: String,
    bin: PathBuf,
    listener: String,
    hits: Hits,
}

impl Canaries {
    /// Lays out the canaries in `dir`: the executable, the file, the log, and a listener.
    ///
    /// # Errors
    /// When a file cannot be written or no port bound.
    pub fn new(dir: &Path) -> Result<Canaries, String> {
        let fail = |what: &Path, err: std::io::Error| format!("{}: {err}", what.display());
        let bin = dir.join("bin");
        // Named as the payloads' marker directory: the runtime scripts report any path below
        // it, and filter on its name.
        let files = dir.join("strider-canary");
        for d in [&bin, &files] {
            std::fs::create_dir_all(d).map_err(|err| fail(d, err))?;
        }
        let log = dir.join("canary.log");
        std::fs::write(&log, b"").map_err(|err| fail(&log, err))?;
        let log_file = std::fs::File::open(&log).map_err(|err| fail(&log, err))?;
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let secret = format!("strider-canary-secret-{:x}-{nanos:x}", std::process::id());
        let file = files.join("secret");
        std::fs::write(&file, format!("{secret}\n")).map_err(|err| fail(&file, err))?;
        for extension in EXTENSIONS {
            let twin = files.join(format!("secret.{extension}"));
            std::fs::write(&twin, format!("{secret}\n")).map_err(|err| fail(&twin, err))?;
        }
        let script = bin.join(COMMAND);
        // The log is named by an environment variable, so the script holds no path to quote.
        std::fs::write(
            &script,
            "#!/bin/sh\nprintf 'command\\t%s\\n' \"$*\" >> \"$STRIDER_CANARY_LOG\"\n",
        )
        .map_err(|err| fail(&script, err))?;
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755))
                .map_err(|err| fail(&script, err))?;
        }
        let (listener, hits) = listen()?;
        Ok(Canaries {
            log,
            log_file,
            log_read: 0,
            file,
            secret,
            bin,
            listener,
            hits,
        })
    }

    /// The canary listener's `127.0.0.1:port`.
    #[must_use]
    pub fn listener(&self) -> &str {
        &self.listener
    }

    /// The environment the handler process needs: the log, the file, `PATH` with the canary
    /// executable first, and the canary listener as every HTTP proxy, so that a program the
    /// handler starts (curl, wget, ImageMagick fetching a URL), which the runtime's egress guard
    /// does not see, sends its requests there rather than off the machine; loopback (the
    /// emulator, the listener itself) is reached directly.
    #[must_use]
    pub fn env(&self) -> Vec<(String, String)> {
        let path = std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".to_owned());
        let proxy = format!("http://{}", self.listener);
        let mut env = vec![
            (
                "STRIDER_CANARY_LOG".to_owned(),
                self.log.display().to_string(),
            ),
            (
                "STRIDER_CANARY_FILE".to_owned(),
                self.file.display().to_string(),
            ),
            ("PATH".to_owned(), format!("{}:{path}", self.bin.display())),
        ];
        for name in [
            "http_proxy",
            "https_proxy",
            "all_proxy",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
        ] {
            env.push((name.to_owned(), proxy.clone()));
        }
        for name in ["no_proxy", "NO_PROXY"] {
            env.push((name.to_owned(), "127.0.0.1,localhost,::1".to_owned()));
        }
        env
    }

    /// The event as delivered: the markers replaced by this run's canaries.
    #[must_use]
    pub fn arm(&self, event: &str) -> String {
        event
            .replace(HOST, &self.listener)
            .replace(FILE, &self.file.display().to_string())
    }

    /// The event as recorded: this run's canaries put back as markers, so a finding replays
    /// in another run.
    #[must_use]
    pub fn disarm(&self, text: &str) -> String {
        text.replace(&self.listener, HOST)
            .replace(&self.file.display().to_string(), FILE)
    }

    /// What happened since the last call; `answer` is the handler's answer, checked for the
    /// canary file's secret.
    pub fn observe(&mut self, answer: &[u8]) -> Vec<Observation> {
        let mut seen = Vec::new();
        let mut log = &self.log_file;
        if log.seek(SeekFrom::Start(self.log_read)).is_ok() {
            // Bytes, not text: a line that is not UTF-8 (a shell's raw arguments, a handler
            // writing the log itself) is read past like any other.
            let mut reader = BufReader::new(log.take(1 << 20));
            let mut line = Vec::new();
            while reader.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
                self.log_read += line.len() as u64;
                let text = String::from_utf8_lossy(&line);
                if let Some(observation) = parse(text.trim_end_matches('\n')) {
                    seen.push(observation);
                }
                line.clear();
            }
        }
        seen.extend(
            std::mem::take(&mut *self.hits.lock().unwrap_or_else(PoisonError::into_inner))
                .into_iter()
                .map(Observation::Listener),
        );
        if contains(answer, self.secret.as_bytes()) {
            seen.push(Observation::Leak);
        }
        seen
    }
}

/// One line of the canary log: `kind<TAB>detail`.
fn parse(line: &str) -> Option<Observation> {
    let (kind, detail) = line.split_once('\t')?;
    let detail = detail.to_owned();
    match kind {
        "command" => Some(Observation::Command(detail)),
        "egress" => Some(Observation::Egress(detail)),
        "open" => Some(Observation::Open(detail)),
        _ => None,
    }
}

/// The canary listener: answers every request with a page that names it, and records the
/// request line.
/// The request lines the canary listener received, not yet observed.
type Hits = Arc<Mutex<Vec<String>>>;

fn listen() -> Result<(String, Hits), String> {
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|err| format!("cannot start the canary listener: {err}"))?;
    let address = listener
        .local_addr()
        .map_err(|err| format!("cannot start the canary listener: {err}"))?
        .to_string();
    let hits = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&hits);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            let _ = (&mut reader).take(4096).read_line(&mut line);
            let mut request_line = String::new();
            for c in line.trim_end().chars().take(300) {
                let _ = write!(request_line, "{}", c.escape_debug());
            }
            seen.lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(request_line);
            let body = "strider canary listener\n";
            let _ = (&stream).write_all(
                format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                )
                .as_bytes(),
            );
        }
    });
    Ok((address, hits))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_requests_for_hosts_the_event_names_are_forgeries() {
        let event =
            r#"{"body":"{\"url\":\"https://Images.Example.org/a\",\"cb\":\"http://[::1]:9/x\"}"}"#;
        for line in [
            "GET /ssrf-token HTTP/1.1",
            "CONNECT images.example.org:443 HTTP/1.1",
            "GET http://user@images.example.org:8080/a?b HTTP/1.1",
            "GET http://[::1]:9/x HTTP/1.1",
        ] {
            assert!(named_by(line, event), "{line}");
        }
        for line in [
            "CONNECT api.payments.example:443 HTTP/1.1",
            "POST http://api.payments.example/v2/authorisations HTTP/1.1",
            "GET",
            "CONNECT :443 HTTP/1.1",
        ] {
            assert!(!named_by(line, event), "{line}");
        }
    }

    #[test]
    fn markers_become_canaries_and_back() {
        let dir = std::env::temp_dir().join(format!("strider-canary-test-{}", std::process::id()));
        let canaries = Canaries::new(&dir).unwrap();
        let event = format!("{{\"url\":\"http://{HOST}/a\",\"path\":\"../../..{FILE}\"}}");
        let armed = canaries.arm(&event);
        assert!(!armed.contains(HOST) && !armed.contains(FILE), "{armed}");
        assert!(armed.contains("http://127.0.0.1:"), "{armed}");
        assert_eq!(canaries.disarm(&armed), event);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn the_log_is_read_once_per_line() {
        let dir = std::env::temp_dir().join(format!("strider-canary-log-{}", std::process::id()));
        let mut canaries = Canaries::new(&dir).unwrap();
        assert!(canaries.observe(b"").is_empty());
        let status = std::process::Command::new(dir.join("bin").join(COMMAND))
            .arg("c1")
            .env("STRIDER_CANARY_LOG", &canaries.log)
            .status()
            .unwrap();
        assert!(status.success());
        assert_eq!(
            canaries.observe(b""),
            [Observation::Command("c1".to_owned())]
        );
        assert!(canaries.observe(b"").is_empty());
        let secret = canaries.secret.clone();
        assert_eq!(canaries.observe(secret.as_bytes()), [Observation::Leak]);
        let _ = std::fs::remove_dir_all(dir);
    }
}
