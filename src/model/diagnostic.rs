//! Problems found in a model, with their exact place in the source, and the one renderer for them.
//!
//! Every problem carries a stable [`Code`], the file, a byte span (shown as line:column), a message
//! saying what is wrong and, where there is one, a hint saying what to do about it. Codes are public
//! API: scripts grep for them, so they are never renamed.

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use codespan_reporting::diagnostic::{Diagnostic as Rendered, Label};
use codespan_reporting::files::{self, Files};
use codespan_reporting::term::{self, Config, termcolor::WriteColor};

/// Index of a file in [`Sources`].
pub type FileId = usize;

/// The text of every file a model was read from, for locating and rendering problems.
#[derive(Debug, Default, Clone)]
pub struct Sources {
    files: Vec<SourceFile>,
}

#[derive(Debug, Clone)]
struct SourceFile {
    path: PathBuf,
    text: String,
    line_starts: Vec<usize>,
}

impl Sources {
    /// Adds a file's text and returns its id.
    pub fn add(&mut self, path: &Path, text: String) -> FileId {
        let line_starts = files::line_starts(&text).collect();
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            text,
            line_starts,
        });
        self.files.len() - 1
    }

    /// The path a file was read from.
    #[must_use]
    pub fn path(&self, file: FileId) -> &Path {
        &self.files[file].path
    }

    /// The text of a file.
    #[must_use]
    pub fn text(&self, file: FileId) -> &str {
        &self.files[file].text
    }

    /// Byte offset of a 1-based line and a 0-based column counted in characters.
    #[must_use]
    pub fn offset(&self, file: FileId, line: usize, column: usize) -> usize {
        let source = &self.files[file];
        let Some(&start) = source.line_starts.get(line.saturating_sub(1)) else {
            return source.text.len();
        };
        let rest = &source.text[start..];
        rest.char_indices()
            .nth(column)
            .map_or(source.text.len(), |(offset, _)| start + offset)
    }

    /// The 1-based line and column (in characters) of a byte offset.
    #[must_use]
    pub fn line_column(&self, file: FileId, offset: usize) -> (usize, usize) {
        self.location(file, offset)
            .map_or((1, 1), |l| (l.line_number, l.column_number))
    }

    /// SHA-256 over every file's path and text, in load order: identifies the model a report was
    /// made from.
    #[must_use]
    pub fn digest(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        for file in &self.files {
            hasher.update(file.path.to_string_lossy().as_bytes());
            hasher.update([0]);
            hasher.update(file.text.as_bytes());
            hasher.update([0]);
        }
        hasher
            .finalize()
            .iter()
            .fold(String::with_capacity(64), |mut hex, byte| {
                use std::fmt::Write as _;
                let _ = write!(hex, "{byte:02x}");
                hex
            })
    }

    /// Where a span starts, as a [`Location`] to keep after the sources are gone.
    #[must_use]
    pub fn locate(&self, span: Span) -> Location {
        let (line, column) = self.line_column(span.file, span.start);
        Location {
            file: self.path(span.file).to_path_buf(),
            line,
            column,
        }
    }
}

impl<'a> Files<'a> for Sources {
    type FileId = FileId;
    type Name = String;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<String, files::Error> {
        self.files
            .get(id)
            .map(|f| f.path.display().to_string())
            .ok_or(files::Error::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, files::Error> {
        self.files
            .get(id)
            .map(|f| f.text.as_str())
            .ok_or(files::Error::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte_index: usize) -> Result<usize, files::Error> {
        let file = self.files.get(id).ok_or(files::Error::FileMissing)?;
        Ok(file
            .line_starts
            .binary_search(&byte_index)
            .unwrap_or_else(|next| next - 1))
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, files::Error> {
        let file = self.files.get(id).ok_or(files::Error::FileMissing)?;
        let start = *file
            .line_starts
            .get(line_index)
            .ok_or(files::Error::LineTooLarge {
                given: line_index,
                max: file.line_starts.len() - 1,
            })?;
        let end = file
            .line_starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(file.text.len());
        Ok(start..end)
    }
}

/// A byte range in one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// The file.
    pub file: FileId,
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

/// A place in a model file that outlives the file's text: what later stages point at.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct Location {
    /// The model file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

macro_rules! codes {
    ($($variant:ident => $name:literal, $doc:literal;)*) => {
        /// Stable codes of model problems.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $(#[doc = $doc] $variant,)*
        }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as users see it.
            #[must_use]
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// One line saying what the code means.
            #[must_use]
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => $doc,)* }
            }
        }
    };
}

codes! {
    Unreadable => "unreadable", "The path could not be read: missing, not a file, or not permitted.";
    TooLarge => "too-large", "A file or a whole model is larger than strider reads.";
    NotUtf8 => "not-utf8", "A file is not valid UTF-8 text.";
    YamlSyntax => "yaml-syntax", "The file is not well-formed YAML.";
    YamlUnsupported => "yaml-unsupported", "A YAML feature a model may not use: tags, complex keys, several documents.";
    TooDeep => "too-deep", "Nesting deeper than any model needs.";
    AliasLimit => "alias-limit", "YAML aliases expand to more nodes than the file itself holds (an alias bomb).";
    DuplicateKey => "duplicate-key", "The same key twice in one mapping.";
    UnknownKey => "unknown-key", "A key the format does not define.";
    WrongType => "wrong-type", "A value of the wrong type.";
    InvalidValue => "invalid-value", "A value outside the allowed set or range.";
    MissingField => "missing-field", "A required field is absent.";
    UnsupportedVersion => "unsupported-version", "The model's format version is not one this strider reads.";
    DuplicateId => "duplicate-id", "Two elements share one id.";
    UnresolvedReference => "unresolved-reference", "A reference names an id that does not exist.";
    WrongReferenceKind => "wrong-reference-kind", "A reference names an element of the wrong kind.";
    NotApplicable => "not-applicable", "A field that does not apply to this kind of element.";
    Conflict => "conflict", "Fields that contradict each other.";
    BoundaryCycle => "boundary-cycle", "Boundaries whose parents form a cycle.";
    EmptyModel => "empty-model", "A model that declares nothing to analyse.";
    InputSchema => "input-schema", "An input schema file that is missing or not valid JSON.";
    FuzzHandler => "fuzz-handler", "A handler to fuzz that cannot be found or named in Rust.";
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How serious a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// Worth knowing; the model still loads.
    Warning,
    /// The model cannot be used until it is fixed.
    Error,
}

/// One problem in a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: String,
    /// Where it is (absent for problems with no place, like a missing file).
    pub span: Option<Span>,
    /// A short label at the place.
    pub label: String,
    /// What to do about it.
    pub hint: Option<String>,
    /// Other places that explain the problem (the first declaration of a duplicate…).
    pub related: Vec<(Span, String)>,
}

impl Diagnostic {
    /// An error at a span.
    #[must_use]
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span: Some(span),
            label: String::new(),
            hint: None,
            related: Vec::new(),
        }
    }

    /// An error with no place in a file.
    #[must_use]
    pub fn unplaced(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span: None,
            label: String::new(),
            hint: None,
            related: Vec::new(),
        }
    }

    /// Turns the problem into a warning.
    #[must_use]
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Sets the label shown under the place.
    #[must_use]
    pub fn with_label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// Sets the hint.
    #[must_use]
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sets the hint when there is one.
    #[must_use]
    pub fn with_optional_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }

    /// Adds another place that explains the problem.
    #[must_use]
    pub fn with_related(mut self, span: Span, label: impl Into<String>) -> Self {
        self.related.push((span, label.into()));
        self
    }

    fn to_rendered(&self) -> Rendered<FileId> {
        let rendered = match self.severity {
            Severity::Error => Rendered::error(),
            Severity::Warning => Rendered::warning(),
        };
        let mut labels = Vec::new();
        if let Some(span) = self.span {
            labels.push(Label::primary(span.file, span.start..span.end).with_message(&self.label));
        }
        for (span, label) in &self.related {
            labels.push(Label::secondary(span.file, span.start..span.end).with_message(label));
        }
        let notes = self
            .hint
            .iter()
            .map(|hint| format!("hint: {hint}"))
            .collect();
        rendered
            .with_code(self.code.as_str())
            .with_message(&self.message)
            .with_labels(labels)
            .with_notes(notes)
    }
}

/// Renders problems as text, the way compilers do: code, message, `file:line:column`, the source
/// line with the place underlined, and the hint.
#[must_use]
pub fn render(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let config = Config::default();
    let mut out = String::new();
    for diagnostic in diagnostics {
        // Spans come from the same sources, so rendering cannot fail; fall back to the message.
        if term::emit_to_string(&mut out, &config, sources, &diagnostic.to_rendered()).is_err() {
            out.push_str(&format!(
                "{}[{}]: {}\n",
                severity_word(diagnostic.severity),
                diagnostic.code,
                diagnostic.message
            ));
        }
        out.push('\n');
    }
    out
}

/// Renders problems with colour to a terminal.
///
/// # Errors
/// When writing to the terminal fails.
pub fn render_color(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    writer: &mut dyn WriteColor,
) -> std::io::Result<()> {
    let config = Config::default();
    for diagnostic in diagnostics {
        if let Err(err) =
            term::emit_to_write_style(writer, &config, sources, &diagnostic.to_rendered())
        {
            return Err(std::io::Error::other(err.to_string()));
        }
        writeln!(writer)?;
    }
    Ok(())
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The closest candidate to a misspelt word, if one is close enough to be what was meant.
#[must_use]
fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(word, candidate), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, candidate)| candidate)
}

/// `did you mean `x`?` for the closest candidate, if any.
#[must_use]
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(|candidate| format!("did you mean `{candidate}`?"))
}

/// A list of allowed values for a message: `a`, `b` or `c`.
#[must_use]
pub fn one_of<S: AsRef<str>>(values: &[S]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{}`", v.as_ref())).collect();
    match quoted.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}
