//! The tenant as an attacker: everything a virtual-cluster user can write (names, labels,
//! annotations, specs) is tried against the host, one test per rule that stops it (SPEC S5,
//! P2, P1, H1, C2, M5, R5, S3, D4, all 0.2). Every test plays the attack and checks that no host
//! object that is not the tenant's own is read, changed or deleted. The 0.3 holes (SPEC §13,
//! T1-T6) follow, each next to the legitimate flow it must leave working.
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
use pv_translate::sync::MirrorDecision;
use pv_translate::{
    Action, Inputs, Options, PvMode, PvPair, Rule, StorageClassMode, SyncMode, TenantNodeVolumes,
    Translator, VirtualCluster,
};
use serde_json::json;

/// V = `team-a`, H = `vc-team-a`, sync mode.
fn translator() -> Translator {
    Translator::new(VirtualCluster::new("team-a", "vc-team-a").unwrap())
        .with_mode(SyncMode::new(PvMode::Sync, StorageClassMode::Off))
        .with_explanations(true)
}

/// The virtual cluster's own etcd volume: claimed in H by `data-team-a-0`, a PVC vcluster's
/// chart made, which is no N2 name of any tenant PVC.
fn etcd_volume() -> PersistentVolume {
    from_json(json!({
        "metadata": {"name": "pvc-etcd", "uid": "etcd-uid"},
        "spec": {
            "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "5Gi"},
            "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-etcd"},
            "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "gp3",
            "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
                         "namespace": "vc-team-a", "name": "data-team-a-0", "uid": "etcd-pvc-uid"},
        },
        "status": {"phase": "Bound"},
    }))
}

/// A PV the tenant writes itself, claiming to mirror `pvc-etcd`.
fn forged_mirror(claim: Option<(&str, &str)>) -> PersistentVolume {
    let mut pv = json!({
        "metadata": {"name": "pvc-etcd", "annotations": {"vcluster.loft.sh/host-pv": "pvc-etcd"}},
        "spec": {
            "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "5Gi"},
            "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-etcd"},
            "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "gp3",
        },
    });
    if let Some((namespace, name)) = claim {
        pv["spec"]["claimRef"] = json!({"namespace": namespace, "name": name});
    }
    from_json(pv)
}

fn pair(
    t: &Translator,
    virtual_pv: Option<&PersistentVolume>,
    host_pv: Option<&PersistentVolume>,
    claim: Option<&PersistentVolumeClaim>,
) -> pv_translate::PairDecision {
    let mut inputs = Inputs::new();
    inputs.virtual_pv = virtual_pv;
    inputs.host_pv = host_pv;
    inputs.virtual_pvc = claim;
    t.pv_pair(&inputs).unwrap()
}

#[test]
fn s5_a_forged_host_pv_annotation_never_reads_changes_or_deletes_a_host_pv() {
    let t = translator();
    let host = etcd_volume();
    // Without claimRef, with one that is not N2 of the host claim, and with the host claim's own
    // name copied verbatim: none is evidence.
    for claim in [
        None,
        Some(("default", "data")),
        Some(("vc-team-a", "data-team-a-0")),
    ] {
        let forged = forged_mirror(claim);
        assert_eq!(
            t.mirror_decision(&host, None, Some(&forged)).unwrap(),
            MirrorDecision::Unowned,
            "{claim:?}"
        );
        // The tenant edits its copy's reclaim policy: nothing reaches the host, the copy goes.
        let d = pair(&t, Some(&forged), Some(&host), None);
        assert_eq!(d.host_pv.action, Action::Unchanged, "{claim:?}");
        assert_eq!(
            d.virtual_pv.desired, None,
            "the host is never shown: {claim:?}"
        );
        let last = forged_mirror(claim);
        let d = t
            .keep_in_step(
                PvPair::new(&last, &host),
                PvPair::new(&forged, &host),
                None,
                None,
            )
            .unwrap();
        assert_eq!(d.host_pv.action, Action::Unchanged);
        // The tenant deletes its copy (D1 would delete the host PV): the host PV stays.
        let deleting = edit(&forged, |v| {
            v["metadata"]["deletionTimestamp"] = json!("2026-03-01T00:00:00Z");
        });
        let d = pair(&t, Some(&deleting), Some(&host), None);
        assert_eq!(d.host_pv.action, Action::Unchanged, "{claim:?}");
        assert!(!d.explanation.unwrap().applied(Rule::D1));
    }
    // Under Legacy mirroring the Retain volume is shown (vcluster's rule), but the forged PV is
    // still no evidence of ownership for a PVC it does not have.
    let legacy = t.clone().with_options(
        Options::default().with_retained_pv_mirroring(pv_translate::RetainedPvMirroring::Legacy),
    );
    assert_eq!(
        legacy.mirror_decision(&host, None, None).unwrap(),
        MirrorDecision::LegacyRetained
    );
}

/// Under `retainedPvMirroring: Legacy` the retained etcd volume is shown to the tenant (vcluster's
/// rule, the option's documented risk), but only as its own mirror, named after it (S6). A PV of
/// another name that points at it with `host-pv` is the tenant's: editing or deleting it never
/// reaches the host PV.
#[test]
fn s5_legacy_mirroring_writes_nothing_through_a_differently_named_pv() {
    let legacy = translator().with_options(
        Options::default().with_retained_pv_mirroring(pv_translate::RetainedPvMirroring::Legacy),
    );
    let host = etcd_volume();
    let impostor = edit(&forged_mirror(None), |v| {
        v["metadata"]["name"] = json!("mine");
    });
    let last = edit(&impostor, |v| {
        v["spec"]["persistentVolumeReclaimPolicy"] = json!("Retain");
    });
    let d = legacy
        .keep_in_step(
            PvPair::new(&last, &host),
            PvPair::new(&impostor, &host),
            None,
            None,
        )
        .unwrap();
    assert_eq!(d.host_pv.action, Action::Unchanged);
    assert_eq!(d.virtual_pv.desired, None, "the impostor is removed");
    let deleting = edit(&impostor, |v| {
        v["metadata"]["deletionTimestamp"] = json!("2026-03-01T00:00:00Z");
    });
    let d = pair(&legacy, Some(&deleting), Some(&host), None);
    assert_eq!(d.host_pv.action, Action::Unchanged);
    // The mirror Legacy itself shows, named after the host PV, is kept in step as vcluster does.
    let mirror = forged_mirror(None);
    let d = pair(&legacy, Some(&mirror), Some(&host), None);
    assert!(d.virtual_pv.desired.is_some());
}

#[test]
fn s5_the_tenants_own_claim_is_evidence() {
    // The control experiment: the same PV with the claim that N2 maps to the host claim.
    let t = translator();
    let host = edit(&etcd_volume(), |v| {
        v["spec"]["claimRef"]["name"] = json!("data-x-default-x-team-a");
    });
    let mirror = forged_mirror(Some(("default", "data")));
    assert_eq!(
        t.mirror_decision(&host, None, Some(&mirror)).unwrap(),
        MirrorDecision::OwnedByVirtualPv
    );
}

#[test]
fn p2_a_forged_host_pv_annotation_never_points_a_host_claim_at_a_host_pv() {
    let t = translator();
    let claim = bound_pvc("default", "steal", "pvc-etcd");
    let forged = forged_mirror(Some(("default", "steal")));
    let host_pvc = t
        .host_pvc(
            &Inputs::new()
                .with_virtual_pvc(&claim)
                .with_virtual_pv(&forged)
                .with_host_pv(&etcd_volume()),
        )
        .unwrap()
        .desired
        .unwrap();
    let volume = host_pvc.spec.unwrap().volume_name.unwrap();
    assert_ne!(volume, "pvc-etcd");
    assert_eq!(volume, "vcluster-pvc-etcd-x-vc-team-a-x-team-a");
}

#[test]
fn p1_skip_translate_from_a_tenant_is_ignored_by_default() {
    let t = translator();
    let claim: PersistentVolumeClaim = edit(&bound_pvc("default", "steal", "pvc-etcd"), |v| {
        v["metadata"]["annotations"] = json!({"vcluster.loft.sh/skip-translate": "true"});
        v["spec"]["dataSource"] = json!({"kind": "PersistentVolumeClaim", "name": "data-team-a-0"});
    });
    let host = |t: &Translator| {
        t.host_pvc(&Inputs::new().with_virtual_pvc(&claim))
            .unwrap()
            .desired
            .unwrap()
            .spec
            .unwrap()
    };
    let spec = host(&t);
    // Neither the etcd volume nor the etcd claim is reachable by name.
    assert_eq!(
        spec.volume_name.as_deref(),
        Some("vcluster-pvc-etcd-x-vc-team-a-x-team-a")
    );
    assert_eq!(
        spec.data_source.unwrap().name,
        "data-team-a-0-x-default-x-team-a"
    );
    // The explanation says the annotation was ignored, and why; trusted, it says nothing of it.
    let said = |t: &Translator| {
        t.clone()
            .with_explanations(true)
            .host_pvc(&Inputs::new().with_virtual_pvc(&claim))
            .unwrap()
            .explanation
            .unwrap()
            .to_string()
            .contains("skip-translate ignored")
    };
    assert!(said(&t));
    // Honoured only with the option.
    let trusting = t.with_options(Options::default().with_honor_skip_translate(true));
    assert!(!said(&trusting));
    let spec = host(&trusting);
    assert_eq!(spec.volume_name.as_deref(), Some("pvc-etcd"));
    assert_eq!(spec.data_source.unwrap().name, "data-team-a-0");
}

/// A tenant PV with the given source.
fn tenant_pv(source: serde_json::Value) -> PersistentVolume {
    let mut pv = json!({
        "metadata": {"name": "mine", "annotations": {
            "volume.kubernetes.io/provisioner-deletion-secret-name": "cloud-admin",
            "volume.kubernetes.io/provisioner-deletion-secret-namespace": "kube-system",
            "csi.storage.k8s.io/node-publish-secret-name": "cloud-admin",
            "vcluster.loft.sh/object-name": "someone-else",
            "vcluster.loft.sh/managed-labels": "release",
            "note": "kept",
        }},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"},
                 "persistentVolumeReclaimPolicy": "Retain"},
    });
    let (key, value) = source.as_object().unwrap().iter().next().unwrap();
    pv["spec"][key] = value.clone();
    from_json(pv)
}

#[test]
fn h1_node_volumes_never_reach_the_host_by_default() {
    let t = translator();
    for source in [
        json!({"hostPath": {"path": "/"}}),
        json!({"local": {"path": "/var/lib/kubelet"}}),
    ] {
        let pv = tenant_pv(source.clone());
        let d = t.host_pv(&Inputs::new().with_virtual_pv(&pv)).unwrap();
        assert_eq!(d.desired, None, "{source}");
        assert_eq!(t.host_pv_owned(pv.clone()).unwrap(), None);
        let allowed = t
            .clone()
            .with_options(Options::default().with_tenant_node_volumes(TenantNodeVolumes::Allow));
        assert!(
            allowed
                .host_pv(&Inputs::new().with_virtual_pv(&pv))
                .unwrap()
                .desired
                .is_some()
        );
    }
}

#[test]
fn h1_secret_references_and_forged_bookkeeping_never_reach_the_host() {
    let t = translator();
    let pv = tenant_pv(json!({"nfs": {"server": "10.0.0.1", "path": "/a"}}));
    let host = t
        .host_pv(&Inputs::new().with_virtual_pv(&pv))
        .unwrap()
        .desired
        .unwrap();
    let annotations = host.metadata.annotations.unwrap();
    assert!(
        annotations
            .keys()
            .all(|k| !k.ends_with("-secret-name") && !k.ends_with("-secret-namespace")),
        "{annotations:?}"
    );
    assert_eq!(annotations["vcluster.loft.sh/object-name"], "mine");
    assert!(!annotations.contains_key("vcluster.loft.sh/managed-labels"));
    assert_eq!(annotations["vcluster.loft.sh/managed-annotations"], "note");
    assert_eq!(annotations["note"], "kept");
}

#[test]
fn h1_a_forged_translated_label_key_is_dropped() {
    let t = translator();
    let forged_key = pv_translate::names::host_label_key("release", "team-a")
        .unwrap()
        .into_owned();
    let pv = edit(
        &tenant_pv(json!({"nfs": {"server": "10.0.0.1", "path": "/a"}})),
        |v| {
            v["metadata"]["labels"] = json!({forged_key.clone(): "other-release", "app": "db"});
        },
    );
    let host = t
        .host_pv(&Inputs::new().with_virtual_pv(&pv))
        .unwrap()
        .desired
        .unwrap();
    let labels = host.metadata.labels.unwrap();
    assert!(!labels.contains_key(&forged_key), "{labels:?}");
    assert_eq!(labels["app"], "db");
}

#[test]
fn h1_a_fake_pv_left_from_fake_mode_never_goes_to_the_host() {
    let t = translator();
    let fake: PersistentVolume = from_json(json!({
        "metadata": {"name": "pvc-1", "labels": {"vcluster.loft.sh/fake-pv": "true"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"},
                 "flexVolume": {"driver": "fake"}, "persistentVolumeReclaimPolicy": "Delete",
                 "claimRef": {"namespace": "default", "name": "data"}},
    }));
    let d = t.host_pv(&Inputs::new().with_virtual_pv(&fake)).unwrap();
    assert_eq!(d.desired, None);
    // Without a host PV of its name it is deleted; with a mirrored one it is replaced by it.
    let d = pair(&t, Some(&fake), None, None);
    assert_eq!(
        d.virtual_pv.action,
        Action::Delete {
            remove_finalizers: true,
            grace_period_seconds: None,
        }
    );
    let host = edit(&etcd_volume(), |v| {
        v["metadata"]["name"] = json!("pvc-1");
        v["spec"]["claimRef"]["name"] = json!("data-x-default-x-team-a");
    });
    let claim = bound_pvc("default", "data", "pvc-1");
    let d = pair(&t, Some(&fake), Some(&host), Some(&claim));
    let mirror = d.virtual_pv.desired.unwrap();
    assert!(mirror.spec.unwrap().flex_volume.is_none());
    assert_eq!(d.host_pv.action, Action::Unchanged);
}

#[test]
fn m5_an_empty_host_namespace_never_makes_a_foreign_claim_look_ours() {
    assert!(VirtualCluster::new("team-a", "").is_err());
    assert!(VirtualCluster::new("", "vc-team-a").is_err());
    // A released PV of another tenant whose claimRef has no namespace is foreign (S3).
    let t = translator();
    let released = edit(&etcd_volume(), |v| {
        v["spec"]["claimRef"] = json!({"name": "data-x-default-x-team-a"});
        v["status"]["phase"] = json!("Released");
    });
    let mirror = forged_mirror(Some(("default", "data")));
    assert_eq!(
        t.mirror_decision(&released, None, Some(&mirror)).unwrap(),
        MirrorDecision::ForeignNamespace {
            namespace: String::new()
        }
    );
}

#[test]
fn r5_a_host_object_under_our_computed_name_but_not_ours_is_never_written() {
    let t = translator();
    // Another virtual cluster's host PV under the N3 name of the tenant's PV (an N1 collision or
    // the `-x-` ambiguity): no marker of ours, or another object-name.
    let pv = tenant_pv(json!({"nfs": {"server": "10.0.0.1", "path": "/a"}}));
    let ours = t
        .host_pv(&Inputs::new().with_virtual_pv(&pv))
        .unwrap()
        .desired
        .unwrap();
    let theirs = edit(&ours, |v| {
        v["metadata"]["labels"]["vcluster.loft.sh/managed-by"] = json!("vc-team-b-x-team-b");
    });
    let other_source = edit(&ours, |v| {
        v["metadata"]["annotations"]["vcluster.loft.sh/object-name"] = json!("other");
    });
    for host in [&theirs, &other_source] {
        let deleting = edit(&pv, |v| {
            v["metadata"]["deletionTimestamp"] = json!("2026-03-01T00:00:00Z");
        });
        for virtual_pv in [&pv, &deleting] {
            let d = pair(&t, Some(virtual_pv), Some(host), None);
            assert!(
                matches!(d.host_pv.action, Action::Conflict { rule: Rule::R5, .. }),
                "{}",
                d.host_pv.action
            );
            assert_eq!(d.virtual_pv.action, Action::Unchanged);
        }
    }
    // A host PVC under N2 of the tenant's PVC that another virtual cluster made.
    let claim = bound_pvc("default", "data", "pvc-1");
    let host_pvc = t
        .host_pvc(&Inputs::new().with_virtual_pvc(&claim))
        .unwrap()
        .desired
        .unwrap();
    let foreign_pvc = edit(&host_pvc, |v| {
        v["metadata"]["annotations"]["vcluster.loft.sh/object-name"] = json!("data-x-default");
    });
    let d = t
        .host_pvc(
            &Inputs::new()
                .with_virtual_pvc(&claim)
                .with_host_pvc(&foreign_pvc),
        )
        .unwrap();
    assert!(
        matches!(d.action, Action::Conflict { rule: Rule::R5, .. }),
        "{}",
        d.action
    );
}

#[test]
fn s3_a_host_pv_claimed_in_another_namespace_is_never_written() {
    let t = translator();
    let pv = tenant_pv(json!({"nfs": {"server": "10.0.0.1", "path": "/a"}}));
    let copy = t
        .host_pv(&Inputs::new().with_virtual_pv(&pv))
        .unwrap()
        .desired
        .unwrap();
    // Another namespace's PVC bound the tenant PV's host copy.
    let hijacked = edit(&copy, |v| {
        v["spec"]["claimRef"] = json!({"namespace": "team-b", "name": "scratch", "uid": "b"});
        v["status"] = json!({"phase": "Bound"});
    });
    let edited = edit(&pv, |v| {
        v["spec"]["persistentVolumeReclaimPolicy"] = json!("Delete");
    });
    let d = t
        .keep_in_step(
            PvPair::new(&pv, &copy),
            PvPair::new(&edited, &hijacked),
            None,
            None,
        )
        .unwrap();
    assert!(matches!(
        d.host_pv.action,
        Action::Conflict { rule: Rule::S3, .. }
    ));
    // Nothing of the other namespace's claim reaches the tenant.
    assert_eq!(d.virtual_pv.action, Action::Unchanged);
    // D4: once the tenant PV is gone, the hijacked copy is still not deleted.
    let d = pair(&t, None, Some(&hijacked), None);
    assert_eq!(d.host_pv.action, Action::Unchanged);
    assert!(d.explanation.unwrap().applied(Rule::S3));
}

/// B2, H1: a tenant that writes this cluster's *translated* form of a reserved label key (the
/// host's spelling of `vcluster.loft.sh/managed-by`) on its PV after it was synced does not get
/// it onto the host PV, where it would read back as the reserved key and forge ownership.
#[test]
fn b2_a_tenant_cannot_forge_a_translated_label_key_on_an_update() {
    let t = translator();
    let cluster = VirtualCluster::new("team-a", "vc-team-a").unwrap();
    let forged_key = cluster
        .host_label_key("vcluster.loft.sh/managed-by")
        .into_owned();
    assert_ne!(forged_key, "vcluster.loft.sh/managed-by");
    let tenant: PersistentVolume = from_json(json!({
        "metadata": {"name": "mine", "labels": {"app": "db"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"},
                 "nfs": {"server": "s", "path": "/p"}},
    }));
    let host = t
        .host_pv(&Inputs::new().with_virtual_pv(&tenant))
        .unwrap()
        .desired
        .unwrap();
    let edited = edit(&tenant, |v| {
        v["metadata"]["labels"][forged_key.as_str()] = json!("other-cluster");
        v["metadata"]["labels"]["team"] = json!("a");
    });
    let pair = t
        .keep_in_step(
            PvPair::new(&tenant, &host),
            PvPair::new(&edited, &host),
            None,
            None,
        )
        .unwrap();
    let labels = pair
        .host_pv
        .desired
        .and_then(|pv| pv.metadata.labels)
        .unwrap_or_default();
    // The honest edit crosses; the forged key does not.
    assert_eq!(
        labels.get("team").map(String::as_str),
        Some("a"),
        "{labels:?}"
    );
    assert_ne!(
        labels.get(&forged_key).map(String::as_str),
        Some("other-cluster"),
        "{labels:?}"
    );
}

// The attacks on claims and classes (SPEC T2 for PVCs, T4, T5) live beside this file.
#[path = "tenant_attacks/claims.rs"]
mod claims;
#[path = "tenant_attacks/classes.rs"]
mod classes;

// ------------------------------------------------------------------------------------------
// SPEC §13 (0.3): T1-T3, T6. Each attack is played through the public API and the plan (and,
// where a host controller completes it, through the lifecycle simulation); the legitimate flow
// next to it still works.

use k8s_openapi::api::core::v1::PersistentVolumeClaim as Pvc;
use pv_translate::lifecycle::{Step, World};
use pv_translate::plan::{ClusterSide, Kind, Object, Plan, PlannedAction};
use pv_translate::snapshot::Objects;
use pv_translate::sync::VolumeIdentity;
use pv_translate::{Snapshot, TenantBinding, TenantSecretRefs};

const H: &str = "vc-team-a";

/// A tenant PV `name` with `source` (a JSON volume source object) and the rest of a valid spec.
fn tenant_source_pv(name: &str, source: serde_json::Value) -> PersistentVolume {
    let mut pv = json!({
        "metadata": {"name": name, "uid": "tenant-pv-uid"},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "5Gi"},
                 "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "manual",
                 "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
                              "namespace": "shop", "name": "db"}},
    });
    for (key, value) in source.as_object().unwrap() {
        pv["spec"][key] = value.clone();
    }
    from_json(pv)
}

fn plan_of(t: &Translator, virtual_objects: Objects, host: Objects) -> Plan {
    t.plan(None, &Snapshot::new(virtual_objects, host))
}

fn host_writes(plan: &Plan) -> Vec<&PlannedAction> {
    plan.actions
        .iter()
        .filter(|a| a.cluster == ClusterSide::Host && !a.action.writes_nothing())
        .collect()
}

fn host_pv_of(action: &PlannedAction) -> &PersistentVolume {
    match &action.desired {
        Some(Object::PersistentVolume(pv)) => pv,
        other => panic!("no PV: {other:?}"),
    }
}

/// Hole 1: every secret reference of a tenant PV, each naming a Secret in `kube-system` (or
/// Endpoints, for glusterfs), reaches the host only as the host copy of the tenant's own object
/// of that name: namespace `H`, name N2. Never the host's `kube-system`.
#[test]
fn t1_a_tenant_pv_never_makes_host_drivers_read_a_secret_it_chose() {
    let t = translator();
    let admin = json!({"name": "cloud-admin", "namespace": "kube-system"});
    let sources = [
        (
            "csi.controllerPublishSecretRef",
            json!({"csi": {"driver": "d", "volumeHandle": "h1", "controllerPublishSecretRef": admin}}),
        ),
        (
            "csi.nodeStageSecretRef",
            json!({"csi": {"driver": "d", "volumeHandle": "h2", "nodeStageSecretRef": admin}}),
        ),
        (
            "csi.nodePublishSecretRef",
            json!({"csi": {"driver": "d", "volumeHandle": "h3", "nodePublishSecretRef": admin}}),
        ),
        (
            "csi.controllerExpandSecretRef",
            json!({"csi": {"driver": "d", "volumeHandle": "h4", "controllerExpandSecretRef": admin}}),
        ),
        (
            "csi.nodeExpandSecretRef",
            json!({"csi": {"driver": "d", "volumeHandle": "h5", "nodeExpandSecretRef": admin}}),
        ),
        (
            "cephfs.secretRef",
            json!({"cephfs": {"monitors": ["m:6789"], "path": "/a", "secretRef": admin}}),
        ),
        (
            "rbd.secretRef",
            json!({"rbd": {"monitors": ["m:6789"], "image": "i", "secretRef": admin}}),
        ),
        (
            "iscsi.secretRef",
            json!({"iscsi": {"targetPortal": "p:3260", "iqn": "iqn.2001-04.com.example:t", "lun": 0, "secretRef": admin}}),
        ),
        (
            "flexVolume.secretRef",
            json!({"flexVolume": {"driver": "x/y", "secretRef": admin}}),
        ),
        (
            "scaleIO.secretRef",
            json!({"scaleIO": {"gateway": "g", "system": "s", "volumeName": "v", "secretRef": admin}}),
        ),
        (
            "storageos.secretRef",
            json!({"storageos": {"volumeName": "v", "secretRef": admin}}),
        ),
        (
            "cinder.secretRef",
            json!({"cinder": {"volumeID": "v", "secretRef": admin}}),
        ),
        (
            "azureFile.secretName",
            json!({"azureFile": {"secretName": "cloud-admin", "secretNamespace": "kube-system", "shareName": "s"}}),
        ),
        (
            "glusterfs.endpoints",
            json!({"glusterfs": {"endpoints": "cloud-admin", "endpointsNamespace": "kube-system", "path": "v"}}),
        ),
    ];
    for (i, (field, source)) in sources.into_iter().enumerate() {
        let pv = tenant_source_pv(&format!("pv{i}"), source);
        // Single object.
        let host = t
            .host_pv(&Inputs::new().with_virtual_pv(&pv))
            .unwrap()
            .desired
            .unwrap();
        // And through the plan.
        let plan = plan_of(
            &t,
            Objects::new(vec![], vec![pv], vec![]).unwrap(),
            Objects::default(),
        );
        let writes = host_writes(&plan);
        assert_eq!(writes.len(), 1, "{field}: {plan:#?}");
        assert_eq!(host_pv_of(writes[0]), &host, "{field}");
        let text = serde_json::to_string(&host.spec).unwrap();
        assert!(!text.contains("kube-system\""), "{field}: {text}");
        assert!(
            text.contains("\"cloud-admin-x-kube-system-x-team-a\""),
            "{field}: the host copy of the tenant's own object: {text}"
        );
        assert!(text.contains(&format!("\"{H}\"")), "{field}: {text}");
    }
}

/// Hole 1: a `csi.volumeAttributes` key that may name a secret or a namespace keeps the PV off
/// the host (a conflict naming the key), and a reference without namespace on an unclaimed PV
/// (it would resolve to wherever its pods run) waits; `tenantSecretRefs: Verbatim` restores
/// vcluster's copy.
#[test]
fn t1_opaque_attributes_and_unresolvable_references_keep_the_pv_off_the_host() {
    let t = translator();
    let opaque = tenant_source_pv(
        "opaque",
        json!({"csi": {"driver": "secrets-store.csi.k8s.io", "volumeHandle": "h",
                       "volumeAttributes": {"secretProviderClass": "x", "SecretNamespace": "kube-system"}}}),
    );
    let unclaimed = edit(
        &tenant_source_pv(
            "unclaimed",
            json!({"cephfs": {"monitors": ["m:6789"], "secretRef": {"name": "ceph-admin"}}}),
        ),
        |v| {
            v["spec"].as_object_mut().unwrap().remove("claimRef");
        },
    );
    for (pv, wanted) in [
        (&opaque, "\"SecretNamespace\""),
        (&unclaimed, "names no namespace"),
    ] {
        let d = t.host_pv(&Inputs::new().with_virtual_pv(pv)).unwrap();
        match &d.action {
            Action::Conflict {
                rule: Rule::T1,
                reason,
            } => {
                assert!(reason.contains(wanted), "{reason}")
            }
            other => panic!("{other}"),
        }
        assert_eq!(d.desired, None, "nothing is created");
        let plan = plan_of(
            &t,
            Objects::new(vec![], vec![pv.clone()], vec![]).unwrap(),
            Objects::default(),
        );
        assert!(host_writes(&plan).is_empty(), "{plan:#?}");
    }
    // The legitimate flow: a claimed PV's reference without namespace is its claim's.
    let claimed = tenant_source_pv(
        "claimed",
        json!({"cephfs": {"monitors": ["m:6789"], "secretRef": {"name": "ceph-user"}}}),
    );
    let host = t
        .host_pv(&Inputs::new().with_virtual_pv(&claimed))
        .unwrap()
        .desired
        .unwrap();
    let reference = host.spec.unwrap().cephfs.unwrap().secret_ref.unwrap();
    assert_eq!(reference.name.as_deref(), Some("ceph-user-x-shop-x-team-a"));
    assert_eq!(reference.namespace.as_deref(), Some(H));
    // vcluster's behaviour, opted in.
    let verbatim =
        t.with_options(Options::default().with_tenant_secret_refs(TenantSecretRefs::Verbatim));
    let host = verbatim
        .host_pv(&Inputs::new().with_virtual_pv(&opaque))
        .unwrap()
        .desired
        .unwrap();
    assert!(host.spec.unwrap().csi.unwrap().volume_attributes.is_some());
}

/// Hole 3: a classless tenant PV offered on the host is not a honeypot for other namespaces'
/// classless claims: its host copy has a class of this virtual cluster's own, and a claimed one
/// is reserved for its claim. The host's own binder is played by the lifecycle simulation.
#[test]
fn t2_a_classless_tenant_pv_is_no_honeypot_for_other_namespaces() {
    let t = translator();
    let other_team: Pvc = from_json(json!({
        "metadata": {"name": "uploads", "namespace": "team-b", "uid": "b-1"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                 "storageClassName": ""},
    }));
    let honeypot: PersistentVolume = from_json(json!({
        "metadata": {"name": "free-nfs"},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "10Gi"},
                 "nfs": {"server": "evil.example", "path": "/collect"},
                 "persistentVolumeReclaimPolicy": "Retain", "storageClassName": ""},
    }));
    let host = Objects::new(vec![other_team], vec![], vec![]).unwrap();
    let mut world = World::new(t.clone(), Objects::default(), host, false).unwrap();
    world
        .step(Step::Create {
            cluster: ClusterSide::Virtual,
            object: Object::PersistentVolume(Box::new(honeypot.clone())),
        })
        .unwrap();
    let clusters = world.clusters();
    let copy = clusters
        .host_cluster
        .pv("vcluster-free-nfs-x-vc-team-a-x-team-a")
        .expect("the tenant's PV reaches the host");
    assert_eq!(
        copy.spec.as_ref().unwrap().storage_class_name.as_deref(),
        Some("vcluster--x-vc-team-a-x-team-a")
    );
    assert!(copy.spec.as_ref().unwrap().claim_ref.is_none(), "{copy:?}");
    let theirs = clusters.host_cluster.pvc("team-b", "uploads").unwrap();
    assert_eq!(theirs.spec.as_ref().unwrap().volume_name, None);
    // A claimed tenant PV is reserved for the host copy of its claim.
    let claimed = edit(&honeypot, |v| {
        v["spec"]["claimRef"] = json!({"namespace": "shop", "name": "db"});
    });
    let host = t
        .host_pv(&Inputs::new().with_virtual_pv(&claimed))
        .unwrap()
        .desired
        .unwrap();
    let reserved = host.spec.unwrap().claim_ref.unwrap();
    assert_eq!(
        (reserved.namespace.as_deref(), reserved.name.as_deref()),
        (Some(H), Some("db-x-shop-x-team-a"))
    );
    // vcluster's behaviour, opted in: "" stays "", nothing is reserved.
    let verbatim = t.with_options(Options::default().with_tenant_binding(TenantBinding::Verbatim));
    let host = verbatim
        .host_pv(&Inputs::new().with_virtual_pv(&claimed))
        .unwrap()
        .desired
        .unwrap();
    let spec = host.spec.unwrap();
    assert_eq!(spec.storage_class_name.as_deref(), Some(""));
    assert!(spec.claim_ref.is_none());
}

/// Hole 5 (and its cousin): one disk, one PV. A tenant PV naming another team's disk (by CSI
/// handle, or a subdirectory of its NFS export) is never sent to the host, and a mirror whose
/// `host-pv` the tenant removed is never taken for a tenant PV: it is made the mirror again.
#[test]
fn t2_a_tenant_pv_never_makes_a_second_host_pv_of_someone_elses_disk() {
    let t = translator();
    let theirs: PersistentVolume = from_json(json!({
        "metadata": {"name": "team-b-db"},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "50Gi"},
                 "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-team-b"},
                 "persistentVolumeReclaimPolicy": "Delete", "storageClassName": "gp3",
                 "claimRef": {"namespace": "team-b", "name": "db", "uid": "b"}},
        "status": {"phase": "Bound"},
    }));
    let share: PersistentVolume = from_json(json!({
        "metadata": {"name": "team-b-share"},
        "spec": {"accessModes": ["ReadWriteMany"], "capacity": {"storage": "1Ti"},
                 "nfs": {"server": "nas.example", "path": "/exports/team-b"},
                 "storageClassName": "nfs"},
    }));
    for stolen in [
        json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-team-b"}}),
        json!({"nfs": {"server": "NAS.example", "path": "/exports/team-b/finance/"}}),
    ] {
        let pv = tenant_source_pv("mine", stolen.clone());
        let plan = plan_of(
            &t,
            Objects::new(vec![], vec![pv.clone()], vec![]).unwrap(),
            Objects::new(vec![], vec![theirs.clone(), share.clone()], vec![]).unwrap(),
        );
        assert!(host_writes(&plan).is_empty(), "{stolen}: {plan:#?}");
        let conflict = plan
            .actions
            .iter()
            .find(|a| a.cluster == ClusterSide::Host && a.kind == Kind::PersistentVolume)
            .unwrap();
        assert!(
            matches!(conflict.action, Action::Conflict { rule: Rule::T2, .. }),
            "{}",
            conflict.action
        );
        // The single-object call, told what its caller's cache knows.
        let mut inputs = Inputs::new().with_virtual_pv(&pv);
        inputs.same_storage = Some("team-b-db");
        let d = t.host_pv(&inputs).unwrap();
        assert!(matches!(d.action, Action::Conflict { rule: Rule::T2, .. }));
    }
    // The identity a caller checks with.
    let mine = VolumeIdentity::of(
        tenant_source_pv(
            "x",
            json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-team-b"}}),
        )
        .spec
        .as_ref()
        .unwrap(),
    )
    .unwrap();
    assert!(mine.overlaps(&VolumeIdentity::of(theirs.spec.as_ref().unwrap()).unwrap()));
    // Two tenant PVs of one new disk: the first (by name) goes, the other waits as a conflict.
    let disk = json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-new"}});
    let plan = plan_of(
        &t,
        Objects::new(
            vec![],
            vec![
                tenant_source_pv("a", disk.clone()),
                tenant_source_pv("b", disk),
            ],
            vec![],
        )
        .unwrap(),
        Objects::default(),
    );
    let writes = host_writes(&plan);
    assert_eq!(writes.len(), 1, "{plan:#?}");
    assert_eq!(writes[0].name, "vcluster-a-x-vc-team-a-x-team-a");
    // The legitimate flow: the tenant's own disk, with its own copy on the host, is kept in step.
    let pv = tenant_source_pv(
        "mine",
        json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-mine"}}),
    );
    let plan = plan_of(
        &t,
        Objects::new(vec![], vec![pv], vec![]).unwrap(),
        Objects::new(vec![], vec![theirs], vec![]).unwrap(),
    );
    let writes = host_writes(&plan);
    assert_eq!(writes.len(), 1);
    assert_eq!(writes[0].action, Action::Create);
}

fn class(
    name: &str,
    provisioner: &str,
    reclaim: &str,
) -> k8s_openapi::api::storage::v1::StorageClass {
    from_json(
        json!({"metadata": {"name": name}, "provisioner": provisioner, "reclaimPolicy": reclaim}),
    )
}

fn claim(name: &str, class: &str) -> Pvc {
    from_json(json!({
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                 "storageClassName": class},
    }))
}

fn create(world: &mut World, object: Object) {
    world
        .step(Step::Create {
            cluster: ClusterSide::Virtual,
            object,
        })
        .unwrap();
}

fn virtual_pv_of(world: &World, claim: &str) -> PersistentVolume {
    let clusters = world.clusters();
    let pvc = clusters.virtual_cluster.pvc("shop", claim).unwrap();
    let volume = pvc.spec.as_ref().unwrap().volume_name.clone().unwrap();
    clusters.virtual_cluster.pv(&volume).unwrap().clone()
}

fn set_policy(world: &mut World, pv: &PersistentVolume, policy: &str) {
    let edited = edit(pv, |v| {
        v["spec"]["persistentVolumeReclaimPolicy"] = json!(policy)
    });
    world
        .step(Step::Update {
            cluster: ClusterSide::Virtual,
            object: Object::PersistentVolume(Box::new(edited)),
        })
        .unwrap();
}

fn delete_claim(world: &mut World, name: &str) {
    world
        .step(Step::Delete {
            cluster: ClusterSide::Virtual,
            kind: Kind::PersistentVolumeClaim,
            namespace: "shop".to_owned(),
            name: name.to_owned(),
        })
        .unwrap();
}

/// Hole 4: the tenant's claim binds an admin's static PV (the host's binder does it, not the
/// syncer); the tenant then sets its mirror's reclaim policy to `Delete` and deletes its claim.
/// The mirror is read-only (T3): the admin's PV keeps `Retain`, and its disk survives.
#[test]
fn t3_a_tenant_never_destroys_an_admins_static_pv_its_claim_bound() {
    let sync = translator();
    let admin: PersistentVolume = from_json(json!({
        "metadata": {"name": "admin-nfs"},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"},
                 "nfs": {"server": "nas.example", "path": "/exports/finance"},
                 "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "manual"},
    }));
    let host = Objects::new(
        vec![],
        vec![admin],
        vec![class("manual", "kubernetes.io/no-provisioner", "Retain")],
    )
    .unwrap();
    let mut world = World::new(sync, Objects::default(), host, false).unwrap();
    create(
        &mut world,
        Object::PersistentVolumeClaim(Box::new(claim("db", "manual"))),
    );
    let mirror = virtual_pv_of(&world, "db");
    assert_eq!(mirror.metadata.name.as_deref(), Some("admin-nfs"));
    set_policy(&mut world, &mirror, "Delete");
    let host_pv = world
        .clusters()
        .host_cluster
        .pv("admin-nfs")
        .unwrap()
        .clone();
    assert_eq!(
        host_pv
            .spec
            .as_ref()
            .unwrap()
            .persistent_volume_reclaim_policy
            .as_deref(),
        Some("Retain"),
        "the tenant's Delete never reaches the admin's PV"
    );
    // The tenant's view is the host's again.
    let mirror = virtual_pv_of(&world, "db");
    assert_eq!(
        mirror
            .spec
            .as_ref()
            .unwrap()
            .persistent_volume_reclaim_policy
            .as_deref(),
        Some("Retain")
    );
    delete_claim(&mut world, "db");
    let host_pv = world.clusters().host_cluster.pv("admin-nfs").expect("kept");
    assert_eq!(
        host_pv
            .spec
            .as_ref()
            .unwrap()
            .persistent_volume_reclaim_policy
            .as_deref(),
        Some("Retain")
    );
    assert!(world.disks().all(|d| d.exists), "no disk destroyed");
    assert!(world.violations().is_empty(), "{:?}", world.violations());
}

/// The legitimate flow next to hole 4: a volume provisioned for the tenant's own claim takes the
/// reclaim policy the tenant sets on its mirror.
#[test]
fn t3_a_tenant_sets_the_reclaim_policy_of_its_own_provisioned_volume() {
    let host = Objects::new(
        vec![],
        vec![],
        vec![class("gp3", "ebs.csi.aws.com", "Delete")],
    )
    .unwrap();
    let mut world = World::new(translator(), Objects::default(), host, false).unwrap();
    create(
        &mut world,
        Object::PersistentVolumeClaim(Box::new(claim("db", "gp3"))),
    );
    let mirror = virtual_pv_of(&world, "db");
    set_policy(&mut world, &mirror, "Retain");
    let name = mirror.metadata.name.clone().unwrap();
    let host_pv = world.clusters().host_cluster.pv(&name).unwrap().clone();
    assert_eq!(
        host_pv
            .spec
            .as_ref()
            .unwrap()
            .persistent_volume_reclaim_policy
            .as_deref(),
        Some("Retain"),
        "written through to the provisioned volume"
    );
    delete_claim(&mut world, "db");
    assert!(
        world.disks().all(|d| d.exists),
        "the tenant's Retain keeps its disk"
    );
}

/// Hole 6: with `retainedPvMirroring: Legacy` the virtual cluster's own etcd volume is shown to
/// the tenant (the option's documented risk), but read-only: editing its reclaim policy or
/// deleting it never reaches the host PV.
#[test]
fn t3_legacy_mirrors_of_the_virtual_clusters_own_volumes_are_read_only() {
    let legacy = translator().with_options(
        Options::default().with_retained_pv_mirroring(pv_translate::RetainedPvMirroring::Legacy),
    );
    let etcd = etcd_volume();
    let shown = legacy
        .virtual_pv(&Inputs::new().with_host_pv(&etcd))
        .unwrap()
        .desired
        .expect("Legacy shows it");
    let edited = edit(&shown, |v| {
        v["spec"]["persistentVolumeReclaimPolicy"] = json!("Delete");
        v["metadata"]["labels"] = json!({"mine": "now"});
        v["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] = json!("ebs.csi.aws.com");
    });
    let deleting = edit(&edited, |v| {
        v["metadata"]["deletionTimestamp"] = json!("2026-03-01T00:00:00Z");
    });
    for virtual_pv in [&edited, &deleting] {
        let d = legacy
            .keep_in_step(
                PvPair::new(&shown, &etcd),
                PvPair::new(virtual_pv, &etcd),
                None,
                None,
            )
            .unwrap();
        assert_eq!(d.host_pv.action, Action::Unchanged);
        assert!(d.explanation.is_none() || d.explanation.unwrap().applied(Rule::T3));
        let plan = legacy.plan(
            Some(&Snapshot::new(
                Objects::new(vec![], vec![shown.clone()], vec![]).unwrap(),
                Objects::new(vec![], vec![etcd.clone()], vec![]).unwrap(),
            )),
            &Snapshot::new(
                Objects::new(vec![], vec![virtual_pv.clone()], vec![]).unwrap(),
                Objects::new(vec![], vec![etcd.clone()], vec![]).unwrap(),
            ),
        );
        assert!(host_writes(&plan).is_empty(), "{plan:#?}");
    }
    // The edit is undone on the tenant's side: the view shows the host PV as it is.
    let d = legacy
        .keep_in_step(
            PvPair::new(&shown, &etcd),
            PvPair::new(&edited, &etcd),
            None,
            None,
        )
        .unwrap();
    let view = d.virtual_pv.desired.unwrap();
    assert_eq!(
        view.spec
            .unwrap()
            .persistent_volume_reclaim_policy
            .as_deref(),
        Some("Retain")
    );
}

/// Hole 10: a tenant hides a released, billed host volume from the audit with a PV of its own
/// labelled `fake-pv` and a decoy claim naming it. A fake PV stands for a host PV only through
/// the host copy of a claim bound to it (T6): the released volume is still reported.
#[test]
fn t6_a_decoy_fake_pv_never_hides_a_released_volume_from_the_audit() {
    let t = Translator::new(VirtualCluster::new("team-a", H).unwrap());
    let released: PersistentVolume = from_json(json!({
        "metadata": {"name": "pvc-billed"},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "500Gi"},
                 "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-billed"},
                 "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "gp3",
                 "claimRef": {"namespace": H, "name": "old-x-shop-x-team-a", "uid": "gone"}},
        "status": {"phase": "Released"},
    }));
    let decoy_pv: PersistentVolume = from_json(json!({
        "metadata": {"name": "pvc-billed", "labels": {"vcluster.loft.sh/fake-pv": "true"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "500Gi"},
                 "flexVolume": {"driver": "fake"}, "persistentVolumeReclaimPolicy": "Retain"},
    }));
    let decoy_claim = bound_pvc("shop", "decoy", "pvc-billed");
    let snapshot = Snapshot::new(
        Objects::new(vec![decoy_claim.clone()], vec![decoy_pv], vec![]).unwrap(),
        Objects::new(vec![], vec![released.clone()], vec![]).unwrap(),
    );
    let kinds: Vec<_> = t.audit(&snapshot).into_iter().map(|f| f.kind).collect();
    assert!(
        kinds.contains(&pv_translate::FindingKind::ReleasedHostPvWithoutVirtual),
        "{kinds:?}"
    );
    // Nor with a host PVC under the decoy's N2 name: bound to the volume but not made by this
    // virtual cluster (no marker, no object-name), or made by it but bound to another volume.
    let ours = t
        .host_pvc(&Inputs::new().with_virtual_pvc(&decoy_claim))
        .unwrap()
        .desired
        .unwrap();
    let not_ours = edit(&ours, |v| {
        v["metadata"]["labels"] = json!({});
        v["metadata"]["annotations"] = json!({});
        v["spec"]["volumeName"] = json!("pvc-billed");
    });
    let elsewhere = edit(&ours, |v| v["spec"]["volumeName"] = json!("pvc-other"));
    for host_pvc in [not_ours, elsewhere] {
        let snapshot = Snapshot::new(
            snapshot.virtual_cluster.clone(),
            Objects::new(vec![host_pvc], vec![released.clone()], vec![]).unwrap(),
        );
        let kinds: Vec<_> = t.audit(&snapshot).into_iter().map(|f| f.kind).collect();
        assert!(
            kinds.contains(&pv_translate::FindingKind::ReleasedHostPvWithoutVirtual),
            "{kinds:?}"
        );
    }
    // The legitimate flow: a fake PV whose claim's host copy is bound to the host PV stands for
    // it (and the host PV, bound, is not released).
    let host_claim = edit(
        &t.host_pvc(&Inputs::new().with_virtual_pvc(&decoy_claim))
            .unwrap()
            .desired
            .unwrap(),
        |v| v["spec"]["volumeName"] = json!("pvc-billed"),
    );
    let bound = edit(&released, |v| {
        v["spec"]["claimRef"]["name"] = json!("decoy-x-shop-x-team-a");
        v["status"]["phase"] = json!("Bound");
    });
    let fake = t
        .virtual_pv(
            &Inputs::new()
                .with_virtual_pvc(&decoy_claim)
                .with_host_pv(&bound),
        )
        .unwrap()
        .desired
        .unwrap();
    let snapshot = Snapshot::new(
        Objects::new(vec![decoy_claim], vec![fake], vec![]).unwrap(),
        Objects::new(vec![host_claim], vec![bound], vec![]).unwrap(),
    );
    let kinds: Vec<_> = t.audit(&snapshot).into_iter().map(|f| f.kind).collect();
    // The fake PV says Delete (vcluster's default), the host Retain: the #2098 finding, which
    // only a paired fake PV gets.
    assert_eq!(
        kinds,
        vec![pv_translate::FindingKind::TenantSeesDeleteHostRetains]
    );
}
