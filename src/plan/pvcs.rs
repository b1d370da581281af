//! The PVCs of a plan: P1-P4 for every virtual PVC, and P4 for host PVCs whose virtual PVC is
//! gone.

use k8s_openapi::api::core::v1::PersistentVolumeClaim;

use super::{Builder, ClusterSide, Kind, Object};
use crate::decision::{Action, Decision};
use crate::explain::Rule;
use crate::fate::Fate;
use crate::mode::PvMode;
use crate::object::{
    VirtualPvKind, annotation, claimed_volume, label, name, name_error, namespace, pvc_ref,
    virtual_pv_kind,
};
use crate::pvc::{self, PvcInputs, PvcWhys, Related, VirtualPvcFate, requested_class};
use crate::snapshot::Snapshot;
use crate::wellknown::{MANAGED_BY_LABEL, OBJECT_NAME_ANNOTATION, OBJECT_NAMESPACE_ANNOTATION};

fn wrap(pvc: PersistentVolumeClaim) -> Object {
    Object::PersistentVolumeClaim(Box::new(pvc))
}

pub(super) fn plan(builder: &mut Builder<'_>, previous: Option<&Snapshot>, current: &Snapshot) {
    let (virtual_objects, host) = (&current.virtual_cluster, &current.host_cluster);
    let context = builder.context();
    let host_namespace = context.cluster().host_namespace();
    let fake = context.mode().persistent_volumes != PvMode::Sync;
    for pvc in virtual_objects.pvcs() {
        let (pvc_namespace, pvc_name) = (namespace(&pvc.metadata), name(&pvc.metadata));
        let host_name = match context
            .cluster()
            .host_name(pvc_name, pvc_namespace)
            .map_err(name_error(pvc_ref(pvc), "metadata.name"))
        {
            Ok(host_name) => host_name,
            Err(error) => {
                builder.error(error);
                continue;
            }
        };
        let host_pvc = host.pvc(host_namespace, &host_name);
        let named_pv = claimed_volume(pvc).and_then(|volume| virtual_objects.pv(volume));
        let named_host_pv = named_pv.and_then(|pv| match virtual_pv_kind(pv) {
            VirtualPvKind::Mirror(host_name) => host.pv(host_name),
            _ => None,
        });
        let inputs = PvcInputs {
            virtual_pvc: pvc,
            host_pvc,
            last_virtual_pvc: previous.and_then(|p| p.virtual_cluster.pvc(pvc_namespace, pvc_name)),
            last_host_pvc: previous.and_then(|p| p.host_cluster.pvc(host_namespace, &host_name)),
            related: Related {
                named_pv,
                named_host_pv,
                claimed_host_pv: claimed_volume(pvc)
                    .filter(|_| fake)
                    .and_then(|volume| host.pv(volume)),
                bound_host_pv: host_pvc
                    .and_then(claimed_volume)
                    .and_then(|volume| host.pv(volume)),
                host_class: requested_class(pvc).and_then(|class| host.storage_class(class)),
            },
        };
        let (mut host_why, mut virtual_why) = (builder.why(), builder.why());
        let fates = match pvc::decide(
            &inputs,
            context,
            PvcWhys {
                host: &mut host_why,
                virtual_side: &mut virtual_why,
            },
        ) {
            Ok(fates) => fates,
            Err(error) => {
                builder.error(error);
                continue;
            }
        };
        builder.record_fate(
            ClusterSide::Host,
            Kind::PersistentVolumeClaim,
            (host_namespace, &host_name),
            host_pvc,
            fates.host_pvc,
            host_why.finish(),
            wrap,
        );
        match fates.virtual_pvc {
            VirtualPvcFate::Plain(fate) => builder.record_fate(
                ClusterSide::Virtual,
                Kind::PersistentVolumeClaim,
                (pvc_namespace, pvc_name),
                Some(pvc),
                fate,
                virtual_why.finish(),
                wrap,
            ),
            VirtualPvcFate::Recreate(desired) => builder.record(
                ClusterSide::Virtual,
                Kind::PersistentVolumeClaim,
                (pvc_namespace, pvc_name),
                Some(pvc),
                Decision {
                    desired: Some(desired),
                    action: Action::Recreate,
                    explanation: virtual_why.finish(),
                },
                wrap,
            ),
        }
    }
    // P4: a host PVC this virtual cluster made (R5: marker, object-name, object-namespace, and
    // its name is N2 of them) whose virtual PVC is gone.
    for host_pvc in host.pvcs() {
        if namespace(&host_pvc.metadata) != host_namespace
            || label(&host_pvc.metadata, MANAGED_BY_LABEL)
                != Some(context.cluster().namespaced_marker())
        {
            continue;
        }
        let (Some(source_name), Some(source_namespace)) = (
            annotation(&host_pvc.metadata, OBJECT_NAME_ANNOTATION),
            annotation(&host_pvc.metadata, OBJECT_NAMESPACE_ANNOTATION),
        ) else {
            continue;
        };
        let made_from = context
            .cluster()
            .host_name(source_name, source_namespace)
            .is_ok_and(|n| n == name(&host_pvc.metadata));
        if !made_from || virtual_objects.pvc(source_namespace, source_name).is_some() {
            continue;
        }
        let mut why = builder.why();
        why.rule(Rule::P4, || {
            format!("the virtual PVC {source_namespace}/{source_name} is gone: delete its host PVC")
        });
        builder.record_fate(
            ClusterSide::Host,
            Kind::PersistentVolumeClaim,
            (host_namespace, name(&host_pvc.metadata)),
            Some(host_pvc),
            Fate::removed(),
            why.finish(),
            wrap,
        );
    }
}
