//! B1, B2: keeping a virtual PV and its host PV in step once both exist (vcluster's `Sync`,
//! steps 6-10: `CopyBidirectional`, `translateUpdateBackwards`, status, labels, annotations).

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec};

use crate::canonical;
use crate::context::Context;
use crate::error::Error;
use crate::explain::{Input, Rule, Source, Why};
use crate::object::{pv_ref, without_server_fields};
use crate::sync::mirror;
use crate::sync::to_host::host_class;
use fields::{Specs, sync_fields};
use metadata::{MapPair, sync_metadata};

mod fields;
mod metadata;
mod semantic;

pub(crate) use fields::immutable_difference;
pub use fields::{Conflict, ConflictReason, SyncedField};

/// Both PVs of a pair as they should be after a sync, and the conflicts found.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Synced {
    /// The desired virtual PV.
    pub(crate) virtual_pv: PersistentVolume,
    /// The desired host PV.
    pub(crate) host_pv: PersistentVolume,
    /// B1 field groups left alone on both sides because both changed (`conflicts: Report`).
    pub(crate) conflicts: Vec<Conflict>,
}

/// One side of a pair: as it was at the last sync (when known) and now.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Side<'a> {
    /// At the last settled sync; `None` when the syncer has no record (R2).
    pub(crate) last: Option<&'a PersistentVolume>,
    /// Now.
    pub(crate) now: &'a PersistentVolume,
}

/// B1, B2: the virtual PV and host PV of one pair after a sync.
///
/// - **B1**, for each [`SyncedField`]: if the virtual side changed since the last sync
///   (semantically: `1Gi` equals `1024Mi`, empty equals absent) the host takes its value, even
///   if the host changed too; else if the host changed, the virtual side takes the host's; else
///   both stay. With `conflicts: Report` a group both sides changed to different values is
///   reported and left alone. A node volume source never reaches the host this way unless
///   `tenantNodeVolumes: Allow` (H1).
/// - **B2**: the virtual status is the host's; the host status is kept. The virtual claimRef
///   follows S7. For a mirrored PV the virtual class follows S8; for a tenant's own PV the
///   host class is N3 of the virtual one and the virtual class never changes. Labels and
///   annotations: the side that changed pushes its added, changed and removed keys to the other
///   (virtual first; labels through N5); bookkeeping keys, `host-pv` and CSI secret
///   references never cross. The host's `managed-annotations` stays as H1 wrote it (U5, as
///   vcluster's `Sync`).
/// - **R2**: a side without a last-synced version counts as unchanged, except that the virtual
///   labels count as changed (vcluster's object cache on first sight).
///
/// Both results are without server-set metadata (SPEC §0), with canonical quantities.
pub(crate) fn keep_in_step(
    virtual_side: Side<'_>,
    host_side: Side<'_>,
    pvc: Option<&PersistentVolumeClaim>,
    tenant_made: bool,
    context: &Context,
    why: &mut Why,
) -> Result<Synced, Error> {
    let cluster = context.cluster();
    let empty = PersistentVolumeSpec::default();
    let spec_of = |pv: &PersistentVolume| pv.spec.clone().unwrap_or_default();
    let mut virtual_spec = spec_of(virtual_side.now);
    let mut host_spec = spec_of(host_side.now);
    let last = Specs {
        last_virtual: virtual_side
            .last
            .unwrap_or(virtual_side.now)
            .spec
            .as_ref()
            .unwrap_or(&empty),
        last_host: host_side
            .last
            .unwrap_or(host_side.now)
            .spec
            .as_ref()
            .unwrap_or(&empty),
    };
    let conflicts = sync_fields(
        &last,
        &mut virtual_spec,
        &mut host_spec,
        context.options().conflicts,
        !tenant_made,
        why,
    );

    // B2 with S7 and S8. The mirror helpers name fields of the virtual PV without a prefix.
    let mut mirrored = Why::new(why.is_on());
    virtual_spec.claim_ref = mirror::claim_ref(
        host_spec.claim_ref.clone(),
        pvc,
        Some(virtual_side.now),
        cluster,
        &mut mirrored,
    );
    if tenant_made {
        why.rule(
            Rule::B2,
            "a tenant's own PV: claimRef flows to it by S7; the host storageClassName is N3 of \
             the virtual one",
        );
        host_spec.storage_class_name =
            host_class(virtual_spec.storage_class_name.as_deref(), context, || {
                pv_ref(virtual_side.now)
            })?;
        why.field("hostPv.spec.storageClassName", Source::rule(Rule::T2));
    } else {
        why.rule(
            Rule::B2,
            "claimRef and storageClassName flow to the virtual PV by S7 and S8",
        );
        virtual_spec.storage_class_name = mirror::storage_class_name(
            host_spec.storage_class_name.clone(),
            pvc,
            Some(virtual_side.now),
            context.mode().storage_classes,
            &mut mirrored,
        );
    }
    why.absorb(mirrored, |field| match field {
        "spec.claimRef" => "virtualPv.spec.claimRef",
        "spec.storageClassName" => "virtualPv.spec.storageClassName",
        other => other,
    });

    let mut virtual_meta = without_server_fields(&virtual_side.now.metadata);
    let mut host_meta = without_server_fields(&host_side.now.metadata);
    let (virtual_last, host_last) = (virtual_side.last, host_side.last);
    sync_metadata(
        [
            MapPair {
                // R2: without a record, the virtual labels count as changed.
                last: virtual_last.and_then(|pv| pv.metadata.labels.as_ref()),
                now: virtual_side.now.metadata.labels.as_ref(),
            },
            MapPair {
                last: host_last.unwrap_or(host_side.now).metadata.labels.as_ref(),
                now: host_side.now.metadata.labels.as_ref(),
            },
        ],
        [
            MapPair {
                last: virtual_last
                    .unwrap_or(virtual_side.now)
                    .metadata
                    .annotations
                    .as_ref(),
                now: virtual_side.now.metadata.annotations.as_ref(),
            },
            MapPair {
                last: host_last
                    .unwrap_or(host_side.now)
                    .metadata
                    .annotations
                    .as_ref(),
                now: host_side.now.metadata.annotations.as_ref(),
            },
        ],
        &mut virtual_meta,
        &mut host_meta,
        cluster,
        why,
    );
    canonical::capacity(&mut virtual_spec.capacity);
    canonical::capacity(&mut host_spec.capacity);
    why.rule(Rule::B2, "status flows host -> virtual only");
    why.field("virtualPv.status", Source::input(Input::HostPv, "status"));
    Ok(Synced {
        virtual_pv: PersistentVolume {
            metadata: virtual_meta,
            spec: Some(virtual_spec),
            status: host_side.now.status.clone(),
        },
        host_pv: PersistentVolume {
            metadata: host_meta,
            spec: Some(host_spec),
            status: host_side.now.status.clone(),
        },
        conflicts,
    })
}
