use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A function with no trigger that no other function invokes.
    ///
    /// ## Why it matters
    /// Functions nobody calls are forgotten: their runtimes age, their permissions stay, their
    /// dependencies are never updated — and anyone who can invoke them directly finds an
    /// unmaintained way in (SAS-11, obsolete functions and resources).
    ///
    /// ## Example
    /// A migration function from last year, still deployed with write access to every table.
    ///
    /// ## How to fix
    /// Delete it, or declare what starts it (a trigger, an `invoke` trigger by an actor).
    ///
    /// ## False positives
    /// Functions invoked by people or pipelines: declare an `invoke` trigger with its source.
    pub static RULE = {
        id: "STR-034",
        name: "obsolete-function",
        title: "Function that nothing starts",
        stride: ElevationOfPrivilege,
        sas: ["SAS-11"],
        owasp: ["S6"],
        cwe: [1164],
        capec: [],
        impact_cap: Moderate,
        mitigation: "Delete functions nothing starts, or declare what starts them.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let invoked: Vec<&str> = cx
        .model
        .functions
        .values()
        .flat_map(|f| f.invokes.iter().map(crate::model::FlowRef::target))
        .collect();
    cx.model
        .functions
        .iter()
        .filter(|(id, f)| f.triggers.is_empty() && !invoked.contains(&id.as_str()))
        .map(|(id, _)| {
            Finding::new(id, format!("nothing starts `{id}`")).because("no trigger, no invocation")
        })
        .collect()
}
