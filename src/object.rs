//! Small helpers over Kubernetes object metadata shared by the translations.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::error::ObjectRef;
use crate::wellknown::DEFAULT_CLASS_ANNOTATION;

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

/// The value of label `key`, if set.
pub(crate) fn label<'m>(meta: &'m ObjectMeta, key: &str) -> Option<&'m str> {
    meta.labels.as_ref()?.get(key).map(String::as_str)
}

/// The value of annotation `key`, if set.
pub(crate) fn annotation<'m>(meta: &'m ObjectMeta, key: &str) -> Option<&'m str> {
    meta.annotations.as_ref()?.get(key).map(String::as_str)
}

/// The user-owned part of `meta`: everything except server-set fields (SPEC §0).
pub(crate) fn without_server_fields(meta: &ObjectMeta) -> ObjectMeta {
    ObjectMeta {
        name: meta.name.clone(),
        namespace: meta.namespace.clone(),
        labels: meta.labels.clone(),
        annotations: meta.annotations.clone(),
        ..ObjectMeta::default()
    }
}

/// A PV left as it is, minus server-set metadata (SPEC §0): what "never touched" desires.
pub(crate) fn kept_as_is(pv: &PersistentVolume) -> PersistentVolume {
    PersistentVolume {
        metadata: without_server_fields(&pv.metadata),
        ..pv.clone()
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

/// Whether a StorageClass is marked `storageclass.kubernetes.io/is-default-class: "true"`.
///
/// SPEC F4 names only this (GA) key; the beta key, which Kubernetes still honours, does not
/// count here.
pub(crate) fn is_default_class(class: &StorageClass) -> bool {
    annotation(&class.metadata, DEFAULT_CLASS_ANNOTATION) == Some("true")
}
