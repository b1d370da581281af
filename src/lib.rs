#![doc = include_str!("../README.md")]
#![cfg_attr(docsrs, feature(doc_cfg))]
//!
//! ## Features
//!
//! - `yaml` (default): the `case` module (case files), `config` (vcluster configuration
//!   files), `dump` (`kubectl get -o yaml` lists) and `scenario` (lifecycle scenario files),
//!   which need a YAML parser. A controller that only translates objects it already holds turns
//!   it off: `pv-translate = { version = "0.1", default-features = false }`.
//!
//! ## Layers
//!
//! 1. Vocabulary: [`names`] (N1-N5), [`quantity`], [`wellknown`], [`ReclaimPolicy`], [`Error`],
//!    [`explain`], [`VirtualCluster`], [`SyncMode`], [`Options`], [`Context`].
//! 2. Rules, one module per family: [`fake`] (F), [`sync`] (S, H, B, D), PVCs (P),
//!    [`storage_class`] (C), `config` (M).
//! 3. [`Decision`]: the desired object, the [`Action`], the changed fields, the explanation.
//! 4. Both clusters: the [`Snapshot`] and its indexes, the [`Plan`].
//! 5. The façade, [`Translator`], and the formats (`case`, `dump`, `scenario`).

pub mod audit;
#[cfg(feature = "yaml")]
#[cfg_attr(docsrs, doc(cfg(feature = "yaml")))]
pub mod case;
pub mod cluster;
#[cfg(feature = "yaml")]
#[cfg_attr(docsrs, doc(cfg(feature = "yaml")))]
pub mod config;
pub mod context;
pub mod decision;
#[cfg(feature = "yaml")]
#[cfg_attr(docsrs, doc(cfg(feature = "yaml")))]
pub mod dump;
pub mod error;
pub mod explain;
pub mod fake;
pub mod inputs;
pub mod lifecycle;
pub mod mode;
pub mod names;
pub mod options;
pub mod plan;
pub mod quantity;
pub mod reclaim;
#[cfg(feature = "yaml")]
#[cfg_attr(docsrs, doc(cfg(feature = "yaml")))]
pub mod scenario;
pub mod snapshot;
pub mod storage_class;
pub mod sync;
pub mod translator;
pub mod validate;
pub mod wellknown;

mod canonical;
mod fate;
mod host_meta;
mod object;
mod pvc;
#[cfg(feature = "yaml")]
mod unknown_fields;

pub use audit::{Finding, FindingKind, Severity};
pub use cluster::VirtualCluster;
pub use context::Context;
pub use decision::{Action, Decision, FIELD_MANAGER};
pub use error::{Error, ObjectRef};
pub use explain::{Explanation, Rule};
pub use inputs::Inputs;
pub use mode::{PvMode, StorageClassMode, SyncMode};
pub use options::{
    ConflictPolicy, FakeCapacity, FakeReclaimPolicy, Options, RetainedPvMirroring, TenantBinding,
    TenantNodeVolumes, TenantSecretRefs,
};
pub use plan::{Plan, PlannedAction};
pub use reclaim::ReclaimPolicy;
pub use snapshot::Snapshot;
pub use translator::{PairDecision, PvPair, Translator};
