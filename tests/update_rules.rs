//! SPEC §14 (U1-U5) with P3, P4, C3 and R5 on updates: a PVC pair and a `ToHost` class pair
//! kept in step once both exist, one test per rule and per guard, through the single-object API
//! and the plan.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use common::{edit, from_json};
use k8s_openapi::api::core::v1::PersistentVolumeClaim;
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use pv_translate::plan::{ClusterSide, Kind};
use pv_translate::snapshot::Objects;
use pv_translate::storage_class::ClassInputs;
use pv_translate::{
    Action, ConflictPolicy, Decision, Inputs, Options, PvMode, Rule, Snapshot, StorageClassMode,
    SyncMode, Translator, VirtualCluster,
};
use serde_json::json;

const H: &str = "team-a";
const V: &str = "vc";
const HOST_PVC: &str = "data-x-default-x-vc";
const RELEASE_ON_HOST: &str = "vcluster.loft.sh/label-vc-x-a4d451ec23";

fn translator(classes: StorageClassMode) -> Translator {
    Translator::new(VirtualCluster::new(V, H).unwrap())
        .with_mode(SyncMode::new(PvMode::Fake, classes))
        .with_explanations(true)
}

fn fake() -> Translator {
    translator(StorageClassMode::Off)
}

/// The tenant's bound claim `default/data`.
fn claim() -> PersistentVolumeClaim {
    from_json(json!({
        "metadata": {
            "name": "data", "namespace": "default", "uid": "v-uid",
            "labels": {"app": "db", "release": "r1"},
            "annotations": {"note": "a", "team.example.com/owner": "alice",
                            "pv.kubernetes.io/bind-completed": "yes"},
        },
        "spec": {
            "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}},
            "storageClassName": "gp3", "volumeName": "pvc-host-1",
        },
        "status": {"phase": "Bound", "capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce"]},
    }))
}

/// Its host PVC as P1 made it, then bound by the host.
fn host_of(pvc: &PersistentVolumeClaim) -> PersistentVolumeClaim {
    let made = fake()
        .host_pvc(&Inputs::new().with_virtual_pvc(pvc))
        .unwrap()
        .desired
        .unwrap();
    edit(&made, |v| {
        v["metadata"]["uid"] = json!("h-uid");
        v["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] = json!("yes");
        v["status"] = json!({"phase": "Bound", "capacity": {"storage": "5Gi"},
                             "accessModes": ["ReadWriteOnce"]});
    })
}

/// Both decisions for a synced pair that changed: (last virtual, last host) -> (virtual, host).
fn pvc_pair(
    t: &Translator,
    last: Option<(&PersistentVolumeClaim, &PersistentVolumeClaim)>,
    now: (&PersistentVolumeClaim, &PersistentVolumeClaim),
) -> (
    Decision<PersistentVolumeClaim>,
    Decision<PersistentVolumeClaim>,
) {
    let mut inputs = Inputs::new().with_virtual_pvc(now.0).with_host_pvc(now.1);
    if let Some((virtual_pvc, host_pvc)) = last {
        inputs = inputs
            .with_last_virtual_pvc(virtual_pvc)
            .with_last_host_pvc(host_pvc);
    }
    let pair = (
        t.virtual_pvc(&inputs).unwrap(),
        t.host_pvc(&inputs).unwrap(),
    );
    // The plan agrees (R3).
    let snapshot = |v: &PersistentVolumeClaim, h: &PersistentVolumeClaim| {
        Snapshot::new(
            Objects::new(vec![v.clone()], vec![], vec![]).unwrap(),
            Objects::new(vec![h.clone()], vec![], vec![]).unwrap(),
        )
    };
    let previous = last.map(|(v, h)| snapshot(v, h));
    let plan = t.plan(previous.as_ref(), &snapshot(now.0, now.1));
    for (cluster, namespace, name, decision) in [
        (ClusterSide::Virtual, "default", "data", &pair.0),
        (ClusterSide::Host, H, HOST_PVC, &pair.1),
    ] {
        let planned = plan.actions.iter().find(|a| {
            a.cluster == cluster
                && a.kind == Kind::PersistentVolumeClaim
                && a.namespace == namespace
                && a.name == name
        });
        match planned {
            Some(a) => assert_eq!(a.action, decision.action, "{cluster:?}"),
            None => assert!(
                decision.action == Action::Unchanged,
                "{cluster:?}: {}",
                decision.action
            ),
        }
    }
    pair
}

fn annotations(
    decision: &Decision<PersistentVolumeClaim>,
) -> std::collections::BTreeMap<String, String> {
    decision
        .desired
        .as_ref()
        .unwrap()
        .metadata
        .annotations
        .clone()
        .unwrap_or_default()
}

fn labels(
    decision: &Decision<PersistentVolumeClaim>,
) -> std::collections::BTreeMap<String, String> {
    decision
        .desired
        .as_ref()
        .unwrap()
        .metadata
        .labels
        .clone()
        .unwrap_or_default()
}

#[test]
fn u1_a_key_the_tenant_removed_is_removed_on_the_host() {
    let (v0, h0) = (claim(), host_of(&claim()));
    let v1 = edit(&v0, |v| {
        v["metadata"]["labels"]
            .as_object_mut()
            .unwrap()
            .remove("app");
        v["metadata"]["labels"]
            .as_object_mut()
            .unwrap()
            .remove("release");
        v["metadata"]["annotations"]
            .as_object_mut()
            .unwrap()
            .remove("note");
    });
    let (virtual_side, host_side) = pvc_pair(&fake(), Some((&v0, &h0)), (&v1, &h0));
    assert_eq!(virtual_side.action, Action::Unchanged);
    assert!(
        matches!(host_side.action, Action::Update { .. }),
        "{}",
        host_side.action
    );
    assert!(!labels(&host_side).contains_key("app"));
    assert!(!labels(&host_side).contains_key(RELEASE_ON_HOST));
    assert!(!annotations(&host_side).contains_key("note"));
    // The markers and bookkeeping stay.
    assert_eq!(labels(&host_side)["vcluster.loft.sh/managed-by"], V);
    assert_eq!(
        annotations(&host_side)["vcluster.loft.sh/object-name"],
        "data"
    );
    let why = host_side.explanation.unwrap().to_string();
    assert!(
        why.contains("U1: the virtual PVC's labels changed: pushed to the host PVC (removed: app"),
        "{why}"
    );
    assert!(
        why.contains("annotations changed: pushed to the host PVC (removed: note)"),
        "{why}"
    );
}

#[test]
fn u1_host_side_edits_survive_and_reach_the_virtual_pvc() {
    let (v0, h0) = (claim(), host_of(&claim()));
    let h1 = edit(&h0, |v| {
        v["metadata"]["labels"]["backup"] = json!("daily");
        v["metadata"]["labels"][RELEASE_ON_HOST] = json!("r2");
        v["metadata"]["annotations"]["team.example.com/owner"] = json!("bob");
        v["metadata"]["annotations"]["vcluster.loft.sh/object-uid"] = json!("forged");
    });
    let (virtual_side, host_side) = pvc_pair(&fake(), Some((&v0, &h0)), (&v0, &h1));
    assert!(
        matches!(virtual_side.action, Action::Update { .. }),
        "{}",
        virtual_side.action
    );
    let why = virtual_side.explanation.clone().unwrap().to_string();
    assert!(
        why.contains("U1: the host PVC's labels changed: pulled into the virtual PVC (set: backup"),
        "{why}"
    );
    assert_eq!(labels(&virtual_side)["backup"], "daily");
    assert_eq!(labels(&virtual_side)["release"], "r2", "N5's inverse");
    assert_eq!(annotations(&virtual_side)["team.example.com/owner"], "bob");
    assert!(!annotations(&virtual_side).contains_key("vcluster.loft.sh/object-uid"));
    assert!(!labels(&virtual_side).contains_key("vcluster.loft.sh/managed-by"));
    // The host keeps its edits; only the bookkeeping is written again (as vcluster does).
    assert_eq!(labels(&host_side)["backup"], "daily");
    assert_eq!(annotations(&host_side)["team.example.com/owner"], "bob");
    assert_eq!(
        annotations(&host_side)["vcluster.loft.sh/object-uid"],
        "v-uid"
    );
    assert_eq!(
        host_side.action,
        Action::Update {
            changed: vec!["/metadata/annotations/vcluster.loft.sh~1object-uid".to_owned()]
        }
    );
}

#[test]
fn u1_both_sides_changed_both_arrive_and_the_virtual_side_wins_a_key() {
    let (v0, h0) = (claim(), host_of(&claim()));
    let v1 = edit(&v0, |v| {
        v["metadata"]["annotations"]["note"] = json!("tenant");
        v["metadata"]["annotations"]["added-by-tenant"] = json!("1");
    });
    let h1 = edit(&h0, |v| {
        v["metadata"]["annotations"]["note"] = json!("host");
        v["metadata"]["annotations"]["added-by-host"] = json!("1");
    });
    let (virtual_side, host_side) = pvc_pair(&fake(), Some((&v0, &h0)), (&v1, &h1));
    for side in [&virtual_side, &host_side] {
        let a = annotations(side);
        assert_eq!(a["note"], "tenant");
        assert_eq!(a["added-by-tenant"], "1");
        assert_eq!(a["added-by-host"], "1");
    }
}

#[test]
fn u1_r2_without_a_previous_snapshot_only_virtual_labels_are_pushed() {
    let (v0, h0) = (claim(), host_of(&claim()));
    let v1 = edit(&v0, |v| {
        v["metadata"]["labels"]["tier"] = json!("gold");
        v["metadata"]["annotations"]["note"] = json!("edited while down");
    });
    let h1 = edit(&h0, |v| {
        v["metadata"]["annotations"]["host-note"] = json!("edited while down");
    });
    let (virtual_side, host_side) = pvc_pair(&fake(), None, (&v1, &h1));
    assert_eq!(labels(&host_side)["tier"], "gold");
    // Neither annotation edit crosses: no rule can tell which side made it (as vcluster).
    assert_eq!(annotations(&host_side)["note"], "a");
    assert!(!annotations(&virtual_side).contains_key("host-note"));
}

#[test]
fn u1_binder_steering_and_class_annotations_cross_only_as_p3_says() {
    let (v0, h0) = (claim(), host_of(&claim()));
    let v1 = edit(&v0, |v| {
        for key in [
            "pv.kubernetes.io/bind-completed",
            "volume.kubernetes.io/selected-node",
            "volume.beta.kubernetes.io/storage-class",
        ] {
            v["metadata"]["annotations"][key] = json!("tenant");
        }
    });
    let (_, host_side) = pvc_pair(&fake(), Some((&v0, &h0)), (&v1, &h0));
    let a = annotations(&host_side);
    assert_eq!(
        a["pv.kubernetes.io/bind-completed"], "yes",
        "the host's own"
    );
    assert!(!a.contains_key("volume.kubernetes.io/selected-node"));
    assert!(!a.contains_key("volume.beta.kubernetes.io/storage-class"));
    assert_eq!(host_side.action, Action::Unchanged);
    // The host's selected-node and resizer come back through U1; its class annotation never.
    let h1 = edit(&h0, |v| {
        v["metadata"]["annotations"]["volume.kubernetes.io/selected-node"] = json!("node-1");
        v["metadata"]["annotations"]["volume.beta.kubernetes.io/storage-class"] = json!("x");
    });
    let (virtual_side, _) = pvc_pair(&fake(), Some((&v0, &h0)), (&v0, &h1));
    let a = annotations(&virtual_side);
    assert_eq!(a["volume.kubernetes.io/selected-node"], "node-1");
    assert!(!a.contains_key("volume.beta.kubernetes.io/storage-class"));
}

#[test]
fn p3_binder_annotations_follow_the_host_every_round_and_go_when_it_drops_them() {
    let (v0, h0) = (claim(), host_of(&claim()));
    let synced = pvc_pair(&fake(), Some((&v0, &h0)), (&v0, &h0))
        .0
        .desired
        .unwrap();
    let v1 = edit(&v0, |v| {
        v["metadata"]["annotations"] = serde_json::to_value(&synced.metadata.annotations).unwrap();
    });
    assert_eq!(
        annotations(&pvc_pair(&fake(), Some((&v1, &h0)), (&v1, &h0)).0)["pv.kubernetes.io/bind-completed"],
        "yes"
    );
    // The host drops it: gone from the virtual PVC, not left as "".
    let h1 = edit(&h0, |v| {
        v["metadata"]["annotations"]
            .as_object_mut()
            .unwrap()
            .remove("pv.kubernetes.io/bind-completed");
        v["metadata"]["annotations"]["volume.kubernetes.io/storage-provisioner"] = json!("ebs");
    });
    // Also after a restart, and in a round where the virtual labels changed.
    for last in [Some((&v1, &h0)), None] {
        let (virtual_side, _) = pvc_pair(&fake(), last, (&v1, &h1));
        let a = annotations(&virtual_side);
        assert!(!a.contains_key("pv.kubernetes.io/bind-completed"), "{a:?}");
        assert_eq!(a["volume.kubernetes.io/storage-provisioner"], "ebs");
    }
}

#[test]
fn p3_requests_reach_the_host_only_when_kubernetes_accepts_them() {
    let (v0, h0) = (claim(), host_of(&claim()));
    let resized = |size: &str| {
        edit(&v0, |v| {
            v["spec"]["resources"]["requests"]["storage"] = json!(size);
        })
    };
    let requests = |d: &Decision<PersistentVolumeClaim>| {
        d.desired
            .as_ref()
            .unwrap()
            .spec
            .as_ref()
            .unwrap()
            .resources
            .as_ref()
            .unwrap()
            .requests
            .clone()
            .unwrap()["storage"]
            .0
            .clone()
    };
    // Bound, bigger: sent.
    let (_, host_side) = pvc_pair(&fake(), Some((&v0, &h0)), (&resized("10Gi"), &h0));
    assert_eq!(requests(&host_side), "10Gi");
    // Not bound: waits, the host keeps its request.
    let pending = edit(&h0, |v| v["status"] = json!({"phase": "Pending"}));
    let (_, host_side) = pvc_pair(&fake(), Some((&v0, &pending)), (&resized("10Gi"), &pending));
    assert!(
        matches!(host_side.action, Action::Wait { rule: Rule::P3, .. }),
        "{}",
        host_side.action
    );
    assert_eq!(requests(&host_side), "5Gi");
    // Not bound, with a label change too: the label goes, the request waits.
    let labelled = edit(&resized("10Gi"), |v| {
        v["metadata"]["labels"]["tier"] = json!("gold")
    });
    let (_, host_side) = pvc_pair(&fake(), Some((&v0, &pending)), (&labelled, &pending));
    assert!(
        matches!(host_side.action, Action::Update { .. }),
        "{}",
        host_side.action
    );
    assert_eq!(requests(&host_side), "5Gi");
    assert_eq!(labels(&host_side)["tier"], "gold");
    // Smaller, but above status.capacity (recovering from a failed expansion): sent.
    let expanding = edit(&h0, |v| {
        v["spec"]["resources"]["requests"]["storage"] = json!("20Gi");
    });
    let (_, host_side) = pvc_pair(
        &fake(),
        Some((&v0, &expanding)),
        (&resized("10Gi"), &expanding),
    );
    assert_eq!(requests(&host_side), "10Gi");
    // Down to status.capacity or below: waits.
    let (_, host_side) = pvc_pair(&fake(), Some((&v0, &h0)), (&resized("1Gi"), &h0));
    assert!(
        matches!(host_side.action, Action::Wait { rule: Rule::P3, .. }),
        "{}",
        host_side.action
    );
    let (_, host_side) = pvc_pair(
        &fake(),
        Some((&v0, &expanding)),
        (&resized("5Gi"), &expanding),
    );
    assert!(
        matches!(host_side.action, Action::Wait { rule: Rule::P3, .. }),
        "{}",
        host_side.action
    );
    // Another request than storage: waits.
    let other = edit(&v0, |v| {
        v["spec"]["resources"]["requests"]["example.com/iops"] = json!("100");
    });
    let (_, host_side) = pvc_pair(&fake(), Some((&v0, &h0)), (&other, &h0));
    assert!(
        matches!(host_side.action, Action::Wait { rule: Rule::P3, .. }),
        "{}",
        host_side.action
    );
    // A spelling of the same quantity is no change.
    let (_, host_side) = pvc_pair(&fake(), Some((&v0, &h0)), (&resized("5120Mi"), &h0));
    assert_eq!(host_side.action, Action::Unchanged);
}

#[test]
fn u3_a_class_limited_pvc_takes_nothing_from_its_host_pvc() {
    let selector: LabelSelector = from_json(json!({"matchLabels": {"tier": "tenant"}}));
    let t = translator(StorageClassMode::FromHost).with_class_selector(Some(selector));
    let unselected: StorageClass = from_json(
        json!({"metadata": {"name": "gp3", "labels": {"tier": "infra"}},
                                                   "provisioner": "ebs.csi.aws.com"}),
    );
    let v0 = edit(&claim(), |v| {
        v["spec"].as_object_mut().unwrap().remove("volumeName");
        v["status"] = json!({"phase": "Pending"});
    });
    let h0 = edit(&host_of(&claim()), |v| {
        v["metadata"]["labels"]["backup"] = json!("daily");
    });
    let inputs = Inputs::new()
        .with_virtual_pvc(&v0)
        .with_host_pvc(&h0)
        .with_host_storage_class(&unselected);
    let virtual_side = t.virtual_pvc(&inputs).unwrap();
    assert_eq!(
        virtual_side.action,
        Action::Unchanged,
        "no status, binder annotation or volumeName"
    );
    assert!(virtual_side.explanation.unwrap().applied(Rule::U3));
    let host_side = t.host_pvc(&inputs).unwrap();
    assert!(
        matches!(host_side.action, Action::Wait { rule: Rule::C3, .. }),
        "{}",
        host_side.action
    );
    // The plan: the host PVC waits, the virtual PVC has no action.
    let snapshot = Snapshot::new(
        Objects::new(vec![v0.clone()], vec![], vec![]).unwrap(),
        Objects::new(vec![h0.clone()], vec![], vec![unselected.clone()]).unwrap(),
    );
    let plan = t.plan(None, &snapshot);
    assert!(
        plan.actions
            .iter()
            .all(|a| a.kind != Kind::PersistentVolumeClaim || a.action.writes_nothing()),
        "{plan:?}"
    );
    // Even when its host PVC is being deleted or gone: nothing.
    let deleting = edit(&h0, |v| {
        v["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z")
    });
    let inputs = Inputs::new()
        .with_virtual_pvc(&v0)
        .with_host_pvc(&deleting)
        .with_host_storage_class(&unselected);
    assert_eq!(t.virtual_pvc(&inputs).unwrap().action, Action::Unchanged);
    let gone = Inputs::new()
        .with_virtual_pvc(&v0)
        .with_last_host_pvc(&h0)
        .with_host_storage_class(&unselected);
    assert_eq!(t.virtual_pvc(&gone).unwrap().action, Action::Unchanged);
    // A selected class syncs as usual.
    let selected = edit(&unselected, |v| {
        v["metadata"]["labels"]["tier"] = json!("tenant")
    });
    let inputs = Inputs::new()
        .with_virtual_pvc(&v0)
        .with_host_pvc(&h0)
        .with_host_storage_class(&selected);
    assert!(matches!(
        t.virtual_pvc(&inputs).unwrap().action,
        Action::Update { .. }
    ));
}

fn deleting(pvc: &PersistentVolumeClaim, grace: Option<i64>) -> PersistentVolumeClaim {
    edit(pvc, |v| {
        v["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
        if let Some(grace) = grace {
            v["metadata"]["deletionGracePeriodSeconds"] = json!(grace);
        }
    })
}

fn delete(grace: Option<i64>) -> Action {
    Action::Delete {
        remove_finalizers: false,
        grace_period_seconds: grace,
    }
}

#[test]
fn u4_deleting_one_side_deletes_the_other_with_vclusters_grace_period() {
    let (v0, h0) = (claim(), host_of(&claim()));
    // The host PVC is being deleted: the virtual PVC goes, grace period 30s.
    let (virtual_side, host_side) =
        pvc_pair(&fake(), Some((&v0, &h0)), (&v0, &deleting(&h0, Some(0))));
    assert_eq!(virtual_side.action, delete(Some(30)));
    // Both explanations say why.
    assert!(virtual_side.explanation.as_ref().unwrap().applied(Rule::U4));
    assert!(host_side.explanation.as_ref().unwrap().applied(Rule::U4));
    assert_eq!(host_side.action, Action::Unchanged);
    // The virtual PVC is being deleted: the host PVC goes with its grace period.
    for grace in [Some(0), Some(7), None] {
        let (virtual_side, host_side) =
            pvc_pair(&fake(), Some((&v0, &h0)), (&deleting(&v0, grace), &h0));
        assert_eq!(host_side.action, delete(grace));
        assert_eq!(virtual_side.action, Action::Unchanged);
    }
    // Both: nothing more.
    let (virtual_side, host_side) = pvc_pair(
        &fake(),
        Some((&v0, &h0)),
        (&deleting(&v0, Some(0)), &deleting(&h0, Some(0))),
    );
    assert_eq!(
        (virtual_side.action, host_side.action),
        (Action::Unchanged, Action::Unchanged)
    );
    // The host PVC was synced and is gone: the virtual PVC goes at once (P4).
    let gone = Inputs::new().with_virtual_pvc(&v0).with_last_host_pvc(&h0);
    assert_eq!(fake().virtual_pvc(&gone).unwrap().action, delete(Some(0)));
    assert_eq!(fake().host_pvc(&gone).unwrap().action, Action::Unchanged);
}

#[test]
fn r5_a_virtual_pvc_takes_nothing_from_a_host_pvc_that_is_not_its_copy() {
    let v0 = claim();
    let foreign = edit(&host_of(&claim()), |v| {
        v["metadata"]["labels"]["vcluster.loft.sh/managed-by"] = json!("other-vcluster");
        v["spec"]["volumeName"] = json!("someone-elses-pv");
        v["status"]["phase"] = json!("Lost");
    });
    let inputs = Inputs::new().with_virtual_pvc(&v0).with_host_pvc(&foreign);
    assert_eq!(
        fake().virtual_pvc(&inputs).unwrap().action,
        Action::Unchanged
    );
    assert!(matches!(
        fake().host_pvc(&inputs).unwrap().action,
        Action::Conflict { rule: Rule::R5, .. }
    ));
}

// ---------------------------------------------------------------------------------------------
// U2: StorageClasses in ToHost mode
// ---------------------------------------------------------------------------------------------

fn to_host() -> Translator {
    translator(StorageClassMode::ToHost)
}

fn class() -> StorageClass {
    from_json(json!({
        "metadata": {"name": "fast", "uid": "c-uid", "labels": {"tier": "gold"},
                     "annotations": {"owner": "alice"}},
        "provisioner": "ebs.csi.aws.com",
        "parameters": {"type": "gp3"},
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "WaitForFirstConsumer",
        "allowVolumeExpansion": true,
        "mountOptions": ["noatime"],
    }))
}

fn host_class(virtual_class: &StorageClass) -> StorageClass {
    to_host()
        .host_storage_class(&ClassInputs::new(virtual_class))
        .unwrap()
        .host_class
        .desired
        .unwrap()
}

fn class_pair(
    t: &Translator,
    last: Option<(&StorageClass, &StorageClass)>,
    now: (&StorageClass, &StorageClass),
) -> pv_translate::storage_class::ClassPairDecision {
    let inputs = ClassInputs::new(now.0)
        .with_host_class(now.1)
        .with_last(last.map(|l| l.0), last.map(|l| l.1));
    let pair = t.host_storage_class(&inputs).unwrap();
    // The plan agrees (R3).
    let snapshot = |v: &StorageClass, h: &StorageClass| {
        Snapshot::new(
            Objects::new(vec![], vec![], vec![v.clone()]).unwrap(),
            Objects::new(vec![], vec![], vec![h.clone()]).unwrap(),
        )
    };
    let previous = last.map(|(v, h)| snapshot(v, h));
    let plan = t.plan(previous.as_ref(), &snapshot(now.0, now.1));
    for (cluster, decision) in [
        (ClusterSide::Virtual, &pair.virtual_class),
        (ClusterSide::Host, &pair.host_class),
    ] {
        match plan
            .actions
            .iter()
            .find(|a| a.cluster == cluster && a.kind == Kind::StorageClass)
        {
            Some(a) => assert_eq!(a.action, decision.action, "{cluster:?}"),
            None => assert_eq!(decision.action, Action::Unchanged, "{cluster:?}"),
        }
    }
    pair
}

#[test]
fn u2_classes_are_kept_in_step_both_ways() {
    let (v0, h0) = (class(), host_class(&class()));
    // A host edit of a mutable field and a label reaches the virtual class.
    let h1 = edit(&h0, |v| {
        v["mountOptions"] = json!(["noatime", "discard"]);
        v["allowVolumeExpansion"] = json!(false);
        v["metadata"]["labels"]["tier"] = json!("silver");
    });
    let pair = class_pair(&to_host(), Some((&v0, &h0)), (&v0, &h1));
    let why = pair.virtual_class.explanation.clone().unwrap().to_string();
    assert!(
        why.contains("pulled into the virtual class (set: tier)"),
        "{why}"
    );
    let virtual_class = pair.virtual_class.desired.unwrap();
    assert_eq!(
        virtual_class.metadata.uid, None,
        "no server-set metadata (SPEC §0)"
    );
    assert_eq!(
        virtual_class.mount_options,
        Some(vec!["noatime".to_owned(), "discard".to_owned()])
    );
    assert_eq!(virtual_class.allow_volume_expansion, Some(false));
    assert_eq!(virtual_class.metadata.labels.unwrap()["tier"], "silver");
    assert_eq!(
        pair.host_class.action,
        Action::Unchanged,
        "the host edit stays"
    );
    // A tenant edit goes to the host; a removed key is removed.
    let v1 = edit(&v0, |v| {
        v["mountOptions"] = json!(["sync"]);
        v["metadata"]["annotations"]
            .as_object_mut()
            .unwrap()
            .remove("owner");
    });
    let served = edit(&h0, |v| v["metadata"]["uid"] = json!("h-uid"));
    let pair = class_pair(&to_host(), Some((&v0, &served)), (&v1, &served));
    let why = pair.host_class.explanation.clone().unwrap().to_string();
    assert!(
        why.contains("pushed to the host class (removed: owner)"),
        "{why}"
    );
    let host = pair.host_class.desired.unwrap();
    assert_eq!(host.metadata.uid, None, "no server-set metadata (SPEC §0)");
    assert_eq!(host.mount_options, Some(vec!["sync".to_owned()]));
    assert!(
        !host
            .metadata
            .annotations
            .as_ref()
            .unwrap()
            .contains_key("owner")
    );
    // managed-annotations is left as written (as vcluster's Sync leaves it).
    assert_eq!(
        host.metadata.annotations.unwrap()["vcluster.loft.sh/managed-annotations"],
        "owner"
    );
}

#[test]
fn u2_a_field_the_api_server_will_not_update_recreates_the_class_that_takes_it() {
    let (v0, h0) = (class(), host_class(&class()));
    for (field, value) in [
        ("parameters", json!({"type": "io2"})),
        ("provisioner", json!("disk.csi.azure.com")),
        ("reclaimPolicy", json!("Retain")),
        ("volumeBindingMode", json!("Immediate")),
    ] {
        // The tenant recreated its class with a new value: the host class is recreated.
        let v1 = edit(&v0, |v| v[field] = value.clone());
        let pair = class_pair(&to_host(), Some((&v0, &h0)), (&v1, &h0));
        assert_eq!(pair.host_class.action, Action::Recreate, "{field}");
        let why = pair.host_class.explanation.unwrap().to_string();
        assert!(why.contains(&format!("new {field}")), "{why}");
        let host = pair.host_class.desired.unwrap();
        assert_eq!(
            serde_json::to_value(&host).unwrap()[field],
            value,
            "{field}"
        );
        assert_eq!(host.metadata.name, h0.metadata.name);
        assert_eq!(pair.virtual_class.action, Action::Unchanged, "{field}");
        // A host admin recreated the host class: the virtual class is recreated.
        let h1 = edit(&h0, |v| v[field] = value.clone());
        let pair = class_pair(&to_host(), Some((&v0, &h0)), (&v0, &h1));
        assert_eq!(pair.virtual_class.action, Action::Recreate, "{field}");
        assert_eq!(pair.host_class.action, Action::Unchanged, "{field}");
    }
    // Defaults are no change: an unset reclaimPolicy is Delete, volumeBindingMode Immediate.
    let defaulted = edit(&v0, |v| {
        v.as_object_mut().unwrap().remove("reclaimPolicy");
    });
    let pair = class_pair(&to_host(), Some((&v0, &h0)), (&defaulted, &h0));
    assert_eq!(pair.host_class.action, Action::Unchanged);
    // A mutable field is an update.
    let v1 = edit(&v0, |v| {
        v["allowedTopologies"] = json!([{"matchLabelExpressions": [
        {"key": "topology.kubernetes.io/zone", "values": ["eu-west-1a"]}]}])
    });
    let pair = class_pair(&to_host(), Some((&v0, &h0)), (&v1, &h0));
    assert!(
        matches!(pair.host_class.action, Action::Update { .. }),
        "{}",
        pair.host_class.action
    );
}

#[test]
fn u2_empty_equals_absent_and_an_empty_parameter_is_a_value() {
    let (v0, h0) = (class(), host_class(&class()));
    // An empty list or map is no change from an absent one (as the API server stores them).
    for (field, empty) in [
        ("mountOptions", json!([])),
        ("parameters", json!({})),
        ("allowedTopologies", json!([])),
    ] {
        let absent = edit(&v0, |v| {
            v.as_object_mut().unwrap().remove(field);
        });
        let host_absent = edit(&h0, |v| {
            v.as_object_mut().unwrap().remove(field);
        });
        let emptied = edit(&v0, |v| v[field] = empty.clone());
        let pair = class_pair(
            &to_host(),
            Some((&absent, &host_absent)),
            (&emptied, &host_absent),
        );
        assert_eq!(pair.host_class.action, Action::Unchanged, "{field}");
    }
    let nested = edit(&v0, |v| {
        v["allowedTopologies"] = json!([{"matchLabelExpressions": []}])
    });
    let bare = edit(&v0, |v| v["allowedTopologies"] = json!([{}]));
    let pair = class_pair(&to_host(), Some((&bare, &h0)), (&nested, &h0));
    assert_eq!(pair.host_class.action, Action::Unchanged);
    // A parameter whose value is "" is a parameter: adding one changes the class.
    let with_empty = edit(&v0, |v| v["parameters"]["zone"] = json!(""));
    let pair = class_pair(&to_host(), Some((&v0, &h0)), (&with_empty, &h0));
    assert_eq!(pair.host_class.action, Action::Recreate);
}

#[test]
fn u2_r2_after_a_restart_a_drift_stays_and_virtual_labels_are_pushed() {
    let (v0, h0) = (class(), host_class(&class()));
    let drifted = edit(&h0, |v| {
        v["mountOptions"] = json!(["discard"]);
        v["metadata"]["annotations"]["host-only"] = json!("x");
    });
    let v1 = edit(&v0, |v| v["metadata"]["labels"]["new"] = json!("label"));
    let pair = class_pair(&to_host(), None, (&v1, &drifted));
    let host = pair.host_class.desired.unwrap();
    assert_eq!(
        host.mount_options,
        Some(vec!["discard".to_owned()]),
        "no side counts as changed"
    );
    assert_eq!(host.metadata.labels.unwrap()["new"], "label");
    assert_eq!(pair.virtual_class.action, Action::Unchanged);
}

#[test]
fn u2_conflicts_report_writes_nothing_to_the_host_class() {
    let (v0, h0) = (class(), host_class(&class()));
    let v1 = edit(&v0, |v| v["mountOptions"] = json!(["a"]));
    let h1 = edit(&h0, |v| v["mountOptions"] = json!(["b"]));
    let report = to_host().with_options(Options::default().with_conflicts(ConflictPolicy::Report));
    let pair = class_pair(&report, Some((&v0, &h0)), (&v1, &h1));
    assert!(
        matches!(
            pair.host_class.action,
            Action::Conflict { rule: Rule::B1, .. }
        ),
        "{}",
        pair.host_class.action
    );
    // The default: the virtual side wins.
    let pair = class_pair(&to_host(), Some((&v0, &h0)), (&v1, &h1));
    assert_eq!(
        pair.host_class.desired.unwrap().mount_options,
        Some(vec!["a".to_owned()])
    );
    // Both to the same value: no conflict.
    let h2 = edit(&h0, |v| v["mountOptions"] = json!(["a"]));
    let pair = class_pair(&report, Some((&v0, &h0)), (&v1, &h2));
    assert_eq!(pair.host_class.action, Action::Unchanged);
}

#[test]
fn u2_a_host_class_seen_and_gone_takes_the_virtual_class_with_it() {
    let (v0, h0) = (class(), host_class(&class()));
    let pair = to_host()
        .host_storage_class(&ClassInputs::new(&v0).with_last(Some(&v0), Some(&h0)))
        .unwrap();
    assert_eq!(
        pair.virtual_class.action,
        Action::Delete {
            remove_finalizers: false,
            grace_period_seconds: None
        }
    );
    assert_eq!(pair.host_class.action, Action::Unchanged);
    // Never seen: created.
    let pair = to_host()
        .host_storage_class(&ClassInputs::new(&v0))
        .unwrap();
    assert_eq!(pair.host_class.action, Action::Create);
}

#[test]
fn u2_r5_a_host_class_that_is_not_ours_is_neither_written_nor_read() {
    let v0 = class();
    let foreign = edit(&host_class(&v0), |v| {
        v["metadata"]["labels"]["vcluster.loft.sh/managed-by"] = json!("someone-else");
        v["mountOptions"] = json!(["theirs"]);
    });
    let pair = to_host()
        .host_storage_class(
            &ClassInputs::new(&v0)
                .with_host_class(&foreign)
                .with_last(Some(&v0), Some(&host_class(&v0))),
        )
        .unwrap();
    assert!(matches!(
        pair.host_class.action,
        Action::Conflict { rule: Rule::R5, .. }
    ));
    assert_eq!(pair.virtual_class.action, Action::Unchanged);
    // A host class under another name is an input error.
    let misnamed = edit(&host_class(&v0), |v| v["metadata"]["name"] = json!("other"));
    let err = to_host()
        .host_storage_class(&ClassInputs::new(&v0).with_host_class(&misnamed))
        .unwrap_err();
    assert!(err.to_string().contains("metadata.name"), "{err}");
}

#[test]
fn u2_bookkeeping_is_written_again_and_default_marks_never_come_back() {
    let (v0, h0) = (class(), host_class(&class()));
    let recreated = edit(&v0, |v| v["metadata"]["uid"] = json!("new-uid"));
    let h1 = edit(&h0, |v| {
        v["metadata"]["annotations"]["storageclass.kubernetes.io/is-default-class"] = json!("true");
        v["metadata"]["annotations"]["vcluster.loft.sh/object-namespace"] = json!("stray");
    });
    let pair = class_pair(&to_host(), Some((&v0, &h0)), (&recreated, &h1));
    let host = pair.host_class.desired.unwrap();
    let a = host.metadata.annotations.unwrap();
    assert_eq!(a["vcluster.loft.sh/object-uid"], "new-uid");
    assert!(!a.contains_key("vcluster.loft.sh/object-namespace"));
    // The host's default mark stays on the host and does not reach the tenant's class.
    assert_eq!(a["storageclass.kubernetes.io/is-default-class"], "true");
    assert_eq!(pair.virtual_class.action, Action::Unchanged);
}
