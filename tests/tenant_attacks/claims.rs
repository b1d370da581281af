//! Tenant attacks on claims (SPEC §13).
//!
//! T2 and T4 on host PVCs: each attack is played through the single-object API, through the plan
//! over a two-cluster snapshot and, where binding decides it, through the lifecycle simulation
//! (the host's binder included); next to it, the legitimate flow it must not break.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use pv_translate::lifecycle::{Step, World};
use pv_translate::plan::{ClusterSide, Kind, Object};
use pv_translate::snapshot::Objects;
use pv_translate::{
    Action, Inputs, Options, Plan, PvMode, Rule, Snapshot, StorageClassMode, SyncMode,
    TenantBinding, Translator,
};
use serde_json::{Value, json};

use super::common::{edit, from_json};
use super::translator;

/// V = `team-a`, H = `vc-team-a`, fake PVs.
fn fake() -> Translator {
    translator().with_mode(SyncMode::new(PvMode::Fake, StorageClassMode::Off))
}

/// The host PVC of `default/<name>`: N2 in H.
fn host_claim(name: &str) -> String {
    format!("{name}-x-default-x-team-a")
}

/// The tenant's claim `default/<name>`, 5Gi RWO, with `spec` merged in.
fn claim(name: &str, spec: Value) -> PersistentVolumeClaim {
    let mut value = json!({
        "metadata": {"name": name, "namespace": "default", "uid": format!("uid-{name}")},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}},
    });
    for (k, v) in spec.as_object().unwrap() {
        value["spec"][k] = v.clone();
    }
    from_json(value)
}

/// Another team's PV on the host: Available (no claimRef), or bound to a claim of `team-b`.
fn team_b_pv(name: &str, claimed: bool, class: &str) -> PersistentVolume {
    let mut value = json!({
        "metadata": {"name": name, "uid": format!("uid-{name}")},
        "spec": {
            "capacity": {"storage": "10Gi"}, "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Retain", "storageClassName": class,
            "nfs": {"server": "nfs.team-b.internal", "path": "/exports/payroll"},
        },
        "status": {"phase": "Available"},
    });
    if claimed {
        value["spec"]["claimRef"] = json!({"namespace": "team-b", "name": "payroll", "uid": "u-b"});
        value["status"]["phase"] = json!("Bound");
    }
    from_json(value)
}

fn plan_of(
    t: &Translator,
    virtual_pvcs: Vec<PersistentVolumeClaim>,
    host_pvs: Vec<PersistentVolume>,
) -> Plan {
    let snapshot = Snapshot::new(
        Objects::new(virtual_pvcs, vec![], vec![]).unwrap(),
        Objects::new(vec![], host_pvs, vec![]).unwrap(),
    );
    t.plan(None, &snapshot)
}

/// The host PVC a plan makes for `default/<name>`, if any, and every PV the plan writes on the
/// host.
fn planned_host_pvc(plan: &Plan, name: &str) -> Option<PersistentVolumeClaim> {
    let action = plan.actions.iter().find(|a| {
        a.cluster == ClusterSide::Host
            && a.kind == Kind::PersistentVolumeClaim
            && a.name == host_claim(name)
    })?;
    match (&action.action, &action.desired) {
        (Action::Create, Some(Object::PersistentVolumeClaim(pvc))) => Some((**pvc).clone()),
        _ => None,
    }
}

fn host_pv_writes(plan: &Plan) -> Vec<String> {
    plan.actions
        .iter()
        .filter(|a| a.cluster == ClusterSide::Host && a.kind == Kind::PersistentVolume)
        .filter(|a| !a.action.writes_nothing())
        .map(ToString::to_string)
        .collect()
}

fn conflict_rule(action: &Action) -> Option<Rule> {
    match action {
        Action::Conflict { rule, .. } => Some(*rule),
        _ => None,
    }
}

#[test]
fn t2_fake_mode_a_claim_cannot_name_another_teams_pv() {
    let t = fake();
    for (pv, what) in [
        (team_b_pv("payroll-data", false, "manual"), "Available"),
        (team_b_pv("payroll-data", true, "manual"), "bound to team-b"),
    ] {
        let attack = claim(
            "data",
            json!({"volumeName": "payroll-data", "storageClassName": "manual"}),
        );
        // The single-object API, given the host PV the claim names: no host PVC.
        let decision = t
            .host_pvc(&Inputs::new().with_virtual_pvc(&attack).with_host_pv(&pv))
            .unwrap();
        assert_eq!(decision.desired, None, "{what}");
        assert_eq!(
            conflict_rule(&decision.action),
            Some(Rule::T2),
            "{what}: {}",
            decision.action
        );
        // The plan: no host PVC names it, nothing writes a host PV.
        let plan = plan_of(&t, vec![attack.clone()], vec![pv.clone()]);
        assert_eq!(planned_host_pvc(&plan, "data"), None, "{what}: {plan:?}");
        assert!(host_pv_writes(&plan).is_empty(), "{what}: {plan:?}");
        let refused = plan
            .actions
            .iter()
            .find(|a| a.name == host_claim("data"))
            .unwrap();
        assert_eq!(conflict_rule(&refused.action), Some(Rule::T2));
    }
    // End to end, the host's binder included: the Available PV stays Available.
    let host = Objects::new(
        vec![],
        vec![team_b_pv("payroll-data", false, "manual")],
        vec![],
    )
    .unwrap();
    let mut world = World::new(fake(), Objects::default(), host, false).unwrap();
    world
        .step(Step::Create {
            cluster: ClusterSide::Virtual,
            object: Object::PersistentVolumeClaim(Box::new(claim(
                "data",
                json!({"volumeName": "payroll-data", "storageClassName": "manual"}),
            ))),
        })
        .unwrap();
    let pv = world.clusters().host_cluster.pv("payroll-data").unwrap();
    assert!(pv.spec.as_ref().unwrap().claim_ref.is_none(), "{pv:?}");
    assert!(
        world
            .clusters()
            .host_cluster
            .pvc("vc-team-a", &host_claim("data"))
            .is_none()
    );
    assert!(world.violations().is_empty(), "{:?}", world.violations());
}

#[test]
fn t2_fake_mode_an_admins_pv_reserved_for_the_claim_still_binds() {
    let t = fake();
    // The admin reserves a static PV for the tenant's claim: claimRef in H, N2 of the claim.
    let reserved = edit(&team_b_pv("for-team-a", false, "manual"), |v| {
        v["spec"]["claimRef"] = json!({"namespace": "vc-team-a", "name": host_claim("data")});
    });
    let mine = claim(
        "data",
        json!({"volumeName": "for-team-a", "storageClassName": "manual"}),
    );
    let decision = t
        .host_pvc(
            &Inputs::new()
                .with_virtual_pvc(&mine)
                .with_host_pv(&reserved),
        )
        .unwrap();
    assert_eq!(decision.action, Action::Create);
    let host = decision.desired.unwrap();
    assert_eq!(
        host.spec.as_ref().unwrap().volume_name.as_deref(),
        Some("for-team-a")
    );
    let plan = plan_of(&t, vec![mine.clone()], vec![reserved.clone()]);
    assert_eq!(planned_host_pvc(&plan, "data"), Some(host));
    // And a claim naming a volume that does not exist yet is made as vcluster makes it.
    let later = claim(
        "later",
        json!({"volumeName": "not-yet", "storageClassName": "manual"}),
    );
    let plan = plan_of(&t, vec![later], vec![]);
    let made = planned_host_pvc(&plan, "later").unwrap();
    assert_eq!(made.spec.unwrap().volume_name.as_deref(), Some("not-yet"));
    // End to end: the host's binder binds the reserved PV to the host PVC.
    let host = Objects::new(vec![], vec![reserved], vec![]).unwrap();
    let mut world = World::new(fake(), Objects::default(), host, false).unwrap();
    world
        .step(Step::Create {
            cluster: ClusterSide::Virtual,
            object: Object::PersistentVolumeClaim(Box::new(mine)),
        })
        .unwrap();
    let host_pvc = world
        .clusters()
        .host_cluster
        .pvc("vc-team-a", &host_claim("data"))
        .unwrap();
    assert_eq!(
        host_pvc.spec.as_ref().unwrap().volume_name.as_deref(),
        Some("for-team-a")
    );
    let claimed = world.clusters().host_cluster.pv("for-team-a").unwrap();
    assert_eq!(
        claimed
            .spec
            .as_ref()
            .unwrap()
            .claim_ref
            .as_ref()
            .unwrap()
            .name
            .as_deref(),
        Some(host_claim("data").as_str())
    );
}

#[test]
fn t2_fake_mode_a_selector_picks_no_host_pv() {
    let t = fake();
    let attack = claim(
        "data",
        json!({"selector": {"matchLabels": {"team": "b"}}, "storageClassName": "manual"}),
    );
    let decision = t
        .host_pvc(&Inputs::new().with_virtual_pvc(&attack))
        .unwrap();
    assert_eq!(decision.desired, None);
    assert_eq!(conflict_rule(&decision.action), Some(Rule::T2));
    let labelled = edit(&team_b_pv("payroll-data", false, "manual"), |v| {
        v["metadata"]["labels"] = json!({"team": "b"});
    });
    let plan = plan_of(&t, vec![attack.clone()], vec![labelled]);
    assert_eq!(planned_host_pvc(&plan, "data"), None);
    assert!(host_pv_writes(&plan).is_empty());
    // vcluster's binding, on request: the selector is copied.
    let verbatim = t.with_options(Options::default().with_tenant_binding(TenantBinding::Verbatim));
    let host = verbatim
        .host_pvc(&Inputs::new().with_virtual_pvc(&attack))
        .unwrap()
        .desired
        .unwrap();
    assert!(host.spec.unwrap().selector.is_some());
    // The legitimate claim, without selector, is made.
    let plain = claim("data", json!({"storageClassName": "manual"}));
    assert_eq!(
        fake()
            .host_pvc(&Inputs::new().with_virtual_pvc(&plain))
            .unwrap()
            .action,
        Action::Create
    );
}

#[test]
fn t2_a_classless_claim_binds_no_other_namespaces_classless_pv() {
    let classless = "vcluster--x-vc-team-a-x-team-a";
    for t in [fake(), translator()] {
        let attack = claim("data", json!({"storageClassName": ""}));
        let host = t
            .host_pvc(&Inputs::new().with_virtual_pvc(&attack))
            .unwrap()
            .desired
            .unwrap();
        assert_eq!(
            host.spec.as_ref().unwrap().storage_class_name.as_deref(),
            Some(classless)
        );
        let plan = plan_of(&t, vec![attack], vec![team_b_pv("payroll-data", false, "")]);
        let planned = planned_host_pvc(&plan, "data").unwrap();
        assert_eq!(
            planned.spec.unwrap().storage_class_name.as_deref(),
            Some(classless)
        );
        assert!(host_pv_writes(&plan).is_empty());
    }
    // End to end: team-b's classless Available PV stays Available; the claim stays Pending.
    let host = Objects::new(vec![], vec![team_b_pv("payroll-data", false, "")], vec![]).unwrap();
    let mut world = World::new(fake(), Objects::default(), host, false).unwrap();
    world
        .step(Step::Create {
            cluster: ClusterSide::Virtual,
            object: Object::PersistentVolumeClaim(Box::new(claim(
                "data",
                json!({"storageClassName": ""}),
            ))),
        })
        .unwrap();
    let pv = world.clusters().host_cluster.pv("payroll-data").unwrap();
    assert!(pv.spec.as_ref().unwrap().claim_ref.is_none(), "{pv:?}");
    let host_pvc = world
        .clusters()
        .host_cluster
        .pvc("vc-team-a", &host_claim("data"))
        .unwrap();
    assert_eq!(host_pvc.spec.as_ref().unwrap().volume_name, None);
    // A claim with a class keeps it; vcluster's binding keeps "" on request.
    let named = claim("data", json!({"storageClassName": "gp3"}));
    let host = fake()
        .host_pvc(&Inputs::new().with_virtual_pvc(&named))
        .unwrap()
        .desired
        .unwrap();
    assert_eq!(
        host.spec.unwrap().storage_class_name.as_deref(),
        Some("gp3")
    );
    let verbatim =
        fake().with_options(Options::default().with_tenant_binding(TenantBinding::Verbatim));
    let host = verbatim
        .host_pvc(&Inputs::new().with_virtual_pvc(&claim("data", json!({"storageClassName": ""}))))
        .unwrap()
        .desired
        .unwrap();
    assert_eq!(host.spec.unwrap().storage_class_name.as_deref(), Some(""));
}

#[test]
fn t4_a_claim_clones_only_its_own_namespaces_objects() {
    for t in [fake(), translator()] {
        // Another team's snapshot and the virtual cluster's own etcd backup, both in H: named by
        // their own names, they would be cloned. Every kind names the tenant's host copy.
        for (kind, group) in [
            ("VolumeSnapshot", Some("snapshot.storage.k8s.io")),
            ("PersistentVolumeClaim", None),
            ("Backup", Some("populator.example.com")),
        ] {
            let mut source = json!({"kind": kind, "name": "etcd-backup"});
            if let Some(group) = group {
                source["apiGroup"] = json!(group);
            }
            let attack = claim(
                "data",
                json!({"dataSource": source, "dataSourceRef": source}),
            );
            let host = t
                .host_pvc(&Inputs::new().with_virtual_pvc(&attack))
                .unwrap()
                .desired
                .unwrap();
            let spec = host.spec.unwrap();
            let own = "etcd-backup-x-default-x-team-a";
            assert_eq!(spec.data_source.unwrap().name, own, "{kind}");
            let reference = spec.data_source_ref.unwrap();
            assert_eq!(reference.name, own, "{kind}");
            assert_eq!(reference.namespace, None, "{kind}");
        }
        // Another namespace by dataSourceRef.namespace: not synced at all.
        let attack = claim(
            "data",
            json!({"dataSourceRef": {"kind": "VolumeSnapshot", "apiGroup": "snapshot.storage.k8s.io",
                                     "name": "prod-db", "namespace": "kube-system"}}),
        );
        let decision = t
            .host_pvc(&Inputs::new().with_virtual_pvc(&attack))
            .unwrap();
        assert_eq!(decision.desired, None);
        assert_eq!(conflict_rule(&decision.action), Some(Rule::T4));
        let plan = plan_of(&t, vec![attack], vec![]);
        assert_eq!(planned_host_pvc(&plan, "data"), None);
    }
}

#[test]
fn t4_the_tenants_own_snapshot_is_cloned_through_its_host_copy() {
    // vcluster's snapshot syncer puts the tenant's VolumeSnapshot `default/nightly` on the host
    // as N2 in H: the clone names exactly that.
    let mine = claim(
        "restored",
        json!({"dataSource": {"kind": "VolumeSnapshot", "apiGroup": "snapshot.storage.k8s.io",
                              "name": "nightly"},
               "dataSourceRef": {"kind": "VolumeSnapshot", "apiGroup": "snapshot.storage.k8s.io",
                                 "name": "nightly", "namespace": "default"}}),
    );
    let host = fake()
        .host_pvc(&Inputs::new().with_virtual_pvc(&mine))
        .unwrap()
        .desired
        .unwrap();
    let spec = host.spec.unwrap();
    let source = spec.data_source.unwrap();
    assert_eq!(source.name, "nightly-x-default-x-team-a");
    assert_eq!(source.kind, "VolumeSnapshot");
    assert_eq!(source.api_group.as_deref(), Some("snapshot.storage.k8s.io"));
    assert_eq!(
        spec.data_source_ref.unwrap().name,
        "nightly-x-default-x-team-a"
    );
    // A clone of its own PVC, too.
    let clone = claim(
        "copy",
        json!({"dataSource": {"kind": "PersistentVolumeClaim", "name": "data"}}),
    );
    let host = fake()
        .host_pvc(&Inputs::new().with_virtual_pvc(&clone))
        .unwrap()
        .desired
        .unwrap();
    assert_eq!(
        host.spec.unwrap().data_source.unwrap().name,
        host_claim("data")
    );
}

const STEERING: [(&str, &str); 4] = [
    (
        "volume.kubernetes.io/selected-node",
        "ip-10-0-9-9.team-b-only",
    ),
    (
        "volume.kubernetes.io/storage-provisioner",
        "nfs.team-b.internal",
    ),
    (
        "volume.beta.kubernetes.io/storage-provisioner",
        "nfs.team-b.internal",
    ),
    (
        "volume.kubernetes.io/storage-resizer",
        "nfs.team-b.internal",
    ),
];

#[test]
fn t4_annotations_that_steer_the_hosts_controllers_never_reach_the_host() {
    let t = fake();
    let mut annotations: serde_json::Map<String, Value> = STEERING
        .iter()
        .map(|(k, v)| ((*k).to_owned(), json!(v)))
        .collect();
    annotations.insert("team.example.com/owner".to_owned(), json!("alice"));
    let attack = edit(&claim("data", json!({"storageClassName": "gp3"})), |v| {
        v["metadata"]["annotations"] = Value::Object(annotations.clone());
    });
    // At creation (P1).
    let host = t
        .host_pvc(&Inputs::new().with_virtual_pvc(&attack))
        .unwrap()
        .desired
        .unwrap();
    let host_annotations = host.metadata.annotations.clone().unwrap();
    for (key, _) in STEERING {
        assert!(!host_annotations.contains_key(key), "{key}");
        assert!(
            !host_annotations["vcluster.loft.sh/managed-annotations"].contains(key),
            "{key}"
        );
    }
    // The legitimate annotation crosses.
    assert_eq!(host_annotations["team.example.com/owner"], "alice");
    // Afterwards (U1): the tenant adds them to a synced claim; none reaches the host, the other
    // change does.
    let plain = claim("data", json!({"storageClassName": "gp3"}));
    let synced_host = t
        .host_pvc(&Inputs::new().with_virtual_pvc(&plain))
        .unwrap()
        .desired
        .unwrap();
    let decision = t
        .host_pvc(
            &Inputs::new()
                .with_virtual_pvc(&attack)
                .with_host_pvc(&synced_host)
                .with_last_virtual_pvc(&plain)
                .with_last_host_pvc(&synced_host),
        )
        .unwrap();
    let updated = decision.desired.unwrap().metadata.annotations.unwrap();
    for (key, _) in STEERING {
        assert!(!updated.contains_key(key), "{key}");
    }
    assert_eq!(updated["team.example.com/owner"], "alice");
    // P3 still brings the host's binder annotations back to the tenant.
    let bound_host = edit(&synced_host, |v| {
        v["metadata"]["annotations"]["volume.kubernetes.io/storage-provisioner"] =
            json!("ebs.csi.aws.com");
        v["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] = json!("yes");
    });
    let back = t
        .virtual_pvc(
            &Inputs::new()
                .with_virtual_pvc(&plain)
                .with_host_pvc(&bound_host)
                .with_last_virtual_pvc(&plain)
                .with_last_host_pvc(&synced_host),
        )
        .unwrap()
        .desired
        .unwrap()
        .metadata
        .annotations
        .unwrap();
    assert_eq!(
        back["volume.kubernetes.io/storage-provisioner"],
        "ebs.csi.aws.com"
    );
    assert_eq!(back["pv.kubernetes.io/bind-completed"], "yes");
}

#[test]
fn t2_fake_mode_a_pv_reserved_for_another_claim_is_not_this_ones() {
    // Reserved in H, but for the tenant's other claim (or for the same name in another
    // namespace): not this claim's.
    for holder in [host_claim("other"), "data-x-prod-x-team-a".to_owned()] {
        let reserved = edit(&team_b_pv("pv-1", false, "manual"), |v| {
            v["spec"]["claimRef"] = json!({"namespace": "vc-team-a", "name": holder});
        });
        let attack = claim(
            "data",
            json!({"volumeName": "pv-1", "storageClassName": "manual"}),
        );
        let decision = fake()
            .host_pvc(
                &Inputs::new()
                    .with_virtual_pvc(&attack)
                    .with_host_pv(&reserved),
            )
            .unwrap();
        assert_eq!(conflict_rule(&decision.action), Some(Rule::T2), "{holder}");
    }
    // Reserved under this claim's N2 but in another host namespace: not this claim's either.
    let elsewhere = edit(&team_b_pv("pv-1", false, "manual"), |v| {
        v["spec"]["claimRef"] = json!({"namespace": "team-b", "name": host_claim("data")});
    });
    let attack = claim(
        "data",
        json!({"volumeName": "pv-1", "storageClassName": "manual"}),
    );
    let decision = fake()
        .host_pvc(
            &Inputs::new()
                .with_virtual_pvc(&attack)
                .with_host_pv(&elsewhere),
        )
        .unwrap();
    assert_eq!(conflict_rule(&decision.action), Some(Rule::T2));
}

/// SPEC T2 refuses a selector in fake mode only. In sync mode P1 keeps it (its keys through N5)
/// and translates a non-empty class to N3 for a static claim; a claim with a selector and *no*
/// class field gets the host's default class from the host's admission and can then select any
/// Available PV of that class whose labels match, another team's included. This test pins what
/// SPEC says today; the gap is reported to the lead.
#[test]
fn t2_sync_mode_keeps_a_selector_as_spec_says() {
    let t = translator();
    let selecting = claim("data", json!({"selector": {"matchLabels": {"team": "b"}}}));
    let host = t
        .host_pvc(&Inputs::new().with_virtual_pvc(&selecting))
        .unwrap()
        .desired
        .unwrap();
    let spec = host.spec.unwrap();
    assert!(spec.selector.is_some());
    assert_eq!(spec.storage_class_name, None);
}
