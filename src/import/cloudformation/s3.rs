//! S3 buckets: encryption, versioning, access logging and website hosting; who may read them
//! (a public canned ACL or a bucket policy granting everyone, unless Block Public Access
//! overrides it); whether Block Public Access is on, whether object ACLs are in force, which web
//! origins may call them (CORS); and the functions their notifications invoke.

use super::{Mapped, Mapper, at_rest, cors, element_doc, everyone, key_filter};
use crate::import::emit::Doc;
use crate::import::template::{Resource, Val};

/// The settings of S3 Block Public Access: it blocks only when all four are on.
const BLOCK_SETTINGS: [&str; 4] = [
    "BlockPublicAcls",
    "BlockPublicPolicy",
    "IgnorePublicAcls",
    "RestrictPublicBuckets",
];

impl Mapper<'_> {
    pub(super) fn bucket(&mut self, r: &Resource) {
        let mut store = element_doc("s3");
        let algorithm = self
            .prop(r, "BucketEncryption")
            .and_then(|e| e.get("ServerSideEncryptionConfiguration").cloned())
            .and_then(|c| {
                c.items().first().and_then(|rule| {
                    rule.get("ServerSideEncryptionByDefault")?
                        .get("SSEAlgorithm")?
                        .text()
                })
            });
        // Since January 2023 S3 encrypts every new object with S3-managed keys.
        let at = match algorithm.as_deref() {
            Some("aws:kms" | "aws:kms:dsse") => "kms",
            _ => "provider",
        };
        store.set("encryption", at_rest(at));
        let versioning = self
            .prop(r, "VersioningConfiguration")
            .and_then(|v| v.get("Status")?.text())
            .is_some_and(|s| s == "Enabled");
        store.set("versioning", Doc::Bool(versioning));
        store.set(
            "access_logging",
            Doc::Bool(self.prop(r, "LoggingConfiguration").is_some()),
        );
        if self.prop(r, "WebsiteConfiguration").is_some() {
            store.set("website", Doc::Bool(true));
        }
        let acl = self.prop(r, "AccessControl").and_then(|v| v.text());
        let block = |key: &str| {
            self.prop(r, "PublicAccessBlockConfiguration")
                .and_then(|b| b.get(key)?.as_bool())
                .unwrap_or(false)
        };
        if matches!(acl.as_deref(), Some("PublicRead" | "PublicReadWrite"))
            && !block("IgnorePublicAcls")
        {
            store.set("public", Doc::Bool(true));
        }
        if let Some(blocked) = self.public_access_block(r) {
            store.set("public_access_block", Doc::Bool(blocked));
        }
        if let Some(acls) = self.object_acls(r, acl.as_deref()) {
            store.set("acls", Doc::Bool(acls));
        }
        if let Some(cors) = self
            .prop(r, "CorsConfiguration")
            .and_then(|c| cors::bucket(&c))
        {
            store.set("cors", cors);
        }
        self.add_store(r, store);
        self.notifications(r);
    }

    /// Whether the bucket's `PublicAccessBlockConfiguration` turns Block Public Access on: all
    /// four settings true (a setting left out is false); `None` when the template configures
    /// none (S3's default applies) or a setting is known only when deployed.
    fn public_access_block(&self, r: &Resource) -> Option<bool> {
        let config = self.prop(r, "PublicAccessBlockConfiguration")?;
        if !matches!(config, Val::Map(_)) {
            return None;
        }
        let mut unknown = false;
        for key in BLOCK_SETTINGS {
            match config.get(key).map(Val::as_bool) {
                None | Some(Some(false)) => return Some(false),
                Some(Some(true)) => {}
                Some(None) => unknown = true,
            }
        }
        (!unknown).then_some(true)
    }

    /// Whether object ACLs are in force: the bucket's object ownership (`BucketOwnerEnforced`
    /// disables them), else a canned ACL that needs them (anything but `Private` and
    /// `BucketOwnerFullControl`, which S3 refuses on a bucket whose ACLs are disabled); `None`
    /// when the template says neither (S3's default: disabled).
    fn object_acls(&self, r: &Resource, acl: Option<&str>) -> Option<bool> {
        let ownership = self.prop(r, "OwnershipControls").and_then(|o| {
            o.get("Rules")?
                .items()
                .into_iter()
                .find_map(|rule| rule.get("ObjectOwnership")?.text())
        });
        match ownership.as_deref() {
            Some("BucketOwnerEnforced") => Some(false),
            Some("ObjectWriter" | "BucketOwnerPreferred") => Some(true),
            _ => acl
                .filter(|a| !matches!(*a, "Private" | "BucketOwnerFullControl"))
                .map(|_| true),
        }
    }

    /// A bucket's `NotificationConfiguration`: S3 triggers of the functions it invokes.
    fn notifications(&mut self, r: &Resource) {
        let Some(configurations) = self
            .prop(r, "NotificationConfiguration")
            .and_then(|n| n.get("LambdaConfigurations").cloned())
        else {
            return;
        };
        let bucket = self.b.id(self.file, &r.id);
        for c in configurations.items() {
            let Some(Mapped::Function(function)) =
                c.get("Function").and_then(|f| self.element_of(f)).cloned()
            else {
                continue;
            };
            let mut trigger = Doc::map();
            trigger.set("kind", Doc::str("s3"));
            trigger.set("source", Doc::str(bucket.clone()));
            if let Some(event) = c.get("Event").and_then(Val::text) {
                trigger.set("events", Doc::Seq(vec![Doc::str(event)]));
            }
            key_filter(&mut trigger, c);
            self.push_trigger(&function, trigger);
        }
    }

    pub(super) fn bucket_policy(&mut self, r: &Resource) {
        let Some(bucket) = self.prop(r, "Bucket") else {
            return;
        };
        let Some(id) = self.typed(&bucket, &["AWS::S3::Bucket"]) else {
            return;
        };
        let Some(document) = self.prop(r, "PolicyDocument") else {
            return;
        };
        // A public access block that restricts public buckets overrides a public policy.
        let bucket_resource = bucket
            .resource()
            .and_then(|(b, _)| self.t.resource(b).cloned());
        let restricted = bucket_resource.is_some_and(|b| {
            self.prop(&b, "PublicAccessBlockConfiguration")
                .and_then(|c| c.get("RestrictPublicBuckets")?.as_bool())
                == Some(true)
        });
        let public = !restricted
            && document.get("Statement").is_some_and(|s| {
                s.items().into_iter().any(|s| {
                    s.get("Effect").and_then(Val::text).as_deref() == Some("Allow")
                        && s.get("Condition").is_none()
                        && s.get("Principal").is_some_and(everyone)
                })
            });
        if public && let Some(store) = self.b.element("stores", &id) {
            store.set("public", Doc::Bool(true));
        }
    }
}
