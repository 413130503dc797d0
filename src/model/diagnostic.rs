//! Problems found in a model, with their exact place in the source, and the one renderer for them.
//!
//! Every problem carries a stable [`Code`], the file, a byte span (shown as line:column), a message
//! saying what is wrong and, where there is one, a hint saying what to do about it. Codes are public
//! API: scripts grep for them, so they are never renamed.

use std::collections::BTreeMap;
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
    /// Whether the text is ASCII, so that a column is a byte count.
    ascii: bool,
    /// For other text: the characters before each multiple of [`CHECKPOINT`] bytes, so that a
    /// column on a long line is counted from the nearest checkpoint, not from the line's start.
    checkpoints: Vec<usize>,
}

/// Bytes between two character-count checkpoints of a non-ASCII file.
const CHECKPOINT: usize = 4096;

/// Characters in `bytes` (which may start or end inside one): the bytes that do not continue a
/// UTF-8 sequence.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count()
}

impl SourceFile {
    /// Characters before byte `offset`.
    fn chars_before(&self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if self.ascii {
            return offset;
        }
        let block = offset / CHECKPOINT;
        self.checkpoints.get(block).copied().unwrap_or(0)
            + count_chars(&self.text.as_bytes()[block * CHECKPOINT..offset])
    }
}

impl Sources {
    /// Adds a file's text and returns its id.
    pub fn add(&mut self, path: &Path, text: String) -> FileId {
        let line_starts = files::line_starts(&text).collect();
        let ascii = text.is_ascii();
        let checkpoints = if ascii {
            Vec::new()
        } else {
            let mut before = 0;
            text.as_bytes()
                .chunks(CHECKPOINT)
                .map(|chunk| {
                    let at = before;
                    before += count_chars(chunk);
                    at
                })
                .collect()
        };
        self.files.push(SourceFile {
            path: path.to_path_buf(),
            text,
            line_starts,
            ascii,
            checkpoints,
        });
        self.files.len() - 1
    }

    /// Blanks the byte ranges `spans` of a file's text (each byte becomes `*`, so offsets and
    /// lines stay where they were), for text that diagnostics must never show: the values of a
    /// Terraform plan may be secrets.
    pub fn redact(&mut self, file: FileId, spans: &[(usize, usize)]) {
        let Some(source) = self.files.get(file) else {
            return;
        };
        let mut bytes = source.text.clone().into_bytes();
        for &(start, end) in spans {
            let end = end.min(bytes.len());
            if let Some(range) = bytes.get_mut(start..end) {
                range.fill(b'*');
            }
        }
        // Whole characters were blanked only when ranges end on boundaries; anything else
        // becomes U+FFFD, never the original bytes.
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let path = source.path.clone();
        let fresh = self.add(&path, text);
        self.files.swap(file, fresh);
        self.files.pop();
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

    fn column_number(
        &'a self,
        id: FileId,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        let file = self.files.get(id).ok_or(files::Error::FileMissing)?;
        let range = self.line_range(id, line_index)?;
        let end = byte_index.clamp(range.start, range.end.min(file.text.len()));
        let column = file.chars_before(end) - file.chars_before(range.start);
        Ok(column + 1)
    }

    fn line_range(&'a self, id: FileId, line_index: usize) -> Result<Range<usize>, files::Error> {
        let file = self.files.get(id).ok_or(files::Error::FileMissing)?;
        line_range(&file.line_starts, file.text.len(), line_index)
    }
}

/// The byte range of line `line_index` of a text of `len` bytes whose lines start at
/// `line_starts`.
fn line_range(
    line_starts: &[usize],
    len: usize,
    line_index: usize,
) -> Result<Range<usize>, files::Error> {
    let start = *line_starts
        .get(line_index)
        .ok_or(files::Error::LineTooLarge {
            given: line_index,
            max: line_starts.len().saturating_sub(1),
        })?;
    let end = line_starts.get(line_index + 1).copied().unwrap_or(len);
    Ok(start..end)
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
    ControlCharacter => "control-character", "A NUL or another control character (other than tab, line feed and the CR of CRLF), a line separator or a bidi override in a model file, which would hide what follows it or reorder what a reviewer sees.";
    SkippedFile => "skipped-file", "A file in the model's directory that was not read: a symlink out of the directory, a FIFO, a device.";
    YamlSyntax => "yaml-syntax", "The file is not well-formed YAML.";
    YamlUnsupported => "yaml-unsupported", "A YAML feature a model may not use: tags, complex keys, several documents.";
    TooDeep => "too-deep", "Nesting deeper than any model needs.";
    AliasLimit => "alias-limit", "YAML aliases expand to more nodes or bytes than the file itself holds (an alias bomb).";
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
    InputSchema => "input-schema", "An input schema file that is missing, outside the directory tree strider reads, or not valid JSON.";
    FuzzHandler => "fuzz-handler", "A handler to fuzz that cannot be found or named in Rust.";
    Placeholder => "placeholder", "A fact `strider import` left for the architect to state (`classification: unclassified`, `validated: unknown`): analysis assumes the worse case until it is stated.";
    MissingFlow => "missing-flow", "An environment variable names a store, channel or function the function has no flow to: the model may be missing a read, a write or an invocation.";
    ImportIncomplete => "import-incomplete", "A part of an infrastructure-as-code template that `strider import` could not map to the model: an unsupported resource or event type, or a value known only when deployed.";
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
}

/// Source lines up to this many bytes are shown whole; longer ones as a window around the place.
const EXCERPT_WHOLE: usize = 160;
/// Bytes of a long line shown on each side of the place.
const EXCERPT_CONTEXT: usize = 60;
/// Bytes of a long line's label shown underlined, at most.
const EXCERPT_LABEL: usize = 80;

/// Characters of a message or hint shown, at most (a message quotes model text, which may be long).
const SHOWN_TEXT: usize = 1_000;
/// Characters of a label shown, at most.
const SHOWN_LABEL: usize = 200;

/// Model-derived text as it may be printed: control and bidi characters escaped, cut to `max`
/// characters with `…`.
fn shown_text(text: &str, max: usize) -> String {
    let escaped = crate::escape::terminal(text);
    match escaped.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &escaped[..cut]),
        None => escaped.into_owned(),
    }
}

/// Problems printed per file when the caller does not say (`--max-errors`).
pub const DEFAULT_MAX_PER_FILE: usize = 50;

/// The lines a diagnostic shows, cut to a window around each place and with every control or bidi
/// character escaped, so that a 1 MB line prints as a short excerpt and model text cannot drive
/// the terminal. Implements [`Files`] with the real line and column numbers.
#[derive(Default)]
struct Excerpt {
    files: Vec<ExcerptFile>,
}

struct ExcerptFile {
    /// The source file it comes from.
    source: FileId,
    name: String,
    text: String,
    line_starts: Vec<usize>,
    /// The real (1-based) number of each line.
    numbers: Vec<usize>,
    /// Per line: `(offset in text, real 1-based column)` at each character shown, in order.
    columns: Vec<Vec<(usize, usize)>>,
}

/// A label of a diagnostic, before it is placed in an [`Excerpt`].
struct Place<'d> {
    span: Span,
    primary: bool,
    message: &'d str,
}

/// The byte range of a line of `source`, without its line break.
fn line_bounds(source: &SourceFile, line: usize) -> (usize, usize) {
    let text = source.text.as_bytes();
    let start = source.line_starts.get(line).copied().unwrap_or(text.len());
    let mut end = source
        .line_starts
        .get(line + 1)
        .copied()
        .unwrap_or(text.len());
    while end > start && matches!(text[end - 1], b'\n' | b'\r') {
        end -= 1;
    }
    (start, end)
}

impl ExcerptFile {
    /// Adds the part `low..high` of line `line` (whose bounds are `line_start..line_end`),
    /// escaped, with `…` where it is cut; returns where each original offset went.
    fn push_line(
        &mut self,
        source: &SourceFile,
        line: usize,
        (line_start, line_end): (usize, usize),
        (low, high): (usize, usize),
    ) -> Vec<(usize, usize)> {
        let text = source.text.as_str();
        self.line_starts.push(self.text.len());
        self.numbers.push(line + 1);
        let first_column = 1 + source.chars_before(low) - source.chars_before(line_start);
        let mut columns = Vec::new();
        if low > line_start {
            self.text.push('…');
        }
        // Original byte offset → offset in the excerpt, at each character.
        let mut map: Vec<(usize, usize)> = Vec::new();
        for (column, (at, c)) in (first_column..).zip(text[low..high].char_indices()) {
            map.push((low + at, self.text.len()));
            columns.push((self.text.len(), column));
            if c == '\t' || !crate::escape::is_hazard(c) {
                self.text.push(c);
            } else {
                self.text
                    .push_str(&crate::escape::terminal(c.encode_utf8(&mut [0; 4])));
            }
        }
        let end_column = first_column + map.len();
        map.push((high, self.text.len()));
        columns.push((self.text.len(), end_column));
        if high < line_end {
            self.text.push('…');
        }
        self.text.push('\n');
        self.columns.push(columns);
        map
    }

    /// Two empty lines standing for the lines from `line` on that are not shown, so that the
    /// renderer draws a break between the lines around them.
    fn push_gap(&mut self, line: usize) {
        for number in [line + 1, line + 2] {
            self.line_starts.push(self.text.len());
            self.numbers.push(number);
            self.columns.push(vec![(self.text.len(), 1)]);
            self.text.push('\n');
        }
    }
}

impl Excerpt {
    /// The excerpt of `places` (one line each, grouped by line), and each place's range in it.
    fn new(places: &[Place<'_>], sources: &Sources) -> (Excerpt, Vec<(FileId, Range<usize>)>) {
        let mut excerpt = Excerpt::default();
        // (file, line index) → the places on that line.
        let mut lines: Vec<((FileId, usize), Vec<usize>)> = Vec::new();
        let mut clamped = Vec::with_capacity(places.len());
        for (i, place) in places.iter().enumerate() {
            let Some(source) = sources.files.get(place.span.file) else {
                clamped.push(None);
                continue;
            };
            let text = &source.text;
            let start = text.floor_char_boundary(place.span.start);
            let line = source
                .line_starts
                .binary_search(&start)
                .unwrap_or_else(|next| next.saturating_sub(1));
            let (line_start, line_end) = line_bounds(source, line);
            let start = start.clamp(line_start, line_end);
            let end = text
                .floor_char_boundary(place.span.end)
                .clamp(start, line_end);
            clamped.push(Some((start, end)));
            let key = (place.span.file, line);
            match lines.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(i),
                None => lines.push((key, vec![i])),
            }
        }
        lines.sort_by_key(|(key, _)| *key);
        let mut ranges: Vec<(FileId, Range<usize>)> = vec![(0, 0..0); places.len()];
        for ((file, line), members) in lines {
            let source = &sources.files[file];
            let text = source.text.as_str();
            let (line_start, line_end) = line_bounds(source, line);
            let spans: Vec<(usize, usize)> = members.iter().filter_map(|&i| clamped[i]).collect();
            let (low, high) = if line_end - line_start <= EXCERPT_WHOLE {
                (line_start, line_end)
            } else {
                // Around the primary place (or the first), as far as the labels on the line go.
                let anchor = members
                    .iter()
                    .find(|&&i| places[i].primary)
                    .or(members.first())
                    .and_then(|&i| clamped[i])
                    .map_or(line_start, |(start, _)| start);
                let reach = spans
                    .iter()
                    .filter(|(start, _)| *start >= anchor)
                    .map(|(_, end)| *end)
                    .max()
                    .unwrap_or(anchor)
                    .min(anchor + EXCERPT_LABEL);
                (
                    text.floor_char_boundary(
                        anchor.saturating_sub(EXCERPT_CONTEXT).max(line_start),
                    ),
                    text.floor_char_boundary((reach + EXCERPT_CONTEXT).min(line_end)),
                )
            };
            let index = excerpt.file_index(file, sources);
            let shown = &mut excerpt.files[index];
            // Lines between two shown ones: the one line itself, or a break (`·`) for more.
            if let Some(&previous) = shown.numbers.last() {
                let previous = previous - 1;
                if line == previous + 2 {
                    let (start, end) = line_bounds(source, previous + 1);
                    let cut = text.floor_char_boundary((start + EXCERPT_WHOLE).min(end));
                    shown.push_line(source, previous + 1, (start, end), (start, cut));
                } else if line > previous + 2 {
                    shown.push_gap(previous + 1);
                }
            }
            let map = shown.push_line(source, line, (line_start, line_end), (low, high));
            let to_excerpt = |at: usize| {
                let at = at.clamp(low, high);
                let i = map.partition_point(|(original, _)| *original <= at);
                map[i.saturating_sub(1)].1
            };
            for &i in &members {
                if let Some((start, end)) = clamped[i] {
                    ranges[i] = (index, to_excerpt(start)..to_excerpt(end));
                }
            }
        }
        (excerpt, ranges)
    }

    fn file_index(&mut self, file: FileId, sources: &Sources) -> usize {
        if let Some(index) = self.files.iter().position(|f| f.source == file) {
            return index;
        }
        self.files.push(ExcerptFile {
            source: file,
            name: crate::escape::terminal(&sources.path(file).display().to_string()).into_owned(),
            text: String::new(),
            line_starts: Vec::new(),
            numbers: Vec::new(),
            columns: Vec::new(),
        });
        self.files.len() - 1
    }

    fn file(&self, id: usize) -> Result<&ExcerptFile, files::Error> {
        self.files.get(id).ok_or(files::Error::FileMissing)
    }
}

impl<'a> Files<'a> for Excerpt {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, files::Error> {
        Ok(&self.file(id)?.name)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, files::Error> {
        Ok(&self.file(id)?.text)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, files::Error> {
        let file = self.file(id)?;
        Ok(file
            .line_starts
            .partition_point(|start| *start <= byte_index)
            .saturating_sub(1))
    }

    fn line_number(&'a self, id: usize, line_index: usize) -> Result<usize, files::Error> {
        let file = self.file(id)?;
        Ok(file
            .numbers
            .get(line_index)
            .copied()
            .unwrap_or(line_index + 1))
    }

    fn column_number(
        &'a self,
        id: usize,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, files::Error> {
        let file = self.file(id)?;
        let Some(columns) = file.columns.get(line_index) else {
            return Ok(1);
        };
        let i = columns.partition_point(|(offset, _)| *offset <= byte_index);
        Ok(columns
            .get(i.saturating_sub(1))
            .map_or(1, |(_, column)| *column))
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, files::Error> {
        let file = self.file(id)?;
        line_range(&file.line_starts, file.text.len(), line_index)
    }
}

impl Diagnostic {
    /// The diagnostic as codespan renders it, against its [`Excerpt`], with every model-derived
    /// string (message, labels, hint) escaped for the terminal.
    fn to_rendered(&self, sources: &Sources) -> (Excerpt, Rendered<usize>) {
        let rendered = match self.severity {
            Severity::Error => Rendered::error(),
            Severity::Warning => Rendered::warning(),
        };
        let mut places = Vec::new();
        if let Some(span) = self.span {
            places.push(Place {
                span,
                primary: true,
                message: &self.label,
            });
        }
        for (span, label) in &self.related {
            places.push(Place {
                span: *span,
                primary: false,
                message: label,
            });
        }
        let (excerpt, ranges) = Excerpt::new(&places, sources);
        let labels = places
            .iter()
            .zip(ranges)
            .map(|(place, (file, range))| {
                let label = if place.primary {
                    Label::primary(file, range)
                } else {
                    Label::secondary(file, range)
                };
                label.with_message(shown_text(place.message, SHOWN_LABEL))
            })
            .collect();
        let notes = self
            .hint
            .iter()
            .map(|hint| format!("hint: {}", shown_text(hint, SHOWN_TEXT)))
            .collect();
        let rendered = rendered
            .with_code(self.code.as_str())
            .with_message(shown_text(&self.message, SHOWN_TEXT))
            .with_labels(labels)
            .with_notes(notes);
        (excerpt, rendered)
    }
}

/// The diagnostics to print, at most `max_per_file` per file (0: all), and a line for each file
/// saying how many more there are.
fn shown<'d>(
    diagnostics: &'d [Diagnostic],
    sources: &Sources,
    max_per_file: usize,
) -> (Vec<&'d Diagnostic>, Vec<String>) {
    let mut counts: BTreeMap<Option<FileId>, (usize, usize, usize)> = BTreeMap::new();
    let mut shown = Vec::new();
    for diagnostic in diagnostics {
        let (printed, errors, warnings) =
            counts.entry(diagnostic.span.map(|s| s.file)).or_default();
        if max_per_file == 0 || *printed < max_per_file {
            *printed += 1;
            shown.push(diagnostic);
        } else if diagnostic.severity == Severity::Error {
            *errors += 1;
        } else {
            *warnings += 1;
        }
    }
    let rest = counts
        .into_iter()
        .filter(|(_, (_, errors, warnings))| errors + warnings > 0)
        .map(|(file, (_, errors, warnings))| {
            let what = match (errors, warnings) {
                (1, 0) => "error".to_owned(),
                (_, 0) => "errors".to_owned(),
                (0, 1) => "warning".to_owned(),
                (0, _) => "warnings".to_owned(),
                _ => format!("problems ({errors} errors, {warnings} warnings)"),
            };
            let place = file.map_or_else(String::new, |file| {
                format!(
                    " in `{}`",
                    crate::escape::terminal(&sources.path(file).display().to_string())
                )
            });
            format!(
                "… and {} more {what}{place} (`--max-errors 0` shows them all)\n",
                errors + warnings
            )
        })
        .collect();
    (shown, rest)
}

/// Renders problems as text, the way compilers do: code, message, `file:line:column`, the source
/// line with the place underlined, and the hint; at most [`DEFAULT_MAX_PER_FILE`] per file.
#[must_use]
pub fn render(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    render_with(diagnostics, sources, DEFAULT_MAX_PER_FILE)
}

/// [`render`], with at most `max_per_file` problems per file (0: all) and a count of the rest.
/// Model text is escaped and long lines are shown as a window around the place, so the output
/// is bounded by the number of problems shown, whatever the model holds.
#[must_use]
pub fn render_with(diagnostics: &[Diagnostic], sources: &Sources, max_per_file: usize) -> String {
    let config = Config::default();
    let mut out = String::new();
    let (shown, rest) = shown(diagnostics, sources, max_per_file);
    for diagnostic in shown {
        let (excerpt, rendered) = diagnostic.to_rendered(sources);
        // Spans come from the same sources, so rendering cannot fail; fall back to the message.
        if term::emit_to_string(&mut out, &config, &excerpt, &rendered).is_err() {
            out.push_str(&format!(
                "{}[{}]: {}\n",
                severity_word(diagnostic.severity),
                diagnostic.code,
                shown_text(&diagnostic.message, SHOWN_TEXT)
            ));
        }
        out.push('\n');
    }
    for line in rest {
        out.push_str(&line);
    }
    out
}

/// Renders problems with colour to a terminal, like [`render_with`].
///
/// # Errors
/// When writing to the terminal fails.
pub fn render_color(
    diagnostics: &[Diagnostic],
    sources: &Sources,
    max_per_file: usize,
    writer: &mut dyn WriteColor,
) -> std::io::Result<()> {
    let config = Config::default();
    let (shown, rest) = shown(diagnostics, sources, max_per_file);
    for diagnostic in shown {
        let (excerpt, rendered) = diagnostic.to_rendered(sources);
        if let Err(err) = term::emit_to_write_style(writer, &config, &excerpt, &rendered) {
            return Err(std::io::Error::other(err.to_string()));
        }
        writeln!(writer)?;
    }
    for line in rest {
        writer.write_all(line.as_bytes())?;
    }
    Ok(())
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// Words longer than this (in characters) are not compared: an id that long is not a typo.
const SUGGEST_MAX_CHARS: usize = 64;
/// Candidates compared per word, at most, among those of a plausible length.
const SUGGEST_MAX_CANDIDATES: usize = 500;

/// The closest candidate to a misspelt word, if one is close enough to be what was meant.
/// Bounded: only candidates of a plausible length (neither more than twice as long as the other,
/// give or take two) and at most [`SUGGEST_MAX_CHARS`] characters are compared, at most
/// [`SUGGEST_MAX_CANDIDATES`] of them, so a model of many long ids cannot make it quadratic.
#[must_use]
fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let chars = |text: &str| {
        if text.len() > 4 * SUGGEST_MAX_CHARS {
            None
        } else {
            Some(text.chars().count()).filter(|n| *n <= SUGGEST_MAX_CHARS)
        }
    };
    let length = chars(word)?;
    candidates
        .into_iter()
        .filter(|candidate| {
            chars(candidate).is_some_and(|other| {
                let (short, long) = (length.min(other), length.max(other));
                long <= 2 * short + 2
            })
        })
        .take(SUGGEST_MAX_CANDIDATES)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_of_non_ascii_text_count_characters() {
        let line = "é🦀x".repeat(3_000);
        let text = format!("a: b\n{line}\n{line}");
        let mut sources = Sources::default();
        let file = sources.add(Path::new("m.yaml"), text.clone());
        for (offset, _) in text.char_indices().step_by(997) {
            let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
            let expected = (
                text[..offset].matches('\n').count() + 1,
                text[line_start..offset].chars().count() + 1,
            );
            assert_eq!(sources.line_column(file, offset), expected, "{offset}");
        }
    }

    #[test]
    fn a_long_line_is_shown_as_a_window_with_real_columns() {
        let text = format!("{}\u{1b}[2Kbad{}\n", "x".repeat(10_000), "y".repeat(10_000));
        let mut sources = Sources::default();
        let file = sources.add(Path::new("m.yaml"), text);
        let problem = Diagnostic::error(
            Code::UnknownKey,
            Span {
                file,
                start: 10_004,
                end: 10_007,
            },
            "key `\u{1b}]0;x\u{7}` is unknown",
        )
        .with_label("\u{202e}here");
        let rendered = render(&[problem], &sources);
        assert!(rendered.contains("m.yaml:1:10005"), "{rendered}");
        assert!(rendered.contains("…xxx"), "{rendered}");
        assert!(rendered.contains("\\u{1b}[2Kbadyyy"), "{rendered}");
        assert!(rendered.contains("\\u{202e}here"), "{rendered}");
        assert!(rendered.len() < 1_000, "{rendered}");
        assert!(!rendered.contains('\u{1b}'), "{rendered}");
    }
}
