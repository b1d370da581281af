//! F2: the fake PV, field for field as vcluster builds it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    FlexPersistentVolumeSource, ObjectReference, PersistentVolume, PersistentVolumeClaim,
    PersistentVolumeSpec, PersistentVolumeStatus,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::canonical;
use crate::error::Error;
use crate::explain::{Input, Rule, Source, Why};
use crate::object::{pv_ref, string_map};
use crate::options::{FakeCapacity, Options};
use crate::reclaim::ReclaimPolicy;
use crate::validate::check_resources;
use crate::wellknown::{
    BOUND_BY_CONTROLLER_ANNOTATION, CREATED_BY_ANNOTATION, FAKE_DRIVER, FAKE_PV_LABEL,
    FAKE_PV_PROVISIONER, PROVISIONED_BY_ANNOTATION,
};

/// The fake PV for bound `pvc` named `name`, with the chosen reclaim policy and capacity.
pub(crate) fn fake_pv(
    name: &str,
    pvc: &PersistentVolumeClaim,
    reclaim: ReclaimPolicy,
    mut capacity: BTreeMap<String, Quantity>,
    why: &mut Why,
) -> PersistentVolume {
    let spec = pvc.spec.as_ref();
    canonical::quantities(&mut capacity);
    why.rule(Rule::F2, "fake PV built from the virtual PVC");
    why.copied("metadata.name", Input::VirtualPvc, "spec.volumeName");
    why.field("metadata.labels", Source::Constant);
    why.field("metadata.annotations", Source::Constant);
    why.field("spec.flexVolume", Source::Constant);
    why.copied("spec.accessModes", Input::VirtualPvc, "spec.accessModes");
    why.copied("spec.volumeMode", Input::VirtualPvc, "spec.volumeMode");
    why.copied("spec.claimRef", Input::VirtualPvc, "metadata");
    why.copied(
        "spec.storageClassName",
        Input::VirtualPvc,
        "spec.storageClassName",
    );
    why.field("status.phase", Source::Constant);
    PersistentVolume {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            labels: string_map([(FAKE_PV_LABEL, "true")]),
            annotations: string_map([
                (CREATED_BY_ANNOTATION, FAKE_PV_PROVISIONER),
                (BOUND_BY_CONTROLLER_ANNOTATION, "true"),
                (PROVISIONED_BY_ANNOTATION, FAKE_PV_PROVISIONER),
            ]),
            ..ObjectMeta::default()
        },
        spec: Some(PersistentVolumeSpec {
            flex_volume: Some(FlexPersistentVolumeSource {
                driver: FAKE_DRIVER.to_owned(),
                ..FlexPersistentVolumeSource::default()
            }),
            capacity: Some(capacity),
            access_modes: spec.and_then(|s| s.access_modes.clone()),
            volume_mode: spec.and_then(|s| s.volume_mode.clone()),
            claim_ref: Some(ObjectReference {
                kind: Some("PersistentVolumeClaim".to_owned()),
                api_version: Some("v1".to_owned()),
                namespace: pvc.metadata.namespace.clone(),
                name: pvc.metadata.name.clone(),
                uid: pvc.metadata.uid.clone(),
                resource_version: pvc.metadata.resource_version.clone(),
                ..ObjectReference::default()
            }),
            persistent_volume_reclaim_policy: Some(reclaim.as_str().to_owned()),
            storage_class_name: Some(
                spec.and_then(|s| s.storage_class_name.clone())
                    .unwrap_or_default(),
            ),
            ..PersistentVolumeSpec::default()
        }),
        status: Some(PersistentVolumeStatus {
            phase: Some("Bound".to_owned()),
            ..PersistentVolumeStatus::default()
        }),
    }
}

/// The fake PV's capacity: the PVC's request (vcluster), or the host PV's with
/// `fakeCapacity: HostPv`.
pub(crate) fn fake_capacity(
    pvc: &PersistentVolumeClaim,
    host_pv: Option<&PersistentVolume>,
    options: &Options,
    why: &mut Why,
) -> Result<BTreeMap<String, Quantity>, Error> {
    let request = || {
        pvc.spec
            .as_ref()
            .and_then(|s| s.resources.as_ref())
            .and_then(|r| r.requests.clone())
            .unwrap_or_default()
    };
    match (options.fake_capacity, host_pv) {
        (FakeCapacity::Request, _) => {
            why.copied(
                "spec.capacity",
                Input::VirtualPvc,
                "spec.resources.requests",
            );
            Ok(request())
        }
        (FakeCapacity::HostPv, None) => {
            why.field(
                "spec.capacity",
                Source::Option {
                    name: "fakeCapacity",
                    value: "HostPv",
                    from: Some((Input::VirtualPvc, "spec.resources.requests")),
                },
            );
            Ok(request())
        }
        (FakeCapacity::HostPv, Some(pv)) => {
            let capacity = pv
                .spec
                .as_ref()
                .and_then(|s| s.capacity.clone())
                .unwrap_or_default();
            check_resources(&|| pv_ref(pv), "spec.capacity", Some(&capacity))?;
            why.field(
                "spec.capacity",
                Source::Option {
                    name: "fakeCapacity",
                    value: "HostPv",
                    from: Some((Input::HostPv, "spec.capacity")),
                },
            );
            Ok(capacity)
        }
    }
}
