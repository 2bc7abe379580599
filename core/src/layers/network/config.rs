//! The network part of a scenario's infrastructure configuration ([`NetworkConfig`], written by
//! names) and [`Network::from_config`], which builds the model from it.

use serde::{Deserialize, Serialize};

use super::cidr::Ipv4Cidr;
use super::model::{Direction, NaclRule, Network, NetworkError, SgPeer, SgRule};
use super::ports::{PortRange, Protocol};

/// A route written by names: `{"destination": "10.1.0.0/16", "target": "pcx-ab"}`. The
/// destination `pl-s3` is S3's prefix list.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteConfig {
    /// Destination CIDR, or `pl-s3`.
    pub destination: String,
    /// `local`, or the name of a gateway, NAT, peering or endpoint.
    pub target: String,
}

/// A route table written by names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteTableConfig {
    /// Its name.
    pub name: String,
    /// Routes besides `local`.
    #[serde(default)]
    pub routes: Vec<RouteConfig>,
}

/// A security-group rule written by names: `peer` is a CIDR or a group name.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SgRuleConfig {
    /// Protocol (default TCP).
    #[serde(default)]
    pub protocol: Protocol,
    /// Ports.
    pub ports: PortRange,
    /// A CIDR or a security group name (`source` or `destination` also accepted).
    #[serde(alias = "source", alias = "destination")]
    pub peer: String,
}

/// A security group written by names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SgConfig {
    /// Its name.
    pub name: String,
    /// Inbound rules.
    #[serde(default)]
    pub inbound: Vec<SgRuleConfig>,
    /// Outbound rules; when absent, everything out is allowed (the AWS default).
    #[serde(default)]
    pub outbound: Option<Vec<SgRuleConfig>>,
}

/// A NACL written out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NaclConfig {
    /// Its name.
    pub name: String,
    /// Inbound rules.
    #[serde(default)]
    pub inbound: Vec<NaclRule>,
    /// Outbound rules.
    #[serde(default)]
    pub outbound: Vec<NaclRule>,
}

/// A subnet written by names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SubnetConfig {
    /// Its name.
    pub name: String,
    /// Its CIDR.
    pub cidr: Ipv4Cidr,
    /// Its AZ (full name or suffix).
    pub az: String,
    /// Its route table (default: the VPC's main table).
    #[serde(default)]
    pub route_table: Option<String>,
    /// Its NACL (default: the VPC's allow-all default NACL).
    #[serde(default)]
    pub nacl: Option<String>,
}

/// A NAT gateway written by names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NatConfig {
    /// Its name.
    pub name: String,
    /// Its subnet (a public one).
    pub subnet: String,
}

/// An S3 gateway endpoint written by names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EndpointConfig {
    /// Its name.
    pub name: String,
    /// Route tables that get the prefix-list route.
    #[serde(default)]
    pub route_tables: Vec<String>,
}

/// A VPC and everything in it, written by names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VpcConfig {
    /// Its name.
    pub name: String,
    /// Its CIDR.
    pub cidr: Ipv4Cidr,
    /// Internet gateway name, if one is attached.
    #[serde(default)]
    pub internet_gateway: Option<String>,
    /// Route tables.
    #[serde(default)]
    pub route_tables: Vec<RouteTableConfig>,
    /// Network ACLs.
    #[serde(default)]
    pub nacls: Vec<NaclConfig>,
    /// Subnets.
    #[serde(default)]
    pub subnets: Vec<SubnetConfig>,
    /// Security groups.
    #[serde(default)]
    pub security_groups: Vec<SgConfig>,
    /// NAT gateways.
    #[serde(default)]
    pub nat_gateways: Vec<NatConfig>,
    /// S3 gateway endpoint.
    #[serde(default)]
    pub s3_endpoint: Option<EndpointConfig>,
}

/// A peering written by names.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PeeringConfig {
    /// Its name, e.g. `pcx-ab`.
    pub name: String,
    /// Requesting VPC.
    pub requester: String,
    /// Accepting VPC.
    pub accepter: String,
    /// Not accepted yet.
    #[serde(default)]
    pub pending: bool,
}

/// The network part of a scenario.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct NetworkConfig {
    /// VPCs.
    #[serde(default)]
    pub vpcs: Vec<VpcConfig>,
    /// Peering connections.
    #[serde(default)]
    pub peerings: Vec<PeeringConfig>,
}

impl Network {
    /// Builds the network a configuration describes. Parts that refer to missing names or
    /// break a rule are skipped; each is reported in the returned list.
    pub fn from_config(cfg: &NetworkConfig) -> (Network, Vec<NetworkError>) {
        let mut n = Network::default();
        let mut errs = Vec::new();
        let mut vpc_ids = Vec::new();
        for v in &cfg.vpcs {
            let id = n.add_vpc(&v.name, v.cidr);
            vpc_ids.push(id);
            if let Some(igw) = &v.internet_gateway {
                n.add_internet_gateway(igw, id);
            }
            for t in &v.route_tables {
                n.add_route_table(&t.name, id);
            }
            for a in &v.nacls {
                let acl = n.add_nacl(&a.name, id);
                for r in &a.inbound {
                    n.add_nacl_rule(acl, Direction::Inbound, r.clone());
                }
                for r in &a.outbound {
                    n.add_nacl_rule(acl, Direction::Outbound, r.clone());
                }
            }
            for s in &v.subnets {
                match n.add_subnet(&s.name, id, s.cidr, &s.az) {
                    Ok(sid) => {
                        if let Some(t) = &s.route_table {
                            match n.route_table_by_name(t) {
                                Some(rtb) => n.associate_route_table(sid, rtb),
                                None => errs.push(unknown("route table", t)),
                            }
                        }
                        if let Some(a) = &s.nacl {
                            match n.nacl_by_name(a) {
                                Some(acl) => n.associate_nacl(sid, acl),
                                None => errs.push(unknown("network ACL", a)),
                            }
                        }
                    }
                    Err(e) => errs.push(e),
                }
            }
            for g in &v.security_groups {
                n.add_security_group(&g.name, id);
            }
        }
        // Rules after every group exists (rules may reference groups of peered VPCs).
        for v in &cfg.vpcs {
            for g in &v.security_groups {
                let sg = n.sg_by_name(&g.name).expect("added above");
                let outbound = g.outbound.clone().unwrap_or_else(|| {
                    vec![SgRuleConfig { protocol: Protocol::All, ports: PortRange::ALL, peer: "0.0.0.0/0".into() }]
                });
                for (dir, rules) in [(Direction::Inbound, &g.inbound), (Direction::Outbound, &outbound)] {
                    for r in rules {
                        let peer = match r.peer.parse::<Ipv4Cidr>() {
                            Ok(c) => SgPeer::Cidr(c),
                            Err(_) => match n.sg_by_name(&r.peer) {
                                Some(id) => SgPeer::Group(id),
                                None => {
                                    errs.push(unknown("security group or CIDR", &r.peer));
                                    continue;
                                }
                            },
                        };
                        n.add_sg_rule(sg, dir, SgRule { protocol: r.protocol, ports: r.ports, peer });
                    }
                }
            }
            for nat in &v.nat_gateways {
                match n.subnet_by_name(&nat.subnet) {
                    Some(s) => {
                        if let Err(e) = n.add_nat_gateway(&nat.name, s) {
                            errs.push(e);
                        }
                    }
                    None => errs.push(unknown("subnet", &nat.subnet)),
                }
            }
        }
        for p in &cfg.peerings {
            match (n.vpc_by_name(&p.requester), n.vpc_by_name(&p.accepter)) {
                (Some(a), Some(b)) => {
                    if let Err(e) = n.add_peering(&p.name, a, b, p.pending) {
                        errs.push(e);
                    }
                }
                (None, _) => errs.push(unknown("VPC", &p.requester)),
                (_, None) => errs.push(unknown("VPC", &p.accepter)),
            }
        }
        for (v, &vid) in cfg.vpcs.iter().zip(&vpc_ids) {
            if let Some(e) = &v.s3_endpoint {
                let mut tables = Vec::new();
                for t in &e.route_tables {
                    match n.route_table_by_name(t) {
                        Some(id) => tables.push(id),
                        None => errs.push(unknown("route table", t)),
                    }
                }
                if let Err(err) = n.add_s3_endpoint(&e.name, vid, &tables) {
                    errs.push(err);
                }
            }
            for t in &v.route_tables {
                let rtb = n.route_table_by_name(&t.name).expect("added above");
                for r in &t.routes {
                    let dest = if r.destination == "pl-s3" {
                        n.s3_prefix_list
                    } else {
                        match r.destination.parse::<Ipv4Cidr>() {
                            Ok(c) => c,
                            Err(e) => {
                                errs.push(e.into());
                                continue;
                            }
                        }
                    };
                    match n.target_by_name(&r.target) {
                        Some(target) => {
                            if let Err(e) = n.add_route(rtb, dest, target) {
                                errs.push(e);
                            }
                        }
                        None => errs.push(unknown("route target", &r.target)),
                    }
                }
            }
        }
        (n, errs)
    }
}

fn unknown(kind: &'static str, name: &str) -> NetworkError {
    NetworkError::Unknown { kind, name: name.into() }
}
