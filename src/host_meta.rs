//! Metadata of host objects made from virtual ones (SPEC H1, P1, C2): translated labels, the
//! marker label and the bookkeeping annotations.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::cluster::VirtualCluster;
use crate::wellknown::{
    MANAGED_ANNOTATIONS_ANNOTATION, MANAGED_BY_LABEL, NAMESPACE_LABEL, OBJECT_HOST_NAME_ANNOTATION,
    OBJECT_HOST_NAMESPACE_ANNOTATION, OBJECT_KIND_ANNOTATION, OBJECT_NAME_ANNOTATION,
    OBJECT_NAMESPACE_ANNOTATION, OBJECT_UID_ANNOTATION, is_bookkeeping_annotation,
};

/// Where a host object goes.
#[derive(Debug, Clone, Copy)]
#[allow(dead_code)] // used by H1, P1 and C2
pub(crate) enum Scope<'a> {
    /// A cluster-scoped object (PV, StorageClass): marker N4 cluster value.
    Cluster,
    /// A namespaced object from virtual namespace `.0`: it goes to `H`, marker `V`.
    Namespaced(&'a str),
}

/// The host metadata for a virtual object: name `host_name`, labels through N5 plus the marker,
/// annotations minus `host-pv`, bookkeeping keys and `excluded`, plus the bookkeeping
/// annotations of SPEC H1 (and `object-namespace`, `object-host-namespace` for namespaced ones).
#[allow(dead_code)] // used by H1, P1 and C2
pub(crate) fn host_metadata(
    virtual_meta: &ObjectMeta,
    host_name: &str,
    kind: &str,
    scope: Scope<'_>,
    excluded: &[&str],
    cluster: &VirtualCluster,
) -> ObjectMeta {
    let mut labels: BTreeMap<String, String> = virtual_meta
        .labels
        .iter()
        .flatten()
        .map(|(k, v)| (cluster.host_label_key(k).into_owned(), v.clone()))
        .collect();
    let mut annotations: BTreeMap<String, String> = virtual_meta
        .annotations
        .iter()
        .flatten()
        .filter(|(k, _)| !is_bookkeeping_annotation(k) && !excluded.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !annotations.is_empty() {
        // BTreeMap keys are already sorted, as vcluster sorts them.
        let keys: Vec<&str> = annotations.keys().map(String::as_str).collect();
        let managed = keys.join("\n");
        annotations.insert(MANAGED_ANNOTATIONS_ANNOTATION.to_owned(), managed);
    }
    let name = virtual_meta.name.clone().unwrap_or_default();
    annotations.insert(OBJECT_NAME_ANNOTATION.to_owned(), name);
    annotations.insert(
        OBJECT_UID_ANNOTATION.to_owned(),
        virtual_meta.uid.clone().unwrap_or_default(),
    );
    annotations.insert(OBJECT_HOST_NAME_ANNOTATION.to_owned(), host_name.to_owned());
    annotations.insert(OBJECT_KIND_ANNOTATION.to_owned(), kind.to_owned());
    let namespace = match scope {
        Scope::Cluster => {
            labels.insert(MANAGED_BY_LABEL.to_owned(), cluster.cluster_marker());
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
                cluster.host_namespace.clone(),
            );
            Some(cluster.host_namespace.clone())
        }
    };
    ObjectMeta {
        name: Some(host_name.to_owned()),
        namespace,
        labels: Some(labels),
        annotations: Some(annotations),
        ..ObjectMeta::default()
    }
}
