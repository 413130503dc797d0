//! Bugs the campaign already knows. A failing input ends a libFuzzer run, and for a handler in
//! its own runtime the next run starts the emulator and the handler again, a second or more: a
//! shallow bug that many events hit would keep a campaign restarting instead of fuzzing. So
//! `strider fuzz run` lists the signatures of the uncaught exceptions it has recorded in a file
//! named by [`ENV`]; an event that raises one of them again is counted (a line starting
//! [`AGAIN`] on stderr) and the run goes on. Every other finding still ends the run: its
//! signature holds the event field of its payload, which `strider fuzz run` reads from a replay.
//!
//! After [`MAX_IN_A_ROW`] known exceptions in a row the run ends all the same: every event
//! failing may mean the environment broke (an event deleted a table that nothing restores), and
//! the next run starts the emulator afresh.

use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};

/// The environment variable naming the file of known signatures, one per line.
pub const ENV: &str = "STRIDER_KNOWN_BUGS";

/// The prefix of the line that counts a known bug hit again.
pub const AGAIN: &str = "strider again:";

/// Known exceptions in a row (no event answered between them) after which the run ends.
pub const MAX_IN_A_ROW: u32 = 200;

static IN_A_ROW: AtomicU32 = AtomicU32::new(0);

/// Counts one more known exception: whether the run may go on past it.
pub fn go_on() -> bool {
    IN_A_ROW.fetch_add(1, Ordering::Relaxed) + 1 < MAX_IN_A_ROW
}

/// An event was answered: the environment works, the count starts again.
pub fn answered() {
    IN_A_ROW.store(0, Ordering::Relaxed);
}

/// What names an uncaught exception in an oracle's verdict: its type and place
/// (`KeyError at mail.py:91`), the first line's text before the message, which quotes the input.
#[must_use]
pub fn uncaught(verdict: &str) -> Option<&str> {
    let first = verdict.lines().next()?;
    let (head, _) = first.strip_prefix("uncaught ")?.split_once(": ")?;
    Some(head)
}

/// The signature of an uncaught exception: one bug per type and place.
#[must_use]
pub fn signature(head: &str) -> String {
    format!("oracle: uncaught {head}")
}

/// The signature of `verdict` when the file at `known` lists it.
#[must_use]
pub fn again(verdict: &str, known: Option<&Path>) -> Option<String> {
    let signature = signature(uncaught(verdict)?);
    let listed = std::fs::read_to_string(known?).ok()?;
    listed
        .lines()
        .any(|line| line == signature)
        .then_some(signature)
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY_ERROR: &str =
        "uncaught KeyError at mail.py:91: 'Message'\n  File \"mail.py\", line 91";

    #[test]
    fn an_uncaught_exception_is_named_by_its_type_and_place() {
        assert_eq!(uncaught(KEY_ERROR), Some("KeyError at mail.py:91"));
        assert_eq!(
            uncaught("uncaught TypeError at a.js:3: x is 'uncaught Y: z'"),
            Some("TypeError at a.js:3")
        );
        assert_eq!(uncaught("command injection: the canary ran"), None);
        assert_eq!(uncaught("uncaught without a message"), None);
    }

    #[test]
    fn a_long_streak_of_known_exceptions_ends_the_run() {
        answered();
        for _ in 1..MAX_IN_A_ROW {
            assert!(go_on());
        }
        assert!(!go_on(), "the 200th in a row ends the run");
        answered();
        assert!(go_on(), "an answered event starts the count again");
    }

    #[test]
    fn only_a_listed_uncaught_exception_is_known() {
        let dir = std::env::temp_dir().join(format!("strider-known-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("known");
        std::fs::write(
            &file,
            "oracle: uncaught TypeError at mail.py:92\noracle: uncaught KeyError at mail.py:91\n",
        )
        .unwrap();
        assert_eq!(
            again(KEY_ERROR, Some(&file)).as_deref(),
            Some("oracle: uncaught KeyError at mail.py:91")
        );
        // Another place, another bug; no file, nothing known; other oracles always end the run.
        assert_eq!(again(&KEY_ERROR.replace(":91", ":93"), Some(&file)), None);
        assert_eq!(again(KEY_ERROR, None), None);
        assert_eq!(again(KEY_ERROR, Some(&dir.join("missing"))), None);
        std::fs::write(&file, "oracle: command injection: the canary ran\n").unwrap();
        assert_eq!(
            again("command injection: the canary ran", Some(&file)),
            None
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
