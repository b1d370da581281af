//! SPEC R1-R5, P3, P4: the plan for both clusters at once.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{bound_pvc, edit, from_json};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use pv_translate::plan::{ClusterSide, Kind, Object, PlannedAction};
use pv_translate::snapshot::Objects;
use pv_translate::{
    Action, Plan, PvMode, Rule, Snapshot, StorageClassMode, SyncMode, Translator, VirtualCluster,
};
use serde_json::json;

const V: &str = "vc";
const H: &str = "team-a";

fn translator(mode: PvMode) -> Translator {
    Translator::new(VirtualCluster::new(V, H).unwrap())
        .with_mode(SyncMode::new(mode, StorageClassMode::Off))
}

fn objects(
    pvcs: Vec<PersistentVolumeClaim>,
    pvs: Vec<PersistentVolume>,
    classes: Vec<StorageClass>,
) -> Objects {
    Objects::new(pvcs, pvs, classes).unwrap()
}

/// The host copy P1 makes of `pvc`, bound to `volume`, Bound.
fn host_pvc_of(pvc: &PersistentVolumeClaim, volume: &str, t: &Translator) -> PersistentVolumeClaim {
    let created = t
        .host_pvc(&pv_translate::Inputs::new().with_virtual_pvc(pvc))
        .unwrap()
        .desired
        .unwrap();
    edit(&created, |v| {
        // A provisioner names the PV `pvc-<host PVC uid>` (SPEC T3).
        v["metadata"]["uid"] = json!(volume.strip_prefix("pvc-").unwrap_or("host-pvc-uid"));
        v["spec"]["volumeName"] = json!(volume);
        v["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] = json!("yes");
        v["status"] = json!({"phase": "Bound", "accessModes": ["ReadWriteOnce"],
                             "capacity": {"storage": "5Gi"}});
    })
}

/// A dynamically provisioned host PV for the host PVC `claim` (whose uid is the name's part
/// after `pvc-`, as a provisioner names it; SPEC T3).
fn host_pv(name: &str, claim: &str, policy: &str) -> PersistentVolume {
    from_json(json!({
        "metadata": {"name": name, "uid": format!("uid-{name}")},
        "spec": {
            "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "5Gi"},
            "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": format!("vol-{name}")},
            "persistentVolumeReclaimPolicy": policy, "storageClassName": "standard",
            "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1", "namespace": H,
                         "name": claim,
                         "uid": name.strip_prefix("pvc-").unwrap_or("host-pvc-uid")},
        },
        "status": {"phase": "Bound"},
    }))
}

fn find<'p>(
    plan: &'p Plan,
    cluster: ClusterSide,
    kind: Kind,
    name: &str,
) -> Option<&'p PlannedAction> {
    plan.actions
        .iter()
        .find(|a| a.cluster == cluster && a.kind == kind && a.name == name)
}

/// A bound virtual PVC `default/data` on `pvc-1`, its host PVC and host PV: one volume.
fn one_volume(policy: &str, mode: PvMode) -> (Snapshot, Translator) {
    let t = translator(mode);
    let pvc = bound_pvc("default", "data", "pvc-1");
    let host_claim = host_pvc_of(&pvc, "pvc-1", &t);
    let host = host_pv("pvc-1", "data-x-default-x-vc", policy);
    (
        Snapshot::new(
            objects(vec![pvc], vec![], vec![]),
            objects(vec![host_claim], vec![host], vec![]),
        ),
        t,
    )
}

#[test]
fn r1_fake_mode_plan_creates_the_fake_pv_and_back_syncs_the_pvc() {
    let (snapshot, t) = one_volume("Retain", PvMode::Fake);
    let plan = t.plan(None, &snapshot);
    assert!(plan.errors.is_empty(), "{:?}", plan.errors);
    let fake = find(&plan, ClusterSide::Virtual, Kind::PersistentVolume, "pvc-1").unwrap();
    assert_eq!(fake.action, Action::Create);
    let Some(Object::PersistentVolume(pv)) = &fake.desired else {
        panic!("{fake:?}")
    };
    assert_eq!(
        pv.spec
            .as_ref()
            .unwrap()
            .persistent_volume_reclaim_policy
            .as_deref(),
        Some("Delete")
    );
    // P3: the virtual PVC takes the host's status and binder annotation.
    let back = find(
        &plan,
        ClusterSide::Virtual,
        Kind::PersistentVolumeClaim,
        "data",
    )
    .unwrap();
    assert_eq!(back.namespace, "default");
    let Action::Update { changed } = &back.action else {
        panic!("{}", back.action)
    };
    assert!(changed.iter().any(|c| c == "/status/phase"), "{changed:?}");
    assert!(
        changed
            .iter()
            .any(|c| c == "/metadata/annotations/pv.kubernetes.io~1bind-completed"),
        "{changed:?}"
    );
    // Nothing on the host in fake mode but the PVC, which is as desired.
    assert!(
        plan.actions
            .iter()
            .all(|a| a.cluster == ClusterSide::Virtual),
        "{:#?}",
        plan.actions
    );
}

#[test]
fn r1_sync_mode_plan_mirrors_the_host_pv_with_its_reclaim_policy() {
    let (snapshot, t) = one_volume("Retain", PvMode::Sync);
    let plan = t.plan(None, &snapshot);
    let mirror = find(&plan, ClusterSide::Virtual, Kind::PersistentVolume, "pvc-1").unwrap();
    assert_eq!(mirror.action, Action::Create);
    let Some(Object::PersistentVolume(pv)) = &mirror.desired else {
        panic!()
    };
    let spec = pv.spec.as_ref().unwrap();
    assert_eq!(
        spec.persistent_volume_reclaim_policy.as_deref(),
        Some("Retain")
    );
    assert_eq!(
        spec.claim_ref.as_ref().unwrap().name.as_deref(),
        Some("data"),
        "S7"
    );
}

#[test]
fn r3_order_is_host_first_then_kind_namespace_name_and_deterministic() {
    let t = translator(PvMode::Sync);
    let pvcs: Vec<PersistentVolumeClaim> = ["b", "a"]
        .iter()
        .flat_map(|ns| {
            ["z", "y"].iter().map(move |name| {
                edit(&bound_pvc(ns, name, ""), |v| {
                    v["spec"]["volumeName"] = json!("")
                })
            })
        })
        .collect();
    let tenant: PersistentVolume = from_json(json!({
        "metadata": {"name": "mine"},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"},
                 "nfs": {"server": "s", "path": "/p"}},
    }));
    let snapshot = Snapshot::new(
        objects(pvcs, vec![tenant], vec![]),
        objects(vec![], vec![], vec![]),
    );
    let plan = t.plan(None, &snapshot);
    let keys: Vec<(ClusterSide, Kind, String, String)> = plan
        .actions
        .iter()
        .map(|a| (a.cluster, a.kind, a.namespace.clone(), a.name.clone()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(keys[0].0, ClusterSide::Host);
    assert_eq!(
        keys[0].1,
        Kind::PersistentVolume,
        "the tenant PV's host copy first"
    );
    assert!(
        keys.iter()
            .any(|k| k.1 == Kind::PersistentVolumeClaim && k.2 == H)
    );
    // Deterministic: the same plan again, and with the inputs in another order.
    assert_eq!(t.plan(None, &snapshot), plan);
}

#[test]
fn r4_explanations_only_when_asked() {
    let (snapshot, t) = one_volume("Retain", PvMode::Sync);
    assert!(
        t.plan(None, &snapshot)
            .actions
            .iter()
            .all(|a| a.explanation.is_none())
    );
    let explained = t.with_explanations(true).plan(None, &snapshot);
    let mirror = find(
        &explained,
        ClusterSide::Virtual,
        Kind::PersistentVolume,
        "pvc-1",
    )
    .unwrap();
    assert!(mirror.explanation.as_ref().unwrap().applied(Rule::S4));
}

#[test]
fn r2_without_a_previous_snapshot_virtual_labels_are_pushed_and_spec_differences_stay() {
    let (snapshot, t) = one_volume("Retain", PvMode::Sync);
    // Settle the mirror first.
    let mirror = match &find(
        &t.plan(None, &snapshot),
        ClusterSide::Virtual,
        Kind::PersistentVolume,
        "pvc-1",
    )
    .unwrap()
    .desired
    {
        Some(Object::PersistentVolume(pv)) => (**pv).clone(),
        _ => panic!(),
    };
    // The tenant labels its PV and flips the policy, while the syncer was down.
    let edited = edit(&mirror, |v| {
        v["metadata"]["labels"] = json!({"team": "a"});
        v["spec"]["persistentVolumeReclaimPolicy"] = json!("Delete");
    });
    let current = Snapshot::new(
        objects(
            snapshot.virtual_cluster.pvcs().cloned().collect(),
            vec![edited.clone()],
            vec![],
        ),
        snapshot.host_cluster.clone(),
    );
    // After a restart: the labels go to the host, the policy difference stays (R2).
    let plan = t.plan(None, &current);
    let host = find(&plan, ClusterSide::Host, Kind::PersistentVolume, "pvc-1").unwrap();
    let Action::Update { changed } = &host.action else {
        panic!("{}", host.action)
    };
    assert_eq!(changed, &["/metadata/labels/team"]);
    // With the previous snapshot (before the edit), the virtual change wins (B1).
    let previous = Snapshot::new(
        objects(
            snapshot.virtual_cluster.pvcs().cloned().collect(),
            vec![mirror],
            vec![],
        ),
        snapshot.host_cluster.clone(),
    );
    let plan = t.plan(Some(&previous), &current);
    let host = find(&plan, ClusterSide::Host, Kind::PersistentVolume, "pvc-1").unwrap();
    let Action::Update { changed } = &host.action else {
        panic!()
    };
    assert!(
        changed.contains(&"/spec/persistentVolumeReclaimPolicy".to_owned()),
        "{changed:?}"
    );
}

#[test]
fn p3_virtual_volume_name_is_the_host_one_in_fake_mode_and_a_tenant_pvs_own_in_sync_mode() {
    let t = translator(PvMode::Sync);
    let unbound = edit(&bound_pvc("default", "data", ""), |v| {
        v["spec"]["volumeName"] = json!("");
    });
    // The tenant's PV `mine` went to the host as N3(mine), which the host PVC is bound to.
    let host_claim = host_pvc_of(&unbound, "vcluster-mine-x-team-a-x-vc", &t);
    let tenant: PersistentVolume = from_json(json!({
        "metadata": {"name": "mine"},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "5Gi"},
                 "nfs": {"server": "s", "path": "/p"}},
    }));
    let host_copy = edit(
        &t.host_pv(&pv_translate::Inputs::new().with_virtual_pv(&tenant))
            .unwrap()
            .desired
            .unwrap(),
        |v| {
            v["spec"]["claimRef"] = json!({"namespace": H, "name": "data-x-default-x-vc"});
            v["status"] = json!({"phase": "Bound"});
        },
    );
    let snapshot = Snapshot::new(
        objects(vec![unbound.clone()], vec![tenant], vec![]),
        objects(vec![host_claim.clone()], vec![host_copy], vec![]),
    );
    let plan = t.plan(None, &snapshot);
    let back = find(
        &plan,
        ClusterSide::Virtual,
        Kind::PersistentVolumeClaim,
        "data",
    )
    .unwrap();
    let Some(Object::PersistentVolumeClaim(pvc)) = &back.desired else {
        panic!()
    };
    assert_eq!(
        pvc.spec.as_ref().unwrap().volume_name.as_deref(),
        Some("mine")
    );
    // Fake mode: the host name verbatim.
    let fake = translator(PvMode::Fake).plan(None, &snapshot);
    let back = find(
        &fake,
        ClusterSide::Virtual,
        Kind::PersistentVolumeClaim,
        "data",
    )
    .unwrap();
    let Some(Object::PersistentVolumeClaim(pvc)) = &back.desired else {
        panic!()
    };
    assert_eq!(
        pvc.spec.as_ref().unwrap().volume_name.as_deref(),
        Some("vcluster-mine-x-team-a-x-vc")
    );
}

#[test]
fn p3_a_virtual_pvc_naming_another_volume_is_recreated() {
    let (snapshot, t) = one_volume("Retain", PvMode::Fake);
    let wrong = bound_pvc("default", "data", "pvc-other");
    let current = Snapshot::new(
        objects(vec![wrong], vec![], vec![]),
        snapshot.host_cluster.clone(),
    );
    let plan = t.plan(None, &current);
    let back = find(
        &plan,
        ClusterSide::Virtual,
        Kind::PersistentVolumeClaim,
        "data",
    )
    .unwrap();
    assert_eq!(back.action, Action::Recreate);
    let Some(Object::PersistentVolumeClaim(pvc)) = &back.desired else {
        panic!()
    };
    assert_eq!(
        pvc.spec.as_ref().unwrap().volume_name.as_deref(),
        Some("pvc-1")
    );
}

#[test]
fn p3_the_host_pvc_takes_the_virtual_requests() {
    let (snapshot, t) = one_volume("Retain", PvMode::Fake);
    let bigger = edit(snapshot.virtual_cluster.pvcs().next().unwrap(), |v| {
        v["spec"]["resources"]["requests"]["storage"] = json!("8Gi");
    });
    let current = Snapshot::new(
        objects(vec![bigger], vec![], vec![]),
        snapshot.host_cluster.clone(),
    );
    let plan = t.plan(None, &current);
    let host = find(
        &plan,
        ClusterSide::Host,
        Kind::PersistentVolumeClaim,
        "data-x-default-x-vc",
    )
    .unwrap();
    assert_eq!(
        host.action,
        Action::Update {
            changed: vec!["/spec/resources/requests/storage".to_owned()]
        }
    );
}

#[test]
fn p4_pvc_deletion_both_ways() {
    let (snapshot, t) = one_volume("Retain", PvMode::Fake);
    // The virtual PVC is gone: its host PVC goes (it carries our marker and object-name).
    let gone = Snapshot::new(
        objects(vec![], vec![], vec![]),
        snapshot.host_cluster.clone(),
    );
    let plan = t.plan(Some(&snapshot), &gone);
    let host = find(
        &plan,
        ClusterSide::Host,
        Kind::PersistentVolumeClaim,
        "data-x-default-x-vc",
    )
    .unwrap();
    assert!(
        matches!(host.action, Action::Delete { .. }),
        "{}",
        host.action
    );
    // The host PVC is gone after it was synced: the virtual PVC goes, at once.
    let host_gone = Snapshot::new(
        snapshot.virtual_cluster.clone(),
        objects(
            vec![],
            snapshot.host_cluster.pvs().cloned().collect(),
            vec![],
        ),
    );
    let plan = t.plan(Some(&snapshot), &host_gone);
    let back = find(
        &plan,
        ClusterSide::Virtual,
        Kind::PersistentVolumeClaim,
        "data",
    )
    .unwrap();
    assert_eq!(
        back.action,
        Action::Delete {
            remove_finalizers: false,
            grace_period_seconds: Some(0),
        }
    );
    // ... and is not given a new host PVC, which could provision a new disk for it.
    assert!(
        find(
            &plan,
            ClusterSide::Host,
            Kind::PersistentVolumeClaim,
            "data-x-default-x-vc"
        )
        .is_none(),
        "{plan:?}"
    );
    // Never seen: P1 creates it instead.
    let plan = t.plan(None, &host_gone);
    let host = find(
        &plan,
        ClusterSide::Host,
        Kind::PersistentVolumeClaim,
        "data-x-default-x-vc",
    )
    .unwrap();
    assert_eq!(host.action, Action::Create);
    assert!(
        find(
            &plan,
            ClusterSide::Virtual,
            Kind::PersistentVolumeClaim,
            "data"
        )
        .is_none_or(|a| !matches!(a.action, Action::Delete { .. }))
    );
}

#[test]
fn r5_a_host_pvc_of_another_virtual_cluster_is_never_deleted() {
    let (snapshot, t) = one_volume("Retain", PvMode::Fake);
    // The same host PVC, made by another virtual cluster (another marker): never ours to delete.
    let theirs = edit(snapshot.host_cluster.pvcs().next().unwrap(), |v| {
        v["metadata"]["labels"]["vcluster.loft.sh/managed-by"] = json!("other");
    });
    let gone = Snapshot::new(
        objects(vec![], vec![], vec![]),
        objects(
            vec![theirs],
            snapshot.host_cluster.pvs().cloned().collect(),
            vec![],
        ),
    );
    let plan = t.plan(Some(&snapshot), &gone);
    assert!(plan.actions.is_empty(), "{:#?}", plan.actions);
}

#[test]
fn t2_a_tenant_pv_named_like_its_mirrored_host_pv_is_that_mirror() {
    let t = translator(PvMode::Sync);
    // The tenant made (or de-annotated) a PV named like the host PV its PVC is bound to.
    let (snapshot, _) = one_volume("Retain", PvMode::Sync);
    let tenant: PersistentVolume = from_json(json!({
        "metadata": {"name": "pvc-1"},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"},
                 "nfs": {"server": "s", "path": "/p"}},
    }));
    let current = Snapshot::new(
        objects(
            snapshot.virtual_cluster.pvcs().cloned().collect(),
            vec![tenant],
            vec![],
        ),
        snapshot.host_cluster.clone(),
    );
    let plan = t.plan(None, &current);
    // It is the mirror, made again (its source cannot be updated): never sent to the host as
    // a second PV of the same disk.
    let virtual_pv = find(&plan, ClusterSide::Virtual, Kind::PersistentVolume, "pvc-1").unwrap();
    assert_eq!(virtual_pv.action, Action::Recreate, "{}", virtual_pv.action);
    let Some(Object::PersistentVolume(mirror)) = &virtual_pv.desired else {
        panic!("{virtual_pv:?}")
    };
    assert_eq!(
        mirror.metadata.annotations.as_ref().unwrap()["vcluster.loft.sh/host-pv"],
        "pvc-1"
    );
    assert!(mirror.spec.as_ref().unwrap().csi.is_some());
    assert!(mirror.spec.as_ref().unwrap().nfs.is_none());
    assert!(
        plan.actions
            .iter()
            .all(|a| a.cluster == ClusterSide::Virtual || a.action.writes_nothing()),
        "{plan:#?}"
    );
}

/// R3: two rules that would write one object differently are a conflict, whatever order they
/// were decided in: two virtual PVs both mirror host PV `pvc-1` (one forged by copying the
/// other) with different labels; the host PV is not written with either tenant's labels.
#[test]
fn r3_two_different_writes_of_one_object_are_a_conflict() {
    let (snapshot, t) = one_volume("Retain", PvMode::Sync);
    let pvc = snapshot
        .virtual_cluster
        .pvc("default", "data")
        .unwrap()
        .clone();
    let host = snapshot.host_cluster.pv("pvc-1").unwrap().clone();
    let mirror = t
        .virtual_pv(
            &pv_translate::Inputs::new()
                .with_virtual_pvc(&pvc)
                .with_host_pv(&host),
        )
        .unwrap()
        .desired
        .unwrap();
    let labelled = |name: &str, team: &str| {
        edit(&mirror, |v| {
            v["metadata"]["name"] = json!(name);
            v["metadata"]["labels"] = json!({"team": team});
        })
    };
    let current = Snapshot::new(
        objects(
            vec![pvc],
            vec![labelled("pvc-1", "a"), labelled("other", "b")],
            vec![],
        ),
        snapshot.host_cluster.clone(),
    );
    let plan = t.plan(None, &current);
    let host_action = find(&plan, ClusterSide::Host, Kind::PersistentVolume, "pvc-1").unwrap();
    assert!(
        matches!(host_action.action, Action::Conflict { rule: Rule::R3, .. }),
        "{}",
        host_action.action
    );
    // The desired object is the host PV as it is (without the server's `uid`).
    let as_it_is = edit(&host, |v| {
        v["metadata"].as_object_mut().unwrap().remove("uid");
    });
    assert_eq!(
        host_action.desired,
        Some(Object::PersistentVolume(Box::new(as_it_is)))
    );
    // Each tenant's label alone is pushed to the host PV.
    for (name, team) in [("pvc-1", "a"), ("other", "b")] {
        let alone = Snapshot::new(
            objects(
                current.virtual_cluster.pvcs().cloned().collect(),
                vec![labelled(name, team)],
                vec![],
            ),
            snapshot.host_cluster.clone(),
        );
        let plan = t.plan(None, &alone);
        let update = find(&plan, ClusterSide::Host, Kind::PersistentVolume, "pvc-1").unwrap();
        assert!(
            matches!(update.action, Action::Update { .. }),
            "{name}: {}",
            update.action
        );
    }
}

#[test]
fn r1_invalid_objects_are_errors_and_the_rest_of_the_plan_stands() {
    let (snapshot, t) = one_volume("Retain", PvMode::Sync);
    let broken: PersistentVolume = from_json(json!({"metadata": {"name": "broken"}, "spec": {}}));
    let current = Snapshot::new(
        objects(
            snapshot.virtual_cluster.pvcs().cloned().collect(),
            vec![broken],
            vec![],
        ),
        snapshot.host_cluster.clone(),
    );
    let plan = t.plan(None, &current);
    assert_eq!(plan.errors.len(), 1, "{:?}", plan.errors);
    assert!(
        plan.errors[0]
            .to_string()
            .starts_with("PersistentVolume broken: ")
    );
    assert!(find(&plan, ClusterSide::Virtual, Kind::PersistentVolume, "pvc-1").is_some());
}

/// R3's precedence between two rules deciding the same object: virtual PV `pvc-1` mirrors host
/// PV `other` (its claim's, S5's evidence) and is updated from it (B2: the host's status), while
/// host PV `pvc-1`, bound to another claim of the tenant, would be mirrored under the same name
/// (S6): a conflict, and it wins; the update alone is filed when there is no mirror to refuse.
#[test]
fn r3_a_conflict_outranks_an_update_of_the_same_object() {
    let t = translator(PvMode::Sync);
    let (snapshot, _) = one_volume("Retain", PvMode::Sync);
    // default/old on host PV `other`, provisioned for its host copy; the virtual PV `pvc-1`
    // mirrors it (a retained volume the tenant renamed nothing of: S5 evidence).
    let old = bound_pvc("default", "old", "pvc-1");
    let old_host_claim = host_pvc_of(&old, "other", &t);
    let other = host_pv("other", "old-x-default-x-vc", "Retain");
    let mirror = t
        .virtual_pv(
            &pv_translate::Inputs::new()
                .with_host_pv(&other)
                .with_virtual_pvc(&old),
        )
        .unwrap()
        .desired
        .unwrap();
    let renamed = edit(&mirror, |v| {
        v["metadata"]["name"] = json!("pvc-1");
        v["status"] = json!({"phase": "Released"});
    });
    let pvcs: Vec<PersistentVolumeClaim> = snapshot.virtual_cluster.pvcs().cloned().collect();
    let host_pvcs: Vec<PersistentVolumeClaim> = snapshot.host_cluster.pvcs().cloned().collect();
    let colliding: Vec<PersistentVolume> = snapshot.host_cluster.pvs().cloned().collect();

    // Without the colliding host PV: the mirror takes its host PV's status.
    let alone = Snapshot::new(
        objects(vec![], vec![renamed.clone()], vec![]),
        objects(vec![old_host_claim.clone()], vec![other.clone()], vec![]),
    );
    let plan = t.plan(None, &alone);
    let update = find(&plan, ClusterSide::Virtual, Kind::PersistentVolume, "pvc-1").unwrap();
    assert!(
        matches!(update.action, Action::Update { .. }),
        "{}",
        update.action
    );

    // With it: one action for the object, the conflict.
    let both = Snapshot::new(
        objects(pvcs, vec![renamed], vec![]),
        objects(
            [host_pvcs, vec![old_host_claim]].concat(),
            [colliding, vec![other]].concat(),
            vec![],
        ),
    );
    let plan = t.plan(None, &both);
    let same: Vec<&PlannedAction> = plan
        .actions
        .iter()
        .filter(|a| a.cluster == ClusterSide::Virtual && a.name == "pvc-1")
        .collect();
    assert_eq!(same.len(), 1, "{plan:?}");
    assert!(
        matches!(same[0].action, Action::Conflict { rule: Rule::S6, .. }),
        "{}",
        same[0].action
    );
    // A conflict's desired object is the object as it is.
    assert_eq!(
        same[0].desired,
        both.virtual_cluster
            .pv("pvc-1")
            .cloned()
            .map(|pv| Object::PersistentVolume(Box::new(pv)))
    );
}

/// Y3's fixed point: a plan of waits and conflicts is settled; one write is not.
#[test]
fn r1_a_plan_is_settled_only_without_writes() {
    let (snapshot, t) = one_volume("Retain", PvMode::Sync);
    let plan = t.plan(None, &snapshot);
    assert!(
        plan.actions.iter().any(|a| !a.action.writes_nothing()),
        "{plan:?}"
    );
    assert!(!plan.is_settled());
    assert!(pv_translate::plan::Plan::default().is_settled());
}

fn class(name: &str) -> StorageClass {
    from_json(
        json!({"metadata": {"name": name}, "provisioner": "ebs.csi.aws.com",
                     "reclaimPolicy": "Retain"}),
    )
}

fn class_translator(classes: StorageClassMode) -> Translator {
    Translator::new(VirtualCluster::new(V, H).unwrap())
        .with_mode(SyncMode::new(PvMode::Fake, classes))
}

/// C1 in a plan: each host class is copied into the virtual cluster (its reclaim policy with
/// it); a virtual class without a host twin is deleted; a copy already in step files nothing.
#[test]
fn c1_plan_copies_host_classes_and_deletes_virtual_orphans() {
    let t = class_translator(StorageClassMode::FromHost);
    let in_step = t
        .virtual_storage_class(&class("standard"), None)
        .unwrap()
        .desired
        .unwrap();
    let snapshot = Snapshot::new(
        objects(vec![], vec![], vec![class("orphan"), in_step]),
        objects(vec![], vec![], vec![class("gp3"), class("standard")]),
    );
    let plan = t.plan(None, &snapshot);
    let created = find(&plan, ClusterSide::Virtual, Kind::StorageClass, "gp3").unwrap();
    assert_eq!(created.action, Action::Create);
    let Some(Object::StorageClass(copy)) = &created.desired else {
        panic!("{created:?}")
    };
    assert_eq!(copy.reclaim_policy.as_deref(), Some("Retain"));
    let orphan = find(&plan, ClusterSide::Virtual, Kind::StorageClass, "orphan").unwrap();
    assert!(
        matches!(orphan.action, Action::Delete { .. }),
        "{}",
        orphan.action
    );
    assert!(find(&plan, ClusterSide::Virtual, Kind::StorageClass, "standard").is_none());
    assert_eq!(plan.actions.len(), 2, "{plan:?}");
}

/// C2 and R5 in a plan: a virtual class is created on the host under its N3 name; a host class
/// of that name this cluster did not make is a conflict (nothing written); a host class this
/// cluster made whose virtual class is gone is deleted, and one that only claims to be (its
/// name is not N3 of its object-name) is left alone.
#[test]
fn c2_plan_creates_host_classes_refuses_foreign_ones_and_deletes_orphans() {
    let t = class_translator(StorageClassMode::ToHost);
    let made = |virtual_name: &str| {
        t.host_storage_class(&pv_translate::storage_class::ClassInputs::new(&class(
            virtual_name,
        )))
        .unwrap()
        .host_class
        .desired
        .unwrap()
    };
    let fast_host = made("fast");
    let fast_name = fast_host.metadata.name.clone().unwrap();
    assert_ne!(fast_name, "fast", "N3 names the host class");
    let taken_name = made("taken").metadata.name.clone().unwrap();
    let gone = made("gone");
    let gone_name = gone.metadata.name.clone().unwrap();
    // Carries the marker and object-name `gone`, under a name that is not N3 of it.
    let mut impostor = gone.clone();
    impostor.metadata.name = Some("shared-class".to_owned());
    let snapshot = Snapshot::new(
        objects(vec![], vec![], vec![class("fast"), class("taken")]),
        objects(vec![], vec![], vec![class(&taken_name), gone, impostor]),
    );
    let plan = t.plan(None, &snapshot);
    let created = find(&plan, ClusterSide::Host, Kind::StorageClass, &fast_name).unwrap();
    assert_eq!(created.action, Action::Create);
    assert_eq!(
        created.desired,
        Some(Object::StorageClass(Box::new(fast_host)))
    );
    let taken = find(&plan, ClusterSide::Host, Kind::StorageClass, &taken_name).unwrap();
    assert!(
        matches!(taken.action, Action::Conflict { rule: Rule::R5, .. }),
        "{}",
        taken.action
    );
    let deleted = find(&plan, ClusterSide::Host, Kind::StorageClass, &gone_name).unwrap();
    assert!(
        matches!(deleted.action, Action::Delete { .. }),
        "{}",
        deleted.action
    );
    assert!(find(&plan, ClusterSide::Host, Kind::StorageClass, "shared-class").is_none());
    assert_eq!(plan.actions.len(), 3, "{plan:?}");
}
