//! The host's Kubernetes as the lifecycle model uses it (SPEC K1-K5): Kubernetes' own PV
//! controller (`pkg/controller/volume/persistentvolume/pv_controller.go`: `syncClaim`,
//! `syncUnboundClaim`, `syncBoundClaim`, `syncVolume`, `reclaimVolume`, `bind`, `unbindVolume`;
//! `index.go` and component-helpers' `FindMatchingVolume`), the PV protection controller, the
//! `DefaultStorageClass` admission plugin and `assignDefaultStorageClass`, and the external
//! provisioner library (`shouldProvision`, `shouldDelete`, its finalizer). Modelled only as far
//! as PVs, PVCs and classes need: no pods, no nodes, no events. It knows nothing of vcluster.
//!
//! Where upstream leaves an order unspecified (the order of an index, two equally good PVs), the
//! model decides by name, so that a world plays the same every time.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::core::v1::{
    CSIPersistentVolumeSource, GCEPersistentDiskVolumeSource, ObjectReference, PersistentVolume,
    PersistentVolumeClaim, PersistentVolumeClaimStatus, PersistentVolumeSpec,
    PersistentVolumeStatus,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::ids::Ids;
use super::log::{Actor, Log, Target};
use crate::explain::Rule;
use crate::object::{annotation, is_deleting, name, namespace};
use crate::quantity::Quantity;
use crate::snapshot::Objects;

/// The provisioner of classes that provision nothing (static PVs only).
pub(crate) const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";
/// The protection finalizer of PVs (the PV protection controller's).
pub(crate) const PV_PROTECTION: &str = "kubernetes.io/pv-protection";
/// The PV controller's finalizer on PVs its in-tree plugins provisioned with `Delete`.
pub(crate) const PV_CONTROLLER_FINALIZER: &str = "kubernetes.io/pv-controller";
/// The external provisioner's finalizer on `Delete` PVs it is responsible for.
pub(crate) const EXTERNAL_PROVISIONER_FINALIZER: &str =
    "external-provisioner.volume.kubernetes.io/finalizer";
/// Set on the side the PV controller bound (PV, PVC or both).
pub(crate) const BOUND_BY_CONTROLLER: &str = "pv.kubernetes.io/bound-by-controller";
/// Set on a PVC once its binding is complete.
pub(crate) const BIND_COMPLETED: &str = "pv.kubernetes.io/bind-completed";
/// The plugin or provisioner that provisioned a PV.
pub(crate) const PROVISIONED_BY: &str = "pv.kubernetes.io/provisioned-by";
/// The CSI driver a PV or PVC is migrated to: the PV controller stands down.
const MIGRATED_TO: &str = "pv.kubernetes.io/migrated-to";
/// The provisioner asked to provision a PVC.
pub(crate) const STORAGE_PROVISIONER: &str = "volume.kubernetes.io/storage-provisioner";
/// Its beta twin, still written.
pub(crate) const BETA_STORAGE_PROVISIONER: &str = "volume.beta.kubernetes.io/storage-provisioner";
/// The node the scheduler chose for a `WaitForFirstConsumer` claim.
pub(crate) const SELECTED_NODE: &str = "volume.kubernetes.io/selected-node";
/// The deprecated class annotation, read before the field.
const BETA_STORAGE_CLASS: &str = "volume.beta.kubernetes.io/storage-class";
/// Plugin names of this prefix are in-tree plugins of kube-controller-manager.
const IN_TREE: &str = "kubernetes.io/";

/// A disk: where a volume's data lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disk {
    /// Its id (`disk-000001`).
    pub id: String,
    /// The host PV that backs onto it, while one does.
    pub pv: Option<String>,
    /// Whether its data still exists.
    pub exists: bool,
}

/// Every disk, by id.
pub(crate) type Disks = BTreeMap<String, Disk>;

/// Facts of the world that are not API objects (SPEC K3, K4): which provisioners run, which
/// claims have a consumer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub(crate) struct Facts {
    /// Provisioners a scenario switched on or off, by name. One not listed runs when a host
    /// StorageClass names it.
    pub(crate) provisioners: BTreeMap<String, bool>,
    /// Host claims (namespace, name) that have a consumer (a pod the scheduler placed).
    pub(crate) consumers: BTreeSet<(String, String)>,
}

impl Facts {
    /// Whether provisioner `name` runs: as a fact says, else when a class names it.
    fn running(&self, name: &str, objects: &Objects) -> bool {
        if name.is_empty() || name == NO_PROVISIONER {
            return false;
        }
        match self.provisioners.get(name) {
            Some(running) => *running,
            None => objects.storage_classes().any(|c| c.provisioner == name),
        }
    }

    /// The in-tree plugin that kube-controller-manager has, if one runs: the model does not
    /// tell in-tree plugins apart; one stands for a plugin that provisions, deletes and
    /// recycles every volume that is not CSI, as the upstream tests' mock plugin does.
    fn in_tree_plugin(&self, objects: &Objects) -> Option<String> {
        let named = self
            .provisioners
            .keys()
            .map(String::as_str)
            .chain(objects.storage_classes().map(|c| c.provisioner.as_str()));
        let mut names: Vec<&str> = named
            .filter(|n| n.starts_with(IN_TREE) && self.running(n, objects))
            .collect();
        names.sort_unstable();
        names.first().map(|n| (*n).to_owned())
    }
}

/// A PV's phase, `""` when unset.
pub(crate) fn phase(pv: &PersistentVolume) -> &str {
    pv.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or_default()
}

/// A PVC's phase, `""` when unset.
pub(crate) fn claim_phase(pvc: &PersistentVolumeClaim) -> &str {
    pvc.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or_default()
}

/// A PV's reclaim policy (`Retain`, the API default, when unset).
pub(crate) fn policy(pv: &PersistentVolume) -> &str {
    pv.spec
        .as_ref()
        .and_then(|s| s.persistent_volume_reclaim_policy.as_deref())
        .unwrap_or("Retain")
}

fn has_annotation(meta: &ObjectMeta, key: &str) -> bool {
    meta.annotations
        .as_ref()
        .is_some_and(|a| a.contains_key(key))
}

fn set_annotation(meta: &mut ObjectMeta, key: &str, value: &str) {
    meta.annotations
        .get_or_insert_with(BTreeMap::new)
        .insert(key.to_owned(), value.to_owned());
}

fn remove_annotation(meta: &mut ObjectMeta, key: &str) {
    if let Some(annotations) = meta.annotations.as_mut() {
        annotations.remove(key);
        if annotations.is_empty() {
            meta.annotations = None;
        }
    }
}

fn has_finalizer(meta: &ObjectMeta, finalizer: &str) -> bool {
    meta.finalizers
        .as_ref()
        .is_some_and(|f| f.iter().any(|x| x == finalizer))
}

fn add_finalizer(meta: &mut ObjectMeta, finalizer: &str) {
    let finalizers = meta.finalizers.get_or_insert_with(Vec::new);
    if !finalizers.iter().any(|f| f == finalizer) {
        finalizers.push(finalizer.to_owned());
    }
}

fn remove_finalizer(meta: &mut ObjectMeta, finalizer: &str) {
    if let Some(finalizers) = meta.finalizers.as_mut() {
        finalizers.retain(|f| f != finalizer);
        if finalizers.is_empty() {
            meta.finalizers = None;
        }
    }
}

/// `GetPersistentVolumeClaimClass`: the beta annotation first, then the field, `""` when none.
fn claim_class(pvc: &PersistentVolumeClaim) -> &str {
    annotation(&pvc.metadata, BETA_STORAGE_CLASS)
        .or_else(|| pvc.spec.as_ref()?.storage_class_name.as_deref())
        .unwrap_or_default()
}

/// `PersistentVolumeClaimHasClass`: the beta annotation or the field is set (even `""`).
fn claim_has_class(pvc: &PersistentVolumeClaim) -> bool {
    has_annotation(&pvc.metadata, BETA_STORAGE_CLASS)
        || pvc
            .spec
            .as_ref()
            .is_some_and(|s| s.storage_class_name.is_some())
}

/// `GetPersistentVolumeClass`: the beta annotation first, then the field.
fn volume_class(pv: &PersistentVolume) -> &str {
    annotation(&pv.metadata, BETA_STORAGE_CLASS)
        .or_else(|| pv.spec.as_ref()?.storage_class_name.as_deref())
        .unwrap_or_default()
}

fn claim_volume_mode(pvc: &PersistentVolumeClaim) -> &str {
    pvc.spec
        .as_ref()
        .and_then(|s| s.volume_mode.as_deref())
        .unwrap_or("Filesystem")
}

fn volume_mode(pv: &PersistentVolume) -> &str {
    pv.spec
        .as_ref()
        .and_then(|s| s.volume_mode.as_deref())
        .unwrap_or("Filesystem")
}

fn claim_vac(pvc: &PersistentVolumeClaim) -> &str {
    pvc.spec
        .as_ref()
        .and_then(|s| s.volume_attributes_class_name.as_deref())
        .unwrap_or_default()
}

fn volume_vac(pv: &PersistentVolume) -> &str {
    pv.spec
        .as_ref()
        .and_then(|s| s.volume_attributes_class_name.as_deref())
        .unwrap_or_default()
}

fn claim_modes(pvc: &PersistentVolumeClaim) -> Vec<String> {
    pvc.spec
        .as_ref()
        .and_then(|s| s.access_modes.clone())
        .unwrap_or_default()
}

fn volume_modes(pv: &PersistentVolume) -> Vec<String> {
    pv.spec
        .as_ref()
        .and_then(|s| s.access_modes.clone())
        .unwrap_or_default()
}

/// `CheckAccessModes`: the PV has every mode the claim asks for.
fn modes_satisfied(pvc: &PersistentVolumeClaim, pv: &PersistentVolume) -> bool {
    let have = volume_modes(pv);
    claim_modes(pvc).iter().all(|m| have.contains(m))
}

/// Zero, as `Quantity.Value()` of a missing key.
fn zero() -> Option<Quantity> {
    "0".parse().ok()
}

/// The PVC's storage request (zero when it has none or it does not parse).
fn requested(pvc: &PersistentVolumeClaim) -> Option<Quantity> {
    pvc.spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"))
        .and_then(|q| q.0.parse().ok())
        .or_else(zero)
}

/// The PV's storage capacity (zero when it has none or it does not parse).
fn capacity(pv: &PersistentVolume) -> Option<Quantity> {
    pv.spec
        .as_ref()
        .and_then(|s| s.capacity.as_ref())
        .and_then(|c| c.get("storage"))
        .and_then(|q| q.0.parse().ok())
        .or_else(zero)
}

fn claim_ref(pv: &PersistentVolume) -> Option<&ObjectReference> {
    pv.spec.as_ref()?.claim_ref.as_ref()
}

/// `IsVolumeBoundToClaim`: the PV's claimRef names the claim by namespace and name, and by uid
/// when it has one.
fn bound_to(pv: &PersistentVolume, pvc: &PersistentVolumeClaim) -> bool {
    let Some(claim) = claim_ref(pv) else {
        return false;
    };
    if claim.name.as_deref().unwrap_or_default() != name(&pvc.metadata)
        || claim.namespace.as_deref().unwrap_or_default() != namespace(&pvc.metadata)
    {
        return false;
    }
    let uid = claim.uid.as_deref().unwrap_or_default();
    uid.is_empty() || Some(uid) == pvc.metadata.uid.as_deref()
}

/// Whether a label selector matches a set of labels (`LabelSelectorAsSelector`); `None` when
/// the selector is invalid (an unknown operator, values where none belong).
fn selector_matches(
    selector: &LabelSelector,
    labels: Option<&BTreeMap<String, String>>,
) -> Option<bool> {
    let empty = BTreeMap::new();
    let labels = labels.unwrap_or(&empty);
    let mut matches = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(k, v)| labels.get(k) == Some(v));
    for requirement in selector.match_expressions.iter().flatten() {
        let value = labels.get(&requirement.key);
        let values = requirement.values.clone().unwrap_or_default();
        let holds = match requirement.operator.as_str() {
            "In" if !values.is_empty() => value.is_some_and(|v| values.contains(v)),
            "NotIn" if !values.is_empty() => value.is_none_or(|v| !values.contains(v)),
            "Exists" if values.is_empty() => value.is_some(),
            "DoesNotExist" if values.is_empty() => value.is_none(),
            _ => return None,
        };
        matches &= holds;
    }
    Some(matches)
}

/// `checkVolumeSatisfyClaim`: why a PV named in a claim's `volumeName` cannot serve it.
fn unsatisfied(pv: &PersistentVolume, pvc: &PersistentVolumeClaim) -> Option<&'static str> {
    if is_deleting(&pv.metadata) {
        Some("the volume is marked for deletion")
    } else if capacity(pv) < requested(pvc) {
        Some("requested PV is too small")
    } else if volume_class(pv) != claim_class(pvc) {
        Some("storageClassName does not match")
    } else if volume_vac(pv) != claim_vac(pvc) {
        Some("volumeAttributesClassName does not match")
    } else if volume_mode(pv) != claim_volume_mode(pvc) {
        Some("incompatible volumeMode")
    } else if !modes_satisfied(pvc, pv) {
        Some("incompatible accessMode")
    } else {
        None
    }
}

/// K1: the class a PVC created without `storageClassName` (and without the beta class
/// annotation) gets from the `DefaultStorageClass` admission plugin: the newest default class,
/// none when there is none; and the API server's defaults (volume mode `Filesystem`, phase
/// `Pending`).
pub(crate) fn admit_pvc(pvc: &mut PersistentVolumeClaim, classes: &Objects) {
    if !claim_has_class(pvc)
        && let Some(default) = classes.default_storage_class()
    {
        pvc.spec
            .get_or_insert_with(Default::default)
            .storage_class_name
            .clone_from(&default.metadata.name);
    }
    pvc.spec
        .get_or_insert_with(Default::default)
        .volume_mode
        .get_or_insert_with(|| "Filesystem".to_owned());
    let status = pvc
        .status
        .get_or_insert_with(PersistentVolumeClaimStatus::default);
    status.phase.get_or_insert_with(|| "Pending".to_owned());
}

/// The API server's defaults for a new PV: reclaim policy `Retain`, volume mode `Filesystem`,
/// phase `Pending` when it has none, and the PV protection admission's finalizer.
pub(crate) fn admit_pv(pv: &mut PersistentVolume) {
    let spec = pv.spec.get_or_insert_with(Default::default);
    spec.persistent_volume_reclaim_policy
        .get_or_insert_with(|| "Retain".to_owned());
    spec.volume_mode
        .get_or_insert_with(|| "Filesystem".to_owned());
    pv.status
        .get_or_insert_with(PersistentVolumeStatus::default)
        .phase
        .get_or_insert_with(|| "Pending".to_owned());
    add_finalizer(&mut pv.metadata, PV_PROTECTION);
}

/// The host's controllers for one round (K1-K5). Returns whether anything changed.
pub(crate) struct Kube<'w> {
    pub(crate) objects: &'w mut Objects,
    pub(crate) disks: &'w mut Disks,
    pub(crate) ids: &'w mut Ids,
    pub(crate) log: &'w mut Log,
    pub(crate) facts: &'w Facts,
}

/// What the PV controller's `findDeletablePlugin` finds for a PV.
enum Deleter {
    /// An in-tree plugin deletes it.
    InTree,
    /// An external provisioner is to delete it; the PV controller waits.
    External,
    /// None: the PV becomes `Failed`.
    Missing(String),
}

impl Kube<'_> {
    /// One round: the PV controller's `syncVolume` for every PV (by name), then `syncClaim`
    /// for every PVC (oldest first), then every running external provisioner (and, when one
    /// provisioned, `syncClaim` again, as the PV controller reacts to the new PVs), then the PV
    /// protection controller and the API server's removal of objects whose finalizers are gone.
    pub(crate) fn round(&mut self) -> bool {
        let mut changed = false;
        let volumes: Vec<String> = self
            .objects
            .pvs()
            .map(|pv| name(&pv.metadata).to_owned())
            .collect();
        for volume in &volumes {
            changed |= self.sync_volume(volume);
        }
        // No controller here creates or deletes claims: one order serves the round.
        let claims = self.claims_oldest_first();
        for (ns, claim) in &claims {
            changed |= self.sync_claim(ns, claim);
        }
        let volumes: Vec<String> = self
            .objects
            .pvs()
            .map(|pv| name(&pv.metadata).to_owned())
            .collect();
        for volume in &volumes {
            changed |= self.provisioner_sync_volume(volume);
        }
        let mut provisioned = false;
        for (ns, claim) in &claims {
            provisioned |= self.provisioner_sync_claim(ns, claim);
        }
        if provisioned {
            // The PV controller sees the new PVs at once (its informer's add event): the
            // claims they were provisioned for are bound in the same round.
            for (ns, claim) in &claims {
                self.sync_claim(ns, claim);
            }
        }
        changed |= provisioned;
        changed |= self.protect();
        changed
    }

    fn claims_oldest_first(&self) -> Vec<(String, String)> {
        let mut claims: Vec<&PersistentVolumeClaim> = self.objects.pvcs().collect();
        claims.sort_by(|a, b| oldest_first(a, b));
        claims
            .into_iter()
            .map(|p| {
                (
                    namespace(&p.metadata).to_owned(),
                    name(&p.metadata).to_owned(),
                )
            })
            .collect()
    }

    fn write_pv(&mut self, mut pv: PersistentVolume) {
        self.ids.touch(&mut pv.metadata);
        // A PV here has a name (it came from the store or was built with one).
        let _ = self.objects.insert_pv(pv);
    }

    fn write_pvc(&mut self, mut pvc: PersistentVolumeClaim) {
        self.ids.touch(&mut pvc.metadata);
        let _ = self.objects.insert_pvc(pvc);
    }

    fn record(&mut self, target: Target, text: impl FnOnce() -> String, rules: &[Rule]) {
        self.log.record(Actor::HostKubernetes, target, text, rules);
    }

    /// `updateVolumePhase`: a new phase and message; nothing when the phase is already set.
    fn set_volume_phase(&mut self, volume: &str, to: &str, message: &str) -> bool {
        if self.objects.pv(volume).is_none_or(|pv| phase(pv) == to) {
            return false;
        }
        let Some(mut pv) = self.objects.pv(volume).cloned() else {
            return false;
        };
        let status = pv
            .status
            .get_or_insert_with(PersistentVolumeStatus::default);
        status.phase = Some(to.to_owned());
        status.message = (!message.is_empty()).then(|| message.to_owned());
        self.write_pv(pv);
        true
    }

    /// `updateClaimStatus`: the phase, and the access modes and capacity of the volume (reset
    /// without one; the capacity only when the phase changes).
    fn set_claim_status(
        &mut self,
        ns: &str,
        claim: &str,
        to: &str,
        volume: Option<&PersistentVolume>,
    ) -> bool {
        let Some(current) = self.objects.pvc(ns, claim) else {
            return false;
        };
        let becoming = claim_phase(current) != to;
        let vac = current
            .spec
            .as_ref()
            .and_then(|s| s.volume_attributes_class_name.clone());
        let before = current.status.clone();
        let mut status = before.clone().unwrap_or_default();
        status.phase = Some(to.to_owned());
        match volume {
            None => {
                status.access_modes = None;
                status.capacity = None;
            }
            Some(pv) => {
                let spec = pv.spec.as_ref();
                status.access_modes = spec.and_then(|s| s.access_modes.clone());
                if becoming {
                    status.capacity = spec.and_then(|s| s.capacity.clone());
                    if to == "Bound" && vac.is_some() {
                        status.current_volume_attributes_class_name = vac;
                    }
                }
            }
        }
        if before.as_ref() == Some(&status) {
            return false;
        }
        let Some(mut pvc) = self.objects.pvc(ns, claim).cloned() else {
            return false;
        };
        pvc.status = Some(status);
        self.write_pvc(pvc);
        true
    }

    // --------------------------------------------------------------------------------------
    // syncVolume

    /// `syncVolume` (K2, K4): a PV's phase from its claim, release, reclaim, roll-back.
    fn sync_volume(&mut self, volume: &str) -> bool {
        let mut changed = self.deletion_finalizers(volume);
        let Some(pv) = self.objects.pv(volume) else {
            return changed;
        };
        if volume_settled(self.objects, pv) {
            return changed;
        }
        let pv = pv.clone();
        let Some(reference) = claim_ref(&pv).cloned() else {
            // Unused.
            return changed | self.set_volume_phase(volume, "Available", "");
        };
        if reference.uid.as_deref().unwrap_or_default().is_empty() {
            // Reserved for a claim that has not bound it yet: the claim's sync does it.
            return changed | self.set_volume_phase(volume, "Available", "");
        }
        let claim = self
            .objects
            .pvc(
                reference.namespace.as_deref().unwrap_or_default(),
                reference.name.as_deref().unwrap_or_default(),
            )
            .filter(|c| c.metadata.uid == reference.uid)
            .cloned();
        let Some(claim) = claim else {
            // The claim is gone: release (once; a Failed PV keeps its phase) and reclaim.
            if !matches!(phase(&pv), "Released" | "Failed") {
                changed |= self.set_volume_phase(volume, "Released", "");
                self.record(
                    Target::Host,
                    || format!("PV {volume} released: its claim is gone"),
                    &[Rule::K4],
                );
            }
            return changed | self.reclaim(volume);
        };
        match claim_volume(&claim) {
            // Bound to a claim that does not name it yet: the claim's sync binds it.
            "" => changed,
            named if named == volume => changed | self.set_volume_phase(volume, "Bound", ""),
            other => {
                // The claim is bound to another volume.
                if has_annotation(&pv.metadata, PROVISIONED_BY) && policy(&pv) == "Delete" {
                    if !matches!(phase(&pv), "Released" | "Failed") {
                        changed |= self.set_volume_phase(volume, "Released", "");
                        self.record(
                            Target::Host,
                            || {
                                format!(
                                    "PV {volume} released: its claim {}/{} is bound to PV {other}",
                                    namespace(&claim.metadata),
                                    name(&claim.metadata)
                                )
                            },
                            &[Rule::K4],
                        );
                    }
                    changed | self.reclaim(volume)
                } else {
                    changed | self.unbind(volume)
                }
            }
        }
    }

    /// `unbindVolume`: a binding the controller made is undone (claimRef and annotation
    /// removed); a reservation the user made keeps the claim's name and loses its uid. The PV is
    /// `Available` again.
    fn unbind(&mut self, volume: &str) -> bool {
        let Some(mut pv) = self.objects.pv(volume).cloned() else {
            return false;
        };
        let by_controller = has_annotation(&pv.metadata, BOUND_BY_CONTROLLER);
        if let Some(spec) = pv.spec.as_mut() {
            if by_controller {
                spec.claim_ref = None;
            } else if let Some(claim) = spec.claim_ref.as_mut() {
                claim.uid = Some(String::new());
            }
        }
        if by_controller {
            remove_annotation(&mut pv.metadata, BOUND_BY_CONTROLLER);
        }
        let status = pv
            .status
            .get_or_insert_with(PersistentVolumeStatus::default);
        status.phase = Some("Available".to_owned());
        status.message = None;
        self.write_pv(pv);
        self.record(
            Target::Host,
            || {
                if by_controller {
                    format!("PV {volume} unbound: Available again")
                } else {
                    format!("PV {volume} unbound: Available again, still reserved for its claim")
                }
            },
            &[Rule::K2],
        );
        true
    }

    /// `modifyDeletionFinalizers`: an in-tree plugin's dynamically provisioned PV carries
    /// `kubernetes.io/pv-controller` exactly while its policy is `Delete`.
    fn deletion_finalizers(&mut self, volume: &str) -> bool {
        let Some(current) = self.objects.pv(volume) else {
            return false;
        };
        if !annotation(&current.metadata, PROVISIONED_BY).is_some_and(|p| p.starts_with(IN_TREE)) {
            return false;
        }
        let has = has_finalizer(&current.metadata, PV_CONTROLLER_FINALIZER);
        let wrong = match policy(current) {
            "Delete" => !has,
            "Retain" | "Recycle" => has,
            _ => false,
        } || has_finalizer(&current.metadata, EXTERNAL_PROVISIONER_FINALIZER);
        if !wrong {
            return false;
        }
        let mut pv = current.clone();
        let mut modified = false;
        match policy(&pv) {
            "Delete" if !has => {
                add_finalizer(&mut pv.metadata, PV_CONTROLLER_FINALIZER);
                modified = true;
            }
            "Retain" | "Recycle" if has => {
                remove_finalizer(&mut pv.metadata, PV_CONTROLLER_FINALIZER);
                modified = true;
            }
            _ => {}
        }
        if has_finalizer(&pv.metadata, EXTERNAL_PROVISIONER_FINALIZER) {
            remove_finalizer(&mut pv.metadata, EXTERNAL_PROVISIONER_FINALIZER);
            modified = true;
        }
        if modified {
            self.write_pv(pv);
        }
        modified
    }

    /// `reclaimVolume` (K4): `Retain` keeps; `Recycle` scrubs with a recycler or fails;
    /// `Delete` deletes with an in-tree plugin, waits for an external one, or fails; another
    /// policy fails. A migrated PV is left to its CSI driver.
    fn reclaim(&mut self, volume: &str) -> bool {
        let Some(pv) = self.objects.pv(volume).cloned() else {
            return false;
        };
        if annotation(&pv.metadata, MIGRATED_TO).is_some_and(|m| !m.is_empty()) {
            return false;
        }
        match policy(&pv) {
            "Retain" => false,
            "Recycle" => self.recycle(&pv),
            "Delete" => match self.deleter(&pv) {
                Deleter::External => false,
                Deleter::InTree => self.delete_in_tree(&pv),
                Deleter::Missing(message) => self.fail(volume, &message),
            },
            _ => self.fail(
                volume,
                "Volume has unrecognized PersistentVolumeReclaimPolicy",
            ),
        }
    }

    fn fail(&mut self, volume: &str, message: &str) -> bool {
        let changed = self.set_volume_phase(volume, "Failed", message);
        if changed {
            self.record(
                Target::Host,
                || format!("PV {volume} failed: {message}; its disk is kept"),
                &[Rule::K4],
            );
        }
        changed
    }

    /// `findDeletablePlugin`.
    fn deleter(&self, pv: &PersistentVolume) -> Deleter {
        let plugin = self.facts.in_tree_plugin(self.objects);
        if let Some(provisioner) =
            annotation(&pv.metadata, PROVISIONED_BY).filter(|p| !p.is_empty())
        {
            return if !provisioner.starts_with(IN_TREE) {
                Deleter::External
            } else if self.facts.running(provisioner, self.objects) {
                Deleter::InTree
            } else {
                Deleter::Missing(format!(
                    "no deletable volume plugin matched name: {provisioner}"
                ))
            };
        }
        if has_annotation(&pv.metadata, MIGRATED_TO)
            || pv.spec.as_ref().is_some_and(|s| s.csi.is_some())
        {
            return Deleter::External;
        }
        if plugin.is_some() {
            Deleter::InTree
        } else {
            Deleter::Missing(format!(
                "error getting deleter volume plugin for volume {:?}: no volume plugin matched",
                name(&pv.metadata)
            ))
        }
    }

    /// An in-tree plugin deletes the volume: the disk is destroyed, the PV controller's
    /// finalizer removed, the PV deleted.
    fn delete_in_tree(&mut self, pv: &PersistentVolume) -> bool {
        let volume = name(&pv.metadata).to_owned();
        self.record(
            Target::Host,
            || format!("PV {volume} deleted: released with reclaim policy Delete"),
            &[Rule::K4],
        );
        self.destroy_disk(&volume);
        let mut pv = pv.clone();
        remove_finalizer(&mut pv.metadata, PV_CONTROLLER_FINALIZER);
        self.request_deletion(pv);
        true
    }

    /// Deletion of a PV object through the API: gone at once without finalizers, else marked.
    fn request_deletion(&mut self, mut pv: PersistentVolume) {
        if pv.metadata.finalizers.as_ref().is_none_or(Vec::is_empty) {
            let volume = name(&pv.metadata).to_owned();
            self.objects.remove_pv(&volume);
            self.release_disk(&volume);
        } else {
            if pv.metadata.deletion_timestamp.is_none() {
                pv.metadata.deletion_timestamp = self.ids.now();
            }
            self.write_pv(pv);
        }
    }

    /// `recycleVolumeOperation`: an NFS or hostPath volume (their recyclers are always there) or,
    /// with an in-tree plugin, any volume that is not CSI, is scrubbed (the data is destroyed;
    /// the PV backs onto a fresh, empty disk) and unbound; otherwise the PV fails.
    fn recycle(&mut self, pv: &PersistentVolume) -> bool {
        let volume = name(&pv.metadata).to_owned();
        let spec = pv.spec.as_ref();
        let recyclable = spec.is_some_and(|s| s.nfs.is_some() || s.host_path.is_some())
            || (spec.is_some_and(|s| s.csi.is_none())
                && self.facts.in_tree_plugin(self.objects).is_some());
        if !recyclable {
            return self.fail(&volume, "No recycler plugin found for the volume!");
        }
        if let Some(disk) = self
            .disks
            .values_mut()
            .find(|d| d.pv.as_deref() == Some(volume.as_str()))
        {
            disk.exists = false;
            disk.pv = None;
            let old = disk.id.clone();
            let fresh = self.ids.disk();
            self.log.record(
                Actor::HostKubernetes,
                Target::Disk,
                || format!("{old} scrubbed (data destroyed): PV {volume} recycled onto {fresh}"),
                &[Rule::K4],
            );
            self.disks.insert(
                fresh.clone(),
                Disk {
                    id: fresh,
                    pv: Some(volume.clone()),
                    exists: true,
                },
            );
        }
        self.unbind(&volume);
        true
    }

    /// The disk of a PV is destroyed (its data is gone; it still names the PV until the PV
    /// object goes).
    fn destroy_disk(&mut self, volume: &str) {
        if let Some(disk) = self
            .disks
            .values_mut()
            .find(|d| d.pv.as_deref() == Some(volume) && d.exists)
        {
            disk.exists = false;
            let id = disk.id.clone();
            self.log.record(
                Actor::HostKubernetes,
                Target::Disk,
                || format!("{id} destroyed with PV {volume}"),
                &[Rule::K4, Rule::K5],
            );
        }
    }

    /// The PV object of a disk is gone: the disk is kept, with no PV pointing at it.
    fn release_disk(&mut self, volume: &str) {
        if let Some(disk) = self
            .disks
            .values_mut()
            .find(|d| d.pv.as_deref() == Some(volume))
        {
            disk.pv = None;
            if disk.exists {
                let id = disk.id.clone();
                self.log.record(
                    Actor::HostKubernetes,
                    Target::Disk,
                    || format!("{id} kept: PV {volume} is gone, its data is retained"),
                    &[Rule::K5],
                );
            }
        }
    }

    // --------------------------------------------------------------------------------------
    // syncClaim

    /// `syncClaim`: unbound claims (no `bind-completed`) and bound ones.
    fn sync_claim(&mut self, ns: &str, claim: &str) -> bool {
        let Some(pvc) = self.objects.pvc(ns, claim) else {
            return false;
        };
        if claim_settled(self.objects, pvc) {
            return false;
        }
        let pvc = pvc.clone();
        if has_annotation(&pvc.metadata, BIND_COMPLETED) {
            self.sync_bound_claim(&pvc)
        } else {
            self.sync_unbound_claim(&pvc)
        }
    }

    /// Whether a claim waits for a consumer: its class is `WaitForFirstConsumer`.
    fn delay_binding(&self, pvc: &PersistentVolumeClaim) -> bool {
        let class = claim_class(pvc);
        !class.is_empty()
            && self
                .objects
                .storage_class(class)
                .is_some_and(|c| c.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer"))
    }

    /// Whether the scheduler has placed a consumer of the claim: a stated consumer (the model's
    /// stand-in for a pod) or the `selected-node` annotation.
    fn has_consumer(&self, pvc: &PersistentVolumeClaim) -> bool {
        has_annotation(&pvc.metadata, SELECTED_NODE)
            || self.facts.consumers.contains(&(
                namespace(&pvc.metadata).to_owned(),
                name(&pvc.metadata).to_owned(),
            ))
    }

    /// `syncUnboundClaim` (K1, K2, K3).
    fn sync_unbound_claim(&mut self, pvc: &PersistentVolumeClaim) -> bool {
        let (ns, claim) = (namespace(&pvc.metadata), name(&pvc.metadata));
        let requested_volume = claim_volume(pvc);
        if requested_volume.is_empty() {
            let delay = self.delay_binding(pvc);
            // With a consumer stated, the scheduler binds an available PV itself (its path of
            // FindMatchingVolume, delayBinding false); the selected-node annotation alone
            // means it chose to provision.
            let scheduler = delay
                && self
                    .facts
                    .consumers
                    .contains(&(ns.to_owned(), claim.to_owned()))
                && !has_annotation(&pvc.metadata, SELECTED_NODE);
            let found = self.best_match(pvc, delay && !scheduler);
            if let Some(volume) = found {
                return self.bind(&volume, pvc);
            }
            if self.assign_default_class(pvc) {
                return true;
            }
            if delay && !self.has_consumer(pvc) {
                // Waits for a consumer.
            } else if !claim_class(pvc).is_empty() {
                return self.provision_claim(pvc);
            }
            return self.set_claim_status(ns, claim, "Pending", None);
        }
        let Some(pv) = self.objects.pv(requested_volume).cloned() else {
            return self.set_claim_status(ns, claim, "Pending", None);
        };
        if claim_ref(&pv).is_none() {
            if let Some(reason) = unsatisfied(&pv, pvc) {
                let changed = self.set_claim_status(ns, claim, "Pending", None);
                if changed {
                    self.record(
                        Target::Host,
                        || format!("PVC {ns}/{claim} cannot bind PV {requested_volume}: {reason}"),
                        &[Rule::K2],
                    );
                }
                return changed;
            }
            return self.bind(&pv, pvc);
        }
        if bound_to(&pv, pvc) {
            return self.bind(&pv, pvc);
        }
        if has_annotation(&pvc.metadata, BOUND_BY_CONTROLLER) {
            // "This should never happen": the controller stops with an error, nothing changes.
            false
        } else {
            self.set_claim_status(ns, claim, "Pending", None)
        }
    }

    /// `syncBoundClaim` (K2): a claim whose binding completed, `Lost` when its PV is gone or
    /// bound to another claim.
    fn sync_bound_claim(&mut self, pvc: &PersistentVolumeClaim) -> bool {
        let (ns, claim) = (namespace(&pvc.metadata), name(&pvc.metadata));
        let volume = claim_volume(pvc);
        let pv = (!volume.is_empty())
            .then(|| self.objects.pv(volume).cloned())
            .flatten();
        let lost = match &pv {
            None => true,
            Some(pv) => match claim_ref(pv) {
                None => return self.bind(pv, pvc),
                Some(reference) if reference.uid == pvc.metadata.uid => {
                    return self.bind(pv, pvc);
                }
                Some(_) => true,
            },
        };
        if lost && claim_phase(pvc) != "Lost" {
            let changed = self.set_claim_status(ns, claim, "Lost", None);
            self.record(
                Target::Host,
                || {
                    if volume.is_empty() || pv.is_none() {
                        format!("PVC {ns}/{claim} lost: its PV is gone")
                    } else {
                        format!("PVC {ns}/{claim} lost: PV {volume} is bound to another claim")
                    }
                },
                &[Rule::K2],
            );
            return changed;
        }
        false
    }

    /// `assignDefaultStorageClass`: a claim without a class gets the default class later too.
    fn assign_default_class(&mut self, pvc: &PersistentVolumeClaim) -> bool {
        if claim_has_class(pvc) {
            return false;
        }
        let Some(default) = self.objects.default_storage_class().cloned() else {
            return false;
        };
        let mut pvc = pvc.clone();
        pvc.spec
            .get_or_insert_with(Default::default)
            .storage_class_name
            .clone_from(&default.metadata.name);
        let (ns, claim) = (
            namespace(&pvc.metadata).to_owned(),
            name(&pvc.metadata).to_owned(),
        );
        let class = name(&default.metadata).to_owned();
        self.write_pvc(pvc);
        self.record(
            Target::Host,
            || format!("PVC {ns}/{claim} gets the default class {class}"),
            &[Rule::K1],
        );
        true
    }

    /// `findBestMatchForClaim`: the PVs grouped by their access modes, groups that hold every
    /// mode the claim asks for, fewest modes first (ties by the modes' names), and in each
    /// group `FindMatchingVolume`.
    fn best_match(&self, pvc: &PersistentVolumeClaim, delay: bool) -> Option<PersistentVolume> {
        let wanted = claim_modes(pvc);
        let mut groups: BTreeMap<(usize, Vec<String>), Vec<&PersistentVolume>> = BTreeMap::new();
        for pv in self.objects.pvs() {
            let mut modes = volume_modes(pv);
            modes.sort_unstable();
            modes.dedup();
            if wanted.iter().all(|m| modes.contains(m)) {
                groups.entry((modes.len(), modes)).or_default().push(pv);
            }
        }
        groups
            .values()
            .find_map(|volumes| find_matching_volume(pvc, volumes, delay))
    }

    /// `bind`: the PV to the claim (`bound-by-controller` when the controller made the link),
    /// `Bound`; the claim to the PV (`bound-by-controller` when the controller set its
    /// `volumeName`), `bind-completed`, `Bound` with the PV's access modes and capacity.
    fn bind(&mut self, pv: &PersistentVolume, pvc: &PersistentVolumeClaim) -> bool {
        let (ns, claim) = (
            namespace(&pvc.metadata).to_owned(),
            name(&pvc.metadata).to_owned(),
        );
        let volume = name(&pv.metadata).to_owned();
        let mut changed = false;
        // bindVolumeToClaim
        let mut bound_pv = pv.clone();
        let reserved = bound_to(pv, pvc);
        let same = claim_ref(pv).is_some_and(|c| {
            c.name.as_deref() == Some(claim.as_str())
                && c.namespace.as_deref() == Some(ns.as_str())
                && c.uid == pvc.metadata.uid
        });
        let mut dirty = false;
        if !same {
            bound_pv.spec.get_or_insert_with(Default::default).claim_ref = Some(ObjectReference {
                kind: Some("PersistentVolumeClaim".to_owned()),
                api_version: Some("v1".to_owned()),
                namespace: pvc.metadata.namespace.clone(),
                name: pvc.metadata.name.clone(),
                uid: pvc.metadata.uid.clone(),
                resource_version: pvc.metadata.resource_version.clone(),
                ..ObjectReference::default()
            });
            dirty = true;
        }
        if !reserved && !has_annotation(&bound_pv.metadata, BOUND_BY_CONTROLLER) {
            set_annotation(&mut bound_pv.metadata, BOUND_BY_CONTROLLER, "yes");
            dirty = true;
        }
        if dirty {
            self.write_pv(bound_pv);
            changed = true;
        }
        changed |= self.set_volume_phase(&volume, "Bound", "");
        // bindClaimToVolume
        let mut bound_pvc = pvc.clone();
        let mut dirty = false;
        if claim_volume(pvc) != volume {
            bound_pvc
                .spec
                .get_or_insert_with(Default::default)
                .volume_name = Some(volume.clone());
            if !has_annotation(&bound_pvc.metadata, BOUND_BY_CONTROLLER) {
                set_annotation(&mut bound_pvc.metadata, BOUND_BY_CONTROLLER, "yes");
            }
            dirty = true;
        }
        if !has_annotation(&bound_pvc.metadata, BIND_COMPLETED) {
            set_annotation(&mut bound_pvc.metadata, BIND_COMPLETED, "yes");
            dirty = true;
        }
        if dirty {
            self.write_pvc(bound_pvc);
            changed = true;
        }
        let current = self.objects.pv(&volume).cloned();
        let was_bound = claim_phase(pvc) == "Bound";
        changed |= self.set_claim_status(&ns, &claim, "Bound", current.as_ref());
        if changed && !was_bound {
            self.record(
                Target::Host,
                || format!("PVC {ns}/{claim} bound to PV {volume}"),
                &[Rule::K2],
            );
        }
        changed
    }

    /// `provisionClaim` (K3): an in-tree plugin provisions at once; for an external
    /// provisioner the claim is annotated with its name and the provisioner (if it runs) does
    /// it. A class that does not exist, `kubernetes.io/no-provisioner` or an in-tree plugin the
    /// controller does not have provisions nothing.
    fn provision_claim(&mut self, pvc: &PersistentVolumeClaim) -> bool {
        let (ns, claim) = (namespace(&pvc.metadata), name(&pvc.metadata));
        let Some(class) = self.objects.storage_class(claim_class(pvc)).cloned() else {
            return self.set_claim_status(ns, claim, "Pending", None);
        };
        let provisioner = class.provisioner.clone();
        if provisioner.starts_with(IN_TREE) {
            if !self.facts.running(&provisioner, self.objects)
                || pvc.spec.as_ref().is_some_and(|s| s.data_source.is_some())
            {
                // ProvisioningFailed: no such plugin (kubernetes.io/no-provisioner included),
                // or a data source, which only CSI provisioners take.
                return self.set_claim_status(ns, claim, "Pending", None);
            }
            let mut changed = self.set_claim_provisioner(pvc, &provisioner);
            let Some(pvc) = self.objects.pvc(ns, claim).cloned() else {
                return changed;
            };
            changed |= self.provision(&pvc, &class, true);
            return changed;
        }
        self.set_claim_provisioner(pvc, &provisioner)
    }

    /// `setClaimProvisioner`: both storage-provisioner annotations name the provisioner.
    fn set_claim_provisioner(&mut self, pvc: &PersistentVolumeClaim, provisioner: &str) -> bool {
        if annotation(&pvc.metadata, STORAGE_PROVISIONER) == Some(provisioner)
            && annotation(&pvc.metadata, BETA_STORAGE_PROVISIONER) == Some(provisioner)
        {
            return false;
        }
        let mut pvc = pvc.clone();
        set_annotation(&mut pvc.metadata, STORAGE_PROVISIONER, provisioner);
        set_annotation(&mut pvc.metadata, BETA_STORAGE_PROVISIONER, provisioner);
        self.write_pvc(pvc);
        true
    }

    /// A new PV `pvc-<claim uid>` and its disk: capacity = the request, the claim's access and
    /// volume modes, the class's policy (`Delete` when unset) and mount options. An in-tree
    /// plugin's PV is bound by the controller (`bound-by-controller`, phase `Bound`, the
    /// `kubernetes.io/pv-controller` finalizer when `Delete`) and has a GCE PD source, as the
    /// upstream tests' mock plugin makes; an external provisioner's has a CSI source and its
    /// finalizer, and the PV controller binds it.
    fn provision(
        &mut self,
        pvc: &PersistentVolumeClaim,
        class: &StorageClass,
        in_tree: bool,
    ) -> bool {
        let Some(uid) = pvc.metadata.uid.as_deref().filter(|u| !u.is_empty()) else {
            return false;
        };
        let pv_name = format!("pvc-{uid}");
        if self.objects.pv(&pv_name).is_some() {
            return false;
        }
        let Some(spec) = pvc.spec.as_ref() else {
            return false;
        };
        let disk_id = self.ids.disk();
        let provisioner = class.provisioner.clone();
        let policy = class
            .reclaim_policy
            .clone()
            .unwrap_or_else(|| "Delete".to_owned());
        let mut annotations = BTreeMap::from([(PROVISIONED_BY.to_owned(), provisioner.clone())]);
        let mut finalizers = Vec::new();
        if in_tree {
            annotations.insert(BOUND_BY_CONTROLLER.to_owned(), "yes".to_owned());
            if policy == "Delete" {
                finalizers.push(PV_CONTROLLER_FINALIZER.to_owned());
            }
        } else {
            finalizers.push(EXTERNAL_PROVISIONER_FINALIZER.to_owned());
        }
        let mut pv = PersistentVolume {
            metadata: ObjectMeta {
                name: Some(pv_name.clone()),
                annotations: Some(annotations),
                finalizers: Some(finalizers),
                ..ObjectMeta::default()
            },
            spec: Some(PersistentVolumeSpec {
                access_modes: spec.access_modes.clone(),
                capacity: spec.resources.as_ref().and_then(|r| r.requests.clone()),
                csi: (!in_tree).then(|| CSIPersistentVolumeSource {
                    driver: provisioner.clone(),
                    volume_handle: disk_id.clone(),
                    ..CSIPersistentVolumeSource::default()
                }),
                gce_persistent_disk: in_tree.then(|| GCEPersistentDiskVolumeSource {
                    pd_name: disk_id.clone(),
                    ..GCEPersistentDiskVolumeSource::default()
                }),
                claim_ref: Some(ObjectReference {
                    kind: Some("PersistentVolumeClaim".to_owned()),
                    api_version: Some("v1".to_owned()),
                    namespace: pvc.metadata.namespace.clone(),
                    name: pvc.metadata.name.clone(),
                    uid: pvc.metadata.uid.clone(),
                    resource_version: pvc.metadata.resource_version.clone(),
                    ..ObjectReference::default()
                }),
                mount_options: class.mount_options.clone(),
                persistent_volume_reclaim_policy: Some(policy),
                storage_class_name: Some(claim_class(pvc).to_owned()),
                volume_mode: spec.volume_mode.clone(),
                ..PersistentVolumeSpec::default()
            }),
            status: in_tree.then(|| PersistentVolumeStatus {
                phase: Some("Bound".to_owned()),
                ..PersistentVolumeStatus::default()
            }),
        };
        admit_pv(&mut pv);
        self.ids.create(&mut pv.metadata);
        self.disks.insert(
            disk_id.clone(),
            Disk {
                id: disk_id.clone(),
                pv: Some(pv_name.clone()),
                exists: true,
            },
        );
        let (ns, claim) = (
            namespace(&pvc.metadata).to_owned(),
            name(&pvc.metadata).to_owned(),
        );
        self.log.record(
            Actor::HostKubernetes,
            Target::Disk,
            || {
                format!(
                    "{disk_id} provisioned by {provisioner} for PVC {ns}/{claim} as PV {pv_name}"
                )
            },
            &[Rule::K3],
        );
        let _ = self.objects.insert_pv(pv);
        true
    }

    // --------------------------------------------------------------------------------------
    // The external provisioners

    /// The external provisioner responsible for a PV (`isProvisionerForVolume`): the one that
    /// provisioned it (or its migration target), else a static CSI PV's driver.
    fn external_provisioner_of(pv: &PersistentVolume) -> Option<&str> {
        if let Some(migrated) = annotation(&pv.metadata, MIGRATED_TO).filter(|m| !m.is_empty()) {
            return Some(migrated);
        }
        match annotation(&pv.metadata, PROVISIONED_BY) {
            Some(provisioner) => Some(provisioner).filter(|p| !p.starts_with(IN_TREE)),
            None => pv
                .spec
                .as_ref()?
                .csi
                .as_ref()
                .map(|csi| csi.driver.as_str()),
        }
    }

    /// The external provisioner's `syncVolume` (K4, K5): its finalizer on a bound `Delete`
    /// PV (removed for `Retain` and `Recycle`), and `shouldDelete`: a `Released` `Delete` PV
    /// (also one being deleted, while the finalizer holds it) has its disk destroyed, the PV
    /// deleted and the finalizer removed.
    fn provisioner_sync_volume(&mut self, volume: &str) -> bool {
        let Some(current) = self.objects.pv(volume) else {
            return false;
        };
        let Some(provisioner) = Self::external_provisioner_of(current) else {
            return false;
        };
        if !self.facts.running(provisioner, self.objects) {
            return false;
        }
        let deleting = is_deleting(&current.metadata);
        let holds = has_finalizer(&current.metadata, EXTERNAL_PROVISIONER_FINALIZER);
        let delete_policy = policy(current) == "Delete";
        let add = delete_policy && !holds && !deleting && phase(current) == "Bound";
        let remove = holds && matches!(policy(current), "Retain" | "Recycle");
        let reclaim = phase(current) == "Released" && delete_policy && (holds || !deleting);
        if !add && !remove && !reclaim {
            return false;
        }
        let provisioner = provisioner.to_owned();
        let mut pv = current.clone();
        let mut changed = false;
        let delete = policy(&pv) == "Delete";
        let has = has_finalizer(&pv.metadata, EXTERNAL_PROVISIONER_FINALIZER);
        if delete && !has && !is_deleting(&pv.metadata) && phase(&pv) == "Bound" {
            add_finalizer(&mut pv.metadata, EXTERNAL_PROVISIONER_FINALIZER);
            self.write_pv(pv.clone());
            changed = true;
        } else if has && matches!(policy(&pv), "Retain" | "Recycle") {
            remove_finalizer(&mut pv.metadata, EXTERNAL_PROVISIONER_FINALIZER);
            self.write_pv(pv.clone());
            changed = true;
        }
        let finalizer_gone = !has_finalizer(&pv.metadata, EXTERNAL_PROVISIONER_FINALIZER);
        if (is_deleting(&pv.metadata) && finalizer_gone) || phase(&pv) != "Released" || !delete {
            return changed;
        }
        self.record(
            Target::Host,
            || format!("PV {volume} deleted by {provisioner}: released with reclaim policy Delete"),
            &[Rule::K4],
        );
        self.destroy_disk(volume);
        let Some(mut pv) = self.objects.pv(volume).cloned() else {
            return true;
        };
        if !is_deleting(&pv.metadata) {
            pv.metadata.deletion_timestamp = self.ids.now();
        }
        remove_finalizer(&mut pv.metadata, EXTERNAL_PROVISIONER_FINALIZER);
        self.request_deletion(pv);
        true
    }

    /// The external provisioner's `shouldProvision` and `provisionClaimOperation` (K3): a
    /// claim without `volumeName` annotated with this provisioner's name, of a class that names
    /// it, and (for `WaitForFirstConsumer`) with a consumer.
    fn provisioner_sync_claim(&mut self, ns: &str, claim: &str) -> bool {
        let Some(pvc) = self.objects.pvc(ns, claim) else {
            return false;
        };
        if !claim_volume(pvc).is_empty()
            || !(has_annotation(&pvc.metadata, STORAGE_PROVISIONER)
                || has_annotation(&pvc.metadata, BETA_STORAGE_PROVISIONER))
        {
            return false;
        }
        let pvc = pvc.clone();
        let Some(provisioner) = annotation(&pvc.metadata, STORAGE_PROVISIONER)
            .or_else(|| annotation(&pvc.metadata, BETA_STORAGE_PROVISIONER))
            .map(str::to_owned)
        else {
            return false;
        };
        if provisioner.starts_with(IN_TREE) || !self.facts.running(&provisioner, self.objects) {
            return false;
        }
        let Some(class) = self.objects.storage_class(claim_class(&pvc)).cloned() else {
            return false;
        };
        if class.provisioner != provisioner {
            return false;
        }
        if class.volume_binding_mode.as_deref() == Some("WaitForFirstConsumer")
            && !self.has_consumer(&pvc)
        {
            return false;
        }
        self.provision(&pvc, &class, false)
    }

    // --------------------------------------------------------------------------------------
    // Protection and removal

    /// The PV protection controller releases `kubernetes.io/pv-protection` from a PV being
    /// deleted once it is not `Bound`; the API server removes objects being deleted whose
    /// finalizers are all gone (K5). A PV going leaves its disk, kept, with no PV.
    fn protect(&mut self) -> bool {
        let deleting: Vec<PersistentVolume> = self
            .objects
            .pvs()
            .filter(|pv| is_deleting(&pv.metadata))
            .cloned()
            .collect();
        let mut changed = false;
        for mut pv in deleting {
            let volume = name(&pv.metadata).to_owned();
            if phase(&pv) != "Bound" && has_finalizer(&pv.metadata, PV_PROTECTION) {
                remove_finalizer(&mut pv.metadata, PV_PROTECTION);
                changed = true;
                if pv.metadata.finalizers.is_none() {
                    self.objects.remove_pv(&volume);
                    self.record(
                        Target::Host,
                        || format!("PV {volume} deleted: no longer bound (pv-protection released)"),
                        &[Rule::K5],
                    );
                    self.release_disk(&volume);
                } else {
                    self.write_pv(pv);
                }
            } else if pv.metadata.finalizers.as_ref().is_none_or(Vec::is_empty) {
                self.objects.remove_pv(&volume);
                self.release_disk(&volume);
                changed = true;
            }
        }
        changed
    }
}

/// A claim whose binding is complete and in step with its PV: `syncClaim` would write nothing
/// (`syncBoundClaim`, then a `bind` that finds everything set).
fn claim_settled(objects: &Objects, pvc: &PersistentVolumeClaim) -> bool {
    let volume = claim_volume(pvc);
    if volume.is_empty()
        || !has_annotation(&pvc.metadata, BIND_COMPLETED)
        || claim_phase(pvc) != "Bound"
    {
        return false;
    }
    let Some(pv) = objects.pv(volume) else {
        return false;
    };
    let linked = claim_ref(pv).is_some_and(|c| {
        c.uid == pvc.metadata.uid
            && c.name.as_deref() == Some(name(&pvc.metadata))
            && c.namespace.as_deref() == Some(namespace(&pvc.metadata))
    });
    let modes = pvc.status.as_ref().and_then(|s| s.access_modes.as_ref())
        == pv.spec.as_ref().and_then(|s| s.access_modes.as_ref());
    linked && phase(pv) == "Bound" && modes
}

/// A PV bound to a claim that names it, both `Bound`: `syncVolume` would write nothing.
fn volume_settled(objects: &Objects, pv: &PersistentVolume) -> bool {
    let Some(reference) = claim_ref(pv) else {
        return false;
    };
    if phase(pv) != "Bound" || reference.uid.as_deref().is_none_or(str::is_empty) {
        return false;
    }
    objects
        .pvc(
            reference.namespace.as_deref().unwrap_or_default(),
            reference.name.as_deref().unwrap_or_default(),
        )
        .is_some_and(|c| c.metadata.uid == reference.uid && claim_volume(c) == name(&pv.metadata))
}

/// The volume a claim names in `spec.volumeName`, `""` when none.
fn claim_volume(pvc: &PersistentVolumeClaim) -> &str {
    pvc.spec
        .as_ref()
        .and_then(|s| s.volume_name.as_deref())
        .unwrap_or_default()
}

/// `FindMatchingVolume` in the PV controller's path (no node): a PV reserved for the claim
/// first (by name, whatever its phase and class), else, unless binding waits for a consumer,
/// the smallest `Available` PV of the claim's class that the selector matches (ties: the
/// first by name). Every candidate is large enough, of the claim's volume mode and volume
/// attributes class, and not being deleted.
fn find_matching_volume(
    pvc: &PersistentVolumeClaim,
    volumes: &[&PersistentVolume],
    delay: bool,
) -> Option<PersistentVolume> {
    let request = requested(pvc);
    let class = claim_class(pvc);
    let selector = pvc.spec.as_ref().and_then(|s| s.selector.as_ref());
    let mut smallest: Option<(Option<Quantity>, &PersistentVolume)> = None;
    let mut ordered: Vec<&&PersistentVolume> = volumes.iter().collect();
    ordered.sort_by(|a, b| name(&a.metadata).cmp(name(&b.metadata)));
    for pv in ordered {
        let pv: &PersistentVolume = pv;
        if claim_ref(pv).is_some() && !bound_to(pv, pvc) {
            continue;
        }
        let size = capacity(pv);
        if size < request
            || volume_mode(pv) != claim_volume_mode(pvc)
            || volume_vac(pv) != claim_vac(pvc)
            || is_deleting(&pv.metadata)
        {
            continue;
        }
        if bound_to(pv, pvc) {
            return Some(pv.clone());
        }
        if delay || phase(pv) != "Available" {
            continue;
        }
        if let Some(selector) = selector {
            match selector_matches(selector, pv.metadata.labels.as_ref()) {
                Some(true) => {}
                // No match, or an invalid selector: the claim binds nothing.
                Some(false) => continue,
                None => return None,
            }
        }
        if volume_class(pv) != class {
            continue;
        }
        if smallest
            .as_ref()
            .is_none_or(|(best, _)| size.cmp(best) == Ordering::Less)
        {
            smallest = Some((size, pv));
        }
    }
    smallest.map(|(_, pv)| pv.clone())
}

/// Oldest first by creation time, then namespace/name.
fn oldest_first(a: &PersistentVolumeClaim, b: &PersistentVolumeClaim) -> Ordering {
    let age = |p: &PersistentVolumeClaim| p.metadata.creation_timestamp.as_ref().map(|t| t.0);
    age(a)
        .cmp(&age(b))
        .then_with(|| namespace(&a.metadata).cmp(namespace(&b.metadata)))
        .then_with(|| name(&a.metadata).cmp(name(&b.metadata)))
}
