//! Allocation budget: each unexplained call allocates at most what cloning its output allocates,
//! plus a small constant for the strings the rules add, on the realistic inputs the benchmarks
//! use (`benches/data/`). Counts are deterministic, unlike times, so they can be asserted.
//!
//! `allocation-counter` counts only on the thread that asked, so the test harness's other
//! threads do not disturb the figures. Run with `--nocapture` to see them.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::arithmetic_side_effects
)]

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use pv_translate::{
    Inputs, PvMode, PvPair, StorageClassMode, SyncMode, Translator, VirtualCluster,
};

/// The allocations `f` makes on this thread (its result's drop not included).
fn count<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let mut out = None;
    let info = allocation_counter::measure(|| out = Some(std::hint::black_box(f())));
    let out = out.expect("the closure ran");
    (usize::try_from(info.count_total).unwrap_or(usize::MAX), out)
}

const HOST_PV: &str = include_str!("../benches/data/host-pv.json");
const VIRTUAL_PVC: &str = include_str!("../benches/data/virtual-pvc.json");
const VIRTUAL_PV: &str = include_str!("../benches/data/virtual-pv.json");

fn translator(mode: PvMode) -> Translator {
    Translator::new(VirtualCluster::new("my-vcluster", "vcluster-my-vcluster").unwrap())
        .with_mode(SyncMode::new(mode, StorageClassMode::Off))
}

struct Row {
    name: &'static str,
    call: usize,
    clone: usize,
    /// Allocations the rules may add beyond the clone: new names, annotations, the action.
    extra: usize,
}

fn check(rows: &[Row]) {
    let mut failures = Vec::new();
    for row in rows {
        println!(
            "{:<20} {:>4} allocations, clone of the output {:>4}, budget {:>4}",
            row.name,
            row.call,
            row.clone,
            row.clone + row.extra
        );
        if row.call > row.clone + row.extra {
            failures.push(row.name);
        }
    }
    assert!(failures.is_empty(), "over budget: {failures:?}");
}

#[test]
fn unexplained_calls_allocate_about_what_cloning_their_output_does() {
    let host: PersistentVolume = serde_json::from_str(HOST_PV).unwrap();
    let pvc: PersistentVolumeClaim = serde_json::from_str(VIRTUAL_PVC).unwrap();
    let tenant: PersistentVolume = serde_json::from_str(VIRTUAL_PV).unwrap();
    let (fake, sync) = (translator(PvMode::Fake), translator(PvMode::Sync));
    let mut rows = Vec::new();

    let inputs = Inputs::new().with_virtual_pvc(&pvc).with_host_pv(&host);
    let (call, out) = count(|| fake.virtual_pv(&inputs).unwrap().desired.unwrap());
    let (clone, _) = count(|| out.clone());
    // The fake PV is built, not copied: its three annotations, label, claimRef and flexVolume.
    rows.push(Row {
        name: "fake_pv",
        call,
        clone,
        extra: 8,
    });

    let (call, mirror) = count(|| sync.virtual_pv(&inputs).unwrap().desired.unwrap());
    let (clone, _) = count(|| mirror.clone());
    // The host-pv annotation (key, value), the claimRef rewritten for the PVC (S7: name,
    // namespace, uid, resourceVersion), the class (S8), the canonical capacity and a map node.
    rows.push(Row {
        name: "mirrored_pv",
        call,
        clone,
        extra: 10,
    });

    let (owned, _) = count(|| sync.mirrored_pv_owned(host.clone(), Some(&pvc)).unwrap());
    let (input_clone, _) = count(|| host.clone());
    // Owned: the input's clone is what the caller already had; only the rules' strings are new.
    rows.push(Row {
        name: "mirrored_pv_owned",
        call: owned.saturating_sub(input_clone),
        clone: 0,
        // The strings of mirrored_pv's budget, and the two maps rebuilt without bookkeeping keys.
        extra: 12,
    });

    let tenant_inputs = Inputs::new().with_virtual_pv(&tenant);
    let (call, out) = count(|| sync.host_pv(&tenant_inputs).unwrap().desired.unwrap());
    let (clone, _) = count(|| out.clone());
    // Name and class (N3), the marker label (key, value), five bookkeeping annotations and
    // managed-annotations (key and value each), the claimRef reserved for the claim's host copy
    // (T2: kind, apiVersion, namespace, name).
    rows.push(Row {
        name: "host_pv",
        call,
        clone,
        extra: 20,
    });

    let (owned, _) = count(|| sync.host_pv_owned(tenant.clone()).unwrap());
    let (input_clone, _) = count(|| tenant.clone());
    rows.push(Row {
        name: "host_pv_owned",
        call: owned.saturating_sub(input_clone),
        clone: 0,
        // host_pv's strings and the map nodes of the rebuilt label and annotation maps.
        extra: 24,
    });

    let pvc_inputs = Inputs::new().with_virtual_pvc(&pvc);
    let (call, out) = count(|| fake.host_pvc(&pvc_inputs).unwrap().desired.unwrap());
    let (clone, _) = count(|| out.clone());
    // Name (N2), namespace (H), two marker labels, six bookkeeping annotations, the
    // translated volumeName (N3), managed-annotations.
    rows.push(Row {
        name: "host_pvc",
        call,
        clone,
        extra: 16,
    });

    let (owned, _) = count(|| fake.host_pvc_owned(pvc.clone()).unwrap());
    let (input_clone, _) = count(|| pvc.clone());
    rows.push(Row {
        name: "host_pvc_owned",
        call: owned.saturating_sub(input_clone),
        clone: 0,
        // host_pvc's strings and the map nodes of the rebuilt label and annotation maps.
        extra: 24,
    });

    // SPEC T3: a mirror is written through only when its host PV was provisioned for the host
    // copy of the claim (`pvc-<uid>` bound to that uid).
    let uid = host
        .metadata
        .name
        .as_deref()
        .and_then(|n| n.strip_prefix("pvc-"))
        .unwrap()
        .to_owned();
    let mut host = host;
    if let Some(claim) = host.spec.as_mut().and_then(|s| s.claim_ref.as_mut()) {
        claim.uid = Some(uid.clone());
    }
    let mut host_pvc = sync
        .host_pvc(&Inputs::new().with_virtual_pvc(&pvc))
        .unwrap()
        .desired
        .unwrap();
    host_pvc.metadata.uid = Some(uid);
    // A resync of a pair in step: nothing changed since the last sync. (An update also lists
    // its changed fields as JSON pointers, which serialises both specs: not budgeted here.)
    let (call, out) = count(|| {
        sync.keep_in_step(
            PvPair::new(&mirror, &host),
            PvPair::new(&mirror, &host),
            Some(&pvc),
            Some(&host_pvc),
        )
        .unwrap()
    });
    assert_eq!(out.host_pv.action, pv_translate::Action::Unchanged);
    assert!(out.explanation.is_none());
    let both = (
        out.virtual_pv.desired.clone().unwrap(),
        out.host_pv.desired.clone().unwrap(),
    );
    let (clone, _) = count(|| both.clone());
    // Both sides' metadata maps are rebuilt (B2), plus the changed-fields list of the update.
    rows.push(Row {
        name: "keep_in_step",
        call,
        clone,
        extra: 24,
    });

    check(&rows);
}
