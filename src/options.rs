//! Options (SPEC §7). Every default is vcluster's behaviour; an option only changes what it names.

use serde::{Deserialize, Serialize};

/// Where a fake PV's reclaim policy comes from (SPEC F3, §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FakeReclaimPolicy {
    /// Always `Delete`, vcluster's behaviour (upstream issue #2098).
    #[default]
    Delete,
    /// Always `Retain`.
    Retain,
    /// The host PV's policy; `Retain` when the host PV has none (the API default for PVs);
    /// `Delete` when no host PV is given.
    FromHostPv,
    /// The host StorageClass's `reclaimPolicy`; `Delete` when unset or when no class is given.
    FromStorageClass,
    /// The host PV's policy when given, else the StorageClass's, else `Delete`.
    Inherit,
}

/// Where a fake PV's capacity comes from (SPEC §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum FakeCapacity {
    /// The PVC's `spec.resources.requests`, vcluster's behaviour.
    #[default]
    Request,
    /// The host PV's `spec.capacity` when a host PV is given, else the request.
    HostPv,
}

/// Which unclaimed host PVs in `H` are mirrored in sync mode (SPEC S5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RetainedPvMirroring {
    /// Only with evidence of ownership: a current virtual PV naming the host PV (**deviation**).
    #[default]
    Owned,
    /// vcluster's rule: also every `Retain` or `Released` PV bound in `H` (upstream #1041).
    Legacy,
}

/// What happens when both sides changed the same field since the last sync (SPEC B1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ConflictPolicy {
    /// The virtual side wins, vcluster's behaviour.
    #[default]
    VirtualWins,
    /// Report the conflicting fields instead of choosing.
    Report,
}

/// Whether tenant PVs with a node's filesystem as their source reach the host (SPEC H1 0.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TenantNodeVolumes {
    /// A tenant PV whose source is `hostPath` or `local` is not created on the host, nor changed
    /// to one there (**deviation**: vcluster sends it, handing the tenant a node's filesystem).
    #[default]
    Deny,
    /// Such PVs are sent to the host, as vcluster does.
    Allow,
}

/// Whether secret references in a tenant PV reach the host as written (SPEC T1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TenantSecretRefs {
    /// Every secret reference of a tenant PV names the host copy of the tenant's own secret:
    /// namespace `H`, name N2 (**deviation**: vcluster copies them, `// TODO: translate the
    /// storage secrets`).
    #[default]
    Translate,
    /// References are copied as the tenant wrote them, as vcluster does: the tenant chooses
    /// which Secret, in any namespace, the host's storage drivers read.
    Verbatim,
}

/// Whether a tenant's claims and PVs can bind only volumes of their own virtual cluster on the
/// host (SPEC T2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub enum TenantBinding {
    /// Host PVCs name only this virtual cluster's PVs; classless claims and PVs get a class of
    /// their own (N3 of `""`); a claimed tenant PV is reserved for its claim; one disk, one PV
    /// (**deviation**: vcluster copies `volumeName`, `selector` and `""`).
    #[default]
    Own,
    /// vcluster's behaviour: `volumeName`, `selector` and `""` are copied, so a tenant can bind
    /// another team's Available PV, or offer its PVs to other namespaces' claims.
    Verbatim,
}

/// All options of SPEC §7, with vcluster's behaviour as the default.
///
/// ```
/// use pv_translate::{FakeReclaimPolicy, Options};
/// let options = Options::default().with_fake_reclaim_policy(FakeReclaimPolicy::Inherit);
/// assert_eq!(options.fake_reclaim_policy, FakeReclaimPolicy::Inherit);
/// assert!(!options.keep_unlabeled_pvs);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
#[non_exhaustive]
pub struct Options {
    /// Where a fake PV's reclaim policy comes from.
    pub fake_reclaim_policy: FakeReclaimPolicy,
    /// Where a fake PV's capacity comes from.
    pub fake_capacity: FakeCapacity,
    /// Fake mode deletes only unreferenced PVs that carry the fake-pv label (SPEC F5).
    pub keep_unlabeled_pvs: bool,
    /// Which unclaimed host PVs are mirrored in sync mode (SPEC S5).
    pub retained_pv_mirroring: RetainedPvMirroring,
    /// What a two-sided change does (SPEC B1).
    pub conflicts: ConflictPolicy,
    /// Whether a virtual PVC's `vcluster.loft.sh/skip-translate: "true"` is honoured (SPEC P1).
    ///
    /// Off by default (**deviation**): vcluster honours it from any tenant, who can then bind
    /// any host PV by name or clone any PVC of the host namespace.
    pub honor_skip_translate: bool,
    /// Whether tenant PVs with a `hostPath` or `local` source reach the host (SPEC H1).
    pub tenant_node_volumes: TenantNodeVolumes,
    /// Whether secret references in a tenant PV are translated to the host copies of the
    /// tenant's own secrets (SPEC T1).
    pub tenant_secret_refs: TenantSecretRefs,
    /// Whether the tenant binds only its own volumes on the host (SPEC T2).
    pub tenant_binding: TenantBinding,
    /// The provisioners a tenant class may use in `ToHost` mode (SPEC T5); `None`: any. The
    /// `ToHost` mode hands the tenant the host's provisioners: this list is how an admin
    /// narrows that.
    pub tenant_provisioners: Option<Vec<String>>,
}

impl Options {
    /// Sets [`Options::fake_reclaim_policy`].
    #[must_use]
    pub const fn with_fake_reclaim_policy(mut self, value: FakeReclaimPolicy) -> Self {
        self.fake_reclaim_policy = value;
        self
    }

    /// Sets [`Options::fake_capacity`].
    #[must_use]
    pub const fn with_fake_capacity(mut self, value: FakeCapacity) -> Self {
        self.fake_capacity = value;
        self
    }

    /// Sets [`Options::keep_unlabeled_pvs`].
    #[must_use]
    pub const fn with_keep_unlabeled_pvs(mut self, value: bool) -> Self {
        self.keep_unlabeled_pvs = value;
        self
    }

    /// Sets [`Options::retained_pv_mirroring`].
    #[must_use]
    pub const fn with_retained_pv_mirroring(mut self, value: RetainedPvMirroring) -> Self {
        self.retained_pv_mirroring = value;
        self
    }

    /// Sets [`Options::conflicts`].
    #[must_use]
    pub const fn with_conflicts(mut self, value: ConflictPolicy) -> Self {
        self.conflicts = value;
        self
    }

    /// Sets [`Options::honor_skip_translate`].
    #[must_use]
    pub const fn with_honor_skip_translate(mut self, value: bool) -> Self {
        self.honor_skip_translate = value;
        self
    }

    /// Sets [`Options::tenant_node_volumes`].
    #[must_use]
    pub const fn with_tenant_node_volumes(mut self, value: TenantNodeVolumes) -> Self {
        self.tenant_node_volumes = value;
        self
    }

    /// Sets [`Options::tenant_secret_refs`].
    #[must_use]
    pub const fn with_tenant_secret_refs(mut self, value: TenantSecretRefs) -> Self {
        self.tenant_secret_refs = value;
        self
    }

    /// Sets [`Options::tenant_binding`].
    #[must_use]
    pub const fn with_tenant_binding(mut self, value: TenantBinding) -> Self {
        self.tenant_binding = value;
        self
    }

    /// Sets [`Options::tenant_provisioners`]: the provisioners tenant classes may use in
    /// `ToHost` mode (`None`: any).
    #[must_use]
    pub fn with_tenant_provisioners<I, S>(mut self, provisioners: Option<I>) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.tenant_provisioners =
            provisioners.map(|list| list.into_iter().map(Into::into).collect());
        self
    }
}
