//! The data model of the software-defined network: VPCs, subnets and their address pools, route
//! tables, gateways, peerings, endpoints, security groups, NACLs and ENIs, held in [`Network`],
//! with the operations that build and change it and the lookups by name.

use serde::{Deserialize, Serialize};
use std::net::Ipv4Addr;

use super::cidr::{CidrError, Ipv4Cidr};
use super::ports::{PortRange, Protocol};
use crate::layers::physical::typed_id;

typed_id!(
    /// A VPC.
    VpcId
);
typed_id!(
    /// A subnet.
    SubnetId
);
typed_id!(
    /// A route table.
    RouteTableId
);
typed_id!(
    /// An internet gateway.
    IgwId
);
typed_id!(
    /// A NAT gateway.
    NatId
);
typed_id!(
    /// A VPC peering connection.
    PeeringId
);
typed_id!(
    /// A gateway endpoint (S3).
    EndpointId
);
typed_id!(
    /// A security group.
    SgId
);
typed_id!(
    /// A network ACL.
    NaclId
);
typed_id!(
    /// An elastic network interface (a virtual NIC).
    EniId
);

/// A VPC: one region, one CIDR fixed at creation, isolated unless peered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Vpc {
    /// Its id.
    pub id: VpcId,
    /// Its name (shown as its id, e.g. `vpc-a`).
    pub name: String,
    /// Its CIDR.
    pub cidr: Ipv4Cidr,
    /// The route table subnets use unless associated with another.
    pub main_route_table: RouteTableId,
    /// The NACL subnets use unless associated with another (allows everything).
    pub default_nacl: NaclId,
    /// Its internet gateway, if attached.
    pub internet_gateway: Option<IgwId>,
}

/// A subnet: part of a VPC's CIDR in one AZ.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    /// Its id.
    pub id: SubnetId,
    /// Its name.
    pub name: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// Its CIDR.
    pub cidr: Ipv4Cidr,
    /// The AZ, by name.
    pub az: String,
    /// Its route table.
    pub route_table: RouteTableId,
    /// Its network ACL.
    pub nacl: NaclId,
    /// Offsets (from the network address) in use by ENIs, sorted.
    pub allocated: Vec<u32>,
}

impl Subnet {
    /// Addresses ENIs can use: the block minus the five AWS keeps.
    pub fn usable_addresses(&self) -> u64 {
        self.cidr.size().saturating_sub(5)
    }
    /// Addresses still free.
    pub fn free_addresses(&self) -> u64 {
        self.usable_addresses().saturating_sub(self.allocated.len() as u64)
    }
}

/// Where a route sends traffic.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum RouteTarget {
    /// Inside the VPC.
    Local,
    /// To the internet through the internet gateway.
    InternetGateway(IgwId),
    /// To the internet through a NAT gateway (outbound only).
    NatGateway(NatId),
    /// To a peered VPC.
    Peering(PeeringId),
    /// To a service through a gateway endpoint.
    GatewayEndpoint(EndpointId),
}

/// One route.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Route {
    /// Destination block.
    pub destination: Ipv4Cidr,
    /// Where it goes.
    pub target: RouteTarget,
}

/// A route table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RouteTable {
    /// Its id.
    pub id: RouteTableId,
    /// Its name, e.g. `rtb-a`.
    pub name: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// Its routes (the `local` route first).
    pub routes: Vec<Route>,
}

impl RouteTable {
    /// The route for `ip`: the matching route with the longest prefix.
    pub fn lookup(&self, ip: Ipv4Addr) -> Option<&Route> {
        self.routes.iter().filter(|r| r.destination.contains(ip)).max_by_key(|r| r.destination.prefix())
    }
}

/// An internet gateway.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InternetGateway {
    /// Its id.
    pub id: IgwId,
    /// Its name.
    pub name: String,
    /// The VPC it is attached to.
    pub vpc: VpcId,
}

/// A NAT gateway: lets private subnets open connections to the internet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NatGateway {
    /// Its id.
    pub id: NatId,
    /// Its name.
    pub name: String,
    /// The (public) subnet it sits in.
    pub subnet: SubnetId,
    /// Its own interface in that subnet.
    pub eni: EniId,
    /// Its public (elastic) address.
    pub public_ip: Ipv4Addr,
}

/// State of a peering connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PeeringStatus {
    /// Requested, not accepted yet.
    PendingAcceptance,
    /// Accepted.
    Active,
}

/// A VPC peering connection: a routing permission, not a cable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Peering {
    /// Its id.
    pub id: PeeringId,
    /// Its name, e.g. `pcx-ab`.
    pub name: String,
    /// The requesting VPC.
    pub requester: VpcId,
    /// The accepting VPC.
    pub accepter: VpcId,
    /// Its state.
    pub status: PeeringStatus,
}

impl Peering {
    /// The VPC on the other side of `vpc`, if `vpc` is one of its ends.
    pub fn other_side(&self, vpc: VpcId) -> Option<VpcId> {
        if vpc == self.requester {
            Some(self.accepter)
        } else if vpc == self.accepter {
            Some(self.requester)
        } else {
            None
        }
    }
}

/// A gateway endpoint: S3 reached privately, without NAT or internet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GatewayEndpoint {
    /// Its id.
    pub id: EndpointId,
    /// Its name, e.g. `vpce-s3`.
    pub name: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// The service, e.g. `s3`.
    pub service: String,
}

/// Who a security-group rule lets in (or out to).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SgPeer {
    /// Any address in the block.
    Cidr(Ipv4Cidr),
    /// Any ENI that carries the group.
    Group(SgId),
}

/// A security-group rule (always an allow).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SgRule {
    /// Protocol.
    pub protocol: Protocol,
    /// Destination ports.
    pub ports: PortRange,
    /// Source (inbound) or destination (outbound).
    pub peer: SgPeer,
}

/// A security group: stateful, allow-only, on the ENI.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SecurityGroup {
    /// Its id.
    pub id: SgId,
    /// Its name, e.g. `sg-web`.
    pub name: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// Inbound rules.
    pub inbound: Vec<SgRule>,
    /// Outbound rules.
    pub outbound: Vec<SgRule>,
}

/// Allow or deny.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NaclAction {
    /// Let it through.
    Allow,
    /// Drop it.
    Deny,
}

/// A numbered NACL rule.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NaclRule {
    /// Rules are checked from the lowest number up; the first match decides.
    pub number: u16,
    /// Protocol.
    #[serde(default = "all_protocols")]
    pub protocol: Protocol,
    /// Destination ports.
    #[serde(default = "all_ports")]
    pub ports: PortRange,
    /// The other end's block (source inbound, destination outbound).
    pub cidr: Ipv4Cidr,
    /// Allow or deny.
    pub action: NaclAction,
}

fn all_protocols() -> Protocol {
    Protocol::All
}
fn all_ports() -> PortRange {
    PortRange::ALL
}

/// A network ACL: stateless, on the subnet, numbered allow/deny rules both ways, with an
/// implicit final deny.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Nacl {
    /// Its id.
    pub id: NaclId,
    /// Its name, e.g. `acl-a`.
    pub name: String,
    /// Its VPC.
    pub vpc: VpcId,
    /// Inbound rules, kept sorted by number.
    pub inbound: Vec<NaclRule>,
    /// Outbound rules, kept sorted by number.
    pub outbound: Vec<NaclRule>,
}

/// Direction of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Into the subnet / ENI.
    Inbound,
    /// Out of it.
    Outbound,
}

/// What a NACL decided for a packet.
#[derive(Clone, Debug, PartialEq)]
pub enum NaclVerdict {
    /// A numbered rule allowed it.
    Allowed(u16),
    /// A numbered rule denied it.
    Denied(u16),
    /// No rule matched; the final `*` rule denies.
    NoMatch,
}

impl Nacl {
    /// Evaluates the rules of `dir` for a packet to/from `peer` on `port`.
    pub fn evaluate(&self, dir: Direction, protocol: Protocol, peer: Ipv4Addr, port: u16) -> NaclVerdict {
        let rules = match dir {
            Direction::Inbound => &self.inbound,
            Direction::Outbound => &self.outbound,
        };
        for r in rules {
            if r.protocol.matches_traffic(r.ports, protocol, port) && r.cidr.contains(peer) {
                return match r.action {
                    NaclAction::Allow => NaclVerdict::Allowed(r.number),
                    NaclAction::Deny => NaclVerdict::Denied(r.number),
                };
            }
        }
        NaclVerdict::NoMatch
    }
}

/// A virtual NIC with its private address.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Eni {
    /// Its id.
    pub id: EniId,
    /// Its name (usually the instance's).
    pub name: String,
    /// Its subnet.
    pub subnet: SubnetId,
    /// Its private address.
    pub private_ip: Ipv4Addr,
    /// Its public address, if it has one.
    pub public_ip: Option<Ipv4Addr>,
    /// Its security groups.
    pub security_groups: Vec<SgId>,
    /// False once deleted (the id stays valid).
    pub live: bool,
}

/// Something wrong with a network change or configuration.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum NetworkError {
    /// A CIDR did not parse.
    #[error(transparent)]
    Cidr(#[from] CidrError),
    /// A subnet outside its VPC.
    #[error("subnet {subnet} is not inside VPC {vpc} ({vpc_cidr})")]
    SubnetOutsideVpc {
        /// Subnet CIDR.
        subnet: Ipv4Cidr,
        /// VPC name.
        vpc: String,
        /// VPC CIDR.
        vpc_cidr: Ipv4Cidr,
    },
    /// Two subnets sharing addresses.
    #[error("subnet {0} overlaps subnet {1}")]
    SubnetOverlap(Ipv4Cidr, Ipv4Cidr),
    /// Peering between VPCs whose CIDRs overlap.
    #[error("VPCs {0} and {1} have overlapping CIDRs and cannot be peered")]
    PeeringOverlap(String, String),
    /// No free address.
    #[error("subnet {name} ({cidr}) has no free private addresses left ({usable} usable, all in use)")]
    SubnetFull {
        /// Subnet name.
        name: String,
        /// Subnet CIDR.
        cidr: Ipv4Cidr,
        /// Usable addresses.
        usable: u64,
    },
    /// An address requested that cannot be used.
    #[error("address {ip} cannot be used in subnet {cidr}: {why}")]
    BadAddress {
        /// The address.
        ip: Ipv4Addr,
        /// The subnet.
        cidr: Ipv4Cidr,
        /// Why.
        why: &'static str,
    },
    /// A name that refers to nothing.
    #[error("{kind} `{name}` does not exist")]
    Unknown {
        /// What was looked for.
        kind: &'static str,
        /// The name.
        name: String,
    },
    /// A route whose target is in a different VPC.
    #[error("route table {table} cannot use target {target}: {why}")]
    BadTarget {
        /// The table.
        table: String,
        /// The target.
        target: String,
        /// Why.
        why: String,
    },
}

/// The whole software-defined network of a region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Network {
    /// VPCs.
    pub vpcs: Vec<Vpc>,
    /// Subnets.
    pub subnets: Vec<Subnet>,
    /// Route tables.
    pub route_tables: Vec<RouteTable>,
    /// Internet gateways.
    pub internet_gateways: Vec<InternetGateway>,
    /// NAT gateways.
    pub nat_gateways: Vec<NatGateway>,
    /// Peering connections.
    pub peerings: Vec<Peering>,
    /// Gateway endpoints.
    pub endpoints: Vec<GatewayEndpoint>,
    /// Security groups.
    pub security_groups: Vec<SecurityGroup>,
    /// Network ACLs.
    pub nacls: Vec<Nacl>,
    /// ENIs.
    pub enis: Vec<Eni>,
    /// The block S3's public addresses come from (its prefix list).
    pub s3_prefix_list: Ipv4Cidr,
    /// The block public addresses are handed out from.
    pub public_pool: Ipv4Cidr,
    /// Public addresses in use, as offsets in the pool.
    pub public_allocated: Vec<u32>,
}

impl Default for Network {
    fn default() -> Self {
        Network {
            vpcs: Vec::new(),
            subnets: Vec::new(),
            route_tables: Vec::new(),
            internet_gateways: Vec::new(),
            nat_gateways: Vec::new(),
            peerings: Vec::new(),
            endpoints: Vec::new(),
            security_groups: Vec::new(),
            nacls: Vec::new(),
            enis: Vec::new(),
            s3_prefix_list: default_s3_prefix_list(),
            public_pool: default_public_pool(),
            public_allocated: Vec::new(),
        }
    }
}

fn default_s3_prefix_list() -> Ipv4Cidr {
    Ipv4Cidr::new(Ipv4Addr::new(52, 219, 56, 0), 22)
}
fn default_public_pool() -> Ipv4Cidr {
    Ipv4Cidr::new(Ipv4Addr::new(3, 34, 0, 0), 16)
}

/// The lowest offset, `from` up, that the sorted `allocated` does not hold (how both the subnets'
/// private addresses and the public pool hand out the next address).
fn lowest_free(allocated: &[u32], from: u32) -> u32 {
    let mut next = from;
    for &a in allocated {
        if a == next {
            next += 1;
        } else if a > next {
            break;
        }
    }
    next
}

impl Network {
    // ----- building -------------------------------------------------------------------------

    /// Adds a VPC with its main route table (`local` route only), a default NACL that allows
    /// everything, and a default security group (inbound from itself, outbound anywhere).
    pub fn add_vpc(&mut self, name: &str, cidr: Ipv4Cidr) -> VpcId {
        let id = VpcId(self.vpcs.len() as u32);
        let rtb = RouteTableId(self.route_tables.len() as u32);
        self.route_tables.push(RouteTable {
            id: rtb,
            name: format!("{name}-main-rtb"),
            vpc: id,
            routes: vec![Route { destination: cidr, target: RouteTarget::Local }],
        });
        let acl = NaclId(self.nacls.len() as u32);
        let allow_all = |number| NaclRule {
            number,
            protocol: Protocol::All,
            ports: PortRange::ALL,
            cidr: Ipv4Cidr::ANY,
            action: NaclAction::Allow,
        };
        self.nacls.push(Nacl {
            id: acl,
            name: format!("{name}-default-acl"),
            vpc: id,
            inbound: vec![allow_all(100)],
            outbound: vec![allow_all(100)],
        });
        self.vpcs.push(Vpc {
            id,
            name: name.into(),
            cidr,
            main_route_table: rtb,
            default_nacl: acl,
            internet_gateway: None,
        });
        let sg = self.add_security_group(&format!("{name}-default-sg"), id);
        self.security_groups[sg.index()].inbound.push(SgRule {
            protocol: Protocol::All,
            ports: PortRange::ALL,
            peer: SgPeer::Group(sg),
        });
        id
    }

    /// Adds a subnet of `vpc` in AZ `az`, on the VPC's main route table and default NACL.
    pub fn add_subnet(&mut self, name: &str, vpc: VpcId, cidr: Ipv4Cidr, az: &str) -> Result<SubnetId, NetworkError> {
        let v = &self.vpcs[vpc.index()];
        if !v.cidr.contains_cidr(&cidr) {
            return Err(NetworkError::SubnetOutsideVpc { subnet: cidr, vpc: v.name.clone(), vpc_cidr: v.cidr });
        }
        if let Some(o) = self.subnets.iter().find(|s| s.vpc == vpc && s.cidr.overlaps(&cidr)) {
            return Err(NetworkError::SubnetOverlap(cidr, o.cidr));
        }
        let id = SubnetId(self.subnets.len() as u32);
        self.subnets.push(Subnet {
            id,
            name: name.into(),
            vpc,
            cidr,
            az: az.into(),
            route_table: v.main_route_table,
            nacl: v.default_nacl,
            allocated: Vec::new(),
        });
        Ok(id)
    }

    /// Adds an empty route table (with the `local` route) to `vpc`.
    pub fn add_route_table(&mut self, name: &str, vpc: VpcId) -> RouteTableId {
        let id = RouteTableId(self.route_tables.len() as u32);
        let cidr = self.vpcs[vpc.index()].cidr;
        self.route_tables.push(RouteTable {
            id,
            name: name.into(),
            vpc,
            routes: vec![Route { destination: cidr, target: RouteTarget::Local }],
        });
        id
    }

    /// Uses route table `rtb` for `subnet`.
    pub fn associate_route_table(&mut self, subnet: SubnetId, rtb: RouteTableId) {
        self.subnets[subnet.index()].route_table = rtb;
    }

    /// Adds (or replaces, for the same destination) a route. Takes effect at once.
    pub fn add_route(
        &mut self,
        rtb: RouteTableId,
        destination: Ipv4Cidr,
        target: RouteTarget,
    ) -> Result<(), NetworkError> {
        let vpc = self.route_tables[rtb.index()].vpc;
        let bad = |why: String| NetworkError::BadTarget {
            table: self.route_tables[rtb.index()].name.clone(),
            target: self.target_name(target),
            why,
        };
        match target {
            RouteTarget::InternetGateway(i) if self.internet_gateways[i.index()].vpc != vpc => {
                return Err(bad("the internet gateway is attached to another VPC".into()))
            }
            RouteTarget::NatGateway(n) if self.subnets[self.nat_gateways[n.index()].subnet.index()].vpc != vpc => {
                return Err(bad("the NAT gateway is in another VPC".into()))
            }
            RouteTarget::Peering(p) if self.peerings[p.index()].other_side(vpc).is_none() => {
                return Err(bad("the peering connection does not involve this VPC".into()))
            }
            RouteTarget::GatewayEndpoint(e) if self.endpoints[e.index()].vpc != vpc => {
                return Err(bad("the endpoint belongs to another VPC".into()))
            }
            _ => {}
        }
        let t = &mut self.route_tables[rtb.index()];
        t.routes.retain(|r| r.destination != destination);
        t.routes.push(Route { destination, target });
        Ok(())
    }

    /// Removes the route for `destination`.
    pub fn remove_route(&mut self, rtb: RouteTableId, destination: Ipv4Cidr) {
        self.route_tables[rtb.index()]
            .routes
            .retain(|r| r.destination != destination || r.target == RouteTarget::Local);
    }

    /// Attaches a new internet gateway to `vpc`.
    pub fn add_internet_gateway(&mut self, name: &str, vpc: VpcId) -> IgwId {
        let id = IgwId(self.internet_gateways.len() as u32);
        self.internet_gateways.push(InternetGateway { id, name: name.into(), vpc });
        self.vpcs[vpc.index()].internet_gateway = Some(id);
        id
    }

    /// Adds a NAT gateway in `subnet` (which should be public), with its own ENI and public IP.
    pub fn add_nat_gateway(&mut self, name: &str, subnet: SubnetId) -> Result<NatId, NetworkError> {
        let eni = self.create_eni(name, subnet, Vec::new(), None, true)?;
        let id = NatId(self.nat_gateways.len() as u32);
        let public_ip = self.enis[eni.index()].public_ip.expect("asked for a public IP");
        self.nat_gateways.push(NatGateway { id, name: name.into(), subnet, eni, public_ip });
        Ok(id)
    }

    /// Adds a peering connection between two VPCs (accepted unless `pending`).
    pub fn add_peering(
        &mut self,
        name: &str,
        requester: VpcId,
        accepter: VpcId,
        pending: bool,
    ) -> Result<PeeringId, NetworkError> {
        let (a, b) = (&self.vpcs[requester.index()], &self.vpcs[accepter.index()]);
        if a.cidr.overlaps(&b.cidr) {
            return Err(NetworkError::PeeringOverlap(a.name.clone(), b.name.clone()));
        }
        let id = PeeringId(self.peerings.len() as u32);
        self.peerings.push(Peering {
            id,
            name: name.into(),
            requester,
            accepter,
            status: if pending { PeeringStatus::PendingAcceptance } else { PeeringStatus::Active },
        });
        Ok(id)
    }

    /// Adds an S3 gateway endpoint to `vpc` and its prefix-list route to each table listed.
    pub fn add_s3_endpoint(
        &mut self,
        name: &str,
        vpc: VpcId,
        route_tables: &[RouteTableId],
    ) -> Result<EndpointId, NetworkError> {
        let id = EndpointId(self.endpoints.len() as u32);
        self.endpoints.push(GatewayEndpoint { id, name: name.into(), vpc, service: "s3".into() });
        for &rtb in route_tables {
            self.add_route(rtb, self.s3_prefix_list, RouteTarget::GatewayEndpoint(id))?;
        }
        Ok(id)
    }

    /// Adds an empty security group to `vpc` (no rules at all).
    pub fn add_security_group(&mut self, name: &str, vpc: VpcId) -> SgId {
        let id = SgId(self.security_groups.len() as u32);
        self.security_groups.push(SecurityGroup {
            id,
            name: name.into(),
            vpc,
            inbound: Vec::new(),
            outbound: Vec::new(),
        });
        id
    }

    /// Adds a rule to a security group. Takes effect at once.
    pub fn add_sg_rule(&mut self, sg: SgId, dir: Direction, rule: SgRule) {
        let g = &mut self.security_groups[sg.index()];
        match dir {
            Direction::Inbound => g.inbound.push(rule),
            Direction::Outbound => g.outbound.push(rule),
        }
    }

    /// Adds an empty NACL (denies everything until rules are added).
    pub fn add_nacl(&mut self, name: &str, vpc: VpcId) -> NaclId {
        let id = NaclId(self.nacls.len() as u32);
        self.nacls.push(Nacl { id, name: name.into(), vpc, inbound: Vec::new(), outbound: Vec::new() });
        id
    }

    /// Adds (or replaces, for the same number) a NACL rule; rules stay sorted by number.
    pub fn add_nacl_rule(&mut self, nacl: NaclId, dir: Direction, rule: NaclRule) {
        let a = &mut self.nacls[nacl.index()];
        let rules = match dir {
            Direction::Inbound => &mut a.inbound,
            Direction::Outbound => &mut a.outbound,
        };
        rules.retain(|r| r.number != rule.number);
        rules.push(rule);
        rules.sort_by_key(|r| r.number);
    }

    /// Uses NACL `nacl` for `subnet`.
    pub fn associate_nacl(&mut self, subnet: SubnetId, nacl: NaclId) {
        self.subnets[subnet.index()].nacl = nacl;
    }

    /// Creates an ENI in `subnet`, taking `ip` if given (and free) or the lowest free address,
    /// plus a public address if asked.
    pub fn create_eni(
        &mut self,
        name: &str,
        subnet: SubnetId,
        security_groups: Vec<SgId>,
        ip: Option<Ipv4Addr>,
        public: bool,
    ) -> Result<EniId, NetworkError> {
        let private_ip = self.allocate_private_ip(subnet, ip)?;
        let public_ip = if public { Some(self.allocate_public_ip()) } else { None };
        let id = EniId(self.enis.len() as u32);
        self.enis.push(Eni { id, name: name.into(), subnet, private_ip, public_ip, security_groups, live: true });
        Ok(id)
    }

    fn allocate_private_ip(&mut self, subnet: SubnetId, ip: Option<Ipv4Addr>) -> Result<Ipv4Addr, NetworkError> {
        let s = &mut self.subnets[subnet.index()];
        let last = s.cidr.size() - 1;
        let offset = match ip {
            Some(ip) => {
                let bad = |why| NetworkError::BadAddress { ip, cidr: s.cidr, why };
                let o = s.cidr.offset_of(ip).ok_or_else(|| bad("it is outside the subnet"))?;
                if o < 4 || o == last {
                    return Err(bad("AWS reserves the first four and the last address of every subnet"));
                }
                if s.allocated.binary_search(&(o as u32)).is_ok() {
                    return Err(bad("it is already in use"));
                }
                o as u32
            }
            None => {
                let next = lowest_free(&s.allocated, 4);
                if next as u64 >= last {
                    return Err(NetworkError::SubnetFull {
                        name: s.name.clone(),
                        cidr: s.cidr,
                        usable: s.usable_addresses(),
                    });
                }
                next
            }
        };
        let pos = s.allocated.binary_search(&offset).unwrap_err();
        s.allocated.insert(pos, offset);
        Ok(s.cidr.nth(offset as u64).expect("offset inside"))
    }

    fn allocate_public_ip(&mut self) -> Ipv4Addr {
        let next = lowest_free(&self.public_allocated, 10);
        let pos = self.public_allocated.binary_search(&next).unwrap_err();
        self.public_allocated.insert(pos, next);
        self.public_pool.nth(next as u64).unwrap_or(Ipv4Addr::UNSPECIFIED)
    }

    /// Gives `eni` a public address (no-op if it has one).
    pub fn assign_public_ip(&mut self, eni: EniId) -> Ipv4Addr {
        if let Some(ip) = self.enis[eni.index()].public_ip {
            return ip;
        }
        let ip = self.allocate_public_ip();
        self.enis[eni.index()].public_ip = Some(ip);
        ip
    }

    /// Takes `eni`'s public address back (what a stop does to an auto-assigned public IP).
    pub fn release_public_ip(&mut self, eni: EniId) {
        if let Some(ip) = self.enis[eni.index()].public_ip.take() {
            if let Some(o) = self.public_pool.offset_of(ip) {
                self.public_allocated.retain(|a| *a as u64 != o);
            }
        }
    }

    /// Deletes `eni`, returning its addresses to the pools.
    pub fn delete_eni(&mut self, eni: EniId) {
        if !self.enis[eni.index()].live {
            return;
        }
        self.release_public_ip(eni);
        let e = &mut self.enis[eni.index()];
        e.live = false;
        let (subnet, ip) = (e.subnet, e.private_ip);
        let s = &mut self.subnets[subnet.index()];
        if let Some(o) = s.cidr.offset_of(ip) {
            s.allocated.retain(|a| *a as u64 != o);
        }
    }

    // ----- lookups --------------------------------------------------------------------------

    /// The VPC named `name`.
    pub fn vpc_by_name(&self, name: &str) -> Option<VpcId> {
        self.vpcs.iter().find(|v| v.name == name).map(|v| v.id)
    }
    /// The subnet named `name`.
    pub fn subnet_by_name(&self, name: &str) -> Option<SubnetId> {
        self.subnets.iter().find(|v| v.name == name).map(|v| v.id)
    }
    /// The route table named `name`.
    pub fn route_table_by_name(&self, name: &str) -> Option<RouteTableId> {
        self.route_tables.iter().find(|v| v.name == name).map(|v| v.id)
    }
    /// The security group named `name`.
    pub fn sg_by_name(&self, name: &str) -> Option<SgId> {
        self.security_groups.iter().find(|v| v.name == name).map(|v| v.id)
    }
    /// The NACL named `name`.
    pub fn nacl_by_name(&self, name: &str) -> Option<NaclId> {
        self.nacls.iter().find(|v| v.name == name).map(|v| v.id)
    }
    /// The peering named `name`.
    pub fn peering_by_name(&self, name: &str) -> Option<PeeringId> {
        self.peerings.iter().find(|v| v.name == name).map(|v| v.id)
    }
    /// The live ENI named `name`.
    pub fn eni_by_name(&self, name: &str) -> Option<EniId> {
        self.enis.iter().find(|v| v.live && v.name == name).map(|v| v.id)
    }
    /// The ENI.
    pub fn eni(&self, id: EniId) -> &Eni {
        &self.enis[id.index()]
    }
    /// The subnet.
    pub fn subnet(&self, id: SubnetId) -> &Subnet {
        &self.subnets[id.index()]
    }

    /// Resolves a route target written by name: `local`, or the name of an internet gateway,
    /// NAT gateway, peering connection or endpoint.
    pub fn target_by_name(&self, name: &str) -> Option<RouteTarget> {
        if name == "local" {
            return Some(RouteTarget::Local);
        }
        self.internet_gateways
            .iter()
            .find(|x| x.name == name)
            .map(|x| RouteTarget::InternetGateway(x.id))
            .or_else(|| self.nat_gateways.iter().find(|x| x.name == name).map(|x| RouteTarget::NatGateway(x.id)))
            .or_else(|| self.peerings.iter().find(|x| x.name == name).map(|x| RouteTarget::Peering(x.id)))
            .or_else(|| self.endpoints.iter().find(|x| x.name == name).map(|x| RouteTarget::GatewayEndpoint(x.id)))
    }

    /// The display name of a route target.
    pub fn target_name(&self, t: RouteTarget) -> String {
        match t {
            RouteTarget::Local => "local".into(),
            RouteTarget::InternetGateway(i) => self.internet_gateways[i.index()].name.clone(),
            RouteTarget::NatGateway(i) => self.nat_gateways[i.index()].name.clone(),
            RouteTarget::Peering(i) => self.peerings[i.index()].name.clone(),
            RouteTarget::GatewayEndpoint(i) => self.endpoints[i.index()].name.clone(),
        }
    }

    /// The VPC whose CIDR holds `ip`.
    pub fn vpc_containing(&self, ip: Ipv4Addr) -> Option<VpcId> {
        self.vpcs.iter().find(|v| v.cidr.contains(ip)).map(|v| v.id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Ipv4Cidr {
        s.parse().unwrap()
    }

    #[test]
    fn subnet_reserves_five_addresses_and_runs_out() {
        let mut n = Network::default();
        let v = n.add_vpc("vpc-a", c("10.0.0.0/16"));
        let s = n.add_subnet("tiny", v, c("10.0.9.0/28"), "a").unwrap();
        assert_eq!(n.subnet(s).usable_addresses(), 11);
        let mut ips = Vec::new();
        for i in 0..11 {
            let e = n.create_eni(&format!("e{i}"), s, vec![], None, false).unwrap();
            ips.push(n.eni(e).private_ip);
        }
        assert_eq!(ips[0], "10.0.9.4".parse::<Ipv4Addr>().unwrap());
        assert_eq!(ips[10], "10.0.9.14".parse::<Ipv4Addr>().unwrap());
        let err = n.create_eni("one-more", s, vec![], None, false).unwrap_err();
        assert!(matches!(err, NetworkError::SubnetFull { usable: 11, .. }), "{err}");
        // Freeing one makes it available again, lowest first.
        let e3 = n.eni_by_name("e3").unwrap();
        n.delete_eni(e3);
        let again = n.create_eni("again", s, vec![], None, false).unwrap();
        assert_eq!(n.eni(again).private_ip, ips[3]);
        // Reserved addresses cannot be asked for.
        assert!(n.create_eni("r", s, vec![], Some("10.0.9.1".parse().unwrap()), false).is_err());
    }

    #[test]
    fn subnets_must_fit_the_vpc_and_not_overlap() {
        let mut n = Network::default();
        let v = n.add_vpc("vpc-a", c("10.0.0.0/16"));
        assert!(matches!(n.add_subnet("x", v, c("10.1.0.0/24"), "a"), Err(NetworkError::SubnetOutsideVpc { .. })));
        n.add_subnet("a", v, c("10.0.0.0/24"), "a").unwrap();
        assert!(matches!(n.add_subnet("b", v, c("10.0.0.0/23"), "a"), Err(NetworkError::SubnetOverlap(..))));
    }

    #[test]
    fn longest_prefix_wins() {
        let mut n = Network::default();
        let a = n.add_vpc("vpc-a", c("10.0.0.0/16"));
        let b = n.add_vpc("vpc-b", c("10.1.0.0/16"));
        let igw = n.add_internet_gateway("igw-a", a);
        let p = n.add_peering("pcx-ab", a, b, false).unwrap();
        let rtb = n.vpcs[a.index()].main_route_table;
        n.add_route(rtb, Ipv4Cidr::ANY, RouteTarget::InternetGateway(igw)).unwrap();
        n.add_route(rtb, c("10.1.2.0/24"), RouteTarget::Peering(p)).unwrap();
        let t = &n.route_tables[rtb.index()];
        assert_eq!(t.lookup("10.1.2.15".parse().unwrap()).unwrap().target, RouteTarget::Peering(p));
        assert_eq!(t.lookup("10.1.3.15".parse().unwrap()).unwrap().target, RouteTarget::InternetGateway(igw));
        assert_eq!(t.lookup("10.0.3.15".parse().unwrap()).unwrap().target, RouteTarget::Local);
        // A target of another VPC is refused.
        let igw_b = n.add_internet_gateway("igw-b", b);
        assert!(n.add_route(rtb, c("1.0.0.0/8"), RouteTarget::InternetGateway(igw_b)).is_err());
    }

    #[test]
    fn nacl_rules_apply_in_number_order() {
        let mut n = Network::default();
        let v = n.add_vpc("vpc-a", c("10.0.0.0/16"));
        let acl = n.add_nacl("acl", v);
        let rule = |number, action, cidr: &str| NaclRule {
            number,
            protocol: Protocol::Tcp,
            ports: PortRange::single(22),
            cidr: cidr.parse().unwrap(),
            action,
        };
        n.add_nacl_rule(acl, Direction::Inbound, rule(200, NaclAction::Allow, "0.0.0.0/0"));
        n.add_nacl_rule(acl, Direction::Inbound, rule(100, NaclAction::Deny, "203.0.113.0/24"));
        let a = &n.nacls[acl.index()];
        assert_eq!(
            a.evaluate(Direction::Inbound, Protocol::Tcp, "203.0.113.9".parse().unwrap(), 22),
            NaclVerdict::Denied(100)
        );
        assert_eq!(
            a.evaluate(Direction::Inbound, Protocol::Tcp, "198.51.100.9".parse().unwrap(), 22),
            NaclVerdict::Allowed(200)
        );
        assert_eq!(
            a.evaluate(Direction::Inbound, Protocol::Tcp, "198.51.100.9".parse().unwrap(), 80),
            NaclVerdict::NoMatch
        );
        assert_eq!(
            a.evaluate(Direction::Outbound, Protocol::Tcp, "198.51.100.9".parse().unwrap(), 22),
            NaclVerdict::NoMatch
        );
    }
}
