//! Cluster dumps: the objects of one cluster as `kubectl get pv,pvc,storageclass -A -o yaml`
//! prints them (a `List` with `items`), as several YAML documents, or both mixed. Kinds other
//! than PersistentVolume, PersistentVolumeClaim and StorageClass are skipped.
//!
//! ```
//! use pv_translate::dump::read_objects;
//! let objects = read_objects("
//! apiVersion: v1
//! kind: List
//! items:
//! - {apiVersion: v1, kind: PersistentVolume, metadata: {name: pv-1}}
//! - {apiVersion: v1, kind: ConfigMap, metadata: {name: skipped}}
//! ---
//! apiVersion: storage.k8s.io/v1
//! kind: StorageClass
//! metadata: {name: gp3}
//! provisioner: ebs.csi.aws.com
//! ")?;
//! assert!(objects.pv("pv-1").is_some());
//! assert!(objects.storage_class("gp3").is_some());
//! # Ok::<(), pv_translate::Error>(())
//! ```

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::Error;
use crate::snapshot::Objects;

/// A dump that cannot be read: the message names the document and the object.
fn dump_error(reason: impl Into<String>) -> Error {
    Error::Case {
        reason: reason.into(),
    }
}

/// The YAML documents of an object file (a dump, a case, a scenario) as JSON values.
///
/// Objects are read as Kubernetes reads JSON: only `true` and `false` are booleans (a namespace
/// called `n` or `no` stays a string), duplicate keys are refused, and nesting and alias
/// expansion are bounded.
pub(crate) fn documents(text: &str) -> Result<Vec<Value>, String> {
    let options = serde_saphyr::options! {
        with_snippet: false,
        strict_booleans: true,
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
        budget: serde_saphyr::budget! {
            max_depth: 64,
            max_nodes: 2_000_000,
        },
    };
    let mut documents: Vec<Value> = serde_saphyr::from_multiple_with_options(text, options)
        .map_err(|e| format!("invalid YAML: {}", first_line(&e.to_string())))?;
    for (index, steps, exact) in crate::config::inexact_numbers(text) {
        if let Some(document) = documents.get_mut(index) {
            put_back(document, &steps, &exact);
        }
    }
    Ok(documents)
}

/// Puts the exact text of a number JSON would round (an unquoted `99999999999999999999999`)
/// back at its place, as a string: every number-valued field this crate reads is a quantity,
/// which Kubernetes reads from text, and an integer field that large is invalid either way.
pub(crate) fn put_back(value: &mut Value, steps: &[crate::config::Step], exact: &str) {
    let mut at = value;
    for step in steps {
        let next = match (step, at) {
            (crate::config::Step::Key(key), Value::Object(map)) => map.get_mut(key),
            (crate::config::Step::Index(index), Value::Array(items)) => items.get_mut(*index),
            _ => None,
        };
        let Some(next) = next else { return };
        at = next;
    }
    if at.is_number() {
        *at = Value::String(exact.to_owned());
    }
}

/// Reads one cluster's PVs, PVCs and StorageClasses from YAML text.
///
/// # Errors
///
/// Text that is not YAML; an object of one of the three kinds that does not parse (the message
/// names it and the field); two objects of one kind with the same name (and namespace).
pub fn read_objects(text: &str) -> Result<Objects, Error> {
    let documents = documents(text).map_err(dump_error)?;
    let mut pvcs = Vec::new();
    let mut pvs = Vec::new();
    let mut classes = Vec::new();
    for (index, document) in documents.into_iter().enumerate() {
        let place = format!("document {}", index.saturating_add(1));
        let items = match document {
            Value::Null => continue,
            Value::Object(ref map) if map.get("kind").and_then(Value::as_str) == Some("List") => {
                match map.get("items") {
                    Some(Value::Array(items)) => items.clone(),
                    None | Some(Value::Null) => Vec::new(),
                    Some(_) => return Err(dump_error(format!("{place}: items: expected a list"))),
                }
            }
            other => vec![other],
        };
        for (i, item) in items.into_iter().enumerate() {
            let place = format!("{place}, object {}", i.saturating_add(1));
            match item.get("kind").and_then(Value::as_str) {
                Some("PersistentVolumeClaim") => pvcs.push(typed(item, &place)?),
                Some("PersistentVolume") => pvs.push(typed(item, &place)?),
                Some("StorageClass") => classes.push(typed::<StorageClass>(item, &place)?),
                _ => {}
            }
        }
    }
    Objects::new(pvcs, pvs, classes)
}

/// The first line of a message, cut to 200 bytes: errors stay one clear line.
pub(crate) fn first_line(message: &str) -> String {
    let line = message.lines().next().unwrap_or_default();
    let mut cut = line.len().min(200);
    while !line.is_char_boundary(cut) {
        cut = cut.saturating_sub(1);
    }
    line.get(..cut).unwrap_or_default().to_owned()
}

/// Types one object, naming it and the field at fault when it does not parse.
fn typed<T: DeserializeOwned + KindName>(item: Value, place: &str) -> Result<T, Error> {
    let label = object_label::<T>(&item);
    serde_path_to_error::deserialize(item).map_err(|e| {
        let path = e.path().to_string();
        let inner = first_line(&e.into_inner().to_string());
        dump_error(format!("{place} ({label}): {path}: {inner}"))
    })
}

/// The kind name of each readable object type, for messages.
trait KindName {
    const KIND: &'static str;
}

impl KindName for PersistentVolume {
    const KIND: &'static str = "PersistentVolume";
}

impl KindName for PersistentVolumeClaim {
    const KIND: &'static str = "PersistentVolumeClaim";
}

impl KindName for StorageClass {
    const KIND: &'static str = "StorageClass";
}

/// `Kind namespace/name` as far as the untyped object says.
fn object_label<T: KindName>(item: &Value) -> String {
    let meta = item.get("metadata");
    let field = |key: &str| {
        meta.and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .unwrap_or_default()
    };
    match (field("namespace"), field("name")) {
        ("", "") => format!("{} <unnamed>", T::KIND),
        ("", name) => format!("{} {name}", T::KIND),
        (namespace, name) => format!("{} {namespace}/{name}", T::KIND),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn r1_reads_lists_documents_and_skips_other_kinds() {
        let objects = read_objects(
            "apiVersion: v1\nkind: List\nitems:\n- {kind: PersistentVolumeClaim, metadata: {name: a, namespace: n}}\n- {kind: Secret, metadata: {name: s}}\n---\n---\nkind: PersistentVolume\nmetadata: {name: p}\n",
        )
        .unwrap();
        assert!(objects.pvc("n", "a").is_some());
        assert!(objects.pv("p").is_some());
        assert!(read_objects("").unwrap().is_empty());
    }

    #[test]
    fn r1_unquoted_huge_quantities_keep_their_text() {
        let objects = read_objects(
            "kind: PersistentVolume\napiVersion: v1\nmetadata: {name: big}\n\
             spec: {capacity: {storage: 99999999999999999999999}}\n",
        )
        .unwrap();
        let pv = objects.pv("big").unwrap();
        let capacity = pv.spec.as_ref().unwrap().capacity.as_ref().unwrap();
        assert_eq!(capacity["storage"].0, "99999999999999999999999");
    }

    #[test]
    fn r1_bad_dumps_are_one_clear_error_naming_the_object() {
        let err =
            read_objects("kind: PersistentVolume\nmetadata: {name: p}\nspec: {capacity: 5}\n")
                .unwrap_err()
                .to_string();
        assert!(
            err.starts_with("document 1, object 1 (PersistentVolume p): spec.capacity: "),
            "{err}"
        );
        let err = read_objects("kind: [").unwrap_err().to_string();
        assert!(err.starts_with("invalid YAML"), "{err}");
        let err = read_objects(
            "kind: PersistentVolume\nmetadata: {name: p}\n---\nkind: PersistentVolume\nmetadata: {name: p}\n",
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("PersistentVolume p"), "{err}");
    }
}
