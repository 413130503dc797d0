//! Properties of the escapes model text goes through (`strider::escape`), over arbitrary strings:
//! terminal text holds no character that drives a terminal or starts a CI-log line, and stays
//! distinguishable; Markdown text and code spans parse, in a real CommonMark parser, back to
//! exactly the (terminal-escaped) text — never to a link, an image, HTML or another code span.

#![allow(
    clippy::unwrap_used,
    reason = "a panic in a test is a failure with a backtrace"
)]

use proptest::prelude::*;
use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
use strider::escape;

/// Hazards and markup-relevant characters, mixed with anything.
fn text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        any::<char>().prop_map(String::from),
        prop::sample::select(vec![
            "\u{1b}",
            "\u{7}",
            "\u{9b}",
            "\r",
            "\n",
            "\t",
            "\u{202e}",
            "\u{2066}",
            "\u{2028}",
            "\u{2029}",
            "\u{200b}",
            "\u{feff}",
            "\u{85}",
            "::error::",
            "##vso[",
            "##VsO[",
            "vso[",
            "##[",
            "#",
            "`",
            "``",
            "[",
            "](",
            ")",
            "!",
            "<",
            ">",
            "&",
            "&amp;",
            "*",
            "_",
            "|",
            "\\",
            " ",
            "  ",
            "https://x.y/",
            "www.x.y",
            "a@b.c",
            "mailto:",
            "xmpp:",
            "\u{a0}",
            "-",
            "1.",
            "=",
            "~",
            "{",
            "}",
        ])
        .prop_map(str::to_owned),
        "[a-z]{1,4}",
    ];
    prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
}

fn hazard() -> impl Strategy<Value = char> {
    prop_oneof![
        prop::char::range('\u{0}', '\u{1f}'),
        prop::char::range('\u{7f}', '\u{9f}'),
        prop::sample::select(vec![
            '\u{200b}', '\u{200e}', '\u{200f}', '\u{202a}', '\u{202e}', '\u{2028}', '\u{2029}',
            '\u{2066}', '\u{2069}', '\u{61c}', '\u{feff}',
        ]),
    ]
}

/// The events of a one-paragraph document, inside the paragraph.
fn inline_events(markdown: &str) -> Vec<Event<'_>> {
    let events: Vec<Event<'_>> = Parser::new_ext(markdown, Options::ENABLE_TABLES).collect();
    assert!(
        matches!(events.first(), Some(Event::Start(Tag::Paragraph)))
            && matches!(events.last(), Some(Event::End(TagEnd::Paragraph))),
        "not one paragraph: {markdown:?} → {events:?}"
    );
    events[1..events.len() - 1].to_vec()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn terminal_text_has_no_hazard_and_no_logging_command(s in text()) {
        let shown = escape::terminal(&s);
        prop_assert!(!shown.chars().any(escape::is_hazard), "{shown:?}");
        let lower = shown.to_ascii_lowercase();
        prop_assert!(!lower.contains("##vso[") && !lower.contains("##["), "{shown:?}");
        prop_assert!(!shown.contains('\n') && !shown.contains('\r'));
    }

    #[test]
    fn terminal_text_keeps_hazards_apart(
        s in text(), at in any::<prop::sample::Index>(), a in hazard(), b in hazard()
    ) {
        let chars: Vec<char> = s.chars().collect();
        let at = at.index(chars.len() + 1);
        let with = |c: Option<char>| -> String {
            chars[..at].iter().copied().chain(c).chain(chars[at..].iter().copied()).collect()
        };
        let (sa, sb, none) = (with(Some(a)), with(Some(b)), with(None));
        prop_assert_ne!(escape::terminal(&sa), escape::terminal(&none));
        if a != b {
            prop_assert_ne!(escape::terminal(&sa), escape::terminal(&sb));
        }
    }

    #[test]
    fn terminal_messages_start_every_line_with_striders_mark(s in text()) {
        let message = escape::terminal_message(&format!("cannot read `{s}`"));
        for line in message.lines().skip(1) {
            prop_assert!(line.starts_with("  | ") || line.starts_with("  hint: "), "{line:?}");
        }
        prop_assert!(!message.chars().any(|c| c != '\n' && escape::is_hazard(c)));
    }

    #[test]
    fn markdown_text_parses_back_to_the_text_and_nothing_else(s in text()) {
        let markdown = format!("x {} x", escape::markdown(&s));
        let mut seen = String::new();
        for event in inline_events(&markdown) {
            match event {
                Event::Text(text) => seen.push_str(&text),
                // A word GFM's autolink extension could link is a code span: one word, whole.
                Event::Code(word) if escape::autolinkable(&word) && !word.contains(char::is_whitespace) => {
                    seen.push_str(&word);
                }
                other => prop_assert!(false, "{other:?} from {s:?} ({markdown:?})"),
            }
        }
        prop_assert_eq!(seen, format!("x {} x", escape::terminal(&s)));
    }

    #[test]
    fn code_spans_parse_back_to_one_span_of_the_text(s in text()) {
        let markdown = format!("x {} x", escape::code_span(&s));
        let events = inline_events(&markdown);
        let codes: Vec<&Event<'_>> = events.iter().filter(|e| !matches!(e, Event::Text(_))).collect();
        let expected = if s.is_empty() { " ".to_owned() } else { escape::terminal(&s).into_owned() };
        prop_assert!(
            matches!(codes.as_slice(), [Event::Code(code)] if **code == *expected),
            "{s:?} → {markdown:?} → {events:?}"
        );
    }

    #[test]
    fn marked_and_isolated_html_hold_no_hidden_character(s in text()) {
        let html = escape::html_isolated(&s);
        prop_assert!(!html.chars().any(|c| escape::is_hazard(c) && !c.is_ascii_whitespace()));
        prop_assert!(html.starts_with("<bdi>") && html.ends_with("</bdi>"));
        prop_assert_eq!(html.matches('<').count(), 2 + 2 * html.matches("<span class=\"ctl\">").count());
        prop_assert!(!escape::marked(&s).chars().any(|c| escape::is_hazard(c) && !c.is_ascii_whitespace()));
    }
}
