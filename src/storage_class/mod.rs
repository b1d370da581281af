//! StorageClasses between the clusters (SPEC C1, C2, C3) and the label selector that limits them.
//!
//! - `FromHost` (C1): a host class appears in the virtual cluster under the same name, as a copy
//!   without server-set metadata; `sync.fromHost.storageClasses.selector` limits which do.
//! - `ToHost` (C2): a virtual class is created on the host under its N3 name, with the metadata of
//!   SPEC H1, except that neither default-class annotation reaches the host (**deviation**:
//!   vcluster strips only the GA key, so a tenant could make its class the host's default with
//!   the beta key), and class parameters naming CSI secrets are dropped (a tenant must not choose
//!   the secrets the host's drivers use).
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

mod selector;

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

/// Whether a class parameter names a CSI secret (`csi.storage.k8s.io/*-secret-name`,
/// `*-secret-namespace`): C2 drops it.
fn is_secret_parameter(key: &str) -> bool {
    key.starts_with("csi.storage.k8s.io/")
        && (key.ends_with("-secret-name") || key.ends_with("-secret-namespace"))
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
    Ok(Fate::Desired(StorageClass {
        metadata: without_server_fields(&host.metadata),
        ..host.clone()
    }))
}

/// C2: the host copy of virtual class `virtual_class`: name N3, labels through N5 plus the N4
/// marker, annotations minus bookkeeping keys, CSI secret references and both default-class
/// keys (not listed in `managed-annotations` either), plus the bookkeeping annotations of H1
/// with `object-kind: storage.k8s.io/v1, Kind=StorageClass`; every spec field copied except
/// parameters naming CSI secrets.
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
    let mut parameters = virtual_class.parameters.clone();
    if let Some(map) = parameters.as_mut() {
        let before = map.len();
        map.retain(|key, _| !is_secret_parameter(key));
        if map.len() != before {
            why.rule(
                Rule::C2,
                "class parameters naming CSI secrets are not copied to the host",
            );
        }
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
        parameters,
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

#[cfg(test)]
mod tests {
    use super::is_secret_parameter;

    #[test]
    fn c2_secret_parameters() {
        for key in [
            "csi.storage.k8s.io/provisioner-secret-name",
            "csi.storage.k8s.io/node-stage-secret-namespace",
            "csi.storage.k8s.io/controller-expand-secret-name",
        ] {
            assert!(is_secret_parameter(key), "{key}");
        }
        for key in [
            "type",
            "csi.storage.k8s.io/fstype",
            "other.io/provisioner-secret-name",
        ] {
            assert!(!is_secret_parameter(key), "{key}");
        }
    }
}
