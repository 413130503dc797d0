//! Templates written by strider for formats that are not CloudFormation (a Serverless Framework
//! service, a Terraform plan): the CloudFormation nodes they translate to, placed where the
//! original stood so that diagnostics point into the file the user gave.

use crate::model::diagnostic::Span;
use crate::model::yaml::{Node, Value};

pub(super) fn event_node(span: Span, kind: &str, props: Vec<(&str, Node)>) -> Node {
    map(
        span,
        vec![("Type", text(span, kind)), ("Properties", map(span, props))],
    )
}

pub(super) fn resource(span: Span, kind: &str, properties: Node) -> Node {
    map(
        span,
        vec![("Type", text(span, kind)), ("Properties", properties)],
    )
}

pub(super) fn reference(span: Span, id: &str) -> Node {
    map(span, vec![("Ref", text(span, id))])
}

pub(super) fn get_att(span: Span, id: &str, attr: &str) -> Node {
    map(
        span,
        vec![(
            "Fn::GetAtt",
            seq(span, vec![text(span, id), text(span, attr)]),
        )],
    )
}

pub(super) fn text(span: Span, text: &str) -> Node {
    Node::text(span, text)
}

pub(super) fn map(span: Span, entries: Vec<(&str, Node)>) -> Node {
    Node::mapping(span, entries)
}

pub(super) fn seq(span: Span, items: Vec<Node>) -> Node {
    Node::sequence(span, items)
}

pub(super) fn items(node: &Node) -> Vec<Node> {
    match &node.value {
        Value::Sequence(items) => items.clone(),
        _ => vec![node.clone()],
    }
}

pub(super) fn entries(node: &Node) -> Vec<(String, Node)> {
    match &node.value {
        Value::Mapping(entries) => entries
            .iter()
            .map(|(k, v)| (k.text.clone(), v.clone()))
            .collect(),
        _ => Vec::new(),
    }
}

/// `my-topic_name` → `MyTopicName`, as the framework names the resources it creates.
pub(super) fn pascal(name: &str) -> String {
    name.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars.next().map_or_else(String::new, |c| {
                c.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// `{"Fn::Join": ["", parts]}`: text made of literal parts and references.
pub(super) fn join(span: Span, parts: Vec<Node>) -> Node {
    map(
        span,
        vec![(
            "Fn::Join",
            seq(span, vec![text(span, ""), seq(span, parts)]),
        )],
    )
}
