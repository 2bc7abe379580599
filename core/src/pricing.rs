//! The price table the cost model charges from: public on-demand list prices for one region,
//! with the date they are from.
//!
//! Source: AWS public on-demand pricing pages (Amazon EC2 Linux on-demand, Amazon RDS for
//! MySQL, Amazon ElastiCache, Elastic Load Balancing, Amazon VPC NAT gateway, EC2 data
//! transfer, Amazon CloudFront, Amazon S3 Standard, AWS Lambda x86, Amazon DynamoDB on-demand,
//! Amazon EBS, Amazon Route 53, Amazon SQS standard, Amazon EKS), us-east-1 (N. Virginia): the list prices
//! as published through 2024 and 2025 (dated "2025" below, not re-checked against the live
//! pages since; the table is data, so a newer one is a drop-in). Free tiers, savings plans, reserved and spot prices and volume tiers beyond the
//! first are left out: every figure is the first paid tier's list price.
//!
//! The table is data: [`PriceTable`] is a plain struct, [`US_EAST_1`] the one the engine uses,
//! so a caller can charge a run at other prices (`Simulation::cost_at`). What the engine does
//! not model (the bytes of a request, an RDS database's storage, the ElastiCache node type) is
//! in [`Assumptions`], with documented defaults.

use crate::catalog;
use serde::Serialize;

/// Hours in a month as AWS prorates monthly prices (GB-month, IOPS-month): 730.
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Bytes in a GB as AWS bills data transfer and storage: 2^30.
pub const BYTES_PER_GB: f64 = 1_073_741_824.0;

/// One instance type's price per hour.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct HourlyPrice {
    /// The type's API name (`t3.medium`, `db.m5.large`, `cache.m5.large`).
    pub name: &'static str,
    /// USD per hour.
    pub usd_per_hour: f64,
}

const fn h(name: &'static str, usd_per_hour: f64) -> HourlyPrice {
    HourlyPrice { name, usd_per_hour }
}

/// On-demand prices of one region (USD). Per-unit figures are named by their unit.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct PriceTable {
    /// Region the prices are for.
    pub region: &'static str,
    /// When the prices are from (an ISO 8601 date or year).
    pub as_of: &'static str,
    /// Where they come from.
    pub source: &'static str,
    /// Currency of every figure.
    pub currency: &'static str,
    /// EC2 Linux on-demand, per instance-hour.
    pub ec2: &'static [HourlyPrice],
    /// RDS for MySQL single-AZ, per instance-hour (Multi-AZ: twice, the standby).
    pub rds: &'static [HourlyPrice],
    /// ElastiCache (Redis OSS) per node-hour.
    pub elasticache: &'static [HourlyPrice],
    /// Application Load Balancer, per hour.
    pub alb_hour: f64,
    /// Application Load Balancer, per LCU-hour.
    pub alb_lcu_hour: f64,
    /// NAT gateway, per hour.
    pub nat_hour: f64,
    /// NAT gateway, per GB processed.
    pub nat_gb: f64,
    /// Data transfer out of the region to the internet, per GB (first 10 TB/month).
    pub transfer_out_gb: f64,
    /// Data transfer between AZs of a region, per GB in each direction (both sides are charged).
    pub cross_az_gb_each_way: f64,
    /// Data transfer between regions, per GB sent.
    pub cross_region_gb: f64,
    /// CloudFront data transfer out, per GB (North America, first 10 TB).
    pub cloudfront_gb: f64,
    /// CloudFront HTTPS requests, per 10,000.
    pub cloudfront_per_10k_requests: f64,
    /// S3 Standard storage, per GB-month.
    pub s3_gb_month: f64,
    /// S3 PUT, COPY, POST, LIST requests, per 1,000.
    pub s3_put_per_1k: f64,
    /// S3 GET and other requests, per 1,000.
    pub s3_get_per_1k: f64,
    /// Lambda requests, per million.
    pub lambda_per_million: f64,
    /// Lambda compute (x86), per GB-second.
    pub lambda_gb_second: f64,
    /// DynamoDB on-demand, per million write request units.
    pub dynamodb_per_million_writes: f64,
    /// DynamoDB on-demand, per million read request units.
    pub dynamodb_per_million_reads: f64,
    /// EBS gp3, per GB-month.
    pub ebs_gp3_gb_month: f64,
    /// EBS gp3 IOPS above the free 3,000, per IOPS-month.
    pub ebs_gp3_iops_month: f64,
    /// EBS gp2, per GB-month.
    pub ebs_gp2_gb_month: f64,
    /// EBS io2, per GB-month.
    pub ebs_io2_gb_month: f64,
    /// EBS io2 provisioned IOPS (first 32,000), per IOPS-month.
    pub ebs_io2_iops_month: f64,
    /// RDS General Purpose (gp2) storage, single-AZ, per GB-month (Multi-AZ: twice).
    pub rds_storage_gb_month: f64,
    /// Route 53 standard queries, per million.
    pub route53_per_million: f64,
    /// SQS standard queue requests, per million.
    pub sqs_per_million: f64,
    /// EKS cluster (its control plane), per hour.
    pub eks_cluster_hour: f64,
    /// Fargate (Linux, x86), per vCPU-hour of a running task or pod.
    pub fargate_vcpu_hour: f64,
    /// Fargate (Linux, x86), per GB-hour of a running task or pod.
    pub fargate_gb_hour: f64,
}

/// AWS public on-demand list prices, us-east-1, as published in 2024-2025.
pub static US_EAST_1: PriceTable = PriceTable {
    region: "us-east-1",
    as_of: "2025",
    source: "AWS public on-demand list prices, us-east-1, as published in 2024-2025",
    currency: "USD",
    ec2: &[
        h("t2.micro", 0.0116),
        h("t2.small", 0.023),
        h("t3.micro", 0.0104),
        h("t3.small", 0.0208),
        h("t3.medium", 0.0416),
        h("t3.large", 0.0832),
        h("t3.xlarge", 0.1664),
        h("t3.2xlarge", 0.3328),
        h("m5.large", 0.096),
        h("m5.xlarge", 0.192),
        h("m5.2xlarge", 0.384),
        h("m5.4xlarge", 0.768),
        h("c5.large", 0.085),
        h("c5.xlarge", 0.17),
        h("c5.2xlarge", 0.34),
        h("c5.4xlarge", 0.68),
        h("r5.large", 0.126),
        h("r5.xlarge", 0.252),
        h("r5.2xlarge", 0.504),
        h("r5.4xlarge", 1.008),
    ],
    rds: &[
        h("db.t3.micro", 0.017),
        h("db.t3.medium", 0.068),
        h("db.m5.large", 0.171),
        h("db.m5.xlarge", 0.342),
        h("db.m5.2xlarge", 0.684),
        h("db.r5.large", 0.25),
        h("db.r5.xlarge", 0.50),
        h("db.r5.2xlarge", 1.00),
    ],
    elasticache: &[
        h("cache.t3.micro", 0.017),
        h("cache.t3.medium", 0.068),
        h("cache.m5.large", 0.156),
        h("cache.r5.large", 0.216),
    ],
    alb_hour: 0.0225,
    alb_lcu_hour: 0.008,
    nat_hour: 0.045,
    nat_gb: 0.045,
    transfer_out_gb: 0.09,
    cross_az_gb_each_way: 0.01,
    cross_region_gb: 0.02,
    cloudfront_gb: 0.085,
    cloudfront_per_10k_requests: 0.01,
    s3_gb_month: 0.023,
    s3_put_per_1k: 0.005,
    s3_get_per_1k: 0.0004,
    lambda_per_million: 0.20,
    lambda_gb_second: 0.000_016_666_7,
    dynamodb_per_million_writes: 0.625,
    dynamodb_per_million_reads: 0.125,
    ebs_gp3_gb_month: 0.08,
    ebs_gp3_iops_month: 0.005,
    ebs_gp2_gb_month: 0.10,
    ebs_io2_gb_month: 0.125,
    ebs_io2_iops_month: 0.065,
    rds_storage_gb_month: 0.115,
    route53_per_million: 0.40,
    sqs_per_million: 0.40,
    eks_cluster_hour: 0.10,
    fargate_vcpu_hour: 0.040_48,
    fargate_gb_hour: 0.004_445,
};

impl PriceTable {
    /// EC2 on-demand price per hour of an instance type.
    pub fn ec2_hourly(&self, instance_type: &str) -> Option<f64> {
        self.ec2.iter().find(|p| p.name == instance_type).map(|p| p.usd_per_hour)
    }
    /// RDS price per hour of a DB instance class (Multi-AZ: the standby doubles it).
    pub fn rds_hourly(&self, class: &str, multi_az: bool) -> Option<f64> {
        let p = self.rds.iter().find(|p| p.name == class)?.usd_per_hour;
        Some(if multi_az { 2.0 * p } else { p })
    }
    /// ElastiCache price per node-hour of a node type.
    pub fn elasticache_hourly(&self, node_type: &str) -> Option<f64> {
        self.elasticache.iter().find(|p| p.name == node_type).map(|p| p.usd_per_hour)
    }
    /// Every instance type and DB class in the catalog that has no price here (empty for
    /// [`US_EAST_1`], which a test checks).
    pub fn unpriced_catalog_types(&self) -> Vec<&'static str> {
        let ec2 = catalog::INSTANCE_TYPES.iter().map(|t| t.name).filter(|n| self.ec2_hourly(n).is_none());
        let rds = catalog::DB_INSTANCE_CLASSES.iter().map(|t| t.name).filter(|n| self.rds_hourly(n, false).is_none());
        ec2.chain(rds).collect()
    }
}

/// What the engine does not model but a bill needs: the sizes of requests and answers, the
/// storage behind components that have none in the document. Each is a parameter of
/// `Simulation::cost_at` with the default below.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Assumptions {
    /// Bytes a request carries (headers and body), every request type: 1,000.
    pub request_bytes: f64,
    /// Bytes an answer carries, every request type: 10,000 (a small page or a JSON answer).
    pub response_bytes: f64,
    /// Requests an ALB client connection carries: 1 (no keep-alive: an upper bound on the
    /// new-connections LCU dimension).
    pub requests_per_connection: f64,
    /// The root EBS volume every EC2 instance has, GiB of gp3 (charged while the instance
    /// exists, stopped or not): 8, the Amazon Linux 2023 AMI's.
    pub root_volume_gib: f64,
    /// The node type of an ElastiCache cluster (the document has none): `cache.m5.large`.
    pub elasticache_node_type: &'static str,
    /// An RDS database's allocated gp2 storage, GB (the document has none): 20, the console's
    /// minimum.
    pub rds_storage_gb: f64,
    /// Data an S3 bucket stores, GB (the engine does not model objects): 0.
    pub s3_stored_gb: f64,
}

impl Assumptions {
    /// The defaults documented on each field.
    pub const DEFAULT: Assumptions = Assumptions {
        request_bytes: 1_000.0,
        response_bytes: 10_000.0,
        requests_per_connection: 1.0,
        root_volume_gib: 8.0,
        elasticache_node_type: "cache.m5.large",
        rds_storage_gb: 20.0,
        s3_stored_gb: 0.0,
    };
}

impl Default for Assumptions {
    fn default() -> Self {
        Assumptions::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups_find_the_published_figures() {
        assert_eq!(US_EAST_1.ec2_hourly("t3.medium"), Some(0.0416));
        assert_eq!(US_EAST_1.rds_hourly("db.m5.large", true), Some(0.342));
        assert_eq!(US_EAST_1.elasticache_hourly("cache.m5.large"), Some(0.156));
        assert_eq!(US_EAST_1.ec2_hourly("x9.huge"), None);
        assert!(US_EAST_1.elasticache_hourly(Assumptions::DEFAULT.elasticache_node_type).is_some());
    }
}
