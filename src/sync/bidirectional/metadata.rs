//! B2: labels and annotations, each side pushing its own changes to the other.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::PvPair;
use crate::explain::{Explanation, Input, Rule, Source};
use crate::names::virtual_label_key;
use crate::object::without_server_fields;
use crate::translator::Translator;
use crate::wellknown::{TRANSLATED_LABEL_KEYS, is_bookkeeping_annotation};

type StringMap = BTreeMap<String, String>;

/// How one metadata map crosses between the clusters: the other side's name of a key, `None`
/// for a key that never crosses.
struct Crossing<'a> {
    /// `"labels"` or `"annotations"`.
    what: &'static str,
    /// The field path in both objects.
    path: &'static str,
    /// The host PV's field, as named in explanations.
    host_path: &'static str,
    /// The virtual PV's field, as named in explanations.
    virtual_path: &'static str,
    /// How the keys are renamed, for the explanation.
    through: &'static str,
    to_host: &'a dyn Fn(&str) -> Option<String>,
    to_virtual: &'a dyn Fn(&str) -> Option<String>,
}

/// B2 for labels and annotations: the metadata of both desired PVs, without server-set fields.
pub(super) fn sync_metadata(
    last: PvPair<'_>,
    current: PvPair<'_>,
    translator: &Translator,
    why: &mut Explanation,
) -> (ObjectMeta, ObjectMeta) {
    let vcluster = translator.cluster.name.as_str();
    let label_to_host = |key: &str| Some(translator.cluster.host_label_key(key).into_owned());
    let label_to_virtual = |key: &str| match virtual_label_key(key, vcluster) {
        Some(virtual_key) => Some(virtual_key.to_owned()),
        // The host's own reserved keys, the managed-by marker among them, are the host's.
        None if TRANSLATED_LABEL_KEYS.contains(&key) => None,
        None => Some(key.to_owned()),
    };
    let annotation = |key: &str| (!is_bookkeeping_annotation(key)).then(|| key.to_owned());
    let labels = Crossing {
        what: "labels",
        path: "metadata.labels",
        host_path: "hostPv.metadata.labels",
        virtual_path: "virtualPv.metadata.labels",
        through: " through N5",
        to_host: &label_to_host,
        to_virtual: &label_to_virtual,
    };
    let annotations = Crossing {
        what: "annotations",
        path: "metadata.annotations",
        host_path: "hostPv.metadata.annotations",
        virtual_path: "virtualPv.metadata.annotations",
        through: "",
        to_host: &annotation,
        to_virtual: &annotation,
    };
    let mut virtual_meta = without_server_fields(&current.virtual_pv.metadata);
    let mut host_meta = without_server_fields(&current.host_pv.metadata);
    let (last_v, last_h) = (&last.virtual_pv.metadata, &last.host_pv.metadata);
    let (now_v, now_h) = (&current.virtual_pv.metadata, &current.host_pv.metadata);
    sync_map(
        &labels,
        [&last_v.labels, &now_v.labels, &last_h.labels, &now_h.labels],
        &mut virtual_meta.labels,
        &mut host_meta.labels,
        why,
    );
    sync_map(
        &annotations,
        [
            &last_v.annotations,
            &now_v.annotations,
            &last_h.annotations,
            &now_h.annotations,
        ],
        &mut virtual_meta.annotations,
        &mut host_meta.annotations,
        why,
    );
    (virtual_meta, host_meta)
}

/// B2 for one metadata map, given `[last virtual, current virtual, last host, current host]`:
/// the changed side's diff is applied to the other side's map (virtual first).
fn sync_map(
    crossing: &Crossing<'_>,
    [last_v, now_v, last_h, now_h]: [&Option<StringMap>; 4],
    virtual_map: &mut Option<StringMap>,
    host_map: &mut Option<StringMap>,
    why: &mut Explanation,
) {
    let empty = StringMap::new();
    let virtual_diff = diff(
        last_v.as_ref().unwrap_or(&empty),
        now_v.as_ref().unwrap_or(&empty),
        crossing.to_host,
    );
    let host_diff = diff(
        last_h.as_ref().unwrap_or(&empty),
        now_h.as_ref().unwrap_or(&empty),
        crossing.to_virtual,
    );
    let what = crossing.what;
    if !virtual_diff.is_empty() {
        let also = if host_diff.is_empty() {
            ""
        } else {
            "; the host's changed too: the virtual side wins, the host's own edits stay on the host"
        };
        why.rule(
            Rule::B2,
            format!(
                "the virtual PV's {what} changed: pushed to the host PV{} ({}){also}",
                crossing.through,
                summary(&virtual_diff)
            ),
        );
        why.field(
            crossing.host_path,
            Source::Input(Input::VirtualPv, crossing.path),
        );
        *host_map = apply(host_map.take(), &virtual_diff);
    } else if !host_diff.is_empty() {
        why.rule(
            Rule::B2,
            format!(
                "the host PV's {what} changed: pulled into the virtual PV ({})",
                summary(&host_diff)
            ),
        );
        why.field(
            crossing.virtual_path,
            Source::Input(Input::HostPv, crossing.path),
        );
        *virtual_map = apply(virtual_map.take(), &host_diff);
    }
}

/// One key's change, named as on the other side: `Some(value)` set, `None` removed.
type Change = (String, Option<String>);

/// The added, changed and removed keys from `last` to `now` that cross, renamed by `cross`.
fn diff(last: &StringMap, now: &StringMap, cross: &dyn Fn(&str) -> Option<String>) -> Vec<Change> {
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
fn apply(map: Option<StringMap>, changes: &[Change]) -> Option<StringMap> {
    let mut map = map.unwrap_or_default();
    for (key, value) in changes {
        match value {
            Some(v) => {
                map.insert(key.clone(), v.clone());
            }
            None => {
                map.remove(key);
            }
        }
    }
    (!map.is_empty()).then_some(map)
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
