//! The storage layer: EBS volumes on a storage cluster in each AZ, attached to instances over
//! the network.
//!
//! A volume lives apart from any instance: it survives the instance's termination (unless it is
//! a root volume marked delete-on-termination), can be detached and attached to another
//! instance in the same AZ, grown in place, and snapshotted. Every disk request crosses the
//! network to the storage cluster, which adds a fixed latency (default 0.4 ms).
//!
//! # The IOPS model
//! Each volume serves I/Os one queue at a time, at its current IOPS limit, driven only by the
//! simulated time the caller passes in ([`Volume::io_completion_time`]).
//!
//! * **gp2**: baseline 3 IOPS per GiB (minimum 100, maximum 16,000). Below 3,000 baseline it
//!   bursts to 3,000 IOPS by spending I/O credits from a bucket of 5.4 million, which refills at
//!   the baseline rate. Bursting drains the bucket at `3,000 − baseline` credits per second; at
//!   0 credits (`BurstBalance` 0%) the volume falls to its baseline.
//! * **gp3**: 3,000 IOPS baseline (configurable up to 16,000), no credits, no cliff.
//! * **io2**: the provisioned IOPS (up to 64,000; Block Express up to 256,000).

use super::physical::typed_id;
use crate::time::{Duration, SimTime};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

typed_id!(
    /// An EBS volume.
    VolumeId
);
typed_id!(
    /// A snapshot.
    SnapshotId
);

/// gp2's credit bucket: 5.4 million I/O credits.
pub const GP2_MAX_CREDITS: f64 = 5_400_000.0;
/// gp2's burst rate.
pub const GP2_BURST_IOPS: u32 = 3_000;
/// gp3's baseline.
pub const GP3_BASELINE_IOPS: u32 = 3_000;
/// Most IOPS an io2 Block Express volume can have.
pub const IO2_MAX_IOPS: u32 = 256_000;

/// The kind of volume.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum VolumeKind {
    /// General purpose SSD with burst credits.
    Gp2,
    /// General purpose SSD with a flat baseline.
    Gp3,
    /// Provisioned-IOPS SSD.
    Io2,
}

impl VolumeKind {
    /// Its name as AWS and the document write it, e.g. `gp3`.
    pub fn name(self) -> &'static str {
        match self {
            VolumeKind::Gp2 => "gp2",
            VolumeKind::Gp3 => "gp3",
            VolumeKind::Io2 => "io2",
        }
    }
}

/// Tunables of the storage layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct StorageParams {
    /// Network round trip between instance and storage cluster, per request, in ms.
    pub attach_latency_ms: f64,
    /// Capacity of each AZ's storage cluster, in GiB.
    pub cluster_capacity_gib: u64,
}

impl Default for StorageParams {
    fn default() -> Self {
        StorageParams { attach_latency_ms: 0.4, cluster_capacity_gib: 1_000_000 }
    }
}

/// Where a volume is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "instance", rename_all = "kebab-case")]
pub enum VolumeState {
    /// Not attached.
    Available,
    /// Attached to the named instance.
    InUse(String),
    /// Deleted.
    Deleted,
}

/// An EBS volume and its I/O state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Volume {
    /// Its id.
    pub id: VolumeId,
    /// Its name, e.g. `vol-db`.
    pub name: String,
    /// AZ, by name.
    pub az: String,
    /// Size in GiB.
    pub size_gib: u32,
    /// Kind.
    pub kind: VolumeKind,
    /// IOPS set for gp3/io2 (ignored for gp2).
    pub provisioned_iops: Option<u32>,
    /// Where it is.
    pub state: VolumeState,
    /// Deleted when the instance it is attached to terminates (root volumes).
    pub delete_on_termination: bool,
    /// gp2 I/O credits left.
    pub credits: f64,
    /// When the I/Os queued so far finish.
    pub busy_until: SimTime,
    /// I/Os completed (scheduled) so far.
    pub ios_done: u64,
    /// False while the storage cluster of its AZ is lost with the AZ.
    #[serde(default = "yes")]
    pub available: bool,
}

fn yes() -> bool {
    true
}

impl Volume {
    /// The IOPS the volume sustains forever.
    pub fn baseline_iops(&self) -> u32 {
        match self.kind {
            VolumeKind::Gp2 => (3 * self.size_gib).clamp(100, 16_000),
            VolumeKind::Gp3 => self.provisioned_iops.unwrap_or(GP3_BASELINE_IOPS).clamp(GP3_BASELINE_IOPS, 16_000),
            VolumeKind::Io2 => self.provisioned_iops.unwrap_or(3_000).clamp(100, IO2_MAX_IOPS),
        }
    }

    /// The IOPS it reaches while it has credits.
    pub fn burst_iops(&self) -> u32 {
        match self.kind {
            VolumeKind::Gp2 => self.baseline_iops().max(GP2_BURST_IOPS),
            _ => self.baseline_iops(),
        }
    }

    fn bursts(&self) -> bool {
        self.burst_iops() > self.baseline_iops()
    }

    /// Credits as of `now` (the bucket refills while the volume is idle).
    fn credits_at(&self, now: SimTime) -> f64 {
        if !self.bursts() {
            return GP2_MAX_CREDITS;
        }
        let idle = now.since(self.busy_until).as_secs_f64();
        (self.credits + idle * self.baseline_iops() as f64).min(GP2_MAX_CREDITS)
    }

    /// `BurstBalance`: the credit bucket's fill in percent (always 100 for gp3 and io2, and
    /// for gp2 volumes whose baseline reaches the burst rate).
    pub fn burst_balance_percent(&self, now: SimTime) -> f64 {
        self.credits_at(now) / GP2_MAX_CREDITS * 100.0
    }

    /// The IOPS limit the next I/O would be served at.
    pub fn iops_limit(&self, now: SimTime) -> u32 {
        if self.bursts() && self.credits_at(now) > 0.5 {
            self.burst_iops()
        } else {
            self.baseline_iops()
        }
    }

    /// Queues `ios` I/Os issued at `now` and returns when the storage cluster has served the
    /// last of them (not counting the network latency). I/Os queue behind earlier ones.
    pub fn serve(&mut self, now: SimTime, ios: u32) -> SimTime {
        if now > self.busy_until {
            self.credits = self.credits_at(now);
            self.busy_until = now;
        }
        let n = ios as f64;
        let b = self.baseline_iops() as f64;
        let burst = self.burst_iops() as f64;
        let secs = if burst <= b {
            n / b
        } else {
            // At burst each I/O costs one credit while the bucket refills at b per second:
            // a net cost of (1 - b/burst) credits per I/O.
            let net = 1.0 - b / burst;
            let at_burst = (self.credits / net).min(n);
            self.credits = (self.credits - at_burst * net).max(0.0);
            if self.credits < 1e-6 {
                self.credits = 0.0;
            }
            at_burst / burst + (n - at_burst) / b
        };
        self.busy_until += Duration::from_secs_f64(secs);
        self.ios_done += ios as u64;
        self.busy_until
    }

    /// I/Os the storage cluster has finished by `now`: those scheduled, less the backlog still
    /// queued (estimated at the current IOPS limit, exact while the limit does not change).
    pub fn ios_served(&self, now: SimTime) -> u64 {
        let backlog = self.busy_until.since(now).as_secs_f64() * self.iops_limit(now) as f64;
        self.ios_done.saturating_sub(backlog.round() as u64)
    }

    /// Like [`Volume::serve`], plus the network round trip to the storage cluster: when the
    /// request's disk step completes.
    pub fn io_completion_time(&mut self, now: SimTime, ios: u32, attach_latency: Duration) -> SimTime {
        self.serve(now, ios) + attach_latency
    }
}

/// A point-in-time copy of a volume.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Its id.
    pub id: SnapshotId,
    /// The volume it was taken from.
    pub volume: VolumeId,
    /// Size of the source, GiB.
    pub size_gib: u32,
    /// When it was taken.
    pub taken_at: SimTime,
}

/// What can go wrong with a volume.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum StorageError {
    /// The AZ's storage cluster is full.
    #[error("storage cluster in {az} has {free} GiB free, {wanted} GiB needed")]
    ClusterFull {
        /// The AZ.
        az: String,
        /// Free GiB.
        free: u64,
        /// Asked GiB.
        wanted: u64,
    },
    /// Attach across AZs.
    #[error("volume {volume} is in {volume_az}; it can only attach to instances in that AZ, not {instance_az}")]
    WrongAz {
        /// Volume name.
        volume: String,
        /// Its AZ.
        volume_az: String,
        /// The instance's AZ.
        instance_az: String,
    },
    /// Attached elsewhere.
    #[error("volume {volume} is already attached to {instance}")]
    InUse {
        /// Volume name.
        volume: String,
        /// The instance.
        instance: String,
    },
    /// Shrinking or deleting in use, and similar.
    #[error("volume {volume}: {why}")]
    Invalid {
        /// Volume name.
        volume: String,
        /// Why.
        why: String,
    },
}

/// Every volume and snapshot of the region, and the storage clusters' usage.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Storage {
    /// Parameters.
    pub params: StorageParams,
    /// Volumes (deleted ones stay, marked).
    pub volumes: Vec<Volume>,
    /// Snapshots.
    pub snapshots: Vec<Snapshot>,
    /// GiB in use per AZ.
    pub used_gib: BTreeMap<String, u64>,
}

impl Storage {
    /// Empty storage with `params`.
    pub fn new(params: StorageParams) -> Self {
        Storage { params, ..Default::default() }
    }

    /// The network round trip to the storage cluster.
    pub fn attach_latency(&self) -> Duration {
        Duration::from_millis_f64(self.params.attach_latency_ms)
    }

    /// Allocates a volume on the AZ's storage cluster (full gp2 credit bucket).
    pub fn create_volume(
        &mut self,
        name: &str,
        az: &str,
        size_gib: u32,
        kind: VolumeKind,
        provisioned_iops: Option<u32>,
    ) -> Result<VolumeId, StorageError> {
        let used = self.used_gib.get(az).copied().unwrap_or(0);
        let free = self.params.cluster_capacity_gib.saturating_sub(used);
        if (size_gib as u64) > free {
            return Err(StorageError::ClusterFull { az: az.into(), free, wanted: size_gib as u64 });
        }
        *self.used_gib.entry(az.into()).or_insert(0) += size_gib as u64;
        let id = VolumeId(self.volumes.len() as u32);
        self.volumes.push(Volume {
            id,
            name: name.into(),
            az: az.into(),
            size_gib,
            kind,
            provisioned_iops,
            state: VolumeState::Available,
            delete_on_termination: false,
            credits: GP2_MAX_CREDITS,
            busy_until: SimTime::ZERO,
            ios_done: 0,
            available: true,
        });
        Ok(id)
    }

    /// The storage cluster of AZ `az` (by name) is lost (`true`: every live volume in it is
    /// unavailable) or back. Returns how many live volumes it holds.
    pub fn set_az_lost(&mut self, az: &str, lost: bool) -> u32 {
        let mut n = 0;
        for v in self.volumes.iter_mut().filter(|v| v.az == az) {
            v.available = !lost;
            n += u32::from(v.state != VolumeState::Deleted);
        }
        n
    }

    /// The volume.
    pub fn volume(&self, id: VolumeId) -> &Volume {
        &self.volumes[id.index()]
    }
    /// The volume, to drive its I/O.
    pub fn volume_mut(&mut self, id: VolumeId) -> &mut Volume {
        &mut self.volumes[id.index()]
    }
    /// The live volume named `name`.
    pub fn volume_by_name(&self, name: &str) -> Option<VolumeId> {
        self.volumes.iter().find(|v| v.name == name && v.state != VolumeState::Deleted).map(|v| v.id)
    }

    /// Attaches the volume to `instance` (which runs in `instance_az`).
    pub fn attach(&mut self, id: VolumeId, instance: &str, instance_az: &str) -> Result<(), StorageError> {
        let v = &mut self.volumes[id.index()];
        match &v.state {
            VolumeState::InUse(i) if i != instance => {
                return Err(StorageError::InUse { volume: v.name.clone(), instance: i.clone() })
            }
            VolumeState::Deleted => {
                return Err(StorageError::Invalid { volume: v.name.clone(), why: "it was deleted".into() })
            }
            _ => {}
        }
        if v.az != instance_az {
            return Err(StorageError::WrongAz {
                volume: v.name.clone(),
                volume_az: v.az.clone(),
                instance_az: instance_az.into(),
            });
        }
        v.state = VolumeState::InUse(instance.into());
        Ok(())
    }

    /// Detaches the volume; its data stays.
    pub fn detach(&mut self, id: VolumeId) {
        let v = &mut self.volumes[id.index()];
        if matches!(v.state, VolumeState::InUse(_)) {
            v.state = VolumeState::Available;
        }
    }

    /// Deletes a detached volume and gives its space back to the cluster.
    pub fn delete(&mut self, id: VolumeId) -> Result<(), StorageError> {
        let v = &mut self.volumes[id.index()];
        match &v.state {
            VolumeState::InUse(i) => Err(StorageError::InUse { volume: v.name.clone(), instance: i.clone() }),
            VolumeState::Deleted => Ok(()),
            VolumeState::Available => {
                v.state = VolumeState::Deleted;
                if let Some(u) = self.used_gib.get_mut(&v.az) {
                    *u = u.saturating_sub(v.size_gib as u64);
                }
                Ok(())
            }
        }
    }

    /// Grows the volume and/or changes its kind in place (EBS elastic volumes): data, credits
    /// and attachment stay. Shrinking is refused.
    pub fn modify(
        &mut self,
        id: VolumeId,
        size_gib: u32,
        kind: VolumeKind,
        provisioned_iops: Option<u32>,
    ) -> Result<(), StorageError> {
        let v = &self.volumes[id.index()];
        if size_gib < v.size_gib {
            return Err(StorageError::Invalid {
                volume: v.name.clone(),
                why: format!("volumes only grow ({} GiB -> {size_gib} GiB asked)", v.size_gib),
            });
        }
        let extra = (size_gib - v.size_gib) as u64;
        let az = v.az.clone();
        let used = self.used_gib.get(&az).copied().unwrap_or(0);
        let free = self.params.cluster_capacity_gib.saturating_sub(used);
        if extra > free {
            return Err(StorageError::ClusterFull { az, free, wanted: extra });
        }
        *self.used_gib.entry(az).or_insert(0) += extra;
        let v = &mut self.volumes[id.index()];
        v.size_gib = size_gib;
        v.kind = kind;
        v.provisioned_iops = provisioned_iops;
        Ok(())
    }

    /// Takes a snapshot of the volume at `now`.
    pub fn snapshot(&mut self, id: VolumeId, now: SimTime) -> SnapshotId {
        let sid = SnapshotId(self.snapshots.len() as u32);
        self.snapshots.push(Snapshot {
            id: sid,
            volume: id,
            size_gib: self.volumes[id.index()].size_gib,
            taken_at: now,
        });
        sid
    }

    /// Restores a snapshot into a new volume (at least the snapshot's size), in any AZ.
    pub fn restore(
        &mut self,
        snap: SnapshotId,
        name: &str,
        az: &str,
        size_gib: u32,
        kind: VolumeKind,
    ) -> Result<VolumeId, StorageError> {
        let s = &self.snapshots[snap.index()];
        if size_gib < s.size_gib {
            return Err(StorageError::Invalid {
                volume: name.into(),
                why: format!("must be at least the snapshot's {} GiB", s.size_gib),
            });
        }
        self.create_volume(name, az, size_gib, kind, None)
    }

    /// Drives the volume with a closed-loop writer (the next `batch` I/Os are issued the moment
    /// the previous ones finish) from `start` for `length`, and reports the IOPS achieved and
    /// the `BurstBalance` for every `sample` window. What a benchmark like `fio` would show.
    pub fn saturate(
        &mut self,
        id: VolumeId,
        start: SimTime,
        length: Duration,
        sample: Duration,
        batch: u32,
    ) -> Vec<IoSample> {
        let end = start + length;
        let v = &mut self.volumes[id.index()];
        let mut out = Vec::new();
        let mut t = start;
        let mut window_start = start;
        let mut window_ios = 0u64;
        while t < end {
            t = v.serve(t, batch);
            window_ios += batch as u64;
            while t >= window_start + sample && window_start + sample <= end {
                let secs = sample.as_secs_f64();
                out.push(IoSample {
                    at: window_start + sample,
                    iops: window_ios as f64 / secs,
                    burst_balance_percent: v.burst_balance_percent(window_start + sample),
                });
                window_start += sample;
                window_ios = 0;
            }
        }
        out
    }
}

/// One window of [`Storage::saturate`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct IoSample {
    /// End of the window.
    pub at: SimTime,
    /// I/Os per second completed in the window.
    pub iops: f64,
    /// `BurstBalance` at the end of the window.
    pub burst_balance_percent: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vol(kind: VolumeKind, size: u32, iops: Option<u32>) -> (Storage, VolumeId) {
        let mut s = Storage::new(StorageParams::default());
        let id = s.create_volume("v", "ap-northeast-2a", size, kind, iops).unwrap();
        (s, id)
    }

    #[test]
    fn baselines_follow_the_published_rules() {
        let b = |k, size, iops| vol(k, size, iops).0.volumes[0].baseline_iops();
        assert_eq!(b(VolumeKind::Gp2, 100, None), 300);
        assert_eq!(b(VolumeKind::Gp2, 200, None), 600);
        assert_eq!(b(VolumeKind::Gp2, 8, None), 100);
        assert_eq!(b(VolumeKind::Gp2, 10_000, None), 16_000);
        assert_eq!(b(VolumeKind::Gp3, 8, None), 3_000);
        assert_eq!(b(VolumeKind::Gp3, 8, Some(12_000)), 12_000);
        assert_eq!(b(VolumeKind::Io2, 500, Some(256_000)), 256_000);
        assert_eq!(b(VolumeKind::Io2, 500, Some(999_999)), 256_000);
        let (s, _) = vol(VolumeKind::Gp2, 1_000, None);
        assert_eq!(s.volumes[0].burst_iops(), 3_000);
        assert_eq!(s.volumes[0].burst_balance_percent(SimTime::ZERO), 100.0);
    }

    #[test]
    fn burst_then_baseline_then_refill() {
        let (mut s, id) = vol(VolumeKind::Gp2, 100, None);
        let v = s.volume_mut(id);
        // 3,000 I/Os at burst: one second.
        let done = v.serve(SimTime::ZERO, 3_000);
        assert_eq!(done, SimTime::ZERO + Duration::from_secs(1));
        // Net drain 2,700 credits per second of burst.
        assert!((v.credits - (GP2_MAX_CREDITS - 2_700.0)).abs() < 1e-6);
        v.credits = 0.0;
        assert_eq!(v.iops_limit(done), 300);
        let t = v.serve(done, 300);
        assert_eq!(t.since(done), Duration::from_secs(1));
        // Ten idle seconds refill 3,000 credits.
        let later = t + Duration::from_secs(10);
        assert!((v.burst_balance_percent(later) - 3_000.0 / GP2_MAX_CREDITS * 100.0).abs() < 1e-9);
        assert_eq!(v.iops_limit(later), 3_000);
    }

    #[test]
    fn completion_adds_the_network_round_trip_and_queues() {
        let (mut s, id) = vol(VolumeKind::Gp3, 8, None);
        let lat = s.attach_latency();
        assert_eq!(lat, Duration::from_micros(400));
        let v = s.volume_mut(id);
        let a = v.io_completion_time(SimTime::ZERO, 3, lat);
        assert_eq!(a, SimTime(1_000_000 + 400_000));
        // Issued at the same instant, the next request waits for the first.
        let b = v.io_completion_time(SimTime::ZERO, 3, lat);
        assert_eq!(b, SimTime(2_000_000 + 400_000));
    }

    #[test]
    fn volumes_outlive_instances_reattach_grow_and_snapshot() {
        let (mut s, id) = vol(VolumeKind::Gp2, 100, None);
        s.attach(id, "db-1", "ap-northeast-2a").unwrap();
        assert!(matches!(s.attach(id, "db-2", "ap-northeast-2a"), Err(StorageError::InUse { .. })));
        assert!(s.delete(id).is_err());
        s.detach(id);
        assert!(matches!(s.attach(id, "db-2", "ap-northeast-2b"), Err(StorageError::WrongAz { .. })));
        s.attach(id, "db-2", "ap-northeast-2a").unwrap();
        s.modify(id, 200, VolumeKind::Gp2, None).unwrap();
        assert_eq!(s.volume(id).baseline_iops(), 600);
        assert!(s.modify(id, 50, VolumeKind::Gp2, None).is_err());
        assert_eq!(s.used_gib["ap-northeast-2a"], 200);
        let snap = s.snapshot(id, SimTime(5));
        let copy = s.restore(snap, "copy", "ap-northeast-2b", 200, VolumeKind::Gp3).unwrap();
        assert_eq!(s.volume(copy).size_gib, 200);
        assert!(s.restore(snap, "small", "ap-northeast-2b", 100, VolumeKind::Gp3).is_err());
    }

    #[test]
    fn cluster_capacity_is_enforced() {
        let mut s = Storage::new(StorageParams { cluster_capacity_gib: 100, ..Default::default() });
        s.create_volume("a", "az", 80, VolumeKind::Gp3, None).unwrap();
        assert!(matches!(
            s.create_volume("b", "az", 30, VolumeKind::Gp3, None),
            Err(StorageError::ClusterFull { free: 20, .. })
        ));
        s.delete(VolumeId(0)).unwrap();
        s.create_volume("b", "az", 30, VolumeKind::Gp3, None).unwrap();
    }
}
