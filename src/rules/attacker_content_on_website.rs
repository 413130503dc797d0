use petgraph::Direction;
use petgraph::visit::EdgeRef;

use super::{Context, Finding, declare_rule};
use crate::graph::FlowKind;

declare_rule! {
    /// ## What it finds
    /// A bucket that serves a static website (`website: true`) and that anyone may write to
    /// (`public: write`) or a function an attacker reaches writes to: what the attacker sends
    /// ends up as an object the site serves from its own origin. The finding names the bucket
    /// and the writers.
    ///
    /// ## Why it matters
    /// Browsers trust everything a site's origin serves alike. An HTML or SVG object built from
    /// attacker input is stored cross-site scripting on the site (sessions, tokens in local
    /// storage, the forms of the real pages); other content turns the site into free hosting
    /// for phishing pages and malware under the application's name (SAS-1).
    ///
    /// ## Example
    /// A converter fetches a document from a URL the user gives, and writes the text to the
    /// public website bucket with `ContentType: text/html`; a link to the object runs the
    /// attacker's script on the site.
    ///
    /// ## How to fix
    /// Keep user content off the site's origin: write it to a separate, private bucket served
    /// through signed URLs or a separate domain; store it with `Content-Type: text/plain` or
    /// `application/octet-stream` and `Content-Disposition: attachment`; escape anything built
    /// into HTML; add a Content-Security-Policy to the site.
    ///
    /// ## False positives
    /// Writers that store only content the application generated (no attacker text reaches the
    /// objects): accept with the reason.
    pub static RULE = {
        id: "STR-048",
        name: "attacker-content-on-website",
        title: "Attacker-shaped content is served from a website origin",
        stride: Tampering,
        sas: ["SAS-1"],
        owasp: ["S7"],
        cwe: [79, 434],
        capec: [592],
        impact_cap: Major,
        mitigation: "Keep user content off the site's origin: a separate private bucket or domain, safe content types, escaping and a Content-Security-Policy.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let graph = cx.dfd.graph();
    let mut findings = Vec::new();
    for (id, store) in &cx.model.stores {
        if store.website != Some(true) {
            continue;
        }
        let Some(node) = cx.dfd.node(id) else {
            continue;
        };
        let mut writers: Vec<&str> = graph
            .edges_directed(node, Direction::Incoming)
            .filter(|e| {
                e.weight().kind == FlowKind::Write && cx.exposure(&graph[e.source()].id).is_some()
            })
            .map(|e| graph[e.source()].id.as_str())
            .collect();
        writers.sort_unstable();
        writers.dedup();
        if writers.is_empty() && !store.public.write {
            continue;
        }
        let who = if store.public.write {
            "anyone".to_owned()
        } else {
            super::quoted(&writers, ", ")
        };
        let mut finding = Finding::new(
            id,
            format!("{who} can put content into `{id}`, which serves a website"),
        )
        .because(format!("`{id}` has website: true"));
        if store.public.write {
            finding = finding.because("public: write");
        }
        for writer in &writers {
            if let Some(exposure) = cx.exposure(writer) {
                finding = finding.because(format!(
                    "attacker path: {}",
                    super::quoted(&exposure.path, " → ")
                ));
            }
        }
        findings.push(finding);
    }
    findings
}
