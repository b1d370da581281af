//! What the API server admits beyond the OpenAPI schema (SPEC I7): the metadata rules of
//! `ValidateObjectMeta` and the PV, PVC and StorageClass fields this crate writes. A syncer can
//! check a desired object before it writes it; the crate's tests check every object it produces.
//!
//! ```
//! use k8s_openapi::api::core::v1::PersistentVolumeClaim;
//! use pv_translate::validate::admissible_pvc;
//! let pvc: PersistentVolumeClaim = serde_json::from_value(serde_json::json!({
//!     "metadata": {"name": "data", "namespace": "team-a", "labels": {"app/tier": "db"}},
//!     "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
//! }))?;
//! assert!(admissible_pvc(&pvc).is_ok());
//! # Ok::<(), serde_json::Error>(())
//! ```

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{check_resources, validate_pv};
use crate::error::{Error, ObjectRef};
use crate::object::{pv_ref, pvc_ref};

/// Longest DNS-1123 subdomain (object names).
const MAX_SUBDOMAIN: usize = 253;
/// Longest DNS-1123 label (namespaces) and the name part of a qualified name.
const MAX_LABEL: usize = 63;
/// Longest label value.
const MAX_LABEL_VALUE: usize = 63;
/// The API server's limit on the total size of an object's annotations (keys and values).
const MAX_ANNOTATIONS_BYTES: usize = 256 * 1024;
/// Finalizers the API server accepts without a domain prefix.
const STANDARD_FINALIZERS: [&str; 3] = ["kubernetes", "orphan", "foregroundDeletion"];

/// A PV the API server admits: [`validate_pv`] (I7) and its metadata.
///
/// # Errors
///
/// The first rule broken, naming the PV and the field.
pub fn admissible_pv(pv: &PersistentVolume) -> Result<(), Error> {
    validate_pv(pv)?;
    check_meta(&|| pv_ref(pv), &pv.metadata, false)
}

/// A PVC the API server admits: name, namespace, metadata, access modes and a valid storage
/// request.
///
/// # Errors
///
/// The first rule broken, naming the PVC and the field.
pub fn admissible_pvc(pvc: &PersistentVolumeClaim) -> Result<(), Error> {
    let object = || pvc_ref(pvc);
    check_meta(&object, &pvc.metadata, true)?;
    let spec = pvc.spec.as_ref();
    super::check_access_modes(&object, spec.and_then(|s| s.access_modes.as_deref()))?;
    super::check_volume_mode(&object, spec.and_then(|s| s.volume_mode.as_deref()))?;
    check_resources(
        &object,
        "spec.resources.requests",
        spec.and_then(|s| s.resources.as_ref())
            .and_then(|r| r.requests.as_ref()),
    )
}

/// A StorageClass the API server admits: metadata, a provisioner that is a qualified name, a
/// valid reclaim policy and at most 512 parameters.
///
/// # Errors
///
/// The first rule broken, naming the class and the field.
pub fn admissible_storage_class(class: &StorageClass) -> Result<(), Error> {
    let object = || ObjectRef::new("StorageClass", &class.metadata);
    check_meta(&object, &class.metadata, false)?;
    qualified_name(&class.provisioner)
        .map_err(|reason| Error::invalid(object(), "provisioner", reason))?;
    if let Some(policy) = class.reclaim_policy.as_deref() {
        policy
            .parse::<crate::reclaim::ReclaimPolicy>()
            .map_err(|e| Error::invalid(object(), "reclaimPolicy", e.to_string()))?;
    }
    if class.parameters.as_ref().is_some_and(|p| p.len() > 512) {
        return Err(Error::invalid(
            object(),
            "parameters",
            "more than 512 parameters",
        ));
    }
    Ok(())
}

/// `ValidateObjectMeta`: the name, the namespace of namespaced objects (and none on others),
/// labels, annotations and finalizers.
fn check_meta(
    object: &impl Fn() -> ObjectRef,
    meta: &ObjectMeta,
    namespaced: bool,
) -> Result<(), Error> {
    let invalid = |field: &str, reason: String| Error::invalid(object(), field, reason);
    dns1123_subdomain(meta.name.as_deref().unwrap_or_default())
        .map_err(|reason| invalid("metadata.name", reason))?;
    match (namespaced, meta.namespace.as_deref()) {
        (true, namespace) => dns1123_label(namespace.unwrap_or_default())
            .map_err(|reason| invalid("metadata.namespace", reason))?,
        (false, Some(namespace)) if !namespace.is_empty() => {
            return Err(invalid(
                "metadata.namespace",
                "not allowed on a cluster-scoped object".to_owned(),
            ));
        }
        (false, _) => {}
    }
    check_labels(&invalid, meta.labels.as_ref())?;
    check_annotations(&invalid, meta.annotations.as_ref())?;
    for finalizer in meta.finalizers.iter().flatten() {
        finalizer_name(finalizer).map_err(|reason| invalid("metadata.finalizers", reason))?;
    }
    Ok(())
}

fn check_labels(
    invalid: &impl Fn(&str, String) -> Error,
    labels: Option<&BTreeMap<String, String>>,
) -> Result<(), Error> {
    for (key, value) in labels.into_iter().flatten() {
        let field = || format!("metadata.labels[{}]", shorten(key));
        qualified_name(key).map_err(|reason| invalid(&field(), reason))?;
        label_value(value).map_err(|reason| invalid(&field(), reason))?;
    }
    Ok(())
}

fn check_annotations(
    invalid: &impl Fn(&str, String) -> Error,
    annotations: Option<&BTreeMap<String, String>>,
) -> Result<(), Error> {
    let mut total: usize = 0;
    for (key, value) in annotations.into_iter().flatten() {
        // The API server checks annotation keys case-insensitively.
        qualified_name(&key.to_ascii_lowercase()).map_err(|reason| {
            invalid(&format!("metadata.annotations[{}]", shorten(key)), reason)
        })?;
        total = total.saturating_add(key.len()).saturating_add(value.len());
    }
    if total > MAX_ANNOTATIONS_BYTES {
        return Err(invalid(
            "metadata.annotations",
            format!("{total} bytes in all, more than the API server's {MAX_ANNOTATIONS_BYTES}"),
        ));
    }
    Ok(())
}

/// Keys are echoed in messages; a hostile one is cut.
fn shorten(text: &str) -> &str {
    let mut end = text.len().min(64);
    while !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    text.get(..end).unwrap_or_default()
}

fn is_lower_alphanumeric(b: u8) -> bool {
    b.is_ascii_lowercase() || b.is_ascii_digit()
}

/// `[a-z0-9]([-a-z0-9]*[a-z0-9])?` of at most 63 bytes.
pub(crate) fn dns1123_label(text: &str) -> Result<(), String> {
    let bytes = text.as_bytes();
    if bytes.is_empty() {
        return Err("must not be empty".to_owned());
    }
    if bytes.len() > MAX_LABEL {
        return Err(format!("{} bytes, more than {MAX_LABEL}", bytes.len()));
    }
    let ends_ok = bytes.first().copied().is_some_and(is_lower_alphanumeric)
        && bytes.last().copied().is_some_and(is_lower_alphanumeric);
    if !ends_ok || !bytes.iter().all(|&b| is_lower_alphanumeric(b) || b == b'-') {
        return Err(format!(
            "{:?} is not a DNS-1123 label (lower-case letters, digits and '-', starting and \
             ending with a letter or digit)",
            shorten(text)
        ));
    }
    Ok(())
}

/// Whether `text` is DNS-1123 labels joined by dots, at most 253 bytes.
pub(crate) fn is_dns1123_subdomain(text: &str) -> bool {
    text.len() <= MAX_SUBDOMAIN
        && !text.is_empty()
        && text.split('.').all(|part| {
            let bytes = part.as_bytes();
            bytes.first().copied().is_some_and(is_lower_alphanumeric)
                && bytes.last().copied().is_some_and(is_lower_alphanumeric)
                && bytes.iter().all(|&b| is_lower_alphanumeric(b) || b == b'-')
        })
}

/// DNS-1123 labels joined by dots, at most 253 bytes.
pub(crate) fn dns1123_subdomain(text: &str) -> Result<(), String> {
    if text.len() > MAX_SUBDOMAIN {
        return Err(format!("{} bytes, more than {MAX_SUBDOMAIN}", text.len()));
    }
    if is_dns1123_subdomain(text) {
        Ok(())
    } else {
        Err(format!(
            "{:?} is not a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', each \
             dot-separated part starting and ending with a letter or digit)",
            shorten(text)
        ))
    }
}

/// `([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]`: the name part of a qualified name and a
/// non-empty label value.
pub(crate) fn is_name_part(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_alphanumeric)
        && bytes.last().is_some_and(u8::is_ascii_alphanumeric)
        && bytes
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// A label or annotation key: an optional DNS-1123 subdomain prefix and `/`, then a name part
/// of at most 63 bytes.
pub(crate) fn qualified_name(key: &str) -> Result<(), String> {
    let (prefix, name) = match key.split_once('/') {
        Some((prefix, name)) => (Some(prefix), name),
        None => (None, key),
    };
    if let Some(prefix) = prefix {
        dns1123_subdomain(prefix).map_err(|reason| format!("prefix: {reason}"))?;
    }
    if name.len() > MAX_LABEL {
        return Err(format!(
            "name part is {} bytes, more than {MAX_LABEL}",
            name.len()
        ));
    }
    if is_name_part(name) {
        Ok(())
    } else {
        Err(format!(
            "{:?} is not a qualified name (an optional DNS subdomain and '/', then letters, \
             digits, '-', '_' and '.', starting and ending with a letter or digit)",
            shorten(key)
        ))
    }
}

/// Empty, or a name part of at most 63 bytes.
pub(crate) fn label_value(value: &str) -> Result<(), String> {
    if value.len() > MAX_LABEL_VALUE {
        return Err(format!(
            "value is {} bytes, more than {MAX_LABEL_VALUE}",
            value.len()
        ));
    }
    if value.is_empty() || is_name_part(value) {
        Ok(())
    } else {
        Err(format!(
            "value {:?} is not a valid label value (letters, digits, '-', '_' and '.', \
             starting and ending with a letter or digit)",
            shorten(value)
        ))
    }
}

/// A qualified name; without a domain prefix only the standard finalizers.
fn finalizer_name(finalizer: &str) -> Result<(), String> {
    qualified_name(finalizer)?;
    if !finalizer.contains('/') && !STANDARD_FINALIZERS.contains(&finalizer) {
        return Err(format!(
            "{:?} is neither a standard finalizer nor fully qualified",
            shorten(finalizer)
        ));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn i7_names_follow_the_api_servers_dns_rules() {
        assert!(dns1123_subdomain("pvc-1.example").is_ok());
        assert!(dns1123_subdomain(&"a".repeat(253)).is_ok());
        for bad in ["", "A", "-a", "a-", "a..b", "a_b", ".a"] {
            assert!(dns1123_subdomain(bad).is_err(), "{bad:?}");
        }
        assert!(dns1123_subdomain(&"a".repeat(254)).is_err());
        assert!(dns1123_label(&"a".repeat(63)).is_ok());
        assert!(dns1123_label(&"a".repeat(64)).is_err());
        assert!(dns1123_label("a.b").is_err());
    }

    #[test]
    fn i7_keys_are_qualified_names_and_values_within_limits() {
        for good in ["app", "app.kubernetes.io/name", "A_b.c-D", "x/y"] {
            assert!(qualified_name(good).is_ok(), "{good:?}");
        }
        for bad in [
            "",
            "/a",
            "a/",
            "a/b/c",
            "Ex.com/a",
            "-a",
            "a b",
            &"a".repeat(64),
        ] {
            assert!(qualified_name(bad).is_err(), "{bad:?}");
        }
        assert!(label_value("").is_ok());
        assert!(label_value(&"v".repeat(63)).is_ok());
        for bad in ["-v", "v ", "v/w", &"v".repeat(64)] {
            assert!(label_value(bad).is_err(), "{bad:?}");
        }
        assert!(finalizer_name("kubernetes").is_ok());
        assert!(finalizer_name("kubernetes.io/pv-protection").is_ok());
        assert!(finalizer_name("mine").is_err());
    }

    #[test]
    fn i7_hostile_keys_are_cut_in_messages() {
        let key = "é".repeat(1000);
        let message = qualified_name(&key).unwrap_err();
        assert!(message.len() < 400, "{message}");
    }
}
