//! values.yaml of v0.19 and older, as the chart turned it into syncer controllers (SPEC M3).

use serde_json::Value;

use super::value::{bool_at, config_error, dotted};
use super::{Generation, ModeReason, VclusterConfig};
use crate::error::Error;
use crate::explain::Rule;
use crate::mode::{PvMode, StorageClassMode, SyncMode};

/// `sync.persistentvolumes.enabled` (default `false`): the real PV syncer.
pub(super) const PERSISTENT_VOLUMES: [&str; 3] = ["sync", "persistentvolumes", "enabled"];
/// `sync.fake-persistentvolumes.enabled` (default `true`): the fake PV syncer.
pub(super) const FAKE_PERSISTENT_VOLUMES: [&str; 3] = ["sync", "fake-persistentvolumes", "enabled"];
/// `sync.persistentvolumeclaims.enabled` (default `true`).
pub(super) const PERSISTENT_VOLUME_CLAIMS: [&str; 3] =
    ["sync", "persistentvolumeclaims", "enabled"];
/// `sync.storageclasses.enabled` (default `false`): virtual -> host (since v0.7).
pub(super) const STORAGE_CLASSES: [&str; 3] = ["sync", "storageclasses", "enabled"];
/// `sync.hoststorageclasses.enabled` (default `false`): host -> virtual.
pub(super) const HOST_STORAGE_CLASSES: [&str; 3] = ["sync", "hoststorageclasses", "enabled"];
/// `sync.legacy-storageclasses.enabled` (before v0.13): the chart maps it to `hoststorageclasses`.
pub(super) const LEGACY_STORAGE_CLASSES: [&str; 3] = ["sync", "legacy-storageclasses", "enabled"];
/// `sync.nodes.enableScheduler` (default `false`): a scheduler in the virtual cluster.
pub(super) const ENABLE_SCHEDULER: [&str; 3] = ["sync", "nodes", "enableScheduler"];

/// Resolves a legacy document. Every known key is read (and type-checked) before deciding.
///
/// - PV mode: `persistentvolumes` on -> `Sync` (whatever `fake-persistentvolumes` says); else
///   `fake-persistentvolumes: false` -> `Disabled` (no PV syncer at all); else `Fake`.
/// - `storageclasses` -> `ToHost`; `hoststorageclasses` (or the pre-v0.13
///   `legacy-storageclasses`) -> `FromHost`; both -> error, as the v0.19 syncer refused to start.
/// - `nodes.enableScheduler` with PVC sync on and `storageclasses` off turns `FromHost` on, as the
///   v0.19 syncer did (it added `hoststorageclasses` itself). The chart never passed a disabled
///   `hoststorageclasses` to the syncer, so an explicit `hoststorageclasses.enabled: false` does
///   not prevent this. (`vcluster convert config` would write `fromHost.storageClasses.enabled:
///   "false"` for it instead; this crate describes what the v0.19 vcluster did.)
pub(super) fn resolve(doc: &Value) -> Result<VclusterConfig, Error> {
    let real_pvs = bool_at(doc, &PERSISTENT_VOLUMES)?;
    let fake_pvs = bool_at(doc, &FAKE_PERSISTENT_VOLUMES)?;
    let pvc_sync = bool_at(doc, &PERSISTENT_VOLUME_CLAIMS)?.unwrap_or(true);
    let to_host = bool_at(doc, &STORAGE_CLASSES)?.unwrap_or(false);
    let host_classes = bool_at(doc, &HOST_STORAGE_CLASSES)?.unwrap_or(false);
    let legacy_classes = bool_at(doc, &LEGACY_STORAGE_CLASSES)?.unwrap_or(false);
    let scheduler = bool_at(doc, &ENABLE_SCHEDULER)?.unwrap_or(false);

    let (persistent_volumes, pv_reason) = if real_pvs == Some(true) {
        (
            PvMode::Sync,
            ModeReason::new(
                Rule::M3,
                [dotted(&PERSISTENT_VOLUMES)],
                "true: the real PV syncer runs, whatever sync.fake-persistentvolumes says; PV \
                 mode Sync",
            ),
        )
    } else if fake_pvs == Some(false) {
        (
            PvMode::Disabled,
            ModeReason::new(
                Rule::M3,
                [
                    dotted(&FAKE_PERSISTENT_VOLUMES),
                    dotted(&PERSISTENT_VOLUMES),
                ],
                "both PV syncers are off: no PV object is managed; PV mode None",
            ),
        )
    } else {
        (
            PvMode::Fake,
            ModeReason::new(
                Rule::M3,
                [
                    dotted(&FAKE_PERSISTENT_VOLUMES),
                    dotted(&PERSISTENT_VOLUMES),
                ],
                "the fake PV syncer runs (the default): every bound virtual PVC gets a fake PV; \
                 PV mode Fake",
            ),
        )
    };
    let from_host_explicit = host_classes || legacy_classes;
    let class_key = if host_classes {
        &HOST_STORAGE_CLASSES
    } else {
        &LEGACY_STORAGE_CLASSES
    };
    if to_host && from_host_explicit {
        return Err(config_error(
            dotted(class_key),
            "you cannot sync storageclasses and hoststorageclasses at the same time; \
             choose only one of them",
        ));
    }
    let promoted = scheduler && pvc_sync && !to_host;
    let class_reason = if to_host {
        ModeReason::new(
            Rule::M3,
            [dotted(&STORAGE_CLASSES)],
            "true: virtual StorageClasses are created on the host; StorageClass mode ToHost",
        )
    } else if from_host_explicit {
        ModeReason::new(
            Rule::M3,
            [dotted(class_key)],
            "true: host StorageClasses appear in the virtual cluster; StorageClass mode FromHost",
        )
    } else if promoted {
        ModeReason::new(
            Rule::M3,
            [dotted(&ENABLE_SCHEDULER), dotted(&PERSISTENT_VOLUME_CLAIMS)],
            "a scheduler runs in the virtual cluster and PVC sync is on, so the v0.19 syncer \
             adds hoststorageclasses; StorageClass mode FromHost",
        )
    } else {
        ModeReason::new(
            Rule::M3,
            [dotted(&STORAGE_CLASSES), dotted(&HOST_STORAGE_CLASSES)],
            "no StorageClass syncer runs; StorageClass mode Off",
        )
    };
    let mut reasons = vec![pv_reason];
    if !pvc_sync {
        reasons.push(ModeReason::new(
            Rule::M3,
            [dotted(&PERSISTENT_VOLUME_CLAIMS)],
            "false: virtual PVCs are not synced to the host, so no PVC is bound by the syncer",
        ));
    }
    reasons.push(class_reason);
    let from_host = from_host_explicit || promoted;
    let storage_classes = StorageClassMode::from_switches(to_host, from_host);
    Ok(VclusterConfig {
        mode: SyncMode::new(persistent_volumes, storage_classes),
        generation: Generation::Legacy,
        pvc_sync,
        storage_class_selector: None,
        reasons,
    })
}
