//! The `strider` command line: the only place that prints or chooses an exit code.
//!
//! Exit codes: 0 success; 1 `analyze --fail-on` found an untracked threat at or above the
//! threshold; 2 invalid input (a model with errors, a bad path) or a failure to produce output. A closed stdout (`strider graph m.yaml | head`) is not an error.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand, ValueEnum};
use codespan_reporting::term::termcolor::{ColorChoice, StandardStream};

use crate::assessment::analyze as analyze_model;
use crate::graph::Dfd;
use crate::graph::dot::{self, DiagramFormat};
use crate::model::{self, Diagnostic, LoadError, Loaded, Sources};
use crate::output::write_atomic;
use crate::report;
use crate::rules::RULES;
use crate::scoring::Severity;
use crate::{generate, model::schema_check};

/// Exit code for threats at or above `--fail-on`.
const FINDINGS: u8 = 1;
/// Exit code for invalid input or failed output.
const INVALID: u8 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "strider",
    version,
    about = "Threat modeling and event-injection fuzzing for serverless systems, from one YAML model",
    long_about = "Threat modeling and event-injection fuzzing for serverless systems, from one YAML model.\n\n\
        A model (one YAML file, or a directory of them) describes functions, their triggers, stores,\n\
        channels, externals, data, permissions and trust boundaries. strider validates it, builds its\n\
        data-flow graph, draws it, and finds and scores threats.",
    after_help = "Exit codes: 0 success, 1 threats at or above --fail-on, 2 invalid input or failed output.\nDocs: README.md; the model format: `strider schema`."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum FuzzCommand {
    /// Write a cargo-fuzz crate with one target per (function, trigger) of the functions whose
    /// `fuzz: {rust: …}` names a handler.
    #[command(
        after_help = "Then, in DIR: cargo fuzz run TARGET corpus/TARGET -- -dict=dict/TARGET.dict (names in strider-fuzz.json)."
    )]
    Init {
        /// Model file, or a directory of `*.yaml` model files.
        model: PathBuf,
        /// The directory to write the crate into (created if missing; strider's files in it are replaced).
        #[arg(short, long)]
        output: PathBuf,
        /// Only this function's triggers.
        #[arg(long)]
        function: Option<String>,
        /// Also write a ClusterFuzzLite setup (`.clusterfuzzlite/` and a pull-request workflow) at
        /// the root of the repository holding DIR, to run the same targets as CI campaigns.
        #[arg(long)]
        clusterfuzzlite: bool,
    },
    /// Run one target's campaign with cargo fuzz; on a crash, write the finding and its
    /// regression test.
    #[command(
        after_help = "Exit codes: 0 no finding, 1 a finding was written (findings/<function>/<id>.json and tests/finding_*.rs), 2 the campaign could not run.\nStable Rust without a sanitizer by default; --asan uses nightly and AddressSanitizer."
    )]
    Run {
        /// The target's name (see strider-fuzz.json).
        target: String,
        /// The crate `strider fuzz init` wrote.
        #[arg(short = 'C', long, default_value = ".")]
        dir: PathBuf,
        /// How long to fuzz, in seconds.
        #[arg(long, default_value_t = 60)]
        time: u64,
        /// Build with AddressSanitizer (needs the nightly toolchain).
        #[arg(long)]
        asan: bool,
        /// Parallel fuzzing processes.
        #[arg(long, default_value_t = 1)]
        jobs: u32,
        /// libFuzzer's random seed (for reproducible campaigns and benchmarks).
        #[arg(long)]
        seed: Option<u64>,
    },
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check a model and report every problem with its file, line and column.
    #[command(after_help = "Exit codes: 0 valid (warnings may be printed), 2 invalid.")]
    Validate {
        /// Model file, or a directory of `*.yaml` model files.
        model: PathBuf,
    },
    /// Draw the model's data-flow diagram (DOT, SVG or PNG, rendered by graphviz `dot`).
    #[command(
        after_help = "Without -o, DOT is written to stdout. SVG and PNG need graphviz's `dot` on PATH."
    )]
    Graph {
        /// Model file, or a directory of `*.yaml` model files.
        model: PathBuf,
        /// Output file; its extension (.dot, .svg, .png) picks the format unless --format is given.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Output format.
        #[arg(short, long, value_enum)]
        format: Option<FormatArg>,
    },
    /// Find threats: STRIDE and serverless rules over the data-flow graph, scored and tracked.
    #[command(
        after_help = "Exit codes: 0 no untracked threat at or above --fail-on (or no --fail-on), 1 there is one, 2 invalid input."
    )]
    Analyze {
        /// Model file, or a directory of `*.yaml` model files.
        model: PathBuf,
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = ReportFormat::Table)]
        format: ReportFormat,
        /// Write to this file instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Exit 1 when an untracked threat at or above this residual severity exists.
        #[arg(long, value_enum)]
        fail_on: Option<SeverityArg>,
        /// The date acceptances are reviewed against (YYYY-MM-DD); default: today (UTC).
        #[arg(long, value_parser = parse_date)]
        today: Option<String>,
        /// Fuzzing findings (`strider fuzz run`'s findings/ directory, or the fuzz crate): confirmed threats become likely and carry their reproducer.
        #[arg(long, value_name = "DIR")]
        findings: Option<PathBuf>,
    },
    /// Write the HTML risk report: one self-contained file to hand to a reviewer.
    #[command(
        after_help = "The report works offline: CSS, script and diagram are inline, and a Content-Security-Policy forbids everything else."
    )]
    Report {
        /// Model file, or a directory of `*.yaml` model files.
        model: PathBuf,
        /// The HTML file to write.
        #[arg(short, long)]
        output: PathBuf,
        /// A directory with `report.html`, `report.css` and `report.js` to use instead of the built-in ones.
        #[arg(long)]
        templates: Option<PathBuf>,
        /// The date acceptances are reviewed against (YYYY-MM-DD); default: today (UTC).
        #[arg(long, value_parser = parse_date)]
        today: Option<String>,
        /// Text shown as the generation time (the report carries none unless asked, so it is reproducible).
        #[arg(long)]
        generated_at: Option<String>,
        /// A previous version of the model: the summary shows the threats added, removed and re-scored since.
        #[arg(long, value_name = "OLD_MODEL")]
        baseline: Option<PathBuf>,
        /// Fuzzing findings (`strider fuzz run`'s findings/ directory, or the fuzz crate): shown as evidence on the threats they confirm.
        #[arg(long, value_name = "DIR")]
        findings: Option<PathBuf>,
    },
    /// Event-injection fuzzing of the model's Rust handlers with cargo-fuzz.
    #[command(subcommand)]
    Fuzz(FuzzCommand),
    /// List the rules strider applies.
    Rules {
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = RulesFormat::Table)]
        format: RulesFormat,
    },
    /// Threats added, removed and re-scored between two versions of a model.
    #[command(
        after_help = "Exit codes: 0 no change (or no --fail-on), 1 --fail-on: a threat at or above it was added or raised, 2 invalid input."
    )]
    Diff {
        /// The old model.
        old: PathBuf,
        /// The new model.
        new: PathBuf,
        /// Output format.
        #[arg(short, long, value_enum, default_value_t = DiffFormat::Text)]
        format: DiffFormat,
        /// Exit 1 when a threat at or above this severity was added or raised to it.
        #[arg(long, value_enum)]
        fail_on: Option<SeverityArg>,
    },
    /// Explain a rule (`STR-002`, `event-injection`) or, given the model, a threat (`STR-002@fn/source`).
    Explain {
        /// Rule id or name, or threat id.
        id: String,
        /// The model, to explain a threat.
        model: Option<PathBuf>,
    },
    /// Print the JSON Schema of the model format (for editor completion and validation).
    Schema {
        /// Write to this file instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
    /// Write a synthetic model of N functions, for benchmarks and load tests.
    Generate {
        /// Number of functions.
        #[arg(long, default_value_t = 100)]
        functions: usize,
        /// How functions are wired: groups of ten behind their own APIs, or one long chain.
        #[arg(long, value_enum, default_value_t = GenerateShape::Estate)]
        shape: GenerateShape,
        /// Number of untrusted actors using the APIs.
        #[arg(long, default_value_t = 1)]
        actors: usize,
        /// Write to this file instead of stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
    },
}

/// The shapes `strider generate` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum GenerateShape {
    // Groups of ten functions, each group behind its own public API.
    Estate,
    // One API in front of a long chain of functions, each with a sensitive table.
    Chain,
}

impl From<GenerateShape> for generate::Shape {
    fn from(shape: GenerateShape) -> Self {
        match shape {
            GenerateShape::Estate => generate::Shape::Estate,
            GenerateShape::Chain => generate::Shape::Chain,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ReportFormat {
    /// A readable report for the terminal.
    Table,
    /// Versioned JSON for other tools.
    Json,
    /// SARIF 2.1.0 for code-scanning UIs.
    Sarif,
    /// Markdown for pull requests.
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum DiffFormat {
    /// `+`, `-` and `~` lines.
    Text,
    /// JSON.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RulesFormat {
    /// One line per rule.
    Table,
    /// A Markdown table (the README's).
    Markdown,
    /// JSON with every field and the docs.
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum SeverityArg {
    Low,
    Medium,
    High,
    Critical,
}

impl From<SeverityArg> for Severity {
    fn from(severity: SeverityArg) -> Self {
        match severity {
            SeverityArg::Low => Severity::Low,
            SeverityArg::Medium => Severity::Medium,
            SeverityArg::High => Severity::High,
            SeverityArg::Critical => Severity::Critical,
        }
    }
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum FormatArg {
    Dot,
    Svg,
    Png,
}

impl From<FormatArg> for DiagramFormat {
    fn from(format: FormatArg) -> Self {
        match format {
            FormatArg::Dot => DiagramFormat::Dot,
            FormatArg::Svg => DiagramFormat::Svg,
            FormatArg::Png => DiagramFormat::Png,
        }
    }
}

/// Runs the command line with the process's arguments.
#[must_use]
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate { model } => validate(&model),
        Command::Fuzz(command) => fuzz(command),
        Command::Graph {
            model,
            output,
            format,
        } => graph(&model, output.as_deref(), format),
        Command::Analyze {
            model,
            format,
            output,
            fail_on,
            today,
            findings,
        } => analyze(
            &model,
            format,
            output.as_deref(),
            fail_on,
            &today.unwrap_or_else(crate::assessment::today_utc),
            findings.as_deref(),
        ),
        Command::Report {
            model,
            output,
            templates,
            today,
            generated_at,
            baseline,
            findings,
        } => report_html(&HtmlReport {
            model: &model,
            output: &output,
            templates: templates.as_deref(),
            today: &today.unwrap_or_else(crate::assessment::today_utc),
            generated: generated_at.as_deref(),
            baseline: baseline.as_deref(),
            findings: findings.as_deref(),
        }),
        Command::Rules { format } => {
            let text = match format {
                RulesFormat::Table => RULES.iter().fold(String::new(), |mut text, r| {
                    let _ = writeln!(
                        text,
                        "{}  {:<32} {:<24} {}",
                        r.id,
                        r.name,
                        r.stride.name(),
                        r.title
                    );
                    text
                }),
                RulesFormat::Markdown => report::markdown::rules_table(),
                RulesFormat::Json => {
                    let rules: Vec<serde_json::Value> = RULES
                        .iter()
                        .map(|r| serde_json::json!({"id": r.id, "name": r.name, "title": r.title, "stride": r.stride, "references": r.references, "impact_cap": r.impact_cap, "mitigation": r.mitigation, "docs": r.docs}))
                        .collect();
                    serde_json::to_string_pretty(&rules).unwrap_or_default() + "\n"
                }
            };
            emit(None, text.as_bytes())
        }
        Command::Explain { id, model } => explain(&id, model.as_deref()),
        Command::Diff {
            old,
            new,
            format,
            fail_on,
        } => diff(&old, &new, format, fail_on),
        Command::Schema { output } => {
            let mut text =
                serde_json::to_string_pretty(schema_check::model_schema()).unwrap_or_default();
            text.push('\n');
            emit(output.as_deref(), text.as_bytes())
        }
        Command::Generate {
            functions,
            shape,
            actors,
            output,
        } => emit(
            output.as_deref(),
            generate::synthetic_model_of(shape.into(), functions, actors).as_bytes(),
        ),
    }
}

fn load(path: &Path) -> Result<Loaded, ExitCode> {
    match model::load(path) {
        Ok(loaded) => {
            print_diagnostics(&loaded.warnings, &loaded.sources);
            Ok(loaded)
        }
        Err(LoadError {
            diagnostics,
            sources,
        }) => {
            print_diagnostics(&diagnostics, &sources);
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity == model::Severity::Error)
                .count();
            eprintln!(
                "error: `{}` is not a valid model: {errors} error{}",
                path.display(),
                if errors == 1 { "" } else { "s" }
            );
            Err(ExitCode::from(INVALID))
        }
    }
}

fn validate(path: &Path) -> ExitCode {
    let loaded = match load(path) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let m = &loaded.model;
    let dfd = Dfd::build(m);
    let summary = format!(
        "ok: model `{}` is valid: {} functions, {} channels, {} stores, {} externals, {} actors, {} boundaries; {} flows ({} cross a trust boundary){}\n",
        m.name,
        m.functions.len(),
        m.channels.len(),
        m.stores.len(),
        m.externals.len(),
        m.actors.len(),
        m.boundaries.len(),
        dfd.edge_count(),
        dfd.boundary_crossings().count(),
        match loaded.warnings.len() {
            0 => String::new(),
            n => format!("; {n} warning{}", if n == 1 { "" } else { "s" }),
        }
    );
    emit(None, summary.as_bytes())
}

fn parse_date(text: &str) -> Result<String, String> {
    let parts: Vec<&str> = text.split('-').collect();
    match parts.as_slice() {
        [y, m, d]
            if y.len() == 4
                && m.len() == 2
                && d.len() == 2
                && text.bytes().all(|b| b.is_ascii_digit() || b == b'-') =>
        {
            Ok(text.to_owned())
        }
        _ => Err(format!("`{text}` is not a date: write YYYY-MM-DD")),
    }
}

fn analyze(
    path: &Path,
    format: ReportFormat,
    output: Option<&Path>,
    fail_on: Option<SeverityArg>,
    today: &str,
    findings: Option<&Path>,
) -> ExitCode {
    let loaded = match load(path) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let findings = match load_findings(findings) {
        Ok(findings) => findings,
        Err(code) => return code,
    };
    let assessment = analyze_model(&loaded.model)
        .reviewed_on(today)
        .confirmed_by(&findings);
    for message in assessment.overdue_messages() {
        eprintln!("warning: {message}");
    }
    for message in unmatched_finding_messages(&assessment) {
        eprintln!("warning: {message}");
    }
    let bytes = match format {
        ReportFormat::Json => report::json::render(&assessment),
        ReportFormat::Sarif => report::sarif::render(&assessment),
        ReportFormat::Markdown => report::markdown::render(&assessment),
        ReportFormat::Table => {
            let color = output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            report::table::render(&assessment, color)
        }
    };
    let written = emit(output, &bytes);
    if written != ExitCode::SUCCESS {
        return written;
    }
    match fail_on.map(Severity::from) {
        Some(threshold) => {
            let failing = assessment.failing(threshold).count();
            if failing > 0 {
                eprintln!(
                    "{failing} untracked threat{} at or above {}",
                    if failing == 1 { "" } else { "s" },
                    threshold.name()
                );
                ExitCode::from(FINDINGS)
            } else {
                ExitCode::SUCCESS
            }
        }
        None => ExitCode::SUCCESS,
    }
}

/// Fuzzing findings from `--findings`, none without it.
fn load_findings(dir: Option<&Path>) -> Result<Vec<crate::findings::Finding>, ExitCode> {
    dir.map_or(Ok(Vec::new()), |dir| {
        crate::findings::load(dir).map_err(|err| {
            eprintln!("error: {err}");
            ExitCode::from(INVALID)
        })
    })
}

fn unmatched_finding_messages(assessment: &crate::assessment::Assessment) -> Vec<String> {
    assessment
        .unmatched_findings
        .iter()
        .map(|f| {
            format!(
                "fuzzing finding `{}` ({}) confirms `{}`, which the model does not raise: is the input really validated?",
                f.file, f.message, f.threat
            )
        })
        .collect()
}

fn diff(old: &Path, new: &Path, format: DiffFormat, fail_on: Option<SeverityArg>) -> ExitCode {
    let (old, new) = match (load(old), load(new)) {
        (Ok(old), Ok(new)) => (old, new),
        (Err(code), _) | (_, Err(code)) => return code,
    };
    let changes = crate::diff::diff(&analyze_model(&old.model), &analyze_model(&new.model));
    let bytes = match format {
        DiffFormat::Text => crate::diff::render_text(&changes),
        DiffFormat::Json => serde_json::to_vec_pretty(&changes).unwrap_or_default(),
    };
    let written = emit(None, &bytes);
    let threshold = fail_on.map(Severity::from);
    let worse = changes
        .added
        .iter()
        .chain(&changes.changed)
        .any(|c| threshold.is_some_and(|t| c.after >= Some(t) && c.after > c.before));
    if written == ExitCode::SUCCESS && worse {
        ExitCode::from(FINDINGS)
    } else {
        written
    }
}

fn explain(id: &str, model: Option<&Path>) -> ExitCode {
    if let Some(rule) = crate::rules::find(id) {
        let references = rule.references.labels().join(", ");
        let text = format!(
            "{} {} — {}\nSTRIDE: {}; references: {references}\ndeclared at {}:{}\n\n{}\nFix: {}\n",
            rule.id,
            rule.name,
            rule.title,
            rule.stride.name(),
            rule.file,
            rule.line,
            rule.documentation(),
            rule.mitigation
        );
        return emit(None, text.as_bytes());
    }
    let Some(model) = model.filter(|_| id.contains('@')) else {
        let hint = crate::model::diagnostic::did_you_mean(
            id,
            RULES.iter().flat_map(|r| [r.id, r.name]),
        )
        .unwrap_or_else(|| {
            "`strider rules` lists the rules; threat ids need the model: `strider explain ID MODEL`"
                .to_owned()
        });
        eprintln!("error: no rule `{id}`\n  hint: {hint}");
        return ExitCode::from(INVALID);
    };
    let loaded = match load(model) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let assessment = analyze_model(&loaded.model);
    let Some(threat) = assessment.threats.iter().find(|t| t.id == id) else {
        let hint = crate::model::diagnostic::did_you_mean(
            id,
            assessment.threats.iter().map(|t| t.id.as_str()),
        )
        .unwrap_or_default();
        eprintln!(
            "error: `{}` has no threat `{id}`\n  hint: {hint}",
            model.display()
        );
        return ExitCode::from(INVALID);
    };
    let single = crate::assessment::Assessment {
        model: assessment.model.clone(),
        threats: vec![threat.clone()],
        unmatched_tracking: Vec::new(),
        attack_paths: Vec::new(),
        blast_radius: Vec::new(),
        unmatched_findings: Vec::new(),
    };
    emit(None, &report::markdown::render(&single))
}

struct HtmlReport<'a> {
    model: &'a Path,
    output: &'a Path,
    templates: Option<&'a Path>,
    today: &'a str,
    generated: Option<&'a str>,
    baseline: Option<&'a Path>,
    findings: Option<&'a Path>,
}

fn report_html(args: &HtmlReport<'_>) -> ExitCode {
    let templates = match args.templates.map_or_else(
        || Ok(report::html::Templates::builtin()),
        report::html::Templates::from_dir,
    ) {
        Ok(templates) => templates,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(INVALID);
        }
    };
    let loaded = match load(args.model) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let findings = match load_findings(args.findings) {
        Ok(findings) => findings,
        Err(code) => return code,
    };
    let dfd = Dfd::build(&loaded.model);
    let assessment = crate::assessment::analyze_graph(&loaded.model, &dfd)
        .reviewed_on(args.today)
        .confirmed_by(&findings);
    let changes = match args.baseline.map(load).transpose() {
        Ok(old) => old.map(|old| {
            let before = analyze_model(&old.model).reviewed_on(args.today);
            crate::diff::diff(&before, &assessment)
        }),
        Err(code) => return code,
    };
    let baseline_name = args
        .baseline
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    let diagrams = match report::html::diagrams(&loaded.model, &dfd, &assessment) {
        Ok(diagrams) => Some(diagrams),
        Err(err) => {
            eprintln!("warning: the report has no diagram: {err}");
            None
        }
    };
    let mut warnings: Vec<String> = loaded.warnings.iter().map(|w| w.message.clone()).collect();
    warnings.extend(unmatched_finding_messages(&assessment));
    warnings.extend(
        assessment
            .unmatched_tracking
            .iter()
            .map(|p| format!("tracking entry `{p}` matches no threat")),
    );
    warnings.extend(assessment.overdue_messages());
    let input = report::html::ReportInput {
        model: &loaded.model,
        assessment: &assessment,
        dfd: &dfd,
        diagrams: diagrams.as_ref(),
        baseline: changes.as_ref().map(|c| (baseline_name.as_str(), c)),
        digest: &loaded.sources.digest(),
        generated: args.generated,
        warnings,
    };
    match report::html::render(&input, &templates) {
        Ok(bytes) => emit(Some(args.output), &bytes),
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(INVALID)
        }
    }
}

fn fuzz(command: FuzzCommand) -> ExitCode {
    match command {
        FuzzCommand::Init {
            model,
            output,
            function,
            clusterfuzzlite,
        } => fuzz_init(&model, &output, function.as_deref(), clusterfuzzlite),
        FuzzCommand::Run {
            target,
            dir,
            time,
            asan,
            jobs,
            seed,
        } => fuzz_run(&crate::fuzz::run::Campaign {
            dir,
            target,
            time_s: time,
            asan,
            jobs,
            seed,
        }),
    }
}

fn fuzz_init(path: &Path, output: &Path, function: Option<&str>, cfl: bool) -> ExitCode {
    let loaded = match load(path) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let plan = match crate::fuzz::plan(&loaded.model, function) {
        Ok(plan) => plan,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(INVALID);
        }
    };
    for skipped in &plan.skipped {
        eprintln!("warning: {skipped}; no target");
    }
    // Everything is rendered before the first file is written.
    let files = match crate::fuzz::init::render(&plan, output) {
        Ok(files) => files,
        Err(err) => {
            eprintln!("error: {err}");
            return ExitCode::from(INVALID);
        }
    };
    let root = crate::fuzz::init::repository_root(output);
    let cfl_files = if cfl {
        match crate::fuzz::init::clusterfuzzlite(&plan, output, &root) {
            Ok(files) => files,
            Err(err) => {
                eprintln!("error: {err}");
                return ExitCode::from(INVALID);
            }
        }
    } else {
        std::collections::BTreeMap::new()
    };
    for (dir, files) in [(output, &files), (root.as_path(), &cfl_files)] {
        for (relative, bytes) in files {
            if let Err(err) = crate::output::write_confined(dir, relative, bytes) {
                eprintln!("error: {err}");
                return ExitCode::from(INVALID);
            }
        }
    }
    if cfl {
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let script = root.join(".clusterfuzzlite/build.sh");
            let _ = std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755));
        }
        println!(
            "wrote the ClusterFuzzLite setup to {} (.clusterfuzzlite/, .github/workflows/clusterfuzzlite.yml)",
            root.display()
        );
    }
    println!(
        "wrote {} fuzz target{} to {}:",
        plan.targets.len(),
        if plan.targets.len() == 1 { "" } else { "s" },
        output.display()
    );
    for t in &plan.targets {
        println!(
            "  {:<40} {} trigger {} ({})",
            t.name,
            t.function,
            t.trigger + 1,
            crate::model::kebab(&t.kind)
        );
    }
    ExitCode::SUCCESS
}

fn fuzz_run(campaign: &crate::fuzz::run::Campaign) -> ExitCode {
    let tty = std::io::stderr().is_terminal();
    let mut last_line = 0;
    eprintln!(
        "fuzzing `{}` for {} s ({})…",
        campaign.target,
        campaign.time_s,
        if campaign.asan {
            "nightly, AddressSanitizer"
        } else {
            "stable, no sanitizer"
        }
    );
    let mut show = |p: &crate::fuzz::run::Progress| {
        let line = format!(
            "{:>4} s  {:>10} execs  {:>6} exec/s  corpus {:>5}  coverage {:>6}",
            p.elapsed_s, p.execs, p.execs_per_s, p.corpus, p.coverage
        );
        if tty {
            eprint!("\r{line}");
        } else if p.elapsed_s >= last_line + 10 {
            last_line = p.elapsed_s;
            eprintln!("{line}");
        }
    };
    let outcome = crate::fuzz::run::run(campaign, &mut show);
    if tty {
        eprintln!();
    }
    match outcome {
        Ok(outcome) => match outcome.finding {
            None => {
                println!(
                    "no finding in {} executions ({} s)",
                    outcome.progress.execs, campaign.time_s
                );
                ExitCode::SUCCESS
            }
            Some((finding, json, test)) => {
                println!(
                    "finding {} after {} s: {} ({})\n  confirms {}\n  event: {}\n  regression test: {}",
                    finding.id,
                    finding.found_after_s,
                    finding.message,
                    finding.kind,
                    finding.threat,
                    json.display(),
                    test.display()
                );
                ExitCode::from(1)
            }
        },
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(INVALID)
        }
    }
}

fn graph(path: &Path, output: Option<&Path>, format: Option<FormatArg>) -> ExitCode {
    let format = match (format, output) {
        (Some(format), _) => format.into(),
        (None, None) => DiagramFormat::Dot,
        (None, Some(output)) => {
            let extension = output
                .extension()
                .and_then(|e| e.to_str())
                .unwrap_or_default();
            let Some(format) = DiagramFormat::from_extension(extension) else {
                eprintln!(
                    "error: cannot tell the diagram format from `{}`\n  hint: name the file .svg, .png or .dot, or pass --format",
                    output.display()
                );
                return ExitCode::from(INVALID);
            };
            format
        }
    };
    let loaded = match load(path) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let dfd = Dfd::build(&loaded.model);
    match dot::render(&loaded.model, &dfd, format) {
        Ok(bytes) => emit(output, &bytes),
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::from(INVALID)
        }
    }
}

/// Writes output to a file (atomically) or to stdout; a closed stdout is not an error.
fn emit(output: Option<&Path>, bytes: &[u8]) -> ExitCode {
    if let Some(path) = output {
        return match write_atomic(path, bytes) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                eprintln!("error: {err}");
                ExitCode::from(INVALID)
            }
        };
    }
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: cannot write to stdout: {err}");
            ExitCode::from(INVALID)
        }
    }
}

fn print_diagnostics(diagnostics: &[Diagnostic], sources: &Sources) {
    if diagnostics.is_empty() {
        return;
    }
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if color {
        let mut stream = StandardStream::stderr(ColorChoice::Always);
        if model::diagnostic::render_color(diagnostics, sources, &mut stream).is_ok() {
            return;
        }
    }
    let _ = std::io::stderr().write_all(model::diagnostic::render(diagnostics, sources).as_bytes());
}

#[cfg(test)]
mod tests {
    use super::Cli;
    use clap::CommandFactory;

    #[test]
    fn command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
