//! The audit (SPEC A1): what is wrong, or misleading, in both clusters together, as typed
//! findings. Operators bitten by vcluster issue #2098 (tenants told `Delete` while the host
//! keeps, and bills, `Retain` volumes) run it on both clusters; a pending plan is not a finding.
//!
//! A virtual PV is paired with its host PV by its `vcluster.loft.sh/host-pv` annotation, else by
//! N3 of its name (a tenant's own PV), else, for fake PVs, by equal names. A pair made by the
//! annotation whose host PV has no claim, or a claim in `H` that is not N2 of the virtual PV's
//! own claim, is reported as [`FindingKind::UnprovenHostPvAnnotation`] and checked for nothing
//! else.

mod prometheus;

use std::collections::HashSet;
use std::fmt;

use k8s_openapi::api::core::v1::PersistentVolume;
use serde::Serialize;

pub use prometheus::to_prometheus;

use crate::cluster::VirtualCluster;
use crate::context::Context;
use crate::object::{
    VirtualPvKind, claimed_volume, is_made_from, name, namespace, pv_class, pv_ref, virtual_pv_kind,
};
use crate::quantity::Quantity;
use crate::reclaim::ReclaimPolicy;
use crate::snapshot::Snapshot;
use crate::sync::{host_claim, owns_by_evidence};

/// How much a finding matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub enum Severity {
    /// Data at risk, or a tenant shown what is not its own.
    High,
    /// Storage kept (and billed) against what the tenant was told, or clusters out of step.
    Warning,
    /// Worth knowing.
    Info,
}

impl Severity {
    /// The name as audits print it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::High => "high",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

macro_rules! finding_kinds {
    ($($kind:ident => $severity:ident, $doc:literal;)*) => {
        /// What a finding is about. The order is the audit's output order within a severity.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[non_exhaustive]
        pub enum FindingKind {
            $(#[doc = $doc] $kind,)*
        }

        impl FindingKind {
            /// Every kind, in output order.
            pub const ALL: &'static [Self] = &[$(Self::$kind,)*];

            /// The kind's severity.
            pub const fn severity(self) -> Severity {
                match self {
                    $(Self::$kind => Severity::$severity,)*
                }
            }

            /// The kind's name, as audits print it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Self::$kind => stringify!($kind),)*
                }
            }
        }
    };
}

finding_kinds! {
    AuditIncomplete => High,
        "A dump was not read to its end (a limit of docs/formats.md): findings about the objects \
         after that point are missing.";
    TenantSeesRetainHostDeletes => High,
        "A virtual PV says `Retain`, its host PV will `Delete`: data loss on PVC deletion.";
    MirroredPvOutsideNamespace => High,
        "A virtual PV mirrors a host PV whose claim is in another host namespace than `H`.";
    UnprovenHostPvAnnotation => High,
        "A virtual PV's `vcluster.loft.sh/host-pv` names an existing host PV that has no claim, \
         or whose claim in `H` is not N2 of the virtual PV's own claim (forged or stale).";
    TenantSeesDeleteHostRetains => Warning,
        "A virtual PV says `Delete`, its host PV will `Retain`: storage kept after the PVC is \
         gone (upstream issue #2098).";
    FakePvWithoutClaim => Warning, "A fake PV that no virtual PVC names.";
    HostPvMissing => Warning,
        "A virtual PV (fake or mirrored) whose host PV is not in the host objects.";
    ReleasedHostPvWithoutVirtual => Warning,
        "A `Released` host PV whose claim was in `H` and that no virtual PV shows.";
    CapacityDrift => Warning, "A mirrored virtual PV and its host PV disagree on capacity.";
    StorageClassDrift => Warning,
        "They disagree on the storage class (after N3 where it applies).";
    AccessModesDrift => Warning, "They disagree on access modes.";
}

impl fmt::Display for FindingKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding of the audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Finding {
    /// What it is about.
    pub kind: FindingKind,
    /// How much it matters (the kind's).
    pub severity: Severity,
    /// The virtual PV involved, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtual_pv: Option<String>,
    /// The virtual PVC involved (`namespace/name`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub virtual_pvc: Option<String>,
    /// The host PV involved, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_pv: Option<String>,
    /// One sentence a person understands.
    pub message: String,
    /// The host PV's storage capacity in bytes, when known (for the retained-bytes gauge).
    #[serde(skip)]
    pub host_storage_bytes: Option<u128>,
}

impl Finding {
    fn new(kind: FindingKind, message: String) -> Self {
        Self {
            kind,
            severity: kind.severity(),
            virtual_pv: None,
            virtual_pvc: None,
            host_pv: None,
            message,
            host_storage_bytes: None,
        }
    }

    fn virtual_pv(mut self, pv: &PersistentVolume) -> Self {
        self.virtual_pv = Some(name(&pv.metadata).to_owned());
        self.virtual_pvc = pv
            .spec
            .as_ref()
            .and_then(|s| s.claim_ref.as_ref())
            .and_then(|c| {
                Some(format!(
                    "{}/{}",
                    c.namespace.as_deref()?,
                    c.name.as_deref()?
                ))
            });
        self
    }

    fn host_pv(mut self, pv: &PersistentVolume) -> Self {
        self.host_pv = Some(name(&pv.metadata).to_owned());
        self.host_storage_bytes = storage_bytes(pv);
        self
    }

    /// The object the finding is ordered by: the virtual PV's name, else the host PV's.
    fn object(&self) -> &str {
        self.virtual_pv
            .as_deref()
            .or(self.host_pv.as_deref())
            .unwrap_or_default()
    }
}

/// A PV's `spec.capacity.storage` in bytes, rounded up.
fn storage_bytes(pv: &PersistentVolume) -> Option<u128> {
    let text = &pv.spec.as_ref()?.capacity.as_ref()?.get("storage")?.0;
    text.parse::<Quantity>().ok()?.to_bytes_ceil()
}

/// A PV's reclaim policy as the cluster applies it: a PV without the field gets `Retain`
/// (the API default for PersistentVolumes).
fn policy(pv: &PersistentVolume) -> Option<ReclaimPolicy> {
    match pv
        .spec
        .as_ref()
        .and_then(|s| s.persistent_volume_reclaim_policy.as_deref())
    {
        None | Some("") => Some(ReclaimPolicy::Retain),
        Some(text) => text.parse().ok(),
    }
}

/// A1: the findings for both clusters, ordered by severity, kind and object.
pub(crate) fn audit(context: &Context, snapshot: &Snapshot) -> Vec<Finding> {
    let (virtual_objects, host) = (&snapshot.virtual_cluster, &snapshot.host_cluster);
    let cluster = context.cluster();
    let mut findings = Vec::new();
    let mut shown: HashSet<&str> = HashSet::new();
    for pv in virtual_objects.pvs() {
        let kind = virtual_pv_kind(pv);
        let host_name = match kind {
            VirtualPvKind::Mirror(host_name) => host_name.to_owned(),
            VirtualPvKind::Fake => name(&pv.metadata).to_owned(),
            VirtualPvKind::TenantMade => match cluster.host_name_cluster(name(&pv.metadata)) {
                Ok(host_name) => host_name,
                Err(_) => continue,
            },
        };
        if kind == VirtualPvKind::Fake
            && virtual_objects
                .pvcs_naming(name(&pv.metadata))
                .next()
                .is_none()
        {
            findings.push(
                Finding::new(
                    FindingKind::FakePvWithoutClaim,
                    format!(
                        "fake PV {} is named by no virtual PVC: vcluster deletes it, and nothing \
                         in the virtual cluster uses it",
                        name(&pv.metadata)
                    ),
                )
                .virtual_pv(pv),
            );
        }
        let Some(host_pv) = host.pv(&host_name) else {
            if kind != VirtualPvKind::TenantMade {
                findings.push(
                    Finding::new(
                        FindingKind::HostPvMissing,
                        format!(
                            "virtual PV {} stands for host PV {host_name}, which is not in the \
                             host cluster",
                            name(&pv.metadata)
                        ),
                    )
                    .virtual_pv(pv),
                );
            }
            continue;
        };
        if let VirtualPvKind::Mirror(_) = kind {
            match host_claim(host_pv) {
                Some((namespace, _)) if namespace != cluster.host_namespace() => {
                    findings.push(
                        Finding::new(
                            FindingKind::MirroredPvOutsideNamespace,
                            format!(
                                "virtual PV {} mirrors host PV {host_name}, whose claim is in \
                                 namespace {namespace:?}, not {:?}: another tenant's volume is \
                                 shown",
                                name(&pv.metadata),
                                cluster.host_namespace()
                            ),
                        )
                        .virtual_pv(pv)
                        .host_pv(host_pv),
                    );
                    continue;
                }
                _ if !owns_by_evidence(pv, host_pv, cluster) => {
                    findings.push(
                        Finding::new(
                            FindingKind::UnprovenHostPvAnnotation,
                            format!(
                                "virtual PV {} names host PV {host_name} in \
                                 vcluster.loft.sh/host-pv, but the host PV's claim is not its \
                                 own: forged or stale, it is not paired",
                                name(&pv.metadata)
                            ),
                        )
                        .virtual_pv(pv)
                        .host_pv(host_pv),
                    );
                    continue;
                }
                _ => {}
            }
        }
        // T6: a fake PV pairs only through the host copy of a claim naming it, a tenant's own PV
        // only with its copy (R5's marker and object-name): a name alone is no evidence.
        let proven = match kind {
            VirtualPvKind::Fake => claimed_through_host_pvc(pv, snapshot, cluster),
            VirtualPvKind::TenantMade => is_made_from(
                &host_pv.metadata,
                cluster.cluster_marker(),
                name(&pv.metadata),
                None,
            ),
            VirtualPvKind::Mirror(_) => true,
        };
        if !proven {
            continue;
        }
        // Only a pair that passed the checks shows its host PV: a forged or stale annotation must
        // not hide a released volume from the operator.
        shown.insert(name(&host_pv.metadata));
        reclaim_findings(pv, host_pv, &mut findings);
        if kind != VirtualPvKind::Fake {
            drift_findings(pv, host_pv, kind, context, &mut findings);
        }
    }
    for host_pv in host.pvs() {
        let released = host_pv.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Released");
        let ours = host_claim(host_pv).is_some_and(|(ns, _)| ns == cluster.host_namespace());
        if released && ours && !shown.contains(name(&host_pv.metadata)) {
            let (_, claim) = host_claim(host_pv).unwrap_or_default();
            findings.push(
                Finding::new(
                    FindingKind::ReleasedHostPvWithoutVirtual,
                    format!(
                        "host PV {} was released by {}/{claim} and no virtual PV shows it: the \
                         tenant cannot see it, and the host keeps it",
                        name(&host_pv.metadata),
                        cluster.host_namespace()
                    ),
                )
                .host_pv(host_pv),
            );
        }
    }
    findings
        .sort_by(|a, b| (a.severity, a.kind, a.object()).cmp(&(b.severity, b.kind, b.object())));
    findings
}

/// T6: whether fake PV `pv` stands for the host PV of its name: a virtual PVC names it, and that
/// PVC's host copy (N2 in `H`, made by this virtual cluster: R5) is bound to it. A tenant can
/// label a PV of its own `fake-pv` and name it in a decoy claim; only the host's binder can bind
/// the host copy.
fn claimed_through_host_pvc(
    pv: &PersistentVolume,
    snapshot: &Snapshot,
    cluster: &VirtualCluster,
) -> bool {
    let volume = name(&pv.metadata);
    snapshot.virtual_cluster.pvcs_naming(volume).any(|claim| {
        let (claim_name, claim_namespace) = (name(&claim.metadata), namespace(&claim.metadata));
        cluster
            .host_name(claim_name, claim_namespace)
            .ok()
            .and_then(|host_name| {
                snapshot
                    .host_cluster
                    .pvc(cluster.host_namespace(), &host_name)
            })
            .is_some_and(|host_pvc| {
                claimed_volume(host_pvc) == Some(volume)
                    && is_made_from(
                        &host_pvc.metadata,
                        cluster.namespaced_marker(),
                        claim_name,
                        Some(claim_namespace),
                    )
            })
    })
}

/// The two lies about the reclaim policy (A1).
fn reclaim_findings(pv: &PersistentVolume, host_pv: &PersistentVolume, out: &mut Vec<Finding>) {
    let (Some(said), Some(done)) = (policy(pv), policy(host_pv)) else {
        return;
    };
    let (kind, what) = match (said, done) {
        (ReclaimPolicy::Delete, ReclaimPolicy::Retain) => (
            FindingKind::TenantSeesDeleteHostRetains,
            "the host keeps the volume, and bills it, after the PVC is gone",
        ),
        (ReclaimPolicy::Retain, ReclaimPolicy::Delete) => (
            FindingKind::TenantSeesRetainHostDeletes,
            "the host destroys the data when the PVC is deleted",
        ),
        _ => return,
    };
    out.push(
        Finding::new(
            kind,
            format!(
                "virtual PV {} says {said}, host PV {} says {done}: {what}",
                name(&pv.metadata),
                name(&host_pv.metadata)
            ),
        )
        .virtual_pv(pv)
        .host_pv(host_pv),
    );
}

/// Capacity, class and access-mode drift of a paired PV that is not fake (A1).
fn drift_findings(
    pv: &PersistentVolume,
    host_pv: &PersistentVolume,
    kind: VirtualPvKind<'_>,
    context: &Context,
    out: &mut Vec<Finding>,
) {
    let finding = |kind: FindingKind, what: String| {
        Finding::new(
            kind,
            format!(
                "virtual PV {} and host PV {} disagree on {what}",
                name(&pv.metadata),
                name(&host_pv.metadata)
            ),
        )
        .virtual_pv(pv)
        .host_pv(host_pv)
    };
    let capacity = |p: &PersistentVolume| {
        p.spec
            .as_ref()
            .and_then(|s| s.capacity.as_ref())
            .and_then(|c| c.get("storage"))
            .map(|q| q.0.clone())
    };
    let (a, b) = (capacity(pv), capacity(host_pv));
    let same = match (&a, &b) {
        (Some(x), Some(y)) => crate::quantity::same_quantity(x, y),
        (None, None) => true,
        _ => false,
    };
    if !same {
        out.push(finding(
            FindingKind::CapacityDrift,
            format!(
                "capacity ({} vs {})",
                a.as_deref().unwrap_or("none"),
                b.as_deref().unwrap_or("none")
            ),
        ));
    }
    let (virtual_class, host_class) = (pv_class(pv), pv_class(host_pv));
    let class_agrees = match kind {
        // T2: a tenant PV's class on the host, no class included.
        VirtualPvKind::TenantMade => {
            crate::sync::host_class(Some(virtual_class), context, || pv_ref(pv))
                .ok()
                .flatten()
                .unwrap_or_default()
                == host_class
        }
        _ => {
            virtual_class == host_class
                || context
                    .cluster()
                    .host_name_cluster(virtual_class)
                    .is_ok_and(|translated| translated == host_class)
        }
    };
    if !class_agrees {
        out.push(finding(
            FindingKind::StorageClassDrift,
            format!("the storage class ({virtual_class:?} vs {host_class:?})"),
        ));
    }
    let modes = |p: &PersistentVolume| {
        let mut modes: Vec<String> = p
            .spec
            .as_ref()
            .and_then(|s| s.access_modes.clone())
            .unwrap_or_default();
        modes.sort_unstable();
        modes.dedup();
        modes
    };
    let (a, b) = (modes(pv), modes(host_pv));
    if a != b {
        out.push(finding(
            FindingKind::AccessModesDrift,
            format!("access modes ({} vs {})", a.join(", "), b.join(", ")),
        ));
    }
}
