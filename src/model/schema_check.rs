//! Checks a YAML tree against the model's JSON Schema and reports every structural problem at once.
//!
//! The schema is generated from the Rust types ([`super::types`]), so what `strider schema` publishes
//! for editors is exactly what this check enforces. It understands the part of JSON Schema that
//! schemars emits: `$ref`, `type`, `properties`, `required`, `additionalProperties`, `items`,
//! `anyOf`/`oneOf` (string enums as `const` branches, nullable values, string-or-mapping unions),
//! `const`, `enum`, `minimum`, `maximum` and `format: uint32`.

use std::sync::OnceLock;

use serde_json::Value as Json;

use super::diagnostic::{Code, Diagnostic, Span, did_you_mean, one_of};
use super::types::ModelFile;
use super::yaml::{Node, ScalarType, Value, parse_integer};

/// The JSON Schema of a model file, generated from the types.
#[must_use]
pub fn model_schema() -> &'static Json {
    static SCHEMA: OnceLock<Json> = OnceLock::new();
    SCHEMA.get_or_init(|| schemars::schema_for!(ModelFile).to_value())
}

/// What the structural check found in one file.
#[derive(Debug, Default)]
pub struct Checked {
    /// Every structural problem.
    pub problems: Vec<Diagnostic>,
    /// Paths to drop so that the rest of the file still decodes: unknown keys, and the elements
    /// (`[section, id]`) or top-level keys that hold any other problem.
    pub prune: Vec<Vec<String>>,
}

impl Checked {
    /// Ids of the elements dropped because they hold problems.
    pub fn broken_ids(&self) -> impl Iterator<Item = &str> {
        self.prune
            .iter()
            .filter(|p| p.len() == 2)
            .map(|p| p[1].as_str())
    }

    /// The tree without the pruned paths: what can still be decoded and validated.
    #[must_use]
    pub fn pruned(&self, root: &Node) -> Node {
        let mut root = root.clone();
        for path in &self.prune {
            remove(&mut root, path);
        }
        root
    }
}

fn remove(node: &mut Node, path: &[String]) {
    let Some((first, rest)) = path.split_first() else {
        return;
    };
    match &mut node.value {
        Value::Mapping(entries) if rest.is_empty() => entries.retain(|(k, _)| &k.text != first),
        Value::Mapping(entries) => {
            if let Some((_, child)) = entries.iter_mut().find(|(k, _)| &k.text == first) {
                remove(child, rest);
            }
        }
        Value::Sequence(items) => {
            let index = first
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<usize>()
                .ok();
            if let Some(child) = index.and_then(|i| items.get_mut(i)) {
                remove(child, rest);
            }
        }
        Value::Scalar { .. } => {}
    }
}

/// Checks a model file's root node; returns every problem found.
#[must_use]
pub fn check(root: &Node) -> Checked {
    let schema = model_schema();
    let mut walker = Walker {
        root_schema: schema,
        checked: Checked::default(),
        path: Vec::new(),
    };
    walker.check(root, schema, root.span, "model");
    walker.checked.prune.sort();
    walker.checked.prune.dedup();
    walker.checked
}

struct Walker<'s> {
    root_schema: &'s Json,
    checked: Checked,
    path: Vec<String>,
}

impl Walker<'_> {
    fn push(&mut self, problem: Diagnostic) {
        self.report(problem, None);
    }

    /// Records a problem, and what to prune for the rest of the file to decode: the unknown key
    /// itself, else the element (or top-level key) that holds the problem.
    fn report(&mut self, problem: Diagnostic, unknown_key: Option<&str>) {
        let sections = super::Section::ALL.map(super::Section::key);
        let prune = match (unknown_key, self.path.first()) {
            (Some(key), _) => self.path.iter().cloned().chain([key.to_owned()]).collect(),
            (None, Some(first)) if sections.contains(&first.as_str()) && self.path.len() >= 2 => {
                self.path[..2].to_vec()
            }
            (None, Some(first)) => vec![first.clone()],
            (None, None) => Vec::new(),
        };
        if !prune.is_empty() {
            self.checked.prune.push(prune);
        }
        self.checked.problems.push(problem);
    }
}

/// The shapes a schema accepts, for matching union branches to a node.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Shape {
    Null,
    Bool,
    Integer,
    Number,
    String,
    Array,
    Object,
}

impl Shape {
    fn from_name(name: &str) -> Option<Shape> {
        Some(match name {
            "null" => Shape::Null,
            "boolean" => Shape::Bool,
            "integer" => Shape::Integer,
            "number" => Shape::Number,
            "string" => Shape::String,
            "array" => Shape::Array,
            "object" => Shape::Object,
            _ => return None,
        })
    }

    fn describe(self) -> &'static str {
        match self {
            Shape::Null => "nothing (null)",
            Shape::Bool => "a boolean (`true` or `false`)",
            Shape::Integer => "a whole number",
            Shape::Number => "a number",
            Shape::String => "a string",
            Shape::Array => "a list",
            Shape::Object => "a mapping",
        }
    }

    fn accepts(self, node: &Node) -> bool {
        match (&node.value, node.scalar_type()) {
            (Value::Sequence(_), _) => self == Shape::Array,
            (Value::Mapping(_), _) => self == Shape::Object,
            // An empty section header (`externals:` with everything below commented out) is an
            // empty collection, not a mistake.
            (_, Some(ScalarType::Null)) => {
                matches!(self, Shape::Null | Shape::Array | Shape::Object)
            }
            // A string field takes any scalar's text: `version: 1.0` is the string "1.0".
            (_, Some(ScalarType::Bool)) => matches!(self, Shape::Bool | Shape::String),
            (_, Some(ScalarType::Integer)) => {
                matches!(self, Shape::Integer | Shape::Number | Shape::String)
            }
            (_, Some(ScalarType::Float)) => matches!(self, Shape::Number | Shape::String),
            _ => self == Shape::String,
        }
    }
}

/// What a schema's description says about the value, as a hint (`memory in MB: AWS Lambda
/// allows 128 to 10240`).
fn described(schema: &Json) -> Option<String> {
    let description = schema.get("description").and_then(Json::as_str)?;
    let text = description.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(lowercase_first(text.trim_end_matches('.')))
}

fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Turns a `$defs` name into words: `DataAsset` → `data asset`.
fn noun(def_name: &str) -> String {
    let mut words = String::new();
    for (i, c) in def_name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            words.push(' ');
        }
        words.extend(c.to_lowercase());
    }
    words
}

impl<'s> Walker<'s> {
    /// The current place, for messages: `` `functions.checkout.triggers[0]` ``.
    fn here(&self) -> String {
        if self.path.is_empty() {
            return "the top level".to_owned();
        }
        let mut path = String::new();
        for segment in &self.path {
            if !path.is_empty() && !segment.starts_with('[') {
                path.push('.');
            }
            path.push_str(segment);
        }
        format!("`{path}`")
    }

    /// `in <path>`, or `at the top level`.
    fn within(&self) -> String {
        if self.path.is_empty() {
            "at the top level".to_owned()
        } else {
            format!("in {}", self.here())
        }
    }

    /// Follows `$ref`s; returns the schema and the name of the last definition followed.
    fn resolve(&self, schema: &'s Json, name: &'s str) -> (&'s Json, &'s str) {
        resolve(self.root_schema, schema, name)
    }
}

fn resolve<'s>(
    root_schema: &'s Json,
    mut schema: &'s Json,
    mut name: &'s str,
) -> (&'s Json, &'s str) {
    for _ in 0..32 {
        let Some(reference) = schema.get("$ref").and_then(Json::as_str) else {
            break;
        };
        let Some(def) = reference.strip_prefix("#/$defs/") else {
            break;
        };
        match root_schema.get("$defs").and_then(|defs| defs.get(def)) {
            Some(target) => {
                schema = target;
                name = def;
            }
            None => break,
        }
    }
    (schema, name)
}

impl<'s> Walker<'s> {
    fn check(&mut self, node: &Node, schema: &'s Json, owner: Span, name: &'s str) {
        let (schema, name) = self.resolve(schema, name);
        if let Some(branches) = schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))
            .and_then(Json::as_array)
        {
            self.check_union(node, branches, owner, name);
            return;
        }
        if let Some(expected) = schema.get("const") {
            self.check_enum(node, std::slice::from_ref(expected), name);
            return;
        }
        if let Some(values) = schema.get("enum").and_then(Json::as_array) {
            if values.iter().any(Json::is_number) {
                self.check_number_set(node, values, schema);
            } else {
                self.check_enum(node, values, name);
            }
            return;
        }
        let shapes: Vec<Shape> = match schema.get("type") {
            Some(Json::String(t)) => Shape::from_name(t).into_iter().collect(),
            Some(Json::Array(ts)) => ts
                .iter()
                .filter_map(Json::as_str)
                .filter_map(Shape::from_name)
                .collect(),
            _ => return,
        };
        let Some(shape) = shapes.iter().copied().find(|shape| shape.accepts(node)) else {
            self.wrong_type(node, &shapes);
            return;
        };
        if node.scalar_type() == Some(ScalarType::Null) {
            return;
        }
        match (shape, &node.value) {
            (Shape::Object, Value::Mapping(entries)) => {
                self.check_object(node, entries, schema, owner, name);
            }
            (Shape::Array, Value::Sequence(items)) => {
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.path.push(format!("[{i}]"));
                        self.check(item, item_schema, item.span, name);
                        self.path.pop();
                    }
                }
            }
            (Shape::Integer, _) => self.check_range(node, schema),
            _ => {}
        }
    }

    fn check_object(
        &mut self,
        node: &Node,
        entries: &[(super::yaml::Key, Node)],
        schema: &'s Json,
        owner: Span,
        name: &'s str,
    ) {
        let properties = schema.get("properties").and_then(Json::as_object);
        let additional = schema.get("additionalProperties");
        for (key, value) in entries {
            let property = properties.and_then(|p| p.get(&key.text));
            let value_schema = match (property, additional) {
                (Some(property), _) => property,
                (None, Some(extra @ Json::Object(_))) => extra,
                (None, Some(Json::Bool(true)) | None) => continue,
                (None, Some(_)) => {
                    let known: Vec<&str> = properties
                        .map(|p| p.keys().map(String::as_str).collect())
                        .unwrap_or_default();
                    let hint = did_you_mean(&key.text, known.iter().copied())
                        .unwrap_or_else(|| format!("a {} takes {}", noun(name), one_of(&known)));
                    let problem = Diagnostic::error(
                        Code::UnknownKey,
                        key.span,
                        format!("unknown key `{}` {}", key.text, self.within()),
                    )
                    .with_label("unknown key")
                    .with_hint(hint);
                    self.report(problem, Some(&key.text));
                    continue;
                }
            };
            self.path.push(key.text.clone());
            self.check(value, value_schema, key.span, name);
            self.path.pop();
        }
        for required in schema
            .get("required")
            .and_then(Json::as_array)
            .into_iter()
            .flatten()
        {
            let Some(required) = required.as_str() else {
                continue;
            };
            if node.get(required).is_none() {
                let description = properties
                    .and_then(|p| p.get(required))
                    .and_then(|p| p.get("description"))
                    .and_then(Json::as_str)
                    .map_or_else(
                        || format!("add `{required}:`"),
                        |d| {
                            format!(
                                "add `{required}:` ({})",
                                lowercase_first(d.trim_end_matches('.'))
                            )
                        },
                    );
                self.push(
                    Diagnostic::error(
                        Code::MissingField,
                        owner,
                        format!("{} is missing the required field `{required}`", self.here()),
                    )
                    .with_label(format!("this {} has no `{required}`", noun(name)))
                    .with_hint(description),
                );
            }
        }
    }

    fn check_union(&mut self, node: &Node, branches: &'s [Json], owner: Span, name: &'s str) {
        let resolved: Vec<(&'s Json, &'s str)> =
            branches.iter().map(|b| self.resolve(b, name)).collect();
        // A string enum: every branch is a `const`.
        if resolved.iter().all(|(b, _)| b.get("const").is_some()) {
            let values: Vec<Json> = resolved
                .iter()
                .filter_map(|(b, _)| b.get("const").cloned())
                .collect();
            self.check_enum(node, &values, name);
            return;
        }
        let fits = |branch: &Json| -> bool {
            let (branch, _) = self.resolve(branch, name);
            if let Some(inner) = branch
                .get("anyOf")
                .or_else(|| branch.get("oneOf"))
                .and_then(Json::as_array)
            {
                // A nested enum or union: decided by its own check.
                return inner.iter().any(|b| b.get("const").is_some())
                    && node.scalar_type().is_some();
            }
            match branch.get("type") {
                Some(Json::String(t)) => Shape::from_name(t).is_some_and(|s| s.accepts(node)),
                Some(Json::Array(ts)) => ts
                    .iter()
                    .filter_map(Json::as_str)
                    .filter_map(Shape::from_name)
                    .any(|s| s.accepts(node)),
                _ => branch.get("const").is_some() && node.scalar_type().is_some(),
            }
        };
        if let Some(branch) = branches.iter().find(|b| fits(b)) {
            self.check(node, branch, owner, name);
            return;
        }
        let shapes: Vec<Shape> = resolved
            .iter()
            .filter_map(|(b, _)| {
                b.get("type")
                    .and_then(Json::as_str)
                    .and_then(Shape::from_name)
            })
            .collect();
        self.wrong_type(node, &shapes);
    }

    fn check_enum(&mut self, node: &Node, values: &[Json], name: &str) {
        let allowed: Vec<String> = values
            .iter()
            .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            .collect();
        let text = node
            .as_scalar()
            .filter(|_| node.scalar_type() != Some(ScalarType::Null));
        match text {
            Some(text) if allowed.iter().any(|a| a == text) => {}
            Some(text) => {
                let hint = did_you_mean(text, allowed.iter().map(String::as_str));
                self.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        node.span,
                        format!(
                            "`{text}` is not a valid {} for {}: expected {}",
                            noun(name),
                            self.here(),
                            one_of(&allowed)
                        ),
                    )
                    .with_label(format!("not a {}", noun(name)))
                    .with_optional_hint(hint),
                );
            }
            None => self.push(
                Diagnostic::error(
                    Code::WrongType,
                    node.span,
                    format!(
                        "{} must be one of {}, found {}",
                        self.here(),
                        one_of(&allowed),
                        node.describe()
                    ),
                )
                .with_label(format!("expected a {}", noun(name))),
            ),
        }
    }

    fn check_range(&mut self, node: &Node, schema: &Json) {
        let Some(value) = node.as_scalar().and_then(parse_integer) else {
            return;
        };
        // The stricter of the format's range and the declared one: `memory_mb` is a `uint32`
        // that AWS allows from 128 to 10240.
        let (format_min, format_max) = match schema.get("format").and_then(Json::as_str) {
            Some("uint32") => (Some(0), Some(i128::from(u32::MAX))),
            Some("uint64") => (Some(0), Some(i128::from(u64::MAX))),
            _ => (None, None),
        };
        let declared = |key| schema.get(key).and_then(Json::as_i64).map(i128::from);
        let minimum = format_min.max(declared("minimum"));
        let maximum = match (format_max, declared("maximum")) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let below = minimum.is_some_and(|min| value < min);
        let above = maximum.is_some_and(|max| value > max);
        if below || above {
            let range = match (minimum, maximum) {
                (Some(min), Some(max)) => format!("from {min} to {max}"),
                (Some(min), None) => format!("of at least {min}"),
                (None, Some(max)) => format!("of at most {max}"),
                (None, None) => String::new(),
            };
            self.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    node.span,
                    format!(
                        "{} must be a whole number {range}, found {value}",
                        self.here()
                    ),
                )
                .with_label(if below { "too small" } else { "too large" })
                .with_optional_hint(described(schema)),
            );
        }
    }

    /// A whole number from a fixed set (`retention_days`: CloudWatch's retention periods).
    fn check_number_set(&mut self, node: &Node, values: &[Json], schema: &Json) {
        if node.scalar_type() == Some(ScalarType::Null) && values.iter().any(Json::is_null) {
            return;
        }
        let allowed: Vec<i128> = values
            .iter()
            .filter_map(Json::as_i64)
            .map(i128::from)
            .collect();
        let value = node
            .as_scalar()
            .filter(|_| node.scalar_type() == Some(ScalarType::Integer))
            .and_then(parse_integer);
        match value {
            Some(value) if allowed.contains(&value) => {}
            Some(value) => {
                let list: Vec<String> = allowed.iter().map(ToString::to_string).collect();
                let nearest = allowed.iter().min_by_key(|a| (**a - value).abs());
                let hint = match (described(schema), nearest) {
                    (Some(what), Some(nearest)) => {
                        Some(format!("{what}; the nearest is {nearest}"))
                    }
                    (what, nearest) => what.or(nearest.map(|n| format!("the nearest is {n}"))),
                };
                self.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        node.span,
                        format!(
                            "{} must be one of {}, found {value}",
                            self.here(),
                            one_of(&list)
                        ),
                    )
                    .with_label("not an allowed value")
                    .with_optional_hint(hint),
                );
            }
            None => self.wrong_type(node, &[Shape::Integer]),
        }
    }

    fn wrong_type(&mut self, node: &Node, shapes: &[Shape]) {
        let expected: Vec<&str> = shapes
            .iter()
            .filter(|s| **s != Shape::Null)
            .map(|s| s.describe())
            .collect();
        let expected = match expected.as_slice() {
            [] => "something else".to_owned(),
            [one] => (*one).to_owned(),
            [init @ .., last] => format!("{} or {last}", init.join(", ")),
        };
        let quoted_number = matches!(&node.value, Value::Scalar { plain: false, text } if parse_integer(text).is_some() || text.parse::<f64>().is_ok());
        let hint = if quoted_number
            && shapes
                .iter()
                .any(|s| matches!(s, Shape::Integer | Shape::Number))
        {
            Some("remove the quotes: a quoted number is a string".to_owned())
        } else if shapes.contains(&Shape::Array) && node.scalar_type().is_some() {
            Some("write a list: `[a, b]`, or one `- item` per line".to_owned())
        } else {
            None
        };
        self.push(
            Diagnostic::error(
                Code::WrongType,
                node.span,
                format!(
                    "{} must be {expected}, found {}",
                    self.here(),
                    node.describe()
                ),
            )
            .with_label(format!("expected {expected}"))
            .with_optional_hint(hint),
        );
    }
}
