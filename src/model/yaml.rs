//! YAML text → a tree of [`Node`]s that know where they stand in the file.
//!
//! This is the only file that knows which YAML library strider uses (yaml-rust2: a maintained,
//! pure-Rust YAML 1.2 parser whose events carry positions; serde_yaml reports the position of its
//! first error only). Everything above works on [`Node`]s.
//!
//! Hostile input is bounded here: nesting depth, alias expansion (billion laughs) and the number of
//! documents are limited, and every failure is a [`Diagnostic`], never a panic.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use super::diagnostic::{Code, Diagnostic, FileId, Sources, Span};

/// Deepest nesting a model file may have; real models need fewer than ten levels.
pub const MAX_DEPTH: usize = 64;

/// Entries from which a mapping keeps an index of its keys to find duplicates.
const INDEX_FROM: usize = 16;

/// Nodes that aliases may add on top of the file's own nodes, at least.
const MIN_ALIAS_BUDGET: usize = 10_000;

/// Scalar bytes that aliases may add, at least; otherwise as many as the file holds.
const MIN_ALIAS_BYTES: usize = 64 * 1024;

/// A YAML value with its place in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it stands.
    pub span: Span,
}

/// The three shapes of YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A scalar. `plain` is false for quoted and block scalars, which are always strings.
    Scalar {
        /// The scalar's text.
        text: String,
        /// Whether it was written without quotes (and may therefore be a number, bool or null).
        plain: bool,
    },
    /// A sequence.
    Sequence(Vec<Node>),
    /// A mapping, in file order, keys unique.
    Mapping(Vec<(Key, Node)>),
}

/// A mapping key with its place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// The key's text.
    pub text: String,
    /// Where it stands.
    pub span: Span,
}

/// What a plain scalar resolves to under the YAML 1.2 core schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarType {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool,
    /// An integer.
    Integer,
    /// A floating-point number.
    Float,
    /// Anything else.
    String,
}

impl Node {
    /// A quoted scalar (always a string) at `span`.
    #[must_use]
    pub fn text(span: Span, text: impl Into<String>) -> Node {
        Node {
            value: Value::Scalar {
                text: text.into(),
                plain: false,
            },
            span,
        }
    }

    /// A mapping at `span`, its keys placed there too.
    #[must_use]
    pub fn mapping<K: Into<String>>(
        span: Span,
        entries: impl IntoIterator<Item = (K, Node)>,
    ) -> Node {
        Node::keyed(span, entries.into_iter().map(|(k, v)| (k.into(), span, v)))
    }

    /// A mapping at `span` whose keys are placed where their values are (entries gathered from
    /// several places keep their provenance).
    #[must_use]
    pub fn mapping_placed(span: Span, entries: impl IntoIterator<Item = (String, Node)>) -> Node {
        Node::keyed(span, entries.into_iter().map(|(k, v)| (k, v.span, v)))
    }

    fn keyed(span: Span, entries: impl Iterator<Item = (String, Span, Node)>) -> Node {
        Node {
            value: Value::Mapping(
                entries
                    .map(|(text, at, value)| (Key { text, span: at }, value))
                    .collect(),
            ),
            span,
        }
    }

    /// A sequence at `span`.
    #[must_use]
    pub fn sequence(span: Span, items: Vec<Node>) -> Node {
        Node {
            value: Value::Sequence(items),
            span,
        }
    }

    /// The type a scalar resolves to; `None` for collections.
    #[must_use]
    pub fn scalar_type(&self) -> Option<ScalarType> {
        match &self.value {
            Value::Scalar { text, plain: true } => Some(resolve_plain(text)),
            Value::Scalar { plain: false, .. } => Some(ScalarType::String),
            _ => None,
        }
    }

    /// The scalar's text, if this is a scalar.
    #[must_use]
    pub fn as_scalar(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// The value under `key`, if this is a mapping that has it.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Node> {
        match &self.value {
            Value::Mapping(entries) => entries.iter().find(|(k, _)| k.text == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// The key `key` of this mapping, with its place.
    #[must_use]
    pub fn key(&self, key: &str) -> Option<&Key> {
        match &self.value {
            Value::Mapping(entries) => entries.iter().find(|(k, _)| k.text == key).map(|(k, _)| k),
            _ => None,
        }
    }

    /// What the node is, for messages: `a string`, `a mapping`…
    #[must_use]
    pub fn describe(&self) -> &'static str {
        match (&self.value, self.scalar_type()) {
            (Value::Sequence(_), _) => "a list",
            (Value::Mapping(_), _) => "a mapping",
            (_, Some(ScalarType::Null)) => "nothing (null)",
            (_, Some(ScalarType::Bool)) => "a boolean",
            (_, Some(ScalarType::Integer)) => "an integer",
            (_, Some(ScalarType::Float)) => "a number",
            _ => "a string",
        }
    }
}

/// Resolves a plain scalar under the YAML 1.2 core schema.
#[must_use]
pub fn resolve_plain(text: &str) -> ScalarType {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => ScalarType::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => ScalarType::Bool,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF"
        | ".nan" | ".NaN" | ".NAN" => ScalarType::Float,
        _ if parse_integer(text).is_some() => ScalarType::Integer,
        _ if is_float(text) => ScalarType::Float,
        _ => ScalarType::String,
    }
}

/// Parses a YAML 1.2 core-schema integer (`42`, `-7`, `0x1F`, `0o17`).
#[must_use]
pub fn parse_integer(text: &str) -> Option<i128> {
    let (negative, digits) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let value = if let Some(hex) = digits.strip_prefix("0x") {
        i128::from_str_radix(hex, 16).ok()?
    } else if let Some(octal) = digits.strip_prefix("0o") {
        i128::from_str_radix(octal, 8).ok()?
    } else if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        digits.parse().ok()?
    } else {
        return None;
    };
    Some(if negative { -value } else { value })
}

fn is_float(text: &str) -> bool {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    body.bytes()
        .next()
        .is_some_and(|b| b.is_ascii_digit() || b == b'.')
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && text.parse::<f64>().is_ok()
}

/// A parsed file: its document (`None` when the file holds none: empty or comments only) and the
/// problems that did not stop parsing (duplicate keys, tags).
#[derive(Debug)]
pub struct Parsed {
    /// The document.
    pub root: Option<Node>,
    /// Problems found on the way.
    pub problems: Vec<Diagnostic>,
}

/// Which YAML a file is written in: a strider model (no tags but the core schema's), or an AWS
/// CloudFormation / SAM template, whose short-form functions (`!Ref x`, `!GetAtt a.b`,
/// `!Sub "…"`) are read as the long form JSON templates write (`{Ref: x}`,
/// `{"Fn::GetAtt": "a.b"}`), so that both forms give the same tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// A strider model.
    Model,
    /// A CloudFormation or SAM template.
    CloudFormation,
}

/// CloudFormation's short-form function tags, by the name after `!`.
const INTRINSICS: &[&str] = &[
    "Ref",
    "Condition",
    "Base64",
    "Cidr",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "ImportValue",
    "Join",
    "Length",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
    "And",
    "Equals",
    "If",
    "Not",
    "Or",
];

/// Parses one YAML document of a strider model.
///
/// # Errors
/// A diagnostic for malformed YAML or input past the limits, after which nothing can be read.
pub fn parse(sources: &Sources, file: FileId) -> Result<Parsed, Diagnostic> {
    parse_as(sources, file, Dialect::Model)
}

/// Parses one YAML (or JSON) document written in `dialect`.
///
/// # Errors
/// A diagnostic for malformed YAML or input past the limits, after which nothing can be read.
pub fn parse_as(sources: &Sources, file: FileId, dialect: Dialect) -> Result<Parsed, Diagnostic> {
    let text = sources.text(file);
    let mut builder = TreeBuilder {
        dialect,
        sources,
        file,
        ascii: text.is_ascii(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        documents: 0,
        root: None,
        own_nodes: 0,
        alias_nodes: 0,
        alias_bytes: 0,
        cursor: (0, 0, 0),
        problems: Vec::new(),
    };
    let mut parser = Parser::new_from_str(text);
    loop {
        let (event, marker) = parser.next_token().map_err(|err| {
            let span = builder.span_at(*err.marker());
            if err.info().contains("recursion limit") {
                return too_deep(span);
            }
            Diagnostic::error(
                Code::YamlSyntax,
                span,
                format!("malformed YAML: {}", err.info()),
            )
            .with_label("here")
            .with_hint("check indentation and quoting around this place")
        })?;
        if builder.on_event(event, marker)? {
            return Ok(Parsed {
                root: builder.root,
                problems: builder.problems,
            });
        }
    }
}

fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::TooDeep,
        span,
        format!("nesting deeper than {MAX_DEPTH} levels"),
    )
    .with_label("too deep")
    .with_hint("a strider model needs only a few levels of nesting; this file is not a model")
}

/// `node` as the argument of the CloudFormation function `intrinsic`, in the long form:
/// `{Ref: node}`, `{Condition: node}`, `{"Fn::Name": node}`.
fn wrap(intrinsic: Option<&'static str>, node: Node) -> Node {
    let Some(name) = intrinsic else {
        return node;
    };
    let key = match name {
        "Ref" | "Condition" => name.to_owned(),
        _ => format!("Fn::{name}"),
    };
    Node::mapping(node.span, [(key, node)])
}

struct TreeBuilder<'a> {
    dialect: Dialect,
    sources: &'a Sources,
    file: FileId,
    ascii: bool,
    stack: Vec<Open>,
    /// Anchored nodes, with their size in nodes and in scalar bytes.
    anchors: HashMap<usize, (Node, Size)>,
    documents: usize,
    root: Option<Node>,
    own_nodes: usize,
    alias_nodes: usize,
    alias_bytes: usize,
    /// The last place located in a non-ASCII file: (line, column, byte offset), so that the
    /// events of a long line are located in one pass over it, not one pass each.
    cursor: (usize, usize, usize),
    problems: Vec<Diagnostic>,
}

/// How much a node holds, to bound what aliases expand to.
#[derive(Debug, Clone, Copy, Default)]
struct Size {
    nodes: usize,
    bytes: usize,
}

/// What a tag sits on.
#[derive(Clone, Copy)]
enum Tagged<'t> {
    Scalar { text: &'t str, plain: bool },
    Sequence,
    Mapping,
}

/// A collection being built.
struct Open {
    start: Span,
    anchor: usize,
    /// The CloudFormation function the collection is the argument of (`!If [...]`).
    intrinsic: Option<&'static str>,
    /// Size so far, for alias accounting.
    size: Size,
    kind: OpenKind,
}

enum OpenKind {
    Sequence(Vec<Node>),
    Mapping {
        entries: Vec<(Key, Node)>,
        pending: Pending,
        /// Key → entry, once the mapping is large enough that scanning for duplicates would be
        /// quadratic (a `functions:` section with thousands of entries).
        index: HashMap<String, usize>,
    },
}

/// What a mapping waits for next.
enum Pending {
    /// A key.
    Nothing,
    /// The value of this key.
    Key(Key),
    /// The value of a duplicate key, to drop.
    SkipValue,
}

impl TreeBuilder<'_> {
    fn span_at(&mut self, marker: Marker) -> Span {
        let text = self.sources.text(self.file);
        let start = if self.ascii {
            marker.index().min(text.len())
        } else if marker.line() == self.cursor.0 && marker.col() >= self.cursor.1 {
            // Further along the line last located: walk on from there.
            let (_, column, offset) = self.cursor;
            let start = text[offset..]
                .char_indices()
                .nth(marker.col() - column)
                .map_or(text.len(), |(at, _)| offset + at);
            self.cursor = (marker.line(), marker.col(), start);
            start
        } else {
            let start = self.sources.offset(self.file, marker.line(), marker.col());
            self.cursor = (marker.line(), marker.col(), start);
            start
        };
        Span {
            file: self.file,
            start,
            end: start,
        }
    }

    fn span_of(&mut self, marker: Marker, text_len: usize) -> Span {
        let mut span = self.span_at(marker);
        let file_len = self.sources.text(self.file).len();
        span.end = (span.start + text_len.max(1)).min(file_len).max(span.start);
        span
    }

    /// Handles one event; `Ok(true)` at the end of the stream.
    fn on_event(&mut self, event: Event, marker: Marker) -> Result<bool, Diagnostic> {
        match event {
            Event::StreamEnd => return Ok(true),
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => {}
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(Diagnostic::error(
                        Code::YamlUnsupported,
                        self.span_of(marker, 3),
                        "a model file holds one YAML document, this is a second one",
                    )
                    .with_label("second document starts here")
                    .with_hint("split the documents into separate files in one model directory"));
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                let quotes = if matches!(
                    style,
                    TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
                ) {
                    2
                } else {
                    0
                };
                let span = self.span_of(marker, text.len() + quotes);
                let mut plain = matches!(style, TScalarStyle::Plain);
                let intrinsic = tag.as_ref().and_then(|tag| self.intrinsic(tag));
                if let Some(tag) = tag.as_ref().filter(|_| intrinsic.is_none()) {
                    plain &= !self.check_tag(tag, Tagged::Scalar { text: &text, plain }, span);
                }
                let size = Size {
                    nodes: 1,
                    bytes: text.len(),
                };
                let node = Node {
                    value: Value::Scalar { text, plain },
                    span,
                };
                self.own_nodes += 1;
                self.finish_node(wrap(intrinsic, node), anchor, size)?;
            }
            Event::SequenceStart(anchor, ref tag) | Event::MappingStart(anchor, ref tag) => {
                let span = self.span_of(marker, 1);
                let intrinsic = tag.as_ref().and_then(|tag| self.intrinsic(tag));
                if let Some(tag) = tag.as_ref().filter(|_| intrinsic.is_none()) {
                    let what = if matches!(event, Event::SequenceStart(..)) {
                        Tagged::Sequence
                    } else {
                        Tagged::Mapping
                    };
                    self.check_tag(tag, what, span);
                }
                if self.stack.len() >= MAX_DEPTH {
                    return Err(too_deep(span));
                }
                let kind = if matches!(event, Event::SequenceStart(..)) {
                    OpenKind::Sequence(Vec::new())
                } else {
                    OpenKind::Mapping {
                        entries: Vec::new(),
                        pending: Pending::Nothing,
                        index: HashMap::new(),
                    }
                };
                self.own_nodes += 1;
                self.stack.push(Open {
                    start: span,
                    anchor,
                    intrinsic,
                    size: Size { nodes: 1, bytes: 0 },
                    kind,
                });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = self.stack.pop() else {
                    return Ok(false);
                };
                let end = self.span_at(marker).start.max(open.start.end);
                let span = Span { end, ..open.start };
                let value = match open.kind {
                    OpenKind::Sequence(items) => Value::Sequence(items),
                    OpenKind::Mapping { entries, .. } => Value::Mapping(entries),
                };
                let node = wrap(open.intrinsic, Node { value, span });
                self.finish_node(node, open.anchor, open.size)?;
            }
            Event::Alias(id) => self.alias(id, marker)?,
        }
        Ok(false)
    }

    /// An alias: a copy of its anchor's node, within the expansion budget.
    fn alias(&mut self, id: usize, marker: Marker) -> Result<(), Diagnostic> {
        let span = self.span_of(marker, 1);
        let Some(&(_, size)) = self.anchors.get(&id) else {
            return Err(Diagnostic::error(
                Code::YamlSyntax,
                span,
                "alias to an unknown anchor",
            ));
        };
        // Counted before the node is copied, so an alias bomb is refused at the alias
        // that crosses the budget, having expanded no more than the file's own size.
        self.alias_nodes = self.alias_nodes.saturating_add(size.nodes);
        self.alias_bytes = self.alias_bytes.saturating_add(size.bytes);
        let nodes = MIN_ALIAS_BUDGET.max(self.own_nodes);
        let bytes = MIN_ALIAS_BYTES.max(self.sources.text(self.file).len());
        let over = if self.alias_nodes > nodes {
            Some(format!("more than {nodes} nodes"))
        } else if self.alias_bytes > bytes {
            Some(format!("more than {bytes} bytes of text"))
        } else {
            None
        };
        if let Some(over) = over {
            return Err(Diagnostic::error(
                Code::AliasLimit,
                span,
                format!("YAML aliases expand to {over}"),
            )
            .with_label("this alias pushes the expansion past the limit")
            .with_hint("write the repeated parts out, or share them less deeply: this looks like an alias bomb"));
        }
        let Some((node, _)) = self.anchors.get(&id).cloned() else {
            return Ok(());
        };
        self.finish_node(node, 0, size)
    }

    /// The CloudFormation function a tag stands for, in a template.
    fn intrinsic(&self, tag: &yaml_rust2::parser::Tag) -> Option<&'static str> {
        if self.dialect != Dialect::CloudFormation || tag.handle != "!" {
            return None;
        }
        INTRINSICS.iter().copied().find(|name| *name == tag.suffix)
    }

    /// Checks a tag: the YAML core schema's tags are allowed where they say what the node
    /// already is (`!!map` on a mapping, `!!int` on a plain integer) and `!!str` makes a scalar a
    /// string; every other tag (`!Ref`, `!!python/object/apply:os.system`, `!<x>`) is
    /// `yaml-unsupported`. Returns whether the node is a `!!str`.
    fn check_tag(&mut self, tag: &yaml_rust2::parser::Tag, node: Tagged<'_>, span: Span) -> bool {
        let core = if tag.handle == "tag:yaml.org,2002:" || tag.handle == "!!" {
            Some(tag.suffix.as_str())
        } else if tag.handle.is_empty() || tag.handle == "!" {
            tag.suffix.strip_prefix("tag:yaml.org,2002:")
        } else {
            None
        };
        let fits = match (core, node) {
            (Some("str"), Tagged::Scalar { .. }) => return true,
            (Some("map"), Tagged::Mapping) | (Some("seq"), Tagged::Sequence) => true,
            (Some(name), Tagged::Scalar { text, plain: true }) => matches!(
                (name, resolve_plain(text)),
                ("null", ScalarType::Null)
                    | ("bool", ScalarType::Bool)
                    | ("int", ScalarType::Integer)
                    | ("float", ScalarType::Float | ScalarType::Integer)
            ),
            _ => false,
        };
        if !fits {
            let written = if tag.handle == "tag:yaml.org,2002:" {
                format!("!!{}", tag.suffix)
            } else if tag.handle.is_empty() {
                format!("!<{}>", tag.suffix)
            } else {
                format!("{}{}", tag.handle, tag.suffix)
            };
            let (hint, what) = match (self.dialect, core.is_some()) {
                (Dialect::Model, true) => (
                    "write the plain value: strider reads YAML's core tags (`!!str`, `!!int`, …) only where they match the value, and no other tag",
                    "a strider model",
                ),
                (Dialect::Model, false) => (
                    "write the plain value: CloudFormation functions like `!Ref` have no meaning in a model",
                    "a strider model",
                ),
                (Dialect::CloudFormation, _) => (
                    "CloudFormation's short forms are `!Ref`, `!GetAtt`, `!Sub`, `!If`…; YAML's core tags must match their value",
                    "a CloudFormation template",
                ),
            };
            self.problems.push(
                Diagnostic::error(
                    Code::YamlUnsupported,
                    span,
                    format!("YAML tag `{written}` is not supported in {what}"),
                )
                .with_label("tag")
                .with_hint(hint),
            );
        }
        false
    }

    /// Places a finished node into its parent (or as the root), remembering anchors.
    fn finish_node(&mut self, node: Node, anchor: usize, size: Size) -> Result<(), Diagnostic> {
        if anchor > 0 {
            self.anchors.insert(anchor, (node.clone(), size));
        }
        let Some(parent) = self.stack.last_mut() else {
            self.root = Some(node);
            return Ok(());
        };
        parent.size.nodes = parent.size.nodes.saturating_add(size.nodes);
        parent.size.bytes = parent.size.bytes.saturating_add(size.bytes);
        let (entries, pending, index) = match &mut parent.kind {
            OpenKind::Sequence(items) => {
                items.push(node);
                return Ok(());
            }
            OpenKind::Mapping {
                entries,
                pending,
                index,
            } => (entries, pending, index),
        };
        match std::mem::replace(pending, Pending::Nothing) {
            Pending::Key(key) => entries.push((key, node)),
            // The value of a duplicate key: dropped, so the first one stands.
            Pending::SkipValue => {}
            Pending::Nothing => {
                let Value::Scalar { text, .. } = node.value else {
                    return Err(Diagnostic::error(
                        Code::YamlUnsupported,
                        node.span,
                        "mapping keys must be plain strings, not lists or mappings",
                    )
                    .with_label("complex key"));
                };
                // Small mappings are scanned; large ones keep an index, built once they grow.
                if entries.len() >= INDEX_FROM && index.is_empty() {
                    index.extend(
                        entries
                            .iter()
                            .enumerate()
                            .map(|(i, (k, _))| (k.text.clone(), i)),
                    );
                }
                let first = if index.is_empty() {
                    entries.iter().find(|(k, _)| k.text == text)
                } else {
                    index.get(&text).map(|&i| &entries[i])
                };
                if let Some((first, _)) = first {
                    let problem = Diagnostic::error(
                        Code::DuplicateKey,
                        node.span,
                        format!("key `{text}` appears twice in the same mapping"),
                    )
                    .with_label("second occurrence")
                    .with_related(first.span, "first occurrence")
                    .with_hint("keep one of them: YAML parsers disagree on which one wins");
                    *pending = Pending::SkipValue;
                    self.problems.push(problem);
                } else {
                    if !index.is_empty() {
                        index.insert(text.clone(), entries.len());
                    }
                    *pending = Pending::Key(Key {
                        text,
                        span: node.span,
                    });
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    fn tree(text: &str, dialect: Dialect) -> Parsed {
        let mut sources = Sources::default();
        let file = sources.add(Path::new("template.yaml"), text.to_owned());
        parse_as(&sources, file, dialect).unwrap()
    }

    /// The tree as JSON-like text, to compare the short and long forms.
    fn show(node: &Node) -> String {
        match &node.value {
            Value::Scalar { text, .. } => format!("{text:?}"),
            Value::Sequence(items) => {
                let items: Vec<String> = items.iter().map(show).collect();
                format!("[{}]", items.join(","))
            }
            Value::Mapping(entries) => {
                let entries: Vec<String> = entries
                    .iter()
                    .map(|(k, v)| format!("{:?}:{}", k.text, show(v)))
                    .collect();
                format!("{{{}}}", entries.join(","))
            }
        }
    }

    #[test]
    fn template_short_forms_read_as_their_long_forms() {
        let short = "A: !Ref Bucket\nB: !GetAtt Fn.Arn\nC: !If [IsProd, !Sub '${A}-x', !Ref AWS::NoValue]\nD: !Condition IsProd\nE: !Join\n  - ''\n  - [a, !Ref B]\n";
        let long = r#"{"A": {"Ref": "Bucket"}, "B": {"Fn::GetAtt": "Fn.Arn"},
            "C": {"Fn::If": ["IsProd", {"Fn::Sub": "${A}-x"}, {"Ref": "AWS::NoValue"}]},
            "D": {"Condition": "IsProd"}, "E": {"Fn::Join": ["", ["a", {"Ref": "B"}]]}}"#;
        let short = tree(short, Dialect::CloudFormation);
        let long = tree(long, Dialect::CloudFormation);
        assert!(short.problems.is_empty(), "{:?}", short.problems);
        assert_eq!(
            show(short.root.as_ref().unwrap()),
            show(long.root.as_ref().unwrap())
        );
        // The function's place is the tag's value.
        let b = short.root.as_ref().unwrap().get("B").unwrap();
        assert_eq!(b.span.start, "A: !Ref Bucket\nB: !GetAtt ".len());
    }

    #[test]
    fn tags_that_are_no_function_are_refused_in_either_dialect() {
        let template = tree(
            "A: !Foo x\nB: !!python/object:os.system y\n",
            Dialect::CloudFormation,
        );
        assert_eq!(template.problems.len(), 2);
        assert!(
            template.problems[0]
                .message
                .contains("CloudFormation template")
        );
        let model = tree("A: !Ref x\n", Dialect::Model);
        assert_eq!(model.problems.len(), 1);
        assert!(model.problems[0].message.contains("strider model"));
    }
}
