//! Both clusters at one moment (SPEC R1): every PVC, PV and StorageClass of the virtual cluster
//! and of the host cluster, indexed once, so that every whole-cluster function looks objects up
//! instead of scanning (R4).
//!
//! Objects are shared (`Arc`): cloning a snapshot, as a syncer does to keep the previous one
//! (R2), copies no object. The secondary indexes (PVC by volume, PV by `host-pv`, PV by claim)
//! are built on first use and dropped by any change, so a snapshot kept only for name lookups
//! never pays for them. A controller can keep one snapshot up to date from watch events with
//! [`Objects::insert_pv`], [`Objects::remove_pv`] and their twins.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, OnceLock};

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;

use crate::error::{Error, ObjectRef};
use crate::object::{annotation, claimed_volume, is_default_class, name, namespace};
use crate::wellknown::HOST_PV_ANNOTATION;

/// The indexes built on first use.
#[derive(Debug, Default)]
struct Indexes {
    /// `spec.volumeName` -> PVCs `(namespace, name)`.
    pvcs_by_volume: HashMap<String, Vec<(String, String)>>,
    /// `vcluster.loft.sh/host-pv` -> PV names.
    pvs_by_host_pv: HashMap<String, Vec<String>>,
    /// claimRef `(namespace, name)` -> PV names.
    pvs_by_claim: HashMap<(String, String), Vec<String>>,
}

/// The PVs, PVCs and StorageClasses of one cluster, with their indexes.
///
/// ```
/// use k8s_openapi::api::core::v1::PersistentVolume;
/// use pv_translate::snapshot::Objects;
/// let pv: PersistentVolume = serde_json::from_value(serde_json::json!({"metadata": {"name": "a"}}))?;
/// let mut objects = Objects::new(vec![], vec![pv], vec![])?;
/// assert!(objects.pv("a").is_some());
/// objects.remove_pv("a");
/// assert!(objects.pv("a").is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Default)]
pub struct Objects {
    // Each kind is held twice, sharing the objects: ordered for deterministic iteration, hashed
    // for lookups. A B-tree lookup at 100,000 names follows ~17 string keys through the heap,
    // which made the plan's time per object grow with the cluster (R4).
    pvcs: BTreeMap<String, BTreeMap<String, Arc<PersistentVolumeClaim>>>,
    pvcs_by_name: HashMap<String, HashMap<String, Arc<PersistentVolumeClaim>>>,
    pvs: BTreeMap<String, Arc<PersistentVolume>>,
    pvs_by_name: HashMap<String, Arc<PersistentVolume>>,
    classes: BTreeMap<String, Arc<StorageClass>>,
    indexes: OnceLock<Indexes>,
}

impl Clone for Objects {
    /// Shares every object; the indexes are rebuilt by the clone when it needs them.
    fn clone(&self) -> Self {
        Self {
            pvcs: self.pvcs.clone(),
            pvcs_by_name: self.pvcs_by_name.clone(),
            pvs: self.pvs.clone(),
            pvs_by_name: self.pvs_by_name.clone(),
            classes: self.classes.clone(),
            indexes: OnceLock::new(),
        }
    }
}

impl std::fmt::Debug for Objects {
    /// The objects in order; the hashed lookups and the indexes hold the same objects.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Objects")
            .field("pvcs", &self.pvcs)
            .field("pvs", &self.pvs)
            .field("classes", &self.classes)
            .finish_non_exhaustive()
    }
}

impl PartialEq for Objects {
    fn eq(&self, other: &Self) -> bool {
        self.pvcs == other.pvcs && self.pvs == other.pvs && self.classes == other.classes
    }
}

/// A duplicate object: the snapshot cannot say which one is meant.
fn duplicate(object: ObjectRef) -> Error {
    Error::inconsistent(
        object,
        "metadata.name",
        "another object of the same kind has this name",
    )
}

fn unnamed(object: ObjectRef) -> Error {
    Error::invalid(object, "metadata.name", "missing")
}

impl Objects {
    /// One cluster's objects, in any order.
    ///
    /// # Errors
    ///
    /// An object without a name, a PVC without a namespace, or two objects of one kind with the
    /// same name (and namespace).
    pub fn new(
        pvcs: Vec<PersistentVolumeClaim>,
        pvs: Vec<PersistentVolume>,
        classes: Vec<StorageClass>,
    ) -> Result<Self, Error> {
        let mut objects = Self::default();
        for pvc in pvcs {
            let object = ObjectRef::new("PersistentVolumeClaim", &pvc.metadata);
            if objects.insert_pvc(pvc)?.is_some() {
                return Err(duplicate(object));
            }
        }
        for pv in pvs {
            let object = ObjectRef::new("PersistentVolume", &pv.metadata);
            if objects.insert_pv(pv)?.is_some() {
                return Err(duplicate(object));
            }
        }
        for class in classes {
            let object = ObjectRef::new("StorageClass", &class.metadata);
            if objects.insert_storage_class(class)?.is_some() {
                return Err(duplicate(object));
            }
        }
        Ok(objects)
    }

    /// Adds or replaces a PVC; returns the one it replaces.
    ///
    /// # Errors
    ///
    /// A PVC without a name or namespace.
    pub fn insert_pvc(
        &mut self,
        pvc: PersistentVolumeClaim,
    ) -> Result<Option<Arc<PersistentVolumeClaim>>, Error> {
        let (pvc_namespace, pvc_name) = (
            namespace(&pvc.metadata).to_owned(),
            name(&pvc.metadata).to_owned(),
        );
        let object = || ObjectRef::new("PersistentVolumeClaim", &pvc.metadata);
        if pvc_namespace.is_empty() {
            return Err(Error::invalid(object(), "metadata.namespace", "missing"));
        }
        if pvc_name.is_empty() {
            return Err(unnamed(object()));
        }
        self.indexes.take();
        let pvc = Arc::new(pvc);
        self.pvcs_by_name
            .entry(pvc_namespace.clone())
            .or_default()
            .insert(pvc_name.clone(), Arc::clone(&pvc));
        Ok(self
            .pvcs
            .entry(pvc_namespace)
            .or_default()
            .insert(pvc_name, pvc))
    }

    /// Removes the PVC `namespace/name`; returns it.
    pub fn remove_pvc(
        &mut self,
        namespace: &str,
        name: &str,
    ) -> Option<Arc<PersistentVolumeClaim>> {
        let in_namespace = self.pvcs.get_mut(namespace)?;
        let removed = in_namespace.remove(name)?;
        if in_namespace.is_empty() {
            self.pvcs.remove(namespace);
        }
        if let Some(in_namespace) = self.pvcs_by_name.get_mut(namespace) {
            in_namespace.remove(name);
            if in_namespace.is_empty() {
                self.pvcs_by_name.remove(namespace);
            }
        }
        self.indexes.take();
        Some(removed)
    }

    /// Adds or replaces a PV; returns the one it replaces.
    ///
    /// # Errors
    ///
    /// A PV without a name.
    pub fn insert_pv(
        &mut self,
        pv: PersistentVolume,
    ) -> Result<Option<Arc<PersistentVolume>>, Error> {
        let pv_name = name(&pv.metadata).to_owned();
        if pv_name.is_empty() {
            return Err(unnamed(ObjectRef::new("PersistentVolume", &pv.metadata)));
        }
        self.indexes.take();
        let pv = Arc::new(pv);
        self.pvs_by_name.insert(pv_name.clone(), Arc::clone(&pv));
        Ok(self.pvs.insert(pv_name, pv))
    }

    /// Removes the PV `name`; returns it.
    pub fn remove_pv(&mut self, name: &str) -> Option<Arc<PersistentVolume>> {
        let removed = self.pvs.remove(name)?;
        self.pvs_by_name.remove(name);
        self.indexes.take();
        Some(removed)
    }

    /// Adds or replaces a StorageClass; returns the one it replaces.
    ///
    /// # Errors
    ///
    /// A class without a name.
    pub fn insert_storage_class(
        &mut self,
        class: StorageClass,
    ) -> Result<Option<Arc<StorageClass>>, Error> {
        let class_name = name(&class.metadata).to_owned();
        if class_name.is_empty() {
            return Err(unnamed(ObjectRef::new("StorageClass", &class.metadata)));
        }
        Ok(self.classes.insert(class_name, Arc::new(class)))
    }

    /// Removes the StorageClass `name`; returns it.
    pub fn remove_storage_class(&mut self, name: &str) -> Option<Arc<StorageClass>> {
        self.classes.remove(name)
    }

    fn indexes(&self) -> &Indexes {
        self.indexes.get_or_init(|| {
            let mut indexes = Indexes::default();
            for pvc in self.pvcs() {
                if let Some(volume) = claimed_volume(pvc) {
                    indexes
                        .pvcs_by_volume
                        .entry(volume.to_owned())
                        .or_default()
                        .push((
                            namespace(&pvc.metadata).to_owned(),
                            name(&pvc.metadata).to_owned(),
                        ));
                }
            }
            for pv in self.pvs() {
                let pv_name = name(&pv.metadata);
                if let Some(host) =
                    annotation(&pv.metadata, HOST_PV_ANNOTATION).filter(|h| !h.is_empty())
                {
                    indexes
                        .pvs_by_host_pv
                        .entry(host.to_owned())
                        .or_default()
                        .push(pv_name.to_owned());
                }
                if let Some(claim) = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) {
                    let key = (
                        claim.namespace.clone().unwrap_or_default(),
                        claim.name.clone().unwrap_or_default(),
                    );
                    indexes
                        .pvs_by_claim
                        .entry(key)
                        .or_default()
                        .push(pv_name.to_owned());
                }
            }
            indexes
        })
    }

    /// Every PVC, by namespace and name.
    pub fn pvcs(&self) -> impl Iterator<Item = &PersistentVolumeClaim> {
        self.pvcs.values().flat_map(|m| m.values()).map(|p| &**p)
    }

    /// Every PV, by name.
    pub fn pvs(&self) -> impl Iterator<Item = &PersistentVolume> {
        self.pvs.values().map(|p| &**p)
    }

    /// Every StorageClass, by name.
    pub fn storage_classes(&self) -> impl Iterator<Item = &StorageClass> {
        self.classes.values().map(|c| &**c)
    }

    /// The PVC `namespace/name`.
    pub fn pvc(&self, namespace: &str, name: &str) -> Option<&PersistentVolumeClaim> {
        self.pvcs_by_name.get(namespace)?.get(name).map(|p| &**p)
    }

    /// The PVCs whose `spec.volumeName` is `volume`.
    pub fn pvcs_naming(&self, volume: &str) -> impl Iterator<Item = &PersistentVolumeClaim> {
        self.indexes()
            .pvcs_by_volume
            .get(volume)
            .into_iter()
            .flatten()
            .filter_map(|(ns, n)| self.pvc(ns, n))
    }

    /// The PV `name`.
    pub fn pv(&self, name: &str) -> Option<&PersistentVolume> {
        self.pvs_by_name.get(name).map(|p| &**p)
    }

    /// The PVs whose `vcluster.loft.sh/host-pv` is `host_name` (virtual cluster).
    pub fn pvs_mirroring(&self, host_name: &str) -> impl Iterator<Item = &PersistentVolume> {
        self.indexes()
            .pvs_by_host_pv
            .get(host_name)
            .into_iter()
            .flatten()
            .filter_map(|n| self.pv(n))
    }

    /// The PVs whose claimRef names `namespace/name` (host cluster).
    pub fn pvs_claimed_by(
        &self,
        namespace: &str,
        name: &str,
    ) -> impl Iterator<Item = &PersistentVolume> {
        self.indexes()
            .pvs_by_claim
            .get(&(namespace.to_owned(), name.to_owned()))
            .into_iter()
            .flatten()
            .filter_map(|n| self.pv(n))
    }

    /// The StorageClass `name`.
    pub fn storage_class(&self, name: &str) -> Option<&StorageClass> {
        self.classes.get(name).map(|c| &**c)
    }

    /// The default StorageClass (K1): marked by either default-class annotation; the newest when
    /// several are (by `creationTimestamp`, then name).
    pub fn default_storage_class(&self) -> Option<&StorageClass> {
        self.storage_classes()
            .filter(|c| is_default_class(c))
            .max_by(|a, b| {
                a.metadata
                    .creation_timestamp
                    .as_ref()
                    .map(|t| t.0)
                    .cmp(&b.metadata.creation_timestamp.as_ref().map(|t| t.0))
                    .then_with(|| name(&b.metadata).cmp(name(&a.metadata)))
            })
    }

    /// How many objects the cluster holds.
    pub fn len(&self) -> usize {
        self.pvcs
            .values()
            .map(BTreeMap::len)
            .sum::<usize>()
            .saturating_add(self.pvs.len())
            .saturating_add(self.classes.len())
    }

    /// Whether the cluster holds no object.
    pub fn is_empty(&self) -> bool {
        self.pvcs.is_empty() && self.pvs.is_empty() && self.classes.is_empty()
    }
}

/// Both clusters at one moment (SPEC R1). Objects outside `H` may be present; rules read them
/// only where they say so. Cloning shares the objects.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    /// The virtual cluster's objects.
    pub virtual_cluster: Objects,
    /// The host cluster's objects.
    pub host_cluster: Objects,
}

impl Snapshot {
    /// A snapshot of both clusters.
    pub fn new(virtual_cluster: Objects, host_cluster: Objects) -> Self {
        Self {
            virtual_cluster,
            host_cluster,
        }
    }
}
