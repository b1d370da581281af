//! What a kube-rs controller relies on besides the rules: thread safety of the public types,
//! the status split for server-side apply, the field manager and the unchanged signal.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use pv_translate::{
    Action, Context, Decision, Error, Explanation, FIELD_MANAGER, Inputs, Plan, PvMode, Snapshot,
    StorageClassMode, SyncMode, Translator, VirtualCluster,
};
use serde_json::json;

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn public_types_are_send_and_sync() {
    // A controller shares one translator across reconcile tasks and sends decisions between them.
    assert_send_sync::<Translator>();
    assert_send_sync::<Context>();
    assert_send_sync::<VirtualCluster>();
    assert_send_sync::<Decision<PersistentVolume>>();
    assert_send_sync::<Decision<PersistentVolumeClaim>>();
    assert_send_sync::<Explanation>();
    assert_send_sync::<Plan>();
    assert_send_sync::<Snapshot>();
    assert_send_sync::<Error>();
}

#[test]
fn errors_are_std_errors_with_sources() {
    fn is_error<E: std::error::Error + Send + Sync + 'static>() {}
    is_error::<Error>();
}

#[test]
fn field_manager_is_a_valid_manager_name() {
    assert_eq!(FIELD_MANAGER, "pv-translate");
    assert!(FIELD_MANAGER.len() <= 128);
}

fn sync_translator() -> Translator {
    Translator::new(VirtualCluster::new("vc", "team-a").unwrap())
        .with_mode(SyncMode::new(PvMode::Sync, StorageClassMode::Off))
}

fn host_pv() -> PersistentVolume {
    serde_json::from_value(json!({
        "metadata": {"name": "pvc-1", "uid": "h-1"},
        "spec": {
            "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"},
            "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-1"},
            "persistentVolumeReclaimPolicy": "Retain",
            "claimRef": {"namespace": "team-a", "name": "data-x-default-x-vc", "uid": "c-1"},
        },
        "status": {"phase": "Bound"},
    }))
    .unwrap()
}

fn pvc() -> PersistentVolumeClaim {
    serde_json::from_value(json!({
        "metadata": {"name": "data", "namespace": "default", "uid": "v-1"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                 "volumeName": "pvc-1"},
    }))
    .unwrap()
}

#[test]
fn apply_body_has_no_status_and_status_patch_carries_it() {
    let (host, pvc) = (host_pv(), pvc());
    let decision = sync_translator()
        .virtual_pv(&Inputs::new().with_host_pv(&host).with_virtual_pvc(&pvc))
        .unwrap();
    assert_eq!(decision.action, Action::Create);
    let body = decision.apply_body().unwrap();
    assert_eq!(body.status, None);
    assert_eq!(body.spec, decision.desired.as_ref().unwrap().spec);
    assert_eq!(
        decision.status_patch(),
        Some(json!({"status": {"phase": "Bound"}}))
    );
    // The mirror already there: nothing to write, and the caller can tell.
    let mirror = decision.desired.clone().unwrap();
    let again = sync_translator()
        .virtual_pv(
            &Inputs::new()
                .with_host_pv(&host)
                .with_virtual_pvc(&pvc)
                .with_virtual_pv(&mirror),
        )
        .unwrap();
    assert_eq!(again.action, Action::Unchanged);
    assert!(again.is_unchanged());
}

#[test]
fn a_deletion_has_neither_body_nor_status() {
    let t = sync_translator();
    let mut gone = host_pv();
    gone.metadata.deletion_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
        "2026-01-01T00:00:00Z".parse().unwrap(),
    ));
    let mirror = t
        .virtual_pv(
            &Inputs::new()
                .with_host_pv(&host_pv())
                .with_virtual_pvc(&pvc()),
        )
        .unwrap()
        .desired
        .unwrap();
    let decision = t
        .virtual_pv(&Inputs::new().with_host_pv(&gone).with_virtual_pv(&mirror))
        .unwrap();
    assert!(
        matches!(decision.action, Action::Delete { .. }),
        "{:?}",
        decision.action
    );
    assert_eq!(decision.apply_body(), None);
    assert_eq!(decision.status_patch(), None);
}

#[test]
fn explanations_serialise_for_structured_logs() {
    let (host, pvc) = (host_pv(), pvc());
    let decision = sync_translator()
        .with_explanations(true)
        .virtual_pv(&Inputs::new().with_host_pv(&host).with_virtual_pvc(&pvc))
        .unwrap();
    let json = serde_json::to_value(decision.explanation.unwrap()).unwrap();
    let text = json.to_string();
    assert!(text.contains("S4"), "{text}");
    assert!(serde_json::to_value(&decision.action).unwrap()["type"] == "create");
}
