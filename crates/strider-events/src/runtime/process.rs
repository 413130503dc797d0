//! The handler process: started the way Lambda starts a managed runtime (its runtime interface
//! client pointed at `AWS_LAMBDA_RUNTIME_API`, the handler named by `_HANDLER`, the code as the
//! task root), its output kept in a log file, and stopped when the harness goes.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// The most a log file keeps: past it, it is emptied before the next event. Findings read only
/// its last lines, written since; a handler or moto that logs every request (most do) would
/// otherwise fill the disk over a long campaign.
pub const MAX_LOG: u64 = 16 << 20;

/// A running handler process.
pub struct Process {
    child: Child,
    /// Held open: the process's stdin reaches end of file when the harness ends, however it
    /// ends, and the runtime scripts exit then (no orphan outlives a fuzzing run).
    lifeline: Option<ChildStdin>,
    log: PathBuf,
}

impl Process {
    /// Starts `command`, its output appended to `log`.
    ///
    /// # Errors
    /// When it cannot be started.
    pub fn spawn(command: Command, log: &Path) -> Result<Process, String> {
        Process::start(command, log, false).map(|(process, _)| process)
    }

    /// Starts `command` to talk to: lines go to its stdin ([`Process::send`]), its answers come
    /// from the returned stdout, its other output is appended to `log`.
    ///
    /// # Errors
    /// When it cannot be started.
    pub fn spawn_talking(command: Command, log: &Path) -> Result<(Process, ChildStdout), String> {
        let (process, out) = Process::start(command, log, true)?;
        out.map(|out| (process, out))
            .ok_or_else(|| "no output to read".to_owned())
    }

    fn start(
        mut command: Command,
        log: &Path,
        talking: bool,
    ) -> Result<(Process, Option<ChildStdout>), String> {
        let out = File::options()
            .create(true)
            .append(true)
            .open(log)
            .map_err(|err| format!("cannot write {}: {err}", log.display()))?;
        let err = out
            .try_clone()
            .map_err(|err| format!("cannot write {}: {err}", log.display()))?;
        let program = command.get_program().to_string_lossy().into_owned();
        let mut child = {
            use std::os::unix::process::CommandExt;
            command
                .stdin(Stdio::piped())
                .stdout(if talking { Stdio::piped() } else { out.into() })
                .stderr(err)
                // Its own process group: a shell it starts does not get the harness's signals.
                .process_group(0)
                .spawn()
                .map_err(|err| format!("cannot start `{program}`: {err}"))?
        };
        let lifeline = child.stdin.take();
        let stdout = child.stdout.take();
        Ok((
            Process {
                child,
                lifeline,
                log: log.to_path_buf(),
            },
            stdout,
        ))
    }

    /// Writes `line` and a newline to the process's stdin.
    ///
    /// # Errors
    /// When the process no longer reads.
    pub fn send(&mut self, line: &str) -> Result<(), String> {
        use std::io::Write;
        let stdin = self.lifeline.as_mut().ok_or("no input to write")?;
        stdin
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| stdin.flush())
            .map_err(|err| format!("cannot write to the process: {err}"))
    }

    /// How the process ended, if it has.
    pub fn exited(&mut self) -> Option<String> {
        match self.child.try_wait() {
            Ok(Some(status)) => Some(describe(status)),
            Ok(None) => None,
            Err(err) => Some(format!("cannot be waited for: {err}")),
        }
    }

    /// The process's resident memory in MiB, from `/proc` (Linux), if known.
    #[must_use]
    pub fn resident_mib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024)
    }

    /// Stops the process and everything it started (its process group), and waits for it.
    pub fn stop(&mut self) {
        // The group: a shell the handler started (`sh -c "… $(sleep 999)"`) goes too. Through
        // kill(1), which needs no unsafe code; the child itself is killed directly besides.
        let _ = Command::new("kill")
            .args(["-KILL", "--", &format!("-{}", self.child.id())])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// The last `lines` lines of the process's output.
    #[must_use]
    pub fn tail(&self, lines: usize) -> String {
        tail(&self.log, lines)
    }

    /// Empties the process's log when it has grown past [`MAX_LOG`].
    pub fn trim_log(&self) {
        trim(&self.log, MAX_LOG);
    }
}

/// Empties `log` when it is longer than `most` bytes. The process writes it in append mode, so
/// its next line lands at the new end, not past a hole.
pub fn trim(log: &Path, most: u64) {
    if std::fs::symlink_metadata(log).is_ok_and(|m| m.is_file() && m.len() > most)
        && let Ok(file) = File::options().write(true).open(log)
    {
        let _ = file.set_len(0);
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.stop();
    }
}

/// The last `lines` lines of a log file (at most its last 64 KiB are read).
#[must_use]
pub fn tail(log: &Path, lines: usize) -> String {
    let Some(mut file) = open_regular(log) else {
        return String::new();
    };
    let len = file.metadata().map_or(0, |m| m.len());
    let _ = file.seek(SeekFrom::Start(len.saturating_sub(64 * 1024)));
    let mut bytes = Vec::new();
    let _ = file.read_to_end(&mut bytes);
    let text = String::from_utf8_lossy(&bytes);
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Opens a file the handler process can also write to, only when it is still a regular file:
/// not through a link, and without blocking on a FIFO put in its place.
#[must_use]
pub fn open_regular(path: &Path) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = File::options()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
        .ok()?;
    file.metadata().ok()?.is_file().then_some(file)
}

fn describe(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exited with status {code}"),
        (None, Some(signal)) => format!("was killed by signal {signal}"),
        (None, None) => "ended".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_log_past_its_bound_starts_again_where_the_writer_appends() {
        let dir = std::env::temp_dir().join(format!("strider-trim-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let log = dir.join("handler.log");
        let mut writer = File::options()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        writer.write_all(b"0123456789\n").unwrap();
        trim(&log, 11);
        assert_eq!(std::fs::read(&log).unwrap().len(), 11, "within its bound");
        writer.write_all(b"ABCDEFGHIJ\n").unwrap();
        trim(&log, 11);
        writer.write_all(b"after\n").unwrap();
        // No hole of zeros before the next line: it starts the file.
        assert_eq!(std::fs::read_to_string(&log).unwrap(), "after\n");
        assert_eq!(tail(&log, 5), "after");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
