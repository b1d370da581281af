//! StorageClasses between the clusters (SPEC C1, C2) and the label selector that limits them.
//!
//! - `FromHost` (C1): a host class appears in the virtual cluster under the same name, as a copy
//!   without server-set metadata; `sync.fromHost.storageClasses.selector` limits which do.
//! - `ToHost` (C2): a virtual class is created on the host under its N3 name, with the metadata of
//!   SPEC H1, except that the default-class annotation never reaches the host.
//!
//! ```
//! use k8s_openapi::api::storage::v1::StorageClass;
//! use pv_translate::VirtualCluster;
//! use pv_translate::storage_class::host_storage_class;
//!
//! let class: StorageClass = serde_json::from_value(serde_json::json!({
//!     "metadata": {"name": "testsc"},
//!     "provisioner": "my-provisioner",
//! }))?;
//! let host = host_storage_class(&class, &VirtualCluster::new("suffix", "test"))?;
//! assert_eq!(host.metadata.name.as_deref(), Some("vcluster-testsc-x-test-x-suffix"));
//! assert_eq!(host.provisioner, "my-provisioner");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;

use crate::cluster::VirtualCluster;
use crate::error::Error;
use crate::explain::{Explanation, Input, Rule, Source, Translation};
use crate::host_meta::{Scope, host_metadata};
use crate::object::{name, storage_class_ref, without_server_fields};
use crate::wellknown::{
    DEFAULT_CLASS_ANNOTATION, STORAGE_CLASS_OBJECT_KIND, TRANSLATED_LABEL_KEYS,
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

mod selector;

pub use selector::{SELECTOR_KEY, selector_matches, validate_selector};

// ---------------------------------------------------------------------------------------------
// C1: host -> virtual.
// ---------------------------------------------------------------------------------------------

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

/// C1, explained: the virtual copy of host class `host`, or none when `selector` (from
/// `sync.fromHost.storageClasses.selector`) does not match its labels. `None` selector: no limit.
///
/// The copy has the host's name, labels and annotations (the default-class annotation included)
/// and every spec field; server-set metadata (uid, resourceVersion, ...) is dropped (SPEC §0).
/// When none is desired, an existing virtual class of that name should be deleted.
pub fn translate_from_host(
    host: &StorageClass,
    selector: Option<&LabelSelector>,
) -> Result<Translation<StorageClass>, Error> {
    let class_name = required_name(host)?;
    let mut why = Explanation::default();
    if let Some(selector) = selector
        && !selector_matches(selector, host.metadata.labels.as_ref())?
    {
        why.rule(
            Rule::C1,
            format!(
                "host class {class_name:?} does not match {SELECTOR_KEY}: not synced (a \
                 virtual class of that name is deleted)"
            ),
        );
        return Ok(Translation {
            desired: None,
            explanation: why,
        });
    }
    why.rule(
        Rule::C1,
        format!("host class {class_name:?} appears in the virtual cluster under the same name"),
    );
    for field in ["metadata.name", "metadata.labels", "metadata.annotations"] {
        why.field(field, Source::Input(Input::HostStorageClass, field));
    }
    for field in SPEC_FIELDS {
        why.field(field, Source::Input(Input::HostStorageClass, field));
    }
    let desired = StorageClass {
        metadata: without_server_fields(&host.metadata),
        ..host.clone()
    };
    Ok(Translation {
        desired: Some(desired),
        explanation: why,
    })
}

/// C1: the virtual copy of host class `host`; `None` when `selector` does not match it.
/// See [`translate_from_host`].
pub fn virtual_storage_class(
    host: &StorageClass,
    selector: Option<&LabelSelector>,
) -> Result<Option<StorageClass>, Error> {
    translate_from_host(host, selector).map(|t| t.desired)
}

// ---------------------------------------------------------------------------------------------
// C2: virtual -> host.
// ---------------------------------------------------------------------------------------------

/// C2, explained: the host copy of virtual class `virtual_class`.
///
/// Name N3 (`vcluster-<name>-x-<H>-x-<V>`); labels through N5 plus the N4 marker; annotations
/// minus bookkeeping keys and minus `storageclass.kubernetes.io/is-default-class` (a virtual
/// default class never becomes a host default; the key is not listed in `managed-annotations`
/// either), plus the bookkeeping annotations of H1 with `object-kind: storage.k8s.io/v1,
/// Kind=StorageClass`; every spec field copied.
pub fn translate_to_host(
    virtual_class: &StorageClass,
    cluster: &VirtualCluster,
) -> Result<Translation<StorageClass>, Error> {
    let (desired, explanation) = to_host(virtual_class, cluster)?;
    Ok(Translation {
        desired: Some(desired),
        explanation,
    })
}

/// C2: the host class and its explanation.
fn to_host(
    virtual_class: &StorageClass,
    cluster: &VirtualCluster,
) -> Result<(StorageClass, Explanation), Error> {
    let class_name = required_name(virtual_class)?;
    let host_name = cluster.host_name_cluster(class_name);
    let mut why = Explanation::default();
    why.rule(
        Rule::C2,
        format!("virtual class {class_name:?} is created on the host as {host_name:?}"),
    );
    why.rule(
        Rule::N3,
        format!("host name of cluster-scoped {class_name:?}"),
    );
    why.rule(
        Rule::N4,
        format!(
            "marker label vcluster.loft.sh/managed-by: {}",
            cluster.cluster_marker()
        ),
    );
    let translated: Vec<&str> = virtual_class
        .metadata
        .labels
        .iter()
        .flatten()
        .map(|(k, _)| k.as_str())
        .filter(|k| TRANSLATED_LABEL_KEYS.contains(k))
        .collect();
    if !translated.is_empty() {
        why.rule(
            Rule::N5,
            format!(
                "label keys rewritten on the host: {}",
                translated.join(", ")
            ),
        );
    }
    if virtual_class
        .metadata
        .annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(DEFAULT_CLASS_ANNOTATION))
    {
        why.rule(
            Rule::C2,
            format!("annotation {DEFAULT_CLASS_ANNOTATION} is not copied to the host"),
        );
    }
    why.field("metadata.name", Source::Rule(Rule::N3));
    why.field(
        "metadata.labels",
        Source::Input(Input::VirtualStorageClass, "metadata.labels"),
    );
    why.field(
        "metadata.labels.vcluster.loft.sh/managed-by",
        Source::Rule(Rule::N4),
    );
    why.field(
        "metadata.annotations",
        Source::Input(Input::VirtualStorageClass, "metadata.annotations"),
    );
    for field in SPEC_FIELDS {
        why.field(field, Source::Input(Input::VirtualStorageClass, field));
    }
    let metadata = host_metadata(
        &virtual_class.metadata,
        &host_name,
        STORAGE_CLASS_OBJECT_KIND,
        Scope::Cluster,
        &[DEFAULT_CLASS_ANNOTATION],
        cluster,
    );
    let desired = StorageClass {
        metadata,
        ..virtual_class.clone()
    };
    Ok((desired, why))
}

/// C2: the host copy of virtual class `virtual_class`. See [`translate_to_host`].
pub fn host_storage_class(
    virtual_class: &StorageClass,
    cluster: &VirtualCluster,
) -> Result<StorageClass, Error> {
    to_host(virtual_class, cluster).map(|(class, _)| class)
}
