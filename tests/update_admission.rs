//! U2, P3: no update the crate plans is one the API server would refuse, one property per kind
//! (SPEC §14). Generated pairs, edited on either side or both, with or without the last synced
//! versions (R2), go through the single-object API and the plan; every update either side gets
//! must pass Kubernetes' update validation, written again in `update_admission/kubernetes.rs`.
//! Each property counts the updates it checked and fails when too few were reached.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

#[path = "update_admission/kubernetes.rs"]
mod kubernetes;

use std::cell::RefCell;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use k8s_openapi::api::storage::v1::StorageClass;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use pv_translate::plan::{ClusterSide, Kind, Object};
use pv_translate::snapshot::Objects;
use pv_translate::storage_class::ClassInputs;
use pv_translate::{
    Action, Decision, Inputs, PvMode, Snapshot, StorageClassMode, SyncMode, Translator,
    VirtualCluster,
};
use serde_json::{Value, json};

fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

fn value<T: serde::Serialize>(object: &T) -> Value {
    serde_json::to_value(object).unwrap()
}

/// How many updates a property checked, by kind of change.
#[derive(Default)]
struct Tally(BTreeMap<&'static str, usize>);

impl Tally {
    fn hit(&mut self, what: &'static str) {
        *self.0.entry(what).or_default() += 1;
    }

    fn at_least(&self, what: &'static str, n: usize) {
        let got = self.0.get(what).copied().unwrap_or_default();
        assert!(
            got >= n,
            "{what}: reached {got} times, wanted {n}: {:?}",
            self.0
        );
    }
}

/// Checks one decision about `current`: an update passes `check`; a recreate is needed (an
/// update would not pass).
fn checked<T: serde::Serialize>(
    current: &T,
    decision: &Decision<T>,
    check: fn(&Value, &Value) -> Vec<String>,
    tally: &mut Tally,
    what: (&'static str, &'static str),
) -> Result<(), TestCaseError> {
    match &decision.action {
        Action::Update { .. } => {
            let errors = check(&value(current), &value(decision.desired.as_ref().unwrap()));
            prop_assert!(errors.is_empty(), "{errors:?}\n{}", decision.action);
            tally.hit(what.0);
        }
        Action::Recreate => {
            let errors = check(&value(current), &value(decision.desired.as_ref().unwrap()));
            prop_assert!(!errors.is_empty(), "a recreate an update would do");
            tally.hit(what.1);
        }
        _ => {}
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// StorageClasses
// ---------------------------------------------------------------------------------------------

fn class_field() -> impl Strategy<Value = (&'static str, Value)> {
    prop_oneof![
        prop::sample::select(vec!["ebs.csi.aws.com", "pd.csi.storage.gke.io"])
            .prop_map(|p| ("provisioner", json!(p))),
        prop::sample::select(vec![
            json!(null),
            json!({"type": "gp3"}),
            json!({"type": "io2", "iops": "3000"})
        ])
        .prop_map(|p| ("parameters", p)),
        prop::sample::select(vec![json!(null), json!("Delete"), json!("Retain")])
            .prop_map(|p| ("reclaimPolicy", p)),
        prop::sample::select(vec![
            json!(null),
            json!("Immediate"),
            json!("WaitForFirstConsumer")
        ])
        .prop_map(|p| ("volumeBindingMode", p)),
        prop::sample::select(vec![json!(null), json!(true), json!(false)])
            .prop_map(|p| ("allowVolumeExpansion", p)),
        prop::sample::select(vec![
            json!(null),
            json!(["noatime"]),
            json!(["discard", "noatime"])
        ])
        .prop_map(|p| ("mountOptions", p)),
        prop::sample::select(vec![
            json!(null),
            json!([{"matchLabelExpressions": [{"key": "zone", "values": ["a"]}]}]),
        ])
        .prop_map(|p| ("allowedTopologies", p)),
        prop::sample::select(vec![
            json!({"tier": "gold"}),
            json!({"tier": "silver", "x": "1"}),
            json!(null)
        ])
        .prop_map(|p| ("labels", p)),
        prop::sample::select(vec![
            json!({"owner": "a"}),
            json!({"owner": "b", "note": "n"}),
            json!(null)
        ])
        .prop_map(|p| ("annotations", p)),
    ]
}

fn apply(object: &Value, edits: &[(&'static str, Value)]) -> Value {
    let mut object = object.clone();
    for (field, new) in edits {
        if matches!(*field, "labels" | "annotations") {
            let map = object["metadata"][*field]
                .as_object()
                .cloned()
                .unwrap_or_default();
            let mut map = map;
            if let Some(new) = new.as_object() {
                map.extend(new.clone());
            } else {
                map.retain(|k, _| k.starts_with("vcluster.loft.sh/"));
            }
            object["metadata"][*field] = Value::Object(map);
        } else if new.is_null() {
            object.as_object_mut().unwrap().remove(*field);
        } else {
            object[*field] = new.clone();
        }
    }
    object
}

/// Edits: one field to a value.
type Edits = Vec<(&'static str, Value)>;

/// The class as made, the tenant's edits, the host's edits, and whether the syncer restarted.
fn class_case() -> impl Strategy<Value = (Edits, Edits, Edits, bool)> {
    (
        prop::collection::vec(class_field(), 0..5),
        prop::collection::vec(class_field(), 0..3),
        prop::collection::vec(class_field(), 0..3),
        any::<bool>(),
    )
}

fn base_class() -> Value {
    json!({"metadata": {"name": "fast", "uid": "u-1"}, "provisioner": "ebs.csi.aws.com"})
}

#[test]
fn u2_no_class_update_is_one_the_api_server_refuses() {
    let to_host = Translator::new(VirtualCluster::new("vc", "team-a").unwrap())
        .with_mode(SyncMode::new(PvMode::Fake, StorageClassMode::ToHost));
    let from_host = to_host
        .clone()
        .with_mode(SyncMode::new(PvMode::Fake, StorageClassMode::FromHost));
    let tally = RefCell::new(Tally::default());
    let mut runner = TestRunner::new(Config::with_cases(512));
    runner
        .run(
            &class_case(),
            |(start, virtual_edits, host_edits, restart)| {
                let mut tally = tally.borrow_mut();
                // ToHost: the pair as C2 made it, then edited.
                let v0: StorageClass = from_json(apply(&base_class(), &start));
                let h0 = to_host
                    .host_storage_class(&ClassInputs::new(&v0))
                    .unwrap()
                    .host_class
                    .desired
                    .unwrap();
                let v1: StorageClass = from_json(apply(&value(&v0), &virtual_edits));
                let h1: StorageClass = from_json(apply(&value(&h0), &host_edits));
                let last = (!restart).then_some((&v0, &h0));
                let inputs = ClassInputs::new(&v1)
                    .with_host_class(&h1)
                    .with_last(last.map(|l| l.0), last.map(|l| l.1));
                let pair = to_host.host_storage_class(&inputs).unwrap();
                let check = kubernetes::storage_class_update_errors;
                checked(
                    &h1,
                    &pair.host_class,
                    check,
                    &mut tally,
                    ("host update", "host recreate"),
                )?;
                checked(
                    &v1,
                    &pair.virtual_class,
                    check,
                    &mut tally,
                    ("virtual update", "virtual recreate"),
                )?;
                // The plan plans the same.
                let snapshot = |v: &StorageClass, h: &StorageClass| {
                    Snapshot::new(
                        Objects::new(vec![], vec![], vec![v.clone()]).unwrap(),
                        Objects::new(vec![], vec![], vec![h.clone()]).unwrap(),
                    )
                };
                let previous = last.map(|(v, h)| snapshot(v, h));
                let plan = to_host.plan(previous.as_ref(), &snapshot(&v1, &h1));
                for (cluster, decision) in [
                    (ClusterSide::Host, &pair.host_class),
                    (ClusterSide::Virtual, &pair.virtual_class),
                ] {
                    let planned = plan.actions.iter().find(|a| a.cluster == cluster);
                    match planned {
                        Some(a) => prop_assert_eq!(&a.action, &decision.action),
                        None => prop_assert_eq!(&decision.action, &Action::Unchanged),
                    }
                }
                // FromHost: the virtual copy of a host class the admin changed.
                let copy = from_host
                    .virtual_storage_class(&v0, None)
                    .unwrap()
                    .desired
                    .unwrap();
                let changed: StorageClass = from_json(apply(&value(&v0), &host_edits));
                let decision = from_host
                    .virtual_storage_class(&changed, Some(&copy))
                    .unwrap();
                checked(
                    &copy,
                    &decision,
                    check,
                    &mut tally,
                    ("C1 update", "C1 recreate"),
                )?;
                Ok(())
            },
        )
        .unwrap();
    let tally = tally.into_inner();
    println!("{:?}", tally.0);
    for what in [
        "host update",
        "host recreate",
        "virtual update",
        "virtual recreate",
        "C1 update",
        "C1 recreate",
    ] {
        tally.at_least(what, 10);
    }
}

// ---------------------------------------------------------------------------------------------
// PersistentVolumeClaims
// ---------------------------------------------------------------------------------------------

/// One change to a PVC pair.
#[derive(Debug, Clone)]
enum PvcEdit {
    /// The tenant: a label, an annotation, the request, the limits, the access modes, the class
    /// (a tenant can delete and create its claim again while the host PVC stays).
    VirtualLabel(&'static str),
    VirtualAnnotation(&'static str),
    VirtualRequest(&'static str),
    VirtualLimit(&'static str),
    VirtualAccessModes,
    VirtualClass(&'static str),
    VirtualOtherRequest,
    VirtualVolume,
    /// The host: a label, an annotation, its phase and capacity, a volume bound.
    HostLabel(&'static str),
    HostAnnotation(&'static str),
    HostPhase(&'static str),
    HostCapacity(&'static str),
    HostVolume,
}

fn pvc_edit() -> impl Strategy<Value = PvcEdit> {
    let size = || prop::sample::select(vec!["1Gi", "5Gi", "5120Mi", "10Gi", "20Gi"]);
    prop_oneof![
        prop::sample::select(vec!["a", "b"]).prop_map(PvcEdit::VirtualLabel),
        prop::sample::select(vec![
            "a",
            "volume.kubernetes.io/selected-node",
            "volume.beta.kubernetes.io/storage-class"
        ])
        .prop_map(PvcEdit::VirtualAnnotation),
        size().prop_map(PvcEdit::VirtualRequest),
        size().prop_map(PvcEdit::VirtualLimit),
        Just(PvcEdit::VirtualAccessModes),
        prop::sample::select(vec!["gp3", "io2", ""]).prop_map(PvcEdit::VirtualClass),
        Just(PvcEdit::VirtualOtherRequest),
        Just(PvcEdit::VirtualVolume),
        prop::sample::select(vec!["a", "b"]).prop_map(PvcEdit::HostLabel),
        prop::sample::select(vec!["a", "pv.kubernetes.io/bind-completed"])
            .prop_map(PvcEdit::HostAnnotation),
        prop::sample::select(vec!["Bound", "Pending", "Lost"]).prop_map(PvcEdit::HostPhase),
        size().prop_map(PvcEdit::HostCapacity),
        Just(PvcEdit::HostVolume),
    ]
}

fn edited(pvc: &Value, edits: &[PvcEdit], virtual_side: bool) -> Value {
    let mut v = pvc.clone();
    for edit in edits {
        match (edit, virtual_side) {
            (PvcEdit::VirtualLabel(k), true) | (PvcEdit::HostLabel(k), false) => {
                v["metadata"]["labels"][*k] = json!(if virtual_side { "v" } else { "h" });
            }
            (PvcEdit::VirtualAnnotation(k), true) | (PvcEdit::HostAnnotation(k), false) => {
                v["metadata"]["annotations"][*k] = json!(if virtual_side { "v" } else { "h" });
            }
            (PvcEdit::VirtualRequest(size), true) => {
                v["spec"]["resources"]["requests"]["storage"] = json!(size);
            }
            (PvcEdit::VirtualLimit(size), true) => {
                v["spec"]["resources"]["limits"]["storage"] = json!(size);
            }
            (PvcEdit::VirtualAccessModes, true) => {
                v["spec"]["accessModes"] = json!(["ReadWriteMany"]);
            }
            (PvcEdit::VirtualClass(class), true) => {
                v["spec"]["storageClassName"] = json!(class);
            }
            (PvcEdit::VirtualOtherRequest, true) => {
                v["spec"]["resources"]["requests"]["example.com/iops"] = json!("100");
            }
            (PvcEdit::VirtualVolume, true) => v["spec"]["volumeName"] = json!("other-pv"),
            (PvcEdit::HostPhase(phase), false) => v["status"]["phase"] = json!(phase),
            (PvcEdit::HostCapacity(size), false) => {
                v["status"]["capacity"]["storage"] = json!(size);
            }
            (PvcEdit::HostVolume, false) => v["spec"]["volumeName"] = json!("pvc-host-1"),
            _ => {}
        }
    }
    v
}

#[test]
fn p3_u1_no_pvc_update_is_one_the_api_server_refuses() {
    let tally = RefCell::new(Tally::default());
    let mut runner = TestRunner::new(Config::with_cases(768));
    let strategy = (
        prop::sample::select(vec![PvMode::Fake, PvMode::Sync]),
        prop::sample::select(vec!["Bound", "Pending"]),
        prop::collection::vec(pvc_edit(), 0..4),
        prop::collection::vec(pvc_edit(), 0..4),
        any::<bool>(),
    );
    runner
        .run(
            &strategy,
            |(mode, phase, virtual_edits, host_edits, restart)| {
                let mut tally = tally.borrow_mut();
                let t = Translator::new(VirtualCluster::new("vc", "team-a").unwrap())
                    .with_mode(SyncMode::new(mode, StorageClassMode::Off));
                let v0: PersistentVolumeClaim = from_json(json!({
                    "metadata": {"name": "data", "namespace": "default", "uid": "v-1",
                                 "labels": {"app": "db"}, "annotations": {"note": "n"}},
                    "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "gp3",
                             "resources": {"requests": {"storage": "5Gi"}}},
                }));
                let made = t
                    .host_pvc(&Inputs::new().with_virtual_pvc(&v0))
                    .unwrap()
                    .desired
                    .unwrap();
                let mut h0 = value(&made);
                h0["metadata"]["uid"] = json!("h-1");
                h0["status"] = json!({"phase": phase, "capacity": {"storage": "5Gi"}});
                if phase == "Bound" {
                    h0["spec"]["volumeName"] = json!("pvc-host-1");
                }
                let h0: PersistentVolumeClaim = from_json(h0);
                let v1: PersistentVolumeClaim =
                    from_json(edited(&value(&v0), &virtual_edits, true));
                let h1: PersistentVolumeClaim = from_json(edited(&value(&h0), &host_edits, false));
                let mut inputs = Inputs::new().with_virtual_pvc(&v1).with_host_pvc(&h1);
                if !restart {
                    inputs = inputs.with_last_virtual_pvc(&v0).with_last_host_pvc(&h0);
                }
                let check = kubernetes::pvc_update_errors;
                let host = t.host_pvc(&inputs).unwrap();
                checked(
                    &h1,
                    &host,
                    check,
                    &mut tally,
                    ("host update", "host recreate"),
                )?;
                let virtual_side = t.virtual_pvc(&inputs).unwrap();
                // The virtual PVC's recreation (VolumeNameDiffers) is the one recreate: an update
                // could not change its volumeName.
                checked(
                    &v1,
                    &virtual_side,
                    check,
                    &mut tally,
                    ("virtual update", "virtual recreate"),
                )?;
                if matches!(host.action, Action::Wait { .. }) {
                    tally.hit("a resize waited");
                }
                // The plan plans the same.
                let snapshot = |v: &PersistentVolumeClaim, h: &PersistentVolumeClaim| {
                    Snapshot::new(
                        Objects::new(vec![v.clone()], vec![], vec![]).unwrap(),
                        Objects::new(vec![h.clone()], vec![], vec![]).unwrap(),
                    )
                };
                let previous = (!restart).then(|| snapshot(&v0, &h0));
                let plan = t.plan(previous.as_ref(), &snapshot(&v1, &h1));
                for (cluster, decision) in [
                    (ClusterSide::Host, &host),
                    (ClusterSide::Virtual, &virtual_side),
                ] {
                    let planned = plan
                        .actions
                        .iter()
                        .find(|a| a.cluster == cluster && a.kind == Kind::PersistentVolumeClaim);
                    match planned {
                        Some(a) => {
                            prop_assert_eq!(&a.action, &decision.action);
                            if let (Some(Object::PersistentVolumeClaim(p)), Some(d)) =
                                (&a.desired, &decision.desired)
                            {
                                prop_assert_eq!(&**p, d);
                            }
                        }
                        None => {
                            prop_assert!(decision.action.writes_nothing(), "{}", decision.action)
                        }
                    }
                }
                Ok(())
            },
        )
        .unwrap();
    let tally = tally.into_inner();
    println!("{:?}", tally.0);
    for (what, n) in [
        ("host update", 40),
        ("virtual update", 100),
        ("virtual recreate", 5),
        ("a resize waited", 20),
    ] {
        tally.at_least(what, n);
    }
}

/// The checks themselves refuse what Kubernetes refuses (each case one rule of the port).
#[test]
fn the_kubernetes_checks_refuse_what_kubernetes_refuses() {
    let class = base_class();
    for (field, new) in [
        ("parameters", json!({"type": "io2"})),
        ("parameters", json!({})),
        ("provisioner", json!("other")),
        ("reclaimPolicy", json!("Retain")),
        ("volumeBindingMode", json!("WaitForFirstConsumer")),
    ] {
        let mut changed = class.clone();
        changed[field] = new;
        assert!(
            !kubernetes::storage_class_update_errors(&class, &changed).is_empty(),
            "{field}"
        );
    }
    let mut defaulted = class.clone();
    defaulted["reclaimPolicy"] = json!("Delete");
    defaulted["volumeBindingMode"] = json!("Immediate");
    defaulted["mountOptions"] = json!(["x"]);
    assert!(kubernetes::storage_class_update_errors(&class, &defaulted).is_empty());

    let pvc = json!({
        "metadata": {"name": "p"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}},
        "status": {"phase": "Bound", "capacity": {"storage": "5Gi"}},
    });
    let with = |pointer: &str, new: Value, base: &Value| {
        let mut v = base.clone();
        *v.pointer_mut(pointer).unwrap() = new;
        v
    };
    let ok = |new: &Value, base: &Value| kubernetes::pvc_update_errors(base, new).is_empty();
    assert!(ok(
        &with("/spec/resources/requests/storage", json!("10Gi"), &pvc),
        &pvc
    ));
    assert!(ok(
        &with("/spec/resources/requests/storage", json!("5120Mi"), &pvc),
        &pvc
    ));
    assert!(!ok(
        &with("/spec/resources/requests/storage", json!("1Gi"), &pvc),
        &pvc
    ));
    assert!(!ok(
        &with("/spec/accessModes", json!(["ReadWriteMany"]), &pvc),
        &pvc
    ));
    let pending = with("/status/phase", json!("Pending"), &pvc);
    assert!(!ok(
        &with("/spec/resources/requests/storage", json!("10Gi"), &pending),
        &pending
    ));
    let mut named = pvc.clone();
    named["spec"]["volumeName"] = json!("pv-1");
    assert!(ok(&named, &pvc), "volumeName is set once");
    assert!(!ok(
        &with("/spec/volumeName", json!("pv-2"), &named),
        &named
    ));
    let mut classed = pvc.clone();
    classed["spec"]["storageClassName"] = json!("gp3");
    assert!(ok(&classed, &pvc), "a class set later");
    assert!(!ok(
        &with("/spec/storageClassName", json!("io2"), &classed),
        &classed
    ));
    let expanding = with("/spec/resources/requests/storage", json!("20Gi"), &pvc);
    assert!(ok(
        &with(
            "/spec/resources/requests/storage",
            json!("10Gi"),
            &expanding
        ),
        &expanding
    ));
    let mut annotated = pvc.clone();
    annotated["metadata"]["annotations"] = json!({"volume.beta.kubernetes.io/storage-class": "x"});
    assert!(!ok(&annotated, &pvc));
}
