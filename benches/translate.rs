//! Translation cost, measured with divan against a baseline in the same run: cloning the
//! virtual PVC, which every syncer does at least once per reconcile. Report ratios, not times.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use divan::{Bencher, black_box};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use pv_translate::names::safe_concat;
use pv_translate::{
    FakeReclaimPolicy, Inputs, Options, PvMode, StorageClassMode, SyncMode, Translator,
    VirtualCluster,
};
use serde_json::json;

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

fn pvc() -> PersistentVolumeClaim {
    serde_json::from_value(json!({
        "metadata": {"name": "data-postgres-0", "namespace": "default", "uid": "4f1c", "resourceVersion": "12",
                     "labels": {"app": "postgres"}, "annotations": {"pv.kubernetes.io/bind-completed": "yes"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}},
                 "storageClassName": "gp3", "volumeName": "pvc-4f1c"},
    }))
    .unwrap()
}

fn host_pv() -> PersistentVolume {
    serde_json::from_value(json!({
        "metadata": {"name": "pvc-4f1c", "annotations": {"pv.kubernetes.io/provisioned-by": "ebs.csi.aws.com"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "5Gi"},
                 "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-0abc"},
                 "claimRef": {"namespace": "vcluster-a", "name": "data-postgres-0-x-default-x-a"},
                 "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "gp3"},
        "status": {"phase": "Bound"},
    }))
    .unwrap()
}

fn translator(mode: PvMode, options: Options) -> Translator {
    Translator::new(VirtualCluster::new("a", "vcluster-a"))
        .with_mode(SyncMode::new(mode, StorageClassMode::Off))
        .with_options(options)
}

/// The desired virtual PV for the bound PVC and its host PV, in `mode` with `options`.
fn bench_virtual_pv(bencher: Bencher, mode: PvMode, options: Options) {
    let (pvc, pv) = (pvc(), host_pv());
    let t = translator(mode, options);
    bencher.bench(|| {
        t.virtual_pv(
            &Inputs::new()
                .with_virtual_pvc(black_box(&pvc))
                .with_host_pv(&pv),
        )
    });
}

#[divan::bench]
fn baseline_clone_pvc(bencher: Bencher) {
    let pvc = pvc();
    bencher.bench(|| black_box(&pvc).clone());
}

#[divan::bench]
fn fake_pv_default(bencher: Bencher) {
    bench_virtual_pv(bencher, PvMode::Fake, Options::default());
}

#[divan::bench]
fn fake_pv_inherit(bencher: Bencher) {
    bench_virtual_pv(
        bencher,
        PvMode::Fake,
        Options::default().with_fake_reclaim_policy(FakeReclaimPolicy::Inherit),
    );
}

#[divan::bench]
fn mirrored_pv(bencher: Bencher) {
    bench_virtual_pv(bencher, PvMode::Sync, Options::default());
}

#[divan::bench]
fn host_pvc(bencher: Bencher) {
    let pvc = pvc();
    let t = translator(PvMode::Fake, Options::default());
    bencher.bench(|| t.host_pvc(&Inputs::new().with_virtual_pvc(black_box(&pvc))));
}

#[divan::bench]
fn safe_concat_hashed(bencher: Bencher) {
    let long = "data-elasticsearch-master-elasticsearch-master-0";
    bencher.bench(|| safe_concat(black_box(&[long, "x", "logging", "x", "my-vcluster"])));
}
