//! L1: what deleting a bound virtual PVC does, predicted by doing it on a copy of the world.

use serde::Serialize;

use super::world::{Step, World};
use crate::error::Error;
use crate::object::{claimed_volume, is_deleting};
use crate::plan::{ClusterSide, Kind};

/// What becomes of the virtual PV a claim was bound to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum VirtualPvFate {
    /// It is gone.
    Deleted,
    /// It stays, `Released`.
    Released,
    /// It stays, `Bound`.
    Bound,
    /// Its deletion was asked for, and it is still there.
    Terminating,
}

/// What becomes of the host PV behind the claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum HostPvFate {
    /// It is gone.
    Deleted,
    /// It stays, `Released`.
    Released,
    /// It stays, `Available` (recycled).
    Available,
    /// It stays, `Bound`.
    Bound,
    /// Its deletion was asked for, and it is still there.
    Terminating,
}

/// What becomes of the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum DiskFate {
    /// The data is destroyed.
    Destroyed,
    /// The data is kept (and billed).
    Retained,
    /// No disk backs the volume.
    None,
}

/// L1's answer for one claim.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Prediction {
    /// The virtual PV.
    pub virtual_pv: VirtualPvFate,
    /// The host PV.
    pub host_pv: HostPvFate,
    /// The disk.
    pub disk: DiskFate,
    /// Whether the virtual PV's reclaim policy said the opposite of what happens to the data:
    /// `Delete` and the disk is retained, or `Retain` (or `Recycle`) and it is destroyed; false
    /// when there was no virtual PV.
    pub tenant_misled: bool,
}

fn phase(pv: &k8s_openapi::api::core::v1::PersistentVolume) -> Option<&str> {
    pv.status.as_ref()?.phase.as_deref()
}

impl World {
    /// L1: deletes the bound virtual PVC `namespace/name` on a copy of the world, settles, and
    /// says what became of its virtual PV, host PV and disk, and whether the tenant was misled.
    ///
    /// # Errors
    ///
    /// The claim does not exist or is not bound; the copy does not settle.
    pub fn predict(&self, namespace: &str, name: &str) -> Result<Prediction, Error> {
        let not_bound = || Error::Lifecycle {
            reason: format!("predict {namespace}/{name}: the virtual PVC is not bound"),
        };
        let pvc = self
            .clusters
            .virtual_cluster
            .pvc(namespace, name)
            .ok_or_else(|| Error::Lifecycle {
                reason: format!("predict {namespace}/{name}: no such virtual PVC"),
            })?;
        let virtual_name = claimed_volume(pvc).ok_or_else(not_bound)?.to_owned();
        let record = self.record(namespace, name).cloned().unwrap_or_default();
        let said = self.clusters.virtual_cluster.pv(&virtual_name).map(|pv| {
            pv.spec
                .as_ref()
                .and_then(|s| s.persistent_volume_reclaim_policy.clone())
                .unwrap_or_else(|| "Retain".to_owned())
        });
        let mut copy = self.clone();
        copy.log.enabled = false;
        copy.step(Step::Delete {
            cluster: ClusterSide::Virtual,
            kind: Kind::PersistentVolumeClaim,
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        })?;
        let virtual_pv = match copy.clusters.virtual_cluster.pv(&virtual_name) {
            None => VirtualPvFate::Deleted,
            Some(pv) if is_deleting(&pv.metadata) => VirtualPvFate::Terminating,
            Some(pv) if phase(pv) == Some("Bound") => VirtualPvFate::Bound,
            Some(_) => VirtualPvFate::Released,
        };
        let host_pv = match record
            .host_volume
            .as_deref()
            .and_then(|h| copy.clusters.host_cluster.pv(h))
        {
            None => HostPvFate::Deleted,
            Some(pv) if is_deleting(&pv.metadata) => HostPvFate::Terminating,
            Some(pv) => match phase(pv) {
                Some("Bound") => HostPvFate::Bound,
                Some("Available") => HostPvFate::Available,
                _ => HostPvFate::Released,
            },
        };
        let disk = match record.disk.as_deref().and_then(|d| copy.disk(d)) {
            None => DiskFate::None,
            Some(d) if d.exists => DiskFate::Retained,
            Some(_) => DiskFate::Destroyed,
        };
        let tenant_misled = matches!(
            (said.as_deref(), disk),
            (Some("Delete"), DiskFate::Retained)
                | (Some("Retain" | "Recycle"), DiskFate::Destroyed)
        );
        Ok(Prediction {
            virtual_pv,
            host_pv,
            disk,
            tenant_misled,
        })
    }
}
