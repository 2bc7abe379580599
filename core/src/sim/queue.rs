//! The future event list: a binary min-heap of small `Copy` entries ordered by (time, sequence).
//! Events at the same instant run in the order they were scheduled, on every platform.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

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
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub(crate) time: u64,
    pub(crate) seq: u64,
    pub(crate) ev: Ev,
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed: BinaryHeap is a max-heap and we want the earliest first.
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Pending events.
#[derive(Debug)]
pub(crate) struct EventQueue {
    heap: BinaryHeap<Entry>,
    seq: u64,
}

impl EventQueue {
    pub(crate) fn with_capacity(n: usize) -> Self {
        EventQueue { heap: BinaryHeap::with_capacity(n), seq: 0 }
    }
    #[inline]
    pub(crate) fn push(&mut self, time: u64, ev: Ev) {
        self.seq += 1;
        self.heap.push(Entry { time, seq: self.seq, ev });
    }
    #[inline]
    pub(crate) fn peek_time(&self) -> Option<u64> {
        self.heap.peek().map(|e| e.time)
    }
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<Entry> {
        self.heap.pop()
    }
    pub(crate) fn capacity(&self) -> usize {
        self.heap.capacity()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_time_pops_in_schedule_order() {
        let mut q = EventQueue::with_capacity(4);
        q.push(5, Ev::Arrive { call: 1 });
        q.push(3, Ev::Arrive { call: 2 });
        q.push(5, Ev::Arrive { call: 3 });
        q.push(3, Ev::Arrive { call: 4 });
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|e| e.ev).collect();
        assert_eq!(
            order,
            vec![Ev::Arrive { call: 2 }, Ev::Arrive { call: 4 }, Ev::Arrive { call: 1 }, Ev::Arrive { call: 3 }]
        );
    }
}
