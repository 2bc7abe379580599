//! [`Node`]: the state of one component, one variant per kind, and the routing of each event to
//! its kind's module. Every method here only delegates, by `match` (static dispatch: no trait
//! objects on the per-event path). Handlers return a [`Next`] for what the engine must do once
//! it no longer borrows the node.

use super::alb::{self, Alb};
use super::asg;
use super::call::Call;
use super::client::{self, Client};
use super::cloudfront::{self, CloudFront};
use super::core::Core;
use super::dynamodb::{self, DynamoDb};
use super::elasticache::{self, ElastiCache};
use super::group::{self, Group};
use super::lambda::{self, Lambda};
use super::rds::{self, Rds};
use super::route53::{self, Route53};
use super::s3::{self, S3};
use super::sqs::{self, Sqs};
use super::ErrorCause;

/// What a handler leaves to the engine, which carries it out at once (so in the same order as
/// if the handler had done it itself).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Next {
    /// Nothing: the call waits for an event the handler scheduled, or needs nothing more.
    Wait,
    /// Answer the call (`Simulation::answer`): `error` (`None`: success) and the root cause
    /// carried to the client (`None`: the error itself).
    Answer { error: Option<ErrorCause>, root: Option<ErrorCause> },
    /// SQS: answer the sender (its message is stored), then hand messages to free consumers.
    OkThenDeliver,
}

impl Next {
    /// Answer with success.
    pub(super) const OK: Next = Next::Answer { error: None, root: None };

    /// Answer with `cause`.
    #[inline(always)]
    pub(super) const fn fail(cause: ErrorCause) -> Next {
        Next::Answer { error: Some(cause), root: None }
    }

    /// Answer as a callee did: success, or [`ErrorCause::Dependency`] with its root cause.
    #[inline(always)]
    pub(super) fn after_callee(error: Option<ErrorCause>, root: Option<ErrorCause>) -> Next {
        Next::Answer { error: error.map(|_| ErrorCause::Dependency), root }
    }
}

/// One component's kind-specific state.
#[derive(Clone, Debug)]
pub(super) enum Node {
    Client(Client),
    Route53(Route53),
    CloudFront(CloudFront),
    Alb(Alb),
    /// EC2 (one instance) and Auto Scaling groups.
    Group(Group),
    Rds(Rds),
    ElastiCache(ElastiCache),
    S3(S3),
    DynamoDb(DynamoDb),
    Lambda(Lambda),
    Sqs(Sqs),
}

impl Node {
    /// `ClientArrival`: a client population emits its next request.
    #[inline]
    pub(super) fn emit(&self, core: &mut Core, comp: u32) {
        if let Node::Client(cl) = self {
            client::emit(cl, core, comp);
        }
    }

    /// A call reached the component (which is not down, or is Route 53).
    #[inline]
    pub(super) fn arrive(&mut self, core: &mut Core, call: u32, c: &Call) -> Next {
        match self {
            Node::Client(_) => client::arrive(),
            Node::Route53(r) => route53::arrive(r, core, call, c),
            Node::CloudFront(f) => cloudfront::arrive(f, core, call),
            Node::Alb(a) => alb::arrive(a, core, call),
            Node::Group(g) => group::arrive(g, core, call, c),
            Node::Rds(d) => rds::arrive(d, core, call, c),
            Node::ElastiCache(e) => elasticache::arrive(e, core, call, c),
            Node::S3(s) => s3::arrive(s, core, call, c),
            Node::DynamoDb(t) => dynamodb::arrive(t, core, call, c),
            Node::Lambda(l) => lambda::arrive(l, core, call, c),
            Node::Sqs(q) => sqs::arrive(q, core, call),
        }
    }

    /// `ServiceDone`: the call's server (vCPU, database instance, cache node) finished.
    #[inline]
    pub(super) fn service_done(&mut self, core: &mut Core, call: u32, c: &Call) -> Next {
        match self {
            Node::Group(g) => group::service_done(g, core, call, c),
            Node::Rds(d) => rds::service_done(d, core, call, c),
            Node::ElastiCache(e) => elasticache::service_done(e, core, call, c),
            _ => Next::Wait,
        }
    }

    /// `Resume`: the fixed delay of the call's phase is over. Takes every node: the ALB reads
    /// its targets'.
    #[inline]
    pub(super) fn resume(nodes: &mut [Node], core: &mut Core, call: u32, c: &Call) -> Next {
        match &mut nodes[c.comp as usize] {
            Node::Route53(r) => route53::resume(r, core, call, c),
            Node::CloudFront(f) => cloudfront::resume(f, core, call, c),
            Node::Alb(_) => alb::resume(nodes, core, call, c),
            Node::Group(_) => group::resume(core, call, c),
            Node::Rds(_) => rds::resume(c),
            Node::S3(_) => s3::resume(c),
            Node::DynamoDb(_) => dynamodb::resume(c),
            Node::Lambda(_) => lambda::resume(core, call, c),
            Node::Sqs(q) => sqs::resume(q, core, c),
            Node::Client(_) | Node::ElastiCache(_) => Next::Wait,
        }
    }

    /// A call that `parent` (a call of this component) made answered with `error` (root cause
    /// `root`).
    #[inline(always)]
    pub(super) fn child_done(
        &mut self,
        core: &mut Core,
        parent: u32,
        p: &Call,
        error: Option<ErrorCause>,
        root: Option<ErrorCause>,
    ) -> Next {
        match self {
            Node::Client(cl) => client::child_done(cl, core, parent, error, root),
            Node::Group(_) => group::child_done(core, parent, p, error, root),
            Node::Lambda(_) => lambda::child_done(core, parent, p, error, root),
            Node::Sqs(q) => sqs::child_done(q, core, parent, p, error, root),
            Node::CloudFront(f) => cloudfront::child_done(f, core, p, error, root),
            // Route 53, ALB, RDS, ElastiCache, S3, DynamoDB.
            _ => Next::after_callee(error, root),
        }
    }

    /// A call that held a slot here (`Flags::ACTIVE`) answered: the kind takes the slot back.
    pub(super) fn release_slot(&mut self, core: &mut Core, c: &Call) {
        match self {
            Node::Group(g) => group::release_slot(g, core, c),
            Node::Lambda(l) => lambda::release_slot(l, core),
            _ => {}
        }
    }

    /// SQS: hands queued messages to free consumers.
    pub(super) fn deliver(&mut self, core: &mut Core, comp: u32) {
        if let Node::Sqs(q) = self {
            sqs::deliver(q, core, comp);
        }
    }

    /// `InstanceReady`: a launched instance of a group starts serving.
    pub(super) fn instance_ready(&mut self, core: &mut Core, comp: u32, inst: u32) {
        if let Node::Group(g) = self {
            asg::on_instance_ready(g, core, comp, inst);
        }
    }

    /// `ScalingEval`: a group's scaling policy evaluates its metric.
    pub(super) fn scaling_eval(&mut self, core: &mut Core, comp: u32) {
        if let Node::Group(g) = self {
            asg::on_scaling(g, core, comp);
        }
    }

    /// Whether a component would pass a (Route 53) health check with a timeout of `timeout_ns`
    /// now: not down and, for a group, an instance serving that answers within the timeout (see
    /// `health`); for an ALB, such a target behind it.
    pub(super) fn passes_health_check(nodes: &[Node], core: &Core, comp: u32, timeout_ns: u64) -> bool {
        if core.meta[comp as usize].down {
            return false;
        }
        match &nodes[comp as usize] {
            Node::Group(g) => g.any_answering(core, timeout_ns),
            Node::Alb(_) => alb::any_target_answering(nodes, core, comp, timeout_ns),
            _ => true,
        }
    }

    /// Instances in service, for groups (`None` for other kinds).
    pub(super) fn instances_in_service(&self) -> Option<u32> {
        match self {
            Node::Group(g) => Some(g.in_service()),
            _ => None,
        }
    }

    /// Workers and vCPUs per instance, for groups whose instances have a worker pool.
    pub(super) fn pool(&self) -> Option<(u32, u32)> {
        match self {
            Node::Group(g) => g.inst.first().and_then(|i| i.pool.as_ref().map(|p| (p.servers, i.st.servers))),
            _ => None,
        }
    }

    /// Capacity of its queues (instances, nodes, SQS backlog, Lambda's idle environments).
    pub(super) fn queue_capacity(&self) -> usize {
        match self {
            Node::Group(g) => g
                .inst
                .iter()
                .map(|i| i.st.queue.capacity() + i.pool.as_ref().map_or(0, |p| p.queue.capacity()))
                .sum::<usize>(),
            Node::Rds(rds::Rds { st, .. }) | Node::ElastiCache(elasticache::ElastiCache { st, .. }) => {
                st.iter().map(|s| s.queue.capacity()).sum::<usize>()
            }
            Node::Sqs(q) => q.backlog.capacity(),
            Node::Lambda(l) => l.idle.capacity(),
            _ => 0,
        }
    }
}
