//! P1-P4, U1, U3, U4: a virtual PVC and its host PVC, decided together, so that the host PVC
//! ([`crate::Translator::host_pvc`]), the virtual PVC ([`crate::Translator::virtual_pvc`]) and
//! the plan always agree.

use std::borrow::Cow;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::metadata::{Crossing, History, Merged, StringMap, merge, summary};
use super::to_host::{NOT_TO_HOST, Related, class_limited, copy_parts, translate};
use crate::canonical;
use crate::context::Context;
use crate::decision::Object as _;
use crate::error::Error;
use crate::explain::{Input, Rule, Source, Why};
use crate::fate::Fate;
use crate::mode::PvMode;
use crate::object::{
    annotation, claimed_volume, has_cluster_marker, is_deleting, is_made_from, name, name_error,
    namespace, pvc_ref, without_server_fields,
};
use crate::validate::validate_claim_identity;
use crate::wellknown::{
    BETA_STORAGE_CLASS_ANNOTATION, BINDER_ANNOTATIONS, HOST_PVC_DELETING_GRACE_PERIOD_SECONDS,
    OBJECT_HOST_NAME_ANNOTATION, OBJECT_HOST_NAMESPACE_ANNOTATION, OBJECT_KIND_ANNOTATION,
    OBJECT_NAME_ANNOTATION, OBJECT_NAMESPACE_ANNOTATION, OBJECT_UID_ANNOTATION, PVC_OBJECT_KIND,
};

/// Annotations of a PVC pair that never go virtual -> host once both exist: P1's and the
/// deprecated class annotation, which the API server will not change on a PVC.
const NOT_PUSHED: [&str; 7] = [
    NOT_TO_HOST[0],
    NOT_TO_HOST[1],
    NOT_TO_HOST[2],
    NOT_TO_HOST[3],
    NOT_TO_HOST[4],
    NOT_TO_HOST[5],
    BETA_STORAGE_CLASS_ANNOTATION,
];

/// Annotations that never go host -> virtual through U1: P3's binder annotations (P3 sets
/// them) and the deprecated class annotation.
const NOT_PULLED: [&str; 5] = [
    BINDER_ANNOTATIONS[0],
    BINDER_ANNOTATIONS[1],
    BINDER_ANNOTATIONS[2],
    BINDER_ANNOTATIONS[3],
    BETA_STORAGE_CLASS_ANNOTATION,
];

/// What the PVC syncer knows about one virtual PVC.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PvcInputs<'a> {
    /// The virtual PVC.
    pub(crate) virtual_pvc: &'a PersistentVolumeClaim,
    /// The host PVC under N2 of its name, if it exists.
    pub(crate) host_pvc: Option<&'a PersistentVolumeClaim>,
    /// The virtual PVC at the last settled sync (R2), if known.
    pub(crate) last_virtual_pvc: Option<&'a PersistentVolumeClaim>,
    /// The host PVC at the last settled sync (R2), if known: one that is gone since is not made
    /// again; P4 deletes the virtual PVC instead.
    pub(crate) last_host_pvc: Option<&'a PersistentVolumeClaim>,
    /// The objects its translation reads.
    pub(crate) related: Related<'a>,
}

/// The outcome for a virtual PVC: its fate, and when it must be recreated, the new object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum VirtualPvcFate {
    /// As any object.
    Plain(Fate<PersistentVolumeClaim>),
    /// P3 (`VolumeNameDiffers`): delete and create again with this volume name.
    Recreate(PersistentVolumeClaim),
}

/// Both PVCs of a pair.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PvcFates {
    /// The virtual PVC.
    pub(crate) virtual_pvc: VirtualPvcFate,
    /// The host PVC.
    pub(crate) host_pvc: Fate<PersistentVolumeClaim>,
}

impl PvcFates {
    const fn new(host_pvc: Fate<PersistentVolumeClaim>, virtual_pvc: VirtualPvcFate) -> Self {
        Self {
            virtual_pvc,
            host_pvc,
        }
    }
}

/// The explanations of both PVCs.
pub(crate) struct PvcWhys<'a> {
    /// The host PVC's.
    pub(crate) host: &'a mut Why,
    /// The virtual PVC's.
    pub(crate) virtual_side: &'a mut Why,
}

impl PvcWhys<'_> {
    /// Records `rule` for both PVCs (the reason is copied only when recording).
    fn both(&mut self, rule: Rule, reason: &str) {
        for why in [&mut *self.host, &mut *self.virtual_side] {
            why.rule(rule, || reason.to_owned());
        }
    }
}

const fn untouched() -> VirtualPvcFate {
    VirtualPvcFate::Plain(Fate::Untouched)
}

/// P1-P4, U1, U3, U4 for a virtual PVC and its host PVC.
///
/// # Errors
///
/// F7: a PVC without name or namespace; P2: a named PV that is not the one `volumeName`
/// names; N1; C3: a selector that cannot be evaluated.
pub(crate) fn decide(
    inputs: &PvcInputs<'_>,
    context: &Context,
    mut whys: PvcWhys<'_>,
) -> Result<PvcFates, Error> {
    let pvc = inputs.virtual_pvc;
    validate_claim_identity(pvc)?;
    let cluster = context.cluster();
    let host_name = cluster
        .host_name(name(&pvc.metadata), namespace(&pvc.metadata))
        .map_err(name_error(pvc_ref(pvc), "metadata.name"))?;
    // C3 (U3): a class-limited PVC is not synced at all, in either cluster.
    if let Some(reason) = class_limited(pvc, inputs.related.host_class, context)? {
        whys.both(Rule::C3, &reason);
        whys.virtual_side
            .rule(Rule::U3, "nothing is written for a class-limited PVC");
        return Ok(PvcFates::new(
            Fate::Wait {
                rule: Rule::C3,
                reason: Cow::Owned(reason),
            },
            untouched(),
        ));
    }
    let Some(host) = inputs.host_pvc else {
        if is_deleting(&pvc.metadata) {
            whys.both(
                Rule::P4,
                "the virtual PVC is being deleted and has no host PVC: nothing to create",
            );
            return Ok(PvcFates::new(Fate::removed(), untouched()));
        }
        if inputs.last_host_pvc.is_some() {
            // A new host PVC could provision a new, empty disk for a claim P4 is deleting.
            whys.both(
                Rule::P4,
                "the host PVC was synced and is gone: delete the virtual PVC (grace period 0), \
                 do not make a new host PVC",
            );
            return Ok(PvcFates::new(
                Fate::removed(),
                VirtualPvcFate::Plain(Fate::deleted_now()),
            ));
        }
        let fate = translate(
            copy_parts(pvc),
            host_name,
            &inputs.related,
            context,
            whys.host,
        )?;
        return Ok(PvcFates::new(fate, untouched()));
    };
    // R5: the host PVC under N2 must have been made from this very PVC; otherwise nothing is
    // written to it and nothing is taken from it.
    if !is_made_from(
        &host.metadata,
        cluster.namespaced_marker(),
        name(&pvc.metadata),
        Some(namespace(&pvc.metadata)),
    ) {
        let reason = format!(
            "host PVC {}/{host_name} does not carry this virtual cluster's marker and the \
             object-name of {}/{}: nothing is written or taken from it",
            cluster.host_namespace(),
            namespace(&pvc.metadata),
            name(&pvc.metadata),
        );
        whys.both(Rule::R5, &reason);
        return Ok(PvcFates::new(
            Fate::Conflict {
                rule: Rule::R5,
                reason: Cow::Owned(reason),
            },
            untouched(),
        ));
    }
    if is_deleting(&host.metadata) {
        if is_deleting(&pvc.metadata) {
            // vcluster deletes the virtual PVC again when the two grace periods differ; the API
            // server gives PVCs, which have no graceful deletion, the same one.
            whys.both(Rule::P4, "both PVCs are being deleted");
            return Ok(PvcFates::new(Fate::Untouched, untouched()));
        }
        whys.both(
            Rule::U4,
            "the host PVC is being deleted: delete the virtual PVC (grace period 30s, as \
             vcluster does)",
        );
        return Ok(PvcFates::new(
            Fate::Untouched,
            VirtualPvcFate::Plain(Fate::Gone {
                remove_finalizers: false,
                grace_period_seconds: Some(HOST_PVC_DELETING_GRACE_PERIOD_SECONDS),
            }),
        ));
    }
    if is_deleting(&pvc.metadata) {
        let grace = pvc.metadata.deletion_grace_period_seconds;
        whys.both(
            Rule::U4,
            &match grace {
                Some(seconds) => format!(
                    "the virtual PVC is being deleted: delete its host PVC with the virtual PVC's \
                 grace period ({seconds}s)"
                ),
                None => "the virtual PVC is being deleted: delete its host PVC".to_owned(),
            },
        );
        return Ok(PvcFates::new(
            Fate::Gone {
                remove_finalizers: false,
                grace_period_seconds: grace,
            },
            untouched(),
        ));
    }
    let (labels, annotations) = merge_metadata(inputs, host, context, &mut whys);
    let host_fate = follow(pvc, host, &labels, &annotations, context, whys.host);
    let virtual_fate = back(
        pvc,
        host,
        inputs.related.bound_host_pv,
        (labels.virtual_map, annotations.virtual_map),
        context,
        whys.virtual_side,
    );
    Ok(PvcFates::new(host_fate, virtual_fate))
}

/// U1: the labels and annotations of the pair, both ways, from the last synced versions (R2:
/// a PVC without one counts as unchanged, except that the virtual labels count as new).
fn merge_metadata(
    inputs: &PvcInputs<'_>,
    host: &PersistentVolumeClaim,
    context: &Context,
    whys: &mut PvcWhys<'_>,
) -> (Merged, Merged) {
    let cluster = context.cluster();
    let pvc = inputs.virtual_pvc;
    let last_virtual = inputs.last_virtual_pvc;
    let last_host = inputs.last_host_pvc.unwrap_or(host);
    let labels = merge(
        Crossing::Labels,
        History {
            last: last_virtual.and_then(|p| p.metadata.labels.as_ref()),
            now: pvc.metadata.labels.as_ref(),
        },
        History {
            last: last_host.metadata.labels.as_ref(),
            now: host.metadata.labels.as_ref(),
        },
        cluster,
    );
    let annotations = merge(
        Crossing::Annotations {
            not_to_host: &NOT_PUSHED,
            not_to_virtual: &NOT_PULLED,
        },
        History {
            last: last_virtual.unwrap_or(pvc).metadata.annotations.as_ref(),
            now: pvc.metadata.annotations.as_ref(),
        },
        History {
            last: last_host.metadata.annotations.as_ref(),
            now: host.metadata.annotations.as_ref(),
        },
        cluster,
    );
    for (what, merged) in [("labels", &labels), ("annotations", &annotations)] {
        if !merged.pushed.is_empty() {
            whys.host.rule(Rule::U1, || {
                format!(
                    "the virtual PVC's {what} changed: pushed to the host PVC ({})",
                    summary(&merged.pushed)
                )
            });
        }
        if !merged.pulled.is_empty() {
            whys.virtual_side.rule(Rule::U1, || {
                format!(
                    "the host PVC's {what} changed: pulled into the virtual PVC ({})",
                    summary(&merged.pulled)
                )
            });
        }
    }
    whys.host
        .copied("metadata.labels", Input::VirtualPvc, "metadata.labels");
    whys.host.copied(
        "metadata.annotations",
        Input::VirtualPvc,
        "metadata.annotations",
    );
    (labels, annotations)
}

/// P3, U1 on the host PVC: it keeps what the host's controllers filled in and takes the
/// virtual requests (resizing) when Kubernetes accepts them, and the virtual side's label and
/// annotation changes; the bookkeeping annotations are written again, as vcluster does.
fn follow(
    pvc: &PersistentVolumeClaim,
    host: &PersistentVolumeClaim,
    labels: &Merged,
    annotations: &Merged,
    context: &Context,
    why: &mut Why,
) -> Fate<PersistentVolumeClaim> {
    let mut desired = PersistentVolumeClaim {
        metadata: without_server_fields(&host.metadata),
        spec: host.spec.clone(),
        status: host.status.clone(),
    };
    desired.metadata.labels.clone_from(&labels.host_map);
    desired
        .metadata
        .annotations
        .clone_from(&annotations.host_map);
    restamp(&mut desired, pvc, context);
    let wanted = pvc
        .spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref());
    let current = host
        .spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref());
    let mut refusal = None;
    if !same_requests(wanted, current) {
        match resize_refusal(host, wanted) {
            None => {
                let spec = desired.spec.get_or_insert_with(Default::default);
                let resources = spec.resources.get_or_insert_with(Default::default);
                resources.requests = wanted.cloned();
                canonical::capacity(&mut resources.requests);
                why.rule(
                    Rule::P3,
                    "the host PVC takes the virtual PVC's requests (resizing); the host's \
                     controllers own the rest of its spec",
                );
                why.copied(
                    "spec.resources.requests",
                    Input::VirtualPvc,
                    "spec.resources.requests",
                );
            }
            Some(reason) => {
                why.rule(Rule::P3, {
                    let reason = reason.clone();
                    move || reason
                });
                refusal = Some(reason);
            }
        }
    }
    match refusal {
        Some(reason) if host.user_eq(&desired) => Fate::Wait {
            rule: Rule::P3,
            reason: Cow::Owned(reason),
        },
        _ => Fate::Desired(desired),
    }
}

/// vcluster's `addHostAnnotations` on every sync: the bookkeeping annotations of P1, written
/// again from the virtual PVC (a recreated virtual PVC has a new uid).
fn restamp(desired: &mut PersistentVolumeClaim, pvc: &PersistentVolumeClaim, context: &Context) {
    let cluster = context.cluster();
    let host_name = desired.metadata.name.clone().unwrap_or_default();
    let map = desired
        .metadata
        .annotations
        .get_or_insert_with(BTreeMap::new);
    for (key, value) in [
        (OBJECT_NAME_ANNOTATION, name(&pvc.metadata)),
        (
            OBJECT_UID_ANNOTATION,
            pvc.metadata.uid.as_deref().unwrap_or_default(),
        ),
        (OBJECT_HOST_NAME_ANNOTATION, host_name.as_str()),
        (OBJECT_HOST_NAMESPACE_ANNOTATION, cluster.host_namespace()),
        (OBJECT_NAMESPACE_ANNOTATION, namespace(&pvc.metadata)),
        (OBJECT_KIND_ANNOTATION, PVC_OBJECT_KIND),
    ] {
        if map.get(key).map(String::as_str) != Some(value) {
            map.insert(key.to_owned(), value.to_owned());
        }
    }
}

/// Two resource maps hold the same quantities (empty equals absent).
fn same_requests(
    a: Option<&BTreeMap<String, Quantity>>,
    b: Option<&BTreeMap<String, Quantity>>,
) -> bool {
    let empty = BTreeMap::new();
    let (a, b) = (a.unwrap_or(&empty), b.unwrap_or(&empty));
    a.len() == b.len()
        && a.iter().all(|(key, x)| {
            b.get(key)
                .is_some_and(|y| crate::quantity::same_quantity(&x.0, &y.0))
        })
}

/// The storage quantity of a resource map, when it parses.
fn storage(map: Option<&BTreeMap<String, Quantity>>) -> Option<crate::quantity::Quantity> {
    map?.get("storage")?.0.parse().ok()
}

/// Why the API server would refuse `host`'s requests changed to `wanted`, if it would
/// (Kubernetes' `ValidatePersistentVolumeClaimUpdate`, with `RecoverVolumeExpansionFailure` on
/// as from v1.34): only a bound claim's `storage` request may change, and it may go down only
/// while it stays above `status.capacity.storage`.
fn resize_refusal(
    host: &PersistentVolumeClaim,
    wanted: Option<&BTreeMap<String, Quantity>>,
) -> Option<String> {
    let current = host
        .spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref());
    let phase = host.status.as_ref().and_then(|s| s.phase.as_deref());
    if phase != Some("Bound") {
        return Some(
            "the virtual PVC's requests wait: Kubernetes changes the requests of a bound claim \
             only, and the host PVC is not bound"
                .to_owned(),
        );
    }
    let without_storage = |map: Option<&BTreeMap<String, Quantity>>| {
        map.map(|m| {
            m.iter()
                .filter(|(k, _)| k.as_str() != "storage")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<BTreeMap<_, _>>()
        })
    };
    if !same_requests(
        without_storage(wanted).as_ref(),
        without_storage(current).as_ref(),
    ) {
        return Some(
            "the virtual PVC's requests are not sent: Kubernetes changes only the storage \
             request of a claim"
                .to_owned(),
        );
    }
    let (Some(new), Some(old)) = (storage(wanted), storage(current)) else {
        return Some(
            "the virtual PVC's requests are not sent: a claim's storage request is required"
                .to_owned(),
        );
    };
    if new < old {
        // An absent status capacity is a zero quantity, as Kubernetes reads it.
        let allocated = storage(host.status.as_ref().and_then(|s| s.capacity.as_ref()))
            .or_else(|| "0".parse().ok());
        if allocated.is_some_and(|capacity| new <= capacity) {
            return Some(
                "the virtual PVC's smaller request is not sent: Kubernetes lowers a claim's \
                 request only while it stays above status.capacity"
                    .to_owned(),
            );
        }
    }
    None
}

/// P3, U1 on the virtual PVC: it takes its host PVC's status, binder annotations, `volumeName`
/// and the host side's label and annotation changes.
fn back(
    pvc: &PersistentVolumeClaim,
    host: &PersistentVolumeClaim,
    bound_host_pv: Option<&PersistentVolume>,
    (labels, annotations): (Option<StringMap>, Option<StringMap>),
    context: &Context,
    why: &mut Why,
) -> VirtualPvcFate {
    let mut desired = PersistentVolumeClaim {
        metadata: without_server_fields(&pvc.metadata),
        spec: pvc.spec.clone(),
        status: host.status.clone(),
    };
    desired.metadata.labels = labels;
    desired.metadata.annotations = annotations;
    why.rule(Rule::P3, "the virtual PVC takes its host PVC's status");
    why.copied("status", Input::HostPvc, "status");
    if let Some(status) = desired.status.as_mut() {
        canonical::capacity(&mut status.capacity);
        canonical::capacity(&mut status.allocated_resources);
    }
    // The binder's annotations, as the host has them.
    let map = desired
        .metadata
        .annotations
        .get_or_insert_with(Default::default);
    for key in BINDER_ANNOTATIONS {
        match annotation(&host.metadata, key) {
            Some(value) => {
                if map.get(key).map(String::as_str) != Some(value) {
                    map.insert(key.to_owned(), value.to_owned());
                }
            }
            None => {
                map.remove(key);
            }
        }
    }
    if map.is_empty() {
        desired.metadata.annotations = None;
    }
    why.field(
        "metadata.annotations",
        Source::input(Input::HostPvc, "metadata.annotations"),
    );
    if let Some(spec) = desired.spec.as_mut()
        && let Some(resources) = spec.resources.as_mut()
    {
        canonical::capacity(&mut resources.requests);
        canonical::capacity(&mut resources.limits);
    }
    let Some(host_volume) = claimed_volume(host) else {
        return VirtualPvcFate::Plain(Fate::Desired(desired));
    };
    let wanted = virtual_volume_name(host_volume, bound_host_pv, context);
    match claimed_volume(pvc) {
        None => {
            why.rule(Rule::P3, || {
                format!(
                    "the host PVC is bound to {host_volume:?}: the virtual PVC names {wanted:?}"
                )
            });
            why.copied("spec.volumeName", Input::HostPvc, "spec.volumeName");
            desired
                .spec
                .get_or_insert_with(Default::default)
                .volume_name = Some(wanted);
            VirtualPvcFate::Plain(Fate::Desired(desired))
        }
        Some(current) if current == wanted => VirtualPvcFate::Plain(Fate::Desired(desired)),
        Some(current) => {
            why.rule(Rule::P3, || {
                format!(
                    "the virtual PVC names {current:?} but its host PVC is bound to \
                     {wanted:?}: recreated with the new name (VolumeNameDiffers)"
                )
            });
            desired
                .spec
                .get_or_insert_with(Default::default)
                .volume_name = Some(wanted);
            VirtualPvcFate::Recreate(desired)
        }
    }
}

/// P3: the virtual name of host volume `host_volume`: in fake mode the host name verbatim; in
/// sync mode a tenant PV's own name (`object-name` of a host PV made by this cluster), else the
/// host name.
fn virtual_volume_name(
    host_volume: &str,
    host_pv: Option<&PersistentVolume>,
    context: &Context,
) -> String {
    if context.mode().persistent_volumes != PvMode::Sync {
        return host_volume.to_owned();
    }
    host_pv
        .filter(|pv| name(&pv.metadata) == host_volume)
        .filter(|pv| has_cluster_marker(&pv.metadata, context.cluster()))
        .and_then(|pv| annotation(&pv.metadata, OBJECT_NAME_ANNOTATION))
        .filter(|n| !n.is_empty())
        .unwrap_or(host_volume)
        .to_owned()
}
