//! Whole-cluster costs (SPEC R4): the plan (without explanations) and the audit on snapshots of
//! 1,000, 10,000 and 100,000 bound PVC/PV pairs in sync mode, half of them needing an update
//! (the tenant changed the reclaim policy of its mirrored PV since the previous snapshot). The
//! time per object must stay flat; see BENCHMARKS.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use divan::{Bencher, black_box};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use pv_translate::snapshot::Objects;
use pv_translate::{
    Inputs, PvMode, Snapshot, StorageClassMode, SyncMode, Translator, VirtualCluster,
};
use serde_json::json;

fn main() {
    divan::main();
}

fn translator() -> Translator {
    Translator::new(VirtualCluster::new("my-vcluster", "vcluster-my-vcluster").unwrap())
        .with_mode(SyncMode::new(PvMode::Sync, StorageClassMode::Off))
}

/// `pairs` bound volumes as a settled syncer leaves them (the previous snapshot), and the same
/// with every other virtual PV's reclaim policy changed (the current one).
fn snapshots(pairs: usize) -> (Snapshot, Snapshot) {
    let t = translator();
    let mut virtual_pvcs = Vec::with_capacity(pairs);
    let mut host_pvcs = Vec::with_capacity(pairs);
    let mut host_pvs = Vec::with_capacity(pairs);
    let mut mirrors = Vec::with_capacity(pairs);
    for i in 0..pairs {
        let volume = format!("pvc-{i:08}-0000-4000-8000-000000000000");
        let pvc: PersistentVolumeClaim = serde_json::from_value(json!({
            "metadata": {"name": format!("data-{i}"), "namespace": format!("team-{}", i % 100),
                         "uid": format!("uid-{i}"), "resourceVersion": "10",
                         "labels": {"app": "db"}},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "10Gi"}},
                     "storageClassName": "gp3", "volumeName": volume.clone()},
            "status": {"phase": "Bound"},
        }))
        .unwrap();
        let mut host_pvc = t
            .host_pvc(&Inputs::new().with_virtual_pvc(&pvc))
            .unwrap()
            .desired
            .unwrap();
        let host_claim = host_pvc.metadata.name.clone().unwrap();
        host_pvc.status = pvc.status.clone();
        // The host binder bound it to the host PV (the mirror keeps that name, P2/P3).
        host_pvc.spec.as_mut().unwrap().volume_name = Some(volume.clone());
        let host_pv: PersistentVolume = serde_json::from_value(json!({
            "metadata": {"name": volume.clone(), "annotations": {"pv.kubernetes.io/provisioned-by": "ebs.csi.aws.com"}},
            "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"},
                     "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": format!("vol-{i}")},
                     "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
                                  "namespace": "vcluster-my-vcluster", "name": host_claim, "uid": format!("h-{i}")},
                     "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "gp3"},
            "status": {"phase": "Bound"},
        }))
        .unwrap();
        let mirror = t
            .virtual_pv(&Inputs::new().with_virtual_pvc(&pvc).with_host_pv(&host_pv))
            .unwrap()
            .desired
            .unwrap();
        virtual_pvcs.push(pvc);
        host_pvcs.push(host_pvc);
        host_pvs.push(host_pv);
        mirrors.push(mirror);
    }
    let previous = Snapshot::new(
        Objects::new(virtual_pvcs.clone(), mirrors.clone(), vec![]).unwrap(),
        Objects::new(host_pvcs.clone(), host_pvs.clone(), vec![]).unwrap(),
    );
    for mirror in mirrors.iter_mut().step_by(2) {
        mirror
            .spec
            .as_mut()
            .unwrap()
            .persistent_volume_reclaim_policy = Some("Delete".to_owned());
    }
    let current = Snapshot::new(
        Objects::new(virtual_pvcs, mirrors, vec![]).unwrap(),
        Objects::new(host_pvcs, host_pvs, vec![]).unwrap(),
    );
    (previous, current)
}

#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 5, sample_size = 1)]
fn plan(bencher: Bencher, pairs: usize) {
    let (previous, current) = snapshots(pairs);
    let t = translator();
    let updates = t.plan(Some(&previous), &current).actions.len();
    assert_eq!(
        updates,
        pairs / 2,
        "half the host PVs take the virtual change"
    );
    bencher
        .counter(divan::counter::ItemsCount::new(pairs))
        .bench_local(|| t.plan(Some(black_box(&previous)), black_box(&current)));
}

#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 5, sample_size = 1)]
fn audit(bencher: Bencher, pairs: usize) {
    let (_, current) = snapshots(pairs);
    let t = translator();
    bencher
        .counter(divan::counter::ItemsCount::new(pairs))
        .bench_local(|| t.audit(black_box(&current)));
}
