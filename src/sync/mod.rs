//! Sync mode (SPEC S1-S8, H1, B1-B2, D1-D4): real host PVs are mirrored into the virtual
//! cluster with every attribute, reclaim policy included, and tenant-made PVs go to the host.
//!
//! - **S1-S5** which host PVs are mirrored ([`MirrorDecision`]); S5's evidence is the virtual
//!   PV's `vcluster.loft.sh/host-pv` **and** a claimRef that maps by N2 to the host claim.
//! - **S6-S8** the mirror: the host PV's spec, reclaim policy included; claimRef and class from
//!   the virtual PVC.
//! - **H1** a tenant's own PV goes to the host under N3 of its name; fake PVs, node volumes
//!   (without `tenantNodeVolumes: Allow`) and CSI secret annotations never do.
//! - **B1, B2** both PVs kept in step, semantically, from their last synced versions.
//! - **D1-D4** deletion, both ways.

mod bidirectional;
mod decision;
mod identity;
mod mirror;
mod pair;
mod secrets;
mod to_host;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};

pub use bidirectional::{Conflict, ConflictReason, SyncedField};
pub use decision::MirrorDecision;
pub(crate) use decision::{host_claim, mirror_decision, owns_by_evidence};
pub(crate) use identity::StorageIndex;
pub use identity::VolumeIdentity;
pub(crate) use pair::{PairFates, PairInputs, decide};
pub(crate) use to_host::host_class;

use crate::context::Context;
use crate::error::Error;
use crate::explain::Why;
use crate::object::{has_cluster_marker, is_deleting};
use crate::validate::{validate_claim_identity, validate_pv};

/// S6 on an owned host PV, as the host-only branch of [`decide`] does: the mirror to create, or
/// none.
pub(crate) fn mirror_owned(
    host: PersistentVolume,
    pvc: Option<&PersistentVolumeClaim>,
    context: &Context,
) -> Result<Option<PersistentVolume>, Error> {
    validate_pv(&host)?;
    if let Some(pvc) = pvc {
        validate_claim_identity(pvc)?;
    }
    if is_deleting(&host.metadata) || has_cluster_marker(&host.metadata, context.cluster()) {
        return Ok(None);
    }
    if !mirror_decision(&host, pvc, None, context)?.is_mirrored() {
        return Ok(None);
    }
    Ok(Some(mirror::into_mirror(
        host,
        pvc,
        None,
        context,
        &mut Why::new(false),
    )))
}

/// H1 on an owned tenant PV, as the tenant branch of [`decide`] does without a host PV: the host
/// PV to create, or none.
pub(crate) fn host_pv_owned(
    virtual_pv: PersistentVolume,
    context: &Context,
) -> Result<Option<PersistentVolume>, Error> {
    validate_pv(&virtual_pv)?;
    if is_deleting(&virtual_pv.metadata) {
        return Ok(None);
    }
    pair::host_pv_owned(virtual_pv, context)
}
