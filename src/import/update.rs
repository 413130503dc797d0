//! `strider import --update MODEL TEMPLATE...`: the templates imported again into an existing
//! model, keeping what the architect wrote.
//!
//! The rule is who can know: what the templates state (kinds, runtimes, sizes, roles and
//! permissions, triggers, encryption, public access…) comes from the templates; what only the
//! architect knows (descriptions, data assets and their classification, which data a store or
//! flow carries, input validation, which user attributes grant access, fuzzing settings, actors,
//! externals, controls, tracking, and every element not imported from these templates) stays as
//! the model has it. Elements the templates no longer declare are removed if they were imported
//! from them. Flows are the union of both, the model's entry kept where both name a target (it
//! may say which data flows).
//!
//! The merged model must validate before it is written. Comments are not kept (the model is
//! written as `strider import` writes one).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::emit::{self, Doc, Entry};
use super::{Format, ImportError, Imported};
use crate::model::diagnostic::{Code, Diagnostic, Sources};
use crate::model::yaml::{self, Dialect, Node, ScalarType, Value};

/// Fields only the architect can state: the model's value is kept whatever the templates say.
const ARCHITECT: &[&str] = &["description", "data", "input", "fuzz", "tags", "owner"];

/// Element sections the import writes.
const IMPORTED: &[&str] = &["stores", "channels", "roles", "functions"];

/// Flow lists: merged, not replaced.
const FLOWS: &[&str] = &["reads", "writes", "invokes"];

/// The result of an update: the model's new text and what changed.
#[derive(Debug)]
pub struct Updated {
    /// The import (its warnings, sources and summary).
    pub imported: Imported,
    /// The merged model.
    pub yaml: String,
    /// Elements the templates added, as `section/id`.
    pub appeared: Vec<String>,
    /// Elements imported from these templates that they no longer declare.
    pub disappeared: Vec<String>,
    /// Elements whose template facts changed: `section/id` and the fields.
    pub changed: Vec<(String, Vec<String>)>,
}

impl Updated {
    /// One line per change, for the terminal.
    #[must_use]
    pub fn report(&self) -> Vec<String> {
        let mut lines = Vec::new();
        lines.extend(self.appeared.iter().map(|e| format!("+ {e}")));
        lines.extend(self.disappeared.iter().map(|e| format!("- {e}")));
        lines.extend(
            self.changed
                .iter()
                .map(|(e, fields)| format!("~ {e}: {}", fields.join(", "))),
        );
        lines.push(format!(
            "{} appeared, {} disappeared, {} changed",
            self.appeared.len(),
            self.disappeared.len(),
            self.changed.len()
        ));
        lines
    }
}

/// Imports `files` again into the model at `model`.
///
/// # Errors
/// The model or the templates cannot be read, or the merged model does not validate (an
/// element the architect wrote names one the templates no longer declare).
pub fn update(
    model: &Path,
    files: &[PathBuf],
    format: Option<Format>,
) -> Result<Updated, ImportError> {
    let model_dir = model
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut sources = Sources::default();
    let existing = read_model(model, &mut sources)?;
    let imported = super::import(files, format, model_dir)?;
    let fresh = imported.doc.clone();
    let names: Vec<String> = files.iter().map(|f| super::display_name(f)).collect();
    let mut merge = Merge {
        names: &names,
        appeared: Vec::new(),
        disappeared: Vec::new(),
        changed: Vec::new(),
    };
    let merged = merge.model(to_doc(&existing), fresh);
    let header = vec![
        format!("Updated by strider import from {}.", names.join(", ")),
        "What the templates state comes from them; descriptions, data, classifications, input"
            .to_owned(),
        "validation and everything not imported from them are kept (comments are not).".to_owned(),
    ];
    let yaml = emit::yaml(&header, &merged);
    if let Err(error) = crate::model::load::load_bytes(model, yaml.as_bytes()) {
        let mut diagnostics = vec![Diagnostic::unplaced(
            Code::InvalidValue,
            format!(
                "the updated model would not validate; `{}` is left as it was",
                model.display()
            ),
        )
        .with_hint("an element the templates no longer declare may still be named by one you wrote: remove the reference, then update again")];
        diagnostics.extend(error.diagnostics.into_iter().map(|mut d| {
            d.span = None;
            d
        }));
        return Err(ImportError {
            diagnostics,
            sources,
        });
    }
    Ok(Updated {
        imported,
        yaml,
        appeared: merge.appeared,
        disappeared: merge.disappeared,
        changed: merge.changed,
    })
}

/// The existing model's tree (only the file named).
fn read_model(path: &Path, sources: &mut Sources) -> Result<Node, ImportError> {
    let fail = |sources: &mut Sources, diagnostic: Diagnostic| ImportError {
        diagnostics: vec![diagnostic],
        sources: std::mem::take(sources),
    };
    let bytes = match crate::files::Tree::read_named(path, crate::model::load::MAX_FILE_BYTES) {
        Ok(bytes) => bytes,
        Err(refusal) => {
            let d = Diagnostic::unplaced(
                Code::Unreadable,
                format!("cannot read `{}`: {}", path.display(), refusal.reason()),
            );
            return Err(fail(sources, d));
        }
    };
    let file = match crate::model::load::add_text(path, bytes, sources) {
        Ok(file) => file,
        Err(d) => return Err(fail(sources, *d)),
    };
    match yaml::parse_as(sources, file, Dialect::Model) {
        Ok(parsed) if parsed.problems.is_empty() => parsed.root.ok_or_else(|| {
            let d =
                Diagnostic::unplaced(Code::EmptyModel, format!("`{}` is empty", path.display()));
            fail(sources, d)
        }),
        Ok(mut parsed) => {
            let d = parsed.problems.remove(0);
            Err(fail(sources, d))
        }
        Err(d) => Err(fail(sources, d)),
    }
}

/// A model's tree as a document to write.
fn to_doc(node: &Node) -> Doc {
    match &node.value {
        Value::Scalar { text, .. } => match node.scalar_type() {
            Some(ScalarType::Bool) => Doc::Bool(text == "true"),
            Some(ScalarType::Integer) => text
                .parse::<u64>()
                .map_or_else(|_| Doc::Number(text.clone()), Doc::Int),
            Some(ScalarType::Float) => Doc::Number(text.clone()),
            Some(ScalarType::Null) => Doc::Number("null".to_owned()),
            _ => Doc::Str(text.clone()),
        },
        Value::Sequence(items) => Doc::Seq(items.iter().map(to_doc).collect()),
        Value::Mapping(entries) => Doc::Map(
            entries
                .iter()
                .map(|(k, v)| Entry {
                    key: k.text.clone(),
                    value: to_doc(v),
                    comment: None,
                })
                .collect(),
        ),
    }
}

struct Merge<'a> {
    /// The templates' file names, as `source` fields name them.
    names: &'a [String],
    appeared: Vec<String>,
    disappeared: Vec<String>,
    changed: Vec<(String, Vec<String>)>,
}

impl Merge<'_> {
    fn model(&mut self, existing: Doc, fresh: Doc) -> Doc {
        let (Doc::Map(mut model), Doc::Map(fresh)) = (existing, fresh) else {
            return Doc::map();
        };
        for Entry { key, value, .. } in fresh {
            let at = model.iter().position(|e| e.key == key);
            if IMPORTED.contains(&key.as_str()) {
                let ours = at.map(|i| std::mem::replace(&mut model[i].value, Doc::map()));
                let merged = self.section(&key, ours.unwrap_or_else(Doc::map), value);
                match at {
                    Some(i) => model[i].value = merged,
                    None => model.push(Entry {
                        key,
                        value: merged,
                        comment: None,
                    }),
                }
            } else if matches!(key.as_str(), "boundaries" | "data") {
                // The model's entries stay; the import's placeholders and boundaries are added.
                let Doc::Map(theirs) = value else { continue };
                let Some(i) = at else {
                    model.push(Entry {
                        key,
                        value: Doc::Map(theirs),
                        comment: None,
                    });
                    continue;
                };
                if let Doc::Map(ours) = &mut model[i].value {
                    for entry in theirs {
                        if !ours.iter().any(|e| e.key == entry.key) {
                            ours.push(entry);
                        }
                    }
                }
            }
        }
        Self::drop_unused_placeholders(&mut model);
        Doc::Map(model)
    }

    fn section(&mut self, section: &str, ours: Doc, theirs: Doc) -> Doc {
        let (Doc::Map(mut ours), Doc::Map(theirs)) = (ours, theirs) else {
            return Doc::map();
        };
        let mut out = Vec::new();
        for entry in theirs {
            let id = format!("{section}/{}", entry.key);
            if let Some(i) = ours.iter().position(|e| e.key == entry.key) {
                let mine = ours.remove(i).value;
                let mut fields = Vec::new();
                let value = merge_map(mine, entry.value, &mut fields);
                if !fields.is_empty() {
                    self.changed.push((id, fields));
                }
                out.push(Entry { value, ..entry });
            } else {
                self.appeared.push(id);
                out.push(entry);
            }
        }
        for mut entry in ours {
            if self.imported_from_these(&entry.value) {
                self.disappeared.push(format!("{section}/{}", entry.key));
                continue;
            }
            entry.comment = None;
            out.push(entry);
        }
        Doc::Map(out)
    }

    /// Whether an element was imported from one of these templates (its `source` names one).
    fn imported_from_these(&self, element: &Doc) -> bool {
        let Doc::Map(entries) = element else {
            return false;
        };
        entries.iter().any(|e| {
            e.key == "source"
                && matches!(&e.value, Doc::Str(s) if self.names.iter().any(|n| {
                    s.strip_prefix(n.as_str()).is_some_and(|rest| rest.starts_with(':') || rest.starts_with('#'))
                }))
        })
    }

    /// Placeholder data assets no element names any more (the model's own data won).
    fn drop_unused_placeholders(model: &mut [Entry]) {
        let mut named = BTreeSet::new();
        for entry in model.iter() {
            if IMPORTED.contains(&entry.key.as_str()) {
                collect_data(&entry.value, &mut named);
            }
        }
        for entry in model.iter_mut().filter(|e| e.key == "data") {
            if let Doc::Map(assets) = &mut entry.value {
                assets.retain(|a| {
                    named.contains(&a.key)
                        || !matches!(
                            a.value.get("classification"),
                            Some(Doc::Str(c)) if c == "unclassified"
                        )
                });
            }
        }
    }
}

/// Every data id a subtree names under a `data` key.
fn collect_data(doc: &Doc, out: &mut BTreeSet<String>) {
    match doc {
        Doc::Map(entries) => {
            for e in entries {
                if e.key == "data"
                    && let Doc::Seq(items) = &e.value
                {
                    out.extend(items.iter().filter_map(|i| match i {
                        Doc::Str(s) => Some(s.clone()),
                        _ => None,
                    }));
                } else {
                    collect_data(&e.value, out);
                }
            }
        }
        Doc::Seq(items) => items.iter().for_each(|i| collect_data(i, out)),
        _ => {}
    }
}

/// An element (or a mapping in one) merged: the templates' fields, the model's where only the
/// architect knows ([`ARCHITECT`]), flows and triggers merged, the model's other additions kept.
/// `fields` receives the names of the template facts that changed.
fn merge_map(ours: Doc, theirs: Doc, fields: &mut Vec<String>) -> Doc {
    let (mut ours, theirs) = match (ours, theirs) {
        (Doc::Map(ours), Doc::Map(theirs)) => (ours, theirs),
        (_, theirs) => return theirs,
    };
    let mut out = Vec::new();
    for entry in theirs {
        let Some(i) = ours.iter().position(|e| e.key == entry.key) else {
            if entry.key != "source" {
                fields.push(entry.key.clone());
            }
            out.push(entry);
            continue;
        };
        let mine = ours.remove(i).value;
        let key = entry.key.clone();
        let value = if ARCHITECT.contains(&key.as_str()) {
            mine
        } else if FLOWS.contains(&key.as_str()) {
            merge_flows(mine, entry.value)
        } else if key == "triggers" {
            merge_triggers(mine, entry.value, fields)
        } else if key == "attributes" {
            merge_attributes(mine, entry.value, fields)
        } else if matches!((&mine, &entry.value), (Doc::Map(_), Doc::Map(_))) {
            let mut inner = Vec::new();
            let merged = merge_map(mine, entry.value, &mut inner);
            if !inner.is_empty() && !fields.contains(&key) {
                fields.push(key.clone());
            }
            merged
        } else {
            if mine != entry.value && key != "source" {
                fields.push(key.clone());
            }
            entry.value
        };
        out.push(Entry {
            key,
            value,
            comment: entry.comment,
        });
    }
    // What the model adds (fields the import never writes) stays; a template fact the
    // templates no longer state goes.
    for entry in ours {
        if ARCHITECT.contains(&entry.key.as_str()) || !TEMPLATE_FACTS.contains(&entry.key.as_str())
        {
            // Names and descriptions near the top, as the import writes them.
            let at = if matches!(entry.key.as_str(), "name" | "description") {
                out.iter()
                    .take_while(|e| matches!(e.key.as_str(), "kind" | "name" | "source"))
                    .count()
            } else {
                out.len()
            };
            out.insert(
                at,
                Entry {
                    comment: None,
                    ..entry
                },
            );
        } else {
            fields.push(entry.key);
        }
    }
    Doc::Map(out)
}

/// Fields the import writes from templates: when the templates no longer state one, the
/// model's goes too. Not a bucket's `public_access_block`, `acls` and `cors` nor a pool's
/// `password_policy`: the import writes them only when the templates configure them, and when
/// they do not, what the architect knows (an account-wide block, a policy set outside the
/// templates, CORS headers a handler returns) stays.
const TEMPLATE_FACTS: &[&str] = &[
    "kind",
    "runtime",
    "handler",
    "code",
    "timeout_s",
    "memory_mb",
    "reserved_concurrency",
    "role",
    "permissions",
    "managed_policies",
    "policy_templates",
    "env",
    "secrets",
    "triggers",
    "tracing",
    "vpc",
    "on_failure",
    "encryption",
    "versioning",
    "access_logging",
    "public",
    "backup",
    "dlq",
    "max_receive_count",
    "delivers_to",
    "auth",
    "tls",
    "waf",
    "mfa",
    "auth_flows",
    "access_logs",
    "expression",
    "table",
];

/// Flows: the templates' targets and the model's, the model's entry where both name a target.
fn merge_flows(ours: Doc, theirs: Doc) -> Doc {
    let (Doc::Seq(ours), Doc::Seq(theirs)) = (ours, theirs) else {
        return Doc::Seq(Vec::new());
    };
    let target = |d: &Doc| match d {
        Doc::Str(s) => Some(s.clone()),
        Doc::Map(_) => match d.get("to") {
            Some(Doc::Str(s)) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    };
    let mut out = ours.clone();
    let known: BTreeSet<String> = ours.iter().filter_map(target).collect();
    out.extend(
        theirs
            .into_iter()
            .filter(|d| target(d).is_none_or(|t| !known.contains(&t))),
    );
    Doc::Seq(out)
}

/// A pool's attributes: the templates' list (whether users can write each), each merged with the
/// model's attribute of the same name (whether the application grants access by it is the
/// architect's); attributes only the model names stay.
fn merge_attributes(ours: Doc, theirs: Doc, fields: &mut Vec<String>) -> Doc {
    let (mut ours, theirs) = match (ours, theirs) {
        (Doc::Seq(ours), Doc::Seq(theirs)) => (ours, theirs),
        (_, theirs) => return theirs,
    };
    let mut out = Vec::new();
    let mut changed = false;
    for attribute in theirs {
        if let Some(i) = ours
            .iter()
            .position(|o| o.get("name") == attribute.get("name"))
        {
            let mut inner = Vec::new();
            out.push(merge_map(ours.remove(i), attribute, &mut inner));
            changed |= !inner.is_empty();
        } else {
            changed = true;
            out.push(attribute);
        }
    }
    out.extend(ours);
    if changed {
        fields.push("attributes".to_owned());
    }
    Doc::Seq(out)
}

/// Triggers: the templates' list, each merged with the model's trigger of the same kind,
/// source, method and path (its `input` is the architect's).
fn merge_triggers(ours: Doc, theirs: Doc, fields: &mut Vec<String>) -> Doc {
    let (mut ours, theirs) = match (ours, theirs) {
        (Doc::Seq(ours), Doc::Seq(theirs)) => (ours, theirs),
        (_, theirs) => return theirs,
    };
    let identity = |d: &Doc| -> Vec<Option<Doc>> {
        ["kind", "source", "method", "path"]
            .iter()
            .map(|k| d.get(k).cloned())
            .collect()
    };
    let mut out = Vec::new();
    let mut changed = false;
    for trigger in theirs {
        if let Some(i) = ours.iter().position(|o| identity(o) == identity(&trigger)) {
            let mut inner = Vec::new();
            out.push(merge_map(ours.remove(i), trigger, &mut inner));
            changed |= !inner.is_empty();
        } else {
            changed = true;
            out.push(trigger);
        }
    }
    if changed || !ours.is_empty() {
        fields.push("triggers".to_owned());
    }
    Doc::Seq(out)
}
