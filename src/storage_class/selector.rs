//! Label selectors as Kubernetes evaluates them (`metav1.LabelSelectorAsSelector`), for
//! `sync.fromHost.storageClasses.selector` (SPEC C1).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, LabelSelectorRequirement};

use crate::error::Error;
use crate::validate::{is_dns1123_subdomain, is_name_part};

/// The configuration key of the StorageClass selector; selector errors are reported under it.
pub const SELECTOR_KEY: &str = "sync.fromHost.storageClasses.selector";

/// A label selector operator (`matchExpressions[].operator`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Operator {
    In,
    NotIn,
    Exists,
    DoesNotExist,
}

impl Operator {
    fn parse(operator: &str) -> Option<Self> {
        match operator {
            "In" => Some(Self::In),
            "NotIn" => Some(Self::NotIn),
            "Exists" => Some(Self::Exists),
            "DoesNotExist" => Some(Self::DoesNotExist),
            _ => None,
        }
    }
}

/// A selector error at `field` below [`SELECTOR_KEY`].
fn selector_error(field: &str, reason: impl Into<String>) -> Error {
    Error::Config {
        line: None,
        path: format!("{SELECTOR_KEY}.{field}"),
        reason: reason.into(),
    }
}

/// Checks a label selector as Kubernetes does before using it.
///
/// Label keys must be qualified names (`[prefix/]name`), label values valid label values;
/// operators are `In`, `NotIn`, `Exists` or `DoesNotExist` (case-sensitive); `In` and `NotIn`
/// need at least one value, `Exists` and `DoesNotExist` take none. Errors are
/// [`Error::Config`] naming the offending field below [`SELECTOR_KEY`], e.g.
/// `sync.fromHost.storageClasses.selector.matchExpressions[0].operator`.
pub fn validate_selector(selector: &LabelSelector) -> Result<(), Error> {
    for (key, value) in selector.match_labels.iter().flatten() {
        let field = format!("matchLabels.{key}");
        check_label_key(key).map_err(|reason| selector_error(&field, reason))?;
        check_label_value(value).map_err(|reason| selector_error(&field, reason))?;
    }
    for (index, requirement) in selector.match_expressions.iter().flatten().enumerate() {
        validate_requirement(requirement, index)?;
    }
    Ok(())
}

fn validate_requirement(
    requirement: &LabelSelectorRequirement,
    index: usize,
) -> Result<Operator, Error> {
    let at = |field: &str| format!("matchExpressions[{index}].{field}");
    check_label_key(&requirement.key).map_err(|reason| selector_error(&at("key"), reason))?;
    let operator = Operator::parse(&requirement.operator).ok_or_else(|| {
        selector_error(
            &at("operator"),
            format!(
                "{:?} is not a valid label selector operator (In, NotIn, Exists, DoesNotExist)",
                requirement.operator
            ),
        )
    })?;
    let values = requirement.values.as_deref().unwrap_or_default();
    match operator {
        Operator::In | Operator::NotIn if values.is_empty() => Err(selector_error(
            &at("values"),
            format!("operator {} needs at least one value", requirement.operator),
        )),
        Operator::Exists | Operator::DoesNotExist if !values.is_empty() => Err(selector_error(
            &at("values"),
            format!("operator {} takes no values", requirement.operator),
        )),
        _ => {
            for (i, value) in values.iter().enumerate() {
                check_label_value(value)
                    .map_err(|reason| selector_error(&at(&format!("values[{i}]")), reason))?;
            }
            Ok(operator)
        }
    }
}

/// Whether `labels` match `selector`, exactly as Kubernetes decides it.
///
/// Every `matchLabels` pair and every `matchExpressions` requirement must hold (AND); an empty
/// selector matches everything. `In`: the label is set to one of the values; `NotIn`: the label
/// is absent or set to none of them; `Exists`: the label is set; `DoesNotExist`: it is not.
/// An invalid selector is an error ([`validate_selector`]), as it is for Kubernetes.
///
/// ```
/// use std::collections::BTreeMap;
/// use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
/// use pv_translate::storage_class::selector_matches;
///
/// let selector = LabelSelector {
///     match_labels: Some(BTreeMap::from([("value".to_owned(), "one".to_owned())])),
///     match_expressions: None,
/// };
/// let labels = BTreeMap::from([("value".to_owned(), "one".to_owned())]);
/// assert!(selector_matches(&selector, Some(&labels))?);
/// assert!(!selector_matches(&selector, None)?);
/// # Ok::<(), pv_translate::Error>(())
/// ```
pub fn selector_matches(
    selector: &LabelSelector,
    labels: Option<&BTreeMap<String, String>>,
) -> Result<bool, Error> {
    validate_selector(selector)?;
    let get = |key: &str| labels.and_then(|l| l.get(key)).map(String::as_str);
    let labels_hold = selector
        .match_labels
        .iter()
        .flatten()
        .all(|(key, value)| get(key) == Some(value.as_str()));
    if !labels_hold {
        return Ok(false);
    }
    for (index, requirement) in selector.match_expressions.iter().flatten().enumerate() {
        let operator = validate_requirement(requirement, index)?;
        let values = requirement.values.as_deref().unwrap_or_default();
        let actual = get(&requirement.key);
        let holds = match operator {
            Operator::In => actual.is_some_and(|a| values.iter().any(|v| v == a)),
            Operator::NotIn => actual.is_none_or(|a| values.iter().all(|v| v != a)),
            Operator::Exists => actual.is_some(),
            Operator::DoesNotExist => actual.is_none(),
        };
        if !holds {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Whether `s` is a label name: at most 63 characters, alphanumerics, `-`, `_`, `.`, starting
/// and ending alphanumeric (`IsQualifiedName`'s name part, `IsValidLabelValue` when non-empty).
fn is_label_name(s: &str) -> bool {
    s.len() <= 63 && is_name_part(s)
}

/// Kubernetes' label key rule (`IsQualifiedName`).
fn check_label_key(key: &str) -> Result<(), String> {
    let (prefix, label) = match key.split_once('/') {
        Some((prefix, label)) => (Some(prefix), label),
        None => (None, key),
    };
    if let Some(prefix) = prefix
        && !is_dns1123_subdomain(prefix)
    {
        return Err(format!(
            "invalid label key {key:?}: the prefix must be a DNS subdomain (lowercase \
             alphanumerics, '-' and '.', at most 253 characters)"
        ));
    }
    if !is_label_name(label) {
        return Err(format!(
            "invalid label key {key:?}: the name must be 1-63 characters, alphanumerics, '-', '_' \
             or '.', starting and ending with an alphanumeric"
        ));
    }
    Ok(())
}

/// Kubernetes' label value rule (`IsValidLabelValue`): empty or a label name.
fn check_label_value(value: &str) -> Result<(), String> {
    if value.is_empty() || is_label_name(value) {
        Ok(())
    } else {
        Err(format!(
            "invalid label value {value:?}: at most 63 characters, alphanumerics, '-', '_' or '.', \
             starting and ending with an alphanumeric"
        ))
    }
}
