//! F5/F6: whether a fake PV should exist, and from which claim it is built.

use std::cmp::Ordering;
use std::collections::HashMap;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};

use crate::object::{claimed_volume, is_controlled_elsewhere, is_fake};
use crate::options::Options;

/// What the fake-PV syncer does with one PV name (SPEC F5, F6).
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum FakePvAction<'a> {
    /// No PV exists and no PVC names it: nothing to do.
    Nothing,
    /// Create the fake PV from this claim (the oldest of those that name it).
    Create {
        /// The claim the PV is built from.
        claim: &'a PersistentVolumeClaim,
    },
    /// The PV exists and is still claimed: keep it (F2 says which fields follow their sources).
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

/// Every virtual PVC, indexed once by the volume it names (F1), keeping the oldest claim of each
/// volume (F5): a resync asks for every PV name, and scanning all claims for each would cost
/// PVs x PVCs.
///
/// ```
/// # use k8s_openapi::api::core::v1::{PersistentVolumeClaim, PersistentVolumeClaimSpec};
/// use pv_translate::fake::Claims;
/// let mut pvc = PersistentVolumeClaim::default();
/// pvc.spec = Some(PersistentVolumeClaimSpec { volume_name: Some("pvc-1".into()), ..Default::default() });
/// let claims = [pvc];
/// let index = Claims::new(&claims);
/// assert!(index.oldest("pvc-1").is_some());
/// assert!(index.oldest("pvc-2").is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Claims<'a> {
    by_volume: HashMap<&'a str, &'a PersistentVolumeClaim>,
}

impl<'a> Claims<'a> {
    /// Indexes `claims` (any namespace, terminating ones included).
    pub fn new(claims: impl IntoIterator<Item = &'a PersistentVolumeClaim>) -> Self {
        let mut by_volume: HashMap<&'a str, &'a PersistentVolumeClaim> = HashMap::new();
        for claim in claims {
            let Some(volume) = claimed_volume(claim) else {
                continue;
            };
            by_volume
                .entry(volume)
                .and_modify(|oldest| {
                    if claim_order(claim, oldest) == Ordering::Less {
                        *oldest = claim;
                    }
                })
                .or_insert(claim);
        }
        Self { by_volume }
    }

    /// The oldest claim naming `volume` (F5): by `creationTimestamp` (claims without one count
    /// as newest), then namespace/name (**deviation**: vcluster takes an unspecified one).
    pub fn oldest(&self, volume: &str) -> Option<&'a PersistentVolumeClaim> {
        self.by_volume.get(volume).copied()
    }

    /// Every claimed volume name, in no particular order.
    pub fn volumes(&self) -> impl Iterator<Item = &'a str> + '_ {
        self.by_volume.keys().copied()
    }
}

/// F5/F6: decides the fate of the fake PV `pv_name`, given the current virtual PV of that name (if
/// any) and the index of all virtual PVCs.
///
/// ```
/// # use k8s_openapi::api::core::v1::{PersistentVolumeClaim, PersistentVolumeClaimSpec};
/// use pv_translate::fake::{Claims, FakePvAction, fake_pv_action};
/// use pv_translate::Options;
/// let mut pvc = PersistentVolumeClaim::default();
/// pvc.spec = Some(PersistentVolumeClaimSpec { volume_name: Some("pvc-1".into()), ..Default::default() });
/// let claims = [pvc];
/// let index = Claims::new(&claims);
/// assert_eq!(
///     fake_pv_action("pvc-1", None, &index, &Options::default()),
///     FakePvAction::Create { claim: &claims[0] },
/// );
/// assert_eq!(fake_pv_action("pvc-2", None, &index, &Options::default()), FakePvAction::Nothing);
/// ```
pub fn fake_pv_action<'a>(
    pv_name: &str,
    current: Option<&PersistentVolume>,
    claims: &Claims<'a>,
    options: &Options,
) -> FakePvAction<'a> {
    action(current, claims.oldest(pv_name), options)
}

/// F5/F6 for one PV given its oldest claim.
pub(crate) fn action<'a>(
    current: Option<&PersistentVolume>,
    oldest: Option<&'a PersistentVolumeClaim>,
    options: &Options,
) -> FakePvAction<'a> {
    if current.is_some_and(is_controlled_elsewhere) {
        return FakePvAction::Untouched;
    }
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
