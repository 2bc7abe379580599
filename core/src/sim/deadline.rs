//! Deadlines that fire on time, at almost no cost for the calls that finish before them.
//!
//! Every timeout in a place is the same length (a client population's timeout, one
//! connection's timeout), so deadlines are set in the order they fall due: a FIFO per place is
//! a sorted list. Only its oldest entry has a timer in the event queue; a deadline is cancelled
//! by nothing more than its call finishing (the slab bumps the call's generation when it frees
//! the slot), and dead entries are dropped from the front as new ones are pushed. So a request
//! that answers in time costs one push and one pop here and no event at all, and the timer fires
//! about once per timeout period unless something really times out.
//!
//! A place is a client population (its requests), a connection with a timeout (the calls made
//! over it, on behalf of their caller) or a component with a service timeout (the calls it
//! serves, on its own behalf: see [`DeadlineQueue::component`]).

use std::collections::VecDeque;

/// One pending deadline: the call `(slot, generation)` is due at `at`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Deadline {
    pub(super) at: u64,
    pub(super) call: u32,
    pub(super) gen: u32,
}

/// The deadlines of one place, in the order they fall due.
#[derive(Clone, Debug)]
pub(super) struct DeadlineQueue {
    /// How long after its start a call is due.
    pub(super) timeout_ns: u64,
    /// The deadlines of a component's own service timeout: the component answers the call
    /// (rather than a caller or a client giving up on it).
    pub(super) component: bool,
    entries: VecDeque<Deadline>,
    /// The time the timer in the event queue fires at (`None`: no timer).
    armed: Option<u64>,
}

impl DeadlineQueue {
    /// The deadlines of a client population's requests or of the calls over a connection.
    pub(super) fn new(timeout_ns: u64) -> Self {
        DeadlineQueue { timeout_ns, component: false, entries: VecDeque::new(), armed: None }
    }

    /// The deadlines of the calls a component serves with a service timeout.
    pub(super) fn component(timeout_ns: u64) -> Self {
        DeadlineQueue { component: true, ..Self::new(timeout_ns) }
    }

    /// Adds the deadline of a call starting at `now`, first dropping entries at the front whose
    /// call is no longer waiting (`alive` says which are). Returns the time to arm the timer at
    /// when it is not armed yet.
    #[inline]
    pub(super) fn push(&mut self, now: u64, call: u32, gen: u32, alive: impl Fn(u32, u32) -> bool) -> Option<u64> {
        while self.entries.front().is_some_and(|d| !alive(d.call, d.gen)) {
            self.entries.pop_front();
        }
        let at = now.saturating_add(self.timeout_ns);
        self.entries.push_back(Deadline { at, call, gen });
        if self.armed.is_none() {
            self.armed = Some(at);
            Some(at)
        } else {
            None
        }
    }

    /// The timer fired at `now`: takes the next due deadline whose call is still waiting, or
    /// `None` when none is due. Call it until it returns `None`, then [`DeadlineQueue::rearm`].
    pub(super) fn pop_due(&mut self, now: u64, alive: impl Fn(u32, u32) -> bool) -> Option<Deadline> {
        self.armed = None;
        while let Some(&d) = self.entries.front() {
            if d.at > now {
                return None;
            }
            self.entries.pop_front();
            if alive(d.call, d.gen) {
                return Some(d);
            }
        }
        None
    }

    /// After the due deadlines were taken: drops dead entries at the front and returns the time
    /// the timer must fire next (`None`: nothing is waiting).
    pub(super) fn rearm(&mut self, alive: impl Fn(u32, u32) -> bool) -> Option<u64> {
        while self.entries.front().is_some_and(|d| !alive(d.call, d.gen)) {
            self.entries.pop_front();
        }
        let at = self.entries.front().map(|d| d.at);
        self.armed = at;
        at
    }

    /// Deadlines held (live or not yet dropped).
    #[cfg(test)]
    pub(super) fn len(&self) -> usize {
        self.entries.len()
    }
}

/// One cancellable timer for a subsystem that says when it next needs time (the layers): it
/// keeps the time it is armed for; arming it earlier asks for a new event, and an event that
/// fires for a time it is no longer armed for is stale and ignored. Nothing is searched for or
/// removed from the event queue.
#[derive(Clone, Debug, Default)]
pub(super) struct Timer {
    armed: Option<u64>,
}

impl Timer {
    /// Asks for the timer to fire at `at` (or earlier, if it already is): returns the time to
    /// push an event at, when one is needed.
    pub(super) fn arm(&mut self, at: u64) -> Option<u64> {
        if self.armed.is_some_and(|a| a <= at) {
            return None;
        }
        self.armed = Some(at);
        Some(at)
    }

    /// An event for the timer fires at `now`: whether it is the live one (the timer is then
    /// disarmed) rather than a stale one.
    pub(super) fn fire(&mut self, now: u64) -> bool {
        if self.armed == Some(now) {
            self.armed = None;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timer_fires_once_at_its_earliest_time_and_ignores_stale_events() {
        let mut t = Timer::default();
        assert_eq!(t.arm(100), Some(100));
        assert_eq!(t.arm(150), None, "armed earlier already");
        assert_eq!(t.arm(40), Some(40), "earlier: a new event; the one at 100 is now stale");
        assert!(t.fire(40));
        assert!(!t.fire(100), "stale");
        assert_eq!(t.arm(100), Some(100));
        assert!(t.fire(100));
        assert!(!t.fire(100), "a second event at the same time finds it disarmed");
    }

    #[test]
    fn only_the_first_push_arms_and_due_calls_come_out_in_order() {
        let mut q = DeadlineQueue::new(100);
        let live = |_: u32, _: u32| true;
        assert_eq!(q.push(0, 1, 0, live), Some(100));
        assert_eq!(q.push(10, 2, 0, live), None);
        assert_eq!(q.push(20, 3, 0, live), None);
        assert_eq!(q.pop_due(110, live).map(|d| d.call), Some(1));
        assert_eq!(q.pop_due(110, live).map(|d| d.call), Some(2));
        assert_eq!(q.pop_due(110, live), None);
        assert_eq!(q.rearm(live), Some(120));
    }

    #[test]
    fn finished_calls_cost_no_timer_and_are_dropped_as_new_ones_come() {
        let mut q = DeadlineQueue::new(1000);
        let mut done = std::collections::BTreeSet::new();
        let armed = q.push(0, 0, 0, |_, _| true);
        assert_eq!(armed, Some(1000));
        // A thousand calls, each finishing before the next starts.
        for i in 1..1000u32 {
            done.insert(i - 1);
            let alive = |c: u32, _: u32| !done.contains(&c);
            assert_eq!(q.push(u64::from(i), i, 0, alive), None);
            assert!(q.len() <= 2, "dead entries are dropped at the front");
        }
        done.insert(999);
        // The one timer fires at 1000: nothing is due, nothing waits.
        let alive = |c: u32, _: u32| !done.contains(&c);
        assert_eq!(q.pop_due(1000, alive), None);
        assert_eq!(q.rearm(alive), None);
    }

    #[test]
    fn a_reused_slot_is_not_mistaken_for_the_call_that_left_it() {
        let mut q = DeadlineQueue::new(50);
        q.push(0, 7, 3, |_, _| true);
        // Slot 7 now holds generation 4: the deadline of generation 3 is stale.
        assert_eq!(q.pop_due(50, |c, g| c == 7 && g == 4), None);
    }
}
