//! PVCs between the clusters (SPEC P1-P4): the host copy of a virtual PVC, and what the virtual
//! PVC takes back from it.
//!
//! - **P1** The host copy: name N2 in `H`, the marker labels, H1's bookkeeping annotations plus
//!   the namespaces; the class translated as vcluster does (the deprecated class annotation,
//!   `ToHost` classes, sync mode's static PVCs and classes the host lacks); in sync mode the
//!   selector's keys through N5 and `volumeName` through P2; a `dataSource`/`dataSourceRef` of
//!   kind PersistentVolumeClaim renamed by N2. `vcluster.loft.sh/skip-translate` is honoured
//!   only with option `honorSkipTranslate` (**deviation**: vcluster honours it from any
//!   tenant). No status (**deviation**: the host's controllers own it).
//! - **P2** In sync mode `volumeName` names the host PV: a mirror's host name when S5's evidence
//!   holds (**deviation**: vcluster always applies N3), N3 otherwise.
//! - **P3** The virtual PVC takes the host PVC's status, its binder annotations and its
//!   `volumeName`; the host PVC takes the virtual requests.

mod back;
mod to_host;

pub(crate) use back::{VirtualPvcFate, VirtualPvcInputs, virtual_pvc};
pub(crate) use to_host::{HostPvcInputs, Related, host_pvc, host_pvc_owned};
