//! Semantic equality of PV spec fields (SPEC B1), as Kubernetes' `apiequality.Semantic` sees
//! it: empty equals absent, and quantities compare by value (`1Gi` equals `1024Mi`).
//!
//! The spec is compared in its JSON form, so every field of every Kubernetes version that
//! k8s-openapi knows is covered without listing struct fields here.

use serde_json::{Map, Value};

use crate::quantity::same_quantity;

/// How the strings inside a field compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Leaves {
    /// Byte for byte.
    Text,
    /// As Kubernetes quantities, by value (a string that is no quantity compares as text).
    Quantities,
}

/// `value` without its empty parts: `null`, `""`, `[]` and `{}`, recursively (an object whose
/// members are all empty is empty too). `None` when nothing is left.
///
/// Array elements keep their places: an empty element becomes `null` rather than being
/// dropped, since dropping it would shift the meaning of the ones after it.
pub(crate) fn normalise(value: &Value) -> Option<Value> {
    match value {
        Value::Null => None,
        Value::String(s) if s.is_empty() => None,
        Value::Array(items) if items.is_empty() => None,
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .map(|item| normalise(item).unwrap_or(Value::Null))
                .collect(),
        )),
        Value::Object(members) => {
            let kept: Map<String, Value> = members
                .iter()
                .filter_map(|(k, v)| normalise(v).map(|v| (k.clone(), v)))
                .collect();
            (!kept.is_empty()).then_some(Value::Object(kept))
        }
        other => Some(other.clone()),
    }
}

/// The members `keys` of a serialised spec, as one object (absent keys left out), normalised:
/// `None` when all of them are empty or absent.
pub(crate) fn pick(spec: &Map<String, Value>, keys: &[&str]) -> Option<Value> {
    let members: Map<String, Value> = keys
        .iter()
        .filter_map(|key| spec.get(*key).map(|v| ((*key).to_owned(), v.clone())))
        .collect();
    normalise(&Value::Object(members))
}

/// Whether the members `keys` of two serialised specs are semantically equal.
pub(crate) fn equal_members(
    a: &Map<String, Value>,
    b: &Map<String, Value>,
    keys: &[&str],
    leaves: Leaves,
) -> bool {
    equal(pick(a, keys).as_ref(), pick(b, keys).as_ref(), leaves)
}

/// Semantic equality of two values, each `None` when absent.
pub(crate) fn equal(a: Option<&Value>, b: Option<&Value>, leaves: Leaves) -> bool {
    match (a.and_then(normalise), b.and_then(normalise)) {
        (None, None) => true,
        (Some(x), Some(y)) => same(&x, &y, leaves),
        _ => false,
    }
}

/// Equality of two normalised values.
fn same(a: &Value, b: &Value, leaves: Leaves) -> bool {
    match (a, b) {
        (Value::String(x), Value::String(y)) if leaves == Leaves::Quantities => same_quantity(x, y),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| same(p, q, leaves))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same(v, w, leaves)))
        }
        _ => a == b,
    }
}

/// Makes the members `keys` of `target` those of `source`: set ones copied as they are
/// (spelling included), the others removed.
pub(crate) fn copy_members(
    source: &Map<String, Value>,
    target: &mut Map<String, Value>,
    keys: &[&str],
) {
    for key in keys {
        match source.get(*key) {
            Some(value) => {
                target.insert((*key).to_owned(), value.clone());
            }
            None => {
                target.remove(*key);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use serde_json::json;

    use super::*;

    fn map(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn empty_equals_absent_recursively() {
        let a = map(json!({"csi": {"driver": "d", "fsType": "", "volumeAttributes": {}}}));
        let b = map(json!({"csi": {"driver": "d"}, "nfs": null, "hostPath": {"path": ""}}));
        assert!(equal_members(
            &a,
            &b,
            &["csi", "nfs", "hostPath"],
            Leaves::Text
        ));
        assert!(equal(Some(&json!([])), None, Leaves::Text));
        assert!(equal(Some(&json!({"a": [], "b": ""})), None, Leaves::Text));
        assert!(!equal(Some(&json!(false)), None, Leaves::Text));
    }

    #[test]
    fn array_elements_keep_their_places() {
        assert!(!equal(
            Some(&json!(["", "ro"])),
            Some(&json!(["ro"])),
            Leaves::Text
        ));
        assert!(equal(
            Some(&json!([{}, "ro"])),
            Some(&json!([null, "ro"])),
            Leaves::Text
        ));
    }

    #[test]
    fn quantities_compare_by_value() {
        let a = json!({"storage": "1Gi"});
        let b = json!({"storage": "1024Mi"});
        assert!(equal(Some(&a), Some(&b), Leaves::Quantities));
        assert!(!equal(Some(&a), Some(&b), Leaves::Text));
        assert!(!equal(
            Some(&a),
            Some(&json!({"storage": "1G"})),
            Leaves::Quantities
        ));
    }

    #[test]
    fn copy_members_replaces_and_removes() {
        let source = map(json!({"csi": {"driver": "d"}, "capacity": {"storage": "1Gi"}}));
        let mut target = map(json!({"nfs": {"server": "s"}, "capacity": {"storage": "2Gi"}}));
        copy_members(&source, &mut target, &["csi", "nfs"]);
        assert_eq!(
            Value::Object(target),
            json!({"csi": {"driver": "d"}, "capacity": {"storage": "2Gi"}})
        );
    }
}
