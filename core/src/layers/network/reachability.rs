//! Reachability: [`Network::reachability`] walks a connection hop by hop (route table, NACL out,
//! SG out, NACL in, SG in, then the return path) and explains the first hop that blocks, with the
//! change that would fix it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::net::Ipv4Addr;

use super::cidr::Ipv4Cidr;
use super::model::{Direction, Eni, EniId, NaclVerdict, Network, PeeringStatus, RouteTarget, SgId, SgPeer, SubnetId};
use super::ports::Protocol;

/// One end of a connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum NetEndpoint {
    /// A network interface in a VPC.
    Eni(EniId),
    /// A host on the internet.
    Internet(Ipv4Addr),
    /// Amazon S3 in the region (addresses of its prefix list).
    S3,
}

/// A step of the path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HopKind {
    /// The source subnet's route table picks the next hop.
    RouteTable,
    /// A gateway on the way (internet gateway, NAT, peering, endpoint).
    Gateway,
    /// The source subnet's NACL, outbound.
    NaclOutbound,
    /// The source ENI's security groups, outbound.
    SgOutbound,
    /// The destination subnet's NACL, inbound.
    NaclInbound,
    /// The destination ENI's security groups, inbound.
    SgInbound,
    /// The destination subnet's route table sends the replies back.
    ReturnRoute,
    /// The destination subnet's NACL lets the replies out.
    ReturnNaclOutbound,
    /// The source subnet's NACL lets the replies in.
    ReturnNaclInbound,
}

/// One checked step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Hop {
    /// What was checked.
    pub kind: HopKind,
    /// The component that decided (`rtb-a`, `acl-b`, `sg-db`, ...).
    pub component: String,
    /// Whether the traffic got through.
    pub passed: bool,
    /// What happened, in words; for a block, also the change that would fix it.
    pub detail: String,
}

/// The answer to "can `source` reach `destination` on `port`?".
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReachabilityReport {
    /// The source, in words.
    pub source: String,
    /// The destination, in words.
    pub destination: String,
    /// Protocol.
    pub protocol: Protocol,
    /// Destination port.
    pub port: u16,
    /// Whether the connection (both ways) works.
    pub reachable: bool,
    /// The steps checked, in order, up to and including the first that blocks.
    pub hops: Vec<Hop>,
}

impl ReachabilityReport {
    /// The hop that blocked, if any.
    pub fn blocking_hop(&self) -> Option<&Hop> {
        self.hops.iter().find(|h| !h.passed)
    }
    /// Why the connection fails, in words (none if it works).
    pub fn reason(&self) -> Option<&str> {
        self.blocking_hop().map(|h| h.detail.as_str())
    }
}

/// The client port a reply goes back to (inside the ephemeral range 1024-65535).
pub const CLIENT_PORT: u16 = 49152;

struct Walk {
    hops: Vec<Hop>,
    blocked: bool,
}

impl Walk {
    fn pass(&mut self, kind: HopKind, component: impl Into<String>, detail: String) {
        self.hops.push(Hop { kind, component: component.into(), passed: true, detail });
    }
    fn block(&mut self, kind: HopKind, component: impl Into<String>, detail: String) {
        self.hops.push(Hop { kind, component: component.into(), passed: false, detail });
        self.blocked = true;
    }
}

impl Network {
    /// Whether TCP from `source` reaches `destination` on `port`, hop by hop.
    pub fn reachability(&self, source: NetEndpoint, destination: NetEndpoint, port: u16) -> ReachabilityReport {
        self.reachability_with(source, destination, Protocol::Tcp, port)
    }

    /// [`Network::reachability`] for any protocol.
    pub fn reachability_with(
        &self,
        source: NetEndpoint,
        destination: NetEndpoint,
        protocol: Protocol,
        port: u16,
    ) -> ReachabilityReport {
        let mut w = Walk { hops: Vec::new(), blocked: false };
        match (source, destination) {
            (NetEndpoint::Eni(s), NetEndpoint::Eni(d)) => self.walk_eni_to_eni(&mut w, s, d, protocol, port),
            (NetEndpoint::Eni(s), NetEndpoint::Internet(ip)) => self.walk_eni_out(&mut w, s, ip, false, protocol, port),
            (NetEndpoint::Eni(s), NetEndpoint::S3) => {
                let ip = self.s3_prefix_list.nth(10).unwrap_or(self.s3_prefix_list.network());
                self.walk_eni_out(&mut w, s, ip, true, protocol, port)
            }
            (NetEndpoint::Internet(ip), NetEndpoint::Eni(d)) => self.walk_internet_in(&mut w, ip, d, protocol, port),
            (a, b) => w.block(
                HopKind::RouteTable,
                "-",
                format!(
                    "{} to {} is outside the VPC model: one end must be a network interface",
                    self.describe(a),
                    self.describe(b)
                ),
            ),
        }
        ReachabilityReport {
            source: self.describe(source),
            destination: self.describe(destination),
            protocol,
            port,
            reachable: !w.blocked,
            hops: w.hops,
        }
    }

    fn describe(&self, e: NetEndpoint) -> String {
        match e {
            NetEndpoint::Eni(id) => {
                let e = self.eni(id);
                format!("{} ({})", e.name, e.private_ip)
            }
            NetEndpoint::Internet(ip) => format!("internet host {ip}"),
            NetEndpoint::S3 => format!("Amazon S3 ({})", self.s3_prefix_list),
        }
    }

    fn sg_names(&self, sgs: &[SgId]) -> String {
        if sgs.is_empty() {
            return "(none)".into();
        }
        sgs.iter().map(|s| self.security_groups[s.index()].name.as_str()).collect::<Vec<_>>().join(", ")
    }

    /// Whether the security groups `sgs` allow traffic in `dir` with the other end at `peer_ip`
    /// carrying groups `peer_sgs`.
    fn sg_allows(
        &self,
        sgs: &[SgId],
        dir: Direction,
        protocol: Protocol,
        peer_ip: Ipv4Addr,
        peer_sgs: &[SgId],
        port: u16,
    ) -> Option<String> {
        for sg in sgs {
            let g = &self.security_groups[sg.index()];
            let rules = match dir {
                Direction::Inbound => &g.inbound,
                Direction::Outbound => &g.outbound,
            };
            for r in rules {
                if !r.protocol.matches_traffic(r.ports, protocol, port) {
                    continue;
                }
                let hit = match &r.peer {
                    SgPeer::Cidr(c) => c.contains(peer_ip).then(|| c.to_string()),
                    SgPeer::Group(other) => {
                        peer_sgs.contains(other).then(|| format!("group {}", self.security_groups[other.index()].name))
                    }
                };
                if let Some(what) = hit {
                    return Some(format!(
                        "{} allows {} {} {} {}",
                        g.name,
                        r.protocol,
                        r.ports,
                        match dir {
                            Direction::Inbound => "from",
                            Direction::Outbound => "to",
                        },
                        what
                    ));
                }
            }
        }
        None
    }

    /// A security-group hop: `eni`'s groups checked in `dir` for traffic with the other end at
    /// `peer_ip` (written `peer` in the explanation) carrying groups `peer_sgs`. A block says
    /// `fix`.
    #[allow(clippy::too_many_arguments)]
    fn sg_hop(
        &self,
        w: &mut Walk,
        eni: &Eni,
        dir: Direction,
        protocol: Protocol,
        peer_ip: Ipv4Addr,
        peer: &dyn fmt::Display,
        peer_sgs: &[SgId],
        port: u16,
        fix: &str,
    ) {
        let (kind, way, prep) = match dir {
            Direction::Inbound => (HopKind::SgInbound, "inbound", "from"),
            Direction::Outbound => (HopKind::SgOutbound, "outbound", "to"),
        };
        let names = self.sg_names(&eni.security_groups);
        match self.sg_allows(&eni.security_groups, dir, protocol, peer_ip, peer_sgs, port) {
            Some(why) => w.pass(kind, names, format!("Security group {why}")),
            None => {
                let detail = format!(
                    "Security groups {names} of {} allow no {way} {protocol} {port} {prep} {peer}: {fix}",
                    eni.name
                );
                w.block(kind, names, detail);
            }
        }
    }

    /// A NACL hop on the request path: traffic inside one subnet never crosses a NACL, so it
    /// passes; otherwise the subnet's ACL decides ([`Self::nacl_hop`]).
    #[allow(clippy::too_many_arguments)]
    fn nacl_step(
        &self,
        w: &mut Walk,
        same_subnet: bool,
        kind: HopKind,
        subnet: SubnetId,
        dir: Direction,
        protocol: Protocol,
        peer: Ipv4Addr,
        port: u16,
        fix: &str,
    ) {
        if same_subnet {
            let acl = &self.nacls[self.subnet(subnet).nacl.index()].name;
            w.pass(kind, acl, "Same subnet: network ACLs are not crossed".into());
        } else {
            self.nacl_hop(w, kind, subnet, dir, protocol, peer, port, fix);
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn nacl_hop(
        &self,
        w: &mut Walk,
        kind: HopKind,
        subnet: SubnetId,
        dir: Direction,
        protocol: Protocol,
        peer: Ipv4Addr,
        port: u16,
        fix: &str,
    ) {
        let s = self.subnet(subnet);
        let acl = &self.nacls[s.nacl.index()];
        let (way, prep) = match dir {
            Direction::Inbound => ("inbound", "from"),
            Direction::Outbound => ("outbound", "to"),
        };
        let reply = matches!(kind, HopKind::ReturnNaclInbound | HopKind::ReturnNaclOutbound);
        let what = if reply {
            format!("replies {prep} {peer} on ephemeral port {port} (1024-65535)")
        } else {
            format!("{protocol} {port} {prep} {peer}")
        };
        match acl.evaluate(dir, protocol, peer, port) {
            NaclVerdict::Allowed(n) => w.pass(
                kind,
                &acl.name,
                format!("Network ACL {} of subnet {} allows {way} {what} (rule #{n})", acl.name, s.cidr),
            ),
            NaclVerdict::Denied(n) => w.block(
                kind,
                &acl.name,
                format!(
                    "Network ACL {} of subnet {} denies {way} {what} (rule #{n} matches first): {fix}",
                    acl.name, s.cidr
                ),
            ),
            NaclVerdict::NoMatch => {
                let stateless = if reply { " (NACLs are stateless: replies need their own rule)" } else { "" };
                w.block(
                    kind,
                    &acl.name,
                    format!("Network ACL {} of subnet {} has no {way} rule for {what}, so the final * rule denies it{stateless}: {fix}", acl.name, s.cidr),
                )
            }
        }
    }

    fn walk_eni_to_eni(&self, w: &mut Walk, s: EniId, d: EniId, protocol: Protocol, port: u16) {
        let (se, de) = (self.eni(s), self.eni(d));
        let (ss, ds) = (self.subnet(se.subnet), self.subnet(de.subnet));
        let (src_ip, dst_ip) = (se.private_ip, de.private_ip);
        let (vs, vd) = (ss.vpc, ds.vpc);
        let same_subnet = se.subnet == de.subnet;
        let peering_between = self.peerings.iter().find(|p| p.other_side(vs) == Some(vd) && vs != vd);

        // 1. Route table of the source subnet.
        let rt = &self.route_tables[ss.route_table.index()];
        let used_peering = match rt.lookup(dst_ip) {
            None => {
                let fix = match peering_between {
                    Some(p) => format!("add {} -> {}", self.vpcs[vd.index()].cidr, p.name),
                    None => format!(
                        "the VPCs {} and {} are not peered: create a peering connection, then add {} -> pcx-…",
                        self.vpcs[vs.index()].name,
                        self.vpcs[vd.index()].name,
                        self.vpcs[vd.index()].cidr
                    ),
                };
                w.block(
                    HopKind::RouteTable,
                    &rt.name,
                    format!("Route table {} of subnet {} has no route to {dst_ip}: {fix}", rt.name, ss.cidr),
                );
                return;
            }
            Some(r) => {
                match r.target {
                    RouteTarget::Local if vs == vd => {
                        w.pass(
                            HopKind::RouteTable,
                            &rt.name,
                            format!("Route table {}: {dst_ip} matches {} -> local", rt.name, r.destination),
                        );
                        None
                    }
                    RouteTarget::Peering(p) => {
                        let pc = &self.peerings[p.index()];
                        if pc.other_side(vs) != Some(vd) {
                            w.block(
                                HopKind::RouteTable,
                                &rt.name,
                                format!(
                            "Route table {} sends {dst_ip} to {}, which does not lead to {} where {dst_ip} lives",
                            rt.name, pc.name, self.vpcs[vd.index()].name),
                            );
                            return;
                        }
                        w.pass(
                            HopKind::RouteTable,
                            &rt.name,
                            format!("Route table {}: {dst_ip} matches {} -> {}", rt.name, r.destination, pc.name),
                        );
                        if pc.status != PeeringStatus::Active {
                            w.block(
                                HopKind::Gateway,
                                &pc.name,
                                format!(
                                    "Peering connection {} is still pending acceptance: the owner of {} must accept it",
                                    pc.name,
                                    self.vpcs[pc.accepter.index()].name
                                ),
                            );
                            return;
                        }
                        w.pass(
                            HopKind::Gateway,
                            &pc.name,
                            format!(
                                "Peering connection {} is active between {} and {}",
                                pc.name,
                                self.vpcs[pc.requester.index()].name,
                                self.vpcs[pc.accepter.index()].name
                            ),
                        );
                        Some(p)
                    }
                    other => {
                        w.block(HopKind::RouteTable, &rt.name, format!(
                        "Route table {} sends {dst_ip} to {} (matching {}), which leads out of the VPC; the private address {dst_ip} in {} is not reachable that way{}",
                        rt.name,
                        self.target_name(other),
                        r.destination,
                        self.vpcs[vd.index()].name,
                        match peering_between {
                            Some(p) => format!(": add {} -> {}", self.vpcs[vd.index()].cidr, p.name),
                            None => String::new(),
                        }
                    ));
                        return;
                    }
                }
            }
        };

        // 2. NACL out of the source subnet (traffic inside one subnet never crosses a NACL).
        self.nacl_step(
            w,
            same_subnet,
            HopKind::NaclOutbound,
            se.subnet,
            Direction::Outbound,
            protocol,
            dst_ip,
            port,
            &format!("add an outbound allow rule for {protocol} {port} to {} before any deny", ds.cidr),
        );
        if w.blocked {
            return;
        }

        // 3. SG out of the source ENI.
        self.sg_hop(
            w,
            se,
            Direction::Outbound,
            protocol,
            dst_ip,
            &dst_ip,
            &de.security_groups,
            port,
            "add an outbound rule",
        );
        if w.blocked {
            return;
        }

        // 4. NACL in of the destination subnet.
        self.nacl_step(
            w,
            same_subnet,
            HopKind::NaclInbound,
            de.subnet,
            Direction::Inbound,
            protocol,
            src_ip,
            port,
            &format!("add an inbound allow rule for {protocol} {port} from {} before any deny", ss.cidr),
        );
        if w.blocked {
            return;
        }

        // 5. SG in of the destination ENI.
        let suggest = if vs != vd {
            format!("{} (the peer VPC's CIDR)", self.vpcs[vs.index()].cidr)
        } else {
            se.security_groups
                .first()
                .map(|g| self.security_groups[g.index()].name.clone())
                .unwrap_or_else(|| ss.cidr.to_string())
        };
        self.sg_hop(
            w,
            de,
            Direction::Inbound,
            protocol,
            src_ip,
            &src_ip,
            &se.security_groups,
            port,
            &format!("add an inbound rule for {protocol} {port} from {suggest}"),
        );
        if w.blocked {
            return;
        }

        // 6. Return path: route back, then the stateless NACLs for the replies.
        let rtd = &self.route_tables[ds.route_table.index()];
        match rtd.lookup(src_ip).map(|r| (r.destination, r.target)) {
            Some((dest, RouteTarget::Local)) if vs == vd => w.pass(HopKind::ReturnRoute, &rtd.name, format!(
                "Replies: route table {} sends {src_ip} back via {dest} -> local; security groups are stateful, so replies need no rule", rtd.name)),
            Some((dest, RouteTarget::Peering(p))) if Some(p) == used_peering => w.pass(HopKind::ReturnRoute, &rtd.name, format!(
                "Replies: route table {} sends {src_ip} back via {dest} -> {}; security groups are stateful, so replies need no rule",
                rtd.name, self.peerings[p.index()].name)),
            other => {
                let fix = match used_peering {
                    Some(p) => format!("add {} -> {}", self.vpcs[vs.index()].cidr, self.peerings[p.index()].name),
                    None => "route the source's CIDR back the way the traffic came".into(),
                };
                let now = match other {
                    None => "has no route back to".to_string(),
                    Some((dest, t)) => format!("sends replies for {dest} to {} instead of back to", self.target_name(t)),
                };
                w.block(HopKind::ReturnRoute, &rtd.name, format!(
                    "Route table {} of subnet {} {now} {src_ip}, so replies never return (a peering passes traffic only when both sides have routes): {fix}",
                    rtd.name, ds.cidr));
                return;
            }
        }
        if !same_subnet {
            self.nacl_hop(
                w,
                HopKind::ReturnNaclOutbound,
                de.subnet,
                Direction::Outbound,
                protocol,
                src_ip,
                CLIENT_PORT,
                &format!("add an outbound allow rule for {protocol} 1024-65535 to {}", ss.cidr),
            );
            if w.blocked {
                return;
            }
            self.nacl_hop(
                w,
                HopKind::ReturnNaclInbound,
                se.subnet,
                Direction::Inbound,
                protocol,
                dst_ip,
                CLIENT_PORT,
                &format!("add an inbound allow rule for {protocol} 1024-65535 from {}", ds.cidr),
            );
        }
    }

    fn walk_eni_out(&self, w: &mut Walk, s: EniId, ip: Ipv4Addr, s3: bool, protocol: Protocol, port: u16) {
        let se = self.eni(s);
        let ss = self.subnet(se.subnet);
        let what = if s3 { "Amazon S3".to_string() } else { ip.to_string() };
        let rt = &self.route_tables[ss.route_table.index()];
        let Some(route) = rt.lookup(ip) else {
            w.block(HopKind::RouteTable, &rt.name, format!(
                "Route table {} of subnet {} has no route to {what}: add 0.0.0.0/0 -> an internet gateway (public subnet) or a NAT gateway (private subnet){}",
                rt.name, ss.cidr, if s3 { ", or an S3 gateway endpoint" } else { "" }));
            return;
        };
        match route.target {
            RouteTarget::GatewayEndpoint(e) => {
                w.pass(
                    HopKind::RouteTable,
                    &rt.name,
                    format!(
                        "Route table {}: {what} matches {} -> {}",
                        rt.name,
                        route.destination,
                        self.endpoints[e.index()].name
                    ),
                );
                w.pass(
                    HopKind::Gateway,
                    &self.endpoints[e.index()].name,
                    format!(
                        "Gateway endpoint {} carries the traffic to S3 privately, without NAT or the internet",
                        self.endpoints[e.index()].name
                    ),
                );
            }
            RouteTarget::InternetGateway(i) => {
                w.pass(
                    HopKind::RouteTable,
                    &rt.name,
                    format!(
                        "Route table {}: {what} matches {} -> {}",
                        rt.name,
                        route.destination,
                        self.internet_gateways[i.index()].name
                    ),
                );
                match se.public_ip {
                    Some(p) => w.pass(
                        HopKind::Gateway,
                        &self.internet_gateways[i.index()].name,
                        format!(
                            "Internet gateway {} translates {} to its public address {p}",
                            self.internet_gateways[i.index()].name,
                            se.private_ip
                        ),
                    ),
                    None => {
                        w.block(HopKind::Gateway, &self.internet_gateways[i.index()].name, format!(
                            "{} has no public IP, so internet gateway {} cannot carry its traffic: give it a public IP, or (private subnet) route 0.0.0.0/0 -> a NAT gateway",
                            se.name, self.internet_gateways[i.index()].name));
                        return;
                    }
                }
            }
            RouteTarget::NatGateway(n) => {
                let nat = &self.nat_gateways[n.index()];
                w.pass(
                    HopKind::RouteTable,
                    &rt.name,
                    format!("Route table {}: {what} matches {} -> {}", rt.name, route.destination, nat.name),
                );
                let ns = self.subnet(nat.subnet);
                let nrt = &self.route_tables[ns.route_table.index()];
                match nrt.lookup(ip).map(|r| r.target) {
                    Some(RouteTarget::InternetGateway(_)) => w.pass(
                        HopKind::Gateway,
                        &nat.name,
                        format!(
                            "NAT gateway {} in public subnet {} sends it out with its address {}",
                            nat.name, ns.cidr, nat.public_ip
                        ),
                    ),
                    _ => {
                        w.block(HopKind::Gateway, &nat.name, format!(
                            "NAT gateway {} sits in subnet {} whose route table {} has no route to the internet gateway: a NAT gateway must sit in a public subnet (0.0.0.0/0 -> igw)",
                            nat.name, ns.cidr, nrt.name));
                        return;
                    }
                }
            }
            other => {
                w.block(HopKind::RouteTable, &rt.name, format!(
                    "Route table {} sends {what} to {}, which does not lead to the internet (peered VPCs do not pass traffic on)",
                    rt.name, self.target_name(other)));
                return;
            }
        }
        self.nacl_hop(
            w,
            HopKind::NaclOutbound,
            se.subnet,
            Direction::Outbound,
            protocol,
            ip,
            port,
            &format!(
                "add an outbound allow rule for {protocol} {port} to {}",
                if s3 { self.s3_prefix_list } else { Ipv4Cidr::ANY }
            ),
        );
        if w.blocked {
            return;
        }
        self.sg_hop(w, se, Direction::Outbound, protocol, ip, &what, &[], port, "add an outbound rule");
        if w.blocked {
            return;
        }
        self.nacl_hop(
            w,
            HopKind::ReturnNaclInbound,
            se.subnet,
            Direction::Inbound,
            protocol,
            ip,
            CLIENT_PORT,
            &format!(
                "add an inbound allow rule for {protocol} 1024-65535 from {}",
                if s3 { self.s3_prefix_list } else { Ipv4Cidr::ANY }
            ),
        );
    }

    fn walk_internet_in(&self, w: &mut Walk, ip: Ipv4Addr, d: EniId, protocol: Protocol, port: u16) {
        let de = self.eni(d);
        let ds = self.subnet(de.subnet);
        let vpc = &self.vpcs[ds.vpc.index()];
        let Some(igw) = vpc.internet_gateway else {
            w.block(HopKind::Gateway, &vpc.name, format!(
                "VPC {} has no internet gateway, so nothing on the internet can reach {}: attach one (and put the instance in a public subnet)", vpc.name, de.name));
            return;
        };
        let igw = &self.internet_gateways[igw.index()];
        let Some(public) = de.public_ip else {
            w.block(HopKind::Gateway, &igw.name, format!(
                "{} has only the private address {}: it cannot be reached from the internet (put a load balancer in a public subnet in front of it, or give it a public IP in a public subnet)",
                de.name, de.private_ip));
            return;
        };
        w.pass(
            HopKind::Gateway,
            &igw.name,
            format!("Internet gateway {} translates {public} to {}", igw.name, de.private_ip),
        );
        self.nacl_hop(
            w,
            HopKind::NaclInbound,
            de.subnet,
            Direction::Inbound,
            protocol,
            ip,
            port,
            &format!("add an inbound allow rule for {protocol} {port} from 0.0.0.0/0"),
        );
        if w.blocked {
            return;
        }
        self.sg_hop(
            w,
            de,
            Direction::Inbound,
            protocol,
            ip,
            &ip,
            &[],
            port,
            &format!("add an inbound rule for {protocol} {port} from 0.0.0.0/0"),
        );
        if w.blocked {
            return;
        }
        let rt = &self.route_tables[ds.route_table.index()];
        match rt.lookup(ip).map(|r| r.target) {
            Some(RouteTarget::InternetGateway(_)) => w.pass(
                HopKind::ReturnRoute,
                &rt.name,
                format!("Replies: route table {} sends {ip} back through {}", rt.name, igw.name),
            ),
            _ => {
                w.block(HopKind::ReturnRoute, &rt.name, format!(
                    "Route table {} of subnet {} has no route to the internet gateway for the replies to {ip}: add 0.0.0.0/0 -> {} (make it a public subnet)",
                    rt.name, ds.cidr, igw.name));
                return;
            }
        }
        self.nacl_hop(
            w,
            HopKind::ReturnNaclOutbound,
            de.subnet,
            Direction::Outbound,
            protocol,
            ip,
            CLIENT_PORT,
            "add an outbound allow rule for TCP 1024-65535 to 0.0.0.0/0",
        );
    }
}
