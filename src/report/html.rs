//! The HTML risk report: one self-contained file (CSS, a little JavaScript and the diagram inline)
//! rendered with tera from `templates/report.html`, `report.css` and `report.js` — built into the
//! binary, or read from a directory the user points `--templates` at to rebrand it.
//!
//! The model is untrusted input. Every model string reaches the page through the template's
//! `text` filter (escaped, control, bidi and invisible characters shown as a visible `⟨U+202E⟩`
//! marker, isolated in a `<bdi>` so right-to-left text cannot reorder the page: `gnp.exe` with
//! an override shows as itself), `code_spans` (the same for strider's sentences that quote model
//! text) or, in attributes, `<option>` and `<title>`, `plain` (markers, then tera's autoescaping;
//! the template is named `*.html`). `| safe` is used only for strider's own CSS and JavaScript and
//! for the diagram, whose text graphviz escapes (its labels carry the markers too). A Content-Security-Policy allows nothing but the
//! report's own style and script, by their SHA-256 hashes: no network, no other script.

use std::collections::BTreeSet;
use std::path::Path;

use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::assessment::{Assessment, Threat};
use crate::diff::AssessmentDiff;
use crate::graph::Dfd;
use crate::graph::dot::{self, Badge, Decorations, DiagramFormat, RenderError, View};
use crate::graph::paths::BlastRadius;
use crate::model::{Model, kebab};
use crate::scoring::{Impact, Likelihood, Severity};

const TEMPLATE: &str = include_str!("../../templates/report.html");
const STYLE: &str = include_str!("../../templates/report.css");
const SCRIPT: &str = include_str!("../../templates/report.js");

/// What the report shows besides the assessment.
pub struct ReportInput<'a> {
    /// The analysed model.
    pub model: &'a Model,
    /// The assessment.
    pub assessment: &'a Assessment,
    /// Its data-flow graph.
    pub dfd: &'a Dfd,
    /// The diagrams, when graphviz was available.
    pub diagrams: Option<&'a Diagrams>,
    /// What changed since a baseline model, and the baseline's name.
    pub baseline: Option<(&'a str, &'a AssessmentDiff)>,
    /// A digest of the model's files.
    pub digest: &'a str,
    /// When the report was generated, if the user asked for it to be shown.
    pub generated: Option<&'a str>,
    /// Model warnings to list.
    pub warnings: Vec<String>,
    /// Compliance views to show (none without `--compliance`).
    pub compliance: &'a [crate::compliance::View],
}

/// Above this many elements one diagram is unreadable: the report shows the boundaries instead,
/// with a diagram per boundary.
pub const AGGREGATE_ABOVE: usize = 80;

/// The report's diagrams as inline SVG: the whole model, or for a large model the boundaries
/// with one detail per boundary.
#[derive(Debug, Clone, Serialize)]
pub struct Diagrams {
    /// The main diagram, or why it is missing.
    pub main: Result<String, String>,
    /// Whether the main diagram shows boundaries instead of elements.
    pub aggregated: bool,
    /// One diagram per boundary that holds elements, when aggregated.
    pub details: Vec<BoundaryDiagram>,
}

/// One boundary's detail diagram.
#[derive(Debug, Clone, Serialize)]
pub struct BoundaryDiagram {
    /// The boundary's id.
    pub boundary: String,
    /// Its name.
    pub name: String,
    /// The SVG class of its node in the overview.
    pub class: String,
    /// How many elements it holds directly.
    pub elements: usize,
    /// How many threats are on them.
    pub threats: usize,
    /// The diagram, or why it is missing.
    pub svg: Result<String, String>,
}

/// One drawn diagram: the SVG or why it is missing; `Err` only when `dot` itself is missing.
type Drawn = Result<Result<String, String>, RenderError>;

/// How long graphviz may lay out one diagram of the report.
pub const LAYOUT_LIMIT: std::time::Duration = std::time::Duration::from_secs(30);

fn severity_badge(severity: Severity) -> (u8, &'static str) {
    match severity {
        Severity::Critical => (4, "#7b1fa2"),
        Severity::High => (3, "#c62828"),
        Severity::Medium => (2, "#ef6c00"),
        Severity::Low => (1, "#00838f"),
    }
}

/// Each element's threat count, coloured by its worst residual severity.
#[must_use]
pub fn badges(dfd: &Dfd, assessment: &Assessment) -> Decorations {
    let mut decorations = Decorations::default();
    for threat in &assessment.threats {
        let Some(node) = dfd.node(&threat.element) else {
            continue;
        };
        let (weight, color) = severity_badge(threat.score.residual_severity);
        let badge = decorations.badges.entry(node).or_insert(Badge {
            count: 0,
            weight,
            color,
        });
        badge.count += 1;
        if weight > badge.weight {
            badge.weight = weight;
            badge.color = color;
        }
    }
    decorations
}

/// Draws the report's diagrams with graphviz: the whole model, or above [`AGGREGATE_ABOVE`]
/// elements the boundary overview and a detail per boundary (drawn in parallel).
///
/// # Errors
/// When `dot` is missing or fails.
pub fn diagrams(
    model: &Model,
    dfd: &Dfd,
    assessment: &Assessment,
) -> Result<Diagrams, RenderError> {
    let decorations = badges(dfd, assessment);
    // A missing `dot` fails the whole set; a diagram graphviz cannot lay out in time is
    // replaced by a note saying so.
    let svg = |view: &View| -> Result<Result<String, String>, RenderError> {
        match dot::render_view_within(
            model,
            dfd,
            view,
            &decorations,
            DiagramFormat::Svg,
            Some(LAYOUT_LIMIT),
        ) {
            Ok(bytes) => Ok(Ok(inline_svg(&String::from_utf8_lossy(&bytes)))),
            Err(RenderError::DotMissing) => Err(RenderError::DotMissing),
            Err(err) => Ok(Err(err.to_string())),
        }
    };
    if dfd.node_count() <= AGGREGATE_ABOVE {
        return Ok(Diagrams {
            main: svg(&View::Whole)?,
            aggregated: false,
            details: Vec::new(),
        });
    }
    let mut holding: std::collections::BTreeMap<&str, (usize, usize)> =
        std::collections::BTreeMap::new();
    for node in dfd.graph().node_indices() {
        let entry = holding
            .entry(dfd.element(node).boundary.as_str())
            .or_default();
        entry.0 += 1;
        entry.1 += decorations.badges.get(&node).map_or(0, |b| b.count);
    }
    let boundaries: Vec<(&str, (usize, usize))> = holding.into_iter().collect();
    let workers = std::thread::available_parallelism()
        .map_or(1, std::num::NonZeroUsize::get)
        .clamp(1, 8);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let drawn: Vec<Vec<(usize, Drawn)>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some((boundary, _)) = boundaries.get(i) else {
                            break;
                        };
                        out.push((i, svg(&View::Boundary((*boundary).to_owned()))));
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut svgs: Vec<(usize, Drawn)> = drawn.into_iter().flatten().collect();
    svgs.sort_by_key(|(i, _)| *i);
    if svgs.len() != boundaries.len() {
        return Err(RenderError::Dot("a diagram worker stopped".to_owned()));
    }
    let mut details = Vec::with_capacity(boundaries.len());
    for ((boundary, (elements, threats)), (_, svg)) in boundaries.iter().zip(svgs) {
        details.push(BoundaryDiagram {
            boundary: (*boundary).to_owned(),
            name: model
                .boundaries
                .get(*boundary)
                .and_then(|b| b.name.clone())
                .unwrap_or_else(|| (*boundary).to_owned()),
            class: dot::boundary_class(model, boundary),
            elements: *elements,
            threats: *threats,
            svg: svg?,
        });
    }
    Ok(Diagrams {
        main: svg(&View::Overview)?,
        aggregated: true,
        details,
    })
}

/// Why a report could not be rendered.
#[derive(Debug)]
pub struct ReportError(pub String);

impl std::fmt::Display for ReportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ReportError {}

/// The report's template files: built in, or from a directory (missing files fall back).
pub struct Templates {
    page: String,
    style: String,
    script: String,
}

impl Templates {
    /// The templates built into strider.
    #[must_use]
    pub fn builtin() -> Self {
        Templates {
            page: TEMPLATE.to_owned(),
            style: STYLE.to_owned(),
            script: SCRIPT.to_owned(),
        }
    }

    /// `report.html`, `report.css` and `report.js` from a directory, each falling back to the
    /// built-in one when nothing is at its path. The directory may come from a pull request like
    /// the model, so its files are read through [`crate::files::Tree`]: regular files only, links
    /// followed only inside the directory, at most [`MAX_TEMPLATE_BYTES`] each.
    ///
    /// # Errors
    /// When the directory is missing or a link out of its own directory, or a file exists but is
    /// refused (a link out, a FIFO or device, too large), unreadable, or not UTF-8.
    pub fn from_dir(dir: &Path) -> Result<Self, ReportError> {
        let shown = |path: &Path| crate::escape::terminal(&path.display().to_string()).into_owned();
        if !dir.is_dir() {
            return Err(ReportError(format!(
                "template directory `{}` does not exist",
                shown(dir)
            )));
        }
        let tree = crate::files::Tree::new(dir).map_err(|refusal| {
            ReportError(format!("cannot use the template directory: {refusal}"))
        })?;
        let read = |name: &str, fallback: &str| -> Result<String, ReportError> {
            let path = dir.join(name);
            // Nothing at all at the path (not even a dangling link): the built-in file.
            if std::fs::symlink_metadata(&path)
                .is_err_and(|err| err.kind() == std::io::ErrorKind::NotFound)
            {
                return Ok(fallback.to_owned());
            }
            let bytes = tree
                .read(&path, MAX_TEMPLATE_BYTES)
                .map_err(|refusal| ReportError(format!("cannot read template: {refusal}")))?;
            String::from_utf8(bytes).map_err(|_| {
                ReportError(format!(
                    "cannot read template `{}`: it is not UTF-8",
                    shown(&path)
                ))
            })
        };
        Ok(Templates {
            page: read("report.html", TEMPLATE)?,
            style: read("report.css", STYLE)?,
            script: read("report.js", SCRIPT)?,
        })
    }
}

/// The largest template file strider reads (the built-in ones are a few KiB).
pub const MAX_TEMPLATE_BYTES: u64 = 1024 * 1024;

/// Escapes model text for HTML and shows its `backticked` spans as code: the one place model text
/// becomes markup, so everything is escaped before any tag is added. Like [`text`], hidden
/// characters show as markers and the text is isolated (`<bdi>`), each code span too.
#[must_use]
pub fn code_spans(text: &str) -> String {
    let escaped = crate::escape::html_marked(text);
    let parts: Vec<&str> = escaped.split('`').collect();
    if parts.len().is_multiple_of(2) {
        // Unbalanced backticks: show them as they are.
        return format!("<bdi>{escaped}</bdi>");
    }
    let mut out = String::with_capacity(escaped.len() + 32);
    out.push_str("<bdi>");
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("<code><bdi>");
            out.push_str(part);
            out.push_str("</bdi></code>");
        } else {
            out.push_str(part);
        }
    }
    out.push_str("</bdi>");
    out
}

/// Model text as page content: escaped, hidden characters shown as markers, isolated in a
/// `<bdi>` ([`crate::escape::html_isolated`]). A list becomes its items, each isolated, joined by
/// `sep`. The report template's `text` filter.
#[must_use]
pub fn text(value: &tera::Value, sep: &str) -> String {
    let one = |v: &tera::Value| match v.as_str() {
        Some(s) => crate::escape::html_isolated(s),
        None => crate::escape::html_isolated(&v.to_string()),
    };
    match value.as_array() {
        Some(items) => items
            .iter()
            .map(one)
            .collect::<Vec<_>>()
            .join(&crate::escape::html(sep)),
        None if value.is_none() || value.is_undefined() => String::new(),
        None => one(value),
    }
}

/// Registers the filters the report template uses for model text: `text` (content: escaped,
/// marked, isolated), `plain` (attributes, `<option>`, `<title>`: hidden characters as markers,
/// then autoescaped) and `code_spans` (a sentence of strider's quoting model text).
fn register_filters(tera: &mut tera::Tera) {
    tera.register_filter(
        "code_spans",
        |text: std::borrow::Cow<'_, str>, _: tera::Kwargs, _: &tera::State| {
            tera::Value::safe_string(&code_spans(&text))
        },
    );
    tera.register_filter(
        "text",
        |value: &tera::Value, kwargs: tera::Kwargs, _: &tera::State| {
            let sep: Option<String> = kwargs.get("sep").ok().flatten();
            tera::Value::safe_string(&text(value, sep.as_deref().unwrap_or(", ")))
        },
    );
    tera.register_filter(
        "plain",
        |text: std::borrow::Cow<'_, str>, _: tera::Kwargs, _: &tera::State| {
            tera::Value::normal_string(&crate::escape::marked(&text))
        },
    );
}

fn hash(text: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

/// The diagram ready to inline: graphviz's SVG from its `<svg` tag on, without comments,
/// `<title>` elements (they hold DOT's node names; the tooltips carry the element ids), `id`
/// attributes (every view numbers its nodes from 1, and the page holds several views; the
/// report's script finds nodes by class) and the line breaks between tags.
///
/// Safe on graphviz's output because graphviz escapes `<`, `>` and `"` inside text and
/// attribute values, so every `<`, `"` and `-->` seen here is markup.
#[must_use]
pub fn inline_svg(svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let mut rest = &svg[start..];
    let mut out = String::with_capacity(rest.len());
    loop {
        let comment = rest.find("<!--");
        let title = rest.find("<title>");
        let id = rest.find(" id=\"");
        let (at, skip_to) = match [comment, title, id].into_iter().flatten().min() {
            None => break,
            Some(at) if Some(at) == comment => (at, rest[at..].find("-->").map(|e| at + e + 3)),
            Some(at) if Some(at) == title => (at, rest[at..].find("</title>").map(|e| at + e + 8)),
            Some(at) => (at, rest[at + 5..].find('"').map(|e| at + 5 + e + 1)),
        };
        out.push_str(&rest[..at]);
        let Some(skip_to) = skip_to else {
            rest = "";
            break;
        };
        rest = &rest[skip_to..];
    }
    out.push_str(rest);
    let out = out
        .replace(">\n\n<", "><")
        .replace(">\n<", "><")
        .replace(" font-family=\"Helvetica,sans-Serif\"", "");
    round_geometry(&out)
}

/// Writes `value` with its decimal numbers rounded to whole numbers.
fn round_numbers(value: &str, out: &mut String) {
    fn flush(number: &mut String, out: &mut String) {
        match number.parse::<f64>() {
            Ok(n) if number.contains('.') => out.push_str(&format!("{}", n.round())),
            _ => out.push_str(number),
        }
        number.clear();
    }
    let mut number = String::new();
    for c in value.chars() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
        } else if c == '-' {
            flush(&mut number, out);
            number.push(c);
        } else {
            flush(&mut number, out);
            out.push(c);
        }
    }
    flush(&mut number, out);
}

/// Rounds the numbers of graphviz's geometry attributes (`d`, `points`, `x`, `y`) to whole
/// points: a third of the size of a large diagram, invisible at any zoom a report is read at.
/// Only those attributes are touched; graphviz writes nothing but numbers and path commands in them.
fn round_geometry(svg: &str) -> String {
    let mut out = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(open) = rest.find("=\"") {
        let at = open + 2;
        let end = rest[at..].find('"').map_or(rest.len(), |e| at + e);
        out.push_str(&rest[..at]);
        let name = &rest[..open];
        if [" d", " points", " x", " y"]
            .iter()
            .any(|a| name.ends_with(a))
        {
            round_numbers(&rest[at..end], &mut out);
        } else {
            out.push_str(&rest[at..end]);
        }
        rest = &rest[end..];
        // The closing quote, so the next search starts after this attribute.
        if let Some(quote) = rest.get(..1) {
            out.push_str(quote);
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
    out
}

#[derive(Serialize)]
struct Page<'a> {
    csp: String,
    version: &'static str,
    style: &'a str,
    script: &'a str,
    model: ModelInfo<'a>,
    digest: &'a str,
    generated: Option<&'a str>,
    summary: Summary,
    top: Vec<Row<'a>>,
    impacts: Vec<String>,
    matrix: Vec<MatrixRow>,
    stride: Vec<Bar>,
    stride_height: usize,
    diagrams: Option<&'a Diagrams>,
    baseline: Option<Baseline<'a>>,
    paths: Vec<PathRow<'a>>,
    threats: Vec<Row<'a>>,
    groups: Vec<RuleGroup<'a>>,
    filters: Filters,
    inventory: Inventory<'a>,
    warnings: &'a [String],
    compliance: Vec<ComplianceView<'a>>,
    /// Threats listed per requirement before the rest is folded.
    compliance_shown: usize,
}

/// A compliance view as the page shows it: threats carry their row's index, for links.
#[derive(Serialize)]
struct ComplianceView<'a> {
    framework: &'static str,
    name: &'static str,
    version: &'static str,
    scope: &'static str,
    data: &'a [String],
    elements: usize,
    summary: crate::compliance::ViewSummary,
    requirements: Vec<ComplianceRequirement<'a>>,
}

#[derive(Serialize)]
struct ComplianceRequirement<'a> {
    id: &'static str,
    title: &'static str,
    status: crate::compliance::Status,
    status_text: &'static str,
    undecided: usize,
    rules: &'a [crate::compliance::RuleEvidence],
    threats: Vec<ComplianceThreat<'a>>,
}

#[derive(Serialize)]
struct ComplianceThreat<'a> {
    index: Option<usize>,
    id: &'a str,
    severity: &'static str,
    status: &'a str,
}

fn compliance_views<'a>(
    views: &'a [crate::compliance::View],
    assessment: &'a Assessment,
) -> Vec<ComplianceView<'a>> {
    let index: std::collections::HashMap<&str, usize> = assessment
        .threats
        .iter()
        .enumerate()
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    views
        .iter()
        .map(|view| ComplianceView {
            framework: view.framework.key(),
            name: view.name,
            version: view.version,
            scope: view.scope,
            data: &view.data,
            elements: view.elements,
            summary: view.summary,
            requirements: view
                .requirements
                .iter()
                .map(|r| ComplianceRequirement {
                    id: r.id,
                    title: r.title,
                    status: r.status,
                    status_text: r.status.text(),
                    undecided: r.undecided(),
                    rules: &r.rules,
                    threats: r
                        .threats
                        .iter()
                        .map(|t| ComplianceThreat {
                            index: index.get(t.threat.as_str()).copied(),
                            id: &t.threat,
                            severity: t.severity.name(),
                            status: &t.status,
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect()
}

#[derive(Serialize)]
struct Baseline<'a> {
    name: &'a str,
    /// The diff with each list most severe first.
    diff: AssessmentDiff,
    changes: usize,
}

fn baseline<'a>(name: &'a str, diff: &AssessmentDiff) -> Baseline<'a> {
    let mut diff = diff.clone();
    let worst_first = |a: &crate::diff::Change, b: &crate::diff::Change| {
        (b.after.max(b.before), &a.id).cmp(&(a.after.max(a.before), &b.id))
    };
    diff.added.sort_by(worst_first);
    diff.removed.sort_by(worst_first);
    diff.changed.sort_by(worst_first);
    Baseline {
        name,
        changes: diff.added.len() + diff.removed.len() + diff.changed.len(),
        diff,
    }
}

#[derive(Serialize)]
struct PathRow<'a> {
    classification: String,
    entry: &'a str,
    target: &'a str,
    path: &'a [String],
    /// Steps from entry to target.
    hops: usize,
    /// Other entries with the same first steps.
    alike: usize,
    /// On a store's first row, how many entries reach it; 0 on the others.
    entries: usize,
    /// On a store's last row, the entries of the groups not listed.
    more: usize,
    /// The SVG classes of the path's nodes and edges, for highlighting.
    classes: String,
}

#[derive(Serialize)]
struct ModelInfo<'a> {
    name: &'a str,
    owner: Option<&'a str>,
    description: Option<&'a str>,
}

#[derive(Serialize)]
struct Count {
    name: String,
    count: usize,
}

#[derive(Serialize)]
struct Summary {
    total: usize,
    untracked: usize,
    by_severity: Vec<Count>,
    by_status: Vec<Count>,
}

#[derive(Serialize)]
struct MatrixRow {
    likelihood: String,
    cells: Vec<MatrixCell>,
}

#[derive(Serialize)]
struct MatrixCell {
    impact: String,
    count: usize,
    severity: &'static str,
}

#[derive(Serialize)]
struct Bar {
    name: &'static str,
    count: usize,
    width: usize,
    y: usize,
}

#[derive(Serialize, Clone)]
struct Row<'a> {
    index: usize,
    id: &'a str,
    rule: &'a str,
    rule_name: &'a str,
    title: &'a str,
    stride: &'static str,
    element: &'a str,
    node: String,
    boundary: &'a str,
    message: &'a str,
    evidence: &'a [String],
    path: &'a [String],
    location: Option<String>,
    severity: &'static str,
    residual: &'static str,
    likelihood: String,
    impact: String,
    factors: &'a [crate::scoring::Factor],
    mitigation: &'a str,
    references: Vec<String>,
    status: String,
    tracking: Option<&'a crate::assessment::Tracking>,
    confirmations: Vec<FuzzEvidence<'a>>,
}

/// A fuzzing finding shown on the threat it confirms.
#[derive(Serialize, Clone)]
struct FuzzEvidence<'a> {
    id: &'a str,
    kind: &'a str,
    message: &'a str,
    file: &'a str,
    /// The reproducer event, pretty JSON.
    event: String,
}

/// A rule's threats, with what they share said once.
#[derive(Serialize)]
struct RuleGroup<'a> {
    rule: &'a str,
    name: &'a str,
    title: &'a str,
    stride: &'static str,
    mitigation: &'a str,
    references: Vec<String>,
    /// The compliance requirements the rule evidences, in one line.
    compliance: String,
    threats: Vec<Row<'a>>,
}

fn rule_groups<'a>(rows: &[Row<'a>]) -> Vec<RuleGroup<'a>> {
    let mut groups: Vec<RuleGroup<'a>> = Vec::new();
    for row in rows {
        match groups.iter_mut().find(|g| g.rule == row.rule) {
            Some(group) => group.threats.push(row.clone()),
            None => groups.push(RuleGroup {
                rule: row.rule,
                name: row.rule_name,
                title: row.title,
                stride: row.stride,
                mitigation: row.mitigation,
                references: row.references.clone(),
                compliance: crate::compliance::rule_labels(row.rule),
                threats: vec![row.clone()],
            }),
        }
    }
    // Rules in the order of their worst threat (rows come most severe first).
    groups
}

#[derive(Serialize)]
struct Filters {
    severities: Vec<&'static str>,
    strides: BTreeSet<&'static str>,
    statuses: BTreeSet<String>,
    rules: BTreeSet<String>,
    elements: BTreeSet<String>,
}

#[derive(Serialize)]
struct Inventory<'a> {
    data: Vec<DataRow<'a>>,
    functions: Vec<FunctionRow<'a>>,
    stores: Vec<StoreRow<'a>>,
    boundaries: Vec<BoundaryRow<'a>>,
}

#[derive(Serialize)]
struct DataRow<'a> {
    id: &'a str,
    name: &'a str,
    classification: String,
    tags: Vec<String>,
    held_in: Vec<&'a str>,
}

#[derive(Serialize)]
struct FunctionRow<'a> {
    function: &'a str,
    runtime: &'a str,
    reads: &'a [String],
    writes: &'a [String],
    starts: &'a [String],
    worst: String,
}

#[derive(Serialize)]
struct StoreRow<'a> {
    id: &'a str,
    kind: String,
    boundary: &'a str,
    data: &'a [String],
    encryption: String,
    public: bool,
}

#[derive(Serialize)]
struct BoundaryRow<'a> {
    id: &'a str,
    name: &'a str,
    trust: String,
    parent: &'a str,
}

fn status(threat: &Threat) -> String {
    match &threat.tracking {
        Some(t) if t.expired => "review overdue".to_owned(),
        Some(t) => kebab(&t.entry.status),
        None => "untracked".to_owned(),
    }
}

fn row<'a>(index: usize, threat: &'a Threat, dfd: &'a Dfd) -> Row<'a> {
    let node = dfd.node(&threat.element);
    Row {
        index,
        id: &threat.id,
        rule: threat.rule,
        rule_name: threat.rule_name,
        title: threat.title,
        stride: threat.stride.name(),
        element: &threat.element,
        node: node.map(dot::node_class).unwrap_or_default(),
        boundary: node.map_or("", |n| dfd.element(n).boundary.as_str()),
        message: &threat.message,
        evidence: &threat.evidence,
        path: &threat.path,
        location: threat.location.as_ref().map(ToString::to_string),
        severity: threat.score.severity.name(),
        residual: threat.score.residual_severity.name(),
        likelihood: kebab(&threat.score.residual_likelihood),
        impact: kebab(&threat.score.impact),
        factors: &threat.score.factors,
        mitigation: threat.mitigation,
        references: threat
            .rule()
            .map(|r| r.references.labels())
            .unwrap_or_default(),
        status: status(threat),
        tracking: threat.tracking.as_ref(),
        confirmations: threat
            .confirmations
            .iter()
            .map(|f| FuzzEvidence {
                id: &f.id,
                kind: &f.kind,
                message: &f.message,
                file: &f.file,
                event: serde_json::to_string_pretty(&f.event).unwrap_or_default(),
            })
            .collect(),
    }
}

const LIKELIHOODS: [Likelihood; 4] = [
    Likelihood::Likely,
    Likelihood::Possible,
    Likelihood::Unlikely,
    Likelihood::Rare,
];
const IMPACTS: [Impact; 4] = [
    Impact::Minor,
    Impact::Moderate,
    Impact::Major,
    Impact::Severe,
];
const SEVERITIES: [Severity; 4] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
];

fn inventory<'a>(model: &'a Model, radius: &'a [BlastRadius]) -> Inventory<'a> {
    let data = model
        .data
        .iter()
        .map(|(id, asset)| DataRow {
            id,
            name: asset.name.as_deref().unwrap_or(""),
            classification: kebab(&asset.classification),
            tags: asset.tags.iter().map(kebab).collect(),
            held_in: model
                .stores
                .iter()
                .filter(|(_, s)| s.data.contains(id))
                .map(|(sid, _)| sid.as_str())
                .chain(
                    model
                        .channels
                        .iter()
                        .filter(|(_, c)| c.data.contains(id))
                        .map(|(cid, _)| cid.as_str()),
                )
                .collect(),
        })
        .collect();
    let functions = radius
        .iter()
        .map(|r| FunctionRow {
            function: &r.function,
            runtime: model
                .functions
                .get(&r.function)
                .map_or("", |f| f.runtime.as_str()),
            reads: &r.reads,
            writes: &r.writes,
            starts: &r.starts,
            worst: r.worst.map_or_else(|| "–".to_owned(), |w| kebab(&w)),
        })
        .collect();
    let stores = model
        .stores
        .iter()
        .map(|(id, s)| StoreRow {
            id,
            kind: kebab(&s.kind),
            boundary: &s.boundary,
            data: &s.data,
            encryption: s
                .encryption
                .map_or_else(|| "not declared".to_owned(), |e| kebab(&e.at_rest)),
            public: s.public.any(),
        })
        .collect();
    let boundaries = model
        .boundaries
        .iter()
        .map(|(id, b)| BoundaryRow {
            id,
            name: b.name.as_deref().unwrap_or(""),
            trust: kebab(&b.trust),
            parent: b.parent.as_deref().unwrap_or(""),
        })
        .collect();
    Inventory {
        data,
        functions,
        stores,
        boundaries,
    }
}

/// Threats by residual likelihood (rows, most likely first) and impact (columns).
fn matrix(assessment: &Assessment) -> Vec<MatrixRow> {
    LIKELIHOODS
        .iter()
        .map(|&l| MatrixRow {
            likelihood: kebab(&l),
            cells: IMPACTS
                .iter()
                .map(|&i| MatrixCell {
                    impact: kebab(&i),
                    count: assessment
                        .threats
                        .iter()
                        .filter(|t| t.score.residual_likelihood == l && t.score.impact == i)
                        .count(),
                    severity: Severity::from_matrix(l, i).name(),
                })
                .collect(),
        })
        .collect()
}

/// One bar per STRIDE category, scaled to the largest.
fn stride_bars(assessment: &Assessment) -> Vec<Bar> {
    let strides = [
        crate::rules::Stride::Spoofing,
        crate::rules::Stride::Tampering,
        crate::rules::Stride::Repudiation,
        crate::rules::Stride::InformationDisclosure,
        crate::rules::Stride::DenialOfService,
        crate::rules::Stride::ElevationOfPrivilege,
    ];
    let counts: Vec<usize> = strides
        .iter()
        .map(|s| assessment.threats.iter().filter(|t| t.stride == *s).count())
        .collect();
    let most = counts.iter().copied().max().unwrap_or(0).max(1);
    strides
        .iter()
        .zip(&counts)
        .enumerate()
        .map(|(i, (s, &count))| Bar {
            name: s.name(),
            count,
            width: count * 150 / most,
            y: i * 22,
        })
        .collect()
}

/// The SVG classes of a path's nodes and of the edges between consecutive ones (a shortened
/// path's `… N more …` element is no node: no edge is drawn across it).
fn path_classes(dfd: &Dfd, path: &[String]) -> String {
    let nodes: Vec<_> = path.iter().map(|id| dfd.node(id)).collect();
    let mut classes: Vec<String> = nodes
        .iter()
        .flatten()
        .map(|&n| dot::node_class(n))
        .collect();
    classes.extend(
        nodes
            .windows(2)
            .filter_map(|w| Some(dot::edge_class(w[0]?, w[1]?))),
    );
    classes.join(" ")
}

/// The values each filter of the threat table offers.
fn filters(assessment: &Assessment) -> Filters {
    Filters {
        severities: SEVERITIES.iter().map(|s| s.name()).collect(),
        strides: assessment.threats.iter().map(|t| t.stride.name()).collect(),
        statuses: assessment.threats.iter().map(status).collect(),
        rules: assessment
            .threats
            .iter()
            .map(|t| t.rule.to_owned())
            .collect(),
        elements: assessment
            .threats
            .iter()
            .map(|t| t.element.clone())
            .collect(),
    }
}

/// Renders the report.
///
/// # Errors
/// When a user-supplied template does not parse or render.
pub fn render(input: &ReportInput<'_>, templates: &Templates) -> Result<Vec<u8>, ReportError> {
    let assessment = input.assessment;
    let threats: Vec<Row<'_>> = assessment
        .threats
        .iter()
        .enumerate()
        .map(|(i, t)| row(i, t, input.dfd))
        .collect();
    let matrix = matrix(assessment);
    let stride = stride_bars(assessment);
    let mut statuses: Vec<Count> = Vec::new();
    for threat in &assessment.threats {
        let name = status(threat);
        match statuses.iter_mut().find(|c| c.name == name) {
            Some(c) => c.count += 1,
            None => statuses.push(Count { name, count: 1 }),
        }
    }
    statuses.sort_by(|a, b| a.name.cmp(&b.name));
    let page = Page {
        csp: format!(
            "default-src 'none'; style-src {}; script-src {}; img-src data:; base-uri 'none'; form-action 'none'",
            hash(&templates.style),
            hash(&templates.script)
        ),
        version: env!("CARGO_PKG_VERSION"),
        style: &templates.style,
        script: &templates.script,
        model: ModelInfo {
            name: &input.model.name,
            owner: input.model.owner.as_deref(),
            description: input.model.description.as_deref(),
        },
        digest: input.digest,
        generated: input.generated,
        summary: Summary {
            total: assessment.threats.len(),
            untracked: assessment.untracked(),
            by_severity: SEVERITIES
                .iter()
                .map(|&s| Count {
                    name: s.name().to_owned(),
                    count: assessment.count(s),
                })
                .collect(),
            by_status: statuses,
        },
        top: threats
            .iter()
            .filter(|r| assessment.threats[r.index].untracked())
            .take(5)
            .cloned()
            .collect(),
        impacts: IMPACTS.iter().map(kebab).collect(),
        matrix,
        stride,
        stride_height: 6 * 22,
        diagrams: input.diagrams,
        baseline: input.baseline.map(|(name, diff)| baseline(name, diff)),
        paths: assessment
            .attack_paths
            .iter()
            .flat_map(|p| {
                let last = p.routes.len().saturating_sub(1);
                p.routes.iter().enumerate().map(move |(i, r)| PathRow {
                    classification: kebab(&p.classification),
                    entry: &r.entry,
                    target: &p.target,
                    path: &r.path,
                    hops: r.hops,
                    alike: r.alike,
                    entries: if i == 0 { p.entries } else { 0 },
                    more: if i == last { p.more_entries } else { 0 },
                    classes: path_classes(input.dfd, &r.path),
                })
            })
            .collect(),
        filters: filters(assessment),
        inventory: inventory(input.model, &assessment.blast_radius),
        warnings: &input.warnings,
        compliance: compliance_views(input.compliance, assessment),
        compliance_shown: crate::compliance::SHOWN_PER_REQUIREMENT,
        groups: rule_groups(&threats),
        threats,
    };
    let mut tera = tera::Tera::new();
    register_filters(&mut tera);
    tera.add_raw_template("report.html", &templates.page)
        .map_err(|err| ReportError(format!("the report template does not parse: {err}")))?;
    let context =
        tera::Context::from_serialize(&page).map_err(|err| ReportError(err.to_string()))?;
    tera.render("report.html", &context)
        .map(String::into_bytes)
        .map_err(|err| ReportError(format!("the report template does not render: {err}")))
}

#[cfg(test)]
mod tests {
    use super::{code_spans, inline_svg, text};

    #[test]
    fn a_shortened_attack_path_highlights_its_shown_elements_and_no_edge_across_the_gap() {
        let yaml = crate::generate::synthetic_model_of(crate::generate::Shape::Chain, 30, 2);
        let model = crate::model::load_bytes(std::path::Path::new("chain.yaml"), yaml.as_bytes())
            .unwrap()
            .model;
        let dfd = crate::graph::Dfd::build(&model);
        let paths = crate::graph::paths::attack_paths(&model, &dfd);
        let route = &paths
            .iter()
            .find(|p| p.target == "table-29")
            .unwrap()
            .routes[0];
        assert!(route.path.len() < route.hops + 1, "shortened");
        let classes = super::path_classes(&dfd, &route.path);
        let classes: Vec<&str> = classes.split(' ').collect();
        let node = |id: &str| crate::graph::dot::node_class(dfd.node(id).unwrap());
        let edge = |a: &str, b: &str| {
            crate::graph::dot::edge_class(dfd.node(a).unwrap(), dfd.node(b).unwrap())
        };
        // Eleven elements shown, five flows in the head, four in the tail.
        assert_eq!(classes.len(), 11 + 5 + 4, "{classes:?}");
        assert!(classes.contains(&node("user-0").as_str()));
        assert!(classes.contains(&edge("api", "fn-0").as_str()));
        assert!(classes.contains(&edge("fn-29", "table-29").as_str()));
        assert!(!classes.contains(&edge("queue-2", "queue-28").as_str()));
    }

    #[test]
    fn inline_svg_keeps_the_drawing_and_drops_what_the_page_does_not_need() {
        let svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg>\n<!-- dot -->\n<svg width=\"10pt\">\n<g id=\"node1\" class=\"node dfd&#45;n0\">\n<title>n0</title>\n<path d=\"M1.51,-2.49C3.5,4 5,6\"/>\n<polygon points=\"0.4,-0.6 10.25,3\"/>\n<text x=\"12.75\" y=\"-3.2\" font-family=\"Helvetica,sans-Serif\">a=&quot;1.5&quot; 2.5</text>\n</g>\n</svg>\n";
        assert_eq!(
            inline_svg(svg),
            "<svg width=\"10pt\"><g class=\"node dfd&#45;n0\"><path d=\"M2,-2C4,4 5,6\"/><polygon points=\"0,-1 10,3\"/><text x=\"13\" y=\"-3\">a=&quot;1.5&quot; 2.5</text></g></svg>\n"
        );
    }

    #[test]
    fn code_spans_escape_before_adding_markup() {
        assert_eq!(
            code_spans("`a` and `b`"),
            "<bdi><code><bdi>a</bdi></code> and <code><bdi>b</bdi></code></bdi>"
        );
        assert_eq!(
            code_spans("`<script>alert(1)</script>`"),
            "<bdi><code><bdi>&lt;script&gt;alert(1)&lt;/script&gt;</bdi></code></bdi>"
        );
        assert_eq!(
            code_spans("\"><img src=x onerror='x'>"),
            "<bdi>&quot;&gt;&lt;img src=x onerror=&#39;x&#39;&gt;</bdi>"
        );
        assert_eq!(code_spans("one ` tick"), "<bdi>one ` tick</bdi>");
    }

    #[test]
    fn bidi_and_invisible_characters_show_as_markers_in_isolated_text() {
        assert_eq!(
            code_spans("`gnp\u{202e}.exe` is \u{200b}here"),
            "<bdi><code><bdi>gnp<span class=\"ctl\">⟨U+202E⟩</span>.exe</bdi></code> is <span class=\"ctl\">⟨U+200B⟩</span>here</bdi>"
        );
        let list = tera::Value::from_serializable(&["a\u{2066}", "<b>"]);
        assert_eq!(
            text(&list, " → "),
            "<bdi>a<span class=\"ctl\">⟨U+2066⟩</span></bdi> → <bdi>&lt;b&gt;</bdi>"
        );
        assert_eq!(text(&tera::Value::from(3), ", "), "<bdi>3</bdi>");
        assert_eq!(text(&tera::Value::none(), ", "), "");
    }
}
