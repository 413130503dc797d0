//! Model text printed to terminals, CI logs and pull requests, from a hostile model
//! (`tests/fixtures/hostile/terminal.yaml`): nothing it holds may drive the terminal, start a
//! line of the log (GitHub Actions workflow commands), spell an Azure Pipelines logging command,
//! or become a link, an image or HTML in the Markdown report — and it still shows, escaped.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

mod common;

use std::process::Output;

use common::run as strider;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

const HOSTILE: &str = "tests/fixtures/hostile/terminal.yaml";
const CLEAN: &str = "tests/fixtures/clean.yaml";
const TODAY: &str = "2026-11-23";

/// Every byte and line of a command's output is safe for a terminal and a CI log. Every string
/// of the fixture starts with `::` or `##`, so a line starting with model text shows.
fn assert_terminal_safe(what: &str, bytes: &[u8]) {
    for (byte, name) in [(0x1b, "ESC"), (0x07, "BEL"), (0x9b, "CSI"), (b'\r', "CR")] {
        assert!(!bytes.contains(&byte), "{what}: a raw {name} byte");
    }
    let text = String::from_utf8(bytes.to_vec()).unwrap();
    let hidden: Vec<char> = text
        .chars()
        .filter(|&c| c != '\n' && strider::escape::is_hazard(c))
        .collect();
    assert!(hidden.is_empty(), "{what}: raw {hidden:?}");
    for command in ["##vso[", "##[", "\u{1b}"] {
        assert!(!text.contains(command), "{what}: `{command}` in\n{text}");
    }
    for line in text.lines() {
        let start = line.trim_start();
        assert!(
            !start.starts_with("::"),
            "{what}: a line starts with model text: {line:?}"
        );
    }
}

fn threat_ids(model: &str) -> Vec<String> {
    let output = strider(&["analyze", model, "--format", "json", "--today", TODAY]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    json["threats"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn hostile_model_text_cannot_drive_the_terminal_or_the_ci_log() {
    let mut runs: Vec<(String, Output)> = Vec::new();
    let mut run = |args: &[&str]| runs.push((args.join(" "), strider(args)));
    run(&["validate", HOSTILE]);
    run(&["analyze", HOSTILE, "--today", TODAY]);
    run(&["analyze", HOSTILE, "--today", TODAY, "--fail-on", "low"]);
    run(&["analyze", HOSTILE, "--today", TODAY, "--format", "markdown"]);
    run(&["analyze", HOSTILE, "--today", TODAY, "--format", "json"]);
    run(&["analyze", HOSTILE, "--today", TODAY, "--format", "sarif"]);
    run(&["diff", CLEAN, HOSTILE, "--format", "json"]);
    run(&["diff", CLEAN, HOSTILE]);
    run(&["diff", HOSTILE, CLEAN]);
    let ids = threat_ids(HOSTILE);
    assert!(ids.len() > 5, "{ids:?}");
    for id in &ids {
        run(&["explain", id, HOSTILE]);
    }
    run(&["explain", "STR-001@::x\n::error::nope\u{1b}[2J", HOSTILE]);
    run(&["explain", "::error::no-rule\u{1b}]52;c;eA==\u{7}"]);
    let out = tempfile::tempdir().unwrap();
    let out = out.path().join("fuzz");
    let out = out.to_str().unwrap();
    run(&["fuzz", "init", HOSTILE, "-o", out]);
    run(&[
        "fuzz",
        "init",
        HOSTILE,
        "-o",
        out,
        "--function",
        "::fn\n::error::x\u{1b}[2J",
    ]);
    run(&[
        "fuzz",
        "run",
        "::target\n::error::x\u{1b}]52;c;eA==\u{7}",
        "-C",
        out,
        "--time",
        "1",
    ]);
    for (what, output) in &runs {
        assert_terminal_safe(&format!("{what} (stdout)"), &output.stdout);
        assert_terminal_safe(&format!("{what} (stderr)"), &output.stderr);
    }
    // The model text still shows, escaped: the table, the warnings, the summary.
    let (_, analyze) = &runs[1];
    let table = String::from_utf8_lossy(&analyze.stdout);
    assert!(
        table.starts_with(
            "threat model ::error::name\\u{1b}]52;c;cHduZWQ=\\u{7}\\u{1b}[2J\\u{d}ok: all clear\\u{a}::stop-commands::tok"
        ),
        "{table}"
    );
    assert!(table.contains("::api\\u{202e}gnp.exe"), "{table}");
    assert!(table.contains("\\u{23}#[group]"), "{table}");
    let warnings = String::from_utf8_lossy(&analyze.stderr);
    assert!(
        warnings.contains("warning: the acceptance of `STR-008@::table\\u{d}\\u{a}ok: store`"),
        "{warnings}"
    );
    let (_, validate) = &runs[0];
    assert!(validate.status.success());
    assert!(
        String::from_utf8_lossy(&validate.stdout).starts_with("ok: model `::error::name\\u{1b}")
    );
    let (_, diff) = &runs[7];
    assert!(
        String::from_utf8_lossy(&diff.stdout)
            .contains("+ critical STR-001@::fn`](https://127.0.0.1:9/)\\u{a}::error::fn")
    );
}

/// The strider-made HTML of the Markdown report: its `<details>` blocks, with no other tag.
fn assert_only_striders_html(html: &str) {
    let mut rest = html.to_owned();
    for tag in [
        "<details>",
        "</details>",
        "<summary>",
        "</summary>",
        "<code>",
        "</code>",
    ] {
        rest = rest.replace(tag, "");
    }
    assert!(!rest.contains('<'), "HTML from the model: {html:?}");
}

#[test]
fn hostile_model_text_is_plain_text_in_the_markdown_report() {
    let output = strider(&["analyze", HOSTILE, "--format", "markdown", "--today", TODAY]);
    assert!(output.status.success());
    let markdown = String::from_utf8(output.stdout).unwrap();
    let mut codes: Vec<String> = Vec::new();
    let mut heading: Option<String> = None;
    let mut headings: Vec<String> = Vec::new();
    let mut cells = 0;
    let mut rows: Vec<usize> = Vec::new();
    for event in Parser::new_ext(&markdown, Options::ENABLE_TABLES) {
        match event {
            Event::Html(html) | Event::InlineHtml(html) => assert_only_striders_html(&html),
            Event::Start(tag @ (Tag::Link { .. } | Tag::Image { .. })) => {
                panic!("a {tag:?} in the Markdown report:\n{markdown}")
            }
            Event::Start(Tag::Heading { .. }) => heading = Some(String::new()),
            Event::End(TagEnd::Heading(_)) => headings.extend(heading.take()),
            Event::Start(Tag::TableRow | Tag::TableHead) => cells = 0,
            Event::Start(Tag::TableCell) => cells += 1,
            Event::End(TagEnd::TableRow | TagEnd::TableHead) => rows.push(cells),
            Event::Text(text) => {
                if let Some(heading) = &mut heading {
                    heading.push_str(&text);
                }
            }
            Event::Code(code) => {
                if let Some(heading) = &mut heading {
                    heading.push_str(&code);
                }
                codes.push(code.into_string());
            }
            _ => {}
        }
    }
    // Strider's headings only, the model's name in the first as text.
    assert_eq!(headings.len(), 3, "{headings:?}");
    assert_eq!(
        headings[0],
        "strider threat model: ::error::name\\u{1b}]52;c;cHduZWQ=\\u{7}\\u{1b}[2J\\u{d}ok: all clear\\u{a}::stop-commands::tok [home](https://127.0.0.1:9/) <img src=x>"
    );
    assert!(headings[1].starts_with("Attack paths") && headings[2].starts_with("Blast radius"));
    // No cell was split or merged: threat table (5), paths (2), blast radius (6).
    assert!(rows.iter().all(|&n| n == 5 || n == 2 || n == 6), "{rows:?}");
    // Every threat id shows whole, as one code span, in the table.
    for id in threat_ids(HOSTILE) {
        let shown = strider::escape::terminal(&id).into_owned();
        assert!(codes.contains(&shown), "{shown} not among {codes:?}");
    }
}

/// The rendered text outside `<code>` elements, tags dropped.
fn text_outside_code(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if rest.starts_with("<code>") {
            rest = rest.find("</code>").map_or("", |end| &rest[end..]);
        }
        rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
        out.push(' ');
    }
    out.push_str(rest);
    out
}

/// GitHub renders Markdown with GFM's autolink extension, which links bare e-mail addresses,
/// `mailto:`/`xmpp:` addresses, `www.` names and `http(s)://` URLs in text. Rendered with
/// autolinks on (comrak), the report holds no link; and since GitHub's cmark-gfm links an
/// address even when its punctuation is backslash-escaped (comrak does not), nothing an
/// autolinker could take (`@`, `www.`, `://`) may be left in the rendered text outside code.
/// The addresses still show, as code.
#[test]
fn model_addresses_are_no_links_on_github() {
    let model = "tests/fixtures/hostile/autolinks.yaml";
    let mut runs = vec![strider(&[
        "analyze", model, "--format", "markdown", "--today", TODAY,
    ])];
    for id in threat_ids(model) {
        runs.push(strider(&["explain", &id, model]));
    }
    assert!(runs.len() > 5);
    let mut options = comrak::Options::default();
    options.extension.autolink = true;
    options.extension.table = true;
    options.extension.strikethrough = true;
    for output in &runs {
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let markdown = String::from_utf8(output.stdout.clone()).unwrap();
        let html = comrak::markdown_to_html(&markdown, &options);
        assert!(!html.contains("<a "), "a link in\n{markdown}\n→\n{html}");
        let text = text_outside_code(&html).to_ascii_lowercase();
        for linkable in ["@", "www.", "://"] {
            assert!(
                !text.contains(linkable),
                "`{linkable}` outside code in\n{markdown}\n→\n{html}"
            );
        }
    }
    let html = comrak::markdown_to_html(&String::from_utf8_lossy(&runs[0].stdout), &options);
    for shown in [
        "mail <code>attacker@evil.com</code> or <code>mailto:a@evil.com</code>",
        "see <code>www.evil.com,</code> <code>http://evil.com/x</code>",
        "<code>https://evil.com/api</code> → <code>mailto:fn@evil.com</code>",
    ] {
        assert!(html.contains(shown), "{shown} not in\n{html}");
    }
}
