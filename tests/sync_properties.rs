//! Properties of SPEC §9 in sync mode: I1 (pure), I2 (idempotent), I4 (mirrored attributes),
//! I5 (tenant isolation), I7 (schema-valid output), over generated host PVs and namespaces.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    CSIPersistentVolumeSource, ObjectReference, PersistentVolume, PersistentVolumeClaim,
    PersistentVolumeClaimSpec, PersistentVolumeSpec, PersistentVolumeStatus,
    VolumeResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use proptest::prelude::*;
use pv_translate::sync::mirror_decision;
use pv_translate::validate::validate_pv;
use pv_translate::{
    Inputs, Options, PvMode, RetainedPvMirroring, StorageClassMode, SyncMode, Translator,
    VirtualCluster,
};

const H: &str = "team-a";
const V: &str = "vc";

fn cluster() -> VirtualCluster {
    VirtualCluster::new(V, H)
}

fn dns() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9]([a-z0-9-]{0,12}[a-z0-9])?",
        "[a-z0-9]{50,70}",
        Just(String::new())
    ]
}

// A virtual PVC `namespace/name`, maybe bound, maybe classless.
prop_compose! {
    fn pvc()(name in "[a-z]([a-z0-9-]{0,20}[a-z0-9])?", namespace in dns(),
             class in prop::option::of(prop_oneof![Just(String::new()), dns()])) -> PersistentVolumeClaim {
        PersistentVolumeClaim {
            metadata: ObjectMeta { name: Some(name), namespace: Some(namespace), uid: Some("u1".into()),
                                   resource_version: Some("9".into()), ..Default::default() },
            spec: Some(PersistentVolumeClaimSpec {
                access_modes: Some(vec!["ReadWriteOnce".into()]),
                resources: Some(VolumeResourceRequirements {
                    requests: Some(BTreeMap::from([("storage".into(), Quantity("1Gi".into()))])),
                    ..Default::default()
                }),
                storage_class_name: class,
                ..Default::default()
            }),
            ..Default::default()
        }
    }
}

/// How the host PV's claim relates to the generated PVC.
#[derive(Debug, Clone, Copy)]
enum ClaimKind {
    None,
    ThePvc,
    OtherInH,
    OtherNamespace,
}

fn claim_kind() -> impl Strategy<Value = ClaimKind> {
    prop_oneof![
        Just(ClaimKind::None),
        Just(ClaimKind::ThePvc),
        Just(ClaimKind::OtherInH),
        Just(ClaimKind::OtherNamespace),
    ]
}

prop_compose! {
    fn host_pv_for(pvc: PersistentVolumeClaim)(
        name in "pvc-[a-f0-9]{4,36}", kind in claim_kind(), other_ns in dns(), other_name in dns(),
        reclaim in prop_oneof![Just("Delete"), Just("Retain"), Just("Recycle")],
        phase in prop_oneof![Just("Bound"), Just("Released"), Just("Available"), Just("Failed")],
        marked in any::<bool>(), size in "[1-9][0-9]{0,3}(Mi|Gi|G)",
        modes in prop::sample::subsequence(vec!["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"], 1..=3),
        block in any::<bool>(), class in dns(),
    ) -> (PersistentVolume, PersistentVolumeClaim) {
        let pvc_host_name = cluster().host_name(
            pvc.metadata.name.as_deref().unwrap_or_default(),
            pvc.metadata.namespace.as_deref().unwrap_or_default(),
        );
        let claim = |namespace: String, name: String| Some(ObjectReference {
            kind: Some("PersistentVolumeClaim".into()), api_version: Some("v1".into()),
            namespace: Some(namespace), name: Some(name), ..Default::default()
        });
        let claim_ref = match kind {
            ClaimKind::None => None,
            ClaimKind::ThePvc => claim(H.into(), pvc_host_name),
            ClaimKind::OtherInH => claim(H.into(), other_name),
            // Never H itself: the generator for "another namespace".
            ClaimKind::OtherNamespace => claim(if other_ns == H { format!("{other_ns}x") } else { other_ns }, other_name),
        };
        let labels = marked.then(|| BTreeMap::from([("vcluster.loft.sh/managed-by".to_owned(), cluster().cluster_marker())]));
        let pv = PersistentVolume {
            metadata: ObjectMeta { name: Some(name), labels, uid: Some("h".into()), ..Default::default() },
            spec: Some(PersistentVolumeSpec {
                access_modes: Some(modes.into_iter().map(str::to_owned).collect()),
                capacity: Some(BTreeMap::from([("storage".into(), Quantity(size))])),
                csi: Some(CSIPersistentVolumeSource { driver: "ebs.csi.aws.com".into(), volume_handle: "vol-1".into(), ..Default::default() }),
                claim_ref,
                persistent_volume_reclaim_policy: Some(reclaim.into()),
                storage_class_name: Some(class),
                volume_mode: Some(if block { "Block" } else { "Filesystem" }.into()),
                ..Default::default()
            }),
            status: Some(PersistentVolumeStatus { phase: Some(phase.into()), ..Default::default() }),
        };
        (pv, pvc.clone())
    }
}

fn translator(legacy: bool, to_host: bool) -> Translator {
    let mirroring = if legacy {
        RetainedPvMirroring::Legacy
    } else {
        RetainedPvMirroring::Owned
    };
    let classes = if to_host {
        StorageClassMode::ToHost
    } else {
        StorageClassMode::Off
    };
    Translator::new(cluster())
        .with_mode(SyncMode::new(PvMode::Sync, classes))
        .with_options(Options::default().with_retained_pv_mirroring(mirroring))
}

fn b1_view(pv: &PersistentVolume) -> serde_json::Value {
    let spec = serde_json::to_value(pv.spec.as_ref().unwrap()).unwrap();
    serde_json::json!([
        spec["persistentVolumeReclaimPolicy"],
        spec["capacity"],
        spec["accessModes"],
        spec["volumeMode"],
        spec["csi"]
    ])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn i1_i2_i4_i5_i7_sync_mode(
        (host, pvc) in pvc().prop_flat_map(host_pv_for),
        with_pvc in any::<bool>(), legacy in any::<bool>(), to_host in any::<bool>(),
    ) {
        let t = translator(legacy, to_host);
        let mut inputs = Inputs::new().with_host_pv(&host);
        if with_pvc { inputs = inputs.with_virtual_pvc(&pvc); }
        let first = t.virtual_pv(&inputs);
        let second = t.virtual_pv(&inputs);
        // I1.
        prop_assert_eq!(format!("{first:?}"), format!("{second:?}"));
        let decision = mirror_decision(&host, inputs.virtual_pvc, None, &t.cluster, &t.options);
        let claim_ns = host.spec.as_ref().and_then(|s| s.claim_ref.as_ref()).and_then(|c| c.namespace.clone());
        if let Some(ns) = claim_ns.filter(|ns| ns != H) {
            // I5: never mirrored, whatever the options or inputs.
            prop_assert!(!decision.as_ref().unwrap().is_mirrored(), "{ns}");
            // An input error (e.g. an invalid PVC) shows nothing either.
            if let Ok(translation) = &first {
                prop_assert_eq!(translation.desired.as_ref(), None);
            }
        }
        let Ok(translation) = first else { return Ok(()) };
        let Some(pv) = translation.desired else { return Ok(()) };
        // I7.
        prop_assert!(validate_pv(&pv).is_ok());
        // I4: the tenant sees the host's reclaim policy, capacity, modes and source.
        prop_assert_eq!(b1_view(&pv), b1_view(&host));
        // I2: the output fed back as the current virtual PV changes nothing.
        let again = t.desired_virtual_pv(&inputs.with_virtual_pv(&pv)).unwrap();
        prop_assert_eq!(again.as_ref(), Some(&pv));
        // ...and the PVC gone, the PV stays visible through its host-pv annotation (S5).
        let without_pvc = t.desired_virtual_pv(&Inputs::new().with_host_pv(&host).with_virtual_pv(&pv)).unwrap();
        prop_assert!(without_pvc.is_some());
    }
}
