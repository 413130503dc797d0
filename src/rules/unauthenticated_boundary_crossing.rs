use super::{Context, Finding, declare_rule};
use crate::graph::{FlowKind, NodeKind};
use crate::model::ChannelKind;

declare_rule! {
    /// ## What it finds
    /// A request from a less trusted boundary into a queue, topic, stream, bus, IoT rule or user
    /// pool of a more trusted one, by a sender that is not authenticated. (HTTP routes are the
    /// concern of `unauthenticated-public-trigger`.)
    ///
    /// ## Why it matters
    /// Whoever can reach the channel can impersonate the legitimate sender: partner systems,
    /// devices, other accounts. Everything downstream acts on forged events.
    ///
    /// ## Example
    /// ```yaml
    /// actors:
    ///   partner: {boundary: partner-net, kind: system, uses: [orders-queue]}   # not authenticated
    /// ```
    ///
    /// ## How to fix
    /// Authenticate senders: IAM roles with external ids for partners, X.509 certificates for
    /// IoT devices, resource policies that name the sender's account or role.
    ///
    /// ## False positives
    /// Senders authenticated in a way the model does not show: declare `authenticated: true`.
    pub static RULE = {
        id: "STR-042",
        name: "unauthenticated-boundary-crossing",
        title: "Unauthenticated sender crosses into a more trusted boundary",
        stride: Spoofing,
        sas: ["SAS-2"],
        owasp: ["S2"],
        cwe: [306, 290],
        capec: [],
        impact_cap: Severe,
        mitigation: "Authenticate senders that cross into a more trusted boundary (IAM with external ids, device certificates, named principals).",
        check: check,
    };
}

fn check(cx: &Context<'_>) -> Vec<Finding> {
    let mut findings = Vec::new();
    let graph = cx.dfd.graph();
    for edge in graph.edge_indices() {
        let Some((from, to)) = graph.edge_endpoints(edge) else {
            continue;
        };
        let flow = &graph[edge];
        if flow.kind != FlowKind::Request
            || flow.authenticated
            || !flow.crosses_boundary()
            || cx.dfd.trust_of(from) >= cx.dfd.trust_of(to)
        {
            continue;
        }
        let (sender, target) = (&graph[from], &graph[to]);
        let Some(channel) = (target.kind == NodeKind::Channel)
            .then(|| cx.model.channels.get(&target.id))
            .flatten()
        else {
            continue;
        };
        if matches!(
            channel.kind,
            ChannelKind::ApiGatewayRest
                | ChannelKind::ApiGatewayHttp
                | ChannelKind::ApiGatewayWebsocket
                | ChannelKind::FunctionUrl
                | ChannelKind::Alb
        ) {
            continue;
        }
        findings.push(
            Finding::new(
                &target.id,
                format!(
                    "`{}` sends to `{}` without authenticating",
                    sender.id, target.id
                ),
            )
            .qualified(sender.id.clone())
            .because(format!("crosses {}", super::quoted(&flow.crosses, ", "))),
        );
    }
    findings
}
