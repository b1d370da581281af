//! H1: the host PV made from a tenant's own (virtual-originated) PV.

use k8s_openapi::api::core::v1::PersistentVolume;

use crate::canonical;
use crate::context::Context;
use crate::error::Error;
use crate::explain::{Input, Rule, Source, Why};
use crate::host_meta::{Scope, into_host_metadata};
use crate::object::{VirtualPvKind, name, name_error, pv_ref, virtual_pv_kind};
use crate::options::TenantNodeVolumes;
use crate::wellknown::PV_OBJECT_KIND;

/// Whether a tenant PV's source would hand it a node's filesystem on the host: `hostPath` or
/// `local`, refused unless `tenantNodeVolumes: Allow` (SPEC H1 0.2).
pub(crate) fn node_volume_denied(pv: &PersistentVolume, context: &Context) -> Option<&'static str> {
    if context.options().tenant_node_volumes == TenantNodeVolumes::Allow {
        return None;
    }
    let spec = pv.spec.as_ref()?;
    if spec.host_path.is_some() {
        Some("hostPath")
    } else if spec.local.is_some() {
        Some("local")
    } else {
        None
    }
}

/// H1: the desired host PV for a tenant's own PV, which it consumes: named N3(name), labels
/// through N5 plus the cluster marker, bookkeeping annotations, no claimRef, class N3(class),
/// no status (**deviation**: vcluster writes the virtual status; the host's PV controller owns
/// it), canonical quantities. `None` when the PV must not reach the host: a fake PV, or a
/// `hostPath`/`local` source without `tenantNodeVolumes: Allow`.
///
/// # Errors
///
/// A virtual PV that mirrors a host PV (it has `vcluster.loft.sh/host-pv`): the host PV is the
/// source there, not a copy of it. A non-ASCII name or class (N1).
pub(crate) fn into_host_pv(
    virtual_pv: PersistentVolume,
    context: &Context,
    why: &mut Why,
) -> Result<Option<PersistentVolume>, Error> {
    match virtual_pv_kind(&virtual_pv) {
        VirtualPvKind::Mirror(host) => {
            return Err(Error::inconsistent(
                pv_ref(&virtual_pv),
                "metadata.annotations",
                format!(
                    "the virtual PV mirrors host PV {host:?} (vcluster.loft.sh/host-pv); \
                     only a tenant's own PV has a host PV made from it (SPEC H1)"
                ),
            ));
        }
        VirtualPvKind::Fake => {
            why.rule(
                Rule::H1,
                "a fake PV (vcluster.loft.sh/fake-pv) is never sent to the host",
            );
            return Ok(None);
        }
        VirtualPvKind::TenantMade => {}
    }
    if let Some(source) = node_volume_denied(&virtual_pv, context) {
        why.rule(Rule::H1, move || {
            format!(
                "the tenant PV's source is {source}: not sent to the host, it would hand the \
                 tenant a node's filesystem (tenantNodeVolumes: Deny)"
            )
        });
        return Ok(None);
    }
    let cluster = context.cluster();
    let host_name = cluster
        .host_name_cluster(name(&virtual_pv.metadata))
        .map_err(name_error(pv_ref(&virtual_pv), "metadata.name"))?;
    let mut spec = virtual_pv.spec.unwrap_or_default();
    let class = match spec.storage_class_name.take() {
        Some(class) if !class.is_empty() => {
            Some(cluster.host_name_cluster(&class).map_err(|e| {
                Error::invalid(
                    pv_ref_named(&virtual_pv.metadata),
                    "spec.storageClassName",
                    e.to_string(),
                )
            })?)
        }
        other => other,
    };
    spec.storage_class_name = class;
    spec.claim_ref = None;
    canonical::capacity(&mut spec.capacity);
    why.rule(Rule::H1, || {
        format!("a tenant's own PV: its host PV is {host_name:?} (N3)")
    });
    why.field("metadata.name", Source::rule(Rule::N3));
    why.field("metadata.labels", Source::rule(Rule::N5));
    why.copied(
        "metadata.annotations",
        Input::VirtualPv,
        "metadata.annotations",
    );
    why.copied("spec", Input::VirtualPv, "spec");
    why.field("spec.storageClassName", Source::rule(Rule::N3));
    let metadata = into_host_metadata(
        virtual_pv.metadata,
        host_name,
        PV_OBJECT_KIND,
        Scope::Cluster,
        &[],
        cluster,
    );
    Ok(Some(PersistentVolume {
        metadata,
        spec: Some(spec),
        status: None,
    }))
}

/// Names a PV in errors by its metadata alone.
fn pv_ref_named(
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> crate::error::ObjectRef {
    crate::error::ObjectRef::new("PersistentVolume", meta)
}

/// [`into_host_pv`] from a borrowed PV: copies only what the host PV keeps.
pub(crate) fn host_pv(
    virtual_pv: &PersistentVolume,
    context: &Context,
    why: &mut Why,
) -> Result<Option<PersistentVolume>, Error> {
    let kept = PersistentVolume {
        metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
            name: virtual_pv.metadata.name.clone(),
            uid: virtual_pv.metadata.uid.clone(),
            labels: virtual_pv.metadata.labels.clone(),
            annotations: virtual_pv.metadata.annotations.clone(),
            ..Default::default()
        },
        spec: virtual_pv.spec.clone(),
        status: None,
    };
    into_host_pv(kept, context, why)
}
