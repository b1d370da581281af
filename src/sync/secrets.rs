//! T1: the secret (and endpoints) references of a tenant PV's volume source name the host copies
//! of the tenant's own objects, never an object the tenant chose in another host namespace.
//!
//! A reference `{name: s, namespace: ns}` becomes `{name: N2(s, ns), namespace: H}`: the host
//! copy vcluster makes of the tenant's object `ns/s` (**deviation**: vcluster copies them as
//! written, `// TODO: translate the storage secrets`). A reference without a namespace, where
//! Kubernetes allows that, resolves to the namespace of the pods using the volume, which is that
//! of the PV's claim; an unclaimed PV with such a reference is not sent. A `csi.volumeAttributes`
//! key containing `secret` or `namespace` (any case) has a meaning only its driver knows: such a
//! PV is not sent either. Option `tenantSecretRefs: Verbatim` restores vcluster's behaviour.

use k8s_openapi::api::core::v1::{ObjectReference, PersistentVolumeSpec, SecretReference};

use crate::cluster::VirtualCluster;
use crate::error::{Error, ObjectRef};

/// Why a tenant PV's source cannot be sent to the host (T1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refusal(pub(crate) String);

/// What the references of one source resolve against.
struct Resolver<'a> {
    cluster: &'a VirtualCluster,
    /// The namespace of the PV's claim, where a reference without namespace resolves.
    claim_namespace: Option<&'a str>,
    object: &'a dyn Fn() -> ObjectRef,
}

impl Resolver<'_> {
    /// One reference: `name` in `namespace` (absent or empty: the claim's namespace, unless
    /// Kubernetes requires it) becomes its host copy's name in `H`.
    fn rewrite(
        &self,
        path: &str,
        name: &mut String,
        namespace: &mut Option<String>,
        namespace_required: bool,
    ) -> Result<Option<Refusal>, Error> {
        let written = namespace.as_deref().filter(|ns| !ns.is_empty());
        let resolved = match (written, self.claim_namespace) {
            (Some(ns), _) => ns,
            (None, _) if namespace_required => {
                return Err(Error::invalid(
                    (self.object)(),
                    format!("{path}.namespace"),
                    "required (Kubernetes requires the namespace of this reference)",
                ));
            }
            (None, Some(claim_namespace)) => claim_namespace,
            (None, None) => {
                return Ok(Some(Refusal(format!(
                    "{path} names no namespace: it means the namespace of the pods that use the \
                     volume, unknown until the PV is claimed; it is not sent to the host (T1)"
                ))));
            }
        };
        let host_name = self
            .cluster
            .host_name(name, resolved)
            .map_err(|e| Error::invalid((self.object)(), format!("{path}.name"), e.to_string()))?;
        *name = host_name;
        *namespace = Some(self.cluster.host_namespace().to_owned());
        Ok(None)
    }

    fn secret_ref(
        &self,
        path: &str,
        reference: &mut SecretReference,
        namespace_required: bool,
    ) -> Result<Option<Refusal>, Error> {
        let mut name = reference.name.take().unwrap_or_default();
        let refusal = self.rewrite(
            path,
            &mut name,
            &mut reference.namespace,
            namespace_required,
        );
        reference.name = (!name.is_empty()).then_some(name);
        refusal
    }

    fn object_ref(
        &self,
        path: &str,
        reference: &mut ObjectReference,
    ) -> Result<Option<Refusal>, Error> {
        let mut name = reference.name.take().unwrap_or_default();
        let refusal = self.rewrite(path, &mut name, &mut reference.namespace, true);
        reference.name = (!name.is_empty()).then_some(name);
        refusal
    }
}

/// Whether a `csi.volumeAttributes` key may name a secret or a namespace (T1): it contains
/// `secret` or `namespace`, in any case.
pub(crate) fn is_opaque_reference_key(key: &str) -> bool {
    contains_ignoring_case(key, "secret") || contains_ignoring_case(key, "namespace")
}

/// Whether `haystack` contains `needle` (ASCII), in any case, without allocating.
pub(crate) fn contains_ignoring_case(haystack: &str, needle: &str) -> bool {
    haystack
        .as_bytes()
        .windows(needle.len())
        .any(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

/// T1: rewrites every secret and endpoints reference of `spec`'s volume source to name the host
/// copy of the tenant's object (namespace `H`, name N2). `claim_namespace` is the namespace of
/// the PV's claim, where a reference without namespace resolves.
///
/// Returns `Ok(Some(refusal))` when the PV must not be sent: a `csi.volumeAttributes` key that
/// may name a secret or namespace, or a reference without namespace on an unclaimed PV. `spec`
/// is then partly rewritten and must not be used.
///
/// # Errors
///
/// A reference without the namespace Kubernetes requires (CSI and StorageOS references); a
/// non-ASCII name (N1).
pub(crate) fn translate_references(
    spec: &mut PersistentVolumeSpec,
    claim_namespace: Option<&str>,
    cluster: &VirtualCluster,
    object: &dyn Fn() -> ObjectRef,
) -> Result<Option<Refusal>, Error> {
    let resolver = Resolver {
        cluster,
        claim_namespace,
        object,
    };
    let mut refusals: Vec<Refusal> = Vec::new();
    let mut note = |refusal: Option<Refusal>| refusals.extend(refusal);
    if let Some(csi) = spec.csi.as_mut() {
        if let Some(key) = csi
            .volume_attributes
            .iter()
            .flatten()
            .map(|(k, _)| k)
            .find(|k| is_opaque_reference_key(k))
        {
            return Ok(Some(Refusal(format!(
                "spec.csi.volumeAttributes key {key:?} may name a secret or a namespace, which \
                 only its driver knows how to read: the PV is not sent to the host (T1)"
            ))));
        }
        for (path, reference) in [
            (
                "spec.csi.controllerPublishSecretRef",
                csi.controller_publish_secret_ref.as_mut(),
            ),
            (
                "spec.csi.nodeStageSecretRef",
                csi.node_stage_secret_ref.as_mut(),
            ),
            (
                "spec.csi.nodePublishSecretRef",
                csi.node_publish_secret_ref.as_mut(),
            ),
            (
                "spec.csi.controllerExpandSecretRef",
                csi.controller_expand_secret_ref.as_mut(),
            ),
            (
                "spec.csi.nodeExpandSecretRef",
                csi.node_expand_secret_ref.as_mut(),
            ),
        ] {
            if let Some(reference) = reference {
                note(resolver.secret_ref(path, reference, true)?);
            }
        }
    }
    for (path, reference) in [
        (
            "spec.cephfs.secretRef",
            spec.cephfs.as_mut().and_then(|s| s.secret_ref.as_mut()),
        ),
        (
            "spec.rbd.secretRef",
            spec.rbd.as_mut().and_then(|s| s.secret_ref.as_mut()),
        ),
        (
            "spec.iscsi.secretRef",
            spec.iscsi.as_mut().and_then(|s| s.secret_ref.as_mut()),
        ),
        (
            "spec.flexVolume.secretRef",
            spec.flex_volume
                .as_mut()
                .and_then(|s| s.secret_ref.as_mut()),
        ),
        (
            "spec.scaleIO.secretRef",
            spec.scale_io.as_mut().map(|s| &mut s.secret_ref),
        ),
        (
            "spec.cinder.secretRef",
            spec.cinder.as_mut().and_then(|s| s.secret_ref.as_mut()),
        ),
    ] {
        if let Some(reference) = reference {
            note(resolver.secret_ref(path, reference, false)?);
        }
    }
    if let Some(reference) = spec.storageos.as_mut().and_then(|s| s.secret_ref.as_mut()) {
        note(resolver.object_ref("spec.storageos.secretRef", reference)?);
    }
    if let Some(azure) = spec.azure_file.as_mut() {
        note(resolver.rewrite(
            "spec.azureFile.secretName",
            &mut azure.secret_name,
            &mut azure.secret_namespace,
            false,
        )?);
    }
    if let Some(gluster) = spec.glusterfs.as_mut() {
        note(resolver.rewrite(
            "spec.glusterfs.endpoints",
            &mut gluster.endpoints,
            &mut gluster.endpoints_namespace,
            false,
        )?);
    }
    Ok(refusals.into_iter().next())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    fn cluster() -> VirtualCluster {
        VirtualCluster::new("team-a", "vc-team-a").unwrap()
    }

    fn object() -> ObjectRef {
        ObjectRef {
            kind: "PersistentVolume",
            namespace: String::new(),
            name: "mine".to_owned(),
        }
    }

    fn translated(
        spec: serde_json::Value,
        claim: Option<&str>,
    ) -> Result<(serde_json::Value, Option<Refusal>), Error> {
        let mut spec: PersistentVolumeSpec = serde_json::from_value(spec).unwrap();
        let refusal = translate_references(&mut spec, claim, &cluster(), &object)?;
        Ok((serde_json::to_value(spec).unwrap(), refusal))
    }

    #[test]
    fn t1_every_csi_secret_reference_names_the_host_copy() {
        let reference = json!({"name": "creds", "namespace": "shop"});
        let (spec, refusal) = translated(
            json!({"csi": {"driver": "d", "volumeHandle": "h",
                "controllerPublishSecretRef": reference, "nodeStageSecretRef": reference,
                "nodePublishSecretRef": reference, "controllerExpandSecretRef": reference,
                "nodeExpandSecretRef": reference}}),
            None,
        )
        .unwrap();
        assert_eq!(refusal, None);
        let host = json!({"name": "creds-x-shop-x-team-a", "namespace": "vc-team-a"});
        for key in [
            "controllerPublishSecretRef",
            "nodeStageSecretRef",
            "nodePublishSecretRef",
            "controllerExpandSecretRef",
            "nodeExpandSecretRef",
        ] {
            assert_eq!(spec["csi"][key], host, "{key}");
        }
    }

    #[test]
    fn t1_a_csi_reference_without_namespace_is_invalid() {
        let err = translated(
            json!({"csi": {"driver": "d", "volumeHandle": "h",
                "nodePublishSecretRef": {"name": "creds"}}}),
            Some("shop"),
        )
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "PersistentVolume mine: spec.csi.nodePublishSecretRef.namespace: required \
             (Kubernetes requires the namespace of this reference)"
        );
    }

    #[test]
    fn t1_in_tree_references_resolve_without_namespace_to_the_claims() {
        for (source, path) in [
            (
                json!({"cephfs": {"monitors": ["m"], "secretRef": {"name": "s"}}}),
                "cephfs",
            ),
            (
                json!({"rbd": {"monitors": ["m"], "image": "i", "secretRef": {"name": "s"}}}),
                "rbd",
            ),
            (
                json!({"iscsi": {"targetPortal": "p", "iqn": "q", "lun": 0, "secretRef": {"name": "s"}}}),
                "iscsi",
            ),
            (
                json!({"flexVolume": {"driver": "x", "secretRef": {"name": "s"}}}),
                "flexVolume",
            ),
            (
                json!({"scaleIO": {"gateway": "g", "system": "y", "volumeName": "v", "secretRef": {"name": "s"}}}),
                "scaleIO",
            ),
            (
                json!({"cinder": {"volumeID": "v", "secretRef": {"name": "s"}}}),
                "cinder",
            ),
        ] {
            let (spec, refusal) = translated(source.clone(), Some("shop")).unwrap();
            assert_eq!(refusal, None, "{path}");
            assert_eq!(
                spec[path]["secretRef"],
                json!({"name": "s-x-shop-x-team-a", "namespace": "vc-team-a"}),
                "{path}"
            );
            // Unclaimed: where the reference points is not known yet, so the PV waits.
            let (_, refusal) = translated(source, None).unwrap();
            assert!(
                refusal
                    .unwrap()
                    .0
                    .contains(&format!("spec.{path}.secretRef names no namespace")),
                "{path}"
            );
        }
    }

    #[test]
    fn t1_a_namespace_written_wins_over_the_claims() {
        let (spec, _) = translated(
            json!({"cephfs": {"monitors": ["m"], "secretRef": {"name": "s", "namespace": "kube-system"}}}),
            Some("shop"),
        )
        .unwrap();
        // kube-system of the tenant's own virtual cluster: its host copy, never the host's.
        assert_eq!(
            spec["cephfs"]["secretRef"],
            json!({"name": "s-x-kube-system-x-team-a", "namespace": "vc-team-a"})
        );
    }

    #[test]
    fn t1_azure_file_storageos_and_glusterfs() {
        let (spec, _) = translated(
            json!({"azureFile": {"secretName": "acct", "secretNamespace": "shop", "shareName": "x"}}),
            None,
        )
        .unwrap();
        assert_eq!(spec["azureFile"]["secretName"], "acct-x-shop-x-team-a");
        assert_eq!(spec["azureFile"]["secretNamespace"], "vc-team-a");
        let (spec, _) = translated(
            json!({"glusterfs": {"endpoints": "gl", "path": "/v"}}),
            Some("shop"),
        )
        .unwrap();
        assert_eq!(spec["glusterfs"]["endpoints"], "gl-x-shop-x-team-a");
        assert_eq!(spec["glusterfs"]["endpointsNamespace"], "vc-team-a");
        let (spec, _) = translated(
            json!({"storageos": {"volumeName": "v", "secretRef": {"name": "s", "namespace": "shop"}}}),
            None,
        )
        .unwrap();
        assert_eq!(spec["storageos"]["secretRef"]["name"], "s-x-shop-x-team-a");
        assert_eq!(spec["storageos"]["secretRef"]["namespace"], "vc-team-a");
        let err = translated(
            json!({"storageos": {"volumeName": "v", "secretRef": {"name": "s"}}}),
            Some("shop"),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains("spec.storageos.secretRef.namespace"),
            "{err}"
        );
    }

    #[test]
    fn t1_volume_attributes_naming_secrets_or_namespaces_refuse_the_pv() {
        for key in [
            "secretName",
            "csi.storage.k8s.io/pvc/namespace",
            "SECRETNAMESPACE",
            "NameSpace",
        ] {
            let (_, refusal) = translated(
                json!({"csi": {"driver": "d", "volumeHandle": "h", "volumeAttributes": {key: "x"}}}),
                Some("shop"),
            )
            .unwrap();
            assert!(refusal.unwrap().0.contains(&format!("{key:?}")), "{key}");
        }
        let (spec, refusal) = translated(
            json!({"csi": {"driver": "d", "volumeHandle": "h", "volumeAttributes": {"fsType": "ext4"}}}),
            Some("shop"),
        )
        .unwrap();
        assert_eq!(refusal, None);
        assert_eq!(spec["csi"]["volumeAttributes"]["fsType"], "ext4");
    }

    #[test]
    fn t1_sources_without_references_are_untouched() {
        let source = json!({"nfs": {"server": "10.0.0.1", "path": "/data"}});
        let (spec, refusal) = translated(source.clone(), None).unwrap();
        assert_eq!(refusal, None);
        assert_eq!(spec, source);
    }
}
