//! Small helpers over Kubernetes objects shared by the rules: metadata access, the predicates
//! every rule family asks (is this PV fake, mirrored, made by the tenant, handed to another
//! controller), and errors that name the object.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::cluster::VirtualCluster;
use crate::error::{Error, ObjectRef};
use crate::names::NameError;
use crate::wellknown::{
    BETA_DEFAULT_CLASS_ANNOTATION, CONTROLLED_BY_LABEL, DEFAULT_CLASS_ANNOTATION, FAKE_PV_LABEL,
    HOST_PV_ANNOTATION, MANAGED_BY_LABEL, OBJECT_NAME_ANNOTATION, OBJECT_NAMESPACE_ANNOTATION,
};

/// Names a PVC in errors.
pub(crate) fn pvc_ref(pvc: &PersistentVolumeClaim) -> ObjectRef {
    ObjectRef::new("PersistentVolumeClaim", &pvc.metadata)
}

/// Names a PV in errors.
pub(crate) fn pv_ref(pv: &PersistentVolume) -> ObjectRef {
    ObjectRef::new("PersistentVolume", &pv.metadata)
}

/// Names a StorageClass in errors.
pub(crate) fn storage_class_ref(class: &StorageClass) -> ObjectRef {
    ObjectRef::new("StorageClass", &class.metadata)
}

/// The object's name, `""` when unset.
pub(crate) fn name(meta: &ObjectMeta) -> &str {
    meta.name.as_deref().unwrap_or_default()
}

/// The object's namespace, `""` when unset.
pub(crate) fn namespace(meta: &ObjectMeta) -> &str {
    meta.namespace.as_deref().unwrap_or_default()
}

/// The value of label `key`, if set.
pub(crate) fn label<'m>(meta: &'m ObjectMeta, key: &str) -> Option<&'m str> {
    meta.labels.as_ref()?.get(key).map(String::as_str)
}

/// The value of annotation `key`, if set.
pub(crate) fn annotation<'m>(meta: &'m ObjectMeta, key: &str) -> Option<&'m str> {
    meta.annotations.as_ref()?.get(key).map(String::as_str)
}

/// Whether the object's deletion was requested (it has a `deletionTimestamp`).
pub(crate) fn is_deleting(meta: &ObjectMeta) -> bool {
    meta.deletion_timestamp.is_some()
}

/// A map that is `None` when empty, so that absent and empty agree.
pub(crate) fn non_empty<K, V>(map: Option<BTreeMap<K, V>>) -> Option<BTreeMap<K, V>> {
    map.filter(|m| !m.is_empty())
}

/// The user-owned part of `meta`: everything except server-set fields (SPEC §0), with empty
/// label and annotation maps left out.
pub(crate) fn without_server_fields(meta: &ObjectMeta) -> ObjectMeta {
    ObjectMeta {
        name: meta.name.clone(),
        namespace: meta.namespace.clone(),
        labels: non_empty(meta.labels.clone()),
        annotations: non_empty(meta.annotations.clone()),
        ..ObjectMeta::default()
    }
}

/// A PV left as it is, minus server-set metadata (SPEC §0): what "never touched" desires.
pub(crate) fn kept_as_is(pv: &PersistentVolume) -> PersistentVolume {
    PersistentVolume {
        metadata: without_server_fields(&pv.metadata),
        spec: pv.spec.clone(),
        status: pv.status.clone(),
    }
}

/// A string map from `(key, value)` pairs; `None` when empty, so that absent and empty agree.
pub(crate) fn string_map<K, V>(
    pairs: impl IntoIterator<Item = (K, V)>,
) -> Option<BTreeMap<String, String>>
where
    K: Into<String>,
    V: Into<String>,
{
    let map: BTreeMap<String, String> = pairs
        .into_iter()
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    (!map.is_empty()).then_some(map)
}

/// Whether a StorageClass is marked default: `storageclass.kubernetes.io/is-default-class` or its
/// beta twin `storageclass.beta.kubernetes.io/is-default-class` equal to `"true"` (SPEC F4, K1).
pub(crate) fn is_default_class(class: &StorageClass) -> bool {
    [DEFAULT_CLASS_ANNOTATION, BETA_DEFAULT_CLASS_ANNOTATION]
        .into_iter()
        .any(|key| annotation(&class.metadata, key) == Some("true"))
}

/// The PV a PVC is bound to (F1): its non-empty `spec.volumeName`.
pub(crate) fn claimed_volume(pvc: &PersistentVolumeClaim) -> Option<&str> {
    pvc.spec
        .as_ref()
        .and_then(|s| s.volume_name.as_deref())
        .filter(|name| !name.is_empty())
}

/// The PVC's requested class: `spec.storageClassName` (even `""`) when set.
pub(crate) fn pvc_class(pvc: &PersistentVolumeClaim) -> Option<&str> {
    pvc.spec.as_ref()?.storage_class_name.as_deref()
}

/// The PV's class, `""` when unset.
pub(crate) fn pv_class(pv: &PersistentVolume) -> &str {
    pv.spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_deref())
        .unwrap_or_default()
}

/// What a virtual PV is, as the PV syncers tell (SPEC F1, S6, H1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VirtualPvKind<'a> {
    /// A mirror of host PV `.0` (its non-empty `vcluster.loft.sh/host-pv`).
    Mirror(&'a str),
    /// A fake PV (label `vcluster.loft.sh/fake-pv: "true"`, no `host-pv`).
    Fake,
    /// Made by the tenant: its host PV is made from it (H1).
    TenantMade,
}

/// SPEC H1: a PV without a `host-pv` annotation is the tenant's, unless it is fake.
pub(crate) fn virtual_pv_kind(pv: &PersistentVolume) -> VirtualPvKind<'_> {
    match annotation(&pv.metadata, HOST_PV_ANNOTATION).filter(|h| !h.is_empty()) {
        Some(host) => VirtualPvKind::Mirror(host),
        None if is_fake(pv) => VirtualPvKind::Fake,
        None => VirtualPvKind::TenantMade,
    }
}

/// Whether a PV carries the fake-pv label with value `"true"`.
pub(crate) fn is_fake(pv: &PersistentVolume) -> bool {
    label(&pv.metadata, FAKE_PV_LABEL) == Some("true")
}

/// F6: whether a PV is labelled `vcluster.loft.sh/controlled-by` with a non-empty value (an
/// empty value does not count, as in vcluster).
pub(crate) fn is_controlled_elsewhere(pv: &PersistentVolume) -> bool {
    label(&pv.metadata, CONTROLLED_BY_LABEL).is_some_and(|owner| !owner.is_empty())
}

/// Whether a cluster-scoped host object carries this virtual cluster's marker (N4).
pub(crate) fn has_cluster_marker(meta: &ObjectMeta, cluster: &VirtualCluster) -> bool {
    label(meta, MANAGED_BY_LABEL) == Some(cluster.cluster_marker())
}

/// SPEC R5: whether a host object found by a computed name is really made from the virtual
/// object `virtual_name` (in `virtual_namespace` for namespaced ones) by this virtual cluster:
/// it carries the marker `marker` and the `object-name` (and `object-namespace`) of its source.
pub(crate) fn is_made_from(
    host: &ObjectMeta,
    marker: &str,
    virtual_name: &str,
    virtual_namespace: Option<&str>,
) -> bool {
    label(host, MANAGED_BY_LABEL) == Some(marker)
        && annotation(host, OBJECT_NAME_ANNOTATION) == Some(virtual_name)
        && virtual_namespace
            .is_none_or(|ns| annotation(host, OBJECT_NAMESPACE_ANNOTATION).is_none_or(|a| a == ns))
}

/// Maps N1's refusal to an input error naming `object` and `field`.
pub(crate) fn name_error(object: ObjectRef, field: &str) -> impl FnOnce(NameError) -> Error {
    move |e| Error::invalid(object, field, e.to_string())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    /// SPEC §0: a desired object keeps what a user writes (name, namespace, labels,
    /// annotations) and none of what the API server sets.
    #[test]
    fn desired_metadata_keeps_the_users_part_only() {
        let meta: ObjectMeta = serde_json::from_value(json!({
            "name": "data", "namespace": "team", "labels": {"a": "b"}, "annotations": {},
            "uid": "u", "resourceVersion": "7", "generation": 2, "finalizers": ["x/y"],
            "creationTimestamp": "2026-01-01T00:00:00Z",
        }))
        .unwrap();
        let kept = without_server_fields(&meta);
        assert_eq!(
            serde_json::to_value(&kept).unwrap(),
            json!({"name": "data", "namespace": "team", "labels": {"a": "b"}})
        );
    }

    fn pv(value: serde_json::Value) -> PersistentVolume {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn h1_kind_of_a_virtual_pv() {
        let mirror = pv(json!({"metadata": {"annotations": {HOST_PV_ANNOTATION: "h"}}}));
        assert_eq!(virtual_pv_kind(&mirror), VirtualPvKind::Mirror("h"));
        let empty = pv(json!({"metadata": {"annotations": {HOST_PV_ANNOTATION: ""}}}));
        assert_eq!(virtual_pv_kind(&empty), VirtualPvKind::TenantMade);
        let fake = pv(json!({"metadata": {"labels": {FAKE_PV_LABEL: "true"}}}));
        assert_eq!(virtual_pv_kind(&fake), VirtualPvKind::Fake);
        let not_fake = pv(json!({"metadata": {"labels": {FAKE_PV_LABEL: "false"}}}));
        assert_eq!(virtual_pv_kind(&not_fake), VirtualPvKind::TenantMade);
    }

    #[test]
    fn f4_both_default_class_keys_count() {
        let class = |key: &str, value: &str| -> StorageClass {
            serde_json::from_value(
                json!({"metadata": {"name": "c", "annotations": {key: value}},
                "provisioner": "p"}),
            )
            .unwrap()
        };
        assert!(is_default_class(&class(DEFAULT_CLASS_ANNOTATION, "true")));
        assert!(is_default_class(&class(
            BETA_DEFAULT_CLASS_ANNOTATION,
            "true"
        )));
        assert!(!is_default_class(&class(DEFAULT_CLASS_ANNOTATION, "True")));
        assert!(!is_default_class(&class("other", "true")));
    }

    #[test]
    fn r5_made_from_needs_marker_and_object_name() {
        let meta = |labels: serde_json::Value, annotations: serde_json::Value| -> ObjectMeta {
            serde_json::from_value(json!({"labels": labels, "annotations": annotations})).unwrap()
        };
        let ours = meta(
            json!({MANAGED_BY_LABEL: "m"}),
            json!({OBJECT_NAME_ANNOTATION: "a", OBJECT_NAMESPACE_ANNOTATION: "ns"}),
        );
        assert!(is_made_from(&ours, "m", "a", Some("ns")));
        assert!(is_made_from(&ours, "m", "a", None));
        assert!(!is_made_from(&ours, "other", "a", Some("ns")));
        assert!(!is_made_from(&ours, "m", "b", Some("ns")));
        assert!(!is_made_from(&ours, "m", "a", Some("other")));
        let no_name = meta(json!({MANAGED_BY_LABEL: "m"}), json!({}));
        assert!(!is_made_from(&no_name, "m", "a", None));
    }
}
