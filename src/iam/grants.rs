//! A function's effective grants: everything its role lets it do, whatever declared it — inline
//! `permissions`, its shared role's statements, AWS managed policies (the function's and the
//! role's) and SAM policy templates — each grant with its origin, its actions expanded through the
//! catalogue and its resources matched to the model's elements.
//!
//! This is the one seam the permission rules read (`wildcard-permission`, `shared-role`,
//! `privileged-action-on-public-path`, `unused-permission`, `flow-without-permission`).
//! Unknown policies, templates and actions grant nothing here; validation warns about them.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::Arc;

use super::arn::{self, Reference, ResourceKind};
use super::catalogue::{Action, catalogue};
use super::policies::{Effect, Statement, managed_policy_with, policy_template_with};
use super::privilege::is_privileged;
use crate::model::{ChannelKind, Function, Model, Permission, Section, StoreKind};

/// Where a grant comes from, for explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origin<'m> {
    /// The function's inline `permissions`.
    Inline,
    /// The `permissions` of the shared role the function runs as.
    Role(&'m str),
    /// An AWS managed policy, attached to the function (`role: None`) or to its shared role.
    ManagedPolicy {
        /// The policy's name.
        policy: &'static str,
        /// The shared role it is attached to, if it is not the function's own.
        role: Option<&'m str>,
    },
    /// A SAM policy template on the function.
    Template(&'static str),
}

impl fmt::Display for Origin<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Inline => f.write_str("inline permissions"),
            Origin::Role(role) => write!(f, "role `{role}`"),
            Origin::ManagedPolicy { policy, role: None } => write!(f, "managed policy `{policy}`"),
            Origin::ManagedPolicy {
                policy,
                role: Some(role),
            } => write!(f, "managed policy `{policy}` of role `{role}`"),
            Origin::Template(template) => write!(f, "policy template `{template}`"),
        }
    }
}

/// A modelled element a grant's resource relates to, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Target<'m> {
    /// The element's section (stores, channels or functions).
    pub section: Section,
    /// The element's id.
    pub id: &'m str,
    /// How the resource relates to it: the element, a part of it, or a wildcard covering it.
    pub reference: Reference,
}

/// One resource of a grant, as written, and the elements it relates to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resource<'m> {
    /// The resource as written (an ARN, `*`, an element id), after template substitution.
    pub written: Cow<'m, str>,
    /// Elements it names or covers, in model order; empty when it names nothing modelled.
    pub targets: Vec<Target<'m>>,
}

/// One statement a function's role holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant<'m> {
    /// Where it comes from.
    pub origin: Origin<'m>,
    /// Allow or deny.
    pub effect: Effect,
    /// Action patterns as written (`NotAction` ones when `not_action`).
    pub written_actions: Vec<Cow<'m, str>>,
    /// Whether the statement is a `NotAction` one.
    pub not_action: bool,
    /// The actions it is about, expanded through the catalogue (for `NotAction`, every action
    /// the list does not match), grouped by service, without duplicates.
    pub actions: Arc<[&'static Action]>,
    /// Its resources (`NotResource` ones when `not_resource`).
    pub resources: Vec<Resource<'m>>,
    /// Whether the statement is a `NotResource` one: it is about every resource not listed.
    pub not_resource: bool,
    /// Whether a `Condition` narrows it (not evaluated).
    pub conditional: bool,
}

impl Grant<'_> {
    /// Whether the grant allows (rather than denies).
    #[must_use]
    pub fn allows(&self) -> bool {
        self.effect == Effect::Allow
    }

    /// Whether the grant is about resources of every name (`*`, `arn:aws:s3:::*`,
    /// `…:table/*`, or `NotResource`): see [`super::arn::is_broad`].
    #[must_use]
    pub fn has_wildcard_resource(&self) -> bool {
        self.not_resource || self.resources.iter().any(|r| arn::is_broad(&r.written))
    }

    /// Whether the grant is about resources of every name ([`Grant::has_wildcard_resource`]) for
    /// an action that could be granted on fewer: actions without resource types
    /// (`ses:VerifyEmailIdentity`, `ec2:DescribeNetworkInterfaces`) are only ever granted on
    /// `*`, which then says nothing broad.
    #[must_use]
    pub fn has_broad_resource(&self) -> bool {
        self.has_wildcard_resource() && self.actions.iter().any(|a| a.is_scopable())
    }

    /// The resources as written, comma-separated (`NotResource` ones prefixed `not `).
    #[must_use]
    pub fn written_resources(&self) -> String {
        let written: Vec<&str> = self.resources.iter().map(|r| r.written.as_ref()).collect();
        if self.not_resource {
            format!("not {}", written.join(", "))
        } else {
            written.join(", ")
        }
    }

    /// Whether an action is written as a broad pattern (`s3:*`, `s3:Put*`, `*`: see
    /// [`crate::iam::Catalogue::is_broad_pattern`]) or as `NotAction`.
    #[must_use]
    pub fn has_broad_action(&self) -> bool {
        let catalogue = catalogue();
        self.not_action
            || self
                .written_actions
                .iter()
                .any(|a| catalogue.is_broad_pattern(a))
    }

    /// The action patterns as written that grant a privileged action
    /// ([`crate::iam::privilege`]), in written order; for a `NotAction` statement, the whole
    /// statement (`every action but …`). Empty when nothing it grants is privileged.
    #[must_use]
    pub fn privileged_patterns(&self) -> Vec<String> {
        if !self.actions.iter().any(|a| is_privileged(a)) {
            return Vec::new();
        }
        if self.not_action {
            return vec![format!(
                "every action but {}",
                self.written_actions.join(", ")
            )];
        }
        let catalogue = catalogue();
        self.written_actions
            .iter()
            .filter(|p| catalogue.expand(p).iter().any(|a| is_privileged(a)))
            .map(ToString::to_string)
            .collect()
    }
}

/// Every grant of function `id`, in a stable order: inline permissions, role statements, managed
/// policies (the function's, then the role's), templates. Empty for an unknown function.
#[must_use]
pub fn effective_grants<'m>(model: &'m Model, id: &str) -> Vec<Grant<'m>> {
    match model.functions.get(id) {
        Some(function) => grants_of(model, function, &Index::new(model)),
        None => Vec::new(),
    }
}

/// The effective grants of every function, by id: [`effective_grants`] with the model's
/// elements indexed once.
#[must_use]
pub fn all_effective_grants(model: &Model) -> BTreeMap<&str, Vec<Grant<'_>>> {
    let index = Index::new(model);
    model
        .functions
        .iter()
        .map(|(id, function)| (id.as_str(), grants_of(model, function, &index)))
        .collect()
}

/// A model's elements indexed once, to ask for functions' grants one at a time (holding only
/// the grants asked for, unlike [`all_effective_grants`]).
pub struct Grants<'m> {
    model: &'m Model,
    index: Index<'m>,
}

impl<'m> Grants<'m> {
    /// Indexes `model`.
    #[must_use]
    pub fn new(model: &'m Model) -> Self {
        Grants {
            model,
            index: Index::new(model),
        }
    }

    /// [`effective_grants`] of function `id`, without indexing the model again.
    #[must_use]
    pub fn of(&self, id: &str) -> Vec<Grant<'m>> {
        match self.model.functions.get(id) {
            Some(function) => grants_of(self.model, function, &self.index),
            None => Vec::new(),
        }
    }
}

/// Actions a statement grants, shared by every grant of the same statement.
type Actions = Arc<[&'static Action]>;

/// The model's elements, and the action lists already expanded: the same policies (an
/// `AdministratorAccess` on every function, expanding to every action) are expanded once.
struct Index<'m> {
    elements: Vec<Element<'m>>,
    /// (written actions, `NotAction`) → the actions they grant.
    expanded: RefCell<HashMap<(Vec<String>, bool), Actions>>,
}

impl<'m> Index<'m> {
    fn new(model: &'m Model) -> Self {
        Index {
            elements: elements(model),
            expanded: RefCell::new(HashMap::new()),
        }
    }

    /// The actions `written` grants (every other action, for `NotAction`), by service, once.
    fn expand(&self, written: &[Cow<'_, str>], not_action: bool) -> Arc<[&'static Action]> {
        let key = (
            written.iter().map(ToString::to_string).collect(),
            not_action,
        );
        if let Some(actions) = self.expanded.borrow().get(&key) {
            return Arc::clone(actions);
        }
        let actions: Arc<[&'static Action]> = expand(written, not_action).into();
        self.expanded.borrow_mut().insert(key, Arc::clone(&actions));
        actions
    }
}

fn expand(written: &[Cow<'_, str>], not_action: bool) -> Vec<&'static Action> {
    let catalogue = catalogue();
    let mut actions: Vec<&'static Action> = written
        .iter()
        .flat_map(|pattern| catalogue.expand(pattern))
        .collect();
    let key = |a: &&Action| (a.service, a.name);
    actions.sort_by_key(key);
    actions.dedup_by_key(|a| key(a));
    if not_action {
        let listed = actions;
        actions = catalogue
            .actions()
            .filter(|a| listed.binary_search_by_key(&key(a), key).is_err())
            .collect();
        actions.sort_by_key(key);
    }
    actions
}

fn grants_of<'m>(model: &'m Model, function: &'m Function, elements: &Index<'m>) -> Vec<Grant<'m>> {
    let mut grants = Vec::new();
    let inline =
        |permissions: &'m [Permission], origin: Origin<'m>, grants: &mut Vec<Grant<'m>>| {
            for permission in permissions {
                grants.push(grant(
                    origin,
                    Effect::Allow,
                    permission
                        .allow
                        .iter()
                        .map(|a| Cow::Borrowed(a.as_str()))
                        .collect(),
                    false,
                    permission
                        .on
                        .iter()
                        .map(|r| Cow::Borrowed(r.as_str()))
                        .collect(),
                    false,
                    false,
                    elements,
                ));
            }
        };
    inline(&function.permissions, Origin::Inline, &mut grants);
    let role = function
        .role
        .as_deref()
        .and_then(|r| model.roles.get_key_value(r));
    if let Some((role_id, role)) = role {
        inline(&role.permissions, Origin::Role(role_id), &mut grants);
    }
    let managed =
        function
            .managed_policies
            .iter()
            .map(|p| (p, None))
            .chain(role.into_iter().flat_map(|(role_id, role)| {
                role.managed_policies
                    .iter()
                    .map(move |p| (p, Some(role_id.as_str())))
            }));
    for (reference, role) in managed {
        let Ok(policy) = managed_policy_with(reference, false) else {
            continue;
        };
        let origin = Origin::ManagedPolicy {
            policy: policy.name,
            role,
        };
        for statement in &policy.statements {
            grants.push(from_statement(origin, statement.clone(), elements));
        }
    }
    for template in &function.policy_templates {
        let Some((name, values)) = template.template() else {
            continue;
        };
        let Ok(template) = policy_template_with(name, false) else {
            continue;
        };
        let empty = BTreeMap::new();
        let Ok(statements) = template.instantiate(values.unwrap_or(&empty)) else {
            continue;
        };
        for statement in statements {
            grants.push(from_statement(
                Origin::Template(template.name),
                statement,
                elements,
            ));
        }
    }
    grants
}

fn from_statement<'m>(origin: Origin<'m>, statement: Statement, elements: &Index<'m>) -> Grant<'m> {
    grant(
        origin,
        statement.effect,
        statement.actions.into_iter().map(Cow::Borrowed).collect(),
        statement.not_action,
        statement
            .resources
            .into_iter()
            .map(|r| match r {
                Cow::Borrowed(r) => Cow::Borrowed(r),
                Cow::Owned(r) => Cow::Owned(r),
            })
            .collect(),
        statement.not_resource,
        statement.conditional,
        elements,
    )
}

#[allow(clippy::too_many_arguments)]
fn grant<'m>(
    origin: Origin<'m>,
    effect: Effect,
    written_actions: Vec<Cow<'m, str>>,
    not_action: bool,
    written_resources: Vec<Cow<'m, str>>,
    not_resource: bool,
    conditional: bool,
    elements: &Index<'m>,
) -> Grant<'m> {
    let actions = elements.expand(&written_actions, not_action);
    let resources = written_resources
        .into_iter()
        .map(|written| {
            let targets = elements
                .elements
                .iter()
                .filter_map(|element| {
                    let reference = element.classify(&written);
                    (reference != Reference::Unrelated).then_some(Target {
                        section: element.section,
                        id: element.id,
                        reference,
                    })
                })
                .collect();
            Resource { written, targets }
        })
        .collect();
    Grant {
        origin,
        effect,
        written_actions,
        not_action,
        actions,
        resources,
        not_resource,
        conditional,
    }
}

/// A modelled element an ARN can name.
struct Element<'m> {
    section: Section,
    id: &'m str,
    /// Its display name, when it could be a resource name.
    name: Option<&'m str>,
    kind: Option<ResourceKind>,
}

impl Element<'_> {
    /// How a resource relates to the element, by its id or its name, the closer of the two. A
    /// resource that is not an ARN or `*` is a model id: it names the element with that id only.
    fn classify(&self, resource: &str) -> Reference {
        if !resource.starts_with("arn:") && !resource.bytes().all(|b| b == b'*') {
            return if resource == self.id {
                Reference::Whole
            } else {
                Reference::Unrelated
            };
        }
        let by = |name: &str| match self.kind {
            Some(kind) => arn::classify(resource, kind, name),
            // Externals have no ARN: only their id or `*` names them.
            None if resource == name => Reference::Whole,
            None => Reference::Unrelated,
        };
        let by_id = by(self.id);
        match self.name {
            Some(name)
                if by_id == Reference::Unrelated || matches!(by_id, Reference::Wildcard { .. }) =>
            {
                let by_name = by(name);
                if matches!(by_name, Reference::Whole | Reference::Part(_)) {
                    by_name
                } else {
                    by_id
                }
            }
            _ => by_id,
        }
    }
}

/// A display name that could be a resource name (no whitespace).
fn name(display: Option<&String>) -> Option<&str> {
    display
        .map(String::as_str)
        .filter(|n| !n.contains(char::is_whitespace))
}

/// The elements of a model an ARN can name, in model order.
fn elements(model: &Model) -> Vec<Element<'_>> {
    let mut elements = Vec::new();
    for (id, store) in &model.stores {
        elements.push(Element {
            section: Section::Stores,
            id,
            name: name(store.name.as_ref()),
            kind: Some(store_kind(store.kind)),
        });
    }
    for (id, channel) in &model.channels {
        // A DynamoDB stream is named by its table.
        let (id_name, display) = match (channel.kind, &channel.table) {
            (ChannelKind::DynamodbStream, Some(table)) => (Some(table.as_str()), None),
            _ => (None, name(channel.name.as_ref())),
        };
        elements.push(Element {
            section: Section::Channels,
            id,
            name: id_name.or(display),
            kind: Some(channel_kind(channel.kind)),
        });
    }
    for (id, function) in &model.functions {
        elements.push(Element {
            section: Section::Functions,
            id,
            name: name(function.name.as_ref()),
            kind: Some(ResourceKind::Function),
        });
    }
    for id in model.externals.keys() {
        elements.push(Element {
            section: Section::Externals,
            id,
            name: None,
            kind: None,
        });
    }
    elements
}

fn store_kind(kind: StoreKind) -> ResourceKind {
    match kind {
        StoreKind::Dynamodb => ResourceKind::Table,
        StoreKind::S3 => ResourceKind::Bucket,
        StoreKind::Rds | StoreKind::Aurora | StoreKind::Documentdb => ResourceKind::Database,
        StoreKind::Elasticache => ResourceKind::Cache,
        StoreKind::Efs => ResourceKind::FileSystem,
        StoreKind::Opensearch => ResourceKind::SearchDomain,
        StoreKind::Redshift => ResourceKind::Warehouse,
        StoreKind::SecretsManager => ResourceKind::Secret,
        StoreKind::Ssm => ResourceKind::Parameter,
        // Files in a function's code package come with the function (`lambda:GetFunction`).
        StoreKind::Bundled => ResourceKind::Function,
    }
}

fn channel_kind(kind: ChannelKind) -> ResourceKind {
    match kind {
        ChannelKind::ApiGatewayRest
        | ChannelKind::ApiGatewayHttp
        | ChannelKind::ApiGatewayWebsocket => ResourceKind::Api,
        ChannelKind::FunctionUrl => ResourceKind::Function,
        ChannelKind::Alb => ResourceKind::LoadBalancer,
        ChannelKind::Sqs => ResourceKind::Queue,
        ChannelKind::Sns => ResourceKind::Topic,
        ChannelKind::Kinesis => ResourceKind::KinesisStream,
        ChannelKind::DynamodbStream => ResourceKind::TableStream,
        ChannelKind::Eventbridge => ResourceKind::EventBus,
        ChannelKind::Schedule => ResourceKind::Schedule,
        ChannelKind::Cognito => ResourceKind::UserPool,
        ChannelKind::Iot => ResourceKind::IotRule,
        ChannelKind::Email => ResourceKind::EmailIdentity,
    }
}
