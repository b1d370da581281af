//! SPEC §13 (T0-T6) and Y3 *(0.3)*, adversarially: random stories of a tenant attacking a
//! shared host, played on the lifecycle simulation (both syncers, the host's Kubernetes).
//!
//! The host holds another team's bound volume and its claim, a volume reserved for another
//! team's future claim, a free classless volume, a pending classless claim of a third team, a
//! released volume of a claim that is gone, another virtual cluster's claim and volume in `H`,
//! the virtual cluster's own etcd volume, and a shared pool volume of a class without
//! provisioner. Every tenant step is drawn from the attacks of issue 15 (forged annotations,
//! foreign names in `volumeName`, selectors and data sources, classless claims and PVs, secret
//! references, steering annotations, edits and deletions of mirrors, secrets in class
//! parameters, a second PV of another's disk) and the ordinary steps around them, in fake and
//! sync mode, with and without `ToHost` classes and `retainedPvMirroring: Legacy`.
//!
//! After every settle: Y3 holds (the simulation's invariants, isolation included), no object of
//! the starting host that is not the tenant's was changed or deleted (the pool volume may be
//! bound, as any claim of its class may, but keeps its policy and source), no such disk was
//! destroyed, no PV of another tenant is bound to a claim in `H`, the other team's pending
//! claim stays pending, and what the syncer made on the host carries no secret reference
//! outside `H`, no steering annotation, no data source outside `H` and no class parameter that
//! names a secret, namespace or path.
//!
//! The count of stories that reached each attack is printed (`--nocapture`) and asserted.
//! `cargo test` plays a few dozen stories; the documented run is
//! `PROPTEST_CASES=2000 cargo test --release --test lifecycle_adversarial -- --nocapture`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

mod generators;

use std::collections::BTreeMap;

use generators::{from_json, run, to_json};
use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use proptest::prelude::*;
use proptest::sample::select;
use pv_translate::lifecycle::{Starting, Step, World};
use pv_translate::plan::{ClusterSide, Kind, Object};
use pv_translate::{
    FakeReclaimPolicy, Options, PvMode, RetainedPvMirroring, StorageClassMode, SyncMode,
    Translator, VirtualCluster,
};
use serde_json::{Value, json};

const V: &str = "vc";
const H: &str = "team-a";

/// A tenant step: an attack, or an ordinary step an attack builds on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Attack {
    /// A tenant PV whose CSI reference names `kube-system/cloud-admin` (hole 1).
    SecretReference,
    /// A claim naming another's PV in `volumeName` (hole 2).
    ForeignVolumeName,
    /// A claim asking for no class (hole 2, sync mode).
    ClasslessClaim,
    /// A classless PV offered to everyone (hole 3).
    ClasslessPv,
    /// A claim of the shared pool's class: the host's binder gives it the admin's PV (hole 4).
    PoolClaim,
    /// A mirror's reclaim policy set to `Delete` (hole 4).
    MirrorPolicyDelete,
    /// A mirror's `vcluster.loft.sh/host-pv` removed (hole 5).
    RemoveHostPv,
    /// A tenant PV naming another's disk (hole 5's cousin).
    SameDisk,
    /// A PV forging `host-pv` to the etcd volume or another team's (holes 5, 6).
    ForgedMirror,
    /// A mirror deleted (holes 4, 6).
    DeleteVirtualPv,
    /// A claim deleted.
    DeleteClaim,
    /// A claim cloning a snapshot, or naming another namespace in `dataSourceRef` (hole 7).
    DataSource,
    /// A claim carrying the host controllers' annotations (hole 8).
    SteeringAnnotations,
    /// A claim selecting another team's PVs by label (hole 2, fake mode).
    Selector,
    /// A class whose parameters name secrets and node paths (hole 9, `ToHost`).
    SecretClass,
    /// The syncer restarts (R2).
    Restart,
}

const ATTACKS: [Attack; 16] = [
    Attack::SecretReference,
    Attack::ForeignVolumeName,
    Attack::ClasslessClaim,
    Attack::ClasslessPv,
    Attack::PoolClaim,
    Attack::MirrorPolicyDelete,
    Attack::RemoveHostPv,
    Attack::SameDisk,
    Attack::ForgedMirror,
    Attack::DeleteVirtualPv,
    Attack::DeleteClaim,
    Attack::DataSource,
    Attack::SteeringAnnotations,
    Attack::Selector,
    Attack::SecretClass,
    Attack::Restart,
];

/// The foreign PVs a claim may name, and a choice among several variants of a step.
const FOREIGN: [&str; 6] = [
    "team-b-db",
    "team-b-reserved",
    "team-b-classless",
    "vc-etcd",
    "other-vc-pv",
    "team-c-old",
];

#[derive(Debug, Clone)]
struct Story {
    pv_mode: PvMode,
    to_host: bool,
    legacy: bool,
    fake_policy: FakeReclaimPolicy,
    steps: Vec<(Attack, usize)>,
}

fn story() -> BoxedStrategy<Story> {
    (
        prop::bool::weighted(0.6),
        prop::bool::weighted(0.3),
        prop::bool::weighted(0.3),
        select(vec![
            FakeReclaimPolicy::Delete,
            FakeReclaimPolicy::Retain,
            FakeReclaimPolicy::FromHostPv,
            FakeReclaimPolicy::FromStorageClass,
            FakeReclaimPolicy::Inherit,
        ]),
        prop::collection::vec((select(ATTACKS.to_vec()), 0usize..64), 1..11),
    )
        .prop_map(|(sync, to_host, legacy, fake_policy, steps)| Story {
            pv_mode: if sync { PvMode::Sync } else { PvMode::Fake },
            to_host,
            legacy,
            fake_policy,
            steps,
        })
        .boxed()
}

fn translator(story: &Story) -> Translator {
    let classes = if story.to_host {
        StorageClassMode::ToHost
    } else {
        StorageClassMode::Off
    };
    let mirroring = if story.legacy {
        RetainedPvMirroring::Legacy
    } else {
        RetainedPvMirroring::Owned
    };
    Translator::new(VirtualCluster::new(V, H).unwrap())
        .with_mode(SyncMode::new(story.pv_mode, classes))
        .with_options(
            Options::default()
                .with_retained_pv_mirroring(mirroring)
                .with_fake_reclaim_policy(story.fake_policy),
        )
}

fn pv(value: Value) -> PersistentVolume {
    from_json(value)
}

fn pvc(value: Value) -> PersistentVolumeClaim {
    from_json(value)
}

/// The shared host, before the first step.
fn host() -> Starting {
    let classes: Vec<StorageClass> = vec![
        from_json(
            json!({"metadata": {"name": "gp3"}, "provisioner": "ebs.csi.aws.com",
                         "reclaimPolicy": "Delete"}),
        ),
        from_json(json!({"metadata": {"name": "slow"},
                         "provisioner": "kubernetes.io/no-provisioner", "reclaimPolicy": "Retain"})),
    ];
    let spec = |class: &str, policy: &str, source: Value, claim: Option<Value>| {
        let mut spec = json!({"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce"],
                              "persistentVolumeReclaimPolicy": policy,
                              "storageClassName": class});
        for (k, v) in source.as_object().unwrap() {
            spec[k] = v.clone();
        }
        if let Some(claim) = claim {
            spec["claimRef"] = claim;
        }
        spec
    };
    let pvs = vec![
        pv(
            json!({"metadata": {"name": "team-b-db", "labels": {"team": "b"}},
                  "spec": spec("gp3", "Delete",
                               json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-team-b"}}),
                               Some(json!({"namespace": "team-b", "name": "db", "uid": "uid-b-db"})))}),
        ),
        pv(
            json!({"metadata": {"name": "team-b-reserved", "labels": {"team": "b"}},
                  "spec": spec("gp3", "Delete",
                               json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-reserved"}}),
                               Some(json!({"namespace": "team-b", "name": "future"})))}),
        ),
        // Too small for team-c's pending claim, large enough for the tenant's.
        pv(
            json!({"metadata": {"name": "team-b-classless", "labels": {"team": "b"}},
                  "spec": {"capacity": {"storage": "2Gi"}, "accessModes": ["ReadWriteOnce"],
                           "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "",
                           "nfs": {"server": "nas.team-b", "path": "/exports/b"}}}),
        ),
        pv(json!({"metadata": {"name": "pool-slow"},
                  "spec": spec("slow", "Retain",
                               json!({"nfs": {"server": "nas.pool", "path": "/pool"}}), None)})),
        pv(json!({"metadata": {"name": "team-c-old"},
                  "spec": spec("gp3", "Retain",
                               json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-team-c"}}),
                               Some(json!({"namespace": "team-c", "name": "gone", "uid": "uid-c-gone"})))})),
        pv(json!({"metadata": {"name": "vc-etcd"},
                  "spec": spec("gp3", "Retain",
                               json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-etcd"}}),
                               Some(json!({"namespace": H, "name": "data-vc-0", "uid": "uid-etcd"})))})),
        pv(json!({"metadata": {"name": "other-vc-pv"},
                  "spec": spec("gp3", "Retain",
                               json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-other-vc"}}),
                               Some(json!({"namespace": H, "name": "data-x-default-x-other",
                                           "uid": "uid-other"})))})),
    ];
    let claim = |namespace: &str, name: &str, uid: &str, class: &str, volume: Option<&str>| {
        let mut claim = json!({
            "metadata": {"name": name, "namespace": namespace, "uid": uid},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}},
                     "storageClassName": class},
        });
        if let Some(volume) = volume {
            claim["spec"]["volumeName"] = json!(volume);
        }
        pvc(claim)
    };
    let mut other = claim(
        H,
        "data-x-default-x-other",
        "uid-other",
        "gp3",
        Some("other-vc-pv"),
    );
    other.metadata.labels = Some(
        [("vcluster.loft.sh/managed-by".to_owned(), "other".to_owned())]
            .into_iter()
            .collect(),
    );
    let pvcs = vec![
        claim("team-b", "db", "uid-b-db", "gp3", Some("team-b-db")),
        claim("team-c", "pending", "uid-c-pending", "", None),
        claim(H, "data-vc-0", "uid-etcd", "gp3", Some("vc-etcd")),
        other,
    ];
    Starting::new(classes, pvs, pvcs)
}

/// What a host object of the starting world must keep: everything but the server's fields.
fn kept(object: &Value) -> Value {
    let mut object = object.clone();
    if let Some(meta) = object.get_mut("metadata").and_then(Value::as_object_mut) {
        for key in ["resourceVersion", "managedFields", "generation"] {
            meta.remove(key);
        }
    }
    object
}

/// The host objects of the starting world, as they are after it settled.
fn foreign(world: &World) -> BTreeMap<(Kind, String, String), Value> {
    let host = &world.clusters().host_cluster;
    let mut out = BTreeMap::new();
    for pv in host.pvs() {
        let name = pv.metadata.name.clone().unwrap();
        out.insert(
            (Kind::PersistentVolume, String::new(), name),
            kept(&to_json(pv)),
        );
    }
    for claim in host.pvcs() {
        let key = (
            Kind::PersistentVolumeClaim,
            claim.metadata.namespace.clone().unwrap(),
            claim.metadata.name.clone().unwrap(),
        );
        out.insert(key, kept(&to_json(claim)));
    }
    for class in host.storage_classes() {
        let name = class.metadata.name.clone().unwrap();
        out.insert(
            (Kind::StorageClass, String::new(), name),
            kept(&to_json(class)),
        );
    }
    out
}

fn name_of(i: usize, prefix: &str) -> String {
    format!("{prefix}-{i}")
}

fn tenant_pv(name: &str, source: Value, class: &str, claim: Option<(&str, &str)>) -> Object {
    let mut pv = json!({
        "metadata": {"name": name},
        "spec": {"accessModes": ["ReadWriteOnce"], "capacity": {"storage": "1Gi"},
                 "persistentVolumeReclaimPolicy": "Delete", "storageClassName": class},
    });
    for (k, v) in source.as_object().unwrap() {
        pv["spec"][k] = v.clone();
    }
    if let Some((namespace, claim)) = claim {
        pv["spec"]["claimRef"] = json!({"namespace": namespace, "name": claim});
    }
    Object::PersistentVolume(Box::new(from_json(pv)))
}

fn tenant_claim(name: &str, edit: impl FnOnce(&mut Value)) -> Object {
    let mut claim = json!({
        "metadata": {"name": name, "namespace": "shop"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}},
                 "storageClassName": "gp3"},
    });
    edit(&mut claim);
    Object::PersistentVolumeClaim(Box::new(from_json(claim)))
}

fn create(object: Object) -> Step {
    Step::Create {
        cluster: ClusterSide::Virtual,
        object,
    }
}

/// The step of attack `attack` (variant `i`) against `world`, if it has something to act on.
fn step(attack: Attack, i: usize, world: &World) -> Option<Step> {
    let virtual_objects = &world.clusters().virtual_cluster;
    let some_pv = || {
        virtual_objects
            .pvs()
            .nth(i % virtual_objects.pvs().count().max(1))
    };
    Some(match attack {
        Attack::SecretReference => create(tenant_pv(
            &name_of(i, "secret"),
            json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": format!("vol-mine-{i}"),
                           "nodePublishSecretRef": {"name": "cloud-admin", "namespace": "kube-system"},
                           "nodeStageSecretRef": {"name": "admin", "namespace": H}}}),
            "gp3",
            Some(("shop", "x")),
        )),
        Attack::ForeignVolumeName => create(tenant_claim(&name_of(i, "steal"), |c| {
            c["spec"]["volumeName"] = json!(FOREIGN[i % FOREIGN.len()]);
            match i % 3 {
                0 => c["spec"]["storageClassName"] = json!(""),
                1 => {
                    c["spec"]
                        .as_object_mut()
                        .unwrap()
                        .remove("storageClassName");
                }
                _ => {}
            }
        })),
        Attack::ClasslessClaim => create(tenant_claim(&name_of(i, "classless"), |c| {
            c["spec"]["storageClassName"] = json!("");
        })),
        Attack::ClasslessPv => {
            // Large enough for team-c's pending classless claim.
            let Object::PersistentVolume(mut pv) = tenant_pv(
                &name_of(i, "honeypot"),
                json!({"nfs": {"server": "evil.example", "path": format!("/collect/{i}")}}),
                "",
                i.is_multiple_of(2).then_some(("shop", "bait")),
            ) else {
                unreachable!()
            };
            pv.spec.as_mut()?.capacity = Some(
                [(
                    "storage".to_owned(),
                    k8s_openapi::apimachinery::pkg::api::resource::Quantity("10Gi".to_owned()),
                )]
                .into_iter()
                .collect(),
            );
            create(Object::PersistentVolume(pv))
        }
        Attack::PoolClaim => create(tenant_claim(&name_of(i, "pool"), |c| {
            c["spec"]["storageClassName"] = json!("slow");
        })),
        Attack::MirrorPolicyDelete => {
            let pv = some_pv()?;
            let mut value = to_json(pv);
            value["spec"]["persistentVolumeReclaimPolicy"] = json!("Delete");
            Step::Update {
                cluster: ClusterSide::Virtual,
                object: Object::PersistentVolume(Box::new(from_json(value))),
            }
        }
        Attack::RemoveHostPv => {
            let pv = some_pv()?;
            let mut value = to_json(pv);
            if let Some(annotations) = value["metadata"]["annotations"].as_object_mut() {
                annotations.remove("vcluster.loft.sh/host-pv");
            }
            Step::Update {
                cluster: ClusterSide::Virtual,
                object: Object::PersistentVolume(Box::new(from_json(value))),
            }
        }
        Attack::SameDisk => create(tenant_pv(
            &name_of(i, "samedisk"),
            match i % 3 {
                0 => json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-team-b"}}),
                1 => json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-etcd"}}),
                _ => json!({"nfs": {"server": "NAS.team-b", "path": "/exports/b/secrets"}}),
            },
            "gp3",
            Some(("shop", "disk")),
        )),
        Attack::ForgedMirror => {
            let target = ["vc-etcd", "team-b-db", "team-c-old", "other-vc-pv"][i % 4];
            let Object::PersistentVolume(mut pv) = tenant_pv(
                if i.is_multiple_of(2) {
                    target
                } else {
                    "forged"
                },
                json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-forged"}}),
                "gp3",
                Some(("shop", "data")),
            ) else {
                unreachable!()
            };
            pv.metadata.annotations = Some(
                [("vcluster.loft.sh/host-pv".to_owned(), target.to_owned())]
                    .into_iter()
                    .collect(),
            );
            create(Object::PersistentVolume(pv))
        }
        Attack::DeleteVirtualPv => {
            let pv = some_pv()?;
            Step::Delete {
                cluster: ClusterSide::Virtual,
                kind: Kind::PersistentVolume,
                namespace: String::new(),
                name: pv.metadata.name.clone()?,
            }
        }
        Attack::DeleteClaim => {
            let claim = virtual_objects
                .pvcs()
                .nth(i % virtual_objects.pvcs().count().max(1))?;
            Step::Delete {
                cluster: ClusterSide::Virtual,
                kind: Kind::PersistentVolumeClaim,
                namespace: claim.metadata.namespace.clone()?,
                name: claim.metadata.name.clone()?,
            }
        }
        Attack::DataSource => create(tenant_claim(&name_of(i, "clone"), |c| match i % 3 {
            0 => {
                c["spec"]["dataSource"] = json!({"apiGroup": "snapshot.storage.k8s.io",
                                                 "kind": "VolumeSnapshot", "name": "nightly"});
            }
            1 => {
                c["spec"]["dataSourceRef"] = json!({"kind": "PersistentVolumeClaim",
                                                    "name": "db", "namespace": "team-b"});
            }
            _ => {
                c["spec"]["dataSource"] = json!({"kind": "PersistentVolumeClaim",
                                                 "name": "data-vc-0"});
            }
        })),
        Attack::SteeringAnnotations => create(tenant_claim(&name_of(i, "steer"), |c| {
            c["metadata"]["annotations"] = json!({
                "volume.kubernetes.io/selected-node": "control-plane-0",
                "volume.kubernetes.io/storage-provisioner": "kubernetes.io/no-provisioner",
                "volume.beta.kubernetes.io/storage-provisioner": "kubernetes.io/no-provisioner",
                "volume.kubernetes.io/storage-resizer": "evil.example/resizer",
            });
        })),
        Attack::Selector => create(tenant_claim(&name_of(i, "select"), |c| {
            c["spec"]["selector"] = json!({"matchLabels": {"team": "b"}});
        })),
        Attack::SecretClass => create(Object::StorageClass(Box::new(from_json(json!({
            "metadata": {"name": name_of(i, "local")},
            "provisioner": if i.is_multiple_of(2) { "rancher.io/local-path" } else { "ebs.csi.aws.com" },
            "parameters": match i % 3 {
                0 => json!({"csi.storage.k8s.io/node-publish-secret-name": "cloud-admin",
                            "csi.storage.k8s.io/node-publish-secret-namespace": "kube-system"}),
                1 => json!({"nodePathMap": "[{\"node\":\"DEFAULT_PATH_FOR_NON_LISTED_NODES\",\"paths\":[\"/etc\"]}]"}),
                _ => json!({"adminSecretName": "x", "AdminSecretNamespace": "kube-system"}),
            },
        }))))),
        Attack::Restart => Step::Restart,
    })
}

/// Whether a key names a secret, a namespace or a path (any case).
fn names_something(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    key.contains("secret") || key.contains("namespace") || key.contains("path")
}

/// Every `namespace`-like value under a secret or endpoints reference of a PV's source.
fn referenced_namespaces(spec: &Value, inside: bool, out: &mut Vec<String>) {
    match spec {
        Value::Object(map) => {
            for (key, value) in map {
                let reference =
                    key.ends_with("SecretRef") || key == "azureFile" || key == "glusterfs";
                if inside
                    && (key == "namespace"
                        || key == "secretNamespace"
                        || key == "endpointsNamespace")
                    && let Some(ns) = value.as_str()
                {
                    out.push(ns.to_owned());
                }
                referenced_namespaces(value, inside || reference, out);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|item| referenced_namespaces(item, inside, out)),
        _ => {}
    }
}

/// The checks after one settle; `Err` names what broke.
fn check(
    world: &World,
    start: &BTreeMap<(Kind, String, String), Value>,
    disks: &BTreeMap<String, String>,
) -> Result<(), String> {
    if let Some(violation) = world.violations().first() {
        return Err(format!("Y3: {violation}"));
    }
    let now = foreign(world);
    for (key, before) in start {
        let (kind, namespace, name) = key;
        let Some(after) = now.get(key) else {
            return Err(format!("{kind} {namespace}/{name} was deleted"));
        };
        if name == "pool-slow" {
            // Any claim of its class may bind the pool's volume, which keeps its policy and
            // source.
            for field in ["persistentVolumeReclaimPolicy", "nfs", "storageClassName"] {
                if before["spec"][field] != after["spec"][field] {
                    return Err(format!("pool-slow's {field} changed: {after}"));
                }
            }
            continue;
        }
        if before != after {
            return Err(format!(
                "{kind} {namespace}/{name} changed:\nbefore {before}\nafter  {after}"
            ));
        }
    }
    for (pv, disk) in disks {
        if !world.disk(disk).is_some_and(|d| d.exists) {
            return Err(format!("the disk of {pv} was destroyed"));
        }
    }
    let host = &world.clusters().host_cluster;
    let marker = "team-a-x-vc";
    for pv in host.pvs() {
        let ours = pv
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("vcluster.loft.sh/managed-by"))
            .is_some_and(|m| m == marker);
        if !ours {
            continue;
        }
        let spec = to_json(&pv.spec);
        let mut namespaces = Vec::new();
        referenced_namespaces(&spec, false, &mut namespaces);
        if let Some(ns) = namespaces.iter().find(|ns| *ns != H) {
            return Err(format!(
                "host PV {:?} names a secret in {ns}",
                pv.metadata.name
            ));
        }
        let annotations = pv.metadata.annotations.clone().unwrap_or_default();
        if annotations.contains_key("pv.kubernetes.io/provisioned-by") {
            return Err(format!(
                "host PV {:?} carries provisioned-by",
                pv.metadata.name
            ));
        }
    }
    for claim in host.pvcs() {
        let ours = claim
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("vcluster.loft.sh/managed-by"))
            .is_some_and(|m| m == V);
        if !ours {
            continue;
        }
        let annotations = claim.metadata.annotations.clone().unwrap_or_default();
        for key in [
            "volume.kubernetes.io/selected-node",
            "volume.kubernetes.io/storage-resizer",
        ] {
            if annotations.contains_key(key) {
                return Err(format!("host PVC {:?} carries {key}", claim.metadata.name));
            }
        }
        for key in [
            "volume.kubernetes.io/storage-provisioner",
            "volume.beta.kubernetes.io/storage-provisioner",
        ] {
            if annotations.get(key).map(String::as_str) == Some("kubernetes.io/no-provisioner") {
                return Err(format!(
                    "host PVC {:?} carries the tenant's {key}",
                    claim.metadata.name
                ));
            }
        }
        let spec = to_json(&claim.spec);
        if let Some(ns) = spec["dataSourceRef"]["namespace"].as_str()
            && ns != H
        {
            return Err(format!(
                "host PVC {:?} clones from {ns}",
                claim.metadata.name
            ));
        }
        for field in ["dataSource", "dataSourceRef"] {
            if let Some(source) = spec[field]["name"].as_str()
                && !source.ends_with(&format!("-x-{V}"))
            {
                return Err(format!(
                    "host PVC {:?} names {field} {source:?}, not a host copy of the tenant's",
                    claim.metadata.name
                ));
            }
        }
    }
    for class in host.storage_classes() {
        let ours = class
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("vcluster.loft.sh/managed-by"))
            .is_some_and(|m| m == marker);
        if ours
            && let Some(key) = class
                .parameters
                .iter()
                .flatten()
                .map(|(k, _)| k)
                .find(|k| names_something(k))
        {
            return Err(format!(
                "host class {:?} carries parameter {key}",
                class.metadata.name
            ));
        }
    }
    let pending = host.pvc("team-c", "pending").unwrap();
    if pending
        .spec
        .as_ref()
        .and_then(|s| s.volume_name.as_deref())
        .is_some_and(|v| !v.is_empty())
    {
        return Err(format!("team-c's classless claim was bound: {pending:?}"));
    }
    for name in FOREIGN {
        let claim_namespace = host
            .pv(name)
            .and_then(|pv| pv.spec.as_ref()?.claim_ref.as_ref()?.namespace.clone());
        let bound_in_h = host.pv(name).and_then(|pv| {
            let claim = pv.spec.as_ref()?.claim_ref.as_ref()?;
            (claim.namespace.as_deref() == Some(H)).then(|| claim.name.clone())
        });
        let was = start
            .get(&(Kind::PersistentVolume, String::new(), name.to_owned()))
            .and_then(|pv| pv["spec"]["claimRef"]["name"].as_str().map(str::to_owned));
        if let Some(claim) = bound_in_h.flatten()
            && Some(&claim) != was.as_ref()
        {
            return Err(format!(
                "{name} became bound to {H}/{claim} (claim namespace {claim_namespace:?})"
            ));
        }
    }
    Ok(())
}

#[test]
fn t0_y3_no_story_of_a_tenant_reaches_what_is_not_its_own() {
    let reached: Vec<(&'static str, usize)> = ATTACKS
        .iter()
        // Some attacks need an object an earlier step made (a virtual PV to edit): about one
        // story in seven plays them, so 5% is far enough below to never be luck.
        .map(|attack| (attack_name(*attack), 5))
        .chain([
            ("a step was played", 90),
            ("sync mode", 30),
            ("fake mode", 20),
        ])
        .collect();
    run(
        file!(),
        "t0_y3_no_story_of_a_tenant_reaches_what_is_not_its_own",
        story(),
        &reached,
        |story, tally| {
            let mut world = World::new(translator(&story), Starting::default(), host(), false)
                .map_err(|e| TestCaseError::fail(format!("starting world: {e}")))?;
            let start = foreign(&world);
            let disks: BTreeMap<String, String> = start
                .keys()
                .filter(|(kind, _, _)| *kind == Kind::PersistentVolume)
                .filter_map(|(_, _, name)| {
                    Some((name.clone(), world.volume_disk(name)?.id.clone()))
                })
                .collect();
            check(&world, &start, &disks).map_err(TestCaseError::fail)?;
            let mut played = false;
            let mut hit: Vec<Attack> = Vec::new();
            for (attack, i) in &story.steps {
                let Some(step) = step(*attack, *i, &world) else {
                    continue;
                };
                // A step the API server refuses (a name taken, an object gone) is no story.
                if world.step(step.clone()).is_err() {
                    continue;
                }
                played = true;
                hit.push(*attack);
                check(&world, &start, &disks)
                    .map_err(|e| TestCaseError::fail(format!("after {attack:?} ({i}): {e}")))?;
            }
            hit.sort();
            hit.dedup();
            for attack in hit {
                tally.hit(attack_name(attack));
            }
            if played {
                tally.hit("a step was played");
            }
            tally.hit(if story.pv_mode == PvMode::Sync {
                "sync mode"
            } else {
                "fake mode"
            });
            Ok(())
        },
    );
}

fn attack_name(attack: Attack) -> &'static str {
    match attack {
        Attack::SecretReference => "secret reference",
        Attack::ForeignVolumeName => "foreign volumeName",
        Attack::ClasslessClaim => "classless claim",
        Attack::ClasslessPv => "classless PV",
        Attack::PoolClaim => "pool claim",
        Attack::MirrorPolicyDelete => "mirror policy Delete",
        Attack::RemoveHostPv => "host-pv removed",
        Attack::SameDisk => "same disk",
        Attack::ForgedMirror => "forged mirror",
        Attack::DeleteVirtualPv => "virtual PV deleted",
        Attack::DeleteClaim => "claim deleted",
        Attack::DataSource => "data source",
        Attack::SteeringAnnotations => "steering annotations",
        Attack::Selector => "selector",
        Attack::SecretClass => "secret class",
        Attack::Restart => "restart",
    }
}

/// The checks fire: with the options that restore vcluster's behaviour (whose documentation
/// names the risk), the same attacks succeed, and the checks above report them.
#[test]
fn t0_the_checks_fire_when_vcluster_behaviour_is_restored() {
    let verbatim = Options::default()
        .with_tenant_binding(pv_translate::TenantBinding::Verbatim)
        .with_tenant_secret_refs(pv_translate::TenantSecretRefs::Verbatim);
    let attacks: [(PvMode, Object, &str); 3] = [
        // Hole 1: the host's driver reads kube-system/cloud-admin.
        (
            PvMode::Sync,
            tenant_pv(
                "secret",
                json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-mine",
                               "nodePublishSecretRef": {"name": "cloud-admin", "namespace": "kube-system"}}}),
                "gp3",
                Some(("shop", "x")),
            ),
            "names a secret in kube-system",
        ),
        // Hole 2 (fake mode): another team's Available PV bound by name.
        (
            PvMode::Fake,
            tenant_claim("steal", |c| {
                c["spec"]["volumeName"] = json!("team-b-classless");
                c["spec"]["storageClassName"] = json!("");
            }),
            "team-b-classless",
        ),
        // Hole 2 (sync mode): a classless claim binds another team's classless PV.
        (
            PvMode::Sync,
            tenant_claim("classless", |c| c["spec"]["storageClassName"] = json!("")),
            "team-b-classless",
        ),
    ];
    for (pv_mode, object, wanted) in attacks {
        let story = Story {
            pv_mode,
            to_host: false,
            legacy: false,
            fake_policy: FakeReclaimPolicy::Delete,
            steps: vec![],
        };
        let mut world = World::new(
            translator(&story).with_options(verbatim.clone()),
            Starting::default(),
            host(),
            false,
        )
        .unwrap();
        let start = foreign(&world);
        let disks: BTreeMap<String, String> = BTreeMap::new();
        check(&world, &start, &disks).unwrap();
        world.step(create(object.clone())).unwrap();
        let error = check(&world, &start, &disks).unwrap_err();
        assert!(error.contains(wanted), "{error}");
        // And with the defaults, the same step is harmless.
        let mut world = World::new(translator(&story), Starting::default(), host(), false).unwrap();
        let start = foreign(&world);
        world.step(create(object)).unwrap();
        check(&world, &start, &disks).unwrap();
    }
}
