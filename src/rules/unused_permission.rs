use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// An inline permission of a function on an element of the model that the function has no
    /// declared flow to: it neither reads, writes, invokes nor is triggered by it.
    ///
    /// ## Why it matters
    /// Permissions nobody uses are pure risk: they do nothing for the function and everything for
    /// an attacker who compromises it (SAS-4, least privilege). They also hide drift between what
    /// the code does and what the model says.
    ///
    /// ## Example
    /// ```yaml
    /// permissions: [{allow: ["dynamodb:GetItem"], on: [customers-table]}]   # never reads it
    /// ```
    ///
    /// ## How to fix
    /// Remove the statement, or add the missing flow to the model if the code really uses it.
    ///
    /// ## False positives
    /// Flows the model forgot: declare them (`reads`, `writes`, `invokes`).
    pub static RULE = {
        id: "STR-032",
        name: "unused-permission",
        title: "Permission on an element the function has no flow to",
        stride: ElevationOfPrivilege,
        sas: ["SAS-4"],
        owasp: ["S5"],
        cwe: [250],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Remove permissions the function does not use, or declare the flow that uses them.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        let used: Vec<&str> = function
            .reads
            .iter()
            .chain(&function.writes)
            .chain(&function.invokes)
            .map(crate::model::FlowRef::target)
            .chain(function.triggers.iter().filter_map(|t| t.source.as_deref()))
            .chain(function.secrets.values().filter_map(|s| s.store.as_deref()))
            .chain(function.on_failure.as_deref())
            .collect();
        for permission in &function.permissions {
            for resource in &permission.on {
                if resource == "*"
                    || resource.starts_with("arn:")
                    || used.contains(&resource.as_str())
                {
                    continue;
                }
                findings.push(
                    Finding::new(
                        id,
                        format!(
                            "`{id}` may {} on `{resource}` but has no flow to it",
                            permission.allow.join(", ")
                        ),
                    )
                    .qualified(resource.clone())
                    .because(format!(
                        "no read, write, invocation or trigger of `{resource}`"
                    )),
                );
            }
        }
    }
    findings
}
