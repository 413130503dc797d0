use super::{Context, Finding, declare_rule};
use crate::model::SecretSource;

/// Parts of environment variable names that say the value is a secret.
const SECRET_WORDS: [&str; 7] = [
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "TOKEN",
    "API_KEY",
    "PRIVATE_KEY",
    "CREDENTIAL",
];

declare_rule! {
    /// ## What it finds
    /// A secret a function gets from a plain environment variable or from its code
    /// (`secrets: {X: {from: env}}` or `from: hardcoded`), and environment variables whose name
    /// says they hold a secret (`…_SECRET`, `…_TOKEN`, `…PASSWORD`, `…API_KEY`) with a literal value.
    ///
    /// ## Why it matters
    /// Environment variables are visible to anyone who can read the function's configuration,
    /// end up in deployment templates, CI logs and crash dumps, and are readable by any code the
    /// function runs, including a compromised dependency (SAS-7).
    ///
    /// ## Example
    /// ```yaml
    /// env: {WEBHOOK_SIGNING_SECRET: change-me}
    /// ```
    ///
    /// ## How to fix
    /// Keep secrets in Secrets Manager or SSM Parameter Store (SecureString), fetch them at run
    /// time with a scoped permission, cache them in memory, and rotate them.
    ///
    /// ## False positives
    /// Variables that hold the *name* or ARN of a secret, not the secret: rename them (`…_ARN`).
    pub static RULE = {
        id: "STR-005",
        name: "secret-in-environment",
        title: "Secret in an environment variable or in code",
        stride: InformationDisclosure,
        sas: ["SAS-7"],
        owasp: ["S3"],
        cwe: [798, 526],
        capec: [37],
        impact_cap: Severe,
        mitigation: "Store secrets in Secrets Manager or SSM SecureString, fetch them at run time with a scoped permission, and rotate them.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        for (name, secret) in &function.secrets {
            let place = match secret.from {
                SecretSource::Env => "a plain environment variable",
                SecretSource::Hardcoded => "the code or the deployment template",
                SecretSource::SecretsManager | SecretSource::Ssm => continue,
            };
            findings.push(
                Finding::new(id, format!("secret `{name}` of `{id}` is kept in {place}"))
                    .qualified(name.clone())
                    .because(format!(
                        "secrets.{name}.from: {}",
                        if secret.from == SecretSource::Env {
                            "env"
                        } else {
                            "hardcoded"
                        }
                    )),
            );
        }
        for (name, value) in &function.env {
            let upper = name.to_ascii_uppercase();
            let secret_like = SECRET_WORDS.iter().any(|w| upper.contains(w))
                && !upper.ends_with("_ARN")
                && !upper.ends_with("_NAME");
            if secret_like && !function.secrets.contains_key(name) && !value.starts_with("arn:") {
                findings.push(
                    Finding::new(id, format!("environment variable `{name}` of `{id}` looks like a secret with a literal value"))
                        .qualified(name.clone())
                        .because(format!("env.{name} is set in the model")),
                );
            }
        }
    }
    findings
}
