//! `strider fuzz init`: renders the cargo-fuzz crate of a [`FuzzPlan`] from the tera templates in
//! `templates/fuzz/` — `Cargo.toml`, `src/lib.rs` with one module per target, one file per target
//! in `fuzz_targets/`, a seed per target in `corpus/<target>/` (the input that generates the
//! realistic event, which is written as JSON in `events/<target>/`), a libFuzzer
//! dictionary in `dict/`, the body schemas in `schemas/`, and `strider-fuzz.json`, which
//! `strider fuzz run` reads for each target's function, limits and files.
//!
//! Every file is rendered in memory first; nothing is written when anything fails. Model strings
//! reach the Rust code only as escaped string literals, ids only as [`super::ident`] identifiers.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use serde_json::Value;
use strider_events::arbitrary::Unstructured;
use strider_events::{Family, Hostile, Plan, Role};

use super::{FuzzPlan, Target, ident, names, vendor};
use crate::files::Tree;
use crate::model::{HandlerStyle, kebab};

use super::runtime::ProcessHandler;

const CARGO_TOML: &str = include_str!("../../templates/fuzz/Cargo.toml.tera");
const LIB_RS: &str = include_str!("../../templates/fuzz/lib.rs.tera");
const TARGET_RS: &str = include_str!("../../templates/fuzz/target.rs.tera");
const COVERAGE_FILTER: &str = include_str!("../../templates/fuzz/coverage-filter.sh.tera");

/// The generated crate's rustc wrapper, which keeps sanitizer coverage for the handler crates
/// only (see the script's own comments).
pub const COVERAGE_FILTER_FILE: &str = "rustc-coverage-filter";
const CFL_PROJECT: &str = include_str!("../../templates/fuzz/clusterfuzzlite/project.yaml.tera");
const CFL_DOCKERFILE: &str = include_str!("../../templates/fuzz/clusterfuzzlite/Dockerfile.tera");
const CFL_BUILD: &str = include_str!("../../templates/fuzz/clusterfuzzlite/build.sh.tera");
const CFL_WORKFLOW: &str = include_str!("../../templates/fuzz/clusterfuzzlite/workflow.yml.tera");

/// Why the crate could not be rendered.
#[derive(Debug)]
pub enum InitError {
    /// A handler crate's Cargo.toml could not be read or has no package name.
    HandlerCrate(PathBuf, String),
    /// A schema file could not be read.
    Schema(PathBuf, String),
    /// A handler run in its own runtime: its code directory or file is missing or outside the
    /// tree strider reads.
    HandlerCode(PathBuf, String),
    /// Two handler crates with the same package name (`-` and `_` alike): cargo cannot tell
    /// them apart. Each crate's name and directory.
    SamePackage(String, PathBuf, String, PathBuf),
    /// A template failed.
    Template(String),
    /// An output was refused or could not be written.
    Output(String),
}

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InitError::HandlerCrate(path, why) => {
                write!(f, "handler crate `{}`: {why}", path.display())
            }
            InitError::HandlerCode(path, why) => {
                write!(f, "handler code `{}`: {why}", path.display())
            }
            InitError::Schema(path, why) => {
                write!(f, "input schema `{}` cannot be read: {why}", path.display())
            }
            InitError::SamePackage(name_a, a, name_b, b) => {
                let called = if name_a == name_b {
                    format!("are both called `{name_a}`")
                } else {
                    format!(
                        "are called `{name_a}` and `{name_b}`, one name to cargo (it treats `-` \
                         and `_` alike)"
                    )
                };
                write!(
                    f,
                    "handler crates `{}` and `{}` {called}: cargo cannot build one crate against \
                     both; rename one package",
                    a.display(),
                    b.display()
                )
            }
            InitError::Template(why) => write!(f, "fuzz crate template: {why}"),
            InitError::Output(why) => f.write_str(why),
        }
    }
}

impl std::error::Error for InitError {}

/// A Rust string literal holding `text` exactly.
fn rust_str(text: &str) -> String {
    format!("{text:?}")
}

/// Model text for a comment in a generated file (Rust, TOML, YAML, shell): on one line, with
/// no control, bidi or line-separator character (they are shown escaped), so it can neither end
/// the comment nor trip rustc's bidi lint nor start a new YAML 1.1 line.
fn comment_text(text: &str) -> String {
    crate::escape::terminal(text).into_owned()
}

/// A TOML string holding `text` exactly.
fn toml_str(text: &str) -> String {
    toml::Value::String(text.to_owned()).to_string()
}

#[derive(Serialize)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "the template's view of a target mirrors strider_events::Plan"
)]
struct TargetContext {
    name: String,
    function_lit: String,
    trigger_number: usize,
    kind: String,
    handler: String,
    style: String,
    generator: &'static str,
    event_type: String,
    http_flavour: Option<String>,
    batch: Option<&'static str>,
    batch_oracle: bool,
    sinks: Vec<String>,
    source_lit: String,
    method_lit: String,
    path_lit: String,
    batch_size: u32,
    partial_failures: bool,
    sns_envelope: bool,
    events_lits: Vec<String>,
    schema: bool,
    secrets_lits: Vec<String>,
    max_body: usize,
    infers_status: bool,
    names_lits: Vec<String>,
    values_lits: Vec<String>,
    source_arn_lit: String,
    topic_arn_lit: String,
    caller_lit: String,
    keys_lits: Vec<String>,
    process: Option<ProcessContext>,
}

/// What the templates see of a handler run in its own runtime: text only as literals.
#[derive(Serialize)]
struct ProcessContext {
    language: &'static str,
    runtime_lit: String,
    /// An expression for the code directory: below the crate's manifest directory when it
    /// can be said relative to it.
    code_lit: String,
    handler_lit: String,
    env_lits: Vec<EnvLiteral>,
    timeout_s: u32,
    memory_mb: u32,
}

/// One environment variable, as two Rust string literals.
#[derive(Serialize)]
struct EnvLiteral {
    name: String,
    value: String,
}

#[derive(Serialize)]
struct CrateDependency {
    name: String,
    path: String,
}

/// One target's entry in `strider-fuzz.json`.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct ManifestTarget {
    /// The target's name.
    pub name: String,
    /// The function's id.
    pub function: String,
    /// The trigger's index in the function's `triggers`.
    pub trigger: usize,
    /// The trigger's kind.
    pub kind: String,
    /// libFuzzer `-timeout`, seconds.
    pub timeout_s: u32,
    /// libFuzzer `-rss_limit_mb`.
    pub rss_limit_mb: u32,
    /// The dictionary, relative to the crate.
    pub dict: String,
    /// The seed corpus directory, relative to the crate.
    pub seeds: String,
    /// The threat a finding of this target confirms: the trigger's event injection.
    pub threat: String,
    /// For a handler run in its own runtime: what `strider fuzz run` prepares for it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<super::run::runtimes::ManifestRuntime>,
}

/// The `strider-fuzz.json` of a generated crate.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct Manifest {
    /// The model's name.
    pub model: String,
    /// The targets.
    pub targets: Vec<ManifestTarget>,
}

fn family_variant(family: Family) -> String {
    format!("{family:?}")
}

/// Largest handler Cargo.toml strider reads.
const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// Whether `name` is a package name cargo accepts: ASCII letters, digits, `-` and `_`. Anything
/// else could not be built anyway, and would have to be quoted in the generated manifest.
fn is_package_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The package name of the crate at `dir`, read through `tree`.
///
/// # Errors
/// When its Cargo.toml is outside the tree, cannot be read, has no package name or one cargo
/// would not accept. The message never quotes the file's content.
pub fn package_name(dir: &Path, tree: &Tree) -> Result<String, InitError> {
    crate_names(dir, tree).map(|(package, _)| package)
}

/// The package name of the crate at `dir` and the name rustc compiles its library under:
/// `[lib] name` when the manifest sets one, else the package name with `-` as `_`.
///
/// # Errors
/// As [`package_name`]; also when `[lib] name` is not a Rust identifier.
fn crate_names(dir: &Path, tree: &Tree) -> Result<(String, String), InitError> {
    let manifest = dir.join("Cargo.toml");
    let problem = |why: String| InitError::HandlerCrate(dir.to_path_buf(), why);
    let bytes = tree
        .read(&manifest, MAX_MANIFEST_BYTES)
        .map_err(|refusal| problem(format!("cannot read its Cargo.toml: {}", refusal.reason())))?;
    let value: toml::Table = std::str::from_utf8(&bytes)
        .ok()
        .and_then(|text| toml::from_str(text).ok())
        .ok_or_else(|| problem("Cargo.toml is not a valid TOML manifest".to_owned()))?;
    let name = value
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .ok_or_else(|| problem("no [package] name in Cargo.toml".to_owned()))?;
    if !is_package_name(name) {
        return Err(problem(
            "its package name is not one cargo accepts (ASCII letters, digits, `-` and `_`)"
                .to_owned(),
        ));
    }
    let lib = match value.get("lib").and_then(|l| l.get("name")) {
        None => name.replace('-', "_"),
        Some(lib) => lib
            .as_str()
            .filter(|lib| is_package_name(lib) && !lib.contains('-'))
            .ok_or_else(|| {
                problem(
                    "its [lib] name is not a Rust identifier (ASCII letters, digits, `_`)"
                        .to_owned(),
                )
            })?
            .to_owned(),
    };
    Ok((name.to_owned(), lib))
}

/// A handler crate the generated crate depends on.
struct HandlerCrate {
    /// Its directory.
    dir: PathBuf,
    /// Its directory relative to the generated crate, `/`-separated.
    path: String,
    /// The name rustc compiles its library under (the coverage filter keeps its coverage).
    lib: String,
}

/// `path` as seen from `from`, with `/` separators (both made absolute first).
fn relative(path: &Path, from: &Path) -> String {
    let absolute = |p: &Path| {
        p.canonicalize()
            .or_else(|_| std::path::absolute(p))
            .unwrap_or_else(|_| p.to_path_buf())
    };
    let (path, from) = (absolute(path), absolute(from));
    pathdiff::diff_paths(&path, &from)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// The plan of a target as `strider_events` takes it. The strings are leaked: this runs once
/// per target in a short-lived command.
fn events_plan(t: &Target, schema: Option<&str>) -> &'static Plan {
    fn leak(s: &str) -> &'static str {
        Box::leak(s.to_owned().into_boxed_str())
    }
    let events: Vec<&'static str> = t.events.iter().map(|e| leak(e)).collect();
    let secrets: Vec<&'static str> = t.secrets.iter().map(|e| leak(e)).collect();
    let names: Vec<&'static str> = t.names.iter().map(|e| leak(e)).collect();
    let values: Vec<&'static str> = t.values.iter().map(|e| leak(e)).collect();
    Box::leak(Box::new(Plan {
        function: leak(&t.function),
        sinks: Box::leak(t.sinks.clone().into_boxed_slice()),
        source: leak(&t.source),
        method: leak(&t.method),
        path: leak(&t.path),
        batch_size: t.batch_size,
        partial_failures: t.partial_failures,
        sns_envelope: t.sns_envelope,
        events: Box::leak(events.into_boxed_slice()),
        schema: schema.map(leak),
        secrets: Box::leak(secrets.into_boxed_slice()),
        max_body: t.max_body,
        infers_status: t.infers_status(),
        names: Box::leak(names.into_boxed_slice()),
        values: Box::leak(values.into_boxed_slice()),
        source_arn: leak(&t.source_arn),
        topic_arn: leak(&t.topic_arn),
        caller: leak(&t.caller),
        keys: Box::leak(
            t.keys
                .iter()
                .map(|k| leak(k))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        ),
        canaries: t.process.is_some(),
    }))
}

/// The realistic event of a target: its generator on the empty input.
fn seed(t: &Target, plan: &'static Plan) -> Value {
    let mut u = Unstructured::new(&[]);
    strider_events::events::by_name(t.generator)
        .and_then(|generate| generate(&mut Hostile::new(&mut u, plan)))
        .unwrap_or(Value::Null)
}

fn collect_keys(value: &Value, keys: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                keys.push(format!("\"{k}\""));
                collect_keys(v, keys);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_keys(v, keys)),
        _ => {}
    }
}

/// The libFuzzer dictionary of a target: payloads of every family its fields get, the field
/// names of its event and body schema, and the names its handler may read (bare, for the
/// generators' raw names, and quoted, for JSON text).
fn dictionary(t: &Target, seed: &Value, schema: Option<&Value>) -> String {
    let mut families: Vec<Family> = t.sinks.clone();
    for role in [
        Role::Key,
        Role::Path,
        Role::Url,
        Role::Text,
        Role::Id,
        Role::Number,
        Role::Email,
    ] {
        families.extend_from_slice(role.families());
    }
    families.push(Family::PrototypePollution);
    families.push(Family::Xxe);
    let mut tokens = strider_events::payload::dictionary(&families);
    let mut keys = Vec::new();
    collect_keys(seed, &mut keys);
    if let Some(schema) = schema {
        collect_keys(schema, &mut keys);
    }
    tokens.extend(
        keys.iter()
            .filter_map(|k| strider_events::payload::dictionary_entry(k.as_bytes())),
    );
    for value in t.values.iter().chain(&t.keys) {
        tokens.extend(strider_events::payload::dictionary_entry(value.as_bytes()));
    }
    for name in &t.names {
        tokens.extend(strider_events::payload::dictionary_entry(name.as_bytes()));
        tokens.extend(strider_events::payload::dictionary_entry(
            format!("\"{name}\"").as_bytes(),
        ));
    }
    tokens.sort();
    tokens.dedup();
    let mut out = format!(
        "# libFuzzer dictionary of target `{}` (generated by strider fuzz init)\n",
        t.name
    );
    for token in tokens {
        out.push_str(&token);
        out.push('\n');
    }
    out
}

/// Pseudo-random seeds of a target whose handler runs in its own runtime, and their length.
const RANDOM_SEEDS: usize = 32;
const RANDOM_SEED_BYTES: usize = 1024;

/// The seed, dictionary and schema files of one target.
fn target_files(
    t: &Target,
    tree: &Tree,
    files: &mut BTreeMap<PathBuf, Vec<u8>>,
) -> Result<(), InitError> {
    let schema_text =
        match &t.schema {
            Some(path) => {
                let bytes = tree
                    .read(path, crate::model::validate::MAX_SCHEMA_BYTES)
                    .map_err(|refusal| InitError::Schema(path.clone(), refusal.reason()))?;
                Some(String::from_utf8(bytes).map_err(|_| {
                    InitError::Schema(path.clone(), "it is not UTF-8 text".to_owned())
                })?)
            }
            None => None,
        };
    let schema_value: Option<Value> = schema_text
        .as_deref()
        .and_then(|s| serde_json::from_str(s).ok());
    let events_plan = events_plan(t, schema_text.as_deref());
    let seed = seed(t, events_plan);
    // The corpus holds generator inputs: one zero byte makes every choice the realistic one.
    files.insert(
        PathBuf::from(format!("corpus/{}/realistic", t.name)),
        vec![0],
    );
    // A handler in its own runtime runs tens of events a second, not thousands: it starts from
    // diverse inputs too (long pseudo-random ones, the same on every generation), which decode to
    // events with many fields and payloads, rather than waiting for mutations to grow them.
    if t.process.is_some() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64
            ^ t.name
                .bytes()
                .fold(0u64, |h, b| h.rotate_left(5) ^ u64::from(b));
        for i in 0..RANDOM_SEEDS {
            let bytes: Vec<u8> = (0..RANDOM_SEED_BYTES)
                .map(|_| {
                    // xorshift64*: deterministic, and good enough to spread choices.
                    state ^= state >> 12;
                    state ^= state << 25;
                    state ^= state >> 27;
                    state.wrapping_mul(0x2545_f491_4f6c_dd1d).to_le_bytes()[7]
                })
                .collect();
            files.insert(
                PathBuf::from(format!("corpus/{}/random-{i:02}", t.name)),
                bytes,
            );
        }
    }
    // The event it decodes to, for people, replays and black-box handlers.
    let mut event = serde_json::to_vec_pretty(&seed).unwrap_or_default();
    event.push(b'\n');
    files.insert(
        PathBuf::from(format!("events/{}/realistic.json", t.name)),
        event,
    );
    files.insert(
        PathBuf::from(format!("dict/{}.dict", t.name)),
        dictionary(t, &seed, schema_value.as_ref()).into_bytes(),
    );
    if let Some(text) = schema_text {
        files.insert(
            PathBuf::from(format!("schemas/{}.json", t.name)),
            text.into_bytes(),
        );
    }
    Ok(())
}

/// Checks that a handler's code is where the model says, inside the tree strider reads (its
/// files are not read: the handler process runs them).
fn check_handler_code(process: &ProcessHandler, tree: &Tree) -> Result<(), InitError> {
    let fail = |why: String| Err(InitError::HandlerCode(process.code.clone(), why));
    if !process.code.is_dir() {
        return fail("no such directory (`code` is relative to the model file)".to_owned());
    }
    if !tree.contains(&process.code) {
        return fail(format!(
            "outside the directory tree strider reads ({}); pass `--root DIR` to let the model name code anywhere below DIR",
            tree.root().display()
        ));
    }
    let files = process.files();
    match files.iter().find(|f| f.is_file()) {
        Some(file) if tree.contains(file) => Ok(()),
        Some(file) => fail(format!(
            "`{}` leads outside the directory tree strider reads",
            file.display()
        )),
        None => fail(format!(
            "the handler `{}` names no file there (looked for {})",
            process.handler,
            if files.is_empty() {
                "a `module.function` name".to_owned()
            } else {
                files
                    .iter()
                    .filter_map(|f| f.strip_prefix(&process.code).ok())
                    .map(|f| format!("`{}`", f.display()))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        )),
    }
}

fn process_context(t: &Target, process: &ProcessHandler, out: &Path) -> ProcessContext {
    let code = relative(&process.code, out);
    ProcessContext {
        language: match process.language {
            super::runtime::Language::Python => "Python",
            super::runtime::Language::Node => "Node",
        },
        runtime_lit: rust_str(&process.runtime),
        code_lit: if code.starts_with('/') {
            rust_str(&code)
        } else {
            format!(
                "concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/\", {})",
                rust_str(&code)
            )
        },
        handler_lit: rust_str(&process.handler),
        env_lits: process
            .env
            .iter()
            .map(|(k, v)| EnvLiteral {
                name: rust_str(k),
                value: rust_str(v),
            })
            .collect(),
        timeout_s: t.timeout_s,
        memory_mb: t.memory_mb,
    }
}

/// What the templates see of one target: ids only as identifiers, text only as literals.
fn target_context(t: &Target, out: &Path) -> TargetContext {
    TargetContext {
        process: t.process.as_ref().map(|p| process_context(t, p, out)),
        name: t.name.clone(),
        function_lit: rust_str(&t.function),
        trigger_number: t.trigger + 1,
        kind: kebab(&t.kind),
        handler: t.handler.clone(),
        style: kebab(&t.style),
        generator: t.generator,
        event_type: t.event_type.clone(),
        http_flavour: t.http.map(|f| format!("{f:?}")),
        batch: t.batch,
        batch_oracle: t.batch.is_some() && t.partial_failures,
        sinks: t.sinks.iter().copied().map(family_variant).collect(),
        source_lit: rust_str(&t.source),
        method_lit: rust_str(&t.method),
        path_lit: rust_str(&t.path),
        batch_size: t.batch_size,
        partial_failures: t.partial_failures,
        sns_envelope: t.sns_envelope,
        events_lits: t.events.iter().map(|e| rust_str(e)).collect(),
        schema: t.schema.is_some(),
        secrets_lits: t.secrets.iter().map(|s| rust_str(s)).collect(),
        max_body: t.max_body,
        infers_status: t.infers_status(),
        names_lits: t.names.iter().map(|s| rust_str(s)).collect(),
        values_lits: t.values.iter().map(|s| rust_str(s)).collect(),
        source_arn_lit: rust_str(&t.source_arn),
        topic_arn_lit: rust_str(&t.topic_arn),
        caller_lit: rust_str(&t.caller),
        keys_lits: t.keys.iter().map(|s| rust_str(s)).collect(),
    }
}

/// The handler crates of `plan`: package name → (directory, path relative to `out`).
///
/// # Errors
/// When a crate's manifest cannot be read, or two crates share a package name.
fn handler_crates(
    plan: &FuzzPlan,
    out: &Path,
    tree: &Tree,
    package: &str,
) -> Result<BTreeMap<String, HandlerCrate>, InitError> {
    // The generated crate's own name and dependencies: a handler crate of the same name would
    // be a second key in its manifest (cargo treats `-` and `_` alike).
    let taken = [
        package,
        "libfuzzer-sys",
        "arbitrary",
        "serde_json",
        "tokio",
        vendor::DIR,
        "lambda_runtime",
        "lambda_http",
    ];
    let normal = |name: &str| name.replace('_', "-");
    let same = |a: &str, b: &str| normal(a) == normal(b);
    let mut crates: BTreeMap<String, HandlerCrate> = BTreeMap::new();
    // Package names as cargo compares them → the name as written.
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for t in plan.targets.iter().filter(|t| t.process.is_none()) {
        let (name, lib) = crate_names(&t.crate_dir, tree)?;
        if let Some(clash) = taken.iter().find(|taken| same(taken, &name)) {
            return Err(InitError::HandlerCrate(
                t.crate_dir.clone(),
                format!(
                    "its package is called `{clash}`, as a crate the generated fuzz crate already \
                     depends on (or the fuzz crate itself); rename the handler package"
                ),
            ));
        }
        let path = relative(&t.crate_dir, out);
        if let Some(other_name) = names.get(&normal(&name))
            && let Some(other) = crates.get(other_name)
            && other.path != path
        {
            return Err(InitError::SamePackage(
                other_name.clone(),
                other.dir.clone(),
                name,
                t.crate_dir.clone(),
            ));
        }
        names.insert(normal(&name), name.clone());
        crates.insert(
            name,
            HandlerCrate {
                dir: t.crate_dir.clone(),
                path,
                lib,
            },
        );
    }
    Ok(crates)
}

/// What the crate's templates see.
fn crate_context(
    plan: &FuzzPlan,
    package: &str,
    package_ident: &str,
    crates: BTreeMap<String, HandlerCrate>,
    targets: &[TargetContext],
) -> tera::Context {
    let mut context = tera::Context::new();
    context.insert("model", &comment_text(&plan.model));
    context.insert("package", &toml_str(package));
    context.insert("package_ident", package_ident);
    context.insert(
        "events_dependency",
        &format!(
            "{{ path = {}, features = [\"extra-counters\"] }}",
            toml_str(vendor::DIR)
        ),
    );
    // rustc's name of each handler crate: the only ones that keep sanitizer coverage.
    context.insert(
        "coverage_crates",
        &crates.values().map(|c| c.lib.clone()).collect::<Vec<_>>(),
    );
    context.insert(
        "crates",
        &crates
            .into_iter()
            .map(|(name, c)| CrateDependency {
                name,
                path: toml_str(&c.path),
            })
            .collect::<Vec<_>>(),
    );
    context.insert(
        "lambda",
        &plan.targets.iter().any(|t| t.style == HandlerStyle::Lambda),
    );
    context.insert(
        "http",
        &plan.targets.iter().any(|t| t.style == HandlerStyle::Http),
    );
    context.insert("targets", targets);
    context.insert("resources_lit", &rust_str(&plan.resources));
    context
}

/// Every file of the crate for `plan`, to be written under `out`: relative path → contents.
///
/// # Errors
/// When a handler crate or schema cannot be read, or a template fails.
pub fn render(
    plan: &FuzzPlan,
    out: &Path,
    tree: &Tree,
) -> Result<BTreeMap<PathBuf, Vec<u8>>, InitError> {
    let package = format!("{}-fuzz", ident::identifier(&plan.model).replace('_', "-"));
    let package_ident = package.replace('-', "_");
    // The names each handler may read, from its schema and its sources (the plan has the route's).
    let plan = &names::complete(plan, tree);
    let mut files: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
    let crates = handler_crates(plan, out, tree, &package)?;
    let mut targets = Vec::new();
    let mut manifest = Manifest {
        model: plan.model.clone(),
        targets: Vec::new(),
    };
    for t in &plan.targets {
        if let Some(process) = &t.process {
            check_handler_code(process, tree)?;
        }
        target_files(t, tree, &mut files)?;
        manifest.targets.push(ManifestTarget {
            name: t.name.clone(),
            function: t.function.clone(),
            trigger: t.trigger,
            kind: kebab(&t.kind),
            timeout_s: t.timeout_s,
            rss_limit_mb: t.rss_limit_mb(),
            dict: format!("dict/{}.dict", t.name),
            seeds: format!("corpus/{}", t.name),
            threat: t.threat.clone(),
            runtime: t
                .process
                .as_ref()
                .map(|p| super::run::runtimes::ManifestRuntime {
                    language: p.language,
                    runtime: p.runtime.clone(),
                    code: relative(&p.code, out),
                }),
        });
        targets.push(target_context(t, out));
    }
    let context = crate_context(plan, &package, &package_ident, crates, &targets);
    let mut tera = tera::Tera::new();
    for (name, text) in [
        ("Cargo.toml", CARGO_TOML),
        ("lib.rs", LIB_RS),
        ("target.rs", TARGET_RS),
        ("coverage-filter", COVERAGE_FILTER),
    ] {
        tera.add_raw_template(name, text)
            .map_err(|err| InitError::Template(format!("{name}: {err}")))?;
    }
    let render = |name: &str, context: &tera::Context| {
        tera.render(name, context)
            .map_err(|err| InitError::Template(format!("{name}: {err:?}")))
    };
    files.insert(
        PathBuf::from("Cargo.toml"),
        render("Cargo.toml", &context)?.into_bytes(),
    );
    files.insert(
        PathBuf::from("src/lib.rs"),
        render("lib.rs", &context)?.into_bytes(),
    );
    for t in &targets {
        let mut one = context.clone();
        one.insert("t", t);
        files.insert(
            PathBuf::from(format!("fuzz_targets/{}.rs", t.name)),
            render("target.rs", &one)?.into_bytes(),
        );
    }
    files.insert(
        PathBuf::from(COVERAGE_FILTER_FILE),
        render("coverage-filter", &context)?.into_bytes(),
    );
    files.insert(
        PathBuf::from(".cargo/config.toml"),
        format!(
            "# Generated by `strider fuzz init`; regenerate rather than edit.\n\
             # Sanitizer coverage for the handler crates only: see {COVERAGE_FILTER_FILE}.\n\
             [build]\nrustc-wrapper = \"./{COVERAGE_FILTER_FILE}\"\n"
        )
        .into_bytes(),
    );
    let mut manifest_json = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    manifest_json.push(b'\n');
    files.insert(PathBuf::from("strider-fuzz.json"), manifest_json);
    files.extend(vendor::files().map_err(InitError::Template)?);
    files.insert(
        PathBuf::from(".gitignore"),
        b"target/\nartifacts/\ncorpus/*/*\n!corpus/*/realistic\n!corpus/*/random-*\ncoverage/\n"
            .to_vec(),
    );
    Ok(files)
}

/// A string as one single-quoted shell word.
fn shell_word(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// The repository that holds `dir`: the nearest ancestor with a `.git`, else `dir` itself.
#[must_use]
pub fn repository_root(dir: &Path) -> PathBuf {
    let absolute = std::path::absolute(dir).unwrap_or_else(|_| dir.to_path_buf());
    absolute
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map_or(absolute.clone(), Path::to_path_buf)
}

/// The ClusterFuzzLite setup for the crate at `out`, relative to the repository root `root`:
/// `.clusterfuzzlite/{project.yaml, Dockerfile, build.sh}` (ClusterFuzzLite looks for them at the
/// root) and a pull-request workflow in `.github/workflows/`.
///
/// # Errors
/// When a template fails.
pub fn clusterfuzzlite(
    plan: &FuzzPlan,
    out: &Path,
    root: &Path,
) -> Result<BTreeMap<PathBuf, Vec<u8>>, InitError> {
    let crate_dir = relative(out, root);
    let mut context = tera::Context::new();
    context.insert("model", &comment_text(&plan.model));
    context.insert("crate_dir_sh", &shell_word(&crate_dir));
    context.insert(
        "targets",
        &plan
            .targets
            .iter()
            .map(|t| {
                serde_json::json!({
                    "name": t.name,
                    "timeout_s": t.timeout_s.max(1),
                    "rss_limit_mb": t.rss_limit_mb(),
                })
            })
            .collect::<Vec<_>>(),
    );
    let mut tera = tera::Tera::new();
    let mut files = BTreeMap::new();
    for (name, text, path) in [
        ("project.yaml", CFL_PROJECT, ".clusterfuzzlite/project.yaml"),
        ("Dockerfile", CFL_DOCKERFILE, ".clusterfuzzlite/Dockerfile"),
        ("build.sh", CFL_BUILD, ".clusterfuzzlite/build.sh"),
        (
            "workflow.yml",
            CFL_WORKFLOW,
            ".github/workflows/clusterfuzzlite.yml",
        ),
    ] {
        tera.add_raw_template(name, text)
            .map_err(|err| InitError::Template(format!("{name}: {err}")))?;
        let rendered = tera
            .render(name, &context)
            .map_err(|err| InitError::Template(format!("{name}: {err:?}")))?;
        files.insert(PathBuf::from(path), rendered.into_bytes());
    }
    Ok(files)
}

/// What `strider fuzz init` wrote.
#[derive(Debug)]
pub struct Written {
    /// The crate's directory.
    pub dir: PathBuf,
    /// The repository root the ClusterFuzzLite setup went to, when asked for.
    pub clusterfuzzlite: Option<PathBuf>,
}

/// The first line of every file `--clusterfuzzlite` writes: how a later run knows it may replace it.
const CFL_HEADER: &str = "Generated by `strider fuzz init --clusterfuzzlite`";

/// Renders the crate of `plan` and writes it to `out` as one step (see
/// [`crate::output::write_generated_dir`]: a directory strider did not generate is refused unless
/// `force`; a corpus, findings, a lockfile and `target/` survive regeneration), then, with `cfl`,
/// the ClusterFuzzLite setup at the repository root (a file there that strider did not write is
/// refused unless `force`).
///
/// # Errors
/// When rendering fails or an output is refused; nothing of the crate is written then.
pub fn write(
    plan: &FuzzPlan,
    out: &Path,
    tree: &Tree,
    cfl: bool,
    force: bool,
) -> Result<Written, InitError> {
    let files = render(plan, out, tree)?;
    let root = repository_root(out);
    let cfl_files = if cfl {
        let files = clusterfuzzlite(plan, out, &root)?;
        for relative in files.keys() {
            // A linked directory on the way is refused now, before anything is written.
            crate::output::check_confined(&root, relative)
                .map_err(|err| InitError::Output(err.to_string()))?;
            let path = root.join(relative);
            let ours = Tree::read_named(&path, 1 << 20).is_ok_and(|bytes| {
                bytes
                    .split(|b| *b == b'\n')
                    .take(3)
                    .any(|line| String::from_utf8_lossy(line).contains(CFL_HEADER))
            });
            if !force && !ours && std::fs::symlink_metadata(&path).is_ok() {
                return Err(InitError::Output(format!(
                    "`{}` exists and strider did not write it; move it, or pass --force",
                    path.display()
                )));
            }
        }
        Some(files)
    } else {
        None
    };
    crate::output::write_generated_dir(out, &files, "strider fuzz init", force)
        .map_err(|err| InitError::Output(err.to_string()))?;
    if let Some(files) = &cfl_files {
        for (relative, bytes) in files {
            crate::output::write_confined(&root, relative, bytes)
                .map_err(|err| InitError::Output(err.to_string()))?;
        }
    }
    Ok(Written {
        dir: out.to_path_buf(),
        clusterfuzzlite: cfl_files.map(|_| root),
    })
}
