//! Semantic checks of a merged model: every reference resolves to an element of the right kind,
//! fields apply to the kind they sit on, boundaries nest without cycles, input schemas exist.
//!
//! Runs after the structural check, so the model is well-typed; all problems are collected.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use super::diagnostic::{Code, Diagnostic, Span, did_you_mean, one_of};
use super::load::Locator;
use super::types::{
    Auth, ChannelKind, FlowRef, Input, Permission, SecretSource, StoreKind, TrackingStatus,
    TriggerKind,
};
use super::{Model, Section, kebab};

/// Largest input schema file strider reads.
pub const MAX_SCHEMA_BYTES: u64 = 4 * 1024 * 1024;

/// Checks a merged model; adds every problem to `problems`.
/// `broken` holds the ids of elements the structural check already reported and dropped:
/// references to them are not reported again as unresolved.
pub fn validate(
    model: &Model,
    locator: &Locator<'_>,
    broken: &BTreeSet<String>,
    problems: &mut Vec<Diagnostic>,
) {
    let mut check = Checker {
        model,
        at: locator,
        problems,
        broken,
        schemas: BTreeMap::new(),
        candidates: Vec::new(),
        suggestions_left: MAX_SUGGESTIONS,
    };
    check.empty_model();
    check.boundaries();
    check.actors_and_externals();
    check.stores();
    check.channels();
    check.functions();
    check.roles();
    check.controls();
    check.tracking();
    check.placeholders();
}

/// Which elements a reference may name.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    /// Any element of these sections.
    Sections(&'static [Section]),
    /// A channel of one of these kinds.
    Channels(&'static [ChannelKind]),
    /// A store of one of these kinds.
    Stores(&'static [StoreKind]),
    /// A channel or a store of these kinds.
    ChannelsOrStores(&'static [ChannelKind], &'static [StoreKind]),
    /// An external, or a channel of these kinds.
    ExternalsOrChannels(&'static [ChannelKind]),
}

const API_KINDS: &[ChannelKind] = &[
    ChannelKind::ApiGatewayRest,
    ChannelKind::ApiGatewayHttp,
    ChannelKind::FunctionUrl,
    ChannelKind::Alb,
];
const ALL_API_KINDS: &[ChannelKind] = &[
    ChannelKind::ApiGatewayRest,
    ChannelKind::ApiGatewayHttp,
    ChannelKind::ApiGatewayWebsocket,
    ChannelKind::FunctionUrl,
    ChannelKind::Alb,
];

struct Checker<'m, 'l, 'p> {
    model: &'m Model,
    at: &'l Locator<'l>,
    problems: &'p mut Vec<Diagnostic>,
    /// Elements dropped for structural problems.
    broken: &'p BTreeSet<String>,
    /// Input schema files already checked: path → whether it was fine.
    schemas: BTreeMap<PathBuf, bool>,
    /// The ids each kind of reference may name, computed once per kind.
    candidates: Vec<(Target, Vec<&'m str>)>,
    /// Unresolved references that still get a did-you-mean search.
    suggestions_left: usize,
}

/// Unresolved references that get a did-you-mean search, at most.
const MAX_SUGGESTIONS: usize = 200;

/// Where something sits: section, element id, path below the element.
type Place<'a> = (Section, &'a str, &'a [&'a str]);

fn kinds<T: serde::Serialize>(values: &[T]) -> String {
    one_of(&values.iter().map(kebab).collect::<Vec<_>>())
}

impl<'m> Checker<'m, '_, '_> {
    fn span(&self, (section, id, path): Place<'_>) -> Span {
        self.at.at(section, id, path)
    }

    fn push(&mut self, problem: Diagnostic) {
        self.problems.push(problem);
    }

    /// What an id names, in words, if it names anything that can be a graph node or a boundary.
    fn describe(&self, id: &str) -> Option<String> {
        let m = self.model;
        if let Some(store) = m.stores.get(id) {
            return Some(format!("the {} store `{id}`", kebab(&store.kind)));
        }
        if let Some(channel) = m.channels.get(id) {
            return Some(format!("the {} channel `{id}`", kebab(&channel.kind)));
        }
        [
            Section::Functions,
            Section::Actors,
            Section::Externals,
            Section::Boundaries,
            Section::Data,
            Section::Roles,
        ]
        .into_iter()
        .find(|s| m.has(*s, id))
        .map(|s| format!("the {} `{id}`", s.singular()))
    }

    /// Checks that `id` names an element `target` allows.
    fn reference(&mut self, id: &str, target: Target, what: &str, place: Place<'_>) {
        let m = self.model;
        let found = match target {
            Target::Sections(sections) => sections.iter().any(|s| m.has(*s, id)),
            Target::Channels(kinds) => m.channels.get(id).is_some_and(|c| kinds.contains(&c.kind)),
            Target::Stores(kinds) => m.stores.get(id).is_some_and(|s| kinds.contains(&s.kind)),
            Target::ChannelsOrStores(channel_kinds, store_kinds) => {
                m.channels
                    .get(id)
                    .is_some_and(|c| channel_kinds.contains(&c.kind))
                    || m.stores
                        .get(id)
                        .is_some_and(|s| store_kinds.contains(&s.kind))
            }
            Target::ExternalsOrChannels(kinds) => {
                m.externals.contains_key(id)
                    || m.channels.get(id).is_some_and(|c| kinds.contains(&c.kind))
            }
        };
        if found || self.broken.contains(id) {
            return;
        }
        let expected = match target {
            Target::Sections(sections) => {
                let nouns: Vec<String> = sections
                    .iter()
                    .map(|s| format!("{} {}", article(s.singular()), s.singular()))
                    .collect();
                one_of(&nouns).replace('`', "")
            }
            Target::Channels(kinds_) => format!("a channel of kind {}", kinds(kinds_)),
            Target::Stores(kinds_) => format!("a store of kind {}", kinds(kinds_)),
            Target::ChannelsOrStores(c, s) => format!(
                "a channel of kind {} or a store of kind {}",
                kinds(c),
                kinds(s)
            ),
            Target::ExternalsOrChannels(c) => {
                format!("an external or a channel of kind {}", kinds(c))
            }
        };
        let span = self.span(place);
        if let Some(actual) = self.describe(id) {
            self.push(
                Diagnostic::error(
                    Code::WrongReferenceKind,
                    span,
                    format!("{what} names {actual}, but must name {expected}"),
                )
                .with_label("wrong kind of element"),
            );
            return;
        }
        let index = if let Some(index) = self.candidates.iter().position(|(t, _)| *t == target) {
            index
        } else {
            let ids = Self::candidates(m, target);
            self.candidates.push((target, ids));
            self.candidates.len() - 1
        };
        let candidates = &self.candidates[index].1;
        // Suggestions for the first unresolved references only: past that, a model is not a
        // few typos, and comparing every id with every other would be quadratic.
        let suggestion = if self.suggestions_left > 0 {
            self.suggestions_left -= 1;
            did_you_mean(id, candidates.iter().copied())
        } else {
            None
        };
        let hint = suggestion.unwrap_or_else(|| {
            if candidates.is_empty() {
                format!("declare it: the model has no {}", expected_noun(target))
            } else if candidates.len() <= 8 {
                format!("known ids: {}", one_of(candidates))
            } else {
                format!(
                    "the model has {} candidates; check the spelling",
                    candidates.len()
                )
            }
        });
        self.push(
            Diagnostic::error(
                Code::UnresolvedReference,
                span,
                format!("{what} references unknown {} `{id}`", expected_noun(target)),
            )
            .with_label("no such element")
            .with_hint(hint),
        );
    }

    /// The ids a reference to `target` may name, in order.
    fn candidates(m: &'m Model, target: Target) -> Vec<&'m str> {
        match target {
            Target::Sections(sections) => sections.iter().flat_map(|s| m.ids(*s)).collect(),
            Target::Channels(kinds) => m
                .channels
                .iter()
                .filter(|(_, c)| kinds.contains(&c.kind))
                .map(|(k, _)| k.as_str())
                .collect(),
            Target::Stores(kinds) => m
                .stores
                .iter()
                .filter(|(_, s)| kinds.contains(&s.kind))
                .map(|(k, _)| k.as_str())
                .collect(),
            Target::ChannelsOrStores(c, s) => m
                .channels
                .iter()
                .filter(|(_, ch)| c.contains(&ch.kind))
                .map(|(k, _)| k.as_str())
                .chain(
                    m.stores
                        .iter()
                        .filter(|(_, st)| s.contains(&st.kind))
                        .map(|(k, _)| k.as_str()),
                )
                .collect(),
            Target::ExternalsOrChannels(c) => m
                .externals
                .keys()
                .map(String::as_str)
                .chain(
                    m.channels
                        .iter()
                        .filter(|(_, ch)| c.contains(&ch.kind))
                        .map(|(k, _)| k.as_str()),
                )
                .collect(),
        }
    }

    fn flow_refs(
        &mut self,
        refs: &[FlowRef],
        target: Target,
        what: &str,
        (section, id, field): (Section, &str, &str),
    ) {
        for (i, flow) in refs.iter().enumerate() {
            let index = i.to_string();
            let detailed = matches!(flow, FlowRef::Detailed(_));
            let path: Vec<&str> = if detailed {
                vec![field, &index, "to"]
            } else {
                vec![field, &index]
            };
            self.reference(flow.target(), target, what, (section, id, &path));
            // An object key is a fact of writes into buckets only.
            let bucket = self
                .model
                .stores
                .get(flow.target())
                .is_some_and(|s| s.kind == StoreKind::S3);
            for (j, data) in flow.returns().iter().enumerate() {
                let j = j.to_string();
                self.reference(
                    data,
                    Target::Sections(&[Section::Data]),
                    "returned data",
                    (section, id, &[field, &index, "returns", &j]),
                );
            }
            let returns_apply = field == "calls" && section == Section::Functions;
            if !flow.returns().is_empty() && !returns_apply {
                self.not_applicable(
                    (section, id, &[field, &index, "returns"]),
                    "returns",
                    what,
                    "a function's `calls`",
                );
            }
            let bundled = self
                .model
                .stores
                .get(flow.target())
                .is_some_and(|s| s.kind == StoreKind::Bundled);
            if field == "writes" && bundled {
                let span = self.span((section, id, &path));
                self.push(
                    Diagnostic::error(
                        Code::Conflict,
                        span,
                        format!("{what} names the bundled store `{}`, which is read-only at run time", flow.target()),
                    )
                    .with_label("cannot be written")
                    .with_hint("files in a code package change only with a deployment: write to a store of another kind"),
                );
            }
            if flow.invocation().is_some() && field != "invokes" {
                self.not_applicable(
                    (section, id, &[field, &index, "invocation"]),
                    "invocation",
                    what,
                    "a function's `invokes`",
                );
            }
            if flow.tls().is_some() && (!matches!(field, "reads" | "writes" | "calls") || bundled) {
                self.not_applicable(
                    (section, id, &[field, &index, "tls"]),
                    "tls",
                    what,
                    "a function's `reads`, `writes` and `calls`",
                );
            }
            if flow.key().is_some() && !(field == "writes" && bucket) {
                self.not_applicable(
                    (section, id, &[field, &index, "key"]),
                    "key",
                    what,
                    "writes to `s3` stores",
                );
            }
            for (j, data) in flow.data().iter().enumerate() {
                let j = j.to_string();
                self.reference(
                    data,
                    Target::Sections(&[Section::Data]),
                    "flow data",
                    (section, id, &[field, &index, "data", &j]),
                );
            }
        }
    }

    fn boundary(&mut self, boundary: &str, section: Section, id: &str) {
        self.reference(
            boundary,
            Target::Sections(&[Section::Boundaries]),
            &format!("{} `{id}`", section.singular()),
            (section, id, &["boundary"]),
        );
    }

    fn data_list(&mut self, data: &[String], section: Section, id: &str) {
        for (i, item) in data.iter().enumerate() {
            let i = i.to_string();
            self.reference(
                item,
                Target::Sections(&[Section::Data]),
                &format!("{} `{id}`", section.singular()),
                (section, id, &["data", &i]),
            );
        }
    }

    fn not_applicable(&mut self, place: Place<'_>, field: &str, kind: &str, applies_to: &str) {
        let span = self.span(place);
        self.push(
            Diagnostic::error(
                Code::NotApplicable,
                span,
                format!("`{field}` does not apply to {kind}"),
            )
            .with_label("not applicable here")
            .with_hint(format!("`{field}` applies to {applies_to}; remove it here")),
        );
    }

    fn empty_model(&mut self) {
        if self.model.functions.is_empty() && self.broken.is_empty() {
            let span = self.at.fallback();
            self.push(
                Diagnostic::error(Code::EmptyModel, span, "the model declares no functions")
                    .with_label("nothing to analyse")
                    .with_hint("a serverless model needs at least one entry under `functions:`; see `model/hello.yaml`"),
            );
        }
    }

    fn boundaries(&mut self) {
        let model = self.model;
        for (id, boundary) in &model.boundaries {
            if let Some(parent) = &boundary.parent {
                self.reference(
                    parent,
                    Target::Sections(&[Section::Boundaries]),
                    &format!("boundary `{id}`"),
                    (Section::Boundaries, id, &["parent"]),
                );
            }
        }
        // Follow parents from each boundary; a walk that comes back to where it started is a cycle.
        let mut reported = BTreeSet::new();
        for start in model.boundaries.keys() {
            let mut chain = vec![start.as_str()];
            let mut current = start.as_str();
            while let Some(parent) = model
                .boundaries
                .get(current)
                .and_then(|b| b.parent.as_deref())
            {
                if !model.boundaries.contains_key(parent) {
                    break;
                }
                if parent == start {
                    let mut members: Vec<&str> = chain.clone();
                    members.sort_unstable();
                    if reported.insert(members) {
                        chain.push(parent);
                        let span = self.span((Section::Boundaries, start, &["parent"]));
                        self.push(
                            Diagnostic::error(Code::BoundaryCycle, span, format!("boundaries nest in a cycle: {}", chain.join(" → ")))
                                .with_label("this parent closes the cycle")
                                .with_hint("a boundary cannot be inside itself; remove one `parent` of the cycle"),
                        );
                    }
                    break;
                }
                if chain.contains(&parent) || chain.len() > model.boundaries.len() {
                    break;
                }
                chain.push(parent);
                current = parent;
            }
        }
    }

    fn actors_and_externals(&mut self) {
        let model = self.model;
        for (id, actor) in &model.actors {
            self.boundary(&actor.boundary, Section::Actors, id);
            self.flow_refs(
                &actor.uses,
                Target::Sections(&[Section::Channels]),
                &format!("actor `{id}`"),
                (Section::Actors, id, "uses"),
            );
            self.flow_refs(
                &actor.writes,
                Target::Sections(&[Section::Stores]),
                &format!("a write of actor `{id}`"),
                (Section::Actors, id, "writes"),
            );
        }
        for (id, external) in &model.externals {
            self.boundary(&external.boundary, Section::Externals, id);
            self.flow_refs(
                &external.uses,
                Target::Sections(&[Section::Channels]),
                &format!("external `{id}`"),
                (Section::Externals, id, "uses"),
            );
            self.flow_refs(
                &external.writes,
                Target::Sections(&[Section::Stores]),
                &format!("a write of external `{id}`"),
                (Section::Externals, id, "writes"),
            );
            self.flow_refs(
                &external.calls,
                Target::Sections(&[Section::Externals]),
                &format!("a call of external `{id}`"),
                (Section::Externals, id, "calls"),
            );
        }
    }

    fn stores(&mut self) {
        let model = self.model;
        for (id, store) in &model.stores {
            self.boundary(&store.boundary, Section::Stores, id);
            self.data_list(&store.data, Section::Stores, id);
            self.store_fuzz(id, store);
            if store.kind != StoreKind::Dynamodb {
                for (field, set) in [
                    ("ttl", store.ttl.is_some()),
                    ("capacity", store.capacity.is_some()),
                    ("key", store.key.is_some()),
                ] {
                    if set {
                        self.not_applicable(
                            (Section::Stores, id, &[field]),
                            field,
                            &format!("the {} store `{id}`", kebab(&store.kind)),
                            "`dynamodb` tables",
                        );
                    }
                }
            }
            if store.kind == StoreKind::Bundled {
                let package_fields: [(&'static str, bool); 4] = [
                    ("public", store.public.any()),
                    ("encryption", store.encryption.is_some()),
                    ("versioning", store.versioning.is_some()),
                    ("backup", store.backup.is_some()),
                ];
                for (field, set) in package_fields {
                    if set {
                        self.not_applicable(
                            (Section::Stores, id, &[field]),
                            field,
                            &format!("the bundled store `{id}`"),
                            "stores outside a code package (a package goes with its function's code and versions)",
                        );
                    }
                }
            }
            if store.kind != StoreKind::S3 {
                let bucket_fields: [(&'static str, bool); 4] = [
                    ("website", store.website.is_some()),
                    ("public_access_block", store.public_access_block.is_some()),
                    ("acls", store.acls.is_some()),
                    ("cors", store.cors.is_some()),
                ];
                for (field, set) in bucket_fields {
                    if set {
                        self.not_applicable(
                            (Section::Stores, id, &[field]),
                            field,
                            &format!("the {} store `{id}`", kebab(&store.kind)),
                            "`s3` buckets",
                        );
                    }
                }
            }
        }
    }

    /// Seeded data: items for tables (with their key attributes, of the key's types, each key
    /// once) and objects for buckets, within the bounds one guard check per event can afford.
    fn store_fuzz(&mut self, id: &str, store: &super::types::Store) {
        let Some(fuzz) = &store.fuzz else { return };
        let s = Section::Stores;
        let dynamodb = store.kind == StoreKind::Dynamodb;
        for (field, set, applies, to) in [
            (
                "items",
                !fuzz.items.is_empty(),
                dynamodb,
                "`dynamodb` tables",
            ),
            ("owner", fuzz.owner.is_some(), dynamodb, "`dynamodb` tables"),
            (
                "objects",
                !fuzz.objects.is_empty(),
                store.kind == StoreKind::S3,
                "`s3` buckets",
            ),
        ] {
            if set && !applies {
                self.not_applicable(
                    (s, id, &["fuzz", field]),
                    &format!("fuzz.{field}"),
                    &format!("the {} store `{id}`", kebab(&store.kind)),
                    to,
                );
            }
        }
        if fuzz.items.len() > MAX_SEEDED || fuzz.objects.len() > MAX_SEEDED {
            self.seeded_problem(
                id,
                &["fuzz"],
                format!("`fuzz` of `{id}` seeds more than {MAX_SEEDED} items or objects"),
                "seed what the handlers need to get past their lookups, and a few items of other owners: each is checked after every event",
            );
            return;
        }
        for (key, body) in &fuzz.objects {
            if key.is_empty() || key.len() > 1024 || body.len() > MAX_SEEDED_BYTES {
                self.seeded_problem(
                id,
                &["fuzz", "objects", key],
                    format!(
                        "an object seeded in `{id}` has an empty or too long key, or more than {MAX_SEEDED_BYTES} bytes"
                    ),
                    "keys are 1 to 1024 bytes, contents at most 64 KiB of text",
                );
            }
        }
        if dynamodb {
            self.seeded_items(id, store, fuzz);
        }
    }

    /// Seeded table items: mappings with the table's key attributes of the key's types, each
    /// key once, and an owner attribute that is not empty.
    fn seeded_items(
        &mut self,
        id: &str,
        store: &super::types::Store,
        fuzz: &super::types::StoreFuzz,
    ) {
        if fuzz.owner.as_deref().is_some_and(|o| o.trim().is_empty()) {
            self.seeded_problem(
                id,
                &["fuzz", "owner"],
                format!("`fuzz.owner` of `{id}` is empty"),
                "name the attribute that holds an item's owner (`customerId`)",
            );
        }
        let (partition, partition_type, sort, sort_type) = store.key.as_ref().map_or(
            (
                "id",
                super::types::KeyType::S,
                None,
                super::types::KeyType::S,
            ),
            |k| {
                (
                    k.partition.as_str(),
                    k.partition_type.unwrap_or(super::types::KeyType::S),
                    k.sort.as_deref(),
                    k.sort_type.unwrap_or(super::types::KeyType::S),
                )
            },
        );
        let mut seen = std::collections::BTreeSet::new();
        for (i, item) in fuzz.items.iter().enumerate() {
            let index = i.to_string();
            let path = ["fuzz", "items", index.as_str()];
            let Some(attributes) = item.0.as_object() else {
                self.seeded_problem(
                    id,
                    &path,
                    format!("item {i} seeded in `{id}` is not a mapping"),
                    "write an item as `{pk: ord_1, total: 12}`",
                );
                continue;
            };
            if serde_json::to_vec(&item.0).map_or(usize::MAX, |v| v.len()) > MAX_SEEDED_BYTES {
                self.seeded_problem(
                    id,
                    &path,
                    format!("item {i} seeded in `{id}` is larger than {MAX_SEEDED_BYTES} bytes"),
                    "seed small items: only their keys and the attributes handlers read",
                );
                continue;
            }
            let mut key = Vec::new();
            for (name, kind) in
                std::iter::once((partition, partition_type)).chain(sort.map(|s| (s, sort_type)))
            {
                let fits = match (attributes.get(name), kind) {
                    (Some(serde_json::Value::String(s)), super::types::KeyType::S) => !s.is_empty(),
                    // Binary, written as base64 text (as DynamoDB's JSON writes it).
                    (Some(serde_json::Value::String(s)), super::types::KeyType::B) => {
                        use base64::Engine;
                        !s.is_empty() && base64::engine::general_purpose::STANDARD.decode(s).is_ok()
                    }
                    (Some(serde_json::Value::Number(_)), super::types::KeyType::N) => true,
                    _ => false,
                };
                if !fits {
                    self.seeded_problem(
                id,
                &path,
                        format!(
                            "item {i} seeded in `{id}` lacks its key attribute `{name}` of type {}",
                            kind.code()
                        ),
                        "each item holds the table's key (`key` of the store; `id` of type S by default); an unquoted number is N, anything quoted S, and B is base64 text",
                    );
                }
                key.push(attributes.get(name).map(ToString::to_string));
            }
            if !seen.insert(key) {
                self.seeded_problem(
                    id,
                    &path,
                    format!("item {i} seeded in `{id}` has the key of an earlier item"),
                    "give each seeded item its own key",
                );
            }
        }
    }

    /// An error in the data seeded in store `id`, at `path` below it.
    fn seeded_problem(&mut self, id: &str, path: &[&str], message: String, hint: &str) {
        let span = self.span((Section::Stores, id, path));
        self.push(
            Diagnostic::error(Code::InvalidValue, span, message)
                .with_label("seeded data")
                .with_hint(hint),
        );
    }

    fn channels(&mut self) {
        let model = self.model;
        for (id, channel) in &model.channels {
            self.boundary(&channel.boundary, Section::Channels, id);
            self.data_list(&channel.data, Section::Channels, id);
            self.channel_api_fields(id, channel);
            self.channel_messaging_fields(id, channel);
        }
    }

    /// Fields that only APIs have: auth, throttling, TLS, WAF.
    fn channel_api_fields(&mut self, id: &str, channel: &super::types::Channel) {
        let place = |path: &'static [&'static str]| (Section::Channels, id, path);
        let kind = channel.kind;
        let this = format!("{} {} channel", article(&kebab(&kind)), kebab(&kind));
        let is_api = ALL_API_KINDS.contains(&kind);
        let api_kinds = format!("API channels ({})", kinds(ALL_API_KINDS));
        if channel.auth.is_some() && !is_api {
            self.not_applicable(place(&["auth"]), "auth", &this, &api_kinds);
        }
        if channel.verified.is_some() && channel.auth != Some(Auth::Code) {
            self.not_applicable(
                place(&["verified"]),
                "verified",
                &format!("{this} without `auth: code`"),
                "APIs whose handlers check tokens themselves (`auth: code`)",
            );
        }
        if channel.throttling.is_some() && !is_api {
            self.not_applicable(place(&["throttling"]), "throttling", &this, &api_kinds);
        }
        if channel.tls.is_some() && !is_api {
            self.not_applicable(place(&["tls"]), "tls", &this, &api_kinds);
        }
        if channel.cors.is_some() && (!is_api || kind == ChannelKind::Alb) {
            self.not_applicable(
                place(&["cors"]),
                "cors",
                &this,
                "API Gateway APIs and function URLs (a load balancer leaves CORS to its targets)",
            );
        }
        if channel.access_logs.is_some() && (!is_api || kind == ChannelKind::FunctionUrl) {
            self.not_applicable(
                place(&["access_logs"]),
                "access_logs",
                &this,
                "API Gateway APIs and load balancers (a function URL has no access log of its own)",
            );
        }
        if channel.waf.is_some() {
            let waf_kinds = [
                ChannelKind::ApiGatewayRest,
                ChannelKind::ApiGatewayWebsocket,
                ChannelKind::Alb,
            ];
            if !waf_kinds.contains(&kind) {
                self.not_applicable(
                    place(&["waf"]),
                    "waf",
                    &this,
                    &format!("{} (AWS WAF attaches to REST APIs and load balancers; put CloudFront in front of others)", kinds(&waf_kinds)),
                );
            }
        }
        if kind == ChannelKind::FunctionUrl
            && channel
                .auth
                .is_some_and(|a| !matches!(a, Auth::None | Auth::Iam | Auth::Code))
        {
            let span = self.span(place(&["auth"]));
            self.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    span,
                    format!(
                        "a function URL supports auth `none` or `iam`, not `{}`",
                        kebab(&channel.auth)
                    ),
                )
                .with_label("unsupported on function URLs")
                .with_hint("put an API Gateway in front of the function for other authorizers"),
            );
        }
    }

    /// Fields of queues, topics, buses, streams, schedules and user pools.
    fn channel_messaging_fields(&mut self, id: &str, channel: &super::types::Channel) {
        let place = |path: &'static [&'static str]| (Section::Channels, id, path);
        let kind = channel.kind;
        let this = format!("{} {} channel", article(&kebab(&kind)), kebab(&kind));
        let encryptable = [
            ChannelKind::Sqs,
            ChannelKind::Sns,
            ChannelKind::Kinesis,
            ChannelKind::Eventbridge,
        ];
        if channel.encryption.is_some() && !encryptable.contains(&kind) {
            self.not_applicable(
                place(&["encryption"]),
                "encryption",
                &this,
                &kinds(&encryptable),
            );
        }
        let with_dlq = [ChannelKind::Sqs, ChannelKind::Sns, ChannelKind::Eventbridge];
        if let Some(dlq) = &channel.dlq {
            if with_dlq.contains(&kind) {
                self.reference(
                    dlq,
                    Target::Channels(&[ChannelKind::Sqs]),
                    &format!("the dead-letter queue of `{id}`"),
                    place(&["dlq"]),
                );
            } else {
                self.not_applicable(place(&["dlq"]), "dlq", &this, &kinds(&with_dlq));
            }
        }
        if channel.max_receive_count.is_some() && kind != ChannelKind::Sqs {
            self.not_applicable(
                place(&["max_receive_count"]),
                "max_receive_count",
                &this,
                "`sqs` queues",
            );
        }
        let fan_out = [ChannelKind::Sns, ChannelKind::Eventbridge];
        if !channel.delivers_to.is_empty() {
            if fan_out.contains(&kind) {
                self.flow_refs(
                    &channel.delivers_to,
                    Target::Sections(&[Section::Channels]),
                    &format!("channel `{id}`"),
                    (Section::Channels, id, "delivers_to"),
                );
            } else {
                self.not_applicable(
                    place(&["delivers_to"]),
                    "delivers_to",
                    &this,
                    &kinds(&fan_out),
                );
            }
        }
        match (&channel.table, kind) {
            (Some(table), ChannelKind::DynamodbStream) => {
                self.reference(
                    table,
                    Target::Stores(&[StoreKind::Dynamodb]),
                    &format!("stream `{id}`"),
                    place(&["table"]),
                );
            }
            (Some(_), _) => self.not_applicable(
                place(&["table"]),
                "table",
                &this,
                "`dynamodb-stream` channels",
            ),
            (None, ChannelKind::DynamodbStream) => {
                let span = self.at.element(Section::Channels, id);
                self.push(
                    Diagnostic::error(
                        Code::MissingField,
                        span,
                        format!(
                            "dynamodb-stream channel `{id}` does not say which table it streams"
                        ),
                    )
                    .with_label("no `table`")
                    .with_hint("add `table: <id of a dynamodb store>`"),
                );
            }
            (None, _) => {}
        }
        if channel.expression.is_some() && kind != ChannelKind::Schedule {
            self.not_applicable(
                place(&["expression"]),
                "expression",
                &this,
                "`schedule` channels",
            );
        }
        self.pool_fields(id, channel, &this);
    }

    /// Fields that only user pools have.
    fn pool_fields(&mut self, id: &str, channel: &super::types::Channel, this: &str) {
        if channel.kind != ChannelKind::Cognito {
            let pool_fields: [(&'static str, bool); 4] = [
                ("mfa", channel.mfa.is_some()),
                ("password_policy", channel.password_policy.is_some()),
                ("attributes", !channel.attributes.is_empty()),
                ("auth_flows", !channel.auth_flows.is_empty()),
            ];
            for (field, set) in pool_fields {
                if set {
                    self.not_applicable(
                        (Section::Channels, id, &[field]),
                        field,
                        this,
                        "`cognito` user pools",
                    );
                }
            }
        }
    }

    fn functions(&mut self) {
        let model = self.model;
        for (id, function) in &model.functions {
            let f = Section::Functions;
            let who = format!("function `{id}`");
            self.boundary(&function.boundary, f, id);
            if let Some(role) = &function.role {
                self.reference(
                    role,
                    Target::Sections(&[Section::Roles]),
                    &who,
                    (f, id, &["role"]),
                );
                if !function.permissions.is_empty() {
                    let span = self.span((f, id, &["permissions"]));
                    let role_span = self.span((f, id, &["role"]));
                    self.push(
                        Diagnostic::error(Code::Conflict, span, format!("function `{id}` has both a shared `role` and inline `permissions`"))
                            .with_label("inline permissions")
                            .with_related(role_span, "shared role")
                            .with_hint("a function runs as one role: move these statements into the role, or drop `role`"),
                    );
                }
            }
            self.permissions(&function.permissions, (f, id));
            self.own_policies_beside_role(id, function);
            self.managed_policies(&function.managed_policies, (f, id));
            self.policy_templates(&function.policy_templates, id);
            for (i, trigger) in function.triggers.iter().enumerate() {
                self.trigger(id, i, trigger);
            }
            self.flow_refs(
                &function.reads,
                Target::Sections(&[Section::Stores, Section::Channels]),
                &format!("a read of {who}"),
                (f, id, "reads"),
            );
            self.flow_refs(
                &function.writes,
                Target::Sections(&[Section::Stores, Section::Channels]),
                &format!("a write of {who}"),
                (f, id, "writes"),
            );
            self.flow_refs(
                &function.calls,
                Target::ExternalsOrChannels(API_KINDS),
                &format!("a call of {who}"),
                (f, id, "calls"),
            );
            self.flow_refs(
                &function.invokes,
                Target::Sections(&[Section::Functions]),
                &format!("an invocation by {who}"),
                (f, id, "invokes"),
            );
            if let Some(destination) = &function.on_failure {
                const ALLOWED: &[ChannelKind] =
                    &[ChannelKind::Sqs, ChannelKind::Sns, ChannelKind::Eventbridge];
                if !model.functions.contains_key(destination) {
                    self.reference(
                        destination,
                        Target::Channels(ALLOWED),
                        &format!("the on-failure destination of {who}"),
                        (f, id, &["on_failure"]),
                    );
                }
            }
            for (name, secret) in &function.secrets {
                let Some(store) = &secret.store else { continue };
                let path: [&str; 3] = ["secrets", name, "store"];
                match secret.from {
                    SecretSource::SecretsManager => self.reference(
                        store,
                        Target::Stores(&[StoreKind::SecretsManager]),
                        &format!("secret `{name}` of {who}"),
                        (f, id, &path),
                    ),
                    SecretSource::Ssm => self.reference(
                        store,
                        Target::Stores(&[StoreKind::Ssm]),
                        &format!("secret `{name}` of {who}"),
                        (f, id, &path),
                    ),
                    SecretSource::Env | SecretSource::Hardcoded => {
                        self.not_applicable(
                            (f, id, &path),
                            "store",
                            &format!("a secret from `{}`", kebab(&secret.from)),
                            "secrets from `secrets-manager` or `ssm`",
                        );
                    }
                }
            }
            if let Some(input) = &function.input {
                self.input(input, (f, id, &["input", "schema"]));
            }
            self.handler_facts(function, id);
            if let Some(fuzz) = &function.fuzz {
                self.fuzz(fuzz, function, id);
            }
        }
    }

    /// Warns about an environment value that names an element the function has no flow to
    /// (`TABLE_NAME: orders-table` with neither a read nor a write of `orders-table`).
    fn env_references(&mut self, function: &super::types::Function, id: &str) {
        let m = self.model;
        for (name, value) in &function.env {
            if !is_env_name(name) || value.contains('\0') {
                // Lambda refuses such a variable; the fuzzer leaves it out of the handler's
                // environment.
                let span = self.span((Section::Functions, id, &["env", name]));
                self.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        span,
                        format!("`env` of `{id}` names a variable that is not a variable name, or a value holds a NUL character"),
                    )
                    .warning()
                    .with_label("environment variable")
                    .with_hint("names are letters, digits and `_`, not starting with a digit (`TABLE_NAME`); values hold no NUL; a fuzzed handler does not get it"),
                );
                continue;
            }
            let element = m.stores.contains_key(value)
                || m.channels.contains_key(value)
                || (m.functions.contains_key(value) && value != id);
            if !element {
                continue;
            }
            let flows = function
                .reads
                .iter()
                .chain(&function.writes)
                .chain(&function.calls)
                .chain(&function.invokes)
                .any(|f| f.target() == value)
                || function
                    .triggers
                    .iter()
                    .any(|t| t.source.as_deref() == Some(value.as_str()))
                || function.on_failure.as_deref() == Some(value.as_str())
                || function
                    .secrets
                    .values()
                    .any(|s| s.store.as_deref() == Some(value.as_str()));
            if flows {
                continue;
            }
            let span = self.span((Section::Functions, id, &["env", name]));
            let what = self.describe(value).unwrap_or_else(|| format!("`{value}`"));
            self.push(
                Diagnostic::error(
                    Code::MissingFlow,
                    span,
                    format!("`{name}` of function `{id}` names {what}, but the function has no flow to it"),
                )
                .with_label("no flow to this element")
                .with_hint(format!("if the code uses `{value}`, add the read, write, call or invocation it makes so the rules see it; if not, the variable is unused"))
                .warning(),
            );
        }
    }

    /// A sink's `from` names `event` or something the function reads.
    fn sinks(&mut self, function: &super::types::Function, id: &str) {
        let reads_event = function
            .reads
            .iter()
            .any(|r| r.target() == super::types::EVENT);
        for (i, sink) in function.sinks.iter().enumerate() {
            let i = i.to_string();
            if sink.from.is_empty() {
                let span = self.span((Section::Functions, id, &["sinks", &i, "from"]));
                self.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        span,
                        format!("a sink of function `{id}` says nothing feeds it"),
                    )
                    .with_label("empty")
                    .with_hint("name `event` (what starts the function) or the stores and channels it reads whose data reaches the sink"),
                );
            }
            if reads_event && sink.from_event() {
                let span = self.span((Section::Functions, id, &["sinks", &i, "from"]));
                self.push(
                    Diagnostic::error(
                        Code::Conflict,
                        span,
                        format!("function `{id}` reads an element with the id `event`, so a sink's `from: [event]` is ambiguous"),
                    )
                    .with_label("ambiguous")
                    .with_hint("`event` in `from` means what starts the function: rename the element"),
                );
            }
            for (j, from) in sink.from.iter().enumerate() {
                if from == super::types::EVENT {
                    continue;
                }
                let j = j.to_string();
                let place: Place<'_> = (Section::Functions, id, &["sinks", &i, "from", &j]);
                if self.model.stores.contains_key(from) || self.model.channels.contains_key(from) {
                    if !function.reads.iter().any(|r| r.target() == from) {
                        let span = self.span(place);
                        self.push(
                            Diagnostic::error(
                                Code::Conflict,
                                span,
                                format!("a sink of function `{id}` is fed from `{from}`, which the function does not read"),
                            )
                            .with_label("not read")
                            .with_hint(format!("add `{from}` to `reads`, or write `event` for what arrives on the function's triggers and invocations")),
                        );
                    }
                } else {
                    self.reference(
                        from,
                        Target::Sections(&[Section::Stores, Section::Channels]),
                        &format!("a sink of function `{id}`"),
                        place,
                    );
                }
            }
        }
    }

    /// What the model says about the handler: the data it logs, its code and its sinks.
    fn handler_facts(&mut self, function: &super::types::Function, id: &str) {
        self.logged_data(function, id);
        self.code(function, id);
        self.sinks(function, id);
        self.env_references(function, id);
    }

    /// A function's `code` is a directory relative to the model file.
    fn code(&mut self, function: &super::types::Function, id: &str) {
        let Some(problem) = function.code.as_deref().and_then(code_problem) else {
            return;
        };
        let span = self.span((Section::Functions, id, &["code"]));
        self.push(
            Diagnostic::error(Code::InvalidValue, span, format!("`code` of `{id}` {problem}"))
                .with_label("not a relative directory")
                .with_hint("give the handler's directory relative to the model file, as SAM's CodeUri (`src/orders`)"),
        );
    }

    /// The data a function's `logging.data` names are data assets.
    fn logged_data(&mut self, function: &super::types::Function, id: &str) {
        for (i, data) in function.logging.iter().flat_map(|l| &l.data).enumerate() {
            let i = i.to_string();
            self.reference(
                data,
                Target::Sections(&[Section::Data]),
                "logged data",
                (Section::Functions, id, &["logging", "data", &i]),
            );
        }
    }

    /// A function on a shared role cannot also carry its own managed policies or templates.
    fn own_policies_beside_role(&mut self, id: &str, function: &super::types::Function) {
        let f = Section::Functions;
        if function.role.is_some() {
            for field in ["managed_policies", "policy_templates"] {
                let present = match field {
                    "managed_policies" => !function.managed_policies.is_empty(),
                    _ => !function.policy_templates.is_empty(),
                };
                if present {
                    let span = self.span((f, id, &[field]));
                    let role_span = self.span((f, id, &["role"]));
                    self.push(
                        Diagnostic::error(Code::Conflict, span, format!("function `{id}` has both a shared `role` and `{field}`"))
                            .with_label(field)
                            .with_related(role_span, "shared role")
                            .with_hint("a function runs as one role (SAM ignores `Policies` when `Role` is set): attach these to the role, or drop `role`"),
                    );
                }
            }
        }
    }

    /// A Rust handler to fuzz: its crate directory holds a Cargo.toml, its handler and event are
    /// Rust paths.
    /// How a function is fuzzed: a Rust handler's crate and paths, or what its own runtime
    /// gets; `skip` with a handler named is a contradiction.
    fn fuzz(&mut self, fuzz: &super::types::Fuzz, function: &super::types::Function, id: &str) {
        let f = Section::Functions;
        if let Some(rust) = &fuzz.rust {
            if fuzz.skip {
                let span = self.span((f, id, &["fuzz", "skip"]));
                self.push(
                    Diagnostic::error(
                        Code::FuzzHandler,
                        span,
                        format!("`fuzz` of `{id}` names a Rust handler and skips it"),
                    )
                    .with_label("skip")
                    .with_hint("remove `skip: true` to fuzz the handler, or `rust` to leave the function out"),
                );
            }
            self.rust_handler(rust, id);
        } else if !fuzz.skip && function.code.is_none() && !fuzz.env.is_empty() {
            let span = self.span((f, id, &["fuzz", "env"]));
            self.push(
                Diagnostic::error(
                    Code::FuzzHandler,
                    span,
                    format!("`fuzz.env` of `{id}` is unused: the function has no `code` to run"),
                )
                .warning()
                .with_label("env")
                .with_hint("give the handler's directory as `code` (with `runtime` and `handler`), or remove `fuzz.env`"),
            );
        }
        if let Some(caller) = &fuzz.caller
            && (caller.trim().is_empty()
                || caller.len() > 256
                || caller.chars().any(char::is_control))
        {
            let span = self.span((f, id, &["fuzz", "caller"]));
            self.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    span,
                    format!("`fuzz.caller` of `{id}` is empty, longer than 256 characters or holds control characters"),
                )
                .with_label("caller")
                .with_hint("give the user id the fuzzed events act as, as a token's `sub` holds it (`cust-123`)"),
            );
        }
        for (name, value) in &fuzz.env {
            let valid = is_env_name(name);
            if !valid || value.contains('\0') {
                let span = self.span((f, id, &["fuzz", "env", name]));
                self.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        span,
                        if valid {
                            format!("the value of `{name}` in `fuzz.env` of `{id}` holds a NUL character")
                        } else {
                            format!("`fuzz.env` of `{id}` names a variable that is not a variable name")
                        },
                    )
                    .with_label("environment variable")
                    .with_hint("names are letters, digits and `_`, not starting with a digit (`FEATURE_FLAG`); values hold no NUL"),
                );
            }
        }
    }

    fn rust_handler(&mut self, rust: &super::types::RustHandler, id: &str) {
        let f = Section::Functions;
        let base = self
            .model
            .location(f, id)
            .and_then(|l| l.file.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let manifest = base.join(&rust.krate).join("Cargo.toml");
        if !manifest.is_file() {
            let span = self.span((f, id, &["fuzz", "rust", "crate"]));
            self.push(
                Diagnostic::error(
                    Code::FuzzHandler,
                    span,
                    format!("no Cargo.toml at `{}`", manifest.display()),
                )
                .with_label("handler crate")
                .with_hint(
                    "`crate` is the directory of the handler's crate, relative to the model file",
                ),
            );
        }
        let mut paths = vec![("handler", rust.handler.as_str())];
        if let Some(event) = &rust.event {
            paths.push(("event", event.as_str()));
        }
        for (field, path) in paths {
            if let Err(problem) = crate::model::rust_path::check(path) {
                let span = self.span((f, id, &["fuzz", "rust", field]));
                self.push(
                    Diagnostic::error(
                        Code::FuzzHandler,
                        span,
                        format!("`{path}` is not a Rust path: {problem}"),
                    )
                    .with_label(field)
                    .with_hint("write it as the crate's name, then modules, then the item: `shop_handlers::orders::handler`"),
                );
            }
        }
    }

    fn trigger(&mut self, id: &str, index: usize, trigger: &super::types::Trigger) {
        use ChannelKind as C;
        use TriggerKind as T;
        let f = Section::Functions;
        let i = index.to_string();
        let kind = trigger.kind;
        let what = format!("the {} trigger of function `{id}`", kebab(&kind));
        for (j, data) in trigger.data.iter().enumerate() {
            let j = j.to_string();
            self.reference(
                data,
                Target::Sections(&[Section::Data]),
                &format!("data of {what}"),
                (f, id, &["triggers", &i, "data", &j]),
            );
        }
        let source_target = match kind {
            T::Http => Some(Target::Channels(API_KINDS)),
            T::Websocket => Some(Target::Channels(&[C::ApiGatewayWebsocket])),
            T::S3 => Some(Target::Stores(&[StoreKind::S3])),
            T::Sqs => Some(Target::Channels(&[C::Sqs])),
            T::Sns => Some(Target::Channels(&[C::Sns])),
            T::DynamodbStream => Some(Target::ChannelsOrStores(
                &[C::DynamodbStream],
                &[StoreKind::Dynamodb],
            )),
            T::Kinesis => Some(Target::Channels(&[C::Kinesis])),
            T::Eventbridge => Some(Target::Channels(&[C::Eventbridge])),
            T::Schedule => Some(Target::Channels(&[C::Schedule, C::Eventbridge])),
            T::Cognito => Some(Target::Channels(&[C::Cognito])),
            T::Iot => Some(Target::Channels(&[C::Iot])),
            T::Email => Some(Target::Channels(&[C::Email])),
            T::Invoke | T::CustomResource => None,
        };
        if kind == T::CustomResource && trigger.source.is_some() {
            self.not_applicable(
                (f, id, &["triggers", &i, "source"]),
                "source",
                "`custom-resource` triggers",
                "triggers whose events come from an element of the model (the stack sends these)",
            );
        }
        match (&trigger.source, source_target) {
            (Some(_), None) if kind == T::CustomResource => {}
            (Some(source), Some(target)) => {
                self.reference(source, target, &what, (f, id, &["triggers", &i, "source"]));
            }
            (Some(source), None) => {
                self.reference(
                    source,
                    Target::Sections(&[Section::Actors, Section::Externals]),
                    &what,
                    (f, id, &["triggers", &i, "source"]),
                );
            }
            (None, Some(_)) => {
                let span = self.span((f, id, &["triggers", &i]));
                self.push(
                    Diagnostic::error(Code::MissingField, span, format!("{what} has no `source`"))
                        .with_label("no `source`")
                        .with_hint(
                            "name the channel or store the events come from: `source: <id>`",
                        ),
                );
            }
            (None, None) => {}
        }
        self.trigger_fields(id, index, trigger);
        if let Some(input) = &trigger.input {
            self.input(input, (f, id, &["triggers", &i, "input", "schema"]));
        }
    }

    /// Fields of a trigger that apply to some kinds only, and the HTTP method.
    fn trigger_fields(&mut self, id: &str, index: usize, trigger: &super::types::Trigger) {
        use TriggerKind as T;
        let f = Section::Functions;
        let i = index.to_string();
        let kind = trigger.kind;
        let this = format!("`{}` triggers", kebab(&kind));
        let batch = [T::Sqs, T::Kinesis, T::DynamodbStream];
        let inherited = trigger.auth.is_none()
            && trigger
                .source
                .as_deref()
                .and_then(|s| self.model.channels.get(s))
                .is_some_and(|c| c.auth == Some(Auth::Code));
        if trigger.verified.is_some() && trigger.auth != Some(Auth::Code) && !inherited {
            self.not_applicable(
                (f, id, &["triggers", &i, "verified"]),
                "verified",
                "a trigger without `auth: code`",
                "routes whose handler checks tokens itself (`auth: code`)",
            );
        }
        let fields: [(&str, bool, &[TriggerKind]); 9] = [
            ("method", trigger.method.is_some(), &[T::Http]),
            ("path", trigger.path.is_some(), &[T::Http, T::Websocket]),
            ("auth", trigger.auth.is_some(), &[T::Http, T::Websocket]),
            ("batch_size", trigger.batch_size.is_some(), &batch),
            (
                "partial_failures",
                trigger.partial_failures.is_some(),
                &batch,
            ),
            (
                "filter",
                trigger.filter.is_some(),
                &[
                    T::S3,
                    T::Sqs,
                    T::Sns,
                    T::DynamodbStream,
                    T::Kinesis,
                    T::Eventbridge,
                    T::Iot,
                ],
            ),
            ("events", !trigger.events.is_empty(), &[T::S3, T::Cognito]),
            ("prefix", trigger.prefix.is_some(), &[T::S3]),
            ("suffix", trigger.suffix.is_some(), &[T::S3]),
        ];
        for (field, present, allowed) in fields {
            if present && !allowed.contains(&kind) {
                self.not_applicable(
                    (f, id, &["triggers", &i, field]),
                    field,
                    &this,
                    &format!("{} triggers", kinds(allowed)),
                );
            }
        }
        if let Some(method) = &trigger.method {
            const METHODS: [&str; 9] = crate::model::HTTP_METHODS;
            if !METHODS.contains(&method.as_str()) {
                let span = self.span((f, id, &["triggers", &i, "method"]));
                self.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        span,
                        format!("`{method}` is not an HTTP method"),
                    )
                    .with_label("unknown method")
                    .with_hint(
                        did_you_mean(&method.to_uppercase(), METHODS)
                            .unwrap_or_else(|| format!("use one of {}", one_of(&METHODS))),
                    ),
                );
            }
        }
    }

    fn permissions(&mut self, permissions: &[Permission], (section, id): (Section, &str)) {
        for (i, permission) in permissions.iter().enumerate() {
            let i = i.to_string();
            for (j, action) in permission.allow.iter().enumerate() {
                if is_action(action) {
                    self.iam_action(
                        action,
                        (section, id, &["permissions", &i, "allow", &j.to_string()]),
                    );
                } else {
                    let j = j.to_string();
                    let span = self.span((section, id, &["permissions", &i, "allow", &j]));
                    self.push(
                        Diagnostic::error(
                            Code::InvalidValue,
                            span,
                            format!("`{action}` is not an IAM action"),
                        )
                        .with_label("not `service:Action`")
                        .with_hint(
                            "write actions as `service:Action`, like `dynamodb:GetItem` or `s3:*`",
                        ),
                    );
                }
            }
            for (j, resource) in permission.on.iter().enumerate() {
                if resource == "*" || resource.starts_with("arn:") {
                    continue;
                }
                let j = j.to_string();
                self.reference(
                    resource,
                    Target::Sections(&[
                        Section::Stores,
                        Section::Channels,
                        Section::Functions,
                        Section::Externals,
                    ]),
                    &format!("a permission of {} `{id}`", section.singular()),
                    (section, id, &["permissions", &i, "on", &j]),
                );
            }
        }
    }

    /// Warns about an action that grants nothing: an unknown service, an unknown action (a typo
    /// grants nothing and hides intent), a pattern that matches no action.
    fn iam_action(&mut self, action: &str, place: Place<'_>) {
        use crate::iam::ActionProblem;
        let suggest = self.suggestions_left > 0;
        let Some(problem) = crate::iam::catalogue().diagnose_with(action, suggest) else {
            return;
        };
        if suggest {
            self.suggestions_left -= 1;
        }
        let (message, label, hint) = match problem {
            ActionProblem::Malformed => return,
            ActionProblem::UnknownService { suggestion } => {
                let prefix = action.split_once(':').map_or(action, |(p, _)| p);
                (
                    format!("`{prefix}` is not the prefix of an AWS service, so `{action}` grants nothing"),
                    "unknown service",
                    suggestion.map_or_else(
                        || "the part before `:` is the service prefix AWS defines, like `s3`, `dynamodb` or `lambda`".to_owned(),
                        |s| format!("did you mean `{s}`?"),
                    ),
                )
            }
            ActionProblem::UnknownAction { suggestion } => (
                format!("`{action}` is not an IAM action AWS defines, so it grants nothing"),
                "unknown action",
                suggestion.map_or_else(
                    || {
                        "check the action's name in the AWS Service Authorization Reference"
                            .to_owned()
                    },
                    |a| format!("did you mean `{a}`?"),
                ),
            ),
            ActionProblem::MatchesNothing => (
                format!("`{action}` matches no IAM action, so it grants nothing"),
                "matches nothing",
                "check the spelling of the pattern's literal part".to_owned(),
            ),
        };
        let span = self.span(place);
        self.push(
            Diagnostic::error(Code::InvalidValue, span, message)
                .with_label(label)
                .with_hint(hint)
                .warning(),
        );
    }

    /// Warns about managed policies that are not AWS managed policies, or whose ARN is wrong.
    fn managed_policies(&mut self, policies: &[String], (section, id): (Section, &str)) {
        use crate::iam::PolicyProblem;
        for (i, reference) in policies.iter().enumerate() {
            let suggest = self.suggestions_left > 0;
            let Err(problem) = crate::iam::policies::managed_policy_with(reference, suggest) else {
                continue;
            };
            if suggest {
                self.suggestions_left -= 1;
            }
            let span = self.span((section, id, &["managed_policies", &i.to_string()]));
            let (message, label, hint) = match problem {
                PolicyProblem::Unknown { suggestion } => (
                    format!("`{reference}` is not an AWS managed policy, so strider cannot tell what it grants"),
                    "unknown managed policy",
                    suggestion.map_or_else(
                        || "name an AWS managed policy (`AmazonDynamoDBReadOnlyAccess`) or its ARN; write your own statements as `permissions`".to_owned(),
                        |p| format!("did you mean `{}`?", p.name),
                    ),
                ),
                PolicyProblem::WrongArn { policy } => (
                    format!("`{reference}` is not the ARN of the AWS managed policy `{}`", policy.name),
                    "wrong ARN",
                    format!("its ARN is `{}` (or write its name alone)", policy.arn()),
                ),
            };
            self.push(
                Diagnostic::error(Code::InvalidValue, span, message)
                    .with_label(label)
                    .with_hint(hint)
                    .warning(),
            );
        }
    }

    /// Warns about unknown SAM policy templates and missing or unknown template parameters.
    fn policy_templates(&mut self, templates: &[super::types::PolicyTemplateRef], id: &str) {
        use crate::iam::TemplateProblem;
        let f = Section::Functions;
        for (i, template) in templates.iter().enumerate() {
            let i = i.to_string();
            let Some((name, values)) = template.template() else {
                let span = self.span((f, id, &["policy_templates", &i]));
                self.push(
                    Diagnostic::error(Code::InvalidValue, span, "a policy template entry names one template")
                        .with_label("not one template")
                        .with_hint("write one template per list item: `- DynamoDBCrudPolicy: {TableName: orders}`")
                        .warning(),
                );
                continue;
            };
            let suggest = self.suggestions_left > 0;
            let template = match crate::iam::policies::policy_template_with(name, suggest) {
                Ok(template) => template,
                Err(TemplateProblem::Unknown { suggestion }) => {
                    if suggest {
                        self.suggestions_left -= 1;
                    }
                    // The template's name: the list item, or the key of its parameters.
                    let span = if values.is_some() {
                        self.span((f, id, &["policy_templates", &i, name]))
                    } else {
                        self.span((f, id, &["policy_templates", &i]))
                    };
                    self.push(
                        Diagnostic::error(Code::InvalidValue, span, format!("`{name}` is not a SAM policy template, so strider cannot tell what it grants"))
                            .with_label("unknown template")
                            .with_hint(suggestion.map_or_else(
                                || "name one of SAM's policy templates, like `DynamoDBCrudPolicy` or `S3ReadPolicy`".to_owned(),
                                |t| format!("did you mean `{}`?", t.name),
                            ))
                            .warning(),
                    );
                    continue;
                }
                Err(_) => continue,
            };
            let empty = BTreeMap::new();
            match template.instantiate(values.unwrap_or(&empty)) {
                Ok(_) | Err(TemplateProblem::Unknown { .. }) => {}
                Err(TemplateProblem::MissingParameters(missing)) => {
                    let span = self.span((f, id, &["policy_templates", &i, name]));
                    let example = missing
                        .iter()
                        .map(|p| format!("{p}: <id>"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    self.push(
                        Diagnostic::error(Code::MissingField, span, format!("policy template `{name}` needs {}", one_of(&missing)))
                            .with_label("missing parameters")
                            .with_hint(format!("give every parameter, naming element ids or ARNs: `{name}: {{{example}}}`"))
                            .warning(),
                    );
                }
                Err(TemplateProblem::UnknownParameters(unknown)) => {
                    for parameter in unknown {
                        let span =
                            self.at
                                .key_at(f, id, &["policy_templates", &i, name, &parameter]);
                        let hint = did_you_mean(&parameter, template.parameters.iter().copied())
                            .unwrap_or_else(|| {
                                if template.parameters.is_empty() {
                                    format!("`{name}` takes no parameters: write `{{}}`")
                                } else {
                                    format!("`{name}` takes {}", one_of(&template.parameters))
                                }
                            });
                        self.push(
                            Diagnostic::error(
                                Code::UnknownKey,
                                span,
                                format!("policy template `{name}` has no parameter `{parameter}`"),
                            )
                            .with_label("unknown parameter")
                            .with_hint(hint)
                            .warning(),
                        );
                    }
                }
            }
        }
    }

    /// An input schema: a JSON Schema file inside the tree strider reads, named relative to the
    /// model file.
    fn input(&mut self, input: &Input, place: Place<'_>) {
        use crate::files::Refusal;
        let Some(schema) = &input.schema else { return };
        let (section, id, _) = place;
        let tree = self.at.tree();
        let base = self
            .model
            .location(section, id)
            .and_then(|l| l.file.parent().map(Path::to_path_buf))
            .unwrap_or_default();
        let path = base.join(schema);
        if self.schemas.get(&path) == Some(&true) {
            return;
        }
        let shown = path.display();
        let outside =
            || format!("input schema `{shown}` is outside the directory tree strider reads");
        // Refused by its name alone first (`/etc/x.json`, `../../x.json`), so nothing outside the
        // tree is even looked at; then by where its links lead, when it is read.
        let base_resolved = std::fs::canonicalize(if base.as_os_str().is_empty() {
            Path::new(".")
        } else {
            &base
        })
        .unwrap_or_else(|_| tree.root().to_path_buf());
        let problem = if lexically_inside(&base_resolved.join(schema), tree.root()) {
            match tree.read(&path, MAX_SCHEMA_BYTES) {
                Err(Refusal::Outside { .. }) => Some(outside() + " once its links are followed"),
                Err(Refusal::NotRegular(_, kind)) => Some(format!(
                    "input schema `{shown}` is {kind}, not a regular file"
                )),
                Err(Refusal::TooLarge { .. }) => Some(format!(
                    "input schema `{shown}` is larger than {} MiB",
                    MAX_SCHEMA_BYTES >> 20
                )),
                Err(Refusal::Io(_, err)) => {
                    Some(format!("input schema `{shown}` cannot be read: {err}"))
                }
                Ok(bytes) => match serde_json::from_slice::<serde_json::Value>(&bytes) {
                    Err(err) => Some(format!("input schema `{shown}` is not valid JSON: {err}")),
                    Ok(serde_json::Value::Object(_) | serde_json::Value::Bool(_)) => None,
                    Ok(_) => Some(format!(
                        "input schema `{shown}` is not a JSON Schema (an object or a boolean)"
                    )),
                },
            }
        } else {
            Some(outside())
        };
        let is_outside = problem
            .as_deref()
            .is_some_and(|m| m.contains("is outside the directory tree"));
        self.schemas.insert(path, problem.is_none());
        if let Some(message) = problem {
            let span = self.span(place);
            let hint = if is_outside {
                "keep schemas inside the model's directory, or pass `--root DIR` to let the model name files anywhere below DIR (the default root is the model's directory)"
            } else {
                "paths are relative to the model file that names them"
            };
            self.push(
                Diagnostic::error(Code::InputSchema, span, message)
                    .with_label("schema file")
                    .with_hint(hint),
            );
        }
    }

    fn roles(&mut self) {
        let model = self.model;
        for id in model.roles.keys() {
            self.permissions(&model.roles[id].permissions, (Section::Roles, id));
            self.managed_policies(&model.roles[id].managed_policies, (Section::Roles, id));
        }
    }

    fn controls(&mut self) {
        let model = self.model;
        for (id, control) in &model.controls {
            for (i, target) in control.applies_to.iter().enumerate() {
                let i = i.to_string();
                self.reference(
                    target,
                    Target::Sections(&[
                        Section::Functions,
                        Section::Channels,
                        Section::Stores,
                        Section::Externals,
                        Section::Actors,
                        Section::Boundaries,
                    ]),
                    &format!("control `{id}`"),
                    (Section::Controls, id, &["applies_to", &i]),
                );
            }
        }
    }

    fn tracking(&mut self) {
        let model = self.model;
        for (id, entry) in &model.tracking {
            if let Some(date) = &entry.date
                && !is_date(date)
            {
                let span = self.span((Section::Tracking, id, &["date"]));
                self.push(
                    Diagnostic::error(Code::InvalidValue, span, format!("`{date}` is not a date"))
                        .with_label("expected YYYY-MM-DD")
                        .with_hint("write review dates as `YYYY-MM-DD`, like `2026-12-31`"),
                );
            }
            let needs_reason = matches!(
                entry.status,
                TrackingStatus::Accepted
                    | TrackingStatus::Mitigated
                    | TrackingStatus::FalsePositive
            );
            if needs_reason
                && entry
                    .justification
                    .as_deref()
                    .is_none_or(|j| j.trim().is_empty())
            {
                let span = self.at.element(Section::Tracking, id);
                self.push(
                    Diagnostic::error(
                        Code::MissingField,
                        span,
                        format!(
                            "tracking entry `{id}` is `{}` without a justification",
                            kebab(&entry.status)
                        ),
                    )
                    .with_label("no `justification`")
                    .with_hint("say why, so a reviewer can check it: `justification: …`")
                    .warning(),
                );
            }
        }
    }
}

/// Whether `path`, with `.` and `..` resolved by name only (no links followed), stays below `root`.
impl Checker<'_, '_, '_> {
    /// Facts an import left open: unclassified data, input whose validation is unknown.
    fn placeholders(&mut self) {
        let model = self.model;
        for (id, asset) in &model.data {
            if asset.classification == super::types::Classification::Unclassified {
                let span = self.span((Section::Data, id, &["classification"]));
                self.push(
                    Diagnostic::error(
                        Code::Placeholder,
                        span,
                        format!("data asset `{id}` is not classified yet: analysis treats it as confidential"),
                    )
                    .with_label("placeholder")
                    .with_hint("say what the data is and classify it: public, internal, confidential or restricted")
                    .warning(),
                );
            }
        }
        for (id, function) in &model.functions {
            let own = function.input.as_ref().map(|i| (String::new(), i));
            let triggers = function
                .triggers
                .iter()
                .enumerate()
                .filter_map(|(n, t)| Some((n.to_string(), t.input.as_ref()?)));
            for (index, input) in own.into_iter().chain(triggers) {
                if input.validated != super::types::Validated::Unknown {
                    continue;
                }
                let path: Vec<&str> = if index.is_empty() {
                    vec!["input", "validated"]
                } else {
                    vec!["triggers", &index, "input", "validated"]
                };
                let span = self.span((Section::Functions, id, &path));
                let which = if index.is_empty() {
                    format!("`{id}`")
                } else {
                    format!("trigger {index} of `{id}`")
                };
                self.push(
                    Diagnostic::error(
                        Code::Placeholder,
                        span,
                        format!("whether the input of {which} is validated is not known yet: analysis treats it as not validated"),
                    )
                    .with_label("placeholder")
                    .with_hint("say `validated: true` (with its `schema`) or `validated: false`")
                    .warning(),
                );
            }
        }
    }
}

/// Most items or objects one store may be seeded with: each is checked after every event.
const MAX_SEEDED: usize = 100;

/// Largest seeded item or object, in bytes.
const MAX_SEEDED_BYTES: usize = 64 * 1024;

/// Whether `name` can be an environment variable's name: letters, digits and `_`, not
/// starting with a digit.
#[must_use]
pub fn is_env_name(name: &str) -> bool {
    name.chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn lexically_inside(path: &Path, root: &Path) -> bool {
    crate::files::lexically_normal(path).starts_with(root)
}

/// What is wrong with a function's `code` directory, if anything: it must be a relative path
/// (not absolute, not a drive or URL) of printable characters.
#[must_use]
pub fn code_problem(code: &str) -> Option<&'static str> {
    let drive =
        code.len() >= 2 && code.as_bytes()[0].is_ascii_alphabetic() && code.as_bytes()[1] == b':';
    if code.trim().is_empty() {
        Some("is empty")
    } else if code.chars().any(char::is_control) {
        Some("holds a control character")
    } else if Path::new(code).is_absolute()
        || code.starts_with(['/', '\\'])
        || drive
        || code.contains("://")
    {
        Some("is not a path relative to the model file")
    } else {
        None
    }
}

fn expected_noun(target: Target) -> &'static str {
    match target {
        Target::Sections([single]) => single.singular(),
        Target::Sections([Section::Stores, Section::Channels]) => "store or channel",
        Target::Sections(_) => "element",
        Target::Channels(_) => "channel",
        Target::Stores(_) => "store",
        Target::ChannelsOrStores(..) => "channel or store",
        Target::ExternalsOrChannels(_) => "external or API",
    }
}

/// `a` or `an` before a word as it is read aloud (`an sqs channel`, `a dynamodb store`).
fn article(word: &str) -> &'static str {
    const SPELT_OUT: [&str; 10] = [
        "sqs", "sns", "s3", "ssm", "http", "alb", "rds", "efs", "iot", "mfa",
    ];
    let vowel = word.starts_with(['a', 'e', 'i', 'o', 'u']);
    if vowel || SPELT_OUT.iter().any(|s| word.starts_with(s)) {
        "an"
    } else {
        "a"
    }
}

/// `service:Action` with wildcards, or `*`.
pub(crate) fn is_action(action: &str) -> bool {
    if action == "*" {
        return true;
    }
    let Some((service, name)) = action.split_once(':') else {
        return false;
    };
    !service.is_empty()
        && service
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'*' || b == b'?')
}

/// `YYYY-MM-DD` with a plausible month and day.
fn is_date(date: &str) -> bool {
    let parts: Vec<&str> = date.split('-').collect();
    let [year, month, day] = parts.as_slice() else {
        return false;
    };
    let number = |s: &str, len: usize| {
        (s.len() == len && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    matches!(
        (number(year, 4), number(month, 2), number(day, 2)),
        (Some(_), Some(1..=12), Some(1..=31))
    )
}

#[cfg(test)]
mod tests {
    use super::code_problem;

    #[test]
    fn code_directories_are_relative_paths_of_printable_characters() {
        for fine in ["src", "src/orders", "../lambda", "src:v2", "."] {
            assert_eq!(code_problem(fine), None, "{fine}");
        }
        for wrong in [
            "",
            "  ",
            "/etc",
            "\\\\share\\x",
            "C:\\src",
            "s3://bucket/key",
            "a\nb",
            "a\0b",
        ] {
            assert!(code_problem(wrong).is_some(), "{wrong:?}");
        }
    }
}
