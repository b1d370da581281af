#![doc = include_str!("../README.md")]
//!
//! ## Features
//!
//! - `yaml` (default): the [`case`] module (the case files of CASES.md) and [`config`] (vcluster
//!   configuration files), which need a YAML parser.
//!
//! ## Rules
//!
//! The rules are those of the project's SPEC.md; every rule id (`F3`, `S5`, ...) appears in the
//! docs and tests that implement it, and in [`Explanation`]s.

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
