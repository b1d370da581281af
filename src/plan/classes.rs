//! The StorageClasses of a plan: C1 (`FromHost`) or C2 (`ToHost`).

use k8s_openapi::api::storage::v1::StorageClass;

use super::{Builder, ClusterSide, Kind, Object};
use crate::explain::Rule;
use crate::fate::Fate;
use crate::mode::StorageClassMode;
use crate::object::{annotation, has_cluster_marker, name, name_error, storage_class_ref};
use crate::snapshot::Snapshot;
use crate::storage_class::{self, ClassFate, ClassInputs, ClassWhys};
use crate::wellknown::OBJECT_NAME_ANNOTATION;

fn wrap(class: StorageClass) -> Object {
    Object::StorageClass(Box::new(class))
}

pub(super) fn plan(builder: &mut Builder<'_>, previous: Option<&Snapshot>, current: &Snapshot) {
    match builder.context().mode().storage_classes {
        StorageClassMode::FromHost => from_host(builder, current),
        StorageClassMode::ToHost => to_host(builder, previous, current),
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
        let current = virtual_objects.storage_class(class_name);
        match storage_class::from_host(class, builder.context().class_selector(), &mut why) {
            Ok(fate) => match storage_class::from_host_fate(fate, current, &mut why) {
                ClassFate::Plain(fate) => builder.record_fate(
                    ClusterSide::Virtual,
                    Kind::StorageClass,
                    ("", class_name),
                    current,
                    fate,
                    why.finish(),
                    wrap,
                ),
                recreate @ ClassFate::Recreate(_) => builder.record(
                    ClusterSide::Virtual,
                    Kind::StorageClass,
                    ("", class_name),
                    current,
                    recreate.resolve(current, why.finish()),
                    wrap,
                ),
            },
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

/// C2, U2: every virtual class is created on the host under N3 and then kept in step both ways
/// (R5 before writing an existing one, T5 before sending one); a host class this cluster made
/// whose virtual class is gone is deleted.
fn to_host(builder: &mut Builder<'_>, previous: Option<&Snapshot>, current: &Snapshot) {
    let (virtual_objects, host) = (&current.virtual_cluster, &current.host_cluster);
    let context = builder.context();
    let cluster = context.cluster();
    for class in virtual_objects.storage_classes() {
        let class_name = name(&class.metadata);
        let host_name = match cluster
            .host_name_cluster(class_name)
            .map_err(name_error(storage_class_ref(class), "metadata.name"))
        {
            Ok(host_name) => host_name,
            Err(error) => {
                builder.error(error);
                continue;
            }
        };
        let existing = host.storage_class(&host_name);
        let inputs = ClassInputs {
            virtual_class: class,
            host_class: existing,
            last_virtual_class: previous.and_then(|p| p.virtual_cluster.storage_class(class_name)),
            last_host_class: previous.and_then(|p| p.host_cluster.storage_class(&host_name)),
        };
        let (mut host_why, mut virtual_why) = (builder.why(), builder.why());
        let fates = match storage_class::to_host_pair(
            &inputs,
            context,
            ClassWhys {
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
        for (side, key, current, fate, why) in [
            (
                ClusterSide::Host,
                host_name.as_str(),
                existing,
                fates.host_class,
                host_why,
            ),
            (
                ClusterSide::Virtual,
                class_name,
                Some(class),
                fates.virtual_class,
                virtual_why,
            ),
        ] {
            match fate {
                ClassFate::Plain(fate) => builder.record_fate(
                    side,
                    Kind::StorageClass,
                    ("", key),
                    current,
                    fate,
                    why.finish(),
                    wrap,
                ),
                recreate @ ClassFate::Recreate(_) => builder.record(
                    side,
                    Kind::StorageClass,
                    ("", key),
                    current,
                    recreate.resolve(current, why.finish()),
                    wrap,
                ),
            }
        }
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
