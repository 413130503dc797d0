//! The HTML risk report: one self-contained file (CSS, a little JavaScript and the diagram inline)
//! rendered with tera from `templates/report.html`, `report.css` and `report.js` — built into the
//! binary, or read from a directory the user points `--templates` at to rebrand it.
//!
//! The model is untrusted input. Every model string reaches the page through tera's autoescaping
//! (the template is named `*.html`); `| safe` is used only for strider's own CSS and JavaScript and
//! for the diagram, whose text graphviz escapes. A Content-Security-Policy allows nothing but the
//! report's own style and script, by their SHA-256 hashes: no network, no other script.

use std::collections::BTreeSet;
use std::path::Path;

use base64::Engine as _;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::assessment::{Assessment, Threat};
use crate::graph::paths::{AttackPath, BlastRadius};
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
    /// The diagram as SVG, when graphviz was available.
    pub diagram_svg: Option<&'a str>,
    /// A digest of the model's files.
    pub digest: &'a str,
    /// When the report was generated, if the user asked for it to be shown.
    pub generated: Option<&'a str>,
    /// Model warnings to list.
    pub warnings: Vec<String>,
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

    /// `report.html`, `report.css` and `report.js` from a directory, each falling back to the built-in one.
    ///
    /// # Errors
    /// When a file exists but cannot be read.
    pub fn from_dir(dir: &Path) -> Result<Self, ReportError> {
        let read = |name: &str, fallback: &str| -> Result<String, ReportError> {
            let path = dir.join(name);
            if !path.exists() {
                return Ok(fallback.to_owned());
            }
            std::fs::read_to_string(&path).map_err(|err| {
                ReportError(format!("cannot read template `{}`: {err}", path.display()))
            })
        };
        if !dir.is_dir() {
            return Err(ReportError(format!(
                "template directory `{}` does not exist",
                dir.display()
            )));
        }
        Ok(Templates {
            page: read("report.html", TEMPLATE)?,
            style: read("report.css", STYLE)?,
            script: read("report.js", SCRIPT)?,
        })
    }
}

/// Escapes model text for HTML and shows its `backticked` spans as code: the one place model text
/// becomes markup, so everything is escaped before any tag is added.
#[must_use]
pub fn code_spans(text: &str) -> String {
    let escaped = crate::escape::html(text);
    let parts: Vec<&str> = escaped.split('`').collect();
    if parts.len().is_multiple_of(2) {
        // Unbalanced backticks: show them as they are.
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len() + 16);
    for (i, part) in parts.iter().enumerate() {
        if i % 2 == 1 {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

fn hash(text: &str) -> String {
    format!(
        "'sha256-{}'",
        base64::engine::general_purpose::STANDARD.encode(Sha256::digest(text.as_bytes()))
    )
}

/// The diagram ready to inline: graphviz's SVG without the XML prolog, doctype and comments.
#[must_use]
pub fn inline_svg(svg: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let mut out = String::with_capacity(svg.len());
    let mut rest = &svg[start..];
    while let Some(open) = rest.find("<!--") {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find("-->") else {
            rest = "";
            break;
        };
        rest = &rest[open + close + 3..];
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
    diagram: Option<String>,
    paths: &'a [AttackPath],
    threats: Vec<Row<'a>>,
    filters: Filters,
    inventory: Inventory<'a>,
    warnings: &'a [String],
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
    rank: usize,
    id: &'a str,
    rule: &'a str,
    rule_name: &'a str,
    title: &'a str,
    stride: &'static str,
    element: &'a str,
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

fn row(index: usize, threat: &Threat) -> Row<'_> {
    Row {
        index,
        rank: index,
        id: &threat.id,
        rule: threat.rule,
        rule_name: threat.rule_name,
        title: threat.title,
        stride: threat.stride.name(),
        element: &threat.element,
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
            public: s.public,
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
        .map(|(i, t)| row(i, t))
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
        diagram: input.diagram_svg.map(inline_svg),
        paths: &assessment.attack_paths,
        filters: Filters {
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
        },
        inventory: inventory(input.model, &assessment.blast_radius),
        warnings: &input.warnings,
        threats,
    };
    let mut tera = tera::Tera::new();
    tera.register_filter(
        "code_spans",
        |text: std::borrow::Cow<'_, str>, _: tera::Kwargs, _: &tera::State| {
            tera::Value::safe_string(&code_spans(&text))
        },
    );
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
    use super::code_spans;

    #[test]
    fn code_spans_escape_before_adding_markup() {
        assert_eq!(
            code_spans("`a` and `b`"),
            "<code>a</code> and <code>b</code>"
        );
        assert_eq!(
            code_spans("`<script>alert(1)</script>`"),
            "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>"
        );
        assert_eq!(
            code_spans("\"><img src=x onerror='x'>"),
            "&quot;&gt;&lt;img src=x onerror=&#39;x&#39;&gt;"
        );
        assert_eq!(code_spans("one ` tick"), "one ` tick");
    }
}
