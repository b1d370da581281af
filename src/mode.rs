//! The sync mode (SPEC M1): what the virtual cluster shows of PVs and StorageClasses.

use serde::{Deserialize, Serialize};

/// How PersistentVolumes appear in the virtual cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum PvMode {
    /// vcluster's default: a placeholder PV per bound PVC (SPEC F1-F7).
    #[default]
    Fake,
    /// `sync.toHost.persistentVolumes.enabled`: host PVs are mirrored, tenant PVs go to the host
    /// (SPEC S1-S8, H1, B1-B2, D1-D4).
    Sync,
    /// No PV object is managed: legacy (v0.19 and older) mode `None` with both PV syncers off
    /// (SPEC M3), or vcluster.yaml's `privateNodes.enabled: true`, where the virtual cluster has
    /// its own nodes and storage and no syncer runs (SPEC M2).
    #[serde(alias = "none")]
    Disabled,
}

/// How StorageClasses cross between the clusters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StorageClassMode {
    /// No StorageClass is synced; class names pass through.
    #[default]
    Off,
    /// Host classes appear in the virtual cluster under the same name (SPEC C1).
    FromHost,
    /// Virtual classes are created on the host under N3 names (SPEC C2).
    ToHost,
}

impl StorageClassMode {
    /// The mode from vcluster's two switches, after their conflict was ruled out: `ToHost` wins
    /// the (invalid) case of both.
    pub const fn from_switches(to_host: bool, from_host: bool) -> Self {
        if to_host {
            Self::ToHost
        } else if from_host {
            Self::FromHost
        } else {
            Self::Off
        }
    }
}

/// The resolved sync mode: one PV mode and one StorageClass mode (SPEC M1).
///
/// ```
/// use pv_translate::{PvMode, StorageClassMode, SyncMode};
/// let mode = SyncMode::default();
/// assert_eq!(mode.persistent_volumes, PvMode::Fake);
/// assert_eq!(mode.storage_classes, StorageClassMode::Off);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct SyncMode {
    /// How PVs appear in the virtual cluster.
    pub persistent_volumes: PvMode,
    /// How StorageClasses cross.
    pub storage_classes: StorageClassMode,
}

impl SyncMode {
    /// A mode from its two parts.
    pub const fn new(persistent_volumes: PvMode, storage_classes: StorageClassMode) -> Self {
        Self {
            persistent_volumes,
            storage_classes,
        }
    }
}
