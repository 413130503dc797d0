use super::{Context, Finding, declare_rule};

/// Runtimes past their end of life, with the date support ended (AWS Lambda's deprecation date,
/// or the language's own end of life when that came first). A table in the binary, not the
/// clock, so the same model gives the same threats on any day; it is updated with each release.
const END_OF_LIFE: [(&str, &str); 30] = [
    ("nodejs", "2016-10-31"),
    ("nodejs4.3", "2020-03-05"),
    ("nodejs4.3-edge", "2019-04-30"),
    ("nodejs6.10", "2019-08-12"),
    ("nodejs8.10", "2020-03-06"),
    ("nodejs10.x", "2021-07-30"),
    ("nodejs12.x", "2023-03-31"),
    ("nodejs14.x", "2023-12-04"),
    ("nodejs16.x", "2024-06-12"),
    ("nodejs18.x", "2025-09-01"),
    ("nodejs20.x", "2026-04-30"),
    ("python2.7", "2021-07-15"),
    ("python3.6", "2022-07-18"),
    ("python3.7", "2023-12-04"),
    ("python3.8", "2024-10-14"),
    ("python3.9", "2025-12-15"),
    ("java8", "2024-01-08"),
    ("dotnetcore1.0", "2019-07-30"),
    ("dotnetcore2.0", "2019-05-30"),
    ("dotnetcore2.1", "2022-01-05"),
    ("dotnetcore3.1", "2023-04-03"),
    ("dotnet5.0", "2022-05-10"),
    ("dotnet6", "2024-12-20"),
    ("dotnet7", "2024-05-14"),
    ("ruby2.5", "2021-07-30"),
    ("ruby2.7", "2023-12-07"),
    ("ruby3.2", "2026-03-31"),
    ("go1.x", "2023-12-31"),
    ("provided", "2023-12-31"),
    ("java8.al1", "2024-01-08"),
];

declare_rule! {
    /// ## What it finds
    /// A function on a runtime past its end of life: `nodejs18.x`, `python3.9`, `go1.x`,
    /// `provided` (Amazon Linux 1) and older.
    ///
    /// ## Why it matters
    /// End-of-life runtimes get no security patches for the language or the operating system, and
    /// AWS blocks creating and then updating functions on them, so a fix cannot be deployed in a
    /// hurry (SAS-6, components with known vulnerabilities).
    ///
    /// ## Example
    /// ```yaml
    /// runtime: nodejs16.x
    /// ```
    ///
    /// ## How to fix
    /// Move to a supported runtime (`nodejs22.x`, `python3.13`, `java21`, `provided.al2023`) and
    /// test the function on it.
    ///
    /// ## False positives
    /// None: a function on an end-of-life runtime cannot be patched by its owner.
    pub static RULE = {
        id: "STR-011",
        name: "deprecated-runtime",
        title: "Function on an end-of-life runtime",
        stride: ElevationOfPrivilege,
        sas: ["SAS-6"],
        owasp: ["S9"],
        cwe: [1104],
        capec: [],
        impact_cap: Major,
        mitigation: "Upgrade to a supported runtime and redeploy.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        if let Some((runtime, date)) = END_OF_LIFE
            .iter()
            .find(|(runtime, _)| *runtime == function.runtime)
        {
            findings.push(
                Finding::new(
                    id,
                    format!("`{id}` runs on `{runtime}`, past its end of life ({date})"),
                )
                .because(format!("runtime `{runtime}`, end of life {date}")),
            );
        }
    }
    findings
}
