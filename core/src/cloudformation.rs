//! CloudFormation export: the resources of a topology that CloudFormation can express, as a
//! JSON template. VPCs, subnets (with an internet gateway and a public route table when any
//! subnet is public), EC2 instances, Auto Scaling groups (launch template, target-tracking
//! policy), load balancers (target group, listener), RDS (subnet group, Multi-AZ, read
//! replicas), ElastiCache, S3 (public access blocked; CloudFront reaches it through Origin
//! Access Control), CloudFront, DynamoDB, Lambda (with its role) and SQS. What has no
//! CloudFormation equivalent (client populations, Route 53 without a hosted zone) is listed in
//! [`Export::skipped`] and in the template's `Metadata`.
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

use crate::topology::{ComponentKind, ComponentSpec, ContainerKind, Topology};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// A template and what was left out of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Export {
    /// The CloudFormation template.
    pub template: Value,
    /// Ids of elements with no CloudFormation equivalent, with the reason.
    pub skipped: Vec<String>,
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

/// `{"Ref": "<LogicalId>"}`.
fn rf(id: &str) -> String {
    format!(r#"{{"Ref":{}}}"#, q(&logical_id(id)))
}

fn tags(name: &str) -> String {
    format!(r#"[{{"Key":"Name","Value":{}}}]"#, q(name))
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.join(","))
}

fn put(res: &mut BTreeMap<String, Value>, id: String, text: String) {
    res.insert(id, serde_json::from_str(&text).unwrap_or(Value::Null));
}

fn vpc_of(t: &Topology, container: Option<&str>) -> Option<String> {
    let mut cur = container.map(str::to_string);
    for _ in 0..16 {
        let c = t.container(cur.as_deref()?)?;
        if c.kind == ContainerKind::Vpc {
            return Some(c.id.clone());
        }
        cur = c.parent.clone();
    }
    None
}

fn az_name(t: &Topology, subnet: &crate::topology::Container) -> Option<String> {
    let mut cur = subnet.az.clone().or_else(|| subnet.parent.clone());
    for _ in 0..16 {
        let c = t.container(cur.as_deref()?)?;
        if c.kind == ContainerKind::Az {
            let label = if c.label.is_empty() { &c.id } else { &c.label };
            // Only a real AZ name ("us-east-1a") can be written as is.
            let real = label.chars().last().is_some_and(|l| l.is_ascii_lowercase())
                && label.contains('-')
                && label.chars().any(|d| d.is_ascii_digit());
            return real.then(|| label.clone());
        }
        cur = c.parent.clone();
    }
    None
}

/// Builds the template.
pub fn export(t: &Topology) -> Export {
    let mut res: BTreeMap<String, Value> = BTreeMap::new();
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut skipped = Vec::new();
    const IMAGE: &str = r#"{"Ref":"ImageId"}"#;
    let mut needs_image = false;

    // Network.
    for (i, c) in t.containers.iter().enumerate() {
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
                let publics: Vec<&crate::topology::Container> = t
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
                let az = az_name(t, c)
                    .map(|a| q(&a))
                    .unwrap_or_else(|| format!(r#"{{"Fn::Select":[{},{{"Fn::GetAZs":""}}]}}"#, i % 2));
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

    let subnets_like = |container: Option<&str>, public: Option<bool>| -> Vec<String> {
        let Some(vpc) = vpc_of(t, container) else { return Vec::new() };
        let own = container.and_then(|id| t.container(id)).filter(|c| c.kind == ContainerKind::Subnet);
        let want_public = public.or(own.map(|s| s.public));
        t.containers
            .iter()
            .filter(|s| s.kind == ContainerKind::Subnet && vpc_of(t, Some(&s.id)).as_deref() == Some(vpc.as_str()))
            .filter(|s| want_public.is_none_or(|p| s.public == p))
            .map(|s| rf(&s.id))
            .collect()
    };
    let callees = |id: &str| -> Vec<&crate::topology::Component> {
        t.connections.iter().filter(|c| c.from == id).filter_map(|c| t.component(&c.to)).collect()
    };

    for c in &t.components {
        let lid = logical_id(&c.id);
        let name = if c.label.is_empty() { c.id.clone() } else { c.label.clone() };
        match &c.spec {
            ComponentSpec::Client(_) => skipped.push(format!("{} (client population: not an AWS resource)", c.id)),
            ComponentSpec::Route53(_) => skipped.push(format!("{} (Route 53 records need a hosted zone you own)", c.id)),
            ComponentSpec::Ec2(p) => {
                needs_image = true;
                let subnet = c
                    .container
                    .as_deref()
                    .filter(|s| t.container(s).is_some_and(|x| x.kind == ContainerKind::Subnet))
                    .map(|s| format!(r#","SubnetId":{}"#, rf(s)))
                    .unwrap_or_default();
                put(
                    &mut res,
                    lid,
                    format!(r#"{{"Type":"AWS::EC2::Instance","Properties":{{"InstanceType":{},"ImageId":{IMAGE},"Tags":{}{subnet}}}}}"#, q(&p.instance_type), tags(&name)),
                );
            }
            ComponentSpec::Asg(p) => {
                needs_image = true;
                put(
                    &mut res,
                    format!("{lid}LaunchTemplate"),
                    format!(r#"{{"Type":"AWS::EC2::LaunchTemplate","Properties":{{"LaunchTemplateData":{{"InstanceType":{},"ImageId":{IMAGE}}}}}}}"#, q(&p.instance_type)),
                );
                let subnets: Vec<String> =
                    if p.subnets.is_empty() { subnets_like(c.container.as_deref(), Some(false)) } else { p.subnets.iter().map(|s| rf(s)).collect() };
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
                        list(&subnets),
                        list(&tgs),
                        p.warmup_s as u64
                    ),
                );
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
            ComponentSpec::Alb(p) => {
                let public = c.container.as_deref().and_then(|s| t.container(s)).is_none_or(|s| s.public || s.kind != ContainerKind::Subnet);
                put(
                    &mut res,
                    lid.clone(),
                    format!(
                        r#"{{"Type":"AWS::ElasticLoadBalancingV2::LoadBalancer","Properties":{{"Type":"application","Scheme":"{}","Subnets":{},"Tags":{}}}}}"#,
                        if public { "internet-facing" } else { "internal" },
                        list(&subnets_like(c.container.as_deref(), None)),
                        tags(&name)
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
                let subnets = subnets_like(c.container.as_deref(), Some(false));
                let mut group = String::new();
                if !subnets.is_empty() {
                    put(
                        &mut res,
                        format!("{lid}SubnetGroup"),
                        format!(r#"{{"Type":"AWS::RDS::DBSubnetGroup","Properties":{{"DBSubnetGroupDescription":{},"SubnetIds":{}}}}}"#, q(&format!("Subnets of {name}")), list(&subnets)),
                    );
                    group = format!(r#","DBSubnetGroupName":{{"Ref":"{lid}SubnetGroup"}}"#);
                }
                put(
                    &mut res,
                    lid.clone(),
                    format!(
                        r#"{{"Type":"AWS::RDS::DBInstance","DeletionPolicy":"Snapshot","Properties":{{"Engine":"mysql","DBInstanceClass":{},"AllocatedStorage":"20","MultiAZ":{},"MasterUsername":"admin","ManageMasterUserPassword":true,"PubliclyAccessible":false,"BackupRetentionPeriod":7,"Tags":{}{group}}}}}"#,
                        q(&p.instance_class),
                        p.multi_az,
                        tags(&name)
                    ),
                );
                for n in 1..=p.read_replicas {
                    put(
                        &mut res,
                        format!("{lid}Replica{n}"),
                        format!(r#"{{"Type":"AWS::RDS::DBInstance","Properties":{{"SourceDBInstanceIdentifier":{{"Ref":"{lid}"}},"DBInstanceClass":{}}}}}"#, q(&p.instance_class)),
                    );
                }
            }
            ComponentSpec::Elasticache(p) => {
                let subnets = subnets_like(c.container.as_deref(), Some(false));
                let mut group = String::new();
                if !subnets.is_empty() {
                    put(
                        &mut res,
                        format!("{lid}SubnetGroup"),
                        format!(r#"{{"Type":"AWS::ElastiCache::SubnetGroup","Properties":{{"Description":{},"SubnetIds":{}}}}}"#, q(&format!("Subnets of {name}")), list(&subnets)),
                    );
                    group = format!(r#","CacheSubnetGroupName":{{"Ref":"{lid}SubnetGroup"}}"#);
                }
                if p.nodes > 1 {
                    skipped.push(format!("{} ({} shards: exported as one node; use a cluster-mode replication group)", c.id, p.nodes));
                }
                put(
                    &mut res,
                    lid,
                    format!(r#"{{"Type":"AWS::ElastiCache::CacheCluster","Properties":{{"Engine":"redis","CacheNodeType":"cache.t3.micro","NumCacheNodes":1{group}}}}}"#),
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
    Export { template: Value::Object(template), skipped }
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
        t.containers.push(c("pub", ContainerKind::Subnet, Some("vpc"), Some("10.0.1.0/24"), true, Some("az-a")));
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

    #[test]
    fn three_tier_resources() {
        let out = export(&sample());
        let res = &out.template["Resources"];
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
        assert_eq!(res["Db"]["Properties"]["Tags"][0]["Value"], "web \"tier\" \\ {1}");
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
}
