//! S6-S8: the virtual copy of a mirrored host PV.
//!
//! One implementation takes the host PV by value and rewrites the few fields the rules change,
//! reusing every other allocation; the borrowing entry point hands it a copy of just the parts
//! the mirror keeps (never the server-set metadata it drops).

use k8s_openapi::api::core::v1::{ObjectReference, PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::canonical;
use crate::cluster::VirtualCluster;
use crate::context::Context;
use crate::explain::{Input, Rule, Why};
use crate::mode::StorageClassMode;
use crate::object::{non_empty, pvc_class};
use crate::wellknown::{HOST_PV_ANNOTATION, is_bookkeeping_annotation};

/// The parts of `host` a mirror keeps: name, labels, annotations, spec, status.
pub(crate) fn mirror_parts(host: &PersistentVolume) -> PersistentVolume {
    PersistentVolume {
        metadata: ObjectMeta {
            name: host.metadata.name.clone(),
            labels: host.metadata.labels.clone(),
            annotations: host.metadata.annotations.clone(),
            ..ObjectMeta::default()
        },
        spec: host.spec.clone(),
        status: host.status.clone(),
    }
}

/// S6: the virtual PV mirroring `host`, which it consumes: same name, labels and spec (reclaim
/// policy included), annotations without bookkeeping keys plus `host-pv`, claimRef by S7,
/// class by S8, the host's status, canonical quantities.
pub(crate) fn into_mirror(
    host: PersistentVolume,
    pvc: Option<&PersistentVolumeClaim>,
    current: Option<&PersistentVolume>,
    context: &Context,
    why: &mut Why,
) -> PersistentVolume {
    let PersistentVolume {
        metadata,
        spec,
        status,
    } = host;
    let host_name = metadata.name.unwrap_or_default();
    let mut annotations = metadata.annotations.unwrap_or_default();
    // S6 deviation: the bookkeeping keys describe the host object, not the tenant's view.
    annotations.retain(|key, _| !is_bookkeeping_annotation(key));
    annotations.insert(HOST_PV_ANNOTATION.to_owned(), host_name.clone());
    let mut spec = spec.unwrap_or_default();
    spec.claim_ref = claim_ref(spec.claim_ref.take(), pvc, current, context.cluster(), why);
    spec.storage_class_name = storage_class_name(
        spec.storage_class_name.take(),
        pvc,
        current,
        context.mode().storage_classes,
        why,
    );
    canonical::capacity(&mut spec.capacity);
    why.rule(
        Rule::S6,
        "the mirrored PV copies the host PV's spec, reclaim policy included",
    );
    why.copied("metadata.name", Input::HostPv, "metadata.name");
    why.copied("metadata.labels", Input::HostPv, "metadata.labels");
    why.copied(
        "metadata.annotations",
        Input::HostPv,
        "metadata.annotations",
    );
    why.copied("spec", Input::HostPv, "spec");
    why.copied(
        "spec.persistentVolumeReclaimPolicy",
        Input::HostPv,
        "spec.persistentVolumeReclaimPolicy",
    );
    why.copied("status", Input::HostPv, "status");
    PersistentVolume {
        metadata: ObjectMeta {
            name: Some(host_name),
            labels: non_empty(metadata.labels),
            annotations: Some(annotations),
            ..ObjectMeta::default()
        },
        spec: Some(spec),
        status,
    }
}

/// S7: the virtual claimRef. With a virtual PVC: the host claimRef naming the PVC. Without: the
/// current virtual claimRef when its host translation is the host claim; else the host claimRef.
pub(crate) fn claim_ref(
    host_claim: Option<ObjectReference>,
    pvc: Option<&PersistentVolumeClaim>,
    current: Option<&PersistentVolume>,
    cluster: &VirtualCluster,
    why: &mut Why,
) -> Option<ObjectReference> {
    let Some(host_claim) = host_claim else {
        why.rule(
            Rule::S7,
            "the host PV has no claimRef: neither has the virtual PV",
        );
        why.copied("spec.claimRef", Input::HostPv, "spec.claimRef");
        return None;
    };
    if let Some(pvc) = pvc {
        why.rule(Rule::S7, "claimRef points at the virtual PVC");
        why.copied("spec.claimRef", Input::VirtualPvc, "metadata");
        return Some(ObjectReference {
            name: pvc.metadata.name.clone(),
            namespace: pvc.metadata.namespace.clone(),
            uid: pvc.metadata.uid.clone(),
            resource_version: pvc.metadata.resource_version.clone(),
            ..host_claim
        });
    }
    let kept = current
        .and_then(|pv| pv.spec.as_ref())
        .and_then(|s| s.claim_ref.as_ref())
        .filter(|virtual_claim| names_host_claim(virtual_claim, &host_claim, cluster));
    match kept {
        Some(virtual_claim) => {
            why.rule(
                Rule::S7,
                "no virtual PVC: the current virtual claimRef still names the host claim, kept",
            );
            why.copied("spec.claimRef", Input::VirtualPv, "spec.claimRef");
            Some(virtual_claim.clone())
        }
        None => {
            why.rule(
                Rule::S7,
                "no virtual PVC: the host claimRef is copied unchanged (vcluster behaviour)",
            );
            why.copied("spec.claimRef", Input::HostPv, "spec.claimRef");
            Some(host_claim)
        }
    }
}

/// Whether N2 of a virtual claim is the host claim, in `H`.
fn names_host_claim(
    virtual_claim: &ObjectReference,
    host_claim: &ObjectReference,
    cluster: &VirtualCluster,
) -> bool {
    let translated = cluster.host_name(
        virtual_claim.name.as_deref().unwrap_or_default(),
        virtual_claim.namespace.as_deref().unwrap_or_default(),
    );
    host_claim.namespace.as_deref() == Some(cluster.host_namespace())
        && translated.is_ok_and(|t| !t.is_empty() && Some(t.as_str()) == host_claim.name.as_deref())
}

/// S8: the virtual PVC's class when its field is set (even `""`), else the host PV's; without a
/// virtual PVC, in `ToHost` mode the current virtual PV's class when non-empty, else the host
/// PV's.
pub(crate) fn storage_class_name(
    host_class: Option<String>,
    pvc: Option<&PersistentVolumeClaim>,
    current: Option<&PersistentVolume>,
    class_mode: StorageClassMode,
    why: &mut Why,
) -> Option<String> {
    if let Some(pvc) = pvc {
        if let Some(class) = pvc_class(pvc) {
            why.rule(Rule::S8, "storageClassName from the virtual PVC");
            why.copied(
                "spec.storageClassName",
                Input::VirtualPvc,
                "spec.storageClassName",
            );
            return Some(class.to_owned());
        }
        why.rule(
            Rule::S8,
            "the virtual PVC sets no storageClassName: the host PV's",
        );
        why.copied(
            "spec.storageClassName",
            Input::HostPv,
            "spec.storageClassName",
        );
        return host_class;
    }
    let current_class = current
        .and_then(|pv| pv.spec.as_ref())
        .and_then(|s| s.storage_class_name.as_deref())
        .filter(|c| !c.is_empty());
    if class_mode == StorageClassMode::ToHost
        && let Some(class) = current_class
    {
        why.rule(
            Rule::S8,
            "storageClassName kept from the current virtual PV (toHost classes)",
        );
        why.copied(
            "spec.storageClassName",
            Input::VirtualPv,
            "spec.storageClassName",
        );
        return Some(class.to_owned());
    }
    why.rule(Rule::S8, "storageClassName from the host PV");
    why.copied(
        "spec.storageClassName",
        Input::HostPv,
        "spec.storageClassName",
    );
    host_class
}
