//! The identity of one virtual cluster: its name `V` and its host namespace `H` (SPEC §0).

use serde::{Deserialize, Serialize};

use crate::names;

/// A virtual cluster as the host sees it: its name `V` and the host namespace `H` it syncs into.
///
/// The name helpers apply SPEC N2-N5 with this identity.
///
/// ```
/// use pv_translate::VirtualCluster;
/// let vc = VirtualCluster::new("suffix", "test");
/// assert_eq!(vc.host_name("testpvc", "test"), "testpvc-x-test-x-suffix");
/// assert_eq!(vc.host_name_cluster("testsc"), "vcluster-testsc-x-test-x-suffix");
/// assert_eq!(vc.cluster_marker(), "test-x-suffix");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct VirtualCluster {
    /// `V`: the virtual cluster's name (normally its Helm release name).
    pub name: String,
    /// `H`: the host namespace the virtual cluster syncs into.
    pub host_namespace: String,
}

impl Default for VirtualCluster {
    /// `V` = `H` = `vcluster`, the defaults of CASES.md.
    fn default() -> Self {
        Self::new("vcluster", "vcluster")
    }
}

impl VirtualCluster {
    /// A virtual cluster named `name` syncing into host namespace `host_namespace`.
    pub fn new(name: impl Into<String>, host_namespace: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            host_namespace: host_namespace.into(),
        }
    }

    /// N2: the host name of namespaced virtual object `name` in virtual namespace `namespace`.
    pub fn host_name(&self, name: &str, namespace: &str) -> String {
        names::host_name(name, namespace, &self.name)
    }

    /// N3: the host name of cluster-scoped virtual object `name` (PV, StorageClass).
    pub fn host_name_cluster(&self, name: &str) -> String {
        names::host_name_cluster(name, &self.host_namespace, &self.name)
    }

    /// N4: the `managed-by` marker value of cluster-scoped host objects.
    pub fn cluster_marker(&self) -> String {
        names::cluster_marker(&self.host_namespace, &self.name)
    }

    /// N4: the `managed-by` marker value of namespaced host objects (`V` itself).
    pub fn namespaced_marker(&self) -> &str {
        &self.name
    }

    /// N5: the host key of virtual label key `key`.
    pub fn host_label_key<'k>(&self, key: &'k str) -> std::borrow::Cow<'k, str> {
        names::host_label_key(key, &self.name)
    }
}
