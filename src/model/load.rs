//! Reading a model from disk: one file or a directory of `*.yaml` / `*.yml` files merged into one.
//!
//! Every step collects all the problems it can before giving up, so a user sees every mistake in
//! one run: unreadable files, YAML syntax, structure (against the schema), then the semantic checks
//! of [`super::validate`].

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fs;
use std::path::{Path, PathBuf};

use super::diagnostic::{Code, Diagnostic, FileId, Sources, Span, did_you_mean};
use super::types::ModelFile;
use super::yaml::{self, Key, Node};
use super::{Model, Section, decode, schema_check, validate};
use crate::files::{Refusal, Tree, Walk};

/// Largest model file strider reads.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;
/// Largest model (all files of a directory together) strider reads.
pub const MAX_MODEL_BYTES: u64 = 256 * 1024 * 1024;

/// How to load a model.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// The directory tree that files named by the model (input schemas) must stay in; default:
    /// the model's directory (the directory given, or the one holding the file given).
    pub root: Option<PathBuf>,
}

/// A model that loaded, with the warnings found on the way and the sources to render them.
#[derive(Debug)]
pub struct Loaded {
    /// The model.
    pub model: Model,
    /// Problems that do not stop the model from being used.
    pub warnings: Vec<Diagnostic>,
    /// The files it was read from.
    pub sources: Sources,
    /// The directory tree the files the model names (input schemas, handler crates) must stay
    /// in: later stages read them through it.
    pub tree: Tree,
}

/// A model that did not load: every problem found, and the sources to render them.
#[derive(Debug)]
pub struct LoadError {
    /// Problems, errors first in file order, then warnings.
    pub diagnostics: Vec<Diagnostic>,
    /// The files that were read.
    pub sources: Sources,
}

/// Loads and validates a model from a file or a directory, with the default [`LoadOptions`].
///
/// # Errors
/// Every problem found, when there is at least one error.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    load_with(path, &LoadOptions::default())
}

/// Loads and validates a model from a file or a directory.
///
/// The file named, or the regular `*.yaml`/`*.yml` files of the directory named, are read; in a
/// directory, symlinks are followed only when they stay inside it, and whatever is skipped (a
/// link out of it, a FIFO, a device) is a `skipped-file` warning naming the path, never its
/// content. Files the model names are read only inside `options.root` (by default, the model's
/// directory).
///
/// # Errors
/// Every problem found, when there is at least one error.
pub fn load_with(path: &Path, options: &LoadOptions) -> Result<Loaded, LoadError> {
    let mut sources = Sources::default();
    let mut problems = Vec::new();
    let fail = |problem: Box<Diagnostic>| LoadError {
        diagnostics: vec![*problem],
        sources: Sources::default(),
    };
    let (files, model_tree) = list_files(path).map_err(fail)?;
    let root = options.root.as_deref().unwrap_or(path);
    let tree = Tree::new(root).map_err(|refusal| {
        fail(Box::new(
            Diagnostic::unplaced(
                Code::Unreadable,
                format!(
                    "cannot use `{}` as the root of the files the model names: {}",
                    root.display(),
                    refusal.reason()
                ),
            )
            .with_hint("`--root` names an existing directory"),
        ))
    })?;
    for refusal in &files.skipped {
        problems.push(skipped(refusal));
    }
    let mut total = 0u64;
    let mut file_ids = Vec::new();
    for file in files.files {
        let limit = MAX_FILE_BYTES.min(MAX_MODEL_BYTES.saturating_sub(total));
        let read = match &model_tree {
            Some(tree) => tree.read(&file, limit),
            None => Tree::read_named(&file, limit),
        };
        let bytes = match read {
            Ok(bytes) => bytes,
            Err(refusal) => {
                problems.push(*refused(&refusal, total));
                continue;
            }
        };
        total += bytes.len() as u64;
        match add_text(&file, bytes, &mut sources) {
            Ok(id) => file_ids.push(id),
            Err(problem) => problems.push(*problem),
        }
    }
    finish(sources, &file_ids, problems, tree)
}

/// Loads and validates a model held in memory, as if read from `path` (which must not be a
/// directory); the files it names are read inside `path`'s directory (the current directory
/// for a bare file name).
///
/// # Errors
/// Every problem found, when there is at least one error.
pub fn load_bytes(path: &Path, bytes: &[u8]) -> Result<Loaded, LoadError> {
    let mut sources = Sources::default();
    let mut problems = Vec::new();
    let mut file_ids = Vec::new();
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tree = match Tree::new(dir) {
        Ok(tree) => tree,
        Err(refusal) => {
            return Err(LoadError {
                diagnostics: vec![*refused(&refusal, 0)],
                sources,
            });
        }
    };
    match add_text(path, bytes.to_vec(), &mut sources) {
        Ok(id) => file_ids.push(id),
        Err(problem) => problems.push(*problem),
    }
    finish(sources, &file_ids, problems, tree)
}

/// The warning for a directory entry that was not read.
fn skipped(refusal: &Refusal) -> Diagnostic {
    Diagnostic::unplaced(Code::SkippedFile, refusal.to_string())
        .with_hint("strider reads only regular files inside the directory given on the command line; copy the file into it, or remove the entry")
        .warning()
}

/// The error for a model file that could not be read.
fn refused(refusal: &Refusal, total: u64) -> Box<Diagnostic> {
    match refusal {
        Refusal::Io(path, err) => unreadable(path, err),
        Refusal::TooLarge { path, size, .. } => {
            let (what, limit) = if *size > MAX_FILE_BYTES || total == 0 {
                ("file", MAX_FILE_BYTES)
            } else {
                ("model", MAX_MODEL_BYTES)
            };
            Box::new(
                Diagnostic::unplaced(
                    Code::TooLarge,
                    format!("`{}` makes the {what} larger than strider reads ({} MiB)", path.display(), limit >> 20),
                )
                .with_hint("split a large model into a directory of smaller files; a model this big is probably not a model"),
            )
        }
        Refusal::Outside { .. } | Refusal::NotRegular(..) => Box::new(
            Diagnostic::unplaced(Code::Unreadable, refusal.to_string())
                .with_hint("a model is a regular `*.yaml` file, or a directory of them"),
        ),
    }
}

fn finish(
    sources: Sources,
    file_ids: &[FileId],
    mut problems: Vec<Diagnostic>,
    tree: Tree,
) -> Result<Loaded, LoadError> {
    let mut trees = Vec::new();
    for &file in file_ids {
        match yaml::parse(&sources, file) {
            Ok(parsed) => {
                problems.extend(parsed.problems);
                match parsed.root {
                    Some(root) => trees.push((file, root)),
                    None => problems.push(
                        Diagnostic::error(Code::EmptyModel, Span { file, start: 0, end: 0 }, "the file holds no YAML document")
                            .with_label("empty")
                            .with_hint("a model file starts with `strider: 1`; see `model/hello.yaml` for the smallest model"),
                    ),
                }
            }
            Err(problem) => problems.push(problem),
        }
    }
    // Every file that parsed is checked against the schema; what is broken is pruned so that
    // the rest still decodes and gets its semantic checks in the same run.
    let mut complete = trees.len() == file_ids.len();
    let mut decoded = Vec::new();
    let mut broken = BTreeSet::new();
    let mut name_broken = false;
    for (file, root) in &trees {
        let checked = schema_check::check(root);
        broken.extend(checked.broken_ids().map(str::to_owned));
        name_broken |= checked.prune.iter().any(|p| p == &["name"]);
        let decoded_file = if checked.prune.is_empty() {
            decode::decode::<ModelFile>(root)
        } else {
            decode::decode::<ModelFile>(&checked.pruned(root))
        };
        match decoded_file {
            Ok(model_file) => decoded.push((*file, model_file)),
            Err(problem) => {
                complete = false;
                if checked.problems.is_empty() {
                    problems.push(problem);
                }
            }
        }
        problems.extend(checked.problems);
    }
    if !complete || decoded.is_empty() {
        // A file that could not be read whole: its elements are unknown, so references to them
        // cannot be checked without false alarms.
        if problems.is_empty() {
            problems.push(Diagnostic::unplaced(
                Code::EmptyModel,
                "no model file was read",
            ));
        }
        sort(&mut problems);
        return Err(LoadError {
            diagnostics: problems,
            sources,
        });
    }
    let locator = Locator::new(&sources, &trees, &tree);
    let model = merge(decoded, &locator, &mut problems, name_broken);
    validate::validate(&model, &locator, &broken, &mut problems);
    if has_errors(&problems) {
        sort(&mut problems);
        return Err(LoadError {
            diagnostics: problems,
            sources,
        });
    }
    sort(&mut problems);
    Ok(Loaded {
        model,
        warnings: problems,
        sources,
        tree,
    })
}

fn has_errors(problems: &[Diagnostic]) -> bool {
    problems
        .iter()
        .any(|p| p.severity == super::diagnostic::Severity::Error)
}

/// Errors before warnings; then by place, so output is stable whatever order checks ran in.
fn sort(problems: &mut [Diagnostic]) {
    problems.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.span.cmp(&b.span))
            .then_with(|| a.message.cmp(&b.message))
    });
}

/// The model files a path names: the file itself, or a directory's regular `*.yaml` and `*.yml`
/// files sorted by name (with what was skipped), and the tree to read them through (`None` for
/// the one file named on the command line, which is read wherever it is).
fn list_files(path: &Path) -> Result<(Walk, Option<Tree>), Box<Diagnostic>> {
    let metadata = fs::metadata(path).map_err(|err| unreadable(path, &err))?;
    if !metadata.is_dir() {
        let walk = Walk {
            files: vec![path.to_path_buf()],
            ..Walk::default()
        };
        return Ok((walk, None));
    }
    let no_files = |refusal: Refusal| refused(&refusal, 0);
    let tree = Tree::new(path).map_err(no_files)?;
    let walk = tree
        .walk(
            path,
            |_| false,
            |p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"),
        )
        .map_err(no_files)?;
    if walk.truncated {
        return Err(Box::new(
            Diagnostic::unplaced(
                Code::TooLarge,
                format!(
                    "directory `{}` holds more than {} entries",
                    path.display(),
                    crate::files::MAX_WALK_ENTRIES
                ),
            )
            .with_hint("point strider at the model file, or at a directory of model files only"),
        ));
    }
    if walk.files.is_empty() {
        let mut problem = Diagnostic::unplaced(
            Code::EmptyModel,
            format!(
                "directory `{}` holds no `*.yaml` model files",
                path.display()
            ),
        )
        .with_hint("point strider at a model file, or at a directory of `*.yaml` files");
        if !walk.skipped.is_empty() {
            problem = problem.with_hint(format!(
                "{} `*.yaml` entr{} skipped: {}",
                walk.skipped.len(),
                if walk.skipped.len() == 1 {
                    "y was"
                } else {
                    "ies were"
                },
                walk.skipped
                    .iter()
                    .take(3)
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; ")
            ));
        }
        return Err(Box::new(problem));
    }
    Ok((walk, Some(tree)))
}

fn unreadable(path: &Path, err: &std::io::Error) -> Box<Diagnostic> {
    let mut problem = Diagnostic::unplaced(
        Code::Unreadable,
        format!("cannot read `{}`: {err}", path.display()),
    );
    if err.kind() == std::io::ErrorKind::NotFound {
        let parent = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let siblings: Vec<String> = fs::read_dir(parent)
            .into_iter()
            .flatten()
            .filter_map(Result::ok)
            .filter_map(|entry| entry.file_name().into_string().ok())
            .collect();
        let wanted = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        problem =
            problem.with_optional_hint(did_you_mean(wanted, siblings.iter().map(String::as_str)));
    }
    Box::new(problem)
}

pub(crate) fn add_text(
    path: &Path,
    bytes: Vec<u8>,
    sources: &mut Sources,
) -> Result<FileId, Box<Diagnostic>> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(Box::new(Diagnostic::unplaced(
            Code::TooLarge,
            format!(
                "`{}` is larger than strider reads ({} MiB)",
                path.display(),
                MAX_FILE_BYTES >> 20
            ),
        )));
    }
    match String::from_utf8(bytes) {
        Ok(mut text) => {
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            let controls = control_characters(&text);
            let file = sources.add(path, text);
            match controls {
                Some(found) => Err(Box::new(control_character(file, found))),
                None => Ok(file),
            }
        }
        Err(err) => {
            let valid = err.utf8_error().valid_up_to();
            let bytes = err.into_bytes();
            // Keep the valid prefix, so the place of the bad byte can be shown.
            let text = String::from_utf8_lossy(&bytes[..valid]).into_owned();
            let file = sources.add(path, text);
            Err(Box::new(
                Diagnostic::error(
                    Code::NotUtf8,
                    Span {
                        file,
                        start: valid,
                        end: valid,
                    },
                    format!(
                        "`{}` is not UTF-8 text: invalid byte 0x{:02x}",
                        path.display(),
                        bytes[valid]
                    ),
                )
                .with_label("invalid byte here")
                .with_hint("save the model as UTF-8"),
            ))
        }
    }
}

/// Whether a character may not stand in a model file as itself (`next` is the one after it): C0
/// controls other than tab, line feed and the carriage return of a CRLF, DEL, the C1 controls
/// (NEL included), the line and paragraph separators, and the bidi embeddings, overrides and
/// isolates. Each would make the file read differently to the YAML parser, to git and to a
/// reviewer's eyes: a NUL ends the YAML, a lone CR or a NEL starts a line that diff tools show
/// inside a comment, an override reorders what a reviewer sees. Written escaped in a
/// double-quoted string, every one of them is fine.
fn is_forbidden(c: char, next: Option<char>) -> bool {
    match c {
        '\t' | '\n' => false,
        '\r' => next != Some('\n'),
        '\u{2028}' | '\u{2029}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => true,
        c => c.is_control(),
    }
}

/// The error for the first control character of a model file, if it holds any: a NUL would
/// otherwise end the YAML there, silently dropping everything after it.
fn control_characters(text: &str) -> Option<(usize, char, usize)> {
    let mut chars = text.char_indices().peekable();
    let mut first = None;
    let mut more = 0;
    while let Some((at, c)) = chars.next() {
        if is_forbidden(c, chars.peek().map(|&(_, next)| next)) {
            if first.is_none() {
                first = Some((at, c));
            } else {
                more += 1;
            }
        }
    }
    first.map(|(at, c)| (at, c, more))
}

/// The `control-character` error for the first of `more + 1` control characters, `c` at `at`.
fn control_character(file: FileId, (at, c, more): (usize, char, usize)) -> Diagnostic {
    let what = match c {
        '\0' => "a NUL byte".to_owned(),
        '\r' => "a carriage return that is not part of a CRLF line end".to_owned(),
        c if c.is_control() => format!("control character U+{:04X}", u32::from(c)),
        c => format!("the invisible character U+{:04X}", u32::from(c)),
    };
    let more = match more {
        0 => String::new(),
        1 => " (and 1 more)".to_owned(),
        n => format!(" (and {n} more)"),
    };
    Diagnostic::error(
            Code::ControlCharacter,
            Span {
                file,
                start: at,
                end: at + c.len_utf8(),
            },
            format!("the file holds {what}{more}, which a model may not contain"),
        )
        .with_label("here")
        .with_hint("a model is text: remove it, or write it escaped in a double-quoted string (`\"\\u0000\"`); git shows such a file as binary, hiding what follows")
}

/// Finds the place of anything in the model files, by section, element id and path below it.
pub struct Locator<'a> {
    sources: &'a Sources,
    trees: &'a [(FileId, Node)],
    tree: &'a Tree,
    /// (section, id) → (index in `trees`, index of the entry in the section), for the first file
    /// that declares it: a lookup per reference would otherwise scan the section.
    index: HashMap<(Section, &'a str), (usize, usize)>,
}

impl<'a> Locator<'a> {
    fn new(sources: &'a Sources, trees: &'a [(FileId, Node)], tree: &'a Tree) -> Self {
        let mut index = HashMap::new();
        for (t, (_, root)) in trees.iter().enumerate() {
            for section in Section::ALL {
                let Some(yaml::Value::Mapping(entries)) = root.get(section.key()).map(|n| &n.value)
                else {
                    continue;
                };
                for (e, (key, _)) in entries.iter().enumerate() {
                    index.entry((section, key.text.as_str())).or_insert((t, e));
                }
            }
        }
        Locator {
            sources,
            trees,
            tree,
            index,
        }
    }

    /// The directory tree the files the model names must stay in.
    #[must_use]
    pub fn tree(&self) -> &Tree {
        self.tree
    }

    /// The key and value of an element, in the first file that declares it.
    fn entry(&self, section: Section, id: &str) -> Option<&'a (Key, Node)> {
        let &(t, e) = self.index.get(&(section, id))?;
        match &self.trees[t].1.get(section.key())?.value {
            yaml::Value::Mapping(entries) => entries.get(e),
            _ => None,
        }
    }
    /// The key of an element: where it is declared.
    #[must_use]
    pub fn element(&self, section: Section, id: &str) -> Span {
        self.entry(section, id)
            .map_or_else(|| self.fallback(), |(key, _)| key.span)
    }

    /// The value at `path` below an element (`["triggers", "0", "source"]`), or the nearest place that exists.
    #[must_use]
    pub fn at(&self, section: Section, id: &str, path: &[&str]) -> Span {
        self.walk(section, id, path, false)
    }

    /// The key at the end of `path` below an element (an unknown parameter's name rather than
    /// its value), or the nearest place that exists.
    #[must_use]
    pub fn key_at(&self, section: Section, id: &str, path: &[&str]) -> Span {
        self.walk(section, id, path, true)
    }

    fn walk(&self, section: Section, id: &str, path: &[&str], key_of_last: bool) -> Span {
        if let Some((key, mut node)) = self.entry(section, id).map(|(k, n)| (k, n)) {
            let mut span = key.span;
            for (i, segment) in path.iter().enumerate() {
                let next = match (&node.value, segment.parse::<usize>()) {
                    (yaml::Value::Sequence(items), Ok(index)) => {
                        items.get(index).map(|item| (item, item.span))
                    }
                    _ => node
                        .key(segment)
                        .and_then(|key| node.get(segment).map(|value| (value, key.span))),
                };
                let Some((child, child_span)) = next else {
                    break;
                };
                node = child;
                let last = i + 1 == path.len();
                span = if matches!(child.value, yaml::Value::Scalar { .. })
                    && !(key_of_last && last)
                {
                    child.span
                } else {
                    child_span
                };
            }
            return span;
        }
        self.fallback()
    }

    /// A top-level key of the file that declares it (`name`), if any.
    #[must_use]
    pub fn top_level(&self, key: &str) -> Vec<Span> {
        self.trees
            .iter()
            .filter_map(|(_, root)| root.key(key).map(|k| k.span))
            .collect()
    }

    /// The start of the first file, for problems of the model as a whole.
    #[must_use]
    pub fn fallback(&self) -> Span {
        let file = self.trees.first().map_or(0, |(file, _)| *file);
        Span {
            file,
            start: 0,
            end: 0,
        }
    }
}

/// Merges the files of a model, reporting ids declared in more than one file.
fn merge(
    files: Vec<(FileId, ModelFile)>,
    locator: &Locator<'_>,
    problems: &mut Vec<Diagnostic>,
    name_broken: bool,
) -> Model {
    let mut model = Model::default();
    let mut model_name = None;
    let mut origin: BTreeMap<(Section, String), FileId> = BTreeMap::new();
    let names = locator.top_level("name");
    if names.len() > 1 {
        let mut problem = Diagnostic::error(
            Code::Conflict,
            names[1],
            "the model's `name` is declared in more than one file",
        )
        .with_label("declared again here")
        .with_hint("declare `name`, `description` and `owner` in one file of the model");
        problem = problem.with_related(names[0], "first declared here");
        problems.push(problem);
    }
    for (file, part) in files {
        let ModelFile {
            strider,
            name,
            description,
            owner,
            boundaries,
            data,
            actors,
            externals,
            stores,
            channels,
            functions,
            roles,
            controls,
            tracking,
        } = part;
        check_version(strider, file, locator, problems);
        model_name = model_name.or(name);
        model.description = model.description.or(description);
        model.owner = model.owner.or(owner);
        let mut take = |section: Section, ids: Vec<String>| {
            for id in ids {
                if let Some(first_file) = origin.insert((section, id.clone()), file) {
                    let here = file_span(locator, file, section, &id);
                    let first = file_span(locator, first_file, section, &id);
                    problems.push(
                        Diagnostic::error(Code::DuplicateId, here, format!("{} `{id}` is declared twice", section.singular()))
                            .with_label("declared again here")
                            .with_related(first, "first declared here")
                            .with_hint("ids must be unique within a section across all files of a model; rename one"),
                    );
                }
            }
        };
        take(Section::Boundaries, boundaries.keys().cloned().collect());
        take(Section::Data, data.keys().cloned().collect());
        take(Section::Actors, actors.keys().cloned().collect());
        take(Section::Externals, externals.keys().cloned().collect());
        take(Section::Stores, stores.keys().cloned().collect());
        take(Section::Channels, channels.keys().cloned().collect());
        take(Section::Functions, functions.keys().cloned().collect());
        take(Section::Roles, roles.keys().cloned().collect());
        take(Section::Controls, controls.keys().cloned().collect());
        take(Section::Tracking, tracking.keys().cloned().collect());
        model.boundaries.extend(boundaries);
        model.data.extend(data);
        model.actors.extend(actors);
        model.externals.extend(externals);
        model.stores.extend(stores);
        model.channels.extend(channels);
        model.functions.extend(functions);
        model.roles.extend(roles);
        model.controls.extend(controls);
        model.tracking.extend(tracking);
    }
    match model_name {
        Some(name) => model.name = name,
        None if name_broken => {}
        None => problems.push(
            Diagnostic::error(
                Code::MissingField,
                locator.fallback(),
                "the model has no `name`",
            )
            .with_label("no `name` in any file of the model")
            .with_hint("add `name: <the system's name>` at the top level"),
        ),
    }
    // Where each element is declared, read off the trees in one pass (a lookup per element
    // would scan its section once per element).
    for (file, root) in locator.trees {
        for section in Section::ALL {
            let Some(yaml::Value::Mapping(entries)) = root.get(section.key()).map(|n| &n.value)
            else {
                continue;
            };
            for (key, _) in entries {
                let id = (section, key.text.clone());
                if origin.get(&id) == Some(file) {
                    model.locations.insert(id, locator.sources.locate(key.span));
                }
            }
        }
    }
    model
}

fn file_span(locator: &Locator<'_>, file: FileId, section: Section, id: &str) -> Span {
    locator
        .trees
        .iter()
        .find(|(f, _)| *f == file)
        .and_then(|(_, root)| root.get(section.key()).and_then(|s| s.key(id)))
        .map_or(
            Span {
                file,
                start: 0,
                end: 0,
            },
            |k| k.span,
        )
}

fn check_version(
    strider: u32,
    file: FileId,
    locator: &Locator<'_>,
    problems: &mut Vec<Diagnostic>,
) {
    if strider != 1 {
        let span = locator
            .trees
            .iter()
            .find(|(f, _)| *f == file)
            .and_then(|(_, root)| root.get("strider"))
            .map_or(locator.fallback(), |n| n.span);
        problems.push(
            Diagnostic::error(
                Code::UnsupportedVersion,
                span,
                format!("model format version {strider} is not supported"),
            )
            .with_label("unsupported version")
            .with_hint("this strider reads format version 1: write `strider: 1`"),
        );
    }
}
