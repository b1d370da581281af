//! S1-S5: whether a host PV is mirrored into the virtual cluster, as a typed decision.

use std::fmt;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};

use crate::cluster::VirtualCluster;
use crate::context::Context;
use crate::error::Error;
use crate::explain::Rule;
use crate::object::{annotation, has_cluster_marker, is_made_from, name, namespace, pvc_ref};
use crate::options::RetainedPvMirroring;
use crate::validate::validate_claim_identity;
use crate::wellknown::HOST_PV_ANNOTATION;

/// Why a host PV is, or is not, mirrored into the virtual cluster (SPEC S1-S5).
///
/// Audits and explanations read this value; [`MirrorDecision::is_mirrored`] is the yes/no.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MirrorDecision {
    /// S3: the host PV's claim is in another host namespace than `H` (or names none): never
    /// mirrored, under any option (tenant isolation).
    ForeignNamespace {
        /// The claim's namespace (empty when unset).
        namespace: String,
    },
    /// S1: the host PV was made from a virtual PV (its `managed-by` label is this cluster's
    /// marker); the virtual PV is the source, the host only adds status.
    VirtualOriginated,
    /// S2: no claimRef and not virtual-originated: never mirrored.
    Unclaimed,
    /// S4: the claim is the host copy of the given virtual PVC.
    ClaimedByVirtualPvc,
    /// S5: no virtual PVC, but the current virtual PV names this host PV in
    /// `vcluster.loft.sh/host-pv` and its claimRef maps by N2 to the host PV's claim: this
    /// virtual cluster owns it.
    OwnedByVirtualPv,
    /// S5 with `retainedPvMirroring: Legacy`: a `Retain` or `Released` PV bound in `H`
    /// (vcluster's rule, upstream #1041).
    LegacyRetained,
    /// S5: a claim in `H` that no given virtual PVC or PV proves to be this virtual cluster's:
    /// not mirrored (**deviation** from vcluster, for tenant isolation).
    Unowned,
}

impl MirrorDecision {
    /// Whether the host PV appears in the virtual cluster.
    pub const fn is_mirrored(&self) -> bool {
        matches!(
            self,
            Self::VirtualOriginated
                | Self::ClaimedByVirtualPvc
                | Self::OwnedByVirtualPv
                | Self::LegacyRetained
        )
    }

    /// The rule behind the decision.
    pub const fn rule(&self) -> Rule {
        match self {
            Self::ForeignNamespace { .. } => Rule::S3,
            Self::VirtualOriginated => Rule::S1,
            Self::Unclaimed => Rule::S2,
            Self::ClaimedByVirtualPvc => Rule::S4,
            Self::OwnedByVirtualPv | Self::LegacyRetained | Self::Unowned => Rule::S5,
        }
    }
}

impl fmt::Display for MirrorDecision {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ForeignNamespace { namespace } => write!(
                f,
                "the host PV's claim is in namespace {namespace:?}, not this virtual cluster's: never mirrored"
            ),
            Self::VirtualOriginated => {
                f.write_str("the host PV was made from a virtual PV: the virtual PV is the source")
            }
            Self::Unclaimed => f.write_str(
                "the host PV has no claim and was not made by this virtual cluster: not mirrored",
            ),
            Self::ClaimedByVirtualPvc => {
                f.write_str("the host PV is bound to the host copy of the virtual PVC: mirrored")
            }
            Self::OwnedByVirtualPv => f.write_str(
                "no virtual PVC, but the current virtual PV names the host PV in \
                 vcluster.loft.sh/host-pv and its claim is the host claim: kept mirrored",
            ),
            Self::LegacyRetained => f.write_str(
                "a Retain or Released PV bound in the host namespace: mirrored \
                 (retainedPvMirroring: Legacy)",
            ),
            Self::Unowned => f.write_str(
                "nothing proves the host PV's claim is this virtual cluster's: not mirrored \
                 (retainedPvMirroring: Owned)",
            ),
        }
    }
}

/// The host PV's claim as `(namespace, name)`, when it has a claimRef.
pub(crate) fn host_claim(host_pv: &PersistentVolume) -> Option<(&str, &str)> {
    let claim = host_pv.spec.as_ref()?.claim_ref.as_ref()?;
    Some((
        claim.namespace.as_deref().unwrap_or_default(),
        claim.name.as_deref().unwrap_or_default(),
    ))
}

/// SPEC S5's evidence that `virtual_pv` mirrors `host_pv` for this virtual cluster: it names the
/// host PV in `vcluster.loft.sh/host-pv` **and** its claimRef maps by N2 to the host PV's claim
/// in `H`. The annotation alone is no evidence: a tenant can write it on a PV of its own.
pub(crate) fn owns_by_evidence(
    virtual_pv: &PersistentVolume,
    host_pv: &PersistentVolume,
    cluster: &VirtualCluster,
) -> bool {
    let host_name = name(&host_pv.metadata);
    if host_name.is_empty()
        || annotation(&virtual_pv.metadata, HOST_PV_ANNOTATION) != Some(host_name)
    {
        return false;
    }
    let Some((claim_namespace, claim_name)) = host_claim(host_pv) else {
        return false;
    };
    let Some(virtual_claim) = virtual_pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else {
        return false;
    };
    let translated = cluster.host_name(
        virtual_claim.name.as_deref().unwrap_or_default(),
        virtual_claim.namespace.as_deref().unwrap_or_default(),
    );
    claim_namespace == cluster.host_namespace()
        && translated.is_ok_and(|t| !t.is_empty() && t == claim_name)
}

/// T3: whether host PV `host_pv` was provisioned for this tenant's claim: its claimRef names
/// `host_pvc` (namespace `H`, name and uid), which is the host copy of `virtual_pvc` made by
/// this virtual cluster (N2, R5's marker and object-name), and it has the name a provisioner
/// gives it, `pvc-<host PVC uid>`. Only such a mirror is written through (B1, B2, D1); a static
/// PV the claim merely bound is the admin's.
pub(crate) fn provisioned_for_claim(
    host_pv: &PersistentVolume,
    virtual_pvc: Option<&PersistentVolumeClaim>,
    host_pvc: Option<&PersistentVolumeClaim>,
    cluster: &VirtualCluster,
) -> bool {
    let (Some(virtual_pvc), Some(host_pvc)) = (virtual_pvc, host_pvc) else {
        return false;
    };
    let Some(claim) = host_pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else {
        return false;
    };
    let host_pvc_name = name(&host_pvc.metadata);
    let uid = host_pvc.metadata.uid.as_deref().unwrap_or_default();
    let copy_of_claim = cluster
        .host_name(
            name(&virtual_pvc.metadata),
            namespace(&virtual_pvc.metadata),
        )
        .is_ok_and(|n| !n.is_empty() && n == host_pvc_name)
        && namespace(&host_pvc.metadata) == cluster.host_namespace()
        && is_made_from(
            &host_pvc.metadata,
            cluster.namespaced_marker(),
            name(&virtual_pvc.metadata),
            Some(namespace(&virtual_pvc.metadata)),
        );
    copy_of_claim
        && !uid.is_empty()
        && claim.namespace.as_deref() == Some(cluster.host_namespace())
        && claim.name.as_deref() == Some(host_pvc_name)
        && claim.uid.as_deref() == Some(uid)
        && name(&host_pv.metadata).strip_prefix("pvc-") == Some(uid)
}

/// S1-S5: decides whether `host_pv` is mirrored, given the virtual PVC and current virtual PV
/// the syncer knows of (either may be absent).
///
/// S3 is checked first: a claim outside `H` is never mirrored, whatever else holds.
///
/// # Errors
///
/// F7: an invalid virtual PVC. S4: a virtual PVC whose host name and namespace are not the host
/// PV's claim.
pub(crate) fn mirror_decision(
    host_pv: &PersistentVolume,
    virtual_pvc: Option<&PersistentVolumeClaim>,
    virtual_pv: Option<&PersistentVolume>,
    context: &Context,
) -> Result<MirrorDecision, Error> {
    let cluster = context.cluster();
    if let Some(pvc) = virtual_pvc {
        validate_claim_identity(pvc)?;
    }
    let claim = host_claim(host_pv);
    if let Some((claim_namespace, _)) = claim
        && claim_namespace != cluster.host_namespace()
    {
        return Ok(MirrorDecision::ForeignNamespace {
            namespace: claim_namespace.to_owned(),
        });
    }
    if has_cluster_marker(&host_pv.metadata, cluster) {
        return Ok(MirrorDecision::VirtualOriginated);
    }
    let Some((_, claim_name)) = claim else {
        return Ok(MirrorDecision::Unclaimed);
    };
    if let Some(pvc) = virtual_pvc {
        let host_name = cluster
            .host_name(name(&pvc.metadata), namespace(&pvc.metadata))
            .map_err(crate::object::name_error(pvc_ref(pvc), "metadata.name"))?;
        if host_name != claim_name {
            return Err(Error::inconsistent(
                pvc_ref(pvc),
                "metadata.name",
                format!(
                    "the host PV {:?} is claimed by {}/{claim_name}, not by this PVC's host copy {}/{host_name}",
                    name(&host_pv.metadata),
                    cluster.host_namespace(),
                    cluster.host_namespace(),
                ),
            ));
        }
        return Ok(MirrorDecision::ClaimedByVirtualPvc);
    }
    if virtual_pv.is_some_and(|pv| owns_by_evidence(pv, host_pv, cluster)) {
        return Ok(MirrorDecision::OwnedByVirtualPv);
    }
    if context.options().retained_pv_mirroring == RetainedPvMirroring::Legacy {
        let spec = host_pv.spec.as_ref();
        let retained =
            spec.and_then(|s| s.persistent_volume_reclaim_policy.as_deref()) == Some("Retain");
        let released = host_pv.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Released");
        if retained || released {
            return Ok(MirrorDecision::LegacyRetained);
        }
    }
    Ok(MirrorDecision::Unowned)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::type_complexity)]
    use super::*;
    use serde_json::{Value, json};

    fn cluster() -> VirtualCluster {
        VirtualCluster::new("vc", "team-a").unwrap()
    }

    fn parts() -> (Value, Value, Value) {
        let virtual_pvc = json!({"metadata": {"name": "data", "namespace": "shop"}});
        let host_pvc = json!({"metadata": {
            "name": "data-x-shop-x-vc", "namespace": "team-a", "uid": "u1",
            "labels": {"vcluster.loft.sh/managed-by": "vc"},
            "annotations": {"vcluster.loft.sh/object-name": "data",
                            "vcluster.loft.sh/object-namespace": "shop"}}});
        let host_pv = json!({"metadata": {"name": "pvc-u1"}, "spec": {"claimRef": {
            "namespace": "team-a", "name": "data-x-shop-x-vc", "uid": "u1"}}});
        (virtual_pvc, host_pvc, host_pv)
    }

    fn provisioned(parts: &(Value, Value, Value)) -> bool {
        let (virtual_pvc, host_pvc, host_pv): (
            PersistentVolumeClaim,
            PersistentVolumeClaim,
            PersistentVolume,
        ) = (
            serde_json::from_value(parts.0.clone()).unwrap(),
            serde_json::from_value(parts.1.clone()).unwrap(),
            serde_json::from_value(parts.2.clone()).unwrap(),
        );
        provisioned_for_claim(&host_pv, Some(&virtual_pvc), Some(&host_pvc), &cluster())
    }

    /// T3: each part of the evidence is needed; breaking any one of them makes the mirror
    /// read-only.
    #[test]
    fn t3_provisioned_for_claim_needs_every_part_of_its_evidence() {
        assert!(provisioned(&parts()));
        let breaks: [fn(&mut (Value, Value, Value)); 10] = [
            // The host PVC is another claim's host copy (N2 of another virtual PVC).
            |p| p.0["metadata"]["name"] = json!("other"),
            // It is in another namespace than H.
            |p| p.1["metadata"]["namespace"] = json!("team-b"),
            // It was not made by this virtual cluster (R5).
            |p| p.1["metadata"]["labels"] = json!({}),
            // It has no uid.
            |p| {
                p.1["metadata"].as_object_mut().unwrap().remove("uid");
            },
            // The PV's claim is in another namespace, names another claim, or another uid.
            |p| p.2["spec"]["claimRef"]["namespace"] = json!("team-b"),
            |p| p.2["spec"]["claimRef"]["name"] = json!("other-x-shop-x-vc"),
            |p| p.2["spec"]["claimRef"]["uid"] = json!("u2"),
            // It has no claim at all.
            |p| {
                p.2["spec"].as_object_mut().unwrap().remove("claimRef");
            },
            // It is not named as a provisioner names it (an admin's static PV).
            |p| p.2["metadata"]["name"] = json!("admin-nfs"),
            |p| p.2["metadata"]["name"] = json!("u1"),
        ];
        for (i, edit) in breaks.into_iter().enumerate() {
            let mut broken = parts();
            edit(&mut broken);
            assert!(
                !provisioned(&broken),
                "break {i} still counts as provisioned"
            );
        }
        // Without the claim or its host copy, nothing proves it.
        let (v, h, pv): (
            PersistentVolumeClaim,
            PersistentVolumeClaim,
            PersistentVolume,
        ) = (
            serde_json::from_value(parts().0).unwrap(),
            serde_json::from_value(parts().1).unwrap(),
            serde_json::from_value(parts().2).unwrap(),
        );
        assert!(!provisioned_for_claim(&pv, None, Some(&h), &cluster()));
        assert!(!provisioned_for_claim(&pv, Some(&v), None, &cluster()));
    }
}
