//! Handlers fuzzed in their own runtimes: which functions can be (a Python or Node.js
//! `runtime`, a `code` directory and a `handler`), the environment they get, and the AWS
//! resources the emulator is provisioned with, all from the model.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::{Value, json};

pub use strider_events::runtime::Language;

use crate::model::{ChannelKind, Function, Model, SecretSource, StoreKind};

/// A handler to run in its own runtime.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessHandler {
    /// Its language.
    pub language: Language,
    /// The runtime the model names.
    pub runtime: String,
    /// The code directory as the model names it, joined to the model's directory.
    pub code: PathBuf,
    /// The handler as Lambda names it.
    pub handler: String,
    /// The function's `env`, then `fuzz.env`.
    pub env: Vec<(String, String)>,
}

impl ProcessHandler {
    /// The files a handler name can mean in its code directory: Python's `pkg.module.function`
    /// is `pkg/module.py` (or a package's `__init__.py`), Node.js's `dir/file.function` is
    /// `dir/file.js`, `.mjs` or `.cjs`.
    #[must_use]
    pub fn files(&self) -> Vec<PathBuf> {
        // Python: the function is after the last dot. Node.js: the file is before the first dot
        // of the last path segment (`src/file.a.b` exports `a.b` from `src/file`).
        let split = match self.language {
            Language::Python => self.handler.rsplit_once('.'),
            Language::Node => {
                let segment = self.handler.rfind('/').map_or(0, |i| i + 1);
                self.handler[segment..].find('.').map(|dot| {
                    (
                        &self.handler[..segment + dot],
                        &self.handler[segment + dot + 1..],
                    )
                })
            }
        };
        let Some((module, _)) = split else {
            return Vec::new();
        };
        match self.language {
            Language::Python => {
                let path = module.replace('.', "/");
                vec![
                    self.code.join(format!("{path}.py")),
                    self.code.join(path).join("__init__.py"),
                ]
            }
            Language::Node => ["js", "mjs", "cjs"]
                .iter()
                .map(|ext| self.code.join(format!("{module}.{ext}")))
                .collect(),
        }
    }
}

/// Why a function with code cannot be run in its runtime, or the handler to run.
///
/// # Errors
/// With the reason, for the plan's skipped list.
pub fn handler(
    function: &Function,
    base: &std::path::Path,
) -> Result<Option<ProcessHandler>, String> {
    let Some(code) = &function.code else {
        return Ok(None);
    };
    let Some(language) = Language::of(&function.runtime) else {
        return Err(format!(
            "runtime `{}` cannot be fuzzed in its own runtime (Python and Node.js can; for Rust, name the handler in `fuzz.rust`)",
            function.runtime
        ));
    };
    let Some(handler) = function.handler.clone().filter(|h| !h.trim().is_empty()) else {
        return Err("it has `code` but no `handler`".to_owned());
    };
    // What Lambda would refuse (a validation warning) the handler does not get.
    let mut env: BTreeMap<String, String> = function
        .env
        .iter()
        .filter(|(name, value)| crate::model::validate::is_env_name(name) && !value.contains('\0'))
        .map(|(name, value)| (name.clone(), value.clone()))
        .collect();
    if let Some(fuzz) = &function.fuzz {
        env.extend(fuzz.env.clone());
    }
    for (name, secret) in &function.secrets {
        if matches!(secret.from, SecretSource::Env | SecretSource::Hardcoded) {
            env.entry(name.clone())
                .or_insert_with(|| format!("strider-dummy-{}", name.to_ascii_lowercase()));
        }
    }
    Ok(Some(ProcessHandler {
        language,
        runtime: function.runtime.clone(),
        code: base.join(code),
        handler,
        env: env.into_iter().collect(),
    }))
}

/// The key values (strings and numbers, as text) of the items seeded in the tables `function`
/// reads or writes, and the keys of the objects seeded in its buckets: an event that names
/// them reaches past the handler's lookups, and may reach data that is not its caller's.
#[must_use]
pub fn seeded_keys(model: &Model, function: &Function) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let touched = function
        .reads
        .iter()
        .chain(&function.writes)
        .map(crate::model::FlowRef::target);
    for id in touched {
        let Some(store) = model.stores.get(id) else {
            continue;
        };
        let Some(seeded) = &store.fuzz else { continue };
        let names: Vec<&str> = store.key.as_ref().map_or_else(
            || vec!["id"],
            |k| {
                std::iter::once(k.partition.as_str())
                    .chain(k.sort.as_deref())
                    .collect()
            },
        );
        for item in &seeded.items {
            for name in &names {
                match item.0.get(*name) {
                    Some(Value::String(s)) => keys.push(s.clone()),
                    Some(Value::Number(n)) => keys.push(n.to_string()),
                    _ => {}
                }
            }
        }
        keys.extend(seeded.objects.keys().cloned());
    }
    let mut seen = std::collections::BTreeSet::new();
    keys.retain(|k| seen.insert(k.clone()));
    keys
}

/// What the emulator is provisioned with: every DynamoDB table (with its key, and a stream
/// when a stream channel reads it), bucket, secret and parameter among the stores, and every
/// queue and topic among the channels, with the topics' subscriptions. Names are the model's
/// ids, as the functions' `env` names them.
#[must_use]
pub fn resources(model: &Model) -> String {
    let streamed: Vec<&str> = model
        .channels
        .values()
        .filter(|c| c.kind == ChannelKind::DynamodbStream)
        .filter_map(|c| c.table.as_deref())
        .collect();
    let mut tables = Vec::new();
    let mut buckets = Vec::new();
    let mut objects = Vec::new();
    let mut secrets = Vec::new();
    let mut parameters = Vec::new();
    for (id, store) in &model.stores {
        match store.kind {
            StoreKind::Dynamodb => {
                let key = store.key.as_ref();
                let code = |kind: Option<crate::model::KeyType>| {
                    kind.map_or("S", crate::model::KeyType::code)
                };
                let seeded = store.fuzz.as_ref();
                tables.push(json!({
                    "name": id,
                    "hash_key": key.map_or("id", |k| k.partition.as_str()),
                    "hash_type": code(key.and_then(|k| k.partition_type)),
                    "range_key": key.and_then(|k| k.sort.as_deref()),
                    "range_type": key.and_then(|k| k.sort.as_ref().map(|_| code(k.sort_type))),
                    "stream": streamed.contains(&id.as_str()),
                    "items": seeded.map(|s| s.items.iter().map(|i| i.0.clone()).collect::<Vec<_>>()).unwrap_or_default(),
                    "owner": seeded.and_then(|s| s.owner.clone()),
                }));
            }
            StoreKind::S3 => {
                buckets.push(json!(id));
                for (key, body) in store.fuzz.iter().flat_map(|s| &s.objects) {
                    objects.push(json!({"bucket": id, "key": key, "body": body}));
                }
            }
            StoreKind::SecretsManager => {
                let mut value = serde_json::Map::new();
                for f in model.functions.values() {
                    for (name, secret) in &f.secrets {
                        if secret.store.as_deref() == Some(id.as_str()) {
                            value.insert(
                                name.clone(),
                                json!(format!("strider-dummy-{}", name.to_ascii_lowercase())),
                            );
                        }
                    }
                }
                secrets.push(json!({"name": id, "value": Value::Object(value).to_string()}));
            }
            StoreKind::Ssm => parameters.push(json!({
                "name": id,
                "value": format!("strider-dummy-{id}"),
                "secure": true,
            })),
            _ => {}
        }
    }
    let mut queues = Vec::new();
    let mut topics = Vec::new();
    let mut subscriptions = Vec::new();
    for (id, channel) in &model.channels {
        match channel.kind {
            ChannelKind::Sqs => {
                queues
                    .push(json!({"name": id, "fifo": id.to_ascii_lowercase().ends_with(".fifo")}));
            }
            ChannelKind::Sns => {
                topics.push(json!(id));
                for to in &channel.delivers_to {
                    if model
                        .channels
                        .get(to.target())
                        .is_some_and(|c| c.kind == ChannelKind::Sqs)
                    {
                        subscriptions.push(json!({"topic": id, "queue": to.target()}));
                    }
                }
            }
            _ => {}
        }
    }
    let spec = json!({
        "tables": tables,
        "buckets": buckets,
        "objects": objects,
        "queues": queues,
        "topics": topics,
        "subscriptions": subscriptions,
        "secrets": secrets,
        "parameters": parameters,
    });
    let empty = spec
        .as_object()
        .is_some_and(|o| o.values().all(|v| v.as_array().is_some_and(Vec::is_empty)));
    if empty {
        String::new()
    } else {
        spec.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handler_names_lead_to_their_files() {
        let process = |language, handler: &str| ProcessHandler {
            language,
            runtime: String::new(),
            code: PathBuf::from("/c"),
            handler: handler.to_owned(),
            env: Vec::new(),
        };
        assert_eq!(
            process(Language::Python, "pkg.mod.handler").files()[0],
            PathBuf::from("/c/pkg/mod.py")
        );
        assert_eq!(
            process(Language::Node, "src/order.api.handler").files()[0],
            PathBuf::from("/c/src/order.js")
        );
        assert_eq!(
            process(Language::Node, "v1.2/index.handler").files()[0],
            PathBuf::from("/c/v1.2/index.js")
        );
        assert!(process(Language::Node, "nodot").files().is_empty());
    }

    #[test]
    fn runtimes_name_their_language() {
        assert_eq!(Language::of("python3.12"), Some(Language::Python));
        assert_eq!(Language::of("nodejs16.x"), Some(Language::Node));
        assert_eq!(Language::of("provided.al2023"), None);
        assert_eq!(Language::of("java21"), None);
    }
}
