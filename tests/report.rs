//! The HTML report: one row per threat, the diagram inline, a CSP whose hashes match the page's
//! own style and script, deterministic output, user templates — and, in headless Chromium, the
//! XSS fixture's payloads neither run nor load anything.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use sha2::{Digest, Sha256};

fn report(model: &str, extra: &[&str]) -> (std::process::Output, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.html");
    let output = Command::new(env!("CARGO_BIN_EXE_strider"))
        .args(["report", model, "--today", "2026-11-23", "-o"])
        .arg(&out)
        .args(extra)
        .output()
        .unwrap();
    let html = std::fs::read_to_string(&out).unwrap_or_default();
    (output, html)
}

fn between<'a>(html: &'a str, open: &str, close: &str) -> &'a str {
    let start = html.find(open).unwrap() + open.len();
    let end = start + html[start..].find(close).unwrap();
    &html[start..end]
}

fn sha(text: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

#[test]
fn shop_report_has_every_threat_the_diagram_and_a_matching_csp() {
    let (output, html) = report("model/shop.yaml", &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json = Command::new(env!("CARGO_BIN_EXE_strider"))
        .args([
            "analyze",
            "model/shop.yaml",
            "--format",
            "json",
            "--today",
            "2026-11-23",
        ])
        .output()
        .unwrap();
    let threats = serde_json::from_slice::<serde_json::Value>(&json.stdout).unwrap()["threats"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(html.matches("<tr data-index=").count(), threats);
    assert_eq!(html.matches("<details id=\"detail-").count(), threats);
    assert!(
        html.contains("class=\"graph\""),
        "the graphviz diagram is inline"
    );
    assert!(!html.contains("<?xml"), "the SVG prolog is stripped");
    // The CSP allows exactly the page's own style and script, and nothing from the network.
    let csp = between(
        &html,
        "http-equiv=\"Content-Security-Policy\" content=\"",
        "\"",
    )
    .replace("&#39;", "'");
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    assert!(
        csp.contains(&sha(between(&html, "<style>", "</style>"))),
        "style hash"
    );
    assert!(
        csp.contains(&sha(between(&html, "<script>", "</script>"))),
        "script hash"
    );
    assert_eq!(html.matches("<script").count(), 1);
    for remote in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(remote), "a remote resource: {remote}");
    }
}

#[test]
fn report_is_deterministic_unless_a_time_is_asked_for() {
    let (_, first) = report("model/shop.yaml", &[]);
    let (_, second) = report("model/shop.yaml", &[]);
    assert_eq!(first, second);
    let (_, stamped) = report(
        "model/shop.yaml",
        &["--generated-at", "2026-11-23 10:00 UTC"],
    );
    assert!(stamped.contains("generated <bdi>2026-11-23 10:00 UTC</bdi>"));
}

#[test]
fn xss_payloads_are_text() {
    let (output, html) = report("tests/fixtures/hostile/xss.yaml", &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    for raw in [
        "<img",
        "<iframe",
        "<svg onload",
        "<b onmouseover",
        "<meta http-equiv=refresh",
        "<a href=javascript",
        "<style>body",
        "</title><script",
    ] {
        assert!(!html.contains(raw), "raw `{raw}` in the report");
    }
    assert_eq!(
        html.matches("<script").count(),
        1,
        "only the report's own script"
    );
    assert!(html.contains("&lt;script&gt;document.title=&#39;PWNED-name&#39;&lt;/script&gt;"));
    assert!(
        html.contains("{{ 7*7 }}"),
        "model text is never evaluated as a template"
    );
}

#[test]
fn user_templates_replace_the_built_in_ones() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("report.html"),
        "<html><body>ACME — {{ model.name }} — {{ threats | length }}</body></html>",
    )
    .unwrap();
    let (output, html) = report(
        "model/hello.yaml",
        &["--templates", dir.path().to_str().unwrap()],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(html.starts_with("<html><body>ACME — Hello — "), "{html}");
    std::fs::write(dir.path().join("report.html"), "{% for x in %}").unwrap();
    let (broken, _) = report(
        "model/hello.yaml",
        &["--templates", dir.path().to_str().unwrap()],
    );
    assert_eq!(broken.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&broken.stderr).contains("the report template does not parse"));
}

/// Debian's chromium, headless, with no network chatter of its own.
fn chromium(profile: &Path) -> Command {
    let mut command = Command::new("chromium");
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

#[test]
fn in_chromium_no_payload_runs_and_nothing_is_fetched() {
    let dir = tempfile::tempdir().unwrap();
    let page: PathBuf = dir.path().join("xss.html");
    let (_, html) = report("tests/fixtures/hostile/xss.yaml", &[]);
    std::fs::write(&page, html).unwrap();
    // The payloads point at 127.0.0.1:9; listen there to see whether anything tries to load.
    let listener = std::net::TcpListener::bind("127.0.0.1:9").ok();
    if let Some(listener) = &listener {
        listener.set_nonblocking(true).unwrap();
    }
    let output = chromium(&dir.path().join("profile"))
        .args(["--virtual-time-budget=3000", "--dump-dom"])
        .arg(format!("file://{}", page.display()))
        .output()
        .expect(
            "Debian's chromium must be installed for the report tests: bash .ci/install-deps test",
        );
    let dom = String::from_utf8_lossy(&output.stdout);
    assert!(
        dom.contains("<body>"),
        "chromium rendered nothing: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!dom.contains("data-pwned"), "a payload ran");
    assert!(!dom.contains("<title>PWNED"), "a payload changed the title");
    assert!(dom.contains("id=\"threats\""), "the report rendered");
    if let Some(listener) = listener {
        assert!(
            listener.accept().is_err(),
            "the page made a request to 127.0.0.1:9"
        );
    }
}

#[test]
fn in_chromium_the_shop_report_renders_with_its_script_allowed() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("shop.html");
    let (_, html) = report("model/shop.yaml", &[]);
    std::fs::write(&page, html).unwrap();
    let shot = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("shop-report.png");
    let output = chromium(&dir.path().join("profile"))
        .args([
            "--window-size=1400,2200",
            "--hide-scrollbars",
            "--virtual-time-budget=2000",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        !log.to_lowercase().contains("content security policy"),
        "the CSP blocked part of the report:\n{log}"
    );
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 50_000,
        "screenshot {} is empty",
        shot.display()
    );
}

#[test]
fn a_baseline_puts_what_changed_in_the_summary() {
    let (output, html) = report("model/shop.yaml", &["--baseline", "model/hello.yaml"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let diff = Command::new(env!("CARGO_BIN_EXE_strider"))
        .args([
            "diff",
            "model/hello.yaml",
            "model/shop.yaml",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let diff: serde_json::Value = serde_json::from_slice(&diff.stdout).unwrap();
    let added = diff["added"].as_array().unwrap();
    let removed = diff["removed"].as_array().unwrap();
    assert!(!added.is_empty() && !removed.is_empty());
    let summary = between(&html, "<section id=\"summary\">", "</section>");
    assert!(summary.contains("Since the baseline"));
    assert!(summary.contains("<code><bdi>model/hello.yaml</bdi></code>"));
    assert!(summary.contains(&format!("<b>{}</b> added", added.len())));
    assert!(summary.contains(&format!("<b>{}</b> removed", removed.len())));
    assert_eq!(summary.matches("<tr class=\"added\">").count(), added.len());
    for change in added.iter().chain(removed) {
        let id = change["id"].as_str().unwrap();
        assert!(
            summary.contains(&format!("<code><bdi>{id}</bdi></code>")),
            "{id}"
        );
    }
    // Without a baseline the block is absent; a baseline that does not load is an error.
    let (_, plain) = report("model/shop.yaml", &[]);
    assert!(!plain.contains("Since the baseline"));
    let (bad, _) = report("model/shop.yaml", &["--baseline", "model/nope.yaml"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn bidi_and_control_characters_show_as_markers_never_as_themselves() {
    let (output, html) = report("tests/fixtures/hostile/terminal.yaml", &[]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Not one control, bidi or invisible character anywhere: text, attributes, options, the
    // title, the diagram.
    let hidden: Vec<char> = html
        .chars()
        .filter(|&c| strider::escape::is_hazard(c) && !c.is_ascii_whitespace())
        .collect();
    assert!(hidden.is_empty(), "raw {hidden:?} in the report");
    // The right-to-left override shows as a marker: isolated in the threat table...
    assert!(html.contains(
        "<td><code><bdi>::api<span class=\"ctl\">⟨U+202E⟩</span>gnp.exe</bdi></code></td>"
    ));
    // ...as plain text in attributes and options (so the element filter still matches)...
    assert!(html.contains("data-element=\"::api⟨U+202E⟩gnp.exe\""));
    assert!(html.contains("<option>::api⟨U+202E⟩gnp.exe</option>"));
    assert!(html.contains("<title>Threat model — ::error::name⟨U+001B⟩]52;c;"));
    // ...and in the diagram's labels.
    let svg = between(
        &html,
        "<div class=\"diagram\" id=\"main-diagram\">",
        "</svg>",
    );
    assert!(svg.contains("::api⟨U+202E⟩gnp.exe"), "{svg}");
}

/// `--templates` names a directory that may come from a pull request like the model: its files
/// are read through the same confined reader, so a link out of it (to the environment, with CI
/// tokens in it), a FIFO or an oversized file is refused with a reason, never copied into the
/// report or waited on.
#[test]
fn user_templates_are_read_only_from_their_own_directory() {
    use std::os::unix::fs::symlink;
    let outer = tempfile::tempdir().unwrap();
    let dir = outer.path().join("tpl");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(outer.path().join("secret.txt"), "A_SECRET_TOKEN=hunter2").unwrap();
    let templates = ["--templates", dir.to_str().unwrap()];
    let attempt = |what: &str, reason: &str| {
        let (output, html) = report("model/hello.yaml", &templates);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{what}: {stderr}");
        assert!(stderr.contains("report.css"), "{what}: {stderr}");
        assert!(stderr.contains(reason), "{what}: {stderr}");
        assert!(
            !stderr.contains("hunter2") && !html.contains("hunter2"),
            "{what}"
        );
    };

    symlink(outer.path().join("secret.txt"), dir.join("report.css")).unwrap();
    attempt("a link out of the directory", "outside the directory tree");
    std::fs::remove_file(dir.join("report.css")).unwrap();

    let status = Command::new("mkfifo")
        .arg(dir.join("report.css"))
        .status()
        .unwrap();
    assert!(status.success());
    let started = std::time::Instant::now();
    attempt("a FIFO", "a FIFO");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    std::fs::remove_file(dir.join("report.css")).unwrap();

    let big = std::fs::File::create(dir.join("report.css")).unwrap();
    big.set_len(64 * 1024 * 1024).unwrap();
    attempt("an oversized file", "larger than strider reads");
    std::fs::remove_file(dir.join("report.css")).unwrap();

    // A link that stays inside the directory is followed.
    std::fs::write(dir.join("brand.css"), "body { color: teal }").unwrap();
    symlink("brand.css", dir.join("report.css")).unwrap();
    let (output, html) = report("model/hello.yaml", &templates);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(html.contains("body { color: teal }"));
}
