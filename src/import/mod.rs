//! `strider import`: a model from infrastructure as code.
//!
//! One file per format: [`cloudformation`] reads AWS SAM and CloudFormation templates (YAML with
//! the short-form functions, or JSON such as `cdk.out/*.template.json`); [`serverless`] turns a
//! Serverless Framework service into the template the framework would deploy, and
//! [`terraform`] a Terraform plan or state (`terraform show -json`) into the template its
//! resources would be ([`synth`] builds such templates). Templates are read with
//! the model's YAML reader in its CloudFormation dialect ([`template`]), mapped to model
//! elements, and written as YAML with comments ([`emit`]) saying where each element came from.
//! The text written is loaded back as a model before it is returned, so an import never hands
//! over a model that does not validate.
//!
//! What templates do not say (what data flows where and how sensitive it is, who uses the APIs)
//! is left for the architect, said in the model's header; nothing is invented.

pub mod cloudformation;
pub mod emit;
pub mod serverless;
pub mod synth;
pub mod template;
pub mod terraform;
pub mod update;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::model::diagnostic::{Code, Diagnostic, FileId, Sources, Span};
use crate::model::yaml::{self, Dialect};
use emit::Doc;

/// The formats strider imports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// AWS SAM (a CloudFormation template with the `AWS::Serverless` transform).
    Sam,
    /// Plain AWS CloudFormation (also what AWS CDK synthesises).
    CloudFormation,
    /// A Serverless Framework service (`serverless.yml`, v3 or v4).
    Serverless,
    /// The JSON of `terraform show -json`: a saved plan or the state.
    Terraform,
}

impl Format {
    /// The format's name on the command line.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Format::Sam => "sam",
            Format::CloudFormation => "cloudformation",
            Format::Serverless => "serverless",
            Format::Terraform => "terraform-plan",
        }
    }
}

/// An imported model: its YAML text, what was mapped, and what could not be.
#[derive(Debug)]
pub struct Imported {
    /// The model, as YAML text that loads as a valid model.
    pub yaml: String,
    /// The same model as a document (with its comments), for `--update` to merge.
    pub doc: Doc,
    /// Problems that did not stop the import (unsupported resources, unresolved values).
    pub warnings: Vec<Diagnostic>,
    /// The templates read, to render the warnings.
    pub sources: Sources,
    /// What was mapped, for the summary: element kind → count.
    pub mapped: BTreeMap<&'static str, usize>,
    /// Resources of the templates that are in no element, by type → count.
    pub unmapped: BTreeMap<String, usize>,
}

/// An import that failed: every problem, and the templates to render them.
#[derive(Debug)]
pub struct ImportError {
    /// Problems, errors first.
    pub diagnostics: Vec<Diagnostic>,
    /// The templates read.
    pub sources: Sources,
}

/// The most resources an import maps, over all templates.
pub const MAX_RESOURCES: usize = 20_000;

/// Imports `paths` (each read whole, only these files) as `format`, or the format each file is
/// detected as, for a model written in `model_dir` (code directories are given relative to it).
///
/// # Errors
/// Unreadable or malformed templates, files of no supported format, or (a bug) a model that
/// does not validate.
pub fn import(
    paths: &[PathBuf],
    format: Option<Format>,
    model_dir: &Path,
) -> Result<Imported, ImportError> {
    let mut sources = Sources::default();
    let mut problems = Vec::new();
    let mut files: Vec<(FileId, yaml::Node)> = Vec::new();
    let mut duplicates = Vec::new();
    for path in paths {
        match read(path, &mut sources, &mut duplicates) {
            Ok((file, root)) => files.push((file, root)),
            Err(problem) => problems.push(*problem),
        }
    }
    if !problems.is_empty() {
        return Err(ImportError {
            diagnostics: problems,
            sources,
        });
    }
    let mut builder = Builder {
        warnings: duplicates,
        model_dir: std::path::absolute(model_dir).unwrap_or_else(|_| model_dir.to_path_buf()),
        ..Builder::default()
    };
    // OpenAPI documents are read for the APIs that include them, not as templates.
    let (documents, files): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|(_, root)| cloudformation::openapi::is_document(root));
    builder.documents = documents
        .into_iter()
        .map(|(file, root)| (cloudformation::openapi::normal(sources.path(file)), root))
        .collect();
    for (file, root) in &files {
        if format.or_else(|| detect(root)) == Some(Format::Terraform) {
            sources.redact(*file, &terraform::redactions(root));
        }
    }
    for (file, root) in &files {
        let detected = detect(root);
        let Some(format) = format.or(detected) else {
            let path = sources.path(*file).display();
            problems.push(
                Diagnostic::unplaced(
                    Code::Unreadable,
                    format!("`{path}` is not a template strider can import: it has no `Resources` section"),
                )
                .with_hint("strider imports AWS SAM and CloudFormation templates (YAML or JSON, such as `cdk.out/*.template.json`), Serverless Framework services and Terraform plans (`terraform show -json PLAN`)"),
            );
            continue;
        };
        if format == Format::Serverless {
            let (template, notes) = serverless::template(root);
            for (span, note) in notes {
                builder.warn(span, note, Some("model this trigger by hand if it matters"));
            }
            cloudformation::map(&sources, *file, &template, Format::Sam, &mut builder);
        } else if format == Format::Terraform {
            let (template, notes) = terraform::template(root);
            for (span, note) in notes {
                builder.warn(span, note, Some("add what matters by hand"));
            }
            cloudformation::map(
                &sources,
                *file,
                &template,
                Format::CloudFormation,
                &mut builder,
            );
        } else {
            cloudformation::map(&sources, *file, root, format, &mut builder);
        }
    }
    if !problems.is_empty() {
        return Err(ImportError {
            diagnostics: problems,
            sources,
        });
    }
    if builder.mapped.get("functions").copied().unwrap_or(0) == 0 {
        let what: Vec<String> = files
            .iter()
            .map(|(f, _)| sources.path(*f).display().to_string())
            .collect();
        return Err(ImportError {
            diagnostics: vec![Diagnostic::unplaced(
                Code::EmptyModel,
                format!("{} declare{} no Lambda function: there is nothing for a strider model to be about", what.join(", "), if what.len() == 1 { "s" } else { "" }),
            )
            .with_hint("import the templates that define the functions together with those that define what they use")],
            sources,
        });
    }
    let names: Vec<String> = files
        .iter()
        .map(|(file, _)| display_name(sources.path(*file)))
        .collect();
    let (doc, yaml) = builder.finish(&names);
    // What was written must load: a model that does not is a bug of the importer, reported as
    // such rather than handed over.
    if let Err(error) = crate::model::load::load_bytes(Path::new("imported.yaml"), yaml.as_bytes())
    {
        let mut diagnostics = vec![Diagnostic::unplaced(
            Code::InvalidValue,
            "the imported model does not validate (a bug in strider import; please report it with the template)",
        )];
        diagnostics.extend(error.diagnostics.into_iter().map(|mut d| {
            d.span = None;
            d
        }));
        return Err(ImportError {
            diagnostics,
            sources,
        });
    }
    builder
        .warnings
        .sort_by(|a, b| a.span.cmp(&b.span).then_with(|| a.message.cmp(&b.message)));
    Ok(Imported {
        yaml,
        doc,
        warnings: builder.warnings,
        sources,
        mapped: builder.mapped,
        unmapped: builder.unmapped,
    })
}

impl Imported {
    /// One line of what the import mapped and left out, for the terminal.
    #[must_use]
    pub fn summary(&self) -> String {
        let mapped: Vec<String> = self
            .mapped
            .iter()
            .map(|(k, n)| format!("{n} {k}"))
            .collect();
        let mut line = format!(
            "imported {}",
            if mapped.is_empty() {
                "nothing".to_owned()
            } else {
                mapped.join(", ")
            }
        );
        let left: usize = self.unmapped.values().sum();
        if left > 0 {
            let types: Vec<&str> = self.unmapped.keys().map(String::as_str).take(5).collect();
            let _ = std::fmt::Write::write_fmt(
                &mut line,
                format_args!(
                    "; {left} resource{} not in the model ({}{})",
                    if left == 1 { "" } else { "s" },
                    types.join(", "),
                    if self.unmapped.len() > 5 { ", …" } else { "" }
                ),
            );
        }
        if !self.warnings.is_empty() {
            let n = self.warnings.len();
            let _ = std::fmt::Write::write_fmt(
                &mut line,
                format_args!("; {n} warning{}", if n == 1 { "" } else { "s" }),
            );
        }
        line
    }
}

/// Where an imported element came from: the template's `file:line` (its `source` field) and
/// what stood there (the resource, and which part of it).
#[derive(Debug, Clone)]
pub struct Provenance {
    /// `template.yaml:12`.
    pub place: String,
    /// `AWS::Serverless::Function Orders (its event \`Api\`)`.
    pub what: String,
}

impl Provenance {
    /// The same place, saying more of what stood there.
    #[must_use]
    pub fn and(mut self, more: impl std::fmt::Display) -> Provenance {
        self.what = format!("{} {more}", self.what);
        self
    }
}

impl std::fmt::Display for Provenance {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.place, self.what)
    }
}

/// A template path as the model's comments show it: the file name.
fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Reads and parses one template file named by the user.
fn read(
    path: &Path,
    sources: &mut Sources,
    duplicates: &mut Vec<Diagnostic>,
) -> Result<(FileId, yaml::Node), Box<Diagnostic>> {
    let limit = crate::model::load::MAX_FILE_BYTES;
    let bytes = crate::files::Tree::read_named(path, limit).map_err(|refusal| {
        Box::new(Diagnostic::unplaced(
            Code::Unreadable,
            format!("cannot read `{}`: {}", path.display(), refusal.reason()),
        ))
    })?;
    let file = crate::model::load::add_text(path, bytes, sources)?;
    let parsed = yaml::parse_as(sources, file, Dialect::CloudFormation).map_err(Box::new)?;
    for problem in parsed.problems {
        // A key written twice is kept once (the first) and said, as tools that deploy such
        // templates do not refuse them; anything else stops the import.
        if problem.code == Code::DuplicateKey {
            duplicates.push(problem.warning());
        } else {
            return Err(Box::new(problem));
        }
    }
    let root = parsed.root.ok_or_else(|| {
        Box::new(Diagnostic::unplaced(
            Code::EmptyModel,
            format!("`{}` is empty", path.display()),
        ))
    })?;
    Ok((file, root))
}

/// The format of a parsed file: SAM with the serverless transform, CloudFormation with
/// `Resources` of `Type`s.
#[must_use]
pub fn detect(root: &yaml::Node) -> Option<Format> {
    if serverless::is_service(root) {
        return Some(Format::Serverless);
    }
    if terraform::is_plan(root) {
        return Some(Format::Terraform);
    }
    let resources = root.get("Resources")?;
    if !matches!(resources.value, yaml::Value::Mapping(_)) {
        return None;
    }
    Some(if template::is_sam(root) {
        Format::Sam
    } else {
        Format::CloudFormation
    })
}

/// The model being built, with the ids given out and what was mapped.
#[derive(Debug, Default)]
pub struct Builder {
    sections: BTreeMap<&'static str, Doc>,
    /// (section, element id) → the element's place in its section.
    index: BTreeMap<(&'static str, String), usize>,
    /// Element ids by (file, logical id).
    ids: BTreeMap<(FileId, String), String>,
    taken: crate::unique::Unique,
    /// Problems that did not stop the import.
    pub warnings: Vec<Diagnostic>,
    /// Element kind → count mapped.
    pub mapped: BTreeMap<&'static str, usize>,
    /// Resource type → count left out.
    pub unmapped: BTreeMap<String, usize>,
    /// The directory the model is written to (absolute): code paths are relative to it.
    pub model_dir: PathBuf,
    /// OpenAPI documents named on the command line, by where they are (absolute, normal), for
    /// the APIs that include them.
    pub documents: Vec<(PathBuf, yaml::Node)>,
}

/// The order sections are written in.
const SECTIONS: &[&str] = &[
    "boundaries",
    "data",
    "actors",
    "externals",
    "stores",
    "channels",
    "roles",
    "functions",
];

impl Builder {
    /// The element id for `logical` of `file`: kebab-cased, unique in the model, the same each
    /// time it is asked for.
    pub fn id(&mut self, file: FileId, logical: &str) -> String {
        if let Some(id) = self.ids.get(&(file, logical.to_owned())) {
            return id.clone();
        }
        let id = self.fresh(&kebab(logical));
        self.ids.insert((file, logical.to_owned()), id.clone());
        id
    }

    /// `path` (of a template's code directory) relative to the model's directory, with `/`
    /// separators as the model spells paths; `None` when no relative path leads there or it is
    /// not valid UTF-8.
    #[must_use]
    pub fn code_path(&self, path: &Path) -> Option<String> {
        // `..` resolved first: diff_paths would count each as a directory to climb out of.
        let absolute = crate::files::lexically_normal(&std::path::absolute(path).ok()?);
        let model_dir = crate::files::lexically_normal(&self.model_dir);
        let relative = pathdiff::diff_paths(&absolute, &model_dir)?;
        let parts: Vec<&str> = relative
            .components()
            .map(|c| c.as_os_str().to_str())
            .collect::<Option<_>>()?;
        Some(if parts.is_empty() {
            ".".to_owned()
        } else {
            parts.join("/")
        })
    }

    /// An id not given out yet, from `base`.
    pub fn fresh(&mut self, base: &str) -> String {
        self.taken
            .claim(if base.is_empty() { "element" } else { base })
    }

    /// The section `name` (`functions`, `stores`…).
    pub fn section(&mut self, name: &'static str) -> &mut Doc {
        self.sections.entry(name).or_insert_with(Doc::map)
    }

    /// Adds element `id` to `section` (replacing one of that id), with where it came from (its
    /// `source` field, and a comment saying what it was); counted as `kind`.
    pub fn add(
        &mut self,
        section: &'static str,
        kind: &'static str,
        id: &str,
        mut element: Doc,
        from: Provenance,
    ) {
        *self.mapped.entry(kind).or_default() += 1;
        let comment = from.to_string();
        element.set_after(&["kind", "name"], "source", Doc::str(from.place));
        self.put(section, id, element, Some(comment));
    }

    /// Puts element `id` into `section` (replacing one of that id), uncounted.
    pub fn put(&mut self, section: &'static str, id: &str, element: Doc, comment: Option<String>) {
        let entry = emit::Entry {
            key: id.to_owned(),
            value: element,
            comment,
        };
        let at = self.index.get(&(section, id.to_owned())).copied();
        let Doc::Map(entries) = self.section(section) else {
            return;
        };
        if let Some(at) = at {
            entries[at] = entry;
        } else {
            let at = entries.len();
            entries.push(entry);
            self.index.insert((section, id.to_owned()), at);
        }
    }

    /// The element `id` of `section`, to add to it.
    pub fn element(&mut self, section: &'static str, id: &str) -> Option<&mut Doc> {
        let at = *self.index.get(&(section, id.to_owned()))?;
        match self.sections.get_mut(section)? {
            Doc::Map(entries) => entries.get_mut(at).map(|e| &mut e.value),
            _ => None,
        }
    }

    /// Whether `section` has element `id`.
    #[must_use]
    pub fn has(&self, section: &'static str, id: &str) -> bool {
        self.index.contains_key(&(section, id.to_owned()))
    }

    /// A warning at `span`.
    pub fn warn(&mut self, span: Span, message: impl Into<String>, hint: Option<&str>) {
        if self.warnings.len() < MAX_RESOURCES {
            let mut warning = Diagnostic::error(Code::ImportIncomplete, span, message).warning();
            if let Some(hint) = hint {
                warning = warning.with_hint(hint);
            }
            self.warnings.push(warning);
        }
    }

    /// What templates cannot say, left as placeholders the architect replaces (`validate`
    /// lists them; analysis assumes the worse case): one unclassified data asset per store,
    /// queue, topic and stream, and `validated: unknown` on every trigger that carries an
    /// event's content (all but schedules).
    fn placeholders(&mut self) {
        let mut assets = Vec::new();
        for (section, kinds) in [
            ("stores", None),
            ("channels", Some(&["sqs", "sns", "kinesis"][..])),
        ] {
            let Some(Doc::Map(entries)) = self.sections.get_mut(section) else {
                continue;
            };
            for entry in entries.iter_mut() {
                let kind = match entry.value.get_mut("kind") {
                    Some(Doc::Str(kind)) => kind.clone(),
                    _ => continue,
                };
                if kinds.is_some_and(|k| !k.contains(&kind.as_str())) {
                    continue;
                }
                let asset = self.taken.claim(&format!("{}-data", entry.key));
                entry.value.set_after(
                    &["kind", "name", "source", "description", "boundary"],
                    "data",
                    Doc::Seq(vec![Doc::str(asset.clone())]),
                );
                assets.push((asset, entry.key.clone()));
            }
        }
        for (asset, holder) in assets {
            let mut data = Doc::map();
            data.set("name", Doc::str(format!("What `{holder}` holds")));
            data.set("classification", Doc::str("unclassified"));
            self.put("data", &asset, data, None);
        }
        if let Some(Doc::Map(functions)) = self.sections.get_mut("functions") {
            for function in functions.iter_mut() {
                let Some(Doc::Seq(triggers)) = function.value.get_mut("triggers") else {
                    continue;
                };
                for trigger in triggers.iter_mut() {
                    // Schedules and stack events carry nothing an attacker shapes.
                    let quiet = matches!(
                        trigger.get_mut("kind"),
                        Some(Doc::Str(k)) if k == "schedule" || k == "custom-resource"
                    );
                    if !quiet && trigger.get_mut("input").is_none() {
                        let mut input = Doc::map();
                        input.set("validated", Doc::str("unknown"));
                        trigger.set("input", input);
                    }
                }
            }
        }
    }

    /// The model as a document, and as text.
    fn finish(&mut self, files: &[String]) -> (Doc, String) {
        self.placeholders();
        let mut doc = Doc::map();
        doc.set("strider", Doc::Int(1));
        doc.set(
            "name",
            Doc::str(format!("Imported from {}", files.join(", "))),
        );
        for section in SECTIONS {
            if let Some(content) = self.sections.remove(section)
                && !content.is_empty()
            {
                doc.set(*section, content);
            }
        }
        let header = vec![
            format!("Imported by strider from {}.", files.join(", ")),
            "Templates say what is deployed, not what it carries or who uses it. To finish the model:".to_owned(),
            "- replace the placeholders (`strider validate` lists them): classify the data assets (one per".to_owned(),
            "  store, queue, topic and stream, `unclassified` until you do) and say whether each trigger's".to_owned(),
            "  input is validated (`unknown` until you do); analysis assumes the worse case meanwhile;".to_owned(),
            "- list the data on the flows that carry it;".to_owned(),
            "- add the actors and externals that use the APIs and the functions' outbound calls;".to_owned(),
            "- check each flow (`reads`, `writes`, `invokes`): they are inferred from permissions.".to_owned(),
        ];
        let text = emit::yaml(&header, &doc);
        (doc, text)
    }
}

/// `OrdersTable` → `orders-table`, `MyAPIHandler` → `my-api-handler`, `queue_1` → `queue-1`.
#[must_use]
pub fn kebab(name: &str) -> String {
    let chars: Vec<char> = name.chars().filter(char::is_ascii).collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii_uppercase() {
            let prev = i.checked_sub(1).map(|j| chars[j]);
            let next = chars.get(i + 1);
            let boundary = prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(|p| p.is_ascii_uppercase())
                    && next.is_some_and(char::is_ascii_lowercase));
            if boundary && !out.ends_with('-') {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 64 {
            break;
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_ids_become_kebab_case() {
        for (from, to) in [
            ("OrdersTable", "orders-table"),
            ("MyAPIHandler", "my-api-handler"),
            ("queue_1", "queue-1"),
            ("S3Bucket", "s3-bucket"),
            ("HTTPApi", "http-api"),
            ("Fn2Go", "fn2-go"),
            ("ÜberFn", "ber-fn"),
            ("--", ""),
        ] {
            assert_eq!(kebab(from), to, "{from}");
        }
        let mut b = Builder::default();
        let file = FileId::default();
        assert_eq!(b.id(file, "OrdersTable"), "orders-table");
        assert_eq!(b.id(file, "Orders_Table"), "orders-table-2");
        assert_eq!(b.id(file, "OrdersTable"), "orders-table");
        assert_eq!(b.fresh(""), "element");
    }
}
