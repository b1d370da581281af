//! The PVs of a plan: fake mode (F5 for every PV name) or sync mode (every pair, S/H/B/D).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;

use super::{Builder, ClusterSide, Kind, Object};
use crate::decision::{Decision, host_decision};
use crate::explain::Rule;
use crate::fake::{self, Claims, FakeInputs};
use crate::fate::Fate;
use crate::mode::{PvMode, StorageClassMode};
use crate::object::{
    VirtualPvKind, annotation, has_cluster_marker, name, name_error, pv_class, pv_ref, pvc_class,
    virtual_pv_kind,
};
use crate::snapshot::{Objects, Snapshot};
use crate::sync::{self, PairInputs, StorageIndex, VolumeIdentity};
use crate::wellknown::OBJECT_NAME_ANNOTATION;

fn wrap(pv: PersistentVolume) -> Object {
    Object::PersistentVolume(Box::new(pv))
}

pub(super) fn plan(builder: &mut Builder<'_>, previous: Option<&Snapshot>, current: &Snapshot) {
    match builder.context().mode().persistent_volumes {
        PvMode::Fake => fake_mode(builder, current),
        PvMode::Sync => sync_mode(builder, previous, current),
        PvMode::Disabled => {}
    }
}

/// The host class of a claim, as fake mode's options read it: the claim's class (its N3 name in
/// `ToHost` mode), or the host's default class for a claim without one.
pub(super) fn claim_host_class<'a>(
    claim: &PersistentVolumeClaim,
    host: &'a Objects,
    builder: &Builder<'_>,
) -> Option<&'a StorageClass> {
    match pvc_class(claim) {
        None => host.default_storage_class(),
        Some("") => None,
        Some(class) if builder.context().mode().storage_classes == StorageClassMode::ToHost => {
            let translated = builder.context().cluster().host_name_cluster(class).ok()?;
            host.storage_class(&translated)
        }
        Some(class) => host.storage_class(class),
    }
}

/// F1-F7 for every PV name a virtual PV or PVC has.
fn fake_mode(builder: &mut Builder<'_>, current: &Snapshot) {
    let (virtual_objects, host) = (&current.virtual_cluster, &current.host_cluster);
    let claims = Claims::new(virtual_objects.pvcs());
    let mut names: Vec<&str> = virtual_objects
        .pvs()
        .map(|pv| name(&pv.metadata))
        .chain(claims.volumes())
        .collect();
    names.sort_unstable();
    names.dedup();
    for pv_name in names {
        let claim = claims.oldest(pv_name);
        let inputs = FakeInputs {
            claim,
            current: virtual_objects.pv(pv_name),
            host_pv: host.pv(pv_name),
            host_class: claim.and_then(|c| claim_host_class(c, host, builder)),
        };
        let mut why = builder.why();
        match fake::decide(&inputs, builder.context(), &mut why) {
            Ok(fate) => builder.record_fate(
                ClusterSide::Virtual,
                Kind::PersistentVolume,
                ("", pv_name),
                inputs.current,
                fate,
                why.finish(),
                wrap,
            ),
            Err(error) => builder.error(error),
        }
    }
}

/// S1-S8, H1, B1-B2, D1-D4 for every pair.
fn sync_mode(builder: &mut Builder<'_>, previous: Option<&Snapshot>, current: &Snapshot) {
    let (virtual_objects, host) = (&current.virtual_cluster, &current.host_cluster);
    let cluster = builder.context().cluster();
    // The virtual PVC of each host claim in H, by N2 name (S4): computed once.
    let mut pvc_by_host_name: HashMap<String, &PersistentVolumeClaim> = HashMap::new();
    for pvc in virtual_objects.pvcs() {
        if let Ok(host_name) =
            cluster.host_name(name(&pvc.metadata), crate::object::namespace(&pvc.metadata))
        {
            pvc_by_host_name.insert(host_name, pvc);
        }
    }
    let claim_of = |host_pv: Option<&PersistentVolume>| {
        let claim = host_pv?.spec.as_ref()?.claim_ref.as_ref()?;
        if claim.namespace.as_deref() != Some(cluster.host_namespace()) {
            return None;
        }
        pvc_by_host_name.get(claim.name.as_deref()?).copied()
    };
    // T3: the host PVC a host PV's claim names in H.
    let host_pvc_of = |host_pv: Option<&PersistentVolume>| {
        let claim = host_pv?.spec.as_ref()?.claim_ref.as_ref()?;
        if claim.namespace.as_deref() != Some(cluster.host_namespace()) {
            return None;
        }
        host.pvc(cluster.host_namespace(), claim.name.as_deref()?)
    };
    // T2: one disk, one PV. The storage every host PV names, and every tenant PV's own.
    let mut host_storage = StorageIndex::default();
    for host_pv in host.pvs() {
        host_storage.insert(name(&host_pv.metadata), host_pv.spec.as_ref());
    }
    let mut tenant_storage = StorageIndex::default();
    for virtual_pv in virtual_objects.pvs() {
        if virtual_pv_kind(virtual_pv) == VirtualPvKind::TenantMade {
            tenant_storage.insert(name(&virtual_pv.metadata), virtual_pv.spec.as_ref());
        }
    }
    // T2: the host PV of a tenant PV's name, when it is mirrored for this virtual cluster: the
    // tenant PV is that mirror with its vcluster.loft.sh/host-pv gone.
    let context = builder.context();
    let namesake = |virtual_name: &str| {
        let host_pv = host.pv(virtual_name)?;
        let mirrored = !has_cluster_marker(&host_pv.metadata, cluster)
            && sync::mirror_decision(host_pv, claim_of(Some(host_pv)), None, context)
                .is_ok_and(|d| d.is_mirrored());
        mirrored.then_some(host_pv)
    };
    let mut paired: HashSet<String> = HashSet::new();
    for virtual_pv in virtual_objects.pvs() {
        let virtual_name = name(&virtual_pv.metadata);
        let mut same_storage = None;
        let host_name = match virtual_pv_kind(virtual_pv) {
            VirtualPvKind::Mirror(host_name) => host_name.to_owned(),
            VirtualPvKind::Fake => virtual_name.to_owned(),
            VirtualPvKind::TenantMade if namesake(virtual_name).is_some() => {
                virtual_name.to_owned()
            }
            VirtualPvKind::TenantMade => match cluster
                .host_name_cluster(virtual_name)
                .map_err(name_error(pv_ref(virtual_pv), "metadata.name"))
            {
                Ok(host_name) => {
                    same_storage = other_storage(
                        virtual_pv,
                        &host_name,
                        host.pv(&host_name).is_some(),
                        &host_storage,
                        &tenant_storage,
                    );
                    host_name
                }
                Err(error) => {
                    builder.error(error);
                    continue;
                }
            },
        };
        let host_pv = host.pv(&host_name);
        let inputs = PairInputs {
            virtual_pv: Some(virtual_pv),
            host_pv,
            last_virtual_pv: previous.and_then(|p| p.virtual_cluster.pv(virtual_name)),
            last_host_pv: previous.and_then(|p| p.host_cluster.pv(&host_name)),
            virtual_pvc: claim_of(host_pv),
            host_pvc: host_pvc_of(host_pv),
            host_class: host.storage_class(pv_class(virtual_pv)),
            same_storage,
        };
        pair(builder, virtual_objects, &inputs, virtual_name, &host_name);
        paired.insert(host_name);
    }
    for host_pv in host.pvs() {
        let host_name = name(&host_pv.metadata);
        if paired.contains(host_name) {
            continue;
        }
        // A host PV made from a virtual PV pairs with it by its object-name (S1); its virtual PV
        // is gone, or it would have been paired above.
        let virtual_name = if has_cluster_marker(&host_pv.metadata, cluster) {
            annotation(&host_pv.metadata, OBJECT_NAME_ANNOTATION).unwrap_or(host_name)
        } else {
            host_name
        };
        let inputs = PairInputs {
            virtual_pv: None,
            host_pv: Some(host_pv),
            last_virtual_pv: previous.and_then(|p| p.virtual_cluster.pv(virtual_name)),
            last_host_pv: previous.and_then(|p| p.host_cluster.pv(host_name)),
            virtual_pvc: claim_of(Some(host_pv)),
            host_pvc: host_pvc_of(Some(host_pv)),
            host_class: None,
            same_storage: None,
        };
        pair(builder, virtual_objects, &inputs, virtual_name, host_name);
    }
}

/// T2: a PV, other than `virtual_pv`'s own host copy `host_name`, whose storage overlaps
/// `virtual_pv`'s: a host PV, or, while the tenant PV has no copy yet, another tenant PV whose
/// name sorts first (the first one goes to the host, the others then meet its copy).
fn other_storage<'a>(
    virtual_pv: &PersistentVolume,
    host_name: &str,
    has_copy: bool,
    host_storage: &StorageIndex<'a>,
    tenant_storage: &StorageIndex<'a>,
) -> Option<&'a str> {
    let identity = virtual_pv.spec.as_ref().and_then(VolumeIdentity::of)?;
    let virtual_name = name(&virtual_pv.metadata);
    host_storage
        .overlapping(&identity, |n| n != host_name)
        .or_else(|| {
            (!has_copy)
                .then(|| tenant_storage.overlapping(&identity, |n| n < virtual_name))
                .flatten()
        })
}

/// Decides one pair and files both sides. A mirror to create under the name of a virtual PV
/// that exists and is not it (a tenant's own PV) is a conflict: the tenant's PV is never
/// replaced by what the host did.
fn pair(
    builder: &mut Builder<'_>,
    virtual_objects: &Objects,
    inputs: &PairInputs<'_>,
    virtual_name: &str,
    host_name: &str,
) {
    let mut why = builder.why();
    let fates = match sync::decide(inputs, builder.context(), &mut why) {
        Ok(fates) => fates,
        Err(error) => {
            builder.error(error);
            return;
        }
    };
    let explanation = why.finish();
    let mut virtual_fate = fates.virtual_pv;
    let mut virtual_current = inputs.virtual_pv;
    if inputs.virtual_pv.is_none()
        && matches!(virtual_fate, Fate::Desired(_))
        && let Some(tenant_pv) = virtual_objects.pv(virtual_name)
    {
        // The conflict's desired object is the tenant's PV as it is (Action::Conflict).
        virtual_current = Some(tenant_pv);
        virtual_fate = Fate::Conflict {
            rule: Rule::S6,
            reason: Cow::Owned(format!(
                "host PV {host_name:?} is mirrored, but a virtual PV the tenant made has its \
                 name: it is never replaced"
            )),
        };
    }
    builder.record_fate(
        ClusterSide::Virtual,
        Kind::PersistentVolume,
        ("", virtual_name),
        virtual_current,
        virtual_fate,
        explanation.clone(),
        wrap,
    );
    if fates.conflicts.is_empty() {
        builder.record_fate(
            ClusterSide::Host,
            Kind::PersistentVolume,
            ("", host_name),
            inputs.host_pv,
            fates.host_pv,
            explanation,
            wrap,
        );
    } else {
        let decision: Decision<PersistentVolume> =
            host_decision(inputs.host_pv, fates.host_pv, &fates.conflicts, explanation);
        builder.record(
            ClusterSide::Host,
            Kind::PersistentVolume,
            ("", host_name),
            inputs.host_pv,
            decision,
            wrap,
        );
    }
}
