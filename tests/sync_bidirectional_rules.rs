//! SPEC B1, B2 (with S7, S8, N3, N5): keeping a virtual PV and its host PV in step, and the
//! reference's worked cases S01, S04-S10 (vcluster's own syncer tests, as the reference recorded them).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{bound_pvc, edit, from_json, reclaim_policy};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use pv_translate::explain::{Input, Source};
use pv_translate::sync::{Conflict, ConflictReason, SyncedField};
use pv_translate::{
    Action, ConflictPolicy, Error, Explanation, Inputs, Options, PvMode, PvPair, Rule,
    StorageClassMode, SyncMode, Translator, VirtualCluster,
};
use serde_json::{Value, json};

/// H = `test`, V = `suffix`, as in vcluster's unit tests.
fn translator() -> Translator {
    Translator::new(VirtualCluster::new("suffix", "test").unwrap())
        .with_mode(SyncMode::new(PvMode::Sync, StorageClassMode::Off))
        .with_explanations(true)
}

fn reporting() -> Translator {
    translator().with_options(Options::default().with_conflicts(ConflictPolicy::Report))
}

/// The host PV `pvc-1`, bound to the host copy of `default/data`, Delete, 10Gi, CSI.
fn host() -> PersistentVolume {
    from_json(json!({
        "metadata": {
            "name": "pvc-1", "uid": "host-uid", "resourceVersion": "77",
            "finalizers": ["kubernetes.io/pv-protection"],
            "labels": {"topology.kubernetes.io/zone": "eu-west-1a"},
            "annotations": {
                "pv.kubernetes.io/provisioned-by": "ebs.csi.aws.com",
                "vcluster.loft.sh/object-name": "host-only",
            },
        },
        "spec": {
            "accessModes": ["ReadWriteOnce"],
            "capacity": {"storage": "10Gi"},
            "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-1"},
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": "gp3",
            "volumeMode": "Filesystem",
            "claimRef": {"kind": "PersistentVolumeClaim", "apiVersion": "v1", "namespace": "test",
                         "name": "data-x-default-x-suffix", "uid": "1"},
        },
        "status": {"phase": "Bound"},
    }))
}

/// The virtual PVC `default/data` bound to `pvc-1`, class `standard`.
fn pvc() -> PersistentVolumeClaim {
    bound_pvc("default", "data", "pvc-1")
}

/// The host copy of [`pvc`] (P1), uid `1`: [`host`] was provisioned for it, so its mirror is
/// written through (SPEC T3).
fn host_pvc() -> PersistentVolumeClaim {
    let made = translator()
        .host_pvc(&Inputs::new().with_virtual_pvc(&pvc()))
        .unwrap()
        .desired
        .unwrap();
    edit(&made, |v| v["metadata"]["uid"] = json!("1"))
}

/// The virtual mirror of [`host`], as S6 makes it.
fn mirror(host: &PersistentVolume) -> PersistentVolume {
    translator()
        .virtual_pv(&Inputs::new().with_host_pv(host).with_virtual_pvc(&pvc()))
        .unwrap()
        .desired
        .unwrap()
}

/// A tenant's own PV `mypv` (no `host-pv`), class `standard`, with label `app: db`.
fn tenant_pv() -> PersistentVolume {
    from_json(json!({
        "metadata": {"name": "mypv", "uid": "v-uid", "labels": {"app": "db"},
                     "annotations": {"note": "mine"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"},
                 "nfs": {"server": "10.0.0.1", "path": "/data"}, "persistentVolumeReclaimPolicy": "Retain",
                 "storageClassName": "standard"},
    }))
}

/// The host PV H1 makes from [`tenant_pv`], with a status.
fn tenant_host(virtual_pv: &PersistentVolume) -> PersistentVolume {
    let host = translator()
        .host_pv(&Inputs::new().with_virtual_pv(virtual_pv))
        .unwrap()
        .desired
        .unwrap();
    edit(&host, |v| v["status"] = json!({"phase": "Available"}))
}

/// Both PVs after a sync, as the pair decision gives them.
struct Synced {
    virtual_pv: PersistentVolume,
    virtual_action: Action,
    host_pv: PersistentVolume,
    conflicts: Vec<Conflict>,
    explanation: Explanation,
}

fn sync(
    last: (&PersistentVolume, &PersistentVolume),
    now: (&PersistentVolume, &PersistentVolume),
    claim: Option<&PersistentVolumeClaim>,
    t: &Translator,
) -> Synced {
    let host_pvc = host_pvc();
    let decision = t
        .keep_in_step(
            PvPair::new(last.0, last.1),
            PvPair::new(now.0, now.1),
            claim,
            claim.map(|_| &host_pvc),
        )
        .unwrap();
    Synced {
        virtual_pv: decision.virtual_pv.desired.clone().unwrap(),
        virtual_action: decision.virtual_pv.action.clone(),
        host_pv: decision.host_pv.desired.clone().unwrap(),
        conflicts: decision.conflicts.clone(),
        explanation: decision.explanation.unwrap(),
    }
}

fn spec(pv: &PersistentVolume) -> Value {
    serde_json::to_value(pv.spec.as_ref().unwrap()).unwrap()
}

fn set(pv: &PersistentVolume, path: &str, value: Value) -> PersistentVolume {
    edit(pv, |v| {
        let mut target = v;
        let mut parts = path.split('.').peekable();
        while let Some(part) = parts.next() {
            if parts.peek().is_none() {
                if value.is_null() {
                    target.as_object_mut().unwrap().remove(part);
                } else {
                    target[part] = value.clone();
                }
                return;
            }
            target = &mut target[part];
        }
    })
}

fn labels(pv: &PersistentVolume) -> Value {
    json!(pv.metadata.labels)
}

fn annotations(pv: &PersistentVolume) -> Value {
    json!(pv.metadata.annotations)
}

#[test]
fn b1_virtual_change_wins_even_if_host_changed() {
    // Reference S08 [CURRENT]: Delete -> Retain on virtual, Delete -> Recycle on host.
    let (h0, v0) = (host(), mirror(&host()));
    let v = set(&v0, "spec.persistentVolumeReclaimPolicy", json!("Retain"));
    let h = set(&h0, "spec.persistentVolumeReclaimPolicy", json!("Recycle"));
    let out = sync((&v0, &h0), (&v, &h), Some(&pvc()), &translator());
    assert_eq!(reclaim_policy(&out.host_pv), Some("Retain"));
    assert_eq!(reclaim_policy(&out.virtual_pv), Some("Retain"));
    assert!(out.conflicts.is_empty());
    assert!(
        out.explanation
            .steps
            .iter()
            .any(|step| step.rule == Rule::B1
                && step
                    .reason
                    .contains("both sides changed: the virtual side wins")),
        "{}",
        out.explanation
    );
}

#[test]
fn b1_host_change_flows_to_virtual() {
    let (h0, v0) = (host(), mirror(&host()));
    let h = set(&h0, "spec.capacity", json!({"storage": "20Gi"}));
    let h = set(&h, "spec.mountOptions", json!(["noatime"]));
    let out = sync((&v0, &h0), (&v0, &h), Some(&pvc()), &translator());
    assert_eq!(
        spec(&out.virtual_pv)["capacity"],
        json!({"storage": "20Gi"})
    );
    assert_eq!(spec(&out.virtual_pv)["mountOptions"], json!(["noatime"]));
    assert_eq!(spec(&out.host_pv), spec(&h), "the host spec is untouched");
    assert!(out.explanation.fields.iter().any(|o| {
        o.field == "virtualPv.spec.capacity"
            && o.source == Source::input(Input::HostPv, "spec.capacity")
    }));
}

#[test]
fn b1_capacity_equality_is_semantic_1gi_equals_1024mi() {
    let h0 = set(&host(), "spec.capacity", json!({"storage": "1Gi"}));
    let v0 = mirror(&h0);
    // The virtual side re-spells the same value: no change, no write.
    let v = set(&v0, "spec.capacity", json!({"storage": "1024Mi"}));
    let out = sync((&v0, &h0), (&v, &h0), Some(&pvc()), &translator());
    assert_eq!(spec(&out.host_pv)["capacity"], json!({"storage": "1Gi"}));
    // SPEC §0 (0.2): desired quantities are canonical, as the API server stores them; the
    // virtual API server would never hold `1024Mi` either.
    assert_eq!(spec(&out.virtual_pv)["capacity"], json!({"storage": "1Gi"}));
    // A host re-spelling is no change either.
    let h = set(&h0, "spec.capacity", json!({"storage": "1073741824"}));
    let out = sync((&v0, &h0), (&v0, &h), Some(&pvc()), &translator());
    assert_eq!(spec(&out.virtual_pv)["capacity"], json!({"storage": "1Gi"}));
    // A real change is one.
    let h = set(&h0, "spec.capacity", json!({"storage": "1G"}));
    let out = sync((&v0, &h0), (&v0, &h), Some(&pvc()), &translator());
    assert_eq!(spec(&out.virtual_pv)["capacity"], json!({"storage": "1G"}));
}

#[test]
fn b1_empty_equals_absent() {
    let (h0, v0) = (host(), mirror(&host()));
    // Virtual: fields set to empty values; host: an empty CSI member. Neither is a change.
    let v = set(&v0, "spec.mountOptions", json!([]));
    let v = set(&v, "spec.nodeAffinity", json!({}));
    let v = set(&v, "spec.csi.fsType", json!(""));
    let h = set(&h0, "spec.csi.volumeAttributes", json!({}));
    let out = sync((&v0, &h0), (&v, &h), Some(&pvc()), &reporting());
    assert!(out.conflicts.is_empty());
    assert_eq!(spec(&out.host_pv), spec(&h), "nothing pushed to the host");
    assert_eq!(spec(&out.virtual_pv)["csi"], spec(&v)["csi"]);
    assert!(
        !out.explanation
            .fields
            .iter()
            .any(|o| o.field.contains("spec.")
                && !o.field.ends_with("claimRef")
                && !o.field.ends_with("storageClassName"))
    );
}

#[test]
fn b1_conflicts_report_returns_conflict_and_changes_neither() {
    // Reference S08 [IMPROVE].
    let (h0, v0) = (host(), mirror(&host()));
    let v = set(&v0, "spec.persistentVolumeReclaimPolicy", json!("Retain"));
    let h = set(&h0, "spec.persistentVolumeReclaimPolicy", json!("Recycle"));
    // Capacity changed on the virtual side only: still pushed.
    let v = set(&v, "spec.capacity", json!({"storage": "30Gi"}));
    let out = sync((&v0, &h0), (&v, &h), Some(&pvc()), &reporting());
    assert_eq!(
        out.conflicts,
        vec![Conflict {
            field: SyncedField::ReclaimPolicy,
            reason: ConflictReason::BothChanged,
            last_virtual: Some(json!("Delete")),
            last_host: Some(json!("Delete")),
            virtual_value: Some(json!("Retain")),
            host_value: Some(json!("Recycle")),
        }]
    );
    assert_eq!(reclaim_policy(&out.virtual_pv), Some("Retain"));
    assert_eq!(reclaim_policy(&out.host_pv), Some("Recycle"));
    assert_eq!(spec(&out.host_pv)["capacity"], json!({"storage": "30Gi"}));
    assert!(
        out.conflicts[0]
            .to_string()
            .starts_with("spec.persistentVolumeReclaimPolicy: both sides changed")
    );
    // Both changed to the same value: no conflict.
    let h = set(&h0, "spec.persistentVolumeReclaimPolicy", json!("Retain"));
    let v = set(&v0, "spec.persistentVolumeReclaimPolicy", json!("Retain"));
    let out = sync((&v0, &h0), (&v, &h), Some(&pvc()), &reporting());
    assert!(out.conflicts.is_empty());
}

#[test]
fn b1_volume_source_is_one_group() {
    let (h0, v0) = (host(), mirror(&host()));
    let v = set(&v0, "spec.csi", Value::Null);
    let v = set(
        &v,
        "spec.nfs",
        json!({"server": "nfs.local", "path": "/export"}),
    );
    let out = sync((&v0, &h0), (&v, &h0), Some(&pvc()), &translator());
    // The API server refuses to change an existing PV's source: B1 plans no such update, it
    // reports a conflict for the whole group and the host PV keeps its source.
    let host_spec = spec(&out.host_pv);
    assert_eq!(host_spec["csi"], spec(&h0)["csi"]);
    assert_eq!(host_spec.get("nfs"), None);
    assert_eq!(out.conflicts.len(), 1);
    assert_eq!(out.conflicts[0].field, SyncedField::VolumeSource);
    assert_eq!(out.conflicts[0].reason, ConflictReason::ImmutableOnHost);
    assert!(
        out.conflicts[0]
            .to_string()
            .contains("the host PV cannot take the virtual change (immutable on an existing PV)"),
        "{}",
        out.conflicts[0]
    );
    // The host's source changed (it was made again under the same name): the mirror cannot be
    // updated to it either, so it is made again with it (the tenant's view only).
    let h = set(&h0, "spec.csi.volumeHandle", json!("vol-2"));
    let out = sync((&v0, &h0), (&v0, &h), Some(&pvc()), &translator());
    assert_eq!(spec(&out.virtual_pv)["csi"], spec(&h)["csi"]);
    assert_eq!(out.virtual_action, Action::Recreate);
    assert!(out.conflicts.is_empty(), "{:?}", out.conflicts);
    // A tenant's own PV is never made again: its copy's new source is a conflict.
    let tv = tenant_pv();
    let th = tenant_host(&tv);
    let moved = set(&th, "spec.nfs.path", json!("/elsewhere"));
    let out = sync((&tv, &th), (&tv, &moved), None, &translator());
    assert_eq!(spec(&out.virtual_pv)["nfs"], spec(&tv)["nfs"]);
    assert!(matches!(
        out.virtual_action,
        Action::Conflict { rule: Rule::B1, .. }
    ));
    assert_eq!(out.conflicts[0].reason, ConflictReason::ImmutableOnVirtual);
    // Conflicting sources are reported as one group.
    let h = set(&h0, "spec.csi.volumeHandle", json!("vol-2"));
    let out = sync((&v0, &h0), (&v, &h), Some(&pvc()), &reporting());
    assert_eq!(out.conflicts.len(), 1);
    assert_eq!(out.conflicts[0].field, SyncedField::VolumeSource);
    assert_eq!(
        out.conflicts[0].virtual_value,
        Some(json!({"nfs": {"server": "nfs.local", "path": "/export"}}))
    );
}

#[test]
fn b1_reclaim_policy_edit_in_virtual_reaches_host() {
    // Reference S07: vOld = Delete, v = Retain, hOld = h = Delete -> h Retain.
    let (h0, v0) = (host(), mirror(&host()));
    let v = set(&v0, "spec.persistentVolumeReclaimPolicy", json!("Retain"));
    let out = sync((&v0, &h0), (&v, &h0), Some(&pvc()), &translator());
    assert_eq!(reclaim_policy(&out.host_pv), Some("Retain"));
    assert_eq!(reclaim_policy(&out.virtual_pv), Some("Retain"));
    assert!(out.explanation.fields.iter().any(|o| {
        o.field == "hostPv.spec.persistentVolumeReclaimPolicy"
            && o.source == Source::input(Input::VirtualPv, "spec.persistentVolumeReclaimPolicy")
    }));
}

#[test]
fn b1_host_reclaim_change_reaches_virtual() {
    // Reference S06: vOld = v = Delete, hOld = Delete, h = Retain -> v Retain.
    let (h0, v0) = (host(), mirror(&host()));
    let h = set(&h0, "spec.persistentVolumeReclaimPolicy", json!("Retain"));
    let out = sync((&v0, &h0), (&v0, &h), Some(&pvc()), &translator());
    assert_eq!(reclaim_policy(&out.virtual_pv), Some("Retain"));
    assert_eq!(reclaim_policy(&out.host_pv), Some("Retain"));
}

#[test]
fn b1_divergence_without_a_change_is_left_alone() {
    // Reference S09 [CURRENT]: after a restart last = current on both sides, v Delete, h Retain.
    let h = set(
        &host(),
        "spec.persistentVolumeReclaimPolicy",
        json!("Retain"),
    );
    let v = mirror(&host());
    let out = sync((&v, &h), (&v, &h), Some(&pvc()), &translator());
    assert_eq!(reclaim_policy(&out.virtual_pv), Some("Delete"));
    assert_eq!(reclaim_policy(&out.host_pv), Some("Retain"));
    assert!(out.explanation.to_string().contains("they differ"));
}

#[test]
fn b1_volume_attributes_class_is_not_synced() {
    // Reference S17 [CURRENT]: volumeAttributesClassName is not a B1 field.
    let (h0, v0) = (host(), mirror(&host()));
    let h = set(&h0, "spec.volumeAttributesClassName", json!("fast"));
    let out = sync((&v0, &h0), (&v0, &h), Some(&pvc()), &translator());
    assert_eq!(spec(&out.virtual_pv).get("volumeAttributesClassName"), None);
}

#[test]
fn b2_status_flows_host_to_virtual_only() {
    let (h0, v0) = (host(), mirror(&host()));
    let v = edit(&v0, |v| v["status"] = json!({"phase": "Failed"}));
    let h = edit(&h0, |v| {
        v["status"] = json!({"phase": "Released", "message": "claim gone"});
    });
    let out = sync((&v0, &h0), (&v, &h), Some(&pvc()), &translator());
    assert_eq!(out.virtual_pv.status, h.status);
    assert_eq!(
        out.host_pv.status, h.status,
        "the virtual status never reaches the host"
    );
    assert!(out.explanation.fields.iter().any(|o| {
        o.field == "virtualPv.status" && o.source == Source::input(Input::HostPv, "status")
    }));
}

#[test]
fn b2_labels_virtual_to_host_through_n5() {
    let v0 = tenant_pv();
    let h0 = tenant_host(&v0);
    let v = edit(&v0, |v| {
        v["metadata"]["labels"] = json!({"release": "r1", "tier": "gold"});
    });
    let out = sync((&v0, &h0), (&v, &h0), None, &translator());
    assert_eq!(
        labels(&out.host_pv),
        json!({
            "vcluster.loft.sh/label-suffix-x-a4d451ec23": "r1",
            "tier": "gold",
            "vcluster.loft.sh/managed-by": "test-x-suffix",
        }),
        "app removed, release through N5, the marker kept"
    );
    assert_eq!(labels(&out.virtual_pv), labels(&v));

    // Back: a host change goes through N5's inverse, and the marker never crosses.
    // (The last-synced host PV lacks the marker, so the marker looks added.)
    let h1 = edit(&out.host_pv, |h| {
        h["metadata"]["labels"]
            .as_object_mut()
            .unwrap()
            .remove("vcluster.loft.sh/managed-by");
    });
    let h2 = edit(&out.host_pv, |h| {
        h["metadata"]["labels"]["vcluster.loft.sh/label-suffix-x-a4d451ec23"] = json!("r2");
        h["metadata"]["labels"]["release"] = json!("host-own");
        h["metadata"]["labels"]["zone"] = json!("a");
    });
    let out = sync((&v, &h1), (&v, &h2), None, &translator());
    assert_eq!(
        labels(&out.virtual_pv),
        json!({"release": "r2", "tier": "gold", "zone": "a"})
    );
    assert_eq!(labels(&out.host_pv), labels(&h2));
}

#[test]
fn b2_virtual_label_change_wins_over_host_label_change() {
    let (h0, v0) = (host(), mirror(&host()));
    let v = edit(&v0, |v| v["metadata"]["labels"]["app"] = json!("db"));
    let h = edit(&h0, |h| h["metadata"]["labels"]["backup"] = json!("daily"));
    let out = sync((&v0, &h0), (&v, &h), Some(&pvc()), &translator());
    assert_eq!(
        labels(&out.host_pv),
        json!({"topology.kubernetes.io/zone": "eu-west-1a", "backup": "daily", "app": "db"})
    );
    assert_eq!(
        labels(&out.virtual_pv),
        labels(&v),
        "vcluster: the host's edit stays there"
    );
}

#[test]
fn b2_annotation_removed_on_host_is_removed_in_virtual() {
    let (h0, v0) = (host(), mirror(&host()));
    assert_eq!(
        v0.metadata.annotations.as_ref().unwrap()["pv.kubernetes.io/provisioned-by"],
        "ebs.csi.aws.com"
    );
    let h = edit(&h0, |h| {
        h["metadata"]["annotations"]
            .as_object_mut()
            .unwrap()
            .remove("pv.kubernetes.io/provisioned-by");
        h["metadata"]["annotations"]["added"] = json!("yes");
    });
    let out = sync((&v0, &h0), (&v0, &h), Some(&pvc()), &translator());
    assert_eq!(
        annotations(&out.virtual_pv),
        json!({"vcluster.loft.sh/host-pv": "pvc-1", "added": "yes"})
    );
    assert_eq!(annotations(&out.host_pv), annotations(&h));
}

#[test]
fn b2_bookkeeping_keys_never_cross() {
    // Host -> virtual: bookkeeping edits on the host are not a change for the tenant.
    let (h0, v0) = (host(), mirror(&host()));
    let h = edit(&h0, |h| {
        h["metadata"]["annotations"]["vcluster.loft.sh/object-name"] = json!("changed");
        h["metadata"]["annotations"]["vcluster.loft.sh/managed-annotations"] = json!("x");
        h["metadata"]["annotations"]["vcluster.loft.sh/host-pv"] = json!("other");
    });
    let out = sync((&v0, &h0), (&v0, &h), Some(&pvc()), &translator());
    assert_eq!(annotations(&out.virtual_pv), annotations(&v0));
    assert_eq!(
        annotations(&out.host_pv),
        annotations(&h),
        "kept where they are"
    );

    // Virtual -> host: the tenant's bookkeeping-named keys and host-pv do not reach the host,
    // the host's stay.
    let v0 = tenant_pv();
    let h0 = tenant_host(&v0);
    let v = edit(&v0, |v| {
        v["metadata"]["annotations"] = json!({
            "note": "changed",
            "vcluster.loft.sh/object-name": "forged",
            "vcluster.loft.sh/object-uid": "forged",
        });
    });
    let out = sync((&v0, &h0), (&v, &h0), None, &translator());
    let host_annotations = out.host_pv.metadata.annotations.as_ref().unwrap();
    assert_eq!(host_annotations["note"], "changed");
    assert_eq!(host_annotations["vcluster.loft.sh/object-name"], "mypv");
    assert_eq!(host_annotations["vcluster.loft.sh/object-uid"], "v-uid");
    assert_eq!(
        host_annotations["vcluster.loft.sh/object-host-name"],
        "vcluster-mypv-x-test-x-suffix"
    );
    assert_eq!(annotations(&out.virtual_pv), annotations(&v));
}

#[test]
fn b2_claim_ref_and_class_follow_s7_s8() {
    let (h0, v0) = (host(), mirror(&host()));
    // S7 with a PVC: the claimRef names the virtual PVC, at its current resourceVersion (S15).
    let claim = edit(&pvc(), |p| p["metadata"]["resourceVersion"] = json!("1000"));
    let out = sync((&v0, &h0), (&v0, &h0), Some(&claim), &translator());
    let claim_ref = out
        .virtual_pv
        .spec
        .as_ref()
        .unwrap()
        .claim_ref
        .clone()
        .unwrap();
    assert_eq!(claim_ref.name.as_deref(), Some("data"));
    assert_eq!(claim_ref.namespace.as_deref(), Some("default"));
    assert_eq!(claim_ref.resource_version.as_deref(), Some("1000"));
    // S8: the PVC's class (standard), not the host's (gp3).
    let class = |pv: &PersistentVolume| pv.spec.as_ref().unwrap().storage_class_name.clone();
    assert_eq!(class(&out.virtual_pv).as_deref(), Some("standard"));
    assert_eq!(
        class(&out.host_pv).as_deref(),
        Some("gp3"),
        "the host class is the host's"
    );
    assert!(out.explanation.applied(Rule::S7) && out.explanation.applied(Rule::S8));
    assert!(out.explanation.fields.iter().any(|o| {
        o.field == "virtualPv.spec.claimRef"
            && o.source == Source::input(Input::VirtualPvc, "metadata")
    }));

    // Without a PVC: S8 takes the host class; S7 the host claimRef, the virtual one not naming
    // it (reference S14: a cleared virtual claimRef is written back). A cleared claimRef is no
    // evidence of ownership (S5 0.2): only `retainedPvMirroring: Legacy` still mirrors the PV,
    // as a Retain one; by default the mirror is deleted.
    let v = set(&v0, "spec.claimRef", Value::Null);
    let d = translator()
        .keep_in_step(PvPair::new(&v0, &h0), PvPair::new(&v, &h0), None, None)
        .unwrap();
    assert_eq!(d.virtual_pv.desired, None);
    assert_eq!(d.host_pv.action, Action::Unchanged);
    let h0 = set(&h0, "spec.persistentVolumeReclaimPolicy", json!("Retain"));
    let v0 = set(&v0, "spec.persistentVolumeReclaimPolicy", json!("Retain"));
    let v = set(&v, "spec.persistentVolumeReclaimPolicy", json!("Retain"));
    let legacy = translator().with_options(
        Options::default().with_retained_pv_mirroring(pv_translate::RetainedPvMirroring::Legacy),
    );
    let out = sync((&v0, &h0), (&v, &h0), None, &legacy);
    assert_eq!(class(&out.virtual_pv).as_deref(), Some("gp3"));
    assert_eq!(
        out.virtual_pv.spec.as_ref().unwrap().claim_ref,
        h0.spec.as_ref().unwrap().claim_ref
    );
    // The host claimRef never changes.
    assert_eq!(
        out.host_pv.spec.as_ref().unwrap().claim_ref,
        h0.spec.as_ref().unwrap().claim_ref
    );
}

#[test]
fn b2_virtual_originated_host_class_is_n3_of_the_virtual_class() {
    // Reference S11, S12: class standard -> vcluster-standard-x-test-x-suffix; "" (vcluster
    // keeps it) is a class of this virtual cluster's own (T2 0.3).
    let v0 = tenant_pv();
    let h0 = tenant_host(&v0);
    let h = set(&h0, "spec.storageClassName", json!("edited-on-host"));
    let out = sync((&v0, &h0), (&v0, &h), None, &translator());
    let class = |pv: &PersistentVolume| pv.spec.as_ref().unwrap().storage_class_name.clone();
    assert_eq!(
        class(&out.host_pv).as_deref(),
        Some("vcluster-standard-x-test-x-suffix")
    );
    assert_eq!(class(&out.virtual_pv).as_deref(), Some("standard"));
    let v = set(&v0, "spec.storageClassName", json!(""));
    let out = sync((&v0, &h0), (&v, &h0), None, &translator());
    assert_eq!(
        class(&out.host_pv).as_deref(),
        Some("vcluster--x-test-x-suffix")
    );
    assert!(out.explanation.fields.iter().any(|o| {
        o.field == "hostPv.spec.storageClassName" && o.source == Source::rule(Rule::T2)
    }));
    // With `tenantBinding: Verbatim`, vcluster's "" stays "".
    let verbatim = translator().with_options(
        Options::default().with_tenant_binding(pv_translate::TenantBinding::Verbatim),
    );
    let out = sync((&v0, &h0), (&v, &h0), None, &verbatim);
    assert_eq!(class(&out.host_pv).as_deref(), Some(""));
}

#[test]
fn b1_b2_tenant_pv_edits_reach_its_host_pv() {
    let v0 = tenant_pv();
    let h0 = tenant_host(&v0);
    let v = set(&v0, "spec.capacity", json!({"storage": "2Gi"}));
    let v = set(&v, "spec.accessModes", json!(["ReadWriteMany"]));
    let out = sync((&v0, &h0), (&v, &h0), None, &translator());
    assert_eq!(spec(&out.host_pv)["capacity"], json!({"storage": "2Gi"}));
    assert_eq!(spec(&out.host_pv)["accessModes"], json!(["ReadWriteMany"]));
    assert_eq!(out.host_pv.spec.as_ref().unwrap().claim_ref, None);
    assert_eq!(out.virtual_pv.status, h0.status);
    assert_eq!(
        out.explanation.rules(),
        vec![Rule::B1, Rule::B2, Rule::S7],
        "{}",
        out.explanation
    );
}

#[test]
fn server_set_metadata_is_not_in_the_results() {
    let (h0, v0) = (host(), mirror(&host()));
    let out = sync((&v0, &h0), (&v0, &h0), Some(&pvc()), &translator());
    assert_eq!(out.host_pv.metadata.uid, None);
    assert_eq!(out.host_pv.metadata.resource_version, None);
    assert_eq!(out.host_pv.metadata.finalizers, None);
    assert_eq!(out.host_pv.metadata.name.as_deref(), Some("pvc-1"));
}

#[test]
fn f6_sync_mode_keeps_a_controlled_by_pair_in_step() {
    // SPEC F6 0.2: only fake mode looks at the label.
    let (h0, v0) = (host(), mirror(&host()));
    let v = edit(&v0, |v| {
        v["metadata"]["labels"]["vcluster.loft.sh/controlled-by"] = json!("other");
        v["spec"]["persistentVolumeReclaimPolicy"] = json!("Retain");
    });
    let out = sync((&v0, &h0), (&v, &h0), Some(&pvc()), &translator());
    assert_eq!(reclaim_policy(&out.host_pv), Some("Retain"));
    assert!(!out.explanation.applied(Rule::F6));
}

#[test]
fn h1_b1_never_turns_a_host_pv_into_a_node_volume() {
    // SPEC H1 0.2: the tenant changes its PV's source to hostPath; the host keeps its own.
    let (h0, v0) = (host(), mirror(&host()));
    let v = edit(&v0, |v| {
        v["spec"].as_object_mut().unwrap().remove("csi");
        v["spec"]["hostPath"] = json!({"path": "/etc"});
    });
    let out = sync((&v0, &h0), (&v, &h0), Some(&pvc()), &translator());
    assert_eq!(out.host_pv.spec.as_ref().unwrap().host_path, None);
    assert_eq!(
        out.host_pv.spec.as_ref().unwrap().csi,
        h0.spec.as_ref().unwrap().csi
    );
    assert_eq!(out.conflicts[0].reason, ConflictReason::ImmutableOnHost);
    // Not with `tenantNodeVolumes: Allow` either: an existing PV's source never changes (the
    // API server refuses it); the option lets node volumes reach the host only at creation.
    let allow = translator().with_options(
        Options::default().with_tenant_node_volumes(pv_translate::TenantNodeVolumes::Allow),
    );
    let out = sync((&v0, &h0), (&v, &h0), Some(&pvc()), &allow);
    assert!(out.host_pv.spec.as_ref().unwrap().host_path.is_none());
}

fn sync_err(
    last: (&PersistentVolume, &PersistentVolume),
    now: (&PersistentVolume, &PersistentVolume),
    claim: Option<&PersistentVolumeClaim>,
) -> Error {
    let host_pvc = host_pvc();
    translator()
        .keep_in_step(
            PvPair::new(last.0, last.1),
            PvPair::new(now.0, now.1),
            claim,
            claim.map(|_| &host_pvc),
        )
        .unwrap_err()
}

#[test]
fn errors_name_the_object_and_field() {
    let (h0, v0) = (host(), mirror(&host()));
    // I7: a current PV without capacity storage.
    let v = set(&v0, "spec.capacity", json!({}));
    let err = sync_err((&v0, &h0), (&v, &h0), Some(&pvc()));
    assert_eq!(
        err.to_string(),
        "PersistentVolume pvc-1: spec.capacity.storage: missing"
    );
    // A last-synced PV that is another PV.
    let other = edit(&h0, |h| h["metadata"]["name"] = json!("pvc-2"));
    let err = sync_err((&v0, &other), (&v0, &h0), Some(&pvc()));
    assert!(matches!(err, Error::Inconsistent { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("PersistentVolume pvc-2: metadata.name: ")
    );
    // Not a pair.
    let err = sync_err((&v0, &other), (&v0, &other), Some(&pvc()));
    assert!(
        err.to_string()
            .contains("neither the mirror nor the source"),
        "{err}"
    );
    // S3: the host claim moved to another namespace: the mirror goes, the host is not written.
    let foreign = set(&h0, "spec.claimRef.namespace", json!("other-team"));
    let d = translator()
        .keep_in_step(
            PvPair::new(&v0, &h0),
            PvPair::new(&v0, &foreign),
            None,
            None,
        )
        .unwrap();
    assert_eq!(
        d.virtual_pv.action,
        Action::Delete {
            remove_finalizers: true,
            grace_period_seconds: None,
        }
    );
    assert_eq!(d.host_pv.action, Action::Unchanged);
    assert!(d.explanation.unwrap().applied(Rule::S3));
    // D1: the virtual PV is being deleted: no B1, the host PV's fate is D1's.
    let deleting = edit(&v0, |v| {
        v["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
    });
    let d = translator()
        .keep_in_step(
            PvPair::new(&v0, &h0),
            PvPair::new(&deleting, &h0),
            Some(&pvc()),
            Some(&host_pvc()),
        )
        .unwrap();
    assert!(matches!(
        d.virtual_pv.action,
        Action::Wait { rule: Rule::D1, .. }
    ));
    // S4: a PVC that is not the claim.
    let stranger = bound_pvc("default", "other", "pvc-1");
    let err = sync_err((&v0, &h0), (&v0, &h0), Some(&stranger));
    assert!(
        err.to_string()
            .starts_with("PersistentVolumeClaim default/other: "),
        "{err}"
    );
}

// The reference's worked cases (vcluster's own syncer tests, as the reference recorded them).

#[test]
fn ref_s01_update_backward() {
    let h: PersistentVolume = from_json(json!({
        "metadata": {"name": "testpv", "annotations": {
            "vcluster.loft.sh/host-pv": "testpv",
            "vcluster.loft.sh/object-name": "testpv",
            "vcluster.loft.sh/object-uid": "",
            "vcluster.loft.sh/object-host-name": "testpv",
            "vcluster.loft.sh/object-kind": "/v1, Kind=PersistentVolume",
        }},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "5Gi"}, "hostPath": {"path": "/data"},
                 "claimRef": {"name": "testpvc-x-test-x-suffix", "namespace": "test"},
                 "storageClassName": "someStorageClass"},
        "status": {"message": "someMessage"},
    }));
    let v: PersistentVolume = from_json(json!({
        "metadata": {"name": "testpv", "annotations": {"vcluster.loft.sh/host-pv": "testpv"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "5Gi"}, "hostPath": {"path": "/data"},
                 "claimRef": {"name": "testpvc", "namespace": "test", "resourceVersion": "999"}},
    }));
    let claim: PersistentVolumeClaim = from_json(json!({
        "metadata": {"name": "testpvc", "namespace": "test", "resourceVersion": "999"},
        "spec": {"accessModes": ["ReadWriteOnce"],
                 "resources": {"requests": {"storage": "5Gi"}}, "volumeName": "testpv"},
    }));
    let out = sync((&v, &h), (&v, &h), Some(&claim), &translator());
    let spec = out.virtual_pv.spec.as_ref().unwrap();
    assert_eq!(spec.storage_class_name.as_deref(), Some("someStorageClass"));
    assert_eq!(spec.claim_ref, v.spec.as_ref().unwrap().claim_ref);
    assert_eq!(
        out.virtual_pv.status.as_ref().unwrap().message.as_deref(),
        Some("someMessage")
    );
    assert_eq!(
        annotations(&out.host_pv),
        annotations(&h),
        "bookkeeping kept"
    );
    assert_eq!(annotations(&out.virtual_pv), annotations(&v));
}

#[test]
fn ref_s03_matching_pair_without_changes_is_unchanged() {
    let (h, v) = (host(), mirror(&host()));
    let out = sync((&v, &h), (&v, &h), Some(&pvc()), &translator());
    let strip = |pv: &PersistentVolume| {
        edit(pv, |p| {
            for key in ["uid", "resourceVersion", "finalizers"] {
                p["metadata"].as_object_mut().unwrap().remove(key);
            }
        })
    };
    assert_eq!(out.virtual_pv, strip(&v));
    assert_eq!(out.host_pv, strip(&h));
}

#[test]
fn ref_s04_sync_pv_size() {
    // vOld 5Gi, v 20Gi, hOld = h = 20Gi -> v 20Gi, h 20Gi.
    let h = set(&host(), "spec.capacity", json!({"storage": "20Gi"}));
    let v_old = set(&mirror(&host()), "spec.capacity", json!({"storage": "5Gi"}));
    let v = set(&v_old, "spec.capacity", json!({"storage": "20Gi"}));
    let out = sync((&v_old, &h), (&v, &h), Some(&pvc()), &translator());
    assert_eq!(
        spec(&out.virtual_pv)["capacity"],
        json!({"storage": "20Gi"})
    );
    assert_eq!(spec(&out.host_pv)["capacity"], json!({"storage": "20Gi"}));
}

#[test]
fn ref_s05_retained_pv_keeps_virtual_claim_and_takes_released_status() {
    let h: PersistentVolume = from_json(json!({
        "metadata": {"name": "retainpv"},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "5Gi"}, "hostPath": {"path": "/data"},
                 "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "retainSC",
                 "claimRef": {"name": "retainPVC-x-test-x-suffix", "namespace": "test"}},
        "status": {"phase": "Released"},
    }));
    let v: PersistentVolume = from_json(json!({
        "metadata": {"name": "retainpv", "annotations": {"vcluster.loft.sh/host-pv": "retainpv"}},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "5Gi"}, "hostPath": {"path": "/data"},
                 "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "retainSC",
                 "claimRef": {"name": "retainPVC", "namespace": "test"}},
        "status": {"phase": "Bound"},
    }));
    let out = sync((&v, &h), (&v, &h), None, &translator());
    let spec_out = out.virtual_pv.spec.as_ref().unwrap();
    assert_eq!(spec_out.claim_ref, v.spec.as_ref().unwrap().claim_ref);
    assert_eq!(spec_out.storage_class_name.as_deref(), Some("retainSC"));
    assert_eq!(
        out.virtual_pv.status.as_ref().unwrap().phase.as_deref(),
        Some("Released")
    );
    assert_eq!(out.host_pv, h, "host unchanged");
}

#[test]
fn ref_s10_capacity_1gi_vs_1024mi_is_no_write() {
    let h = set(&host(), "spec.capacity", json!({"storage": "1Gi"}));
    let v = set(&mirror(&h), "spec.capacity", json!({"storage": "1024Mi"}));
    // Both differ in spelling only; whichever side is "changed", nothing is written.
    let h_old = set(&h, "spec.capacity", json!({"storage": "2Gi"}));
    let out = sync((&v, &h_old), (&v, &h), Some(&pvc()), &translator());
    // Both written canonically (SPEC §0 0.2): the same value, the same spelling.
    assert_eq!(spec(&out.virtual_pv)["capacity"], json!({"storage": "1Gi"}));
    assert_eq!(spec(&out.host_pv)["capacity"], json!({"storage": "1Gi"}));
    assert!(out.explanation.to_string().contains("already agree"));
}

/// U5 (as vcluster's `Sync`): the host's `managed-annotations`, a bookkeeping key H1 writes at
/// creation, is left as it is afterwards; the annotations themselves cross (B2).
#[test]
fn u5_managed_annotations_stay_as_h1_wrote_them() {
    let v0 = tenant_pv();
    let h0 = tenant_host(&v0);
    let written =
        h0.metadata.annotations.clone().unwrap()["vcluster.loft.sh/managed-annotations"].clone();
    assert_eq!(written, "note");
    let v = edit(&v0, |v| {
        v["metadata"]["annotations"] = json!({"note": "mine", "added": "1"});
    });
    let out = sync((&v0, &h0), (&v, &h0), None, &translator());
    let host_annotations = out.host_pv.metadata.annotations.clone().unwrap();
    assert_eq!(host_annotations["added"], "1");
    assert_eq!(
        host_annotations["vcluster.loft.sh/managed-annotations"],
        written
    );
    // Removing every annotation removes them from the host; the list stays.
    let bare = edit(&v0, |v| {
        v["metadata"].as_object_mut().unwrap().remove("annotations");
    });
    let out = sync((&v0, &h0), (&bare, &h0), None, &translator());
    let host_annotations = out.host_pv.metadata.annotations.unwrap();
    assert!(!host_annotations.contains_key("note"));
    assert_eq!(
        host_annotations["vcluster.loft.sh/managed-annotations"],
        written
    );
}

#[test]
fn b2_csi_secret_annotations_never_cross_to_the_host() {
    let (h0, v0) = (host(), mirror(&host()));
    let v = edit(&v0, |v| {
        v["metadata"]["annotations"]["volume.kubernetes.io/provisioner-deletion-secret-name"] =
            json!("cloud-admin");
    });
    let out = sync((&v0, &h0), (&v, &h0), Some(&pvc()), &translator());
    assert!(
        !out.host_pv
            .metadata
            .annotations
            .unwrap()
            .contains_key("volume.kubernetes.io/provisioner-deletion-secret-name")
    );
}

/// B1's volume-source group is the source alone: a field of its own (mount options, node
/// affinity) changed on both sides conflicts in its own group only, and a field B1 does not sync
/// (`volumeAttributesClassName`, S6 copies it once) conflicts in none.
#[test]
fn b1_the_volume_source_group_holds_nothing_but_the_source() {
    let (h0, v0) = (host(), mirror(&host()));
    let both = |field: &str, virtual_value: Value, host_value: Value| {
        let v = set(&v0, field, virtual_value);
        let h = set(&h0, field, host_value);
        sync((&v0, &h0), (&v, &h), Some(&pvc()), &reporting())
            .conflicts
            .into_iter()
            .map(|c| c.field)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        both("spec.mountOptions", json!(["ro"]), json!(["noatime"])),
        [SyncedField::MountOptions]
    );
    let affinity = |zone: &str| {
        json!({"required": {"nodeSelectorTerms": [{"matchExpressions": [
            {"key": "topology.kubernetes.io/zone", "operator": "In", "values": [zone]}]}]}})
    };
    assert_eq!(
        both("spec.nodeAffinity", affinity("a"), affinity("b")),
        [SyncedField::NodeAffinity]
    );
    assert_eq!(
        both(
            "spec.volumeAttributesClassName",
            json!("fast"),
            json!("slow")
        ),
        []
    );
    // A source conflict reports the sources alone, not the other fields set beside them.
    let extras = |pv: &PersistentVolume| {
        let pv = set(pv, "spec.mountOptions", json!(["ro"]));
        let pv = set(&pv, "spec.nodeAffinity", affinity("a"));
        set(&pv, "spec.volumeAttributesClassName", json!("fast"))
    };
    let (h0, v0) = (extras(&h0), extras(&v0));
    let nfs = |server: &str| json!({"server": server, "path": "/export"});
    let v = set(&set(&v0, "spec.csi", Value::Null), "spec.nfs", nfs("a"));
    let h = set(&set(&h0, "spec.csi", Value::Null), "spec.nfs", nfs("b"));
    let conflicts = sync((&v0, &h0), (&v, &h), Some(&pvc()), &reporting()).conflicts;
    assert_eq!(conflicts.len(), 1, "{conflicts:?}");
    assert_eq!(conflicts[0].field, SyncedField::VolumeSource);
    assert_eq!(conflicts[0].virtual_value, Some(json!({"nfs": nfs("a")})));
    assert_eq!(conflicts[0].host_value, Some(json!({"nfs": nfs("b")})));
}
