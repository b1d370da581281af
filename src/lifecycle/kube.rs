//! The host's Kubernetes as the lifecycle model uses it (SPEC K1-K5): default classes, binding,
//! dynamic provisioning, release and reclaim, protection. Facts about Kubernetes (v1.33+),
//! modelled only as far as PVs, PVCs and classes need: no pods, no nodes. It knows nothing of
//! vcluster.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    CSIPersistentVolumeSource, ObjectReference, PersistentVolume, PersistentVolumeClaim,
    PersistentVolumeClaimStatus, PersistentVolumeSpec, PersistentVolumeStatus,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::ids::Ids;
use super::log::{Actor, Log, Target};
use crate::explain::Rule;
use crate::object::{claimed_volume, is_deleting, name, namespace, pv_class};
use crate::quantity::Quantity;
use crate::snapshot::Objects;

/// The provisioner of classes that provision nothing (static PVs only).
pub(crate) const NO_PROVISIONER: &str = "kubernetes.io/no-provisioner";
/// The protection finalizer of PVs.
pub(crate) const PV_PROTECTION: &str = "kubernetes.io/pv-protection";

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

fn phase(pv: &PersistentVolume) -> &str {
    pv.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or_default()
}

fn set_phase(pv: &mut PersistentVolume, phase: &str) {
    pv.status
        .get_or_insert_with(PersistentVolumeStatus::default)
        .phase = Some(phase.to_owned());
}

fn policy(pv: &PersistentVolume) -> &str {
    pv.spec
        .as_ref()
        .and_then(|s| s.persistent_volume_reclaim_policy.as_deref())
        .unwrap_or("Retain")
}

/// K1: the class a PVC created without `storageClassName` gets: the default class (either
/// default-class key `"true"`; the newest when several are), none when there is none. A PVC
/// with `""` asks for a PV without class and keeps it.
pub(crate) fn admit_pvc(pvc: &mut PersistentVolumeClaim, classes: &Objects) {
    let spec = pvc.spec.get_or_insert_with(Default::default);
    if spec.storage_class_name.is_none()
        && let Some(default) = classes.default_storage_class()
    {
        spec.storage_class_name = default.metadata.name.clone();
    }
    spec.volume_mode
        .get_or_insert_with(|| "Filesystem".to_owned());
}

/// The API server's defaults for a new PV.
pub(crate) fn admit_pv(pv: &mut PersistentVolume) {
    let spec = pv.spec.get_or_insert_with(Default::default);
    spec.persistent_volume_reclaim_policy
        .get_or_insert_with(|| "Retain".to_owned());
    spec.volume_mode
        .get_or_insert_with(|| "Filesystem".to_owned());
}

/// One round of the host's controllers (K2-K5). Returns whether anything changed.
pub(crate) struct Kube<'w> {
    pub(crate) objects: &'w mut Objects,
    pub(crate) disks: &'w mut Disks,
    pub(crate) ids: &'w mut Ids,
    pub(crate) log: &'w mut Log,
}

impl Kube<'_> {
    /// K4, K5, K2, K3 in that order: release, reclaim and protection first, so that a volume
    /// freed in this round is not bound again in it.
    pub(crate) fn round(&mut self) -> bool {
        let mut changed = self.release();
        changed |= self.reclaim();
        changed |= self.protect();
        changed |= self.available();
        changed |= self.bind();
        changed
    }

    fn write_pv(&mut self, mut pv: PersistentVolume) {
        self.ids.touch(&mut pv.metadata);
        // A PV has a name (it came from the store).
        let _ = self.objects.insert_pv(pv);
    }

    fn write_pvc(&mut self, mut pvc: PersistentVolumeClaim) {
        self.ids.touch(&mut pvc.metadata);
        let _ = self.objects.insert_pvc(pvc);
    }

    /// K4: a `Bound` PV whose claim (namespace, name, uid) no longer exists becomes `Released`.
    fn release(&mut self) -> bool {
        let released: Vec<PersistentVolume> = self
            .objects
            .pvs()
            .filter(|pv| phase(pv) == "Bound")
            .filter(|pv| {
                let Some(claim) = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) else {
                    return false;
                };
                let current = self.objects.pvc(
                    claim.namespace.as_deref().unwrap_or_default(),
                    claim.name.as_deref().unwrap_or_default(),
                );
                current.is_none_or(|pvc| pvc.metadata.uid != claim.uid)
            })
            .cloned()
            .collect();
        let changed = !released.is_empty();
        for mut pv in released {
            set_phase(&mut pv, "Released");
            self.log.record(
                Actor::HostKubernetes,
                Target::Host,
                || format!("PV {} released: its claim is gone", name(&pv.metadata)),
                &[Rule::K4],
            );
            self.write_pv(pv);
        }
        changed
    }

    /// K4: every `Released` PV is reclaimed by its current policy.
    fn reclaim(&mut self) -> bool {
        let released: Vec<PersistentVolume> = self
            .objects
            .pvs()
            .filter(|pv| phase(pv) == "Released")
            .cloned()
            .collect();
        let mut changed = false;
        for mut pv in released {
            let pv_name = name(&pv.metadata).to_owned();
            match policy(&pv) {
                "Delete" => {
                    self.objects.remove_pv(&pv_name);
                    self.log.record(
                        Actor::HostKubernetes,
                        Target::Host,
                        || format!("PV {pv_name} deleted: released with reclaim policy Delete"),
                        &[Rule::K4],
                    );
                    self.destroy_disk(&pv_name, true);
                    changed = true;
                }
                "Recycle" => {
                    // The data is destroyed; the scrubbed volume is a fresh, empty disk.
                    if let Some(disk) = self
                        .disks
                        .values_mut()
                        .find(|d| d.pv.as_deref() == Some(pv_name.as_str()))
                    {
                        disk.exists = false;
                        disk.pv = None;
                        let old = disk.id.clone();
                        let fresh = self.ids.disk();
                        self.log.record(
                            Actor::HostKubernetes,
                            Target::Disk,
                            || format!("{old} scrubbed (data destroyed): PV {pv_name} recycled onto {fresh}"),
                            &[Rule::K4],
                        );
                        self.disks.insert(
                            fresh.clone(),
                            Disk {
                                id: fresh,
                                pv: Some(pv_name.clone()),
                                exists: true,
                            },
                        );
                    }
                    if let Some(spec) = pv.spec.as_mut() {
                        spec.claim_ref = None;
                    }
                    set_phase(&mut pv, "Available");
                    self.write_pv(pv);
                    changed = true;
                }
                _ => {}
            }
        }
        changed
    }

    /// K5: a PV whose deletion is requested goes once it is not `Bound`; its disk is destroyed
    /// when its policy is `Delete` (HonorPVReclaimPolicy), kept otherwise, with no PV left
    /// pointing at it.
    fn protect(&mut self) -> bool {
        let going: Vec<PersistentVolume> = self
            .objects
            .pvs()
            .filter(|pv| is_deleting(&pv.metadata) && phase(pv) != "Bound")
            .cloned()
            .collect();
        let changed = !going.is_empty();
        for pv in going {
            let pv_name = name(&pv.metadata).to_owned();
            self.objects.remove_pv(&pv_name);
            self.log.record(
                Actor::HostKubernetes,
                Target::Host,
                || format!("PV {pv_name} deleted: no longer bound (pv-protection released)"),
                &[Rule::K5],
            );
            self.destroy_disk(&pv_name, policy(&pv) == "Delete");
        }
        changed
    }

    /// The disk of a PV that is gone: destroyed, or kept with no PV pointing at it.
    fn destroy_disk(&mut self, pv: &str, destroy: bool) {
        let Some(disk) = self
            .disks
            .values_mut()
            .find(|d| d.pv.as_deref() == Some(pv))
        else {
            return;
        };
        disk.pv = None;
        if destroy && disk.exists {
            disk.exists = false;
            self.log.record(
                Actor::HostKubernetes,
                Target::Disk,
                || format!("{} destroyed with PV {pv}", disk.id),
                &[Rule::K4, Rule::K5],
            );
        } else {
            self.log.record(
                Actor::HostKubernetes,
                Target::Disk,
                || format!("{} kept: PV {pv} is gone, its data is retained", disk.id),
                &[Rule::K5],
            );
        }
    }

    /// K2: a PV without claimRef is `Available`.
    fn available(&mut self) -> bool {
        let waiting: Vec<PersistentVolume> = self
            .objects
            .pvs()
            .filter(|pv| !is_deleting(&pv.metadata))
            .filter(|pv| pv.spec.as_ref().is_none_or(|s| s.claim_ref.is_none()))
            .filter(|pv| phase(pv) != "Available")
            .cloned()
            .collect();
        let changed = !waiting.is_empty();
        for mut pv in waiting {
            set_phase(&mut pv, "Available");
            self.write_pv(pv);
        }
        changed
    }

    /// K2, K3: pending PVCs, oldest first, bind a PV (the one they name, or the smallest that
    /// fits); a dynamic PVC no PV fits gets a new PV and disk from its class.
    fn bind(&mut self) -> bool {
        let mut pending: Vec<PersistentVolumeClaim> = self
            .objects
            .pvcs()
            .filter(|pvc| !is_deleting(&pvc.metadata) && pvc_phase(pvc) != "Bound")
            .cloned()
            .collect();
        pending.sort_by(oldest_first);
        let mut changed = false;
        for pvc in pending {
            let chosen = match claimed_volume(&pvc) {
                Some(volume) => self
                    .objects
                    .pv(volume)
                    .filter(|pv| static_fit(pv, &pvc))
                    .cloned(),
                None => self.smallest_fit(&pvc).or_else(|| self.provision(&pvc)),
            };
            if let Some(pv) = chosen {
                self.bind_pair(pv, pvc);
                changed = true;
            } else if pvc_phase(&pvc) != "Pending" {
                // K2: a claim no PV can serve (yet) waits, as the PV controller marks it.
                let mut pvc = pvc;
                pvc.status
                    .get_or_insert_with(PersistentVolumeClaimStatus::default)
                    .phase = Some("Pending".to_owned());
                self.write_pvc(pvc);
                changed = true;
            }
        }
        changed
    }

    /// K2: the smallest `Available` PV of the PVC's class whose access modes include the
    /// requested ones, whose volume mode matches and whose capacity is at least the request
    /// (ties by name).
    fn smallest_fit(&self, pvc: &PersistentVolumeClaim) -> Option<PersistentVolume> {
        let request = requested(pvc)?;
        let spec = pvc.spec.as_ref()?;
        let wanted_modes = spec.access_modes.clone().unwrap_or_default();
        let class = spec.storage_class_name.as_deref().unwrap_or_default();
        let mode = spec.volume_mode.as_deref().unwrap_or("Filesystem");
        self.objects
            .pvs()
            .filter(|pv| !is_deleting(&pv.metadata))
            .filter(|pv| pv.spec.as_ref().is_some_and(|s| s.claim_ref.is_none()))
            .filter(|pv| pv_class(pv) == class)
            .filter(|pv| {
                let modes = pv
                    .spec
                    .as_ref()
                    .and_then(|s| s.access_modes.clone())
                    .unwrap_or_default();
                wanted_modes.iter().all(|m| modes.contains(m))
            })
            .filter(|pv| {
                pv.spec
                    .as_ref()
                    .and_then(|s| s.volume_mode.as_deref())
                    .unwrap_or("Filesystem")
                    == mode
            })
            .filter_map(|pv| Some((capacity(pv)?, pv)))
            .filter(|(size, _)| *size >= request)
            .min_by(|(a, x), (b, y)| {
                a.cmp(b)
                    .then_with(|| name(&x.metadata).cmp(name(&y.metadata)))
            })
            .map(|(_, pv)| pv.clone())
    }

    /// K3: a new PV `pvc-<PVC uid>` and its disk, from the PVC's class.
    fn provision(&mut self, pvc: &PersistentVolumeClaim) -> Option<PersistentVolume> {
        let spec = pvc.spec.as_ref()?;
        let class_name = spec
            .storage_class_name
            .as_deref()
            .filter(|c| !c.is_empty())?;
        let class: StorageClass = self.objects.storage_class(class_name)?.clone();
        if class.provisioner == NO_PROVISIONER {
            return None;
        }
        let uid = pvc.metadata.uid.as_deref()?;
        let pv_name = format!("pvc-{uid}");
        if self.objects.pv(&pv_name).is_some() {
            return None;
        }
        let disk_id = self.ids.disk();
        let mut pv = PersistentVolume {
            metadata: ObjectMeta {
                name: Some(pv_name.clone()),
                annotations: Some(BTreeMap::from([(
                    "pv.kubernetes.io/provisioned-by".to_owned(),
                    class.provisioner.clone(),
                )])),
                finalizers: Some(vec![PV_PROTECTION.to_owned()]),
                ..ObjectMeta::default()
            },
            spec: Some(PersistentVolumeSpec {
                access_modes: spec.access_modes.clone(),
                capacity: spec.resources.as_ref().and_then(|r| r.requests.clone()),
                csi: Some(CSIPersistentVolumeSource {
                    driver: class.provisioner.clone(),
                    volume_handle: disk_id.clone(),
                    ..CSIPersistentVolumeSource::default()
                }),
                mount_options: class.mount_options.clone(),
                persistent_volume_reclaim_policy: Some(
                    class
                        .reclaim_policy
                        .clone()
                        .unwrap_or_else(|| "Delete".to_owned()),
                ),
                storage_class_name: Some(class_name.to_owned()),
                volume_mode: spec.volume_mode.clone(),
                ..PersistentVolumeSpec::default()
            }),
            status: Some(PersistentVolumeStatus {
                phase: Some("Pending".to_owned()),
                ..PersistentVolumeStatus::default()
            }),
        };
        self.ids.create(&mut pv.metadata);
        self.disks.insert(
            disk_id.clone(),
            Disk {
                id: disk_id.clone(),
                pv: Some(pv_name.clone()),
                exists: true,
            },
        );
        self.log.record(
            Actor::HostKubernetes,
            Target::Disk,
            || {
                format!(
                    "{disk_id} provisioned by {} for PVC {}/{} as PV {pv_name}",
                    class.provisioner,
                    namespace(&pvc.metadata),
                    name(&pvc.metadata)
                )
            },
            &[Rule::K3],
        );
        Some(pv)
    }

    /// K2: PV and PVC bound to each other.
    fn bind_pair(&mut self, mut pv: PersistentVolume, mut pvc: PersistentVolumeClaim) {
        let pv_name = name(&pv.metadata).to_owned();
        let spec = pv.spec.get_or_insert_with(Default::default);
        spec.claim_ref = Some(ObjectReference {
            kind: Some("PersistentVolumeClaim".to_owned()),
            api_version: Some("v1".to_owned()),
            namespace: pvc.metadata.namespace.clone(),
            name: pvc.metadata.name.clone(),
            uid: pvc.metadata.uid.clone(),
            ..ObjectReference::default()
        });
        let capacity = spec.capacity.clone();
        let modes = spec.access_modes.clone();
        set_phase(&mut pv, "Bound");
        let claim_spec = pvc.spec.get_or_insert_with(Default::default);
        claim_spec.volume_name = Some(pv_name.clone());
        pvc.status = Some(PersistentVolumeClaimStatus {
            phase: Some("Bound".to_owned()),
            capacity,
            access_modes: modes,
            ..PersistentVolumeClaimStatus::default()
        });
        let annotations = pvc.metadata.annotations.get_or_insert_with(BTreeMap::new);
        annotations.insert(
            "pv.kubernetes.io/bind-completed".to_owned(),
            "yes".to_owned(),
        );
        annotations.insert(
            "pv.kubernetes.io/bound-by-controller".to_owned(),
            "yes".to_owned(),
        );
        self.log.record(
            Actor::HostKubernetes,
            Target::Host,
            || {
                format!(
                    "PVC {}/{} bound to PV {pv_name}",
                    namespace(&pvc.metadata),
                    name(&pvc.metadata)
                )
            },
            &[Rule::K2],
        );
        self.write_pv(pv);
        self.write_pvc(pvc);
    }
}

fn pvc_phase(pvc: &PersistentVolumeClaim) -> &str {
    pvc.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .unwrap_or_default()
}

/// Oldest first by creation time, then namespace/name.
fn oldest_first(a: &PersistentVolumeClaim, b: &PersistentVolumeClaim) -> Ordering {
    let age = |p: &PersistentVolumeClaim| p.metadata.creation_timestamp.as_ref().map(|t| t.0);
    age(a)
        .cmp(&age(b))
        .then_with(|| namespace(&a.metadata).cmp(namespace(&b.metadata)))
        .then_with(|| name(&a.metadata).cmp(name(&b.metadata)))
}

/// K2: a static binding: the PV is `Available` (or its claimRef names this PVC) and has the
/// PVC's class.
fn static_fit(pv: &PersistentVolume, pvc: &PersistentVolumeClaim) -> bool {
    if is_deleting(&pv.metadata) {
        return false;
    }
    let claim = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref());
    let free = match claim {
        None => true,
        Some(claim) => {
            claim.namespace == pvc.metadata.namespace
                && claim.name == pvc.metadata.name
                && claim.uid == pvc.metadata.uid
        }
    };
    let class = pvc
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_deref())
        .unwrap_or_default();
    free && pv_class(pv) == class
}

/// The PVC's storage request.
fn requested(pvc: &PersistentVolumeClaim) -> Option<Quantity> {
    pvc.spec
        .as_ref()?
        .resources
        .as_ref()?
        .requests
        .as_ref()?
        .get("storage")?
        .0
        .parse()
        .ok()
}

/// The PV's storage capacity.
fn capacity(pv: &PersistentVolume) -> Option<Quantity> {
    pv.spec
        .as_ref()?
        .capacity
        .as_ref()?
        .get("storage")?
        .0
        .parse()
        .ok()
}
