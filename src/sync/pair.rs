//! The sync-mode PV syncer for one pair of virtual and host PV (SPEC S1-S8, H1, B1-B2, D1-D4,
//! C3): the one implementation behind every entry point (the single-object translations,
//! `keep_in_step`, `pv_action` and the whole-cluster plan).
//!
//! A pair is found from either side: a mirror names its host PV in `vcluster.loft.sh/host-pv`,
//! a tenant's own PV has its host copy under N3 of its name, a fake PV left from fake mode pairs
//! with the host PV of its own name.

use std::borrow::Cow;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec};
use k8s_openapi::api::storage::v1::StorageClass;

use super::bidirectional::{Conflict, ConflictReason, Side, immutable_difference, keep_in_step};
use super::decision::{MirrorDecision, host_claim, mirror_decision, provisioned_for_claim};
use super::mirror::{into_mirror, mirror_parts};
use super::to_host::{ToHost, host_pv};
use crate::context::Context;
use crate::error::Error;
use crate::explain::{Rule, Why};
use crate::fate::Fate;
use crate::object::{
    VirtualPvKind, has_cluster_marker, is_deleting, is_made_from, name, name_error, pv_class,
    pv_ref, virtual_pv_kind,
};
use crate::storage_class::class_limit_reason;
use crate::validate::{validate_claim_identity, validate_pv};

/// What the syncer knows about one pair.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct PairInputs<'a> {
    /// The virtual PV, if it exists.
    pub(crate) virtual_pv: Option<&'a PersistentVolume>,
    /// The host PV, if it exists.
    pub(crate) host_pv: Option<&'a PersistentVolume>,
    /// The virtual PV at the last settled sync (R2), if known.
    pub(crate) last_virtual_pv: Option<&'a PersistentVolume>,
    /// The host PV at the last settled sync (R2), if known: D2 reads it.
    pub(crate) last_host_pv: Option<&'a PersistentVolume>,
    /// The virtual PVC whose host copy the host PV's claim names (S4), if it exists.
    pub(crate) virtual_pvc: Option<&'a PersistentVolumeClaim>,
    /// The host copy of that virtual PVC (N2 in `H`), if it exists: T3 reads its uid.
    pub(crate) host_pvc: Option<&'a PersistentVolumeClaim>,
    /// The host StorageClass named by a tenant PV's class, if it exists (C3).
    pub(crate) host_class: Option<&'a StorageClass>,
    /// A host PV other than a tenant PV's own copy whose source names the same storage (T2),
    /// when the caller knows one (the plan does, from the snapshot).
    pub(crate) same_storage: Option<&'a str>,
}

/// The fates of both PVs of a pair.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PairFates {
    /// The virtual PV's.
    pub(crate) virtual_pv: Fate<PersistentVolume>,
    /// The host PV's.
    pub(crate) host_pv: Fate<PersistentVolume>,
    /// B1 conflicts (`conflicts: Report`).
    pub(crate) conflicts: Vec<Conflict>,
}

impl PairFates {
    fn new(virtual_pv: Fate<PersistentVolume>, host_pv: Fate<PersistentVolume>) -> Self {
        Self {
            virtual_pv,
            host_pv,
            conflicts: Vec::new(),
        }
    }

    fn nothing() -> Self {
        Self::new(Fate::Untouched, Fate::Untouched)
    }
}

/// Decides both PVs of a pair.
///
/// # Errors
///
/// An invalid PV or PVC (F7, I7); objects that are not one pair; a PVC that is not the host
/// PV's claim (S4); a non-ASCII name (N1).
pub(crate) fn decide(
    inputs: &PairInputs<'_>,
    context: &Context,
    why: &mut Why,
) -> Result<PairFates, Error> {
    if let Some(pv) = inputs.virtual_pv {
        validate_pv(pv)?;
    }
    if let Some(pv) = inputs.host_pv {
        validate_pv(pv)?;
    }
    if let Some(pvc) = inputs.virtual_pvc {
        validate_claim_identity(pvc)?;
    }
    match (inputs.virtual_pv, inputs.host_pv) {
        (None, None) => {
            why.rule(Rule::S2, "neither PV exists: nothing to do");
            Ok(PairFates::nothing())
        }
        (Some(virtual_pv), host) => {
            check_pairing(virtual_pv, host, context)?;
            match virtual_pv_kind(virtual_pv) {
                VirtualPvKind::Fake => fake_leftover(virtual_pv, host, inputs, context, why),
                VirtualPvKind::Mirror(_) => mirror_pair(virtual_pv, host, inputs, context, why),
                VirtualPvKind::TenantMade if is_namesake(virtual_pv, host, context) => {
                    lost_annotation(virtual_pv, host, inputs, context, why)
                }
                VirtualPvKind::TenantMade => tenant_pair(virtual_pv, host, inputs, context, why),
            }
        }
        (None, Some(host)) => host_only(host, inputs, context, why),
    }
}

/// T2: a virtual PV without `host-pv` given with a host PV of its own name that this virtual
/// cluster did not make: a mirror whose annotation is gone, never a tenant's own PV.
fn is_namesake(
    virtual_pv: &PersistentVolume,
    host: Option<&PersistentVolume>,
    context: &Context,
) -> bool {
    host.is_some_and(|host| {
        name(&host.metadata) == name(&virtual_pv.metadata)
            && !has_cluster_marker(&host.metadata, context.cluster())
    })
}

/// T2: a mirror whose `vcluster.loft.sh/host-pv` the tenant removed is still the mirror of the
/// host PV of its name: made the mirror again (the annotation restored), deleted when the host PV
/// is being deleted (D3); never sent to the host as the tenant's own (a second PV of the same
/// disk). Nothing is written to the host PV.
///
/// # Errors
///
/// The host PV is not mirrored for this virtual cluster: the two are not a pair (the plan pairs a
/// virtual PV with the host PV of its name only when it is).
fn lost_annotation(
    virtual_pv: &PersistentVolume,
    host: Option<&PersistentVolume>,
    inputs: &PairInputs<'_>,
    context: &Context,
    why: &mut Why,
) -> Result<PairFates, Error> {
    let Some(host) = host else {
        return Ok(PairFates::nothing());
    };
    let decision = mirror_decision(host, inputs.virtual_pvc, None, context)?;
    if !decision.is_mirrored() {
        // Not this virtual cluster's mirror: a tenant PV of the same name as some host PV,
        // which is not its pair.
        return Err(Error::inconsistent(
            pv_ref(virtual_pv),
            "metadata",
            format!(
                "the virtual PV is neither the mirror nor the source of host PV {:?}",
                name(&host.metadata)
            ),
        ));
    }
    why.rule(decision.rule(), || decision.to_string());
    if !is_deleting(&host.metadata) {
        why.rule(
            Rule::T2,
            "a virtual PV of the host PV's name without vcluster.loft.sh/host-pv is its mirror, \
             never a tenant's own PV: the mirror is made again",
        );
        let mirror = into_mirror(
            mirror_parts(host),
            inputs.virtual_pvc,
            Some(virtual_pv),
            context,
            why,
        );
        return Ok(PairFates::new(
            mirror_fate(Some(virtual_pv), mirror),
            Fate::Untouched,
        ));
    }
    why.rule(
        Rule::D3,
        "the host PV is being deleted: its mirror, whose vcluster.loft.sh/host-pv is gone, goes \
         too",
    );
    Ok(PairFates::new(Fate::deleted(), Fate::Untouched))
}

/// The virtual PV must be the host PV's mirror (its `host-pv`), its source (N3 of its name), or
/// a fake PV of the same name, or (T2) a tenant PV of the same name (a mirror that lost its
/// annotation).
fn check_pairing(
    virtual_pv: &PersistentVolume,
    host: Option<&PersistentVolume>,
    context: &Context,
) -> Result<(), Error> {
    let Some(host) = host else { return Ok(()) };
    let host_name = name(&host.metadata);
    let virtual_name = name(&virtual_pv.metadata);
    let paired = match virtual_pv_kind(virtual_pv) {
        VirtualPvKind::Mirror(named) => named == host_name,
        VirtualPvKind::Fake => virtual_name == host_name,
        VirtualPvKind::TenantMade => {
            virtual_name == host_name
                || context
                    .cluster()
                    .host_name_cluster(virtual_name)
                    .map_err(name_error(pv_ref(virtual_pv), "metadata.name"))?
                    == host_name
        }
    };
    if paired {
        Ok(())
    } else {
        Err(Error::inconsistent(
            pv_ref(virtual_pv),
            "metadata",
            format!("the virtual PV is neither the mirror nor the source of host PV {host_name:?}"),
        ))
    }
}

/// H1 0.2: a fake PV left from fake mode is never sent to the host; it is replaced by the
/// mirror of the host PV of its name when that one is mirrored, or deleted.
fn fake_leftover(
    virtual_pv: &PersistentVolume,
    host: Option<&PersistentVolume>,
    inputs: &PairInputs<'_>,
    context: &Context,
    why: &mut Why,
) -> Result<PairFates, Error> {
    if let Some(host) = host.filter(|h| !is_deleting(&h.metadata)) {
        let decision = mirror_decision(host, inputs.virtual_pvc, None, context)?;
        if decision.is_mirrored() && decision != MirrorDecision::VirtualOriginated {
            why.rule(decision.rule(), || decision.to_string());
            why.rule(
                Rule::H1,
                "a fake PV left from fake mode: replaced by the mirror of the host PV of its name",
            );
            let mirror = into_mirror(
                mirror_parts(host),
                inputs.virtual_pvc,
                Some(virtual_pv),
                context,
                why,
            );
            return Ok(PairFates::new(
                mirror_fate(Some(virtual_pv), mirror),
                Fate::Untouched,
            ));
        }
    }
    why.rule(
        Rule::H1,
        "a fake PV left from fake mode is never sent to the host, and no host PV of its name is \
         mirrored: deleted",
    );
    Ok(PairFates::new(Fate::deleted(), Fate::Untouched))
}

/// A mirror and its host PV: S1-S8 with the ownership evidence of S5, B1-B2, D1-D3.
fn mirror_pair(
    virtual_pv: &PersistentVolume,
    host: Option<&PersistentVolume>,
    inputs: &PairInputs<'_>,
    context: &Context,
    why: &mut Why,
) -> Result<PairFates, Error> {
    let Some(host) = host else {
        why.rule(
            Rule::D2,
            "the host PV named in vcluster.loft.sh/host-pv is gone: delete the virtual PV, then \
             remove its finalizers",
        );
        return Ok(PairFates::new(Fate::deleted(), Fate::Untouched));
    };
    // Every later step trusts the pairing, so the evidence comes first (S5 0.2): a forged
    // `host-pv` never reaches D1 or B1.
    let decision = mirror_decision(host, inputs.virtual_pvc, Some(virtual_pv), context)?;
    why.rule(decision.rule(), || decision.to_string());
    // Legacy mirroring shows a retained host PV under its own name (S6); a virtual PV of another
    // name that points at it is a tenant's, and the option is no licence to write through it.
    let legacy_impostor = decision == MirrorDecision::LegacyRetained
        && name(&virtual_pv.metadata) != name(&host.metadata);
    if !decision.is_mirrored() || decision == MirrorDecision::VirtualOriginated || legacy_impostor {
        why.rule(decision.rule(), || {
            format!(
                "the virtual PV's vcluster.loft.sh/host-pv names {:?}, which it does not mirror: \
                 the virtual PV is deleted, the host PV never touched",
                name(&host.metadata)
            )
        });
        return Ok(PairFates::new(Fate::deleted(), Fate::Untouched));
    }
    if is_deleting(&host.metadata) {
        why.rule(
            Rule::D3,
            "the host PV is being deleted: the virtual PV goes too",
        );
        return Ok(PairFates::new(Fate::deleted(), Fate::Untouched));
    }
    let writable = decision != MirrorDecision::LegacyRetained
        && provisioned_for_claim(host, inputs.virtual_pvc, inputs.host_pvc, context.cluster());
    if !writable {
        return Ok(read_only(virtual_pv, host, inputs, decision, context, why));
    }
    if is_deleting(&virtual_pv.metadata) {
        return Ok(on_virtual_deletion(virtual_pv, why));
    }
    let synced = keep_in_step(
        Side {
            last: inputs.last_virtual_pv,
            now: virtual_pv,
        },
        Side {
            last: inputs.last_host_pv,
            now: host,
        },
        inputs.virtual_pvc,
        false,
        context,
        why,
    )?;
    Ok(in_step(synced, virtual_pv, true))
}

/// T3: a mirror of a host PV that was not provisioned for this tenant's claim (an admin's
/// static PV the claim bound, a retained PV whose claim is gone, a mirror shown by
/// `retainedPvMirroring: Legacy`) is read-only: the virtual PV shows the host PV as it is
/// (the tenant's edits are undone), deleting it deletes only the tenant's view, and nothing is
/// ever written to the host PV.
fn read_only(
    virtual_pv: &PersistentVolume,
    host: &PersistentVolume,
    inputs: &PairInputs<'_>,
    decision: MirrorDecision,
    context: &Context,
    why: &mut Why,
) -> PairFates {
    let whose = if decision == MirrorDecision::LegacyRetained {
        "shown by retainedPvMirroring: Legacy"
    } else {
        "not provisioned for this tenant's claim (claimRef, uid and the name pvc-<host PVC uid>)"
    };
    if is_deleting(&virtual_pv.metadata) {
        why.rule(Rule::T3, move || {
            format!(
                "the host PV is {whose}: deleting its mirror deletes only the tenant's view,                  never the host PV"
            )
        });
        return PairFates::new(Fate::deleted(), Fate::Untouched);
    }
    why.rule(Rule::T3, move || {
        format!(
            "the host PV is {whose}: its mirror is read-only, it shows the host PV as it is and \
             nothing is written to the host"
        )
    });
    let mut mirror = into_mirror(
        mirror_parts(host),
        inputs.virtual_pvc,
        Some(virtual_pv),
        context,
        why,
    );
    // The view is the tenant's PV of its own name (S5's evidence does not need the host's).
    mirror.metadata.name.clone_from(&virtual_pv.metadata.name);
    PairFates::new(mirror_fate(Some(virtual_pv), mirror), Fate::Untouched)
}

/// A tenant's own PV and its host copy: H1, C3, B1-B2, D1-D3, with R5 before any host write.
fn tenant_pair(
    virtual_pv: &PersistentVolume,
    host: Option<&PersistentVolume>,
    inputs: &PairInputs<'_>,
    context: &Context,
    why: &mut Why,
) -> Result<PairFates, Error> {
    if let Some(reason) = class_limit_reason(pv_class(virtual_pv), inputs.host_class, context)? {
        let reason: Cow<'static, str> = Cow::Owned(format!(
            "did not sync persistent volume {:?} to host because {reason}",
            name(&virtual_pv.metadata)
        ));
        why.rule(Rule::C3, {
            let reason = reason.clone();
            move || reason.into_owned()
        });
        let wait = || Fate::Wait {
            rule: Rule::C3,
            reason: reason.clone(),
        };
        return Ok(PairFates::new(wait(), wait()));
    }
    let Some(host) = host else {
        return tenant_without_host(virtual_pv, inputs, context, why);
    };
    let cluster = context.cluster();
    // R5: the host PV under N3 of the tenant's name must have been made from this very PV.
    if !is_made_from(
        &host.metadata,
        cluster.cluster_marker(),
        name(&virtual_pv.metadata),
        None,
    ) {
        let reason = format!(
            "host PV {:?} does not carry this virtual cluster's marker and object-name {:?}: \
             it is not this tenant PV's copy, nothing is written",
            name(&host.metadata),
            name(&virtual_pv.metadata)
        );
        why.rule(Rule::R5, {
            let reason = reason.clone();
            move || reason
        });
        return Ok(PairFates::new(
            Fate::Untouched,
            Fate::Conflict {
                rule: Rule::R5,
                reason: Cow::Owned(reason),
            },
        ));
    }
    if let Some(namespace) = foreign_claim(host, context) {
        let reason = format!(
            "host PV {:?}, made from this tenant PV, is claimed in namespace {namespace:?}, not \
             this virtual cluster's: nothing of it reaches the tenant and nothing is written to \
             it",
            name(&host.metadata)
        );
        why.rule(Rule::S3, {
            let reason = reason.clone();
            move || reason
        });
        return Ok(PairFates::new(
            Fate::Untouched,
            Fate::Conflict {
                rule: Rule::S3,
                reason: Cow::Owned(reason),
            },
        ));
    }
    if let Some(conflict) = same_storage(virtual_pv, inputs, why) {
        return Ok(PairFates::new(Fate::Untouched, conflict));
    }
    if is_deleting(&host.metadata) {
        why.rule(
            Rule::D3,
            "the host copy of a tenant's own PV is being deleted: the tenant PV waits for it to \
             go (D2)",
        );
        let wait = Fate::Wait {
            rule: Rule::D3,
            reason: Cow::Borrowed("the host PV is being deleted"),
        };
        return Ok(PairFates::new(wait, Fate::Untouched));
    }
    if is_deleting(&virtual_pv.metadata) {
        return Ok(on_virtual_deletion(virtual_pv, why));
    }
    let synced = keep_in_step(
        Side {
            last: inputs.last_virtual_pv,
            now: virtual_pv,
        },
        Side {
            last: inputs.last_host_pv,
            now: host,
        },
        inputs.virtual_pvc,
        true,
        context,
        why,
    )?;
    Ok(in_step(synced, virtual_pv, false))
}

/// A tenant's own PV without its host copy: D2 when it is going or the copy was seen before,
/// else H1 makes the copy.
fn tenant_without_host(
    virtual_pv: &PersistentVolume,
    inputs: &PairInputs<'_>,
    context: &Context,
    why: &mut Why,
) -> Result<PairFates, Error> {
    if is_deleting(&virtual_pv.metadata) {
        why.rule(
            Rule::D2,
            "a tenant's own PV being deleted, without a host PV: delete it, then remove its \
             finalizers",
        );
        return Ok(PairFates::new(Fate::deleted(), Fate::Untouched));
    }
    if inputs.last_host_pv.is_some() {
        why.rule(
            Rule::D2,
            "the host copy of a tenant's own PV was seen and is gone: delete the virtual PV, \
             then remove its finalizers",
        );
        return Ok(PairFates::new(Fate::deleted(), Fate::Untouched));
    }
    if let Some(conflict) = same_storage(virtual_pv, inputs, why) {
        return Ok(PairFates::new(Fate::Untouched, conflict));
    }
    Ok(match host_pv(virtual_pv, context, why)? {
        ToHost::Sent(host) => PairFates::new(Fate::Untouched, Fate::Desired(host)),
        ToHost::NotSent => PairFates::new(Fate::Untouched, Fate::removed()),
        ToHost::Refused(rule, reason) => PairFates::new(
            Fate::Untouched,
            Fate::Conflict {
                rule,
                reason: Cow::Owned(reason),
            },
        ),
    })
}

/// T2: one disk, one PV: a tenant PV whose source names the storage of a host PV that is not
/// its own copy is never written to the host.
fn same_storage(
    virtual_pv: &PersistentVolume,
    inputs: &PairInputs<'_>,
    why: &mut Why,
) -> Option<Fate<PersistentVolume>> {
    let other = inputs.same_storage?;
    let reason = format!(
        "the tenant PV {:?} names the storage of host PV {other:?}, which is not its own copy: \
         one disk, one PV; nothing is written to the host",
        name(&virtual_pv.metadata)
    );
    why.rule(Rule::T2, {
        let reason = reason.clone();
        move || reason
    });
    Some(Fate::Conflict {
        rule: Rule::T2,
        reason: Cow::Owned(reason),
    })
}

/// [`tenant_without_host`]'s H1 on an owned PV (no last snapshot): the host PV, or none.
pub(crate) fn host_pv_owned(
    virtual_pv: PersistentVolume,
    context: &Context,
) -> Result<Option<PersistentVolume>, Error> {
    if let Some(_reason) = class_limit_reason(pv_class(&virtual_pv), None, context)? {
        return Ok(None);
    }
    Ok(
        match super::to_host::into_host_pv(virtual_pv, context, &mut Why::new(false))? {
            ToHost::Sent(host) => Some(host),
            ToHost::NotSent | ToHost::Refused(..) => None,
        },
    )
}

/// A host PV without a virtual PV: D4 for one made from a vanished virtual PV, else S1-S6.
fn host_only(
    host: &PersistentVolume,
    inputs: &PairInputs<'_>,
    context: &Context,
    why: &mut Why,
) -> Result<PairFates, Error> {
    if is_deleting(&host.metadata) {
        why.rule(
            Rule::D3,
            "the host PV is being deleted and has no virtual PV: nothing to do",
        );
        return Ok(PairFates::nothing());
    }
    if let Some(namespace) = foreign_claim(host, context) {
        why.rule(Rule::S3, move || {
            format!(
                "the host PV's claim is in namespace {namespace:?}, not this virtual cluster's: \
                 never mirrored, never written"
            )
        });
        return Ok(PairFates::nothing());
    }
    if has_cluster_marker(&host.metadata, context.cluster()) {
        why.rule(
            Rule::D4,
            "the host PV was made from a virtual PV that is gone: delete the host PV",
        );
        return Ok(PairFates::new(Fate::Untouched, Fate::removed()));
    }
    let decision = mirror_decision(host, inputs.virtual_pvc, None, context)?;
    why.rule(decision.rule(), || decision.to_string());
    if !decision.is_mirrored() {
        return Ok(PairFates::nothing());
    }
    let mirror = into_mirror(mirror_parts(host), inputs.virtual_pvc, None, context, why);
    Ok(PairFates::new(Fate::Desired(mirror), Fate::Untouched))
}

/// S3: the namespace of the host PV's claim, when it has one outside `H`.
fn foreign_claim(host: &PersistentVolume, context: &Context) -> Option<String> {
    host_claim(host)
        .filter(|(namespace, _)| *namespace != context.cluster().host_namespace())
        .map(|(namespace, _)| namespace.to_owned())
}

/// D1: the virtual PV is being deleted, the host PV is not: delete the host PV, except when the
/// virtual PV is bound with reclaim policy `Delete` (the host's PV controller reclaims the disk
/// once the host PVC is gone; deleting the PV object now would orphan it).
fn on_virtual_deletion(virtual_pv: &PersistentVolume, why: &mut Why) -> PairFates {
    let spec = virtual_pv.spec.as_ref();
    let bound = spec.is_some_and(|s| s.claim_ref.is_some());
    let delete_policy =
        spec.and_then(|s| s.persistent_volume_reclaim_policy.as_deref()) == Some("Delete");
    if bound && delete_policy {
        why.rule(
            Rule::D1,
            "the virtual PV is being deleted while bound with reclaim policy Delete: wait for \
             the host to reclaim the volume once its PVC is gone",
        );
        let wait = Fate::Wait {
            rule: Rule::D1,
            reason: Cow::Borrowed("the host reclaims the bound Delete volume once its PVC is gone"),
        };
        PairFates::new(wait, Fate::Untouched)
    } else {
        why.rule(
            Rule::D1,
            "the virtual PV is being deleted: delete the host PV (the virtual PV follows by D2)",
        );
        PairFates::new(Fate::Untouched, Fate::removed())
    }
}

/// The fate of a virtual PV that mirrors a host PV: `desired`, made again (deleted, its
/// finalizers removed, and created) when the current virtual PV differs from it in a field the
/// API server will not update (its source, volume mode or node affinity): the mirror is only the
/// tenant's view, so it is rebuilt rather than left stale or updated in vain.
fn mirror_fate(
    current: Option<&PersistentVolume>,
    desired: PersistentVolume,
) -> Fate<PersistentVolume> {
    let empty = PersistentVolumeSpec::default();
    let immutable = current.is_some_and(|current| {
        immutable_difference(
            current.spec.as_ref().unwrap_or(&empty),
            desired.spec.as_ref().unwrap_or(&empty),
        )
        .is_some()
    });
    if immutable {
        Fate::Recreate(desired)
    } else {
        Fate::Desired(desired)
    }
}

/// B1/B2's result as fates; conflicts travel beside them. A group a tenant's own virtual PV
/// cannot take (immutable there) makes its action a conflict: nothing is written to it; a
/// mirror (`mirror`) that must take one is made again.
fn in_step(
    synced: super::bidirectional::Synced,
    current: &PersistentVolume,
    mirror: bool,
) -> PairFates {
    let on_virtual: Vec<String> = synced
        .conflicts
        .iter()
        .filter(|c| c.reason == ConflictReason::ImmutableOnVirtual)
        .map(ToString::to_string)
        .collect();
    let virtual_pv = if !on_virtual.is_empty() {
        Fate::Conflict {
            rule: Rule::B1,
            reason: Cow::Owned(on_virtual.join("; ")),
        }
    } else if mirror {
        mirror_fate(Some(current), synced.virtual_pv)
    } else {
        Fate::Desired(synced.virtual_pv)
    };
    PairFates {
        virtual_pv,
        host_pv: Fate::Desired(synced.host_pv),
        conflicts: synced.conflicts,
    }
}
