//! The network layer: a software-defined VPC.
//!
//! VPCs and subnets own CIDR blocks; every virtual NIC ([`Eni`]) takes a private address from
//! its subnet (AWS keeps five addresses of every subnet: the network address, the router, DNS,
//! one reserved, and the broadcast address). Route tables send traffic by longest-prefix match
//! to the VPC itself (`local`), an internet gateway, a NAT gateway, a peering connection or a
//! gateway endpoint. Security groups are stateful allow-lists on the ENI; network ACLs are
//! stateless, ordered, numbered allow/deny rules on the subnet, checked in both directions.
//!
//! [`Network::reachability`] walks a connection hop by hop, the way the controller would apply
//! the rules: route table, NACL out, SG out, NACL in, SG in, then the return path (route back,
//! NACL rules for the replies to ephemeral ports 1024-65535). The first hop that blocks is
//! explained in plain words, with the change that would fix it. The simulation uses the same
//! evaluation, so a request across a blocked path fails with that sentence.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::net::Ipv4Addr;
use std::str::FromStr;

use super::physical::typed_id;

// ---------------------------------------------------------------------------------------------
// CIDR blocks

/// An IPv4 CIDR block such as `10.0.0.0/16`: the one CIDR type of the crate, used by the
/// network layer and by the topology document's VPC and subnet containers
/// ([`crate::topology::Cidr`] is this type).
///
/// Blocks made by [`Ipv4Cidr::new`], [`Ipv4Cidr::parse`] and [`str::parse`] have their host
/// bits cleared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ipv4Cidr {
    /// The network address as a number (`10.0.0.0` is `10 << 24`).
    pub addr: u32,
    /// Prefix length, 0 to 32.
    pub prefix: u8,
}

/// What [`Ipv4Cidr::contains`] accepts: an address, or a whole block.
pub trait CidrMember {
    /// Whether `self` lies inside `block`.
    fn inside(self, block: &Ipv4Cidr) -> bool;
}

impl CidrMember for Ipv4Addr {
    fn inside(self, block: &Ipv4Cidr) -> bool {
        u32::from(self) & mask(block.prefix) == block.addr
    }
}

impl CidrMember for &Ipv4Cidr {
    fn inside(self, block: &Ipv4Cidr) -> bool {
        block.contains_cidr(self)
    }
}

/// A CIDR that does not parse.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CidrError {
    /// Not `a.b.c.d/n`.
    #[error("`{0}` is not a CIDR block (expected e.g. 10.0.0.0/16)")]
    Syntax(String),
    /// Prefix above 32.
    #[error("`{0}`: the prefix length must be 0 to 32")]
    Prefix(String),
    /// Address bits set past the prefix.
    #[error("`{text}` has host bits set; did you mean {suggest}?")]
    HostBits {
        /// What was written.
        text: String,
        /// The block it probably meant.
        suggest: String,
    },
}

impl Ipv4Cidr {
    /// The block `addr/prefix`; host bits are cleared.
    pub fn new(addr: Ipv4Addr, prefix: u8) -> Self {
        let prefix = prefix.min(32);
        Ipv4Cidr { addr: u32::from(addr) & mask(prefix), prefix }
    }
    /// `0.0.0.0/0`: every address.
    pub const ANY: Ipv4Cidr = Ipv4Cidr { addr: 0, prefix: 0 };
    /// The network address.
    pub fn network(&self) -> Ipv4Addr {
        Ipv4Addr::from(self.addr)
    }
    /// The prefix length.
    pub fn prefix(&self) -> u8 {
        self.prefix
    }
    /// Number of addresses in the block.
    pub fn size(&self) -> u64 {
        1u64 << (32 - self.prefix as u32)
    }
    /// Whether `x` (an [`Ipv4Addr`], or all of a `&Ipv4Cidr`) is inside.
    pub fn contains<T: CidrMember>(&self, x: T) -> bool {
        x.inside(self)
    }
    /// Whether all of `other` is inside.
    pub fn contains_cidr(&self, other: &Ipv4Cidr) -> bool {
        other.prefix >= self.prefix && self.contains(other.network())
    }
    /// Whether the two blocks share any address.
    pub fn overlaps(&self, other: &Ipv4Cidr) -> bool {
        self.contains_cidr(other) || other.contains_cidr(self)
    }
    /// The address `offset` places after the network address.
    pub fn nth(&self, offset: u64) -> Option<Ipv4Addr> {
        (offset < self.size()).then(|| Ipv4Addr::from(self.addr.wrapping_add(offset as u32)))
    }
    /// The offset of `ip` inside the block.
    pub fn offset_of(&self, ip: Ipv4Addr) -> Option<u64> {
        self.contains(ip).then(|| (u32::from(ip) - self.addr) as u64)
    }
}

fn mask(prefix: u8) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix as u32)
    }
}

impl Ipv4Cidr {
    /// Parses `a.b.c.d/n` as topology documents write it: host bits are cleared rather than
    /// refused (the network layer's configuration, read with [`str::parse`], refuses them).
    pub fn parse(text: &str) -> Result<Ipv4Cidr, String> {
        let (ip, len) =
            text.split_once('/').ok_or_else(|| format!("`{text}` is not a CIDR block (expected e.g. 10.0.0.0/16)"))?;
        let prefix: u8 =
            len.parse().ok().filter(|p| *p <= 32).ok_or_else(|| format!("`{text}`: prefix length must be 0..32"))?;
        let mut addr = 0u32;
        let mut parts = 0;
        for p in ip.split('.') {
            let octet: u8 = p.parse().map_err(|_| format!("`{text}`: `{p}` is not an octet"))?;
            addr = (addr << 8) | u32::from(octet);
            parts += 1;
        }
        if parts != 4 {
            return Err(format!("`{text}`: an IPv4 address has four octets"));
        }
        Ok(Ipv4Cidr::new(Ipv4Addr::from(addr), prefix))
    }
}

impl FromStr for Ipv4Cidr {
    type Err = CidrError;
    fn from_str(s: &str) -> Result<Self, CidrError> {
        let t = s.trim();
        let (a, p) = t.split_once('/').ok_or_else(|| CidrError::Syntax(s.into()))?;
        let addr: Ipv4Addr = a.parse().map_err(|_| CidrError::Syntax(s.into()))?;
        let prefix: u8 = p.parse().map_err(|_| CidrError::Syntax(s.into()))?;
        if prefix > 32 {
            return Err(CidrError::Prefix(s.into()));
        }
        let c = Ipv4Cidr::new(addr, prefix);
        if c.network() != addr {
            return Err(CidrError::HostBits { text: s.into(), suggest: c.to_string() });
        }
        Ok(c)
    }
}

impl fmt::Display for Ipv4Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.network(), self.prefix)
    }
}

impl Serialize for Ipv4Cidr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for Ipv4Cidr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------------------------------------
// Protocols and ports

/// An IP protocol as security rules name it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Protocol {
    /// TCP.
    #[default]
    Tcp,
    /// UDP.
    Udp,
    /// ICMP (ports ignored).
    Icmp,
    /// Any protocol (`-1`).
    All,
}

impl Protocol {
    fn matches(self, p: Protocol) -> bool {
        self == Protocol::All || self == p
    }
}

impl fmt::Display for Protocol {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Protocol::Tcp => "TCP",
            Protocol::Udp => "UDP",
            Protocol::Icmp => "ICMP",
            Protocol::All => "all traffic",
        })
    }
}

/// An inclusive port range, written `443`, `1024-65535` or `all`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortRange {
    /// First port.
    pub from: u16,
    /// Last port.
    pub to: u16,
}

impl PortRange {
    /// Every port.
    pub const ALL: PortRange = PortRange { from: 0, to: 65535 };
    /// The ephemeral ports replies go to.
    pub const EPHEMERAL: PortRange = PortRange { from: 1024, to: 65535 };
    /// One port.
    pub const fn single(p: u16) -> Self {
        PortRange { from: p, to: p }
    }
    /// Whether `p` is inside.
    pub fn contains(&self, p: u16) -> bool {
        self.from <= p && p <= self.to
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == PortRange::ALL {
            f.write_str("all")
        } else if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

impl FromStr for PortRange {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let t = s.trim();
        if t == "all" || t == "*" || t == "-1" {
            return Ok(PortRange::ALL);
        }
        let bad = || format!("`{s}` is not a port or range (e.g. 443, 1024-65535, all)");
        match t.split_once('-') {
            Some((a, b)) => {
                let (from, to) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
                if from > to {
                    return Err(bad());
                }
                Ok(PortRange { from, to })
            }
            None => Ok(PortRange::single(t.parse().map_err(|_| bad())?)),
        }
    }
}

impl Serialize for PortRange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
impl<'de> Deserialize<'de> for PortRange {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            N(u16),
            S(String),
        }
        match Raw::deserialize(d)? {
            Raw::N(n) => Ok(PortRange::single(n)),
            Raw::S(s) => s.parse().map_err(serde::de::Error::custom),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The model

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
            let port_ok = protocol == Protocol::Icmp || r.ports.contains(port);
            if r.protocol.matches(protocol) && port_ok && r.cidr.contains(peer) {
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

fn unknown(kind: &'static str, name: &str) -> NetworkError {
    NetworkError::Unknown { kind, name: name.into() }
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
                let mut next = 4u32;
                for &a in &s.allocated {
                    if a == next {
                        next += 1;
                    } else if a > next {
                        break;
                    }
                }
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
        let mut next = 10u32;
        for &a in &self.public_allocated {
            if a == next {
                next += 1;
            } else if a > next {
                break;
            }
        }
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

    fn vpc_of_ip(&self, ip: Ipv4Addr) -> Option<VpcId> {
        self.vpcs.iter().find(|v| v.cidr.contains(ip)).map(|v| v.id)
    }
}

// ---------------------------------------------------------------------------------------------
// Reachability

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
                if !r.protocol.matches(protocol) || !(protocol == Protocol::Icmp || r.ports.contains(port)) {
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
        match self.sg_allows(&se.security_groups, Direction::Outbound, protocol, dst_ip, &de.security_groups, port) {
            Some(why) => {
                w.pass(HopKind::SgOutbound, self.sg_names(&se.security_groups), format!("Security group {why}"))
            }
            None => {
                w.block(
                    HopKind::SgOutbound,
                    self.sg_names(&se.security_groups),
                    format!(
                    "Security groups {} of {} allow no outbound {protocol} {port} to {dst_ip}: add an outbound rule",
                    self.sg_names(&se.security_groups), se.name),
                );
                return;
            }
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
        match self.sg_allows(&de.security_groups, Direction::Inbound, protocol, src_ip, &se.security_groups, port) {
            Some(why) => {
                w.pass(HopKind::SgInbound, self.sg_names(&de.security_groups), format!("Security group {why}"))
            }
            None => {
                let suggest = if vs != vd {
                    format!("{} (the peer VPC's CIDR)", self.vpcs[vs.index()].cidr)
                } else {
                    se.security_groups
                        .first()
                        .map(|g| self.security_groups[g.index()].name.clone())
                        .unwrap_or_else(|| ss.cidr.to_string())
                };
                w.block(HopKind::SgInbound, self.sg_names(&de.security_groups), format!(
                    "Security groups {} of {} allow no inbound {protocol} {port} from {src_ip}: add an inbound rule for {protocol} {port} from {suggest}",
                    self.sg_names(&de.security_groups), de.name));
                return;
            }
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
        match self.sg_allows(&se.security_groups, Direction::Outbound, protocol, ip, &[], port) {
            Some(why) => {
                w.pass(HopKind::SgOutbound, self.sg_names(&se.security_groups), format!("Security group {why}"))
            }
            None => {
                w.block(
                    HopKind::SgOutbound,
                    self.sg_names(&se.security_groups),
                    format!(
                        "Security groups {} of {} allow no outbound {protocol} {port} to {what}: add an outbound rule",
                        self.sg_names(&se.security_groups),
                        se.name
                    ),
                );
                return;
            }
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
        match self.sg_allows(&de.security_groups, Direction::Inbound, protocol, ip, &[], port) {
            Some(why) => {
                w.pass(HopKind::SgInbound, self.sg_names(&de.security_groups), format!("Security group {why}"))
            }
            None => {
                w.block(HopKind::SgInbound, self.sg_names(&de.security_groups), format!(
                    "Security groups {} of {} allow no inbound {protocol} {port} from {ip}: add an inbound rule for {protocol} {port} from 0.0.0.0/0",
                    self.sg_names(&de.security_groups), de.name));
                return;
            }
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

// ---------------------------------------------------------------------------------------------
// Configuration

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

    /// The VPC whose CIDR holds `ip`.
    pub fn vpc_containing(&self, ip: Ipv4Addr) -> Option<VpcId> {
        self.vpc_of_ip(ip)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> Ipv4Cidr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_parsing_and_containment() {
        let v = c("10.0.0.0/16");
        assert!(v.contains("10.0.255.7".parse::<Ipv4Addr>().unwrap()));
        assert!(!v.contains("10.1.0.1".parse::<Ipv4Addr>().unwrap()));
        assert!(v.contains_cidr(&c("10.0.1.0/24")));
        assert!(!c("10.0.1.0/24").contains_cidr(&v));
        assert!(v.overlaps(&c("10.0.3.0/24")));
        assert!(!v.overlaps(&c("10.1.0.0/16")));
        assert_eq!(c("10.0.1.0/24").size(), 256);
        assert_eq!(Ipv4Cidr::ANY.size(), 1 << 32);
        assert!(Ipv4Cidr::ANY.contains("8.8.8.8".parse::<Ipv4Addr>().unwrap()));
        assert_eq!(c("10.0.1.0/24").to_string(), "10.0.1.0/24");
        assert_eq!(
            "10.0.1.5/24".parse::<Ipv4Cidr>().unwrap_err().to_string(),
            "`10.0.1.5/24` has host bits set; did you mean 10.0.1.0/24?"
        );
        assert!("10.0.0.0/33".parse::<Ipv4Cidr>().is_err());
        assert!("10.0.0/8".parse::<Ipv4Cidr>().is_err());
        let json = serde_json::to_string(&v).unwrap();
        assert_eq!(json, "\"10.0.0.0/16\"");
        assert_eq!(serde_json::from_str::<Ipv4Cidr>(&json).unwrap(), v);
    }

    #[test]
    fn ports_parse() {
        assert_eq!("443".parse::<PortRange>().unwrap(), PortRange::single(443));
        assert_eq!("1024-65535".parse::<PortRange>().unwrap(), PortRange::EPHEMERAL);
        assert_eq!("all".parse::<PortRange>().unwrap(), PortRange::ALL);
        assert!("9-1".parse::<PortRange>().is_err());
        assert_eq!(serde_json::from_str::<PortRange>("22").unwrap(), PortRange::single(22));
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
