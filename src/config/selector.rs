//! `sync.fromHost.storageClasses.selector` (vcluster v0.26+): a Kubernetes label selector that
//! limits which host StorageClasses appear in the virtual cluster (SPEC C1).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};
use serde_json::{Map, Value};

use super::value::{config_error, describe, lookup, short, shown_key};
use crate::error::Error;
use crate::storage_class::{SELECTOR_KEY, validate_selector};

/// The key path of the selector.
const PATH: [&str; 4] = ["sync", "fromHost", "storageClasses", "selector"];

/// The selector as written, validated as Kubernetes validates it; `None` when unset or `null`.
///
/// Unknown keys inside the selector are ignored (SPEC M4); `matchLabels` must map strings to
/// strings; each `matchExpressions` item needs a string `key` and `operator` and, optionally, a
/// list of string `values`. Operators and values are then checked by
/// [`crate::storage_class::validate_selector`].
pub(super) fn parse(doc: &Value) -> Result<Option<LabelSelector>, Error> {
    let Some(value) = lookup(doc, &PATH)? else {
        return Ok(None);
    };
    let map = as_map(value, SELECTOR_KEY)?;
    let selector = LabelSelector {
        match_labels: match_labels(map)?,
        match_expressions: match_expressions(map)?,
    };
    // Its messages quote whole keys and values; cut them as every configuration message is.
    validate_selector(&selector).map_err(short)?;
    Ok(Some(selector))
}

fn as_map<'a>(value: &'a Value, path: &str) -> Result<&'a Map<String, Value>, Error> {
    match value {
        Value::Object(map) => Ok(map),
        other => Err(config_error(
            path,
            format!("expected a mapping, found {}", describe(other)),
        )),
    }
}

fn as_string(value: &Value, path: &str) -> Result<String, Error> {
    match value {
        Value::String(s) => Ok(s.clone()),
        other => Err(config_error(
            path,
            format!("expected a string, found {}", describe(other)),
        )),
    }
}

/// A field of a mapping, `None` when missing or `null`.
fn field<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    map.get(key).filter(|v| !v.is_null())
}

fn match_labels(selector: &Map<String, Value>) -> Result<Option<BTreeMap<String, String>>, Error> {
    let Some(value) = field(selector, "matchLabels") else {
        return Ok(None);
    };
    let path = format!("{SELECTOR_KEY}.matchLabels");
    let map = as_map(value, &path)?;
    let mut labels = BTreeMap::new();
    for (key, value) in map {
        let label = as_string(value, &format!("{path}.{}", shown_key(key)))?;
        labels.insert(key.clone(), label);
    }
    Ok(Some(labels))
}

fn match_expressions(
    selector: &Map<String, Value>,
) -> Result<Option<Vec<LabelSelectorRequirement>>, Error> {
    let Some(value) = field(selector, "matchExpressions") else {
        return Ok(None);
    };
    let path = format!("{SELECTOR_KEY}.matchExpressions");
    let Value::Array(items) = value else {
        return Err(config_error(
            path,
            format!("expected a list, found {}", describe(value)),
        ));
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| requirement(item, &format!("{path}[{index}]")))
        .collect::<Result<Vec<_>, Error>>()
        .map(Some)
}

fn requirement(item: &Value, path: &str) -> Result<LabelSelectorRequirement, Error> {
    let map = as_map(item, path)?;
    let required = |name: &str| -> Result<String, Error> {
        let at = format!("{path}.{name}");
        match field(map, name) {
            Some(value) => as_string(value, &at),
            None => Err(config_error(at, "required")),
        }
    };
    let key = required("key")?;
    let operator = required("operator")?;
    let values = match field(map, "values") {
        None => None,
        Some(Value::Array(values)) => Some(
            values
                .iter()
                .enumerate()
                .map(|(index, v)| as_string(v, &format!("{path}.values[{index}]")))
                .collect::<Result<Vec<_>, Error>>()?,
        ),
        Some(other) => {
            return Err(config_error(
                format!("{path}.values"),
                format!("expected a list, found {}", describe(other)),
            ));
        }
    };
    Ok(LabelSelectorRequirement {
        key,
        operator,
        values,
    })
}
