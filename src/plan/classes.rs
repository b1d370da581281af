//! The StorageClasses of a plan: C1 (`FromHost`) or C2 (`ToHost`).

use std::borrow::Cow;

use k8s_openapi::api::storage::v1::StorageClass;

use super::{Builder, ClusterSide, Kind, Object};
use crate::explain::Rule;
use crate::fate::Fate;
use crate::mode::StorageClassMode;
use crate::object::{annotation, has_cluster_marker, is_made_from, name};
use crate::snapshot::Snapshot;
use crate::storage_class;
use crate::wellknown::OBJECT_NAME_ANNOTATION;

fn wrap(class: StorageClass) -> Object {
    Object::StorageClass(Box::new(class))
}

pub(super) fn plan(builder: &mut Builder<'_>, _previous: Option<&Snapshot>, current: &Snapshot) {
    match builder.context().mode().storage_classes {
        StorageClassMode::FromHost => from_host(builder, current),
        StorageClassMode::ToHost => to_host(builder, current),
        StorageClassMode::Off => {}
    }
}

/// C1: every host class appears virtually (or not, by the selector); a virtual class without a
/// host twin is deleted, as vcluster's host-class syncer does.
fn from_host(builder: &mut Builder<'_>, current: &Snapshot) {
    let (virtual_objects, host) = (&current.virtual_cluster, &current.host_cluster);
    for class in host.storage_classes() {
        let class_name = name(&class.metadata);
        let mut why = builder.why();
        match storage_class::from_host(class, builder.context().class_selector(), &mut why) {
            Ok(fate) => builder.record_fate(
                ClusterSide::Virtual,
                Kind::StorageClass,
                ("", class_name),
                virtual_objects.storage_class(class_name),
                fate,
                why.finish(),
                wrap,
            ),
            Err(error) => builder.error(error),
        }
    }
    for class in virtual_objects.storage_classes() {
        let class_name = name(&class.metadata);
        if host.storage_class(class_name).is_some() {
            continue;
        }
        let mut why = builder.why();
        why.rule(Rule::C1, || {
            format!("no host class {class_name:?}: the virtual class is deleted")
        });
        builder.record_fate(
            ClusterSide::Virtual,
            Kind::StorageClass,
            ("", class_name),
            Some(class),
            Fate::removed(),
            why.finish(),
            wrap,
        );
    }
}

/// C2: every virtual class is created on the host under N3 (R5 before writing an existing one);
/// a host class this cluster made whose virtual class is gone is deleted.
fn to_host(builder: &mut Builder<'_>, current: &Snapshot) {
    let (virtual_objects, host) = (&current.virtual_cluster, &current.host_cluster);
    let cluster = builder.context().cluster();
    for class in virtual_objects.storage_classes() {
        let mut why = builder.why();
        let desired = match storage_class::to_host(class, builder.context(), &mut why) {
            Ok(desired) => desired,
            Err(error) => {
                builder.error(error);
                continue;
            }
        };
        let host_name = name(&desired.metadata).to_owned();
        let existing = host.storage_class(&host_name);
        let fate = match existing {
            Some(existing)
                if !is_made_from(
                    &existing.metadata,
                    cluster.cluster_marker(),
                    name(&class.metadata),
                    None,
                ) =>
            {
                let reason = format!(
                    "host class {host_name:?} does not carry this virtual cluster's marker and \
                     object-name {:?}: nothing is written",
                    name(&class.metadata)
                );
                why.rule(Rule::R5, {
                    let reason = reason.clone();
                    move || reason
                });
                Fate::Conflict {
                    rule: Rule::R5,
                    reason: Cow::Owned(reason),
                }
            }
            _ => Fate::Desired(desired),
        };
        builder.record_fate(
            ClusterSide::Host,
            Kind::StorageClass,
            ("", &host_name),
            existing,
            fate,
            why.finish(),
            wrap,
        );
    }
    for class in host.storage_classes() {
        if !has_cluster_marker(&class.metadata, cluster) {
            continue;
        }
        let Some(source) = annotation(&class.metadata, OBJECT_NAME_ANNOTATION) else {
            continue;
        };
        let made_from = cluster
            .host_name_cluster(source)
            .is_ok_and(|n| n == name(&class.metadata));
        if !made_from || virtual_objects.storage_class(source).is_some() {
            continue;
        }
        let mut why = builder.why();
        why.rule(Rule::C2, || {
            format!("the virtual class {source:?} is gone: delete its host class")
        });
        builder.record_fate(
            ClusterSide::Host,
            Kind::StorageClass,
            ("", name(&class.metadata)),
            Some(class),
            Fate::removed(),
            why.finish(),
            wrap,
        );
    }
}
