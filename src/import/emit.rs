//! An imported model as YAML text: block mappings in the order the importer chose, short lists
//! of scalars in flow style, comments saying where each element came from.
//!
//! Every string comes from a template, which may be hostile: a string is written plain only
//! when it is a short run of safe characters that YAML reads back as the same string; otherwise
//! it is double-quoted with every character outside printable ASCII escaped, so no control
//! character, line separator or bidi override reaches the file. Comments keep printable ASCII
//! only.

use std::fmt::Write as _;

use crate::model::yaml::{ScalarType, resolve_plain};

/// A value of the model being written.
#[derive(Debug, Clone, PartialEq)]
pub enum Doc {
    /// A string.
    Str(String),
    /// A whole number.
    Int(u64),
    /// Another number (negative, or with a fraction) as written; quoted if YAML would not read
    /// it as a number.
    Number(String),
    /// A boolean.
    Bool(bool),
    /// A list.
    Seq(Vec<Doc>),
    /// A mapping, in the order written.
    Map(Vec<Entry>),
}

/// One entry of a mapping, with an optional comment line above it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key.
    pub key: String,
    /// The value.
    pub value: Doc,
    /// A comment written on the line above.
    pub comment: Option<String>,
}

impl Doc {
    /// An empty mapping.
    #[must_use]
    pub fn map() -> Doc {
        Doc::Map(Vec::new())
    }

    /// A string.
    #[must_use]
    pub fn str(text: impl Into<String>) -> Doc {
        Doc::Str(text.into())
    }

    /// Adds `key: value` to a mapping (nothing for other values).
    pub fn set(&mut self, key: impl Into<String>, value: Doc) {
        if let Doc::Map(entries) = self {
            let key = key.into();
            if let Some(entry) = entries.iter_mut().find(|e| e.key == key) {
                entry.value = value;
            } else {
                entries.push(Entry {
                    key,
                    value,
                    comment: None,
                });
            }
        }
    }

    /// Adds `key: value` to a mapping after the entries named in `after` that it has (replacing
    /// an entry of that key), so that it stays near the top whatever is added later.
    pub fn set_after(&mut self, after: &[&str], key: impl Into<String>, value: Doc) {
        if let Doc::Map(entries) = self {
            let key = key.into();
            entries.retain(|e| e.key != key);
            let at = entries
                .iter()
                .take_while(|e| after.contains(&e.key.as_str()))
                .count();
            entries.insert(
                at,
                Entry {
                    key,
                    value,
                    comment: None,
                },
            );
        }
    }

    /// Adds `key: value` with a comment above it.
    pub fn set_commented(&mut self, key: impl Into<String>, value: Doc, comment: String) {
        let key = key.into();
        self.set(key.clone(), value);
        if let Doc::Map(entries) = self
            && let Some(entry) = entries.iter_mut().find(|e| e.key == key)
        {
            entry.comment = Some(comment);
        }
    }

    /// The value under `key` of a mapping.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Doc> {
        match self {
            Doc::Map(entries) => entries.iter().find(|e| e.key == key).map(|e| &e.value),
            _ => None,
        }
    }

    /// The value under `key` of a mapping, to change it.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Doc> {
        match self {
            Doc::Map(entries) => entries
                .iter_mut()
                .find(|e| e.key == key)
                .map(|e| &mut e.value),
            _ => None,
        }
    }

    /// The mapping under `key`, created empty when missing.
    pub fn section(&mut self, key: &str) -> &mut Doc {
        if self.get_mut(key).is_none() {
            self.set(key, Doc::map());
        }
        match self {
            Doc::Map(entries) => {
                let at = entries.iter().position(|e| e.key == key).unwrap_or(0);
                &mut entries[at].value
            }
            other => other,
        }
    }

    /// Appends to the list under `key`, created when missing.
    pub fn push(&mut self, key: &str, item: Doc) {
        if self.get_mut(key).is_none() {
            self.set(key, Doc::Seq(Vec::new()));
        }
        if let Some(Doc::Seq(items)) = self.get_mut(key) {
            items.push(item);
        }
    }

    /// Whether this is an empty mapping or list.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        match self {
            Doc::Map(entries) => entries.is_empty(),
            Doc::Seq(items) => items.is_empty(),
            _ => false,
        }
    }

    fn is_scalar(&self) -> bool {
        matches!(
            self,
            Doc::Str(_) | Doc::Int(_) | Doc::Number(_) | Doc::Bool(_)
        )
    }
}

/// The longest key written without an explicit `?` (YAML allows 1024 characters).
const MAX_IMPLICIT_KEY: usize = 1000;

/// The longest a flow list of scalars gets before it is written one item per line.
const FLOW_WIDTH: usize = 80;

/// `doc` (a mapping) as YAML text, after `header` comment lines.
#[must_use]
pub fn yaml(header: &[String], doc: &Doc) -> String {
    let mut out = String::new();
    for line in header {
        let _ = writeln!(out, "# {}", comment(line));
    }
    if let Doc::Map(entries) = doc {
        mapping(&mut out, entries, 0);
    }
    out
}

fn mapping(out: &mut String, entries: &[Entry], indent: usize) {
    for entry in entries {
        if let Some(text) = &entry.comment {
            let _ = writeln!(out, "{:indent$}# {}", "", comment(text));
        }
        let key = scalar(&entry.key);
        if key.chars().count() > MAX_IMPLICIT_KEY {
            // YAML reads a key of more than 1024 characters only after an explicit `?`.
            let _ = write!(out, "{:indent$}? {key}\n{:indent$}:", "", "");
        } else {
            let _ = write!(out, "{:indent$}{key}:", "");
        }
        value(out, &entry.value, indent);
    }
}

/// Writes a value after `key:`.
fn value(out: &mut String, doc: &Doc, indent: usize) {
    match doc {
        Doc::Map(entries) if entries.is_empty() => out.push_str(" {}\n"),
        Doc::Map(entries) => {
            out.push('\n');
            mapping(out, entries, indent + 2);
        }
        Doc::Seq(items) if items.is_empty() => out.push_str(" []\n"),
        Doc::Seq(items) => {
            let flow: Option<Vec<String>> = items
                .iter()
                .map(|i| i.is_scalar().then(|| flat(i)))
                .collect();
            match flow {
                Some(flow) if flow.iter().map(|s| s.len() + 2).sum::<usize>() <= FLOW_WIDTH => {
                    let _ = writeln!(out, " [{}]", flow.join(", "));
                }
                _ => {
                    out.push('\n');
                    for item in items {
                        let _ = write!(out, "{:indent$}  -", "");
                        match item {
                            Doc::Map(entries) if !entries.is_empty() => {
                                // The first entry on the dash's line, the others under it.
                                let mut first = String::new();
                                mapping(&mut first, entries, indent + 4);
                                out.push(' ');
                                out.push_str(first.trim_start());
                            }
                            other => value(out, other, indent + 2),
                        }
                    }
                }
            }
        }
        scalar_value => {
            let _ = writeln!(out, " {}", flat(scalar_value));
        }
    }
}

fn flat(doc: &Doc) -> String {
    match doc {
        Doc::Str(text) => scalar(text),
        Doc::Int(n) => n.to_string(),
        Doc::Number(text) => match resolve_plain(text) {
            ScalarType::Integer | ScalarType::Float => text.clone(),
            _ => scalar(text),
        },
        Doc::Bool(b) => b.to_string(),
        Doc::Seq(_) | Doc::Map(_) => String::new(),
    }
}

/// A string as a YAML scalar that reads back as exactly that string.
#[must_use]
pub fn scalar(text: &str) -> String {
    let safe = !text.is_empty()
        && text.len() <= 200
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./@+$:()*?".contains(&b))
        && text
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphanumeric() || b == b'/' || b == b'$')
        && !text.contains(": ")
        && !text.ends_with(':')
        && resolve_plain(text) == ScalarType::String;
    if safe {
        return text.to_owned();
    }
    let mut quoted = String::with_capacity(text.len() + 2);
    quoted.push('"');
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            ' '..='~' => quoted.push(c),
            c if u32::from(c) <= 0xffff => {
                let _ = write!(quoted, "\\u{:04x}", u32::from(c));
            }
            c => {
                let _ = write!(quoted, "\\U{:08x}", u32::from(c));
            }
        }
    }
    quoted.push('"');
    quoted
}

/// Comment text: printable ASCII, other characters as `?`, on one line.
fn comment(text: &str) -> String {
    text.chars()
        .take(300)
        .map(|c| if (' '..='~').contains(&c) { c } else { '?' })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::diagnostic::Sources;
    use crate::model::yaml::{Dialect, Value, parse_as};

    fn read_back(text: &str) -> String {
        let yaml = format!("k: {}\n", scalar(text));
        let mut sources = Sources::default();
        let file = sources.add(Path::new("m.yaml"), yaml);
        let parsed = parse_as(&sources, file, Dialect::Model).unwrap();
        assert!(parsed.problems.is_empty());
        match &parsed.root.unwrap().get("k").unwrap().value {
            Value::Scalar { text, .. } => text.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_string_reads_back_as_itself() {
        for text in [
            "orders-table",
            "true",
            "null",
            "123",
            "0x1F",
            "a: b",
            "# not a comment",
            "- item",
            "line\nbreak",
            "tab\there",
            "quote \" and \\ backslash",
            "\u{202e}bidi",
            "\u{2028}separator",
            "emoji 😀",
            "{{resolve:secretsmanager:x}}",
            "*alias",
            "&anchor",
            "!Ref x",
            "",
            " padded ",
            "arn:aws:s3:::bucket/*",
            "python3.12",
            "key:",
        ] {
            assert_eq!(
                read_back(text),
                text,
                "{text:?} written as {}",
                scalar(text)
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn any_string_reads_back_as_itself(text in "\\PC*|[\\x00-\\x7f]*") {
            proptest::prop_assert_eq!(read_back(&text), text);
        }

        /// Keys of any length (YAML's implicit keys end at 1024 characters) read back, as a
        /// mapping's key and as the first key of a list item's mapping.
        #[test]
        fn any_key_reads_back_as_itself(key in "\\PC{0,40}|[a-z😀]{900,1200}") {
            let mut inner = Doc::map();
            inner.set(key.clone(), Doc::str("v"));
            let mut doc = Doc::map();
            doc.set("m", inner.clone());
            doc.set("l", Doc::Seq(vec![inner]));
            let text = yaml(&[], &doc);
            let mut sources = Sources::default();
            let file = sources.add(Path::new("m.yaml"), text.clone());
            let root = parse_as(&sources, file, Dialect::Model)
                .unwrap_or_else(|e| panic!("{text}: {e:?}"))
                .root
                .unwrap();
            let first_key = |node: &crate::model::yaml::Node| match &node.value {
                Value::Mapping(entries) => entries[0].0.text.clone(),
                other => panic!("{other:?}"),
            };
            proptest::prop_assert_eq!(first_key(root.get("m").unwrap()), key.clone());
            let Value::Sequence(items) = &root.get("l").unwrap().value else {
                panic!("{text}");
            };
            proptest::prop_assert_eq!(first_key(&items[0]), key);
        }
    }

    #[test]
    fn documents_are_block_yaml_with_comments() {
        let mut doc = Doc::map();
        doc.set("strider", Doc::Int(1));
        let functions = doc.section("functions");
        let mut f = Doc::map();
        f.set("runtime", Doc::str("python3.12"));
        f.push("triggers", {
            let mut t = Doc::map();
            t.set("kind", Doc::str("http"));
            t.set("path", Doc::str("/orders/{id}"));
            t
        });
        f.set("tags", Doc::Seq(vec![Doc::str("a"), Doc::str("b c")]));
        functions.set_commented("orders", f, "from t.yaml:3\nevil".to_owned());
        let text = yaml(&["imported".to_owned()], &doc);
        assert_eq!(
            text,
            "# imported\nstrider: 1\nfunctions:\n  # from t.yaml:3?evil\n  orders:\n    runtime: python3.12\n    triggers:\n      - kind: http\n        path: \"/orders/{id}\"\n    tags: [a, \"b c\"]\n"
        );
    }
}
