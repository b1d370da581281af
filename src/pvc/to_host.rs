//! P1, P2, T2, T4: the host copy of a virtual PVC, as created.

use std::borrow::Cow;

use k8s_openapi::api::core::v1::{
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use crate::canonical;
use crate::cluster::VirtualCluster;
use crate::context::Context;
use crate::error::Error;
use crate::explain::{Input, Rule, Source, Why};
use crate::fate::Fate;
use crate::host_meta::{Scope, into_host_metadata};
use crate::mode::{PvMode, StorageClassMode};
use crate::object::{
    VirtualPvKind, annotation, claimed_volume, name, name_error, namespace, pv_ref, pvc_ref,
    virtual_pv_kind,
};
use crate::options::TenantBinding;
use crate::storage_class::class_limit_reason;
use crate::sync::owns_by_evidence;
use crate::validate::validate_claim_identity;
use crate::wellknown::{
    BETA_STORAGE_CLASS_ANNOTATION, HOST_CONTROLLER_ANNOTATIONS, PVC_OBJECT_KIND,
    SKIP_TRANSLATE_ANNOTATION,
};

/// Annotations of a virtual PVC that never reach its host copy: the binder's (vcluster's
/// `excludedAnnotations`) and, T4, those through which the host's controllers are steered.
pub(crate) const NOT_TO_HOST: [&str; 6] = [
    "pv.kubernetes.io/bind-completed",
    "pv.kubernetes.io/bound-by-controller",
    HOST_CONTROLLER_ANNOTATIONS[0],
    HOST_CONTROLLER_ANNOTATIONS[1],
    HOST_CONTROLLER_ANNOTATIONS[2],
    HOST_CONTROLLER_ANNOTATIONS[3],
];

/// The objects a PVC's translation reads besides the PVC.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Related<'a> {
    /// The virtual PV the PVC names in `volumeName`, if any (P2).
    pub(crate) named_pv: Option<&'a PersistentVolume>,
    /// The host PV that PV's `vcluster.loft.sh/host-pv` names, if it exists (P2's evidence).
    pub(crate) named_host_pv: Option<&'a PersistentVolume>,
    /// Fake mode: the host PV of the name the PVC gives in `volumeName`, if it exists (T2).
    pub(crate) claimed_host_pv: Option<&'a PersistentVolume>,
    /// The host PV the host PVC is bound to, if it exists (P3 in sync mode).
    pub(crate) bound_host_pv: Option<&'a PersistentVolume>,
    /// The host StorageClass named by the PVC's class, if it exists (P1, C3).
    pub(crate) host_class: Option<&'a StorageClass>,
}

/// The PVC's class as vcluster reads it: the field when non-empty, else the deprecated
/// annotation.
pub(crate) fn requested_class(pvc: &PersistentVolumeClaim) -> Option<&str> {
    pvc.spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_deref())
        .filter(|c| !c.is_empty())
        .or_else(|| {
            annotation(&pvc.metadata, BETA_STORAGE_CLASS_ANNOTATION).filter(|c| !c.is_empty())
        })
}

/// T2: the host class of a claim that asks for no class (`storageClassName: ""`): the same
/// class of this virtual cluster's own as a classless tenant PV gets
/// ([`VirtualCluster::host_class_name`] of `""`), so that classless claims and classless tenant
/// PVs bind each other only inside one virtual cluster.
///
/// # Errors
///
/// N1 (never, for a valid identity: `H` and `V` are DNS-1123 labels).
fn classless_host_class(cluster: &VirtualCluster) -> Result<String, Error> {
    cluster.host_class_name("").map_err(Error::from)
}

/// C3: why the PVC is not synced at all, when its class is limited (vcluster's reason).
///
/// # Errors
///
/// A selector that cannot be evaluated.
pub(crate) fn class_limited(
    pvc: &PersistentVolumeClaim,
    host_class: Option<&StorageClass>,
    context: &Context,
) -> Result<Option<String>, Error> {
    let Some(class) = pvc
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_deref())
    else {
        return Ok(None);
    };
    Ok(
        class_limit_reason(class, host_class, context)?.map(|reason| {
            format!(
                "did not sync persistent volume claim {:?} to host because {reason}",
                name(&pvc.metadata)
            )
        }),
    )
}

/// A refusal to create the host PVC (T2, T4): nothing is written.
fn refused(rule: Rule, reason: String, why: &mut Why) -> Fate<PersistentVolumeClaim> {
    why.rule(rule, {
        let reason = reason.clone();
        move || reason
    });
    Fate::Conflict {
        rule,
        reason: Cow::Owned(reason),
    }
}

/// P1, P2, T2, T4: the host copy of `pvc`, as created, which it consumes: everything the rules
/// decide is decided first, from the PVC as it is; then its metadata and spec are moved into
/// the host object, copying nothing else. A claim that would reach what is not the tenant's is
/// a conflict (nothing created).
///
/// # Errors
///
/// P2: a named PV that is not the one `volumeName` names; N1.
pub(crate) fn translate(
    pvc: PersistentVolumeClaim,
    host_name: String,
    related: &Related<'_>,
    context: &Context,
    why: &mut Why,
) -> Result<Fate<PersistentVolumeClaim>, Error> {
    let cluster = context.cluster();
    let mode = context.mode();
    let own_binding = context.options().tenant_binding == TenantBinding::Own;
    why.rule(Rule::P1, || {
        format!(
            "the host PVC is {}/{host_name} (N2)",
            cluster.host_namespace()
        )
    });
    why.field("metadata.name", Source::rule(Rule::N2));
    why.field("metadata.labels", Source::rule(Rule::N4));
    why.copied(
        "metadata.annotations",
        Input::VirtualPvc,
        "metadata.annotations",
    );
    let skip_asked = annotation(&pvc.metadata, SKIP_TRANSLATE_ANNOTATION) == Some("true");
    let skip = skip_asked && context.options().honor_skip_translate;
    if skip_asked && !skip {
        why.rule(
            Rule::P1,
            "vcluster.loft.sh/skip-translate ignored: honoured only with honorSkipTranslate \
             (a tenant could bind any host PV or clone any PVC of the host namespace)",
        );
    }
    let sync = mode.persistent_volumes == PvMode::Sync && !skip;
    let spec = pvc.spec.as_ref();
    // T2, fake mode: the claim names no host PV that is not reserved for it, and selects none.
    if mode.persistent_volumes != PvMode::Sync && own_binding {
        if spec.is_some_and(|s| s.selector.is_some()) {
            return Ok(refused(
                Rule::T2,
                format!(
                    "PVC {}/{} has a selector: in fake mode it would select host PVs of \
                     anyone (tenantBinding: Own); not synced",
                    namespace(&pvc.metadata),
                    name(&pvc.metadata)
                ),
                why,
            ));
        }
        if let Some(volume) = claimed_volume(&pvc)
            && let Some(reason) = foreign_volume(volume, &host_name, related, cluster)
        {
            return Ok(refused(Rule::T2, reason, why));
        }
    }
    // The class: N3 of it in ToHost mode, and in sync mode for a static PVC or a class the host
    // lacks (as vcluster does).
    let static_pvc = spec.is_some_and(|s| s.selector.is_some()) || claimed_volume(&pvc).is_some();
    let translated_class = match requested_class(&pvc) {
        Some(class) if mode.storage_classes == StorageClassMode::ToHost => {
            why.rule(
                Rule::P1,
                "toHost classes: the class becomes its N3 host name",
            );
            Some(class)
        }
        Some(class) if sync => {
            let host_has_it = related
                .host_class
                .is_some_and(|c| name(&c.metadata) == class);
            if static_pvc || !host_has_it {
                why.rule(Rule::P1, move || {
                    if static_pvc {
                        "sync mode, a static PVC: the class becomes its N3 host name, as its PV's"
                            .to_owned()
                    } else {
                        "sync mode: the host has no class of that name: the class becomes its \
                         N3 host name"
                            .to_owned()
                    }
                });
                Some(class)
            } else {
                None
            }
        }
        _ => None,
    };
    let translated_class = match translated_class {
        Some(class) => {
            why.field("spec.storageClassName", Source::rule(Rule::N3));
            Some(
                cluster
                    .host_name_cluster(class)
                    .map_err(name_error(pvc_ref(&pvc), "spec.storageClassName"))?,
            )
        }
        None if own_binding
            && requested_class(&pvc).is_none()
            && spec.and_then(|s| s.storage_class_name.as_deref()) == Some("") =>
        {
            why.rule(
                Rule::T2,
                "a claim for no class (\"\") gets this virtual cluster's own classless class \
                 (N3 of \"\"): it binds only classless volumes of this virtual cluster",
            );
            why.field("spec.storageClassName", Source::rule(Rule::T2));
            Some(classless_host_class(cluster)?)
        }
        None => None,
    };
    let volume_name = match claimed_volume(&pvc) {
        Some(volume) if sync => Some(host_volume_name(&pvc, volume, related, context, why)?),
        _ => None,
    };
    let sources = if skip {
        DataSources::default()
    } else {
        match data_sources(&pvc, context, why)? {
            Ok(sources) => sources,
            Err(reason) => return Ok(refused(Rule::T4, reason, why)),
        }
    };
    // Built from the PVC itself.
    let PersistentVolumeClaim {
        metadata,
        spec,
        status: _,
    } = pvc;
    let virtual_namespace = metadata.namespace.clone().unwrap_or_default();
    if metadata.annotations.as_ref().is_some_and(|a| {
        HOST_CONTROLLER_ANNOTATIONS
            .iter()
            .any(|k| a.contains_key(*k))
    }) {
        why.rule(
            Rule::T4,
            "the annotations that steer the host's controllers (selected-node, \
             storage-provisioner, storage-resizer) are not copied to the host",
        );
    }
    let mut metadata = into_host_metadata(
        ObjectMeta {
            name: metadata.name,
            uid: metadata.uid,
            labels: metadata.labels,
            annotations: metadata.annotations,
            ..ObjectMeta::default()
        },
        host_name,
        PVC_OBJECT_KIND,
        Scope::Namespaced(&virtual_namespace),
        &NOT_TO_HOST,
        cluster,
    );
    let mut spec: PersistentVolumeClaimSpec = spec.unwrap_or_default();
    if let Some(class) = translated_class {
        spec.storage_class_name = Some(class);
        if let Some(annotations) = metadata.annotations.as_mut() {
            annotations.remove(BETA_STORAGE_CLASS_ANNOTATION);
        }
    }
    if sync && let Some(selector) = spec.selector.as_mut() {
        translate_selector(selector, context);
        why.rule(
            Rule::P1,
            "sync mode: the selector's label keys go through N5",
        );
    }
    if volume_name.is_some() {
        spec.volume_name = volume_name;
    }
    if let (Some(name), Some(source)) = (sources.source, spec.data_source.as_mut()) {
        source.name = name;
    }
    if let (Some(name), Some(source)) = (sources.reference, spec.data_source_ref.as_mut()) {
        source.name = name;
        // The host copy is in the host PVC's own namespace, H.
        source.namespace = None;
    }
    if let Some(resources) = spec.resources.as_mut() {
        canonical::capacity(&mut resources.requests);
        canonical::capacity(&mut resources.limits);
    }
    Ok(Fate::Desired(PersistentVolumeClaim {
        metadata,
        spec: Some(spec),
        status: None,
    }))
}

/// T2, fake mode: why the host PV `volume` is not this claim's to name, if it is not: it exists
/// and is not reserved (claimRef) for this very claim's host PVC, N2 in `H`.
fn foreign_volume(
    volume: &str,
    host_name: &str,
    related: &Related<'_>,
    cluster: &VirtualCluster,
) -> Option<String> {
    let host_pv = related
        .claimed_host_pv
        .filter(|pv| name(&pv.metadata) == volume)?;
    let claim = host_pv.spec.as_ref().and_then(|s| s.claim_ref.as_ref());
    let reserved = claim.is_some_and(|c| {
        c.namespace.as_deref() == Some(cluster.host_namespace())
            && c.name.as_deref() == Some(host_name)
    });
    (!reserved).then(|| {
        let holder = match claim {
            Some(c) => format!(
                "claimed by {}/{}",
                c.namespace.as_deref().unwrap_or_default(),
                c.name.as_deref().unwrap_or_default()
            ),
            None => "reserved for no claim".to_owned(),
        };
        format!(
            "volumeName names host PV {volume:?}, {holder}, not {}/{host_name}: a tenant names \
             only host PVs reserved for its own claim (tenantBinding: Own); not synced",
            cluster.host_namespace()
        )
    })
}

/// The parts of a PVC its host copy is made from: no status, no server-set metadata.
pub(crate) fn copy_parts(pvc: &PersistentVolumeClaim) -> PersistentVolumeClaim {
    PersistentVolumeClaim {
        metadata: ObjectMeta {
            name: pvc.metadata.name.clone(),
            namespace: pvc.metadata.namespace.clone(),
            uid: pvc.metadata.uid.clone(),
            labels: pvc.metadata.labels.clone(),
            annotations: pvc.metadata.annotations.clone(),
            ..ObjectMeta::default()
        },
        spec: pvc.spec.clone(),
        status: None,
    }
}

/// P1: a selector's label keys through N5.
fn translate_selector(selector: &mut LabelSelector, context: &Context) {
    let cluster = context.cluster();
    if let Some(labels) = selector.match_labels.take() {
        selector.match_labels = Some(
            labels
                .into_iter()
                .map(|(k, v)| (cluster.host_label_key(&k).into_owned(), v))
                .collect(),
        );
    }
    for requirement in selector.match_expressions.iter_mut().flatten() {
        if let Cow::Owned(key) = cluster.host_label_key(&requirement.key) {
            requirement.key = key;
        }
    }
}

/// The new names of a PVC's data source and data source reference.
#[derive(Debug, Default)]
struct DataSources {
    source: Option<String>,
    reference: Option<String>,
}

/// P1, T4: the host names of the PVC's data source and data source reference, whatever their
/// kind: the host copies (N2) of objects in the PVC's own namespace. `Err(reason)`: a reference
/// to another namespace (a conflict).
fn data_sources(
    pvc: &PersistentVolumeClaim,
    context: &Context,
    why: &mut Why,
) -> Result<Result<DataSources, String>, Error> {
    let cluster = context.cluster();
    let pvc_namespace = namespace(&pvc.metadata);
    let spec = pvc.spec.as_ref();
    let mut sources = DataSources::default();
    if let Some(source) = spec.and_then(|s| s.data_source.as_ref()) {
        why.rule(Rule::T4, || {
            format!(
                "the data source ({} {:?}) names the host copy (N2) of the object in the PVC's \
                 own namespace",
                source.kind, source.name
            )
        });
        sources.source = Some(
            cluster
                .host_name(&source.name, pvc_namespace)
                .map_err(name_error(pvc_ref(pvc), "spec.dataSource.name"))?,
        );
    }
    if let Some(source) = spec.and_then(|s| s.data_source_ref.as_ref()) {
        if let Some(other) = source
            .namespace
            .as_deref()
            .filter(|ns| !ns.is_empty() && *ns != pvc_namespace)
        {
            return Ok(Err(format!(
                "PVC {pvc_namespace}/{} names a data source in namespace {other:?} \
                 (dataSourceRef.namespace): a tenant's claim reads only its own namespace; not \
                 synced",
                name(&pvc.metadata)
            )));
        }
        why.rule(Rule::T4, || {
            format!(
                "the data source reference ({} {:?}) names the host copy (N2) of the object in \
                 the PVC's own namespace",
                source.kind, source.name
            )
        });
        sources.reference = Some(
            cluster
                .host_name(&source.name, pvc_namespace)
                .map_err(name_error(pvc_ref(pvc), "spec.dataSourceRef.name"))?,
        );
    }
    Ok(Ok(sources))
}

/// P2: a mirrored PV keeps its host name when S5's evidence holds; otherwise N3(name).
fn host_volume_name(
    pvc: &PersistentVolumeClaim,
    volume: &str,
    related: &Related<'_>,
    context: &Context,
    why: &mut Why,
) -> Result<String, Error> {
    let cluster = context.cluster();
    if let Some(pv) = related.named_pv {
        if name(&pv.metadata) != volume {
            return Err(Error::inconsistent(
                pv_ref(pv),
                "metadata.name",
                format!(
                    "the virtual PV is not the one the PVC names in spec.volumeName ({volume:?})"
                ),
            ));
        }
        if let VirtualPvKind::Mirror(host) = virtual_pv_kind(pv)
            && related
                .named_host_pv
                .is_some_and(|h| name(&h.metadata) == host && owns_by_evidence(pv, h, cluster))
        {
            why.rule(Rule::P2, || {
                format!(
                    "volumeName names a mirror of host PV {host:?}, and its claim proves it \
                     (S5): the host name"
                )
            });
            why.copied("spec.volumeName", Input::VirtualPv, "metadata.annotations");
            return Ok(host.to_owned());
        }
    }
    why.rule(
        Rule::P2,
        "volumeName names a tenant PV, or a mirror whose host PV's claim does not prove it: \
         its N3 host name",
    );
    why.field("spec.volumeName", Source::rule(Rule::N3));
    cluster
        .host_name_cluster(volume)
        .map_err(name_error(pvc_ref(pvc), "spec.volumeName"))
}

/// P1 on an owned PVC, as the pair decision does with no host PVC, named PV or host class: the
/// host PVC to create, or none (a PVC being deleted, one class limiting holds back (C3), or one
/// T2/T4 refuse).
pub(crate) fn host_pvc_owned(
    pvc: PersistentVolumeClaim,
    context: &Context,
) -> Result<Option<PersistentVolumeClaim>, Error> {
    validate_claim_identity(&pvc)?;
    if crate::object::is_deleting(&pvc.metadata) {
        return Ok(None);
    }
    if class_limited(&pvc, None, context)?.is_some() {
        return Ok(None);
    }
    let host_name = context
        .cluster()
        .host_name(name(&pvc.metadata), namespace(&pvc.metadata))
        .map_err(name_error(pvc_ref(&pvc), "metadata.name"))?;
    match translate(
        pvc,
        host_name,
        &Related::default(),
        context,
        &mut Why::new(false),
    )? {
        Fate::Desired(host) => Ok(Some(host)),
        _ => Ok(None),
    }
}
