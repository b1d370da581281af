//! Sync mode (SPEC S1-S8, H1, B1-B2, D1-D4, P1-P2): real host PVs are mirrored into the
//! virtual cluster with every attribute, reclaim policy included, and tenant-made PVs and PVCs go
//! to the host.

mod bidirectional;
mod decision;
mod lifecycle;
mod mirror;
mod pvc;
mod semantic;
mod to_host;

use k8s_openapi::api::core::v1::PersistentVolume;

pub use bidirectional::{Conflict, PvPair, SyncUpdate, SyncedField, keep_in_step};
pub use decision::{MirrorDecision, mirror_decision};
pub use lifecycle::{PvAction, pv_action};
pub(crate) use pvc::host_pvc;
pub(crate) use to_host::host_pv;

use crate::error::Error;
use crate::explain::{Explanation, Input, Rule, Source, Translation};
use crate::fake::is_controlled_elsewhere;
use crate::inputs::Inputs;
use crate::object::{annotation, kept_as_is, name, pv_ref};
use crate::translator::Translator;
use crate::validate::{validate_pv, validate_pvc};
use crate::wellknown::HOST_PV_ANNOTATION;

/// Whether a virtual PV was made by the tenant (no `host-pv` annotation, SPEC H1).
pub fn is_virtual_originated(virtual_pv: &PersistentVolume) -> bool {
    annotation(&virtual_pv.metadata, HOST_PV_ANNOTATION).is_none_or(str::is_empty)
}

/// The desired virtual PV in sync mode, explained (S1-S8, with D2 and D3 for vanished or
/// terminating host PVs).
pub(crate) fn translate(
    translator: &Translator,
    inputs: &Inputs<'_>,
) -> Result<Translation<PersistentVolume>, Error> {
    let cluster = &translator.cluster;
    let mut why = Explanation::default();
    let current = inputs.virtual_pv;
    if let Some(current) = current.filter(|pv| is_controlled_elsewhere(pv)) {
        why.rule(
            Rule::F6,
            "the virtual PV is labelled vcluster.loft.sh/controlled-by: never touched",
        );
        return Ok(done(Some(kept_as_is(current)), why));
    }
    let Some(host) = inputs.host_pv else {
        return Ok(done(without_host(current, &mut why), why));
    };
    validate_pv(host)?;
    if let Some(pvc) = inputs.virtual_pvc {
        validate_pvc(pvc)?;
    }
    check_pairing(host, current, translator)?;
    if host.metadata.deletion_timestamp.is_some() {
        why.rule(
            Rule::D3,
            "the host PV is being deleted: the virtual PV goes too",
        );
        return Ok(done(None, why));
    }
    let decision = mirror_decision(
        host,
        inputs.virtual_pvc,
        current,
        cluster,
        &translator.options,
    )?;
    why.rule(decision.rule(), decision.to_string());
    // A tenant's own PV is the source of its host copy: what the host did to that copy never
    // deletes or replaces it. Only a PVC-bound mirror adopts it (a formerly fake PV, #3163).
    if let Some(pv) = current.filter(|pv| is_virtual_originated(pv))
        && !matches!(
            decision,
            MirrorDecision::VirtualOriginated | MirrorDecision::ClaimedByVirtualPvc
        )
    {
        why.rule(
            Rule::H1,
            "the current virtual PV is the tenant's own (no host-pv annotation): kept as it is",
        );
        return Ok(done(Some(kept_as_is(pv)), why));
    }
    let desired = match decision {
        MirrorDecision::VirtualOriginated => current.map(|pv| {
            why.field("status", Source::Input(Input::HostPv, "status"));
            PersistentVolume {
                status: host.status.clone(),
                ..kept_as_is(pv)
            }
        }),
        d if d.is_mirrored() => Some(mirror::mirrored_pv(
            host,
            inputs.virtual_pvc,
            current,
            cluster,
            translator.mode.storage_classes,
            &mut why,
        )),
        _ => None,
    };
    Ok(done(desired, why))
}

/// No host PV: a mirrored virtual PV goes (D2); a tenant's own PV stays, its host copy is made
/// from it (H1).
fn without_host(
    current: Option<&PersistentVolume>,
    why: &mut Explanation,
) -> Option<PersistentVolume> {
    let Some(pv) = current else {
        why.rule(Rule::S2, "no host PV: nothing to mirror");
        return None;
    };
    if is_virtual_originated(pv) {
        why.rule(
            Rule::H1,
            "a virtual-originated PV: it stays, its host PV is made from it",
        );
        Some(kept_as_is(pv))
    } else {
        why.rule(
            Rule::D2,
            "the host PV named in vcluster.loft.sh/host-pv is gone: delete the virtual PV",
        );
        None
    }
}

/// The current virtual PV must be the host PV's mirror (same name) or its source (N3 name).
fn check_pairing(
    host: &PersistentVolume,
    current: Option<&PersistentVolume>,
    translator: &Translator,
) -> Result<(), Error> {
    let Some(pv) = current else { return Ok(()) };
    let host_name = name(&host.metadata);
    let virtual_name = name(&pv.metadata);
    let paired = if is_virtual_originated(pv) {
        translator.cluster.host_name_cluster(virtual_name) == host_name || virtual_name == host_name
    } else {
        annotation(&pv.metadata, HOST_PV_ANNOTATION) == Some(host_name)
    };
    if paired {
        Ok(())
    } else {
        Err(Error::inconsistent(
            pv_ref(pv),
            "metadata",
            format!("the virtual PV is neither the mirror nor the source of host PV {host_name:?}"),
        ))
    }
}

fn done(
    desired: Option<PersistentVolume>,
    explanation: Explanation,
) -> Translation<PersistentVolume> {
    Translation {
        desired,
        explanation,
    }
}
