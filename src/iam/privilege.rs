//! Which actions are privileged: they give the caller rights it does not have, so that whoever
//! controls a function through its input can become someone else. This is the one definition
//! strider uses (`privileged-action-on-public-path`, administrative functions, scoring).
//!
//! An action is privileged when the catalogue says it is one of:
//! - an IAM action that changes identities or their permissions (access level *Write* or
//!   *Permissions management* in `iam`: `iam:PassRole`, `iam:CreateAccessKey`,
//!   `iam:AttachRolePolicy`…);
//! - a *Permissions management* action of a service that decides who the caller is or what it may
//!   decrypt or run (`sts`, `organizations`, `sso`, `cognito-identity`, `kms`, `lambda`:
//!   `kms:CreateGrant`, `lambda:AddPermission`, `cognito-identity:SetIdentityPoolRoles`);
//! - a privilege multiplier: assuming a role, or running code with another function's role
//!   (`sts:AssumeRole*`, `lambda:InvokeFunction`, `lambda:InvokeAsync`, `lambda:CreateFunction`,
//!   `lambda:UpdateFunctionCode`, `lambda:UpdateFunctionConfiguration`).
//!
//! Permissions management of data services (`s3:PutBucketPolicy`, `logs:PutResourcePolicy`) opens
//! a resource to others rather than raising the caller's own rights; it is not privileged here
//! (`public-store` and `wildcard-permission` see it).

use super::catalogue::{AccessLevel, Action};

/// Services whose permissions-management actions decide who the caller is, or what it may
/// decrypt or run.
const IDENTITY_SERVICES: [&str; 6] = [
    "sts",
    "organizations",
    "sso",
    "cognito-identity",
    "kms",
    "lambda",
];

/// Actions that act with another principal's rights (service, action name).
const MULTIPLIERS: [(&str, &str); 8] = [
    ("sts", "AssumeRole"),
    ("sts", "AssumeRoleWithSAML"),
    ("sts", "AssumeRoleWithWebIdentity"),
    ("lambda", "CreateFunction"),
    ("lambda", "InvokeAsync"),
    ("lambda", "InvokeFunction"),
    ("lambda", "UpdateFunctionCode"),
    ("lambda", "UpdateFunctionConfiguration"),
];

/// Whether an action gives its caller rights it does not have (see the module's docs).
#[must_use]
pub fn is_privileged(action: &Action) -> bool {
    match action.level {
        AccessLevel::Write | AccessLevel::PermissionsManagement if action.service == "iam" => true,
        AccessLevel::PermissionsManagement if IDENTITY_SERVICES.contains(&action.service) => true,
        _ => MULTIPLIERS
            .iter()
            .any(|&(service, name)| action.service == service && action.name == name),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::iam::catalogue;

    fn privileged(name: &str) -> bool {
        let action = catalogue()
            .action(name)
            .unwrap_or_else(|| panic!("{name} is not in the catalogue"));
        is_privileged(action)
    }

    #[test]
    fn escalation_is_privileged_and_data_access_is_not() {
        for name in [
            "iam:PassRole",
            "iam:CreateAccessKey",
            "iam:AttachRolePolicy",
            "iam:PutRolePolicy",
            "sts:AssumeRole",
            "lambda:InvokeFunction",
            "lambda:UpdateFunctionCode",
            "lambda:AddPermission",
            "kms:CreateGrant",
        ] {
            assert!(privileged(name), "{name}");
        }
        for name in [
            "iam:ListRoles",
            "iam:GetRole",
            "iam:TagRole",
            "sts:GetCallerIdentity",
            "s3:GetObject",
            "s3:PutBucketPolicy",
            "logs:PutResourcePolicy",
            "dynamodb:DeleteItem",
            "lambda:GetFunction",
            "kms:Decrypt",
            "ses:SendEmail",
        ] {
            assert!(!privileged(name), "{name}");
        }
    }

    #[test]
    fn every_multiplier_is_a_catalogued_action() {
        for (service, name) in MULTIPLIERS {
            assert!(
                catalogue().action(&format!("{service}:{name}")).is_some(),
                "{service}:{name}"
            );
        }
        for service in IDENTITY_SERVICES {
            assert!(catalogue().services().any(|s| s == service), "{service}");
        }
    }
}
