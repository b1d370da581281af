//! S1-S5: whether a host PV is mirrored into the virtual cluster, as a typed decision.

use std::fmt;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};

use crate::cluster::VirtualCluster;
use crate::error::Error;
use crate::explain::Rule;
use crate::object::{annotation, label, name, pvc_ref};
use crate::options::{Options, RetainedPvMirroring};
use crate::wellknown::{HOST_PV_ANNOTATION, MANAGED_BY_LABEL};

/// Why a host PV is, or is not, mirrored into the virtual cluster (SPEC S1-S5).
///
/// Audits and explanations read this value; [`MirrorDecision::is_mirrored`] is the yes/no.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MirrorDecision {
    /// S3: the host PV's claim is in another host namespace than `H`: never mirrored, under any
    /// option (tenant isolation).
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
    /// `vcluster.loft.sh/host-pv`: this virtual cluster owns it.
    OwnedByVirtualPv,
    /// S5 with `retainedPvMirroring: Legacy`: a `Retain` or `Released` PV bound in `H`
    /// (vcluster's rule, upstream #1041).
    LegacyRetained,
    /// S5: a claim in `H` that no given virtual PVC or PV accounts for: not mirrored
    /// (**deviation** from vcluster, for tenant isolation).
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

    /// The SPEC rule behind the decision.
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
            Self::Unclaimed => f.write_str("the host PV has no claim and was not made by this virtual cluster: not mirrored"),
            Self::ClaimedByVirtualPvc => f.write_str("the host PV is bound to the host copy of the virtual PVC: mirrored"),
            Self::OwnedByVirtualPv => f.write_str(
                "no virtual PVC, but the current virtual PV names the host PV in vcluster.loft.sh/host-pv: kept mirrored",
            ),
            Self::LegacyRetained => f.write_str(
                "a Retain or Released PV bound in the host namespace: mirrored (retainedPvMirroring: Legacy)",
            ),
            Self::Unowned => f.write_str(
                "no virtual PVC or virtual PV accounts for the host PV's claim: not mirrored (retainedPvMirroring: Owned)",
            ),
        }
    }
}

/// S1-S5: decides whether `host_pv` is mirrored, given the virtual PVC and current virtual PV
/// the syncer knows of (either may be absent).
///
/// S3 is checked first: a claim outside `H` is never mirrored, whatever else holds.
///
/// # Errors
///
/// S4: a virtual PVC whose host name and namespace are not the host PV's claim.
pub fn mirror_decision(
    host_pv: &PersistentVolume,
    virtual_pvc: Option<&PersistentVolumeClaim>,
    virtual_pv: Option<&PersistentVolume>,
    cluster: &VirtualCluster,
    options: &Options,
) -> Result<MirrorDecision, Error> {
    let spec = host_pv.spec.as_ref();
    let claim = spec.and_then(|s| s.claim_ref.as_ref());
    if let Some(claim) = claim {
        let namespace = claim.namespace.as_deref().unwrap_or_default();
        if namespace != cluster.host_namespace {
            return Ok(MirrorDecision::ForeignNamespace {
                namespace: namespace.to_owned(),
            });
        }
    }
    if label(&host_pv.metadata, MANAGED_BY_LABEL) == Some(cluster.cluster_marker().as_str()) {
        return Ok(MirrorDecision::VirtualOriginated);
    }
    let Some(claim) = claim else {
        return Ok(MirrorDecision::Unclaimed);
    };
    let claim_name = claim.name.as_deref().unwrap_or_default();
    if let Some(pvc) = virtual_pvc {
        let host_name = cluster.host_name(
            name(&pvc.metadata),
            pvc.metadata.namespace.as_deref().unwrap_or_default(),
        );
        if host_name != claim_name {
            return Err(Error::inconsistent(
                pvc_ref(pvc),
                "metadata.name",
                format!(
                    "the host PV {:?} is claimed by {}/{claim_name}, not by this PVC's host copy {}/{host_name}",
                    name(&host_pv.metadata),
                    cluster.host_namespace,
                    cluster.host_namespace,
                ),
            ));
        }
        return Ok(MirrorDecision::ClaimedByVirtualPvc);
    }
    let host_name = name(&host_pv.metadata);
    if virtual_pv.and_then(|pv| annotation(&pv.metadata, HOST_PV_ANNOTATION)) == Some(host_name) {
        return Ok(MirrorDecision::OwnedByVirtualPv);
    }
    if options.retained_pv_mirroring == RetainedPvMirroring::Legacy {
        let retained =
            spec.and_then(|s| s.persistent_volume_reclaim_policy.as_deref()) == Some("Retain");
        let released = host_pv.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Released");
        if retained || released {
            return Ok(MirrorDecision::LegacyRetained);
        }
    }
    Ok(MirrorDecision::Unowned)
}
