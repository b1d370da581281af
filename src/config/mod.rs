//! The sync mode from a vcluster configuration file (SPEC M2-M4).
//!
//! Two generations of configuration exist and both are read:
//!
//! - [`Generation::V020`]: `vcluster.yaml`, vcluster v0.20 and newer (SPEC M2).
//! - [`Generation::Legacy`]: the Helm `values.yaml` of v0.19 and older (SPEC M3).
//!
//! Only the keys that decide storage behaviour are read. A known key with the wrong type is an
//! [`Error::Config`] naming its dotted path (and, for [`resolve_yaml`], the line of the key), and
//! a `null` at a known path counts as unset. [`VclusterConfig::reasons`] says which keys decided
//! the mode and how.
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
//!   fromHost:
//!     nodes: {enabled: true}
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
//!     "vcluster configuration: line 1: sync.toHost.persistentVolumes.enabled: \
//!      expected a boolean (true or false), found the string \"yes please\""
//! );
//!
//! // vcluster.yaml is strict where the mode is decided.
//! let err = resolve_yaml("sync:\n  toHost:\n    persistentvolumes: {enabled: true}\n").unwrap_err();
//! assert_eq!(
//!     err.to_string(),
//!     "vcluster configuration: line 3: sync.toHost.persistentvolumes: \
//!      unknown key; did you mean persistentVolumes?"
//! );
//! # Ok::<(), pv_translate::Error>(())
//! ```
//!
//! # Which generation
//!
//! A file is legacy when its `sync` mapping sets (to anything but `null`) a v0.19 syncer key such
//! as `persistentvolumes`, `fake-persistentvolumes`, `storageclasses`, `hoststorageclasses`,
//! `persistentvolumeclaims` or `nodes`. It is v0.20+ when it sets `sync.toHost`, `sync.fromHost`,
//! `controlPlane` or `privateNodes`. A file with keys of both generations is an error; a file
//! with neither (including an empty document or `null`) gets the v0.20 defaults, which are also
//! the v0.19 defaults: fake PVs, no StorageClass sync, PVC sync on.
//!
//! # Unknown keys
//!
//! vcluster decodes vcluster.yaml strictly: a key its Go structs do not have stops it. In the
//! sections that decide the mode (`sync.toHost`, `sync.fromHost` and every object under them,
//! `privateNodes`), an unknown key is an error naming its path and the closest known key; the
//! list of known keys is vcluster's own (generated from its `config/config.go` and
//! `chart/values.schema.json`). Unknown keys elsewhere are ignored, so a complete real-world
//! file can be given as it is, and a legacy values.yaml (Helm values) ignores them everywhere.
//!
//! # Spellings
//!
//! vcluster reads YAML 1.1, and so does [`resolve_yaml`]: an unquoted `y`, `Y`, `yes`, `Yes`,
//! `YES`, `on`, `On`, `ON`, `true`, `True`, `TRUE` (and the matching `n`, `no`, `off`, `false`
//! spellings) is a boolean; any other capitalisation (`yEs`), and any quoted value, is a string.
//! Boolean keys take booleans only. `sync.fromHost.storageClasses.enabled` (vcluster's
//! `StrBool`) also takes strings: exactly `"auto"` is auto, exactly `"true"` is on, `"false"` is
//! off, and any other string (`"True"`, `"Auto"`, `"yes"`) is off, as in vcluster.
//!
//! # What vcluster refuses
//!
//! A configuration vcluster refuses to start is an error quoting vcluster's reason: a scheduler
//! in the virtual cluster (`controlPlane.advanced.virtualScheduler.enabled`,
//! `controlPlane.distro.k8s.scheduler.enabled` or `sync.toHost.pods.hybridScheduling.enabled`)
//! without `sync.fromHost.nodes.enabled`, and StorageClass sync in both directions. Other
//! constraints of vcluster on features other than storage are not checked.
//!
//! # Text
//!
//! [`resolve_yaml`] takes one YAML document. A second document, a duplicate key, an alias that
//! expands beyond 100 000 nodes (or uses more than 1 000 aliases) or nesting deeper than 24 levels is an error with a one-line
//! message.

mod known_keys;
mod legacy;
mod selector;
mod strict;
mod text;

#[cfg(feature = "yaml")]
pub(crate) use text::{Step, inexact_numbers, keeps_value};

/// The 1-based line of the key at dotted `path` (`a.b[0].c`) in YAML `text`, or of its nearest
/// written ancestor; `None` when the text does not parse.
#[cfg(feature = "yaml")]
pub(crate) fn line_of_key(text: &str, path: &str) -> Option<usize> {
    text::parse(text).ok()?.lines.line_of(path)
}
mod v020;
mod value;

use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use serde_json::Value;

use crate::error::Error;
use crate::explain::Rule;
use crate::mode::{StorageClassMode, SyncMode};
use value::{DOCUMENT, config_error, describe, dotted, is_set, lookup};

/// Which generation of vcluster configuration a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Generation {
    /// `vcluster.yaml` of vcluster v0.20 and newer: `sync.toHost`, `sync.fromHost`,
    /// `controlPlane`, `privateNodes` (SPEC M2). Also the answer for a file with keys of neither
    /// generation.
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
    /// The decisions that resolved [`VclusterConfig::mode`], in order: the PV mode, PVC sync
    /// when it is off, the StorageClass mode (in dedicated mode, `privateNodes`, one decision
    /// covers both). For `--explain`.
    pub reasons: Vec<ModeReason>,
}

/// One decision that resolved the sync mode: which rule, which keys, and what they did.
///
/// ```
/// use pv_translate::Rule;
/// use pv_translate::config::resolve_yaml;
///
/// let config = resolve_yaml(
///     "
/// controlPlane: {advanced: {virtualScheduler: {enabled: true}}}
/// sync: {fromHost: {nodes: {enabled: true}}}
/// ",
/// )?;
/// let reason = config.reasons.last().expect("a StorageClass decision");
/// assert_eq!(reason.rule, Rule::M2);
/// assert_eq!(
///     reason.keys,
///     [
///         "sync.fromHost.storageClasses.enabled",
///         "controlPlane.advanced.virtualScheduler.enabled",
///         "sync.toHost.persistentVolumeClaims.enabled",
///     ]
/// );
/// assert_eq!(
///     reason.to_string(),
///     "M2 (sync.fromHost.storageClasses.enabled, controlPlane.advanced.virtualScheduler.enabled, \
///      sync.toHost.persistentVolumeClaims.enabled): auto (the default) became true: a scheduler \
///      runs in the virtual cluster and PVC sync is on; StorageClass mode FromHost"
/// );
/// # Ok::<(), pv_translate::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ModeReason {
    /// The rule applied: [`Rule::M2`] (vcluster.yaml) or [`Rule::M3`] (legacy values.yaml).
    pub rule: Rule,
    /// The dotted keys that decided, whether written or left at their default, e.g.
    /// `sync.toHost.persistentVolumes.enabled`.
    pub keys: Vec<String>,
    /// What they decided, in one sentence that names the resulting mode.
    pub sentence: String,
}

impl ModeReason {
    /// A decision by `rule` from `keys` (dotted paths).
    pub fn new<K: Into<String>>(
        rule: Rule,
        keys: impl IntoIterator<Item = K>,
        sentence: impl Into<String>,
    ) -> Self {
        Self {
            rule,
            keys: keys.into_iter().map(Into::into).collect(),
            sentence: sentence.into(),
        }
    }
}

impl fmt::Display for ModeReason {
    /// `M2 (key, key): sentence`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} ({}): {}",
            self.rule,
            self.keys.join(", "),
            self.sentence
        )
    }
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
/// The text is read as vcluster reads it (YAML 1.1, one document). An empty document (or one
/// holding only comments) gets the defaults. Every [`Error::Config`] carries the 1-based line of
/// the key at fault (or, for a key that is missing, of its nearest written parent). Invalid YAML
/// is an error with path `(document)`; a duplicate key names the key.
///
/// ```
/// use pv_translate::Error;
/// use pv_translate::config::resolve_yaml;
///
/// let err = resolve_yaml("sync:\n  toHost: {}\n  toHost: {}\n").unwrap_err();
/// assert!(matches!(err, Error::Config { line: Some(3), .. }));
/// assert_eq!(
///     err.to_string(),
///     "vcluster configuration: line 3: sync.toHost: duplicate key (first at line 2); \
///      vcluster refuses duplicate keys"
/// );
/// ```
pub fn resolve_yaml(text: &str) -> Result<VclusterConfig, Error> {
    let parsed = text::parse(text)?;
    resolve(&parsed.doc).map_err(|e| text::with_line(e, &parsed.lines))
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
const V020_TOP_KEYS: [&str; 2] = ["controlPlane", "privateNodes"];
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
