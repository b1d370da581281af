//! vcluster.yaml, v0.20 and newer (SPEC M2, M4).
//!
//! Follows vcluster's `ValidateConfigAndSetDefaults` (`pkg/config/validation.go`) and the syncer
//! registration (`pkg/controllers/register.go`, `pkg/controllers/resources/register.go`).

use serde_json::Value;

use super::value::{StrBool, bool_at, config_error, dotted, str_bool_at};
use super::{Generation, ModeReason, VclusterConfig, selector, strict};
use crate::error::Error;
use crate::explain::Rule;
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
/// `sync.fromHost.nodes.enabled` (default `false`): required by a scheduler in the virtual
/// cluster.
pub(super) const FROM_HOST_NODES: [&str; 4] = ["sync", "fromHost", "nodes", "enabled"];
/// `privateNodes.enabled` (default `false`): dedicated mode, no syncers at all.
pub(super) const PRIVATE_NODES: [&str; 2] = ["privateNodes", "enabled"];
/// The switches that run a scheduler in the virtual cluster (default `false` each).
pub(super) const SCHEDULERS: [&[&str]; 3] = [
    &["controlPlane", "advanced", "virtualScheduler", "enabled"],
    &["controlPlane", "distro", "k8s", "scheduler", "enabled"],
    &["sync", "toHost", "pods", "hybridScheduling", "enabled"],
];

/// vcluster's reason for refusing a scheduler without node sync (`pkg/config/validation.go`).
pub(super) const NODES_REQUIRED: &str = "sync.fromHost.nodes.enabled is false, but required if using hybrid scheduling or virtual \
     scheduler";
/// vcluster's reason for refusing both StorageClass directions (`pkg/config/validation.go`).
pub(super) const BOTH_CLASS_DIRECTIONS: &str = "you cannot enable both \
     sync.fromHost.storageClasses.enabled and sync.toHost.storageClasses.enabled at the same \
     time. Choose only one of them";

/// The switches of a v0.20+ document, every one read and type-checked.
struct Switches {
    real_pvs: Option<bool>,
    pvc_sync: bool,
    to_host: bool,
    from_host: Option<StrBool>,
    nodes: bool,
    private_nodes: bool,
    /// The dotted keys of the scheduler switches that are on.
    schedulers: Vec<String>,
}

impl Switches {
    fn read(doc: &Value) -> Result<Self, Error> {
        let real_pvs = bool_at(doc, &PERSISTENT_VOLUMES)?;
        let pvc_sync = bool_at(doc, &PERSISTENT_VOLUME_CLAIMS)?.unwrap_or(true);
        let to_host = bool_at(doc, &TO_HOST_CLASSES)?.unwrap_or(false);
        let from_host = str_bool_at(doc, &FROM_HOST_CLASSES)?;
        let nodes = bool_at(doc, &FROM_HOST_NODES)?.unwrap_or(false);
        let private_nodes = bool_at(doc, &PRIVATE_NODES)?.unwrap_or(false);
        let mut schedulers = Vec::new();
        for path in SCHEDULERS {
            // Read every switch, so that a wrong type is reported even after a `true`.
            if bool_at(doc, path)?.unwrap_or(false) {
                schedulers.push(dotted(path));
            }
        }
        Ok(Self {
            real_pvs,
            pvc_sync,
            to_host,
            from_host,
            nodes,
            private_nodes,
            schedulers,
        })
    }
}

/// Resolves a v0.20+ document. The strict sections are checked and every known key is read
/// (and type-checked) before deciding.
pub(super) fn resolve(doc: &Value) -> Result<VclusterConfig, Error> {
    strict::check(doc)?;
    let switches = Switches::read(doc)?;
    let storage_class_selector = selector::parse(doc)?;
    let scheduler = !switches.schedulers.is_empty();

    // vcluster's validation, in its order: `auto` is promoted first, then the checks.
    let (from_host, class_reason) = from_host(&switches);
    if scheduler && !switches.nodes {
        return Err(config_error(
            dotted(&FROM_HOST_NODES),
            format!(
                "vcluster refuses to start: \"{NODES_REQUIRED}\" ({} is true)",
                switches.schedulers.join(", ")
            ),
        ));
    }
    if from_host && switches.to_host {
        return Err(config_error(
            dotted(&FROM_HOST_CLASSES),
            format!("vcluster refuses to start: \"{BOTH_CLASS_DIRECTIONS}\""),
        ));
    }

    let mut reasons = Vec::new();
    let (mode, pvc_sync) = if switches.private_nodes {
        reasons.push(ModeReason::new(
            Rule::M2,
            [dotted(&PRIVATE_NODES)],
            "true (dedicated mode): vcluster registers no syncers, so no PV object is managed \
             and no StorageClass is synced; PV mode None, StorageClass mode Off",
        ));
        (
            SyncMode::new(PvMode::Disabled, StorageClassMode::Off),
            false,
        )
    } else {
        reasons.push(pv_reason(switches.real_pvs));
        let pv_mode = if switches.real_pvs == Some(true) {
            PvMode::Sync
        } else {
            PvMode::Fake
        };
        if !switches.pvc_sync {
            reasons.push(ModeReason::new(
                Rule::M2,
                [dotted(&PERSISTENT_VOLUME_CLAIMS)],
                "false: virtual PVCs are not synced to the host, so no PVC is bound by the syncer",
            ));
        }
        reasons.push(class_reason);
        let storage_classes = StorageClassMode::from_switches(switches.to_host, from_host);
        (SyncMode::new(pv_mode, storage_classes), switches.pvc_sync)
    };
    Ok(VclusterConfig {
        mode,
        generation: Generation::V020,
        pvc_sync,
        storage_class_selector,
        reasons,
    })
}

/// Why the PV mode is `Sync` or `Fake`.
fn pv_reason(real_pvs: Option<bool>) -> ModeReason {
    let key = dotted(&PERSISTENT_VOLUMES);
    let sentence = match real_pvs {
        Some(true) => {
            "true: host PVs are mirrored into the virtual cluster and tenant PVs are created on \
             the host; PV mode Sync"
        }
        Some(false) => "false: every bound virtual PVC gets a fake PV; PV mode Fake",
        None => "false (the default): every bound virtual PVC gets a fake PV; PV mode Fake",
    };
    ModeReason::new(Rule::M2, [key], sentence)
}

/// Whether the host class syncer starts (vcluster: the value is exactly `"true"` once `auto`
/// was promoted), and why the StorageClass mode is what it is.
fn from_host(switches: &Switches) -> (bool, ModeReason) {
    let key = dotted(&FROM_HOST_CLASSES);
    let pvc_key = dotted(&PERSISTENT_VOLUME_CLAIMS);
    let auto = if switches.from_host.is_some() {
        "auto"
    } else {
        "auto (the default)"
    };
    let value = switches.from_host.clone().unwrap_or(StrBool::Auto);
    let scheduler = !switches.schedulers.is_empty();
    // vcluster promotes exactly "auto", and only in this case.
    let promoted = value == StrBool::Auto && scheduler && switches.pvc_sync && !switches.to_host;
    let on = value == StrBool::True || promoted;
    let reason = if switches.to_host {
        let mut keys = vec![dotted(&TO_HOST_CLASSES)];
        let mut sentence =
            "true: virtual StorageClasses are created on the host; StorageClass mode ToHost"
                .to_owned();
        if value == StrBool::Auto && scheduler && switches.pvc_sync {
            keys.push(key);
            sentence = format!(
                "{sentence} ({auto} sync.fromHost.storageClasses stays off although a scheduler \
                 runs in the virtual cluster)"
            );
        }
        ModeReason::new(Rule::M2, keys, sentence)
    } else {
        match value {
            StrBool::True => ModeReason::new(
                Rule::M2,
                [key],
                "true: host StorageClasses appear in the virtual cluster; StorageClass mode \
                 FromHost",
            ),
            StrBool::False => ModeReason::new(
                Rule::M2,
                [key],
                "false: no StorageClass is synced; StorageClass mode Off",
            ),
            StrBool::Other(shown) => ModeReason::new(
                Rule::M2,
                [key],
                format!(
                    "{shown} is neither true nor \"auto\": vcluster starts the host class syncer \
                     only for exactly true; StorageClass mode Off"
                ),
            ),
            StrBool::Auto if !scheduler => ModeReason::new(
                Rule::M2,
                std::iter::once(key).chain(SCHEDULERS.iter().map(|path| dotted(path))),
                format!(
                    "{auto} stays off: no scheduler runs in the virtual cluster; StorageClass \
                     mode Off"
                ),
            ),
            StrBool::Auto if !switches.pvc_sync => ModeReason::new(
                Rule::M2,
                [key, pvc_key],
                format!("{auto} stays off: PVC sync is off; StorageClass mode Off"),
            ),
            StrBool::Auto => ModeReason::new(
                Rule::M2,
                std::iter::once(key)
                    .chain(switches.schedulers.iter().cloned())
                    .chain(std::iter::once(pvc_key)),
                format!(
                    "{auto} became true: a scheduler runs in the virtual cluster and PVC sync \
                     is on; StorageClass mode FromHost"
                ),
            ),
        }
    };
    (on, reason)
}
