//! Policies as AWS ships them: AWS managed policies (by name or ARN) and the SAM policy templates
//! (`DynamoDBCrudPolicy: {TableName: …}`), both read from the embedded data (see
//! `data/SOURCES.md`) into [`Statement`]s.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use super::catalogue::suggest;

const MANAGED: &str = include_str!("data/managed-policies.txt");
const TEMPLATES: &str = include_str!("data/sam-templates.txt");

/// Whether a statement allows or denies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Effect {
    /// `"Effect": "Allow"`.
    Allow,
    /// `"Effect": "Deny"`.
    Deny,
}

/// One policy statement, as strider keeps it: conditions are not evaluated, only flagged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// Allow or deny.
    pub effect: Effect,
    /// `Action` patterns, or `NotAction` ones when `not_action`.
    pub actions: Vec<&'static str>,
    /// Whether `actions` is a `NotAction` list: the statement is about every other action.
    pub not_action: bool,
    /// `Resource` patterns (ARNs or `*`), or `NotResource` ones when `not_resource`.
    pub resources: Vec<Cow<'static, str>>,
    /// Whether `resources` is a `NotResource` list.
    pub not_resource: bool,
    /// Whether the statement has a `Condition`: it applies only when the condition holds.
    pub conditional: bool,
}

impl Statement {
    /// Parses `s <flags> <actions> <resources>` of the generated files.
    fn parse(line: &'static str) -> Option<Self> {
        let mut fields = line.split('\t');
        let (Some("s"), Some(flags), Some(actions), Some(resources), None) = (
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
            fields.next(),
        ) else {
            return None;
        };
        let effect = match flags.as_bytes().first() {
            Some(b'A') => Effect::Allow,
            Some(b'D') => Effect::Deny,
            _ => return None,
        };
        let list = |text: &'static str| -> Vec<&'static str> {
            if text == "-" {
                Vec::new()
            } else {
                text.split(' ').collect()
            }
        };
        Some(Statement {
            effect,
            actions: list(actions),
            not_action: flags.contains('n'),
            resources: list(resources).into_iter().map(Cow::Borrowed).collect(),
            not_resource: flags.contains('m'),
            conditional: flags.contains('c'),
        })
    }
}

/// An AWS managed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagedPolicy {
    /// Its name (`AWSLambdaRole`).
    pub name: &'static str,
    /// The path in its ARN (`/service-role/`).
    pub path: &'static str,
    /// The statements of its current version.
    pub statements: Vec<Statement>,
}

impl ManagedPolicy {
    /// Its ARN in the `aws` partition.
    #[must_use]
    pub fn arn(&self) -> String {
        format!("arn:aws:iam::aws:policy{}{}", self.path, self.name)
    }
}

/// Why a managed policy reference names no policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyProblem {
    /// No AWS managed policy has this name; the closest one, if any.
    Unknown {
        /// A policy whose name is close to the one written.
        suggestion: Option<&'static ManagedPolicy>,
    },
    /// The policy exists, but its ARN has another path (or is not an AWS managed policy ARN).
    WrongArn {
        /// The policy the name designates.
        policy: &'static ManagedPolicy,
    },
}

/// A SAM policy template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyTemplate {
    /// Its name (`DynamoDBCrudPolicy`).
    pub name: &'static str,
    /// The parameters it takes (`TableName`), sorted.
    pub parameters: Vec<&'static str>,
    /// Its statements, with `${Parameter}` and `${AWS::…}` placeholders in resources.
    pub statements: Vec<Statement>,
}

/// Why a template cannot be instantiated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TemplateProblem {
    /// No SAM policy template has this name; the closest one, if any.
    Unknown {
        /// A template whose name is close to the one written.
        suggestion: Option<&'static PolicyTemplate>,
    },
    /// Parameters the template needs and were not given.
    MissingParameters(Vec<&'static str>),
    /// Parameters given that the template does not take.
    UnknownParameters(Vec<String>),
}

impl fmt::Display for TemplateProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown { .. } => f.write_str("unknown SAM policy template"),
            Self::MissingParameters(names) => write!(f, "missing parameters {}", names.join(", ")),
            Self::UnknownParameters(names) => write!(f, "unknown parameters {}", names.join(", ")),
        }
    }
}

impl PolicyTemplate {
    /// Its statements with parameters substituted: `${Name}` becomes the caller's value for
    /// `Name` (strider passes element ids, so `table/${TableName}` becomes `table/<id>`), the
    /// partition becomes `aws` and the region and account `*` (a model is one system, so an ARN
    /// is matched by its resource part).
    ///
    /// # Errors
    /// [`TemplateProblem::MissingParameters`] when a parameter has no value, and
    /// [`TemplateProblem::UnknownParameters`] when a value names no parameter.
    pub fn instantiate(
        &self,
        values: &BTreeMap<String, String>,
    ) -> Result<Vec<Statement>, TemplateProblem> {
        let missing: Vec<&'static str> = self
            .parameters
            .iter()
            .filter(|p| !values.contains_key(**p))
            .copied()
            .collect();
        if !missing.is_empty() {
            return Err(TemplateProblem::MissingParameters(missing));
        }
        let unknown: Vec<String> = values
            .keys()
            .filter(|k| !self.parameters.contains(&k.as_str()))
            .cloned()
            .collect();
        if !unknown.is_empty() {
            return Err(TemplateProblem::UnknownParameters(unknown));
        }
        Ok(self
            .statements
            .iter()
            .map(|statement| Statement {
                resources: statement
                    .resources
                    .iter()
                    .map(|r| Cow::Owned(substitute(r, values)))
                    .collect(),
                ..statement.clone()
            })
            .collect())
    }
}

/// Replaces `${…}` placeholders in one pass, so that a value holding `${…}` is not expanded again.
fn substitute(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let Some(end) = after.find('}') else {
            out.push_str(&rest[start..]);
            return out;
        };
        let name = &after[..end];
        match name {
            "AWS::Partition" => out.push_str("aws"),
            "AWS::Region" | "AWS::AccountId" => out.push('*'),
            _ => match values.get(name) {
                Some(value) => out.push_str(value),
                None => out.push('*'),
            },
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// Both catalogues, parsed once.
struct Policies {
    /// Sorted by name.
    managed: Vec<ManagedPolicy>,
    /// Sorted by name.
    templates: Vec<PolicyTemplate>,
}

fn policies() -> &'static Policies {
    static POLICIES: OnceLock<Policies> = OnceLock::new();
    POLICIES.get_or_init(|| {
        let mut managed: Vec<ManagedPolicy> = Vec::new();
        for line in MANAGED.lines() {
            if let Some(rest) = line.strip_prefix("p\t") {
                if let Some((name, path)) = rest.split_once('\t') {
                    managed.push(ManagedPolicy {
                        name,
                        path,
                        statements: Vec::new(),
                    });
                }
            } else if let (Some(policy), Some(statement)) =
                (managed.last_mut(), Statement::parse(line))
            {
                policy.statements.push(statement);
            }
        }
        managed.sort_by(|a, b| a.name.cmp(b.name));
        let mut templates: Vec<PolicyTemplate> = Vec::new();
        for line in TEMPLATES.lines() {
            if let Some(rest) = line.strip_prefix("t\t") {
                if let Some((name, parameters)) = rest.split_once('\t') {
                    templates.push(PolicyTemplate {
                        name,
                        parameters: parameters.split(',').filter(|p| *p != "-").collect(),
                        statements: Vec::new(),
                    });
                }
            } else if let (Some(template), Some(statement)) =
                (templates.last_mut(), Statement::parse(line))
            {
                template.statements.push(statement);
            }
        }
        templates.sort_by(|a, b| a.name.cmp(b.name));
        Policies { managed, templates }
    })
}

/// Every AWS managed policy, sorted by name.
#[must_use]
pub fn managed_policies() -> &'static [ManagedPolicy] {
    &policies().managed
}

/// Every SAM policy template, sorted by name.
#[must_use]
pub fn policy_templates() -> &'static [PolicyTemplate] {
    &policies().templates
}

/// The AWS managed policy a name (`AmazonDynamoDBFullAccess`) or an ARN
/// (`arn:aws:iam::aws:policy/service-role/AWSLambdaRole`, in any partition) designates.
///
/// # Errors
/// [`PolicyProblem::Unknown`] (with a did-you-mean) when no policy has the name, and
/// [`PolicyProblem::WrongArn`] when the name exists but the ARN's path is not the policy's.
pub fn managed_policy(reference: &str) -> Result<&'static ManagedPolicy, PolicyProblem> {
    managed_policy_with(reference, true)
}

/// [`managed_policy`], with or without the did-you-mean search (callers bound how often they ask).
///
/// # Errors
/// As [`managed_policy`].
pub fn managed_policy_with(
    reference: &str,
    suggest_name: bool,
) -> Result<&'static ManagedPolicy, PolicyProblem> {
    let all = managed_policies();
    let find = |name: &str| {
        all.binary_search_by(|p| p.name.cmp(name))
            .ok()
            .map(|i| &all[i])
    };
    let unknown = |name: &str| PolicyProblem::Unknown {
        suggestion: suggest_name
            .then(|| suggest(name, all, |p| p.name))
            .flatten(),
    };
    let Some(rest) = reference.strip_prefix("arn:") else {
        return find(reference).ok_or_else(|| unknown(reference));
    };
    // arn:<partition>:iam::aws:policy<path><name>
    let name = rest.rsplit('/').next().unwrap_or(rest);
    let policy = find(name).ok_or_else(|| unknown(name))?;
    let well_formed = rest.split_once(':').is_some_and(|(partition, tail)| {
        PARTITIONS.contains(&partition)
            && tail
                .strip_prefix("iam::aws:policy")
                .and_then(|t| t.strip_suffix(name))
                == Some(policy.path)
    });
    if well_formed {
        Ok(policy)
    } else {
        Err(PolicyProblem::WrongArn { policy })
    }
}

/// The AWS partitions, as ARNs write them.
pub const PARTITIONS: [&str; 8] = [
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// The SAM policy template of this name (names are case-sensitive in SAM).
///
/// # Errors
/// [`TemplateProblem::Unknown`], with a did-you-mean, when there is none.
pub fn policy_template(name: &str) -> Result<&'static PolicyTemplate, TemplateProblem> {
    policy_template_with(name, true)
}

/// [`policy_template`], with or without the did-you-mean search.
///
/// # Errors
/// As [`policy_template`].
pub fn policy_template_with(
    name: &str,
    suggest_name: bool,
) -> Result<&'static PolicyTemplate, TemplateProblem> {
    let all = policy_templates();
    all.binary_search_by(|t| t.name.cmp(name))
        .map(|i| &all[i])
        .map_err(|_| TemplateProblem::Unknown {
            suggestion: suggest_name
                .then(|| suggest(name, all, |t| t.name))
                .flatten(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_policies_by_name_and_arn() {
        let full = managed_policy("AmazonDynamoDBFullAccess").expect("known");
        assert!(
            full.statements
                .iter()
                .any(|s| s.actions.contains(&"dynamodb:*"))
        );
        let role = managed_policy("AWSLambdaRole").expect("known");
        assert_eq!(role.path, "/service-role/");
        assert_eq!(
            role.arn(),
            "arn:aws:iam::aws:policy/service-role/AWSLambdaRole"
        );
        for arn in [
            "arn:aws:iam::aws:policy/service-role/AWSLambdaRole",
            "arn:aws-cn:iam::aws:policy/service-role/AWSLambdaRole",
            "arn:aws-us-gov:iam::aws:policy/service-role/AWSLambdaRole",
        ] {
            assert_eq!(managed_policy(arn), Ok(role), "{arn}");
        }
        assert_eq!(
            managed_policy("arn:aws:iam::aws:policy/AWSLambdaRole"),
            Err(PolicyProblem::WrongArn { policy: role })
        );
        assert_eq!(
            managed_policy("arn:aws:iam::123456789012:policy/service-role/AWSLambdaRole"),
            Err(PolicyProblem::WrongArn { policy: role })
        );
        let admin = managed_policy("AdministratorAccess").expect("known");
        assert_eq!(admin.statements[0].actions, ["*"]);
        match managed_policy("AmazonDynamoDBFulAccess") {
            Err(PolicyProblem::Unknown {
                suggestion: Some(p),
            }) => {
                assert_eq!(p.name, "AmazonDynamoDBFullAccess");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn templates_substitute_their_parameters() {
        let crud = policy_template("DynamoDBCrudPolicy").expect("known");
        assert_eq!(crud.parameters, ["TableName"]);
        let values = BTreeMap::from([("TableName".to_owned(), "orders-table".to_owned())]);
        let statements = crud.instantiate(&values).expect("instantiates");
        let resources: Vec<&str> = statements[0].resources.iter().map(AsRef::as_ref).collect();
        assert_eq!(
            resources,
            [
                "arn:aws:dynamodb:*:*:table/orders-table",
                "arn:aws:dynamodb:*:*:table/orders-table/index/*"
            ]
        );
        assert_eq!(
            crud.instantiate(&BTreeMap::new()),
            Err(TemplateProblem::MissingParameters(vec!["TableName"]))
        );
        let extra = BTreeMap::from([
            ("TableName".to_owned(), "t".to_owned()),
            ("Bucket".to_owned(), "b".to_owned()),
        ]);
        assert_eq!(
            crud.instantiate(&extra),
            Err(TemplateProblem::UnknownParameters(vec![
                "Bucket".to_owned()
            ]))
        );
        let hostile = BTreeMap::from([(
            "TableName".to_owned(),
            "${AWS::Region}${TableName}".to_owned(),
        )]);
        let statements = crud.instantiate(&hostile).expect("instantiates");
        assert_eq!(
            statements[0].resources[0],
            "arn:aws:dynamodb:*:*:table/${AWS::Region}${TableName}"
        );
        match policy_template("S3ReadPolicyy") {
            Err(TemplateProblem::Unknown {
                suggestion: Some(t),
            }) => assert_eq!(t.name, "S3ReadPolicy"),
            other => panic!("{other:?}"),
        }
        assert!(policy_template("AWSSecretsManagerGetSecretValuePolicy").is_ok());
        assert!(policy_template("SQSSendMessagePolicy").is_ok());
    }
}
