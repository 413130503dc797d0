//! Policies of a plan: parsed from their JSON, or rebuilt from the `aws_iam_policy_document`
//! they are made of, with the ARNs of the plan's resources made references to them.

use super::{MAX_NESTING, Plan, Target, from_json, list, scalar};

/// The most statements one `aws_iam_policy_document` is rebuilt with.
const MAX_STATEMENTS: usize = 200;

/// The most resources (all statements together) one rebuilt document names.
const MAX_DOCUMENT_RESOURCES: usize = 1_000;

/// The most values all the policies handed to the model hold together.
pub(super) const MAX_POLICY_NODES: usize = 2_000_000;
use crate::import::synth::{get_att, join, map, seq, text};
use crate::model::diagnostic::Span;
use crate::model::yaml::{Node, Value};

impl Plan<'_> {
    /// The policy document at attribute `path` of instance `at`: its JSON when known, else
    /// the `aws_iam_policy_document` it is made of; `None` (and said) when neither is known.
    pub(super) fn policy(&mut self, at: usize, path: &[&str]) -> Option<Node> {
        let document = self.policy_uncounted(at, path)?;
        self.counted(document)
    }

    /// A policy handed out, counted against [`MAX_POLICY_NODES`]: one document used by many
    /// roles is copied into each.
    fn counted(&mut self, document: Node) -> Option<Node> {
        if self.policy_nodes_exhausted {
            return None;
        }
        let size = nodes(&document, 0);
        if size > self.policy_nodes_left {
            self.policy_nodes_exhausted = true;
            self.notes.push((
                document.span,
                format!("the plan's policies hold more than {MAX_POLICY_NODES} values: the rest are not in the model"),
            ));
            return None;
        }
        self.policy_nodes_left -= size;
        Some(document)
    }

    fn policy_uncounted(&mut self, at: usize, path: &[&str]) -> Option<Node> {
        if self.policy_nodes_exhausted {
            return None;
        }
        let span = self.insts[at].span;
        if let Some(json) = self
            .value(at, path)
            .and_then(Node::as_scalar)
            .filter(|j| !j.is_empty())
            .map(str::to_owned)
        {
            return self.parsed_policy(span, &json);
        }
        let documents: Vec<usize> = self
            .refs(at, path)
            .into_iter()
            .map(|(i, _)| i)
            .filter(|i| self.insts[*i].data && self.insts[*i].kind == "aws_iam_policy_document")
            .collect();
        if let Some(&document) = documents.first() {
            return self.policy_document(document, span, 0);
        }
        if self.expression(at, path).is_some() {
            let inst = &self.insts[at];
            let message = format!(
                "the policy of `{}` is known only after apply: its permissions are not in the model",
                inst.address
            );
            self.notes.push((span, message));
        }
        None
    }

    /// A policy written as JSON, with the ARNs of the plan's resources made references.
    pub(super) fn parsed_policy(&mut self, span: Span, json: &str) -> Option<Node> {
        match serde_json::from_str::<serde_json::Value>(json) {
            Ok(value) => {
                let mut node = from_json(&value, span);
                self.link_statements(&mut node);
                Some(node)
            }
            Err(error) => {
                self.notes.push((
                    span,
                    format!(
                        "a policy is not valid JSON ({error}): its permissions are not in the model"
                    ),
                ));
                None
            }
        }
    }

    /// Makes the `Resource`s of a policy's statements that are (or are under) a resource of
    /// the plan references to it.
    fn link_statements(&self, document: &mut Node) {
        let Some(Value::Mapping(entries)) = Some(&mut document.value) else {
            return;
        };
        for (key, statements) in entries.iter_mut() {
            if key.text != "Statement" {
                continue;
            }
            let list: Vec<&mut Node> = match &mut statements.value {
                Value::Sequence(items) => items.iter_mut().collect(),
                _ => vec![statements],
            };
            for statement in list {
                let Value::Mapping(fields) = &mut statement.value else {
                    continue;
                };
                for (field, value) in fields.iter_mut() {
                    if field.text != "Resource" && field.text != "NotResource" {
                        continue;
                    }
                    match &mut value.value {
                        Value::Sequence(items) => {
                            for item in items.iter_mut() {
                                self.link_arn(item);
                            }
                        }
                        _ => self.link_arn(value),
                    }
                }
            }
        }
    }

    /// Every ARN of the plan's resources anywhere in `node` made a reference.
    pub(super) fn link_arns(&self, node: &mut Node, depth: usize) {
        if depth > MAX_NESTING {
            return;
        }
        match &mut node.value {
            Value::Scalar { .. } => self.link_arn(node),
            Value::Sequence(items) => {
                for item in items {
                    self.link_arns(item, depth + 1);
                }
            }
            Value::Mapping(entries) => {
                for (_, value) in entries {
                    self.link_arns(value, depth + 1);
                }
            }
        }
    }

    /// An ARN of (or under) a resource of the plan → a reference to it (`Fn::Join` for what
    /// follows it: `bucket/*`).
    fn link_arn(&self, node: &mut Node) {
        let Some(arn) = node.as_scalar().map(str::to_owned) else {
            return;
        };
        if !arn.starts_with("arn:") {
            return;
        }
        let span = node.span;
        if let Some(target) = self.identified(&arn, &[]) {
            *node = self.reference_to(span, &target);
            return;
        }
        // The longest known ARN the text starts with, followed by `/` or `:`.
        for (cut, _) in arn
            .match_indices(['/', ':'])
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
        {
            if let Some(target) = self.identified(&arn[..cut], &[])
                && target.1.as_deref() == Some("arn")
            {
                *node = join(
                    span,
                    vec![self.reference_to(span, &target), text(span, &arn[cut..])],
                );
                return;
            }
        }
    }

    /// A policy rebuilt from an `aws_iam_policy_document`: its JSON when the plan knows it,
    /// else its statements as configured, with references to the plan's resources.
    fn policy_document(&mut self, at: usize, span: Span, depth: usize) -> Option<Node> {
        if let Some(done) = self.documents.get(&at) {
            return done.clone();
        }
        // A document that includes itself, directly or not, includes nothing the second time.
        self.documents.insert(at, None);
        let document = self.build_document(at, span, depth);
        self.documents.insert(at, document.clone());
        document
    }

    fn build_document(&mut self, at: usize, span: Span, depth: usize) -> Option<Node> {
        if let Some(json) = scalar(self.insts[at].values.get("json")).filter(|j| !j.is_empty()) {
            let json = json.to_owned();
            return self.parsed_policy(span, &json);
        }
        let mut statements = Vec::new();
        if depth < MAX_NESTING {
            for source in ["source_policy_documents", "override_policy_documents"] {
                let included: Vec<usize> = self
                    .refs(at, &[source])
                    .into_iter()
                    .map(|(i, _)| i)
                    .filter(|i| *i != at && self.insts[*i].kind == "aws_iam_policy_document")
                    .collect();
                for document in included {
                    if let Some(doc) = self.policy_document(document, span, depth + 1)
                        && let Some(Value::Sequence(items)) =
                            doc.get("Statement").map(|s| s.value.clone())
                    {
                        statements.extend(items);
                    }
                }
            }
        }
        let blocks: Vec<&Node> = self
            .config_of(&self.insts[at])
            .and_then(|c| c.get("expressions")?.get("statement"))
            .map(|s| list(Some(s)))
            .unwrap_or_default();
        let module = self.insts[at].module.clone();
        let mut unresolved = 0;
        let mut resources_left = MAX_DOCUMENT_RESOURCES;
        for block in blocks {
            statements.push(self.configured_statement(
                block,
                &module,
                span,
                (&mut unresolved, &mut resources_left),
            ));
        }
        if statements.len() > MAX_STATEMENTS || resources_left == 0 {
            statements.truncate(MAX_STATEMENTS);
            let message = format!(
                "`{}` holds more than {MAX_STATEMENTS} statements or {MAX_DOCUMENT_RESOURCES} resources: the rest are not in the model",
                self.insts[at].address
            );
            self.notes.push((self.insts[at].span, message));
        }
        if unresolved > 0 {
            let message = format!(
                "{unresolved} resource list{} of `{}` refer{} to values the plan does not resolve: left out",
                if unresolved == 1 { "" } else { "s" },
                self.insts[at].address,
                if unresolved == 1 { "s" } else { "" },
            );
            self.notes.push((self.insts[at].span, message));
        }
        if statements.is_empty() && self.config_of(&self.insts[at]).is_none() {
            return None;
        }
        Some(map(span, vec![("Statement", seq(span, statements))]))
    }

    /// One `statement` block of an `aws_iam_policy_document` as configured: constants as
    /// they are, references to resources of the plan as their ARNs; `unresolved` counts the
    /// resource lists whose references the plan does not resolve.
    fn configured_statement(
        &self,
        block: &Node,
        module: &str,
        span: Span,
        (unresolved, resources_left): (&mut usize, &mut usize),
    ) -> Node {
        let constant = |key: &str| -> Vec<Node> {
            block
                .get(key)
                .and_then(|e| e.get("constant_value"))
                .map(|v| match &v.value {
                    Value::Sequence(items) => items.clone(),
                    _ => vec![v.clone()],
                })
                .unwrap_or_default()
        };
        let effect = constant("effect")
            .first()
            .and_then(Node::as_scalar)
            .filter(|e| !e.is_empty())
            .unwrap_or("Allow")
            .to_owned();
        let mut entries = vec![("Effect", text(span, &effect))];
        for (key, to) in [("actions", "Action"), ("not_actions", "NotAction")] {
            let actions = constant(key);
            if !actions.is_empty() {
                entries.push((to, seq(span, actions)));
            }
        }
        for (key, to) in [("resources", "Resource"), ("not_resources", "NotResource")] {
            let Some(expression) = block.get(key) else {
                continue;
            };
            let mut resources = constant(key);
            for item in &mut resources {
                self.link_arn(item);
            }
            if expression.get("references").is_some() {
                let targets: Vec<Target> = self
                    .refs_in(module, expression, 0)
                    .into_iter()
                    .filter(|(i, _)| !self.insts[*i].data)
                    .collect();
                if targets.is_empty() {
                    *unresolved += 1;
                }
                let room = (*resources_left).min(targets.len());
                *resources_left -= room;
                resources.extend(
                    targets[..room]
                        .iter()
                        .map(|(i, _)| get_att(span, &self.insts[*i].logical, "Arn")),
                );
            }
            if !resources.is_empty() {
                entries.push((to, seq(span, resources)));
            }
        }
        let principals: Vec<(String, Node)> = list(block.get("principals"))
            .into_iter()
            .filter_map(|p| {
                let kind = p
                    .get("type")?
                    .get("constant_value")?
                    .as_scalar()?
                    .to_owned();
                let ids = p.get("identifiers")?.get("constant_value")?.clone();
                Some((kind, ids))
            })
            .collect();
        if !principals.is_empty() {
            let principal = if principals.iter().any(|(k, _)| k == "*") {
                text(span, "*")
            } else {
                Node::mapping(span, principals)
            };
            entries.push(("Principal", principal));
        }
        if block.get("condition").is_some() {
            entries.push(("Condition", map(span, Vec::new())));
        }
        map(span, entries)
    }
}

/// How many nodes a tree holds (its depth is bounded by the parser and the builders).
fn nodes(node: &Node, depth: usize) -> usize {
    if depth > MAX_NESTING {
        return 1;
    }
    1 + match &node.value {
        Value::Sequence(items) => items.iter().map(|n| nodes(n, depth + 1)).sum(),
        Value::Mapping(entries) => entries.iter().map(|(_, n)| 1 + nodes(n, depth + 1)).sum(),
        Value::Scalar { .. } => 0,
    }
}
