//! The palette's search: what each item answers to (its name, its summary and the names people
//! use for it: "redis" finds ElastiCache, "postgres" RDS, "cdn" CloudFront), and whether a query
//! matches (every word of the query, in any order).

use strata_core::topology::{ComponentKind, ContainerKind};

use crate::editor::model::Placeable;

/// The usual names of what an item stands for, beyond its own.
pub fn aliases(p: Placeable) -> &'static str {
    match p {
        Placeable::Component(k) => match k {
            ComponentKind::Client => "users clients traffic load generator visitors",
            ComponentKind::Route53 => "dns domain hosted zone name resolution",
            ComponentKind::Cloudfront => "cdn edge cache distribution",
            ComponentKind::Alb => "lb load balancer elb application",
            ComponentKind::Ec2 => "vm virtual machine server instance host",
            ComponentKind::Asg => "autoscaling auto scaling group fleet scale out",
            ComponentKind::Eks => "kubernetes k8s eks pods containers docker cluster deployment hpa node group",
            ComponentKind::Ecs => "ecs fargate tasks task definition containers docker service capacity provider",
            ComponentKind::Rds => "postgres postgresql mysql mariadb aurora sql relational database db",
            ComponentKind::Elasticache => "redis memcached valkey cache in-memory",
            ComponentKind::S3 => "bucket object storage blob files static",
            ComponentKind::Dynamodb => "nosql key value dynamo database db",
            ComponentKind::Lambda => "function serverless faas",
            ComponentKind::Sqs => "queue message messaging mq",
        },
        Placeable::Container(k, _) => match k {
            ContainerKind::Region => "geography location",
            ContainerKind::Az => "availability zone datacenter data center failure domain",
            ContainerKind::Vpc => "network private cloud",
            ContainerKind::Subnet => "network cidr",
        },
    }
}

/// Everything an item answers to, lower case.
pub fn haystack(p: Placeable, name: &str, summary: &str) -> String {
    format!("{name} {summary} {}", aliases(p)).to_lowercase()
}

/// Whether every word of `query` (split at spaces) appears in `hay`; an empty query matches
/// everything.
pub fn matches(hay: &str, query: &str) -> bool {
    let q = query.to_lowercase();
    q.split(' ').all(|w| hay.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_core::catalog;

    /// The kinds whose search text matches `query`.
    fn found(query: &str) -> Vec<ComponentKind> {
        catalog::KINDS
            .iter()
            .filter(|k| matches(&haystack(Placeable::Component(k.kind), k.name, k.summary), query))
            .map(|k| k.kind)
            .collect()
    }

    #[test]
    fn the_usual_names_find_the_service() {
        for (query, kind) in [
            ("redis", ComponentKind::Elasticache),
            ("memcached", ComponentKind::Elasticache),
            ("postgres", ComponentKind::Rds),
            ("mysql", ComponentKind::Rds),
            ("cdn", ComponentKind::Cloudfront),
            ("dns", ComponentKind::Route53),
            ("lb", ComponentKind::Alb),
            ("Load Balancer", ComponentKind::Alb),
            ("queue", ComponentKind::Sqs),
            ("serverless", ComponentKind::Lambda),
        ] {
            let hits = found(query);
            assert!(hits.contains(&kind), "{query} finds {kind:?}: {hits:?}");
        }
        // Specific names find only their service.
        assert_eq!(found("redis"), vec![ComponentKind::Elasticache]);
        assert_eq!(found("postgres"), vec![ComponentKind::Rds]);
        assert_eq!(found("cdn"), vec![ComponentKind::Cloudfront]);
    }

    #[test]
    fn every_word_must_match_in_any_order() {
        let hay = haystack(Placeable::Component(ComponentKind::Rds), "RDS", "A managed relational database.");
        assert!(matches(&hay, ""));
        assert!(matches(&hay, "  "));
        assert!(matches(&hay, "database postgres"));
        assert!(matches(&hay, "POSTGRES database"));
        assert!(!matches(&hay, "postgres redis"));
        let az = haystack(Placeable::Container(ContainerKind::Az, false), "Availability Zone", "");
        assert!(matches(&az, "datacenter"));
        assert!(!matches(&az, "redis"));
    }
}
