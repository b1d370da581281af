//! Properties of `keep_in_step` (SPEC B1, B2, with I1): nothing changed means no B1 field
//! moves; the result is deterministic; a result fed back as both last and current is a fixed
//! point; and no generated input makes it panic.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use proptest::prelude::*;
use pv_translate::sync::{PvPair, SyncedField, keep_in_step};
use pv_translate::{
    ConflictPolicy, Options, PvMode, StorageClassMode, SyncMode, Translator, VirtualCluster,
};
use serde_json::{Map, Value, json};

const H: &str = "test";
const V: &str = "suffix";
/// N3(`mypv`) for H, V above.
const TENANT_HOST_NAME: &str = "vcluster-mypv-x-test-x-suffix";
/// N2(`default/data`).
const HOST_CLAIM: &str = "data-x-default-x-suffix";

fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("test object")
}

fn translator(report: bool, classes: StorageClassMode) -> Translator {
    let policy = if report {
        ConflictPolicy::Report
    } else {
        ConflictPolicy::VirtualWins
    };
    Translator::new(VirtualCluster::new(V, H))
        .with_mode(SyncMode::new(PvMode::Sync, classes))
        .with_options(Options::default().with_conflicts(policy))
}

fn class_mode() -> impl Strategy<Value = StorageClassMode> {
    prop_oneof![
        Just(StorageClassMode::Off),
        Just(StorageClassMode::FromHost),
        Just(StorageClassMode::ToHost),
    ]
}

/// Equal values in several spellings, so that semantic equality is exercised.
fn quantity() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "1Gi",
        "1024Mi",
        "1073741824",
        "2Gi",
        "5G",
        "5000M",
        "10Gi",
    ])
}

/// The volume sources the generator uses.
const SOURCES: [&str; 3] = ["csi", "nfs", "hostPath"];

fn source() -> impl Strategy<Value = Option<(&'static str, Value)>> {
    prop_oneof![
        Just(Some((
            "csi",
            json!({"driver": "ebs.csi.aws.com", "volumeHandle": "vol-1"})
        ))),
        Just(Some((
            "csi",
            json!({"driver": "ebs.csi.aws.com", "volumeHandle": "vol-1", "fsType": ""})
        ))),
        Just(Some((
            "csi",
            json!({"driver": "ebs.csi.aws.com", "volumeHandle": "vol-2"})
        ))),
        Just(Some((
            "nfs",
            json!({"server": "nfs.local", "path": "/export"})
        ))),
        Just(Some(("hostPath", json!({"path": "/data"})))),
        // A PV has exactly one source (I7): the "empty equals absent" variant is a false field.
        Just(Some((
            "nfs",
            json!({"server": "nfs.local", "path": "/export", "readOnly": false})
        ))),
    ]
}

prop_compose! {
    /// The B1 members of a spec, as JSON (absent members left out).
    fn b1_fields()(
        source in source(), storage in quantity(),
        modes in prop::sample::subsequence(vec!["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"], 1..=3),
        reclaim in prop::option::of(prop::sample::select(vec!["Delete", "Retain", "Recycle"])),
        volume_mode in prop::option::of(prop::sample::select(vec!["Filesystem", "Block"])),
        mount in prop::option::of(prop::collection::vec(prop::sample::select(vec!["ro", "noatime", ""]), 0..3)),
        affinity in prop::option::of(prop::sample::select(vec!["eu-west-1a", "eu-west-1b"])),
    ) -> Map<String, Value> {
        let mut spec = Map::new();
        if let Some((key, value)) = source { spec.insert(key.into(), value); }
        spec.insert("capacity".into(), json!({"storage": storage}));
        spec.insert("accessModes".into(), json!(modes));
        if let Some(r) = reclaim { spec.insert("persistentVolumeReclaimPolicy".into(), json!(r)); }
        if let Some(m) = volume_mode { spec.insert("volumeMode".into(), json!(m)); }
        if let Some(m) = mount { spec.insert("mountOptions".into(), json!(m)); }
        if let Some(zone) = affinity {
            spec.insert("nodeAffinity".into(), json!({"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": [zone]}]}]}}));
        }
        spec
    }
}

/// A small string map over `keys`.
fn string_map(keys: &'static [&'static str]) -> impl Strategy<Value = BTreeMap<String, String>> {
    prop::collection::btree_map(
        prop::sample::select(keys).prop_map(str::to_owned),
        prop::sample::select(vec!["a", "b", ""]).prop_map(str::to_owned),
        0..4,
    )
}

const LABEL_KEYS: &[&str] = &[
    "app",
    "tier",
    "release",
    "vcluster.loft.sh/namespace",
    "vcluster.loft.sh/label-suffix-x-a4d451ec23",
];
const ANNOTATION_KEYS: &[&str] = &[
    "note",
    "pv.kubernetes.io/provisioned-by",
    "vcluster.loft.sh/object-name",
    "vcluster.loft.sh/managed-annotations",
];

/// What one side looks like at one moment.
#[derive(Debug, Clone)]
struct Side {
    fields: Map<String, Value>,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
    phase: Option<&'static str>,
}

prop_compose! {
    fn side()(
        fields in b1_fields(), labels in string_map(LABEL_KEYS),
        annotations in string_map(ANNOTATION_KEYS),
        phase in prop::option::of(prop::sample::select(vec!["Bound", "Released", "Available"])),
    ) -> Side {
        Side { fields, labels, annotations, phase }
    }
}

prop_compose! {
    /// A side at the last sync and now: each B1 member, the labels and the annotations either
    /// kept or taken from an edit.
    fn history()(last in side(), edit in side(), mask in any::<u16>()) -> (Side, Side) {
        let mut now = last.clone();
        // The volume source is one field (a PV has exactly one): edited as a whole below.
        let keys: Vec<String> = last.fields.keys().chain(edit.fields.keys())
            .filter(|k| !SOURCES.contains(&k.as_str())).cloned().collect();
        if mask & (1 << 12) != 0 {
            now.fields.retain(|k, _| !SOURCES.contains(&k.as_str()));
            for (k, v) in edit.fields.iter().filter(|(k, _)| SOURCES.contains(&k.as_str())) {
                now.fields.insert(k.clone(), v.clone());
            }
        }
        for (i, key) in keys.iter().enumerate() {
            if mask & (1 << (i % 12)) != 0 {
                match edit.fields.get(key) {
                    Some(v) => { now.fields.insert(key.clone(), v.clone()); }
                    None => { now.fields.remove(key); }
                }
            }
        }
        if mask & (1 << 13) != 0 { now.labels = edit.labels.clone(); }
        if mask & (1 << 14) != 0 { now.annotations = edit.annotations.clone(); }
        if mask & (1 << 15) != 0 { now.phase = edit.phase; }
        (last, now)
    }
}

/// Which kind of pair, and its claim.
#[derive(Debug, Clone, Copy)]
enum Kind {
    /// A mirrored host PV (`pvc-1`) and its virtual copy with `host-pv`.
    Mirrored,
    /// A tenant's PV `mypv` and its host copy, marked with N4.
    Tenant { host_claimed: bool },
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Mirrored),
        any::<bool>().prop_map(|host_claimed| Kind::Tenant { host_claimed }),
    ]
}

fn virtual_pv(kind: Kind, side: &Side, claim: Option<&str>, class: &str) -> PersistentVolume {
    let mut annotations = side.annotations.clone();
    let name = match kind {
        Kind::Mirrored => {
            annotations.insert("vcluster.loft.sh/host-pv".into(), "pvc-1".into());
            "pvc-1"
        }
        Kind::Tenant { .. } => "mypv",
    };
    let mut spec = side.fields.clone();
    spec.insert("storageClassName".into(), json!(class));
    if let Some(claim) = claim {
        spec.insert(
            "claimRef".into(),
            json!({"kind": "PersistentVolumeClaim", "apiVersion": "v1",
            "namespace": "default", "name": claim}),
        );
    }
    from_json(json!({
        "metadata": {"name": name, "uid": "v-uid", "resourceVersion": "3",
                     "labels": side.labels, "annotations": annotations},
        "spec": spec,
        "status": side.phase.map(|p| json!({"phase": p})),
    }))
}

fn host_pv(kind: Kind, side: &Side) -> PersistentVolume {
    let mut labels = side.labels.clone();
    let (name, claimed) = match kind {
        Kind::Mirrored => ("pvc-1", true),
        Kind::Tenant { host_claimed } => {
            labels.insert("vcluster.loft.sh/managed-by".into(), format!("{H}-x-{V}"));
            (TENANT_HOST_NAME, host_claimed)
        }
    };
    let mut spec = side.fields.clone();
    spec.insert("storageClassName".into(), json!("gp3"));
    if claimed {
        spec.insert(
            "claimRef".into(),
            json!({"kind": "PersistentVolumeClaim", "apiVersion": "v1",
            "namespace": H, "name": HOST_CLAIM, "uid": "host-pvc-uid"}),
        );
    }
    from_json(json!({
        "metadata": {"name": name, "uid": "h-uid", "resourceVersion": "7",
                     "finalizers": ["kubernetes.io/pv-protection"],
                     "labels": labels, "annotations": side.annotations},
        "spec": spec,
        "status": side.phase.map(|p| json!({"phase": p})),
    }))
}

fn pvc() -> PersistentVolumeClaim {
    from_json(json!({
        "metadata": {"name": "data", "namespace": "default", "uid": "pvc-uid", "resourceVersion": "9"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                 "storageClassName": "standard", "volumeName": "pvc-1"},
    }))
}

prop_compose! {
    /// Last and current virtual and host PVs of one pair, and maybe its PVC.
    fn scenario()(
        kind in kind(), (last_v, now_v) in history(), (last_h, now_h) in history(),
        claim in prop::option::of(prop::sample::select(vec!["data", HOST_CLAIM])),
        class in prop::sample::select(vec!["", "standard", "gp3"]),
        with_pvc in any::<bool>(),
    ) -> (PersistentVolume, PersistentVolume, PersistentVolume, PersistentVolume, Option<PersistentVolumeClaim>) {
        (
            virtual_pv(kind, &last_v, claim, class),
            host_pv(kind, &last_h),
            virtual_pv(kind, &now_v, claim, class),
            host_pv(kind, &now_h),
            with_pvc.then(pvc),
        )
    }
}

/// The B1 members of a PV's spec, exactly as written.
fn b1_members(pv: &PersistentVolume) -> Value {
    let spec = serde_json::to_value(pv.spec.as_ref().unwrap()).unwrap();
    let picked: Map<String, Value> = SyncedField::ALL
        .iter()
        .flat_map(|field| field.keys())
        .filter_map(|key| spec.get(*key).map(|v| ((*key).to_owned(), v.clone())))
        .collect();
    Value::Object(picked)
}

/// Any PV, valid or not: names that may not pair, fields that may be missing or invalid.
fn any_pv() -> impl Strategy<Value = PersistentVolume> {
    (
        prop::sample::select(vec!["pvc-1", "mypv", TENANT_HOST_NAME, "", "other"]),
        prop::option::of(b1_fields()),
        prop::option::of(prop::sample::select(vec![
            "",
            "abc",
            "-1Gi",
            "1.5.5",
            "1e999999999999",
        ])),
        prop::option::of(prop::sample::select(vec!["Bogus", ""])),
        string_map(LABEL_KEYS),
        string_map(ANNOTATION_KEYS),
        any::<[bool; 4]>(),
    )
        .prop_map(
            |(name, fields, storage, reclaim, labels, mut annotations, flags)| {
                let mut labels = labels;
                if flags[0] {
                    annotations.insert("vcluster.loft.sh/host-pv".into(), "pvc-1".into());
                }
                if flags[1] {
                    labels.insert("vcluster.loft.sh/managed-by".into(), format!("{H}-x-{V}"));
                }
                let mut spec = fields.clone().unwrap_or_default();
                if let Some(s) = storage {
                    spec.insert("capacity".into(), json!({"storage": s}));
                }
                if let Some(r) = reclaim {
                    spec.insert("persistentVolumeReclaimPolicy".into(), json!(r));
                }
                if flags[2] {
                    spec.insert(
                        "claimRef".into(),
                        json!({"namespace": if flags[3] { H } else { "x" },
                        "name": HOST_CLAIM}),
                    );
                }
                from_json(json!({
                    "metadata": {"name": name, "labels": labels, "annotations": annotations},
                    "spec": fields.map(|_| Value::Object(spec)),
                }))
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn b1_nothing_changed_moves_no_field(
        (_, _, v, h, claim) in scenario(), report in any::<bool>(), classes in class_mode(),
    ) {
        let t = translator(report, classes);
        let Ok(out) = keep_in_step(PvPair::new(&v, &h), PvPair::new(&v, &h), claim.as_ref(), &t) else {
            return Ok(());
        };
        prop_assert_eq!(b1_members(&out.virtual_pv), b1_members(&v));
        prop_assert_eq!(b1_members(&out.host_pv), b1_members(&h));
        prop_assert!(out.conflicts.is_empty());
        prop_assert_eq!(out.virtual_pv.metadata.labels, v.metadata.labels);
        prop_assert_eq!(out.host_pv.metadata.annotations, h.metadata.annotations);
    }

    #[test]
    fn b1_b2_deterministic_and_fixed_point(
        (last_v, last_h, v, h, claim) in scenario(), report in any::<bool>(), classes in class_mode(),
    ) {
        let t = translator(report, classes);
        let run = |last: PvPair<'_>, now: PvPair<'_>| keep_in_step(last, now, claim.as_ref(), &t);
        let first = run(PvPair::new(&last_v, &last_h), PvPair::new(&v, &h));
        let second = run(PvPair::new(&last_v, &last_h), PvPair::new(&v, &h));
        // I1: byte-identical.
        prop_assert_eq!(format!("{first:?}"), format!("{second:?}"));
        let Ok(out) = first else { return Ok(()) };
        let pair = PvPair::new(&out.virtual_pv, &out.host_pv);
        let again = run(pair, pair);
        prop_assert!(again.is_ok(), "{:?}", again);
        let again = again.unwrap();
        prop_assert_eq!(&again.virtual_pv, &out.virtual_pv);
        prop_assert_eq!(&again.host_pv, &out.host_pv);
        prop_assert!(again.conflicts.is_empty());
    }

    #[test]
    fn b1_b2_never_panic(
        last_v in any_pv(), last_h in any_pv(), v in any_pv(), h in any_pv(),
        with_pvc in any::<bool>(), report in any::<bool>(), classes in class_mode(),
    ) {
        let t = translator(report, classes);
        let claim = with_pvc.then(pvc);
        let _ = keep_in_step(PvPair::new(&last_v, &last_h), PvPair::new(&v, &h), claim.as_ref(), &t);
    }
}

#[test]
fn generated_scenarios_mostly_succeed() {
    // Guards the properties above against vacuity: most generated pairs are valid pairs.
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let t = translator(false, StorageClassMode::Off);
    let mut ok = 0;
    for _ in 0..200 {
        let (last_v, last_h, v, h, claim) = scenario().new_tree(&mut runner).unwrap().current();
        if keep_in_step(
            PvPair::new(&last_v, &last_h),
            PvPair::new(&v, &h),
            claim.as_ref(),
            &t,
        )
        .is_ok()
        {
            ok += 1;
        }
    }
    assert!(
        ok > 150,
        "only {ok} of 200 generated scenarios were valid pairs"
    );
}
