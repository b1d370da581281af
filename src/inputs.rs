//! The inputs of one translation (SPEC §0) and the translator that holds the rest.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;

/// What a syncer knows about one volume at one moment. Every object is optional; each rule says
/// which ones it needs.
///
/// ```
/// # use k8s_openapi::api::core::v1::PersistentVolumeClaim;
/// use pv_translate::Inputs;
/// let pvc = PersistentVolumeClaim::default();
/// let inputs = Inputs::new().with_virtual_pvc(&pvc);
/// assert!(inputs.host_pv.is_none());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct Inputs<'a> {
    /// The virtual PersistentVolumeClaim.
    pub virtual_pvc: Option<&'a PersistentVolumeClaim>,
    /// The host PersistentVolume.
    pub host_pv: Option<&'a PersistentVolume>,
    /// The host StorageClass of the volume.
    pub host_storage_class: Option<&'a StorageClass>,
    /// The current virtual PersistentVolume, if one exists.
    pub virtual_pv: Option<&'a PersistentVolume>,
}

impl<'a> Inputs<'a> {
    /// No inputs.
    pub const fn new() -> Self {
        Self {
            virtual_pvc: None,
            host_pv: None,
            host_storage_class: None,
            virtual_pv: None,
        }
    }

    /// Sets the virtual PVC.
    pub const fn with_virtual_pvc(mut self, pvc: &'a PersistentVolumeClaim) -> Self {
        self.virtual_pvc = Some(pvc);
        self
    }

    /// Sets the host PV.
    pub const fn with_host_pv(mut self, pv: &'a PersistentVolume) -> Self {
        self.host_pv = Some(pv);
        self
    }

    /// Sets the host StorageClass.
    pub const fn with_host_storage_class(mut self, class: &'a StorageClass) -> Self {
        self.host_storage_class = Some(class);
        self
    }

    /// Sets the current virtual PV.
    pub const fn with_virtual_pv(mut self, pv: &'a PersistentVolume) -> Self {
        self.virtual_pv = Some(pv);
        self
    }
}
