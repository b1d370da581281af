//! The simulation's cost (SPEC Y2): one settle after a step in worlds of 1,000 and 10,000 bound
//! claims (fake mode, the #2098 set-up), and a whole starting world settling. The settle's cost
//! must grow linearly with the world; see BENCHMARKS.md.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use divan::{Bencher, black_box};
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use k8s_openapi::api::storage::v1::StorageClass;
use pv_translate::lifecycle::{Starting, Step, World};
use pv_translate::plan::{ClusterSide, Object};
use pv_translate::{PvMode, StorageClassMode, SyncMode, Translator, VirtualCluster};
use serde_json::json;

fn main() {
    divan::main();
}

fn translator(mode: PvMode) -> Translator {
    Translator::new(VirtualCluster::new("vcluster", "vcluster").unwrap())
        .with_mode(SyncMode::new(mode, StorageClassMode::Off))
}

fn claim(i: usize) -> PersistentVolumeClaim {
    serde_json::from_value(json!({
        "metadata": {"name": format!("data-{i}"), "namespace": format!("team-{}", i % 50)},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}},
                 "storageClassName": "gp3"},
    }))
    .unwrap()
}

/// A settled world of `claims` bound claims, each on its own provisioned disk.
fn world(claims: usize, mode: PvMode) -> World {
    let class: StorageClass = serde_json::from_value(json!({
        "metadata": {"name": "gp3"}, "provisioner": "ebs.csi.aws.com", "reclaimPolicy": "Retain",
    }))
    .unwrap();
    let virtual_claims: Vec<PersistentVolumeClaim> = (0..claims).map(claim).collect();
    World::new(
        translator(mode),
        Starting::new(vec![], vec![], virtual_claims),
        Starting::new(vec![class], vec![], vec![]),
        false,
    )
    .unwrap()
}

/// One settle after a tenant creates one more claim (its host PVC, PV, disk and fake PV).
#[divan::bench(args = [1_000, 10_000], sample_count = 5, sample_size = 1)]
fn settle_after_a_step(bencher: Bencher, claims: usize) {
    let world = world(claims, PvMode::Fake);
    bencher
        .with_inputs(|| world.clone())
        .bench_local_values(|mut world| {
            world
                .step(Step::Create {
                    cluster: ClusterSide::Virtual,
                    object: Object::PersistentVolumeClaim(Box::new(claim(black_box(claims)))),
                })
                .unwrap();
            world
        });
}

/// One settle after a step in sync mode.
#[divan::bench(args = [1_000, 10_000], sample_count = 5, sample_size = 1)]
fn settle_after_a_step_sync(bencher: Bencher, claims: usize) {
    let world = world(claims, PvMode::Sync);
    bencher
        .with_inputs(|| world.clone())
        .bench_local_values(|mut world| {
            world
                .step(Step::Create {
                    cluster: ClusterSide::Virtual,
                    object: Object::PersistentVolumeClaim(Box::new(claim(black_box(claims)))),
                })
                .unwrap();
            world
        });
}
