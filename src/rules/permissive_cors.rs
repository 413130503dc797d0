use super::{Context, Finding, declare_rule};
use crate::model::Cors;

declare_rule! {
    /// ## What it finds
    /// An API or bucket whose CORS configuration lets any origin call it with the user's
    /// credentials: an origin of `*`, `null` (sent by sandboxed frames and local files, so any
    /// page can claim it) or `reflect` (a handler that echoes the request's `Origin` back),
    /// together with `credentials: true`.
    ///
    /// ## Why it matters
    /// Browsers then let any web page the user visits make authenticated requests and read the
    /// answers: the user's data and actions are one malicious link away (SAS-3). Browsers refuse
    /// a literal `*` with credentials, which is why handlers reflect the origin — the same hole.
    ///
    /// ## Example
    /// ```yaml
    /// orders-api: {kind: api-gateway-http, cors: {origins: ["*"], credentials: true}}
    /// ```
    ///
    /// ## How to fix
    /// List the application's own origins; never reflect `Origin` unchecked; drop credentials
    /// where the API takes bearer tokens from JavaScript anyway.
    ///
    /// ## False positives
    /// None when the facts are right.
    pub static RULE = {
        id: "STR-053",
        name: "permissive-cors",
        title: "Any web origin may call with the user's credentials",
        stride: InformationDisclosure,
        sas: ["SAS-3"],
        owasp: ["S6"],
        cwe: [942],
        capec: [111],
        impact_cap: Major,
        mitigation: "Allow only the application's own origins, and never reflect Origin with credentials.",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let channels = cx
        .model
        .channels
        .iter()
        .filter_map(|(id, c)| Some((id, c.cors.as_ref()?)));
    let stores = cx
        .model
        .stores
        .iter()
        .filter_map(|(id, s)| Some((id, s.cors.as_ref()?)));
    channels
        .chain(stores)
        .filter(|(_, cors)| cors.any_origin() && cors.credentials)
        .map(|(id, cors)| finding(id, cors))
        .collect()
}

fn finding(id: &str, cors: &Cors) -> Finding {
    Finding::new(
        id,
        format!("any web origin may call `{id}` with the user's credentials"),
    )
    .because(format!(
        "cors: origins {}, credentials: true",
        super::quoted(&cors.origins, ", ")
    ))
}
