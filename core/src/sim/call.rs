//! Calls: one component's part of a request ([`Call`]), its flags, its phase and the slab the
//! live calls sit in ([`CallSlab`]: a free list, so the hot path does not allocate).

use super::ErrorCause;
use std::ops::{BitOr, Index, IndexMut};

/// No component, instance, call or target (a `u32` index not in use).
pub(super) const NONE: u32 = u32::MAX;
/// No region, AZ, client ordinal or blocked path (a `u16` index not in use).
pub(super) const NONE16: u16 = u16::MAX;

/// What a call is or has been through: a set of bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Flags(u16);

impl Flags {
    /// No flag.
    pub(super) const EMPTY: Flags = Flags(0);
    /// Its request's journey is recorded.
    pub(super) const SAMPLED: Flags = Flags(1);
    /// It arrived after the warm-up: it counts in the statistics.
    pub(super) const COUNTED: Flags = Flags(2);
    /// Its request type writes.
    pub(super) const WRITE: Flags = Flags(4);
    /// It has been answered (or its slot is free).
    pub(super) const DONE: Flags = Flags(8);
    /// It holds a slot of its component (a group instance's connection, a Lambda environment)
    /// that its kind gives back when it answers.
    pub(super) const ACTIVE: Flags = Flags(16);
    /// An SQS delivery: the root of a message handed to a consumer.
    pub(super) const DELIVERY: Flags = Flags(32);
    /// It reached its component.
    pub(super) const ARRIVED: Flags = Flags(64);
    /// It holds one of its instance's workers (an instance with a worker pool), which its
    /// group gives back when it answers.
    pub(super) const WORKER: Flags = Flags(128);
    /// Its component answered it with a timeout at its deadline while its work went on,
    /// unobserved (its caller detached): when that work ends nothing more is answered, the
    /// slots it held are given back and the call is freed.
    pub(super) const TIMED_OUT: Flags = Flags(256);
    /// It came from the internet (a client population, directly or through Route 53) to a
    /// component in a region: its answer is data transfer out (the cost model).
    pub(super) const FROM_INTERNET: Flags = Flags(512);
    /// It crosses from one AZ to another of the region (the cost model).
    pub(super) const CROSS_AZ: Flags = Flags(1024);
    /// It crosses from one region to another (the cost model).
    pub(super) const CROSS_REGION: Flags = Flags(2048);

    /// Whether every flag of `other` is set.
    #[inline(always)]
    pub(super) const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }
    /// Sets the flags of `other`.
    #[inline(always)]
    pub(super) fn insert(&mut self, other: Flags) {
        self.0 |= other.0;
    }
    /// The flags set both here and in `other`.
    #[inline(always)]
    pub(super) const fn intersection(self, other: Flags) -> Flags {
        Flags(self.0 & other.0)
    }
    /// The flags a request passes on to the calls it makes (and SQS to its messages).
    #[inline(always)]
    pub(super) const fn inherited(self) -> Flags {
        self.intersection(Flags(Flags::SAMPLED.0 | Flags::WRITE.0))
    }
}

impl BitOr for Flags {
    type Output = Flags;
    #[inline(always)]
    fn bitor(self, rhs: Flags) -> Flags {
        Flags(self.0 | rhs.0)
    }
}

/// What the next `Resume` event of a call is for: the fixed delay its component started.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Phase {
    /// No delay pending.
    None,
    /// Route 53: the resolver's query (cache miss) is done.
    Resolve,
    /// CloudFront: the edge looked the object up.
    Lookup,
    /// ALB: the request was processed; pick a target.
    Pick,
    /// EC2 / Auto Scaling: the disk step is done.
    Disk,
    /// RDS: the synchronous commit to the standby is done.
    Commit,
    /// S3, DynamoDB: the operation's latency is over; answer.
    Reply,
    /// Lambda: the invocation (with its cold start) ran.
    Run,
    /// SQS: the message is stored.
    Send,
}

/// One component's part of a request. Small and `Copy`: handlers copy it out of the slab.
#[derive(Clone, Copy, Debug)]
pub(super) struct Call {
    /// Request number.
    pub(super) req: u64,
    /// When it arrived at its component.
    pub(super) arrived: u64,
    /// The call that made it (`NONE`: a root).
    pub(super) parent: u32,
    /// Its component (`NONE`: the slot is free).
    pub(super) comp: u32,
    /// Instance, replica, node, prefix or resolver cache slot (`NONE`: not chosen yet).
    pub(super) inst: u32,
    /// One-way latency of the hop from the caller, which the response takes back.
    pub(super) up_ns: u32,
    /// Compute kinds: the outgoing connection being called.
    pub(super) step: u16,
    /// Compute kinds: calls still to make on that connection.
    pub(super) remaining: u16,
    /// Ordinal of the client population the request came from (`NONE16`: none).
    pub(super) origin: u16,
    /// AZ it runs in (`NONE16`: unknown).
    pub(super) az: u16,
    /// Request type index.
    pub(super) rtype: u8,
    /// What its next `Resume` is for.
    pub(super) phase: Phase,
    /// How it answered: `None` for success (or not answered yet), else why it failed.
    pub(super) error: Option<ErrorCause>,
    /// The root cause carried to the client (`None` on success).
    pub(super) root: Option<ErrorCause>,
    pub(super) flags: Flags,
    /// Components between the client and here.
    pub(super) hops: u8,
    /// Compute kinds: attempts made of the current outgoing call (retries after the first).
    pub(super) attempt: u8,
}

// The slab and the event loop copy calls around: keep them this small.
const _: () = assert!(std::mem::size_of::<Call>() == 48);

impl Call {
    /// A call with no parent (a client's request, an SQS delivery) arriving at `comp` at `now`.
    pub(super) fn root(req: u64, now: u64, comp: u32, origin: u16, rtype: u8, flags: Flags) -> Self {
        Call {
            req,
            arrived: now,
            parent: NONE,
            comp,
            inst: NONE,
            up_ns: 0,
            step: 0,
            remaining: 0,
            origin,
            az: NONE16,
            rtype,
            phase: Phase::None,
            error: None,
            root: None,
            flags,
            hops: 0,
            attempt: 0,
        }
    }

    /// Index of its request type in per-type tables (service-time samplers).
    #[inline(always)]
    pub(super) fn type_index(&self) -> usize {
        self.rtype as usize
    }
}

/// The live calls: a slab indexed by call number, with a free list of released slots.
#[derive(Clone, Debug)]
pub(super) struct CallSlab {
    calls: Vec<Call>,
    /// Per slot: its generation (bumped when the slot is freed, so a deadline or timer set for
    /// an earlier call in the slot is recognised as stale) and, for client requests, the call it
    /// is waiting on.
    links: Vec<Link>,
    free: Vec<u32>,
    /// Calls alive at once at most.
    max: usize,
}

impl CallSlab {
    pub(super) fn new(capacity: usize, max: usize) -> Self {
        CallSlab {
            calls: Vec::with_capacity(capacity),
            links: Vec::with_capacity(capacity),
            free: Vec::with_capacity(capacity),
            max,
        }
    }

    /// Stores a call; `None` when `max` calls are alive.
    #[inline]
    pub(super) fn alloc(&mut self, c: Call) -> Option<u32> {
        if let Some(i) = self.free.pop() {
            self.calls[i as usize] = c;
            Some(i)
        } else if self.calls.len() < self.max {
            self.calls.push(c);
            self.links.push(Link { gen: 0, child: NONE });
            Some(self.calls.len() as u32 - 1)
        } else {
            None
        }
    }

    /// Frees a call's slot.
    #[inline]
    pub(super) fn release(&mut self, i: u32) {
        self.calls[i as usize].flags = Flags::DONE;
        self.calls[i as usize].comp = NONE;
        let l = &mut self.links[i as usize];
        l.gen = l.gen.wrapping_add(1);
        self.free.push(i);
    }

    /// The slot's generation: `(slot, generation)` names one call for as long as it lives.
    #[inline(always)]
    pub(super) fn gen(&self, i: u32) -> u32 {
        self.links[i as usize].gen
    }

    /// Whether `(i, gen)` is still the same call and it has not answered.
    #[inline]
    pub(super) fn waiting(&self, i: u32, gen: u32) -> bool {
        self.links[i as usize].gen == gen && !self.calls[i as usize].flags.contains(Flags::DONE)
    }

    /// Records that `parent` waits on `child`. Kept only where a deadline may need it (a client
    /// request's call to its entry point); stale once that call answers.
    #[inline(always)]
    pub(super) fn set_child(&mut self, parent: u32, child: u32) {
        self.links[parent as usize].child = child;
    }

    /// The call `parent` waits on, if any.
    #[inline]
    pub(super) fn child(&self, parent: u32) -> u32 {
        self.links[parent as usize].child
    }

    /// Slots reserved (live and free).
    pub(super) fn capacity(&self) -> usize {
        self.calls.capacity()
    }

    /// Heap memory held, bytes.
    pub(super) fn heap_bytes(&self) -> usize {
        self.calls.capacity() * std::mem::size_of::<Call>()
            + self.links.capacity() * std::mem::size_of::<Link>()
            + self.free.capacity() * std::mem::size_of::<u32>()
    }

    /// Every slot ever used, live or free (free ones have `comp == NONE`).
    pub(super) fn slots(&self) -> &[Call] {
        &self.calls
    }
}

/// What the slab keeps beside each call.
#[derive(Clone, Copy, Debug)]
struct Link {
    gen: u32,
    child: u32,
}

impl Index<u32> for CallSlab {
    type Output = Call;
    #[inline(always)]
    fn index(&self, i: u32) -> &Call {
        &self.calls[i as usize]
    }
}

impl IndexMut<u32> for CallSlab {
    #[inline(always)]
    fn index_mut(&mut self, i: u32) -> &mut Call {
        &mut self.calls[i as usize]
    }
}
