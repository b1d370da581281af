//! The lifecycle simulation (SPEC sections 11 and 12), rule by rule, through the `World` API:
//! the host's Kubernetes (K1-K5), the world's identities and settles (Y1, Y2), its invariants
//! (Y3) and predictions (L1). The expectations come from docs/rules.md and Kubernetes' documented
//! behaviour, not from what the simulation happens to do.
#![cfg(feature = "yaml")]
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use pv_translate::lifecycle::{DiskFate, HostPvFate, Step, VirtualPvFate, World};
use pv_translate::options::{FakeReclaimPolicy, Options};
use pv_translate::plan::{ClusterSide, Kind, Object};
use pv_translate::scenario::Scenario;
use pv_translate::snapshot::Objects;
use pv_translate::{FindingKind, PvMode, StorageClassMode, SyncMode, Translator, VirtualCluster};
use serde_json::{Value, json};

// ------------------------------------------------------------------------------------------
// Worlds and objects

/// The virtual cluster `vc`, synced into host namespace `team-a`.
const V: &str = "vc";
const H: &str = "team-a";
/// A host namespace that is not `H`: claims there are the host's own, which the syncer never
/// touches, so the host's Kubernetes can be watched on its own.
const APPS: &str = "apps";

fn typed<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).unwrap()
}

fn translator(mode: PvMode, options: Options) -> Translator {
    Translator::new(VirtualCluster::new(V, H).unwrap())
        .with_mode(SyncMode::new(mode, StorageClassMode::Off))
        .with_options(options)
}

fn fake() -> Translator {
    translator(PvMode::Fake, Options::default())
}

fn sync() -> Translator {
    translator(PvMode::Sync, Options::default())
}

fn objects(
    pvcs: Vec<PersistentVolumeClaim>,
    pvs: Vec<PersistentVolume>,
    classes: Vec<StorageClass>,
) -> Objects {
    Objects::new(pvcs, pvs, classes).unwrap()
}

/// A world with only host objects, settled.
fn host_world(translator: Translator, host: Objects) -> World {
    World::new(translator, Objects::default(), host, true).unwrap()
}

/// A class of provisioner `ebs.csi.aws.com`.
fn class(name: &str, policy: Option<&str>) -> StorageClass {
    let mut value = json!({"metadata": {"name": name}, "provisioner": "ebs.csi.aws.com"});
    if let Some(policy) = policy {
        value["reclaimPolicy"] = json!(policy);
    }
    typed(value)
}

/// A class marked default, created at `created` (RFC 3339) when given.
fn default_class(name: &str, policy: &str, created: Option<&str>) -> StorageClass {
    let mut value = json!({
        "metadata": {
            "name": name,
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": "ebs.csi.aws.com",
        "reclaimPolicy": policy,
    });
    if let Some(created) = created {
        value["metadata"]["creationTimestamp"] = json!(created);
    }
    typed(value)
}

/// A PVC asking for `size`, RWO; `class` None leaves the field unset.
fn pvc(namespace: &str, name: &str, size: &str, class: Option<&str>) -> PersistentVolumeClaim {
    let mut value = json!({
        "metadata": {"name": name, "namespace": namespace},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": size}}},
    });
    if let Some(class) = class {
        value["spec"]["storageClassName"] = json!(class);
    }
    typed(value)
}

/// A static PVC naming `volume`.
fn static_pvc(
    namespace: &str,
    name: &str,
    size: &str,
    class: &str,
    volume: &str,
) -> PersistentVolumeClaim {
    let mut pvc = pvc(namespace, name, size, Some(class));
    pvc.spec.as_mut().unwrap().volume_name = Some(volume.to_owned());
    pvc
}

/// A static PV with a CSI source (so a disk backs it when it starts the world).
fn pv(name: &str, size: &str, class: Option<&str>, policy: &str) -> PersistentVolume {
    let mut value = json!({
        "metadata": {"name": name},
        "spec": {
            "capacity": {"storage": size},
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": policy,
            "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": format!("vol-{name}")},
        },
    });
    if let Some(class) = class {
        value["spec"]["storageClassName"] = json!(class);
    }
    typed(value)
}

fn create(world: &mut World, cluster: ClusterSide, object: Object) {
    world.step(Step::Create { cluster, object }).unwrap();
}

fn create_pvc(world: &mut World, cluster: ClusterSide, pvc: PersistentVolumeClaim) {
    create(world, cluster, Object::PersistentVolumeClaim(Box::new(pvc)));
}

fn delete(world: &mut World, cluster: ClusterSide, kind: Kind, namespace: &str, name: &str) {
    world
        .step(Step::Delete {
            cluster,
            kind,
            namespace: namespace.to_owned(),
            name: name.to_owned(),
        })
        .unwrap();
}

fn set_policy(world: &mut World, name: &str, policy: &str) {
    world
        .step(Step::SetReclaimPolicy {
            name: name.to_owned(),
            policy: policy.to_owned(),
        })
        .unwrap();
}

fn host_pv<'w>(world: &'w World, name: &str) -> Option<&'w PersistentVolume> {
    world.clusters().host_cluster.pv(name)
}

fn virtual_pv<'w>(world: &'w World, name: &str) -> Option<&'w PersistentVolume> {
    world.clusters().virtual_cluster.pv(name)
}

fn host_pvc<'w>(
    world: &'w World,
    namespace: &str,
    name: &str,
) -> Option<&'w PersistentVolumeClaim> {
    world.clusters().host_cluster.pvc(namespace, name)
}

fn virtual_pvc<'w>(
    world: &'w World,
    namespace: &str,
    name: &str,
) -> Option<&'w PersistentVolumeClaim> {
    world.clusters().virtual_cluster.pvc(namespace, name)
}

fn pv_phase(pv: &PersistentVolume) -> Option<&str> {
    pv.status.as_ref()?.phase.as_deref()
}

fn pvc_phase(pvc: &PersistentVolumeClaim) -> Option<&str> {
    pvc.status.as_ref()?.phase.as_deref()
}

fn policy(pv: &PersistentVolume) -> Option<&str> {
    pv.spec
        .as_ref()?
        .persistent_volume_reclaim_policy
        .as_deref()
}

fn pvc_class(pvc: &PersistentVolumeClaim) -> Option<&str> {
    pvc.spec.as_ref()?.storage_class_name.as_deref()
}

fn volume_name(pvc: &PersistentVolumeClaim) -> Option<&str> {
    pvc.spec.as_ref()?.volume_name.as_deref()
}

fn claim_of(pv: &PersistentVolume) -> Option<(String, String, String)> {
    let claim = pv.spec.as_ref()?.claim_ref.as_ref()?;
    Some((
        claim.namespace.clone().unwrap_or_default(),
        claim.name.clone().unwrap_or_default(),
        claim.uid.clone().unwrap_or_default(),
    ))
}

fn uid<
    T: k8s_openapi::Metadata<Ty = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta>,
>(
    object: &T,
) -> String {
    object.metadata().uid.clone().unwrap_or_default()
}

/// The disk backing the host PV `name`, as (id, data exists).
fn disk_of(world: &World, name: &str) -> Option<(String, bool)> {
    world
        .disks()
        .find(|d| d.pv.as_deref() == Some(name))
        .map(|d| (d.id.clone(), d.exists))
}

fn disk_exists(world: &World, id: &str) -> bool {
    world.disk(id).unwrap().exists
}

fn findings(world: &World) -> Vec<FindingKind> {
    let mut kinds: Vec<FindingKind> = world
        .translator()
        .audit(world.clusters())
        .iter()
        .map(|f| f.kind)
        .collect();
    kinds.sort();
    kinds.dedup();
    kinds
}

fn no_violations(world: &World) {
    assert!(
        world.violations().is_empty(),
        "violations: {:?}",
        world.violations()
    );
}

/// The uid a step or settle gives the n-th object it creates (Y1, docs/formats.md).
fn created(n: u64) -> String {
    format!("00000000-0000-0000-0000-{n:012}")
}

/// The uid of the object of the starting world at `position` that was written without one.
fn starting(position: u64) -> String {
    format!("00000000-0000-0000-0001-{position:012}")
}

/// N2 of a virtual PVC in `H`.
fn host_claim(name: &str, namespace: &str) -> String {
    format!("{name}-x-{namespace}-x-{V}")
}

/// A world of the given mode with one host class and one bound virtual claim `default/data`,
/// the only objects the steps created: the virtual PVC is uid 1, its host PVC uid 2, the host
/// PV `pvc-<uid 2>`.
fn bound_claim(translator: Translator, class_policy: &str) -> World {
    let host = objects(vec![], vec![], vec![class("gp3", Some(class_policy))]);
    let mut world = World::new(translator, Objects::default(), host, true).unwrap();
    create_pvc(
        &mut world,
        ClusterSide::Virtual,
        pvc("default", "data", "5Gi", Some("gp3")),
    );
    assert_eq!(
        virtual_pvc(&world, "default", "data").and_then(pvc_phase),
        Some("Bound")
    );
    world
}

fn provisioned() -> String {
    format!("pvc-{}", created(2))
}

// ------------------------------------------------------------------------------------------
// K1: the default class

#[test]
fn k1_default_class_assigned_at_creation() {
    let host = objects(vec![], vec![], vec![default_class("gp3", "Retain", None)]);
    let mut world = host_world(fake(), host);
    // A host PVC created without storageClassName gets the default class.
    create_pvc(&mut world, ClusterSide::Host, pvc(APPS, "own", "1Gi", None));
    assert_eq!(
        host_pvc(&world, APPS, "own").and_then(pvc_class),
        Some("gp3")
    );
    // A virtual PVC: the virtual cluster has no class (StorageClass sync off), so it keeps none;
    // its host copy (P1, created without the field) gets the host's default there.
    create_pvc(
        &mut world,
        ClusterSide::Virtual,
        pvc("default", "data", "1Gi", None),
    );
    assert_eq!(
        virtual_pvc(&world, "default", "data").and_then(pvc_class),
        None
    );
    assert_eq!(
        host_pvc(&world, H, &host_claim("data", "default")).and_then(pvc_class),
        Some("gp3")
    );
}

#[test]
fn k1_virtual_api_server_assigns_the_virtual_default_class() {
    // Y1: the virtual cluster's API server assigns the default among its own classes.
    let virtual_objects = objects(vec![], vec![], vec![default_class("local", "Delete", None)]);
    let mut world = World::new(fake(), virtual_objects, Objects::default(), false).unwrap();
    create_pvc(
        &mut world,
        ClusterSide::Virtual,
        pvc("default", "data", "1Gi", None),
    );
    assert_eq!(
        virtual_pvc(&world, "default", "data").and_then(pvc_class),
        Some("local")
    );
}

#[test]
fn k1_newest_default_wins() {
    // Two defaults with their own creation times: the newer wins, whatever the names.
    let host = objects(
        vec![],
        vec![],
        vec![
            default_class("a-new", "Retain", Some("2025-06-01T00:00:00Z")),
            default_class("b-old", "Delete", Some("2020-01-01T00:00:00Z")),
            class("z-not-default", Some("Delete")),
        ],
    );
    let mut world = host_world(fake(), host);
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "first", "1Gi", None),
    );
    assert_eq!(
        host_pvc(&world, APPS, "first").and_then(pvc_class),
        Some("a-new")
    );
    // A default class created by a step is newer than every class of the starting world.
    create(
        &mut world,
        ClusterSide::Host,
        Object::StorageClass(Box::new(typed(json!({
            "metadata": {
                "name": "0-newest",
                "annotations": {"storageclass.beta.kubernetes.io/is-default-class": "true"},
            },
            "provisioner": "ebs.csi.aws.com",
        })))),
    );
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "second", "1Gi", None),
    );
    assert_eq!(
        host_pvc(&world, APPS, "second").and_then(pvc_class),
        Some("0-newest")
    );
    // The first PVC keeps the class it was given at creation.
    assert_eq!(
        host_pvc(&world, APPS, "first").and_then(pvc_class),
        Some("a-new")
    );
}

#[test]
fn k1_no_default_class_leaves_the_field_unset() {
    let host = objects(vec![], vec![], vec![class("gp3", Some("Delete"))]);
    let mut world = host_world(fake(), host);
    create_pvc(&mut world, ClusterSide::Host, pvc(APPS, "own", "1Gi", None));
    assert_eq!(host_pvc(&world, APPS, "own").and_then(pvc_class), None);
    assert_eq!(world.disks().count(), 0, "no class, nothing provisioned");
}

#[test]
fn k1_empty_class_stays_classless() {
    let host = objects(vec![], vec![], vec![default_class("gp3", "Delete", None)]);
    let mut world = host_world(fake(), host);
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "raw", "1Gi", Some("")),
    );
    let raw = host_pvc(&world, APPS, "raw").unwrap();
    assert_eq!(pvc_class(raw), Some(""));
    assert_eq!(volume_name(raw), None);
    // Nothing is provisioned for it: no PV, no disk.
    assert!(host_pv(&world, &format!("pvc-{}", uid(raw))).is_none());
    assert_eq!(world.disks().count(), 0);
    // Through the syncer (T2, 0.3): the host copy of a virtual "" PVC gets this virtual
    // cluster's own classless class, N3 of "", so that it binds no other namespace's classless
    // PV; the host provisions nothing for it either (no such class).
    create_pvc(
        &mut world,
        ClusterSide::Virtual,
        pvc("default", "data", "1Gi", Some("")),
    );
    assert_eq!(
        virtual_pvc(&world, "default", "data").and_then(pvc_class),
        Some("")
    );
    let classless = format!("vcluster--x-{H}-x-{V}");
    assert_eq!(
        host_pvc(&world, H, &host_claim("data", "default")).and_then(pvc_class),
        Some(classless.as_str())
    );
    assert_eq!(world.disks().count(), 0);
}

// ------------------------------------------------------------------------------------------
// K2: binding

#[test]
fn k2_static_binding_by_volume_name_with_matching_class() {
    let host = objects(
        vec![],
        vec![
            pv("pv-manual", "5Gi", Some("manual"), "Retain"),
            pv("pv-fast", "5Gi", Some("fast"), "Retain"),
        ],
        vec![],
    );
    let mut world = host_world(fake(), host);
    create_pvc(
        &mut world,
        ClusterSide::Host,
        static_pvc(APPS, "a", "2Gi", "manual", "pv-manual"),
    );
    let a = host_pvc(&world, APPS, "a").unwrap();
    let bound = host_pv(&world, "pv-manual").unwrap();
    // Bound: the PV's claimRef names the PVC (namespace, name, uid), phase Bound; the PVC names
    // the PV, phase Bound, with the PV's capacity and access modes in its status.
    assert_eq!(
        claim_of(bound),
        Some((APPS.to_owned(), "a".to_owned(), uid(a)))
    );
    assert_eq!(pv_phase(bound), Some("Bound"));
    assert_eq!(volume_name(a), Some("pv-manual"));
    assert_eq!(pvc_phase(a), Some("Bound"));
    let status = a.status.as_ref().unwrap();
    assert_eq!(status.capacity.as_ref().unwrap()["storage"].0, "5Gi");
    assert_eq!(
        status.access_modes.as_deref(),
        Some(&["ReadWriteOnce".to_owned()][..])
    );
    // Another class: no binding, the PV stays Available.
    create_pvc(
        &mut world,
        ClusterSide::Host,
        static_pvc(APPS, "b", "2Gi", "manual", "pv-fast"),
    );
    assert_ne!(
        host_pvc(&world, APPS, "b").and_then(pvc_phase),
        Some("Bound")
    );
    assert_eq!(
        host_pv(&world, "pv-fast").and_then(pv_phase),
        Some("Available")
    );
    assert_eq!(host_pv(&world, "pv-fast").and_then(claim_of), None);
    // A PV bound to another claim is not taken.
    create_pvc(
        &mut world,
        ClusterSide::Host,
        static_pvc(APPS, "c", "2Gi", "manual", "pv-manual"),
    );
    assert_ne!(
        host_pvc(&world, APPS, "c").and_then(pvc_phase),
        Some("Bound")
    );
    assert_eq!(
        host_pv(&world, "pv-manual").and_then(claim_of).map(|c| c.1),
        Some("a".to_owned())
    );
}

#[test]
fn k2_static_binding_of_a_pv_whose_claim_ref_names_the_pvc() {
    // A pre-bound PV (its claimRef names the PVC by namespace, name and uid) is taken by it.
    let mut reserved = pv("reserved", "5Gi", None, "Retain");
    reserved.spec.as_mut().unwrap().claim_ref = Some(typed(json!({
        "kind": "PersistentVolumeClaim", "apiVersion": "v1",
        "namespace": APPS, "name": "owner", "uid": "owner-uid",
    })));
    let mut owner = static_pvc(APPS, "owner", "1Gi", "", "reserved");
    owner.metadata.uid = Some("owner-uid".to_owned());
    let world = host_world(fake(), objects(vec![owner], vec![reserved], vec![]));
    assert_eq!(
        host_pvc(&world, APPS, "owner").and_then(pvc_phase),
        Some("Bound")
    );
    assert_eq!(
        host_pv(&world, "reserved").and_then(pv_phase),
        Some("Bound")
    );
}

#[test]
fn k2_fewest_access_modes_then_smallest_ties_by_name() {
    // index.go findBestMatchForClaim: the PVs are grouped by their access modes; the groups
    // holding every requested mode are searched fewest modes first, and in a group
    // FindMatchingVolume takes the smallest PV that fits.
    let mut block = pv("block", "3Gi", None, "Retain");
    block.spec.as_mut().unwrap().volume_mode = Some("Block".to_owned());
    let mut rwx_only = pv("rwx-only", "4Gi", None, "Retain");
    rwx_only.spec.as_mut().unwrap().access_modes = Some(vec!["ReadWriteMany".to_owned()]);
    let mut small_a = pv("small-a", "5Gi", None, "Retain");
    small_a.spec.as_mut().unwrap().access_modes =
        Some(vec!["ReadWriteMany".to_owned(), "ReadWriteOnce".to_owned()]);
    let host = objects(
        vec![],
        vec![
            pv("big", "20Gi", None, "Retain"),
            // 5120Mi is 5Gi, as small-a, but with one access mode.
            pv("small-b", "5120Mi", None, "Retain"),
            small_a,
            pv("tiny", "1Gi", None, "Retain"),
            block,
            rwx_only,
            pv("other-class", "3Gi", Some("gold"), "Retain"),
        ],
        vec![],
    );
    let mut world = host_world(fake(), host);
    let mut bind = |claim: &str| {
        create_pvc(
            &mut world,
            ClusterSide::Host,
            pvc(APPS, claim, "3Gi", Some("")),
        );
        host_pvc(&world, APPS, claim)
            .and_then(volume_name)
            .map(str::to_owned)
    };
    // The ReadWriteOnce group first: small-b, then big (larger than small-a, but fewer modes).
    assert_eq!(bind("want").as_deref(), Some("small-b"));
    assert_eq!(bind("want2").as_deref(), Some("big"));
    assert_eq!(bind("want3").as_deref(), Some("small-a"));
    // Nothing else fits: the fourth waits.
    assert_eq!(bind("want4"), None);
    for name in ["tiny", "block", "rwx-only", "other-class"] {
        assert_eq!(
            host_pv(&world, name).and_then(pv_phase),
            Some("Available"),
            "{name}"
        );
    }
}

#[test]
fn k2_smallest_fitting_pv_in_a_group_ties_by_name() {
    let host = objects(
        vec![],
        vec![
            pv("b", "5Gi", None, "Retain"),
            pv("a", "5120Mi", None, "Retain"),
            pv("c", "10Gi", None, "Retain"),
        ],
        vec![],
    );
    let mut world = host_world(fake(), host);
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "one", "1Gi", Some("")),
    );
    assert_eq!(
        host_pvc(&world, APPS, "one").and_then(volume_name),
        Some("a")
    );
}

#[test]
fn k2_oldest_pending_pvc_first() {
    let mut young = pvc(APPS, "a-young", "1Gi", Some(""));
    young.metadata.creation_timestamp = Some(typed(json!("2025-06-01T00:00:00Z")));
    let mut old = pvc(APPS, "z-old", "1Gi", Some(""));
    old.metadata.creation_timestamp = Some(typed(json!("2024-01-01T00:00:00Z")));
    let host = objects(
        vec![young, old],
        vec![pv("only", "1Gi", None, "Retain")],
        vec![],
    );
    let world = host_world(fake(), host);
    assert_eq!(
        host_pvc(&world, APPS, "z-old").and_then(volume_name),
        Some("only")
    );
    assert_eq!(
        host_pvc(&world, APPS, "a-young").and_then(volume_name),
        None
    );
}

#[test]
fn k2_pending_pvc_phase_is_pending() {
    // Kubernetes' PV controller marks a claim it cannot bind (and cannot provision for) as
    // Pending (pv_controller.go, syncUnboundClaim: updateClaimStatus(claim, ClaimPending)); the
    // virtual PVC takes the host PVC's status whole (P3).
    let mut world = host_world(fake(), Objects::default());
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "waits", "1Gi", Some("")),
    );
    assert_eq!(
        host_pvc(&world, APPS, "waits").and_then(pvc_phase),
        Some("Pending")
    );
    create_pvc(
        &mut world,
        ClusterSide::Virtual,
        pvc("default", "waits", "1Gi", Some("")),
    );
    assert_eq!(
        host_pvc(&world, H, &host_claim("waits", "default")).and_then(pvc_phase),
        Some("Pending")
    );
    assert_eq!(
        virtual_pvc(&world, "default", "waits").and_then(pvc_phase),
        Some("Pending")
    );
}

// ------------------------------------------------------------------------------------------
// K3: dynamic provisioning

#[test]
fn k3_provisions_a_pvc_uid_pv_with_the_class_policy_mount_options_and_a_new_disk() {
    let mut gp3 = class("gp3", Some("Retain"));
    gp3.mount_options = Some(vec!["nfsvers=4.1".to_owned()]);
    let mut world = host_world(fake(), objects(vec![], vec![], vec![gp3]));
    let mut claim = pvc(APPS, "data", "5Gi", Some("gp3"));
    claim.spec.as_mut().unwrap().volume_mode = Some("Block".to_owned());
    create_pvc(&mut world, ClusterSide::Host, claim);
    let claim = host_pvc(&world, APPS, "data").unwrap();
    assert_eq!(uid(claim), created(1));
    let name = format!("pvc-{}", created(1));
    assert_eq!(volume_name(claim), Some(name.as_str()));
    let made = host_pv(&world, &name).unwrap();
    let spec = made.spec.as_ref().unwrap();
    assert_eq!(spec.capacity.as_ref().unwrap()["storage"].0, "5Gi");
    assert_eq!(
        spec.access_modes.as_deref(),
        Some(&["ReadWriteOnce".to_owned()][..])
    );
    assert_eq!(spec.volume_mode.as_deref(), Some("Block"));
    assert_eq!(spec.storage_class_name.as_deref(), Some("gp3"));
    assert_eq!(
        spec.persistent_volume_reclaim_policy.as_deref(),
        Some("Retain")
    );
    assert_eq!(
        spec.mount_options.as_deref(),
        Some(&["nfsvers=4.1".to_owned()][..])
    );
    let csi = spec.csi.as_ref().unwrap();
    assert_eq!(csi.driver, "ebs.csi.aws.com");
    assert_eq!(csi.volume_handle, "disk-000001");
    assert_eq!(
        made.metadata.annotations.as_ref().unwrap()["pv.kubernetes.io/provisioned-by"],
        "ebs.csi.aws.com"
    );
    assert_eq!(pv_phase(made), Some("Bound"));
    assert_eq!(
        disk_of(&world, &name),
        Some(("disk-000001".to_owned(), true))
    );
    // The PV is the second object created.
    assert_eq!(uid(made), created(2));
}

#[test]
fn k3_class_without_reclaim_policy_provisions_delete() {
    let mut world = host_world(fake(), objects(vec![], vec![], vec![class("plain", None)]));
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "data", "1Gi", Some("plain")),
    );
    let name = format!("pvc-{}", created(1));
    assert_eq!(host_pv(&world, &name).and_then(policy), Some("Delete"));
}

#[test]
fn k3_wait_for_first_consumer_waits_for_a_consumer() {
    let mut late = class("late", Some("Delete"));
    late.volume_binding_mode = Some("WaitForFirstConsumer".to_owned());
    let mut world = host_world(fake(), objects(vec![], vec![], vec![late]));
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "data", "1Gi", Some("late")),
    );
    let waiting = host_pvc(&world, APPS, "data").unwrap();
    assert_eq!(pvc_phase(waiting), Some("Pending"));
    assert!(
        waiting
            .metadata
            .annotations
            .as_ref()
            .is_none_or(|a| !a.contains_key("volume.kubernetes.io/storage-provisioner"))
    );
    assert_eq!(world.disks().count(), 0);
    world
        .step(Step::Consumer {
            cluster: ClusterSide::Host,
            namespace: APPS.to_owned(),
            name: "data".to_owned(),
        })
        .unwrap();
    assert_eq!(
        host_pvc(&world, APPS, "data").and_then(pvc_phase),
        Some("Bound")
    );
    assert_eq!(world.disks().count(), 1);
}

#[test]
fn k3_no_provisioner_classes_and_missing_classes_provision_nothing() {
    let local: StorageClass = typed(json!({
        "metadata": {"name": "local"}, "provisioner": "kubernetes.io/no-provisioner",
    }));
    let mut world = host_world(fake(), objects(vec![], vec![], vec![local]));
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "local", "1Gi", Some("local")),
    );
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "missing", "1Gi", Some("nowhere")),
    );
    assert_eq!(world.clusters().host_cluster.pvs().count(), 0);
    assert_eq!(world.disks().count(), 0);
    assert_eq!(host_pvc(&world, APPS, "local").and_then(volume_name), None);
    // A PV of that class made by the admin binds it (K2).
    create(
        &mut world,
        ClusterSide::Host,
        Object::PersistentVolume(Box::new(pv("local-1", "1Gi", Some("local"), "Delete"))),
    );
    assert_eq!(
        host_pvc(&world, APPS, "local").and_then(volume_name),
        Some("local-1")
    );
    assert_eq!(
        host_pvc(&world, APPS, "missing").and_then(volume_name),
        None
    );
}

// ------------------------------------------------------------------------------------------
// K4: release and reclaim

/// A host-only world: class `gp3` with `policy`, host PVC `apps/data` bound to its provisioned
/// PV (uid 1 and `pvc-<uid 1>`).
fn host_claim_bound(policy: &str) -> (World, String) {
    let mut world = host_world(
        fake(),
        objects(vec![], vec![], vec![class("gp3", Some(policy))]),
    );
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "data", "1Gi", Some("gp3")),
    );
    let name = format!("pvc-{}", created(1));
    assert_eq!(host_pv(&world, &name).and_then(pv_phase), Some("Bound"));
    (world, name)
}

#[test]
fn k4_released_when_the_claim_is_gone_then_reclaimed_by_the_current_policy() {
    let (mut world, name) = host_claim_bound("Retain");
    let (disk, _) = disk_of(&world, &name).unwrap();
    delete(
        &mut world,
        ClusterSide::Host,
        Kind::PersistentVolumeClaim,
        APPS,
        "data",
    );
    // Retain: Released, claimRef kept, the disk kept.
    let released = host_pv(&world, &name).unwrap();
    assert_eq!(pv_phase(released), Some("Released"));
    assert_eq!(
        claim_of(released),
        Some((APPS.to_owned(), "data".to_owned(), created(1)))
    );
    assert!(disk_exists(&world, &disk));
    // A PVC of the same name is another claim (another uid): the PV is not bound again.
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "data", "1Gi", Some("gp3")),
    );
    assert_eq!(host_pv(&world, &name).and_then(pv_phase), Some("Released"));
    assert_ne!(
        host_pvc(&world, APPS, "data").and_then(volume_name),
        Some(name.as_str())
    );
    // The policy changed later to Delete: reclaimed in the next round, PV and disk gone.
    set_policy(&mut world, &name, "Delete");
    assert!(host_pv(&world, &name).is_none());
    assert!(!disk_exists(&world, &disk));
}

#[test]
fn k4_delete_destroys_the_pv_and_its_disk() {
    let (mut world, name) = host_claim_bound("Delete");
    let (disk, _) = disk_of(&world, &name).unwrap();
    delete(
        &mut world,
        ClusterSide::Host,
        Kind::PersistentVolumeClaim,
        APPS,
        "data",
    );
    assert!(host_pv(&world, &name).is_none());
    assert!(!disk_exists(&world, &disk));
    assert_eq!(world.disk(&disk).unwrap().pv, None);
}

#[test]
fn k4_recycle_scrubs_the_disk_and_makes_the_pv_available() {
    // NFS has an in-tree recycler (recycle_test.go 6-1): the PV is unbound and Available.
    let mut nfs = pv("nfs-vol", "1Gi", None, "Retain");
    nfs.spec.as_mut().unwrap().nfs = Some(typed(json!({"server": "nfs.example", "path": "/x"})));
    let mut world = host_world(fake(), objects(vec![], vec![nfs], vec![]));
    let name = "nfs-vol".to_owned();
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "data", "1Gi", Some("")),
    );
    assert_eq!(host_pv(&world, &name).and_then(pv_phase), Some("Bound"));
    let (disk, _) = disk_of(&world, &name).unwrap();
    delete(
        &mut world,
        ClusterSide::Host,
        Kind::PersistentVolumeClaim,
        APPS,
        "data",
    );
    set_policy(&mut world, &name, "Recycle");
    let recycled = host_pv(&world, &name).unwrap();
    assert_eq!(pv_phase(recycled), Some("Available"));
    assert_eq!(claim_of(recycled), None);
    // The old data is destroyed; the scrubbed volume backs the PV as a fresh, empty disk.
    assert!(
        !disk_exists(&world, &disk),
        "K4: Recycle destroys the disk's data"
    );
    assert_eq!(world.disk(&disk).unwrap().pv, None);
    let (fresh, exists) = disk_of(&world, &name).unwrap();
    assert_ne!(fresh, disk);
    assert!(exists);
}

#[test]
fn k4_recycle_without_a_recycler_fails_and_keeps_the_data() {
    // A CSI volume has no recycler (recycle_test.go 6-3): Failed, claimRef and data kept.
    let (mut world, name) = host_claim_bound("Retain");
    let (disk, _) = disk_of(&world, &name).unwrap();
    delete(
        &mut world,
        ClusterSide::Host,
        Kind::PersistentVolumeClaim,
        APPS,
        "data",
    );
    set_policy(&mut world, &name, "Recycle");
    let failed = host_pv(&world, &name).unwrap();
    assert_eq!(pv_phase(failed), Some("Failed"));
    assert!(claim_of(failed).is_some());
    assert!(disk_exists(&world, &disk));
}

// ------------------------------------------------------------------------------------------
// K5: deletion

#[test]
fn k5_pv_deletion_waits_while_bound_then_the_disk_follows_the_policy() {
    for (policy, kept) in [("Retain", true), ("Delete", false)] {
        let (mut world, name) = host_claim_bound(policy);
        let (disk, _) = disk_of(&world, &name).unwrap();
        delete(
            &mut world,
            ClusterSide::Host,
            Kind::PersistentVolume,
            "",
            &name,
        );
        // pv-protection: it stays, Bound, with a deletionTimestamp.
        let going = host_pv(&world, &name).unwrap();
        assert!(going.metadata.deletion_timestamp.is_some(), "{policy}");
        assert_eq!(pv_phase(going), Some("Bound"), "{policy}");
        assert!(disk_exists(&world, &disk), "{policy}");
        // Once released it goes; the disk is destroyed only with Delete, and no PV points at it.
        delete(
            &mut world,
            ClusterSide::Host,
            Kind::PersistentVolumeClaim,
            APPS,
            "data",
        );
        assert!(host_pv(&world, &name).is_none(), "{policy}");
        assert_eq!(disk_exists(&world, &disk), kept, "{policy}");
        assert_eq!(world.disk(&disk).unwrap().pv, None, "{policy}");
    }
}

#[test]
fn k5_unbound_pv_goes_at_once_and_a_pvc_is_deleted_at_once() {
    let host = objects(vec![], vec![pv("spare", "1Gi", None, "Retain")], vec![]);
    let mut world = host_world(fake(), host);
    let (disk, _) = disk_of(&world, "spare").unwrap();
    delete(
        &mut world,
        ClusterSide::Host,
        Kind::PersistentVolume,
        "",
        "spare",
    );
    assert!(host_pv(&world, "spare").is_none());
    assert!(disk_exists(&world, &disk), "Retain keeps the data");
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "short", "1Gi", Some("")),
    );
    delete(
        &mut world,
        ClusterSide::Host,
        Kind::PersistentVolumeClaim,
        APPS,
        "short",
    );
    assert!(host_pvc(&world, APPS, "short").is_none());
}

#[test]
fn k5_deleting_a_storage_class_changes_no_pv() {
    let (mut world, name) = host_claim_bound("Delete");
    let before = host_pv(&world, &name).unwrap().clone();
    delete(&mut world, ClusterSide::Host, Kind::StorageClass, "", "gp3");
    assert!(world.clusters().host_cluster.storage_class("gp3").is_none());
    assert_eq!(host_pv(&world, &name), Some(&before));
}

// ------------------------------------------------------------------------------------------
// K1-K5 (0.3): as Kubernetes' PV controller, PV protection and external provisioner do

fn provisioner(world: &mut World, name: &str, running: bool) {
    world
        .step(Step::Provisioner {
            name: name.to_owned(),
            running,
        })
        .unwrap();
}

fn annotation<'o>(meta: &'o ObjectMeta, key: &str) -> Option<&'o str> {
    meta.annotations.as_ref()?.get(key).map(String::as_str)
}

fn finalizers(pv: &PersistentVolume) -> Vec<String> {
    pv.metadata.finalizers.clone().unwrap_or_default()
}

#[test]
fn k1_a_claim_without_class_gets_the_default_class_later_too() {
    let mut world = host_world(fake(), Objects::default());
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "data", "1Gi", None),
    );
    assert_eq!(host_pvc(&world, APPS, "data").and_then(pvc_class), None);
    create(
        &mut world,
        ClusterSide::Host,
        Object::StorageClass(Box::new(default_class("gp3", "Delete", None))),
    );
    // assignDefaultStorageClass, then provisioning in the new class.
    let claim = host_pvc(&world, APPS, "data").unwrap();
    assert_eq!(pvc_class(claim), Some("gp3"));
    assert_eq!(pvc_phase(claim), Some("Bound"));
    // A claim that asked for "" keeps it.
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "none", "1Gi", Some("")),
    );
    assert_eq!(host_pvc(&world, APPS, "none").and_then(pvc_class), Some(""));
}

#[test]
fn k2_a_pv_reserved_for_a_claim_is_its_first_also_without_uid() {
    let mut reserved = pv("reserved", "10Gi", None, "Retain");
    reserved.spec.as_mut().unwrap().claim_ref =
        Some(typed(json!({"namespace": APPS, "name": "data"})));
    let host = objects(
        vec![],
        vec![reserved, pv("small", "1Gi", None, "Retain")],
        vec![],
    );
    let mut world = host_world(fake(), host);
    assert_eq!(
        host_pv(&world, "reserved").and_then(pv_phase),
        Some("Available")
    );
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "data", "1Gi", Some("")),
    );
    let bound = host_pv(&world, "reserved").unwrap();
    assert_eq!(pv_phase(bound), Some("Bound"));
    // The user reserved it: the controller did not make the PV's link.
    assert_eq!(
        annotation(&bound.metadata, "pv.kubernetes.io/bound-by-controller"),
        None
    );
    let claim = host_pvc(&world, APPS, "data").unwrap();
    assert_eq!(
        annotation(&claim.metadata, "pv.kubernetes.io/bound-by-controller"),
        Some("yes")
    );
    assert_eq!(
        annotation(&claim.metadata, "pv.kubernetes.io/bind-completed"),
        Some("yes")
    );
    assert_eq!(
        host_pv(&world, "small").and_then(pv_phase),
        Some("Available")
    );
}

#[test]
fn k2_volume_name_binds_only_a_pv_that_satisfies_the_claim() {
    let mut block = pv("block", "5Gi", None, "Retain");
    block.spec.as_mut().unwrap().volume_mode = Some("Block".to_owned());
    let mut deleting = pv("deleting", "5Gi", None, "Retain");
    deleting.metadata.deletion_timestamp = Some(typed(json!("2025-01-01T00:00:00Z")));
    deleting.metadata.finalizers = Some(vec!["example.com/hold".to_owned()]);
    let host = objects(
        vec![],
        vec![
            pv("small", "1Gi", None, "Retain"),
            pv("gold", "5Gi", Some("gold"), "Retain"),
            block,
            deleting,
            pv("fits", "5Gi", None, "Retain"),
        ],
        vec![],
    );
    let mut world = host_world(fake(), host);
    for volume in ["small", "gold", "block", "deleting", "fits"] {
        create_pvc(
            &mut world,
            ClusterSide::Host,
            static_pvc(APPS, volume, "5Gi", "", volume),
        );
    }
    for refused in ["small", "gold", "block", "deleting"] {
        assert_eq!(
            host_pvc(&world, APPS, refused).and_then(pvc_phase),
            Some("Pending"),
            "{refused}"
        );
        assert!(
            host_pv(&world, refused).and_then(claim_of).is_none(),
            "{refused}"
        );
    }
    assert_eq!(
        host_pvc(&world, APPS, "fits").and_then(pvc_phase),
        Some("Bound")
    );
}

#[test]
fn k2_a_selector_filters_the_pvs() {
    let mut labelled = pv("labelled", "5Gi", None, "Retain");
    labelled.metadata.labels = Some([("tier".to_owned(), "fast".to_owned())].into());
    let host = objects(
        vec![],
        vec![pv("plain", "1Gi", None, "Retain"), labelled],
        vec![],
    );
    let mut world = host_world(fake(), host);
    let mut wants: PersistentVolumeClaim = pvc(APPS, "fast", "1Gi", Some(""));
    wants.spec.as_mut().unwrap().selector = Some(typed(json!({"matchLabels": {"tier": "fast"}})));
    create_pvc(&mut world, ClusterSide::Host, wants);
    assert_eq!(
        host_pvc(&world, APPS, "fast").and_then(volume_name),
        Some("labelled")
    );
    let mut none: PersistentVolumeClaim = pvc(APPS, "slow", "1Gi", Some(""));
    none.spec.as_mut().unwrap().selector = Some(typed(
        json!({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["slow"]}]}),
    ));
    create_pvc(&mut world, ClusterSide::Host, none);
    assert_eq!(host_pvc(&world, APPS, "slow").and_then(volume_name), None);
}

#[test]
fn k2_a_bound_claim_whose_pv_is_gone_or_taken_is_lost() {
    let mut gone = static_pvc(APPS, "gone", "1Gi", "", "no-such-pv");
    gone.metadata.annotations = Some(
        [(
            "pv.kubernetes.io/bind-completed".to_owned(),
            "yes".to_owned(),
        )]
        .into(),
    );
    let mut taken = static_pvc(APPS, "taken", "1Gi", "", "other");
    taken.metadata.annotations = gone.metadata.annotations.clone();
    let mut other = pv("other", "1Gi", None, "Retain");
    other.spec.as_mut().unwrap().claim_ref = Some(typed(
        json!({"namespace": APPS, "name": "taken", "uid": "not-the-claims"}),
    ));
    let world = host_world(fake(), objects(vec![gone, taken], vec![other], vec![]));
    assert_eq!(
        host_pvc(&world, APPS, "gone").and_then(pvc_phase),
        Some("Lost")
    );
    assert_eq!(
        host_pvc(&world, APPS, "taken").and_then(pvc_phase),
        Some("Lost")
    );
}

#[test]
fn k3_k4_an_external_provisioner_acts_only_while_it_runs() {
    let mut world = host_world(
        fake(),
        objects(vec![], vec![], vec![class("gp3", Some("Delete"))]),
    );
    provisioner(&mut world, "ebs.csi.aws.com", false);
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "data", "1Gi", Some("gp3")),
    );
    let waiting = host_pvc(&world, APPS, "data").unwrap();
    assert_eq!(pvc_phase(waiting), Some("Pending"));
    assert_eq!(
        annotation(
            &waiting.metadata,
            "volume.kubernetes.io/storage-provisioner"
        ),
        Some("ebs.csi.aws.com")
    );
    assert_eq!(world.disks().count(), 0);
    provisioner(&mut world, "ebs.csi.aws.com", true);
    let name = format!("pvc-{}", created(1));
    let bound = host_pv(&world, &name).unwrap();
    assert_eq!(pv_phase(bound), Some("Bound"));
    assert!(
        finalizers(bound)
            .contains(&"external-provisioner.volume.kubernetes.io/finalizer".to_owned())
    );
    assert!(finalizers(bound).contains(&"kubernetes.io/pv-protection".to_owned()));
    let (disk, _) = disk_of(&world, &name).unwrap();
    // Stopped, it deletes nothing: the released PV keeps its data.
    provisioner(&mut world, "ebs.csi.aws.com", false);
    delete(
        &mut world,
        ClusterSide::Host,
        Kind::PersistentVolumeClaim,
        APPS,
        "data",
    );
    assert_eq!(host_pv(&world, &name).and_then(pv_phase), Some("Released"));
    assert!(disk_exists(&world, &disk));
    // Running again, it does.
    provisioner(&mut world, "ebs.csi.aws.com", true);
    assert!(host_pv(&world, &name).is_none());
    assert!(!disk_exists(&world, &disk));
}

#[test]
fn k4_a_delete_pv_without_a_deleter_fails_and_keeps_its_data() {
    let mut nfs = pv("nfs-vol", "1Gi", None, "Delete");
    let spec = nfs.spec.as_mut().unwrap();
    spec.csi = None;
    spec.nfs = Some(typed(json!({"server": "nfs.example", "path": "/x"})));
    let mut world = host_world(fake(), objects(vec![], vec![nfs], vec![]));
    create_pvc(
        &mut world,
        ClusterSide::Host,
        pvc(APPS, "data", "1Gi", Some("")),
    );
    let (disk, _) = disk_of(&world, "nfs-vol").unwrap();
    delete(
        &mut world,
        ClusterSide::Host,
        Kind::PersistentVolumeClaim,
        APPS,
        "data",
    );
    assert_eq!(
        host_pv(&world, "nfs-vol").and_then(pv_phase),
        Some("Failed")
    );
    assert!(disk_exists(&world, &disk));
    // An unknown policy fails too.
    set_policy(&mut world, "nfs-vol", "Scrub");
    assert_eq!(
        host_pv(&world, "nfs-vol").and_then(pv_phase),
        Some("Failed")
    );
}

#[test]
fn k4_the_external_finalizer_follows_the_policy() {
    let (mut world, name) = host_claim_bound("Delete");
    let external = "external-provisioner.volume.kubernetes.io/finalizer".to_owned();
    assert!(finalizers(host_pv(&world, &name).unwrap()).contains(&external));
    set_policy(&mut world, &name, "Retain");
    assert!(!finalizers(host_pv(&world, &name).unwrap()).contains(&external));
    set_policy(&mut world, &name, "Delete");
    assert!(finalizers(host_pv(&world, &name).unwrap()).contains(&external));
}

#[test]
fn k3_a_virtual_consumer_lets_a_wait_for_first_consumer_claim_bind() {
    let mut late = class("late", Some("Delete"));
    late.volume_binding_mode = Some("WaitForFirstConsumer".to_owned());
    let mut world = host_world(fake(), objects(vec![], vec![], vec![late]));
    create_pvc(
        &mut world,
        ClusterSide::Virtual,
        pvc("default", "data", "1Gi", Some("late")),
    );
    assert_eq!(
        virtual_pvc(&world, "default", "data").and_then(pvc_phase),
        Some("Pending")
    );
    world
        .step(Step::Consumer {
            cluster: ClusterSide::Virtual,
            namespace: "default".to_owned(),
            name: "data".to_owned(),
        })
        .unwrap();
    assert_eq!(
        host_pvc(&world, H, &host_claim("data", "default")).and_then(pvc_phase),
        Some("Bound")
    );
    assert_eq!(
        virtual_pvc(&world, "default", "data").and_then(pvc_phase),
        Some("Bound")
    );
    no_violations(&world);
}

// ------------------------------------------------------------------------------------------
// Y1: the world's identities

#[test]
fn y1_uids_count_creations_in_order_and_starting_objects_keep_theirs() {
    let mut own = pv("given", "1Gi", None, "Retain");
    own.metadata.uid = Some("my-own-uid".to_owned());
    let host = objects(vec![], vec![own], vec![class("gp3", Some("Delete"))]);
    let mut world = World::new(fake(), Objects::default(), host, false).unwrap();
    // Starting world: host classes first (position 1), then PVs (position 2, with its own uid).
    let gp3 = world.clusters().host_cluster.storage_class("gp3").unwrap();
    assert_eq!(uid(gp3), starting(1));
    assert_eq!(uid(host_pv(&world, "given").unwrap()), "my-own-uid");
    // Its PV has a source: a disk, the first.
    assert_eq!(
        disk_of(&world, "given"),
        Some(("disk-000001".to_owned(), true))
    );
    create_pvc(
        &mut world,
        ClusterSide::Virtual,
        pvc("default", "data", "1Gi", Some("gp3")),
    );
    // The virtual PVC, its host PVC, the host PV, the fake PV: 1 to 4, in creation order.
    let host_name = host_claim("data", "default");
    let made = format!("pvc-{}", created(2));
    assert_eq!(
        uid(virtual_pvc(&world, "default", "data").unwrap()),
        created(1)
    );
    assert_eq!(uid(host_pvc(&world, H, &host_name).unwrap()), created(2));
    assert_eq!(uid(host_pv(&world, &made).unwrap()), created(3));
    assert_eq!(uid(virtual_pv(&world, &made).unwrap()), created(4));
    assert_eq!(
        disk_of(&world, &made),
        Some(("disk-000002".to_owned(), true))
    );
    // Creation times come from the uids: later uids are newer, the starting world older.
    let time = |meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        meta.creation_timestamp.clone().unwrap().0
    };
    let times = [
        time(&virtual_pvc(&world, "default", "data").unwrap().metadata),
        time(&host_pvc(&world, H, &host_name).unwrap().metadata),
        time(&host_pv(&world, &made).unwrap().metadata),
        time(&virtual_pv(&world, &made).unwrap().metadata),
    ];
    assert!(times.windows(2).all(|w| w[0] < w[1]), "{times:?}");
    assert!(time(&gp3_meta(&world)) < times[0]);
}

fn gp3_meta(world: &World) -> k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
    world
        .clusters()
        .host_cluster
        .storage_class("gp3")
        .unwrap()
        .metadata
        .clone()
}

#[test]
fn y1_no_clock_the_same_world_is_built_twice_alike() {
    let build = || {
        let mut world = bound_claim(sync(), "Retain");
        delete(
            &mut world,
            ClusterSide::Virtual,
            Kind::PersistentVolumeClaim,
            "default",
            "data",
        );
        world
    };
    let first = build();
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let second = build();
    assert_eq!(first.clusters(), second.clusters());
    assert_eq!(
        first.disks().collect::<Vec<_>>(),
        second.disks().collect::<Vec<_>>()
    );
    assert_eq!(first.timeline(), second.timeline());
}

#[test]
fn y1_objects_created_in_one_round_follow_the_plan_order() {
    // Two virtual PVCs of the starting world: the first settle's plan creates their host PVCs in
    // R3's order (namespace, then name), whatever order they were written in.
    let virtual_objects = objects(
        vec![
            pvc("default", "b", "1Gi", Some("")),
            pvc("default", "a", "1Gi", Some("")),
        ],
        vec![],
        vec![],
    );
    let world = World::new(fake(), virtual_objects, Objects::default(), false).unwrap();
    assert_eq!(
        uid(host_pvc(&world, H, &host_claim("a", "default")).unwrap()),
        created(1)
    );
    assert_eq!(
        uid(host_pvc(&world, H, &host_claim("b", "default")).unwrap()),
        created(2)
    );
}

#[test]
fn y1_starting_uids_follow_the_order_written() {
    // docs/formats.md: an object of the starting world without a uid gets its position in the order
    // written (host before virtual; storageClasses, persistentVolumes, persistentVolumeClaims);
    // its creation time comes from that position (Y1), so a later one is newer.
    let scenario = Scenario::from_yaml(
        r"
host:
  storageClasses:
  - metadata: {name: zeta}
    provisioner: ebs.csi.aws.com
  - metadata: {name: alpha}
    provisioner: ebs.csi.aws.com
  persistentVolumes:
  - metadata: {name: pv-z}
    spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], csi: {driver: d, volumeHandle: z}}
  - metadata: {name: pv-a}
    spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], csi: {driver: d, volumeHandle: a}}
virtual:
  storageClasses:
  - metadata: {name: mine}
    provisioner: ebs.csi.aws.com
",
    )
    .unwrap();
    let world = scenario.run(false).unwrap().world;
    let host = &world.clusters().host_cluster;
    let found = [
        uid(host.storage_class("zeta").unwrap()),
        uid(host.storage_class("alpha").unwrap()),
        uid(host.pv("pv-z").unwrap()),
        uid(host.pv("pv-a").unwrap()),
        uid(world
            .clusters()
            .virtual_cluster
            .storage_class("mine")
            .unwrap()),
    ];
    let wanted = [
        starting(1),
        starting(2),
        starting(3),
        starting(4),
        starting(5),
    ];
    assert_eq!(found, wanted);
}

#[test]
fn y1_claim_records_follow_each_virtual_pvc() {
    let mut world = bound_claim(fake(), "Retain");
    let record = world.record("default", "data").unwrap().clone();
    assert_eq!(record.uid, Some(created(1)));
    assert_eq!(record.virtual_volume, Some(provisioned()));
    assert_eq!(record.host_volume, Some(provisioned()));
    assert_eq!(record.disk.as_deref(), Some("disk-000001"));
    // The record outlives the PVC.
    delete(
        &mut world,
        ClusterSide::Virtual,
        Kind::PersistentVolumeClaim,
        "default",
        "data",
    );
    assert_eq!(world.record("default", "data"), Some(&record));
    // A new PVC of the same name starts a new record.
    create_pvc(
        &mut world,
        ClusterSide::Virtual,
        pvc("default", "data", "5Gi", Some("gp3")),
    );
    let renewed = world.record("default", "data").unwrap();
    assert_ne!(renewed.uid, record.uid);
    assert_ne!(renewed.host_volume, record.host_volume);
    assert_eq!(renewed.disk.as_deref(), Some("disk-000002"));
}

// ------------------------------------------------------------------------------------------
// Y2: steps and settles

#[test]
fn y2_settle_ends_when_a_round_changes_nothing() {
    for world in [bound_claim(fake(), "Retain"), bound_claim(sync(), "Delete")] {
        let clusters = world.clusters();
        // A fixed point: planning again, with or without the previous snapshot, writes nothing.
        let plan = world.translator().plan(Some(clusters), clusters);
        assert!(plan.is_settled(), "{:?}", plan.actions);
        let fresh = world.translator().plan(None, clusters);
        assert!(fresh.is_settled(), "{:?}", fresh.actions);
        no_violations(&world);
        // The next step that changes nothing settles in one round: only the step is recorded.
        let mut again = world.clone();
        let before = again.timeline().len();
        again.step(Step::Restart).unwrap();
        assert_eq!(again.timeline().len(), before + 1);
        assert_eq!(again.clusters(), world.clusters());
    }
}

#[test]
fn y2_the_same_world_and_step_give_the_same_world() {
    let start = bound_claim(sync(), "Retain");
    let mut one = start.clone();
    let mut two = start.clone();
    for world in [&mut one, &mut two] {
        set_policy(world, &provisioned(), "Delete");
        delete(
            world,
            ClusterSide::Virtual,
            Kind::PersistentVolumeClaim,
            "default",
            "data",
        );
    }
    assert_eq!(one.clusters(), two.clusters());
    assert_eq!(
        one.disks().collect::<Vec<_>>(),
        two.disks().collect::<Vec<_>>()
    );
    assert_eq!(
        one.records().collect::<Vec<_>>(),
        two.records().collect::<Vec<_>>()
    );
    assert_eq!(one.timeline(), two.timeline());
    assert_eq!(one.violations(), two.violations());
    // And the start is untouched by its copies.
    assert!(host_pv(&start, &provisioned()).is_some());
}

#[test]
fn y2_restart_forgets_the_previous_snapshot_and_changes_nothing_settled() {
    // R2: after a restart every object counts as unchanged on both sides, so a settled world
    // stays as it is; the syncer then follows changes from its new snapshot.
    let mut world = bound_claim(sync(), "Delete");
    let before = world.clusters().clone();
    world.step(Step::Restart).unwrap();
    assert_eq!(world.clusters(), &before);
    let last = world.timeline().last().unwrap();
    assert_eq!(last.text, "restarted: the previous snapshot is forgotten");
    assert_eq!(last.rules, vec![pv_translate::Rule::R2]);
    set_policy(&mut world, &provisioned(), "Retain");
    assert_eq!(
        virtual_pv(&world, &provisioned()).and_then(policy),
        Some("Retain")
    );
    no_violations(&world);
}

#[test]
fn y2_steps_on_missing_objects_are_errors() {
    let mut world = bound_claim(fake(), "Delete");
    let missing = world.step(Step::Delete {
        cluster: ClusterSide::Host,
        kind: Kind::PersistentVolume,
        namespace: String::new(),
        name: "ghost".to_owned(),
    });
    assert!(missing.unwrap_err().to_string().contains("ghost"));
    let update = world.step(Step::Update {
        cluster: ClusterSide::Virtual,
        object: Object::PersistentVolumeClaim(Box::new(pvc("default", "ghost", "1Gi", None))),
    });
    assert!(update.unwrap_err().to_string().contains("ghost"));
    let policy = world.step(Step::SetReclaimPolicy {
        name: "ghost".to_owned(),
        policy: "Delete".to_owned(),
    });
    assert!(policy.is_err());
    let twice = world.step(Step::Create {
        cluster: ClusterSide::Virtual,
        object: Object::PersistentVolumeClaim(Box::new(pvc("default", "data", "5Gi", None))),
    });
    assert!(twice.unwrap_err().to_string().contains("already exists"));
}

// ------------------------------------------------------------------------------------------
// Y3: invariants

#[test]
fn y3_sync_mode_every_virtual_pv_shows_its_host_pv_policy() {
    let mut world = bound_claim(sync(), "Delete");
    set_policy(&mut world, &provisioned(), "Retain");
    assert_eq!(
        virtual_pv(&world, &provisioned()).and_then(policy),
        Some("Retain")
    );
    set_policy(&mut world, &provisioned(), "Delete");
    assert_eq!(
        virtual_pv(&world, &provisioned()).and_then(policy),
        Some("Delete")
    );
    no_violations(&world);
    assert_eq!(findings(&world), vec![]);
}

#[test]
fn y3_inherit_and_from_host_pv_show_the_host_policy() {
    for option in [FakeReclaimPolicy::Inherit, FakeReclaimPolicy::FromHostPv] {
        let options = Options::default().with_fake_reclaim_policy(option);
        let mut world = bound_claim(translator(PvMode::Fake, options), "Retain");
        assert_eq!(
            virtual_pv(&world, &provisioned()).and_then(policy),
            Some("Retain")
        );
        set_policy(&mut world, &provisioned(), "Delete");
        assert_eq!(
            virtual_pv(&world, &provisioned()).and_then(policy),
            Some("Delete"),
            "{option:?}"
        );
        no_violations(&world);
    }
}

#[test]
fn y3_with_default_fake_options_the_lie_is_a_finding_not_a_violation() {
    let world = bound_claim(fake(), "Retain");
    assert_eq!(
        virtual_pv(&world, &provisioned()).and_then(policy),
        Some("Delete")
    );
    assert_eq!(
        host_pv(&world, &provisioned()).and_then(policy),
        Some("Retain")
    );
    assert_eq!(
        findings(&world),
        vec![FindingKind::TenantSeesDeleteHostRetains]
    );
    no_violations(&world);
    // The other way round, by an admin: still a finding, not a violation.
    let mut world = bound_claim(fake(), "Delete");
    set_policy(&mut world, &provisioned(), "Retain");
    assert_eq!(
        findings(&world),
        vec![FindingKind::TenantSeesDeleteHostRetains]
    );
    no_violations(&world);
}

#[test]
fn y3_a_settle_may_end_with_a_wait_and_no_violation() {
    // D1: a bound virtual PV with Delete, deleted by the tenant, waits for the host's reclaim.
    let mut world = bound_claim(sync(), "Delete");
    delete(
        &mut world,
        ClusterSide::Virtual,
        Kind::PersistentVolume,
        "",
        &provisioned(),
    );
    let plan = world
        .translator()
        .plan(Some(world.clusters()), world.clusters());
    assert!(plan.is_settled());
    assert!(!plan.actions.is_empty(), "the wait of D1 is in the plan");
    let going = virtual_pv(&world, &provisioned()).unwrap();
    assert!(going.metadata.deletion_timestamp.is_some());
    let host = host_pv(&world, &provisioned()).unwrap();
    assert!(
        host.metadata.deletion_timestamp.is_none(),
        "D1: the host PV is not deleted"
    );
    assert!(disk_of(&world, &provisioned()).unwrap().1);
    no_violations(&world);
}

#[test]
fn y3_no_disk_is_destroyed_while_a_virtual_pvc_claims_it() {
    // D1 deletes the host PV of a Retain volume whose virtual PV the tenant deleted; K5 keeps it
    // while it is bound, so the data outlives the deletion as long as the claim does.
    let mut world = bound_claim(sync(), "Retain");
    delete(
        &mut world,
        ClusterSide::Virtual,
        Kind::PersistentVolume,
        "",
        &provisioned(),
    );
    let (disk, _) = disk_of(&world, &provisioned()).unwrap();
    assert!(disk_exists(&world, &disk));
    assert_eq!(
        virtual_pvc(&world, "default", "data").and_then(pvc_phase),
        Some("Bound")
    );
    delete(
        &mut world,
        ClusterSide::Virtual,
        Kind::PersistentVolumeClaim,
        "default",
        "data",
    );
    assert!(disk_exists(&world, &disk), "Retain keeps the data");
    no_violations(&world);
}

#[test]
fn y3_the_syncer_never_writes_a_host_pv_claimed_in_another_namespace() {
    // A host PV bound to a claim of another host namespace. The tenant forges a PV of the same
    // name that claims it by the host-pv annotation, then a static PVC naming it: the host PV
    // must stay as it is (S3, P2), and no write of the syncer may touch it (Y3).
    let foreign_claim = pvc("other", "db", "1Gi", Some(""));
    let host = objects(
        vec![foreign_claim],
        vec![pv("foreign", "1Gi", None, "Retain")],
        vec![],
    );
    let mut world = World::new(sync(), Objects::default(), host, true).unwrap();
    let bound = host_pv(&world, "foreign").unwrap().clone();
    assert_eq!(claim_of(&bound).map(|c| c.0), Some("other".to_owned()));
    let mut forged = pv("foreign", "1Gi", None, "Delete");
    forged.metadata.annotations = Some(
        [("vcluster.loft.sh/host-pv".to_owned(), "foreign".to_owned())]
            .into_iter()
            .collect(),
    );
    create(
        &mut world,
        ClusterSide::Virtual,
        Object::PersistentVolume(Box::new(forged)),
    );
    // S3: never mirrored, so the forged virtual PV is not kept either.
    assert!(virtual_pv(&world, "foreign").is_none());
    create_pvc(
        &mut world,
        ClusterSide::Virtual,
        static_pvc("default", "steal", "1Gi", "", "foreign"),
    );
    // P2: without S5's evidence the volumeName becomes N3(name), not the foreign PV.
    let copy = host_pvc(&world, H, &host_claim("steal", "default")).unwrap();
    assert_eq!(volume_name(copy), Some("vcluster-foreign-x-team-a-x-vc"));
    let after = host_pv(&world, "foreign").unwrap();
    assert_eq!(after.spec, bound.spec);
    assert_eq!(
        after.metadata.resource_version,
        bound.metadata.resource_version
    );
    assert!(after.metadata.deletion_timestamp.is_none());
    no_violations(&world);
}

#[test]
fn y3_violations_name_the_step_that_caused_them() {
    // A sync-mode starting world whose mirrored virtual PV says Delete while its host PV says
    // Retain: the first settle plans without a previous snapshot, so by R2 neither side counts
    // as changed and the difference stays; Y3 reports it after step 0. (The host PV was
    // provisioned for the host claim, `pvc-<its uid>`, so the mirror is written through, T3.)
    let host_pvc_name = host_claim("data", "default");
    let mut host_volume = pv("pvc-host", "1Gi", Some("gp3"), "Retain");
    host_volume.spec.as_mut().unwrap().claim_ref = Some(typed(json!({
        "kind": "PersistentVolumeClaim", "apiVersion": "v1",
        "namespace": H, "name": host_pvc_name, "uid": "host",
    })));
    let mut claim = static_pvc(H, &host_pvc_name, "1Gi", "gp3", "pvc-host");
    claim.metadata.uid = Some("host".to_owned());
    // The host copy of `default/data`, as P1 made it (R5's marker and object-name).
    claim.metadata.labels = Some(
        [("vcluster.loft.sh/managed-by".to_owned(), V.to_owned())]
            .into_iter()
            .collect(),
    );
    claim.metadata.annotations = Some(
        [
            ("vcluster.loft.sh/object-name", "data"),
            ("vcluster.loft.sh/object-namespace", "default"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect(),
    );
    let host = objects(
        vec![claim],
        vec![host_volume],
        vec![class("gp3", Some("Retain"))],
    );
    let mut mirror = pv("pvc-host", "1Gi", Some("gp3"), "Delete");
    mirror.metadata.annotations = Some(
        [("vcluster.loft.sh/host-pv".to_owned(), "pvc-host".to_owned())]
            .into_iter()
            .collect(),
    );
    mirror.spec.as_mut().unwrap().claim_ref = Some(typed(json!({
        "kind": "PersistentVolumeClaim", "apiVersion": "v1",
        "namespace": "default", "name": "data", "uid": "virtual-claim-uid",
    })));
    let mut virtual_claim = static_pvc("default", "data", "1Gi", "gp3", "pvc-host");
    virtual_claim.metadata.uid = Some("virtual-claim-uid".to_owned());
    let virtual_objects = objects(vec![virtual_claim], vec![mirror], vec![]);
    let world = World::new(sync(), virtual_objects, host, true).unwrap();
    let violations = world.violations();
    assert_eq!(violations.len(), 1, "{violations:?}");
    assert_eq!(violations[0].step, 0);
    assert!(violations[0].text.contains("pvc-host"), "{}", violations[0]);
    assert!(violations[0].to_string().starts_with("step 0: Y3: "));
}

// ------------------------------------------------------------------------------------------
// L1: predictions

#[test]
fn l1_predictions_for_retain_and_delete_classes_in_both_modes() {
    use DiskFate as D;
    use HostPvFate as Hp;
    use VirtualPvFate as Vp;
    let cases = [
        // Fake: the fake PV goes with its PVC (F5) and says Delete (F3).
        (
            PvMode::Fake,
            "Retain",
            Vp::Deleted,
            Hp::Released,
            D::Retained,
            true,
        ),
        (
            PvMode::Fake,
            "Delete",
            Vp::Deleted,
            Hp::Deleted,
            D::Destroyed,
            false,
        ),
        // Sync: the mirror shows the host's policy; a Retain volume stays visible, Released.
        (
            PvMode::Sync,
            "Retain",
            Vp::Released,
            Hp::Released,
            D::Retained,
            false,
        ),
        (
            PvMode::Sync,
            "Delete",
            Vp::Deleted,
            Hp::Deleted,
            D::Destroyed,
            false,
        ),
    ];
    for (mode, class_policy, virtual_fate, host_fate, disk, misled) in cases {
        let world = bound_claim(translator(mode, Options::default()), class_policy);
        let prediction = world.predict("default", "data").unwrap();
        let context = format!("{mode:?} {class_policy}");
        assert_eq!(prediction.virtual_pv, virtual_fate, "{context}");
        assert_eq!(prediction.host_pv, host_fate, "{context}");
        assert_eq!(prediction.disk, disk, "{context}");
        assert_eq!(prediction.tenant_misled, misled, "{context}");
    }
}

#[test]
fn l1_prediction_agrees_with_doing_it() {
    for (mode, class_policy) in [
        (PvMode::Fake, "Retain"),
        (PvMode::Fake, "Delete"),
        (PvMode::Sync, "Retain"),
        (PvMode::Sync, "Delete"),
    ] {
        let mut world = bound_claim(translator(mode, Options::default()), class_policy);
        let prediction = world.predict("default", "data").unwrap();
        let (disk, _) = disk_of(&world, &provisioned()).unwrap();
        delete(
            &mut world,
            ClusterSide::Virtual,
            Kind::PersistentVolumeClaim,
            "default",
            "data",
        );
        assert_eq!(
            prediction.disk == DiskFate::Retained,
            disk_exists(&world, &disk),
            "{mode:?} {class_policy}"
        );
        assert_eq!(
            prediction.host_pv == HostPvFate::Deleted,
            host_pv(&world, &provisioned()).is_none()
        );
        assert_eq!(
            prediction.virtual_pv == VirtualPvFate::Deleted,
            virtual_pv(&world, &provisioned()).is_none()
        );
    }
}

#[test]
fn l1_predicting_for_an_unbound_claim_is_an_input_error() {
    let mut world = host_world(fake(), Objects::default());
    create_pvc(
        &mut world,
        ClusterSide::Virtual,
        pvc("default", "waits", "1Gi", Some("")),
    );
    let err = world.predict("default", "waits").unwrap_err();
    assert!(err.to_string().contains("not bound"), "{err}");
    assert!(world.predict("default", "nobody").is_err());
}

#[test]
fn l1_the_prediction_changes_nothing() {
    let world = bound_claim(sync(), "Delete");
    let clusters = world.clusters().clone();
    let disks: Vec<_> = world.disks().cloned().collect();
    let records: Vec<_> = world
        .records()
        .map(|(k, r)| (k.0.to_owned(), k.1.to_owned(), r.clone()))
        .collect();
    let events = world.timeline().len();
    let first = world.predict("default", "data").unwrap();
    let second = world.predict("default", "data").unwrap();
    assert_eq!(first, second);
    assert_eq!(world.clusters(), &clusters);
    assert_eq!(world.disks().cloned().collect::<Vec<_>>(), disks);
    assert_eq!(
        world
            .records()
            .map(|(k, r)| (k.0.to_owned(), k.1.to_owned(), r.clone()))
            .collect::<Vec<_>>(),
        records
    );
    assert_eq!(world.timeline().len(), events);
    no_violations(&world);
}

#[test]
fn l1_no_virtual_pv_means_not_misled() {
    // D3 removed the virtual PV of a claim whose host PV is being deleted: nothing showed the
    // tenant a policy.
    let mut world = bound_claim(sync(), "Retain");
    delete(
        &mut world,
        ClusterSide::Host,
        Kind::PersistentVolume,
        "",
        &provisioned(),
    );
    assert!(virtual_pv(&world, &provisioned()).is_none());
    let prediction = world.predict("default", "data").unwrap();
    assert!(!prediction.tenant_misled);
    // The host PV goes once released (K5) and keeps its disk (Retain).
    assert_eq!(prediction.host_pv, HostPvFate::Deleted);
    assert_eq!(prediction.disk, DiskFate::Retained);
}
