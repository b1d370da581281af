//! D1-D4: what the sync-mode PV syncer does with one pair of virtual and host PVs.

use std::fmt;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};

use crate::error::Error;
use crate::explain::Rule;
use crate::fake::is_controlled_elsewhere;
use crate::object::label;
use crate::sync::{MirrorDecision, is_virtual_originated, mirror_decision};
use crate::translator::Translator;
use crate::wellknown::MANAGED_BY_LABEL;

/// The syncer's next step for one PV pair in sync mode (SPEC D1-D4, with S1-S5 and H1 for
/// creation).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum PvAction {
    /// Nothing exists, or nothing is to be shown: no action.
    Nothing,
    /// Both exist and neither is going: keep them in step (B1, B2).
    KeepInStep,
    /// The host PV is mirrored and has no virtual PV yet: create it (S4, S5).
    CreateVirtualPv,
    /// A virtual-originated PV has no host PV yet: create it (H1).
    CreateHostPv,
    /// Delete the host PV object (D1: the virtual PV is being deleted; D4: the virtual source
    /// of a virtual-originated host PV is gone).
    DeleteHostPv {
        /// D1 or D4.
        rule: Rule,
    },
    /// D1 exception: the virtual PV is being deleted while bound with reclaim policy `Delete`;
    /// the host's PV controller reclaims the volume once the host PVC is gone. Deleting the PV
    /// object now would orphan the disk.
    WaitForHostReclaim,
    /// Delete the virtual PV, then remove its finalizers (D2: host PV gone; D3: host PV being
    /// deleted; S3: the host PV's claim is outside `H`).
    DeleteVirtualPv {
        /// D2, D3 or S3.
        rule: Rule,
    },
}

impl fmt::Display for PvAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Nothing => f.write_str("nothing to do"),
            Self::KeepInStep => f.write_str("keep both PVs in step"),
            Self::CreateVirtualPv => f.write_str("create the virtual PV"),
            Self::CreateHostPv => f.write_str("create the host PV"),
            Self::DeleteHostPv { rule } => write!(f, "delete the host PV ({rule})"),
            Self::WaitForHostReclaim => f.write_str(
                "wait: the host reclaims the bound Delete volume once its PVC is gone (D1)",
            ),
            Self::DeleteVirtualPv { rule } => {
                write!(
                    f,
                    "delete the virtual PV, then remove its finalizers ({rule})"
                )
            }
        }
    }
}

/// D1-D4: decides what happens to a virtual PV and its host PV, given whichever of them exist
/// and the virtual PVC, if any.
///
/// Without history the crate cannot tell a virtual-originated PV whose host PV vanished from
/// one whose host PV was never made: both give [`PvAction::CreateHostPv`].
pub fn pv_action(
    virtual_pv: Option<&PersistentVolume>,
    host_pv: Option<&PersistentVolume>,
    virtual_pvc: Option<&PersistentVolumeClaim>,
    translator: &Translator,
) -> Result<PvAction, Error> {
    let deleting = |pv: &PersistentVolume| pv.metadata.deletion_timestamp.is_some();
    Ok(match (virtual_pv, host_pv) {
        (None, None) => PvAction::Nothing,
        // F6: handed to another controller; the PV syncer leaves both sides alone.
        (Some(v), _) if is_controlled_elsewhere(v) => PvAction::Nothing,
        (Some(v), Some(h)) if deleting(v) && !deleting(h) => on_virtual_deletion(v),
        (Some(_), Some(h)) if deleting(h) => PvAction::DeleteVirtualPv { rule: Rule::D3 },
        (Some(v), None) if deleting(v) || !is_virtual_originated(v) => {
            PvAction::DeleteVirtualPv { rule: Rule::D2 }
        }
        (Some(_), None) => PvAction::CreateHostPv,
        (None, Some(h)) if deleting(h) => PvAction::Nothing,
        (None, Some(h)) if is_marked_by_us(h, translator) => {
            PvAction::DeleteHostPv { rule: Rule::D4 }
        }
        (None, Some(h)) => {
            let decision = mirror_decision(
                h,
                virtual_pvc,
                None,
                &translator.cluster,
                &translator.options,
            )?;
            if decision.is_mirrored() {
                PvAction::CreateVirtualPv
            } else {
                PvAction::Nothing
            }
        }
        (Some(v), Some(h)) => {
            let decision = mirror_decision(
                h,
                virtual_pvc,
                Some(v),
                &translator.cluster,
                &translator.options,
            )?;
            match decision {
                d if d.is_mirrored() => PvAction::KeepInStep,
                // A tenant's own PV is never deleted because of what the host did to its copy.
                _ if is_virtual_originated(v) => PvAction::Nothing,
                MirrorDecision::ForeignNamespace { .. } => {
                    PvAction::DeleteVirtualPv { rule: Rule::S3 }
                }
                d => PvAction::DeleteVirtualPv { rule: d.rule() },
            }
        }
    })
}

/// D1: delete the host PV, except when bound with reclaim policy `Delete` (wait instead).
fn on_virtual_deletion(virtual_pv: &PersistentVolume) -> PvAction {
    let spec = virtual_pv.spec.as_ref();
    let bound = spec.is_some_and(|s| s.claim_ref.is_some());
    let delete_policy =
        spec.and_then(|s| s.persistent_volume_reclaim_policy.as_deref()) == Some("Delete");
    if bound && delete_policy {
        PvAction::WaitForHostReclaim
    } else {
        PvAction::DeleteHostPv { rule: Rule::D1 }
    }
}

/// Whether a host PV carries this virtual cluster's marker (N4): made from a virtual PV.
fn is_marked_by_us(host_pv: &PersistentVolume, translator: &Translator) -> bool {
    label(&host_pv.metadata, MANAGED_BY_LABEL) == Some(translator.cluster.cluster_marker().as_str())
}
