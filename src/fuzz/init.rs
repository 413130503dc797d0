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

use super::{FuzzPlan, Target, ident};
use crate::model::{HandlerStyle, kebab};

const CARGO_TOML: &str = include_str!("../../templates/fuzz/Cargo.toml.tera");
const LIB_RS: &str = include_str!("../../templates/fuzz/lib.rs.tera");
const TARGET_RS: &str = include_str!("../../templates/fuzz/target.rs.tera");
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
    Schema(PathBuf, std::io::Error),
    /// A template failed.
    Template(String),
}

impl std::fmt::Display for InitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InitError::HandlerCrate(path, why) => {
                write!(f, "handler crate `{}`: {why}", path.display())
            }
            InitError::Schema(path, err) => {
                write!(f, "input schema `{}` cannot be read: {err}", path.display())
            }
            InitError::Template(why) => write!(f, "fuzz crate template: {why}"),
        }
    }
}

impl std::error::Error for InitError {}

/// A Rust string literal holding `text` exactly.
fn rust_str(text: &str) -> String {
    format!("{text:?}")
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

/// The package name of the crate at `dir`.
///
/// # Errors
/// When its Cargo.toml cannot be read or has no package name.
pub fn package_name(dir: &Path) -> Result<String, InitError> {
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest)
        .map_err(|err| InitError::HandlerCrate(dir.to_path_buf(), err.to_string()))?;
    let value: toml::Table = toml::from_str(&text)
        .map_err(|err| InitError::HandlerCrate(dir.to_path_buf(), err.to_string()))?;
    value
        .get("package")
        .and_then(|p| p.get("name"))
        .and_then(toml::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| {
            InitError::HandlerCrate(
                dir.to_path_buf(),
                "no [package] name in Cargo.toml".to_owned(),
            )
        })
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

/// Where strider-events comes from: this strider's own checkout when it has one, else crates.io.
fn events_dependency(out: &Path) -> String {
    let checkout = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/strider-events");
    if checkout.join("Cargo.toml").is_file() {
        format!("{{ path = {} }}", toml_str(&relative(&checkout, out)))
    } else {
        format!("{{ version = {} }}", toml_str(env!("CARGO_PKG_VERSION")))
    }
}

/// The plan of a target as `strider_events` takes it. The strings are leaked: this runs once
/// per target in a short-lived command.
fn events_plan(t: &Target, schema: Option<&str>) -> &'static Plan {
    fn leak(s: &str) -> &'static str {
        Box::leak(s.to_owned().into_boxed_str())
    }
    let events: Vec<&'static str> = t.events.iter().map(|e| leak(e)).collect();
    let secrets: Vec<&'static str> = t.secrets.iter().map(|e| leak(e)).collect();
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

/// The libFuzzer dictionary of a target: payloads of every family its fields get, and the
/// field names of its event and body schema.
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
            .map(|k| strider_events::payload::dictionary_entry(k)),
    );
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

/// The seed, dictionary and schema files of one target.
fn target_files(t: &Target, files: &mut BTreeMap<PathBuf, Vec<u8>>) -> Result<(), InitError> {
    let schema_text = match &t.schema {
        Some(path) => Some(
            std::fs::read_to_string(path).map_err(|err| InitError::Schema(path.clone(), err))?,
        ),
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

/// What the templates see of one target: ids only as identifiers, text only as literals.
fn target_context(t: &Target) -> TargetContext {
    TargetContext {
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
    }
}

/// Every file of the crate for `plan`, to be written under `out`: relative path → contents.
///
/// # Errors
/// When a handler crate or schema cannot be read, or a template fails.
pub fn render(plan: &FuzzPlan, out: &Path) -> Result<BTreeMap<PathBuf, Vec<u8>>, InitError> {
    let package = format!("{}-fuzz", ident::identifier(&plan.model).replace('_', "-"));
    let package_ident = package.replace('-', "_");
    let mut files: BTreeMap<PathBuf, Vec<u8>> = BTreeMap::new();
    let mut crates: BTreeMap<String, String> = BTreeMap::new();
    let mut targets = Vec::new();
    let mut manifest = Manifest {
        model: plan.model.clone(),
        targets: Vec::new(),
    };
    for t in &plan.targets {
        let name = package_name(&t.crate_dir)?;
        crates.insert(name, relative(&t.crate_dir, out));
        target_files(t, &mut files)?;
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
        });
        targets.push(target_context(t));
    }
    let mut context = tera::Context::new();
    context.insert("model", &plan.model.replace(['\n', '\r'], " "));
    context.insert("package", &toml_str(&package));
    context.insert("package_ident", &package_ident);
    context.insert("events_dependency", &events_dependency(out));
    context.insert(
        "crates",
        &crates
            .into_iter()
            .map(|(name, path)| CrateDependency {
                name,
                path: toml_str(&path),
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
    context.insert("targets", &targets);
    let mut tera = tera::Tera::new();
    for (name, text) in [
        ("Cargo.toml", CARGO_TOML),
        ("lib.rs", LIB_RS),
        ("target.rs", TARGET_RS),
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
    let mut manifest_json = serde_json::to_vec_pretty(&manifest).unwrap_or_default();
    manifest_json.push(b'\n');
    files.insert(PathBuf::from("strider-fuzz.json"), manifest_json);
    files.insert(
        PathBuf::from(".gitignore"),
        b"target/\nartifacts/\ncorpus/*/*\n!corpus/*/realistic\ncoverage/\n".to_vec(),
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
    context.insert("model", &plan.model.replace(['\n', '\r'], " "));
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
