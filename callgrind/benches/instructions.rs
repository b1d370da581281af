//! Instruction counts (callgrind) of the functions `../../benches/translate.rs` times, on the same
//! inputs, each beside its floor: cloning the desired output. Deterministic: use them to compare
//! two versions of the crate; use divan's timings for wall-clock ratios.
//!
//! ```text
//! cargo install gungraun-runner --version 0.20.0   # once; valgrind from Debian's packages
//! cargo bench --manifest-path callgrind/Cargo.toml
//! ```
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use gungraun::{library_benchmark, library_benchmark_group, main};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use pv_translate::{
    Decision, Inputs, PairDecision, PvMode, PvPair, StorageClassMode, SyncMode, Translator,
    VirtualCluster,
};

const HOST_PV: &str = include_str!("../../benches/data/host-pv.json");
const VIRTUAL_PVC: &str = include_str!("../../benches/data/virtual-pvc.json");
const VIRTUAL_PV: &str = include_str!("../../benches/data/virtual-pv.json");

fn host_pv_input() -> PersistentVolume {
    serde_json::from_str(HOST_PV).unwrap()
}

fn virtual_pvc() -> PersistentVolumeClaim {
    serde_json::from_str(VIRTUAL_PVC).unwrap()
}

fn tenant_pv() -> PersistentVolume {
    serde_json::from_str(VIRTUAL_PV).unwrap()
}

fn translator(mode: PvMode) -> Translator {
    Translator::new(VirtualCluster::new("my-vcluster", "vcluster-my-vcluster").unwrap())
        .with_mode(SyncMode::new(mode, StorageClassMode::Off))
}

/// Inputs of the fake PV, the mirror and the host PVC: the translator, the virtual PVC and the
/// host PV.
struct Claimed {
    t: Translator,
    pvc: PersistentVolumeClaim,
    host: PersistentVolume,
}

fn fake_setup() -> Claimed {
    Claimed {
        t: translator(PvMode::Fake),
        pvc: virtual_pvc(),
        host: host_pv_input(),
    }
}

fn sync_setup() -> Claimed {
    Claimed {
        t: translator(PvMode::Sync),
        ..fake_setup()
    }
}

fn desired_fake(c: &Claimed) -> PersistentVolume {
    c.t.virtual_pv(&Inputs::new().with_virtual_pvc(&c.pvc).with_host_pv(&c.host))
        .unwrap()
        .desired
        .unwrap()
}

// Every benchmark hands its inputs back with its result, so that neither is dropped inside the
// measured function: the counts are the work of the call alone, as divan's are.

fn sync_host_pv_setup() -> (Translator, PersistentVolume) {
    (translator(PvMode::Sync), tenant_pv())
}

fn desired_mirror() -> PersistentVolume {
    desired_fake(&sync_setup())
}

fn desired_fake_pv() -> PersistentVolume {
    desired_fake(&fake_setup())
}

fn desired_host_pv() -> PersistentVolume {
    let (t, pv) = sync_host_pv_setup();
    t.host_pv(&Inputs::new().with_virtual_pv(&pv))
        .unwrap()
        .desired
        .unwrap()
}

fn desired_host_pvc() -> PersistentVolumeClaim {
    let c = fake_setup();
    c.t.host_pvc(&Inputs::new().with_virtual_pvc(&c.pvc))
        .unwrap()
        .desired
        .unwrap()
}

#[library_benchmark]
#[bench::fake_pv(setup = fake_setup)]
#[bench::mirrored_pv(setup = sync_setup)]
fn virtual_pv(c: Claimed) -> (Claimed, Decision<PersistentVolume>) {
    let decision =
        c.t.virtual_pv(
            &Inputs::new()
                .with_virtual_pvc(black_box(&c.pvc))
                .with_host_pv(black_box(&c.host)),
        )
        .unwrap();
    (c, decision)
}

#[library_benchmark]
#[bench::clone_fake_pv(setup = desired_fake_pv)]
#[bench::clone_mirrored_pv(setup = desired_mirror)]
#[bench::clone_host_pv(setup = desired_host_pv)]
fn clone_pv(pv: PersistentVolume) -> (PersistentVolume, PersistentVolume) {
    let copy = black_box(&pv).clone();
    (pv, copy)
}

#[library_benchmark]
#[bench::mirrored_pv_owned(setup = sync_setup)]
fn mirrored_pv_owned(c: Claimed) -> (PersistentVolumeClaim, Option<PersistentVolume>) {
    let mirror =
        c.t.mirrored_pv_owned(black_box(c.host), Some(&c.pvc))
            .unwrap();
    (c.pvc, mirror)
}

#[library_benchmark]
#[bench::host_pv(setup = sync_host_pv_setup)]
fn host_pv(
    (t, pv): (Translator, PersistentVolume),
) -> (PersistentVolume, Decision<PersistentVolume>) {
    let decision = t
        .host_pv(&Inputs::new().with_virtual_pv(black_box(&pv)))
        .unwrap();
    (pv, decision)
}

#[library_benchmark]
#[bench::host_pv_owned(setup = sync_host_pv_setup)]
fn host_pv_owned((t, pv): (Translator, PersistentVolume)) -> Option<PersistentVolume> {
    t.host_pv_owned(black_box(pv)).unwrap()
}

#[library_benchmark]
#[bench::host_pvc(setup = fake_setup)]
fn host_pvc(c: Claimed) -> (Claimed, Decision<PersistentVolumeClaim>) {
    let decision =
        c.t.host_pvc(&Inputs::new().with_virtual_pvc(black_box(&c.pvc)))
            .unwrap();
    (c, decision)
}

#[library_benchmark]
#[bench::host_pvc_owned(setup = fake_setup)]
fn host_pvc_owned(c: Claimed) -> (PersistentVolume, Option<PersistentVolumeClaim>) {
    let host = c.t.host_pvc_owned(black_box(c.pvc)).unwrap();
    (c.host, host)
}

#[library_benchmark]
#[bench::clone_host_pvc(setup = desired_host_pvc)]
fn clone_pvc(pvc: PersistentVolumeClaim) -> (PersistentVolumeClaim, PersistentVolumeClaim) {
    let copy = black_box(&pvc).clone();
    (pvc, copy)
}

/// A pair in step whose virtual reclaim policy was just changed: the last mirror, the edited
/// one, the host PV and the claim.
struct Pair {
    t: Translator,
    last: PersistentVolume,
    now: PersistentVolume,
    host: PersistentVolume,
    pvc: PersistentVolumeClaim,
}

fn pair_setup() -> Pair {
    let c = sync_setup();
    let last = desired_fake(&c);
    let mut now = last.clone();
    if let Some(spec) = now.spec.as_mut() {
        spec.persistent_volume_reclaim_policy = Some("Delete".to_owned());
    }
    Pair {
        t: c.t,
        last,
        now,
        host: c.host,
        pvc: c.pvc,
    }
}

fn step(p: &Pair) -> PairDecision {
    p.t.keep_in_step(
        PvPair::new(&p.last, &p.host),
        PvPair::new(black_box(&p.now), &p.host),
        Some(&p.pvc),
    )
    .unwrap()
}

fn both_desired() -> (PersistentVolume, PersistentVolume) {
    let d = step(&pair_setup());
    (d.virtual_pv.desired.unwrap(), d.host_pv.desired.unwrap())
}

#[library_benchmark]
#[bench::keep_in_step(setup = pair_setup)]
fn keep_in_step(p: Pair) -> (Pair, PairDecision) {
    let decision = step(&p);
    (p, decision)
}

#[library_benchmark]
#[bench::clone_keep_in_step(setup = both_desired)]
fn clone_keep_in_step(
    both: (PersistentVolume, PersistentVolume),
) -> (
    (PersistentVolume, PersistentVolume),
    (PersistentVolume, PersistentVolume),
) {
    let copy = black_box(&both).clone();
    (both, copy)
}

library_benchmark_group!(
    name = single_object;
    benchmarks = virtual_pv, clone_pv, mirrored_pv_owned, host_pv, host_pv_owned, host_pvc,
        host_pvc_owned, clone_pvc, keep_in_step, clone_keep_in_step
);

main!(library_benchmark_groups = single_object);
