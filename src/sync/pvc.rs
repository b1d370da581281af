//! P1/P2: the host copy of a virtual PVC.

use k8s_openapi::api::core::v1::{
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec,
};

use crate::error::Error;
use crate::explain::{Explanation, Input, Rule, Source, Translation};
use crate::fake::claimed_volume;
use crate::host_meta::{Scope, host_metadata};
use crate::mode::{PvMode, StorageClassMode};
use crate::object::{annotation, name, pv_ref, pvc_ref};
use crate::sync::is_virtual_originated;
use crate::translator::Translator;
use crate::validate::validate_pvc;
use crate::wellknown::{HOST_PV_ANNOTATION, PVC_OBJECT_KIND};

/// Annotations the host's PV controller owns on a PVC: never copied virtual -> host.
const BINDER_ANNOTATIONS: [&str; 3] = [
    "pv.kubernetes.io/bind-completed",
    "pv.kubernetes.io/bound-by-controller",
    "volume.beta.kubernetes.io/storage-provisioner",
];

/// P1/P2: the desired host PVC for `pvc`. `named_pv` is the virtual PV the PVC names in
/// `spec.volumeName`, needed in sync mode to translate that name (P2).
pub(crate) fn host_pvc(
    pvc: &PersistentVolumeClaim,
    named_pv: Option<&PersistentVolume>,
    translator: &Translator,
) -> Result<Translation<PersistentVolumeClaim>, Error> {
    validate_pvc(pvc)?;
    let cluster = &translator.cluster;
    let mut why = Explanation::default();
    let namespace = pvc.metadata.namespace.as_deref().unwrap_or_default();
    let host_name = cluster.host_name(name(&pvc.metadata), namespace);
    why.rule(
        Rule::P1,
        format!(
            "the host PVC is {}/{host_name} (N2)",
            cluster.host_namespace
        ),
    );
    why.field("metadata.name", Source::Rule(Rule::N2));
    why.field("metadata.labels", Source::Rule(Rule::N4));
    why.field(
        "metadata.annotations",
        Source::Input(Input::VirtualPvc, "metadata.annotations"),
    );
    let mut spec: PersistentVolumeClaimSpec = pvc.spec.clone().unwrap_or_default();
    if translator.mode.storage_classes == StorageClassMode::ToHost
        && let Some(class) = spec.storage_class_name.as_deref().filter(|c| !c.is_empty())
    {
        spec.storage_class_name = Some(cluster.host_name_cluster(class));
        why.rule(
            Rule::P1,
            "toHost classes: storageClassName becomes its N3 host name",
        );
        why.field("spec.storageClassName", Source::Rule(Rule::N3));
    }
    if translator.mode.persistent_volumes == PvMode::Sync
        && let Some(volume) = claimed_volume(pvc)
    {
        spec.volume_name = Some(host_volume_name(
            pvc, volume, named_pv, translator, &mut why,
        )?);
    }
    let metadata = host_metadata(
        &pvc.metadata,
        &host_name,
        PVC_OBJECT_KIND,
        Scope::Namespaced(namespace),
        &BINDER_ANNOTATIONS,
        cluster,
    );
    Ok(Translation {
        desired: Some(PersistentVolumeClaim {
            metadata,
            spec: Some(spec),
            status: None,
        }),
        explanation: why,
    })
}

/// P2: a host-originated PV keeps its host name; a virtual-originated one becomes N3(name).
fn host_volume_name(
    pvc: &PersistentVolumeClaim,
    volume: &str,
    named_pv: Option<&PersistentVolume>,
    translator: &Translator,
    why: &mut Explanation,
) -> Result<String, Error> {
    let Some(pv) = named_pv else {
        return Err(Error::MissingInput {
            input: "virtualPv",
            reason: format!(
                "{}: spec.volumeName names PV {volume:?}; give that virtual PV to translate the name (SPEC P2)",
                pvc_ref(pvc)
            ),
        });
    };
    if name(&pv.metadata) != volume {
        return Err(Error::inconsistent(
            pv_ref(pv),
            "metadata.name",
            format!("the virtual PV is not the one the PVC names in spec.volumeName ({volume:?})"),
        ));
    }
    if is_virtual_originated(pv) {
        why.rule(
            Rule::P2,
            "volumeName names a virtual-originated PV: its N3 host name",
        );
        why.field("spec.volumeName", Source::Rule(Rule::N3));
        Ok(translator.cluster.host_name_cluster(volume))
    } else {
        why.rule(
            Rule::P2,
            "volumeName names a mirrored host PV: its host name (vcluster.loft.sh/host-pv)",
        );
        why.field(
            "spec.volumeName",
            Source::Input(Input::VirtualPv, "metadata.annotations"),
        );
        Ok(annotation(&pv.metadata, HOST_PV_ANNOTATION)
            .unwrap_or(volume)
            .to_owned())
    }
}
