//! F4: the host objects given must describe the PVC's own volume.

use k8s_openapi::api::core::v1::PersistentVolumeClaim;

use crate::cluster::VirtualCluster;
use crate::error::Error;
use crate::fake::claimed_volume;
use crate::inputs::Inputs;
use crate::object::{is_default_class, name, pv_ref, storage_class_ref};

/// F4: a host PV must be the one the PVC names; a host class must be the PVC's (its N3 name in
/// `ToHost` mode) or, for a PVC without class, the default class. The current virtual PV of a
/// bound PVC must carry the PVC's volume name.
pub(crate) fn check(
    pvc: &PersistentVolumeClaim,
    inputs: &Inputs<'_>,
    cluster: &VirtualCluster,
    class_translated: bool,
) -> Result<(), Error> {
    let volume = claimed_volume(pvc).unwrap_or_default();
    // An unbound PVC names no PV: a current virtual PV is then simply unclaimed (F5).
    let current = inputs.virtual_pv.filter(|_| !volume.is_empty());
    for (pv, what) in [(inputs.host_pv, "host"), (current, "virtual")] {
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
    let Some(class) = inputs.host_storage_class else {
        return Ok(());
    };
    let class_name = name(&class.metadata);
    match pvc
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_deref())
    {
        None if !is_default_class(class) => Err(Error::inconsistent(
            storage_class_ref(class),
            "metadata.annotations",
            "the virtual PVC has no storageClassName and this class is not marked \
             storageclass.kubernetes.io/is-default-class: \"true\"",
        )),
        None => Ok(()),
        Some("") => Err(Error::inconsistent(
            storage_class_ref(class),
            "metadata.name",
            "the virtual PVC asks for no class (storageClassName: \"\")",
        )),
        Some(wanted) => {
            let expected = if class_translated {
                cluster.host_name_cluster(wanted)
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
