//! `strider fuzz run` as a campaign, for real: cargo fuzz builds the crate `fuzz init` writes for
//! `tests/fixtures/fuzz/campaign` (one function, two planted bugs at two places), and the
//! campaign must go on after the first failure and report both bugs, each with its own finding
//! and regression test; a later campaign counts them as found before; `--fresh` leaves the kept
//! corpus alone; a hostile learned dictionary does not stop libFuzzer.
//!
//! Slow (a `cargo fuzz build`, about three minutes, then a quarter of a minute of fuzzing), so ignored by
//! `cargo test`; `.ci/fuzz-smoke` runs it with `--ignored`. Needs cargo-fuzz.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// strider with `args`, killed (and the test failed) if a campaign with its build outlasts a
/// quarter of an hour.
fn strider(args: &[&str]) -> std::process::Output {
    let limit = std::time::Duration::from_mins(15);
    common::within(common::strider().args(args), limit)
        .unwrap_or_else(|| panic!("strider {args:?} still ran after {limit:?}"))
}

fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn finding_files(crate_dir: &Path) -> BTreeSet<String> {
    listing(&crate_dir.join("findings/import_file"))
}

/// The fixture's fuzz crate, with a hostile learned dictionary; returns the crate and the
/// dictionary's bytes.
fn generate() -> (PathBuf, Vec<u8>) {
    // Kept between runs, so its target/ makes the next build quick; what a campaign wrote is
    // cleared.
    let crate_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("fuzz-campaign");
    for written in ["findings", "tests", "artifacts", "corpus", "dict"] {
        let _ = std::fs::remove_dir_all(crate_dir.join(written));
    }
    let init = strider(&[
        "fuzz",
        "init",
        "tests/fixtures/fuzz/campaign/model.yaml",
        "-o",
        crate_dir.to_str().unwrap(),
    ]);
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
    // The dependency versions of the committed shop crate, as .ci/fuzz-smoke uses.
    std::fs::copy("fuzz/shop/Cargo.lock", crate_dir.join("Cargo.lock")).unwrap();
    // A learned dictionary with lines libFuzzer refuses (a bad escape, an octal escape as
    // libFuzzer prints them, a non-ASCII byte, an unterminated quote, an empty and an overlong
    // entry): were one given to libFuzzer, it would stop before fuzzing.
    let learned = crate_dir.join("dict/import_file_s3.learned.dict");
    let mut hostile = b"\"\\q\"\n\"\\001\"\n\"\xc3\xa9\"\n\"open\n\"\"\n\"..%2f\"\n".to_vec();
    hostile.extend(format!("\"{}\"\n", "a".repeat(65)).as_bytes());
    std::fs::write(&learned, &hostile).unwrap();
    (crate_dir, hostile)
}

/// The finding of the bug at `place` (once in the summary), checked with its regression test;
/// returns its id.
fn finding_at(crate_dir: &Path, stdout: &str, place: &str) -> String {
    let summary = stdout
        .lines()
        .filter(|l| l.contains(". crash at ") && l.contains(place))
        .collect::<Vec<_>>();
    assert_eq!(summary.len(), 1, "{place}: {stdout}");
    assert!(summary[0].contains(" ms, "), "{}", summary[0]);
    let json = crate_dir
        .join("findings/import_file")
        .read_dir()
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .contains(&format!("{place}\""))
        })
        .unwrap_or_else(|| panic!("no finding for {place}"));
    let finding: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(finding["kind"], "crash");
    let signature = finding["signature"].as_str().unwrap();
    assert!(
        signature.starts_with("panic at ") && signature.ends_with(place),
        "{finding}"
    );
    assert!(finding["found_after_ms"].is_u64(), "{finding}");
    assert!(finding.get("found_after_s").is_none());
    assert!(stdout.contains(json.to_str().unwrap()), "{stdout}");
    let id = finding["id"].as_str().unwrap().to_owned();
    let test = crate_dir.join(format!("tests/finding_import_file_s3_{id}.rs"));
    assert!(
        std::fs::read_to_string(&test)
            .unwrap()
            .contains(&format!("findings/import_file/{id}.json")),
        "{}",
        test.display()
    );
    id
}

#[test]
#[ignore = "builds a fuzz target with cargo fuzz (minutes); run by .ci/fuzz-smoke"]
fn a_campaign_reports_every_distinct_bug_with_its_own_finding() {
    let (crate_dir, hostile) = generate();
    let learned = crate_dir.join("dict/import_file_s3.learned.dict");
    let dir = crate_dir.to_str().unwrap();
    let run = strider(&[
        "fuzz",
        "run",
        "import_file_s3",
        "-C",
        dir,
        "--time",
        "10",
        "--seed",
        "1",
    ]);
    let stdout = String::from_utf8_lossy(&run.stdout);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert_eq!(run.status.code(), Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("2 distinct bugs (2 new):"),
        "{stdout}\n{stderr}"
    );
    let rate = stdout
        .lines()
        .next()
        .and_then(|l| l.split(" exec/s").next())
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse::<u64>().ok());
    assert!(rate.is_some_and(|r| r > 0), "{stdout}");
    // Each bug once in the summary, with its own finding and regression test.
    let findings: Vec<String> = ["handlers/src/lib.rs:15:9", "handlers/src/lib.rs:17:23"]
        .iter()
        .map(|place| finding_at(&crate_dir, &stdout, place))
        .collect();
    assert_ne!(findings[0], findings[1]);
    assert_eq!(finding_files(&crate_dir).len(), 2);
    // The divide-by-zero needs an empty object, the traversal a `..` in its key: the minimised
    // events show it.
    let dividing = crate_dir.join(format!("findings/import_file/{}.json", findings[1]));
    let event: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dividing).unwrap()).unwrap();
    let records = event["event"]["Records"].as_array().unwrap();
    assert!(
        records.iter().any(|r| r["s3"]["object"]["size"] == 0),
        "{event}"
    );
    // The hostile learned dictionary was only read, not rewritten with its bad lines.
    let after = std::fs::read(&learned).unwrap();
    assert!(after == hostile || !after.windows(3).any(|w| w == b"\\q\""));
    // `analyze --findings` reads what the campaign wrote.
    let analyze = strider(&[
        "analyze",
        "tests/fixtures/fuzz/campaign/model.yaml",
        "--findings",
        dir,
        "--format",
        "json",
    ]);
    assert!(
        analyze.status.code().is_some_and(|c| c < 2),
        "{}",
        String::from_utf8_lossy(&analyze.stderr)
    );

    a_fresh_campaign_finds_them_again_and_leaves_the_kept_corpus(&crate_dir, &after);
}

/// A fresh campaign: the same bugs are found before, no finding is added, the kept corpus and
/// learned dictionary stay as they were.
fn a_fresh_campaign_finds_them_again_and_leaves_the_kept_corpus(crate_dir: &Path, learned: &[u8]) {
    let dir = crate_dir.to_str().unwrap();
    let corpus = crate_dir.join("corpus/import_file_s3");
    let kept = listing(&corpus);
    assert!(kept.contains("realistic"), "{kept:?}");
    let again = strider(&[
        "fuzz",
        "run",
        "import_file_s3",
        "-C",
        dir,
        "--time",
        "4",
        "--fresh",
    ]);
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert_eq!(again.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("(0 new)"), "{stdout}");
    assert_eq!(stdout.matches("found before: ").count(), 2, "{stdout}");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("from a fresh corpus"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    assert_eq!(finding_files(crate_dir).len(), 2);
    assert_eq!(listing(&corpus), kept);
    assert_eq!(
        std::fs::read(crate_dir.join("dict/import_file_s3.learned.dict")).unwrap(),
        learned
    );
}
