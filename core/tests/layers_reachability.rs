//! Reachability analysis on a three-tier VPC: security-group references, NACL rule order,
//! stateless return rules, longest-prefix routes, NAT for private subnets, the S3 endpoint.

use strata_core::layers::network::{Direction, HopKind, NaclAction, NaclRule, PortRange, Protocol};
use strata_core::layers::{Infrastructure, InfrastructureConfig};

const CONFIG: &str = r#"{
  "fleet": {"azs": ["a"]},
  "network": {"vpcs": [{
    "name": "vpc-main", "cidr": "10.0.0.0/16", "internet_gateway": "igw-main",
    "route_tables": [
      {"name": "rtb-public", "routes": [{"destination": "0.0.0.0/0", "target": "igw-main"}]},
      {"name": "rtb-private", "routes": [{"destination": "0.0.0.0/0", "target": "nat-a"}]},
      {"name": "rtb-db"}
    ],
    "nacls": [{"name": "acl-db",
      "inbound": [
        {"number": 100, "protocol": "tcp", "ports": "5432", "cidr": "10.0.11.0/24", "action": "deny"},
        {"number": 200, "protocol": "tcp", "ports": "5432", "cidr": "10.0.0.0/16", "action": "allow"}
      ],
      "outbound": [
        {"number": 100, "protocol": "tcp", "ports": "1024-65535", "cidr": "10.0.0.0/16", "action": "allow"}
      ]}],
    "subnets": [
      {"name": "public-a", "cidr": "10.0.0.0/24", "az": "a", "route_table": "rtb-public"},
      {"name": "app-a", "cidr": "10.0.10.0/24", "az": "a", "route_table": "rtb-private"},
      {"name": "quarantine-a", "cidr": "10.0.11.0/24", "az": "a", "route_table": "rtb-private"},
      {"name": "db-a", "cidr": "10.0.20.0/24", "az": "a", "route_table": "rtb-db", "nacl": "acl-db"}
    ],
    "nat_gateways": [{"name": "nat-a", "subnet": "public-a"}],
    "s3_endpoint": {"name": "vpce-s3", "route_tables": ["rtb-private"]},
    "security_groups": [
      {"name": "sg-alb", "inbound": [{"ports": "443", "source": "0.0.0.0/0"}]},
      {"name": "sg-web", "inbound": [{"ports": "8080", "source": "sg-alb"}]},
      {"name": "sg-db", "inbound": [{"ports": "5432", "source": "sg-web"}]}
    ]
  }]},
  "instances": [
    {"name": "alb", "instance_type": "c5.large", "subnet": "public-a", "security_groups": ["sg-alb"], "public_ip": true},
    {"name": "bastion", "instance_type": "t3.micro", "subnet": "public-a", "security_groups": ["sg-alb"]},
    {"name": "web", "instance_type": "m5.large", "subnet": "app-a", "security_groups": ["sg-web"]},
    {"name": "web-2", "instance_type": "m5.large", "subnet": "app-a", "security_groups": ["sg-web"]},
    {"name": "suspect", "instance_type": "t3.small", "subnet": "quarantine-a", "security_groups": ["sg-web"]},
    {"name": "db", "instance_type": "r5.large", "subnet": "db-a", "security_groups": ["sg-db"]}
  ]
}"#;

fn infra() -> Infrastructure {
    let cfg: InfrastructureConfig = serde_json::from_str(CONFIG).unwrap();
    let (infra, d) = Infrastructure::build(&cfg, 1);
    assert!(d.is_empty(), "{d:?}");
    infra
}

fn blocked_at(infra: &Infrastructure, src: &str, dst: &str, port: u16) -> (HopKind, String) {
    let r = infra.check_path_by_name(src, dst, port).unwrap();
    assert!(!r.reachable, "{src} -> {dst}:{port} should be blocked");
    let h = r.blocking_hop().unwrap();
    (h.kind, h.detail.clone())
}

fn reachable(infra: &Infrastructure, src: &str, dst: &str, port: u16) -> Vec<(HopKind, String)> {
    let r = infra.check_path_by_name(src, dst, port).unwrap();
    assert!(r.reachable, "{src} -> {dst}:{port}: {:?}", r.reason());
    r.hops.iter().map(|h| (h.kind, h.component.clone())).collect()
}

#[test]
fn security_groups_chain_by_reference() {
    let i = infra();
    reachable(&i, "203.0.113.7", "alb", 443);
    reachable(&i, "alb", "web", 8080);
    reachable(&i, "web", "db", 5432);
    let (kind, why) = blocked_at(&i, "alb", "db", 5432);
    assert_eq!(kind, HopKind::SgInbound);
    assert!(why.contains("sg-db") && why.contains("allow no inbound TCP 5432"), "{why}");
    let (kind, why) = blocked_at(&i, "203.0.113.7", "web", 8080);
    assert_eq!(kind, HopKind::Gateway);
    assert!(why.contains("only the private address"), "{why}");
}

#[test]
fn nacl_deny_rule_wins_when_numbered_first() {
    let mut i = infra();
    let (kind, why) = blocked_at(&i, "suspect", "db", 5432);
    assert_eq!(kind, HopKind::NaclInbound);
    assert!(why.contains("acl-db") && why.contains("rule #100"), "{why}");
    // Renumber the deny after the allow: the allow now matches first.
    let acl = i.network.nacl_by_name("acl-db").unwrap();
    i.network.nacls[acl.index()].inbound.retain(|r| r.number != 100);
    i.network.add_nacl_rule(
        acl,
        Direction::Inbound,
        NaclRule {
            number: 300,
            protocol: Protocol::Tcp,
            ports: PortRange::single(5432),
            cidr: "10.0.11.0/24".parse().unwrap(),
            action: NaclAction::Deny,
        },
    );
    reachable(&i, "suspect", "db", 5432);
}

#[test]
fn stateless_nacl_needs_a_rule_for_the_replies() {
    let mut i = infra();
    let acl = i.network.nacl_by_name("acl-db").unwrap();
    i.network.nacls[acl.index()].outbound.clear();
    let (kind, why) = blocked_at(&i, "web", "db", 5432);
    assert_eq!(kind, HopKind::ReturnNaclOutbound);
    assert!(why.contains("stateless") && why.contains("1024-65535"), "{why}");
    // Security groups are stateful: the db's SG has no outbound rule for replies and needs none.
    let sg = i.network.sg_by_name("sg-db").unwrap();
    i.network.security_groups[sg.index()].outbound.clear();
    i.network.add_nacl_rule(
        acl,
        Direction::Outbound,
        NaclRule {
            number: 100,
            protocol: Protocol::Tcp,
            ports: PortRange::EPHEMERAL,
            cidr: "10.0.10.0/24".parse().unwrap(),
            action: NaclAction::Allow,
        },
    );
    reachable(&i, "web", "db", 5432);
}

#[test]
fn same_subnet_traffic_does_not_cross_nacls() {
    let mut i = infra();
    let sg = i.network.sg_by_name("sg-web").unwrap();
    i.network.add_sg_rule(
        sg,
        Direction::Inbound,
        strata_core::layers::network::SgRule {
            protocol: Protocol::Tcp,
            ports: PortRange::single(8080),
            peer: strata_core::layers::network::SgPeer::Group(sg),
        },
    );
    let hops = reachable(&i, "web", "web-2", 8080);
    assert!(hops.iter().all(|(k, _)| *k != HopKind::ReturnNaclOutbound));
}

#[test]
fn private_subnets_reach_the_internet_through_nat_only() {
    let mut i = infra();
    let hops = reachable(&i, "web", "198.51.100.20", 443);
    assert!(hops.contains(&(HopKind::Gateway, "nat-a".into())), "{hops:?}");
    // Public subnet: straight through the internet gateway, with a public IP.
    let hops = reachable(&i, "alb", "198.51.100.20", 443);
    assert!(hops.contains(&(HopKind::Gateway, "igw-main".into())), "{hops:?}");
    // Public subnet without a public IP: the gateway cannot translate.
    let (kind, why) = blocked_at(&i, "bastion", "198.51.100.20", 443);
    assert_eq!(kind, HopKind::Gateway);
    assert!(why.contains("no public IP"), "{why}");
    // The db subnet has no default route.
    let (kind, why) = blocked_at(&i, "db", "198.51.100.20", 443);
    assert_eq!(kind, HopKind::RouteTable);
    assert!(why.contains("rtb-db") && why.contains("NAT gateway"), "{why}");
    // A NAT gateway in a private subnet goes nowhere.
    let app = i.network.subnet_by_name("app-a").unwrap();
    let nat = i.network.add_nat_gateway("nat-wrong", app).unwrap();
    let rtb = i.network.route_table_by_name("rtb-private").unwrap();
    i.network
        .add_route(rtb, "0.0.0.0/0".parse().unwrap(), strata_core::layers::network::RouteTarget::NatGateway(nat))
        .unwrap();
    let (kind, why) = blocked_at(&i, "web", "198.51.100.20", 443);
    assert_eq!(kind, HopKind::Gateway);
    assert!(why.contains("must sit in a public subnet"), "{why}");
}

#[test]
fn longest_prefix_sends_s3_through_the_endpoint_and_the_rest_through_nat() {
    let mut i = infra();
    let hops = reachable(&i, "web", "s3", 443);
    assert!(hops.contains(&(HopKind::Gateway, "vpce-s3".into())), "{hops:?}");
    assert!(!hops.iter().any(|(_, c)| c == "nat-a"));
    // Without the endpoint route, S3 traffic falls back to the 0.0.0.0/0 -> nat-a route.
    let rtb = i.network.route_table_by_name("rtb-private").unwrap();
    let pl = i.network.s3_prefix_list;
    i.network.remove_route(rtb, pl);
    let hops = reachable(&i, "web", "s3", 443);
    assert!(hops.contains(&(HopKind::Gateway, "nat-a".into())), "{hops:?}");
    let (kind, _) = blocked_at(&i, "db", "s3", 443);
    assert_eq!(kind, HopKind::RouteTable);
}

#[test]
fn a_more_specific_peering_route_beats_the_default_route() {
    use strata_core::layers::network::RouteTarget;
    let mut i = infra();
    let n = &mut i.network;
    let main = n.vpc_by_name("vpc-main").unwrap();
    let other = n.add_vpc("vpc-shared", "10.1.0.0/16".parse().unwrap());
    let sub = n.add_subnet("shared-a", other, "10.1.2.0/24".parse().unwrap(), "a").unwrap();
    let sg = n.add_security_group("sg-shared", other);
    n.add_sg_rule(
        sg,
        Direction::Inbound,
        strata_core::layers::network::SgRule {
            protocol: Protocol::Tcp,
            ports: PortRange::single(443),
            peer: strata_core::layers::network::SgPeer::Cidr("10.0.0.0/16".parse().unwrap()),
        },
    );
    n.create_eni("shared-svc", sub, vec![sg], None, false).unwrap();
    let pcx = n.add_peering("pcx-main-shared", main, other, false).unwrap();
    // Only the default route: the private address goes to the NAT and never arrives.
    let (kind, why) = blocked_at(&i, "web", "shared-svc", 443);
    assert_eq!(kind, HopKind::RouteTable);
    assert!(why.contains("nat-a") && why.contains("add 10.1.0.0/16 -> pcx-main-shared"), "{why}");
    let n = &mut i.network;
    let rtb = n.route_table_by_name("rtb-private").unwrap();
    n.add_route(rtb, "10.1.0.0/16".parse().unwrap(), RouteTarget::Peering(pcx)).unwrap();
    let back = n.vpcs[other.index()].main_route_table;
    n.add_route(back, "10.0.0.0/16".parse().unwrap(), RouteTarget::Peering(pcx)).unwrap();
    let hops = reachable(&i, "web", "shared-svc", 443);
    assert_eq!(hops[0], (HopKind::RouteTable, "rtb-private".into()));
    assert_eq!(hops[1], (HopKind::Gateway, "pcx-main-shared".into()));
}
