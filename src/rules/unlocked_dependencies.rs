use super::{Context, Finding, declare_rule};

declare_rule! {
    /// ## What it finds
    /// A function whose third-party dependencies are not pinned by a lockfile
    /// (`dependencies: {lockfile: false}`).
    ///
    /// ## Why it matters
    /// Every build resolves dependencies anew: a compromised or typo-squatted release published
    /// today is deployed with the next build, without a code change anyone reviews (SAS-6).
    ///
    /// ## Example
    /// ```yaml
    /// dependencies: {manifest: package.json, lockfile: false}
    /// ```
    ///
    /// ## How to fix
    /// Commit the lockfile (`package-lock.json`, `poetry.lock`, `Cargo.lock`) and install from it
    /// (`npm ci`, `pip install --require-hashes`, `cargo build --locked`).
    ///
    /// ## False positives
    /// Dependencies vendored into the repository: declare `lockfile: true`.
    pub static RULE = {
        id: "STR-019",
        name: "unlocked-dependencies",
        title: "Dependencies not pinned by a lockfile",
        stride: Tampering,
        sas: ["SAS-6"],
        owasp: ["S9"],
        cwe: [829, 1357],
        capec: [538],
        impact_cap: Major,
        mitigation: "Commit a lockfile and install from it (npm ci, pip --require-hashes, cargo --locked).",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    cx.model
        .functions
        .iter()
        .filter_map(|(id, f)| {
            f.dependencies
                .as_ref()
                .filter(|d| !d.lockfile)
                .map(|d| (id, d))
        })
        .map(|(id, d)| {
            let manifest = d.manifest.as_deref().unwrap_or("its manifest");
            Finding::new(
                id,
                format!("`{id}` resolves {manifest} afresh on every build"),
            )
            .because("dependencies.lockfile: false")
        })
        .collect()
}
