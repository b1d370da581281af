//! StorageClasses between the clusters (SPEC C1, C2, C3) and the label selector that limits them.
//!
//! - `FromHost` (C1): a host class appears in the virtual cluster under the same name, as a copy
//!   without server-set metadata; `sync.fromHost.storageClasses.selector` limits which do.
//! - `ToHost` (C2): a virtual class is created on the host under its N3 name, with the metadata of
//!   SPEC H1, except that neither default-class annotation reaches the host (**deviation**:
//!   vcluster strips only the GA key, so a tenant could make its class the host's default with
//!   the beta key).
//! - T5 (**deviation**): a tenant class with a parameter key containing `secret`, `namespace` or
//!   `path` (any case), or, when option `tenantProvisioners` is set, a provisioner not in it, is
//!   not sent to the host; the virtual copy of a host class (C1) shows no parameter whose key
//!   contains `secret`.
//! - U2: once both exist, a `ToHost` pair is kept in step both ways like a PV pair (B1 on the
//!   seven class fields, B2 on labels and annotations); a field the API server will not update
//!   (`parameters`, `provisioner`, `reclaimPolicy`, `volumeBindingMode`) is never planned as an
//!   update: the class that must take it is recreated (a class holds no data; deleting it
//!   changes no PV).
//! - C3: with `FromHost` and a non-empty selector, a PVC or tenant PV whose class names a host
//!   class that is missing, being deleted or not selected is not synced at all (as vcluster's
//!   `applyLimitByClass`).

use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::context::Context;
use crate::error::Error;
use crate::explain::{Input, Rule, Source, Why};
use crate::fate::Fate;
use crate::host_meta::{Scope, host_metadata};
use crate::object::{is_deleting, name, name_error, storage_class_ref, without_server_fields};
use crate::wellknown::{
    BETA_DEFAULT_CLASS_ANNOTATION, DEFAULT_CLASS_ANNOTATION, STORAGE_CLASS_OBJECT_KIND,
    is_forbidden_tenant_class_parameter, is_secret_class_parameter,
};

/// The spec fields of a StorageClass, all copied as they are by C1 and C2.
const SPEC_FIELDS: [&str; 7] = [
    "provisioner",
    "parameters",
    "reclaimPolicy",
    "mountOptions",
    "allowVolumeExpansion",
    "volumeBindingMode",
    "allowedTopologies",
];

/// The annotations C2 never copies to the host: both default-class keys.
const NOT_TO_HOST: [&str; 2] = [DEFAULT_CLASS_ANNOTATION, BETA_DEFAULT_CLASS_ANNOTATION];

mod pair;
mod selector;

pub(crate) use pair::{ClassFate, ClassWhys, from_host_fate, to_host_pair};
pub use pair::{ClassInputs, ClassPairDecision};
pub use selector::{SELECTOR_KEY, selector_matches, validate_selector};

/// The class's name; a class without one is an input error.
fn required_name(class: &StorageClass) -> Result<&str, Error> {
    match name(&class.metadata) {
        "" => Err(Error::invalid(
            storage_class_ref(class),
            "metadata.name",
            "a StorageClass needs a name",
        )),
        name => Ok(name),
    }
}

/// C1: the virtual copy of host class `host`, or gone when `selector` (from
/// `sync.fromHost.storageClasses.selector`) does not match its labels. `None` selector: no limit.
pub(crate) fn from_host(
    host: &StorageClass,
    selector: Option<&LabelSelector>,
    why: &mut Why,
) -> Result<Fate<StorageClass>, Error> {
    let class_name = required_name(host)?;
    if let Some(selector) = selector
        && !selector_matches(selector, host.metadata.labels.as_ref())?
    {
        why.rule(Rule::C1, || {
            format!(
                "host class {class_name:?} does not match {SELECTOR_KEY}: not synced (a \
                 virtual class of that name is deleted)"
            )
        });
        return Ok(Fate::removed());
    }
    why.rule(Rule::C1, || {
        format!("host class {class_name:?} appears in the virtual cluster under the same name")
    });
    for field in ["metadata.name", "metadata.labels", "metadata.annotations"] {
        why.copied(field, Input::HostStorageClass, field);
    }
    for field in SPEC_FIELDS {
        why.copied(field, Input::HostStorageClass, field);
    }
    let mut parameters = host.parameters.clone();
    if let Some(map) = parameters.as_mut() {
        let before = map.len();
        map.retain(|key, _| !is_secret_class_parameter(key));
        if map.len() != before {
            why.rule(
                Rule::T5,
                "host class parameters whose key contains \"secret\" are not shown in the \
                 virtual cluster",
            );
            if map.is_empty() {
                parameters = None;
            }
        }
    }
    Ok(Fate::Desired(StorageClass {
        metadata: without_server_fields(&host.metadata),
        parameters,
        ..host.clone()
    }))
}

/// T5: why a tenant class is not sent to the host, if it is not: a parameter key containing
/// `secret`, `namespace` or `path` (any case), or a provisioner outside option
/// `tenantProvisioners` when that is set.
pub(crate) fn tenant_class_refusal(class: &StorageClass, context: &Context) -> Option<String> {
    let class_name = name(&class.metadata);
    if let Some(key) = class
        .parameters
        .iter()
        .flatten()
        .map(|(key, _)| key)
        .find(|key| is_forbidden_tenant_class_parameter(key))
    {
        return Some(format!(
            "class {class_name:?} has parameter {key:?}: a parameter naming a secret, a \
             namespace or a path means what only its provisioner knows; not sent to the host"
        ));
    }
    if let Some(allowed) = context.options().tenant_provisioners.as_ref()
        && !allowed.contains(&class.provisioner)
    {
        return Some(format!(
            "class {class_name:?} uses provisioner {:?}, which option tenantProvisioners does \
             not list; not sent to the host",
            class.provisioner
        ));
    }
    None
}

/// C2: the host copy of virtual class `virtual_class`: name N3, labels through N5 plus the N4
/// marker, annotations minus bookkeeping keys, CSI secret references and both default-class
/// keys (not listed in `managed-annotations` either), plus the bookkeeping annotations of H1
/// with `object-kind: storage.k8s.io/v1, Kind=StorageClass`; every spec field copied. T5 is
/// checked by the caller ([`tenant_class_refusal`]).
pub(crate) fn to_host(
    virtual_class: &StorageClass,
    context: &Context,
    why: &mut Why,
) -> Result<StorageClass, Error> {
    let cluster = context.cluster();
    let class_name = required_name(virtual_class)?;
    let host_name = cluster.host_name_cluster(class_name).map_err(name_error(
        storage_class_ref(virtual_class),
        "metadata.name",
    ))?;
    why.rule(Rule::C2, || {
        format!("virtual class {class_name:?} is created on the host as {host_name:?}")
    });
    why.rule(Rule::N3, || {
        format!("host name of cluster-scoped {class_name:?}")
    });
    why.rule(Rule::N4, || {
        format!(
            "marker label vcluster.loft.sh/managed-by: {}",
            cluster.cluster_marker()
        )
    });
    let annotations = virtual_class.metadata.annotations.as_ref();
    if let Some(key) = NOT_TO_HOST
        .into_iter()
        .find(|key| annotations.is_some_and(|a| a.contains_key(*key)))
    {
        why.rule(Rule::C2, move || {
            format!("annotation {key} is not copied to the host: a tenant never picks the host's default class")
        });
    }
    why.field("metadata.name", Source::rule(Rule::N3));
    if virtual_class
        .metadata
        .labels
        .as_ref()
        .is_some_and(|labels| !labels.is_empty())
    {
        why.rule(
            Rule::N5,
            "the class's label keys cross to the host through N5 (a tenant's translated key is dropped)",
        );
    }
    why.field("metadata.labels", Source::rule(Rule::N5));
    why.field(
        "metadata.labels.vcluster.loft.sh/managed-by",
        Source::rule(Rule::N4),
    );
    why.copied(
        "metadata.annotations",
        Input::VirtualStorageClass,
        "metadata.annotations",
    );
    for field in SPEC_FIELDS {
        why.copied(field, Input::VirtualStorageClass, field);
    }
    let metadata = host_metadata(
        &virtual_class.metadata,
        host_name,
        STORAGE_CLASS_OBJECT_KIND,
        Scope::Cluster,
        &NOT_TO_HOST,
        cluster,
    );
    Ok(StorageClass {
        metadata,
        ..virtual_class.clone()
    })
}

/// C3: why a PVC or tenant PV of class `class` is not synced, when the class limit applies:
/// vcluster's reason, naming the class. `host_class` is the host class of that name, when it
/// exists.
///
/// # Errors
///
/// A selector that cannot be evaluated.
pub(crate) fn class_limit_reason(
    class: &str,
    host_class: Option<&StorageClass>,
    context: &Context,
) -> Result<Option<String>, Error> {
    let Some(selector) = context.class_limit() else {
        return Ok(None);
    };
    if class.is_empty() {
        return Ok(None);
    }
    let Some(host_class) = host_class.filter(|c| name(&c.metadata) == class) else {
        return Ok(Some(format!(
            "the storage class {class:?} couldn't be reached in the host: \
             storageclasses.storage.k8s.io {class:?} not found"
        )));
    };
    if is_deleting(&host_class.metadata) {
        return Ok(Some(format!(
            "the storage class {class:?} couldn't be reached in the host: it is being deleted"
        )));
    }
    if selector_matches(selector, host_class.metadata.labels.as_ref())? {
        Ok(None)
    } else {
        Ok(Some(format!(
            "the storage class {class:?} in the host does not match the selector under \
             '{SELECTOR_KEY}'"
        )))
    }
}
