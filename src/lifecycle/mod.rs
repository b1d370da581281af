//! Storage lifecycle without a cluster (SPEC K1-K5, Y1-Y3, L1): a pure, deterministic simulation
//! of the virtual cluster, the host cluster and the disks, driven by this crate's plan.
//!
//! A [`World`] holds both clusters and the disks. A [`Step`] is one action of a person; after
//! each, the world *settles*: rounds of the host's Kubernetes ([`kube`](self) K1-K5) and of the
//! syncer's plan, applied, until a round changes nothing. The simulation never decides what the
//! syncer would do on its own: it applies [`crate::Plan`]s. No clock, no I/O: uids, disk ids and
//! creation times come from counters.
//!
//! ```
//! use pv_translate::lifecycle::{Step, World};
//! use pv_translate::plan::{ClusterSide, Object};
//! use pv_translate::snapshot::Objects;
//! use pv_translate::{Translator, VirtualCluster};
//!
//! let class = serde_json::from_value(serde_json::json!({
//!     "metadata": {"name": "gp3", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
//!     "provisioner": "ebs.csi.aws.com", "reclaimPolicy": "Retain",
//! }))?;
//! let host = Objects::new(vec![], vec![], vec![class])?;
//! let translator = Translator::new(VirtualCluster::new("vc", "team-a")?);
//! let mut world = World::new(translator, Objects::default(), host, false)?;
//! let pvc = serde_json::from_value(serde_json::json!({
//!     "metadata": {"name": "data", "namespace": "default"},
//!     "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "5Gi"}}},
//! }))?;
//! world.step(Step::Create { cluster: ClusterSide::Virtual, object: Object::PersistentVolumeClaim(Box::new(pvc)) })?;
//! let prediction = world.predict("default", "data")?;
//! // The fake PV says Delete; the host's Retain class keeps the disk: upstream issue #2098.
//! assert!(prediction.tenant_misled);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod apply;
mod ids;
mod invariants;
mod kube;
mod log;
mod mermaid;
mod predict;
mod world;

pub use invariants::Violation;
pub use kube::Disk;
pub use log::{Actor, Event, Target};
pub use mermaid::to_mermaid;
pub use predict::{DiskFate, HostPvFate, Prediction, VirtualPvFate};
pub use world::{ClaimRecord, MAX_ROUNDS, Starting, Step, World};
