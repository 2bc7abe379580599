//! CloudFormation export: the resources of a topology that CloudFormation can express, as a
//! JSON template. VPCs, subnets (with an internet gateway and a public route table when any
//! subnet is public), EC2 instances, Auto Scaling groups (launch template, target-tracking
//! policy when the group can change size), load balancers (one subnet per AZ, target group,
//! listener), RDS (subnet group, Multi-AZ, read replicas), ElastiCache, S3 (public access
//! blocked; CloudFront reaches it through Origin Access Control), CloudFront, DynamoDB, Lambda
//! (with its role) and SQS. What has no CloudFormation equivalent (client populations, Route 53
//! without a hosted zone) is listed in [`Export::skipped`] and in the template's `Metadata`.
//!
//! Security groups follow the connections: a load balancer's takes HTTP and HTTPS from anywhere
//! (from its VPC when internal); instances take their port only from the load balancer's or the
//! calling instances' groups (HTTP and HTTPS from anywhere when clients reach them straight in a
//! public subnet); RDS takes 3306 and ElastiCache 6379 only from the groups of the instances
//! that call them.
//!
//! What AWS would not create as drawn is refused in [`Export::problems`], one sentence each
//! naming the component and what to add: a load balancer, or a DB subnet group (which every RDS
//! instance in a VPC has, and Multi-AZ needs for its standby), whose subnets span fewer than two
//! Availability Zones. The missing subnet is not invented.
//!
//! Pure: the template is a `serde_json::Value` built from the document; no AWS calls.
//!
//! ```
//! use strata_core::topology::{ComponentKind, Topology};
//! let mut t = Topology::new("demo");
//! t.add("files", ComponentKind::S3, None);
//! let out = strata_core::cloudformation::export(&t);
//! assert_eq!(out.template["Resources"]["Files"]["Type"], "AWS::S3::Bucket");
//! ```

use crate::topology::{Component, ComponentKind, ComponentSpec, Container, ContainerKind, Topology};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A template and what was left out of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    /// The CloudFormation template.
    pub template: Value,
    /// Ids of elements with no CloudFormation equivalent, with the reason.
    pub skipped: Vec<String>,
    /// Why AWS would not deploy the design as drawn, one sentence each, naming the component
    /// and what to add. When this is not empty the template must not be offered.
    pub problems: Vec<String>,
}

impl Export {
    /// Pretty JSON text of the template.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.template).unwrap_or_default()
    }
}

/// A CloudFormation logical id (alphanumeric, starting with a letter) from a document id.
pub fn logical_id(id: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for ch in id.chars() {
        if ch.is_ascii_alphanumeric() {
            out.push(if upper { ch.to_ascii_uppercase() } else { ch });
            upper = false;
        } else {
            upper = true;
        }
    }
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'R');
    }
    out
}

// Resources are written as JSON text and parsed once: far less WebAssembly than building
// each object with `json!`, which matters because this module ships in the browser bundle.

/// A JSON string literal.
fn q(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

/// The document's alarms as CloudWatch alarms, with a step-scaling policy for an Auto Scaling
/// group's scaling, an SNS topic for notifications and EC2's stop action; what has no
/// CloudFormation form (a deployment's rollback, a failover, a metric CloudWatch does not have
/// for that kind) is listed as skipped with the reason.
fn export_alarms(t: &Topology, res: &mut BTreeMap<String, Value>, skipped: &mut Vec<String>) {
    use crate::alarms::{Comparison, Do, Metric};
    for a in t.alarms().unwrap_or_default() {
        let Some(c) = t.component(&a.component).filter(|c| res.contains_key(&logical_id(&c.id))) else {
            skipped.push(format!("alarm {} (it watches {}, which is not exported)", a.name, a.component));
            continue;
        };
        let lid = logical_id(&c.id);
        let period = a.period_s.round() as u64;
        if !(period == 10 || period == 30 || (period >= 60 && period.is_multiple_of(60))) {
            skipped.push(format!("alarm {} (CloudWatch takes periods of 10 s, 30 s or a multiple of 60 s)", a.name));
            continue;
        }
        let stat = |ns: &str, name: &str, dims: &str, stat: &str| {
            format!(
                r#""Namespace":"{ns}","MetricName":"{name}","Dimensions":{dims},"Statistic":"{stat}","Period":{period}"#
            )
        };
        let alb =
            || format!(r#"[{{"Name":"LoadBalancer","Value":{{"Fn::GetAtt":["{lid}","LoadBalancerFullName"]}}}}]"#);
        // CPU, by the dimension naming the resource (its `Ref`).
        let cpu = |ns: &str, dim: &str| {
            let dims = format!(r#"[{{"Name":"{dim}","Value":{{"Ref":"{lid}"}}}}]"#);
            Some((stat(ns, "CPUUtilization", &dims, "Average"), a.threshold))
        };
        // The metric, and the threshold in its unit.
        let metric = match (c.spec.kind(), a.metric) {
            (ComponentKind::Asg, Metric::CpuPercent) => cpu("AWS/EC2", "AutoScalingGroupName"),
            (ComponentKind::Ec2, Metric::CpuPercent) => cpu("AWS/EC2", "InstanceId"),
            (ComponentKind::Rds, Metric::CpuPercent) => cpu("AWS/RDS", "DBInstanceIdentifier"),
            (ComponentKind::Alb, Metric::RequestsPerS) => {
                Some((stat("AWS/ApplicationELB", "RequestCount", &alb(), "Sum"), a.threshold * period as f64))
            }
            (ComponentKind::Alb, Metric::LatencyMs) => {
                Some((stat("AWS/ApplicationELB", "TargetResponseTime", &alb(), "Average"), a.threshold / 1000.0))
            }
            (ComponentKind::Alb, Metric::ErrorPercent) => Some((
                format!(
                    r#""Metrics":[{{"Id":"errors","ReturnData":false,"MetricStat":{{"Metric":{{"Namespace":"AWS/ApplicationELB","MetricName":"HTTPCode_ELB_5XX_Count","Dimensions":{d}}},"Period":{period},"Stat":"Sum"}}}},{{"Id":"requests","ReturnData":false,"MetricStat":{{"Metric":{{"Namespace":"AWS/ApplicationELB","MetricName":"RequestCount","Dimensions":{d}}},"Period":{period},"Stat":"Sum"}}}},{{"Id":"percent","Expression":"100 * errors / requests","Label":"error percent","ReturnData":true}}]"#,
                    d = alb()
                ),
                a.threshold,
            )),
            _ => None,
        };
        let Some((metric, threshold)) = metric else {
            let kind = crate::catalog::kind_info(c.spec.kind()).name;
            skipped.push(format!("alarm {} (CloudWatch has no {} metric for an {kind} here)", a.name, a.metric.name()));
            continue;
        };
        let target = t.component(a.target());
        let action = match (a.action.kind, target.map(|x| &x.spec)) {
            (Do::Notify, _) => {
                put(
                    res,
                    "AlarmTopic".into(),
                    r#"{"Type":"AWS::SNS::Topic","Properties":{"DisplayName":"Strata alarms"}}"#.into(),
                );
                Some(r#"{"Ref":"AlarmTopic"}"#.to_string())
            }
            (Do::ScaleOut | Do::ScaleIn, Some(ComponentSpec::Asg(_))) => {
                let by = i64::from(a.action.by) * if a.action.kind == Do::ScaleOut { 1 } else { -1 };
                let group = logical_id(a.target());
                let policy = format!("{}Policy", logical_id(&a.name));
                let bound = if a.comparison == Comparison::Above {
                    "MetricIntervalLowerBound"
                } else {
                    "MetricIntervalUpperBound"
                };
                put(
                    res,
                    policy.clone(),
                    format!(
                        r#"{{"Type":"AWS::AutoScaling::ScalingPolicy","Properties":{{"AutoScalingGroupName":{{"Ref":"{group}"}},"PolicyType":"StepScaling","AdjustmentType":"ChangeInCapacity","StepAdjustments":[{{"{bound}":0,"ScalingAdjustment":{by}}}]}}}}"#
                    ),
                );
                Some(format!(r#"{{"Ref":"{policy}"}}"#))
            }
            // EC2's own action acts on the instance whose metric the alarm watches.
            (Do::StopInstance, Some(ComponentSpec::Ec2(_))) if a.target() == a.component => {
                Some(r#"{"Fn::Sub":"arn:${AWS::Partition}:automate:${AWS::Region}:ec2:stop"}"#.to_string())
            }
            _ => None,
        };
        let Some(action) = action else {
            skipped.push(format!("alarm {} (its action on {} has no CloudFormation form)", a.name, a.target()));
            continue;
        };
        let op = if a.comparison == Comparison::Above { "GreaterThanThreshold" } else { "LessThanThreshold" };
        put(
            res,
            format!("{}Alarm", logical_id(&a.name)),
            format!(
                r#"{{"Type":"AWS::CloudWatch::Alarm","Properties":{{"AlarmName":{},{metric},"Threshold":{},"ComparisonOperator":"{op}","EvaluationPeriods":{},"DatapointsToAlarm":{},"TreatMissingData":"notBreaching","AlarmActions":[{action}]}}}}"#,
                q(&a.name),
                Value::from(threshold),
                a.evaluation_periods.max(1),
                a.datapoints()
            ),
        );
    }
}

/// `{"Ref": "<LogicalId>"}`.
fn rf(id: &str) -> String {
    format!(r#"{{"Ref":{}}}"#, q(&logical_id(id)))
}

fn tags(name: &str) -> String {
    format!(r#"[{{"Key":"Name","Value":{}}}]"#, q(&tag_text(name)))
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join(","))
}

fn put(res: &mut BTreeMap<String, Value>, id: String, text: String) {
    res.insert(id, serde_json::from_str(&text).unwrap_or(Value::Null));
}

fn vpc_of(t: &Topology, container: Option<&str>) -> Option<String> {
    t.enclosing(container, ContainerKind::Vpc).map(|c| c.id.clone())
}

/// The `AvailabilityZone` of each subnet, as JSON, by subnet id. A real AZ name ("us-east-1a")
/// is written as is; another AZ is the region's n-th (`Fn::GetAZs`), n its place among its
/// region's AZs, so subnets drawn in one AZ land in one; a subnet outside any AZ gets the first
/// or second by its place in the document. Equal text means the same zone.
fn placements(t: &Topology) -> BTreeMap<String, String> {
    let select = |n: usize| format!(r#"{{"Fn::Select":[{n},{{"Fn::GetAZs":""}}]}}"#);
    let zone = |subnet: &Container| -> Option<String> {
        let mut cur = subnet.az.clone().or_else(|| subnet.parent.clone());
        for _ in 0..16 {
            let c = t.container(cur.as_deref()?)?;
            if c.kind == ContainerKind::Az {
                let label = if c.label.is_empty() { &c.id } else { &c.label };
                let real = label.chars().last().is_some_and(|l| l.is_ascii_lowercase())
                    && label.contains('-')
                    && label.chars().any(|d| d.is_ascii_digit());
                if real {
                    return Some(q(label));
                }
                let siblings = t.containers.iter().filter(|a| a.kind == ContainerKind::Az && a.parent == c.parent);
                return Some(select(siblings.take_while(|a| a.id != c.id).count()));
            }
            cur = c.parent.clone();
        }
        None
    };
    t.containers
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == ContainerKind::Subnet)
        .map(|(i, c)| (c.id.clone(), zone(c).unwrap_or_else(|| select(i % 2))))
        .collect()
}

/// A tag value in the characters every service accepts (letters, digits, spaces, `_.:/=+-@`).
fn tag_text(name: &str) -> String {
    let kept: String =
        name.chars().map(|c| if c.is_alphanumeric() || "_.:/=+-@".contains(c) { c } else { ' ' }).collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ").chars().take(256).collect()
}

/// Builds the template. A stack deploys to one region: a design drawn across regions exports its
/// first region (and what is outside every region, such as Route 53 and clients); the other
/// regions' elements are listed as skipped, with the reason.
pub fn export(t: &Topology) -> Export {
    let regions: Vec<&Container> = t.containers.iter().filter(|c| c.kind == ContainerKind::Region).collect();
    let Some(first) = regions.first().filter(|_| regions.len() > 1) else { return export_stack(t) };
    let region = |container: Option<&str>| t.enclosing(container, ContainerKind::Region);
    let kept = |container: Option<&str>| region(container).is_none_or(|r| r.id == first.id);
    let mut one = t.clone();
    let mut skipped = Vec::new();
    let elsewhere = |id: &str, container: Option<&str>| {
        let name = region(container).map(|r| if r.label.is_empty() { r.id.clone() } else { r.label.clone() });
        format!(
            "{id} (in {}, another region: a CloudFormation stack deploys to one region, so export each region from its own copy of the design)",
            name.unwrap_or_default()
        )
    };
    one.containers.retain(|c| {
        let keep = kept(Some(&c.id));
        if !keep {
            skipped.push(elsewhere(&c.id, Some(&c.id)));
        }
        keep
    });
    one.components.retain(|c| {
        let keep = kept(c.container.as_deref());
        if !keep {
            skipped.push(elsewhere(&c.id, c.container.as_deref()));
        }
        keep
    });
    one.connections
        .retain(|c| one.components.iter().any(|x| x.id == c.from) && one.components.iter().any(|x| x.id == c.to));
    let mut e = export_stack(&one);
    skipped.append(&mut e.skipped);
    e.skipped = skipped;
    e
}

/// The template of a design in one region.
fn export_stack(t: &Topology) -> Export {
    let mut res: BTreeMap<String, Value> = BTreeMap::new();
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut skipped = Vec::new();
    let mut problems = Vec::new();
    const IMAGE: &str = r#"{"Ref":"ImageId"}"#;
    let mut needs_image = false;
    let zones = placements(t);

    // Network.
    for c in &t.containers {
        let name = if c.label.is_empty() { c.id.clone() } else { c.label.clone() };
        match c.kind {
            ContainerKind::Vpc => {
                let cidr = c.cidr.clone().unwrap_or_else(|| "10.0.0.0/16".into());
                put(
                    &mut res,
                    logical_id(&c.id),
                    format!(
                        r#"{{"Type":"AWS::EC2::VPC","Properties":{{"CidrBlock":{},"EnableDnsSupport":true,"EnableDnsHostnames":true,"Tags":{}}}}}"#,
                        q(&cidr),
                        tags(&name)
                    ),
                );
                let publics: Vec<&Container> = t
                    .containers
                    .iter()
                    .filter(|s| {
                        s.kind == ContainerKind::Subnet
                            && s.public
                            && vpc_of(t, Some(&s.id)).as_deref() == Some(c.id.as_str())
                    })
                    .collect();
                if !publics.is_empty() {
                    let v = logical_id(&c.id);
                    let vr = rf(&c.id);
                    put(
                        &mut res,
                        format!("{v}InternetGateway"),
                        format!(
                            r#"{{"Type":"AWS::EC2::InternetGateway","Properties":{{"Tags":{}}}}}"#,
                            tags(&format!("{name} gateway"))
                        ),
                    );
                    put(
                        &mut res,
                        format!("{v}GatewayAttachment"),
                        format!(
                            r#"{{"Type":"AWS::EC2::VPCGatewayAttachment","Properties":{{"VpcId":{vr},"InternetGatewayId":{{"Ref":"{v}InternetGateway"}}}}}}"#
                        ),
                    );
                    put(
                        &mut res,
                        format!("{v}PublicRoutes"),
                        format!(r#"{{"Type":"AWS::EC2::RouteTable","Properties":{{"VpcId":{vr}}}}}"#),
                    );
                    put(
                        &mut res,
                        format!("{v}DefaultRoute"),
                        format!(
                            r#"{{"Type":"AWS::EC2::Route","DependsOn":"{v}GatewayAttachment","Properties":{{"RouteTableId":{{"Ref":"{v}PublicRoutes"}},"DestinationCidrBlock":"0.0.0.0/0","GatewayId":{{"Ref":"{v}InternetGateway"}}}}}}"#
                        ),
                    );
                    for s in publics {
                        put(
                            &mut res,
                            format!("{}PublicRoutes", logical_id(&s.id)),
                            format!(
                                r#"{{"Type":"AWS::EC2::SubnetRouteTableAssociation","Properties":{{"SubnetId":{},"RouteTableId":{{"Ref":"{v}PublicRoutes"}}}}}}"#,
                                rf(&s.id)
                            ),
                        );
                    }
                }
            }
            ContainerKind::Subnet => {
                let Some(vpc) = vpc_of(t, Some(&c.id)) else {
                    skipped.push(format!("{} (a subnet outside any VPC)", c.id));
                    continue;
                };
                let az = &zones[&c.id];
                put(
                    &mut res,
                    logical_id(&c.id),
                    format!(
                        r#"{{"Type":"AWS::EC2::Subnet","Properties":{{"VpcId":{},"CidrBlock":{},"AvailabilityZone":{az},"MapPublicIpOnLaunch":{},"Tags":{}}}}}"#,
                        rf(&vpc),
                        q(c.cidr.as_deref().unwrap_or_default()),
                        c.public,
                        tags(&name)
                    ),
                );
            }
            ContainerKind::Region | ContainerKind::Az => {}
        }
    }

    // The public (or private) subnets of the VPC around `container`, in document order.
    let vpc_subnets = |container: Option<&str>, public: bool| -> Vec<&Container> {
        let Some(vpc) = vpc_of(t, container) else { return Vec::new() };
        t.containers
            .iter()
            .filter(|s| s.kind == ContainerKind::Subnet && s.public == public)
            .filter(|s| vpc_of(t, Some(&s.id)).as_deref() == Some(vpc.as_str()))
            .collect()
    };
    let refs = |subnets: &[&Container]| list(&subnets.iter().map(|s| rf(&s.id)).collect::<Vec<_>>());
    let zone_count = |subnets: &[&Container]| {
        subnets.iter().map(|s| zones[&s.id].as_str()).collect::<std::collections::BTreeSet<_>>().len()
    };
    // A refusal when `subnets` span fewer than two AZs, which load balancers and DB subnet
    // groups need: `what` says who needs them ("alb needs").
    let two_zones = |subnets: &[&Container], what: String, public: bool, container: Option<&str>| {
        let kind = if public { "public" } else { "private" };
        let need = format!("{what} {kind} subnets in at least two Availability Zones");
        let fix = format!("add a {kind} subnet in a second AZ");
        match (vpc_of(t, container), zone_count(subnets)) {
            (None, _) => Some(format!("{need} and is in no VPC; place it in a VPC with {kind} subnets in two AZs")),
            (Some(v), 0) => Some(format!("{need} and {v} has none; {fix}")),
            (Some(v), 1) => Some(format!("{need} and {v} has them in only one AZ; {fix}")),
            _ => None,
        }
    };
    let internet_facing = |c: &Component| {
        c.container.as_deref().and_then(|s| t.container(s)).is_none_or(|s| s.public || s.kind != ContainerKind::Subnet)
    };
    let asg_subnets = |c: &Component, named: &[String]| -> Vec<&Container> {
        if named.is_empty() {
            vpc_subnets(c.container.as_deref(), false)
        } else {
            named.iter().filter_map(|s| t.container(s)).collect()
        }
    };
    // The VPC a component is placed in, for those that get a security group.
    let home: BTreeMap<&str, String> = t
        .components
        .iter()
        .filter_map(|c| {
            let inside = match &c.spec {
                ComponentSpec::Ec2(_) => {
                    c.container.as_deref().and_then(|s| t.container(s)).filter(|s| s.kind == ContainerKind::Subnet)
                }
                ComponentSpec::Asg(p) => asg_subnets(c, &p.subnets).first().copied(),
                ComponentSpec::Alb(_) => c.container.as_deref().and_then(|s| t.container(s)),
                ComponentSpec::Rds(_) | ComponentSpec::Elasticache(_) => {
                    vpc_subnets(c.container.as_deref(), false).first().copied()
                }
                _ => None,
            };
            Some((c.id.as_str(), vpc_of(t, Some(&inside?.id))?))
        })
        .collect();
    let sg = |id: &str, key: &str| -> String {
        if home.contains_key(id) {
            format!(r#","{key}":[{{"Fn::GetAtt":["{}SecurityGroup","GroupId"]}}]"#, logical_id(id))
        } else {
            String::new()
        }
    };
    let callees = |id: &str| -> Vec<&Component> {
        t.connections.iter().filter(|c| c.from == id).filter_map(|c| t.component(&c.to)).collect()
    };

    for c in &t.components {
        let lid = logical_id(&c.id);
        let name = if c.label.is_empty() { c.id.clone() } else { c.label.clone() };
        match &c.spec {
            ComponentSpec::Client(_) => skipped.push(format!("{} (client population: not an AWS resource)", c.id)),
            ComponentSpec::Route53(_) => skipped.push(format!("{} (Route 53 records need a hosted zone you own)", c.id)),
            ComponentSpec::Eks(_) => skipped.push(format!(
                "{} (EKS deployment: the cluster, its node group and the Kubernetes deployment are not exported)",
                c.id
            )),
            ComponentSpec::Ecs(_) => skipped.push(format!(
                "{} (ECS service: the cluster, its capacity and the service's task definition are not exported)",
                c.id
            )),
            ComponentSpec::Ec2(p) => {
                needs_image = true;
                let subnet = c
                    .container
                    .as_deref()
                    .filter(|s| t.container(s).is_some_and(|x| x.kind == ContainerKind::Subnet))
                    .map(|s| format!(r#","SubnetId":{}"#, rf(s)))
                    .unwrap_or_default();
                let groups = sg(&c.id, "SecurityGroupIds");
                put(
                    &mut res,
                    lid,
                    format!(r#"{{"Type":"AWS::EC2::Instance","Properties":{{"InstanceType":{},"ImageId":{IMAGE},"Tags":{}{subnet}{groups}}}}}"#, q(&p.instance_type), tags(&name)),
                );
            }
            ComponentSpec::Asg(p) => {
                needs_image = true;
                put(
                    &mut res,
                    format!("{lid}LaunchTemplate"),
                    format!(
                        r#"{{"Type":"AWS::EC2::LaunchTemplate","Properties":{{"LaunchTemplateData":{{"InstanceType":{},"ImageId":{IMAGE}{}}}}}}}"#,
                        q(&p.instance_type),
                        sg(&c.id, "SecurityGroupIds")
                    ),
                );
                let tgs: Vec<String> = t
                    .connections
                    .iter()
                    .filter(|x| x.to == c.id && t.component(&x.from).is_some_and(|f| f.spec.kind() == ComponentKind::Alb))
                    .map(|x| format!(r#"{{"Ref":"{}TargetGroup"}}"#, logical_id(&x.from)))
                    .collect();
                put(
                    &mut res,
                    lid.clone(),
                    format!(
                        r#"{{"Type":"AWS::AutoScaling::AutoScalingGroup","Properties":{{"MinSize":"{}","MaxSize":"{}","DesiredCapacity":"{}","VPCZoneIdentifier":{},"TargetGroupARNs":{},"HealthCheckGracePeriod":{},"LaunchTemplate":{{"LaunchTemplateId":{{"Ref":"{lid}LaunchTemplate"}},"Version":{{"Fn::GetAtt":["{lid}LaunchTemplate","LatestVersionNumber"]}}}}}}}}"#,
                        p.min,
                        p.max,
                        p.desired,
                        refs(&asg_subnets(c, &p.subnets)),
                        list(&tgs),
                        p.warmup_s as u64
                    ),
                );
                // A group that cannot change size has nothing to track.
                if p.max > p.min {
                    put(
                        &mut res,
                        format!("{lid}CpuPolicy"),
                        format!(
                            r#"{{"Type":"AWS::AutoScaling::ScalingPolicy","Properties":{{"AutoScalingGroupName":{{"Ref":"{lid}"}},"PolicyType":"TargetTrackingScaling","EstimatedInstanceWarmup":{},"TargetTrackingConfiguration":{{"TargetValue":{},"PredefinedMetricSpecification":{{"PredefinedMetricType":"ASGAverageCPUUtilization"}}}}}}}}"#,
                            p.warmup_s as u64,
                            Value::from(p.target_cpu_percent)
                        ),
                    );
                }
            }
            ComponentSpec::Alb(p) => {
                let public = internet_facing(c);
                // One subnet per AZ: a load balancer takes at most one in each.
                let mut subnets = vpc_subnets(c.container.as_deref(), public);
                let mut seen = std::collections::BTreeSet::new();
                subnets.retain(|s| seen.insert(zones[&s.id].as_str()));
                problems.extend(two_zones(&subnets, format!("{} needs", c.id), public, c.container.as_deref()));
                put(
                    &mut res,
                    lid.clone(),
                    format!(
                        r#"{{"Type":"AWS::ElasticLoadBalancingV2::LoadBalancer","Properties":{{"Type":"application","Scheme":"{}","Subnets":{},"Tags":{}{}}}}}"#,
                        if public { "internet-facing" } else { "internal" },
                        refs(&subnets),
                        tags(&name),
                        sg(&c.id, "SecurityGroups")
                    ),
                );
                let targets: Vec<String> =
                    callees(&c.id).iter().filter(|x| x.spec.kind() == ComponentKind::Ec2).map(|x| format!(r#"{{"Id":{}}}"#, rf(&x.id))).collect();
                let vpc = vpc_of(t, c.container.as_deref()).map(|v| format!(r#","VpcId":{}"#, rf(&v))).unwrap_or_default();
                put(
                    &mut res,
                    format!("{lid}TargetGroup"),
                    format!(
                        r#"{{"Type":"AWS::ElasticLoadBalancingV2::TargetGroup","Properties":{{"Port":80,"Protocol":"HTTP","TargetType":"instance","Targets":{},"HealthCheckIntervalSeconds":{},"HealthCheckTimeoutSeconds":{},"HealthyThresholdCount":{},"UnhealthyThresholdCount":{}{vpc}}}}}"#,
                        list(&targets),
                        p.health_check_interval_s as u64,
                        p.effective_health_check_timeout_s().ceil() as u64,
                        p.healthy_threshold,
                        p.unhealthy_threshold
                    ),
                );
                put(
                    &mut res,
                    format!("{lid}Listener"),
                    format!(
                        r#"{{"Type":"AWS::ElasticLoadBalancingV2::Listener","Properties":{{"LoadBalancerArn":{{"Ref":"{lid}"}},"Port":80,"Protocol":"HTTP","DefaultActions":[{{"Type":"forward","TargetGroupArn":{{"Ref":"{lid}TargetGroup"}}}}]}}}}"#
                    ),
                );
                outputs.push((format!("{lid}DnsName"), format!(r#"{{"Value":{{"Fn::GetAtt":["{lid}","DNSName"]}}}}"#)));
            }
            ComponentSpec::Rds(p) => {
                let subnets = vpc_subnets(c.container.as_deref(), false);
                // A DB subnet group must cover two AZs, Multi-AZ or not (the standby's AZ).
                if vpc_of(t, c.container.as_deref()).is_some() {
                    let what = if p.multi_az {
                        format!("{} is Multi-AZ and needs", c.id)
                    } else {
                        format!("{} needs a DB subnet group with", c.id)
                    };
                    problems.extend(two_zones(&subnets, what, false, c.container.as_deref()));
                }
                let mut group = String::new();
                if !subnets.is_empty() {
                    put(
                        &mut res,
                        format!("{lid}SubnetGroup"),
                        format!(r#"{{"Type":"AWS::RDS::DBSubnetGroup","Properties":{{"DBSubnetGroupDescription":{},"SubnetIds":{}}}}}"#, q(&format!("Subnets of {name}")), refs(&subnets)),
                    );
                    group = format!(r#","DBSubnetGroupName":{{"Ref":"{lid}SubnetGroup"}}"#);
                }
                let groups = sg(&c.id, "VPCSecurityGroups");
                put(
                    &mut res,
                    lid.clone(),
                    format!(
                        r#"{{"Type":"AWS::RDS::DBInstance","DeletionPolicy":"Snapshot","UpdateReplacePolicy":"Snapshot","Properties":{{"Engine":"mysql","DBInstanceClass":{},"AllocatedStorage":"20","MultiAZ":{},"MasterUsername":"admin","ManageMasterUserPassword":true,"PubliclyAccessible":false,"BackupRetentionPeriod":7,"Tags":{}{group}{groups}}}}}"#,
                        q(&p.instance_class),
                        p.multi_az,
                        tags(&name)
                    ),
                );
                for n in 1..=p.read_replicas {
                    put(
                        &mut res,
                        format!("{lid}Replica{n}"),
                        format!(r#"{{"Type":"AWS::RDS::DBInstance","Properties":{{"SourceDBInstanceIdentifier":{{"Ref":"{lid}"}},"DBInstanceClass":{}{groups}}}}}"#, q(&p.instance_class)),
                    );
                }
            }
            ComponentSpec::Elasticache(p) => {
                let subnets = vpc_subnets(c.container.as_deref(), false);
                let mut group = String::new();
                if !subnets.is_empty() {
                    put(
                        &mut res,
                        format!("{lid}SubnetGroup"),
                        format!(r#"{{"Type":"AWS::ElastiCache::SubnetGroup","Properties":{{"Description":{},"SubnetIds":{}}}}}"#, q(&format!("Subnets of {name}")), refs(&subnets)),
                    );
                    group = format!(r#","CacheSubnetGroupName":{{"Ref":"{lid}SubnetGroup"}}"#);
                }
                if p.nodes > 1 {
                    skipped.push(format!("{} ({} shards: exported as one node; use a cluster-mode replication group)", c.id, p.nodes));
                }
                put(
                    &mut res,
                    lid,
                    format!(
                        r#"{{"Type":"AWS::ElastiCache::CacheCluster","Properties":{{"Engine":"redis","CacheNodeType":"cache.t3.micro","NumCacheNodes":1{group}{}}}}}"#,
                        sg(&c.id, "VpcSecurityGroupIds")
                    ),
                );
            }
            ComponentSpec::S3(_) => put(
                &mut res,
                lid,
                r#"{"Type":"AWS::S3::Bucket","Properties":{"PublicAccessBlockConfiguration":{"BlockPublicAcls":true,"BlockPublicPolicy":true,"IgnorePublicAcls":true,"RestrictPublicBuckets":true},"BucketEncryption":{"ServerSideEncryptionConfiguration":[{"ServerSideEncryptionByDefault":{"SSEAlgorithm":"AES256"}}]}}}"#.to_string(),
            ),
            ComponentSpec::Cloudfront(_) => {
                let mut origins = Vec::new();
                let mut first = None;
                for o in callees(&c.id) {
                    let oid = logical_id(&o.id);
                    match o.spec.kind() {
                        ComponentKind::S3 => {
                            let oac = format!("{lid}{oid}Oac");
                            put(
                                &mut res,
                                oac.clone(),
                                format!(
                                    r#"{{"Type":"AWS::CloudFront::OriginAccessControl","Properties":{{"OriginAccessControlConfig":{{"Name":{},"OriginAccessControlOriginType":"s3","SigningBehavior":"always","SigningProtocol":"sigv4"}}}}}}"#,
                                    q(&format!("{}-{}", c.id, o.id))
                                ),
                            );
                            put(
                                &mut res,
                                format!("{oid}Policy"),
                                format!(
                                    r#"{{"Type":"AWS::S3::BucketPolicy","Properties":{{"Bucket":{{"Ref":"{oid}"}},"PolicyDocument":{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"cloudfront.amazonaws.com"}},"Action":"s3:GetObject","Resource":{{"Fn::Sub":"${{{oid}.Arn}}/*"}},"Condition":{{"StringEquals":{{"AWS:SourceArn":{{"Fn::Sub":"arn:aws:cloudfront::${{AWS::AccountId}}:distribution/${{{lid}}}"}}}}}}}}]}}}}}}"#
                                ),
                            );
                            origins.push(format!(
                                r#"{{"Id":{},"DomainName":{{"Fn::GetAtt":["{oid}","RegionalDomainName"]}},"S3OriginConfig":{{"OriginAccessIdentity":""}},"OriginAccessControlId":{{"Fn::GetAtt":["{oac}","Id"]}}}}"#,
                                q(&o.id)
                            ));
                        }
                        ComponentKind::Alb => origins.push(format!(
                            r#"{{"Id":{},"DomainName":{{"Fn::GetAtt":["{oid}","DNSName"]}},"CustomOriginConfig":{{"OriginProtocolPolicy":"http-only","HTTPPort":80}}}}"#,
                            q(&o.id)
                        )),
                        _ => continue,
                    }
                    first.get_or_insert_with(|| o.id.clone());
                }
                let Some(first) = first else {
                    skipped.push(format!("{} (a distribution needs an S3 or load balancer origin)", c.id));
                    continue;
                };
                put(
                    &mut res,
                    lid.clone(),
                    format!(
                        r#"{{"Type":"AWS::CloudFront::Distribution","Properties":{{"DistributionConfig":{{"Enabled":true,"Comment":{},"Origins":{},"DefaultCacheBehavior":{{"TargetOriginId":{},"ViewerProtocolPolicy":"redirect-to-https","CachePolicyId":"658327ea-f89d-4fab-a63d-7e88639e58f6"}}}}}}}}"#,
                        q(&name),
                        list(&origins),
                        q(&first)
                    ),
                );
                outputs.push((format!("{lid}Domain"), format!(r#"{{"Value":{{"Fn::GetAtt":["{lid}","DomainName"]}}}}"#)));
            }
            ComponentSpec::Dynamodb(_) => put(
                &mut res,
                lid,
                r#"{"Type":"AWS::DynamoDB::Table","Properties":{"BillingMode":"PAY_PER_REQUEST","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],"KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}]}}"#.to_string(),
            ),
            ComponentSpec::Lambda(p) => {
                put(
                    &mut res,
                    format!("{lid}Role"),
                    r#"{"Type":"AWS::IAM::Role","Properties":{"AssumeRolePolicyDocument":{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]},"ManagedPolicyArns":["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]}}"#.to_string(),
                );
                put(
                    &mut res,
                    lid.clone(),
                    format!(
                        r#"{{"Type":"AWS::Lambda::Function","Properties":{{"Runtime":"python3.12","Handler":"index.handler","MemorySize":{},"Timeout":30,"Role":{{"Fn::GetAtt":["{lid}Role","Arn"]}},"Code":{{"ZipFile":"def handler(event, context):\n    return {{'statusCode': 200}}\n"}}}}}}"#,
                        p.memory_mb
                    ),
                );
            }
            ComponentSpec::Sqs(_) => put(&mut res, lid, r#"{"Type":"AWS::SQS::Queue","Properties":{"MessageRetentionPeriod":345600}}"#.to_string()),
        }
    }

    // Security groups: the load balancer's takes HTTP and HTTPS from anywhere (from its VPC when
    // internal); an instance's or a data store's takes its port only from the groups of what
    // calls it (a caller in another VPC: that VPC's range), and an instance that clients reach
    // straight takes HTTP and HTTPS from anywhere in a public subnet, its port from its VPC in
    // a private one. Rules between groups are resources of their own,
    // so groups that call each other make no dependency cycle.
    for c in &t.components {
        let Some(vpc) = home.get(c.id.as_str()) else { continue };
        let lid = logical_id(&c.id);
        let cidr_of = |v: &str| format!(r#"{{"Fn::GetAtt":[{},"CidrBlock"]}}"#, q(&logical_id(v)));
        let anywhere = q("0.0.0.0/0");
        let mut inline: Vec<String> = Vec::new();
        let mut allow = |port: u16, cidr: &str, why: String| {
            let r = format!(
                r#"{{"IpProtocol":"tcp","FromPort":{port},"ToPort":{port},"CidrIp":{cidr},"Description":{}}}"#,
                q(&why)
            );
            if !inline.contains(&r) {
                inline.push(r);
            }
        };
        let kind = c.spec.kind();
        let (what, own_port) = match kind {
            ComponentKind::Alb => ("load balancer", 80),
            ComponentKind::Rds => ("MySQL database", 3306),
            ComponentKind::Elasticache => ("Redis cache", 6379),
            _ => ("instances", 80),
        };
        let public = match &c.spec {
            ComponentSpec::Alb(_) => internet_facing(c),
            ComponentSpec::Ec2(_) => c.container.as_deref().and_then(|s| t.container(s)).is_some_and(|s| s.public),
            ComponentSpec::Asg(p) => asg_subnets(c, &p.subnets).iter().any(|s| s.public),
            _ => false,
        };
        let from_outside = |port: u16, allow: &mut dyn FnMut(u16, &str, String)| {
            if public {
                allow(port, &anywhere, format!("port {port} from anywhere"));
            } else {
                allow(port, &cidr_of(vpc), format!("port {port} from the VPC"));
            }
        };
        if kind == ComponentKind::Alb {
            from_outside(80, &mut allow);
            from_outside(443, &mut allow);
        }
        for x in t.connections.iter().filter(|x| x.to == c.id) {
            let Some(caller) = t.component(&x.from) else { continue };
            let compute = matches!(kind, ComponentKind::Ec2 | ComponentKind::Asg);
            let port =
                if compute && caller.spec.kind() != ComponentKind::Alb { x.port.unwrap_or(80) } else { own_port };
            match caller.spec.kind() {
                _ if kind == ComponentKind::Alb => {}
                ComponentKind::Client | ComponentKind::Route53 | ComponentKind::Cloudfront if compute => {
                    from_outside(port, &mut allow);
                    if public && port == 80 {
                        from_outside(443, &mut allow);
                    }
                }
                ComponentKind::Alb | ComponentKind::Ec2 | ComponentKind::Asg => match home.get(caller.id.as_str()) {
                    Some(v) if v == vpc => {
                        let from = logical_id(&caller.id);
                        put(
                            &mut res,
                            format!("{lid}IngressFrom{from}{port}"),
                            format!(
                                r#"{{"Type":"AWS::EC2::SecurityGroupIngress","Properties":{{"GroupId":{{"Fn::GetAtt":["{lid}SecurityGroup","GroupId"]}},"IpProtocol":"tcp","FromPort":{port},"ToPort":{port},"SourceSecurityGroupId":{{"Fn::GetAtt":["{from}SecurityGroup","GroupId"]}},"Description":"port {port} from {from}"}}}}"#
                            ),
                        );
                    }
                    Some(v) => allow(port, &cidr_of(v), format!("port {port} from {}", logical_id(v))),
                    None => {}
                },
                _ => {}
            }
        }
        put(
            &mut res,
            format!("{lid}SecurityGroup"),
            format!(
                r#"{{"Type":"AWS::EC2::SecurityGroup","Properties":{{"GroupDescription":{},"VpcId":{},"Tags":{}{}}}}}"#,
                q(&format!("{lid}: {what}")),
                rf(vpc),
                tags(&format!("{} security group", c.id)),
                if inline.is_empty() { String::new() } else { format!(r#","SecurityGroupIngress":{}"#, list(&inline)) }
            ),
        );
    }

    export_alarms(t, &mut res, &mut skipped);
    let mut template = Map::new();
    template.insert("AWSTemplateFormatVersion".into(), Value::from("2010-09-09"));
    template.insert(
        "Description".into(),
        Value::from(format!("{} (exported by Strata)", if t.name.is_empty() { "Architecture" } else { &t.name })),
    );
    if needs_image {
        let p = r#"{"ImageId":{"Type":"AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>","Default":"/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64","Description":"AMI for instances and launch templates"}}"#;
        template.insert("Parameters".into(), serde_json::from_str(p).unwrap_or(Value::Null));
    }
    template.insert("Resources".into(), Value::Object(res.into_iter().collect()));
    if !outputs.is_empty() {
        let o: Map<String, Value> =
            outputs.into_iter().map(|(k, v)| (k, serde_json::from_str(&v).unwrap_or(Value::Null))).collect();
        template.insert("Outputs".into(), Value::Object(o));
    }
    if !skipped.is_empty() {
        let list = Value::Array(skipped.iter().map(|s| Value::from(s.as_str())).collect());
        let mut strata = Map::new();
        strata.insert("NotExported".into(), list);
        let mut meta = Map::new();
        meta.insert("Strata".into(), Value::Object(strata));
        template.insert("Metadata".into(), Value::Object(meta));
    }
    Export { template: Value::Object(template), skipped, problems }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::topology::Container;
    use serde_json::json;

    fn sample() -> Topology {
        let mut t = Topology::new("Three tier");
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
        let mut az = c("az-a", ContainerKind::Az, Some("r"), None, false, None);
        az.label = "us-east-1a".into();
        t.containers.push(az);
        t.containers.push(c("vpc", ContainerKind::Vpc, Some("r"), Some("10.0.0.0/16"), false, None));
        let mut az = c("az-b", ContainerKind::Az, Some("r"), None, false, None);
        az.label = "us-east-1b".into();
        t.containers.push(az);
        t.containers.push(c("pub", ContainerKind::Subnet, Some("vpc"), Some("10.0.1.0/24"), true, Some("az-a")));
        t.containers.push(c("pub-b", ContainerKind::Subnet, Some("vpc"), Some("10.0.4.0/24"), true, Some("az-b")));
        t.containers.push(c("priv-a", ContainerKind::Subnet, Some("vpc"), Some("10.0.2.0/24"), false, Some("az-a")));
        t.containers.push(c("priv-b", ContainerKind::Subnet, Some("vpc"), Some("10.0.3.0/24"), false, None));
        t.add("users", ComponentKind::Client, None);
        t.add("dns", ComponentKind::Route53, None);
        t.add("cdn", ComponentKind::Cloudfront, None);
        t.add("static", ComponentKind::S3, Some("r"));
        t.add("alb", ComponentKind::Alb, Some("pub"));
        t.add("web", ComponentKind::Asg, Some("priv-a"));
        t.add("db", ComponentKind::Rds, Some("priv-a"));
        t.add("jobs", ComponentKind::Sqs, Some("r"));
        t.add("fn", ComponentKind::Lambda, None);
        t.connect("users", "dns");
        t.connect("dns", "cdn");
        t.connect("cdn", "static");
        t.connect("cdn", "alb");
        t.connect("alb", "web");
        t.connect("web", "db");
        t
    }

    fn subnet(id: &str, az: &str, public: bool) -> Container {
        Container {
            id: id.into(),
            kind: ContainerKind::Subnet,
            parent: Some("vpc".into()),
            label: String::new(),
            cidr: Some("10.0.9.0/24".into()),
            public,
            az: Some(az.into()),
        }
    }

    fn part<'a>(t: &'a mut Topology, id: &str) -> &'a mut crate::topology::Component {
        t.components.iter_mut().find(|c| c.id == id).unwrap()
    }

    /// The sample's network with only the given subnets (`(id, az, public)`).
    fn with_subnets(subnets: &[(&str, &str, bool)]) -> Topology {
        let mut t = sample();
        t.containers.retain(|c| c.kind != ContainerKind::Subnet);
        t.containers.extend(subnets.iter().map(|&(id, az, public)| subnet(id, az, public)));
        for c in &mut t.components {
            if c.container.as_deref().is_some_and(|s| s != "r") {
                c.container =
                    Some(subnets.iter().find(|s| s.2 == (c.id == "alb")).map_or("vpc".into(), |s| s.0.into()));
            }
        }
        t
    }

    #[test]
    fn three_tier_resources() {
        let out = export(&sample());
        assert_eq!(out.problems, Vec::<String>::new());
        let res = &out.template["Resources"];
        assert_eq!(res["Alb"]["Properties"]["Subnets"], json!([{"Ref": "Pub"}, {"Ref": "PubB"}]));
        // A subnet outside any AZ gets one from the region's list.
        assert_eq!(res["PrivB"]["Properties"]["AvailabilityZone"], json!({"Fn::Select": [1, {"Fn::GetAZs": ""}]}));
        assert_eq!(res["Vpc"]["Type"], "AWS::EC2::VPC");
        assert_eq!(res["Pub"]["Properties"]["VpcId"], json!({"Ref": "Vpc"}));
        assert_eq!(res["Pub"]["Properties"]["AvailabilityZone"], "us-east-1a");
        assert_eq!(res["Pub"]["Properties"]["MapPublicIpOnLaunch"], true);
        assert_eq!(res["VpcDefaultRoute"]["Properties"]["DestinationCidrBlock"], "0.0.0.0/0");
        assert_eq!(res["Db"]["Properties"]["MultiAZ"], true);
        assert_eq!(res["DbSubnetGroup"]["Properties"]["SubnetIds"], json!([{"Ref": "PrivA"}, {"Ref": "PrivB"}]));
        assert_eq!(res["Web"]["Properties"]["TargetGroupARNs"], json!([{"Ref": "AlbTargetGroup"}]));
        assert_eq!(res["Alb"]["Properties"]["Scheme"], "internet-facing");
        assert_eq!(res["Static"]["Properties"]["PublicAccessBlockConfiguration"]["BlockPublicPolicy"], true);
        assert_eq!(res["CdnStaticOac"]["Type"], "AWS::CloudFront::OriginAccessControl");
        assert_eq!(res["Cdn"]["Properties"]["DistributionConfig"]["Origins"].as_array().unwrap().len(), 2);
        assert_eq!(res["Fn"]["Type"], "AWS::Lambda::Function");
        assert_eq!(res["Jobs"]["Type"], "AWS::SQS::Queue");
        assert!(out.skipped.iter().any(|s| s.starts_with("dns")) && out.skipped.iter().any(|s| s.starts_with("users")));
        assert!(out.template["Parameters"]["ImageId"].is_object());
    }

    #[test]
    fn every_reference_names_a_resource_or_parameter() {
        let out = export(&sample());
        let res = out.template["Resources"].as_object().unwrap();
        fn walk(v: &Value, refs: &mut Vec<String>) {
            match v {
                Value::Object(m) => {
                    if let Some(Value::String(s)) = m.get("Ref") {
                        refs.push(s.clone());
                    }
                    if let Some(Value::Array(a)) = m.get("Fn::GetAtt") {
                        refs.push(a[0].as_str().unwrap_or_default().to_string());
                    }
                    m.values().for_each(|x| walk(x, refs));
                }
                Value::Array(a) => a.iter().for_each(|x| walk(x, refs)),
                _ => {}
            }
        }
        for (id, r) in res {
            assert!(r["Type"].as_str().is_some_and(|t| t.starts_with("AWS::")), "{id} is a well-formed resource");
        }
        let mut refs = Vec::new();
        walk(&out.template, &mut refs);
        for r in refs {
            assert!(res.contains_key(&r) || r == "ImageId", "dangling reference {r}");
        }
        // Deterministic.
        assert_eq!(export(&sample()).to_json(), out.to_json());
    }

    #[test]
    fn user_text_is_escaped() {
        let mut t = sample();
        for c in &mut t.components {
            c.label = "web \"tier\" \\ {1}".into();
        }
        for c in &mut t.containers {
            c.label = "a \"b\"".into();
        }
        let out = export(&t);
        let res = out.template["Resources"].as_object().unwrap();
        assert!(res.values().all(|r| r.is_object()));
        // Tag values keep to the characters every service accepts; other text is escaped.
        assert_eq!(res["Db"]["Properties"]["Tags"][0]["Value"], "web tier 1");
        assert_eq!(res["DbSubnetGroup"]["Properties"]["DBSubnetGroupDescription"], "Subnets of web \"tier\" \\ {1}");
        assert_eq!(
            res["Fn"]["Properties"]["Code"]["ZipFile"],
            "def handler(event, context):\n    return {'statusCode': 200}\n"
        );
    }

    #[test]
    fn logical_ids() {
        assert_eq!(logical_id("web-tier_1"), "WebTier1");
        assert_eq!(logical_id("1st"), "R1st");
        assert_eq!(logical_id("--"), "R");
    }

    #[test]
    fn a_load_balancer_in_one_az_is_refused_with_what_to_add() {
        let t = with_subnets(&[("pub", "az-a", true), ("priv-a", "az-a", false), ("priv-b", "az-b", false)]);
        let out = export(&t);
        assert_eq!(
            out.problems,
            ["alb needs public subnets in at least two Availability Zones and vpc has them in only one AZ; add a public subnet in a second AZ"]
        );
        // Two public subnets in one AZ are still one AZ.
        let t = with_subnets(&[
            ("pub", "az-a", true),
            ("pub-2", "az-a", true),
            ("priv-a", "az-a", false),
            ("priv-b", "az-b", false),
        ]);
        assert_eq!(export(&t).problems.len(), 1);
        // No public subnet at all.
        let t = with_subnets(&[("priv-a", "az-a", false), ("priv-b", "az-b", false)]);
        assert_eq!(
            export(&t).problems,
            ["alb needs public subnets in at least two Availability Zones and vpc has none; add a public subnet in a second AZ"]
        );
    }

    #[test]
    fn a_multi_az_database_with_one_az_of_subnets_is_refused() {
        let t = with_subnets(&[("pub-a", "az-a", true), ("pub-b", "az-b", true), ("priv-a", "az-a", false)]);
        let out = export(&t);
        assert_eq!(
            out.problems,
            ["db is Multi-AZ and needs private subnets in at least two Availability Zones and vpc has them in only one AZ; add a private subnet in a second AZ"]
        );
        // AWS wants two AZs in a DB subnet group even for a single-AZ database.
        let mut t = t;
        let ComponentSpec::Rds(p) = &mut part(&mut t, "db").spec else { panic!() };
        p.multi_az = false;
        assert_eq!(
            export(&t).problems,
            ["db needs a DB subnet group with private subnets in at least two Availability Zones and vpc has them in only one AZ; add a private subnet in a second AZ"]
        );
    }

    #[test]
    fn a_two_az_three_tier_design_exports_without_refusal() {
        let t = with_subnets(&[
            ("pub-a", "az-a", true),
            ("pub-b", "az-b", true),
            ("priv-a", "az-a", false),
            ("priv-b", "az-b", false),
        ]);
        let out = export(&t);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let res = &out.template["Resources"];
        assert_eq!(res["Alb"]["Properties"]["Subnets"], json!([{"Ref": "PubA"}, {"Ref": "PubB"}]));
        assert_eq!(res["DbSubnetGroup"]["Properties"]["SubnetIds"], json!([{"Ref": "PrivA"}, {"Ref": "PrivB"}]));
        assert_eq!(res["PubB"]["Properties"]["AvailabilityZone"], "us-east-1b");
        // The gallery's three-tier design too.
        let path = format!("{}/../public/scenarios/three-tier.json", env!("CARGO_MANIFEST_DIR"));
        let gallery = Topology::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert_eq!(export(&gallery).problems, Vec::<String>::new());
    }

    #[test]
    fn a_design_across_regions_exports_its_first_region_and_says_what_it_left() {
        let path = format!("{}/../public/scenarios/dr-warm-standby.json", env!("CARGO_MANIFEST_DIR"));
        let t = Topology::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let second: Vec<&str> =
            ["us-west-2", "vpc-west", "public-west-1", "app-west-1", "alb-west", "web-west", "db-west"].into();
        let out = export(&t);
        assert!(out.problems.is_empty(), "{:?}", out.problems);
        let res = out.template["Resources"].as_object().unwrap();
        assert!(res.contains_key("VpcEast") && res.contains_key("AlbEast"), "{:?}", res.keys().collect::<Vec<_>>());
        assert!(res.keys().all(|k| !k.contains("West")), "{:?}", res.keys().collect::<Vec<_>>());
        for id in second {
            assert!(
                out.skipped.iter().any(|s| s.starts_with(&format!("{id} (in US West (Oregon), another region"))),
                "{id} not listed as skipped: {:?}",
                out.skipped
            );
        }
        // One region: nothing is left out for being elsewhere.
        let path = format!("{}/../public/scenarios/three-tier.json", env!("CARGO_MANIFEST_DIR"));
        let one = Topology::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        assert!(export(&one).skipped.iter().all(|s| !s.contains("another region")));
    }

    #[test]
    fn a_load_balancer_takes_one_subnet_per_az() {
        let t = with_subnets(&[
            ("pub-a", "az-a", true),
            ("pub-a2", "az-a", true),
            ("pub-b", "az-b", true),
            ("priv-a", "az-a", false),
            ("priv-b", "az-b", false),
        ]);
        let out = export(&t);
        assert!(out.problems.is_empty());
        assert_eq!(
            out.template["Resources"]["Alb"]["Properties"]["Subnets"],
            json!([{"Ref": "PubA"}, {"Ref": "PubB"}])
        );
    }

    #[test]
    fn subnets_drawn_in_one_unnamed_az_share_a_zone() {
        let mut t = with_subnets(&[("pub-a", "az-a", true), ("pub-a2", "az-a", true), ("priv-a", "az-a", false)]);
        t.containers.iter_mut().find(|c| c.id == "az-a").unwrap().label = "Zone A".into();
        let out = export(&t);
        let az = |id: &str| out.template["Resources"][id]["Properties"]["AvailabilityZone"].clone();
        assert_eq!(az("PubA"), json!({"Fn::Select": [0, {"Fn::GetAZs": ""}]}));
        assert_eq!(az("PubA2"), az("PubA"));
        assert_eq!(az("PrivA"), az("PubA"));
        assert_eq!(out.problems.len(), 2, "{:?}", out.problems);
    }

    #[test]
    fn security_groups_follow_the_connections() {
        let mut t = sample();
        t.connect("web", "cache");
        t.add("cache", ComponentKind::Elasticache, Some("priv-a"));
        let out = export(&t);
        let res = out.template["Resources"].as_object().unwrap();
        let gid = |lid: &str| json!({"Fn::GetAtt": [format!("{lid}SecurityGroup"), "GroupId"]});
        let groups: Vec<&String> = res.keys().filter(|k| res[*k]["Type"] == "AWS::EC2::SecurityGroup").collect();
        assert_eq!(groups, ["AlbSecurityGroup", "CacheSecurityGroup", "DbSecurityGroup", "WebSecurityGroup"]);
        for lid in ["Alb", "Cache", "Db", "Web"] {
            assert_eq!(res[&format!("{lid}SecurityGroup")]["Properties"]["VpcId"], json!({"Ref": "Vpc"}));
        }
        // The load balancer: HTTP and HTTPS from anywhere, and nothing else.
        let alb = &res["AlbSecurityGroup"]["Properties"]["SecurityGroupIngress"];
        let open: Vec<(u64, u64, &str)> = alb
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["FromPort"].as_u64().unwrap(), r["ToPort"].as_u64().unwrap(), r["CidrIp"].as_str().unwrap()))
            .collect();
        assert_eq!(open, [(80, 80, "0.0.0.0/0"), (443, 443, "0.0.0.0/0")]);
        // Instances and data stores: no address range, only the rules between groups below.
        for lid in ["Web", "Db", "Cache"] {
            assert!(res[&format!("{lid}SecurityGroup")]["Properties"].get("SecurityGroupIngress").is_none(), "{lid}");
        }
        let mut rules: Vec<(&str, u64, Value)> = res
            .values()
            .filter(|r| r["Type"] == "AWS::EC2::SecurityGroupIngress")
            .map(|r| {
                let p = &r["Properties"];
                assert_eq!(p["FromPort"], p["ToPort"]);
                (
                    p["GroupId"]["Fn::GetAtt"][0].as_str().unwrap(),
                    p["FromPort"].as_u64().unwrap(),
                    p["SourceSecurityGroupId"].clone(),
                )
            })
            .collect();
        rules.sort_by_key(|r| r.0);
        assert_eq!(
            rules,
            [
                ("CacheSecurityGroup", 6379, gid("Web")),
                ("DbSecurityGroup", 3306, gid("Web")),
                ("WebSecurityGroup", 80, gid("Alb"))
            ]
        );
        // Attached where each runs.
        assert_eq!(res["Alb"]["Properties"]["SecurityGroups"], json!([gid("Alb")]));
        assert_eq!(
            res["WebLaunchTemplate"]["Properties"]["LaunchTemplateData"]["SecurityGroupIds"],
            json!([gid("Web")])
        );
        assert_eq!(res["Db"]["Properties"]["VPCSecurityGroups"], json!([gid("Db")]));
        assert_eq!(res["Cache"]["Properties"]["VpcSecurityGroupIds"], json!([gid("Cache")]));
    }

    #[test]
    fn an_instance_reached_from_the_internet_takes_http_and_https() {
        let mut t = with_subnets(&[
            ("pub-a", "az-a", true),
            ("pub-b", "az-b", true),
            ("priv-a", "az-a", false),
            ("priv-b", "az-b", false),
        ]);
        t.add("api", ComponentKind::Ec2, Some("pub-a"));
        t.connect("users", "api");
        let out = export(&t);
        let p = &out.template["Resources"]["Api"]["Properties"];
        assert_eq!(p["SecurityGroupIds"], json!([{"Fn::GetAtt": ["ApiSecurityGroup", "GroupId"]}]));
        let rules = &out.template["Resources"]["ApiSecurityGroup"]["Properties"]["SecurityGroupIngress"];
        let ports: Vec<(u64, &str)> = rules
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["FromPort"].as_u64().unwrap(), r["CidrIp"].as_str().unwrap()))
            .collect();
        assert_eq!(ports, [(80, "0.0.0.0/0"), (443, "0.0.0.0/0")]);
    }

    #[test]
    fn a_fixed_size_group_has_no_scaling_policy() {
        let mut t = sample();
        assert!(export(&t).template["Resources"]["WebCpuPolicy"].is_object());
        let ComponentSpec::Asg(p) = &mut part(&mut t, "web").spec else { panic!() };
        assert!(p.max > p.min);
        p.max = p.min;
        assert!(export(&t).template["Resources"].get("WebCpuPolicy").is_none());
    }

    #[test]
    fn a_document_s_alarms_export_as_cloudwatch_alarms_with_their_actions() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../public/scenarios/traffic-spike-alarm.json");
        let mut t = Topology::from_json(&std::fs::read_to_string(path).unwrap()).unwrap();
        let out = export(&t);
        let r = &out.template["Resources"];
        let cpu = &r["WebCpuHighAlarm"]["Properties"];
        assert_eq!(cpu["MetricName"], "CPUUtilization");
        assert_eq!(cpu["Dimensions"][0]["Value"]["Ref"], "Web");
        assert_eq!((cpu["Threshold"].as_f64(), cpu["Period"].as_u64()), (Some(80.0), Some(60)));
        assert_eq!(cpu["AlarmActions"][0]["Ref"], "WebCpuHighPolicy");
        assert_eq!(r["WebCpuHighPolicy"]["Properties"]["StepAdjustments"][0]["ScalingAdjustment"], 4);
        let errors = &r["UsersErrorsAlarm"]["Properties"];
        assert_eq!(errors["Metrics"][2]["Expression"], "100 * errors / requests");
        assert_eq!(errors["AlarmActions"][0]["Ref"], "AlarmTopic");
        assert_eq!(r["AlarmTopic"]["Type"], "AWS::SNS::Topic");
        // What has no CloudFormation form is listed, with the reason.
        t.alarms = Some(
            serde_json::from_str(
                r#"[{"name": "slow", "component": "web", "metric": "latency_ms", "threshold": 500, "action": {"do": "notify"}}]"#,
            )
            .unwrap(),
        );
        let out = export(&t);
        assert!(
            out.skipped.iter().any(|s| s.starts_with("alarm slow (CloudWatch has no latency_ms metric")),
            "{:?}",
            out.skipped
        );
    }
}
