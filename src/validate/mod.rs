//! Input validation: an object the API server would reject is an error, never half-translated
//! (SPEC F7, I7).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim, PersistentVolumeSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::error::{Error, ObjectRef};
use crate::object::{pv_ref, pvc_ref};
use crate::quantity::Quantity as ExactQuantity;
use crate::reclaim::ReclaimPolicy;

mod admission;

pub use admission::{admissible_pv, admissible_pvc, admissible_storage_class};
pub(crate) use admission::{is_dns1123_subdomain, is_name_part};

/// Access modes the API server accepts.
const ACCESS_MODES: [&str; 4] = [
    "ReadWriteOnce",
    "ReadOnlyMany",
    "ReadWriteMany",
    "ReadWriteOncePod",
];
/// Volume modes the API server accepts.
const VOLUME_MODES: [&str; 2] = ["Filesystem", "Block"];

/// F7: checks that a virtual PVC can back a fake PV: name, namespace, access modes and a storage
/// request, each valid (**deviation**: vcluster builds the PV anyway; the API server would reject
/// it).
pub fn validate_pvc(pvc: &PersistentVolumeClaim) -> Result<(), Error> {
    validate_claim_identity(pvc)?;
    let object = || pvc_ref(pvc);
    let spec = pvc.spec.as_ref();
    check_access_modes(&object, spec.and_then(|s| s.access_modes.as_deref()))?;
    check_volume_mode(&object, spec.and_then(|s| s.volume_mode.as_deref()))?;
    let requests = spec
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.as_ref());
    check_resources(&object, "spec.resources.requests", requests)
}

/// Checks that a PVC names itself: a name and a namespace. Every rule that maps a PVC to its host
/// copy (N2) needs both: an unnamed PVC would match a nameless claim. The rest of the PVC is
/// vcluster's to copy as it is (S4, P1).
pub fn validate_claim_identity(pvc: &PersistentVolumeClaim) -> Result<(), Error> {
    if pvc.metadata.name.as_deref().unwrap_or_default().is_empty() {
        return Err(Error::invalid(pvc_ref(pvc), "metadata.name", "missing"));
    }
    if pvc
        .metadata
        .namespace
        .as_deref()
        .unwrap_or_default()
        .is_empty()
    {
        return Err(Error::invalid(
            pvc_ref(pvc),
            "metadata.namespace",
            "missing",
        ));
    }
    Ok(())
}

/// I7: checks that a PV passes the API server's schema for the fields this crate reads or
/// writes: a valid storage capacity, exactly one volume source, access modes, a valid reclaim
/// policy and volume mode. Nothing is allocated unless there is an error to report.
pub fn validate_pv(pv: &PersistentVolume) -> Result<(), Error> {
    let object = || pv_ref(pv);
    if pv.metadata.name.as_deref().unwrap_or_default().is_empty() {
        return Err(Error::invalid(object(), "metadata.name", "missing"));
    }
    let spec = pv.spec.as_ref();
    check_resources(
        &object,
        "spec.capacity",
        spec.and_then(|s| s.capacity.as_ref()),
    )?;
    check_one_source(&object, spec)?;
    check_access_modes(&object, spec.and_then(|s| s.access_modes.as_deref()))?;
    check_volume_mode(&object, spec.and_then(|s| s.volume_mode.as_deref()))?;
    reclaim_policy_of(pv)?;
    Ok(())
}

/// The PV's reclaim policy; `Ok(None)` when unset, an error naming the field when invalid.
pub(crate) fn reclaim_policy_of(pv: &PersistentVolume) -> Result<Option<ReclaimPolicy>, Error> {
    let Some(text) = pv
        .spec
        .as_ref()
        .and_then(|s| s.persistent_volume_reclaim_policy.as_deref())
    else {
        return Ok(None);
    };
    text.parse()
        .map(Some)
        .map_err(|e: crate::reclaim::UnknownReclaimPolicy| {
            Error::invalid(
                pv_ref(pv),
                "spec.persistentVolumeReclaimPolicy",
                e.to_string(),
            )
        })
}

fn check_access_modes(
    object: &impl Fn() -> ObjectRef,
    modes: Option<&[String]>,
) -> Result<(), Error> {
    let modes = modes.unwrap_or_default();
    if modes.is_empty() {
        return Err(Error::invalid(
            object(),
            "spec.accessModes",
            "at least one access mode is required",
        ));
    }
    match modes.iter().find(|m| !ACCESS_MODES.contains(&m.as_str())) {
        Some(bad) => Err(Error::invalid(
            object(),
            "spec.accessModes",
            format!("unknown access mode {bad:?}"),
        )),
        None => Ok(()),
    }
}

fn check_volume_mode(object: &impl Fn() -> ObjectRef, mode: Option<&str>) -> Result<(), Error> {
    match mode {
        Some(m) if !VOLUME_MODES.contains(&m) => Err(Error::invalid(
            object(),
            "spec.volumeMode",
            format!("unknown volume mode {m:?} (want Filesystem or Block)"),
        )),
        _ => Ok(()),
    }
}

/// A resource map (requests or capacity) with a `storage` entry and only valid quantities.
pub(crate) fn check_resources(
    object: &impl Fn() -> ObjectRef,
    field: &str,
    map: Option<&BTreeMap<String, Quantity>>,
) -> Result<(), Error> {
    let map = map
        .filter(|m| m.contains_key("storage"))
        .ok_or_else(|| Error::invalid(object(), format!("{field}.storage"), "missing"))?;
    for (resource, quantity) in map {
        check_quantity(object, field, resource, &quantity.0)?;
    }
    Ok(())
}

/// The inline volume sources a PV spec sets, by their JSON names (typed: no serialisation).
pub(crate) fn volume_sources(spec: &PersistentVolumeSpec) -> impl Iterator<Item = &'static str> {
    [
        (
            "awsElasticBlockStore",
            spec.aws_elastic_block_store.is_some(),
        ),
        ("azureDisk", spec.azure_disk.is_some()),
        ("azureFile", spec.azure_file.is_some()),
        ("cephfs", spec.cephfs.is_some()),
        ("cinder", spec.cinder.is_some()),
        ("csi", spec.csi.is_some()),
        ("fc", spec.fc.is_some()),
        ("flexVolume", spec.flex_volume.is_some()),
        ("flocker", spec.flocker.is_some()),
        ("gcePersistentDisk", spec.gce_persistent_disk.is_some()),
        ("glusterfs", spec.glusterfs.is_some()),
        ("hostPath", spec.host_path.is_some()),
        ("iscsi", spec.iscsi.is_some()),
        ("local", spec.local.is_some()),
        ("nfs", spec.nfs.is_some()),
        (
            "photonPersistentDisk",
            spec.photon_persistent_disk.is_some(),
        ),
        ("portworxVolume", spec.portworx_volume.is_some()),
        ("quobyte", spec.quobyte.is_some()),
        ("rbd", spec.rbd.is_some()),
        ("scaleIO", spec.scale_io.is_some()),
        ("storageos", spec.storageos.is_some()),
        ("vsphereVolume", spec.vsphere_volume.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, set)| set.then_some(name))
}

/// A PV names exactly one volume source (the API server rejects none or several).
fn check_one_source(
    object: &impl Fn() -> ObjectRef,
    spec: Option<&PersistentVolumeSpec>,
) -> Result<(), Error> {
    let count = spec.map_or(0, |s| volume_sources(s).count());
    match count {
        1 => Ok(()),
        0 => Err(Error::invalid(object(), "spec", "no volume source")),
        _ => {
            let several: Vec<&str> = spec
                .map(|s| volume_sources(s).collect())
                .unwrap_or_default();
            Err(Error::invalid(
                object(),
                "spec",
                format!(
                    "several volume sources ({}); exactly one is allowed",
                    several.join(", ")
                ),
            ))
        }
    }
}

fn check_quantity(
    object: &impl Fn() -> ObjectRef,
    field: &str,
    resource: &str,
    text: &str,
) -> Result<(), Error> {
    let at = || format!("{field}.{resource}");
    match text.parse::<ExactQuantity>() {
        Ok(q) if q.is_negative() => Err(Error::invalid(
            object(),
            at(),
            format!("negative quantity {text:?}"),
        )),
        Ok(_) => Ok(()),
        Err(e) => Err(Error::invalid(object(), at(), e.to_string())),
    }
}
