//! The one decision type every entry point returns (layer 3): the desired object or none, what
//! the syncer does about it, which fields change, and the explanation when asked (SPEC E1, R1).

use std::fmt;

use k8s_openapi::api::core::v1::{PersistentVolume, PersistentVolumeClaim};
use k8s_openapi::api::storage::v1::StorageClass;
use serde::Serialize;
use serde_json::Value;

use crate::explain::{Explanation, Rule};
use crate::fate::Fate;
use crate::object::without_server_fields;
use crate::sync::{Conflict, ConflictReason};

/// What the syncer does with one object (SPEC R1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "type")]
#[non_exhaustive]
pub enum Action {
    /// Nothing to write: the object is as desired, or absent as it should be. Callers skip the
    /// write.
    Unchanged,
    /// Create the desired object.
    Create,
    /// Update the object to the desired one; `changed` names the fields that differ, as JSON
    /// pointers (RFC 6901), e.g. `/spec/persistentVolumeReclaimPolicy`.
    Update {
        /// The changed fields.
        changed: Vec<String>,
    },
    /// Delete the object and create the desired one (a PVC whose `volumeName` differs, P3).
    Recreate,
    /// Delete the object; then remove its finalizers when `remove_finalizers` (no controller
    /// would release them).
    Delete {
        /// Whether the finalizers are removed after the delete.
        remove_finalizers: bool,
        /// The grace period to delete with (`Some(0)`: at once); `None` for the default.
        grace_period_seconds: Option<i64>,
    },
    /// Leave it for now: `rule` waits for something else to happen first.
    Wait {
        /// The rule that waits.
        rule: Rule,
        /// What it waits for.
        reason: String,
    },
    /// A conflict a person must look at. For a host object that is not provably this virtual
    /// cluster's (R5) or is claimed elsewhere (S3), nothing is to be written and `desired` is
    /// the object as it is. For B1 with `conflicts: Report`, the conflicting fields are left as
    /// they are on both sides and `desired` carries the others in step.
    Conflict {
        /// The rule that found it.
        rule: Rule,
        /// What conflicts.
        reason: String,
    },
}

impl Action {
    /// Whether the action asks for no write (a conflict is for a person to resolve).
    pub const fn writes_nothing(&self) -> bool {
        matches!(
            self,
            Self::Unchanged | Self::Wait { .. } | Self::Conflict { .. }
        )
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unchanged => f.write_str("unchanged"),
            Self::Create => f.write_str("create"),
            Self::Update { changed } => write!(f, "update {}", changed.join(", ")),
            Self::Recreate => f.write_str("recreate"),
            Self::Delete {
                remove_finalizers: true,
                ..
            } => f.write_str("delete, then remove finalizers"),
            Self::Delete {
                grace_period_seconds: Some(seconds),
                ..
            } => write!(f, "delete (grace period {seconds}s)"),
            Self::Delete { .. } => f.write_str("delete"),
            Self::Wait { rule, reason } => write!(f, "wait ({rule}): {reason}"),
            Self::Conflict { rule, reason } => write!(f, "conflict ({rule}): {reason}"),
        }
    }
}

/// A decision about one object: what it should look like, what to do, and why.
///
/// `desired` is the object as it should be after the syncer acts (`None`: it should not exist),
/// without server-set metadata and with canonical quantities; its `status`, when set, belongs
/// to the status subresource. `explanation` is `Some` only when the caller asked for it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Decision<T> {
    /// The desired object; `None` means it should not exist.
    pub desired: Option<T>,
    /// What the syncer does.
    pub action: Action,
    /// Why, when asked for (SPEC E1).
    pub explanation: Option<Explanation>,
}

impl<T> Decision<T> {
    /// Whether nothing is to be written (the desired object is already there, or waiting).
    pub fn is_unchanged(&self) -> bool {
        self.action.writes_nothing()
    }
}

/// The field manager this crate suggests for server-side apply of its desired objects
/// (`PatchParams::apply(FIELD_MANAGER)` in kube-rs), so that the fields it owns are told apart
/// from those of other controllers.
pub const FIELD_MANAGER: &str = "pv-translate";

macro_rules! status_split {
    ($kind:ty) => {
        impl Decision<$kind> {
            /// The desired object without `status`: the body for server-side apply on the main
            /// resource, which ignores `status`. `None` when the object should not exist.
            #[must_use]
            pub fn apply_body(&self) -> Option<$kind> {
                self.desired.as_ref().map(|object| <$kind>::clone_without_status(object))
            }

            /// The desired `status`, as the body of a merge patch for the status subresource
            /// (`Api::patch_status`): `{"status": {...}}`. `None` when the desired object has no
            /// status or should not exist.
            #[must_use]
            pub fn status_patch(&self) -> Option<Value> {
                let status = self.desired.as_ref()?.status.as_ref()?;
                Some(serde_json::json!({ "status": status }))
            }
        }
    };
}

/// Copies of an object without its status, for [`Decision::apply_body`].
trait WithoutStatus {
    fn clone_without_status(&self) -> Self;
}

impl WithoutStatus for PersistentVolume {
    fn clone_without_status(&self) -> Self {
        PersistentVolume {
            metadata: self.metadata.clone(),
            spec: self.spec.clone(),
            status: None,
        }
    }
}

impl WithoutStatus for PersistentVolumeClaim {
    fn clone_without_status(&self) -> Self {
        PersistentVolumeClaim {
            metadata: self.metadata.clone(),
            spec: self.spec.clone(),
            status: None,
        }
    }
}

status_split!(PersistentVolume);
status_split!(PersistentVolumeClaim);

/// A Kubernetes object the decisions are about.
pub(crate) trait Object: Clone + PartialEq + Serialize {
    /// The object without server-set metadata (SPEC §0): what a desired object holds.
    fn user_part(&self) -> Self;
    /// Its metadata.
    fn metadata_of(&self) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
    /// Whether the object, server-set metadata aside, is `desired` (empty maps equal absent
    /// ones), without copying it.
    fn user_eq(&self, desired: &Self) -> bool;
    /// Appends the JSON pointers of the fields besides metadata that differ from `desired`;
    /// only the parts that differ are serialised.
    fn diff_rest(&self, desired: &Self, out: &mut Vec<String>);
}

/// The pointers of the leaves of `path` where two serialisable values differ.
fn diff_part<T: Serialize + PartialEq>(path: &str, a: &T, b: &T, out: &mut Vec<String>) {
    if a == b {
        return;
    }
    match (serde_json::to_value(a), serde_json::to_value(b)) {
        (Ok(x), Ok(y)) => diff(&x, &y, &mut path.to_owned(), out),
        _ => out.push(path.to_owned()),
    }
}

/// The pointers of the keys of a metadata map that differ (empty and absent maps alike).
fn diff_map(
    path: &str,
    a: Option<&std::collections::BTreeMap<String, String>>,
    b: Option<&std::collections::BTreeMap<String, String>>,
    out: &mut Vec<String>,
) {
    let empty = std::collections::BTreeMap::new();
    let (a, b) = (a.unwrap_or(&empty), b.unwrap_or(&empty));
    if a == b {
        return;
    }
    let mut keys: Vec<&String> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, _)| k)
        .chain(b.keys().filter(|k| !a.contains_key(*k)))
        .collect();
    keys.sort();
    keys.dedup();
    out.extend(
        keys.into_iter()
            .map(|k| format!("{path}/{}", k.replace('~', "~0").replace('/', "~1"))),
    );
}

/// Two string maps, an empty one equal to an absent one.
fn same_map(
    a: Option<&std::collections::BTreeMap<String, String>>,
    b: Option<&std::collections::BTreeMap<String, String>>,
) -> bool {
    a.filter(|m| !m.is_empty()) == b.filter(|m| !m.is_empty())
}

/// The JSON name of a field (camelCase).
fn json_name(field: &str) -> String {
    let mut out = String::with_capacity(field.len());
    let mut upper = false;
    for c in field.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

/// The user-owned metadata of two objects agree (name, namespace, labels, annotations).
fn same_meta(
    a: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    b: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
) -> bool {
    a.name == b.name
        && a.namespace == b.namespace
        && same_map(a.labels.as_ref(), b.labels.as_ref())
        && same_map(a.annotations.as_ref(), b.annotations.as_ref())
}

macro_rules! object {
    ($($kind:ty => [$($field:ident),*]),* $(,)?) => {$(
        impl Object for $kind {
            fn user_part(&self) -> Self {
                Self {
                    metadata: without_server_fields(&self.metadata),
                    ..self.clone()
                }
            }

            fn metadata_of(&self) -> &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta {
                &self.metadata
            }

            fn user_eq(&self, desired: &Self) -> bool {
                same_meta(&self.metadata, &desired.metadata) $(&& self.$field == desired.$field)*
            }

            fn diff_rest(&self, desired: &Self, out: &mut Vec<String>) {
                $(diff_part(
                    &format!("/{}", json_name(stringify!($field))),
                    &self.$field,
                    &desired.$field,
                    out,
                );)*
            }
        }
    )*};
}

object!(
    PersistentVolume => [spec, status],
    PersistentVolumeClaim => [spec, status],
    StorageClass => [
        allow_volume_expansion,
        allowed_topologies,
        mount_options,
        parameters,
        provisioner,
        reclaim_policy,
        volume_binding_mode
    ],
);

/// Whether a fate asks for nothing: the object is left as it is, is absent as it should be, or
/// is already as desired. The plan skips such objects without building a decision.
pub(crate) fn is_noop<T: Object>(current: Option<&T>, fate: &Fate<T>) -> bool {
    match (fate, current) {
        (Fate::Untouched, _) | (Fate::Gone { .. }, None) => true,
        (Fate::Desired(desired) | Fate::Recreate(desired), Some(current)) => {
            current.user_eq(desired)
        }
        _ => false,
    }
}

/// Turns a rule's fate into a decision, comparing with the current object.
pub(crate) fn resolve<T: Object>(
    current: Option<&T>,
    fate: Fate<T>,
    explanation: Option<Explanation>,
) -> Decision<T> {
    let (desired, action) = match (fate, current) {
        (Fate::Desired(desired) | Fate::Recreate(desired), None) => (Some(desired), Action::Create),
        (Fate::Recreate(desired), Some(current)) => {
            let action = if current.user_eq(&desired) {
                Action::Unchanged
            } else {
                Action::Recreate
            };
            (Some(desired), action)
        }
        (Fate::Desired(desired), Some(current)) => {
            let action = match changed_fields(current, &desired) {
                changed if changed.is_empty() => Action::Unchanged,
                changed => Action::Update { changed },
            };
            (Some(desired), action)
        }
        (Fate::Gone { .. }, None) => (None, Action::Unchanged),
        (
            Fate::Gone {
                remove_finalizers,
                grace_period_seconds,
            },
            Some(_),
        ) => (
            None,
            Action::Delete {
                remove_finalizers,
                grace_period_seconds,
            },
        ),
        (Fate::Untouched, current) => (current.map(Object::user_part), Action::Unchanged),
        (Fate::Wait { rule, reason }, current) => (
            current.map(Object::user_part),
            Action::Wait {
                rule,
                reason: reason.into_owned(),
            },
        ),
        (Fate::Conflict { rule, reason }, current) => (
            current.map(Object::user_part),
            Action::Conflict {
                rule,
                reason: reason.into_owned(),
            },
        ),
    };
    Decision {
        desired,
        action,
        explanation,
    }
}

/// The host side of a pair: with `conflicts: Report` and a conflict, the host PV carries the
/// fields in step and the action reports the conflict (B1).
pub(crate) fn host_decision(
    current: Option<&PersistentVolume>,
    fate: Fate<PersistentVolume>,
    conflicts: &[Conflict],
    explanation: Option<Explanation>,
) -> Decision<PersistentVolume> {
    let mut decision = resolve(current, fate, explanation);
    let on_host: Vec<String> = conflicts
        .iter()
        .filter(|c| c.reason != ConflictReason::ImmutableOnVirtual)
        .map(ToString::to_string)
        .collect();
    if !on_host.is_empty() {
        decision.action = Action::Conflict {
            rule: Rule::B1,
            reason: on_host.join("; "),
        };
    }
    decision
}

/// The fields of `current` (server-set metadata aside) that differ from `desired`, as JSON
/// pointers; empty when they agree (empty equals absent).
pub(crate) fn changed_fields<T: Object>(current: &T, desired: &T) -> Vec<String> {
    if current.user_eq(desired) {
        return Vec::new();
    }
    let (a, b) = (current.metadata_of(), desired.metadata_of());
    let mut out = Vec::new();
    if a.name != b.name {
        out.push("/metadata/name".to_owned());
    }
    if a.namespace != b.namespace {
        out.push("/metadata/namespace".to_owned());
    }
    diff_map(
        "/metadata/annotations",
        a.annotations.as_ref(),
        b.annotations.as_ref(),
        &mut out,
    );
    diff_map(
        "/metadata/labels",
        a.labels.as_ref(),
        b.labels.as_ref(),
        &mut out,
    );
    current.diff_rest(desired, &mut out);
    out.sort();
    out
}

/// Whether a JSON value is empty: `null`, `""`, `[]`, `{}` or an object of empty members.
fn is_empty(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(items) => items.is_empty(),
        Value::Object(members) => members.values().all(is_empty),
        _ => false,
    }
}

/// Appends the pointers of the leaves where `a` and `b` differ (arrays compare whole; an absent
/// object counts as an empty one, so that a new map names its new keys).
fn diff(a: &Value, b: &Value, path: &mut String, out: &mut Vec<String>) {
    let empty = Value::Object(serde_json::Map::new());
    let (a, b) = match (a, b) {
        (Value::Null, Value::Object(_)) => (&empty, b),
        (Value::Object(_), Value::Null) => (a, &empty),
        _ => (a, b),
    };
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let mut keys: Vec<&String> = x.keys().chain(y.keys()).collect();
            keys.sort();
            keys.dedup();
            for key in keys {
                let (p, q) = (
                    x.get(key.as_str()).unwrap_or(&Value::Null),
                    y.get(key.as_str()).unwrap_or(&Value::Null),
                );
                let len = path.len();
                path.push('/');
                path.push_str(&key.replace('~', "~0").replace('/', "~1"));
                diff(p, q, path, out);
                path.truncate(len);
            }
        }
        _ if is_empty(a) && is_empty(b) => {}
        _ if a == b => {}
        _ => out.push(path.clone()),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;
    use serde_json::json;

    fn pv(value: Value) -> PersistentVolume {
        serde_json::from_value(value).unwrap()
    }

    #[test]
    fn r3_changed_fields_are_json_pointers() {
        let current = pv(json!({
            "metadata": {"name": "a", "uid": "u", "labels": {"x/y": "1"}},
            "spec": {"persistentVolumeReclaimPolicy": "Delete", "accessModes": ["ReadWriteOnce"]},
        }));
        let desired = pv(json!({
            "metadata": {"name": "a", "labels": {"x/y": "2"}},
            "spec": {"persistentVolumeReclaimPolicy": "Retain", "accessModes": ["ReadWriteOnce", "ReadOnlyMany"]},
        }));
        assert_eq!(
            changed_fields(&current, &desired),
            vec![
                "/metadata/labels/x~1y",
                "/spec/accessModes",
                "/spec/persistentVolumeReclaimPolicy"
            ]
        );
        // Server-set metadata and empty-versus-absent never count.
        let same =
            pv(json!({"metadata": {"name": "a", "labels": {}}, "spec": {"mountOptions": []}}));
        let served =
            pv(json!({"metadata": {"name": "a", "uid": "u", "resourceVersion": "9"}, "spec": {}}));
        assert!(changed_fields(&served, &same).is_empty());
    }

    #[test]
    fn r1_fates_become_actions() {
        let object = pv(json!({"metadata": {"name": "a"}}));
        let d = resolve(None, Fate::Desired(object.clone()), None);
        assert_eq!(d.action, Action::Create);
        let d = resolve(Some(&object), Fate::Desired(object.clone()), None);
        assert_eq!(d.action, Action::Unchanged);
        assert!(d.is_unchanged());
        let d = resolve(Some(&object), Fate::deleted(), None);
        assert_eq!(
            d.action,
            Action::Delete {
                remove_finalizers: true,
                grace_period_seconds: None,
            }
        );
        assert_eq!(d.desired, None);
        let d: Decision<PersistentVolume> = resolve(None, Fate::deleted(), None);
        assert_eq!(d.action, Action::Unchanged);
        let d = resolve(Some(&object), Fate::Untouched, None);
        assert_eq!(d.desired, Some(object));
    }
}
