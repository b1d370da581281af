//! Single-object costs on the realistic inputs of `benches/data/` (the same the vcluster Go
//! figures were measured on), each beside its floor measured in the same run: cloning the
//! desired output object. Report ratios, not times (see BENCHMARKS.md).
//!
//! Names are fixed so that figures compare from run to run: `fake_pv`, `mirrored_pv`,
//! `host_pv`, `host_pvc`, `keep_in_step`, each also `<name>_explained`; the owned variants
//! `mirrored_pv_owned`, `host_pv_owned`, `host_pvc_owned`; the floors `clone_<name>`; and
//! `decode_host_pv`, what a syncer already pays to receive a host PV.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use divan::{Bencher, black_box};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use pv_translate::{
    Inputs, PvMode, PvPair, StorageClassMode, SyncMode, Translator, VirtualCluster,
};

#[global_allocator]
static ALLOC: divan::AllocProfiler = divan::AllocProfiler::system();

fn main() {
    divan::main();
}

const HOST_PV: &str = include_str!("data/host-pv.json");
const VIRTUAL_PVC: &str = include_str!("data/virtual-pvc.json");
const VIRTUAL_PV: &str = include_str!("data/virtual-pv.json");

fn input_host_pv() -> PersistentVolume {
    serde_json::from_str(HOST_PV).unwrap()
}

fn virtual_pvc() -> PersistentVolumeClaim {
    serde_json::from_str(VIRTUAL_PVC).unwrap()
}

/// The tenant-made NFS PV (virtual -> host).
fn tenant_pv() -> PersistentVolume {
    serde_json::from_str(VIRTUAL_PV).unwrap()
}

/// V = `my-vcluster`, H = `vcluster-my-vcluster`, as the bench inputs were made for.
fn translator(mode: PvMode, explain: bool) -> Translator {
    Translator::new(VirtualCluster::new("my-vcluster", "vcluster-my-vcluster").unwrap())
        .with_mode(SyncMode::new(mode, StorageClassMode::Off))
        .with_explanations(explain)
}

fn fake(explain: bool) -> impl Fn() -> Option<PersistentVolume> {
    let (pvc, pv) = (virtual_pvc(), input_host_pv());
    let t = translator(PvMode::Fake, explain);
    move || {
        t.virtual_pv(
            &Inputs::new()
                .with_virtual_pvc(black_box(&pvc))
                .with_host_pv(&pv),
        )
        .unwrap()
        .desired
    }
}

#[divan::bench]
fn fake_pv(bencher: Bencher) {
    let run = fake(false);
    bencher.bench_local(run);
}

#[divan::bench]
fn fake_pv_explained(bencher: Bencher) {
    let run = fake(true);
    bencher.bench_local(run);
}

#[divan::bench]
fn clone_fake_pv(bencher: Bencher) {
    let out = fake(false)().unwrap();
    bencher.bench_local(|| black_box(&out).clone());
}

fn mirror(explain: bool) -> impl Fn() -> Option<PersistentVolume> {
    let (pvc, pv) = (virtual_pvc(), input_host_pv());
    let t = translator(PvMode::Sync, explain);
    move || {
        t.virtual_pv(
            &Inputs::new()
                .with_virtual_pvc(&pvc)
                .with_host_pv(black_box(&pv)),
        )
        .unwrap()
        .desired
    }
}

#[divan::bench]
fn mirrored_pv(bencher: Bencher) {
    let run = mirror(false);
    bencher.bench_local(run);
}

#[divan::bench]
fn mirrored_pv_explained(bencher: Bencher) {
    let run = mirror(true);
    bencher.bench_local(run);
}

#[divan::bench]
fn clone_mirrored_pv(bencher: Bencher) {
    let out = mirror(false)().unwrap();
    bencher.bench_local(|| black_box(&out).clone());
}

#[divan::bench]
fn mirrored_pv_owned(bencher: Bencher) {
    let (pvc, pv) = (virtual_pvc(), input_host_pv());
    let t = translator(PvMode::Sync, false);
    bencher
        .with_inputs(|| pv.clone())
        .bench_local_values(|pv| t.mirrored_pv_owned(pv, Some(&pvc)).unwrap());
}

fn to_host(explain: bool) -> impl Fn() -> Option<PersistentVolume> {
    let pv = tenant_pv();
    let t = translator(PvMode::Sync, explain);
    move || {
        t.host_pv(&Inputs::new().with_virtual_pv(black_box(&pv)))
            .unwrap()
            .desired
    }
}

#[divan::bench]
fn host_pv(bencher: Bencher) {
    let run = to_host(false);
    bencher.bench_local(run);
}

#[divan::bench]
fn host_pv_explained(bencher: Bencher) {
    let run = to_host(true);
    bencher.bench_local(run);
}

#[divan::bench]
fn clone_host_pv(bencher: Bencher) {
    let out = to_host(false)().unwrap();
    bencher.bench_local(|| black_box(&out).clone());
}

#[divan::bench]
fn host_pv_owned(bencher: Bencher) {
    let pv = tenant_pv();
    let t = translator(PvMode::Sync, false);
    bencher
        .with_inputs(|| pv.clone())
        .bench_local_values(|pv| t.host_pv_owned(pv).unwrap());
}

fn host_claim(explain: bool) -> impl Fn() -> Option<PersistentVolumeClaim> {
    let pvc = virtual_pvc();
    let t = translator(PvMode::Fake, explain);
    move || {
        t.host_pvc(&Inputs::new().with_virtual_pvc(black_box(&pvc)))
            .unwrap()
            .desired
    }
}

#[divan::bench]
fn host_pvc(bencher: Bencher) {
    let run = host_claim(false);
    bencher.bench_local(run);
}

#[divan::bench]
fn host_pvc_explained(bencher: Bencher) {
    let run = host_claim(true);
    bencher.bench_local(run);
}

#[divan::bench]
fn clone_host_pvc(bencher: Bencher) {
    let out = host_claim(false)().unwrap();
    bencher.bench_local(|| black_box(&out).clone());
}

#[divan::bench]
fn host_pvc_owned(bencher: Bencher) {
    let pvc = virtual_pvc();
    let t = translator(PvMode::Fake, false);
    bencher
        .with_inputs(|| pvc.clone())
        .bench_local_values(|pvc| t.host_pvc_owned(pvc).unwrap());
}

/// The host PV provisioned for the host copy of the virtual PVC (SPEC T3: `pvc-<uid>` bound to
/// that uid, so that the mirror is written through), and that host PVC.
fn provisioned(
    pvc: &PersistentVolumeClaim,
    mut host: PersistentVolume,
) -> (PersistentVolume, PersistentVolumeClaim) {
    let uid = host
        .metadata
        .name
        .as_deref()
        .and_then(|n| n.strip_prefix("pvc-"))
        .unwrap_or_default()
        .to_owned();
    if let Some(claim) = host.spec.as_mut().and_then(|s| s.claim_ref.as_mut()) {
        claim.uid = Some(uid.clone());
    }
    let mut host_pvc = translator(PvMode::Sync, false)
        .host_pvc(&Inputs::new().with_virtual_pvc(pvc))
        .unwrap()
        .desired
        .unwrap();
    host_pvc.metadata.uid = Some(uid);
    (host, host_pvc)
}

/// A pair in step (the mirror of the host PV), the virtual reclaim policy just changed.
fn pair() -> (
    PersistentVolume,
    PersistentVolume,
    PersistentVolume,
    PersistentVolumeClaim,
    PersistentVolumeClaim,
) {
    let pvc = virtual_pvc();
    let (host, host_pvc) = provisioned(&pvc, input_host_pv());
    let t = translator(PvMode::Sync, false);
    let mirror = t
        .virtual_pv(&Inputs::new().with_virtual_pvc(&pvc).with_host_pv(&host))
        .unwrap()
        .desired
        .unwrap();
    let mut edited = mirror.clone();
    if let Some(spec) = edited.spec.as_mut() {
        spec.persistent_volume_reclaim_policy = Some("Retain".to_owned());
    }
    (mirror, edited, host, pvc, host_pvc)
}

fn step(explain: bool) -> impl Fn() -> pv_translate::PairDecision {
    let (last, now, host, pvc, host_pvc) = pair();
    let t = translator(PvMode::Sync, explain);
    move || {
        t.keep_in_step(
            PvPair::new(&last, &host),
            PvPair::new(black_box(&now), &host),
            Some(&pvc),
            Some(&host_pvc),
        )
        .unwrap()
    }
}

#[divan::bench]
fn keep_in_step(bencher: Bencher) {
    let run = step(false);
    bencher.bench_local(run);
}

#[divan::bench]
fn keep_in_step_explained(bencher: Bencher) {
    let run = step(true);
    bencher.bench_local(run);
}

#[divan::bench]
fn clone_keep_in_step(bencher: Bencher) {
    let out = step(false)();
    let both = (
        out.virtual_pv.desired.unwrap(),
        out.host_pv.desired.unwrap(),
    );
    bencher.bench_local(|| black_box(&both).clone());
}

#[divan::bench]
fn decode_host_pv(bencher: Bencher) {
    bencher.bench_local(|| serde_json::from_str::<PersistentVolume>(black_box(HOST_PV)).unwrap());
}
