use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A function whose dependencies are not scanned for known vulnerabilities
    /// (`dependencies: {scanned: false}`). A `dependency-scanning` control lowers the residual risk.
    ///
    /// ## Why it matters
    /// Most code in a function is third-party. A known vulnerability in a parser or an image
    /// library is an attacker's way in through every event the function takes (SAS-6, S9).
    ///
    /// ## Example
    /// ```yaml
    /// dependencies: {manifest: package.json, lockfile: true, scanned: false}
    /// ```
    ///
    /// ## How to fix
    /// Scan on every build and on a schedule (Dependabot, `npm audit`, `pip-audit`,
    /// `cargo audit`, Amazon Inspector for Lambda) and fail builds on known exploitable issues.
    ///
    /// ## False positives
    /// Scanning done by a platform the model does not show: declare `scanned: true`, or a
    /// `dependency-scanning` control (which lowers the residual risk).
    pub static RULE = {
        id: "STR-020",
        name: "unscanned-dependencies",
        title: "Dependencies not scanned for known vulnerabilities",
        stride: ElevationOfPrivilege,
        sas: ["SAS-6"],
        owasp: ["S9"],
        cwe: [1104, 937],
        capec: [],
        impact_cap: Major,
        mitigation: "Scan dependencies on every build and on a schedule; fail builds on known exploitable vulnerabilities.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    cx.model
        .functions
        .iter()
        .filter(|(_, f)| f.dependencies.as_ref().is_some_and(|d| !d.scanned))
        .map(|(id, _)| {
            Finding::new(
                id,
                format!("nobody is told when a dependency of `{id}` has a known vulnerability"),
            )
            .because("dependencies.scanned: false")
        })
        .collect()
}
