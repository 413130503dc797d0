//! The model format, version 1: the Rust types a model file decodes into.
//!
//! These types are the single source of the format: the JSON Schema (`strider schema`) is derived
//! from them, the validator checks files against that schema, and serde decodes valid files into
//! them. Doc comments become the schema's descriptions, so editors show them on hover.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The largest reserved concurrency a model may declare, far above any account's quota.
pub const MAX_RESERVED_CONCURRENCY: u32 = 1_000_000;

/// The HTTP methods a route may name (`ANY` and `*` for every method).
pub const HTTP_METHODS: [&str; 9] = [
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "ANY", "*",
];

/// An element id: a stable map key that threats, tracking entries and diffs refer to.
pub type Id = String;

/// One model file. A model is one file or a directory of files that are merged into one model.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "strider model (format version 1)")]
pub struct ModelFile {
    /// Format version of the model. Only `1` exists.
    pub strider: u32,
    /// Name of the system the model describes (declared in exactly one file of a model).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the system does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Team or person who owns the model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Trust boundaries, keyed by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub boundaries: BTreeMap<Id, Boundary>,
    /// Data assets, keyed by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<Id, DataAsset>,
    /// People and systems that start things, keyed by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub actors: BTreeMap<Id, Actor>,
    /// Third-party services that functions call, keyed by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub externals: BTreeMap<Id, External>,
    /// Data stores, keyed by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub stores: BTreeMap<Id, Store>,
    /// Event sources that are not stores: APIs, queues, topics, streams, buses, schedules, user pools.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub channels: BTreeMap<Id, Channel>,
    /// The compute: serverless functions, keyed by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub functions: BTreeMap<Id, Function>,
    /// Shared IAM roles, keyed by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub roles: BTreeMap<Id, Role>,
    /// Declared mitigations that rules take into account, keyed by id.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub controls: BTreeMap<Id, Control>,
    /// Risk tracking: a threat id (or a glob over whole threat ids) to its status.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tracking: BTreeMap<String, TrackingEntry>,
}

/// A trust boundary: an account, a VPC, the internet, a partner's network.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Boundary {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the boundary encloses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// How far what is inside the boundary is trusted.
    pub trust: Trust,
    /// The enclosing boundary (an account encloses a VPC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<Id>,
}

/// Trust level of a boundary.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Trust {
    /// Anyone can be inside: the internet.
    Untrusted,
    /// A third party under contract.
    Partner,
    /// Your own infrastructure.
    Trusted,
}

/// A data asset: what the system stores or moves, and how sensitive it is.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DataAsset {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// What the data is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Sensitivity of the data.
    pub classification: Classification,
    /// Regulatory and kind tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<DataTag>,
    /// Optional confidentiality / integrity / availability ratings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cia: Option<Cia>,
}

/// Data classification, from least to most sensitive.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Classification {
    /// May be published.
    Public,
    /// Internal to the organisation.
    Internal,
    /// Harmful if disclosed.
    Confidential,
    /// Not classified yet: a placeholder `strider import` writes for the architect to replace.
    /// `validate` lists it; analysis treats it as at least confidential (it orders between
    /// confidential and restricted), never as public.
    Unclassified,
    /// Severe harm if disclosed: card data, health records, credentials.
    Restricted,
}

/// Regulatory and kind tags on data.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum DataTag {
    /// Personally identifiable information.
    Pii,
    /// Payment card data (PCI DSS scope).
    PciDss,
    /// Protected health information (HIPAA scope).
    Hipaa,
    /// Personal data of EU residents (GDPR scope).
    Gdpr,
    /// Secrets, passwords, tokens, keys.
    Credentials,
    /// Financial records.
    Financial,
}

/// Confidentiality, integrity and availability ratings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cia {
    /// How bad disclosure would be.
    pub confidentiality: Rating,
    /// How bad tampering would be.
    pub integrity: Rating,
    /// How bad loss would be.
    pub availability: Rating,
}

/// A low / medium / high rating.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Rating {
    /// Little harm.
    Low,
    /// Noticeable harm.
    Medium,
    /// Serious harm.
    High,
}

/// A person or system that starts things: a customer, an administrator, a partner system.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Actor {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Who the actor is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A person or a system.
    #[serde(default)]
    pub kind: ActorKind,
    /// Where the actor sits.
    pub boundary: Id,
    /// Whether the actor is authenticated when it uses the system.
    #[serde(default)]
    pub authenticated: bool,
    /// Whether the actor is an administrator or operator: an API or function URL that only
    /// administrators use is an administrative route, and the functions behind it administrative.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub administrative: bool,
    /// Channels the actor sends requests or events to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<FlowRef>,
    /// Stores the actor writes to directly, not through a function: presigned upload URLs,
    /// temporary credentials from an identity pool, a shared database.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub writes: Vec<FlowRef>,
}

/// Whether an actor is a person or a system.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ActorKind {
    /// A human user.
    #[default]
    Person,
    /// Another system or service.
    System,
}

/// A third-party service: a payment API, an email provider.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct External {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the element was imported from (`template.yaml:12`), as `strider import` writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What the service does for the system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the service sits.
    pub boundary: Id,
    /// Protocol spoken with it (https, grpc, smtp…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    /// Whether traffic to it is protected by TLS.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<bool>,
    /// Channels it sends requests or callbacks to (webhooks).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<FlowRef>,
    /// Stores it writes to directly (a partner's cross-account role on a bucket).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub writes: Vec<FlowRef>,
    /// Other externals it passes the system's data on to (a payment provider's fraud service, a
    /// mail provider's tracking).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<FlowRef>,
}

/// A reference along a data flow: an id, or an id with the data the flow carries.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum FlowRef {
    /// Just the target id; the flow carries the target's declared data.
    Id(Id),
    /// The target id and the data the flow carries.
    Detailed(DetailedFlowRef),
}

/// A flow target with the data the flow carries.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DetailedFlowRef {
    /// The element at the other end of the flow.
    pub to: Id,
    /// Data assets the flow carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<Id>,
    /// The object keys a write to an `s3` bucket creates: a key, or a pattern with `*` for any
    /// run of characters (`thumbnails/*.png`). `recursive-loop` checks it against the prefix and
    /// suffix filters of the bucket's triggers; without it, a write may create any key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// Whether the connection is encrypted in transit (`false`: a database client without TLS,
    /// an `http://` endpoint). Unsaid, the service's default: TLS for AWS APIs.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "bool_in_untagged"
    )]
    pub tls: Option<bool>,
    /// How a function invokes another (`invokes`): `request-response` waits for the answer
    /// (the default, as Lambda's `Invoke`); `event` queues it and returns, so a failure is only
    /// retried and then dropped unless the invoked function has an `on_failure` destination.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation: Option<Invocation>,
    /// Data assets the answers bring back (`calls`): a payment provider's card tokens, a
    /// profile service's personal data. A call to an untrusted external whose answers the
    /// function uses is a way for that external to feed it data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub returns: Vec<Id>,
}

/// How Lambda runs an invocation (its `InvocationType`).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Invocation {
    /// Synchronous: the caller waits for the result.
    RequestResponse,
    /// Asynchronous: Lambda queues the event and retries it twice on failure.
    Event,
}

/// A boolean inside an untagged enum, which serde reads through `deserialize_any`: the model
/// reader hands plain scalars over as text there, so `true` and `false` arrive as words.
fn bool_in_untagged<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<bool>, D::Error> {
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("`true` or `false`")
        }
        fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Option<bool>, E> {
            Ok(Some(v))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Option<bool>, E> {
            match v {
                "true" | "True" | "TRUE" => Ok(Some(true)),
                "false" | "False" | "FALSE" => Ok(Some(false)),
                _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
            }
        }
    }
    deserializer.deserialize_any(Visitor)
}

impl FlowRef {
    /// The element at the other end of the flow.
    #[must_use]
    pub fn target(&self) -> &str {
        match self {
            FlowRef::Id(id) => id,
            FlowRef::Detailed(detailed) => &detailed.to,
        }
    }

    /// Data the answers bring back (`returns`), when declared.
    #[must_use]
    pub fn returns(&self) -> &[Id] {
        match self {
            FlowRef::Id(_) => &[],
            FlowRef::Detailed(detailed) => &detailed.returns,
        }
    }

    /// How the invocation runs, when declared (`invokes`).
    #[must_use]
    pub fn invocation(&self) -> Option<Invocation> {
        match self {
            FlowRef::Id(_) => None,
            FlowRef::Detailed(detailed) => detailed.invocation,
        }
    }

    /// Whether the flow is encrypted in transit, when declared.
    #[must_use]
    pub fn tls(&self) -> Option<bool> {
        match self {
            FlowRef::Id(_) => None,
            FlowRef::Detailed(detailed) => detailed.tls,
        }
    }

    /// The object keys the flow writes (`key`), when declared.
    #[must_use]
    pub fn key(&self) -> Option<&str> {
        match self {
            FlowRef::Id(_) => None,
            FlowRef::Detailed(detailed) => detailed.key.as_deref(),
        }
    }

    /// Data declared on the flow itself (empty when the flow carries the target's data).
    #[must_use]
    pub fn data(&self) -> &[Id] {
        match self {
            FlowRef::Id(_) => &[],
            FlowRef::Detailed(detailed) => &detailed.data,
        }
    }
}

/// A data store.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Store {
    /// What kind of store it is.
    pub kind: StoreKind,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the element was imported from (`template.yaml:12`), as `strider import` writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What the store holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the store sits.
    pub boundary: Id,
    /// Data assets the store holds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<Id>,
    /// Encryption settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
    /// What anyone on the internet may do to it without credentials (a bucket policy or ACL for
    /// `*`, a public snapshot): `read`, `write`, `list`, a list of these, `true` (read) or
    /// `false` (nothing, the default).
    #[serde(default)]
    #[schemars(with = "PublicSchema")]
    pub public: PublicAccess,
    /// Whether object versioning / point-in-time history is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versioning: Option<bool>,
    /// Whether backups are taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backup: Option<bool>,
    /// Whether data-plane access is logged (S3 server access logs, CloudTrail data events…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_logging: Option<bool>,
    /// Whether the bucket serves a static website (`s3`: website hosting). Its website endpoint
    /// speaks plain HTTP only, and browsers treat every object it serves as a page of the site's
    /// origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<bool>,
    /// Whether S3 Block Public Access is on for the bucket (`s3`): all four settings, on the
    /// bucket or its account. Unsaid, S3's default for buckets created since April 2023: on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_access_block: Option<bool>,
    /// Whether object ACLs are in force (`s3`): object ownership other than
    /// `BucketOwnerEnforced`, so whoever writes an object may make it public. Unsaid, S3's
    /// default since April 2023: disabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acls: Option<bool>,
    /// Cross-origin resource sharing (`s3`): which web origins browsers let read and write it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<Cors>,
    /// The table's primary key (`dynamodb`): the emulated table a fuzzed handler uses is
    /// created with it (default: a string partition key `id`). `strider import` reads it from
    /// the template's key schema.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<TableKey>,
    /// Whether items expire (`dynamodb`: time to live), so what it holds is not kept forever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ttl: Option<bool>,
    /// How the table pays for reads and writes (`dynamodb`): `on-demand` bills every request
    /// (a flood costs money), `provisioned` caps them (a flood throttles everyone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<Capacity>,
    /// What the emulated store holds while its functions are fuzzed in their own runtimes:
    /// data a handler needs to get past its first lookups, and whose changes the data-tampering
    /// oracle watches.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuzz: Option<StoreFuzz>,
}

/// Data an emulated store holds while functions are fuzzed. Every seeded item and object is
/// watched: after each event it is compared with its seed (and put back). A change is data
/// tampering when the event acted as a caller (`fuzz.caller` of the function, behind an
/// authorizer) and the item's `owner` is someone else, or when the event did not name the item's
/// key at all (an injected query or condition reached it).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StoreFuzz {
    /// Items of a DynamoDB table, as plain YAML (`{pk: ord_1, totalCents: 1200, paid: true}`):
    /// unquoted numbers become `N`, booleans `BOOL`, null `NULL`, lists `L`, mappings `M`,
    /// everything else `S`. Each holds the table's key attributes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub items: Vec<crate::model::decode::Typed>,
    /// The attribute naming an item's owner (a user id such as the `sub` of a token): an event
    /// acting as another caller must not change the item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Objects of an S3 bucket: key → text content.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub objects: BTreeMap<String, String>,
}

/// How a DynamoDB table is billed.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Capacity {
    /// Pay per request (`PAY_PER_REQUEST`).
    OnDemand,
    /// Read and write capacity units reserved in advance (`PROVISIONED`).
    Provisioned,
}

/// What anyone on the internet may do to a store without credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "three independent rights, as bucket policies grant them"
)]
pub struct PublicAccess {
    /// Read objects or items (`s3:GetObject`).
    pub read: bool,
    /// Create, change or delete them (`s3:PutObject`, `s3:DeleteObject`).
    pub write: bool,
    /// List what it holds (`s3:ListBucket`).
    pub list: bool,
}

impl PublicAccess {
    /// Whether anyone may do anything at all.
    #[must_use]
    pub fn any(self) -> bool {
        self.read || self.write || self.list
    }

    /// The rights as the model writes them (`read`, `write`, `list`), in that order.
    #[must_use]
    pub fn words(self) -> Vec<&'static str> {
        [
            (self.read, "read"),
            (self.write, "write"),
            (self.list, "list"),
        ]
        .into_iter()
        .filter_map(|(on, word)| on.then_some(word))
        .collect()
    }

    fn grant(&mut self, word: &str) -> bool {
        match word {
            "read" | "true" | "True" | "TRUE" => self.read = true,
            "write" => self.write = true,
            "list" => self.list = true,
            "false" | "False" | "FALSE" => {}
            _ => return false,
        }
        true
    }
}

impl Serialize for PublicAccess {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.words().as_slice() {
            [] => serializer.serialize_bool(false),
            [word] => serializer.serialize_str(word),
            words => words.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for PublicAccess {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = PublicAccess;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("`read`, `write`, `list`, a list of them, `true` or `false`")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<PublicAccess, E> {
                Ok(PublicAccess {
                    read: v,
                    ..PublicAccess::default()
                })
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PublicAccess, E> {
                let mut access = PublicAccess::default();
                if access.grant(v) {
                    Ok(access)
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Str(v), &self))
                }
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<PublicAccess, A::Error> {
                let mut access = PublicAccess::default();
                while let Some(word) = seq.next_element::<String>()? {
                    if !matches!(word.as_str(), "read" | "write" | "list") || !access.grant(&word) {
                        return Err(serde::de::Error::invalid_value(
                            serde::de::Unexpected::Str(&word),
                            &"`read`, `write` or `list`",
                        ));
                    }
                }
                Ok(access)
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The forms `public` takes, for the schema.
#[derive(JsonSchema)]
#[schemars(untagged)]
#[allow(dead_code, reason = "describes the schema only")]
enum PublicSchema {
    /// `true` (anyone may read) or `false`.
    Flag(bool),
    /// One right.
    One(PublicRight),
    /// Several rights.
    Many(Vec<PublicRight>),
}

/// One thing anyone may do to a store.
#[derive(JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[allow(dead_code, reason = "describes the schema only")]
enum PublicRight {
    /// Read objects or items.
    Read,
    /// Create, change or delete them.
    Write,
    /// List what it holds.
    List,
}

/// Cross-origin resource sharing: which other web origins a browser lets call an API or a
/// bucket with the user's session.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cors {
    /// Allowed origins (`https://shop.example.com`; `*` for any).
    pub origins: Vec<String>,
    /// Allowed methods (`GET`, `PUT`…; `*` for any).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<String>,
    /// Whether browsers may send credentials (cookies, authorization headers) cross-origin
    /// (`Access-Control-Allow-Credentials: true`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub credentials: bool,
}

impl Cors {
    /// Whether any origin may call: `*`, an origin the handler reflects (`reflect`), or `null`
    /// (which sandboxed frames and local files send, so any page can claim it).
    #[must_use]
    pub fn any_origin(&self) -> bool {
        self.origins
            .iter()
            .any(|o| o == "*" || o == "reflect" || o == "null")
    }
}

/// Kinds of data store.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum StoreKind {
    /// Amazon DynamoDB table.
    Dynamodb,
    /// Amazon S3 bucket.
    S3,
    /// Amazon RDS database.
    Rds,
    /// Amazon Aurora cluster.
    Aurora,
    /// Amazon ElastiCache cluster.
    Elasticache,
    /// Amazon EFS file system.
    Efs,
    /// Amazon OpenSearch domain.
    Opensearch,
    /// Amazon DocumentDB cluster.
    Documentdb,
    /// Amazon Redshift cluster.
    Redshift,
    /// AWS Secrets Manager secret.
    SecretsManager,
    /// AWS Systems Manager Parameter Store.
    Ssm,
    /// Files shipped in a function's code package or a layer (a SQLite database, a
    /// configuration or key file): read-only at run time, and downloadable with the code.
    Bundled,
}

/// Encryption of data at rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Encryption {
    /// Who holds the key for data at rest.
    pub at_rest: AtRest,
}

/// Encryption at rest.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum AtRest {
    /// Not encrypted.
    None,
    /// Encrypted with a key the provider owns (SSE-S3, AWS owned key).
    Provider,
    /// Encrypted with an AWS managed KMS key.
    Kms,
    /// Encrypted with a customer managed KMS key.
    Cmk,
}

/// An event source that is not a store.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    /// What kind of channel it is.
    pub kind: ChannelKind,
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the element was imported from (`template.yaml:12`), as `strider import` writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What the channel carries.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Where the channel sits.
    pub boundary: Id,
    /// Data assets the channel carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<Id>,
    /// Whether anyone on the internet can send to it (a public endpoint or an open resource policy).
    #[serde(default)]
    pub public: bool,
    /// Authentication required of callers (API kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
    /// With `auth: code`: whether the handler verifies the token (signature, issuer, audience,
    /// expiry) rather than only decoding it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Whether a web application firewall protects it (API kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub waf: Option<bool>,
    /// Request throttling (API kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub throttling: Option<Throttling>,
    /// Whether callers must use TLS (API kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tls: Option<bool>,
    /// Encryption at rest of messages (queues, topics, streams).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encryption: Option<Encryption>,
    /// Dead-letter queue that receives messages that failed too often (sqs, sns, eventbridge).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dlq: Option<Id>,
    /// Receives before a message moves to the dead-letter queue (sqs): SQS allows 1 to 1000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 1000))]
    pub max_receive_count: Option<u32>,
    /// Channels this topic or bus delivers to (sns subscriptions, eventbridge targets).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delivers_to: Vec<FlowRef>,
    /// The table whose changes the stream carries (dynamodb-stream).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<Id>,
    /// Schedule expression, `rate(…)` or `cron(…)` (schedule).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    /// Whether multi-factor authentication is required (cognito).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mfa: Option<bool>,
    /// Password rules (cognito). Unsaid, Cognito's default: 8 characters with lower- and
    /// upper-case letters, numbers and symbols.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_policy: Option<PasswordPolicy>,
    /// User attributes that matter to security (cognito): who may change them, and whether the
    /// application grants access by them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<UserAttribute>,
    /// Sign-in flows the pool's app clients allow (cognito).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auth_flows: Vec<AuthFlow>,
    /// Cross-origin resource sharing (API kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cors: Option<Cors>,
    /// Whether requests are written to access logs (API kinds: a stage's access log settings).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_logs: Option<bool>,
}

/// A user pool's password rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "Cognito's four independent character-class switches, named as Cognito names them"
)]
pub struct PasswordPolicy {
    /// Minimum length: Cognito allows 6 to 99.
    #[schemars(range(min = 6, max = 99))]
    pub min_length: u32,
    /// Whether a lower-case letter is required.
    #[serde(default)]
    pub require_lowercase: bool,
    /// Whether an upper-case letter is required.
    #[serde(default)]
    pub require_uppercase: bool,
    /// Whether a number is required.
    #[serde(default)]
    pub require_numbers: bool,
    /// Whether a symbol is required.
    #[serde(default)]
    pub require_symbols: bool,
}

impl PasswordPolicy {
    /// How many character classes are required (0 to 4).
    #[must_use]
    pub fn classes(&self) -> usize {
        [
            self.require_lowercase,
            self.require_uppercase,
            self.require_numbers,
            self.require_symbols,
        ]
        .into_iter()
        .filter(|r| *r)
        .count()
    }
}

/// A user attribute of a pool.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserAttribute {
    /// Its name as Cognito spells it (`email`, `custom:is_admin`).
    pub name: String,
    /// Whether users can change it themselves: mutable, and among the app client's write
    /// attributes (every attribute when the client names none).
    pub writable: bool,
    /// Whether the application grants access by it (an admin flag, a role, a tenant id).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub authorizes: bool,
}

/// A sign-in flow of a user pool's app clients.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum AuthFlow {
    /// Secure Remote Password (`ALLOW_USER_SRP_AUTH`): the password never leaves the client.
    UserSrp,
    /// The password sent to Cognito by the client (`ALLOW_USER_PASSWORD_AUTH`).
    UserPassword,
    /// The password sent by a server with admin credentials (`ALLOW_ADMIN_USER_PASSWORD_AUTH`,
    /// formerly `ADMIN_NO_SRP_AUTH`).
    AdminUserPassword,
    /// Lambda-defined challenges (`ALLOW_CUSTOM_AUTH`).
    Custom,
    /// Refresh tokens (`ALLOW_REFRESH_TOKEN_AUTH`).
    RefreshToken,
    /// OAuth authorization code grant.
    Code,
    /// OAuth implicit grant: tokens returned in the redirect URL.
    Implicit,
    /// OAuth client credentials (machine to machine).
    ClientCredentials,
}

/// Kinds of channel.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ChannelKind {
    /// API Gateway REST API.
    ApiGatewayRest,
    /// API Gateway HTTP API.
    ApiGatewayHttp,
    /// API Gateway WebSocket API.
    ApiGatewayWebsocket,
    /// Lambda function URL.
    FunctionUrl,
    /// Application Load Balancer.
    Alb,
    /// SQS queue.
    Sqs,
    /// SNS topic.
    Sns,
    /// Kinesis data stream.
    Kinesis,
    /// DynamoDB stream of a table.
    DynamodbStream,
    /// EventBridge event bus.
    Eventbridge,
    /// EventBridge schedule.
    Schedule,
    /// Cognito user pool.
    Cognito,
    /// IoT Core topic rule.
    Iot,
    /// SES inbound email.
    Email,
}

/// Authentication on an API.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Auth {
    /// No authentication.
    None,
    /// An API key only.
    ApiKey,
    /// AWS IAM (SigV4).
    Iam,
    /// A Cognito user pool authorizer.
    Cognito,
    /// A JWT authorizer.
    Jwt,
    /// A Lambda authorizer.
    LambdaAuthorizer,
    /// Mutual TLS.
    Mtls,
    /// Checked by the handler's own code (a token decoded in the function); say whether it is
    /// verified with `verified`.
    Code,
}

/// Authentication as it protects: `auth`, except that a token the handler checks without
/// verifying its signature (`auth: code` with `verified: false`) protects nothing (`none`).
#[must_use]
pub fn protecting(auth: Option<Auth>, verified: Option<bool>) -> Option<Auth> {
    match (auth, verified) {
        (Some(Auth::Code), Some(false)) => Some(Auth::None),
        (auth, _) => auth,
    }
}

/// Request throttling on an API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Throttling {
    /// Steady-state requests per second.
    pub rate_limit: u32,
    /// Burst of requests allowed.
    pub burst_limit: u32,
}

/// A serverless function.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Function {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the element was imported from (`template.yaml:12`), as `strider import` writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What the function does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Runtime identifier, as AWS names it (`nodejs20.x`, `python3.12`, `provided.al2023`…).
    pub runtime: String,
    /// Where the function runs.
    pub boundary: Id,
    /// Handler entry point (`index.handler`, `bootstrap`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    /// Directory of the handler's code, relative to the model file (SAM's `CodeUri`): with
    /// `runtime` and `handler` it says where the handler is (`app.lambda_handler` in
    /// `<code>/app.py`). `strider import` writes it from `CodeUri` or CDK's asset path.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Timeout in seconds: AWS Lambda allows 1 to 900.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 900))]
    pub timeout_s: Option<u32>,
    /// Memory in MB: AWS Lambda allows 128 to 10240.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 128, max = 10240))]
    pub memory_mb: Option<u32>,
    /// Reserved concurrency (caps parallel executions): 0 (the function never runs) to 1000000,
    /// far above any account's concurrency quota.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 0, max = 1_000_000))]
    pub reserved_concurrency: Option<u32>,
    /// Whether the function does administrative work (exports, deletes, reconfigures, manages
    /// users or permissions): rules treat it as a privileged target.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub administrative: bool,
    /// Shared role the function runs as (instead of inline `permissions`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<Id>,
    /// Inline IAM-style permissions of the function's own role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<Permission>,
    /// AWS managed policies attached to the function's own role, by name
    /// (`AmazonDynamoDBReadOnlyAccess`) or ARN (`arn:aws:iam::aws:policy/service-role/AWSLambdaRole`),
    /// as SAM's `Policies` lists them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_policies: Vec<String>,
    /// SAM policy templates granted to the function's own role, as SAM's `Policies` lists them:
    /// `{DynamoDBCrudPolicy: {TableName: orders-table}}`, parameters naming model element ids (or
    /// ARNs); a template without parameters may be its bare name (`CloudWatchPutMetricPolicy`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy_templates: Vec<PolicyTemplateRef>,
    /// Environment variables (names to values).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Secrets the function uses, by name, and where each comes from.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, Secret>,
    /// What starts the function.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    /// Stores the function reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<FlowRef>,
    /// Stores and channels the function writes to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub writes: Vec<FlowRef>,
    /// Externals the function calls, and APIs of the model it sends requests to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub calls: Vec<FlowRef>,
    /// Functions the function invokes directly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invokes: Vec<FlowRef>,
    /// Where failed asynchronous invocations go (a queue or topic: on-failure destination or DLQ).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<Id>,
    /// Logging settings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    /// Whether distributed tracing (X-Ray, OpenTelemetry) is on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tracing: Option<bool>,
    /// Third-party dependencies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dependencies: Option<Dependencies>,
    /// Whether the function runs attached to a VPC.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc: Option<bool>,
    /// Input validation for every trigger of the function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Input>,
    /// What callers see when the function fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub errors: Option<ErrorDetail>,
    /// Whether the handler keeps request data from one invocation to the next in a reused
    /// execution environment (files in `/tmp`, global variables, in-memory caches).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuses_state: Option<bool>,
    /// Places in the handler's code where input reaches an interpreter, a query, a parser or a
    /// request that an attacker can abuse by shaping it (`eval`, a concatenated query, `pickle`,
    /// an HTML template), and what feeds each.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sinks: Vec<Sink>,
    /// Where the handler's code is, for `strider fuzz init`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fuzz: Option<Fuzz>,
}

/// A place in a handler's code where input is used in a way an attacker can abuse.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sink {
    /// What the input reaches.
    pub kind: SinkKind,
    /// What feeds it: [`EVENT`] (what starts the function — its triggers and the functions that
    /// invoke it) or the id of a store or channel the function `reads`.
    #[schemars(length(min = 1))]
    pub from: Vec<Id>,
    /// Where in the code (`src/app.py:42`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
}

/// The word a sink's `from` uses for the function's own events.
pub const EVENT: &str = "event";

impl Sink {
    /// Whether the function's events feed the sink.
    #[must_use]
    pub fn from_event(&self) -> bool {
        self.from.iter().any(|f| f == EVENT)
    }
}

/// What input reaches in a sink.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SinkKind {
    /// An operating-system command or shell (`subprocess` with `shell=True`, `child_process.exec`).
    Command,
    /// A code interpreter (`eval`, `exec`, `new Function`, `vm.runInContext`).
    Code,
    /// A deserialiser that can build arbitrary objects (`pickle`, `jsonpickle`, `yaml.load`,
    /// `node-serialize`).
    Deserialization,
    /// A SQL query built by concatenation or formatting.
    Sql,
    /// A NoSQL query or filter built from input (a DynamoDB filter expression, a MongoDB
    /// `$where` or operator object).
    Nosql,
    /// HTML or other markup (a page, an e-mail body) written without escaping.
    Markup,
    /// A template engine's source (server-side template injection).
    Template,
    /// A file path (`open`, `fs.readFile`, an archive entry).
    Path,
    /// The URL or host of an outbound request (server-side request forgery).
    Url,
}

/// A DynamoDB table's primary key.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TableKey {
    /// The partition (hash) key attribute.
    pub partition: String,
    /// Its type: `S` (string, the default), `N` (number) or `B` (binary).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partition_type: Option<KeyType>,
    /// The sort (range) key attribute, if the table has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort: Option<String>,
    /// Its type: `S` (the default), `N` or `B`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_type: Option<KeyType>,
}

/// A DynamoDB key attribute's type.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
pub enum KeyType {
    /// A string.
    S,
    /// A number.
    N,
    /// Binary.
    B,
}

impl KeyType {
    /// DynamoDB's name of the type.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            KeyType::S => "S",
            KeyType::N => "N",
            KeyType::B => "B",
        }
    }
}

/// How to fuzz a function's handler.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fuzz {
    /// A handler written in Rust, called in-process by generated cargo-fuzz targets. Without
    /// it, a Python or Node.js function is fuzzed in its own runtime from its `code`,
    /// `runtime` and `handler`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rust: Option<RustHandler>,
    /// Leave the function out of fuzzing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip: bool,
    /// Environment variables added to the function's `env` while it is fuzzed in its own
    /// runtime (feature flags, a local path): `NAME: value`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub env: BTreeMap<String, String>,
    /// Who the fuzzed events act as behind an authorizer: the `sub` of a Cognito or JWT
    /// authorizer's claims and a Lambda authorizer's `principalId` (default `strider-caller`).
    /// Seed the stores with this caller's data (`stores.*.fuzz.items`) to reach past lookups of
    /// it; items a store's `fuzz.owner` gives to someone else must not change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<String>,
}

/// A Rust handler: a crate and the function in it that handles the trigger's events.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RustHandler {
    /// The crate's directory (holding its Cargo.toml), relative to the model file.
    #[serde(rename = "crate")]
    pub krate: String,
    /// Path of the handler function, starting with the crate's name
    /// (`shop_handlers::place_order::handler`).
    pub handler: String,
    /// How the handler is called.
    pub style: HandlerStyle,
    /// The event type the handler takes, when it is not the trigger's `aws_lambda_events` type
    /// (`my_crate::OrderEvent`; it must implement serde's `Deserialize` and `Serialize`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
}

/// How a Rust handler is called.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum HandlerStyle {
    /// `async fn(LambdaEvent<T>) -> Result<R, E>`, as `lambda_runtime::service_fn` takes.
    Lambda,
    /// `fn(T) -> Result<R, E>`.
    Plain,
    /// `async fn(lambda_http::Request) -> Result<Response<Body>, E>`, as `lambda_http` takes.
    Http,
}

/// How much a function's error responses reveal.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorDetail {
    /// A generic message and a correlation id.
    Generic,
    /// Exception messages, stack traces or internal details.
    Verbose,
}

/// An IAM-style permission statement.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Permission {
    /// Actions, `service:Action` (wildcards allowed: `s3:*`, `*`).
    pub allow: Vec<String>,
    /// Resources: element ids, ARNs, or `*`.
    pub on: Vec<String>,
}

/// A SAM policy template and its parameters.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum PolicyTemplateRef {
    /// A template that takes no parameters, by name (`AMIDescribePolicy`).
    Name(String),
    /// One template and its parameters: `{S3ReadPolicy: {BucketName: uploads}}`.
    WithParameters(
        #[schemars(extend("minProperties" = 1, "maxProperties" = 1))]
        BTreeMap<String, BTreeMap<String, String>>,
    ),
}

impl PolicyTemplateRef {
    /// The template's name and its parameters (empty for a bare name; `None` for a map that does
    /// not hold exactly one template).
    #[must_use]
    pub fn template(&self) -> Option<(&str, Option<&BTreeMap<String, String>>)> {
        match self {
            PolicyTemplateRef::Name(name) => Some((name, None)),
            PolicyTemplateRef::WithParameters(map) if map.len() == 1 => map
                .iter()
                .next()
                .map(|(name, values)| (name.as_str(), Some(values))),
            PolicyTemplateRef::WithParameters(_) => None,
        }
    }
}

/// A secret a function uses.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Secret {
    /// Where the function gets the secret from.
    pub from: SecretSource,
    /// The store holding it (a `secrets-manager` or `ssm` store id), when `from` is one of those.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub store: Option<Id>,
}

/// Where a secret comes from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum SecretSource {
    /// A plain environment variable.
    Env,
    /// AWS Secrets Manager, fetched at run time.
    SecretsManager,
    /// SSM Parameter Store, fetched at run time.
    Ssm,
    /// Written in the code or the deployment template.
    Hardcoded,
}

/// Logging settings of a function.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Logging {
    /// Whether the function writes logs.
    pub enabled: bool,
    /// How long logs are kept, in days: one of CloudWatch Logs' retention periods (leave it out
    /// to keep logs forever).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("enum" = [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
        2922, 3288, 3653, null
    ]))]
    pub retention_days: Option<u32>,
    /// Whether whole event payloads are logged.
    #[serde(default)]
    pub payloads: bool,
    /// Data assets written to the log besides event payloads (an item the function reads and
    /// prints), by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<Id>,
}

/// Third-party dependencies of a function.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Dependencies {
    /// Dependency manifest (`package.json`, `Cargo.toml`, `requirements.txt`…).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub manifest: Option<String>,
    /// Whether versions are pinned by a lockfile.
    #[serde(default)]
    pub lockfile: bool,
    /// Whether dependencies are scanned for known vulnerabilities.
    #[serde(default)]
    pub scanned: bool,
    /// The packages the function ships, with the versions the lockfile pins: what a reviewer or
    /// a vulnerability database checks (`{name: node-serialize, version: 0.0.4}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<Package>,
}

/// A third-party package and its version.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Package {
    /// The package's name in its registry (`jsonpickle`, `node-serialize`).
    pub name: String,
    /// The version installed (`1.4.3`).
    pub version: String,
}

/// Input validation of events.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Input {
    /// JSON Schema file of the event payload, relative to the model file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<String>,
    /// Whether the handler (or the API) enforces the schema before using the input: `true`,
    /// `false`, or `unknown` (a placeholder `strider import` writes; `validate` lists it and
    /// analysis treats it as not validated).
    #[serde(default)]
    pub validated: Validated,
    /// Whether the handler reads the event's content at all (default: it does). `false` for one
    /// that ignores it — a static page, a health check — in which nothing sent can inject.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used: Option<bool>,
}

/// Whether input is validated: a boolean, or `unknown`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, JsonSchema)]
#[schemars(untagged)]
pub enum Validated {
    /// `true` or `false`.
    Known(bool),
    /// `unknown`: not said yet.
    #[schemars(with = "UnknownWord")]
    Unknown,
    /// Not written: not validated.
    #[default]
    #[schemars(skip)]
    Unsaid,
}

/// The word `unknown`, for the schema.
#[derive(JsonSchema)]
#[allow(dead_code, reason = "describes the schema only")]
enum UnknownWord {
    #[serde(rename = "unknown")]
    Unknown,
}

impl Validated {
    /// Whether validation is known to happen.
    #[must_use]
    pub fn is_true(self) -> bool {
        self == Validated::Known(true)
    }
}

impl Serialize for Validated {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Validated::Known(b) => serializer.serialize_bool(*b),
            Validated::Unknown => serializer.serialize_str("unknown"),
            Validated::Unsaid => serializer.serialize_bool(false),
        }
    }
}

impl<'de> Deserialize<'de> for Validated {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Validated;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("`true`, `false` or `unknown`")
            }
            fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Validated, E> {
                Ok(Validated::Known(v))
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Validated, E> {
                // The model reader hands plain scalars over as text.
                match v {
                    "unknown" => Ok(Validated::Unknown),
                    "true" => Ok(Validated::Known(true)),
                    "false" => Ok(Validated::Known(false)),
                    _ => Err(E::invalid_value(serde::de::Unexpected::Str(v), &self)),
                }
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

impl Input {
    /// Whether the handler reads the event ([`Input::used`], true unless it says `false`).
    #[must_use]
    pub fn is_used(&self) -> bool {
        self.used != Some(false)
    }
}

/// What starts a function.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// Kind of trigger.
    pub kind: TriggerKind,
    /// The channel or store the events come from (for `invoke`: the actor or external that invokes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Id>,
    /// HTTP method (`http`): one of [`HTTP_METHODS`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Route path (`http`) or route key (`websocket`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Authentication on this route, overriding the API's (`http`, `websocket`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<Auth>,
    /// With `auth: code` on the route: whether the handler verifies the token rather than only
    /// decoding it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// Data assets this trigger's events carry, when they are not all of what its source holds
    /// or carries: the route's own data on an API with several routes (`http`, `websocket`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<Id>,
    /// Records per invocation (`sqs`, `kinesis`, `dynamodb-stream`): AWS allows 1 to 10000.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 10_000))]
    pub batch_size: Option<u32>,
    /// Whether the handler reports partial batch failures (`sqs`, `kinesis`, `dynamodb-stream`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partial_failures: Option<bool>,
    /// Event filter pattern or expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// Object key prefix the notification is filtered on (`s3`): only keys that start with it
    /// start the function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Object key suffix the notification is filtered on (`s3`): only keys that end with it
    /// start the function.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suffix: Option<String>,
    /// Event types (`s3:ObjectCreated:*`, Cognito trigger sources such as `PreSignUp`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    /// Input validation for this trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<Input>,
}

/// Kinds of trigger.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum TriggerKind {
    /// An HTTP request through an API Gateway, function URL or load balancer.
    Http,
    /// A WebSocket message.
    Websocket,
    /// An S3 bucket notification.
    S3,
    /// A batch of SQS messages.
    Sqs,
    /// An SNS notification.
    Sns,
    /// A batch of DynamoDB stream records.
    DynamodbStream,
    /// A batch of Kinesis records.
    Kinesis,
    /// An EventBridge event.
    Eventbridge,
    /// A scheduled event.
    Schedule,
    /// A Cognito user pool trigger.
    Cognito,
    /// An IoT rule action.
    Iot,
    /// An inbound email through SES.
    Email,
    /// A direct invocation by an actor or external.
    Invoke,
    /// A CloudFormation custom resource (`Custom::*`, `AWS::CloudFormation::CustomResource`):
    /// the stack invokes the function when the resource is created, updated or deleted. It has
    /// no `source`: only whoever deploys the stack sends these events.
    CustomResource,
}

/// A shared IAM role.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Role {
    /// Display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Where the element was imported from (`template.yaml:12`), as `strider import` writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// What the role is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Permission statements of the role.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<Permission>,
    /// AWS managed policies attached (`AdministratorAccess`, `AmazonS3FullAccess`…).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_policies: Vec<String>,
}

/// A declared mitigation.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Control {
    /// What kind of control it is.
    pub kind: ControlKind,
    /// What it does and where.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Elements it applies to; empty means the whole system.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub applies_to: Vec<Id>,
}

/// Kinds of control.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum ControlKind {
    /// A web application firewall.
    Waf,
    /// Rate limiting.
    RateLimit,
    /// Security monitoring / SIEM.
    Siem,
    /// Runtime application self-protection.
    Rasp,
    /// Dependency vulnerability scanning.
    DependencyScanning,
    /// Secret scanning of code and configuration.
    SecretScanning,
    /// Input validation in front of handlers.
    InputValidation,
    /// Alarms and monitoring.
    Monitoring,
    /// Backups and restore tests.
    Backup,
    /// Budget alarms against denial of wallet.
    BudgetAlarm,
}

/// Tracking of one threat (or of every threat a glob matches).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TrackingEntry {
    /// Where the threat stands.
    pub status: TrackingStatus,
    /// Why: required for `accepted`, `mitigated` and `false-positive`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// Who owns the follow-up.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// Ticket reference.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ticket: Option<String>,
    /// Review date, `YYYY-MM-DD` (an acceptance past it is reported).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}

/// Status of a tracked threat.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum TrackingStatus {
    /// Known and not yet handled.
    Open,
    /// Being worked on.
    InProgress,
    /// Fixed.
    Mitigated,
    /// Risk accepted.
    Accepted,
    /// Not a real threat here.
    FalsePositive,
}
