//! B1, B2: keeping a virtual PV and its host PV in step once both exist (vcluster's `Sync`,
//! steps 6-10: `CopyBidirectional`, `translateUpdateBackwards`, status, labels, annotations).

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec};

use super::{PvAction, check_pairing, is_virtual_originated, mirror, pv_action};
use crate::error::Error;
use crate::explain::{Explanation, Input, Rule, Source};
use crate::fake::is_controlled_elsewhere;
use crate::object::kept_as_is;
use crate::object::{name, pv_ref};
use crate::translator::Translator;
use crate::validate::validate_pv;
use fields::sync_fields;
use metadata::sync_metadata;

mod fields;
mod metadata;

pub use fields::{Conflict, SyncedField};

/// A virtual PV and its host PV, as seen at one moment.
#[derive(Debug, Clone, Copy)]
pub struct PvPair<'a> {
    /// The virtual PersistentVolume.
    pub virtual_pv: &'a PersistentVolume,
    /// The host PersistentVolume it is paired with (its mirror source, or its copy).
    pub host_pv: &'a PersistentVolume,
}

impl<'a> PvPair<'a> {
    /// The pair of `virtual_pv` and `host_pv`.
    pub const fn new(virtual_pv: &'a PersistentVolume, host_pv: &'a PersistentVolume) -> Self {
        Self {
            virtual_pv,
            host_pv,
        }
    }
}

/// The result of [`keep_in_step`]: both PVs as they should be after the sync.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncUpdate {
    /// The desired virtual PV.
    pub virtual_pv: PersistentVolume,
    /// The desired host PV.
    pub host_pv: PersistentVolume,
    /// B1 field groups left unchanged on both sides because both changed (`conflicts: Report`);
    /// always empty with the default `VirtualWins`.
    pub conflicts: Vec<Conflict>,
    /// The rules applied, in order; field origins are named `virtualPv.<path>` or
    /// `hostPv.<path>` after the desired object they describe.
    pub explanation: Explanation,
}

/// B1, B2: the virtual PV and host PV of one pair after a sync, given both as they were at the
/// last sync (`last`) and as they are now (`current`), and the virtual PVC, if any (S7, S8).
///
/// - **B1**, for each [`SyncedField`]: if the virtual side changed since the last sync
///   (semantically: `1Gi` equals `1024Mi`, empty equals absent) the host takes its value, even
///   if the host changed too; else if the host changed, the virtual side takes the host's; else
///   both stay. With `conflicts: Report`, a group both sides changed to different values is
///   returned as a [`Conflict`] and left as it is on both sides. A side that already has the
///   other's value (semantically) is not rewritten.
/// - **B2**: the virtual status is the host's; the host status is kept. The virtual claimRef
///   follows S7. For a mirrored PV (`vcluster.loft.sh/host-pv` set) the virtual
///   storageClassName follows S8; for a tenant's own PV the host storageClassName is N3 of the
///   virtual one (empty stays empty). Labels and annotations: if the virtual map changed, its
///   added, changed and removed keys are applied to the host map (labels through N5);
///   otherwise a changed host map is applied to the virtual one (labels through N5's inverse).
///   Bookkeeping annotations and `host-pv` never cross and stay where they are; neither do the
///   host's untranslated reserved label keys (N5), among them the `managed-by` marker. When both
///   maps changed the virtual side wins and the host's own edits stay on the host only
///   (vcluster behaviour).
///
/// Both results are without server-set metadata (SPEC §0): apply them as patches. A
/// virtual PV labelled `vcluster.loft.sh/controlled-by` (F6) leaves both PVs as they are.
///
/// With `conflicts: Report` the caller keeps its last-synced snapshot of a conflicting pair:
/// recording the unchanged result as the new "last" would hide the conflict.
///
/// # Errors
///
/// - A current PV that fails I7 ([`validate_pv`]): no capacity storage, no access modes, an
///   invalid reclaim policy or volume mode. The last-synced PVs are only compared, not checked.
/// - A last-synced PV whose name is not the current one's.
/// - A pair that is not one: the virtual PV is neither the host PV's mirror nor its source.
/// - A pair the syncer does not keep in step ([`pv_action`] is not
///   [`PvAction::KeepInStep`]): either is being deleted (D1, D3), or the host PV is not
///   mirrored for this virtual cluster (S2-S5), e.g. its claim is in another namespace.
/// - A virtual PVC that is not the host PV's claim (S4).
pub fn keep_in_step(
    last: PvPair<'_>,
    current: PvPair<'_>,
    virtual_pvc: Option<&PersistentVolumeClaim>,
    translator: &Translator,
) -> Result<SyncUpdate, Error> {
    let mut why = Explanation::default();
    if is_controlled_elsewhere(current.virtual_pv) {
        why.rule(
            Rule::F6,
            "the virtual PV is labelled vcluster.loft.sh/controlled-by: neither PV is touched",
        );
        return Ok(SyncUpdate {
            virtual_pv: kept_as_is(current.virtual_pv),
            host_pv: kept_as_is(current.host_pv),
            conflicts: Vec::new(),
            explanation: why,
        });
    }
    check_inputs(last, current, virtual_pvc, translator)?;

    let fields = sync_fields(last, current, translator.options.conflicts, &mut why)?;
    let mut virtual_spec = fields.virtual_spec;
    let mut host_spec = fields.host_spec;
    sync_claim_and_class(
        current.virtual_pv,
        &mut virtual_spec,
        &mut host_spec,
        virtual_pvc,
        translator,
        &mut why,
    );
    let (virtual_meta, host_meta) = sync_metadata(last, current, translator, &mut why);

    why.rule(Rule::B2, "status flows host -> virtual only");
    why.field("virtualPv.status", Source::Input(Input::HostPv, "status"));
    Ok(SyncUpdate {
        virtual_pv: PersistentVolume {
            metadata: virtual_meta,
            spec: Some(virtual_spec),
            status: current.host_pv.status.clone(),
        },
        host_pv: PersistentVolume {
            metadata: host_meta,
            spec: Some(host_spec),
            status: current.host_pv.status.clone(),
        },
        conflicts: fields.conflicts,
        explanation: why,
    })
}

/// The checks of [`keep_in_step`]'s `# Errors`, in that order.
fn check_inputs(
    last: PvPair<'_>,
    current: PvPair<'_>,
    virtual_pvc: Option<&PersistentVolumeClaim>,
    translator: &Translator,
) -> Result<(), Error> {
    validate_pv(current.virtual_pv)?;
    validate_pv(current.host_pv)?;
    for (before, now) in [
        (last.virtual_pv, current.virtual_pv),
        (last.host_pv, current.host_pv),
    ] {
        if name(&before.metadata) != name(&now.metadata) {
            return Err(Error::inconsistent(
                pv_ref(before),
                "metadata.name",
                format!(
                    "the last-synced PV is not the current one, {:?}",
                    name(&now.metadata)
                ),
            ));
        }
    }
    check_pairing(current.host_pv, Some(current.virtual_pv), translator)?;
    match pv_action(
        Some(current.virtual_pv),
        Some(current.host_pv),
        virtual_pvc,
        translator,
    )? {
        PvAction::KeepInStep => Ok(()),
        action => Err(Error::inconsistent(
            pv_ref(current.virtual_pv),
            "metadata",
            format!("the pair is not kept in step (B1, B2): the syncer's action is to {action}"),
        )),
    }
}

/// B2 with S7 and S8: the virtual claimRef follows S7; a mirrored PV's virtual class follows
/// S8, a tenant's own PV's host class is N3 of the virtual one.
fn sync_claim_and_class(
    current_virtual: &PersistentVolume,
    virtual_spec: &mut PersistentVolumeSpec,
    host_spec: &mut PersistentVolumeSpec,
    virtual_pvc: Option<&PersistentVolumeClaim>,
    translator: &Translator,
    why: &mut Explanation,
) {
    let cluster = &translator.cluster;
    // The mirror helpers name fields of the virtual PV without a prefix; collected apart, then
    // renamed.
    let mut mirrored = Explanation::default();
    if host_spec.claim_ref.is_none() {
        // mirror::claim_ref says nothing then: record why the virtual claimRef goes.
        mirrored.rule(
            Rule::S7,
            "the host PV has no claimRef: neither has the virtual PV",
        );
        mirrored.field(
            "spec.claimRef",
            Source::Input(Input::HostPv, "spec.claimRef"),
        );
    }
    virtual_spec.claim_ref = mirror::claim_ref(
        host_spec.claim_ref.as_ref(),
        virtual_pvc,
        Some(current_virtual),
        cluster,
        &mut mirrored,
    );
    let tenant_pv = is_virtual_originated(current_virtual);
    why.rule(
        Rule::B2,
        if tenant_pv {
            "claimRef flows to the virtual PV by S7"
        } else {
            "claimRef and storageClassName flow to the virtual PV by S7 and S8"
        },
    );
    if tenant_pv {
        let class = virtual_spec.storage_class_name.as_deref();
        host_spec.storage_class_name = match class {
            Some(c) if !c.is_empty() => Some(cluster.host_name_cluster(c)),
            _ => virtual_spec.storage_class_name.clone(),
        };
        why.rule(
            Rule::B2,
            "a virtual-originated PV: the host storageClassName is N3 of the virtual one",
        );
        why.field("hostPv.spec.storageClassName", Source::Rule(Rule::N3));
    } else {
        virtual_spec.storage_class_name = mirror::storage_class_name(
            host_spec,
            virtual_pvc,
            Some(current_virtual),
            translator.mode.storage_classes,
            &mut mirrored,
        );
    }
    why.steps.extend(mirrored.steps);
    why.fields
        .extend(mirrored.fields.into_iter().map(|mut origin| {
            origin.field = virtual_field(origin.field);
            origin
        }));
}

/// A field of the virtual PV as the mirror helpers name it, renamed `virtualPv.<path>`.
fn virtual_field(field: &'static str) -> &'static str {
    match field {
        "spec.claimRef" => "virtualPv.spec.claimRef",
        "spec.storageClassName" => "virtualPv.spec.storageClassName",
        other => other,
    }
}
