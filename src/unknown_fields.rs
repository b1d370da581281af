//! Fields of an input object that its Kubernetes type does not know: dropped on reading, so
//! reported, as `kubectl --validate=warn` does, instead of vanishing silently.

use serde::Serialize;
use serde_json::Value;

/// The dotted paths (under `prefix`) of the fields of `input` that are gone from `typed` once
/// serialised back. Null input values are not reported: they mean "absent" anyway.
pub(crate) fn unknown_fields<T: Serialize>(prefix: &str, input: &Value, typed: &T) -> Vec<String> {
    let mut out = Vec::new();
    if let Ok(kept) = serde_json::to_value(typed) {
        walk(prefix, input, &kept, &mut out);
    }
    out
}

fn walk(path: &str, input: &Value, kept: &Value, out: &mut Vec<String>) {
    match (input, kept) {
        (Value::Object(given), Value::Object(kept)) => {
            for (key, value) in given {
                let here = format!("{path}.{key}");
                match kept.get(key) {
                    Some(kept_value) => walk(&here, value, kept_value, out),
                    None if !value.is_null() => out.push(here),
                    None => {}
                }
            }
        }
        (Value::Array(given), Value::Array(kept)) => {
            for (index, (value, kept_value)) in given.iter().zip(kept).enumerate() {
                walk(&format!("{path}[{index}]"), value, kept_value, out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::unknown_fields;
    use k8s_openapi::api::core::v1::PersistentVolumeClaim;
    use serde_json::json;

    #[test]
    fn reports_misspelt_and_unknown_fields_with_their_path() {
        let input = json!({
            "metadata": {"name": "d", "namspace": "x", "labels": {"a": "b"}},
            "spec": {"accessModes": ["ReadWriteOnce"], "volumName": "pv", "resources": {"requests": {"storage": "1Gi"}, "foo": 1}},
            "status": null,
        });
        let typed: PersistentVolumeClaim =
            serde_json::from_value(input.clone()).unwrap_or_default();
        assert_eq!(
            unknown_fields("virtualPvc", &input, &typed),
            vec![
                "virtualPvc.metadata.namspace",
                "virtualPvc.spec.resources.foo",
                "virtualPvc.spec.volumName",
            ]
        );
    }
}
