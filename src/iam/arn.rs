//! Resources as ARNs: whether a policy's resource (`*`, an ARN with or without wildcards, or a
//! model element id) refers to a modelled element, to a part of it (a bucket's objects, a table's
//! stream or indexes), covers it with a wildcard, or has nothing to do with it.
//!
//! An element is known by its kind and its name (strider passes element ids, and display names
//! that look like resource names): the bucket `orders` is `arn:aws:s3:::orders`, its objects
//! `arn:aws:s3:::orders/*`; the table `orders` is `arn:aws:dynamodb:<region>:<account>:table/orders`.
//! Partition, region and account are not compared: a model is one system.

use super::pattern;

/// Longest resource string classified: longer ones are unrelated to every element.
pub const MAX_RESOURCE: usize = 4096;

/// What kind of AWS resource a modelled element is, for matching ARNs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    /// S3 bucket; its parts are objects.
    Bucket,
    /// DynamoDB table; its parts are indexes, streams, backups, exports.
    Table,
    /// The stream of a DynamoDB table (named by the table).
    TableStream,
    /// Lambda function (qualified ARNs, `:alias` or `:version`, are the function too).
    Function,
    /// SQS queue.
    Queue,
    /// SNS topic.
    Topic,
    /// Kinesis data stream; its parts are consumers.
    KinesisStream,
    /// EventBridge event bus.
    EventBus,
    /// EventBridge rule or schedule.
    Schedule,
    /// Secrets Manager secret (AWS appends `-` and six random characters to its name).
    Secret,
    /// SSM parameter (`parameter/<name>`); its parts are the parameters below it.
    Parameter,
    /// Cognito user pool.
    UserPool,
    /// API Gateway API (`execute-api`); its parts are stages, methods and routes.
    Api,
    /// RDS, Aurora or DocumentDB database.
    Database,
    /// ElastiCache cluster.
    Cache,
    /// EFS file system.
    FileSystem,
    /// OpenSearch domain; its parts are its indexes and documents.
    SearchDomain,
    /// Redshift cluster.
    Warehouse,
    /// IoT topic rule.
    IotRule,
    /// SES identity.
    EmailIdentity,
    /// Elastic Load Balancing load balancer.
    LoadBalancer,
}

impl ResourceKind {
    /// The service prefix in its ARNs and the resource part of its ARN before the name.
    fn arn_shape(self) -> (&'static str, &'static str) {
        match self {
            Self::Bucket => ("s3", ""),
            Self::Table | Self::TableStream => ("dynamodb", "table/"),
            Self::Function => ("lambda", "function:"),
            Self::Queue => ("sqs", ""),
            Self::Topic => ("sns", ""),
            Self::KinesisStream => ("kinesis", "stream/"),
            Self::EventBus => ("events", "event-bus/"),
            Self::Schedule => ("events", "rule/"),
            Self::Secret => ("secretsmanager", "secret:"),
            Self::Parameter => ("ssm", "parameter"),
            Self::UserPool => ("cognito-idp", "userpool/"),
            Self::Api => ("execute-api", ""),
            Self::Database => ("rds", "db:"),
            Self::Cache => ("elasticache", "cluster:"),
            Self::FileSystem => ("elasticfilesystem", "file-system/"),
            Self::SearchDomain => ("es", "domain/"),
            Self::Warehouse => ("redshift", "cluster:"),
            Self::IotRule => ("iot", "rule/"),
            Self::EmailIdentity => ("ses", "identity/"),
            Self::LoadBalancer => ("elasticloadbalancing", "loadbalancer/"),
        }
    }

    /// Whether the element has parts below `<name>/`.
    fn has_parts(self) -> bool {
        matches!(
            self,
            Self::Bucket
                | Self::Table
                | Self::KinesisStream
                | Self::Parameter
                | Self::Api
                | Self::SearchDomain
        )
    }

    /// The resource part of the element's own ARN.
    fn whole(self, name: &str) -> String {
        let (_, before) = self.arn_shape();
        match self {
            Self::Parameter if name.starts_with('/') => format!("{before}{name}"),
            Self::Parameter => format!("{before}/{name}"),
            Self::TableStream => format!("{before}{name}/stream/"),
            _ => format!("{before}{name}"),
        }
    }
}

/// A part of an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    /// Objects of a bucket (`bucket/*`, `bucket/uploads/*`).
    Objects,
    /// A table's indexes (`table/t/index/*`).
    Index,
    /// A table's streams (`table/t/stream/*`).
    Stream,
    /// Every part (`table/t/*`).
    Any,
    /// Another part: a backup or export of a table, a consumer of a stream, a parameter below a
    /// parameter path, a stage or route of an API, documents of a search domain.
    Other,
}

/// How a resource relates to an element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reference {
    /// It names the element itself (its id, or its ARN).
    Whole,
    /// It names a part of the element: objects, a stream, indexes.
    Part(Part),
    /// A wildcard that covers the element (`whole`) and/or some of its parts (`parts`).
    Wildcard {
        /// Whether the element itself is covered (`arn:aws:s3:::*`).
        whole: bool,
        /// Whether some of its parts are covered (`arn:aws:s3:::*/*`).
        parts: bool,
    },
    /// It has nothing to do with the element.
    Unrelated,
}

/// How `resource` (`*`, an ARN pattern, or an element id) relates to the element of `kind`
/// called `name`.
#[must_use]
pub fn classify(resource: &str, kind: ResourceKind, name: &str) -> Reference {
    if resource.len() > MAX_RESOURCE || name.is_empty() {
        return Reference::Unrelated;
    }
    if resource.bytes().all(|b| b == b'*') && !resource.is_empty() {
        return Reference::Wildcard {
            whole: true,
            parts: kind.has_parts(),
        };
    }
    if !resource.starts_with("arn:") {
        return if resource == name {
            Reference::Whole
        } else {
            Reference::Unrelated
        };
    }
    let Some((service, written)) = split(resource) else {
        return Reference::Unrelated;
    };
    let (expected_service, _) = kind.arn_shape();
    if !pattern::matches(service, expected_service, false) {
        return Reference::Unrelated;
    }
    let whole = kind.whole(name);
    // What is written literally, up to the first wildcard.
    let literal = &written[..written.find(['*', '?']).unwrap_or(written.len())];
    if kind == ResourceKind::TableStream {
        // The stream element is every `table/<name>/stream/<label>`.
        return if literal.starts_with(&whole) {
            Reference::Whole
        } else if pattern::matches_some_extension(written, &whole) {
            Reference::Wildcard {
                whole: true,
                parts: false,
            }
        } else {
            Reference::Unrelated
        };
    }
    if literal.len() == written.len() && written == whole {
        return Reference::Whole;
    }
    if let Some(after) = literal.strip_prefix(whole.as_str()) {
        match (kind, after.as_bytes().first()) {
            (_, Some(b'/')) if kind.has_parts() => {
                return Reference::Part(part(kind, &written[whole.len() + 1..]));
            }
            // A qualified function ARN (`:alias`, `:42`, `:*`) is the function.
            (ResourceKind::Function, Some(b':')) => return Reference::Whole,
            // A secret's ARN ends in `-` and six random characters (`db-AbC123`); `db-prod`
            // is another secret.
            (ResourceKind::Secret, Some(b'-')) if is_secret_suffix(&written[whole.len()..]) => {
                return Reference::Whole;
            }
            _ => {}
        }
    }
    let mut covers_whole = pattern::matches(written, &whole, false);
    if kind == ResourceKind::Secret && !covers_whole {
        covers_whole = pattern::matches(written, &format!("{whole}-AbCdEf"), false);
    }
    let covers_parts =
        kind.has_parts() && pattern::matches_some_extension(written, &format!("{whole}/"));
    if covers_whole || covers_parts {
        Reference::Wildcard {
            whole: covers_whole,
            parts: covers_parts,
        }
    } else {
        Reference::Unrelated
    }
}

/// An ARN's service and resource part (`arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE`, the
/// resource possibly holding more `:`); `None` for anything else.
#[must_use]
pub fn split(arn: &str) -> Option<(&str, &str)> {
    let rest = arn.strip_prefix("arn:")?;
    // Colons inside template placeholders (`${AWS::Region}`) do not separate fields.
    let mut starts = [0usize; 4];
    let (mut field, mut placeholder) = (0, false);
    let bytes = rest.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'$' if bytes.get(i + 1) == Some(&b'{') => placeholder = true,
            b'}' => placeholder = false,
            b':' if !placeholder => {
                starts[field] = i + 1;
                field += 1;
                if field == starts.len() {
                    break;
                }
            }
            _ => {}
        }
    }
    if field < starts.len() {
        return None;
    }
    let service = &rest[starts[0]..starts[1] - 1];
    Some((service, &rest[starts[3]..]))
}

/// The resource name an ARN names without wildcards: `…:table/NAME/…`,
/// `arn:aws:s3:::NAME/…`, `…:function:NAME[:qualifier]`, `…:stream/NAME`, and the whole resource
/// part of queues, topics and the like (`…:sqs:REGION:ACCOUNT:NAME`).
#[must_use]
pub fn resource_name(arn: &str) -> Option<&str> {
    if arn.len() > MAX_RESOURCE {
        return None;
    }
    let (service, resource) = split(arn)?;
    let name = match service {
        "s3" => resource.split('/').next(),
        "dynamodb" | "kinesis" => resource.split('/').nth(1),
        "lambda" => resource
            .strip_prefix("function:")
            .map(|f| f.split(':').next().unwrap_or(f)),
        _ => Some(resource),
    }?;
    (!name.is_empty() && !pattern::is_pattern(name)).then_some(name)
}

/// Whether a resource covers resources of every name: `*`, or an ARN whose resource part has no
/// literal name before its first wildcard (`arn:aws:s3:::*`, `arn:aws:dynamodb:*:*:table/*`,
/// `arn:aws:lambda:*:*:function:*`, `arn:aws:logs:*:*:*`). A wildcard after a name scopes it
/// (`arn:aws:s3:::orders/*`, `…:function:orders-*`, `…:log-group:/aws/lambda/f:*`); wildcards in
/// the region or account do not make a resource broad.
#[must_use]
pub fn is_broad(resource: &str) -> bool {
    if resource.len() > MAX_RESOURCE {
        return false;
    }
    if !resource.starts_with("arn:") {
        return !resource.is_empty() && resource.bytes().all(|b| b == b'*');
    }
    let Some((service, written)) = split(resource) else {
        return false;
    };
    let Some(star) = written.find(['*', '?']) else {
        return false;
    };
    let literal = &written[..star];
    if literal.is_empty() || pattern::is_pattern(service) {
        return true;
    }
    // S3 names have no resource type before them; other services write `type/` or `type:`.
    if service == "s3" {
        return false;
    }
    literal.strip_suffix(['/', ':']).is_some_and(|kind| {
        !kind.is_empty() && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
    })
}

/// Whether text is the suffix AWS appends to a secret's name — `-` and six letters or digits —
/// or the pattern AWS documents for it (`-??????`).
fn is_secret_suffix(text: &str) -> bool {
    text.strip_prefix('-').is_some_and(|random| {
        random.len() == 6
            && random
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'?')
    })
}

/// Which part the text after `<name>/` names.
fn part(kind: ResourceKind, below: &str) -> Part {
    match kind {
        ResourceKind::Bucket => Part::Objects,
        ResourceKind::Table => {
            if below.starts_with("index/") {
                Part::Index
            } else if below.starts_with("stream/") {
                Part::Stream
            } else if below.starts_with('*') {
                Part::Any
            } else {
                Part::Other
            }
        }
        _ if below.starts_with('*') => Part::Any,
        _ => Part::Other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ResourceKind as K;

    #[test]
    fn placeholders_hold_colons_of_their_own() {
        assert_eq!(
            split("arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"),
            Some(("dynamodb", "table/*"))
        );
        assert_eq!(
            split("arn:aws:lambda:r:1:function:f:live"),
            Some(("lambda", "function:f:live"))
        );
        assert_eq!(split("arn:aws:s3:::b"), Some(("s3", "b")));
        assert_eq!(split("arn:aws:s3::"), None);
        assert!(is_broad(
            "arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/*"
        ));
        assert_eq!(
            classify(
                "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/orders",
                ResourceKind::Table,
                "orders"
            ),
            Reference::Whole
        );
    }

    #[test]
    fn names_in_arns() {
        assert_eq!(
            resource_name("arn:aws:dynamodb:us-east-1:1:table/Orders/stream/x"),
            Some("Orders")
        );
        assert_eq!(resource_name("arn:aws:s3:::uploads/in/*"), Some("uploads"));
        assert_eq!(
            resource_name("arn:aws:lambda:r:1:function:worker:live"),
            Some("worker")
        );
        assert_eq!(resource_name("arn:aws:sqs:r:1:jobs"), Some("jobs"));
        assert_eq!(resource_name("arn:aws:s3:::*"), None);
        assert_eq!(resource_name("arn:aws:sqs:r:1"), None);
        assert_eq!(resource_name("orders"), None);
    }

    #[test]
    fn broad_resources_cover_every_name() {
        for broad in [
            "*",
            "arn:aws:s3:::*",
            "arn:aws:s3:::*/*",
            "arn:aws:dynamodb:*:*:table/*",
            "arn:aws:lambda:*:*:function:*",
            "arn:aws:logs:*:*:*",
            "arn:aws:sqs:us-east-1:123456789012:*",
            "arn:aws:*:*:*:*",
        ] {
            assert!(is_broad(broad), "{broad}");
        }
        for scoped in [
            "orders",
            "arn:aws:s3:::orders",
            "arn:aws:s3:::orders/*",
            "arn:aws:s3:::uploads-*",
            "arn:aws:dynamodb:*:*:table/orders",
            "arn:aws:dynamodb:*:*:table/orders/index/*",
            "arn:aws:lambda:*:*:function:orders-*",
            "arn:aws:logs:*:*:log-group:/aws/lambda/f:*",
            "arn:aws:secretsmanager:*:*:secret:db-*",
            "arn:aws:iam::*:role/AWS-SSM-DiagnosisExecutionRole*",
            "arn:aws",
            "",
        ] {
            assert!(!is_broad(scoped), "{scoped}");
        }
    }

    #[test]
    fn classification_table() {
        let wildcard = |whole, parts| Reference::Wildcard { whole, parts };
        let cases: &[(&str, ResourceKind, &str, Reference)] = &[
            ("*", K::Bucket, "orders", wildcard(true, true)),
            ("*", K::Queue, "jobs", wildcard(true, false)),
            ("orders", K::Bucket, "orders", Reference::Whole),
            ("other", K::Bucket, "orders", Reference::Unrelated),
            ("arn:aws:s3:::orders", K::Bucket, "orders", Reference::Whole),
            (
                "arn:aws:s3:::orders/*",
                K::Bucket,
                "orders",
                Reference::Part(Part::Objects),
            ),
            (
                "arn:aws:s3:::orders/uploads/*",
                K::Bucket,
                "orders",
                Reference::Part(Part::Objects),
            ),
            ("arn:aws:s3:::*", K::Bucket, "orders", wildcard(true, true)),
            (
                "arn:aws:s3:::*/*",
                K::Bucket,
                "orders",
                wildcard(false, true),
            ),
            (
                "arn:aws:s3:::ord*",
                K::Bucket,
                "orders",
                wildcard(true, true),
            ),
            (
                "arn:aws:s3:::orders-archive",
                K::Bucket,
                "orders",
                Reference::Unrelated,
            ),
            (
                "arn:aws:s3:::orders-archive/*",
                K::Bucket,
                "orders",
                Reference::Unrelated,
            ),
            (
                "arn:aws-cn:s3:::orders",
                K::Bucket,
                "orders",
                Reference::Whole,
            ),
            (
                "arn:aws:dynamodb:*:*:table/*",
                K::Table,
                "orders",
                wildcard(true, true),
            ),
            (
                "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
                K::Table,
                "orders",
                Reference::Whole,
            ),
            (
                "arn:aws:dynamodb:*:*:table/orders/index/*",
                K::Table,
                "orders",
                Reference::Part(Part::Index),
            ),
            (
                "arn:aws:dynamodb:*:*:table/orders/stream/*",
                K::Table,
                "orders",
                Reference::Part(Part::Stream),
            ),
            (
                "arn:aws:dynamodb:*:*:table/orders/*",
                K::Table,
                "orders",
                Reference::Part(Part::Any),
            ),
            (
                "arn:aws:dynamodb:*:*:table/orders/backup/b1",
                K::Table,
                "orders",
                Reference::Part(Part::Other),
            ),
            (
                "arn:aws:dynamodb:*:*:table/orders/stream/*",
                K::TableStream,
                "orders",
                Reference::Whole,
            ),
            (
                "arn:aws:dynamodb:*:*:table/*/stream/*",
                K::TableStream,
                "orders",
                wildcard(true, false),
            ),
            (
                "arn:aws:dynamodb:*:*:table/orders",
                K::TableStream,
                "orders",
                Reference::Unrelated,
            ),
            (
                "arn:aws:s3:::orders",
                K::Table,
                "orders",
                Reference::Unrelated,
            ),
            (
                "arn:aws:lambda:*:*:function:*",
                K::Function,
                "pay",
                wildcard(true, false),
            ),
            (
                "arn:aws:lambda:eu-west-1:1:function:pay",
                K::Function,
                "pay",
                Reference::Whole,
            ),
            (
                "arn:aws:lambda:eu-west-1:1:function:pay:live",
                K::Function,
                "pay",
                Reference::Whole,
            ),
            (
                "arn:aws:lambda:eu-west-1:1:function:payroll",
                K::Function,
                "pay",
                Reference::Unrelated,
            ),
            ("arn:aws:sqs:*:*:jobs", K::Queue, "jobs", Reference::Whole),
            (
                "arn:aws:sns:*:*:*",
                K::Topic,
                "alerts",
                wildcard(true, false),
            ),
            (
                "arn:aws:secretsmanager:*:*:secret:db-AbC123",
                K::Secret,
                "db",
                Reference::Whole,
            ),
            (
                "arn:aws:secretsmanager:*:*:secret:db-??????",
                K::Secret,
                "db",
                Reference::Whole,
            ),
            (
                "arn:aws:secretsmanager:*:*:secret:*",
                K::Secret,
                "db",
                wildcard(true, false),
            ),
            (
                "arn:aws:secretsmanager:*:*:secret:db-prod",
                K::Secret,
                "db",
                Reference::Unrelated,
            ),
            (
                "arn:aws:secretsmanager:*:*:secret:db-AbC123-x",
                K::Secret,
                "db",
                Reference::Unrelated,
            ),
            (
                "arn:aws:ssm:*:*:parameter/app/db",
                K::Parameter,
                "/app/db",
                Reference::Whole,
            ),
            (
                "arn:aws:ssm:*:*:parameter/app/*",
                K::Parameter,
                "app",
                Reference::Part(Part::Any),
            ),
            (
                "arn:aws:ssm:*:*:parameter/*",
                K::Parameter,
                "app",
                wildcard(true, true),
            ),
            ("arn:aws:*:*:*:*", K::Queue, "jobs", wildcard(true, false)),
            ("arn:aws:s3", K::Bucket, "orders", Reference::Unrelated),
            (
                "arn:aws:es:*:*:domain/search/*",
                K::SearchDomain,
                "search",
                Reference::Part(Part::Any),
            ),
        ];
        for (resource, kind, name, expected) in cases {
            assert_eq!(
                classify(resource, *kind, name),
                *expected,
                "{resource} vs {kind:?} {name}"
            );
        }
    }

    #[test]
    fn hostile_resources_are_bounded() {
        let long = format!("arn:aws:s3:::{}", "*a".repeat(3_000));
        assert_eq!(classify(&long, K::Bucket, "orders"), Reference::Unrelated);
        let stars = format!("arn:aws:s3:::{}", "*".repeat(4_000));
        assert_eq!(
            classify(&stars, K::Bucket, "orders"),
            Reference::Wildcard {
                whole: true,
                parts: true
            }
        );
        assert_eq!(classify("arn:", K::Bucket, "orders"), Reference::Unrelated);
        assert_eq!(
            classify("arn:aws:s3:::é*/ü", K::Bucket, "orders"),
            Reference::Unrelated
        );
    }
}
