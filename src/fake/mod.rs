//! Fake mode (SPEC F1-F7): vcluster's placeholder PVs, built from the virtual PVC alone.
//!
//! A fake PV is field for field what vcluster creates (F2), including reclaim policy `Delete`
//! whatever the host says (F3, upstream issue #2098). The options of SPEC §7 are explicit ways
//! to show the truth instead: `fakeReclaimPolicy: Inherit` gives a fake PV the host PV's policy.

mod build;
mod consistency;
mod lifecycle;
mod reclaim;

use k8s_openapi::api::core::v1::PersistentVolume;

pub use lifecycle::{
    FakePvAction, claimed_volume, fake_pv_action, is_controlled_elsewhere, is_fake,
};

use crate::error::Error;
use crate::explain::{Explanation, Rule, Source, Translation};
use crate::inputs::Inputs;
use crate::mode::StorageClassMode;
use crate::object::kept_as_is;
use crate::options::FakeReclaimPolicy;
use crate::translator::Translator;
use crate::validate::validate_pvc;

/// The desired virtual PV in fake mode, explained.
///
/// - A current virtual PV labelled `controlled-by` is returned as it is (F6).
/// - A bound virtual PVC gives its fake PV (F1, F2, F3), after F7 and F4 checks.
/// - Otherwise the current virtual PV, if any, is unclaimed by the given PVC: deleted (none),
///   unless `keepUnlabeledPvs` spares it (F5).
pub(crate) fn translate(
    translator: &Translator,
    inputs: &Inputs<'_>,
) -> Result<Translation<PersistentVolume>, Error> {
    let mut why = Explanation::default();
    if let Some(current) = inputs.virtual_pv.filter(|pv| is_controlled_elsewhere(pv)) {
        why.rule(
            Rule::F6,
            "the virtual PV is labelled vcluster.loft.sh/controlled-by: never touched",
        );
        return Ok(Translation {
            desired: Some(kept_as_is(current)),
            explanation: why,
        });
    }
    let Some(pvc) = inputs.virtual_pvc else {
        let desired = unclaimed(inputs.virtual_pv, translator, &mut why);
        return Ok(Translation {
            desired,
            explanation: why,
        });
    };
    validate_pvc(pvc)?;
    let class_translated = translator.mode.storage_classes == StorageClassMode::ToHost;
    consistency::check(pvc, inputs, &translator.cluster, class_translated)?;
    let Some(volume) = claimed_volume(pvc) else {
        why.rule(
            Rule::F1,
            "the virtual PVC is not bound (no spec.volumeName): no fake PV",
        );
        let desired = unclaimed(inputs.virtual_pv, translator, &mut why);
        return Ok(Translation {
            desired,
            explanation: why,
        });
    };
    why.rule(
        Rule::F1,
        format!("the virtual PVC is bound to {volume:?}: a fake PV of that name"),
    );
    let (policy, policy_source) = reclaim::fake_reclaim_policy(
        translator.options.fake_reclaim_policy,
        inputs.host_pv,
        inputs.host_storage_class,
    )?;
    let capacity = build::fake_capacity(pvc, inputs.host_pv, &translator.options, &mut why)?;
    let pv = build::fake_pv(volume, pvc, policy, capacity, &mut why);
    let reason = match &policy_source {
        Source::Constant => {
            let mut reason =
                format!("reclaim policy {policy}, whatever the host says (vcluster #2098)");
            // Say what the host will really do when it differs: the point of issue #2098.
            // Only a note: an unreadable host field must not fail the default translation.
            let truth = reclaim::fake_reclaim_policy(
                FakeReclaimPolicy::Inherit,
                inputs.host_pv,
                inputs.host_storage_class,
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
    why.rule(Rule::F3, reason);
    why.field("spec.persistentVolumeReclaimPolicy", policy_source);
    Ok(Translation {
        desired: Some(pv),
        explanation: why,
    })
}

/// F5 for a current virtual PV that no given PVC claims.
fn unclaimed(
    current: Option<&PersistentVolume>,
    translator: &Translator,
    why: &mut Explanation,
) -> Option<PersistentVolume> {
    let pv = current?;
    if translator.options.keep_unlabeled_pvs && !is_fake(pv) {
        why.rule(
            Rule::F5,
            "unclaimed virtual PV without the fake-pv label kept (keepUnlabeledPvs)",
        );
        Some(kept_as_is(pv))
    } else {
        why.rule(
            Rule::F5,
            "no virtual PVC names the virtual PV: delete it, then remove its finalizers",
        );
        None
    }
}
