use super::event_injection::sink_word;
use super::{Context, Finding, declare_rule};
use crate::model::EVENT;

declare_rule! {
    /// ## What it finds
    /// Second-order injection: a function reads a store or channel that an attacker can write
    /// to — anyone may write to it, or an actor or internet-reachable function writes what it
    /// was sent into it — and
    /// passes what it reads to a sink the model declares in its code (`sinks: [{kind: sql, from:
    /// [orders-table]}]`: a query, an interpreter, a deserialiser, markup, a file path, a URL).
    /// The finding names the function and the store, and the attacker's path to the store.
    ///
    /// ## Why it matters
    /// Data that was harmless where it was written becomes an attack where it is used: a
    /// shipping name stored through the order API becomes HTML in a receipt e-mail, an item id
    /// becomes SQL in a reporting job, a stored object becomes code when an admin tool
    /// deserialises it. Input validation at the API rarely covers every later use, and the
    /// reading function often runs with more privilege than the writer (SAS-1).
    ///
    /// ## Example
    /// ```yaml
    /// create-receipt:
    ///   reads: [orders-table]          # written by the public order API
    ///   sinks:
    ///     - {kind: sql, from: [orders-table], at: create_receipt.py:62}
    /// ```
    ///
    /// ## How to fix
    /// Treat stored data as untrusted at every use: parameterised queries, escaping for the
    /// markup it goes into, safe loaders (`json`, `yaml.safe_load`) instead of object
    /// deserialisers, no `eval`; then drop the sink from the model.
    ///
    /// ## False positives
    /// A sink that only ever receives values the application generated itself (ids it minted,
    /// never attacker text): remove it from the model, or accept the finding with the reason.
    pub static RULE = {
        id: "STR-046",
        name: "stored-data-injection",
        title: "Attacker-written data reaches an injection sink",
        stride: Tampering,
        sas: ["SAS-1"],
        owasp: ["S1", "S8"],
        cwe: [74, 89, 79, 502],
        capec: [66, 586],
        impact_cap: Severe,
        mitigation: "Treat stored data as untrusted at every use: parameterise queries, escape markup, use safe loaders and never evaluate it.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    for (id, function) in &cx.model.functions {
        // Stores and channels in the order the sinks name them, each once.
        let mut sources: Vec<&str> = Vec::new();
        for sink in &function.sinks {
            for from in &sink.from {
                if from != EVENT && !sources.contains(&from.as_str()) {
                    sources.push(from);
                }
            }
        }
        for source in sources {
            let Some(exposure) = cx.exposure(source) else {
                continue;
            };
            let fed: Vec<String> = function
                .sinks
                .iter()
                .filter(|s| s.from.iter().any(|f| f == source))
                .map(sink_word)
                .collect();
            findings.push(
                Finding::new(
                    id,
                    format!(
                        "`{id}` passes what it reads from `{source}`, which an attacker can write to, to {}",
                        fed.join(", ")
                    ),
                )
                .qualified(source)
                .because(format!(
                    "attacker path to `{source}`: {}",
                    super::quoted(&exposure.path, " → ")
                ))
                .because(format!("declared sinks fed by `{source}`: {}", fed.join(", "))),
            );
        }
    }
    findings
}
