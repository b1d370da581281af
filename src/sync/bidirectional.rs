//! B1, B2: keeping a virtual PV and its host PV in step once both exist (vcluster's `Sync`,
//! steps 6-10: `CopyBidirectional`, `translateUpdateBackwards`, status, labels, annotations).

use std::collections::BTreeMap;
use std::fmt;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::{Map, Value};

use super::semantic::{self, Leaves};
use super::{PvAction, check_pairing, is_virtual_originated, mirror, pv_action};
use crate::error::Error;
use crate::explain::{Explanation, Input, Rule, Source};
use crate::fake::is_controlled_elsewhere;
use crate::names::virtual_label_key;
use crate::object::kept_as_is;
use crate::object::{name, pv_ref, without_server_fields};
use crate::options::ConflictPolicy;
use crate::translator::Translator;
use crate::validate::validate_pv;
use crate::wellknown::{TRANSLATED_LABEL_KEYS, is_bookkeeping_annotation};

/// A virtual PV and its host PV, as seen at one moment.
#[derive(Debug, Clone, Copy)]
pub struct PvPair<'a> {
    /// The virtual PersistentVolume.
    pub virtual_pv: &'a PersistentVolume,
    /// The host PersistentVolume it is paired with (its mirror source, or its copy).
    pub host_pv: &'a PersistentVolume,
}

impl<'a> PvPair<'a> {
    /// The pair of `virtual_pv` and `host_pv`.
    pub const fn new(virtual_pv: &'a PersistentVolume, host_pv: &'a PersistentVolume) -> Self {
        Self {
            virtual_pv,
            host_pv,
        }
    }
}

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

/// The result of [`keep_in_step`]: both PVs as they should be after the sync.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncUpdate {
    /// The desired virtual PV.
    pub virtual_pv: PersistentVolume,
    /// The desired host PV.
    pub host_pv: PersistentVolume,
    /// B1 field groups left unchanged on both sides because both changed (`conflicts: Report`);
    /// always empty with the default `VirtualWins`.
    pub conflicts: Vec<Conflict>,
    /// The rules applied, in order; field origins are named `virtualPv.<path>` or
    /// `hostPv.<path>` after the desired object they describe.
    pub explanation: Explanation,
}

/// B1, B2: the virtual PV and host PV of one pair after a sync, given both as they were at the
/// last sync (`last`) and as they are now (`current`), and the virtual PVC, if any (S7, S8).
///
/// - **B1**, for each [`SyncedField`]: if the virtual side changed since the last sync
///   (semantically: `1Gi` equals `1024Mi`, empty equals absent) the host takes its value, even
///   if the host changed too; else if the host changed, the virtual side takes the host's; else
///   both stay. With `conflicts: Report`, a group both sides changed to different values is
///   returned as a [`Conflict`] and left as it is on both sides. A side that already has the
///   other's value (semantically) is not rewritten.
/// - **B2**: the virtual status is the host's; the host status is kept. The virtual claimRef
///   follows S7. For a mirrored PV (`vcluster.loft.sh/host-pv` set) the virtual
///   storageClassName follows S8; for a tenant's own PV the host storageClassName is N3 of the
///   virtual one (empty stays empty). Labels and annotations: if the virtual map changed, its
///   added, changed and removed keys are applied to the host map (labels through N5);
///   otherwise a changed host map is applied to the virtual one (labels through N5's inverse).
///   Bookkeeping annotations and `host-pv` never cross and stay where they are; neither do the
///   host's untranslated reserved label keys (N5), among them the `managed-by` marker. When both
///   maps changed the virtual side wins and the host's own edits stay on the host only
///   (vcluster behaviour).
///
/// Both results are without server-set metadata (SPEC §0): apply them as patches. A
/// virtual PV labelled `vcluster.loft.sh/controlled-by` (F6) leaves both PVs as they are.
///
/// With `conflicts: Report` the caller keeps its last-synced snapshot of a conflicting pair:
/// recording the unchanged result as the new "last" would hide the conflict.
///
/// # Errors
///
/// - A current PV that fails I7 ([`validate_pv`]): no capacity storage, no access modes, an
///   invalid reclaim policy or volume mode. The last-synced PVs are only compared, not checked.
/// - A last-synced PV whose name is not the current one's.
/// - A pair that is not one: the virtual PV is neither the host PV's mirror nor its source.
/// - A pair the syncer does not keep in step ([`pv_action`] is not
///   [`PvAction::KeepInStep`]): either is being deleted (D1, D3), or the host PV is not
///   mirrored for this virtual cluster (S2-S5), e.g. its claim is in another namespace.
/// - A virtual PVC that is not the host PV's claim (S4).
pub fn keep_in_step(
    last: PvPair<'_>,
    current: PvPair<'_>,
    virtual_pvc: Option<&PersistentVolumeClaim>,
    translator: &Translator,
) -> Result<SyncUpdate, Error> {
    let mut why = Explanation::default();
    if is_controlled_elsewhere(current.virtual_pv) {
        why.rule(
            Rule::F6,
            "the virtual PV is labelled vcluster.loft.sh/controlled-by: neither PV is touched",
        );
        return Ok(SyncUpdate {
            virtual_pv: kept_as_is(current.virtual_pv),
            host_pv: kept_as_is(current.host_pv),
            conflicts: Vec::new(),
            explanation: why,
        });
    }
    check_inputs(last, current, virtual_pvc, translator)?;

    let fields = sync_fields(last, current, translator.options.conflicts, &mut why)?;
    let mut virtual_spec = fields.virtual_spec;
    let mut host_spec = fields.host_spec;
    sync_claim_and_class(
        current.virtual_pv,
        &mut virtual_spec,
        &mut host_spec,
        virtual_pvc,
        translator,
        &mut why,
    );
    let (virtual_meta, host_meta) = sync_metadata(last, current, translator, &mut why);

    why.rule(Rule::B2, "status flows host -> virtual only");
    why.field("virtualPv.status", Source::Input(Input::HostPv, "status"));
    Ok(SyncUpdate {
        virtual_pv: PersistentVolume {
            metadata: virtual_meta,
            spec: Some(virtual_spec),
            status: current.host_pv.status.clone(),
        },
        host_pv: PersistentVolume {
            metadata: host_meta,
            spec: Some(host_spec),
            status: current.host_pv.status.clone(),
        },
        conflicts: fields.conflicts,
        explanation: why,
    })
}

/// The checks of [`keep_in_step`]'s `# Errors`, in that order.
fn check_inputs(
    last: PvPair<'_>,
    current: PvPair<'_>,
    virtual_pvc: Option<&PersistentVolumeClaim>,
    translator: &Translator,
) -> Result<(), Error> {
    validate_pv(current.virtual_pv)?;
    validate_pv(current.host_pv)?;
    for (before, now) in [
        (last.virtual_pv, current.virtual_pv),
        (last.host_pv, current.host_pv),
    ] {
        if name(&before.metadata) != name(&now.metadata) {
            return Err(Error::inconsistent(
                pv_ref(before),
                "metadata.name",
                format!(
                    "the last-synced PV is not the current one, {:?}",
                    name(&now.metadata)
                ),
            ));
        }
    }
    check_pairing(current.host_pv, Some(current.virtual_pv), translator)?;
    match pv_action(
        Some(current.virtual_pv),
        Some(current.host_pv),
        virtual_pvc,
        translator,
    )? {
        PvAction::KeepInStep => Ok(()),
        action => Err(Error::inconsistent(
            pv_ref(current.virtual_pv),
            "metadata",
            format!("the pair is not kept in step (B1, B2): the syncer's action is to {action}"),
        )),
    }
}

/// The specs after B1, and the conflicts found.
struct SyncedSpecs {
    virtual_spec: PersistentVolumeSpec,
    host_spec: PersistentVolumeSpec,
    conflicts: Vec<Conflict>,
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
fn sync_fields(
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

/// B2 with S7 and S8: the virtual claimRef follows S7; a mirrored PV's virtual class follows
/// S8, a tenant's own PV's host class is N3 of the virtual one.
fn sync_claim_and_class(
    current_virtual: &PersistentVolume,
    virtual_spec: &mut PersistentVolumeSpec,
    host_spec: &mut PersistentVolumeSpec,
    virtual_pvc: Option<&PersistentVolumeClaim>,
    translator: &Translator,
    why: &mut Explanation,
) {
    let cluster = &translator.cluster;
    // The mirror helpers name fields of the virtual PV without a prefix; collected apart, then
    // renamed.
    let mut mirrored = Explanation::default();
    if host_spec.claim_ref.is_none() {
        // mirror::claim_ref says nothing then: record why the virtual claimRef goes.
        mirrored.rule(
            Rule::S7,
            "the host PV has no claimRef: neither has the virtual PV",
        );
        mirrored.field(
            "spec.claimRef",
            Source::Input(Input::HostPv, "spec.claimRef"),
        );
    }
    virtual_spec.claim_ref = mirror::claim_ref(
        host_spec.claim_ref.as_ref(),
        virtual_pvc,
        Some(current_virtual),
        cluster,
        &mut mirrored,
    );
    let tenant_pv = is_virtual_originated(current_virtual);
    why.rule(
        Rule::B2,
        if tenant_pv {
            "claimRef flows to the virtual PV by S7"
        } else {
            "claimRef and storageClassName flow to the virtual PV by S7 and S8"
        },
    );
    if tenant_pv {
        let class = virtual_spec.storage_class_name.as_deref();
        host_spec.storage_class_name = match class {
            Some(c) if !c.is_empty() => Some(cluster.host_name_cluster(c)),
            _ => virtual_spec.storage_class_name.clone(),
        };
        why.rule(
            Rule::B2,
            "a virtual-originated PV: the host storageClassName is N3 of the virtual one",
        );
        why.field("hostPv.spec.storageClassName", Source::Rule(Rule::N3));
    } else {
        virtual_spec.storage_class_name = mirror::storage_class_name(
            host_spec,
            virtual_pvc,
            Some(current_virtual),
            translator.mode.storage_classes,
            &mut mirrored,
        );
    }
    why.steps.extend(mirrored.steps);
    why.fields
        .extend(mirrored.fields.into_iter().map(|mut origin| {
            origin.field = virtual_field(origin.field);
            origin
        }));
}

/// A field of the virtual PV as the mirror helpers name it, renamed `virtualPv.<path>`.
fn virtual_field(field: &'static str) -> &'static str {
    match field {
        "spec.claimRef" => "virtualPv.spec.claimRef",
        "spec.storageClassName" => "virtualPv.spec.storageClassName",
        other => other,
    }
}

type StringMap = BTreeMap<String, String>;

/// How one metadata map crosses between the clusters: the other side's name of a key, `None`
/// for a key that never crosses.
struct Crossing<'a> {
    /// `"labels"` or `"annotations"`.
    what: &'static str,
    /// The field path in both objects.
    path: &'static str,
    /// The host PV's field, as named in explanations.
    host_path: &'static str,
    /// The virtual PV's field, as named in explanations.
    virtual_path: &'static str,
    /// How the keys are renamed, for the explanation.
    through: &'static str,
    to_host: &'a dyn Fn(&str) -> Option<String>,
    to_virtual: &'a dyn Fn(&str) -> Option<String>,
}

/// B2 for labels and annotations: the metadata of both desired PVs, without server-set fields.
fn sync_metadata(
    last: PvPair<'_>,
    current: PvPair<'_>,
    translator: &Translator,
    why: &mut Explanation,
) -> (ObjectMeta, ObjectMeta) {
    let vcluster = translator.cluster.name.as_str();
    let label_to_host = |key: &str| Some(translator.cluster.host_label_key(key).into_owned());
    let label_to_virtual = |key: &str| match virtual_label_key(key, vcluster) {
        Some(virtual_key) => Some(virtual_key.to_owned()),
        // The host's own reserved keys, the managed-by marker among them, are the host's.
        None if TRANSLATED_LABEL_KEYS.contains(&key) => None,
        None => Some(key.to_owned()),
    };
    let annotation = |key: &str| (!is_bookkeeping_annotation(key)).then(|| key.to_owned());
    let labels = Crossing {
        what: "labels",
        path: "metadata.labels",
        host_path: "hostPv.metadata.labels",
        virtual_path: "virtualPv.metadata.labels",
        through: " through N5",
        to_host: &label_to_host,
        to_virtual: &label_to_virtual,
    };
    let annotations = Crossing {
        what: "annotations",
        path: "metadata.annotations",
        host_path: "hostPv.metadata.annotations",
        virtual_path: "virtualPv.metadata.annotations",
        through: "",
        to_host: &annotation,
        to_virtual: &annotation,
    };
    let mut virtual_meta = without_server_fields(&current.virtual_pv.metadata);
    let mut host_meta = without_server_fields(&current.host_pv.metadata);
    let (last_v, last_h) = (&last.virtual_pv.metadata, &last.host_pv.metadata);
    let (now_v, now_h) = (&current.virtual_pv.metadata, &current.host_pv.metadata);
    sync_map(
        &labels,
        [&last_v.labels, &now_v.labels, &last_h.labels, &now_h.labels],
        &mut virtual_meta.labels,
        &mut host_meta.labels,
        why,
    );
    sync_map(
        &annotations,
        [
            &last_v.annotations,
            &now_v.annotations,
            &last_h.annotations,
            &now_h.annotations,
        ],
        &mut virtual_meta.annotations,
        &mut host_meta.annotations,
        why,
    );
    (virtual_meta, host_meta)
}

/// B2 for one metadata map, given `[last virtual, current virtual, last host, current host]`:
/// the changed side's diff is applied to the other side's map (virtual first).
fn sync_map(
    crossing: &Crossing<'_>,
    [last_v, now_v, last_h, now_h]: [&Option<StringMap>; 4],
    virtual_map: &mut Option<StringMap>,
    host_map: &mut Option<StringMap>,
    why: &mut Explanation,
) {
    let empty = StringMap::new();
    let virtual_diff = diff(
        last_v.as_ref().unwrap_or(&empty),
        now_v.as_ref().unwrap_or(&empty),
        crossing.to_host,
    );
    let host_diff = diff(
        last_h.as_ref().unwrap_or(&empty),
        now_h.as_ref().unwrap_or(&empty),
        crossing.to_virtual,
    );
    let what = crossing.what;
    if !virtual_diff.is_empty() {
        let also = if host_diff.is_empty() {
            ""
        } else {
            "; the host's changed too: the virtual side wins, the host's own edits stay on the host"
        };
        why.rule(
            Rule::B2,
            format!(
                "the virtual PV's {what} changed: pushed to the host PV{} ({}){also}",
                crossing.through,
                summary(&virtual_diff)
            ),
        );
        why.field(
            crossing.host_path,
            Source::Input(Input::VirtualPv, crossing.path),
        );
        *host_map = apply(host_map.take(), &virtual_diff);
    } else if !host_diff.is_empty() {
        why.rule(
            Rule::B2,
            format!(
                "the host PV's {what} changed: pulled into the virtual PV ({})",
                summary(&host_diff)
            ),
        );
        why.field(
            crossing.virtual_path,
            Source::Input(Input::HostPv, crossing.path),
        );
        *virtual_map = apply(virtual_map.take(), &host_diff);
    }
}

/// One key's change, named as on the other side: `Some(value)` set, `None` removed.
type Change = (String, Option<String>);

/// The added, changed and removed keys from `last` to `now` that cross, renamed by `cross`.
fn diff(last: &StringMap, now: &StringMap, cross: &dyn Fn(&str) -> Option<String>) -> Vec<Change> {
    let set = now
        .iter()
        .filter(|(k, v)| last.get(*k) != Some(*v))
        .filter_map(|(k, v)| cross(k).map(|other| (other, Some(v.clone()))));
    let removed = last
        .keys()
        .filter(|k| !now.contains_key(*k))
        .filter_map(|k| cross(k).map(|other| (other, None)));
    set.chain(removed).collect()
}

/// `map` with `changes` applied; `None` when nothing is left.
fn apply(map: Option<StringMap>, changes: &[Change]) -> Option<StringMap> {
    let mut map = map.unwrap_or_default();
    for (key, value) in changes {
        match value {
            Some(v) => {
                map.insert(key.clone(), v.clone());
            }
            None => {
                map.remove(key);
            }
        }
    }
    (!map.is_empty()).then_some(map)
}

/// `set: a, b; removed: c`, keys as named on the receiving side.
fn summary(changes: &[Change]) -> String {
    let keys = |removed: bool| {
        changes
            .iter()
            .filter(|(_, v)| v.is_none() == removed)
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (set, removed) = (keys(false), keys(true));
    match (set.is_empty(), removed.is_empty()) {
        (false, false) => format!("set: {set}; removed: {removed}"),
        (false, true) => format!("set: {set}"),
        _ => format!("removed: {removed}"),
    }
}
