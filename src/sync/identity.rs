//! T2: which disk (or share, or path) a PV's volume source names, so that one disk has one PV
//! on the host: a tenant PV that names the disk of a host PV that is not its own copy is never
//! sent there.

use std::collections::HashMap;
use std::fmt;

use k8s_openapi::api::core::v1::PersistentVolumeSpec;

/// The storage a PV's volume source names: a disk, a share, an export or a path (SPEC T2).
///
/// Two identities [`overlap`](VolumeIdentity::overlaps) when they name the same storage, or,
/// for the path-based sources (NFS, CephFS, hostPath, local), when one path lies inside the
/// other on the same server: a tenant mounting a subdirectory of another team's export reaches
/// its data too.
///
/// ```
/// use k8s_openapi::api::core::v1::PersistentVolumeSpec;
/// use pv_translate::sync::VolumeIdentity;
/// let nfs = |path: &str| -> PersistentVolumeSpec {
///     serde_json::from_value(serde_json::json!({"nfs": {"server": "10.0.0.1", "path": path}}))
///         .unwrap()
/// };
/// let team = VolumeIdentity::of(&nfs("/exports/team-b")).unwrap();
/// assert!(VolumeIdentity::of(&nfs("/exports/team-b/db/")).unwrap().overlaps(&team));
/// assert!(!VolumeIdentity::of(&nfs("/exports/team-bb")).unwrap().overlaps(&team));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VolumeIdentity {
    /// The source's wire name, e.g. `csi`, `nfs`.
    source: &'static str,
    /// What names the storage within that source (driver and handle, server, pool and image).
    location: Vec<String>,
    /// For path-based sources, the path's components (`/a//b/` is `[a, b]`).
    path: Option<Vec<String>>,
}

/// A path's components, empty and `.` ones dropped.
fn components(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_owned)
        .collect()
}

/// A cloud volume id's last segment: `aws://eu-west-1a/vol-1` and `vol-1` are one volume.
fn last_segment(id: &str) -> String {
    id.rsplit('/').next().unwrap_or(id).to_owned()
}

impl VolumeIdentity {
    fn new(source: &'static str, location: Vec<String>) -> Self {
        Self {
            source,
            location,
            path: None,
        }
    }

    fn at_path(source: &'static str, location: Vec<String>, path: &str) -> Self {
        Self {
            source,
            location,
            path: Some(components(path)),
        }
    }

    /// The identity of the storage `spec`'s volume source names; `None` for a source without
    /// one (no source, `flexVolume`, `azureFile`, whose storage only their driver knows).
    pub fn of(spec: &PersistentVolumeSpec) -> Option<Self> {
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v.dedup();
            v
        };
        if let Some(csi) = &spec.csi {
            return Some(Self::new(
                "csi",
                vec![csi.driver.clone(), csi.volume_handle.clone()],
            ));
        }
        if let Some(nfs) = &spec.nfs {
            return Some(Self::at_path(
                "nfs",
                vec![nfs.server.to_ascii_lowercase()],
                &nfs.path,
            ));
        }
        if let Some(iscsi) = &spec.iscsi {
            return Some(Self::new(
                "iscsi",
                vec![
                    iscsi.target_portal.clone(),
                    iscsi.iqn.clone(),
                    iscsi.lun.to_string(),
                ],
            ));
        }
        if let Some(rbd) = &spec.rbd {
            return Some(Self::new(
                "rbd",
                vec![
                    rbd.pool.clone().unwrap_or_else(|| "rbd".to_owned()),
                    rbd.image.clone(),
                ],
            ));
        }
        if let Some(fc) = &spec.fc {
            let lun = fc.lun.map(|l| l.to_string()).unwrap_or_default();
            let location = match (&fc.target_wwns, &fc.wwids) {
                (Some(wwns), _) if !wwns.is_empty() => {
                    let mut parts = sorted(wwns.iter().map(|w| w.to_ascii_lowercase()).collect());
                    parts.push(lun);
                    parts
                }
                (_, Some(wwids)) => sorted(wwids.iter().map(|w| w.to_ascii_lowercase()).collect()),
                _ => return None,
            };
            return Some(Self::new("fc", location));
        }
        if let Some(ebs) = &spec.aws_elastic_block_store {
            return Some(Self::new(
                "awsElasticBlockStore",
                vec![last_segment(&ebs.volume_id)],
            ));
        }
        if let Some(gce) = &spec.gce_persistent_disk {
            return Some(Self::new("gcePersistentDisk", vec![gce.pd_name.clone()]));
        }
        if let Some(azure) = &spec.azure_disk {
            return Some(Self::new(
                "azureDisk",
                vec![azure.disk_uri.to_ascii_lowercase()],
            ));
        }
        if let Some(cinder) = &spec.cinder {
            return Some(Self::new("cinder", vec![cinder.volume_id.clone()]));
        }
        if let Some(vsphere) = &spec.vsphere_volume {
            return Some(Self::new(
                "vsphereVolume",
                vec![vsphere.volume_path.clone()],
            ));
        }
        if let Some(portworx) = &spec.portworx_volume {
            return Some(Self::new(
                "portworxVolume",
                vec![portworx.volume_id.clone()],
            ));
        }
        if let Some(photon) = &spec.photon_persistent_disk {
            return Some(Self::new(
                "photonPersistentDisk",
                vec![photon.pd_id.clone()],
            ));
        }
        if let Some(scale_io) = &spec.scale_io {
            return Some(Self::new(
                "scaleIO",
                vec![
                    scale_io.system.clone(),
                    scale_io.volume_name.clone().unwrap_or_default(),
                ],
            ));
        }
        if let Some(storageos) = &spec.storageos {
            return Some(Self::new(
                "storageos",
                vec![
                    storageos.volume_namespace.clone().unwrap_or_default(),
                    storageos.volume_name.clone().unwrap_or_default(),
                ],
            ));
        }
        if let Some(flocker) = &spec.flocker {
            return Some(Self::new(
                "flocker",
                vec![
                    flocker.dataset_name.clone().unwrap_or_default(),
                    flocker.dataset_uuid.clone().unwrap_or_default(),
                ],
            ));
        }
        if let Some(quobyte) = &spec.quobyte {
            return Some(Self::new(
                "quobyte",
                vec![quobyte.registry.clone(), quobyte.volume.clone()],
            ));
        }
        if let Some(cephfs) = &spec.cephfs {
            return Some(Self::at_path(
                "cephfs",
                sorted(cephfs.monitors.clone()),
                cephfs.path.as_deref().unwrap_or("/"),
            ));
        }
        if let Some(gluster) = &spec.glusterfs {
            return Some(Self::new("glusterfs", vec![gluster.path.clone()]));
        }
        if let Some(host_path) = &spec.host_path {
            return Some(Self::at_path("hostPath", Vec::new(), &host_path.path));
        }
        if let Some(local) = &spec.local {
            return Some(Self::at_path("local", Vec::new(), &local.path));
        }
        None
    }

    /// The source's wire name, e.g. `csi`.
    pub fn source(&self) -> &'static str {
        self.source
    }

    /// Whether the two name the same storage, or, for a path-based source, one path lies
    /// inside the other on the same server.
    pub fn overlaps(&self, other: &Self) -> bool {
        if self.source != other.source || self.location != other.location {
            return false;
        }
        match (&self.path, &other.path) {
            (Some(a), Some(b)) => a.starts_with(b) || b.starts_with(a),
            _ => true,
        }
    }
}

/// Every PV's [`VolumeIdentity`], bucketed by source and location so that finding the PVs that
/// name overlapping storage costs one lookup and a scan of the (few) PVs of that location (R4).
#[derive(Debug, Default)]
pub(crate) struct StorageIndex<'a> {
    buckets: HashMap<Location, Vec<Filed<'a>>>,
}

/// A source and what names the storage within it: an index bucket.
type Location = (&'static str, Vec<String>);

/// A PV filed in a bucket: its path (for path-based sources) and its name.
type Filed<'a> = (Option<Vec<String>>, &'a str);

impl<'a> StorageIndex<'a> {
    /// Files `name`'s storage, if its source names any.
    pub(crate) fn insert(&mut self, name: &'a str, spec: Option<&PersistentVolumeSpec>) {
        if let Some(identity) = spec.and_then(VolumeIdentity::of) {
            self.buckets
                .entry((identity.source, identity.location))
                .or_default()
                .push((identity.path, name));
        }
    }

    /// The first PV filed (by the order of filing) that `keep` accepts and whose storage
    /// overlaps `identity`'s.
    pub(crate) fn overlapping(
        &self,
        identity: &VolumeIdentity,
        keep: impl Fn(&str) -> bool,
    ) -> Option<&'a str> {
        let bucket = self
            .buckets
            .get(&(identity.source, identity.location.clone()))?;
        bucket
            .iter()
            .filter(|(_, name)| keep(name))
            .find(|(path, _)| match (path, &identity.path) {
                (Some(a), Some(b)) => a.starts_with(b) || b.starts_with(a),
                _ => true,
            })
            .map(|(_, name)| *name)
    }
}

impl fmt::Display for VolumeIdentity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.source, self.location.join(" "))?;
        if let Some(path) = &self.path {
            write!(f, " /{}", path.join("/"))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn identity(source: serde_json::Value) -> Option<VolumeIdentity> {
        VolumeIdentity::of(&serde_json::from_value(source).unwrap())
    }

    #[test]
    fn t2_one_disk_one_identity_whatever_the_spelling() {
        let pairs = [
            (
                json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-1", "fsType": "ext4"}}),
                json!({"csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-1",
                    "nodePublishSecretRef": {"name": "s", "namespace": "n"}}}),
            ),
            (
                json!({"awsElasticBlockStore": {"volumeID": "aws://eu-west-1a/vol-1"}}),
                json!({"awsElasticBlockStore": {"volumeID": "vol-1", "fsType": "xfs"}}),
            ),
            (
                json!({"nfs": {"server": "NAS.local", "path": "/exports/a/"}}),
                json!({"nfs": {"server": "nas.local", "path": "/exports//a", "readOnly": true}}),
            ),
            (
                json!({"iscsi": {"targetPortal": "10.0.0.1:3260", "iqn": "iqn.x", "lun": 1}}),
                json!({"iscsi": {"targetPortal": "10.0.0.1:3260", "iqn": "iqn.x", "lun": 1, "fsType": "ext4"}}),
            ),
            (
                json!({"rbd": {"monitors": ["m"], "image": "img"}}),
                json!({"rbd": {"monitors": ["other"], "image": "img", "pool": "rbd"}}),
            ),
            (
                json!({"fc": {"targetWWNs": ["50060E801049CFD1", "a"], "lun": 0}}),
                json!({"fc": {"targetWWNs": ["a", "50060e801049cfd1"], "lun": 0}}),
            ),
            (
                json!({"gcePersistentDisk": {"pdName": "d"}}),
                json!({"gcePersistentDisk": {"pdName": "d", "partition": 1}}),
            ),
        ];
        for (a, b) in pairs {
            let (x, y) = (identity(a.clone()).unwrap(), identity(b.clone()).unwrap());
            assert!(x.overlaps(&y) && y.overlaps(&x), "{a} {b}");
        }
    }

    #[test]
    fn t2_other_disks_are_other_identities() {
        let pairs = [
            (
                json!({"csi": {"driver": "a", "volumeHandle": "vol-1"}}),
                json!({"csi": {"driver": "b", "volumeHandle": "vol-1"}}),
            ),
            (
                json!({"csi": {"driver": "a", "volumeHandle": "vol-1"}}),
                json!({"csi": {"driver": "a", "volumeHandle": "vol-2"}}),
            ),
            (
                json!({"nfs": {"server": "s", "path": "/exports/a"}}),
                json!({"nfs": {"server": "s", "path": "/exports/ab"}}),
            ),
            (
                json!({"nfs": {"server": "s", "path": "/exports/a"}}),
                json!({"nfs": {"server": "t", "path": "/exports/a"}}),
            ),
            (
                json!({"iscsi": {"targetPortal": "p", "iqn": "q", "lun": 1}}),
                json!({"iscsi": {"targetPortal": "p", "iqn": "q", "lun": 2}}),
            ),
            (
                json!({"rbd": {"monitors": ["m"], "image": "img", "pool": "a"}}),
                json!({"rbd": {"monitors": ["m"], "image": "img", "pool": "b"}}),
            ),
            (
                json!({"hostPath": {"path": "/var/a"}}),
                json!({"local": {"path": "/var/a"}}),
            ),
            (
                json!({"awsElasticBlockStore": {"volumeID": "aws://eu-west-1a/vol-1"}}),
                json!({"awsElasticBlockStore": {"volumeID": "aws://eu-west-1a/vol-2"}}),
            ),
            (
                json!({"fc": {"wwids": ["3600508b400105e210000900000490000"]}}),
                json!({"fc": {"wwids": ["3600508b400105e210000900000490001"]}}),
            ),
            (
                json!({"fc": {"targetWWNs": ["a"], "lun": 0}}),
                json!({"fc": {"targetWWNs": ["a"], "lun": 1}}),
            ),
        ];
        for (a, b) in pairs {
            let (x, y) = (identity(a.clone()).unwrap(), identity(b.clone()).unwrap());
            assert!(!x.overlaps(&y) && !y.overlaps(&x), "{a} {b}");
        }
    }

    #[test]
    fn t2_fc_names_its_disk_by_wwns_or_else_wwids() {
        let by_wwids =
            identity(json!({"fc": {"targetWWNs": [], "wwids": ["ABC", "def"]}})).unwrap();
        let same = identity(json!({"fc": {"wwids": ["DEF", "abc"]}})).unwrap();
        assert!(by_wwids.overlaps(&same));
        assert_eq!(by_wwids.source(), "fc");
        assert_eq!(by_wwids.to_string(), "fc abc def");
        let by_wwns = identity(json!({"fc": {"targetWWNs": ["B", "a"], "lun": 2}})).unwrap();
        assert_eq!(by_wwns.to_string(), "fc a b 2");
        let ebs = identity(json!({"awsElasticBlockStore": {"volumeID": "aws://z/vol-9"}})).unwrap();
        assert_eq!(ebs.to_string(), "awsElasticBlockStore vol-9");
        assert_eq!(ebs.source(), "awsElasticBlockStore");
    }

    #[test]
    fn t2_paths_inside_each_other_overlap() {
        let root = identity(json!({"hostPath": {"path": "/"}})).unwrap();
        let var = identity(json!({"hostPath": {"path": "/var/lib/kubelet"}})).unwrap();
        assert!(root.overlaps(&var) && var.overlaps(&root));
        let a = identity(json!({"cephfs": {"monitors": ["m"], "path": "/vol/a"}})).unwrap();
        let whole = identity(json!({"cephfs": {"monitors": ["m"]}})).unwrap();
        assert!(a.overlaps(&whole));
        assert_eq!(whole.to_string(), "cephfs m /");
        assert_eq!(a.to_string(), "cephfs m /vol/a");
    }

    #[test]
    fn t2_sources_only_their_driver_understands_have_none() {
        assert_eq!(identity(json!({"flexVolume": {"driver": "x"}})), None);
        assert_eq!(
            identity(json!({"azureFile": {"secretName": "s", "shareName": "x"}})),
            None
        );
        assert_eq!(identity(json!({})), None);
        assert_eq!(
            identity(json!({"fc": {"lun": 0}})),
            None,
            "an FC source naming neither WWNs nor WWIDs names no disk"
        );
    }
}
