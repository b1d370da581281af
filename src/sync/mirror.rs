//! S6-S8: the virtual copy of a mirrored host PV.

use k8s_openapi::api::core::v1::{
    ObjectReference, PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::cluster::VirtualCluster;
use crate::explain::{Explanation, Input, Rule, Source};
use crate::mode::StorageClassMode;
use crate::object::name;
use crate::wellknown::{HOST_PV_ANNOTATION, is_bookkeeping_annotation};

/// S6: the virtual PV mirroring `host`: same name, labels and spec (reclaim policy included),
/// annotations without bookkeeping keys plus `host-pv`, claimRef by S7, class by S8, status.
pub(crate) fn mirrored_pv(
    host: &PersistentVolume,
    pvc: Option<&PersistentVolumeClaim>,
    current: Option<&PersistentVolume>,
    cluster: &VirtualCluster,
    class_mode: StorageClassMode,
    why: &mut Explanation,
) -> PersistentVolume {
    let host_name = name(&host.metadata).to_owned();
    let mut annotations = virtual_annotations(&host.metadata);
    annotations.insert(HOST_PV_ANNOTATION.to_owned(), host_name.clone());
    let host_spec = host.spec.clone().unwrap_or_default();
    let claim_ref = claim_ref(host_spec.claim_ref.as_ref(), pvc, current, cluster, why);
    let storage_class_name = storage_class_name(&host_spec, pvc, current, class_mode, why);
    why.rule(
        Rule::S6,
        "the mirrored PV copies the host PV's spec, reclaim policy included",
    );
    why.field(
        "metadata.name",
        Source::Input(Input::HostPv, "metadata.name"),
    );
    why.field(
        "metadata.labels",
        Source::Input(Input::HostPv, "metadata.labels"),
    );
    why.field(
        "metadata.annotations",
        Source::Input(Input::HostPv, "metadata.annotations"),
    );
    why.field("spec", Source::Input(Input::HostPv, "spec"));
    why.field(
        "spec.persistentVolumeReclaimPolicy",
        Source::Input(Input::HostPv, "spec.persistentVolumeReclaimPolicy"),
    );
    why.field("status", Source::Input(Input::HostPv, "status"));
    PersistentVolume {
        metadata: ObjectMeta {
            name: Some(host_name),
            labels: host.metadata.labels.clone().filter(|l| !l.is_empty()),
            annotations: Some(annotations),
            ..ObjectMeta::default()
        },
        spec: Some(PersistentVolumeSpec {
            claim_ref,
            storage_class_name,
            ..host_spec
        }),
        status: host.status.clone(),
    }
}

/// The host annotations a tenant may see: all but `host-pv` and the bookkeeping keys.
pub(crate) fn virtual_annotations(host: &ObjectMeta) -> std::collections::BTreeMap<String, String> {
    host.annotations
        .iter()
        .flatten()
        .filter(|(k, _)| !is_bookkeeping_annotation(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// S7: the virtual claimRef. With a virtual PVC: the host claimRef naming the PVC. Without: the
/// current virtual claimRef when its host translation is the host claim; else the host claimRef.
pub(crate) fn claim_ref(
    host_claim: Option<&ObjectReference>,
    pvc: Option<&PersistentVolumeClaim>,
    current: Option<&PersistentVolume>,
    cluster: &VirtualCluster,
    why: &mut Explanation,
) -> Option<ObjectReference> {
    let host_claim = host_claim?;
    if let Some(pvc) = pvc {
        why.rule(Rule::S7, "claimRef points at the virtual PVC");
        why.field(
            "spec.claimRef",
            Source::Input(Input::VirtualPvc, "metadata"),
        );
        return Some(ObjectReference {
            name: pvc.metadata.name.clone(),
            namespace: pvc.metadata.namespace.clone(),
            uid: pvc.metadata.uid.clone(),
            resource_version: pvc.metadata.resource_version.clone(),
            ..host_claim.clone()
        });
    }
    let kept = current
        .and_then(|pv| pv.spec.as_ref())
        .and_then(|s| s.claim_ref.as_ref())
        .filter(|virtual_claim| {
            let translated = cluster.host_name(
                virtual_claim.name.as_deref().unwrap_or_default(),
                virtual_claim.namespace.as_deref().unwrap_or_default(),
            );
            !translated.is_empty()
                && Some(translated.as_str()) == host_claim.name.as_deref()
                && host_claim.namespace.as_deref() == Some(cluster.host_namespace.as_str())
        });
    match kept {
        Some(virtual_claim) => {
            why.rule(
                Rule::S7,
                "no virtual PVC: the current virtual claimRef still names the host claim, kept",
            );
            why.field(
                "spec.claimRef",
                Source::Input(Input::VirtualPv, "spec.claimRef"),
            );
            Some(virtual_claim.clone())
        }
        None => {
            why.rule(
                Rule::S7,
                "no virtual PVC: the host claimRef is copied unchanged (vcluster behaviour)",
            );
            why.field(
                "spec.claimRef",
                Source::Input(Input::HostPv, "spec.claimRef"),
            );
            Some(host_claim.clone())
        }
    }
}

/// S8: the virtual PVC's class when its field is set (even `""`); else in `ToHost` mode the
/// current virtual PV's (non-empty) class; else the host PV's.
pub(crate) fn storage_class_name(
    host_spec: &PersistentVolumeSpec,
    pvc: Option<&PersistentVolumeClaim>,
    current: Option<&PersistentVolume>,
    class_mode: StorageClassMode,
    why: &mut Explanation,
) -> Option<String> {
    if let Some(class) = pvc
        .and_then(|p| p.spec.as_ref())
        .and_then(|s| s.storage_class_name.clone())
    {
        why.rule(Rule::S8, "storageClassName from the virtual PVC");
        why.field(
            "spec.storageClassName",
            Source::Input(Input::VirtualPvc, "spec.storageClassName"),
        );
        return Some(class);
    }
    let current_class = current
        .and_then(|pv| pv.spec.as_ref())
        .and_then(|s| s.storage_class_name.clone())
        .filter(|c| !c.is_empty());
    if class_mode == StorageClassMode::ToHost
        && let Some(class) = current_class
    {
        why.rule(
            Rule::S8,
            "storageClassName kept from the current virtual PV (toHost classes)",
        );
        why.field(
            "spec.storageClassName",
            Source::Input(Input::VirtualPv, "spec.storageClassName"),
        );
        return Some(class);
    }
    why.rule(Rule::S8, "storageClassName from the host PV");
    why.field(
        "spec.storageClassName",
        Source::Input(Input::HostPv, "spec.storageClassName"),
    );
    host_spec.storage_class_name.clone()
}
