//! H1: the host PV made from a tenant's own (virtual-originated) PV.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeSpec};

use crate::cluster::VirtualCluster;
use crate::error::Error;
use crate::explain::{Explanation, Input, Rule, Source, Translation};
use crate::fake::is_controlled_elsewhere;
use crate::host_meta::{Scope, host_metadata};
use crate::object::{annotation, name, pv_ref};
use crate::sync::is_virtual_originated;
use crate::validate::validate_pv;
use crate::wellknown::{HOST_PV_ANNOTATION, PV_OBJECT_KIND};

/// H1: the desired host PV for a virtual-originated PV: named N3(name), labels through N5 plus
/// the cluster marker, bookkeeping annotations, no claimRef, class N3(class), no status.
///
/// # Errors
///
/// A virtual PV that mirrors a host PV (it has `vcluster.loft.sh/host-pv`): the host PV is the
/// source there, not a copy of it. An invalid PV (I7).
pub(crate) fn host_pv(
    virtual_pv: &PersistentVolume,
    cluster: &VirtualCluster,
) -> Result<Translation<PersistentVolume>, Error> {
    if !is_virtual_originated(virtual_pv) {
        let host = annotation(&virtual_pv.metadata, HOST_PV_ANNOTATION).unwrap_or_default();
        return Err(Error::inconsistent(
            pv_ref(virtual_pv),
            "metadata.annotations",
            format!(
                "the virtual PV mirrors host PV {host:?} ({HOST_PV_ANNOTATION}); \
                 only a virtual-originated PV has a host PV made from it (SPEC H1)"
            ),
        ));
    }
    validate_pv(virtual_pv)?;
    let mut why = Explanation::default();
    if is_controlled_elsewhere(virtual_pv) {
        why.rule(
            Rule::F6,
            "the virtual PV is labelled vcluster.loft.sh/controlled-by: not synced to the host",
        );
        return Ok(Translation {
            desired: None,
            explanation: why,
        });
    }
    let host_name = cluster.host_name_cluster(name(&virtual_pv.metadata));
    why.rule(
        Rule::H1,
        format!("a virtual-originated PV: its host PV is {host_name:?} (N3)"),
    );
    let spec = virtual_pv.spec.clone().unwrap_or_default();
    let class = spec
        .storage_class_name
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(|c| cluster.host_name_cluster(c));
    why.field("metadata.name", Source::Rule(Rule::N3));
    why.field("metadata.labels", Source::Rule(Rule::N5));
    why.field(
        "metadata.annotations",
        Source::Input(Input::VirtualPv, "metadata.annotations"),
    );
    why.field("spec", Source::Input(Input::VirtualPv, "spec"));
    why.field("spec.storageClassName", Source::Rule(Rule::N3));
    let pv = PersistentVolume {
        metadata: host_metadata(
            &virtual_pv.metadata,
            &host_name,
            PV_OBJECT_KIND,
            Scope::Cluster,
            &[],
            cluster,
        ),
        spec: Some(PersistentVolumeSpec {
            claim_ref: None,
            storage_class_name: class.or(spec.storage_class_name.clone()),
            ..spec
        }),
        status: None,
    };
    Ok(Translation {
        desired: Some(pv),
        explanation: why,
    })
}
