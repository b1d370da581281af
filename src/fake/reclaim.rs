//! F3 and `fakeReclaimPolicy`: the fake PV's reclaim policy.

use k8s_openapi::api::core::v1::PersistentVolume;
use k8s_openapi::api::storage::v1::StorageClass;

use crate::error::Error;
use crate::explain::{Input, Source};
use crate::object::storage_class_ref;
use crate::options::FakeReclaimPolicy;
use crate::reclaim::ReclaimPolicy;
use crate::validate::reclaim_policy_of;

const OPTION: &str = "fakeReclaimPolicy";
const PV_FIELD: &str = "spec.persistentVolumeReclaimPolicy";
const CLASS_FIELD: &str = "reclaimPolicy";

/// The fake PV's reclaim policy under `option`, with where it came from.
///
/// Only `Delete` (the default) ignores the host; every other value is an explicit opt-in.
pub(crate) fn fake_reclaim_policy(
    option: FakeReclaimPolicy,
    host_pv: Option<&PersistentVolume>,
    class: Option<&StorageClass>,
) -> Result<(ReclaimPolicy, Source), Error> {
    let with = |value: &'static str, from: Option<(Input, &'static str)>| Source::Option {
        name: OPTION,
        value,
        from,
    };
    Ok(match option {
        FakeReclaimPolicy::Delete => (ReclaimPolicy::Delete, Source::Constant),
        FakeReclaimPolicy::Retain => (ReclaimPolicy::Retain, with("Retain", None)),
        FakeReclaimPolicy::FromHostPv => match host_pv {
            Some(pv) => (
                from_pv(pv)?,
                with("FromHostPv", Some((Input::HostPv, PV_FIELD))),
            ),
            None => (ReclaimPolicy::Delete, with("FromHostPv", None)),
        },
        FakeReclaimPolicy::FromStorageClass => match class {
            Some(class) => (
                from_class(class)?,
                with(
                    "FromStorageClass",
                    Some((Input::HostStorageClass, CLASS_FIELD)),
                ),
            ),
            None => (ReclaimPolicy::Delete, with("FromStorageClass", None)),
        },
        FakeReclaimPolicy::Inherit => match (host_pv, class) {
            (Some(pv), _) => (
                from_pv(pv)?,
                with("Inherit", Some((Input::HostPv, PV_FIELD))),
            ),
            (None, Some(class)) => (
                from_class(class)?,
                with("Inherit", Some((Input::HostStorageClass, CLASS_FIELD))),
            ),
            (None, None) => (ReclaimPolicy::Delete, with("Inherit", None)),
        },
    })
}

/// A PV without the field counts as `Retain`, the API default for PersistentVolumes.
fn from_pv(pv: &PersistentVolume) -> Result<ReclaimPolicy, Error> {
    Ok(reclaim_policy_of(pv)?.unwrap_or(ReclaimPolicy::Retain))
}

/// A class without the field counts as `Delete`, the API default for StorageClasses.
pub(crate) fn from_class(class: &StorageClass) -> Result<ReclaimPolicy, Error> {
    match class.reclaim_policy.as_deref() {
        None => Ok(ReclaimPolicy::Delete),
        Some(text) => text
            .parse()
            .map_err(|e: crate::reclaim::UnknownReclaimPolicy| {
                Error::invalid(storage_class_ref(class), CLASS_FIELD, e.to_string())
            }),
    }
}
