//! Escaping of model text, in one place. Model text is untrusted: it arrives in pull requests.
//!
//! - [`terminal`] for every model-derived string printed to a terminal or a CI log: control,
//!   bidi and invisible characters are shown escaped (`\u{1b}`), so model text can neither drive
//!   the terminal (ANSI/OSC sequences, a carriage return that rewrites a line) nor start a line of
//!   its own (a newline followed by a GitHub Actions workflow command such as `::error::` or
//!   `::stop-commands::`); and `##` is broken (`\u{23}#`), so it cannot spell an Azure Pipelines
//!   logging command (`##vso[…]`, `##[group]`), which that runner honours anywhere in a line.
//!   [`terminal_message`] is the same for strider's own multi-line messages that embed model text.
//!   Callers also make sure no line of output *begins* with model text: every line starts with
//!   strider's own words or marks.
//! - [`html`] for HTML, XML and graphviz HTML labels; [`html_isolated`] adds what the HTML report
//!   needs: bidi and invisible characters shown as a visible marker (`⟨U+202E⟩`) and the text
//!   isolated in a `<bdi>`, so `gnp.exe` with a right-to-left override shows as what it is.
//!   [`marked`] is the marker alone, for plain-text places (attributes, `<option>`, diagram labels).
//! - [`markdown`] and [`code_span`] for Markdown (CommonMark/GFM): every ASCII punctuation
//!   character backslash-escaped (no emphasis, link, image, heading, table or autolink can start),
//!   `<`, `>` and `&` as entities (CommonMark passes raw HTML through), a word GFM's autolink
//!   extension could link despite the escapes (an e-mail address, `www.`, a URL) as a code span,
//!   and code spans fenced with more backticks than the content holds. Both go through [`terminal`] first, so Markdown
//!   printed to a terminal is safe too.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` must not reach a terminal or a log as itself: C0 and C1 controls (escape sequences,
/// carriage returns that overwrite a line, newlines that start a CI workflow command), DEL, and
/// the invisible characters that reorder or hide text (bidi embeddings, overrides and isolates,
/// directional marks, line and paragraph separators, zero-width characters, BOM).
#[must_use]
pub fn is_hazard(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{061C}'
                | '\u{FEFF}'
        )
}

/// Whether the `#` just before `rest` starts an Azure Pipelines logging command (`##vso[`, any
/// case, or `##[`), which that runner honours anywhere in a line.
fn starts_logging_command(rest: &str) -> bool {
    let rest = rest.as_bytes();
    rest.starts_with(b"#[")
        || rest
            .get(..5)
            .is_some_and(|r| r.eq_ignore_ascii_case(b"#vso["))
}

/// `text` with the first `#` of every `##vso[` or `##[` written as `hash` (an entity such as
/// `&#35;` in markup that is printed raw, a DOT diagram on stdout): what a reader sees stays the
/// same, what an Azure Pipelines log reads is no command.
#[must_use]
pub fn logging_commands_broken<'a>(text: &'a str, hash: &str) -> Cow<'a, str> {
    let command = |(at, c): (usize, char)| c == '#' && starts_logging_command(&text[at + 1..]);
    if !text.char_indices().any(command) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (at, c) in text.char_indices() {
        if command((at, c)) {
            out.push_str(hash);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text safe to print to a terminal or a CI log: every [`is_hazard`] character (tab and newline
/// included) shown escaped as `\u{1b}`, so model text can neither drive the terminal nor start a
/// line of its own; and the first `#` of `##vso[` or `##[` shown as `\u{23}`, so no Azure
/// Pipelines logging command survives. Borrowed when there is nothing to escape.
#[must_use]
pub fn terminal(text: &str) -> Cow<'_, str> {
    let command = |(at, c): (usize, char)| c == '#' && starts_logging_command(&text[at + 1..]);
    if !text.chars().any(is_hazard) && !text.char_indices().any(command) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for (at, c) in text.char_indices() {
        if is_hazard(c) || command((at, c)) {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// One of strider's own messages (an error, a warning) that may embed model text, for a terminal
/// or a CI log: each line escaped with [`terminal`], and every line after the first indented and
/// starting with strider's mark — `hint:` lines as they are, others after `| ` — so that text
/// embedded after a line break cannot begin a line.
#[must_use]
pub fn terminal_message(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for (i, line) in text.split('\n').enumerate() {
        if i == 0 {
            out.push_str(&terminal(line));
            continue;
        }
        out.push('\n');
        if let Some(hint) = line.trim_start().strip_prefix("hint: ") {
            out.push_str("  hint: ");
            out.push_str(&terminal(hint));
        } else {
            out.push_str("  | ");
            out.push_str(&terminal(line));
        }
    }
    out
}

/// Whether the HTML report and the diagram show `c` as a marker: every [`is_hazard`] character
/// but the whitespace that markup reads as a space (tab, newline, carriage return, form feed).
fn is_marked(c: char) -> bool {
    is_hazard(c) && !c.is_ascii_whitespace()
}

/// The visible marker for a hidden character: `⟨U+202E⟩`.
fn marker(c: char) -> String {
    format!("⟨U+{:04X}⟩", u32::from(c))
}

/// Text with its control, bidi and invisible characters replaced by a visible marker
/// (`⟨U+202E⟩`), for places that hold plain text only: attributes, `<option>`, `<title>`,
/// diagram labels. Borrowed when there is nothing to mark.
#[must_use]
pub fn marked(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_marked) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(
        text.chars()
            .map(|c| {
                if is_marked(c) {
                    marker(c)
                } else {
                    c.to_string()
                }
            })
            .collect(),
    )
}

/// Model text as HTML content in the report: escaped ([`html`]), each control, bidi or invisible
/// character shown as a styled marker `<span class="ctl">⟨U+202E⟩</span>`, and the whole isolated
/// in a `<bdi>` so that right-to-left text can neither reorder what surrounds it nor hide.
#[must_use]
pub fn html_isolated(text: &str) -> String {
    format!("<bdi>{}</bdi>", html_marked(text))
}

/// [`html`] with each control, bidi or invisible character shown as a styled marker
/// (`<span class="ctl">⟨U+202E⟩</span>`), never as itself.
#[must_use]
pub fn html_marked(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_marked(c) {
            let _ = write!(out, "<span class=\"ctl\">{}</span>", marker(c));
        } else {
            out.push_str(&html(c.encode_utf8(&mut [0; 4])));
        }
    }
    out
}

/// Model text for Markdown prose, in the middle of a line (headings, list items — never at a
/// line's start, never in a table cell): [`terminal`] first (no control characters, no line
/// breaks: one line, whatever the input), then the ASCII punctuation backslash-escaped — no
/// emphasis, link, image, autolink, math (`$`), strikethrough, table cell or code span can
/// start — except `<`, `>` and `&`, written as entities so no raw HTML or entity reaches the
/// renderer, and the characters that mean something only at a line's start (`-`, `+`, `=`) or
/// never (`,`, `/`, `;`, quotes, `?`, `%`), kept readable.
///
/// Escapes do not stop GFM's autolink extension (GitHub's renderer links `a\@b\.c` as an
/// e-mail address): each word that could become one ([`autolinkable`]) is a [`code_span`]
/// instead, where no link forms. An autolink never spans whitespace, so the words around it
/// stay prose.
#[must_use]
pub fn markdown(text: &str) -> String {
    let text = terminal(text);
    let mut out = String::with_capacity(text.len() + 8);
    let mut rest = text.as_ref();
    while !rest.is_empty() {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let (word, after) = rest.split_at(end);
        if autolinkable(word) {
            out.push_str(&code_span(word));
        } else {
            escape_markdown_word(word, &mut out);
        }
        let space = after.len() - after.trim_start_matches(char::is_whitespace).len();
        out.push_str(&after[..space]);
        rest = &after[space..];
    }
    out
}

/// Whether GFM's autolink extension could make a link of some part of `word` (text without
/// whitespace): an e-mail address (also after `mailto:` or `xmpp:`) needs an `@`, a URL `://`,
/// a bare name `www.` (checked in any case, to be safe).
#[must_use]
pub fn autolinkable(word: &str) -> bool {
    word.contains('@')
        || word.contains("://")
        || word
            .as_bytes()
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"www."))
}

/// One word of [`markdown`] prose, its punctuation escaped.
fn escape_markdown_word(word: &str, out: &mut String) {
    for c in word.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            // Inert in the middle of a line (where strider puts model text): kept readable.
            '-' | ',' | '/' | ';' | '\'' | '"' | '?' | '%' | '=' | '+' => out.push(c),
            c if c.is_ascii_punctuation() => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
}

/// Model text as a Markdown code span the content cannot close: [`terminal`] first (one line),
/// fenced with one more backtick than the longest run of backticks inside, and padded with a
/// space when the content starts or ends with a backtick, or with a space on both sides
/// (CommonMark strips one space on each side). Inside a code span nothing is markup, so nothing else needs escaping —
/// but a GFM table splits cells on `|` even there: table cells replace `|` with `\|`.
#[must_use]
pub fn code_span(text: &str) -> String {
    let content = terminal(text);
    if content.is_empty() {
        return "` `".to_owned();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in content.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    // CommonMark strips one space from each side when both are spaces (and not all is space).
    let stripped = content.starts_with(' ') && content.ends_with(' ') && content.trim() != "";
    let pad = if content.starts_with('`') || content.ends_with('`') || stripped {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{content}{pad}{fence}")
}

/// JSON text (serde_json's output) safe to print to a terminal or a CI log: the characters
/// serde_json leaves raw in strings that [`is_hazard`] names (C1 controls such as CSI, DEL, bidi
/// and invisible characters, line separators), and the first `#` of `##vso[` or `##[`, written
/// as `\uXXXX` escapes — the same JSON value. Outside strings serde_json writes ASCII layout
/// only (and no `#`), so only strings change.
#[must_use]
pub fn json(text: Vec<u8>) -> Vec<u8> {
    let Ok(text) = String::from_utf8(text) else {
        return Vec::new();
    };
    // serde_json escapes C0 controls in strings; raw ones are its own layout (newlines, spaces).
    let raw = |(at, c): (usize, char)| {
        (is_hazard(c) && (!c.is_ascii() || c == '\u{7f}'))
            || (c == '#' && starts_logging_command(&text[at + 1..]))
    };
    if !text.char_indices().any(raw) {
        return text.into_bytes();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for (at, c) in text.char_indices() {
        if raw((at, c)) {
            // Every hazard is in the Basic Multilingual Plane: one `\uXXXX` each.
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    out.into_bytes()
}

/// Text safe inside HTML or XML content and quoted attributes: `&`, `<`, `>`, `"` and `'` escaped.
#[must_use]
pub fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn terminal_text_cannot_drive_the_terminal_or_start_a_line() {
        let hostile =
            "ok\u{1b}]52;c;ZWNobw==\u{7}\n::error::pwned\r\u{9b}2J\u{202e}gnp.exe\u{2028}x\ty";
        let shown = super::terminal(hostile);
        assert!(!shown.chars().any(super::is_hazard), "{shown}");
        assert_eq!(
            shown,
            "ok\\u{1b}]52;c;ZWNobw==\\u{7}\\u{a}::error::pwned\\u{d}\\u{9b}2J\\u{202e}gnp.exe\\u{2028}x\\u{9}y"
        );
        assert!(matches!(
            super::terminal("plain ünïcode"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn azure_logging_commands_are_broken_anywhere_in_a_line() {
        assert_eq!(
            super::terminal("x ##vso[task.setvariable variable=a]1 ##[group]g ###VSO[ ## h"),
            "x \\u{23}#vso[task.setvariable variable=a]1 \\u{23}#[group]g #\\u{23}#VSO[ ## h"
        );
        assert_eq!(super::terminal("# one ## two"), "# one ## two");
    }

    #[test]
    fn message_lines_after_the_first_start_with_striders_mark() {
        assert_eq!(
            super::terminal_message(
                "cannot read `a\n::error::x`\n  hint: run `b\u{1b}`\ncargo: failed"
            ),
            "cannot read `a\n  | ::error::x`\n  hint: run `b\\u{1b}`\n  | cargo: failed"
        );
    }

    #[test]
    fn hidden_characters_are_marked_and_html_is_isolated() {
        assert_eq!(super::marked("gnp\u{202e}.exe\ta"), "gnp⟨U+202E⟩.exe\ta");
        assert_eq!(
            super::html_isolated("<b>\u{202e}exe.png\u{200b}"),
            "<bdi>&lt;b&gt;<span class=\"ctl\">⟨U+202E⟩</span>exe.png<span class=\"ctl\">⟨U+200B⟩</span></bdi>"
        );
    }

    #[test]
    fn markdown_metacharacters_are_escaped() {
        assert_eq!(
            super::markdown("[x](http://e.com) ![i](j) <img> `a` *b* _c_ | # &amp; \\ www.e.com"),
            "`[x](http://e.com)` \\!\\[i\\]\\(j\\) &lt;img&gt; \\`a\\` \\*b\\* \\_c\\_ \\| \\# &amp;amp; \\\\ `www.e.com`"
        );
        assert_eq!(super::markdown("a\nb"), "a\\\\u\\{a\\}b");
    }

    #[test]
    fn words_gfm_would_autolink_are_code_spans() {
        assert_eq!(
            super::markdown(
                "mail a@e.com, mailto:b@e.com xmpp:c@e.com/r WWW.E.COM x HTTPS://e.com e.com"
            ),
            "mail `a@e.com,` `mailto:b@e.com` `xmpp:c@e.com/r` `WWW.E.COM` x `HTTPS://e.com` e\\.com"
        );
        assert_eq!(super::markdown("`a@b`\u{a0}x"), "`` `a@b` ``\u{a0}x");
        assert!(!super::autolinkable("e.com: see x/y"));
    }

    #[test]
    fn code_spans_cannot_be_closed_by_their_content() {
        assert_eq!(super::code_span("id"), "`id`");
        assert_eq!(super::code_span("a`b"), "``a`b``");
        assert_eq!(super::code_span("``x"), "``` ``x ```");
        assert_eq!(super::code_span(" x"), "` x`");
        assert_eq!(super::code_span(" x "), "`  x  `");
        assert_eq!(super::code_span("  "), "`  `");
        assert_eq!(super::code_span(""), "` `");
        assert_eq!(super::code_span("a\nb"), "`a\\u{a}b`");
    }

    #[test]
    fn json_keeps_its_value_and_loses_its_hazards() {
        let value =
            serde_json::json!({"id": "a\u{202e}b\u{9b}c\u{2028}\n\u{1b}##vso[", "ok": "ü #"});
        let raw = serde_json::to_vec_pretty(&value).unwrap_or_default();
        let safe = super::json(raw);
        let text = String::from_utf8(safe.clone()).unwrap_or_default();
        assert!(
            !text.chars().any(|c| c != '\n' && super::is_hazard(c)),
            "{text}"
        );
        assert!(
            text.contains("a\\u202eb\\u009bc\\u2028\\n\\u001b"),
            "{text}"
        );
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&safe).ok(),
            Some(value)
        );
    }

    #[test]
    fn markup_characters_are_escaped() {
        assert_eq!(
            super::html(r#"<a href="x" title='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
