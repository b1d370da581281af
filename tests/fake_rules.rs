//! SPEC F1-F7, §7 fake options and I3: fake mode.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

mod common;

use common::{bound_pvc, edit, from_json, host_pv, reclaim_policy, storage_class};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use pv_translate::fake::{Claims, FakePvAction, fake_pv_action};
use pv_translate::{
    Error, FakeCapacity, FakeReclaimPolicy, Inputs, Options, PvMode, Rule, StorageClassMode,
    SyncMode, Translator, VirtualCluster,
};
use serde_json::json;

fn translator(options: Options) -> Translator {
    Translator::new(VirtualCluster::new("suffix", "test").unwrap())
        .with_options(options)
        .with_explanations(true)
}

fn fake(inputs: &Inputs<'_>, options: Options) -> Result<Option<PersistentVolume>, Error> {
    translator(options).virtual_pv(inputs).map(|d| d.desired)
}

fn policy_with(option: FakeReclaimPolicy, inputs: &Inputs<'_>) -> String {
    let pv = fake(inputs, Options::default().with_fake_reclaim_policy(option))
        .unwrap()
        .unwrap();
    reclaim_policy(&pv).unwrap().to_owned()
}

#[test]
fn f1_unbound_pvc_has_no_fake_pv() {
    let pvc = edit(&bound_pvc("ns", "data", "pv1"), |v| {
        v["spec"]["volumeName"] = json!("")
    });
    let t = translator(Options::default())
        .virtual_pv(&Inputs::new().with_virtual_pvc(&pvc))
        .unwrap();
    assert_eq!(t.desired, None);
    assert!(t.explanation.as_ref().unwrap().applied(Rule::F1));
}

#[test]
fn f1_fake_pv_is_named_after_the_volume_name() {
    let pvc = bound_pvc("ns", "data", "pvc-1a2b");
    let pv = fake(&Inputs::new().with_virtual_pvc(&pvc), Options::default())
        .unwrap()
        .unwrap();
    assert_eq!(pv.metadata.name.as_deref(), Some("pvc-1a2b"));
}

#[test]
fn f2_default_fake_pv_is_vclusters_field_for_field() {
    let pvc = edit(&bound_pvc("testns", "testpvc", "mypv"), |v| {
        v["spec"]["volumeMode"] = json!("Block");
        v["spec"]["storageClassName"] = json!("mystorageclass");
    });
    let pv = fake(&Inputs::new().with_virtual_pvc(&pvc), Options::default())
        .unwrap()
        .unwrap();
    let expected: PersistentVolume = from_json(json!({
        "metadata": {
            "name": "mypv",
            "labels": {"vcluster.loft.sh/fake-pv": "true"},
            "annotations": {
                "kubernetes.io/createdby": "fake-pv-provisioner",
                "pv.kubernetes.io/bound-by-controller": "true",
                "pv.kubernetes.io/provisioned-by": "fake-pv-provisioner",
            },
        },
        "spec": {
            "flexVolume": {"driver": "fake"},
            "capacity": {"storage": "5Gi"},
            "accessModes": ["ReadWriteOnce"],
            "volumeMode": "Block",
            "claimRef": {
                "kind": "PersistentVolumeClaim",
                "apiVersion": "v1",
                "namespace": "testns",
                "name": "testpvc",
                "uid": "uid-1",
                "resourceVersion": "999",
            },
            "persistentVolumeReclaimPolicy": "Delete",
            "storageClassName": "mystorageclass",
        },
        "status": {"phase": "Bound"},
    }));
    assert_eq!(pv, expected);
}

#[test]
fn f2_capacity_is_the_whole_request_map() {
    let pvc = edit(&bound_pvc("ns", "data", "pv1"), |v| {
        v["spec"]["resources"]["requests"]["ephemeral-storage"] = json!("1Gi");
    });
    let pv = fake(&Inputs::new().with_virtual_pvc(&pvc), Options::default())
        .unwrap()
        .unwrap();
    let capacity = pv.spec.unwrap().capacity.unwrap();
    assert_eq!(capacity.len(), 2);
    assert_eq!(capacity["ephemeral-storage"].0, "1Gi");
}

#[test]
fn f2_pvc_without_class_gives_empty_class() {
    let pvc = edit(&bound_pvc("ns", "data", "pv1"), |v| {
        v["spec"]
            .as_object_mut()
            .unwrap()
            .remove("storageClassName");
    });
    let pv = fake(&Inputs::new().with_virtual_pvc(&pvc), Options::default())
        .unwrap()
        .unwrap();
    assert_eq!(pv.spec.unwrap().storage_class_name.as_deref(), Some(""));
}

#[test]
fn f2_host_pv_attributes_never_leak_into_the_fake_pv() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let host = edit(&host_pv("pv1", Some("Retain")), |v| {
        v["spec"]["mountOptions"] = json!(["ro"]);
        v["spec"]["volumeAttributesClassName"] = json!("gold");
    });
    let pv = fake(
        &Inputs::new().with_virtual_pvc(&pvc).with_host_pv(&host),
        Options::default(),
    )
    .unwrap()
    .unwrap();
    let spec = pv.spec.unwrap();
    assert!(spec.csi.is_none() && spec.mount_options.is_none());
    assert!(spec.node_affinity.is_none() && spec.volume_attributes_class_name.is_none());
    assert_eq!(spec.capacity.unwrap()["storage"].0, "5Gi");
}

#[test]
fn f3_fake_pv_reclaim_policy_is_delete_by_default() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let host = host_pv("pv1", Some("Retain"));
    let class = storage_class("standard", Some("Retain"));
    let inputs = Inputs::new()
        .with_virtual_pvc(&pvc)
        .with_host_pv(&host)
        .with_host_storage_class(&class);
    assert_eq!(policy_with(FakeReclaimPolicy::Delete, &inputs), "Delete");
    let t = translator(Options::default()).virtual_pv(&inputs).unwrap();
    let why = t.explanation.as_ref().unwrap().to_string();
    assert!(why.contains("vcluster #2098"), "{why}");
    assert!(why.contains("the host will Retain the volume"), "{why}");
}

#[test]
fn f3_option_retain_always_retains() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let host = host_pv("pv1", Some("Delete"));
    let inputs = Inputs::new().with_virtual_pvc(&pvc).with_host_pv(&host);
    assert_eq!(policy_with(FakeReclaimPolicy::Retain, &inputs), "Retain");
}

#[test]
fn f3_option_from_host_pv() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let retain = host_pv("pv1", Some("Retain"));
    let unset = host_pv("pv1", None);
    let recycle = host_pv("pv1", Some("Recycle"));
    let with = |pv| Inputs::new().with_virtual_pvc(&pvc).with_host_pv(pv);
    assert_eq!(
        policy_with(FakeReclaimPolicy::FromHostPv, &with(&retain)),
        "Retain"
    );
    assert_eq!(
        policy_with(FakeReclaimPolicy::FromHostPv, &with(&recycle)),
        "Recycle"
    );
    // The API default for PVs is Retain.
    assert_eq!(
        policy_with(FakeReclaimPolicy::FromHostPv, &with(&unset)),
        "Retain"
    );
    let without = Inputs::new().with_virtual_pvc(&pvc);
    assert_eq!(
        policy_with(FakeReclaimPolicy::FromHostPv, &without),
        "Delete"
    );
}

#[test]
fn f3_option_from_storage_class() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let retain = storage_class("standard", Some("Retain"));
    let unset = storage_class("standard", None);
    let host = host_pv("pv1", Some("Delete"));
    let with = |class| {
        Inputs::new()
            .with_virtual_pvc(&pvc)
            .with_host_pv(&host)
            .with_host_storage_class(class)
    };
    assert_eq!(
        policy_with(FakeReclaimPolicy::FromStorageClass, &with(&retain)),
        "Retain"
    );
    // The API default for classes is Delete.
    assert_eq!(
        policy_with(FakeReclaimPolicy::FromStorageClass, &with(&unset)),
        "Delete"
    );
    let without = Inputs::new().with_virtual_pvc(&pvc);
    assert_eq!(
        policy_with(FakeReclaimPolicy::FromStorageClass, &without),
        "Delete"
    );
}

#[test]
fn f3_option_inherit_prefers_host_pv_then_class_then_delete() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let host = host_pv("pv1", Some("Retain"));
    let class = storage_class("standard", Some("Delete"));
    let both = Inputs::new()
        .with_virtual_pvc(&pvc)
        .with_host_pv(&host)
        .with_host_storage_class(&class);
    assert_eq!(policy_with(FakeReclaimPolicy::Inherit, &both), "Retain");
    let retain_class = storage_class("standard", Some("Retain"));
    let class_only = Inputs::new()
        .with_virtual_pvc(&pvc)
        .with_host_storage_class(&retain_class);
    assert_eq!(
        policy_with(FakeReclaimPolicy::Inherit, &class_only),
        "Retain"
    );
    let nothing = Inputs::new().with_virtual_pvc(&pvc);
    assert_eq!(policy_with(FakeReclaimPolicy::Inherit, &nothing), "Delete");
}

#[test]
fn f3_option_changes_only_the_reclaim_policy() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let host = host_pv("pv1", Some("Retain"));
    let inputs = Inputs::new().with_virtual_pvc(&pvc).with_host_pv(&host);
    let default = fake(&inputs, Options::default()).unwrap().unwrap();
    let inherit = fake(
        &inputs,
        Options::default().with_fake_reclaim_policy(FakeReclaimPolicy::Inherit),
    )
    .unwrap()
    .unwrap();
    let mut expected = default.clone();
    expected
        .spec
        .as_mut()
        .unwrap()
        .persistent_volume_reclaim_policy = Some("Retain".into());
    assert_eq!(inherit, expected);
}

#[test]
fn f3_invalid_host_reclaim_policy_is_an_error_naming_the_field() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let host = host_pv("pv1", Some("Keep"));
    let inputs = Inputs::new().with_virtual_pvc(&pvc).with_host_pv(&host);
    let err = fake(
        &inputs,
        Options::default().with_fake_reclaim_policy(FakeReclaimPolicy::Inherit),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "PersistentVolume pv1: spec.persistentVolumeReclaimPolicy: unknown reclaim policy \"Keep\" \
         (want Delete, Retain or Recycle)"
    );
}

#[test]
fn fake_capacity_host_pv_takes_the_host_size() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let host = host_pv("pv1", Some("Delete"));
    let options = Options::default().with_fake_capacity(FakeCapacity::HostPv);
    let with_host = fake(
        &Inputs::new().with_virtual_pvc(&pvc).with_host_pv(&host),
        options.clone(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        with_host.spec.unwrap().capacity.unwrap()["storage"].0,
        "10Gi"
    );
    let without = fake(&Inputs::new().with_virtual_pvc(&pvc), options)
        .unwrap()
        .unwrap();
    assert_eq!(without.spec.unwrap().capacity.unwrap()["storage"].0, "5Gi");
}

#[test]
fn f4_host_pv_of_another_volume_is_an_input_error() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let host = host_pv("pv2", Some("Retain"));
    let err = fake(
        &Inputs::new().with_virtual_pvc(&pvc).with_host_pv(&host),
        Options::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Inconsistent { .. }), "{err}");
    assert!(
        err.to_string()
            .starts_with("PersistentVolume pv2: metadata.name: "),
        "{err}"
    );
}

#[test]
fn f4_storage_class_must_be_the_pvcs() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let other = storage_class("premium", Some("Retain"));
    let err = fake(
        &Inputs::new()
            .with_virtual_pvc(&pvc)
            .with_host_storage_class(&other),
        Options::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "StorageClass premium: metadata.name: the virtual PVC's class is \"standard\", so the host class is \"standard\""
    );
}

#[test]
fn f4_pvc_without_class_accepts_only_the_default_class() {
    let pvc = edit(&bound_pvc("ns", "data", "pv1"), |v| {
        v["spec"]
            .as_object_mut()
            .unwrap()
            .remove("storageClassName");
    });
    let plain = storage_class("standard", Some("Retain"));
    assert!(
        fake(
            &Inputs::new()
                .with_virtual_pvc(&pvc)
                .with_host_storage_class(&plain),
            Options::default()
        )
        .is_err()
    );
    let default = edit(&plain, |v| {
        v["metadata"]["annotations"] =
            json!({"storageclass.kubernetes.io/is-default-class": "true"});
    });
    let options = Options::default().with_fake_reclaim_policy(FakeReclaimPolicy::FromStorageClass);
    let pv = fake(
        &Inputs::new()
            .with_virtual_pvc(&pvc)
            .with_host_storage_class(&default),
        options,
    )
    .unwrap()
    .unwrap();
    assert_eq!(reclaim_policy(&pv), Some("Retain"));
}

#[test]
fn f4_to_host_class_mode_expects_the_translated_class_name() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let translated = storage_class("vcluster-standard-x-test-x-suffix", Some("Retain"));
    let t = translator(
        Options::default().with_fake_reclaim_policy(FakeReclaimPolicy::FromStorageClass),
    )
    .with_mode(SyncMode::new(PvMode::Fake, StorageClassMode::ToHost));
    let pv = t
        .virtual_pv(
            &Inputs::new()
                .with_virtual_pvc(&pvc)
                .with_host_storage_class(&translated),
        )
        .unwrap()
        .desired
        .unwrap();
    assert_eq!(reclaim_policy(&pv), Some("Retain"));
    // The fake PV shows the virtual class name, untranslated.
    assert_eq!(
        pv.spec.unwrap().storage_class_name.as_deref(),
        Some("standard")
    );
}

#[test]
fn f5_unreferenced_virtual_pv_is_deleted() {
    let current = host_pv("manual", Some("Retain"));
    let claims: [PersistentVolumeClaim; 0] = [];
    assert_eq!(
        fake_pv_action(
            "manual",
            Some(&current),
            &Claims::new(&claims),
            &Options::default()
        ),
        FakePvAction::Delete
    );
    let desired = fake(&Inputs::new().with_virtual_pv(&current), Options::default()).unwrap();
    assert_eq!(desired, None);
}

#[test]
fn f5_keep_unlabeled_pvs_spares_user_made_pvs_only() {
    let options = Options::default().with_keep_unlabeled_pvs(true);
    let manual = host_pv("manual", Some("Retain"));
    let claims: [PersistentVolumeClaim; 0] = [];
    assert_eq!(
        fake_pv_action("manual", Some(&manual), &Claims::new(&claims), &options),
        FakePvAction::KeepUnlabeled
    );
    let kept = fake(&Inputs::new().with_virtual_pv(&manual), options.clone())
        .unwrap()
        .unwrap();
    assert_eq!(kept.metadata.name.as_deref(), Some("manual"));
    let fake_pv = fake(
        &Inputs::new().with_virtual_pvc(&bound_pvc("ns", "d", "pv1")),
        Options::default(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        fake_pv_action("pv1", Some(&fake_pv), &Claims::new(&claims), &options),
        FakePvAction::Delete
    );
    assert_eq!(
        fake(&Inputs::new().with_virtual_pv(&fake_pv), options).unwrap(),
        None
    );
}

#[test]
fn f5_fake_pv_is_created_while_claimed_and_kept_without_updates() {
    let claims = [bound_pvc("ns", "data", "pv1")];
    assert_eq!(
        fake_pv_action("pv1", None, &Claims::new(&claims), &Options::default()),
        FakePvAction::Create { claim: &claims[0] }
    );
    let current = fake(
        &Inputs::new().with_virtual_pvc(&claims[0]),
        Options::default(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(
        fake_pv_action(
            "pv1",
            Some(&current),
            &Claims::new(&claims),
            &Options::default()
        ),
        FakePvAction::Keep { claim: &claims[0] }
    );
    assert_eq!(
        fake_pv_action("pv2", None, &Claims::new(&claims), &Options::default()),
        FakePvAction::Nothing
    );
}

#[test]
fn f5_terminating_pvc_still_counts() {
    let pvc = edit(&bound_pvc("ns", "data", "pv1"), |v| {
        v["metadata"]["deletionTimestamp"] = json!("2026-01-01T00:00:00Z");
    });
    let claims = [pvc];
    assert_eq!(
        fake_pv_action("pv1", None, &Claims::new(&claims), &Options::default()),
        FakePvAction::Create { claim: &claims[0] }
    );
}

#[test]
fn f5_oldest_claim_wins_then_namespace_and_name() {
    let at = |ns: &str, name: &str, time: Option<&str>| {
        edit(&bound_pvc(ns, name, "pv1"), |v| {
            if let Some(t) = time {
                v["metadata"]["creationTimestamp"] = json!(t);
            }
        })
    };
    let claims = [
        at("b", "y", Some("2026-01-02T00:00:00Z")),
        at("z", "old", Some("2026-01-01T00:00:00Z")),
        at("a", "unknown-age", None),
    ];
    assert_eq!(
        fake_pv_action("pv1", None, &Claims::new(&claims), &Options::default()),
        FakePvAction::Create { claim: &claims[1] }
    );
    let same_time = [
        at("b", "x", Some("2026-01-01T00:00:00Z")),
        at("a", "y", Some("2026-01-01T00:00:00Z")),
    ];
    assert_eq!(
        fake_pv_action("pv1", None, &Claims::new(&same_time), &Options::default()),
        FakePvAction::Create {
            claim: &same_time[1]
        }
    );
    let reversed = [same_time[1].clone(), same_time[0].clone()];
    assert_eq!(
        fake_pv_action("pv1", None, &Claims::new(&reversed), &Options::default()),
        FakePvAction::Create {
            claim: &reversed[0]
        }
    );
}

#[test]
fn f6_controlled_by_pv_is_never_touched() {
    let controlled = edit(&host_pv("pv1", Some("Retain")), |v| {
        v["metadata"]["labels"] = json!({"vcluster.loft.sh/controlled-by": "other"});
        v["metadata"]["uid"] = json!("server-set");
    });
    let claims: [PersistentVolumeClaim; 0] = [];
    assert_eq!(
        fake_pv_action(
            "pv1",
            Some(&controlled),
            &Claims::new(&claims),
            &Options::default()
        ),
        FakePvAction::Untouched
    );
    let t = translator(Options::default())
        .virtual_pv(&Inputs::new().with_virtual_pv(&controlled))
        .unwrap();
    assert!(t.explanation.as_ref().unwrap().applied(Rule::F6));
    let kept = t.desired.unwrap();
    assert_eq!(kept.spec, controlled.spec);
    assert_eq!(
        kept.metadata.uid, None,
        "server-set metadata is never desired"
    );
}

#[test]
fn f7_invalid_pvcs_are_errors_naming_the_field() {
    let valid = bound_pvc("ns", "data", "pv1");
    type Edit = fn(&mut serde_json::Value);
    let cases: [(&str, Edit); 7] = [
        (
            "PersistentVolumeClaim ns/data: spec.volumeMode: unknown volume mode \"block\" (want Filesystem or Block)",
            |v| v["spec"]["volumeMode"] = json!("block"),
        ),
        (
            "PersistentVolumeClaim ns/data: spec.accessModes: unknown access mode \"RWO\"",
            |v| v["spec"]["accessModes"] = json!(["ReadWriteOnce", "RWO"]),
        ),
        (
            "PersistentVolumeClaim ns/<unnamed>: metadata.name: missing",
            |v| {
                v["metadata"].as_object_mut().unwrap().remove("name");
            },
        ),
        (
            "PersistentVolumeClaim data: metadata.namespace: missing",
            |v| {
                v["metadata"].as_object_mut().unwrap().remove("namespace");
            },
        ),
        (
            "PersistentVolumeClaim ns/data: spec.accessModes: at least one access mode is required",
            |v| {
                v["spec"]["accessModes"] = json!([]);
            },
        ),
        (
            "PersistentVolumeClaim ns/data: spec.resources.requests.storage: missing",
            |v| {
                v["spec"]["resources"] = json!({});
            },
        ),
        (
            "PersistentVolumeClaim ns/data: spec.resources.requests.storage: invalid quantity \"lots\": no digits",
            |v| v["spec"]["resources"]["requests"]["storage"] = json!("lots"),
        ),
    ];
    for (message, change) in cases {
        let pvc = edit(&valid, change);
        let err = fake(&Inputs::new().with_virtual_pvc(&pvc), Options::default()).unwrap_err();
        assert_eq!(err.to_string(), message);
    }
}

#[test]
fn i3_inherit_with_host_pv_equals_host_policy() {
    let pvc = bound_pvc("ns", "data", "pv1");
    for policy in ["Delete", "Retain", "Recycle"] {
        let host = host_pv("pv1", Some(policy));
        let inputs = Inputs::new().with_virtual_pvc(&pvc).with_host_pv(&host);
        assert_eq!(policy_with(FakeReclaimPolicy::Inherit, &inputs), policy);
        assert_eq!(policy_with(FakeReclaimPolicy::Delete, &inputs), "Delete");
    }
}

#[test]
fn fake_capacity_host_pv_with_invalid_quantities_is_an_error_not_an_invalid_pv() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let host = edit(&host_pv("pv1", Some("Delete")), |v| {
        v["spec"]["capacity"] = json!({"storage": "-5Gi"});
    });
    let options = Options::default().with_fake_capacity(FakeCapacity::HostPv);
    let err = fake(
        &Inputs::new().with_virtual_pvc(&pvc).with_host_pv(&host),
        options,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "PersistentVolume pv1: spec.capacity.storage: negative quantity \"-5Gi\""
    );
}

#[test]
fn f7_every_requested_resource_must_be_a_valid_quantity() {
    let pvc = edit(&bound_pvc("ns", "data", "pv1"), |v| {
        v["spec"]["resources"]["requests"]["example.com/iops"] = json!("lots");
    });
    let err = fake(&Inputs::new().with_virtual_pvc(&pvc), Options::default()).unwrap_err();
    assert!(
        err.to_string()
            .contains("spec.resources.requests.example.com/iops"),
        "{err}"
    );
}

// SPEC 0.2.

/// The fake PV as it exists: created from `pvc` when its resourceVersion was 999.
fn existing_fake(pvc: &PersistentVolumeClaim) -> PersistentVolume {
    let created = fake(&Inputs::new().with_virtual_pvc(pvc), Options::default())
        .unwrap()
        .unwrap();
    edit(&created, |v| {
        v["metadata"]["uid"] = json!("fake-uid");
        v["metadata"]["resourceVersion"] = json!("5");
        v["metadata"]["finalizers"] = json!(["kubernetes.io/pv-protection"]);
    })
}

#[test]
fn f2_an_existing_fake_pv_keeps_its_claim_ref_as_of_creation() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let current = existing_fake(&pvc);
    // The PVC moved on (a new resourceVersion, a resize): the fake PV is left as it is.
    let moved = edit(&pvc, |v| {
        v["metadata"]["resourceVersion"] = json!("2000");
        v["spec"]["resources"]["requests"]["storage"] = json!("9Gi");
    });
    let d = translator(Options::default())
        .virtual_pv(
            &Inputs::new()
                .with_virtual_pvc(&moved)
                .with_virtual_pv(&current),
        )
        .unwrap();
    assert_eq!(d.action, pv_translate::Action::Unchanged);
    let pv = d.desired.unwrap();
    let spec = pv.spec.unwrap();
    assert_eq!(
        spec.claim_ref.unwrap().resource_version.as_deref(),
        Some("999")
    );
    assert_eq!(spec.capacity.unwrap()["storage"].0, "5Gi");
    assert_eq!(
        pv.metadata.uid, None,
        "server-set metadata is never desired"
    );
}

#[test]
fn f2_an_existing_fake_pv_follows_its_reclaim_policy_and_host_capacity_sources() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let current = existing_fake(&pvc);
    let host = host_pv("pv1", Some("Retain"));
    let inputs = Inputs::new()
        .with_virtual_pvc(&pvc)
        .with_virtual_pv(&current)
        .with_host_pv(&host);
    let options = Options::default()
        .with_fake_reclaim_policy(FakeReclaimPolicy::Inherit)
        .with_fake_capacity(FakeCapacity::HostPv);
    let d = translator(options).virtual_pv(&inputs).unwrap();
    assert_eq!(
        d.action,
        pv_translate::Action::Update {
            changed: vec![
                "/spec/capacity/storage".to_owned(),
                "/spec/persistentVolumeReclaimPolicy".to_owned()
            ]
        }
    );
    let pv = d.desired.unwrap();
    assert_eq!(reclaim_policy(&pv), Some("Retain"));
    assert_eq!(pv.spec.unwrap().capacity.unwrap()["storage"].0, "10Gi");
    // A tenant's edit of the policy is undone by the default F3 too.
    let edited = edit(&current, |v| {
        v["spec"]["persistentVolumeReclaimPolicy"] = json!("Retain");
    });
    let pv = fake(
        &Inputs::new()
            .with_virtual_pvc(&pvc)
            .with_virtual_pv(&edited),
        Options::default(),
    )
    .unwrap()
    .unwrap();
    assert_eq!(reclaim_policy(&pv), Some("Delete"));
}

#[test]
fn f7_neither_a_pvc_nor_a_pv_is_an_input_error_not_none() {
    let err = fake(&Inputs::new(), Options::default()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::MissingInput {
                input: "virtualPvc",
                ..
            }
        ),
        "{err}"
    );
    // With only a current PV, F5 and F6 decide.
    let orphan = existing_fake(&bound_pvc("ns", "data", "pv1"));
    assert_eq!(
        fake(&Inputs::new().with_virtual_pv(&orphan), Options::default()).unwrap(),
        None
    );
}

#[test]
fn f7_an_unbound_pvc_needs_no_access_mode() {
    // vcluster makes no fake PV for it; neither is it an error (F1 decides first).
    let unbound = edit(&bound_pvc("ns", "data", "pv1"), |v| {
        v["spec"]["volumeName"] = json!("");
        v["spec"].as_object_mut().unwrap().remove("accessModes");
    });
    assert_eq!(
        fake(
            &Inputs::new().with_virtual_pvc(&unbound),
            Options::default()
        )
        .unwrap(),
        None
    );
}

#[test]
fn f4_the_beta_default_class_key_marks_a_default_class_too() {
    let pvc = edit(&bound_pvc("ns", "data", "pv1"), |v| {
        v["spec"]
            .as_object_mut()
            .unwrap()
            .remove("storageClassName");
    });
    let beta = edit(&storage_class("gp2", Some("Retain")), |v| {
        v["metadata"]["annotations"] =
            json!({"storageclass.beta.kubernetes.io/is-default-class": "true"});
    });
    let inputs = Inputs::new()
        .with_virtual_pvc(&pvc)
        .with_host_storage_class(&beta);
    assert_eq!(
        policy_with(FakeReclaimPolicy::FromStorageClass, &inputs),
        "Retain"
    );
}

#[test]
fn f5_the_claim_index_is_built_once_and_keeps_the_oldest_claim() {
    let older = edit(&bound_pvc("b", "data", "pv1"), |v| {
        v["metadata"]["creationTimestamp"] = json!("2026-01-01T00:00:00Z");
    });
    let newer = edit(&bound_pvc("a", "data", "pv1"), |v| {
        v["metadata"]["creationTimestamp"] = json!("2026-02-01T00:00:00Z");
    });
    let other = bound_pvc("a", "other", "pv2");
    let claims = [newer.clone(), other, older.clone()];
    let index = Claims::new(&claims);
    assert_eq!(index.oldest("pv1"), Some(&claims[2]));
    let mut volumes: Vec<&str> = index.volumes().collect();
    volumes.sort_unstable();
    assert_eq!(volumes, ["pv1", "pv2"]);
    assert_eq!(index.oldest("pv3"), None);
}

/// F4: the current virtual PV given with a bound PVC must be the one the PVC names; with an
/// unbound PVC it is simply unclaimed (F5), not an inconsistency.
#[test]
fn f4_a_current_virtual_pv_must_be_the_one_a_bound_pvc_names() {
    let pvc = bound_pvc("ns", "data", "pv1");
    let other = fake(
        &Inputs::new().with_virtual_pvc(&bound_pvc("ns", "x", "pv2")),
        Options::default(),
    )
    .unwrap()
    .unwrap();
    let err = fake(
        &Inputs::new().with_virtual_pvc(&pvc).with_virtual_pv(&other),
        Options::default(),
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "PersistentVolume pv2: metadata.name: the virtual PV is not the one the virtual PVC \
         names in spec.volumeName (\"pv1\")"
    );
    let unbound = edit(&pvc, |v| {
        v["spec"].as_object_mut().unwrap().remove("volumeName");
    });
    assert!(
        fake(
            &Inputs::new()
                .with_virtual_pvc(&unbound)
                .with_virtual_pv(&other),
            Options::default(),
        )
        .is_ok()
    );
}
