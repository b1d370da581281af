//! Semantic equality of PV spec fields (SPEC B1), as Kubernetes' `apiequality.Semantic` sees
//! it: empty equals absent, and quantities compare by value (`1Gi` equals `1024Mi`).
//!
//! Typed comparison first: two equal values (the common case, a pair in step) cost one `==`.
//! Only values that differ as Rust values are compared again in normalised JSON form, where an
//! empty string, list or map equals an absent one, so every field of every Kubernetes version
//! that k8s-openapi knows is covered without listing struct fields here.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::quantity::same_quantity;

/// Whether two values are semantically equal (empty equals absent).
pub(crate) fn same<T: Serialize + PartialEq>(a: &T, b: &T) -> bool {
    a == b || normalised(a) == normalised(b)
}

/// Whether two resource maps are semantically equal: the same resources, each quantity equal by
/// value; an empty map equals an absent one.
pub(crate) fn same_capacity(
    a: Option<&BTreeMap<String, Quantity>>,
    b: Option<&BTreeMap<String, Quantity>>,
) -> bool {
    let empty = BTreeMap::new();
    let (a, b) = (a.unwrap_or(&empty), b.unwrap_or(&empty));
    a.len() == b.len()
        && a.iter()
            .all(|(key, x)| b.get(key).is_some_and(|y| same_quantity(&x.0, &y.0)))
}

/// A value in normalised JSON form: `None` when it serialises to nothing but empty parts.
pub(crate) fn normalised<T: Serialize>(value: &T) -> Option<Value> {
    serde_json::to_value(value)
        .ok()
        .as_ref()
        .and_then(normalise)
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use k8s_openapi::api::core::v1::{CSIPersistentVolumeSource, HostPathVolumeSource};
    use serde_json::json;

    use super::*;

    #[test]
    fn b1_empty_equals_absent_recursively() {
        let a = CSIPersistentVolumeSource {
            driver: "d".into(),
            fs_type: Some(String::new()),
            volume_attributes: Some(BTreeMap::new()),
            ..Default::default()
        };
        let b = CSIPersistentVolumeSource {
            driver: "d".into(),
            ..Default::default()
        };
        assert!(same(&Some(a), &Some(b)));
        let empty_path = Some(HostPathVolumeSource::default());
        assert!(same(&empty_path, &None));
        assert!(!same(&Some(false), &None));
    }

    #[test]
    fn b1_lists_compare_by_length_and_place() {
        let one = Some(vec!["ReadWriteOnce".to_owned()]);
        let two = Some(vec!["ReadWriteOnce".to_owned(), "ReadOnlyMany".to_owned()]);
        assert!(!same(&one, &two));
        assert!(!same(&two, &one));
        let swapped = Some(vec!["ReadOnlyMany".to_owned(), "ReadWriteOnce".to_owned()]);
        assert!(!same(&two, &swapped));
        assert!(same(&Some(Vec::<String>::new()), &None));
        assert_eq!(
            normalise(&json!([{}, "ro"])),
            normalise(&json!([null, "ro"]))
        );
        assert_ne!(normalise(&json!(["", "ro"])), normalise(&json!(["ro"])));
    }

    #[test]
    fn b1_maps_compare_by_size_and_keys() {
        let small = Some(BTreeMap::from([("a".to_owned(), "1".to_owned())]));
        let big = Some(BTreeMap::from([
            ("a".to_owned(), "1".to_owned()),
            ("b".to_owned(), "2".to_owned()),
        ]));
        assert!(!same(&small, &big));
        assert!(!same(&big, &small));
    }

    #[test]
    fn b1_quantities_compare_by_value() {
        let map = |q: &str| BTreeMap::from([("storage".to_owned(), Quantity(q.to_owned()))]);
        assert!(same_capacity(Some(&map("1Gi")), Some(&map("1024Mi"))));
        assert!(!same_capacity(Some(&map("1Gi")), Some(&map("1G"))));
        assert!(same_capacity(Some(&BTreeMap::new()), None));
        let mut two = map("1Gi");
        two.insert("other".into(), Quantity("1".into()));
        assert!(!same_capacity(Some(&map("1Gi")), Some(&two)));
        assert!(!same_capacity(Some(&two), Some(&map("1Gi"))));
        let mut renamed = BTreeMap::new();
        renamed.insert("storag".to_owned(), Quantity("1Gi".into()));
        assert!(!same_capacity(Some(&map("1Gi")), Some(&renamed)));
    }
}
