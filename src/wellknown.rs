//! Well-known label and annotation keys and values: vcluster's wire contract (SPEC §0).
//!
//! These strings are read and written by vcluster itself; changing one breaks compatibility.

/// Label that marks a fake PersistentVolume; its value is always `"true"`.
pub const FAKE_PV_LABEL: &str = "vcluster.loft.sh/fake-pv";
/// Annotation `kubernetes.io/createdby` on fake PVs.
pub const CREATED_BY_ANNOTATION: &str = "kubernetes.io/createdby";
/// Annotation `pv.kubernetes.io/provisioned-by` on fake PVs.
pub const PROVISIONED_BY_ANNOTATION: &str = "pv.kubernetes.io/provisioned-by";
/// Annotation `pv.kubernetes.io/bound-by-controller` on fake PVs.
pub const BOUND_BY_CONTROLLER_ANNOTATION: &str = "pv.kubernetes.io/bound-by-controller";
/// Value of the `createdby` and `provisioned-by` annotations of fake PVs.
pub const FAKE_PV_PROVISIONER: &str = "fake-pv-provisioner";
/// The flexVolume driver of fake PVs.
pub const FAKE_DRIVER: &str = "fake";

/// Annotation on a virtual PV naming the host PV it mirrors.
pub const HOST_PV_ANNOTATION: &str = "vcluster.loft.sh/host-pv";
/// Marker label on host objects created by a virtual cluster (value: see [`crate::VirtualCluster`]).
pub const MANAGED_BY_LABEL: &str = "vcluster.loft.sh/managed-by";
/// Label that hands an object to another controller: the PV syncer never touches it (SPEC F6).
pub const CONTROLLED_BY_LABEL: &str = "vcluster.loft.sh/controlled-by";
/// Label on host PVCs naming the virtual namespace (SPEC P1).
pub const NAMESPACE_LABEL: &str = "vcluster.loft.sh/namespace";
/// Helm's release label, rewritten on the host (SPEC N5).
pub const RELEASE_LABEL: &str = "release";

/// Annotation marking a StorageClass as the cluster default.
pub const DEFAULT_CLASS_ANNOTATION: &str = "storageclass.kubernetes.io/is-default-class";
/// The beta twin of [`DEFAULT_CLASS_ANNOTATION`], which Kubernetes still honours.
pub const BETA_DEFAULT_CLASS_ANNOTATION: &str = "storageclass.beta.kubernetes.io/is-default-class";
/// The deprecated annotation that names a PVC's class when `spec.storageClassName` is unset.
pub const BETA_STORAGE_CLASS_ANNOTATION: &str = "volume.beta.kubernetes.io/storage-class";
/// Annotation by which a tenant asks that its PVC not be translated (SPEC P1; honoured only
/// with option `honorSkipTranslate`).
pub const SKIP_TRANSLATE_ANNOTATION: &str = "vcluster.loft.sh/skip-translate";

/// Annotations the host's PV controller writes on a PVC: never copied virtual -> host, copied
/// host -> virtual (SPEC P1, P3).
pub const BINDER_ANNOTATIONS: [&str; 4] = [
    "pv.kubernetes.io/bind-completed",
    "pv.kubernetes.io/bound-by-controller",
    "volume.beta.kubernetes.io/storage-provisioner",
    "volume.kubernetes.io/storage-provisioner",
];

/// Annotations through which the host's controllers act on a PV: which provisioner deletes its
/// disk (`provisioned-by`, `migrated-to`), who bound it. Never from a tenant's PV to the host
/// (SPEC T0, T3): with `pv.kubernetes.io/provisioned-by` a tenant PV naming another team's disk
/// would have a CSI provisioner delete that disk once released.
pub const PV_CONTROLLER_ANNOTATIONS: [&str; 4] = [
    "pv.kubernetes.io/provisioned-by",
    "pv.kubernetes.io/migrated-to",
    "pv.kubernetes.io/bound-by-controller",
    "kubernetes.io/createdby",
];

/// Whether an annotation key names a CSI secret (`...-secret-name`, `...-secret-namespace`):
/// never copied to a host object, a tenant must not choose the secrets host drivers use
/// (SPEC H1, C2).
pub fn is_secret_reference_key(key: &str) -> bool {
    key.ends_with("-secret-name") || key.ends_with("-secret-namespace")
}

/// Bookkeeping annotation: the virtual object's name.
pub const OBJECT_NAME_ANNOTATION: &str = "vcluster.loft.sh/object-name";
/// Bookkeeping annotation: the virtual object's namespace.
pub const OBJECT_NAMESPACE_ANNOTATION: &str = "vcluster.loft.sh/object-namespace";
/// Bookkeeping annotation: the virtual object's uid.
pub const OBJECT_UID_ANNOTATION: &str = "vcluster.loft.sh/object-uid";
/// Bookkeeping annotation: the virtual object's kind, e.g. `/v1, Kind=PersistentVolume`.
pub const OBJECT_KIND_ANNOTATION: &str = "vcluster.loft.sh/object-kind";
/// Bookkeeping annotation: the host object's name.
pub const OBJECT_HOST_NAME_ANNOTATION: &str = "vcluster.loft.sh/object-host-name";
/// Bookkeeping annotation: the host object's namespace.
pub const OBJECT_HOST_NAMESPACE_ANNOTATION: &str = "vcluster.loft.sh/object-host-namespace";
/// Bookkeeping annotation: the annotation keys copied from the virtual object, sorted, `\n`-joined.
pub const MANAGED_ANNOTATIONS_ANNOTATION: &str = "vcluster.loft.sh/managed-annotations";
/// Bookkeeping annotation: the label keys copied from the virtual object.
pub const MANAGED_LABELS_ANNOTATION: &str = "vcluster.loft.sh/managed-labels";

/// Every bookkeeping annotation key: they describe the host object and never cross to the tenant.
pub const BOOKKEEPING_ANNOTATIONS: [&str; 8] = [
    OBJECT_NAME_ANNOTATION,
    OBJECT_NAMESPACE_ANNOTATION,
    OBJECT_UID_ANNOTATION,
    OBJECT_KIND_ANNOTATION,
    OBJECT_HOST_NAME_ANNOTATION,
    OBJECT_HOST_NAMESPACE_ANNOTATION,
    MANAGED_ANNOTATIONS_ANNOTATION,
    MANAGED_LABELS_ANNOTATION,
];

/// Label keys that vcluster rewrites on the host (SPEC N5).
pub const TRANSLATED_LABEL_KEYS: [&str; 4] = [
    RELEASE_LABEL,
    NAMESPACE_LABEL,
    MANAGED_BY_LABEL,
    CONTROLLED_BY_LABEL,
];

/// `object-kind` value of a PersistentVolume.
pub const PV_OBJECT_KIND: &str = "/v1, Kind=PersistentVolume";
/// `object-kind` value of a PersistentVolumeClaim.
pub const PVC_OBJECT_KIND: &str = "/v1, Kind=PersistentVolumeClaim";
/// `object-kind` value of a StorageClass.
pub const STORAGE_CLASS_OBJECT_KIND: &str = "storage.k8s.io/v1, Kind=StorageClass";

/// Whether `key` is a bookkeeping annotation (or `host-pv`), which never crosses between clusters.
pub fn is_bookkeeping_annotation(key: &str) -> bool {
    key == HOST_PV_ANNOTATION || BOOKKEEPING_ANNOTATIONS.contains(&key)
}

/// Annotations through which the host's controllers are steered (SPEC T4): never copied from a
/// tenant's PVC to the host (P3 still brings the host's back).
pub const HOST_CONTROLLER_ANNOTATIONS: [&str; 4] = [
    "volume.kubernetes.io/selected-node",
    "volume.kubernetes.io/storage-provisioner",
    "volume.beta.kubernetes.io/storage-provisioner",
    "volume.kubernetes.io/storage-resizer",
];

/// The grace period vcluster deletes a virtual PVC with when its host PVC is being deleted
/// (SPEC U4; vcluster's `minimumGracePeriodInSeconds`).
pub const HOST_PVC_DELETING_GRACE_PERIOD_SECONDS: i64 = 30;

/// The StorageClass fields the API server refuses to update (Kubernetes'
/// `ValidateStorageClassUpdate`): a difference in one is recreated, never updated (SPEC U2).
pub const IMMUTABLE_STORAGE_CLASS_FIELDS: [&str; 4] = [
    "parameters",
    "provisioner",
    "reclaimPolicy",
    "volumeBindingMode",
];

/// Whether a class parameter key keeps a tenant's class off the host in `ToHost` mode (SPEC
/// T5): it contains `secret`, `namespace` or `path`, in any case. Such parameters name Secrets,
/// namespaces or node paths whose meaning only the provisioner knows.
pub fn is_forbidden_tenant_class_parameter(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["secret", "namespace", "path"]
        .into_iter()
        .any(|word| key.contains(word))
}

/// Whether a host class parameter key is never shown in the virtual cluster (SPEC T5, C1): it
/// contains `secret`, in any case.
pub fn is_secret_class_parameter(key: &str) -> bool {
    key.to_ascii_lowercase().contains("secret")
}
