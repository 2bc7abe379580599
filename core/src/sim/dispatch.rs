//! The event loop: pops events in (time, sequence) order, adds each to the trace hash, routes it
//! to its handler (through [`Node`] for per-call events) and carries out what the handler left
//! to do ([`Next`]), above all [`Simulation::answer`], the one way a component answers a call.

use super::call::{Flags, NONE};
use super::node::{Next, Node};
use super::queue::Ev;
use super::{ComponentKind, ErrorCause, Simulation};
use rand::Rng;

/// One step of the trace hash.
#[inline]
fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

impl Simulation {
    /// The one event loop, behind every `step_*` method: processes events in order until the
    /// next one is later than `until` (`u64::MAX`: no limit), the queue is empty, or
    /// `max_events` have been processed. Returns how many it processed and whether it stopped
    /// for time or an empty queue (true) rather than for the budget (false). It leaves the clock
    /// at the last event processed.
    #[inline]
    pub(super) fn run(&mut self, until: u64, max_events: u64) -> (u64, bool) {
        let mut done = 0;
        while let Some(time) = self.core.queue.peek_time() {
            if time > until {
                return (done, true);
            }
            if done >= max_events {
                return (done, false);
            }
            let e = self.core.queue.pop().expect("peeked");
            debug_assert!(e.time() >= self.core.now, "time went backwards");
            self.time_regressions += u64::from(e.time() < self.core.now);
            self.core.now = e.time();
            self.dispatch(e.ev);
            done += 1;
        }
        (done, true)
    }

    /// The handlers of rare events (metrics ticks, scaling, health checks, launches, faults, the
    /// end of the warm-up) stay out of line: inlined here they doubled this function, and a
    /// WebAssembly engine optimises one function at a time in the background while the run goes
    /// on in its baseline code, so the per-event path waited for all of them.
    fn dispatch(&mut self, ev: Ev) {
        let core = &mut self.core;
        core.events += 1;
        let (comp, req) = match ev {
            Ev::Arrive { call } | Ev::ServiceDone { call } | Ev::Resume { call } | Ev::Response { call } => {
                let c = &core.calls[call];
                (c.comp as u64, c.req)
            }
            Ev::ClientArrival { comp } | Ev::ScalingEval { comp } | Ev::HealthCheck { comp } | Ev::Cluster { comp } => {
                (comp as u64, 0)
            }
            Ev::InstanceReady { comp, inst } => (comp as u64, inst as u64),
            Ev::MetricsTick | Ev::Warmup | Ev::Layers => (0, 0),
            Ev::Fault { index } => (0, index as u64),
            Ev::Experiment { action, step } => (u64::from(step), u64::from(action)),
            Ev::Deadline { queue } => (u64::from(queue), 0),
            Ev::Retry { call, .. } | Ev::TimedOut { call, .. } => {
                let c = &core.calls[call];
                (c.comp as u64, c.req)
            }
        };
        let mut h = mix(core.hash, core.now);
        h = mix(h, ev.code());
        h = mix(h, comp);
        core.hash = mix(h, req);
        match ev {
            Ev::ClientArrival { comp } => self.nodes[comp as usize].emit(&mut self.core, comp),
            Ev::Arrive { call } => self.on_arrive(call),
            Ev::ServiceDone { call } => {
                let c = self.core.calls[call];
                let next = self.nodes[c.comp as usize].service_done(&mut self.core, call, &c);
                self.apply(call, next);
            }
            Ev::Resume { call } => {
                let c = self.core.calls[call];
                let next = Node::resume(&mut self.nodes, &mut self.core, call, &c);
                self.apply(call, next);
            }
            Ev::Response { call } => self.on_response(call),
            Ev::InstanceReady { comp, inst } => self.nodes[comp as usize].instance_ready(&mut self.core, comp, inst),
            Ev::ScalingEval { comp } => self.nodes[comp as usize].scaling_eval(&mut self.core, comp),
            Ev::Cluster { comp } => {
                if let Node::Group(g) = &mut self.nodes[comp as usize] {
                    super::pods::on_cluster(g, &mut self.core, comp);
                }
            }
            Ev::HealthCheck { comp } => match self.nodes[comp as usize] {
                Node::Alb(_) => super::alb::on_health_check(&mut self.nodes, &mut self.core, comp),
                _ => {
                    if let Some(primary) = super::route53::on_health_check(&mut self.nodes, &mut self.core, comp) {
                        self.activate_standbys(primary);
                    }
                }
            },
            Ev::MetricsTick => self.on_tick(),
            Ev::Layers => self.on_layers_deadline(),
            Ev::Warmup => self.on_warmup(),
            Ev::Fault { index } => self.on_fault(index),
            Ev::Experiment { action, step } => self.on_experiment(action, super::experiments::Step::from_code(step)),
            Ev::Deadline { queue } => self.on_deadline(queue),
            Ev::Retry { call, gen } => {
                // Still the same call (it may have been answered at its deadline meanwhile:
                // its work goes on).
                if self.core.calls.gen(call) == gen {
                    let next = super::compute::retry(&mut self.core, call);
                    self.apply(call, next);
                }
            }
            Ev::TimedOut { call, gen } => {
                // Unless the caller has ended since (a client request at its own deadline).
                if self.core.calls.gen(call) == gen {
                    let p = self.core.calls[call];
                    let t = Some(ErrorCause::Timeout);
                    let next = self.nodes[p.comp as usize].child_done(&mut self.core, call, &p, t, t);
                    self.apply(call, next);
                }
            }
        }
    }

    /// A call reaches its component: counted, then refused if the component is down (Route 53
    /// decides for itself: cached answers outlive it), else handled by its kind.
    #[inline]
    fn on_arrive(&mut self, call: u32) {
        self.core.arrive_stats(call);
        let c = self.core.calls[call];
        let meta = &self.core.meta[c.comp as usize];
        if meta.down && meta.kind != ComponentKind::Route53 {
            let cause = meta.down_cause;
            return self.answer(call, Some(cause), None);
        }
        if meta.bad_share > 0.0 {
            let share = meta.bad_share;
            if self.core.rng.random::<f64>() < share {
                return self.answer(call, Some(ErrorCause::ServerError), None);
            }
        }
        let next = self.nodes[c.comp as usize].arrive(&mut self.core, call, &c);
        self.apply(call, next);
    }

    /// A call's response reaches its caller: the call is gone, its caller's kind goes on.
    #[inline]
    fn on_response(&mut self, call: u32) {
        let c = self.core.calls[call];
        self.core.calls.release(call);
        let parent = c.parent;
        if parent == NONE {
            // Its caller gave up on it at a deadline: nobody is waiting for this answer.
            return;
        }
        let p = self.core.calls[parent];
        let next = self.nodes[p.comp as usize].child_done(&mut self.core, parent, &p, c.error, c.root);
        self.apply(parent, next);
    }

    /// Carries out what a handler of `call` left to do.
    #[inline(always)]
    fn apply(&mut self, call: u32, next: Next) {
        match next {
            Next::Wait => {}
            Next::Answer { error, root } => self.answer(call, error, root),
            Next::OkThenDeliver => {
                let comp = self.core.calls[call].comp;
                self.answer(call, None, None);
                self.nodes[comp as usize].deliver(&mut self.core, comp);
            }
        }
    }

    /// The one way a component answers a call (clients end their requests their own way, see
    /// `client`): the answer and the response to the caller ([`Core::respond`]), then, if the
    /// call held a slot of its component, the kind takes it back ([`Node::release_slot`]).
    ///
    /// [`Core::respond`]: super::core::Core::respond
    ///
    /// A call its component already answered at its deadline (`Flags::TIMED_OUT`) is not
    /// answered again: its work is over, its slot is given back and it is freed.
    pub(super) fn answer(&mut self, call: u32, error: Option<ErrorCause>, root: Option<ErrorCause>) {
        if self.core.calls[call].flags.contains(Flags::TIMED_OUT) {
            let c = self.core.calls[call];
            if c.flags.contains(Flags::ACTIVE) {
                self.nodes[c.comp as usize].release_slot(&mut self.core, &c);
            }
            self.core.calls.release(call);
            return;
        }
        self.core.respond(call, error, root);
        if self.core.calls[call].flags.contains(Flags::ACTIVE) {
            let c = self.core.calls[call];
            self.nodes[c.comp as usize].release_slot(&mut self.core, &c);
        }
        if self.core.calls[call].parent == NONE {
            // Abandoned by its caller at a deadline: no response travels, the slot is free.
            self.core.calls.release(call);
        }
    }

    /// `Deadline`: every call of the queue that is due and still waiting times out: its caller
    /// stops waiting for the call it made (which goes on, unobserved, and is freed when it
    /// answers) and carries on as if that call had failed with [`ErrorCause::Timeout`]; a client
    /// ends the request at once, so its recorded latency is exactly its timeout; a component
    /// answers the call itself (see [`Simulation::component_time_out`]).
    #[inline(never)]
    fn on_deadline(&mut self, queue: u32) {
        let now = self.core.now;
        let component = self.core.deadlines[queue as usize].component;
        loop {
            let calls = &self.core.calls;
            let Some(d) = self.core.deadlines[queue as usize].pop_due(now, |c, g| calls.waiting(c, g)) else { break };
            if component {
                self.component_time_out(d.call);
            } else {
                self.time_out(d.call);
            }
        }
        let calls = &self.core.calls;
        if let Some(at) = self.core.deadlines[queue as usize].rearm(|c, g| calls.waiting(c, g)) {
            self.core.queue.push(at, Ev::Deadline { queue });
        }
    }

    /// The call passed its component's service timeout: the component answers it with
    /// [`ErrorCause::Timeout`] now, so its recorded latency is exactly the timeout, and the
    /// answer travels to the caller (`Ev::TimedOut`) as a response would. The call's work goes
    /// on unobserved, holding what it holds (a vCPU, a worker, a queue place) until it ends;
    /// still queued, it is dropped when dequeued.
    fn component_time_out(&mut self, call: u32) {
        let now = self.core.now;
        let c = self.core.calls[call];
        self.core.calls[call].parent = NONE;
        self.core.respond(call, Some(ErrorCause::Timeout), None);
        self.core.calls[call].flags.insert(Flags::TIMED_OUT);
        if c.parent != NONE {
            let parent = c.parent;
            if self.core.calls.child(parent) == call {
                // A client's request no longer waits on this call: its own deadline must not
                // reach the call (whose slot is freed when its work ends).
                self.core.calls.set_child(parent, NONE);
            }
            let gen = self.core.calls.gen(parent);
            self.core.queue.push(now.saturating_add(u64::from(c.up_ns)), Ev::TimedOut { call: parent, gen });
        }
    }

    /// The call at `call` passed its deadline. For a client's request: the request ends with a
    /// timeout. For a call made over a connection with a timeout (`call` is that call): its
    /// caller is told it timed out.
    fn time_out(&mut self, call: u32) {
        let c = self.core.calls[call];
        let child = self.core.calls.child(call);
        if c.parent == NONE {
            // A client request: abandon what it waits on, then end it.
            if child != NONE {
                self.core.calls[child].parent = NONE;
            }
            self.core.calls.set_child(call, NONE);
            super::client::end_request_at_deadline(&mut self.core, call);
            return;
        }
        // A call over a connection with a timeout: detach it from its caller.
        let parent = c.parent;
        self.core.calls[call].parent = NONE;
        let p = self.core.calls[parent];
        let t = Some(ErrorCause::Timeout);
        let next = self.nodes[p.comp as usize].child_done(&mut self.core, parent, &p, t, t);
        self.apply(parent, next);
    }
}
