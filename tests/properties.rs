//! Properties of SPEC §9 over generated objects: I1 (pure, no panic), I2 (idempotent),
//! I3 (fake reclaim policy), I6 (name lengths), I7 (schema-valid PVs).
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec, PersistentVolumeSpec,
    VolumeResourceRequirements,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use proptest::prelude::*;
use pv_translate::names::{host_name, host_name_cluster, safe_concat};
use pv_translate::validate::validate_pv;
use pv_translate::{
    FakeCapacity, FakeReclaimPolicy, Inputs, Options, PvMode, StorageClassMode, SyncMode,
    Translator, VirtualCluster,
};

/// Names: empty, short DNS-like, long (over 63 bytes), and arbitrary text.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "[a-z0-9]([a-z0-9.-]{0,20}[a-z0-9])?",
        "[a-z0-9.-]{60,120}",
        any::<String>(),
    ]
}

fn quantity() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{1,4}(Ki|Mi|Gi|Ti|k|M|G|m)?",
        "[0-9]{1,3}\\.[0-9]{1,3}(e[0-9]|E-[0-9])?",
        any::<String>(),
    ]
}

fn access_modes() -> impl Strategy<Value = Vec<String>> {
    proptest::collection::vec(
        prop_oneof![
            Just("ReadWriteOnce".to_owned()),
            Just("ReadOnlyMany".to_owned()),
            Just("ReadWriteMany".to_owned()),
            Just("ReadWriteOncePod".to_owned()),
            "[A-Za-z]{0,12}",
        ],
        0..3,
    )
}

fn reclaim() -> impl Strategy<Value = Option<String>> {
    prop::option::of(prop_oneof![
        Just("Delete".to_owned()),
        Just("Retain".to_owned()),
        Just("Recycle".to_owned()),
        "[A-Za-z]{0,8}",
    ])
}

prop_compose! {
    fn pvc()(
        name in name(), namespace in name(), volume in prop::option::of(name()),
        class in prop::option::of(name()), size in prop::option::of(quantity()),
        modes in access_modes(),
        volume_mode in prop::option::of(prop_oneof![Just("Filesystem".to_owned()), Just("Block".to_owned()), "[a-z]{0,5}"]),
        uid in prop::option::of("[a-f0-9-]{0,36}"),
    ) -> PersistentVolumeClaim {
        PersistentVolumeClaim {
            metadata: ObjectMeta {
                name: Some(name), namespace: Some(namespace), uid, ..Default::default()
            },
            spec: Some(PersistentVolumeClaimSpec {
                access_modes: Some(modes),
                resources: Some(VolumeResourceRequirements {
                    requests: size.map(|s| BTreeMap::from([("storage".to_owned(), Quantity(s))])),
                    ..Default::default()
                }),
                storage_class_name: class,
                volume_mode,
                volume_name: volume,
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}

fn options() -> impl Strategy<Value = Options> {
    let policy = prop_oneof![
        Just(FakeReclaimPolicy::Delete),
        Just(FakeReclaimPolicy::Retain),
        Just(FakeReclaimPolicy::FromHostPv),
        Just(FakeReclaimPolicy::FromStorageClass),
        Just(FakeReclaimPolicy::Inherit),
    ];
    let capacity = prop_oneof![Just(FakeCapacity::Request), Just(FakeCapacity::HostPv)];
    (policy, capacity, any::<bool>()).prop_map(|(p, c, k)| {
        Options::default()
            .with_fake_reclaim_policy(p)
            .with_fake_capacity(c)
            .with_keep_unlabeled_pvs(k)
    })
}

/// A host PV that, half the time, is the one the PVC names.
fn host_pv_for(
    pvc: &PersistentVolumeClaim,
    other: String,
    same: bool,
    policy: Option<String>,
    size: String,
) -> PersistentVolume {
    let volume = pvc
        .spec
        .as_ref()
        .and_then(|s| s.volume_name.clone())
        .unwrap_or_default();
    PersistentVolume {
        metadata: ObjectMeta {
            name: Some(if same { volume } else { other }),
            ..Default::default()
        },
        spec: Some(PersistentVolumeSpec {
            persistent_volume_reclaim_policy: policy,
            capacity: Some(BTreeMap::from([("storage".to_owned(), Quantity(size))])),
            access_modes: Some(vec!["ReadWriteOnce".to_owned()]),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn class_for(pvc: &PersistentVolumeClaim, policy: Option<String>) -> StorageClass {
    let name = pvc
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.clone())
        .unwrap_or_default();
    StorageClass {
        metadata: ObjectMeta {
            name: Some(name),
            ..Default::default()
        },
        provisioner: "csi.example.com".to_owned(),
        reclaim_policy: policy,
        ..Default::default()
    }
}

fn translator(options: Options, class_mode: StorageClassMode) -> Translator {
    Translator::new(VirtualCluster::new("vc", "host-ns"))
        .with_mode(SyncMode::new(PvMode::Fake, class_mode))
        .with_options(options)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// I1, I2, I3, I7 in fake mode over generated PVCs, host PVs, classes and options.
    #[test]
    fn i1_i2_i3_i7_fake_mode(
        pvc in pvc(), options in options(), other in name(), same in any::<bool>(),
        with_pv in any::<bool>(), with_class in any::<bool>(),
        pv_policy in reclaim(), class_policy in reclaim(), host_size in quantity(),
    ) {
        let host = host_pv_for(&pvc, other, same, pv_policy.clone(), host_size);
        let class = class_for(&pvc, class_policy);
        let mut inputs = Inputs::new().with_virtual_pvc(&pvc);
        if with_pv { inputs = inputs.with_host_pv(&host); }
        if with_class { inputs = inputs.with_host_storage_class(&class); }
        let t = translator(options, StorageClassMode::Off);

        // I1: no panic (reaching here), and byte-identical results.
        let first = t.virtual_pv(&inputs);
        let second = t.virtual_pv(&inputs);
        prop_assert_eq!(format!("{first:?}"), format!("{second:?}"));

        if let Ok(Some(pv)) = first.map(|r| r.desired) {
            // I7: what we produce, the API server accepts.
            prop_assert!(validate_pv(&pv).is_ok(), "{:?}", validate_pv(&pv));
            // I2: feeding the output back as the current virtual PV changes nothing.
            let again = t.desired_virtual_pv(&inputs.with_virtual_pv(&pv)).unwrap();
            prop_assert_eq!(again.as_ref(), Some(&pv));
            // I3.
            let policy = pv.spec.as_ref().and_then(|s| s.persistent_volume_reclaim_policy.clone());
            match options.fake_reclaim_policy {
                FakeReclaimPolicy::Delete => prop_assert_eq!(policy.as_deref(), Some("Delete")),
                FakeReclaimPolicy::Inherit if with_pv => prop_assert_eq!(
                    policy.as_deref(),
                    Some(pv_policy.as_deref().unwrap_or("Retain"))
                ),
                _ => {}
            }
        }
    }

    /// I3: with default options the fake PV says Delete, whatever the host says.
    #[test]
    fn i3_default_fake_pv_is_delete(pvc in pvc(), pv_policy in reclaim(), class_policy in reclaim()) {
        let host = host_pv_for(&pvc, String::new(), true, pv_policy, "1Gi".to_owned());
        let class = class_for(&pvc, class_policy);
        let inputs = Inputs::new().with_virtual_pvc(&pvc).with_host_pv(&host).with_host_storage_class(&class);
        if let Ok(Some(pv)) = translator(Options::default(), StorageClassMode::Off).desired_virtual_pv(&inputs) {
            let spec = pv.spec.unwrap();
            prop_assert_eq!(spec.persistent_volume_reclaim_policy.as_deref(), Some("Delete"));
        }
    }

    /// I6: every generated name is at most 63 bytes, and N1 is the identity up to 63 bytes.
    #[test]
    fn i6_names_fit_in_63_bytes(a in name(), b in name(), c in name()) {
        for generated in [host_name(&a, &b, &c), host_name_cluster(&a, &b, &c), safe_concat(&[&a, &b, &c])] {
            prop_assert!(generated.len() <= 63, "{} bytes: {generated:?}", generated.len());
        }
        let joined = [a.as_str(), b.as_str(), c.as_str()].join("-");
        if joined.len() <= 63 {
            prop_assert_eq!(safe_concat(&[&a, &b, &c]), joined);
        }
    }
}
