//! Host-side names, vcluster-compatible (SPEC N1-N5).
//!
//! vcluster derives every host name from the virtual one by joining parts with `-` and, when the
//! result would not fit a DNS label (63 bytes), cutting it and appending a hash. The functions
//! here give the same bytes for every input vcluster accepts. They refuse non-ASCII input
//! (N1): Kubernetes names are ASCII, and vcluster's byte cut could split a UTF-8 sequence.
//!
//! Names are built with one allocation and no formatting machinery: a syncer computes several
//! per object on every reconcile.

use std::borrow::Cow;
use std::fmt;

use sha2::{Digest, Sha256};

use crate::wellknown::TRANSLATED_LABEL_KEYS;

/// Longest name vcluster leaves unhashed (a DNS label).
pub const MAX_NAME_LEN: usize = 63;
/// Bytes of the joined string kept before the hash suffix.
const HASHED_PREFIX_LEN: usize = 52;
/// Hex digits of the SHA-256 kept in hashed names and label keys.
const HASH_DIGITS: usize = 10;
/// Lowercase hex digits.
const HEX: &[u8; 16] = b"0123456789abcdef";

/// A name part that no Kubernetes name can contain (SPEC N1): it has a non-ASCII byte.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct NameError {
    /// The offending part, cut to 64 bytes at a character boundary.
    pub part: String,
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a Kubernetes name: it has a non-ASCII character (SPEC N1)",
            self.part
        )
    }
}

impl NameError {
    fn new(part: &str) -> Self {
        let mut cut = part.len().min(64);
        while !part.is_char_boundary(cut) {
            cut = cut.saturating_sub(1);
        }
        Self {
            part: part.get(..cut).unwrap_or_default().to_owned(),
        }
    }
}

/// The first `HASH_DIGITS` lowercase hex digits of the SHA-256 of `parts` joined by `-`.
fn hash_prefix(parts: &[&str]) -> [u8; HASH_DIGITS] {
    let mut hasher = Sha256::new();
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            hasher.update(b"-");
        }
        hasher.update(part.as_bytes());
    }
    let digest = hasher.finalize();
    let mut out = [b'0'; HASH_DIGITS];
    for (pair, byte) in out.chunks_exact_mut(2).zip(digest.iter()) {
        if let [high, low] = pair {
            *high = HEX.get(usize::from(byte >> 4)).copied().unwrap_or(b'0');
            *low = HEX.get(usize::from(byte & 0x0f)).copied().unwrap_or(b'0');
        }
    }
    out
}

/// N1: joins `parts` with `-`; a result over 63 bytes becomes its first 52 bytes, `-` and the first
/// 10 hex digits of the SHA-256 of the whole joined string, with every `.-` then replaced by `-`.
///
/// # Errors
///
/// A part with a non-ASCII byte (SPEC N1): no Kubernetes name has one.
///
/// ```
/// use pv_translate::names::safe_concat;
/// assert_eq!(safe_concat(&["data", "x", "default", "x", "vc"])?, "data-x-default-x-vc");
/// // 64 bytes joined: hashed down to 63.
/// let long = "p".repeat(54);
/// assert_eq!(
///     safe_concat(&[&long, "x", "ns", "x", "vc"])?,
///     format!("{}-8a6e3050df", "p".repeat(52)),
/// );
/// assert!(safe_concat(&["daten-ä", "x", "ns"]).is_err());
/// # Ok::<(), pv_translate::names::NameError>(())
/// ```
pub fn safe_concat(parts: &[&str]) -> Result<String, NameError> {
    if let Some(bad) = parts.iter().find(|p| !p.is_ascii()) {
        return Err(NameError::new(bad));
    }
    let joined_len = parts
        .iter()
        .map(|p| p.len())
        .fold(parts.len().saturating_sub(1), usize::saturating_add);
    if joined_len <= MAX_NAME_LEN {
        let mut out = String::with_capacity(joined_len);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                out.push('-');
            }
            out.push_str(part);
        }
        return Ok(out);
    }
    // The first 52 bytes of the joined string, then `-` and the hash; all ASCII, so byte cuts
    // are character boundaries.
    let mut out = String::with_capacity(MAX_NAME_LEN);
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            out.push('-');
        }
        let room = HASHED_PREFIX_LEN.saturating_sub(out.len());
        out.push_str(part.get(..room.min(part.len())).unwrap_or_default());
        if out.len() >= HASHED_PREFIX_LEN {
            break;
        }
    }
    out.truncate(HASHED_PREFIX_LEN);
    out.push('-');
    out.extend(hash_prefix(parts).iter().map(|b| char::from(*b)));
    if out.contains(".-") {
        out = out.replace(".-", "-");
    }
    Ok(out)
}

/// N2: the host name of a namespaced virtual object (it lives in the host namespace `H`).
/// An empty name stays empty.
///
/// # Errors
///
/// A non-ASCII part (SPEC N1).
///
/// ```
/// use pv_translate::names::host_name;
/// assert_eq!(host_name("testpvc", "test", "suffix")?, "testpvc-x-test-x-suffix");
/// # Ok::<(), pv_translate::names::NameError>(())
/// ```
pub fn host_name(name: &str, namespace: &str, vcluster: &str) -> Result<String, NameError> {
    if name.is_empty() {
        return Ok(String::new());
    }
    safe_concat(&[name, "x", namespace, "x", vcluster])
}

/// N3: the host name of a cluster-scoped virtual object (PersistentVolume, StorageClass).
/// An empty name stays empty.
///
/// # Errors
///
/// A non-ASCII part (SPEC N1).
///
/// ```
/// use pv_translate::names::host_name_cluster;
/// assert_eq!(host_name_cluster("testsc", "test", "suffix")?, "vcluster-testsc-x-test-x-suffix");
/// # Ok::<(), pv_translate::names::NameError>(())
/// ```
pub fn host_name_cluster(
    name: &str,
    host_namespace: &str,
    vcluster: &str,
) -> Result<String, NameError> {
    if name.is_empty() {
        return Ok(String::new());
    }
    safe_concat(&["vcluster", name, "x", host_namespace, "x", vcluster])
}

/// The host class of a tenant volume (SPEC T2): N3 of the class, and for no class (`""`) the
/// N3 formula over the empty name, a class of this virtual cluster's own, so that classless
/// claims and classless PVs of one virtual cluster bind only each other on the host.
///
/// # Errors
///
/// A non-ASCII part (SPEC N1).
///
/// ```
/// use pv_translate::names::host_class_name;
/// assert_eq!(host_class_name("gp3", "test", "suffix")?, "vcluster-gp3-x-test-x-suffix");
/// assert_eq!(host_class_name("", "test", "suffix")?, "vcluster--x-test-x-suffix");
/// # Ok::<(), pv_translate::names::NameError>(())
/// ```
pub fn host_class_name(
    class: &str,
    host_namespace: &str,
    vcluster: &str,
) -> Result<String, NameError> {
    safe_concat(&["vcluster", class, "x", host_namespace, "x", vcluster])
}

/// N4: the `vcluster.loft.sh/managed-by` value on cluster-scoped host objects.
///
/// # Errors
///
/// A non-ASCII part (SPEC N1).
///
/// ```
/// assert_eq!(pv_translate::names::cluster_marker("test", "suffix")?, "test-x-suffix");
/// # Ok::<(), pv_translate::names::NameError>(())
/// ```
pub fn cluster_marker(host_namespace: &str, vcluster: &str) -> Result<String, NameError> {
    safe_concat(&[host_namespace, "x", vcluster])
}

/// N5: the host label key for a virtual label key. The four keys vcluster reserves (`release`,
/// `vcluster.loft.sh/namespace`, `vcluster.loft.sh/managed-by`, `vcluster.loft.sh/controlled-by`)
/// are rewritten; every other key is returned unchanged (borrowed).
///
/// # Errors
///
/// A non-ASCII `vcluster` name (SPEC N1).
///
/// ```
/// use pv_translate::names::host_label_key;
/// assert_eq!(host_label_key("release", "suffix")?, "vcluster.loft.sh/label-suffix-x-a4d451ec23");
/// assert_eq!(host_label_key("app", "suffix")?, "app");
/// # Ok::<(), pv_translate::names::NameError>(())
/// ```
pub fn host_label_key<'k>(key: &'k str, vcluster: &str) -> Result<Cow<'k, str>, NameError> {
    if TRANSLATED_LABEL_KEYS.contains(&key) {
        let hash = hash_prefix(&[key]);
        let hash = std::str::from_utf8(&hash).unwrap_or_default();
        safe_concat(&["vcluster.loft.sh/label", vcluster, "x", hash]).map(Cow::Owned)
    } else {
        Ok(Cow::Borrowed(key))
    }
}

/// Whether `key` is what N5 makes of a reserved key for virtual cluster `vcluster`, for any of
/// the four: such keys are the host's name for a reserved key and never cross back unchanged.
pub fn is_translated_label_key(key: &str, vcluster: &str) -> bool {
    virtual_label_key(key, vcluster).is_some()
}

/// The inverse of [`host_label_key`] for the four reserved keys; `None` when `host_key` is not
/// the translation of one of them (the key then crosses unchanged).
pub fn virtual_label_key(host_key: &str, vcluster: &str) -> Option<&'static str> {
    if !host_key.starts_with("vcluster.loft.sh/label-") {
        return None;
    }
    TRANSLATED_LABEL_KEYS
        .into_iter()
        .find(|key| host_label_key(key, vcluster).is_ok_and(|k| k == host_key))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn n1_hash_of_the_whole_joined_string() {
        // The SPEC example: 81 bytes joined.
        assert_eq!(
            host_name_cluster(
                "azureblob-fuse-premium",
                "test1-orntd",
                "vcluster-commerce-dev-eastus2-001"
            )
            .unwrap(),
            "vcluster-azureblob-fuse-premium-x-test1-orntd-x-vclu-bde7a601ce"
        );
    }

    #[test]
    fn n1_dot_before_the_hash_is_collapsed() {
        let name = format!("{}.b", "a".repeat(42));
        let out = host_name_cluster(&name, "namespace-one", "vcluster-one").unwrap();
        assert_eq!(out, format!("vcluster-{}-60dfd6feff", "a".repeat(42)));
        assert_eq!(out.len(), 62);
    }

    #[test]
    fn n1_non_ascii_is_an_error_naming_the_part() {
        let err = safe_concat(&["ok", "dätä"]).unwrap_err();
        assert_eq!(err.part, "dätä");
        assert!(err.to_string().contains("non-ASCII"), "{err}");
        // A long part is cut in the message at a character boundary.
        let long = "ä".repeat(100);
        assert_eq!(NameError::new(&long).part.len(), 64);
    }

    #[test]
    fn n5_inverse_only_for_translated_keys() {
        let key = host_label_key("release", "suffix").unwrap();
        assert_eq!(virtual_label_key(&key, "suffix"), Some("release"));
        assert_eq!(virtual_label_key(&key, "other"), None);
        assert_eq!(virtual_label_key("release", "suffix"), None);
        assert!(is_translated_label_key(&key, "suffix"));
        assert!(!is_translated_label_key("app", "suffix"));
    }
}
