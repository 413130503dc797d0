//! The sources of `strider-events`, carried inside the strider binary, so that a generated fuzz
//! crate is self-contained: `strider fuzz init` writes them into the crate's `strider-events/`
//! directory and depends on that copy by a relative path. Nothing refers back to the checkout
//! strider was built from, so an installed binary works anywhere, and the crate builds the exact
//! generator version of the strider that wrote it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the copy goes, relative to the generated crate.
pub const DIR: &str = "strider-events";

/// Every source file of the crate, relative to its directory: its Rust sources and the runtime
/// scripts they write out. A test checks that this list is the crate's whole `src/` and
/// `runtime/` directories, so a new file cannot be forgotten.
const SOURCES: &[(&str, &str)] = &[
    (
        "runtime/node/strider_bootstrap.cjs",
        include_str!("../../crates/strider-events/runtime/node/strider_bootstrap.cjs"),
    ),
    (
        "runtime/python/strider_boot.py",
        include_str!("../../crates/strider-events/runtime/python/strider_boot.py"),
    ),
    (
        "runtime/python/strider_provision.py",
        include_str!("../../crates/strider-events/runtime/python/strider_provision.py"),
    ),
    (
        "src/body.rs",
        include_str!("../../crates/strider-events/src/body.rs"),
    ),
    (
        "src/events/cognito.rs",
        include_str!("../../crates/strider-events/src/events/cognito.rs"),
    ),
    (
        "src/events/http.rs",
        include_str!("../../crates/strider-events/src/events/http.rs"),
    ),
    (
        "src/events/invoke.rs",
        include_str!("../../crates/strider-events/src/events/invoke.rs"),
    ),
    (
        "src/events/iot.rs",
        include_str!("../../crates/strider-events/src/events/iot.rs"),
    ),
    (
        "src/events/messaging.rs",
        include_str!("../../crates/strider-events/src/events/messaging.rs"),
    ),
    (
        "src/events/mod.rs",
        include_str!("../../crates/strider-events/src/events/mod.rs"),
    ),
    (
        "src/events/ses.rs",
        include_str!("../../crates/strider-events/src/events/ses.rs"),
    ),
    (
        "src/events/storage.rs",
        include_str!("../../crates/strider-events/src/events/storage.rs"),
    ),
    (
        "src/events/websocket.rs",
        include_str!("../../crates/strider-events/src/events/websocket.rs"),
    ),
    (
        "src/hostile.rs",
        include_str!("../../crates/strider-events/src/hostile.rs"),
    ),
    (
        "src/input.rs",
        include_str!("../../crates/strider-events/src/input.rs"),
    ),
    (
        "src/lib.rs",
        include_str!("../../crates/strider-events/src/lib.rs"),
    ),
    (
        "src/oracle.rs",
        include_str!("../../crates/strider-events/src/oracle.rs"),
    ),
    (
        "src/pattern.rs",
        include_str!("../../crates/strider-events/src/pattern.rs"),
    ),
    (
        "src/payload.rs",
        include_str!("../../crates/strider-events/src/payload.rs"),
    ),
    (
        "src/runtime/api.rs",
        include_str!("../../crates/strider-events/src/runtime/api.rs"),
    ),
    (
        "src/runtime/canary.rs",
        include_str!("../../crates/strider-events/src/runtime/canary.rs"),
    ),
    (
        "src/runtime/coverage.rs",
        include_str!("../../crates/strider-events/src/runtime/coverage.rs"),
    ),
    (
        "src/runtime/known.rs",
        include_str!("../../crates/strider-events/src/runtime/known.rs"),
    ),
    (
        "src/runtime/mod.rs",
        include_str!("../../crates/strider-events/src/runtime/mod.rs"),
    ),
    (
        "src/runtime/moto.rs",
        include_str!("../../crates/strider-events/src/runtime/moto.rs"),
    ),
    (
        "src/runtime/process.rs",
        include_str!("../../crates/strider-events/src/runtime/process.rs"),
    ),
    (
        "src/runtime/tamper.rs",
        include_str!("../../crates/strider-events/src/runtime/tamper.rs"),
    ),
];

/// The crate's own manifest, as it is in strider's workspace.
const MANIFEST: &str = include_str!("../../crates/strider-events/Cargo.toml");

/// The manifest of the copy: the workspace's one without what only makes sense inside strider's
/// workspace (`[lints] workspace = true` needs strider's `[workspace.lints]`).
///
/// # Errors
/// Never for the manifest the binary carries; a message when it does not parse.
fn manifest() -> Result<String, String> {
    /// The sections the copy keeps, in the order of the original.
    #[derive(serde::Serialize)]
    struct Copy {
        package: toml::Value,
        dependencies: toml::Value,
        features: toml::Value,
    }
    let mut table: toml::Table = toml::from_str(MANIFEST).map_err(|err| err.to_string())?;
    let mut take = |key: &str| {
        table
            .remove(key)
            .ok_or_else(|| format!("strider-events' Cargo.toml has no [{key}]"))
    };
    let copy = Copy {
        package: take("package")?,
        dependencies: take("dependencies")?,
        features: take("features")?,
    };
    let mut text = String::from(
        "# The copy of strider-events that `strider fuzz init` writes with every generated crate; \
         regenerate rather than edit.\n",
    );
    text.push_str(&toml::to_string(&copy).map_err(|err| err.to_string())?);
    Ok(text)
}

/// The files of the copy, keyed by their path inside the generated crate.
///
/// # Errors
/// When the carried manifest does not parse (a build of strider from a broken checkout).
pub fn files() -> Result<BTreeMap<PathBuf, Vec<u8>>, String> {
    let mut files: BTreeMap<PathBuf, Vec<u8>> = SOURCES
        .iter()
        .map(|(path, text)| (Path::new(DIR).join(path), text.as_bytes().to_vec()))
        .collect();
    files.insert(Path::new(DIR).join("Cargo.toml"), manifest()?.into_bytes());
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_copy_is_the_whole_crate() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/strider-events");
        let mut on_disk = Vec::new();
        let mut pending = vec![root.join("src"), root.join("runtime")];
        while let Some(dir) = pending.pop() {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    // Python's bytecode caches, from running the scripts in place.
                    if !path.ends_with("__pycache__") {
                        pending.push(path);
                    }
                } else {
                    on_disk.push(
                        path.strip_prefix(&root)
                            .unwrap()
                            .to_string_lossy()
                            .into_owned(),
                    );
                }
            }
        }
        on_disk.sort();
        let carried: Vec<&str> = SOURCES.iter().map(|(path, _)| *path).collect();
        assert_eq!(carried, on_disk, "update SOURCES in src/fuzz/vendor.rs");
        for (path, text) in SOURCES {
            assert_eq!(
                *text,
                std::fs::read_to_string(root.join(path)).unwrap(),
                "{path}"
            );
        }
    }

    #[test]
    fn the_manifest_stands_alone() {
        // A new section in the original must be carried (or dropped) on purpose.
        let original: toml::Table = toml::from_str(MANIFEST).unwrap();
        let sections: Vec<&str> = original.keys().map(String::as_str).collect();
        assert_eq!(sections, ["dependencies", "features", "lints", "package"]);
        let text = manifest().unwrap();
        let table: toml::Table = toml::from_str(&text).unwrap();
        assert!(!table.contains_key("lints"));
        assert_eq!(table["package"]["name"].as_str(), Some("strider-events"));
        assert!(table["dependencies"].get("aws_lambda_events").is_some());
    }
}
