//! The identity of one virtual cluster: its name `V` and its host namespace `H` (SPEC §0, M5).

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::names::{self, NameError};
use crate::wellknown::TRANSLATED_LABEL_KEYS;

/// A virtual cluster as the host sees it: its name `V` and the host namespace `H` it syncs into.
///
/// Both are DNS-1123 labels (SPEC M5), checked when the value is made: an empty `H` would make
/// a claimRef without namespace look like one of this cluster's. The name helpers apply SPEC
/// N2-N5 with this identity.
///
/// ```
/// use pv_translate::VirtualCluster;
/// let vc = VirtualCluster::new("suffix", "test")?;
/// assert_eq!(vc.host_name("testpvc", "test")?, "testpvc-x-test-x-suffix");
/// assert_eq!(vc.host_name_cluster("testsc")?, "vcluster-testsc-x-test-x-suffix");
/// assert_eq!(vc.cluster_marker(), "test-x-suffix");
/// assert!(VirtualCluster::new("suffix", "").is_err());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", try_from = "RawVirtualCluster")]
pub struct VirtualCluster {
    name: String,
    host_namespace: String,
    /// N4's cluster marker, computed once: it is compared on every host PV.
    #[serde(skip)]
    marker: String,
    /// N5 of the four reserved label keys, computed once (a hash each): every label of every
    /// object crossing to the host is looked up here.
    #[serde(skip)]
    translated_keys: [String; 4],
}

/// The identity as written in a file, checked by `TryFrom`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RawVirtualCluster {
    #[serde(default = "default_name")]
    name: String,
    #[serde(default = "default_name")]
    host_namespace: String,
}

fn default_name() -> String {
    "vcluster".to_owned()
}

impl TryFrom<RawVirtualCluster> for VirtualCluster {
    type Error = Error;

    fn try_from(raw: RawVirtualCluster) -> Result<Self, Error> {
        Self::new(raw.name, raw.host_namespace)
    }
}

impl Default for VirtualCluster {
    /// `V` = `H` = `vcluster`, the defaults of case files.
    fn default() -> Self {
        Self {
            name: default_name(),
            host_namespace: default_name(),
            marker: "vcluster-x-vcluster".to_owned(),
            translated_keys: translated_keys("vcluster"),
        }
    }
}

/// N5 of the four reserved label keys for virtual cluster `name` (an ASCII label, so N1 cannot
/// refuse them).
fn translated_keys(name: &str) -> [String; 4] {
    TRANSLATED_LABEL_KEYS.map(|key| {
        names::host_label_key(key, name)
            .map(Cow::into_owned)
            .unwrap_or_default()
    })
}

/// Why `value` is not a DNS-1123 label, if it is not one.
pub(crate) fn dns_label_problem(value: &str) -> Option<&'static str> {
    let bytes = value.as_bytes();
    let alnum = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.is_empty() {
        Some("must not be empty")
    } else if bytes.len() > names::MAX_NAME_LEN {
        Some("must be at most 63 bytes")
    } else if !bytes.iter().all(|b| alnum(b) || *b == b'-') {
        Some("must consist of lowercase letters, digits and '-'")
    } else if !bytes.first().is_some_and(alnum) || !bytes.last().is_some_and(alnum) {
        Some("must start and end with a lowercase letter or digit")
    } else {
        None
    }
}

impl VirtualCluster {
    /// A virtual cluster named `name` (`V`) syncing into host namespace `host_namespace` (`H`).
    ///
    /// # Errors
    ///
    /// SPEC M5: either is not a DNS-1123 label (at most 63 bytes of `a-z`, `0-9`, `-`, starting
    /// and ending alphanumeric).
    pub fn new(name: impl Into<String>, host_namespace: impl Into<String>) -> Result<Self, Error> {
        let name = name.into();
        let host_namespace = host_namespace.into();
        for (field, value) in [("name", &name), ("hostNamespace", &host_namespace)] {
            if let Some(reason) = dns_label_problem(value) {
                let mut cut = value.len().min(100);
                while !value.is_char_boundary(cut) {
                    cut = cut.saturating_sub(1);
                }
                return Err(Error::InvalidIdentity {
                    field,
                    value: value.get(..cut).unwrap_or_default().to_owned(),
                    reason,
                });
            }
        }
        // Both parts are ASCII labels now, so N1 cannot refuse them.
        let marker = names::cluster_marker(&host_namespace, &name).unwrap_or_default();
        let translated_keys = translated_keys(&name);
        Ok(Self {
            name,
            host_namespace,
            marker,
            translated_keys,
        })
    }

    /// `V`: the virtual cluster's name (normally its Helm release name).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `H`: the host namespace the virtual cluster syncs into.
    pub fn host_namespace(&self) -> &str {
        &self.host_namespace
    }

    /// N2: the host name of namespaced virtual object `name` in virtual namespace `namespace`.
    ///
    /// # Errors
    ///
    /// A non-ASCII name or namespace (SPEC N1).
    pub fn host_name(&self, name: &str, namespace: &str) -> Result<String, NameError> {
        names::host_name(name, namespace, &self.name)
    }

    /// N3: the host name of cluster-scoped virtual object `name` (PV, StorageClass).
    ///
    /// # Errors
    ///
    /// A non-ASCII name (SPEC N1).
    pub fn host_name_cluster(&self, name: &str) -> Result<String, NameError> {
        names::host_name_cluster(name, &self.host_namespace, &self.name)
    }

    /// T2: the host class of a tenant volume of class `class`: N3 of it, and for no class
    /// (`""`) a class of this virtual cluster's own (see [`names::host_class_name`]).
    ///
    /// # Errors
    ///
    /// A non-ASCII class (SPEC N1).
    pub fn host_class_name(&self, class: &str) -> Result<String, NameError> {
        names::host_class_name(class, &self.host_namespace, &self.name)
    }

    /// N4: the `managed-by` marker value of cluster-scoped host objects.
    pub fn cluster_marker(&self) -> &str {
        &self.marker
    }

    /// N4: the `managed-by` marker value of namespaced host objects (`V` itself).
    pub fn namespaced_marker(&self) -> &str {
        &self.name
    }

    /// N5: the host key of virtual label key `key`: one of the four reserved keys translated,
    /// any other key as it is.
    pub fn host_label_key<'k>(&self, key: &'k str) -> Cow<'k, str> {
        TRANSLATED_LABEL_KEYS
            .iter()
            .zip(&self.translated_keys)
            .find(|(reserved, _)| **reserved == key)
            .map_or(Cow::Borrowed(key), |(_, translated)| {
                Cow::Owned(translated.clone())
            })
    }

    /// The inverse of N5 for this cluster: the virtual key of a translated host key.
    pub fn virtual_label_key(&self, host_key: &str) -> Option<&'static str> {
        TRANSLATED_LABEL_KEYS
            .iter()
            .zip(&self.translated_keys)
            .find(|(_, translated)| translated.as_str() == host_key)
            .map(|(reserved, _)| *reserved)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn m5_identity_must_be_dns_labels() {
        for (name, namespace) in [
            ("", "h"),
            ("v", ""),
            ("V", "h"),
            ("v", "h_1"),
            ("-v", "h"),
            ("v", "h-"),
            ("v.w", "h"),
            ("vä", "h"),
        ] {
            assert!(
                VirtualCluster::new(name, namespace).is_err(),
                "{name:?}/{namespace:?}"
            );
        }
        assert!(VirtualCluster::new("a".repeat(64), "h").is_err());
        assert!(VirtualCluster::new("a".repeat(63), "h").is_ok());
        assert!(VirtualCluster::new("0-9", "a").is_ok());
    }

    #[test]
    fn m5_error_names_the_field() {
        let err = VirtualCluster::new("v", "").unwrap_err();
        assert_eq!(
            err.to_string(),
            "virtual cluster identity: hostNamespace \"\": must not be empty"
        );
    }

    #[test]
    fn m5_deserialising_checks_too() {
        let ok: VirtualCluster =
            serde_json::from_value(serde_json::json!({"name": "a", "hostNamespace": "b"})).unwrap();
        assert_eq!(ok.cluster_marker(), "b-x-a");
        assert!(
            serde_json::from_value::<VirtualCluster>(serde_json::json!({"hostNamespace": ""}))
                .is_err()
        );
        let default: VirtualCluster = serde_json::from_value(serde_json::json!({})).unwrap();
        assert_eq!(default, VirtualCluster::default());
    }
}
