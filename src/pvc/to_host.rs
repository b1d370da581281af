//! P1, P2 and the host side of P3: the host copy of a virtual PVC.

use std::borrow::Cow;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    PersistentVolume, PersistentVolumeClaim, PersistentVolumeClaimSpec,
};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use crate::canonical;
use crate::context::Context;
use crate::error::Error;
use crate::explain::{Input, Rule, Source, Why};
use crate::fate::Fate;
use crate::host_meta::{Scope, crosses_to_host, host_labels, into_host_metadata};
use crate::mode::{PvMode, StorageClassMode};
use crate::object::{
    VirtualPvKind, annotation, claimed_volume, is_deleting, is_made_from, name, name_error,
    namespace, pv_ref, pvc_ref, virtual_pv_kind, without_server_fields,
};
use crate::storage_class::class_limit_reason;
use crate::sync::owns_by_evidence;
use crate::validate::validate_claim_identity;
use crate::wellknown::{BETA_STORAGE_CLASS_ANNOTATION, PVC_OBJECT_KIND, SKIP_TRANSLATE_ANNOTATION};

/// Annotations vcluster's PVC syncer never copies virtual -> host (the host's binder owns them).
const NOT_TO_HOST: [&str; 3] = [
    "pv.kubernetes.io/bind-completed",
    "pv.kubernetes.io/bound-by-controller",
    "volume.beta.kubernetes.io/storage-provisioner",
];

/// What the PVC syncer knows when it makes or updates a host PVC.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HostPvcInputs<'a> {
    /// The virtual PVC.
    pub(crate) virtual_pvc: &'a PersistentVolumeClaim,
    /// The host PVC under N2 of its name, if it exists.
    pub(crate) host_pvc: Option<&'a PersistentVolumeClaim>,
    /// Whether that host PVC was seen at the last sync (R2): one that is gone since is not
    /// made again; P4 deletes the virtual PVC instead.
    pub(crate) host_pvc_seen: bool,
    /// The objects its translation reads.
    pub(crate) related: Related<'a>,
}

/// The objects a PVC's translation reads besides the PVC.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Related<'a> {
    /// The virtual PV the PVC names in `volumeName`, if any (P2).
    pub(crate) named_pv: Option<&'a PersistentVolume>,
    /// The host PV that PV's `vcluster.loft.sh/host-pv` names, if it exists (P2's evidence).
    pub(crate) named_host_pv: Option<&'a PersistentVolume>,
    /// The host StorageClass named by the PVC's class, if it exists (P1, C3).
    pub(crate) host_class: Option<&'a StorageClass>,
}

/// The PVC's class as vcluster reads it: the field when non-empty, else the deprecated
/// annotation.
fn requested_class(pvc: &PersistentVolumeClaim) -> Option<&str> {
    pvc.spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_deref())
        .filter(|c| !c.is_empty())
        .or_else(|| {
            annotation(&pvc.metadata, BETA_STORAGE_CLASS_ANNOTATION).filter(|c| !c.is_empty())
        })
}

/// P1-P4 for the host PVC of `inputs.virtual_pvc`.
///
/// # Errors
///
/// F7: an invalid PVC; P2: a named PV that is not the one `volumeName` names; N1.
pub(crate) fn host_pvc(
    inputs: &HostPvcInputs<'_>,
    context: &Context,
    why: &mut Why,
) -> Result<Fate<PersistentVolumeClaim>, Error> {
    let pvc = inputs.virtual_pvc;
    validate_claim_identity(pvc)?;
    if let Some(class) = pvc
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_deref())
        && let Some(reason) = class_limit_reason(class, inputs.related.host_class, context)?
    {
        let reason = format!(
            "did not sync persistent volume claim {:?} to host because {reason}",
            name(&pvc.metadata)
        );
        why.rule(Rule::C3, {
            let reason = reason.clone();
            move || reason
        });
        return Ok(Fate::Wait {
            rule: Rule::C3,
            reason: Cow::Owned(reason),
        });
    }
    let cluster = context.cluster();
    let host_name = cluster
        .host_name(name(&pvc.metadata), namespace(&pvc.metadata))
        .map_err(name_error(pvc_ref(pvc), "metadata.name"))?;
    let Some(current) = inputs.host_pvc else {
        if is_deleting(&pvc.metadata) {
            why.rule(
                Rule::P4,
                "the virtual PVC is being deleted and has no host PVC: nothing to create",
            );
            return Ok(Fate::removed());
        }
        if inputs.host_pvc_seen {
            // A new host PVC could provision a new, empty disk for a claim P4 is deleting.
            why.rule(
                Rule::P4,
                "the host PVC was synced and is gone: the virtual PVC is deleted, not given a \
                 new host PVC",
            );
            return Ok(Fate::removed());
        }
        return Ok(Fate::Desired(translate(
            copy_parts(pvc),
            host_name,
            &inputs.related,
            context,
            why,
        )?));
    };
    // R5: the host PVC under N2 must have been made from this very PVC.
    if !is_made_from(
        &current.metadata,
        cluster.namespaced_marker(),
        name(&pvc.metadata),
        Some(namespace(&pvc.metadata)),
    ) {
        let reason = format!(
            "host PVC {}/{host_name} does not carry this virtual cluster's marker and the \
             object-name of {}/{}: nothing is written",
            cluster.host_namespace(),
            namespace(&pvc.metadata),
            name(&pvc.metadata),
        );
        why.rule(Rule::R5, {
            let reason = reason.clone();
            move || reason
        });
        return Ok(Fate::Conflict {
            rule: Rule::R5,
            reason: Cow::Owned(reason),
        });
    }
    if is_deleting(&pvc.metadata) {
        why.rule(
            Rule::P4,
            "the virtual PVC is being deleted: delete its host PVC",
        );
        return Ok(Fate::removed());
    }
    if is_deleting(&current.metadata) {
        why.rule(Rule::P4, "the host PVC is being deleted: left to go");
        return Ok(Fate::Untouched);
    }
    Ok(Fate::Desired(follow(pvc, current, context, why)))
}

/// P1 (afterwards) and P3: the existing host PVC keeps what the host's controllers filled in;
/// it takes the virtual requests (resizing) and the virtual labels and annotations.
fn follow(
    pvc: &PersistentVolumeClaim,
    current: &PersistentVolumeClaim,
    context: &Context,
    why: &mut Why,
) -> PersistentVolumeClaim {
    // The status is the host's controllers' (and the status subresource's): kept as it is.
    let mut desired = PersistentVolumeClaim {
        metadata: without_server_fields(&current.metadata),
        spec: current.spec.clone(),
        status: current.status.clone(),
    };
    let requests = pvc
        .spec
        .as_ref()
        .and_then(|s| s.resources.as_ref())
        .and_then(|r| r.requests.clone());
    let spec = desired.spec.get_or_insert_with(Default::default);
    let resources = spec.resources.get_or_insert_with(Default::default);
    resources.requests = requests;
    canonical::capacity(&mut resources.requests);
    why.rule(
        Rule::P3,
        "the host PVC takes the virtual PVC's requests (resizing); the host's controllers own \
         the rest of its spec",
    );
    why.copied(
        "spec.resources.requests",
        Input::VirtualPvc,
        "spec.resources.requests",
    );
    // Labels and annotations follow the virtual PVC: its keys are set on the host (labels
    // through N5); the host's own keys, the markers and the bookkeeping stay.
    let cluster = context.cluster();
    let labels = desired.metadata.labels.get_or_insert_with(BTreeMap::new);
    labels.extend(host_labels(pvc.metadata.labels.clone(), cluster));
    let annotations = desired
        .metadata
        .annotations
        .get_or_insert_with(BTreeMap::new);
    annotations.extend(
        pvc.metadata
            .annotations
            .iter()
            .flatten()
            .filter(|(k, _)| crosses_to_host(k, &NOT_TO_HOST))
            .map(|(k, v)| (k.clone(), v.clone())),
    );
    why.copied("metadata.labels", Input::VirtualPvc, "metadata.labels");
    why.copied(
        "metadata.annotations",
        Input::VirtualPvc,
        "metadata.annotations",
    );
    desired
}

/// P1, P2: the host copy of `pvc`, as created, which it consumes: everything the rules decide
/// is decided first, from the PVC as it is; then its metadata and spec are moved into the host
/// object, copying nothing else.
pub(crate) fn translate(
    pvc: PersistentVolumeClaim,
    host_name: String,
    related: &Related<'_>,
    context: &Context,
    why: &mut Why,
) -> Result<PersistentVolumeClaim, Error> {
    let cluster = context.cluster();
    let mode = context.mode();
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
    // The class: N3 of it in ToHost mode, and in sync mode for a static PVC or a class the host
    // lacks (as vcluster does).
    let spec = pvc.spec.as_ref();
    let static_pvc = spec.is_some_and(|s| s.selector.is_some()) || claimed_volume(&pvc).is_some();
    let translated_class = match requested_class(&pvc) {
        Some(class) if mode.storage_classes == StorageClassMode::ToHost => {
            why.rule(
                Rule::P1,
                "toHost classes: the class becomes its N3 host name",
            );
            Some(class)
        }
        Some(class) if mode.persistent_volumes == PvMode::Sync && !skip => {
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
        None => None,
    };
    let sync = mode.persistent_volumes == PvMode::Sync && !skip;
    let volume_name = match claimed_volume(&pvc) {
        Some(volume) if sync => Some(host_volume_name(&pvc, volume, related, context, why)?),
        _ => None,
    };
    let sources = if skip {
        (None, None)
    } else {
        data_source_names(&pvc, context, why)?
    };
    // Built from the PVC itself.
    let PersistentVolumeClaim {
        metadata,
        spec,
        status: _,
    } = pvc;
    let virtual_namespace = metadata.namespace.clone().unwrap_or_default();
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
    if let (Some(name), Some(source)) = (sources.0, spec.data_source.as_mut()) {
        source.name = name;
    }
    if let (Some(name), Some(source)) = (sources.1, spec.data_source_ref.as_mut()) {
        source.name = name;
    }
    if let Some(resources) = spec.resources.as_mut() {
        canonical::capacity(&mut resources.requests);
        canonical::capacity(&mut resources.limits);
    }
    Ok(PersistentVolumeClaim {
        metadata,
        spec: Some(spec),
        status: None,
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

/// P1: the new names of a data source and a data source reference of kind
/// PersistentVolumeClaim: their host copies (N2).
fn data_source_names(
    pvc: &PersistentVolumeClaim,
    context: &Context,
    why: &mut Why,
) -> Result<(Option<String>, Option<String>), Error> {
    let cluster = context.cluster();
    let pvc_namespace = namespace(&pvc.metadata);
    let spec = pvc.spec.as_ref();
    let source = match spec
        .and_then(|s| s.data_source.as_ref())
        .filter(|s| s.kind == "PersistentVolumeClaim")
    {
        Some(source) => {
            why.rule(Rule::P1, "a PVC data source names its host copy (N2)");
            Some(
                cluster
                    .host_name(&source.name, pvc_namespace)
                    .map_err(name_error(pvc_ref(pvc), "spec.dataSource.name"))?,
            )
        }
        None => None,
    };
    let reference = match spec
        .and_then(|s| s.data_source_ref.as_ref())
        .filter(|s| s.kind == "PersistentVolumeClaim")
    {
        Some(source) => {
            why.rule(
                Rule::P1,
                "a PVC data source reference names its host copy (N2)",
            );
            let source_namespace = source.namespace.as_deref().unwrap_or(pvc_namespace);
            Some(
                cluster
                    .host_name(&source.name, source_namespace)
                    .map_err(name_error(pvc_ref(pvc), "spec.dataSourceRef.name"))?,
            )
        }
        None => None,
    };
    Ok((source, reference))
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

/// P1 on an owned PVC, as [`host_pvc`] does with no host PVC, named PV or host class: the host
/// PVC to create, or none.
pub(crate) fn host_pvc_owned(
    pvc: PersistentVolumeClaim,
    context: &Context,
) -> Result<Option<PersistentVolumeClaim>, Error> {
    validate_claim_identity(&pvc)?;
    if crate::object::is_deleting(&pvc.metadata) {
        return Ok(None);
    }
    if let Some(class) = pvc
        .spec
        .as_ref()
        .and_then(|s| s.storage_class_name.as_deref())
        && class_limit_reason(class, None, context)?.is_some()
    {
        return Ok(None);
    }
    let host_name = context
        .cluster()
        .host_name(name(&pvc.metadata), namespace(&pvc.metadata))
        .map_err(name_error(pvc_ref(&pvc), "metadata.name"))?;
    translate(
        pvc,
        host_name,
        &Related::default(),
        context,
        &mut Why::new(false),
    )
    .map(Some)
}
