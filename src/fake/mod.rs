//! Fake mode (SPEC F1-F7): vcluster's placeholder PVs, built from the virtual PVC alone.
//!
//! A fake PV is field for field what vcluster creates (F2), including reclaim policy `Delete`
//! whatever the host says (F3, upstream issue #2098). The options are explicit ways to show the
//! truth instead: `fakeReclaimPolicy: Inherit` gives a fake PV the host PV's policy.
//!
//! - **F1** A PVC is bound when its `spec.volumeName` is set; the fake PV takes that name.
//! - **F2** The fake PV: label `vcluster.loft.sh/fake-pv: "true"`, the three fake annotations,
//!   `flexVolume: {driver: fake}`, the PVC's requests as capacity, its access and volume modes,
//!   a claimRef to it, its class (`""` when none), phase `Bound`. Once created it is left as it
//!   is, except its reclaim policy and (with `fakeCapacity: HostPv`) its capacity, which follow
//!   their sources, and its quantities, which are canonical.
//! - **F3** Reclaim policy `Delete` (vcluster); option `fakeReclaimPolicy` changes only this.
//! - **F4** The host PV and class given must be the PVC's own.
//! - **F5** A fake PV exists exactly while a PVC names it; the oldest claim builds it.
//! - **F6** A PV labelled `vcluster.loft.sh/controlled-by` is never touched.
//! - **F7** Invalid PVCs are errors; so is a translation given neither a PVC nor a PV.

mod build;
mod consistency;
mod lifecycle;
mod reclaim;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;

pub use lifecycle::{Claims, FakePvAction, fake_pv_action};

use crate::canonical;
use crate::context::Context;
use crate::error::Error;
use crate::explain::{Rule, Source, Why};
use crate::fate::Fate;
use crate::object::{claimed_volume, is_controlled_elsewhere, is_fake, kept_as_is};
use crate::options::{FakeCapacity, FakeReclaimPolicy};
use crate::validate::{validate_claim_identity, validate_pvc};

/// What fake mode knows about one PV name.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct FakeInputs<'a> {
    /// The claim of the PV: the given virtual PVC (the oldest that names it, F5).
    pub(crate) claim: Option<&'a PersistentVolumeClaim>,
    /// The current virtual PV, if any.
    pub(crate) current: Option<&'a PersistentVolume>,
    /// The host PV the claim is bound to, when known (only read by options).
    pub(crate) host_pv: Option<&'a PersistentVolume>,
    /// The host StorageClass of the claim, when known (only read by options).
    pub(crate) host_class: Option<&'a StorageClass>,
}

/// F1-F7: the fate of the virtual PV in fake mode.
///
/// # Errors
///
/// F7: neither a claim nor a current PV, or an invalid claim. F4: host objects or a current PV
/// that are not the claim's. F3: an invalid reclaim policy read by an option.
pub(crate) fn decide(
    inputs: &FakeInputs<'_>,
    context: &Context,
    why: &mut Why,
) -> Result<Fate<PersistentVolume>, Error> {
    if let Some(current) = inputs.current
        && is_controlled_elsewhere(current)
    {
        why.rule(
            Rule::F6,
            "the virtual PV is labelled vcluster.loft.sh/controlled-by: never touched",
        );
        return Ok(Fate::Untouched);
    }
    let Some(pvc) = inputs.claim else {
        let Some(current) = inputs.current else {
            return Err(Error::MissingInput {
                input: "virtualPvc",
                reason: "a fake-mode translation needs the virtual PVC or the current virtual PV \
                         (SPEC F7): without either, none would mean \"delete the PV\""
                    .to_owned(),
            });
        };
        return Ok(unclaimed(current, context, why));
    };
    validate_claim_identity(pvc)?;
    consistency::check(
        pvc,
        inputs.host_pv,
        inputs.host_class,
        inputs.current,
        context,
    )?;
    let Some(volume) = claimed_volume(pvc) else {
        why.rule(
            Rule::F1,
            "the virtual PVC is not bound (no spec.volumeName): no fake PV",
        );
        return Ok(match inputs.current {
            Some(current) => unclaimed(current, context, why),
            None => Fate::deleted(),
        });
    };
    // F7: only a bound PVC builds a PV, so only then must it be a valid one.
    validate_pvc(pvc)?;
    why.rule(Rule::F1, || {
        format!("the virtual PVC is bound to {volume:?}: a fake PV of that name")
    });
    let (policy, policy_source) = reclaim::fake_reclaim_policy(
        context.options().fake_reclaim_policy,
        inputs.host_pv,
        inputs.host_class,
    )?;
    explain_policy(policy, &policy_source, inputs, why);
    match inputs.current {
        Some(current) if is_fake(current) => {
            why.rule(
                Rule::F2,
                "the fake PV exists and is still claimed: left as it is (claimRef as of \
                 creation), except what follows its source",
            );
            let mut pv = kept_as_is(current);
            let spec = pv.spec.get_or_insert_with(Default::default);
            spec.persistent_volume_reclaim_policy = Some(policy.as_str().to_owned());
            if context.options().fake_capacity == FakeCapacity::HostPv {
                spec.capacity = Some(build::fake_capacity(
                    pvc,
                    inputs.host_pv,
                    context.options(),
                    why,
                )?);
            } else {
                why.field("spec.capacity", Source::Kept);
            }
            canonical::capacity(&mut spec.capacity);
            why.field("spec.persistentVolumeReclaimPolicy", policy_source);
            Ok(Fate::Desired(pv))
        }
        Some(_) => {
            why.rule(
                Rule::F5,
                "a PV the tenant made is claimed by the PVC: kept as it is",
            );
            Ok(Fate::Untouched)
        }
        None => {
            let capacity = build::fake_capacity(pvc, inputs.host_pv, context.options(), why)?;
            let pv = build::fake_pv(volume, pvc, policy, capacity, why);
            why.field("spec.persistentVolumeReclaimPolicy", policy_source);
            Ok(Fate::Desired(pv))
        }
    }
}

/// F3's explanation: the policy, and what the host will really do when the fake PV says
/// otherwise (the point of upstream issue #2098). Only a note: an unreadable host field must not
/// fail the default translation.
fn explain_policy(
    policy: crate::reclaim::ReclaimPolicy,
    source: &Source,
    inputs: &FakeInputs<'_>,
    why: &mut Why,
) {
    if !why.is_on() {
        return;
    }
    let reason = match source {
        Source::Constant => {
            let mut reason =
                format!("reclaim policy {policy}, whatever the host says (vcluster #2098)");
            let truth = reclaim::fake_reclaim_policy(
                FakeReclaimPolicy::Inherit,
                inputs.host_pv,
                inputs.host_class,
            )
            .ok()
            .map(|(truth, _)| truth);
            if let Some(truth) = truth.filter(|truth| *truth != policy) {
                reason.push_str(&format!(
                    "; the host will {truth} the volume (fakeReclaimPolicy: Inherit shows it)"
                ));
            }
            reason
        }
        other => format!("reclaim policy {policy} ({other})"),
    };
    why.rule(Rule::F3, move || reason);
}

/// F5 for a current virtual PV that no given PVC claims.
fn unclaimed(
    current: &PersistentVolume,
    context: &Context,
    why: &mut Why,
) -> Fate<PersistentVolume> {
    match lifecycle::action(Some(current), None, context.options()) {
        FakePvAction::KeepUnlabeled => {
            why.rule(
                Rule::F5,
                "unclaimed virtual PV without the fake-pv label kept (keepUnlabeledPvs)",
            );
            Fate::Untouched
        }
        _ => {
            why.rule(
                Rule::F5,
                "no virtual PVC names the virtual PV: delete it, then remove its finalizers",
            );
            Fate::deleted()
        }
    }
}
