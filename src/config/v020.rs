//! vcluster.yaml, v0.20 and newer (SPEC M2).

use serde_json::Value;

use super::value::{StrBool, bool_at, config_error, dotted, str_bool_at};
use super::{Generation, VclusterConfig, selector};
use crate::error::Error;
use crate::mode::{PvMode, StorageClassMode, SyncMode};

/// `sync.toHost.persistentVolumes.enabled` (default `false`).
pub(super) const PERSISTENT_VOLUMES: [&str; 4] = ["sync", "toHost", "persistentVolumes", "enabled"];
/// `sync.toHost.persistentVolumeClaims.enabled` (default `true`).
pub(super) const PERSISTENT_VOLUME_CLAIMS: [&str; 4] =
    ["sync", "toHost", "persistentVolumeClaims", "enabled"];
/// `sync.toHost.storageClasses.enabled` (default `false`).
pub(super) const TO_HOST_CLASSES: [&str; 4] = ["sync", "toHost", "storageClasses", "enabled"];
/// `sync.fromHost.storageClasses.enabled` (default `auto`).
pub(super) const FROM_HOST_CLASSES: [&str; 4] = ["sync", "fromHost", "storageClasses", "enabled"];
/// The switches that run a scheduler in the virtual cluster (default `false` each).
pub(super) const SCHEDULERS: [&[&str]; 3] = [
    &["controlPlane", "advanced", "virtualScheduler", "enabled"],
    &["controlPlane", "distro", "k8s", "scheduler", "enabled"],
    &["sync", "toHost", "pods", "hybridScheduling", "enabled"],
];

/// Resolves a v0.20+ document. Every known key is read (and type-checked) before deciding.
pub(super) fn resolve(doc: &Value) -> Result<VclusterConfig, Error> {
    let real_pvs = bool_at(doc, &PERSISTENT_VOLUMES)?.unwrap_or(false);
    let pvc_sync = bool_at(doc, &PERSISTENT_VOLUME_CLAIMS)?.unwrap_or(true);
    let to_host = bool_at(doc, &TO_HOST_CLASSES)?.unwrap_or(false);
    let from_host = str_bool_at(doc, &FROM_HOST_CLASSES)?.unwrap_or(StrBool::Auto);
    let mut scheduler = false;
    for path in SCHEDULERS {
        // Read every switch, so that a wrong type is reported even after a `true`.
        scheduler |= bool_at(doc, path)?.unwrap_or(false);
    }
    let storage_class_selector = selector::parse(doc)?;

    let from_host = match from_host {
        StrBool::True => true,
        StrBool::False => false,
        // vcluster's validation turns `auto` into `true` only in this case; otherwise the literal
        // "auto" stays, which every consumer treats as off.
        StrBool::Auto => scheduler && pvc_sync && !to_host,
    };
    if from_host && to_host {
        return Err(config_error(
            dotted(&FROM_HOST_CLASSES),
            "you cannot enable both sync.fromHost.storageClasses.enabled and \
             sync.toHost.storageClasses.enabled at the same time; choose only one of them",
        ));
    }
    let storage_classes = StorageClassMode::from_switches(to_host, from_host);
    let persistent_volumes = if real_pvs { PvMode::Sync } else { PvMode::Fake };
    Ok(VclusterConfig {
        mode: SyncMode::new(persistent_volumes, storage_classes),
        generation: Generation::V020,
        pvc_sync,
        storage_class_selector,
    })
}
