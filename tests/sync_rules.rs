//! SPEC S1-S8, H1, P1, P2, D1-D4: sync mode.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use common::{bound_pvc, edit, from_json, reclaim_policy};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use pv_translate::sync::MirrorDecision;
use pv_translate::{
    Action, Error, Explanation, Inputs, Options, PvMode, RetainedPvMirroring, Rule,
    StorageClassMode, SyncMode, Translator, VirtualCluster,
};
use serde_json::json;

/// H = `test`, V = `suffix`, as in vcluster's unit tests.
fn translator() -> Translator {
    Translator::new(VirtualCluster::new("suffix", "test").unwrap())
        .with_mode(SyncMode::new(PvMode::Sync, StorageClassMode::Off))
        .with_explanations(true)
}

fn legacy() -> Translator {
    translator()
        .with_options(Options::default().with_retained_pv_mirroring(RetainedPvMirroring::Legacy))
}

/// A host PV bound to host claim `test/<claim>` (when given), Retain, 20Gi, CSI, class `gp3`.
fn host_pv(name: &str, claim: Option<(&str, &str)>) -> PersistentVolume {
    let mut pv = json!({
        "metadata": {
            "name": name, "uid": "host-uid", "resourceVersion": "77",
            "creationTimestamp": "2026-01-01T00:00:00Z",
            "finalizers": ["kubernetes.io/pv-protection"],
            "labels": {"topology.kubernetes.io/zone": "eu-west-1a"},
            "annotations": {
                "pv.kubernetes.io/provisioned-by": "ebs.csi.aws.com",
                "vcluster.loft.sh/object-name": "leak",
                "vcluster.loft.sh/object-host-name": "leak",
            },
        },
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": "20Gi"},
            "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-0abc"},
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": "gp3",
            "volumeMode": "Filesystem",
            "mountOptions": ["noatime"],
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["eu-west-1a"]}]}]}},
        },
        "status": {"phase": "Bound"},
    });
    if let Some((namespace, claim)) = claim {
        pv["spec"]["claimRef"] = json!({
            "kind": "PersistentVolumeClaim", "apiVersion": "v1",
            "namespace": namespace, "name": claim, "uid": claim_uid(name), "resourceVersion": "5",
        });
    }
    from_json(pv)
}

/// The uid of the host claim of host PV `name`: a provisioned volume is `pvc-<host PVC uid>`
/// (SPEC T3), any other name a static PV the claim bound.
fn claim_uid(name: &str) -> &str {
    name.strip_prefix("pvc-").unwrap_or("host-pvc-uid")
}

/// The host copy of `claim` (P1) with uid `uid`.
fn host_copy_of(claim: &PersistentVolumeClaim, uid: &str) -> PersistentVolumeClaim {
    let made = translator()
        .host_pvc(&Inputs::new().with_virtual_pvc(claim))
        .unwrap()
        .desired
        .unwrap();
    edit(&made, |v| v["metadata"]["uid"] = json!(uid))
}

/// The virtual PVC `default/data` bound to `volume`, host copy `data-x-default-x-suffix`.
fn pvc(volume: &str) -> PersistentVolumeClaim {
    bound_pvc("default", "data", volume)
}

const CLAIM: (&str, &str) = ("test", "data-x-default-x-suffix");

fn virtual_pv(inputs: &Inputs<'_>, t: &Translator) -> Option<PersistentVolume> {
    t.virtual_pv(inputs).unwrap().desired
}

/// What the pair decision does to the virtual PV and the host PV, and why.
fn pair(
    virtual_pv: Option<&PersistentVolume>,
    host_pv: Option<&PersistentVolume>,
    claim: Option<&PersistentVolumeClaim>,
    t: &Translator,
) -> (Action, Action, Explanation) {
    // The host copy of the claim, with the uid the host PV's claim names.
    let uid = host_pv
        .and_then(|h| h.spec.as_ref()?.claim_ref.as_ref()?.uid.clone())
        .unwrap_or_default();
    let host_pvc = claim.map(|c| host_copy_of(c, &uid));
    let mut inputs = Inputs::new();
    inputs.virtual_pv = virtual_pv;
    inputs.host_pv = host_pv;
    inputs.virtual_pvc = claim;
    inputs.host_pvc = host_pvc.as_ref();
    let d = t.pv_pair(&inputs).unwrap();
    (
        d.virtual_pv.action,
        d.host_pv.action,
        d.explanation.unwrap(),
    )
}

const DELETE_VIRTUAL: Action = Action::Delete {
    remove_finalizers: true,
    grace_period_seconds: None,
};
const DELETE_HOST: Action = Action::Delete {
    remove_finalizers: false,
    grace_period_seconds: None,
};

#[test]
fn s1_virtual_originated_host_pv_takes_status_only() {
    let mine: PersistentVolume = from_json(json!({
        "metadata": {"name": "mypv", "labels": {"app": "db"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"},
                 "hostPath": {"path": "/data"}, "persistentVolumeReclaimPolicy": "Delete",
                 "storageClassName": "standard"},
    }));
    // The host copy H1 made: the marker, and the object-name of its source (R5).
    let host = edit(&host_pv("vcluster-mypv-x-test-x-suffix", None), |v| {
        v["metadata"]["labels"] = json!({"vcluster.loft.sh/managed-by": "test-x-suffix"});
        v["metadata"]["annotations"] = json!({"vcluster.loft.sh/object-name": "mypv"});
        v["status"] = json!({"phase": "Available"});
    });
    let t = translator();
    let decision = t.mirror_decision(&host, None, Some(&mine)).unwrap();
    assert_eq!(decision, MirrorDecision::VirtualOriginated);
    let desired = virtual_pv(
        &Inputs::new().with_host_pv(&host).with_virtual_pv(&mine),
        &t,
    )
    .unwrap();
    assert_eq!(desired.spec, mine.spec, "the virtual PV is the source");
    assert_eq!(desired.status.unwrap().phase.as_deref(), Some("Available"));
    // No virtual PV: none (and D4 deletes the host PV).
    assert_eq!(virtual_pv(&Inputs::new().with_host_pv(&host), &t), None);
    let (virtual_action, host_action, why) = pair(None, Some(&host), None, &t);
    assert_eq!(
        (virtual_action, host_action),
        (Action::Unchanged, DELETE_HOST)
    );
    assert!(why.applied(Rule::D4));
}

#[test]
fn s2_host_pv_without_claim_is_never_mirrored() {
    let host = host_pv("pv-free", None);
    for t in [translator(), legacy()] {
        let decision = t.mirror_decision(&host, None, None).unwrap();
        assert_eq!(decision, MirrorDecision::Unclaimed);
        assert_eq!(virtual_pv(&Inputs::new().with_host_pv(&host), &t), None);
    }
}

#[test]
fn s3_host_pv_of_another_namespace_is_never_mirrored_under_any_option() {
    let host = host_pv("pv-other", Some(("other-team", "data-x-default-x-suffix")));
    let owned: PersistentVolume = edit(&host, |v| {
        v["metadata"]["annotations"] = json!({"vcluster.loft.sh/host-pv": "pv-other"});
    });
    for t in [translator(), legacy()] {
        let decision = t.mirror_decision(&host, None, Some(&owned)).unwrap();
        assert_eq!(
            decision,
            MirrorDecision::ForeignNamespace {
                namespace: "other-team".into()
            }
        );
        assert!(!decision.is_mirrored());
        assert_eq!(
            virtual_pv(
                &Inputs::new().with_host_pv(&host).with_virtual_pv(&owned),
                &t
            ),
            None
        );
        assert_eq!(
            {
                let (virtual_action, host_action, why) = pair(Some(&owned), Some(&host), None, &t);
                assert!(why.applied(Rule::S3));
                (virtual_action, host_action)
            },
            (DELETE_VIRTUAL, Action::Unchanged)
        );
    }
}

#[test]
fn s4_host_pv_claimed_by_the_pvcs_host_copy_is_mirrored() {
    let host = host_pv("pvc-123", Some(CLAIM));
    let claim = pvc("pvc-123");
    let t = translator();
    let decision = t.mirror_decision(&host, Some(&claim), None).unwrap();
    assert_eq!(decision, MirrorDecision::ClaimedByVirtualPvc);
    assert!(
        virtual_pv(
            &Inputs::new().with_host_pv(&host).with_virtual_pvc(&claim),
            &t
        )
        .is_some()
    );
    assert_eq!(
        {
            let (virtual_action, host_action, _) = pair(None, Some(&host), Some(&claim), &t);
            (virtual_action, host_action)
        },
        (Action::Create, Action::Unchanged)
    );
}

#[test]
fn s4_a_pvc_that_does_not_match_the_claim_is_an_input_error() {
    let host = host_pv("pvc-123", Some(("test", "other-x-default-x-suffix")));
    let claim = pvc("pvc-123");
    let err = translator()
        .virtual_pv(&Inputs::new().with_host_pv(&host).with_virtual_pvc(&claim))
        .unwrap_err();
    assert!(matches!(err, Error::Inconsistent { .. }));
    assert!(
        err.to_string()
            .starts_with("PersistentVolumeClaim default/data: metadata.name: "),
        "{err}"
    );
}

#[test]
fn s4_hashed_host_claim_name_matches_a_long_pvc_name() {
    let long = "data-elasticsearch-master-elasticsearch-master-0";
    let t = Translator::new(VirtualCluster::new("my-vcluster", "test").unwrap())
        .with_mode(translator().context().mode());
    let claim = bound_pvc("logging", long, "pvc-9");
    let host = host_pv(
        "pvc-9",
        Some((
            "test",
            "data-elasticsearch-master-elasticsearch-master-0-x-l-9ea8bc624a",
        )),
    );
    let desired = virtual_pv(
        &Inputs::new().with_host_pv(&host).with_virtual_pvc(&claim),
        &t,
    )
    .unwrap();
    let claim_ref = desired.spec.unwrap().claim_ref.unwrap();
    assert_eq!(claim_ref.name.as_deref(), Some(long));
    assert_eq!(claim_ref.namespace.as_deref(), Some("logging"));
}

#[test]
fn s5_unowned_retained_pv_in_h_is_hidden_by_default_and_shown_with_legacy() {
    // e.g. the virtual cluster's own data volume: claimed in H by a PVC no tenant made.
    let host = edit(&host_pv("pvc-etcd", Some(("test", "data-suffix-0"))), |v| {
        v["status"]["phase"] = json!("Bound");
    });
    let t = translator();
    assert_eq!(
        t.mirror_decision(&host, None, None).unwrap(),
        MirrorDecision::Unowned
    );
    assert_eq!(virtual_pv(&Inputs::new().with_host_pv(&host), &t), None);
    let l = legacy();
    assert_eq!(
        l.mirror_decision(&host, None, None).unwrap(),
        MirrorDecision::LegacyRetained
    );
    let shown = virtual_pv(&Inputs::new().with_host_pv(&host), &l).unwrap();
    // vcluster copies the host claimRef unchanged: host names leak, which is why it is opt-in.
    assert_eq!(
        shown.spec.unwrap().claim_ref.unwrap().name.as_deref(),
        Some("data-suffix-0")
    );
}

#[test]
fn s5_legacy_mirrors_released_delete_pvs_but_not_bound_delete_ones() {
    let bound_delete = edit(&host_pv("pv-d", Some(("test", "x"))), |v| {
        v["spec"]["persistentVolumeReclaimPolicy"] = json!("Delete");
    });
    let released = edit(&bound_delete, |v| v["status"]["phase"] = json!("Released"));
    let l = legacy();
    assert_eq!(
        l.mirror_decision(&bound_delete, None, None).unwrap(),
        MirrorDecision::Unowned
    );
    assert_eq!(
        l.mirror_decision(&released, None, None).unwrap(),
        MirrorDecision::LegacyRetained
    );
}

#[test]
fn s5_released_host_pv_stays_visible_through_the_current_virtual_pv() {
    let t = translator();
    let host = host_pv("pvc-123", Some(CLAIM));
    let claim = pvc("pvc-123");
    let mirrored = virtual_pv(
        &Inputs::new().with_host_pv(&host).with_virtual_pvc(&claim),
        &t,
    )
    .unwrap();
    // The PVC is deleted; the host keeps the Retain volume as Released.
    let released = edit(&host, |v| v["status"]["phase"] = json!("Released"));
    let inputs = Inputs::new()
        .with_host_pv(&released)
        .with_virtual_pv(&mirrored);
    assert_eq!(
        t.mirror_decision(&released, None, Some(&mirrored)).unwrap(),
        MirrorDecision::OwnedByVirtualPv
    );
    let still = virtual_pv(&inputs, &t).unwrap();
    assert_eq!(still.status.unwrap().phase.as_deref(), Some("Released"));
    // S7: the virtual claimRef still names the virtual PVC, not the host copy.
    let claim_ref = still.spec.unwrap().claim_ref.unwrap();
    assert_eq!(
        (claim_ref.namespace.as_deref(), claim_ref.name.as_deref()),
        (Some("default"), Some("data"))
    );
}

#[test]
fn s6_mirrored_pv_copies_the_host_spec_and_keeps_retain() {
    let host = host_pv("pvc-123", Some(CLAIM));
    let desired = mirror_of(&host, &translator());
    assert_eq!(reclaim_policy(&desired), Some("Retain"));
    let (spec, host_spec) = (desired.spec.clone().unwrap(), host.spec.clone().unwrap());
    assert_eq!(spec.csi, host_spec.csi);
    assert_eq!(spec.capacity, host_spec.capacity);
    assert_eq!(spec.node_affinity, host_spec.node_affinity);
    assert_eq!(spec.mount_options, host_spec.mount_options);
    assert_eq!(spec.volume_mode, host_spec.volume_mode);
    assert_eq!(desired.status, host.status);
    assert_eq!(desired.metadata.labels, host.metadata.labels);
}

#[test]
fn s6_metadata_has_host_pv_annotation_and_no_bookkeeping_or_server_fields() {
    let host = host_pv("pvc-123", Some(CLAIM));
    let desired = mirror_of(&host, &translator());
    let annotations = desired.metadata.annotations.clone().unwrap();
    assert_eq!(annotations["vcluster.loft.sh/host-pv"], "pvc-123");
    assert_eq!(
        annotations["pv.kubernetes.io/provisioned-by"],
        "ebs.csi.aws.com"
    );
    assert!(
        !annotations
            .keys()
            .any(|k| k.starts_with("vcluster.loft.sh/object-")),
        "{annotations:?}"
    );
    assert_eq!(desired.metadata.uid, None);
    assert_eq!(desired.metadata.resource_version, None);
    assert_eq!(desired.metadata.finalizers, None);
    assert_eq!(desired.metadata.creation_timestamp, None);
}

#[test]
fn s7_claim_ref_points_at_the_virtual_pvc() {
    let host = host_pv("pvc-123", Some(CLAIM));
    let desired = mirror_of(&host, &translator());
    let claim_ref = desired.spec.unwrap().claim_ref.unwrap();
    assert_eq!(claim_ref.name.as_deref(), Some("data"));
    assert_eq!(claim_ref.namespace.as_deref(), Some("default"));
    assert_eq!(claim_ref.uid.as_deref(), Some("uid-1"));
    assert_eq!(claim_ref.resource_version.as_deref(), Some("999"));
    assert_eq!(claim_ref.kind.as_deref(), Some("PersistentVolumeClaim"));
}

#[test]
fn s7_without_pvc_a_virtual_claim_ref_that_does_not_translate_to_the_host_claim_is_replaced() {
    // Only `retainedPvMirroring: Legacy` mirrors such a PV: without a claimRef that maps to the
    // host claim there is no evidence of ownership (S5 0.2), and the PV would be deleted.
    let t = legacy();
    let host = host_pv("pvc-123", Some(CLAIM));
    let current = edit(&host, |v| {
        v["metadata"]["annotations"] = json!({"vcluster.loft.sh/host-pv": "pvc-123"});
        v["spec"]["claimRef"] = json!({"namespace": "elsewhere", "name": "other"});
    });
    let desired = virtual_pv(
        &Inputs::new().with_host_pv(&host).with_virtual_pv(&current),
        &t,
    )
    .unwrap();
    let claim_ref = desired.spec.unwrap().claim_ref.unwrap();
    assert_eq!(claim_ref.name.as_deref(), Some("data-x-default-x-suffix"));
}

#[test]
fn s8_class_comes_from_the_pvc_when_its_field_is_set_even_empty() {
    let host = host_pv("pvc-123", Some(CLAIM));
    let t = translator();
    let class = |claim: &PersistentVolumeClaim| {
        virtual_pv(
            &Inputs::new().with_host_pv(&host).with_virtual_pvc(claim),
            &t,
        )
        .unwrap()
        .spec
        .unwrap()
        .storage_class_name
    };
    assert_eq!(class(&pvc("pvc-123")).as_deref(), Some("standard"));
    let empty = edit(&pvc("pvc-123"), |v| {
        v["spec"]["storageClassName"] = json!("")
    });
    assert_eq!(class(&empty).as_deref(), Some(""));
    let absent = edit(&pvc("pvc-123"), |v| {
        v["spec"]
            .as_object_mut()
            .unwrap()
            .remove("storageClassName");
    });
    assert_eq!(
        class(&absent).as_deref(),
        Some("gp3"),
        "absent: the host PV's class"
    );
}

#[test]
fn s8_to_host_mode_keeps_the_current_virtual_class() {
    let t = translator().with_mode(SyncMode::new(PvMode::Sync, StorageClassMode::ToHost));
    let host = edit(&host_pv("pvc-123", Some(CLAIM)), |v| {
        v["spec"]["storageClassName"] = json!("vcluster-fast-x-test-x-suffix");
    });
    let current = edit(&host, |v| {
        v["metadata"]["annotations"] = json!({"vcluster.loft.sh/host-pv": "pvc-123"});
        v["spec"]["storageClassName"] = json!("fast");
        v["spec"]["claimRef"] = json!({"namespace": "default", "name": "data"});
    });
    let desired = virtual_pv(
        &Inputs::new().with_host_pv(&host).with_virtual_pv(&current),
        &t,
    )
    .unwrap();
    assert_eq!(
        desired.spec.unwrap().storage_class_name.as_deref(),
        Some("fast")
    );
    let off = virtual_pv(
        &Inputs::new().with_host_pv(&host).with_virtual_pv(&current),
        &translator(),
    )
    .unwrap();
    assert_eq!(
        off.spec.unwrap().storage_class_name.as_deref(),
        Some("vcluster-fast-x-test-x-suffix")
    );
}

fn tenant_pv() -> PersistentVolume {
    from_json(json!({
        "metadata": {"name": "mypv", "uid": "v-uid", "resourceVersion": "3",
                     "labels": {"release": "db", "app": "db"},
                     "annotations": {"foo": "bar", "team": "a", "vcluster.loft.sh/object-name": "forged"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"},
                 "nfs": {"server": "10.0.0.1", "path": "/exports/a"},
                 "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "standard",
                 "claimRef": {"namespace": "default", "name": "data"}},
        "status": {"phase": "Bound"},
    }))
}

#[test]
fn h1_virtual_originated_pv_gives_a_host_pv() {
    let t = translator();
    let host = t
        .host_pv(&Inputs::new().with_virtual_pv(&tenant_pv()))
        .unwrap()
        .desired
        .unwrap();
    let expected: PersistentVolume = from_json(json!({
        "metadata": {
            "name": "vcluster-mypv-x-test-x-suffix",
            "labels": {
                "app": "db",
                "vcluster.loft.sh/label-suffix-x-a4d451ec23": "db",
                "vcluster.loft.sh/managed-by": "test-x-suffix",
            },
            "annotations": {
                "foo": "bar",
                "team": "a",
                "vcluster.loft.sh/managed-annotations": "foo\nteam",
                "vcluster.loft.sh/object-name": "mypv",
                "vcluster.loft.sh/object-uid": "v-uid",
                "vcluster.loft.sh/object-host-name": "vcluster-mypv-x-test-x-suffix",
                "vcluster.loft.sh/object-kind": "/v1, Kind=PersistentVolume",
            },
        },
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"},
                 "nfs": {"server": "10.0.0.1", "path": "/exports/a"},
                 "persistentVolumeReclaimPolicy": "Retain",
                 "storageClassName": "vcluster-standard-x-test-x-suffix",
                 // T2: reserved for the host copy of its claim.
                 "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1",
                              "namespace": "test", "name": "data-x-default-x-suffix"}},
    }));
    assert_eq!(host, expected);
}

#[test]
fn h1_no_annotations_means_no_managed_annotations_and_empty_uid() {
    let pv = edit(&tenant_pv(), |v| {
        let meta = v["metadata"].as_object_mut().unwrap();
        meta.remove("annotations");
        meta.remove("uid");
        v["spec"]["storageClassName"] = json!("");
    });
    let host = translator()
        .host_pv(&Inputs::new().with_virtual_pv(&pv))
        .unwrap()
        .desired
        .unwrap();
    let annotations = host.metadata.annotations.unwrap();
    assert!(!annotations.contains_key("vcluster.loft.sh/managed-annotations"));
    assert_eq!(annotations["vcluster.loft.sh/object-uid"], "");
    // T2: no class is a class of this virtual cluster's own on the host.
    assert_eq!(
        host.spec.unwrap().storage_class_name.as_deref(),
        Some("vcluster--x-test-x-suffix")
    );
}

#[test]
fn h1_a_mirrored_pv_has_no_host_pv_made_from_it() {
    let mirrored = edit(&tenant_pv(), |v| {
        v["metadata"]["annotations"] = json!({"vcluster.loft.sh/host-pv": "pvc-123"});
    });
    let err = translator()
        .host_pv(&Inputs::new().with_virtual_pv(&mirrored))
        .unwrap_err();
    assert!(
        err.to_string().contains("mirrors host PV \"pvc-123\""),
        "{err}"
    );
}

#[test]
fn p1_host_pvc_name_labels_and_bookkeeping() {
    let claim: PersistentVolumeClaim = from_json(json!({
        "metadata": {"name": "testpvc", "namespace": "testns",
                     "annotations": {"otherAnnotationKey": "v", "pv.kubernetes.io/bind-completed": "yes"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                 "storageClassName": "fast"},
    }));
    let t = translator().with_mode(SyncMode::new(PvMode::Fake, StorageClassMode::Off));
    let host = t
        .host_pvc(&Inputs::new().with_virtual_pvc(&claim))
        .unwrap()
        .desired
        .unwrap();
    assert_eq!(
        host.metadata.name.as_deref(),
        Some("testpvc-x-testns-x-suffix")
    );
    assert_eq!(host.metadata.namespace.as_deref(), Some("test"));
    let labels = host.metadata.labels.unwrap();
    assert_eq!(labels["vcluster.loft.sh/managed-by"], "suffix");
    assert_eq!(labels["vcluster.loft.sh/namespace"], "testns");
    let annotations = host.metadata.annotations.unwrap();
    assert_eq!(annotations["vcluster.loft.sh/object-name"], "testpvc");
    assert_eq!(annotations["vcluster.loft.sh/object-namespace"], "testns");
    assert_eq!(annotations["vcluster.loft.sh/object-uid"], "");
    assert_eq!(
        annotations["vcluster.loft.sh/object-kind"],
        "/v1, Kind=PersistentVolumeClaim"
    );
    assert_eq!(
        annotations["vcluster.loft.sh/object-host-namespace"],
        "test"
    );
    assert_eq!(
        annotations["vcluster.loft.sh/object-host-name"],
        "testpvc-x-testns-x-suffix"
    );
    assert_eq!(
        annotations["vcluster.loft.sh/managed-annotations"],
        "otherAnnotationKey"
    );
    assert!(!annotations.contains_key("pv.kubernetes.io/bind-completed"));
    assert_eq!(
        host.spec.unwrap().storage_class_name.as_deref(),
        Some("fast")
    );
}

#[test]
fn p1_to_host_class_mode_translates_the_class() {
    let t = translator().with_mode(SyncMode::new(PvMode::Fake, StorageClassMode::ToHost));
    let claim = edit(&pvc(""), |v| v["spec"]["storageClassName"] = json!("fast"));
    let host = t
        .host_pvc(&Inputs::new().with_virtual_pvc(&claim))
        .unwrap()
        .desired
        .unwrap();
    assert_eq!(
        host.spec.unwrap().storage_class_name.as_deref(),
        Some("vcluster-fast-x-test-x-suffix")
    );
}

#[test]
fn p2_volume_name_of_a_mirrored_pv_keeps_its_host_name() {
    let claim = pvc("pvc-abc123");
    let mirrored: PersistentVolume = edit(&host_pv("pvc-abc123", Some(CLAIM)), |v| {
        v["metadata"]["annotations"] = json!({"vcluster.loft.sh/host-pv": "pvc-abc123"});
    });
    // S5's evidence: the mirror's claim maps by N2 to the host PV's claim.
    let mirrored = edit(&mirrored, |v| {
        v["spec"]["claimRef"] = json!({"namespace": "default", "name": "data"});
    });
    let source = host_pv("pvc-abc123", Some(CLAIM));
    let inputs = Inputs::new()
        .with_virtual_pvc(&claim)
        .with_virtual_pv(&mirrored)
        .with_host_pv(&source);
    let host = translator().host_pvc(&inputs).unwrap().desired.unwrap();
    assert_eq!(
        host.spec.unwrap().volume_name.as_deref(),
        Some("pvc-abc123")
    );
}

#[test]
fn p2_volume_name_of_a_tenant_pv_becomes_its_n3_name() {
    let claim = pvc("mypv");
    let pv = tenant_pv();
    let host = translator()
        .host_pvc(&Inputs::new().with_virtual_pvc(&claim).with_virtual_pv(&pv))
        .unwrap()
        .desired
        .unwrap();
    assert_eq!(
        host.spec.unwrap().volume_name.as_deref(),
        Some("vcluster-mypv-x-test-x-suffix")
    );
    // Without the named PV nothing proves a mirror: N3, as vcluster (P2 0.2).
    let host = translator()
        .host_pvc(&Inputs::new().with_virtual_pvc(&claim))
        .unwrap()
        .desired
        .unwrap();
    assert_eq!(
        host.spec.unwrap().volume_name.as_deref(),
        Some("vcluster-mypv-x-test-x-suffix")
    );
}

#[test]
fn p2_fake_mode_keeps_volume_name_verbatim() {
    let t = translator().with_mode(SyncMode::default());
    let host = t
        .host_pvc(&Inputs::new().with_virtual_pvc(&pvc("pvc-1")))
        .unwrap()
        .desired
        .unwrap();
    assert_eq!(host.spec.unwrap().volume_name.as_deref(), Some("pvc-1"));
}

/// The virtual mirror of `host`, bound to the PVC `default/data` on it.
fn mirror_of(host: &PersistentVolume, t: &Translator) -> PersistentVolume {
    let claim = pvc(host.metadata.name.as_deref().unwrap());
    virtual_pv(
        &Inputs::new().with_host_pv(host).with_virtual_pvc(&claim),
        t,
    )
    .unwrap()
}

fn deleting(pv: &PersistentVolume) -> PersistentVolume {
    edit(pv, |v| {
        v["metadata"]["deletionTimestamp"] = json!("2026-02-01T00:00:00Z")
    })
}

#[test]
fn d1_deleting_a_bound_delete_pv_waits_for_the_host_to_reclaim() {
    let t = translator();
    let host = edit(&host_pv("pvc-1", Some(CLAIM)), |v| {
        v["spec"]["persistentVolumeReclaimPolicy"] = json!("Delete");
    });
    let mirrored = mirror_of(&host, &t);
    let (virtual_action, host_action, _) = pair(
        Some(&deleting(&mirrored)),
        Some(&host),
        Some(&pvc("pvc-1")),
        &t,
    );
    assert!(
        matches!(virtual_action, Action::Wait { rule: Rule::D1, .. }),
        "{virtual_action}"
    );
    assert_eq!(host_action, Action::Unchanged);
}

#[test]
fn d1_deleting_a_retain_or_unbound_pv_deletes_the_host_pv() {
    let t = translator();
    let host = host_pv("pvc-1", Some(CLAIM));
    let mirrored = mirror_of(&host, &t);
    let (virtual_action, host_action, why) = pair(
        Some(&deleting(&mirrored)),
        Some(&host),
        Some(&pvc("pvc-1")),
        &t,
    );
    assert_eq!(
        (virtual_action, host_action),
        (Action::Unchanged, DELETE_HOST)
    );
    assert!(why.applied(Rule::D1));
    // An unbound PV is a tenant's own one (a mirror without claim is not mirrored, S2): its
    // host copy goes whatever the policy.
    let unbound = edit(&deleting(&tenant_pv()), |v| {
        v["spec"]["persistentVolumeReclaimPolicy"] = json!("Delete");
        v["spec"].as_object_mut().unwrap().remove("claimRef");
    });
    let copy = t
        .host_pv(&Inputs::new().with_virtual_pv(&tenant_pv()))
        .unwrap()
        .desired
        .unwrap();
    let (_, host_action, why) = pair(Some(&unbound), Some(&copy), None, &t);
    assert_eq!(host_action, DELETE_HOST);
    assert!(why.applied(Rule::D1));
}

#[test]
fn d2_host_pv_gone_deletes_the_mirrored_virtual_pv() {
    let t = translator();
    let host = host_pv("pvc-1", Some(CLAIM));
    let mirrored = mirror_of(&host, &t);
    let (virtual_action, host_action, why) = pair(Some(&mirrored), None, None, &t);
    assert_eq!(
        (virtual_action, host_action),
        (DELETE_VIRTUAL, Action::Unchanged)
    );
    assert!(why.applied(Rule::D2));
    assert_eq!(
        virtual_pv(&Inputs::new().with_virtual_pv(&mirrored), &t),
        None
    );
    // A tenant's own PV without host copy: the host PV is created instead.
    let (virtual_action, host_action, _) = pair(Some(&tenant_pv()), None, None, &t);
    assert_eq!(
        (virtual_action, host_action),
        (Action::Unchanged, Action::Create)
    );
    let (virtual_action, host_action, why) = pair(Some(&deleting(&tenant_pv())), None, None, &t);
    assert_eq!(
        (virtual_action, host_action),
        (DELETE_VIRTUAL, Action::Unchanged)
    );
    assert!(why.applied(Rule::D2));
}

#[test]
fn d3_host_pv_being_deleted_deletes_the_virtual_pv() {
    let t = translator();
    let host = host_pv("pvc-1", Some(CLAIM));
    let mirrored = mirror_of(&host, &t);
    let going = deleting(&host);
    let (virtual_action, host_action, why) = pair(Some(&mirrored), Some(&going), None, &t);
    assert_eq!(
        (virtual_action, host_action),
        (DELETE_VIRTUAL, Action::Unchanged)
    );
    assert!(why.applied(Rule::D3));
    let tr = t
        .virtual_pv(
            &Inputs::new()
                .with_host_pv(&going)
                .with_virtual_pv(&mirrored),
        )
        .unwrap();
    assert_eq!(tr.desired, None);
    assert!(tr.explanation.as_ref().unwrap().applied(Rule::D3));
}

#[test]
fn d4_virtual_originated_host_pv_without_virtual_pv_is_deleted() {
    let t = translator();
    let host = t
        .host_pv(&Inputs::new().with_virtual_pv(&tenant_pv()))
        .unwrap()
        .desired
        .unwrap();
    let (virtual_action, host_action, why) = pair(None, Some(&host), None, &t);
    assert_eq!(
        (virtual_action, host_action),
        (Action::Unchanged, DELETE_HOST)
    );
    assert!(why.applied(Rule::D4));
    let (_, host_action, why) = pair(Some(&tenant_pv()), Some(&host), None, &t);
    assert!(
        !matches!(host_action, Action::Delete { .. }),
        "{host_action}"
    );
    assert!(why.applied(Rule::B1));
}

#[test]
fn sync_mode_without_a_host_pv_or_virtual_pv_gives_none() {
    let tr = translator()
        .virtual_pv(&Inputs::new().with_virtual_pvc(&pvc("pvc-1")))
        .unwrap();
    assert_eq!(tr.desired, None);
}

#[test]
fn h1_a_tenant_pv_is_never_deleted_or_replaced_by_what_the_host_did_to_its_copy() {
    let t = translator();
    let mine = tenant_pv();
    // Its host copy lost the marker and claim (S2), or is claimed in H by someone else (S5).
    let unmarked = edit(&host_pv("vcluster-mypv-x-test-x-suffix", None), |v| {
        v["metadata"].as_object_mut().unwrap().remove("labels");
    });
    let foreign = host_pv(
        "vcluster-mypv-x-test-x-suffix",
        Some(("test", "someone-else")),
    );
    for host in [&unmarked, &foreign] {
        for tr in [translator(), legacy()] {
            let desired = virtual_pv(
                &Inputs::new().with_host_pv(host).with_virtual_pv(&mine),
                &tr,
            );
            assert_eq!(desired.as_ref().map(|pv| &pv.spec), Some(&mine.spec));
        }
        let (virtual_action, host_action, why) = pair(Some(&mine), Some(host), None, &t);
        assert_eq!(virtual_action, Action::Unchanged);
        // R5: the copy is not provably made from this PV: nothing is written to it.
        assert!(
            matches!(host_action, Action::Conflict { rule: Rule::R5, .. }),
            "{host_action}"
        );
        assert!(why.applied(Rule::R5));
    }
}

#[test]
fn f6_sync_mode_does_not_look_at_controlled_by() {
    // SPEC F6 0.2: as vcluster, the label only matters to fake mode; H1 applies.
    let t = translator();
    let handed_over = edit(&tenant_pv(), |v| {
        v["metadata"]["labels"] = json!({"vcluster.loft.sh/controlled-by": "other-syncer"});
    });
    let (virtual_action, host_action, _) = pair(Some(&handed_over), None, None, &t);
    assert_eq!(
        (virtual_action, host_action),
        (Action::Unchanged, Action::Create)
    );
    let host = t
        .host_pv(&Inputs::new().with_virtual_pv(&handed_over))
        .unwrap()
        .desired
        .unwrap();
    let labels = host.metadata.labels.unwrap();
    // The reserved key crosses through N5, never as itself.
    assert!(!labels.contains_key("vcluster.loft.sh/controlled-by"));
    assert_eq!(
        labels.get(
            pv_translate::names::host_label_key("vcluster.loft.sh/controlled-by", "suffix")
                .unwrap()
                .as_ref()
        ),
        Some(&"other-syncer".to_owned())
    );
}

#[test]
fn h1_host_pvs_are_made_only_in_sync_mode() {
    let fake_mode = translator().with_mode(SyncMode::default());
    let err = fake_mode
        .host_pv(&Inputs::new().with_virtual_pv(&tenant_pv()))
        .unwrap_err();
    assert!(matches!(err, Error::NotManaged { .. }), "{err}");
}

#[test]
fn i7_host_pvs_with_several_or_no_volume_sources_are_input_errors() {
    let t = translator();
    let several = edit(&host_pv("pvc-123", Some(CLAIM)), |v| {
        v["spec"]["nfs"] = json!({"server": "10.0.0.1", "path": "/x"});
    });
    let err = t
        .virtual_pv(&Inputs::new().with_host_pv(&several))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "PersistentVolume pvc-123: spec: several volume sources (csi, nfs); exactly one is allowed"
    );
    let none = edit(&tenant_pv(), |v| {
        v["spec"].as_object_mut().unwrap().remove("nfs");
    });
    let err = t
        .host_pv(&Inputs::new().with_virtual_pv(&none))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "PersistentVolume mypv: spec: no volume source"
    );
}

#[test]
fn s4_an_unnamed_pvc_is_an_input_error_not_a_match() {
    let host = edit(&host_pv("pvc-123", Some(CLAIM)), |v| {
        v["spec"]["claimRef"]
            .as_object_mut()
            .unwrap()
            .remove("name");
    });
    let unnamed = edit(&pvc("pvc-123"), |v| {
        v["metadata"].as_object_mut().unwrap().remove("name");
    });
    let err = translator()
        .virtual_pv(&Inputs::new().with_host_pv(&host).with_virtual_pvc(&unnamed))
        .unwrap_err();
    assert!(err.to_string().contains("metadata.name: missing"), "{err}");
}

// SPEC 0.2 corrections, as vcluster does them.

fn host_pvc_spec(
    claim: &PersistentVolumeClaim,
    host_class: Option<&k8s_openapi::api::storage::v1::StorageClass>,
    t: &Translator,
) -> k8s_openapi::api::core::v1::PersistentVolumeClaimSpec {
    let mut inputs = Inputs::new().with_virtual_pvc(claim);
    inputs.host_storage_class = host_class;
    t.host_pvc(&inputs).unwrap().desired.unwrap().spec.unwrap()
}

#[test]
fn p1_sync_mode_translates_static_classes_and_classes_the_host_lacks() {
    let t = translator();
    let standard = common::storage_class("standard", None);
    // Dynamic (no volumeName, no selector), and the host has the class: kept.
    let dynamic = edit(&pvc("pvc-1"), |v| {
        v["spec"].as_object_mut().unwrap().remove("volumeName");
    });
    assert_eq!(
        host_pvc_spec(&dynamic, Some(&standard), &t)
            .storage_class_name
            .as_deref(),
        Some("standard")
    );
    // The host has no such class: N3 (a virtual-only class of static PVs).
    assert_eq!(
        host_pvc_spec(&dynamic, None, &t)
            .storage_class_name
            .as_deref(),
        Some("vcluster-standard-x-test-x-suffix")
    );
    // Static (it names a volume): N3, to match the PV H1 wrote.
    assert_eq!(
        host_pvc_spec(&pvc("pvc-1"), Some(&standard), &t)
            .storage_class_name
            .as_deref(),
        Some("vcluster-standard-x-test-x-suffix")
    );
    // Fake mode leaves the class alone.
    let fake = translator().with_mode(SyncMode::default());
    assert_eq!(
        host_pvc_spec(&dynamic, None, &fake)
            .storage_class_name
            .as_deref(),
        Some("standard")
    );
}

#[test]
fn p1_sync_mode_translates_selector_keys_through_n5() {
    let claim = edit(&pvc("pvc-1"), |v| {
        v["spec"].as_object_mut().unwrap().remove("volumeName");
        v["spec"]["selector"] = json!({
            "matchLabels": {"release": "r1", "app": "db"},
            "matchExpressions": [{"key": "release", "operator": "In", "values": ["r1"]}],
        });
    });
    let selector = host_pvc_spec(&claim, None, &translator()).selector.unwrap();
    let release = pv_translate::names::host_label_key("release", "suffix")
        .unwrap()
        .into_owned();
    let labels = selector.match_labels.unwrap();
    assert_eq!(labels.get(&release).map(String::as_str), Some("r1"));
    assert_eq!(labels.get("app").map(String::as_str), Some("db"));
    assert!(!labels.contains_key("release"));
    assert_eq!(selector.match_expressions.unwrap()[0].key, release);
}

#[test]
fn p1_the_deprecated_class_annotation_is_the_class() {
    let claim = edit(&pvc("pvc-1"), |v| {
        v["spec"]
            .as_object_mut()
            .unwrap()
            .remove("storageClassName");
        v["metadata"]["annotations"] = json!({"volume.beta.kubernetes.io/storage-class": "legacy"});
    });
    let to_host = translator().with_mode(SyncMode::new(PvMode::Fake, StorageClassMode::ToHost));
    let d = to_host
        .host_pvc(&Inputs::new().with_virtual_pvc(&claim))
        .unwrap()
        .desired
        .unwrap();
    assert_eq!(
        d.spec.unwrap().storage_class_name.as_deref(),
        Some("vcluster-legacy-x-test-x-suffix")
    );
    let annotations = d.metadata.annotations.unwrap();
    assert!(!annotations.contains_key("volume.beta.kubernetes.io/storage-class"));
    // Off mode, fake PVs: the annotation crosses as it is, the field stays unset.
    let off = translator().with_mode(SyncMode::default());
    let d = off
        .host_pvc(&Inputs::new().with_virtual_pvc(&claim))
        .unwrap()
        .desired
        .unwrap();
    assert_eq!(d.spec.unwrap().storage_class_name, None);
    assert_eq!(
        d.metadata.annotations.unwrap()["volume.beta.kubernetes.io/storage-class"],
        "legacy"
    );
}

#[test]
fn p1_pvc_data_sources_name_their_host_copy_in_every_mode() {
    let claim = edit(&pvc("pvc-1"), |v| {
        v["spec"]["dataSource"] = json!({"kind": "PersistentVolumeClaim", "name": "src"});
        v["spec"]["dataSourceRef"] = json!({"kind": "PersistentVolumeClaim", "name": "src",
                                            "namespace": "default"});
    });
    for mode in [
        SyncMode::default(),
        SyncMode::new(PvMode::Sync, StorageClassMode::Off),
    ] {
        let spec = host_pvc_spec(&claim, None, &translator().with_mode(mode));
        assert_eq!(spec.data_source.unwrap().name, "src-x-default-x-suffix");
        let reference = spec.data_source_ref.unwrap();
        assert_eq!(reference.name, "src-x-default-x-suffix");
        // T4: the host copy is in the host PVC's own namespace.
        assert_eq!(reference.namespace, None);
    }
    // T4 (0.3): a snapshot, or any other kind, names its host copy too.
    let snapshot = edit(&pvc("pvc-1"), |v| {
        v["spec"]["dataSource"] = json!({"apiGroup": "snapshot.storage.k8s.io",
                                         "kind": "VolumeSnapshot", "name": "snap"});
    });
    assert_eq!(
        host_pvc_spec(&snapshot, None, &translator())
            .data_source
            .unwrap()
            .name,
        "snap-x-default-x-suffix"
    );
    // T4: another namespace is a conflict, nothing is created.
    let elsewhere = edit(&claim, |v| {
        v["spec"]["dataSourceRef"]["namespace"] = json!("other");
    });
    let decision = translator()
        .host_pvc(&Inputs::new().with_virtual_pvc(&elsewhere))
        .unwrap();
    assert_eq!(decision.desired, None);
    assert!(
        matches!(&decision.action, Action::Conflict { rule, .. } if *rule == Rule::T4),
        "{}",
        decision.action
    );
}

#[test]
fn d2_a_tenant_pv_whose_host_copy_was_seen_and_is_gone_is_deleted() {
    let t = translator();
    let mine = tenant_pv();
    let copy = t
        .host_pv(&Inputs::new().with_virtual_pv(&mine))
        .unwrap()
        .desired
        .unwrap();
    // Never seen: H1 makes it (again).
    let (virtual_action, host_action, _) = pair(Some(&mine), None, None, &t);
    assert_eq!(
        (virtual_action, host_action),
        (Action::Unchanged, Action::Create)
    );
    // Seen in the previous snapshot and gone now: D2.
    let inputs = Inputs::new()
        .with_virtual_pv(&mine)
        .with_last_pvs(Some(&mine), Some(&copy));
    let d = t.pv_pair(&inputs).unwrap();
    assert_eq!(d.virtual_pv.action, DELETE_VIRTUAL);
    assert_eq!(d.host_pv.action, Action::Unchanged);
    assert!(d.explanation.unwrap().applied(Rule::D2));
}

#[test]
fn d3_only_a_mirror_goes_with_its_terminating_host_pv() {
    let t = translator();
    let mine = tenant_pv();
    let copy = t
        .host_pv(&Inputs::new().with_virtual_pv(&mine))
        .unwrap()
        .desired
        .unwrap();
    let (virtual_action, host_action, why) = pair(Some(&mine), Some(&deleting(&copy)), None, &t);
    assert!(matches!(
        virtual_action,
        Action::Wait { rule: Rule::D3, .. }
    ));
    assert_eq!(host_action, Action::Unchanged);
    assert!(why.applied(Rule::D3));
}

#[test]
fn s4_mirror_decision_checks_the_pvc_it_is_given() {
    let t = translator();
    let host = host_pv("pvc-1", Some(("test", "-x-default-x-suffix")));
    let unnamed = edit(&pvc("pvc-1"), |v| {
        v["metadata"]["name"] = json!("");
    });
    let err = t.mirror_decision(&host, Some(&unnamed), None).unwrap_err();
    assert_eq!(
        err.to_string(),
        "PersistentVolumeClaim default/<unnamed>: metadata.name: missing"
    );
}

/// P4 through the single-object API: a host PVC seen at the last sync (`last_host_pvc`) and
/// gone now is not made again; never seen, P1 makes it.
#[test]
fn p4_a_host_pvc_that_was_synced_and_is_gone_is_not_made_again() {
    let t = Translator::new(VirtualCluster::new("vc", "team-a").unwrap());
    let pvc = common::bound_pvc("default", "data", "pvc-1");
    let made = t.host_pvc(&Inputs::new().with_virtual_pvc(&pvc)).unwrap();
    assert_eq!(made.action, pv_translate::Action::Create);
    let synced = made.desired.unwrap();
    let mut inputs = Inputs::new().with_virtual_pvc(&pvc);
    inputs.last_host_pvc = Some(&synced);
    let again = t.host_pvc(&inputs).unwrap();
    assert_eq!(again.desired, None);
    assert_eq!(again.action, pv_translate::Action::Unchanged);
}
