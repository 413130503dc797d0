//! `strider drift`: where a model and the infrastructure as code it describes disagree.
//!
//! The templates are imported ([`crate::import`]) and the model they make is compared with the
//! architect's, element by element (by id, as `strider import` gives them, else by a function's
//! name): functions, triggers and stores on one side only; permissions the templates grant that
//! the model does not (action by action, on the same element, or on anything); routes whose
//! authentication differs; stores the templates make public or leave unencrypted while the model
//! says otherwise. Each disagreement has a severity (what it hides from the threat model) and,
//! when the templates hold it, the place there; [`render`] writes them as text, JSON or SARIF.

pub mod render;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use serde::Serialize;

use crate::iam::arn::{self, Reference};
use crate::iam::grants::{Grant, Grants};
use crate::model::{AtRest, Model, Section, Trigger, kebab};
use crate::scoring::Severity;

/// The most actions named in one message; the rest are counted.
const MAX_LISTED: usize = 6;

/// What kind of disagreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// A function the templates deploy that the model lacks.
    FunctionNotInModel,
    /// A function of the model the templates do not deploy.
    FunctionNotInTemplates,
    /// A trigger the templates give a function that the model lacks.
    TriggerNotInModel,
    /// A trigger of the model the templates do not give the function.
    TriggerNotInTemplates,
    /// A store the templates create that the model lacks.
    StoreNotInModel,
    /// A store of the model the templates do not create.
    StoreNotInTemplates,
    /// Permissions the templates grant a function that the model does not.
    BroaderPermissions,
    /// A route whose authentication differs.
    RouteAuthDiffers,
    /// A store public in the templates, not in the model.
    PublicInTemplates,
    /// A store, queue, topic or stream unencrypted in the templates, encrypted in the model.
    UnencryptedInTemplates,
}

impl Kind {
    /// The kebab-case name (`broader-permissions`), as JSON and SARIF say it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Kind::FunctionNotInModel => "function-not-in-model",
            Kind::FunctionNotInTemplates => "function-not-in-templates",
            Kind::TriggerNotInModel => "trigger-not-in-model",
            Kind::TriggerNotInTemplates => "trigger-not-in-templates",
            Kind::StoreNotInModel => "store-not-in-model",
            Kind::StoreNotInTemplates => "store-not-in-templates",
            Kind::BroaderPermissions => "broader-permissions",
            Kind::RouteAuthDiffers => "route-auth-differs",
            Kind::PublicInTemplates => "public-in-templates",
            Kind::UnencryptedInTemplates => "unencrypted-in-templates",
        }
    }

    /// What the disagreement hides from the model's analysis: what the templates deploy and
    /// the model does not see weighs more than what the model says and the templates lack.
    fn severity(self) -> Severity {
        match self {
            Kind::BroaderPermissions | Kind::RouteAuthDiffers | Kind::PublicInTemplates => {
                Severity::High
            }
            Kind::FunctionNotInModel
            | Kind::TriggerNotInModel
            | Kind::StoreNotInModel
            | Kind::UnencryptedInTemplates => Severity::Medium,
            Kind::FunctionNotInTemplates
            | Kind::TriggerNotInTemplates
            | Kind::StoreNotInTemplates => Severity::Low,
        }
    }

    /// Every kind, for documentation and SARIF rules.
    pub const ALL: [Kind; 10] = [
        Kind::FunctionNotInModel,
        Kind::FunctionNotInTemplates,
        Kind::TriggerNotInModel,
        Kind::TriggerNotInTemplates,
        Kind::StoreNotInModel,
        Kind::StoreNotInTemplates,
        Kind::BroaderPermissions,
        Kind::RouteAuthDiffers,
        Kind::PublicInTemplates,
        Kind::UnencryptedInTemplates,
    ];

    /// One line saying what the kind means.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Kind::FunctionNotInModel => {
                "Function deployed by the templates, missing from the model"
            }
            Kind::FunctionNotInTemplates => "Function of the model the templates do not deploy",
            Kind::TriggerNotInModel => "Trigger in the templates, missing from the model",
            Kind::TriggerNotInTemplates => "Trigger of the model the templates do not declare",
            Kind::StoreNotInModel => "Store created by the templates, missing from the model",
            Kind::StoreNotInTemplates => "Store of the model the templates do not create",
            Kind::BroaderPermissions => "Permissions broader in the templates than in the model",
            Kind::RouteAuthDiffers => "Route authentication differs between templates and model",
            Kind::PublicInTemplates => "Store more public in the templates than in the model",
            Kind::UnencryptedInTemplates => {
                "Data unencrypted at rest in the templates but not in the model"
            }
        }
    }
}

/// A place in a template: the file (as named on the command line), the line, and for a
/// Terraform plan the resource's address.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Place {
    /// The template file.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// The Terraform resource address, for a plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// One disagreement.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// What kind.
    pub kind: Kind,
    /// How much it hides from the analysis.
    pub severity: Severity,
    /// The element (its id in the model, or the id the import gives it).
    pub element: String,
    /// What disagrees, in a sentence.
    pub message: String,
    /// Where the templates say it, if they do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<Place>,
    /// Where the model says it, if it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<Place>,
}

/// Compares `model` with `templates` (the model `strider import` made of `files`).
#[must_use]
pub fn compare(model: &Model, templates: &Model, files: &[PathBuf]) -> Vec<Drift> {
    let mut c = Comparison {
        model,
        templates,
        files,
        out: Vec::new(),
        ids: BTreeMap::new(),
        // Each model indexed once: indexing it per function made drift quadratic.
        our_grants: Grants::new(model),
        their_grants: Grants::new(templates),
    };
    c.match_elements();
    c.functions();
    c.stores();
    c.channels();
    c.out.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| a.kind.cmp(&b.kind))
            .then_with(|| a.element.cmp(&b.element))
            .then_with(|| a.message.cmp(&b.message))
    });
    c.out
}

struct Comparison<'a> {
    model: &'a Model,
    templates: &'a Model,
    files: &'a [PathBuf],
    out: Vec<Drift>,
    /// Template element id → the model's id for it.
    ids: BTreeMap<String, String>,
    our_grants: Grants<'a>,
    their_grants: Grants<'a>,
}

impl Comparison<'_> {
    /// Template elements are the model's of the same id, else (functions) of the same name.
    fn match_elements(&mut self) {
        for id in self
            .templates
            .functions
            .keys()
            .chain(self.templates.stores.keys())
            .chain(self.templates.channels.keys())
            .chain(self.templates.roles.keys())
        {
            if self.model.functions.contains_key(id)
                || self.model.stores.contains_key(id)
                || self.model.channels.contains_key(id)
                || self.model.roles.contains_key(id)
            {
                self.ids.insert(id.clone(), id.clone());
            }
        }
        let by_name: BTreeMap<&str, &str> = self
            .model
            .functions
            .iter()
            .filter_map(|(id, f)| Some((f.name.as_deref()?, id.as_str())))
            .collect();
        for (id, f) in &self.templates.functions {
            if self.ids.contains_key(id) {
                continue;
            }
            if let Some(own) = f.name.as_deref().and_then(|n| by_name.get(n)) {
                self.ids.insert(id.clone(), (*own).to_owned());
            }
        }
    }

    /// The model's id for a template element id.
    fn own(&self, id: &str) -> Option<&str> {
        self.ids.get(id).map(String::as_str)
    }

    fn add(&mut self, kind: Kind, element: &str, message: String, from: Places) {
        self.out.push(Drift {
            kind,
            severity: kind.severity(),
            element: element.to_owned(),
            message,
            template: from.0,
            model: from.1,
        });
    }

    /// Where a template element came from (its `source`), as a place in a file named.
    fn template_place(&self, source: Option<&str>) -> Option<Place> {
        let source = source?;
        let (name, line, address) = if let Some((name, address)) = source.split_once('#') {
            (name, 1, Some(address.to_owned()))
        } else {
            let (name, line) = source.rsplit_once(':')?;
            (name, line.parse().ok()?, None)
        };
        let file = self
            .files
            .iter()
            .find(|f| f.file_name().is_some_and(|n| n.to_string_lossy() == name))?;
        Some(Place {
            file: file.clone(),
            line,
            address,
        })
    }

    /// Whether an element of the model, imported from `source` (or written by hand), is
    /// one the templates compared should declare: not one imported from another file.
    fn ours_to_declare(&self, source: Option<&str>) -> bool {
        source.is_none_or(|s| self.template_place(Some(s)).is_some())
    }

    fn model_place(&self, section: Section, id: &str) -> Option<Place> {
        self.model.location(section, id).map(|l| Place {
            file: l.file.clone(),
            line: l.line,
            address: None,
        })
    }

    fn functions(&mut self) {
        let templates = self.templates;
        let model = self.model;
        let mut seen = BTreeSet::new();
        for (id, theirs) in &templates.functions {
            let place = self.template_place(theirs.source.as_deref());
            let Some(own) = self.own(id).map(str::to_owned) else {
                self.add(
                    Kind::FunctionNotInModel,
                    id,
                    format!("function `{id}` is deployed by the templates but is not in the model"),
                    (place, None),
                );
                continue;
            };
            seen.insert(own.clone());
            let Some(ours) = model.functions.get(&own) else {
                continue;
            };
            let model_place = self.model_place(Section::Functions, &own);
            self.triggers(
                &own,
                &theirs.triggers,
                &ours.triggers,
                &(place.clone(), model_place.clone()),
            );
            self.permissions(id, &own, (place, model_place));
        }
        for (id, f) in &model.functions {
            if !seen.contains(id) && self.ours_to_declare(f.source.as_deref()) {
                let place = self.model_place(Section::Functions, id);
                self.add(
                    Kind::FunctionNotInTemplates,
                    id,
                    format!("function `{id}` of the model is not deployed by the templates"),
                    (None, place),
                );
            }
        }
    }

    /// A trigger as compared: kind, source (the model's id for it), method and path.
    fn trigger_key(&self, t: &Trigger, translate: bool) -> String {
        let source = t.source.as_deref().unwrap_or("");
        let source = if translate {
            self.own(source).unwrap_or(source)
        } else {
            source
        };
        let mut key = format!("{} from `{source}`", kebab(&t.kind));
        if let Some(method) = &t.method {
            key.push_str(&format!(" {method}"));
        }
        if let Some(path) = &t.path {
            key.push_str(&format!(" {path}"));
        }
        key
    }

    fn triggers(&mut self, function: &str, theirs: &[Trigger], ours: &[Trigger], places: &Places) {
        let theirs: BTreeMap<String, &Trigger> = theirs
            .iter()
            .map(|t| (self.trigger_key(t, true), t))
            .collect();
        let ours: BTreeMap<String, &Trigger> = ours
            .iter()
            .map(|t| (self.trigger_key(t, false), t))
            .collect();
        for (key, t) in &theirs {
            match ours.get(key) {
                None => self.add(
                    Kind::TriggerNotInModel,
                    function,
                    format!(
                        "the templates start `{function}` by {key}, which the model does not say"
                    ),
                    places.clone(),
                ),
                Some(o) => {
                    let (their_auth, our_auth) =
                        (Self::auth(self.templates, t), Self::auth(self.model, o));
                    // Templates cannot say that a handler checks tokens itself: the model's
                    // `auth: code` stands for an open route in the templates.
                    let in_code = our_auth == Some(crate::model::Auth::Code)
                        && matches!(their_auth, None | Some(crate::model::Auth::None));
                    if their_auth != our_auth && !in_code {
                        self.add(
                            Kind::RouteAuthDiffers,
                            function,
                            format!(
                                "{key} of `{function}` is authenticated by {} in the templates, by {} in the model",
                                auth_name(their_auth),
                                auth_name(our_auth)
                            ),
                            places.clone(),
                        );
                    }
                }
            }
        }
        for key in ours.keys() {
            if !theirs.contains_key(key) {
                self.add(
                    Kind::TriggerNotInTemplates,
                    function,
                    format!(
                        "the model starts `{function}` by {key}, which the templates do not declare"
                    ),
                    (None, places.1.clone()),
                );
            }
        }
    }

    /// A route's authentication: its own, else its API's.
    fn auth(model: &Model, t: &Trigger) -> Option<crate::model::Auth> {
        let channel = t.source.as_deref().and_then(|s| model.channels.get(s));
        t.auth.or(channel.and_then(|c| c.auth))
    }

    /// Actions the templates let a function take, on an element or on anything, that the model
    /// does not: per element, the statements' patterns as written and the actions beyond the
    /// model's, the most dangerous (permissions management, then writes) named first.
    fn permissions(&mut self, theirs: &str, ours: &str, places: Places) {
        let mine: BTreeSet<(String, String)> =
            granted(&self.our_grants.of(ours)).into_keys().collect();
        // Scope → (patterns as written, actions beyond the model's by (rank, name)).
        let mut broader: BTreeMap<String, Beyond> = BTreeMap::new();
        for ((action, scope), (written, rank)) in granted(&self.their_grants.of(theirs)) {
            let scope = self.own(&scope).map_or(scope.clone(), str::to_owned);
            if mine.contains(&(action.clone(), scope.clone()))
                || mine.contains(&(action.clone(), "*".to_owned()))
            {
                continue;
            }
            let entry = broader.entry(scope).or_default();
            entry.0.insert(written);
            entry.1.insert((rank, action));
        }
        if broader.is_empty() {
            return;
        }
        let parts: Vec<String> = broader
            .iter()
            .map(|(scope, (written, actions))| {
                let on = if scope == "*" {
                    "any resource".to_owned()
                } else {
                    format!("`{scope}`")
                };
                let listed: Vec<&str> = actions
                    .iter()
                    .take(MAX_LISTED)
                    .map(|(_, a)| a.as_str())
                    .collect();
                let patterns: Vec<&str> = written
                    .iter()
                    .filter(|w| w.contains('*'))
                    .map(String::as_str)
                    .collect();
                let more = actions.len().saturating_sub(MAX_LISTED);
                let mut part = listed.join(", ");
                if more > 0 {
                    part.push_str(&format!(" and {more} more"));
                }
                if !patterns.is_empty() {
                    part = format!("{} ({part})", patterns.join(", "));
                }
                format!("{part} on {on}")
            })
            .collect();
        self.add(
            Kind::BroaderPermissions,
            ours,
            format!(
                "the templates let `{ours}` do what the model does not: {}",
                parts.join("; ")
            ),
            places,
        );
    }

    fn stores(&mut self) {
        let templates = self.templates;
        let model = self.model;
        let mut seen = BTreeSet::new();
        for (id, theirs) in &templates.stores {
            let place = self.template_place(theirs.source.as_deref());
            let Some(ours) = self.own(id).and_then(|own| model.stores.get(own)) else {
                self.add(
                    Kind::StoreNotInModel,
                    id,
                    format!(
                        "{} `{id}` is created by the templates but is not in the model",
                        kebab(&theirs.kind)
                    ),
                    (place, None),
                );
                continue;
            };
            seen.insert(id.clone());
            let places = (place, self.model_place(Section::Stores, id));
            let broader: Vec<&str> = theirs
                .public
                .words()
                .into_iter()
                .filter(|w| !ours.public.words().contains(w))
                .collect();
            if !broader.is_empty() {
                let said = if ours.public.any() {
                    format!("only `{}`", ours.public.words().join("`, `"))
                } else {
                    "nothing".to_owned()
                };
                self.add(
                    Kind::PublicInTemplates,
                    id,
                    format!(
                        "anyone may {} `{id}` in the templates; the model says {said}",
                        broader.join(", ")
                    ),
                    places.clone(),
                );
            }
            let at_rest = |s: &crate::model::Store| s.encryption.map(|e| e.at_rest);
            if at_rest(theirs) == Some(AtRest::None)
                && at_rest(ours).is_some_and(|a| a != AtRest::None)
            {
                self.add(
                    Kind::UnencryptedInTemplates,
                    id,
                    format!(
                        "`{id}` is not encrypted at rest in the templates; the model says it is"
                    ),
                    places,
                );
            }
        }
        // Stores imported from these templates, and hand-written ones of kinds the templates
        // create; the model's other stores (databases elsewhere, other stacks) are not theirs.
        let kinds: BTreeSet<String> = templates.stores.values().map(|s| kebab(&s.kind)).collect();
        for (id, store) in &model.stores {
            let declared = match store.source.as_deref() {
                Some(source) => self.ours_to_declare(Some(source)),
                None => kinds.contains(&kebab(&store.kind)),
            };
            if !seen.contains(id) && declared {
                let place = self.model_place(Section::Stores, id);
                self.add(
                    Kind::StoreNotInTemplates,
                    id,
                    format!(
                        "{} `{id}` of the model is not created by the templates",
                        kebab(&store.kind)
                    ),
                    (None, place),
                );
            }
        }
    }
}

impl Comparison<'_> {
    /// Queues, topics and streams the templates leave unencrypted while the model encrypts them
    /// (buckets and tables are always encrypted at rest today; SQS managed encryption can be
    /// turned off).
    fn channels(&mut self) {
        let templates = self.templates;
        for (id, theirs) in &templates.channels {
            let Some(own) = self.own(id).map(str::to_owned) else {
                continue;
            };
            let Some(ours) = self.model.channels.get(&own) else {
                continue;
            };
            let at_rest = |e: Option<crate::model::Encryption>| e.map(|e| e.at_rest);
            if at_rest(theirs.encryption) == Some(AtRest::None)
                && at_rest(ours.encryption).is_some_and(|a| a != AtRest::None)
            {
                let places = (
                    self.template_place(theirs.source.as_deref()),
                    self.model_place(Section::Channels, &own),
                );
                self.add(
                    Kind::UnencryptedInTemplates,
                    &own,
                    format!("{} `{own}` is not encrypted at rest in the templates; the model says it is", kebab(&theirs.kind)),
                    places,
                );
            }
        }
    }
}

/// What a function's role allows: (action, element id or ARN or `*`) → (the pattern it was
/// written as, how dangerous the action is: 0 for permissions management, 1 write, 2 tagging,
/// 3 read, 4 list).
fn granted(grants: &[Grant<'_>]) -> BTreeMap<(String, String), (String, u8)> {
    use crate::iam::AccessLevel;
    let mut pairs = BTreeMap::new();
    for g in grants.iter().filter(|g| g.allows()) {
        let scopes: Vec<String> = if g.not_resource {
            vec!["*".to_owned()]
        } else {
            g.resources.iter().flat_map(scopes_of).collect()
        };
        let written = if g.not_action {
            format!("NotAction {}", g.written_actions.join(", "))
        } else {
            g.written_actions.join(", ")
        };
        for action in g.actions.iter() {
            let rank = match action.level {
                AccessLevel::PermissionsManagement => 0,
                AccessLevel::Write => 1,
                AccessLevel::Tagging => 2,
                AccessLevel::Read => 3,
                AccessLevel::List => 4,
            };
            for scope in &scopes {
                pairs
                    .entry((format!("{}:{}", action.service, action.name), scope.clone()))
                    .or_insert_with(|| (written.clone(), rank));
            }
        }
    }
    pairs
}

/// What a grant's resource is about: `*` when broad, else the elements it names (or a part
/// of), else the ARN as written.
fn scopes_of(resource: &crate::iam::grants::Resource<'_>) -> Vec<String> {
    if arn::is_broad(&resource.written) {
        return vec!["*".to_owned()];
    }
    let named: Vec<String> = resource
        .targets
        .iter()
        .filter(|t| matches!(t.reference, Reference::Whole | Reference::Part(_)))
        .map(|t| t.id.to_owned())
        .collect();
    if named.is_empty() {
        vec![resource.written.to_string()]
    } else {
        named
    }
}

/// For one element: the patterns as written, and the actions beyond the model's by (rank, name).
type Beyond = (BTreeSet<String>, BTreeSet<(u8, String)>);

/// (where in the templates, where in the model).
type Places = (Option<Place>, Option<Place>);

fn auth_name(auth: Option<crate::model::Auth>) -> String {
    auth.map_or_else(|| "nothing".to_owned(), |a| format!("`{}`", kebab(&a)))
}
