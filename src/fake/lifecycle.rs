//! F5/F6: whether a fake PV should exist, and from which claim it is built.

use std::cmp::Ordering;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};

use crate::object::label;
use crate::options::Options;
use crate::wellknown::{CONTROLLED_BY_LABEL, FAKE_PV_LABEL};

/// What the fake-PV syncer does with one PV name (SPEC F5, F6).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FakePvAction<'a> {
    /// No PV exists and no PVC names it: nothing to do.
    Nothing,
    /// Create the fake PV from this claim (the oldest of those that name it).
    Create {
        /// The claim the PV is built from.
        claim: &'a PersistentVolumeClaim,
    },
    /// The PV exists and is still claimed: leave it as it is (vcluster never updates a fake PV).
    Keep {
        /// The claim that keeps it (the oldest of those that name it).
        claim: &'a PersistentVolumeClaim,
    },
    /// The PV exists, no PVC names it, and `keepUnlabeledPvs` spares it: it has no fake-pv label.
    KeepUnlabeled,
    /// Delete the PV, then remove its finalizers (it would stay `Terminating` otherwise).
    Delete,
    /// The PV is labelled `vcluster.loft.sh/controlled-by`: never touched (F6).
    Untouched,
}

/// F5/F6: decides the fate of the fake PV `pv_name`, given the current virtual PV of that name (if
/// any) and all virtual PVCs (any namespace, terminating ones included).
///
/// When several PVCs name the PV, the oldest by `creationTimestamp` wins, then by
/// namespace/name; PVCs without a timestamp count as newest (**deviation**: vcluster takes an
/// unspecified one).
///
/// ```
/// # use k8s_openapi::api::core::v1::{PersistentVolumeClaim, PersistentVolumeClaimSpec};
/// use pv_translate::fake::{fake_pv_action, FakePvAction};
/// use pv_translate::Options;
/// let mut pvc = PersistentVolumeClaim::default();
/// pvc.spec = Some(PersistentVolumeClaimSpec { volume_name: Some("pvc-1".into()), ..Default::default() });
/// let claims = [pvc];
/// assert_eq!(
///     fake_pv_action("pvc-1", None, &claims, &Options::default()),
///     FakePvAction::Create { claim: &claims[0] },
/// );
/// assert_eq!(fake_pv_action("pvc-2", None, &claims, &Options::default()), FakePvAction::Nothing);
/// ```
pub fn fake_pv_action<'a>(
    pv_name: &str,
    current: Option<&PersistentVolume>,
    claims: impl IntoIterator<Item = &'a PersistentVolumeClaim>,
    options: &Options,
) -> FakePvAction<'a> {
    if current.is_some_and(is_controlled_elsewhere) {
        return FakePvAction::Untouched;
    }
    let oldest = claims
        .into_iter()
        .filter(|pvc| claimed_volume(pvc) == Some(pv_name))
        .min_by(|a, b| claim_order(a, b));
    match (current, oldest) {
        (None, None) => FakePvAction::Nothing,
        (None, Some(claim)) => FakePvAction::Create { claim },
        (Some(_), Some(claim)) => FakePvAction::Keep { claim },
        (Some(pv), None) if options.keep_unlabeled_pvs && !is_fake(pv) => {
            FakePvAction::KeepUnlabeled
        }
        (Some(_), None) => FakePvAction::Delete,
    }
}

/// The PV a PVC is bound to (F1): its non-empty `spec.volumeName`.
pub fn claimed_volume(pvc: &PersistentVolumeClaim) -> Option<&str> {
    pvc.spec
        .as_ref()
        .and_then(|s| s.volume_name.as_deref())
        .filter(|name| !name.is_empty())
}

/// Whether a PV carries the fake-pv label with value `"true"`.
pub fn is_fake(pv: &PersistentVolume) -> bool {
    label(&pv.metadata, FAKE_PV_LABEL) == Some("true")
}

/// F6: whether a PV is labelled `vcluster.loft.sh/controlled-by` with a non-empty value (an
/// empty value does not count, as in vcluster).
pub fn is_controlled_elsewhere(pv: &PersistentVolume) -> bool {
    label(&pv.metadata, CONTROLLED_BY_LABEL).is_some_and(|owner| !owner.is_empty())
}

/// Oldest first; unknown age last; then namespace, then name.
fn claim_order(a: &PersistentVolumeClaim, b: &PersistentVolumeClaim) -> Ordering {
    let age = |pvc: &PersistentVolumeClaim| pvc.metadata.creation_timestamp.as_ref().map(|t| t.0);
    let by_age = match (age(a), age(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    };
    by_age
        .then_with(|| a.metadata.namespace.cmp(&b.metadata.namespace))
        .then_with(|| a.metadata.name.cmp(&b.metadata.name))
}
