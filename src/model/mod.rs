//! The model layer: reading, checking and holding a strider model (format version 1).
//!
//! `load` → [`yaml`] (text to a spanned tree) → [`schema_check`] (structure, against the schema
//! generated from [`types`]) → [`decode`] (serde into the types) → merge of the files →
//! [`validate`] (references, kinds, cycles). Every problem is a [`diagnostic::Diagnostic`].

pub mod decode;
pub mod diagnostic;
pub mod load;
pub mod rust_path;
pub mod schema_check;
pub mod types;
pub mod validate;
pub mod yaml;

use std::collections::BTreeMap;

pub use diagnostic::{Code, Diagnostic, Location, Severity, Sources};
pub use load::{LoadError, LoadOptions, Loaded, load, load_bytes, load_with};
pub use types::*;

/// The name an enum value has in a model file (`api-gateway-http`, `pci-dss`, `accepted`).
#[must_use]
pub fn kebab<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// A whole model: every file of it merged, checked, with the place each element was declared.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Model {
    /// Name of the system.
    pub name: String,
    /// What the system does.
    pub description: Option<String>,
    /// Who owns the model.
    pub owner: Option<String>,
    /// Trust boundaries.
    pub boundaries: BTreeMap<Id, Boundary>,
    /// Data assets.
    pub data: BTreeMap<Id, DataAsset>,
    /// Actors.
    pub actors: BTreeMap<Id, Actor>,
    /// External services.
    pub externals: BTreeMap<Id, External>,
    /// Data stores.
    pub stores: BTreeMap<Id, Store>,
    /// Channels.
    pub channels: BTreeMap<Id, Channel>,
    /// Functions.
    pub functions: BTreeMap<Id, Function>,
    /// Shared roles.
    pub roles: BTreeMap<Id, Role>,
    /// Declared controls.
    pub controls: BTreeMap<Id, Control>,
    /// Risk tracking entries.
    pub tracking: BTreeMap<String, TrackingEntry>,
    /// Where each element is declared.
    pub locations: BTreeMap<(Section, Id), Location>,
}

impl Model {
    /// Where an element is declared.
    #[must_use]
    pub fn location(&self, section: Section, id: &str) -> Option<&Location> {
        self.locations.get(&(section, id.to_owned()))
    }

    /// The section an element id belongs to, among the sections that hold graph nodes.
    #[must_use]
    pub fn node_section(&self, id: &str) -> Option<Section> {
        [
            Section::Actors,
            Section::Externals,
            Section::Stores,
            Section::Channels,
            Section::Functions,
        ]
        .into_iter()
        .find(|section| self.has(*section, id))
    }

    /// Whether a section holds an id.
    #[must_use]
    pub fn has(&self, section: Section, id: &str) -> bool {
        match section {
            Section::Boundaries => self.boundaries.contains_key(id),
            Section::Data => self.data.contains_key(id),
            Section::Actors => self.actors.contains_key(id),
            Section::Externals => self.externals.contains_key(id),
            Section::Stores => self.stores.contains_key(id),
            Section::Channels => self.channels.contains_key(id),
            Section::Functions => self.functions.contains_key(id),
            Section::Roles => self.roles.contains_key(id),
            Section::Controls => self.controls.contains_key(id),
            Section::Tracking => self.tracking.contains_key(id),
        }
    }

    /// The ids of a section, in order.
    #[must_use]
    pub fn ids(&self, section: Section) -> Vec<&str> {
        fn keys<V>(map: &BTreeMap<Id, V>) -> Vec<&str> {
            map.keys().map(String::as_str).collect()
        }
        match section {
            Section::Boundaries => keys(&self.boundaries),
            Section::Data => keys(&self.data),
            Section::Actors => keys(&self.actors),
            Section::Externals => keys(&self.externals),
            Section::Stores => keys(&self.stores),
            Section::Channels => keys(&self.channels),
            Section::Functions => keys(&self.functions),
            Section::Roles => keys(&self.roles),
            Section::Controls => keys(&self.controls),
            Section::Tracking => keys(&self.tracking),
        }
    }
}

/// The top-level sections of a model, each a map of elements keyed by id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Section {
    /// `boundaries`
    Boundaries,
    /// `data`
    Data,
    /// `actors`
    Actors,
    /// `externals`
    Externals,
    /// `stores`
    Stores,
    /// `channels`
    Channels,
    /// `functions`
    Functions,
    /// `roles`
    Roles,
    /// `controls`
    Controls,
    /// `tracking`
    Tracking,
}

impl Section {
    /// Every section, in file order.
    pub const ALL: [Section; 10] = [
        Section::Boundaries,
        Section::Data,
        Section::Actors,
        Section::Externals,
        Section::Stores,
        Section::Channels,
        Section::Functions,
        Section::Roles,
        Section::Controls,
        Section::Tracking,
    ];

    /// The section's key in a model file.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Section::Boundaries => "boundaries",
            Section::Data => "data",
            Section::Actors => "actors",
            Section::Externals => "externals",
            Section::Stores => "stores",
            Section::Channels => "channels",
            Section::Functions => "functions",
            Section::Roles => "roles",
            Section::Controls => "controls",
            Section::Tracking => "tracking",
        }
    }

    /// One element of the section, in words.
    #[must_use]
    pub fn singular(self) -> &'static str {
        match self {
            Section::Boundaries => "boundary",
            Section::Data => "data asset",
            Section::Actors => "actor",
            Section::Externals => "external",
            Section::Stores => "store",
            Section::Channels => "channel",
            Section::Functions => "function",
            Section::Roles => "role",
            Section::Controls => "control",
            Section::Tracking => "tracking entry",
        }
    }
}
