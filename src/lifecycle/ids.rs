//! Deterministic identities (SPEC Y1): uids and disk ids from counters, creation times derived
//! from uids, and one resourceVersion counter. No clock is read.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use k8s_openapi::jiff::Timestamp;

/// The counters of one world.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Ids {
    uid: u64,
    disk: u64,
    resource_version: u64,
}

/// The uid prefix of objects created by steps and settles.
const CREATED: &str = "00000000-0000-0000-0000-";
/// The uid prefix of objects of the starting world written without a uid.
const STARTING: &str = "00000000-0000-0000-0001-";

/// Midnight, 1 January 2026: the creation time of uid 0.
const EPOCH_SECONDS: i64 = 1_767_225_600;

/// A creation time `seconds` after the epoch (a year earlier for the starting world).
fn time(seconds: u64, starting: bool) -> Option<Time> {
    let offset = i64::try_from(seconds).ok()?;
    let base = if starting {
        EPOCH_SECONDS.checked_sub(365 * 24 * 3600)?
    } else {
        EPOCH_SECONDS
    };
    Timestamp::from_second(base.checked_add(offset)?)
        .ok()
        .map(Time)
}

impl Ids {
    /// Stamps a new object: the next uid, its creation time, a resourceVersion.
    pub(crate) fn create(&mut self, meta: &mut ObjectMeta) {
        self.uid = self.uid.saturating_add(1);
        meta.uid = Some(format!("{CREATED}{:012}", self.uid));
        meta.creation_timestamp = time(self.uid, false);
        self.touch(meta);
    }

    /// Stamps an object of the starting world at `position` (1-based, in the order written):
    /// its own uid is kept; one without gets a starting uid. Its creation time comes from its
    /// position unless it has one.
    pub(crate) fn start(&mut self, meta: &mut ObjectMeta, position: u64) {
        if meta.uid.as_deref().is_none_or(str::is_empty) {
            meta.uid = Some(format!("{STARTING}{position:012}"));
        }
        if meta.creation_timestamp.is_none() {
            meta.creation_timestamp = time(position, true);
        }
        self.touch(meta);
    }

    /// A new resourceVersion for a changed object.
    pub(crate) fn touch(&mut self, meta: &mut ObjectMeta) {
        self.resource_version = self.resource_version.saturating_add(1);
        meta.resource_version = Some(self.resource_version.to_string());
    }

    /// The next disk id.
    pub(crate) fn disk(&mut self) -> String {
        self.disk = self.disk.saturating_add(1);
        format!("disk-{:06}", self.disk)
    }

    /// A deletion time: the moment of the current resourceVersion (deterministic).
    pub(crate) fn now(&self) -> Option<Time> {
        time(self.resource_version, false)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn y1_uids_and_times_are_counters() {
        let mut ids = Ids::default();
        let mut a = ObjectMeta::default();
        let mut b = ObjectMeta::default();
        ids.create(&mut a);
        ids.create(&mut b);
        assert_eq!(
            a.uid.as_deref(),
            Some("00000000-0000-0000-0000-000000000001")
        );
        assert_eq!(
            b.uid.as_deref(),
            Some("00000000-0000-0000-0000-000000000002")
        );
        assert!(a.creation_timestamp < b.creation_timestamp);
        assert_eq!(a.resource_version.as_deref(), Some("1"));
        let mut start = ObjectMeta::default();
        ids.start(&mut start, 3);
        assert_eq!(
            start.uid.as_deref(),
            Some("00000000-0000-0000-0001-000000000003")
        );
        assert!(start.creation_timestamp < a.creation_timestamp);
        assert_eq!(ids.disk(), "disk-000001");
    }
}
