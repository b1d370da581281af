//! U1, U2: the labels and annotations of a pair kept in step both ways (SPEC B2 for PVCs and
//! StorageClasses): each side's added, changed and removed keys since the last sync go to the
//! other side; bookkeeping keys never cross; virtual label keys go through N5.
//!
//! vcluster's `AnnotationsBidirectionalUpdate` and `LabelsBidirectionalUpdate` apply only one
//! side's changes per round (the virtual side's when both changed), and the host's changes of
//! that round are then never applied: its object cache records the new host object. Here both
//! sides' changes are applied, the virtual side winning on a key both changed (**deviation**,
//! U5: no edit is lost). When only one side changed, the result is vcluster's.

use std::collections::{BTreeMap, BTreeSet};

use crate::cluster::VirtualCluster;
use crate::host_meta::crosses_to_host;
use crate::wellknown::{TRANSLATED_LABEL_KEYS, is_bookkeeping_annotation};

pub(crate) type StringMap = BTreeMap<String, String>;

/// One key's change, named as on the receiving side: `Some(value)` set, `None` removed.
pub(crate) type Change = (String, Option<String>);

/// Which metadata map, and the keys that never cross besides the bookkeeping ones.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Crossing<'a> {
    /// Labels: virtual keys through N5, a tenant's already-translated key dropped; host keys
    /// back through N5's inverse, the host's own reserved keys (the markers) never.
    Labels,
    /// Annotations: `not_to_host` never go virtual -> host (nor CSI secret references),
    /// `not_to_virtual` never host -> virtual.
    Annotations {
        /// Keys that never go to the host.
        not_to_host: &'a [&'a str],
        /// Keys that never go to the virtual object.
        not_to_virtual: &'a [&'a str],
    },
}

impl Crossing<'_> {
    /// The host's name of a virtual key; `None` for a key that never crosses.
    fn to_host(self, key: &str, cluster: &VirtualCluster) -> Option<String> {
        match self {
            Self::Labels if cluster.virtual_label_key(key).is_some() => None,
            Self::Labels => Some(cluster.host_label_key(key).into_owned()),
            Self::Annotations { not_to_host, .. } => {
                crosses_to_host(key, not_to_host).then(|| key.to_owned())
            }
        }
    }

    /// The virtual name of a host key; `None` for a key that never crosses.
    fn to_virtual(self, key: &str, cluster: &VirtualCluster) -> Option<String> {
        match self {
            Self::Labels => match cluster.virtual_label_key(key) {
                Some(virtual_key) => Some(virtual_key.to_owned()),
                None if TRANSLATED_LABEL_KEYS.contains(&key) => None,
                None => Some(key.to_owned()),
            },
            Self::Annotations { not_to_virtual, .. } => (!is_bookkeeping_annotation(key)
                && !not_to_virtual.contains(&key))
            .then(|| key.to_owned()),
        }
    }
}

/// One side's map at the last sync and now. `last: None` with `now: Some` counts every key as
/// added (R2: the virtual labels of a pair seen for the first time).
#[derive(Debug, Clone, Copy)]
pub(crate) struct History<'a> {
    /// At the last settled sync.
    pub(crate) last: Option<&'a StringMap>,
    /// Now.
    pub(crate) now: Option<&'a StringMap>,
}

/// Both maps after the merge, and what crossed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Merged {
    /// The virtual object's map.
    pub(crate) virtual_map: Option<StringMap>,
    /// The host object's map.
    pub(crate) host_map: Option<StringMap>,
    /// The virtual side's changes applied to the host (host key names).
    pub(crate) pushed: Vec<Change>,
    /// The host side's changes applied to the virtual object (virtual key names).
    pub(crate) pulled: Vec<Change>,
}

/// An empty map, for a side that has none.
static EMPTY: StringMap = StringMap::new();

/// The added, changed and removed keys from `last` to `now`, as `(key, new value)`.
fn changes<'a>(side: History<'a>) -> Vec<(&'a str, Option<&'a str>)> {
    let last = side.last.unwrap_or(&EMPTY);
    let now = side.now.unwrap_or(&EMPTY);
    if last == now {
        return Vec::new();
    }
    let set = now
        .iter()
        .filter(|(k, v)| last.get(*k) != Some(*v))
        .map(|(k, v)| (k.as_str(), Some(v.as_str())));
    let removed = last
        .keys()
        .filter(|k| !now.contains_key(*k))
        .map(|k| (k.as_str(), None));
    set.chain(removed).collect()
}

/// `map` with `changes` applied; `None` when nothing is left.
fn applied(map: Option<&StringMap>, changes: &[Change]) -> Option<StringMap> {
    let mut target = map.cloned().unwrap_or_default();
    for (key, value) in changes {
        match value {
            Some(v) => {
                target.insert(key.clone(), v.clone());
            }
            None => {
                target.remove(key);
            }
        }
    }
    (!target.is_empty()).then_some(target)
}

/// B2 for one map of a pair: the virtual side's changes go to the host, the host side's to the
/// virtual object except on keys the virtual side changed too (the virtual side wins).
pub(crate) fn merge(
    crossing: Crossing<'_>,
    virtual_side: History<'_>,
    host_side: History<'_>,
    cluster: &VirtualCluster,
) -> Merged {
    let virtual_changes = changes(virtual_side);
    let touched: BTreeSet<&str> = virtual_changes.iter().map(|(k, _)| *k).collect();
    let pushed: Vec<Change> = virtual_changes
        .iter()
        .filter_map(|(key, value)| {
            crossing
                .to_host(key, cluster)
                .map(|host_key| (host_key, value.map(str::to_owned)))
        })
        .collect();
    let pulled: Vec<Change> = changes(host_side)
        .into_iter()
        .filter_map(|(key, value)| {
            crossing
                .to_virtual(key, cluster)
                .filter(|virtual_key| !touched.contains(virtual_key.as_str()))
                .map(|virtual_key| (virtual_key, value.map(str::to_owned)))
        })
        .collect();
    Merged {
        virtual_map: applied(virtual_side.now, &pulled),
        host_map: applied(host_side.now, &pushed),
        pushed,
        pulled,
    }
}

/// `set: a, b; removed: c`, keys as named on the receiving side.
pub(crate) fn summary(changes: &[Change]) -> String {
    let keys = |removed: bool| {
        changes
            .iter()
            .filter(|(_, v)| v.is_none() == removed)
            .map(|(k, _)| k.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let (set, removed) = (keys(false), keys(true));
    match (set.is_empty(), removed.is_empty()) {
        (false, false) => format!("set: {set}; removed: {removed}"),
        (false, true) => format!("set: {set}"),
        _ => format!("removed: {removed}"),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> StringMap {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn cluster() -> VirtualCluster {
        VirtualCluster::new("vc", "team-a").unwrap()
    }

    const ANNOTATIONS: Crossing<'static> = Crossing::Annotations {
        not_to_host: &["never-up"],
        not_to_virtual: &["never-down"],
    };

    #[test]
    fn u1_each_side_pushes_its_own_changes() {
        let c = cluster();
        let (last_v, now_v) = (map(&[("a", "1"), ("b", "1")]), map(&[("a", "2")]));
        let (last_h, now_h) = (
            map(&[("a", "1"), ("b", "1"), ("h", "1")]),
            map(&[("a", "1"), ("b", "1"), ("h", "1"), ("new", "x")]),
        );
        let merged = merge(
            ANNOTATIONS,
            History {
                last: Some(&last_v),
                now: Some(&now_v),
            },
            History {
                last: Some(&last_h),
                now: Some(&now_h),
            },
            &c,
        );
        // The tenant's change and removal reach the host; the host's new key reaches the
        // virtual object; the host's own key stays on the host.
        assert_eq!(
            merged.host_map,
            Some(map(&[("a", "2"), ("h", "1"), ("new", "x")]))
        );
        assert_eq!(merged.virtual_map, Some(map(&[("a", "2"), ("new", "x")])));
        assert_eq!(summary(&merged.pushed), "set: a; removed: b");
        assert_eq!(summary(&merged.pulled), "set: new");
    }

    #[test]
    fn u1_the_virtual_side_wins_a_key_both_changed() {
        let c = cluster();
        let last = map(&[("a", "1")]);
        let (now_v, now_h) = (map(&[("a", "v")]), map(&[("a", "h")]));
        let merged = merge(
            ANNOTATIONS,
            History {
                last: Some(&last),
                now: Some(&now_v),
            },
            History {
                last: Some(&last),
                now: Some(&now_h),
            },
            &c,
        );
        assert_eq!(merged.host_map, Some(map(&[("a", "v")])));
        assert_eq!(merged.virtual_map, Some(map(&[("a", "v")])));
        assert!(merged.pulled.is_empty());
    }

    #[test]
    fn u1_excluded_and_bookkeeping_keys_never_cross() {
        let c = cluster();
        let empty = StringMap::new();
        let now_v = map(&[
            ("never-up", "1"),
            ("vcluster.loft.sh/object-name", "forged"),
            ("csi.example.com/node-stage-secret-name", "s"),
        ]);
        let now_h = map(&[("never-down", "1"), ("vcluster.loft.sh/object-uid", "u")]);
        let merged = merge(
            ANNOTATIONS,
            History {
                last: Some(&empty),
                now: Some(&now_v),
            },
            History {
                last: Some(&empty),
                now: Some(&now_h),
            },
            &c,
        );
        assert!(merged.pushed.is_empty(), "{:?}", merged.pushed);
        assert!(merged.pulled.is_empty(), "{:?}", merged.pulled);
        assert_eq!(merged.host_map, Some(now_h));
        assert_eq!(merged.virtual_map, Some(now_v));
    }

    #[test]
    fn u1_labels_cross_through_n5_and_markers_stay() {
        let c = cluster();
        let release = c.host_label_key("release").into_owned();
        let now_v = map(&[("release", "r"), (release.as_str(), "forged")]);
        let now_h = map(&[
            ("vcluster.loft.sh/managed-by", "vc"),
            ("vcluster.loft.sh/namespace", "default"),
        ]);
        let empty = StringMap::new();
        let merged = merge(
            Crossing::Labels,
            History {
                last: None,
                now: Some(&now_v),
            },
            History {
                last: Some(&empty),
                now: Some(&now_h),
            },
            &c,
        );
        assert_eq!(merged.pushed, vec![(release.clone(), Some("r".to_owned()))]);
        assert!(merged.pulled.is_empty());
        let mut host = now_h.clone();
        host.insert(release.clone(), "r".to_owned());
        assert_eq!(merged.host_map, Some(host));
        // A host change of the translated key comes back under the virtual key.
        let changed = map(&[(release.as_str(), "r2")]);
        let last_h = map(&[(release.as_str(), "r")]);
        let merged = merge(
            Crossing::Labels,
            History {
                last: Some(&now_v),
                now: Some(&now_v),
            },
            History {
                last: Some(&last_h),
                now: Some(&changed),
            },
            &c,
        );
        assert_eq!(
            merged.pulled,
            vec![("release".to_owned(), Some("r2".to_owned()))]
        );
        // Removing everything leaves no map.
        let merged = merge(
            Crossing::Labels,
            History {
                last: Some(&now_v),
                now: None,
            },
            History {
                last: None,
                now: Some(&map(&[(release.as_str(), "r")])),
            },
            &c,
        );
        assert_eq!(merged.host_map, None);
    }
}
