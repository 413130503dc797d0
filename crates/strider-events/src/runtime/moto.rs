//! AWS, emulated: a moto server on loopback (from the virtualenv `strider fuzz run` manages),
//! provisioned with what the model declares — tables, buckets, queues, topics, secrets,
//! parameters, seeded items and objects — by the provisioning script, before the handler
//! starts. When data is seeded, the same script guards it: after each event it says which seeded
//! items and objects changed, and puts them back.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::Command;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::process::{Process, tail};

/// How long one guard check may take.
const CHECK: Duration = Duration::from_secs(30);

/// A seeded item or object that an event changed (and the guard put back).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Change {
    /// The table or bucket.
    pub store: String,
    /// The item's key attributes (`{"pk": "ord_1"}`), or `{"key": …}` for an object.
    pub key: serde_json::Map<String, serde_json::Value>,
    /// The seed's owner (the value of the table's `owner` attribute), if any.
    pub owner: Option<serde_json::Value>,
    /// The first attribute that differs, if the item is still there.
    pub attribute: Option<String>,
    /// Whether the item or object is gone.
    pub deleted: bool,
}

#[derive(Deserialize)]
struct Checked {
    changed: Vec<Change>,
}

/// The guard of the seeded data: the provisioning script in `--guard` mode.
struct Guard {
    process: Process,
    lines: Receiver<String>,
    log: std::path::PathBuf,
}

impl Guard {
    /// Sends `request` and waits for its one-line answer.
    fn ask(&mut self, request: &str, doing: &str) -> Result<String, String> {
        self.process.send(request)?;
        match self.lines.recv_timeout(CHECK) {
            Ok(line) => Ok(line),
            Err(RecvTimeoutError::Timeout) => {
                Err(format!("{doing} took more than {} s", CHECK.as_secs()))
            }
            Err(RecvTimeoutError::Disconnected) => {
                Err(format!("{doing} failed: {}", tail(&self.log, 5)))
            }
        }
    }
}

/// The guard's answer to `heal`.
#[derive(Deserialize)]
struct Healed {
    healed: Vec<String>,
}

/// How long moto may take to listen.
const START: Duration = Duration::from_mins(1);

/// A running, provisioned moto server.
pub struct Moto {
    process: Process,
    endpoint: String,
    guard: Option<Guard>,
    /// Whether the model seeds data (the guard checks it after every event).
    seeded: bool,
    /// When the guard last created deleted tables again.
    healed: Option<Instant>,
}

/// The least time between two heals.
const HEAL_EVERY: Duration = Duration::from_secs(1);

impl Moto {
    /// Empties moto's and the guard's logs when they have grown past [`super::process::MAX_LOG`].
    pub fn trim_logs(&self) {
        self.process.trim_log();
        if let Some(guard) = &self.guard {
            guard.process.trim_log();
        }
    }

    /// Starts moto with `python` and creates what `spec` (the provisioning JSON) names.
    ///
    /// # Errors
    /// When moto does not start or provisioning fails: with moto's or the script's words.
    pub fn start(python: &Path, spec: &str, dir: &Path, script: &Path) -> Result<Moto, String> {
        let log = dir.join("moto.log");
        let mut command = Command::new(python);
        // moto's server on a port the kernel picks as it binds (no other process can take it
        // between a choice and the bind), which it then prints; ended when the harness ends (its
        // stdin closes).
        // A server thread that fails to bind would leave start() waiting: it ends the process.
        // Once the port is said, stdout is the log too (nobody reads the pipe any more).
        command.arg("-c").arg(concat!(
            "import os, sys, threading, traceback\n",
            "def died(args):\n",
            "    traceback.print_exception(args.exc_type, args.exc_value, args.exc_traceback)\n",
            "    os._exit(1)\n",
            "threading.excepthook = died\n",
            "from moto.moto_server.threaded_moto_server import ThreadedMotoServer\n",
            "server = ThreadedMotoServer(ip_address='127.0.0.1', port=0, verbose=False)\n",
            "server.start()\n",
            "print(server.get_host_and_port()[1], flush=True)\n",
            "os.dup2(2, 1)\n",
            "sys.stdin.buffer.read()\n",
            "os._exit(0)\n",
        ));
        isolated(&mut command, dir);
        let (mut process, out) = Process::spawn_talking(command, &log)?;
        let port = listening_port(&mut process, out, &log)?;
        let endpoint = format!("http://127.0.0.1:{port}");
        let spec_file = dir.join("resources.json");
        std::fs::write(&spec_file, spec)
            .map_err(|err| format!("cannot write {}: {err}", spec_file.display()))?;
        let mut provision = Command::new(python);
        provision.arg(script).arg(&spec_file);
        isolated(&mut provision, dir);
        provision.envs(super::aws_env(&endpoint));
        let log = dir.join("provision.log");
        let mut run = Process::spawn(provision, &log)?;
        let until = Instant::now() + START;
        let how = loop {
            if let Some(how) = run.exited() {
                break how;
            }
            if Instant::now() > until {
                run.stop();
                return Err(format!(
                    "provisioning the emulated AWS resources took more than {} s",
                    START.as_secs()
                ));
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        if how != "exited with status 0" {
            return Err(format!(
                "provisioning the emulated AWS resources failed ({how}): {}",
                tail(&log, 5)
            ));
        }
        let seeded = serde_json::from_str::<serde_json::Value>(spec).is_ok_and(|spec| {
            spec["objects"].as_array().is_some_and(|o| !o.is_empty())
                || spec["tables"].as_array().is_some_and(|tables| {
                    tables
                        .iter()
                        .any(|t| t["items"].as_array().is_some_and(|i| !i.is_empty()))
                })
        });
        // Also for tables without seeds: the guard creates again what an event deleted.
        let tables = serde_json::from_str::<serde_json::Value>(spec)
            .ok()
            .is_some_and(|s| s["tables"].as_array().is_some_and(|t| !t.is_empty()));
        let guard = if seeded || tables {
            let mut command = Command::new(python);
            command.arg(script).arg("--guard").arg(&spec_file);
            isolated(&mut command, dir);
            command.envs(super::aws_env(&endpoint));
            let log = dir.join("guard.log");
            let (process, out) = Process::spawn_talking(command, &log)?;
            let (send, lines) = channel();
            std::thread::spawn(move || {
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    if send.send(line).is_err() {
                        break;
                    }
                }
            });
            Some(Guard {
                process,
                lines,
                log,
            })
        } else {
            None
        };
        Ok(Moto {
            process,
            endpoint,
            guard,
            seeded,
            healed: None,
        })
    }

    /// The seeded items and objects that changed since the last check (put back since), or
    /// none when nothing is seeded.
    ///
    /// # Errors
    /// When the guard fails or takes longer than half a minute.
    pub fn check(&mut self) -> Result<Vec<Change>, String> {
        let Some(guard) = self.guard.as_mut().filter(|_| self.seeded) else {
            return Ok(Vec::new());
        };
        let line = guard.ask("check", "checking the seeded data")?;
        serde_json::from_str::<Checked>(&line)
            .map(|c| c.changed)
            .map_err(|err| format!("the guard of the seeded data answered {line:?}: {err}"))
    }

    /// Creates again the declared tables an event deleted; their names. Called after an
    /// uncaught exception, which is what a missing table looks like to the next events; at most
    /// once per [`HEAL_EVERY`], as a shallow bug raises one on most events and the request costs
    /// a fifth of an event.
    ///
    /// # Errors
    /// When the guard fails or takes longer than half a minute.
    pub fn heal(&mut self) -> Result<Vec<String>, String> {
        let Some(guard) = &mut self.guard else {
            return Ok(Vec::new());
        };
        if self.healed.is_some_and(|at| at.elapsed() < HEAL_EVERY) {
            return Ok(Vec::new());
        }
        self.healed = Some(Instant::now());
        let line = guard.ask("heal", "creating deleted tables again")?;
        serde_json::from_str::<Healed>(&line)
            .map(|h| h.healed)
            .map_err(|err| format!("the guard answered {line:?}: {err}"))
    }

    /// `http://127.0.0.1:port`, for `AWS_ENDPOINT_URL`.
    #[must_use]
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

/// Runs with nothing of the harness's environment (no CI secret, no AWS profile of the user)
/// but a `PATH` and a home and temporary directory of the run's own.
fn isolated(command: &mut Command, dir: &Path) {
    command
        .env_clear()
        .env(
            "PATH",
            std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into()),
        )
        .env("HOME", dir)
        .env("TMPDIR", dir)
        .env("LANG", "C.UTF-8")
        .current_dir(dir);
}

/// The port moto printed once it listened.
fn listening_port(
    process: &mut Process,
    out: std::process::ChildStdout,
    log: &Path,
) -> Result<u16, String> {
    let (send, line) = channel();
    std::thread::spawn(move || {
        let mut first = String::new();
        let _ = BufReader::new(out).read_line(&mut first);
        let _ = send.send(first);
    });
    let until = Instant::now() + START;
    loop {
        match line.recv_timeout(Duration::from_millis(50)) {
            Ok(first) => {
                if let Ok(port) = first.trim().parse::<u16>()
                    && port != 0
                {
                    return Ok(port);
                }
                // Its output closed: it is ending (give it a moment to say how).
                let mut how = process.exited();
                let wait = Instant::now() + Duration::from_secs(2);
                while how.is_none() && first.is_empty() && Instant::now() < wait {
                    std::thread::sleep(Duration::from_millis(20));
                    how = process.exited();
                }
                let how = how
                    .unwrap_or_else(|| format!("printed {:?} instead of its port", first.trim()));
                return Err(format!("the AWS emulator (moto) {how}:\n{}", tail(log, 15)));
            }
            Err(_) if Instant::now() > until => {
                return Err(format!(
                    "the AWS emulator (moto) did not listen within {} s:\n{}",
                    START.as_secs(),
                    tail(log, 15)
                ));
            }
            Err(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stand-in for the interpreter that runs `body` as a shell script, whatever it is asked.
    fn fake_python(dir: &Path, body: &str) -> std::path::PathBuf {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join("python");
        std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    #[test]
    fn an_emulator_that_does_not_start_says_why() {
        let dir = std::env::temp_dir().join(format!("strider-moto-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("provision.py");
        let missing = fake_python(
            &dir,
            "echo \"ModuleNotFoundError: No module named 'moto'\" >&2\nexit 1",
        );
        let Err(why) = Moto::start(&missing, "{}", &dir, &script) else {
            panic!("started without moto")
        };
        assert!(
            why.starts_with("the AWS emulator (moto) exited with status 1:"),
            "{why}"
        );
        assert!(why.contains("No module named 'moto'"), "{why}");
        let talking = fake_python(&dir, "echo 'Running on all addresses'\nsleep 5");
        let Err(why) = Moto::start(&talking, "{}", &dir, &script) else {
            panic!("started without a port")
        };
        assert_eq!(
            why.lines().next(),
            Some(
                r#"the AWS emulator (moto) printed "Running on all addresses" instead of its port:"#
            )
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
