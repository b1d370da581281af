//! Generators shared by the property tests (`properties.rs`, `sync_properties.rs`,
//! `sync_bidirectional_properties.rs`), and the runner with its vacuity guard.
//!
//! - [`setup`]: a translator's identity (`V`, `H`: DNS-1123 labels, sometimes long enough for N1
//!   to hash the names made from them), sync mode, every value of every option, explanations on
//!   or off, sometimes a class selector.
//! - [`scenario`]: CONSISTENT inputs of one translation, of a chosen [`Kind`]: a virtual PVC
//!   bound to a host PV whose claimRef is N2 of the PVC in `H`, a host PV and its existing mirror,
//!   a tenant PV and its host copy (made by the crate's H1, so it carries the marker and the
//!   bookkeeping), released PVs with and without a matching virtual PV, claims in other
//!   namespaces or without namespace, forged `vcluster.loft.sh/host-pv` annotations, fake PVs
//!   left from fake mode, terminating objects. Every object is valid (names, quantities in
//!   several spellings, access modes, volume modes, reclaim policies, one volume source) unless
//!   the kind says otherwise ([`Kind::FakeMismatch`]).
//! - [`garbage`]: the same scenarios with their objects' JSON mutated (fields removed, values
//!   replaced by invalid quantities, non-ASCII or over-long names, random JSON shapes) and
//!   deserialised back into the Kubernetes types.
//! - [`run`]: runs a property over a strategy with `PROPTEST_CASES` cases (256 by default) and
//!   then checks that each of its goals (the assertions that matter) was reached in at least the
//!   stated share of the cases: a property that checks nothing fails.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects
)]

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::sync::atomic::{AtomicUsize, Ordering};

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use proptest::prelude::*;
use proptest::sample::select;
use proptest::test_runner::{Config, FileFailurePersistence, TestRunner};
use pv_translate::{
    ConflictPolicy, FakeCapacity, FakeReclaimPolicy, Inputs, Options, PvMode, RetainedPvMirroring,
    StorageClassMode, SyncMode, TenantNodeVolumes, Translator, VirtualCluster,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

// ---------------------------------------------------------------------------------------------
// Well-known strings (SPEC §0), spelled out here so that the tests do not trust the crate's.

pub const HOST_PV: &str = "vcluster.loft.sh/host-pv";
pub const MANAGED_BY: &str = "vcluster.loft.sh/managed-by";
pub const FAKE_PV: &str = "vcluster.loft.sh/fake-pv";
pub const CONTROLLED_BY: &str = "vcluster.loft.sh/controlled-by";
pub const OBJECT_NAME: &str = "vcluster.loft.sh/object-name";
pub const OBJECT_NAMESPACE: &str = "vcluster.loft.sh/object-namespace";
pub const OBJECT_UID: &str = "vcluster.loft.sh/object-uid";
pub const OBJECT_KIND: &str = "vcluster.loft.sh/object-kind";
pub const OBJECT_HOST_NAME: &str = "vcluster.loft.sh/object-host-name";
pub const OBJECT_HOST_NAMESPACE: &str = "vcluster.loft.sh/object-host-namespace";
pub const MANAGED_ANNOTATIONS: &str = "vcluster.loft.sh/managed-annotations";
pub const MANAGED_LABELS: &str = "vcluster.loft.sh/managed-labels";
pub const BOOKKEEPING: [&str; 8] = [
    OBJECT_NAME,
    OBJECT_NAMESPACE,
    OBJECT_UID,
    OBJECT_KIND,
    OBJECT_HOST_NAME,
    OBJECT_HOST_NAMESPACE,
    MANAGED_ANNOTATIONS,
    MANAGED_LABELS,
];
pub const DEFAULT_CLASS: &str = "storageclass.kubernetes.io/is-default-class";
pub const BETA_DEFAULT_CLASS: &str = "storageclass.beta.kubernetes.io/is-default-class";
pub const PV_KIND: &str = "/v1, Kind=PersistentVolume";
pub const CLASS_KIND: &str = "storage.k8s.io/v1, Kind=StorageClass";
/// A `deletionTimestamp`: the object is terminating.
pub const DELETED_AT: &str = "2024-05-01T10:00:00Z";

/// The host controllers' annotations on a PV, never from a tenant PV to its host copy (SPEC T3).
pub const PV_CONTROLLER: [&str; 4] = [
    "pv.kubernetes.io/provisioned-by",
    "pv.kubernetes.io/migrated-to",
    "pv.kubernetes.io/bound-by-controller",
    "kubernetes.io/createdby",
];

/// Whether an annotation key names a CSI secret (SPEC H1 0.2).
pub fn is_secret_key(key: &str) -> bool {
    key.ends_with("-secret-name") || key.ends_with("-secret-namespace")
}

/// Whether an annotation key is bookkeeping or `host-pv` (SPEC §0).
pub fn is_bookkeeping(key: &str) -> bool {
    key == HOST_PV || BOOKKEEPING.contains(&key)
}

// ---------------------------------------------------------------------------------------------
// Running a property, and the vacuity guard.

/// `PROPTEST_CASES`, 256 when unset.
pub fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256)
}

/// How often each goal of a property was reached.
#[derive(Debug)]
pub struct Tally {
    runs: AtomicUsize,
    goals: Vec<(&'static str, usize, AtomicUsize)>,
}

impl Tally {
    fn new(goals: &[(&'static str, usize)]) -> Self {
        Self {
            runs: AtomicUsize::new(0),
            goals: goals
                .iter()
                .map(|(name, percent)| (*name, *percent, AtomicUsize::new(0)))
                .collect(),
        }
    }

    /// Goal `name` was reached in this case (count it once per case).
    pub fn hit(&self, name: &str) {
        let goal = self
            .goals
            .iter()
            .find(|(goal, _, _)| *goal == name)
            .unwrap_or_else(|| panic!("no goal {name:?}"));
        goal.2.fetch_add(1, Ordering::Relaxed);
    }

    /// How often goal `name` was reached so far.
    pub fn count(&self, name: &str) -> usize {
        self.goals
            .iter()
            .find(|(goal, _, _)| *goal == name)
            .map_or(0, |goal| goal.2.load(Ordering::Relaxed))
    }
}

/// Runs `test` on `cases()` values of `strategy` (failures are shrunk and persisted next to
/// `file`), then checks every goal: goal `(name, percent)` must have been hit in at least
/// `percent`% of the cases run. Prints the tallies (see them with `--nocapture`).
pub fn run<S>(
    file: &'static str,
    name: &'static str,
    strategy: S,
    goals: &[(&'static str, usize)],
    test: impl Fn(S::Value, &Tally) -> Result<(), TestCaseError>,
) where
    S: Strategy,
    S::Value: Debug,
{
    let tally = Tally::new(goals);
    let mut runner = TestRunner::new(Config {
        cases: cases(),
        source_file: Some(file),
        test_name: Some(name),
        // Next to the test file: `tests/<file>.proptest-regressions`.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    });
    let result = runner.run(&strategy, |value| {
        tally.runs.fetch_add(1, Ordering::Relaxed);
        test(value, &tally)
    });
    if let Err(error) = result {
        panic!("{name}: {error}");
    }
    let runs = tally.runs.load(Ordering::Relaxed);
    let mut report = format!("{name}: {runs} cases");
    for (goal, percent, hits) in &tally.goals {
        let hits = hits.load(Ordering::Relaxed);
        report.push_str(&format!("; {goal}: {hits}"));
        assert!(
            hits * 100 >= runs * percent && hits > 0,
            "{name}: vacuous: goal {goal:?} reached in {hits} of {runs} cases, want at least \
             {percent}%"
        );
    }
    eprintln!("{report}");
}

// ---------------------------------------------------------------------------------------------
// JSON helpers.

pub fn from_json<T: DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("generated object")
}

pub fn to_json<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("serialisable")
}

fn string_map(map: &BTreeMap<String, String>) -> Value {
    Value::Object(
        map.iter()
            .map(|(k, v)| (k.clone(), Value::String(v.clone())))
            .collect(),
    )
}

// ---------------------------------------------------------------------------------------------
// Names.

/// A short DNS-1123 label.
pub fn short_label() -> BoxedStrategy<String> {
    "[a-z]([a-z0-9-]{0,10}[a-z0-9])?".boxed()
}

/// A long DNS-1123 label (42 to 63 bytes): N1 hashes most names made from it.
pub fn long_label() -> BoxedStrategy<String> {
    "[a-z][a-z0-9-]{40,61}[a-z0-9]".boxed()
}

/// A DNS-1123 label, mostly short.
pub fn label_name() -> BoxedStrategy<String> {
    prop_oneof![8 => short_label(), 2 => long_label()].boxed()
}

/// A PV name: a dynamic provisioner's `pvc-<uid>`, a short or long label, or a subdomain with
/// dots (N1's `.-` rule).
pub fn pv_name() -> BoxedStrategy<String> {
    prop_oneof![
        5 => "pvc-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        3 => short_label(),
        1 => long_label(),
        1 => "[a-z0-9]{8,30}\\.[a-z0-9]{8,30}(\\.[a-z]{2,10})?",
    ]
    .boxed()
}

/// A virtual namespace.
pub fn namespace() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(vec!["default", "team-a", "prod", "kube-system"]).prop_map(str::to_owned),
        4 => short_label(),
        1 => long_label(),
    ]
    .boxed()
}

/// A StorageClass name.
pub fn class_name() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(vec!["standard", "fast", "gp3", "premium-rwo", "local-path"]).prop_map(str::to_owned),
        1 => short_label(),
        1 => long_label(),
    ]
    .boxed()
}

/// A virtual cluster identity (SPEC M5): `V` and `H`, mostly short.
pub fn cluster() -> BoxedStrategy<VirtualCluster> {
    let v = prop_oneof![
        3 => select(vec!["vc", "my-vcluster", "suffix", "vcluster"]).prop_map(str::to_owned),
        3 => short_label(),
        1 => long_label(),
    ];
    let h = prop_oneof![
        3 => select(vec!["team-a", "test", "vcluster-h", "host-ns"]).prop_map(str::to_owned),
        3 => short_label(),
        1 => long_label(),
    ];
    (v, h)
        .prop_map(|(v, h)| VirtualCluster::new(v, h).expect("DNS-1123 labels"))
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Field values.

/// A valid quantity, in several spellings of the same values (`1Gi`, `1024Mi`, `0.5Gi`, `1e9`).
pub fn quantity() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(vec![
            "1Gi", "1024Mi", "500M", "0.5Gi", "512Mi", "1e9", "1G", "1000M", "10Gi", "2Ti",
            "100Mi", "1.5Gi", "5G", "5000M", "1073741824", "8Gi", "20Gi", "250Mi", "5e8",
            "0.25Ti",
        ])
        .prop_map(str::to_owned),
        1 => "[1-9][0-9]{0,3}(Ki|Mi|Gi|Ti|k|M|G)",
    ]
    .boxed()
}

/// Valid access modes (`ReadWriteOncePod` alone, as the API server wants).
pub fn access_modes() -> BoxedStrategy<Vec<&'static str>> {
    prop_oneof![
        6 => prop::sample::subsequence(vec!["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany"], 1..=3),
        1 => Just(vec!["ReadWriteOncePod"]),
    ]
    .boxed()
}

pub fn volume_mode() -> BoxedStrategy<Option<&'static str>> {
    prop::option::weighted(0.7, select(vec!["Filesystem", "Block"])).boxed()
}

/// A PV reclaim policy, sometimes unset (the API default then is `Retain`).
pub fn reclaim_policy() -> BoxedStrategy<Option<&'static str>> {
    prop::option::weighted(0.85, select(vec!["Delete", "Retain", "Recycle"])).boxed()
}

/// A StorageClass reclaim policy, sometimes unset (`Delete`).
pub fn class_reclaim_policy() -> BoxedStrategy<Option<&'static str>> {
    prop::option::weighted(0.7, select(vec!["Delete", "Retain"])).boxed()
}

/// One volume source, as `(key, value)` of the PV spec. `node` weighs `hostPath` and `local`.
pub fn volume_source(node: u32) -> BoxedStrategy<(&'static str, Value)> {
    let csi = (
        select(vec![
            "ebs.csi.aws.com",
            "pd.csi.storage.gke.io",
            "disk.csi.azure.com",
        ]),
        "vol-[0-9a-f]{8}",
        prop::option::of(select(vec!["ext4", "xfs", ""])),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(driver, handle, fs_type, attributes, secret)| {
            let mut csi = json!({"driver": driver, "volumeHandle": handle});
            if let Some(fs_type) = fs_type {
                csi["fsType"] = json!(fs_type);
            }
            if attributes {
                csi["volumeAttributes"] =
                    json!({"storage.kubernetes.io/csiProvisionerIdentity": "1700000000-ebs"});
            }
            if secret {
                csi["nodeStageSecretRef"] = json!({"name": "stage", "namespace": "kube-system"});
            }
            ("csi", csi)
        });
    let nfs = (
        select(vec!["nfs.example.com", "10.0.0.9"]),
        "/exports/[a-z]{1,8}",
        any::<bool>(),
    )
        .prop_map(|(server, path, read_only)| {
            let mut nfs = json!({"server": server, "path": path});
            if read_only {
                nfs["readOnly"] = json!(true);
            }
            ("nfs", nfs)
        });
    let others = select(vec![
        (
            "awsElasticBlockStore",
            json!({"volumeID": "vol-0a1b2c3d", "fsType": "ext4"}),
        ),
        (
            "gcePersistentDisk",
            json!({"pdName": "disk-1", "fsType": "ext4"}),
        ),
        (
            "iscsi",
            json!({"targetPortal": "10.0.0.1:3260", "iqn": "iqn.2001-04.com.example:disk1", "lun": 0}),
        ),
        (
            "azureDisk",
            json!({"diskName": "d1", "diskURI": "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/disks/d1"}),
        ),
        (
            "cephfs",
            json!({"monitors": ["10.0.0.1:6789"], "path": "/"}),
        ),
    ]);
    let node_volume = prop_oneof![
        select(vec!["/var/lib/data", "/mnt/host", "/"])
            .prop_map(|path| ("hostPath", json!({"path": path}))),
        select(vec!["/mnt/disks/ssd1", "/mnt/local"])
            .prop_map(|path| ("local", json!({"path": path}))),
        Just((
            "hostPath",
            json!({"path": "/srv", "type": "DirectoryOrCreate"})
        )),
    ];
    prop_oneof![
        5 => csi,
        2 => nfs,
        2 => others,
        node.max(1) => node_volume,
    ]
    .boxed()
}

/// Node affinity, sometimes.
pub fn node_affinity() -> BoxedStrategy<Option<Value>> {
    prop::option::weighted(
        0.3,
        select(vec!["eu-west-1a", "eu-west-1b", "node-1"]).prop_map(|value| {
            json!({"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": [value]}
            ]}]}})
        }),
    )
    .boxed()
}

pub fn mount_options() -> BoxedStrategy<Option<Vec<&'static str>>> {
    prop::option::weighted(
        0.25,
        prop::collection::vec(select(vec!["ro", "noatime", "nfsvers=4.1"]), 1..3),
    )
    .boxed()
}

/// Label keys: ordinary ones and the four that N5 rewrites.
pub fn label_key() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(vec!["app", "team", "app.kubernetes.io/name", "topology.kubernetes.io/zone"]),
        1 => select(vec!["release", MANAGED_BY, "vcluster.loft.sh/namespace"]),
    ]
    .prop_map(str::to_owned)
    .boxed()
}

pub fn labels() -> BoxedStrategy<BTreeMap<String, String>> {
    prop::collection::btree_map(
        label_key(),
        select(vec!["a", "b", "vc", "db", ""]).prop_map(str::to_owned),
        0..4,
    )
    .boxed()
}

/// Annotation keys: ordinary ones, CSI secret references, bookkeeping keys.
pub fn annotation_key() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(vec![
            "example.com/note",
            "description",
            "pv.kubernetes.io/provisioned-by",
            "volume.kubernetes.io/storage-provisioner",
        ]),
        2 => select(vec![
            "volume.kubernetes.io/provisioner-deletion-secret-name",
            "volume.kubernetes.io/provisioner-deletion-secret-namespace",
            "csi.storage.k8s.io/node-stage-secret-name",
            "csi.storage.k8s.io/node-stage-secret-namespace",
        ]),
        2 => select(BOOKKEEPING.to_vec()),
    ]
    .prop_map(str::to_owned)
    .boxed()
}

pub fn annotations() -> BoxedStrategy<BTreeMap<String, String>> {
    prop::collection::btree_map(
        annotation_key(),
        select(vec![
            "x",
            "kube-system",
            "tenant-secret",
            "",
            "true",
            "other-pv",
        ])
        .prop_map(str::to_owned),
        0..4,
    )
    .boxed()
}

// ---------------------------------------------------------------------------------------------
// Object bodies: the random parts of a PV or PVC, before a scenario names and links them.

/// The random parts of a PV.
#[derive(Debug, Clone)]
pub struct PvBody {
    pub source: (&'static str, Value),
    pub capacity: String,
    pub modes: Vec<&'static str>,
    pub volume_mode: Option<&'static str>,
    pub reclaim: Option<&'static str>,
    pub affinity: Option<Value>,
    pub mount_options: Option<Vec<&'static str>>,
    pub class: Option<String>,
    pub phase: Option<&'static str>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub uid: Option<String>,
    pub resource_version: Option<String>,
    pub terminating: bool,
}

/// A PV body; `node` weighs node volume sources, `terminating` the share of terminating PVs.
pub fn pv_body(node: u32, terminating: f64) -> BoxedStrategy<PvBody> {
    (
        (
            volume_source(node),
            quantity(),
            access_modes(),
            volume_mode(),
            reclaim_policy(),
            node_affinity(),
            mount_options(),
        ),
        (
            prop::option::weighted(0.8, class_name()),
            prop::option::weighted(
                0.8,
                select(vec!["Bound", "Available", "Released", "Failed"]),
            ),
            labels(),
            annotations(),
            prop::option::weighted(0.8, "[0-9a-f]{8}-[0-9a-f]{4}"),
            prop::option::weighted(0.6, "[1-9][0-9]{0,5}"),
            prop::bool::weighted(terminating),
        ),
    )
        .prop_map(
            |(
                (source, capacity, modes, volume_mode, reclaim, affinity, mount_options),
                (class, phase, labels, annotations, uid, resource_version, terminating),
            )| PvBody {
                source,
                capacity,
                modes,
                volume_mode,
                reclaim,
                affinity,
                mount_options,
                class,
                phase,
                labels,
                annotations,
                uid,
                resource_version,
                terminating,
            },
        )
        .boxed()
}

/// The random parts of a PVC.
#[derive(Debug, Clone)]
pub struct PvcBody {
    pub name: String,
    pub namespace: String,
    pub modes: Vec<&'static str>,
    pub volume_mode: Option<&'static str>,
    pub request: String,
    /// `None`: no field; `Some("")`: no class asked.
    pub class: Option<String>,
    pub uid: Option<String>,
    pub resource_version: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub terminating: bool,
}

pub fn pvc_body(terminating: f64) -> BoxedStrategy<PvcBody> {
    (
        (
            label_name(),
            namespace(),
            access_modes(),
            volume_mode(),
            quantity(),
            prop_oneof![
                6 => class_name().prop_map(Some),
                2 => Just(None),
                1 => Just(Some(String::new())),
            ],
        ),
        (
            prop::option::weighted(0.8, "[0-9a-f]{8}-[0-9a-f]{4}"),
            prop::option::weighted(0.7, "[1-9][0-9]{0,5}"),
            labels(),
            annotations(),
            prop::bool::weighted(terminating),
        ),
    )
        .prop_map(
            |(
                (name, namespace, modes, volume_mode, request, class),
                (uid, resource_version, labels, annotations, terminating),
            )| PvcBody {
                name,
                namespace,
                modes,
                volume_mode,
                request,
                class,
                uid,
                resource_version,
                labels,
                annotations,
                terminating,
            },
        )
        .boxed()
}

/// The random parts of a StorageClass.
#[derive(Debug, Clone)]
pub struct ClassBody {
    pub reclaim: Option<&'static str>,
    /// Which default-class key marks it (for a PVC without class): GA or beta.
    pub beta_default: bool,
    /// Labelled `tier: gold` (what generated selectors select).
    pub gold: bool,
    pub secret_parameters: bool,
    pub annotations: BTreeMap<String, String>,
}

pub fn class_body() -> BoxedStrategy<ClassBody> {
    (
        class_reclaim_policy(),
        any::<bool>(),
        prop::bool::weighted(0.7),
        any::<bool>(),
        annotations(),
    )
        .prop_map(
            |(reclaim, beta_default, gold, secret_parameters, annotations)| ClassBody {
                reclaim,
                beta_default,
                gold,
                secret_parameters,
                annotations,
            },
        )
        .boxed()
}

/// A change to one side of a pair since the last sync.
#[derive(Debug, Clone)]
pub enum Edit {
    Reclaim(Option<&'static str>),
    Capacity(String),
    Modes(Vec<&'static str>),
    Source((&'static str, Value)),
    Affinity(Option<Value>),
    VolumeMode(Option<&'static str>),
    MountOptions(Option<Vec<&'static str>>),
    Label(String, Option<String>),
    Annotation(String, Option<String>),
    Phase(&'static str),
}

pub fn edit(node: u32) -> BoxedStrategy<Edit> {
    prop_oneof![
        2 => reclaim_policy().prop_map(Edit::Reclaim),
        2 => quantity().prop_map(Edit::Capacity),
        1 => access_modes().prop_map(Edit::Modes),
        1 => volume_source(node).prop_map(Edit::Source),
        1 => node_affinity().prop_map(Edit::Affinity),
        1 => volume_mode().prop_map(Edit::VolumeMode),
        1 => mount_options().prop_map(Edit::MountOptions),
        1 => (label_key(), prop::option::of(select(vec!["a", "z"]).prop_map(str::to_owned)))
            .prop_map(|(k, v)| Edit::Label(k, v)),
        2 => (annotation_key(), prop::option::of(select(vec!["x", "y"]).prop_map(str::to_owned)))
            .prop_map(|(k, v)| Edit::Annotation(k, v)),
        1 => select(vec!["Bound", "Released", "Available"]).prop_map(Edit::Phase),
    ]
    .boxed()
}

/// A change to one of B1's field groups.
pub fn b1_edit(node: u32) -> BoxedStrategy<Edit> {
    prop_oneof![
        2 => reclaim_policy().prop_map(Edit::Reclaim),
        2 => quantity().prop_map(Edit::Capacity),
        1 => access_modes().prop_map(Edit::Modes),
        2 => volume_source(node).prop_map(Edit::Source),
        1 => node_affinity().prop_map(Edit::Affinity),
        1 => volume_mode().prop_map(Edit::VolumeMode),
        1 => mount_options().prop_map(Edit::MountOptions),
    ]
    .boxed()
}

const SOURCE_KEYS: [&str; 22] = [
    "awsElasticBlockStore",
    "azureDisk",
    "azureFile",
    "cephfs",
    "cinder",
    "csi",
    "fc",
    "flexVolume",
    "flocker",
    "gcePersistentDisk",
    "glusterfs",
    "hostPath",
    "iscsi",
    "local",
    "nfs",
    "photonPersistentDisk",
    "portworxVolume",
    "quobyte",
    "rbd",
    "scaleIO",
    "storageos",
    "vsphereVolume",
];

/// `pv` with `edits` applied.
pub fn edited(pv: &PersistentVolume, edits: &[Edit]) -> PersistentVolume {
    let mut value = to_json(pv);
    for edit in edits {
        let object = value.as_object_mut().unwrap();
        let spec = object
            .entry("spec")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .unwrap();
        let set = |spec: &mut Map<String, Value>, key: &str, v: Option<Value>| match v {
            Some(v) => {
                spec.insert(key.to_owned(), v);
            }
            None => {
                spec.remove(key);
            }
        };
        match edit {
            Edit::Reclaim(r) => set(spec, "persistentVolumeReclaimPolicy", r.map(|r| json!(r))),
            Edit::Capacity(q) => set(spec, "capacity", Some(json!({"storage": q}))),
            Edit::Modes(m) => set(spec, "accessModes", Some(json!(m))),
            Edit::Source((key, source)) => {
                for k in SOURCE_KEYS {
                    spec.remove(k);
                }
                spec.insert((*key).to_owned(), source.clone());
            }
            Edit::Affinity(a) => set(spec, "nodeAffinity", a.clone()),
            Edit::VolumeMode(m) => set(spec, "volumeMode", m.map(|m| json!(m))),
            Edit::MountOptions(m) => set(spec, "mountOptions", m.as_ref().map(|m| json!(m))),
            Edit::Label(k, v) | Edit::Annotation(k, v) => {
                let field = if matches!(edit, Edit::Label(..)) {
                    "labels"
                } else {
                    "annotations"
                };
                let meta = object
                    .entry("metadata")
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .unwrap();
                let map = meta
                    .entry(field)
                    .or_insert_with(|| json!({}))
                    .as_object_mut()
                    .unwrap();
                match v {
                    Some(v) => {
                        map.insert(k.clone(), json!(v));
                    }
                    None => {
                        map.remove(k);
                    }
                }
            }
            Edit::Phase(p) => {
                object.insert("status".to_owned(), json!({"phase": p}));
            }
        }
    }
    from_json(value)
}

// ---------------------------------------------------------------------------------------------
// Builders.

fn metadata(
    name: &str,
    labels: &BTreeMap<String, String>,
    annotations: &BTreeMap<String, String>,
    uid: Option<&str>,
    resource_version: Option<&str>,
    terminating: bool,
) -> Value {
    let mut meta = json!({"name": name});
    if !labels.is_empty() {
        meta["labels"] = string_map(labels);
    }
    if !annotations.is_empty() {
        meta["annotations"] = string_map(annotations);
    }
    if let Some(uid) = uid {
        meta["uid"] = json!(uid);
    }
    if let Some(rv) = resource_version {
        meta["resourceVersion"] = json!(rv);
    }
    if terminating {
        meta["deletionTimestamp"] = json!(DELETED_AT);
        meta["finalizers"] = json!(["kubernetes.io/pv-protection"]);
    }
    meta
}

/// A claimRef to `namespace/name` (`None` namespace: the field is absent).
pub fn claim_ref(namespace: Option<&str>, name: &str, uid: Option<&str>) -> Value {
    let mut claim = json!({"kind": "PersistentVolumeClaim", "apiVersion": "v1", "name": name});
    if let Some(namespace) = namespace {
        claim["namespace"] = json!(namespace);
    }
    if let Some(uid) = uid {
        claim["uid"] = json!(uid);
    }
    claim
}

/// A PV named `name` from `body`, with `claim` as its claimRef.
pub fn pv(name: &str, body: &PvBody, claim: Option<Value>) -> PersistentVolume {
    let mut spec = json!({
        "capacity": {"storage": body.capacity},
        "accessModes": body.modes,
    });
    spec[body.source.0] = body.source.1.clone();
    if let Some(m) = body.volume_mode {
        spec["volumeMode"] = json!(m);
    }
    if let Some(r) = body.reclaim {
        spec["persistentVolumeReclaimPolicy"] = json!(r);
    }
    if let Some(a) = &body.affinity {
        spec["nodeAffinity"] = a.clone();
    }
    if let Some(m) = &body.mount_options {
        spec["mountOptions"] = json!(m);
    }
    if let Some(c) = &body.class {
        spec["storageClassName"] = json!(c);
    }
    if let Some(claim) = claim {
        spec["claimRef"] = claim;
    }
    let mut pv = json!({
        "metadata": metadata(
            name,
            &body.labels,
            &body.annotations,
            body.uid.as_deref(),
            body.resource_version.as_deref(),
            body.terminating,
        ),
        "spec": spec,
    });
    if let Some(phase) = body.phase {
        pv["status"] = json!({"phase": phase});
    }
    from_json(pv)
}

/// A virtual PVC from `body`, bound to `volume` when given.
pub fn pvc(body: &PvcBody, volume: Option<&str>) -> PersistentVolumeClaim {
    let mut spec = json!({
        "accessModes": body.modes,
        "resources": {"requests": {"storage": body.request}},
    });
    if let Some(m) = body.volume_mode {
        spec["volumeMode"] = json!(m);
    }
    if let Some(c) = &body.class {
        spec["storageClassName"] = json!(c);
    }
    if let Some(v) = volume {
        spec["volumeName"] = json!(v);
    }
    let mut meta = metadata(
        &body.name,
        &body.labels,
        &body.annotations,
        body.uid.as_deref(),
        body.resource_version.as_deref(),
        body.terminating,
    );
    meta["namespace"] = json!(body.namespace);
    let mut pvc = json!({"metadata": meta, "spec": spec});
    if volume.is_some() {
        pvc["status"] = json!({"phase": "Bound"});
    }
    from_json(pvc)
}

/// A StorageClass named `name` from `body`; `default` marks it default.
pub fn storage_class(name: &str, body: &ClassBody, default: bool) -> StorageClass {
    let mut annotations = body.annotations.clone();
    if default {
        let key = if body.beta_default {
            BETA_DEFAULT_CLASS
        } else {
            DEFAULT_CLASS
        };
        annotations.insert(key.to_owned(), "true".to_owned());
    }
    let mut class = json!({
        "metadata": metadata(name, &BTreeMap::new(), &annotations, None, None, false),
        "provisioner": "ebs.csi.aws.com",
        "parameters": {"type": "gp3"},
    });
    if body.gold {
        class["metadata"]["labels"] = json!({"tier": "gold"});
    }
    if body.secret_parameters {
        class["parameters"]["csi.storage.k8s.io/provisioner-secret-name"] = json!("tenant-secret");
        class["parameters"]["csi.storage.k8s.io/node-stage-secret-namespace"] =
            json!("kube-system");
    }
    if let Some(r) = body.reclaim {
        class["reclaimPolicy"] = json!(r);
    }
    from_json(class)
}

/// The fake PV vcluster would have made for `pvc` (SPEC F2), named `name`, with `reclaim`.
pub fn fake_pv(name: &str, pvc: &PersistentVolumeClaim, reclaim: &str) -> PersistentVolume {
    let spec = pvc.spec.clone().unwrap_or_default();
    from_json(json!({
        "metadata": {
            "name": name,
            "labels": {FAKE_PV: "true"},
            "annotations": {
                "kubernetes.io/createdby": "fake-pv-provisioner",
                "pv.kubernetes.io/bound-by-controller": "true",
                "pv.kubernetes.io/provisioned-by": "fake-pv-provisioner",
            },
            "uid": "fake-uid",
            "resourceVersion": "7",
        },
        "spec": {
            "flexVolume": {"driver": "fake"},
            "capacity": spec.resources.and_then(|r| r.requests),
            "accessModes": spec.access_modes,
            "volumeMode": spec.volume_mode,
            "claimRef": {
                "kind": "PersistentVolumeClaim", "apiVersion": "v1",
                "namespace": pvc.metadata.namespace, "name": pvc.metadata.name,
                "uid": pvc.metadata.uid, "resourceVersion": pvc.metadata.resource_version,
            },
            "persistentVolumeReclaimPolicy": reclaim,
            "storageClassName": spec.storage_class_name.unwrap_or_default(),
        },
        "status": {"phase": "Bound"},
    }))
}

/// The mirror of `host` as vcluster created it for `pvc` (SPEC S6-S8), built here from the rules
/// rather than by the crate.
pub fn mirror_of(host: &PersistentVolume, pvc: Option<&PersistentVolumeClaim>) -> PersistentVolume {
    let mut value = to_json(host);
    let name = host.metadata.name.clone().unwrap_or_default();
    let mut annotations: BTreeMap<String, String> = host
        .metadata
        .annotations
        .clone()
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| !is_bookkeeping(k))
        .collect();
    annotations.insert(HOST_PV.to_owned(), name.clone());
    let mut meta = json!({"name": name, "annotations": string_map(&annotations),
                          "uid": "mirror-uid", "resourceVersion": "3"});
    if let Some(labels) = host.metadata.labels.as_ref().filter(|l| !l.is_empty()) {
        meta["labels"] = string_map(labels);
    }
    value["metadata"] = meta;
    if let Some(pvc) = pvc {
        let spec = &mut value["spec"];
        if let Some(claim) = spec.get("claimRef").filter(|c| c.is_object()) {
            spec["claimRef"] = s7_claim(claim, pvc);
        }
        if let Some(class) = pvc.spec.as_ref().and_then(|s| s.storage_class_name.clone()) {
            spec["storageClassName"] = json!(class);
        }
    }
    from_json(value)
}

/// S7 with a virtual PVC: the host claimRef with the PVC's name, namespace, uid and
/// resourceVersion (each absent when the PVC has none).
pub fn s7_claim(host_claim: &Value, pvc: &PersistentVolumeClaim) -> Value {
    let mut claim = host_claim.clone();
    let object = claim.as_object_mut().expect("a claimRef object");
    for (key, field) in [
        ("name", &pvc.metadata.name),
        ("namespace", &pvc.metadata.namespace),
        ("uid", &pvc.metadata.uid),
        ("resourceVersion", &pvc.metadata.resource_version),
    ] {
        match field {
            Some(v) => {
                object.insert(key.to_owned(), json!(v));
            }
            None => {
                object.remove(key);
            }
        }
    }
    claim
}

/// `object` with its JSON edited.
pub fn with_json<T: Serialize + DeserializeOwned>(object: &T, edit: impl FnOnce(&mut Value)) -> T {
    let mut value = to_json(object);
    edit(&mut value);
    from_json(value)
}

/// `pv` marked terminating.
pub fn terminating(pv: &PersistentVolume) -> PersistentVolume {
    with_json(pv, |v| {
        v["metadata"]["deletionTimestamp"] = json!(DELETED_AT);
    })
}

// ---------------------------------------------------------------------------------------------
// Setups: the translator.

/// Every value of every option (SPEC §7).
pub fn options() -> BoxedStrategy<Options> {
    (
        select(vec![
            FakeReclaimPolicy::Delete,
            FakeReclaimPolicy::Retain,
            FakeReclaimPolicy::FromHostPv,
            FakeReclaimPolicy::FromStorageClass,
            FakeReclaimPolicy::Inherit,
        ]),
        select(vec![FakeCapacity::Request, FakeCapacity::HostPv]),
        any::<bool>(),
        select(vec![
            RetainedPvMirroring::Owned,
            RetainedPvMirroring::Legacy,
        ]),
        select(vec![ConflictPolicy::VirtualWins, ConflictPolicy::Report]),
        any::<bool>(),
        select(vec![TenantNodeVolumes::Deny, TenantNodeVolumes::Allow]),
    )
        .prop_map(
            |(reclaim, capacity, keep, mirroring, conflicts, skip, node)| {
                Options::default()
                    .with_fake_reclaim_policy(reclaim)
                    .with_fake_capacity(capacity)
                    .with_keep_unlabeled_pvs(keep)
                    .with_retained_pv_mirroring(mirroring)
                    .with_conflicts(conflicts)
                    .with_honor_skip_translate(skip)
                    .with_tenant_node_volumes(node)
            },
        )
        .boxed()
}

/// A translator's settings.
#[derive(Debug, Clone)]
pub struct Setup {
    pub cluster: VirtualCluster,
    pub mode: SyncMode,
    pub options: Options,
    pub explain: bool,
    /// `sync.fromHost.storageClasses.selector` (only with `FromHost`): `tier: gold`.
    pub selector: Option<LabelSelector>,
}

impl Setup {
    pub fn translator(&self) -> Translator {
        Translator::new(self.cluster.clone())
            .with_mode(self.mode)
            .with_options(self.options.clone())
            .with_explanations(self.explain)
            .with_class_selector(self.selector.clone())
    }

    pub fn pv_mode(&self) -> PvMode {
        self.mode.persistent_volumes
    }

    /// The same settings with other options.
    pub fn with_options(&self, options: Options) -> Self {
        Self {
            options,
            ..self.clone()
        }
    }
}

/// Settings with a PV mode among `pv_modes` and options from `options`.
pub fn setup_with(pv_modes: Vec<PvMode>, options: BoxedStrategy<Options>) -> BoxedStrategy<Setup> {
    (
        cluster(),
        select(pv_modes),
        select(vec![
            StorageClassMode::Off,
            StorageClassMode::FromHost,
            StorageClassMode::ToHost,
        ]),
        options,
        any::<bool>(),
        prop::bool::weighted(0.3),
    )
        .prop_map(|(cluster, pv_mode, classes, options, explain, selector)| {
            let selector = (selector && classes == StorageClassMode::FromHost)
                .then(|| from_json(json!({"matchLabels": {"tier": "gold"}})));
            Setup {
                cluster,
                mode: SyncMode::new(pv_mode, classes),
                options,
                explain,
                selector,
            }
        })
        .boxed()
}

/// Settings in one PV mode, with any options.
pub fn setup(pv_mode: PvMode) -> BoxedStrategy<Setup> {
    setup_with(vec![pv_mode], options())
}

// ---------------------------------------------------------------------------------------------
// Scenarios.

/// What a scenario describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    // Fake mode.
    /// A bound PVC, its host PV (mostly), its class (sometimes), a current virtual PV
    /// (sometimes: the fake PV made before, a tenant PV of that name, a controlled-by PV).
    FakeBound,
    /// An unbound PVC, sometimes with a leftover virtual PV.
    FakeUnbound,
    /// Only a current virtual PV (fake or the tenant's), claimed by nothing.
    FakeOrphan,
    /// A bound PVC and a host PV of another name (F4: an input error).
    FakeMismatch,
    // Sync mode.
    /// A host PV claimed by N2 of the given virtual PVC in `H` (S4).
    Bound,
    /// The same host PV, the PVC not given and no virtual PV (S5: not mirrored unless Legacy).
    BoundUnowned,
    /// A host PV and its existing mirror, both maybe edited since the last sync.
    MirrorExists,
    /// A released host PV whose PVC is gone, with (S5 evidence) or without its mirror.
    Released,
    /// A tenant PV whose `host-pv` names a host PV it does not own (mostly).
    Forged,
    /// A host PV whose claim is in another namespace or names no namespace.
    Foreign,
    /// A host PV without claimRef.
    Unclaimed,
    /// A tenant's own PV, no host PV yet.
    TenantNew,
    /// A tenant's own PV and its host copy made by H1, both maybe edited since.
    TenantWithCopy,
    /// A host PV made by H1 whose tenant PV is gone (D4).
    OrphanCopy,
    /// A fake PV left from fake mode and the host PV of its name.
    FakeLeftover,
}

pub const FAKE_KINDS: [(u32, Kind); 4] = [
    (10, Kind::FakeBound),
    (2, Kind::FakeUnbound),
    (2, Kind::FakeOrphan),
    (1, Kind::FakeMismatch),
];

pub const SYNC_KINDS: [(u32, Kind); 11] = [
    (4, Kind::Bound),
    (1, Kind::BoundUnowned),
    (4, Kind::MirrorExists),
    (2, Kind::Released),
    (2, Kind::Forged),
    (2, Kind::Foreign),
    (1, Kind::Unclaimed),
    (3, Kind::TenantNew),
    (4, Kind::TenantWithCopy),
    (1, Kind::OrphanCopy),
    (1, Kind::FakeLeftover),
];

/// How a foreign claim (S3) names its namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForeignClaim {
    /// Another namespace.
    Other,
    /// No `namespace` field.
    Missing,
    /// `namespace: ""`.
    Empty,
}

/// Whose claim a forged `host-pv` points at (the victim host PV's claim).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Victim {
    /// The virtual cluster's own data volume, `data-<V>-0` in `H` (not an N2 name).
    DataVolume,
    /// N2 of another virtual PVC of this virtual cluster.
    OtherTenantClaim,
    /// A claim of another virtual cluster in `H`.
    OtherVcluster,
    /// A claim in another namespace.
    OtherNamespace,
    /// No claimRef.
    Unclaimed,
    /// The host copy of another tenant PV of this virtual cluster (marker, no claim).
    OtherTenantCopy,
    /// Not forged: N2 of the virtual PV's own claim in `H`.
    Legit,
}

/// What else a scenario may use.
#[derive(Debug, Clone)]
pub struct Flags {
    pub with_pvc: bool,
    pub with_host_pv: bool,
    pub with_class: bool,
    pub with_last: bool,
    /// A die of 10 faces the kinds read as they need (see [`build`]): in fake mode which
    /// current virtual PV (0-5 none, 6-7 the fake PV, 8 a tenant PV of that name, 9 a
    /// controlled-by PV); in sync mode whether a PVC or a mirror is given, which virtual PV a
    /// foreign claim meets, whether a released PV keeps its mirror; 3 also makes tenant PVs
    /// carry a forged N5 label key.
    pub current: u8,
    pub foreign: ForeignClaim,
    pub victim: Victim,
    /// The forged or mirror PV has a claimRef.
    pub virtual_claim: bool,
    /// Terminating virtual PV (sync scenarios).
    pub virtual_terminating: bool,
}

pub fn flags() -> BoxedStrategy<Flags> {
    (
        prop::bool::weighted(0.75),
        prop::bool::weighted(0.85),
        prop::bool::weighted(0.5),
        prop::bool::weighted(0.7),
        0u8..10,
        select(vec![
            ForeignClaim::Other,
            ForeignClaim::Other,
            ForeignClaim::Missing,
            ForeignClaim::Empty,
        ]),
        select(vec![
            Victim::DataVolume,
            Victim::OtherTenantClaim,
            Victim::OtherVcluster,
            Victim::OtherNamespace,
            Victim::Unclaimed,
            Victim::OtherTenantCopy,
            Victim::Legit,
        ]),
        prop::bool::weighted(0.85),
        prop::bool::weighted(0.08),
    )
        .prop_map(
            |(
                with_pvc,
                with_host_pv,
                with_class,
                with_last,
                current,
                foreign,
                victim,
                virtual_claim,
                virtual_terminating,
            )| Flags {
                with_pvc,
                with_host_pv,
                with_class,
                with_last,
                current,
                foreign,
                victim,
                virtual_claim,
                virtual_terminating,
            },
        )
        .boxed()
}

/// The random material a scenario is built from.
#[derive(Debug, Clone)]
pub struct Material {
    pub pvc: PvcBody,
    pub host: PvBody,
    pub tenant: PvBody,
    pub pv_name: String,
    pub tenant_name: String,
    pub other_namespace: String,
    pub other_name: String,
    pub class: ClassBody,
    pub flags: Flags,
    pub virtual_edits: Vec<Edit>,
    pub host_edits: Vec<Edit>,
}

pub fn material() -> BoxedStrategy<Material> {
    (
        (
            pvc_body(0.08),
            pv_body(1, 0.06),
            pv_body(3, 0.0),
            pv_name(),
            pv_name(),
            label_name(),
            label_name(),
        ),
        (
            class_body(),
            flags(),
            prop::collection::vec(edit(1), 0..3),
            prop::collection::vec(edit(1), 0..3),
            prop::option::weighted(0.2, conflicting_edits()),
        ),
    )
        .prop_map(
            |(
                (pvc, host, tenant, pv_name, tenant_name, other_namespace, other_name),
                (class, flags, mut virtual_edits, mut host_edits, conflict),
            )| {
                // Both sides changed the same field group since the last sync, sometimes.
                if let Some((on_virtual, on_host)) = conflict {
                    virtual_edits.push(on_virtual);
                    host_edits.push(on_host);
                }
                Material {
                    pvc,
                    host,
                    tenant,
                    pv_name,
                    tenant_name,
                    other_namespace,
                    other_name,
                    class,
                    flags,
                    virtual_edits,
                    host_edits,
                }
            },
        )
        .boxed()
}

/// Changes of the same B1 field group, one for each side (a B1 conflict when they differ).
pub fn conflicting_edits() -> BoxedStrategy<(Edit, Edit)> {
    prop_oneof![
        2 => (quantity(), quantity()).prop_map(|(a, b)| (Edit::Capacity(a), Edit::Capacity(b))),
        2 => (reclaim_policy(), reclaim_policy()).prop_map(|(a, b)| (Edit::Reclaim(a), Edit::Reclaim(b))),
        1 => (access_modes(), access_modes()).prop_map(|(a, b)| (Edit::Modes(a), Edit::Modes(b))),
        1 => (volume_source(1), volume_source(1)).prop_map(|(a, b)| (Edit::Source(a), Edit::Source(b))),
    ]
    .boxed()
}

/// The inputs of one translation, and what they describe.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub kind: Kind,
    pub virtual_pvc: Option<PersistentVolumeClaim>,
    pub host_pvc: Option<PersistentVolumeClaim>,
    pub host_pv: Option<PersistentVolume>,
    pub host_class: Option<StorageClass>,
    pub virtual_pv: Option<PersistentVolume>,
    pub last_virtual_pv: Option<PersistentVolume>,
    pub last_host_pv: Option<PersistentVolume>,
    pub last_host_pvc: Option<PersistentVolumeClaim>,
    /// A virtual StorageClass (for C2).
    pub virtual_class: Option<StorageClass>,
}

impl Scenario {
    fn empty(kind: Kind) -> Self {
        Self {
            kind,
            virtual_pvc: None,
            host_pvc: None,
            host_pv: None,
            host_class: None,
            virtual_pv: None,
            last_virtual_pv: None,
            last_host_pv: None,
            last_host_pvc: None,
            virtual_class: None,
        }
    }

    /// Every input of the scenario.
    pub fn inputs(&self) -> Inputs<'_> {
        let mut inputs = Inputs::new();
        inputs.virtual_pvc = self.virtual_pvc.as_ref();
        inputs.host_pvc = self.host_pvc.as_ref();
        inputs.host_pv = self.host_pv.as_ref();
        inputs.host_storage_class = self.host_class.as_ref();
        inputs.virtual_pv = self.virtual_pv.as_ref();
        inputs.last_virtual_pv = self.last_virtual_pv.as_ref();
        inputs.last_host_pv = self.last_host_pv.as_ref();
        inputs.last_host_pvc = self.last_host_pvc.as_ref();
        inputs
    }
}

/// A weighted choice of kinds.
pub fn kinds(choices: &[(u32, Kind)]) -> BoxedStrategy<Kind> {
    let choices: Vec<(u32, BoxedStrategy<Kind>)> = choices
        .iter()
        .map(|(weight, kind)| (*weight, Just(*kind).boxed()))
        .collect();
    prop::strategy::Union::new_weighted(choices).boxed()
}

/// A setup and a consistent scenario of one of `choices` for it.
pub fn case(
    setup: BoxedStrategy<Setup>,
    choices: &[(u32, Kind)],
) -> BoxedStrategy<(Setup, Scenario)> {
    case_tweaked(setup, choices, |_| {})
}

/// [`case`] with the material changed by `tweak` before the scenario is built (e.g. to force a
/// flag).
pub fn case_tweaked(
    setup: BoxedStrategy<Setup>,
    choices: &[(u32, Kind)],
    tweak: fn(&mut Material),
) -> BoxedStrategy<(Setup, Scenario)> {
    (setup, kinds(choices), material())
        .prop_map(move |(setup, kind, mut material)| {
            tweak(&mut material);
            let scenario = build(kind, &material, &setup);
            (setup, scenario)
        })
        .boxed()
}

/// The host class of a PVC or PV class, as the scenario's mode names it.
fn host_class_for(class: Option<&str>, m: &Material, setup: &Setup) -> Option<StorageClass> {
    match class {
        None => Some(storage_class("standard", &m.class, true)),
        Some("") => None,
        Some(class) => {
            let name = if setup.mode.storage_classes == StorageClassMode::ToHost {
                setup.cluster.host_name_cluster(class).unwrap()
            } else {
                class.to_owned()
            };
            Some(storage_class(&name, &m.class, false))
        }
    }
}

/// The host class of a PV or PVC in sync mode (the host's class of that very name).
fn sync_host_class(class: Option<&str>, m: &Material) -> Option<StorageClass> {
    class
        .filter(|c| !c.is_empty())
        .map(|c| storage_class(c, &m.class, false))
}

/// A tenant PV named `name` from `m.tenant` (no `host-pv`, no fake label).
fn tenant_pv(name: &str, m: &Material, claim: Option<Value>, setup: &Setup) -> PersistentVolume {
    let mut body = m.tenant.clone();
    body.labels.remove(FAKE_PV);
    if m.flags.current == 3 {
        // A label key that already is N5's host key of a reserved one: a tenant forging it.
        let forged = setup.cluster.host_label_key("release").into_owned();
        body.labels.insert(forged, "forged".to_owned());
    }
    body.terminating = m.flags.virtual_terminating;
    pv(name, &body, claim)
}

/// H1 by the crate, with node volumes allowed: the host copy a tenant PV got when it was made.
pub fn host_copy(setup: &Setup, virtual_pv: &PersistentVolume) -> Option<PersistentVolume> {
    let maker = setup
        .with_options(
            setup
                .options
                .clone()
                .with_tenant_node_volumes(TenantNodeVolumes::Allow),
        )
        .translator();
    maker
        .host_pv(&Inputs::new().with_virtual_pv(virtual_pv))
        .ok()
        .and_then(|d| d.desired)
}

/// Builds a scenario of `kind` from the material, consistent with `setup`.
pub fn build(kind: Kind, m: &Material, setup: &Setup) -> Scenario {
    let cluster = &setup.cluster;
    let h = cluster.host_namespace();
    let f = &m.flags;
    let mut s = Scenario::empty(kind);
    let pvc_host_name = cluster.host_name(&m.pvc.name, &m.pvc.namespace).unwrap();
    let our_claim = || claim_ref(Some(h), &pvc_host_name, Some(&provisioned_uid(&m.pv_name)));
    match kind {
        Kind::FakeBound | Kind::FakeMismatch => {
            let claim = pvc(&m.pvc, Some(&m.pv_name));
            let host_name = if kind == Kind::FakeMismatch {
                format!("{}-other", m.pv_name)
            } else {
                m.pv_name.clone()
            };
            if f.with_host_pv || kind == Kind::FakeMismatch {
                s.host_pv = Some(pv(&host_name, &m.host, Some(our_claim())));
            }
            if f.with_class {
                s.host_class = host_class_for(m.pvc.class.as_deref(), m, setup);
            }
            s.virtual_pv = match f.current {
                6 | 7 => Some(fake_pv(&m.pv_name, &claim, "Delete")),
                8 => Some(tenant_pv(&m.pv_name, m, None, setup)),
                9 => Some(with_json(&fake_pv(&m.pv_name, &claim, "Retain"), |v| {
                    v["metadata"]["labels"][CONTROLLED_BY] = json!("other-controller");
                })),
                _ => None,
            };
            s.virtual_pvc = Some(claim);
        }
        Kind::FakeUnbound => {
            let claim = pvc(&m.pvc, None);
            if f.current >= 5 {
                s.virtual_pv = Some(fake_pv(&m.pv_name, &claim, "Delete"));
            }
            if f.with_class {
                s.host_class = host_class_for(m.pvc.class.as_deref(), m, setup);
            }
            s.virtual_pvc = Some(claim);
        }
        Kind::FakeOrphan => {
            let claim = pvc(&m.pvc, Some(&m.pv_name));
            s.virtual_pv = Some(if f.current >= 5 {
                fake_pv(&m.pv_name, &claim, "Delete")
            } else {
                tenant_pv(&m.pv_name, m, None, setup)
            });
        }
        Kind::Bound | Kind::BoundUnowned => {
            let host = pv(&m.pv_name, &m.host, Some(our_claim()));
            if kind == Kind::Bound {
                s.virtual_pvc = Some(pvc(&m.pvc, Some(&m.pv_name)));
                s.host_pvc = Some(host_pvc_of(setup, &m.pvc, &m.pv_name));
            }
            if f.with_class {
                s.host_class = sync_host_class(m.pvc.class.as_deref(), m);
            }
            s.host_pv = Some(host);
        }
        Kind::MirrorExists | Kind::Released => {
            let mut host_body = m.host.clone();
            if kind == Kind::Released {
                host_body.phase = Some("Released");
                host_body.reclaim = Some("Retain");
            }
            let host = pv(&m.pv_name, &host_body, Some(our_claim()));
            let claim = pvc(&m.pvc, Some(&m.pv_name));
            let mirror = mirror_of(&host, Some(&claim));
            let with_mirror = kind == Kind::MirrorExists || f.current >= 3;
            if with_mirror {
                let mirror = if f.virtual_terminating {
                    terminating(&mirror)
                } else {
                    mirror
                };
                s.virtual_pv = Some(edited(&mirror, &m.virtual_edits));
                if f.with_last {
                    s.last_virtual_pv = Some(mirror);
                    s.last_host_pv = Some(host.clone());
                }
            }
            s.host_pv = Some(if with_mirror {
                edited(&host, &m.host_edits)
            } else {
                host
            });
            if kind == Kind::MirrorExists && f.with_pvc {
                s.host_pvc = Some(host_pvc_of(setup, &m.pvc, &m.pv_name));
                s.virtual_pvc = Some(claim);
            }
        }
        Kind::Forged => {
            let own_claim = f
                .virtual_claim
                .then(|| claim_ref(Some(&m.pvc.namespace), &m.pvc.name, m.pvc.uid.as_deref()));
            let victim_claim = match f.victim {
                Victim::DataVolume => Some(claim_ref(
                    Some(h),
                    &format!("data-{}-0", cluster.name()),
                    Some("data-uid"),
                )),
                Victim::OtherTenantClaim => Some(claim_ref(
                    Some(h),
                    &cluster
                        .host_name(&m.other_name, &m.other_namespace)
                        .unwrap(),
                    None,
                )),
                Victim::OtherVcluster => Some(claim_ref(
                    Some(h),
                    &pv_translate::names::host_name(&m.pvc.name, &m.pvc.namespace, "other-vc")
                        .unwrap(),
                    None,
                )),
                Victim::OtherNamespace => Some(claim_ref(
                    Some(&other_namespace(&m.other_namespace, h)),
                    &pvc_host_name,
                    None,
                )),
                Victim::Unclaimed | Victim::OtherTenantCopy => None,
                Victim::Legit => Some(our_claim()),
            };
            let mut victim = pv(&m.pv_name, &m.host, victim_claim);
            if f.victim == Victim::OtherTenantCopy {
                let other = tenant_pv(&m.other_name, m, None, setup);
                if let Some(copy) = host_copy(setup, &other) {
                    victim = with_json(&copy, |v| {
                        v["metadata"]["name"] = json!(m.pv_name);
                    });
                }
            }
            let forged = with_json(&tenant_pv(&m.tenant_name, m, own_claim, setup), |v| {
                v["metadata"]["annotations"][HOST_PV] = json!(m.pv_name);
            });
            s.virtual_pv = Some(edited(&forged, &m.virtual_edits));
            if f.with_last {
                s.last_virtual_pv = Some(forged);
                s.last_host_pv = Some(victim.clone());
            }
            if f.virtual_claim && f.current < 3 {
                s.virtual_pvc = Some(pvc(&m.pvc, Some(&m.tenant_name)));
            }
            s.host_pv = Some(victim);
        }
        Kind::Foreign => {
            let namespace = match f.foreign {
                ForeignClaim::Other => Some(other_namespace(&m.other_namespace, h)),
                ForeignClaim::Missing => None,
                ForeignClaim::Empty => Some(String::new()),
            };
            let mut host_body = m.host.clone();
            if f.current.is_multiple_of(2) {
                host_body.reclaim = Some("Retain");
                host_body.phase = Some("Released");
            }
            // The claim name is N2 of the generated PVC: a PVC "matching" it by name is given.
            let host = pv(
                &m.pv_name,
                &host_body,
                Some(claim_ref(namespace.as_deref(), &pvc_host_name, None)),
            );
            let claim = pvc(&m.pvc, Some(&m.pv_name));
            s.virtual_pv = match f.current {
                0..=3 => None,
                4..=6 => Some(mirror_of(&host, Some(&claim))),
                7 => Some(fake_pv(&m.pv_name, &claim, "Delete")),
                _ => {
                    // A tenant PV whose host copy was bound in another namespace.
                    let tenant = tenant_pv(&m.tenant_name, m, None, setup);
                    let copy = host_copy(setup, &tenant);
                    if let Some(copy) = copy {
                        s.host_pv = Some(with_json(&copy, |v| {
                            v["spec"]["claimRef"] = host
                                .spec
                                .as_ref()
                                .map_or(Value::Null, |s| to_json(&s.claim_ref));
                            v["status"] = json!({"phase": "Bound"});
                        }));
                    }
                    Some(tenant)
                }
            };
            if s.host_pv.is_none() {
                s.host_pv = Some(host);
            }
            if f.with_pvc {
                s.virtual_pvc = Some(claim);
            }
        }
        Kind::Unclaimed => {
            let mut body = m.host.clone();
            body.phase = Some("Available");
            s.host_pv = Some(pv(&m.pv_name, &body, None));
        }
        Kind::TenantNew => {
            let tenant = tenant_pv(&m.tenant_name, m, None, setup);
            if f.with_class {
                s.host_class = sync_host_class(m.tenant.class.as_deref(), m);
            }
            s.virtual_pv = Some(tenant);
        }
        Kind::TenantWithCopy | Kind::OrphanCopy => {
            let tenant = with_json(&tenant_pv(&m.tenant_name, m, None, setup), |v| {
                v["metadata"]["deletionTimestamp"] = Value::Null;
            });
            let Some(copy) = host_copy(setup, &tenant) else {
                s.virtual_pv = Some(tenant);
                return s;
            };
            // The host's PV controller binds the copy, sometimes, to N2 of the PVC in `H`.
            let bound = f.with_pvc;
            let copy = with_json(&copy, |v| {
                v["metadata"]["uid"] = json!("host-uid");
                v["metadata"]["resourceVersion"] = json!("11");
                if bound {
                    v["spec"]["claimRef"] = our_claim();
                    v["status"] = json!({"phase": "Bound"});
                } else {
                    v["status"] = json!({"phase": "Available"});
                }
            });
            let claim = pvc(&m.pvc, Some(&m.tenant_name));
            let tenant = with_json(&tenant, |v| {
                if bound {
                    v["spec"]["claimRef"] = s7_claim(&our_claim(), &claim);
                }
                v["status"] = copy.status.as_ref().map_or(Value::Null, to_json);
            });
            if kind == Kind::OrphanCopy {
                s.host_pv = Some(copy.clone());
                if f.with_last {
                    s.last_host_pv = Some(copy);
                    s.last_virtual_pv = Some(tenant);
                }
                return s;
            }
            let now_virtual = edited(&tenant, &m.virtual_edits);
            s.virtual_pv = Some(if f.virtual_terminating {
                terminating(&now_virtual)
            } else {
                now_virtual
            });
            s.host_pv = Some(edited(&copy, &m.host_edits));
            if f.with_last {
                s.last_virtual_pv = Some(tenant);
                s.last_host_pv = Some(copy);
            }
            if bound && f.current < 5 {
                s.virtual_pvc = Some(claim);
            }
            if f.with_class {
                s.host_class = sync_host_class(m.tenant.class.as_deref(), m);
            }
        }
        Kind::FakeLeftover => {
            let claim = pvc(&m.pvc, Some(&m.pv_name));
            s.virtual_pv = Some(fake_pv(&m.pv_name, &claim, "Delete"));
            if f.with_host_pv {
                let host_claim = if f.current < 7 {
                    Some(our_claim())
                } else {
                    Some(claim_ref(Some(h), &m.other_name, None))
                };
                s.host_pv = Some(pv(&m.pv_name, &m.host, host_claim));
            }
            if f.with_pvc {
                s.virtual_pvc = Some(claim);
            }
        }
    }
    s.virtual_class = Some(storage_class(
        m.pvc
            .class
            .as_deref()
            .filter(|c| !c.is_empty())
            .unwrap_or("standard"),
        &m.class,
        m.class.beta_default,
    ));
    s
}

/// A namespace that is not `h`.
fn other_namespace(candidate: &str, h: &str) -> String {
    if candidate == h {
        format!("{candidate}-x")
    } else {
        candidate.to_owned()
    }
}

/// The host copy of a virtual PVC as P1 made it and the host's binder bound it to `volume`.
/// The uid of the host PVC a host PV named `pv_name` is bound to: a provisioner names the PV
/// `pvc-<host PVC uid>` (SPEC T3), so a PV of that form was provisioned for the claim; any other
/// name is a static PV the claim bound (uid `host-pvc-uid`).
pub fn provisioned_uid(pv_name: &str) -> String {
    pv_name
        .strip_prefix("pvc-")
        .unwrap_or("host-pvc-uid")
        .to_owned()
}

/// SPEC T3, independently of the crate: whether `host` was provisioned for `host_pvc`, the host
/// copy of the virtual PVC (claimRef namespace, name and uid, and the name `pvc-<uid>`).
pub fn provisioned_for(
    host: &PersistentVolume,
    host_pvc: Option<&PersistentVolumeClaim>,
    cluster: &VirtualCluster,
) -> bool {
    let Some(host_pvc) = host_pvc else {
        return false;
    };
    let host = to_json(host);
    let pvc = to_json(host_pvc);
    let uid = pvc["metadata"]["uid"].as_str().unwrap_or("");
    !uid.is_empty()
        && host["spec"]["claimRef"]["namespace"] == json!(cluster.host_namespace())
        && host["spec"]["claimRef"]["name"] == pvc["metadata"]["name"]
        && host["spec"]["claimRef"]["uid"] == json!(uid)
        && host["metadata"]["name"] == json!(format!("pvc-{uid}"))
}

pub fn host_pvc_of(setup: &Setup, body: &PvcBody, volume: &str) -> PersistentVolumeClaim {
    let cluster = &setup.cluster;
    let name = cluster.host_name(&body.name, &body.namespace).unwrap();
    from_json(json!({
        "metadata": {
            "name": name,
            "namespace": cluster.host_namespace(),
            "labels": {MANAGED_BY: cluster.name(), "vcluster.loft.sh/namespace": body.namespace},
            "annotations": {
                OBJECT_NAME: body.name,
                OBJECT_NAMESPACE: body.namespace,
                OBJECT_KIND: "/v1, Kind=PersistentVolumeClaim",
                OBJECT_HOST_NAME: name,
                OBJECT_HOST_NAMESPACE: cluster.host_namespace(),
                "pv.kubernetes.io/bind-completed": "yes",
            },
            "uid": provisioned_uid(volume),
            "resourceVersion": "5",
        },
        "spec": {
            "accessModes": body.modes,
            "resources": {"requests": {"storage": body.request}},
            "volumeName": volume,
        },
        "status": {"phase": "Bound", "capacity": {"storage": body.request}},
    }))
}

// ---------------------------------------------------------------------------------------------
// Garbage.

/// Strings that break something: invalid quantities, non-ASCII and over-long names, wrong
/// enum values, forged well-known keys.
pub fn garbage_string() -> BoxedStrategy<String> {
    prop_oneof![
        3 => select(vec![
            "", " ", "ä", "日本", "-", ".", "a.-b", "UPPER", "-1Gi", "1.2.3", "1e", "Gi", "1Gib",
            "+", "NaN", "1e999999999999", "1e-999999999", "0.1n", "0.0000000001n",
            "99999999999999999999999999999999999999999999", "9223372036854775808Ei",
            "ReadWriteSometimes", "Bogus", "Recycle", "Block", "true", HOST_PV, MANAGED_BY,
            "2024-01-01T00:00:00Z", "default", "vc", "team-a",
        ])
        .prop_map(str::to_owned),
        1 => Just("a".repeat(300)),
        1 => "\\PC{0,12}",
        1 => "[a-z0-9.-]{0,80}",
        1 => quantity(),
    ]
    .boxed()
}

/// Random JSON: scalars, garbage strings, small arrays and objects with known and unknown keys.
pub fn garbage_json() -> BoxedStrategy<Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|n| json!(n)),
        garbage_string().prop_map(Value::String),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    select(vec![
                        "metadata",
                        "spec",
                        "status",
                        "name",
                        "namespace",
                        "labels",
                        "annotations",
                        "capacity",
                        "storage",
                        "accessModes",
                        "claimRef",
                        "csi",
                        "hostPath",
                        "volumeName",
                        "requests",
                        "resources",
                        "persistentVolumeReclaimPolicy",
                        "storageClassName",
                        "uid",
                    ])
                    .prop_map(str::to_owned),
                    garbage_string(),
                ],
                inner,
                0..4,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
    .boxed()
}

/// Where a mutation lands: anywhere (selectors pick a member at each level), or a field the
/// rules read.
#[derive(Debug, Clone)]
pub enum Target {
    /// At each level, the member at `selector % len`.
    Anywhere(Vec<u8>),
    /// This path of keys, made when missing.
    Field(&'static [&'static str]),
}

/// Fields the rules read: quantities, names, namespaces, enums, the volume source, the
/// well-known labels and annotations, the deletion timestamp.
pub const READ_FIELDS: [&[&str]; 20] = [
    &["spec", "capacity", "storage"],
    &["spec", "resources", "requests", "storage"],
    &["spec", "resources", "requests"],
    &["metadata", "name"],
    &["metadata", "namespace"],
    &["spec", "claimRef", "namespace"],
    &["spec", "claimRef", "name"],
    &["spec", "claimRef"],
    &["spec", "volumeName"],
    &["spec", "storageClassName"],
    &["spec", "accessModes"],
    &["spec", "volumeMode"],
    &["spec", "persistentVolumeReclaimPolicy"],
    &["spec", "hostPath"],
    &["spec", "csi", "driver"],
    &["metadata", "annotations", HOST_PV],
    &["metadata", "labels", MANAGED_BY],
    &["metadata", "labels", FAKE_PV],
    &["metadata", "annotations", OBJECT_NAME],
    &["reclaimPolicy"],
];

/// One change to an object's JSON: at the target, remove the member or set it to a garbage
/// value.
#[derive(Debug, Clone)]
pub struct Mutation {
    pub target: Target,
    pub remove: bool,
    pub value: Value,
}

pub fn mutation() -> BoxedStrategy<Mutation> {
    let target = prop_oneof![
        1 => prop::collection::vec(any::<u8>(), 1..5).prop_map(Target::Anywhere),
        1 => select(READ_FIELDS.to_vec()).prop_map(Target::Field),
    ];
    let value = prop_oneof![
        3 => garbage_string().prop_map(Value::String),
        1 => prop::collection::vec(garbage_string().prop_map(Value::String), 0..3).prop_map(Value::Array),
        2 => garbage_json(),
    ];
    (target, prop::bool::weighted(0.25), value)
        .prop_map(|(target, remove, value)| Mutation {
            target,
            remove,
            value,
        })
        .boxed()
}

fn mutate_field(value: &mut Value, path: &[&str], mutation: &Mutation) {
    let Some((key, rest)) = path.split_first() else {
        *value = mutation.value.clone();
        return;
    };
    if !value.is_object() {
        *value = json!({});
    }
    let map = value.as_object_mut().unwrap();
    if rest.is_empty() && mutation.remove {
        map.remove(*key);
    } else {
        mutate_field(
            map.entry((*key).to_owned()).or_insert(Value::Null),
            rest,
            mutation,
        );
    }
}

fn mutate(value: &mut Value, path: &[u8], mutation: &Mutation) {
    let Some((selector, rest)) = path.split_first() else {
        *value = mutation.value.clone();
        return;
    };
    match value {
        Value::Object(map) if !map.is_empty() => {
            let key = map
                .keys()
                .nth(usize::from(*selector) % map.len())
                .cloned()
                .unwrap();
            if rest.is_empty() || !map[&key].is_object() && !map[&key].is_array() {
                if mutation.remove {
                    map.remove(&key);
                } else {
                    map.insert(key, mutation.value.clone());
                }
            } else {
                mutate(map.get_mut(&key).unwrap(), rest, mutation);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            let index = usize::from(*selector) % items.len();
            if rest.is_empty() {
                if mutation.remove {
                    items.remove(index);
                } else {
                    items[index] = mutation.value.clone();
                }
            } else {
                mutate(&mut items[index], rest, mutation);
            }
        }
        other => *other = mutation.value.clone(),
    }
}

/// `object` with each mutation applied that still deserialises (type-correct garbage), and
/// whether any did.
pub fn mutated<T: Serialize + DeserializeOwned + Clone>(
    object: &T,
    mutations: &[Mutation],
) -> (T, bool) {
    let mut value = to_json(object);
    let mut current = object.clone();
    let mut changed = false;
    for mutation in mutations {
        let mut next = value.clone();
        match &mutation.target {
            Target::Anywhere(path) => mutate(&mut next, path, mutation),
            Target::Field(path) => mutate_field(&mut next, path, mutation),
        }
        if let Ok(object) = serde_json::from_value::<T>(next.clone()) {
            value = next;
            current = object;
            changed = true;
        }
    }
    (current, changed)
}

/// A garbage scenario: a consistent one whose objects' JSON was mutated, and how many objects
/// really changed.
#[derive(Debug, Clone)]
pub struct Garbage {
    pub scenario: Scenario,
    pub mutated: usize,
}

fn mutate_option<T: Serialize + DeserializeOwned + Clone>(
    object: &mut Option<T>,
    mutations: &[Mutation],
    count: &mut usize,
) {
    if let Some(o) = object.as_mut() {
        let (next, changed) = mutated(o, mutations);
        *o = next;
        if changed {
            *count += 1;
        }
    }
}

/// A setup and a garbage scenario.
pub fn garbage(setup: BoxedStrategy<Setup>) -> BoxedStrategy<(Setup, Garbage)> {
    let all_kinds: Vec<(u32, Kind)> = FAKE_KINDS
        .iter()
        .chain(SYNC_KINDS.iter())
        .copied()
        .collect();
    (
        case(setup, &all_kinds),
        prop::collection::vec(prop::collection::vec(mutation(), 0..4), 9),
        prop::collection::vec(prop::option::weighted(0.1, garbage_json()), 4),
    )
        .prop_map(|((setup, mut s), mutations, replacements)| {
            let mut count = 0;
            mutate_option(&mut s.virtual_pvc, &mutations[0], &mut count);
            mutate_option(&mut s.host_pvc, &mutations[1], &mut count);
            mutate_option(&mut s.host_pv, &mutations[2], &mut count);
            mutate_option(&mut s.host_class, &mutations[3], &mut count);
            mutate_option(&mut s.virtual_pv, &mutations[4], &mut count);
            mutate_option(&mut s.last_virtual_pv, &mutations[5], &mut count);
            mutate_option(&mut s.last_host_pv, &mutations[6], &mut count);
            mutate_option(&mut s.virtual_class, &mutations[7], &mut count);
            mutate_option(&mut s.last_host_pvc, &mutations[8], &mut count);
            // Sometimes a whole object is random JSON (unknown keys ignored, so mostly empty).
            let replace = |slot: usize| replacements[slot].clone();
            if let Some(v) = replace(0) {
                s.virtual_pvc = serde_json::from_value(v).ok().or(s.virtual_pvc);
                count += 1;
            }
            if let Some(v) = replace(1) {
                s.host_pv = serde_json::from_value(v).ok().or(s.host_pv);
                count += 1;
            }
            if let Some(v) = replace(2) {
                s.virtual_pv = serde_json::from_value(v).ok().or(s.virtual_pv);
                count += 1;
            }
            if let Some(v) = replace(3) {
                s.host_class = serde_json::from_value(v).ok().or(s.host_class);
                count += 1;
            }
            (
                setup,
                Garbage {
                    scenario: s,
                    mutated: count,
                },
            )
        })
        .boxed()
}

// ---------------------------------------------------------------------------------------------
// Reading objects in assertions.

/// The PV as a desired object holds it: no server-set metadata, empty maps as absent.
pub fn user_part(pv: &PersistentVolume) -> PersistentVolume {
    let mut out = pv.clone();
    let meta = &pv.metadata;
    out.metadata = k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
        name: meta.name.clone(),
        namespace: meta.namespace.clone(),
        labels: meta.labels.clone().filter(|m| !m.is_empty()),
        annotations: meta.annotations.clone().filter(|m| !m.is_empty()),
        ..Default::default()
    };
    out
}

pub fn annotation<'a>(pv: &'a PersistentVolume, key: &str) -> Option<&'a str> {
    pv.metadata
        .annotations
        .as_ref()?
        .get(key)
        .map(String::as_str)
}

pub fn label<'a>(pv: &'a PersistentVolume, key: &str) -> Option<&'a str> {
    pv.metadata.labels.as_ref()?.get(key).map(String::as_str)
}

pub fn name_of(pv: &PersistentVolume) -> &str {
    pv.metadata.name.as_deref().unwrap_or_default()
}

/// The claim of a PV as `(namespace, name)`; a missing namespace is `None`.
pub fn claim_of(pv: &PersistentVolume) -> Option<(Option<&str>, &str)> {
    let claim = pv.spec.as_ref()?.claim_ref.as_ref()?;
    Some((
        claim.namespace.as_deref(),
        claim.name.as_deref().unwrap_or_default(),
    ))
}

pub fn reclaim_of(pv: &PersistentVolume) -> Option<&str> {
    pv.spec
        .as_ref()?
        .persistent_volume_reclaim_policy
        .as_deref()
}

/// The volume sources a PV sets, as `{key: value}`.
pub fn sources(pv: &PersistentVolume) -> Map<String, Value> {
    let spec = to_json(&pv.spec);
    SOURCE_KEYS
        .iter()
        .filter_map(|key| spec.get(*key).map(|v| ((*key).to_owned(), v.clone())))
        .collect()
}

/// Whether a PV's source is `hostPath` or `local`.
pub fn is_node_volume(pv: &PersistentVolume) -> bool {
    pv.spec
        .as_ref()
        .is_some_and(|s| s.host_path.is_some() || s.local.is_some())
}

pub fn is_fake(pv: &PersistentVolume) -> bool {
    label(pv, FAKE_PV) == Some("true")
}

pub fn is_terminating(pv: &PersistentVolume) -> bool {
    pv.metadata.deletion_timestamp.is_some()
}

/// Whether two capacity maps hold the same quantities, by value.
pub fn same_capacity(a: &PersistentVolume, b: &PersistentVolume) -> bool {
    let cap = |pv: &PersistentVolume| {
        pv.spec
            .as_ref()
            .and_then(|s| s.capacity.clone())
            .unwrap_or_default()
    };
    let (a, b) = (cap(a), cap(b));
    a.len() == b.len()
        && a.iter().all(|(k, x)| {
            b.get(k)
                .is_some_and(|y| pv_translate::quantity::same_quantity(&x.0, &y.0))
        })
}

/// Debug text, for determinism checks.
pub fn debug<T: Debug>(value: &T) -> String {
    format!("{value:?}")
}

/// A `Result` with its error as Display text, for comparing results of different entry points.
pub fn shown<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<T, String> {
    result.map_err(|e| e.to_string())
}
