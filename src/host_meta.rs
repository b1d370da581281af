//! Metadata of host objects made from virtual ones (SPEC H1, P1, C2): translated labels, the
//! marker label and the bookkeeping annotations.
//!
//! What a tenant wrote never decides ownership on the host: its bookkeeping annotations, its
//! already-translated label keys and its annotations naming CSI secrets are dropped
//! (SPEC H1 0.2).

use std::borrow::Cow;
use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::cluster::VirtualCluster;
use crate::wellknown::{
    MANAGED_ANNOTATIONS_ANNOTATION, MANAGED_BY_LABEL, NAMESPACE_LABEL, OBJECT_HOST_NAME_ANNOTATION,
    OBJECT_HOST_NAMESPACE_ANNOTATION, OBJECT_KIND_ANNOTATION, OBJECT_NAME_ANNOTATION,
    OBJECT_NAMESPACE_ANNOTATION, OBJECT_UID_ANNOTATION, is_bookkeeping_annotation,
    is_secret_reference_key,
};

/// Where a host object goes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Scope<'a> {
    /// A cluster-scoped object (PV, StorageClass): marker N4 cluster value.
    Cluster,
    /// A namespaced object from virtual namespace `.0`: it goes to `H`, marker `V`.
    Namespaced(&'a str),
}

/// Whether a virtual annotation crosses to the host: not `host-pv` nor a bookkeeping key, not
/// a CSI secret reference, not one of `excluded`.
pub(crate) fn crosses_to_host(key: &str, excluded: &[&str]) -> bool {
    !is_bookkeeping_annotation(key) && !is_secret_reference_key(key) && !excluded.contains(&key)
}

/// The host labels of virtual labels: keys through N5, a virtual key that already is a
/// translated N5 key dropped (a tenant cannot forge one), never the marker.
pub(crate) fn host_labels(
    virtual_labels: Option<BTreeMap<String, String>>,
    cluster: &VirtualCluster,
) -> BTreeMap<String, String> {
    virtual_labels
        .into_iter()
        .flatten()
        .filter(|(key, _)| cluster.virtual_label_key(key).is_none())
        .map(|(key, value)| {
            // A key that crosses unchanged is moved, not copied.
            let host_key = match cluster.host_label_key(&key) {
                Cow::Owned(translated) => translated,
                Cow::Borrowed(_) => key,
            };
            (host_key, value)
        })
        .collect()
}

/// The host metadata for a virtual object, which it consumes: name `host_name`, labels through
/// N5 plus the marker, annotations that cross ([`crosses_to_host`]) plus the bookkeeping
/// annotations of SPEC H1 (and `object-namespace`, `object-host-namespace` for namespaced ones).
pub(crate) fn into_host_metadata(
    virtual_meta: ObjectMeta,
    host_name: String,
    kind: &str,
    scope: Scope<'_>,
    excluded: &[&str],
    cluster: &VirtualCluster,
) -> ObjectMeta {
    let mut labels = host_labels(virtual_meta.labels, cluster);
    let mut annotations = virtual_meta.annotations.unwrap_or_default();
    annotations.retain(|key, _| crosses_to_host(key, excluded));
    if !annotations.is_empty() {
        // BTreeMap keys are sorted, as vcluster sorts them.
        let mut managed = String::new();
        for (i, key) in annotations.keys().enumerate() {
            if i > 0 {
                managed.push('\n');
            }
            managed.push_str(key);
        }
        annotations.insert(MANAGED_ANNOTATIONS_ANNOTATION.to_owned(), managed);
    }
    annotations.insert(
        OBJECT_NAME_ANNOTATION.to_owned(),
        virtual_meta.name.unwrap_or_default(),
    );
    annotations.insert(
        OBJECT_UID_ANNOTATION.to_owned(),
        virtual_meta.uid.unwrap_or_default(),
    );
    annotations.insert(OBJECT_HOST_NAME_ANNOTATION.to_owned(), host_name.clone());
    annotations.insert(OBJECT_KIND_ANNOTATION.to_owned(), kind.to_owned());
    let namespace = match scope {
        Scope::Cluster => {
            labels.insert(
                MANAGED_BY_LABEL.to_owned(),
                cluster.cluster_marker().to_owned(),
            );
            None
        }
        Scope::Namespaced(virtual_namespace) => {
            labels.insert(
                MANAGED_BY_LABEL.to_owned(),
                cluster.namespaced_marker().to_owned(),
            );
            labels.insert(NAMESPACE_LABEL.to_owned(), virtual_namespace.to_owned());
            annotations.insert(
                OBJECT_NAMESPACE_ANNOTATION.to_owned(),
                virtual_namespace.to_owned(),
            );
            annotations.insert(
                OBJECT_HOST_NAMESPACE_ANNOTATION.to_owned(),
                cluster.host_namespace().to_owned(),
            );
            Some(cluster.host_namespace().to_owned())
        }
    };
    ObjectMeta {
        name: Some(host_name),
        namespace,
        labels: Some(labels),
        annotations: Some(annotations),
        ..ObjectMeta::default()
    }
}

/// [`into_host_metadata`] from borrowed metadata: copies only the fields it keeps.
pub(crate) fn host_metadata(
    virtual_meta: &ObjectMeta,
    host_name: String,
    kind: &str,
    scope: Scope<'_>,
    excluded: &[&str],
    cluster: &VirtualCluster,
) -> ObjectMeta {
    let kept = ObjectMeta {
        name: virtual_meta.name.clone(),
        uid: virtual_meta.uid.clone(),
        labels: virtual_meta.labels.clone(),
        annotations: virtual_meta.annotations.clone(),
        ..ObjectMeta::default()
    };
    into_host_metadata(kept, host_name, kind, scope, excluded, cluster)
}
