//! Step Functions state machines (`AWS::Serverless::StateMachine`,
//! `AWS::StepFunctions::StateMachine`) as invocation flows: the state machine is an external of
//! the account that invokes each function of the template its definition names (a `Task` on the
//! function's ARN or through `lambda:invoke`, written inline, as a `DefinitionString` with
//! `Fn::Sub`, or through `DefinitionSubstitutions`), which gets an `invoke` trigger from it.

use std::collections::BTreeSet;

use super::{ACCOUNT, Mapped, Mapper};
use crate::import::emit::Doc;
use crate::import::template::{Piece, Resource, Val};

/// How deep a definition is searched for functions.
const MAX_DEPTH: usize = 64;

/// The most function ARNs read from one piece of a definition's text.
const MAX_NAMES: usize = 10_000;

impl Mapper<'_> {
    pub(super) fn state_machine(&mut self, r: &Resource) {
        let mut functions = BTreeSet::new();
        for key in ["Definition", "DefinitionString", "DefinitionSubstitutions"] {
            if let Some(value) = self.prop(r, key) {
                self.functions_in(&value, &mut functions, 0);
            }
        }
        if functions.is_empty() {
            if self.prop(r, "DefinitionUri").is_some()
                || self.prop(r, "DefinitionS3Location").is_some()
            {
                self.b.warn(
                    r.span,
                    format!("the definition of state machine `{}` is in a file or S3 object strider does not read: the functions it invokes are not known", r.id),
                    Some("add `invoke` triggers from the state machine by hand"),
                );
            }
            return;
        }
        let id = self.b.id(self.file, &r.id);
        let mut external = Doc::map();
        external.set("name", Doc::str(format!("State machine {}", r.id)));
        external.set(
            "description",
            Doc::str("A Step Functions state machine of the template: it invokes the functions its definition names."),
        );
        external.set("boundary", Doc::str(ACCOUNT));
        let from = self.from(r);
        self.b
            .add("externals", "state machines", &id, external, from);
        for function in functions {
            let mut trigger = Doc::map();
            trigger.set("kind", Doc::str("invoke"));
            trigger.set("source", Doc::str(id.clone()));
            self.push_trigger(&function, trigger);
        }
    }

    /// The functions of the template a definition refers to, anywhere in it.
    fn functions_in(&self, value: &Val, out: &mut BTreeSet<String>, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        match value {
            Val::Text(pieces) => {
                for piece in pieces {
                    match piece {
                        Piece::Resource { id, .. } => {
                            if let Some(Mapped::Function(function)) = self.elements.get(id) {
                                out.insert(function.clone());
                            }
                        }
                        // `…:function:orders-create…` inside a definition written as JSON text.
                        Piece::Lit(text) => {
                            for (at, _) in text.match_indices("function:").take(MAX_NAMES) {
                                let name: String = text[at + "function:".len()..]
                                    .chars()
                                    .take_while(|c| {
                                        c.is_ascii_alphanumeric() || *c == '-' || *c == '_'
                                    })
                                    .collect();
                                if let Some(Mapped::Function(function)) = self
                                    .names
                                    .get(&name)
                                    .and_then(|logical| self.elements.get(logical))
                                {
                                    out.insert(function.clone());
                                }
                            }
                        }
                        Piece::Unknown(_) => {}
                    }
                }
                // A literal function ARN or name of the template.
                if let Some(Mapped::Function(function)) = self.element_of(value) {
                    out.insert(function.clone());
                }
            }
            Val::List(items) => {
                for item in items {
                    self.functions_in(item, out, depth + 1);
                }
            }
            Val::Map(entries) => {
                for (_, item) in entries {
                    self.functions_in(item, out, depth + 1);
                }
            }
            Val::Absent | Val::Bool(_) | Val::Number(_) => {}
        }
    }
}
