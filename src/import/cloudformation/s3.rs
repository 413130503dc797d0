//! S3 buckets: encryption, versioning, access logging and website hosting; what anyone may do
//! to them — read, write, list — from a public canned ACL or the actions a bucket policy grants
//! everyone, unless Block Public Access overrides it; whether Block Public Access is on, whether object ACLs are in force, which web
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
        // A canned ACL on the bucket grants everyone its bucket permissions: READ lists the
        // objects, WRITE creates, overwrites and deletes them.
        let acl_rights = match acl.as_deref() {
            Some("PublicRead") => Rights {
                list: true,
                ..Rights::default()
            },
            Some("PublicReadWrite") => Rights {
                write: true,
                list: true,
                ..Rights::default()
            },
            _ => Rights::default(),
        };
        if !block("IgnorePublicAcls") {
            grant_public(&mut store, acl_rights);
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
        if restricted {
            return;
        }
        let mut rights = Rights::default();
        for statement in document
            .get("Statement")
            .map(|s| s.items())
            .unwrap_or_default()
        {
            if statement.get("Effect").and_then(Val::text).as_deref() == Some("Allow")
                && statement.get("Condition").is_none()
                && statement.get("Principal").is_some_and(everyone)
            {
                rights = rights.or(statement_rights(statement));
            }
        }
        if let Some(store) = self.b.element("stores", &id) {
            grant_public(store, rights);
        }
    }
}

/// What anyone may do to a bucket.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "the model's three public rights"
)]
struct Rights {
    read: bool,
    write: bool,
    list: bool,
}

impl Rights {
    fn or(self, other: Rights) -> Rights {
        Rights {
            read: self.read || other.read,
            write: self.write || other.write,
            list: self.list || other.list,
        }
    }
}

/// The rights a statement's actions give (`NotAction`: whatever it does not name, taken as
/// everything).
fn statement_rights(statement: &Val) -> Rights {
    if statement.get("NotAction").is_some() {
        return Rights {
            read: true,
            write: true,
            list: true,
        };
    }
    let mut rights = Rights::default();
    for action in statement
        .get("Action")
        .map(|a| a.items())
        .unwrap_or_default()
        .into_iter()
        .filter_map(Val::text)
    {
        let action = action.to_ascii_lowercase();
        let (service, name) = action.split_once(':').unwrap_or(("", action.as_str()));
        if action == "*" || (service == "s3" && name.starts_with('*')) {
            return Rights {
                read: true,
                write: true,
                list: true,
            };
        }
        if service != "s3" {
            continue;
        }
        let starts = |prefix: &str| {
            name.starts_with(prefix)
                || (name.ends_with('*') && prefix.starts_with(&name[..name.len() - 1]))
        };
        rights.read |= starts("getobject");
        rights.write |= starts("putobject")
            || starts("deleteobject")
            || starts("restoreobject")
            || starts("abortmultipartupload");
        rights.list |= starts("listbucket");
    }
    rights
}

/// Adds public rights to what a store already says (`true` is `read`), in the model's order.
fn grant_public(store: &mut Doc, rights: Rights) {
    let mut have = Rights::default();
    let mut take = |word: &str| match word {
        "read" => have.read = true,
        "write" => have.write = true,
        "list" => have.list = true,
        _ => {}
    };
    match store.get("public") {
        Some(Doc::Bool(true)) => take("read"),
        Some(Doc::Str(word)) => take(word),
        Some(Doc::Seq(words)) => {
            for word in words {
                if let Doc::Str(word) = word {
                    take(word);
                }
            }
        }
        _ => {}
    }
    let all = have.or(rights);
    let words: Vec<&str> = [(all.read, "read"), (all.write, "write"), (all.list, "list")]
        .into_iter()
        .filter_map(|(on, word)| on.then_some(word))
        .collect();
    match words.as_slice() {
        [] => {}
        [word] => store.set("public", Doc::str(*word)),
        words => store.set(
            "public",
            Doc::Seq(words.iter().map(|w| Doc::str(*w)).collect()),
        ),
    }
}

#[cfg(test)]
mod rights_tests {
    use super::*;
    use crate::import::template::Piece;

    fn statement(actions: &[&str]) -> Val {
        let text = |t: &str| Val::Text(vec![Piece::Lit(t.to_owned())]);
        Val::Map(vec![
            ("Effect".to_owned(), text("Allow")),
            ("Principal".to_owned(), text("*")),
            (
                "Action".to_owned(),
                Val::List(actions.iter().map(|a| text(a)).collect()),
            ),
        ])
    }

    #[test]
    fn actions_give_the_rights_they_name() {
        let r = |actions: &[&str]| statement_rights(&statement(actions));
        assert_eq!(
            r(&["s3:GetObject"]),
            Rights {
                read: true,
                ..Rights::default()
            }
        );
        assert_eq!(
            r(&["s3:Get*"]),
            Rights {
                read: true,
                ..Rights::default()
            }
        );
        assert_eq!(
            r(&[
                "s3:PutObject",
                "s3:PutObjectAcl",
                "s3:GetObject",
                "s3:DeleteObject"
            ]),
            Rights {
                read: true,
                write: true,
                ..Rights::default()
            }
        );
        assert_eq!(
            r(&["s3:ListBucket"]),
            Rights {
                list: true,
                ..Rights::default()
            }
        );
        assert_eq!(
            r(&["s3:*"]),
            Rights {
                read: true,
                write: true,
                list: true
            }
        );
        assert_eq!(
            r(&["*"]),
            Rights {
                read: true,
                write: true,
                list: true
            }
        );
        assert_eq!(
            r(&["s3:GetBucketPolicy", "sqs:SendMessage"]),
            Rights::default()
        );
    }
}
