//! PVCs between the clusters (SPEC P1-P4, T2, T4, U1, U3, U4): the host copy of a virtual PVC,
//! and the two kept in step.
//!
//! - **P1** The host copy: name N2 in `H`, the marker labels, H1's bookkeeping annotations plus
//!   the namespaces; the class translated as vcluster does (the deprecated class annotation,
//!   `ToHost` classes, sync mode's static PVCs and classes the host lacks); in sync mode the
//!   selector's keys through N5 and `volumeName` through P2. `vcluster.loft.sh/skip-translate`
//!   is honoured only with option `honorSkipTranslate` (**deviation**: vcluster honours it from
//!   any tenant). No status (**deviation**: the host's controllers own it).
//! - **P2** In sync mode `volumeName` names the host PV: a mirror's host name when S5's evidence
//!   holds (**deviation**: vcluster always applies N3), N3 otherwise.
//! - **T2** (`tenantBinding: Own`, **deviation**) In fake mode a claim names only a host PV
//!   reserved for its own host PVC (or none yet existing) and has no selector; a claim for no
//!   class (`""`) gets this virtual cluster's classless class, N3 of `""`.
//! - **T4** (**deviation**) Every data source names the host copy (N2) of an object of the PVC's
//!   own namespace; another namespace is a conflict; the annotations that steer the host's
//!   controllers never reach the host.
//! - **P3, U1** The virtual PVC takes the host PVC's status, its binder annotations and its
//!   `volumeName`; the host PVC takes the virtual requests when Kubernetes accepts them; labels
//!   and annotations follow B2 both ways from the last synced versions.
//! - **P4, U4** Deleting one side deletes the other, with vcluster's grace periods.
//! - **U3** A class-limited PVC (C3) is not synced at all, in either cluster.

mod metadata;
mod pair;
mod to_host;

pub(crate) use metadata::{Crossing, History, merge, summary};
pub(crate) use pair::{PvcFates, PvcInputs, PvcWhys, VirtualPvcFate, decide};
pub(crate) use to_host::{Related, host_pvc_owned, requested_class};
