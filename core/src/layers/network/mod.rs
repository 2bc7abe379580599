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

mod cidr;
mod config;
mod model;
mod ports;
mod reachability;

pub use cidr::{CidrError, CidrMember, Ipv4Cidr};
pub use config::{
    EndpointConfig, NaclConfig, NatConfig, NetworkConfig, PeeringConfig, RouteConfig, RouteTableConfig, SgConfig,
    SgRuleConfig, SubnetConfig, VpcConfig,
};
pub use model::{
    Direction, EndpointId, Eni, EniId, GatewayEndpoint, IgwId, InternetGateway, Nacl, NaclAction, NaclId, NaclRule,
    NaclVerdict, NatGateway, NatId, Network, NetworkError, Peering, PeeringId, PeeringStatus, Route, RouteTable,
    RouteTableId, RouteTarget, SecurityGroup, SgId, SgPeer, SgRule, Subnet, SubnetId, Vpc, VpcId,
};
pub use ports::{PortRange, Protocol};
pub use reachability::{Hop, HopKind, NetEndpoint, ReachabilityReport, CLIENT_PORT};
