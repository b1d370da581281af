//! Both clusters at one moment (SPEC R1): every PVC, PV and StorageClass of the virtual cluster
//! and of the host cluster, indexed once, so that every whole-cluster function looks objects up
//! instead of scanning (R4).

use std::collections::HashMap;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;

use crate::error::{Error, ObjectRef};
use crate::object::{annotation, claimed_volume, name, namespace};
use crate::wellknown::HOST_PV_ANNOTATION;

/// The PVs, PVCs and StorageClasses of one cluster, with their indexes.
///
/// ```
/// use k8s_openapi::api::core::v1::PersistentVolume;
/// use pv_translate::snapshot::Objects;
/// let pv: PersistentVolume = serde_json::from_value(serde_json::json!({"metadata": {"name": "a"}}))?;
/// let objects = Objects::new(vec![], vec![pv], vec![])?;
/// assert!(objects.pv("a").is_some());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Objects {
    pvcs: Vec<PersistentVolumeClaim>,
    pvs: Vec<PersistentVolume>,
    classes: Vec<StorageClass>,
    pvc_by_key: HashMap<(String, String), usize>,
    pvcs_by_volume: HashMap<String, Vec<usize>>,
    pv_by_name: HashMap<String, usize>,
    pv_by_host_pv: HashMap<String, Vec<usize>>,
    pv_by_claim: HashMap<(String, String), Vec<usize>>,
    class_by_name: HashMap<String, usize>,
}

/// A duplicate or unnamed object: the snapshot cannot say which one is meant.
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
    /// One cluster's objects, in any order; they are sorted (by namespace and name) and indexed.
    ///
    /// # Errors
    ///
    /// An object without a name, a PVC without a namespace, or two objects of one kind with the
    /// same name (and namespace).
    pub fn new(
        mut pvcs: Vec<PersistentVolumeClaim>,
        mut pvs: Vec<PersistentVolume>,
        mut classes: Vec<StorageClass>,
    ) -> Result<Self, Error> {
        pvcs.sort_by(|a, b| {
            (namespace(&a.metadata), name(&a.metadata))
                .cmp(&(namespace(&b.metadata), name(&b.metadata)))
        });
        pvs.sort_by(|a, b| name(&a.metadata).cmp(name(&b.metadata)));
        classes.sort_by(|a, b| name(&a.metadata).cmp(name(&b.metadata)));
        let mut objects = Self {
            pvcs,
            pvs,
            classes,
            ..Self::default()
        };
        objects.index()?;
        Ok(objects)
    }

    fn index(&mut self) -> Result<(), Error> {
        for (i, pvc) in self.pvcs.iter().enumerate() {
            let key = (
                namespace(&pvc.metadata).to_owned(),
                name(&pvc.metadata).to_owned(),
            );
            let object = || ObjectRef::new("PersistentVolumeClaim", &pvc.metadata);
            if key.0.is_empty() {
                return Err(Error::invalid(object(), "metadata.namespace", "missing"));
            }
            if key.1.is_empty() {
                return Err(unnamed(object()));
            }
            if self.pvc_by_key.insert(key, i).is_some() {
                return Err(duplicate(object()));
            }
            if let Some(volume) = claimed_volume(pvc) {
                self.pvcs_by_volume
                    .entry(volume.to_owned())
                    .or_default()
                    .push(i);
            }
        }
        for (i, pv) in self.pvs.iter().enumerate() {
            let object = || ObjectRef::new("PersistentVolume", &pv.metadata);
            let pv_name = name(&pv.metadata);
            if pv_name.is_empty() {
                return Err(unnamed(object()));
            }
            if self.pv_by_name.insert(pv_name.to_owned(), i).is_some() {
                return Err(duplicate(object()));
            }
            if let Some(host) =
                annotation(&pv.metadata, HOST_PV_ANNOTATION).filter(|h| !h.is_empty())
            {
                self.pv_by_host_pv
                    .entry(host.to_owned())
                    .or_default()
                    .push(i);
            }
            if let Some(claim) = pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref()) {
                let key = (
                    claim.namespace.clone().unwrap_or_default(),
                    claim.name.clone().unwrap_or_default(),
                );
                self.pv_by_claim.entry(key).or_default().push(i);
            }
        }
        for (i, class) in self.classes.iter().enumerate() {
            let object = || ObjectRef::new("StorageClass", &class.metadata);
            let class_name = name(&class.metadata);
            if class_name.is_empty() {
                return Err(unnamed(object()));
            }
            if self
                .class_by_name
                .insert(class_name.to_owned(), i)
                .is_some()
            {
                return Err(duplicate(object()));
            }
        }
        Ok(())
    }

    /// Every PVC, by namespace and name.
    pub fn pvcs(&self) -> &[PersistentVolumeClaim] {
        &self.pvcs
    }

    /// Every PV, by name.
    pub fn pvs(&self) -> &[PersistentVolume] {
        &self.pvs
    }

    /// Every StorageClass, by name.
    pub fn storage_classes(&self) -> &[StorageClass] {
        &self.classes
    }

    /// The PVC `namespace/name`.
    pub fn pvc(&self, namespace: &str, name: &str) -> Option<&PersistentVolumeClaim> {
        let i = self
            .pvc_by_key
            .get(&(namespace.to_owned(), name.to_owned()))?;
        self.pvcs.get(*i)
    }

    /// The PVCs whose `spec.volumeName` is `volume`.
    pub fn pvcs_naming(&self, volume: &str) -> impl Iterator<Item = &PersistentVolumeClaim> {
        self.pvcs_by_volume
            .get(volume)
            .into_iter()
            .flatten()
            .filter_map(|i| self.pvcs.get(*i))
    }

    /// The PV `name`.
    pub fn pv(&self, name: &str) -> Option<&PersistentVolume> {
        self.pvs.get(*self.pv_by_name.get(name)?)
    }

    /// The PVs whose `vcluster.loft.sh/host-pv` is `host_name` (virtual cluster).
    pub fn pvs_mirroring(&self, host_name: &str) -> impl Iterator<Item = &PersistentVolume> {
        self.pv_by_host_pv
            .get(host_name)
            .into_iter()
            .flatten()
            .filter_map(|i| self.pvs.get(*i))
    }

    /// The PVs whose claimRef names `namespace/name` (host cluster).
    pub fn pvs_claimed_by(
        &self,
        namespace: &str,
        name: &str,
    ) -> impl Iterator<Item = &PersistentVolume> {
        self.pv_by_claim
            .get(&(namespace.to_owned(), name.to_owned()))
            .into_iter()
            .flatten()
            .filter_map(|i| self.pvs.get(*i))
    }

    /// The StorageClass `name`.
    pub fn storage_class(&self, name: &str) -> Option<&StorageClass> {
        self.classes.get(*self.class_by_name.get(name)?)
    }

    /// The default StorageClass (K1): marked by either default-class annotation; the newest when
    /// several are (by `creationTimestamp`, then name).
    pub fn default_storage_class(&self) -> Option<&StorageClass> {
        self.classes
            .iter()
            .filter(|c| crate::object::is_default_class(c))
            .max_by(|a, b| {
                a.metadata
                    .creation_timestamp
                    .as_ref()
                    .map(|t| t.0)
                    .cmp(&b.metadata.creation_timestamp.as_ref().map(|t| t.0))
                    .then_with(|| name(&b.metadata).cmp(name(&a.metadata)))
            })
    }

    /// Whether the cluster holds no object.
    pub fn is_empty(&self) -> bool {
        self.pvcs.is_empty() && self.pvs.is_empty() && self.classes.is_empty()
    }
}

/// Both clusters at one moment (SPEC R1). Objects outside `H` may be present; rules read them
/// only where they say so.
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
