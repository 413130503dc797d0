//! The IAM action catalogue: every action AWS defines, with its service, access level and the
//! resource types it applies to (from the Service Authorization Reference; see `data/SOURCES.md`).
//!
//! Action names are case-insensitive in IAM, so every lookup here is; names come back as AWS
//! spells them (`lambda:invokefunction` is `lambda:InvokeFunction`).

use std::cmp::Ordering;
use std::collections::HashSet;
use std::fmt;
use std::sync::OnceLock;

use super::pattern;

const DATA: &str = include_str!("data/actions.txt");

/// Longest action pattern expanded: no action name comes near it, so a longer pattern (once runs
/// of `*` are folded) grants nothing, and hostile input costs nothing.
pub const MAX_PATTERN: usize = 256;
/// Longest name that gets a did-you-mean search.
const MAX_SUGGESTED: usize = 128;

/// How much an action lets its caller do, as the Service Authorization Reference classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AccessLevel {
    /// Lists resources (`s3:ListBucket`).
    List,
    /// Reads data or configuration (`dynamodb:GetItem`).
    Read,
    /// Creates, changes or deletes (`dynamodb:PutItem`, `lambda:InvokeFunction`).
    Write,
    /// Changes who may do what (`iam:PassRole`, `s3:PutBucketPolicy`): privilege escalation.
    PermissionsManagement,
    /// Changes tags only.
    Tagging,
}

impl AccessLevel {
    fn from_code(code: &str) -> Option<Self> {
        Some(match code {
            "L" => Self::List,
            "R" => Self::Read,
            "W" => Self::Write,
            "P" => Self::PermissionsManagement,
            "T" => Self::Tagging,
            _ => return None,
        })
    }

    /// The level as AWS writes it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::List => "List",
            Self::Read => "Read",
            Self::Write => "Write",
            Self::PermissionsManagement => "Permissions management",
            Self::Tagging => "Tagging",
        }
    }
}

impl fmt::Display for AccessLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A resource type of a service and the pattern of its ARNs
/// (`arn:${Partition}:s3:::${BucketName}/${ObjectName}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceType {
    /// The type's name (`object`).
    pub name: &'static str,
    /// Its ARN pattern, with `${…}` placeholders.
    pub arn: &'static str,
}

/// One IAM action.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// Service prefix (`s3`).
    pub service: &'static str,
    /// Action name as AWS spells it (`GetObject`).
    pub name: &'static str,
    /// What the action lets its caller do.
    pub level: AccessLevel,
    service_index: u16,
    /// Numbers of the service's resource types, comma-separated, or `-`.
    resource_types: &'static str,
}

impl Action {
    /// Resource types the action applies to; none for actions that only take `*`.
    pub fn resource_types(&self) -> impl Iterator<Item = ResourceType> + '_ {
        let types = &catalogue().services[usize::from(self.service_index)].resource_types;
        self.resource_types
            .split(',')
            .filter_map(|n| n.parse::<usize>().ok())
            .filter_map(|n| types.get(n).copied())
    }

    /// Whether the action can be granted on particular resources (it has resource types); one
    /// that cannot is granted on `*` or not at all.
    #[must_use]
    pub fn is_scopable(&self) -> bool {
        self.resource_types != "-"
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.service, self.name)
    }
}

/// A service and its actions.
#[derive(Debug)]
struct Service {
    prefix: &'static str,
    resource_types: Vec<ResourceType>,
    /// Its actions: a range of [`Catalogue::actions`], sorted case-insensitively.
    first: usize,
    end: usize,
}

/// Why an action pattern grants nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionProblem {
    /// Not `service:Action`.
    Malformed,
    /// No service has this prefix; the closest one, if any is close.
    UnknownService {
        /// A prefix that exists and is close to the one written.
        suggestion: Option<&'static str>,
    },
    /// The service has no such action; the closest one, if any is close.
    UnknownAction {
        /// An action of the service close to the one written.
        suggestion: Option<&'static Action>,
    },
    /// A pattern that matches no action.
    MatchesNothing,
}

/// Every IAM action, parsed once from the embedded data.
#[derive(Debug)]
pub struct Catalogue {
    /// Sorted by prefix.
    services: Vec<Service>,
    actions: Vec<Action>,
}

/// The catalogue, parsed on first use.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(|| Catalogue::parse(DATA))
}

/// Compares two names case-insensitively (ASCII), without allocating.
fn cmp_folded(a: &str, b: &str) -> Ordering {
    a.bytes()
        .map(|b| b.to_ascii_lowercase())
        .cmp(b.bytes().map(|b| b.to_ascii_lowercase()))
}

impl Catalogue {
    /// Parses the generated file. Lines it does not understand are skipped: the file is generated
    /// and tested, so there are none.
    fn parse(data: &'static str) -> Self {
        let mut services: Vec<Service> = Vec::new();
        let mut actions = Vec::new();
        for line in data.lines() {
            let mut fields = line.split('\t');
            match (fields.next(), fields.next(), fields.next(), fields.next()) {
                (Some("s"), Some(prefix), None, None) => {
                    if let Some(last) = services.last_mut() {
                        last.end = actions.len();
                    }
                    services.push(Service {
                        prefix,
                        resource_types: Vec::new(),
                        first: actions.len(),
                        end: actions.len(),
                    });
                }
                (Some("r"), Some(arn), Some(name), None) => {
                    if let Some(service) = services.last_mut() {
                        service.resource_types.push(ResourceType { name, arn });
                    }
                }
                (Some("a"), Some(name), Some(level), Some(resource_types)) => {
                    let (Some(level), Some(service)) =
                        (AccessLevel::from_code(level), services.last())
                    else {
                        continue;
                    };
                    actions.push(Action {
                        service: service.prefix,
                        name,
                        level,
                        // Set once the services are sorted.
                        service_index: 0,
                        resource_types,
                    });
                }
                _ => {}
            }
        }
        if let Some(last) = services.last_mut() {
            last.end = actions.len();
        }
        for service in &services {
            actions[service.first..service.end].sort_by(|a, b| cmp_folded(a.name, b.name));
        }
        // Services are looked up case-insensitively: sorted so, and each action pointed at its
        // service's place after the sort.
        services.sort_by(|a, b| cmp_folded(a.prefix, b.prefix));
        for (index, service) in services.iter().enumerate() {
            let index = u16::try_from(index).unwrap_or(u16::MAX);
            for action in &mut actions[service.first..service.end] {
                action.service_index = index;
            }
        }
        Catalogue { services, actions }
    }

    /// Every action, grouped by service.
    pub fn actions(&self) -> impl Iterator<Item = &Action> {
        self.services
            .iter()
            .flat_map(|s| &self.actions[s.first..s.end])
    }

    /// Number of actions.
    #[must_use]
    pub fn len(&self) -> usize {
        self.actions.len()
    }

    /// Whether the catalogue is empty (it never is).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.actions.is_empty()
    }

    /// Service prefixes, sorted.
    pub fn services(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.services.iter().map(|s| s.prefix)
    }

    fn service(&self, prefix: &str) -> Option<&Service> {
        self.services
            .binary_search_by(|s| cmp_folded(s.prefix, prefix))
            .ok()
            .map(|i| &self.services[i])
    }

    fn service_actions(&self, service: &Service) -> &[Action] {
        &self.actions[service.first..service.end]
    }

    /// The action `service:Name`, case-insensitively; `None` for patterns and unknown names.
    #[must_use]
    pub fn action(&'static self, name: &str) -> Option<&'static Action> {
        let (prefix, action) = name.split_once(':')?;
        let service = self.service(prefix)?;
        let actions = self.service_actions(service);
        actions
            .binary_search_by(|a| cmp_folded(a.name, action))
            .ok()
            .map(|i| &actions[i])
    }

    /// The access level of an action, if it is known.
    #[must_use]
    pub fn access_level(&'static self, name: &str) -> Option<AccessLevel> {
        self.action(name).map(|a| a.level)
    }

    /// The actions a pattern grants (`s3:Get*`, `dynamodb:*`, `*`, `s3:*Object`), case-insensitively,
    /// grouped by service. An exact name grants itself; a pattern longer than [`MAX_PATTERN`]
    /// (after folding runs of `*`) or malformed grants nothing.
    #[must_use]
    pub fn expand(&'static self, pattern: &str) -> Vec<&'static Action> {
        let folded = fold_stars(pattern);
        if folded.len() > MAX_PATTERN {
            return Vec::new();
        }
        if folded == "*" {
            return self.actions().collect();
        }
        if !pattern::is_pattern(&folded) {
            return self.action(&folded).into_iter().collect();
        }
        let Some((service_pattern, action_pattern)) = folded.split_once(':') else {
            return Vec::new();
        };
        let mut granted = Vec::new();
        for service in &self.services {
            if !pattern::matches(service_pattern, service.prefix, true) {
                continue;
            }
            let actions = self.service_actions(service);
            if action_pattern == "*" {
                granted.extend(actions.iter());
                continue;
            }
            // A literal character matches one character: a pattern with more literals than a
            // name has characters cannot match it.
            let literals = action_pattern.bytes().filter(|&b| b != b'*').count();
            granted.extend(actions.iter().filter(|a| {
                a.name.len() >= literals && pattern::matches(action_pattern, a.name, true)
            }));
        }
        granted
    }

    /// Whether a pattern grants more than one action of one kind: actions of more than one
    /// access level, any that manages permissions, or any privileged one
    /// ([`super::privilege`]) among several (`*`, `s3:*`, `s3:Put*`, `lambda:Invoke*`,
    /// `sts:Assume*`). Not `dynamodb:Get*` (reads, none privileged), nor a pattern that names a
    /// single action (`sqs:SendMessage*` is `sqs:SendMessage`); never an exact name, nor a
    /// pattern that grants nothing.
    #[must_use]
    pub fn is_broad_pattern(&'static self, pattern: &str) -> bool {
        if !pattern::is_pattern(pattern) {
            return false;
        }
        let granted = self.expand(pattern);
        let Some(first) = granted.first() else {
            return false;
        };
        granted.len() > 1
            && granted.iter().any(|a| {
                a.level != first.level
                    || a.level == AccessLevel::PermissionsManagement
                    || super::privilege::is_privileged(a)
            })
    }

    /// Why an action or pattern grants nothing, or `None` when it grants something.
    #[must_use]
    pub fn diagnose(&'static self, pattern: &str) -> Option<ActionProblem> {
        self.diagnose_with(pattern, true)
    }

    /// [`Catalogue::diagnose`], with or without the did-you-mean search (which compares the name
    /// with every action of its service: callers bound how often they ask for it).
    #[must_use]
    pub fn diagnose_with(
        &'static self,
        pattern: &str,
        with_suggestion: bool,
    ) -> Option<ActionProblem> {
        let folded = fold_stars(pattern);
        if folded == "*" {
            return None;
        }
        let Some((prefix, name)) = folded.split_once(':') else {
            return Some(ActionProblem::Malformed);
        };
        if prefix.is_empty() || name.is_empty() || name.contains(':') {
            return Some(ActionProblem::Malformed);
        }
        // What the catalogue grants is settled without AWS's own policies: parsing those (two
        // megabytes) is for actions the catalogue does not know.
        if self.service(prefix).is_some() && self.grants_anything(&folded) {
            return None;
        }
        let named = named_by_aws();
        let prefix_lower = prefix.to_ascii_lowercase();
        let service_named = named.services.contains(&prefix_lower);
        if !pattern::is_pattern(prefix) && self.service(prefix).is_none() && !service_named {
            return Some(ActionProblem::UnknownService {
                suggestion: with_suggestion
                    .then(|| self.suggest_service(prefix))
                    .flatten(),
            });
        }
        if !self.expand(&folded).is_empty()
            || named.actions.contains(&folded.to_ascii_lowercase())
            || (self.service(prefix).is_none() && service_named)
        {
            return None;
        }
        if pattern::is_pattern(&folded) {
            return Some(ActionProblem::MatchesNothing);
        }
        let suggestion = self
            .service(prefix)
            .filter(|_| with_suggestion)
            .and_then(|service| suggest(name, self.service_actions(service), |a| a.name));
        Some(ActionProblem::UnknownAction { suggestion })
    }

    /// Whether `pattern` grants at least one action of the catalogue.
    fn grants_anything(&'static self, pattern: &str) -> bool {
        match self.action(pattern) {
            Some(_) => true,
            None => pattern::is_pattern(pattern) && !self.expand(pattern).is_empty(),
        }
    }

    fn suggest_service(&self, prefix: &str) -> Option<&'static str> {
        suggest(prefix, &self.services, |s| s.prefix).map(|s| s.prefix)
    }
}

/// Services and actions AWS's own managed policies and SAM templates name, lowercased. The
/// catalogue's dataset lags AWS: an action AWS itself grants is known even when the catalogue
/// does not list it yet (it then has no access level and no pattern expands to it).
struct NamedByAws {
    services: HashSet<String>,
    /// Action names and patterns, as written there.
    actions: HashSet<String>,
}

fn named_by_aws() -> &'static NamedByAws {
    static NAMED: OnceLock<NamedByAws> = OnceLock::new();
    NAMED.get_or_init(|| {
        let mut named = NamedByAws {
            services: HashSet::new(),
            actions: HashSet::new(),
        };
        let statements = super::policies::managed_policies()
            .iter()
            .flat_map(|p| &p.statements)
            .chain(
                super::policies::policy_templates()
                    .iter()
                    .flat_map(|t| &t.statements),
            );
        for action in statements.flat_map(|s| &s.actions) {
            let lower = action.to_ascii_lowercase();
            if let Some((service, _)) = lower.split_once(':') {
                named.services.insert(service.to_owned());
            }
            named.actions.insert(lower);
        }
        named
    })
}

/// Folds runs of `*` into one (they mean the same) so that length limits count what matters.
fn fold_stars(pattern: &str) -> String {
    let mut folded = String::with_capacity(pattern.len().min(MAX_PATTERN + 1));
    for c in pattern.chars() {
        if c == '*' && folded.ends_with('*') {
            continue;
        }
        folded.push(c);
        if folded.len() > MAX_PATTERN {
            break;
        }
    }
    folded
}

/// The candidate whose name is closest to `word` (case-insensitively), when it is close enough
/// to be a typo: at most one edit in five characters, and at least one edit allowed. Bounded: long
/// words get no suggestion.
pub(crate) fn suggest<'c, T>(
    word: &str,
    candidates: &'c [T],
    name: impl Fn(&T) -> &str,
) -> Option<&'c T> {
    let length = word.chars().count();
    if length == 0 || length > MAX_SUGGESTED {
        return None;
    }
    let word = word.to_ascii_lowercase();
    let allowed = 1 + length / 5;
    candidates
        .iter()
        .filter(|c| name(c).len().abs_diff(length) <= allowed)
        .map(|c| {
            let distance = strsim::damerau_levenshtein(&word, &name(c).to_ascii_lowercase());
            (distance, c)
        })
        .filter(|(distance, _)| *distance <= allowed)
        .min_by(|a, b| a.0.cmp(&b.0).then_with(|| name(a.1).cmp(name(b.1))))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(actions: &[&Action]) -> Vec<String> {
        actions.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn lookups_ignore_case_and_answer_in_aws_spelling() {
        let c = catalogue();
        let invoke = c.action("lambda:invokefunction").expect("known");
        assert_eq!(invoke.to_string(), "lambda:InvokeFunction");
        assert_eq!(invoke.level, AccessLevel::Write);
        assert_eq!(
            c.access_level("IAM:PassRole"),
            Some(AccessLevel::PermissionsManagement)
        );
        assert_eq!(c.access_level("s3:ListBucket"), Some(AccessLevel::List));
        assert!(c.action("s3:Get*").is_none());
        assert!(c.action("nothing").is_none());
        assert!(c.len() > 15_000, "{}", c.len());
    }

    #[test]
    fn resource_types_carry_arn_patterns() {
        let get = catalogue().action("s3:GetObject").expect("known");
        let types: Vec<_> = get.resource_types().map(|t| t.name).collect();
        assert!(types.contains(&"object"), "{types:?}");
        let object = get
            .resource_types()
            .find(|t| t.name == "object")
            .expect("object");
        assert!(
            object.arn.ends_with(":s3:::${BucketName}/${ObjectName}"),
            "{}",
            object.arn
        );
    }

    #[test]
    fn patterns_expand_through_the_catalogue() {
        let c = catalogue();
        let get = names(&c.expand("s3:Get*"));
        assert!(get.contains(&"s3:GetObject".to_owned()));
        assert!(!get.contains(&"s3:PutObject".to_owned()));
        assert!(get.iter().all(|a| a.starts_with("s3:Get")));
        let object = names(&c.expand("s3:*Object"));
        assert!(
            object.contains(&"s3:PutObject".to_owned())
                && object.contains(&"s3:GetObject".to_owned())
        );
        assert!(!object.contains(&"s3:GetObjectAcl".to_owned()));
        let dynamodb = c.expand("DynamoDB:*");
        assert!(dynamodb.iter().all(|a| a.service == "dynamodb") && dynamodb.len() > 40);
        assert_eq!(c.expand("*").len(), c.len());
        assert_eq!(c.expand("****").len(), c.len());
        assert_eq!(
            names(&c.expand("sts:getcalleridentity")),
            ["sts:GetCallerIdentity"]
        );
        assert!(c.expand("s3").is_empty());
    }

    #[test]
    fn typos_get_a_suggestion() {
        let c = catalogue();
        match c.diagnose("sts:GetCallerIdentify") {
            Some(ActionProblem::UnknownAction {
                suggestion: Some(a),
            }) => {
                assert_eq!(a.to_string(), "sts:GetCallerIdentity");
            }
            other => panic!("{other:?}"),
        }
        assert_eq!(
            c.diagnose("dynamdb:GetItem"),
            Some(ActionProblem::UnknownService {
                suggestion: Some("dynamodb")
            })
        );
        assert_eq!(
            c.diagnose("nosuchservicexyz:GetItem"),
            Some(ActionProblem::UnknownService { suggestion: None })
        );
        assert_eq!(c.diagnose("s3:Gett*"), Some(ActionProblem::MatchesNothing));
        assert_eq!(c.diagnose("s3GetObject"), Some(ActionProblem::Malformed));
        assert_eq!(c.diagnose("lambda:invokefunction"), None);
        assert_eq!(c.diagnose("*"), None);
        assert_eq!(c.diagnose("s3:*"), None);
    }
}
