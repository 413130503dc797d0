//! Escaping of model text, in one place: every output that embeds model strings in markup
//! (graphviz HTML labels, Markdown, the HTML report) starts from [`html`]; every model-derived
//! string printed to a terminal or a CI log goes through [`terminal`].

use std::borrow::Cow;

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

/// Text safe to print to a terminal or a CI log: every [`is_hazard`] character (tab and newline
/// included) shown escaped as `\u{1b}`, so model text can neither drive the terminal nor start a
/// line of its own. Borrowed when there is nothing to escape.
#[must_use]
pub fn terminal(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_hazard) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_hazard(c) {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
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
    fn markup_characters_are_escaped() {
        assert_eq!(
            super::html(r#"<a href="x" title='y'>&</a>"#),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;"
        );
    }
}
