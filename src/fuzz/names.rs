//! The names a handler may read — query and path parameters, headers, body and message fields,
//! attributes — gathered for the generators (`strider_events::Plan::names`) and the libFuzzer
//! dictionary: the route template's parameters, the input schema's property names, and the names
//! the handler's source uses. A generator that only knows `limit` and `q` never sends the
//! `document_url` a handler reads; one that read the handler's source does.
//!
//! Sources are scanned per language, by file extension, with a small lexer each (comments and
//! strings told apart, nothing parsed): Rust (string literals, and the fields of structs that
//! derive `Deserialize`), Python (`event["x"]`, `body.get("x")`) and JavaScript/TypeScript
//! (`event.queryStringParameters.x`, `event["x"]`, `const { x } = body`). Names found where a
//! value is looked up come first, then every other literal that looks like a name.
//!
//! Everything read is hostile and bounded: files, bytes and names are capped, and only names of
//! at most [`MAX_NAME_BYTES`] ASCII letters, digits and `_-.:` are kept, so none can break the
//! generated code (which quotes them anyway) or flood a generator.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{FuzzPlan, Target};
use crate::files::Tree;

/// The most names a target gets.
pub const MAX_NAMES: usize = 256;
/// The longest name kept.
pub const MAX_NAME_BYTES: usize = 64;
/// The most source files read per handler.
pub const MAX_FILES: usize = 256;
/// The largest source file read (larger ones are skipped: generated code, bundles).
pub const MAX_FILE_BYTES: u64 = 512 * 1024;
/// The most source bytes read per handler.
pub const MAX_SOURCE_BYTES: usize = 4 * 1024 * 1024;
/// How deep the schema's properties are followed.
const MAX_SCHEMA_DEPTH: usize = 8;
/// The most schema nodes visited (a schema can be large or refer to itself).
const MAX_SCHEMA_NODES: usize = 4096;

/// A source language the scanner knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    /// Rust.
    Rust,
    /// Python.
    Python,
    /// JavaScript or TypeScript.
    JavaScript,
}

impl Language {
    /// The language of a file, by its extension.
    #[must_use]
    pub fn of(path: &Path) -> Option<Language> {
        match path.extension()?.to_str()? {
            "rs" => Some(Language::Rust),
            "py" => Some(Language::Python),
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" => {
                Some(Language::JavaScript)
            }
            _ => None,
        }
    }
}

/// Whether `text` can be a name a generator sends: 1 to [`MAX_NAME_BYTES`] ASCII letters,
/// digits, `_`, `-`, `.` and `:`, starting with a letter or `_`.
#[must_use]
pub fn is_name(text: &str) -> bool {
    let bytes = text.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_NAME_BYTES
        && (bytes[0].is_ascii_alphabetic() || bytes[0] == b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':'))
}

/// Whether `text` can be a literal value a generator sends as is: 2 to [`MAX_NAME_BYTES`] bytes
/// of printable ASCII (spaces included).
#[must_use]
pub fn is_value(text: &str) -> bool {
    (2..=MAX_NAME_BYTES).contains(&text.len())
        && text.bytes().all(|b| b == b' ' || b.is_ascii_graphic())
}

/// Names in order of relevance, each once: those read where a value is looked up first.
#[derive(Debug, Default, Clone)]
pub struct Found {
    read: Vec<String>,
    other: Vec<String>,
    seen: BTreeSet<String>,
    values: Vec<String>,
    seen_values: BTreeSet<String>,
}

impl Found {
    /// Adds a name found where a value is looked up (`event["x"]`, `.get("x")`, a field).
    pub fn read(&mut self, name: &str) {
        if is_name(name) && self.seen.insert(name.to_owned()) {
            self.read.push(name.to_owned());
        }
    }

    /// Adds any other literal that looks like a name.
    pub fn other(&mut self, name: &str) {
        if is_name(name) && self.seen.insert(name.to_owned()) {
            self.other.push(name.to_owned());
        }
    }

    /// Adds a literal that is not looked up, so it may be a value the handler compares with (a
    /// token, an enum's word, a magic string, a command): printable ASCII, 2 to
    /// [`MAX_NAME_BYTES`] bytes.
    pub fn value(&mut self, text: &str) {
        if is_value(text) && self.seen_values.insert(text.to_owned()) {
            self.values.push(text.to_owned());
        }
    }

    /// The literal values, in order of appearance, at most [`MAX_NAMES`].
    #[must_use]
    pub fn values(&self) -> Vec<String> {
        self.values.iter().take(MAX_NAMES).cloned().collect()
    }

    /// The names, most relevant first, at most [`MAX_NAMES`].
    #[must_use]
    pub fn into_names(self) -> Vec<String> {
        let mut names = self.read;
        names.extend(self.other);
        names.truncate(MAX_NAMES);
        names
    }

    fn absorb(&mut self, other: Found) {
        for name in other.read {
            self.read(&name);
        }
        for name in other.other {
            self.other(&name);
        }
        for value in other.values {
            self.value(&value);
        }
    }
}

/// The parameters of a route template: `/orders/{id}` gives `id`, `/{proxy+}` gives `proxy`.
#[must_use]
pub fn route(path: &str) -> Vec<String> {
    let mut names = Vec::new();
    for segment in path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            let name = name.trim_end_matches('+');
            if is_name(name) && !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
        }
    }
    names
}

/// The property names of a JSON Schema, outer ones first (a bounded walk of `properties`,
/// `items`, `$defs`, `definitions`, `allOf`/`anyOf`/`oneOf`, `required`).
#[must_use]
pub fn schema(schema: &Value) -> Vec<String> {
    let mut found = Found::default();
    let mut queue = std::collections::VecDeque::from([(schema, 0usize)]);
    let mut visited = 0;
    while let Some((node, depth)) = queue.pop_front() {
        visited += 1;
        if visited > MAX_SCHEMA_NODES || depth > MAX_SCHEMA_DEPTH {
            break;
        }
        let Value::Object(map) = node else { continue };
        if let Some(Value::Object(properties)) = map.get("properties") {
            for (name, sub) in properties {
                found.read(name);
                queue.push_back((sub, depth + 1));
            }
        }
        if let Some(Value::Array(required)) = map.get("required") {
            required
                .iter()
                .filter_map(Value::as_str)
                .for_each(|n| found.read(n));
        }
        for key in ["items", "additionalProperties", "not"] {
            if let Some(sub) = map.get(key) {
                queue.push_back((sub, depth + 1));
            }
        }
        for key in ["allOf", "anyOf", "oneOf", "prefixItems"] {
            if let Some(Value::Array(subs)) = map.get(key) {
                queue.extend(subs.iter().map(|s| (s, depth + 1)));
            }
        }
        for key in ["$defs", "definitions"] {
            if let Some(Value::Object(defs)) = map.get(key) {
                queue.extend(defs.values().map(|s| (s, depth + 1)));
            }
        }
    }
    found.into_names()
}

/// What a lexer yields: identifiers, string literals (`None` when the literal has escapes or
/// interpolation, which no name has) and punctuation.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token<'a> {
    Ident(&'a str),
    Str(Option<&'a str>),
    Punct(u8),
}

/// A lexer's state over one file.
struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Self {
        Lexer {
            text,
            bytes: text.as_bytes(),
            at: 0,
        }
    }

    fn peek(&self, ahead: usize) -> u8 {
        self.bytes.get(self.at + ahead).copied().unwrap_or(0)
    }

    fn starts_with(&self, prefix: &str) -> bool {
        self.bytes
            .get(self.at..)
            .is_some_and(|rest| rest.starts_with(prefix.as_bytes()))
    }

    /// Skips to just past the next `end` (or the end of the text).
    fn skip_past(&mut self, end: &str) {
        let rest = self.bytes.get(self.at..).unwrap_or_default();
        match rest.windows(end.len()).position(|w| w == end.as_bytes()) {
            Some(i) => self.at += i + end.len(),
            None => self.at = self.bytes.len(),
        }
    }

    /// Steps over one character (or what is left of one: the cursor may be inside a character
    /// after an escape), keeping a punctuation byte as a token.
    fn step(&mut self, tokens: &mut Vec<Token<'a>>) {
        let b = self.peek(0);
        if b.is_ascii_punctuation() {
            tokens.push(Token::Punct(b));
        }
        self.at += 1;
        while self.at < self.bytes.len() && !self.text.is_char_boundary(self.at) {
            self.at += 1;
        }
    }

    fn skip_line(&mut self) {
        self.skip_past("\n");
    }

    /// An identifier (ASCII letters, digits, `_`, and `$` for JavaScript) at the cursor.
    fn ident(&mut self, dollar: bool) -> &'a str {
        let start = self.at;
        while self.at < self.bytes.len() {
            let b = self.bytes[self.at];
            if b.is_ascii_alphanumeric() || b == b'_' || (dollar && b == b'$') {
                self.at += 1;
            } else {
                break;
            }
        }
        self.text.get(start..self.at).unwrap_or_default()
    }

    /// A string closed by `quote` (one or three bytes), with backslash escapes unless `raw`;
    /// the cursor is just past the opening quote. Its content when it has no escape.
    fn string(&mut self, quote: &str, raw: bool, single_line: bool) -> Option<&'a str> {
        let start = self.at;
        let mut escaped = false;
        while self.at < self.bytes.len() {
            let b = self.bytes[self.at];
            if !raw && b == b'\\' {
                escaped = true;
                self.at += 2;
                continue;
            }
            if single_line && b == b'\n' {
                // An unterminated literal: give up on it at the end of the line.
                self.at += 1;
                return None;
            }
            if self.starts_with(quote) {
                let end = self.at.min(self.bytes.len());
                self.at += quote.len();
                return (!escaped).then(|| self.text.get(start..end)).flatten();
            }
            self.at += 1;
        }
        self.at = self.bytes.len();
        None
    }

    /// Rust: `//` and nested `/* */` comments, `"…"`, `b"…"`, `r#"…"#`, char literals and
    /// lifetimes.
    fn rust(mut self) -> Vec<Token<'a>> {
        let mut tokens = Vec::new();
        while self.at < self.bytes.len() {
            let b = self.peek(0);
            if b == b'/' && self.peek(1) == b'/' {
                self.skip_line();
            } else if b == b'/' && self.peek(1) == b'*' {
                self.at += 2;
                let mut depth = 1usize;
                while self.at < self.bytes.len() && depth > 0 {
                    if self.starts_with("/*") {
                        depth += 1;
                        self.at += 2;
                    } else if self.starts_with("*/") {
                        depth -= 1;
                        self.at += 2;
                    } else {
                        self.at += 1;
                    }
                }
            } else if b == b'"' {
                self.at += 1;
                tokens.push(Token::Str(self.string("\"", false, false)));
            } else if (b == b'r' || (b == b'b' && self.peek(1) == b'r'))
                && matches!(self.peek(usize::from(b == b'b') + 1), b'"' | b'#')
            {
                self.at += usize::from(b == b'b') + 1;
                let hashes = self
                    .bytes
                    .get(self.at..)
                    .unwrap_or_default()
                    .iter()
                    .take_while(|c| **c == b'#')
                    .count();
                if self.peek(hashes) == b'"' {
                    self.at += hashes + 1;
                    let close = format!("\"{}", "#".repeat(hashes));
                    tokens.push(Token::Str(self.string(&close, true, false)));
                } else {
                    tokens.push(Token::Ident("r"));
                }
            } else if b == b'b' && self.peek(1) == b'"' {
                self.at += 2;
                tokens.push(Token::Str(self.string("\"", false, false)));
            } else if b == b'\'' {
                // A char literal ('a', '\n', '\u{1F600}', '"') or a lifetime ('a).
                self.at += 1;
                if self.peek(0) == b'\\' {
                    self.at += 2;
                    self.skip_past("'");
                } else if self.peek(1) == b'\'' {
                    self.at += 2;
                } else if let Some(c) = self.text.get(self.at..).and_then(|t| t.chars().next())
                    && !c.is_ascii()
                    && self.bytes.get(self.at + c.len_utf8()) == Some(&b'\'')
                {
                    self.at += c.len_utf8() + 1;
                } else {
                    let _lifetime = self.ident(false);
                }
            } else if b.is_ascii_alphanumeric() || b == b'_' {
                tokens.push(Token::Ident(self.ident(false)));
            } else {
                self.step(&mut tokens);
            }
        }
        tokens
    }

    /// Python: `#` comments, strings with any prefix (`r`, `b`, `f`, `u`), triple-quoted ones;
    /// f-strings with `{` count as interpolated.
    fn python(mut self) -> Vec<Token<'a>> {
        let mut tokens = Vec::new();
        while self.at < self.bytes.len() {
            let b = self.peek(0);
            if b == b'#' {
                self.skip_line();
            } else if b == b'"' || b == b'\'' {
                tokens.push(Token::Str(self.python_string(false, false)));
            } else if b.is_ascii_alphanumeric() || b == b'_' {
                let word = self.ident(false);
                let q = self.peek(0);
                if (q == b'"' || q == b'\'')
                    && word.len() <= 2
                    && word
                        .bytes()
                        .all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'b' | b'f' | b'u'))
                {
                    let lower = word.to_ascii_lowercase();
                    let text = self.python_string(lower.contains('r'), lower.contains('f'));
                    tokens.push(Token::Str(text));
                } else {
                    tokens.push(Token::Ident(word));
                }
            } else {
                self.step(&mut tokens);
            }
        }
        tokens
    }

    fn python_string(&mut self, raw: bool, interpolated: bool) -> Option<&'a str> {
        let q = self.peek(0);
        let triple = self.peek(1) == q && self.peek(2) == q;
        let quote: &str = match (q, triple) {
            (b'"', true) => "\"\"\"",
            (b'"', false) => "\"",
            (_, true) => "'''",
            _ => "'",
        };
        self.at += quote.len();
        let text = self.string(quote, raw, !triple);
        text.filter(|t| !(interpolated && t.contains('{')))
    }

    /// JavaScript and TypeScript: `//` and `/* */` comments, `'…'` and `"…"` strings, template
    /// literals (skipped whole).
    fn javascript(mut self) -> Vec<Token<'a>> {
        let mut tokens = Vec::new();
        while self.at < self.bytes.len() {
            let b = self.peek(0);
            if b == b'/' && self.peek(1) == b'/' {
                self.skip_line();
            } else if b == b'/' && self.peek(1) == b'*' {
                self.at += 2;
                self.skip_past("*/");
            } else if b == b'"' || b == b'\'' {
                self.at += 1;
                let quote = if b == b'"' { "\"" } else { "'" };
                tokens.push(Token::Str(self.string(quote, false, true)));
            } else if b == b'`' {
                self.at += 1;
                let text = self.string("`", false, false);
                tokens.push(Token::Str(text.filter(|t| !t.contains("${"))));
            } else if b.is_ascii_alphanumeric() || b == b'_' || b == b'$' {
                tokens.push(Token::Ident(self.ident(true)));
            } else {
                self.step(&mut tokens);
            }
        }
        tokens
    }
}

/// Methods that look a value up by the name they are given.
const LOOKUPS: &[&str] = &[
    "get",
    "get_mut",
    "first",
    "all",
    "get_all",
    "contains_key",
    "remove",
    "pop",
    "entry",
    "header",
    "headers",
    "query",
    "param",
    "params",
    "getlist",
    "setdefault",
    "getAll",
    "has",
    "pointer",
    "attribute",
    "field",
];

/// Whether the literal at `i` is looked up: `x["name"]`, `.get("name")`, `rename = "name"`.
fn looked_up(tokens: &[Token<'_>], i: usize) -> bool {
    let before = |n: usize| i.checked_sub(n).and_then(|j| tokens.get(j));
    match before(1) {
        Some(Token::Punct(b'[')) => true,
        Some(Token::Punct(b'(')) => {
            matches!(before(2), Some(Token::Ident(m)) if LOOKUPS.contains(m))
        }
        Some(Token::Punct(b'=')) => {
            matches!(before(2), Some(Token::Ident("rename" | "alias")))
        }
        _ => false,
    }
}

/// Whether the literal at `i` configures serde rather than naming anything
/// (`rename_all = "camelCase"`).
fn serde_setting(tokens: &[Token<'_>], i: usize) -> bool {
    let before = |n: usize| i.checked_sub(n).and_then(|j| tokens.get(j));
    matches!(
        (before(1), before(2)),
        (
            Some(Token::Punct(b'=')),
            Some(Token::Ident(
                "rename_all" | "tag" | "content" | "crate" | "bound"
            ))
        )
    )
}

/// Macros and functions whose first argument is a message for people: a panic, an error, a log
/// line. No handler compares an event's field with one.
const MESSAGES: &[&str] = &[
    "panic",
    "unreachable",
    "todo",
    "unimplemented",
    "expect",
    "expect_err",
    "format",
    "print",
    "println",
    "eprint",
    "eprintln",
    "write",
    "writeln",
    "trace",
    "debug",
    "info",
    "warn",
    "warning",
    "error",
    "exception",
    "critical",
    "log",
    "anyhow",
    "bail",
    "Error",
    "TypeError",
    "ValueError",
    "RuntimeError",
    "Exception",
];

/// Whether the literal at `i` is the message that opens a call of [`MESSAGES`]:
/// `panic!("…")`, `.expect("…")`, `logger.info("…")`, `throw new Error("…")`.
fn message(tokens: &[Token<'_>], i: usize) -> bool {
    let before = |n: usize| i.checked_sub(n).and_then(|j| tokens.get(j));
    let ((Some(Token::Punct(b'!')), Some(Token::Ident(callee))) | (Some(Token::Ident(callee)), _)) =
        (before(2), before(3))
    else {
        return false;
    };
    matches!(before(1), Some(Token::Punct(b'('))) && MESSAGES.contains(callee)
}

/// Adds the string literals of `tokens`: looked-up ones as read, messages not at all, others as
/// other.
fn literals(tokens: &[Token<'_>], found: &mut Found) {
    for (i, token) in tokens.iter().enumerate() {
        if let Token::Str(Some(text)) = token {
            if serde_setting(tokens, i) || message(tokens, i) {
                continue;
            }
            if looked_up(tokens, i) {
                found.read(text);
            } else {
                found.other(text);
                found.value(text);
            }
        }
    }
}

/// A Rust field name as serde sees it under `rename_all`.
fn renamed(field: &str, rule: Option<&str>) -> String {
    let field = field.strip_prefix("r#").unwrap_or(field);
    let words: Vec<&str> = field.split('_').filter(|w| !w.is_empty()).collect();
    let capital = |w: &str| {
        let mut chars = w.chars();
        chars.next().map_or_else(String::new, |c| {
            c.to_ascii_uppercase().to_string() + chars.as_str()
        })
    };
    match rule {
        Some("camelCase") => words
            .iter()
            .enumerate()
            .map(|(i, w)| if i == 0 { (*w).to_owned() } else { capital(w) })
            .collect(),
        Some("PascalCase") => words.iter().map(|w| capital(w)).collect(),
        Some("kebab-case") => words.join("-"),
        Some("SCREAMING_SNAKE_CASE" | "UPPERCASE") => field.to_ascii_uppercase(),
        Some("SCREAMING-KEBAB-CASE") => words.join("-").to_ascii_uppercase(),
        _ => field.to_owned(),
    }
}

/// Names in Rust source: string literals (those passed to a lookup or a serde `rename` first)
/// and the fields of structs that derive `Deserialize`, renamed as serde would.
#[must_use]
pub fn rust(text: &str) -> Found {
    let tokens = Lexer::new(text).rust();
    let mut found = Found::default();
    // Structs deriving Deserialize: `#[derive(…Deserialize…)]`, maybe `#[serde(rename_all = "…")]`,
    // then `struct Name<…> {`, and fields `name: Type` at the first level of its braces.
    let mut deserialize = false;
    let mut rename_all: Option<&str> = None;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Ident("Deserialize") => deserialize = true,
            Token::Ident("rename_all") => {
                if let (Some(Token::Punct(b'=')), Some(Token::Str(Some(rule)))) =
                    (tokens.get(i + 1), tokens.get(i + 2))
                {
                    rename_all = Some(rule);
                }
            }
            Token::Punct(b';') => {
                deserialize = false;
                rename_all = None;
            }
            Token::Ident("struct" | "enum" | "fn" | "impl" | "mod") => {
                let is_struct = tokens[i] == Token::Ident("struct");
                if is_struct && deserialize {
                    i = struct_fields(&tokens, i + 1, rename_all, &mut found);
                }
                deserialize = false;
                rename_all = None;
            }
            _ => {}
        }
        i += 1;
    }
    literals(&tokens, &mut found);
    found
}

/// The fields of the struct whose name is at `i`; the index after its body.
fn struct_fields(
    tokens: &[Token<'_>],
    mut i: usize,
    rule: Option<&str>,
    found: &mut Found,
) -> usize {
    // Up to the body's `{`; a tuple or unit struct (`(` or `;`) has no named fields.
    while i < tokens.len() {
        match tokens[i] {
            Token::Punct(b'{') => break,
            Token::Punct(b'(' | b';') => return i,
            _ => i += 1,
        }
    }
    let mut depth = 0usize;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Punct(b'{' | b'(' | b'[' | b'<') => depth += 1,
            Token::Punct(b'}' | b')' | b']' | b'>') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            Token::Ident(name)
                if depth == 1
                    && matches!(tokens.get(i + 1), Some(Token::Punct(b':')))
                    && !matches!(tokens.get(i + 2), Some(Token::Punct(b':')))
                    && !matches!(
                        i.checked_sub(1).and_then(|j| tokens.get(j)),
                        Some(Token::Punct(b':'))
                    ) =>
            {
                found.read(&renamed(name, rule));
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// Names in Python source: subscripts and lookups (`event["x"]`, `x = event['x']`,
/// `body.get("x")`) first, then every other string literal that looks like a name.
#[must_use]
pub fn python(text: &str) -> Found {
    let tokens = Lexer::new(text).python();
    let mut found = Found::default();
    literals(&tokens, &mut found);
    found
}

/// Identifiers whose properties are the event's fields in JavaScript handlers.
const JS_ROOTS: &[&str] = &[
    "event",
    "evt",
    "body",
    "payload",
    "detail",
    "data",
    "record",
    "message",
    "msg",
    "input",
    "req",
    "request",
    "params",
    "query",
    "headers",
    "queryStringParameters",
    "multiValueQueryStringParameters",
    "pathParameters",
    "requestContext",
    "messageAttributes",
    "MessageAttributes",
    "attributes",
    "userAttributes",
    "dynamodb",
    "NewImage",
    "OldImage",
    "Keys",
    "Sns",
    "s3",
    "object",
];

/// Names in JavaScript or TypeScript source: properties read from the event and what comes of
/// it (`event.queryStringParameters.x`, `body.x`, `event["x"]`), destructured names
/// (`const { x, y: z } = body`), interface members, then every other string literal that looks
/// like a name.
#[must_use]
pub fn javascript(text: &str) -> Found {
    let tokens = Lexer::new(text).javascript();
    let mut found = Found::default();
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i] {
            // Destructuring: `const|let|var { … } =`.
            Token::Ident("const" | "let" | "var")
                if matches!(tokens.get(i + 1), Some(Token::Punct(b'{'))) =>
            {
                i = braced_names(&tokens, i + 1, &mut found, true);
            }
            // TypeScript: `interface X {` members and `type X = {` members.
            Token::Ident("interface" | "type") => {
                let mut j = i + 1;
                while j < tokens.len() && j < i + 16 {
                    if tokens[j] == Token::Punct(b'{') {
                        // Past the members: nested `type {` inside are members, not new types
                        // (rescanning each would make `type{type{…}}` quadratic).
                        i = braced_names(&tokens, j, &mut found, false);
                        break;
                    }
                    if tokens[j] == Token::Punct(b';') {
                        break;
                    }
                    j += 1;
                }
            }
            // A member chain: `a.b?.c.d`; names after an event-like root are read.
            Token::Ident(root) if !follows_dot(&tokens, i) => {
                let mut from_event = JS_ROOTS.contains(root);
                let mut j = i + 1;
                loop {
                    let dot = match (tokens.get(j), tokens.get(j + 1)) {
                        (Some(Token::Punct(b'.')), _) => 1,
                        (Some(Token::Punct(b'?')), Some(Token::Punct(b'.'))) => 2,
                        _ => break,
                    };
                    let Some(Token::Ident(member)) = tokens.get(j + dot) else {
                        break;
                    };
                    if from_event {
                        found.read(member);
                    }
                    from_event |= JS_ROOTS.contains(member);
                    j += dot + 1;
                }
                i = j.max(i + 1);
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    literals(&tokens, &mut found);
    found
}

fn follows_dot(tokens: &[Token<'_>], i: usize) -> bool {
    matches!(
        i.checked_sub(1).and_then(|j| tokens.get(j)),
        Some(Token::Punct(b'.'))
    )
}

/// The keys in the braces opened at `open`: identifiers right after `{` or `,` and before
/// `,`, `}`, `:`, `=` or `?` (a destructuring pattern's keys, an interface's members), at any
/// depth for patterns, at the first for interfaces. The index of the closing brace.
fn braced_names(tokens: &[Token<'_>], open: usize, found: &mut Found, nested: bool) -> usize {
    let mut depth = 0usize;
    let mut i = open;
    while i < tokens.len() {
        match &tokens[i] {
            Token::Punct(b'{' | b'(' | b'[') => depth += 1,
            Token::Punct(b'}' | b')' | b']') => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            Token::Ident(name) if nested || depth == 1 => {
                let after_open = matches!(
                    i.checked_sub(1).and_then(|j| tokens.get(j)),
                    Some(Token::Punct(b'{' | b',' | b';'))
                );
                let before_end = matches!(
                    tokens.get(i + 1),
                    Some(Token::Punct(b',' | b'}' | b':' | b'=' | b'?' | b';'))
                );
                if after_open && before_end {
                    found.read(name);
                }
            }
            _ => {}
        }
        i += 1;
    }
    i
}

/// The names of one source file.
#[must_use]
pub fn scan(language: Language, text: &str) -> Found {
    match language {
        Language::Rust => rust(text),
        Language::Python => python(text),
        Language::JavaScript => javascript(text),
    }
}

/// Directories whose files are not the handler's own code.
const SKIPPED_DIRS: &[&str] = &[
    "node_modules",
    "target",
    ".git",
    "__pycache__",
    ".venv",
    "venv",
    "site-packages",
    "dist",
    "build",
];

/// The names used by the sources below `dir` (every file of a known language, in path order,
/// at most [`MAX_FILES`] files of [`MAX_FILE_BYTES`] each and [`MAX_SOURCE_BYTES`] in all),
/// read through `tree`. A directory that cannot be read gives no names: they are a help to the
/// generators, never a reason to fail.
#[must_use]
pub fn sources(tree: &Tree, dir: &Path) -> Found {
    // Dependencies, build output and caches are not the handler's code: not even entered.
    let enter = |path: &Path| {
        path.file_name()
            .is_none_or(|name| !SKIPPED_DIRS.iter().any(|s| name == *s))
    };
    let Ok(walk) = tree.walk(dir, enter, |path| Language::of(path).is_some()) else {
        return Found::default();
    };
    let mut found = Found::default();
    let mut total = 0usize;
    for path in walk.files.iter().take(MAX_FILES) {
        let Some(language) = Language::of(path) else {
            continue;
        };
        let Ok(bytes) = tree.read(path, MAX_FILE_BYTES) else {
            continue;
        };
        total += bytes.len();
        if total > MAX_SOURCE_BYTES {
            break;
        }
        let text = String::from_utf8_lossy(&bytes);
        found.absorb(scan(language, &text));
    }
    found
}

/// The sources of a target's handler: a Rust crate's `src/`, or the code directory of a
/// handler run in its own runtime.
fn handler_sources(t: &Target) -> PathBuf {
    if t.process.is_some() {
        t.crate_dir.clone()
    } else {
        t.crate_dir.join("src")
    }
}

/// `plan` with each target's names completed from its input schema and its handler's sources
/// (read through `tree`, each crate once): the route's names first, then the schema's, then
/// the sources', at most [`MAX_NAMES`].
#[must_use]
pub fn complete(plan: &FuzzPlan, tree: &Tree) -> FuzzPlan {
    let mut by_dir: BTreeMap<PathBuf, Found> = BTreeMap::new();
    let mut plan = plan.clone();
    for t in &mut plan.targets {
        let mut found = Found::default();
        t.names.iter().for_each(|n| found.read(n));
        if let Some(path) = &t.schema
            && let Ok(bytes) = tree.read(path, crate::model::validate::MAX_SCHEMA_BYTES)
            && let Ok(value) = serde_json::from_slice::<Value>(&bytes)
        {
            for name in schema(&value) {
                found.read(&name);
            }
        }
        // A handler in its own runtime often shares its directory with other functions: the
        // names its own file looks up come first.
        if let Some(process) = &t.process
            && let Some(file) = process.files().into_iter().find(|f| f.is_file())
            && let (Some(language), Ok(bytes)) =
                (Language::of(&file), tree.read(&file, MAX_FILE_BYTES))
        {
            let own = scan(language, &String::from_utf8_lossy(&bytes));
            own.read.iter().for_each(|n| found.read(n));
        }
        let dir = handler_sources(t);
        let source = by_dir
            .entry(dir.clone())
            .or_insert_with(|| sources(tree, &dir));
        for name in source.read.iter().chain(&source.other) {
            found.other(name);
        }
        t.values = source.values();
        t.names = found.into_names();
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(found: Found) -> Vec<String> {
        found.into_names()
    }

    #[test]
    fn literals_that_are_not_names_are_values() {
        let found = rust(
            r#"fn f(b: &str) -> bool {
                let x = map.get("token");
                b == "Kq7!vX2#pL9z" || b == "rm -rf /" || b == "plain" || b == "a\u{202e}b" || b == "x"
            }"#,
        );
        assert_eq!(found.values(), ["Kq7!vX2#pL9z", "rm -rf /", "plain"]);
        assert_eq!(found.into_names(), ["token", "plain", "x"]);
        let long = "#".repeat(MAX_NAME_BYTES + 1);
        for bad in ["", "x", "a\nb", "é!", long.as_str()] {
            assert!(!is_value(bad), "{bad:?}");
        }
    }

    #[test]
    fn names_are_short_identifier_like_ascii() {
        for good in [
            "document_url",
            "x-api-key",
            "custom:tenant",
            "_id",
            "a.b",
            "Version",
        ] {
            assert!(is_name(good), "{good}");
        }
        let long = "a".repeat(MAX_NAME_BYTES + 1);
        for bad in [
            "",
            "9lives",
            "a b",
            "a\"b",
            "a\\b",
            "*/",
            "{{x}}",
            "a\nb",
            "é",
            "path/to",
            long.as_str(),
        ] {
            assert!(!is_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn messages_for_people_are_no_values() {
        let rust = rust(
            r#"fn f(b: &Value) { if b["kind"] == "chargeback" { panic!("no rate"); }
               let x = y.expect("a body"); tracing::warn!("slow"); eprintln!("bad"); }"#,
        );
        assert_eq!(rust.values(), ["chargeback"]);
        let python = python(
            r#"if event["mode"] == "legacy":
    logger.info("legacy mode")
    raise ValueError("unsupported")"#,
        );
        assert_eq!(python.values(), ["legacy"]);
        let js = javascript(
            r#"if (body.plan === "gold") { console.log("gold plan"); throw new Error("nope"); }"#,
        );
        assert_eq!(js.values(), ["gold"]);
    }

    #[test]
    fn dependencies_and_build_output_are_not_the_handlers_sources() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (path, text) in [
            ("src/app.js", "const x = event.queryStringParameters.page;"),
            (
                "node_modules/dep/index.js",
                "const y = event.queryStringParameters.leak;",
            ),
            ("lib/.venv/x.py", "v = event['venv_name']"),
        ] {
            std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            std::fs::write(root.join(path), text).unwrap();
        }
        let tree = Tree::new(root).unwrap();
        let found = sources(&tree, root);
        assert!(found.read.iter().any(|n| n == "page"), "{found:?}");
        assert!(!found.read.iter().any(|n| n == "leak" || n == "venv_name"));
    }

    #[test]
    fn routes_give_their_parameters() {
        assert_eq!(route("/orders/{id}"), ["id"]);
        assert_eq!(route("/{proxy+}"), ["proxy"]);
        assert_eq!(
            route("/a/{tenant}/b/{id}/{id}/{bad name}"),
            ["tenant", "id"]
        );
        assert!(route("/products").is_empty());
    }

    #[test]
    fn schemas_give_their_property_names_outer_first() {
        let value: Value = serde_json::from_str(
            r##"{"type":"object","required":["a"],"properties":{"a":{"type":"object",
                "properties":{"inner":{"type":"string"}}},"b":{"type":"array",
                "items":{"$ref":"#/$defs/item"}}},"$defs":{"item":{"properties":{"sku":{}}}}}"##,
        )
        .unwrap();
        assert_eq!(schema(&value), ["a", "b", "inner", "sku"]);
    }

    #[test]
    fn rust_literals_and_deserialized_fields() {
        let text = r##"
            // "in_a_comment" is not a name
            /* "nor" /* "nested" */ "this" */
            #[derive(Debug, serde::Deserialize)]
            #[serde(rename_all = "camelCase")]
            struct Query<'a> {
                document_url: String,
                #[serde(rename = "ver")]
                pub version: Option<std::collections::HashMap<String, u32>>,
                r#type: &'a str,
            }
            struct NotRead { secret_field: u8 }
            fn handler(q: &QueryMap) {
                let c = '"'; let d = '\''; let e = 'é';
                let url = q.first("document_url").unwrap_or("none");
                let page = q.get("page");
                let raw = r#"raw_name"#;
                let escaped = "with\"quote";
                let msg = "not a name: spaces";
                let id = map["order_id"];
            }
        "##;
        let found = names(rust(text));
        assert_eq!(
            found,
            [
                "documentUrl",
                "version",
                "type",
                "ver",
                "document_url",
                "page",
                "order_id",
                "none",
                "raw_name"
            ]
        );
    }

    #[test]
    fn python_lookups_come_first() {
        let text = r#"
# event["commented"]
def handler(event, context):
    params = event["queryStringParameters"] or {}
    url = params.get("document_url")
    x = event['x']
    body = json.loads(event.get('body') or "{}")
    kind = body.get("kind", "default_kind")
    greeting = f"hello {name}"
    doc = """a docstring"""
    path = r'raw_key'
    return {"statusCode": 200}
"#;
        assert_eq!(
            names(python(text)),
            [
                "queryStringParameters",
                "document_url",
                "x",
                "body",
                "kind",
                "default_kind",
                "raw_key",
                "statusCode"
            ]
        );
    }

    #[test]
    fn javascript_members_destructuring_and_interfaces() {
        let text = r#"
// event.queryStringParameters.commented
interface Order { orderId: string; total?: number }
export const handler = async (event) => {
  const url = event.queryStringParameters?.document_url;
  const { page, size: pageSize = 10, nested: { deep } } = JSON.parse(event.body);
  const tenant = event["tenant"];
  const other = console.log("log_line"); // a message: no name
  const v = body.version;
  const t = `template ${x}`;
  return { statusCode: 200 };
};
"#;
        assert_eq!(
            names(javascript(text)),
            [
                "orderId",
                "total",
                "queryStringParameters",
                "document_url",
                "page",
                "size",
                "nested",
                "deep",
                "body",
                "version",
                "tenant"
            ]
        );
    }

    #[test]
    fn hostile_sources_end_and_give_only_names() {
        let nasty = [
            "\"unterminated",
            "r###\"never closed",
            "/* never closed",
            "'",
            "b'",
            "\"\\",
            "'''",
            "`${",
            "\u{0}\u{202e}\"a\"",
        ];
        for text in nasty {
            for language in [Language::Rust, Language::Python, Language::JavaScript] {
                let found = scan(language, text).into_names();
                assert!(found.iter().all(|n| is_name(n)), "{text:?}: {found:?}");
            }
        }
        let many = (0..2000).fold(String::new(), |mut text, i| {
            text.push_str(&format!("x.get(\"n{i}\");"));
            text
        });
        assert_eq!(rust(&many).into_names().len(), MAX_NAMES);
    }

    #[test]
    fn nested_blocks_are_scanned_once() {
        // `type{` 85 000 times nested (a file under the per-file cap): each block used to be
        // rescanned to its end, 3.6 billion steps; once each it is a few milliseconds. A hang
        // guard, not a speed test: the bound is a thousand times the expected time.
        let text = format!("{}{}", "type{".repeat(85_000), "}".repeat(85_000));
        let (done, finished) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let _ = done.send(javascript(&text).into_names());
        });
        let names = finished
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("scanning nested type blocks did not end");
        assert!(names.len() <= MAX_NAMES);
    }

    #[test]
    fn languages_by_extension() {
        assert_eq!(Language::of(Path::new("a/b.rs")), Some(Language::Rust));
        assert_eq!(Language::of(Path::new("app.py")), Some(Language::Python));
        assert_eq!(Language::of(Path::new("x.mts")), Some(Language::JavaScript));
        assert_eq!(Language::of(Path::new("README.md")), None);
    }
}
