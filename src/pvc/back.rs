//! P3, P4 for the virtual PVC: what it takes back from its host PVC.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};

use crate::canonical;
use crate::context::Context;
use crate::explain::{Input, Rule, Why};
use crate::fate::Fate;
use crate::mode::PvMode;
use crate::object::{
    annotation, claimed_volume, has_cluster_marker, is_deleting, name, without_server_fields,
};
use crate::wellknown::{BINDER_ANNOTATIONS, OBJECT_NAME_ANNOTATION};

/// What the PVC syncer knows when it updates a virtual PVC.
#[derive(Debug, Clone, Copy)]
pub(crate) struct VirtualPvcInputs<'a> {
    /// The virtual PVC.
    pub(crate) virtual_pvc: &'a PersistentVolumeClaim,
    /// Its host PVC (N2 in `H`), if it exists.
    pub(crate) host_pvc: Option<&'a PersistentVolumeClaim>,
    /// Whether the host PVC was seen before (it is in the previous snapshot, P4).
    pub(crate) host_pvc_seen: bool,
    /// The host PV the host PVC is bound to, if it exists (P3 in sync mode).
    pub(crate) host_pv: Option<&'a PersistentVolume>,
}

/// The outcome for a virtual PVC: its fate, and when it must be recreated, the new object.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum VirtualPvcFate {
    /// As any object.
    Plain(Fate<PersistentVolumeClaim>),
    /// P3 (`VolumeNameDiffers`): delete and create again with this volume name.
    Recreate(PersistentVolumeClaim),
}

/// P3, P4: the virtual PVC after the PVC syncer's back sync.
pub(crate) fn virtual_pvc(
    inputs: &VirtualPvcInputs<'_>,
    context: &Context,
    why: &mut Why,
) -> VirtualPvcFate {
    let pvc = inputs.virtual_pvc;
    let Some(host) = inputs.host_pvc else {
        if inputs.host_pvc_seen && !is_deleting(&pvc.metadata) {
            why.rule(
                Rule::P4,
                "the host PVC was synced and is gone: delete the virtual PVC (grace period 0)",
            );
            return VirtualPvcFate::Plain(Fate::deleted_now());
        }
        return VirtualPvcFate::Plain(Fate::Untouched);
    };
    if is_deleting(&host.metadata) && !is_deleting(&pvc.metadata) {
        why.rule(
            Rule::P4,
            "the host PVC is being deleted: delete the virtual PVC (grace period 0)",
        );
        return VirtualPvcFate::Plain(Fate::deleted_now());
    }
    if is_deleting(&pvc.metadata) {
        return VirtualPvcFate::Plain(Fate::Untouched);
    }
    let mut desired = PersistentVolumeClaim {
        metadata: without_server_fields(&pvc.metadata),
        spec: pvc.spec.clone(),
        status: host.status.clone(),
    };
    why.rule(Rule::P3, "the virtual PVC takes its host PVC's status");
    why.copied("status", Input::HostPvc, "status");
    if let Some(status) = desired.status.as_mut() {
        canonical::capacity(&mut status.capacity);
    }
    // The binder's annotations, as the host has them.
    let annotations = desired
        .metadata
        .annotations
        .get_or_insert_with(Default::default);
    for key in BINDER_ANNOTATIONS {
        match annotation(&host.metadata, key) {
            Some(value) => {
                annotations.insert(key.to_owned(), value.to_owned());
            }
            None => {
                annotations.remove(key);
            }
        }
    }
    if annotations.is_empty() {
        desired.metadata.annotations = None;
    }
    if let Some(spec) = desired.spec.as_mut()
        && let Some(resources) = spec.resources.as_mut()
    {
        canonical::capacity(&mut resources.requests);
        canonical::capacity(&mut resources.limits);
    }
    let Some(host_volume) = claimed_volume(host) else {
        return VirtualPvcFate::Plain(Fate::Desired(desired));
    };
    let wanted = virtual_volume_name(host_volume, inputs.host_pv, context);
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
