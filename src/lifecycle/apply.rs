//! Writes to a cluster as its API server takes them (SPEC Y1): admission defaults, server-set
//! metadata, protection finalizers, deletion with finalizers and grace periods.

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::ids::Ids;
use super::kube::{admit_pv, admit_pvc};
use crate::error::Error;
use crate::plan::{Kind, Object};
use crate::snapshot::Objects;

/// A write's failure, as the API server would answer.
fn refused(reason: String) -> Error {
    Error::Lifecycle { reason }
}

/// The server-set metadata of `current` carried into a replacement.
fn keep_server_fields(new: &mut ObjectMeta, current: &ObjectMeta) {
    new.uid.clone_from(&current.uid);
    new.creation_timestamp
        .clone_from(&current.creation_timestamp);
    new.finalizers.clone_from(&current.finalizers);
    new.deletion_timestamp
        .clone_from(&current.deletion_timestamp);
    new.resource_version.clone_from(&current.resource_version);
    new.namespace.clone_from(&current.namespace);
}

/// The identity of an object: its kind, namespace and name.
pub(crate) fn key(object: &Object) -> (Kind, String, String) {
    let meta = meta(object);
    let namespace = meta.namespace.clone().unwrap_or_default();
    let name = meta.name.clone().unwrap_or_default();
    match object {
        Object::PersistentVolumeClaim(_) => (Kind::PersistentVolumeClaim, namespace, name),
        Object::PersistentVolume(_) => (Kind::PersistentVolume, String::new(), name),
        Object::StorageClass(_) => (Kind::StorageClass, String::new(), name),
    }
}

fn meta(object: &Object) -> &ObjectMeta {
    match object {
        Object::PersistentVolumeClaim(pvc) => &pvc.metadata,
        Object::PersistentVolume(pv) => &pv.metadata,
        Object::StorageClass(class) => &class.metadata,
    }
}

/// Whether the object exists.
pub(crate) fn exists(objects: &Objects, kind: Kind, namespace: &str, name: &str) -> bool {
    match kind {
        Kind::PersistentVolumeClaim => objects.pvc(namespace, name).is_some(),
        Kind::PersistentVolume => objects.pv(name).is_some(),
        Kind::StorageClass => objects.storage_class(name).is_some(),
    }
}

/// Creates an object: admission defaults (K1 for PVCs with this cluster's classes; the API
/// defaults and the protection finalizer for PVs, K5), a new uid.
///
/// # Errors
///
/// An object of that kind and name exists, or has no name.
pub(crate) fn create(objects: &mut Objects, ids: &mut Ids, object: Object) -> Result<(), Error> {
    let (kind, namespace, name) = key(&object);
    if exists(objects, kind, &namespace, &name) {
        return Err(refused(format!(
            "{kind} {}{name} already exists",
            if namespace.is_empty() {
                String::new()
            } else {
                format!("{namespace}/")
            }
        )));
    }
    match object {
        Object::PersistentVolumeClaim(pvc) => {
            let mut pvc = *pvc;
            admit_pvc(&mut pvc, objects);
            ids.create(&mut pvc.metadata);
            objects.insert_pvc(pvc)?;
        }
        Object::PersistentVolume(pv) => {
            let mut pv = *pv;
            admit_pv(&mut pv);
            ids.create(&mut pv.metadata);
            objects.insert_pv(pv)?;
        }
        Object::StorageClass(class) => {
            let mut class: StorageClass = *class;
            ids.create(&mut class.metadata);
            objects.insert_storage_class(class)?;
        }
    }
    Ok(())
}

/// Replaces an object's user fields (metadata, spec, and the status when `with_status`), keeping
/// its server-set metadata.
///
/// # Errors
///
/// No object of that kind and name exists.
pub(crate) fn update(
    objects: &mut Objects,
    ids: &mut Ids,
    object: Object,
    with_status: bool,
) -> Result<(), Error> {
    let (kind, namespace, name) = key(&object);
    let missing = || {
        refused(format!(
            "{} does not exist",
            super::world::label(kind, &namespace, &name)
        ))
    };
    match object {
        Object::PersistentVolumeClaim(pvc) => {
            let current = objects.pvc(&namespace, &name).ok_or_else(missing)?;
            let mut pvc: PersistentVolumeClaim = *pvc;
            keep_server_fields(&mut pvc.metadata, &current.metadata);
            if !with_status {
                pvc.status.clone_from(&current.status);
            }
            ids.touch(&mut pvc.metadata);
            objects.insert_pvc(pvc)?;
        }
        Object::PersistentVolume(pv) => {
            let current = objects.pv(&name).ok_or_else(missing)?;
            let mut pv: PersistentVolume = *pv;
            keep_server_fields(&mut pv.metadata, &current.metadata);
            if !with_status {
                pv.status.clone_from(&current.status);
            }
            ids.touch(&mut pv.metadata);
            objects.insert_pv(pv)?;
        }
        Object::StorageClass(class) => {
            let current = objects.storage_class(&name).ok_or_else(missing)?;
            let mut class: StorageClass = *class;
            keep_server_fields(&mut class.metadata, &current.metadata);
            ids.touch(&mut class.metadata);
            objects.insert_storage_class(class)?;
        }
    }
    Ok(())
}

/// Deletes an object: one with finalizers gets a `deletionTimestamp` and stays, unless its
/// finalizers are removed. PVCs go at once (no pod holds them, SPEC K5, Y1).
///
/// # Errors
///
/// No object of that kind and name exists.
pub(crate) fn delete(
    objects: &mut Objects,
    ids: &mut Ids,
    kind: Kind,
    namespace: &str,
    name: &str,
    remove_finalizers: bool,
) -> Result<(), Error> {
    if !exists(objects, kind, namespace, name) {
        return Err(refused(format!(
            "{} does not exist",
            super::world::label(kind, namespace, name)
        )));
    }
    match kind {
        Kind::PersistentVolumeClaim => {
            objects.remove_pvc(namespace, name);
        }
        Kind::StorageClass => {
            objects.remove_storage_class(name);
        }
        Kind::PersistentVolume => {
            let Some(current) = objects.pv(name) else {
                return Ok(());
            };
            let finalized = current
                .metadata
                .finalizers
                .as_ref()
                .is_some_and(|f| !f.is_empty());
            if remove_finalizers || !finalized {
                objects.remove_pv(name);
            } else if current.metadata.deletion_timestamp.is_none() {
                let mut pv = current.clone();
                pv.metadata.deletion_timestamp = ids.now();
                ids.touch(&mut pv.metadata);
                objects.insert_pv(pv)?;
            }
        }
    }
    Ok(())
}
