//! Application Load Balancers in front of functions: an `AWS::ElasticLoadBalancingV2::
//! LoadBalancer` is an `alb` channel (public unless its scheme is `internal`, TLS when a listener
//! speaks HTTPS); a `TargetGroup` of `TargetType: lambda` names the functions behind it; a
//! `ListenerRule` (its path-pattern and HTTP-method conditions) or a `Listener`'s default action
//! forwarding to such a group is a trigger of each of its functions. A listener outside the
//! template gets an `alb` channel of its own, said to be outside.

use super::{Mapped, Mapper, element_doc};
use crate::import::emit::Doc;
use crate::import::template::{Resource, Val};

const LOAD_BALANCER: &str = "AWS::ElasticLoadBalancingV2::LoadBalancer";
const LISTENER: &str = "AWS::ElasticLoadBalancingV2::Listener";
const TARGET_GROUP: &str = "AWS::ElasticLoadBalancingV2::TargetGroup";

impl Mapper<'_> {
    /// A load balancer: public unless internal; TLS when one of its listeners is HTTPS.
    pub(super) fn load_balancer(&mut self, r: &Resource) {
        let mut channel = element_doc("alb");
        let internal = self.prop(r, "Scheme").and_then(|v| v.text()).as_deref() == Some("internal");
        channel.set("public", Doc::Bool(!internal));
        channel.set("auth", Doc::str("none"));
        let listeners: Vec<Resource> = self
            .t
            .resources
            .iter()
            .filter(|l| l.kind == LISTENER)
            .cloned()
            .collect();
        let https = listeners.iter().any(|l| {
            self.prop(l, "LoadBalancerArn")
                .and_then(|v| v.resource().map(|(id, _)| id == r.id))
                .unwrap_or(false)
                && self.prop(l, "Protocol").and_then(|v| v.text()).as_deref() == Some("HTTPS")
        });
        channel.set("tls", Doc::Bool(https));
        self.add_channel(r, channel);
    }

    /// A listener's default action, forwarding to functions: catch-all triggers.
    pub(super) fn listener(&mut self, r: &Resource) {
        let Some(actions) = self.prop(r, "DefaultActions") else {
            return;
        };
        let Some(alb) = self
            .prop(r, "LoadBalancerArn")
            .and_then(|v| self.alb_of(&v))
        else {
            return;
        };
        for function in self.forwarded(&actions) {
            let mut trigger = Doc::map();
            trigger.set("kind", Doc::str("http"));
            trigger.set("source", Doc::str(alb.clone()));
            self.push_trigger(&function, trigger);
        }
    }

    /// A listener rule forwarding to functions: a trigger with its path and method.
    pub(super) fn listener_rule(&mut self, r: &Resource) {
        let Some(actions) = self.prop(r, "Actions") else {
            return;
        };
        let functions = self.forwarded(&actions);
        if functions.is_empty() {
            return;
        }
        let Some(listener) = self.prop(r, "ListenerArn") else {
            return;
        };
        let alb = match listener
            .resource()
            .and_then(|(id, _)| self.t.resource(id).cloned())
            .filter(|l| l.kind == LISTENER)
        {
            Some(l) => self
                .prop(&l, "LoadBalancerArn")
                .and_then(|v| self.alb_of(&v)),
            None => Some(self.outside_alb(r, &listener)),
        };
        let Some(alb) = alb else { return };
        let mut path = None;
        let mut method = None;
        for condition in self
            .prop(r, "Conditions")
            .as_ref()
            .map(Val::items)
            .unwrap_or_default()
        {
            let field = condition
                .get("Field")
                .and_then(Val::text)
                .unwrap_or_default();
            let first = |config: &str| {
                condition
                    .get(config)
                    .and_then(|c| c.get("Values"))
                    .or_else(|| condition.get("Values"))
                    .and_then(|v| v.items().first().and_then(|v| v.text()))
            };
            match field.as_str() {
                "path-pattern" => path = first("PathPatternConfig"),
                "http-request-method" => method = first("HttpRequestMethodConfig"),
                _ => {}
            }
        }
        for function in functions {
            let mut trigger = Doc::map();
            trigger.set("kind", Doc::str("http"));
            trigger.set("source", Doc::str(alb.clone()));
            if let Some(method) = method
                .as_deref()
                .and_then(|m| self.route_method(r, &format!("listener rule `{}`", r.id), m))
            {
                trigger.set("method", Doc::str(method));
            }
            if let Some(path) = &path {
                trigger.set("path", Doc::str(path.clone()));
            }
            self.push_trigger(&function, trigger);
        }
    }

    /// The functions behind the target groups `actions` forward to.
    fn forwarded(&self, actions: &Val) -> Vec<String> {
        let mut functions = Vec::new();
        for action in actions.items() {
            let mut groups: Vec<&Val> = action.get("TargetGroupArn").into_iter().collect();
            if let Some(config) = action
                .get("ForwardConfig")
                .and_then(|c| c.get("TargetGroups"))
            {
                groups.extend(
                    config
                        .items()
                        .into_iter()
                        .filter_map(|g| g.get("TargetGroupArn")),
                );
            }
            for group in groups {
                let Some(tg) = group
                    .resource()
                    .and_then(|(id, _)| self.t.resource(id).cloned())
                    .filter(|g| g.kind == TARGET_GROUP)
                else {
                    continue;
                };
                let lambda = self
                    .prop(&tg, "TargetType")
                    .and_then(|v| v.text())
                    .as_deref()
                    == Some("lambda");
                if !lambda {
                    continue;
                }
                for target in self
                    .prop(&tg, "Targets")
                    .as_ref()
                    .map(Val::items)
                    .unwrap_or_default()
                {
                    if let Some(Mapped::Function(f)) =
                        target.get("Id").and_then(|id| self.element_of(id))
                        && !functions.contains(f)
                    {
                        functions.push(f.clone());
                    }
                }
            }
        }
        functions
    }

    /// The `alb` channel a `LoadBalancerArn` refers to.
    fn alb_of(&self, value: &Val) -> Option<String> {
        self.typed(value, &[LOAD_BALANCER])
    }

    /// An `alb` channel for a listener outside the template.
    fn outside_alb(&mut self, r: &Resource, listener: &Val) -> String {
        let arn = self.resource_text(listener).unwrap_or_default();
        let id = self
            .b
            .fresh(&format!("{}-alb", crate::import::kebab(&r.id)));
        let mut channel = element_doc("alb");
        channel.set("public", Doc::Bool(true));
        channel.set("auth", Doc::str("none"));
        channel.set(
            "description",
            Doc::str(format!(
                "Not in the template: the load balancer of listener {arn}"
            )),
        );
        let from = self.from(r).and("(its listener)");
        self.b.add("channels", "channels", &id, channel, from);
        id
    }
}
