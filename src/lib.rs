//! # pv-translate
//!
//! How PersistentVolumes look inside a virtual Kubernetes cluster (vcluster-style) that borrows
//! its storage from a host cluster: pure functions from (virtual PVC, host PV, host StorageClass,
//! sync mode, options) to the desired objects, each decision explained.
//!
//! vcluster's default *fake* PVs always say reclaim policy `Delete`, even when the host will
//! `Retain` the data (upstream issue #2098). This crate reproduces that byte for byte by default,
//! and offers explicit options to show the truth:
//!
//! ```
//! use k8s_openapi::api::core::v1::PersistentVolume;
//! use k8s_openapi::api::core::v1::PersistentVolumeClaim;
//! use pv_translate::{FakeReclaimPolicy, Inputs, Options, Translator, VirtualCluster};
//!
//! let pvc: PersistentVolumeClaim = serde_json::from_value(serde_json::json!({
//!     "metadata": {"name": "data", "namespace": "default"},
//!     "spec": {
//!         "accessModes": ["ReadWriteOnce"],
//!         "resources": {"requests": {"storage": "5Gi"}},
//!         "storageClassName": "standard",
//!         "volumeName": "pvc-1a2b3c",
//!     },
//! }))?;
//! let host_pv: PersistentVolume = serde_json::from_value(serde_json::json!({
//!     "metadata": {"name": "pvc-1a2b3c"},
//!     "spec": {"persistentVolumeReclaimPolicy": "Retain"},
//! }))?;
//! let inputs = Inputs::new().with_virtual_pvc(&pvc).with_host_pv(&host_pv);
//!
//! // vcluster's behaviour: the tenant sees Delete.
//! let translator = Translator::new(VirtualCluster::new("my-vcluster", "team-a"));
//! let fake = translator.desired_virtual_pv(&inputs)?.expect("bound PVC");
//! let policy = |pv: &PersistentVolume| pv.spec.as_ref()?.persistent_volume_reclaim_policy.clone();
//! assert_eq!(policy(&fake).as_deref(), Some("Delete"));
//!
//! // Opt in to the truth: the fake PV inherits the host PV's policy.
//! let truthful = translator
//!     .with_options(Options::default().with_fake_reclaim_policy(FakeReclaimPolicy::Inherit))
//!     .desired_virtual_pv(&inputs)?
//!     .expect("bound PVC");
//! assert_eq!(policy(&truthful).as_deref(), Some("Retain"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The rules are those of the project's SPEC.md; every rule id (`F3`, `S5`, ...) appears in the
//! docs and tests that implement it. Functions have no side effects: no client, no I/O, no clock.
//!
//! ## Features
//!
//! - `yaml` (default): the [`case`] module (case files of CASES.md) and YAML reading.
//!
//! `k8s-openapi` is used without a Kubernetes version feature; the application picks one
//! (e.g. `k8s-openapi = { version = "0.29", features = ["latest"] }`), as with kube-rs.

#[cfg(feature = "yaml")]
pub mod case;
pub mod cluster;
#[cfg(feature = "yaml")]
pub mod config;
pub mod error;
pub mod explain;
pub mod fake;
pub mod inputs;
pub mod mode;
pub mod names;
pub mod options;
pub mod quantity;
pub mod reclaim;
pub mod storage_class;
pub mod sync;
pub mod translator;
pub mod validate;
pub mod wellknown;

mod host_meta;
mod object;

pub use cluster::VirtualCluster;
pub use error::{Error, ObjectRef};
pub use explain::{Explanation, Rule, Translation};
pub use inputs::Inputs;
pub use mode::{PvMode, StorageClassMode, SyncMode};
pub use options::{ConflictPolicy, FakeCapacity, FakeReclaimPolicy, Options, RetainedPvMirroring};
pub use reclaim::ReclaimPolicy;
pub use translator::Translator;

// The README's example is compiled and run as a doc test.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
