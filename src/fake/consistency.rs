//! F4: the host objects given must describe the PVC's own volume.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;

use crate::context::Context;
use crate::error::Error;
use crate::mode::StorageClassMode;
use crate::object::{
    claimed_volume, is_default_class, name, name_error, pv_ref, pvc_class, pvc_ref,
    storage_class_ref,
};

/// F4: a host PV must be the one the PVC names; a host class must be the PVC's (its N3 name in
/// `ToHost` mode) or, for a PVC without class, a default class (either default-class key). The
/// current virtual PV of a bound PVC must carry the PVC's volume name.
pub(crate) fn check(
    pvc: &PersistentVolumeClaim,
    host_pv: Option<&PersistentVolume>,
    host_class: Option<&StorageClass>,
    current: Option<&PersistentVolume>,
    context: &Context,
) -> Result<(), Error> {
    let volume = claimed_volume(pvc).unwrap_or_default();
    // An unbound PVC names no PV: a current virtual PV is then simply unclaimed (F5).
    let current = current.filter(|_| !volume.is_empty());
    for (pv, what) in [(host_pv, "host"), (current, "virtual")] {
        if let Some(pv) = pv
            && name(&pv.metadata) != volume
        {
            return Err(Error::inconsistent(
                pv_ref(pv),
                "metadata.name",
                format!(
                    "the {what} PV is not the one the virtual PVC names in spec.volumeName ({volume:?})"
                ),
            ));
        }
    }
    let Some(class) = host_class else {
        return Ok(());
    };
    let class_name = name(&class.metadata);
    match pvc_class(pvc) {
        None if !is_default_class(class) => Err(Error::inconsistent(
            storage_class_ref(class),
            "metadata.annotations",
            "the virtual PVC has no storageClassName and this class is not marked default \
             (storageclass.kubernetes.io/is-default-class or \
             storageclass.beta.kubernetes.io/is-default-class: \"true\")",
        )),
        None => Ok(()),
        Some("") => Err(Error::inconsistent(
            storage_class_ref(class),
            "metadata.name",
            "the virtual PVC asks for no class (storageClassName: \"\")",
        )),
        Some(wanted) => {
            let expected = if context.mode().storage_classes == StorageClassMode::ToHost {
                context
                    .cluster()
                    .host_name_cluster(wanted)
                    .map_err(name_error(pvc_ref(pvc), "spec.storageClassName"))?
            } else {
                wanted.to_owned()
            };
            if class_name == expected {
                Ok(())
            } else {
                Err(Error::inconsistent(
                    storage_class_ref(class),
                    "metadata.name",
                    format!(
                        "the virtual PVC's class is {wanted:?}, so the host class is {expected:?}"
                    ),
                ))
            }
        }
    }
}
