//! The tenant as an attacker: everything a virtual-cluster user can write (names, labels,
//! annotations, specs) is tried against the host, one test per rule that stops it (SPEC S5,
//! P2, P1, H1, C2, M5, R5, S3, D4, all 0.2). Every test plays the attack and checks that no host
//! object that is not the tenant's own is read, changed or deleted.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
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
            .keep_in_step(PvPair::new(&last, &host), PvPair::new(&forged, &host), None)
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
