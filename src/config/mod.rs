//! The sync mode from a vcluster configuration file (SPEC M2-M4).
//!
//! Two generations of configuration exist and both are read:
//!
//! - [`Generation::V020`]: `vcluster.yaml`, vcluster v0.20 and newer (SPEC M2).
//! - [`Generation::Legacy`]: the Helm `values.yaml` of v0.19 and older (SPEC M3).
//!
//! Only the keys that decide storage behaviour are read; every other key, anywhere, is ignored
//! (SPEC M4), so a complete real-world file can be given as it is. A known key with the wrong type
//! is an [`Error::Config`] naming its dotted path, and a `null` at a known path counts as unset.
//!
//! ```
//! use pv_translate::config::{Generation, resolve_yaml};
//! use pv_translate::{PvMode, StorageClassMode};
//!
//! let config = resolve_yaml(
//!     "
//! controlPlane:
//!   advanced:
//!     virtualScheduler: {enabled: true}
//! sync:
//!   toHost:
//!     persistentVolumes: {enabled: true}
//! ",
//! )?;
//! assert_eq!(config.generation, Generation::V020);
//! assert_eq!(config.mode.persistent_volumes, PvMode::Sync);
//! // `fromHost.storageClasses.enabled: auto` is on: a scheduler runs in the virtual cluster.
//! assert_eq!(config.mode.storage_classes, StorageClassMode::FromHost);
//!
//! let err = resolve_yaml("sync: {toHost: {persistentVolumes: {enabled: yes please}}}").unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "vcluster configuration: sync.toHost.persistentVolumes.enabled: \
//!      expected a boolean (true or false), found the string \"yes please\""
//! );
//! # Ok::<(), pv_translate::Error>(())
//! ```
//!
//! # Which generation
//!
//! A file is legacy when its `sync` mapping sets (to anything but `null`) a v0.19 syncer key such
//! as `persistentvolumes`, `fake-persistentvolumes`, `storageclasses`, `hoststorageclasses`,
//! `persistentvolumeclaims` or `nodes`. It is v0.20+ when it sets `sync.toHost`, `sync.fromHost`
//! or `controlPlane`. A file with keys of both generations is an error; a file with neither
//! (including an empty document or `null`) gets the v0.20 defaults, which are also the v0.19
//! defaults: fake PVs, no StorageClass sync, PVC sync on.
//!
//! # Spellings
//!
//! Boolean keys take booleans only; YAML 1.1 spellings (`yes`, `on`, ...) are booleans when
//! unquoted, as for Helm. `sync.fromHost.storageClasses.enabled` also takes the strings `true`,
//! `false` and `auto` in any case. (vcluster starts its host-class syncer only for exactly
//! `true` but limits PVCs for `True` as well; this crate reads `True` as `true` throughout.)
//!
//! # What is not checked
//!
//! Only storage is resolved. Constraints of vcluster on other features are not checked; for
//! example vcluster refuses a virtual scheduler without node sync
//! (`sync.fromHost.nodes.enabled`, or `sync.nodes.enabled` in v0.19), which this module accepts.

mod legacy;
mod selector;
mod v020;
mod value;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::Value;

use crate::error::Error;
use crate::mode::{StorageClassMode, SyncMode};
use value::{DOCUMENT, config_error, describe, dotted, is_set, lookup};

/// Which generation of vcluster configuration a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Generation {
    /// `vcluster.yaml` of vcluster v0.20 and newer: `sync.toHost`, `sync.fromHost`,
    /// `controlPlane` (SPEC M2). Also the answer for a file with keys of neither generation.
    #[default]
    V020,
    /// The Helm `values.yaml` of vcluster v0.19 and older: `sync.persistentvolumes`,
    /// `sync.fake-persistentvolumes`, `sync.storageclasses`, ... (SPEC M3).
    Legacy,
}

/// What a vcluster configuration file says about storage.
///
/// ```
/// use pv_translate::config::resolve_yaml;
/// use pv_translate::{PvMode, StorageClassMode};
///
/// let config = resolve_yaml("sync: {fake-persistentvolumes: {enabled: false}}")?;
/// assert_eq!(config.mode.persistent_volumes, PvMode::Disabled);
/// assert_eq!(config.mode.storage_classes, StorageClassMode::Off);
/// assert!(config.pvc_sync);
/// # Ok::<(), pv_translate::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub struct VclusterConfig {
    /// The resolved sync mode (SPEC M1).
    pub mode: SyncMode,
    /// Which generation the file is.
    pub generation: Generation,
    /// Whether virtual PVCs are synced to the host (`sync.toHost.persistentVolumeClaims.enabled`,
    /// legacy `sync.persistentvolumeclaims.enabled`; default `true`). Without it no PVC is ever
    /// bound, so no fake PV appears.
    pub pvc_sync: bool,
    /// `sync.fromHost.storageClasses.selector` as written (v0.20+ only; `None` when unset),
    /// already validated. See [`VclusterConfig::class_limit`] for when it applies.
    pub storage_class_selector: Option<LabelSelector>,
}

impl VclusterConfig {
    /// The selector that limits StorageClasses, when it applies: in `FromHost` mode with a
    /// selector that has at least one requirement (vcluster's `applyLimitByClass`). An empty
    /// selector matches every class, so it limits nothing.
    pub fn class_limit(&self) -> Option<&LabelSelector> {
        let selector = self.storage_class_selector.as_ref()?;
        let empty = selector.match_labels.as_ref().is_none_or(|m| m.is_empty())
            && selector
                .match_expressions
                .as_ref()
                .is_none_or(|e| e.is_empty());
        (self.mode.storage_classes == StorageClassMode::FromHost && !empty).then_some(selector)
    }
}

/// Resolves a vcluster configuration given as YAML text (SPEC M2-M4).
///
/// An empty document (or one holding only comments) gets the defaults. Invalid YAML, including a
/// mapping with a duplicate key, is an [`Error::Config`] with path `(document)`.
pub fn resolve_yaml(text: &str) -> Result<VclusterConfig, Error> {
    let doc: Option<Value> = serde_saphyr::from_str(text)
        .map_err(|e| config_error(DOCUMENT, format!("invalid YAML: {e}")))?;
    resolve(&doc.unwrap_or(Value::Null))
}

/// Resolves a vcluster configuration already parsed into a JSON value (SPEC M2-M4).
///
/// The document must be a mapping or `null` (all defaults).
pub fn resolve(doc: &Value) -> Result<VclusterConfig, Error> {
    if !matches!(doc, Value::Object(_) | Value::Null) {
        return Err(config_error(
            DOCUMENT,
            format!("expected a mapping, found {}", describe(doc)),
        ));
    }
    match generation(doc)? {
        Generation::V020 => v020::resolve(doc),
        Generation::Legacy => legacy::resolve(doc),
    }
}

/// Keys of `sync` in vcluster v0.20+.
const V020_SYNC_KEYS: [&str; 2] = ["toHost", "fromHost"];
/// Top-level keys of vcluster v0.20+ that decide storage behaviour.
const V020_TOP_KEYS: [&str; 1] = ["controlPlane"];
/// Keys of `sync` in values.yaml of v0.19 and older: one per syncer controller.
const LEGACY_SYNC_KEYS: [&str; 26] = [
    "persistentvolumes",
    "fake-persistentvolumes",
    "persistentvolumeclaims",
    "storageclasses",
    "hoststorageclasses",
    "legacy-storageclasses",
    "nodes",
    "fake-nodes",
    "services",
    "configmaps",
    "secrets",
    "endpoints",
    "pods",
    "events",
    "ingresses",
    "ingressclasses",
    "priorityclasses",
    "networkpolicies",
    "volumesnapshots",
    "poddisruptionbudgets",
    "serviceaccounts",
    "csinodes",
    "csidrivers",
    "csistoragecapacities",
    "namespaces",
    "generic",
];

/// Detects the generation of a mapping (or `null`) document; keys of both is an error.
fn generation(doc: &Value) -> Result<Generation, Error> {
    let mut v020: Option<String> = None;
    for key in V020_TOP_KEYS {
        if v020.is_none() && is_set(doc, &[], key)? {
            v020 = Some(key.to_owned());
        }
    }
    for key in V020_SYNC_KEYS {
        if v020.is_none() && is_set(doc, &["sync"], key)? {
            v020 = Some(dotted(&["sync", key]));
        }
    }
    // `sync` itself must be a mapping; `is_set` reported otherwise above.
    let legacy = match lookup(doc, &["sync"])? {
        Some(Value::Object(sync)) => LEGACY_SYNC_KEYS
            .into_iter()
            .find(|key| sync.get(*key).is_some_and(|v| !v.is_null())),
        _ => None,
    };
    match (v020, legacy) {
        (Some(new), Some(old)) => Err(config_error(
            dotted(&["sync", old]),
            format!(
                "a values.yaml key of vcluster v0.19 or older in a file that also sets {new} \
                 (vcluster.yaml, v0.20+); use one generation (`vcluster convert config` converts \
                 old values)"
            ),
        )),
        (None, Some(_)) => Ok(Generation::Legacy),
        (_, None) => Ok(Generation::V020),
    }
}
