//! Architecture lint: well-known design mistakes in an otherwise valid topology, after the
//! reference three-tier design (public subnets for the load balancer, private subnets for
//! instances and databases, S3 private behind CloudFront, every tier in two AZs). Like
//! [`crate::validate`], linting never fails: it returns findings, each naming its element.
//!
//! Security groups come from the document's `infrastructure` section when it has one; the boxes
//! and arrows say the rest:
//! - *open database port*: a security group with an inbound rule from `0.0.0.0/0` covering a
//!   database port (3306, 5432, 6379, ...), or a database that a client population, Route 53 or
//!   CloudFront calls directly (its port must then be open to the internet);
//! - *no egress path*: a VPC with no public subnet has nowhere for a NAT gateway, so its private
//!   instances can reach services outside the VPC only through endpoints, which the document
//!   cannot express.
//!
//! ```
//! use strata_core::topology::{ComponentKind, Container, ContainerKind, Topology};
//! use strata_core::lint::{lint, Rule};
//! let mut t = Topology::new("demo");
//! t.containers.push(Container { id: "vpc".into(), kind: ContainerKind::Vpc, parent: None, label: String::new(),
//!     cidr: Some("10.0.0.0/16".into()), public: false, az: None });
//! t.containers.push(Container { id: "web".into(), kind: ContainerKind::Subnet, parent: Some("vpc".into()),
//!     label: String::new(), cidr: Some("10.0.1.0/24".into()), public: true, az: None });
//! t.add("db", ComponentKind::Rds, Some("web"));
//! assert!(lint(&t).iter().any(|f| f.rule == Rule::DatabaseInPublicSubnet));
//! ```

use crate::catalog;
use crate::topology::{ComponentKind, ComponentSpec, ContainerKind, Topology};
use crate::validate::Element;
use serde::Serialize;
use std::collections::BTreeSet;
use std::fmt;

/// What a finding is about (stable names; new rules may be added).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// A database or cache in a subnet that routes to the internet gateway.
    DatabaseInPublicSubnet,
    /// A database port open to 0.0.0.0/0: by a security-group rule, or because the internet
    /// calls the database directly.
    DatabaseOpenToInternet,
    /// An S3 bucket served to users directly instead of privately behind CloudFront with OAC.
    PublicS3Origin,
    /// A tier that one AZ (or one instance) failing takes down.
    SingleAz,
    /// Private instances calling services outside every VPC with no NAT gateway or endpoint path.
    NoEgressPath,
}

impl Rule {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::DatabaseInPublicSubnet => "database_in_public_subnet",
            Rule::DatabaseOpenToInternet => "database_open_to_internet",
            Rule::PublicS3Origin => "public_s3_origin",
            Rule::SingleAz => "single_az",
            Rule::NoEgressPath => "no_egress_path",
        }
    }
}

/// One lint finding (always a warning: the design runs, but is fragile or exposed).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Finding {
    /// Which rule.
    pub rule: Rule,
    /// What is wrong and how to fix it, for a person.
    pub message: String,
    /// What it is about.
    pub element: Element,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lint[{}] {:?}: {}", self.rule.as_str(), self.element, self.message)
    }
}

/// Well-known database and cache ports.
const DB_PORTS: &[(u16, &str)] = &[
    (1433, "SQL Server"),
    (1521, "Oracle"),
    (3306, "MySQL"),
    (5432, "PostgreSQL"),
    (5439, "Redshift"),
    (6379, "Redis"),
    (11211, "Memcached"),
    (27017, "MongoDB"),
];

fn is_database(k: ComponentKind) -> bool {
    matches!(k, ComponentKind::Rds | ComponentKind::Elasticache)
}

fn is_internet_facing(k: ComponentKind) -> bool {
    matches!(k, ComponentKind::Client | ComponentKind::Route53 | ComponentKind::Cloudfront)
}

/// The AZ a container is in: its `az` field, or the first AZ among its ancestors.
fn az_of(t: &Topology, container: Option<&str>) -> Option<String> {
    let mut cur = container.map(str::to_string);
    let mut hops = 0;
    while let Some(id) = cur {
        let c = t.container(&id)?;
        if c.kind == ContainerKind::Az {
            return Some(c.id.clone());
        }
        if let Some(az) = &c.az {
            return Some(az.clone());
        }
        hops += 1;
        if hops > 16 {
            return None;
        }
        cur = c.parent.clone();
    }
    None
}

/// The VPC a container is in (itself when it is one).
fn vpc_of(t: &Topology, container: Option<&str>) -> Option<String> {
    t.enclosing(container, ContainerKind::Vpc).map(|c| c.id.clone())
}

/// Checks `t` against the rules. Never fails; findings come in document order, rule by rule.
pub fn lint(t: &Topology) -> Vec<Finding> {
    let mut out = Vec::new();
    let kind = |id: &str| t.component(id).map(|c| c.spec.kind());
    let name = |k: ComponentKind| catalog::kind_info(k).name;

    // Databases in public subnets.
    for c in &t.components {
        let k = c.spec.kind();
        if !is_database(k) {
            continue;
        }
        if let Some(sub) = c.container.as_deref().and_then(|id| t.container(id)) {
            if sub.kind == ContainerKind::Subnet && sub.public {
                out.push(Finding {
                    rule: Rule::DatabaseInPublicSubnet,
                    message: format!(
                        "{} `{}` sits in public subnet `{}`: move it to a private subnet so only your instances can reach it",
                        name(k),
                        c.id,
                        sub.id
                    ),
                    element: Element::Component(c.id.clone()),
                });
            }
        }
    }

    // Database ports and buckets reachable straight from the internet.
    for (i, conn) in t.connections.iter().enumerate() {
        let (Some(from), Some(to)) = (kind(&conn.from), kind(&conn.to)) else { continue };
        if is_internet_facing(from) && is_database(to) {
            out.push(Finding {
                rule: Rule::DatabaseOpenToInternet,
                message: format!(
                    "`{}` calls database `{}` directly: its port is open to the internet (0.0.0.0/0); let only the application tier's security group in",
                    conn.from, conn.to
                ),
                element: Element::Connection(i),
            });
        }
        if to == ComponentKind::S3 && matches!(from, ComponentKind::Client | ComponentKind::Route53) {
            out.push(Finding {
                rule: Rule::PublicS3Origin,
                message: format!(
                    "`{}` reaches bucket `{}` directly, so the bucket must be public: serve it through CloudFront with Origin Access Control and keep it private",
                    conn.from, conn.to
                ),
                element: Element::Connection(i),
            });
        }
    }

    // Security groups open to the whole internet on a database port.
    if let Some(inf) = t.layers() {
        for (vi, v) in inf.network.vpcs.iter().enumerate() {
            for (si, sg) in v.security_groups.iter().enumerate() {
                for r in &sg.inbound {
                    if !matches!(r.peer.trim(), "0.0.0.0/0" | "::/0") {
                        continue;
                    }
                    let Some((port, engine)) = DB_PORTS.iter().find(|(p, _)| r.ports.from <= *p && *p <= r.ports.to)
                    else {
                        continue;
                    };
                    let message = format!(
                        "security group `{}` lets {} in on port {port} ({engine}): allow only the application tier's security group",
                        sg.name,
                        r.peer.trim()
                    );
                    let users: Vec<&str> = inf
                        .instances
                        .iter()
                        .filter(|i| i.security_groups.iter().any(|g| g == &sg.name) && t.component(&i.name).is_some())
                        .map(|i| i.name.as_str())
                        .collect();
                    if users.is_empty() {
                        let path = format!("network.vpcs[{vi}].security_groups[{si}] ({})", sg.name);
                        out.push(Finding {
                            rule: Rule::DatabaseOpenToInternet,
                            message,
                            element: Element::Infrastructure(path),
                        });
                    } else {
                        for u in users {
                            out.push(Finding {
                                rule: Rule::DatabaseOpenToInternet,
                                message: message.clone(),
                                element: Element::Component(u.to_string()),
                            });
                        }
                    }
                    break;
                }
            }
        }
    }

    // Single points of failure.
    for c in &t.components {
        match &c.spec {
            ComponentSpec::Rds(p) if !p.multi_az => out.push(Finding {
                rule: Rule::SingleAz,
                message: format!("database `{}` is single-AZ: an AZ outage takes it down; enable Multi-AZ", c.id),
                element: Element::Component(c.id.clone()),
            }),
            ComponentSpec::Asg(p) => {
                let subnets: Vec<Option<&str>> = if p.subnets.is_empty() {
                    vec![c.container.as_deref()]
                } else {
                    p.subnets.iter().map(|s| Some(s.as_str())).collect()
                };
                let azs: BTreeSet<Option<String>> = subnets.iter().map(|s| az_of(t, *s)).collect();
                if azs.len() == 1 && azs.iter().all(Option::is_some) {
                    out.push(Finding {
                        rule: Rule::SingleAz,
                        message: format!(
                            "Auto Scaling group `{}` spreads over one AZ only: give it subnets in two AZs",
                            c.id
                        ),
                        element: Element::Component(c.id.clone()),
                    });
                }
            }
            _ => {}
        }
    }
    // A tier: the compute targets that one caller spreads requests over.
    for caller in &t.components {
        let ck = caller.spec.kind();
        if !matches!(
            ck,
            ComponentKind::Alb | ComponentKind::Client | ComponentKind::Route53 | ComponentKind::Cloudfront
        ) {
            continue;
        }
        let targets: Vec<&crate::topology::Component> = t
            .connections
            .iter()
            .filter(|x| x.from == caller.id)
            .filter_map(|x| t.component(&x.to))
            .filter(|x| matches!(x.spec.kind(), ComponentKind::Ec2 | ComponentKind::Asg))
            .collect();
        if targets.is_empty() || targets.iter().any(|x| x.spec.kind() == ComponentKind::Asg) {
            continue;
        }
        let msg = if targets.len() == 1 {
            Some(format!(
                "`{}` sends its traffic to one instance, `{}`: a single point of failure; use an Auto Scaling group or instances in two AZs",
                caller.id, targets[0].id
            ))
        } else {
            let azs: BTreeSet<Option<String>> = targets.iter().map(|x| az_of(t, x.container.as_deref())).collect();
            match azs.iter().next() {
                Some(Some(az)) if azs.len() == 1 => Some(format!(
                    "every instance behind `{}` is in AZ `{az}`: one AZ outage takes the tier down",
                    caller.id
                )),
                _ => None,
            }
        };
        if let Some(message) = msg {
            out.push(Finding { rule: Rule::SingleAz, message, element: Element::Component(caller.id.clone()) });
        }
    }

    // Private instances calling out of the VPC with nowhere for a NAT gateway.
    let layers = t.layers();
    for c in &t.components {
        if !matches!(c.spec.kind(), ComponentKind::Ec2 | ComponentKind::Asg | ComponentKind::Lambda) {
            continue;
        }
        let Some(sub) = c.container.as_deref().and_then(|id| t.container(id)) else { continue };
        if sub.kind != ContainerKind::Subnet || sub.public {
            continue;
        }
        let Some(vpc) = vpc_of(t, Some(&sub.id)) else { continue };
        let has_public = t.containers.iter().any(|x| {
            x.kind == ContainerKind::Subnet && x.public && vpc_of(t, Some(&x.id)).as_deref() == Some(vpc.as_str())
        });
        // A NAT gateway written in the infrastructure section (VPC named like the container).
        let vpc_label = t.container(&vpc).map(|c| c.label.clone()).unwrap_or_default();
        let has_nat = layers.as_ref().is_some_and(|inf| {
            inf.network.vpcs.iter().any(|v| (v.name == vpc || v.name == vpc_label) && !v.nat_gateways.is_empty())
        });
        if has_public || has_nat {
            continue;
        }
        let outside: Vec<&str> = t
            .connections
            .iter()
            .filter(|x| x.from == c.id)
            // Services outside every VPC (S3, DynamoDB, SQS, ...). Another VPC is reached through
            // peering or a transit gateway, which the network layer checks, not through a NAT.
            .filter(|x| t.component(&x.to).is_some_and(|to| vpc_of(t, to.container.as_deref()).is_none()))
            .map(|x| x.to.as_str())
            .collect();
        if let Some(first) = outside.first() {
            let endpoint = matches!(kind(first), Some(ComponentKind::S3 | ComponentKind::Dynamodb));
            let how = if endpoint {
                "add a public subnet with a NAT gateway, or a VPC gateway endpoint"
            } else {
                "add a public subnet with a NAT gateway, or an interface endpoint"
            };
            out.push(Finding {
                rule: Rule::NoEgressPath,
                message: format!(
                    "`{}` in private subnet `{}` calls `{first}` outside its VPC, but the VPC has no way out: {how}",
                    c.id, sub.id
                ),
                element: Element::Component(c.id.clone()),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::{Container, RdsParams};

    fn base() -> Topology {
        let mut t = Topology::new("lint");
        let c = |id: &str, kind, parent: Option<&str>, cidr: Option<&str>, public, az: Option<&str>| Container {
            id: id.into(),
            kind,
            parent: parent.map(Into::into),
            label: String::new(),
            cidr: cidr.map(Into::into),
            public,
            az: az.map(Into::into),
        };
        t.containers.push(c("r", ContainerKind::Region, None, None, false, None));
        t.containers.push(c("a", ContainerKind::Az, Some("r"), None, false, None));
        t.containers.push(c("b", ContainerKind::Az, Some("r"), None, false, None));
        t.containers.push(c("vpc", ContainerKind::Vpc, Some("r"), Some("10.0.0.0/16"), false, None));
        t.containers.push(c("pub-a", ContainerKind::Subnet, Some("vpc"), Some("10.0.1.0/24"), true, Some("a")));
        t.containers.push(c("priv-a", ContainerKind::Subnet, Some("vpc"), Some("10.0.2.0/24"), false, Some("a")));
        t.containers.push(c("priv-b", ContainerKind::Subnet, Some("vpc"), Some("10.0.3.0/24"), false, Some("b")));
        t.add("users", ComponentKind::Client, None);
        t.add("alb", ComponentKind::Alb, Some("pub-a"));
        t.add("web-a", ComponentKind::Ec2, Some("priv-a"));
        t.add("web-b", ComponentKind::Ec2, Some("priv-b"));
        t.add("db", ComponentKind::Rds, Some("priv-a"));
        t.add("static", ComponentKind::S3, Some("r"));
        t.add("cdn", ComponentKind::Cloudfront, None);
        t.connect("users", "alb");
        t.connect("users", "cdn");
        t.connect("cdn", "static");
        t.connect("alb", "web-a");
        t.connect("alb", "web-b");
        t.connect("web-a", "db");
        t.connect("web-b", "db");
        t
    }

    fn rules(t: &Topology) -> Vec<Rule> {
        lint(t).into_iter().map(|f| f.rule).collect()
    }

    #[test]
    fn reference_design_is_clean() {
        assert_eq!(lint(&base()), vec![]);
    }

    #[test]
    fn database_in_public_subnet_comes_and_goes() {
        let mut t = base();
        t.components.iter_mut().find(|c| c.id == "db").unwrap().container = Some("pub-a".into());
        let f = lint(&t);
        assert_eq!(f[0].rule, Rule::DatabaseInPublicSubnet);
        assert_eq!(f[0].element, Element::Component("db".into()));
        assert!(f[0].message.contains("private subnet"));
        t.components.iter_mut().find(|c| c.id == "db").unwrap().container = Some("priv-b".into());
        assert_eq!(rules(&t), vec![]);
    }

    #[test]
    fn database_and_bucket_reached_from_the_internet() {
        let mut t = base();
        t.connect("users", "db");
        t.connect("users", "static");
        let f = lint(&t);
        assert!(f.iter().any(|f| f.rule == Rule::DatabaseOpenToInternet && f.element == Element::Connection(7)));
        assert!(f.iter().any(|f| f.rule == Rule::PublicS3Origin && f.message.contains("Origin Access Control")));
    }

    #[test]
    fn security_group_open_to_the_world_on_a_database_port() {
        let doc = |source: &str| {
            format!(
                r#"{{"version":1,"components":[{{"id":"db","kind":"ec2"}}],"infrastructure":{{"network":{{"vpcs":[{{"name":"v","cidr":"10.0.0.0/16",
                "security_groups":[{{"name":"sg-db","inbound":[{{"ports":"5432","source":"{source}"}}]}}]}}]}},
                "instances":[{{"name":"db","instance_type":"m5.large","subnet":"","security_groups":["sg-db"]}}]}}}}"#
            )
        };
        let open = Topology::from_json(&doc("0.0.0.0/0")).unwrap();
        let f = lint(&open);
        assert!(
            f.iter().any(|f| f.rule == Rule::DatabaseOpenToInternet
                && f.element == Element::Component("db".into())
                && f.message.contains("5432 (PostgreSQL)")),
            "{f:?}"
        );
        let closed = Topology::from_json(&doc("10.0.0.0/16")).unwrap();
        assert!(!lint(&closed).iter().any(|f| f.rule == Rule::DatabaseOpenToInternet));
    }

    #[test]
    fn single_points_of_failure() {
        let mut t = base();
        if let ComponentSpec::Rds(p) = &mut t.components.iter_mut().find(|c| c.id == "db").unwrap().spec {
            *p = RdsParams { multi_az: false, ..RdsParams::default() };
        }
        t.components.iter_mut().find(|c| c.id == "web-b").unwrap().container = Some("priv-a".into());
        let f = lint(&t);
        assert!(f.iter().any(|f| f.rule == Rule::SingleAz && f.element == Element::Component("db".into())));
        assert!(f.iter().any(|f| f.rule == Rule::SingleAz
            && f.element == Element::Component("alb".into())
            && f.message.contains("AZ `a`")));
        // One instance behind the load balancer.
        let mut t = base();
        t.connections.retain(|c| c.to != "web-b");
        assert!(lint(&t).iter().any(|f| f.rule == Rule::SingleAz && f.message.contains("one instance")));
        // An Auto Scaling group in one AZ.
        let mut t = base();
        t.add("asg", ComponentKind::Asg, Some("priv-a"));
        assert!(lint(&t).iter().any(|f| f.rule == Rule::SingleAz && f.element == Element::Component("asg".into())));
    }

    #[test]
    fn private_instances_without_a_way_out() {
        let mut t = base();
        t.connect("web-a", "static");
        assert_eq!(rules(&t), vec![], "the VPC has a public subnet for a NAT gateway");
        t.containers.retain(|c| c.id != "pub-a");
        t.components.iter_mut().find(|c| c.id == "alb").unwrap().container = Some("vpc".into());
        let f = lint(&t);
        assert!(f.iter().any(|f| f.rule == Rule::NoEgressPath && f.message.contains("gateway endpoint")), "{f:?}");
        // A database in another VPC is reached through peering, not a NAT gateway.
        let mut t = base();
        t.containers.retain(|c| c.id != "pub-a");
        t.components.iter_mut().find(|c| c.id == "alb").unwrap().container = Some("vpc".into());
        t.containers.push(crate::topology::Container {
            id: "vpc2".into(),
            kind: ContainerKind::Vpc,
            parent: Some("r".into()),
            label: String::new(),
            cidr: Some("10.1.0.0/16".into()),
            public: false,
            az: None,
        });
        t.components.iter_mut().find(|c| c.id == "db").unwrap().container = Some("vpc2".into());
        assert!(!rules(&t).contains(&Rule::NoEgressPath));
    }
}
