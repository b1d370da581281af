//! Builders shared by the rule tests.
#![allow(dead_code, clippy::expect_used)]

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

pub fn from_json<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("test object")
}

/// A bound virtual PVC `namespace/name` on `volume`: RWO, 5Gi, class `standard`.
pub fn bound_pvc(namespace: &str, name: &str, volume: &str) -> PersistentVolumeClaim {
    from_json(json!({
        "metadata": {"name": name, "namespace": namespace, "uid": "uid-1", "resourceVersion": "999"},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "resources": {"requests": {"storage": "5Gi"}},
            "storageClassName": "standard",
            "volumeName": volume,
        },
    }))
}

/// `pvc` with `edit` applied to its JSON form.
pub fn edit<T: DeserializeOwned + serde::Serialize>(
    object: &T,
    edit: impl FnOnce(&mut Value),
) -> T {
    let mut value = serde_json::to_value(object).expect("serialisable");
    edit(&mut value);
    from_json(value)
}

/// A host PV `name` with the given reclaim policy (None: field absent), 10Gi, a CSI source.
pub fn host_pv(name: &str, reclaim: Option<&str>) -> PersistentVolume {
    let mut pv = json!({
        "metadata": {"name": name},
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": "10Gi"},
            "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-1"},
            "storageClassName": "standard",
        },
    });
    if let Some(policy) = reclaim {
        pv["spec"]["persistentVolumeReclaimPolicy"] = json!(policy);
    }
    from_json(pv)
}

/// A StorageClass `name` with the given reclaim policy (None: absent).
pub fn storage_class(name: &str, reclaim: Option<&str>) -> StorageClass {
    let mut class = json!({"metadata": {"name": name}, "provisioner": "ebs.csi.aws.com"});
    if let Some(policy) = reclaim {
        class["reclaimPolicy"] = json!(policy);
    }
    from_json(class)
}

/// The reclaim policy of a PV.
pub fn reclaim_policy(pv: &PersistentVolume) -> Option<&str> {
    pv.spec
        .as_ref()?
        .persistent_volume_reclaim_policy
        .as_deref()
}
