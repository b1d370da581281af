//! B2: labels and annotations, each side pushing its own changes to the other.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::cluster::VirtualCluster;
use crate::explain::{Input, Rule, Source, Why};
use crate::host_meta::crosses_to_host;
use crate::wellknown::{
    PV_CONTROLLER_ANNOTATIONS, TRANSLATED_LABEL_KEYS, is_bookkeeping_annotation,
};

type StringMap = BTreeMap<String, String>;

/// One key's change, named as on the other side: `Some(value)` set, `None` removed.
type Change = (String, Option<String>);

/// How one metadata map crosses between the clusters.
#[derive(Clone, Copy)]
enum Crossing {
    Labels,
    Annotations,
}

impl Crossing {
    const fn what(self) -> &'static str {
        match self {
            Self::Labels => "labels",
            Self::Annotations => "annotations",
        }
    }

    const fn paths(self) -> (&'static str, &'static str, &'static str) {
        match self {
            Self::Labels => (
                "metadata.labels",
                "hostPv.metadata.labels",
                "virtualPv.metadata.labels",
            ),
            Self::Annotations => (
                "metadata.annotations",
                "hostPv.metadata.annotations",
                "virtualPv.metadata.annotations",
            ),
        }
    }

    /// The host's name of a virtual key; `None` for a key that never crosses.
    fn to_host(self, key: &str, cluster: &VirtualCluster) -> Option<String> {
        match self {
            // A tenant cannot forge a translated key (H1).
            Self::Labels if cluster.virtual_label_key(key).is_some() => None,
            Self::Labels => Some(cluster.host_label_key(key).into_owned()),
            // The host controllers' own annotations never come from the tenant (T3).
            Self::Annotations => {
                crosses_to_host(key, &PV_CONTROLLER_ANNOTATIONS).then(|| key.to_owned())
            }
        }
    }

    /// The virtual name of a host key; `None` for a key that never crosses.
    fn to_virtual(self, key: &str, cluster: &VirtualCluster) -> Option<String> {
        match self {
            Self::Labels => match cluster.virtual_label_key(key) {
                Some(virtual_key) => Some(virtual_key.to_owned()),
                // The host's own reserved keys, the managed-by marker among them, are the host's.
                None if TRANSLATED_LABEL_KEYS.contains(&key) => None,
                None => Some(key.to_owned()),
            },
            Self::Annotations => (!is_bookkeeping_annotation(key)).then(|| key.to_owned()),
        }
    }
}

/// The labels or annotations of one PV at the last sync and now.
pub(super) struct MapPair<'a> {
    pub(super) last: Option<&'a StringMap>,
    pub(super) now: Option<&'a StringMap>,
}

/// B2 for labels and annotations: `virtual_meta` and `host_meta` (the current metadata, as
/// copies to write into) get the other side's changes. The host's `managed-annotations`, a
/// bookkeeping key, is left as it is (U5, as vcluster's `Sync` does: H1 writes it at creation).
pub(super) fn sync_metadata(
    labels: [MapPair<'_>; 2],
    annotations: [MapPair<'_>; 2],
    virtual_meta: &mut ObjectMeta,
    host_meta: &mut ObjectMeta,
    cluster: &VirtualCluster,
    why: &mut Why,
) {
    let [virtual_labels, host_labels] = labels;
    sync_map(
        Crossing::Labels,
        [&virtual_labels, &host_labels],
        &mut virtual_meta.labels,
        &mut host_meta.labels,
        cluster,
        why,
    );
    let [virtual_annotations, host_annotations] = annotations;
    sync_map(
        Crossing::Annotations,
        [&virtual_annotations, &host_annotations],
        &mut virtual_meta.annotations,
        &mut host_meta.annotations,
        cluster,
        why,
    );
}

/// B2 for one metadata map: the changed side's diff is applied to the other side's map
/// (virtual first: when both changed, the virtual side wins and the host's own edits stay on
/// the host, as vcluster does).
fn sync_map(
    crossing: Crossing,
    [virtual_side, host_side]: [&MapPair<'_>; 2],
    virtual_map: &mut Option<StringMap>,
    host_map: &mut Option<StringMap>,
    cluster: &VirtualCluster,
    why: &mut Why,
) {
    let virtual_diff = diff(virtual_side, |k| crossing.to_host(k, cluster));
    let what = crossing.what();
    let (path, host_path, virtual_path) = crossing.paths();
    if !virtual_diff.is_empty() {
        let host_changed = !diff(host_side, |k| crossing.to_virtual(k, cluster)).is_empty();
        why.rule(Rule::B2, || {
            let through = match crossing {
                Crossing::Labels => " through N5",
                Crossing::Annotations => "",
            };
            let also = if host_changed {
                "; the host's changed too: the virtual side wins, the host's own edits stay on the host"
            } else {
                ""
            };
            format!(
                "the virtual PV's {what} changed: pushed to the host PV{through} ({}){also}",
                summary(&virtual_diff)
            )
        });
        why.field(host_path, Source::input(Input::VirtualPv, path));
        apply(host_map, &virtual_diff);
        return;
    }
    let host_diff = diff(host_side, |k| crossing.to_virtual(k, cluster));
    if !host_diff.is_empty() {
        why.rule(Rule::B2, || {
            format!(
                "the host PV's {what} changed: pulled into the virtual PV ({})",
                summary(&host_diff)
            )
        });
        why.field(virtual_path, Source::input(Input::HostPv, path));
        apply(virtual_map, &host_diff);
    }
}

/// The added, changed and removed keys from `last` to `now` that cross, renamed by `cross`.
fn diff(side: &MapPair<'_>, cross: impl Fn(&str) -> Option<String>) -> Vec<Change> {
    let empty = StringMap::new();
    let last = side.last.unwrap_or(&empty);
    let now = side.now.unwrap_or(&empty);
    if last == now {
        return Vec::new();
    }
    let set = now
        .iter()
        .filter(|(k, v)| last.get(*k) != Some(*v))
        .filter_map(|(k, v)| cross(k).map(|other| (other, Some(v.clone()))));
    let removed = last
        .keys()
        .filter(|k| !now.contains_key(*k))
        .filter_map(|k| cross(k).map(|other| (other, None)));
    set.chain(removed).collect()
}

/// `map` with `changes` applied; `None` when nothing is left.
fn apply(map: &mut Option<StringMap>, changes: &[Change]) {
    let target = map.get_or_insert_with(StringMap::new);
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
    if target.is_empty() {
        *map = None;
    }
}

/// `set: a, b; removed: c`, keys as named on the receiving side.
fn summary(changes: &[Change]) -> String {
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

    #[test]
    fn b2_diff_names_set_and_removed_keys() {
        let last = map(&[("a", "1"), ("b", "1")]);
        let now = map(&[("a", "2"), ("c", "1")]);
        let side = MapPair {
            last: Some(&last),
            now: Some(&now),
        };
        let changes = diff(&side, |k| Some(k.to_owned()));
        assert_eq!(
            changes,
            vec![
                ("a".to_owned(), Some("2".to_owned())),
                ("c".to_owned(), Some("1".to_owned())),
                ("b".to_owned(), None),
            ]
        );
        assert_eq!(summary(&changes), "set: a, c; removed: b");
        let mut target = Some(map(&[("b", "1")]));
        apply(&mut target, &changes);
        assert_eq!(target, Some(map(&[("a", "2"), ("c", "1")])));
        let mut gone = Some(map(&[("b", "1")]));
        apply(&mut gone, &[("b".to_owned(), None)]);
        assert_eq!(gone, None);
    }
}
