//! A CloudFormation or SAM template, read: its parameters, conditions, mappings, globals and
//! resources, and the values of its properties with the intrinsic functions resolved as far as
//! the template allows.
//!
//! Parameters take their defaults, conditions are evaluated with them, `Ref` and `Fn::GetAtt` to
//! a logical id become references between resources, and what only a deployment knows (the
//! account, `Fn::ImportValue`, a parameter without a default) stays [`Piece::Unknown`], named,
//! so that nothing is invented.

use std::collections::BTreeMap;

use crate::model::diagnostic::Span;
use crate::model::yaml::{Node, ScalarType, Value};

/// How deep function calls nest before resolution gives up (conditions naming conditions…).
const MAX_NESTING: usize = 32;

/// The most list items or text pieces one resolution yields (`Fn::Join` over a huge list).
const MAX_PIECES: usize = 10_000;

/// The longest text one `Fn::Sub` or `Fn::Join` yields: nested ones each referring to the one
/// inside several times would otherwise grow exponentially with the nesting.
const MAX_TEXT: usize = 64 * 1024;

/// How deep conditions naming conditions may nest (each is decided once).
const MAX_CONDITION_NESTING: usize = 512;

/// A condition's state while a template is read.
#[derive(Debug, Clone, Copy)]
enum Decision {
    /// Being decided: a reference back to it is a loop.
    Deciding,
    /// Decided (`None`: it cannot be).
    Decided(Option<bool>),
}

/// A template's value after resolution.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// Null, or `AWS::NoValue`: as if not written.
    Absent,
    /// A boolean.
    Bool(bool),
    /// A number, as written.
    Number(String),
    /// Text: literal pieces and references (`!Sub "arn:aws:s3:::${Bucket}/*"`).
    Text(Vec<Piece>),
    /// A list.
    List(Vec<Val>),
    /// A mapping, in template order.
    Map(Vec<(String, Val)>),
}

/// A piece of resolved text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    /// Literal text.
    Lit(String),
    /// A resource of the template: `Ref` (no attribute) or `Fn::GetAtt`.
    Resource {
        /// Its logical id.
        id: String,
        /// The attribute (`Arn`, `StreamArn`), if any.
        attr: Option<String>,
    },
    /// What only a deployment knows: a pseudo parameter, an import, a parameter without default.
    Unknown(String),
}

impl Val {
    /// Literal text (or a number or boolean, as text); `None` when references or unknowns are
    /// part of it, or for collections.
    #[must_use]
    pub fn text(&self) -> Option<String> {
        match self {
            Val::Text(pieces) => pieces
                .iter()
                .map(|p| match p {
                    Piece::Lit(text) => Some(text.as_str()),
                    _ => None,
                })
                .collect(),
            Val::Number(n) => Some(n.clone()),
            Val::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }

    /// The pieces of text; a number or boolean is one literal.
    #[must_use]
    pub fn pieces(&self) -> Option<Vec<Piece>> {
        match self {
            Val::Text(pieces) => Some(pieces.clone()),
            Val::Number(_) | Val::Bool(_) => self.text().map(|t| vec![Piece::Lit(t)]),
            _ => None,
        }
    }

    /// The resource this value is a reference to, alone (`!Ref Table`, `!GetAtt Table.Arn`).
    #[must_use]
    pub fn resource(&self) -> Option<(&str, Option<&str>)> {
        match self {
            Val::Text(pieces) => match pieces.as_slice() {
                [Piece::Resource { id, attr }] => Some((id, attr.as_deref())),
                _ => None,
            },
            _ => None,
        }
    }

    /// The value under `key`, when this is a mapping.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&Val> {
        match self {
            Val::Map(entries) => entries
                .iter()
                .find(|(k, _)| k == key)
                .map(|(_, v)| v)
                .filter(|v| **v != Val::Absent),
            _ => None,
        }
    }

    /// The items, when this is a list; a single value is a list of one (CloudFormation accepts
    /// either in many places).
    #[must_use]
    pub fn items(&self) -> Vec<&Val> {
        match self {
            Val::List(items) => items.iter().filter(|v| **v != Val::Absent).collect(),
            Val::Absent => Vec::new(),
            other => vec![other],
        }
    }

    /// A boolean, also written as text (`"true"`).
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Val::Bool(b) => Some(*b),
            other => match other.text()?.to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" => Some(false),
                _ => None,
            },
        }
    }

    /// A whole number, also written as text.
    #[must_use]
    pub fn as_u32(&self) -> Option<u32> {
        self.text()?.trim().parse().ok()
    }
}

/// A literal text value.
#[must_use]
pub fn lit(text: impl Into<String>) -> Val {
    Val::Text(vec![Piece::Lit(text.into())])
}

/// A resource of the template.
#[derive(Debug, Clone)]
pub struct Resource {
    /// Its logical id.
    pub id: String,
    /// `AWS::Serverless::Function`, `AWS::S3::Bucket`…
    pub kind: String,
    /// Where its logical id stands.
    pub span: Span,
    /// Its `Properties` node, unresolved (resolve what you read with [`Template::resolve`]).
    pub properties: Option<Node>,
    /// Its `Condition`, if any.
    pub condition: Option<String>,
    /// The directory of its code that CDK records (`Metadata: {aws:asset:path: …}`), relative
    /// to the template, if any.
    pub asset_path: Option<String>,
    /// What it was translated from, when the template is strider's translation of another
    /// format: (the original's type, its address), e.g. a Terraform resource.
    pub origin: Option<(String, String)>,
}

/// Why a part of the template could not be resolved, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unresolved {
    /// Where.
    pub span: Span,
    /// What.
    pub what: String,
}

/// A parsed template.
#[derive(Debug)]
pub struct Template {
    /// Resources in template order.
    pub resources: Vec<Resource>,
    /// SAM's `Globals` section.
    pub globals: Option<Node>,
    /// Whether the template is a SAM one (`Transform: AWS::Serverless-2016-10-31`).
    pub sam: bool,
    parameters: BTreeMap<String, Val>,
    conditions: BTreeMap<String, Node>,
    mappings: Option<Node>,
    /// Logical id → its place in `resources` (the first, when a template repeats one).
    ids: BTreeMap<String, usize>,
    /// What resolution could not do, collected as it goes.
    unresolved: std::cell::RefCell<Vec<Unresolved>>,
    /// Conditions decided so far, or being decided.
    decided: std::cell::RefCell<BTreeMap<String, Decision>>,
    /// How many conditions are being decided at once (the chain being followed).
    deciding: std::cell::Cell<usize>,
}

/// Whether a template asks for the SAM transform (`Transform: AWS::Serverless-2016-10-31`,
/// alone or in a list).
#[must_use]
pub fn is_sam(root: &Node) -> bool {
    root.get("Transform").is_some_and(|t| match &t.value {
        Value::Sequence(items) => items
            .iter()
            .filter_map(Node::as_scalar)
            .any(|n| n.starts_with("AWS::Serverless")),
        _ => t
            .as_scalar()
            .is_some_and(|n| n.starts_with("AWS::Serverless")),
    })
}

impl Template {
    /// The template in `root` (the document of a template file).
    #[must_use]
    pub fn new(root: &Node) -> Template {
        let sam = is_sam(root);
        let mut template = Template {
            resources: Vec::new(),
            globals: root.get("Globals").cloned(),
            sam,
            parameters: BTreeMap::new(),
            conditions: BTreeMap::new(),
            mappings: root.get("Mappings").cloned(),
            ids: BTreeMap::new(),
            unresolved: std::cell::RefCell::new(Vec::new()),
            decided: std::cell::RefCell::new(BTreeMap::new()),
            deciding: std::cell::Cell::new(0),
        };
        if let Some(Value::Mapping(resources)) = root.get("Resources").map(|n| &n.value) {
            for (key, node) in resources {
                let kind = node.get("Type").and_then(Node::as_scalar).unwrap_or("");
                template
                    .ids
                    .entry(key.text.clone())
                    .or_insert(template.resources.len());
                template.resources.push(Resource {
                    id: key.text.clone(),
                    kind: kind.to_owned(),
                    span: key.span,
                    properties: node.get("Properties").cloned(),
                    condition: node
                        .get("Condition")
                        .and_then(Node::as_scalar)
                        .map(str::to_owned),
                    asset_path: node
                        .get("Metadata")
                        .and_then(|m| m.get("aws:asset:path"))
                        .and_then(Node::as_scalar)
                        .map(str::to_owned),
                    origin: node.get("Metadata").and_then(|m| {
                        Some((
                            m.get("strider:type")?.as_scalar()?.to_owned(),
                            m.get("strider:address")?.as_scalar()?.to_owned(),
                        ))
                    }),
                });
            }
        }
        if let Some(Value::Mapping(conditions)) = root.get("Conditions").map(|n| &n.value) {
            for (key, node) in conditions {
                template.conditions.insert(key.text.clone(), node.clone());
            }
        }
        if let Some(Value::Mapping(parameters)) = root.get("Parameters").map(|n| &n.value) {
            for (key, node) in parameters {
                let value = match node.get("Default") {
                    Some(default) => template.scalar(default),
                    None => Val::Text(vec![Piece::Unknown(format!("parameter {}", key.text))]),
                };
                template.parameters.insert(key.text.clone(), value);
            }
        }
        template
    }

    /// Whether `id` is a resource of the template.
    #[must_use]
    pub fn has(&self, id: &str) -> bool {
        self.ids.contains_key(id)
    }

    /// The resource `id`.
    #[must_use]
    pub fn resource(&self, id: &str) -> Option<&Resource> {
        self.resources.get(*self.ids.get(id)?)
    }

    /// What could not be resolved so far, taken.
    pub fn take_unresolved(&self) -> Vec<Unresolved> {
        std::mem::take(&mut *self.unresolved.borrow_mut())
    }

    fn note(&self, span: Span, what: impl Into<String>) {
        let mut unresolved = self.unresolved.borrow_mut();
        if unresolved.len() < MAX_PIECES {
            unresolved.push(Unresolved {
                span,
                what: what.into(),
            });
        }
    }

    /// Whether a resource with `condition` exists with the parameters' defaults (an unknown
    /// condition counts as true: the resource is kept, and the doubt reported).
    #[must_use]
    pub fn exists(&self, resource: &Resource) -> bool {
        match &resource.condition {
            None => true,
            Some(name) => self.condition(name, resource.span).unwrap_or(true),
        }
    }

    /// A condition's value, decided once (conditions naming conditions are shared, not
    /// re-evaluated); `None` when it cannot be decided or refers to itself.
    fn condition(&self, name: &str, span: Span) -> Option<bool> {
        let Some(node) = self.conditions.get(name) else {
            self.note(span, format!("condition `{name}` is not defined"));
            return None;
        };
        match self.decided.borrow().get(name) {
            Some(Decision::Decided(value)) => return *value,
            Some(Decision::Deciding) => {
                self.note(span, format!("condition `{name}` refers to itself"));
                return None;
            }
            None => {}
        }
        // Each condition is decided once, so only the chain being followed bounds the
        // recursion; each definition gets the whole nesting budget of its own.
        if self.deciding.get() >= MAX_CONDITION_NESTING {
            self.note(span, format!("condition `{name}` nests too deeply"));
            return None;
        }
        self.decided
            .borrow_mut()
            .insert(name.to_owned(), Decision::Deciding);
        self.deciding.set(self.deciding.get() + 1);
        let value = self.truth(node, 0);
        self.deciding.set(self.deciding.get() - 1);
        self.decided
            .borrow_mut()
            .insert(name.to_owned(), Decision::Decided(value));
        value
    }

    fn truth(&self, node: &Node, depth: usize) -> Option<bool> {
        match function(node) {
            Some((function, argument)) => self.truth_of(function, argument, depth),
            None => self.resolve_at(node, depth).as_bool(),
        }
    }

    /// The truth of a condition function (`Fn::Equals`, `Fn::And`…) applied to `argument`.
    fn truth_of(&self, function: &str, argument: &Node, depth: usize) -> Option<bool> {
        let args: Vec<&Node> = match &argument.value {
            Value::Sequence(items) => items.iter().collect(),
            _ => vec![argument],
        };
        match function {
            "Condition" => self.condition(argument.as_scalar()?, argument.span),
            "Fn::Equals" => {
                let [a, b] = args.as_slice() else {
                    return None;
                };
                let (a, b) = (self.resolve_at(a, depth), self.resolve_at(b, depth));
                Some(a.text()? == b.text()?)
            }
            "Fn::Not" => Some(!self.truth(args.first()?, depth + 1)?),
            // One decided operand settles it (`false` for And, `true` for Or), even when
            // another cannot be decided.
            "Fn::And" | "Fn::Or" => {
                let settles = function == "Fn::Or";
                let values: Vec<Option<bool>> =
                    args.iter().map(|a| self.truth(a, depth + 1)).collect();
                if values.contains(&Some(settles)) {
                    Some(settles)
                } else {
                    values
                        .into_iter()
                        .collect::<Option<Vec<bool>>>()
                        .map(|_| !settles)
                }
            }
            _ => None,
        }
    }

    /// `node` resolved.
    #[must_use]
    pub fn resolve(&self, node: &Node) -> Val {
        self.resolve_at(node, 0)
    }

    fn scalar(&self, node: &Node) -> Val {
        match &node.value {
            Value::Scalar { text, .. } => match node.scalar_type() {
                Some(ScalarType::Null) => Val::Absent,
                Some(ScalarType::Bool) => Val::Bool(text.eq_ignore_ascii_case("true")),
                Some(ScalarType::Integer | ScalarType::Float) => Val::Number(text.clone()),
                _ => lit(text.clone()),
            },
            _ => self.resolve(node),
        }
    }

    fn resolve_at(&self, node: &Node, depth: usize) -> Val {
        if depth > MAX_NESTING {
            self.note(node.span, "functions nested too deeply");
            return Val::Text(vec![Piece::Unknown("nested too deeply".to_owned())]);
        }
        if let Some((function, argument)) = function(node) {
            return self.call(function, argument, node.span, depth + 1);
        }
        match &node.value {
            Value::Scalar { .. } => self.scalar(node),
            Value::Sequence(items) => Val::List(
                items
                    .iter()
                    .take(MAX_PIECES)
                    .map(|item| self.resolve_at(item, depth + 1))
                    .collect(),
            ),
            Value::Mapping(entries) => Val::Map(
                entries
                    .iter()
                    .map(|(k, v)| (k.text.clone(), self.resolve_at(v, depth + 1)))
                    .collect(),
            ),
        }
    }

    fn unknown(&self, span: Span, what: impl Into<String>) -> Val {
        let what = what.into();
        self.note(span, what.clone());
        Val::Text(vec![Piece::Unknown(what)])
    }

    fn call(&self, function: &str, argument: &Node, span: Span, depth: usize) -> Val {
        let args: Vec<&Node> = match &argument.value {
            Value::Sequence(items) => items.iter().collect(),
            _ => vec![argument],
        };
        match function {
            "Ref" => self.reference(argument, span),
            "Fn::GetAtt" => self.get_att(argument, &args, span, depth),
            "Fn::Sub" => self.sub(&args, span, depth),
            "Fn::Join" => self.join(&args, span, depth),
            "Fn::If" => self.choose(&args, span, depth),
            "Fn::Select" => {
                let [index, list] = args.as_slice() else {
                    return self.unknown(span, "`Fn::Select` takes an index and a list");
                };
                let index = self.resolve_at(index, depth).as_u32();
                let list = self.resolve_at(list, depth);
                match (index, list) {
                    (Some(i), Val::List(mut items)) if (i as usize) < items.len() => {
                        items.swap_remove(i as usize)
                    }
                    _ => self.unknown(span, "`Fn::Select` out of what the template says"),
                }
            }
            "Fn::Split" => {
                let [delimiter, text] = args.as_slice() else {
                    return self.unknown(span, "`Fn::Split` takes a delimiter and a text");
                };
                let delimiter = self.resolve_at(delimiter, depth).text();
                match (delimiter, self.resolve_at(text, depth).text()) {
                    (Some(d), Some(t)) if !d.is_empty() => {
                        Val::List(t.split(d.as_str()).take(MAX_PIECES).map(lit).collect())
                    }
                    _ => self.unknown(span, "`Fn::Split` of a value known only when deployed"),
                }
            }
            "Fn::FindInMap" => self.find_in_map(&args, span, depth),
            "Fn::Base64" => self.resolve_at(argument, depth),
            "Fn::ImportValue" => {
                let name = self.resolve_at(argument, depth).text().unwrap_or_default();
                self.unknown(span, format!("the export `{name}` of another stack"))
            }
            "Condition" => match self.condition(argument.as_scalar().unwrap_or(""), span) {
                Some(b) => Val::Bool(b),
                None => self.unknown(span, "a condition that cannot be decided"),
            },
            "Fn::Equals" | "Fn::Not" | "Fn::And" | "Fn::Or" => {
                match self.truth_of(function, argument, depth) {
                    Some(b) => Val::Bool(b),
                    None => self.unknown(span, format!("`{function}` that cannot be decided")),
                }
            }
            other => self.unknown(span, format!("`{other}`, resolved only when deployed")),
        }
    }

    fn get_att(&self, argument: &Node, args: &[&Node], span: Span, depth: usize) -> Val {
        let (id, attr) = match (&argument.value, args) {
            (Value::Scalar { text, .. }, _) => match text.split_once('.') {
                Some((id, attr)) => (id.to_owned(), attr.to_owned()),
                None => {
                    return self.unknown(span, format!("`Fn::GetAtt {text}` names no attribute"));
                }
            },
            (_, [id, attr]) => match (
                self.resolve_at(id, depth).text(),
                self.resolve_at(attr, depth).text(),
            ) {
                (Some(id), Some(attr)) => (id, attr),
                _ => return self.unknown(span, "`Fn::GetAtt` with computed names"),
            },
            _ => return self.unknown(span, "`Fn::GetAtt` takes a resource and an attribute"),
        };
        if self.has(&id) {
            Val::Text(vec![Piece::Resource {
                id,
                attr: Some(attr),
            }])
        } else {
            self.unknown(
                span,
                format!("`Fn::GetAtt` names `{id}`, which is no resource of the template"),
            )
        }
    }

    fn join(&self, args: &[&Node], span: Span, depth: usize) -> Val {
        let [delimiter, list] = args else {
            return self.unknown(span, "`Fn::Join` takes a delimiter and a list");
        };
        let Some(delimiter) = self.resolve_at(delimiter, depth).text() else {
            return self.unknown(span, "`Fn::Join` with a computed delimiter");
        };
        let list = self.resolve_at(list, depth);
        let mut pieces = Vec::new();
        let mut bytes = 0;
        for (i, item) in list.items().into_iter().enumerate() {
            if i > 0 && !delimiter.is_empty() {
                pieces.push(Piece::Lit(delimiter.clone()));
            }
            let more = item
                .pieces()
                .unwrap_or_else(|| vec![Piece::Unknown("a list in `Fn::Join`".to_owned())]);
            bytes += length(&more) + delimiter.len();
            pieces.extend(more);
            if pieces.len() > MAX_PIECES || bytes > MAX_TEXT {
                return self.unknown(span, "`Fn::Join` of too long a text");
            }
        }
        Val::Text(merge(pieces))
    }

    /// `Fn::If`: the value its condition picks, or the first when it cannot be decided.
    fn choose(&self, args: &[&Node], span: Span, depth: usize) -> Val {
        let [condition, yes, no] = args else {
            return self.unknown(span, "`Fn::If` takes a condition and two values");
        };
        let Some(name) = condition.as_scalar() else {
            return self.unknown(span, "`Fn::If` names its condition");
        };
        match self.condition(name, condition.span) {
            Some(false) => self.resolve_at(no, depth),
            Some(true) => self.resolve_at(yes, depth),
            None => {
                self.note(
                    span,
                    format!("condition `{name}` cannot be decided: its first value is used"),
                );
                self.resolve_at(yes, depth)
            }
        }
    }

    fn find_in_map(&self, args: &[&Node], span: Span, depth: usize) -> Val {
        let keys: Vec<Option<String>> = args
            .iter()
            .map(|a| self.resolve_at(a, depth).text())
            .collect();
        let found = match keys.as_slice() {
            [Some(map), Some(top), Some(second)] => self
                .mappings
                .as_ref()
                .and_then(|m| m.get(map))
                .and_then(|m| m.get(top))
                .and_then(|m| m.get(second)),
            _ => None,
        };
        match found {
            Some(node) => self.resolve_at(node, depth),
            None => self.unknown(span, "`Fn::FindInMap` with keys the template does not hold"),
        }
    }

    fn reference(&self, argument: &Node, span: Span) -> Val {
        match argument.as_scalar() {
            Some(name) => self.reference_to(name, span),
            None => self.unknown(span, "`Ref` names a parameter or a resource"),
        }
    }

    /// What `Ref name` stands for.
    fn reference_to(&self, name: &str, span: Span) -> Val {
        if let Some(value) = self.parameters.get(name) {
            return value.clone();
        }
        if self.has(name) {
            return Val::Text(vec![Piece::Resource {
                id: name.to_owned(),
                attr: None,
            }]);
        }
        match name {
            "AWS::NoValue" => Val::Absent,
            "AWS::Partition" => lit("aws"),
            "AWS::URLSuffix" => lit("amazonaws.com"),
            _ if name.starts_with("AWS::") => Val::Text(vec![Piece::Unknown(name.to_owned())]),
            _ => self.unknown(span, format!("`Ref {name}` names nothing in the template")),
        }
    }

    fn sub(&self, args: &[&Node], span: Span, depth: usize) -> Val {
        let (text, vars) = match args {
            [text] => (*text, None),
            [text, vars] => (*text, Some(*vars)),
            _ => return self.unknown(span, "`Fn::Sub` takes a text and, maybe, variables"),
        };
        let Some(text) = text.as_scalar() else {
            return self.unknown(span, "`Fn::Sub` of a computed text");
        };
        let mut pieces = Vec::new();
        let mut resolved: BTreeMap<&str, Vec<Piece>> = BTreeMap::new();
        let mut bytes = 0;
        let mut rest = text;
        while let Some(at) = rest.find("${") {
            pieces.push(Piece::Lit(rest[..at].to_owned()));
            let after = &rest[at + 2..];
            if let Some(literal) = after.strip_prefix('!') {
                // `${!Literal}` is written as `${Literal}`.
                pieces.push(Piece::Lit("${".to_owned()));
                rest = literal;
                continue;
            }
            let Some(end) = after.find('}') else {
                pieces.push(Piece::Lit(rest[at..].to_owned()));
                rest = "";
                break;
            };
            let name = &after[..end];
            rest = &after[end + 1..];
            // Each variable is resolved once, however often the text names it.
            if let Some(known) = resolved.get(name) {
                pieces.extend(known.iter().cloned());
                bytes += length(known);
                if pieces.len() > MAX_PIECES || bytes > MAX_TEXT {
                    return self.unknown(span, "`Fn::Sub` of too long a text");
                }
                continue;
            }
            let bound = vars.and_then(|v| v.get(name));
            let value = match bound {
                Some(node) => self.resolve_at(node, depth),
                None => match name.split_once('.') {
                    Some((id, attr)) if self.has(id) => Val::Text(vec![Piece::Resource {
                        id: id.to_owned(),
                        attr: Some(attr.to_owned()),
                    }]),
                    _ => self.reference_to(name, span),
                },
            };
            let more = value
                .pieces()
                .unwrap_or_else(|| vec![Piece::Unknown(name.to_owned())]);
            pieces.extend(more.iter().cloned());
            bytes += length(&more);
            resolved.insert(name, more);
            if pieces.len() > MAX_PIECES || bytes > MAX_TEXT {
                return self.unknown(span, "`Fn::Sub` of too long a text");
            }
        }
        pieces.push(Piece::Lit(rest.to_owned()));
        Val::Text(merge(pieces))
    }
}

/// The function a node calls (`{Ref: x}`, `{"Fn::Sub": …}`), with its argument.
fn function(node: &Node) -> Option<(&str, &Node)> {
    let Value::Mapping(entries) = &node.value else {
        return None;
    };
    let [(key, argument)] = entries.as_slice() else {
        return None;
    };
    (key.text == "Ref" || key.text == "Condition" || key.text.starts_with("Fn::"))
        .then_some((key.text.as_str(), argument))
}

/// The bytes of text pieces (what an unknown piece stands for counts as its description).
fn length(pieces: &[Piece]) -> usize {
    pieces
        .iter()
        .map(|p| match p {
            Piece::Lit(text) | Piece::Unknown(text) => text.len(),
            Piece::Resource { id, attr } => id.len() + attr.as_ref().map_or(0, String::len),
        })
        .sum()
}

/// Adjacent literals joined, empty ones dropped.
fn merge(pieces: Vec<Piece>) -> Vec<Piece> {
    let mut merged: Vec<Piece> = Vec::with_capacity(pieces.len());
    for piece in pieces {
        match (merged.last_mut(), piece) {
            (_, Piece::Lit(text)) if text.is_empty() => {}
            (Some(Piece::Lit(last)), Piece::Lit(text)) => last.push_str(&text),
            (_, piece) => merged.push(piece),
        }
    }
    if merged.is_empty() {
        merged.push(Piece::Lit(String::new()));
    }
    merged
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::model::diagnostic::Sources;
    use crate::model::yaml::{Dialect, parse_as};

    fn template(text: &str) -> Template {
        let mut sources = Sources::default();
        let file = sources.add(Path::new("t.yaml"), text.to_owned());
        let parsed = parse_as(&sources, file, Dialect::CloudFormation).unwrap();
        Template::new(parsed.root.as_ref().unwrap())
    }

    fn property(t: &Template, id: &str, key: &str) -> Val {
        let resource = t.resource(id).unwrap();
        t.resolve(resource.properties.as_ref().unwrap().get(key).unwrap())
    }

    const TEMPLATE: &str = r#"
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: {Type: String, Default: prod}
  Secret: {Type: String}
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
  NotProd: !Not [!Condition IsProd]
  Loop: !Condition Loop
Mappings:
  Sizes: {prod: {Memory: 1024}}
Resources:
  Table: {Type: AWS::DynamoDB::Table}
  Dev: {Type: AWS::SQS::Queue, Condition: NotProd}
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      A: !Sub "arn:${AWS::Partition}:s3:::${Table}/*"
      B: !GetAtt Table.StreamArn
      C: !If [IsProd, big, small]
      D: !Join ["-", [!Ref Stage, x, !Ref Secret]]
      E: !FindInMap [Sizes, !Ref Stage, Memory]
      F: !Select [1, !Split [",", "a,b,c"]]
      G: !ImportValue shared-vpc
      H: !If [Loop, yes, no]
      I: !Sub ["${X}-${!Raw}", {X: !Ref Stage}]
"#;

    #[test]
    fn intrinsics_resolve_with_parameter_defaults() {
        let t = template(TEMPLATE);
        assert!(t.sam);
        let a = property(&t, "Fn", "A");
        assert_eq!(
            a,
            Val::Text(vec![
                Piece::Lit("arn:aws:s3:::".into()),
                Piece::Resource {
                    id: "Table".into(),
                    attr: None
                },
                Piece::Lit("/*".into()),
            ])
        );
        assert_eq!(
            property(&t, "Fn", "B").resource(),
            Some(("Table", Some("StreamArn")))
        );
        assert_eq!(property(&t, "Fn", "C").text().as_deref(), Some("big"));
        let d = property(&t, "Fn", "D");
        assert_eq!(d.text(), None);
        assert_eq!(d.pieces().unwrap()[0], Piece::Lit("prod-x-".into()));
        assert_eq!(property(&t, "Fn", "E").text().as_deref(), Some("1024"));
        assert_eq!(property(&t, "Fn", "F").text().as_deref(), Some("b"));
        assert!(
            matches!(&property(&t, "Fn", "G").pieces().unwrap()[0], Piece::Unknown(w) if w.contains("shared-vpc"))
        );
        assert_eq!(
            property(&t, "Fn", "I").text().as_deref(),
            Some("prod-${Raw}")
        );
        assert!(!t.exists(t.resource("Dev").unwrap()));
        assert!(t.exists(t.resource("Table").unwrap()));
    }

    #[test]
    fn conditions_naming_conditions_are_decided_once() {
        // Each condition names the previous one twice: evaluated afresh, 2^40 evaluations.
        let mut text = String::from("Conditions:\n  C0: !Equals [a, a]\n");
        for i in 1..40 {
            text.push_str(&format!(
                "  C{i}: !And [!Condition C{}, !Condition C{}]\n",
                i - 1,
                i - 1
            ));
        }
        text.push_str("Resources:\n  R: {Type: AWS::SQS::Queue, Condition: C39}\n");
        let t = template(&text);
        let started = std::time::Instant::now();
        assert_eq!(
            t.condition("C39", t.resource("R").unwrap().span),
            Some(true)
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert!(t.take_unresolved().is_empty());
    }

    #[test]
    fn nested_subs_naming_their_variable_often_stay_small_and_fast() {
        // Each level names the one inside eight times: 8^20 copies if expanded.
        let mut value = String::from("\"x\"");
        for _ in 0..20 {
            value = format!(
                "{{\"Fn::Sub\": [\"${{a}}${{a}}${{a}}${{a}}${{a}}${{a}}${{a}}${{a}}\", {{\"a\": {value}}}]}}"
            );
        }
        let text = format!(
            "{{\"Resources\": {{\"Q\": {{\"Type\": \"AWS::SQS::Queue\", \"Properties\": {{\"QueueName\": {value}}}}}}}}}"
        );
        let t = template(&text);
        let started = std::time::Instant::now();
        let name = t
            .resource("Q")
            .unwrap()
            .properties
            .as_ref()
            .and_then(|p| p.get("QueueName"))
            .map(|n| t.resolve(n))
            .unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
        assert!(name.text().is_none());
        assert!(
            t.take_unresolved()
                .iter()
                .any(|u| u.what.contains("too long a text"))
        );
    }

    #[test]
    fn a_chain_of_conditions_longer_than_the_budget_is_reported_not_a_stack_overflow() {
        let mut text = String::from("Conditions:\n  C0: !Equals [a, a]\n");
        for i in 1..2000 {
            text.push_str(&format!("  C{i}: !Not [!Condition C{}]\n", i - 1));
        }
        text.push_str("Resources:\n  R: {Type: AWS::SQS::Queue, Condition: C1999}\n");
        let t = template(&text);
        assert_eq!(t.condition("C1999", t.resource("R").unwrap().span), None);
        assert!(
            t.take_unresolved()
                .iter()
                .any(|u| u.what.contains("nests too deeply"))
        );
    }

    #[test]
    fn what_cannot_be_decided_is_reported_not_invented() {
        let t = template(TEMPLATE);
        let _ = t.take_unresolved();
        // A condition that names itself: the first value, and a note.
        assert_eq!(property(&t, "Fn", "H").text().as_deref(), Some("yes"));
        let notes = t.take_unresolved();
        assert!(notes.iter().any(|n| n.what.contains("Loop")), "{notes:?}");
        let _ = property(&t, "Fn", "G");
        assert!(
            t.take_unresolved()
                .iter()
                .any(|n| n.what.contains("shared-vpc"))
        );
    }
}
