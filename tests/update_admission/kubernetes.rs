//! What the API server refuses on an update, written again from Kubernetes' validation (not
//! from the crate), on objects as JSON:
//!
//! - `ValidateStorageClassUpdate` (`pkg/apis/storage/validation`): `parameters`
//!   (`reflect.DeepEqual`, so an empty map is not an absent one), `provisioner`, `reclaimPolicy`
//!   and `volumeBindingMode` may not change; the last two are compared after the API server's
//!   defaults (`Delete`, `Immediate`).
//! - `ValidatePersistentVolumeClaimUpdate` (`pkg/apis/core/validation`): the spec is immutable
//!   after creation (compared as `apiequality.Semantic` does: quantities by value, an empty list
//!   or map equal to an absent one), except that `volumeName` may be set once, `storageClassName`
//!   may be set when it was unset (a default assigned later), and a bound claim's `storage`
//!   request may change, going down only while it stays above `status.capacity.storage`
//!   (`RecoverVolumeExpansionFailure`); `volumeMode` is immutable and so is the deprecated
//!   class annotation. The status a spec update carries is the stored one.
#![allow(dead_code)]

use serde_json::{Map, Value};

/// The errors Kubernetes gives for updating `old` to `new`; empty when it accepts.
pub fn storage_class_update_errors(old: &Value, new: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let present = |v: &Value, key: &str| v.get(key).filter(|x| !x.is_null()).cloned();
    if present(old, "parameters") != present(new, "parameters") {
        errors.push("parameters: Forbidden: updates to parameters are forbidden.".to_owned());
    }
    if old.get("provisioner") != new.get("provisioner") {
        errors.push("provisioner: Forbidden: updates to provisioner are forbidden.".to_owned());
    }
    let defaulted = |v: &Value, key: &str, default: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or(default)
            .to_owned()
    };
    if defaulted(old, "reclaimPolicy", "Delete") != defaulted(new, "reclaimPolicy", "Delete") {
        errors.push("reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.".to_owned());
    }
    if defaulted(old, "volumeBindingMode", "Immediate")
        != defaulted(new, "volumeBindingMode", "Immediate")
    {
        errors.push("volumeBindingMode: Invalid value: field is immutable".to_owned());
    }
    errors
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    }
}

/// `apiequality.Semantic`'s view of a spec: empty parts dropped, quantities by value.
fn semantic(value: &Value, key: Option<&str>) -> Value {
    match value {
        Value::Object(members) => {
            let mut out = Map::new();
            for (k, v) in members {
                let nv = if matches!(key, Some("requests" | "limits")) {
                    v.as_str()
                        .and_then(|q| pv_translate::quantity::canonical(q).ok())
                        .map_or_else(|| v.clone(), Value::String)
                } else {
                    semantic(v, Some(k))
                };
                if !is_empty(&nv) {
                    out.insert(k.clone(), nv);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| semantic(v, None)).collect()),
        other => other.clone(),
    }
}

fn storage(v: &Value) -> Option<pv_translate::quantity::Quantity> {
    v.as_str()?.parse().ok()
}

const BETA_CLASS: &str = "volume.beta.kubernetes.io/storage-class";

/// The errors Kubernetes gives for updating PVC `old` to `new` (the main resource); empty when
/// it accepts.
pub fn pvc_update_errors(old: &Value, new: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let annotation = |v: &Value| {
        v.pointer(&format!(
            "/metadata/annotations/{}",
            BETA_CLASS.replace('/', "~1")
        ))
        .cloned()
    };
    if annotation(old) != annotation(new) {
        errors.push(format!(
            "metadata.annotations[{BETA_CLASS}]: field is immutable"
        ));
    }
    let empty = Value::Object(Map::new());
    let old_spec = old.get("spec").unwrap_or(&empty);
    let new_spec = new.get("spec").unwrap_or(&empty);
    let (mut old_clone, mut new_clone) = (old_spec.clone(), new_spec.clone());
    let (Some(old_map), Some(new_map)) = (old_clone.as_object_mut(), new_clone.as_object_mut())
    else {
        return vec!["spec: not an object".to_owned()];
    };
    // volumeName may be set once.
    if old_map
        .get("volumeName")
        .is_none_or(|v| v.as_str().unwrap_or("").is_empty())
    {
        match new_map.get("volumeName") {
            Some(v) => {
                old_map.insert("volumeName".to_owned(), v.clone());
            }
            None => {
                old_map.remove("volumeName");
            }
        }
    }
    // A class may be set when there was none (and no class annotation): a default assigned
    // later (retroactive default StorageClass assignment).
    if old_map.get("storageClassName").is_none_or(Value::is_null)
        && annotation(old).is_none()
        && let Some(class) = new_map.get("storageClassName")
    {
        old_map.insert("storageClassName".to_owned(), class.clone());
    }
    // A bound claim's storage request may change (the status is the stored one).
    let bound = old.pointer("/status/phase").and_then(Value::as_str) == Some("Bound");
    let old_storage = old_spec.pointer("/resources/requests/storage");
    let new_storage = new_spec.pointer("/resources/requests/storage");
    if bound
        && let (Some(old_storage), Some(requests)) = (
            old_storage,
            new_map
                .get_mut("resources")
                .and_then(|r| r.get_mut("requests"))
                .and_then(Value::as_object_mut),
        )
    {
        requests.insert("storage".to_owned(), old_storage.clone());
    }
    if semantic(&old_clone, None) != semantic(&new_clone, None) {
        errors.push(
            "spec: Forbidden: spec is immutable after creation except resources.requests and \
             volumeAttributesClassName for bound claims"
                .to_owned(),
        );
    }
    if let (Some(new_size), Some(old_size)) =
        (new_storage.and_then(storage), old_storage.and_then(storage))
        && new_size < old_size
    {
        // An absent status capacity is a zero quantity.
        let capacity = old
            .pointer("/status/capacity/storage")
            .and_then(storage)
            .or_else(|| "0".parse().ok());
        if capacity.is_some_and(|capacity| new_size <= capacity) {
            errors.push(
                "spec.resources.requests.storage: Forbidden: field can not be less than \
                 status.capacity"
                    .to_owned(),
            );
        }
    }
    errors
}

/// The volume source fields of a PV spec (`PersistentVolumeSource`, inlined in the spec).
const PV_SOURCES: [&str; 22] = [
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

/// The errors Kubernetes gives for updating PV `old` to `new` (`ValidatePersistentVolumeUpdate`,
/// `pkg/apis/core/validation`): the volume source is immutable after creation (compared as
/// `apiequality.Semantic` does; a CSI `controllerExpandSecretRef` may be set where there was
/// none), so is `volumeMode` (after the API server's default, `Filesystem`), and node affinity
/// may only be set where there was none; `volumeAttributesClassName` may not go from a value
/// to none.
pub fn pv_update_errors(old: &Value, new: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    let empty = Value::Object(Map::new());
    let spec = |v: &Value| v.get("spec").cloned().unwrap_or_else(|| empty.clone());
    let (old_spec, new_spec) = (spec(old), spec(new));
    let source = |s: &Value, allow_expand: bool| {
        let mut out = Map::new();
        for key in PV_SOURCES {
            if let Some(v) = s.get(key).filter(|v| !v.is_null()) {
                out.insert(key.to_owned(), semantic(v, Some(key)));
            }
        }
        if allow_expand && let Some(csi) = out.get_mut("csi").and_then(Value::as_object_mut) {
            csi.remove("controllerExpandSecretRef");
        }
        Value::Object(out)
    };
    let expand_added = old_spec["csi"].is_object()
        && old_spec["csi"]
            .get("controllerExpandSecretRef")
            .is_none_or(Value::is_null)
        && new_spec["csi"]
            .get("controllerExpandSecretRef")
            .is_some_and(|v| !v.is_null());
    if source(&old_spec, expand_added) != source(&new_spec, expand_added) {
        errors.push(
            "spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable \
             after creation"
                .to_owned(),
        );
    }
    let mode = |s: &Value| {
        s.get("volumeMode")
            .and_then(Value::as_str)
            .unwrap_or("Filesystem")
            .to_owned()
    };
    if mode(&old_spec) != mode(&new_spec) {
        errors.push("volumeMode: Invalid value: field is immutable".to_owned());
    }
    let affinity = |s: &Value| {
        s.get("nodeAffinity")
            .filter(|v| !v.is_null())
            .map(|v| semantic(v, None))
    };
    if affinity(&old_spec).is_some() && affinity(&old_spec) != affinity(&new_spec) {
        errors.push("nodeAffinity: Invalid value: field is immutable".to_owned());
    }
    let class = |s: &Value| {
        s.get("volumeAttributesClassName")
            .filter(|v| !v.is_null())
            .cloned()
    };
    if class(&old_spec).is_some() && class(&new_spec).is_none() {
        errors.push(
            "spec.volumeAttributesClassName: Forbidden: update from non-nil value to nil is \
             forbidden"
                .to_owned(),
        );
    }
    errors
}
