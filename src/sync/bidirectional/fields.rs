//! B1: the seven field groups kept in step, compared semantically on the typed spec.

use std::fmt;

use k8s_openapi::api::core::v1::PersistentVolumeSpec;
use serde_json::Value;

use super::semantic::{normalised, same, same_capacity};
use crate::explain::{Input, Rule, Source, Why};
use crate::options::ConflictPolicy;

/// A group of PV spec fields that B1 keeps in step both ways, as one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "camelCase")]
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

/// Applies `$m` to the Rust names of the 22 inline volume sources of a PersistentVolumeSpec.
macro_rules! volume_sources {
    ($m:ident) => {
        $m!(
            aws_elastic_block_store,
            azure_disk,
            azure_file,
            cephfs,
            cinder,
            csi,
            fc,
            flex_volume,
            flocker,
            gce_persistent_disk,
            glusterfs,
            host_path,
            iscsi,
            local,
            nfs,
            photon_persistent_disk,
            portworx_volume,
            quobyte,
            rbd,
            scale_io,
            storageos,
            vsphere_volume
        )
    };
}

/// Whether two specs set the same volume source, semantically.
fn same_source(a: &PersistentVolumeSpec, b: &PersistentVolumeSpec) -> bool {
    macro_rules! all_same {
        ($($field:ident),*) => { true $(&& same(&a.$field, &b.$field))* };
    }
    volume_sources!(all_same)
}

/// Makes `to`'s volume source `from`'s (setting one, clearing the others).
fn copy_source(from: &PersistentVolumeSpec, to: &mut PersistentVolumeSpec) {
    macro_rules! copy_all {
        ($($field:ident),*) => {{ $(to.$field.clone_from(&from.$field);)* }};
    }
    volume_sources!(copy_all);
}

/// The set volume sources as one JSON object keyed by their wire names, normalised.
fn source_value(spec: &PersistentVolumeSpec) -> Option<Value> {
    let only_sources = PersistentVolumeSpec {
        access_modes: None,
        capacity: None,
        claim_ref: None,
        mount_options: None,
        node_affinity: None,
        persistent_volume_reclaim_policy: None,
        storage_class_name: None,
        volume_attributes_class_name: None,
        volume_mode: None,
        ..spec.clone()
    };
    normalised(&only_sources)
}

/// A PV's volume mode as the API server stores it: `Filesystem` when unset (its default).
fn volume_mode(spec: &PersistentVolumeSpec) -> &str {
    spec.volume_mode
        .as_deref()
        .filter(|mode| !mode.is_empty())
        .unwrap_or("Filesystem")
}

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

    /// Whether the API server refuses to change the group on an existing PV whose spec is
    /// `current` (Kubernetes' `ValidatePersistentVolumeUpdate`): the volume source and the
    /// volume mode always, node affinity once it is set.
    pub(crate) const fn immutable_on(self, current: &PersistentVolumeSpec) -> bool {
        match self {
            Self::VolumeSource | Self::VolumeMode => true,
            Self::NodeAffinity => current.node_affinity.is_some(),
            Self::Capacity | Self::AccessModes | Self::ReclaimPolicy | Self::MountOptions => false,
        }
    }

    /// Whether two specs agree on the group, semantically.
    pub(crate) fn equal(self, a: &PersistentVolumeSpec, b: &PersistentVolumeSpec) -> bool {
        match self {
            Self::VolumeSource => same_source(a, b),
            Self::Capacity => same_capacity(a.capacity.as_ref(), b.capacity.as_ref()),
            Self::AccessModes => same(&a.access_modes, &b.access_modes),
            Self::ReclaimPolicy => same(
                &a.persistent_volume_reclaim_policy,
                &b.persistent_volume_reclaim_policy,
            ),
            Self::NodeAffinity => same(&a.node_affinity, &b.node_affinity),
            Self::VolumeMode => volume_mode(a) == volume_mode(b),
            Self::MountOptions => same(&a.mount_options, &b.mount_options),
        }
    }

    /// Makes the group of `to` that of `from`, spelling included.
    fn copy(self, from: &PersistentVolumeSpec, to: &mut PersistentVolumeSpec) {
        match self {
            Self::VolumeSource => copy_source(from, to),
            Self::Capacity => to.capacity.clone_from(&from.capacity),
            Self::AccessModes => to.access_modes.clone_from(&from.access_modes),
            Self::ReclaimPolicy => to
                .persistent_volume_reclaim_policy
                .clone_from(&from.persistent_volume_reclaim_policy),
            Self::NodeAffinity => to.node_affinity.clone_from(&from.node_affinity),
            Self::VolumeMode => to.volume_mode.clone_from(&from.volume_mode),
            Self::MountOptions => to.mount_options.clone_from(&from.mount_options),
        }
    }

    /// The group's value in normalised JSON (empty parts dropped; `None` when empty), for
    /// conflict reports: the field's value, or for the source group an object keyed by source.
    fn value(self, spec: &PersistentVolumeSpec) -> Option<Value> {
        match self {
            Self::VolumeSource => source_value(spec),
            Self::Capacity => normalised(&spec.capacity),
            Self::AccessModes => normalised(&spec.access_modes),
            Self::ReclaimPolicy => normalised(&spec.persistent_volume_reclaim_policy),
            Self::NodeAffinity => normalised(&spec.node_affinity),
            Self::VolumeMode => normalised(&spec.volume_mode),
            Self::MountOptions => normalised(&spec.mount_options),
        }
    }
}

impl fmt::Display for SyncedField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.path())
    }
}

/// Why B1 leaves a field group as it is on both sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum ConflictReason {
    /// Both sides changed it, to different values (option `conflicts: Report`).
    BothChanged,
    /// The host PV would take the virtual value, but the API server refuses to change the
    /// group on an existing PV (a volume source, a volume mode, a node affinity once set).
    ImmutableOnHost,
    /// The virtual PV would take the host value, but its API server refuses the change.
    ImmutableOnVirtual,
}

/// A B1 field group left as it is on both sides: both sides changed it to different values
/// since the last sync (reported instead of letting the virtual side win, option
/// `conflicts: Report`), or the side that would take the other's value cannot be changed there
/// (whatever the option: no update the API server would refuse is planned).
///
/// Values are normalised JSON (empty parts dropped; `None` when absent or empty): the field's
/// value, or for [`SyncedField::VolumeSource`] an object keyed by source, e.g.
/// `{"csi": {...}}`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Conflict {
    /// The field group.
    pub field: SyncedField,
    /// Why it is left alone.
    pub reason: ConflictReason,
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
        let why = match self.reason {
            ConflictReason::BothChanged => "both sides changed since the last sync",
            ConflictReason::ImmutableOnHost => {
                "the host PV cannot take the virtual change (immutable on an existing PV)"
            }
            ConflictReason::ImmutableOnVirtual => {
                "the virtual PV cannot take the host change (immutable on an existing PV)"
            }
        };
        write!(
            f,
            "{}: {why}: virtual {} -> {}, host {} -> {}",
            self.field,
            show(&self.last_virtual),
            show(&self.virtual_value),
            show(&self.last_host),
            show(&self.host_value),
        )
    }
}

/// What B1 decided for one field group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// The B1 rule for one field group.
fn outcome(
    field: SyncedField,
    [last_virtual, last_host, virtual_spec, host_spec]: [&PersistentVolumeSpec; 4],
    policy: ConflictPolicy,
) -> Outcome {
    let virtual_changed = !field.equal(last_virtual, virtual_spec);
    let host_changed = !field.equal(last_host, host_spec);
    if !virtual_changed && !host_changed {
        return Outcome::Unchanged {
            differ: !field.equal(virtual_spec, host_spec),
        };
    }
    if field.equal(virtual_spec, host_spec) {
        return Outcome::InStep;
    }
    match (virtual_changed, host_changed) {
        (true, true) if policy == ConflictPolicy::Report => Outcome::Conflict,
        (true, also_host) => Outcome::ToHost { also_host },
        (false, _) => Outcome::ToVirtual,
    }
}

/// The last-synced and current specs of both sides.
pub(super) struct Specs<'a> {
    pub(super) last_virtual: &'a PersistentVolumeSpec,
    pub(super) last_host: &'a PersistentVolumeSpec,
}

/// B1 over every [`SyncedField`]: `virtual_spec` and `host_spec` (the current specs, as copies
/// to write into) become the synced ones. A group the side that would take it cannot change on
/// an existing PV ([`SyncedField::immutable_on`]) is a conflict, whatever `policy` says: a
/// volume source, in particular, never reaches an existing host PV this way (H1's node-volume
/// and T1's secret rules hold at creation, and nothing changes it after).
///
/// `virtual_recreatable`: the virtual PV is a mirror, which is made again when it must take an
/// immutable host change (the caller turns the update into a recreate); a tenant's own PV is
/// not, and such a change is a conflict.
pub(super) fn sync_fields(
    last: &Specs<'_>,
    virtual_spec: &mut PersistentVolumeSpec,
    host_spec: &mut PersistentVolumeSpec,
    policy: ConflictPolicy,
    virtual_recreatable: bool,
    why: &mut Why,
) -> Vec<Conflict> {
    let mut conflicts = Vec::new();
    let mut unchanged: Vec<&'static str> = Vec::new();
    for field in SyncedField::ALL {
        let specs = [
            last.last_virtual,
            last.last_host,
            &*virtual_spec,
            &*host_spec,
        ];
        match outcome(field, specs, policy) {
            Outcome::Unchanged { differ: false } => {
                if why.is_on() {
                    unchanged.push(field.path());
                }
            }
            Outcome::Unchanged { differ: true } => why.rule(Rule::B1, move || {
                format!(
                    "{field}: neither side changed since the last sync, but they differ: both \
                     kept (no history says which is newer)"
                )
            }),
            Outcome::InStep => why.rule(Rule::B1, move || {
                format!("{field}: changed, and both sides already agree: no write")
            }),
            Outcome::ToHost { .. } if field.immutable_on(host_spec) => {
                conflicts.push(conflict(
                    field,
                    ConflictReason::ImmutableOnHost,
                    last,
                    virtual_spec,
                    host_spec,
                    why,
                ));
            }
            Outcome::ToVirtual if !virtual_recreatable && field.immutable_on(virtual_spec) => {
                conflicts.push(conflict(
                    field,
                    ConflictReason::ImmutableOnVirtual,
                    last,
                    virtual_spec,
                    host_spec,
                    why,
                ));
            }
            Outcome::ToHost { also_host } => {
                field.copy(virtual_spec, host_spec);
                why.rule(Rule::B1, move || {
                    let reason = if also_host {
                        "both sides changed: the virtual side wins"
                    } else {
                        "the virtual side changed: the host takes it"
                    };
                    format!("{field}: {reason}")
                });
                why.field(
                    field.host_path(),
                    Source::input(Input::VirtualPv, field.path()),
                );
            }
            Outcome::ToVirtual => {
                field.copy(host_spec, virtual_spec);
                why.rule(Rule::B1, move || {
                    format!("{field}: only the host changed: the virtual side takes it")
                });
                why.field(
                    field.virtual_path(),
                    Source::input(Input::HostPv, field.path()),
                );
            }
            Outcome::Conflict => {
                conflicts.push(conflict(
                    field,
                    ConflictReason::BothChanged,
                    last,
                    virtual_spec,
                    host_spec,
                    why,
                ));
            }
        }
    }
    if !unchanged.is_empty() {
        why.rule(Rule::B1, move || {
            format!(
                "unchanged on both sides since the last sync: {}",
                unchanged.join(", ")
            )
        });
    }
    conflicts
}

/// The first field group in which `desired` differs from `current` that the API server will
/// not change on an existing PV ([`SyncedField::immutable_on`]): the PV must be made again to
/// become `desired`.
pub(crate) fn immutable_difference(
    current: &PersistentVolumeSpec,
    desired: &PersistentVolumeSpec,
) -> Option<SyncedField> {
    SyncedField::ALL
        .into_iter()
        .find(|field| field.immutable_on(current) && !field.equal(current, desired))
}

/// A conflict about `field`, explained: neither side is written.
fn conflict(
    field: SyncedField,
    reason: ConflictReason,
    last: &Specs<'_>,
    virtual_spec: &PersistentVolumeSpec,
    host_spec: &PersistentVolumeSpec,
    why: &mut Why,
) -> Conflict {
    let conflict = Conflict {
        field,
        reason,
        last_virtual: field.value(last.last_virtual),
        last_host: field.value(last.last_host),
        virtual_value: field.value(virtual_spec),
        host_value: field.value(host_spec),
    };
    if why.is_on() {
        let text = match reason {
            ConflictReason::BothChanged => {
                format!("{conflict}: reported (conflicts: Report), neither side changed")
            }
            ConflictReason::ImmutableOnHost | ConflictReason::ImmutableOnVirtual => {
                format!("{conflict}: not written, the API server would refuse it")
            }
        };
        why.rule(Rule::B1, move || text);
    }
    conflict
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn spec(policy: &str) -> PersistentVolumeSpec {
        PersistentVolumeSpec {
            persistent_volume_reclaim_policy: Some(policy.to_owned()),
            ..Default::default()
        }
    }

    #[test]
    fn b1_outcomes() {
        let f = SyncedField::ReclaimPolicy;
        let (d, r) = (spec("Delete"), spec("Retain"));
        let wins = ConflictPolicy::VirtualWins;
        assert_eq!(
            outcome(f, [&d, &d, &d, &d], wins),
            Outcome::Unchanged { differ: false }
        );
        assert_eq!(
            outcome(f, [&d, &r, &d, &r], wins),
            Outcome::Unchanged { differ: true }
        );
        assert_eq!(
            outcome(f, [&d, &d, &r, &d], wins),
            Outcome::ToHost { also_host: false }
        );
        assert_eq!(outcome(f, [&d, &d, &d, &r], wins), Outcome::ToVirtual);
        assert_eq!(outcome(f, [&d, &d, &r, &r], wins), Outcome::InStep);
        let recycle = spec("Recycle");
        assert_eq!(
            outcome(f, [&d, &d, &r, &recycle], wins),
            Outcome::ToHost { also_host: true }
        );
        assert_eq!(
            outcome(f, [&d, &d, &r, &recycle], ConflictPolicy::Report),
            Outcome::Conflict
        );
    }

    #[test]
    fn b1_an_unset_volume_mode_is_filesystem() {
        let mode = |m: Option<&str>| PersistentVolumeSpec {
            volume_mode: m.map(str::to_owned),
            ..Default::default()
        };
        let f = SyncedField::VolumeMode;
        assert!(f.equal(&mode(None), &mode(Some("Filesystem"))));
        assert!(f.equal(&mode(Some("")), &mode(Some("Filesystem"))));
        assert!(!f.equal(&mode(None), &mode(Some("Block"))));
    }

    /// ValidatePersistentVolumeUpdate: the source and the volume mode never change on an
    /// existing PV, node affinity only from unset; the other groups do.
    #[test]
    fn b1_immutable_groups_follow_the_api_server() {
        let none = PersistentVolumeSpec::default();
        let affinity: PersistentVolumeSpec = serde_json::from_value(serde_json::json!({
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "k", "operator": "In", "values": ["a"]}]}]}}
        }))
        .unwrap();
        for field in SyncedField::ALL {
            let expected = matches!(field, SyncedField::VolumeSource | SyncedField::VolumeMode);
            assert_eq!(field.immutable_on(&none), expected, "{field}");
        }
        assert!(SyncedField::NodeAffinity.immutable_on(&affinity));
        assert_eq!(immutable_difference(&none, &affinity), None);
        assert_eq!(
            immutable_difference(&affinity, &none),
            Some(SyncedField::NodeAffinity)
        );
        let nfs: PersistentVolumeSpec =
            serde_json::from_value(serde_json::json!({"nfs": {"server": "s", "path": "/p"}}))
                .unwrap();
        assert_eq!(
            immutable_difference(&none, &nfs),
            Some(SyncedField::VolumeSource)
        );
        let policy = PersistentVolumeSpec {
            persistent_volume_reclaim_policy: Some("Retain".to_owned()),
            ..Default::default()
        };
        assert_eq!(immutable_difference(&none, &policy), None);
    }

    /// B1's source group covers every source the I7 check counts, each under its wire name.
    #[test]
    fn b1_source_group_covers_every_volume_source() {
        let names = [
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
        let all: serde_json::Map<String, Value> = names
            .iter()
            .map(|n| ((*n).to_owned(), serde_json::json!({})))
            .collect();
        let all: PersistentVolumeSpec = serde_json::from_value(Value::Object(all)).unwrap();
        assert_eq!(
            crate::validate::volume_sources(&all).collect::<Vec<_>>(),
            names
        );
        for name in names {
            let one: PersistentVolumeSpec =
                serde_json::from_value(serde_json::json!({ name: {} })).unwrap();
            let mut copy = PersistentVolumeSpec::default();
            copy_source(&one, &mut copy);
            assert_eq!(copy, one, "{name}");
        }
    }

    #[test]
    fn b1_copy_source_sets_one_and_clears_the_other() {
        let from: PersistentVolumeSpec =
            serde_json::from_value(serde_json::json!({"nfs": {"server": "s", "path": "/p"}}))
                .unwrap();
        let mut to: PersistentVolumeSpec = serde_json::from_value(
            serde_json::json!({"csi": {"driver": "d", "volumeHandle": "h"}}),
        )
        .unwrap();
        copy_source(&from, &mut to);
        assert!(to.csi.is_none());
        assert_eq!(to.nfs, from.nfs);
        assert!(same_source(&from, &to));
        assert_eq!(
            source_value(&to),
            Some(serde_json::json!({"nfs": {"server": "s", "path": "/p"}}))
        );
    }
}
