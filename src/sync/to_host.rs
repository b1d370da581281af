//! H1: the host PV made from a tenant's own (virtual-originated) PV, with the isolation rules
//! of SPEC T1-T3 applied to what crosses.

use k8s_openapi::api::core::v1::{ObjectReference, PersistentVolume, PersistentVolumeSpec};

use crate::canonical;
use crate::context::Context;
use crate::error::{Error, ObjectRef};
use crate::explain::{Input, Rule, Source, Why};
use crate::host_meta::{Scope, into_host_metadata};
use crate::object::{VirtualPvKind, name, name_error, pv_ref, virtual_pv_kind};
use crate::options::{TenantBinding, TenantNodeVolumes, TenantSecretRefs};
use crate::sync::secrets::translate_references;
use crate::wellknown::{PV_CONTROLLER_ANNOTATIONS, PV_OBJECT_KIND};

/// What H1 decides for a tenant's PV.
// Made once per call and taken apart at once: boxing the PV would cost the owned path
// (`host_pv_owned`) an allocation for nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ToHost {
    /// The host PV to create.
    Sent(PersistentVolume),
    /// Not sent, by a rule that says so quietly (a fake PV, a node volume).
    NotSent,
    /// Not sent: a conflict, with the rule and the reason (T1).
    Refused(Rule, String),
}

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

/// T2: the host class of a tenant PV's class, `""` (no class) included, unless
/// `tenantBinding: Verbatim` (then N3 of a non-empty class, as vcluster does).
pub(crate) fn host_class(
    class: Option<&str>,
    context: &Context,
    object: impl FnOnce() -> ObjectRef,
) -> Result<Option<String>, Error> {
    let verbatim = context.options().tenant_binding == TenantBinding::Verbatim;
    if verbatim && class.is_none_or(str::is_empty) {
        return Ok(class.map(str::to_owned));
    }
    context
        .cluster()
        .host_class_name(class.unwrap_or_default())
        .map(Some)
        .map_err(|e| Error::invalid(object(), "spec.storageClassName", e.to_string()))
}

/// T1: the tenant PV's source with its secret references naming the host copies of the
/// tenant's own objects (`tenantSecretRefs: Translate`), resolved against the namespace of its
/// claim. `Err(Ok(reason))`: not sent.
pub(crate) fn host_source(
    spec: &mut PersistentVolumeSpec,
    claim_namespace: Option<&str>,
    context: &Context,
    object: &dyn Fn() -> ObjectRef,
) -> Result<Option<String>, Error> {
    if context.options().tenant_secret_refs == TenantSecretRefs::Verbatim {
        return Ok(None);
    }
    Ok(
        translate_references(spec, claim_namespace, context.cluster(), object)?
            .map(|refusal| refusal.0),
    )
}

/// T2: the host claimRef of a claimed tenant PV: reserved for the host copy of its claim (`H`,
/// N2), so that no other claim on the host binds it; none for an unclaimed one, or with
/// `tenantBinding: Verbatim` (vcluster sends none).
fn reserved_claim(
    claim: Option<&ObjectReference>,
    context: &Context,
    object: impl FnOnce() -> ObjectRef,
) -> Result<Option<ObjectReference>, Error> {
    if context.options().tenant_binding == TenantBinding::Verbatim {
        return Ok(None);
    }
    let Some(claim) = claim else { return Ok(None) };
    let (claim_name, claim_namespace) = (
        claim.name.as_deref().unwrap_or_default(),
        claim.namespace.as_deref().unwrap_or_default(),
    );
    if claim_name.is_empty() || claim_namespace.is_empty() {
        return Ok(None);
    }
    let cluster = context.cluster();
    let host_name = cluster
        .host_name(claim_name, claim_namespace)
        .map_err(|e| Error::invalid(object(), "spec.claimRef.name", e.to_string()))?;
    Ok(Some(ObjectReference {
        kind: Some("PersistentVolumeClaim".to_owned()),
        api_version: Some("v1".to_owned()),
        namespace: Some(cluster.host_namespace().to_owned()),
        name: Some(host_name),
        ..ObjectReference::default()
    }))
}

/// H1: the desired host PV for a tenant's own PV, which it consumes: named N3(name), labels
/// through N5 plus the cluster marker, bookkeeping annotations (never the host controllers'
/// annotations), claimRef reserved for its claim (T2), class N3 of its class, `""` included
/// (T2), secret references naming the host copies of the tenant's own objects (T1), no status
/// (**deviation**: vcluster writes the virtual status; the host's PV controller owns it),
/// canonical quantities.
///
/// # Errors
///
/// A virtual PV that mirrors a host PV (it has `vcluster.loft.sh/host-pv`): the host PV is the
/// source there, not a copy of it. A non-ASCII name, class or reference (N1); a CSI secret
/// reference without namespace.
pub(crate) fn into_host_pv(
    virtual_pv: PersistentVolume,
    context: &Context,
    why: &mut Why,
) -> Result<ToHost, Error> {
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
            return Ok(ToHost::NotSent);
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
        return Ok(ToHost::NotSent);
    }
    let cluster = context.cluster();
    let PersistentVolume { metadata, spec, .. } = virtual_pv;
    let object = || ObjectRef::new("PersistentVolume", &metadata);
    let host_name = cluster
        .host_name_cluster(name(&metadata))
        .map_err(name_error(object(), "metadata.name"))?;
    let mut spec = spec.unwrap_or_default();
    let claim = spec.claim_ref.take();
    let claim_namespace = claim
        .as_ref()
        .and_then(|c| c.namespace.as_deref())
        .filter(|ns| !ns.is_empty());
    if let Some(reason) = host_source(&mut spec, claim_namespace, context, &object)? {
        why.rule(Rule::T1, {
            let reason = reason.clone();
            move || reason
        });
        return Ok(ToHost::Refused(Rule::T1, reason));
    }
    spec.storage_class_name = host_class(spec.storage_class_name.as_deref(), context, object)?;
    spec.claim_ref = reserved_claim(claim.as_ref(), context, object)?;
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
    why.field("spec.storageClassName", Source::rule(Rule::T2));
    if spec.claim_ref.is_some() {
        why.rule(
            Rule::T2,
            "the tenant PV is claimed: its host copy is reserved for the host copy of its claim",
        );
        why.field("spec.claimRef", Source::rule(Rule::T2));
    }
    if context.options().tenant_secret_refs == TenantSecretRefs::Translate {
        why.rule(
            Rule::T1,
            "secret references name the host copies of the tenant's own secrets (H, N2)",
        );
    }
    let metadata = into_host_metadata(
        metadata,
        host_name,
        PV_OBJECT_KIND,
        Scope::Cluster,
        &PV_CONTROLLER_ANNOTATIONS,
        cluster,
    );
    Ok(ToHost::Sent(PersistentVolume {
        metadata,
        spec: Some(spec),
        status: None,
    }))
}

/// [`into_host_pv`] from a borrowed PV: copies only what the host PV keeps.
pub(crate) fn host_pv(
    virtual_pv: &PersistentVolume,
    context: &Context,
    why: &mut Why,
) -> Result<ToHost, Error> {
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
