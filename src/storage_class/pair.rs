//! C2, T5, U2: a virtual StorageClass and its host copy in `ToHost` mode, kept in step both ways
//! as vcluster's `storageClassSyncer.Sync` does, without ever planning an update the API server
//! refuses.

use std::borrow::Cow;
use std::collections::BTreeMap;

use k8s_openapi::api::storage::v1::StorageClass;
use serde::Serialize;
use serde_json::Value;

use super::{NOT_TO_HOST, required_name, tenant_class_refusal, to_host};
use crate::context::Context;
use crate::decision::Decision;
use crate::error::Error;
use crate::explain::{Rule, Why};
use crate::fate::Fate;
use crate::object::{is_made_from, name, name_error, storage_class_ref, without_server_fields};
use crate::options::ConflictPolicy;
use crate::pvc::{Crossing, History, merge, summary};
use crate::wellknown::{
    OBJECT_HOST_NAME_ANNOTATION, OBJECT_KIND_ANNOTATION, OBJECT_NAME_ANNOTATION,
    OBJECT_NAMESPACE_ANNOTATION, OBJECT_UID_ANNOTATION, STORAGE_CLASS_OBJECT_KIND,
    is_secret_class_parameter,
};

/// A virtual StorageClass and its host copy in `ToHost` mode (SPEC C2, U2), now and at the last
/// settled sync (R2). Build it with [`ClassInputs::new`] and the `with_` setters.
///
/// ```
/// use k8s_openapi::api::storage::v1::StorageClass;
/// use pv_translate::storage_class::ClassInputs;
/// let class = StorageClass::default();
/// let inputs = ClassInputs::new(&class);
/// assert!(inputs.host_class.is_none());
/// ```
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct ClassInputs<'a> {
    /// The virtual class.
    pub virtual_class: &'a StorageClass,
    /// Its host copy (N3 of its name), if it exists.
    pub host_class: Option<&'a StorageClass>,
    /// The virtual class at the last settled sync, if the caller keeps one (R2).
    pub last_virtual_class: Option<&'a StorageClass>,
    /// The host class at the last settled sync, if the caller keeps one (R2): a host class seen
    /// then and gone now takes the virtual class with it, as vcluster does.
    pub last_host_class: Option<&'a StorageClass>,
}

impl<'a> ClassInputs<'a> {
    /// The virtual class alone: no host copy yet, no history.
    pub const fn new(virtual_class: &'a StorageClass) -> Self {
        Self {
            virtual_class,
            host_class: None,
            last_virtual_class: None,
            last_host_class: None,
        }
    }

    /// Sets the current host class.
    #[must_use]
    pub const fn with_host_class(mut self, class: &'a StorageClass) -> Self {
        self.host_class = Some(class);
        self
    }

    /// Sets both classes as they were at the last settled sync (R2).
    #[must_use]
    pub const fn with_last(
        mut self,
        virtual_class: Option<&'a StorageClass>,
        host_class: Option<&'a StorageClass>,
    ) -> Self {
        self.last_virtual_class = virtual_class;
        self.last_host_class = host_class;
        self
    }
}

/// The decisions about both classes of a `ToHost` pair, each with its explanation when asked.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ClassPairDecision {
    /// The virtual class: changed when the host's side changed (U2).
    pub virtual_class: Decision<StorageClass>,
    /// The host class.
    pub host_class: Decision<StorageClass>,
}

/// The outcome for one class: its fate, or recreate it as this object (a field the API server
/// will not update differs).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ClassFate {
    /// As any object.
    Plain(Fate<StorageClass>),
    /// Delete and create again as this.
    Recreate(StorageClass),
}

impl ClassFate {
    /// The decision about `current`.
    pub(crate) fn resolve(
        self,
        current: Option<&StorageClass>,
        explanation: Option<crate::explain::Explanation>,
    ) -> Decision<StorageClass> {
        match self {
            Self::Plain(fate) => crate::decision::resolve(current, fate, explanation),
            Self::Recreate(desired) => Decision {
                desired: Some(desired),
                action: crate::decision::Action::Recreate,
                explanation,
            },
        }
    }
}

/// Both classes of a pair.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ClassFates {
    /// The virtual class.
    pub(crate) virtual_class: ClassFate,
    /// The host class.
    pub(crate) host_class: ClassFate,
}

impl ClassFates {
    const fn new(host_class: ClassFate, virtual_class: ClassFate) -> Self {
        Self {
            virtual_class,
            host_class,
        }
    }
}

/// The explanations of both classes.
pub(crate) struct ClassWhys<'a> {
    /// The host class's.
    pub(crate) host: &'a mut Why,
    /// The virtual class's.
    pub(crate) virtual_side: &'a mut Why,
}

const UNTOUCHED: ClassFate = ClassFate::Plain(Fate::Untouched);

/// One of the seven class fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Provisioner,
    Parameters,
    ReclaimPolicy,
    MountOptions,
    AllowVolumeExpansion,
    VolumeBindingMode,
    AllowedTopologies,
}

const FIELDS: [Field; 7] = [
    Field::Provisioner,
    Field::Parameters,
    Field::ReclaimPolicy,
    Field::MountOptions,
    Field::AllowVolumeExpansion,
    Field::VolumeBindingMode,
    Field::AllowedTopologies,
];

/// `value` without empty lists and maps, recursively: an empty list or map equals an absent one,
/// as the API server stores them (an empty string in a map is still a value: a parameter `""`
/// is kept).
fn normalised(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(normalised).collect()),
        Value::Object(members) => Value::Object(
            members
                .into_iter()
                .map(|(k, v)| (k, normalised(v)))
                .filter(|(_, v)| !is_empty(v))
                .collect(),
        ),
        other => other,
    }
}

/// An empty list or map (k8s-openapi leaves unset fields out, so `null` is only a whole field).
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Array(items) => items.is_empty(),
        Value::Object(members) => members.is_empty(),
        _ => false,
    }
}

fn json<T: Serialize>(value: &T) -> Value {
    let value = serde_json::to_value(value).map_or(Value::Null, normalised);
    if is_empty(&value) { Value::Null } else { value }
}

impl Field {
    const fn key(self) -> &'static str {
        match self {
            Self::Provisioner => "provisioner",
            Self::Parameters => "parameters",
            Self::ReclaimPolicy => "reclaimPolicy",
            Self::MountOptions => "mountOptions",
            Self::AllowVolumeExpansion => "allowVolumeExpansion",
            Self::VolumeBindingMode => "volumeBindingMode",
            Self::AllowedTopologies => "allowedTopologies",
        }
    }

    /// Kubernetes' `ValidateStorageClassUpdate` refuses any change of it.
    const fn immutable(self) -> bool {
        matches!(
            self,
            Self::Provisioner | Self::Parameters | Self::ReclaimPolicy | Self::VolumeBindingMode
        )
    }

    /// The field's value as the API server stores it: empty equals absent, and the defaults of
    /// `reclaimPolicy` (`Delete`) and `volumeBindingMode` (`Immediate`) equal absent.
    fn value(self, class: &StorageClass) -> Value {
        match self {
            Self::Provisioner => json(&class.provisioner),
            Self::Parameters => json(&class.parameters),
            Self::ReclaimPolicy => json(&class.reclaim_policy.as_deref().unwrap_or("Delete")),
            Self::MountOptions => json(&class.mount_options),
            Self::AllowVolumeExpansion => json(&class.allow_volume_expansion),
            Self::VolumeBindingMode => {
                json(&class.volume_binding_mode.as_deref().unwrap_or("Immediate"))
            }
            Self::AllowedTopologies => json(&class.allowed_topologies),
        }
    }

    /// `to` takes `from`'s value of the field.
    fn copy(self, from: &StorageClass, to: &mut StorageClass) {
        match self {
            Self::Provisioner => to.provisioner.clone_from(&from.provisioner),
            Self::Parameters => to.parameters.clone_from(&from.parameters),
            Self::ReclaimPolicy => to.reclaim_policy.clone_from(&from.reclaim_policy),
            Self::MountOptions => to.mount_options.clone_from(&from.mount_options),
            Self::AllowVolumeExpansion => to.allow_volume_expansion = from.allow_volume_expansion,
            Self::VolumeBindingMode => to.volume_binding_mode.clone_from(&from.volume_binding_mode),
            Self::AllowedTopologies => to.allowed_topologies.clone_from(&from.allowed_topologies),
        }
    }
}

/// Whether `a` and `b` differ in a field the API server will not update.
pub(crate) fn immutable_difference(a: &StorageClass, b: &StorageClass) -> Option<&'static str> {
    FIELDS
        .into_iter()
        .filter(|f| f.immutable())
        .find(|f| f.value(a) != f.value(b))
        .map(Field::key)
}

/// C1 against the current virtual class: a virtual copy that must take a field the API server
/// will not update is recreated (U2's rule, both ways), anything else as C1 decides.
pub(crate) fn from_host_fate(
    fate: Fate<StorageClass>,
    current: Option<&StorageClass>,
    why: &mut Why,
) -> ClassFate {
    match (fate, current) {
        (Fate::Desired(desired), Some(current)) => settle(desired, current, why, "virtual"),
        (fate, _) => ClassFate::Plain(fate),
    }
}

/// C2, T5, R5, U2 for a virtual class in `ToHost` mode and its host copy.
///
/// # Errors
///
/// A class without a name; a non-ASCII name (N1); a host class given that is not N3 of the
/// virtual class's name.
pub(crate) fn to_host_pair(
    inputs: &ClassInputs<'_>,
    context: &Context,
    whys: ClassWhys<'_>,
) -> Result<ClassFates, Error> {
    let cluster = context.cluster();
    let virtual_class = inputs.virtual_class;
    let class_name = required_name(virtual_class)?;
    let host_name = cluster.host_name_cluster(class_name).map_err(name_error(
        storage_class_ref(virtual_class),
        "metadata.name",
    ))?;
    if let Some(host) = inputs.host_class {
        if name(&host.metadata) != host_name {
            return Err(Error::inconsistent(
                storage_class_ref(host),
                "metadata.name",
                format!(
                    "the host class is not the host copy of virtual class {class_name:?}, \
                     {host_name:?} (N3)"
                ),
            ));
        }
        // R5: a host class under N3 that this cluster did not make from this class.
        if !is_made_from(&host.metadata, cluster.cluster_marker(), class_name, None) {
            let reason = format!(
                "host class {host_name:?} does not carry this virtual cluster's marker and \
                 object-name {class_name:?}: nothing is written or taken from it"
            );
            return Ok(conflict(Rule::R5, reason, whys));
        }
    }
    if let Some(reason) = tenant_class_refusal(virtual_class, context) {
        return Ok(conflict(Rule::T5, reason, whys));
    }
    let Some(host) = inputs.host_class else {
        if inputs.last_host_class.is_some() {
            let reason = format!(
                "the host class {host_name:?} was synced and is gone: the virtual class is \
                 deleted, as vcluster does (host deletion wins)"
            );
            whys.virtual_side.rule(Rule::U2, {
                let reason = reason.clone();
                move || reason
            });
            whys.host.rule(Rule::U2, move || reason);
            return Ok(ClassFates::new(
                UNTOUCHED,
                ClassFate::Plain(Fate::removed()),
            ));
        }
        let desired = to_host(virtual_class, context, whys.host)?;
        return Ok(ClassFates::new(
            ClassFate::Plain(Fate::Desired(desired)),
            UNTOUCHED,
        ));
    };
    Ok(keep_in_step(inputs, host, context, whys))
}

fn conflict(rule: Rule, reason: String, whys: ClassWhys<'_>) -> ClassFates {
    whys.virtual_side.rule(rule, {
        let reason = reason.clone();
        move || reason
    });
    whys.host.rule(rule, {
        let reason = reason.clone();
        move || reason
    });
    ClassFates::new(
        ClassFate::Plain(Fate::Conflict {
            rule,
            reason: Cow::Owned(reason),
        }),
        UNTOUCHED,
    )
}

/// U2: B1 on the seven fields, B2 on labels and annotations; a field the API server will not
/// update recreates the class that must take it.
fn keep_in_step(
    inputs: &ClassInputs<'_>,
    host: &StorageClass,
    context: &Context,
    whys: ClassWhys<'_>,
) -> ClassFates {
    let cluster = context.cluster();
    let virtual_class = inputs.virtual_class;
    // R2: without a record, a side counts as unchanged (but for the virtual labels).
    let last_virtual = inputs.last_virtual_class.unwrap_or(virtual_class);
    let last_host = inputs.last_host_class.unwrap_or(host);
    let mut desired_virtual = StorageClass {
        metadata: without_server_fields(&virtual_class.metadata),
        ..virtual_class.clone()
    };
    let mut desired_host = StorageClass {
        metadata: without_server_fields(&host.metadata),
        ..host.clone()
    };
    let mut conflicts = Vec::new();
    for field in FIELDS {
        let virtual_changed = field.value(last_virtual) != field.value(virtual_class);
        let host_changed = field.value(last_host) != field.value(host);
        if virtual_changed {
            if host_changed
                && context.options().conflicts == ConflictPolicy::Report
                && field.value(virtual_class) != field.value(host)
            {
                conflicts.push(field.key());
                continue;
            }
            whys.host.rule(Rule::U2, move || {
                format!(
                    "the virtual class's {} changed: the host class takes it",
                    field.key()
                )
            });
            field.copy(virtual_class, &mut desired_host);
        } else if host_changed {
            whys.virtual_side.rule(Rule::U2, move || {
                format!(
                    "the host class's {} changed: the virtual class takes it",
                    field.key()
                )
            });
            field.copy(host, &mut desired_virtual);
        }
    }
    // T5, C1: the tenant never sees a host parameter naming a secret.
    if let Some(map) = desired_virtual.parameters.as_mut() {
        let before = map.len();
        map.retain(|key, _| !is_secret_class_parameter(key));
        if map.len() != before {
            whys.virtual_side.rule(
                Rule::T5,
                "host class parameters whose key contains \"secret\" are not shown in the \
                 virtual cluster",
            );
        }
    }
    let labels = merge(
        Crossing::Labels,
        History {
            last: inputs
                .last_virtual_class
                .and_then(|c| c.metadata.labels.as_ref()),
            now: virtual_class.metadata.labels.as_ref(),
        },
        History {
            last: last_host.metadata.labels.as_ref(),
            now: host.metadata.labels.as_ref(),
        },
        cluster,
    );
    let annotations = merge(
        Crossing::Annotations {
            not_to_host: &NOT_TO_HOST,
            not_to_virtual: &NOT_TO_HOST,
        },
        History {
            last: last_virtual.metadata.annotations.as_ref(),
            now: virtual_class.metadata.annotations.as_ref(),
        },
        History {
            last: last_host.metadata.annotations.as_ref(),
            now: host.metadata.annotations.as_ref(),
        },
        cluster,
    );
    for (what, merged) in [("labels", &labels), ("annotations", &annotations)] {
        if !merged.pushed.is_empty() {
            whys.host.rule(Rule::U2, || {
                format!(
                    "the virtual class's {what} changed: pushed to the host class ({})",
                    summary(&merged.pushed)
                )
            });
        }
        if !merged.pulled.is_empty() {
            whys.virtual_side.rule(Rule::U2, || {
                format!(
                    "the host class's {what} changed: pulled into the virtual class ({})",
                    summary(&merged.pulled)
                )
            });
        }
    }
    desired_virtual.metadata.labels = labels.virtual_map;
    desired_virtual.metadata.annotations = annotations.virtual_map;
    desired_host.metadata.labels = labels.host_map;
    desired_host.metadata.annotations = annotations.host_map;
    restamp(&mut desired_host, virtual_class);
    let host_fate = if conflicts.is_empty() {
        settle(desired_host, host, whys.host, "host")
    } else {
        let reason = format!(
            "both classes changed {} since the last sync (conflicts: Report): nothing is written \
             to the host class",
            conflicts.join(", ")
        );
        whys.host.rule(Rule::B1, {
            let reason = reason.clone();
            move || reason
        });
        ClassFate::Plain(Fate::Conflict {
            rule: Rule::B1,
            reason: Cow::Owned(reason),
        })
    };
    let virtual_fate = settle(desired_virtual, virtual_class, whys.virtual_side, "virtual");
    ClassFates::new(host_fate, virtual_fate)
}

/// An update, or a re-creation when a field the API server will not update must change.
fn settle(desired: StorageClass, current: &StorageClass, why: &mut Why, side: &str) -> ClassFate {
    match immutable_difference(&desired, current) {
        Some(field) => {
            why.rule(Rule::U2, move || {
                format!(
                    "the {side} class must take a new {field}, which the API server does not \
                     update: it is recreated (a class holds no data; deleting it changes no PV)"
                )
            });
            ClassFate::Recreate(desired)
        }
        None => ClassFate::Plain(Fate::Desired(desired)),
    }
}

/// vcluster's `addHostAnnotations` on every sync: `object-name`, `object-uid`,
/// `object-host-name` and `object-kind` written again from the virtual class; a cluster-scoped
/// object has no `object-namespace`.
fn restamp(desired: &mut StorageClass, virtual_class: &StorageClass) {
    let host_name = desired.metadata.name.clone().unwrap_or_default();
    let map = desired
        .metadata
        .annotations
        .get_or_insert_with(BTreeMap::new);
    for (key, value) in [
        (OBJECT_NAME_ANNOTATION, name(&virtual_class.metadata)),
        (
            OBJECT_UID_ANNOTATION,
            virtual_class.metadata.uid.as_deref().unwrap_or_default(),
        ),
        (OBJECT_HOST_NAME_ANNOTATION, host_name.as_str()),
        (OBJECT_KIND_ANNOTATION, STORAGE_CLASS_OBJECT_KIND),
    ] {
        if map.get(key).map(String::as_str) != Some(value) {
            map.insert(key.to_owned(), value.to_owned());
        }
    }
    map.remove(OBJECT_NAMESPACE_ANNOTATION);
}
