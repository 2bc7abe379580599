//! The future event list: a binary min-heap of small `Copy` entries ordered by (time, sequence).
//! Events at the same instant run in the order they were scheduled, on every platform.

/// What happens. Small and `Copy`: the heap moves these around a lot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ev {
    /// A client population emits its next request.
    ClientArrival { comp: u32 },
    /// A call reaches its component.
    Arrive { call: u32 },
    /// A call's CPU (or node) service finished.
    ServiceDone { call: u32 },
    /// A call's fixed delay (processing, lookup, commit, cold start...) finished.
    Resume { call: u32 },
    /// A finished call's response reaches its caller.
    Response { call: u32 },
    /// An Auto Scaling instance finished launching.
    InstanceReady { comp: u32, inst: u32 },
    /// A target-tracking policy evaluates its metric.
    ScalingEval { comp: u32 },
    /// Route 53 runs its health checks.
    HealthCheck { comp: u32 },
    /// Time-series bucket boundary.
    MetricsTick,
    /// End of the warm-up: statistics restart.
    Warmup,
    /// A scheduled fault or operator action.
    Fault { index: u32 },
    /// An experiment action starts, ends or moves to its next stage (`step`, see
    /// `experiments::Step`).
    Experiment { action: u32, step: u32 },
    /// The first deadline of a deadline queue falls due.
    Deadline { queue: u32 },
    /// A compute call's backoff is over: it retries its current outgoing call.
    Retry { call: u32, gen: u32 },
    /// The timeout a callee answered at its deadline reaches the caller `call` (generation
    /// `gen`, so a caller that has since ended is recognised).
    TimedOut { call: u32, gen: u32 },
    /// The layers' next deadline (a launch, stop or termination completing) falls due.
    Layers,
    /// An EKS deployment's cluster has something due (a node, a pod phase, the HPA, the
    /// cluster autoscaler).
    Cluster { comp: u32 },
}

impl Ev {
    /// A small stable number per event kind, for the trace hash.
    pub(crate) fn code(&self) -> u64 {
        match self {
            Ev::ClientArrival { .. } => 1,
            Ev::Arrive { .. } => 2,
            Ev::ServiceDone { .. } => 3,
            Ev::Resume { .. } => 4,
            Ev::Response { .. } => 5,
            Ev::InstanceReady { .. } => 6,
            Ev::ScalingEval { .. } => 7,
            Ev::HealthCheck { .. } => 8,
            Ev::MetricsTick => 9,
            Ev::Warmup => 10,
            Ev::Fault { .. } => 11,
            Ev::Experiment { .. } => 12,
            Ev::Deadline { .. } => 13,
            Ev::Retry { .. } => 14,
            Ev::TimedOut { .. } => 15,
            Ev::Layers => 16,
            Ev::Cluster { .. } => 17,
        }
    }
}

/// A heap entry: the (time, sequence) pair packed in one `u128` (time in the high half) so an
/// ordering is a single integer comparison.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    key: u128,
    pub(crate) ev: Ev,
}

impl Entry {
    #[inline]
    pub(crate) fn time(&self) -> u64 {
        (self.key >> 64) as u64
    }
}

/// Pending events: a binary min-heap on `key`. Hand-written rather than `std`'s `BinaryHeap`
/// because the standard `pop` swaps entries in 8-byte pieces and then reads them back whole,
/// which stalls store forwarding on every event; here entries move as whole values into a hole.
#[derive(Clone, Debug)]
pub(crate) struct EventQueue {
    heap: Vec<Entry>,
    seq: u64,
    /// Sequence number of the last event scheduled while the run was built.
    built: u64,
}

/// The first sequence number of the events a run schedules as it plays: those scheduled while
/// it is built (whatever their number) come before them at the same instant, and events
/// scheduled while playing are numbered the same whatever the build scheduled (so an
/// experiment action can join a run in play in the place it would have had from the start).
const PLAY_SEQ: u64 = 1 << 40;

impl EventQueue {
    pub(crate) fn with_capacity(n: usize) -> Self {
        EventQueue { heap: Vec::with_capacity(n), seq: 0, built: 0 }
    }

    /// The run is built: what is scheduled from now on is numbered from [`PLAY_SEQ`].
    pub(crate) fn built(&mut self) {
        self.built = self.seq;
        self.seq = self.seq.max(PLAY_SEQ);
    }

    /// Sequence number of the last event scheduled while the run was built.
    pub(crate) fn built_seq(&self) -> u64 {
        self.built
    }

    #[inline]
    pub(crate) fn push(&mut self, time: u64, ev: Ev) {
        self.seq += 1;
        let e = Entry { key: (u128::from(time) << 64) | u128::from(self.seq), ev };
        let mut i = self.heap.len();
        self.heap.push(e);
        while i > 0 {
            let p = (i - 1) / 2;
            if self.heap[p].key <= e.key {
                break;
            }
            self.heap[i] = self.heap[p];
            i = p;
        }
        self.heap[i] = e;
    }

    #[inline]
    pub(crate) fn peek_time(&self) -> Option<u64> {
        self.heap.first().map(Entry::time)
    }

    #[inline]
    pub(crate) fn pop(&mut self) -> Option<Entry> {
        let last = self.heap.pop()?;
        let n = self.heap.len();
        if n == 0 {
            return Some(last);
        }
        let top = self.heap[0];
        let mut i = 0;
        loop {
            let l = 2 * i + 1;
            if l >= n {
                break;
            }
            let r = l + 1;
            let c = if r < n && self.heap[r].key < self.heap[l].key { r } else { l };
            if self.heap[c].key >= last.key {
                break;
            }
            self.heap[i] = self.heap[c];
            i = c;
        }
        self.heap[i] = last;
        Some(top)
    }

    pub(crate) fn capacity(&self) -> usize {
        self.heap.capacity()
    }

    /// Pending events as (time, sequence, event), in no particular order.
    pub(crate) fn pending(&self) -> impl Iterator<Item = (u64, u64, Ev)> + '_ {
        self.heap.iter().map(|e| ((e.key >> 64) as u64, e.key as u64, e.ev))
    }

    /// Schedules `ev` as the build of another run did (`seq`: its number there, which must be
    /// after this run's build and unused here), and counts it as scheduled by the build.
    pub(crate) fn push_built(&mut self, time: u64, seq: u64, ev: Ev) {
        debug_assert!(seq > self.built && seq < PLAY_SEQ);
        let saved = self.seq;
        self.seq = seq - 1;
        self.push(time, ev);
        self.seq = saved;
        self.built = self.built.max(seq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_in_time_then_sequence_order_at_any_size() {
        let mut q = EventQueue::with_capacity(4);
        let mut x: u64 = 12345;
        let mut expect = Vec::new();
        for seq in 1..=2000u64 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let t = (x >> 33) % 50;
            q.push(t, Ev::Arrive { call: seq as u32 });
            expect.push((t, seq));
        }
        expect.sort();
        let got: Vec<(u64, u64)> = std::iter::from_fn(|| q.pop())
            .map(|e| match e.ev {
                Ev::Arrive { call } => (e.time(), u64::from(call)),
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(got, expect);
    }

    #[test]
    fn same_time_pops_in_schedule_order() {
        let mut q = EventQueue::with_capacity(4);
        q.push(5, Ev::Arrive { call: 1 });
        q.push(3, Ev::Arrive { call: 2 });
        q.push(5, Ev::Arrive { call: 3 });
        q.push(3, Ev::Arrive { call: 4 });
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|e| e.ev).collect();
        assert!(q.pop().is_none());
        assert_eq!(
            order,
            vec![Ev::Arrive { call: 2 }, Ev::Arrive { call: 4 }, Ev::Arrive { call: 1 }, Ev::Arrive { call: 3 }]
        );
    }
}
