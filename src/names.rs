//! Host-side names, vcluster-compatible (SPEC N1-N5).
//!
//! Every function here is total: any input gives a name, never a panic. The results equal
//! vcluster's for every valid Kubernetes name; see [`safe_concat`] for the one difference on
//! non-ASCII input, which no valid name contains.

use std::borrow::Cow;

use sha2::{Digest, Sha256};

use crate::wellknown::TRANSLATED_LABEL_KEYS;

/// Longest name vcluster leaves unhashed (a DNS label).
pub const MAX_NAME_LEN: usize = 63;
/// Bytes of the joined string kept before the hash suffix.
const HASHED_PREFIX_LEN: usize = 52;
/// Hex digits of the SHA-256 kept in hashed names and label keys.
const HASH_DIGITS: usize = 10;

/// Lowercase hex SHA-256 of `input`, cut to its first `digits` characters.
fn sha256_prefix(input: &str, digits: usize) -> String {
    let digest = Sha256::digest(input.as_bytes());
    digest
        .iter()
        .flat_map(|byte| [byte >> 4, byte & 0x0f])
        .filter_map(|nibble| char::from_digit(u32::from(nibble), 16))
        .take(digits)
        .collect()
}

/// The largest char boundary of `s` at or below `max` bytes.
fn floor_char_boundary(s: &str, max: usize) -> usize {
    (0..=max.min(s.len()))
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0)
}

/// N1: joins `parts` with `-`; a result over 63 bytes becomes its first 52 bytes, `-` and the first
/// 10 hex digits of the SHA-256 of the whole joined string, with every `.-` then replaced by `-`.
///
/// vcluster slices bytes; on non-ASCII input (never a valid Kubernetes name) this cuts at the
/// char boundary below byte 52 instead, so the result stays valid UTF-8 and at most 63 bytes.
///
/// ```
/// use pv_translate::names::safe_concat;
/// assert_eq!(safe_concat(&["data", "x", "default", "x", "vc"]), "data-x-default-x-vc");
/// // 64 bytes joined: hashed down to 63.
/// let long = "p".repeat(54);
/// assert_eq!(
///     safe_concat(&[&long, "x", "ns", "x", "vc"]),
///     format!("{}-8a6e3050df", "p".repeat(52)),
/// );
/// ```
pub fn safe_concat(parts: &[&str]) -> String {
    let full = parts.join("-");
    if full.len() <= MAX_NAME_LEN {
        return full;
    }
    let cut = floor_char_boundary(&full, HASHED_PREFIX_LEN);
    let prefix = full.get(..cut).unwrap_or_default();
    let hashed = format!("{prefix}-{}", sha256_prefix(&full, HASH_DIGITS));
    hashed.replace(".-", "-")
}

/// N2: the host name of a namespaced virtual object (it lives in the host namespace `H`).
/// An empty name stays empty.
///
/// ```
/// assert_eq!(pv_translate::names::host_name("testpvc", "test", "suffix"), "testpvc-x-test-x-suffix");
/// ```
pub fn host_name(name: &str, namespace: &str, vcluster: &str) -> String {
    if name.is_empty() {
        return String::new();
    }
    safe_concat(&[name, "x", namespace, "x", vcluster])
}

/// N3: the host name of a cluster-scoped virtual object (PersistentVolume, StorageClass).
/// An empty name stays empty.
///
/// ```
/// use pv_translate::names::host_name_cluster;
/// assert_eq!(host_name_cluster("testsc", "test", "suffix"), "vcluster-testsc-x-test-x-suffix");
/// ```
pub fn host_name_cluster(name: &str, host_namespace: &str, vcluster: &str) -> String {
    if name.is_empty() {
        return String::new();
    }
    safe_concat(&["vcluster", name, "x", host_namespace, "x", vcluster])
}

/// N4: the `vcluster.loft.sh/managed-by` value on cluster-scoped host objects.
///
/// ```
/// assert_eq!(pv_translate::names::cluster_marker("test", "suffix"), "test-x-suffix");
/// ```
pub fn cluster_marker(host_namespace: &str, vcluster: &str) -> String {
    safe_concat(&[host_namespace, "x", vcluster])
}

/// N5: the host label key for a virtual label key. The four keys vcluster reserves (`release`,
/// `vcluster.loft.sh/namespace`, `vcluster.loft.sh/managed-by`, `vcluster.loft.sh/controlled-by`)
/// are rewritten; every other key is returned unchanged (borrowed).
///
/// ```
/// use pv_translate::names::host_label_key;
/// assert_eq!(host_label_key("release", "suffix"), "vcluster.loft.sh/label-suffix-x-a4d451ec23");
/// assert_eq!(host_label_key("app", "suffix"), "app");
/// ```
pub fn host_label_key<'k>(key: &'k str, vcluster: &str) -> Cow<'k, str> {
    if TRANSLATED_LABEL_KEYS.contains(&key) {
        let hash = sha256_prefix(key, HASH_DIGITS);
        Cow::Owned(safe_concat(&[
            "vcluster.loft.sh/label",
            vcluster,
            "x",
            &hash,
        ]))
    } else {
        Cow::Borrowed(key)
    }
}

/// The inverse of [`host_label_key`] for the four reserved keys; `None` when `host_key` is not
/// the translation of one of them (the key then crosses unchanged).
pub fn virtual_label_key(host_key: &str, vcluster: &str) -> Option<&'static str> {
    TRANSLATED_LABEL_KEYS
        .into_iter()
        .find(|key| host_label_key(key, vcluster) == host_key)
}
