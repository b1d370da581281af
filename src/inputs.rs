//! The inputs of one translation (SPEC §0): what a syncer knows about one volume at one moment.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;

/// What a syncer knows about one volume at one moment. Every object is optional; each rule says
/// which ones it reads. The `with_` setters take objects a caller holds; an `Option` from a
/// cache lookup is assigned to the field directly (`inputs.host_pvc = cache.get(...)`).
///
/// ```
/// # use k8s_openapi::api::core::v1::PersistentVolumeClaim;
/// use pv_translate::Inputs;
/// let pvc = PersistentVolumeClaim::default();
/// let inputs = Inputs::new().with_virtual_pvc(&pvc);
/// assert!(inputs.host_pv.is_none());
/// ```
#[derive(Debug, Clone, Copy, Default)]
#[non_exhaustive]
pub struct Inputs<'a> {
    /// The virtual PersistentVolumeClaim.
    pub virtual_pvc: Option<&'a PersistentVolumeClaim>,
    /// The host PersistentVolumeClaim (N2 of the virtual one in `H`), if it exists.
    pub host_pvc: Option<&'a PersistentVolumeClaim>,
    /// The host PersistentVolume.
    pub host_pv: Option<&'a PersistentVolume>,
    /// The host StorageClass of the volume's class. In sync mode its absence means the host has
    /// no class of that name (P1, C3); in fake mode it is only read by options.
    pub host_storage_class: Option<&'a StorageClass>,
    /// The current virtual PersistentVolume, if one exists.
    pub virtual_pv: Option<&'a PersistentVolume>,
    /// The virtual PV as it was at the last settled sync (SPEC R2), if the caller keeps one.
    pub last_virtual_pv: Option<&'a PersistentVolume>,
    /// The host PV as it was at the last settled sync (SPEC R2): B1 and D2 read it.
    pub last_host_pv: Option<&'a PersistentVolume>,
    /// The host PVC as it was at the last settled sync (SPEC R2): P4 and U1 read it.
    pub last_host_pvc: Option<&'a PersistentVolumeClaim>,
    /// The name of a host PV, other than the tenant PV's own host copy, whose storage the
    /// tenant PV `virtual_pv` names too ([`crate::sync::VolumeIdentity::overlaps`]), when the
    /// caller knows one: nothing is then written to the host for it (SPEC T2, one disk, one PV).
    /// The plan fills it from the snapshot; a caller of the single-object calls checks its own
    /// cache of host PVs.
    pub same_storage: Option<&'a str>,
    /// The virtual PVC as it was at the last settled sync (SPEC R2): U1 reads it.
    pub last_virtual_pvc: Option<&'a PersistentVolumeClaim>,
}

impl<'a> Inputs<'a> {
    /// No inputs.
    pub const fn new() -> Self {
        Self {
            virtual_pvc: None,
            host_pvc: None,
            host_pv: None,
            host_storage_class: None,
            virtual_pv: None,
            last_virtual_pv: None,
            last_host_pv: None,
            last_host_pvc: None,
            same_storage: None,
            last_virtual_pvc: None,
        }
    }

    /// Sets the virtual PVC.
    #[must_use]
    pub const fn with_virtual_pvc(mut self, pvc: &'a PersistentVolumeClaim) -> Self {
        self.virtual_pvc = Some(pvc);
        self
    }

    /// Sets the host PVC.
    #[must_use]
    pub const fn with_host_pvc(mut self, pvc: &'a PersistentVolumeClaim) -> Self {
        self.host_pvc = Some(pvc);
        self
    }

    /// Sets the host PV.
    #[must_use]
    pub const fn with_host_pv(mut self, pv: &'a PersistentVolume) -> Self {
        self.host_pv = Some(pv);
        self
    }

    /// Sets the host StorageClass.
    #[must_use]
    pub const fn with_host_storage_class(mut self, class: &'a StorageClass) -> Self {
        self.host_storage_class = Some(class);
        self
    }

    /// Sets the current virtual PV.
    #[must_use]
    pub const fn with_virtual_pv(mut self, pv: &'a PersistentVolume) -> Self {
        self.virtual_pv = Some(pv);
        self
    }

    /// Sets both PVs as they were at the last settled sync (R2).
    #[must_use]
    pub const fn with_last_pvs(
        mut self,
        virtual_pv: Option<&'a PersistentVolume>,
        host_pv: Option<&'a PersistentVolume>,
    ) -> Self {
        self.last_virtual_pv = virtual_pv;
        self.last_host_pv = host_pv;
        self
    }

    /// Sets the host PVC as it was at the last settled sync (R2, P4).
    #[must_use]
    pub const fn with_last_host_pvc(mut self, pvc: &'a PersistentVolumeClaim) -> Self {
        self.last_host_pvc = Some(pvc);
        self
    }

    /// Sets the virtual PVC as it was at the last settled sync (R2, U1).
    #[must_use]
    pub const fn with_last_virtual_pvc(mut self, pvc: &'a PersistentVolumeClaim) -> Self {
        self.last_virtual_pvc = Some(pvc);
        self
    }
}
