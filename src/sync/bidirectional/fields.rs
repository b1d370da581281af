//! B1: the seven field groups kept in step, compared semantically.

use std::fmt;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeSpec};
use serde_json::{Map, Value};

use super::PvPair;
use crate::error::Error;
use crate::explain::{Explanation, Input, Rule, Source};
use crate::object::pv_ref;
use crate::options::ConflictPolicy;
use crate::sync::semantic::{self, Leaves};

/// A group of PV spec fields that B1 keeps in step both ways, as one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum SyncedField {
    /// Every inline volume source of `spec` (`csi`, `nfs`, `hostPath`, ...), as one group: a PV
    /// has one source, so changing it means setting one and clearing another.
    VolumeSource,
    /// `spec.capacity`, compared by quantity value.
    Capacity,
    /// `spec.accessModes`.
    AccessModes,
    /// `spec.persistentVolumeReclaimPolicy`.
    ReclaimPolicy,
    /// `spec.nodeAffinity`.
    NodeAffinity,
    /// `spec.volumeMode`.
    VolumeMode,
    /// `spec.mountOptions`.
    MountOptions,
}

/// The JSON names of the inline volume sources of a PersistentVolumeSpec.
const VOLUME_SOURCES: [&str; 22] = [
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephfs",
    "cinder",
    "csi",
    "fc",
    "flexVolume",
    "flocker",
    "gcePersistentDisk",
    "glusterfs",
    "hostPath",
    "iscsi",
    "local",
    "nfs",
    "photonPersistentDisk",
    "portworxVolume",
    "quobyte",
    "rbd",
    "scaleIO",
    "storageos",
    "vsphereVolume",
];

impl SyncedField {
    /// Every group, in the order B1 handles them.
    pub const ALL: [Self; 7] = [
        Self::VolumeSource,
        Self::Capacity,
        Self::AccessModes,
        Self::ReclaimPolicy,
        Self::NodeAffinity,
        Self::VolumeMode,
        Self::MountOptions,
    ];

    /// The field path, e.g. `spec.capacity`; `spec.<volume source>` for the source group.
    pub const fn path(self) -> &'static str {
        match self {
            Self::VolumeSource => "spec.<volume source>",
            Self::Capacity => "spec.capacity",
            Self::AccessModes => "spec.accessModes",
            Self::ReclaimPolicy => "spec.persistentVolumeReclaimPolicy",
            Self::NodeAffinity => "spec.nodeAffinity",
            Self::VolumeMode => "spec.volumeMode",
            Self::MountOptions => "spec.mountOptions",
        }
    }

    /// The JSON member names of `spec` the group covers.
    pub const fn keys(self) -> &'static [&'static str] {
        match self {
            Self::VolumeSource => &VOLUME_SOURCES,
            Self::Capacity => &["capacity"],
            Self::AccessModes => &["accessModes"],
            Self::ReclaimPolicy => &["persistentVolumeReclaimPolicy"],
            Self::NodeAffinity => &["nodeAffinity"],
            Self::VolumeMode => &["volumeMode"],
            Self::MountOptions => &["mountOptions"],
        }
    }

    const fn leaves(self) -> Leaves {
        match self {
            Self::Capacity => Leaves::Quantities,
            _ => Leaves::Text,
        }
    }

    /// The field of the virtual PV, as named in explanations.
    const fn virtual_path(self) -> &'static str {
        match self {
            Self::VolumeSource => "virtualPv.spec.<volume source>",
            Self::Capacity => "virtualPv.spec.capacity",
            Self::AccessModes => "virtualPv.spec.accessModes",
            Self::ReclaimPolicy => "virtualPv.spec.persistentVolumeReclaimPolicy",
            Self::NodeAffinity => "virtualPv.spec.nodeAffinity",
            Self::VolumeMode => "virtualPv.spec.volumeMode",
            Self::MountOptions => "virtualPv.spec.mountOptions",
        }
    }

    /// The field of the host PV, as named in explanations.
    const fn host_path(self) -> &'static str {
        match self {
            Self::VolumeSource => "hostPv.spec.<volume source>",
            Self::Capacity => "hostPv.spec.capacity",
            Self::AccessModes => "hostPv.spec.accessModes",
            Self::ReclaimPolicy => "hostPv.spec.persistentVolumeReclaimPolicy",
            Self::NodeAffinity => "hostPv.spec.nodeAffinity",
            Self::VolumeMode => "hostPv.spec.volumeMode",
            Self::MountOptions => "hostPv.spec.mountOptions",
        }
    }

    /// The group's value in a serialised spec, normalised (empty parts dropped): the field's
    /// value, or for [`SyncedField::VolumeSource`] an object of the set sources.
    fn value(self, spec: &Map<String, Value>) -> Option<Value> {
        match self.keys() {
            [key] => spec.get(*key).and_then(semantic::normalise),
            keys => semantic::pick(spec, keys),
        }
    }

    /// Whether two serialised specs agree on the group.
    fn equal(self, a: &Map<String, Value>, b: &Map<String, Value>) -> bool {
        semantic::equal_members(a, b, self.keys(), self.leaves())
    }
}

impl fmt::Display for SyncedField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path())
    }
}

/// A B1 field group both sides changed, to different values, since the last sync, reported
/// instead of letting the virtual side win (option `conflicts: Report`).
///
/// Values are normalised JSON (empty parts dropped; `None` when absent or empty): the field's
/// value, or for [`SyncedField::VolumeSource`] an object keyed by source, e.g.
/// `{"csi": {...}}`.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The field group.
    pub field: SyncedField,
    /// The value on the virtual PV at the last sync.
    pub last_virtual: Option<Value>,
    /// The value on the host PV at the last sync.
    pub last_host: Option<Value>,
    /// The virtual PV's current value.
    pub virtual_value: Option<Value>,
    /// The host PV's current value.
    pub host_value: Option<Value>,
}

impl fmt::Display for Conflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<Value>| {
            v.as_ref()
                .map_or_else(|| "<none>".to_owned(), Value::to_string)
        };
        write!(
            f,
            "{}: both sides changed since the last sync: virtual {} -> {}, host {} -> {}",
            self.field,
            show(&self.last_virtual),
            show(&self.virtual_value),
            show(&self.last_host),
            show(&self.host_value),
        )
    }
}

/// The specs after B1, and the conflicts found.
pub(super) struct SyncedSpecs {
    pub(super) virtual_spec: PersistentVolumeSpec,
    pub(super) host_spec: PersistentVolumeSpec,
    pub(super) conflicts: Vec<Conflict>,
}

/// The four specs of B1, serialised.
struct Specs {
    last_virtual: Map<String, Value>,
    last_host: Map<String, Value>,
    virtual_spec: Map<String, Value>,
    host_spec: Map<String, Value>,
}

/// What B1 decided for one field group.
enum Outcome {
    /// Neither side changed; whether the sides differ.
    Unchanged { differ: bool },
    /// One side changed, the other already has its value.
    InStep,
    /// The host takes the virtual value (`also_host`: the host had changed too).
    ToHost { also_host: bool },
    /// The virtual side takes the host value.
    ToVirtual,
    /// Both changed to different values, `conflicts: Report`.
    Conflict,
}

/// B1 over every [`SyncedField`]. A spec is re-read from JSON only when B1 wrote into it.
pub(super) fn sync_fields(
    last: PvPair<'_>,
    current: PvPair<'_>,
    policy: ConflictPolicy,
    why: &mut Explanation,
) -> Result<SyncedSpecs, Error> {
    let mut specs = Specs {
        last_virtual: spec_json(last.virtual_pv)?,
        last_host: spec_json(last.host_pv)?,
        virtual_spec: spec_json(current.virtual_pv)?,
        host_spec: spec_json(current.host_pv)?,
    };
    let (mut to_host, mut to_virtual) = (false, false);
    let mut conflicts = Vec::new();
    let mut unchanged = Vec::new();
    for field in SyncedField::ALL {
        match outcome(field, &specs, policy) {
            Outcome::Unchanged { differ: false } => unchanged.push(field.path()),
            Outcome::Unchanged { differ: true } => why.rule(
                Rule::B1,
                format!(
                    "{field}: neither side changed since the last sync, but they differ: both kept (no history says which is newer)"
                ),
            ),
            Outcome::InStep => why.rule(
                Rule::B1,
                format!("{field}: changed, and both sides already agree: no write"),
            ),
            Outcome::ToHost { also_host } => {
                semantic::copy_members(&specs.virtual_spec, &mut specs.host_spec, field.keys());
                to_host = true;
                let reason = if also_host {
                    "both sides changed: the virtual side wins"
                } else {
                    "the virtual side changed: the host takes it"
                };
                why.rule(Rule::B1, format!("{field}: {reason}"));
                why.field(
                    field.host_path(),
                    Source::Input(Input::VirtualPv, field.path()),
                );
            }
            Outcome::ToVirtual => {
                semantic::copy_members(&specs.host_spec, &mut specs.virtual_spec, field.keys());
                to_virtual = true;
                why.rule(
                    Rule::B1,
                    format!("{field}: only the host changed: the virtual side takes it"),
                );
                why.field(
                    field.virtual_path(),
                    Source::Input(Input::HostPv, field.path()),
                );
            }
            Outcome::Conflict => {
                let conflict = Conflict {
                    field,
                    last_virtual: field.value(&specs.last_virtual),
                    last_host: field.value(&specs.last_host),
                    virtual_value: field.value(&specs.virtual_spec),
                    host_value: field.value(&specs.host_spec),
                };
                why.rule(
                    Rule::B1,
                    format!("{conflict}: reported (conflicts: Report), neither side changed"),
                );
                conflicts.push(conflict);
            }
        }
    }
    if !unchanged.is_empty() {
        why.rule(
            Rule::B1,
            format!(
                "unchanged on both sides since the last sync: {}",
                unchanged.join(", ")
            ),
        );
    }
    let virtual_spec = if to_virtual {
        spec_from_json(specs.virtual_spec, current.virtual_pv)?
    } else {
        current.virtual_pv.spec.clone().unwrap_or_default()
    };
    let host_spec = if to_host {
        spec_from_json(specs.host_spec, current.host_pv)?
    } else {
        current.host_pv.spec.clone().unwrap_or_default()
    };
    Ok(SyncedSpecs {
        virtual_spec,
        host_spec,
        conflicts,
    })
}

/// The B1 rule for one field group.
fn outcome(field: SyncedField, specs: &Specs, policy: ConflictPolicy) -> Outcome {
    let virtual_changed = !field.equal(&specs.last_virtual, &specs.virtual_spec);
    let host_changed = !field.equal(&specs.last_host, &specs.host_spec);
    let agree = field.equal(&specs.virtual_spec, &specs.host_spec);
    match (virtual_changed, host_changed) {
        (false, false) => Outcome::Unchanged { differ: !agree },
        _ if agree => Outcome::InStep,
        (true, true) if policy == ConflictPolicy::Report => Outcome::Conflict,
        (true, also_host) => Outcome::ToHost { also_host },
        (false, true) => Outcome::ToVirtual,
    }
}

/// A PV's spec as a JSON object (empty when the PV has none).
fn spec_json(pv: &PersistentVolume) -> Result<Map<String, Value>, Error> {
    let Some(spec) = pv.spec.as_ref() else {
        return Ok(Map::new());
    };
    match serde_json::to_value(spec) {
        Ok(Value::Object(members)) => Ok(members),
        Ok(_) => Err(Error::invalid(
            pv_ref(pv),
            "spec",
            "does not serialise to a JSON object",
        )),
        Err(e) => Err(Error::invalid(pv_ref(pv), "spec", e.to_string())),
    }
}

/// The spec of `pv` after B1 wrote into its JSON form.
fn spec_from_json(
    members: Map<String, Value>,
    pv: &PersistentVolume,
) -> Result<PersistentVolumeSpec, Error> {
    serde_json::from_value(Value::Object(members)).map_err(|e| {
        Error::invalid(
            pv_ref(pv),
            "spec",
            format!("the synced spec does not read back: {e}"),
        )
    })
}
